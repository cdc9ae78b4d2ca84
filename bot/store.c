/*
 * store.c: the state in SQLite. One section per table; every statement
 * lives in the stmt_sql table below and is compiled once per store, on
 * first use. Values reach SQL only through bound parameters.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bounds.h"
#include "err.h"
#include "json.h"
#include "log.h"
#include "store.h"
#include "store_impl.h"
#include "xalloc.h"

/* PRAGMA application_id: "PLTR", so that file(1) and we know the file. */
#define STORE_APPLICATION_ID 0x504c5452

/* --- schema ----------------------------------------------------------
 *
 * Forward migrations, in order. Step N turns a version N-1 file into a
 * version N file and ends by setting user_version to N (PRAGMA takes no
 * bound parameters, so each step names its own number). A new file runs
 * every step, so a fresh store and a migrated one have the same schema.
 * Never edit a step that has shipped: add one.
 *
 * Every foreign key's child column is indexed (SQLite checks and
 * cascades through it), and every lookup the later stages make has an
 * index: nothing scans the messages table per message.
 */

/*
 * Version 1: what the first program kept: the ingested mail.
 *  - messages.date is the effective date (in-body Date: wins),
 *    header_date the Date header; message_id NULL when the mail had none;
 *  - prefixes is the subject's prefixes as a JSON array of strings, read
 *    back with json_each() (a few short words: a child table would cost
 *    a row per prefix for nothing);
 *  - the patch offsets point into body; child rows keep their order in
 *    seq.
 */
static const char schema_v1[] =
	/* 1347179602 is STORE_APPLICATION_ID. */
	"PRAGMA application_id = 1347179602;\n"
	"CREATE TABLE messages (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	message_id TEXT UNIQUE,\n"
	"	in_reply_to TEXT,\n"
	"	list_id TEXT,\n"
	"	date INTEGER NOT NULL,\n"
	"	header_date INTEGER NOT NULL,\n"
	"	received INTEGER NOT NULL,\n"
	"	source TEXT NOT NULL,\n"
	"	from_name TEXT NOT NULL,\n"
	"	from_address TEXT NOT NULL,\n"
	"	author_name TEXT NOT NULL,\n"
	"	author_address TEXT NOT NULL,\n"
	"	subject TEXT NOT NULL,\n"
	"	title TEXT NOT NULL,\n"
	"	prefixes TEXT NOT NULL,\n"
	"	version INTEGER NOT NULL,\n"
	"	number INTEGER NOT NULL,\n"
	"	total INTEGER NOT NULL,\n"
	"	rfc INTEGER NOT NULL CHECK (rfc IN (0, 1)),\n"
	"	resend INTEGER NOT NULL CHECK (resend IN (0, 1)),\n"
	"	reply INTEGER NOT NULL CHECK (reply IN (0, 1)),\n"
	"	forward INTEGER NOT NULL CHECK (forward IN (0, 1)),\n"
	"	pull INTEGER NOT NULL CHECK (pull IN (0, 1)),\n"
	"	patch INTEGER NOT NULL CHECK (patch IN (0, 1)),\n"
	"	kind TEXT NOT NULL\n"
	"		CHECK (kind IN ('cover', 'patch', 'reply', 'pull', "
	"'other')),\n"
	"	sender TEXT,\n"
	"	reply_to TEXT,\n"
	"	return_path TEXT,\n"
	"	auto_submitted TEXT,\n"
	"	precedence TEXT,\n"
	"	has_list_headers INTEGER NOT NULL CHECK (has_list_headers IN "
	"(0, 1)),\n"
	"	inbody_from_name TEXT,\n"
	"	inbody_from_address TEXT,\n"
	"	inbody_subject TEXT,\n"
	"	inbody_date INTEGER NOT NULL,\n"
	"	body TEXT NOT NULL,\n"
	"	message_off INTEGER NOT NULL,\n"
	"	message_len INTEGER NOT NULL,\n"
	"	notes_off INTEGER NOT NULL,\n"
	"	notes_len INTEGER NOT NULL,\n"
	"	diffstat_off INTEGER NOT NULL,\n"
	"	diffstat_len INTEGER NOT NULL,\n"
	"	diff_off INTEGER NOT NULL,\n"
	"	diff_len INTEGER NOT NULL,\n"
	"	has_separator INTEGER NOT NULL CHECK (has_separator IN (0, "
	"1)),\n"
	"	has_diff INTEGER NOT NULL CHECK (has_diff IN (0, 1)),\n"
	"	is_pull INTEGER NOT NULL CHECK (is_pull IN (0, 1)),\n"
	"	diffstat_files INTEGER NOT NULL,\n"
	"	diffstat_insertions INTEGER NOT NULL,\n"
	"	diffstat_deletions INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE message_refs (\n"
	"	message INTEGER NOT NULL REFERENCES messages(id) ON DELETE "
	"CASCADE,\n"
	"	seq INTEGER NOT NULL,\n"
	"	ref TEXT NOT NULL,\n"
	"	PRIMARY KEY (message, seq)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX message_refs_ref ON message_refs(ref);\n"
	"CREATE TABLE message_files (\n"
	"	message INTEGER NOT NULL REFERENCES messages(id) ON DELETE "
	"CASCADE,\n"
	"	seq INTEGER NOT NULL,\n"
	"	path TEXT NOT NULL,\n"
	"	PRIMARY KEY (message, seq)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE trailers (\n"
	"	message INTEGER NOT NULL REFERENCES messages(id) ON DELETE "
	"CASCADE,\n"
	"	seq INTEGER NOT NULL,\n"
	"	name TEXT NOT NULL,\n"
	"	value TEXT NOT NULL,\n"
	"	PRIMARY KEY (message, seq)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE unparsed (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	raw BLOB NOT NULL,\n"
	"	size INTEGER NOT NULL,\n"
	"	reason TEXT NOT NULL,\n"
	"	source TEXT NOT NULL,\n"
	"	received INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE cursors (\n"
	"	source TEXT PRIMARY KEY,\n"
	"	value TEXT NOT NULL,\n"
	"	updated INTEGER NOT NULL\n"
	") WITHOUT ROWID;\n"
	"PRAGMA user_version = 1;\n";

/*
 * Version 2: series, their supersession, subscribers, rule files, matches
 * and the outbox; messages gain the normalised title (filled in for the
 * rows already there by patchletter_title_key(), the SQL face of
 * store_title_key()), and the indexes threading and series assembly look
 * messages up by. Which series a message is in lives in series_members, a
 * narrow table of its own: placing a message writes a small row there
 * rather than rewriting the message's row, body and all.
 */
static const char schema_v2[] =
	"CREATE TABLE series (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	title TEXT NOT NULL,\n"
	"	title_norm TEXT NOT NULL,\n"
	"	version INTEGER NOT NULL CHECK (version >= 1),\n"
	"	author_name TEXT NOT NULL,\n"
	"	author_address TEXT NOT NULL,\n"
	"	list_id TEXT,\n"
	"	kind TEXT NOT NULL CHECK (kind IN ('patch', 'pull')),\n"
	"	expected_total INTEGER,\n"
	"	cover INTEGER REFERENCES messages(id) ON DELETE SET NULL,\n"
	"	rfc INTEGER NOT NULL DEFAULT 0 CHECK (rfc IN (0, 1)),\n"
	"	resend INTEGER NOT NULL DEFAULT 0 CHECK (resend IN (0, 1)),\n"
	"	prefixes TEXT NOT NULL DEFAULT '[]',\n"
	"	change_id TEXT,\n"
	"	first_date INTEGER NOT NULL,\n"
	"	last_date INTEGER NOT NULL,\n"
	"	created INTEGER NOT NULL,\n"
	"	updated INTEGER NOT NULL,\n"
	"	replies INTEGER NOT NULL DEFAULT 0,\n"
	"	reviews INTEGER NOT NULL DEFAULT 0,\n"
	"	root TEXT,\n"
	"	target TEXT NOT NULL DEFAULT '',\n"
	"	received INTEGER NOT NULL DEFAULT 0,\n"
	"	sent_from TEXT NOT NULL DEFAULT ''\n"
	");\n"
	"CREATE INDEX series_title ON series(title_norm, author_address);\n"
	"CREATE INDEX series_root ON series(root) WHERE root IS NOT NULL;\n"
	"CREATE INDEX series_sent_from ON series(sent_from, last_date);\n"
	"CREATE TABLE series_links (\n"
	"	series INTEGER NOT NULL REFERENCES series(id) ON DELETE "
	"CASCADE,\n"
	"	message_id TEXT NOT NULL,\n"
	"	evidence TEXT NOT NULL,\n"
	"	version INTEGER NOT NULL DEFAULT 0,\n"
	"	PRIMARY KEY (series, message_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX series_links_message ON series_links(message_id);\n"
	"CREATE INDEX series_change_id ON series(change_id)\n"
	"	WHERE change_id IS NOT NULL;\n"
	"CREATE UNIQUE INDEX series_cover ON series(cover) WHERE cover IS NOT "
	"NULL;\n"
	"CREATE INDEX series_updated ON series(updated);\n"
	"CREATE TABLE supersessions (\n"
	"	old_series INTEGER NOT NULL REFERENCES series(id) ON DELETE "
	"CASCADE,\n"
	"	new_series INTEGER NOT NULL REFERENCES series(id) ON DELETE "
	"CASCADE,\n"
	"	evidence TEXT NOT NULL,\n"
	"	detail TEXT,\n"
	"	created INTEGER NOT NULL,\n"
	"	PRIMARY KEY (old_series, new_series),\n"
	"	CHECK (old_series <> new_series)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX supersessions_new ON supersessions(new_series, "
	"old_series);\n"
	"ALTER TABLE messages ADD COLUMN title_norm TEXT NOT NULL DEFAULT '';\n"
	"UPDATE messages SET title_norm = patchletter_title_key(title);\n"
	"CREATE TABLE series_members (\n"
	"	message INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE "
	"CASCADE,\n"
	"	series INTEGER NOT NULL REFERENCES series(id) ON DELETE "
	"CASCADE,\n"
	"	number INTEGER NOT NULL,\n"
	"	kind TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX series_members_series ON series_members(series, number);\n"
	"CREATE INDEX messages_in_reply_to ON messages(in_reply_to)\n"
	"	WHERE in_reply_to IS NOT NULL;\n"
	"CREATE INDEX messages_title ON messages(title_norm, author_address);\n"
	"CREATE INDEX messages_author ON messages(author_address, date);\n"
	"CREATE INDEX messages_list ON messages(list_id, date);\n"

	"CREATE TABLE subscribers (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	address TEXT NOT NULL UNIQUE COLLATE NOCASE,\n"
	"	status TEXT NOT NULL\n"
	"		CHECK (status IN ('pending', 'active', 'paused')),\n"
	"	created INTEGER NOT NULL,\n"
	"	last_digest_at INTEGER\n"
	");\n"
	"CREATE TABLE rulefiles (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	subscriber INTEGER NOT NULL\n"
	"		REFERENCES subscribers(id) ON DELETE CASCADE,\n"
	"	text TEXT NOT NULL,\n"
	"	created INTEGER NOT NULL,\n"
	"	state TEXT NOT NULL\n"
	"		CHECK (state IN ('proposed', 'active', "
	"'superseded')),\n"
	"	token_hash TEXT,\n"
	"	token_expires INTEGER\n"
	");\n"
	"CREATE INDEX rulefiles_subscriber ON rulefiles(subscriber, id);\n"
	"CREATE UNIQUE INDEX rulefiles_active ON rulefiles(subscriber)\n"
	"	WHERE state = 'active';\n"
	"CREATE UNIQUE INDEX rulefiles_token ON rulefiles(token_hash)\n"
	"	WHERE token_hash IS NOT NULL;\n"
	"CREATE TABLE outbox (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	subscriber INTEGER REFERENCES subscribers(id) ON DELETE SET "
	"NULL,\n"
	"	kind TEXT NOT NULL CHECK (kind IN ('digest', 'reply')),\n"
	"	message_id TEXT NOT NULL UNIQUE,\n"
	"	envelope_from TEXT NOT NULL,\n"
	"	recipient TEXT NOT NULL,\n"
	"	mail BLOB NOT NULL,\n"
	"	created INTEGER NOT NULL,\n"
	"	attempts INTEGER NOT NULL DEFAULT 0,\n"
	"	next_attempt_at INTEGER NOT NULL,\n"
	"	status TEXT NOT NULL DEFAULT 'queued'\n"
	"		CHECK (status IN ('queued', 'sent', 'failed')),\n"
	"	last_error TEXT,\n"
	"	sent_at INTEGER\n"
	");\n"
	"CREATE INDEX outbox_due ON outbox(next_attempt_at)\n"
	"	WHERE status = 'queued';\n"
	"CREATE INDEX outbox_subscriber ON outbox(subscriber)\n"
	"	WHERE subscriber IS NOT NULL;\n"
	"CREATE TABLE matches (\n"
	"	subscriber INTEGER NOT NULL\n"
	"		REFERENCES subscribers(id) ON DELETE CASCADE,\n"
	"	series INTEGER NOT NULL REFERENCES series(id) ON DELETE "
	"CASCADE,\n"
	"	rule TEXT NOT NULL,\n"
	"	matched_at INTEGER NOT NULL,\n"
	"	reported_in INTEGER REFERENCES outbox(id) ON DELETE SET NULL,\n"
	"	PRIMARY KEY (subscriber, series, rule)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX matches_unreported ON matches(subscriber, matched_at)\n"
	"	WHERE reported_in IS NULL;\n"
	"CREATE INDEX matches_series ON matches(series);\n"
	"CREATE INDEX matches_reported_in ON matches(reported_in)\n"
	"	WHERE reported_in IS NOT NULL;\n"
	"PRAGMA user_version = 2;\n";

