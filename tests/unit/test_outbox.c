/*
 * test_outbox.c: the outbox's delivery rules (outbox.h) on a real store,
 * with the mailer replaced by a script: this file defines mailer_send()
 * and mailer_disconnect(), which the test links instead of mailer.c.
 * What a real server does to them is tests/integration's business.
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

#include "bounds.h"
#include "err.h"
#include "mailer.h"
#include "outbox.h"
#include "store.h"
#include "xalloc.h"

/* --- the scripted mailer -------------------------------------------------- */

enum answer {
	ACCEPT = 0,
	REFUSE, /* 550 to RCPT TO */
	DEFER,	/* 451 after the data */
	DOWN,	/* no connection */
};

#define MAX_CALLS 64

struct script {
	const char *rcpt[8]; /* recipients with an answer ... */
	enum answer answer[8];
	enum answer others; /* ... and everybody else's */
	/* What was asked: */
	char *calls[MAX_CALLS];
	size_t ncalls;
	unsigned disconnects;
	volatile sig_atomic_t *stop_after_first; /* set once a mail went */
};

static struct script *script;

int mailer_send(struct mailer_result *out, struct mailer *m, const char *from,
		const char *rcpt, const char *mail, size_t len)
{
	enum answer a = script->others;
	size_t i;

	(void)m;
	(void)len;
	assert_string_equal(from, "bot@example.org");
	assert_non_null(strstr(mail, "Subject: "));
	assert_true(script->ncalls < MAX_CALLS);
	script->calls[script->ncalls++] = xstrdup(rcpt);
	for (i = 0; i < ARRAY_SIZE(script->rcpt) && script->rcpt[i]; i++)
		if (!strcmp(script->rcpt[i], rcpt))
			a = script->answer[i];
	if (script->stop_after_first)
		*script->stop_after_first = 1;
	memset(out, 0, sizeof(*out));
	switch (a) {
	case ACCEPT:
		out->code = 250;
		return 0;
	case REFUSE:
		out->code = 550;
		snprintf(out->error, sizeof(out->error),
			 "RCPT TO: 550 5.1.1 <%s>: User unknown", rcpt);
		return ERR_PERM;
	case DEFER:
		out->code = 451;
		snprintf(out->error, sizeof(out->error),
			 "end of data: 451 4.3.0 try again later");
		return ERR_TEMP;
	case DOWN:
		out->connection = true;
		snprintf(out->error, sizeof(out->error),
			 "connect: Couldn't connect to server");
		return ERR_TEMP;
	}
	return ERR_FAIL;
}

void mailer_disconnect(struct mailer *m)
{
	(void)m;
	script->disconnects++;
}

/* --- fixture ------------------------------------------------------------- */

struct fixture {
	char dir[64];
	char *db;
	struct store *store;
	struct script script;
	struct outbox_sender sender;
	struct store_outbox row; /* row()'s */
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/test_outbox.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->db = xasprintf("%s/store.db", f->dir);
	assert_int_equal(store_open(&f->store, f->db, STORE_CREATE), 0);
	script = &f->script;
	/* 4 days, the default limits.outbox-expiry */
	outbox_sender_init(&f->sender, f->store, NULL, 4 * 86400);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd;
	size_t i;

