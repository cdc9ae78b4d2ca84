/*
 * maintainers.c: see maintainers.h. Parsing follows get_maintainer.pl's
 * read_maintainer_file(), matching its get_maintainers() and
 * file_match_pattern(), the patch reading its main loop; the comments
 * name the Perl each piece stands for.
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounds.h"
#include "err.h"
#include "glob.h"
#include "litscan.h"
#include "log.h"
#include "maintainers.h"
#include "pathindex.h"
#include "perlre.h"
#include "xalloc.h"

/* An F: or X: line. */
struct mpattern {
	struct glob *glob; /* owned */
	uint32_t section;
	uint32_t entry; /* index into m->entries */
	bool exclude;
};

/* An N: line. */
struct mregex {
	regex_t re;
	uint32_t section, entry;
};

/* A K: line. */
struct mkeyword {
	regex_t whole; /* before the first file line */
	regex_t first; /* its first alternative, after "^[+-].*" */
	regex_t rest;  /* the other alternatives, unanchored */
	bool has_rest;
	uint32_t section, entry;
	char tvi[24]; /* get_maintainer.pl's @typevalue index, in decimal */
};

struct maintainers {
	char *text; /* owned copy; lines NUL-terminated in place */
	struct maintainers_section *sections; /* owned */
	size_t nr_sections, alloc_sections;
	struct maintainers_entry *entries; /* owned; sections point in */
	size_t nr_entries, alloc_entries;
	char **values; /* owned: F:/X: values that got a '/' */
	size_t nr_values, alloc_values;

	struct mpattern *pats;
	size_t nr_pats, alloc_pats, nr_excludes;
	struct pathindex *index;

	struct mregex *nre;
	size_t nr_nre, alloc_nre;
	struct litscan *nscan;
	uint32_t *n_always; /* N: without a usable literal */
	size_t nr_n_always, alloc_n_always;

	struct mkeyword *kw;
	size_t nr_kw, alloc_kw;
	struct litscan *kscan;
	uint32_t *k_always;
	size_t nr_k_always, alloc_k_always;

	uint32_t *names; /* open addressing: section index + 1; 0 empty */
	size_t nr_names;
};

/* Perl's \s. */
static bool is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static void report(struct buf *errors, unsigned lineno, const char *what,
		   const struct buf *why)
{
	if (errors)
		buf_addf(errors, "MAINTAINERS:%u: %s: %s\n", lineno, what,
			 why->len ? why->data : "unusable");
}

/* Case-folded, trailing-blank-blind hash and comparison of names. */
static size_t name_len(const char *s)
{
	size_t n = strlen(s);

	while (n && is_space((unsigned char)s[n - 1]))
		n--;
	return n;
}

static uint64_t name_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t k = 0; k < n; k++) {
		h ^= (unsigned char)tolower((unsigned char)s[k]);
		h *= 0x100000001b3ull;
	}
	return h;
}

static bool name_eq(const char *a, size_t na, const char *b, size_t nb)
{
	return na == nb && strncasecmp(a, b, na) == 0;
}

static void build_names(struct maintainers *m)
{
	size_t n = 16;

	while (n < m->nr_sections * 2)
		n *= 2;
	m->nr_names = n;
	m->names = xcalloc(n, sizeof(*m->names));
	for (size_t i = 0; i < m->nr_sections; i++) {
		const char *name = m->sections[i].name;
		size_t len = name_len(name), k;

		for (k = name_hash(name, len) & (n - 1); m->names[k];
		     k = (k + 1) & (n - 1)) {
			const char *o = m->sections[m->names[k] - 1].name;

			if (name_eq(o, name_len(o), name, len))
				break; /* a duplicate name: the first wins */
		}
		if (!m->names[k])
			m->names[k] = (uint32_t)i + 1;
	}
}

