/*
 * config.h: the operator's configuration, /etc/patchletter/patchletter.conf
 * (or the file given with -c), read with libconfuse into plain C values.
 * packaging/patchletter.conf is the annotated example: every option, its
 * default and why.
 *
 * The file's shape:
 *
 *   bot { address = "patchletter@example.org"  ... }   required, once
 *   list NAME { list-id = "..."  archive-url = "..." }  any number
 *   imap NAME { host = ...  user = ...  password-file = ... }  any number
 *   archive NAME { path = ... | url = ...  list = NAME }  any number
 *   smtp { url = "smtp://..."  ... }                    at most once
 *   maintainers { file = ... | git = ...  ref = ... }   at most once
 *   limits { ... }                                      at most once
 *
 * Errors: every error in the file is reported, all at once, one line
 * each, as "FILE:LINE: message" (cfgparse.h): unknown options (with a
 * "did you mean"), bad values, bad enumeration words, missing required
 * options, sections given twice, references to lists not defined, options
 * that exclude each other. Loading only reads the configuration file:
 * password files are read when they are needed, by config_read_secret().
 *
 * Environment variables: the operator's own file may use libconfuse's
 * ${VAR} and ${VAR:-default} in unquoted and double-quoted values, e.g.
 * password-file = "${CREDENTIALS_DIRECTORY}/imap" under systemd's
 * LoadCredential=. A variable that is not set is an error (libconfuse
 * would put the empty string, and "/imap" would pass for a path), unless
 * a default is given. Comments and single-quoted values are taken as
 * written. Rule files from subscribers never get this: see cfgparse.h.
 *
 * Transport security: TLS is the default everywhere; a connection without
 * TLS is made only when the section says tls = none.
 */
#ifndef PATCHLETTER_CONFIG_H
#define PATCHLETTER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "compat.h"
#include "log.h"

#define CONFIG_DEFAULT_PATH "/etc/patchletter/patchletter.conf"

/* How a connection is protected. */
enum config_tls {
	CONFIG_TLS_IMPLICIT, /* TLS from the first byte (imaps, smtps) */
	CONFIG_TLS_STARTTLS, /* plain, then STARTTLS, which must succeed */
	CONFIG_TLS_NONE,     /* no TLS at all: only when asked for */
};

/* "implicit", "starttls", "none": a static string. */
const char *config_tls_name(enum config_tls tls);

/*
 * Every string below is owned by the struct config holding it and freed
 * by config_release(); NULL means "not configured" where a comment says
 * so. Durations are in seconds.
 */

struct config_bot {
	char *address;	       /* where commands are mailed; From: of mail */
	char *name;	       /* display name in From: ("patchletter") */
	char *owner;	       /* human contact for help replies; NULL: none */
	char *state_dir;       /* the SQLite store and fetched archives */
	char *templates_dir;   /* digest and reply templates */
	char *unsubscribe_url; /* RFC 8058 one-click endpoint; NULL: none */
	enum log_level log_level;
};

struct config_list {
	char *name;	   /* the section's title; rule files use it */
	char *list_id;	   /* RFC 2919 List-Id, without "<>" */
	char *address;	   /* posting address; NULL: not given */
	char *archive_url; /* links: ARCHIVE/<message-id>; NULL: none */
};

struct config_imap {
	char *name; /* the section's title */
	char *host;
	unsigned int port; /* given, or 993 (implicit TLS) / 143 */
	enum config_tls tls;
	char *ca_file; /* NULL: the system's trust store */
	char *user;
	char *password_file; /* read with config_read_secret() */
	char **mailboxes;    /* at least one; default { "INBOX" } */
	size_t nmailboxes;
	bool read_only;		   /* EXAMINE, never change flags */
	unsigned int idle_secs;	   /* re-issue IDLE after this */
	unsigned int poll_secs;	   /* poll this often without IDLE */
	unsigned int batch_size;   /* messages per UID FETCH */
	unsigned int timeout_secs; /* connect and command timeout */
};

