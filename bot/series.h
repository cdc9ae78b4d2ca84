/*
 * series.h: series assembly and supersession (DESIGN.md, "The model";
 * issue 4).
 *
 * Every stored message passes through series_add_message() once, in the
 * transaction that stored it. It decides:
 *
 *  - membership: a patch joins its cover letter through In-Reply-To and
 *    References; without a cover, patch 1 of its thread; without
 *    threading, the same sender's series of the same version and size
 *    sent within SERIES_UNTHREADED_WINDOW. The sender is the From header
 *    (git send-email's): patches of a series may carry other authors in
 *    an in-body From. Arrival order does not matter: a series is opened
 *    by whichever of its messages comes first and claims the Message-ID
 *    its patches thread to, so the cover letter (or patch 1) finds it
 *    when it comes last. A posting that answers another series (v2 sent
 *    In-Reply-To v1's cover, a follow-up series) opens a series of its
 *    own. A patch answering a cover letter directly is forgiven a
 *    subject without the version, or without its n/m counter (it then
 *    joins as an extra). Two postings of one number ("1/4" sent twice)
 *    are two series;
 *  - activity: a reply joins the series of the message it answers (or
 *    waits, an orphan, until that message arrives) and the series counts
 *    its replies and the Reviewed-by, Acked-by and Tested-by they carry
 *    (store_series_reviews() tells which patch each is given to, as b4
 *    collects them);
 *  - supersession: the edges from older versions to newer ones, each with
 *    its evidence (evidence.h), the strongest found kept. Explicit
 *    evidence names the older posting: a b4 change-id, a Supersedes:
 *    line (also in a reply, patchew's rule), a version link, or the
 *    In-Reply-To of the posting that starts a series; a link may cross
 *    authors, In-Reply-To may not. A link names its target as the older
 *    posting, whatever the versions say, unless they contradict it.
 *    Implicit evidence (the same title, shared patch titles) links only
 *    postings of one author (or sender) aimed at the same tree, ordered
 *    by version. The same version posted again (a RESEND, an unlabelled
 *    repost of the same title within SERIES_REPOST_WINDOW, an answer to
 *    one's own posting with the same title) is linked with evidence
 *    "resend": it is not a new version. Pull requests of one title are
 *    different pulls. Edges are kept as a chain, the transitive
 *    reduction of the family: v1 -> v2 -> v3, whatever order the
 *    versions arrived in.
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
 * relays without joining two postings of one day. The same window holds
 * a patch to a series it reaches only through a farther ancestor (its
 * own cover letter not here yet).
 */
#define SERIES_UNTHREADED_WINDOW 3600

/*
 * The same title from the same sender, the same version and size, posted
 * again within this many seconds is the same work posted again (a
 * forgotten RESEND tag after a month of silence, an unlabelled v2): 90
 * days, so that a generic title ("MAINTAINERS: update my address") years
 * apart stays two works.
 */
#define SERIES_REPOST_WINDOW (90 * 24 * 3600)

/*
 * Sender clocks are wrong by this much at most: a newer version dated
 * more than this before the older one is no newer version unless a link
 * says so.
 */
#define SERIES_CLOCK_SLACK (24 * 3600)

/*
 * Place message id (stored just now; m is its parsed form) in its series,
 * update the series and link versions. now is the time of ingest. Runs
 * inside the caller's transaction; returns 0 or the store's error.
 */
int series_add_message(struct store *st, int64_t id, const struct message *m,
		       int64_t now) WARN_UNUSED;

#endif
