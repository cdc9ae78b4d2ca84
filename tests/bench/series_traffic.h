/*
 * series_traffic.h: synthetic mailing-list traffic shaped like lore's, for
 * the series benchmark. Deterministic from a seed.
 *
 * Authors post works; a work is posted in one to four versions days
 * apart, each a cover letter (most multi-patch postings) and its patches
 * threaded to it (or to patch 1), sized like real series (half lone
 * patches, a few of 20 to 50). A third are sent with b4: one change-id
 * per work and "Link to vN" lines; others link their previous version
 * now and then, or send it In-Reply-To the previous cover; one in ten
 * retitles its cover at v2, keeping the patch titles. Replies follow each
 * posting over the next days, some nested, many with Reviewed-by,
 * Acked-by or Tested-by; some patches are sent by a maintainer with the
 * author's in-body From. Messages come out in date order, interleaved
 * across works as a list sees them.
 */
#ifndef PATCHLETTER_SERIES_TRAFFIC_H
#define PATCHLETTER_SERIES_TRAFFIC_H

#include <stddef.h>
#include <stdint.h>

#include "message.h"

struct traffic_work;
struct traffic_event;

struct traffic {
	struct traffic_work *works; /* owned */
	size_t nr_works;
	struct traffic_event *events; /* owned, in date order */
	size_t nr_events;
	uint64_t salt; /* makes Message-IDs unique per plan */
};

/*
 * Plan at least n messages (a few more: the last work is whole), dated
 * from start (seconds since the epoch) on, from seed. Message-IDs carry
 * salt, so that two plans can share a store.
 */
void traffic_plan(struct traffic *t, size_t n, uint64_t seed, uint64_t salt,
		  int64_t start);
/*
 * Build message i of the plan (0 <= i < t->nr_events) into out, which
 * must be MESSAGE_INIT: every field the store keeps and series assembly
 * reads, as message_parse() would give them. Release with
 * store_message_release() (or message_release()).
 */
void traffic_message(struct message *out, const struct traffic *t, size_t i);
/* The date of the plan's last message. */
int64_t traffic_end(const struct traffic *t);
/*
 * The truth the plan holds, to check series assembly against: the work
 * and version (0-based) of the posting called message_id (0, or -1 when
 * it is none of the plan's), and how many supersession edges the plan's
 * works make (a chain per work: its versions less one).
 */
int traffic_posting_of(uint32_t *work, unsigned *version,
		       const char *message_id);
size_t traffic_expected_edges(const struct traffic *t);
void traffic_release(struct traffic *t);

#endif
