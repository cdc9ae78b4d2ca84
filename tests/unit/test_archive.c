/*
 * test_archive.c: the public-inbox archive reader (archive.h).
 *
 * Without arguments: the cmocka unit tests. Archives are built here with
 * libgit2 in a temporary folder, laid out as public-inbox writes them
 * (public-inbox-v2-format(5): one blob "m" per commit, "d" for a removal;
 * public-inbox-v1-format(5): "xx/y{38}" paths named by the SHA-1 of the
 * Message-ID), so each test knows exactly what must come out. The real
 * lore epoch in $PATCHLETTER_SHARED/archives is read in place when there.
 *
 * With arguments it is the driver the integration tests and the
 * benchmark run (it needs nothing but archive.c):
 *
 *   test_archive read [-b BATCH] [-c CURSORS] [-s STOP] [-o DIR] [-q] PATH NAME
 *	one line per item: "add|del EPOCH COMMIT BLOB AUTHOR_TIME LEN SOURCE",
 *	one per batch: "commit SOURCE CURSOR". CURSORS is a file of
 *	"SOURCE CURSOR" lines read first and rewritten (atomically) at each
 *	batch, as the store would; STOP ends cleanly after that many
 *	batches; DIR receives each item's bytes as DIR/1, DIR/2, ...;
 *	-q prints only the figures (messages/s, MB/s) on stderr.
 *   test_archive fetch PATH URL
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <git2.h>

#include "archive.h"
#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "log.h"
#include "xalloc.h"

/* --- a cursor table and an item log, as the store would keep them ----- */

struct cursor {
	char *source;
	char *value;
};

struct record {
	enum archive_item_kind kind;
	unsigned epoch;
	int64_t time;
	char commit[ARCHIVE_OID_HEXSZ + 1];
	char blob[ARCHIVE_OID_HEXSZ + 1];
	char *source;
	char *raw; /* NUL added */
	size_t len;
};

struct sink {
	struct cursor *cursors;
	size_t ncursors, cursors_alloc;
	struct record *recs; /* every item seen, committed or not */
	size_t nrecs, recs_alloc;
	size_t committed; /* recs[0..committed) were committed */
	unsigned batches;
	unsigned
		stop_after; /* stop cleanly after this many batches; 0: never */
	int fail_item_at;   /* fail the Nth item (1-based); 0: never */
	bool keep_raw;
	/* driver only */
	bool print;
	const char *cursor_file;
	const char *out_dir;
	uint64_t items;
};

static void sink_release(struct sink *s)
{
	for (size_t i = 0; i < s->ncursors; i++) {
		free(s->cursors[i].source);
		free(s->cursors[i].value);
	}
	for (size_t i = 0; i < s->nrecs; i++) {
		free(s->recs[i].source);
		free(s->recs[i].raw);
	}
	free(s->cursors);
	free(s->recs);
	memset(s, 0, sizeof(*s));
}

static struct cursor *cursor_find(struct sink *s, const char *source)
{
	for (size_t i = 0; i < s->ncursors; i++)
		if (strcmp(s->cursors[i].source, source) == 0)
			return &s->cursors[i];
	return NULL;
}

static void cursor_put(struct sink *s, const char *source, const char *value)
{
	struct cursor *c = cursor_find(s, source);

	if (!c) {
		XGROW(s->cursors, s->cursors_alloc, s->ncursors + 1);
		c = &s->cursors[s->ncursors++];
		c->source = xstrdup(source);
		c->value = NULL;
	}
	free(c->value);
	c->value = xstrdup(value);
}

static int sink_cursor_get(struct buf *out, const char *source, void *arg)
{
	struct cursor *c = cursor_find(arg, source);

	if (!c)
		return ERR_NOTFOUND;
	buf_adds(out, c->value);
	return 0;
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int r = 0;

	if (!f)
		return -1;
	if (n && fwrite(p, 1, n, f) != n)
		r = -1;
	if (fclose(f) != 0)
		r = -1;
	return r;
}

