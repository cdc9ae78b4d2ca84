/*
 * bench_maintainers.c: how fast MAINTAINERS loads and answers.
 *
 *   bench_maintainers MAINTAINERS [--print] PATCH...
 *
 * Loads and indexes MAINTAINERS (timed, best of several runs), reads each
 * PATCH (a mail or a git format-patch file), then times:
 *   - path lookups: every path of every patch, one at a time;
 *   - whole patches: paths and K: keywords, as maintainers_match_patch().
 * With --print it prints each patch's sections instead, one per line after
 * a "== PATCH" line, in the order `get_maintainer.pl --subsystem` uses.
 *
 * Build (until `make bench` is wired):
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Ibot -Irules -o build/bench_maintainers \
 *      tests/bench/bench_maintainers.c rules/glob.c rules/pathindex.c \
 *      rules/perlre.c rules/litscan.c rules/maintainers.c bot/buf.c \
 *      bot/xalloc.c bot/log.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "maintainers.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Grow an array of string pointers, or die (a benchmark may). */
static const char **realloc_array(const char **v, size_t n)
{
	const char **p = realloc(v, n * sizeof(*p));

	if (!p) {
		perror("realloc");
		exit(2);
	}
	return p;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;

	if (!f) {
		perror(path);
		exit(2);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b, len);
}

