/*
 * archive.h: read mail out of public-inbox git archives, and keep local
 * mirrors of remote ones up to date. The only module that sees libgit2
 * for archives; the rest of the bot sees raw message bytes and commit ids.
 *
 * Layouts read (public-inbox-v2-format(5), public-inbox-v1-format(5)):
 *
 *  - a v2 inbox: a directory holding git/0.git, git/1.git, ... (bare
 *    "epoch" repositories). Each commit adds one message as the blob "m"
 *    or, when a message is removed (public-inbox-learn rm,
 *    public-inbox-edit), holds the removed message as the blob "d";
 *  - one bare repository: a single v2 epoch (what `git clone --mirror
 *    https://lore.kernel.org/LIST/0` makes) or a v1 archive, whose
 *    messages live at "xx/yyyy..." (the SHA-1 of the Message-ID); a path
 *    added is a message, a path deleted is a removal. Each commit is read
 *    by what its tree holds, so both kinds are taken without being told.
 *
 * Each epoch (or the single repository) is read along its first-parent
 * history from the stored cursor (the last commit fully handed over) to
 * its tip, oldest first, in batches: the caller stores a batch's messages
 * and the new cursor in one transaction (ingest.h). Use:
 *
 *	archive_fetch(dir, url);	(a mirror of url = lore's list URL)
 *	archive_open(&a, dir, "linux-sparse");
 *	archive_sync(&stats, a, &ops, ctx);
 *	then on a timer: archive_fetch(dir, url); archive_sync(...);
 *	archive_free(a);
 *
 * with ops->cursor_get = store_cursor_get(), ops->item = ingest_add() of
 * ARCHIVE_ADD items (and a removal of ARCHIVE_DELETE ones), ops->commit =
 * ingest_commit(source, commit).
 *
 * Cursor names: "archive:NAME/git/N.git" for epoch N of a v2 inbox,
 * "archive:NAME" for a single repository; values are 40-digit hex commit
 * ids. A cursor that is not in the epoch's history any more (the archive
 * was rewritten, as public-inbox-purge does) restarts that epoch from its
 * first commit: the caller sees those messages again and Message-ID
 * de-duplication keeps them once. That is logged.
 *
 * Memory stays flat whatever the archive's size: one message's blob at a
 * time, and the walk keeps a bounded window of commit ids
 * (ARCHIVE_WALK_SEGMENT) plus one id per segment.
 *
 * libgit2's options are process-wide: archive_open() and archive_fetch()
 * turn its object cache off, bound its pack mappings and skip re-hashing
 * objects on read, because a walk reads every object once (archive.c
 * says why). Errors are reported once here with an "archive: " prefix.
 *
 * Everything blocks (libgit2 has no non-blocking I/O): a daemon that must
 * not stall its poll() loop on a slow remote runs archive_fetch() in a
 * child process.
 */
#ifndef PATCHLETTER_ARCHIVE_H
#define PATCHLETTER_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compat.h"

#define ARCHIVE_OID_HEXSZ 40 /* SHA-1: public-inbox archives use SHA-1 */

struct archive;

enum archive_item_kind {
	ARCHIVE_ADD = 1,    /* a message added to the archive */
	ARCHIVE_DELETE = 2, /* a message removed: raw is the removed mail */
};

/*
 * One message handed to ops->item. Every pointer is borrowed and valid
 * only during the call: copy what must outlive it.
 */
struct archive_item {
	enum archive_item_kind kind;
	const char *raw;     /* the blob's bytes: may hold NULs */
	size_t len;	     /* bytes in raw (<= MAIL_MAX_BYTES) */
	const char *source;  /* the cursor name of its epoch */
	unsigned epoch;	     /* v2 epoch number; 0 for a single repository */
	int64_t author_time; /* commit author time, seconds since 1970 (UTC);
			      * public-inbox takes it from the mail's Date */
	char commit[ARCHIVE_OID_HEXSZ + 1]; /* hex id of the commit */
	char blob[ARCHIVE_OID_HEXSZ + 1];   /* hex id of the message blob */
};

