/*
 * test_compose.c: outgoing mail bytes against RFC 5322 (lines, folding,
 * dates), RFC 2047 (encoded words), RFC 2045 (quoted-printable), RFC
 * 2369/8058 (List-Unsubscribe) and RFC 3834 (Auto-Submitted), and the
 * refusal of header injection. Expected values are written from the RFCs
 * and the inputs; the decoders below are the readers' side, kept apart
 * from the encoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bounds.h"
#include "buf.h"
#include "compose.h"
#include "err.h"
#include "utf8.h"
#include "xalloc.h"

/* 2026-12-01 07:00:00 UTC, a Tuesday (date -u -d @1796108400). */
#define T0 1796108400

static struct compose_mail base_mail(void)
{
	struct compose_mail m = {0};

	m.message_id = "patchletter.digest.42.20261201T070000Z@example.org";
	m.date = T0;
	m.from_name = "patchletter";
	m.from_address = "bot@example.org";
	m.to_address = "alice@example.net";
	m.subject = "kvm digest: 3 new series";
	m.list_id = "digests.patchletter.example.org";
	m.list_name = "patchletter digests";
	m.unsubscribe_address = "bot@example.org";
	m.unsubscribe_token = "tok_A-9";
	m.text = "Hello.\n\nThree series.\n";
	m.text_len = strlen(m.text);
	return m;
}

/* --- the reader's side ------------------------------------------------ */

/* The header block, unfolded (RFC 5322 2.2.3: drop each CRLF before WSP). */
static char *unfolded_headers(const char *mail)
{
	const char *end = strstr(mail, "\r\n\r\n");
	struct buf b = BUF_INIT;
	const char *p;

	assert_non_null(end);
	for (p = mail; p < end; p++) {
		if (p[0] == '\r' && p[1] == '\n' &&
		    (p[2] == ' ' || p[2] == '\t')) {
			p++;
			continue;
		}
		buf_addch(&b, *p);
	}
	buf_adds(&b, "\r\n");
	return buf_detach(&b, NULL);
}

/* The unfolded value of header name (the first), owned; NULL if absent. */
static char *header(const char *mail, const char *name)
{
	char *h = unfolded_headers(mail), *p = h, *eol, *v = NULL;
	size_t n = strlen(name);

	while (*p) {
		eol = strstr(p, "\r\n");
		assert_non_null(eol);
		if (!strncasecmp(p, name, n) && p[n] == ':' &&
		    p[n + 1] == ' ') {
			v = xmemdup0(p + n + 2, (size_t)(eol - p - n - 2));
			break;
		}
		p = eol + 2;
	}
	free(h);
	return v;
}

static int count_headers(const char *mail, const char *name)
{
	char *h = unfolded_headers(mail), *p = h;
	size_t n = strlen(name);
	int count = 0;

	while (*p) {
		if (!strncasecmp(p, name, n) && p[n] == ':')
			count++;
		p = strstr(p, "\r\n") + 2;
	}
	free(h);
	return count;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	fail_msg("bad hex digit %c", c);
	return 0;
}

/*
 * Decode an unstructured value made of RFC 2047 Q words (UTF-8) and
 * plain text; white space between two encoded words is dropped (RFC 2047
 * 6.2). Also checks each word is at most 75 long and whole UTF-8.
 */
