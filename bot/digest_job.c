/*
 * digest_job.c: subscribers' digests, composed and queued.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compose.h"
#include "config.h"
#include "digest.h"
#include "digest_job.h"
#include "err.h"
#include "log.h"
#include "store.h"
#include "subscriptions.h"
#include "template.h"
#include "token.h"
#include "wrap.h"
#include "xalloc.h"

void digest_made_init(struct digest_made *d)
{
	memset(d, 0, sizeof(*d));
	buf_init(&d->mail, 0);
	buf_init(&d->text, 0);
	buf_init(&d->html, 0);
}

void digest_made_release(struct digest_made *d)
{
	buf_release(&d->mail);
	buf_release(&d->text);
	buf_release(&d->html);
	free(d->message_id);
	digest_made_init(d);
}

/* The index of the rule called name in rf, or rf->nr_rules. */
static size_t rule_index(const struct rulefile *rf, const char *name)
{
	size_t i;

	for (i = 0; i < rf->nr_rules; i++)
		if (!strcmp(rf->rules[i].name, name))
			break;
	return i;
}

/* What the digest lists, before it is built. */
struct pick {
	int64_t series;
	size_t rule; /* index in the rule file */
	bool activity;
};

static int pick_cmp(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	if (x->activity != y->activity)
		return x->activity ? 1 : -1;
	return x->series < y->series ? -1 : x->series > y->series;
}

/*
 * How far before a subscription a series may have been posted and still
 * be news to the subscriber: a week, what `preview` shows too. Older
 * mail arriving now (an archive backfilled, a list's history) is not.
 */
#define DIGEST_HISTORY_SECS (7 * 86400)

/* When series was last posted to, or 0. */
static int64_t series_last_date(struct store *st, int64_t series)
{
	struct store_series s = STORE_SERIES_INIT;
	int64_t t = 0;

	if (store_series_load(&s, st, series) == 0)
		t = s.last_date;
	store_series_release(&s);
	return t;
}

/* Is series superseded by a newer one already? */
static int superseded(bool *out, struct store *st, int64_t series)
{
	struct store_edge *v;
	size_t nr;
	int rc;

	rc = store_edges(&v, &nr, st, series, true);
	*out = rc == 0 && nr > 0;
	store_edges_free(v, nr);
	return rc;
}

/* Add a pick unless the series is listed already. */
static void pick_add(struct pick **v, size_t *nr, size_t *alloc, int64_t series,
		     size_t rule, bool activity)
{
	size_t i;

	for (i = 0; i < *nr; i++) {
		if ((*v)[i].series == series) {
			if (rule < (*v)[i].rule)
				(*v)[i].rule = rule;
			return;
		}
	}
	XGROW(*v, *alloc, *nr + 1);
	(*v)[*nr].series = series;
	(*v)[*nr].rule = rule;
	(*v)[*nr].activity = activity;
	(*nr)++;
}

/*
 * The configured list a series' List-Id is, or NULL; *list_id_out gets
 * the List-Id itself (owned, or NULL), for lists the operator did not
 * name.
 */
static const struct config_list *series_list(char **list_id_out,
					     const struct config *cfg,
					     struct store *st, int64_t series)
{
	struct store_series s = STORE_SERIES_INIT;
	const struct config_list *l = NULL;

	*list_id_out = NULL;
	if (store_series_load(&s, st, series) == 0 && s.list_id) {
		l = config_list_by_id(cfg, s.list_id);
		*list_id_out = s.list_id;
		s.list_id = NULL;
	}
	store_series_release(&s);
	return l;
}

/* --- the archive range a digest covers -----------------------------------
 *
 * Archive cursors are named "archive:NAME" (one repository) or
 * "archive:NAME/git/N.git" (epoch N of a v2 inbox; archive.h), and the
 * messages ingested from an archive keep their epoch's name as source.
 */
#define ARCHIVE_PREFIX "archive:"

/*
 * The archive (its cursor name without an epoch: "archive:NAME") that
 * source, a message's source or a cursor name, belongs to, into out
 * (reset first); *epoch_out gets its epoch (0 for a single repository).
 * false when source is no archive's.
 */
