/*
 * preview.c: a rule file's digest over the last week, without a trace.
 */
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "digest_job.h"
#include "err.h"
#include "log.h"
#include "match.h"
#include "preview.h"
#include "series_facts.h"
#include "store.h"
#include "subscriptions.h"
#include "token.h"
#include "xalloc.h"

/* Match rf against the series updated since since; *out owned. */
static int preview_matches(struct store_match **out, size_t *nr_out,
			   struct store *st, const struct maintainers *m,
			   const struct rulefile *rf, int64_t since)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct series_facts f = SERIES_FACTS_INIT;
	struct match_hits hits = MATCH_HITS_INIT;
	struct match_index *ix = match_index_new(m);
	struct store_match *v = NULL;
	size_t nr = 0, alloc = 0, i, k;
	int rc;

	match_index_add(ix, rf, 0);
	rc = store_series_updated_since(&ids, st, since);
	if (rc == 0 && ids.nr > PREVIEW_MAX_SERIES) {
		log_info("preview: %zu series in the window, the newest %u "
			 "looked at",
			 ids.nr, PREVIEW_MAX_SERIES);
		memmove(ids.v, ids.v + ids.nr - PREVIEW_MAX_SERIES,
			PREVIEW_MAX_SERIES * sizeof(*ids.v));
		ids.nr = PREVIEW_MAX_SERIES;
	}
	for (i = 0; rc == 0 && i < ids.nr; i++) {
		rc = series_facts_load(&f, st, ids.v[i]);
		if (rc == ERR_NOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc)
			break;
		hits.nr = 0;
		match_index_query(&hits, ix, &f.view);
		/* One match a series: the digest lists it under its first
		 * rule, as digest_job's picks do. */
		for (k = 0; k < hits.nr && k < 1; k++) {
			XGROW(v, alloc, nr + 1);
			v[nr].series = f.series.id;
			v[nr].rule = xstrdup(rf->rules[hits.v[k].rule].name);
			v[nr].matched_at = f.series.updated;
			nr++;
		}
		series_facts_release(&f);
	}
	series_facts_release(&f);
	match_hits_release(&hits);
	match_index_free(ix);
	store_ids_release(&ids);
	if (rc) {
		store_matches_free(v, nr);
		return rc;
	}
	*out = v;
	*nr_out = nr;
	return 0;
}

int preview_compose(struct digest_made *out, struct digest_job *j,
		    const struct maintainers *m, const struct rulefile *rf,
		    const char *address, int64_t now)
{
	struct subscription sub;
	struct store_match *matches = NULL;
	char token[TOKEN_CHARS + 1];
	size_t nr = 0;
	int rc;

	rc = preview_matches(&matches, &nr, j->st, m, rf,
			     now - PREVIEW_WINDOW_SECS);
	if (rc)
		return rc;
	/*
	 * A subscription of no one (id 0): digest_job_compose() finds no
	 * earlier matches of it, and uses the token given, so it writes
	 * nothing. Created now, so the window's series are news to it.
	 */
	rc = token_new(token);
	if (rc == 0) {
		memset(&sub, 0, sizeof(sub));
		sub.sub.id = 0;
		sub.sub.address = (char *)address;
		sub.sub.status = SUBSCRIBER_ACTIVE;
		sub.sub.created = now;
		sub.sub.token = token;
		sub.rf = (struct rulefile *)rf;
		rc = digest_job_compose(out, j, &sub, matches, nr,
					now - PREVIEW_WINDOW_SECS, now);
	}
	store_matches_free(matches, nr);
	return rc;
}
