/*
 * digest_job.h: each subscriber's digest, made when the schedule says,
 * and queued in the outbox together with the marking of what it reports.
 *
 * A digest covers the period since the subscriber's previous digest:
 *  - the series matched since then and not reported yet (new series and
 *    new versions; with `versions = newest`, a version that a newer one
 *    superseded before the digest went out is left out);
 *  - the series reported before that gained replies or reviews since;
 * grouped by the rule that matched them, in the rule file's order. The
 * outbox row, the matches marked reported in it and the subscriber's
 * "last digest" time are one transaction: a crash neither loses nor
 * repeats a digest (DESIGN.md: "a digest is committed to the outbox
 * before it is sent").
 *
 * No match, no mail, unless the rule file says `send-empty = yes`.
 */
#ifndef PATCHLETTER_DIGEST_JOB_H
#define PATCHLETTER_DIGEST_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compat.h"

struct config;
struct store;
struct store_match;
struct subscription;
struct subscriptions;
struct tpl_dir;

struct digest_job {
	struct store *st;		 /* borrowed */
	const struct config *cfg;	 /* borrowed */
	const struct tpl_dir *templates; /* borrowed */
	struct subscriptions *subs;	 /* borrowed */
	bool html; /* render the HTML even when the rules want text only
		      (`patchletter digest --html ADDRESS`) */
};

/* What one subscriber's digest came to. */
struct digest_made {
	struct buf mail;   /* the whole mail, RFC 5322 with CRLF */
	struct buf text;   /* its plain-text body */
	struct buf html;   /* its HTML body, when the rules or the job
			      want one; else empty */
	char *message_id;  /* owned: the mail's, without <> */
	size_t series;	   /* series listed */
	size_t versions;   /* of them new versions */
	bool empty;	   /* nothing to report */
};

void digest_made_init(struct digest_made *d);
void digest_made_release(struct digest_made *d);

/*
 * Compose subscriber sub's digest for the period (since, until]: the
 * matches given (unreported ones; borrowed) plus the activity on series
 * reported before. Queues nothing and marks nothing: `patchletter digest
 * ADDRESS` and the `preview` command show it as it would go out. 0 or an
 * error of the store, the templates or compose (reported).
 */
int digest_job_compose(struct digest_made *out, struct digest_job *j,
		       const struct subscription *sub,
		       const struct store_match *matches, size_t nr_matches,
		       int64_t since, int64_t until) WARN_UNUSED;

/*
 * Match the series that changed since the last pass against the rules in
 * force and record the matches; the store's "match" cursor moves in the
 * same transaction. *matched_out counts. 0 or the store's error.
 */
int digest_job_match(size_t *matched_out, struct digest_job *j, int64_t now)
	WARN_UNUSED;

/*
 * What the daemon's timer does, once: match the series that changed since
 * the last pass (the store's "match" cursor moves in the same
 * transaction as the matches it recorded), then make and queue every
 * digest due at now. *matched_out and *queued_out count. 0 or the first
 * error.
 */
int digest_job_tick(size_t *matched_out, size_t *queued_out,
		    struct digest_job *j, int64_t now) WARN_UNUSED;

/*
 * Make and queue every digest due at now. *queued_out counts the
 * digests queued. 0, or the first error (the digests before it are
 * queued; the rest are tried again next time).
 */
int digest_job_run(size_t *queued_out, struct digest_job *j, int64_t now)
	WARN_UNUSED;

#endif