struct config_archive {
	char *name; /* the section's title */
	/*
	 * The public-inbox git repository read (one epoch). When only url
	 * is configured: STATE_DIR/archives/NAME.git, cloned and fetched
	 * from url.
	 */
	char *path;
	char *url;			/* fetch from here; NULL: local only */
	unsigned int fetch_secs;	/* fetch period; 0: never */
	const struct config_list *list; /* borrowed from config.lists */
};

struct config_smtp {
	char *url; /* smtp://HOST[:PORT] or smtps://; NULL: no smtp section */
	enum config_tls tls; /* implicit for smtps://, starttls or none */
	char *ca_file;	     /* NULL: the system's trust store */
	char *user;	     /* NULL: no authentication */
	char *password_file; /* set exactly when user is */
	char *envelope_from; /* MAIL FROM; default bot.address */
	unsigned int timeout_secs;
};

struct config_maintainers {
	char *file;		  /* a MAINTAINERS file; NULL: see git */
	char *git;		  /* a kernel git repository; NULL: see file */
	char *ref;		  /* with git: the commit to read it from */
	unsigned int reload_secs; /* re-read (file changed, ref moved) */
	/* file and git are both NULL when nothing was configured. */
};

struct config_limits {
	unsigned int subscribers;	 /* subscriptions, pending included */
	unsigned int commands_per_hour;	 /* from one address */
	unsigned int replies_per_hour;	 /* to one address */
	size_t digest_max_bytes;	 /* a digest is cut beyond this */
	unsigned int digest_max_series;	 /* series listed in one digest */
	unsigned int confirm_secs;	 /* an unconfirmed subscription lives */
	unsigned int outbox_expiry_secs; /* an unsent mail is retried */
};

struct config {
	char *path; /* the name the file was loaded under */
	struct config_bot bot;
	struct config_list *lists;
	size_t nlists;
	struct config_imap *imaps;
	size_t nimaps;
	struct config_archive *archives;
	size_t narchives;
	struct config_smtp smtp;
	struct config_maintainers maintainers;
	struct config_limits limits;
};

/*
 * Load the configuration file at path (NULL: CONFIG_DEFAULT_PATH) into
 * *out. Returns 0, or on failure appends every error to errors, one
 * "FILE:LINE: message\n" each (or "FILE: message\n" for the file as a
 * whole), leaves *out empty (config_release() is still safe) and returns
 * ERR_PERM (the file is wrong), ERR_NOTFOUND (no such file), ERR_LIMIT
 * (larger than CONFIG_MAX_BYTES) or ERR_FAIL (it cannot be read). Nothing
 * is logged: the caller prints errors.
 */
int config_load(struct config *out, const char *path,
		struct buf *errors) WARN_UNUSED;

/* The same for len bytes of text; name is used in messages and as path. */
int config_load_buf(struct config *out, const char *name, const char *text,
		    size_t len, struct buf *errors) WARN_UNUSED;

/* Free everything *c owns and leave it empty. */
void config_release(struct config *c);

/* The list with this name, or NULL. Borrowed from c. */
const struct config_list *config_list_by_name(const struct config *c,
					      const char *name);
/* The list with this List-Id (case-insensitive, "<>" optional), or NULL. */
const struct config_list *config_list_by_id(const struct config *c,
					    const char *list_id);

/*
 * Read a password file into out (appended; the caller wipes it with
 * config_secret_release()): its first line, without the line end. As
 * msmtp does, the file is refused when group or others have any access
 * to it, when it is not owned by this user (or root), when it is not a
 * regular file, when it is larger than SECRET_MAX_BYTES, when the line is
 * empty or holds a NUL byte. Errors are logged once ("config: PATH: ...",
 * never the secret) and returned: ERR_NOTFOUND, ERR_PERM (refused),
 * ERR_LIMIT (too large), ERR_FAIL (cannot read).
 */
int config_read_secret(struct buf *out, const char *path) WARN_UNUSED;

/* Overwrite a secret's bytes before freeing them. */
void config_secret_release(struct buf *secret);

#endif