int maintainers_find(size_t *out, const struct maintainers *m, const char *name)
{
	size_t len = name_len(name), n = m->nr_names;

	for (size_t k = name_hash(name, len) & (n - 1); m->names[k];
	     k = (k + 1) & (n - 1)) {
		const char *o = m->sections[m->names[k] - 1].name;

		if (name_eq(o, name_len(o), name, len)) {
			*out = m->names[k] - 1;
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

static void add_pattern(struct maintainers *m, struct maintainers_entry *e,
			uint32_t section, struct buf *errors)
{
	const char *value = e->value;
	size_t len = strlen(value);
	struct buf why = BUF_INIT;
	struct mpattern *p;
	struct glob *g;

	if (glob_compile(&g, value, len, 0, &why) < 0) {
		report(errors, e->lineno, "pattern left out", &why);
		buf_release(&why);
		return;
	}
	XGROW(m->pats, m->alloc_pats, m->nr_pats + 1);
	p = &m->pats[m->nr_pats++];
	p->glob = g;
	p->section = section;
	p->entry = (uint32_t)(e - m->entries);
	p->exclude = e->type == 'X';
	m->nr_excludes += p->exclude;
}

/* Compile ere for regexec(); reports and returns false on failure. */
static bool compile(regex_t *re, const char *ere, bool icase, unsigned lineno,
		    struct buf *errors)
{
	int rc = regcomp(re, ere,
			 REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));

	if (rc) {
		struct buf why = BUF_INIT;
		char msg[128];

		regerror(rc, re, msg, sizeof(msg));
		buf_addf(&why, "regcomp: %s", msg);
		report(errors, lineno, "regex left out", &why);
		buf_release(&why);
		return false;
	}
	return true;
}

/* Literals of a regex go to scan, or the regex to the always list. */
static void file_literals(struct litscan **scan, uint32_t **always,
			  size_t *nr_always, size_t *alloc_always,
			  const struct perlre *pr, uint32_t id)
{
	bool usable = pr->nr_lits > 0;

	for (size_t k = 0; k < pr->nr_lits; k++) {
		if (pr->lits[k].len < 2)
			usable = false;
	}
	if (!usable) {
		XGROW(*always, *alloc_always, *nr_always + 1);
		(*always)[(*nr_always)++] = id;
		return;
	}
	if (!*scan)
		*scan = litscan_new();
	for (size_t k = 0; k < pr->nr_lits; k++)
		litscan_add(*scan, pr->lits[k].s, pr->lits[k].len,
			    pr->lits[k].icase, id);
}

static void add_regex(struct maintainers *m, struct maintainers_entry *e,
		      uint32_t section, struct buf *errors)
{
	struct perlre pr = PERLRE_INIT;
	struct buf why = BUF_INIT;
	struct mregex *r;

	/* get_maintainer.pl: $file =~ m/$value/x */
	if (perlre_translate(&pr, e->value, strlen(e->value), PERLRE_X, &why) <
	    0) {
		report(errors, e->lineno, "regex left out", &why);
		goto out;
	}
	XGROW(m->nre, m->alloc_nre, m->nr_nre + 1);
	r = &m->nre[m->nr_nre];
	if (!compile(&r->re, pr.ere, pr.icase, e->lineno, errors))
		goto out;
	r->section = section;
	r->entry = (uint32_t)(e - m->entries);
	file_literals(&m->nscan, &m->n_always, &m->nr_n_always,
		      &m->alloc_n_always, &pr, (uint32_t)m->nr_nre);
	m->nr_nre++;
out:
	buf_release(&why);
	perlre_release(&pr);
}

static void add_keyword(struct maintainers *m, struct maintainers_entry *e,
			uint32_t section, size_t tvi, struct buf *errors)
{
	struct perlre pr = PERLRE_INIT;
	struct buf why = BUF_INIT, rest = BUF_INIT;
	struct mkeyword *k;

	/* get_maintainer.pl: $line =~ m/${patch_prefix}$value/x */
	if (perlre_translate(&pr, e->value, strlen(e->value), PERLRE_X, &why) <
	    0) {
		report(errors, e->lineno, "keyword left out", &why);
		goto out;
	}
	XGROW(m->kw, m->alloc_kw, m->nr_kw + 1);
	k = &m->kw[m->nr_kw];
	memset(k, 0, sizeof(*k));
	if (!compile(&k->whole, pr.ere, pr.icase, e->lineno, errors))
		goto out;
	if (!compile(&k->first, pr.alts[0], pr.icase, e->lineno, errors)) {
		regfree(&k->whole);
		goto out;
	}
	for (size_t a = 1; a < pr.nr_alts; a++) {
		if (a > 1)
			buf_addch(&rest, '|');
		buf_adds(&rest, pr.alts[a]);
	}
	if (pr.nr_alts > 1) {
		if (!compile(&k->rest, rest.data, pr.icase, e->lineno,
			     errors)) {
			regfree(&k->whole);
			regfree(&k->first);
			goto out;
		}
		k->has_rest = true;
	}
	k->section = section;
	k->entry = (uint32_t)(e - m->entries);
	snprintf(k->tvi, sizeof(k->tvi), "%zu", tvi);
	file_literals(&m->kscan, &m->k_always, &m->nr_k_always,
		      &m->alloc_k_always, &pr, (uint32_t)m->nr_kw);
	m->nr_kw++;
out:
	buf_release(&rest);
	buf_release(&why);
	perlre_release(&pr);
}

/*
 * get_maintainer.pl: if (-d $value) add a '/'. Its $value has already been
 * turned into a regex there, so only a value without '.', '*' and '?' can
 * name a directory.
 */
static void maybe_directory(struct maintainers *m, struct maintainers_entry *e,
			    const struct maintainers_options *opts)
{
	size_t len = strlen(e->value);

	if (!opts || !opts->is_dir || !len || e->value[len - 1] == '/' ||
	    strpbrk(e->value, ".*?"))
		return;
	if (!opts->is_dir(e->value, opts->payload))
		return;
	XGROW(m->values, m->alloc_values, m->nr_values + 1);
	m->values[m->nr_values] = xasprintf("%s/", e->value);
	e->value = m->values[m->nr_values++];
}

static void maintainers_index(struct maintainers *m, struct buf *errors,
			      const size_t *tvis)
{
	m->index = pathindex_new();
	for (size_t i = 0; i < m->nr_sections; i++) {
		struct maintainers_section *s = &m->sections[i];

		for (size_t k = 0; k < s->nr_entries; k++) {
			struct maintainers_entry *e =
				(struct maintainers_entry *)&s->entries[k];

			switch (e->type) {
			case 'F':
			case 'X':
				add_pattern(m, e, (uint32_t)i, errors);
				break;
			case 'N':
				add_regex(m, e, (uint32_t)i, errors);
				break;
			case 'K':
				add_keyword(m, e, (uint32_t)i,
					    tvis[e - m->entries], errors);
				break;
			case 'S':
				s->status = e->value; /* the last one wins */
				break;
			default:
				break;
			}
		}
	}
	for (size_t k = 0; k < m->nr_pats; k++)
		pathindex_add(m->index, m->pats[k].glob, (uint32_t)k);
	build_names(m);
}

int maintainers_parse(struct maintainers **out, const char *text, size_t len,
		      const struct maintainers_options *opts,
		      struct buf *errors)
{
	struct maintainers *m;
	size_t *tvis = NULL, alloc_tvis = 0, tvi = 0;
	size_t *first = NULL, alloc_first = 0; /* per section: entry index */
	const char *name = NULL;	       /* last name line seen */
	unsigned name_lineno = 0, lineno = 0;
	bool in_section = false;
	char *p, *end;

	*out = NULL;
	if (len > MAINTAINERS_MAX_BYTES)
		return errorf(ERR_LIMIT, "maintainers: %zu bytes, more than %u",
			      len, (unsigned)MAINTAINERS_MAX_BYTES);
	m = xcalloc(1, sizeof(*m));
	m->text = xmemdup0(text, len);
	for (p = m->text, end = m->text + len; p < end; p = p + strlen(p) + 1) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *q;

		if (nl)
			*nl = '\0';
		if (++lineno > MAINTAINERS_MAX_LINES) {
			maintainers_free(m);
			free(tvis);
			free(first);
			return errorf(ERR_LIMIT,
				      "maintainers: more than %u lines",
				      (unsigned)MAINTAINERS_MAX_LINES);
		}
		/* m/^([A-Z]):\s*(.*)/ */
		if (p[0] >= 'A' && p[0] <= 'Z' && p[1] == ':') {
			struct maintainers_entry *e;

			if (!name) {
				if (errors)
					buf_addf(errors,
						 "MAINTAINERS:%u: entry before "
						 "any section name\n",
						 lineno);
				tvi++;
				continue;
			}
			if (!in_section) {
				struct maintainers_section *s;

				XGROW(m->sections, m->alloc_sections,
				      m->nr_sections + 1);
				XGROW(first, alloc_first, m->nr_sections + 1);
				s = &m->sections[m->nr_sections];
				memset(s, 0, sizeof(*s));
				s->name = name;
				s->lineno = name_lineno;
				first[m->nr_sections++] = m->nr_entries;
				in_section = true;
			}
			for (q = p + 2; *q && is_space((unsigned char)*q); q++)
				;
			XGROW(m->entries, m->alloc_entries, m->nr_entries + 1);
			XGROW(tvis, alloc_tvis, m->nr_entries + 1);
			e = &m->entries[m->nr_entries];
			e->type = p[0];
			e->value = q;
			e->lineno = lineno;
			tvis[m->nr_entries++] = tvi++;
			m->sections[m->nr_sections - 1].nr_entries++;
			continue;
		}
		/* !(/^\s*$/ || /^\s*\#/): blank and comment lines vanish */
		for (q = p; *q && is_space((unsigned char)*q); q++)
			;
		if (!*q || *q == '#')
			continue;
		name = p;
		name_lineno = lineno;
		in_section = false;
		tvi++;
	}
	if (!m->nr_sections) {
		maintainers_free(m);
		free(tvis);
		free(first);
		return errorf(ERR_PERM, "maintainers: no section found");
	}
	for (size_t i = 0; i < m->nr_sections; i++)
		m->sections[i].entries = m->entries + first[i];
	for (size_t k = 0; k < m->nr_entries; k++) {
		if (m->entries[k].type == 'F' || m->entries[k].type == 'X')
			maybe_directory(m, &m->entries[k], opts);
	}
	maintainers_index(m, errors, tvis);
	free(tvis);
	free(first);
	*out = m;
	return 0;
}

void maintainers_free(struct maintainers *m)
{
	if (!m)
		return;
	pathindex_free(m->index);
	for (size_t k = 0; k < m->nr_pats; k++)
		glob_free(m->pats[k].glob);
	free(m->pats);
	for (size_t k = 0; k < m->nr_nre; k++)
		regfree(&m->nre[k].re);
	free(m->nre);
	litscan_free(m->nscan);
	free(m->n_always);
	for (size_t k = 0; k < m->nr_kw; k++) {
		regfree(&m->kw[k].whole);
		regfree(&m->kw[k].first);
		if (m->kw[k].has_rest)
			regfree(&m->kw[k].rest);
	}
	free(m->kw);
	litscan_free(m->kscan);
	free(m->k_always);
	for (size_t k = 0; k < m->nr_values; k++)
		free(m->values[k]);
	free(m->values);
	free(m->names);
	free(m->sections);
	free(m->entries);
	free(m->text);
	free(m);
}

size_t maintainers_count(const struct maintainers *m)
{
	return m->nr_sections;
}

const struct maintainers_section *
maintainers_section(const struct maintainers *m, size_t i)
{
	if (i >= m->nr_sections)
		BUG("maintainers: section %zu of %zu", i, m->nr_sections);
	return &m->sections[i];
}

const char *maintainers_section_value(const struct maintainers_section *s,
				      char type)
{
	for (size_t k = 0; k < s->nr_entries; k++) {
		if (s->entries[k].type == type)
			return s->entries[k].value;
	}
	return NULL;
}

void maintainers_stats(struct maintainers_stats *out,
		       const struct maintainers *m)
{
	memset(out, 0, sizeof(*out));
	out->sections = m->nr_sections;
	out->patterns = m->nr_pats - m->nr_excludes;
	out->excludes = m->nr_excludes;
	out->regexes = m->nr_nre;
	out->keywords = m->nr_kw;
	out->buckets = pathindex_buckets(m->index);
	out->regexes_always = m->nr_n_always;
	out->keywords_always = m->nr_k_always;
}

/* --- suggestions ---------------------------------------------------------- */

/* Levenshtein distance ignoring ASCII case, or limit + 1 once above it. */
static size_t edit_distance(const char *a, size_t na, const char *b, size_t nb,
			    size_t limit)
{
	size_t *row, best, d;

	if ((na > nb ? na - nb : nb - na) > limit)
		return limit + 1;
	row = xmalloc((nb + 1) * sizeof(*row));
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];

		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j], cost;

			cost = tolower((unsigned char)a[i - 1]) !=
			       tolower((unsigned char)b[j - 1]);
			d = diag + cost;
			if (up + 1 < d)
				d = up + 1;
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			row[j] = d;
			diag = up;
			if (d < best)
				best = d;
		}
		if (best > limit) {
			free(row);
			return limit + 1;
		}
	}
	d = row[nb];
	free(row);
	return d;
}

