/*
 * test_keywords.c: the Aho-Corasick automaton of rule-file keywords:
 * what it finds (the textbook example of Aho and Corasick's paper, shared
 * ids, overlaps, strings cut by the end of a text), and that hostile
 * strings cannot make a scan cost more than its stated bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "keywords.h"
#include "xalloc.h"

/* Build an automaton of strs (id = index), scan text, return sorted ids. */
static size_t scan_all(uint32_t *out, const char *const *strs, size_t n,
		       const char *text)
{
	struct keywords *kw = keywords_new();
	struct keywords_hits h = KEYWORDS_HITS_INIT;
	size_t found;

	for (size_t k = 0; k < n; k++)
		keywords_add(kw, strs[k], strlen(strs[k]), (uint32_t)k);
	keywords_build(kw);
	keywords_hits_init(&h, kw);
	found = keywords_scan(kw, text, strlen(text), &h, NULL);
	assert_int_equal(found, h.nr);
	for (size_t k = 0; k < h.nr; k++)
		out[k] = h.ids[k];
	/* Sort for comparison: the order found is by end position. */
	for (size_t i = 1; i < h.nr; i++)
		for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
			uint32_t t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	keywords_hits_release(&h);
	keywords_free(kw);
	return found;
}

static void test_textbook(void **state)
{
	/* Aho & Corasick 1975, fig. 1: {he, she, his, hers} in "ushers". */
	static const char *const strs[] = {"he", "she", "his", "hers"};
	uint32_t ids[4];

	(void)state;
	assert_int_equal(scan_all(ids, strs, 4, "ushers"), 3);
	assert_int_equal(ids[0], 0); /* he, inside she */
	assert_int_equal(ids[1], 1); /* she */
	assert_int_equal(ids[2], 3); /* hers */
	assert_int_equal(scan_all(ids, strs, 4, "this"), 1);
	assert_int_equal(ids[0], 2);
	assert_int_equal(scan_all(ids, strs, 4, "h e s"), 0);
	/* Case matters. */
	assert_int_equal(scan_all(ids, strs, 4, "SHE"), 0);
}

struct case_ {
	const char *strs[4];
	const char *text;
	int want[4]; /* sorted ids found, -1 ends */
};

static void test_table(void **state)
{
	static const struct case_ cases[] = {
		/* A string that is a suffix of another, found through
		 * the dictionary link. */
		{{"cond_resched", "resched", NULL},
		 "x cond_resched();",
		 {0, 1, -1}},
		{{"cond_resched", "resched", NULL}, "need_resched()", {1, -1}},
		/* Cut by the end of the text: not found. */
		{{"kvm_alloc", NULL}, "ret = kvm_allo", {-1}},
		/* Overlapping occurrences, each id once. */
		{{"aa", "aaa", NULL}, "aaaaaa", {0, 1, -1}},
		/* Failure links across a partial match. */
		{{"abcd", "bce", NULL}, "abce", {1, -1}},
		/* Bytes above 0x7f and NUL-free binary junk. */
		{{"\xc3\xa5ngstr", "\xff\xfe", NULL},
		 "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m \xc3\xa5ngstr\xc3\xb6m",
		 {0, -1}},
		{{"_IOW(", "_IOR(", "_IOWR(", NULL},
		 "#define X _IOWR('T', 1, int)",
		 {2, -1}},
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint32_t ids[4];
		size_t n = 0, found;

		while (n < 4 && cases[c].strs[n])
			n++;
		found = scan_all(ids, cases[c].strs, n, cases[c].text);
		for (size_t k = 0; k <= found; k++) {
			if (k == found) {
				assert_int_equal(cases[c].want[k], -1);
				break;
			}
			assert_int_equal(ids[k], cases[c].want[k]);
		}
	}
}

