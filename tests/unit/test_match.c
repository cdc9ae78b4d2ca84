/*
 * test_match.c: matching series against rules, and the explanations.
 *
 * (a) One rule at a time against one series, table-driven: each case says
 *     whether the rule matches and what the explanation must say. The
 *     series touches paths of tests/fixtures/maintainers/rules.MAINTAINERS,
 *     whose sections and lines the expectations are read from.
 * (b) The index over many subscribers finds exactly what checking every
 *     rule of every subscriber finds (match_explain() checks every rule,
 *     with no index), on a few thousand rule files built from the values
 *     of (a).
 * (c) Hostile patterns stay within their step bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "glob.h"
#include "maintainers.h"
#include "match.h"
#include "rulefile.h"
#include "testdata.h"
#include "xalloc.h"

/* --- the series --------------------------------------------------------------
 */

/*
 * One patch: a commit message naming kw_nine (a K: of rules.MAINTAINERS,
 * which counts there, before the diff), then a diff with context, removed
 * and added lines, one removed line that reads like a file head.
 */
static const char patch_text[] =
	"Subject: [PATCH v2 1/1] KVM: SVM: Use a single ASID per VM\n"
	"\n"
	"Mention kw_nine and in_message_only here.\n"
	"\n"
	"Signed-off-by: Ada Lindqvist <ada.lindqvist@example.com>\n"
	"---\n"
	" drivers/sub/a.c | 3 ++-\n"
	"\n"
	"diff --git a/drivers/sub/a.c b/drivers/sub/a.c\n"
	"--- a/drivers/sub/a.c\n"
	"+++ b/drivers/sub/a.c\n"
	"@@ -1,4 +1,4 @@\n"
	" context kw_context_only\n"
	"-\told_call();\n"
	"--- removed_dashes\n"
	"+\tcond_resched();\n"
	"+-- added_dashes\n"
	" end\n"
	"-- \n"
	"2.47.1\n";

static const char *const base_paths[] = {
	"drivers/sub/a.c", "net/bad/x.c", "drivers/one/b.c",
	"drivers/sub/a.c", /* twice: one path */
};

struct fixture {
	struct maintainers *m;
	struct match_patch patch;
	struct match_series s;
};

static struct fixture fx;

static void series_reset(void)
{
	const char *diff = strstr(patch_text, "diff --git");

	fx.patch.text = patch_text;
	fx.patch.len = strlen(patch_text);
	fx.patch.diff = diff;
	fx.patch.diff_len = (size_t)(strstr(patch_text, "-- \n") - diff);
	memset(&fx.s, 0, sizeof(fx.s));
	fx.s.id = 7;
	fx.s.title = "KVM: SVM: Use a single ASID per VM";
	fx.s.version = 2;
	fx.s.newest = true;
	fx.s.list_id = "kvm.vger.kernel.org";
	fx.s.author_name = "Ada Lindqvist";
	fx.s.author_address = "Ada.Lindqvist@example.com";
	fx.s.paths = base_paths;
	fx.s.nr_paths = ARRAY_SIZE(base_paths);
	fx.s.patches = &fx.patch;
	fx.s.nr_patches = 1;
	fx.s.reviews = 1;
}

static int setup(void **state)
{
	char *path = testdata_fixture("maintainers/rules.MAINTAINERS");
	struct buf text = BUF_INIT, errors = BUF_INIT;

	(void)state;
	if (!testdata_read(&text, path))
		return -1;
	if (maintainers_parse(&fx.m, text.data, text.len, NULL, &errors))
		return -1;
	free(path);
	buf_release(&text);
	buf_release(&errors);
	series_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	maintainers_free(fx.m);
	return 0;
}

/* The line of rules.MAINTAINERS that reads line, e.g. "F:\tdrivers/sub/". */
static int maintainers_line(const char *line)
{
	char *path = testdata_fixture("maintainers/rules.MAINTAINERS");
	struct buf text = BUF_INIT;
	const char *p;
	int n = 1;

	assert_true(testdata_read(&text, path));
	free(path);
	p = text.data;
	for (;;) {
		size_t len = strlen(line);

		if (!strncmp(p, line, len) && p[len] == '\n')
			break;
		p = strchr(p, '\n');
		assert_non_null(p);
		p++;
		n++;
	}
	buf_release(&text);
	return n;
}

static struct rulefile *rules_of(const char *text)
{
	struct rulefile_options o = {fx.m, NULL, 0, NULL, NULL};
	struct rulefile *rf = NULL;
	struct buf errors = BUF_INIT;