static char *decode_words(const char *v)
{
	struct buf b = BUF_INIT, w = BUF_INIT;
	const char *p = v, *end;
	bool last_word = false;

	while (*p) {
		if (!strncmp(p, "=?UTF-8?Q?", 10)) {
			end = strstr(p + 10, "?=");
			assert_non_null(end);
			assert_true(end + 2 - p <= 75);
			buf_reset(&w);
			for (p += 10; p < end; p++) {
				if (*p == '_') {
					buf_addch(&w, ' ');
				} else if (*p == '=') {
					buf_addch(&w, (char)(hexval(p[1]) * 16 +
							     hexval(p[2])));
					p += 2;
				} else {
					buf_addch(&w, *p);
				}
			}
			assert_true(utf8_valid(w.data, w.len));
			buf_add(&b, w.data, w.len);
			p = end + 2;
			last_word = true;
		} else if (*p == ' ' && last_word) {
			const char *q = p;

			while (*q == ' ')
				q++;
			if (strncmp(q, "=?UTF-8?Q?", 10))
				buf_add(&b, p, (size_t)(q - p));
			p = q;
		} else {
			buf_addch(&b, *p++);
			last_word = false;
		}
	}
	buf_release(&w);
	return buf_detach(&b, NULL);
}

/* Decode a quoted-printable body (RFC 2045 6.7), line ends as LF. */
static char *decode_qp(const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '=' && s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 2;
		} else if (s[i] == '=') {
			buf_addch(&b, (char)(hexval(s[i + 1]) * 16 +
					     hexval(s[i + 2])));
			i += 2;
		} else if (s[i] == '\r' && s[i + 1] == '\n') {
			buf_addch(&b, '\n');
			i++;
		} else {
			buf_addch(&b, s[i]);
		}
	}
	return buf_detach(&b, NULL);
}

/* The body: what follows the first empty line. */
static const char *body_of(const char *mail)
{
	const char *p = strstr(mail, "\r\n\r\n");

	assert_non_null(p);
	return p + 4;
}

/*
 * Every line ends in CRLF, no CR or LF stands alone, no line passes 998
 * octets (RFC 5322 2.1.1, 2.3), header lines pass 78 only when a single
 * word does not fit, and no header line is empty white space.
 */
static void assert_lines_ok(const struct buf *mail)
{
	const char *p = mail->data, *end = mail->data + mail->len, *eol;
	bool in_headers = true;

	assert_true(mail->len >= 2);
	assert_memory_equal(end - 2, "\r\n", 2);
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(eol);
		assert_true(eol > p && eol[-1] == '\r');
		assert_null(memchr(p, '\r', (size_t)(eol - 1 - p)));
		assert_true(eol - 1 - p <= 998);
		if (in_headers && eol - 1 == p)
			in_headers = false;
		else if (in_headers)
			assert_true(eol - 1 - p <= 78 ||
				    !memchr(p + 1, ' ', (size_t)(eol - 2 - p)));
		p = eol + 1;
	}
}

static void compose_ok(struct buf *out, const struct compose_mail *m)
{
	assert_int_equal(compose_mail(out, m), 0);
	assert_lines_ok(out);
}

static void assert_header(const char *mail, const char *name, const char *want)
{
	char *v = header(mail, name);

	if (!v)
		fail_msg("no %s header", name);
	assert_string_equal(v, want);
	free(v);
}

/* --- tests -------------------------------------------------------------- */

static void test_digest_headers(void **state)
{
	struct compose_mail m = base_mail();
	struct buf out = BUF_INIT;

	(void)state;
	m.unsubscribe_url = "https://patchletter.example.org/unsubscribe";
	compose_ok(&out, &m);
	assert_header(out.data, "From", "patchletter <bot@example.org>");
	assert_header(out.data, "To", "alice@example.net");
	assert_header(out.data, "Subject", "kvm digest: 3 new series");
	assert_header(out.data, "Date", "Tue, 01 Dec 2026 07:00:00 +0000");
	assert_header(out.data, "Message-ID",
		      "<patchletter.digest.42.20261201T070000Z@example.org>");
	assert_header(out.data, "Auto-Submitted", "auto-generated");
	assert_header(out.data, "Precedence", "bulk");
	assert_header(out.data, "List-Id",
		      "patchletter digests <digests.patchletter.example.org>");
	/* RFC 2369 3.2 and RFC 6068: the command in the mailto's subject;
	 * RFC 8058: the https URI beside it, and the Post header. */
	assert_header(out.data, "List-Unsubscribe",
		      "<mailto:bot@example.org?subject=unsubscribe%20tok_A-9>, "
		      "<https://patchletter.example.org/unsubscribe"
		      "?token=tok_A-9>");
	assert_header(out.data, "List-Unsubscribe-Post",
		      "List-Unsubscribe=One-Click");
	assert_header(out.data, "MIME-Version", "1.0");
	assert_header(out.data, "Content-Type", "text/plain; charset=utf-8");
	assert_header(out.data, "Content-Transfer-Encoding", "7bit");
	assert_null(header(out.data, "In-Reply-To"));
	assert_string_equal(body_of(out.data),
			    "Hello.\r\n\r\nThree series.\r\n");
	buf_release(&out);
}

