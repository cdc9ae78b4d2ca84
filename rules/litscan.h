/*
 * litscan.h: which of many literals occur in a text, in one pass over the
 * text. It pre-filters regexes: a regex whose required literals (see
 * perlre.h) are all absent from a text cannot match it, so only the
 * others need regexec().
 *
 * Literals are filed by their first two bytes, lower-cased; a scan looks
 * up each pair of adjacent text bytes and compares the few literals filed
 * there. The cost is O(len(text) + candidates compared).
 */
#ifndef PATCHLETTER_LITSCAN_H
#define PATCHLETTER_LITSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct litscan;

/* An empty scanner (owned by the caller: litscan_free()). */
struct litscan *litscan_new(void);
void litscan_free(struct litscan *ls);

/*
 * Add literal s (len >= 2 bytes, copied) for id; icase compares without
 * ASCII case. Several literals may share an id (any of them is a hit).
 */
void litscan_add(struct litscan *ls, const char *s, size_t len, bool icase,
		 uint32_t id);

/*
 * For each id with a literal in text that is not yet marked in hit[] (one
 * byte per id, zeroed by the caller), mark it and append it to ids (room
 * for every id). Returns the number appended.
 */
size_t litscan_scan(const struct litscan *ls, const char *text, size_t len,
		    unsigned char *hit, uint32_t *ids);

#endif
