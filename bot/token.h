/*
 * token.h: random tokens for subscribers: the unsubscribe token of
 * List-Unsubscribe and the single-use confirmation tokens of commands.
 * From getrandom(2), 128 bits, written in base64url (RFC 4648 5) so that
 * they fit a Subject, a mailto: and a URL without escaping.
 */
#ifndef PATCHLETTER_TOKEN_H
#define PATCHLETTER_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"

#define TOKEN_BYTES 16		/* random bytes: 128 bits */
#define TOKEN_CHARS 22		/* their base64url, unpadded */

/*
 * A fresh token in out (TOKEN_CHARS + 1 bytes, NUL-terminated). 0, or
 * ERR_TEMP when the kernel has no randomness to give yet (reported).
 */
int token_new(char out[TOKEN_CHARS + 1]) WARN_UNUSED;

/* Is s shaped like a token (TOKEN_CHARS base64url characters)? */
bool token_valid(const char *s);

#endif
