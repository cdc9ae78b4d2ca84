/*
 * store_series.c: series, their members, their supersession edges and the
 * links their postings make. What belongs together is series.c's call;
 * this file keeps it, with an index behind every lookup (store_check_plans
 * proves it).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "log.h"
#include "store.h"
#include "store_impl.h"
#include "xalloc.h"

#define SERIES_COLUMNS                                                     \
	"id, title, version, author_name, author_address, list_id, kind, " \
	"expected_total, received, cover, root, rfc, resend, target, "     \
	"change_id, first_date, last_date, replies, reviews, created, "    \
	"updated, sent_from"

/* Column indexes of SERIES_COLUMNS. */
enum {
	SC_ID,
	SC_TITLE,
	SC_VERSION,
	SC_AUTHOR_NAME,
	SC_AUTHOR_ADDRESS,
	SC_LIST_ID,
	SC_KIND,
	SC_TOTAL,
	SC_RECEIVED,
	SC_COVER,
	SC_ROOT,
	SC_RFC,
	SC_RESEND,
	SC_TARGET,
	SC_CHANGE_ID,
	SC_FIRST_DATE,
	SC_LAST_DATE,
	SC_REPLIES,
	SC_REVIEWS,
	SC_CREATED,
	SC_UPDATED,
	SC_SENT_FROM,
};

/* Of messages m LEFT JOIN series_members s. */
#define BRIEF_COLUMNS                                                      \
	"m.id, s.series, m.kind, m.version, m.number, m.total, m.resend, " \
	"m.message_id, m.in_reply_to, m.title, m.author_name, "            \
	"m.author_address, m.date, m.from_address"

/*
 * Members in reading order: the cover, the patches by number, replies by
 * date; anything else last.
 */
#define MEMBER_ORDER                                                       \
	"CASE s.kind WHEN 'cover' THEN 0 WHEN 'patch' THEN 1 WHEN 'pull' " \
	"THEN 1 WHEN 'reply' THEN 2 ELSE 3 END, s.number, m.date, m.id"