static void test_optional_headers(void **state)
{
	struct compose_mail m = base_mail();
	struct buf out = BUF_INIT;

	(void)state;
	/* A reply to a stranger: no list headers, RFC 3834 auto-replied. */
	m.list_id = NULL;
	m.unsubscribe_address = NULL;
	m.unsubscribe_token = NULL;
	m.from_name = NULL;
	m.in_reply_to = "20261130.abc$x@mail.example.com";
	m.auto_submitted = "auto-replied";
	m.loop_address = "bot@example.org";
	compose_ok(&out, &m);
	assert_header(out.data, "X-Loop", "bot@example.org");
	assert_header(out.data, "From", "bot@example.org");
	assert_header(out.data, "In-Reply-To",
		      "<20261130.abc$x@mail.example.com>");
	assert_header(out.data, "References",
		      "<20261130.abc$x@mail.example.com>");
	assert_header(out.data, "Auto-Submitted", "auto-replied");
	assert_null(header(out.data, "List-Id"));
	assert_null(header(out.data, "List-Unsubscribe"));
	assert_null(header(out.data, "List-Unsubscribe-Post"));
	buf_release(&out);
	/* A digest carries no X-Loop unless asked. */
	m = base_mail();
	compose_ok(&out, &m);
	assert_null(header(out.data, "X-Loop"));
	buf_release(&out);

	/* Without a URL: the mailto: alone and no Post header (RFC 8058 3.1).
	 */
	m = base_mail();
	compose_ok(&out, &m);
	assert_header(out.data, "List-Unsubscribe",
		      "<mailto:bot@example.org?subject=unsubscribe%20tok_A-9>");
	assert_null(header(out.data, "List-Unsubscribe-Post"));
	buf_release(&out);

	/* A URL with a query already: the token joins it with "&". */
	m.unsubscribe_url = "https://u.example.org/x?list=kvm";
	compose_ok(&out, &m);
	assert_header(out.data, "List-Unsubscribe",
		      "<mailto:bot@example.org?subject=unsubscribe%20tok_A-9>, "
		      "<https://u.example.org/x?list=kvm&token=tok_A-9>");
	buf_release(&out);
}

static void test_display_names(void **state)
{
	static const struct {
		const char *name, *want;
	} cases[] = {
		{"patchletter", "patchletter <bot@example.org>"},
		{"patch letter bot", "patch letter bot <bot@example.org>"},
		/* specials (RFC 5322 3.2.3): a quoted-string */
		{"Doe, John", "\"Doe, John\" <bot@example.org>"},
		{"J. Doe", "\"J. Doe\" <bot@example.org>"},
		{"Say \"hi\" \\o/",
		 "\"Say \\\"hi\\\" \\\\o/\" <bot@example.org>"},
		{"two  spaces", "\"two  spaces\" <bot@example.org>"},
		/* white space around is dropped */
		{"  padded ", "padded <bot@example.org>"},
		{"", "bot@example.org"},
		{"   ", "bot@example.org"},
	};
	struct compose_mail m = base_mail();
	struct buf out = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		m.from_name = cases[i].name;
		compose_ok(&out, &m);
		assert_header(out.data, "From", cases[i].want);
		buf_release(&out);
	}
}

