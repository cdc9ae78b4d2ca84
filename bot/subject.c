/*
 * subject.c: the tags and title of a Subject (rules in subject.h).
 *
 * One pass over the subject: a "tag zone" of bracket groups and reply or
 * forward markers, then the title. Like b4's LoreSubject and git
 * mailinfo's cleanup_subject, every leading bracket group is a tag group;
 * unlike b4, words are also split at commas (patchwork's split_prefixes,
 * for "[net,v2,1/2]") and Mercurial's "1 of 2" is read (patchwork's
 * parse_series_marker).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "subject.h"
#include "xalloc.h"

struct tagstate {
	struct subject *out;
	size_t alloc;	   /* of out->prefixes */
	bool have_version; /* the first version found wins */
	bool have_counter; /* the first n/m found wins */
	bool patch_word;   /* PATCH or RFC seen */
	bool dropped;	   /* a prefix did not fit SUBJECT_MAX_PREFIXES */
};

/* p[0..n) all digits, a plausible count: value in *out. */
static bool parse_num(const char *p, size_t n, int *out)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 9)
		return false;
	for (i = 0; i < n; i++) {
		if (!ascii_isdigit(p[i]))
			return false;
		v = v * 10 + (p[i] - '0');
	}
	if (v > SUBJECT_MAX_NUMBER)
		return false;
	*out = (int)v;
	return true;
}

static size_t digits(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && ascii_isdigit(p[i]))
		i++;
	return i;
}

/*
 * A version word: v3, V3, v2.1 (taken as 2), v2RESEND, v2-resend. On
 * success *ver is set and *resend_at is the offset of "resend" in the
 * word (0 when there is none).
 */
static bool version_word(const char *p, size_t n, int *ver, size_t *resend_at)
{
	size_t d, m, rest;

	if (n < 2 || ascii_tolower(p[0]) != 'v')
		return false;
	d = digits(p + 1, n - 1);
	if (!parse_num(p + 1, d, ver))
		return false;
	rest = 1 + d;
	*resend_at = 0;
	if (rest == n)
		return true;
	if (p[rest] == '.') {
		m = digits(p + rest + 1, n - rest - 1);
		return m > 0 && rest + 1 + m == n;
	}
	if (p[rest] == '-' || p[rest] == '_')
		rest++;
	if (ascii_eq_ci(p + rest, n - rest, "resend")) {
		*resend_at = rest;
		return true;
	}
	return false;
}

/* "3/7", "03/10": number and total. */
static bool counter_word(const char *p, size_t n, int *num, int *total)
{
	size_t d = digits(p, n);

	if (d == 0 || d + 1 >= n || p[d] != '/')
		return false;
	return parse_num(p, d, num) && parse_num(p + d + 1, n - d - 1, total);
}

static bool resend_word(const char *p, size_t n)
{
	if (ascii_startswith_ci(p, n, "resend"))
		return digits(p + 6, n - 6) == n - 6; /* RESEND, RESEND2 */
	return ascii_eq_ci(p, n, "resent");
}

static void add_prefix(struct tagstate *st, const char *p, size_t n)
{
	struct subject *s = st->out;

	if (s->nr_prefixes >= SUBJECT_MAX_PREFIXES) {
		st->dropped = true;
		return;
	}
	XGROW(s->prefixes, st->alloc, s->nr_prefixes + 1);
	s->prefixes[s->nr_prefixes++] = xmemdup0(p, n);
}

static void set_version(struct tagstate *st, int v)
{
	if (!st->have_version) {
		st->out->version = v;
		st->have_version = true;
	}
}

static void set_counter(struct tagstate *st, int num, int total)
{
	if (!st->have_counter) {
		st->out->number = num;
		st->out->total = total;
		st->have_counter = true;
	}
}

