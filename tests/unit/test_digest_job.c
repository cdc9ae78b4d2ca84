/*
 * test_digest_job.c: what a digest says it covers. Mail comes in as the
 * daemon's sources hand it over (ingest_add() with the source's name, the
 * cursor moved in the same commit), a subscriber's daily digest is made
 * with the shipped templates, and its header is read back from the
 * outbox: the archive commits covered when the series came from one
 * archive (as the list updates in ../shared/reference say "from d8f1927f
 * to b1b22b99"), the time window otherwise.
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
#include <time.h>

#include <cmocka.h>

#include "buf.h"
#include "config.h"
#include "digest_job.h"
#include "err.h"
#include "ingest.h"
#include "store.h"
#include "subscriptions.h"
#include "template_dir.h"
#include "testdata.h"
#include "xalloc.h"

#define T0  1796108400 /* 2026-12-01 07:00:00 UTC: a digest is due */
#define DAY 86400

/* Commit ids as an archive's cursors hold them (40 hex digits). */
#define TIP_A "aaaaaaaa11111111111111111111111111111111"
#define TIP_B "bbbbbbbb22222222222222222222222222222222"
#define TIP_C "cccccccc33333333333333333333333333333333"

struct fixture {
	char dir[64];
	char *db;
	struct store *st;
	struct config cfg;
	struct tpl_dir *templates;
	unsigned seq; /* patches posted */
};

static int setup(void **state)
{
	const char *fx = getenv("PATCHLETTER_FIXTURES");
	struct fixture *f;
	struct buf conf = BUF_INIT, errors = BUF_INIT, path = BUF_INIT;
	int64_t sub, rf_id;
	struct store_rulefile rf = STORE_RULEFILE_INIT;

	if (!fx) {
		print_message("PATCHLETTER_FIXTURES is not set "
			      "(tests/unit/run.sh sets it)\n");
		return -1;
	}
	f = xcalloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_digest_job.XXXXXX");
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
		 "}\n",
		 f->dir);
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
	/* Subscribed two days before the first digest, plain text. */
	if (store_subscriber_add(&sub, f->st, "ada@example.com",
				 SUBSCRIBER_ACTIVE, T0 - 2 * DAY))
		return -1;
	rf.subscriber = sub;
	rf.text = (char *)"digest {\n"
			  "\tfrequency = daily\n"
			  "\ttime = \"07:00\"\n"
			  "\tformat = text\n"
			  "}\n"
			  "rule \"svm\" {\n"
			  "\tpaths = { \"arch/x86/kvm/svm/\" }\n"
			  "}\n";
	rf.text_len = strlen(rf.text);
	rf.created = T0 - 2 * DAY;
	rf.state = RULEFILE_ACTIVE;
	if (store_rulefile_add(&rf_id, f->st, &rf))
		return -1;
	buf_release(&conf);
	buf_release(&errors);
	buf_release(&path);
	*state = f;
	return 0;
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

/*
 * Post one patch touching arch/x86/kvm/svm/ at when, as source hands it
 * over, and move cursor (may be NULL) to value in the same commit.
 */
static void post(struct fixture *f, int64_t when, const char *source,
		 const char *cursor, const char *value)
{
	struct buf mail = BUF_INIT;
	struct ingest ing;
	char date[64];
	time_t t = (time_t)when;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	f->seq++;
	buf_addf(&mail,
		 "From: Ada Lovelace <ada@amd.com>\n"
		 "To: kvm@vger.kernel.org\n"
		 "List-Id: <kvm.vger.kernel.org>\n"
		 "Subject: [PATCH] KVM: SVM: fix number %u\n"
		 "Date: %s\n"
		 "Message-ID: <svm-%u@amd.com>\n"
		 "\n"
		 "Fix number %u.\n"
		 "\n"
		 "Signed-off-by: Ada Lovelace <ada@amd.com>\n"
		 "---\n"
		 " arch/x86/kvm/svm/svm.c | 2 +-\n"
		 " 1 file changed, 1 insertion(+), 1 deletion(-)\n"
		 "\n"
		 "diff --git a/arch/x86/kvm/svm/svm.c "
		 "b/arch/x86/kvm/svm/svm.c\n"
		 "--- a/arch/x86/kvm/svm/svm.c\n"
		 "+++ b/arch/x86/kvm/svm/svm.c\n"
		 "@@ -1,1 +1,1 @@\n"
		 "-int fix = %u;\n"
		 "+int fix = %u;\n",
		 f->seq, date, f->seq, f->seq, f->seq - 1, f->seq);
	ingest_init(&ing, f->st);
	assert_int_equal(ingest_add(&ing, mail.data, mail.len, source), 0);
	assert_int_equal(ingest_commit(&ing, cursor, value), 0);
	assert_int_equal(ing.stats.stored, 1);
	buf_release(&mail);
}

/* Run the digest timer at now; the digest it queued, as it goes out. */
static char *digest_at(struct fixture *f, int64_t now)
{
	struct subscriptions subs = SUBSCRIPTIONS_INIT;
	struct digest_job j = {f->st, &f->cfg, f->templates, &subs, false};
	struct store_outbox o = STORE_OUTBOX_INIT;
	size_t matched, queued;
	char *mail;

	assert_int_equal(subscriptions_load(&subs, f->st, &f->cfg, NULL), 0);
	assert_int_equal(digest_job_tick(&matched, &queued, &j, now), 0);
	assert_int_equal(queued, 1);
	subscriptions_release(&subs);
	/* One mail queued, and it is sent as far as this test goes. */
	assert_int_equal(store_outbox_next_due(&o, f->st, now), 0);
	mail = xasprintf("%.*s", (int)o.mail_len, o.mail);
	assert_int_equal(store_outbox_mark_sent(f->st, o.id, now), 0);
	assert_int_equal(store_outbox_next_due(&o, f->st, now), ERR_NOTFOUND);
	store_outbox_release(&o);
	return mail;
}