const char *const store_series_sql[STMT_SERIES__END - STMT_SERIES_FIRST] = {
#define S(id) [id - STMT_SERIES_FIRST]
	S(STMT_SERIES_INSERT) =
		"INSERT INTO series (title, title_norm, version, author_name, "
		"author_address, list_id, kind, expected_total, received, "
		"cover, "
		"root, rfc, resend, target, change_id, first_date, last_date, "
		"replies, reviews, created, updated, sent_from) VALUES (?1, "
		"patchletter_title_key(?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		"?10, "
		"?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
	S(STMT_SERIES_UPDATE) =
		"UPDATE series SET title = ?1, title_norm = "
		"patchletter_title_key(?1), version = ?2, author_name = ?3, "
		"author_address = ?4, list_id = ?5, kind = ?6, expected_total "
		"= ?7, received = ?8, cover = ?9, root = ?10, rfc = ?11, "
		"resend "
		"= ?12, target = ?13, change_id = ?14, first_date = ?15, "
		"last_date = ?16, replies = ?17, reviews = ?18, created = ?19, "
		"updated = ?20, sent_from = ?21 WHERE id = ?22",
	S(STMT_SERIES_UPDATE_COUNTS) =
		"UPDATE series SET version = ?1, expected_total = ?2, received "
		"= ?3, rfc = ?4, first_date = ?5, last_date = ?6, replies = "
		"?7, "
		"reviews = ?8, updated = ?9 WHERE id = ?10",
	S(STMT_SERIES_UPDATE_ACTIVITY) =
		"UPDATE series SET replies = ?1, reviews = ?2, updated = ?3 "
		"WHERE id = ?4",
	S(STMT_SERIES_LOAD) =
		"SELECT " SERIES_COLUMNS " FROM series WHERE id = ?",
	S(STMT_SERIES_DELETE) = "DELETE FROM series WHERE id = ?",
	S(STMT_SERIES_BY_ROOT) =
		"SELECT id FROM series WHERE root = ? ORDER BY id DESC",
	S(STMT_SERIES_BY_CHANGE_ID) =
		"SELECT id FROM series WHERE change_id = ? ORDER BY id",
	S(STMT_SERIES_BY_TITLE) = "SELECT id FROM series WHERE title_norm = "
				  "patchletter_title_key(?) ORDER BY id DESC "
				  "LIMIT ?",
	S(STMT_SERIES_BY_SENDER) =
		"SELECT id FROM series WHERE sent_from = ? ORDER BY last_date "
		"DESC LIMIT ?",
	S(STMT_SERIES_ALL) = "SELECT id FROM series ORDER BY id",
	/* The newest of each family: nothing supersedes it. */
	S(STMT_SERIES_NEWEST) =
		"SELECT id FROM series WHERE NOT EXISTS (SELECT 1 FROM "
		"supersessions WHERE old_series = series.id) ORDER BY id",
	S(STMT_MESSAGE_BRIEF) =
		"SELECT " BRIEF_COLUMNS " FROM messages m LEFT JOIN "
		"series_members s ON s.message = m.id WHERE m.id = ?",
	/* The message's number and kind copied, for the series' index. */
	S(STMT_MESSAGE_SET_SERIES) =
		"INSERT INTO series_members (message, series, number, kind) "
		"SELECT id, ?2, number, kind FROM messages WHERE id = ?1 ON "
		"CONFLICT (message) DO UPDATE SET series = excluded.series",
	S(STMT_MESSAGE_UNSET_SERIES) =
		"DELETE FROM series_members WHERE message = ?",
	S(STMT_SERIES_MEMBERS) =
		"SELECT " BRIEF_COLUMNS
		" FROM series_members s JOIN messages m "
		"ON m.id = s.message WHERE s.series = ? ORDER BY " MEMBER_ORDER,
	/* By series_members_series (series, number): one seek, whatever
	 * the size of the series. */
	S(STMT_SERIES_NUMBER_TAKEN) = "SELECT 1 FROM series_members WHERE "
				      "series = ?1 AND number = ?2 "
				      "AND kind IN ('cover', 'patch', 'pull') "
				      "AND message <> ?3 LIMIT "
				      "1",
	S(STMT_SERIES_LOWEST_PATCH) =
		"SELECT number FROM series_members WHERE series = ?1 AND kind "
		"IN ('patch', 'pull') AND message <> ?2 ORDER BY number LIMIT "
		"1",
	S(STMT_SERIES_FIRST_POSTING) =
		"SELECT m.message_id FROM series_members s JOIN messages m ON "
		"m.id = s.message WHERE s.series = ? AND s.kind IN ('cover', "
		"'patch', 'pull') ORDER BY s.number, s.message LIMIT 1",
	S(STMT_SERIES_PATCH_TITLES) =
		"SELECT s.series, s.number, m.title_norm, m.author_name, "
		"m.author_address FROM series_members s JOIN messages m ON "
		"m.id "
		"= s.message WHERE s.series = ? AND s.kind IN ('patch', "
		"'pull') "
		"ORDER BY s.number, s.message",
	/* By messages_title (title_norm, author_address): a seek, then
	 * the author's patches of that title, newest first. */
	S(STMT_PATCHES_TITLED) =
		"SELECT s.series, s.number FROM messages m JOIN series_members "
		"s "
		"ON s.message = m.id WHERE m.title_norm = ?1 AND "
		"m.author_address = ?2 AND m.kind IN ('patch', 'pull') AND "
		"s.series <> ?3 ORDER BY m.id DESC LIMIT ?4",
	S(STMT_ORPHANS_IN_REPLY_TO) =
		"SELECT id FROM messages m WHERE in_reply_to = ? AND NOT "
		"EXISTS "
		"(SELECT 1 FROM series_members s WHERE s.message = m.id) ORDER "
		"BY id",
	S(STMT_ORPHANS_REFERENCING) =
		"SELECT m.id FROM message_refs r JOIN messages m ON m.id = "
		"r.message WHERE r.ref = ? AND NOT EXISTS (SELECT 1 FROM "
		"series_members s WHERE s.message = m.id) ORDER BY m.id",
	S(STMT_SERIES_REPLIES) = "SELECT count(*) FROM series_members WHERE "
				 "series = ? AND kind = 'reply'",
	/* As b4 collects them: follow-up trailers in the replies. */
	S(STMT_SERIES_REVIEWS) =
		"SELECT count(*) FROM series_members s JOIN trailers t ON "
		"t.message = s.message WHERE s.series = ? AND s.kind = 'reply' "
		"AND t.name IN ('Reviewed-by', 'Acked-by', 'Tested-by')",
	S(STMT_MESSAGE_REVIEWS) =
		"SELECT count(*) FROM trailers WHERE message = ? AND name IN "
		"('Reviewed-by', 'Acked-by', 'Tested-by')",
	S(STMT_SERIES_REPLIERS) =
		"SELECT m.author_name, m.author_address FROM series_members s "
		"JOIN messages m ON m.id = s.message WHERE s.series = ? AND "
		"s.kind = 'reply' ORDER BY m.date, m.id",
	S(STMT_SERIES_REVIEW_TRAILERS) =
		"SELECT m.message_id, m.in_reply_to, t.name, t.value FROM "
		"series_members s JOIN messages m ON m.id = s.message JOIN "
		"trailers t ON t.message = m.id WHERE s.series = ? AND s.kind "
		"= "
		"'reply' AND t.name IN ('Reviewed-by', 'Acked-by', "
		"'Tested-by') "
		"ORDER BY m.date, m.id, t.seq",
	S(STMT_EDGE_UPSERT) =
		"INSERT INTO supersessions (old_series, new_series, evidence, "
		"detail, created) VALUES (?, ?, ?, ?, strftime('%s', 'now')) "
		"ON CONFLICT (old_series, new_series) DO UPDATE SET evidence = "
		"excluded.evidence, detail = excluded.detail",
	S(STMT_EDGE_DELETE) = "DELETE FROM supersessions WHERE old_series = ? "
			      "AND new_series = ?",
	S(STMT_EDGES_INTO) =
		"SELECT old_series, new_series, evidence, detail FROM "
		"supersessions WHERE new_series = ? ORDER BY old_series",
	S(STMT_EDGES_OUT_OF) =
		"SELECT old_series, new_series, evidence, detail FROM "
		"supersessions WHERE old_series = ? ORDER BY new_series",
	S(STMT_LINK_INSERT) =
		"INSERT INTO series_links (series, message_id, evidence, "
		"version) VALUES (?, ?, ?, ?) ON CONFLICT (series, message_id) "
		"DO NOTHING",
	S(STMT_LINKS_NAMING) = "SELECT series, message_id, evidence, version "
			       "FROM series_links WHERE message_id = ?",
	S(STMT_LINKS_OF) = "SELECT series, message_id, evidence, version FROM "
			   "series_links WHERE series = ?",
#undef S
};

