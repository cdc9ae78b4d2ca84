/*
 * test_message.c: the message as the later stages see it: kind, author,
 * date and title chosen from header and body, the JSON of `patchletter
 * show --json`, limits, and hostile mail through the whole parse (mail,
 * subject, patch).
 *
 * The kinds are decided by reading each mail as a list reader would
 * (message.c states the rules); the corpus is checked message by message
 * by tests/integration/t020-show.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>

#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "log.h"
#include "message.h"
#include "testdata.h"
#include "utf8.h"
#include "xalloc.h"

/* A small diff, git format-patch's shape. */
#define DIFF                                               \
	"---\n"                                            \
	" lib/foo.c | 2 +-\n"                              \
	" 1 file changed, 1 insertion(+), 1 deletion(-)\n" \
	"\n"                                               \
	"diff --git a/lib/foo.c b/lib/foo.c\n"             \
	"index 1111111..2222222 100644\n"                  \
	"--- a/lib/foo.c\n"                                \
	"+++ b/lib/foo.c\n"                                \
	"@@ -1,3 +1,3 @@\n"                                \
	" a\n"                                             \
	"-b\n"                                             \
	"+c\n"                                             \
	" d\n"                                             \
	"-- \n"                                            \
	"2.43.0\n"

/* git request-pull's text, as a pull request or a cover letter has it. */
#define PULL_TEXT                                                            \
	"The following changes since commit "                                \
	"1234567890abcdef1234567890abcdef12345678:\n"                        \
	"\n"                                                                 \
	"  Linux 7.0 (2026-04-12 12:00:00 -0700)\n"                          \
	"\n"                                                                 \
	"are available in the Git repository at:\n"                          \
	"\n"                                                                 \
	"  git://git.kernel.org/pub/scm/linux/kernel/git/a/b.git tags/x\n"   \
	"\n"                                                                 \
	"for you to fetch changes up to "                                    \
	"abcdef1234567890abcdef1234567890abcdef12:\n"                        \
	"\n"                                                                 \
	"  foo: fix (2026-04-13 12:00:00 -0700)\n"                           \
	"\n"                                                                 \
	"----------------------------------------------------------------\n" \
	"A U Thor (1):\n"                                                    \
	"      foo: fix\n"                                                   \
	"\n"                                                                 \
	" lib/foo.c | 2 +-\n"                                                \
	" 1 file changed, 1 insertion(+), 1 deletion(-)\n"

/* Build a mail: headers (each ending "\n"), a blank line, the body. */
static char *mail(const char *subject, const char *extra, const char *body)
{
	return xasprintf("From: A U Thor <a.u.thor@example.org>\n"
			 "Date: Fri, 20 Nov 2026 08:00:00 +0100\n"
			 "Message-ID: <m1@example.org>\n"
			 "Subject: %s\n"
			 "%s"
			 "\n"
			 "%s",
			 subject, extra, body);
}

struct kind_case {
	const char *why;
	const char *subject;
	const char *extra; /* more header lines */
	const char *body;
	enum message_kind kind;
};

#define IRT  "In-Reply-To: <parent@example.org>\n"
#define REFS "References: <root@example.org>\n"

