/*
 * autoreply.h: may the bot answer this mail? The checks an automatic
 * responder owes the rest of the mail system (RFC 3834), made before a
 * command is read: a bot that answers bounces, auto-replies, list mail or
 * itself makes loops and backscatter. Pure: a parsed mail in, a verdict
 * out.
 *
 * No answer, in this order (the first that holds is the verdict):
 *   - no From address at all;
 *   - our own mail come back (a loop): From is the bot's address or its
 *     envelope sender, the Message-ID is one of ours
 *     ("patchletter.*@" the bot's domain: compose_message_id()), an
 *     X-Loop names the bot (compose.h puts one on every reply), or the
 *     Return-Path is our envelope sender;
 *   - a bounce: a null Return-Path "<>" (RFC 5321 4.5.5: the reverse path
 *     of notifications), a multipart/report (RFC 6522: delivery status,
 *     read receipts), or a sender that is a program, not a person:
 *     MAILER-DAEMON, postmaster, LISTSERV, majordomo, owner-*, *-request,
 *     *-bounces (the names vacation responders skip: RFC 5230 4.6,
 *     Dovecot Pigeonhole's vacation);
 *   - automatic mail: Auto-Submitted with any value but "no" (RFC 3834
 *     2, 5);
 *   - list mail: List-Id or any List-* field (RFC 2919, RFC 2369), or
 *     Precedence bulk, list or junk (RFC 3834 2 names it).
 */
#ifndef PATCHLETTER_AUTOREPLY_H
#define PATCHLETTER_AUTOREPLY_H

struct mail;

enum autoreply_verdict {
	AUTOREPLY_OK = 0,    /* a person wrote it: it may be answered */
	AUTOREPLY_NO_SENDER, /* no From address */
	AUTOREPLY_LOOP,	     /* our own mail, come back */
	AUTOREPLY_BOUNCE,    /* a delivery report, or from a mailer daemon */
	AUTOREPLY_AUTOMATIC, /* Auto-Submitted other than "no" */
	AUTOREPLY_LIST,	     /* list or bulk mail */
};

/* Who the bot is. Borrowed strings. */
struct autoreply_self {
	const char *address;	   /* bot.address */
	const char *envelope_from; /* smtp.envelope-from; NULL: address */
};

enum autoreply_verdict autoreply_check(const struct mail *m,
				       const struct autoreply_self *self);

/* A few words for the log ("a bounce"), static. */
const char *autoreply_reason(enum autoreply_verdict v);

#endif