static bool contains_nocase(const char *hay, size_t nh, const char *needle,
			    size_t nn)
{
	for (size_t i = 0; nn && i + nn <= nh; i++) {
		if (strncasecmp(hay + i, needle, nn) == 0)
			return true;
	}
	return false;
}

struct suggestion {
	size_t section, score;
};

static int cmp_suggestion(const void *a, const void *b)
{
	const struct suggestion *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return x->section < y->section ? -1 : x->section > y->section;
}

size_t maintainers_suggest(size_t *out, size_t max, const struct maintainers *m,
			   const char *name)
{
	size_t len = name_len(name), limit = len / 4 < 2 ? 2 : len / 4, n = 0;
	struct suggestion *v = xcalloc(m->nr_sections, sizeof(*v));

	for (size_t i = 0; i < m->nr_sections; i++) {
		const char *s = m->sections[i].name;
		size_t sl = name_len(s),
		       d = edit_distance(name, len, s, sl, limit);

		if (d <= limit) {
			v[n].section = i;
			v[n++].score = d;
		} else if (len >= 3 && contains_nocase(s, sl, name, len)) {
			/* After every near miss; shorter names first. */
			v[n].section = i;
			v[n++].score = limit + 1 + sl;
		}
	}
	qsort(v, n, sizeof(*v), cmp_suggestion);
	if (n > max)
		n = max;
	for (size_t k = 0; k < n; k++)
		out[k] = v[k].section;
	free(v);
	return n;
}

