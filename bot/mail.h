/*
 * mail.h: one RFC 5322 / MIME mail as bytes, understood: the headers a list
 * reader needs, decoded to UTF-8, and the plain-text body. This module is
 * the only one that sees libetpan's mail types.
 *
 * What it does, as git mailinfo and patchwork do:
 *  - headers unfolded (a line break and the white space around it become
 *    one space); RFC 2047 encoded words (Q and B, any charset libetpan's
 *    charconv knows, white space between adjacent words dropped as RFC
 *    2047 6.2 says, a character split across words kept whole) decoded;
 *    raw 8-bit header bytes taken as UTF-8 when valid, else as Latin-1;
 *    NULs dropped and other control characters turned into spaces;
 *  - the body: the text/plain parts of single and multipart mail (mixed,
 *    alternative, nested; in multipart/alternative the text/plain version,
 *    never the HTML), in order, plus parts that carry a patch as an
 *    attachment (text/x-patch, text/x-diff, application/octet-stream
 *    named *.patch or *.diff, or whose content holds a diff); transfer
 *    encodings undone; charsets converted (a body without a charset is
 *    UTF-8 if it has UTF-8 in it, else Latin-1); invalid bytes replaced with
 *    U+FFFD, NULs dropped, CRLF turned into LF, and a final line end added.
 *    message/rfc822 parts (a forwarded mail is not its sender's text),
 *    HTML, images and signatures are left out; a mail with no text part
 *    has an empty body;
 *  - when the body carries a patch (a line git mailinfo takes for the
 *    start of one: "diff -", "Index: ", "---"), git am's rules: in-body
 *    From:, Date: and Subject: lines at the top of the body are taken out
 *    and kept apart, and, as `git am --scissors`, the text above a
 *    scissors line ("-- >8 --") of the commit message is taken out of the
 *    body and kept apart (in-body headers are then read below it; a reply
 *    may hold trailers above it). A mail without a patch keeps its
 *    body whole and reports no in-body headers (git reports them only
 *    with a patch, so a reply that quotes a header block keeps its author).
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
	struct person from;   /* the From header (first mailbox); fields ""
				 when absent */
	char *subject;	      /* owned, unfolded and decoded; "" none */

	/*
	 * Headers the command and abuse logic look at; NULL when absent,
	 * "" when present without an address.
	 */
	char *sender;	      /* owned: Sender address */
	char *reply_to;	      /* owned: first Reply-To address */
	char *return_path;    /* owned: Return-Path address ("" for <>) */
	char *auto_submitted; /* owned: Auto-Submitted value, decoded */
	char *precedence;     /* owned: Precedence value, decoded */
	bool has_list_headers; /* any List-* header */
	char **recipients;     /* owned: the addresses of every To, Cc and
				  Delivered-To field, in order, at most
				  MAIL_MAX_RECIPIENTS (the rest dropped) */
	size_t nr_recipients;
	char **loops; /* owned: every X-Loop field's address (or
			 text), at most MAIL_MAX_LOOPS */
	size_t nr_loops;
	bool is_report; /* the mail is multipart/report (RFC 6522):
			   a bounce, a read receipt, an abuse report */

	char *body;	      /* owned, UTF-8, NUL-terminated, LF line ends */
	size_t body_len;
	/*
	 * The first text/plain part sent as an attachment (Content-
	 * Disposition: attachment, or a file name given; RFC 2183), decoded
	 * as the body is and ending in a line end: a rule file mailed to
	 * the bot. It is in body too, where it was in the mail. Owned,
	 * NUL-terminated; NULL when none.
	 */
	char *attachment;
	size_t attachment_len;

	/* In-body headers found at the top of the body (and removed). */
	struct person inbody_from; /* fields NULL when none (or no address) */
	char *inbody_subject;	   /* owned or NULL */
	int64_t inbody_date;	   /* 0 when none or unreadable */
	char *above_scissors;	   /* owned: the text a scissors line cut off
				      the body (UTF-8, LF); NULL when none */
};

#define MAIL_INIT {0}

/*
 * Parse raw (len bytes, a whole mail with headers; LF or CRLF; an mbox
 * "From " line before the header is skipped) into out, which must be
 * MAIL_INIT or released. Returns
 *   0         understood (odd parts repaired and logged at debug level)
 *   ERR_LIMIT a bounds.h limit was hit: the mail is over MAIL_MAX_BYTES,
 *             MAIL_MAX_HEADERS or MAIL_MAX_HEADER_BYTES (the header read
 *             so far is kept, the body is not read), its MIME tree over
 *             MAIL_MAX_MIME_DEPTH or MAIL_MAX_MIME_PARTS or its text over
 *             MAIL_MAX_BODY_BYTES (the text read so far is kept), its
 *             References over MAIL_MAX_REFERENCES (the first ones kept)
 *             or its Message-ID over MAIL_MAX_ID_BYTES (message_id "");
 *             out holds what was read, one warning naming the Message-ID
 *             was logged, and the caller stores the mail as unparsed
 *   ERR_PERM  not a mail at all (no header field could be read); out is
 *             left released
 * Subjects are cut at MAIL_MAX_SUBJECT_BYTES (at a character boundary).
 */
int mail_parse(struct mail *out, const char *raw, size_t len);
void mail_release(struct mail *m);

/*
 * Parse the first mailbox of s ("Name <addr>", "addr (Name)", a quoted or
 * RFC 2047 name, a group's first member) into out (owned fields, "" when
 * missing; the name as git mailinfo shows it: quotes taken off, comments
 * kept). 0, or ERR_PERM when no address is there (out is set all the
 * same: name = the decoded text, address = "").
 */
int mail_parse_mailbox(struct person *out, const char *s, size_t len);

/*
 * Parse an RFC 5322 date, tolerating what real lists carry (missing day
 * name, two- and three-digit years as RFC 5322 4.3 reads them, named
 * zones, no zone (UTC), asctime() and ISO 8601 order, comments and junk
 * around). Returns seconds since the epoch UTC in *out, 0 on success,
 * ERR_PERM (and *out = 0) when no valid date is there.
 */
int mail_parse_date(int64_t *out, const char *s, size_t len);

/*
 * Decode a header value: unfolded, RFC 2047 words to UTF-8, raw bytes as
 * UTF-8 or Latin-1, NULs dropped, control characters made spaces, the
 * ends trimmed. Returns an owned string.
 */
char *mail_decode_header(const char *s, size_t len);

#endif