static void test_utf8_subject_and_name(void **state)
{
	static const char *const subjects[] = {
		"Zoë Ångström: sparse: fix the “typeof” of bitfields",
		"=?UTF-8?Q?looks_encoded?= but is not",
		"日本語のサブジェクト、とても長いものを作ってみます。"
		"折り返しが必要になるくらい長く、長く、長く。",
		"€",
	};
	struct compose_mail m = base_mail();
	struct buf out = BUF_INIT;
	char *v, *d;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(subjects); i++) {
		m.subject = subjects[i];
		m.from_name = "Zoë Ångström";
		compose_ok(&out, &m);
		v = header(out.data, "Subject");
		assert_non_null(v);
		/* RFC 2047: only encoded words, printable ASCII on the wire. */
		assert_memory_equal(v, "=?UTF-8?Q?", 10);
		d = decode_words(v);
		assert_string_equal(d, subjects[i]);
		free(d);
		free(v);
		v = header(out.data, "From");
		assert_non_null(v);
		assert_non_null(strstr(v, " <bot@example.org>"));
		*strstr(v, " <bot@example.org>") = '\0';
		d = decode_words(v);
		assert_string_equal(d, "Zoë Ångström");
		free(d);
		free(v);
		buf_release(&out);
	}
}

/* RFC 2047 2: lines holding encoded words at most 76 characters. */
static void test_encoded_lines_short(void **state)
{
	struct compose_mail m = base_mail();
	struct buf out = BUF_INIT, s = BUF_INIT;
	const char *p, *eol;
	char *v, *d;
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		buf_adds(&s, "é");
	m.subject = s.data;
	compose_ok(&out, &m);
	for (p = out.data; p < body_of(out.data); p = eol + 2) {
		eol = strstr(p, "\r\n");
		if (strstr(p, "=?UTF-8?Q?") && strstr(p, "=?UTF-8?Q?") < eol)
			assert_true(eol - p <= 76);
	}
	v = header(out.data, "Subject");
	d = decode_words(v);
	assert_string_equal(d, s.data);
	free(d);
	free(v);
	buf_release(&out);
	buf_release(&s);
}

static void test_long_subject_folds(void **state)
{
	struct compose_mail m = base_mail();
	struct buf out = BUF_INIT, s = BUF_INIT;
	char *v;
	int i;

	(void)state;
	for (i = 0; i < 40; i++)
		buf_addf(&s, "word%d ", i);
	buf_adds(&s, "end");
	m.subject = s.data;
	compose_ok(&out, &m); /* header lines within 78 */
	v = header(out.data, "Subject");
	assert_string_equal(v, s.data); /* unfolding gives it back */
	free(v);
	buf_release(&out);

	/* One word too long for any line: encoded, and split into words. */
	buf_reset(&s);
	for (i = 0; i < 1500; i++)
		buf_addch(&s, 'x');
	m.subject = s.data;
	compose_ok(&out, &m);
	v = header(out.data, "Subject");
	assert_memory_equal(v, "=?UTF-8?Q?", 10);
	free(v);
	buf_release(&out);
	buf_release(&s);
}

/*
 * Text from mail or a rule file cannot add a header: CR and LF become
 * spaces, so "Bcc:" stays inside the Subject or the name (compose.h).
 */
static void test_injection_in_text(void **state)
{
	static const char *const evil[] = {
		"hi\r\nBcc: victim@example.org",
		"hi\nBcc: victim@example.org",
		"hi\rBcc: victim@example.org",
		"hi\r\n\r\nBcc: victim@example.org",
	};
	struct compose_mail m = base_mail();
	struct buf out = BUF_INIT;
	char *v;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(evil); i++) {
		m.subject = evil[i];
		m.from_name = evil[i];
		m.list_name = evil[i];
		compose_ok(&out, &m);
		assert_int_equal(count_headers(out.data, "Bcc"), 0);
		/* the body is what was given, nothing more */
		assert_string_equal(body_of(out.data),
				    "Hello.\r\n\r\nThree series.\r\n");
		v = header(out.data, "Subject");
		assert_memory_equal(v, "hi ", 3);
		assert_non_null(strstr(v, "Bcc: victim@example.org"));
		assert_null(strpbrk(v, "\r\n"));
		free(v);
		assert_int_equal(count_headers(out.data, "Subject"), 1);
		assert_int_equal(count_headers(out.data, "From"), 1);
		buf_release(&out);
	}
}

