/*
 * test_rulefile.c: rule files: the examples of rules/examples parse and
 * say what their text says; every error of a file is reported at its own
 * line with a hint (tests/fixtures/rules/errors.rules marks each line
 * that must be reported); and files from strangers cannot reach the
 * environment, name files, or make the bot allocate or compute without
 * bound.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "maintainers.h"
#include "rulefile.h"
#include "testdata.h"
#include "tzdb.h"
#include "xalloc.h"

/* --- helpers ----------------------------------------------------------------
 */

static char *read_fixture(const char *rel, size_t *len)
{
	char *path = testdata_fixture(rel);
	struct buf b = BUF_INIT;

	if (!testdata_read(&b, path))
		print_error("cannot read %s\n", path);
	free(path);
	return buf_detach(&b, len);
}

static struct maintainers *fixture_maintainers(void)
{
	struct maintainers *m = NULL;
	struct buf errors = BUF_INIT;
	size_t len;
	char *text = read_fixture("maintainers/rules.MAINTAINERS", &len);

	assert_int_equal(maintainers_parse(&m, text, len, NULL, &errors), 0);
	free(text);
	buf_release(&errors);
	return m;
}

/* The kernel's MAINTAINERS from the shared corpus, or NULL (skipped). */
static struct maintainers *corpus_maintainers(void)
{
	char *path = testdata_corpus("linux-maintainers/MAINTAINERS");
	struct maintainers *m = NULL;
	struct buf text = BUF_INIT, errors = BUF_INIT;

	if (!path)
		return NULL;
	assert_true(testdata_read(&text, path));
	assert_int_equal(
		maintainers_parse(&m, text.data, text.len, NULL, &errors), 0);
	free(path);
	buf_release(&text);
	buf_release(&errors);
	return m;
}

static const struct rulefile_list two_lists[] = {
	{"kvm", "kvm.vger.kernel.org"},
	{"netdev", "netdev.vger.kernel.org"},
};

static int parse(struct rulefile **out, const char *text,
		 const struct rulefile_options *o, struct buf *errors)
{
	return rulefile_parse(out, "t.rules", text, strlen(text), o, errors);
}

/* The report has a line "NAME:LINE: ..." holding what. */
static bool reported(const char *report, const char *name, int line,
		     const char *what)
{
	char head[256];
	const char *p = report;

	snprintf(head, sizeof(head), "%s:%d: ", name, line);
	while ((p = strstr(p, head))) {
		const char *eol = strchr(p, '\n');
		char *one = xmemdup0(p, eol ? (size_t)(eol - p) : strlen(p));
		bool hit = strstr(one, what) != NULL;

		free(one);
		if (hit)
			return true;
		p += strlen(head);
	}
	return false;
}

/* --- the examples
 * ------------------------------------------------------------- */

static char *example_path(const char *name)
{
	char *fixtures = testdata_fixture("");
	char *path = xasprintf("%s/../../rules/examples/%s", fixtures, name);

	free(fixtures);
	return path;
}

static struct rulefile *parse_example(const char *name,
				      const struct maintainers *m)
{
	struct rulefile_options o = {m, NULL, 0, tzdb_has, NULL};
	struct rulefile *rf = NULL;
	struct buf text = BUF_INIT, errors = BUF_INIT;
	char *path = example_path(name);

	assert_true(testdata_read(&text, path));
	if (rulefile_parse(&rf, name, text.data, text.len, &o, &errors))
		print_error("%s", errors.data);
	assert_non_null(rf);
	/* Without MAINTAINERS the only thing said is the note. */
	if (m)
		assert_int_equal(errors.len, 0);
	free(path);
	buf_release(&text);
	buf_release(&errors);
	return rf;
}

/* Every *.rules file of rules/examples parses without an error. */
static void test_examples_all_parse(void **state)
{
	struct maintainers *m = corpus_maintainers();
	char *dir = example_path("");
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 7 || strcmp(de->d_name + len - 6, ".rules"))
			continue;
		rulefile_free(parse_example(de->d_name, m));
		n++;
	}
	closedir(d);
	/* maintainer, reviewer, keywords, weekly. */
	assert_true(n >= 4);
	free(dir);
	maintainers_free(m);
}

