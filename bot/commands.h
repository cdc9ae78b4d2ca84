/*
 * commands.h: the commands mailed to the bot, and what they change. One
 * function takes one parsed mail (from `patchletter deliver`, or from the
 * daemon's IMAP loop) and, in ONE store transaction, changes what the
 * command asks and queues the replies in the outbox: a crash leaves
 * either both or neither.
 *
 * Nothing an impostor can change: every change needs proof that the mail
 * came from the subscriber's address, a token mailed to that address
 * earlier. Mail is easy to forge, so a From field proves nothing alone:
 *   - subscribe (a new subscription or new rules) only stores a proposal
 *     and mails its confirmation token to the sender; the proposal takes
 *     effect when "confirm TOKEN" comes back FROM THE SAME ADDRESS
 *     (double opt-in), before limits.confirm-timeout. The token is 128
 *     random bits, used once; the store keeps only its SHA-256
 *     (token.h). A newer proposal withdraws the older ones. The rules in
 *     force stay until a confirmation;
 *   - unsubscribe, pause and resume act only with the subscriber's token
 *     (the one of List-Unsubscribe, in every digest); without it, the
 *     bot mails the token to the subscriber's address with the exact
 *     command to send back. With it they act whoever sends them, as
 *     List-Unsubscribe (RFC 2369, RFC 8058) must work from a mail
 *     program's button whatever address that program sends from;
 *   - show, preview and help change nothing.
 * Replies go to the From address of the command and nowhere else: never
 * to Reply-To, Sender, or an address in the body. A forged command thus
 * mails the forged address, who can ignore it, and changes nothing.
 *
 * Abuse limits, before a command is read:
 *   - no answer at all to what autoreply.h refuses (loops, bounces,
 *     automatic and list mail);
 *   - limits.commands-per-hour commands from one sender in the last hour
 *     (the mail log); more are dropped without a word;
 *   - limits.replies-per-hour replies to one address in the last hour; a
 *     command that could only be answered (help, show, preview, a
 *     subscribe that needs a confirmation mail) is dropped when none is
 *     left; one that acts (confirm, a token's unsubscribe) still acts;
 *   - a mail over COMMAND_MAX_BYTES (bounds.h) is answered with a short
 *     note and not read;
 *   - limits.subscribers subscriptions, pending ones included;
 *   - subscriptions never confirmed are forgotten after
 *     limits.confirm-timeout, and the mail log keeps an hour.
 * Replies carry Auto-Submitted: auto-replied, In-Reply-To the command,
 * and the bot's X-Loop (replies.h).
 */
#ifndef PATCHLETTER_COMMANDS_H
#define PATCHLETTER_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "command.h"
#include "compat.h"

struct config;
struct maintainers;
struct message;
struct store;
struct tpl_dir;

/* The window the rate limits count in. */
#define COMMANDS_RATE_WINDOW_SECS 3600

struct commands {
	struct store *st;		       /* borrowed */
	const struct config *cfg;	       /* borrowed */
	const struct tpl_dir *templates;       /* borrowed */
	const struct maintainers *maintainers; /* borrowed, may be NULL:
						  sections are then not
						  checked */
	/*
	 * Set when a subscription changed (rules confirmed, paused,
	 * resumed, removed): the daemon then rebuilds its subscriptions
	 * (subscriptions_load()). The caller clears it.
	 */
	bool changed;
};

enum commands_status {
	COMMANDS_DONE = 0,  /* handled: acted and/or answered, as it asked */
	COMMANDS_IGNORED,   /* not answered: autoreply.h's verdict, or a
			       sender address mail cannot go to */
	COMMANDS_THROTTLED, /* over limits.commands-per-hour: dropped */
};

/* What became of one mail, for the log and the command line. */
struct commands_result {
	enum commands_status status;
	enum command_verb verb;
	unsigned replies; /* queued in the outbox */
	char what[200];	  /* one line: "subscribe: confirmation sent" */
};

/*
 * Handle mail m (parsed by message_parse(); len: the raw mail's size) as
 * a command to the bot, received at now, and log one line saying what
 * became of it. *out (may be NULL) says it too. Returns 0 whatever the
 * mail was, or the store's error (nothing of it was kept: ERR_TEMP means
 * try the mail again later). It opens its own transaction; called
 * inside one (the daemon's batch of a mailbox), it writes into that one
 * and leaves the commit, or after an error the rollback, to the caller.
 * A preview reads the week's series in that transaction, so
 * it holds the store's write lock as long as the matching takes.
 */
int commands_handle(struct commands_result *out, struct commands *c,
		    const struct message *m, size_t len,
		    int64_t now) WARN_UNUSED;

/*
 * RFC 8058 one-click unsubscription, for the operator's web endpoint
 * (`patchletter unsubscribe TOKEN`): remove the subscriber whose token
 * (their List-Unsubscribe token) this is, and mail them a line saying so
 * (within limits.replies-per-hour). 0, ERR_NOTFOUND (no subscriber has
 * that token; not reported) or the store's error.
 */
int commands_unsubscribe_token(struct commands_result *out, struct commands *c,
			       const char *token, int64_t now) WARN_UNUSED;

#endif
