/*
 * utf8.c: RFC 3629 validation, as a table-free decoder.
 */
#include "err.h"
#include "utf8.h"

size_t utf8_seq_len(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned cp;
	size_t n, i;

	if (len == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and values past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

bool utf8_valid(const char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		n = utf8_seq_len(s + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

int utf8_append_cp(struct buf *out, unsigned cp)
{
	char e[4];
	size_t n;

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		e[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		e[0] = (char)(0xc0 | (cp >> 6));
		e[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		e[0] = (char)(0xe0 | (cp >> 12));
		e[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		e[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		e[0] = (char)(0xf0 | (cp >> 18));
		e[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		e[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		e[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_try_add(out, e, n);
}

int utf8_append_repaired(struct buf *out, const char *s, size_t len)
{
	size_t i = 0, start = 0, n;

	while (i < len) {
		n = utf8_seq_len(s + i, len - i);
		if (n && s[i] != '\0') {
			i += n;
			continue;
		}
		if (buf_try_add(out, s + start, i - start))
			return ERR_LIMIT;
		if (s[i] != '\0' && utf8_append_cp(out, 0xfffd))
			return ERR_LIMIT;
		start = ++i;
	}
	return buf_try_add(out, s + start, i - start);
}

int utf8_append_latin1(struct buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (utf8_append_cp(out, (unsigned char)s[i]))
			return ERR_LIMIT;
	return 0;
}
