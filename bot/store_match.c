/*
 * store_match.c: matches of series to subscribers' rules, and their
 * reporting in digests.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "store.h"
#include "store_impl.h"
#include "xalloc.h"

const char *const store_match_sql[STMT_MATCH__END - STMT_MATCH_FIRST] = {
#define S(id) [id - STMT_MATCH_FIRST]
	S(STMT_MATCH_INSERT) =
		"INSERT INTO matches (subscriber, series, rule, matched_at) "
		"VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
	S(STMT_MATCHES_UNREPORTED) =
		"SELECT series, rule, matched_at FROM matches WHERE subscriber "
		"= ? AND reported_in IS NULL ORDER BY matched_at, series, rule",
	S(STMT_MATCHES_MARK_REPORTED) =
		"UPDATE matches SET reported_in = ?2 WHERE subscriber = ?1 AND "
		"reported_in IS NULL AND matched_at <= ?3",
	/* matches(subscriber, ...) leads; each series by its primary key. */
	S(STMT_MATCHES_ACTIVE_SINCE) =
		"SELECT m.series, m.rule, m.matched_at FROM matches m JOIN "
		"series s ON s.id = m.series WHERE m.subscriber = ?1 AND "
		"m.reported_in IS NOT NULL AND s.updated > ?2 ORDER BY "
		"m.series, m.rule",
	/* The series the matcher has not seen since it last ran. */
	S(STMT_SERIES_UPDATED_SINCE) = "SELECT id FROM series WHERE updated >= "
				       "? ORDER BY updated, id",
	/* series_members(series, ...) leads; messages by primary key. */
	S(STMT_SERIES_SOURCES) =
		"SELECT DISTINCT m.source FROM series_members sm JOIN messages "
		"m ON m.id = sm.message WHERE sm.series = ?1 ORDER BY "
		"m.source",
	/* A range of the primary key: the cursors named with a prefix. */
	S(STMT_CURSORS_RANGE) =
		"SELECT source, value FROM cursors WHERE source >= ?1 AND "
		"source < ?2 ORDER BY source",
	S(STMT_DIGEST_TIP_GET) =
		"SELECT tip FROM digest_tips WHERE subscriber = ?1 AND "
		"archive = ?2",
	S(STMT_DIGEST_TIP_SET) =
		"INSERT INTO digest_tips (subscriber, archive, tip) VALUES "
		"(?1, ?2, ?3) ON CONFLICT (subscriber, archive) DO UPDATE SET "
		"tip = excluded.tip",
#undef S
};

int store_match_add(struct store *s, int64_t subscriber, int64_t series,
		    const char *rule, int64_t now)
{
	struct binder b;
	int rc;

	rc = stmt_get(&b.st, s, STMT_MATCH_INSERT);
	if (rc)
		return rc;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, subscriber);
	bind_int(&b, 2, series);
	bind_text_empty(&b, 3, rule);
	bind_int(&b, 4, now);
	return write_all(s, b.st, b.rc, "add match of series", series);
}

void store_matches_free(struct store_match *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(v[i].rule);
	free(v);
}

/* Step st (bound) collecting (series, rule, matched_at); consumes st. */
static int collect_matches(struct store_match **out, size_t *nr_out,
			   struct store *s, sqlite3_stmt *st, int rc)
{
	struct store_match *v = NULL;
	size_t nr = 0, alloc = 0;

	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		XGROW(v, alloc, nr + 1);
		v[nr].series = sqlite3_column_int64(st, 0);
		v[nr].rule = column_strdup_empty(st, 1);
		v[nr].matched_at = sqlite3_column_int64(st, 2);
		nr++;
		rc = SQLITE_OK;
	}
	if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = store_fail(s, rc, "%s: matches", s->path);
		store_matches_free(v, nr);
		v = NULL;
		nr = 0;
	}
	stmt_done(st);
	*out = v;
	*nr_out = nr;
	return rc;
}

int store_matches_unreported(struct store_match **out, size_t *nr_out,
			     struct store *s, int64_t subscriber)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*nr_out = 0;
	rc = stmt_get(&st, s, STMT_MATCHES_UNREPORTED);
	if (rc)
		return rc;
	return collect_matches(out, nr_out, s, st,
			       sqlite3_bind_int64(st, 1, subscriber));
}

int store_matches_active_since(struct store_match **out, size_t *nr_out,
			       struct store *s, int64_t subscriber,
			       int64_t since)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*nr_out = 0;
	rc = stmt_get(&st, s, STMT_MATCHES_ACTIVE_SINCE);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, subscriber);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, since);
	return collect_matches(out, nr_out, s, st, rc);
}

