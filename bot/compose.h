/*
 * compose.h: an outgoing mail (a digest, a reply) as the RFC 5322 bytes
 * the outbox keeps and the mailer sends. Pure: values in, bytes out.
 *
 * Why our own builder and not libcurl's MIME API (curl_mime_*): the
 * outbox commits the whole mail before it is sent (DESIGN.md, "Data
 * flow"), so that a retry after a crash or a 4xx sends the very same
 * bytes: the same Message-ID and Date, the same body. libcurl renders a
 * curl_mime only while it uploads it, so the bytes could not be kept;
 * and for SMTP it always wraps the top level in multipart/mixed, even
 * around a single text part. Headers need our own encoding anyway (RFC
 * 2047 words, folding, the injection checks below): libcurl copies
 * header strings as they are.
 *
 * What a mail gets:
 *   Message-ID, Date (UTC), From, To, Subject, optional In-Reply-To and
 *   References, Auto-Submitted (RFC 3834), Precedence: bulk, optional
 *   X-Loop, List-Id
 *   (RFC 2919), List-Unsubscribe with a per-subscriber mailto: and,
 *   when a URL is configured, an https: one with List-Unsubscribe-Post:
 *   List-Unsubscribe=One-Click (RFC 2369, RFC 8058), MIME-Version, and
 *   a text/plain; charset=utf-8 body, or multipart/alternative with an
 *   HTML part after it when one is given (RFC 2046 5.1.4: the plainest
 *   first).
 *
 * Encoding:
 *   - every line ends in CRLF; header lines are folded at spaces to stay
 *     within 78 characters where a space allows it and never pass 998
 *     (RFC 5322 2.1.1);
 *   - a Subject or display name that is not plain printable ASCII (or
 *     looks like an encoded word) becomes RFC 2047 Q-encoded UTF-8
 *     words of at most 75 characters, split between characters, never
 *     inside one;
 *   - a body part is 7bit when it is ASCII without NUL or lone CR and
 *     every line fits in 998 octets, else quoted-printable (RFC 2045
 *     6.7). Never 8bit: libcurl cannot announce BODY=8BITMIME in MAIL
 *     FROM, and RFC 6152 3 forbids 8-bit data without it.
 *
 * No header injection: free text (Subject, display names) that came from
 * mail or a rule file has CR, LF and TAB turned into spaces and every
 * other control character (C0, DEL, C1) into U+FFFD before encoding, so
 * no byte of it can end a header line; bytes that are not UTF-8 are
 * replaced by U+FFFD. Structured values (addresses, Message-IDs, the
 * List-Id, the unsubscribe token and URL) are checked against their
 * grammar and the mail is refused when one does not fit: they are never
 * "repaired" into something else.
 */
#ifndef PATCHLETTER_COMPOSE_H
#define PATCHLETTER_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compat.h"

/*
 * One mail. Strings are borrowed for the call; NULL (or "") leaves an
 * optional header out.
 */
struct compose_mail {
	const char *message_id;	  /* required, without <>; see below */
	int64_t date;		  /* the Date, seconds since the epoch */
	const char *from_name;	  /* optional display name, UTF-8 */
	const char *from_address; /* required */
	const char *to_address;	  /* required */
	const char *subject;	  /* UTF-8 */
	const char *in_reply_to;  /* optional Message-ID, without <> */
	/* "auto-generated" (NULL) or "auto-replied" (RFC 3834 5). */
	const char *auto_submitted;
	/* optional X-Loop address: the bot's, on replies to commands */
	const char *loop_address;
	const char *list_id;   /* optional RFC 2919 list-id, without <> */
	const char *list_name; /* optional phrase before the list-id */
	/*
	 * List-Unsubscribe: a mailto: to unsubscribe_address with Subject
	 * "unsubscribe TOKEN", and unsubscribe_url?token=TOKEN when the URL
	 * is given (with List-Unsubscribe-Post). Without an address and a
	 * token (a reply to a stranger) the header is left out; a URL
	 * without them is an error.
	 */
	const char *unsubscribe_address;
	const char *unsubscribe_token; /* [A-Za-z0-9_-], the subscriber's */
	const char *unsubscribe_url;   /* https:// */
	const char *text;	       /* the text/plain body, UTF-8 */
	size_t text_len;
	const char *html; /* optional text/html alternative, UTF-8 */
	size_t html_len;
};

/*
 * Append the mail to out. Returns 0, ERR_PERM (a required value missing,
 * or a structured value that does not fit its grammar or its bounds.h
 * limit: reported once as "compose: <Message-ID>: ...") or ERR_LIMIT
 * (text and HTML past COMPOSE_MAX_BODY_BYTES, or out's cap; reported).
 * On error out is as it was. A Subject or display name longer than
 * COMPOSE_MAX_TEXT_BYTES is cut there, between characters: a stranger's
 * long series title must not stop a digest.
 */
int compose_mail(struct buf *out, const struct compose_mail *m) WARN_UNUSED;

/*
 * A stable Message-ID (without <>) for the mail of kind ("digest",
 * "reply", letters, digits and dashes) to subscriber id for the period
 * or event at time when, in the domain of from_address:
 * "patchletter.KIND.SUBSCRIBER.YYYYMMDDTHHMMSSZ@DOMAIN". Computing it
 * twice for the same digest gives the same id, so a digest queued twice
 * is refused by the outbox as a duplicate and readers can drop a copy.
 * Appends to out; 0 or ERR_PERM (reported) when from_address has no
 * usable domain or kind holds other characters.
 */
int compose_message_id(struct buf *out, const char *kind, int64_t subscriber,
		       int64_t when, const char *from_address) WARN_UNUSED;

/*
 * Is s a Message-ID (without <>) compose_mail() writes in Message-ID and
 * In-Reply-To: printable ASCII without "<>" and spaces, with an '@', at
 * most COMPOSE_MAX_ID_BYTES? A stranger's Message-ID that is not gets no
 * In-Reply-To rather than no reply.
 */
bool compose_message_id_valid(const char *s);

/*
 * Is s an address we put in a header and in the SMTP envelope: a
 * dot-atom local part, "@", a dot-atom domain (RFC 5322 3.4.1), printable
 * ASCII only, at most COMPOSE_MAX_ADDRESS_BYTES? Quoted local parts and
 * address literals are refused: RFC 5321 4.1.2 discourages them and a
 * subscriber has no need of them.
 */
bool compose_address_valid(const char *s);

/*
 * The RFC 5322 date-time of t in UTC, "Tue, 01 Dec 2026 07:00:00 +0000",
 * with English names whatever the locale. Appends to out.
 */
void compose_date(struct buf *out, int64_t t);

#endif
