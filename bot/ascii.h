/*
 * ascii.h: locale-free ASCII byte classes and comparisons for the parsers
 * of mail text. <ctype.h> depends on the locale and wants an int in the
 * range of unsigned char; mail bytes are neither trusted nor ASCII.
 * Header-only (static inline), so any module may use it without linking
 * anything more.
 */
#ifndef PATCHLETTER_ASCII_H
#define PATCHLETTER_ASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Space, tab, CR, LF, VT, FF. */
static inline bool ascii_isspace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static inline bool ascii_isdigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool ascii_isalpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool ascii_isalnum(unsigned char c)
{
	return ascii_isdigit(c) || ascii_isalpha(c);
}

static inline unsigned char ascii_tolower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static inline unsigned char ascii_toupper(unsigned char c)
{
	return (c >= 'a' && c <= 'z') ? c - ('a' - 'A') : c;
}

/* Do the n bytes at p start with prefix, byte for byte? */
static inline bool ascii_startswith(const char *p, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(p, prefix, k) == 0;
}

/* Do the n bytes at p start with prefix, in any ASCII case? */
static inline bool ascii_startswith_ci(const char *p, size_t n,
				       const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i]; i++)
		if (i >= n || ascii_tolower(p[i]) != ascii_tolower(prefix[i]))
			return false;
	return true;
}

/* Are the n bytes at p the string s, in any ASCII case? */
static inline bool ascii_eq_ci(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && ascii_startswith_ci(p, n, s);
}

#endif