/*
 * Version 3: the outbox by status, so that `patchletter status` lists the
 * failed and deferred mails, and counts them, without reading the rows
 * of every mail ever sent (their bodies included).
 */
static const char schema_v3[] =
	"CREATE INDEX outbox_status ON outbox(status, id);\n"
	"PRAGMA user_version = 3;\n";

/*
 * Version 4: each subscriber's token (it names them in List-Unsubscribe
 * and in commands without their address), and the log of command mails
 * received and replies sent, which rate limits count.
 */
static const char schema_v4[] =
	"ALTER TABLE subscribers ADD COLUMN token TEXT;\n"
	"CREATE UNIQUE INDEX subscribers_token ON subscribers(token)\n"
	"	WHERE token IS NOT NULL;\n"
	"CREATE TABLE mail_log (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	address TEXT NOT NULL COLLATE NOCASE,\n"
	"	direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),\n"
	"	at INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX mail_log_address ON mail_log(address, direction, at);\n"
	"PRAGMA user_version = 4;\n";

/*
 * Version 5: what keeps the version 4 tables small. The mail log by time,
 * so that entries older than any rate limit looks at go in one indexed
 * DELETE (pruning by address alone would keep the entries of every
 * address that never wrote again: a forger's thousand made-up senders);
 * and the pending subscribers by creation time, so that subscriptions
 * never confirmed are forgotten (limits.confirm-timeout) without reading
 * every subscriber.
 */
static const char schema_v5[] =
	"CREATE INDEX mail_log_at ON mail_log(at);\n"
	"CREATE INDEX subscribers_pending ON subscribers(created)\n"
	"	WHERE status = 'pending';\n"
	"PRAGMA user_version = 5;\n";

/*
 * Version 6: where each archive stood at a subscriber's last digest (its
 * tip commit), so that the next digest can say which commits it covers,
 * "from 84dc4eaa to 1c2d3e4f", as the list updates kernel readers know do.
 * Gone with the subscriber.
 */
static const char schema_v6[] =
	"CREATE TABLE digest_tips (\n"
	"	subscriber INTEGER NOT NULL\n"
	"		REFERENCES subscribers(id) ON DELETE CASCADE,\n"
	"	archive TEXT NOT NULL,\n"
	"	tip TEXT NOT NULL,\n"
	"	PRIMARY KEY (subscriber, archive)\n"
	") WITHOUT ROWID;\n"
	"PRAGMA user_version = 6;\n";

/*
 * Version 7: a number that grows with every change to the rules in force
 * (a subscriber added, removed, paused or resumed; a rule file added,
 * confirmed, superseded or removed), kept by triggers so that no writer
 * can forget it: the daemon compares it at each tick and rebuilds its
 * match index when it moved, so that `patchletter subscribers remove`
 * run beside it takes effect without a reload.
 */
static const char schema_v7[] =
	"CREATE TABLE subscriptions_generation (\n"
	"	id INTEGER PRIMARY KEY CHECK (id = 1),\n"
	"	n INTEGER NOT NULL\n"
	");\n"
	"INSERT INTO subscriptions_generation (id, n) VALUES (1, 0);\n"
	"CREATE TRIGGER subscribers_added AFTER INSERT ON subscribers BEGIN\n"
	"	UPDATE subscriptions_generation SET n = n + 1 WHERE id = 1;\n"
	"END;\n"
	"CREATE TRIGGER subscribers_removed AFTER DELETE ON subscribers BEGIN\n"
	"	UPDATE subscriptions_generation SET n = n + 1 WHERE id = 1;\n"
	"END;\n"
	"CREATE TRIGGER subscribers_status AFTER UPDATE OF status ON "
	"subscribers\n"
	"	WHEN OLD.status IS NOT NEW.status BEGIN\n"
	"	UPDATE subscriptions_generation SET n = n + 1 WHERE id = 1;\n"
	"END;\n"
	"CREATE TRIGGER rulefiles_added AFTER INSERT ON rulefiles BEGIN\n"
	"	UPDATE subscriptions_generation SET n = n + 1 WHERE id = 1;\n"
	"END;\n"
	"CREATE TRIGGER rulefiles_removed AFTER DELETE ON rulefiles BEGIN\n"
	"	UPDATE subscriptions_generation SET n = n + 1 WHERE id = 1;\n"
	"END;\n"
	"CREATE TRIGGER rulefiles_state AFTER UPDATE OF state ON rulefiles\n"
	"	WHEN OLD.state IS NOT NEW.state BEGIN\n"
	"	UPDATE subscriptions_generation SET n = n + 1 WHERE id = 1;\n"
	"END;\n"
	"PRAGMA user_version = 7;\n";

struct migration {
	int version; /* user_version after the step */
	const char *sql;
};

static const struct migration migrations[] = {
	{1, schema_v1},
	{2, schema_v2},
	{3, schema_v3},
	{4, schema_v4},
	{5, schema_v5},
	{6, schema_v6},
	{7, schema_v7},
};

int store_schema_version(void)
{
	return migrations[ARRAY_SIZE(migrations) - 1].version;
}

/* --- the statement cache --------------------------------------------- */

/*
 * The columns of messages that store_message_add() writes and
 * store_message_load() reads, in this order: MC_x is the column's index
 * in MESSAGE_COLUMNS and its parameter number minus one in the INSERT.
 */
enum message_column {
	MC_MESSAGE_ID,
	MC_IN_REPLY_TO,
	MC_LIST_ID,
	MC_DATE,
	MC_HEADER_DATE,
	MC_RECEIVED,
	MC_SOURCE,
	MC_FROM_NAME,
	MC_FROM_ADDRESS,
	MC_AUTHOR_NAME,
	MC_AUTHOR_ADDRESS,
	MC_SUBJECT,
	MC_TITLE,
	MC_TITLE_NORM,
	MC_PREFIXES,
	MC_VERSION,
	MC_NUMBER,
	MC_TOTAL,
	MC_RFC,
	MC_RESEND,
	MC_REPLY,
	MC_FORWARD,
	MC_PULL,
	MC_PATCH,
	MC_KIND,
	MC_SENDER,
	MC_REPLY_TO,
	MC_RETURN_PATH,
	MC_AUTO_SUBMITTED,
	MC_PRECEDENCE,
	MC_HAS_LIST_HEADERS,
	MC_INBODY_FROM_NAME,
	MC_INBODY_FROM_ADDRESS,
	MC_INBODY_SUBJECT,
	MC_INBODY_DATE,
	MC_BODY,
	MC_MESSAGE_OFF,
	MC_MESSAGE_LEN,
	MC_NOTES_OFF,
	MC_NOTES_LEN,
	MC_DIFFSTAT_OFF,
	MC_DIFFSTAT_LEN,
	MC_DIFF_OFF,
	MC_DIFF_LEN,
	MC_HAS_SEPARATOR,
	MC_HAS_DIFF,
	MC_IS_PULL,
	MC_DIFFSTAT_FILES,
	MC_DIFFSTAT_INSERTIONS,
	MC_DIFFSTAT_DELETIONS,
	MC__COUNT
};

#define MESSAGE_COLUMNS                                                   \
	"message_id, in_reply_to, list_id, date, header_date, received, " \
	"source, from_name, from_address, author_name, author_address, "  \
	"subject, title, title_norm, prefixes, version, number, total, "  \
	"rfc, resend, reply, forward, pull, patch, kind, "                \
	"sender, reply_to, return_path, auto_submitted, precedence, "     \
	"has_list_headers, inbody_from_name, inbody_from_address, "       \
	"inbody_subject, inbody_date, body, "                             \
	"message_off, message_len, notes_off, notes_len, "                \
	"diffstat_off, diffstat_len, diff_off, diff_len, "                \
	"has_separator, has_diff, is_pull, "                              \
	"diffstat_files, diffstat_insertions, diffstat_deletions"


/* What outbox_row() reads, in this order; the mail may follow. */
#define OUTBOX_COLUMNS                                                 \
	"id, subscriber, kind, message_id, envelope_from, recipient, " \
	"created, attempts, next_attempt_at, status, last_error, sent_at"
#define OUTBOX_NCOLUMNS 12