/* What maintainer.rules says, read off its text. */
static void test_example_maintainer(void **state)
{
	struct rulefile *rf = parse_example("maintainer.rules", NULL);
	const struct rule *svm, *people;

	(void)state;
	assert_int_equal(rf->digest.frequency, RULEFILE_FREQ_DAILY);
	assert_int_equal(rf->digest.hour, 7);
	assert_int_equal(rf->digest.minute, 0);
	assert_string_equal(rf->digest.timezone, "Europe/Berlin");
	assert_int_equal(rf->digest.format, RULEFILE_FORMAT_TEXT);
	assert_int_equal(rf->nr_rules, 2);
	svm = &rf->rules[0];
	people = &rf->rules[1];
	assert_string_equal(svm->name, "svm");
	assert_int_equal(svm->inc[RULE_PATHS].nr, 3);
	assert_string_equal(svm->inc[RULE_PATHS].v[0].text,
			    "arch/x86/kvm/svm/");
	assert_int_equal(svm->inc[RULE_PATHS].v[0].line, 15);
	assert_int_equal(svm->versions, RULE_VERSIONS_NEWEST);
	assert_int_equal(svm->rfc, RULE_RFC_YES);
	assert_string_equal(people->name, "people");
	assert_int_equal(people->inc[RULE_AUTHORS].nr, 3);
	assert_int_equal(people->inc[RULE_AUTHORS].v[0].kind,
			 RULE_AUTHOR_ADDRESS);
	assert_int_equal(people->inc[RULE_AUTHORS].v[1].kind, RULE_AUTHOR_NAME);
	assert_string_equal(people->inc[RULE_AUTHORS].v[1].key,
			    "paula maintainer");
	assert_int_equal(people->inc[RULE_AUTHORS].v[2].line, 27);
	rulefile_free(rf);
}

static void test_example_weekly(void **state)
{
	struct rulefile *rf = parse_example("weekly.rules", NULL);
	const struct rule *r = &rf->rules[0];

	(void)state;
	assert_int_equal(rf->digest.frequency, RULEFILE_FREQ_WEEKLY);
	assert_int_equal(rf->digest.weekday, 5); /* friday */
	assert_int_equal(rf->digest.hour, 16);
	assert_int_equal(rf->digest.max_bytes, 2u << 20);
	assert_int_equal(r->inc[RULE_LISTS].nr, 1);
	assert_int_equal(r->inc[RULE_LISTS].v[0].kind, RULE_LIST_ID);
	assert_string_equal(r->inc[RULE_LISTS].v[0].key, "kvm.vger.kernel.org");
	assert_int_equal(r->rfc, RULE_RFC_NO);
	assert_int_equal(r->exc[RULE_PATHS].nr, 1);
	rulefile_free(rf);
}

/* reviewer.rules names sections of the real MAINTAINERS. */
static void test_example_reviewer_sections(void **state)
{
	struct maintainers *m = corpus_maintainers();
	struct rulefile *rf;
	size_t idx;

	(void)state;
	if (!m)
		skip();
	rf = parse_example("reviewer.rules", m);
	assert_int_equal(rf->nr_rules, 2);
	assert_int_equal(maintainers_find(&idx, m, "VFIO DRIVER"), 0);
	assert_int_equal(rf->rules[1].inc[RULE_SECTIONS].v[0].section, idx);
	assert_int_equal(rf->rules[1].min_reviews, 1);
	assert_int_equal(rf->digest.format, RULEFILE_FORMAT_BOTH);
	rulefile_free(rf);
	maintainers_free(m);
}

/* --- errors, each at its line ------------------------------------------------
 */

