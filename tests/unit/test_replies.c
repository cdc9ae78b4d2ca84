/*
 * test_replies.c: the replies to commands, rendered from the shipped
 * templates (templates/ of the tree) and composed: a reply goes to the
 * one address given, says it is automatic (RFC 3834), threads under the
 * command, carries the bot's X-Loop, and its text fits mail readers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "config.h"
#include "err.h"
#include "replies.h"
#include "template.h"
#include "template_dir.h"
#include "token.h"
#include "wrap.h"
#include "xalloc.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct fixture {
	struct config cfg;
	struct tpl_dir *templates;
	struct replies r;
};

static int setup(void **state)
{
	const char *dir = getenv("PATCHLETTER_FIXTURES");
	struct fixture *f;
	struct buf path = BUF_INIT, errors = BUF_INIT;

	if (!dir) {
		print_message("PATCHLETTER_FIXTURES is not set "
			      "(tests/unit/run.sh sets it)\n");
		return -1;
	}
	f = xcalloc(1, sizeof(*f));
	/* The shipped templates: tests/fixtures/../../templates. */
	buf_addf(&path, "%s/../../templates", dir);
	if (tpl_dir_load(&f->templates, path.data, &errors)) {
		print_message("%s", errors.data);
		free(f);
		buf_release(&path);
		buf_release(&errors);
		return -1;
	}
	f->cfg.bot.address = (char *)"bot@example.org";
	f->cfg.bot.name = (char *)"patchletter";
	f->cfg.bot.owner = (char *)"postmaster@example.org";
	f->r.templates = f->templates;
	f->r.cfg = &f->cfg;
	buf_release(&path);
	buf_release(&errors);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tpl_dir_free(f->templates);
	free(f);
	return 0;
}

/* The value of header field name in a composed mail, or NULL (owned). */
static char *header(const char *mail, const char *name)
{
	size_t n = strlen(name);
	const char *p = mail, *end;

	while (*p && strncmp(p, "\r\n", 2)) {
		end = strstr(p, "\r\n");
		if (!strncasecmp(p, name, n) && p[n] == ':')
			return xmemdup0(p + n + 2, (size_t)(end - p - n - 2));
		p = end + 2;
	}
	return NULL;
}

