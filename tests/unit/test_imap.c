/*
 * test_imap.c: the IMAP source's pure parts (cursors, backoff) and the
 * options it refuses. The protocol itself is tested against a real
 * Dovecot by tests/integration/t20*-imap-*.sh.
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
#include "imap.h"
#include "loop.h"

static void test_cursor_parse(void **state)
{
	static const struct {
		const char *text;
		int ret;
		uint32_t v, u;
	} cases[] = {
		{"1700000000:4711", 0, 1700000000u, 4711},
		{"1:0", 0, 1, 0},
		{"4294967295:4294967295", 0, 4294967295u, 4294967295u},
		{"0001:02", 0, 1, 2},
		/* Not ours, or not a cursor at all. */
		{"4294967296:1", ERR_PERM, 0, 0},
		{"1:4294967296", ERR_PERM, 0, 0},
		{"99999999999:1", ERR_PERM, 0, 0},
		{"", ERR_PERM, 0, 0},
		{":1", ERR_PERM, 0, 0},
		{"1:", ERR_PERM, 0, 0},
		{"1", ERR_PERM, 0, 0},
		{"1:2:3", ERR_PERM, 0, 0},
		{"1:2 ", ERR_PERM, 0, 0},
		{" 1:2", ERR_PERM, 0, 0},
		{"-1:2", ERR_PERM, 0, 0},
		{"1;2", ERR_PERM, 0, 0},
		{"abc:1", ERR_PERM, 0, 0},
	};
	uint32_t v, u;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		v = u = 12345;
		if (imap_cursor_parse(&v, &u, cases[i].text) != cases[i].ret)
			fail_msg("\"%s\": not %d", cases[i].text, cases[i].ret);
		if (cases[i].ret == 0 && (v != cases[i].v || u != cases[i].u))
			fail_msg("\"%s\": %u:%u", cases[i].text, v, u);
	}
}

static void test_cursor_format(void **state)
{
	struct buf b = BUF_INIT;
	uint32_t v, u;

	(void)state;
	imap_cursor_format(&b, 4294967295u, 0);
	assert_string_equal(b.data, "4294967295:0");
	assert_int_equal(imap_cursor_parse(&v, &u, b.data), 0);
	assert_true(v == 4294967295u && u == 0);
	buf_release(&b);
}

/*
 * The wait doubles from min up to max; half of it is fixed, the other
 * half random % (half + 1): wait - wait/2 + random % (wait/2 + 1).
 */
static void test_backoff(void **state)
{
	static const struct {
		unsigned failures, min, max;
		uint32_t random;
		int64_t wait;
	} cases[] = {
		{1, 1000, 900000, 0, 500},	 /* 1000: from 500 */
		{1, 1000, 900000, 500, 1000},	 /* to 1000 */
		{1, 1000, 900000, 501, 500},	 /* 501 % 501 */
		{2, 1000, 900000, 0, 1000},	 /* 2000 */
		{3, 1000, 900000, 2000, 4000},	 /* 4000: at most 4000 */
		{10, 1000, 900000, 0, 256000},	 /* 512000 */
		{11, 1000, 900000, 0, 450000},	 /* 1024000, capped */
		{1000, 1000, 900000, 0, 450000}, /* no overflow */
		{1000, 1000, 900000, 4294967295u, 607751},
		{1, 1, 1, 77, 1},	 /* the smallest */
		{5, 300, 5000, 0, 2400}, /* 4800 */
		{6, 300, 5000, 0, 2500}, /* 9600, capped at 5000 */
	};
	size_t i;
	int64_t w;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		w = imap_backoff_ms(cases[i].failures, cases[i].min,
				    cases[i].max, cases[i].random);
		if (w != cases[i].wait)
			fail_msg("case %zu: %lld ms, not %lld", i, (long long)w,
				 (long long)cases[i].wait);
	}
}

