/*
 * evidence.c: finding what links a posting to its earlier versions.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounds.h"
#include "buf.h"
#include "evidence.h"
#include "xalloc.h"

static const char *const evidence_names[EVIDENCE_COUNT] = {
	[EVIDENCE_CHANGE_ID] = "change-id",
	[EVIDENCE_SUPERSEDES] = "supersedes",
	[EVIDENCE_LINK] = "link",
	[EVIDENCE_IN_REPLY_TO] = "in-reply-to",
	[EVIDENCE_TITLE] = "same title",
	[EVIDENCE_PATCH_TITLES] = "patch titles",
	[EVIDENCE_RESEND] = "resend",
};

const char *evidence_name(enum evidence e)
{
	return (unsigned)e < EVIDENCE_COUNT ? evidence_names[e] : "unknown";
}

enum evidence evidence_from_name(const char *name)
{
	int i;

	for (i = 0; i < EVIDENCE_COUNT; i++)
		if (!strcmp(evidence_names[i], name))
			return (enum evidence)i;
	return EVIDENCE_COUNT;
}

bool evidence_is_explicit(enum evidence e)
{
	return e == EVIDENCE_CHANGE_ID || e == EVIDENCE_SUPERSEDES ||
	       e == EVIDENCE_LINK || e == EVIDENCE_IN_REPLY_TO;
}

void evidence_links_release(struct evidence_links *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		free(l->v[i].message_id);
	free(l->v);
	*l = (struct evidence_links)EVIDENCE_LINKS_INIT;
}

static void links_add(struct evidence_links *l, enum evidence kind, int version,
		      char *id)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		if (!strcmp(l->v[i].message_id, id)) {
			free(id);
			return;
		}
	}
	XGROW(l->v, l->alloc, l->nr + 1);
	l->v[l->nr].kind = kind;
	l->v[l->nr].version = version;
	l->v[l->nr].message_id = id;
	l->nr++;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * A Message-ID from a URL path segment: up to '/', whitespace or a
 * closing bracket, %XX decoded (lore escapes '/' and others that way).
 * Returns an owned id, or NULL when it holds no '@' (not a Message-ID).
 */
static char *url_message_id(const char *p, const char *end)
{
	struct buf id;
	int hi, lo;

	buf_init(&id, MAIL_MAX_ID_BYTES);
	while (p < end && !isspace((unsigned char)*p) &&
	       !strchr("/>)]\"',", *p)) {
		int c = (unsigned char)*p;

		if (c == '%' && end - p >= 3 && (hi = hexval(p[1])) >= 0 &&
		    (lo = hexval(p[2])) >= 0) {
			c = hi * 16 + lo;
			p += 3;
		} else {
			p++;
		}
		if (buf_try_addch(&id, c)) {
			buf_release(&id);
			return NULL;
		}
	}
	/* A trailing full stop ends the sentence, not the id. */
	while (id.len && id.data[id.len - 1] == '.')
		buf_truncate(&id, id.len - 1);
	if (!memchr(id.data, '@', id.len) || id.data[0] == '@') {
		buf_release(&id);
		return NULL;
	}
	return buf_detach(&id, NULL);
}

/*
 * Find a lore-style link in [p, end): returns the start of the Message-ID
 * segment and sets *url_start, or NULL.
 */
static const char *find_lore_link(const char *p, const char *end,
				  const char **url_start)
{
	/* host, and whether one list-name segment comes before the id */
	static const struct {
		const char *host;
		bool list_segment;
	} hosts[] = {
		{"lore.kernel.org/", true},
		{"lkml.kernel.org/r/", false},
		{"patch.msgid.link/", false},
		{"msgid.link/", false},
	};
	const char *best = NULL, *best_id = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hosts); i++) {
		const char *h = memmem(p, (size_t)(end - p), hosts[i].host,
				       strlen(hosts[i].host));
		const char *id;

		if (!h || (best && h >= best))
			continue;
		id = h + strlen(hosts[i].host);
		if (hosts[i].list_segment) {
			const char *slash = memchr(id, '/', (size_t)(end - id));

			if (!slash)
				continue;
			id = slash + 1;
		}
		best = h;
		best_id = id;
	}
	if (!best)
		return NULL;
	/* Back up over the scheme, so version words inside it do not count. */
	while (best > p && !isspace((unsigned char)best[-1]) &&
	       best[-1] != '<' && best[-1] != '(')
		best--;
	*url_start = best;
	return best_id;
}