/* C0 controls, DEL, C1 (NEL U+0085 breaks lines in some readers) and
 * bytes that are not UTF-8 become U+FFFD. */
static void test_controls_replaced(void **state)
{
	struct compose_mail m = base_mail();
	struct buf out = BUF_INIT;
	char *v, *d;

	(void)state;
	m.subject = "a\x01"
		    "b\x7f"
		    "c\xc2\x85"
		    "d\xff"
		    "e\tf";
	compose_ok(&out, &m);
	v = header(out.data, "Subject");
	d = decode_words(v);
	assert_string_equal(d, "a\xef\xbf\xbd"
			       "b\xef\xbf\xbd"
			       "c\xef\xbf\xbd"
			       "d\xef\xbf\xbd"
			       "e f");
	free(d);
	free(v);
	buf_release(&out);
}

/* Structured values are refused, never repaired, and out is untouched. */
static void test_structured_refused(void **state)
{
	struct compose_mail m;
	struct buf out = BUF_INIT;
	int i;

	(void)state;
	buf_adds(&out, "kept");
	for (i = 0;; i++) {
		m = base_mail();
		switch (i) {
		case 0:
			m.to_address =
				"alice@example.net\r\nBcc: v@example.org";
			break;
		case 1:
			m.to_address = "alice@example.net>, <v@example.org";
			break;
		case 2:
			m.from_address = "bot@example.org\nBcc: v@example.org";
			break;
		case 3:
			m.message_id = "a b@example.org";
			break;
		case 4:
			m.message_id = "x@example.org>\r\nBcc: <v@example.org";
			break;
		case 5:
			m.message_id = NULL;
			break;
		case 6:
			m.in_reply_to = "x@y>\r\nBcc: v@example.org";
			break;
		case 7:
			m.list_id = "list.example.org>\r\nBcc: v@example.org";
			break;
		case 8:
			m.list_id = "nodot";
			break;
		case 9:
			m.unsubscribe_token = "tok%0d%0aBcc:";
			break;
		case 10:
			m.unsubscribe_token = NULL;
			break;
		case 11:
			m.unsubscribe_url = "https://u.example.org/\r\nBcc: v";
			break;
		case 12:
			m.unsubscribe_url = "http://u.example.org/";
			break;
		case 13:
			m.unsubscribe_url =
				"https://u.example.org/a>, <mailto:v@x";
			break;
		case 14:
			m.unsubscribe_url = "https://u.example.org/#frag";
			break;
		case 15:
			m.auto_submitted = "no";
			break;
		case 16:
			m.unsubscribe_address = "bot@example.org?cc=v@x";
			break;
		case 17:
			m.to_address = NULL;
			break;
		case 18:
			m.loop_address = "bot@example.org\r\nBcc: v@x";
			break;
		default:
			goto done;
		}
		assert_int_equal(compose_mail(&out, &m), ERR_PERM);
		assert_string_equal(out.data, "kept");
	}
done:
	assert_int_equal(i, 19);
	/* The same check, for callers deciding on In-Reply-To. */
	assert_true(
		compose_message_id_valid("20261130.abc$x@mail.example.com"));
	assert_false(compose_message_id_valid("\"quoted local\"@x"));
	assert_false(compose_message_id_valid("no-at-sign"));
	assert_false(compose_message_id_valid("a@b>\r\nBcc: <v@x"));
	assert_false(compose_message_id_valid(""));
	buf_release(&out);
}

