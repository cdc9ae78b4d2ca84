/*
 * imap_driver.c: run the event loop with one IMAP source against a store,
 * for the integration tests and the latency benchmark, until SIGTERM or
 * SIGINT (exit 0).
 *
 * STAND-IN SINK: the daemon stores mail through ingest_add() and
 * ingest_commit() (ingest.h). Until bot/ingest.c exists, this driver
 * keeps each fetched mail raw in the store's unparsed table, and the
 * cursor, in one transaction per batch: no parser is needed, and the
 * tests still see "stored once, nothing lost, the cursor with the data".
 * What it cannot do is de-duplicate by Message-ID; that is ingest's job.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "imap.h"
#include "log.h"
#include "loop.h"
#include "store.h"
#include "xalloc.h"

#define DRIVER_REASON "imap_driver stand-in sink: kept raw, not parsed"

struct sink {
	struct store *store;
	bool open; /* a transaction is open */
};

static int sink_begin(struct sink *k)
{
	int r;

	if (k->open)
		return 0;
	r = store_begin(k->store);
	if (r == 0)
		k->open = true;
	return r;
}

/* A mail cut at MAIL_MAX_BYTES: kept raw with the reason, as ingest does. */
static int sink_add_cut(void *arg, const char *source, uint32_t uid,
			const char *raw, size_t len, const char *reason)
{
	struct sink *k = arg;
	int r;

	(void)uid;
	r = sink_begin(k);
	if (r < 0)
		return r;
	return store_unparsed_add(NULL, k->store, raw, len, reason, source,
				  (int64_t)time(NULL));
}

/* A whole mail: kept raw too, for want of the parser (see the top). */
static int sink_add(void *arg, const char *source, uint32_t uid,
		    const char *raw, size_t len)
{
	return sink_add_cut(arg, source, uid, raw, len, DRIVER_REASON);
}

static int sink_commit(void *arg, const char *source, const char *cursor)
{
	struct sink *k = arg;
	int r;

	r = sink_begin(k);
	if (r == 0)
		r = store_cursor_set(k->store, source, cursor);
	if (r < 0) {
		store_rollback(k->store);
		k->open = false;
		return r;
	}
	k->open = false;
	return store_commit(k->store);
}

static void sink_abort(void *arg)
{
	struct sink *k = arg;

	if (k->open)
		store_rollback(k->store);
	k->open = false;
}

static int read_password(char **out, const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[256];
	size_t n;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		log_warn("imap_driver: %s", path);
		return ERR_FAIL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	/* The first line, without its end. */
	buf_truncate(&b, strcspn(b.data, "\r\n"));
	*out = buf_detach(&b, NULL);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: imap_driver --store PATH --host HOST --user USER\n"
		"         --password-file FILE --mailbox NAME [--mailbox ...]\n"
		"         [--port N] [--tls implicit|starttls|none] "
		"[--ca-file PEM]\n"
		"         [--auth auto|login|plain] [--select] [--batch N]\n"
		"         [--idle-interval S] [--poll-interval S] "
		"[--timeout S]\n"
		"         [--backoff-min MS] [--backoff-max MS] [--name NAME]\n"
		"         [--trace] [-v]...\n");
}

static int pick(const char *arg, const char *const *names, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		if (!strcmp(arg, names[i]))
			return i;
	return -1;
}

int main(int argc, char **argv)
{
	static const char *const tls_names[] = {"implicit", "starttls", "none"};
	static const char *const auth_names[] = {"auto", "login", "plain"};
	static const struct option opts[] = {
		{"store", required_argument, NULL, 's'},
		{"host", required_argument, NULL, 'H'},
		{"port", required_argument, NULL, 'p'},
		{"tls", required_argument, NULL, 't'},
		{"ca-file", required_argument, NULL, 'C'},
		{"user", required_argument, NULL, 'u'},
		{"password-file", required_argument, NULL, 'P'},
		{"auth", required_argument, NULL, 'a'},
		{"mailbox", required_argument, NULL, 'm'},
		{"select", no_argument, NULL, 'S'},
		{"batch", required_argument, NULL, 'b'},
		{"idle-interval", required_argument, NULL, 'i'},
		{"poll-interval", required_argument, NULL, 'o'},
		{"timeout", required_argument, NULL, 'T'},
		{"backoff-min", required_argument, NULL, 'n'},
		{"backoff-max", required_argument, NULL, 'x'},
		{"name", required_argument, NULL, 'N'},
		{"trace", no_argument, NULL, 'R'},
		{"verbose", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	const char *store_path = NULL, *password_file = NULL;
	const char **mailboxes = NULL;
	struct imap_source *src = NULL;
	struct imap_options o;
	struct store *store = NULL;
	struct loop *loop = NULL;
	struct sink sink = {0};
	struct imap_sink is;
	char *password = NULL;
	size_t nr_mailboxes = 0, alloc = 0;
	int opt, verbose = 0, r, ret = EX_SOFTWARE;

	imap_options_init(&o);
	o.name = "test";
	while ((opt = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			store_path = optarg;
			break;
		case 'H':
			o.host = optarg;
			break;
		case 'p':
			o.port = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 't':
			r = pick(optarg, tls_names, 3);
			if (r < 0)
				goto usage;
			o.tls = (enum imap_tls)r;
			break;
		case 'C':
			o.ca_file = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'P':
			password_file = optarg;
			break;
		case 'a':
			r = pick(optarg, auth_names, 3);
			if (r < 0)
				goto usage;
			o.auth = (enum imap_auth)r;
			break;
		case 'm':
			XGROW(mailboxes, alloc, nr_mailboxes + 1);
			mailboxes[nr_mailboxes++] = optarg;
			break;
		case 'S':
			o.read_only = false;
			break;
		case 'b':
			o.batch_size = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			o.idle_interval = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'o':
			o.poll_interval = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'T':
			o.timeout = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'n':
			o.backoff_min_ms = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'x':
			o.backoff_max_ms = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'N':
			o.name = optarg;
			break;
		case 'R':
			o.trace = true;
			break;
		case 'v':
			verbose++;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || !store_path || !password_file)
		goto usage;
	log_init("imap_driver", true,
		 verbose >= 2	? LOG_LEVEL_DEBUG
		 : verbose == 1 ? LOG_LEVEL_INFO
				: LOG_LEVEL_WARN);
	o.mailboxes = mailboxes;
	o.nr_mailboxes = nr_mailboxes;
	if (read_password(&password, password_file) < 0) {
		ret = EX_NOINPUT;
		goto out;
	}
	o.password = password;
	if (store_open(&store, store_path, STORE_CREATE) < 0 ||
	    loop_new(&loop) < 0 || loop_catch_signals(loop, NULL, NULL) < 0)
		goto out;
	sink.store = store;
	is = (struct imap_sink){.add = sink_add,
				.add_cut = sink_add_cut,
				.commit = sink_commit,
				.abort = sink_abort,
				.arg = &sink};
	if (imap_source_start(&src, loop, store, &o, &is) < 0) {
		ret = EX_CONFIG;
		goto out;
	}
	log_info("imap_driver: running (pid %d)", (int)getpid());
	ret = loop_run(loop) < 0 ? EX_SOFTWARE : 0;
out:
	imap_source_free(src);
	loop_free(loop);
	store_close(store);
	free(password);
	free(mailboxes);
	return ret;
usage:
	usage();
	free(mailboxes);
	return EX_USAGE;
}
