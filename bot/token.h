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

#define TOKEN_BYTES 16 /* random bytes: 128 bits */
#define TOKEN_CHARS 22 /* their base64url, unpadded */

/*
 * A fresh token in out (TOKEN_CHARS + 1 bytes, NUL-terminated). 0, or
 * ERR_TEMP when the kernel has no randomness to give yet (reported).
 */
int token_new(char out[TOKEN_CHARS + 1]) WARN_UNUSED;

/* Is s shaped like a token (TOKEN_CHARS base64url characters)? */
bool token_valid(const char *s);

/*
 * What the store keeps of a confirmation token (store.h token_hash): its
 * SHA-256, in lower-case hex, in out (TOKEN_HASH_CHARS + 1 bytes).
 *
 * Why a hash, and why this one: whoever reads a copy of the store (a
 * backup, a stolen disk) must not be able to confirm the changes that
 * wait for confirmation, so the token itself is never stored. A token is
 * 128 bits from getrandom(), so no salt or slow hash is needed (there is
 * no dictionary to try); but the hash must not be invertible: FNV and
 * its kin are (a preimage of a 64-bit FNV-1a is a lattice problem of
 * seconds). SHA-256 comes from GnuTLS, already linked for TLS.
 */
#define TOKEN_HASH_CHARS 64
void token_hash(char out[TOKEN_HASH_CHARS + 1], const char *token);

#endif
