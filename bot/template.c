/*
 * template.c: Mustache templates (the spec's core modules: interpolation,
 * sections, inverted sections, comments, partials) and their data model.
 *
 * Compiling turns the text into a flat array of nodes in document order; a
 * section node knows the index just past its body, so rendering is a loop
 * over that array that recurses only into sections and partials. Names are
 * split into parts and hashed once at compile time; objects keep a hash
 * index, so a lookup costs one hash probe per context tried.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "err.h"
#include "log.h"
#include "template.h"
#include "xalloc.h"

/* ---- the data model --------------------------------------------------- */

enum tdata_type {
	TDATA_STR,
	TDATA_INT,
	TDATA_BOOL,
	TDATA_LIST,
	TDATA_OBJECT,
};

struct tdata_member {
	struct tdata_member *next;  /* insertion order */
	struct tdata_member *chain; /* next member in the same hash bucket */
	const char *key;	    /* arena */
	size_t keylen;
	uint32_t hash;
	struct tdata *value; /* arena */
};

struct tdata {
	enum tdata_type type;
	struct tdata_arena *arena; /* borrowed from the root */
	struct tdata *next;	   /* next element of the enclosing list */
	union {
		struct {
			const char *p; /* arena, NUL-terminated */
			size_t len;
		} str;
		int64_t i;
		bool b;
		struct {
			struct tdata *first, *last;
			size_t n;
		} list;
		struct {
			struct tdata_member *first, *last;
			struct tdata_member **buckets; /* NULL while small */
			size_t n, nbuckets;
		} obj;
	} u;
};

/*
 * Bump allocation in chunks: a digest's model is thousands of small nodes
 * that all die together, which is what an arena is for.
 */
struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	max_align_t data[];
};

struct tdata_arena {
	struct arena_chunk *chunks; /* owned; the one in use first */
	size_t next_size;
	struct tdata *root;
};

#define ARENA_FIRST_CHUNK 4096
#define ARENA_MAX_CHUNK	  (64u << 10)
/* Objects up to this many keys are scanned; bigger ones get an index. */
#define OBJ_SCAN_MAX 8

static void *arena_alloc(struct tdata_arena *a, size_t n, size_t align)
{
	struct arena_chunk *c = a->chunks;
	size_t at, size;

	if (c) {
		at = (c->used + align - 1) & ~(align - 1);
		if (at <= c->size && c->size - at >= n) {
			c->used = at + n;
			return (char *)c->data + at;
		}
	}
	if (n > SIZE_MAX - sizeof(*c) - 1)
		BUG("template: arena request of %zu bytes", n);
	if (n > a->next_size / 4) {
		/*
		 * A big string gets a chunk of its own, linked behind the
		 * current one so that the current one's room stays in use.
		 */
		c = xmalloc(sizeof(*c) + n);
		c->size = c->used = n;
		if (a->chunks) {
			c->next = a->chunks->next;
			a->chunks->next = c;
		} else {
			c->next = NULL;
			a->chunks = c;
		}
		return c->data;
	}
	size = a->next_size;
	if (a->next_size < ARENA_MAX_CHUNK)
		a->next_size *= 2;
	c = xmalloc(sizeof(*c) + size);
	c->size = size;
	c->used = n;
	c->next = a->chunks;
	a->chunks = c;
	return c->data;
}