static const char *const stmt_sql[STMT_CORE__END] = {
	/*
	 * IMMEDIATE: take the write lock now, so that a busy database
	 * shows before any work, and a transaction never has to upgrade a
	 * read lock (which can fail with SQLITE_BUSY whatever the timeout).
	 */
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_SAVEPOINT] = "SAVEPOINT store_write",
	[STMT_RELEASE] = "RELEASE store_write",
	[STMT_ROLLBACK_TO] = "ROLLBACK TO store_write",
	[STMT_USER_VERSION] = "PRAGMA user_version",

	/* Message-ID "" is stored as NULL: absent, and never a duplicate. */
	[STMT_MESSAGE_INSERT] =
		"INSERT INTO messages (" MESSAGE_COLUMNS ") VALUES ("
		"nullif(?1, ''), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		"?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
		"?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, "
		"?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, "
		"?41, ?42, ?43, ?44, ?45, ?46, ?47, ?48, ?49, ?50) "
		"ON CONFLICT (message_id) DO NOTHING",
	[STMT_MESSAGE_REF_INSERT] =
		"INSERT INTO message_refs (message, seq, ref) "
		"VALUES (?1, ?2, ?3)",
	[STMT_MESSAGE_FILE_INSERT] =
		"INSERT INTO message_files (message, seq, path) "
		"VALUES (?1, ?2, ?3)",
	[STMT_TRAILER_INSERT] =
		"INSERT INTO trailers (message, seq, name, value) "
		"VALUES (?1, ?2, ?3, ?4)",
	/* References, paths and trailers go with it (ON DELETE CASCADE). */
	[STMT_MESSAGE_DELETE] = "DELETE FROM messages WHERE message_id = ?1",
	[STMT_MESSAGE_FIND] = "SELECT id FROM messages WHERE message_id = ?1",
	[STMT_MESSAGE_LOAD] =
		"SELECT " MESSAGE_COLUMNS " FROM messages WHERE id = ?1",
	[STMT_MESSAGE_PREFIXES] =
		"SELECT j.value FROM messages AS m, json_each(m.prefixes) AS j "
		"WHERE m.id = ?1 ORDER BY j.key",
	[STMT_MESSAGE_REFS] = "SELECT ref FROM message_refs "
			      "WHERE message = ?1 ORDER BY seq",
	[STMT_MESSAGE_FILES] = "SELECT path FROM message_files "
			       "WHERE message = ?1 ORDER BY seq",
	[STMT_MESSAGE_TRAILERS] = "SELECT name, value FROM trailers "
				  "WHERE message = ?1 ORDER BY seq",

	[STMT_UNPARSED_INSERT] =
		"INSERT INTO unparsed (raw, size, reason, source, received) "
		"VALUES (?1, ?2, ?3, ?4, ?5)",

	[STMT_CURSOR_GET] = "SELECT value FROM cursors WHERE source = ?1",
	[STMT_CURSOR_SET] =
		"INSERT INTO cursors (source, value, updated) "
		"VALUES (?1, ?2, ?3) ON CONFLICT (source) DO UPDATE "
		"SET value = excluded.value, updated = excluded.updated",

	[STMT_SUBSCRIBER_INSERT] =
		"INSERT INTO subscribers (address, status, created) "
		"VALUES (?1, ?2, ?3) ON CONFLICT (address) DO NOTHING",
	[STMT_SUBSCRIBER_FIND] =
		"SELECT id, address, status, created, last_digest_at, token "
		"FROM subscribers WHERE address = ?1",
	[STMT_SUBSCRIBER_BY_TOKEN] =
		"SELECT id, address, status, created, last_digest_at, token "
		"FROM subscribers WHERE token = ?1",
	[STMT_SUBSCRIBER_SET_TOKEN] =
		"UPDATE subscribers SET token = ?2 WHERE id = ?1",
	/* Rule files and matches go with it (ON DELETE CASCADE); mail in
	 * the outbox stays, its subscriber forgotten (SET NULL). */
	[STMT_SUBSCRIBER_DELETE] = "DELETE FROM subscribers WHERE id = ?1",
	[STMT_SUBSCRIBERS_ALL] = "SELECT id FROM subscribers ORDER BY id",
	[STMT_SUBSCRIBER_LOAD] =
		"SELECT id, address, status, created, last_digest_at, token "
		"FROM subscribers WHERE id = ?1",
	[STMT_SUBSCRIBER_SET_LAST_DIGEST] =
		"UPDATE subscribers SET last_digest_at = ?2 WHERE id = ?1",
	[STMT_SUBSCRIBER_SET_STATUS] =
		"UPDATE subscribers SET status = ?2 WHERE id = ?1",
	/* limits.subscribers counts them all; a covering index makes it
	 * a scan of the smallest index, on purpose (stmt_may_scan()). */
	[STMT_SUBSCRIBERS_COUNT] = "SELECT count(*) FROM subscribers",
	[STMT_SUBSCRIPTIONS_GENERATION] =
		"SELECT n FROM subscriptions_generation WHERE id = 1",
	/*
	 * A pending subscriber created before ?1 whose proposals all
	 * expired at ?2: a subscription never confirmed. Its rule files go
	 * with it (ON DELETE CASCADE).
	 */
	[STMT_SUBSCRIBERS_EXPIRE] =
		"DELETE FROM subscribers WHERE status = 'pending' "
		"AND created < ?1 AND NOT EXISTS (SELECT 1 FROM rulefiles "
		"WHERE rulefiles.subscriber = subscribers.id "
		"AND state = 'proposed' AND token_expires > ?2)",

	[STMT_RULEFILE_INSERT] =
		"INSERT INTO rulefiles (subscriber, text, created, state, "
		"token_hash, token_expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STMT_RULEFILE_SUBSCRIBER] =
		"SELECT subscriber FROM rulefiles WHERE id = ?1",
	[STMT_RULEFILE_SUPERSEDE] =
		"UPDATE rulefiles SET state = 'superseded' "
		"WHERE subscriber = ?1 AND state = 'active' AND id <> ?2",
	[STMT_RULEFILE_ACTIVATE] =
		"UPDATE rulefiles SET state = 'active', token_hash = NULL, "
		"token_expires = NULL WHERE id = ?1",
	[STMT_RULEFILE_HISTORY] =
		"SELECT id, subscriber, text, created, state, token_hash, "
		"token_expires FROM rulefiles WHERE subscriber = ?1 "
		"ORDER BY id DESC LIMIT ?2",
	[STMT_RULEFILE_ACTIVE] =
		"SELECT id, subscriber, text, created, state, token_hash, "
		"token_expires FROM rulefiles WHERE subscriber = ?1 "
		"AND state = 'active'",
	[STMT_RULEFILE_BY_TOKEN] =
		"SELECT id, subscriber, text, created, state, token_hash, "
		"token_expires FROM rulefiles WHERE token_hash = ?1 "
		"AND state = 'proposed'",
	[STMT_RULEFILE_WITHDRAW] =
		"UPDATE rulefiles SET state = 'superseded', token_hash = NULL, "
		"token_expires = NULL WHERE subscriber = ?1 "
		"AND state = 'proposed'",

	[STMT_MAIL_LOG_INSERT] =
		"INSERT INTO mail_log (address, direction, at) "
		"VALUES (?1, ?2, ?3)",
	[STMT_MAIL_LOG_COUNT] =
		"SELECT count(*) FROM mail_log WHERE address = ?1 "
		"AND direction = ?2 AND at >= ?3",
	[STMT_MAIL_LOG_PRUNE] = "DELETE FROM mail_log WHERE at < ?1",

	[STMT_OUTBOX_INSERT] =
		"INSERT INTO outbox (subscriber, kind, message_id, "
		"envelope_from, recipient, mail, created, next_attempt_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) "
		"ON CONFLICT (message_id) DO NOTHING",
	/*
	 * The due mail and the next due time come from outbox_due, named:
	 * left to itself (no ANALYZE) the planner prefers outbox_status's
	 * equality on status, then reads and sorts every queued row, mail
	 * included, for each mail sent (10,000 queued mails went out at 21
	 * a second). INDEXED BY also makes the statement fail to compile,
	 * rather than go slow, should the index ever change.
	 */
	[STMT_OUTBOX_NEXT_DUE] =
		"SELECT " OUTBOX_COLUMNS ", mail FROM outbox "
		"INDEXED BY outbox_due "
		"WHERE status = 'queued' AND next_attempt_at <= ?1 "
		"ORDER BY next_attempt_at, id LIMIT 1",
	[STMT_OUTBOX_RETRY_NOW] =
		"UPDATE outbox INDEXED BY outbox_due SET next_attempt_at = ?1 "
		"WHERE status = 'queued' AND next_attempt_at > ?1",
	[STMT_OUTBOX_LIST] =
		"SELECT " OUTBOX_COLUMNS " FROM outbox "
		"WHERE status = ?1 AND (?2 = 0 OR last_error IS NOT NULL) "
		"ORDER BY id DESC LIMIT ?3",
	[STMT_OUTBOX_NEXT_TIME] = "SELECT min(next_attempt_at) FROM outbox "
				  "INDEXED BY outbox_due "
				  "WHERE status = 'queued'",
	[STMT_OUTBOX_MARK_SENT] =
		"UPDATE outbox SET status = 'sent', sent_at = ?2, "
		"attempts = attempts + 1, last_error = NULL "
		"WHERE id = ?1 AND status = 'queued'",
	[STMT_OUTBOX_MARK_FAILED] =
		"UPDATE outbox SET attempts = attempts + 1, last_error = ?2, "
		"status = CASE WHEN ?3 > 0 THEN 'queued' ELSE 'failed' END, "
		"next_attempt_at = CASE WHEN ?3 > 0 THEN ?3 "
		"ELSE next_attempt_at END "
		"WHERE id = ?1 AND status = 'queued'",

	[STMT_STATS] = "SELECT (SELECT count(*) FROM messages), "
		       "(SELECT count(*) FROM unparsed), "
		       "(SELECT count(*) FROM series), "
		       "(SELECT count(*) FROM supersessions), "
		       "(SELECT count(*) FROM subscribers), "
		       "(SELECT count(*) FROM rulefiles), "
		       "(SELECT count(*) FROM matches), "
		       "(SELECT count(*) FROM outbox WHERE status = 'queued'), "
		       "(SELECT count(*) FROM outbox WHERE status = 'sent'), "
		       "(SELECT count(*) FROM outbox WHERE status = 'failed'), "
		       "(SELECT count(*) FROM cursors)",
	[STMT_INTEGRITY_CHECK] = "PRAGMA integrity_check",
	[STMT_FOREIGN_KEY_CHECK] = "PRAGMA foreign_key_check",
};

/* --- the store ------------------------------------------------------- */



/*
 * What a caller should do about an SQLite result code (err.h). A full
 * disk is temporary: the operator frees space, the daemon retries, and
 * since nothing was committed the cursors have not moved.
 */
int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
		return ERR_TEMP;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE ||
		    rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return ERR_EXISTS;
		return ERR_PERM;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
	case SQLITE_CANTOPEN:
	case SQLITE_NOTADB:
		return ERR_PERM;
	case SQLITE_TOOBIG:
		return ERR_LIMIT;
	case SQLITE_NOMEM:
		/* As xalloc: out of memory aborts. */
		fprintf(stderr, "fatal: store: out of memory\n");
		abort();
	}
	return ERR_FAIL;
}

/*
 * Report SQLite's failure rc once, as "store: <context>: <SQLite's
 * message>", and return what map_rc() makes of it. A duplicate key is
 * the caller's business and is not reported. Call it before the
 * statement is reset, while sqlite3_errmsg() still tells this error.
 */
int store_fail(struct store *s, int rc, const char *fmt, ...)
{
	int code = map_rc(rc);
	char ctx[512];
	va_list ap;

	if (code == ERR_EXISTS)
		return code;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	/* A failed bind leaves no message on the connection. */
	return errorf(code, "store: %s: %s", ctx,
		      sqlite3_extended_errcode(s->db) == rc
			      ? sqlite3_errmsg(s->db)
			      : sqlite3_errstr(rc));
}

const char *escaped(char out[ESCAPED_MAX], const char *s)
{
	return log_escape(out, ESCAPED_MAX, s ? s : "", s ? strlen(s) : 0);
}

const char *stmt_text(enum stmt id)
{
	if (id < STMT_CORE__END)
		return stmt_sql[id];
	if (id >= STMT_SERIES_FIRST && id < STMT_SERIES__END)
		return store_series_sql[id - STMT_SERIES_FIRST];
	if (id >= STMT_MATCH_FIRST && id < STMT_MATCH__END)
		return store_match_sql[id - STMT_MATCH_FIRST];
	BUG("store: statement %d has no text", (int)id);
}

/* The compiled statement id, compiled now if this is its first use. */
int stmt_get(sqlite3_stmt **out, struct store *s, enum stmt id)
{
	int rc;

	if (!s->stmt[id]) {
		rc = sqlite3_prepare_v3(s->db, stmt_text(id), -1,
					SQLITE_PREPARE_PERSISTENT, &s->stmt[id],
					NULL);
		if (rc != SQLITE_OK) {
			*out = NULL;
			return store_fail(s, rc, "%s: compiling \"%.40s\"",
					  s->path, stmt_text(id));
		}
	}
	*out = s->stmt[id];
	return 0;
}

/* Make a used statement ready for its next use and drop its bindings. */
void stmt_done(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}


void bind_int(struct binder *b, int i, int64_t v)
{
	if (b->rc == SQLITE_OK)
		b->rc = sqlite3_bind_int64(b->st, i, v);
}

void bind_textn(struct binder *b, int i, const char *s, size_t len)
{
	if (b->rc != SQLITE_OK)
		return;
	if (len > INT_MAX)
		b->rc = SQLITE_TOOBIG;
	else
		b->rc = sqlite3_bind_text(b->st, i, s, (int)len, SQLITE_STATIC);
}

/* NULL is bound as NULL. */
void bind_text(struct binder *b, int i, const char *s)
{
	if (b->rc != SQLITE_OK)
		return;
	if (s)
		bind_textn(b, i, s, strlen(s));
	else
		b->rc = sqlite3_bind_null(b->st, i);
}

/* NULL is bound as "", for NOT NULL columns. */
void bind_text_empty(struct binder *b, int i, const char *s)
{
	bind_text(b, i, s ? s : "");
}

void bind_blob(struct binder *b, int i, const void *p, size_t len)
{
	if (b->rc != SQLITE_OK)
		return;
	if (len > INT_MAX)
		b->rc = SQLITE_TOOBIG;
	else
		b->rc = sqlite3_bind_blob(b->st, i, len ? p : "", (int)len,
					  SQLITE_STATIC);
}

/* Column i as an owned string, NULL when the column is NULL. */
char *column_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *t;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(st, i);
	if (!t)
		map_rc(SQLITE_NOMEM); /* the only other reason; aborts */
	return xmemdup0(t, (size_t)sqlite3_column_bytes(st, i));
}

/* Column i as an owned string, "" when the column is NULL. */
char *column_strdup_empty(sqlite3_stmt *st, int i)
{
	char *t = column_strdup(st, i);

	return t ? t : xstrdup("");
}

/*
 * Run a statement that returns no rows. context says what for, in the
 * error line.
 */
int stmt_exec(struct store *s, enum stmt id, const char *context)
{
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, id);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		rc = 0;
	else
		rc = store_fail(s, rc, "%s: %s", s->path, context);
	stmt_done(st);
	return rc;
}

/* --- transactions ----------------------------------------------------- */

int store_begin(struct store *s)
{
	int rc;

	if (s->txn != TXN_NONE)
		BUG("store: store_begin() inside a transaction");
	rc = stmt_exec(s, STMT_BEGIN, "begin transaction");
	if (rc)
		return rc;
	s->txn = TXN_OPEN;
	return 0;
}

int store_commit(struct store *s)
{
	int rc;

	if (s->txn == TXN_NONE)
		BUG("store: store_commit() outside a transaction");
	if (s->txn == TXN_BROKEN) {
		rc = s->txn_error;
	} else {
		rc = stmt_exec(s, STMT_COMMIT, "commit");
		if (rc && !sqlite3_get_autocommit(s->db))
			(void)stmt_exec(s, STMT_ROLLBACK, "rollback");
	}
	s->txn = TXN_NONE;
	return rc;
}

void store_rollback(struct store *s)
{
	if (s->txn == TXN_NONE)
		BUG("store: store_rollback() outside a transaction");
	if (!sqlite3_get_autocommit(s->db))
		(void)stmt_exec(s, STMT_ROLLBACK, "rollback");
	s->txn = TXN_NONE;
}