/* --- reading a patch as get_maintainer.pl does ---------------------------- */

enum line_kind {
	LINE_TEXT,   /* searched for keywords */
	LINE_FILES,  /* names files; searched for nothing */
	LINE_HEADER, /* "--- x" or "+++ x": also starts the diff part */
	LINE_OTHER,  /* Fixes: <sha>, @@ -a,b: searched for nothing */
};

struct line_names {
	const char *name[2];
	size_t len[2];
	size_t nr;
};

static size_t span_nonspace(const char *p, size_t n)
{
	size_t k = 0;

	while (k < n && !is_space((unsigned char)p[k]))
		k++;
	return k;
}

static size_t span_space(const char *p, size_t n)
{
	size_t k = 0;

	while (k < n && is_space((unsigned char)p[k]))
		k++;
	return k;
}

static bool starts(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	return n >= k && memcmp(p, lit, k) == 0;
}

/* (\S+)\s*$ at p: the name, when only whitespace follows it. */
static bool name_then_end(const char *p, size_t n, struct line_names *out)
{
	size_t k = span_nonspace(p, n);

	if (!k || k + span_space(p + k, n - k) != n)
		return false;
	out->name[out->nr] = p;
	out->len[out->nr++] = k;
	return true;
}

/* [0-7]+ at *p, advancing. */
static bool octal(const char **p, size_t *n)
{
	size_t k = 0;

	while (k < *n && (*p)[k] >= '0' && (*p)[k] <= '7')
		k++;
	*p += k;
	*n -= k;
	return k > 0;
}

