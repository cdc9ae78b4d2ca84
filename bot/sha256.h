/*
 * sha256.h: SHA-256 (FIPS 180-4), to keep what may be kept of a secret
 * without keeping the secret: the store holds the hash of each
 * confirmation token (token.h), never the token. Pure: bytes in, digest
 * out.
 */
#ifndef PATCHLETTER_SHA256_H
#define PATCHLETTER_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES	 32
#define SHA256_HEX_CHARS (2 * SHA256_BYTES)

/* A hash being computed; everything in it is private to sha256.c. */
struct sha256 {
	uint32_t h[8];
	uint64_t bytes;		 /* hashed so far */
	unsigned char block[64]; /* the block being filled */
	size_t fill;		 /* bytes in block */
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *p, size_t n);
/* The digest of everything given; c must be initialised again for reuse. */
void sha256_final(unsigned char out[SHA256_BYTES], struct sha256 *c);

/* The digest of p[0..n) in one call, as bytes or as lower-case hex. */
void sha256(unsigned char out[SHA256_BYTES], const void *p, size_t n);
void sha256_hex(char out[SHA256_HEX_CHARS + 1], const void *p, size_t n);

#endif