int main(int argc, char **argv)
{
	struct maintainers *m = NULL;
	struct maintainers_stats st;
	char *text, **patch;
	size_t len, *plen, nr_patches, total_paths = 0, total_hits = 0;
	bool print = false;
	int first = 2, runs = 5;
	double t, best = 1e9;

	if (argc < 2) {
		fprintf(stderr, "usage: %s MAINTAINERS [--print] PATCH...\n",
			argv[0]);
		return 2;
	}
	if (argc > 2 && !strcmp(argv[2], "--print")) {
		print = true;
		first = 3;
	}
	text = slurp(argv[1], &len);
	for (int r = 0; r < (print ? 1 : runs); r++) {
		struct buf errors = BUF_INIT;

		maintainers_free(m);
		t = now();
		if (maintainers_parse(&m, text, len, NULL, &errors)) {
			fprintf(stderr, "cannot parse %s\n", argv[1]);
			return 1;
		}
		t = now() - t;
		if (t < best)
			best = t;
		if (r == 0 && errors.len)
			fputs(errors.data, stderr);
		buf_release(&errors);
	}
	nr_patches = (size_t)(argc - first);
	patch = calloc(nr_patches + 1, sizeof(*patch));
	plen = calloc(nr_patches + 1, sizeof(*plen));
	for (size_t i = 0; i < nr_patches; i++)
		patch[i] = slurp(argv[first + (int)i], &plen[i]);

	if (print) {
		for (size_t i = 0; i < nr_patches; i++) {
			struct maintainers_result r = MAINTAINERS_RESULT_INIT;

			maintainers_match_patch(&r, m, patch[i], plen[i]);
			printf("== %s\n", argv[first + (int)i]);
			for (size_t k = 0; k < r.nr; k++)
				printf("%s\n",
				       maintainers_section(m, r.v[k].section)
					       ->name);
			maintainers_result_release(&r);
		}
		goto out;
	}

	maintainers_stats(&st, m);
	printf("MAINTAINERS: %zu bytes, %zu sections, %zu F:, %zu X:, "
	       "%zu N: (%zu unfiltered), %zu K: (%zu unfiltered), "
	       "%zu directory buckets\n",
	       len, st.sections, st.patterns, st.excludes, st.regexes,
	       st.regexes_always, st.keywords, st.keywords_always, st.buckets);
	printf("load+index: %.2f ms (best of %d)\n", best * 1e3, runs);

	/* Path lookups, one path at a time. */
	{
		char ***paths = calloc(nr_patches + 1, sizeof(*paths));
		size_t *nr = calloc(nr_patches + 1, sizeof(*nr));
		size_t lookups = 0;
		int reps = 0;

		for (size_t i = 0; i < nr_patches; i++) {
			maintainers_patch_paths(&paths[i], &nr[i], patch[i],
						plen[i]);
			total_paths += nr[i];
		}
		t = now();
		do {
			for (size_t i = 0; i < nr_patches; i++) {
				for (size_t k = 0; k < nr[i]; k++) {
					struct maintainers_result r =
						MAINTAINERS_RESULT_INIT;
					const char *p = paths[i][k];

					maintainers_match_files(&r, m, &p, 1,
								NULL, 0);
					total_hits += r.nr;
					maintainers_result_release(&r);
					lookups++;
				}
			}
			reps++;
		} while (now() - t < 1.0);
		t = now() - t;
		printf("path lookups: %zu paths, %.0f lookups/s "
		       "(%.2f us each)\n",
		       total_paths, (double)lookups / t,
		       t / (double)lookups * 1e6);
		for (size_t i = 0; i < nr_patches; i++) {
			for (size_t k = 0; k < nr[i]; k++)
				free(paths[i][k]);
			free(paths[i]);
		}
		free(paths);
		free(nr);
	}

	/*
	 * Series of 50 paths (the budget case): every distinct path
	 * of the patches, in chunks of 50, without K:.
	 */
	{
		const char **all = NULL;
		size_t nr_all = 0, alloc_all = 0, done = 0;
		char ***pp = calloc(nr_patches + 1, sizeof(*pp));
		size_t *pn = calloc(nr_patches + 1, sizeof(*pn));

		for (size_t i = 0; i < nr_patches; i++) {
			maintainers_patch_paths(&pp[i], &pn[i], patch[i],
						plen[i]);
			for (size_t k = 0; k < pn[i]; k++) {
				if (nr_all == alloc_all) {
					alloc_all =
						alloc_all ? 2 * alloc_all : 256;
					all = realloc_array(all, alloc_all);
				}
				all[nr_all++] = pp[i][k];
			}
		}
		t = now();
		do {
			for (size_t i = 0; i + 50 <= nr_all; i += 50) {
				struct maintainers_result r =
					MAINTAINERS_RESULT_INIT;

				maintainers_match_files(&r, m, all + i, 50,
							NULL, 0);
				total_hits += r.nr;
				maintainers_result_release(&r);
				done++;
			}
		} while (done && now() - t < 1.0);
		t = now() - t;
		if (done)
			printf("series of 50 paths: %zu series, %.1f us each\n",
			       nr_all / 50, t / (double)done * 1e6);
		for (size_t i = 0; i < nr_patches; i++) {
			for (size_t k = 0; k < pn[i]; k++)
				free(pp[i][k]);
			free(pp[i]);
		}
		free(pp);
		free(pn);
		free(all);
	}

	/* Whole patches: paths and keywords. */
	{
		size_t done = 0, bytes = 0;

		t = now();
		do {
			for (size_t i = 0; i < nr_patches; i++) {
				struct maintainers_result r =
					MAINTAINERS_RESULT_INIT;

				maintainers_match_patch(&r, m, patch[i],
							plen[i]);
				total_hits += r.nr;
				maintainers_result_release(&r);
				bytes += plen[i];
				done++;
			}
		} while (now() - t < 1.0);
		t = now() - t;
		printf("patches (paths + K:): %zu patches, %.0f patches/s "
		       "(%.1f us each, %.0f MB/s of patch text)\n",
		       nr_patches, (double)done / t, t / (double)done * 1e6,
		       (double)bytes / t / 1e6);
	}
	if (!total_hits)
		printf("(no hits?)\n");
out:
	for (size_t i = 0; i < nr_patches; i++)
		free(patch[i]);
	free(patch);
	free(plen);
	maintainers_free(m);
	free(text);
	return 0;
}