/* One word of a tag group (not the "N of M" form). */
static void tag_word(struct tagstate *st, const char *w, size_t n)
{
	struct subject *s = st->out;
	size_t resend_at, skip;
	int v, num, total;

	if (ascii_eq_ci(w, n, "patch") || ascii_eq_ci(w, n, "patches") ||
	    ascii_eq_ci(w, n, "patchset")) {
		st->patch_word = true;
		return;
	}
	/* PATCHv3, PATCH-v3: b4 rewrites "(patch)(v\d+)" the same way. */
	if (n > 5 && ascii_startswith_ci(w, n, "patch")) {
		skip = (w[5] == '-' || w[5] == '_') ? 6 : 5;
		if (version_word(w + skip, n - skip, &v, &resend_at)) {
			st->patch_word = true;
			set_version(st, v);
			if (resend_at) {
				s->resend = true;
				add_prefix(st, w + skip + resend_at,
					   n - skip - resend_at);
			}
			return;
		}
	}
	if (version_word(w, n, &v, &resend_at)) {
		set_version(st, v);
		if (resend_at) {
			s->resend = true;
			add_prefix(st, w + resend_at, n - resend_at);
		}
		return;
	}
	if (counter_word(w, n, &num, &total)) {
		set_counter(st, num, total);
		return;
	}
	if (ascii_eq_ci(w, n, "rfc")) {
		s->rfc = true;
		st->patch_word = true;
		add_prefix(st, w, n);
		return;
	}
	if (n > 3 && ascii_startswith_ci(w, n, "rfc") &&
	    version_word(w + 3, n - 3, &v, &resend_at)) {
		s->rfc = true;
		st->patch_word = true;
		set_version(st, v);
		add_prefix(st, w, 3);
		if (resend_at) {
			s->resend = true;
			add_prefix(st, w + 3 + resend_at, n - 3 - resend_at);
		}
		return;
	}
	if (resend_word(w, n))
		s->resend = true;
	else if (ascii_eq_ci(w, n, "pull"))
		s->pull = true;
	add_prefix(st, w, n);
}

static bool word_sep(unsigned char c)
{
	return ascii_isspace(c) || c == ',' || c == ';' || c == '[' || c == ']';
}

/* The next word of g[*pos..n) into *w, *wn; false at the end. */
static bool next_word(const char *g, size_t n, size_t *pos, const char **w,
		      size_t *wn)
{
	size_t i = *pos, start;

	while (i < n && word_sep(g[i]))
		i++;
	if (i == n) {
		*pos = i;
		return false;
	}
	start = i;
	while (i < n && !word_sep(g[i]))
		i++;
	*w = g + start;
	*wn = i - start;
	*pos = i;
	return true;
}

/* The words of one bracket group, g[0..n) without the brackets. */
static void tag_group(struct tagstate *st, const char *g, size_t n)
{
	size_t pos = 0, pos2, pos3, wn, wn2, wn3;
	const char *w, *w2, *w3;
	int num, total;
	bool first = true;

	while (next_word(g, n, &pos, &w, &wn)) {
		/*
		 * "[tip:timers/vdso 12/14]", "[linux-next:master]": the
		 * kernel test robot names a tree and branch; its counter is
		 * not ours.
		 */
		if (first && memchr(w, ':', wn)) {
			do
				add_prefix(st, w, wn);
			while (next_word(g, n, &pos, &w, &wn));
			return;
		}
		first = false;
		/* Mercurial's "[PATCH 1 of 2]". */
		pos2 = pos;
		if (parse_num(w, wn, &num) &&
		    next_word(g, n, &pos2, &w2, &wn2) &&
		    ascii_eq_ci(w2, wn2, "of")) {
			pos3 = pos2;
			if (next_word(g, n, &pos3, &w3, &wn3) &&
			    parse_num(w3, wn3, &total)) {
				set_counter(st, num, total);
				pos = pos3;
				continue;
			}
		}
		tag_word(st, w, wn);
	}
}

/* p at '[': the offset just past the matching ']', or 0 when none. */
static size_t group_end(const char *p, size_t n)
{
	size_t i, depth = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '[')
			depth++;
		else if (p[i] == ']' && --depth == 0)
			return i + 1;
	}
	return 0;
}

enum marker_kind { MARK_NONE, MARK_REPLY, MARK_FORWARD };

/*
 * Reply and forward prefixes as mail clients write them in several
 * languages (Outlook's localised "AW:", "SV:", "Antw:", "VS:", "Odp:",
 * "WG:", "TR:", "Enc:"; Chinese clients' 回复/答复/转发). "RV:" (Spanish
 * forward) is left out on purpose: "rv:" is the kernel's runtime
 * verification subsystem prefix. "Subject:" appears doubled in real mail
 * ("Subject: [PATCH] lib.c: ...", linux-sparse 2020) and is skipped.
 */
