/*
 * test_deliver.c: where a mail handed to the bot goes (deliver.h): list
 * mail to the store, mail to the bot to the commands, the rest nowhere;
 * a list's mail is never a command. Routing is checked on parsed mail,
 * delivery on a real store.
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

#include "buf.h"
#include "commands.h"
#include "config.h"
#include "deliver.h"
#include "err.h"
#include "mail.h"
#include "store.h"
#include "template_dir.h"
#include "xalloc.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define T0	      1796108400

static const char conf[] = "bot {\n"
			   "\taddress = \"bot@example.org\"\n"
			   "}\n"
			   "list kvm {\n"
			   "\tlist-id = \"kvm.vger.kernel.org\"\n"
			   "\taddress = \"kvm@vger.kernel.org\"\n"
			   "}\n"
			   "list netdev {\n"
			   "\tlist-id = \"netdev.vger.kernel.org\"\n"
			   "}\n";

static const struct {
	const char *what;
	const char *header;
	const char *recipient; /* the envelope's, or NULL */
	enum deliver_route want;
} cases[] = {
	{"a post to a configured list",
	 "List-Id: KVM <kvm.vger.kernel.org>\nTo: kvm@vger.kernel.org\n", NULL,
	 DELIVER_LIST},
	{"a list post that names the bot is no command",
	 "List-Id: <netdev.vger.kernel.org>\nTo: bot@example.org\n"
	 "Subject: unsubscribe\n",
	 "bot@example.org", DELIVER_LIST},
	{"a copy sent straight to a list's address and the bot",
	 "To: kvm@vger.kernel.org\nCc: Bot <bot@example.org>\n", NULL,
	 DELIVER_LIST},
	{"the envelope says a list's address", "To: undisclosed-recipients:;\n",
	 "KVM@vger.kernel.org", DELIVER_LIST},
	{"a command", "To: patchletter <bot@example.org>\n", NULL,
	 DELIVER_COMMAND},
	{"a command, other case", "To: BOT@Example.ORG\n", NULL,
	 DELIVER_COMMAND},
	{"a blind copy to the bot",
	 "To: a@example.com\n"
	 "Delivered-To: bot@example.org\n",
	 NULL, DELIVER_COMMAND},
	{"the envelope says the bot", "To: a@example.com\n", "bot@example.org",
	 DELIVER_COMMAND},
	{"the envelope says someone else", "To: bot@example.org\n",
	 "other@example.org", DELIVER_IGNORE},
	{"addressed to no one we know", "To: a@example.com\n", NULL,
	 DELIVER_IGNORE},
	{"a list we do not follow, not to the bot",
	 "List-Id: <other.example.org>\nTo: other@example.org\n", NULL,
	 DELIVER_IGNORE},
};

