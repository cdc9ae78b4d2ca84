/*
 * cmd_ingest.c: `patchletter ingest`: mail containers into the store.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "archive.h"
#include "bounds.h"
#include "backfill.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "ingest.h"
#include "log.h"
#include "mbox.h"
#include "progress.h"
#include "store.h"
#include "xalloc.h"

/* Messages per transaction: one fsync per batch, and a bounded redo. */
#define INGEST_BATCH 500

struct ingest_run {
	struct ingest ing;
	struct progress progress;
	char *source; /* owned: "mbox:PATH", "maildir:PATH" */
	uint64_t bytes_before; /* of earlier paths, for the progress line */
};

static int on_message(const struct mbox_msg *msg, void *arg)
{
	struct ingest_run *run = arg;
	struct ingest *ing = &run->ing;
	int rc;

	if (msg->truncated)
		rc = ingest_add_unparsed(ing, msg->data, msg->len,
					 "longer than the message size limit",
					 run->source);
	else
		rc = ingest_add(ing, msg->data, msg->len, run->source);
	if (rc == 0 && ing->in_batch >= INGEST_BATCH)
		rc = ingest_commit(ing, NULL, NULL);
	progress_update(&run->progress,
			ing->stats.seen + ing->batch.seen,
			run->bytes_before + ing->stats.bytes + ing->batch.bytes);
	return rc;
}

static uint64_t input_size(const char *path)
{
	struct stat st;

	if (!strcmp(path, "-") || stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;
	return (uint64_t)st.st_size;
}

/*
 * A public-inbox archive (a v2 inbox, or one bare repository such as a
 * `git clone --mirror` of lore's URL/0), named for its cursors by the
 * last component of its path. ERR_NOTFOUND when path holds none.
 */
static int ingest_archive(struct ingest_run *run, const char *path)
{
	struct archive_stats stats;
	struct archive *a = NULL;
	const char *base = strrchr(path, '/');
	char name[ARCHIVE_MAX_NAME_BYTES];
	size_t n, i;
	int rc;

	while (base && !base[1] && base > path) {
		/* "dir/": the component before the slash */
		const char *p = base - 1;

		while (p > path && *p != '/')
			p--;
		base = p;
	}
	base = base ? (*base == '/' ? base + 1 : base) : path;
	n = strcspn(base, "/");
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	for (i = 0; i < n; i++)
		name[i] = base[i] > ' ' && base[i] < 0x7f ? base[i] : '_';
	name[n] = '\0';
	rc = archive_open(&a, path, n ? name : "archive");
	if (rc)
		return rc;
	rc = backfill_archive(&stats, &run->ing, a, &run->progress, NULL);
	archive_free(a);
	return rc;
}

static int ingest_path(struct ingest_run *run, const char *path,
		       enum mbox_quoting quoting)
{
	enum mbox_kind kind = MBOX_KIND_MBOX;
	struct stat st;
	int rc;

	/* A directory that is no Maildir may be a public-inbox archive. */
	if (strcmp(path, "-") && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = ingest_archive(run, path);
		if (rc != ERR_NOTFOUND)
			return rc;
	}
	if (strcmp(path, "-")) {
		rc = mbox_detect(&kind, path);
		if (rc)
			return rc;
	}
	free(run->source);
	run->source = xasprintf("%s:%s",
				kind == MBOX_KIND_MAILDIR ? "maildir"
				: kind == MBOX_KIND_FILE  ? "file"
							  : "mbox",
				strcmp(path, "-") ? path : "stdin");
	if (!strcmp(path, "-"))
		rc = mbox_read_fd(STDIN_FILENO, "stdin", quoting, on_message,
				  run);
	else
		rc = mbox_read_path(path, quoting, on_message, run);
	if (rc == 0)
		rc = ingest_commit(&run->ing, NULL, NULL);
	else
		ingest_abort(&run->ing);
	return rc;
}

int cmd_ingest(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"mboxo", no_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	enum mbox_quoting quoting = MBOX_RD;
	struct ingest_run run;
	struct config cfg = {0};
	struct store *st = NULL;
	uint64_t total = 0;
	double secs;
	int opt, i, rc, ex;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'o')
			return EX_USAGE;
		quoting = MBOX_O;
	}
	if (optind >= argc) {
		fprintf(stderr, "patchletter ingest: name an mbox, a Maildir "
				"or a mail file (or - for standard input)\n");
		return EX_USAGE;
	}
	ex = cli_config(&cfg, g);
	if (ex == 0)
		ex = cli_store(&st, g, &cfg, true);
	if (ex) {
		config_release(&cfg);
		return ex;
	}
	memset(&run, 0, sizeof(run));
	ingest_init(&run.ing, st);
	for (i = optind; i < argc; i++)
		total += input_size(argv[i]);
	progress_init(&run.progress, total);

	for (i = optind, rc = 0; i < argc && rc == 0; i++) {
		rc = ingest_path(&run, argv[i], quoting);
		run.bytes_before += input_size(argv[i]);
	}
	progress_done(&run.progress);
	secs = progress_elapsed(&run.progress);
	printf("ingest: %llu messages: %llu stored, %llu duplicates, "
	       "%llu unparsed%s (%.1f s, %.0f messages/s)\n",
	       (unsigned long long)run.ing.stats.seen,
	       (unsigned long long)run.ing.stats.stored,
	       (unsigned long long)run.ing.stats.duplicates,
	       (unsigned long long)run.ing.stats.unparsed,
	       run.ing.stats.deleted ? ", some deleted by the archive" : "",
	       secs,
	       secs > 0 ? (double)run.ing.stats.seen / secs : 0.0);
	free(run.source);
	store_close(st);
	config_release(&cfg);
	switch (rc) {
	case 0:
		return 0;
	case ERR_NOTFOUND:
		return EX_NOINPUT;
	case ERR_TEMP:
		return EX_TEMPFAIL;
	case ERR_PERM:
		return EX_DATAERR;
	}
	return EX_SOFTWARE;
}
