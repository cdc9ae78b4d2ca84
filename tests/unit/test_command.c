/*
 * test_command.c: what a mail to the bot asks for. Each case is a mail
 * as a person writes it (a fresh command, a reply to the bot's mail, a
 * reply to a digest, a forward), parsed by mail.c first as the command
 * path does; the expected command is read off the mail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "command.h"
#include "mail.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TOK	      "Zx3_9kLmN0pQrStUvWxY-A" /* 22 base64url characters */

static const struct {
	const char *what;
	const char *subject; /* NULL: no Subject field */
	const char *body;
	enum command_verb verb;
	enum command_source source;
	const char *token;
	const char *rules; /* NULL: none */
	const char *word;
} cases[] = {
	{"subscribe in the Subject, the rules the body", "subscribe",
	 "rule \"a\" {\n\tpaths = { \"net/\" }\n}\n", COMMAND_SUBSCRIBE,
	 COMMAND_IN_SUBJECT, "", "rule \"a\" {\n\tpaths = { \"net/\" }\n}\n",
	 "subscribe"},
	{"a signature is no rule", "Subscribe",
	 "rule \"a\" {\n\tpaths = { \"net/\" }\n}\n-- \nAda\n",
	 COMMAND_SUBSCRIBE, COMMAND_IN_SUBJECT, "",
	 "rule \"a\" {\n\tpaths = { \"net/\" }\n}\n", "Subscribe"},
	{"the command on the first line, the rules after it", "my rules",
	 "\n  subscribe\nrule \"b\" {\n\tlists = { \"kvm\" }\n}\n",
	 COMMAND_SUBSCRIBE, COMMAND_IN_BODY, "",
	 "rule \"b\" {\n\tlists = { \"kvm\" }\n}\n", "subscribe"},
	{"a reply to the confirmation mail", "Re: confirm " TOK,
	 "Yes, that was me.\n\n> confirm " TOK "\n", COMMAND_CONFIRM,
	 COMMAND_IN_SUBJECT, TOK, "Yes, that was me.\n\n> confirm " TOK "\n",
	 "confirm " TOK},
	{"prefixes and tags of replies and forwards",
	 "RE[2]: Fwd: AW: [patchletter] confirm " TOK " (your rules)", "",
	 COMMAND_CONFIRM, COMMAND_IN_SUBJECT, TOK, NULL,
	 "confirm " TOK " (your rules)"},
	{"a colon after the verb", "Confirm: " TOK, "", COMMAND_CONFIRM,
	 COMMAND_IN_SUBJECT, TOK, NULL, "Confirm: " TOK},
	{"not a token: too long", "confirm " TOK "x", "", COMMAND_CONFIRM,
	 COMMAND_IN_SUBJECT, "", NULL, "confirm " TOK "x"},
	{"not a token: base64's + and /", "unsubscribe Zx3+9kLmN0pQrStUvWxY/A",
	 "", COMMAND_UNSUBSCRIBE, COMMAND_IN_SUBJECT, "", NULL,
	 "unsubscribe Zx3+9kLmN0pQrStUvWxY/A"},
	{"List-Unsubscribe's mailto", "unsubscribe " TOK, "",
	 COMMAND_UNSUBSCRIBE, COMMAND_IN_SUBJECT, TOK, NULL,
	 "unsubscribe " TOK},
	{"a reply to a digest: the command on the first line",
	 "Re: [kvm] 3 series for your rules (2026-12-01)",
	 "pause\n\nOn Tue, bot wrote:\n> ...\n", COMMAND_PAUSE, COMMAND_IN_BODY,
	 "", "\nOn Tue, bot wrote:\n> ...\n", "pause"},
	{"resume with its token on the first line", "", "resume " TOK "\n",
	 COMMAND_RESUME, COMMAND_IN_BODY, TOK, NULL, "resume " TOK},
	{"no Subject at all", NULL, "show\n", COMMAND_SHOW, COMMAND_IN_BODY, "",
	 NULL, "show"},
	{"help, shouted", "HELP", "", COMMAND_HELP, COMMAND_IN_SUBJECT, "",
	 NULL, "HELP"},
	{"preview without a rule file", "preview", "\n\n", COMMAND_PREVIEW,
	 COMMAND_IN_SUBJECT, "", NULL, "preview"},
	{"a changed Subject, the confirmation quoted", "Re: hmm",
	 "ok\n\n> To confirm, reply to this mail.\n> confirm " TOK "\n",
	 COMMAND_CONFIRM, COMMAND_IN_QUOTE, TOK, NULL, "hmm"},
	{"a quoted confirm whose token runs on is none", "Re: hmm",
	 "ok\n> confirm " TOK "zz\n", COMMAND_UNKNOWN, COMMAND_NONE, "", NULL,
	 "hmm"},
	{"not a command: the Subject is said", "Hello there",
	 "can you add me?\n", COMMAND_UNKNOWN, COMMAND_NONE, "", NULL,
	 "Hello there"},
	{"not a command, no Subject: the first line is said", "",
	 "\nwhat is this?\nsecond line\n", COMMAND_UNKNOWN, COMMAND_NONE, "",
	 NULL, "what is this?"},
	{"subscribed is not subscribe", "subscribed", "", COMMAND_UNKNOWN,
	 COMMAND_NONE, "", NULL, "subscribed"},
	{"a long line is cut between characters",
	 "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	 "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	 "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	 "\u00e9\u00e9\u00e9x",
	 "", COMMAND_UNKNOWN, COMMAND_NONE, "", NULL,
	 /* 32 two-byte characters fill the 64 bytes */
	 "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	 "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	 "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	 "\u00e9\u00e9"},
	{"an odd-length cut falls before the character",
	 "x\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	 "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	 "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	 "\u00e9\u00e9\u00e9",
	 "", COMMAND_UNKNOWN, COMMAND_NONE, "", NULL,
	 "x\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	 "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	 "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	 "\u00e9"},
};

static void parse_mail(struct mail *m, const char *subject, const char *body)
{
	struct buf raw = BUF_INIT;

	buf_adds(&raw, "From: Ada <ada@example.com>\n");
	if (subject)
		buf_addf(&raw, "Subject: %s\n", subject);
	buf_addf(&raw, "Content-Type: text/plain; charset=utf-8\n\n%s", body);
	assert_int_equal(mail_parse(m, raw.data, raw.len), 0);
	buf_release(&raw);
}

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mail m = MAIL_INIT;
		struct command c;

		print_message("%s\n", cases[i].what);
		parse_mail(&m, cases[i].subject, cases[i].body);
		command_parse(&c, &m);
		assert_int_equal(c.verb, cases[i].verb);
		assert_int_equal(c.source, cases[i].source);
		assert_string_equal(c.token, cases[i].token);
		assert_string_equal(c.word, cases[i].word);
		if (cases[i].rules) {
			assert_non_null(c.rules);
			assert_int_equal(c.rules_len, strlen(cases[i].rules));
			assert_memory_equal(c.rules, cases[i].rules,
					    c.rules_len);
		} else {
			assert_null(c.rules);
		}
		assert_false(c.rules_attached);
		mail_release(&m);
	}
}