static void test_address_valid(void **state)
{
	static const struct {
		const char *s;
		bool ok;
	} cases[] = {
		{"a@b.c", true},
		{"first.last+tag@example.org", true},
		{"o'brien@example.ie", true},
		{"x@localhost", true},
		{"", false},
		{"plain", false},
		{"@example.org", false},
		{"a@", false},
		{"a..b@example.org", false},
		{".a@example.org", false},
		{"a.@example.org", false},
		{"a@example..org", false},
		{"a b@example.org", false},
		{"a@example.org ", false},
		{"\"quoted\"@example.org", false},
		{"a@[192.0.2.1]", false},
		{"zoë@example.org", false},
		{"a@b@c", false},
		{"a<b@example.org", false},
		{"a@example.org\r\nBcc: v@example.org", false},
		{"a\tb@example.org", false},
		/* RFC 5321 4.5.3.1.1: 64 octets of local part at most */
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		 "aaa"
		 "@x.org",
		 true},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		 "aaaa"
		 "@x.org",
		 false},
	};
	size_t i;

	(void)state;
	assert_false(compose_address_valid(NULL));
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (compose_address_valid(cases[i].s) != cases[i].ok)
			fail_msg("%s: want %d", cases[i].s, cases[i].ok);
}

/* RFC 2045 6.7 on bodies that cannot go as they are. */
static void test_quoted_printable(void **state)
{
	static const struct {
		const char *in, *wire;
	} cases[] = {
		/* ü = C3 BC, ß = C3 9F */
		{"Grüße\n", "Gr=C3=BC=C3=9Fe\r\n"},
		/* "=" always encoded (rule 1); a space ending a line too (3) */
		{"ä=b \nc\t\n", "=C3=A4=3Db=20\r\nc=09\r\n"},
		/* a lone CR is no line end; CRLF is one (rule 4) */
		{"ä\rx\r\ny", "=C3=A4=0Dx\r\ny\r\n"},
	};
	struct compose_mail m = base_mail();
	struct buf out = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		m.text = cases[i].in;
		m.text_len = strlen(cases[i].in);
		compose_ok(&out, &m);
		assert_header(out.data, "Content-Transfer-Encoding",
			      "quoted-printable");
		assert_string_equal(body_of(out.data), cases[i].wire);
		buf_release(&out);
	}
}

static void test_long_lines(void **state)
{
	struct compose_mail m = base_mail();
	struct buf out = BUF_INIT, text = BUF_INIT;
	const char *p, *eol;
	char *d;
	int i;

	(void)state;
	/* 998 octets fit a line (RFC 5322 2.1.1): 7bit */
	for (i = 0; i < 998; i++)
		buf_addch(&text, 'a' + i % 26);
	buf_addch(&text, '\n');
	m.text = text.data;
	m.text_len = text.len;
	compose_ok(&out, &m);
	assert_header(out.data, "Content-Transfer-Encoding", "7bit");
	buf_release(&out);

	/* 999 do not: quoted-printable, lines of at most 76 (rule 5) */
	buf_truncate(&text, 998);
	buf_adds(&text, "z\n=end");
	m.text = text.data;
	m.text_len = text.len;
	compose_ok(&out, &m);
	assert_header(out.data, "Content-Transfer-Encoding",
		      "quoted-printable");
	for (p = body_of(out.data); *p; p = eol + 2) {
		eol = strstr(p, "\r\n");
		assert_true(eol - p <= 76);
	}
	d = decode_qp(body_of(out.data), strlen(body_of(out.data)));
	buf_addch(&text, '\n'); /* the last line gets its line end */
	assert_string_equal(d, text.data);
	free(d);
	buf_release(&out);
	buf_release(&text);
}