/* Does needle occur in p[0..n), ignoring ASCII case? */
static bool mem_casefind(const char *p, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; m <= n && i <= n - m; i++)
		if (!strncasecmp(p + i, needle, m))
			return true;
	return false;
}

/*
 * The version a piece of text names ("v9", "V2", "[v1]"), as a word; 0 if
 * none. "previous version" and its kin count as version -1.
 */
static int names_version(const char *p, const char *end)
{
	static const char *const phrases[] = {
		"previous version", "previous revision",  "previous posting",
		"previous series",  "previous iteration", "last version",
		"earlier version",  "older version",	  "prior version",
		"previous attempt", "earlier attempt",	  "previous submission",
		"previous round",   "last iteration",	  "last posting",
	};
	const char *q;
	size_t i;

	for (q = p; q + 1 < end; q++) {
		int v = 0;
		const char *d;

		if ((*q != 'v' && *q != 'V') ||
		    (q > p && isalnum((unsigned char)q[-1])))
			continue;
		for (d = q + 1;
		     d < end && isdigit((unsigned char)*d) && v < 1000; d++)
			v = v * 10 + (*d - '0');
		if (d == q + 1 || (d < end && (isalnum((unsigned char)*d) ||
					       *d == '.' || *d == '-')))
			continue;
		if (v > 0)
			return v;
	}
	for (i = 0; i < ARRAY_SIZE(phrases); i++)
		if (mem_casefind(p, (size_t)(end - p), phrases[i]))
			return -1;
	return 0;
}

/*
 * Does the text name a posting this one needs rather than replaces ("Based
 * on v3 of ...", "Depends on: v2 https://...", "applies on top of")? Then
 * its version and link are no evidence: precision comes first.
 */
static bool names_dependency(const char *p, const char *end)
{
	static const char *const phrases[] = {
		"depend",   "based on",	   "on top of", "prerequisite",
		"requires", "applies on",  "apply on",	"needs ",
		"built on", "base-commit",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(phrases); i++)
		if (mem_casefind(p, (size_t)(end - p), phrases[i]))
			return true;
	return false;
}

/* Skip spaces and tabs. */
static const char *skip_blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* "Supersedes: <id>" (any case): the id, owned, or NULL. */
static char *supersedes_line(const char *p, const char *end)
{
	static const char key[] = "supersedes:";
	const char *q;

	p = skip_blank(p, end);
	if ((size_t)(end - p) < sizeof(key) - 1 ||
	    strncasecmp(p, key, sizeof(key) - 1))
		return NULL;
	p = skip_blank(p + sizeof(key) - 1, end);
	if (p < end && *p == '<')
		p++;
	for (q = p; q < end && *q != '>' && !isspace((unsigned char)*q); q++)
		;
	if (q == p || (size_t)(q - p) > MAIL_MAX_ID_BYTES ||
	    !memchr(p, '@', (size_t)(q - p)))
		return NULL;
	return xmemdup0(p, (size_t)(q - p));
}

/* Parse "v<N>" at p: N, and *after past it; 0 when p holds none. */
static int version_word(const char **after, const char *p, const char *end)
{
	int v = 0;

	if (p >= end || (*p != 'v' && *p != 'V'))
		return 0;
	for (p++; p < end && isdigit((unsigned char)*p) && v < 1000; p++)
		v = v * 10 + (*p - '0');
	*after = p;
	return v;
}

/*
 * A changelog heading that names the version a block of notes starts
 * from: "v2 -> v3:", "v3 -> v3 RESEND:", "Changes v1->v2:", "Changes
 * since v2:". The version changed from, or 0. Such a block often ends
 * with a bare "Link: <previous version>" (linux-sparse 2024).
 */
static int changelog_heading(const char *p, const char *end)
{
	static const char *const leads[] = {"changes since ", "changes from ",
					    "changes ", ""};
	const char *q, *colon;
	size_t i;
	int v;

	p = skip_blank(p, end);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (end - p > 60 || end == p || end[-1] != ':')
		return 0;
	colon = end - 1;
	for (i = 0; i < ARRAY_SIZE(leads); i++) {
		size_t n = strlen(leads[i]);

		if ((size_t)(colon - p) >= n && !strncasecmp(p, leads[i], n))
			break;
	}
	if (i == ARRAY_SIZE(leads))
		return 0;
	v = version_word(&q, p + strlen(leads[i]), colon);
	if (v <= 0)
		return 0;
	q = skip_blank(q, colon);
	if (q == colon)
		return i < 2 ? v : 0; /* "Changes since v2:" */
	if (colon - q >= 2 && q[0] == '-' && q[1] == '>')
		q += 2;
	else if (colon - q >= 3 && !strncasecmp(q, "to ", 3))
		q += 3;
	else
		return 0;
	q = skip_blank(q, colon);
	return version_word(&q, q, colon) > 0 ? v : 0;
}

