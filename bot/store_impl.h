/*
 * store_impl.h: what the files of the store module share, and nobody else
 * includes: the connection, the statement cache and the binding helpers.
 * The module is split by table family (store.c: the file, messages,
 * cursors, subscribers, rule files, outbox; store_series.c: series and
 * their supersession), each file keeping its own SQL text; the statement
 * ids are all in the one enum below.
 */
#ifndef PATCHLETTER_STORE_IMPL_H
#define PATCHLETTER_STORE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "compat.h"
#include "message.h"

enum stmt {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	STMT_USER_VERSION,
	/* messages */
	STMT_MESSAGE_INSERT,
	STMT_MESSAGE_REF_INSERT,
	STMT_MESSAGE_FILE_INSERT,
	STMT_TRAILER_INSERT,
	STMT_MESSAGE_FIND,
	STMT_MESSAGE_LOAD,
	STMT_MESSAGE_PREFIXES,
	STMT_MESSAGE_REFS,
	STMT_MESSAGE_FILES,
	STMT_MESSAGE_TRAILERS,
	STMT_MESSAGE_DELETE,
	/* unparsed */
	STMT_UNPARSED_INSERT,
	/* cursors */
	STMT_CURSOR_GET,
	STMT_CURSOR_SET,
	/* subscribers */
	STMT_SUBSCRIBER_INSERT,
	STMT_SUBSCRIBER_FIND,
	STMT_SUBSCRIBER_SET_STATUS,
	STMT_SUBSCRIBERS_ALL,
	STMT_SUBSCRIBER_LOAD,
	STMT_SUBSCRIBER_SET_LAST_DIGEST,
	STMT_SUBSCRIBER_BY_TOKEN,
	STMT_SUBSCRIBER_SET_TOKEN,
	STMT_SUBSCRIBER_DELETE,
	STMT_SUBSCRIBERS_COUNT,
	STMT_SUBSCRIPTIONS_GENERATION,
	STMT_SUBSCRIBERS_EXPIRE,
	/* rulefiles */
	STMT_RULEFILE_INSERT,
	STMT_RULEFILE_SUBSCRIBER,
	STMT_RULEFILE_SUPERSEDE,
	STMT_RULEFILE_ACTIVATE,
	STMT_RULEFILE_HISTORY,
	STMT_RULEFILE_ACTIVE,
	STMT_RULEFILE_BY_TOKEN,
	STMT_RULEFILE_WITHDRAW,
	/* the command mail log */
	STMT_MAIL_LOG_INSERT,
	STMT_MAIL_LOG_COUNT,
	STMT_MAIL_LOG_PRUNE,
	/* outbox */
	STMT_OUTBOX_INSERT,
	STMT_OUTBOX_NEXT_DUE,
	STMT_OUTBOX_LIST,
	STMT_OUTBOX_RETRY_NOW,
	STMT_OUTBOX_NEXT_TIME,
	STMT_OUTBOX_MARK_SENT,
	STMT_OUTBOX_MARK_FAILED,
	/* the whole store */
	STMT_STATS,
	STMT_INTEGRITY_CHECK,
	STMT_FOREIGN_KEY_CHECK,
	STMT_CORE__END,

	/* series, supersessions (store_series.c) */
	STMT_SERIES_FIRST = STMT_CORE__END,
	STMT_SERIES_INSERT = STMT_SERIES_FIRST,
	STMT_SERIES_UPDATE,
	STMT_SERIES_UPDATE_COUNTS,
	STMT_SERIES_UPDATE_ACTIVITY,
	STMT_SERIES_LOAD,
	STMT_SERIES_DELETE,
	STMT_SERIES_BY_ROOT,
	STMT_SERIES_BY_CHANGE_ID,
	STMT_SERIES_BY_TITLE,
	STMT_SERIES_BY_SENDER,
	STMT_SERIES_ALL,
	STMT_SERIES_NEWEST,
	STMT_MESSAGE_BRIEF,
	STMT_MESSAGE_SET_SERIES,
	STMT_MESSAGE_UNSET_SERIES,
	STMT_SERIES_MEMBERS,
	STMT_SERIES_NUMBER_TAKEN,
	STMT_SERIES_LOWEST_PATCH,
	STMT_SERIES_FIRST_POSTING,
	STMT_SERIES_PATCH_TITLES,
	STMT_PATCHES_TITLED,
	STMT_ORPHANS_IN_REPLY_TO,
	STMT_ORPHANS_REFERENCING,
	STMT_SERIES_REPLIES,
	STMT_SERIES_REVIEWS,
	STMT_MESSAGE_REVIEWS,
	STMT_SERIES_REPLIERS,
	STMT_SERIES_REVIEW_TRAILERS,
	STMT_EDGE_UPSERT,
	STMT_EDGE_DELETE,
	STMT_EDGES_INTO,
	STMT_EDGES_OUT_OF,
	STMT_LINK_INSERT,
	STMT_LINKS_NAMING,
	STMT_LINKS_OF,
	STMT_SERIES__END,