static void test_shared_ids_and_reset(void **state)
{
	struct keywords *kw = keywords_new();
	struct keywords_hits h = KEYWORDS_HITS_INIT;

	(void)state;
	/* Two strings for id 5, one string for ids 1 and 2. */
	keywords_add(kw, "alpha", 5, 5);
	keywords_add(kw, "beta", 4, 5);
	keywords_add(kw, "gamma", 5, 1);
	keywords_add(kw, "gamma", 5, 2);
	keywords_build(kw);
	assert_int_equal(keywords_count(kw), 4);
	keywords_hits_init(&h, kw);

	/* Scans add up until a reset; each id is reported once. */
	assert_int_equal(keywords_scan(kw, "beta", 4, &h, NULL), 1);
	assert_int_equal(keywords_scan(kw, "alpha beta", 10, &h, NULL), 0);
	assert_int_equal(keywords_scan(kw, "gamma", 5, &h, NULL), 2);
	assert_int_equal(h.nr, 3);
	assert_true(keywords_hits_has(&h, 5));
	assert_true(keywords_hits_has(&h, 1));
	assert_true(keywords_hits_has(&h, 2));
	assert_false(keywords_hits_has(&h, 3));
	assert_false(keywords_hits_has(&h, 99));

	keywords_hits_reset(&h);
	assert_int_equal(h.nr, 0);
	assert_false(keywords_hits_has(&h, 5));
	/* A string split over two scans (two lines) is not found. */
	assert_int_equal(keywords_scan(kw, "gam", 3, &h, NULL), 0);
	assert_int_equal(keywords_scan(kw, "ma", 2, &h, NULL), 0);
	assert_int_equal(keywords_scan(kw, "alpha", 5, &h, NULL), 1);
	assert_int_equal(h.ids[0], 5);

	keywords_hits_release(&h);
	keywords_free(kw);
}

static void test_empty(void **state)
{
	struct keywords *kw = keywords_new();
	struct keywords_hits h = KEYWORDS_HITS_INIT;

	(void)state;
	keywords_build(kw);
	keywords_hits_init(&h, kw);
	assert_int_equal(keywords_scan(kw, "anything", 8, &h, NULL), 0);
	assert_int_equal(keywords_states(kw), 1);
	keywords_hits_release(&h);
	keywords_free(kw);
}

/*
 * Strings made to hurt a naive scanner: 512 strings of up to 256 'a's
 * ending in distinct bytes (every text position starts a long partial
 * match), and a text of 'a's. A scan costs at most 2 * len moves plus one
 * per state reported, whatever the strings.
 */
static void test_hostile_is_linear(void **state)
{
	struct keywords *kw = keywords_new();
	struct keywords_hits h = KEYWORDS_HITS_INIT;
	size_t len = 1 << 20, steps = 0, found;
	char *text = xmalloc(len), s[257];

	(void)state;
	for (uint32_t k = 0; k < 512; k++) {
		size_t n = 1 + k % 256;

		memset(s, 'a', n);
		s[n] = (char)('b' + k % 20);
		keywords_add(kw, s, n + 1, k);
	}
	/* And strings that do occur, all suffixes of one another. */
	for (uint32_t k = 0; k < 200; k++) {
		memset(s, 'a', k + 1);
		keywords_add(kw, s, k + 1, 512 + k);
	}
	keywords_build(kw);
	keywords_hits_init(&h, kw);
	memset(text, 'a', len);
	found = keywords_scan(kw, text, len, &h, &steps);
	assert_int_equal(found, 200);
	assert_true(steps <= 2 * len + keywords_states(kw));
	/* The same text again: everything is known, the bound holds. */
	steps = 0;
	assert_int_equal(keywords_scan(kw, text, len, &h, &steps), 0);
	assert_true(steps <= 2 * len + keywords_states(kw));
	keywords_hits_release(&h);
	keywords_free(kw);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_textbook),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_shared_ids_and_reset),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_hostile_is_linear),
	};

	return cmocka_run_group_tests_name("keywords", tests, NULL, NULL);
}
