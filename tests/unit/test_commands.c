/*
 * test_commands.c: the commands mailed to the bot (issue 8) on a real
 * store, with the shipped templates and a real configuration. Each test
 * mails the bot as a person (or an impostor, a mailer daemon, a flood)
 * would, then reads what the store holds and the replies queued in the
 * outbox, parsed back with mail.c as a mail reader would.
 *
 * What is checked: double opt-in (nothing changes until the token comes
 * back from the same address, once, in time), replies only to the
 * sender, rule-file errors quoted with their lines while the rules in
 * force stay, tokens for unsubscribe/pause/resume, the rate and size
 * limits, and silence towards bounces, lists and the bot itself.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "bounds.h"
#include "buf.h"
#include "commands.h"
#include "config.h"
#include "err.h"
#include "ingest.h"
#include "mail.h"
#include "message.h"
#include "store.h"
#include "template_dir.h"
#include "testdata.h"
#include "token.h"
#include "xalloc.h"

#define T0   1796108400 /* 2026-12-01 07:00:00 UTC */
#define HOUR 3600

#define GOOD_RULES                              \
	"digest {\n"                            \
	"\tfrequency = daily\n"                 \
	"\ttime = \"07:00\"\n"                  \
	"\ttimezone = \"Europe/Paris\"\n"       \
	"}\n"                                   \
	"rule \"svm\" {\n"                      \
	"\tpaths = { \"arch/x86/kvm/svm/\" }\n" \
	"}\n"

#define OTHER_RULES                       \
	"rule \"people\" {\n"             \
	"\tauthors = { \"*@amd.com\" }\n" \
	"}\n"

struct fixture {
	char dir[64];
	char *db;
	struct store *st;
	struct config cfg;
	struct tpl_dir *templates;
	struct commands c;
	unsigned seq; /* Message-IDs of the mails sent */
};

static const char default_limits[] = "limits {\n"
				     "\tcommands-per-hour = 50\n"
				     "\treplies-per-hour = 50\n"
				     "\tsubscribers = 100\n"
				     "\tconfirm-timeout = 1d\n"
				     "}\n";

static int setup_limits(void **state, const char *limits)
{
	const char *fx = getenv("PATCHLETTER_FIXTURES");
	struct fixture *f;
	struct buf conf = BUF_INIT, errors = BUF_INIT, path = BUF_INIT;

	if (!fx) {
		print_message("PATCHLETTER_FIXTURES is not set "
			      "(tests/unit/run.sh sets it)\n");
		return -1;
	}
	f = xcalloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_commands.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->db = xasprintf("%s/store.db", f->dir);
	buf_addf(&conf,
		 "bot {\n"
		 "\taddress = \"bot@example.org\"\n"
		 "\towner = \"owner@example.org\"\n"
		 "\tstate-dir = \"%s\"\n"
		 "}\n"
		 "list kvm {\n"
		 "\tlist-id = \"kvm.vger.kernel.org\"\n"
		 "\taddress = \"kvm@vger.kernel.org\"\n"
		 "}\n"
		 "smtp {\n"
		 "\turl = \"smtp://127.0.0.1:25\"\n"
		 "\ttls = none\n"
		 "\tenvelope-from = \"bot-bounces@example.org\"\n"
		 "}\n%s",
		 f->dir, limits);
	if (config_load_buf(&f->cfg, "test.conf", conf.data, conf.len,
			    &errors)) {
		print_message("%s", errors.data);
		return -1;
	}
	buf_addf(&path, "%s/../../templates", fx);
	if (tpl_dir_load(&f->templates, path.data, &errors)) {
		print_message("%s", errors.data);
		return -1;
	}
	if (store_open(&f->st, f->db, STORE_CREATE))
		return -1;
	f->c.st = f->st;
	f->c.cfg = &f->cfg;
	f->c.templates = f->templates;
	f->c.maintainers = NULL;
	buf_release(&conf);
	buf_release(&errors);
	buf_release(&path);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_limits(state, default_limits);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	tpl_dir_free(f->templates);
	config_release(&f->cfg);
	nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f->db);
	free(f);
	return 0;
}

/* --- mailing the bot, reading its replies ----------------------------------
 */

/*
 * Mail the bot: headers (each ending in \n; From among them) and a body.
 * A Message-ID is added unless the headers have one.
 */
static struct commands_result mail_bot(struct fixture *f, int64_t now,
				       const char *headers, const char *body)
{
	struct message m = MESSAGE_INIT;
	struct commands_result res;
	struct buf raw = BUF_INIT;

	buf_adds(&raw, headers);
	if (!strstr(headers, "Message-ID:"))
		buf_addf(&raw, "Message-ID: <cmd.%u@mail.example.com>\n",
			 ++f->seq);
	buf_addf(&raw, "To: bot@example.org\n\n%s", body);
	assert_int_equal(message_parse(&m, raw.data, raw.len), 0);
	assert_int_equal(commands_handle(&res, &f->c, &m, raw.len, now), 0);
	message_release(&m);
	buf_release(&raw);
	return res;
}

