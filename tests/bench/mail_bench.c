/*
 * mail_bench.c: how fast the mbox reader and mail_parse() go, in CPU
 * time, over mboxes given on the command line (the lore exports of the
 * shared corpus, say). Not part of `make check`. Build and run:
 *
 *   make && cc -std=c11 -D_GNU_SOURCE -O2 -Ibot -o build/mail_bench \
 *	tests/bench/mail_bench.c
 *build/bot/{mail,mbox,person,buf,xalloc,log,utf8}.o \
 *	$(pkg-config --libs libetpan)
 *   build/mail_bench -n 5 ../shared/corpus/lore-linux-kbuild/ *.mbox
 *
 * Each round splits every file (streamed) and parses every message; the
 * best round is reported, as messages and MB per CPU second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "err.h"
#include "log.h"
#include "mail.h"
#include "mbox.h"

struct totals {
	size_t msgs, bytes, limits, perms;
};

static int parse_one(const struct mbox_msg *msg, void *arg)
{
	struct totals *t = arg;
	struct mail m = MAIL_INIT;
	int r = mail_parse(&m, msg->data, msg->len);

	t->msgs++;
	t->bytes += msg->len;
	t->limits += r == ERR_LIMIT;
	t->perms += r == ERR_PERM;
	mail_release(&m);
	return 0;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	int rounds = 3, first = 1, round, i;
	double best = 0;
	struct totals t = {0};

	log_init("mail_bench", true, LOG_LEVEL_WARN);
	if (argc > 2 && !strcmp(argv[1], "-n")) {
		rounds = atoi(argv[2]);
		first = 3;
	}
	if (first >= argc || rounds < 1) {
		fprintf(stderr, "usage: mail_bench [-n rounds] mbox...\n");
		return 2;
	}
	for (round = 0; round < rounds; round++) {
		double start = cpu_seconds(), s;

		memset(&t, 0, sizeof(t));
		for (i = first; i < argc; i++)
			if (mbox_read_path(argv[i], MBOX_RD, parse_one, &t))
				return 1;
		s = cpu_seconds() - start;
		if (!round || s < best)
			best = s;
	}
	printf("%zu messages, %.1f MB (%zu over a limit, %zu not mail): "
	       "%.3f s CPU, %.0f messages/s, %.0f MB/s\n",
	       t.msgs, t.bytes / 1e6, t.limits, t.perms, best, t.msgs / best,
	       t.bytes / 1e6 / best);
	return 0;
}