static bool archive_of(struct buf *out, unsigned *epoch_out, const char *source)
{
	const char *p, *e;
	unsigned long n;
	char *end;

	*epoch_out = 0;
	buf_reset(out);
	if (strncmp(source, ARCHIVE_PREFIX, strlen(ARCHIVE_PREFIX)))
		return false;
	p = strstr(source, "/git/");
	if (!p) {
		buf_adds(out, source);
		return true;
	}
	/* Archive names hold no spaces and no "/git/" (archive_open()). */
	if (p[5] < '0' || p[5] > '9')
		return false;
	errno = 0;
	n = strtoul(p + 5, &end, 10);
	e = end;
	if (errno || n > UINT32_MAX || strcmp(e, ".git"))
		return false;
	*epoch_out = (unsigned)n;
	buf_add(out, source, (size_t)(p - source));
	return true;
}

/* The tip of each archive: the cursor of its highest epoch. */
struct archive_tip {
	char *archive; /* owned: "archive:NAME" */
	char *tip;     /* owned: hex commit id */
	unsigned epoch;
};

static void archive_tips_free(struct archive_tip *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(v[i].archive);
		free(v[i].tip);
	}
	free(v);
}

/*
 * The tips of every archive the store has a cursor of (prefix
 * ARCHIVE_PREFIX), or of the one named archive ("archive:NAME"), into
 * *out (owned; archive_tips_free()).
 */
static int archive_tips(struct archive_tip **out, size_t *nr_out,
			struct store *st, const char *archive)
{
	struct store_cursor *c = NULL;
	struct archive_tip *v = NULL;
	struct buf name = BUF_INIT;
	size_t nc = 0, nr = 0, alloc = 0, i, k;
	unsigned epoch;
	int rc;

	*out = NULL;
	*nr_out = 0;
	rc = store_cursors_prefixed(&c, &nc, st,
				    archive ? archive : ARCHIVE_PREFIX);
	for (i = 0; rc == 0 && i < nc; i++) {
		if (!archive_of(&name, &epoch, c[i].source) ||
		    (archive && strcmp(name.data, archive)))
			continue;
		for (k = 0; k < nr; k++)
			if (!strcmp(v[k].archive, name.data))
				break;
		if (k == nr) {
			XGROW(v, alloc, nr + 1);
			v[nr].archive = xstrdup(name.data);
			v[nr].tip = NULL;
			v[nr].epoch = 0;
			nr++;
		} else if (epoch < v[k].epoch) {
			continue;
		}
		free(v[k].tip);
		v[k].tip = xstrdup(c[i].value);
		v[k].epoch = epoch;
	}
	store_cursors_free(c, nc);
	buf_release(&name);
	if (rc) {
		archive_tips_free(v, nr);
		return rc;
	}
	*out = v;
	*nr_out = nr;
	return 0;
}

/*
 * The archive every series listed came from, into out ("archive:NAME";
 * left empty when they came from anywhere else, from several archives,
 * or partly from another source: the window then says what the digest
 * covers).
 */
static int digest_archive(struct buf *out, struct store *st,
			  const struct pick *picks, size_t nr)
{
	struct buf name = BUF_INIT;
	char **src = NULL;
	size_t ns = 0, i, k;
	unsigned epoch;
	bool ok = nr > 0;
	int rc = 0;

	buf_reset(out);
	for (i = 0; ok && i < nr; i++) {
		rc = store_series_sources(&src, &ns, st, picks[i].series);
		if (rc)
			break;
		for (k = 0; ok && k < ns; k++) {
			if (!archive_of(&name, &epoch, src[k]))
				ok = false;
			else if (!out->len)
				buf_add(out, name.data, name.len);
			else if (strcmp(out->data, name.data))
				ok = false;
		}
		store_strings_free(src, ns);
	}
	if (rc || !ok)
		buf_reset(out);
	buf_release(&name);
	return rc;
}

/*
 * The commits a digest of sub covers, when its series came from one
 * archive: *to_out the archive's tip now, *from_out the tip at the
 * subscriber's last digest (NULL: none made since the archive was first
 * read). Both owned; both NULL when the digest is no archive's.
 */
static int digest_range(char **from_out, char **to_out, struct store *st,
			int64_t subscriber, const struct pick *picks, size_t nr)
{
	struct archive_tip *tips = NULL;
	struct buf archive = BUF_INIT, from = BUF_INIT;
	size_t nt = 0;
	int rc;

	*from_out = NULL;
	*to_out = NULL;
	rc = digest_archive(&archive, st, picks, nr);
	if (rc || !archive.len)
		goto out;
	rc = archive_tips(&tips, &nt, st, archive.data);
	if (rc || nt != 1)
		goto out;
	rc = store_digest_tip_get(&from, st, subscriber, archive.data);
	if (rc == ERR_NOTFOUND)
		rc = 0;
	if (rc)
		goto out;
	*to_out = tips[0].tip;
	tips[0].tip = NULL;
	if (from.len)
		*from_out = buf_detach(&from, NULL);
out:
	archive_tips_free(tips, nt);
	buf_release(&archive);
	buf_release(&from);
	return rc;
}