/* --- series ------------------------------------------------------------ */

static void bind_series(struct binder *b, const struct store_series *ser)
{
	if (ser->kind != MESSAGE_PATCH && ser->kind != MESSAGE_PULL)
		BUG("store: series kind %d", (int)ser->kind);
	bind_text_empty(b, 1, ser->title);
	bind_int(b, 2, ser->version);
	bind_text_empty(b, 3, ser->author.name);
	bind_text_empty(b, 4, ser->author.address);
	bind_text(b, 5, ser->list_id);
	bind_text(b, 6, store_kind_name(ser->kind));
	bind_int(b, 7, ser->total);
	bind_int(b, 8, ser->received);
	if (ser->cover)
		bind_int(b, 9, ser->cover);
	else
		bind_text(b, 9, NULL);
	bind_text(b, 10, ser->root);
	bind_int(b, 11, ser->rfc);
	bind_int(b, 12, ser->resend);
	bind_text_empty(b, 13, ser->target);
	bind_text(b, 14, ser->change_id);
	bind_int(b, 15, ser->first_date);
	bind_int(b, 16, ser->last_date);
	bind_int(b, 17, ser->replies);
	bind_int(b, 18, ser->reviews);
	bind_int(b, 19, ser->created);
	bind_int(b, 20, ser->updated);
	bind_text_empty(b, 21, ser->sent_from);
}

/*
 * Run st, one statement writing (expect_one: exactly one row; none is
 * ERR_NOTFOUND, reported); consumes st. SQLite makes one statement
 * atomic on its own (its statement journal undoes a failed one), so
 * inside the caller's transaction it needs no savepoint of its own, as
 * write_begin() makes for a write of several statements: series
 * assembly writes a few rows for every message, and the savepoints were
 * a third of their cost. Outside a transaction it commits on its own.
 */
static int write_one(struct store *s, sqlite3_stmt *st, int bind_rc,
		     const char *what, int64_t id, bool expect_one)
{
	int rc;

	if (s->txn == TXN_BROKEN) {
		stmt_done(st);
		return s->txn_error; /* reported when it broke */
	}
	rc = bind_rc == SQLITE_OK ? sqlite3_step(st) : bind_rc;
	if (rc == SQLITE_DONE) {
		rc = !expect_one || sqlite3_changes(s->db) == 1
			     ? 0
			     : errorf(ERR_NOTFOUND,
				      "store: %s: %s %lld: no such row",
				      s->path, what, (long long)id);
	} else {
		rc = store_fail(s, rc, "%s: %s %lld", s->path, what,
				(long long)id);
		/* As write_end(): SQLite gave the whole transaction up. */
		if (s->txn == TXN_OPEN && sqlite3_get_autocommit(s->db)) {
			s->txn = TXN_BROKEN;
			s->txn_error = rc;
			log_warnx("store: %s: transaction abandoned by SQLite",
				  s->path);
		}
	}
	stmt_done(st);
	return rc;
}

