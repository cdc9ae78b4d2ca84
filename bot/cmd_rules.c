/*
 * cmd_rules.c: `patchletter rules check|explain|match`: a rule file
 * checked the way one that arrives by mail is (rulefile_parse(), against
 * the configured lists and MAINTAINERS), explained against one stored
 * series, or run against every stored series.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "bounds.h"
#include "buf.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "maintainers.h"
#include "maintainers_source.h"
#include "match.h"
#include "rulefile.h"
#include "series_facts.h"
#include "store.h"
#include "tzdb.h"
#include "xalloc.h"

struct rules_run {
	struct config cfg;
	struct maintainers *m; /* NULL: none configured */
	struct rulefile *rf;
	struct rulefile_list *lists;
	struct store *st;
};

/*
 * Read at most max + 1 bytes of path (stdin for "-") into out: one byte
 * more than allowed is enough for the parser to refuse the file, and a
 * stranger's 10 GB file is never read whole.
 */
static int read_capped(struct buf *out, const char *path, size_t max)
{
	char chunk[65536];
	ssize_t n = 0;
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC)
				   : STDIN_FILENO;

	if (fd < 0) {
		fprintf(stderr, "patchletter: %s: %s\n", path, strerror(errno));
		return EX_NOINPUT;
	}
	while (out->len <= max) {
		size_t want = max + 1 - out->len;

		n = read(fd, chunk,
			 want < sizeof(chunk) ? want : sizeof(chunk));
		if (n <= 0)
			break;
		buf_add(out, chunk, (size_t)n);
	}
	if (n < 0) {
		fprintf(stderr, "patchletter: %s: %s\n", path, strerror(errno));
		if (fd != STDIN_FILENO)
			close(fd);
		return EX_IOERR;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return 0;
}

/* The configuration and, when one is at hand, MAINTAINERS. */
static int load_context(struct rules_run *run, const struct cli_globals *g,
			const char *maintainers_path)
{
	struct buf errors = BUF_INIT;
	int ex, rc;

	ex = cli_config(&run->cfg, g);
	if (ex)
		return ex;
	rc = maintainers_source_load(&run->m, maintainers_path,
				     &run->cfg.maintainers, &errors);
	/* Lines of MAINTAINERS this code cannot use: for the curious. */
	if (errors.len)
		log_info("%s", errors.data);
	buf_release(&errors);
	if (rc && rc != ERR_NOTFOUND)
		return EX_NOINPUT;
	return 0;
}

static int load_rules(struct rules_run *run, const char *path)
{
	struct rulefile_options o = {run->m, NULL, 0, tzdb_has, NULL};
	struct buf text = BUF_INIT, errors = BUF_INIT;
	int ex;

	run->lists = xcalloc(run->cfg.nlists + 1, sizeof(*run->lists));
	for (size_t k = 0; k < run->cfg.nlists; k++) {
		run->lists[k].name = run->cfg.lists[k].name;
		run->lists[k].list_id = run->cfg.lists[k].list_id;
	}
	o.lists = run->lists;
	o.nr_lists = run->cfg.nlists;
	ex = read_capped(&text, path, RULEFILE_MAX_BYTES);
	if (ex == 0 &&
	    rulefile_parse(&run->rf, path, text.data, text.len, &o, &errors))
		ex = EX_DATAERR;
	/* The errors, or the notes of a good file. */
	fputs(errors.data, stderr);
	buf_release(&errors);
	buf_release(&text);
	return ex;
}

static void run_release(struct rules_run *run)
{
	rulefile_free(run->rf);
	maintainers_free(run->m);
	store_close(run->st);
	free(run->lists);
	config_release(&run->cfg);
}

static void summary(struct buf *out, const char *path,
		    const struct rulefile *rf)
{
	const struct rulefile_digest *d = &rf->digest;
	static const char *const days[] = {"Sunday",	"Monday",   "Tuesday",
					   "Wednesday", "Thursday", "Friday",
					   "Saturday"};

	buf_addf(out, "%s: ok: %zu rule%s (", path, rf->nr_rules,
		 rf->nr_rules == 1 ? "" : "s");
	for (size_t k = 0; k < rf->nr_rules; k++)
		buf_addf(out, "%s%s", k ? ", " : "", rf->rules[k].name);
	buf_addf(out, "), %zu value%s; digest %s", rf->nr_values,
		 rf->nr_values == 1 ? "" : "s",
		 rulefile_frequency_name(d->frequency));
	if (d->frequency == RULEFILE_FREQ_WEEKLY)
		buf_addf(out, " on %s", days[d->weekday % 7]);
	if (d->frequency == RULEFILE_FREQ_DAILY ||
	    d->frequency == RULEFILE_FREQ_WEEKLY)
		buf_addf(out, " at %02d:%02d %s", d->hour, d->minute,
			 d->timezone);
	buf_addf(out, ", %s", rulefile_format_name(d->format));
	if (d->max_bytes)
		buf_addf(out, ", at most %zu bytes", d->max_bytes);
	buf_addch(out, '\n');
}

