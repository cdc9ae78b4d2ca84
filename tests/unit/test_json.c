/*
 * test_json.c: RFC 8259 output, commas and escapes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "json.h"

static void test_nested(void **state)
{
	struct buf b = BUF_INIT;
	struct json j;

	(void)state;
	json_init(&j, &b);
	json_object_begin(&j);
	json_key(&j, "title");
	json_string(&j, "tun: Add");
	json_key(&j, "version");
	json_int(&j, 10);
	json_key(&j, "cover");
	json_string(&j, NULL);
	json_key(&j, "messages");
	json_array_begin(&j);
	json_string(&j, "a@b");
	json_string(&j, "c@d");
	json_array_end(&j);
	json_key(&j, "rfc");
	json_bool(&j, false);
	json_key(&j, "empty");
	json_array_begin(&j);
	json_array_end(&j);
	json_object_end(&j);
	assert_string_equal(b.data,
			    "{\"title\":\"tun: Add\",\"version\":10,"
			    "\"cover\":null,\"messages\":[\"a@b\",\"c@d\"],"
			    "\"rfc\":false,\"empty\":[]}");
	buf_release(&b);
}

static void test_escapes(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	json_quote(&b, "a\"b\\c\nd\te\x01", 10);
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\nd\\te\\u0001\"");
	buf_reset(&b);
	/* Invalid UTF-8 cannot reach the output. */
	json_quote(&b, "\xe9t\xc3\xa9", 4);
	assert_string_equal(b.data, "\"\xef\xbf\xbdt\xc3\xa9\"");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_escapes),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