/* Remember where every archive stands at sub's digest (digest_range()). */
static int digest_tips_save(struct store *st, int64_t subscriber)
{
	struct archive_tip *tips = NULL;
	size_t nt = 0, i;
	int rc;

	rc = archive_tips(&tips, &nt, st, NULL);
	for (i = 0; rc == 0 && i < nt; i++)
		rc = store_digest_tip_set(st, subscriber, tips[i].archive,
					  tips[i].tip);
	archive_tips_free(tips, nt);
	return rc;
}

/* The digest's Subject. */
static char *digest_subject(const char *list, size_t series, size_t versions,
			    int64_t until)
{
	char day[16];
	time_t t = (time_t)until;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	if (!series)
		return xasprintf("[%s] nothing for your rules (%s)", list, day);
	if (versions)
		return xasprintf("[%s] %zu series for your rules, %zu new "
				 "version%s (%s)",
				 list, series, versions,
				 versions == 1 ? "" : "s", day);
	return xasprintf("[%s] %zu series for your rules (%s)", list, series,
			 day);
}

/* Cut a digest body past max bytes at a line, saying so. */
static void cut_body(struct buf *text, size_t max)
{
	size_t keep;

	if (!max || text->len <= max)
		return;
	keep = wrap_cut_point(text->data, text->len, 0, max);
	buf_truncate(text, keep);
	buf_addf(text,
		 "\n[... this digest was cut at %zu bytes, the size "
		 "your rules allow; each series above links to the "
		 "rest ...]\n",
		 max);
}