static void test_body_line_ends(void **state)
{
	struct compose_mail m = base_mail();
	struct buf out = BUF_INIT;

	(void)state;
	m.text = "one\r\ntwo\nthree";
	m.text_len = strlen(m.text);
	compose_ok(&out, &m);
	assert_string_equal(body_of(out.data), "one\r\ntwo\r\nthree\r\n");
	buf_release(&out);

	/* A line holding only "." is the SMTP transport's business (RFC
	 * 5321 4.5.2); the mail keeps it as it is. */
	m.text = ".\n..\n";
	m.text_len = strlen(m.text);
	compose_ok(&out, &m);
	assert_string_equal(body_of(out.data), ".\r\n..\r\n");
	buf_release(&out);

	m.text = "";
	m.text_len = 0;
	compose_ok(&out, &m);
	assert_string_equal(body_of(out.data), "");
	buf_release(&out);
}

static void test_html_alternative(void **state)
{
	struct compose_mail m = base_mail();
	struct buf out = BUF_INIT;
	char *ct, *boundary, *delim, *close;
	const char *text_part, *html_part, *end;

	(void)state;
	m.html = "<p>Grüße</p>\n";
	m.html_len = strlen(m.html);
	compose_ok(&out, &m);
	ct = header(out.data, "Content-Type");
	assert_non_null(ct);
	assert_memory_equal(ct, "multipart/alternative; boundary=\"", 33);
	boundary = xstrdup(ct + 33);
	assert_non_null(strchr(boundary, '"'));
	*strchr(boundary, '"') = '\0';
	/* RFC 2046 5.1.1: at most 70 characters, a bchars set */
	assert_true(strlen(boundary) >= 1 && strlen(boundary) <= 70);
	delim = xasprintf("\r\n--%s\r\n", boundary);
	close = xasprintf("\r\n--%s--\r\n", boundary);
	text_part = strstr(out.data, delim);
	assert_non_null(text_part);
	html_part = strstr(text_part + 1, delim);
	assert_non_null(html_part);
	end = strstr(out.data, close);
	assert_non_null(end);
	assert_true(text_part < html_part && html_part < end);
	/* text first (RFC 2046 5.1.4: increasing faithfulness), then HTML */
	assert_string_equal(end + strlen(close), "");
	assert_non_null(strstr(text_part, "Content-Type: text/plain; "
					  "charset=utf-8\r\n"));
	assert_true(strstr(text_part, "Content-Type: text/plain") < html_part);
	assert_non_null(strstr(html_part, "Content-Type: text/html; "
					  "charset=utf-8\r\nContent-Transfer-"
					  "Encoding: quoted-printable\r\n\r\n"
					  "<p>Gr=C3=BC=C3=9Fe</p>\r\n"));
	/* the text part keeps its own last line end before the delimiter */
	assert_non_null(strstr(out.data, "Three series.\r\n\r\n--"));
	free(ct);
	free(boundary);
	free(delim);
	free(close);
	buf_release(&out);
}

/* A part that holds the boundary line itself cannot go as it is. */
static void test_boundary_in_text(void **state)
{
	struct compose_mail m = base_mail();
	struct buf out = BUF_INIT, text = BUF_INIT;
	char *ct, *b;

	(void)state;
	m.html = "<p>x</p>";
	m.html_len = strlen(m.html);
	compose_ok(&out, &m);
	ct = header(out.data, "Content-Type");
	b = strchr(ct, '"') + 1;
	*strchr(b, '"') = '\0';
	buf_addf(&text, "--%s--\n", b);
	buf_release(&out);
	m.text = text.data;
	m.text_len = text.len;
	compose_ok(&out, &m);
	/* the boundary occurs only as delimiters: twice plus the close */
	{
		const char *p = out.data;
		int n = 0;

		while ((p = strstr(p, b))) {
			n++;
			p++;
		}
		assert_int_equal(n, 1 + 3); /* header, 2 delimiters, close */
	}
	free(ct);
	buf_release(&text);
	buf_release(&out);
}

