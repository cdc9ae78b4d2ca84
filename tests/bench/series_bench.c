/*
 * series_bench.c: how fast series assembly and supersession run (issue 4).
 *
 *   series_bench [-b BATCH] [-N BIG] [-a ARRIVALS] [-f FILL] [DIR]
 *
 * 1. One batch: BATCH (default 100000) messages of synthetic list traffic
 *    (series_traffic.h) stored and assembled in one transaction into a
 *    new store: messages per second, series and edges made.
 * 2. One at a time into a big store: a new store is filled with BIG
 *    (default 1000000) messages, FILL (default 10000) per transaction,
 *    through the same path (the fill rate is printed per tenth, which
 *    shows whether the cost grows with the store); then ARRIVALS
 *    (default 2000) more messages of later traffic arrive one per
 *    transaction. Printed: the cost of storing and placing one message
 *    (median, 90th and 99th percentile, worst) and of its commit (one
 *    fsync, synchronous=FULL), and store_check_plans() on the filled
 *    store: every statement by index.
 *
 * Stores go to DIR (default: a temporary folder, removed after).
 */
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "series.h"
#include "series_traffic.h"
#include "store.h"
#include "xalloc.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of the process: the disk's speed left out. */
static double cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Store and place message i of t, inside the caller's transaction. */
static int arrive(struct store *s, const struct traffic *t, size_t i)
{
	struct message m = MESSAGE_INIT;
	int64_t id;
	int rc;

	traffic_message(&m, t, i);
	rc = store_message_add(&id, s, &m, "bench", m.date);
	if (rc == 0)
		rc = series_add_message(s, id, &m, m.date);
	else if (rc == ERR_EXISTS)
		rc = 0;
	store_message_release(&m);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int counts(struct store *s, const char *what)
{
	struct store_stats st;

	if (store_stats(&st, s))
		return -1;
	printf("%s: %" PRId64 " messages, %" PRId64 " series, %" PRId64
	       " supersessions\n",
	       what, st.messages, st.series, st.supersessions);
	return 0;
}

/*
 * Check the store against the plan: every series is one posting (its
 * first posting's work and version), every edge joins a version to the
 * next of its work, and every such pair is joined.
 */
static int check(struct store *s, const struct traffic *t)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct store_edge *e;
	size_t i, j, nr, right = 0, wrong = 0;
	uint32_t w0, w1;
	unsigned v0, v1;
	char *mid;
	int rc;

	rc = store_series_list(&ids, s, true);
	for (i = 0; rc == 0 && i < ids.nr; i++) {
		rc = store_edges(&e, &nr, s, ids.v[i], false);
		for (j = 0; rc == 0 && j < nr; j++) {
			rc = store_series_first_posting(&mid, s,
							e[j].old_series);
			if (rc == 0 && traffic_posting_of(&w0, &v0, mid))
				rc = -1;
			free(mid);
			if (rc == 0)
				rc = store_series_first_posting(
					&mid, s, e[j].new_series);
			if (rc == 0 && traffic_posting_of(&w1, &v1, mid))
				rc = -1;
			free(mid);
			if (rc == 0 && w0 == w1 && v1 == v0 + 1)
				right++;
			else if (rc == 0)
				wrong++;
		}
		store_edges_free(e, nr);
	}
	store_ids_release(&ids);
	if (rc == 0)
		printf("check: %zu edges against the generator's plan: %zu "
		       "right, %zu wrong, %zu missed\n",
		       right + wrong, right, wrong,
		       traffic_expected_edges(t) - right);
	return rc;
}

static struct store *open_store(const char *dir, const char *name)
{
	struct store *s;
	char *path = xasprintf("%s/%s", dir, name);

	if (store_open(&s, path, STORE_CREATE))
		s = NULL;
	free(path);
	return s;
}

static int batch(const char *dir, size_t n)
{
	struct traffic t;
	struct store *s = open_store(dir, "batch.db");
	double t0, t1, c0, c1;
	size_t i;
	int rc;

	if (!s)
		return -1;
	traffic_plan(&t, n, 1, 1, 1700000000);
	c0 = cpu();
	t0 = now();
	rc = store_begin(s);
	for (i = 0; rc == 0 && i < t.nr_events; i++)
		rc = arrive(s, &t, i);
	if (rc == 0)
		rc = store_commit(s);
	t1 = now();
	c1 = cpu();
	if (rc == 0) {
		printf("batch: %zu messages stored and assembled in one "
		       "transaction: %.1f s, %.0f messages/s, %.1f us per "
		       "message (%.1f us of CPU, the generator's included)\n",
		       t.nr_events, t1 - t0, t.nr_events / (t1 - t0),
		       1e6 * (t1 - t0) / t.nr_events,
		       1e6 * (c1 - c0) / t.nr_events);
		rc = counts(s, "batch");
	}
	if (rc == 0)
		rc = check(s, &t);
	traffic_release(&t);
	store_close(s);
	return rc;
}