static char *arena_strdup(struct tdata_arena *a, const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		BUG("template: string of SIZE_MAX bytes");
	p = arena_alloc(a, len + 1, 1);
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* FNV-1a: short keys, no adversary (keys are ours, names the operator's). */
static uint32_t name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static struct tdata *node_new(struct tdata_arena *a, enum tdata_type type)
{
	struct tdata *d = arena_alloc(a, sizeof(*d), _Alignof(struct tdata));

	memset(d, 0, sizeof(*d));
	d->type = type;
	d->arena = a;
	return d;
}

struct tdata *tdata_object_new(void)
{
	struct tdata_arena *a = xcalloc(1, sizeof(*a));

	a->next_size = ARENA_FIRST_CHUNK;
	a->root = node_new(a, TDATA_OBJECT);
	return a->root;
}

void tdata_free(struct tdata *root)
{
	struct tdata_arena *a;
	struct arena_chunk *c, *next;

	if (!root)
		return;
	a = root->arena;
	if (a->root != root)
		BUG("template: tdata_free() on a node that is not a root");
	for (c = a->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

static const struct tdata_member *
obj_find(const struct tdata *obj, const char *key, size_t len, uint32_t hash)
{
	const struct tdata_member *m;

	if (obj->u.obj.buckets)
		m = obj->u.obj.buckets[hash & (obj->u.obj.nbuckets - 1)];
	else
		m = obj->u.obj.first;
	for (; m; m = obj->u.obj.buckets ? m->chain : m->next)
		if (m->hash == hash && m->keylen == len &&
		    !memcmp(m->key, key, len))
			return m;
	return NULL;
}

static void obj_reindex(struct tdata *obj, size_t nbuckets)
{
	struct tdata_member *m, **b;

	b = arena_alloc(obj->arena, nbuckets * sizeof(*b), _Alignof(void *));
	memset(b, 0, nbuckets * sizeof(*b));
	for (m = obj->u.obj.first; m; m = m->next) {
		m->chain = b[m->hash & (nbuckets - 1)];
		b[m->hash & (nbuckets - 1)] = m;
	}
	obj->u.obj.buckets = b;
	obj->u.obj.nbuckets = nbuckets;
}

static void obj_set(struct tdata *obj, const char *key, struct tdata *value)
{
	size_t len = strlen(key);
	uint32_t hash = name_hash(key, len);
	struct tdata_member *m;

	if (obj->type != TDATA_OBJECT)
		BUG("template: setting key \"%s\" on a non-object", key);
	m = (struct tdata_member *)obj_find(obj, key, len, hash);
	if (m) {
		m->value = value;
		return;
	}
	m = arena_alloc(obj->arena, sizeof(*m), _Alignof(struct tdata_member));
	m->next = m->chain = NULL;
	m->key = arena_strdup(obj->arena, key, len);
	m->keylen = len;
	m->hash = hash;
	m->value = value;
	if (obj->u.obj.last)
		obj->u.obj.last->next = m;
	else
		obj->u.obj.first = m;
	obj->u.obj.last = m;
	obj->u.obj.n++;
	if (obj->u.obj.buckets && obj->u.obj.n <= obj->u.obj.nbuckets) {
		size_t i = hash & (obj->u.obj.nbuckets - 1);

		m->chain = obj->u.obj.buckets[i];
		obj->u.obj.buckets[i] = m;
	} else if (obj->u.obj.buckets) {
		obj_reindex(obj, obj->u.obj.nbuckets * 2);
	} else if (obj->u.obj.n > OBJ_SCAN_MAX) {
		obj_reindex(obj, 4 * OBJ_SCAN_MAX);
	}
}

static void list_add(struct tdata *list, struct tdata *d)
{
	if (list->type != TDATA_LIST)
		BUG("template: adding an element to a non-list");
	if (list->u.list.last)
		list->u.list.last->next = d;
	else
		list->u.list.first = d;
	list->u.list.last = d;
	list->u.list.n++;
}

static struct tdata *str_new(struct tdata_arena *a, const char *val, size_t len)
{
	struct tdata *d = node_new(a, TDATA_STR);

	d->u.str.p = arena_strdup(a, val, len);
	d->u.str.len = len;
	return d;
}

void tdata_set_str(struct tdata *obj, const char *key, const char *val)
{
	tdata_set_strn(obj, key, val, strlen(val));
}

void tdata_set_strn(struct tdata *obj, const char *key, const char *val,
		    size_t len)
{
	obj_set(obj, key, str_new(obj->arena, val, len));
}

void tdata_set_strf(struct tdata *obj, const char *key, const char *fmt, ...)
{
	struct tdata *d = node_new(obj->arena, TDATA_STR);
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		BUG("template: bad format \"%s\"", fmt);
	p = arena_alloc(obj->arena, (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	d->u.str.p = p;
	d->u.str.len = (size_t)n;
	obj_set(obj, key, d);
}

void tdata_set_int(struct tdata *obj, const char *key, int64_t val)
{
	struct tdata *d = node_new(obj->arena, TDATA_INT);

	d->u.i = val;
	obj_set(obj, key, d);
}

void tdata_set_bool(struct tdata *obj, const char *key, bool val)
{
	struct tdata *d = node_new(obj->arena, TDATA_BOOL);

	d->u.b = val;
	obj_set(obj, key, d);
}

struct tdata *tdata_set_object(struct tdata *obj, const char *key)
{
	struct tdata *d = node_new(obj->arena, TDATA_OBJECT);

	obj_set(obj, key, d);
	return d;
}

struct tdata *tdata_set_list(struct tdata *obj, const char *key)
{
	struct tdata *d = node_new(obj->arena, TDATA_LIST);

	obj_set(obj, key, d);
	return d;
}

struct tdata *tdata_list_add_object(struct tdata *list)
{
	struct tdata *d = node_new(list->arena, TDATA_OBJECT);

	list_add(list, d);
	return d;
}

struct tdata *tdata_list_add_list(struct tdata *list)
{
	struct tdata *d = node_new(list->arena, TDATA_LIST);

	list_add(list, d);
	return d;
}

void tdata_list_add_str(struct tdata *list, const char *val)
{
	tdata_list_add_strn(list, val, strlen(val));
}

void tdata_list_add_strn(struct tdata *list, const char *val, size_t len)
{
	list_add(list, str_new(list->arena, val, len));
}

void tdata_list_add_int(struct tdata *list, int64_t val)
{
	struct tdata *d = node_new(list->arena, TDATA_INT);

	d->u.i = val;
	list_add(list, d);
}

size_t tdata_list_len(const struct tdata *list)
{
	if (list->type != TDATA_LIST)
		BUG("template: tdata_list_len() on a non-list");
	return list->u.list.n;
}

/* ---- compiled templates ----------------------------------------------- */

enum node_type {
	N_TEXT,	    /* literal bytes of the template */
	N_VAR,	    /* {{name}}: escaped in TPL_HTML mode */
	N_RAW,	    /* {{{name}}}, {{&name}} */
	N_SECTION,  /* {{#name}} */
	N_INVERTED, /* {{^name}} */
	N_PARTIAL,  /* {{>name}} */
};

struct tpl_node {
	enum node_type type;
	/*
	 * A standalone partial's indentation goes before this node: it
	 * starts a line of the template text (spec, partials.yml: "each line
	 * of the partial" is indented, and only the partial's own lines).
	 */
	bool line_start;
	bool standalone; /* N_PARTIAL: its line was standalone */
	unsigned line;
	size_t off, len; /* N_TEXT: bytes of src; N_PARTIAL: its indent */
	size_t name;	 /* index into names[] (not N_TEXT) */
	size_t end;	 /* sections: index of the node after the body */
};

struct tpl_name {
	size_t str;	 /* offset of the whole name, NUL-terminated, in strs */
	size_t first, n; /* its parts: parts[first .. first + n) */
	bool dot;	 /* {{.}} */
	bool scoped;	 /* {{.name}}: innermost context only */
};

struct tpl_part {
	size_t off, len; /* in strs */
	uint32_t hash;
};

struct tpl {
	char *name; /* owned */
	char *src;  /* owned copy of the text */
	char *strs; /* owned: names, each NUL-terminated */
	struct tpl_node *nodes;
	size_t nnodes;
	struct tpl_name *names;
	size_t nnames;
	struct tpl_part *parts;
	size_t nparts;
	tpl_loader_fn *load;
	void *load_arg;
};

/* ---- compiling -------------------------------------------------------- */

enum tok_kind {
	TK_TEXT,
	TK_VAR,
	TK_RAW,
	TK_SECTION,
	TK_INVERTED,
	TK_CLOSE,
	TK_COMMENT,
	TK_PARTIAL,
};

struct tok {
	enum tok_kind kind;
	unsigned line;
	size_t off, len; /* text: its bytes; tag: its trimmed content */
	bool bad;	 /* its name was refused (and reported) */
	bool standalone;
	size_t indent_off, indent_len; /* whitespace before a standalone tag */
};

struct compiler {
	struct tpl *t;
	const char *src;
	size_t len;
	struct buf *errors; /* borrowed; NULL: log */
	int rc;
	bool stop; /* an unterminated tag: the structure is unknown */
	struct tok *toks;
	size_t ntoks, toks_alloc;
	size_t nodes_alloc, names_alloc, parts_alloc;
	struct buf strs;
};

/* Hand one error line to the caller's buffer, or to the log without one. */
static void put_error(struct buf *errors, const struct buf *msg)
{
	if (!errors) {
		log_warnx("template: %s", msg->data);
		return;
	}
	/* A capped errors buffer keeps the lines that fit whole. */
	if (buf_try_add(errors, msg->data, msg->len))
		return;
	if (buf_try_addch(errors, '\n'))
		buf_truncate(errors, errors->len - msg->len);
}

static void PRINTF_LIKE(3, 4)
	report(struct compiler *c, unsigned line, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	if (line)
		buf_addf(&msg, "%s:%u: ", c->t->name, line);
	else
		buf_addf(&msg, "%s: ", c->t->name);
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	put_error(c->errors, &msg);
	buf_release(&msg);
	if (!c->rc)
		c->rc = ERR_PERM;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static bool is_tag_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static unsigned count_lines(const char *p, size_t n)
{
	unsigned lines = 0;
	const char *nl;

	while (n && (nl = memchr(p, '\n', n))) {
		lines++;
		n -= (size_t)(nl + 1 - p);
		p = nl + 1;
	}
	return lines;
}

static void add_tok(struct compiler *c, enum tok_kind kind, unsigned line,
		    size_t off, size_t len)
{
	struct tok *k;

	XGROW(c->toks, c->toks_alloc, c->ntoks + 1);
	k = &c->toks[c->ntoks++];
	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->line = line;
	k->off = off;
	k->len = len;
}

/*
 * Spec: a tag's content is "a non-whitespace character sequence NOT
 * containing the current closing delimiter"; for names, every part
 * between dots must be non-empty.
 */
static bool name_valid(const char *s, size_t len, bool dotted)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (is_tag_space(s[i]) || s[i] == '{' || s[i] == '}')
			return false;
	if (!dotted || (len == 1 && s[0] == '.'))
		return true;
	i = s[0] == '.' ? 1 : 0; /* {{.name}} */
	if (i == len || s[len - 1] == '.')
		return false;
	for (; i + 1 < len; i++)
		if (s[i] == '.' && s[i + 1] == '.')
			return false;
	return true;
}

static const char *kind_sigil(enum tok_kind kind)
{
	switch (kind) {
	case TK_SECTION:
		return "#";
	case TK_INVERTED:
		return "^";
	case TK_CLOSE:
		return "/";
	case TK_PARTIAL:
		return ">";
	case TK_RAW:
		return "&";
	default:
		return "";
	}
}

/* Split the text into literal runs and tags. */
static void tokenize(struct compiler *c)
{
	const char *s = c->src;
	size_t pos = 0, open, p, end, close_len;
	unsigned line = 1, tag_line;
	enum tok_kind kind;
	const char *hit;

	while (pos < c->len) {
		hit = memmem(s + pos, c->len - pos, "{{", 2);
		open = hit ? (size_t)(hit - s) : c->len;
		if (open > pos) {
			add_tok(c, TK_TEXT, line, pos, open - pos);
			line += count_lines(s + pos, open - pos);
		}
		if (!hit)
			break;
		tag_line = line;
		p = open + 2;
		close_len = 2;
		kind = TK_VAR;
		switch (p < c->len ? s[p] : '\0') {
		case '{':
			kind = TK_RAW;
			close_len = 3;
			p++;
			break;
		case '&':
			kind = TK_RAW;
			p++;
			break;
		case '#':
			kind = TK_SECTION;
			p++;
			break;
		case '^':
			kind = TK_INVERTED;
			p++;
			break;
		case '/':
			kind = TK_CLOSE;
			p++;
			break;
		case '!':
			kind = TK_COMMENT;
			p++;
			break;
		case '>':
			kind = TK_PARTIAL;
			p++;
			break;
		}
		hit = memmem(s + p, c->len - p, close_len == 3 ? "}}}" : "}}",
			     close_len);
		if (!hit) {
			report(c, tag_line,
			       "unterminated tag: no \"%s\" after \"%.*s\"",
			       close_len == 3 ? "}}}" : "}}", (int)(p - open),
			       s + open);
			c->stop = true;
			return;
		}
		end = (size_t)(hit - s);
		line += count_lines(s + open, end + close_len - open);
		pos = end + close_len;
		if (kind == TK_COMMENT) {
			add_tok(c, kind, tag_line, p, end - p);
			continue;
		}
		while (p < end && is_tag_space(s[p]))
			p++;
		while (end > p && is_tag_space(s[end - 1]))
			end--;
		if (kind == TK_VAR && end > p &&
		    (s[p] == '=' || s[p] == '<' || s[p] == '$')) {
			report(c, tag_line,
			       "\"{{%c\" tags (%s) are not supported", s[p],
			       s[p] == '=' ? "set delimiters" : "inheritance");
			add_tok(c, kind, tag_line, p, end - p);
			c->toks[c->ntoks - 1].bad = true;
			continue;
		}
		add_tok(c, kind, tag_line, p, end - p);
		if (!name_valid(s + p, end - p, kind != TK_PARTIAL)) {
			report(c, tag_line,
			       "invalid name \"%.*s\" in {{%s}} tag",
			       (int)(end - p), s + p, kind_sigil(kind));
			/* Kept, so that its section still matches its end. */
			c->toks[c->ntoks - 1].bad = true;
		}
	}
}

static bool standalone_kind(enum tok_kind kind)
{
	return kind == TK_SECTION || kind == TK_INVERTED || kind == TK_CLOSE ||
	       kind == TK_COMMENT || kind == TK_PARTIAL;
}

/*
 * Spec: a section, inverted, close, comment or partial tag alone on its
 * line, with nothing but spaces and tabs around it, is "standalone": the
 * line is removed, newline ("\n" or "\r\n") included. The whitespace on
 * the left may be at the start of the template, the newline on the right
 * may be the end of it. Tags are judged on the original text, so two
 * standalone lines in a row both go.
 */
static void mark_standalone(struct compiler *c)
{
	const char *s = c->src;
	size_t i, j, a, b;
	struct tok *k, *prev, *next;

	for (i = 0; i < c->ntoks; i++) {
		k = &c->toks[i];
		if (!standalone_kind(k->kind))
			continue;
		prev = i > 0 ? &c->toks[i - 1] : NULL;
		next = i + 1 < c->ntoks ? &c->toks[i + 1] : NULL;
		if (prev && prev->kind != TK_TEXT)
			continue;
		if (next && next->kind != TK_TEXT)
			continue;
		if (prev) {
			a = prev->off;
			b = prev->off + prev->len;
			for (j = b; j > a && s[j - 1] != '\n'; j--)
				;
			if (j == a && i - 1 != 0)
				continue; /* another tag on the line */
			k->indent_off = j;
			for (; j < b && is_blank(s[j]); j++)
				;
			if (j != b)
				continue;
			k->indent_len = b - k->indent_off;
		}
		if (next) {
			a = next->off;
			b = next->off + next->len;
			while (a < b && is_blank(s[a]))
				a++;
			if (a < b && s[a] == '\r')
				a++;
			if (a < b ? s[a] != '\n' : i + 2 != c->ntoks)
				continue;
		}
		k->standalone = true;
	}
}

static size_t add_node(struct compiler *c, enum node_type type,
		       const struct tok *k)
{
	struct tpl *t = c->t;
	struct tpl_node *n;

	XGROW(t->nodes, c->nodes_alloc, t->nnodes + 1);
	n = &t->nodes[t->nnodes];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->line = k->line;
	return t->nnodes++;
}

/* Store the tag's name, split into hashed parts, and return its index. */
static size_t add_name(struct compiler *c, const struct tok *k)
{
	struct tpl *t = c->t;
	struct tpl_name *nm;
	struct tpl_part *part;
	const char *s = c->src + k->off;
	size_t i, start;

	XGROW(t->names, c->names_alloc, t->nnames + 1);
	nm = &t->names[t->nnames];
	memset(nm, 0, sizeof(*nm));
	nm->str = c->strs.len;
	buf_add(&c->strs, s, k->len);
	buf_addch(&c->strs, '\0');
	nm->first = t->nparts;
	if (k->kind == TK_PARTIAL || k->bad)
		return t->nnames++;
	if (k->len == 1 && s[0] == '.') {
		nm->dot = true;
		return t->nnames++;
	}
	start = 0;
	if (s[0] == '.') {
		nm->scoped = true;
		start = 1;
	}
	for (i = start; i <= k->len; i++) {
		if (i < k->len && s[i] != '.')
			continue;
		XGROW(t->parts, c->parts_alloc, t->nparts + 1);
		part = &t->parts[t->nparts++];
		part->off = nm->str + start;
		part->len = i - start;
		part->hash = name_hash(s + start, i - start);
		nm->n++;
		start = i + 1;
	}
	return t->nnames++;
}

struct open_section {
	size_t tok;  /* index of its {{#}} or {{^}} token */
	size_t node; /* index of its node */
};

static bool same_name(const struct compiler *c, const struct tok *a,
		      const struct tok *b)
{
	return a->len == b->len &&
	       !memcmp(c->src + a->off, c->src + b->off, a->len);
}

/*
 * Where a non-standalone tag that leaves no node behind (a close tag, a
 * comment) starts a line, an empty text node keeps the line's place for
 * a partial's indentation.
 */
static void keep_line_start(struct compiler *c, const struct tok *k,
			    bool *pending)
{
	size_t i;

	if (!*pending || k->standalone)
		return;
	i = add_node(c, N_TEXT, k);
	c->t->nodes[i].line_start = true;
	*pending = false;
}

/* Turn the tokens into nodes, matching sections. */
static void build(struct compiler *c)
{
	struct open_section stack[TPL_MAX_NESTING];
	size_t depth = 0, i, j, a, b, ni;
	bool pending = true; /* the next node starts a template line */
	const char *s = c->src;
	struct tpl_node *n;
	struct tok *k;

	for (i = 0; i < c->ntoks; i++) {
		k = &c->toks[i];
		switch (k->kind) {
		case TK_TEXT:
			a = k->off;
			b = k->off + k->len;
			if (i > 0 && c->toks[i - 1].standalone) {
				while (a < b && s[a] != '\n')
					a++;
				if (a < b)
					a++;
			}
			if (i + 1 < c->ntoks && c->toks[i + 1].standalone)
				b = c->toks[i + 1].indent_off;
			if (a >= b)
				break;
			ni = add_node(c, N_TEXT, k);
			n = &c->t->nodes[ni];
			n->off = a;
			n->len = b - a;
			n->line_start = pending;
			pending = s[b - 1] == '\n';
			break;
		case TK_VAR:
		case TK_RAW:
			ni = add_node(c, k->kind == TK_VAR ? N_VAR : N_RAW, k);
			c->t->nodes[ni].name = add_name(c, k);
			c->t->nodes[ni].line_start = pending;
			pending = false;
			break;
		case TK_SECTION:
		case TK_INVERTED:
			if (depth == TPL_MAX_NESTING) {
				report(c, k->line,
				       "sections nested deeper than %d",
				       TPL_MAX_NESTING);
				c->rc = ERR_LIMIT;
				return;
			}
			ni = add_node(c,
				      k->kind == TK_SECTION ? N_SECTION
							    : N_INVERTED,
				      k);
			c->t->nodes[ni].name = add_name(c, k);
			if (!k->standalone) {
				c->t->nodes[ni].line_start = pending;
				pending = false;
			}
			stack[depth].tok = i;
			stack[depth].node = ni;
			depth++;
			break;
		case TK_CLOSE:
			if (!depth) {
				report(c, k->line,
				       "closing tag {{/%.*s}} without an open "
				       "section",
				       (int)k->len, s + k->off);
				break;
			}
			if (!same_name(c, &c->toks[stack[depth - 1].tok], k)) {
				const struct tok *o =
					&c->toks[stack[depth - 1].tok];

				report(c, k->line,
				       "closing tag {{/%.*s}} does not match "
				       "{{%s%.*s}} opened at line %u",
				       (int)k->len, s + k->off,
				       kind_sigil(o->kind), (int)o->len,
				       s + o->off, o->line);
				/*
				 * Recover: when the tag closes an outer
				 * section, close that one (the mismatch above
				 * covers the sections in between); otherwise
				 * ignore the tag.
				 */
				for (j = depth - 1; j-- > 0;)
					if (same_name(c, &c->toks[stack[j].tok],
						      k))
						break;
				if (j == SIZE_MAX)
					break;
				depth = j + 1;
			}
			keep_line_start(c, k, &pending);
			depth--;
			c->t->nodes[stack[depth].node].end = c->t->nnodes;
			break;
		case TK_COMMENT:
			keep_line_start(c, k, &pending);
			break;
		case TK_PARTIAL:
			ni = add_node(c, N_PARTIAL, k);
			n = &c->t->nodes[ni];
			n->name = add_name(c, k);
			n->standalone = k->standalone;
			if (k->standalone) {
				n->off = k->indent_off;
				n->len = k->indent_len;
			} else {
				n->line_start = pending;
				pending = false;
			}
			break;
		}
	}
	while (depth--) {
		k = &c->toks[stack[depth].tok];
		report(c, k->line, "unclosed section {{%s%.*s}}",
		       kind_sigil(k->kind), (int)k->len, s + k->off);
	}
}

int tpl_compile(struct tpl **out, const char *name, const char *text,
		size_t len, struct buf *errors)
{
	struct compiler c;
	struct tpl *t;

	*out = NULL;
	t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	memset(&c, 0, sizeof(c));
	c.t = t;
	c.errors = errors;
	buf_init(&c.strs, 0);
	if (len > TPL_MAX_BYTES) {
		report(&c, 0,
		       "template is %zu bytes, more than the limit of %u", len,
		       TPL_MAX_BYTES);
		tpl_free(t);
		return ERR_LIMIT;
	}
	t->src = xmemdup0(text, len);
	c.src = t->src;
	c.len = len;
	tokenize(&c);
	if (!c.stop) {
		mark_standalone(&c);
		build(&c);
	}
	free(c.toks);
	t->strs = buf_detach(&c.strs, NULL);
	if (c.rc) {
		tpl_free(t);
		return c.rc;
	}
	*out = t;
	return 0;
}

void tpl_set_loader(struct tpl *t, tpl_loader_fn *load, void *arg)
{
	t->load = load;
	t->load_arg = arg;
}

const char *tpl_name(const struct tpl *t)
{
	return t->name;
}

int tpl_check_partials(const struct tpl *t, enum tpl_mode mode,
		       struct buf *errors)
{
	struct buf msg = BUF_INIT;
	const struct tpl_node *n;
	const char *name;
	int rc = 0;
	size_t i;

	for (i = 0; i < t->nnodes; i++) {
		n = &t->nodes[i];
		if (n->type != N_PARTIAL)
			continue;
		name = t->strs + t->names[n->name].str;
		if (t->load && t->load(name, mode, t->load_arg))
			continue;
		buf_reset(&msg);
		buf_addf(&msg, "%s:%u: unknown partial \"%s\"", t->name,
			 n->line, name);
		put_error(errors, &msg);
		rc = ERR_NOTFOUND;
	}
	buf_release(&msg);
	return rc;
}

void tpl_free(struct tpl *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->src);
	free(t->strs);
	free(t->nodes);
	free(t->names);
	free(t->parts);
	free(t);
}

/* ---- rendering -------------------------------------------------------- */

/*
 * Sections nest TPL_MAX_NESTING deep in one template and each partial
 * level may add as many, so the context stack cannot pass this.
 */
#define RENDER_MAX_STACK (TPL_MAX_NESTING * (TPL_MAX_PARTIAL_DEPTH + 1) + 1)

struct render {
	struct buf *out; /* borrowed */
	size_t start;	 /* out->len when the render began */
	enum tpl_mode mode;
	const struct tdata *stack[RENDER_MAX_STACK]; /* borrowed */
	size_t depth;
	unsigned partials;  /* partials being rendered */
	struct buf indent;  /* indentation of the standalone partials open */
	size_t indent_from; /* the part of indent that applies now */
	tpl_loader_fn *load;
	void *load_arg;
	char why[160]; /* what limit was hit */
};

static int emit(struct render *r, const char *p, size_t n)
{
	if (n > TPL_MAX_OUTPUT_BYTES - (r->out->len - r->start)) {
		snprintf(r->why, sizeof(r->why),
			 "output passes the limit of %u bytes",
			 TPL_MAX_OUTPUT_BYTES);
		return ERR_LIMIT;
	}
	if (buf_try_add(r->out, p, n)) {
		snprintf(r->why, sizeof(r->why),
			 "output passes the buffer's cap of %zu bytes",
			 r->out->max);
		return ERR_LIMIT;
	}
	return 0;
}

static int emit_indent(struct render *r)
{
	return emit(r, r->indent.data + r->indent_from,
		    r->indent.len - r->indent_from);
}

/* Literal template text: inside a standalone partial, indent each line. */
static int emit_text(struct render *r, const char *p, size_t n)
{
	const char *nl;
	size_t line;

	if (r->indent.len == r->indent_from)
		return emit(r, p, n);
	while ((nl = memchr(p, '\n', n)) && (size_t)(nl + 1 - p) < n) {
		line = (size_t)(nl + 1 - p);
		if (emit(r, p, line) || emit_indent(r))
			return ERR_LIMIT;
		p += line;
		n -= line;
	}
	return emit(r, p, n);
}

/* HTML escaping of & < > " ', as mustache.js does (the spec names four). */
static int emit_escaped(struct render *r, const char *p, size_t n)
{
	size_t i, from = 0;
	const char *ent;

	for (i = 0; i < n; i++) {
		switch (p[i]) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			continue;
		}
		if (emit(r, p + from, i - from) || emit(r, ent, strlen(ent)))
			return ERR_LIMIT;
		from = i + 1;
	}
	return emit(r, p + from, n - from);
}

static const struct tdata *get_part(const struct tdata *d, const struct tpl *t,
				    const struct tpl_part *part)
{
	const struct tdata_member *m;

	if (!d || d->type != TDATA_OBJECT)
		return NULL;
	m = obj_find(d, t->strs + part->off, part->len, part->hash);
	return m ? m->value : NULL;
}

/* Spec: resolve the first part walking the stack, the rest in its value. */
static const struct tdata *lookup(const struct render *r, const struct tpl *t,
				  size_t name)
{
	const struct tpl_name *nm = &t->names[name];
	const struct tpl_part *part = &t->parts[nm->first];
	const struct tdata *top = r->depth ? r->stack[r->depth - 1] : NULL;
	const struct tdata *v = NULL;
	size_t i;

	if (nm->dot)
		return top;
	if (nm->scoped) {
		v = get_part(top, t, part);
	} else {
		for (i = r->depth; i-- > 0 && !v;)
			v = get_part(r->stack[i], t, part);
	}
	for (i = 1; v && i < nm->n; i++)
		v = get_part(v, t, part + i);
	return v;
}

static bool truthy(const struct tdata *v)
{
	if (!v)
		return false;
	switch (v->type) {
	case TDATA_STR:
		return v->u.str.len > 0;
	case TDATA_INT:
		return v->u.i != 0;
	case TDATA_BOOL:
		return v->u.b;
	case TDATA_LIST:
		return v->u.list.n > 0;
	case TDATA_OBJECT:
		return true;
	}
	return false;
}

static int interpolate(struct render *r, const struct tdata *v, bool escape)
{
	char num[32];
	int n;

	if (!v)
		return 0;
	switch (v->type) {
	case TDATA_STR:
		return escape ? emit_escaped(r, v->u.str.p, v->u.str.len)
			      : emit(r, v->u.str.p, v->u.str.len);
	case TDATA_INT:
		n = snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
		return emit(r, num, (size_t)n);
	case TDATA_BOOL:
		return emit(r, v->u.b ? "true" : "false", v->u.b ? 4 : 5);
	case TDATA_LIST:
	case TDATA_OBJECT:
		break;
	}
	return 0;
}

static void push(struct render *r, const struct tdata *v)
{
	if (r->depth == RENDER_MAX_STACK)
		BUG("template: context stack overflow");
	r->stack[r->depth++] = v;
}

static int render_nodes(struct render *r, const struct tpl *t, size_t from,
			size_t to);

static int render_partial(struct render *r, const struct tpl *t,
			  const struct tpl_node *n)
{
	const char *name = t->strs + t->names[n->name].str;
	size_t indent_len = r->indent.len, indent_from = r->indent_from;
	const struct tpl *p;
	int rc;

	p = r->load ? r->load(name, r->mode, r->load_arg) : NULL;
	if (!p)
		return 0; /* spec: a partial not found renders as "" */
	if (r->partials == TPL_MAX_PARTIAL_DEPTH) {
		snprintf(r->why, sizeof(r->why),
			 "partials nested deeper than %d at %s:%u ({{>%s}})",
			 TPL_MAX_PARTIAL_DEPTH, t->name, n->line, name);
		return ERR_LIMIT;
	}
	/*
	 * A standalone partial adds its indentation to the one in force; an
	 * inline one is not indented at all (the spec indents the lines of
	 * a standalone partial only).
	 */
	if (n->standalone)
		buf_add(&r->indent, t->src + n->off, n->len);
	else
		r->indent_from = r->indent.len;
	r->partials++;
	rc = render_nodes(r, p, 0, p->nnodes);
	r->partials--;
	buf_truncate(&r->indent, indent_len);
	r->indent_from = indent_from;
	return rc;
}

static int render_nodes(struct render *r, const struct tpl *t, size_t from,
			size_t to)
{
	const struct tpl_node *n;
	const struct tdata *v, *el;
	size_t i = from;
	int rc = 0;

	while (i < to && !rc) {
		n = &t->nodes[i];
		if (n->line_start && r->indent.len != r->indent_from &&
		    emit_indent(r))
			return ERR_LIMIT;
		switch (n->type) {
		case N_TEXT:
			rc = emit_text(r, t->src + n->off, n->len);
			i++;
			break;
		case N_VAR:
		case N_RAW:
			v = lookup(r, t, n->name);
			rc = interpolate(
				r, v, n->type == N_VAR && r->mode == TPL_HTML);
			i++;
			break;
		case N_SECTION:
			v = lookup(r, t, n->name);
			if (v && v->type == TDATA_LIST) {
				for (el = v->u.list.first; el && !rc;
				     el = el->next) {
					push(r, el);
					rc = render_nodes(r, t, i + 1, n->end);
					r->depth--;
				}
			} else if (truthy(v)) {
				push(r, v);
				rc = render_nodes(r, t, i + 1, n->end);
				r->depth--;
			}
			i = n->end;
			break;
		case N_INVERTED:
			v = lookup(r, t, n->name);
			if (!truthy(v))
				rc = render_nodes(r, t, i + 1, n->end);
			i = n->end;
			break;
		case N_PARTIAL:
			rc = render_partial(r, t, n);
			i++;
			break;
		}
	}
	return rc;
}

int tpl_render(struct buf *out, const struct tpl *t, const struct tdata *root,
	       enum tpl_mode mode)
{
	struct render r;
	int rc;

	r.out = out;
	r.start = out->len;
	r.mode = mode;
	r.depth = 0;
	r.partials = 0;
	buf_init(&r.indent, 0);
	r.indent_from = 0;
	r.load = t->load;
	r.load_arg = t->load_arg;
	r.why[0] = '\0';
	if (root)
		push(&r, root);
	rc = render_nodes(&r, t, 0, t->nnodes);
	if (rc) {
		buf_truncate(out, r.start);
		rc = errorf(rc, "template: %s: %s", t->name, r.why);
	}
	buf_release(&r.indent);
	return rc;
}
