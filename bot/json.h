/*
 * json.h: a small JSON writer (RFC 8259) into a buf. It keeps track of
 * commas so callers write keys and values in order:
 *
 *	struct json j;
 *	json_init(&j, &out);
 *	json_object_begin(&j);
 *	json_key(&j, "title"); json_string(&j, title);
 *	json_key(&j, "version"); json_int(&j, 3);
 *	json_object_end(&j);
 *
 * Strings are escaped as RFC 8259 asks; bytes that are not UTF-8 become
 * U+FFFD so the output is always valid JSON. The writer borrows out.
 */
#ifndef PATCHLETTER_JSON_H
#define PATCHLETTER_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define JSON_MAX_DEPTH 32

struct json {
	struct buf *out;		    /* borrowed */
	int depth;
	bool first[JSON_MAX_DEPTH];	    /* nothing written yet at depth */
	bool after_key;
};

void json_init(struct json *j, struct buf *out);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
/* s may be NULL: written as null. */
void json_string(struct json *j, const char *s);
void json_stringn(struct json *j, const char *s, size_t len);
void json_int(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* Append s as a quoted, escaped JSON string, without comma handling. */
void json_quote(struct buf *out, const char *s, size_t len);

#endif
