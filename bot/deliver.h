/*
 * deliver.h: one mail handed to the bot, and where it goes. What an
 * MTA's pipe transport (`patchletter deliver`, procmail, a .forward) and
 * the daemon's IMAP loop both do with each mail of the bot's mailbox:
 *
 *   - list mail goes to ingest (ingest.h): mail carrying the List-Id of a
 *     configured list, or addressed (To, Cc, or the envelope recipient)
 *     to a configured list's posting address. It is never a command,
 *     whatever it says;
 *   - mail to the bot's address (the envelope recipient when the caller
 *     knows it, else To, Cc or Delivered-To) goes to the command handler
 *     (commands.h), which decides whether to answer it at all;
 *   - anything else is ignored, with a log line.
 */
#ifndef PATCHLETTER_DELIVER_H
#define PATCHLETTER_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "commands.h"
#include "compat.h"

struct config;
struct mail;
struct message;
struct store;

enum deliver_route {
	DELIVER_IGNORE = 0,
	DELIVER_LIST,	 /* ingest it */
	DELIVER_COMMAND, /* a command to the bot */
};

/*
 * Where m goes under configuration cfg (borrowed); recipient is the
 * envelope recipient when the caller knows it (an MTA's pipe), else
 * NULL. *why_out (static text) says why, for the log.
 */
enum deliver_route deliver_route(const char **why_out, const struct mail *m,
				 const struct config *cfg,
				 const char *recipient);

struct deliver {
	struct store *st;	   /* borrowed */
	const struct config *cfg;  /* borrowed */
	struct commands *commands; /* borrowed; NULL: commands are not
				      handled (logged and ignored) */
};

/* What became of one mail. */
struct deliver_result {
	enum deliver_route route;
	const char *why;	    /* static: the routing's reason */
	struct commands_result cmd; /* DELIVER_COMMAND: its outcome */
};

/*
 * Take raw (len bytes, one mail) received at now from source (kept with
 * list mail: "deliver", "imap:lists/INBOX"), route it and hand it on:
 * list mail is stored (or kept raw as unparsed) in a transaction of its
 * own, a command handled. One log line says what became of it. Returns
 * 0 (stored, handled or ignored: the mail may be dropped) or the store's
 * ERR_TEMP / ERR_FAIL (nothing of it was kept: offer it again later).
 * Call it outside any store transaction.
 *
 * The same in two steps, for a caller that loads what commands need
 * only when a command comes (`patchletter deliver`): deliver_classify()
 * parses raw into m (MESSAGE_INIT; the caller releases it) and sets
 * out's route and reason; deliver_dispatch() then does the rest.
 */
int deliver_mail(struct deliver_result *out, struct deliver *d, const char *raw,
		 size_t len, const char *recipient, const char *source,
		 int64_t now) WARN_UNUSED;
void deliver_classify(struct deliver_result *out, struct message *m,
		      const struct config *cfg, const char *raw, size_t len,
		      const char *recipient);
int deliver_dispatch(struct deliver_result *out, struct deliver *d,
		     const struct message *m, const char *raw, size_t len,
		     const char *source, int64_t now) WARN_UNUSED;

#endif
