/*
 * test_evidence.c: finding links to earlier versions, targets, overlap.
 * The cover-letter lines are written in the forms b4, git send-email users
 * and lore readers use (see corpus lore-* cover letters for the shapes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evidence.h"

static void test_links(void **state)
{
	static const struct {
		const char *text;
		int nr;
		enum evidence kind;
		int version;
		const char *id;
	} cases[] = {
		/* b4's changelog line */
		{"Changes in v2:\n- Rebased.\n- Link to v1: "
		 "https://lore.kernel.org/r/20260501-foo-v1-0-abc@kernel.org\n",
		 1, EVIDENCE_LINK, 1, "20260501-foo-v1-0-abc@kernel.org"},
		/* the URL wrapped onto the next line */
		{"- Link to v2:\n  "
		 "https://patch.msgid.link/20260527-x-v2-0-06de@nvidia.com\n",
		 1, EVIDENCE_LINK, 2, "20260527-x-v2-0-06de@nvidia.com"},
		/* list-name segment and trailing slash */
		{"v3: "
		 "https://lore.kernel.org/linux-kbuild/"
		 "cover.1776.git.d@makrotopia.org/\n",
		 1, EVIDENCE_LINK, 3, "cover.1776.git.d@makrotopia.org"},
		{"[v1] "
		 "https://lore.kernel.org/all/"
		 "20260331111240.153913-1-e@google.com/T/#u\n",
		 1, EVIDENCE_LINK, 1, "20260331111240.153913-1-e@google.com"},
		/* percent-encoded id */
		{"Previous version: "
		 "https://lore.kernel.org/r/a%2Fb%40c@example.org\n",
		 1, EVIDENCE_LINK, 0, "a/b@c@example.org"},
		{"Supersedes: <20260101.1234-1-a@example.org>\n", 1,
		 EVIDENCE_SUPERSEDES, 0, "20260101.1234-1-a@example.org"},
		/* a reference to a discussion names no version: not evidence */
		{"[1] "
		 "https://lore.kernel.org/lkml/Z8JOvMx6iLexT3pK@google.com/\n",
		 0, 0, 0, NULL},
		/* "-v1-" inside the URL is not the line naming a version */
		{"Depends on "
		 "https://lore.kernel.org/r/20251218-w-v1-0-73@kernel.org\n",
		 0, 0, 0, NULL},
		/* a version-like tree is not a version */
		{"Based on v6.19-rc1: https://lore.kernel.org/r/x@y.org\n", 0,
		 0, 0, NULL},
		/* quoted text is someone else's */
		{"> - Link to v1: https://lore.kernel.org/r/q@example.org\n", 0,
		 0, 0, NULL},
		/* a dependency names a version it needs, not one it replaces */
		{"This depends on v3 of the iommu series: "
		 "https://lore.kernel.org/r/20260101-iommu-v3-0-1@a.org\n",
		 0, 0, 0, NULL},
		{"Based on v2 of Foo's cleanup:\n"
		 "  https://lore.kernel.org/all/20260102.1-1-foo@b.org/\n",
		 0, 0, 0, NULL},
		{"It applies on top of the v5 posting https://lore.kernel.org/"
		 "all/20260103.1-1-x@c.org/\n",
		 0, 0, 0, NULL},
		/* kbuild, 2026-04: a patch replacing an earlier attempt */
		{"My previous attempt to fix this logic can be found at\n"
		 "https://lore.kernel.org/linux-modules/"
		 "20260402141911.1577711-1-petr.pavlu@suse.com/\n",
		 1, EVIDENCE_LINK, 0,
		 "20260402141911.1577711-1-petr.pavlu@suse.com"},
		/* linux-sparse 2024: a changelog block closed by a bare Link */
		{"v3 -> v4:\n\n   - rename it.\n\nLink: "
		 "https://lore.kernel.org/"
		 "all/20241112190840.601378-4-m@w.fr/\n\nv2 -> v3:\n\n   - "
		 "split.\n\nLink: https://lore.kernel.org/all/"
		 "20241111164743.339117-2-m@w.fr/\n",
		 2, EVIDENCE_LINK, 3, "20241112190840.601378-4-m@w.fr"},
		{"Changes since v2:\n- fix the build\nLink: "
		 "https://lore.kernel.org/r/a-v2@b.org\n",
		 1, EVIDENCE_LINK, 2, "a-v2@b.org"},
		/* a Link: trailer outside any changelog block names nothing */
		{"Reported-by: A <a@b.org>\nLink: https://lore.kernel.org/r/"
		 "bug@b.org\n",
		 0, 0, 0, NULL},
		/* the block's first link only: a later one is no version */
		{"v1 -> v2:\n- x\nLink: https://lore.kernel.org/r/v1@b.org\n"
		 "Link: https://lore.kernel.org/r/other@b.org\n",
		 1, EVIDENCE_LINK, 1, "v1@b.org"},
		/* kbuild, 2026-06: the link names a version in parentheses */
		{"Changes since v1 (https://lore.kernel.org/all/20260603-kcov-"
		 "v2-0-fee0@est.tech/):\n",
		 1, EVIDENCE_LINK, 1, "20260603-kcov-v2-0-fee0@est.tech"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct evidence_links l = EVIDENCE_LINKS_INIT;

		evidence_find_links(&l, cases[i].text, strlen(cases[i].text));
		assert_int_equal(l.nr, cases[i].nr);
		if (cases[i].nr) {
			assert_int_equal(l.v[0].kind, cases[i].kind);
			assert_int_equal(l.v[0].version, cases[i].version);
			assert_string_equal(l.v[0].message_id, cases[i].id);
		}
		evidence_links_release(&l);
	}
}

static void test_targets(void **state)
{
	static const struct {
		const char *prefixes[3];
		size_t n;
		const char *target;
	} cases[] = {
		{{"net-next"}, 1, "net-next"},
		{{"RFC", "net"}, 2, "net"},
		{{"5.10.y"}, 1, "5.10.y"},
		{{"v6.6.y"}, 1, "6.6.y"},
		{{"RESEND", "RFC"}, 2, ""},
		{{"RFCv2"}, 1, ""},
		{{"kvm-unit-tests"}, 1, "kvm-unit-tests"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *t = evidence_target(cases[i].prefixes, cases[i].n);

		assert_string_equal(t, cases[i].target);
		free(t);
	}
	assert_true(evidence_targets_compatible("", "net-next"));
	assert_true(evidence_targets_compatible("6.1.y", "6.1.y"));
	assert_false(evidence_targets_compatible("net", "net-next"));
	assert_false(evidence_targets_compatible("5.10.y", "6.1.y"));
}

static void test_overlap(void **state)
{
	(void)state;
	/* Compiler-Based Capability-Analysis v3 (35 patches) and its
	 * retitled v4 (35): most titles kept. */
	assert_true(evidence_titles_overlap(30, 35, 35));
	/* Half of the smaller set is enough, two titles at least. */
	assert_true(evidence_titles_overlap(2, 4, 9));
	assert_false(evidence_titles_overlap(2, 5, 9));
	/* One shared title is never strong: a lone patch against a series,
	 * or two series sharing a common patch. */
	assert_false(evidence_titles_overlap(1, 1, 5));
	assert_false(evidence_titles_overlap(1, 2, 2));
	/* Counts that cannot be: more shared than the smaller set holds. */
	assert_false(evidence_titles_overlap(3, 2, 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_overlap),
	};

	return cmocka_run_group_tests_name("evidence", tests, NULL, NULL);
}