int store_series_add(int64_t *out, struct store *s,
		     const struct store_series *ser)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_SERIES_INSERT);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_series(&b, ser);
	rc = write_one(s, st, b.rc, "add series", 0, false);
	if (rc == 0)
		*out = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int store_series_update(struct store *s, const struct store_series *ser)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_SERIES_UPDATE);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_series(&b, ser);
	bind_int(&b, 22, ser->id);
	return write_one(s, st, b.rc, "update series", ser->id, true);
}

int store_series_update_counts(struct store *s, const struct store_series *ser)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_SERIES_UPDATE_COUNTS);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, ser->version);
	bind_int(&b, 2, ser->total);
	bind_int(&b, 3, ser->received);
	bind_int(&b, 4, ser->rfc);
	bind_int(&b, 5, ser->first_date);
	bind_int(&b, 6, ser->last_date);
	bind_int(&b, 7, ser->replies);
	bind_int(&b, 8, ser->reviews);
	bind_int(&b, 9, ser->updated);
	bind_int(&b, 10, ser->id);
	return write_one(s, st, b.rc, "update series", ser->id, true);
}

int store_series_update_activity(struct store *s,
				 const struct store_series *ser)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_SERIES_UPDATE_ACTIVITY);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, ser->replies);
	bind_int(&b, 2, ser->reviews);
	bind_int(&b, 3, ser->updated);
	bind_int(&b, 4, ser->id);
	return write_one(s, st, b.rc, "update series", ser->id, true);
}

void store_series_release(struct store_series *ser)
{
	free(ser->title);
	person_release(&ser->author);
	free(ser->sent_from);
	free(ser->list_id);
	free(ser->root);
	free(ser->target);
	free(ser->change_id);
	*ser = (struct store_series)STORE_SERIES_INIT;
}

static int column_int(sqlite3_stmt *st, int i)
{
	return sqlite3_column_int(st, i);
}

int store_series_load(struct store_series *out, struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	store_series_release(out);
	rc = stmt_get(&st, s, STMT_SERIES_LOAD);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, SC_ID);
		out->title = column_strdup_empty(st, SC_TITLE);
		out->version = column_int(st, SC_VERSION);
		out->author.name = column_strdup_empty(st, SC_AUTHOR_NAME);
		out->author.address =
			column_strdup_empty(st, SC_AUTHOR_ADDRESS);
		out->list_id = column_strdup(st, SC_LIST_ID);
		out->kind = store_kind_from_name(
			(const char *)sqlite3_column_text(st, SC_KIND));
		out->total = column_int(st, SC_TOTAL);
		out->received = column_int(st, SC_RECEIVED);
		out->cover = sqlite3_column_int64(st, SC_COVER);
		out->root = column_strdup(st, SC_ROOT);
		out->rfc = column_int(st, SC_RFC) != 0;
		out->resend = column_int(st, SC_RESEND) != 0;
		out->target = column_strdup_empty(st, SC_TARGET);
		out->change_id = column_strdup(st, SC_CHANGE_ID);
		out->first_date = sqlite3_column_int64(st, SC_FIRST_DATE);
		out->last_date = sqlite3_column_int64(st, SC_LAST_DATE);
		out->replies = column_int(st, SC_REPLIES);
		out->reviews = column_int(st, SC_REVIEWS);
		out->created = sqlite3_column_int64(st, SC_CREATED);
		out->updated = sqlite3_column_int64(st, SC_UPDATED);
		out->sent_from = column_strdup_empty(st, SC_SENT_FROM);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ERR_NOTFOUND;
	} else {
		rc = store_fail(s, rc, "%s: load series %lld", s->path,
				(long long)id);
	}
	stmt_done(st);
	return rc;
}

int store_series_delete(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_SERIES_DELETE);
	if (rc)
		return rc;
	return write_one(s, st, sqlite3_bind_int64(st, 1, id), "delete series",
			 id, true);
}

/* --- id lists ---------------------------------------------------------- */

void store_ids_release(struct store_ids *ids)
{
	free(ids->v);
	*ids = (struct store_ids)STORE_IDS_INIT;
}

/* Step st (bound) and append column 0 of each row to out; consumes st. */
static int collect_ids(struct store_ids *out, struct store *s, sqlite3_stmt *st,
		       int bind_rc, const char *context)
{
	int rc = bind_rc;

	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			XGROW(out->v, out->alloc, out->nr + 1);
			out->v[out->nr++] = sqlite3_column_int64(st, 0);
		}
	}
	rc = rc == SQLITE_DONE ? 0
			       : store_fail(s, rc, "%s: %s", s->path, context);
	stmt_done(st);
	return rc;
}