static const struct kind_case kinds[] = {
	{"a cover letter", "[PATCH v2 0/3] foo: bar", "", "Three patches.\n",
	 MESSAGE_COVER},
	{"a cover letter that offers a git tree", "[PATCH 00/02] foo", "",
	 "Two patches, also in git.\n\n" PULL_TEXT, MESSAGE_COVER},
	{"a patch of a series", "[PATCH v2 1/3] foo: bar", IRT,
	 "Fix it.\n\nSigned-off-by: A <a@example.org>\n" DIFF, MESSAGE_PATCH},
	{"a lone patch", "[PATCH] foo: bar", "", "Fix it.\n" DIFF,
	 MESSAGE_PATCH},
	{"a patch whose diff was lost (an attachment we skip)",
	 "[PATCH 2/3] foo: bar", IRT, "Fix it.\n", MESSAGE_PATCH},
	{"a lone patch whose diff was lost, with its diffstat",
	 "[PATCH] foo: bar", "",
	 "Fix it.\n---\n lib/foo.c | 2 +-\n 1 file changed, 1 insertion(+), "
	 "1 deletion(-)\n",
	 MESSAGE_PATCH},
	{"a lone [PATCH] without a diff or diffstat (git's t5100 samples)",
	 "[PATCH] a patch", "", "Just text.\n", MESSAGE_OTHER},
	{"a diff without tags", "foo: bar", "", "Fix it.\n" DIFF,
	 MESSAGE_PATCH},
	{"a diff without tags, sent in a thread (patchwork's orphan)",
	 "This is an orphaned patch!", IRT, "Fix it.\n" DIFF, MESSAGE_PATCH},
	{"[PATCH] Re: foo: the Re: is the patch's title", "[PATCH] Re: foo", "",
	 "Fix it.\n" DIFF, MESSAGE_PATCH},
	{"a review with a \"something like this?\" diff",
	 "Re: [PATCH v2 1/3] foo: bar", IRT,
	 "> quoted\n\nSomething like this?\n\n" DIFF, MESSAGE_REPLY},
	{"an answer to a cover letter, with a diff",
	 "Re: [PATCH v2 0/4] foo: bar", IRT, "Try this:\n\n" DIFF,
	 MESSAGE_REPLY},
	{"an answer behind a list tag", "[Qemu-devel] Re: [PATCH] foo", IRT,
	 "Looks good.\n", MESSAGE_REPLY},
	{"a plain answer", "Re: [PATCH] foo", IRT,
	 "Reviewed-by: B <b@example.org>\n", MESSAGE_REPLY},
	{"an answer without Re: (b4's nore test)", "[PATCH] Simple test", IRT,
	 "Reviewed-by: B <b@example.org>\n", MESSAGE_REPLY},
	{"an answer that has only References", "Hello", REFS, "Hi.\n",
	 MESSAGE_REPLY},
	{"a pull request", "[GIT PULL] Kbuild fixes for 7.1", "", PULL_TEXT,
	 MESSAGE_PULL},
	{"a pull request with its diff (patchwork 0003)",
	 "[git pull] Please pull powerpc.git next branch", "",
	 PULL_TEXT "\n" DIFF, MESSAGE_PULL},
	{"qemu's pull request cover", "[PULL 00/28] Migration pull patches", "",
	 PULL_TEXT, MESSAGE_PULL},
	{"a patch of a qemu pull request", "[PULL 05/28] migration: fix", IRT,
	 "Fix.\n" DIFF, MESSAGE_PATCH},
	{"request-pull text without tags", "Please pull foo", "", PULL_TEXT,
	 MESSAGE_PULL},
	{"an answer to a pull request", "Re: [GIT PULL] Kbuild fixes", IRT,
	 "Pulled, thanks.\n", MESSAGE_REPLY},
	{"a forwarded patch", "Fwd: [PATCH] foo: bar", "",
	 "---------- Forwarded message ---------\nFrom: C <c@example.org>\n\n"
	 "Fix it.\n" DIFF,
	 MESSAGE_OTHER},
	{"a forwarded patch in a thread", "Fwd: [PATCH] foo: bar", IRT,
	 "See below.\n" DIFF, MESSAGE_REPLY},
	{"a question", "sparse problem with __iomem", "", "Why?\n",
	 MESSAGE_OTHER},
	{"an RFC discussion without a diff", "[RFC] a design for foo", "",
	 "What do you think?\n", MESSAGE_OTHER},
};

static void test_kinds(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		const struct kind_case *c = &kinds[k];
		char *raw = mail(c->subject, c->extra, c->body);
		struct message m = MESSAGE_INIT;

		assert_int_equal(message_parse(&m, raw, strlen(raw)), 0);
		if (m.kind != c->kind) {
			print_error("%s (\"%s\"): %s, expected %s\n", c->why,
				    c->subject, message_kind_name(m.kind),
				    message_kind_name(c->kind));
			fail();
		}
		message_release(&m);
		free(raw);
	}
}