/* The same with From and Subject only. */
static struct commands_result mail_from(struct fixture *f, int64_t now,
					const char *from, const char *subject,
					const char *body)
{
	char *h = xasprintf("From: %s\nSubject: %s\n", from, subject);
	struct commands_result res = mail_bot(f, now, h, body);

	free(h);
	return res;
}

struct reply {
	struct mail m;	    /* parsed back: decoded Subject and body */
	char *recipient;    /* the outbox row's (the envelope's) */
	char *raw;	    /* the bytes queued */
	int64_t subscriber; /* the outbox row's, 0 none */
};

#define MAX_REPLIES 64

/*
 * Take every reply queued (marking them sent, so the next call sees only
 * new ones) into out; their number.
 */
static size_t take_replies(struct fixture *f, struct reply *out)
{
	struct store_outbox o = STORE_OUTBOX_INIT;
	size_t n = 0;

	while (store_outbox_next_due(&o, f->st, INT64_MAX) == 0) {
		assert_true(n < MAX_REPLIES);
		assert_int_equal(o.kind, OUTBOX_REPLY);
		assert_string_equal(o.envelope_from, "bot-bounces@example.org");
		memset(&out[n], 0, sizeof(out[n]));
		assert_int_equal(mail_parse(&out[n].m, o.mail, o.mail_len), 0);
		out[n].recipient = xstrdup(o.recipient);
		out[n].raw = xmemdup0(o.mail, o.mail_len);
		out[n].subscriber = o.subscriber;
		assert_int_equal(store_outbox_mark_sent(f->st, o.id, T0), 0);
		n++;
	}
	store_outbox_release(&o);
	return n;
}

static void replies_release(struct reply *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		mail_release(&r[i].m);
		free(r[i].recipient);
		free(r[i].raw);
	}
}

/* The one reply queued since the last call, checked as every reply
 * must be: to `to` alone, automatic, threaded, from the bot. */
static void one_reply(struct fixture *f, struct reply *r, const char *to)
{
	assert_int_equal(take_replies(f, r), 1);
	assert_string_equal(r->recipient, to);
	assert_int_equal(r->m.nr_recipients, 1);
	assert_string_equal(r->m.recipients[0], to);
	assert_string_equal(r->m.from.address, "bot@example.org");
	assert_string_equal(r->m.auto_submitted, "auto-replied");
	assert_int_equal(r->m.nr_loops, 1);
	assert_string_equal(r->m.loops[0], "bot@example.org");
	assert_non_null(r->m.in_reply_to);
	assert_true(!strncmp(r->m.in_reply_to, "cmd.", 4));
	assert_true(!strncmp(r->m.message_id, "patchletter.reply.", 18));
}

static void no_reply(struct fixture *f)
{
	struct reply r[MAX_REPLIES];

	assert_int_equal(take_replies(f, r), 0);
}

static bool body_has(const struct reply *r, const char *s)
{
	if (strstr(r->m.body, s))
		return true;
	print_message("not in the reply: \"%s\"\n--- body:\n%s---\n", s,
		      r->m.body);
	return false;
}

