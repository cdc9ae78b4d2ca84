/*
 * test_autoreply.c: which mails the bot may answer (RFC 3834), each case
 * a mail's header as a person, a mailer daemon, a list or the bot itself
 * would write it, parsed by mail.c as the command path parses it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "autoreply.h"
#include "buf.h"
#include "mail.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct autoreply_self self = {"bot@example.org",
					   "bot-bounces@example.org"};

static const struct {
	const char *what;
	const char *header; /* a header block; the body is added */
	enum autoreply_verdict want;
} cases[] = {
	{"a person", "From: Ada <ada@example.com>\nSubject: help\n",
	 AUTOREPLY_OK},
	{"no From", "Subject: help\n", AUTOREPLY_NO_SENDER},
	{"a From without an address", "From: Ada\nSubject: help\n",
	 AUTOREPLY_NO_SENDER},
	/* Our own mail. */
	{"From the bot", "From: patchletter <bot@example.org>\n",
	 AUTOREPLY_LOOP},
	{"From the bot, other case", "From: BOT@Example.ORG\n", AUTOREPLY_LOOP},
	{"From our envelope sender", "From: bot-bounces@example.org\n",
	 AUTOREPLY_LOOP},
	{"our Message-ID",
	 "From: ada@example.com\n"
	 "Message-ID: <patchletter.reply.abc@EXAMPLE.org>\n",
	 AUTOREPLY_LOOP},
	{"a patchletter id of another domain",
	 "From: ada@example.com\n"
	 "Message-ID: <patchletter.reply.abc@other.example>\n",
	 AUTOREPLY_OK},
	{"our X-Loop, second of two",
	 "From: ada@example.com\nX-Loop: list@example.net\n"
	 "X-Loop: bot@example.org\n",
	 AUTOREPLY_LOOP},
	{"someone else's X-Loop",
	 "From: ada@example.com\nX-Loop: list@example.net\n", AUTOREPLY_OK},
	{"Return-Path is our envelope sender",
	 "Return-Path: <bot-bounces@example.org>\nFrom: ada@example.com\n",
	 AUTOREPLY_LOOP},
	/* Bounces. */
	{"a null Return-Path", "Return-Path: <>\nFrom: ada@example.com\n",
	 AUTOREPLY_BOUNCE},
	{"MAILER-DAEMON", "From: Mail Delivery <MAILER-DAEMON@mx.example>\n",
	 AUTOREPLY_BOUNCE},
	{"postmaster", "From: postmaster@mx.example\n", AUTOREPLY_BOUNCE},
	{"owner-*", "From: owner-kvm@vger.example\n", AUTOREPLY_BOUNCE},
	{"*-request", "From: kvm-request@vger.example\n", AUTOREPLY_BOUNCE},
	{"*-bounces", "From: kvm-bounces@lists.example\n", AUTOREPLY_BOUNCE},
	{"a person whose name has such words",
	 "From: joe.owner-request.x@example.com\n", AUTOREPLY_OK},
	{"multipart/report",
	 "From: ada@example.com\nMIME-Version: 1.0\n"
	 "Content-Type: multipart/report; report-type=disposition-"
	 "notification; boundary=b\n",
	 AUTOREPLY_BOUNCE},
	/* Automatic mail. */
	{"Auto-Submitted: auto-replied",
	 "From: ada@example.com\nAuto-Submitted: auto-replied\n",
	 AUTOREPLY_AUTOMATIC},
	{"Auto-Submitted with a parameter",
	 "From: ada@example.com\n"
	 "Auto-Submitted: auto-generated; owner-email=\"a@example.com\"\n",
	 AUTOREPLY_AUTOMATIC},
	{"Auto-Submitted: no", "From: ada@example.com\nAuto-Submitted: no\n",
	 AUTOREPLY_OK},
	{"Auto-Submitted: No (a comment)",
	 "From: ada@example.com\nAuto-Submitted: No (typed by hand)\n",
	 AUTOREPLY_OK},
	{"Auto-Submitted: nonsense",
	 "From: ada@example.com\nAuto-Submitted: nonsense\n",
	 AUTOREPLY_AUTOMATIC},
	/* Lists. */
	{"List-Id",
	 "From: ada@example.com\nList-Id: KVM <kvm.vger.kernel.org>\n",
	 AUTOREPLY_LIST},
	{"List-Unsubscribe alone",
	 "From: ada@example.com\nList-Unsubscribe: <mailto:x@y>\n",
	 AUTOREPLY_LIST},
	{"Precedence: bulk", "From: ada@example.com\nPrecedence: bulk\n",
	 AUTOREPLY_LIST},
	{"Precedence: List", "From: ada@example.com\nPrecedence: List\n",
	 AUTOREPLY_LIST},
	{"Precedence: junk", "From: ada@example.com\nPrecedence: junk\n",
	 AUTOREPLY_LIST},
	{"Precedence: first-class",
	 "From: ada@example.com\nPrecedence: first-class\n", AUTOREPLY_OK},
};

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mail m = MAIL_INIT;
		struct buf raw = BUF_INIT;

		buf_addf(&raw, "%s\n--b\n\nbody\n--b--\n", cases[i].header);
		print_message("%s\n", cases[i].what);
		assert_int_equal(mail_parse(&m, raw.data, raw.len), 0);
		assert_int_equal(autoreply_check(&m, &self), cases[i].want);
		mail_release(&m);
		buf_release(&raw);
	}
}

/* Without an envelope sender configured, the bot's address is it. */
static void test_no_envelope_from(void **state)
{
	static const struct autoreply_self bare = {"bot@example.org", NULL};
	static const char raw[] = "Return-Path: <bot@example.org>\n"
				  "From: ada@example.com\n\nhi\n";
	struct mail m = MAIL_INIT;

	(void)state;
	assert_int_equal(mail_parse(&m, raw, sizeof(raw) - 1), 0);
	assert_int_equal(autoreply_check(&m, &bare), AUTOREPLY_LOOP);
	assert_string_equal(autoreply_reason(AUTOREPLY_LOOP),
			    "our own mail come back (a loop)");
	mail_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_no_envelope_from),
	};

	return cmocka_run_group_tests_name("autoreply", tests, NULL, NULL);
}
