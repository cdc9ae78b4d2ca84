/*
 * litscan.c: see litscan.h.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "litscan.h"
#include "xalloc.h"

#define LITSCAN_BUCKETS 4096 /* a power of two */

struct litscan_lit {
	char *s; /* owned */
	size_t len;
	uint32_t id;
	uint32_t next; /* index + 1 of the next literal in the bucket; 0: end */
	bool icase;
};

struct litscan {
	uint8_t lower[256];		/* ASCII tolower() as a table */
	uint8_t first[65536 / 8];	/* bigrams some literal starts with */
	uint32_t head[LITSCAN_BUCKETS]; /* index + 1; 0: empty */
	struct litscan_lit *lits;	/* owned */
	size_t nr, alloc;
};

/* k: a lower-cased bigram, first byte high. */
static unsigned bucket_of(unsigned k)
{
	return (k ^ (k >> 5)) & (LITSCAN_BUCKETS - 1);
}

struct litscan *litscan_new(void)
{
	struct litscan *ls = xcalloc(1, sizeof(*ls));

	for (int c = 0; c < 256; c++)
		ls->lower[c] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	return ls;
}

void litscan_free(struct litscan *ls)
{
	if (!ls)
		return;
	for (size_t k = 0; k < ls->nr; k++)
		free(ls->lits[k].s);
	free(ls->lits);
	free(ls);
}

void litscan_add(struct litscan *ls, const char *s, size_t len, bool icase,
		 uint32_t id)
{
	struct litscan_lit *l;
	unsigned b;

	if (len < 2)
		return; /* callers keep such patterns always-on */
	XGROW(ls->lits, ls->alloc, ls->nr + 1);
	l = &ls->lits[ls->nr];
	l->s = xmemdup0(s, len);
	l->len = len;
	l->id = id;
	l->icase = icase;
	b = ((unsigned)ls->lower[(unsigned char)s[0]] << 8) |
	    ls->lower[(unsigned char)s[1]];
	ls->first[b >> 3] |= (uint8_t)(1u << (b & 7));
	b = bucket_of(b);
	l->next = ls->head[b];
	ls->head[b] = (uint32_t)++ls->nr;
}

size_t litscan_scan(const struct litscan *ls, const char *text, size_t len,
		    unsigned char *hit, uint32_t *ids)
{
	size_t n = 0;

	if (!ls->nr)
		return 0;
	for (size_t i = 0; i + 1 < len; i++) {
		unsigned bi =
			((unsigned)ls->lower[(unsigned char)text[i]] << 8) |
			ls->lower[(unsigned char)text[i + 1]];
		uint32_t k;

		/* Most text bigrams start no literal: one bit says so. */
		if (!(ls->first[bi >> 3] & (1u << (bi & 7))))
			continue;
		k = ls->head[bucket_of(bi)];

		for (; k; k = ls->lits[k - 1].next) {
			const struct litscan_lit *l = &ls->lits[k - 1];

			if (hit[l->id] || l->len > len - i)
				continue;
			if (l->icase ? strncasecmp(text + i, l->s, l->len)
				     : memcmp(text + i, l->s, l->len))
				continue;
			hit[l->id] = 1;
			ids[n++] = l->id;
		}
	}
	return n;
}
