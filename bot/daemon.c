/*
 * daemon.c: the event loop's owners: sources, timers, signals.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "backfill.h"
#include "cli.h"
#include "commands.h"
#include "config.h"
#include "daemon.h"
#include "deliver.h"
#include "digest_job.h"
#include "err.h"
#include "imap.h"
#include "ingest.h"
#include "log.h"
#include "loop.h"
#include "mailer.h"
#include "maintainers.h"
#include "maintainers_source.h"
#include "message.h"
#include "notify.h"
#include "outbox.h"
#include "replies.h"
#include "store.h"
#include "subscriptions.h"
#include "template_dir.h"
#include "xalloc.h"

/* The digest timer's period, and its delay after new mail. */
#define DIGEST_TICK_MS	     (60 * 1000)
#define DIGEST_AFTER_MAIL_MS 1000
/* How often the store is asked whether the subscriptions changed. */
#define SUBSCRIPTIONS_CHECK_MS 5000
/* The outbox is looked at no later than this after its last round. */
#define OUTBOX_IDLE_MS (5 * 60 * 1000)

struct daemon;

/*
 * The outbox's batches stop early when this is set; the daemon's loop
 * stops them between batches instead, so it stays 0.
 */
static volatile sig_atomic_t never_stop;

/* One configured public-inbox archive. */
struct archive_source {
	struct daemon *d;		  /* borrowed */
	const struct config_archive *cfg; /* borrowed */
	struct archive *archive;	  /* owned */
	struct loop_timer timer;	  /* fetch, then ingest */
	struct loop_fd child_fd;	  /* the fetch child's pipe */
	pid_t child;			  /* the fetch child, or 0 */
	int pipe_fd;			  /* its read end, or -1 */
};

struct daemon {
	const struct cli_globals *g; /* borrowed */
	struct config cfg;
	struct store *st;
	struct loop *loop;
	int outbox_lock;

	struct ingest ing; /* every source's mail goes through it */
	struct imap_source **imaps;
	size_t nr_imaps;
	struct archive_source *archives;
	size_t nr_archives;
	struct buf *secrets; /* the IMAP passwords, wiped at the end */

	struct maintainers *maintainers;
	struct tpl_dir *templates;
	struct subscriptions subs;
	struct loop_timer digest_timer;
	struct commands commands;     /* mail to the bot's address */
	int64_t subs_generation;      /* the store's, when subs was loaded */
	struct loop_timer subs_timer; /* checks it */
	char maint_print[MAINTAINERS_FINGERPRINT_BYTES]; /* at the load */
	struct loop_timer maint_timer; /* maintainers.reload-interval */
	unsigned batch_commands;       /* handled in the IMAP batch in flight */

	struct mailer *mailer; /* NULL: no smtp section, nothing is sent */
	struct outbox_sender sender;
	struct loop_timer outbox_timer;

	bool ready; /* READY=1 sent */
};

static int64_t now_seconds(void)
{
	return (int64_t)time(NULL);
}

static void daemon_ready(struct daemon *d, const char *why)
{
	if (d->ready)
		return;
	d->ready = true;
	log_info("run: ready (%s)", why);
	(void)notify_ready();
}

/*
 * Rebuild the subscriptions (rules in force and their match index) after
 * a command changed one; the old set stays when that fails.
 */
static void reload_subscriptions(struct daemon *d)
{
	struct subscriptions subs = SUBSCRIPTIONS_INIT;
	int64_t gen;

	if (store_subscriptions_generation(&gen, d->st) ||
	    subscriptions_load(&subs, d->st, &d->cfg, d->maintainers)) {
		log_warnx("run: subscriptions not reloaded; tried again at "
			  "the next tick");
		return;
	}
	subscriptions_release(&d->subs);
	d->subs = subs;
	d->subs_generation = gen;
	log_info("run: %zu subscriptions in force", d->subs.nr);
}

/*
 * Reload the subscriptions when the store says they changed: a command,
 * or `patchletter subscribers` run beside the daemon.
 */
static void reload_subscriptions_if_changed(struct daemon *d)
{
	int64_t gen;

	if (store_subscriptions_generation(&gen, d->st) == 0 &&
	    gen != d->subs_generation) {
		reload_subscriptions(d);
		/* A new subscriber's first digest need not wait a minute. */
		loop_timer_arm(d->loop, &d->digest_timer, DIGEST_AFTER_MAIL_MS);
	}
}