/* A lookup of ids by one text key. */
static int ids_by_text(struct store_ids *out, struct store *s, enum stmt id,
		       const char *key, const char *context)
{
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, id);
	if (rc)
		return rc;
	return collect_ids(out, s, st,
			   sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC),
			   context);
}

int store_series_by_root(struct store_ids *out, struct store *s,
			 const char *message_id)
{
	return ids_by_text(out, s, STMT_SERIES_BY_ROOT, message_id,
			   "series by root");
}

int store_series_by_change_id(struct store_ids *out, struct store *s,
			      const char *change_id)
{
	return ids_by_text(out, s, STMT_SERIES_BY_CHANGE_ID, change_id,
			   "series by change-id");
}

/* A lookup of at most max ids by one text key. */
static int ids_by_text_max(struct store_ids *out, struct store *s, enum stmt id,
			   const char *key, size_t max, const char *context)
{
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, id);
	if (rc)
		return rc;
	rc = sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, (int64_t)max);
	return collect_ids(out, s, st, rc, context);
}

int store_series_by_title(struct store_ids *out, struct store *s,
			  const char *title, size_t max)
{
	return ids_by_text_max(out, s, STMT_SERIES_BY_TITLE, title, max,
			       "series by title");
}

int store_series_by_sender(struct store_ids *out, struct store *s,
			   const char *address, size_t max)
{
	return ids_by_text_max(out, s, STMT_SERIES_BY_SENDER, address, max,
			       "series by sender");
}

int store_series_list(struct store_ids *out, struct store *s, bool all)
{
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, all ? STMT_SERIES_ALL : STMT_SERIES_NEWEST);
	if (rc)
		return rc;
	return collect_ids(out, s, st, SQLITE_OK, "list series");
}

int store_orphans_replying_to(struct store_ids *out, struct store *s,
			      const char *message_id)
{
	int rc;

	rc = ids_by_text(out, s, STMT_ORPHANS_IN_REPLY_TO, message_id,
			 "replies by In-Reply-To");
	if (rc == 0)
		rc = ids_by_text(out, s, STMT_ORPHANS_REFERENCING, message_id,
				 "replies by References");
	return rc;
}

/* --- message briefs and membership -------------------------------------- */

void store_message_brief_release(struct store_message_brief *b)
{
	free(b->message_id);
	free(b->in_reply_to);
	free(b->title);
	person_release(&b->author);
	free(b->from_address);
	*b = (struct store_message_brief)STORE_MESSAGE_BRIEF_INIT;
}

void store_message_briefs_free(struct store_message_brief *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		store_message_brief_release(&v[i]);
	free(v);
}

static void read_brief(struct store_message_brief *out, sqlite3_stmt *st)
{
	out->id = sqlite3_column_int64(st, 0);
	out->series = sqlite3_column_int64(st, 1);
	out->kind =
		store_kind_from_name((const char *)sqlite3_column_text(st, 2));
	out->version = column_int(st, 3);
	out->number = column_int(st, 4);
	out->total = column_int(st, 5);
	out->resend = column_int(st, 6) != 0;
	out->message_id = column_strdup_empty(st, 7);
	out->in_reply_to = column_strdup(st, 8);
	out->title = column_strdup_empty(st, 9);
	out->author.name = column_strdup_empty(st, 10);
	out->author.address = column_strdup_empty(st, 11);
	out->date = sqlite3_column_int64(st, 12);
	out->from_address = column_strdup_empty(st, 13);
}

int store_message_brief(struct store_message_brief *out, struct store *s,
			int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	store_message_brief_release(out);
	rc = stmt_get(&st, s, STMT_MESSAGE_BRIEF);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_brief(out, st);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ERR_NOTFOUND;
	} else {
		rc = store_fail(s, rc, "%s: message %lld", s->path,
				(long long)id);
	}
	stmt_done(st);
	return rc;
}

int store_message_set_series(struct store *s, int64_t id, int64_t series)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s,
		      series ? STMT_MESSAGE_SET_SERIES
			     : STMT_MESSAGE_UNSET_SERIES);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, id);
	if (series)
		bind_int(&b, 2, series);
	return write_one(s, st, b.rc,
			 series ? "set series of message"
				: "unset series of message",
			 id, series != 0);
}

