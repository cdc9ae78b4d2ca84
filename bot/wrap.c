/*
 * wrap.c: wrap prose, keep everything with a layout (see wrap.h).
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "utf8.h"
#include "wrap.h"

#define TAB_STOP 8

struct range {
	unsigned lo, hi;
};

/*
 * East Asian Wide (W) and Fullwidth (F) blocks, after Markus Kuhn's
 * mk_wcwidth() (2007), plus the emoji blocks terminals draw wide.
 */
static const struct range wide[] = {
	{0x1100, 0x115f},   {0x2329, 0x232a},	{0x2e80, 0x303e},
	{0x3040, 0xa4cf},   {0xac00, 0xd7a3},	{0xf900, 0xfaff},
	{0xfe10, 0xfe19},   {0xfe30, 0xfe6f},	{0xff00, 0xff60},
	{0xffe0, 0xffe6},   {0x1f300, 0x1f64f}, {0x1f900, 0x1f9ff},
	{0x20000, 0x2fffd}, {0x30000, 0x3fffd},
};

/* Combining marks and invisible format characters: no column. */
static const struct range zero[] = {
	{0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x0610, 0x061a},
	{0x064b, 0x065f}, {0x1ab0, 0x1aff}, {0x1dc0, 0x1dff}, {0x200b, 0x200f},
	{0x202a, 0x202e}, {0x2060, 0x2064}, {0x20d0, 0x20ff}, {0xfe00, 0xfe0f},
	{0xfe20, 0xfe2f}, {0xfeff, 0xfeff},
};

static bool in_ranges(unsigned cp, const struct range *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cp >= r[i].lo && cp <= r[i].hi)
			return true;
	return false;
}

static unsigned cp_columns(unsigned cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 0; /* controls (the tab is handled by the caller) */
	if (cp < 0x300)
		return 1;
	if (in_ranges(cp, zero, ARRAY_SIZE(zero)))
		return 0;
	if (in_ranges(cp, wide, ARRAY_SIZE(wide)))
		return 2;
	return 1;
}

/* The column reached after s[0..len), starting at column col. */
static size_t columns_from(const char *s, size_t len, size_t col)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n, k;
	unsigned cp;

	while (i < len) {
		if (u[i] == '\t') {
			col += TAB_STOP - col % TAB_STOP;
			i++;
			continue;
		}
		if (u[i] < 0x80) {
			col += cp_columns(u[i]);
			i++;
			continue;
		}
		n = utf8_seq_len(s + i, len - i);
		if (!n) {
			col++; /* not UTF-8: one byte, one column */
			i++;
			continue;
		}
		cp = u[i] & (0x7f >> n);
		for (k = 1; k < n; k++)
			cp = (cp << 6) | (u[i + k] & 0x3f);
		col += cp_columns(cp);
		i += n;
	}
	return col;
}

size_t wrap_columns(const char *s, size_t len)
{
	return columns_from(s, len, 0);
}

