/*
 * store.h: the bot's state, in one SQLite file (DESIGN.md, "state"). This
 * module is the only one that includes sqlite3.h and the only place with
 * SQL; everything else sees these functions and our own types.
 *
 * The file:
 *  - WAL journal, foreign keys enforced, synchronous=FULL (store.c says
 *    why), a busy timeout (bounds.h STORE_BUSY_TIMEOUT_MS) for readers
 *    such as `patchletter status` running beside the daemon;
 *  - PRAGMA application_id marks it as a patchletter store; PRAGMA
 *    user_version is its schema version. Opening an older file migrates
 *    it forward, one step per transaction; a file newer than this program
 *    is refused untouched;
 *  - every write is one transaction. Between store_begin() and
 *    store_commit() all writes form one transaction (the ingest path
 *    stores a batch of messages and the new cursor together, so the
 *    cursor never moves ahead of the data); outside, each call is atomic
 *    on its own.
 *
 * Errors (err.h), reported once by the store with the context
 * ("store: add message <id>: ...") unless said otherwise:
 *   ERR_TEMP     the database is busy or locked by another process, or the
 *                disk is full: retry later (nothing was written)
 *   ERR_EXISTS   a duplicate key (a Message-ID, a subscriber address);
 *                NOT reported: the caller decides whether it matters
 *   ERR_NOTFOUND the row asked for is not there; not reported by lookups
 *   ERR_PERM     the file or the data is refused (not a database, a newer
 *                schema, read-only, a constraint the data breaks)
 *   ERR_LIMIT    a value too big for SQLite
 *   ERR_FAIL     anything else (I/O error, corruption)
 * Out of memory aborts.
 *
 * Times are seconds since the epoch, UTC. Row ids are SQLite rowids (> 0).
 * Strings handed in are borrowed for the call; strings handed out are
 * owned by the caller unless said otherwise.
 */
#ifndef PATCHLETTER_STORE_H
#define PATCHLETTER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compat.h"
#include "message.h"

struct store;

enum {
	STORE_CREATE = 1 << 0,	 /* create and initialise a missing file */
	STORE_READONLY = 1 << 1, /* never write; refuse a file that needs
				    migrating */
};

/* The schema version this program creates and understands. */
int store_schema_version(void);

/*
 * Open (and with STORE_CREATE create) the store at path, migrating an
 * older schema to the current one, into *out (owned; store_close() it).
 * Returns 0, ERR_NOTFOUND (no file and no STORE_CREATE, or a file that
 * holds no store yet and no STORE_CREATE), ERR_PERM (not an SQLite
 * database, another program's database, a schema newer than this
 * program's, or read-only and in need of migration), ERR_TEMP (locked) or
 * ERR_FAIL. On error *out is NULL and a file refused for its version or
 * format has not been written to.
 */
int store_open(struct store **out, const char *path,
	       unsigned flags) WARN_UNUSED;
/* Close s, rolling back a transaction left open; s may be NULL. */
void store_close(struct store *s);

/*
 * Explicit transactions. store_begin() takes the write lock at once
 * (BEGIN IMMEDIATE), so a busy database shows here as ERR_TEMP rather
 * than half-way through a batch. They do not nest: store_begin() inside
 * one is a BUG(). A write inside the transaction that fails leaves the
 * earlier writes of the transaction in place (its own rows are undone),
 * unless SQLite had to abandon the whole transaction (I/O error, disk
 * full): then every later write returns the same error and
 * store_commit() does too. store_commit() rolls back when it fails; either
 * way the transaction is over.
 */
int store_begin(struct store *s) WARN_UNUSED;
int store_commit(struct store *s) WARN_UNUSED;
void store_rollback(struct store *s);
/* Between store_begin() and its store_commit() or store_rollback()? */
bool store_in_transaction(const struct store *s);

/*
 * The key titles are indexed and compared by (the series logic looks
 * versions up by it): ASCII letters in lower case, runs of white space
 * as one space, no white space at either end and no full stops at the
 * end. Other bytes are kept as they are. Appends to out.
 */
void store_title_key(struct buf *out, const char *title, size_t len);

/* --- messages -------------------------------------------------------- */