static int do_check(struct rules_run *run, const char *path)
{
	struct buf out = BUF_INIT;
	int ex = load_rules(run, path);

	if (ex)
		return ex;
	summary(&out, path, run->rf);
	fputs(out.data, stdout);
	buf_release(&out);
	return 0;
}

static int parse_id(int64_t *out, const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v <= 0) {
		fprintf(stderr,
			"patchletter rules: '%s' is not a series id "
			"(see patchletter series --all)\n",
			s);
		return EX_USAGE;
	}
	*out = v;
	return 0;
}

static int do_explain(struct rules_run *run, const struct cli_globals *g,
		      const char *path, const char *id_text)
{
	struct series_facts f = SERIES_FACTS_INIT;
	struct buf out = BUF_INIT;
	int64_t id;
	int ex, rc;

	ex = parse_id(&id, id_text);
	if (!ex)
		ex = load_rules(run, path);
	if (!ex)
		ex = cli_store(&run->st, g, &run->cfg, false);
	if (ex)
		return ex;
	rc = series_facts_load(&f, run->st, id);
	if (rc == ERR_NOTFOUND) {
		fprintf(stderr,
			"patchletter rules: no series %" PRId64
			" in the store\n",
			id);
		return EX_NOINPUT;
	}
	if (rc)
		return EX_SOFTWARE;
	match_explain(&out, run->rf, run->m, &f.view);
	fputs(out.data, stdout);
	buf_release(&out);
	series_facts_release(&f);
	return 0;
}

static int do_match(struct rules_run *run, const struct cli_globals *g,
		    const char *path)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct match_index *ix = NULL;
	struct buf out = BUF_INIT;
	int ex, rc = 0;

	ex = load_rules(run, path);
	if (!ex)
		ex = cli_store(&run->st, g, &run->cfg, false);
	if (ex)
		return ex;
	ix = match_index_new(run->m);
	match_index_add(ix, run->rf, 0);
	rc = store_series_list(&ids, run->st, true);
	for (size_t k = 0; rc == 0 && k < ids.nr; k++) {
		struct series_facts f = SERIES_FACTS_INIT;
		struct match_hits hits = MATCH_HITS_INIT;

		rc = series_facts_load(&f, run->st, ids.v[k]);
		if (rc)
			break;
		match_index_query(&hits, ix, &f.view);
		if (hits.nr) {
			buf_reset(&out);
			buf_addf(&out, "%5" PRId64 "  v%-2d %s%s  (", f.view.id,
				 f.view.version, f.view.rfc ? "[RFC] " : "",
				 f.view.title);
			for (size_t h = 0; h < hits.nr; h++)
				buf_addf(&out, "%s'%s'", h ? ", " : "",
					 hits.v[h]
						 .rf->rules[hits.v[h].rule]
						 .name);
			buf_adds(&out, ")\n");
			fputs(out.data, stdout);
		}
		match_hits_release(&hits);
		series_facts_release(&f);
	}
	if (rc)
		ex = EX_SOFTWARE;
	buf_release(&out);
	store_ids_release(&ids);
	match_index_free(ix);
	return ex;
}

int cmd_rules(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"maintainers", required_argument, NULL, 'm'},
		{NULL, 0, NULL, 0},
	};
	struct rules_run run;
	const char *maintainers_path = NULL, *action;
	int opt, ex, n;

	memset(&run, 0, sizeof(run));
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'm')
			return EX_USAGE;
		maintainers_path = optarg;
	}
	if (optind >= argc)
		goto usage;
	action = argv[optind];
	n = argc - optind - 1;
	if (!((!strcmp(action, "check") && n == 1) ||
	      (!strcmp(action, "explain") && n == 2) ||
	      (!strcmp(action, "match") && n == 1)))
		goto usage;
	ex = load_context(&run, g, maintainers_path);
	if (ex == 0) {
		if (!strcmp(action, "check"))
			ex = do_check(&run, argv[optind + 1]);
		else if (!strcmp(action, "explain"))
			ex = do_explain(&run, g, argv[optind + 1],
					argv[optind + 2]);
		else
			ex = do_match(&run, g, argv[optind + 1]);
	}
	if (ex == 0 && fflush(stdout))
		ex = EX_IOERR;
	run_release(&run);
	return ex;
usage:
	fprintf(stderr, "usage: patchletter rules check [--maintainers PATH] "
			"FILE\n"
			"       patchletter rules explain [--maintainers PATH] "
			"FILE SERIES-ID\n"
			"       patchletter rules match [--maintainers PATH] "
			"FILE\n");
	return EX_USAGE;
}