/* s with each run of spaces and line ends as one space (owned). */
static char *flow(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\n') {
			if (o > out && o[-1] != ' ')
				*o++ = ' ';
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

/* Does the reply say s, however its prose was wrapped? */
static bool says(const struct reply *r, const char *s)
{
	char *body = flow(r->m.body), *want = flow(s);
	bool ok = strstr(body, want) != NULL;

	if (!ok)
		print_message("not said: \"%s\"\n--- body:\n%s---\n", s,
			      r->m.body);
	free(body);
	free(want);
	return ok;
}

/* The token of a confirmation reply, from its Subject "confirm TOKEN". */
static void confirm_token(char out[TOKEN_CHARS + 1], const struct reply *r)
{
	assert_true(!strncmp(r->m.subject, "confirm ", 8));
	assert_int_equal(strlen(r->m.subject + 8), TOKEN_CHARS);
	strcpy(out, r->m.subject + 8);
	assert_true(token_valid(out));
	/* The body says it too, for those who type it. */
	assert_true(body_has(r, out));
}

/* The subscriber of address, or NULL when there is none (owned). */
static struct store_subscriber *subscriber(struct fixture *f,
					   const char *address)
{
	struct store_subscriber *s = xcalloc(1, sizeof(*s));
	int rc = store_subscriber_find(s, f->st, address);

	if (rc == ERR_NOTFOUND) {
		free(s);
		return NULL;
	}
	assert_int_equal(rc, 0);
	return s;
}

static void subscriber_free(struct store_subscriber *s)
{
	if (s)
		store_subscriber_release(s);
	free(s);
}

/* The text of the rule file in force for address, or NULL (owned). */
static char *rules_in_force(struct fixture *f, const char *address)
{
	struct store_subscriber *s = subscriber(f, address);
	struct store_rulefile rf = STORE_RULEFILE_INIT;
	char *text = NULL;

	if (s && store_rulefile_active(&rf, f->st, s->id) == 0)
		text = xstrdup(rf.text);
	store_rulefile_release(&rf);
	subscriber_free(s);
	return text;
}

/* Subscribe address with rules, confirmed; its token in token_out. */
static void subscribe_confirmed(struct fixture *f, int64_t now,
				const char *address, const char *rules,
				char token_out[TOKEN_CHARS + 1])
{
	struct reply r[MAX_REPLIES];
	struct store_subscriber *s;
	char token[TOKEN_CHARS + 1], *subject;

	mail_from(f, now, address, "subscribe", rules);
	one_reply(f, r, address);
	confirm_token(token, r);
	replies_release(r, 1);
	subject = xasprintf("Re: confirm %s", token);
	mail_from(f, now + 60, address, subject, "yes\n");
	free(subject);
	one_reply(f, r, address);
	replies_release(r, 1);
	s = subscriber(f, address);
	assert_non_null(s);
	assert_int_equal(s->status, SUBSCRIBER_ACTIVE);
	if (token_out)
		strcpy(token_out, s->token);
	subscriber_free(s);
}

/* --- double opt-in -----------------------------------------------------------
 */

static void test_subscribe_and_confirm(void **state)
{
	struct fixture *f = *state;
	struct reply r[MAX_REPLIES];
	struct commands_result res;
	struct store_subscriber *s;
	struct store_rulefile *hist;
	char token[TOKEN_CHARS + 1], *subject, *text;
	size_t nr;

	res = mail_from(f, T0, "Ada <ada@example.com>", "subscribe",
			GOOD_RULES);
	assert_int_equal(res.status, COMMANDS_DONE);
	assert_int_equal(res.verb, COMMAND_SUBSCRIBE);
	assert_int_equal(res.replies, 1);
	one_reply(f, r, "ada@example.com");
	confirm_token(token, r);
	assert_true(says(r, "asked to subscribe ada@example.com"));
	/* "expires on": T0 + the 1d of confirm-timeout. */
	assert_true(says(r, "This request expires on 2026-12-02 07:00 "
			    "UTC."));
	/* What the bot understood of the file. */
	assert_true(says(r, "Digests: daily at 07:00 (Europe/Paris)"));
	assert_true(body_has(r, "Rule \"svm\":\n        paths: "
				"arch/x86/kvm/svm/\n"));
	replies_release(r, 1);

	/* Pending: nothing in force, no digests. */
	s = subscriber(f, "ada@example.com");
	assert_non_null(s);
	assert_int_equal(s->status, SUBSCRIBER_PENDING);
	assert_true(token_valid(s->token)); /* List-Unsubscribe's */
	assert_null(rules_in_force(f, "ada@example.com"));
	/* The token is not kept, only its hash. */
	assert_int_equal(store_rulefile_history(&hist, &nr, f->st, s->id, 10),
			 0);
	assert_int_equal(nr, 1);
	assert_int_equal(hist[0].state, RULEFILE_PROPOSED);
	assert_string_not_equal(hist[0].token_hash, token);
	assert_int_equal(strlen(hist[0].token_hash), TOKEN_HASH_CHARS);
	store_rulefiles_free(hist, nr);

	/* The reply to the confirmation mail confirms. */
	subject = xasprintf("Re: confirm %s", token);
	res = mail_from(f, T0 + 600, "Ada <ADA@example.com>", subject,
			"Yes please.\n");
	assert_int_equal(res.verb, COMMAND_CONFIRM);
	assert_true(f->c.changed);
	one_reply(f, r, "ADA@example.com");
	assert_true(says(r, "Welcome: ADA@example.com is subscribed"));
	assert_string_equal(r->m.subject, "patchletter: welcome");
	replies_release(r, 1);
	s->status = SUBSCRIBER_PENDING;
	subscriber_free(s);
	s = subscriber(f, "ada@example.com");
	assert_int_equal(s->status, SUBSCRIBER_ACTIVE);
	subscriber_free(s);
	text = rules_in_force(f, "ada@example.com");
	assert_string_equal(text, GOOD_RULES);
	free(text);

	/* Single use: the same token again changes nothing. */
	f->c.changed = false;
	mail_from(f, T0 + 700, "ada@example.com", subject, "");
	one_reply(f, r, "ada@example.com");
	assert_true(says(r, "No request waits for that confirmation"));
	assert_false(f->c.changed);
	replies_release(r, 1);
	free(subject);
}

/*
 * An impostor subscribes someone else: the confirmation goes to that
 * someone, and nothing else happens; their own rules stay.
 */
static void test_forged_subscribe(void **state)
{
	struct fixture *f = *state;
	struct reply r[MAX_REPLIES];
	char token[TOKEN_CHARS + 1], *subject, *text;

	subscribe_confirmed(f, T0, "victim@example.net", GOOD_RULES, NULL);
	mail_bot(f, T0 + 100,
		 "From: victim@example.net\n"
		 "Reply-To: evil@example.com\n"
		 "Sender: evil@example.com\n"
		 "Return-Path: <evil@example.com>\n"
		 "Subject: subscribe\n",
		 OTHER_RULES);
	/* To the forged From only: not Reply-To, Sender or Return-Path. */
	one_reply(f, r, "victim@example.net");
	confirm_token(token, r);
	assert_true(says(r, "asked to replace the rules of "
			    "victim@example.net"));
	assert_true(says(r, "The rules in force stay in force"));
	replies_release(r, 1);
	text = rules_in_force(f, "victim@example.net");
	assert_string_equal(text, GOOD_RULES);
	free(text);

	/* The impostor guesses nothing; even with the token, confirming
	 * from another address does nothing. */
	subject = xasprintf("confirm %s", token);
	mail_from(f, T0 + 200, "evil@example.com", subject, "");
	one_reply(f, r, "evil@example.com");
	assert_true(says(r, "sent to another address"));
	replies_release(r, 1);
	text = rules_in_force(f, "victim@example.net");
	assert_string_equal(text, GOOD_RULES);
	free(text);
	/* The victim may still take it. */
	mail_from(f, T0 + 300, "victim@example.net", subject, "");
	one_reply(f, r, "victim@example.net");
	assert_true(says(r, "The new rules of victim@example.net are in "
			    "force."));
	replies_release(r, 1);
	text = rules_in_force(f, "victim@example.net");
	assert_string_equal(text, OTHER_RULES);
	free(text);
	free(subject);
}

/* A newer request withdraws the older; a request expires. */
static void test_withdrawn_and_expired(void **state)
{
	struct fixture *f = *state;
	struct reply r[MAX_REPLIES];
	char first[TOKEN_CHARS + 1], second[TOKEN_CHARS + 1], *subject;
	struct store_subscriber *s;

	mail_from(f, T0, "bob@example.org", "subscribe", GOOD_RULES);
	one_reply(f, r, "bob@example.org");
	confirm_token(first, r);
	replies_release(r, 1);
	mail_from(f, T0 + 10, "bob@example.org", "subscribe", OTHER_RULES);
	one_reply(f, r, "bob@example.org");
	confirm_token(second, r);
	replies_release(r, 1);
	assert_string_not_equal(first, second);
	subject = xasprintf("confirm %s", first);
	mail_from(f, T0 + 20, "bob@example.org", subject, "");
	free(subject);
	one_reply(f, r, "bob@example.org");
	assert_true(says(r, "replaced by a newer request"));
	replies_release(r, 1);
	assert_null(rules_in_force(f, "bob@example.org"));

	/* A day later (confirm-timeout = 1d), the second one expired. */
	subject = xasprintf("confirm %s", second);
	mail_from(f, T0 + 10 + 86400, "bob@example.org", subject, "");
	one_reply(f, r, "bob@example.org");
	assert_true(says(r, "That confirmation expired on 2026-12-02 "
			    "07:00 UTC."));
	replies_release(r, 1);
	assert_null(rules_in_force(f, "bob@example.org"));
	/* ... and it cannot be confirmed any more (withdrawn), and the
	 * subscription that never was is forgotten. */
	assert_null(subscriber(f, "bob@example.org"));
	mail_from(f, T0 + 20 + 86400, "bob@example.org", subject, "");
	one_reply(f, r, "bob@example.org");
	assert_true(says(r, "No request waits"));
	replies_release(r, 1);
	free(subject);

	/* A request nobody answers: forgotten with the first command
	 * after its timeout, whoever sends it. */
	mail_from(f, T0 + 86400, "carol@example.org", "subscribe", GOOD_RULES);
	replies_release(r, take_replies(f, r));
	s = subscriber(f, "carol@example.org");
	assert_non_null(s);
	subscriber_free(s);
	mail_from(f, T0 + 2 * 86400, "someone@example.com", "help", "");
	replies_release(r, take_replies(f, r));
	s = subscriber(f, "carol@example.org");
	assert_non_null(s); /* a day less a second: still waiting */
	subscriber_free(s);
	mail_from(f, T0 + 2 * 86400 + 1, "someone@example.com", "help", "");
	replies_release(r, take_replies(f, r));
	assert_null(subscriber(f, "carol@example.org"));
}

/* --- rule files with errors
 * ---------------------------------------------------- */

static void test_rule_errors(void **state)
{
	struct fixture *f = *state;
	struct reply r[MAX_REPLIES];
	struct commands_result res;
	char *text;

	subscribe_confirmed(f, T0, "ada@example.com", GOOD_RULES, NULL);
	res = mail_from(f, T0 + 100, "ada@example.com", "my new rules",
			"subscribe\n"
			"digest {\n"
			"\tfrequency = fortnightly\n"
			"}\n"
			"rule \"x\" {\n"
			"\tpaths = { \"/etc/passwd\" }\n"
			"\tcolour = blue\n"
			"}\n");
	assert_int_equal(res.verb, COMMAND_SUBSCRIBE);
	one_reply(f, r, "ada@example.com");
	assert_string_equal(r->m.subject,
			    "patchletter: errors in your rule file");
	assert_true(says(r, "Your rule file has 3 errors, so nothing was "
			    "changed."));
	assert_true(says(r, "The rules in force for ada@example.com "
			    "stay in force."));
	/* Each error with its line (counted from the line after the
	 * command) and the line itself. */
	assert_true(says(r, "line 2: digest: frequency 'fortnightly' is "
			    "not one of"));
	assert_true(body_has(r, "    2 | \tfrequency = fortnightly\n"));
	assert_true(says(r, "line 5: rule 'x': paths '/etc/passwd' starts "
			    "with '/'"));
	assert_true(body_has(r, "    5 | \tpaths = { \"/etc/passwd\" }\n"));
	assert_true(says(r, "line 6: unknown option 'colour' in rule "
			    "'x'"));
	assert_true(body_has(r, "    6 | \tcolour = blue\n"));
	replies_release(r, 1);
	text = rules_in_force(f, "ada@example.com");
	assert_string_equal(text, GOOD_RULES);
	free(text);

	/* No rule file at all. */
	mail_from(f, T0 + 200, "carol@example.com", "subscribe", "\n\n");
	one_reply(f, r, "carol@example.com");
	assert_true(says(r, "The mail held no rule file."));
	replies_release(r, 1);
	assert_null(subscriber(f, "carol@example.com"));
}

/* A stranger's rule file never sees the bot's environment (DESIGN.md). */
static void test_rule_environment(void **state)
{
	struct fixture *f = *state;
	struct reply r[MAX_REPLIES];

	setenv("PATCHLETTER_TEST_SECRET", "hunter2-secret-value", 1);
	mail_from(f, T0, "eve@example.com", "subscribe",
		  "rule \"leak\" {\n"
		  "\tpaths = { \"${PATCHLETTER_TEST_SECRET}\" }\n"
		  "\tsubject = { '${HOME}' }\n"
		  "}\n");
	one_reply(f, r, "eve@example.com");
	assert_true(says(r, "line 2: '${' is not allowed here"));
	assert_true(says(r, "line 3: '${' is not allowed here"));
	assert_null(strstr(r->raw, "hunter2"));
	replies_release(r, 1);
	assert_null(subscriber(f, "eve@example.com"));
	unsetenv("PATCHLETTER_TEST_SECRET");
}

/* A rule file attached, and line numbers of the attachment. */
static void test_attached_rules(void **state)
{
	struct fixture *f = *state;
	struct reply r[MAX_REPLIES];
	char token[TOKEN_CHARS + 1];

	mail_bot(f, T0,
		 "From: ada@example.com\n"
		 "Subject: subscribe\n"
		 "MIME-Version: 1.0\n"
		 "Content-Type: multipart/mixed; boundary=\"b\"\n",
		 "--b\n"
		 "Content-Type: text/plain\n\n"
		 "Hi, my rules are attached.\n"
		 "--b\n"
		 "Content-Type: text/plain; name=\"rules.txt\"\n"
		 "Content-Disposition: attachment; "
		 "filename=\"rules.txt\"\n\n" OTHER_RULES "--b--\n");
	one_reply(f, r, "ada@example.com");
	confirm_token(token, r);
	assert_true(says(r, "authors: *@amd.com"));
	replies_release(r, 1);
	mail_bot(f, T0,
		 "From: ada@example.com\n"
		 "Subject: preview\n"
		 "MIME-Version: 1.0\n"
		 "Content-Type: multipart/mixed; boundary=\"b\"\n",
		 "--b\n"
		 "Content-Type: text/plain\n\n"
		 "what would this give?\n"
		 "--b\n"
		 "Content-Type: text/plain\n"
		 "Content-Disposition: attachment; filename=\"x.rules\"\n\n"
		 "rule \"a\" {\n"
		 "\tversions = oldest\n"
		 "}\n"
		 "--b--\n");
	one_reply(f, r, "ada@example.com");
	assert_true(says(r, "line 2: rule 'a': versions 'oldest'"));
	assert_true(says(r, "(the attached file)"));
	replies_release(r, 1);
}

/* --- unsubscribe, pause, resume
 * ------------------------------------------------ */

static void test_token_commands(void **state)
{
	struct fixture *f = *state;
	struct reply r[MAX_REPLIES];
	struct store_subscriber *s;
	char token[TOKEN_CHARS + 1], *subject;

	subscribe_confirmed(f, T0, "ada@example.com", GOOD_RULES, token);
	/* Without the token: the command with it, to the address. */
	f->c.changed = false;
	mail_from(f, T0 + 10, "ada@example.com",
		  "Re: [kvm] 3 series for your rules", "pause\n> quoted\n");
	one_reply(f, r, "ada@example.com");
	subject = xasprintf("pause %s", token);
	assert_string_equal(r->m.subject, subject);
	assert_true(body_has(r, subject));
	replies_release(r, 1);
	s = subscriber(f, "ada@example.com");
	assert_int_equal(s->status, SUBSCRIBER_ACTIVE);
	subscriber_free(s);
	assert_false(f->c.changed);
	/* Replying to it pauses. */
	free(subject);
	subject = xasprintf("Re: pause %s", token);
	mail_from(f, T0 + 20, "ada@example.com", subject, "");
	one_reply(f, r, "ada@example.com");
	assert_true(says(r, "The digests to ada@example.com are "
			    "paused."));
	replies_release(r, 1);
	assert_true(f->c.changed);
	s = subscriber(f, "ada@example.com");
	assert_int_equal(s->status, SUBSCRIBER_PAUSED);
	subscriber_free(s);
	free(subject);
	subject = xasprintf("resume %s", token);
	mail_from(f, T0 + 30, "ada@example.com", subject, "");
	one_reply(f, r, "ada@example.com");
	assert_true(says(r, "are on again"));
	replies_release(r, 1);
	s = subscriber(f, "ada@example.com");
	assert_int_equal(s->status, SUBSCRIBER_ACTIVE);
	subscriber_free(s);
	free(subject);

	/* List-Unsubscribe's mailto: "unsubscribe TOKEN", from whatever
	 * address the mail program sends. */
	subject = xasprintf("unsubscribe %s", token);
	mail_from(f, T0 + 40, "ada.personal@example.net", subject, "");
	one_reply(f, r, "ada.personal@example.net");
	assert_true(says(r, "ada@example.com is unsubscribed"));
	replies_release(r, 1);
	assert_null(subscriber(f, "ada@example.com"));
	/* Again: no one has that token. */
	mail_from(f, T0 + 50, "ada@example.com", subject, "");
	one_reply(f, r, "ada@example.com");
	assert_true(says(r, "That token names no subscriber"));
	replies_release(r, 1);
	free(subject);

	/* Not a subscriber, no token. */
	mail_from(f, T0 + 60, "zed@example.com", "unsubscribe", "");
	one_reply(f, r, "zed@example.com");
	assert_true(says(r, "zed@example.com is not subscribed."));
	replies_release(r, 1);
}

/* A pending subscription cannot be resumed into force by its token. */
static void test_pending_not_resumed(void **state)
{
	struct fixture *f = *state;
	struct reply r[MAX_REPLIES];
	struct store_subscriber *s;
	char *subject;

	mail_from(f, T0, "pat@example.com", "subscribe", GOOD_RULES);
	replies_release(r, take_replies(f, r));
	s = subscriber(f, "pat@example.com");
	subject = xasprintf("resume %s", s->token);
	mail_from(f, T0 + 10, "pat@example.com", subject, "");
	one_reply(f, r, "pat@example.com");
	assert_true(says(r, "is not confirmed yet"));
	replies_release(r, 1);
	subscriber_free(s);
	s = subscriber(f, "pat@example.com");
	assert_int_equal(s->status, SUBSCRIBER_PENDING);
	/* But the one whose address it is can drop it. */
	free(subject);
	subject = xasprintf("unsubscribe %s", s->token);
	mail_from(f, T0 + 20, "pat@example.com", subject, "");
	replies_release(r, take_replies(f, r));
	assert_null(subscriber(f, "pat@example.com"));
	subscriber_free(s);
	free(subject);
}

/* RFC 8058 one-click: by token, a notice to the subscriber. */
static void test_one_click(void **state)
{
	struct fixture *f = *state;
	struct commands_result res;
	struct reply r[MAX_REPLIES];
	char token[TOKEN_CHARS + 1];

	subscribe_confirmed(f, T0, "ada@example.com", GOOD_RULES, token);
	assert_int_equal(commands_unsubscribe_token(&res, &f->c,
						    "AAAAAAAAAAAAAAAAAAAAAA",
						    T0 + 10),
			 ERR_NOTFOUND);
	assert_int_equal(commands_unsubscribe_token(&res, &f->c, "bad", T0),
			 ERR_NOTFOUND);
	no_reply(f);
	assert_int_equal(
		commands_unsubscribe_token(&res, &f->c, token, T0 + 10), 0);
	assert_int_equal(res.replies, 1);
	assert_int_equal(take_replies(f, r), 1);
	assert_string_equal(r->recipient, "ada@example.com");
	assert_true(says(r, "ada@example.com is unsubscribed"));
	assert_null(r->m.in_reply_to);
	replies_release(r, 1);
	assert_null(subscriber(f, "ada@example.com"));
}

/* --- show, preview, help
 * --------------------------------------------------------- */

static void test_show_and_help(void **state)
{
	struct fixture *f = *state;
	struct reply r[MAX_REPLIES];
	struct commands_result res;

	subscribe_confirmed(f, T0, "ada@example.com", GOOD_RULES, NULL);
	mail_from(f, T0 + 10, "ada@example.com", "show", "");
	one_reply(f, r, "ada@example.com");
	assert_true(says(r, "ada@example.com: active, subscribed since "
			    "2026-12-01 07:00 UTC."));
	assert_true(says(r, "Digests: daily at 07:00 (Europe/Paris)"));
	/* The file as sent, indented. */
	assert_true(body_has(r, "    rule \"svm\" {\n"
				"    \tpaths = { \"arch/x86/kvm/svm/\" }\n"));
	replies_release(r, 1);
	mail_from(f, T0 + 20, "stranger@example.com", "show", "");
	one_reply(f, r, "stranger@example.com");
	assert_true(says(r, "stranger@example.com is not subscribed."));
	replies_release(r, 1);

	res = mail_from(f, T0 + 30, "ada@example.com", "HELP", "");
	assert_int_equal(res.verb, COMMAND_HELP);
	one_reply(f, r, "ada@example.com");
	assert_true(body_has(r, "  subscribe      subscribe, or change your "
				"rules."));
	assert_true(body_has(r, "    kvm (kvm.vger.kernel.org)\n"));
	assert_true(says(r, "A person to write to: owner@example.org."));
	assert_null(strstr(r->m.body, "I did not understand"));
	replies_release(r, 1);
	/* Anything else: the help text, saying what was not understood. */
	res = mail_from(f, T0 + 40, "ada@example.com", "Hello!",
			"Can you add me?\n");
	assert_int_equal(res.verb, COMMAND_UNKNOWN);
	one_reply(f, r, "ada@example.com");
	assert_true(says(r, "I did not understand \"Hello!\"."));
	replies_release(r, 1);
}

/* Ingest the demo list mail: series for previews to find. */
static void ingest_demo(struct fixture *f)
{
	char *path = testdata_fixture("../demo/sample-list.mbox");
	struct buf mbox = BUF_INIT;
	struct ingest ing;
	const char *p, *next;

	assert_true(testdata_read(&mbox, path));
	ingest_init(&ing, f->st);
	for (p = mbox.data; p && *p; p = next) {
		next = strstr(p + 1, "\nFrom ");
		if (next)
			next++;
		assert_int_equal(
			ingest_add(&ing, p,
				   next ? (size_t)(next - p) : strlen(p),
				   "test"),
			0);
	}
	assert_int_equal(ingest_commit(&ing, NULL, NULL), 0);
	buf_release(&mbox);
	free(path);
}

static void test_preview(void **state)
{
	struct fixture *f = *state;
	struct reply r[MAX_REPLIES];
	struct store_stats st;
	/* 2026-11-22 00:00 UTC: the demo mail was posted on 20 and 21
	 * November 2026, within the week before. */
	int64_t now = 1795305600;

	ingest_demo(f);
	/* The SVM work: v1 and v2; the newest version only, by default. */
	mail_from(f, now, "ada@example.com", "preview",
		  "rule \"svm\" {\n\tpaths = { \"arch/x86/kvm/svm/\" }\n}\n");
	one_reply(f, r, "ada@example.com");
	assert_string_equal(r->m.subject,
			    "patchletter: preview, 2 series in 7 days");
	assert_true(says(r, "This is the digest the rule file you sent "
			    "would have made"));
	assert_true(says(r, "(2026-11-15 00:00 UTC to 2026-11-22 00:00 "
			    "UTC): 2 series."));
	/* v2 of the SVM work (v1 is superseded), and the pull request
	 * whose diffstat touches arch/x86/kvm/svm/sev.c. */
	assert_true(says(r, "[PATCH v2 0/3] KVM: SVM: Use a single ASID "
			    "per VM"));
	assert_true(says(r, "[GIT PULL] KVM fixes for 6.19-rc2"));
	assert_null(strstr(r->m.body, "[PATCH 0/3] KVM: SVM"));
	assert_null(strstr(r->m.body, "tun: report virtio-net hashes"));
	replies_release(r, 1);
	/* Every version, and the pull request by its author. */
	mail_from(
		f, now, "ada@example.com", "preview",
		"rule \"svm\" {\n\tpaths = { \"arch/x86/kvm/svm/\" }\n"
		"\tversions = all\n}\n"
		"rule \"pulls\" {\n\tauthors = { \"Paula Maintainer\" }\n}\n");
	one_reply(f, r, "ada@example.com");
	assert_string_equal(r->m.subject,
			    "patchletter: preview, 3 series in 7 days");
	replies_release(r, 1);
	/* A week later, nothing. */
	mail_from(f, now + 8 * 86400, "ada@example.com", "preview",
		  "rule \"svm\" {\n\tpaths = { \"arch/x86/kvm/svm/\" }\n}\n");
	one_reply(f, r, "ada@example.com");
	assert_string_equal(r->m.subject,
			    "patchletter: preview, 0 series in 7 days");
	replies_release(r, 1);
	/* Nothing was written: no subscriber, no match. */
	assert_null(subscriber(f, "ada@example.com"));
	assert_int_equal(store_stats(&st, f->st), 0);
	assert_int_equal(st.matches, 0);
	assert_int_equal(st.subscribers, 0);
	/* Without a file and without rules in force. */
	mail_from(f, now, "ada@example.com", "preview", "");
	one_reply(f, r, "ada@example.com");
	assert_true(says(r, "No rules are in force for ada@example.com"));
	replies_release(r, 1);
}

/* --- abuse limits
 * ----------------------------------------------------------------- */

/* No answer to bounces, automatic mail, lists, or the bot itself. */
static void test_not_answered(void **state)
{
	static const char *const mails[] = {
		"From: MAILER-DAEMON@mx.example.net\nSubject: help\n",
		"Return-Path: <>\nFrom: ada@example.com\nSubject: help\n",
		"From: ada@example.com\nAuto-Submitted: auto-replied\n"
		"Subject: help\n",
		"From: ada@example.com\nList-Id: <kvm.vger.kernel.org>\n"
		"Subject: help\n",
		"From: ada@example.com\nPrecedence: bulk\nSubject: help\n",
		"From: patchletter <bot@example.org>\nSubject: help\n",
		"From: ada@example.com\nX-Loop: bot@example.org\n"
		"Subject: help\n",
		"From: ada@example.com\n"
		"Message-ID: <patchletter.reply.x@example.org>\n"
		"Subject: help\n",
		"From: Ada\nSubject: help\n",
		"From: \"a b\"@example.com\nSubject: help\n",
	};
	struct fixture *f = *state;
	struct commands_result res;
	int64_t n;
	size_t i;

	for (i = 0; i < sizeof(mails) / sizeof(mails[0]); i++) {
		print_message("%s", mails[i]);
		res = mail_bot(f, T0, mails[i], "help\n");
		assert_int_equal(res.status, COMMANDS_IGNORED);
		no_reply(f);
	}
	/* Nor are they counted against the sender. */
	assert_int_equal(store_mail_log_count(&n, f->st, "ada@example.com",
					      MAIL_LOG_IN, 0),
			 0);
	assert_int_equal(n, 0);
}

static int setup_tight(void **state)
{
	return setup_limits(state, "limits {\n"
				   "\tcommands-per-hour = 4\n"
				   "\treplies-per-hour = 2\n"
				   "\tsubscribers = 2\n"
				   "\tconfirm-timeout = 1d\n"
				   "}\n");
}

static void test_rate_limits(void **state)
{
	struct fixture *f = *state;
	struct reply r[MAX_REPLIES];
	struct commands_result res;
	int i;

	/* Two replies an hour: the third command is not answered. */
	for (i = 0; i < 2; i++) {
		res = mail_from(f, T0 + i, "ada@example.com", "help", "");
		assert_int_equal(res.replies, 1);
	}
	res = mail_from(f, T0 + 2, "ada@example.com", "help", "");
	assert_int_equal(res.status, COMMANDS_DONE);
	assert_int_equal(res.replies, 0);
	/* A subscribe that could not be confirmed stores nothing. */
	res = mail_from(f, T0 + 3, "ada@example.com", "subscribe", GOOD_RULES);
	assert_int_equal(res.replies, 0);
	assert_null(subscriber(f, "ada@example.com"));
	/* Four commands an hour: the fifth is dropped, and the flood
	 * goes on being dropped. */
	for (i = 0; i < 20; i++) {
		res = mail_from(f, T0 + 4 + i, "ada@example.com", "help", "");
		assert_int_equal(res.status, COMMANDS_THROTTLED);
	}
	assert_int_equal(take_replies(f, r), 2);
	replies_release(r, 2);
	/* Other senders are not held up by it. */
	res = mail_from(f, T0 + 30, "bob@example.com", "help", "");
	assert_int_equal(res.status, COMMANDS_DONE);
	assert_int_equal(res.replies, 1);
	replies_release(r, take_replies(f, r));
	/* An hour later, Ada may again. */
	res = mail_from(f, T0 + 3 + HOUR + 1, "ada@example.com", "help", "");
	assert_int_equal(res.status, COMMANDS_DONE);
	assert_int_equal(res.replies, 1);
	replies_release(r, take_replies(f, r));
}

static void test_subscriber_limit(void **state)
{
	struct fixture *f = *state;
	struct reply r[MAX_REPLIES];

	mail_from(f, T0, "a@example.com", "subscribe", GOOD_RULES);
	mail_from(f, T0, "b@example.com", "subscribe", GOOD_RULES);
	replies_release(r, take_replies(f, r));
	mail_from(f, T0, "c@example.com", "subscribe", GOOD_RULES);
	one_reply(f, r, "c@example.com");
	assert_true(says(r, "takes no new subscribers"));
	replies_release(r, 1);
	assert_null(subscriber(f, "c@example.com"));
	/* Someone subscribed already may still change their rules. */
	mail_from(f, T0, "a@example.com", "subscribe", OTHER_RULES);
	one_reply(f, r, "a@example.com");
	assert_true(!strncmp(r->m.subject, "confirm ", 8));
	replies_release(r, 1);
}

static void test_too_big(void **state)
{
	struct fixture *f = *state;
	struct reply r[MAX_REPLIES];
	struct commands_result res;
	struct buf body = BUF_INIT;
	size_t i;

	buf_adds(&body, "rule \"x\" {\n\tpaths = { \"net/\" }\n}\n");
	for (i = 0; body.len <= COMMAND_MAX_BYTES; i++)
		buf_addf(&body, "# padding line %zu of a huge mail\n", i);
	res = mail_from(f, T0, "ada@example.com", "subscribe", body.data);
	assert_int_equal(res.status, COMMANDS_DONE);
	one_reply(f, r, "ada@example.com");
	assert_true(says(r, "a command may be at most 262144 bytes"));
	replies_release(r, 1);
	assert_null(subscriber(f, "ada@example.com"));
	buf_release(&body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_subscribe_and_confirm,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_subscribe, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_withdrawn_and_expired,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rule_environment, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_attached_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_token_commands, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pending_not_resumed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_one_click, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_show_and_help, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_preview, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_answered, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rate_limits, setup_tight,
						teardown),
		cmocka_unit_test_setup_teardown(test_subscriber_limit,
						setup_tight, teardown),
		cmocka_unit_test_setup_teardown(test_too_big, setup, teardown),
	};

	return cmocka_run_group_tests_name("commands", tests, NULL, NULL);
}