static const struct marker {
	const char *word;
	enum marker_kind kind;
} markers[] = {
	{"re", MARK_REPLY},
	{"aw", MARK_REPLY},
	{"sv", MARK_REPLY},
	{"antw", MARK_REPLY},
	{"odp", MARK_REPLY},
	{"ynt", MARK_REPLY},
	{"vs", MARK_REPLY},
	{"rif", MARK_REPLY},
	{"\xe5\x9b\x9e\xe5\xa4\x8d", MARK_REPLY}, /* 回复 */
	{"\xe7\xad\x94\xe5\xa4\x8d", MARK_REPLY}, /* 答复 */
	{"\xe5\x9b\x9e\xe8\xa6\x86", MARK_REPLY}, /* 回覆 */
	{"fwd", MARK_FORWARD},
	{"fw", MARK_FORWARD},
	{"wg", MARK_FORWARD},
	{"tr", MARK_FORWARD},
	{"enc", MARK_FORWARD},
	{"doorst", MARK_FORWARD},
	{"\xe8\xbd\xac\xe5\x8f\x91", MARK_FORWARD}, /* 转发 */
	{"\xe8\xbd\x89\xe5\xaf\x84", MARK_FORWARD}, /* 轉寄 */
	{"subject", MARK_NONE},
};

/*
 * A marker at p: "Re:", "RE :", "Re[2]:", "Re^2:", "Re(2):", "AW:", "回复：".
 * Returns the bytes it takes (with the blanks after it), or 0.
 */
static size_t marker_at(const char *p, size_t n, enum marker_kind *kind)
{
	size_t i, wl, k;

	for (k = 0; k < ARRAY_SIZE(markers); k++) {
		const char *word = markers[k].word;

		wl = strlen(word);
		if ((unsigned char)word[0] < 0x80) {
			/* An ASCII word must end there: "Rework:" is not. */
			if (!ascii_startswith_ci(p, n, word) ||
			    (wl < n && ascii_isalpha(p[wl])))
				continue;
		} else if (n < wl || memcmp(p, word, wl) != 0) {
			continue;
		}
		i = wl;
		/* A count: Re[2]:, Re^2:, Re(2): */
		if (i < n && (p[i] == '[' || p[i] == '(')) {
			char close = p[i] == '[' ? ']' : ')';
			size_t d = digits(p + i + 1, n - i - 1);

			if (d && i + 1 + d < n && p[i + 1 + d] == close)
				i += d + 2;
		} else if (i < n && p[i] == '^') {
			i += 1 + digits(p + i + 1, n - i - 1);
		}
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i < n && p[i] == ':')
			i++;
		else if (i + 3 <= n && memcmp(p + i, "\xef\xbc\x9a", 3) == 0)
			i += 3; /* U+FF1A FULLWIDTH COLON */
		else
			continue;
		while (i < n && ascii_isspace(p[i]))
			i++;
		*kind = markers[k].kind;
		return i;
	}
	return 0;
}

/* Append p[0..n) to b with blank runs made one space, ends trimmed. */
static void add_collapsed(struct buf *b, const char *p, size_t n)
{
	size_t i = 0, start;

	while (i < n) {
		while (i < n && ascii_isspace(p[i]))
			i++;
		if (i == n)
			break;
		if (b->len)
			buf_addch(b, ' ');
		start = i;
		while (i < n && !ascii_isspace(p[i]))
			i++;
		buf_add(b, p + start, i - start);
	}
}

/* patchwork's parse_version fallback: "... (v3)" in the title. */
static bool title_version(const char *t, size_t n, int *ver)
{
	size_t i, d;

	for (i = 0; i + 3 < n; i++) {
		if (t[i] != '(' || ascii_tolower(t[i + 1]) != 'v')
			continue;
		d = digits(t + i + 2, n - i - 2);
		if (d && i + 2 + d < n && t[i + 2 + d] == ')' &&
		    parse_num(t + i + 2, d, ver))
			return true;
	}
	return false;
}