static void test_errors_fixture(void **state)
{
	struct maintainers *m = fixture_maintainers();
	struct rulefile_options o = {m, two_lists, 2, tzdb_has, NULL};
	struct rulefile *rf = NULL;
	struct buf errors = BUF_INIT;
	size_t len, marked = 0;
	char *text = read_fixture("rules/errors.rules", &len);
	const char *line = text, *p;
	int lineno = 1;

	(void)state;
	assert_int_equal(
		rulefile_parse(&rf, "errors.rules", text, len, &o, &errors),
		ERR_PERM);
	assert_null(rf);
	/* Each marked line is reported, with the marked text. */
	while (*line) {
		const char *eol = strchr(line, '\n');
		char *one = xmemdup0(line,
				     eol ? (size_t)(eol - line) : strlen(line));
		const char *mark = strstr(one, "# error: ");

		if (mark && lineno > 4) {
			if (!reported(errors.data, "errors.rules", lineno,
				      mark + 9))
				print_error("line %d: want \"%s\" in:\n%s",
					    lineno, mark + 9, errors.data);
			assert_true(reported(errors.data, "errors.rules",
					     lineno, mark + 9));
			marked++;
		}
		free(one);
		lineno++;
		line = eol ? eol + 1 : line + strlen(line);
	}
	assert_true(marked >= 20);
	/* ... and nothing else is. */
	for (p = errors.data; *p; p = strchr(p, '\n') + 1) {
		int at = 0, cur = 1;
		const char *l = text;

		assert_int_equal(sscanf(p, "errors.rules:%d:", &at), 1);
		while (cur < at && (l = strchr(l, '\n')))
			l++, cur++;
		assert_non_null(l);
		{
			const char *eol = strchr(l, '\n');
			char *one = xmemdup0(l, eol ? (size_t)(eol - l)
						    : strlen(l));

			if (!strstr(one, "# error: "))
				print_error("unmarked line %d reported:\n%s",
					    at, errors.data);
			assert_non_null(strstr(one, "# error: "));
			free(one);
		}
	}
	buf_release(&errors);
	free(text);
	maintainers_free(m);
}

static void expect_error(const char *text, const struct rulefile_options *o,
			 int line, const char *what)
{
	struct rulefile *rf = NULL;
	struct buf errors = BUF_INIT;

	assert_int_equal(parse(&rf, text, o, &errors), ERR_PERM);
	assert_null(rf);
	if (!reported(errors.data, "t.rules", line, what))
		print_error("want t.rules:%d: ...%s... in:\n%s", line, what,
			    errors.data);
	assert_true(reported(errors.data, "t.rules", line, what));
	buf_release(&errors);
}

static void test_digest_checks(void **state)
{
	(void)state;
	expect_error("digest {\n frequency = hourly\n time = \"08:00\"\n}\n"
		     "rule \"x\" { lists = \"kvm\" }\n",
		     NULL, 3, "time applies to daily and weekly digests only");
	expect_error("digest {\n day = monday\n}\n"
		     "rule \"x\" { lists = \"kvm\" }\n",
		     NULL, 2, "day applies to weekly digests only");
	expect_error("digest {\n max-size = 9M\n}\n"
		     "rule \"x\" { lists = \"kvm\" }\n",
		     NULL, 2, "max-size must lie between 4k and 8M");
	expect_error("digest {\n time = \"7:60\"\n}\n"
		     "rule \"x\" { lists = \"kvm\" }\n",
		     NULL, 2, "is not a time of day");
	expect_error("digest {\n}\ndigest {\n}\n"
		     "rule \"x\" { lists = \"kvm\" }\n",
		     NULL, 3, "section 'digest' given twice");
}

static void test_no_rule(void **state)
{
	struct rulefile *rf = NULL;
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(parse(&rf, "digest { }\n", NULL, &errors), ERR_PERM);
	assert_non_null(strstr(errors.data, "t.rules: no rule: add"));
	buf_release(&errors);
}

static void test_time_zones(void **state)
{
	struct rulefile_options o = {NULL, NULL, 0, tzdb_has, NULL};
	struct rulefile *rf = NULL;
	struct buf errors = BUF_INIT;
	static const char *const shapes_ok[] = {
		"UTC",	     "Europe/Paris", "America/Argentina/Buenos_Aires",
		"Etc/GMT+5", "EST5EDT",
	};
	static const char *const shapes_bad[] = {
		"",
		"/etc/localtime",
		"Europe/../../etc/passwd",
		"..",
		"Europe//Paris",
		"Europe/Paris/",
		".hidden",
		"Europe/.x",
		"Europe/Par is",
		"Europe\\Paris",
		"Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"
		"Bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	};

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(shapes_ok); k++)
		assert_true(tzdb_name_ok(shapes_ok[k]));
	for (size_t k = 0; k < ARRAY_SIZE(shapes_bad); k++)
		assert_false(tzdb_name_ok(shapes_bad[k]));

	/* The system's database (tzdata is a dependency of Debian's libc). */
	assert_true(tzdb_has("Europe/Paris", NULL));
	assert_true(tzdb_has("UTC", NULL));
	assert_false(tzdb_has("Mars/Olympus_Mons", NULL));
	/* A directory is not a zone. */
	assert_false(tzdb_has("Europe", NULL));

	assert_int_equal(parse(&rf,
			       "digest { timezone = \"Asia/Kolkata\" }\n"
			       "rule \"x\" { lists = \"kvm\" }\n",
			       &o, &errors),
			 0);
	assert_string_equal(rf->digest.timezone, "Asia/Kolkata");
	rulefile_free(rf);
	expect_error("digest {\n timezone = \"Mars/Olympus_Mons\"\n}\n"
		     "rule \"x\" { lists = \"kvm\" }\n",
		     &o, 2, "unknown time zone 'Mars/Olympus_Mons'");
	expect_error("digest {\n timezone = \"/etc/localtime\"\n}\n"
		     "rule \"x\" { lists = \"kvm\" }\n",
		     &o, 2, "is not a tz database name");
	buf_release(&errors);
}