static void test_kind_names(void **state)
{
	static const char *const names[] = {"other", "cover", "patch", "reply",
					    "pull"};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		enum message_kind k = message_kind_from_name(names[i]);

		assert_string_equal(message_kind_name(k), names[i]);
	}
	assert_int_equal(message_kind_from_name("frob"), MESSAGE_OTHER);
	assert_string_equal(message_kind_name((enum message_kind)99), "other");
}

/*
 * git am: an in-body From:, Date: and Subject: name the author, the
 * date and the title; the header's sender is kept as `from`, the tags
 * stay those of the mail's Subject.
 */
static void test_inbody_author(void **state)
{
	char *raw = mail("[PATCH v3 2/5] wrong: title", IRT,
			 "From: =?UTF-8?Q?Zo=C3=AB_=C3=85ngstr=C3=B6m?= "
			 "<zoe@example.org>\n"
			 "Date: Mon, 2 Nov 2026 10:00:00 +0000\n"
			 "Subject: [PATCH] sparse: the real title\n"
			 "\n"
			 "Fix it.\n"
			 "\n"
			 "Signed-off-by: Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m "
			 "<zoe@example.org>\n" DIFF);
	struct message m = MESSAGE_INIT;

	(void)state;
	assert_int_equal(message_parse(&m, raw, strlen(raw)), 0);
	assert_string_equal(m.author.name, "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m");
	assert_string_equal(m.author.address, "zoe@example.org");
	assert_string_equal(m.mail.from.name, "A U Thor");
	assert_string_equal(m.mail.from.address, "a.u.thor@example.org");
	/* 2026-11-02T10:00:00Z, not the header's 2026-11-20T07:00:00Z */
	assert_int_equal(m.date, 1793613600);
	assert_string_equal(m.tags.title, "sparse: the real title");
	assert_int_equal(m.tags.version, 3);
	assert_int_equal(m.tags.number, 2);
	assert_int_equal(m.tags.total, 5);
	assert_int_equal(m.kind, MESSAGE_PATCH);
	assert_int_equal(m.patch.nr_trailers, 1);
	message_release(&m);
	free(raw);
}

/* Without an in-body From the header names the author. */
static void test_header_author(void **state)
{
	char *raw = mail("[PATCH] foo: bar", "", "Fix it.\n" DIFF);
	struct message m = MESSAGE_INIT;

	(void)state;
	assert_int_equal(message_parse(&m, raw, strlen(raw)), 0);
	assert_string_equal(m.author.name, "A U Thor");
	assert_string_equal(m.author.address, "a.u.thor@example.org");
	/* Fri, 20 Nov 2026 08:00:00 +0100 */
	assert_int_equal(m.date, 1795158000);
	assert_string_equal(m.tags.title, "foo: bar");
	message_release(&m);
	free(raw);
}

/* The keys of `patchletter show --json`, in order; they are an interface. */
static void test_json(void **state)
{
	char *raw = mail("Re: [RFC PATCH net-next v2 3/7] tun: add",
			 "In-Reply-To: <p@x>\n"
			 "References: <r1@x> <p@x>\n"
			 "List-Id: Netdev <netdev.vger.kernel.org>\n",
			 "Fix \"it\".\n"
			 "\n"
			 "Reviewed-by: B <b@example.org>\n" DIFF);
	static const char expect[] =
		"{\"message_id\":\"m1@example.org\","
		"\"in_reply_to\":\"p@x\","
		"\"references\":[\"r1@x\",\"p@x\"],"
		"\"list_id\":\"netdev.vger.kernel.org\","
		"\"date\":\"2026-11-20T07:00:00Z\","
		"\"from\":{\"name\":\"A U Thor\","
		"\"address\":\"a.u.thor@example.org\"},"
		"\"author\":{\"name\":\"A U Thor\","
		"\"address\":\"a.u.thor@example.org\"},"
		"\"subject\":\"Re: [RFC PATCH net-next v2 3/7] tun: add\","
		"\"title\":\"tun: add\","
		"\"tags\":{\"prefixes\":[\"RFC\",\"net-next\"],\"version\":2,"
		"\"number\":3,\"total\":7,\"rfc\":true,\"resend\":false,"
		"\"reply\":true,\"pull\":false},"
		"\"kind\":\"reply\","
		"\"trailers\":[{\"name\":\"Reviewed-by\","
		"\"value\":\"B <b@example.org>\"}],"
		"\"files\":[\"lib/foo.c\"],"
		"\"diffstat\":{\"files\":1,\"insertions\":1,\"deletions\":1}}";
	struct message m = MESSAGE_INIT;
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(message_parse(&m, raw, strlen(raw)), 0);
	message_to_json(&out, &m);
	assert_string_equal(out.data, expect);
	buf_release(&out);
	message_release(&m);
	free(raw);
}