/*
 * Store one parsed message, with its references, paths and trailers, all
 * or nothing, and its id in *out (may be NULL). source names where it
 * came from ("imap:lkml", "archive:lkml/git/7.git"); received is when
 * the bot got it.
 *
 * Returns ERR_EXISTS, without reporting it, when a message with the same
 * Message-ID is stored already (*out is then that message's id).
 *
 * m->mail.message_id "" (the mail had none) is stored as absent: such
 * messages cannot be found by store_message_find() nor de-duplicated.
 * The ingest path should rather give such mail a stable synthetic id
 * derived from its raw bytes (public-inbox de-duplicates by a content
 * digest the same way) before storing it.
 *
 * What is kept: every field of m->mail, m->tags, m->author, m->date and
 * m->kind, and of m->patch the offsets, flags, diffstat totals, paths and
 * trailers. m->patch.files (per-file diff details) is not kept: the diff
 * is in the body, and patch_parse() gives it back.
 */
int store_message_add(int64_t *out, struct store *s, const struct message *m,
		      const char *source, int64_t received) WARN_UNUSED;

/*
 * Remove the message with this Message-ID (an archive deleted it: spam,
 * a purge), its references, paths and trailers. 0 or ERR_NOTFOUND (not
 * reported).
 */
int store_message_delete(struct store *s, const char *message_id)
	WARN_UNUSED;

/* The id of the message with this Message-ID: 0 or ERR_NOTFOUND. */
int store_message_find(int64_t *out, struct store *s,
		       const char *message_id) WARN_UNUSED;

/*
 * Load message id into out (MESSAGE_INIT or released), as it was stored
 * (see store_message_add() for what is kept; patch.files is empty). A
 * message stored without Message-ID comes back with "". Returns 0,
 * ERR_NOTFOUND (not reported) or an error; on error out is released.
 *
 * Every pointer in out is owned and allocated by the store: release it
 * with store_message_release(), which needs nothing but the struct
 * layouts (message_release() works as well, for code that links it).
 */
int store_message_load(struct message *out, struct store *s,
		       int64_t id) WARN_UNUSED;
/* Free everything in m and leave it as MESSAGE_INIT. */
void store_message_release(struct message *m);

/*
 * Keep raw mail that could not be parsed or hit a limit, with the reason
 * (a short text for the operator), its source and when it was received:
 * nothing is dropped. raw longer than STORE_UNPARSED_MAX_BYTES (bounds.h)
 * is cut there; the row keeps the original length.
 */
int store_unparsed_add(int64_t *out, struct store *s, const char *raw,
		       size_t len, const char *reason, const char *source,
		       int64_t received) WARN_UNUSED;

/* --- cursors --------------------------------------------------------- */

/*
 * Where a source stands (an IMAP "UIDVALIDITY:UID", an archive's last
 * commit id). get appends the value to out: 0 or ERR_NOTFOUND (not
 * reported). set replaces it; inside a transaction it becomes visible
 * with the data stored in the same transaction, never before.
 */
int store_cursor_get(struct buf *out, struct store *s,
		     const char *source) WARN_UNUSED;
int store_cursor_set(struct store *s, const char *source,
		     const char *value) WARN_UNUSED;

/* --- series ---------------------------------------------------------
 *
 * A series is one posting of one version of a piece of work: a cover
 * letter (optional) and its patches, or a pull request. series.c decides
 * what belongs together and what supersedes what; these functions only
 * keep it. Messages belong to a series through their series id (replies
 * too: they are the series' activity). Every lookup here is on an index
 * (store_check_plans() proves it), so that placing one message costs the
 * same in a store of a thousand messages and of ten million.
 */

struct store_series {
	int64_t id;
	char *title;	      /* owned: the cover's, else the lowest
				 numbered patch's */
	int version;
	struct person author; /* owned fields: of the posting the title
				 comes from */
	char *sent_from;      /* owned: the From address of its postings
				 (git send-email's sender; an in-body From
				 may name other authors); "" when none */
	char *list_id;	      /* owned or NULL */
	enum message_kind kind; /* MESSAGE_PATCH or MESSAGE_PULL */
	int total;	      /* patches expected; 0 when unknown */
	int received;	      /* distinct patch numbers received */
	int64_t cover;	      /* the cover letter's message id, or 0 */
	char *root;	      /* owned or NULL: the Message-ID its patches
				 thread to (cover, or patch 1) */
	bool rfc, resend;
	char *target;	      /* owned: evidence_target() of its prefixes */
	char *change_id;      /* owned or NULL: b4's change-id */
	int64_t first_date, last_date;
	int replies, reviews;
	int64_t created, updated;
};