	if (rulefile_parse(&rf, "t.rules", text, strlen(text), &o, &errors))
		print_error("%s", errors.data);
	assert_non_null(rf);
	buf_release(&errors);
	return rf;
}

/* Does the single-subscriber index match, and what does explain say? */
static bool matches(const struct rulefile *rf, struct buf *explain)
{
	struct match_index *ix = match_index_new(fx.m);
	struct match_hits hits = MATCH_HITS_INIT;
	size_t n;
	bool hit;

	match_index_add(ix, rf, 42);
	match_index_query(&hits, ix, &fx.s);
	n = match_explain(explain, rf, fx.m, &fx.s);
	/* The index and the rule-by-rule check agree. */
	assert_int_equal(hits.nr, n);
	hit = hits.nr > 0;
	if (hit)
		assert_int_equal(hits.v[0].subscriber, 42);
	match_hits_release(&hits);
	match_index_free(ix);
	return hit;
}

/* --- (a) one rule, one series -----------------------------------------------
 */

struct mcase {
	const char *rule; /* the body of rule "r" */
	bool match;
	const char *why; /* must be in the explanation */
};

static const struct mcase cases[] = {
	/* paths, get_maintainer.pl's patterns */
	{"paths = \"drivers/sub/\"", true,
	 "  paths: drivers/sub/a.c matches 'drivers/sub/' (line 2)\n"},
	{"paths = \"drivers/\"", true, "matches 'drivers/' (line 2)"},
	{"paths = \"drivers/*\"", false,
	 "  paths: none of its 3 paths (drivers/one/b.c, drivers/sub/a.c, "
	 "net/bad/x.c) matches 'drivers/*' (line 2)\n"},
	{"paths = \"drivers/*/b.c\"", true, "drivers/one/b.c matches"},
	{"paths = \"drivers/**/a.c\"", true, "drivers/sub/a.c matches"},
	{"paths = \"drivers/sub/a\"", true, "drivers/sub/a.c matches"},
	{"paths = \"drivers/sub/a.c\"", true, "matches 'drivers/sub/a.c'"},
	{"paths = \"drivers/sub/b.c\"", false, "none of its 3 paths"},
	{"paths = \"net/\"\n exclude-paths = \"net/bad/\"", false,
	 "  paths: every path it matches is excluded: net/bad/x.c by "
	 "exclude-paths 'net/bad/' (line 3)\n"},
	{"paths = \"drivers/\"\n exclude-paths = \"drivers/sub/\"", true,
	 "  paths: drivers/one/b.c matches 'drivers/' (line 2)\n"},
	{"lists = \"kvm\"\n exclude-paths = { \"drivers/\", \"net/\" }", false,
	 "  paths: every path is excluded: drivers/one/b.c by exclude-paths "
	 "'drivers/' (line 3)\n"},
	{"lists = \"kvm\"\n exclude-paths = \"net/\"", true,
	 "  paths: drivers/one/b.c is not excluded\n"},

	/* sections, through F: and K: */
	{"sections = \"SUBTREE\"", true, NULL /* line read below */},
	{"sections = \"EXCLUDED\"", false,
	 "  sections: the series is in 'ONE LEVEL', 'THE REST', 'SUBTREE', "
	 "'LAST LINE WINS N', 'LAST LINE WINS F', 'KEYWORD AT 9'; none of "
	 "them is 'EXCLUDED' (line 2)\n"},
	{"sections = \"keyword at 9\"", true,
	 "  sections: 'keyword at 9' (line 2) through K: \\bkw_nine\\b "
	 "(MAINTAINERS line "},
	{"sections = \"ONE LEVEL\"\n exclude-sections = \"SUBTREE\"", false,
	 "  exclude-sections: 'SUBTREE' (line 3) holds drivers/sub/a.c"},
	{"sections = { \"ORDER DEEP\", \"ONE LEVEL\" }", true,
	 "'ONE LEVEL' (line 2) holds drivers/one/b.c through F: "
	 "drivers/one/*"},

	/* lists */
	{"lists = \"kvm\"", true, "  lists: 'kvm' (line 2) holds\n"},
	{"lists = \"KVM.vger.kernel.org\"", true, "holds"},
	{"lists = \"netdev\"", false,
	 "  lists: the series was posted to kvm.vger.kernel.org, not to any "
	 "of 'netdev' (line 2)\n"},
	{"lists = \"kvm\"\n exclude-lists = \"kvm.vger.kernel.org\"", false,
	 "  exclude-lists: 'kvm.vger.kernel.org' (line 3) holds: the "
	 "series was posted to kvm.vger.kernel.org\n"},

	/* subject: the whole clean title, case ignored */
	{"subject = \"kvm: svm:*\"", true, "'kvm: svm:*' (line 2) holds"},
	{"subject = \"*ASID*\"", true, "holds"},
	{"subject = \"svm*\"", false,
	 "  subject: the title 'KVM: SVM: Use a single ASID per VM' matches "
	 "none of 'svm*' (line 2)\n"},
	{"subject = \"KVM: SVM: Use a single ASID per VM\"", true, "holds"},
	{"subject = \"KVM: SVM: Use a single ASID\"", false, "none of"},
	{"lists = \"kvm\"\n exclude-subject = \"*asid*\"", false,
	 "exclude-subject: '*asid*' (line 3) holds: the title"},

	/* authors */
	{"authors = \"ada.lindqvist@example.com\"", true, "holds"},
	{"authors = \"*@example.com\"", true, "holds"},
	{"authors = \"*@com\"", true, "holds"},
	{"authors = \"*@ample.com\"", false,
	 "  authors: the author Ada Lindqvist <Ada.Lindqvist@example.com> "
	 "is none of '*@ample.com' (line 2)\n"},
	{"authors = \"ADA   lindqvist\"", true, "holds"},
	{"authors = \"Ada <ada.lindqvist@example.com>\"", true, "holds"},
	{"authors = \"Lindqvist\"", false, "none of"},
	{"lists = \"kvm\"\n exclude-authors = \"*@example.com\"", false,
	 "exclude-authors: '*@example.com' (line 3) holds"},

	/* keywords: added and removed lines of the hunks only */
	{"keywords = \"cond_resched\"", true,
	 "  keywords: 'cond_resched' (line 2) is in an added or removed "
	 "line\n"},
	{"keywords = \"old_call\"", true, "is in an added or removed line"},
	{"keywords = \"-- removed_dashes\"", true, "is in an added"},
	{"keywords = \"-- added_dashes\"", true, "is in an added"},
	{"keywords = \"kw_context_only\"", false,
	 "  keywords: no added or removed line holds any of "
	 "'kw_context_only' (line 2)\n"},
	{"keywords = \"in_message_only\"", false, "holds any of"},
	{"keywords = \"b/drivers/sub\"", false, "holds any of"},
	{"keywords = \"2.47.1\"", false, "holds any of"},
	{"keywords = \"Cond_Resched\"", false, "holds any of"},
	{"lists = \"kvm\"\n exclude-keywords = \"old_call\"", false,
	 "  exclude-keywords: 'old_call' (line 3) is in an added or "
	 "removed line\n"},

	/* rfc, versions, min-reviews */
	{"lists = \"kvm\"\n rfc = only", false,
	 "  rfc: the series is not an RFC, and rfc = only (line 3)\n"},
	{"lists = \"kvm\"\n rfc = no", true,
	 "  rfc: the series is not an RFC, and rfc = no\n"},
	{"lists = \"kvm\"\n min-reviews = 2", false,
	 "  min-reviews: the series has 1, at least 2 wanted (line 3)\n"},
	{"lists = \"kvm\"\n min-reviews = 1", true,
	 "  min-reviews: 1 reviews, at least 1 wanted\n"},
	{"lists = \"kvm\"", true,
	 "  versions: the newest version (the default)\n"},

	/* all criteria must hold; the first that fails is named */
	{"lists = \"kvm\"\n paths = \"net/\"\n authors = \"nobody@x.org\"",
	 false, "  authors: the author"},
	{"lists = \"netdev\"\n authors = \"nobody@x.org\"", false,
	 "  lists: the series"},
};