int store_series_members(struct store_message_brief **out, size_t *nr_out,
			 struct store *s, int64_t series)
{
	struct store_message_brief *v = NULL;
	size_t nr = 0, alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*nr_out = 0;
	rc = stmt_get(&st, s, STMT_SERIES_MEMBERS);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, series);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			XGROW(v, alloc, nr + 1);
			v[nr] = (struct store_message_brief)
				STORE_MESSAGE_BRIEF_INIT;
			read_brief(&v[nr++], st);
		}
	}
	if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = store_fail(s, rc, "%s: members of series %lld", s->path,
				(long long)series);
	}
	stmt_done(st);
	if (rc) {
		store_message_briefs_free(v, nr);
		return rc;
	}
	*out = v;
	*nr_out = nr;
	return 0;
}

int store_series_number_taken(bool *out, struct store *s, int64_t series,
			      int number, int64_t self)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	*out = false;
	rc = stmt_get(&st, s, STMT_SERIES_NUMBER_TAKEN);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, series);
	bind_int(&b, 2, number);
	bind_int(&b, 3, self);
	rc = b.rc == SQLITE_OK ? sqlite3_step(st) : b.rc;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		*out = rc == SQLITE_ROW;
		rc = 0;
	} else {
		rc = store_fail(s, rc, "%s: numbers of series %lld", s->path,
				(long long)series);
	}
	stmt_done(st);
	return rc;
}

int store_series_lowest_patch(int *out, struct store *s, int64_t series,
			      int64_t self)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_SERIES_LOWEST_PATCH);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, series);
	bind_int(&b, 2, self);
	rc = b.rc == SQLITE_OK ? sqlite3_step(st) : b.rc;
	if (rc == SQLITE_ROW) {
		*out = column_int(st, 0);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ERR_NOTFOUND;
	} else {
		rc = store_fail(s, rc, "%s: patches of series %lld", s->path,
				(long long)series);
	}
	stmt_done(st);
	return rc;
}

int store_series_first_posting(char **out, struct store *s, int64_t series)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	rc = stmt_get(&st, s, STMT_SERIES_FIRST_POSTING);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, series);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = column_strdup_empty(st, 0);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ERR_NOTFOUND;
	} else {
		rc = store_fail(s, rc, "%s: first posting of series %lld",
				s->path, (long long)series);
	}
	stmt_done(st);
	return rc;
}

void store_patch_titles_free(struct store_patch_title *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(v[i].key);
		person_release(&v[i].author);
	}
	free(v);
}

/* Step st (bound), reading patch titles (series, number[, key, name,
 * address]); consumes st. */
static int collect_patch_titles(struct store_patch_title **out, size_t *nr_out,
				struct store *s, sqlite3_stmt *st, int bind_rc,
				bool whole)
{
	struct store_patch_title *v = NULL;
	size_t nr = 0, alloc = 0;
	int rc = bind_rc;

	*out = NULL;
	*nr_out = 0;
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			XGROW(v, alloc, nr + 1);
			memset(&v[nr], 0, sizeof(v[nr]));
			v[nr].series = sqlite3_column_int64(st, 0);
			v[nr].number = column_int(st, 1);
			if (whole) {
				v[nr].key = column_strdup_empty(st, 2);
				v[nr].author.name = column_strdup_empty(st, 3);
				v[nr].author.address =
					column_strdup_empty(st, 4);
			}
			nr++;
		}
	}
	rc = rc == SQLITE_DONE ? 0
			       : store_fail(s, rc, "%s: patch titles", s->path);
	stmt_done(st);
	if (rc) {
		store_patch_titles_free(v, nr);
		return rc;
	}
	*out = v;
	*nr_out = nr;
	return 0;
}

int store_series_patch_titles(struct store_patch_title **out, size_t *nr_out,
			      struct store *s, int64_t series)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*nr_out = 0;
	rc = stmt_get(&st, s, STMT_SERIES_PATCH_TITLES);
	if (rc)
		return rc;
	return collect_patch_titles(out, nr_out, s, st,
				    sqlite3_bind_int64(st, 1, series), true);
}

int store_patches_titled(struct store_patch_title **out, size_t *nr_out,
			 struct store *s, const char *key, const char *address,
			 int64_t not_series, size_t max)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*nr_out = 0;
	rc = stmt_get(&st, s, STMT_PATCHES_TITLED);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_text(&b, 1, key);
	/* NULL compares equal to nothing: an empty address is no
	 * identity. */
	bind_text(&b, 2, address && address[0] ? address : NULL);
	bind_int(&b, 3, not_series);
	bind_int(&b, 4, (int64_t)max);
	return collect_patch_titles(out, nr_out, s, st, b.rc, false);
}