/* A line that is only "Link: <url>" (after blanks). */
static bool bare_link_line(const char *p, const char *url)
{
	p = skip_blank(p, url);
	if (url - p < 5 || strncasecmp(p, "link:", 5))
		return false;
	return skip_blank(p + 5, url) == url;
}

void evidence_find_links(struct evidence_links *out, const char *text,
			 size_t len)
{
	const char *end = text + len, *line = text, *prev = NULL;
	const char *prev_end = NULL;
	int block = 0; /* the version an open changelog block starts from */

	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *url, *idp;
		char *id;
		int version;

		if (!eol)
			eol = end;
		/* Quoted text is someone else's words. */
		if (skip_blank(line, eol) < eol &&
		    *skip_blank(line, eol) == '>')
			goto next;
		id = supersedes_line(line, eol);
		if (id) {
			links_add(out, EVIDENCE_SUPERSEDES, 0, id);
			goto next;
		}
		if ((version = changelog_heading(line, eol)) > 0) {
			block = version;
			goto next;
		}
		idp = find_lore_link(line, eol, &url);
		if (!idp)
			goto next;
		version = names_dependency(line, url)
				  ? 0
				  : names_version(line, url);
		/* "- Link to v2:" with the URL wrapped onto the next line. */
		if (!version && skip_blank(line, eol) == url && prev &&
		    !names_dependency(prev, prev_end))
			version = names_version(prev, prev_end);
		/* "v2 -> v3:", its notes, then "Link: <v2>" closing them. */
		if (!version && block && bare_link_line(line, url))
			version = block;
		block = 0;
		if (!version)
			goto next;
		id = url_message_id(idp, eol);
		if (id)
			links_add(out, EVIDENCE_LINK, version > 0 ? version : 0,
				  id);
	next:
		if (skip_blank(line, eol) < eol) {
			prev = line;
			prev_end = eol;
		}
		line = eol + 1;
	}
}

/* Words of a subject's tags that say how, not where, a posting goes. */
static bool is_not_a_tree(const char *w)
{
	static const char *const words[] = {
		"patch",	"rfc",		 "rft",	    "resend",
		"repost",	"pull",		 "git",	    "wip",
		"ping",		"update",	 "patchv",  "fix",
		"take",		"draft",	 "net-rfc", "for-review",
		"do not merge", "not for merge",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcasecmp(w, words[i]))
			return true;
	/* v2, V10, RFCv2, PATCHv3 */
	if ((w[0] == 'v' || w[0] == 'V') && w[1] &&
	    strspn(w + 1, "0123456789") == strlen(w + 1))
		return true;
	if ((!strncasecmp(w, "rfc", 3) || !strncasecmp(w, "patch", 5))) {
		const char *d =
			w + (tolower((unsigned char)w[0]) == 'r' ? 3 : 5);

		if (*d == 'v' || *d == 'V')
			d++;
		if (*d && strspn(d, "0123456789") == strlen(d))
			return true;
	}
	return false;
}

char *evidence_target(const char *const *prefixes, size_t n)
{
	struct buf t = BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *w = prefixes[i];
		const char *c;

		if (!w[0] || is_not_a_tree(w))
			continue;
		/* "v6.6.y" and "6.6.y" name the same stable tree. */
		if ((w[0] == 'v' || w[0] == 'V') &&
		    isdigit((unsigned char)w[1]))
			w++;
		if (t.len)
			buf_addch(&t, ' ');
		for (c = w; *c; c++)
			buf_addch(&t, tolower((unsigned char)*c));
	}
	return buf_detach(&t, NULL);
}

bool evidence_targets_compatible(const char *a, const char *b)
{
	return !a[0] || !b[0] || !strcmp(a, b);
}

bool evidence_titles_overlap(size_t shared, size_t na, size_t nb)
{
	size_t smaller = na < nb ? na : nb;

	return shared >= 2 && shared <= smaller && shared * 2 >= smaller;
}