int digest_job_compose(struct digest_made *out, struct digest_job *j,
		       const struct subscription *sub,
		       const struct store_match *matches, size_t nr_matches,
		       int64_t since, int64_t until)
{
	const struct rulefile *rf = sub->rf;
	const struct config *cfg = j->cfg;
	struct store_match *act = NULL;
	struct pick *picks = NULL;
	struct digest_item *items = NULL;
	struct digest_request req;
	struct compose_mail cm;
	struct tdata *data = NULL;
	struct buf *html = &out->html;
	struct buf names = BUF_INIT, id = BUF_INIT;
	const struct config_list *list = NULL;
	char token[TOKEN_CHARS + 1], list_id[96];
	char *subject = NULL, *first_list_id = NULL;
	char *range_from = NULL, *range_to = NULL;
	size_t nr_act = 0, nr = 0, alloc = 0, i, max;
	bool old, one_list = true;
	int rc;

	if (!rf)
		return errorf(ERR_PERM,
			      "digest: subscriber %lld has no rules "
			      "in force",
			      (long long)sub->sub.id);
	/* New matches, then activity on what was reported before. */
	for (i = 0; i < nr_matches; i++) {
		size_t r = rule_index(rf, matches[i].rule);

		if (r == rf->nr_rules)
			continue; /* a rule since renamed: nothing to say */
		if (series_last_date(j->st, matches[i].series) <
		    sub->sub.created - DIGEST_HISTORY_SECS)
			continue;
		if (rf->rules[r].versions == RULE_VERSIONS_NEWEST) {
			rc = superseded(&old, j->st, matches[i].series);
			if (rc)
				goto out;
			if (old)
				continue;
		}
		pick_add(&picks, &nr, &alloc, matches[i].series, r, false);
	}
	rc = store_matches_active_since(&act, &nr_act, j->st, sub->sub.id,
					since);
	if (rc)
		goto out;
	for (i = 0; i < nr_act; i++) {
		size_t r = rule_index(rf, act[i].rule);

		if (r < rf->nr_rules)
			pick_add(&picks, &nr, &alloc, act[i].series, r, true);
	}
	if (nr) /* qsort() on NULL is undefined even for 0 (UBSan) */
		qsort(picks, nr, sizeof(*picks), pick_cmp);
	max = cfg->limits.digest_max_series ? cfg->limits.digest_max_series
					    : nr;
	if (nr > max)
		nr = max;

	items = xcalloc(nr + 1, sizeof(*items));
	for (i = 0; i < nr; i++) {
		char *lid = NULL;
		const struct config_list *l =
			series_list(&lid, cfg, j->st, picks[i].series);
		struct store_edge *e;
		size_t ne;

		if (i == 0)
			first_list_id = lid;
		else if (!lid || !first_list_id || strcmp(lid, first_list_id))
			one_list = false;
		if (i != 0)
			free(lid);

		items[i].series = picks[i].series;
		items[i].rule = rf->rules[picks[i].rule].name;
		items[i].matched = picks[i].activity
					   ? "replies or reviews since your "
					     "last digest"
					   : NULL;
		if (i == 0)
			list = l;
		else if (l != list)
			one_list = false;
		rc = store_edges(&e, &ne, j->st, picks[i].series, false);
		if (rc)
			goto out;
		if (ne && !picks[i].activity)
			out->versions++;
		store_edges_free(e, ne);
	}
	out->series = nr;
	out->empty = nr == 0;
	rc = digest_range(&range_from, &range_to, j->st, sub->sub.id, picks,
			  nr);
	if (rc)
		goto out;
	for (i = 0; i < rf->nr_rules; i++)
		buf_addf(&names, "%s%s", i ? ", " : "", rf->rules[i].name);

	memset(&req, 0, sizeof(req));
	req.list_title = one_list && list	     ? list->name
			 : one_list && first_list_id ? first_list_id
						     : "patchletter";
	req.recipient = sub->sub.address;
	req.rule_names = names.data;
	req.period_start = since;
	req.period_end = until;
	req.range_from = range_from;
	req.range_to = range_to;
	req.archive_url = one_list && list ? list->archive_url : NULL;
	req.items = items;
	req.nr_items = nr;
	rc = digest_build(&data, j->st, &req);
	if (rc == 0)
		rc = digest_render(&out->text, j->templates, data, false);
	if (rc == 0 && (rf->digest.format != RULEFILE_FORMAT_TEXT || j->html))
		rc = digest_render(html, j->templates, data, true);
	if (rc)
		goto out;
	cut_body(&out->text, rf->digest.max_bytes
				     ? rf->digest.max_bytes
				     : cfg->limits.digest_max_bytes);

	rc = subscriptions_token(token, j->st, &sub->sub);
	if (rc == 0)
		rc = compose_message_id(&id, "digest", sub->sub.id, until,
					cfg->bot.address);
	if (rc)
		goto out;
	out->message_id = buf_detach(&id, NULL);
	subject = digest_subject(req.list_title, out->series, out->versions,
				 until);
	/* RFC 2919: a list-id of our own per subscriber, on our domain. */
	snprintf(list_id, sizeof(list_id), "subscriber-%lld.digests.%s",
		 (long long)sub->sub.id, strchr(cfg->bot.address, '@') + 1);
	memset(&cm, 0, sizeof(cm));
	cm.message_id = out->message_id;
	cm.date = until;
	cm.from_name = cfg->bot.name;
	cm.from_address = cfg->bot.address;
	cm.to_address = sub->sub.address;
	cm.subject = subject;
	cm.list_id = list_id;
	cm.list_name = "patchletter digests";
	cm.unsubscribe_address = cfg->bot.address;
	cm.unsubscribe_token = token;
	cm.unsubscribe_url = cfg->bot.unsubscribe_url;
	/* format = html: the HTML is the reader's, the text its fallback;
	 * both: the same mail, the reader's client picks. */
	cm.text = out->text.data;
	cm.text_len = out->text.len;
	if (rf->digest.format != RULEFILE_FORMAT_TEXT) {
		cm.html = html->data;
		cm.html_len = html->len;
	}
	rc = compose_mail(&out->mail, &cm);
out:
	tdata_free(data);
	free(subject);
	free(first_list_id);
	free(range_from);
	free(range_to);
	free(items);
	free(picks);
	store_matches_free(act, nr_act);
	buf_release(&names);
	buf_release(&id);
	return rc;
}