/* One count(*) of a series. */
static int count_of_series(int *out, struct store *s, enum stmt id,
			   int64_t series)
{
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, id);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, series);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = column_int(st, 0);
		rc = 0;
	} else {
		rc = store_fail(s, rc, "%s: activity of series %lld", s->path,
				(long long)series);
	}
	stmt_done(st);
	return rc;
}

int store_series_activity(int *replies_out, int *reviews_out, struct store *s,
			  int64_t series)
{
	int rc;

	rc = count_of_series(replies_out, s, STMT_SERIES_REPLIES, series);
	if (rc == 0)
		rc = count_of_series(reviews_out, s, STMT_SERIES_REVIEWS,
				     series);
	return rc;
}

int store_message_reviews(int *out, struct store *s, int64_t id)
{
	return count_of_series(out, s, STMT_MESSAGE_REVIEWS, id);
}

void store_persons_free(struct person *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		person_release(&v[i]);
	free(v);
}

static bool same_address(const char *a, const char *b)
{
	return a && b && a[0] && !strcasecmp(a, b);
}

int store_series_repliers(struct person **out, size_t *nr_out, struct store *s,
			  int64_t series)
{
	struct store_series ser = STORE_SERIES_INIT;
	struct person *v = NULL;
	size_t nr = 0, alloc = 0, i;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*nr_out = 0;
	rc = store_series_load(&ser, s, series);
	if (rc == 0)
		rc = stmt_get(&st, s, STMT_SERIES_REPLIERS);
	if (rc) {
		store_series_release(&ser);
		return rc;
	}
	rc = sqlite3_bind_int64(st, 1, series);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *name =
				(const char *)sqlite3_column_text(st, 0);
			const char *addr =
				(const char *)sqlite3_column_text(st, 1);

			if (!addr || !addr[0] ||
			    same_address(addr, ser.author.address) ||
			    same_address(addr, ser.sent_from))
				continue;
			for (i = 0; i < nr; i++)
				if (same_address(addr, v[i].address))
					break;
			if (i < nr)
				continue;
			XGROW(v, alloc, nr + 1);
			v[nr] = (struct person)PERSON_INIT;
			person_set(&v[nr++], name ? name : "", addr);
		}
	}
	rc = rc == SQLITE_DONE
		     ? 0
		     : store_fail(s, rc, "%s: repliers of series %lld", s->path,
				  (long long)series);
	stmt_done(st);
	store_series_release(&ser);
	if (rc) {
		store_persons_free(v, nr);
		return rc;
	}
	*out = v;
	*nr_out = nr;
	return 0;
}

void store_reviews_free(struct store_review *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(v[i].posting);
		free(v[i].name);
		free(v[i].value);
		free(v[i].message_id);
	}
	free(v);
}

/*
 * b4's rule: a follow-up trailer belongs to the patch the reply answers,
 * found up the In-Reply-To chain through other replies (bounded by
 * SERIES_REVIEW_CHAIN_MAX: a deeper thread gives none).
 */
/* Fill r->number and r->posting from the chain above in_reply_to. */
static int review_posting(struct store_review *r, struct store *s,
			  int64_t series, const char *in_reply_to)
{
	struct store_message_brief b = STORE_MESSAGE_BRIEF_INIT;
	char *parent = in_reply_to ? xstrdup(in_reply_to) : NULL;
	int64_t id;
	int depth, rc = 0;

	r->number = -1;
	for (depth = 0; parent && depth < SERIES_REVIEW_CHAIN_MAX; depth++) {
		rc = store_message_find(&id, s, parent);
		if (rc == 0)
			rc = store_message_brief(&b, s, id);
		if (rc)
			break;
		free(parent);
		parent = NULL;
		if (b.kind == MESSAGE_REPLY) {
			parent = b.in_reply_to ? xstrdup(b.in_reply_to) : NULL;
			continue;
		}
		if (b.series == series &&
		    (b.kind == MESSAGE_COVER || b.kind == MESSAGE_PATCH ||
		     b.kind == MESSAGE_PULL)) {
			r->number = b.kind == MESSAGE_COVER ? 0 : b.number;
			r->posting = xstrdup(b.message_id);
		}
	}
	free(parent);
	store_message_brief_release(&b);
	return rc == ERR_NOTFOUND ? 0 : rc;
}