/* A zoneinfo directory of our own: a file that is not TZif is refused. */
static void test_tzdb_dir(void **state)
{
	char dir[] = "/tmp/patchletter-tz.XXXXXX";
	char *good, *bad;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	good = xasprintf("%s/Good", dir);
	bad = xasprintf("%s/Bad", dir);
	f = fopen(good, "w");
	assert_non_null(f);
	fputs("TZif2\n", f);
	fclose(f);
	f = fopen(bad, "w");
	assert_non_null(f);
	fputs("root:x:0:0\n", f);
	fclose(f);
	assert_true(tzdb_has("Good", dir));
	assert_false(tzdb_has("Bad", dir));
	assert_false(tzdb_has("Missing", dir));
	unlink(good);
	unlink(bad);
	rmdir(dir);
	free(good);
	free(bad);
}

/* --- values
 * --------------------------------------------------------------------- */

static void test_defaults_and_keys(void **state)
{
	struct rulefile *rf = NULL;
	struct buf errors = BUF_INIT;
	const struct rule *r;

	(void)state;
	assert_int_equal(
		parse(&rf,
		      "rule \"x\" {\n"
		      "  lists = { \"kvm\", \"<Netdev.vger.kernel.org>\", "
		      "\"linux-mm@kvack.org\" }\n"
		      "  authors = { \"  Paula   MAINTAINER \", "
		      "\"Ada <Ada@Example.COM>\", \"*@AMD.com\" }\n"
		      "  subject = \"KVM: SVM:*\"\n"
		      "  keywords = \"Cond_Resched\"\n"
		      "}\n",
		      NULL, &errors),
		0);
	assert_int_equal(errors.len, 0);
	/* The digest block is optional; its defaults. */
	assert_int_equal(rf->digest.frequency, RULEFILE_FREQ_DAILY);
	assert_int_equal(rf->digest.hour, 7);
	assert_string_equal(rf->digest.timezone, "UTC");
	assert_int_equal(rf->digest.max_bytes, 0);
	r = &rf->rules[0];
	assert_int_equal(r->line, 1);
	assert_int_equal(r->rfc, RULE_RFC_YES);
	assert_int_equal(r->versions, RULE_VERSIONS_NEWEST);
	assert_int_equal(r->min_reviews, 0);
	assert_int_equal(r->rfc_line, 0);
	/* No lists configured: a bare name is a List-Id's first label. */
	assert_int_equal(r->inc[RULE_LISTS].v[0].kind, RULE_LIST_NAME);
	assert_string_equal(r->inc[RULE_LISTS].v[0].key, "kvm");
	assert_int_equal(r->inc[RULE_LISTS].v[1].kind, RULE_LIST_ID);
	assert_string_equal(r->inc[RULE_LISTS].v[1].key,
			    "netdev.vger.kernel.org");
	/* A posting address stands for its List-Id. */
	assert_string_equal(r->inc[RULE_LISTS].v[2].key, "linux-mm.kvack.org");
	assert_string_equal(r->inc[RULE_AUTHORS].v[0].key, "paula maintainer");
	assert_int_equal(r->inc[RULE_AUTHORS].v[1].kind, RULE_AUTHOR_ADDRESS);
	assert_string_equal(r->inc[RULE_AUTHORS].v[1].key, "ada@example.com");
	assert_int_equal(r->inc[RULE_AUTHORS].v[2].kind, RULE_AUTHOR_DOMAIN);
	assert_string_equal(r->inc[RULE_AUTHORS].v[2].key, "amd.com");
	assert_string_equal(r->inc[RULE_SUBJECT].v[0].key, "kvm: svm:*");
	/* Keywords keep their case. */
	assert_string_equal(r->inc[RULE_KEYWORDS].v[0].key, "Cond_Resched");
	assert_int_equal(rf->nr_values, 8);
	rulefile_free(rf);
	buf_release(&errors);
}