bool store_in_transaction(const struct store *s)
{
	return s->txn != TXN_NONE;
}

/*
 * Every write runs between write_begin() and write_end(). Outside an
 * explicit transaction that makes one of its own; inside, a savepoint,
 * so that a write that fails half-way (a duplicate, a broken constraint)
 * undoes its own rows and leaves the batch around it intact.
 */
int write_begin(struct store *s, bool *own)
{
	*own = false;
	switch (s->txn) {
	case TXN_BROKEN:
		return s->txn_error; /* reported when it broke */
	case TXN_OPEN:
		return stmt_exec(s, STMT_SAVEPOINT, "savepoint");
	case TXN_NONE:
		break;
	}
	*own = true;
	return stmt_exec(s, STMT_BEGIN, "begin transaction");
}

/* End the write begun by write_begin(): keep it when rc is 0, else undo. */
int write_end(struct store *s, bool own, int rc)
{
	if (own) {
		if (rc == 0) {
			rc = stmt_exec(s, STMT_COMMIT, "commit");
			if (rc == 0)
				return 0;
		}
		if (!sqlite3_get_autocommit(s->db))
			(void)stmt_exec(s, STMT_ROLLBACK, "rollback");
		return rc;
	}
	if (rc == 0)
		return stmt_exec(s, STMT_RELEASE, "release savepoint");
	if (sqlite3_get_autocommit(s->db)) {
		/*
		 * SQLite rolled the whole transaction back (it does on I/O
		 * errors, a full disk, ...). The writes after this one must
		 * not commit on their own, ahead of the lost ones: refuse
		 * them until the caller ends the transaction.
		 */
		s->txn = TXN_BROKEN;
		s->txn_error = rc;
		log_warnx("store: %s: transaction abandoned by SQLite",
			  s->path);
		return rc;
	}
	(void)stmt_exec(s, STMT_ROLLBACK_TO, "rollback to savepoint");
	(void)stmt_exec(s, STMT_RELEASE, "release savepoint");
	return rc;
}

/* --- titles ----------------------------------------------------------- */

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

void store_title_key(struct buf *out, const char *title, size_t len)
{
	size_t start = out->len, i;
	bool space = false;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)title[i];

		if (is_space(c)) {
			space = true;
			continue;
		}
		if (space && out->len > start)
			buf_addch(out, ' ');
		space = false;
		buf_addch(out, c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	/* "Fix the thing" and "Fix the thing." are one title. */
	while (out->len > start && (out->data[out->len - 1] == '.' ||
				    out->data[out->len - 1] == ' '))
		buf_truncate(out, out->len - 1);
}

/* patchletter_title_key(text): store_title_key() for SQL (migrations). */
static void sql_title_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct buf key = BUF_INIT;
	const unsigned char *t;

	(void)argc;
	t = sqlite3_value_text(argv[0]);
	if (!t) {
		sqlite3_result_null(ctx);
		return;
	}
	store_title_key(&key, (const char *)t,
			(size_t)sqlite3_value_bytes(argv[0]));
	sqlite3_result_text(ctx, key.data, (int)key.len, SQLITE_TRANSIENT);
	buf_release(&key);
}

/* --- opening ---------------------------------------------------------- */

/* The integer a one-row PRAGMA or query returns, into *out. */
static int query_int(int *out, struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_NOTADB)
			rc = errorf(ERR_PERM,
				    "store: %s: not an SQLite database",
				    s->path);
		else
			rc = store_fail(s, rc, "%s: %s", s->path, sql);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Run constant SQL (several statements, no parameters, no rows). */
static int exec_sql(struct store *s, const char *sql, const char *context)
{
	char *msg = NULL;
	int rc;

	rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		rc = errorf(map_rc(rc) == ERR_EXISTS ? ERR_FAIL : map_rc(rc),
			    "store: %s: %s: %s", s->path, context,
			    msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
	}
	return rc;
}

/* Count the rows of PRAGMA foreign_key_check, reporting the first. */
static int foreign_key_problems(struct store *s, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	rc = stmt_get(&st, s, STMT_FOREIGN_KEY_CHECK);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*out == 0)
			log_warnx("store: %s: table %s row %lld refers to a "
				  "missing row of %s",
				  s->path,
				  (const char *)sqlite3_column_text(st, 0),
				  (long long)sqlite3_column_int64(st, 1),
				  (const char *)sqlite3_column_text(st, 2));
		(*out)++;
	}
	rc = rc == SQLITE_DONE
		     ? 0
		     : store_fail(s, rc, "%s: foreign key check", s->path);
	stmt_done(st);
	return rc;
}

/*
 * Bring the file from version from to the current one, one step per
 * transaction, so that an interrupted migration leaves a file of one
 * version or the next, never between. Foreign keys are off meanwhile (a
 * step may rebuild a table, SQLite's ALTER TABLE recipe) and checked
 * before each step commits.
 */
static int migrate(struct store *s, int from)
{
	int rc = 0, version = from;
	int64_t problems;
	size_t i;

	rc = exec_sql(s, "PRAGMA foreign_keys = OFF", "foreign keys off");
	for (i = 0; rc == 0 && i < ARRAY_SIZE(migrations); i++) {
		const struct migration *m = &migrations[i];

		if (m->version <= version)
			continue;
		rc = exec_sql(s, "BEGIN IMMEDIATE", "begin migration");
		if (rc)
			break;
		/* Another process may have migrated while we waited. */
		rc = query_int(&version, s, "PRAGMA user_version");
		if (rc == 0 && version >= m->version) {
			rc = exec_sql(s, "COMMIT", "commit");
			continue;
		}
		if (rc == 0)
			rc = exec_sql(s, m->sql, "migrating the schema");
		if (rc == 0)
			rc = query_int(&version, s, "PRAGMA user_version");
		if (rc == 0 && version != m->version)
			BUG("store: migration to %d left version %d",
			    m->version, version);
		if (rc == 0)
			rc = foreign_key_problems(s, &problems);
		if (rc == 0 && problems)
			rc = errorf(ERR_FAIL,
				    "store: %s: migration to schema version %d "
				    "breaks %lld foreign keys",
				    s->path, m->version, (long long)problems);
		if (rc == 0)
			rc = exec_sql(s, "COMMIT", "commit migration");
		if (rc) {
			if (!sqlite3_get_autocommit(s->db))
				(void)exec_sql(s, "ROLLBACK", "rollback");
			break;
		}
		if (from > 0)
			log_info("store: %s: schema migrated to version %d",
				 s->path, m->version);
	}
	/* A newer program may have migrated it further meanwhile. */
	if (rc == 0)
		rc = query_int(&version, s, "PRAGMA user_version");
	if (rc == 0 && version > store_schema_version())
		rc = errorf(ERR_PERM,
			    "store: %s: schema version %d is newer than this "
			    "program's %d (migrated by another process)",
			    s->path, version, store_schema_version());
	return rc; /* store_open() turns foreign keys on */
}

/*
 * Decide from the header fields alone (reading only) whether the file is
 * ours and which version it is, so that a refused file is never
 * written to: not even switched to WAL.
 */
static int check_file(int *version_out, struct store *s)
{
	int app_id = 0, version = 0, objects = 0, rc;

	rc = query_int(&app_id, s, "PRAGMA application_id");
	if (rc == 0)
		rc = query_int(&version, s, "PRAGMA user_version");
	if (rc == 0)
		rc = query_int(&objects, s,
			       "SELECT count(*) FROM sqlite_schema");
	if (rc)
		return rc;
	*version_out = version;
	if (app_id != 0 && (uint32_t)app_id != STORE_APPLICATION_ID)
		return errorf(ERR_PERM,
			      "store: %s: an SQLite database of another "
			      "program (application_id 0x%08x), not a "
			      "patchletter store",
			      s->path, (unsigned)app_id);
	if (version == 0 && objects == 0) {
		if (!(s->flags & STORE_CREATE) || (s->flags & STORE_READONLY))
			return errorf(ERR_NOTFOUND,
				      "store: %s: no patchletter store here",
				      s->path);
		return 0;
	}
	if (app_id == 0)
		return errorf(ERR_PERM,
			      "store: %s: an SQLite database that is not a "
			      "patchletter store",
			      s->path);
	if (version > store_schema_version())
		return errorf(ERR_PERM,
			      "store: %s: schema version %d is newer than "
			      "this program's %d; not touching it (run a "
			      "newer patchletter)",
			      s->path, version, store_schema_version());
	if (version < store_schema_version() && (s->flags & STORE_READONLY))
		return errorf(ERR_PERM,
			      "store: %s: schema version %d must be migrated "
			      "to %d, which a read-only open cannot do; run "
			      "patchletter once with write access",
			      s->path, version, store_schema_version());
	return 0;
}