static int sink_item(const struct archive_item *it, void *arg)
{
	struct sink *s = arg;
	struct record *r;

	s->items++;
	if (s->fail_item_at && s->items == (uint64_t)s->fail_item_at)
		return ERR_TEMP;
	if (s->print)
		printf("%s %u %s %s %" PRId64 " %zu %s\n",
		       it->kind == ARCHIVE_ADD ? "add" : "del", it->epoch,
		       it->commit, it->blob, it->author_time, it->len,
		       it->source);
	if (s->out_dir) {
		char *p = xasprintf("%s/%" PRIu64, s->out_dir, s->items);
		int w = write_file(p, it->raw, it->len);

		free(p);
		if (w)
			return ERR_FAIL;
	}
	if (s->print || s->out_dir)
		return 0; /* the driver keeps nothing */
	XGROW(s->recs, s->recs_alloc, s->nrecs + 1);
	r = &s->recs[s->nrecs++];
	r->kind = it->kind;
	r->epoch = it->epoch;
	r->time = it->author_time;
	memcpy(r->commit, it->commit, sizeof(r->commit));
	memcpy(r->blob, it->blob, sizeof(r->blob));
	r->source = xstrdup(it->source);
	r->len = it->len;
	r->raw = s->keep_raw ? xmemdup0(it->raw, it->len) : NULL;
	return 0;
}

static int save_cursors(const struct sink *s)
{
	char *tmp = xasprintf("%s.tmp", s->cursor_file);
	FILE *f = fopen(tmp, "w");
	int r = 0;

	if (!f) {
		free(tmp);
		return ERR_FAIL;
	}
	for (size_t i = 0; i < s->ncursors; i++)
		fprintf(f, "%s %s\n", s->cursors[i].source,
			s->cursors[i].value);
	if (fclose(f) != 0 || rename(tmp, s->cursor_file) != 0)
		r = ERR_FAIL;
	free(tmp);
	return r;
}

static int sink_commit(const char *source, const char *cursor, void *arg)
{
	struct sink *s = arg;

	cursor_put(s, source, cursor);
	s->committed = s->nrecs;
	s->batches++;
	if (s->print)
		printf("commit %s %s\n", source, cursor);
	if (s->cursor_file && save_cursors(s))
		return ERR_FAIL;
	if (s->stop_after && s->batches >= s->stop_after)
		return 1;
	return 0;
}

/* --- the driver ------------------------------------------------------- */

static int load_cursors(struct sink *s, const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');

		line[strcspn(line, "\n")] = '\0';
		if (!sp)
			continue;
		*sp = '\0';
		cursor_put(s, line, sp + 1);
	}
	fclose(f);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int drive_read(int argc, char **argv)
{
	struct archive_ops ops = {
		.cursor_get = sink_cursor_get,
		.item = sink_item,
		.commit = sink_commit,
	};
	struct archive_stats st;
	struct sink s = {.print = true};
	struct archive *a;
	bool quiet = false;
	double t0;
	int c, r;

	while ((c = getopt(argc, argv, "b:c:s:o:q")) != -1) {
		switch (c) {
		case 'b':
			ops.batch = (unsigned)atoi(optarg);
			break;
		case 'c':
			s.cursor_file = optarg;
			break;
		case 's':
			s.stop_after = (unsigned)atoi(optarg);
			break;
		case 'o':
			s.out_dir = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: test_archive read [-b BATCH] "
				"[-c CURSORS] [-s STOP] [-o DIR] [-q] PATH "
				"NAME\n");
		return 2;
	}
	s.print = !quiet;
	if (s.cursor_file && load_cursors(&s, s.cursor_file)) {
		perror(s.cursor_file);
		return 1;
	}
	if (archive_open(&a, argv[optind], argv[optind + 1]))
		return 1;
	t0 = now();
	r = archive_sync(&st, a, &ops, &s);
	t0 = now() - t0;
	archive_free(a);
	fflush(stdout);
	fprintf(stderr,
		"archive: epochs=%" PRIu64 " commits=%" PRIu64 " added=%" PRIu64
		" deleted=%" PRIu64 " skipped=%" PRIu64 " bytes=%" PRIu64
		" restarts=%" PRIu64 " batches=%" PRIu64 " result=%d\n",
		st.epochs, st.commits, st.added, st.deleted, st.skipped,
		st.bytes, st.restarts, st.batches, r);
	if (quiet)
		fprintf(stderr, "archive: %.3f s, %.0f messages/s, %.1f MB/s\n",
			t0, (double)(st.added + st.deleted) / t0,
			(double)st.bytes / 1e6 / t0);
	sink_release(&s);
	return r < 0 ? 1 : 0;
}

static int drive(int argc, char **argv)
{
	log_init("test_archive", true,
		 getenv("ARCHIVE_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (strcmp(argv[1], "read") == 0)
		return drive_read(argc - 1, argv + 1);
	if (strcmp(argv[1], "fetch") == 0 && argc == 4)
		return archive_fetch(argv[2], argv[3]) ? 1 : 0;
	fprintf(stderr, "usage: test_archive [read ...|fetch PATH URL]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return drive(argc, argv);
	return 0;
}