#define STORE_SERIES_INIT {0}

/*
 * Add ser (every field but id) and give its id in *out. The title key is
 * computed from ser->title.
 */
int store_series_add(int64_t *out, struct store *s,
		     const struct store_series *ser) WARN_UNUSED;
/* Write every field of ser back to series ser->id. */
int store_series_update(struct store *s, const struct store_series *ser)
	WARN_UNUSED;
/*
 * Write back only what a posting or a reply changes when it leaves the
 * series' title, author, root, cover and change-id alone: version, total,
 * received, rfc, dates and activity (store_series_update_counts()), or
 * the activity alone (store_series_update_activity(): replies, reviews,
 * updated). Cheaper: the indexes on the other columns stay untouched.
 */
int store_series_update_counts(struct store *s, const struct store_series *ser)
	WARN_UNUSED;
int store_series_update_activity(struct store *s,
				 const struct store_series *ser) WARN_UNUSED;
/* Load series id into out (released first): 0 or ERR_NOTFOUND. */
int store_series_load(struct store_series *out, struct store *s, int64_t id)
	WARN_UNUSED;
void store_series_release(struct store_series *ser);
/* Delete series id (after its members moved elsewhere). */
int store_series_delete(struct store *s, int64_t id) WARN_UNUSED;

/* An array of row ids, owned (free(v)). */
struct store_ids {
	int64_t *v;
	size_t nr, alloc;
};

#define STORE_IDS_INIT {NULL, 0, 0}
void store_ids_release(struct store_ids *ids);

/* Series whose root is message_id, newest first. Appends to out. */
int store_series_by_root(struct store_ids *out, struct store *s,
			 const char *message_id) WARN_UNUSED;
/* Series carrying b4 change-id, oldest first. Appends to out. */
int store_series_by_change_id(struct store_ids *out, struct store *s,
			      const char *change_id) WARN_UNUSED;
/*
 * The newest max series whose title has the key of title
 * (store_title_key()), newest first. Appends to out.
 */
int store_series_by_title(struct store_ids *out, struct store *s,
			  const char *title, size_t max) WARN_UNUSED;
/*
 * The newest max series sent from address (sent_from), by their last
 * posting, newest first. Appends to out.
 */
int store_series_by_sender(struct store_ids *out, struct store *s,
			   const char *address, size_t max) WARN_UNUSED;
/*
 * Every series (all) or only those no other series supersedes (the
 * newest of each family), in id order. Appends to out.
 */
int store_series_list(struct store_ids *out, struct store *s, bool all)
	WARN_UNUSED;

/* What series assembly needs of a stored message, without its body. */
struct store_message_brief {
	int64_t id;
	int64_t series;	      /* 0: none yet */
	enum message_kind kind;
	int version, number, total; /* number, total: -1 when the subject
				       gave none */
	bool resend;
	char *message_id;     /* owned ("" when the mail had none) */
	char *in_reply_to;    /* owned or NULL */
	char *title;	      /* owned */
	struct person author; /* owned fields */
	char *from_address;   /* owned: the From header's address, or "" */
	int64_t date;
};

#define STORE_MESSAGE_BRIEF_INIT {0}

/* The brief of message id (released first): 0 or ERR_NOTFOUND. */
int store_message_brief(struct store_message_brief *out, struct store *s,
			int64_t id) WARN_UNUSED;
void store_message_brief_release(struct store_message_brief *b);

/* Put message id in series (0: in none). */
int store_message_set_series(struct store *s, int64_t id, int64_t series)
	WARN_UNUSED;
/*
 * The messages of a series, in order: cover first, then patches by
 * number, then replies by date (kind MESSAGE_REPLY), into *out (owned
 * array of *nr_out briefs; store_message_briefs_free()). Reads every
 * member: for showing a series, not for placing a message in one.
 */