static void test_message_id(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	(void)state;
	assert_int_equal(
		compose_message_id(&a, "digest", 42, T0, "bot@example.org"), 0);
	assert_string_equal(
		a.data, "patchletter.digest.42.20261201T070000Z@example.org");
	/* the same digest, computed again: the same id */
	assert_int_equal(
		compose_message_id(&b, "digest", 42, T0, "bot@example.org"), 0);
	assert_string_equal(a.data, b.data);
	buf_reset(&b);
	assert_int_equal(
		compose_message_id(&b, "digest", 43, T0, "bot@example.org"), 0);
	assert_string_not_equal(a.data, b.data);
	buf_reset(&b);
	assert_int_equal(compose_message_id(&b, "digest", 42, T0 + 86400,
					    "bot@example.org"),
			 0);
	assert_string_not_equal(a.data, b.data);
	buf_reset(&b);
	assert_int_equal(compose_message_id(&b, "digest", 42, T0, "bot"),
			 ERR_PERM);
	assert_int_equal(
		compose_message_id(&b, "di gest", 42, T0, "bot@example.org"),
		ERR_PERM);
	assert_int_equal(compose_message_id(&b, "", 42, T0, "bot@example.org"),
			 ERR_PERM);
	assert_string_equal(b.data, "");
	buf_release(&a);
	buf_release(&b);
}

static void test_dates(void **state)
{
	static const struct {
		int64_t t;
		const char *want;
	} cases[] = {
		{0, "Thu, 01 Jan 1970 00:00:00 +0000"},
		{T0, "Tue, 01 Dec 2026 07:00:00 +0000"},
		/* 2028-02-29 23:59:59 UTC, a leap day */
		{1835481599, "Tue, 29 Feb 2028 23:59:59 +0000"},
	};
	struct buf b = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		compose_date(&b, cases[i].t);
		assert_string_equal(b.data, cases[i].want);
		buf_reset(&b);
	}
	buf_release(&b);
}

/* A Subject longer than COMPOSE_MAX_TEXT_BYTES is cut between characters. */
static void test_text_cut(void **state)
{
	struct compose_mail m = base_mail();
	struct buf out = BUF_INIT, s = BUF_INIT;
	char *v, *d;
	int i;

	(void)state;
	for (i = 0; i < COMPOSE_MAX_TEXT_BYTES; i++)
		buf_adds(&s, "é");
	m.subject = s.data;
	compose_ok(&out, &m);
	v = header(out.data, "Subject");
	d = decode_words(v);
	assert_true(strlen(d) <= COMPOSE_MAX_TEXT_BYTES);
	assert_true(strlen(d) >= COMPOSE_MAX_TEXT_BYTES - 1);
	assert_true(utf8_valid(d, strlen(d)));
	free(d);
	free(v);
	buf_release(&out);
	buf_release(&s);
}

static void test_limits(void **state)
{
	struct compose_mail m = base_mail();
	struct buf out;

	(void)state;
	/* the body limit is checked before anything is read */
	m.text_len = (size_t)COMPOSE_MAX_BODY_BYTES + 1;
	buf_init(&out, 0);
	assert_int_equal(compose_mail(&out, &m), ERR_LIMIT);
	/* the caller's cap */
	m = base_mail();
	buf_init(&out, 100);
	assert_int_equal(compose_mail(&out, &m), ERR_LIMIT);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest_headers),
		cmocka_unit_test(test_optional_headers),
		cmocka_unit_test(test_display_names),
		cmocka_unit_test(test_utf8_subject_and_name),
		cmocka_unit_test(test_encoded_lines_short),
		cmocka_unit_test(test_long_subject_folds),
		cmocka_unit_test(test_injection_in_text),
		cmocka_unit_test(test_controls_replaced),
		cmocka_unit_test(test_structured_refused),
		cmocka_unit_test(test_address_valid),
		cmocka_unit_test(test_quoted_printable),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_body_line_ends),
		cmocka_unit_test(test_html_alternative),
		cmocka_unit_test(test_boundary_in_text),
		cmocka_unit_test(test_message_id),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_text_cut),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