/* One indexed read every few seconds: cheap, and changes act quickly. */
static void on_subs_timer(struct loop_timer *t, void *arg)
{
	struct daemon *d = arg;

	(void)t;
	reload_subscriptions_if_changed(d);
	loop_timer_arm(d->loop, &d->subs_timer, SUBSCRIPTIONS_CHECK_MS);
}

/* --- the ingest sink of the IMAP sources --------------------------------- */

static void sink_opened(void *arg, const char *source)
{
	struct daemon *d = arg;

	(void)source;
	daemon_ready(d, "the first mailbox is open");
}

/*
 * One mail of a watched mailbox. A command to the bot (deliver.h's
 * routing: addressed to the bot, and not list mail) is handled in the
 * batch's transaction, so it counts as done exactly when the mailbox's
 * cursor moves past it: a crash before the commit handles it again, one
 * after it never does. Everything else is ingested: whoever configured
 * the mailbox said it carries the list, so mail without a List-Id is
 * taken as list mail as the list's archive would.
 */
static int sink_add(void *arg, const char *source, uint32_t uid,
		    const char *raw, size_t len)
{
	struct daemon *d = arg;
	struct message m = MESSAGE_INIT;
	struct deliver_result r;
	int rc;

	(void)uid;
	deliver_classify(&r, &m, &d->cfg, raw, len, NULL);
	if (r.route != DELIVER_COMMAND) {
		message_release(&m);
		return ingest_add(&d->ing, raw, len, source);
	}
	rc = ingest_begin(&d->ing);
	if (rc == 0)
		rc = commands_handle(NULL, &d->commands, &m, len,
				     now_seconds());
	if (rc == 0)
		d->batch_commands++;
	message_release(&m);
	return rc;
}

/* A mail too large to parse: its head is kept as unparsed, with why. */
static int sink_add_cut(void *arg, const char *source, uint32_t uid,
			const char *raw, size_t len, const char *reason)
{
	struct daemon *d = arg;

	(void)uid;
	return ingest_add_unparsed(&d->ing, raw, len, reason, source);
}

static int sink_commit(void *arg, const char *source, const char *cursor)
{
	struct daemon *d = arg;
	uint64_t stored = d->ing.batch.stored;
	int rc;

	rc = ingest_commit(&d->ing, source, cursor);
	/* New mail: match it soon, for the "immediate" subscribers. */
	if (rc == 0 && stored)
		loop_timer_arm(d->loop, &d->digest_timer, DIGEST_AFTER_MAIL_MS);
	if (rc == 0 && d->commands.changed) {
		/* A subscription changed: match with the rules now in force. */
		d->commands.changed = false;
		reload_subscriptions_if_changed(d);
	}
	/* Replies to commands go out at once, not at the next round. */
	if (rc == 0 && d->batch_commands && d->mailer)
		loop_timer_arm(d->loop, &d->outbox_timer, 0);
	d->batch_commands = 0;
	return rc;
}

static void sink_abort(void *arg)
{
	struct daemon *d = arg;

	d->batch_commands = 0;
	d->commands.changed = false; /* rolled back with the batch */
	ingest_abort(&d->ing);
}

/* --- archives --------------------------------------------------------------
 */

/* Ingest what the local mirror holds past its cursors. */
static void archive_ingest(struct archive_source *a)
{
	struct daemon *d = a->d;
	struct archive_stats stats;
	uint64_t before = d->ing.stats.stored;
	int rc;

	rc = backfill_archive(&stats, &d->ing, a->archive, NULL, NULL);
	if (rc)
		log_warnx("archive %s: ingest stopped (%s); the next fetch "
			  "goes on from the last batch stored",
			  a->cfg->name, err_name(rc));
	if (d->ing.stats.stored > before) {
		log_info("archive %s: %llu new messages", a->cfg->name,
			 (unsigned long long)(d->ing.stats.stored - before));
		loop_timer_arm(d->loop, &d->digest_timer, DIGEST_AFTER_MAIL_MS);
	}
	if (a->cfg->fetch_secs)
		loop_timer_arm(d->loop, &a->timer,
			       (int64_t)a->cfg->fetch_secs * 1000);
}

