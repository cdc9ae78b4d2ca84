/*
 * patch.c: the anatomy of a patch mail body (rules in patch.h).
 *
 * One forward pass over the lines with a small state machine
 * (message -> notes -> diffstat -> diff <-> hunk), then the trailers from
 * the regions found. Nothing rescans the body: the cost is linear in its
 * size, and allocations happen only for what is kept (files, paths,
 * trailers).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "patch.h"
#include "xalloc.h"

#define NONE SIZE_MAX

/* ---- lines and bytes ---------------------------------------------------- */

struct line {
	const char *p; /* first byte */
	size_t len;    /* without the LF and a CR before it */
	size_t off;    /* offset of p in the body */
	size_t next;   /* offset of the next line */
};

static bool line_at(struct line *l, const char *body, size_t len, size_t off)
{
	const char *nl;

	if (off >= len)
		return false;
	l->p = body + off;
	l->off = off;
	nl = memchr(l->p, '\n', len - off);
	l->len = nl ? (size_t)(nl - l->p) : len - off;
	l->next = nl ? off + l->len + 1 : len;
	if (l->len && l->p[l->len - 1] == '\r')
		l->len--;
	return true;
}

static bool line_starts(const struct line *l, const char *prefix)
{
	return ascii_startswith(l->p, l->len, prefix);
}

static bool is_blank_line(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!ascii_isspace(p[i]))
			return false;
	return true;
}

/* Trim blanks at both ends of p[0..*n); returns the new start. */
static const char *trim(const char *p, size_t *n)
{
	while (*n && ascii_isspace(p[0])) {
		p++;
		(*n)--;
	}
	while (*n && ascii_isspace(p[*n - 1]))
		(*n)--;
	return p;
}

/* Leading decimal number of p[0..n): its digits in *nd, value capped. */
static unsigned long read_num(const char *p, size_t n, size_t *nd)
{
	unsigned long v = 0;
	size_t i = 0;

	while (i < n && ascii_isdigit(p[i])) {
		if (v < 100000000ul)
			v = v * 10 + (unsigned long)(p[i] - '0');
		i++;
	}
	*nd = i;
	return v;
}

/* ---- a set of strings (paths seen), open addressing --------------------- */

struct strset_slot {
	const char *s; /* borrowed; NULL: empty slot */
	size_t len;
};

struct strset {
	struct strset_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;
	uint64_t seed; /* so that a mail cannot pick colliding paths */
};

/* An empty set; its seed is the address of the set (ASLR varies it). */
static void strset_init(struct strset *set)
{
	set->slots = NULL;
	set->cap = set->n = 0;
	set->seed = (uint64_t)(uintptr_t)set * 0x9e3779b97f4a7c15ull;
}

static uint64_t hash_bytes(uint64_t seed, const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull ^ seed; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static struct strset_slot *strset_slot(const struct strset *set, const char *s,
				       size_t n)
{
	size_t i = (size_t)hash_bytes(set->seed, s, n) & (set->cap - 1);

	for (;;) {
		struct strset_slot *slot = &set->slots[i];

		if (!slot->s || (slot->len == n && memcmp(slot->s, s, n) == 0))
			return slot;
		i = (i + 1) & (set->cap - 1);
	}
}

static const struct strset_slot *strset_find(const struct strset *set,
					     const char *s, size_t n)
{
	const struct strset_slot *slot;

	if (!set->cap)
		return NULL;
	slot = strset_slot(set, s, n);
	return slot->s ? slot : NULL;
}

/* Add s (borrowed) unless there; false when it was there already. */
static bool strset_add(struct strset *set, const char *s, size_t n)
{
	struct strset_slot *slot;
	size_t i;

	if (2 * (set->n + 1) > set->cap) {
		struct strset old = *set;

		set->cap = old.cap ? 2 * old.cap : 64;
		set->slots = xcalloc(set->cap, sizeof(*set->slots));
		for (i = 0; i < old.cap; i++)
			if (old.slots[i].s)
				*strset_slot(set, old.slots[i].s,
					     old.slots[i].len) = old.slots[i];
		free(old.slots);
	}
	slot = strset_slot(set, s, n);
	if (slot->s)
		return false;
	slot->s = s;
	slot->len = n;
	set->n++;
	return true;
}

static void strset_release(struct strset *set)
{
	free(set->slots);
	set->slots = NULL;
	set->cap = set->n = 0;
}

/* ---- the parser --------------------------------------------------------- */

enum state {
	S_MESSAGE, /* commit message or cover text */
	S_NOTES,   /* after the --- line */
	S_STAT,	   /* the lines after the diffstat summary */
	S_DIFF,	   /* in the diff, between hunks */
	S_HUNK,	   /* inside a hunk, counting */
	S_BINARY,  /* inside a GIT binary patch */
	S_END,	   /* the signature: nothing more to read */
};

struct span {
	size_t off, len;
};

struct parser {
	const char *body;
	size_t len;
	struct patch *out;
	enum state state;
	size_t files_alloc, paths_alloc, trailers_alloc;
	bool limited; /* a bounds.h limit was hit (out->limit says which) */

	size_t notes_start;   /* after the --- line */
	size_t sig_candidate; /* a "-- " line in message or notes */
	size_t scan_end;      /* where reply trailers stop */

	/* The diffstat: a run of file lines, confirmed by its summary. */
	struct span *run; /* names of the run's file lines */
	size_t nr_run, run_alloc, run_start;
	bool run_cut;	       /* the run had more lines than it keeps */
	size_t shortlog_start; /* "Name (3):" heading the diffstat */
	struct span *stat;     /* names of the confirmed diffstat */
	size_t nr_stat;
	bool have_stat;
	enum state after_stat; /* where S_STAT goes back to */
	size_t msg_stat_end;   /* a diffstat in the message ends it here,
				  unless a "---" line comes later */

	/* The diff. */
	size_t cur;		/* index of the current file, NONE */
	bool cur_git;		/* it began with "diff --git" */
	bool cur_header;	/* its ---/+++ lines were read */
	bool cur_hunks;		/* it has had a hunk */
	size_t pending_start;	/* "Index:" or "diff -" line before a file */
	struct span index_name; /* the name of an "Index:" line, or len 0 */
	unsigned long old_left, new_left;
	size_t diff_end;

	/* b4 metadata lines after the message. */
	struct span *meta;
	size_t nr_meta, meta_alloc;

	bool pull_since, pull_repo; /* git request-pull's two sentences */
};

/* A bounds.h limit was hit: the first one is what the caller reports. */
static void note_limit(struct parser *p, const char *what)
{
	if (!p->limited)
		p->out->limit = what;
	p->limited = true;
}

/* ---- C-quoted names (git's quote_c_style) ------------------------------- */

/*
 * Unquote the C-style string at s[0..n) (s[0] is '"') into out, as git's
 * unquote_c_style(): \a \b \f \n \r \t \v \\ \" and three octal digits.
 * Returns the bytes taken including both quotes, or 0 when unterminated
 * or malformed.
 */
static size_t unquote_c(struct buf *out, const char *s, size_t n)
{
	static const char esc_in[] = "abfnrtv\\\"";
	static const char esc_out[] = "\a\b\f\n\r\t\v\\\"";
	size_t i = 1;
	const char *e;

	while (i < n) {
		unsigned char c = s[i++];

		if (c == '"')
			return i;
		if (c != '\\') {
			buf_addch(out, c);
			continue;
		}
		if (i >= n)
			return 0;
		c = s[i++];
		if (c >= '0' && c <= '3') {
			unsigned v = c - '0';
			int k;

			for (k = 0; k < 2; k++) {
				if (i >= n || s[i] < '0' || s[i] > '7')
					return 0;
				v = v * 8 + (unsigned)(s[i++] - '0');
			}
			buf_addch(out, (int)v);
		} else if ((e = memchr(esc_in, c, sizeof(esc_in) - 1))) {
			buf_addch(out, esc_out[e - esc_in]);
		} else {
			return 0;
		}
	}
	return 0;
}

/*
 * A path as written in a diff header or diffstat (quoted or not) into
 * out, replacing its contents. False when the quoting is broken.
 */
static bool path_text(struct buf *out, const char *s, size_t n)
{
	buf_reset(out);
	if (n && s[0] == '"') {
		size_t used = unquote_c(out, s, n);

		return used != 0;
	}
	buf_add(out, s, n);
	return true;
}

/* As path_text(), but broken quoting is kept as written. */
static void path_or_raw(struct buf *out, const char *s, size_t n)
{
	if (!path_text(out, s, n)) {
		buf_reset(out);
		buf_add(out, s, n);
	}
}

/* ---- files and paths ---------------------------------------------------- */

static bool is_dev_null(const char *s, size_t n)
{
	return n == 9 && memcmp(s, "/dev/null", 9) == 0;
}

/* Length of the first path component (before the first '/'), or NONE. */
static size_t first_dir(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);

	return slash ? (size_t)(slash - s) : NONE;
}

