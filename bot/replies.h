/*
 * replies.h: the bot's answers to commands, as mail. A template of the
 * templates directory (NAME.txt: help, confirmation, welcome, error,
 * show, preview, notice) is rendered with the caller's values and the
 * bot's own (bot_name, bot_address, owner, recipient), its prose lines
 * wrapped for mail readers (wrap.h, 72 columns; indented lines such as
 * quoted rule files stay as they are), and composed (compose.h) as a
 * reply: text/plain only, Auto-Submitted: auto-replied (RFC 3834 5.1),
 * In-Reply-To and References the command's Message-ID, X-Loop the bot's
 * address, to the one address given and no other.
 */
#ifndef PATCHLETTER_REPLIES_H
#define PATCHLETTER_REPLIES_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compat.h"

struct config;
struct tdata;
struct tpl_dir;

struct replies {
	const struct tpl_dir *templates; /* borrowed */
	const struct config *cfg; /* borrowed: bot.address, name, owner */
};

/* One reply. Strings borrowed for the call. */
struct reply {
	const char *name;	 /* the template: NAME.txt */
	struct tdata *data;	 /* a tdata object root, borrowed; the bot's
				    values are set in it */
	const char *to;		 /* where it goes: the command's sender */
	const char *subject;	 /* UTF-8 */
	const char *in_reply_to; /* the command's Message-ID; NULL, "" or
				    one compose cannot write: none */
	int64_t date;
};

/*
 * Check that templates has every reply template (help.txt,
 * confirmation.txt, welcome.txt, error.txt, show.txt, preview.txt,
 * notice.txt), so that an operator's own directory copied from an older
 * version fails when loaded rather than leave commands unanswered. Each
 * one missing is appended to errors as "NAME.txt: missing (...)". 0 or
 * ERR_NOTFOUND.
 */
int replies_check_templates(const struct tpl_dir *templates,
			    struct buf *errors) WARN_UNUSED;

/*
 * Render rep's template into out (appended): the text of the reply, its
 * prose wrapped. 0, ERR_NOTFOUND (no such template; reported) or the
 * renderer's error.
 */
int replies_render(struct buf *out, const struct replies *r,
		   const struct reply *rep) WARN_UNUSED;

/*
 * The whole reply mail (RFC 5322, CRLF line ends) appended to out, and
 * its Message-ID, "patchletter.reply.RANDOM@" the bot's domain (owned,
 * without <>), in *id_out. 0, or the error of the renderer, compose or
 * the random source (reported); *id_out is NULL then.
 */
int replies_compose(struct buf *out, char **id_out, const struct replies *r,
		    const struct reply *rep) WARN_UNUSED;

#endif
