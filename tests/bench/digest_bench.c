/*
 * digest_bench.c: issue 7's figure, the digest job for many subscribers:
 * their rule files stored, loaded and indexed, the week's series matched
 * against them, then each subscriber's digest built, rendered (text, and
 * HTML for those who ask), composed and queued in the outbox with its
 * matches marked, one transaction each, as the daemon's timer does
 * (digest_job.h). Measured, not asserted; tests/bench/digest_bench.sh
 * runs it on a store of make-mbox.py's mail and then sends the outbox.
 *
 *   digest_bench -c CONFIG -T TEMPLATES -r RULES -t CREATED -n NOW
 *
 * RULES holds rule files each ended by a line "%%" (make-rules.py); the
 * subscribers bench-N@example.org are created at CREATED, and the job
 * runs at NOW (seconds since 1970). Prints one line per stage with its
 * wall-clock time, then the process' peak RSS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "digest_job.h"
#include "err.h"
#include "log.h"
#include "store.h"
#include "subscriptions.h"
#include "template_dir.h"
#include "token.h"
#include "xalloc.h"

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The whole of path into out (uncapped: the operator's bench input). */
static int read_all(struct buf *out, const char *path)
{
	char chunk[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	fclose(f);
	return 0;
}

/* Store one subscriber per rule file of rules, active since created. */
static int add_subscribers(size_t *out, struct store *st, char *rules,
			   int64_t created)
{
	struct store_rulefile rf = STORE_RULEFILE_INIT;
	char token[TOKEN_CHARS + 1], address[64];
	char *p = rules, *end;
	int64_t id, rid;
	int rc;

	*out = 0;
	rc = store_begin(st);
	while (rc == 0 && *p && (end = strstr(p, "\n%%\n")) != NULL) {
		snprintf(address, sizeof(address), "bench-%zu@example.org",
			 *out);
		rc = store_subscriber_add(&id, st, address, SUBSCRIBER_ACTIVE,
					  created);
		if (rc == 0)
			rc = token_new(token);
		if (rc == 0)
			rc = store_subscriber_set_token(st, id, token);
		if (rc == 0) {
			rf.subscriber = id;
			rf.text = p;
			rf.text_len = (size_t)(end - p) + 1;
			rf.created = created;
			rf.state = RULEFILE_PROPOSED;
			rc = store_rulefile_add(&rid, st, &rf);
			rf.text = NULL;
		}
		if (rc == 0)
			rc = store_rulefile_activate(st, rid);
		(*out)++;
		p = end + 4;
	}
	if (rc == 0)
		rc = store_commit(st);
	else
		store_rollback(st);
	return rc;
}

int main(int argc, char **argv)
{
	const char *conf = NULL, *tdir = NULL, *rules_path = NULL;
	struct subscriptions subs = SUBSCRIPTIONS_INIT;
	struct tpl_dir *templates = NULL;
	struct config cfg = {0};
	struct store *st = NULL;
	struct buf errors = BUF_INIT, rules = BUF_INIT;
	struct digest_job j;
	struct rusage ru;
	char path[4096];
	int64_t created = 0, now = 0;
	size_t nsubs = 0, matched = 0, queued = 0, active = 0, i;
	double t0, t1;
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "c:T:r:t:n:")) != -1) {
		switch (opt) {
		case 'c':
			conf = optarg;
			break;
		case 'T':
			tdir = optarg;
			break;
		case 'r':
			rules_path = optarg;
			break;
		case 't':
			created = strtoll(optarg, NULL, 10);
			break;
		case 'n':
			now = strtoll(optarg, NULL, 10);
			break;
		default:
			return 64;
		}
	}
	if (!conf || !tdir || !rules_path || !created || now <= created) {
		fprintf(stderr, "usage: digest_bench -c CONFIG -T TEMPLATES "
				"-r RULES -t CREATED -n NOW\n");
		return 64;
	}
	log_init("digest_bench", true, LOG_LEVEL_WARN);
	if (config_load(&cfg, conf, &errors) ||
	    tpl_dir_load(&templates, tdir, &errors)) {
		fputs(errors.data, stderr);
		return 78;
	}
	snprintf(path, sizeof(path), "%s/patchletter.db", cfg.bot.state_dir);
	if (store_open(&st, path, 0) || read_all(&rules, rules_path))
		return 66;

	t0 = seconds();
	rc = add_subscribers(&nsubs, st, rules.data, created);
	t1 = seconds();
	if (rc == 0)
		printf("digest: store %zu subscribers and their rule files: "
		       "%.2f s\n",
		       nsubs, t1 - t0);

	t0 = seconds();
	if (rc == 0)
		rc = subscriptions_load(&subs, st, &cfg, NULL);
	t1 = seconds();
	for (i = 0; rc == 0 && i < subs.nr; i++)
		active += subs.v[i].rf != NULL;
	if (rc == 0)
		printf("digest: load, parse and index %zu rule files (%zu in "
		       "force): %.2f s\n",
		       subs.nr, active, t1 - t0);

	memset(&j, 0, sizeof(j));
	j.st = st;
	j.cfg = &cfg;
	j.templates = templates;
	j.subs = &subs;
	t0 = seconds();
	if (rc == 0)
		rc = digest_job_match(&matched, &j, now);
	t1 = seconds();
	if (rc == 0)
		printf("digest: match every series against them: %zu matches, "
		       "%.2f s\n",
		       matched, t1 - t0);

	t0 = seconds();
	if (rc == 0)
		rc = digest_job_run(&queued, &j, now);
	t1 = seconds();
	if (rc == 0)
		printf("digest: build, render, compose and queue: %zu digests "
		       "in %.2f s, %.0f digests/s\n",
		       queued, t1 - t0, (double)queued / (t1 - t0));
	getrusage(RUSAGE_SELF, &ru);
	printf("digest: peak RSS %ld MiB\n", ru.ru_maxrss / 1024);

	subscriptions_release(&subs);
	tpl_dir_free(templates);
	store_close(st);
	config_release(&cfg);
	buf_release(&errors);
	buf_release(&rules);
	return rc ? 1 : 0;
}