int store_series_members(struct store_message_brief **out, size_t *nr_out,
			 struct store *s, int64_t series) WARN_UNUSED;
void store_message_briefs_free(struct store_message_brief *v, size_t nr);
/*
 * Does a posting (cover, patch or pull) of series other than message
 * self carry number? number -1 asks for postings whose subject gave no
 * number.
 */
int store_series_number_taken(bool *out, struct store *s, int64_t series,
			      int number, int64_t self) WARN_UNUSED;
/*
 * The lowest number of a patch (or pull) of series other than message
 * self, in *out (-1 for a patch whose subject gave none): 0, or
 * ERR_NOTFOUND when the series has no such patch.
 */
int store_series_lowest_patch(int *out, struct store *s, int64_t series,
			      int64_t self) WARN_UNUSED;

/*
 * The Message-ID of series' lowest numbered posting (its cover letter,
 * else its first patch) in *out (owned): 0, or ERR_NOTFOUND when the
 * series has none.
 */
int store_series_first_posting(char **out, struct store *s, int64_t series)
	WARN_UNUSED;

/* A patch's normalised title (store_title_key()) and its author. */
struct store_patch_title {
	int64_t series;	      /* the series it belongs to */
	int number;	      /* -1 when the subject gave none */
	char *key;	      /* owned */
	struct person author; /* owned fields */
};

/*
 * The patches (and pulls) of series, by number, into *out (owned array
 * of *nr_out; store_patch_titles_free()).
 */
int store_series_patch_titles(struct store_patch_title **out, size_t *nr_out,
			      struct store *s, int64_t series) WARN_UNUSED;
/*
 * At most max patches (or pulls) of any series but not_series whose
 * title key is key and whose author has this address (NULL or "": none
 * match), newest first, into *out (owned; store_patch_titles_free(); key
 * and author are not filled in). One index seek: the author's name is
 * not compared (a patch title retitled and sent from a new address is
 * beyond what patch titles tell).
 */
int store_patches_titled(struct store_patch_title **out, size_t *nr_out,
			 struct store *s, const char *key, const char *address,
			 int64_t not_series, size_t max) WARN_UNUSED;
void store_patch_titles_free(struct store_patch_title *v, size_t nr);

/*
 * Messages not in any series that reply to message_id, directly
 * (In-Reply-To) or further down (References). Appends to out; an id may
 * come twice.
 */
int store_orphans_replying_to(struct store_ids *out, struct store *s,
			      const char *message_id) WARN_UNUSED;
/*
 * The activity of a series, counted from its replies: replies, and the
 * Reviewed-by, Acked-by and Tested-by trailers they carry. Reads every
 * reply: series.c keeps the counts as messages arrive; this recounts.
 */
int store_series_activity(int *replies_out, int *reviews_out,
			  struct store *s, int64_t series) WARN_UNUSED;
/* How many Reviewed-by, Acked-by and Tested-by trailers message id has. */
int store_message_reviews(int *out, struct store *s, int64_t id) WARN_UNUSED;
/*
 * Who replied to a series: the authors of its replies, each once (by
 * address, ASCII case ignored), in the order of their first reply, the
 * series' own author and sender left out. *out is an owned array of
 * *nr_out persons (store_persons_free()).
 */
int store_series_repliers(struct person **out, size_t *nr_out,
			  struct store *s, int64_t series) WARN_UNUSED;
void store_persons_free(struct person *v, size_t nr);

/*
 * A Reviewed-by, Acked-by or Tested-by given in a reply, and the posting
 * it is given to, as b4 collects follow-up trailers: the posting the
 * reply answers, up its In-Reply-To chain (number 0: the cover letter,
 * which gives it to every patch).
 */
struct store_review {
	int number;	   /* of the posting answered; -1 none given */
	char *posting;	   /* owned: the posting's Message-ID, or NULL when
			      the chain leaves the series */
	char *name;	   /* owned: "Reviewed-by" ... */
	char *value;	   /* owned: "A U Thor <a@example.org>" */
	char *message_id;  /* owned: the reply that gives it */
};

/*
 * The review trailers of series' replies, by date of the reply, into
 * *out (owned array of *nr_out; store_reviews_free()).
 */
