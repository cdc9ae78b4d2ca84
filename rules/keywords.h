/*
 * keywords.h: which of many literal strings occur in a text, found in one
 * pass whose cost no choice of strings can blow up: an Aho-Corasick
 * automaton (A. V. Aho, M. J. Corasick, "Efficient string matching", CACM
 * 18(6), 1975). Rule files come from strangers, so their keywords must not
 * be able to make a scan slow: a scan costs O(len(text)) automaton moves
 * plus O(1) per distinct string reported, whatever the strings are; the
 * automaton takes memory linear in their total length.
 *
 * Bytes are compared as they are (case matters); fold case on both sides
 * first where it should not.
 *
 * Life cycle: keywords_new(), keywords_add() each string, keywords_build()
 * once, then any number of scans, each into a struct keywords_hits that
 * collects the ids found over one or more texts (the lines of a diff, say).
 */
#ifndef PATCHLETTER_KEYWORDS_H
#define PATCHLETTER_KEYWORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct keywords;

/* An empty automaton (owned by the caller: keywords_free()). */
struct keywords *keywords_new(void);
void keywords_free(struct keywords *kw);

/*
 * Add string s (len >= 1 bytes, copied) under id. Several strings may share
 * an id (any of them is a hit), and one string may be added under several
 * ids. Ids should be dense: the hits keep one slot per id up to the
 * largest. Adding after keywords_build() is a BUG().
 */
void keywords_add(struct keywords *kw, const char *s, size_t len, uint32_t id);

/* Compute the failure links. Call once, after the last keywords_add(). */
void keywords_build(struct keywords *kw);

/* Number of strings added, and of automaton states (for tests, benches). */
size_t keywords_count(const struct keywords *kw);
size_t keywords_states(const struct keywords *kw);

/*
 * What scans found: ids[0..nr) in the order first found, each once. The
 * arrays are owned; the rest is private. One struct per automaton.
 */
struct keywords_hits {
	uint32_t *ids;
	size_t nr;
	/* private */
	uint32_t *id_gen, *state_gen, gen;
	size_t nr_id_slots, nr_states;
};

#define KEYWORDS_HITS_INIT \
	{                  \
		0          \
	}

/* Size h for kw (after keywords_build()) and empty it. */
void keywords_hits_init(struct keywords_hits *h, const struct keywords *kw);
/* Forget what was found, in O(1) (the arrays stay). */
void keywords_hits_reset(struct keywords_hits *h);
void keywords_hits_release(struct keywords_hits *h);
/* Was id found since the last reset? O(1). */
bool keywords_hits_has(const struct keywords_hits *h, uint32_t id);

/*
 * Scan text (len bytes; a string must lie wholly inside it to be found)
 * and add the ids of the strings found to h. Returns how many ids were
 * new. When steps is not NULL, the automaton moves made are added to it:
 * at most 2 * len, plus one per state reported.
 */
size_t keywords_scan(const struct keywords *kw, const char *text, size_t len,
		     struct keywords_hits *h, size_t *steps);

#endif
