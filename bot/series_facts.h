/*
 * series_facts.h: what the matcher (rules/match.h) needs of a stored
 * series, loaded from the store: its title, version, author, list, RFC
 * flag, reviews, whether another series supersedes it, the paths its
 * patches touch, and each posting's body and diff. The glue between the
 * store and rules/, which knows neither.
 */
#ifndef PATCHLETTER_SERIES_FACTS_H
#define PATCHLETTER_SERIES_FACTS_H

#include <stdint.h>

#include "match.h"
#include "message.h"
#include "store.h"

struct series_facts {
	/* For match_index_query() and match_explain(); every pointer in
	 * it is borrowed from the fields below. */
	struct match_series view;
	/* The rest is owned. */
	struct store_series series;
	struct message *msgs; /* the cover letter, patches, pull request */
	size_t nr_msgs;
	struct match_patch *patches; /* one per msgs[k] */
	const char **paths;	     /* borrowed from msgs[k].patch.paths */
	size_t nr_paths, alloc_paths;
};

#define SERIES_FACTS_INIT \
	{                 \
		0         \
	}

/*
 * Load series id into out (SERIES_FACTS_INIT or released). Replies are
 * not read: their trailers are counted in the series' reviews already.
 * Returns 0, ERR_NOTFOUND (not reported) when there is no such series, or
 * a store error (reported).
 */
int series_facts_load(struct series_facts *out, struct store *st,
		      int64_t id) WARN_UNUSED;
void series_facts_release(struct series_facts *f);

#endif