int store_matches_mark_reported(struct store *s, int64_t subscriber,
				int64_t outbox, int64_t until)
{
	struct binder b;
	int rc;

	rc = stmt_get(&b.st, s, STMT_MATCHES_MARK_REPORTED);
	if (rc)
		return rc;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, subscriber);
	bind_int(&b, 2, outbox);
	bind_int(&b, 3, until);
	return write_all(s, b.st, b.rc, "mark matches reported of subscriber",
			 subscriber);
}

int store_series_updated_since(struct store_ids *out, struct store *s,
			       int64_t since)
{
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_SERIES_UPDATED_SINCE);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, since);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		XGROW(out->v, out->alloc, out->nr + 1);
		out->v[out->nr++] = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	rc = rc == SQLITE_DONE ? 0
			       : store_fail(s, rc, "%s: series updated since",
					    s->path);
	stmt_done(st);
	return rc;
}

void store_strings_free(char **v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

int store_series_sources(char ***out, size_t *nr_out, struct store *s,
			 int64_t series)
{
	char **v = NULL;
	size_t nr = 0, alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*nr_out = 0;
	rc = stmt_get(&st, s, STMT_SERIES_SOURCES);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, series);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		XGROW(v, alloc, nr + 1);
		v[nr++] = column_strdup_empty(st, 0);
		rc = SQLITE_OK;
	}
	rc = rc == SQLITE_DONE ? 0
			       : store_fail(s, rc,
					    "%s: sources of series %lld",
					    s->path, (long long)series);
	stmt_done(st);
	if (rc) {
		store_strings_free(v, nr);
		return rc;
	}
	*out = v;
	*nr_out = nr;
	return 0;
}

void store_cursors_free(struct store_cursor *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(v[i].source);
		free(v[i].value);
	}
	free(v);
}

int store_cursors_prefixed(struct store_cursor **out, size_t *nr_out,
			   struct store *s, const char *prefix)
{
	struct store_cursor *v = NULL;
	size_t nr = 0, alloc = 0, len = strlen(prefix);
	struct binder b;
	sqlite3_stmt *st;
	char *end;
	int rc;

	*out = NULL;
	*nr_out = 0;
	/*
	 * Every name starting with prefix sorts at or after it and before
	 * prefix with its last byte raised by one (SQLite compares text
	 * bytewise under BINARY), so the primary key's index answers.
	 */
	if (!len || (unsigned char)prefix[len - 1] == 0xff)
		BUG("store_cursors_prefixed: prefix \"%s\"", prefix);
	end = xstrdup(prefix);
	end[len - 1]++;
	rc = stmt_get(&st, s, STMT_CURSORS_RANGE);
	if (rc) {
		free(end);
		return rc;
	}
	b.st = st;
	b.rc = SQLITE_OK;
	bind_text(&b, 1, prefix);
	bind_text(&b, 2, end);
	rc = b.rc;
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		XGROW(v, alloc, nr + 1);
		v[nr].source = column_strdup_empty(st, 0);
		v[nr].value = column_strdup_empty(st, 1);
		nr++;
		rc = SQLITE_OK;
	}
	rc = rc == SQLITE_DONE ? 0
			       : store_fail(s, rc, "%s: cursors named %s*",
					    s->path, prefix);
	stmt_done(st);
	free(end);
	if (rc) {
		store_cursors_free(v, nr);
		return rc;
	}
	*out = v;
	*nr_out = nr;
	return 0;
}

int store_digest_tip_get(struct buf *out, struct store *s, int64_t subscriber,
			 const char *archive)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_DIGEST_TIP_GET);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, subscriber);
	bind_text_empty(&b, 2, archive);
	rc = b.rc == SQLITE_OK ? sqlite3_step(st) : b.rc;
	if (rc == SQLITE_ROW) {
		buf_add(out, sqlite3_column_text(st, 0),
			(size_t)sqlite3_column_bytes(st, 0));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ERR_NOTFOUND;
	} else {
		rc = store_fail(s, rc, "%s: digest tip of %s for subscriber "
				       "%lld",
				s->path, archive, (long long)subscriber);
	}
	stmt_done(st);
	return rc;
}

int store_digest_tip_set(struct store *s, int64_t subscriber,
			 const char *archive, const char *tip)
{
	struct binder b;
	int rc;

	rc = stmt_get(&b.st, s, STMT_DIGEST_TIP_SET);
	if (rc)
		return rc;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, subscriber);
	bind_text_empty(&b, 2, archive);
	bind_text_empty(&b, 3, tip);
	return write_all(s, b.st, b.rc, "set digest tip for subscriber",
			 subscriber);
}
