/*
 * cmd_send.c: `patchletter send`: send what the outbox has due now, over
 * one SMTP connection, and exit; the exit code says how it went. For
 * operators (after fixing a server, from a timer instead of the daemon)
 * and for the tests.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "digest_job.h"
#include "err.h"
#include "log.h"
#include "mailer.h"
#include "maintainers.h"
#include "maintainers_source.h"
#include "outbox.h"
#include "store.h"
#include "subscriptions.h"
#include "template_dir.h"

/* Set by SIGTERM and SIGINT: stop after the mail in flight. */
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* The exit code of a batch: refusals first, then what waits. */
static int batch_exit(const struct outbox_report *r)
{
	if (r->failed)
		return EX_DATAERR;
	if (r->deferred || r->held || r->stopped)
		return EX_TEMPFAIL;
	return 0;
}

static int send_all(const struct config *cfg, struct store *st, bool all,
		    int64_t now)
{
	struct outbox_sender o;
	struct outbox_report r;
	struct mailer *m;
	int64_t waiting = 0;
	int rc;

	if (all && store_outbox_retry_now(&waiting, st, now))
		return EX_TEMPFAIL;
	rc = mailer_new(&m, &cfg->smtp);
	if (rc == ERR_NOTFOUND)
		return EX_NOINPUT; /* the password file */
	if (rc)
		return rc == ERR_FAIL ? EX_IOERR : EX_CONFIG;
	outbox_sender_init(&o, st, m, cfg->limits.outbox_expiry_secs);
	o.stop = &stop_requested;
	catch_stop_signals();
	rc = outbox_send_due(&r, &o, now);
	mailer_free(m);
	printf("send: %u sent, %u deferred, %u failed%s%s\n", r.sent,
	       r.deferred, r.failed,
	       r.held ? "; the server could not be used (see above)" : "",
	       r.stopped ? "; stopped by a signal" : "");
	if (rc)
		return rc == ERR_TEMP ? EX_TEMPFAIL : EX_SOFTWARE;
	return batch_exit(&r);
}

/*
 * What the daemon's timer does before sending: match the new series and
 * queue the digests due now. A sysexits code.
 */
static int queue_digests(const struct cli_globals *g, const struct config *cfg,
			 struct store *st)
{
	struct subscriptions subs = SUBSCRIPTIONS_INIT;
	struct maintainers *m = NULL;
	struct tpl_dir *templates = NULL;
	struct buf errors = BUF_INIT;
	struct digest_job j;
	size_t matched = 0, queued = 0;
	int rc, ex = 0;

	rc = maintainers_source_load(&m, NULL, &cfg->maintainers, &errors);
	if (rc && rc != ERR_NOTFOUND) {
		ex = EX_NOINPUT;
		goto out;
	}
	rc = subscriptions_load(&subs, st, cfg, m);
	if (rc) {
		ex = rc == ERR_TEMP ? EX_TEMPFAIL : EX_SOFTWARE;
		goto out;
	}
	/* Nobody to write to: nothing to match, no templates needed. */
	if (!subs.nr)
		goto out;
	if (tpl_dir_load(&templates, cli_templates_dir(g, cfg), &errors)) {
		fputs(errors.data, stderr);
		ex = EX_CONFIG;
		goto out;
	}
	j.st = st;
	j.cfg = cfg;
	j.templates = templates;
	j.subs = &subs;
	j.html = false;
	rc = digest_job_tick(&matched, &queued, &j, cli_now(g));
	if (rc)
		ex = rc == ERR_TEMP ? EX_TEMPFAIL : EX_SOFTWARE;
	else
		printf("digests: %zu matches, %zu digests queued\n", matched,
		       queued);
out:
	subscriptions_release(&subs);
	maintainers_free(m);
	tpl_dir_free(templates);
	buf_release(&errors);
	return ex;
}

int cmd_send(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	struct config cfg = {0};
	struct store *st = NULL;
	bool all = false;
	int opt, ex, lock = -1;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'a')
			return EX_USAGE;
		all = true;
	}
	if (optind < argc) {
		fprintf(stderr, "patchletter send: no arguments expected\n");
		return EX_USAGE;
	}
	ex = cli_config(&cfg, g);
	if (ex == 0 && !cfg.smtp.url) {
		fprintf(stderr, "patchletter send: the configuration has no "
				"smtp section: nothing can be sent\n");
		ex = EX_CONFIG;
	}
	if (ex == 0)
		ex = cli_store(&st, g, &cfg, false);
	/* Two senders would send a mail twice (outbox.h). */
	if (ex == 0 &&
	    outbox_lock(&lock, g->state_dir ? g->state_dir : cfg.bot.state_dir))
		ex = EX_TEMPFAIL;
	if (ex == 0)
		ex = queue_digests(g, &cfg, st);
	if (ex == 0)
		ex = send_all(&cfg, st, all, cli_now(g));
	outbox_unlock(lock);
	store_close(st);
	config_release(&cfg);
	return ex;
}