/*
 * Do these two names carry a prefix to strip (git apply -p1)? Yes when
 * their first components differ ("a/x" "b/x", "i/x" "w/x",
 * "linux.orig/x" "linux/x"); no when they share it (CVS's relative
 * "bfd/elf.c", --no-prefix's "dir/x dir/x"). Against /dev/null, only a
 * one-letter first component (git's a/, b/, i/, w/, c/, o/) is a prefix.
 */
static bool has_prefix_pair(const char *a, size_t an, const char *b, size_t bn)
{
	size_t da, db;

	if (is_dev_null(a, an) || is_dev_null(b, bn)) {
		const char *s = is_dev_null(a, an) ? b : a;
		size_t n = is_dev_null(a, an) ? bn : an;

		return first_dir(s, n) == 1;
	}
	da = first_dir(a, an);
	db = first_dir(b, bn);
	if (da == NONE || db == NONE)
		return false;
	return da != db || memcmp(a, b, da) != 0;
}

static char *strip_dup(const char *s, size_t n, bool strip)
{
	size_t d = strip ? first_dir(s, n) : NONE;

	if (d != NONE) {
		s += d + 1;
		n -= d + 1;
	}
	return xmemdup0(s, n);
}

/* A new file entry, or NONE past PATCH_MAX_FILES. Takes path. */
static size_t add_file(struct parser *p, char *path, enum patch_change change)
{
	struct patch *out = p->out;
	struct patch_file *f;

	if (!path || out->nr_files >= PATCH_MAX_FILES) {
		if (path)
			note_limit(p, "more files than PATCH_MAX_FILES, the "
				      "rest left out");
		free(path);
		return NONE;
	}
	XGROW(out->files, p->files_alloc, out->nr_files + 1);
	f = &out->files[out->nr_files];
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->change = change;
	if (!out->has_diff) {
		out->has_diff = true;
		out->diff_off = p->pending_start;
	}
	return out->nr_files++;
}

static struct patch_file *cur_file(struct parser *p)
{
	return p->cur == NONE ? NULL : &p->out->files[p->cur];
}

/* An owned copy of a header path, or NULL (logged) when too long. */
static char *header_path(struct parser *p, const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	if (n > PATCH_MAX_PATH_BYTES) {
		note_limit(p, "a path over PATCH_MAX_PATH_BYTES left out");
		return NULL;
	}
	path_or_raw(&b, s, n);
	return buf_detach(&b, NULL);
}

/*
 * The two names of "diff --git A B" (git apply's git_header_name(), in
 * short): quoted names are read as such; two unquoted names of the same
 * path are split in the middle, which also serves names with spaces;
 * else at " b/", else at the first space. Each name may still carry its
 * prefix.
 */
static void git_header_names(struct parser *p, const char *s, size_t n,
			     char **a, char **b)
{
	struct buf q = BUF_INIT;
	size_t used, half, da, db, i;
	const char *sp;

	*a = *b = NULL;
	if (n > 2 * PATCH_MAX_PATH_BYTES + 8) {
		note_limit(p, "a path over PATCH_MAX_PATH_BYTES left out");
		return;
	}
	if (n && s[0] == '"') {
		used = unquote_c(&q, s, n);
		if (used && used < n && s[used] == ' ') {
			*a = buf_detach(&q, NULL);
			*b = header_path(p, s + used + 1, n - used - 1);
		}
		goto out;
	}
	/* a/x "b/x\ty": an unquoted name holds no '"', so the first one
	 * starts the second name. */
	if (n && s[n - 1] == '"') {
		sp = memchr(s, '"', n);
		if (sp > s && sp[-1] == ' ' &&
		    unquote_c(&q, sp, n - (size_t)(sp - s)) ==
			    n - (size_t)(sp - s)) {
			*a = xmemdup0(s, (size_t)(sp - s) - 1);
			*b = buf_detach(&q, NULL);
			goto out;
		}
	}
	/* Two names of one path: "a/x y b/x y" splits in the middle. */
	half = n / 2;
	if (n % 2 == 1 && s[half] == ' ') {
		da = first_dir(s, half);
		db = first_dir(s + half + 1, half);
		if (memcmp(s, s + half + 1, half) == 0 ||
		    (da != NONE && da == db &&
		     memcmp(s + da, s + half + 1 + db, half - da) == 0)) {
			*a = xmemdup0(s, half);
			*b = xmemdup0(s + half + 1, half);
			goto out;
		}
	}
	sp = NULL;
	for (i = 0; i + 3 <= n; i++)
		if (s[i] == ' ' && s[i + 1] == 'b' && s[i + 2] == '/') {
			sp = s + i;
			break;
		}
	if (!sp)
		sp = memchr(s, ' ', n);
	if (sp) {
		*a = xmemdup0(s, (size_t)(sp - s));
		*b = xmemdup0(sp + 1, n - (size_t)(sp - s) - 1);
	}
out:
	buf_release(&q);
}

/* ---- the diffstat ------------------------------------------------------- */

/*
 * A diffstat file line: " path | 12 ++--", " path | Bin 0 -> 12 bytes",
 * "  path | 0" (git --stat; some tools indent by two). The name, trimmed,
 * goes to *name.
 */
