/*
 * litscan.c: see litscan.h.
 */
#include <ctype.h>
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
	uint32_t head[LITSCAN_BUCKETS]; /* index + 1; 0: empty */
	struct litscan_lit *lits;	/* owned */
	size_t nr, alloc;
};

static unsigned bucket_of(unsigned char a, unsigned char b)
{
	unsigned k = ((unsigned)tolower(a) << 8) | (unsigned)tolower(b);

	return (k ^ (k >> 5)) & (LITSCAN_BUCKETS - 1);
}

struct litscan *litscan_new(void)
{
	return xcalloc(1, sizeof(struct litscan));
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
	b = bucket_of((unsigned char)s[0], (unsigned char)s[1]);
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
		uint32_t k = ls->head[bucket_of((unsigned char)text[i],
						(unsigned char)text[i + 1])];

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