/* An attached rule file is the rule file, whatever the body says. */
static void test_attachment(void **state)
{
	static const char raw[] =
		"From: ada@example.com\n"
		"Subject: preview\n"
		"MIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=\"b\"\n\n"
		"--b\n"
		"Content-Type: text/plain\n\n"
		"Please try these.\n"
		"--b\n"
		"Content-Type: text/plain; name=\"my.rules\"\n"
		"Content-Disposition: attachment; filename=\"my.rules\"\n\n"
		"rule \"x\" { paths = { \"mm/\" } }\n"
		"--b--\n";
	struct mail m = MAIL_INIT;
	struct command c;

	(void)state;
	assert_int_equal(mail_parse(&m, raw, sizeof(raw) - 1), 0);
	command_parse(&c, &m);
	assert_int_equal(c.verb, COMMAND_PREVIEW);
	assert_true(c.rules_attached);
	assert_int_equal(c.rules_len,
			 strlen("rule \"x\" { paths = { \"mm/\" } }\n"));
	assert_memory_equal(c.rules, "rule \"x\" { paths = { \"mm/\" } }\n",
			    c.rules_len);
	assert_string_equal(command_name(c.verb), "preview");
	assert_string_equal(command_name(COMMAND_UNKNOWN), "");
	mail_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_attachment),
	};

	return cmocka_run_group_tests_name("command", tests, NULL, NULL);
}
