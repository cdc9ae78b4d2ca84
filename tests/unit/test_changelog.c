/*
 * test_changelog.c: the notes a new version carries, in the forms
 * senders write them (b4's "Changes in vN:", git send-email users'
 * "vN:" lists, "V2 -> V3:", notes after a patch's "---").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "changelog.h"

static void test_forms(void **state)
{
	static const struct {
		const char *text;
		const char *notes; /* NULL: none found */
	} cases[] = {
		/* b4's cover letter, with its link to the last version */
		{"This series does X.\n\nChanges in v3:\n- Fix Y (Ann)\n"
		 "- Link to v2: https://lore.kernel.org/r/a@b\n\n---\n"
		 "Ada (2):\n",
		 "Changes in v3:\n- Fix Y (Ann)\n"
		 "- Link to v2: https://lore.kernel.org/r/a@b"},
		/* one block per version, separated by blank lines */
		{"Intro.\n\nv3:\n  - rebased\n\nv2:\n  - typo\n\nSigned-off-by: A <a@b>\n",
		 "v3:\n  - rebased\n\nv2:\n  - typo"},
		{"V2 -> V3: handle the error path\n\nThanks,\nA\n",
		 "V2 -> V3: handle the error path"},
		{"Changes since v1:\n* split patch 2\n", "Changes since v1:\n* split patch 2"},
		/* two blank lines end the notes */
		{"Changelog:\n- one\n\n\n- not part of it\n", "Changelog:\n- one"},
		/* a subsystem prefix is not a version */
		{"v4l2: fix a leak\n\nMore text.\n", NULL},
		{"Nothing about versions here.\n", NULL},
	};
	size_t i, off, len;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool found = changelog_find(&off, &len, cases[i].text,
					    strlen(cases[i].text));

		assert_int_equal(found, cases[i].notes != NULL);
		if (found) {
			assert_int_equal(len, strlen(cases[i].notes));
			assert_memory_equal(cases[i].text + off, cases[i].notes,
					    len);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
	};

	return cmocka_run_group_tests_name("changelog", tests, NULL, NULL);
}