static bool stat_file_line(const struct line *l, struct span *name)
{
	const char *bar, *r;
	size_t rn, nd, nn;
	const char *np;

	if (l->len < 3 || l->p[0] == '>')
		return false; /* a quoted diffstat is someone else's */
	bar = memrchr(l->p, '|', l->len);
	if (!bar)
		return false;
	r = bar + 1;
	rn = l->len - (size_t)(r - l->p);
	r = trim(r, &rn);
	if (ascii_startswith(r, rn, "Bin") ||
	    ascii_startswith(r, rn, "Unmerged")) {
		/* binary: "Bin", "Bin 0 -> 142 bytes" */
	} else {
		read_num(r, rn, &nd);
		if (!nd)
			return false;
		r += nd;
		rn -= nd;
		while (rn && r[0] == ' ') {
			r++;
			rn--;
		}
		while (rn && (r[0] == '+' || r[0] == '-')) {
			r++;
			rn--;
		}
		if (rn)
			return false;
	}
	nn = (size_t)(bar - l->p);
	np = trim(l->p, &nn);
	if (!nn)
		return false;
	name->off = (size_t)(np - l->p) + l->off;
	name->len = nn;
	return true;
}

/*
 * The summary: " 3 files changed, 20 insertions(+), 1 deletion(-)", any
 * of the last two parts missing (git's print_stat_summary()).
 */
static bool stat_summary_line(const struct line *l, struct diffstat *ds)
{
	const char *s = l->p;
	size_t n = l->len, nd;
	unsigned long v;

	s = trim(s, &n);
	v = read_num(s, n, &nd);
	if (!nd)
		return false;
	s += nd;
	n -= nd;
	if (ascii_startswith(s, n, " files changed"))
		nd = 14;
	else if (ascii_startswith(s, n, " file changed"))
		nd = 13;
	else
		return false;
	ds->files = (unsigned)v;
	ds->insertions = ds->deletions = 0;
	s += nd;
	n -= nd;
	while (n) {
		if (!ascii_startswith(s, n, ", "))
			return false;
		s += 2;
		n -= 2;
		v = read_num(s, n, &nd);
		if (!nd)
			return false;
		s += nd;
		n -= nd;
		if (ascii_startswith(s, n, " insertions(+)") ||
		    ascii_startswith(s, n, " insertion(+)")) {
			ds->insertions = (unsigned)v;
			nd = s[10] == 's' ? 14 : 13;
		} else if (ascii_startswith(s, n, " deletions(-)") ||
			   ascii_startswith(s, n, " deletion(-)")) {
			ds->deletions = (unsigned)v;
			nd = s[9] == 's' ? 13 : 12;
		} else {
			return false;
		}
		s += nd;
		n -= nd;
	}
	return true;
}

/* The lines git writes after the summary line (diff.c, show_summary). */
static bool stat_summary_tail(const struct line *l)
{
	static const char *const tails[] = {
		"create mode ", "delete mode ", "rename ",
		"copy ",	"mode change ", "rewrite ",
	};
	size_t i = 0, k;

	while (i < l->len && l->p[i] == ' ')
		i++;
	if (!i)
		return false;
	for (k = 0; k < ARRAY_SIZE(tails); k++)
		if (ascii_startswith(l->p + i, l->len - i, tails[k]))
			return true;
	return false;
}

/* git shortlog's "Name (3):" heading, as in cover letters and pulls. */
static bool shortlog_head(const struct line *l)
{
	size_t i;

	if (l->len < 5 || l->p[l->len - 1] != ':' || l->p[l->len - 2] != ')')
		return false;
	i = l->len - 2;
	while (i > 0 && ascii_isdigit(l->p[i - 1]))
		i--;
	return i < l->len - 2 && i >= 2 && l->p[i - 1] == '(' &&
	       l->p[i - 2] == ' ';
}

/*
 * Follow the diffstat in message or notes lines. Returns the offset
 * where the region before it ends (the shortlog or the diffstat) when l
 * is the summary line that confirms a diffstat, else NONE.
 */
static size_t stat_track(struct parser *p, const struct line *l)
{
	struct patch *out = p->out;
	struct span name;
	size_t end;

	if (p->have_stat)
		return NONE;
	/* Git indents diffstat lines by one space; some tools do not. */
	if (stat_file_line(l, &name)) {
		if (!p->nr_run)
			p->run_start = l->off;
		/* Past PATCH_MAX_FILES names are not kept: add_path() would
		 * refuse them, and a stranger's mail must not make us keep
		 * one span per short line. */
		if (p->nr_run < PATCH_MAX_FILES) {
			XGROW(p->run, p->run_alloc, p->nr_run + 1);
			p->run[p->nr_run] = name;
		} else {
			p->run_cut = true;
		}
		p->nr_run++;
		return NONE;
	}
	if (l->len && !ascii_isspace(l->p[0])) {
		if (!shortlog_head(l))
			p->shortlog_start = NONE;
		else if (p->shortlog_start == NONE)
			p->shortlog_start = l->off;
	}
	if (p->nr_run && stat_summary_line(l, &out->diffstat)) {
		p->have_stat = true;
		p->stat = p->run;
		p->nr_stat = p->nr_run < PATCH_MAX_FILES ? p->nr_run
							 : PATCH_MAX_FILES;
		if (p->run_cut)
			note_limit(p, "paths past PATCH_MAX_FILES left out");
		p->run = NULL;
		p->nr_run = p->run_alloc = 0;
		out->diffstat_off = p->run_start;
		out->diffstat_len = l->off + l->len - p->run_start;
		end = p->shortlog_start != NONE ? p->shortlog_start
						: p->run_start;
		p->after_stat = p->state;
		p->state = S_STAT;
		return end;
	}
	p->nr_run = 0;
	p->run_cut = false;
	return NONE;
}

/* ---- regions ------------------------------------------------------------ */

/*
 * The region [start, end) without its leading blank lines and trailing
 * blank or all-dash lines (the "---" before a shortlog, request-pull's
 * row of dashes), and without its final newline.
 */
static void set_region(struct parser *p, size_t start, size_t end, size_t *off,
		       size_t *len)
{
	struct line l;
	size_t last = start, i;

	*off = *len = 0;
	while (start < end && line_at(&l, p->body, end, start) &&
	       is_blank_line(l.p, l.len))
		start = l.next;
	for (i = start; i < end && line_at(&l, p->body, end, i); i = l.next) {
		size_t k = 0;

		while (k < l.len && l.p[k] == '-')
			k++;
		if (!is_blank_line(l.p + k, l.len - k))
			last = l.off + l.len;
	}
	if (last > start) {
		*off = start;
		*len = last - start;
	}
}

static void end_message(struct parser *p, size_t end)
{
	set_region(p, 0, end, &p->out->message_off, &p->out->message_len);
}

static void end_notes(struct parser *p, size_t end)
{
	set_region(p, p->notes_start, end, &p->out->notes_off,
		   &p->out->notes_len);
}

/* ---- line kinds --------------------------------------------------------- */

/* "-- " with any blanks after it; with dash_only, "--" too. */
static bool sig_line(const struct line *l, bool dash_only)
{
	if (l->len < 2 || l->p[0] != '-' || l->p[1] != '-')
		return false;
	if (l->len == 2)
		return dash_only;
	if (l->p[2] != ' ' && l->p[2] != '\t')
		return false;
	return is_blank_line(l->p + 2, l->len - 2);
}

/* git mailinfo's patchbreak(): where git am ends the commit message. */
static bool patchbreak(const struct line *l)
{
	if (line_starts(l, "diff -") || line_starts(l, "Index: "))
		return true;
	if (l->len < 3 || !line_starts(l, "---"))
		return false;
	if (l->len > 4 && l->p[3] == ' ' && !ascii_isspace(l->p[4]))
		return true; /* "--- <name>": a patch without a separator */
	return is_blank_line(l->p + 3, l->len - 3);
}

