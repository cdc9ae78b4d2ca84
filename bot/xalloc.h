/*
 * xalloc.h: allocation that aborts when memory runs out (STYLE.md: out of
 * memory aborts). Every pointer these return is owned by the caller and
 * released with free().
 */
#ifndef PATCHLETTER_XALLOC_H
#define PATCHLETTER_XALLOC_H

#include <stddef.h>

#include "compat.h"

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
/* Unlike realloc(), cannot leak: it aborts instead of returning NULL. */
void *xrealloc(void *p, size_t n);
/* Grow *array (of *alloc elements of elem bytes) to hold at least need. */
void xgrow(void **array, size_t *alloc, size_t need, size_t elem);
char *xstrdup(const char *s);
/* Copy n bytes and add a NUL, whatever the bytes contain. */
char *xmemdup0(const void *p, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* XGROW(array, alloc, need): typed wrapper of xgrow(). */
#define XGROW(array, alloc, need) \
	xgrow((void **)&(array), &(alloc), (need), sizeof(*(array)))

#endif
