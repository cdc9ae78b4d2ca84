/*
 * bench_match.c: series against 10,000 subscribers' rule files.
 *
 *   bench_match MAINTAINERS [-s SUBSCRIBERS] [-r RULES] [-n SERIES]
 *               [-w DIR]
 *
 * Builds SUBSCRIBERS rule files (default 10,000) of RULES rules each
 * (default 10) from what the real MAINTAINERS holds (F: patterns, section
 * names, M: addresses, L: lists, words of file names for keywords and
 * subjects), parses each with rulefile_parse() as a mailed one would be,
 * indexes them all, then matches SERIES series (default 200) of 50
 * touched files each, in 10 patches with changed lines, against the index:
 * sections (F:, N: and K:), path patterns, keywords, the lot. Prints the
 * time per series, series per second on one core, the candidates and
 * matches per series, and the memory the rule files and the index take.
 * With -w DIR it also writes each series' patches there (DIR/sNNN-pMM.patch)
 * for timing get_maintainer.pl on the same input (tests/bench/run.sh).
 *
 * Inputs are generated from a fixed seed: two runs see the same data.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "maintainers.h"
#include "match.h"
#include "rulefile.h"
#include "xalloc.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * This thread's CPU time: a series' cost without the time other
 * processes of a shared machine took the core away (which shows in the
 * wall-clock figure printed beside it).
 */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Resident memory, from /proc/self/statm, in bytes. */
static size_t rss(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

/* Bytes allocated and in use (glibc's count; RSS also holds free holes). */
static size_t in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static uint64_t seed = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (uint32_t)(seed % n);
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

/* --- what MAINTAINERS offers --------------------------------------------- */

struct strs {
	char **v;
	size_t nr, alloc;
};

static void strs_add(struct strs *s, char *owned)
{
	XGROW(s->v, s->alloc, s->nr + 1);
	s->v[s->nr++] = owned;
}

static const char *pick(const struct strs *s)
{
	return s->v[rnd((uint32_t)s->nr)];
}

struct pools {
	struct strs patterns; /* F: values usable in a rule file */
	struct strs dirs;     /* F: values ending in '/' */
	struct strs files;    /* F: values without wildcards or '/' end */
	struct strs sections; /* names */
	struct strs people;   /* M: addresses */
	struct strs lists;    /* L: as List-Ids */
	struct strs words;    /* file-name words, for keywords, subjects */
};

static bool plain(const char *s)
{
	return !strpbrk(s, "*?[\\\"'{}$#");
}

/* "Name <addr>" -> addr; NULL when there is none. */
static char *address_of(const char *v)
{
	const char *lt = strchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	if (!lt || !gt || gt - lt < 4)
		return NULL;
	return xmemdup0(lt + 1, (size_t)(gt - lt - 1));
}

/* "kvm@vger.kernel.org (...)" -> "kvm.vger.kernel.org". */
static char *list_id_of(const char *v)
{
	size_t n = strcspn(v, " \t(");
	char *id = xmemdup0(v, n), *at = strchr(id, '@');

	if (!at || strchr(at + 1, '@')) {
		free(id);
		return NULL;
	}
	*at = '.';
	return id;
}

/* The words of a path's last component, 4 bytes or more. */
static void add_words(struct strs *words, const char *path)
{
	const char *base = strrchr(path, '/');
	char w[64];
	size_t n = 0;

	base = base ? base + 1 : path;
	for (const char *p = base;; p++) {
		if ((*p >= 'a' && *p <= 'z') || *p == '_' ||
		    (*p >= '0' && *p <= '9' && n)) {
			if (n < sizeof(w) - 1)
				w[n++] = *p;
			continue;
		}
		if (n >= 4) {
			w[n] = '\0';
			strs_add(words, xstrdup(w));
		}
		n = 0;
		if (!*p)
			break;
	}
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Each value once: a subscriber picks a list or a person, not a mention
 * of one, so LKML (named by hundreds of sections) is no likelier than
 * any other list.
 */
static void strs_unique(struct strs *s)
{
	size_t n = 0;

	qsort(s->v, s->nr, sizeof(*s->v), cmp_strp);
	for (size_t k = 0; k < s->nr; k++) {
		if (n && !strcmp(s->v[n - 1], s->v[k]))
			free(s->v[k]);
		else
			s->v[n++] = s->v[k];
	}
	s->nr = n;
}

static void collect(struct pools *p, const struct maintainers *m)
{
	for (size_t i = 0; i < maintainers_count(m); i++) {
		const struct maintainers_section *s = maintainers_section(m, i);

		/* THE REST holds every file: following it is following
		 * everything, which no rule file needs sections for. */
		if (plain(s->name) && strlen(s->name) < 200 &&
		    strcmp(s->name, "THE REST"))
			strs_add(&p->sections, xstrdup(s->name));
		for (size_t k = 0; k < s->nr_entries; k++) {
			const struct maintainers_entry *e = &s->entries[k];
			size_t n = strlen(e->value);
			char *x;

			if (e->type == 'F' && n && n < 200 &&
			    !strpbrk(e->value, "\\\"'{}$# ")) {
				strs_add(&p->patterns, xstrdup(e->value));
				if (e->value[n - 1] == '/' && plain(e->value))
					strs_add(&p->dirs, xstrdup(e->value));
				else if (plain(e->value))
					strs_add(&p->files, xstrdup(e->value));
				add_words(&p->words, e->value);
			} else if (e->type == 'M' &&
				   (x = address_of(e->value))) {
				strs_add(&p->people, x);
			} else if (e->type == 'L' &&
				   (x = list_id_of(e->value))) {
				strs_add(&p->lists, x);
			}
		}
	}
	strs_unique(&p->people);
	strs_unique(&p->lists);
	strs_unique(&p->words);
}

static void strs_release(struct strs *s)
{
	for (size_t k = 0; k < s->nr; k++)
		free(s->v[k]);
	free(s->v);
}

/* --- rule files ------------------------------------------------------------
 */

/* Values of option opt, picked from `from`, each between pre and post. */
static void values(struct buf *b, const char *opt, const struct strs *from,
		   const char *pre, const char *post)
{
	buf_addf(b, "\t%s = {", opt);
	for (uint32_t k = 0, n = 1 + rnd(3); k < n; k++)
		buf_addf(b, "%s\"%s%s%s\"", k ? ", " : " ", pre, pick(from),
			 post);
	buf_adds(b, " }\n");
}

static char *rule_file(const struct pools *p, int rules)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "digest {\n\tfrequency = daily\n\ttime = \"%02u:00\"\n}\n",
		 rnd(24));
	for (int r = 0; r < rules; r++) {
		uint32_t kind = rnd(100);

		buf_addf(&b, "rule \"r%d\" {\n", r);
		/* The mix: mostly paths and sections, as maintainers and
		 * reviewers subscribe. */
		if (kind < 35)
			values(&b, "paths", &p->patterns, "", "");
		else if (kind < 60)
			values(&b, "sections", &p->sections, "", "");
		else if (kind < 75)
			values(&b, "authors", &p->people, "", "");
		else if (kind < 85)
			values(&b, "keywords", &p->words, "", "");
		else if (kind < 95)
			values(&b, "lists", &p->lists, "", "");
		else
			values(&b, "subject", &p->words, "*", "*");
		if (!rnd(4))
			values(&b, "lists", &p->lists, "", "");
		if (!rnd(6))
			values(&b, "exclude-paths", &p->dirs, "", "");
		if (!rnd(5))
			buf_adds(&b, "\trfc = no\n");
		if (!rnd(8))
			buf_adds(&b, "\tversions = all\n");
		buf_adds(&b, "}\n");
	}
	return buf_detach(&b, NULL);
}

