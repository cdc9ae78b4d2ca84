/*
 * perlre.c: see perlre.h. A recursive-descent parser over the Perl subset
 * that writes the ERE as it goes and, for each sequence, keeps the best set
 * of literals a match cannot avoid (the longest run of plain characters,
 * or a group's set; an alternation needs a set from every branch).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "err.h"
#include "perlre.h"
#include "xalloc.h"

struct litset {
	struct perlre_lit *v; /* owned */
	size_t nr, alloc;
	bool known; /* false: no literal is required that we know of */
};

struct parser {
	const char *p;
	size_t len, i;
	bool x;
	struct buf *err;
	int depth;
};

/* A character set, built from a Perl class or escape. */
struct cset {
	uint8_t bits[32];
	bool negate;
};

static void litset_release(struct litset *s)
{
	for (size_t k = 0; k < s->nr; k++)
		free(s->v[k].s);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void litset_add(struct litset *s, const char *p, size_t n, bool icase)
{
	struct perlre_lit *l;

	XGROW(s->v, s->alloc, s->nr + 1);
	l = &s->v[s->nr++];
	l->s = xmemdup0(p, n);
	l->len = n;
	l->icase = icase;
	if (icase) {
		for (size_t k = 0; k < n; k++)
			l->s[k] = (char)tolower((unsigned char)l->s[k]);
	}
	s->known = true;
}

/* How good a set is as a filter: its shortest literal. */
static size_t litset_score(const struct litset *s)
{
	size_t min = SIZE_MAX;

	if (!s->known || s->nr == 0)
		return 0;
	for (size_t k = 0; k < s->nr; k++) {
		if (s->v[k].len < min)
			min = s->v[k].len;
	}
	return min;
}

/* Keep the better of *best and *cand; cand is consumed. */
static void litset_consider(struct litset *best, struct litset *cand)
{
	if (litset_score(cand) > litset_score(best)) {
		litset_release(best);
		*best = *cand;
		memset(cand, 0, sizeof(*cand));
	} else {
		litset_release(cand);
	}
}

static int fail(struct parser *ps, const char *why)
{
	if (ps->err)
		buf_addf(ps->err, "%s at offset %zu", why, ps->i);
	return ERR_PERM;
}

static void skip_x(struct parser *ps)
{
	if (!ps->x)
		return;
	while (ps->i < ps->len) {
		char c = ps->p[ps->i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v') {
			ps->i++;
		} else if (c == '#') {
			while (ps->i < ps->len && ps->p[ps->i] != '\n')
				ps->i++;
		} else {
			break;
		}
	}
}

static bool is_ere_special(int c)
{
	return c && strchr(".[]()*+?{}|^$\\", c) != NULL;
}

static void cset_add(struct cset *s, int c)
{
	c &= 0xff;
	s->bits[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static bool cset_has(const struct cset *s, int c)
{
	return s->bits[c >> 3] & (1u << (c & 7));
}

static void cset_add_class(struct cset *s, int (*is)(int))
{
	for (int c = 1; c < 128; c++) {
		if (is(c))
			cset_add(s, c);
	}
}

static int is_word(int c)
{
	return isalnum(c) || c == '_';
}

static int is_perl_space(int c)
{
	/* Perl's \s: space, \t, \n, \v, \f, \r. */
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The class behind \d \s \w, or 0 when e is no such letter. */
static int (*class_of(char e))(int)
{
	switch (e) {
	case 'd':
	case 'D':
		return isdigit;
	case 's':
	case 'S':
		return is_perl_space;
	case 'w':
	case 'W':
		return is_word;
	default:
		return NULL;
	}
}

/* The byte a backslash escape stands for, or -1 when not a plain one. */
static int escaped_byte(char e)
{
	switch (e) {
	case 't':
		return '\t';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 'f':
		return '\f';
	default:
		if (isalnum((unsigned char)e) || (unsigned char)e >= 0x80 ||
		    e == '\0')
			return -1;
		return (unsigned char)e; /* escaped punctuation or space */
	}
}

/* The one member of a plain set of one, or -1. */
static int cset_single(const struct cset *s)
{
	int found = -1;

	if (s->negate)
		return -1;
	for (int c = 1; c < 256; c++) {
		if (!cset_has(s, c))
			continue;
		if (found >= 0)
			return -1;
		found = c;
	}
	return found;
}

/* Write set s as an ERE bracket expression. */
static void cset_emit(struct buf *out, const struct cset *s)
{
	bool rbracket = cset_has(s, ']'), caret = cset_has(s, '^');
	bool lbracket = cset_has(s, '['), dash = cset_has(s, '-');

	buf_adds(out, s->negate ? "[^" : "[");
	/* ']' first is literal; '^' not first; '[' last but one; '-' last. */
	if (rbracket)
		buf_addch(out, ']');
	for (int c = 1; c < 256; c++) {
		if (c == ']' || c == '^' || c == '[' || c == '-')
			continue;
		if (cset_has(s, c))
			buf_addch(out, c);
	}
	if (caret)
		buf_addch(out, '^');
	if (lbracket)
		buf_addch(out, '[');
	if (dash)
		buf_addch(out, '-');
	buf_addch(out, ']');
}

static void add_case(struct cset *s, int c, bool icase)
{
	cset_add(s, c);
	if (icase && isalpha(c)) {
		cset_add(s, tolower(c));
		cset_add(s, toupper(c));
	}
}

/* Parse a class after '['; on success ps->i is past ']'. */
static int parse_class(struct parser *ps, struct cset *s, bool icase)
{
	bool first = true;
	int prev = -1; /* last single byte added, for ranges */

	memset(s, 0, sizeof(*s));
	if (ps->i < ps->len && ps->p[ps->i] == '^') {
		s->negate = true;
		ps->i++;
	}
	for (;; first = false) {
		unsigned char c;
		int b;

		if (ps->i >= ps->len)
			return fail(ps, "unclosed [");
		c = (unsigned char)ps->p[ps->i];
		if (c == ']' && !first) {
			ps->i++;
			break;
		}
		if (c >= 0x80 || c == 0)
			return fail(ps, "non-ASCII byte in regex");
		if (c == '[' && ps->i + 1 < ps->len &&
		    ps->p[ps->i + 1] == ':') {
			static const struct {
				const char *name;
				int (*is)(int);
			} posix[] = {
				{"[:alpha:]", isalpha},
				{"[:digit:]", isdigit},
				{"[:alnum:]", isalnum},
				{"[:upper:]", isupper},
				{"[:lower:]", islower},
				{"[:space:]", isspace},
				{"[:punct:]", ispunct},
				{"[:xdigit:]", isxdigit},
			};
			size_t k;

			for (k = 0; k < ARRAY_SIZE(posix); k++) {
				size_t n = strlen(posix[k].name);

				if (ps->len - ps->i >= n &&
				    !memcmp(ps->p + ps->i, posix[k].name, n)) {
					cset_add_class(s, posix[k].is);
					ps->i += n;
					break;
				}
			}
			if (k == ARRAY_SIZE(posix))
				return fail(ps, "unknown [: :] class");
			prev = -1;
			continue;
		}
		if (c == '\\') {
			char e;
			int (*is)(int);

			if (ps->i + 1 >= ps->len)
				return fail(ps, "trailing backslash");
			e = ps->p[ps->i + 1];
			ps->i += 2;
			is = class_of(e);
			if (is) {
				if (isupper((unsigned char)e))
					return fail(ps, "negated escape in []");
				cset_add_class(s, is);
				prev = -1;
				continue;
			}
			b = escaped_byte(e);
			if (b < 0)
				return fail(ps, "unsupported escape in []");
		} else if (c == '-' && prev >= 0 && ps->i + 1 < ps->len &&
			   ps->p[ps->i + 1] != ']') {
			int hi;

			ps->i++;
			c = (unsigned char)ps->p[ps->i];
			if (c == '\\') {
				if (ps->i + 1 >= ps->len)
					return fail(ps, "trailing backslash");
				hi = escaped_byte(ps->p[ps->i + 1]);
				ps->i += 2;
			} else {
				hi = c;
				ps->i++;
			}
			if (hi < prev || hi >= 0x80)
				return fail(ps, "bad range in []");
			for (int k = prev; k <= hi; k++)
				add_case(s, k, icase);
			prev = -1;
			continue;
		} else {
			b = c;
			ps->i++;
		}
		add_case(s, b, icase);
		prev = b;
	}
	return 0;
}

enum atom_kind {
	ATOM_CHAR,  /* one literal byte: ch, icase */
	ATOM_GROUP, /* (...) with its literal set */
	ATOM_OTHER, /* class, '.', anchors, \b ... */
};

enum quant {
	Q_ONE,
	Q_OPT,	/* may match zero times */
	Q_PLUS, /* at least once, maybe more */
};

static int parse_alt(struct parser *ps, struct buf *out, struct litset *lits,
		     bool icase, struct buf ***alts, size_t *nr_alts);

/* Emit one literal byte. */
static void emit_char(struct buf *out, int c, bool icase)
{
	if (icase && isalpha(c)) {
		buf_addf(out, "[%c%c]", toupper(c), tolower(c));
	} else if (is_ere_special(c)) {
		buf_addch(out, '\\');
		buf_addch(out, c);
	} else {
		buf_addch(out, c);
	}
}

/* Parse a quantifier, if any, appending it to out. */
static int parse_quant(struct parser *ps, struct buf *out, enum quant *q)
{
	size_t start;
	char c;

	*q = Q_ONE;
	skip_x(ps);
	if (ps->i >= ps->len)
		return 0;
	start = ps->i;
	c = ps->p[ps->i];
	if (c == '*' || c == '?') {
		*q = Q_OPT;
		ps->i++;
	} else if (c == '+') {
		*q = Q_PLUS;
		ps->i++;
	} else if (c == '{') {
		size_t j = ps->i + 1, lo_digits = 0;
		unsigned long lo = 0;

		while (j < ps->len && isdigit((unsigned char)ps->p[j])) {
			lo = lo * 10 + (unsigned long)(ps->p[j] - '0');
			j++;
			lo_digits++;
			if (lo > 255)
				return fail(ps, "repeat count above 255");
		}
		if (lo_digits && j < ps->len && ps->p[j] == ',') {
			j++;
			while (j < ps->len && isdigit((unsigned char)ps->p[j]))
				j++;
		}
		/* Perl: a '{' that starts no quantifier is a literal. */
		if (!lo_digits || j >= ps->len || ps->p[j] != '}')
			return 0;
		ps->i = j + 1;
		*q = lo == 0 ? Q_OPT : Q_PLUS;
	} else {
		return 0;
	}
	buf_add(out, ps->p + start, ps->i - start);
	if (ps->i < ps->len && ps->p[ps->i] == '?') {
		ps->i++; /* lazy: same matches, same answer */
	} else if (ps->i < ps->len && ps->p[ps->i] == '+') {
		return fail(ps, "possessive quantifier");
	}
	skip_x(ps);
	if (ps->i < ps->len &&
	    (ps->p[ps->i] == '*' || ps->p[ps->i] == '+' || ps->p[ps->i] == '?'))
		return fail(ps, "nested quantifier");
	return 0;
}

/*
 * Parse one sequence (up to '|', ')' or the end) into out; *lits receives
 * its best literal set.
 */
static int parse_seq(struct parser *ps, struct buf *out, struct litset *lits,
		     bool *icase)
{
	struct buf run = BUF_INIT, atom = BUF_INIT;
	struct litset group = {0};
	bool run_icase = false;
	int rc = 0;

	memset(lits, 0, sizeof(*lits));
	for (;;) {
		enum atom_kind kind = ATOM_OTHER;
		enum quant q;
		int ch = 0;
		char c;

		buf_reset(&atom);
		litset_release(&group);
		skip_x(ps);
		if (ps->i >= ps->len)
			break;
		c = ps->p[ps->i];
		if (c == '|' || c == ')')
			break;
		if ((unsigned char)c >= 0x80 || c == '\0') {
			rc = fail(ps, "non-ASCII byte in regex");
			goto out;
		}
		if (c == '(') {
			bool gicase = *icase;

			ps->i++;
			if (ps->len - ps->i >= 3 &&
			    !memcmp(ps->p + ps->i, "?i)", 3)) {
				/* Only a leading (?i) maps onto REG_ICASE. */
				rc = fail(ps, "(?i) not at the start");
				goto out;
			}
			if (ps->len - ps->i >= 2 &&
			    !memcmp(ps->p + ps->i, "?:", 2)) {
				ps->i += 2;
			} else if (ps->len - ps->i >= 3 &&
				   !memcmp(ps->p + ps->i, "?i:", 3)) {
				ps->i += 3;
				gicase = true;
			} else if (ps->i < ps->len && ps->p[ps->i] == '?') {
				rc = fail(ps, "unsupported (? construct");
				goto out;
			}
			if (++ps->depth > 32) {
				rc = fail(ps, "groups nested too deep");
				goto out;
			}
			buf_addch(&atom, '(');
			rc = parse_alt(ps, &atom, &group, gicase, NULL, NULL);
			ps->depth--;
			if (rc)
				goto out;
			if (ps->i >= ps->len || ps->p[ps->i] != ')') {
				rc = fail(ps, "unclosed (");
				goto out;
			}
			ps->i++;
			buf_addch(&atom, ')');
			kind = ATOM_GROUP;
		} else if (c == '[') {
			struct cset s;

			ps->i++;
			rc = parse_class(ps, &s, *icase);
			if (rc)
				goto out;
			ch = cset_single(&s);
			if (ch > 0)
				kind = ATOM_CHAR; /* [9] is just 9 */
			else
				cset_emit(&atom, &s);
		} else if (c == '.' || c == '^' || c == '$') {
			buf_addch(&atom, c);
			ps->i++;
		} else if (c == '\\') {
			char e;
			int (*is)(int);
			int b;

			if (ps->i + 1 >= ps->len) {
				rc = fail(ps, "trailing backslash");
				goto out;
			}
			e = ps->p[ps->i + 1];
			ps->i += 2;
			is = class_of(e);
			if (e == 'b' || e == 'B') {
				buf_addch(&atom, '\\');
				buf_addch(&atom, e);
			} else if (is) {
				struct cset s;

				memset(&s, 0, sizeof(s));
				cset_add_class(&s, is);
				s.negate = isupper((unsigned char)e);
				cset_emit(&atom, &s);
			} else if ((b = escaped_byte(e)) >= 0) {
				kind = ATOM_CHAR;
				ch = b;
			} else {
				rc = fail(ps, "unsupported escape");
				goto out;
			}
		} else if (c == '*' || c == '+' || c == '?') {
			rc = fail(ps, "quantifier without operand");
			goto out;
		} else {
			kind = ATOM_CHAR;
			ch = (unsigned char)c;
			ps->i++;
		}
		if (kind == ATOM_CHAR)
			emit_char(&atom, ch, *icase);

		rc = parse_quant(ps, &atom, &q);
		if (rc)
			goto out;
		buf_add(out, atom.data, atom.len);

		/* The literal bookkeeping. */
		if (kind == ATOM_CHAR && q != Q_OPT) {
			if (run.len && run_icase != *icase) {
				struct litset cand = {0};

				litset_add(&cand, run.data, run.len, run_icase);
				litset_consider(lits, &cand);
				buf_reset(&run);
			}
			run_icase = *icase;
			buf_addch(&run, ch);
			if (q == Q_ONE)
				continue;
		}
		if (run.len) {
			struct litset cand = {0};

			litset_add(&cand, run.data, run.len, run_icase);
			litset_consider(lits, &cand);
			buf_reset(&run);
		}
		if (kind == ATOM_GROUP && q != Q_OPT)
			litset_consider(lits, &group);
	}
	if (run.len) {
		struct litset cand = {0};

		litset_add(&cand, run.data, run.len, run_icase);
		litset_consider(lits, &cand);
	}
out:
	buf_release(&run);
	buf_release(&atom);
	litset_release(&group);
	if (rc)
		litset_release(lits);
	return rc;
}

/*
 * Parse alternatives up to ')' or the end. With alts, each top-level
 * alternative is also kept as its own ERE.
 */
static int parse_alt(struct parser *ps, struct buf *out, struct litset *lits,
		     bool icase, struct buf ***alts, size_t *nr_alts)
{
	size_t alts_alloc = 0;
	bool all_known = true;
	int rc;

	memset(lits, 0, sizeof(*lits));
	for (;;) {
		struct buf one = BUF_INIT;
		struct litset set;

		rc = parse_seq(ps, &one, &set, &icase);
		if (rc) {
			buf_release(&one);
			litset_release(lits);
			return rc;
		}
		buf_add(out, one.data, one.len);
		if (alts) {
			XGROW(*alts, alts_alloc, *nr_alts + 1);
			(*alts)[*nr_alts] = xmalloc(sizeof(struct buf));
			*(*alts)[(*nr_alts)++] = one;
		} else {
			buf_release(&one);
		}
		if (!set.known) {
			all_known = false;
		} else {
			for (size_t k = 0; k < set.nr; k++)
				litset_add(lits, set.v[k].s, set.v[k].len,
					   set.v[k].icase);
		}
		litset_release(&set);
		if (ps->i < ps->len && ps->p[ps->i] == '|') {
			ps->i++;
			buf_addch(out, '|');
			continue;
		}
		break;
	}
	if (!all_known)
		litset_release(lits);
	return 0;
}

int perlre_translate(struct perlre *out, const char *re, size_t len,
		     unsigned flags, struct buf *err)
{
	struct parser ps = {re, len, 0, (flags & PERLRE_X) != 0, err, 0};
	struct buf ere = BUF_INIT, **alts = NULL;
	struct litset lits;
	size_t nr_alts = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > PERLRE_MAX_BYTES) {
		if (err)
			buf_addf(err, "regex longer than %u bytes",
				 (unsigned)PERLRE_MAX_BYTES);
		return ERR_LIMIT;
	}
	/* A leading (?i) turns the whole pattern case-insensitive. */
	skip_x(&ps);
	if (len - ps.i >= 4 && !memcmp(re + ps.i, "(?i)", 4)) {
		out->icase = true;
		ps.i += 4;
	}
	rc = parse_alt(&ps, &ere, &lits, false, &alts, &nr_alts);
	if (!rc && ps.i < len)
		rc = fail(&ps, "unmatched )");
	if (rc) {
		litset_release(&lits);
		for (size_t k = 0; k < nr_alts; k++) {
			buf_release(alts[k]);
			free(alts[k]);
		}
		free(alts);
		buf_release(&ere);
		return rc;
	}
	out->ere = buf_detach(&ere, NULL);
	out->alts = xcalloc(nr_alts, sizeof(*out->alts));
	out->nr_alts = nr_alts;
	for (size_t k = 0; k < nr_alts; k++) {
		out->alts[k] = buf_detach(alts[k], NULL);
		free(alts[k]);
	}
	free(alts);
	if (lits.known && litset_score(&lits) > 0) {
		out->lits = lits.v;
		out->nr_lits = lits.nr;
	} else {
		litset_release(&lits);
	}
	/* With a global (?i), every literal is compared without case. */
	for (size_t k = 0; k < out->nr_lits && out->icase; k++) {
		out->lits[k].icase = true;
		for (size_t j = 0; j < out->lits[k].len; j++)
			out->lits[k].s[j] =
				(char)tolower((unsigned char)out->lits[k].s[j]);
	}
	return 0;
}

void perlre_release(struct perlre *r)
{
	free(r->ere);
	for (size_t k = 0; k < r->nr_alts; k++)
		free(r->alts[k]);
	free(r->alts);
	for (size_t k = 0; k < r->nr_lits; k++)
		free(r->lits[k].s);
	free(r->lits);
	memset(r, 0, sizeof(*r));
}
