/*
 * test_store_series.c: the store's side of series assembly (store.h,
 * "series" and "supersession"): membership and what is looked up through
 * it, activity (recounted, per replier, per patch as b4 gives trailers),
 * counters written back, edges and links; every statement by index.
 *
 * Links only store.c, store_series.c, person.c and the common helpers:
 * messages are built by hand. series.c's decisions are measured by
 * tests/integration/t040-series-eval.sh.
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
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "store.h"
#include "xalloc.h"

struct fixture {
	char dir[64];
	struct store *s;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	char *db;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_store_series.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	db = xasprintf("%s/store.db", f->dir);
	if (store_open(&f->s, db, STORE_CREATE)) {
		free(db);
		free(f);
		return -1;
	}
	free(db);
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

	store_close(f->s);
	nftw(f->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/*
 * Store one message: mid, what it answers (NULL: nothing; the parent
 * becomes its In-Reply-To and its References), kind, number (-1: none),
 * title, author, one trailer (name NULL: none); its id in *out.
 */
static void add(int64_t *out, struct store *s, const char *mid,
		const char *parent, enum message_kind kind, int number,
		const char *title, const char *author, const char *tname,
		const char *tvalue, int64_t date)
{
	struct message m = MESSAGE_INIT;

	m.mail.message_id = xstrdup(mid);
	if (parent) {
		m.mail.in_reply_to = xstrdup(parent);
		m.mail.nr_references = 1;
		m.mail.references = xcalloc(1, sizeof(char *));
		m.mail.references[0] = xstrdup(parent);
	}
	m.mail.date = date;
	person_set(&m.mail.from, "Sender", author);
	m.mail.subject = xasprintf("[PATCH] %s", title);
	m.mail.body = xstrdup("text\n");
	m.mail.body_len = 5;
	m.tags.title = xstrdup(title);
	m.tags.number = number;
	m.tags.total = number >= 0 ? 2 : -1;
	m.tags.reply = kind == MESSAGE_REPLY;
	m.tags.patch = true;
	person_set(&m.author, "Author", author);
	m.date = date;
	m.kind = kind;
	if (tname) {
		m.patch.nr_trailers = 1;
		m.patch.trailers = xcalloc(1, sizeof(struct trailer));
		m.patch.trailers[0].name = xstrdup(tname);
		m.patch.trailers[0].value = xstrdup(tvalue);
	}
	assert_int_equal(store_message_add(out, s, &m, "test", date), 0);
	store_message_release(&m);
}

static int64_t new_series(struct store *s, const char *title,
			  const char *author, const char *root)
{
	struct store_series ser = STORE_SERIES_INIT;
	int64_t id;

	ser.title = xstrdup(title);
	ser.version = 2;
	person_set(&ser.author, "Author", author);
	ser.sent_from = xstrdup(author);
	ser.kind = MESSAGE_PATCH;
	ser.total = 2;
	ser.root = xstrdup(root);
	ser.target = xstrdup("");
	ser.first_date = ser.last_date = 100;
	ser.created = ser.updated = 1;
	assert_int_equal(store_series_add(&id, s, &ser), 0);
	store_series_release(&ser);
	return id;
}

