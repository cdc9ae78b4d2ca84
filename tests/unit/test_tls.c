/*
 * test_tls.c: which certificate chains are trusted for which host.
 * The certificates are tests/fixtures/tls/ (make-fixtures.sh there says
 * what each one is); none of the tests trusts the system store, so the
 * answers depend on the fixtures alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "tls.h"
#include "xalloc.h"

static char *fixture(const char *name)
{
	const char *dir = getenv("PATCHLETTER_FIXTURES");

	return xasprintf("%s/tls/%s", dir ? dir : "tests/fixtures", name);
}

static void load(struct buf *out, const char *name)
{
	char *path = fixture(name);
	char chunk[4096];
	size_t n;
	FILE *f;

	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	fclose(f);
	free(path);
}

static struct tls_trust *trust(const char *ca)
{
	struct tls_trust *t;
	char *path = fixture(ca);

	assert_int_equal(tls_trust_new(&t, path, 0), 0);
	free(path);
	return t;
}

static const struct {
	const char *chain[2]; /* fixture files, the server's first */
	const char *host;
	const char *ca;	    /* the trusted CA file */
	const char *reason; /* NULL: trusted; else in the reasons given */
} cases[] = {
	{{"localhost.der"}, "localhost", "ca.pem", NULL},
	/* DNS names compare without regard to case (RFC 6125 6.4.1). */
	{{"localhost.der"}, "LocalHost", "ca.pem", NULL},
	{{"localhost.der"}, "mail.example.org", "ca.pem", "does not match"},
	/* An IP literal matches iPAddress entries only, never a DNS one. */
	{{"localhost.der"}, "127.0.0.1", "ca.pem", "does not match"},
	{{"ip.der"}, "127.0.0.1", "ca.pem", NULL},
	{{"ip.der"}, "localhost", "ca.pem", "does not match"},
	{{"localhost.der"}, "localhost", "other-ca.pem", "issuer is unknown"},
	{{"self.der"}, "localhost", "ca.pem", "issuer is unknown"},
	{{"expired.der"}, "localhost", "ca.pem", "expired"},
	/* A certificate for TLS clients only (extendedKeyUsage). */
	{{"client.der"}, "localhost", "ca.pem", "intended purpose"},
	{{"via-inter.der", "inter.der"}, "localhost", "ca.pem", NULL},
	/* Without the intermediate the chain does not reach the CA. */
	{{"via-inter.der"}, "localhost", "ca.pem", "issuer is unknown"},
};

static void test_chains(void **state)
{
	struct buf der[2] = {BUF_INIT, BUF_INIT}, why = BUF_INIT;
	struct tls_cert chain[2];
	struct tls_trust *t;
	size_t i, j, nr;
	int r;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		for (nr = 0; nr < 2 && cases[i].chain[nr]; nr++) {
			buf_reset(&der[nr]);
			load(&der[nr], cases[i].chain[nr]);
			chain[nr].der = (const unsigned char *)der[nr].data;
			chain[nr].len = der[nr].len;
		}
		t = trust(cases[i].ca);
		buf_reset(&why);
		r = tls_trust_verify(t, chain, nr, cases[i].host, &why);
		if (!cases[i].reason) {
			if (r != 0)
				fail_msg("case %zu (%s for %s): %s", i,
					 cases[i].chain[0], cases[i].host,
					 why.data);
		} else {
			if (r != ERR_PERM)
				fail_msg("case %zu (%s for %s) trusted", i,
					 cases[i].chain[0], cases[i].host);
			if (!strstr(why.data, cases[i].reason))
				fail_msg("case %zu: '%s' lacks '%s'", i,
					 why.data, cases[i].reason);
		}
		tls_trust_free(t);
	}
	for (j = 0; j < 2; j++)
		buf_release(&der[j]);
	buf_release(&why);
}

static void test_bad_chains(void **state)
{
	static const unsigned char junk[] = "not a certificate";
	struct tls_cert chain[TLS_MAX_CHAIN + 1];
	struct buf why = BUF_INIT, der = BUF_INIT;
	struct tls_trust *t = trust("ca.pem");
	size_t i;

	(void)state;
	assert_int_equal(tls_trust_verify(t, NULL, 0, "localhost", &why),
			 ERR_PERM);
	assert_non_null(strstr(why.data, "no certificate"));

	buf_reset(&why);
	chain[0].der = junk;
	chain[0].len = sizeof(junk) - 1;
	assert_int_equal(tls_trust_verify(t, chain, 1, "localhost", &why),
			 ERR_PERM);
	assert_non_null(strstr(why.data, "cannot be read"));

	/* A valid chain padded past the bound is refused unread. */
	load(&der, "localhost.der");
	for (i = 0; i < ARRAY_SIZE(chain); i++) {
		chain[i].der = (const unsigned char *)der.data;
		chain[i].len = der.len;
	}
	buf_reset(&why);
	assert_int_equal(tls_trust_verify(t, chain, ARRAY_SIZE(chain),
					  "localhost", &why),
			 ERR_PERM);
	assert_non_null(strstr(why.data, "more than"));
	buf_release(&der);
	buf_release(&why);
	tls_trust_free(t);
}

static void test_ca_files(void **state)
{
	struct tls_trust *t = (struct tls_trust *)&t;
	char *path;

	(void)state;
	path = fixture("no-such-file.pem");
	assert_int_equal(tls_trust_new(&t, path, 0), ERR_PERM);
	assert_null(t);
	free(path);
	/* A file without any PEM certificate (DER is not accepted). */
	path = fixture("localhost.der");
	assert_int_equal(tls_trust_new(&t, path, 0), ERR_PERM);
	assert_null(t);
	free(path);
	/* Nothing trusted at all is refused rather than failing later. */
	assert_int_equal(tls_trust_new(&t, NULL, 0), ERR_PERM);
	assert_null(t);
	tls_trust_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chains),
		cmocka_unit_test(test_bad_chains),
		cmocka_unit_test(test_ca_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
