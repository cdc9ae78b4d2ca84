/*
 * glob.c: see glob.h. A pattern compiles to a list of tokens; matching runs
 * the Thompson-style simulation of the automaton those tokens spell (one
 * state per token boundary, '*' a self-loop), so no input can make it
 * backtrack.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "err.h"
#include "glob.h"
#include "log.h"
#include "xalloc.h"

enum glob_kind {
	TOK_LIT,   /* one byte */
	TOK_ANY,   /* '?' */
	TOK_STAR,  /* '*' */
	TOK_DSTAR, /* "**" under GLOB_DOUBLESTAR */
	TOK_CLASS, /* '[...]' */
};

struct glob_token {
	unsigned char kind;
	unsigned char c;    /* TOK_LIT: the byte */
	unsigned short cls; /* TOK_CLASS: index into classes */
};

struct glob_class {
	uint8_t bits[32]; /* members, already complemented when negated */
};

struct glob {
	char *text; /* owned: the pattern, NUL-terminated */
	size_t len;
	struct glob_token *tok; /* owned */
	size_t nr_tok;
	struct glob_class *cls; /* owned */
	size_t nr_cls;
	size_t lit_tokens;	   /* leading TOK_LIT tokens (== lit bytes) */
	size_t need_off, need_len; /* longest literal run after a wildcard:
				      a match must contain those bytes */
	size_t dir_prefix;	   /* see glob_dir_prefix_len() */
	bool subtree;
	bool literal;
	bool text_mode; /* GLOB_TEXT */
	int depth;
};

static bool class_has(const struct glob_class *c, unsigned char ch)
{
	return c->bits[ch >> 3] & (1u << (ch & 7));
}

static void class_add(struct glob_class *c, unsigned char ch)
{
	c->bits[ch >> 3] |= (uint8_t)(1u << (ch & 7));
}

static int bad(struct buf *err, const char *why)
{
	if (err)
		buf_addf(err, "%s", why);
	return ERR_PERM;
}

/* Parse the set after '[' at *i; on return *i is past the closing ']'. */
static int parse_class(struct glob_class *out, const char *p, size_t len,
		       size_t *i, bool text, struct buf *err)
{
	size_t j = *i;
	bool negate = false, first = true;

	memset(out, 0, sizeof(*out));
	if (j < len && p[j] == '^') {
		negate = true;
		j++;
	}
	for (; j < len; first = false) {
		unsigned char lo = (unsigned char)p[j], hi;

		/* As in a Perl class, a ']' right after '[' or '[^' is literal.
		 */
		if (lo == ']' && !first)
			break;
		if (lo == '/' && !text)
			return bad(err, "a '/' inside [...] never matches");
		if (lo == '\\')
			return bad(err,
				   "backslash is not allowed in a pattern");
		hi = lo;
		if (j + 2 < len && p[j + 1] == '-' && p[j + 2] != ']') {
			hi = (unsigned char)p[j + 2];
			if ((hi == '/' && !text) || hi == '\\')
				return bad(err, "bad range inside [...]");
			if (hi < lo)
				return bad(err, "reversed range inside [...]");
			j += 3;
		} else {
			j++;
		}
		for (unsigned c = lo; c <= hi; c++)
			class_add(out, (unsigned char)c);
	}
	if (j >= len)
		return bad(err, "unclosed '['");
	if (negate) {
		for (size_t k = 0; k < sizeof(out->bits); k++)
			out->bits[k] = (uint8_t)~out->bits[k];
	}
	*i = j + 1;
	return 0;
}

