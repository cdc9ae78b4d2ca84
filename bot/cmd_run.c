/*
 * cmd_run.c: `patchletter run`: the daemon.
 */
#include <getopt.h>
#include <stdio.h>
#include <sysexits.h>

#include "cli.h"
#include "daemon.h"
#include "log.h"

int cmd_run(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"foreground", no_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	bool foreground = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		if (opt != 'f')
			return EX_USAGE;
		foreground = true;
	}
	if (optind != argc) {
		fprintf(stderr, "patchletter run: no arguments expected\n");
		return EX_USAGE;
	}
	/*
	 * The process never detaches: systemd (Type=notify) or the
	 * operator's supervisor keeps it. In the foreground the log goes
	 * to stderr, where journald takes it; else to syslog.
	 */
	log_init("patchletter", foreground,
		 g->verbose >= 2   ? LOG_LEVEL_DEBUG
		 : g->verbose == 1 ? LOG_LEVEL_INFO
				   : LOG_LEVEL_INFO);
	return daemon_run(g);
}
