/*
 * tls.h: decide whether a server's certificate chain is to be trusted
 * for a host name. The only module that includes GnuTLS's headers.
 *
 * Why it exists: libetpan, built with GnuTLS (as Debian builds it),
 * completes the TLS handshake without verifying anything; its
 * mailstream_ssl_set_server_certicate() is "not implemented" for GnuTLS.
 * It does hand out the chain the server presented
 * (mailstream_get_certificate_chain()), so the IMAP module checks that
 * chain here after the handshake and before it sends a single byte of
 * its own (no LOGIN, no command): a connection that fails is closed
 * unused. The check is GnuTLS's own: the chain up to a trusted CA
 * (system store plus an optional extra CA file), validity dates, the
 * host name against subjectAltName (RFC 6125; an IP literal against an
 * iPAddress entry) and the TLS server key purpose.
 */
#ifndef PATCHLETTER_TLS_H
#define PATCHLETTER_TLS_H

#include <stddef.h>

#include "buf.h"
#include "compat.h"

struct tls_trust;

enum {
	TLS_TRUST_SYSTEM = 1 << 0, /* trust the system's CA store too */
};

/* One DER-encoded certificate, borrowed. */
struct tls_cert {
	const unsigned char *der;
	size_t len;
};

/*
 * The CAs to trust, in *out (owned: tls_trust_free() it): those of
 * ca_file (PEM, may be NULL) and with TLS_TRUST_SYSTEM the system store.
 * Returns 0, or ERR_PERM (reported) when ca_file cannot be read or holds
 * no certificate, or when no CA at all would be trusted.
 */
int tls_trust_new(struct tls_trust **out, const char *ca_file,
		  unsigned flags) WARN_UNUSED;
void tls_trust_free(struct tls_trust *t);

/*
 * Is chain (the server's certificate first, then what it sent to link it
 * to a CA; at most TLS_MAX_CHAIN certificates) valid now for host? 0 when
 * it is; ERR_PERM when not, with the reasons appended to why as one line
 * (not reported: the caller knows the server and the user).
 */
int tls_trust_verify(const struct tls_trust *t, const struct tls_cert *chain,
		     size_t nr, const char *host, struct buf *why) WARN_UNUSED;

#endif
