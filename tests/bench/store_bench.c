/*
 * store_bench.c: how fast the store takes and finds messages.
 *
 *   store_bench [-n MESSAGES] [-b BATCH] [-l LOOKUPS] [DIR]
 *
 * Fills a new store in DIR (default: a temporary folder, removed after)
 * with MESSAGES (default 1000000) lore-sized messages, BATCH (default
 * 1000) per transaction, then looks LOOKUPS (default 200000) random
 * Message-IDs up and loads a sample of messages whole. Also times a few
 * hundred single-message transactions, which pay one fsync each
 * (synchronous=FULL). Prints one line per figure.
 *
 * Build: cc -O2 -Ibot tests/bench/store_bench.c bot/store.c bot/person.c
 *        bot/buf.c bot/xalloc.c bot/log.c bot/utf8.c bot/json.c -lsqlite3
 */
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "store.h"
#include "xalloc.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *message_id(unsigned i)
{
	return xasprintf("20240101%08u.%u-bench@mail.example.org", i,
			 i * 2654435761u);
}

/* A patch mail of lore's usual size: 3 references, paths and trailers. */
static void build(struct message *m, unsigned i)
{
	struct buf body = BUF_INIT;
	size_t k;

	*m = (struct message)MESSAGE_INIT;
	m->mail.message_id = message_id(i);
	m->mail.in_reply_to = message_id(i - i % 8);
	m->mail.nr_references = 3;
	m->mail.references = xcalloc(3, sizeof(char *));
	for (k = 0; k < 3; k++)
		m->mail.references[k] = message_id(i - i % 8 + (unsigned)k);
	m->mail.list_id = xstrdup("linux-kernel.vger.kernel.org");
	m->mail.date = 1700000000 + (int64_t)i * 30;
	person_set(&m->mail.from, "Some Developer", "dev@example.org");
	m->mail.subject = xasprintf("[PATCH v%u %u/7] subsys: change %u",
				    1 + i % 3, i % 8, i);
	while (body.len < 3000)
		buf_addf(&body,
			 "Line %zu of the commit message of change %u, as "
			 "long as real ones are.\n",
			 body.len, i);
	m->mail.body_len = body.len;
	m->mail.body = buf_detach(&body, NULL);
	m->tags.title = xasprintf("subsys: change %u", i);
	m->tags.version = 1 + (int)(i % 3);
	m->tags.number = (int)(i % 8);
	m->tags.total = 7;
	m->tags.patch = true;
	person_set(&m->author, "Some Developer", "dev@example.org");
	m->date = m->mail.date;
	m->kind = i % 8 ? MESSAGE_PATCH : MESSAGE_COVER;
	m->patch.message_len = m->mail.body_len;
	m->patch.nr_paths = 3;
	m->patch.paths = xcalloc(3, sizeof(char *));
	for (k = 0; k < 3; k++)
		m->patch.paths[k] =
			xasprintf("drivers/subsys/file%zu_%u.c", k, i % 1000);
	m->patch.nr_trailers = 3;
	m->patch.trailers = xcalloc(3, sizeof(struct trailer));
	for (k = 0; k < 3; k++) {
		m->patch.trailers[k].name = xstrdup("Reviewed-by");
		m->patch.trailers[k].value =
			xasprintf("Reviewer %zu <r%zu@example.org>", k, k);
	}
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int insert(struct store *s, unsigned from, unsigned n, unsigned batch)
{
	struct message m;
	unsigned i;
	int64_t id;

	for (i = from; i < from + n; i++) {
		if ((i - from) % batch == 0 && store_begin(s))
			return -1;
		build(&m, i);
		if (store_message_add(&id, s, &m, "bench", 0)) {
			store_message_release(&m);
			return -1;
		}
		store_message_release(&m);
		if (((i - from) % batch == batch - 1 || i == from + n - 1) &&
		    store_commit(s))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned n = 1000000, batch = 1000, lookups = 200000, single = 300;
	unsigned i, step, found = 0;
	char tmpl[] = "/tmp/store_bench.XXXXXX", *dir = NULL, *path;
	struct message m = MESSAGE_INIT;
	struct store *s;
	struct stat st;
	double t0, t;
	int64_t id;
	int c;

	while ((c = getopt(argc, argv, "n:b:l:")) != -1) {
		switch (c) {
		case 'n':
			n = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'b':
			batch = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'l':
			lookups = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: store_bench [-n MESSAGES] "
					"[-b BATCH] [-l LOOKUPS] [DIR]\n");
			return 2;
		}
	}
	if (n == 0 || batch == 0) {
		fprintf(stderr, "store_bench: -n and -b must be positive\n");
		return 2;
	}
	if (optind < argc)
		dir = argv[optind];
	else if (!(dir = mkdtemp(tmpl)))
		return 1;
	path = xasprintf("%s/bench.db", dir);
	if (store_open(&s, path, STORE_CREATE))
		return 1;

	/* Batches: the ingest path's shape. */
	t0 = now();
	step = n / 10 ? n / 10 : n;
	for (i = 0; i < n; i += step) {
		unsigned k = n - i < step ? n - i : step;

		t = now();
		if (insert(s, i, k, batch))
			return 1;
		printf("insert: messages %u-%u: %.0f messages/s\n", i,
		       i + k - 1, k / (now() - t));
		fflush(stdout);
	}
	printf("insert: %u messages in batches of %u: %.0f messages/s "
	       "overall\n",
	       n, batch, n / (now() - t0));

	/* One transaction per message: one fsync each. */
	t = now();
	if (insert(s, n, single, 1))
		return 1;
	printf("insert: %u messages one per transaction: %.0f messages/s\n",
	       single, single / (now() - t));

	/* Lookups of random Message-IDs, half of them absent. */
	srand(1);
	t = now();
	for (i = 0; i < lookups; i++) {
		unsigned k = (unsigned)rand() % (2 * n);
		char *mid = message_id(k);

		found += store_message_find(&id, s, mid) == 0;
		free(mid);
	}
	printf("lookup: %u Message-IDs in a store of %u: %.0f lookups/s "
	       "(%u found)\n",
	       lookups, n + single, lookups / (now() - t), found);

	t = now();
	for (i = 0; i < lookups / 10; i++) {
		id = 1 + (int64_t)((unsigned)rand() % n);
		if (store_message_load(&m, s, id))
			return 1;
		store_message_release(&m);
	}
	printf("load: %u whole messages: %.0f loads/s\n", lookups / 10,
	       (lookups / 10) / (now() - t));
	store_close(s);
	if (stat(path, &st) == 0)
		printf("file: %.1f MiB, %.0f bytes per message\n",
		       st.st_size / 1048576.0,
		       (double)st.st_size / (n + single));
	if (optind >= argc)
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(path);
	return 0;
}
