/*
 * replies.c: answers to commands, rendered and composed.
 */
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "config.h"
#include "err.h"
#include "replies.h"
#include "template.h"
#include "template_dir.h"
#include "token.h"
#include "wrap.h"
#include "xalloc.h"

int replies_check_templates(const struct tpl_dir *templates, struct buf *errors)
{
	static const char *const names[] = {"help",  "confirmation", "welcome",
					    "error", "show",	     "preview",
					    "notice"};
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (tpl_dir_get(templates, names[i], TPL_TEXT))
			continue;
		buf_addf(errors,
			 "%s.txt: missing (a reply to commands; copy it from "
			 "the templates this version installs)\n",
			 names[i]);
		rc = ERR_NOTFOUND;
	}
	return rc;
}

int replies_render(struct buf *out, const struct replies *r,
		   const struct reply *rep)
{
	const struct tpl *t = tpl_dir_get(r->templates, rep->name, TPL_TEXT);
	struct buf text = BUF_INIT;
	int rc;

	if (!t)
		return errorf(ERR_NOTFOUND, "replies: no template %s.txt",
			      rep->name);
	tdata_set_str(rep->data, "bot_name",
		      r->cfg->bot.name ? r->cfg->bot.name : "patchletter");
	tdata_set_str(rep->data, "bot_address", r->cfg->bot.address);
	if (r->cfg->bot.owner)
		tdata_set_str(rep->data, "owner", r->cfg->bot.owner);
	tdata_set_str(rep->data, "recipient", rep->to);
	rc = tpl_render(&text, t, rep->data, TPL_TEXT);
	if (rc == 0)
		rc = wrap_text(out, text.data, text.len, 0);
	buf_release(&text);
	return rc;
}

int replies_compose(struct buf *out, char **id_out, const struct replies *r,
		    const struct reply *rep)
{
	const char *domain = strrchr(r->cfg->bot.address, '@');
	struct compose_mail cm;
	struct buf text = BUF_INIT;
	char token[TOKEN_CHARS + 1];
	char *id = NULL;
	int rc;

	*id_out = NULL;
	if (!domain)
		return errorf(ERR_PERM, "replies: bot address %s has no domain",
			      r->cfg->bot.address);
	rc = token_new(token);
	if (rc)
		return rc;
	/* Random, not by time: two replies in one second must differ, and
	 * the outbox refuses a Message-ID it has. */
	id = xasprintf("patchletter.reply.%s%s", token, domain);
	rc = replies_render(&text, r, rep);
	if (rc == 0) {
		memset(&cm, 0, sizeof(cm));
		cm.message_id = id;
		cm.date = rep->date;
		cm.from_name = r->cfg->bot.name;
		cm.from_address = r->cfg->bot.address;
		cm.to_address = rep->to;
		cm.subject = rep->subject;
		if (rep->in_reply_to && *rep->in_reply_to &&
		    compose_message_id_valid(rep->in_reply_to))
			cm.in_reply_to = rep->in_reply_to;
		cm.auto_submitted = "auto-replied";
		cm.loop_address = r->cfg->bot.address;
		cm.text = text.data;
		cm.text_len = text.len;
		rc = compose_mail(out, &cm);
	}
	buf_release(&text);
	if (rc) {
		free(id);
		return rc;
	}
	*id_out = id;
	return 0;
}
