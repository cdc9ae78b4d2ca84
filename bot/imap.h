/*
 * imap.h: the live IMAP source. Watches mailboxes with IDLE (RFC 2177),
 * or polls them when the server lacks IDLE, and hands every new mail to
 * a sink in batches, each batch committed together with the mailbox's
 * cursor. The only module that includes libetpan's IMAP headers.
 *
 * One connection per mailbox, each a small state machine driven by the
 * event loop (loop.h): a protocol step (connect, log in, EXAMINE, UID
 * SEARCH, UID FETCH, DONE, NOOP) runs to its end inside a callback,
 * every network wait bounded by the timeout option, so a dead server
 * costs at most that long and cannot hang the daemon; between steps the
 * loop is free, and while a mailbox idles its socket is one more fd in
 * the loop's poll(). A long catch-up is cut into batches, one per loop
 * round, so timers and signals are served between them.
 *
 * Durability (DESIGN.md): the cursor of a mailbox is "UIDVALIDITY:UID",
 * UID the highest one whose mail the sink has committed. It is read from
 * the store at every connection and written only through the sink's
 * commit, in the same transaction as the batch's mail: it never moves
 * ahead of the data. After a crash, the batch in flight is fetched again.
 * A changed UIDVALIDITY (the mailbox was recreated or its server rebuilt
 * its index) restarts from UID 1; the mail seen before comes again and
 * the ingest path counts it as duplicates by Message-ID.
 *
 * Security: TLS by default, implicit (RFC 8314) or STARTTLS, with the
 * server's chain and host name verified (tls.h) before anything is sent;
 * STARTTLS is never skipped when the server lacks it, and plain text is
 * used only when the options ask for it. The password is never logged.
 *
 * Failures: any error (refused connection, TLS or certificate failure,
 * refused login, missing mailbox, a BYE, a dropped connection, a
 * timeout, a batch the sink could not store) closes the connection,
 * logs one line (mailbox, user, host, the reason, when it retries) and
 * retries after an exponential backoff with jitter: never a tight loop.
 */
#ifndef PATCHLETTER_IMAP_H
#define PATCHLETTER_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compat.h"

struct loop;
struct store;
struct imap_source;

enum imap_tls {
	IMAP_TLS_IMPLICIT = 0, /* TLS from the first byte ("imaps", 993) */
	IMAP_TLS_STARTTLS,     /* plain connection, STARTTLS first (143) */
	IMAP_TLS_NONE,	       /* no TLS at all: only when configured */
};

enum imap_auth {
	IMAP_AUTH_AUTO = 0, /* LOGIN, or AUTHENTICATE PLAIN when the server
			       says LOGINDISABLED */
	IMAP_AUTH_LOGIN,    /* the LOGIN command (RFC 3501 6.2.3) */
	IMAP_AUTH_PLAIN,    /* AUTHENTICATE PLAIN (RFC 4616), through SASL */
};

/*
 * What the operator configures; strings are borrowed by
 * imap_source_start(), which copies what it keeps.
 */
struct imap_options {
	const char *name; /* the source: cursors are "imap:NAME/MAILBOX" */
	const char *host;
	unsigned port; /* 0: 993, or 143 without implicit TLS */
	enum imap_tls tls;
	const char *ca_file; /* PEM CAs trusted besides the system's; or NULL */
	const char *user;
	const char *password; /* as read from the password file */
	enum imap_auth auth;
	const char *const *mailboxes; /* nr_mailboxes names, "INBOX", ... */
	size_t nr_mailboxes;
	bool read_only;		 /* EXAMINE (true by default), else SELECT */
	unsigned idle_interval;	 /* s: IDLE re-issued after (<= 29 min) */
	unsigned poll_interval;	 /* s: between polls without IDLE */
	unsigned batch_size;	 /* mails per batch (per transaction) */
	unsigned timeout;	 /* s: the longest any one network wait */
	unsigned backoff_min_ms; /* first retry after a failure */
	unsigned backoff_max_ms; /* the longest wait between retries */
	bool trace; /* log the conversation at debug level, no password */
};

/* The defaults: implicit TLS, EXAMINE, IDLE re-issued every 28 minutes,
 * polls every 60 s, batches of 100, 60 s timeout, backoff 1 s to 15 min. */
void imap_options_init(struct imap_options *o);

/*
 * Where the mail goes (the daemon wires ingest_add(),
 * ingest_add_unparsed(), ingest_commit() and ingest_abort() here).
 * source is "imap:NAME/MAILBOX"; strings are borrowed for the call.
 * add(), add_cut() and commit() return 0 or an err.h code; on an error
 * the IMAP source calls abort(), and fetches the batch again from the
 * cursor after a backoff. abort() may follow a failed commit() and must
 * then do no harm. commit() may come without any add() (a new
 * UIDVALIDITY: the cursor restarts at "V:0"). Every callback is needed.
 */
struct imap_sink {
	/* One whole mail. */
	int (*add)(void *arg, const char *source, uint32_t uid, const char *raw,
		   size_t len);
	/* The first MAIL_MAX_BYTES of a larger mail; reason says so. */
	int (*add_cut)(void *arg, const char *source, uint32_t uid,
		       const char *raw, size_t len, const char *reason);
	int (*commit)(void *arg, const char *source, const char *cursor);
	void (*abort)(void *arg);
	/*
	 * A mailbox is open, logged in and selected, before its new mail
	 * is fetched (the daemon reports readiness then). May be NULL.
	 */
	void (*opened)(void *arg, const char *source);
	void *arg; /* borrowed: the sink's payload */
};

/*
 * Start watching opt's mailboxes: the connections are made from the
 * loop, at once. loop, store (read for the cursors) and sink->arg are
 * borrowed and must outlive *out (owned: imap_source_free() it).
 * Returns 0, or ERR_PERM (reported) for options that cannot work (a
 * missing host or user, an unreadable CA file, intervals out of range).
 */
int imap_source_start(struct imap_source **out, struct loop *loop,
		      struct store *store, const struct imap_options *opt,
		      const struct imap_sink *sink) WARN_UNUSED;

/*
 * Stop: leave IDLE and log out politely (each step bounded by a short
 * timeout), close every connection and free src (may be NULL). Never
 * called in the middle of a batch: batches start and end inside one
 * loop callback.
 */
void imap_source_free(struct imap_source *src);

/* --- helpers, exported for the tests and `patchletter status` ---------- */

/* "UIDVALIDITY:UID", two decimal numbers below 2^32: 0 or ERR_PERM. */
int imap_cursor_parse(uint32_t *out_uidvalidity, uint32_t *out_uid,
		      const char *s) WARN_UNUSED;
void imap_cursor_format(struct buf *out, uint32_t uidvalidity, uint32_t uid);

/*
 * The wait before retry number failures (>= 1): min_ms doubled each
 * time up to max_ms, then "equal jitter": half of it fixed, the other
 * half drawn from random, so that clients cut off together do not come
 * back together.
 */
int64_t imap_backoff_ms(unsigned failures, unsigned min_ms, unsigned max_ms,
			uint32_t random);

#endif