static bool starts(const char *p, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && !memcmp(p, prefix, k);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A line that opens a diff (git diff, diff -u, svn/quilt Index:). */
static bool diff_start(const char *p, size_t n, const char *next, size_t next_n)
{
	return starts(p, n, "diff -") || starts(p, n, "Index: ") ||
	       starts(p, n, "@@ -") ||
	       (starts(p, n, "--- ") && starts(next, next_n, "+++ "));
}

/* A line that can be part of a diff (git-diff(1), "extended headers"). */
static bool diff_line(const char *p, size_t n)
{
	static const char *const headers[] = {
		"diff ",
		"index ",
		"new file mode",
		"deleted file mode",
		"old mode",
		"new mode",
		"similarity index",
		"dissimilarity index",
		"rename from",
		"rename to",
		"copy from",
		"copy to",
		"Binary files",
		"GIT binary patch",
		"literal ",
		"delta ",
		"Index: ",
		"====",
	};
	size_t i;

	if (n == 0 || (p[0] != '\0' && strchr(" +-@\\", p[0])))
		return true;
	for (i = 0; i < ARRAY_SIZE(headers); i++)
		if (starts(p, n, headers[i]))
			return true;
	return false;
}

/* git interpret-trailers' token syntax: alphanumerics and '-', then ':'. */
static bool is_trailer(const char *p, size_t n)
{
	static const char *const known[] = {"Fixes", "Link", "Closes", "Cc",
					    "BugLink"};
	size_t i = 0, k;

	while (i < n &&
	       (is_digit(p[i]) || p[i] == '-' || (p[i] >= 'a' && p[i] <= 'z') ||
		(p[i] >= 'A' && p[i] <= 'Z')))
		i++;
	if (i == 0 || i >= n || p[i] != ':')
		return false;
	if (i + 1 < n && p[i + 1] != ' ' && p[i + 1] != '\t')
		return false;
	if (memchr(p, '-', i))
		return true;
	for (k = 0; k < ARRAY_SIZE(known); k++)
		if (strlen(known[k]) == i && !strncasecmp(p, known[k], i))
			return true;
	return false;
}

/*
 * git diff --stat: " path | 12 +++--", " icon.png | Bin 0 -> 1234 bytes",
 * " 3 files changed, 10 insertions(+), 2 deletions(-)".
 */
static bool is_diffstat(const char *p, size_t n)
{
	size_t i = 0, bar;

	while (i < n && p[i] == ' ')
		i++;
	if (i < n && is_digit(p[i])) {
		while (i < n && is_digit(p[i]))
			i++;
		if (starts(p + i, n - i, " file changed") ||
		    starts(p + i, n - i, " files changed"))
			return true;
	}
	for (bar = n; bar > 0 && p[bar - 1] != '|'; bar--)
		;
	if (bar < 2 || p[bar - 2] != ' ')
		return false;
	for (i = bar; i < n && p[i] == ' '; i++)
		;
	if (starts(p + i, n - i, "Bin"))
		return true;
	if (i == n || !is_digit(p[i]))
		return false;
	while (i < n && is_digit(p[i]))
		i++;
	if (i < n && p[i] == ' ')
		i++;
	while (i < n && (p[i] == '+' || p[i] == '-'))
		i++;
	return i == n;
}

/* Lines kept as they are, whatever their width (see wrap.h). */
static bool keep_layout(const char *p, size_t n, unsigned width)
{
	if (wrap_columns(p, n) <= (size_t)width + WRAP_SLACK)
		return true;
	return p[0] == ' ' || p[0] == '\t' || p[0] == '>' ||
	       !memchr(p, ' ', n) || is_trailer(p, n) || is_diffstat(p, n);
}

/*
 * The width of a list item's marker with its spaces ("- ", "* ", "12. ",
 * "3) "), so that continuation lines line up under the text; 0 when the
 * line is not a list item.
 */
static size_t list_marker(const char *p, size_t n)
{
	size_t i = 0;

	if (n >= 2 && (p[0] == '-' || p[0] == '*') && p[1] == ' ') {
		i = 1;
	} else {
		while (i < n && i < 3 && is_digit(p[i]))
			i++;
		if (i == 0 || i >= n || (p[i] != '.' && p[i] != ')'))
			return 0;
		i++;
	}
	if (i >= n || p[i] != ' ')
		return 0;
	while (i < n && p[i] == ' ')
		i++;
	return i < n ? i : 0;
}

static size_t word_end(const char *p, size_t i, size_t n)
{
	while (i < n && p[i] != ' ')
		i++;
	return i;
}

/* Break one prose line p[0..n) at spaces, greedily, to fit width. */
static int wrap_line(struct buf *out, const char *p, size_t n, const char *eol,
		     size_t eol_len, unsigned width)
{
	static const char spaces[] = "                ";
	const char *brk = eol_len ? eol : "\n";
	size_t brk_len = eol_len ? eol_len : 1;
	size_t hang = list_marker(p, n), i = 0, start, end, col, next, ws;
	bool first = true;

	if (hang >= sizeof(spaces) || hang > width / 2)
		hang = 0;
	while (n && p[n - 1] == ' ')
		n--;
	while (i < n) {
		start = i;
		col = first ? 0 : hang;
		/* The first word, whatever its width; after a list marker. */
		end = word_end(p, first ? hang : i, n);
		col = columns_from(p + start, end - start, col);
		i = end;
		for (;;) {
			ws = i;
			while (i < n && p[i] == ' ')
				i++;
			if (i == n)
				break;
			next = word_end(p, i, n);
			col = columns_from(p + ws, next - ws, col);
			if (col > width) {
				i = ws;
				break;
			}
			end = i = next;
		}
		if (!first && buf_try_add(out, spaces, hang))
			return ERR_LIMIT;
		if (buf_try_add(out, p + start, end - start))
			return ERR_LIMIT;
		while (i < n && p[i] == ' ')
			i++;
		if (i < n ? buf_try_add(out, brk, brk_len)
			  : buf_try_add(out, eol, eol_len))
			return ERR_LIMIT;
		first = false;
	}
	return 0;
}

int wrap_text(struct buf *out, const char *text, size_t len, unsigned width)
{
	size_t pos = 0, end, next, n, nn;
	bool in_diff = false;
	const char *p, *nl, *nextp;

	if (!width)
		width = WRAP_WIDTH;
	while (pos < len) {
		p = text + pos;
		nl = memchr(p, '\n', len - pos);
		next = nl ? (size_t)(nl - text) + 1 : len;
		end = nl ? (size_t)(nl - text) : len;
		if (end > pos && text[end - 1] == '\r')
			end--;
		n = end - pos;
		/* The following line, for "--- " then "+++ ". */
		nextp = text + next;
		nl = memchr(nextp, '\n', len - next);
		nn = nl ? (size_t)(nl - nextp) : len - next;

		if (in_diff && !diff_line(p, n))
			in_diff = false;
		if (!in_diff && diff_start(p, n, nextp, nn))
			in_diff = true;
		if (in_diff || keep_layout(p, n, width)) {
			if (buf_try_add(out, p, next - pos))
				return ERR_LIMIT;
		} else if (wrap_line(out, p, n, text + end, next - end,
				     width)) {
			return ERR_LIMIT;
		}
		pos = next;
	}
	return 0;
}

int wrap_hanging(struct buf *out, const char *s, size_t len, size_t first_col,
		 size_t hang, unsigned width)
{
	size_t i = 0, col = first_col, start, end, after, k;
	bool line_empty = true;

	if (!width)
		width = WRAP_WIDTH;
	if (columns_from(s, len, first_col) <= (size_t)width + WRAP_SLACK)
		return buf_try_add(out, s, len) ? ERR_LIMIT : 0;
	while (i < len) {
		while (i < len && s[i] == ' ')
			i++;
		if (i == len)
			break;
		start = i;
		end = word_end(s, i, len);
		after = columns_from(s + start, end - start,
				     col + (line_empty ? 0 : 1));
		if (!line_empty && after > width) {
			if (buf_try_addch(out, '\n'))
				return ERR_LIMIT;
			for (k = 0; k < hang; k++)
				if (buf_try_addch(out, ' '))
					return ERR_LIMIT;
			col = hang;
			line_empty = true;
			after = columns_from(s + start, end - start, col);
		}
		if (!line_empty && buf_try_addch(out, ' '))
			return ERR_LIMIT;
		if (buf_try_add(out, s + start, end - start))
			return ERR_LIMIT;
		col = after;
		line_empty = false;
		i = end;
	}
	return 0;
}

size_t wrap_cut_point(const char *text, size_t len, size_t max_lines,
		      size_t max_bytes)
{
	size_t pos = 0, lines = 0, next;
	const char *nl;

	while (pos < len) {
		if (max_lines && lines == max_lines)
			break;
		nl = memchr(text + pos, '\n', len - pos);
		next = nl ? (size_t)(nl - text) + 1 : len;
		if (max_bytes && next > max_bytes)
			break;
		pos = next;
		lines++;
	}
	return pos;
}

static bool only_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr(" \t\r\n", p[i]) || p[i] == '\0')
			return false;
	return true;
}

/* Inside an over-long first line: its last space, or a UTF-8 boundary. */
static size_t cut_inside(const char *text, size_t max_bytes)
{
	size_t cut = max_bytes;

	while (cut > 0 && text[cut] != ' ' && text[cut - 1] != ' ')
		cut--;
	while (cut > 0 && text[cut - 1] == ' ')
		cut--;
	if (cut > 0)
		return cut;
	cut = max_bytes;
	while (cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80)
		cut--;
	return cut;
}

int wrap_cut(struct buf *out, const char *text, size_t len, size_t max_lines,
	     size_t max_bytes)
{
	size_t keep = wrap_cut_point(text, len, max_lines, max_bytes);

	if (keep == len || only_blank(text + keep, len - keep))
		return buf_try_add(out, text, keep);
	if (keep == 0) {
		/* Lines are allowed, so the first one passes max_bytes. */
		keep = cut_inside(text, max_bytes);
		if (buf_try_add(out, text, keep) || buf_try_addch(out, '\n'))
			return ERR_LIMIT;
		return buf_try_adds(out, WRAP_CUT_MARKER "\n");
	}
	if (buf_try_add(out, text, keep))
		return ERR_LIMIT;
	return buf_try_adds(out, WRAP_CUT_MARKER "\n");
}
