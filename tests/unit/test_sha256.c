/*
 * test_sha256.c: SHA-256 against the examples of FIPS 180-2 (appendix B)
 * and NIST's SHA-256 example file; the incremental interface gives the
 * same digest however the input is cut; token_hash() is the hex of it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"
#include "token.h"

static const struct {
	const char *in;
	const char *hex;
} vectors[] = {
	/* FIPS 180-2 B.1: one block */
	{"abc",
	 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	/* B.2: two blocks, the length spilling into the second */
	{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	/* the empty message */
	{"",
	 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	/* the 896-bit message of NIST's examples */
	{"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	 "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	 "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

static void test_vectors(void **state)
{
	char hex[SHA256_HEX_CHARS + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		sha256_hex(hex, vectors[i].in, strlen(vectors[i].in));
		assert_string_equal(hex, vectors[i].hex);
	}
}

/* FIPS 180-2 B.3: a million 'a', fed in pieces of odd sizes. */
static void test_million_a(void **state)
{
	static const unsigned char want[SHA256_BYTES] = {
		0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92,
		0x81, 0xa1, 0xc7, 0xe2, 0x84, 0xd7, 0x3e, 0x67,
		0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97, 0x20, 0x0e,
		0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
	unsigned char got[SHA256_BYTES], as[1000];
	struct sha256 c;
	size_t done = 0, n = 1;

	(void)state;
	memset(as, 'a', sizeof(as));
	sha256_init(&c);
	while (done < 1000000) {
		size_t take = n < 1000000 - done ? n : 1000000 - done;

		sha256_update(&c, as, take);
		done += take;
		n = n * 7 % 997 + 1; /* 1, 8, 57, 400, ...: every alignment */
	}
	sha256_final(got, &c);
	assert_memory_equal(got, want, SHA256_BYTES);
}

/* Lengths around the padding's edges (55, 56, 63, 64, 65 bytes): the
 * one-shot digest equals one fed byte by byte, and differs per length. */
static void test_block_edges(void **state)
{
	unsigned char one[SHA256_BYTES], bytewise[SHA256_BYTES];
	unsigned char prev[SHA256_BYTES] = {0};
	char text[130];
	struct sha256 c;
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(text); i++)
		text[i] = (char)('A' + i % 26);
	for (len = 50; len <= 129; len++) {
		sha256(one, text, len);
		sha256_init(&c);
		for (i = 0; i < len; i++)
			sha256_update(&c, text + i, 1);
		sha256_final(bytewise, &c);
		assert_memory_equal(one, bytewise, SHA256_BYTES);
		assert_memory_not_equal(one, prev, SHA256_BYTES);
		memcpy(prev, one, SHA256_BYTES);
	}
}

static void test_token_hash(void **state)
{
	char h[TOKEN_HASH_CHARS + 1], t[TOKEN_CHARS + 1];

	(void)state;
	token_hash(h, "abc");
	assert_string_equal(h, vectors[0].hex);
	assert_int_equal(token_new(t), 0);
	token_hash(h, t);
	assert_int_equal(strlen(h), 64);
	assert_int_equal(strspn(h, "0123456789abcdef"), 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_block_edges),
		cmocka_unit_test(test_token_hash),
	};

	return cmocka_run_group_tests_name("sha256", tests, NULL, NULL);
}
