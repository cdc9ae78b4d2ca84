/*
 * mailer.h: hand composed mail (compose.h) to the SMTP submission server
 * of the configuration's smtp section, with libcurl. The only module that
 * includes curl's headers.
 *
 * Transport security (curl's docs/examples/smtp-tls.c, "TLS required,
 * never try"): smtp:// sends STARTTLS and gives up unless it succeeds
 * (CURLUSESSL_ALL); smtps:// is TLS from the first byte; plain SMTP only
 * with tls = none. The server's certificate and host name are always
 * verified, against ca-file when one is configured, else the system's
 * trust store. With user and password-file, curl authenticates with the
 * best mechanism the server offers (AUTH PLAIN, LOGIN, ...).
 *
 * One connection for many mails: the mailer keeps one curl easy handle,
 * and libcurl keeps its connection open between transfers, so a batch
 * costs one connect, one TLS handshake and one AUTH; each mail is one
 * SMTP transaction (MAIL FROM, RCPT TO, DATA). After
 * MAILER_MAILS_PER_CONNECTION mails, and on mailer_disconnect(), the
 * connection is closed with QUIT and the next mail opens a new one.
 *
 * One recipient per mail: an outbox row is one mail to one recipient, so
 * a 5xx for one recipient fails that mail alone and never holds up the
 * others, and no RCPT-level result needs mapping back to recipients.
 * (libcurl's way for several recipients, CURLOPT_MAIL_RCPT_ALLOWFAILS,
 * is spelt CURLOPT_MAIL_RCPT_ALLLOWFAILS in Debian 12's 7.88 and was
 * renamed in 8.2; with it a transfer succeeds when any recipient is
 * accepted and says nothing of which were refused.)
 *
 * What a failure means (the result's code and connection flag):
 *   ERR_TEMP, connection: the server could not be used at all: no
 *       connection, a timeout, TLS refused or not offered, the
 *       certificate not trusted, the greeting or EHLO refused, AUTH
 *       refused, a 421, or MAIL FROM refused for any reason but the
 *       mail's size (our sender address: every mail would meet the same
 *       answer). Nothing is wrong with this mail; stop sending for now.
 *   ERR_TEMP: the server answered 4xx for this mail, or the connection
 *       broke during its transaction. Retry it later.
 *   ERR_PERM: the server refused this mail with 5xx (RCPT TO, DATA, the
 *       reply after the data, or 552 to MAIL FROM). Never retry it.
 * The server's reply is kept for the operator in the result's error,
 * with where it came: "RCPT TO: 550 5.1.1 <bob@...>: unknown user".
 *
 * The duplicate window (RFC 1047): a mail the server accepted with 250
 * but whose 250 never reached us (the connection broke just then) is
 * reported ERR_TEMP and will be sent again. Nothing on the client side
 * can close that window; the stable Message-ID lets readers see a copy.
 */
#ifndef PATCHLETTER_MAILER_H
#define PATCHLETTER_MAILER_H

#include <stdbool.h>
#include <stddef.h>

#include "bounds.h"
#include "compat.h"

struct config_smtp;
struct mailer;

/* The outcome of one mailer_send(). */
struct mailer_result {
	int code;	 /* the last SMTP reply code (RFC 5321 4.2), 0: none */
	bool connection; /* the failure was the server's or the
			    connection's, not this mail's */
	/*
	 * "" on success; else one line for the operator: where it failed
	 * and the server's reply, or curl's reason when there was none.
	 * The server's bytes are escaped (log_escape()).
	 */
	char error[MAILER_ERROR_MAX_BYTES];
};

/*
 * A mailer for the smtp section cfg (borrowed for the mailer's life),
 * into *out (owned; mailer_free()). The password file is read now (and
 * kept, wiped when freed); nothing is sent until the first mail.
 * Returns 0, ERR_PERM (no smtp section, or the password file is refused)
 * or config_read_secret()'s errors; each reported once.
 */
int mailer_new(struct mailer **out, const struct config_smtp *cfg) WARN_UNUSED;

/* Say QUIT, close the connection, free everything; m may be NULL. */
void mailer_free(struct mailer *m);

/*
 * Send one mail (len bytes, RFC 5322 with CRLF line ends) from the
 * envelope sender from to the one recipient rcpt. Returns 0 once the
 * server accepted it (250 after the data), ERR_TEMP or ERR_PERM as
 * described above, with *out filled in either way. Both addresses must
 * pass compose_address_valid() (else ERR_PERM: nothing is sent), so
 * nothing can be smuggled into the SMTP commands. Not logged: the
 * caller logs the result with the mail's ids.
 */
int mailer_send(struct mailer_result *out, struct mailer *m, const char *from,
		const char *rcpt, const char *mail, size_t len) WARN_UNUSED;

/*
 * Close the connection (QUIT) now rather than keep it open: at the end
 * of a batch, so that the server does not hold an idle client (RFC 5321
 * 4.5.3.2.7 lets it drop one after 5 minutes). The next mailer_send()
 * connects again.
 */
void mailer_disconnect(struct mailer *m);

#endif