int glob_compile(struct glob **out, const char *pattern, size_t len,
		 unsigned flags, struct buf *err)
{
	struct glob *g;
	size_t tok_alloc = 0, cls_alloc = 0, slashes = 0;
	bool seen_wild = false;
	int rc;

	*out = NULL;
	if (len > GLOB_MAX_BYTES) {
		if (err)
			buf_addf(err, "pattern longer than %u bytes",
				 (unsigned)GLOB_MAX_BYTES);
		return ERR_LIMIT;
	}
	g = xcalloc(1, sizeof(*g));
	g->text = xmemdup0(pattern, len);
	g->len = len;
	g->text_mode = (flags & GLOB_TEXT) != 0;
	for (size_t i = 0, run_off = 0, run_len = 0; i < len;) {
		struct glob_token t = {TOK_LIT, 0, 0};
		unsigned char c = (unsigned char)pattern[i];

		/* Track literal runs after the first wildcard. */
		if (c == '*' || c == '?' || c == '[') {
			run_len = 0;
		} else if (seen_wild) {
			if (!run_len)
				run_off = i;
			if (++run_len > g->need_len) {
				g->need_off = run_off;
				g->need_len = run_len;
			}
		}

		if (c == '*') {
			t.kind = TOK_STAR;
			i++;
			if ((flags & GLOB_DOUBLESTAR) && i < len &&
			    pattern[i] == '*') {
				t.kind = TOK_DSTAR;
				while (i < len && pattern[i] == '*')
					i++;
			}
			/* "a**b" and "a*b" accept the same paths: one token. */
			if (g->nr_tok &&
			    (g->tok[g->nr_tok - 1].kind == TOK_STAR ||
			     g->tok[g->nr_tok - 1].kind == TOK_DSTAR)) {
				if (t.kind == TOK_DSTAR)
					g->tok[g->nr_tok - 1].kind = TOK_DSTAR;
				seen_wild = true;
				continue;
			}
		} else if (c == '?') {
			t.kind = TOK_ANY;
			i++;
		} else if (c == '[') {
			i++;
			XGROW(g->cls, cls_alloc, g->nr_cls + 1);
			rc = parse_class(&g->cls[g->nr_cls], pattern, len, &i,
					 g->text_mode, err);
			if (rc)
				goto fail;
			t.kind = TOK_CLASS;
			t.cls = (unsigned short)g->nr_cls++;
		} else if (c == '\\') {
			rc = bad(err, "backslash is not allowed in a pattern");
			goto fail;
		} else {
			t.c = c;
			i++;
			if (c == '/' && !g->text_mode) {
				slashes++;
				if (!seen_wild)
					g->dir_prefix = i;
			}
		}
		if (t.kind != TOK_LIT)
			seen_wild = true;
		else if (!seen_wild)
			g->lit_tokens++;
		XGROW(g->tok, tok_alloc, g->nr_tok + 1);
		g->tok[g->nr_tok++] = t;
	}
	g->literal = !seen_wild;
	g->subtree = !g->text_mode && len > 0 && pattern[len - 1] == '/';
	/* get_maintainer.pl: tr@/@@, ++ unless it ends in '/', -1 for ^\.\* */
	g->depth = (int)slashes + (g->subtree ? 0 : 1);
	if (len > 0 && pattern[0] == '*')
		g->depth = -1;
	*out = g;
	return 0;
fail:
	glob_free(g);
	return rc;
}

void glob_free(struct glob *g)
{
	if (!g)
		return;
	free(g->text);
	free(g->tok);
	free(g->cls);
	free(g);
}

const char *glob_text(const struct glob *g)
{
	return g->text;
}

size_t glob_tokens(const struct glob *g)
{
	return g->nr_tok;
}

bool glob_is_subtree(const struct glob *g)
{
	return g->subtree;
}

bool glob_is_literal(const struct glob *g)
{
	return g->literal;
}

size_t glob_dir_prefix_len(const struct glob *g)
{
	return g->dir_prefix;
}

size_t glob_literal_len(const struct glob *g)
{
	return g->lit_tokens;
}

int glob_depth(const struct glob *g)
{
	return g->depth;
}

/*
 * The active-state sets. A state s means "tokens [0, s) matched"; mark[s]
 * holds the position + 1 at which s was last added, so a set is emptied by
 * moving to the next position, without clearing.
 */
struct glob_run {
	const struct glob *g;
	uint32_t *mark;	   /* nr_tok + 1 entries */
	uint16_t *list[2]; /* nr_tok + 1 entries each */
	size_t nr[2];
	size_t steps;
};

/* Patterns up to this many tokens run on the stack, longer ones on the heap. */
#define GLOB_STACK_TOKENS 63

/* Add state s (and the states after it that '*' reaches by matching
 * nothing) to set `which` for position pos. */
static void add_state(struct glob_run *r, int which, size_t s, uint32_t pos)
{
	const struct glob *g = r->g;

	while (s <= g->nr_tok && r->mark[s] != pos) {
		r->mark[s] = pos;
		r->list[which][r->nr[which]++] = (uint16_t)s;
		if (s == g->nr_tok ||
		    (g->tok[s].kind != TOK_STAR && g->tok[s].kind != TOK_DSTAR))
			break;
		s++;
	}
}

