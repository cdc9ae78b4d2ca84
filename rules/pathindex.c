/*
 * pathindex.c: see pathindex.h. An open-addressing hash table from
 * directory prefix to the patterns filed under it.
 */
#include <stdlib.h>
#include <string.h>

#include "pathindex.h"
#include "xalloc.h"

struct pathindex_item {
	const struct glob *g;
	uint32_t id;
};

struct pathindex_bucket {
	const char *key; /* borrowed from a glob's text; NULL: empty slot */
	size_t key_len;
	uint64_t hash;
	struct pathindex_item *items; /* owned */
	size_t nr, alloc;
};

struct pathindex {
	struct pathindex_bucket *slots; /* owned; a power of two of them */
	size_t nr_slots, nr_used, nr_patterns;
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

struct pathindex *pathindex_new(void)
{
	struct pathindex *ix = xcalloc(1, sizeof(*ix));

	ix->nr_slots = 64;
	ix->slots = xcalloc(ix->nr_slots, sizeof(*ix->slots));
	return ix;
}

void pathindex_free(struct pathindex *ix)
{
	if (!ix)
		return;
	for (size_t k = 0; k < ix->nr_slots; k++)
		free(ix->slots[k].items);
	free(ix->slots);
	free(ix);
}

static struct pathindex_bucket *find_slot(struct pathindex_bucket *slots,
					  size_t nr_slots, const char *key,
					  size_t len, uint64_t h)
{
	size_t mask = nr_slots - 1;

	for (size_t k = (size_t)h & mask;; k = (k + 1) & mask) {
		struct pathindex_bucket *b = &slots[k];

		if (!b->key)
			return b;
		if (b->hash == h && b->key_len == len &&
		    memcmp(b->key, key, len) == 0)
			return b;
	}
}

static void grow(struct pathindex *ix)
{
	size_t n = ix->nr_slots * 2;
	struct pathindex_bucket *slots = xcalloc(n, sizeof(*slots));

	for (size_t k = 0; k < ix->nr_slots; k++) {
		struct pathindex_bucket *b = &ix->slots[k];

		if (b->key)
			*find_slot(slots, n, b->key, b->key_len, b->hash) = *b;
	}
	free(ix->slots);
	ix->slots = slots;
	ix->nr_slots = n;
}

void pathindex_add(struct pathindex *ix, const struct glob *g, uint32_t id)
{
	const char *key = glob_text(g);
	size_t len = glob_dir_prefix_len(g);
	size_t extra = glob_literal_len(g) - len;
	uint64_t h;
	struct pathindex_bucket *b;

	len += extra < PATHINDEX_KEY_EXTRA ? extra : PATHINDEX_KEY_EXTRA;
	h = hash_bytes(key, len);

	if ((ix->nr_used + 1) * 4 > ix->nr_slots * 3)
		grow(ix);
	b = find_slot(ix->slots, ix->nr_slots, key, len, h);
	if (!b->key) {
		/* "" must not read as an empty slot: point at the text. */
		b->key = key;
		b->key_len = len;
		b->hash = h;
		ix->nr_used++;
	}
	XGROW(b->items, b->alloc, b->nr + 1);
	b->items[b->nr].g = g;
	b->items[b->nr].id = id;
	b->nr++;
	ix->nr_patterns++;
}

/* Report the patterns filed under key path[0, end) that match path. */
static size_t probe(const struct pathindex *ix, const char *path, size_t len,
		    size_t end, uint64_t h, pathindex_fn *fn, void *payload,
		    size_t *steps)
{
	const struct pathindex_bucket *b;
	size_t found = 0;

	b = find_slot(ix->slots, ix->nr_slots, path, end, h);
	if (!b->key)
		return 0;
	for (size_t k = 0; k < b->nr; k++) {
		if (glob_match(b->items[k].g, path, len, steps)) {
			fn(b->items[k].id, b->items[k].g, payload);
			found++;
		}
	}
	return found;
}

size_t pathindex_query(const struct pathindex *ix, const char *path, size_t len,
		       pathindex_fn *fn, void *payload, size_t *steps)
{
	uint64_t h = hash_bytes(path, 0);
	size_t found = 0;

	/* Keys: "" and every prefix ending in '/', each then extended by up
	 * to PATHINDEX_KEY_EXTRA bytes of the next component. */
	for (size_t end = 0; end <= len; end++) {
		uint64_t hx;

		if (end > 0) {
			h ^= (unsigned char)path[end - 1];
			h *= 0x100000001b3ull;
			if (path[end - 1] != '/')
				continue;
		}
		found += probe(ix, path, len, end, h, fn, payload, steps);
		hx = h;
		for (size_t x = 1; x <= PATHINDEX_KEY_EXTRA && end + x <= len;
		     x++) {
			if (path[end + x - 1] == '/')
				break;
			hx ^= (unsigned char)path[end + x - 1];
			hx *= 0x100000001b3ull;
			found += probe(ix, path, len, end + x, hx, fn, payload,
				       steps);
		}
	}
	return found;
}

size_t pathindex_patterns(const struct pathindex *ix)
{
	return ix->nr_patterns;
}

size_t pathindex_buckets(const struct pathindex *ix)
{
	return ix->nr_used;
}