static void test_configured_lists(void **state)
{
	struct rulefile_options o = {NULL, two_lists, 2, NULL, NULL};
	struct rulefile *rf = NULL;
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(
		parse(&rf, "rule \"x\" { lists = \"NETDEV\" }\n", &o, &errors),
		0);
	assert_int_equal(rf->rules[0].inc[RULE_LISTS].v[0].kind, RULE_LIST_ID);
	assert_string_equal(rf->rules[0].inc[RULE_LISTS].v[0].key,
			    "netdev.vger.kernel.org");
	rulefile_free(rf);
	buf_release(&errors);
	/* Far from every name: the names are listed. */
	expect_error("rule \"x\" {\n lists = \"linux-mm\"\n}\n", &o, 2,
		     "(the lists here: kvm netdev; or give a List-Id");
}

/* Sections are checked against MAINTAINERS, with the nearest names. */
static void test_sections(void **state)
{
	struct maintainers *m = fixture_maintainers();
	struct maintainers *real = corpus_maintainers();
	struct rulefile_options o = {m, NULL, 0, NULL, NULL};
	struct rulefile *rf = NULL;
	struct buf errors = BUF_INIT;
	size_t idx;

	(void)state;
	assert_int_equal(parse(&rf, "rule \"x\" { sections = \"one level\" }\n",
			       &o, &errors),
			 0);
	assert_int_equal(maintainers_find(&idx, m, "ONE LEVEL"), 0);
	assert_int_equal(rf->rules[0].inc[RULE_SECTIONS].v[0].section, idx);
	assert_string_equal(rf->rules[0].inc[RULE_SECTIONS].v[0].key,
			    "ONE LEVEL");
	rulefile_free(rf);
	expect_error("rule \"x\" {\n sections = { \"ONE LEVL\" }\n}\n", &o, 2,
		     "is not a MAINTAINERS section (did you mean 'ONE "
		     "LEVEL'");
	expect_error("rule \"x\" {\n sections = { \"zzzzzzzzzzzzq\" }\n}\n", &o,
		     2, "(and no section has a similar name)");

	/* Without MAINTAINERS: accepted, with a note. */
	assert_int_equal(parse(&rf, "rule \"x\" { sections = \"ANYTHING\" }\n",
			       NULL, &errors),
			 0);
	assert_non_null(strstr(errors.data, "t.rules: note: section names "
					    "were not checked"));
	assert_int_equal(rf->rules[0].inc[RULE_SECTIONS].v[0].section,
			 SIZE_MAX);
	rulefile_free(rf);
	buf_release(&errors);

	if (real) {
		o.maintainers = real;
		expect_error("rule \"x\" {\n sections = \"VFIO DRIVERS\"\n}\n",
			     &o, 2, "(did you mean 'VFIO DRIVER'");
		maintainers_free(real);
	}
	maintainers_free(m);
}

/* --- hostile files -----------------------------------------------------------
 */

static void test_env_refused(void **state)
{
	struct rulefile *rf = NULL;
	struct buf errors = BUF_INIT;
	size_t len;
	char *text = read_fixture("rules/env.rules", &len);

	(void)state;
	setenv("PATCHLETTER_SECRET", "hunter2-do-not-echo", 1);
	assert_int_equal(
		rulefile_parse(&rf, "env.rules", text, len, NULL, &errors),
		ERR_PERM);
	assert_null(rf);
	/* Lines 4, 5 and 6 of the fixture hold ${...}, whatever quotes. */
	for (int line = 4; line <= 6; line++)
		assert_true(reported(errors.data, "env.rules", line,
				     "'${' is not allowed here"));
	assert_null(strstr(errors.data, "hunter2"));
	assert_null(strstr(errors.data, getenv("PATH")));
	if (getenv("HOME") && strlen(getenv("HOME")) > 1)
		assert_null(strstr(errors.data, getenv("HOME")));
	buf_release(&errors);
	free(text);
}

static void test_include_refused(void **state)
{
	struct rulefile *rf = NULL;
	struct buf errors = BUF_INIT;
	size_t len;
	char *text = read_fixture("rules/include.rules", &len);

	(void)state;
	assert_int_equal(
		rulefile_parse(&rf, "include.rules", text, len, NULL, &errors),
		ERR_PERM);
	assert_true(reported(errors.data, "include.rules", 3,
			     "include() is not supported"));
	assert_null(strstr(errors.data, "root:"));
	buf_release(&errors);
	free(text);
}

