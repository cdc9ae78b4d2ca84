/*
 * test_utf8.c: RFC 3629 well-formedness (its section 10 cases) and repair.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "utf8.h"

static void test_valid_and_invalid(void **state)
{
	static const struct {
		const char *s;
		bool valid;
	} cases[] = {
		{"plain ascii", true},
		{"Micka\xc3\xabl Sala\xc3\xbcn", true},	/* U+00EB, U+00FC */
		{"\xe2\x82\xac", true},			/* U+20AC */
		{"\xf0\x9f\x90\xa7", true},		/* U+1F427 */
		{"\xc0\xaf", false},			/* overlong '/' */
		{"\xe0\x80\xaf", false},		/* overlong '/' */
		{"\xed\xa0\x80", false},		/* surrogate D800 */
		{"\xf4\x90\x80\x80", false},		/* past U+10FFFF */
		{"\xe9t\xe9", false},			/* Latin-1 "été" */
		{"\xe2\x82", false},			/* cut short */
		{"\x80", false},			/* lone continuation */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(utf8_valid(cases[i].s, strlen(cases[i].s)),
				 cases[i].valid);
}

static void test_repair_replaces_each_bad_byte(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(utf8_append_repaired(&b, "a\xff" "b\xc3\xa9", 5), 0);
	assert_string_equal(b.data, "a\xef\xbf\xbd" "b\xc3\xa9");
	buf_reset(&b);
	/* NUL bytes are dropped: everything downstream is a C string. */
	assert_int_equal(utf8_append_repaired(&b, "x\0y", 3), 0);
	assert_string_equal(b.data, "xy");
	buf_release(&b);
}

static void test_latin1(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(utf8_append_latin1(&b, "\xe9t\xe9", 3), 0);
	assert_string_equal(b.data, "\xc3\xa9t\xc3\xa9");
	assert_true(utf8_valid(b.data, b.len));
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_and_invalid),
		cmocka_unit_test(test_repair_replaces_each_bad_byte),
		cmocka_unit_test(test_latin1),
	};

	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