/* The fetch child ended: see how, then ingest. */
static void on_fetch_done(struct loop_fd *n, short revents, void *arg)
{
	struct archive_source *a = arg;
	char byte;
	int status = 0;

	(void)revents;
	if (read(a->pipe_fd, &byte, 1) > 0)
		return; /* the child writes nothing; wait for EOF */
	loop_fd_unwatch(n);
	close(a->pipe_fd);
	a->pipe_fd = -1;
	while (waitpid(a->child, &status, 0) < 0 && errno == EINTR)
		;
	a->child = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_warnx("archive %s: fetching %s failed (%s); what the "
			  "mirror holds is ingested, the fetch is tried again "
			  "in %u s",
			  a->cfg->name, a->cfg->url,
			  WIFEXITED(status) &&
					  WEXITSTATUS(status) == EX_TEMPFAIL
				  ? "the remote could not be reached"
				  : "see the log above",
			  a->cfg->fetch_secs);
	archive_ingest(a);
}

/*
 * Fetch in a child: libgit2 has no network timeout, and a remote that
 * hangs must not stop the loop. The child holds the write end of a pipe
 * until it exits, which the loop sees as EOF.
 */
static void archive_fetch_start(struct archive_source *a)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		log_warn("archive %s: pipe", a->cfg->name);
		archive_ingest(a);
		return;
	}
	pid = fork();
	if (pid < 0) {
		log_warn("archive %s: fork", a->cfg->name);
		close(p[0]);
		close(p[1]);
		archive_ingest(a);
		return;
	}
	if (pid == 0) {
		int rc;

		close(p[0]);
		rc = archive_fetch(a->cfg->path, a->cfg->url);
		_exit(rc == 0 ? 0 : rc == ERR_TEMP ? EX_TEMPFAIL : 1);
	}
	close(p[1]);
	a->child = pid;
	a->pipe_fd = p[0];
	loop_fd_init(&a->child_fd, p[0], on_fetch_done, a);
	loop_fd_watch(a->d->loop, &a->child_fd, POLLIN);
}

static void on_archive_timer(struct loop_timer *t, void *arg)
{
	struct archive_source *a = arg;

	(void)t;
	if (a->child)
		return;
	if (a->cfg->url)
		archive_fetch_start(a);
	else
		archive_ingest(a);
}

/* --- digests and the outbox ------------------------------------------------
 */

static void outbox_round(struct daemon *d)
{
	struct outbox_report r;
	int64_t next = 0, now = now_seconds(), delay = OUTBOX_IDLE_MS;

	if (!d->mailer)
		return;
	if (outbox_send_due(&r, &d->sender, now))
		log_warnx("run: sending stopped early; retried later");
	else if (r.sent || r.deferred || r.failed)
		log_info("run: outbox: %u sent, %u deferred, %u failed", r.sent,
			 r.deferred, r.failed);
	if (outbox_next_due(&next, &d->sender) == 0) {
		delay = (next - now) * 1000;
		if (delay < 1000)
			delay = 1000;
		if (delay > OUTBOX_IDLE_MS)
			delay = OUTBOX_IDLE_MS;
	}
	loop_timer_arm(d->loop, &d->outbox_timer, delay);
}

static void on_outbox_timer(struct loop_timer *t, void *arg)
{
	(void)t;
	outbox_round(arg);
}

static void on_digest_timer(struct loop_timer *t, void *arg)
{
	struct daemon *d = arg;
	struct digest_job j = {d->st, &d->cfg, d->templates, &d->subs, false};
	size_t matched = 0, queued = 0;
	int rc;

	(void)t;
	rc = digest_job_tick(&matched, &queued, &j, now_seconds());
	if (rc)
		log_warnx("run: digests: %s; tried again in a minute",
			  err_name(rc));
	else if (matched || queued)
		log_info("run: %zu matches, %zu digests queued", matched,
			 queued);
	loop_timer_arm(d->loop, &d->digest_timer, DIGEST_TICK_MS);
	if (queued)
		outbox_round(d);
}

/* --- reloading -------------------------------------------------------------
 */

/* What is read from the configuration's files, apart from the sources. */
struct subscriber_side {
	struct tpl_dir *templates;
	struct maintainers *maintainers;
	struct subscriptions subs;
	int64_t generation; /* store_subscriptions_generation() before */
	char maint_print[MAINTAINERS_FINGERPRINT_BYTES]; /* ditto */
};

static void subscriber_side_release(struct subscriber_side *x)
{
	subscriptions_release(&x->subs);
	maintainers_free(x->maintainers);
	tpl_dir_free(x->templates);
}

/*
 * Read the templates, MAINTAINERS and the rules in force under cfg into
 * out (its parts owned by the caller; they borrow cfg). Errors are
 * logged; out holds nothing then.
 */