/*
 * Which of get_maintainer.pl's branches a line (without its '\n') takes,
 * in its order, and the names it pushes onto @files.
 */
static enum line_kind classify(const char *p, size_t n,
			       struct line_names *names)
{
	names->nr = 0;
	/* m/^ mode change [0-7]+ => [0-7]+ (\S+)\s*$/ */
	if (starts(p, n, " mode change ")) {
		const char *q = p + 13;
		size_t r = n - 13;

		if (octal(&q, &r) && starts(q, r, " => ")) {
			q += 4;
			r -= 4;
			if (octal(&q, &r) && r && *q == ' ' &&
			    name_then_end(q + 1, r - 1, names))
				return LINE_FILES;
		}
		names->nr = 0;
	}
	/* m/^rename (?:from|to) (\S+)\s*$/ */
	if (starts(p, n, "rename from ") &&
	    name_then_end(p + 12, n - 12, names))
		return LINE_FILES;
	if (starts(p, n, "rename to ") && name_then_end(p + 10, n - 10, names))
		return LINE_FILES;
	/* m/^diff --git a\/(\S+) b\/(\S+)\s*$/ */
	if (starts(p, n, "diff --git a/")) {
		const char *q = p + 13;
		size_t r = n - 13, k = span_nonspace(q, r);

		if (k && starts(q + k, r - k, " b/")) {
			names->name[0] = q;
			names->len[0] = k;
			names->nr = 1;
			if (name_then_end(q + k + 3, r - k - 3, names))
				return LINE_FILES;
		}
		names->nr = 0;
	}
	/* m/^Fixes:\s+([0-9a-fA-F]{6,40})/ */
	if (starts(p, n, "Fixes:")) {
		size_t k = 6 + span_space(p + 6, n - 6), h = 0;

		while (k + h < n && isxdigit((unsigned char)p[k + h]))
			h++;
		if (k > 6 && h >= 6)
			return LINE_OTHER;
	}
	/* m/^\+\+\+\s+(\S+)/ or m/^---\s+(\S+)/, then s@^[^/]*\/@@ */
	if (starts(p, n, "+++") || starts(p, n, "---")) {
		size_t k = span_space(p + 3, n - 3), f;

		if (k) {
			const char *q = p + 3 + k, *slash;

			f = span_nonspace(q, n - 3 - k);
			if (f) {
				slash = memchr(q, '/', f);
				if (slash) {
					f -= (size_t)(slash + 1 - q);
					q = slash + 1;
				}
				names->name[0] = q;
				names->len[0] = f;
				names->nr = 1;
				return LINE_HEADER;
			}
		}
	}
	/* m/^\@\@ -(\d+),(\d+)/ */
	if (starts(p, n, "@@ -")) {
		size_t k = 4, d = 0;

		while (k < n && isdigit((unsigned char)p[k]))
			k++, d++;
		if (d && k < n && p[k] == ',' && k + 1 < n &&
		    isdigit((unsigned char)p[k + 1]))
			return LINE_OTHER;
	}
	return LINE_TEXT;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sort (bytewise, as Perl's sort) and drop repeats, in place. */
static size_t sort_unique(const char **v, size_t n)
{
	size_t w = 0;

	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t k = 0; k < n; k++) {
		if (w && strcmp(v[w - 1], v[k]) == 0)
			continue;
		v[w++] = v[k];
	}
	return w;
}

int maintainers_patch_paths(char ***out, size_t *nr_out, const char *patch,
			    size_t len)
{
	char **v = NULL;
	size_t nr = 0, alloc = 0, w = 0;
	const char *p = patch, *end = patch + len;

	*out = NULL;
	*nr_out = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct line_names names;

		classify(p, n, &names);
		for (size_t k = 0; k < names.nr; k++) {
			if (nr >= PATCH_MAX_FILES) {
				for (size_t j = 0; j < nr; j++)
					free(v[j]);
				free(v);
				return errorf(ERR_LIMIT,
					      "maintainers: patch names more "
					      "than %u paths",
					      (unsigned)PATCH_MAX_FILES);
			}
			XGROW(v, alloc, nr + 1);
			v[nr++] = xmemdup0(names.name[k], names.len[k]);
		}
		p += n + 1;
	}
	if (nr) {
		qsort(v, nr, sizeof(*v), cmp_str);
		for (size_t k = 0; k < nr; k++) {
			if (w && strcmp(v[w - 1], v[k]) == 0) {
				free(v[k]);
				continue;
			}
			v[w++] = v[k];
		}
	}
	*out = v;
	*nr_out = w;
	return 0;
}

