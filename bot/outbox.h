/*
 * outbox.h: deliver the outbox (store.h) through the mailer (mailer.h).
 *
 * The promise (DESIGN.md, "Data flow"): a mail is committed to the outbox
 * before it is sent, and marked sent only after the server accepted it,
 * so a crash at any point loses nothing. A mail is marked sent in its own
 * transaction right after the server's 250 to its data, before the next
 * mail is sent; so a crash doubles at most the one mail in flight, and
 * only when it comes between that 250 and the commit: the window SMTP
 * cannot close (README, "Delivery").
 *
 * What happens to a mail the server does not accept:
 *   - 5xx (ERR_PERM from the mailer): marked failed with the server's
 *     reply, shown by `patchletter status`, never retried;
 *   - 4xx, or a failure of the connection during its transaction
 *     (ERR_TEMP): retried OUTBOX_RETRY_MIN_SECS later, doubling up to
 *     OUTBOX_RETRY_MAX_SECS apart, and given up (marked failed) when it
 *     fails again once limits.outbox-expiry has passed since it was
 *     queued;
 *   - when the server cannot be used at all (no connection, TLS or AUTH
 *     refused: the mailer's connection flag), the mail is counted as
 *     deferred like a 4xx, and the batch stops: the other mails stay due
 *     and are not tried against a server that is down. The sender then
 *     holds off for a while of its own (the same backoff, counted in
 *     consecutive failures of the server) so that a loop calling
 *     outbox_next_due() does not spin.
 * A 5xx for one recipient holds up nobody else: one mail, one recipient.
 *
 * One sender at a time: two processes sending the same outbox would
 * send a mail twice. outbox_lock() is the lock; `patchletter send` and
 * the daemon take it before sending.
 */
#ifndef PATCHLETTER_OUTBOX_H
#define PATCHLETTER_OUTBOX_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "compat.h"

struct mailer;
struct store;

struct outbox_sender {
	struct store *store;   /* borrowed */
	struct mailer *mailer; /* borrowed */
	unsigned expiry_secs;  /* limits.outbox-expiry */
	/* Borrowed, may be NULL: a signal handler's flag; when it turns
	 * non-zero the batch ends after the mail in flight. */
	const volatile sig_atomic_t *stop;
	/* Kept between batches: */
	int64_t hold_until; /* the server failed as a whole: wait till then */
	unsigned holds;	    /* its consecutive failures, for the backoff */
};

/* What one batch did. */
struct outbox_report {
	unsigned sent;	   /* accepted by the server, marked sent */
	unsigned deferred; /* to be retried */
	unsigned failed;   /* refused for good, or expired */
	bool held;	   /* the server could not be used: batch cut short,
			      or not started (still holding off) */
	bool stopped;	   /* *stop ended the batch */
};

void outbox_sender_init(struct outbox_sender *o, struct store *store,
			struct mailer *mailer, unsigned expiry_secs);

/*
 * Send every mail due at now (next attempt at or before now), oldest due
 * first, over one connection, then close it. now is the time of the whole
 * batch: the due time it selects by and the time it records. Returns 0
 * with *out saying what became of the mails (a refused or deferred mail
 * is no error of the batch), or the store's error (reported) when a mail
 * could not be read or its outcome not recorded: the batch stops there.
 */
int outbox_send_due(struct outbox_report *out, struct outbox_sender *o,
		    int64_t now) WARN_UNUSED;

/*
 * When outbox_send_due() has work next: the earliest due mail, or the
 * end of the sender's hold when that is later. 0, ERR_NOTFOUND (nothing
 * queued; not reported) or the store's error.
 */
int outbox_next_due(int64_t *out, const struct outbox_sender *o) WARN_UNUSED;

/*
 * When to retry a mail queued at created that has failed attempts times
 * before the failure at now: OUTBOX_RETRY_MIN_SECS doubled per attempt,
 * at most OUTBOX_RETRY_MAX_SECS, and no later than created + expiry_secs
 * (a last attempt then). 0 when expiry_secs have passed: give up.
 */
int64_t outbox_retry_at(unsigned attempts, int64_t created, int64_t now,
			unsigned expiry_secs);

/*
 * Take the outbox's lock, STATE_DIR/outbox.lock (flock(2): released when
 * the process ends, however it ends), into *out (a descriptor to
 * outbox_unlock()). ERR_TEMP (reported) when another process holds it,
 * ERR_FAIL (reported) when the file cannot be opened.
 */
int outbox_lock(int *out, const char *state_dir) WARN_UNUSED;
void outbox_unlock(int fd);

#endif
