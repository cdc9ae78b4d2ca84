/*
 * backfill.h: a public-inbox archive (archive.h) into the store through
 * the ingest path: every commit past the stored cursors, each batch
 * committed together with its epoch's cursor, deletions honoured. The
 * `ingest` command and the daemon's archive timer share it.
 */
#ifndef PATCHLETTER_BACKFILL_H
#define PATCHLETTER_BACKFILL_H

#include <signal.h>

#include "archive.h"
#include "compat.h"

struct ingest;
struct progress;

/*
 * Bring a (opened) into ing's store. progress (may be NULL) is updated as
 * messages go in; stop (may be NULL) ends the run cleanly after the
 * batch in flight when it becomes non-zero (SIGTERM). *stats (may be
 * NULL) gets the archive's counters. 0, or an error of the archive or the
 * store (the batch in flight rolled back; the cursor stays before it).
 */
int backfill_archive(struct archive_stats *stats, struct ingest *ing,
		     struct archive *a, struct progress *progress,
		     volatile sig_atomic_t *stop) WARN_UNUSED;

#endif
