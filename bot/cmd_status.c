/*
 * cmd_status.c: `patchletter status`: what the store holds.
 */
#include <getopt.h>
#include <stdio.h>
#include <sysexits.h>

#include "cli.h"
#include "config.h"
#include "store.h"

int cmd_status(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"check", no_argument, NULL, 'k'},
		{NULL, 0, NULL, 0},
	};
	struct config cfg = {0};
	struct store_stats s;
	struct store *st = NULL;
	bool check = false;
	int opt, ex;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'k')
			return EX_USAGE;
		check = true;
	}
	ex = cli_config(&cfg, g);
	if (ex == 0)
		ex = cli_store(&st, g, &cfg, false);
	if (ex == 0 && store_stats(&s, st))
		ex = EX_SOFTWARE;
	if (ex == 0) {
		printf("store: schema version %d\n", s.schema_version);
		printf("messages: %lld stored, %lld kept unparsed\n",
		       (long long)s.messages, (long long)s.unparsed);
		printf("series: %lld, supersessions: %lld\n",
		       (long long)s.series, (long long)s.supersessions);
		printf("subscribers: %lld, rule files: %lld, matches: %lld\n",
		       (long long)s.subscribers, (long long)s.rulefiles,
		       (long long)s.matches);
		printf("outbox: %lld queued, %lld sent, %lld failed\n",
		       (long long)s.outbox_queued, (long long)s.outbox_sent,
		       (long long)s.outbox_failed);
		printf("sources: %lld cursors\n", (long long)s.cursors);
		if (check) {
			if (store_check_integrity(st)) {
				printf("check: FAILED\n");
				ex = EX_DATAERR;
			} else {
				printf("check: ok\n");
			}
		}
	}
	store_close(st);
	config_release(&cfg);
	return ex;
}