	/* matches, subscribers' digests (store_match.c) */
	STMT_MATCH_FIRST = STMT_SERIES__END,
	STMT_MATCH_INSERT = STMT_MATCH_FIRST,
	STMT_MATCHES_UNREPORTED,
	STMT_MATCHES_MARK_REPORTED,
	STMT_MATCHES_ACTIVE_SINCE,
	STMT_SERIES_UPDATED_SINCE,
	STMT_SERIES_SOURCES,
	STMT_CURSORS_RANGE,
	STMT_DIGEST_TIP_GET,
	STMT_DIGEST_TIP_SET,
	STMT_MATCH__END,

	STMT__COUNT = STMT_MATCH__END
};

/* SQL text of the series statements, indexed from STMT_SERIES_FIRST. */
extern const char *const store_series_sql[STMT_SERIES__END - STMT_SERIES_FIRST];
/* SQL text of the match statements, indexed from STMT_MATCH_FIRST. */
extern const char *const store_match_sql[STMT_MATCH__END - STMT_MATCH_FIRST];

enum txn_state {
	TXN_NONE,   /* autocommit: each write makes its own transaction */
	TXN_OPEN,   /* between store_begin() and store_commit() */
	TXN_BROKEN, /* SQLite abandoned it; waiting for commit/rollback */
};

struct store {
	sqlite3 *db;
	char *path; /* owned, for messages */
	unsigned flags;
	enum txn_state txn;
	int txn_error;			 /* why TXN_BROKEN */
	sqlite3_stmt *stmt[STMT__COUNT]; /* owned, compiled on first use */
};

/*
 * Binding many parameters: the first failure sticks in rc and the later
 * binds are skipped, so a statement is checked once before it runs.
 * Strings are bound SQLITE_STATIC: they must outlive the step, which
 * they do, being the caller's arguments.
 */
struct binder {
	sqlite3_stmt *st;
	int rc;
};

/* Untrusted text (a Message-ID from a mail) made safe for one log line. */
#define ESCAPED_MAX 200
const char *escaped(char out[ESCAPED_MAX], const char *s);

int map_rc(int rc);
int store_fail(struct store *s, int rc, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
const char *stmt_text(enum stmt id);
int stmt_get(sqlite3_stmt **out, struct store *s, enum stmt id);
void stmt_done(sqlite3_stmt *st);
int stmt_exec(struct store *s, enum stmt id, const char *context);
int write_begin(struct store *s, bool *own);
int write_end(struct store *s, bool own, int rc);
/* Run an UPDATE of one row (what, id: for the error line); ERR_NOTFOUND
 * when no row changed. Consumes st (stmt_done). */
int update_one(struct store *s, sqlite3_stmt *st, int bind_rc,
	       const char *what, int64_t id);
/* The same for a write of any number of rows (none included). */
int write_all(struct store *s, sqlite3_stmt *st, int bind_rc,
	      const char *what, int64_t id);

void bind_int(struct binder *b, int i, int64_t v);
void bind_textn(struct binder *b, int i, const char *s, size_t len);
void bind_text(struct binder *b, int i, const char *s);
void bind_text_empty(struct binder *b, int i, const char *s);
void bind_blob(struct binder *b, int i, const void *p, size_t len);
char *column_strdup(sqlite3_stmt *st, int i);
char *column_strdup_empty(sqlite3_stmt *st, int i);
bool column_size(size_t *out, sqlite3_stmt *st, int i, size_t max);
bool column_unsigned(unsigned *out, sqlite3_stmt *st, int i);
int name_index(const char *const *names, size_t nr, const char *name);
/* The store's spelling of a message kind (part of the file format). */
const char *store_kind_name(enum message_kind kind);
enum message_kind store_kind_from_name(const char *name);

#endif