/* Unknown values are null: no date, no counter, no In-Reply-To. */
static void test_json_nulls(void **state)
{
	static const char raw[] = "Subject: hello\n\nhi\n";
	struct message m = MESSAGE_INIT;
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(message_parse(&m, raw, sizeof(raw) - 1), 0);
	message_to_json(&out, &m);
	assert_non_null(strstr(out.data, "\"message_id\":\"\","));
	assert_non_null(strstr(out.data, "\"in_reply_to\":null,"));
	assert_non_null(strstr(out.data, "\"list_id\":null,"));
	assert_non_null(strstr(out.data, "\"date\":null,"));
	assert_non_null(strstr(out.data, "\"number\":null,\"total\":null,"));
	assert_non_null(strstr(out.data, "\"from\":{\"name\":\"\","
					 "\"address\":\"\"}"));
	assert_non_null(strstr(out.data, "\"kind\":\"other\""));
	buf_release(&out);
	message_release(&m);
}

/* Not a mail: ERR_PERM, and out is left released. */
static void test_not_a_mail(void **state)
{
	static const char raw[] = "just some words\nand more\n";
	struct message m = MESSAGE_INIT;

	(void)state;
	assert_int_equal(message_parse(&m, raw, sizeof(raw) - 1), ERR_PERM);
	assert_null(m.mail.body);
	assert_null(m.tags.title);
	assert_null(m.author.address);
	message_release(&m); /* harmless */
}

/*
 * A bounds.h limit in any stage is ERR_LIMIT (the caller stores the mail
 * unparsed), and out is released for reuse.
 */
static void test_limits(void **state)
{
	struct buf b = BUF_INIT;
	struct message m = MESSAGE_INIT;
	int i;

	(void)state;
	/* Header fields. */
	buf_adds(&b, "Subject: [PATCH] many\n");
	for (i = 0; i <= MAIL_MAX_HEADERS; i++)
		buf_addf(&b, "X-Junk-%d: y\n", i);
	buf_adds(&b, "\nbody\n");
	assert_int_equal(message_parse(&m, b.data, b.len), ERR_LIMIT);
	assert_null(m.mail.body);

	/* MIME depth. */
	buf_reset(&b);
	buf_adds(&b, "Subject: deep\nMIME-Version: 1.0\n");
	for (i = 0; i <= MAIL_MAX_MIME_DEPTH + 1; i++)
		buf_addf(&b,
			 "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n"
			 "--b%d\n",
			 i, i);
	buf_adds(&b, "Content-Type: text/plain\n\ntext\n");
	assert_int_equal(message_parse(&m, b.data, b.len), ERR_LIMIT);

	/* Subject tags: too many prefixes. */
	buf_reset(&b);
	buf_adds(&b, "Subject: [PATCH");
	for (i = 0; i < SUBJECT_MAX_PREFIXES + 2; i++)
		buf_addf(&b, " p%d", i);
	buf_adds(&b, "] title\n\nbody\n");
	assert_int_equal(message_parse(&m, b.data, b.len), ERR_LIMIT);
	assert_null(m.tags.title);

	/* Patch anatomy: too many trailers. */
	buf_reset(&b);
	buf_adds(&b, "Subject: [PATCH] t\n\nFix.\n\n");
	for (i = 0; i <= PATCH_MAX_TRAILERS; i++)
		buf_addf(&b, "Acked-by: P%d <p%d@example.org>\n", i, i);
	buf_adds(&b, DIFF);
	assert_int_equal(message_parse(&m, b.data, b.len), ERR_LIMIT);
	assert_int_equal(m.patch.nr_trailers, 0);

	/* And the struct is reusable after a failure. */
	buf_reset(&b);
	buf_adds(&b, "Subject: [PATCH] ok\n\nFix.\n" DIFF);
	assert_int_equal(message_parse(&m, b.data, b.len), 0);
	assert_int_equal(m.kind, MESSAGE_PATCH);
	message_release(&m);
	buf_release(&b);
}

