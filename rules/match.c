/*
 * match.c: see match.h. The index keeps one record per rule (struct
 * ix_rule), tables of the distinct values of all rules (path patterns,
 * keywords, subject literals, list and author keys), and for each
 * distinct value the rules anchored on it (struct postings). A query
 * prepares the series once (struct prep), collects the candidates, and
 * verifies them with the same code that explains a rule to a person.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glob.h"
#include "keywords.h"
#include "log.h"
#include "maintainers.h"
#include "match.h"
#include "pathindex.h"
#include "rulefile.h"
#include "utf8.h"
#include "xalloc.h"

#define NONE UINT32_MAX

/* --- a string map: bytes to dense ids ----------------------------------- */

struct strmap_slot {
	char *key; /* owned; NULL: empty slot */
	size_t len;
	uint64_t hash;
	uint32_t id;
};

struct strmap {
	struct strmap_slot *slots; /* owned; a power of two of them */
	size_t nr_slots, nr;
};

/* FNV-1a, 64 bits. */
static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t k = 0; k < n; k++) {
		h ^= (unsigned char)p[k];
		h *= 0x100000001b3ull;
	}
	return h;
}

static struct strmap_slot *strmap_slot(struct strmap_slot *slots, size_t n,
				       const char *key, size_t len, uint64_t h)
{
	size_t mask = n - 1;

	for (size_t k = (size_t)h & mask;; k = (k + 1) & mask) {
		struct strmap_slot *s = &slots[k];

		if (!s->key || (s->hash == h && s->len == len &&
				!memcmp(s->key, key, len)))
			return s;
	}
}

/* The id of key, or NONE. */
static uint32_t strmap_get(const struct strmap *m, const char *key, size_t len)
{
	const struct strmap_slot *s;

	if (!m->nr)
		return NONE;
	s = strmap_slot(m->slots, m->nr_slots, key, len, hash_bytes(key, len));
	return s->key ? s->id : NONE;
}

/* The id of key, given the next free id (m->nr) when it is new. */
static uint32_t strmap_put(struct strmap *m, const char *key, size_t len,
			   bool *added)
{
	uint64_t h = hash_bytes(key, len);
	struct strmap_slot *s;

	if ((m->nr + 1) * 4 > m->nr_slots * 3) {
		size_t n = m->nr_slots ? m->nr_slots * 2 : 64;
		struct strmap_slot *slots = xcalloc(n, sizeof(*slots));

		for (size_t k = 0; k < m->nr_slots; k++) {
			struct strmap_slot *o = &m->slots[k];

			if (o->key)
				*strmap_slot(slots, n, o->key, o->len,
					     o->hash) = *o;
		}
		free(m->slots);
		m->slots = slots;
		m->nr_slots = n;
	}
	s = strmap_slot(m->slots, m->nr_slots, key, len, h);
	*added = !s->key;
	if (!s->key) {
		s->key = xmemdup0(key, len);
		s->len = len;
		s->hash = h;
		s->id = (uint32_t)m->nr++;
	}
	return s->id;
}

