/*
 * cli.h: the patchletter subcommands. Each takes the arguments after its
 * name (argv[0] is the subcommand) and returns an exit code from
 * sysexits.h (0 on success). Only main.c exits.
 */
#ifndef PATCHLETTER_CLI_H
#define PATCHLETTER_CLI_H

#include <stdbool.h>
#include <stdint.h>

struct config;
struct store;

struct cli_globals {
	const char *config_path;   /* -c FILE; NULL: the default */
	bool config_given;	   /* -c was on the command line */
	const char *state_dir;	   /* -s DIR: overrides bot.state-dir */
	const char *templates_dir; /* -T DIR: overrides bot.templates-dir */
	int verbose;		   /* -v count */
	int64_t now;		   /* PATCHLETTER_NOW; 0: the clock */
};

struct cli_command {
	const char *name;
	const char *summary; /* one line for `patchletter --help` */
	const char *usage;   /* the rest of `patchletter NAME --help` */
	int (*run)(const struct cli_globals *g, int argc, char **argv);
};

/* The table of subcommands, ending with a NULL name. */
extern const struct cli_command cli_commands[];

/*
 * Load the configuration for a subcommand into out: the -c file, or the
 * default file when it exists, or else the built-in defaults (no lists,
 * no sources), so that commands on a state directory alone (-s) work
 * without a file. Errors are printed. Returns a sysexits.h code.
 */
int cli_config(struct config *out, const struct cli_globals *g);

/*
 * Open the store in the state directory (-s, else bot.state-dir),
 * creating the directory and the store when create is set. Errors are
 * printed. Returns a sysexits.h code; *out is owned (store_close()).
 */
int cli_store(struct store **out, const struct cli_globals *g,
	      const struct config *cfg, bool create);

/*
 * The time a command takes as "now": the clock, or PATCHLETTER_NOW when
 * the environment sets it. The tests fix it so that what a command
 * writes (a subscriber's creation, a digest's period and Date) is the
 * same on every run; main.c reads it once.
 */
int64_t cli_now(const struct cli_globals *g);

/* The templates directory to use: -T, else bot.templates-dir. Borrowed. */
const char *cli_templates_dir(const struct cli_globals *g,
			      const struct config *cfg);

/* The subcommands (cmd_*.c). */
int cmd_ingest(const struct cli_globals *g, int argc, char **argv);
int cmd_show(const struct cli_globals *g, int argc, char **argv);
int cmd_series(const struct cli_globals *g, int argc, char **argv);
int cmd_digest(const struct cli_globals *g, int argc, char **argv);
int cmd_run(const struct cli_globals *g, int argc, char **argv);
int cmd_status(const struct cli_globals *g, int argc, char **argv);
int cmd_subscribers(const struct cli_globals *g, int argc, char **argv);
int cmd_rules(const struct cli_globals *g, int argc, char **argv);
int cmd_maintainers(const struct cli_globals *g, int argc, char **argv);
int cmd_send(const struct cli_globals *g, int argc, char **argv);
int cmd_deliver(const struct cli_globals *g, int argc, char **argv);
int cmd_unsubscribe(const struct cli_globals *g, int argc, char **argv);

/* True when argv holds -h or --help before any "--". */
bool cli_wants_help(int argc, char **argv);
/* Print the usage of cmd to stdout (help asked) or stderr (misuse). */
void cli_usage(const struct cli_command *cmd, bool to_stdout);

#endif