static bool literal_match(const struct glob *g, const char *path, size_t len)
{
	if (len < g->len || memcmp(path, g->text, g->len) != 0)
		return false;
	if (g->text_mode)
		return len == g->len;
	if (g->subtree)
		return true;
	/* The rest of the last component may follow, but no more '/'. */
	return memchr(path + g->len, '/', len - g->len) == NULL;
}

bool glob_match(const struct glob *g, const char *path, size_t len,
		size_t *steps)
{
	struct glob_run run, *r = &run;
	uint32_t mark_stack[GLOB_STACK_TOKENS + 1];
	uint16_t list_stack[2][GLOB_STACK_TOKENS + 1];
	void *heap = NULL;
	size_t pos, last_slash = SIZE_MAX;
	bool matched = false;
	int cur = 0;

	if (g->literal) {
		if (steps)
			*steps += 1;
		return literal_match(g, path, len);
	}
	/* The leading literal bytes decide most candidates at once. */
	if (len < g->lit_tokens || memcmp(path, g->text, g->lit_tokens) != 0) {
		if (steps)
			*steps += 1;
		return false;
	}
	if (g->need_len >= 2 &&
	    !memmem(path + g->lit_tokens, len - g->lit_tokens,
		    g->text + g->need_off, g->need_len)) {
		if (steps)
			*steps += 1;
		return false;
	}
	for (size_t i = len; i > 0; i--) {
		if (path[i - 1] == '/') {
			last_slash = i - 1;
			break;
		}
	}

	r->g = g;
	if (g->nr_tok <= GLOB_STACK_TOKENS) {
		r->mark = mark_stack;
		r->list[0] = list_stack[0];
		r->list[1] = list_stack[1];
	} else {
		size_t n = g->nr_tok + 1;

		heap = xmalloc(n * (sizeof(uint32_t) + 2 * sizeof(uint16_t)));
		r->mark = heap;
		r->list[0] = (uint16_t *)(r->mark + n);
		r->list[1] = r->list[0] + n;
	}
	r->steps = 0;
	r->nr[0] = r->nr[1] = 0;
	memset(r->mark, 0, (g->nr_tok + 1) * sizeof(r->mark[0]));

	pos = g->lit_tokens;
	add_state(r, cur, g->lit_tokens, (uint32_t)pos + 1);
	for (;; pos++) {
		int next = !cur;

		/*
		 * Accepting state reached after pos bytes: a prefix matched
		 * (the whole text must, under GLOB_TEXT).
		 */
		if (r->mark[g->nr_tok] == pos + 1 &&
		    (g->text_mode ? pos == len
				  : g->subtree || last_slash == SIZE_MAX ||
					    last_slash < pos)) {
			matched = true;
			break;
		}
		if (pos == len || r->nr[cur] == 0)
			break;

		unsigned char c = (unsigned char)path[pos];

		r->nr[next] = 0;
		for (size_t k = 0; k < r->nr[cur]; k++) {
			size_t s = r->list[cur][k];
			const struct glob_token *t;
			bool cross;

			r->steps++;
			if (s == g->nr_tok)
				continue;
			t = &g->tok[s];
			cross = g->subtree || g->text_mode ||
				t->kind == TOK_DSTAR;
			switch (t->kind) {
			case TOK_LIT:
				if (c == t->c)
					add_state(r, next, s + 1,
						  (uint32_t)pos + 2);
				break;
			case TOK_ANY:
				if (c != '/' || cross)
					add_state(r, next, s + 1,
						  (uint32_t)pos + 2);
				break;
			case TOK_STAR:
			case TOK_DSTAR:
				if (c != '/' || cross)
					add_state(r, next, s,
						  (uint32_t)pos + 2);
				break;
			case TOK_CLASS:
				if (class_has(&g->cls[t->cls], c) &&
				    (c != '/' || cross))
					add_state(r, next, s + 1,
						  (uint32_t)pos + 2);
				break;
			default:
				BUG("glob: token kind %d", t->kind);
			}
		}
		cur = next;
	}
	if (steps)
		*steps += r->steps + 1;
	free(heap);
	return matched;
}