static void strmap_release(struct strmap *m)
{
	for (size_t k = 0; k < m->nr_slots; k++)
		free(m->slots[k].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* --- the index --------------------------------------------------------------
 */

/* Rule ids anchored on one value. */
struct postings {
	uint32_t *v; /* owned */
	size_t nr, alloc;
};

static void postings_add(struct postings *p, uint32_t rule)
{
	/* A rule naming one value twice is filed once. */
	if (p->nr && p->v[p->nr - 1] == rule)
		return;
	XGROW(p->v, p->alloc, p->nr + 1);
	p->v[p->nr++] = rule;
}

/* A growable array of postings, indexed by a strmap's ids. */
struct postings_vec {
	struct postings *v; /* owned */
	size_t nr, alloc;
};

static struct postings *postings_at(struct postings_vec *pv, uint32_t id)
{
	if (id >= pv->nr) {
		XGROW(pv->v, pv->alloc, (size_t)id + 1);
		memset(&pv->v[pv->nr], 0,
		       ((size_t)id + 1 - pv->nr) * sizeof(*pv->v));
		pv->nr = (size_t)id + 1;
	}
	return &pv->v[id];
}

static void postings_vec_release(struct postings_vec *pv)
{
	for (size_t k = 0; k < pv->nr; k++)
		free(pv->v[k].v);
	free(pv->v);
	memset(pv, 0, sizeof(*pv));
}

struct ix_rule {
	const struct rulefile *rf;
	const struct rule *rule;
	size_t rule_index;
	int64_t subscriber;
	/* Distinct ids of the rule's path patterns and keywords, parallel
	 * to rule->inc[...].v ([0]) and rule->exc[...].v ([1]). Owned. */
	uint32_t *path_ids[2];
	uint32_t *kw_ids[2];
};

/* Where a hit pattern's bitset of paths lives in the pool. */
struct pat_hit {
	uint32_t gen;
	uint32_t off; /* in words */
};

struct match_index {
	const struct maintainers *m;
	size_t nr_sections;
	struct ix_rule *rules; /* owned */
	size_t nr_rules, alloc_rules;
	size_t nr_subscribers;
	int64_t last_subscriber;

	/* Distinct path patterns: text -> id, the glob, anchored rules. */
	struct strmap path_map;
	const struct glob **path_globs; /* borrowed from rule files */
	size_t alloc_path_globs;
	struct postings_vec path_post;
	struct pathindex *paths;

	/* Distinct keywords, and the automaton over all of them. */
	struct strmap kw_map;
	struct postings_vec kw_post;
	struct keywords *kw; /* owned; NULL: to be built */
	struct keywords_hits kw_hits;

	/* Literals of subject patterns (lower case), and their automaton. */
	struct strmap subj_map;
	struct postings_vec subj_post;
	struct keywords *subj; /* owned; NULL: to be built */
	struct keywords_hits subj_hits;

	/* Lists ("i:" List-Id, "n:" bare name), authors ("a:" address,
	 * "d:" domain, "n:" name), sections by index. */
	struct strmap list_map, author_map;
	struct postings_vec list_post, author_post;
	struct postings *section_post; /* owned, nr_sections of them */
	struct postings always;

	size_t anchored[RULE_NR_CRITS];

	/* Query scratch. */
	uint32_t gen;
	uint32_t *cand_gen; /* per rule */
	size_t alloc_cand_gen;
	uint32_t *cands;
	size_t nr_cands, alloc_cands;
	uint32_t *sec_gen;	  /* per section: the series is in it */
	struct pat_hit *pat_hits; /* per path pattern */
	size_t alloc_pat_hits;
	uint64_t *pool; /* bitsets of paths, per hit pattern */
	size_t nr_pool, alloc_pool;
	uint32_t *hit_pats; /* patterns hit, in order */
	size_t nr_hit_pats, alloc_hit_pats;
	uint64_t *acc; /* 2 * words of scratch for the verification */
	size_t alloc_acc;
	size_t last_candidates, last_matched;
};

struct match_index *match_index_new(const struct maintainers *m)
{
	struct match_index *ix = xcalloc(1, sizeof(*ix));

	ix->m = m;
	ix->nr_sections = m ? maintainers_count(m) : 0;
	ix->section_post =
		xcalloc(ix->nr_sections + 1, sizeof(*ix->section_post));
	ix->sec_gen = xcalloc(ix->nr_sections + 1, sizeof(*ix->sec_gen));
	ix->paths = pathindex_new();
	return ix;
}

void match_index_free(struct match_index *ix)
{
	if (!ix)
		return;
	for (size_t k = 0; k < ix->nr_rules; k++) {
		for (int i = 0; i < 2; i++) {
			free(ix->rules[k].path_ids[i]);
			free(ix->rules[k].kw_ids[i]);
		}
	}
	free(ix->rules);
	strmap_release(&ix->path_map);
	free(ix->path_globs);
	postings_vec_release(&ix->path_post);
	pathindex_free(ix->paths);
	strmap_release(&ix->kw_map);
	postings_vec_release(&ix->kw_post);
	keywords_free(ix->kw);
	keywords_hits_release(&ix->kw_hits);
	strmap_release(&ix->subj_map);
	postings_vec_release(&ix->subj_post);
	keywords_free(ix->subj);
	keywords_hits_release(&ix->subj_hits);
	strmap_release(&ix->list_map);
	strmap_release(&ix->author_map);
	postings_vec_release(&ix->list_post);
	postings_vec_release(&ix->author_post);
	for (size_t k = 0; k < ix->nr_sections; k++)
		free(ix->section_post[k].v);
	free(ix->section_post);
	free(ix->always.v);
	free(ix->cand_gen);
	free(ix->cands);
	free(ix->sec_gen);
	free(ix->pat_hits);
	free(ix->pool);
	free(ix->hit_pats);
	free(ix->acc);
	free(ix);
}

/* "x:" + key, for the list and author maps. */
static uint32_t tagged_put(struct strmap *m, char tag, const char *key,
			   bool *added)
{
	struct buf b = BUF_INIT;
	uint32_t id;

	buf_addch(&b, tag);
	buf_addch(&b, ':');
	buf_adds(&b, key);
	id = strmap_put(m, b.data, b.len, added);
	buf_release(&b);
	return id;
}

static uint32_t tagged_get(const struct strmap *m, char tag, const char *key,
			   size_t len)
{
	char small[256];
	struct buf b = BUF_INIT;
	uint32_t id;

	if (len + 2 <= sizeof(small)) {
		small[0] = tag;
		small[1] = ':';
		memcpy(small + 2, key, len);
		return strmap_get(m, small, len + 2);
	}
	buf_addch(&b, tag);
	buf_addch(&b, ':');
	buf_add(&b, key, len);
	id = strmap_get(m, b.data, b.len);
	buf_release(&b);
	return id;
}

static uint32_t path_id(struct match_index *ix, const struct rule_value *v)
{
	bool added;
	uint32_t id = strmap_put(&ix->path_map, v->key, strlen(v->key), &added);

	if (added) {
		XGROW(ix->path_globs, ix->alloc_path_globs, (size_t)id + 1);
		ix->path_globs[id] = v->glob;
		pathindex_add(ix->paths, v->glob, id);
		(void)postings_at(&ix->path_post, id);
	}
	return id;
}

static uint32_t keyword_id(struct match_index *ix, const struct rule_value *v)
{
	bool added;
	uint32_t id = strmap_put(&ix->kw_map, v->key, strlen(v->key), &added);

	if (added) {
		(void)postings_at(&ix->kw_post, id);
		/* The automaton is rebuilt before the next query. */
		keywords_free(ix->kw);
		ix->kw = NULL;
	}
	return id;
}

/*
 * The longest run of literal bytes in a (valid) glob pattern, as offset
 * and length: every text the pattern matches contains it.
 */
static void longest_literal(size_t *off, size_t *len, const char *p)
{
	size_t best_off = 0, best = 0, run_off = 0, run = 0;

	for (size_t i = 0; p[i];) {
		if (p[i] == '*' || p[i] == '?' || p[i] == '[') {
			if (p[i] == '[') {
				/* A ']' first in the set is a member. */
				i++;
				if (p[i] == '^')
					i++;
				if (p[i] == ']')
					i++;
				while (p[i] && p[i] != ']')
					i++;
				if (p[i])
					i++;
			} else {
				i++;
			}
			run = 0;
			continue;
		}
		if (!run)
			run_off = i;
		run++;
		i++;
		if (run > best) {
			best = run;
			best_off = run_off;
		}
	}
	*off = best_off;
	*len = best;
}

/* Can every value of the rule's subject criterion be filed by a literal? */
static bool subject_anchorable(const struct rule *r)
{
	const struct rule_values *vals = &r->inc[RULE_SUBJECT];
	size_t off, len;

	if (!vals->nr)
		return false;
	for (size_t k = 0; k < vals->nr; k++) {
		longest_literal(&off, &len, vals->v[k].key);
		if (!len)
			return false;
	}
	return true;
}

static bool sections_anchorable(const struct rule *r)
{
	return r->inc[RULE_SECTIONS].nr > 0;
}

/* File rule id under the values of its anchor criterion. */
static void anchor(struct match_index *ix, uint32_t id)
{
	struct ix_rule *xr = &ix->rules[id];
	const struct rule *r = xr->rule;
	const struct rule_values *vals;
	bool added;
	size_t off, len;

	if (r->inc[RULE_AUTHORS].nr) {
		vals = &r->inc[RULE_AUTHORS];
		for (size_t k = 0; k < vals->nr; k++) {
			static const char tags[] = {'a', 'd', 'n'};
			uint32_t a = tagged_put(&ix->author_map,
						tags[vals->v[k].kind],
						vals->v[k].key, &added);

			postings_add(postings_at(&ix->author_post, a), id);
		}
		ix->anchored[RULE_AUTHORS]++;
	} else if (r->inc[RULE_PATHS].nr) {
		for (size_t k = 0; k < r->inc[RULE_PATHS].nr; k++)
			postings_add(&ix->path_post.v[xr->path_ids[0][k]], id);
		ix->anchored[RULE_PATHS]++;
	} else if (r->inc[RULE_KEYWORDS].nr) {
		for (size_t k = 0; k < r->inc[RULE_KEYWORDS].nr; k++)
			postings_add(&ix->kw_post.v[xr->kw_ids[0][k]], id);
		ix->anchored[RULE_KEYWORDS]++;
	} else if (subject_anchorable(r)) {
		vals = &r->inc[RULE_SUBJECT];
		for (size_t k = 0; k < vals->nr; k++) {
			uint32_t l;

			longest_literal(&off, &len, vals->v[k].key);
			l = strmap_put(&ix->subj_map, vals->v[k].key + off, len,
				       &added);
			if (added) {
				keywords_free(ix->subj);
				ix->subj = NULL;
			}
			postings_add(postings_at(&ix->subj_post, l), id);
		}
		ix->anchored[RULE_SUBJECT]++;
	} else if (sections_anchorable(r)) {
		vals = &r->inc[RULE_SECTIONS];
		for (size_t k = 0; k < vals->nr; k++)
			/* A name not resolved never matches: not filed. */
			if (vals->v[k].section < ix->nr_sections)
				postings_add(
					&ix->section_post[vals->v[k].section],
					id);
		ix->anchored[RULE_SECTIONS]++;
	} else if (r->inc[RULE_LISTS].nr) {
		vals = &r->inc[RULE_LISTS];
		for (size_t k = 0; k < vals->nr; k++) {
			uint32_t l = tagged_put(
				&ix->list_map,
				vals->v[k].kind == RULE_LIST_ID ? 'i' : 'n',
				vals->v[k].key, &added);

			postings_add(postings_at(&ix->list_post, l), id);
		}
		ix->anchored[RULE_LISTS]++;
	} else {
		postings_add(&ix->always, id);
	}
}

void match_index_add(struct match_index *ix, const struct rulefile *rf,
		     int64_t subscriber)
{
	if (rf->maintainers && ix->m && rf->maintainers != ix->m)
		BUG("match: rule file parsed against another MAINTAINERS");
	if (!ix->nr_rules || subscriber != ix->last_subscriber)
		ix->nr_subscribers++;
	ix->last_subscriber = subscriber;
	for (size_t i = 0; i < rf->nr_rules; i++) {
		const struct rule *r = &rf->rules[i];
		struct ix_rule *xr;
		uint32_t id;

		if (ix->nr_rules >= UINT32_MAX - 1)
			BUG("match: too many rules");
		id = (uint32_t)ix->nr_rules;
		XGROW(ix->rules, ix->alloc_rules, ix->nr_rules + 1);
		xr = &ix->rules[ix->nr_rules++];
		memset(xr, 0, sizeof(*xr));
		xr->rf = rf;
		xr->rule = r;
		xr->rule_index = i;
		xr->subscriber = subscriber;
		for (int e = 0; e < 2; e++) {
			const struct rule_values *pv =
				e ? &r->exc[RULE_PATHS] : &r->inc[RULE_PATHS];
			const struct rule_values *kv =
				e ? &r->exc[RULE_KEYWORDS]
				  : &r->inc[RULE_KEYWORDS];

			/* NULL when empty: most rules have neither. */
			if (pv->nr)
				xr->path_ids[e] = xcalloc(
					pv->nr, sizeof(*xr->path_ids[e]));
			for (size_t k = 0; k < pv->nr; k++)
				xr->path_ids[e][k] = path_id(ix, &pv->v[k]);
			if (kv->nr)
				xr->kw_ids[e] =
					xcalloc(kv->nr, sizeof(*xr->kw_ids[e]));
			for (size_t k = 0; k < kv->nr; k++)
				xr->kw_ids[e][k] = keyword_id(ix, &kv->v[k]);
		}
		anchor(ix, id);
	}
}

void match_index_stats(struct match_stats *out, const struct match_index *ix)
{
	memset(out, 0, sizeof(*out));
	out->subscribers = ix->nr_subscribers;
	out->rules = ix->nr_rules;
	out->path_patterns = ix->path_map.nr;
	out->keywords = ix->kw_map.nr;
	out->subject_literals = ix->subj_map.nr;
	for (int k = 0; k < RULE_NR_CRITS; k++)
		out->anchored[k] = ix->anchored[k];
	out->always = ix->always.nr;
	out->candidates = ix->last_candidates;
	out->matched = ix->last_matched;
}

void match_hits_release(struct match_hits *h)
{
	free(h->v);
	memset(h, 0, sizeof(*h));
}

/* --- the series, prepared once per query ------------------------------------
 */

struct prep {
	const struct match_series *s;
	const char **paths; /* owned array, borrowed strings; sorted, unique */
	size_t nr_paths, words;
	char *title; /* owned, lower case */
	size_t title_len;
	char *list;    /* owned, lower case; NULL unknown */
	size_t label;  /* bytes of list's first label */
	char *address; /* owned, lower case; NULL none */
	char *name;    /* owned, normalised; NULL none */
	/* [0]: the sections of the paths; [1 + k]: K: lines of patch k. */
	struct maintainers_result *res;
	size_t nr_res;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool in_section(const struct match_index *ix, size_t section)
{
	return section < ix->nr_sections && ix->sec_gen[section] == ix->gen;
}

/* Bitset of paths for pattern id, or NULL when it matched none. */
static const uint64_t *pat_bits(const struct match_index *ix, uint32_t id)
{
	const struct pat_hit *h = &ix->pat_hits[id];

	return h->gen == ix->gen ? &ix->pool[h->off] : NULL;
}

struct path_cb {
	struct match_index *ix;
	size_t words, path;
};

static void on_path_pattern(uint32_t id, const struct glob *g, void *payload)
{
	struct path_cb *cb = payload;
	struct match_index *ix = cb->ix;
	struct pat_hit *h = &ix->pat_hits[id];

	(void)g;
	if (h->gen != ix->gen) {
		h->gen = ix->gen;
		h->off = (uint32_t)ix->nr_pool;
		XGROW(ix->pool, ix->alloc_pool, ix->nr_pool + cb->words);
		memset(&ix->pool[ix->nr_pool], 0, cb->words * sizeof(uint64_t));
		ix->nr_pool += cb->words;
		XGROW(ix->hit_pats, ix->alloc_hit_pats, ix->nr_hit_pats + 1);
		ix->hit_pats[ix->nr_hit_pats++] = id;
	}
	ix->pool[h->off + cb->path / 64] |= 1ull << (cb->path % 64);
}

/* Parse the counts of a hunk head "@@ -a[,b] +c[,d] @@". */
static bool hunk_head(const char *p, size_t n, unsigned long *old,
		      unsigned long *new)
{
	const char *end = p + n;
	unsigned long *dst[2] = {old, new};

	if (n < 4 || memcmp(p, "@@ -", 4))
		return false;
	p += 3;
	for (int k = 0; k < 2; k++) {
		if (p >= end || *p != (k ? '+' : '-'))
			return false;
		p++;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		*dst[k] = 1; /* "-a" alone is one line (GNU diff) */
		if (p < end && *p == ',') {
			unsigned long v = 0;

			p++;
			if (p >= end || *p < '0' || *p > '9')
				return false;
			while (p < end && *p >= '0' && *p <= '9') {
				if (v > 100000000ul)
					return false;
				v = v * 10 + (unsigned long)(*p++ - '0');
			}
			*dst[k] = v;
		}
		if (p < end && *p == ' ')
			p++;
	}
	return true;
}

/*
 * Call fn on the content of each added and removed line of the hunks of
 * diff: hunks are read by their counts, as git apply does, so file heads
 * ("--- a/x", "+++ b/x") are never taken for changed lines and a removed
 * line that reads "-- x" is.
 */
static void diff_changed_lines(const char *diff, size_t len,
			       void (*fn)(const char *, size_t, void *),
			       void *payload)
{
	unsigned long old = 0, new = 0;
	const char *p = diff, *end = diff + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n && p[n - 1] == '\r')
			n--;
		if (old || new) {
			switch (n ? p[0] : ' ') {
			case '-':
				fn(p + 1, n - 1, payload);
				if (old)
					old--;
				break;
			case '+':
				fn(p + 1, n - 1, payload);
				if (new)
					new --;
				break;
			case '\\': /* "\ No newline at end of file" */
				break;
			default:
				if (old)
					old--;
				if (new)
					new --;
				break;
			}
		} else {
			(void)hunk_head(p, n, &old, &new);
		}
		p = nl ? nl + 1 : end;
	}
}

static void scan_line(const char *line, size_t len, void *payload)
{
	struct match_index *ix = payload;

	keywords_scan(ix->kw, line, len, &ix->kw_hits, NULL);
}

static void build_automata(struct match_index *ix)
{
	if (!ix->kw) {
		ix->kw = keywords_new();
		for (size_t k = 0; k < ix->kw_map.nr_slots; k++) {
			const struct strmap_slot *s = &ix->kw_map.slots[k];

			if (s->key)
				keywords_add(ix->kw, s->key, s->len, s->id);
		}
		keywords_build(ix->kw);
		keywords_hits_init(&ix->kw_hits, ix->kw);
	}
	if (!ix->subj) {
		ix->subj = keywords_new();
		for (size_t k = 0; k < ix->subj_map.nr_slots; k++) {
			const struct strmap_slot *s = &ix->subj_map.slots[k];

			if (s->key)
				keywords_add(ix->subj, s->key, s->len, s->id);
		}
		keywords_build(ix->subj);
		keywords_hits_init(&ix->subj_hits, ix->subj);
	}
}

static void prep_release(struct prep *pp)
{
	free(pp->paths);
	free(pp->title);
	free(pp->list);
	free(pp->address);
	free(pp->name);
	for (size_t k = 0; k < pp->nr_res; k++)
		maintainers_result_release(&pp->res[k]);
	free(pp->res);
	memset(pp, 0, sizeof(*pp));
}

static void mark_sections(struct match_index *ix,
			  const struct maintainers_result *r)
{
	for (size_t k = 0; k < r->nr; k++)
		ix->sec_gen[r->v[k].section] = ix->gen;
}

static void prepare(struct prep *pp, struct match_index *ix,
		    const struct match_series *s)
{
	size_t n = 0;
	const char *dot;

	memset(pp, 0, sizeof(*pp));
	pp->s = s;
	build_automata(ix);
	if (++ix->gen == 0) {
		/* Wrapped: clear every stamp. */
		if (ix->cand_gen)
			memset(ix->cand_gen, 0,
			       ix->alloc_cand_gen * sizeof(*ix->cand_gen));
		memset(ix->sec_gen, 0,
		       (ix->nr_sections + 1) * sizeof(*ix->sec_gen));
		if (ix->pat_hits)
			memset(ix->pat_hits, 0,
			       ix->alloc_pat_hits * sizeof(*ix->pat_hits));
		ix->gen = 1;
	}

	/* Paths: sorted and unique, as get_maintainer.pl takes them. */
	pp->paths = xcalloc(s->nr_paths + 1, sizeof(*pp->paths));
	for (size_t k = 0; k < s->nr_paths; k++)
		if (s->paths[k] && s->paths[k][0])
			pp->paths[n++] = s->paths[k];
	qsort(pp->paths, n, sizeof(*pp->paths), cmp_str);
	pp->nr_paths = 0;
	for (size_t k = 0; k < n; k++)
		if (!pp->nr_paths ||
		    strcmp(pp->paths[pp->nr_paths - 1], pp->paths[k]))
			pp->paths[pp->nr_paths++] = pp->paths[k];
	pp->words = (pp->nr_paths + 63) / 64;

	/* Which distinct path patterns each path matches. */
	if (ix->alloc_pat_hits < ix->path_map.nr) {
		size_t old = ix->alloc_pat_hits;

		XGROW(ix->pat_hits, ix->alloc_pat_hits, ix->path_map.nr);
		memset(&ix->pat_hits[old], 0,
		       (ix->alloc_pat_hits - old) * sizeof(*ix->pat_hits));
	}
	ix->nr_pool = 0;
	ix->nr_hit_pats = 0;
	if (ix->path_map.nr) {
		struct path_cb cb = {ix, pp->words, 0};

		for (size_t k = 0; k < pp->nr_paths; k++) {
			cb.path = k;
			pathindex_query(ix->paths, pp->paths[k],
					strlen(pp->paths[k]), on_path_pattern,
					&cb, NULL);
		}
	}

	/* Sections: of the paths, and of the K: lines of each patch. */
	if (ix->m) {
		pp->res = xcalloc(s->nr_patches + 1, sizeof(*pp->res));
		maintainers_match_files(&pp->res[0], ix->m, pp->paths,
					pp->nr_paths, NULL, 0);
		mark_sections(ix, &pp->res[0]);
		pp->nr_res = 1;
		for (size_t k = 0; k < s->nr_patches; k++) {
			const struct match_patch *mp = &s->patches[k];

			if (!mp->text)
				continue;
			maintainers_match_files(&pp->res[pp->nr_res], ix->m,
						NULL, 0, mp->text, mp->len);
			mark_sections(ix, &pp->res[pp->nr_res]);
			pp->nr_res++;
		}
	}

	/* Keywords in the diffs' changed lines. */
	keywords_hits_reset(&ix->kw_hits);
	if (keywords_count(ix->kw)) {
		for (size_t k = 0; k < s->nr_patches; k++)
			if (s->patches[k].diff)
				diff_changed_lines(s->patches[k].diff,
						   s->patches[k].diff_len,
						   scan_line, ix);
	}

	pp->title = rulefile_lower(s->title ? s->title : "");
	pp->title_len = strlen(pp->title);
	keywords_hits_reset(&ix->subj_hits);
	keywords_scan(ix->subj, pp->title, pp->title_len, &ix->subj_hits, NULL);
	if (s->list_id && s->list_id[0]) {
		pp->list = rulefile_lower(s->list_id);
		dot = strchr(pp->list, '.');
		pp->label = dot ? (size_t)(dot - pp->list) : strlen(pp->list);
	}
	if (s->author_address && s->author_address[0])
		pp->address = rulefile_lower(s->author_address);
	if (s->author_name && s->author_name[0])
		pp->name = rulefile_name_key(s->author_name);
}

/* --- the criteria -------------------------------------------------------- */

/*
 * What the verification says when a person asks. With why NULL (the
 * query's fast path) nothing is formatted.
 */
struct explain {
	struct buf *ok;	  /* one line per criterion that holds */
	struct buf *fail; /* the criterion that failed */
};

static void PRINTF_LIKE(2, 3) say(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	if (!b)
		return;
	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

/*
 * Append s for a person to read: UTF-8 as it is, control bytes, the
 * backslash and bytes that are not UTF-8 as \xNN, so that a mailed
 * explanation stays one line per line whatever a patch names.
 */
static void add_text(struct buf *b, const char *s)
{
	size_t len, n;

	if (!b)
		return;
	if (!s)
		s = "";
	len = strlen(s);
	for (size_t i = 0; i < len; i += n) {
		unsigned char c = (unsigned char)s[i];

		n = 1;
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			buf_addch(b, c);
			continue;
		}
		if (c >= 0x80)
			n = utf8_seq_len(s + i, len - i);
		if (n > 1) {
			buf_add(b, s + i, n);
			continue;
		}
		n = 1;
		buf_addf(b, "\\x%02x", c);
	}
}

static void value_ref(struct buf *b, const struct rule_value *v)
{
	if (!b)
		return;
	buf_addch(b, '\'');
	add_text(b, v->text);
	buf_addf(b, "' (line %d)", v->line);
}

static void values_ref(struct buf *b, const struct rule_values *vals)
{
	for (size_t k = 0; b && k < vals->nr && k < 8; k++) {
		say(b, "%s", k ? ", " : "");
		value_ref(b, &vals->v[k]);
	}
	if (vals->nr > 8)
		say(b, " and %zu more", vals->nr - 8);
}

static bool list_is(const struct prep *pp, const struct rule_value *v)
{
	if (!pp->list)
		return false;
	if (v->kind == RULE_LIST_ID)
		return !strcmp(v->key, pp->list);
	return strlen(v->key) == pp->label &&
	       !memcmp(v->key, pp->list, pp->label);
}

static bool author_is(const struct prep *pp, const struct rule_value *v)
{
	const char *at, *d;
	size_t n, dn;

	switch (v->kind) {
	case RULE_AUTHOR_ADDRESS:
		return pp->address && !strcmp(v->key, pp->address);
	case RULE_AUTHOR_NAME:
		return pp->name && !strcmp(v->key, pp->name);
	case RULE_AUTHOR_DOMAIN:
		if (!pp->address || !(at = strrchr(pp->address, '@')))
			return false;
		d = at + 1;
		n = strlen(d);
		dn = strlen(v->key);
		/* The domain itself, or a subdomain of it. */
		return n >= dn && !strcmp(d + n - dn, v->key) &&
		       (n == dn || d[n - dn - 1] == '.');
	}
	return false;
}

/* The MAINTAINERS line that put the series in section idx. */
static void section_evidence(struct buf *b, const struct prep *pp, size_t idx)
{
	for (size_t k = 0; b && k < pp->nr_res; k++) {
		const struct maintainers_result *r = &pp->res[k];

		for (size_t i = 0; i < r->nr; i++) {
			const struct maintainers_match *mm = &r->v[i];
			const struct maintainers_hit *h;

			if (mm->section != idx || !mm->nr_hits)
				continue;
			h = &mm->hits[0];
			if (h->path) {
				say(b, " holds ");
				add_text(b, h->path);
				say(b, " through %c: %s (MAINTAINERS line %u)",
				    h->entry->type, h->entry->value,
				    h->entry->lineno);
			} else
				say(b,
				    " through K: %s (MAINTAINERS line %u) in "
				    "a patch's text",
				    h->entry->value, h->entry->lineno);
			return;
		}
	}
}

/* Was section idx listed by a result before res[k].v[i]? */
static bool listed_before(const struct prep *pp, size_t k, size_t i, size_t idx)
{
	for (size_t a = 0; a <= k; a++)
		for (size_t b = 0; b < (a == k ? i : pp->res[a].nr); b++)
			if (pp->res[a].v[b].section == idx)
				return true;
	return false;
}

/* The series' sections, in get_maintainer.pl's order. */
static void series_sections(struct buf *b, const struct match_index *ix,
			    const struct prep *pp, size_t max)
{
	size_t n = 0;

	for (size_t k = 0; b && k < pp->nr_res; k++) {
		for (size_t i = 0; i < pp->res[k].nr; i++) {
			size_t idx = pp->res[k].v[i].section;

			if (listed_before(pp, k, i, idx))
				continue;
			if (n < max)
				say(b, "%s'%s'", n ? ", " : "",
				    maintainers_section(ix->m, idx)->name);
			n++;
		}
	}
	if (n > max)
		say(b, " and %zu more", n - max);
	if (!n)
		say(b, "no section");
}

/*
 * The paths criterion: some path matches an include pattern and no
 * exclude pattern of the rule (exclude alone: some path is not excluded,
 * or the series touches none).
 */
static bool check_paths(struct match_index *ix, const struct prep *pp,
			const struct ix_rule *xr, const struct explain *ex)
{
	const struct rule *r = xr->rule;
	const struct rule_values *inc = &r->inc[RULE_PATHS];
	const struct rule_values *exc = &r->exc[RULE_PATHS];
	size_t w = pp->words;
	uint64_t *acc, *cut;
	bool any = false;

	if (!inc->nr && !exc->nr)
		return true;
	if (!pp->nr_paths) {
		if (!inc->nr)
			return true;
		say(ex->fail, "paths: the series touches no file\n");
		return false;
	}
	XGROW(ix->acc, ix->alloc_acc, 2 * w);
	acc = ix->acc;
	cut = ix->acc + w;
	for (size_t k = 0; k < w; k++) {
		acc[k] = inc->nr ? 0 : ~0ull;
		cut[k] = 0;
	}
	if (!inc->nr && pp->nr_paths % 64)
		acc[w - 1] = (1ull << (pp->nr_paths % 64)) - 1;
	for (size_t i = 0; i < inc->nr; i++) {
		const uint64_t *bits = pat_bits(ix, xr->path_ids[0][i]);

		for (size_t k = 0; bits && k < w; k++)
			acc[k] |= bits[k];
	}
	for (size_t i = 0; i < exc->nr; i++) {
		const uint64_t *bits = pat_bits(ix, xr->path_ids[1][i]);

		for (size_t k = 0; bits && k < w; k++)
			cut[k] |= bits[k];
	}
	for (size_t k = 0; k < w; k++)
		if (acc[k] & ~cut[k])
			any = true;
	if (!ex->ok && !ex->fail)
		return any;

	if (any) {
		/* Name the first path that made it, and its pattern. */
		for (size_t j = 0; j < pp->nr_paths; j++) {
			if (!(acc[j / 64] & ~cut[j / 64] & (1ull << (j % 64))))
				continue;
			say(ex->ok, "  paths: ");
			add_text(ex->ok, pp->paths[j]);
			for (size_t i = 0; i < inc->nr; i++) {
				const uint64_t *bits =
					pat_bits(ix, xr->path_ids[0][i]);

				if (bits &&
				    (bits[j / 64] & (1ull << (j % 64)))) {
					say(ex->ok, " matches ");
					value_ref(ex->ok, &inc->v[i]);
					break;
				}
			}
			if (!inc->nr)
				say(ex->ok, " is not excluded");
			say(ex->ok, "\n");
			break;
		}
		return true;
	}
	for (size_t k = 0; k < w; k++)
		if (acc[k])
			any = true;
	if (!any) {
		say(ex->fail, "paths: none of its %zu paths (", pp->nr_paths);
		for (size_t j = 0; j < pp->nr_paths && j < 5; j++) {
			say(ex->fail, "%s", j ? ", " : "");
			add_text(ex->fail, pp->paths[j]);
		}
		say(ex->fail, "%s) matches ", pp->nr_paths > 5 ? ", ..." : "");
		values_ref(ex->fail, inc);
		say(ex->fail, "\n");
		return false;
	}
	/* Matched, but every such path is excluded: name one. */
	for (size_t j = 0; j < pp->nr_paths; j++) {
		if (!(acc[j / 64] & (1ull << (j % 64))))
			continue;
		say(ex->fail, "paths: every path %sis excluded: ",
		    inc->nr ? "it matches " : "");
		add_text(ex->fail, pp->paths[j]);
		say(ex->fail, " by exclude-paths ");
		for (size_t i = 0; i < exc->nr; i++) {
			const uint64_t *bits = pat_bits(ix, xr->path_ids[1][i]);

			if (bits && (bits[j / 64] & (1ull << (j % 64)))) {
				value_ref(ex->fail, &exc->v[i]);
				break;
			}
		}
		say(ex->fail, "\n");
		break;
	}
	return false;
}

/* Whether value k of criterion c (exclude: e) holds for the series. */
static bool value_holds(const struct match_index *ix, const struct prep *pp,
			const struct ix_rule *xr, enum rule_crit c, int e,
			size_t k)
{
	const struct rule_value *v =
		e ? &xr->rule->exc[c].v[k] : &xr->rule->inc[c].v[k];

	switch (c) {
	case RULE_LISTS:
		return list_is(pp, v);
	case RULE_SECTIONS:
		return in_section(ix, v->section);
	case RULE_SUBJECT:
		return glob_match(v->glob, pp->title, pp->title_len, NULL);
	case RULE_AUTHORS:
		return author_is(pp, v);
	case RULE_KEYWORDS:
		return keywords_hits_has(&ix->kw_hits, xr->kw_ids[e][k]);
	case RULE_PATHS:
	case RULE_NR_CRITS:
		break;
	}
	BUG("match: criterion %d", c);
}

/* What the series has, for a failure message about criterion c. */
static void series_fact(struct buf *b, const struct match_index *ix,
			const struct prep *pp, enum rule_crit c)
{
	if (!b)
		return;
	switch (c) {
	case RULE_LISTS:
		say(b, "the series was posted to ");
		add_text(b, pp->list ? pp->list : "an unknown list");
		break;
	case RULE_SECTIONS:
		if (!ix->m) {
			say(b, "no MAINTAINERS file is at hand");
			break;
		}
		say(b, "the series is in ");
		series_sections(b, ix, pp, 6);
		break;
	case RULE_SUBJECT:
		say(b, "the title '");
		add_text(b, pp->s->title);
		say(b, "'");
		break;
	case RULE_AUTHORS:
		say(b, "the author ");
		add_text(b, pp->s->author_name);
		say(b, " <");
		add_text(b, pp->s->author_address);
		say(b, ">");
		break;
	case RULE_KEYWORDS:
		say(b, "no added or removed line holds");
		break;
	case RULE_PATHS:
	case RULE_NR_CRITS:
		break;
	}
}

/* What joins series_fact() and the values in a failure message. */
static const char *const none_of[RULE_NR_CRITS] = {
	", not to any of ",   /* lists */
	"; none of them is ", /* sections */
	"",		      /* paths: check_paths() says it */
	" matches none of ",  /* subject */
	" is none of ",	      /* authors */
	" any of ",	      /* keywords */
};

/* A list-valued criterion other than paths: include, then exclude. */
static bool check_values(struct match_index *ix, const struct prep *pp,
			 const struct ix_rule *xr, enum rule_crit c,
			 const struct explain *ex)
{
	const struct rule_values *inc = &xr->rule->inc[c];
	const struct rule_values *exc = &xr->rule->exc[c];
	const char *name = rule_crit_name(c);
	size_t k;

	if (inc->nr) {
		for (k = 0; k < inc->nr; k++)
			if (value_holds(ix, pp, xr, c, 0, k))
				break;
		if (k == inc->nr) {
			say(ex->fail, "%s: ", name);
			series_fact(ex->fail, ix, pp, c);
			say(ex->fail, "%s", none_of[c]);
			values_ref(ex->fail, inc);
			say(ex->fail, "\n");
			return false;
		}
		say(ex->ok, "  %s: ", name);
		value_ref(ex->ok, &inc->v[k]);
		if (c == RULE_SECTIONS)
			section_evidence(ex->ok, pp, inc->v[k].section);
		else if (c == RULE_KEYWORDS)
			say(ex->ok, " is in an added or removed line");
		else
			say(ex->ok, " holds");
		say(ex->ok, "\n");
	}
	for (k = 0; k < exc->nr; k++) {
		if (!value_holds(ix, pp, xr, c, 1, k))
			continue;
		say(ex->fail, "exclude-%s: ", name);
		value_ref(ex->fail, &exc->v[k]);
		if (c == RULE_SECTIONS)
			section_evidence(ex->fail, pp, exc->v[k].section);
		else if (c == RULE_KEYWORDS)
			say(ex->fail, " is in an added or removed line");
		else {
			say(ex->fail, " holds: ");
			series_fact(ex->fail, ix, pp, c);
		}
		say(ex->fail, "\n");
		return false;
	}
	if (exc->nr)
		say(ex->ok, "  exclude-%s: none holds\n", name);
	return true;
}

static void given_at(struct buf *b, int line)
{
	if (line)
		say(b, " (line %d)", line);
	else
		say(b, " (the default)");
}

/* Verify rule xr; with ex's buffers set, say why. */
static bool check_rule(struct match_index *ix, const struct prep *pp,
		       const struct ix_rule *xr, const struct explain *ex)
{
	const struct rule *r = xr->rule;
	const struct match_series *s = pp->s;

	for (int c = 0; c < RULE_NR_CRITS; c++) {
		bool ok = c == RULE_PATHS ? check_paths(ix, pp, xr, ex)
					  : check_values(ix, pp, xr,
							 (enum rule_crit)c, ex);
		if (!ok)
			return false;
	}
	if ((r->rfc == RULE_RFC_NO && s->rfc) ||
	    (r->rfc == RULE_RFC_ONLY && !s->rfc)) {
		say(ex->fail, "rfc: the series is %san RFC, and rfc = %s",
		    s->rfc ? "" : "not ", rule_rfc_name(r->rfc));
		given_at(ex->fail, r->rfc_line);
		say(ex->fail, "\n");
		return false;
	}
	if (r->rfc_line) {
		say(ex->ok, "  rfc: the series is %san RFC, and rfc = %s\n",
		    s->rfc ? "" : "not ", rule_rfc_name(r->rfc));
	}
	if (r->versions == RULE_VERSIONS_NEWEST && !s->newest) {
		say(ex->fail, "versions: a newer version supersedes this "
			      "series, and versions = newest");
		given_at(ex->fail, r->versions_line);
		say(ex->fail, "\n");
		return false;
	}
	say(ex->ok, "  versions: %s",
	    r->versions == RULE_VERSIONS_NEWEST ? "the newest version"
						: "any version");
	given_at(ex->ok, r->versions_line);
	say(ex->ok, "\n");
	if (s->reviews < 0 || (unsigned)s->reviews < r->min_reviews) {
		say(ex->fail,
		    "min-reviews: the series has %d, at least %u "
		    "wanted (line %d)\n",
		    s->reviews, r->min_reviews, r->min_reviews_line);
		return false;
	}
	if (r->min_reviews)
		say(ex->ok, "  min-reviews: %d reviews, at least %u wanted\n",
		    s->reviews, r->min_reviews);
	return true;
}

/* --- the query --------------------------------------------------------------
 */

static void candidate(struct match_index *ix, uint32_t rule)
{
	if (ix->cand_gen[rule] == ix->gen)
		return;
	ix->cand_gen[rule] = ix->gen;
	XGROW(ix->cands, ix->alloc_cands, ix->nr_cands + 1);
	ix->cands[ix->nr_cands++] = rule;
}

static void candidates_of(struct match_index *ix, const struct postings *p)
{
	for (size_t k = 0; p && k < p->nr; k++)
		candidate(ix, p->v[k]);
}

static const struct postings *posted(const struct postings_vec *pv, uint32_t id)
{
	return id != NONE && id < pv->nr ? &pv->v[id] : NULL;
}

static void collect(struct match_index *ix, const struct prep *pp)
{
	ix->nr_cands = 0;
	if (ix->alloc_cand_gen < ix->nr_rules) {
		size_t old = ix->alloc_cand_gen;

		XGROW(ix->cand_gen, ix->alloc_cand_gen, ix->nr_rules);
		memset(&ix->cand_gen[old], 0,
		       (ix->alloc_cand_gen - old) * sizeof(*ix->cand_gen));
	}
	candidates_of(ix, &ix->always);

	if (pp->address) {
		const char *at = strrchr(pp->address, '@');

		candidates_of(
			ix, posted(&ix->author_post,
				   tagged_get(&ix->author_map, 'a', pp->address,
					      strlen(pp->address))));
		/* The domain and each parent domain. */
		for (const char *d = at ? at + 1 : NULL; d && *d;) {
			const char *dot = strchr(d, '.');

			candidates_of(ix,
				      posted(&ix->author_post,
					     tagged_get(&ix->author_map, 'd', d,
							strlen(d))));
			d = dot ? dot + 1 : NULL;
		}
	}
	if (pp->name)
		candidates_of(ix,
			      posted(&ix->author_post,
				     tagged_get(&ix->author_map, 'n', pp->name,
						strlen(pp->name))));
	for (size_t k = 0; k < ix->nr_hit_pats; k++)
		candidates_of(ix, &ix->path_post.v[ix->hit_pats[k]]);
	for (size_t k = 0; k < ix->kw_hits.nr; k++)
		candidates_of(ix, posted(&ix->kw_post, ix->kw_hits.ids[k]));
	for (size_t k = 0; k < ix->subj_hits.nr; k++)
		candidates_of(ix, posted(&ix->subj_post, ix->subj_hits.ids[k]));
	for (size_t k = 0; k < pp->nr_res; k++)
		for (size_t i = 0; i < pp->res[k].nr; i++)
			candidates_of(
				ix, &ix->section_post[pp->res[k].v[i].section]);
	if (pp->list) {
		candidates_of(ix,
			      posted(&ix->list_post,
				     tagged_get(&ix->list_map, 'i', pp->list,
						strlen(pp->list))));
		candidates_of(ix, posted(&ix->list_post,
					 tagged_get(&ix->list_map, 'n',
						    pp->list, pp->label)));
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void match_index_query(struct match_hits *out, struct match_index *ix,
		       const struct match_series *s)
{
	static const struct explain quiet = {NULL, NULL};
	struct prep pp;
	size_t matched = 0;

	prepare(&pp, ix, s);
	collect(ix, &pp);
	if (ix->nr_cands) /* qsort(NULL, 0, ...) is undefined */
		qsort(ix->cands, ix->nr_cands, sizeof(*ix->cands), cmp_u32);
	for (size_t k = 0; k < ix->nr_cands; k++) {
		const struct ix_rule *xr = &ix->rules[ix->cands[k]];

		if (!check_rule(ix, &pp, xr, &quiet))
			continue;
		XGROW(out->v, out->alloc, out->nr + 1);
		out->v[out->nr].subscriber = xr->subscriber;
		out->v[out->nr].rf = xr->rf;
		out->v[out->nr].rule = xr->rule_index;
		out->nr++;
		matched++;
	}
	ix->last_candidates = ix->nr_cands;
	ix->last_matched = matched;
	prep_release(&pp);
}

/* --- explanations --------------------------------------------------------- */

static void explain_series(struct buf *out, const struct match_index *ix,
			   const struct prep *pp)
{
	const struct match_series *s = pp->s;

	buf_addf(out, "series %lld: ", (long long)s->id);
	add_text(out, s->title);
	buf_addf(out, " (v%d)\n", s->version);
	buf_adds(out, "  author: ");
	add_text(out, s->author_name);
	buf_adds(out, " <");
	add_text(out, s->author_address);
	buf_adds(out, ">\n  list: ");
	add_text(out, s->list_id ? s->list_id : "unknown");
	buf_addch(out, '\n');
	buf_addf(out, "  newest version: %s; RFC: %s; reviews: %d\n",
		 s->newest ? "yes" : "no (superseded)", s->rfc ? "yes" : "no",
		 s->reviews);
	buf_addf(out, "  paths (%zu):", pp->nr_paths);
	for (size_t k = 0; k < pp->nr_paths && k < 20; k++) {
		buf_addch(out, ' ');
		add_text(out, pp->paths[k]);
	}
	if (pp->nr_paths > 20)
		buf_addf(out, " ... (%zu more)", pp->nr_paths - 20);
	buf_addch(out, '\n');
	if (!ix->m) {
		buf_adds(out, "  sections: unknown (no MAINTAINERS file at "
			      "hand)\n");
		return;
	}
	buf_adds(out, "  sections: ");
	series_sections(out, ix, pp, 20);
	buf_addch(out, '\n');
}

size_t match_explain(struct buf *out, const struct rulefile *rf,
		     const struct maintainers *m, const struct match_series *s)
{
	struct match_index *ix = match_index_new(m);
	struct buf ok = BUF_INIT, fail = BUF_INIT, names = BUF_INIT;
	struct explain ex = {&ok, &fail};
	struct prep pp;
	size_t matched = 0;

	match_index_add(ix, rf, 0);
	prepare(&pp, ix, s);
	explain_series(out, ix, &pp);
	for (size_t k = 0; k < ix->nr_rules; k++) {
		const struct ix_rule *xr = &ix->rules[k];
		bool hit;

		buf_reset(&ok);
		buf_reset(&fail);
		hit = check_rule(ix, &pp, xr, &ex);
		buf_adds(out, "rule '");
		add_text(out, xr->rule->name);
		buf_addf(out, "' (line %d): %s\n", xr->rule->line,
			 hit ? "matches" : "no match");
		if (hit) {
			buf_add(out, ok.data, ok.len);
			buf_adds(&names, matched ? ", '" : "'");
			add_text(&names, xr->rule->name);
			buf_addch(&names, '\'');
			matched++;
		} else {
			buf_adds(out, "  ");
			buf_add(out, fail.data, fail.len);
		}
	}
	if (matched)
		buf_addf(out, "result: the series matches (rule%s %s)\n",
			 matched > 1 ? "s" : "", names.data);
	else
		buf_adds(out, "result: no rule matches\n");
	buf_release(&ok);
	buf_release(&fail);
	buf_release(&names);
	prep_release(&pp);
	match_index_free(ix);
	return matched;
}