static int sink_add(void *arg, const char *source, uint32_t uid,
		    const char *raw, size_t len)
{
	(void)arg, (void)source, (void)uid, (void)raw, (void)len;
	return 0;
}

static int sink_add_cut(void *arg, const char *source, uint32_t uid,
			const char *raw, size_t len, const char *reason)
{
	(void)arg, (void)source, (void)uid, (void)raw, (void)len, (void)reason;
	return 0;
}

static int sink_commit(void *arg, const char *source, const char *cursor)
{
	(void)arg, (void)source, (void)cursor;
	return 0;
}

static void sink_abort(void *arg)
{
	(void)arg;
}

static void test_options_refused(void **state)
{
	static const char *const boxes[] = {"INBOX"};
	static const struct imap_sink sink = {.add = sink_add,
					      .add_cut = sink_add_cut,
					      .commit = sink_commit,
					      .abort = sink_abort};
	struct imap_source *src = (struct imap_source *)&src;
	struct imap_options good, o;
	struct loop *lp;
	size_t i;
	/* Each breaks one option of a good set. */
	static const char *const broken[] = {
		"no name", "no host",	"no user",  "no password", "no mailbox",
		"port",	   "idle 0",	"idle 30m", "poll 0",	   "timeout 0",
		"batch 0", "batch big", "backoff",  "ca file",
	};

	(void)state;
	imap_options_init(&good);
	good.name = "lkml";
	good.host = "imap.example.org";
	good.user = "bot";
	good.password = "secret";
	good.mailboxes = boxes;
	good.nr_mailboxes = 1;
	good.tls = IMAP_TLS_NONE; /* no CA store needed */
	for (i = 0; i < ARRAY_SIZE(broken); i++) {
		o = good;
		switch (i) {
		case 0:
			o.name = "";
			break;
		case 1:
			o.host = NULL;
			break;
		case 2:
			o.user = "";
			break;
		case 3:
			o.password = NULL;
			break;
		case 4:
			o.nr_mailboxes = 0;
			break;
		case 5:
			o.port = 65536;
			break;
		case 6:
			o.idle_interval = 0;
			break;
		/* RFC 2177: re-issue IDLE at least every 29 minutes. */
		case 7:
			o.idle_interval = 30 * 60;
			break;
		case 8:
			o.poll_interval = 0;
			break;
		case 9:
			o.timeout = 0;
			break;
		case 10:
			o.batch_size = 0;
			break;
		case 11:
			o.batch_size = 1000000;
			break;
		case 12:
			o.backoff_max_ms = o.backoff_min_ms - 1;
			break;
		case 13:
			o.tls = IMAP_TLS_IMPLICIT;
			o.ca_file = "/nonexistent/ca.pem";
			break;
		}
		src = (struct imap_source *)&src;
		if (imap_source_start(&src, NULL, NULL, &o, &sink) != ERR_PERM)
			fail_msg("%s: accepted", broken[i]);
		assert_null(src);
	}
	/* The good set starts (connecting waits for the loop to run). */
	assert_int_equal(loop_new(&lp), 0);
	assert_int_equal(imap_source_start(&src, lp, NULL, &good, &sink), 0);
	assert_non_null(src);
	imap_source_free(src);
	imap_source_free(NULL);
	loop_free(lp);
}

static void test_defaults(void **state)
{
	struct imap_options o;

	(void)state;
	imap_options_init(&o);
	/* Secure and read-only unless configured otherwise. */
	assert_int_equal(o.tls, IMAP_TLS_IMPLICIT);
	assert_true(o.read_only);
	assert_true(o.idle_interval > 0 && o.idle_interval < 29 * 60);
	assert_true(o.batch_size > 0);
	assert_true(o.backoff_min_ms > 0 &&
		    o.backoff_max_ms >= o.backoff_min_ms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cursor_parse),
		cmocka_unit_test(test_cursor_format),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_options_refused),
		cmocka_unit_test(test_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