int store_series_reviews(struct store_review **out, size_t *nr_out,
			 struct store *s, int64_t series) WARN_UNUSED;
void store_reviews_free(struct store_review *v, size_t nr);

/* --- supersession ------------------------------------------------------ */

struct store_edge {
	int64_t old_series, new_series;
	char *evidence; /* owned: evidence_name() */
	char *detail;	/* owned or NULL: what was found, for readers */
};

/*
 * Record that new_series supersedes old_series because of evidence
 * (detail may be NULL). An edge already there takes the new evidence:
 * series.c decides which evidence is the stronger.
 */
int store_edge_add(struct store *s, int64_t old_series, int64_t new_series,
		   const char *evidence, const char *detail) WARN_UNUSED;
int store_edge_remove(struct store *s, int64_t old_series,
		      int64_t new_series) WARN_UNUSED;
/*
 * The edges into series (what it supersedes: superseding false) or out of
 * it (what supersedes it: true), into *out (owned; store_edges_free()).
 */
int store_edges(struct store_edge **out, size_t *nr_out, struct store *s,
		int64_t series, bool superseding) WARN_UNUSED;
void store_edges_free(struct store_edge *v, size_t nr);

/*
 * Links a series' postings make to other Message-IDs (a "Link to v3:",
 * a Supersedes: line, an In-Reply-To), kept so that the message, when it
 * arrives later (v3 before v2), can still be linked.
 */
int store_link_add(struct store *s, int64_t series, const char *message_id,
		   const char *evidence, int version) WARN_UNUSED;
struct store_link {
	int64_t series;
	char *message_id; /* owned */
	char *evidence;	  /* owned */
	int version;
};
/*
 * The links that name message_id, or with message_id NULL the links
 * series made, into *out (owned; store_links_free()).
 */
int store_links(struct store_link **out, size_t *nr_out, struct store *s,
		int64_t series, const char *message_id) WARN_UNUSED;
void store_links_free(struct store_link *v, size_t nr);

/* --- subscribers ----------------------------------------------------- */

enum store_subscriber_status {
	SUBSCRIBER_PENDING = 0, /* asked to subscribe, not confirmed yet */
	SUBSCRIBER_ACTIVE,
	SUBSCRIBER_PAUSED,
};

struct store_subscriber {
	int64_t id;
	char *address; /* owned */
	enum store_subscriber_status status;
	int64_t created;
	int64_t last_digest_at; /* 0: never */
	char *token;		/* owned or NULL: names them in
				   List-Unsubscribe and commands */
};

#define STORE_SUBSCRIBER_INIT {0, NULL, SUBSCRIBER_PENDING, 0, 0, NULL}

/*
 * Add a subscriber. Addresses compare without regard to ASCII case (RFC
 * 5321 2.4 allows a case-sensitive local part, but discourages relying
 * on it, and one mailbox must not hold two subscriptions). ERR_EXISTS
 * (not reported) when the address is there already.
 */
int store_subscriber_add(int64_t *out, struct store *s, const char *address,
			 enum store_subscriber_status status,
			 int64_t now) WARN_UNUSED;
/* Look a subscriber up by address into out (released first): 0 or
 * ERR_NOTFOUND (not reported). */
int store_subscriber_find(struct store_subscriber *out, struct store *s,
			  const char *address) WARN_UNUSED;
/* 0, or ERR_NOTFOUND (reported) when there is no subscriber id. */
int store_subscriber_set_status(struct store *s, int64_t id,
				enum store_subscriber_status status)
	WARN_UNUSED;
void store_subscriber_release(struct store_subscriber *sub);

/* --- rule files ------------------------------------------------------ */

enum store_rulefile_state {
	RULEFILE_PROPOSED = 0, /* waiting for confirmation */
	RULEFILE_ACTIVE,       /* the one in force (at most one) */
	RULEFILE_SUPERSEDED,   /* replaced, or a proposal never confirmed */
};

struct store_rulefile {
	int64_t id;
	int64_t subscriber;
	char *text; /* owned, verbatim as it arrived */
	size_t text_len;
	int64_t created;
	enum store_rulefile_state state;
	char *token_hash;      /* owned or NULL: hash of the confirmation
				  token (the token itself is never kept) */
	int64_t token_expires; /* 0 when no token */
};

