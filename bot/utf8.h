/*
 * utf8.h: UTF-8 validation and repair. Everything the parser hands on is
 * valid UTF-8; these turn whatever a mail carried into that.
 */
#ifndef PATCHLETTER_UTF8_H
#define PATCHLETTER_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Is s[0..len) well-formed UTF-8 (RFC 3629: no overlongs, surrogates)? */
bool utf8_valid(const char *s, size_t len);

/*
 * Length of the well-formed sequence starting at s (at most len bytes),
 * or 0 when the bytes there are not one.
 */
size_t utf8_seq_len(const char *s, size_t len);

/*
 * Append s to out with every ill-formed byte replaced by U+FFFD and NUL
 * bytes dropped. Returns 0 or ERR_LIMIT (out's cap).
 */
int utf8_append_repaired(struct buf *out, const char *s, size_t len)
	WARN_UNUSED;

/* Append s, taken as ISO-8859-1, converted to UTF-8. 0 or ERR_LIMIT. */
int utf8_append_latin1(struct buf *out, const char *s, size_t len)
	WARN_UNUSED;

/* Append the UTF-8 encoding of code point cp. 0 or ERR_LIMIT. */
int utf8_append_cp(struct buf *out, unsigned cp) WARN_UNUSED;

#endif
