/*
 * mail.h: one RFC 5322 / MIME mail as bytes, understood: the headers a list
 * reader needs, decoded to UTF-8, and the plain-text body. This module is
 * the only one that sees libetpan's mail types.
 *
 * What it does, as git mailinfo and patchwork do:
 *  - headers unfolded; RFC 2047 encoded words (Q and B, any charset
 *    libetpan's charconv knows, adjacent words joined) decoded; raw 8-bit
 *    header bytes taken as UTF-8 when valid, else as Latin-1;
 *  - the body: the text/plain parts of single and multipart mail (mixed,
 *    alternative, nested), plus parts that carry a patch as an attachment
 *    (text/x-patch, text/x-diff, application/octet-stream named *.patch
 *    or *.diff, or whose content is a diff); transfer encodings undone;
 *    charsets converted; invalid bytes replaced with U+FFFD;
 *  - in-body From:, Date: and Subject: lines at the top of the body (git
 *    am's rule) taken out of the body and kept apart.
 */
#ifndef PATCHLETTER_MAIL_H
#define PATCHLETTER_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "person.h"

struct mail {
	char *message_id;     /* owned, without <>; "" when absent */
	char *in_reply_to;    /* owned, first msg-id without <>; NULL none */
	char **references;    /* owned, without <>, in order */
	size_t nr_references;
	char *list_id;	      /* owned, the id inside <...>; NULL none */
	int64_t date;	      /* seconds since the epoch, UTC; 0 unknown */
	struct person from;   /* the From header (first mailbox) */
	char *subject;	      /* owned, unfolded and decoded; "" none */

	/* Headers the command and abuse logic look at; NULL when absent. */
	char *sender;	      /* owned: Sender address */
	char *reply_to;	      /* owned: first Reply-To address */
	char *return_path;    /* owned: Return-Path address ("" for <>) */
	char *auto_submitted; /* owned: Auto-Submitted value */
	char *precedence;     /* owned: Precedence value */
	bool has_list_headers; /* any List-* header */

	char *body;	      /* owned, UTF-8, NUL-terminated */
	size_t body_len;

	/* In-body headers found at the top of the body (and removed). */
	struct person inbody_from; /* fields NULL when none */
	char *inbody_subject;	   /* owned or NULL */
	int64_t inbody_date;	   /* 0 when none */
};

#define MAIL_INIT {0}

/*
 * Parse raw (len bytes, a whole mail with headers; LF or CRLF) into out,
 * which must be MAIL_INIT or released. Returns
 *   0         understood (odd parts repaired and logged at debug level)
 *   ERR_LIMIT a bounds.h limit was hit (size, header count, MIME depth):
 *             out holds what was read before it, and the caller stores
 *             the mail as unparsed
 *   ERR_PERM  not a mail at all (no header could be read)
 */
int mail_parse(struct mail *out, const char *raw, size_t len);
void mail_release(struct mail *m);

/*
 * Parse one mailbox ("Name <addr>", "addr (Name)", RFC 2047 in the name)
 * into out (owned fields). 0, or ERR_PERM when no address is there.
 */
int mail_parse_mailbox(struct person *out, const char *s, size_t len);

/*
 * Parse an RFC 5322 date, tolerating what real lists carry (missing day
 * name, two-digit years, named zones, junk after the zone). Returns
 * seconds since the epoch UTC in *out, 0 on success, ERR_PERM otherwise.
 */
int mail_parse_date(int64_t *out, const char *s, size_t len);

/*
 * Decode a header value: RFC 2047 words to UTF-8, raw bytes as UTF-8 or
 * Latin-1, unfolded. Returns an owned string.
 */
char *mail_decode_header(const char *s, size_t len);

#endif