/* --- matching ------------------------------------------------------------- */

/* One line's hit on one path, before ranking. */
struct fhit {
	uint32_t section, entry;
	int depth;
	bool exclude;
};

struct fhits {
	struct fhit *v;
	size_t nr, alloc;
	const struct maintainers *m;
};

/* A hit for the result, before grouping by match. */
struct rhit {
	size_t match;
	struct maintainers_hit hit;
};

struct matcher {
	const struct maintainers *m;
	struct maintainers_result *r;
	struct fhits fh;
	struct rhit *rh;
	size_t nr_rh, alloc_rh;
	unsigned char *hit; /* scratch for litscan, per regex/keyword */
	uint32_t *ids;
};

static void on_pattern(uint32_t id, const struct glob *g, void *payload)
{
	struct fhits *fh = payload;
	const struct mpattern *p = &fh->m->pats[id];

	XGROW(fh->v, fh->alloc, fh->nr + 1);
	fh->v[fh->nr].section = p->section;
	fh->v[fh->nr].entry = p->entry;
	fh->v[fh->nr].depth = glob_depth(g);
	fh->v[fh->nr].exclude = p->exclude;
	fh->nr++;
}

static int cmp_fhit(const void *a, const void *b)
{
	const struct fhit *x = a, *y = b;

	if (x->section != y->section)
		return x->section < y->section ? -1 : 1;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* Rank: depth, higher first; ties in MAINTAINERS order. */
static int cmp_rank(const void *a, const void *b)
{
	const struct fhit *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth > y->depth ? -1 : 1;
	return x->section < y->section ? -1 : x->section > y->section;
}

static void add_rhit(struct matcher *mt, size_t match, const char *path,
		     uint32_t entry)
{
	XGROW(mt->rh, mt->alloc_rh, mt->nr_rh + 1);
	mt->rh[mt->nr_rh].match = match;
	mt->rh[mt->nr_rh].hit.path = path;
	mt->rh[mt->nr_rh].hit.entry = &mt->m->entries[entry];
	mt->nr_rh++;
}

/* List section (if not yet) and return its position in the result. */
static size_t place(struct matcher *mt, uint32_t section, int depth)
{
	struct maintainers_result *r = mt->r;
	struct maintainers_match *x;

	if (r->in[section >> 3] & (1u << (section & 7))) {
		for (size_t k = 0; k < r->nr; k++) {
			if (r->v[k].section == section)
				return k;
		}
		BUG("maintainers: section %u listed but not found", section);
	}
	XGROW(r->v, r->alloc_v, r->nr + 1);
	x = &r->v[r->nr];
	memset(x, 0, sizeof(*x));
	x->section = section;
	x->depth = depth;
	r->in[section >> 3] |= (unsigned char)(1u << (section & 7));
	return r->nr++;
}

/* get_maintainers()'s loop body for one file. */
static void match_path(struct matcher *mt, const char *path)
{
	const struct maintainers *m = mt->m;
	struct fhits *fh = &mt->fh;
	size_t len = strlen(path), n, w = 0;

	fh->nr = 0;
	pathindex_query(m->index, path, len, on_pattern, fh, NULL);

	/* N: lines, the pre-filtered ones and those it cannot filter */
	n = m->nscan ? litscan_scan(m->nscan, path, len, mt->hit, mt->ids) : 0;
	for (size_t k = 0; k < n + m->nr_n_always; k++) {
		uint32_t id = k < n ? mt->ids[k] : m->n_always[k - n];
		const struct mregex *re = &m->nre[id];

		if (k < n)
			mt->hit[id] = 0;
		if (regexec(&re->re, path, 0, NULL, 0) != 0)
			continue;
		XGROW(fh->v, fh->alloc, fh->nr + 1);
		fh->v[fh->nr].section = re->section;
		fh->v[fh->nr].entry = re->entry;
		fh->v[fh->nr].depth = 0; /* $hash{$tvi} = 0 */
		fh->v[fh->nr].exclude = false;
		fh->nr++;
	}

	/*
	 * Per section: any X: hit excludes it; otherwise the last F:/N: hit
	 * in file order sets its depth ($hash{$tvi} is simply overwritten).
	 */
	qsort(fh->v, fh->nr, sizeof(*fh->v), cmp_fhit);
	for (size_t k = 0; k < fh->nr;) {
		size_t j = k;
		bool excluded = false;
		const struct fhit *last = NULL;

		for (; j < fh->nr && fh->v[j].section == fh->v[k].section;
		     j++) {
			if (fh->v[j].exclude)
				excluded = true;
			else
				last = &fh->v[j];
		}
		if (!excluded && last)
			fh->v[w++] = *last;
		k = j;
	}
	qsort(fh->v, w, sizeof(*fh->v), cmp_rank);
	for (size_t k = 0; k < w; k++) {
		size_t at = place(mt, fh->v[k].section, fh->v[k].depth);

		add_rhit(mt, at, path, fh->v[k].entry);
	}
}

static int cmp_kw(const void *a, const void *b)
{
	const struct mkeyword *x = *(const struct mkeyword *const *)a;
	const struct mkeyword *y = *(const struct mkeyword *const *)b;

	/* Perl's sort_and_uniq(@keyword_tvi): the indices as strings. */
	return strcmp(x->tvi, y->tvi);
}

/* Does keyword k match line (NUL-terminated, len bytes)? */
static bool keyword_matches(const struct mkeyword *k, const char *line,
			    size_t len, bool in_diff)
{
	if (!in_diff)
		return regexec(&k->whole, line, 0, NULL, 0) == 0;
	/* m/^[+-].*(first)|(rest)/: the prefix binds the first branch only */
	if (len && (line[0] == '+' || line[0] == '-') &&
	    regexec(&k->first, line + 1, 0, NULL, REG_NOTBOL) == 0)
		return true;
	return k->has_rest && regexec(&k->rest, line, 0, NULL, 0) == 0;
}

static void match_keywords(struct matcher *mt, const char *patch, size_t len)
{
	const struct maintainers *m = mt->m;
	const char *p = patch, *end = patch + len;
	unsigned char *matched = xcalloc(m->nr_kw ? m->nr_kw : 1, 1);
	const struct mkeyword **list;
	struct buf line = BUF_INIT;
	size_t nr_matched = 0;
	bool in_diff = false;

	while (p < end && nr_matched < m->nr_kw) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), c;
		struct line_names names;
		enum line_kind kind = classify(p, n, &names);

		if (kind == LINE_HEADER)
			in_diff = true; /* $patch_prefix = "^[+-].*" */
		if (kind != LINE_TEXT) {
			p += n + 1;
			continue;
		}
		c = m->kscan ? litscan_scan(m->kscan, p, n, mt->hit, mt->ids)
			     : 0;
		if (c || m->nr_k_always) {
			buf_reset(&line);
			buf_add(&line, p, n);
		}
		for (size_t k = 0; k < c + m->nr_k_always; k++) {
			uint32_t id = k < c ? mt->ids[k] : m->k_always[k - c];

			if (k < c)
				mt->hit[id] = 0;
			if (matched[id] ||
			    !keyword_matches(&m->kw[id], line.data, line.len,
					     in_diff))
				continue;
			matched[id] = 1;
			nr_matched++;
		}
		p += n + 1;
	}
	buf_release(&line);

	list = xcalloc(nr_matched ? nr_matched : 1, sizeof(*list));
	for (size_t k = 0, j = 0; k < m->nr_kw; k++) {
		if (matched[k])
			list[j++] = &m->kw[k];
	}
	qsort(list, nr_matched, sizeof(*list), cmp_kw);
	for (size_t k = 0; k < nr_matched; k++) {
		size_t at =
			place(mt, list[k]->section, MAINTAINERS_DEPTH_KEYWORD);

		add_rhit(mt, at, NULL, list[k]->entry);
	}
	free(list);
	free(matched);
}