static void test_membership(void **state)
{
	struct fixture *f = *state;
	struct store *s = f->s;
	struct store_message_brief *v;
	struct store_message_brief b = STORE_MESSAGE_BRIEF_INIT;
	struct store_patch_title *t;
	struct store_ids ids = STORE_IDS_INIT;
	int64_t ser, other, cover, p1, p2, r1, lone;
	size_t nr;
	char *mid;
	bool taken;
	int n;

	ser = new_series(s, "foo: the series", "a@x.org", "c@x");
	other = new_series(s, "foo: other", "a@x.org", "o@x");
	add(&p2, s, "p2@x", "c@x", MESSAGE_PATCH, 2, "Foo: Second  patch.",
	    "a@x.org", NULL, NULL, 102);
	add(&cover, s, "c@x", NULL, MESSAGE_COVER, 0, "foo: the series",
	    "a@x.org", NULL, NULL, 100);
	add(&p1, s, "p1@x", "c@x", MESSAGE_PATCH, 1, "foo: first patch",
	    "a@x.org", NULL, NULL, 101);
	add(&r1, s, "r1@x", "p1@x", MESSAGE_REPLY, 1, "foo: first patch",
	    "b@x.org", NULL, NULL, 200);
	add(&lone, s, "lone@x", NULL, MESSAGE_PATCH, -1, "foo: second patch",
	    "a@x.org", NULL, NULL, 300);

	/* Before placing, every one is in no series; the reply an orphan. */
	assert_int_equal(store_message_brief(&b, s, p1), 0);
	assert_int_equal(b.series, 0);
	assert_string_equal(b.from_address, "a@x.org");
	assert_int_equal(store_orphans_replying_to(&ids, s, "p1@x"), 0);
	assert_int_equal(ids.nr, 2); /* by In-Reply-To and by References */
	assert_int_equal(ids.v[0], r1);
	store_ids_release(&ids);

	assert_int_equal(store_message_set_series(s, p2, ser), 0);
	assert_int_equal(store_message_set_series(s, cover, ser), 0);
	assert_int_equal(store_message_set_series(s, p1, ser), 0);
	assert_int_equal(store_message_set_series(s, r1, ser), 0);
	assert_int_equal(store_message_set_series(s, lone, other), 0);
	assert_int_equal(store_message_brief(&b, s, p1), 0);
	assert_int_equal(b.series, ser);
	assert_int_equal(store_orphans_replying_to(&ids, s, "p1@x"), 0);
	assert_int_equal(ids.nr, 0);

	/* Members in reading order: cover, patches by number, replies. */
	assert_int_equal(store_series_members(&v, &nr, s, ser), 0);
	assert_int_equal(nr, 4);
	assert_int_equal(v[0].id, cover);
	assert_int_equal(v[1].id, p1);
	assert_int_equal(v[2].id, p2);
	assert_int_equal(v[3].id, r1);
	store_message_briefs_free(v, nr);

	/* Numbers, by index: one taken by another message, or not. */
	assert_int_equal(store_series_number_taken(&taken, s, ser, 1, p2), 0);
	assert_true(taken);
	assert_int_equal(store_series_number_taken(&taken, s, ser, 1, p1), 0);
	assert_false(taken); /* only p1 itself holds 1 */
	assert_int_equal(store_series_number_taken(&taken, s, ser, 3, 0), 0);
	assert_false(taken);
	/* A reply's number (it answers 1/2) holds no place. */
	assert_int_equal(store_series_number_taken(&taken, s, ser, 1, p1), 0);
	assert_false(taken);
	assert_int_equal(store_series_lowest_patch(&n, s, ser, 0), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_series_lowest_patch(&n, s, ser, p1), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_series_lowest_patch(&n, s, other, lone),
			 ERR_NOTFOUND);
	assert_int_equal(store_series_first_posting(&mid, s, ser), 0);
	assert_string_equal(mid, "c@x");
	free(mid);

	/* Patch titles: keys as store_title_key() makes them. */
	assert_int_equal(store_series_patch_titles(&t, &nr, s, ser), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(t[0].key, "foo: first patch");
	assert_int_equal(t[0].number, 1);
	assert_string_equal(t[1].key, "foo: second patch");
	assert_string_equal(t[1].author.address, "a@x.org");
	store_patch_titles_free(t, nr);
	/* The lone patch shares 2/2's title: found from either side, never
	 * in the series asked about, never for another address. */
	assert_int_equal(store_patches_titled(&t, &nr, s, "foo: second patch",
					      "a@x.org", ser, 10),
			 0);
	assert_int_equal(nr, 1);
	assert_int_equal(t[0].series, other);
	assert_int_equal(t[0].number, -1);
	store_patch_titles_free(t, nr);
	assert_int_equal(store_patches_titled(&t, &nr, s, "foo: second patch",
					      "a@x.org", other, 10),
			 0);
	assert_int_equal(nr, 1);
	assert_int_equal(t[0].series, ser);
	assert_int_equal(t[0].number, 2);
	store_patch_titles_free(t, nr);
	assert_int_equal(store_patches_titled(&t, &nr, s, "foo: second patch",
					      "c@x.org", 0, 10),
			 0);
	assert_int_equal(nr, 0);
	store_patch_titles_free(t, nr);

	/* Out of the series again. */
	assert_int_equal(store_message_set_series(s, lone, 0), 0);
	assert_int_equal(store_message_brief(&b, s, lone), 0);
	assert_int_equal(b.series, 0);
	store_message_brief_release(&b);
	/* A series by sender and by title, newest first and bounded. */
	assert_int_equal(store_series_by_sender(&ids, s, "a@x.org", 1), 0);
	assert_int_equal(ids.nr, 1);
	store_ids_release(&ids);
	assert_int_equal(store_series_by_title(&ids, s, "FOO: the  series.", 8),
			 0);
	assert_int_equal(ids.nr, 1);
	assert_int_equal(ids.v[0], ser);
	store_ids_release(&ids);
	assert_int_equal(store_check_plans(s), 0);
}

static void test_activity(void **state)
{
	struct fixture *f = *state;
	struct store *s = f->s;
	struct store_series ser = STORE_SERIES_INIT;
	struct store_review *r;
	struct person *p;
	int64_t sid, id, ids[6];
	int replies, reviews;
	size_t nr, i;

	sid = new_series(s, "bar: two patches", "a@x.org", "c@x");
	add(&ids[0], s, "c@x", NULL, MESSAGE_COVER, 0, "bar: two patches",
	    "a@x.org", NULL, NULL, 100);
	add(&ids[1], s, "p1@x", "c@x", MESSAGE_PATCH, 1, "bar: one", "a@x.org",
	    NULL, NULL, 101);
	/* A review of patch 1; an ack of the cover (every patch); a test
	 * answering the review (patch 1 again, up the chain); the author
	 * thanking, his replies none of "who replied"; the same reviewer
	 * again in capitals. */
	add(&ids[2], s, "r1@x", "p1@x", MESSAGE_REPLY, 1, "bar: one",
	    "rev@x.org", "Reviewed-by", "Rev <rev@x.org>", 200);
	add(&ids[3], s, "r2@x", "c@x", MESSAGE_REPLY, 0, "bar: two patches",
	    "ack@x.org", "Acked-by", "Ack <ack@x.org>", 210);
	add(&ids[4], s, "r3@x", "r1@x", MESSAGE_REPLY, 1, "bar: one",
	    "tester@x.org", "Tested-by", "T <tester@x.org>", 220);
	add(&ids[5], s, "r4@x", "r1@x", MESSAGE_REPLY, 1, "bar: one", "a@x.org",
	    "Cc", "Someone <s@x.org>", 230);
	add(&id, s, "r5@x", "r2@x", MESSAGE_REPLY, 0, "bar: two patches",
	    "REV@x.org", NULL, NULL, 240);
	for (i = 0; i < 6; i++)
		assert_int_equal(store_message_set_series(s, ids[i], sid), 0);
	assert_int_equal(store_message_set_series(s, id, sid), 0);

	assert_int_equal(store_series_activity(&replies, &reviews, s, sid), 0);
	assert_int_equal(replies, 5);
	assert_int_equal(reviews, 3); /* Cc: is no review */
	assert_int_equal(store_message_reviews(&reviews, s, ids[2]), 0);
	assert_int_equal(reviews, 1);
	assert_int_equal(store_message_reviews(&reviews, s, ids[5]), 0);
	assert_int_equal(reviews, 0);

	assert_int_equal(store_series_repliers(&p, &nr, s, sid), 0);
	assert_int_equal(nr, 3);
	assert_string_equal(p[0].address, "rev@x.org");
	assert_string_equal(p[1].address, "ack@x.org");
	assert_string_equal(p[2].address, "tester@x.org");
	store_persons_free(p, nr);

	assert_int_equal(store_series_reviews(&r, &nr, s, sid), 0);
	assert_int_equal(nr, 3);
	assert_string_equal(r[0].name, "Reviewed-by");
	assert_int_equal(r[0].number, 1);
	assert_string_equal(r[0].posting, "p1@x");
	assert_string_equal(r[0].message_id, "r1@x");
	assert_string_equal(r[1].name, "Acked-by");
	assert_int_equal(r[1].number, 0);
	assert_string_equal(r[1].posting, "c@x");
	assert_string_equal(r[2].name, "Tested-by");
	assert_int_equal(r[2].number, 1); /* up r3 -> r1 -> p1 */
	assert_string_equal(r[2].posting, "p1@x");
	assert_string_equal(r[2].value, "T <tester@x.org>");
	store_reviews_free(r, nr);

	/* The narrow write-backs keep the rest of the row. */
	assert_int_equal(store_series_load(&ser, s, sid), 0);
	ser.replies = 5;
	ser.reviews = 3;
	ser.updated = 42;
	assert_int_equal(store_series_update_activity(s, &ser), 0);
	ser.received = 1;
	ser.last_date = 101;
	ser.version = 3;
	ser.updated = 43;
	assert_int_equal(store_series_update_counts(s, &ser), 0);
	store_series_release(&ser);
	assert_int_equal(store_series_load(&ser, s, sid), 0);
	assert_int_equal(ser.replies, 5);
	assert_int_equal(ser.reviews, 3);
	assert_int_equal(ser.received, 1);
	assert_int_equal(ser.version, 3);
	assert_int_equal(ser.last_date, 101);
	assert_int_equal(ser.updated, 43);
	assert_string_equal(ser.title, "bar: two patches");
	assert_string_equal(ser.root, "c@x");
	assert_string_equal(ser.sent_from, "a@x.org");
	ser.id = sid + 100;
	assert_int_equal(store_series_update_counts(s, &ser), ERR_NOTFOUND);
	store_series_release(&ser);
	assert_int_equal(store_check_plans(s), 0);
}

static void test_edges_and_links(void **state)
{
	struct fixture *f = *state;
	struct store *s = f->s;
	struct store_edge *e;
	struct store_link *l;
	int64_t v1, v2, v3;
	size_t nr;

	v1 = new_series(s, "baz: v1", "a@x.org", "v1@x");
	v2 = new_series(s, "baz: v2", "a@x.org", "v2@x");
	v3 = new_series(s, "baz: v3", "a@x.org", "v3@x");
	assert_int_equal(store_edge_add(s, v1, v2, "same title", NULL), 0);
	assert_int_equal(store_edge_add(s, v2, v3, "patch titles", "x"), 0);
	/* Evidence replaced in place: one edge. */
	assert_int_equal(store_edge_add(s, v1, v2, "link", "v1 link"), 0);
	assert_int_equal(store_edges(&e, &nr, s, v2, false), 0);
	assert_int_equal(nr, 1);
	assert_int_equal(e[0].old_series, v1);
	assert_string_equal(e[0].evidence, "link");
	assert_string_equal(e[0].detail, "v1 link");
	store_edges_free(e, nr);
	assert_int_equal(store_edges(&e, &nr, s, v2, true), 0);
	assert_int_equal(nr, 1);
	assert_int_equal(e[0].new_series, v3);
	assert_string_equal(e[0].detail, "x");
	store_edges_free(e, nr);
	assert_int_equal(store_edge_remove(s, v2, v3), 0);
	assert_int_equal(store_edges(&e, &nr, s, v3, false), 0);
	assert_int_equal(nr, 0);
	store_edges_free(e, nr);

	/* Links kept for postings not here yet, found by either end. */
	assert_int_equal(store_link_add(s, v3, "v2@x", "link", 2), 0);
	assert_int_equal(store_link_add(s, v3, "v2@x", "in-reply-to", 0), 0);
	assert_int_equal(store_link_add(s, v3, "old@x", "supersedes", 0), 0);
	assert_int_equal(store_links(&l, &nr, s, 0, "v2@x"), 0);
	assert_int_equal(nr, 1); /* the first kept */
	assert_int_equal(l[0].series, v3);
	assert_string_equal(l[0].evidence, "link");
	assert_int_equal(l[0].version, 2);
	store_links_free(l, nr);
	assert_int_equal(store_links(&l, &nr, s, v3, NULL), 0);
	assert_int_equal(nr, 2);
	store_links_free(l, nr);
	/* A deleted series takes its edges and links along. */
	assert_int_equal(store_series_delete(s, v3), 0);
	assert_int_equal(store_links(&l, &nr, s, 0, "old@x"), 0);
	assert_int_equal(nr, 0);
	store_links_free(l, nr);
	assert_int_equal(store_series_delete(s, v3), ERR_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_membership, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_activity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edges_and_links, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