/* Is l "--- name" and the line after it "+++ name"? *next gets it. */
static bool header_pair(const struct parser *p, const struct line *l,
			struct line *next)
{
	return l->len > 4 && line_starts(l, "--- ") &&
	       line_at(next, p->body, p->len, l->next) && next->len > 4 &&
	       line_starts(next, "+++ ");
}

/* A line that starts a diff (in the notes, or after the diffstat). */
static bool diff_start(const struct parser *p, const struct line *l)
{
	struct line next;

	return line_starts(l, "diff -") || line_starts(l, "Index: ") ||
	       header_pair(p, l, &next);
}

/* b4's metadata lines (b4 ez send writes them after the diff). */
static const char *const b4_meta[] = {
	"base-commit",
	"change-id",
	"prerequisite-change-id",
	"prerequisite-patch-id",
	"prerequisite-message-id",
};

static bool meta_line(const struct line *l)
{
	size_t k, n;

	for (k = 0; k < ARRAY_SIZE(b4_meta); k++) {
		n = strlen(b4_meta[k]);
		if (l->len > n + 2 &&
		    ascii_startswith_ci(l->p, l->len, b4_meta[k]) &&
		    l->p[n] == ':' && ascii_isspace(l->p[n + 1]) &&
		    !is_blank_line(l->p + n + 1, l->len - n - 1))
			return true;
	}
	return false;
}

static void add_meta(struct parser *p, const struct line *l)
{
	if (p->nr_meta >= PATCH_MAX_TRAILERS) {
		note_limit(p, "trailers past PATCH_MAX_TRAILERS left out");
		return;
	}
	XGROW(p->meta, p->meta_alloc, p->nr_meta + 1);
	p->meta[p->nr_meta].off = l->off;
	p->meta[p->nr_meta].len = l->len;
	p->nr_meta++;
}

/* git request-pull's text (also older gits' lowercase "git"). */
static void pull_track(struct parser *p, const struct line *l)
{
	if (line_starts(l, "The following changes since commit"))
		p->pull_since = true;
	else if (ascii_startswith_ci(l->p, l->len,
				     "are available in the git repository"))
		p->pull_repo = true;
}

/* ---- the diff ----------------------------------------------------------- */

static void file_header_names(struct parser *p, const char *a, size_t an,
			      const char *b, size_t bn)
{
	struct patch_file *f;
	bool strip;
	char *path;
	enum patch_change change = PATCH_MODIFY;

	/* Cut "\t2011-12-05 20:15:49" timestamps of diff -u and CVS. */
	if (an && a[0] != '"' && memchr(a, '\t', an))
		an = (size_t)((const char *)memchr(a, '\t', an) - a);
	if (bn && b[0] != '"' && memchr(b, '\t', bn))
		bn = (size_t)((const char *)memchr(b, '\t', bn) - b);
	a = trim(a, &an);
	b = trim(b, &bn);

	if (p->cur_git && !p->cur_header && !p->cur_hunks &&
	    (f = cur_file(p))) {
		/* The ---/+++ of a git diff: only add and delete matter. */
		p->cur_header = true;
		if (f->change == PATCH_MODIFY && is_dev_null(a, an))
			f->change = PATCH_ADD;
		else if (f->change == PATCH_MODIFY && is_dev_null(b, bn))
			f->change = PATCH_DELETE;
		return;
	}

	/* A plain unified diff: the names decide. */
	if (is_dev_null(a, an))
		change = PATCH_ADD;
	else if (is_dev_null(b, bn))
		change = PATCH_DELETE;
	if (p->index_name.len) {
		/* CVS and SVN's "Index: path" is the repository's path. */
		path = header_path(p, p->body + p->index_name.off,
				   p->index_name.len);
	} else {
		struct buf qa = BUF_INIT, qb = BUF_INIT;

		if (an > PATCH_MAX_PATH_BYTES || bn > PATCH_MAX_PATH_BYTES) {
			note_limit(p,
				   "a path over PATCH_MAX_PATH_BYTES left out");
			path = NULL;
		} else {
			path_or_raw(&qa, a, an);
			path_or_raw(&qb, b, bn);
			strip = has_prefix_pair(qa.data, qa.len, qb.data,
						qb.len);
			path = change == PATCH_DELETE
				       ? strip_dup(qa.data, qa.len, strip)
				       : strip_dup(qb.data, qb.len, strip);
		}
		buf_release(&qa);
		buf_release(&qb);
	}
	p->cur = add_file(p, path, change);
	p->cur_git = false;
	p->cur_header = true;
	p->cur_hunks = false;
	p->pending_start = NONE;
	p->index_name.len = 0;
}

static void git_file(struct parser *p, const struct line *l)
{
	char *a, *b;
	bool strip;

	git_header_names(p, l->p + 11, l->len - 11, &a, &b);
	if (a && b && strlen(b) > PATCH_MAX_PATH_BYTES + 2) {
		note_limit(p, "a path over PATCH_MAX_PATH_BYTES left out");
		free(b);
		b = NULL;
	}
	if (a && b) {
		strip = has_prefix_pair(a, strlen(a), b, strlen(b));
		p->cur = add_file(p, strip_dup(b, strlen(b), strip),
				  PATCH_MODIFY);
	} else {
		p->cur = NONE;
	}
	free(a);
	free(b);
	p->cur_git = true;
	p->cur_header = false;
	p->cur_hunks = false;
	p->pending_start = NONE;
	p->index_name.len = 0;
}

/*
 * When l starts with prefix (a rename or copy line), replace *field with
 * the path after it and return true.
 */
static bool set_path(struct parser *p, char **field, const struct line *l,
		     const char *prefix)
{
	size_t skip = strlen(prefix), n;
	const char *s;
	char *path;

	if (!line_starts(l, prefix))
		return false;
	n = l->len - skip;
	s = trim(l->p + skip, &n);
	path = header_path(p, s, n);
	if (path) {
		free(*field);
		*field = path;
	}
	return true;
}

/* git's extended header lines (git-diff(1), "extended header lines"). */
static bool git_extended(struct parser *p, const struct line *l)
{
	struct patch_file *f = cur_file(p);

	if (!p->cur_git || p->cur_header || p->cur_hunks)
		return false;
	if (line_starts(l, "index ") || line_starts(l, "similarity index ") ||
	    line_starts(l, "dissimilarity index "))
		return true;
	if (!f)
		return line_starts(l, "old mode ") ||
		       line_starts(l, "new mode ") ||
		       line_starts(l, "new file mode ") ||
		       line_starts(l, "deleted file mode ") ||
		       line_starts(l, "rename ") || line_starts(l, "copy ");
	if (line_starts(l, "old mode ") || line_starts(l, "new mode ")) {
		f->mode_change = true;
	} else if (line_starts(l, "new file mode ")) {
		f->change = PATCH_ADD;
	} else if (line_starts(l, "deleted file mode ")) {
		f->change = PATCH_DELETE;
	} else if (set_path(p, &f->old_path, l, "rename from ") ||
		   set_path(p, &f->old_path, l, "rename old ")) {
		f->change = PATCH_RENAME;
	} else if (set_path(p, &f->path, l, "rename to ") ||
		   set_path(p, &f->path, l, "rename new ")) {
		f->change = PATCH_RENAME;
	} else if (set_path(p, &f->old_path, l, "copy from ")) {
		f->change = PATCH_COPY;
	} else if (set_path(p, &f->path, l, "copy to ")) {
		f->change = PATCH_COPY;
	} else {
		return false;
	}
	return true;
}