int store_series_reviews(struct store_review **out, size_t *nr_out,
			 struct store *s, int64_t series)
{
	struct store_review *v = NULL;
	char **irt = NULL;
	size_t nr = 0, alloc = 0, ialloc = 0, i;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*nr_out = 0;
	rc = stmt_get(&st, s, STMT_SERIES_REVIEW_TRAILERS);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, series);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			XGROW(v, alloc, nr + 1);
			XGROW(irt, ialloc, nr + 1);
			memset(&v[nr], 0, sizeof(v[nr]));
			v[nr].message_id = column_strdup_empty(st, 0);
			irt[nr] = column_strdup(st, 1);
			v[nr].name = column_strdup_empty(st, 2);
			v[nr].value = column_strdup_empty(st, 3);
			nr++;
		}
	}
	rc = rc == SQLITE_DONE ? 0
			       : store_fail(s, rc, "%s: reviews of series %lld",
					    s->path, (long long)series);
	stmt_done(st);
	/* Walk the chains once the statement is done with. */
	for (i = 0; rc == 0 && i < nr; i++)
		rc = review_posting(&v[i], s, series, irt[i]);
	for (i = 0; i < nr; i++)
		free(irt[i]);
	free(irt);
	if (rc) {
		store_reviews_free(v, nr);
		return rc;
	}
	*out = v;
	*nr_out = nr;
	return 0;
}

/* --- supersession edges ------------------------------------------------ */

int store_edge_add(struct store *s, int64_t old_series, int64_t new_series,
		   const char *evidence, const char *detail)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	if (old_series == new_series)
		BUG("store: series %lld superseding itself",
		    (long long)old_series);
	rc = stmt_get(&st, s, STMT_EDGE_UPSERT);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, old_series);
	bind_int(&b, 2, new_series);
	bind_text_empty(&b, 3, evidence);
	bind_text(&b, 4, detail);
	return write_one(s, st, b.rc, "add supersession", old_series, false);
}

int store_edge_remove(struct store *s, int64_t old_series, int64_t new_series)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_EDGE_DELETE);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, old_series);
	bind_int(&b, 2, new_series);
	return write_one(s, st, b.rc, "remove supersession", old_series, false);
}

void store_edges_free(struct store_edge *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(v[i].evidence);
		free(v[i].detail);
	}
	free(v);
}

int store_edges(struct store_edge **out, size_t *nr_out, struct store *s,
		int64_t series, bool superseding)
{
	struct store_edge *v = NULL;
	size_t nr = 0, alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*nr_out = 0;
	rc = stmt_get(&st, s,
		      superseding ? STMT_EDGES_OUT_OF : STMT_EDGES_INTO);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, series);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			XGROW(v, alloc, nr + 1);
			v[nr].old_series = sqlite3_column_int64(st, 0);
			v[nr].new_series = sqlite3_column_int64(st, 1);
			v[nr].evidence = column_strdup_empty(st, 2);
			v[nr].detail = column_strdup(st, 3);
			nr++;
		}
	}
	rc = rc == SQLITE_DONE ? 0
			       : store_fail(s, rc, "%s: edges of series %lld",
					    s->path, (long long)series);
	stmt_done(st);
	if (rc) {
		store_edges_free(v, nr);
		return rc;
	}
	*out = v;
	*nr_out = nr;
	return 0;
}

/* --- links ------------------------------------------------------------- */

int store_link_add(struct store *s, int64_t series, const char *message_id,
		   const char *evidence, int version)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_LINK_INSERT);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, series);
	bind_text_empty(&b, 2, message_id);
	bind_text_empty(&b, 3, evidence);
	bind_int(&b, 4, version);
	return write_one(s, st, b.rc, "add link", series, false);
}

void store_links_free(struct store_link *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(v[i].message_id);
		free(v[i].evidence);
	}
	free(v);
}

int store_links(struct store_link **out, size_t *nr_out, struct store *s,
		int64_t series, const char *message_id)
{
	struct store_link *v = NULL;
	size_t nr = 0, alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*nr_out = 0;
	rc = stmt_get(&st, s, message_id ? STMT_LINKS_NAMING : STMT_LINKS_OF);
	if (rc)
		return rc;
	rc = message_id
		     ? sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC)
		     : sqlite3_bind_int64(st, 1, series);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			XGROW(v, alloc, nr + 1);
			v[nr].series = sqlite3_column_int64(st, 0);
			v[nr].message_id = column_strdup_empty(st, 1);
			v[nr].evidence = column_strdup_empty(st, 2);
			v[nr].version = column_int(st, 3);
			nr++;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_fail(s, rc, "%s: links", s->path);
	stmt_done(st);
	if (rc) {
		store_links_free(v, nr);
		return rc;
	}
	*out = v;
	*nr_out = nr;
	return 0;
}
