/*
 * backfill.c: archive_sync() callbacks onto the ingest path.
 */
#include "backfill.h"
#include "err.h"
#include "ingest.h"
#include "progress.h"
#include "store.h"

struct backfill {
	struct ingest *ing;
	struct progress *progress;
	volatile sig_atomic_t *stop;
};

static int on_cursor_get(struct buf *out, const char *source, void *arg)
{
	struct backfill *b = arg;

	return store_cursor_get(out, b->ing->store, source);
}

static int on_item(const struct archive_item *item, void *arg)
{
	struct backfill *b = arg;
	int rc;

	if (item->kind == ARCHIVE_DELETE)
		rc = ingest_delete(b->ing, item->raw, item->len);
	else
		rc = ingest_add(b->ing, item->raw, item->len, item->source);
	if (b->progress)
		progress_update(b->progress,
				b->ing->stats.seen + b->ing->batch.seen,
				b->ing->stats.bytes + b->ing->batch.bytes);
	return rc;
}

static int on_commit(const char *source, const char *cursor, void *arg)
{
	struct backfill *b = arg;
	int rc;

	rc = ingest_commit(b->ing, source, cursor);
	/* Positive: a clean stop after a committed batch (archive.h). */
	if (rc == 0 && b->stop && *b->stop)
		return 1;
	return rc;
}

int backfill_archive(struct archive_stats *stats, struct ingest *ing,
		     struct archive *a, struct progress *progress,
		     volatile sig_atomic_t *stop)
{
	struct archive_ops ops = {on_cursor_get, on_item, on_commit, 0};
	struct backfill b = {ing, progress, stop};
	int rc;

	rc = archive_sync(stats, a, &ops, &b);
	if (rc < 0)
		ingest_abort(ing);
	return rc > 0 ? 0 : rc;
}
