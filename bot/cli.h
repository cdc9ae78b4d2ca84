/*
 * cli.h: the patchletter subcommands. Each takes the arguments after its
 * name (argv[0] is the subcommand) and returns an exit code from
 * sysexits.h (0 on success). Only main.c exits.
 */
#ifndef PATCHLETTER_CLI_H
#define PATCHLETTER_CLI_H

#include <stdbool.h>

struct cli_globals {
	const char *config_path; /* -c FILE; NULL: the default */
	bool config_given;	 /* -c was on the command line */
	int verbose;		 /* -v count */
};

struct cli_command {
	const char *name;
	const char *summary; /* one line for `patchletter --help` */
	const char *usage;   /* the rest of `patchletter NAME --help` */
	int (*run)(const struct cli_globals *g, int argc, char **argv);
};

/* The table of subcommands, ending with a NULL name. */
extern const struct cli_command cli_commands[];

/* True when argv holds -h or --help before any "--". */
bool cli_wants_help(int argc, char **argv);
/* Print the usage of cmd to stdout (help asked) or stderr (misuse). */
void cli_usage(const struct cli_command *cmd, bool to_stdout);

#endif