static void test_ten_megabytes(void **state)
{
	size_t len = 10u << 20;
	char *text = xmalloc(len);
	struct rulefile *rf = NULL;
	struct buf errors = BUF_INIT;

	(void)state;
	memset(text, '#', len);
	assert_int_equal(
		rulefile_parse(&rf, "big.rules", text, len, NULL, &errors),
		ERR_LIMIT);
	assert_null(rf);
	assert_non_null(strstr(errors.data, "big.rules: larger than 65536 "
					    "bytes"));
	buf_release(&errors);
	free(text);
}

static void test_ten_thousand_rules(void **state)
{
	struct buf text = BUF_INIT, errors = BUF_INIT;
	struct rulefile *rf = NULL;

	(void)state;
	for (int k = 0; k < 10000; k++)
		buf_addf(&text, "rule \"r%d\" { lists = \"kvm\" }\n", k);
	/* 10,000 rules do not fit in a rule file's bytes... */
	assert_int_equal(rulefile_parse(&rf, "many.rules", text.data, text.len,
					NULL, &errors),
			 ERR_LIMIT);
	assert_null(rf);
	/* ... and RULEFILE_MAX_RULES + 1 that fit are refused by count, at
	 * the line of the first one too many. */
	buf_reset(&text);
	buf_reset(&errors);
	for (int k = 0; k < RULEFILE_MAX_RULES + 1; k++)
		buf_addf(&text, "rule \"r%d\" { lists = \"kvm\" }\n", k);
	assert_true(text.len < RULEFILE_MAX_BYTES);
	assert_int_equal(rulefile_parse(&rf, "many.rules", text.data, text.len,
					NULL, &errors),
			 ERR_PERM);
	assert_true(reported(errors.data, "many.rules", RULEFILE_MAX_RULES + 1,
			     "too many rules: 65, at "
			     "most 64"));
	buf_release(&text);
	buf_release(&errors);
}

static void test_too_many_values(void **state)
{
	struct buf text = BUF_INIT, errors = BUF_INIT;
	struct rulefile *rf = NULL;

	(void)state;
	/* Line 1 opens the rule and the list; value k is on line k + 2. */
	buf_adds(&text, "rule \"x\" { paths = {\n");
	for (int k = 0; k < RULEFILE_MAX_PATTERNS + 10; k++)
		buf_addf(&text, "\"d%d/\",\n", k);
	buf_adds(&text, "\"last/\" } }\n");
	assert_int_equal(rulefile_parse(&rf, "v.rules", text.data, text.len,
					NULL, &errors),
			 ERR_PERM);
	assert_true(reported(errors.data, "v.rules", RULEFILE_MAX_PATTERNS + 2,
			     "too many values: a rule file holds at most 512"));
	/* Said once. */
	assert_null(strstr(strstr(errors.data, "too many") + 1, "too many"));
	buf_release(&text);
	buf_release(&errors);
}

static void test_value_bounds(void **state)
{
	char text[1024], long_path[RULEFILE_MAX_PATTERN_BYTES + 2];

	(void)state;
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[sizeof(long_path) - 1] = '\0';
	snprintf(text, sizeof(text), "rule \"x\" {\n paths = \"%s\"\n}\n",
		 long_path);
	expect_error(text, NULL, 2, "is longer than 256 bytes");
	expect_error("rule \"x\" {\n paths = \"a\\nb\"\n}\n", NULL, 2,
		     "holds a control character");
	expect_error("rule \"x\" {\n subject = \"\xc3\x28\"\n}\n", NULL, 2,
		     "is not valid UTF-8");
	expect_error("rule \"a-very-long-rule-name-that-goes-on-and-on-and-on-"
		     "and-on-and-on-and-on-and-on\" {\n lists = \"kvm\"\n}\n",
		     NULL, 1, "the name is longer than 64 bytes");
	expect_error("rule \"x\" {\n min-reviews = 1001\n lists = \"kvm\"\n}\n",
		     NULL, 2, "min-reviews is at most 1000");
	expect_error("rule \"x\" {\n exclude-paths = \"net/\"\n}\n", NULL, 1,
		     "selects nothing");
}

