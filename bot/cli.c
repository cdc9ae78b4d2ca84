/*
 * cli.c: the table of subcommands and their help.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

/*
 * A subcommand whose machinery has not landed says so and fails, rather
 * than pretending (issue 2: "says so and exits non-zero").
 */
static int cmd_unavailable(const struct cli_globals *g, int argc,
			   char **argv)
{
	(void)g;
	(void)argc;
	fprintf(stderr, "patchletter %s: not available in this version yet\n",
		argv[0]);
	return EX_UNAVAILABLE;
}

const struct cli_command cli_commands[] = {
	{"run", "run the daemon: watch the lists, send digests",
	 "usage: patchletter run [--foreground]\n", cmd_unavailable},
	{"ingest", "store mail from an mbox, a Maildir or an archive",
	 "usage: patchletter ingest [--list LIST-ID] PATH...\n",
	 cmd_unavailable},
	{"show", "print what the parser understood of a mail",
	 "usage: patchletter show [--json] FILE|-\n", cmd_unavailable},
	{"series", "list patch series and their state",
	 "usage: patchletter series [--all] [--json]\n", cmd_unavailable},
	{"digest", "render a subscriber's next digest to stdout",
	 "usage: patchletter digest [ADDRESS]\n", cmd_unavailable},
	{"rules", "check a rule file",
	 "usage: patchletter rules check FILE\n", cmd_unavailable},
	{"status", "show the state of sources, outbox and subscribers",
	 "usage: patchletter status\n", cmd_unavailable},
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