/* One range "start[,count]" at *s: the count (1 when left out). */
static bool hunk_range(const char **s, size_t *n, unsigned long *count)
{
	size_t nd;

	read_num(*s, *n, &nd);
	if (!nd)
		return false;
	*s += nd;
	*n -= nd;
	*count = 1;
	if (*n && (*s)[0] == ',') {
		*count = read_num(*s + 1, *n - 1, &nd);
		if (!nd)
			return false;
		*s += nd + 1;
		*n -= nd + 1;
	}
	return true;
}

/* "@@ -a[,b] +c[,d] @@": the line counts b and d. */
static bool hunk_header(const struct line *l, unsigned long *old_n,
			unsigned long *new_n)
{
	const char *s;
	size_t n;

	if (!line_starts(l, "@@ -"))
		return false;
	s = l->p + 4;
	n = l->len - 4;
	if (!hunk_range(&s, &n, old_n) || !ascii_startswith(s, n, " +"))
		return false;
	s += 2;
	n -= 2;
	return hunk_range(&s, &n, new_n) && ascii_startswith(s, n, " @@");
}

/*
 * A line of a GIT binary patch (git's apply.c, parse_binary_hunk):
 * "literal N", "delta N", or base85 data whose first letter gives the
 * length of the line.
 */
static bool binary_line(const struct line *l)
{
	unsigned char c;
	size_t bytes;

	if (l->len == 0 || line_starts(l, "literal ") ||
	    line_starts(l, "delta "))
		return true;
	c = l->p[0];
	if (c >= 'A' && c <= 'Z')
		bytes = c - 'A' + 1;
	else if (c >= 'a' && c <= 'z')
		bytes = c - 'a' + 27;
	else
		return false;
	return l->len - 1 == (bytes + 3) / 4 * 5;
}

/* One line between hunks. Returns the offset of the next line to read. */
static size_t in_diff(struct parser *p, const struct line *l)
{
	struct patch_file *f;
	struct line next;

	if (sig_line(l, true)) {
		p->state = S_END;
		p->scan_end = l->off;
		return l->next;
	}
	if (line_starts(l, "diff --git ")) {
		if (p->pending_start == NONE)
			p->pending_start = l->off;
		git_file(p, l);
		p->diff_end = l->off + l->len;
		return l->next;
	}
	if (line_starts(l, "diff ") || line_starts(l, "Index: ")) {
		if (p->pending_start == NONE)
			p->pending_start = l->off;
		if (line_starts(l, "Index: ")) {
			const char *s = l->p + 7;
			size_t n = l->len - 7;

			s = trim(s, &n);
			p->index_name.off = (size_t)(s - p->body);
			p->index_name.len = n;
		}
		p->cur = NONE; /* until its ---/+++ lines */
		p->cur_git = false;
		return l->next;
	}
	if (header_pair(p, l, &next)) {
		if (p->pending_start == NONE)
			p->pending_start = l->off;
		file_header_names(p, l->p + 4, l->len - 4, next.p + 4,
				  next.len - 4);
		p->diff_end = next.off + next.len;
		return next.next;
	}
	if (hunk_header(l, &p->old_left, &p->new_left)) {
		p->cur_hunks = true;
		p->diff_end = l->off + l->len;
		if (p->old_left || p->new_left)
			p->state = S_HUNK;
		return l->next;
	}
	if (git_extended(p, l)) {
		p->diff_end = l->off + l->len;
		return l->next;
	}
	f = cur_file(p);
	if (line_starts(l, "GIT binary patch")) {
		if (f)
			f->binary = true;
		p->state = S_BINARY;
		p->diff_end = l->off + l->len;
		return l->next;
	}
	if (line_starts(l, "Binary files ") && !p->cur_hunks) {
		if (f)
			f->binary = true;
		p->diff_end = l->off + l->len;
		return l->next;
	}
	if (meta_line(l))
		add_meta(p, l);
	return l->next;
}

/* One line inside a hunk, counted by the hunk header. */
static size_t in_hunk(struct parser *p, const struct line *l)
{
	struct patch_file *f = cur_file(p);
	char c = l->len ? l->p[0] : ' ';

	if (c == '\\') { /* "\ No newline at end of file" */
		p->diff_end = l->off + l->len;
		return l->next;
	}
	/* git apply takes an empty line as an empty context line. */
	if (c == ' ' && p->old_left && p->new_left) {
		p->old_left--;
		p->new_left--;
	} else if (c == '-' && p->old_left) {
		p->old_left--;
		if (f)
			f->deletions++;
	} else if (c == '+' && p->new_left) {
		p->new_left--;
		if (f)
			f->insertions++;
	} else {
		/* A cut or miscounted hunk: read the line as between hunks. */
		p->state = S_DIFF;
		return l->off;
	}
	p->diff_end = l->off + l->len;
	if (!p->old_left && !p->new_left)
		p->state = S_DIFF;
	return l->next;
}

static size_t in_binary(struct parser *p, const struct line *l)
{
	if (!binary_line(l)) {
		p->state = S_DIFF;
		return l->off;
	}
	if (l->len)
		p->diff_end = l->off + l->len;
	return l->next;
}

/* ---- message and notes -------------------------------------------------- */

/*
 * Forget a diffstat read in the message: a "---" line came after it, so
 * it was text of the commit message, as git am would keep it.
 */
static void drop_stat(struct parser *p)
{
	struct diffstat none = {0, 0, 0};

	free(p->stat);
	p->stat = NULL;
	p->nr_stat = 0;
	p->have_stat = false;
	p->msg_stat_end = NONE;
	p->shortlog_start = NONE;
	p->nr_meta = 0;
	p->out->diffstat = none;
	p->out->diffstat_off = p->out->diffstat_len = 0;
}

static size_t in_message(struct parser *p, const struct line *l)
{
	bool separator;
	size_t end;

	if (sig_line(l, false)) {
		/* A signature, unless a patch follows (then it was text). */
		if (p->sig_candidate == NONE)
			p->sig_candidate = l->off;
		return l->next;
	}
	pull_track(p, l);
	if (patchbreak(l)) {
		separator = line_starts(l, "---") &&
			    is_blank_line(l->p + 3, l->len - 3);
		p->sig_candidate = NONE;
		if (p->msg_stat_end != NONE && separator)
			drop_stat(p);
		/* A diffstat right before a diff (a pull request with its
		 * diff) keeps ending the message. */
		end_message(p,
			    p->msg_stat_end != NONE ? p->msg_stat_end : l->off);
		if (separator) {
			p->out->has_separator = true;
			p->notes_start = l->next;
			p->state = S_NOTES;
			return l->next;
		}
		p->state = S_DIFF;
		return l->off;
	}
	if (p->sig_candidate != NONE)
		return l->next;
	if (p->msg_stat_end != NONE) {
		/* after a cover letter's diffstat: git's base-commit */
		if (meta_line(l))
			add_meta(p, l);
		return l->next;
	}
	end = stat_track(p, l);
	if (end != NONE)
		p->msg_stat_end = end;
	return l->next;
}

