/*
 * keywords.c: see keywords.h. The trie is built with a growable edge list
 * per state; keywords_build() sorts the edges into one flat array (binary
 * searched while scanning), gives the root a full 256-entry table (most
 * text bytes leave the root straight back to it), and computes, breadth
 * first, each state's failure link (the longest proper suffix of its
 * string that is also a trie state) and dictionary link (the nearest state
 * along the failure chain where a string ends).
 */
#include <stdlib.h>
#include <string.h>

#include "keywords.h"
#include "log.h"
#include "xalloc.h"

#define ROOT 0u
#define NONE UINT32_MAX

struct kw_build_edges {
	unsigned char *bytes;
	uint32_t *next;
	size_t nr, alloc_bytes, alloc_next;
};

struct kw_state {
	uint32_t edges; /* first edge in kw->edge_* */
	uint32_t nr_edges;
	uint32_t fail; /* failure link */
	uint32_t dict; /* nearest state on the failure chain with
			  outputs, or NONE */
	uint32_t out;  /* first id in kw->out_ids */
	uint32_t nr_out;
};

struct kw_output {
	uint32_t state, id;
};

struct keywords {
	struct kw_state *states; /* owned */
	size_t nr_states, alloc_states;
	struct kw_build_edges *building; /* owned until built */
	unsigned char *edge_byte;	 /* owned, sorted per state */
	uint32_t *edge_next;		 /* owned */
	uint32_t root_next[256];
	struct kw_output *outputs; /* owned: (state, id), sorted by state */
	size_t nr_outputs, alloc_outputs;
	uint32_t *out_ids; /* owned */
	uint32_t max_id;
	size_t nr_strings;
	bool built;
};

struct keywords *keywords_new(void)
{
	struct keywords *kw = xcalloc(1, sizeof(*kw));

	XGROW(kw->states, kw->alloc_states, 1);
	memset(&kw->states[0], 0, sizeof(kw->states[0]));
	kw->states[0].dict = NONE;
	kw->nr_states = 1;
	/* One set of build edges per allocated state (new_state()). */
	kw->building = xcalloc(kw->alloc_states, sizeof(*kw->building));
	return kw;
}

static void free_building(struct keywords *kw)
{
	if (!kw->building)
		return;
	for (size_t k = 0; k < kw->nr_states; k++) {
		free(kw->building[k].bytes);
		free(kw->building[k].next);
	}
	free(kw->building);
	kw->building = NULL;
}

void keywords_free(struct keywords *kw)
{
	if (!kw)
		return;
	free_building(kw);
	free(kw->states);
	free(kw->edge_byte);
	free(kw->edge_next);
	free(kw->outputs);
	free(kw->out_ids);
	free(kw);
}

/* The child of state s on byte c while building, or NONE. */
static uint32_t build_child(const struct keywords *kw, uint32_t s,
			    unsigned char c)
{
	const struct kw_build_edges *e = &kw->building[s];

	for (size_t k = 0; k < e->nr; k++)
		if (e->bytes[k] == c)
			return e->next[k];
	return NONE;
}

static uint32_t new_state(struct keywords *kw)
{
	size_t old_alloc = kw->alloc_states;
	struct kw_state *st;

	if (kw->nr_states >= UINT32_MAX - 1)
		BUG("keywords: too many states");
	XGROW(kw->states, kw->alloc_states, kw->nr_states + 1);
	if (kw->alloc_states != old_alloc) {
		/* The build edges follow the states' allocation. */
		kw->building = xrealloc(
			kw->building, kw->alloc_states * sizeof(*kw->building));
		memset(&kw->building[old_alloc], 0,
		       (kw->alloc_states - old_alloc) * sizeof(*kw->building));
	}
	st = &kw->states[kw->nr_states];
	memset(st, 0, sizeof(*st));
	st->dict = NONE;
	return (uint32_t)kw->nr_states++;
}

