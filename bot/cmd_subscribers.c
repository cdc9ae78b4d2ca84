/*
 * cmd_subscribers.c: `patchletter subscribers`: the operator's hand on
 * subscriptions. `add` needs no confirmation: the operator vouches for
 * the address (issue 8); every rule file accepted is kept with its time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "bounds.h"
#include "cli.h"
#include "compose.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "maintainers.h"
#include "maintainers_source.h"
#include "rulefile.h"
#include "store.h"
#include "subscriptions.h"
#include "token.h"

struct subs_run {
	const struct cli_globals *g;
	struct config cfg;
	struct store *st;
	struct maintainers *m;
};

static const char *const status_names[] = {
	[SUBSCRIBER_PENDING] = "pending",
	[SUBSCRIBER_ACTIVE] = "active",
	[SUBSCRIBER_PAUSED] = "paused",
};

static const char *const rulefile_states[] = {
	[RULEFILE_PROPOSED] = "proposed",
	[RULEFILE_ACTIVE] = "active",
	[RULEFILE_SUPERSEDED] = "superseded",
};

static void format_time(char *out, size_t outsz, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm) ||
	    !strftime(out, outsz, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(out, outsz, "never");
}

/* Read at most max bytes of path into out. A sysexits code. */
static int read_file(struct buf *out, const char *path, size_t max)
{
	char chunk[8192];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "patchletter: %s: %s\n", path, strerror(errno));
		return EX_NOINPUT;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (buf_try_add(out, chunk, (size_t)n)) {
			fprintf(stderr, "patchletter: %s: larger than %zu "
					"bytes\n",
				path, max);
			close(fd);
			return EX_DATAERR;
		}
	}
	close(fd);
	if (n < 0) {
		fprintf(stderr, "patchletter: %s: %s\n", path, strerror(errno));
		return EX_IOERR;
	}
	return 0;
}

static int subs_add(struct subs_run *run, const char *address,
		   const char *path)
{
	struct store_subscriber sub = STORE_SUBSCRIBER_INIT;
	struct store_rulefile rf = STORE_RULEFILE_INIT;
	struct rulefile_options o;
	struct rulefile_list *lists = NULL;
	struct rulefile *parsed = NULL;
	struct buf text, errors = BUF_INIT;
	char token[TOKEN_CHARS + 1];
	int64_t now = cli_now(run->g), id, rid;
	int ex = 0, rc;

	if (!compose_address_valid(address)) {
		fprintf(stderr, "patchletter subscribers add: '%s' is not an "
				"address mail can be sent to\n",
			address);
		return EX_DATAERR;
	}
	buf_init(&text, RULEFILE_MAX_BYTES);
	ex = read_file(&text, path, RULEFILE_MAX_BYTES);
	if (ex)
		goto out;
	/* Checked as a mailed rule file is, against this bot's lists. */
	subscriptions_rule_options(&o, &lists, &run->cfg, run->m);
	if (rulefile_parse(&parsed, path, text.data, text.len, &o, &errors)) {
		fputs(errors.data, stderr);
		ex = EX_DATAERR;
		goto out;
	}
	rc = store_begin(run->st);
	if (rc == 0) {
		rc = store_subscriber_find(&sub, run->st, address);
		if (rc == ERR_NOTFOUND) {
			rc = store_subscriber_add(&id, run->st, address,
						  SUBSCRIBER_ACTIVE, now);
			if (rc == 0)
				rc = token_new(token);
			if (rc == 0)
				rc = store_subscriber_set_token(run->st, id,
								token);
		} else if (rc == 0) {
			id = sub.id;
			/* A pending subscriber the operator vouches for. */
			if (sub.status == SUBSCRIBER_PENDING)
				rc = store_subscriber_set_status(
					run->st, id, SUBSCRIBER_ACTIVE);
		}
	}
	/* The operator's file replaces what waits for a confirmation. */
	if (rc == 0)
		rc = store_rulefile_withdraw(NULL, run->st, id);
	if (rc == 0) {
		rf.subscriber = id;
		rf.text = text.data;
		rf.text_len = text.len;
		rf.created = now;
		rf.state = RULEFILE_PROPOSED;
		rc = store_rulefile_add(&rid, run->st, &rf);
		rf.text = NULL;
	}
	if (rc == 0)
		rc = store_rulefile_activate(run->st, rid);
	if (rc == 0)
		rc = store_commit(run->st);
	else if (store_in_transaction(run->st))
		store_rollback(run->st);
	if (rc) {
		ex = rc == ERR_TEMP ? EX_TEMPFAIL : EX_SOFTWARE;
		goto out;
	}
	printf("subscribers: %s: active, %zu rule%s in force\n", address,
	       parsed->nr_rules, parsed->nr_rules == 1 ? "" : "s");
out:
	rulefile_free(parsed);
	free(lists);
	store_subscriber_release(&sub);
	buf_release(&text);
	buf_release(&errors);
	return ex;
}

