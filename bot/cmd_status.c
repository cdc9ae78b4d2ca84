/*
 * cmd_status.c: `patchletter status`: what the store holds.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "bounds.h"
#include "cli.h"
#include "config.h"
#include "log.h"
#include "store.h"

/*
 * List the newest failed mails, or the deferred ones (queued, with an
 * error), one line each: what the operator needs to act on them. The
 * values came from mail and from servers: escaped.
 */
static int list_outbox(struct store *st, enum store_outbox_status status,
		       const char *what)
{
	char mid[128], rcpt[128], err[MAILER_ERROR_MAX_BYTES + 64], when[32];
	struct store_outbox *v;
	size_t nr, i;
	time_t t;
	struct tm tm;

	if (store_outbox_list(&v, &nr, st, status, true,
			      OUTBOX_STATUS_MAX_LISTED))
		return EX_SOFTWARE;
	for (i = 0; i < nr; i++) {
		t = (time_t)(status == OUTBOX_QUEUED ? v[i].next_attempt_at
						     : v[i].created);
		if (!gmtime_r(&t, &tm) ||
		    !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
			snprintf(when, sizeof(when), "@%lld", (long long)t);
		printf("  %s: mail %lld <%s> to %s (%s %s, %u attempt%s): %s\n",
		       what, (long long)v[i].id,
		       log_escape(mid, sizeof(mid), v[i].message_id,
				  strlen(v[i].message_id)),
		       log_escape(rcpt, sizeof(rcpt), v[i].recipient,
				  strlen(v[i].recipient)),
		       status == OUTBOX_QUEUED ? "next try" : "queued", when,
		       v[i].attempts, v[i].attempts == 1 ? "" : "s",
		       log_escape(err, sizeof(err), v[i].last_error,
				  strlen(v[i].last_error)));
	}
	if (nr == OUTBOX_STATUS_MAX_LISTED)
		printf("  (%s: only the newest %d listed)\n", what,
		       OUTBOX_STATUS_MAX_LISTED);
	store_outboxes_free(v, nr);
	return 0;
}

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
		ex = list_outbox(st, OUTBOX_FAILED, "failed");
		if (ex == 0)
			ex = list_outbox(st, OUTBOX_QUEUED, "deferred");
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