static void assert_header(const char *mail, const char *name, const char *want)
{
	char *v = header(mail, name);

	if (!want) {
		assert_null(v);
		return;
	}
	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

/* Every line of a rendered reply fits a mail reader: prose is wrapped
 * (wrap.h keeps lines up to WRAP_WIDTH + WRAP_SLACK columns). */
static void assert_fits(const char *text)
{
	const char *p = text, *nl;

	while ((nl = strchr(p, '\n'))) {
		if (wrap_columns(p, (size_t)(nl - p)) > WRAP_WIDTH + WRAP_SLACK)
			fail_msg("line too long: %.*s", (int)(nl - p), p);
		p = nl + 1;
	}
	assert_string_equal(p, ""); /* ends with a line end */
}

static void test_help_reply(void **state)
{
	struct fixture *f = *state;
	struct tdata *d = tdata_object_new();
	struct reply rep = {"help",
			    d,
			    "ada@example.com",
			    "patchletter: help",
			    "cmd.1@mail.example.com",
			    1796108400};
	struct buf mail = BUF_INIT;
	const char *body;
	char *id = NULL, *v;

	tdata_set_str(d, "unknown", "subscrbe");
	assert_int_equal(replies_compose(&mail, &id, &f->r, &rep), 0);
	assert_non_null(id);
	/* patchletter.reply.TOKEN@example.org */
	assert_true(!strncmp(id, "patchletter.reply.", 18));
	assert_int_equal(strlen(id), 18 + TOKEN_CHARS + strlen("@example.org"));
	assert_string_equal(id + 18 + TOKEN_CHARS, "@example.org");
	v = xasprintf("<%s>", id);
	assert_header(mail.data, "Message-ID", v);
	free(v);
	assert_header(mail.data, "From", "patchletter <bot@example.org>");
	assert_header(mail.data, "To", "ada@example.com");
	assert_header(mail.data, "Subject", "patchletter: help");
	assert_header(mail.data, "In-Reply-To", "<cmd.1@mail.example.com>");
	assert_header(mail.data, "References", "<cmd.1@mail.example.com>");
	assert_header(mail.data, "Auto-Submitted", "auto-replied");
	assert_header(mail.data, "X-Loop", "bot@example.org");
	assert_header(mail.data, "Content-Type", "text/plain; charset=utf-8");
	assert_header(mail.data, "List-Unsubscribe", NULL);
	assert_header(mail.data, "Cc", NULL);
	assert_header(mail.data, "Bcc", NULL);
	body = strstr(mail.data, "\r\n\r\n") + 4;
	assert_non_null(strstr(body, "I did not understand \"subscrbe\"."));
	assert_non_null(strstr(body, "\r\n  subscribe      subscribe, or "
				     "change your rules."));
	assert_non_null(strstr(body, "A person to write to: "
				     "postmaster@example.org."));
	free(id);
	buf_release(&mail);
	tdata_free(d);
}

/* A stranger's Message-ID compose cannot write: a reply all the same,
 * without In-Reply-To. */
static void test_unusable_in_reply_to(void **state)
{
	struct fixture *f = *state;
	struct tdata *d = tdata_object_new();
	struct reply rep = {"help",
			    d,
			    "ada@example.com",
			    "help",
			    "two words@example.com",
			    1796108400};
	struct buf mail = BUF_INIT;
	char *id = NULL;

	assert_int_equal(replies_compose(&mail, &id, &f->r, &rep), 0);
	assert_header(mail.data, "In-Reply-To", NULL);
	assert_header(mail.data, "References", NULL);
	free(id);
	buf_release(&mail);
	rep.name = "no-such-template";
	assert_int_equal(replies_compose(&mail, &id, &f->r, &rep),
			 ERR_NOTFOUND);
	assert_null(id);
	assert_string_equal(mail.data, "");
	buf_release(&mail);
	tdata_free(d);
}

/* Each reply template, with every section on, renders and fits. */
static void test_every_template(void **state)
{
	static const char *const names[] = {"help",  "confirmation", "welcome",
					    "error", "show",	     "preview",
					    "notice"};
	static const char *const flags[] = {
		"new",		"paused",	 "unsubscribed",
		"resumed",	"not_confirmed", "not_subscribed",
		"token_needed", "token_unknown", "subscriber_unknown",
		"expired",	"wrong_address", "full",
		"too_big",	"no_rules",	 "in_force",
		"has_errors",	"has_notes",	 "has_rules",
		"attached",	"has_lists",	 "plural",
		"none"};
	struct fixture *f = *state;
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		struct tdata *d = tdata_object_new(), *l, *o;
		struct reply rep = {names[i], d,    "ada@example.com",
				    "s",      NULL, 0};
		struct buf text = BUF_INIT;

		for (k = 0; k < ARRAY_SIZE(flags); k++)
			tdata_set_bool(d, flags[k], true);
		tdata_set_str(d, "token", "Zx3_9kLmN0pQrStUvWxY-A");
		tdata_set_str(d, "schedule", "daily at 07:00 (Europe/Paris)");
		l = tdata_set_list(d, "rules");
		o = tdata_list_add_object(l);
		tdata_set_str(o, "name", "svm");
		tdata_list_add_str(tdata_set_list(o, "criteria"),
				   "paths: arch/x86/kvm/svm/");
		l = tdata_set_list(d, "errors");
		o = tdata_list_add_object(l);
		tdata_set_int(o, "line", 3);
		tdata_set_str(o, "message", "unknown option 'colour'");
		tdata_set_str(o, "text", "colour = blue");
		tdata_list_add_str(tdata_set_list(d, "rule_lines"),
				   "rule \"svm\" {");
		print_message("%s.txt\n", names[i]);
		assert_int_equal(replies_render(&text, &f->r, &rep), 0);
		assert_fits(text.data);
		/* Every reply ends with the shared footer. */
		assert_non_null(strstr(text.data, "\n-- \npatchletter "
						  "<bot@example.org>: "));
		buf_release(&text);
		tdata_free(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_reply),
		cmocka_unit_test(test_unusable_in_reply_to),
		cmocka_unit_test(test_every_template),
	};

	return cmocka_run_group_tests_name("replies", tests, setup, teardown);
}