/*
 * Strangers' files are not well-formed: thousands of mutations of the
 * examples (bytes flipped, deleted, duplicated, braces and quotes thrown
 * in) must each parse or be refused with errors, never crash or leak
 * (the suite runs under ASan and UBSan too), and every error line must
 * read "NAME:LINE: ..." or "NAME: ...".
 */
/*
 * A file that leaves a double-quoted string open where an option name is
 * expected: libconfuse 3.3 took it for a good file and aborted the
 * process on the next section it created (cfgparse.c says more).
 */
static void test_open_string(void **state)
{
	(void)state;
	expect_error("rule \"a\" { lists = \"kvm\" }\n\"abc\n", NULL, 2,
		     "this quoted string is never closed");
	expect_error("rule \"a\" { lists = \"kvm\" }\n\"abc\nzzz\" = 1\n", NULL,
		     3, "unknown option 'abc\\x0azzz' at the top level");
	expect_error("rule \"a\" {\n lists = 'kvm\n}\n", NULL, 2,
		     "this quoted string is never closed");
}

static void test_mutations(void **state)
{
	static const char *const names[] = {"maintainer.rules",
					    "reviewer.rules", "keywords.rules",
					    "weekly.rules"};
	static const char junk[] = "{}\"'#=,+$\\\n\t*[]()x";
	uint32_t seed = 2026;

	(void)state;
	for (size_t e = 0; e < ARRAY_SIZE(names); e++) {
		char *path = example_path(names[e]);
		struct buf orig = BUF_INIT;

		assert_true(testdata_read(&orig, path));
		free(path);
		for (int round = 0; round < 500; round++) {
			struct buf text = BUF_INIT, errors = BUF_INIT;
			struct rulefile *rf = NULL;
			int rc;

			buf_add(&text, orig.data, orig.len);
			for (int k = 0, n = 1 + round % 8; k < n; k++) {
				size_t at;

				seed = seed * 1103515245u + 12345u;
				at = (seed >> 8) % text.len;
				switch ((seed >> 4) % 4) {
				case 0: /* replace a byte */
					text.data[at] =
						junk[(seed >> 12) %
						     (sizeof(junk) - 1)];
					break;
				case 1: /* delete a run */
					memmove(text.data + at,
						text.data + at + 1,
						text.len - at - 1);
					buf_truncate(&text, text.len - 1);
					break;
				case 2: /* any byte at all, NUL included */
					text.data[at] = (char)(seed >> 16);
					break;
				default: { /* duplicate the tail */
					char *tail = xmemdup0(text.data + at,
							      text.len - at);

					buf_add(&text, tail, strlen(tail));
					free(tail);
					break;
				}
				}
				if (!text.len)
					buf_addch(&text, '{');
			}
			rc = rulefile_parse(&rf, "m.rules", text.data, text.len,
					    NULL, &errors);
			assert_true(rc == 0 || rc == ERR_PERM ||
				    rc == ERR_LIMIT);
			assert_true(rc == 0 ? rf != NULL : rf == NULL);
			if (rc)
				assert_true(errors.len > 0);
			for (const char *l = errors.data; *l;
			     l = strchr(l, '\n') + 1) {
				if (strncmp(l, "m.rules:", 8))
					print_error("%s", errors.data);
				assert_int_equal(strncmp(l, "m.rules:", 8), 0);
			}
			rulefile_free(rf);
			buf_release(&errors);
			buf_release(&text);
		}
		buf_release(&orig);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples_all_parse),
		cmocka_unit_test(test_example_maintainer),
		cmocka_unit_test(test_example_weekly),
		cmocka_unit_test(test_example_reviewer_sections),
		cmocka_unit_test(test_errors_fixture),
		cmocka_unit_test(test_digest_checks),
		cmocka_unit_test(test_no_rule),
		cmocka_unit_test(test_time_zones),
		cmocka_unit_test(test_tzdb_dir),
		cmocka_unit_test(test_defaults_and_keys),
		cmocka_unit_test(test_configured_lists),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_env_refused),
		cmocka_unit_test(test_include_refused),
		cmocka_unit_test(test_ten_megabytes),
		cmocka_unit_test(test_ten_thousand_rules),
		cmocka_unit_test(test_too_many_values),
		cmocka_unit_test(test_value_bounds),
		cmocka_unit_test(test_open_string),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests_name("rulefile", tests, NULL, NULL);
}