static void test_route(void **state)
{
	struct config cfg = {0};
	struct buf errors = BUF_INIT;
	size_t i;

	(void)state;
	assert_int_equal(config_load_buf(&cfg, "t.conf", conf, sizeof(conf) - 1,
					 &errors),
			 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mail m = MAIL_INIT;
		struct buf raw = BUF_INIT;
		const char *why = NULL;

		print_message("%s\n", cases[i].what);
		buf_addf(&raw, "From: ada@example.com\n%s\nhi\n",
			 cases[i].header);
		assert_int_equal(mail_parse(&m, raw.data, raw.len), 0);
		assert_int_equal(
			deliver_route(&why, &m, &cfg, cases[i].recipient),
			cases[i].want);
		assert_non_null(why);
		mail_release(&m);
		buf_release(&raw);
	}
	config_release(&cfg);
	buf_release(&errors);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* List mail is stored, a command answered, the rest left alone. */
static void test_deliver(void **state)
{
	static const char post[] = "From: Ada <ada@example.com>\n"
				   "To: kvm@vger.kernel.org\n"
				   "List-Id: <kvm.vger.kernel.org>\n"
				   "Message-ID: <post.1@example.com>\n"
				   "Subject: [PATCH] KVM: x86: fix it\n\n"
				   "body\n";
	static const char command[] = "From: Ada <ada@example.com>\n"
				      "To: bot@example.org\n"
				      "Message-ID: <cmd.1@example.com>\n"
				      "Subject: help\n\n";
	static const char stray[] = "From: Ada <ada@example.com>\n"
				    "To: someone@example.com\n"
				    "Subject: help\n\n";
	const char *fx = getenv("PATCHLETTER_FIXTURES");
	char dir[] = "/tmp/test_deliver.XXXXXX";
	struct config cfg = {0};
	struct buf errors = BUF_INIT, path = BUF_INIT;
	struct tpl_dir *templates = NULL;
	struct store *st = NULL;
	struct commands c;
	struct deliver d;
	struct deliver_result res;
	struct store_stats stats;
	int64_t id;

	(void)state;
	if (!fx)
		skip();
	assert_non_null(mkdtemp(dir));
	buf_addf(&path, "%s/store.db", dir);
	assert_int_equal(store_open(&st, path.data, STORE_CREATE), 0);
	buf_reset(&path);
	buf_addf(&path, "%s/../../templates", fx);
	assert_int_equal(tpl_dir_load(&templates, path.data, &errors), 0);
	assert_int_equal(config_load_buf(&cfg, "t.conf", conf, sizeof(conf) - 1,
					 &errors),
			 0);
	memset(&c, 0, sizeof(c));
	c.st = st;
	c.cfg = &cfg;
	c.templates = templates;
	d.st = st;
	d.cfg = &cfg;
	d.commands = &c;

	assert_int_equal(deliver_mail(&res, &d, post, sizeof(post) - 1, NULL,
				      "deliver", T0),
			 0);
	assert_int_equal(res.route, DELIVER_LIST);
	assert_int_equal(store_message_find(&id, st, "post.1@example.com"), 0);
	/* Twice is stored once. */
	assert_int_equal(deliver_mail(&res, &d, post, sizeof(post) - 1, NULL,
				      "deliver", T0),
			 0);

	assert_int_equal(deliver_mail(&res, &d, command, sizeof(command) - 1,
				      NULL, "deliver", T0),
			 0);
	assert_int_equal(res.route, DELIVER_COMMAND);
	assert_int_equal(res.cmd.verb, COMMAND_HELP);
	assert_int_equal(res.cmd.replies, 1);
	assert_int_equal(store_message_find(&id, st, "cmd.1@example.com"),
			 ERR_NOTFOUND);

	assert_int_equal(deliver_mail(&res, &d, stray, sizeof(stray) - 1, NULL,
				      "deliver", T0),
			 0);
	assert_int_equal(res.route, DELIVER_IGNORE);
	/* Not a mail: ignored, unless a list's address was its recipient,
	 * and then kept as unparsed, as ingest keeps everything. */
	assert_int_equal(deliver_mail(&res, &d, "\n\n", 2, NULL, "deliver", T0),
			 0);
	assert_int_equal(res.route, DELIVER_IGNORE);
	assert_int_equal(deliver_mail(&res, &d, "\n\n", 2,
				      "kvm@vger.kernel.org", "deliver", T0),
			 0);
	assert_int_equal(res.route, DELIVER_LIST);
	/* Commands not handled here: ignored. */
	d.commands = NULL;
	assert_int_equal(deliver_mail(&res, &d, command, sizeof(command) - 1,
				      NULL, "deliver", T0),
			 0);
	assert_int_equal(res.route, DELIVER_COMMAND);
	assert_int_equal(res.cmd.replies, 0);

	assert_int_equal(store_stats(&stats, st), 0);
	assert_int_equal(stats.messages, 1);
	assert_int_equal(stats.unparsed, 1);
	assert_int_equal(stats.outbox_queued, 1); /* the one help reply */

	store_close(st);
	tpl_dir_free(templates);
	config_release(&cfg);
	buf_release(&errors);
	buf_release(&path);
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route),
		cmocka_unit_test(test_deliver),
	};

	return cmocka_run_group_tests_name("deliver", tests, NULL, NULL);
}
