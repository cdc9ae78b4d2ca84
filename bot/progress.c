/*
 * progress.c: the progress line.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(struct progress *p, uint64_t total)
{
	p->enabled = isatty(STDERR_FILENO);
	p->total = total;
	p->start = now_seconds();
	p->last_draw = 0;
	p->drawn = false;
}

double progress_elapsed(const struct progress *p)
{
	return now_seconds() - p->start;
}

void progress_update(struct progress *p, uint64_t messages, uint64_t bytes)
{
	double t, elapsed, rate;

	if (!p->enabled)
		return;
	t = now_seconds();
	if (t - p->last_draw < 0.1)
		return;
	p->last_draw = t;
	elapsed = t - p->start;
	rate = elapsed > 0 ? (double)messages / elapsed : 0;
	if (p->total && bytes && bytes <= p->total && elapsed > 0.5) {
		double eta = elapsed * (double)(p->total - bytes) / (double)bytes;

		fprintf(stderr,
			"\r%llu messages, %.0f/s, %3.0f%%, ETA %02d:%02d   ",
			(unsigned long long)messages, rate,
			100.0 * (double)bytes / (double)p->total,
			(int)eta / 60, (int)eta % 60);
	} else {
		fprintf(stderr, "\r%llu messages, %.0f/s   ",
			(unsigned long long)messages, rate);
	}
	p->drawn = true;
}

void progress_done(struct progress *p)
{
	if (p->enabled && p->drawn)
		fprintf(stderr, "\r%60s\r", "");
	p->drawn = false;
}
