/*
 * cli.c: the table of subcommands and their help.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "store.h"

const struct cli_command cli_commands[] = {
	{"run", "run the daemon: watch the lists, send digests",
	 "usage: patchletter run [--foreground]\n"
	 "\n"
	 "  --foreground  log to standard error (journald takes it) rather\n"
	 "                than to syslog\n"
	 "\n"
	 "Watches the IMAP mailboxes (IDLE) and archives of the\n"
	 "configuration, stores and assembles their mail, matches it\n"
	 "against the subscribers' rules, and sends each subscriber's\n"
	 "digest when their schedule says. The process does not detach.\n"
	 "SIGTERM stops it after the batch in flight; SIGHUP re-reads the\n"
	 "templates, MAINTAINERS and the rules in force.\n",
	 cmd_run},
	{"ingest", "store mail from an mbox, a Maildir or an archive",
	 "usage: patchletter ingest [--mboxo] PATH...\n"
	 "\n"
	 "  PATH      an mbox (mboxrd unless --mboxo), a Maildir, a file\n"
	 "            holding one mail, or - for an mbox on standard input\n"
	 "  --mboxo   the mbox quotes only \">From \" lines (mboxo)\n"
	 "\n"
	 "Mail seen before (by Message-ID) is counted, not stored twice;\n"
	 "mail that cannot be parsed is kept raw as unparsed.\n",
	 cmd_ingest},
	{"show", "print what the parser understood of a mail",
	 "usage: patchletter show [--json] FILE|-\n"
	 "\n"
	 "  --json    one JSON object per message (JSON Lines)\n"
	 "\n"
	 "FILE may hold one mail, an mbox or a Maildir.\n",
	 cmd_show},
	{"series", "list patch series and their state",
	 "usage: patchletter series [--all] [--json]\n"
	 "\n"
	 "  --all     every series, not only the newest of each family\n"
	 "  --json    one JSON object per series (JSON Lines)\n",
	 cmd_series},
	{"digest", "render a digest to stdout without sending it",
	 "usage: patchletter digest [--since DATE] [--list NAME] [--html]\n"
	 "       patchletter digest [--mail | --html] ADDRESS\n"
	 "\n"
	 "Without ADDRESS: every series of the store, newest version of each.\n"
	 "  --since DATE  series active since DATE (YYYY-MM-DD, UTC);\n"
	 "                default: everything in the store\n"
	 "  --list NAME   the title used in the digest's first line\n"
	 "  --html        the HTML companion instead of the text\n"
	 "\n"
	 "With ADDRESS: that subscriber's next digest, as it would go out\n"
	 "now (what matched their rules since their last digest).\n"
	 "  --mail        the whole mail, headers and MIME parts\n"
	 "  --html        the HTML body, whatever format the rules ask for\n"
	 "\n"
	 "PATCHLETTER_NOW (seconds since 1970, or YYYY-MM-DDTHH:MM:SSZ) in\n"
	 "the environment stands for the clock (here, in subscribers and in\n"
	 "send), so that tests render the same digest on every run.\n",
	 cmd_digest},
	{"send", "queue the digests due now, send what the outbox has due, exit",
	 "usage: patchletter send [--all]\n"
	 "\n"
	 "  --all     also the deferred mails whose retry time has not come\n"
	 "            yet (as postqueue -f, once the server is fixed)\n"
	 "\n"
	 "First the new series are matched against the subscribers' rules\n"
	 "and the digests their schedules make due are queued. Then every\n"
	 "mail due is sent over one SMTP connection and marked sent\n"
	 "once the server accepted it. The daemon does the same by itself;\n"
	 "only one of them sends at a time.\n"
	 "\n"
	 "Exit status: 0 every mail due was accepted (or none was due);\n"
	 "75 some were deferred (4xx, or the server could not be used) and\n"
	 "stay queued; 65 the server refused some for good (5xx), shown by\n"
	 "`patchletter status`; 78 no smtp section in the configuration.\n",
	 cmd_send},
	{"rules", "check a rule file, explain or try it on stored series",
	 "usage: patchletter rules check [--maintainers PATH] FILE\n"
	 "       patchletter rules explain [--maintainers PATH] FILE "
	 "SERIES-ID\n"
	 "       patchletter rules match [--maintainers PATH] FILE\n"
	 "\n"
	 "  check     report every error of the rule file with its line, as\n"
	 "            a rule file mailed to the bot is checked\n"
	 "  explain   which rule matches the stored series and why (which\n"
	 "            path hit which pattern of which section), or, for each\n"
	 "            rule, the first criterion that failed and on what\n"
	 "  match     the stored series the rule file matches, and by which\n"
	 "            rules\n"
	 "  --maintainers PATH  MAINTAINERS to check sections against\n"
	 "            (default: the configuration's maintainers { })\n"
	 "\n"
	 "rules/README.md describes the language.\n",
	 cmd_rules},
	{"maintainers", "the MAINTAINERS sections of files or patches",
	 "usage: patchletter maintainers sections [--maintainers PATH] "
	 "[--paths]\n"
	 "                                        FILE.patch|PATH...\n"
	 "\n"
	 "Prints the sections, one a line, in get_maintainer.pl's subsystem\n"
	 "order. An argument naming a file is read as a patch or a mail\n"
	 "(- reads one from standard input); any other is a path in the\n"
	 "tree, as with get_maintainer.pl -f. --paths takes every argument\n"
	 "as a path.\n"
	 "\n"
	 "  --maintainers PATH  the MAINTAINERS file (default: the\n"
	 "            configuration's maintainers { file | git + ref })\n",
	 cmd_maintainers},
	{"subscribers", "list, show, add, remove, pause or resume subscribers",
	 "usage: patchletter subscribers list\n"
	 "       patchletter subscribers show ADDRESS\n"
	 "       patchletter subscribers add ADDRESS RULEFILE\n"
	 "       patchletter subscribers remove|pause|resume ADDRESS\n"
	 "\n"
	 "  list      every subscriber, with status and last digest\n"
	 "  show      one subscriber and the history of their rule files\n"
	 "  add       subscribe ADDRESS with RULEFILE, or replace their\n"
	 "            rules, at once: the operator vouches for the address,\n"
	 "            so no confirmation is asked for\n"
	 "  remove    forget the subscriber and their rules\n"
	 "  pause     stop their digests until resume\n",
	 cmd_subscribers},
	{"deliver", "take one mail on standard input: list mail or a command",
	 "usage: patchletter deliver [--recipient ADDRESS] < MAIL\n"
	 "\n"
	 "Take one mail on standard input, as an MTA's pipe transport or\n"
	 "procmail hands it over. List mail (the List-Id of a configured\n"
	 "list, or sent to a list's address) is stored; mail to the bot's\n"
	 "address is a command, handled and answered (the replies wait in\n"
	 "the outbox for `patchletter send`); anything else is ignored\n"
	 "with a log line.\n"
	 "\n"
	 "  --recipient ADDRESS  the envelope recipient, when the MTA gives\n"
	 "            it (Postfix: ${recipient}); else To, Cc and\n"
	 "            Delivered-To tell\n"
	 "\n"
	 "Exit status: 0 the mail was stored, handled or ignored; 75 try\n"
	 "again later (the store busy, the configuration or the templates\n"
	 "unreadable); 64 usage.\n",
	 cmd_deliver},
	{"unsubscribe", "one-click unsubscription (RFC 8058) by token",
	 "usage: patchletter unsubscribe TOKEN\n"
	 "\n"
	 "For the web endpoint of bot.unsubscribe-url: remove the subscriber\n"
	 "whose List-Unsubscribe token TOKEN is (the token parameter of the\n"
	 "one-click POST), and mail them a line saying so.\n"
	 "\n"
	 "Exit status: 0 unsubscribed; 67 no subscriber has that token;\n"
	 "65 not a token; 75 try again later.\n",
	 cmd_unsubscribe},
	{"status", "show the state of the store, sources and outbox",
	 "usage: patchletter status [--check]\n"
	 "\n"
	 "  --check   also verify the whole store file (slow on big stores)\n",
	 cmd_status},
	{NULL, NULL, NULL, NULL},
};

bool cli_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	}
	return false;
}

void cli_usage(const struct cli_command *cmd, bool to_stdout)
{
	FILE *f = to_stdout ? stdout : stderr;

	fprintf(f, "%s", cmd->usage);
	fprintf(f, "\n%s.\n", cmd->summary);
}

/* What the program runs on without a configuration file. */
static const char builtin_config[] = "bot {\n"
				     "	address = \"patchletter@localhost\"\n"
				     "}\n";