static size_t in_notes(struct parser *p, const struct line *l)
{
	size_t end;

	if (sig_line(l, false)) {
		if (p->sig_candidate == NONE)
			p->sig_candidate = l->off;
		return l->next;
	}
	if (diff_start(p, l)) {
		p->sig_candidate = NONE;
		end_notes(p, l->off);
		p->state = S_DIFF;
		return l->off;
	}
	if (p->sig_candidate != NONE)
		return l->next;
	pull_track(p, l);
	if (meta_line(l))
		add_meta(p, l);
	end = stat_track(p, l);
	if (end != NONE) {
		end_notes(p, end);
		p->after_stat = S_DIFF;
	}
	return l->next;
}

/* After the diffstat summary: git's create/rename/mode lines. */
static size_t in_stat(struct parser *p, const struct line *l)
{
	if (stat_summary_tail(l)) {
		p->out->diffstat_len = l->off + l->len - p->out->diffstat_off;
		return l->next;
	}
	p->state = p->after_stat;
	return l->off;
}

/* ---- trailers ----------------------------------------------------------- */

/*
 * Trailers known by name, in their canonical spelling: the kernel's
 * (Documentation/process/submitting-patches.rst) and b4's lowercase
 * metadata. A block holding one of them may hold some other lines (git's
 * rule for "recognized" trailers, with these as the configured ones).
 */
static const char *const known_trailers[] = {
	"Signed-off-by",
	"Reviewed-by",
	"Acked-by",
	"Tested-by",
	"Reported-by",
	"Suggested-by",
	"Co-developed-by",
	"Fixes",
	"Link",
	"Closes",
	"Cc",
	"BugLink",
	"Message-ID",
	"base-commit",
	"change-id",
	"prerequisite-change-id",
	"prerequisite-patch-id",
	"prerequisite-message-id",
};

static const char *known_trailer(const char *s, size_t n)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(known_trailers); k++)
		if (ascii_eq_ci(s, n, known_trailers[k]))
			return known_trailers[k];
	return NULL;
}

/* Gerrit's Change-Id: "I" and 40 hex digits. */
static bool gerrit_change_id(const char *v, size_t n)
{
	size_t i;

	if (n != 41 || v[0] != 'I')
		return false;
	for (i = 1; i < n; i++)
		if (!ascii_isdigit(v[i]) &&
		    !(ascii_tolower(v[i]) >= 'a' && ascii_tolower(v[i]) <= 'f'))
			return false;
	return true;
}

/* The canonical name of token s[0..n) (patch.h), owned. */
static char *canonical_name(const char *s, size_t n, const char *value,
			    size_t vn)
{
	const char *known = known_trailer(s, n);
	char *name;
	size_t i;

	if (value && ascii_eq_ci(s, n, "change-id") &&
	    gerrit_change_id(value, vn))
		return xstrdup("Change-Id");
	if (known)
		return xstrdup(known);
	name = xmemdup0(s, n);
	for (i = 0; i < n; i++)
		name[i] = (char)(i ? ascii_tolower(name[i])
				   : ascii_toupper(name[i]));
	return name;
}

/* Drop the "<mailto:x>" that HTML mailers put after an address (b4). */
static void drop_mailto(struct buf *v)
{
	char *m, *gt;

	while ((m = memmem(v->data, v->len, "<mailto:", 8)) &&
	       (gt = memchr(m, '>', v->len - (size_t)(m - v->data)))) {
		size_t cut = (size_t)(gt - m) + 1;

		memmove(m, gt + 1, v->len - (size_t)(gt + 1 - v->data));
		buf_truncate(v, v->len - cut);
	}
}

/* Keep a trailer: token s[0..n), value v (the buffer is reset). */
static void emit_trailer(struct parser *p, const char *s, size_t n,
			 struct buf *v)
{
	struct patch *out = p->out;
	struct trailer *t;
	size_t vn;
	const char *vp;

	drop_mailto(v);
	vn = v->len;
	vp = trim(v->data, &vn);
	if (out->nr_trailers >= PATCH_MAX_TRAILERS) {
		note_limit(p, "more trailers than PATCH_MAX_TRAILERS, the rest "
			      "left out");
	} else {
		XGROW(out->trailers, p->trailers_alloc, out->nr_trailers + 1);
		t = &out->trailers[out->nr_trailers++];
		t->name = canonical_name(s, n, vp, vn);
		t->value = xmemdup0(vp, vn);
	}
	buf_reset(v);
}

/* Append p[0..n), trimmed, to the value; false when it grows too long. */
static bool value_add(struct parser *p, struct buf *v, const char *s, size_t n)
{
	s = trim(s, &n);
	if ((v->len && n && buf_try_addch(v, ' ')) || buf_try_add(v, s, n)) {
		note_limit(p, "a trailer longer than PATCH_MAX_TRAILER_BYTES "
			      "left out");
		return false;
	}
	return true;
}

/*
 * git's find_separator(): the ':' after a token of letters, digits and
 * dashes (blanks allowed before the ':'), or NONE.
 */
static size_t separator_at(const char *s, size_t n)
{
	bool blank = false;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == ':')
			return i ? i : NONE;
		if (!blank && (ascii_isalnum(c) || c == '-'))
			continue;
		if (i && (c == ' ' || c == '\t')) {
			blank = true;
			continue;
		}
		break;
	}
	return NONE;
}

/* The token before the separator at sep, without blanks. */
static size_t token_len(const char *s, size_t sep)
{
	while (sep && ascii_isspace(s[sep - 1]))
		sep--;
	return sep;
}

/*
 * git trailer.c's find_trailer_block_start() over body[start, end): the
 * start of the trailer block, or NONE. Read from the end, paragraph by
 * paragraph lines; the start of the body counts as a blank line (the one
 * after the subject in the commit git am builds).
 */
static size_t trailer_block_start(const char *b, size_t start, size_t end)
{
	size_t pos = end, ls, le, n, sep;
	unsigned trailers = 0, others = 0, maybe_cont = 0;
	bool only_blank = true, recognised = false;
	const char *nl, *s;

	for (;;) {
		bool at_start = pos <= start;

		if (!at_start) {
			nl = memrchr(b + start, '\n', pos - start);
			ls = nl ? (size_t)(nl - b) + 1 : start;
			le = pos;
			pos = nl ? (size_t)(nl - b) : start;
			s = b + ls;
			n = le - ls;
			if (n && s[n - 1] == '\r')
				n--;
		}
		if (at_start || is_blank_line(s, n)) {
			if (!at_start && only_blank)
				continue;
			others += maybe_cont;
			if (only_blank)
				return NONE;
			if ((recognised && trailers * 3 >= others) ||
			    (trailers && !others))
				return at_start ? start : le + 1;
			return NONE;
		}
		only_blank = false;
		if (ascii_startswith(s, n, "Signed-off-by: ") ||
		    ascii_startswith(s, n, "(cherry picked from commit ")) {
			trailers++;
			maybe_cont = 0;
			recognised = true;
			continue;
		}
		sep = separator_at(s, n);
		if (sep != NONE && !ascii_isspace(s[0])) {
			trailers++;
			maybe_cont = 0;
			if (!recognised && known_trailer(s, token_len(s, sep)))
				recognised = true;
		} else if (ascii_isspace(s[0])) {
			maybe_cont++;
		} else {
			others += 1 + maybe_cont;
			maybe_cont = 0;
		}
	}
}