/* --- series ------------------------------------------------------------------
 */

#define FILES	50
#define PATCHES 10

struct gen_series {
	char *paths[FILES];
	char *texts[PATCHES];
	struct match_patch patches[PATCHES];
	char *title;
	const char *author, *list;
	struct match_series s;
};

/* A path under pattern p: its directory, or itself, or wildcards filled. */
static char *path_under(const char *p, int k)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(p);

	if (n && p[n - 1] == '/') {
		buf_addf(&b, "%sfile%d.c", p, k);
	} else {
		for (const char *c = p; *c; c++) {
			if (*c == '*')
				buf_addf(&b, "x%d", k);
			else if (*c == '?')
				buf_addch(&b, 'q');
			else if (*c == '[') {
				c++;
				if (*c == '^')
					c++;
				buf_addch(&b, *c == ']' ? 'z' : *c);
				while (*c && *c != ']')
					c++;
				if (!*c)
					break;
			} else {
				buf_addch(&b, *c);
			}
		}
	}
	return buf_detach(&b, NULL);
}

static void gen_series(struct gen_series *g, const struct pools *p, int id)
{
	const char *areas[3];
	int nareas = 1 + (int)rnd(3);

	memset(g, 0, sizeof(*g));
	for (int a = 0; a < nareas; a++)
		areas[a] = pick(&p->patterns);
	for (int k = 0; k < FILES; k++)
		g->paths[k] = path_under(areas[rnd((uint32_t)nareas)], k);
	g->title = xasprintf("%s: fix the %s handling", pick(&p->words),
			     pick(&p->words));
	g->author = pick(&p->people);
	g->list = pick(&p->lists);
	for (int pt = 0; pt < PATCHES; pt++) {
		struct buf b = BUF_INIT;
		size_t diff_off;

		buf_addf(&b,
			 "Subject: [PATCH %d/%d] %s\n\nThis changes %s and "
			 "%s.\n\nSigned-off-by: A U Thor <%s>\n---\n",
			 pt + 1, PATCHES, g->title, pick(&p->words),
			 pick(&p->words), g->author);
		diff_off = b.len;
		for (int f = pt * (FILES / PATCHES);
		     f < (pt + 1) * (FILES / PATCHES); f++) {
			const char *path = g->paths[f];

			buf_addf(&b,
				 "diff --git a/%s b/%s\nindex 1111111..2222222 "
				 "100644\n--- a/%s\n+++ b/%s\n@@ -10,8 +10,8 "
				 "@@\n",
				 path, path, path, path);
			/*
			 * Changed lines: identifiers of their own, and now
			 * and then a word of the pool (which keyword rules
			 * are made of), as real diffs now and then touch
			 * what someone watches.
			 */
			for (int l = 0; l < 4; l++)
				buf_addf(&b, " \tcontext_%u(x);\n",
					 rnd(1000000));
			for (int l = 0; l < 8; l++)
				buf_addf(&b, "%c\tret = v%u_call(dev, %s);\n",
					 l < 4 ? '-' : '+', rnd(1000000),
					 rnd(40) ? "0" : pick(&p->words));
		}
		buf_adds(&b, "-- \n2.47.1\n");
		g->patches[pt].len = b.len;
		g->texts[pt] = buf_detach(&b, NULL);
		g->patches[pt].text = g->texts[pt];
		g->patches[pt].diff = g->texts[pt] + diff_off;
		g->patches[pt].diff_len =
			g->patches[pt].len - diff_off - strlen("-- \n2.47.1\n");
	}
	g->s.id = id;
	g->s.title = g->title;
	g->s.version = 1 + (int)rnd(3);
	g->s.rfc = rnd(10) == 0;
	g->s.newest = rnd(5) != 0;
	g->s.list_id = g->list;
	g->s.author_name = "A U Thor";
	g->s.author_address = g->author;
	g->s.paths = (const char *const *)g->paths;
	g->s.nr_paths = FILES;
	g->s.patches = g->patches;
	g->s.nr_patches = PATCHES;
	g->s.reviews = (int)rnd(3);
}