#define STORE_RULEFILE_INIT                                  \
	{                                                    \
		0, 0, NULL, 0, 0, RULEFILE_PROPOSED, NULL, 0 \
	}

/*
 * Add a rule file to a subscriber's history: rf's subscriber, text,
 * text_len, created, state, token_hash and token_expires are stored; its
 * id goes to *out. ERR_PERM (reported) when the subscriber does not
 * exist; ERR_EXISTS (not reported) when an ACTIVE one is added beside
 * another ACTIVE one, or the token hash is in use.
 */
int store_rulefile_add(int64_t *out, struct store *s,
		       const struct store_rulefile *rf) WARN_UNUSED;
/*
 * Make rule file id the subscriber's active one, the previous active one
 * superseded, and forget id's token, in one transaction. 0 or
 * ERR_NOTFOUND (reported).
 */
int store_rulefile_activate(struct store *s, int64_t id) WARN_UNUSED;
/*
 * The proposed rule file whose confirmation token has the hash token_hash
 * (token.h token_hash()) into out (released first): 0 or ERR_NOTFOUND
 * (not reported; also when it was activated or withdrawn since). Whether
 * it expired is the caller's to check (token_expires).
 */
int store_rulefile_by_token(struct store_rulefile *out, struct store *s,
			    const char *token_hash) WARN_UNUSED;
/*
 * Withdraw every proposed rule file of a subscriber: superseded, its
 * token forgotten, so that it can no longer be confirmed (a newer
 * proposal replaces it, or it expired). *count_out (may be NULL) says
 * how many.
 */
int store_rulefile_withdraw(int64_t *count_out, struct store *s,
			    int64_t subscriber) WARN_UNUSED;
/*
 * A subscriber's rule-file history, newest first, at most max entries:
 * *out an owned array of *nr_out entries (store_rulefiles_free()).
 */
int store_rulefile_history(struct store_rulefile **out, size_t *nr_out,
			   struct store *s, int64_t subscriber,
			   size_t max) WARN_UNUSED;
void store_rulefile_release(struct store_rulefile *rf);
void store_rulefiles_free(struct store_rulefile *rfs, size_t nr);

/* --- outbox ---------------------------------------------------------- */

enum store_outbox_kind {
	OUTBOX_DIGEST = 0,
	OUTBOX_REPLY,
};

enum store_outbox_status {
	OUTBOX_QUEUED = 0,
	OUTBOX_SENT,
	OUTBOX_FAILED, /* given up: a permanent SMTP error */
};

struct store_outbox {
	int64_t id;
	int64_t subscriber; /* 0: none (a reply to a stranger) */
	enum store_outbox_kind kind;
	char *message_id;    /* owned: the outgoing mail's, without <> */
	char *envelope_from; /* owned */
	char *recipient;     /* owned */
	char *mail;	     /* owned: the whole rendered mail */
	size_t mail_len;
	int64_t created;
	unsigned attempts;
	int64_t next_attempt_at;
	enum store_outbox_status status;
	char *last_error; /* owned or NULL */
	int64_t sent_at;  /* 0 until sent */
};

#define STORE_OUTBOX_INIT \
	{                 \
		0         \
	}

/*
 * Queue o's subscriber, kind, message_id, envelope_from, recipient and
 * mail, due at once (created and next_attempt_at are now). ERR_EXISTS
 * (not reported) when a mail with that Message-ID is queued already.
 */
int store_outbox_enqueue(int64_t *out, struct store *s,
			 const struct store_outbox *o, int64_t now) WARN_UNUSED;
/*
 * The queued mail due first with next_attempt_at <= now into out
 * (released first): 0 or ERR_NOTFOUND (not reported).
 */
int store_outbox_next_due(struct store_outbox *out, struct store *s,
			  int64_t now) WARN_UNUSED;
/* When the earliest queued mail is due: 0 or ERR_NOTFOUND (not reported). */
int store_outbox_next_time(int64_t *out, struct store *s) WARN_UNUSED;
/* The SMTP server accepted mail id at time now. */
int store_outbox_mark_sent(struct store *s, int64_t id,
			   int64_t now) WARN_UNUSED;
