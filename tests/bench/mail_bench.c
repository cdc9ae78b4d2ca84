/*
 * mail_bench.c: how fast the whole parse of a mail goes: the mbox reader
 * (streamed, 1 MiB reads) and message_parse() (headers and MIME, subject
 * tags, patch anatomy) over every message of the mboxes named, one pass.
 * Not part of `make check`; tests/bench/parse.sh runs it several times under
 * /usr/bin/time -v (peak RSS) and reports medians.
 *
 *   mail_bench FILE...
 *
 * Prints one line of figures, "key=value" words that parse.sh reads:
 *   messages bytes cpu_s wall_s limits perms kinds (cover/patch/reply/
 *   pull/other) msgs_per_cpu_s mb_per_cpu_s
 * CPU seconds (user + system) measure one core's work, whatever else the
 * machine does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "err.h"
#include "log.h"
#include "mbox.h"
#include "message.h"

struct totals {
	size_t msgs, bytes, limits, perms;
	size_t kinds[MESSAGE_PULL + 1];
};

static int parse_one(const struct mbox_msg *msg, void *arg)
{
	struct totals *t = arg;
	struct message m = MESSAGE_INIT;
	int r = message_parse(&m, msg->data, msg->len);

	t->msgs++;
	t->bytes += msg->len;
	t->limits += r == ERR_LIMIT;
	t->perms += r == ERR_PERM;
	if (r == 0)
		t->kinds[m.kind]++;
	message_release(&m);
	return 0;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct totals t;
	double cpu, wall;
	int i;

	log_init("mail_bench", true, LOG_LEVEL_QUIET);
	if (argc < 2) {
		fprintf(stderr, "usage: mail_bench mbox...\n");
		return 2;
	}
	memset(&t, 0, sizeof(t));
	cpu = cpu_seconds();
	wall = wall_seconds();
	for (i = 1; i < argc; i++)
		if (mbox_read_path(argv[i], MBOX_RD, parse_one, &t)) {
			fprintf(stderr, "mail_bench: %s: cannot read\n",
				argv[i]);
			return 1;
		}
	cpu = cpu_seconds() - cpu;
	wall = wall_seconds() - wall;
	if (cpu <= 0)
		cpu = 1e-9;
	printf("messages=%zu bytes=%zu cpu_s=%.3f wall_s=%.3f limits=%zu "
	       "perms=%zu cover=%zu patch=%zu reply=%zu pull=%zu other=%zu "
	       "msgs_per_cpu_s=%.0f mb_per_cpu_s=%.1f\n",
	       t.msgs, t.bytes, cpu, wall, t.limits, t.perms,
	       t.kinds[MESSAGE_COVER], t.kinds[MESSAGE_PATCH],
	       t.kinds[MESSAGE_REPLY], t.kinds[MESSAGE_PULL],
	       t.kinds[MESSAGE_OTHER], t.msgs / cpu, t.bytes / 1e6 / cpu);
	return 0;
}
