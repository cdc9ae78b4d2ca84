/*
 * deliver.c: route one mail to ingest or to the commands.
 */
#include <string.h>
#include <strings.h>

#include "config.h"
#include "deliver.h"
#include "err.h"
#include "ingest.h"
#include "log.h"
#include "mail.h"
#include "message.h"

static bool same_address(const char *a, const char *b)
{
	return a && b && *a && !strcasecmp(a, b);
}

/* The configured list whose posting address a is, or NULL. */
static const struct config_list *list_by_address(const struct config *cfg,
						 const char *a)
{
	size_t i;

	for (i = 0; a && i < cfg->nlists; i++)
		if (same_address(cfg->lists[i].address, a))
			return &cfg->lists[i];
	return NULL;
}

enum deliver_route deliver_route(const char **why_out, const struct mail *m,
				 const struct config *cfg,
				 const char *recipient)
{
	size_t i;

	/* List mail first: a list post that also names the bot (a Cc, a
	 * forwarded copy) is never a command (RFC 2919's List-Id). */
	if (m->list_id && config_list_by_id(cfg, m->list_id)) {
		*why_out = "the List-Id of a configured list";
		return DELIVER_LIST;
	}
	if (list_by_address(cfg, recipient)) {
		*why_out = "sent to a configured list's address";
		return DELIVER_LIST;
	}
	for (i = 0; i < m->nr_recipients; i++) {
		if (list_by_address(cfg, m->recipients[i])) {
			*why_out = "addressed to a configured list";
			return DELIVER_LIST;
		}
	}
	if (recipient) {
		*why_out = same_address(recipient, cfg->bot.address)
				   ? "sent to the bot's address"
				   : "sent to an address the bot is not";
		return same_address(recipient, cfg->bot.address)
			       ? DELIVER_COMMAND
			       : DELIVER_IGNORE;
	}
	for (i = 0; i < m->nr_recipients; i++) {
		if (same_address(m->recipients[i], cfg->bot.address)) {
			*why_out = "addressed to the bot";
			return DELIVER_COMMAND;
		}
	}
	*why_out = m->list_id ? "the List-Id of a list not configured"
			      : "addressed neither to the bot nor to a list";
	return DELIVER_IGNORE;
}

static int deliver_list(struct deliver *d, const char *raw, size_t len,
			const char *source)
{
	struct ingest ing;
	int rc;

	ingest_init(&ing, d->st);
	rc = ingest_add(&ing, raw, len, source);
	if (rc == 0)
		rc = ingest_commit(&ing, NULL, NULL);
	else
		ingest_abort(&ing);
	return rc;
}

void deliver_classify(struct deliver_result *out, struct message *m,
		      const struct config *cfg, const char *raw, size_t len,
		      const char *recipient)
{
	memset(out, 0, sizeof(*out));
	if (message_parse(m, raw, len) == ERR_PERM) {
		/* Not a mail: list mail keeps it (as unparsed) all the same. */
		if (recipient && list_by_address(cfg, recipient)) {
			out->route = DELIVER_LIST;
			out->why = "sent to a configured list's address";
		} else {
			out->route = DELIVER_IGNORE;
			out->why = "not a mail";
		}
		return;
	}
	out->route = deliver_route(&out->why, &m->mail, cfg, recipient);
}

int deliver_dispatch(struct deliver_result *out, struct deliver *d,
		     const struct message *m, const char *raw, size_t len,
		     const char *source, int64_t now)
{
	const char *mid = m->mail.message_id ? m->mail.message_id : "";
	char id[128];
	int rc = 0;

	log_escape(id, sizeof(id), mid, strlen(mid));
	switch (out->route) {
	case DELIVER_LIST:
		rc = deliver_list(d, raw, len, source);
		if (rc == 0)
			log_info("deliver: <%s>: list mail (%s): stored", id,
				 out->why);
		break;
	case DELIVER_COMMAND:
		if (!d->commands) {
			log_info("deliver: <%s>: a command, but commands are "
				 "not handled here: ignored",
				 id);
			break;
		}
		rc = commands_handle(&out->cmd, d->commands, m, len, now);
		break;
	case DELIVER_IGNORE:
		log_info("deliver: <%s>: ignored: %s", id, out->why);
		break;
	}
	return rc;
}

int deliver_mail(struct deliver_result *out, struct deliver *d, const char *raw,
		 size_t len, const char *recipient, const char *source,
		 int64_t now)
{
	struct deliver_result scratch;
	struct message m = MESSAGE_INIT;
	int rc;

	if (!out)
		out = &scratch;
	deliver_classify(out, &m, d->cfg, raw, len, recipient);
	rc = deliver_dispatch(out, d, &m, raw, len, source, now);
	message_release(&m);
	return rc;
}