static int subs_list(struct subs_run *run)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct store_subscriber sub = STORE_SUBSCRIBER_INIT;
	char last[32];
	size_t i;
	int rc;

	rc = store_subscribers_all(&ids, run->st);
	for (i = 0; rc == 0 && i < ids.nr; i++) {
		rc = store_subscriber_load(&sub, run->st, ids.v[i]);
		if (rc)
			break;
		format_time(last, sizeof(last), sub.last_digest_at);
		printf("%-40s %-8s last digest %s\n", sub.address,
		       status_names[sub.status], last);
	}
	store_subscriber_release(&sub);
	store_ids_release(&ids);
	return rc ? EX_SOFTWARE : 0;
}

static int subs_show(struct subs_run *run, const char *address)
{
	int64_t now = cli_now(run->g);
	struct store_subscriber sub = STORE_SUBSCRIBER_INIT;
	struct store_rulefile *h = NULL;
	char when[32];
	size_t nr = 0, i;
	int rc;

	rc = store_subscriber_find(&sub, run->st, address);
	if (rc == ERR_NOTFOUND) {
		fprintf(stderr, "patchletter subscribers: no subscriber %s\n",
			address);
		return EX_NOUSER;
	}
	if (rc == 0)
		rc = store_rulefile_history(&h, &nr, run->st, sub.id,
					    (size_t)-1);
	if (rc == 0) {
		format_time(when, sizeof(when), sub.created);
		printf("%s: %s since %s\n", sub.address,
		       status_names[sub.status], when);
		format_time(when, sizeof(when), sub.last_digest_at);
		printf("last digest: %s\n", when);
		for (i = 0; i < nr; i++) {
			char until[64] = "", end[32];

			/* A proposal: until when it may be confirmed. */
			if (h[i].state == RULEFILE_PROPOSED &&
			    h[i].token_expires) {
				format_time(end, sizeof(end),
					    h[i].token_expires);
				snprintf(until, sizeof(until), ", %s %s",
					 h[i].token_expires <= now
						 ? "expired on"
						 : "waits for confirmation "
						   "until",
					 end);
			}
			format_time(when, sizeof(when), h[i].created);
			printf("\n--- rule file %lld, %s, %s%s\n",
			       (long long)h[i].id, when,
			       rulefile_states[h[i].state], until);
			fwrite(h[i].text, 1, h[i].text_len, stdout);
			if (h[i].text_len && h[i].text[h[i].text_len - 1] != '\n')
				putchar('\n');
		}
	}
	store_rulefiles_free(h, nr);
	store_subscriber_release(&sub);
	return rc ? EX_SOFTWARE : 0;
}

/* remove, pause, resume */
static int subs_change(struct subs_run *run, const char *verb,
		      const char *address)
{
	struct store_subscriber sub = STORE_SUBSCRIBER_INIT;
	int rc;

	rc = store_subscriber_find(&sub, run->st, address);
	if (rc == ERR_NOTFOUND) {
		fprintf(stderr, "patchletter subscribers: no subscriber %s\n",
			address);
		return EX_NOUSER;
	}
	if (rc == 0 && !strcmp(verb, "remove"))
		rc = store_subscriber_delete(run->st, sub.id);
	else if (rc == 0)
		rc = store_subscriber_set_status(run->st, sub.id,
						 !strcmp(verb, "pause")
							 ? SUBSCRIBER_PAUSED
							 : SUBSCRIBER_ACTIVE);
	if (rc == 0)
		printf("subscribers: %s: %s\n", address,
		       !strcmp(verb, "remove")  ? "removed"
		       : !strcmp(verb, "pause") ? "paused"
						: "active");
	store_subscriber_release(&sub);
	return rc ? EX_SOFTWARE : 0;
}

int cmd_subscribers(const struct cli_globals *g, int argc, char **argv)
{
	struct subs_run run;
	struct buf errors = BUF_INIT;
	const char *verb = argc > 1 ? argv[1] : "";
	int ex, want;

	if (!strcmp(verb, "list"))
		want = 2;
	else if (!strcmp(verb, "add"))
		want = 4;
	else if (!strcmp(verb, "show") || !strcmp(verb, "remove") ||
		 !strcmp(verb, "pause") || !strcmp(verb, "resume"))
		want = 3;
	else
		want = -1;
	if (want < 0 || argc != want) {
		fprintf(stderr, "usage: patchletter subscribers list|show|add|"
				"remove|pause|resume ... (see --help)\n");
		return EX_USAGE;
	}
	memset(&run, 0, sizeof(run));
	run.g = g;
	ex = cli_config(&run.cfg, g);
	if (ex == 0)
		ex = cli_store(&run.st, g, &run.cfg, !strcmp(verb, "add"));
	if (ex == 0 && !strcmp(verb, "add")) {
		/* Sections are checked against the configured MAINTAINERS. */
		int rc = maintainers_source_load(&run.m, NULL,
						 &run.cfg.maintainers, &errors);

		if (rc && rc != ERR_NOTFOUND)
			ex = EX_NOINPUT;
	}
	if (ex == 0) {
		if (!strcmp(verb, "list"))
			ex = subs_list(&run);
		else if (!strcmp(verb, "add"))
			ex = subs_add(&run, argv[2], argv[3]);
		else if (!strcmp(verb, "show"))
			ex = subs_show(&run, argv[2]);
		else
			ex = subs_change(&run, verb, argv[2]);
	}
	buf_release(&errors);
	maintainers_free(run.m);
	store_close(run.st);
	config_release(&run.cfg);
	return ex;
}