/* WAL and the other settings of a writable connection. */
static int configure(struct store *s)
{
	sqlite3_stmt *st = NULL;
	const char *mode;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
				NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = store_fail(s, rc, "%s: journal_mode = WAL", s->path);
		sqlite3_finalize(st);
		return rc;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (!mode || strcmp(mode, "wal")) {
		rc = errorf(ERR_PERM,
			    "store: %s: cannot use a WAL journal (journal "
			    "mode stays %s)",
			    s->path, mode ? mode : "unknown");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	/*
	 * synchronous: in WAL mode NORMAL already survives a crash of the
	 * process (SIGKILL included: a committed transaction is in the
	 * WAL, in the OS's hands), and loses the last transactions only
	 * when the machine loses power. We choose FULL anyway: what the
	 * store holds is what the bot acknowledges to the outside (a
	 * digest marked sent after the SMTP server took it, an IMAP UID
	 * behind which mail may be expunged), and DESIGN.md wants it
	 * durable before it is acknowledged. FULL costs one fsync of the
	 * WAL per commit; the ingest path commits a batch of messages at
	 * a time, so that is little (tests/bench/store_bench measures it).
	 * journal_size_limit keeps the WAL from staying large after a
	 * long reader held back a checkpoint.
	 */
	return exec_sql(s,
			"PRAGMA synchronous = FULL;"
			"PRAGMA journal_size_limit = 67108864;",
			"connection settings");
}

int store_open(struct store **out, const char *path, unsigned flags)
{
	struct store *s = xcalloc(1, sizeof(*s));
	int oflags, version = 0, fk = 0, rc;

	*out = NULL;
	s->path = xstrdup(path);
	s->flags = flags;
	if (flags & STORE_READONLY)
		oflags = SQLITE_OPEN_READONLY;
	else if (flags & STORE_CREATE)
		oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	else
		oflags = SQLITE_OPEN_READWRITE;
	oflags |= SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
	rc = sqlite3_open_v2(path, &s->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		if (!(flags & STORE_CREATE) && access(path, F_OK) &&
		    errno == ENOENT)
			rc = errorf(ERR_NOTFOUND, "store: %s: no such file",
				    path);
		else
			rc = store_fail(s, rc, "%s: open", path);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	/* Refuse writes to the schema's internals from SQL. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	rc = sqlite3_create_function_v2(s->db, "patchletter_title_key", 1,
					SQLITE_UTF8 | SQLITE_DETERMINISTIC |
						SQLITE_INNOCUOUS,
					NULL, sql_title_key, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		rc = store_fail(s, rc, "%s: registering functions", path);
		goto fail;
	}

	rc = check_file(&version, s);
	if (rc)
		goto fail;
	if (!(flags & STORE_READONLY)) {
		rc = configure(s);
		if (rc == 0 && version < store_schema_version())
			rc = migrate(s, version);
		if (rc)
			goto fail;
	}
	rc = exec_sql(s, "PRAGMA foreign_keys = ON", "foreign keys on");
	if (rc == 0)
		rc = query_int(&fk, s, "PRAGMA foreign_keys");
	if (rc == 0 && fk != 1)
		rc = errorf(ERR_FAIL,
			    "store: %s: this SQLite does not enforce foreign "
			    "keys",
			    path);
	if (rc)
		goto fail;
	*out = s;
	return 0;

fail:
	store_close(s);
	return rc;
}

void store_close(struct store *s)
{
	size_t i;

	if (!s)
		return;
	if (s->db && !sqlite3_get_autocommit(s->db)) {
		log_warnx("store: %s: closed inside a transaction; rolled "
			  "back",
			  s->path);
		(void)exec_sql(s, "ROLLBACK", "rollback");
	}
	for (i = 0; i < STMT__COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	/* Closing the last connection checkpoints the WAL into the file. */
	if (s->db && sqlite3_close(s->db) != SQLITE_OK)
		log_warnx("store: %s: close: %s", s->path,
			  sqlite3_errmsg(s->db));
	free(s->path);
	free(s);
}

/* --- messages --------------------------------------------------------- */

/*
 * The kinds as the store spells them. They are part of the file format
 * (the CHECK constraint of messages.kind), so they live here rather than
 * borrowing message_kind_name(): the JSON names may change, the file's
 * may not without a migration.
 */
static const char *const kind_names[] = {
	[MESSAGE_OTHER] = "other", [MESSAGE_COVER] = "cover",
	[MESSAGE_PATCH] = "patch", [MESSAGE_REPLY] = "reply",
	[MESSAGE_PULL] = "pull",
};

const char *store_kind_name(enum message_kind kind)
{
	if ((size_t)kind >= ARRAY_SIZE(kind_names))
		BUG("store: message kind %d", (int)kind);
	return kind_names[kind];
}

enum message_kind store_kind_from_name(const char *name)
{
	int i = name_index(kind_names, ARRAY_SIZE(kind_names), name);

	return i < 0 ? MESSAGE_OTHER : (enum message_kind)i;
}

/* The index of name in names (nr entries), or -1. */
int name_index(const char *const *names, size_t nr, const char *name)
{
	size_t i;

	for (i = 0; name && i < nr; i++)
		if (names[i] && !strcmp(names[i], name))
			return (int)i;
	return -1;
}

static void bind_message(struct binder *b, const struct message *m,
			 const char *source, int64_t received,
			 const struct buf *title_key,
			 const struct buf *prefixes)
{
	const struct mail *mail = &m->mail;
	const struct subject *t = &m->tags;
	const struct patch *p = &m->patch;

	if ((size_t)m->kind >= ARRAY_SIZE(kind_names))
		BUG("store: message kind %d", (int)m->kind);
	bind_text_empty(b, MC_MESSAGE_ID + 1, mail->message_id);
	bind_text(b, MC_IN_REPLY_TO + 1, mail->in_reply_to);
	bind_text(b, MC_LIST_ID + 1, mail->list_id);
	bind_int(b, MC_DATE + 1, m->date);
	bind_int(b, MC_HEADER_DATE + 1, mail->date);
	bind_int(b, MC_RECEIVED + 1, received);
	bind_text_empty(b, MC_SOURCE + 1, source);
	bind_text_empty(b, MC_FROM_NAME + 1, mail->from.name);
	bind_text_empty(b, MC_FROM_ADDRESS + 1, mail->from.address);
	bind_text_empty(b, MC_AUTHOR_NAME + 1, m->author.name);
	bind_text_empty(b, MC_AUTHOR_ADDRESS + 1, m->author.address);
	bind_text_empty(b, MC_SUBJECT + 1, mail->subject);
	bind_text_empty(b, MC_TITLE + 1, t->title);
	bind_textn(b, MC_TITLE_NORM + 1, title_key->data, title_key->len);
	bind_textn(b, MC_PREFIXES + 1, prefixes->data, prefixes->len);
	bind_int(b, MC_VERSION + 1, t->version);
	bind_int(b, MC_NUMBER + 1, t->number);
	bind_int(b, MC_TOTAL + 1, t->total);
	bind_int(b, MC_RFC + 1, t->rfc);
	bind_int(b, MC_RESEND + 1, t->resend);
	bind_int(b, MC_REPLY + 1, t->reply);
	bind_int(b, MC_FORWARD + 1, t->forward);
	bind_int(b, MC_PULL + 1, t->pull);
	bind_int(b, MC_PATCH + 1, t->patch);
	bind_text(b, MC_KIND + 1, kind_names[m->kind]);
	bind_text(b, MC_SENDER + 1, mail->sender);
	bind_text(b, MC_REPLY_TO + 1, mail->reply_to);
	bind_text(b, MC_RETURN_PATH + 1, mail->return_path);
	bind_text(b, MC_AUTO_SUBMITTED + 1, mail->auto_submitted);
	bind_text(b, MC_PRECEDENCE + 1, mail->precedence);
	bind_int(b, MC_HAS_LIST_HEADERS + 1, mail->has_list_headers);
	bind_text(b, MC_INBODY_FROM_NAME + 1, mail->inbody_from.name);
	bind_text(b, MC_INBODY_FROM_ADDRESS + 1, mail->inbody_from.address);
	bind_text(b, MC_INBODY_SUBJECT + 1, mail->inbody_subject);
	bind_int(b, MC_INBODY_DATE + 1, mail->inbody_date);
	bind_textn(b, MC_BODY + 1, mail->body ? mail->body : "",
		   mail->body ? mail->body_len : 0);
	bind_int(b, MC_MESSAGE_OFF + 1, (int64_t)p->message_off);
	bind_int(b, MC_MESSAGE_LEN + 1, (int64_t)p->message_len);
	bind_int(b, MC_NOTES_OFF + 1, (int64_t)p->notes_off);
	bind_int(b, MC_NOTES_LEN + 1, (int64_t)p->notes_len);
	bind_int(b, MC_DIFFSTAT_OFF + 1, (int64_t)p->diffstat_off);
	bind_int(b, MC_DIFFSTAT_LEN + 1, (int64_t)p->diffstat_len);
	bind_int(b, MC_DIFF_OFF + 1, (int64_t)p->diff_off);
	bind_int(b, MC_DIFF_LEN + 1, (int64_t)p->diff_len);
	bind_int(b, MC_HAS_SEPARATOR + 1, p->has_separator);
	bind_int(b, MC_HAS_DIFF + 1, p->has_diff);
	bind_int(b, MC_IS_PULL + 1, p->is_pull);
	bind_int(b, MC_DIFFSTAT_FILES + 1, p->diffstat.files);
	bind_int(b, MC_DIFFSTAT_INSERTIONS + 1, p->diffstat.insertions);
	bind_int(b, MC_DIFFSTAT_DELETIONS + 1, p->diffstat.deletions);
}

/*
 * Insert one row of a child table: (message id, seq, a[, b]). b NULL
 * means the table has three columns.
 */
static int insert_child(struct store *s, enum stmt id, int64_t message,
			size_t seq, const char *a, const char *b)
{
	struct binder bd;
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, id);
	if (rc)
		return rc;
	bd.st = st;
	bd.rc = SQLITE_OK;
	bind_int(&bd, 1, message);
	bind_int(&bd, 2, (int64_t)seq);
	bind_text_empty(&bd, 3, a);
	if (b)
		bind_text(&bd, 4, b);
	rc = bd.rc;
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE ? 0 : rc;
	if (rc)
		rc = store_fail(s, rc, "%s: message %lld: %s row %zu", s->path,
				(long long)message,
				id == STMT_MESSAGE_REF_INSERT	 ? "reference"
				: id == STMT_MESSAGE_FILE_INSERT ? "path"
								 : "trailer",
				seq);
	stmt_done(st);
	return rc;
}

/* The rows of one message: its own, then its children. */
static int insert_message(int64_t *out, struct store *s,
			  const struct message *m, const char *source,
			  int64_t received)
{
	struct buf key = BUF_INIT, prefixes = BUF_INIT;
	char idbuf[ESCAPED_MAX];
	struct binder b;
	struct json j;
	sqlite3_stmt *st;
	int64_t id;
	size_t i;
	int rc;

	rc = stmt_get(&st, s, STMT_MESSAGE_INSERT);
	if (rc)
		return rc;
	store_title_key(&key, m->tags.title ? m->tags.title : "",
			m->tags.title ? strlen(m->tags.title) : 0);
	json_init(&j, &prefixes);
	json_array_begin(&j);
	for (i = 0; i < m->tags.nr_prefixes; i++)
		json_string(&j, m->tags.prefixes[i]);
	json_array_end(&j);

	b.st = st;
	b.rc = SQLITE_OK;
	bind_message(&b, m, source, received, &key, &prefixes);
	rc = b.rc;
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = sqlite3_changes(s->db) == 1 ? 0 : ERR_EXISTS;
	} else {
		rc = store_fail(s, rc, "add message <%s>",
				escaped(idbuf, m->mail.message_id));
		if (rc == ERR_EXISTS) /* no other unique key: a bug */
			rc = ERR_FAIL;
	}
	stmt_done(st);
	buf_release(&key);
	buf_release(&prefixes);
	if (rc)
		return rc;

	id = sqlite3_last_insert_rowid(s->db);
	for (i = 0; rc == 0 && i < m->mail.nr_references; i++)
		rc = insert_child(s, STMT_MESSAGE_REF_INSERT, id, i,
				  m->mail.references[i], NULL);
	for (i = 0; rc == 0 && i < m->patch.nr_paths; i++)
		rc = insert_child(s, STMT_MESSAGE_FILE_INSERT, id, i,
				  m->patch.paths[i], NULL);
	for (i = 0; rc == 0 && i < m->patch.nr_trailers; i++)
		rc = insert_child(s, STMT_TRAILER_INSERT, id, i,
				  m->patch.trailers[i].name,
				  m->patch.trailers[i].value
					  ? m->patch.trailers[i].value
					  : "");
	if (rc == 0)
		*out = id;
	return rc;
}

int store_message_add(int64_t *out, struct store *s, const struct message *m,
		      const char *source, int64_t received)
{
	const char *mid = m->mail.message_id ? m->mail.message_id : "";
	int64_t id = 0;
	bool own;
	int rc, rc2;

	rc = write_begin(s, &own);
	if (rc)
		return rc;
	rc = insert_message(&id, s, m, source, received);
	rc = write_end(s, own, rc);
	if (rc == ERR_EXISTS) {
		rc2 = store_message_find(&id, s, mid);
		if (rc2 && rc2 != ERR_NOTFOUND)
			return rc2;
	}
	if (out)
		*out = id;
	return rc;
}

int store_message_delete(struct store *s, const char *message_id)
{
	char idbuf[ESCAPED_MAX];
	sqlite3_stmt *st;
	bool own;
	int rc;

	rc = stmt_get(&st, s, STMT_MESSAGE_DELETE);
	if (rc)
		return rc;
	rc = write_begin(s, &own);
	if (rc) {
		stmt_done(st);
		return rc;
	}
	rc = sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		rc = sqlite3_changes(s->db) ? 0 : ERR_NOTFOUND;
	else
		rc = store_fail(s, rc, "remove message <%s>",
				escaped(idbuf, message_id));
	stmt_done(st);
	return write_end(s, own, rc);
}

int store_message_find(int64_t *out, struct store *s, const char *message_id)
{
	char idbuf[ESCAPED_MAX];
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_MESSAGE_FIND);
	if (rc)
		return rc;
	rc = sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ERR_NOTFOUND;
	} else {
		rc = store_fail(s, rc, "find message <%s>",
				escaped(idbuf, message_id));
	}
	stmt_done(st);
	return rc;
}

/*
 * Read a column that holds a size_t, checking it against what the file
 * should hold: a damaged or hand-edited file must not become an
 * out-of-bounds offset in a later stage.
 */
bool column_size(size_t *out, sqlite3_stmt *st, int i, size_t max)
{
	int64_t v = sqlite3_column_int64(st, i);

	if (v < 0 || (uint64_t)v > max)
		return false;
	*out = (size_t)v;
	return true;
}

bool column_unsigned(unsigned *out, sqlite3_stmt *st, int i)
{
	int64_t v = sqlite3_column_int64(st, i);

	if (v < 0 || v > UINT_MAX)
		return false;
	*out = (unsigned)v;
	return true;
}