int cli_config(struct config *out, const struct cli_globals *g)
{
	struct buf errors = BUF_INIT;
	int rc;

	if (!g->config_given && access(CONFIG_DEFAULT_PATH, F_OK) != 0)
		rc = config_load_buf(out, "(built-in defaults)", builtin_config,
				     sizeof(builtin_config) - 1, &errors);
	else
		rc = config_load(out, g->config_path, &errors);
	if (rc) {
		fputs(errors.data, stderr);
		buf_release(&errors);
		return rc == ERR_NOTFOUND ? EX_NOINPUT : EX_CONFIG;
	}
	buf_release(&errors);
	return 0;
}

int cli_store(struct store **out, const struct cli_globals *g,
	      const struct config *cfg, bool create)
{
	const char *dir = g->state_dir ? g->state_dir : cfg->bot.state_dir;
	char path[4096];
	int rc, n;

	*out = NULL;
	if (create && mkdir(dir, 0750) != 0 && errno != EEXIST) {
		log_warn("%s: cannot create the state directory", dir);
		return EX_CANTCREAT;
	}
	n = snprintf(path, sizeof(path), "%s/patchletter.db", dir);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		log_warnx("%s: state directory path too long", dir);
		return EX_USAGE;
	}
	rc = store_open(out, path, create ? STORE_CREATE : 0);
	switch (rc) {
	case 0:
		return 0;
	case ERR_NOTFOUND:
		log_warnx("%s: no store here yet (ingest some mail first)",
			  path);
		return EX_NOINPUT;
	case ERR_TEMP:
		return EX_TEMPFAIL;
	case ERR_PERM:
		return EX_NOPERM;
	}
	return EX_SOFTWARE;
}

int64_t cli_now(const struct cli_globals *g)
{
	return g->now ? g->now : (int64_t)time(NULL);
}

const char *cli_templates_dir(const struct cli_globals *g,
			      const struct config *cfg)
{
	return g->templates_dir ? g->templates_dir : cfg->bot.templates_dir;
}
