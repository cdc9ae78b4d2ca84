/*
 * match.h: which subscribers' rules a series matches, and why.
 *
 * The caller describes a series with plain values (struct match_series,
 * filled from the store by bot/series_facts.c); this module knows nothing
 * of the store. Rule files are compiled by rulefile.h; here they are
 * indexed together, once, so that a series is checked against 10,000
 * subscribers without looking at every rule:
 *
 *  - each rule is filed under ONE of its positive criteria, its anchor,
 *    chosen for selectivity: authors (by address, domain, name), then
 *    paths (the distinct patterns of all rules in one pathindex.h), then
 *    keywords (all distinct keywords in one keywords.h automaton run over
 *    the diff's added and removed lines), then subject (the longest
 *    literal of each pattern, in an automaton run over the title), then
 *    sections (by section index), then lists (by List-Id). A rule must
 *    hold all its criteria, so a series can only match the rules filed
 *    under something the series has: those are the candidates;
 *  - each candidate is then verified, criterion by criterion, against
 *    facts computed once per series (its sections, which distinct path
 *    patterns each of its paths matches, which keywords occur).
 *
 * A rule whose only possible anchor is a subject pattern without a
 * literal ("*") is a candidate for every series; rulefile.h makes sure
 * every rule has some positive criterion.
 *
 * Semantics of the criteria (rules/README.md is the user's version):
 *  - lists: the series' List-Id is one of them;
 *  - sections: one of the series' MAINTAINERS sections (get_maintainer.pl
 *    --subsystem for its paths, plus K: lines matching a patch) is one of
 *    them;
 *  - paths: some touched path matches one of the patterns and no
 *    exclude-paths pattern (exclude-paths works path by path, as X: does
 *    in MAINTAINERS); exclude-paths alone fails only a series whose
 *    paths are all excluded;
 *  - subject: the clean title matches one of the patterns (whole title,
 *    ASCII case ignored);
 *  - authors: the author's address, its domain (or a parent domain), or
 *    name is one of them;
 *  - keywords: one of them occurs in an added or removed line of a diff;
 *  - exclude-X (but paths): the rule fails when X would hold for any of
 *    the exclude values;
 *  - rfc, versions = newest (no other series supersedes it), min-reviews.
 */
#ifndef PATCHLETTER_MATCH_H
#define PATCHLETTER_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct maintainers;
struct rulefile;

/* One patch (or cover letter) of a series; every pointer borrowed. */
struct match_patch {
	const char *text; /* the mail body (message and diff), searched by
			     MAINTAINERS K: lines; NULL: none */
	size_t len;
	const char *diff; /* the diff (may point into text): keywords look
			     at the added and removed lines of its hunks;
			     NULL: none */
	size_t diff_len;
};

/* What the matcher needs of a series; every pointer borrowed. */
struct match_series {
	int64_t id;	   /* shown by explanations only */
	const char *title; /* the clean title, without [PATCH ...] tags */
	int version;
	bool rfc;
	bool newest;		    /* no other series supersedes it */
	const char *list_id;	    /* without "<>"; NULL: unknown */
	const char *author_name;    /* NULL: none */
	const char *author_address; /* NULL: none */
	const char *const *paths;   /* touched by its patches; any order,
				       repeats allowed */
	size_t nr_paths;
	const struct match_patch *patches;
	size_t nr_patches;
	int reviews; /* Reviewed-by, Acked-by, Tested-by received */
};

struct match_index;

/*
 * An empty index (owned by the caller: match_index_free()). m is borrowed
 * (NULL: no MAINTAINERS, no section ever matches); every rule file added
 * must have been parsed against the same m, or hold no section value.
 */
struct match_index *match_index_new(const struct maintainers *m);
void match_index_free(struct match_index *ix);

/*
 * File every rule of rf (borrowed: it must outlive the index) for
 * subscriber (the caller's id, returned in hits). An index is built by
 * adding; to change a subscriber's rules, build a new index.
 */
void match_index_add(struct match_index *ix, const struct rulefile *rf,
		     int64_t subscriber);

struct match_hit {
	int64_t subscriber;
	const struct rulefile *rf; /* borrowed from the index */
	size_t rule;		   /* index in rf->rules */
};

struct match_hits {
	struct match_hit *v; /* owned */
	size_t nr, alloc;
};

#define MATCH_HITS_INIT \
	{               \
		0       \
	}

void match_hits_release(struct match_hits *h);

/*
 * Append to out every (subscriber, rule) that series s matches, in the
 * order subscribers were added, then rule order. A subscriber matches
 * when one of its rules does. Not reentrant: the index keeps scratch
 * space for the query.
 */
void match_index_query(struct match_hits *out, struct match_index *ix,
		       const struct match_series *s);

struct match_stats {
	size_t subscribers, rules;
	size_t path_patterns, keywords, subject_literals; /* distinct */
	size_t anchored[6]; /* rules filed under each rule_crit */
	size_t always;	    /* rules verified for every series */
	/* the last query */
	size_t candidates, matched;
};

void match_index_stats(struct match_stats *out, const struct match_index *ix);

/*
 * Explain, for people, how series s fares against each rule of rf
 * (parsed against m, which may be NULL): the series' facts, then for each
 * rule either why it matches (what satisfied each criterion given: which
 * path hit which pattern, which section holds which path through which
 * MAINTAINERS line) or the first criterion that failed and on what.
 * Appends text to out; returns the number of rules that match.
 */
size_t match_explain(struct buf *out, const struct rulefile *rf,
		     const struct maintainers *m, const struct match_series *s);

#endif