/* Fill out from the row of STMT_MESSAGE_LOAD; false: the row is bad. */
static bool read_message_row(struct message *out, sqlite3_stmt *st)
{
	struct mail *mail = &out->mail;
	struct subject *t = &out->tags;
	struct patch *p = &out->patch;
	size_t body;
	int kind;
	bool ok = true;

	mail->message_id = column_strdup_empty(st, MC_MESSAGE_ID);
	mail->in_reply_to = column_strdup(st, MC_IN_REPLY_TO);
	mail->list_id = column_strdup(st, MC_LIST_ID);
	out->date = sqlite3_column_int64(st, MC_DATE);
	mail->date = sqlite3_column_int64(st, MC_HEADER_DATE);
	mail->from.name = column_strdup_empty(st, MC_FROM_NAME);
	mail->from.address = column_strdup_empty(st, MC_FROM_ADDRESS);
	out->author.name = column_strdup_empty(st, MC_AUTHOR_NAME);
	out->author.address = column_strdup_empty(st, MC_AUTHOR_ADDRESS);
	mail->subject = column_strdup_empty(st, MC_SUBJECT);
	t->title = column_strdup_empty(st, MC_TITLE);
	t->version = sqlite3_column_int(st, MC_VERSION);
	t->number = sqlite3_column_int(st, MC_NUMBER);
	t->total = sqlite3_column_int(st, MC_TOTAL);
	t->rfc = sqlite3_column_int(st, MC_RFC);
	t->resend = sqlite3_column_int(st, MC_RESEND);
	t->reply = sqlite3_column_int(st, MC_REPLY);
	t->forward = sqlite3_column_int(st, MC_FORWARD);
	t->pull = sqlite3_column_int(st, MC_PULL);
	t->patch = sqlite3_column_int(st, MC_PATCH);
	kind = name_index(kind_names, ARRAY_SIZE(kind_names),
			  (const char *)sqlite3_column_text(st, MC_KIND));
	out->kind = kind < 0 ? MESSAGE_OTHER : (enum message_kind)kind;
	ok &= kind >= 0;
	mail->sender = column_strdup(st, MC_SENDER);
	mail->reply_to = column_strdup(st, MC_REPLY_TO);
	mail->return_path = column_strdup(st, MC_RETURN_PATH);
	mail->auto_submitted = column_strdup(st, MC_AUTO_SUBMITTED);
	mail->precedence = column_strdup(st, MC_PRECEDENCE);
	mail->has_list_headers = sqlite3_column_int(st, MC_HAS_LIST_HEADERS);
	mail->inbody_from.name = column_strdup(st, MC_INBODY_FROM_NAME);
	mail->inbody_from.address = column_strdup(st, MC_INBODY_FROM_ADDRESS);
	mail->inbody_subject = column_strdup(st, MC_INBODY_SUBJECT);
	mail->inbody_date = sqlite3_column_int64(st, MC_INBODY_DATE);
	mail->body = column_strdup_empty(st, MC_BODY);
	mail->body_len = (size_t)sqlite3_column_bytes(st, MC_BODY);

	/* Each part lies inside the body. */
	body = mail->body_len;
	ok &= column_size(&p->message_off, st, MC_MESSAGE_OFF, body);
	ok &= column_size(&p->message_len, st, MC_MESSAGE_LEN,
			  body - p->message_off);
	ok &= column_size(&p->notes_off, st, MC_NOTES_OFF, body);
	ok &= column_size(&p->notes_len, st, MC_NOTES_LEN, body - p->notes_off);
	ok &= column_size(&p->diffstat_off, st, MC_DIFFSTAT_OFF, body);
	ok &= column_size(&p->diffstat_len, st, MC_DIFFSTAT_LEN,
			  body - p->diffstat_off);
	ok &= column_size(&p->diff_off, st, MC_DIFF_OFF, body);
	ok &= column_size(&p->diff_len, st, MC_DIFF_LEN, body - p->diff_off);
	p->has_separator = sqlite3_column_int(st, MC_HAS_SEPARATOR);
	p->has_diff = sqlite3_column_int(st, MC_HAS_DIFF);
	p->is_pull = sqlite3_column_int(st, MC_IS_PULL);
	ok &= column_unsigned(&p->diffstat.files, st, MC_DIFFSTAT_FILES);
	ok &= column_unsigned(&p->diffstat.insertions, st,
			      MC_DIFFSTAT_INSERTIONS);
	ok &= column_unsigned(&p->diffstat.deletions, st,
			      MC_DIFFSTAT_DELETIONS);
	return ok;
}

/*
 * Run a child-table query for message id and hand each row to add.
 * Grows *array (of *nr elements of elem bytes) as rows come.
 */
static int load_rows(struct store *s, enum stmt sid, int64_t id,
		     void (*add)(void *array, size_t i, sqlite3_stmt *st),
		     void **array, size_t *nr, size_t elem)
{
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, sid);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, id);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow(array, &alloc, *nr + 1, elem);
		add(*array, *nr, st);
		(*nr)++;
		rc = SQLITE_OK;
	}
	rc = rc == SQLITE_DONE ? 0
			       : store_fail(s, rc, "%s: load message %lld",
					    s->path, (long long)id);
	stmt_done(st);
	return rc;
}

static void add_string(void *array, size_t i, sqlite3_stmt *st)
{
	((char **)array)[i] = column_strdup_empty(st, 0);
}

static void add_trailer(void *array, size_t i, sqlite3_stmt *st)
{
	struct trailer *t = &((struct trailer *)array)[i];

	t->name = column_strdup_empty(st, 0);
	t->value = column_strdup_empty(st, 1);
}

int store_message_load(struct message *out, struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	bool ok;
	int rc;

	rc = stmt_get(&st, s, STMT_MESSAGE_LOAD);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		stmt_done(st);
		return ERR_NOTFOUND;
	}
	if (rc != SQLITE_ROW) {
		rc = store_fail(s, rc, "%s: load message %lld", s->path,
				(long long)id);
		stmt_done(st);
		return rc;
	}
	ok = read_message_row(out, st);
	stmt_done(st);
	if (!ok) {
		rc = errorf(ERR_FAIL,
			    "store: %s: message %lld: a stored value is out "
			    "of range (damaged file?)",
			    s->path, (long long)id);
		goto fail;
	}

	rc = load_rows(s, STMT_MESSAGE_PREFIXES, id, add_string,
		       (void **)&out->tags.prefixes, &out->tags.nr_prefixes,
		       sizeof(char *));
	if (rc == 0)
		rc = load_rows(s, STMT_MESSAGE_REFS, id, add_string,
			       (void **)&out->mail.references,
			       &out->mail.nr_references, sizeof(char *));
	if (rc == 0)
		rc = load_rows(s, STMT_MESSAGE_FILES, id, add_string,
			       (void **)&out->patch.paths, &out->patch.nr_paths,
			       sizeof(char *));
	if (rc == 0)
		rc = load_rows(s, STMT_MESSAGE_TRAILERS, id, add_trailer,
			       (void **)&out->patch.trailers,
			       &out->patch.nr_trailers, sizeof(struct trailer));
	if (rc == 0)
		return 0;
fail:
	store_message_release(out);
	return rc;
}

static void free_strings(char **v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

void store_message_release(struct message *m)
{
	struct mail *mail = &m->mail;
	struct patch *p = &m->patch;
	size_t i;

	free(mail->message_id);
	free(mail->in_reply_to);
	free_strings(mail->references, mail->nr_references);
	free(mail->list_id);
	person_release(&mail->from);
	free(mail->subject);
	free(mail->sender);
	free(mail->reply_to);
	free(mail->return_path);
	free(mail->auto_submitted);
	free(mail->precedence);
	free(mail->body);
	person_release(&mail->inbody_from);
	free(mail->inbody_subject);

	free(m->tags.title);
	free_strings(m->tags.prefixes, m->tags.nr_prefixes);

	for (i = 0; i < p->nr_files; i++) {
		free(p->files[i].path);
		free(p->files[i].old_path);
	}
	free(p->files);
	free_strings(p->paths, p->nr_paths);
	for (i = 0; i < p->nr_trailers; i++) {
		free(p->trailers[i].name);
		free(p->trailers[i].value);
	}
	free(p->trailers);

	person_release(&m->author);
	*m = (struct message)MESSAGE_INIT;
}

/* --- unparsed --------------------------------------------------------- */

int store_unparsed_add(int64_t *out, struct store *s, const char *raw,
		       size_t len, const char *reason, const char *source,
		       int64_t received)
{
	size_t keep =
		len < STORE_UNPARSED_MAX_BYTES ? len : STORE_UNPARSED_MAX_BYTES;
	struct binder b;
	sqlite3_stmt *st;
	bool own;
	int rc;

	rc = write_begin(s, &own);
	if (rc)
		return rc;
	rc = stmt_get(&st, s, STMT_UNPARSED_INSERT);
	if (rc == 0) {
		b.st = st;
		b.rc = SQLITE_OK;
		bind_blob(&b, 1, raw, keep);
		bind_int(&b, 2, (int64_t)len);
		bind_text_empty(&b, 3, reason);
		bind_text_empty(&b, 4, source);
		bind_int(&b, 5, received);
		rc = b.rc == SQLITE_OK ? sqlite3_step(st) : b.rc;
		rc = rc == SQLITE_DONE
			     ? 0
			     : store_fail(s, rc, "%s: keep unparsed mail",
					  s->path);
		if (rc == 0 && out)
			*out = sqlite3_last_insert_rowid(s->db);
		stmt_done(st);
	}
	return write_end(s, own, rc);
}

/* --- cursors ---------------------------------------------------------- */

int store_cursor_get(struct buf *out, struct store *s, const char *source)
{
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_CURSOR_GET);
	if (rc)
		return rc;
	rc = sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		buf_add(out, sqlite3_column_text(st, 0),
			(size_t)sqlite3_column_bytes(st, 0));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ERR_NOTFOUND;
	} else {
		rc = store_fail(s, rc, "%s: get cursor %s", s->path, source);
	}
	stmt_done(st);
	return rc;
}

int store_cursor_set(struct store *s, const char *source, const char *value)
{
	struct binder b;
	sqlite3_stmt *st;
	bool own;
	int rc;

	rc = write_begin(s, &own);
	if (rc)
		return rc;
	rc = stmt_get(&st, s, STMT_CURSOR_SET);
	if (rc == 0) {
		b.st = st;
		b.rc = SQLITE_OK;
		bind_text_empty(&b, 1, source);
		bind_text_empty(&b, 2, value);
		bind_int(&b, 3, (int64_t)time(NULL));
		rc = b.rc == SQLITE_OK ? sqlite3_step(st) : b.rc;
		rc = rc == SQLITE_DONE ? 0
				       : store_fail(s, rc, "%s: set cursor %s",
						    s->path, source);
		stmt_done(st);
	}
	return write_end(s, own, rc);
}

/*
 * Run write statement id with parameter 1 and (when nparams is 2)
 * parameter 2 bound to integers, in a write of its own; *count_out (may
 * be NULL) says how many rows it changed.
 */
static int write_ints(int64_t *count_out, struct store *s, enum stmt id,
		      int nparams, int64_t p1, int64_t p2, const char *what)
{
	sqlite3_stmt *st;
	bool own;
	int rc;

	rc = write_begin(s, &own);
	if (rc)
		return rc;
	rc = stmt_get(&st, s, id);
	if (rc == 0) {
		rc = sqlite3_bind_int64(st, 1, p1);
		if (rc == SQLITE_OK && nparams > 1)
			rc = sqlite3_bind_int64(st, 2, p2);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			if (count_out)
				*count_out = sqlite3_changes(s->db);
			rc = 0;
		} else {
			rc = store_fail(s, rc, "%s: %s", s->path, what);
		}
		stmt_done(st);
	}
	return write_end(s, own, rc);
}

/* --- subscribers ------------------------------------------------------ */

static const char *const subscriber_status_names[] = {
	[SUBSCRIBER_PENDING] = "pending",
	[SUBSCRIBER_ACTIVE] = "active",
	[SUBSCRIBER_PAUSED] = "paused",
};

static const char *subscriber_status_name(enum store_subscriber_status st)
{
	if ((size_t)st >= ARRAY_SIZE(subscriber_status_names))
		BUG("store: subscriber status %d", (int)st);
	return subscriber_status_names[st];
}

int store_subscriber_add(int64_t *out, struct store *s, const char *address,
			 enum store_subscriber_status status, int64_t now)
{
	char abuf[ESCAPED_MAX];
	struct binder b;
	sqlite3_stmt *st;
	bool own;
	int rc;

	rc = write_begin(s, &own);
	if (rc)
		return rc;
	rc = stmt_get(&st, s, STMT_SUBSCRIBER_INSERT);
	if (rc == 0) {
		b.st = st;
		b.rc = SQLITE_OK;
		bind_text_empty(&b, 1, address);
		bind_text(&b, 2, subscriber_status_name(status));
		bind_int(&b, 3, now);
		rc = b.rc == SQLITE_OK ? sqlite3_step(st) : b.rc;
		if (rc == SQLITE_DONE)
			rc = sqlite3_changes(s->db) == 1 ? 0 : ERR_EXISTS;
		else
			rc = store_fail(s, rc, "%s: add subscriber %s", s->path,
					escaped(abuf, address));
		if (rc == 0 && out)
			*out = sqlite3_last_insert_rowid(s->db);
		stmt_done(st);
	}
	return write_end(s, own, rc);
}

void store_subscriber_release(struct store_subscriber *sub)
{
	free(sub->address);
	free(sub->token);
	*sub = (struct store_subscriber)STORE_SUBSCRIBER_INIT;
}

/*
 * Step st (bound, selecting id, address, status, created,
 * last_digest_at) for one subscriber into out; consumes st.
 */
static int read_subscriber(struct store_subscriber *out, struct store *s,
			   sqlite3_stmt *st, int rc, const char *what)
{
	int status;

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->address = column_strdup_empty(st, 1);
		status = name_index(subscriber_status_names,
				    ARRAY_SIZE(subscriber_status_names),
				    (const char *)sqlite3_column_text(st, 2));
		/* The CHECK constraint allows nothing else. */
		out->status = status < 0 ? SUBSCRIBER_PAUSED
					 : (enum store_subscriber_status)status;
		out->created = sqlite3_column_int64(st, 3);
		out->last_digest_at = sqlite3_column_int64(st, 4);
		out->token = column_strdup(st, 5);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ERR_NOTFOUND;
	} else {
		rc = store_fail(s, rc, "%s: %s", s->path, what);
	}
	stmt_done(st);
	return rc;
}

