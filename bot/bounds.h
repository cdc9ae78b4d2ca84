/*
 * bounds.h: every size and count limit in one place (curl keeps its limits
 * in one table). Input from mail and rule files is untrusted: each limit
 * here caps what a stranger can make the bot allocate or compute. When a
 * limit is hit the module says so in one log line and the input is kept
 * as "unparsed" or refused, never silently dropped.
 */
#ifndef PATCHLETTER_BOUNDS_H
#define PATCHLETTER_BOUNDS_H

/* Mail. lore's largest patch mails are a few MiB; 64 MiB is generous. */
#define MAIL_MAX_BYTES (64u << 20)
#define MAIL_MAX_HEADERS 2000	    /* header fields in one mail */
#define MAIL_MAX_HEADER_BYTES (1u << 20) /* the whole header block */
#define MAIL_MAX_MIME_DEPTH 16	    /* nested multiparts */
#define MAIL_MAX_MIME_PARTS 512	    /* parts in one mail */
#define MAIL_MAX_REFERENCES 512	    /* Message-IDs kept from References */
#define MAIL_MAX_ID_BYTES 998	    /* RFC 5322 line limit, for one msg-id */
#define MAIL_MAX_SUBJECT_BYTES 4096 /* decoded Subject kept */
#define MAIL_MAX_RECIPIENTS 1000    /* To, Cc, Delivered-To addresses kept */
#define MAIL_MAX_LOOPS 16	    /* X-Loop fields kept */
#define MAIL_MAX_BODY_BYTES (64u << 20)
/* Work sizes of the parser and the mbox reader, bounding their memory. */
#define MAIL_CHARCONV_CHUNK (256u << 10) /* one iconv call (6x output) */
#define MAIL_PATCH_SNIFF_BYTES (1u << 20) /* octet-stream searched for a diff */
#define MBOX_READ_CHUNK (1u << 20)	  /* read(); longer lines come in pieces */

/* Patch anatomy. */
#define PATCH_MAX_FILES 20000	 /* paths touched by one patch */
#define PATCH_MAX_TRAILERS 1000	 /* trailer lines kept from one mail */
#define PATCH_MAX_TRAILER_BYTES 1024 /* one trailer's value, unfolded */
#define PATCH_MAX_PATH_BYTES 4096	/* one path; git's PATH_MAX */

/* Subject tags. */
#define SUBJECT_MAX_PREFIXES 16
#define SUBJECT_MAX_NUMBER 99999 /* a bigger "v123456" or "1/123456" is
				    not a version or counter: a prefix */

/* Rule files arrive by mail from strangers. */
#define RULEFILE_MAX_BYTES (64u << 10)
#define RULEFILE_MAX_RULES 64
#define RULEFILE_MAX_PATTERNS 512 /* values of all criteria, all rules */
#define RULEFILE_MAX_PATTERN_BYTES 256
#define RULEFILE_MAX_NAME_BYTES 64 /* a rule's title, echoed in digests */
/* A shorter keyword would match nearly every diff. */
#define RULEFILE_MIN_KEYWORD_BYTES 3
/* digest { max-size }: a subscriber may ask for less than the operator's
 * limit, never for a digest too small to hold one series. */
#define RULEFILE_MIN_DIGEST_BYTES (4u << 10)
#define RULEFILE_MAX_DIGEST_BYTES (8u << 20)
#define RULEFILE_MAX_MIN_REVIEWS 1000 /* min-reviews: no series gets more */
#define TZDB_MAX_NAME 64 /* "America/Argentina/ComodRivadavia" is 32 */

/*
 * Series assembly (series.c). Threads, families and titles come from
 * strangers' mail: these bound the work one message can cause.
 */
#define SERIES_MAX_ANCESTORS 64	   /* In-Reply-To and References walked */
#define SERIES_FAMILY_MAX 256	   /* series one supersession walk visits */
#define SERIES_TITLE_CANDIDATES 64 /* series of one title compared */
#define SERIES_TITLE_MATCHES_MAX 64 /* patches of one title compared */
#define SERIES_REVIEW_CHAIN_MAX 64  /* replies walked up to their patch */

/* The store. */
#define STORE_BUSY_TIMEOUT_MS 5000 /* wait for another process's lock */
#define STORE_UNPARSED_MAX_BYTES MAIL_MAX_BYTES /* raw mail kept unparsed */

/*
 * Templates (template.h). Operators write them, so these only make a
 * mistake (a runaway recursive partial, a huge file) fail cleanly.
 */
