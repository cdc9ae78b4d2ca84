/*
 * subscriptions.c: subscribers in force, and the matching pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "match.h"
#include "series_facts.h"
#include "subscriptions.h"
#include "tzdb.h"
#include "xalloc.h"

void subscriptions_rule_options(struct rulefile_options *out,
				struct rulefile_list **lists_out,
				const struct config *cfg,
				const struct maintainers *m)
{
	struct rulefile_list *lists;
	size_t k;

	lists = xcalloc(cfg->nlists + 1, sizeof(*lists));
	for (k = 0; k < cfg->nlists; k++) {
		lists[k].name = cfg->lists[k].name;
		lists[k].list_id = cfg->lists[k].list_id;
	}
	memset(out, 0, sizeof(*out));
	out->maintainers = m;
	out->lists = lists;
	out->nr_lists = cfg->nlists;
	out->tz_exists = tzdb_has;
	*lists_out = lists;
}

int subscriptions_token(char out[TOKEN_CHARS + 1], struct store *st,
			const struct store_subscriber *sub)
{
	int rc;

	if (sub->token && token_valid(sub->token)) {
		strcpy(out, sub->token);
		return 0;
	}
	rc = token_new(out);
	if (rc == 0)
		rc = store_subscriber_set_token(st, sub->id, out);
	return rc;
}

void subscriptions_schedule(struct schedule *out,
			    const struct rulefile_digest *d)
{
	memset(out, 0, sizeof(*out));
	switch (d->frequency) {
	case RULEFILE_FREQ_HOURLY:
		out->freq = SCHEDULE_HOURLY;
		break;
	case RULEFILE_FREQ_DAILY:
		out->freq = SCHEDULE_DAILY;
		break;
	case RULEFILE_FREQ_WEEKLY:
		out->freq = SCHEDULE_WEEKLY;
		break;
	case RULEFILE_FREQ_IMMEDIATE:
		out->freq = SCHEDULE_IMMEDIATE;
		break;
	}
	/* Hourly digests go out on the hour: the file gives no minute. */
	out->hour = d->frequency == RULEFILE_FREQ_HOURLY ? 0 : d->hour;
	out->minute = d->frequency == RULEFILE_FREQ_HOURLY ? 0 : d->minute;
	out->weekday = d->weekday;
	if (d->timezone && strlen(d->timezone) < sizeof(out->tz))
		strcpy(out->tz, d->timezone);
}

void subscriptions_release(struct subscriptions *s)
{
	size_t i;

	match_index_free(s->index);
	for (i = 0; i < s->nr; i++) {
		store_subscriber_release(&s->v[i].sub);
		rulefile_free(s->v[i].rf);
	}
	free(s->v);
	free(s->lists);
	*s = (struct subscriptions)SUBSCRIPTIONS_INIT;
}

const struct subscription *subscriptions_find(const struct subscriptions *s,
					      int64_t id)
{
	size_t lo = 0, hi = s->nr;

	/* v is in id order (store_subscribers_all()). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].sub.id == id)
			return &s->v[mid];
		if (s->v[mid].sub.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Parse subscriber sub's rule file in force, if any, into *out. */
static int load_rules(struct rulefile **out, struct store *st,
		      const struct store_subscriber *sub,
		      const struct rulefile_options *o)
{
	struct store_rulefile rf = STORE_RULEFILE_INIT;
	struct buf errors = BUF_INIT;
	char name[64];
	int rc;

	*out = NULL;
	rc = store_rulefile_active(&rf, st, sub->id);
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	snprintf(name, sizeof(name), "rules of subscriber %lld",
		 (long long)sub->id);
	/*
	 * It parsed when it was accepted; a configuration change (a list
	 * removed, another MAINTAINERS) can break it since. The subscriber
	 * then gets no digest until the rules are fixed: said once here.
	 */
	if (rulefile_parse(out, name, rf.text, rf.text_len, o, &errors)) {
		log_warnx("subscriptions: %s no longer parse, no digests "
			  "until they are fixed: %s",
			  name, errors.data);
		*out = NULL;
	}
	buf_release(&errors);
	store_rulefile_release(&rf);
	return 0;
}

int subscriptions_load(struct subscriptions *out, struct store *st,
		       const struct config *cfg, const struct maintainers *m)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct rulefile_options o;
	size_t i;
	int rc;

	subscriptions_release(out);
	subscriptions_rule_options(&o, &out->lists, cfg, m);
	out->nr_lists = cfg->nlists;
	out->maintainers = m;
	out->index = match_index_new(m);
	rc = store_subscribers_all(&ids, st);
	if (rc)
		goto out;
	out->v = xcalloc(ids.nr + 1, sizeof(*out->v));
	for (i = 0; rc == 0 && i < ids.nr; i++) {
		struct subscription *sub = &out->v[out->nr];

		sub->sub = (struct store_subscriber)STORE_SUBSCRIBER_INIT;
		rc = store_subscriber_load(&sub->sub, st, ids.v[i]);
		if (rc == 0)
			rc = load_rules(&sub->rf, st, &sub->sub, &o);
		if (rc) {
			store_subscriber_release(&sub->sub);
			break;
		}
		if (sub->rf)
			subscriptions_schedule(&sub->schedule, &sub->rf->digest);
		if (sub->rf && sub->sub.status == SUBSCRIBER_ACTIVE)
			match_index_add(out->index, sub->rf, sub->sub.id);
		out->nr++;
	}
out:
	store_ids_release(&ids);
	if (rc)
		subscriptions_release(out);
	return rc;
}

int subscriptions_match(size_t *matched_out, int64_t *since,
			struct subscriptions *s, struct store *st, int64_t now)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct series_facts f = SERIES_FACTS_INIT;
	struct match_hits hits = MATCH_HITS_INIT;
	int64_t next = *since;
	size_t i, j;
	int rc;

	*matched_out = 0;
	rc = store_series_updated_since(&ids, st, *since);
	for (i = 0; rc == 0 && i < ids.nr; i++) {
		rc = series_facts_load(&f, st, ids.v[i]);
		if (rc == ERR_NOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc)
			break;
		if (f.series.updated > next)
			next = f.series.updated;
		hits.nr = 0;
		match_index_query(&hits, s->index, &f.view);
		for (j = 0; rc == 0 && j < hits.nr; j++) {
			const struct match_hit *h = &hits.v[j];

			rc = store_match_add(st, h->subscriber, f.series.id,
					     h->rf->rules[h->rule].name, now);
			if (rc == 0)
				(*matched_out)++;
		}
		series_facts_release(&f);
	}
	/*
	 * Start next time at the newest update seen: series updated in
	 * that same second are seen again, which the matches' key makes
	 * harmless, and none updated later can be missed.
	 */
	if (rc == 0)
		*since = next;
	series_facts_release(&f);
	match_hits_release(&hits);
	store_ids_release(&ids);
	return rc;
}