/* Make, queue and mark one subscriber's digest, in one transaction. */
static int digest_one(bool *queued, struct digest_job *j,
		      const struct subscription *sub, int64_t now)
{
	const struct store_subscriber *s = &sub->sub;
	int64_t since = s->last_digest_at ? s->last_digest_at : s->created;
	bool immediate = sub->schedule.freq == SCHEDULE_IMMEDIATE;
	struct store_outbox o = STORE_OUTBOX_INIT;
	struct store_match *m = NULL;
	struct digest_made d;
	size_t nm = 0;
	int64_t ob;
	int rc;

	*queued = false;
	digest_made_init(&d);
	rc = store_begin(j->st);
	if (rc)
		return rc;
	rc = store_matches_unreported(&m, &nm, j->st, s->id);
	/*
	 * "immediate" has no period to close: until something matches it
	 * waits, and its five minutes' spacing counts from the last digest
	 * actually sent.
	 */
	if (rc == 0 && nm == 0 && immediate && !sub->rf->digest.send_empty) {
		store_rollback(j->st);
		store_matches_free(m, nm);
		digest_made_release(&d);
		return 0;
	}
	if (rc == 0)
		rc = digest_job_compose(&d, j, sub, m, nm, since, now);
	if (rc == 0 && (!d.empty || sub->rf->digest.send_empty)) {
		o.subscriber = s->id;
		o.kind = OUTBOX_DIGEST;
		o.message_id = d.message_id;
		o.envelope_from = j->cfg->smtp.envelope_from
					  ? j->cfg->smtp.envelope_from
					  : j->cfg->bot.address;
		o.recipient = s->address;
		o.mail = d.mail.data;
		o.mail_len = d.mail.len;
		rc = store_outbox_enqueue(&ob, j->st, &o, now);
		if (rc == ERR_EXISTS) {
			/*
			 * A digest for this second is queued already (the
			 * Message-ID is the period's end): this one waits
			 * for the next tick rather than stopping the rest.
			 */
			log_info("digest: %s: one is queued for this second "
				 "already; the next waits",
				 s->address);
			store_rollback(j->st);
			store_matches_free(m, nm);
			digest_made_release(&d);
			return 0;
		}
		if (rc == 0)
			rc = store_matches_mark_reported(j->st, s->id, ob, now);
		if (rc == 0)
			*queued = true;
	}
	/* Nothing to say: the period is over all the same. */
	if (rc == 0 && (*queued || !immediate))
		rc = store_subscriber_set_last_digest(j->st, s->id, now);
	if (rc == 0 && (*queued || !immediate))
		rc = digest_tips_save(j->st, s->id);
	if (rc == 0)
		rc = store_commit(j->st);
	else
		store_rollback(j->st);
	if (rc == 0 && *queued)
		log_info("digest: %s: queued <%s>, %zu series", s->address,
			 d.message_id, d.series);
	store_matches_free(m, nm);
	digest_made_release(&d);
	return rc;
}

int digest_job_run(size_t *queued_out, struct digest_job *j, int64_t now)
{
	size_t i;
	bool queued;
	int rc = 0;

	*queued_out = 0;
	for (i = 0; rc == 0 && i < j->subs->nr; i++) {
		struct subscription *sub = &j->subs->v[i];

		if (sub->sub.status != SUBSCRIBER_ACTIVE || !sub->rf ||
		    !schedule_due(&sub->schedule, sub->sub.last_digest_at,
				  sub->sub.created, now))
			continue;
		rc = digest_one(&queued, j, sub, now);
		if (rc == 0 &&
		    (queued || sub->schedule.freq != SCHEDULE_IMMEDIATE)) {
			sub->sub.last_digest_at = now;
			if (queued)
				(*queued_out)++;
		}
	}
	return rc;
}

/* The cursor of the matching pass: the update time it starts from. */
#define MATCH_CURSOR "match:series-updated"

int digest_job_match(size_t *matched_out, struct digest_job *j, int64_t now)
{
	struct buf cur = BUF_INIT;
	char value[32];
	int64_t since = 0;
	int rc;

	*matched_out = 0;
	rc = store_begin(j->st);
	if (rc)
		return rc;
	rc = store_cursor_get(&cur, j->st, MATCH_CURSOR);
	if (rc == 0)
		since = strtoll(cur.data, NULL, 10);
	if (rc == ERR_NOTFOUND)
		rc = 0;
	if (rc == 0)
		rc = subscriptions_match(matched_out, &since, j->subs, j->st,
					 now);
	snprintf(value, sizeof(value), "%lld", (long long)since);
	if (rc == 0)
		rc = store_cursor_set(j->st, MATCH_CURSOR, value);
	if (rc == 0)
		rc = store_commit(j->st);
	else
		store_rollback(j->st);
	buf_release(&cur);
	return rc;
}

int digest_job_tick(size_t *matched_out, size_t *queued_out,
		    struct digest_job *j, int64_t now)
{
	int rc;

	*queued_out = 0;
	rc = digest_job_match(matched_out, j, now);
	if (rc == 0)
		rc = digest_job_run(queued_out, j, now);
	return rc;
}
