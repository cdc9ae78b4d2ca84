/*
 * test_buf.c: the invariants buf.h promises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"

static void test_empty_is_terminated(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_non_null(b.data);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_release(&b);
	assert_string_equal(b.data, "");
}

static void test_appends_keep_nul(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_adds(&b, "diff --git");
	buf_addch(&b, ' ');
	buf_addf(&b, "a/%s b/%s", "x.c", "x.c");
	assert_string_equal(b.data, "diff --git a/x.c b/x.c");
	assert_int_equal(b.len, strlen("diff --git a/x.c b/x.c"));
	buf_add(&b, "\0z", 2); /* mail may hold NUL bytes */
	assert_int_equal(b.len, 24);
	assert_int_equal(b.data[24], '\0');
	buf_release(&b);
}

static void test_cap_refuses_and_keeps(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_try_adds(&b, "12345678"), 0);
	assert_int_equal(buf_try_addch(&b, '9'), ERR_LIMIT);
	assert_int_equal(buf_try_addf(&b, "%d", 1), ERR_LIMIT);
	assert_string_equal(b.data, "12345678"); /* unchanged */
	buf_truncate(&b, 2);
	assert_int_equal(buf_try_addf(&b, "%s", "abcdef"), 0);
	assert_string_equal(b.data, "12abcdef");
	buf_release(&b);
}

static void test_detach_transfers(void **state)
{
	struct buf b = BUF_INIT;
	size_t len;
	char *p;

	(void)state;
	p = buf_detach(&b, &len); /* an empty buffer still yields memory */
	assert_int_equal(len, 0);
	assert_string_equal(p, "");
	free(p);
	buf_adds(&b, "Reviewed-by");
	p = buf_detach(&b, &len);
	assert_int_equal(len, 11);
	assert_string_equal(p, "Reviewed-by");
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	free(p);
}

static void test_rtrim(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_adds(&b, "Subject line \t\r\n\n");
	buf_rtrim(&b);
	assert_string_equal(b.data, "Subject line");
	assert_true(buf_ends_with(&b, "line"));
	assert_false(buf_ends_with(&b, "lines and more"));
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_terminated),
		cmocka_unit_test(test_appends_keep_nul),
		cmocka_unit_test(test_cap_refuses_and_keeps),
		cmocka_unit_test(test_detach_transfers),
		cmocka_unit_test(test_rtrim),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