static int big(const char *dir, size_t n, size_t fill, size_t arrivals)
{
	struct traffic t, later;
	struct store *s = open_store(dir, "big.db");
	double *cost = NULL, *commit = NULL, t0, t1, t2, start;
	size_t i, tenth;
	int rc = 0;

	if (!s)
		return -1;
	traffic_plan(&t, n, 2, 2, 1600000000);
	tenth = t.nr_events / 10 ? t.nr_events / 10 : 1;
	start = t0 = now();
	for (i = 0; rc == 0 && i < t.nr_events; i++) {
		if (i % fill == 0)
			rc = store_begin(s);
		if (rc == 0)
			rc = arrive(s, &t, i);
		if (rc == 0 && (i % fill == fill - 1 || i == t.nr_events - 1))
			rc = store_commit(s);
		if (rc == 0 && (i + 1) % tenth == 0) {
			t1 = now();
			printf("fill: messages %zu-%zu: %.0f messages/s\n",
			       i + 1 - tenth, i, tenth / (t1 - t0));
			fflush(stdout);
			t0 = t1;
		}
	}
	if (rc == 0)
		printf("fill: %zu messages, %zu per transaction: %.0f "
		       "messages/s overall\n",
		       t.nr_events, fill, t.nr_events / (now() - start));
	if (rc == 0)
		rc = counts(s, "fill");

	/* Later traffic, one message per transaction. */
	traffic_plan(&later, arrivals, 3, 3, traffic_end(&t) + 60);
	if (later.nr_events > arrivals)
		later.nr_events = arrivals;
	cost = xcalloc(later.nr_events, sizeof(*cost));
	commit = xcalloc(later.nr_events, sizeof(*commit));
	for (i = 0; rc == 0 && i < later.nr_events; i++) {
		rc = store_begin(s);
		t0 = now();
		if (rc == 0)
			rc = arrive(s, &later, i);
		t1 = now();
		if (rc == 0)
			rc = store_commit(s);
		t2 = now();
		cost[i] = 1e6 * (t1 - t0);
		commit[i] = 1e6 * (t2 - t1);
	}
	if (rc == 0) {
		size_t k = later.nr_events;

		qsort(cost, k, sizeof(*cost), cmp_double);
		qsort(commit, k, sizeof(*commit), cmp_double);
		printf("arrival: %zu messages one per transaction into a store "
		       "of %zu: store and place %.0f us median, %.0f us p90, "
		       "%.0f us p99, %.0f us worst; commit %.0f us median\n",
		       k, t.nr_events, cost[k / 2], cost[k * 9 / 10],
		       cost[k * 99 / 100], cost[k - 1], commit[k / 2]);
		rc = store_check_plans(s);
		printf("plans: every statement by index: %s\n",
		       rc == 0 ? "yes" : "NO");
	}
	free(cost);
	free(commit);
	traffic_release(&later);
	traffic_release(&t);
	store_close(s);
	return rc;
}

int main(int argc, char **argv)
{
	size_t nbatch = 100000, nbig = 1000000, arrivals = 2000, fill = 10000;
	char tmpl[] = "/tmp/series_bench.XXXXXX", *dir = NULL;
	bool temp = false;
	int c, rc;

	while ((c = getopt(argc, argv, "b:N:a:f:")) != -1) {
		size_t v = (size_t)strtoul(optarg, NULL, 10);

		switch (c) {
		case 'b':
			nbatch = v;
			break;
		case 'N':
			nbig = v;
			break;
		case 'a':
			arrivals = v;
			break;
		case 'f':
			fill = v;
			break;
		default:
			fprintf(stderr,
				"usage: series_bench [-b BATCH] [-N BIG] "
				"[-a ARRIVALS] [-f FILL] [DIR]\n");
			return 2;
		}
	}
	if (fill == 0 || arrivals == 0) {
		fprintf(stderr, "series_bench: -f and -a must be positive\n");
		return 2;
	}
	if (optind < argc) {
		dir = argv[optind];
	} else {
		dir = mkdtemp(tmpl);
		temp = true;
	}
	if (!dir)
		return 1;
	rc = nbatch ? batch(dir, nbatch) : 0;
	if (rc == 0 && nbig)
		rc = big(dir, nbig, fill, arrivals);
	if (temp)
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc ? 1 : 0;
}
