/*
 * buf.c: growable buffers with a cap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "xalloc.h"

/* What an empty buffer points at; never written but for its NUL. */
char buf_empty[1];

void buf_init(struct buf *b, size_t max)
{
	b->data = buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

void buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->data);
	buf_init(b, b->max);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

char *buf_detach(struct buf *b, size_t *len_out)
{
	char *p = b->alloc ? b->data : xcalloc(1, 1);

	if (len_out)
		*len_out = b->len;
	buf_init(b, b->max);
	return p;
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len > b->len)
		BUG("buf_truncate past the end (%zu > %zu)", len, b->len);
	b->len = len;
	b->data[len] = '\0';
}

/* Make room for n more bytes plus the NUL, or fail against the cap. */
static int buf_reserve(struct buf *b, size_t n)
{
	size_t need, alloc;

	if (n > SIZE_MAX - 1 - b->len)
		return ERR_LIMIT;
	need = b->len + n + 1;
	if (b->max && need - 1 > b->max)
		return ERR_LIMIT;
	if (need <= b->alloc)
		return 0;
	alloc = b->alloc;
	if (!b->alloc) {
		b->data = NULL;
		alloc = 0;
	}
	XGROW(b->data, alloc, need);
	if (!b->alloc)
		b->data[0] = '\0';
	b->alloc = alloc;
	return 0;
}

int buf_try_add(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n))
		return ERR_LIMIT;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_try_adds(struct buf *b, const char *s)
{
	return buf_try_add(b, s, strlen(s));
}

int buf_try_addch(struct buf *b, int c)
{
	char ch = (char)c;

	return buf_try_add(b, &ch, 1);
}

static int buf_try_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		BUG("buf: bad format \"%s\"", fmt);
	if (buf_reserve(b, (size_t)n))
		return ERR_LIMIT;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_try_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_try_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_try_add(b, p, n))
		BUG("buf: append of %zu bytes passes the cap of %zu", n,
		    b->max);
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addch(struct buf *b, int c)
{
	char ch = (char)c;

	buf_add(b, &ch, 1);
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	if (buf_try_vaddf(b, fmt, ap))
		BUG("buf: formatted append passes the cap of %zu", b->max);
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void buf_rtrim(struct buf *b)
{
	while (b->len && strchr(" \t\r\n", b->data[b->len - 1]))
		b->len--;
	b->data[b->len] = '\0';
}

bool buf_ends_with(const struct buf *b, const char *suffix)
{
	size_t n = strlen(suffix);

	return b->len >= n && !memcmp(b->data + b->len - n, suffix, n);
}
