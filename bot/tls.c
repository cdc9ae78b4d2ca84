/*
 * tls.c: certificate chain verification with GnuTLS (tls.h says why the
 * IMAP module needs it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "bounds.h"
#include "err.h"
#include "log.h"
#include "tls.h"
#include "xalloc.h"

struct tls_trust {
	gnutls_x509_trust_list_t list;
};

int tls_trust_new(struct tls_trust **out, const char *ca_file, unsigned flags)
{
	struct tls_trust *t;
	int nr = 0, r;

	*out = NULL;
	t = xcalloc(1, sizeof(*t));
	r = gnutls_x509_trust_list_init(&t->list, 0);
	if (r < 0)
		BUG("gnutls_x509_trust_list_init: %s", gnutls_strerror(r));
	if (ca_file) {
		r = gnutls_x509_trust_list_add_trust_file(
			t->list, ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
		if (r <= 0) {
			r = errorf(ERR_PERM, "tls: %s: %s", ca_file,
				   r < 0 ? gnutls_strerror(r)
					 : "no PEM certificate in the file");
			goto fail;
		}
		nr += r;
	}
	if (flags & TLS_TRUST_SYSTEM) {
		/* A machine without a CA store is fine when the operator
		 * names the CA; it is an error when nothing is trusted. */
		r = gnutls_x509_trust_list_add_system_trust(t->list, 0, 0);
		if (r > 0)
			nr += r;
	}
	if (nr == 0) {
		r = errorf(ERR_PERM, "tls: no trusted CA: the system store is "
				     "empty and no CA file was given");
		goto fail;
	}
	*out = t;
	return 0;
fail:
	tls_trust_free(t);
	return r;
}

void tls_trust_free(struct tls_trust *t)
{
	if (!t)
		return;
	gnutls_x509_trust_list_deinit(t->list, 1);
	free(t);
}

static void add_status(struct buf *why, unsigned status)
{
	gnutls_datum_t text = {NULL, 0};

	if (gnutls_certificate_verification_status_print(
		    status, GNUTLS_CRT_X509, &text, 0) < 0) {
		buf_addf(why, "verification status 0x%x", status);
		return;
	}
	buf_add(why, text.data, text.size);
	buf_rtrim(why);
	gnutls_free(text.data);
}

int tls_trust_verify(const struct tls_trust *t, const struct tls_cert *chain,
		     size_t nr, const char *host, struct buf *why)
{
	gnutls_x509_crt_t certs[TLS_MAX_CHAIN];
	gnutls_typed_vdata_st data[2];
	gnutls_datum_t der;
	unsigned status = 0;
	size_t i, nr_certs = 0;
	int r, ret = ERR_PERM;

	if (nr == 0) {
		buf_adds(why, "the server sent no certificate");
		return ERR_PERM;
	}
	if (nr > TLS_MAX_CHAIN) {
		buf_addf(why, "the server sent %zu certificates, more than %d",
			 nr, TLS_MAX_CHAIN);
		return ERR_PERM;
	}
	for (i = 0; i < nr; i++) {
		if (chain[i].len > UINT32_MAX) {
			buf_addf(why, "certificate %zu is too large", i);
			goto out;
		}
		r = gnutls_x509_crt_init(&certs[i]);
		if (r < 0)
			BUG("gnutls_x509_crt_init: %s", gnutls_strerror(r));
		nr_certs++;
		der.data = (unsigned char *)chain[i].der;
		der.size = (unsigned)chain[i].len;
		r = gnutls_x509_crt_import(certs[i], &der, GNUTLS_X509_FMT_DER);
		if (r < 0) {
			buf_addf(why, "certificate %zu cannot be read: %s", i,
				 gnutls_strerror(r));
			goto out;
		}
	}
	/* RFC 6125 host name matching, and the key must be meant for a TLS
	 * server (the extended key usage, when the certificate has one). */
	data[0].type = GNUTLS_DT_DNS_HOSTNAME;
	data[0].data = (unsigned char *)host;
	data[0].size = 0;
	data[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
	data[1].data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
	data[1].size = 0;
	r = gnutls_x509_trust_list_verify_crt2(t->list, certs, (unsigned)nr,
					       data, 2, 0, &status, NULL);
	if (r < 0) {
		buf_addf(why, "cannot verify: %s", gnutls_strerror(r));
		goto out;
	}
	if (status) {
		add_status(why, status);
		goto out;
	}
	ret = 0;
out:
	for (i = 0; i < nr_certs; i++)
		gnutls_x509_crt_deinit(certs[i]);
	return ret;
}