#define TPL_MAX_BYTES (1u << 20)	   /* one template's text */
#define TPL_MAX_NESTING 32		   /* sections inside sections */
#define TPL_MAX_PARTIAL_DEPTH 16	   /* partials inside partials */
#define TPL_MAX_OUTPUT_BYTES (8u << 20) /* one render: past any sane digest */
#define TPL_DIR_MAX_FILES 256		   /* templates in one directory */
/*
 * MAINTAINERS comes from the kernel tree (trusted), but is bounded all the
 * same; the pattern limits also bound what one glob or regex may cost.
 */
#define MAINTAINERS_MAX_BYTES (32u << 20) /* the 2026 file is under 1 MiB */
#define MAINTAINERS_MAX_LINES 1000000u
#define GLOB_MAX_BYTES 1024   /* one path pattern; also its token count */
#define PERLRE_MAX_BYTES 1024 /* one N: or K: regex */

/*
 * public-inbox archives (archive.h). A batch is what one store
 * transaction takes; the walk keeps one window of commit ids in memory
 * (plus one id per window) whatever the history's length.
 */
#define ARCHIVE_BATCH_COMMITS 1000	     /* commits per cursor move */
#define ARCHIVE_BATCH_BYTES (64u << 20)     /* message bytes per batch */
#define ARCHIVE_WALK_SEGMENT 4096	     /* commits read back at a time */
#define ARCHIVE_MAX_EPOCHS 10000	     /* git/N.git folders of one inbox */
#define ARCHIVE_MAX_NAME_BYTES 200	     /* an archive's name in cursors */
#define ARCHIVE_MAX_REF_BYTES 4096	     /* HEAD, a ref file, a packed-refs line */

/* The IMAP source (imap.h): one batch is one transaction. */
#define IMAP_MAX_BATCH 10000		    /* mails in one batch */
#define IMAP_BATCH_MAX_BYTES MAIL_MAX_BYTES /* their bodies; one at least */

/* TLS: certificates a server may present in its chain (tls.h). */
#define TLS_MAX_CHAIN 16

/* Operator configuration and mail commands. */
#define CONFIG_MAX_BYTES (1u << 20)
/*
 * Errors collected from one configuration or rule file before giving up:
 * enough to show everything wrong with a real file, few enough that the
 * re-parse after each syntax error (cfgparse.c) stays cheap.
 */
#define CONFIG_MAX_ERRORS 50
/* Durations (a year) and sizes (1 TiB) a configuration value may name. */
#define CONFIG_MAX_DURATION_SECS (366L * 24 * 3600)
#define CONFIG_MAX_SIZE_BYTES (1LL << 40)
/* Messages asked for in one IMAP UID FETCH (imap.batch-size). */
#define CONFIG_MAX_IMAP_BATCH 10000
/* A password file (config_read_secret): a line, not a document. */
#define SECRET_MAX_BYTES 4096
#define COMMAND_MAX_BYTES (256u << 10)
/* Series a preview (preview.h) matches: a busy week of every list on
 * lore is a few thousand; the newest are kept past this. */
#define PREVIEW_MAX_SERIES 20000

/*
 * A STATUS= line for the service manager (notify.h). systemd reads a
 * notification datagram into a PIPE_BUF (4096) buffer and drops longer
 * ones; a status line is for `systemctl status`, a glance.
 */
#define NOTIFY_STATUS_MAX_BYTES 1024

/*
 * Outgoing mail (compose.h, mailer.h, outbox.h). A composed mail is at
 * most about 3.1 times its body (quoted-printable) plus its headers.
 */
#define COMPOSE_MAX_BODY_BYTES (64u << 20) /* text and HTML together: the
						largest digest-max-bytes */
#define COMPOSE_MAX_TEXT_BYTES 4096	  /* a Subject or a display name */
#define COMPOSE_MAX_ADDRESS_BYTES 254	  /* RFC 5321 4.5.3.1.3 path, less <> */
#define COMPOSE_MAX_URL_BYTES 900	  /* a List-Unsubscribe URL: one line */
#define COMPOSE_MAX_ID_BYTES 900	  /* a Message-ID we write: one line */
#define COMPOSE_MAX_TOKEN_BYTES 128	  /* an unsubscribe token */
#define MAILER_ERROR_MAX_BYTES 512	  /* a failure, with the server's reply */
/*
 * Mails sent over one SMTP connection before it is closed and a new one
 * opened: below the 1000 of Exim's smtp_accept_max_per_connection, so a
 * long batch never meets a server's "421 too many messages".
 */
#define MAILER_MAILS_PER_CONNECTION 500
/*
 * Retrying a mail the server deferred (4xx, no connection): one minute,
 * doubling, at most an hour apart, until limits.outbox-expiry.
 */
#define OUTBOX_RETRY_MIN_SECS 60
#define OUTBOX_RETRY_MAX_SECS 3600
/* Failed and deferred mails `patchletter status` lists, each kind. */
#define OUTBOX_STATUS_MAX_LISTED 20

#endif