void keywords_add(struct keywords *kw, const char *s, size_t len, uint32_t id)
{
	uint32_t cur = ROOT;

	if (kw->built)
		BUG("keywords: add after build");
	if (!len)
		BUG("keywords: empty string");
	if (id == UINT32_MAX)
		BUG("keywords: id out of range");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		uint32_t next = build_child(kw, cur, c);

		if (next == NONE) {
			struct kw_build_edges *e;

			next = new_state(kw);
			e = &kw->building[cur];
			XGROW(e->bytes, e->alloc_bytes, e->nr + 1);
			XGROW(e->next, e->alloc_next, e->nr + 1);
			e->bytes[e->nr] = c;
			e->next[e->nr] = next;
			e->nr++;
		}
		cur = next;
	}
	XGROW(kw->outputs, kw->alloc_outputs, kw->nr_outputs + 1);
	kw->outputs[kw->nr_outputs].state = cur;
	kw->outputs[kw->nr_outputs].id = id;
	kw->nr_outputs++;
	if (id > kw->max_id)
		kw->max_id = id;
	kw->nr_strings++;
}

static int cmp_output(const void *a, const void *b)
{
	const struct kw_output *x = a, *y = b;

	if (x->state != y->state)
		return x->state < y->state ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The child of state s on byte c once built, or NONE. */
static uint32_t child(const struct keywords *kw, uint32_t s, unsigned char c)
{
	const struct kw_state *st = &kw->states[s];
	size_t lo = st->edges, hi = (size_t)st->edges + st->nr_edges;

	if (s == ROOT)
		return kw->root_next[c];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (kw->edge_byte[mid] == c)
			return kw->edge_next[mid];
		if (kw->edge_byte[mid] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NONE;
}

/* Sort the build edges of every state into the flat arrays. */
static void flatten_edges(struct keywords *kw)
{
	size_t total = 0, at = 0;

	for (size_t s = 0; s < kw->nr_states; s++)
		total += kw->building[s].nr;
	kw->edge_byte = xmalloc(total + 1);
	kw->edge_next = xcalloc(total + 1, sizeof(*kw->edge_next));
	for (size_t s = 0; s < kw->nr_states; s++) {
		struct kw_build_edges *e = &kw->building[s];
		struct kw_state *st = &kw->states[s];
		uint32_t by_byte[256];
		bool has[256] = {false};

		for (size_t k = 0; k < e->nr; k++) {
			has[e->bytes[k]] = true;
			by_byte[e->bytes[k]] = e->next[k];
		}
		st->edges = (uint32_t)at;
		st->nr_edges = (uint32_t)e->nr;
		for (unsigned c = 0; c < 256; c++) {
			if (!has[c])
				continue;
			kw->edge_byte[at] = (unsigned char)c;
			kw->edge_next[at] = by_byte[c];
			at++;
		}
	}
}

void keywords_build(struct keywords *kw)
{
	uint32_t *queue;
	size_t head = 0, tail = 0;

	if (kw->built)
		BUG("keywords: built twice");
	flatten_edges(kw);
	/* The root answers from a full table. */
	for (unsigned c = 0; c < 256; c++)
		kw->root_next[c] = NONE;
	for (size_t k = 0; k < kw->building[ROOT].nr; k++)
		kw->root_next[kw->building[ROOT].bytes[k]] =
			kw->building[ROOT].next[k];
	free_building(kw);

	/* Outputs, grouped by state. */
	if (kw->nr_outputs) /* qsort(NULL, 0, ...) is undefined */
		qsort(kw->outputs, kw->nr_outputs, sizeof(*kw->outputs),
		      cmp_output);
	kw->out_ids = xcalloc(kw->nr_outputs + 1, sizeof(*kw->out_ids));
	for (size_t k = 0; k < kw->nr_outputs; k++) {
		struct kw_state *st = &kw->states[kw->outputs[k].state];

		if (!st->nr_out)
			st->out = (uint32_t)k;
		st->nr_out++;
		kw->out_ids[k] = kw->outputs[k].id;
	}

	/* Failure and dictionary links, breadth first. */
	queue = xcalloc(kw->nr_states + 1, sizeof(*queue));
	kw->states[ROOT].fail = ROOT;
	for (unsigned c = 0; c < 256; c++) {
		uint32_t v = kw->root_next[c];

		if (v == NONE)
			continue;
		kw->states[v].fail = ROOT;
		kw->states[v].dict = NONE;
		queue[tail++] = v;
	}
	while (head < tail) {
		uint32_t u = queue[head++];
		const struct kw_state *su = &kw->states[u];

		for (uint32_t k = su->edges; k < su->edges + su->nr_edges;
		     k++) {
			unsigned char c = kw->edge_byte[k];
			uint32_t v = kw->edge_next[k], f = su->fail, g;

			for (;;) {
				g = child(kw, f, c);
				if (g != NONE || f == ROOT)
					break;
				f = kw->states[f].fail;
			}
			g = g == NONE ? ROOT : g;
			kw->states[v].fail = g;
			kw->states[v].dict =
				kw->states[g].nr_out ? g : kw->states[g].dict;
			queue[tail++] = v;
		}
	}
	free(queue);
	kw->built = true;
}

size_t keywords_count(const struct keywords *kw)
{
	return kw->nr_strings;
}

size_t keywords_states(const struct keywords *kw)
{
	return kw->nr_states;
}

void keywords_hits_init(struct keywords_hits *h, const struct keywords *kw)
{
	if (!kw->built)
		BUG("keywords: hits for an automaton not built");
	keywords_hits_release(h);
	h->nr_id_slots = kw->nr_strings ? (size_t)kw->max_id + 1 : 0;
	h->nr_states = kw->nr_states;
	h->ids = xcalloc(h->nr_id_slots + 1, sizeof(*h->ids));
	h->id_gen = xcalloc(h->nr_id_slots + 1, sizeof(*h->id_gen));
	h->state_gen = xcalloc(h->nr_states + 1, sizeof(*h->state_gen));
	h->gen = 1;
	h->nr = 0;
}

void keywords_hits_reset(struct keywords_hits *h)
{
	h->nr = 0;
	if (++h->gen == 0) {
		/* Wrapped: stamps from 2^32 resets ago would read as now. */
		memset(h->id_gen, 0, (h->nr_id_slots + 1) * sizeof(*h->id_gen));
		memset(h->state_gen, 0,
		       (h->nr_states + 1) * sizeof(*h->state_gen));
		h->gen = 1;
	}
}

void keywords_hits_release(struct keywords_hits *h)
{
	free(h->ids);
	free(h->id_gen);
	free(h->state_gen);
	memset(h, 0, sizeof(*h));
}

bool keywords_hits_has(const struct keywords_hits *h, uint32_t id)
{
	return id < h->nr_id_slots && h->id_gen[id] == h->gen;
}

/*
 * Report the strings ending at state s: its own and those along its
 * dictionary chain. A state reported once since the reset has had its
 * whole chain reported then, so the walk stops there: each state costs
 * one visit per reset, and a scan stays linear.
 */
static size_t report(const struct keywords *kw, uint32_t s,
		     struct keywords_hits *h, size_t *moves)
{
	size_t found = 0;

	if (!kw->states[s].nr_out)
		s = kw->states[s].dict;
	for (; s != NONE && h->state_gen[s] != h->gen; s = kw->states[s].dict) {
		const struct kw_state *st = &kw->states[s];

		h->state_gen[s] = h->gen;
		(*moves)++;
		for (uint32_t k = st->out; k < st->out + st->nr_out; k++) {
			uint32_t id = kw->out_ids[k];

			if (h->id_gen[id] == h->gen)
				continue;
			h->id_gen[id] = h->gen;
			h->ids[h->nr++] = id;
			found++;
		}
	}
	return found;
}

size_t keywords_scan(const struct keywords *kw, const char *text, size_t len,
		     struct keywords_hits *h, size_t *steps)
{
	uint32_t s = ROOT;
	size_t found = 0, moves = 0;

	if (!kw->built)
		BUG("keywords: scan before build");
	if (h->nr_states != kw->nr_states)
		BUG("keywords: hits sized for another automaton");
	if (!kw->nr_strings)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		uint32_t n;

		/* Each failure move shortens the match, which each byte
		 * lengthens by one at most: at most len of them in all. */
		for (;;) {
			moves++;
			n = child(kw, s, c);
			if (n != NONE || s == ROOT)
				break;
			s = kw->states[s].fail;
		}
		s = n == NONE ? ROOT : n;
		if (s != ROOT &&
		    (kw->states[s].nr_out || kw->states[s].dict != NONE))
			found += report(kw, s, h, &moves);
	}
	if (steps)
		*steps += moves;
	return found;
}
