/*
 * series.h: series assembly and supersession (DESIGN.md, "The model").
 *
 * Every stored message passes through series_add_message() once, in the
 * transaction that stored it. It decides:
 *
 *  - membership: a patch joins its cover letter through In-Reply-To and
 *    References; without a cover, patch 1 of its thread; without threading,
 *    the same sender's series of the same version and size sent within
 *    SERIES_UNTHREADED_WINDOW. Arrival order does not matter: a series is
 *    opened by whichever of its messages comes first and claims the
 *    Message-ID its patches thread to, so the cover letter (or patch 1)
 *    finds it when it comes last. A posting that answers another series
 *    (v2 sent In-Reply-To v1's cover) opens a series of its own;
 *  - activity: a reply joins the series of the message it answers (or
 *    waits, an orphan, until that message arrives) and the series counts
 *    its replies and the Reviewed-by, Acked-by and Tested-by they carry;
 *  - supersession: the edges from older versions to newer ones, each with
 *    its evidence (evidence.h), strongest first. Implicit evidence (same
 *    title, patch titles) links only postings of one author aimed at the
 *    same tree; explicit evidence (change-id, Supersedes:, a link,
 *    In-Reply-To) names the older posting itself. Edges are kept as a
 *    chain: v1 -> v2 -> v3, whatever order the versions arrived in.
 */
#ifndef PATCHLETTER_SERIES_H
#define PATCHLETTER_SERIES_H

#include <stdint.h>

#include "compat.h"
#include "message.h"

struct store;

/*
 * Patches of one sender, one version and one size, sent without
 * threading within this many seconds of each other, are one series.
 * git send-email sends a series within seconds; an hour allows for slow
 * relays without joining two postings of one day.
 */
#define SERIES_UNTHREADED_WINDOW 3600

/*
 * How many of an author's newest series are compared by patch titles when
 * a posting's title matches none: enough for a busy author's open work.
 */
#define SERIES_OVERLAP_CANDIDATES 50

/*
 * Place message id (stored just now; m is its parsed form) in its series,
 * update the series and link versions. now is the time of ingest. Runs
 * inside the caller's transaction; returns 0 or the store's error.
 */
int series_add_message(struct store *st, int64_t id, const struct message *m,
		       int64_t now) WARN_UNUSED;

#endif