static void assert_has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" is not in:\n%s", needle, hay);
}

/*
 * A v2 inbox: the first digest covers the archive up to its tip (no
 * earlier digest to start from), the next from that tip to the tip of
 * the epoch opened since.
 */
static void test_archive_range(void **state)
{
	struct fixture *f = *state;
	char *d;

	post(f, T0 - DAY, "archive:kvm/git/0.git", "archive:kvm/git/0.git",
	     TIP_A);
	d = digest_at(f, T0);
	assert_has(d, "\r\nkvm update up to aaaaaaaa\r\n"
		      "(2026-11-29 07:00 to 2026-12-01 07:00 UTC; your rules: "
		      "svm)\r\n");
	assert_has(d, "[PATCH] KVM: SVM: fix number 1");
	free(d);

	post(f, T0 + DAY / 2, "archive:kvm/git/0.git", "archive:kvm/git/0.git",
	     TIP_B);
	post(f, T0 + DAY / 2, "archive:kvm/git/1.git", "archive:kvm/git/1.git",
	     TIP_C);
	d = digest_at(f, T0 + DAY);
	/* Eight hex digits, as the reference digests print them; the tip
	 * is the newest epoch's. */
	assert_has(d, "\r\nkvm update from aaaaaaaa to cccccccc\r\n"
		      "(2026-12-01 07:00 to 2026-12-02 07:00 UTC;");
	assert_has(d, "fix number 2");
	assert_has(d, "fix number 3");
	free(d);
}

/* A single repository (v1, or one epoch cloned by itself). */
static void test_single_repository(void **state)
{
	struct fixture *f = *state;
	char *d;

	post(f, T0 - DAY, "archive:kvm", "archive:kvm", TIP_A);
	d = digest_at(f, T0);
	assert_has(d, "\r\nkvm update up to aaaaaaaa\r\n");
	free(d);
	post(f, T0 + DAY / 2, "archive:kvm", "archive:kvm", TIP_B);
	d = digest_at(f, T0 + DAY);
	assert_has(d, "\r\nkvm update from aaaaaaaa to bbbbbbbb\r\n");
	free(d);
}

/*
 * Mail from IMAP, or from two archives, or from an archive and IMAP: no
 * one range says what the digest covers; the window does.
 */
static void test_window(void **state)
{
	struct fixture *f = *state;
	char *d;

	post(f, T0 - DAY, "imap:kvm/INBOX", "imap:kvm/INBOX", "1:1");
	/* An archive elsewhere in the store is not this digest's. */
	assert_int_equal(
		store_cursor_set(f->st, "archive:net/git/0.git", TIP_A), 0);
	d = digest_at(f, T0);
	assert_has(d, "\r\nkvm update\r\n(2026-11-29 07:00 to 2026-12-01 "
		      "07:00 UTC; your rules: svm)\r\n");
	free(d);

	post(f, T0 + DAY / 2, "archive:kvm/git/0.git", "archive:kvm/git/0.git",
	     TIP_B);
	post(f, T0 + DAY / 2, "archive:net/git/0.git", "archive:net/git/0.git",
	     TIP_C);
	d = digest_at(f, T0 + DAY);
	assert_has(d, "\r\nkvm update\r\n(2026-12-01 07:00 to 2026-12-02 "
		      "07:00 UTC;");
	free(d);

	post(f, T0 + DAY + DAY / 2, "archive:kvm/git/0.git",
	     "archive:kvm/git/0.git", TIP_C);
	post(f, T0 + DAY + DAY / 2, "imap:kvm/INBOX", "imap:kvm/INBOX", "1:2");
	d = digest_at(f, T0 + 2 * DAY);
	assert_has(d, "\r\nkvm update\r\n(2026-12-02 07:00 to 2026-12-03 "
		      "07:00 UTC;");
	free(d);
}

/* An empty period still records the tips: the next range starts there. */
static void test_range_after_quiet_day(void **state)
{
	struct fixture *f = *state;
	struct subscriptions subs = SUBSCRIPTIONS_INIT;
	struct digest_job j = {f->st, &f->cfg, f->templates, &subs, false};
	size_t matched, queued;
	char *d;

	post(f, T0 - 10 * DAY, "archive:kvm/git/0.git", "archive:kvm/git/0.git",
	     TIP_A);
	/* Too old for the first digest (a week before the subscription is
	 * not news), so nothing is queued at T0; the tip is noted. */
	assert_int_equal(subscriptions_load(&subs, f->st, &f->cfg, NULL), 0);
	assert_int_equal(digest_job_tick(&matched, &queued, &j, T0 + 8 * DAY),
			 0);
	assert_int_equal(queued, 0);
	subscriptions_release(&subs);
	post(f, T0 + 8 * DAY + DAY / 2, "archive:kvm/git/0.git",
	     "archive:kvm/git/0.git", TIP_B);
	d = digest_at(f, T0 + 9 * DAY);
	assert_has(d, "\r\nkvm update from aaaaaaaa to bbbbbbbb\r\n");
	assert_null(strstr(d, "fix number 1"));
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_archive_range, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_single_repository, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_range_after_quiet_day,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("digest_job", tests, NULL, NULL);
}