int store_subscriber_find(struct store_subscriber *out, struct store *s,
			  const char *address)
{
	char abuf[ESCAPED_MAX], what[ESCAPED_MAX + 32];
	sqlite3_stmt *st;
	int rc;

	store_subscriber_release(out);
	rc = stmt_get(&st, s, STMT_SUBSCRIBER_FIND);
	if (rc)
		return rc;
	snprintf(what, sizeof(what), "find subscriber %s",
		 escaped(abuf, address));
	return read_subscriber(
		out, s, st, sqlite3_bind_text(st, 1, address, -1, SQLITE_STATIC),
		what);
}

int store_subscriber_load(struct store_subscriber *out, struct store *s,
			  int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	store_subscriber_release(out);
	rc = stmt_get(&st, s, STMT_SUBSCRIBER_LOAD);
	if (rc)
		return rc;
	return read_subscriber(out, s, st, sqlite3_bind_int64(st, 1, id),
			       "load subscriber");
}

int store_subscriber_by_token(struct store_subscriber *out, struct store *s,
			      const char *token)
{
	sqlite3_stmt *st;
	int rc;

	store_subscriber_release(out);
	rc = stmt_get(&st, s, STMT_SUBSCRIBER_BY_TOKEN);
	if (rc)
		return rc;
	return read_subscriber(
		out, s, st, sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC),
		"find subscriber by token");
}

int store_subscriber_set_token(struct store *s, int64_t id, const char *token)
{
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_SUBSCRIBER_SET_TOKEN);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
	return update_one(s, st, rc, "set token of subscriber", id);
}

int store_subscriber_delete(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_SUBSCRIBER_DELETE);
	if (rc)
		return rc;
	return update_one(s, st, sqlite3_bind_int64(st, 1, id),
			  "delete subscriber", id);
}

int store_subscribers_all(struct store_ids *out, struct store *s)
{
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_SUBSCRIBERS_ALL);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		XGROW(out->v, out->alloc, out->nr + 1);
		out->v[out->nr++] = sqlite3_column_int64(st, 0);
	}
	rc = rc == SQLITE_DONE ? 0
			       : store_fail(s, rc, "%s: list subscribers",
					    s->path);
	stmt_done(st);
	return rc;
}

/* A statement whose one row holds one number, into out; what: for errors. */
static int stmt_one_int64(int64_t *out, struct store *s, enum stmt id,
			  const char *what)
{
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	rc = stmt_get(&st, s, id);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = store_fail(s, rc, "%s: %s", s->path, what);
	}
	stmt_done(st);
	return rc;
}

int store_subscribers_count(int64_t *out, struct store *s)
{
	return stmt_one_int64(out, s, STMT_SUBSCRIBERS_COUNT,
			      "count subscribers");
}

int store_subscriptions_generation(int64_t *out, struct store *s)
{
	return stmt_one_int64(out, s, STMT_SUBSCRIPTIONS_GENERATION,
			      "the subscriptions' generation");
}

int store_subscribers_expire(int64_t *count_out, struct store *s,
			     int64_t created_before, int64_t now)
{
	return write_ints(count_out, s, STMT_SUBSCRIBERS_EXPIRE, 2,
			  created_before, now,
			  "forget unconfirmed subscriptions");
}

int store_subscriber_set_last_digest(struct store *s, int64_t id,
				     int64_t when)
{
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_SUBSCRIBER_SET_LAST_DIGEST);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, when);
	return update_one(s, st, rc, "set last digest of subscriber", id);
}

/*
 * Step st, its parameters bound by the caller (bind_rc: how binding
 * went), to its end inside the caller's write, and finalise it. 0, or
 * store_fail() naming what and id.
 */
static int step_to_end(struct store *s, sqlite3_stmt *st, int bind_rc,
		       const char *what, int64_t id)
{
	int rc = bind_rc == SQLITE_OK ? sqlite3_step(st) : bind_rc;

	rc = rc == SQLITE_DONE ? 0
			       : store_fail(s, rc, "%s: %s %lld", s->path, what,
					    (long long)id);
	stmt_done(st);
	return rc;
}

/*
 * Run the write statement st, its parameters bound by the caller
 * (bind_rc: how binding went), to its end in a write transaction (the
 * caller's, or one of its own), and finalise it. With one_row, exactly
 * one row must change (else ERR_NOTFOUND, reported). Errors name what
 * and id.
 */
static int write_run(struct store *s, sqlite3_stmt *st, int bind_rc,
		     bool one_row, const char *what, int64_t id)
{
	int rc;
	bool own;

	rc = write_begin(s, &own);
	if (rc) {
		stmt_done(st);
		return rc;
	}
	rc = bind_rc == SQLITE_OK ? sqlite3_step(st) : bind_rc;
	if (rc == SQLITE_DONE)
		rc = !one_row || sqlite3_changes(s->db) == 1
			     ? 0
			     : errorf(ERR_NOTFOUND,
				      "store: %s: %s %lld: no such row",
				      s->path, what, (long long)id);
	else
		rc = store_fail(s, rc, "%s: %s %lld", s->path, what,
				(long long)id);
	stmt_done(st);
	return write_end(s, own, rc);
}

int update_one(struct store *s, sqlite3_stmt *st, int bind_rc,
	       const char *what, int64_t id)
{
	return write_run(s, st, bind_rc, true, what, id);
}

int write_all(struct store *s, sqlite3_stmt *st, int bind_rc,
	      const char *what, int64_t id)
{
	return write_run(s, st, bind_rc, false, what, id);
}

int store_subscriber_set_status(struct store *s, int64_t id,
				enum store_subscriber_status status)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_SUBSCRIBER_SET_STATUS);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, id);
	bind_text(&b, 2, subscriber_status_name(status));
	return update_one(s, st, b.rc, "set status of subscriber", id);
}

/* --- rule files ------------------------------------------------------- */

static const char *const rulefile_state_names[] = {
	[RULEFILE_PROPOSED] = "proposed",
	[RULEFILE_ACTIVE] = "active",
	[RULEFILE_SUPERSEDED] = "superseded",
};

int store_rulefile_add(int64_t *out, struct store *s,
		       const struct store_rulefile *rf)
{
	struct binder b;
	sqlite3_stmt *st;
	bool own;
	int rc;

	if ((size_t)rf->state >= ARRAY_SIZE(rulefile_state_names))
		BUG("store: rule file state %d", (int)rf->state);
	rc = write_begin(s, &own);
	if (rc)
		return rc;
	rc = stmt_get(&st, s, STMT_RULEFILE_INSERT);
	if (rc == 0) {
		b.st = st;
		b.rc = SQLITE_OK;
		bind_int(&b, 1, rf->subscriber);
		bind_textn(&b, 2, rf->text ? rf->text : "",
			   rf->text ? rf->text_len : 0);
		bind_int(&b, 3, rf->created);
		bind_text(&b, 4, rulefile_state_names[rf->state]);
		bind_text(&b, 5, rf->token_hash);
		if (rf->token_hash)
			bind_int(&b, 6, rf->token_expires);
		rc = b.rc == SQLITE_OK ? sqlite3_step(st) : b.rc;
		rc = rc == SQLITE_DONE
			     ? 0
			     : store_fail(
				       s, rc,
				       "%s: add rule file of subscriber %lld",
				       s->path, (long long)rf->subscriber);
		if (rc == 0 && out)
			*out = sqlite3_last_insert_rowid(s->db);
		stmt_done(st);
	}
	return write_end(s, own, rc);
}

int store_rulefile_activate(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	int64_t subscriber = 0;
	bool own;
	int rc;

	rc = write_begin(s, &own);
	if (rc)
		return rc;
	rc = stmt_get(&st, s, STMT_RULEFILE_SUBSCRIBER);
	if (rc == 0) {
		rc = sqlite3_bind_int64(st, 1, id);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			subscriber = sqlite3_column_int64(st, 0);
			rc = 0;
		} else if (rc == SQLITE_DONE) {
			rc = errorf(ERR_NOTFOUND,
				    "store: %s: activate rule file %lld: no "
				    "such rule file",
				    s->path, (long long)id);
		} else {
			rc = store_fail(s, rc, "%s: activate rule file %lld",
					s->path, (long long)id);
		}
		stmt_done(st);
	}
	/* The one in force, if any, superseded; then this one in force. */
	if (rc == 0)
		rc = stmt_get(&st, s, STMT_RULEFILE_SUPERSEDE);
	if (rc == 0) {
		int brc = sqlite3_bind_int64(st, 1, subscriber);

		if (brc == SQLITE_OK)
			brc = sqlite3_bind_int64(st, 2, id);
		rc = step_to_end(s, st, brc, "activate rule file", id);
	}
	if (rc == 0)
		rc = stmt_get(&st, s, STMT_RULEFILE_ACTIVATE);
	if (rc == 0)
		rc = step_to_end(s, st, sqlite3_bind_int64(st, 1, id),
				 "activate rule file", id);
	return write_end(s, own, rc);
}

void store_rulefile_release(struct store_rulefile *rf)
{
	free(rf->text);
	free(rf->token_hash);
	*rf = (struct store_rulefile)STORE_RULEFILE_INIT;
}

void store_rulefiles_free(struct store_rulefile *rfs, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		store_rulefile_release(&rfs[i]);
	free(rfs);
}

/* One row of rulefiles (id, subscriber, text, created, state, token_hash,
 * token_expires) into rf. */
static void read_rulefile_row(struct store_rulefile *rf, sqlite3_stmt *st)
{
	int state;

	*rf = (struct store_rulefile)STORE_RULEFILE_INIT;
	rf->id = sqlite3_column_int64(st, 0);
	rf->subscriber = sqlite3_column_int64(st, 1);
	rf->text = column_strdup_empty(st, 2);
	rf->text_len = (size_t)sqlite3_column_bytes(st, 2);
	rf->created = sqlite3_column_int64(st, 3);
	state = name_index(rulefile_state_names, ARRAY_SIZE(rulefile_state_names),
			   (const char *)sqlite3_column_text(st, 4));
	rf->state = state < 0 ? RULEFILE_SUPERSEDED
			      : (enum store_rulefile_state)state;
	rf->token_hash = column_strdup(st, 5);
	rf->token_expires = sqlite3_column_int64(st, 6);
}

int store_rulefile_history(struct store_rulefile **out, size_t *nr_out,
			   struct store *s, int64_t subscriber, size_t max)
{
	struct store_rulefile *v = NULL;
	size_t nr = 0, alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*nr_out = 0;
	rc = stmt_get(&st, s, STMT_RULEFILE_HISTORY);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, subscriber);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(
			st, 2, max > INT64_MAX ? INT64_MAX : (int64_t)max);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		XGROW(v, alloc, nr + 1);
		read_rulefile_row(&v[nr++], st);
		rc = SQLITE_OK;
	}
	if (rc == SQLITE_DONE) {
		*out = v;
		*nr_out = nr;
		rc = 0;
	} else {
		rc = store_fail(s, rc, "%s: rule files of subscriber %lld",
				s->path, (long long)subscriber);
		store_rulefiles_free(v, nr);
	}
	stmt_done(st);
	return rc;
}

int store_rulefile_active(struct store_rulefile *out, struct store *s,
			  int64_t subscriber)
{
	sqlite3_stmt *st;
	int rc;

	store_rulefile_release(out);
	rc = stmt_get(&st, s, STMT_RULEFILE_ACTIVE);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, subscriber);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_rulefile_row(out, st);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ERR_NOTFOUND;
	} else {
		rc = store_fail(s, rc, "%s: active rule file of subscriber %lld",
				s->path, (long long)subscriber);
	}
	stmt_done(st);
	return rc;
}

int store_rulefile_by_token(struct store_rulefile *out, struct store *s,
			    const char *token_hash)
{
	sqlite3_stmt *st;
	int rc;

	store_rulefile_release(out);
	rc = stmt_get(&st, s, STMT_RULEFILE_BY_TOKEN);
	if (rc)
		return rc;
	rc = sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_rulefile_row(out, st);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ERR_NOTFOUND;
	} else {
		rc = store_fail(s, rc, "%s: rule file by token", s->path);
	}
	stmt_done(st);
	return rc;
}

int store_rulefile_withdraw(int64_t *count_out, struct store *s,
			    int64_t subscriber)
{
	return write_ints(count_out, s, STMT_RULEFILE_WITHDRAW, 1, subscriber,
			  0, "withdraw proposed rule files");
}

/* --- the command mail log ---------------------------------------------- */

static const char *const mail_log_names[] = {
	[MAIL_LOG_IN] = "in",
	[MAIL_LOG_OUT] = "out",
};

int store_mail_log_add(struct store *s, const char *address,
		       enum store_mail_direction dir, int64_t at)
{
	char abuf[ESCAPED_MAX];
	struct binder b;
	sqlite3_stmt *st;
	bool own;
	int rc;

