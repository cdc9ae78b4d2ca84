/*
 * ingest.c: parse, store, assemble; one transaction per batch.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "ingest.h"
#include "log.h"
#include "message.h"
#include "series.h"
#include "store.h"
#include "xalloc.h"

void ingest_init(struct ingest *ing, struct store *store)
{
	memset(ing, 0, sizeof(*ing));
	ing->store = store;
}

/*
 * A stable Message-ID for mail that has none, from its bytes (FNV-1a, 64
 * bits, and the length), so that the same mail ingested twice is still
 * one message. public-inbox de-duplicates such mail by content the same
 * way.
 */
static void synthetic_id(char *out, size_t outsz, const char *raw, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)raw[i];
		h *= 0x100000001b3ull;
	}
	snprintf(out, outsz,
		 "no-message-id-%016" PRIx64 "-%zu@patchletter.invalid", h,
		 len);
}

int ingest_begin(struct ingest *ing)
{
	int rc;

	if (store_in_transaction(ing->store))
		return 0;
	rc = store_begin(ing->store);
	if (rc == 0) {
		ing->now = (int64_t)time(NULL);
		ing->in_batch = 0;
	}
	return rc;
}

int ingest_add(struct ingest *ing, const char *raw, size_t len,
	       const char *source)
{
	struct message m = MESSAGE_INIT;
	char idbuf[96];
	int64_t id;
	int rc, prc;

	rc = ingest_begin(ing);
	if (rc)
		return rc;
	ing->batch.seen++;
	ing->batch.bytes += len;
	ing->in_batch++;

	prc = message_parse(&m, raw, len);
	if (prc) {
		/* Kept raw, with the reason, never dropped. */
		rc = store_unparsed_add(
			&id, ing->store, raw, len,
			prc == ERR_LIMIT ? "a size or count limit was hit"
					 : "not a mail",
			source, ing->now);
		if (rc == 0)
			ing->batch.unparsed++;
		goto out;
	}
	if (!m.mail.message_id || !m.mail.message_id[0]) {
		synthetic_id(idbuf, sizeof(idbuf), raw, len);
		free(m.mail.message_id);
		m.mail.message_id = xstrdup(idbuf);
	}
	rc = store_message_add(&id, ing->store, &m, source, ing->now);
	if (rc == ERR_EXISTS) {
		ing->batch.duplicates++;
		rc = 0;
		goto out;
	}
	if (rc == 0)
		rc = series_add_message(ing->store, id, &m, ing->now);
	if (rc == 0)
		ing->batch.stored++;
out:
	message_release(&m);
	if (rc)
		ingest_abort(ing);
	return rc;
}

int ingest_delete(struct ingest *ing, const char *raw, size_t len)
{
	struct mail mail = MAIL_INIT;
	int rc;

	rc = ingest_begin(ing);
	if (rc)
		return rc;
	/* Only the Message-ID is wanted; a damaged mail has none to give. */
	if (mail_parse(&mail, raw, len) != ERR_PERM && mail.message_id &&
	    mail.message_id[0]) {
		rc = store_message_delete(ing->store, mail.message_id);
		if (rc == 0)
			ing->batch.deleted++;
		if (rc == ERR_NOTFOUND)
			rc = 0;
	}
	mail_release(&mail);
	if (rc)
		ingest_abort(ing);
	return rc;
}

int ingest_add_unparsed(struct ingest *ing, const char *raw, size_t len,
			const char *reason, const char *source)
{
	int64_t id;
	int rc;

	rc = ingest_begin(ing);
	if (rc)
		return rc;
	ing->batch.seen++;
	ing->batch.bytes += len;
	ing->in_batch++;
	rc = store_unparsed_add(&id, ing->store, raw, len, reason, source,
				ing->now);
	if (rc == 0)
		ing->batch.unparsed++;
	else
		ingest_abort(ing);
	return rc;
}

int ingest_commit(struct ingest *ing, const char *cursor_source,
		  const char *cursor_value)
{
	int rc;

	rc = ingest_begin(ing);
	if (rc)
		return rc;
	if (cursor_source && cursor_value) {
		rc = store_cursor_set(ing->store, cursor_source, cursor_value);
		if (rc) {
			ingest_abort(ing);
			return rc;
		}
	}
	rc = store_commit(ing->store);
	if (rc == 0) {
		ing->stats.seen += ing->batch.seen;
		ing->stats.stored += ing->batch.stored;
		ing->stats.duplicates += ing->batch.duplicates;
		ing->stats.unparsed += ing->batch.unparsed;
		ing->stats.bytes += ing->batch.bytes;
		ing->stats.deleted += ing->batch.deleted;
	}
	memset(&ing->batch, 0, sizeof(ing->batch));
	ing->in_batch = 0;
	return rc;
}

void ingest_abort(struct ingest *ing)
{
	if (store_in_transaction(ing->store))
		store_rollback(ing->store);
	memset(&ing->batch, 0, sizeof(ing->batch));
	ing->in_batch = 0;
}
