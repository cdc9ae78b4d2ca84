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
#define PATCH_MAX_TRAILER_BYTES 1024

/* Subject tags. */
#define SUBJECT_MAX_PREFIXES 16

/* Rule files arrive by mail from strangers. */
#define RULEFILE_MAX_BYTES (64u << 10)
#define RULEFILE_MAX_RULES 64
#define RULEFILE_MAX_PATTERNS 512 /* values of all criteria, all rules */
#define RULEFILE_MAX_PATTERN_BYTES 256

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

/* The IMAP source (imap.h): one batch is one transaction. */
#define IMAP_MAX_BATCH 10000		    /* mails in one batch */
#define IMAP_BATCH_MAX_BYTES MAIL_MAX_BYTES /* their bodies; one at least */

/* TLS: certificates a server may present in its chain (tls.h). */
#define TLS_MAX_CHAIN 16

/* Operator configuration and mail commands. */
#define CONFIG_MAX_BYTES (1u << 20)
#define COMMAND_MAX_BYTES (256u << 10)

#endif