static int subscriber_side_load(struct subscriber_side *out, struct daemon *d,
				const struct config *cfg)
{
	struct buf errors = BUF_INIT;
	int rc;

	out->templates = NULL;
	out->maintainers = NULL;
	out->subs = (struct subscriptions)SUBSCRIPTIONS_INIT;
	rc = tpl_dir_load(&out->templates, cli_templates_dir(d->g, cfg),
			  &errors);
	if (rc == 0)
		rc = replies_check_templates(out->templates, &errors);
	if (rc) {
		log_warnx("run: templates: %s", errors.data);
		goto out;
	}
	buf_reset(&errors);
	/* Before the load: a change while loading is seen at the next look. */
	if (maintainers_source_fingerprint(out->maint_print, &cfg->maintainers))
		out->maint_print[0] = '\0';
	rc = maintainers_source_load(&out->maintainers, NULL, &cfg->maintainers,
				     &errors);
	if (rc == ERR_NOTFOUND)
		rc = 0; /* no MAINTAINERS configured: no sections */
	if (rc) {
		log_warnx("run: MAINTAINERS: %s", errors.data);
		goto out;
	}
	/* Read first: a change while loading is then seen at the next tick. */
	rc = store_subscriptions_generation(&out->generation, d->st);
	if (rc == 0)
		rc = subscriptions_load(&out->subs, d->st, cfg,
					out->maintainers);
out:
	if (rc)
		subscriber_side_release(out);
	buf_release(&errors);
	return rc;
}

/* Put x in place of the daemon's set (x is emptied; the old set freed). */
static void subscriber_side_swap(struct daemon *d, struct subscriber_side *x)
{
	subscriptions_release(&d->subs);
	d->subs = x->subs;
	maintainers_free(d->maintainers);
	d->maintainers = x->maintainers;
	tpl_dir_free(d->templates);
	d->templates = x->templates;
	x->subs = (struct subscriptions)SUBSCRIPTIONS_INIT;
	x->maintainers = NULL;
	x->templates = NULL;
	d->subs_generation = x->generation;
	memcpy(d->maint_print, x->maint_print, sizeof(d->maint_print));
	d->commands = (struct commands){.st = d->st,
					.cfg = &d->cfg,
					.templates = d->templates,
					.maintainers = d->maintainers};
}

static int load_subscriber_side(struct daemon *d)
{
	struct subscriber_side x;

	if (subscriber_side_load(&x, d, &d->cfg))
		return ERR_PERM;
	subscriber_side_swap(d, &x);
	return 0;
}

/*
 * maintainers.reload-interval: when the MAINTAINERS file changed or the
 * git ref moved, load it again, and the rules with it (their sections
 * are checked and indexed against it). A failed load keeps the old one.
 */
static void on_maint_timer(struct loop_timer *t, void *arg)
{
	struct daemon *d = arg;
	char now[MAINTAINERS_FINGERPRINT_BYTES];

	(void)t;
	if (maintainers_source_fingerprint(now, &d->cfg.maintainers) == 0 &&
	    strcmp(now, d->maint_print)) {
		if (load_subscriber_side(d))
			log_warnx("run: MAINTAINERS changed but did not load; "
				  "the old one stays");
		else
			log_info("run: MAINTAINERS reloaded (%s)", now);
	}
	loop_timer_arm(d->loop, &d->maint_timer,
		       (int64_t)d->cfg.maintainers.reload_secs * 1000);
}

static void stop_sources(struct daemon *d);
static int start_sources(struct daemon *d);

