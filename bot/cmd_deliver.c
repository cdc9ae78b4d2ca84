/*
 * cmd_deliver.c: the bot's mail entry points on the command line.
 *
 * `patchletter deliver` takes ONE mail on standard input, what an MTA's
 * pipe transport, procmail or a .forward hands over, and routes it as
 * deliver.h says: list mail is stored, a command handled (its replies
 * queued in the outbox), anything else ignored. A way to run the bot
 * without IMAP: the MTA delivers, a timer runs `patchletter send`.
 *
 * `patchletter unsubscribe TOKEN` is RFC 8058's one-click for the
 * operator's web endpoint: the POST to the List-Unsubscribe URL carries
 * the subscriber's token, and the endpoint (a CGI, a web hook) runs this.
 *
 * Exit codes are for the MTA: 0 when the mail was taken care of (stored,
 * answered, or deliberately ignored: the MTA may drop it), 75
 * (EX_TEMPFAIL) when it was not because of something that is not the
 * mail's fault (the store busy or unwritable, the configuration or the
 * templates unreadable): the MTA keeps it and tries again later.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "bounds.h"
#include "buf.h"
#include "cli.h"
#include "commands.h"
#include "compose.h"
#include "config.h"
#include "deliver.h"
#include "err.h"
#include "log.h"
#include "message.h"
#include "maintainers.h"
#include "maintainers_source.h"
#include "replies.h"
#include "store.h"
#include "template_dir.h"
#include "token.h"

/* What the commands need, loaded from the configuration. */
struct session {
	struct config cfg;
	struct store *st;
	struct tpl_dir *templates;
	struct maintainers *m;
	struct commands commands;
};

static void session_release(struct session *s)
{
	maintainers_free(s->m);
	tpl_dir_free(s->templates);
	store_close(s->st);
	config_release(&s->cfg);
}

/*
 * Load the templates and MAINTAINERS the commands need. A sysexits code:
 * every failure is EX_TEMPFAIL, so that an MTA keeps the mail meanwhile.
 */
static int session_commands(struct session *s, const struct cli_globals *g)
{
	struct buf errors = BUF_INIT;
	int ex = 0, rc;

	if (tpl_dir_load(&s->templates, cli_templates_dir(g, &s->cfg),
			 &errors) ||
	    replies_check_templates(s->templates, &errors)) {
		fputs(errors.data, stderr);
		ex = EX_CONFIG;
	}
	if (ex == 0) {
		/* Section names in rule files are checked against it. */
		rc = maintainers_source_load(&s->m, NULL, &s->cfg.maintainers,
					     &errors);
		if (rc && rc != ERR_NOTFOUND)
			ex = EX_UNAVAILABLE;
	}
	if (ex == 0) {
		s->commands.st = s->st;
		s->commands.cfg = &s->cfg;
		s->commands.templates = s->templates;
		s->commands.maintainers = s->m;
	}
	buf_release(&errors);
	return ex == 0 ? 0 : EX_TEMPFAIL;
}

/*
 * Load the configuration and open the store, and with commands what the
 * commands need. A sysexits code: every failure is EX_TEMPFAIL.
 */
static int session_open(struct session *s, const struct cli_globals *g,
			bool commands)
{
	int ex;

	ex = cli_config(&s->cfg, g);
	if (ex == 0)
		ex = cli_store(&s->st, g, &s->cfg, true);
	if (ex == 0 && commands)
		ex = session_commands(s, g);
	return ex == 0 ? 0 : EX_TEMPFAIL;
}

/*
 * Read standard input into out, at most max bytes; *over is set, and the
 * rest read and dropped, when there is more (an MTA must see its pipe
 * drained). A sysexits code.
 */
static int read_stdin(struct buf *out, size_t max, bool *over)
{
	char chunk[65536];
	ssize_t n;

	*over = false;
	for (;;) {
		n = read(STDIN_FILENO, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_warn("deliver: standard input");
			return EX_TEMPFAIL;
		}
		if (n == 0)
			return 0;
		if (*over)
			continue;
		if (out->len + (size_t)n > max)
			*over = true;
		else
			buf_add(out, chunk, (size_t)n);
	}
}

int cmd_deliver(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"recipient", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	struct message m = MESSAGE_INIT;
	struct session s;
	struct deliver d;
	struct deliver_result res;
	struct buf raw = BUF_INIT;
	const char *recipient = NULL;
	bool over;
	int opt, ex, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'r')
			return EX_USAGE;
		recipient = optarg;
	}
	if (optind != argc) {
		fprintf(stderr, "patchletter deliver: the mail comes on "
				"standard input; no arguments expected\n");
		return EX_USAGE;
	}
	if (recipient && !compose_address_valid(recipient)) {
		fprintf(stderr,
			"patchletter deliver: --recipient '%s' is not "
			"an address\n",
			recipient);
		return EX_USAGE;
	}
	ex = read_stdin(&raw, MAIL_MAX_BYTES, &over);
	if (ex)
		goto out_raw;
	if (over) {
		/* Neither a command nor list mail the store would keep. */
		log_warnx("deliver: a mail over %u bytes: ignored",
			  MAIL_MAX_BYTES);
		goto out_raw;
	}
	memset(&s, 0, sizeof(s));
	ex = session_open(&s, g, false);
	if (ex == 0) {
		deliver_classify(&res, &m, &s.cfg, raw.data, raw.len,
				 recipient);
		/* What commands need is loaded for commands only: list mail
		 * comes far more often. */
		if (res.route == DELIVER_COMMAND)
			ex = session_commands(&s, g);
	}
	if (ex == 0) {
		d.st = s.st;
		d.cfg = &s.cfg;
		d.commands = &s.commands;
		rc = deliver_dispatch(&res, &d, &m, raw.data, raw.len,
				      "deliver", (int64_t)time(NULL));
		if (rc)
			ex = EX_TEMPFAIL;
	}
	message_release(&m);
	session_release(&s);
out_raw:
	buf_release(&raw);
	return ex;
}

int cmd_unsubscribe(const struct cli_globals *g, int argc, char **argv)
{
	struct commands_result res;
	struct session s;
	int ex, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: patchletter unsubscribe TOKEN\n");
		return EX_USAGE;
	}
	if (!token_valid(argv[1])) {
		fprintf(stderr, "patchletter unsubscribe: not a token\n");
		return EX_DATAERR;
	}
	memset(&s, 0, sizeof(s));
	ex = session_open(&s, g, true);
	if (ex == 0) {
		rc = commands_unsubscribe_token(&res, &s.commands, argv[1],
						(int64_t)time(NULL));
		if (rc == 0) {
			printf("%s\n", res.what);
		} else if (rc == ERR_NOTFOUND) {
			fprintf(stderr, "patchletter unsubscribe: no "
					"subscriber has that token\n");
			ex = EX_NOUSER;
		} else {
			ex = EX_TEMPFAIL;
		}
	}
	session_release(&s);
	return ex;
}
