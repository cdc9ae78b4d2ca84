/*
 * test_token.c: tokens are 22 base64url characters (RFC 4648 5: A-Z a-z
 * 0-9 - _), and do not repeat; what the store keeps of one is its SHA-256
 * (checked against the examples of FIPS 180-2, appendix B).
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

static void test_hash_vectors(void **state)
{
	static const struct {
		const char *in;
		const char *hex;
	} v[] = {
		/* FIPS 180-2 B.1: one block */
		{"abc", "ba7816bf8f01cfea414140de5dae2223"
			"b00361a396177a9cb410ff61f20015ad"},
		/* B.2: two blocks, the length spilling into the second */
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		 "248d6a61d20638b8e5c026930c3e6039"
		 "a33ce45964ff2167f6ecedd419db06c1"},
		/* the empty message */
		{"", "e3b0c44298fc1c149afbf4c8996fb924"
		     "27ae41e4649b934ca495991b7852b855"},
	};
	char hex[TOKEN_HASH_CHARS + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		token_hash(hex, v[i].in);
		assert_string_equal(hex, v[i].hex);
	}
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
		cmocka_unit_test(test_hash_vectors),
	};

	return cmocka_run_group_tests_name("token", tests, NULL, NULL);
}