	store_outbox_release(&f->row);
	store_close(f->store);
	for (i = 0; i < f->script.ncalls; i++)
		free(f->script.calls[i]);
	cmd = xasprintf("rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f->db);
	free(f);
	return 0;
}

/* Queue a mail to rcpt at time now. */
static int64_t queue(struct fixture *f, const char *rcpt, int64_t now)
{
	struct store_outbox o = STORE_OUTBOX_INIT;
	char *mid =
		xasprintf("digest.%s.%lld@example.org", rcpt, (long long)now);
	char *mail =
		xasprintf("Message-ID: <%s>\r\nSubject: d\r\n\r\nx\r\n", mid);
	int64_t id;

	o.kind = OUTBOX_DIGEST;
	o.message_id = mid;
	o.envelope_from = (char *)"bot@example.org";
	o.recipient = (char *)rcpt;
	o.mail = mail;
	o.mail_len = strlen(mail);
	assert_int_equal(store_outbox_enqueue(&id, f->store, &o, now), 0);
	free(mid);
	free(mail);
	return id;
}

/*
 * The row of mail id, found by listing its status (the store has no
 * lookup by id); borrowed from f until the next call.
 */
static struct store_outbox *row(struct fixture *f, int64_t id,
				enum store_outbox_status status)
{
	struct store_outbox *v;
	size_t nr, i;

