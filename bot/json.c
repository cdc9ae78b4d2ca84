/*
 * json.c: JSON output with RFC 8259 escaping.
 */
#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "utf8.h"

void json_init(struct json *j, struct buf *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
}

/* Write the comma that separates this value from the one before it. */
static void json_separate(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		buf_addch(j->out, ',');
	j->first[j->depth] = false;
}

static void json_open(struct json *j, int c)
{
	json_separate(j);
	if (j->depth + 1 >= JSON_MAX_DEPTH)
		BUG("json: nested deeper than %d", JSON_MAX_DEPTH);
	buf_addch(j->out, c);
	j->first[++j->depth] = true;
}

static void json_close(struct json *j, int c)
{
	if (j->depth == 0 || j->after_key)
		BUG("json: close without open");
	j->depth--;
	buf_addch(j->out, c);
}

void json_object_begin(struct json *j)
{
	json_open(j, '{');
}

void json_object_end(struct json *j)
{
	json_close(j, '}');
}

void json_array_begin(struct json *j)
{
	json_open(j, '[');
}

void json_array_end(struct json *j)
{
	json_close(j, ']');
}

void json_quote(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, n;

	buf_addch(out, '"');
	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80) {
			n = utf8_seq_len(s + i, len - i);
			if (n) {
				buf_add(out, s + i, n);
				i += n;
			} else {
				buf_adds(out, "\xef\xbf\xbd");
				i++;
			}
			continue;
		}
		switch (c) {
		case '"':
			buf_adds(out, "\\\"");
			break;
		case '\\':
			buf_adds(out, "\\\\");
			break;
		case '\n':
			buf_adds(out, "\\n");
			break;
		case '\r':
			buf_adds(out, "\\r");
			break;
		case '\t':
			buf_adds(out, "\\t");
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				buf_adds(out, "\\u00");
				buf_addch(out, hex[c >> 4]);
				buf_addch(out, hex[c & 15]);
			} else {
				buf_addch(out, c);
			}
		}
		i++;
	}
	buf_addch(out, '"');
}

void json_key(struct json *j, const char *key)
{
	json_separate(j);
	json_quote(j->out, key, strlen(key));
	buf_addch(j->out, ':');
	j->after_key = true;
}

void json_stringn(struct json *j, const char *s, size_t len)
{
	json_separate(j);
	json_quote(j->out, s, len);
}

void json_string(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	json_stringn(j, s, strlen(s));
}

void json_int(struct json *j, int64_t v)
{
	json_separate(j);
	buf_addf(j->out, "%" PRId64, v);
}

void json_bool(struct json *j, bool v)
{
	json_separate(j);
	buf_adds(j->out, v ? "true" : "false");
}

void json_null(struct json *j)
{
	json_separate(j);
	buf_adds(j->out, "null");
}
