/*
 * subscriptions.h: the subscribers in force, as the daemon works with
 * them: each active subscriber's rule file parsed, its digest schedule,
 * and one match index (rules/match.h) over all of them; and the matching
 * pass that records which new or changed series match whom.
 *
 * Built from the store in one go (subscriptions_load()); rebuilt when a
 * subscription changes (a confirmed rule file, a pause): an index is
 * built, not edited, and 10,000 subscribers take a quarter second.
 */
#ifndef PATCHLETTER_SUBSCRIPTIONS_H
#define PATCHLETTER_SUBSCRIPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compat.h"
#include "rulefile.h"
#include "schedule.h"
#include "store.h"
#include "token.h"

struct config;
struct maintainers;
struct match_index;

struct subscription {
	struct store_subscriber sub; /* owned fields */
	struct rulefile *rf;	     /* owned; NULL: none in force, or it
					no longer parses (logged) */
	struct schedule schedule;
};

struct subscriptions {
	struct subscription *v; /* owned, by subscriber id */
	size_t nr;
	struct match_index *index;   /* owned: the active ones' rules */
	struct rulefile_list *lists; /* owned array; strings borrowed from
					the configuration */
	size_t nr_lists;
	const struct maintainers *maintainers; /* borrowed, or NULL */
};

#define SUBSCRIPTIONS_INIT {NULL, 0, NULL, NULL, 0, NULL}

/*
 * The rule-file options of this bot: its configured lists (borrowed from
 * cfg), the MAINTAINERS m (borrowed, may be NULL), the tz database. The
 * list array is owned by *lists_out (free()).
 */
void subscriptions_rule_options(struct rulefile_options *out,
				struct rulefile_list **lists_out,
				const struct config *cfg,
				const struct maintainers *m);

/*
 * The subscriber's token, the one that names them in List-Unsubscribe
 * and in unsubscribe, pause and resume commands, into out; made now
 * (token.h) and stored when sub has none yet. 0, or the error of the
 * random source or the store.
 */
int subscriptions_token(char out[TOKEN_CHARS + 1], struct store *st,
			const struct store_subscriber *sub) WARN_UNUSED;

/* The digest schedule a rule file asks for. */
void subscriptions_schedule(struct schedule *out,
			    const struct rulefile_digest *d);

/*
 * Load every subscriber and the rule file each has in force into out
 * (SUBSCRIPTIONS_INIT or released), and index the active ones. cfg and m
 * are borrowed for out's life. 0 or the store's error.
 */
int subscriptions_load(struct subscriptions *out, struct store *st,
		       const struct config *cfg, const struct maintainers *m)
	WARN_UNUSED;
void subscriptions_release(struct subscriptions *s);
/* The subscription of subscriber id, borrowed, or NULL. */
const struct subscription *subscriptions_find(const struct subscriptions *s,
					      int64_t id);

/*
 * Match every series updated at or after *since (the store's "match"
 * cursor: the caller passes what it read) against the active rules and
 * record the matches; *since becomes the time to start from next time.
 * *matched_out counts matches recorded (repeats included). Runs in the
 * caller's transaction, if any. 0 or the store's error.
 */
int subscriptions_match(size_t *matched_out, int64_t *since,
			struct subscriptions *s, struct store *st, int64_t now)
	WARN_UNUSED;

#endif