int subject_parse(struct subject *out, const char *s, size_t len)
{
	struct tagstate st = {out, 0, false, false, false, false};
	struct subject init = SUBJECT_INIT;
	struct buf title = BUF_INIT;
	enum marker_kind kind;
	size_t i = 0, n, end;
	int v, ret = 0;

	*out = init;
	if (len > MAIL_MAX_SUBJECT_BYTES) {
		out->limit = "subject bytes over MAIL_MAX_SUBJECT_BYTES";
		len = MAIL_MAX_SUBJECT_BYTES;
		/* Cut at a character, not inside a UTF-8 sequence. */
		while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
		ret = ERR_LIMIT;
	}

	/* The tag zone: groups and markers, in any order. */
	for (;;) {
		while (i < len && ascii_isspace(s[i]))
			i++;
		if (i == len)
			break;
		if (s[i] == '[') {
			end = group_end(s + i, len - i);
			if (!end)
				break;
			tag_group(&st, s + i + 1, end - 2);
			i += end;
			/* "[Patch 2/2]: powerpc/..." (patchwork's tests) */
			if (i < len && s[i] == ':')
				i++;
			continue;
		}
		n = marker_at(s + i, len - i, &kind);
		if (n) {
			if (kind == MARK_REPLY) {
				out->reply = true;
				/* Before the tags of a patch or pull? */
				if (!st.patch_word && !st.have_version &&
				    !st.have_counter && !out->pull)
					out->reply_lead = true;
			} else if (kind == MARK_FORWARD) {
				out->forward = true;
			}
			i += n;
			continue;
		}
		/* b4 ty's "Re: (subset) [PATCH ...]" */
		if (len - i >= 8 && memcmp(s + i, "(subset)", 8) == 0) {
			i += 8;
			continue;
		}
		break;
	}

	add_collapsed(&title, s + i, len - i);
	out->title = buf_detach(&title, NULL);

	if (!st.have_version &&
	    title_version(out->title, strlen(out->title), &v))
		set_version(&st, v);
	out->patch = st.patch_word ||
		     (!out->pull && (st.have_version || st.have_counter));

	if (st.dropped) {
		if (!out->limit)
			out->limit = "tag words past SUBJECT_MAX_PREFIXES "
				     "dropped";
		ret = ERR_LIMIT;
	}
	return ret;
}

void subject_release(struct subject *s)
{
	struct subject init = SUBJECT_INIT;
	size_t i;

	free(s->title);
	for (i = 0; i < s->nr_prefixes; i++)
		free(s->prefixes[i]);
	free(s->prefixes);
	*s = init;
}

/* "take 2", "try 3": word, a space, digits. */
static bool word_number(const char *t, size_t n, const char *word)
{
	size_t wl = strlen(word), d;

	if (!ascii_startswith_ci(t, n, word) || wl >= n || t[wl] != ' ')
		return false;
	d = digits(t + wl + 1, n - wl - 1);
	return d && wl + 1 + d == n;
}

/* Is t[0..n) (lowercase, collapsed) a resend remark? */
static bool resend_remark(const char *t, size_t n)
{
	static const char *const words[] = {
		"resend",   "resent",	  "repost",    "reposted",    "rebased",
		"resubmit", "second try", "third try", "another try", "new try",
	};
	size_t k, d;

	for (k = 0; k < ARRAY_SIZE(words); k++)
		if (ascii_eq_ci(t, n, words[k]))
			return true;
	if (n >= 2 && t[0] == 'v') { /* v3 */
		d = digits(t + 1, n - 1);
		return d == n - 1;
	}
	return word_number(t, n, "take") || word_number(t, n, "try");
}

static bool trailing_punct(unsigned char c)
{
	return ascii_isspace(c) || c == '.' || c == ',' || c == ';' ||
	       c == ':' || c == '!' || c == '?';
}

char *subject_normalize_title(const char *title)
{
	struct buf b = BUF_INIT;
	size_t i, n, open;

	add_collapsed(&b, title, strlen(title));
	for (i = 0; i < b.len; i++)
		b.data[i] = (char)ascii_tolower(b.data[i]);
	n = b.len;
	for (;;) {
		while (n && trailing_punct(b.data[n - 1]))
			n--;
		if (!n || b.data[n - 1] != ')')
			break;
		open = n - 1;
		while (open > 0 && b.data[open] != '(')
			open--;
		if (b.data[open] != '(' ||
		    !resend_remark(b.data + open + 1, n - open - 2))
			break;
		n = open;
	}
	buf_truncate(&b, n);
	return buf_detach(&b, NULL);
}