/*
 * A sending attempt failed with error (a line for the operator): count
 * it, and retry at retry_at, or with retry_at 0 give up (status failed).
 */
int store_outbox_mark_failed(struct store *s, int64_t id, const char *error,
			     int64_t retry_at) WARN_UNUSED;
void store_outbox_release(struct store_outbox *o);
/*
 * Make every queued mail due at now, a deferred one's retry brought
 * forward (as postqueue -f does once a server is fixed); *count_out (may
 * be NULL) says how many were waiting.
 */
int store_outbox_retry_now(int64_t *count_out, struct store *s,
			   int64_t now) WARN_UNUSED;
/*
 * The newest mails of the outbox in status (with with_error, only those
 * with a last_error: for OUTBOX_QUEUED, the deferred ones), at most max,
 * newest first, without their bytes (mail NULL, mail_len 0): *out an
 * owned array of *nr_out (store_outboxes_free()).
 */
int store_outbox_list(struct store_outbox **out, size_t *nr_out,
		      struct store *s, enum store_outbox_status status,
		      bool with_error, size_t max) WARN_UNUSED;
void store_outboxes_free(struct store_outbox *v, size_t nr);

/* --- matches and digests ---------------------------------------------
 *
 * A match is (subscriber, series, rule): the series matched the rule of
 * the subscriber's rule file. Digests are built from the matches not yet
 * reported; the digest's outbox row and the marking of its matches are
 * one transaction, so a crash neither loses nor repeats a match.
 */

struct store_match {
	int64_t series;
	char *rule; /* owned */
	int64_t matched_at;
};

/* Record a match; one already there is left as it was. */
int store_match_add(struct store *s, int64_t subscriber, int64_t series,
		    const char *rule, int64_t now) WARN_UNUSED;
/*
 * A subscriber's matches not reported yet, oldest first, into *out
 * (owned; store_matches_free()).
 */
int store_matches_unreported(struct store_match **out, size_t *nr_out,
			     struct store *s, int64_t subscriber) WARN_UNUSED;
/*
 * Matches reported before whose series changed after since (new replies,
 * reviews, patches): the activity a digest reports again.
 */
int store_matches_active_since(struct store_match **out, size_t *nr_out,
			       struct store *s, int64_t subscriber,
			       int64_t since) WARN_UNUSED;
/* Mark the subscriber's matches made up to until as reported in outbox. */
int store_matches_mark_reported(struct store *s, int64_t subscriber,
				int64_t outbox, int64_t until) WARN_UNUSED;
void store_matches_free(struct store_match *v, size_t nr);

/*
 * The distinct sources (the names ingest_add() was given: "imap:...",
 * "archive:NAME/git/N.git", ...) of the messages of series, replies
 * included, sorted; *out is owned (store_strings_free()).
 */
int store_series_sources(char ***out, size_t *nr_out, struct store *s,
			 int64_t series) WARN_UNUSED;
void store_strings_free(char **v, size_t nr);

/* A stored cursor (store_cursor_get()); both strings owned. */
struct store_cursor {
	char *source;
	char *value;
};

/*
 * Every cursor whose source name starts with prefix (non-empty), by
 * name, into *out (owned; store_cursors_free()).
 */
int store_cursors_prefixed(struct store_cursor **out, size_t *nr_out,
			   struct store *s, const char *prefix) WARN_UNUSED;
void store_cursors_free(struct store_cursor *v, size_t nr);

/*
 * The tip (a commit id) archive stood at when subscriber's last digest
 * was made: get appends it to out, 0 or ERR_NOTFOUND (not reported); set
 * replaces it, in the digest's transaction. archive is a cursor name
 * ("archive:NAME"). Removed with the subscriber.
 */
int store_digest_tip_get(struct buf *out, struct store *s, int64_t subscriber,
			 const char *archive) WARN_UNUSED;
int store_digest_tip_set(struct store *s, int64_t subscriber,
			 const char *archive, const char *tip) WARN_UNUSED;

/* Series updated at or after since, oldest first. Appends to out. */
int store_series_updated_since(struct store_ids *out, struct store *s,
			       int64_t since) WARN_UNUSED;

/* Every subscriber, by id. Appends to out. */
int store_subscribers_all(struct store_ids *out, struct store *s)
	WARN_UNUSED;
