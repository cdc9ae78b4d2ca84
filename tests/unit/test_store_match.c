/*
 * test_store_match.c: matches, their reporting in digests, and the
 * subscriber and rule-file lookups digests need.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "store.h"

struct fixture {
	char dir[64];
	char path[96];
	struct store *st;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/test_store_match.XXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
	if (store_open(&f->st, f->path, STORE_CREATE))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static int64_t add_series(struct store *st, const char *title, int64_t when)
{
	struct store_series s = STORE_SERIES_INIT;
	int64_t id = 0;

	s.title = (char *)title;
	s.version = 1;
	s.author.name = (char *)"A U Thor";
	s.author.address = (char *)"author@example.org";
	s.kind = MESSAGE_PATCH;
	s.total = 1;
	s.target = (char *)"";
	s.first_date = s.last_date = s.created = s.updated = when;
	assert_int_equal(store_series_add(&id, st, &s), 0);
	return id;
}

static void test_matches_reported_once(void **state)
{
	struct fixture *f = *state;
	struct store_match *m;
	int64_t sub, s1, s2;
	size_t nr;

	assert_int_equal(store_subscriber_add(&sub, f->st, "alice@example.org",
					      SUBSCRIBER_ACTIVE, 100),
			 0);
	s1 = add_series(f->st, "one", 100);
	s2 = add_series(f->st, "two", 100);
	assert_int_equal(store_match_add(f->st, sub, s1, "svm", 200), 0);
	assert_int_equal(store_match_add(f->st, sub, s2, "people", 300), 0);
	/* Matching again changes nothing. */
	assert_int_equal(store_match_add(f->st, sub, s1, "svm", 400), 0);

	assert_int_equal(store_matches_unreported(&m, &nr, f->st, sub), 0);
	assert_int_equal(nr, 2);
	assert_int_equal(m[0].series, s1);
	assert_string_equal(m[0].rule, "svm");
	assert_int_equal(m[0].matched_at, 200);
	assert_int_equal(m[1].series, s2);
	store_matches_free(m, nr);

	/* Matches are marked with the digest that reports them: an outbox
	 * row that does not exist is refused (a foreign key). */
	assert_int_equal(store_matches_mark_reported(f->st, sub, 0 + 1, 250),
			 ERR_PERM); /* no outbox row 1: the foreign key */
}

static void test_digest_marks_and_activity(void **state)
{
	struct fixture *f = *state;
	struct store_outbox o = STORE_OUTBOX_INIT;
	struct store_series s = STORE_SERIES_INIT;
	struct store_match *m;
	int64_t sub, s1, s2, ob;
	size_t nr;

	assert_int_equal(store_subscriber_add(&sub, f->st, "bob@example.org",
					      SUBSCRIBER_ACTIVE, 100),
			 0);
	s1 = add_series(f->st, "one", 100);
	s2 = add_series(f->st, "two", 100);
	assert_int_equal(store_match_add(f->st, sub, s1, "svm", 200), 0);
	assert_int_equal(store_match_add(f->st, sub, s2, "svm", 300), 0);
	o.subscriber = sub;
	o.kind = OUTBOX_DIGEST;
	o.message_id = (char *)"digest-1@example.org";
	o.envelope_from = (char *)"bot@example.org";
	o.recipient = (char *)"bob@example.org";
	o.mail = (char *)"Subject: x\n\nx\n";
	o.mail_len = strlen(o.mail);
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_outbox_enqueue(&ob, f->st, &o, 250), 0);
	assert_int_equal(store_matches_mark_reported(f->st, sub, ob, 250), 0);
	assert_int_equal(store_subscriber_set_last_digest(f->st, sub, 250), 0);
	assert_int_equal(store_commit(f->st), 0);

	assert_int_equal(store_matches_unreported(&m, &nr, f->st, sub), 0);
	assert_int_equal(nr, 1);
	assert_int_equal(m[0].series, s2);
	store_matches_free(m, nr);

	/* Nothing reported changed since 250... */
	assert_int_equal(store_matches_active_since(&m, &nr, f->st, sub, 250),
			 0);
	assert_int_equal(nr, 0);
	store_matches_free(m, nr);
	/* ...until series one gains a reply at 500. */
	assert_int_equal(store_series_load(&s, f->st, s1), 0);
	s.replies = 1;
	s.updated = 500;
	assert_int_equal(store_series_update(f->st, &s), 0);
	store_series_release(&s);
	assert_int_equal(store_matches_active_since(&m, &nr, f->st, sub, 250),
			 0);
	assert_int_equal(nr, 1);
	assert_int_equal(m[0].series, s1);
	store_matches_free(m, nr);
}