static void test_cases(void **state)
{
	char body[512];
	int f_line = maintainers_line("F:\tdrivers/sub/");

	(void)state;
	series_reset();
	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		struct buf explain = BUF_INIT;
		struct rulefile *rf;
		bool hit;

		snprintf(body, sizeof(body), "rule \"r\" {\n %s\n}\n",
			 cases[k].rule);
		rf = rules_of(body);
		hit = matches(rf, &explain);
		if (hit != cases[k].match ||
		    (cases[k].why && !strstr(explain.data, cases[k].why)))
			print_error("case %zu: %s\nwant %s, \"%s\"; got:\n%s",
				    k, cases[k].rule,
				    cases[k].match ? "match" : "no match",
				    cases[k].why ? cases[k].why : "",
				    explain.data);
		assert_int_equal(hit, cases[k].match);
		if (cases[k].why)
			assert_non_null(strstr(explain.data, cases[k].why));
		if (!cases[k].why) {
			char want[256];

			snprintf(want, sizeof(want),
				 "  sections: 'SUBTREE' (line 2) holds "
				 "drivers/sub/a.c through F: drivers/sub/ "
				 "(MAINTAINERS line %d)\n",
				 f_line);
			if (!strstr(explain.data, want))
				print_error("want %s in:\n%s", want,
					    explain.data);
			assert_non_null(strstr(explain.data, want));
		}
		buf_release(&explain);
		rulefile_free(rf);
	}
}

