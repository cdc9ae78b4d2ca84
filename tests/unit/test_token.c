/*
 * test_token.c: tokens are 22 base64url characters (RFC 4648 5: A-Z a-z
 * 0-9 - _), and do not repeat.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "token.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_shape_and_uniqueness(void **state)
{
	enum { N = 2000 };
	char (*t)[TOKEN_CHARS + 1] = calloc(N, sizeof(*t));
	size_t i;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < N; i++) {
		assert_int_equal(token_new(t[i]), 0);
		assert_int_equal(strlen(t[i]), 22);
		assert_true(token_valid(t[i]));
	}
	/* 128 random bits: a repeat among 2000 would be a broken source. */
	qsort(t, N, sizeof(*t), cmp);
	for (i = 1; i < N; i++)
		assert_string_not_equal(t[i - 1], t[i]);
	free(t);
}

static void test_valid(void **state)
{
	(void)state;
	assert_true(token_valid("AAAAAAAAAAAAAAAAAAAA-_"));
	assert_false(token_valid("AAAAAAAAAAAAAAAAAAAAA"));   /* 21 */
	assert_false(token_valid("AAAAAAAAAAAAAAAAAAAA+/"));  /* base64 */
	assert_false(token_valid("AAAAAAAAAAAAAAAAAAAA\r\n")); /* injection */
	assert_false(token_valid(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape_and_uniqueness),
		cmocka_unit_test(test_valid),
	};

	return cmocka_run_group_tests_name("token", tests, NULL, NULL);
}