/* The trailers of the block body[start, end) (git's parse_trailers()). */
static void block_trailers(struct parser *p, size_t start, size_t end)
{
	struct buf v;
	struct line l, c;
	size_t i = start, sep;
	bool ok;

	buf_init(&v, PATCH_MAX_TRAILER_BYTES);
	while (i < end && line_at(&l, p->body, end, i)) {
		i = l.next;
		if (!l.len || ascii_isspace(l.p[0]))
			continue;
		sep = separator_at(l.p, l.len);
		if (sep == NONE)
			continue;
		/* "https://...": a URL, not a token */
		if (ascii_startswith(l.p + sep + 1, l.len - sep - 1, "//"))
			continue;
		buf_reset(&v);
		ok = value_add(p, &v, l.p + sep + 1, l.len - sep - 1);
		/* Continuation lines start with a blank (RFC 822 folding). */
		while (i < end && line_at(&c, p->body, end, i) && c.len &&
		       ascii_isspace(c.p[0]) && !is_blank_line(c.p, c.len)) {
			if (ok)
				ok = value_add(p, &v, c.p, c.len);
			i = c.next;
		}
		if (ok)
			emit_trailer(p, l.p, token_len(l.p, sep), &v);
	}
	buf_release(&v);
}

/* "\S+@\S+\.\S+" somewhere in s: what b4 takes for an address. */
static bool has_address(const char *s, size_t n)
{
	size_t i, j;

	for (i = 1; i + 1 < n; i++) {
		if (s[i] != '@' || ascii_isspace(s[i - 1]))
			continue;
		for (j = i + 1; j + 1 < n && !ascii_isspace(s[j]); j++)
			if (s[j] == '.' && j > i + 1 &&
			    !ascii_isspace(s[j + 1]))
				return true;
	}
	return false;
}

static bool link_trailer(const char *s, size_t n)
{
	return ascii_eq_ci(s, n, "link") || ascii_eq_ci(s, n, "buglink") ||
	       ascii_eq_ci(s, n, "closes");
}

/*
 * b4's follow-up trailers (find_trailers(followup=True)): any line not
 * quoted with '>', "Token: value", Token a "...-by" person trailer (with
 * an address), or Fixes, or a link trailer. One-line wraps of a long name
 * before its "<address>" are joined, as b4 does.
 */
static void followup_trailers(struct parser *p, size_t end)
{
	struct buf v;
	struct line l, nx;
	size_t i = 0, k, vn, wn;
	const char *s, *vp, *w;
	bool person;

	buf_init(&v, PATCH_MAX_TRAILER_BYTES);
	while (i < end && line_at(&l, p->body, end, i)) {
		i = l.next;
		s = l.p;
		vn = l.len;
		s = trim(s, &vn);
		/* b4: ^\s*(\w\S+):\s+(\S.*) */
		if (vn < 4 || !(ascii_isalnum(s[0]) || s[0] == '_'))
			continue;
		for (k = 1; k < vn && !ascii_isspace(s[k]) && s[k] != ':'; k++)
			;
		if (k < 2 || k + 1 >= vn || s[k] != ':' ||
		    !ascii_isspace(s[k + 1]))
			continue;
		vp = s + k + 1;
		vn -= k + 1;
		vp = trim(vp, &vn);
		if (!vn)
			continue;
		person = k > 3 && ascii_eq_ci(s + k - 3, 3, "-by");
		if (!person && !ascii_eq_ci(s, k, "fixes") &&
		    !link_trailer(s, k))
			continue;
		if (!link_trailer(s, k) && (memmem(vp, vn, "http://", 7) ||
					    memmem(vp, vn, "https://", 8)))
			continue;
		buf_reset(&v);
		if (!value_add(p, &v, vp, vn))
			continue;
		if (person && !has_address(vp, vn)) {
			/* "Signed-off-by: Long Name\n<address>" */
			if (!line_at(&nx, p->body, end, l.next))
				continue;
			wn = nx.len;
			w = trim(nx.p, &wn);
			if (!wn || w[0] != '<' || w[wn - 1] != '>' ||
			    !has_address(w, wn) || !value_add(p, &v, w, wn))
				continue;
			i = nx.next;
		}
		emit_trailer(p, s, k, &v);
	}
	buf_release(&v);
}

/* b4's metadata lines, collected after the message. */
static void meta_trailers(struct parser *p)
{
	struct buf v;
	size_t k, sep;

	buf_init(&v, PATCH_MAX_TRAILER_BYTES);
	for (k = 0; k < p->nr_meta; k++) {
		const char *s = p->body + p->meta[k].off;
		size_t n = p->meta[k].len;

		sep = (size_t)((const char *)memchr(s, ':', n) - s);
		buf_reset(&v);
		if (value_add(p, &v, s + sep + 1, n - sep - 1))
			emit_trailer(p, s, sep, &v);
	}
	buf_release(&v);
}

static void find_trailers(struct parser *p)
{
	struct patch *out = p->out;
	size_t end = out->message_off + out->message_len, start;

	if (!out->has_diff && !p->have_stat) {
		followup_trailers(p, p->scan_end);
		return;
	}
	if (out->message_len) {
		start = trailer_block_start(p->body, out->message_off, end);
		if (start != NONE)
			block_trailers(p, start, end);
	}
	meta_trailers(p);
}

/* ---- paths -------------------------------------------------------------- */

struct pathlist {
	struct parser *p;
	struct strset seen;
};

/* Add path (taken) unless it is there already. */
static void add_path(struct pathlist *pl, char *path)
{
	struct patch *out = pl->p->out;
	size_t n = strlen(path);

	if (strset_find(&pl->seen, path, n)) {
		free(path);
		return;
	}
	if (out->nr_paths >= PATCH_MAX_FILES) {
		note_limit(pl->p, "paths past PATCH_MAX_FILES left out");
		free(path);
		return;
	}
	XGROW(out->paths, pl->p->paths_alloc, out->nr_paths + 1);
	out->paths[out->nr_paths] = path;
	strset_add(&pl->seen, path, n);
	out->nr_paths++;
}

/*
 * pre + mid + post, with git's "a/{ => b}/c" empty side mended: "a//c"
 * becomes "a/c", and "/c" becomes "c" unless the name is a tail (what
 * follows a "..." keeps its slash).
 */
static char *join3(const char *pre, size_t pn, const char *mid, size_t mn,
		   const char *post, size_t tn, bool tail)
{
	struct buf b = BUF_INIT;
	size_t i, o = 0;

	buf_add(&b, pre, pn);
	buf_add(&b, mid, mn);
	buf_add(&b, post, tn);
	for (i = 0; i < b.len; i++) {
		if (b.data[i] == '/' && (o ? b.data[o - 1] == '/' : !tail))
			continue;
		b.data[o++] = b.data[i];
	}
	buf_truncate(&b, o);
	return buf_detach(&b, NULL);
}

/*
 * Does a file of the diff end with tail (what git kept of a long name
 * after "...")? work counts the bytes compared, to bound the search.
 */
static bool diff_has_tail(const struct patch *out, const char *tail, size_t tn,
			  size_t *work)
{
	size_t i, k;

	for (i = 0; i < out->nr_files && *work < (1u << 22); i++) {
		const char *names[2] = {out->files[i].path,
					out->files[i].old_path};

		for (k = 0; k < 2; k++) {
			size_t n = names[k] ? strlen(names[k]) : 0;

			*work += n;
			if (n >= tn && memcmp(names[k] + n - tn, tail, tn) == 0)
				return true;
		}
	}
	return false;
}

