/*
 * cmd_maintainers.c: `patchletter maintainers sections`: the MAINTAINERS
 * sections of files or patches, one a line, as `get_maintainer.pl
 * --subsystem` lists them (rules/maintainers.h says how exactly).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "bounds.h"
#include "buf.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "maintainers.h"
#include "maintainers_source.h"
#include "xalloc.h"

/* Print the sections of r not printed yet. */
static void print_new(const struct maintainers *m,
		      const struct maintainers_result *r, unsigned char *seen)
{
	for (size_t k = 0; k < r->nr; k++) {
		size_t i = r->v[k].section;

		if (seen[i])
			continue;
		seen[i] = 1;
		printf("%s\n", maintainers_section(m, i)->name);
	}
}

/*
 * As get_maintainer.pl: an argument naming a file is a patch (or a mail
 * holding one), unless --paths; "-" is a patch on standard input; any
 * other argument is a path in the tree (get_maintainer.pl -f).
 */
static bool is_patch(const char *arg, bool paths_only)
{
	struct stat st;

	if (paths_only)
		return false;
	return !strcmp(arg, "-") ||
	       (stat(arg, &st) == 0 && S_ISREG(st.st_mode));
}

static int read_patch(struct buf *out, const char *arg)
{
	FILE *f = strcmp(arg, "-") ? fopen(arg, "rb") : stdin;
	char chunk[65536];
	size_t n;
	int ex = 0;

	if (!f) {
		log_warn("%s", arg);
		return EX_NOINPUT;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > MAIL_MAX_BYTES) {
			log_warnx("%s: larger than %u bytes", arg,
				  MAIL_MAX_BYTES);
			ex = EX_DATAERR;
			break;
		}
		buf_add(out, chunk, n);
	}
	if (!ex && ferror(f)) {
		log_warn("%s", arg);
		ex = EX_IOERR;
	}
	if (f != stdin)
		fclose(f);
	return ex;
}

static int sections(const struct maintainers *m, int argc, char **argv,
		    bool paths_only)
{
	struct maintainers_result r = MAINTAINERS_RESULT_INIT;
	unsigned char *seen = xcalloc(maintainers_count(m) + 1, 1);
	const char **paths = xcalloc((size_t)argc + 1, sizeof(*paths));
	size_t nr_paths = 0;
	int ex = 0;

	/* The paths together, as one get_maintainer.pl -f run. */
	for (int k = 0; k < argc; k++)
		if (!is_patch(argv[k], paths_only))
			paths[nr_paths++] = argv[k];
	if (nr_paths) {
		maintainers_match_files(&r, m, paths, nr_paths, NULL, 0);
		print_new(m, &r, seen);
		maintainers_result_release(&r);
	}
	/* Then each patch. */
	for (int k = 0; !ex && k < argc; k++) {
		struct buf text = BUF_INIT;

		if (!is_patch(argv[k], paths_only))
			continue;
		ex = read_patch(&text, argv[k]);
		if (!ex &&
		    maintainers_match_patch(&r, m, text.data, text.len)) {
			log_warnx("%s: names more than %u paths", argv[k],
				  PATCH_MAX_FILES);
			ex = EX_DATAERR;
		}
		if (!ex)
			print_new(m, &r, seen);
		maintainers_result_release(&r);
		buf_release(&text);
	}
	free(paths);
	free(seen);
	return ex;
}

int cmd_maintainers(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"maintainers", required_argument, NULL, 'm'},
		{"paths", no_argument, NULL, 'p'},
		{NULL, 0, NULL, 0},
	};
	struct config cfg = {0};
	struct maintainers *m = NULL;
	struct buf errors = BUF_INIT;
	const char *path = NULL;
	bool paths_only = false;
	int opt, ex, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'm')
			path = optarg;
		else if (opt == 'p')
			paths_only = true;
		else
			return EX_USAGE;
	}
	if (argc - optind < 2 || strcmp(argv[optind], "sections")) {
		fprintf(stderr, "usage: patchletter maintainers sections "
				"[--maintainers PATH] [--paths] "
				"FILE.patch|PATH...\n");
		return EX_USAGE;
	}
	ex = cli_config(&cfg, g);
	if (ex)
		return ex;
	rc = maintainers_source_load(&m, path, &cfg.maintainers, &errors);
	if (errors.len)
		log_info("%s", errors.data);
	if (rc == ERR_NOTFOUND) {
		fprintf(stderr, "patchletter maintainers: no MAINTAINERS: give "
				"--maintainers PATH or configure maintainers "
				"{ file = ... } or { git = ... }\n");
		ex = EX_CONFIG;
	} else if (rc) {
		ex = EX_NOINPUT;
	} else {
		ex = sections(m, argc - optind - 1, argv + optind + 1,
			      paths_only);
	}
	if (ex == 0 && fflush(stdout))
		ex = EX_IOERR;
	buf_release(&errors);
	maintainers_free(m);
	config_release(&cfg);
	return ex;
}