/* The rest of the series' facts: RFC, superseded, no list, no paths. */
static void test_series_facts(void **state)
{
	struct rulefile *rf;
	struct buf ex = BUF_INIT;

	(void)state;
	series_reset();
	rf = rules_of("rule \"rfc\" { lists = \"kvm\"\n rfc = only }\n"
		      "rule \"all\" { lists = \"kvm\"\n versions = all }\n"
		      "rule \"new\" { lists = \"kvm\" }\n"
		      "rule \"files\" { paths = \"drivers/\" }\n");
	fx.s.rfc = true;
	fx.s.newest = false;
	assert_true(matches(rf, &ex));
	assert_non_null(strstr(ex.data,
			       "rule 'rfc' (line 1): no match\n"
			       "  versions: a newer version supersedes "
			       "this series, and versions = newest "
			       "(the default)\n"));
	assert_non_null(strstr(ex.data, "rule 'all' (line 3): matches\n"));
	assert_non_null(strstr(ex.data, "result: the series matches (rule "
					"'all')\n"));
	assert_non_null(strstr(ex.data, "  newest version: no (superseded); "
					"RFC: yes; reviews: 1\n"));
	buf_reset(&ex);

	fx.s.newest = true;
	fx.s.list_id = NULL;
	fx.s.nr_paths = 0;
	assert_true(matches(rf, &ex) == false);
	assert_non_null(strstr(ex.data, "  list: unknown\n"));
	assert_non_null(strstr(ex.data, "the series was posted to an unknown "
					"list"));
	assert_non_null(strstr(ex.data, "  paths: the series touches no "
					"file\n"));
	assert_non_null(strstr(ex.data, "result: no rule matches\n"));
	buf_release(&ex);
	rulefile_free(rf);
	series_reset();
}

/* The explanation's header: the series' facts, sections in order. */
static void test_explain_header(void **state)
{
	struct rulefile *rf = rules_of("rule \"x\" { lists = \"kvm\" }\n");
	struct buf ex = BUF_INIT;

	(void)state;
	series_reset();
	assert_true(matches(rf, &ex));
	assert_non_null(strstr(
		ex.data,
		"series 7: KVM: SVM: Use a single ASID per VM (v2)\n"
		"  author: Ada Lindqvist <Ada.Lindqvist@example.com>\n"
		"  list: kvm.vger.kernel.org\n"
		"  newest version: yes; RFC: no; reviews: 1\n"
		"  paths (3): drivers/one/b.c drivers/sub/a.c net/bad/x.c\n"));
	/* get_maintainer.pl's order: by path, deepest section first, then
	 * the K: sections; THE REST (F: *\/) holds every path. */
	assert_non_null(strstr(ex.data, "  sections: 'ONE LEVEL', 'THE REST', "
					"'SUBTREE', "));
	assert_non_null(strstr(ex.data, "'KEYWORD AT 9'\n"));
	buf_reset(&ex);
	rulefile_free(rf);
	/* The K: line named is the fixture's. */
	rf = rules_of("rule \"x\" { sections = \"KEYWORD AT 9\" }\n");
	assert_true(matches(rf, &ex));
	{
		char want[128];

		snprintf(want, sizeof(want),
			 "through K: \\bkw_nine\\b (MAINTAINERS line %d) "
			 "in a patch's text\n",
			 maintainers_line("K:\t\\bkw_nine\\b"));
		assert_non_null(strstr(ex.data, want));
	}
	buf_release(&ex);
	rulefile_free(rf);
}

