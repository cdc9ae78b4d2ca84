/*
 * token.c: getrandom(2) and base64url.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <gnutls/crypto.h>

#include "err.h"
#include "log.h"
#include "token.h"

static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int token_new(char out[TOKEN_CHARS + 1])
{
	unsigned char r[TOKEN_BYTES + 2] = {0};
	size_t got = 0, i, o = 0;
	ssize_t n;

	while (got < TOKEN_BYTES) {
		n = getrandom(r + got, TOKEN_BYTES - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_warn("token: getrandom");
			return ERR_TEMP;
		}
		got += (size_t)n;
	}
	/* 16 bytes: five groups of three, then one byte (2 characters). */
	for (i = 0; i + 3 <= TOKEN_BYTES; i += 3) {
		out[o++] = b64url[r[i] >> 2];
		out[o++] = b64url[((r[i] & 3) << 4) | (r[i + 1] >> 4)];
		out[o++] = b64url[((r[i + 1] & 15) << 2) | (r[i + 2] >> 6)];
		out[o++] = b64url[r[i + 2] & 63];
	}
	out[o++] = b64url[r[i] >> 2];
	out[o++] = b64url[(r[i] & 3) << 4];
	out[o] = '\0';
	return 0;
}

bool token_valid(const char *s)
{
	return strlen(s) == TOKEN_CHARS && strspn(s, b64url) == TOKEN_CHARS;
}

void token_hash(char out[TOKEN_HASH_CHARS + 1], const char *token)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[TOKEN_HASH_CHARS / 2];
	size_t i;

	/*
	 * GnuTLS computes SHA-256 in software or with the CPU's help; it
	 * only fails for an algorithm it was built without, and SHA-256 is
	 * in every build Debian ships (the TLS of tls.c needs it).
	 */
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, token, strlen(token), d) < 0)
		abort();
	for (i = 0; i < sizeof(d); i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[TOKEN_HASH_CHARS] = '\0';
}
