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
#define MAIL_MAX_BODY_BYTES (64u << 20)

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

#endif