static void gen_release(struct gen_series *g)
{
	for (int k = 0; k < FILES; k++)
		free(g->paths[k]);
	for (int k = 0; k < PATCHES; k++)
		free(g->texts[k]);
	free(g->title);
}

static void write_patches(const char *dir, const struct gen_series *v, int nr)
{
	if (mkdir(dir, 0755) && errno != EEXIST) {
		perror(dir);
		exit(2);
	}
	for (int i = 0; i < nr; i++) {
		for (int k = 0; k < PATCHES; k++) {
			char *path = xasprintf("%s/s%03d-p%02d.patch", dir, i,
					       k + 1);
			FILE *f = fopen(path, "w");

			if (!f) {
				perror(path);
				exit(2);
			}
			fwrite(v[i].texts[k], 1, v[i].patches[k].len, f);
			fclose(f);
			free(path);
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int subscribers = 10000, rules = 10, nseries = 200, opt;
	const char *write_dir = NULL;
	struct maintainers *m = NULL;
	struct pools p;
	struct rulefile **rfs;
	struct match_index *ix;
	struct match_stats st;
	struct gen_series *series;
	struct buf errors = BUF_INIT;
	size_t len, rss0, rss1, rss2, use0, use1, use2;
	size_t cands = 0, matches = 0, values_total = 0;
	double t, t_parse, t_index, wall = 0, *per;
	char *text;
	int rounds = 5;

	while ((opt = getopt(argc, argv, "s:r:n:w:")) != -1) {
		switch (opt) {
		case 's':
			subscribers = atoi(optarg);
			break;
		case 'r':
			rules = atoi(optarg);
			break;
		case 'n':
			nseries = atoi(optarg);
			break;
		case 'w':
			write_dir = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || subscribers < 1 || rules < 1 || nseries < 1)
		goto usage;

	text = slurp(argv[optind], &len);
	if (maintainers_parse(&m, text, len, NULL, &errors)) {
		fprintf(stderr, "cannot parse %s\n", argv[optind]);
		return 1;
	}
	free(text);
	memset(&p, 0, sizeof(p));
	collect(&p, m);
	printf("pools from MAINTAINERS: %zu F: patterns, %zu sections, %zu "
	       "M: addresses, %zu L: lists, %zu words\n",
	       p.patterns.nr, p.sections.nr, p.people.nr, p.lists.nr,
	       p.words.nr);

	/* The rule files, parsed as mailed ones are. */
	rss0 = rss();
	use0 = in_use();
	rfs = xcalloc((size_t)subscribers, sizeof(*rfs));
	t = now();
	for (int s = 0; s < subscribers; s++) {
		struct rulefile_options o = {m, NULL, 0, NULL, NULL};
		char *rf_text = rule_file(&p, rules);

		buf_reset(&errors);
		if (rulefile_parse(&rfs[s], "bench", rf_text, strlen(rf_text),
				   &o, &errors)) {
			fprintf(stderr, "%s%s", rf_text, errors.data);
			return 1;
		}
		values_total += rfs[s]->nr_values;
		free(rf_text);
	}
	t_parse = now() - t;
	rss1 = rss();
	use1 = in_use();

	t = now();
	ix = match_index_new(m);
	for (int s = 0; s < subscribers; s++)
		match_index_add(ix, rfs[s], s);
	t_index = now() - t;
	rss2 = rss();
	use2 = in_use();
	match_index_stats(&st, ix);

	printf("rule files: %d subscribers x %d rules, %zu values; parsed "
	       "in %.2f s (%.0f us per file)\n",
	       subscribers, rules, values_total, t_parse,
	       t_parse / subscribers * 1e6);
	printf("index: %zu rules, %zu distinct path patterns, %zu keywords, "
	       "%zu subject literals; anchored on authors %zu, paths %zu, "
	       "keywords %zu, subject %zu, sections %zu, lists %zu, always "
	       "%zu; built in %.0f ms\n",
	       st.rules, st.path_patterns, st.keywords, st.subject_literals,
	       st.anchored[RULE_AUTHORS], st.anchored[RULE_PATHS],
	       st.anchored[RULE_KEYWORDS], st.anchored[RULE_SUBJECT],
	       st.anchored[RULE_SECTIONS], st.anchored[RULE_LISTS], st.always,
	       t_index * 1e3);
	printf("memory: rule files %.1f MiB allocated (%.1f MiB resident, "
	       "%.0f bytes per subscriber), index %.1f MiB allocated (%.1f "
	       "MiB resident)\n",
	       (double)(use1 - use0) / (1 << 20),
	       (double)(rss1 - rss0) / (1 << 20),
	       (double)(use1 - use0) / subscribers,
	       (double)(use2 - use1) / (1 << 20),
	       (double)(rss2 - rss1) / (1 << 20));

	series = xcalloc((size_t)nseries, sizeof(*series));
	for (int i = 0; i < nseries; i++)
		gen_series(&series[i], &p, i + 1);
	if (write_dir)
		write_patches(write_dir, series, nseries);

	/* Warm up once, then time every series, several rounds. */
	per = xcalloc((size_t)nseries * (size_t)rounds, sizeof(*per));
	for (int r = -1; r < rounds; r++) {
		if (r == 0)
			wall = now();
		for (int i = 0; i < nseries; i++) {
			struct match_hits hits = MATCH_HITS_INIT;

			t = cpu_now();
			match_index_query(&hits, ix, &series[i].s);
			t = cpu_now() - t;
			if (r >= 0) {
				per[r * nseries + i] = t;
			} else {
				match_index_stats(&st, ix);
				cands += st.candidates;
				matches += hits.nr;
			}
			match_hits_release(&hits);
		}
	}
	wall = now() - wall;
	qsort(per, (size_t)nseries * (size_t)rounds, sizeof(*per), cmp_double);
	{
		size_t n = (size_t)nseries * (size_t)rounds;
		double sum = 0;

		for (size_t k = 0; k < n; k++)
			sum += per[k];
		printf("series of %d files in %d patches, %d series x %d "
		       "rounds, CPU time per series: %.3f ms mean, %.3f ms "
		       "median, %.3f ms p99; %.0f series/s on one core (wall "
		       "clock: %.0f series/s)\n",
		       FILES, PATCHES, nseries, rounds, sum / (double)n * 1e3,
		       per[n / 2] * 1e3, per[n * 99 / 100] * 1e3,
		       (double)n / sum, (double)n / wall);
		printf("per series: %.0f candidate rules verified, %.1f "
		       "matching (of %zu rules)\n",
		       (double)cands / nseries, (double)matches / nseries,
		       st.rules);
	}

	for (int i = 0; i < nseries; i++)
		gen_release(&series[i]);
	free(series);
	free(per);
	match_index_free(ix);
	for (int s = 0; s < subscribers; s++)
		rulefile_free(rfs[s]);
	free(rfs);
	strs_release(&p.patterns);
	strs_release(&p.dirs);
	strs_release(&p.files);
	strs_release(&p.sections);
	strs_release(&p.people);
	strs_release(&p.lists);
	strs_release(&p.words);
	buf_release(&errors);
	maintainers_free(m);
	return 0;
usage:
	fprintf(stderr,
		"usage: %s MAINTAINERS [-s SUBSCRIBERS] [-r RULES] "
		"[-n SERIES] [-w DIR]\n",
		argv[0]);
	return 2;
}