/*
 * What archive_sync() calls; arg is archive_sync()'s arg. A callback
 * returns 0 to go on. Any other value stops the sync at once and
 * archive_sync() returns it: negative for an error (the batch in flight
 * was not committed: roll it back), positive to stop cleanly (after a
 * commit: on SIGTERM, say).
 */
struct archive_ops {
	/*
	 * Put the stored cursor of source into out (a 40-digit hex commit
	 * id). ERR_NOTFOUND when there is none (the epoch is read from its
	 * first commit); another negative value stops the sync.
	 */
	int (*cursor_get)(struct buf *out, const char *source, void *arg);
	/* One message added or removed, in commit order (oldest first). */
	int (*item)(const struct archive_item *item, void *arg);
	/*
	 * End of a batch: make the items handed over since the previous
	 * call durable together with cursor (hex commit id) for source.
	 * Called after at most `batch` commits, ARCHIVE_BATCH_BYTES of
	 * items, and at the end of each epoch that had new commits.
	 */
	int (*commit)(const char *source, const char *cursor, void *arg);
	unsigned batch; /* commits per batch; 0: ARCHIVE_BATCH_COMMITS */
};

/* What one archive_sync() did (counters of this call only). */
struct archive_stats {
	uint64_t epochs;   /* epochs (or single repositories) looked at */
	uint64_t commits;  /* commits read and handed over */
	uint64_t added;	   /* ARCHIVE_ADD items */
	uint64_t deleted;  /* ARCHIVE_DELETE items */
	uint64_t skipped;  /* blobs missing, empty (purged) or over
			    * MAIL_MAX_BYTES: logged, not handed over */
	uint64_t bytes;	   /* bytes of the items handed over */
	uint64_t restarts; /* epochs re-read because the cursor was gone */
	uint64_t batches;  /* ops->commit calls */
};

/*
 * Open the archive at path: a v2 inbox directory (it has a git/ folder)
 * or a bare repository. name names its cursors (non-empty, printable
 * ASCII, no spaces). Nothing is read yet; epochs are looked for at each
 * archive_sync(), so new ones are followed. *out is owned by the caller:
 * archive_free() it. 0, ERR_NOTFOUND (no archive there) or ERR_PERM
 * (a bad name).
 */
int archive_open(struct archive **out, const char *path,
		 const char *name) WARN_UNUSED;

/* Release an archive; accepts NULL. */
void archive_free(struct archive *a);

/*
 * Hand every commit past its cursor to ops, epoch by epoch in ascending
 * order, each epoch oldest first. out (may be NULL) receives this call's
 * counters. 0 when everything was handed over; a callback's nonzero
 * value; ERR_FAIL when the archive cannot be read (corrupt or missing
 * objects other than message blobs, I/O errors).
 */
int archive_sync(struct archive_stats *out, struct archive *a,
		 const struct archive_ops *ops, void *arg) WARN_UNUSED;

/*
 * Bring the local mirror at path up to date with url, as `git clone
 * --mirror` / `git fetch` (every ref under refs/, forced and pruned) do:
 *
 *  - an existing bare repository at path, or a new path ending in
 *    ".git": one repository (a v1 archive or one epoch, lore's URL/N);
 *    cloned when missing, fetched otherwise;
 *  - an existing v2 inbox, or a new path not ending in ".git": a v2 inbox
 *    whose epochs lore serves at URL/0, URL/1, ...: every local epoch
 *    git/N.git is fetched from URL/N, then URL/N+1 (from the highest
 *    local one, 0 when there is none) is tried and cloned while it
 *    exists. A missing next epoch is not an error.
 *
 * A clone is made in a temporary folder beside its place and renamed
 * into it, so a failed one leaves nothing behind. 0; ERR_TEMP when the
 * remote could not be reached or refused (retry later); ERR_FAIL for a
 * local failure (the folder cannot be written, a corrupt repository).
 */
int archive_fetch(const char *path, const char *url) WARN_UNUSED;

#endif
