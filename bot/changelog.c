/*
 * changelog.c: finding a posting's "Changes in vN" notes.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "changelog.h"
#include "compat.h"

static bool starts_with_ci(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !strncasecmp(s, prefix, n);
}

/* Does this line open a changelog ("Changes in v3:", "v2:", ...)? */
static bool changes_header(const char *s, size_t len)
{
	static const char *const openers[] = {
		"changes in v", "changes since v", "changes from v",
		"changes v",	"changelog",	   "change log",
		"since v",	"changes in this version",
		"changes since last version", "changes since the last",
	};
	size_t i;

	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	for (i = 0; i < ARRAY_SIZE(openers); i++)
		if (starts_with_ci(s, len, openers[i]))
			return true;
	/* "v3:", "V2 -> V3:", "v2 changes:", but not "v4l2: fix" */
	if (len >= 3 && (s[0] == 'v' || s[0] == 'V') &&
	    isdigit((unsigned char)s[1])) {
		const char *p = s + 1, *end = s + len;

		while (p < end && isdigit((unsigned char)*p))
			p++;
		while (p < end && strchr(" \t->", *p))
			p++;
		if (p < end && (*p == 'v' || *p == 'V')) {
			p++;
			while (p < end && isdigit((unsigned char)*p))
				p++;
		}
		while (p < end && *p == ' ')
			p++;
		if ((size_t)(end - p) >= 7 && !strncasecmp(p, "changes", 7))
			p += 7;
		return p < end && *p == ':';
	}
	return false;
}

/* Could this line still be part of a changelog after a blank line? */
static bool changes_continues(const char *s, size_t len)
{
	if (!len)
		return false;
	if (*s == '-' && !(len == 3 && !memcmp(s, "---", 3)))
		return true;
	if (*s == '*' || *s == '+' || *s == ' ' || *s == '\t' || *s == '[')
		return true;
	return changes_header(s, len) || starts_with_ci(s, len, "link to v");
}

bool changelog_find(size_t *off, size_t *len, const char *text,
			  size_t text_len)
{
	const char *end = text + text_len, *p = text, *start = NULL;
	const char *last = NULL; /* end of the last line of the block */
	bool blank = false;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n;

		if (!eol)
			eol = end;
		n = (size_t)(eol - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (!start) {
			if (changes_header(p, n)) {
				start = p;
				last = eol;
			}
		} else if (n == 0) {
			if (blank)
				break; /* two blank lines end it */
			blank = true;
		} else if ((n == 3 && !memcmp(p, "---", 3)) ||
			   (blank && !changes_continues(p, n))) {
			break;
		} else {
			blank = false;
			last = eol;
		}
		p = eol + 1;
	}
	if (!start)
		return false;
	*off = (size_t)(start - text);
	*len = (size_t)(last - start);
	return true;
}

