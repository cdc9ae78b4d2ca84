/*
 * ingest.h: the one path by which mail enters the store, whatever its
 * source (IMAP, a public-inbox archive, an mbox, a Maildir): parse, store,
 * assemble into series, and move the source's cursor, all in one
 * transaction per batch (DESIGN.md: "a message is committed to the store
 * before its IMAP UID or archive commit becomes the new cursor").
 *
 * Use:
 *	ingest_init(&ing, store);
 *	for each message of a batch:
 *		ingest_add(&ing, raw, len, "imap:lkml/INBOX");
 *	ingest_commit(&ing, "imap:lkml/INBOX", "1700000000:4711");
 *
 * Mail that cannot be parsed, or that hits a bounds.h limit, is stored
 * raw in the unparsed table with its reason: nothing is dropped. A
 * Message-ID seen before is counted as a duplicate and stored once.
 */
#ifndef PATCHLETTER_INGEST_H
#define PATCHLETTER_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "compat.h"

struct store;

struct ingest_stats {
	uint64_t seen;	     /* mails handed to ingest_add() */
	uint64_t stored;     /* new messages stored */
	uint64_t duplicates; /* Message-ID already stored */
	uint64_t unparsed;   /* kept raw: not a mail, or over a limit */
	uint64_t deleted;    /* removed because the source deleted them */
	uint64_t bytes;	     /* raw bytes seen */
};

struct ingest {
	struct store *store;	   /* borrowed */
	struct ingest_stats stats; /* committed totals since ingest_init() */
	struct ingest_stats batch; /* the batch in flight, until commit */
	int64_t now;		   /* "received" time for this batch */
	unsigned in_batch;	   /* messages added since the last commit */
};

/* Prepare ing to write into store (borrowed; outlives ing). */
void ingest_init(struct ingest *ing, struct store *store);

/*
 * Parse raw (len bytes, one whole mail) and store it in the current batch,
 * opening a transaction if none is open. source names where it came from
 * (kept with the message). Returns 0 (stored, duplicate or kept raw) or
 * ERR_TEMP / ERR_FAIL from the store: the batch is then rolled back and
 * the caller retries it from its cursor.
 */
/*
 * Open the batch's transaction now (the add functions open it when they
 * need it), for a caller that writes more into it before the commit: the
 * daemon handles commands to the bot in the batch of the mailbox they
 * came in, so that they count as done exactly when the cursor moves past
 * them. 0 or the store's error.
 */
int ingest_begin(struct ingest *ing) WARN_UNUSED;

int ingest_add(struct ingest *ing, const char *raw, size_t len,
	       const char *source) WARN_UNUSED;

/*
 * Keep raw as unparsed in the current batch, with reason (a source that
 * knows the mail is damaged: cut short by a size limit, say).
 */
int ingest_add_unparsed(struct ingest *ing, const char *raw, size_t len,
			const char *reason, const char *source) WARN_UNUSED;

/*
 * The source deleted a mail (a public-inbox archive removing spam): take
 * its Message-ID from raw and remove the message from the store, in the
 * current batch. A mail never stored is no error. 0 or the store's error.
 */
int ingest_delete(struct ingest *ing, const char *raw, size_t len)
	WARN_UNUSED;

/*
 * Commit the batch together with the cursor of cursor_source (both may be
 * NULL: no cursor to move). 0, or the store's error (the batch is rolled
 * back; nothing of it, cursor included, was stored).
 */
int ingest_commit(struct ingest *ing, const char *cursor_source,
		  const char *cursor_value) WARN_UNUSED;

/* Roll back a batch in flight (on an error or on shutdown). */
void ingest_abort(struct ingest *ing);

#endif
