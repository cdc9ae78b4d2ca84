/*
 * buf.h: a growable byte buffer with git strbuf's invariants:
 *
 *  - b->data is never NULL and always NUL-terminated at b->len, so it can
 *    be handed to str* functions (mail bytes may hold NULs: use b->len);
 *  - the bytes belong to the buffer; ownership leaves only through
 *    buf_detach();
 *  - every buffer may carry a maximum size (curl's dynbuf): the buf_try_*
 *    appends refuse to pass it and leave the buffer as it was. Use them,
 *    with a cap from bounds.h, for anything sized by untrusted input.
 *
 * The plain appends (buf_add, buf_addf, ...) are for buffers without a cap:
 * they abort on out of memory and BUG() when a cap would be passed.
 */
#ifndef PATCHLETTER_BUF_H
#define PATCHLETTER_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "compat.h"

struct buf {
	char *data;   /* owned, unless alloc == 0 (then a shared empty "") */
	size_t len;   /* bytes in use, not counting the terminating NUL */
	size_t alloc; /* bytes allocated; 0 while nothing was */
	size_t max;   /* the most len may become; 0: no cap */
};

extern char buf_empty[];
#define BUF_INIT {buf_empty, 0, 0, 0}

/* Initialise an empty buffer (allocates nothing); max 0 means no cap. */
void buf_init(struct buf *b, size_t max);
/* Free the bytes and return to the empty state; the cap stays. */
void buf_release(struct buf *b);
/* Keep the allocation, forget the contents. */
void buf_reset(struct buf *b);
/* Hand the bytes to the caller (free() them); the buffer is left empty. */
char *buf_detach(struct buf *b, size_t *len_out);
/* Shorten to len bytes (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);

void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addch(struct buf *b, int c);
void buf_addf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	PRINTF_LIKE(2, 0);

/* As above, but 0 or ERR_LIMIT when the cap would be passed. */
int buf_try_add(struct buf *b, const void *p, size_t n) WARN_UNUSED;
int buf_try_adds(struct buf *b, const char *s) WARN_UNUSED;
int buf_try_addch(struct buf *b, int c) WARN_UNUSED;
int buf_try_addf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3)
	WARN_UNUSED;

/* Remove trailing spaces, tabs, CRs and LFs. */
void buf_rtrim(struct buf *b);
bool buf_ends_with(const struct buf *b, const char *suffix);

#endif