	store_outbox_release(&f->row);
	assert_int_equal(
		store_outbox_list(&v, &nr, f->store, status, false, 1000), 0);
	for (i = 0; i < nr; i++) {
		if (v[i].id != id)
			continue;
		f->row = v[i];
		v[i] = (struct store_outbox)STORE_OUTBOX_INIT;
		store_outboxes_free(v, nr);
		return &f->row;
	}
	store_outboxes_free(v, nr);
	fail_msg("mail %lld is not %d", (long long)id, (int)status);
	return NULL;
}

static void stats(struct fixture *f, int64_t queued, int64_t sent,
		  int64_t failed)
{
	struct store_stats st;

	assert_int_equal(store_stats(&st, f->store), 0);
	assert_int_equal(st.outbox_queued, queued);
	assert_int_equal(st.outbox_sent, sent);
	assert_int_equal(st.outbox_failed, failed);
}

/* --- tests -------------------------------------------------------------- */

static void test_all_sent(void **state)
{
	struct fixture *f = *state;
	struct outbox_report r;
	int64_t when;

	queue(f, "a@example.org", 100);
	queue(f, "b@example.org", 101);
	queue(f, "c@example.org", 102);
	assert_int_equal(outbox_send_due(&r, &f->sender, 200), 0);
	assert_int_equal(r.sent, 3);
	assert_int_equal(r.deferred + r.failed, 0);
	assert_false(r.held);
	/* oldest due first, each once, one connection closed at the end */
	assert_int_equal(f->script.ncalls, 3);
	assert_string_equal(f->script.calls[0], "a@example.org");
	assert_string_equal(f->script.calls[2], "c@example.org");
	assert_int_equal(f->script.disconnects, 1);
	stats(f, 0, 3, 0);
	assert_int_equal(outbox_next_due(&when, &f->sender), ERR_NOTFOUND);
	/* nothing due: nothing sent again */
	assert_int_equal(outbox_send_due(&r, &f->sender, 300), 0);
	assert_int_equal(r.sent, 0);
	assert_int_equal(f->script.ncalls, 3);
}

/* Not yet due is not sent. */
static void test_not_due(void **state)
{
	struct fixture *f = *state;
	struct outbox_report r;
	int64_t when;

	queue(f, "a@example.org", 500);
	assert_int_equal(outbox_send_due(&r, &f->sender, 499), 0);
	assert_int_equal(f->script.ncalls, 0);
	assert_int_equal(outbox_next_due(&when, &f->sender), 0);
	assert_int_equal(when, 500);
}

/* A 5xx for one recipient: that mail failed, the others go. */
static void test_refused_one(void **state)
{
	struct fixture *f = *state;
	struct outbox_report r;
	int64_t bob;

	f->script.rcpt[0] = "bob@example.org";
	f->script.answer[0] = REFUSE;
	queue(f, "alice@example.org", 100);
	bob = queue(f, "bob@example.org", 100);
	queue(f, "carol@example.org", 100);
	assert_int_equal(outbox_send_due(&r, &f->sender, 100), 0);
	assert_int_equal(r.sent, 2);
	assert_int_equal(r.failed, 1);
	assert_int_equal(r.deferred, 0);
	assert_false(r.held);
	assert_int_equal(f->script.ncalls, 3);
	stats(f, 0, 2, 1);
	assert_string_equal(
		row(f, bob, OUTBOX_FAILED)->last_error,
		"RCPT TO: 550 5.1.1 <bob@example.org>: User unknown");
	assert_int_equal(row(f, bob, OUTBOX_FAILED)->attempts, 1);
	/* never retried */
	assert_int_equal(outbox_send_due(&r, &f->sender, 100000), 0);
	assert_int_equal(f->script.ncalls, 3);
}

/* 4xx: retried after a minute, then two, ...; accepted at last. */
static void test_deferred_backoff(void **state)
{
	struct fixture *f = *state;
	struct outbox_report r;
	int64_t id, when, t = 1000;

	f->script.others = DEFER;
	id = queue(f, "a@example.org", t);
	assert_int_equal(outbox_send_due(&r, &f->sender, t), 0);
	assert_int_equal(r.deferred, 1);
	assert_false(r.held); /* the server answered: it is up */
	assert_int_equal(row(f, id, OUTBOX_QUEUED)->next_attempt_at, t + 60);
	assert_string_equal(row(f, id, OUTBOX_QUEUED)->last_error,
			    "end of data: 451 4.3.0 try again later");
	assert_int_equal(outbox_next_due(&when, &f->sender), 0);
	assert_int_equal(when, t + 60);
	/* a second early: not tried */
	assert_int_equal(outbox_send_due(&r, &f->sender, t + 59), 0);
	assert_int_equal(f->script.ncalls, 1);
	assert_int_equal(outbox_send_due(&r, &f->sender, t + 60), 0);
	assert_int_equal(f->script.ncalls, 2);
	assert_int_equal(row(f, id, OUTBOX_QUEUED)->next_attempt_at,
			 t + 60 + 120);
	f->script.others = ACCEPT;
	assert_int_equal(outbox_send_due(&r, &f->sender, t + 180), 0);
	assert_int_equal(r.sent, 1);
	assert_int_equal(row(f, id, OUTBOX_SENT)->attempts, 3);
	assert_int_equal(row(f, id, OUTBOX_SENT)->sent_at, t + 180);
	assert_null(row(f, id, OUTBOX_SENT)->last_error);
}

static void test_retry_at(void **state)
{
	static const struct {
		unsigned attempts;
		int64_t created, now;
		unsigned expiry;
		int64_t want;
	} cases[] = {
		/* one minute doubling, an hour at most */
		{0, 0, 1000, 86400, 1060},
		{1, 0, 1000, 86400, 1120},
		{2, 0, 1000, 86400, 1240},
		{5, 0, 1000, 86400, 1000 + 1920},
		{6, 0, 1000, 86400, 1000 + 3600},
		{40, 0, 1000, 86400, 1000 + 3600},
		{4000000000u, 0, 1000, 86400, 1000 + 3600},
		/* no later than the expiry: one last attempt then */
		{6, 0, 86000, 86400, 86400},
		/* expired: give up */
		{6, 0, 86400, 86400, 0},
		{0, 100, 100 + 3600, 3600, 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(outbox_retry_at(cases[i].attempts,
						 cases[i].created, cases[i].now,
						 cases[i].expiry),
				 cases[i].want);
}

/* A mail deferred past limits.outbox-expiry is given up and says why. */
static void test_expired(void **state)
{
	struct fixture *f = *state;
	struct outbox_report r;
	struct store_outbox *o;
	int64_t id;

	f->script.others = DEFER;
	f->sender.expiry_secs = 3600;
	id = queue(f, "a@example.org", 0);
	assert_int_equal(outbox_send_due(&r, &f->sender, 3599), 0);
	assert_int_equal(r.deferred, 1);
	assert_int_equal(row(f, id, OUTBOX_QUEUED)->next_attempt_at, 3600);
	assert_int_equal(outbox_send_due(&r, &f->sender, 3600), 0);
	assert_int_equal(r.failed, 1);
	assert_int_equal(r.deferred, 0);
	o = row(f, id, OUTBOX_FAILED);
	assert_string_equal(o->last_error, "expired after 2 attempts: end of "
					   "data: 451 4.3.0 try again later");
	stats(f, 0, 0, 1);
}

/*
 * The server down: the first mail is deferred, the batch stops, the
 * sender holds off; the others are untouched and go once it is back.
 */
static void test_server_down(void **state)
{
	struct fixture *f = *state;
	struct outbox_report r;
	int64_t a, b, when;

	f->script.others = DOWN;
	a = queue(f, "a@example.org", 100);
	b = queue(f, "b@example.org", 100);
	queue(f, "c@example.org", 100);
	assert_int_equal(outbox_send_due(&r, &f->sender, 100), 0);
	assert_true(r.held);
	assert_int_equal(r.deferred, 1);
	assert_int_equal(f->script.ncalls, 1);
	assert_int_equal(row(f, a, OUTBOX_QUEUED)->attempts, 1);
	assert_string_equal(row(f, a, OUTBOX_QUEUED)->last_error,
			    "connect: Couldn't connect to server");
	assert_int_equal(row(f, b, OUTBOX_QUEUED)->attempts, 0);
	/* the loop is told to come back when the hold ends, not now */
	assert_int_equal(outbox_next_due(&when, &f->sender), 0);
	assert_int_equal(when, 160);
	assert_int_equal(outbox_send_due(&r, &f->sender, 130), 0);
	assert_true(r.held);
	assert_int_equal(f->script.ncalls, 1);
	/* still down: the hold doubles */
	assert_int_equal(outbox_send_due(&r, &f->sender, 160), 0);
	assert_int_equal(f->script.ncalls, 2);
	assert_string_equal(f->script.calls[1], "b@example.org");
	assert_int_equal(f->sender.hold_until, 160 + 120);
	assert_int_equal(row(f, b, OUTBOX_QUEUED)->next_attempt_at, 160 + 60);
	/* back: everything due goes, each once */
	f->script.others = ACCEPT;
	assert_int_equal(outbox_send_due(&r, &f->sender, 280), 0);
	assert_false(r.held);
	assert_int_equal(r.sent, 3);
	assert_int_equal(f->script.ncalls, 5);
	assert_int_equal(f->sender.holds, 0);
	stats(f, 0, 3, 0);
}

/* SIGTERM's flag ends the batch after the mail in flight. */
static void test_stop(void **state)
{
	struct fixture *f = *state;
	volatile sig_atomic_t stop = 0;
	struct outbox_report r;

	f->sender.stop = &stop;
	f->script.stop_after_first = &stop;
	queue(f, "a@example.org", 100);
	queue(f, "b@example.org", 100);
	assert_int_equal(outbox_send_due(&r, &f->sender, 100), 0);
	assert_true(r.stopped);
	assert_int_equal(r.sent, 1);
	stats(f, 1, 1, 0);
}

/* One sender at a time: flock(2) conflicts between open files. */
static void test_lock(void **state)
{
	struct fixture *f = *state;
	int fd1, fd2;

	assert_int_equal(outbox_lock(&fd1, f->dir), 0);
	assert_int_equal(outbox_lock(&fd2, f->dir), ERR_TEMP);
	assert_int_equal(fd2, -1);
	outbox_unlock(fd1);
	assert_int_equal(outbox_lock(&fd2, f->dir), 0);
	outbox_unlock(fd2);
	assert_int_equal(outbox_lock(&fd1, "/nonexistent/dir"), ERR_FAIL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_all_sent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_due, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_one, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_deferred_backoff, setup,
						teardown),
		cmocka_unit_test(test_retry_at),
		cmocka_unit_test_setup_teardown(test_expired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_down, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