/* mail.h's promises hold for a parsed message: text is valid UTF-8. */
static void check_message(const struct message *m)
{
	size_t i;

	assert_true(utf8_valid(m->mail.body, m->mail.body_len));
	assert_int_equal(strlen(m->mail.body), m->mail.body_len);
	assert_true(utf8_valid(m->mail.subject, strlen(m->mail.subject)));
	assert_true(utf8_valid(m->tags.title, strlen(m->tags.title)));
	assert_true(utf8_valid(m->author.name, strlen(m->author.name)));
	for (i = 0; i < m->patch.nr_trailers; i++)
		assert_true(utf8_valid(m->patch.trailers[i].value,
				       strlen(m->patch.trailers[i].value)));
	for (i = 0; i < m->patch.nr_paths; i++)
		assert_true(utf8_valid(m->patch.paths[i],
				       strlen(m->patch.paths[i])));
}

/*
 * Parse every file below dir (recursively) as one mail, whole and cut
 * at eighths (a mail cut anywhere is still parsed without harm), and
 * print its JSON. Returns the files read.
 */
static size_t parse_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char *path;
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			n += parse_tree(path);
		} else if (S_ISREG(st.st_mode)) {
			struct buf raw = BUF_INIT, json = BUF_INIT;
			int k;

			assert_true(testdata_read(&raw, path));
			for (k = 8; k >= 1; k--) {
				struct message m = MESSAGE_INIT;
				int r = message_parse(&m, raw.data,
						      raw.len * (size_t)k / 8);

				if (r == 0) {
					check_message(&m);
					buf_reset(&json);
					message_to_json(&json, &m);
					assert_true(utf8_valid(json.data,
							       json.len));
				}
				message_release(&m);
			}
			buf_release(&json);
			buf_release(&raw);
			n++;
		}
		free(path);
	}
	closedir(d);
	return n;
}

/*
 * The corpus' malformed mails through the whole parse: patchwork's fuzz
 * set (bad base64, unknown encodings, huge names and ids, odd dates) and
 * notmuch's corpora (broken MIME, loops, crypto, HTML). No crash, leak or
 * sanitizer report (make asan runs this too).
 */
static void test_corpus_hostile(void **state)
{
	char *fuzz = testdata_corpus("patchwork/fuzz"), *notmuch;

	(void)state;
	if (!fuzz)
		skip();
	notmuch = testdata_corpus("notmuch");
	assert_int_equal(parse_tree(fuzz), 17);
	assert_true(parse_tree(notmuch) >= 300);
	free(fuzz);
	free(notmuch);
}

/* The project's own fixture mails, same checks. */
static void test_fixtures_hostile(void **state)
{
	char *dir = testdata_fixture("mail");

	(void)state;
	assert_true(parse_tree(dir) >= 15);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_inbody_author),
		cmocka_unit_test(test_header_author),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_nulls),
		cmocka_unit_test(test_not_a_mail),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_corpus_hostile),
		cmocka_unit_test(test_fixtures_hostile),
	};

	log_init("test_message", true, LOG_LEVEL_QUIET);
	return cmocka_run_group_tests_name("message", tests, NULL, NULL);
}