	if ((size_t)dir >= ARRAY_SIZE(mail_log_names))
		BUG("store: mail log direction %d", (int)dir);
	rc = write_begin(s, &own);
	if (rc)
		return rc;
	rc = stmt_get(&st, s, STMT_MAIL_LOG_INSERT);
	if (rc == 0) {
		b.st = st;
		b.rc = SQLITE_OK;
		bind_text_empty(&b, 1, address);
		bind_text(&b, 2, mail_log_names[dir]);
		bind_int(&b, 3, at);
		rc = b.rc == SQLITE_OK ? sqlite3_step(st) : b.rc;
		rc = rc == SQLITE_DONE
			     ? 0
			     : store_fail(s, rc, "%s: log mail of %s", s->path,
					  escaped(abuf, address));
		stmt_done(st);
	}
	return write_end(s, own, rc);
}

int store_mail_log_count(int64_t *out, struct store *s, const char *address,
			 enum store_mail_direction dir, int64_t since)
{
	char abuf[ESCAPED_MAX];
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	if ((size_t)dir >= ARRAY_SIZE(mail_log_names))
		BUG("store: mail log direction %d", (int)dir);
	*out = 0;
	rc = stmt_get(&st, s, STMT_MAIL_LOG_COUNT);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_text_empty(&b, 1, address);
	bind_text(&b, 2, mail_log_names[dir]);
	bind_int(&b, 3, since);
	rc = b.rc == SQLITE_OK ? sqlite3_step(st) : b.rc;
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = store_fail(s, rc, "%s: count mail of %s", s->path,
				escaped(abuf, address));
	}
	stmt_done(st);
	return rc;
}

int store_mail_log_prune(int64_t *count_out, struct store *s, int64_t before)
{
	return write_ints(count_out, s, STMT_MAIL_LOG_PRUNE, 1, before, 0,
			  "prune the mail log");
}

/* --- outbox ----------------------------------------------------------- */

static const char *const outbox_kind_names[] = {
	[OUTBOX_DIGEST] = "digest",
	[OUTBOX_REPLY] = "reply",
};

static const char *const outbox_status_names[] = {
	[OUTBOX_QUEUED] = "queued",
	[OUTBOX_SENT] = "sent",
	[OUTBOX_FAILED] = "failed",
};

int store_outbox_enqueue(int64_t *out, struct store *s,
			 const struct store_outbox *o, int64_t now)
{
	char idbuf[ESCAPED_MAX];
	struct binder b;
	sqlite3_stmt *st;
	bool own;
	int rc;

	if ((size_t)o->kind >= ARRAY_SIZE(outbox_kind_names))
		BUG("store: outbox kind %d", (int)o->kind);
	rc = write_begin(s, &own);
	if (rc)
		return rc;
	rc = stmt_get(&st, s, STMT_OUTBOX_INSERT);
	if (rc == 0) {
		b.st = st;
		b.rc = SQLITE_OK;
		if (o->subscriber > 0)
			bind_int(&b, 1, o->subscriber);
		bind_text(&b, 2, outbox_kind_names[o->kind]);
		bind_text_empty(&b, 3, o->message_id);
		bind_text_empty(&b, 4, o->envelope_from);
		bind_text_empty(&b, 5, o->recipient);
		bind_blob(&b, 6, o->mail, o->mail ? o->mail_len : 0);
		bind_int(&b, 7, now);
		rc = b.rc == SQLITE_OK ? sqlite3_step(st) : b.rc;
		if (rc == SQLITE_DONE)
			rc = sqlite3_changes(s->db) == 1 ? 0 : ERR_EXISTS;
		else
			rc = store_fail(s, rc, "%s: queue mail <%s>", s->path,
					escaped(idbuf, o->message_id));
		if (rc == 0 && out)
			*out = sqlite3_last_insert_rowid(s->db);
		stmt_done(st);
	}
	return write_end(s, own, rc);
}

void store_outbox_release(struct store_outbox *o)
{
	free(o->message_id);
	free(o->envelope_from);
	free(o->recipient);
	free(o->mail);
	free(o->last_error);
	*o = (struct store_outbox)STORE_OUTBOX_INIT;
}

/* A row of OUTBOX_COLUMNS (and the mail, when with_mail) into out. */
static void outbox_row(struct store_outbox *out, sqlite3_stmt *st,
		       bool with_mail)
{
	int v;

	*out = (struct store_outbox)STORE_OUTBOX_INIT;
	out->id = sqlite3_column_int64(st, 0);
	out->subscriber = sqlite3_column_int64(st, 1);
	v = name_index(outbox_kind_names, ARRAY_SIZE(outbox_kind_names),
		       (const char *)sqlite3_column_text(st, 2));
	out->kind = v < 0 ? OUTBOX_REPLY : (enum store_outbox_kind)v;
	out->message_id = column_strdup_empty(st, 3);
	out->envelope_from = column_strdup_empty(st, 4);
	out->recipient = column_strdup_empty(st, 5);
	out->created = sqlite3_column_int64(st, 6);
	out->attempts = (unsigned)sqlite3_column_int(st, 7);
	out->next_attempt_at = sqlite3_column_int64(st, 8);
	v = name_index(outbox_status_names, ARRAY_SIZE(outbox_status_names),
		       (const char *)sqlite3_column_text(st, 9));
	out->status = v < 0 ? OUTBOX_FAILED : (enum store_outbox_status)v;
	out->last_error = column_strdup(st, 10);
	out->sent_at = sqlite3_column_int64(st, 11);
	if (with_mail) {
		out->mail_len =
			(size_t)sqlite3_column_bytes(st, OUTBOX_NCOLUMNS);
		out->mail = xmemdup0(
			out->mail_len ? sqlite3_column_blob(st, OUTBOX_NCOLUMNS)
				      : "",
			out->mail_len);
	}
}

int store_outbox_next_due(struct store_outbox *out, struct store *s,
			  int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	store_outbox_release(out);
	rc = stmt_get(&st, s, STMT_OUTBOX_NEXT_DUE);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, now);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		outbox_row(out, st, true);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ERR_NOTFOUND;
	} else {
		rc = store_fail(s, rc, "%s: next mail due", s->path);
	}
	stmt_done(st);
	return rc;
}

int store_outbox_retry_now(int64_t *count_out, struct store *s, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_OUTBOX_RETRY_NOW);
	if (rc)
		return rc;
	rc = sqlite3_bind_int64(st, 1, now);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		if (count_out)
			*count_out = sqlite3_changes(s->db);
		rc = 0;
	} else {
		rc = store_fail(s, rc, "%s: make queued mail due", s->path);
	}
	stmt_done(st);
	return rc;
}

void store_outboxes_free(struct store_outbox *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		store_outbox_release(&v[i]);
	free(v);
}

int store_outbox_list(struct store_outbox **out, size_t *nr_out,
		      struct store *s, enum store_outbox_status status,
		      bool with_error, size_t max)
{
	struct store_outbox *v = NULL;
	size_t nr = 0, alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*nr_out = 0;
	if ((size_t)status >= ARRAY_SIZE(outbox_status_names))
		BUG("store: outbox status %d", (int)status);
	rc = stmt_get(&st, s, STMT_OUTBOX_LIST);
	if (rc)
		return rc;
	rc = sqlite3_bind_text(st, 1, outbox_status_names[status], -1,
			       SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 2, with_error);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(
			st, 3, max > INT64_MAX ? INT64_MAX : (int64_t)max);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		XGROW(v, alloc, nr + 1);
		outbox_row(&v[nr++], st, false);
		rc = SQLITE_OK;
	}
	if (rc == SQLITE_DONE) {
		*out = v;
		*nr_out = nr;
		rc = 0;
	} else {
		rc = store_fail(s, rc, "%s: list the outbox", s->path);
		store_outboxes_free(v, nr);
	}
	stmt_done(st);
	return rc;
}

int store_outbox_next_time(int64_t *out, struct store *s)
{
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_OUTBOX_NEXT_TIME);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
			rc = ERR_NOTFOUND;
		} else {
			*out = sqlite3_column_int64(st, 0);
			rc = 0;
		}
	} else {
		rc = store_fail(s, rc, "%s: next mail due", s->path);
	}
	stmt_done(st);
	return rc;
}

int store_outbox_mark_sent(struct store *s, int64_t id, int64_t now)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_OUTBOX_MARK_SENT);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, id);
	bind_int(&b, 2, now);
	return update_one(s, st, b.rc, "mark sent queued mail", id);
}

int store_outbox_mark_failed(struct store *s, int64_t id, const char *error,
			     int64_t retry_at)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	rc = stmt_get(&st, s, STMT_OUTBOX_MARK_FAILED);
	if (rc)
		return rc;
	b.st = st;
	b.rc = SQLITE_OK;
	bind_int(&b, 1, id);
	bind_text(&b, 2, error);
	bind_int(&b, 3, retry_at);
	return update_one(s, st, b.rc, "mark failed queued mail", id);
}

/* --- the whole store -------------------------------------------------- */

int store_stats(struct store_stats *out, struct store *s)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = stmt_get(&st, s, STMT_USER_VERSION);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		out->schema_version = sqlite3_column_int(st, 0);
	rc = rc == SQLITE_ROW ? 0 : store_fail(s, rc, "%s: stats", s->path);
	stmt_done(st);
	if (rc)
		return rc;

	rc = stmt_get(&st, s, STMT_STATS);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->messages = sqlite3_column_int64(st, 0);
		out->unparsed = sqlite3_column_int64(st, 1);
		out->series = sqlite3_column_int64(st, 2);
		out->supersessions = sqlite3_column_int64(st, 3);
		out->subscribers = sqlite3_column_int64(st, 4);
		out->rulefiles = sqlite3_column_int64(st, 5);
		out->matches = sqlite3_column_int64(st, 6);
		out->outbox_queued = sqlite3_column_int64(st, 7);
		out->outbox_sent = sqlite3_column_int64(st, 8);
		out->outbox_failed = sqlite3_column_int64(st, 9);
		out->cursors = sqlite3_column_int64(st, 10);
		rc = 0;
	} else {
		rc = store_fail(s, rc, "%s: stats", s->path);
	}
	stmt_done(st);
	return rc;
}

/* The statements that read whole tables on purpose (listing them). */
static bool stmt_may_scan(enum stmt id)
{
	return id == STMT_STATS || id == STMT_INTEGRITY_CHECK ||
	       id == STMT_FOREIGN_KEY_CHECK || id == STMT_SERIES_ALL ||
	       id == STMT_SERIES_NEWEST || id == STMT_SUBSCRIBERS_ALL ||
	       id == STMT_SUBSCRIBERS_COUNT;
}

int store_check_plans(struct store *s)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	const char *detail;
	int problems = 0, rc = 0;
	size_t i;

	for (i = 0; rc == 0 && i < STMT__COUNT; i++) {
		if (stmt_may_scan((enum stmt)i))
			continue;
		/* Our own constant text, not values: nothing to inject. */
		buf_reset(&sql);
		buf_adds(&sql, "EXPLAIN QUERY PLAN ");
		buf_adds(&sql, stmt_text((enum stmt)i));
		rc = sqlite3_prepare_v2(s->db, sql.data, -1, &st, NULL);
		if (rc != SQLITE_OK) {
			rc = store_fail(s, rc, "%s: explain \"%.40s\"", s->path,
					stmt_text((enum stmt)i));
			break;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			detail = (const char *)sqlite3_column_text(st, 3);
			/* A table-valued function (json_each) is no table. */
			if (detail && !strncmp(detail, "SCAN ", 5) &&
			    !strstr(detail, "VIRTUAL TABLE")) {
				log_warnx("store: statement \"%s\": %s",
					  stmt_text((enum stmt)i), detail);
				problems++;
			}
		}
		rc = rc == SQLITE_DONE
			     ? 0
			     : store_fail(s, rc, "%s: explain", s->path);
		sqlite3_finalize(st);
	}
	buf_release(&sql);
	if (rc == 0 && problems)
		rc = errorf(ERR_FAIL, "store: %d statements scan a table",
			    problems);
	return rc;
}

int store_check_integrity(struct store *s)
{
	int64_t problems = 0, fk = 0;
	sqlite3_stmt *st;
	const char *line;
	int rc;

	rc = stmt_get(&st, s, STMT_INTEGRITY_CHECK);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		line = (const char *)sqlite3_column_text(st, 0);
		if (line && !strcmp(line, "ok"))
			continue;
		if (problems++ < 10)
			log_warnx("store: %s: integrity: %s", s->path,
				  line ? line : "?");
	}
	rc = rc == SQLITE_DONE
		     ? 0
		     : store_fail(s, rc, "%s: integrity check", s->path);
	stmt_done(st);
	if (rc == 0)
		rc = foreign_key_problems(s, &fk);
	if (rc)
		return rc;
	if (problems || fk)
		return errorf(ERR_FAIL,
			      "store: %s: %lld integrity problems, %lld "
			      "broken foreign keys",
			      s->path, (long long)problems, (long long)fk);
	return 0;
}