/* A stranger's path cannot break an explanation's lines. */
static void test_explain_escapes(void **state)
{
	static const char *const odd[] = {"drivers/sub/evil\n.c"};
	struct rulefile *rf = rules_of("rule \"x\" { paths = \"drivers/\" }\n");
	struct buf ex = BUF_INIT;

	(void)state;
	series_reset();
	fx.s.paths = odd;
	fx.s.nr_paths = 1;
	fx.s.title = "Zo\xc3\xab's \x1b[31mred\x1b[0m title";
	assert_true(matches(rf, &ex));
	assert_non_null(strstr(ex.data, "drivers/sub/evil\\x0a.c"));
	assert_non_null(strstr(ex.data, "Zo\xc3\xab's \\x1b[31mred"));
	assert_null(strchr(ex.data, '\x1b'));
	buf_release(&ex);
	rulefile_free(rf);
	series_reset();
}

/* --- (b) the index finds what checking every rule finds ----------------------
 */

/* The values the rule files are made of (all valid). */
static const char *const pool_values[][9] = {
	{"lists", "kvm", "netdev", "kvm.vger.kernel.org", NULL},
	{"sections", "SUBTREE", "ONE LEVEL", "EXCLUDED", "KEYWORD AT 9",
	 "ORDER DEEP", NULL},
	{"paths", "drivers/sub/", "drivers/", "net/", "net/bad/", "*/b.c",
	 "drivers/**/a.c", "order/", NULL},
	{"subject", "kvm:*", "*asid*", "*vfio*", "*", "tun: *", NULL},
	{"authors", "ada.lindqvist@example.com", "*@example.com",
	 "Paula Maintainer", "*@example.net", "rajesh.iyer@example.net", NULL},
	{"keywords", "cond_resched", "old_call", "kw_context_only",
	 "TUNSETVNETHASH", NULL},
};

static uint32_t rnd_state = 12345;

static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

static void random_values(struct buf *b, int crit, const char *prefix)
{
	const char *const *v = pool_values[crit];
	size_t n = 1;

	while (v[n])
		n++;
	buf_addf(b, "  %s%s = {", prefix, v[0]);
	for (uint32_t k = 0, nr = 1 + rnd(2); k < nr; k++)
		buf_addf(b, "%s\"%s\"", k ? ", " : " ",
			 v[1 + rnd((uint32_t)n - 1)]);
	buf_adds(b, " }\n");
}

static char *random_rulefile(void)
{
	struct buf b = BUF_INIT;

	for (uint32_t r = 0, nr = 1 + rnd(3); r < nr; r++) {
		buf_addf(&b, "rule \"r%u\" {\n", r);
		for (uint32_t k = 0, nc = 1 + rnd(2); k < nc; k++)
			random_values(&b, (int)rnd(6), "");
		if (!rnd(3))
			random_values(&b, (int)rnd(6), "exclude-");
		if (!rnd(4))
			buf_addf(&b, "  rfc = %s\n", rnd(2) ? "no" : "only");
		if (!rnd(4))
			buf_adds(&b, "  versions = all\n");
		if (!rnd(5))
			buf_addf(&b, "  min-reviews = %u\n", rnd(3));
		buf_adds(&b, "}\n");
	}
	return buf_detach(&b, NULL);
}

/* The rules match_explain() says match, as "SUB:rN" lines. */
static void explained(struct buf *out, const struct rulefile *rf, int sub)
{
	struct buf ex = BUF_INIT;
	const char *p;

	match_explain(&ex, rf, fx.m, &fx.s);
	for (p = ex.data; (p = strstr(p, "\nrule '")); p++) {
		const char *end = strchr(p + 7, '\'');

		if (strncmp(strchr(p, ')'), "): matches", 10))
			continue;
		buf_addf(out, "%d:%.*s\n", sub, (int)(end - p - 7), p + 7);
	}
	buf_release(&ex);
}