/* Subscriber id into out (released first): 0 or ERR_NOTFOUND. */
int store_subscriber_load(struct store_subscriber *out, struct store *s,
			  int64_t id) WARN_UNUSED;
int store_subscriber_set_last_digest(struct store *s, int64_t id,
				     int64_t when) WARN_UNUSED;
/*
 * Remove a subscriber, their rule files and matches; mail already in the
 * outbox is kept (and still sent). 0 or ERR_NOTFOUND (reported).
 */
int store_subscriber_delete(struct store *s, int64_t id) WARN_UNUSED;
/* The subscriber with this token: 0 or ERR_NOTFOUND (not reported). */
int store_subscriber_by_token(struct store_subscriber *out, struct store *s,
			      const char *token) WARN_UNUSED;
/* How many subscribers there are, pending and paused ones included. */
int store_subscribers_count(int64_t *out, struct store *s) WARN_UNUSED;
/*
 * A number that changes whenever the rules in force may have (triggers
 * in the store keep it: a subscriber added, removed or whose status
 * changed; a rule file added, removed or whose state changed). A holder
 * of loaded subscriptions reloads them when it moved. 0 or an error.
 */
int store_subscriptions_generation(int64_t *out, struct store *s) WARN_UNUSED;
/*
 * Forget the subscriptions never confirmed: pending subscribers created
 * before created_before none of whose proposed rule files is still
 * waiting at now (token_expires after now), with their rule files.
 * *count_out (may be NULL) says how many went.
 */
int store_subscribers_expire(int64_t *count_out, struct store *s,
			     int64_t created_before, int64_t now) WARN_UNUSED;
/* Give a subscriber its token (token.h makes them). */
int store_subscriber_set_token(struct store *s, int64_t id, const char *token)
	WARN_UNUSED;
/*
 * The rule file in force for a subscriber into out (released first): 0
 * or ERR_NOTFOUND (none active).
 */
int store_rulefile_active(struct store_rulefile *out, struct store *s,
			  int64_t subscriber) WARN_UNUSED;

/* --- the command mail log -----------------------------------------------
 *
 * The command mails received from an address (in) and the replies sent
 * to one (out), with their times: what the rate limits of commands.h
 * (limits.commands-per-hour, replies-per-hour) count. Addresses compare
 * without regard to ASCII case, as subscribers' do.
 */

enum store_mail_direction {
	MAIL_LOG_IN = 0, /* a command mail from address */
	MAIL_LOG_OUT,	 /* a reply to address */
};

int store_mail_log_add(struct store *s, const char *address,
		       enum store_mail_direction dir, int64_t at) WARN_UNUSED;
/* How many entries of address in direction dir are at or after since. */
int store_mail_log_count(int64_t *out, struct store *s, const char *address,
			 enum store_mail_direction dir,
			 int64_t since) WARN_UNUSED;
/* Forget the entries from before before; *count_out (may be NULL). */
int store_mail_log_prune(int64_t *count_out, struct store *s,
			 int64_t before) WARN_UNUSED;

/* --- the whole store ------------------------------------------------- */

struct store_stats {
	int schema_version; /* of the file */
	int64_t messages, unparsed, series, supersessions;
	int64_t subscribers, rulefiles, matches;
	int64_t outbox_queued, outbox_sent, outbox_failed;
	int64_t cursors;
};

/* Row counts for `patchletter status`. */
int store_stats(struct store_stats *out, struct store *s) WARN_UNUSED;

/*
 * PRAGMA integrity_check and foreign_key_check over the whole file. 0
 * when both are clean, else ERR_FAIL with the first problems reported.
 * Reads every page: for tests and `patchletter status --check`, not for
 * the daemon's loop.
 */
int store_check_integrity(struct store *s) WARN_UNUSED;

/*
 * Every statement of the store reads and writes by index: EXPLAIN QUERY
 * PLAN shows no full scan of a table, except where a statement counts
 * rows on purpose (store_stats(), the checks). 0, or ERR_FAIL with each
 * offender reported. For the tests, so that a statement added later that
 * would scan a million messages fails them.
 */
int store_check_plans(struct store *s) WARN_UNUSED;

#endif