/*
 * Add a name read from the diffstat. A tail (what git kept of a long name
 * after its "...") is dropped when a path of the diff ends with it, and
 * else kept with its "...".
 */
static void add_stat_name(struct pathlist *pl, char *name, bool tail,
			  size_t *work)
{
	const struct patch *out = pl->p->out;
	size_t n = strlen(name);
	char *dotted;

	if (!tail) {
		add_path(pl, name);
		return;
	}
	if (out->has_diff && diff_has_tail(out, name, n, work)) {
		free(name);
		return;
	}
	dotted = xasprintf("...%s", name);
	free(name);
	add_path(pl, dotted);
}

/*
 * The names of one diffstat line: one, or two for a rename written
 * "old => new" or "dir/{old => new}/tail" (git's pprint_rename()). A name
 * git shortened to fit starts with "..."; that may have eaten the "{" and
 * even the " => ": what is left of each name is then a tail.
 */
static void stat_names(struct pathlist *pl, const struct span *sp, size_t *work)
{
	struct buf b = BUF_INIT;
	const char *s, *arrow, *lb, *rb, *post;
	size_t n, pn, tn;
	bool cut;

	if (sp->len > PATCH_MAX_PATH_BYTES) {
		note_limit(pl->p, "a path over PATCH_MAX_PATH_BYTES left out");
		return;
	}
	s = pl->p->body + sp->off;
	n = sp->len;
	cut = ascii_startswith(s, n, "...");
	if (cut && n > 4 && s[n - 1] == '"') {
		/* git cut a quoted name: "..." and the rest of the C string */
		struct buf q = BUF_INIT;

		buf_addch(&q, '"');
		buf_add(&q, s + 3, n - 3);
		path_or_raw(&b, q.data, q.len);
		buf_release(&q);
		s = b.data;
		n = b.len;
	} else {
		path_or_raw(&b, s, n);
		s = b.data;
		n = b.len;
		if (cut) {
			s += 3;
			n -= 3;
		}
	}
	arrow = memmem(s, n, " => ", 4);
	rb = memchr(arrow ? arrow : s, '}',
		    n - (size_t)((arrow ? arrow : s) - s));
	lb = memchr(s, '{', (size_t)((arrow ? arrow : s + n) - s));
	post = rb ? rb + 1 : s + n;
	tn = n - (size_t)(post - s);
	if (arrow && lb && rb) {
		pn = (size_t)(lb - s);
		add_stat_name(pl,
			      join3(s, pn, lb + 1, (size_t)(arrow - lb - 1),
				    post, tn, cut),
			      cut, work);
		add_stat_name(pl,
			      join3(s, pn, arrow + 4, (size_t)(rb - arrow - 4),
				    post, tn, cut),
			      cut, work);
	} else if (arrow && rb) {
		/* "...ld => new}/tail": the new name lost its directory */
		add_stat_name(
			pl, join3(s, (size_t)(arrow - s), "", 0, post, tn, cut),
			cut, work);
		add_stat_name(pl,
			      join3(arrow + 4, (size_t)(rb - arrow - 4), "", 0,
				    post, tn, true),
			      true, work);
	} else if (arrow) {
		add_stat_name(pl, xmemdup0(s, (size_t)(arrow - s)), cut, work);
		add_stat_name(pl,
			      xmemdup0(arrow + 4, n - (size_t)(arrow - s) - 4),
			      false, work);
	} else if (rb && cut) {
		/* "...new}/tail": even the arrow was cut */
		add_stat_name(pl,
			      join3(s, (size_t)(rb - s), "", 0, post, tn, true),
			      true, work);
	} else {
		add_stat_name(pl, xmemdup0(s, n), cut, work);
	}
	buf_release(&b);
}

static void find_paths(struct parser *p)
{
	struct pathlist pl;
	struct patch *out = p->out;
	size_t i, work = 0;

	pl.p = p;
	strset_init(&pl.seen);
	for (i = 0; i < out->nr_files; i++) {
		add_path(&pl, xstrdup(out->files[i].path));
		if (out->files[i].old_path)
			add_path(&pl, xstrdup(out->files[i].old_path));
	}
	for (i = 0; i < p->nr_stat; i++)
		stat_names(&pl, &p->stat[i], &work);
	strset_release(&pl.seen);
}

/* ---- the API ------------------------------------------------------------ */

int patch_parse(struct patch *out, const char *body, size_t len)
{
	struct patch init = PATCH_INIT;
	struct parser p;
	struct line l;
	size_t off = 0, i, end;

	*out = init;
	memset(&p, 0, sizeof(p));
	p.body = body;
	p.len = len;
	p.out = out;
	p.state = S_MESSAGE;
	p.sig_candidate = p.scan_end = p.shortlog_start = NONE;
	p.msg_stat_end = NONE;
	p.cur = p.pending_start = NONE;

	while (p.state != S_END && line_at(&l, body, len, off)) {
		switch (p.state) {
		case S_MESSAGE:
			off = in_message(&p, &l);
			break;
		case S_NOTES:
			off = in_notes(&p, &l);
			break;
		case S_STAT:
			off = in_stat(&p, &l);
			break;
		case S_DIFF:
			off = in_diff(&p, &l);
			break;
		case S_HUNK:
			off = in_hunk(&p, &l);
			break;
		case S_BINARY:
			off = in_binary(&p, &l);
			break;
		case S_END:
			break;
		}
	}

	end = p.sig_candidate != NONE ? p.sig_candidate : len;
	if (p.state == S_MESSAGE ||
	    (p.state == S_STAT && p.after_stat == S_MESSAGE))
		end_message(&p, p.msg_stat_end < end ? p.msg_stat_end : end);
	else if (p.state == S_NOTES)
		end_notes(&p, end);
	if (p.scan_end == NONE)
		p.scan_end = end;

	if (out->has_diff && p.diff_end > out->diff_off)
		out->diff_len = p.diff_end - out->diff_off;
	if (!p.have_stat && out->has_diff) {
		out->diffstat.files = (unsigned)out->nr_files;
		for (i = 0; i < out->nr_files; i++) {
			out->diffstat.insertions += out->files[i].insertions;
			out->diffstat.deletions += out->files[i].deletions;
		}
	}
	out->is_pull = p.pull_since && p.pull_repo;
	find_trailers(&p);
	find_paths(&p);

	free(p.run);
	free(p.stat);
	free(p.meta);
	return p.limited ? ERR_LIMIT : 0;
}

void patch_release(struct patch *p)
{
	struct patch init = PATCH_INIT;
	size_t i;

	for (i = 0; i < p->nr_files; i++) {
		free(p->files[i].path);
		free(p->files[i].old_path);
	}
	free(p->files);
	for (i = 0; i < p->nr_paths; i++)
		free(p->paths[i]);
	free(p->paths);
	for (i = 0; i < p->nr_trailers; i++) {
		free(p->trailers[i].name);
		free(p->trailers[i].value);
	}
	free(p->trailers);
	*p = init;
}

const char *patch_trailer(const struct patch *p, const char *name)
{
	char *canon = canonical_name(name, strlen(name), NULL, 0);
	const char *found = NULL;
	size_t i;

	for (i = 0; i < p->nr_trailers && !found; i++)
		if (strcmp(p->trailers[i].name, canon) == 0)
			found = p->trailers[i].value;
	free(canon);
	return found;
}