int maintainers_match_files(struct maintainers_result *out,
			    const struct maintainers *m,
			    const char *const *paths, size_t nr_paths,
			    const char *patch, size_t patch_len)
{
	struct matcher mt;
	size_t scratch = m->nr_nre > m->nr_kw ? m->nr_nre : m->nr_kw;
	const char **sorted;
	size_t n;

	memset(out, 0, sizeof(*out));
	memset(&mt, 0, sizeof(mt));
	mt.m = m;
	mt.r = out;
	mt.fh.m = m;
	out->in = xcalloc(m->nr_sections / 8 + 1, 1);
	mt.hit = xcalloc(scratch + 1, 1);
	mt.ids = xcalloc(scratch + 1, sizeof(*mt.ids));

	/* @files = sort_and_uniq(@files) */
	sorted = xcalloc(nr_paths + 1, sizeof(*sorted));
	if (nr_paths) /* paths may be NULL then: K: lines only */
		memcpy(sorted, paths, nr_paths * sizeof(*sorted));
	n = sort_unique(sorted, nr_paths);
	for (size_t k = 0; k < n; k++)
		match_path(&mt, sorted[k]);
	free(sorted);

	if (patch && m->nr_kw)
		match_keywords(&mt, patch, patch_len);

	/* Group the hits by match, keeping their order (a counting sort). */
	out->hits = xcalloc(mt.nr_rh + 1, sizeof(*out->hits));
	out->nr_hits = mt.nr_rh;
	for (size_t k = 0; k < mt.nr_rh; k++)
		out->v[mt.rh[k].match].nr_hits++;
	n = 0;
	for (size_t k = 0; k < out->nr; k++) {
		out->v[k].hits = &out->hits[n];
		n += out->v[k].nr_hits;
		out->v[k].nr_hits = 0;
	}
	for (size_t k = 0; k < mt.nr_rh; k++) {
		struct maintainers_match *x = &out->v[mt.rh[k].match];

		x->hits[x->nr_hits++] = mt.rh[k].hit;
	}
	free(mt.rh);
	free(mt.fh.v);
	free(mt.hit);
	free(mt.ids);
	return 0;
}

int maintainers_match_patch(struct maintainers_result *out,
			    const struct maintainers *m, const char *patch,
			    size_t len)
{
	char **paths;
	size_t nr;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = maintainers_patch_paths(&paths, &nr, patch, len);
	if (rc)
		return rc;
	rc = maintainers_match_files(out, m, (const char *const *)paths, nr,
				     patch, len);
	out->paths = paths;
	out->nr_paths = nr;
	return rc;
}

bool maintainers_result_has(const struct maintainers_result *r, size_t i)
{
	return r->in && (r->in[i >> 3] & (1u << (i & 7)));
}

void maintainers_result_release(struct maintainers_result *r)
{
	free(r->v);
	free(r->hits);
	free(r->in);
	for (size_t k = 0; k < r->nr_paths; k++)
		free(r->paths[k]);
	free(r->paths);
	memset(r, 0, sizeof(*r));
}
