/*
 * main.c: the patchletter command line. Parses the global options, picks
 * the subcommand and exits with its sysexits.h code. The only place that
 * exits.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"
#include "log.h"

#ifndef PATCHLETTER_VERSION
#define PATCHLETTER_VERSION "0.1"
#endif

static void usage(FILE *f)
{
	const struct cli_command *c;

	fprintf(f,
		"usage: patchletter [-c FILE] [-s DIR] [-T DIR] [-v] COMMAND [ARGS]\n"
		"\n"
		"Watch a kernel-style mailing list, understand its patch series\n"
		"and their versions, and send each subscriber a digest of what\n"
		"matches their rules.\n"
		"\n"
		"  -c FILE     configuration (default /etc/patchletter/patchletter.conf)\n"
		"  -s DIR      state directory, overriding the configuration's\n"
		"  -T DIR      templates directory, overriding the configuration's\n"
		"  -v          more log output (twice: debug)\n"
		"  --version   print the version\n"
		"\n"
		"commands:\n");
	for (c = cli_commands; c->name; c++)
		fprintf(f, "  %-12s %s\n", c->name, c->summary);
	fprintf(f, "\n'patchletter COMMAND --help' tells more about each.\n");
}

/*
 * PATCHLETTER_NOW, for the tests: seconds since the epoch, or
 * "YYYY-MM-DDTHH:MM:SSZ" (UTC). Sets *out; -1 when it is neither.
 */
static int parse_now(int64_t *out, const char *s)
{
	struct tm tm;
	const char *end;
	char *e;
	long long v;

	v = strtoll(s, &e, 10);
	if (e != s && !*e && v > 0) {
		*out = (int64_t)v;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return -1;
	*out = (int64_t)timegm(&tm);
	return *out > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"state-dir", required_argument, NULL, 's'},
		{"templates", required_argument, NULL, 'T'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct cli_globals g = {NULL, false, NULL, NULL, 0, 0};
	const struct cli_command *c;
	const char *now = getenv("PATCHLETTER_NOW");
	int opt;

	if (now && *now && parse_now(&g.now, now)) {
		fprintf(stderr, "patchletter: PATCHLETTER_NOW='%s' is neither "
				"seconds since 1970 nor YYYY-MM-DDTHH:MM:SSZ\n",
			now);
		return EX_USAGE;
	}

	/* '+': stop at the subcommand; its options are its own. */
	while ((opt = getopt_long(argc, argv, "+c:s:T:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			g.config_path = optarg;
			g.config_given = true;
			break;
		case 's':
			g.state_dir = optarg;
			break;
		case 'T':
			g.templates_dir = optarg;
			break;
		case 'v':
			g.verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("patchletter %s\n", PATCHLETTER_VERSION);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	log_init("patchletter", true,
		 g.verbose >= 2 ? LOG_LEVEL_DEBUG
		 : g.verbose == 1 ? LOG_LEVEL_INFO
				  : LOG_LEVEL_WARN);
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	for (c = cli_commands; c->name; c++) {
		if (strcmp(c->name, argv[optind]) != 0)
			continue;
		if (cli_wants_help(argc - optind, argv + optind)) {
			cli_usage(c, true);
			return 0;
		}
		/* glibc: optind 0 restarts getopt for the subcommand's own
		 * options, which start after its name. */
		argc -= optind;
		argv += optind;
		optind = 0;
		return c->run(&g, argc, argv);
	}
	fprintf(stderr, "patchletter: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return EX_USAGE;
}
