/*
 * store_match.c: matches of series to subscribers' rules, and their
 * reporting in digests.
 */
#include <stdlib.h>

#include "err.h"
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
#undef S
};

int store_match_add(struct store *s, int64_t subscriber, int64_t series,
		    const char *rule, int64_t now)
{
	struct binder b;
	sqlite3_stmt *st;
	bool own;
	int rc;

	rc = stmt_get(&st, s, STMT_MATCH_INSERT);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, subscriber);
	bind_int(&b, 2, series);
	bind_text_empty(&b, 3, rule);
	bind_int(&b, 4, now);
	rc = write_begin(s, &own);
	if (rc) {
		stmt_done(st);
		return rc;
	}
	rc = b.rc == SQLITE_OK ? sqlite3_step(st) : b.rc;
	rc = rc == SQLITE_DONE ? 0
			       : store_fail(s, rc, "%s: add match of series "
						   "%lld",
					    s->path, (long long)series);
	stmt_done(st);
	return write_end(s, own, rc);
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
	sqlite3_stmt *st;
	bool own;
	int rc;

	rc = stmt_get(&st, s, STMT_MATCHES_MARK_REPORTED);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, subscriber);
	bind_int(&b, 2, outbox);
	bind_int(&b, 3, until);
	rc = write_begin(s, &own);
	if (rc) {
		stmt_done(st);
		return rc;
	}
	rc = b.rc == SQLITE_OK ? sqlite3_step(st) : b.rc;
	rc = rc == SQLITE_DONE ? 0
			       : store_fail(s, rc, "%s: mark matches reported",
					    s->path);
	stmt_done(st);
	return write_end(s, own, rc);
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