static void test_subscriber_lookups(void **state)
{
	struct fixture *f = *state;
	struct store_subscriber sub = STORE_SUBSCRIBER_INIT;
	struct store_rulefile rf = STORE_RULEFILE_INIT, got = STORE_RULEFILE_INIT;
	struct store_ids ids = STORE_IDS_INIT;
	int64_t a, b, r1, r2;

	assert_int_equal(store_subscriber_add(&a, f->st, "a@example.org",
					      SUBSCRIBER_ACTIVE, 1),
			 0);
	assert_int_equal(store_subscriber_add(&b, f->st, "b@example.org",
					      SUBSCRIBER_PAUSED, 2),
			 0);
	assert_int_equal(store_subscribers_all(&ids, f->st), 0);
	assert_int_equal(ids.nr, 2);
	assert_int_equal(ids.v[0], a);
	assert_int_equal(ids.v[1], b);
	store_ids_release(&ids);

	assert_int_equal(store_subscriber_load(&sub, f->st, b), 0);
	assert_string_equal(sub.address, "b@example.org");
	assert_int_equal(sub.status, SUBSCRIBER_PAUSED);
	assert_int_equal(sub.last_digest_at, 0);
	assert_int_equal(store_subscriber_set_last_digest(f->st, b, 77), 0);
	assert_int_equal(store_subscriber_load(&sub, f->st, b), 0);
	assert_int_equal(sub.last_digest_at, 77);
	assert_int_equal(store_subscriber_load(&sub, f->st, 999), ERR_NOTFOUND);
	/* Tokens: none at first, then found by. */
	assert_int_equal(store_subscriber_load(&sub, f->st, a), 0);
	assert_null(sub.token);
	assert_int_equal(store_subscriber_set_token(f->st, a, "tok-a_0123456789abcde"),
			 0);
	assert_int_equal(store_subscriber_by_token(&sub, f->st,
						   "tok-a_0123456789abcde"),
			 0);
	assert_int_equal(sub.id, a);
	assert_string_equal(sub.token, "tok-a_0123456789abcde");
	assert_int_equal(store_subscriber_by_token(&sub, f->st, "nope"),
			 ERR_NOTFOUND);
	store_subscriber_release(&sub);

	assert_int_equal(store_rulefile_active(&got, f->st, a), ERR_NOTFOUND);
	rf.subscriber = a;
	rf.text = (char *)"rule x {}\n";
	rf.text_len = strlen(rf.text);
	rf.created = 10;
	rf.state = RULEFILE_ACTIVE;
	assert_int_equal(store_rulefile_add(&r1, f->st, &rf), 0);
	rf.text = (char *)"rule y {}\n";
	rf.text_len = strlen(rf.text);
	rf.state = RULEFILE_PROPOSED;
	assert_int_equal(store_rulefile_add(&r2, f->st, &rf), 0);
	/* The proposal is not in force until it is confirmed. */
	assert_int_equal(store_rulefile_active(&got, f->st, a), 0);
	assert_int_equal(got.id, r1);
	assert_string_equal(got.text, "rule x {}\n");
	assert_int_equal(store_rulefile_activate(f->st, r2), 0);
	assert_int_equal(store_rulefile_active(&got, f->st, a), 0);
	assert_int_equal(got.id, r2);
	store_rulefile_release(&got);
}

/*
 * Cursors by name prefix (an archive's epochs), and where each archive
 * stood at a subscriber's last digest.
 */
static void test_cursors_and_digest_tips(void **state)
{
	struct fixture *f = *state;
	struct store_cursor *c = NULL;
	struct buf tip = BUF_INIT;
	size_t n = 0;
	int64_t a, b;

	/* Around the prefix, on both sides, and one a byte past it. */
	assert_int_equal(store_cursor_set(f->st, "archive", "x"), 0);
	assert_int_equal(store_cursor_set(f->st, "archive:kvm/git/1.git", "b1"),
			 0);
	assert_int_equal(store_cursor_set(f->st, "archive:kvm/git/0.git", "b0"),
			 0);
	assert_int_equal(store_cursor_set(f->st, "archive:kvm", "v1"), 0);
	assert_int_equal(store_cursor_set(f->st, "archive;", "y"), 0);
	assert_int_equal(store_cursor_set(f->st, "imap:kvm/INBOX", "1:2"), 0);
	assert_int_equal(store_cursors_prefixed(&c, &n, f->st, "archive:"), 0);
	assert_int_equal(n, 3);
	/* By name, bytewise. */
	assert_string_equal(c[0].source, "archive:kvm");
	assert_string_equal(c[0].value, "v1");
	assert_string_equal(c[1].source, "archive:kvm/git/0.git");
	assert_string_equal(c[1].value, "b0");
	assert_string_equal(c[2].source, "archive:kvm/git/1.git");
	assert_string_equal(c[2].value, "b1");
	store_cursors_free(c, n);
	assert_int_equal(store_cursors_prefixed(&c, &n, f->st, "maildir:"), 0);
	assert_int_equal(n, 0);
	assert_null(c);

	assert_int_equal(store_subscriber_add(&a, f->st, "a@example.org",
					      SUBSCRIBER_ACTIVE, 1),
			 0);
	assert_int_equal(store_subscriber_add(&b, f->st, "b@example.org",
					      SUBSCRIBER_ACTIVE, 1),
			 0);
	assert_int_equal(store_digest_tip_get(&tip, f->st, a, "archive:kvm"),
			 ERR_NOTFOUND);
	assert_int_equal(store_digest_tip_set(f->st, a, "archive:kvm", "t1"),
			 0);
	assert_int_equal(store_digest_tip_set(f->st, b, "archive:kvm", "u1"),
			 0);
	/* Replaced, per subscriber and archive. */
	assert_int_equal(store_digest_tip_set(f->st, a, "archive:kvm", "t2"),
			 0);
	assert_int_equal(store_digest_tip_get(&tip, f->st, a, "archive:kvm"),
			 0);
	assert_string_equal(tip.data, "t2");
	buf_reset(&tip);
	assert_int_equal(store_digest_tip_get(&tip, f->st, b, "archive:kvm"),
			 0);
	assert_string_equal(tip.data, "u1");
	buf_reset(&tip);
	assert_int_equal(store_digest_tip_get(&tip, f->st, a, "archive:net"),
			 ERR_NOTFOUND);
	/* Gone with the subscriber. */
	assert_int_equal(store_subscriber_delete(f->st, a), 0);
	assert_int_equal(store_digest_tip_get(&tip, f->st, a, "archive:kvm"),
			 ERR_NOTFOUND);
	assert_int_equal(store_check_integrity(f->st), 0);
	buf_release(&tip);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_matches_reported_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_marks_and_activity,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_subscriber_lookups, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cursors_and_digest_tips,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("store_match", tests, NULL, NULL);
}