static bool same_string(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/*
 * SIGHUP (systemctl reload): read the configuration file again, then the
 * templates, MAINTAINERS and rules it names, and restart the sources and
 * the mailer with it. Everything is read before anything is replaced: a
 * file with errors, or templates that do not load, leave the daemon as
 * it was, said in the log. The store stays open: a new state-dir takes a
 * restart.
 */
static void on_reload(void *arg)
{
	struct daemon *d = arg;
	struct subscriber_side x;
	struct config cfg;

	(void)notify_reloading();
	memset(&cfg, 0, sizeof(cfg));
	if (cli_config(&cfg, d->g)) {
		log_warnx("run: reload: the configuration has errors; going "
			  "on with the one loaded before");
		config_release(&cfg);
		goto out;
	}
	if (!d->g->state_dir &&
	    !same_string(cfg.bot.state_dir, d->cfg.bot.state_dir))
		log_warnx("run: reload: a new state-dir is taken at the next "
			  "restart; the store stays where it is");
	if (subscriber_side_load(&x, d, &cfg)) {
		log_warnx("run: reload failed; going on with what was loaded "
			  "before");
		config_release(&cfg);
		goto out;
	}
	stop_sources(d);
	/* Swap the configuration: the old one's strings are borrowed by
	 * the old set, freed together. */
	subscriber_side_swap(d, &x);
	config_release(&d->cfg);
	d->cfg = cfg;
	d->commands.cfg = &d->cfg;
	if (start_sources(d))
		log_warnx("run: reload: not every source started; those that "
			  "did run");
	log_info("run: reloaded the configuration, templates, MAINTAINERS "
		 "and %zu subscriptions; %zu IMAP sources, %zu archives",
		 d->subs.nr, d->nr_imaps, d->nr_archives);
out:
	(void)notify_ready();
}

/* --- starting and stopping --------------------------------------------------
 */

static enum imap_tls imap_tls_of(enum config_tls t)
{
	switch (t) {
	case CONFIG_TLS_STARTTLS:
		return IMAP_TLS_STARTTLS;
	case CONFIG_TLS_NONE:
		return IMAP_TLS_NONE;
	default:
		return IMAP_TLS_IMPLICIT;
	}
}

static int start_imaps(struct daemon *d)
{
	struct imap_sink sink = {.add = sink_add,
				 .add_cut = sink_add_cut,
				 .commit = sink_commit,
				 .abort = sink_abort,
				 .opened = sink_opened,
				 .arg = d};
	size_t i;
	int rc = 0;

	d->imaps = xcalloc(d->cfg.nimaps + 1, sizeof(*d->imaps));
	d->secrets = xcalloc(d->cfg.nimaps + 1, sizeof(*d->secrets));
	for (i = 0; rc == 0 && i < d->cfg.nimaps; i++) {
		const struct config_imap *c = &d->cfg.imaps[i];
		struct imap_options o;

		buf_init(&d->secrets[i], 0);
		rc = config_read_secret(&d->secrets[i], c->password_file);
		if (rc)
			break;
		imap_options_init(&o);
		o.name = c->name;
		o.host = c->host;
		o.port = c->port;
		o.tls = imap_tls_of(c->tls);
		o.ca_file = c->ca_file;
		o.user = c->user;
		o.password = d->secrets[i].data;
		o.mailboxes = (const char *const *)c->mailboxes;
		o.nr_mailboxes = c->nmailboxes;
		o.read_only = c->read_only;
		o.idle_interval = c->idle_secs;
		o.poll_interval = c->poll_secs;
		o.batch_size = c->batch_size;
		o.timeout = c->timeout_secs;
		rc = imap_source_start(&d->imaps[i], d->loop, d->st, &o, &sink);
		if (rc == 0)
			d->nr_imaps++;
	}
	return rc;
}

static int start_archives(struct daemon *d)
{
	size_t i;
	int rc = 0;

	d->archives = xcalloc(d->cfg.narchives + 1, sizeof(*d->archives));
	for (i = 0; rc == 0 && i < d->cfg.narchives; i++) {
		struct archive_source *a = &d->archives[i];

		a->d = d;
		a->cfg = &d->cfg.archives[i];
		a->pipe_fd = -1;
		loop_timer_init(&a->timer, on_archive_timer, a);
		/* A mirror not cloned yet opens after its first fetch. */
		rc = archive_open(&a->archive, a->cfg->path, a->cfg->name);
		if (rc == ERR_NOTFOUND && a->cfg->url) {
			rc = archive_fetch(a->cfg->path, a->cfg->url);
			if (rc == 0)
				rc = archive_open(&a->archive, a->cfg->path,
						  a->cfg->name);
		}
		if (rc) {
			log_warnx("archive %s: %s cannot be opened (%s)",
				  a->cfg->name, a->cfg->path, err_name(rc));
			break;
		}
		d->nr_archives++;
		loop_timer_arm(d->loop, &a->timer, 0);
	}
	return rc;
}

/* Stop every IMAP source and archive, and the mailer (their timers too). */
static void stop_sources(struct daemon *d)
{
	size_t i;

	for (i = 0; i < d->nr_imaps; i++)
		imap_source_free(d->imaps[i]);
	for (i = 0; i < d->nr_archives; i++) {
		struct archive_source *a = &d->archives[i];

		loop_timer_stop(&a->timer);
		if (a->child) {
			kill(a->child, SIGTERM);
			while (waitpid(a->child, NULL, 0) < 0 && errno == EINTR)
				;
		}
		if (a->pipe_fd >= 0) {
			loop_fd_unwatch(&a->child_fd);
			close(a->pipe_fd);
		}
		archive_free(a->archive);
	}
	for (i = 0; d->secrets && i < d->cfg.nimaps; i++)
		config_secret_release(&d->secrets[i]);
	free(d->secrets);
	free(d->imaps);
	free(d->archives);
	d->secrets = NULL;
	d->imaps = NULL;
	d->archives = NULL;
	d->nr_imaps = d->nr_archives = 0;
	loop_timer_stop(&d->outbox_timer);
	loop_timer_stop(&d->maint_timer);
	mailer_free(d->mailer);
	d->mailer = NULL;
}

/* The mailer, when the configuration has an smtp section. */
static int start_mailer(struct daemon *d)
{
	if (!d->cfg.smtp.url) {
		log_warnx("run: no smtp section: digests are queued but not "
			  "sent");
		return 0;
	}
	if (mailer_new(&d->mailer, &d->cfg.smtp))
		return ERR_PERM;
	outbox_sender_init(&d->sender, d->st, d->mailer,
			   d->cfg.limits.outbox_expiry_secs);
	d->sender.stop = &never_stop;
	loop_timer_arm(d->loop, &d->outbox_timer, 0);
	return 0;
}

/* The mailer, the IMAP sources and the archives of d->cfg. */
static int start_sources(struct daemon *d)
{
	int rc;

	if ((d->cfg.maintainers.file || d->cfg.maintainers.git) &&
	    d->cfg.maintainers.reload_secs)
		loop_timer_arm(d->loop, &d->maint_timer,
			       (int64_t)d->cfg.maintainers.reload_secs * 1000);

	rc = start_mailer(d);
	if (rc == 0)
		rc = start_imaps(d);
	if (rc == 0)
		rc = start_archives(d);
	return rc;
}

static void daemon_release(struct daemon *d)
{
	stop_sources(d);
	if (d->st)
		ingest_abort(&d->ing);
	loop_timer_stop(&d->digest_timer);
	loop_timer_stop(&d->subs_timer);
	subscriptions_release(&d->subs);
	maintainers_free(d->maintainers);
	tpl_dir_free(d->templates);
	loop_free(d->loop);
	outbox_unlock(d->outbox_lock);
	store_close(d->st);
	config_release(&d->cfg);
}

int daemon_run(const struct cli_globals *g)
{
	struct daemon d;
	int ex, rc;

	memset(&d, 0, sizeof(d));
	d.g = g;
	d.outbox_lock = -1;
	d.subs = (struct subscriptions)SUBSCRIPTIONS_INIT;
	ex = cli_config(&d.cfg, g);
	if (ex == 0)
		ex = cli_store(&d.st, g, &d.cfg, true);
	if (ex)
		goto out;
	ingest_init(&d.ing, d.st);
	/* One sender at a time: `patchletter send` beside the daemon waits. */
	if (outbox_lock(&d.outbox_lock,
			g->state_dir ? g->state_dir : d.cfg.bot.state_dir)) {
		ex = EX_TEMPFAIL;
		goto out;
	}
	if (loop_new(&d.loop) || loop_catch_signals(d.loop, on_reload, &d)) {
		ex = EX_OSERR;
		goto out;
	}
	if (load_subscriber_side(&d)) {
		ex = EX_CONFIG;
		goto out;
	}
	loop_timer_init(&d.outbox_timer, on_outbox_timer, &d);
	loop_timer_init(&d.digest_timer, on_digest_timer, &d);
	loop_timer_arm(d.loop, &d.digest_timer, DIGEST_AFTER_MAIL_MS);
	loop_timer_init(&d.maint_timer, on_maint_timer, &d);
	loop_timer_init(&d.subs_timer, on_subs_timer, &d);
	loop_timer_arm(d.loop, &d.subs_timer, SUBSCRIPTIONS_CHECK_MS);
	if (start_sources(&d)) {
		ex = EX_CONFIG;
		goto out;
	}
	log_info("run: %zu IMAP sources, %zu archives, %zu subscriptions",
		 d.nr_imaps, d.nr_archives, d.subs.nr);
	if (!d.nr_imaps)
		daemon_ready(&d, "no IMAP source to wait for");
	rc = loop_run(d.loop);
	(void)notify_stopping();
	log_info("run: stopping (%s)", rc ? "the loop failed" : "signal");
	ex = rc ? EX_SOFTWARE : 0;
out:
	daemon_release(&d);
	return ex;
}