static void test_index_agrees(void **state)
{
	enum { SUBS = 2000 };
	struct rulefile **rfs = xcalloc(SUBS, sizeof(*rfs));
	struct match_index *ix = match_index_new(fx.m);
	static const char *const more_paths[] = {"order/deep/x.c",
						 "drivers/net/tun.c"};
	static const char *const titles[] = {
		"KVM: SVM: Use a single ASID per VM",
		"vfio/type1: conditionally reschedule",
		"tun: report virtio-net hashes"};
	static const char *const addrs[] = {"ada.lindqvist@example.com",
					    "rajesh.iyer@example.net",
					    "paula@kernel.example.org"};
	static const char *const names[] = {"Ada Lindqvist", "Rajesh Iyer",
					    "Paula Maintainer"};
	struct match_stats st;
	size_t total = 0;

	(void)state;
	for (int k = 0; k < SUBS; k++) {
		char *text = random_rulefile();

		rfs[k] = rules_of(text);
		free(text);
		match_index_add(ix, rfs[k], k);
	}
	match_index_stats(&st, ix);
	assert_int_equal(st.subscribers, SUBS);
	/* Every rule is filed somewhere; few need checking every time. */
	assert_true(st.always < st.rules / 20);

	/* Series: variations of the fixture's. */
	for (int v = 0; v < 24; v++) {
		struct match_hits hits = MATCH_HITS_INIT;
		struct buf want = BUF_INIT, got = BUF_INIT;

		series_reset();
		fx.s.title = titles[v % 3];
		fx.s.author_address = addrs[(v / 3) % 3];
		fx.s.author_name = names[(v / 3) % 3];
		fx.s.rfc = v & 1;
		fx.s.newest = !(v & 2);
		fx.s.reviews = v % 4;
		if (v & 4) {
			fx.s.paths = more_paths;
			fx.s.nr_paths = 2;
			fx.s.list_id = "netdev.vger.kernel.org";
		}
		if (v & 8)
			fx.s.nr_patches = 0;
		match_index_query(&hits, ix, &fx.s);
		for (size_t h = 0; h < hits.nr; h++)
			buf_addf(&got, "%lld:%s\n",
				 (long long)hits.v[h].subscriber,
				 hits.v[h].rf->rules[hits.v[h].rule].name);
		for (int k = 0; k < SUBS; k++)
			explained(&want, rfs[k], k);
		if (strcmp(want.data, got.data))
			print_error("series variant %d: index and explain "
				    "differ\n",
				    v);
		assert_string_equal(want.data, got.data);
		match_index_stats(&st, ix);
		assert_int_equal(st.matched, hits.nr);
		assert_true(st.candidates >= st.matched);
		total += hits.nr;
		match_hits_release(&hits);
		buf_release(&want);
		buf_release(&got);
	}
	/* The test means something only if some things match. */
	assert_true(total > 1000);
	match_index_free(ix);
	for (int k = 0; k < SUBS; k++)
		rulefile_free(rfs[k]);
	free(rfs);
	series_reset();
}

/* --- (c) hostile patterns ---------------------------------------------------
 */

static void test_hostile_patterns(void **state)
{
	static const char *const patterns[] = {
		"*a*a*a*a*a*a*a*a*b",
		"**a**a**a**a**a**a**a**a**b",
		"*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*b",
		"*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*b",
	};
	size_t len = 4000;
	char *text = xmalloc(len + 1);
	struct buf rules = BUF_INIT;
	struct rulefile *rf;
	struct buf ex = BUF_INIT;
	const char *one[1];

	(void)state;
	series_reset();
	memset(text, 'a', len);
	text[len] = '\0';
	for (size_t k = 0; k < ARRAY_SIZE(patterns); k++) {
		for (unsigned flags = GLOB_DOUBLESTAR; flags <= GLOB_TEXT;
		     flags <<= 1) {
			struct glob *g = NULL;
			size_t steps = 0;

			assert_int_equal(glob_compile(&g, patterns[k],
						      strlen(patterns[k]),
						      flags, NULL),
					 0);
			assert_false(glob_match(g, text, len, &steps));
			assert_true(steps <= (glob_tokens(g) + 1) * (len + 1));
			glob_free(g);
		}
	}

	/* And through the matcher, as a stranger would send them. */
	buf_adds(&rules, "rule \"p\" {\n paths = {");
	for (size_t k = 0; k < ARRAY_SIZE(patterns); k++)
		buf_addf(&rules, "%s\"%s\"", k ? ", " : " ", patterns[k]);
	buf_adds(&rules, " }\n}\nrule \"s\" {\n subject = {");
	for (size_t k = 0; k < ARRAY_SIZE(patterns); k++)
		buf_addf(&rules, "%s\"%s\"", k ? ", " : " ", patterns[k]);
	buf_adds(&rules, " }\n}\n");
	rf = rules_of(rules.data);
	one[0] = text;
	fx.s.paths = one;
	fx.s.nr_paths = 1;
	fx.s.title = text;
	assert_false(matches(rf, &ex));
	buf_release(&ex);
	buf_release(&rules);
	rulefile_free(rf);
	free(text);
	series_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_series_facts),
		cmocka_unit_test(test_explain_header),
		cmocka_unit_test(test_explain_escapes),
		cmocka_unit_test(test_index_agrees),
		cmocka_unit_test(test_hostile_patterns),
	};

	return cmocka_run_group_tests_name("match", tests, setup, teardown);
}
