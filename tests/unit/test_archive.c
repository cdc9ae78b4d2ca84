/*
 * test_archive.c: the public-inbox archive reader (archive.h).
 *
 * Without arguments: the cmocka unit tests. Archives are built here with
 * libgit2 in a temporary folder, laid out as public-inbox writes them
 * (public-inbox-v2-format(5): one blob "m" per commit, "d" for a removal;
 * public-inbox-v1-format(5): "xx/y{38}" paths named by the SHA-1 of the
 * Message-ID), so each test knows exactly what must come out. The real
 * lore epoch in $PATCHLETTER_SHARED/archives is read in place when there.
 *
 * With arguments it is the driver the integration tests and the
 * benchmark run (it needs nothing but archive.c):
 *
 *   test_archive read [-b BATCH] [-c CURSORS] [-s STOP] [-o DIR] [-q] PATH NAME
 *	one line per item: "add|del EPOCH COMMIT BLOB AUTHOR_TIME LEN SOURCE",
 *	one per batch: "commit SOURCE CURSOR". CURSORS is a file of
 *	"SOURCE CURSOR" lines read first and rewritten (atomically) at each
 *	batch, as the store would; STOP ends cleanly after that many
 *	batches; DIR receives each item's bytes as DIR/1, DIR/2, ...;
 *	-q prints only the figures (messages/s, MB/s) on stderr.
 *   test_archive fetch PATH URL
 *
 * TEST_FILTER=test_v1 runs only the tests whose names match (cmocka's
 * filter).
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <git2.h>

#include "archive.h"
#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "log.h"
#include "xalloc.h"

/* --- a cursor table and an item log, as the store would keep them ----- */

struct cursor {
	char *source;
	char *value;
};

struct record {
	enum archive_item_kind kind;
	unsigned epoch;
	int64_t time;
	char commit[ARCHIVE_OID_HEXSZ + 1];
	char blob[ARCHIVE_OID_HEXSZ + 1];
	char *source;
	char *raw; /* NUL added */
	size_t len;
};

struct sink {
	struct cursor *cursors;
	size_t ncursors, cursors_alloc;
	struct record *recs; /* every item seen, committed or not */
	size_t nrecs, recs_alloc;
	size_t committed; /* recs[0..committed) were committed */
	unsigned batches;
	unsigned
		stop_after; /* stop cleanly after this many batches; 0: never */
	int fail_item_at;   /* fail the Nth item (1-based); 0: never */
	bool keep_raw;
	/* driver only */
	bool print;
	const char *cursor_file;
	const char *out_dir;
	uint64_t items;
};

static void sink_release(struct sink *s)
{
	for (size_t i = 0; i < s->ncursors; i++) {
		free(s->cursors[i].source);
		free(s->cursors[i].value);
	}
	for (size_t i = 0; i < s->nrecs; i++) {
		free(s->recs[i].source);
		free(s->recs[i].raw);
	}
	free(s->cursors);
	free(s->recs);
	memset(s, 0, sizeof(*s));
}

/* Forget the items of the batch in flight, as ingest_abort() would. */
static void sink_rollback(struct sink *s)
{
	while (s->nrecs > s->committed) {
		s->nrecs--;
		free(s->recs[s->nrecs].source);
		free(s->recs[s->nrecs].raw);
	}
}

static struct cursor *cursor_find(struct sink *s, const char *source)
{
	for (size_t i = 0; i < s->ncursors; i++)
		if (strcmp(s->cursors[i].source, source) == 0)
			return &s->cursors[i];
	return NULL;
}

static void cursor_put(struct sink *s, const char *source, const char *value)
{
	struct cursor *c = cursor_find(s, source);

	if (!c) {
		XGROW(s->cursors, s->cursors_alloc, s->ncursors + 1);
		c = &s->cursors[s->ncursors++];
		c->source = xstrdup(source);
		c->value = NULL;
	}
	free(c->value);
	c->value = xstrdup(value);
}

static int sink_cursor_get(struct buf *out, const char *source, void *arg)
{
	struct cursor *c = cursor_find(arg, source);

	if (!c)
		return ERR_NOTFOUND;
	buf_adds(out, c->value);
	return 0;
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int r = 0;

	if (!f)
		return -1;
	if (n && fwrite(p, 1, n, f) != n)
		r = -1;
	if (fclose(f) != 0)
		r = -1;
	return r;
}

static int sink_item(const struct archive_item *it, void *arg)
{
	struct sink *s = arg;
	struct record *r;

	s->items++;
	if (s->fail_item_at && s->items == (uint64_t)s->fail_item_at)
		return ERR_TEMP;
	if (s->print)
		printf("%s %u %s %s %" PRId64 " %zu %s\n",
		       it->kind == ARCHIVE_ADD ? "add" : "del", it->epoch,
		       it->commit, it->blob, it->author_time, it->len,
		       it->source);
	if (s->out_dir) {
		char *p = xasprintf("%s/%" PRIu64, s->out_dir, s->items);
		int w = write_file(p, it->raw, it->len);

		free(p);
		if (w)
			return ERR_FAIL;
	}
	if (s->print || s->out_dir)
		return 0; /* the driver keeps nothing */
	XGROW(s->recs, s->recs_alloc, s->nrecs + 1);
	r = &s->recs[s->nrecs++];
	r->kind = it->kind;
	r->epoch = it->epoch;
	r->time = it->author_time;
	memcpy(r->commit, it->commit, sizeof(r->commit));
	memcpy(r->blob, it->blob, sizeof(r->blob));
	r->source = xstrdup(it->source);
	r->len = it->len;
	r->raw = s->keep_raw ? xmemdup0(it->raw, it->len) : NULL;
	return 0;
}

static int save_cursors(const struct sink *s)
{
	char *tmp = xasprintf("%s.tmp", s->cursor_file);
	FILE *f = fopen(tmp, "w");
	int r = 0;

	if (!f) {
		free(tmp);
		return ERR_FAIL;
	}
	for (size_t i = 0; i < s->ncursors; i++)
		fprintf(f, "%s %s\n", s->cursors[i].source,
			s->cursors[i].value);
	if (fclose(f) != 0 || rename(tmp, s->cursor_file) != 0)
		r = ERR_FAIL;
	free(tmp);
	return r;
}

static int sink_commit(const char *source, const char *cursor, void *arg)
{
	struct sink *s = arg;

	cursor_put(s, source, cursor);
	s->committed = s->nrecs;
	s->batches++;
	if (s->print)
		printf("commit %s %s\n", source, cursor);
	if (s->cursor_file && save_cursors(s))
		return ERR_FAIL;
	if (s->stop_after && s->batches >= s->stop_after)
		return 1;
	return 0;
}

/* --- building archives with libgit2, as public-inbox lays them out ---- */

static char *tmp_root;

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/test_archive.XXXXXX";

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	tmp_root = xstrdup(tmpl);
	git_libgit2_init();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nftw(tmp_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(tmp_root);
	git_libgit2_shutdown();
	return 0;
}

static char *tpath(const char *fmt, ...) PRINTF_LIKE(1, 2);
static char *tpath(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	buf_addf(&b, "%s/", tmp_root);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b, NULL);
}

static git_repository *new_repo(const char *path)
{
	git_repository *r;

	assert_int_equal(git_repository_init(&r, path, 1), 0);
	return r;
}

/* A mail whose Message-ID is <tag@example.org>. */
static char *mail(const char *tag)
{
	return xasprintf("From: A U Thor <author@example.org>\n"
			 "Subject: [PATCH] %s\n"
			 "Message-ID: <%s@example.org>\n"
			 "\n"
			 "body of %s\n",
			 tag, tag, tag);
}

static git_oid blob_of(git_repository *r, const char *text)
{
	git_oid id;

	assert_int_equal(
		git_blob_create_from_buffer(&id, r, text, strlen(text)), 0);
	return id;
}

/* Commit tree on top of HEAD (or as a root when root), at time t. */
static git_oid commit_tree(git_repository *r, const git_oid *tree_id, int64_t t,
			   bool root)
{
	git_signature *sig;
	git_commit *parent = NULL;
	git_tree *tree;
	git_oid id, head;
	int n = 0;

	assert_int_equal(git_signature_new(&sig, "A U Thor",
					   "author@example.org", (git_time_t)t,
					   0),
			 0);
	assert_int_equal(git_tree_lookup(&tree, r, tree_id), 0);
	if (!root && git_reference_name_to_id(&head, r, "HEAD") == 0) {
		assert_int_equal(git_commit_lookup(&parent, r, &head), 0);
		n = 1;
	}
	assert_int_equal(git_commit_create(&id, r, root ? NULL : "HEAD", sig,
					   sig, NULL, "m\n", tree, (size_t)n,
					   (const git_commit **)&parent),
			 0);
	if (root) {
		git_reference *ref;

		/* A rewritten history: force the branch (-purge does). */
		assert_int_equal(git_reference_create(&ref, r,
						      "refs/heads/master", &id,
						      1, "rewrite"),
				 0);
		git_reference_free(ref);
	}
	git_commit_free(parent);
	git_tree_free(tree);
	git_signature_free(sig);
	return id;
}

/* A v2 commit: a tree holding only "m" (or "d") with text. */
static git_oid v2_commit(git_repository *r, const char *file, const char *text,
			 int64_t t, bool root)
{
	git_treebuilder *tb;
	git_oid blob = blob_of(r, text), tree;

	assert_int_equal(git_treebuilder_new(&tb, r, NULL), 0);
	assert_int_equal(git_treebuilder_insert(NULL, tb, file, &blob,
						GIT_FILEMODE_BLOB),
			 0);
	assert_int_equal(git_treebuilder_write(&tree, tb), 0);
	git_treebuilder_free(tb);
	return commit_tree(r, &tree, t, root);
}

static git_oid v2_add(git_repository *r, const char *tag, int64_t t)
{
	char *m = mail(tag);
	git_oid id = v2_commit(r, "m", m, t, false);

	free(m);
	return id;
}

static void hex(char *out, const git_oid *id)
{
	git_oid_tostr(out, ARCHIVE_OID_HEXSZ + 1, id);
}

static const struct archive_ops sink_ops = {
	.cursor_get = sink_cursor_get,
	.item = sink_item,
	.commit = sink_commit,
};

static int sync_with(struct sink *s, const char *path, unsigned batch,
		     struct archive_stats *st)
{
	struct archive_ops ops = sink_ops;
	struct archive *a;
	int r;

	ops.batch = batch;
	assert_int_equal(archive_open(&a, path, "list"), 0);
	r = archive_sync(st, a, &ops, s);
	archive_free(a);
	return r;
}

/* The value of header name in raw (first line only), or NULL. */
static char *header(const char *raw, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = raw; *p && *p != '\n';) {
		const char *eol = strchr(p, '\n');

		if (!eol)
			break;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			return xmemdup0(v, (size_t)(eol - v));
		}
		p = eol + 1;
	}
	return NULL;
}

static void assert_mid(const struct record *rec, const char *want)
{
	char *mid;

	assert_non_null(rec->raw);
	mid = header(rec->raw, "Message-ID");
	assert_non_null(mid);
	assert_string_equal(mid, want);
	free(mid);
}

/* --- v2 ----------------------------------------------------------------- */

/*
 * A v2 epoch given directly: every message oldest first with its commit,
 * blob, bytes and author time; a removal comes out as ARCHIVE_DELETE
 * with the removed mail (public-inbox-learn rm writes it as "d").
 */
static void test_v2_epoch_in_order(void **state)
{
	char *path = tpath("v2.git");
	git_repository *r = new_repo(path);
	char hexes[4][ARCHIVE_OID_HEXSZ + 1];
	struct archive_stats st;
	struct sink s = {.keep_raw = true};
	char *m2 = mail("two");
	git_oid id;

	(void)state;
	id = v2_add(r, "one", 1000);
	hex(hexes[0], &id);
	id = v2_add(r, "two", 2000);
	hex(hexes[1], &id);
	id = v2_add(r, "three", 3000);
	hex(hexes[2], &id);
	id = v2_commit(r, "d", m2, 4000, false);
	hex(hexes[3], &id);

	assert_int_equal(sync_with(&s, path, 0, &st), 0);
	assert_int_equal(s.nrecs, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(s.recs[i].commit, hexes[i]);
		assert_int_equal(s.recs[i].time, 1000 * (int64_t)(i + 1));
		assert_int_equal(s.recs[i].epoch, 0);
		assert_string_equal(s.recs[i].source, "archive:list");
	}
	assert_int_equal(s.recs[0].kind, ARCHIVE_ADD);
	assert_mid(&s.recs[0], "<one@example.org>");
	assert_mid(&s.recs[1], "<two@example.org>");
	assert_mid(&s.recs[2], "<three@example.org>");
	assert_int_equal(s.recs[3].kind, ARCHIVE_DELETE);
	assert_string_equal(s.recs[3].raw, m2);
	/* The removed blob is the one that was added. */
	assert_string_equal(s.recs[3].blob, s.recs[1].blob);
	assert_int_equal(st.added, 3);
	assert_int_equal(st.deleted, 1);
	assert_int_equal(st.commits, 4);
	assert_int_equal(st.batches, 1);
	assert_int_equal(s.ncursors, 1);
	assert_string_equal(s.cursors[0].value, hexes[3]);

	free(m2);
	sink_release(&s);
	git_repository_free(r);
	free(path);
}

/*
 * Batches close every `batch` commits and at the end; a second sync from
 * the stored cursor hands over nothing, and after new mail only that.
 */
static void test_batches_and_resume(void **state)
{
	char *path = tpath("batch.git");
	git_repository *r = new_repo(path);
	char last[ARCHIVE_OID_HEXSZ + 1], c2[ARCHIVE_OID_HEXSZ + 1];
	struct archive_stats st;
	struct sink s = {0};
	git_oid id;

	(void)state;
	for (int i = 0; i < 5; i++) {
		char tag[16];

		snprintf(tag, sizeof(tag), "b%d", i);
		id = v2_add(r, tag, 100 + i);
		if (i == 1)
			hex(c2, &id);
	}
	hex(last, &id);
	assert_int_equal(sync_with(&s, path, 2, &st), 0);
	assert_int_equal(st.batches, 3); /* 2 + 2 + 1 */
	assert_int_equal(s.nrecs, 5);
	assert_string_equal(s.cursors[0].value, last);

	/* Nothing new. */
	assert_int_equal(sync_with(&s, path, 2, &st), 0);
	assert_int_equal(s.nrecs, 5);
	assert_int_equal(st.commits, 0);
	assert_int_equal(st.batches, 0);

	/* Two new messages: only they come out. */
	v2_add(r, "new1", 200);
	id = v2_add(r, "new2", 201);
	hex(last, &id);
	assert_int_equal(sync_with(&s, path, 0, &st), 0);
	assert_int_equal(s.nrecs, 7);
	assert_int_equal(st.added, 2);
	assert_int_equal(s.recs[5].time, 200);
	assert_string_equal(s.recs[6].commit, last);
	assert_string_equal(s.cursors[0].value, last);

	/* A cursor set back by hand resumes right after it. */
	cursor_put(&s, "archive:list", c2);
	assert_int_equal(sync_with(&s, path, 0, &st), 0);
	assert_int_equal(st.added, 5);
	assert_int_equal(s.recs[7].time, 102);

	sink_release(&s);
	git_repository_free(r);
	free(path);
}

/*
 * A callback's positive value stops after that batch (committed); a
 * negative one stops mid-batch and the cursor stays at the last commit.
 */
static void test_stop_and_error(void **state)
{
	char *path = tpath("stop.git");
	git_repository *r = new_repo(path);
	char ids[6][ARCHIVE_OID_HEXSZ + 1];
	struct archive_stats st;
	struct sink s = {0};

	(void)state;
	for (int i = 0; i < 6; i++) {
		char tag[16];
		git_oid id;

		snprintf(tag, sizeof(tag), "s%d", i);
		id = v2_add(r, tag, 10 + i);
		hex(ids[i], &id);
	}
	s.stop_after = 1;
	assert_int_equal(sync_with(&s, path, 2, &st), 1);
	assert_int_equal(s.nrecs, 2);
	assert_string_equal(s.cursors[0].value, ids[1]);

	/* Fail the second item of the next batch: nothing committed. */
	s.stop_after = 0;
	s.items = 0;
	s.fail_item_at = 2;
	assert_int_equal(sync_with(&s, path, 2, &st), ERR_TEMP);
	assert_string_equal(s.cursors[0].value, ids[1]);
	assert_int_equal(st.batches, 0);

	/* Retried from the cursor: exactly the rest, in order. */
	s.fail_item_at = 0;
	sink_rollback(&s);
	assert_int_equal(s.nrecs, 2);
	assert_int_equal(sync_with(&s, path, 2, &st), 0);
	assert_int_equal(st.added, 4);
	assert_int_equal(s.nrecs, 6);
	assert_string_equal(s.recs[s.nrecs - 4].commit, ids[2]);
	assert_string_equal(s.recs[s.nrecs - 1].commit, ids[5]);
	assert_string_equal(s.cursors[0].value, ids[5]);

	sink_release(&s);
	git_repository_free(r);
	free(path);
}

/*
 * A v2 inbox: epochs in numeric order (10 after 2), names that are not
 * epochs ignored, one cursor per epoch, and an epoch that appears later
 * is followed.
 */
static void test_inbox_epochs(void **state)
{
	char *inbox = tpath("inbox");
	char *p0 = tpath("inbox/git/0.git"), *p2 = tpath("inbox/git/2.git");
	char *p10 = tpath("inbox/git/10.git"), *p11 = tpath("inbox/git/11.git");
	char *junk1 = tpath("inbox/git/01.git"),
	     *junk2 = tpath("inbox/git/x.git");
	git_repository *r0 = new_repo(p0), *r2 = new_repo(p2);
	git_repository *r10 = new_repo(p10), *rj1 = new_repo(junk1);
	git_repository *rj2 = new_repo(junk2), *r11;
	struct archive_stats st;
	struct sink s = {.keep_raw = true};
	struct cursor *c;

	(void)state;
	v2_add(r0, "e0a", 1);
	v2_add(r0, "e0b", 2);
	v2_add(r2, "e2a", 3);
	v2_add(r10, "e10a", 4);
	v2_add(rj1, "junk", 5);
	v2_add(rj2, "junk", 6);
	assert_int_equal(sync_with(&s, inbox, 0, &st), 0);
	assert_int_equal(st.epochs, 3);
	assert_int_equal(s.nrecs, 4);
	assert_mid(&s.recs[0], "<e0a@example.org>");
	assert_mid(&s.recs[1], "<e0b@example.org>");
	assert_mid(&s.recs[2], "<e2a@example.org>");
	assert_mid(&s.recs[3], "<e10a@example.org>");
	assert_int_equal(s.recs[2].epoch, 2);
	assert_int_equal(s.recs[3].epoch, 10);
	assert_string_equal(s.recs[3].source, "archive:list/git/10.git");
	assert_int_equal(s.ncursors, 3);
	c = cursor_find(&s, "archive:list/git/2.git");
	assert_non_null(c);
	assert_string_equal(c->value, s.recs[2].commit);

	/* A rotation: epoch 11 appears, epoch 10 gets one more message. */
	r11 = new_repo(p11);
	v2_add(r10, "e10b", 7);
	v2_add(r11, "e11a", 8);
	assert_int_equal(sync_with(&s, inbox, 0, &st), 0);
	assert_int_equal(st.added, 2);
	assert_int_equal(s.nrecs, 6);
	assert_mid(&s.recs[4], "<e10b@example.org>");
	assert_mid(&s.recs[5], "<e11a@example.org>");
	assert_int_equal(s.ncursors, 4);

	sink_release(&s);
	git_repository_free(r0);
	git_repository_free(r2);
	git_repository_free(r10);
	git_repository_free(r11);
	git_repository_free(rj1);
	git_repository_free(rj2);
	free(inbox);
	free(p0);
	free(p2);
	free(p10);
	free(p11);
	free(junk1);
	free(junk2);
}

/*
 * A cursor that is not in the history any more (public-inbox-purge
 * rewrote it) restarts the epoch: every message of the new history comes
 * out again. So does a cursor that is not a commit id at all.
 */
static void test_rewritten_history(void **state)
{
	char *path = tpath("rewrite.git");
	git_repository *r = new_repo(path);
	struct archive_stats st;
	struct sink s = {.keep_raw = true};
	char *m;

	(void)state;
	v2_add(r, "r1", 1);
	v2_add(r, "r2", 2);
	v2_add(r, "r3", 3);
	assert_int_equal(sync_with(&s, path, 0, &st), 0);
	assert_int_equal(s.nrecs, 3);

	/* Rewrite: r2 purged, so r1 and r3 are committed again. */
	m = mail("r1");
	v2_commit(r, "m", m, 1, true);
	free(m);
	v2_add(r, "r3", 3);
	assert_int_equal(sync_with(&s, path, 0, &st), 0);
	assert_int_equal(st.restarts, 1);
	assert_int_equal(st.added, 2);
	assert_int_equal(s.nrecs, 5);
	assert_mid(&s.recs[3], "<r1@example.org>");
	assert_mid(&s.recs[4], "<r3@example.org>");
	assert_string_equal(s.cursors[0].value, s.recs[4].commit);

	/* Back to normal: the new cursor is in the history. */
	v2_add(r, "r4", 4);
	assert_int_equal(sync_with(&s, path, 0, &st), 0);
	assert_int_equal(st.restarts, 0);
	assert_int_equal(st.added, 1);

	/* A cursor that is no commit id: read again, logged. */
	cursor_put(&s, "archive:list", "not-a-commit");
	assert_int_equal(sync_with(&s, path, 0, &st), 0);
	assert_int_equal(st.restarts, 1);
	assert_int_equal(st.added, 3);
	/* An id that is in no history at all. */
	cursor_put(&s, "archive:list",
		   "0123456789abcdef0123456789abcdef01234567");
	assert_int_equal(sync_with(&s, path, 0, &st), 0);
	assert_int_equal(st.restarts, 1);
	assert_int_equal(st.added, 3);

	sink_release(&s);
	git_repository_free(r);
	free(path);
}

/* --- v1 ----------------------------------------------------------------- */

/* The v1 path of a Message-ID: SHA-1 hex of it without <>, as xx/y{38}. */
static char *v1_path_of(const char *tag)
{
	char *mid = xasprintf("%s@example.org", tag);
	git_oid h;
	char hx[ARCHIVE_OID_HEXSZ + 1];
	char *p;

	/* git's blob hash is not a bare SHA-1; hash the bytes directly. */
	assert_int_equal(git_odb_hash(&h, mid, strlen(mid), GIT_OBJECT_BLOB),
			 0);
	git_oid_tostr(hx, sizeof(hx), &h);
	/* Any 40 hex digits make a valid path; the exact hash does not
	 * matter to the reader, only the shape. */
	p = xasprintf("%.2s/%s", hx, hx + 2);
	free(mid);
	return p;
}

/* Build a v1 tree of n (path, text) pairs (paths "xx/y{38}"). */
static git_oid v1_tree(git_repository *r, size_t n, char **paths, char **texts)
{
	git_treebuilder *top;
	git_oid id;

	assert_int_equal(git_treebuilder_new(&top, r, NULL), 0);
	for (size_t i = 0; i < n; i++) {
		git_treebuilder *sub;
		const git_tree_entry *e;
		git_tree *old = NULL;
		git_oid blob = blob_of(r, texts[i]), sub_id;
		char dir[3] = {paths[i][0], paths[i][1], '\0'};

		e = git_treebuilder_get(top, dir);
		if (e)
			assert_int_equal(
				git_tree_lookup(&old, r, git_tree_entry_id(e)),
				0);
		assert_int_equal(git_treebuilder_new(&sub, r, old), 0);
		assert_int_equal(git_treebuilder_insert(NULL, sub, paths[i] + 3,
							&blob,
							GIT_FILEMODE_BLOB),
				 0);
		assert_int_equal(git_treebuilder_write(&sub_id, sub), 0);
		assert_int_equal(git_treebuilder_insert(NULL, top, dir, &sub_id,
							GIT_FILEMODE_TREE),
				 0);
		git_treebuilder_free(sub);
		git_tree_free(old);
	}
	assert_int_equal(git_treebuilder_write(&id, top), 0);
	git_treebuilder_free(top);
	return id;
}

/*
 * v1: each path added is a message, a path removed is a removal with the
 * removed mail, a path whose blob changed is ignored (as -index does),
 * files outside the xx/y{38} shape are ignored.
 */
static void test_v1(void **state)
{
	char *path = tpath("v1.git");
	git_repository *r = new_repo(path);
	char *paths[4], *texts[4];
	struct archive_stats st;
	struct sink s = {.keep_raw = true};
	git_oid tree;

	(void)state;
	paths[0] = v1_path_of("a");
	paths[1] = v1_path_of("b");
	paths[2] = v1_path_of("c");
	paths[3] = xstrdup("zz/readme"); /* not a message path */
	texts[0] = mail("a");
	texts[1] = mail("b");
	texts[2] = mail("c");
	texts[3] = xstrdup("not mail");

	tree = v1_tree(r, 1, paths, texts);
	commit_tree(r, &tree, 10, false);
	tree = v1_tree(r, 2, paths, texts);
	commit_tree(r, &tree, 20, false);
	tree = v1_tree(r, 3, paths, texts);
	commit_tree(r, &tree, 30, false);
	/* Remove b: keep a and c. */
	{
		char *p2[2] = {paths[0], paths[2]},
		     *t2[2] = {texts[0], texts[2]};

		tree = v1_tree(r, 2, p2, t2);
		commit_tree(r, &tree, 40, false);
	}
	/* Modify a (same path, new bytes): ignored. */
	{
		char *p2[2] = {paths[0], paths[2]};
		char *t2[2] = {texts[1], texts[2]};

		tree = v1_tree(r, 2, p2, t2);
		commit_tree(r, &tree, 50, false);
	}
	assert_int_equal(sync_with(&s, path, 2, &st), 0);
	assert_int_equal(st.commits, 5);
	assert_int_equal(s.nrecs, 4);
	assert_int_equal(s.recs[0].kind, ARCHIVE_ADD);
	assert_mid(&s.recs[0], "<a@example.org>");
	assert_int_equal(s.recs[0].time, 10);
	assert_mid(&s.recs[1], "<b@example.org>");
	assert_mid(&s.recs[2], "<c@example.org>");
	assert_int_equal(s.recs[3].kind, ARCHIVE_DELETE);
	assert_mid(&s.recs[3], "<b@example.org>");
	assert_int_equal(s.recs[3].time, 40);
	assert_int_equal(st.batches, 3);

	/* A non-message path added: nothing. */
	{
		char *p3[3] = {paths[0], paths[2], paths[3]};
		char *t3[3] = {texts[1], texts[2], texts[3]};

		tree = v1_tree(r, 3, p3, t3);
		commit_tree(r, &tree, 60, false);
	}
	assert_int_equal(sync_with(&s, path, 2, &st), 0);
	assert_int_equal(st.commits, 1);
	assert_int_equal(st.added + st.deleted, 0);
	assert_int_equal(st.batches, 1); /* the cursor still moves */

	for (int i = 0; i < 4; i++) {
		free(paths[i]);
		free(texts[i]);
	}
	sink_release(&s);
	git_repository_free(r);
	free(path);
}

/* --- odd repositories --------------------------------------------------- */

static void write_text(const char *path, const char *text)
{
	assert_int_equal(write_file(path, text, strlen(text)), 0);
}

/*
 * A bare repository whose empty refs/ folder was lost in a copy (git and
 * libgit2 both refuse it) is read through HEAD and packed-refs.
 */
static void test_without_refs_folder(void **state)
{
	char *path = tpath("norefs.git");
	git_repository *r = new_repo(path);
	char tip[ARCHIVE_OID_HEXSZ + 1], *p, *line;
	struct archive_stats st;
	struct sink s = {0};
	git_oid id;

	(void)state;
	v2_add(r, "n1", 1);
	id = v2_add(r, "n2", 2);
	hex(tip, &id);
	git_repository_free(r);
	p = tpath("norefs.git/refs");
	nftw(p, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(p);
	p = tpath("norefs.git/packed-refs");
	line = xasprintf("# pack-refs with: peeled fully-peeled sorted \n"
			 "%s refs/heads/master\n",
			 tip);
	write_text(p, line);
	free(p);
	free(line);
	assert_int_not_equal(git_repository_open_bare(&r, path), 0);

	assert_int_equal(sync_with(&s, path, 0, &st), 0);
	assert_int_equal(s.nrecs, 2);
	assert_string_equal(s.cursors[0].value, tip);
	assert_int_equal(sync_with(&s, path, 0, &st), 0);
	assert_int_equal(st.commits, 0);

	sink_release(&s);
	free(path);
}

/*
 * A blob over MAIL_MAX_BYTES and a blob missing from the object database
 * (a partial clone) are skipped with a log line; the cursor moves on.
 */
static void test_oversized_and_missing_blobs(void **state)
{
	char *path = tpath("odd.git");
	git_repository *r = new_repo(path);
	size_t big_len = (size_t)MAIL_MAX_BYTES + 1;
	char *big = xcalloc(1, big_len + 1);
	char *m, *obj, hx[ARCHIVE_OID_HEXSZ + 1];
	struct archive_stats st;
	struct sink s = {.keep_raw = true};
	git_oid gone, last;

	(void)state;
	memset(big, 'x', big_len);
	v2_add(r, "before", 1);
	v2_commit(r, "m", big, 2, false);
	m = mail("gone");
	gone = blob_of(r, m);
	v2_commit(r, "m", m, 3, false);
	free(m);
	last = v2_add(r, "after", 4);
	hex(hx, &gone);
	obj = tpath("odd.git/objects/%.2s/%s", hx, hx + 2);
	assert_int_equal(unlink(obj), 0);

	assert_int_equal(sync_with(&s, path, 0, &st), 0);
	assert_int_equal(st.commits, 4);
	assert_int_equal(st.skipped, 2);
	assert_int_equal(s.nrecs, 2);
	assert_mid(&s.recs[0], "<before@example.org>");
	assert_mid(&s.recs[1], "<after@example.org>");
	hex(hx, &last);
	assert_string_equal(s.cursors[0].value, hx);

	free(obj);
	free(big);
	sink_release(&s);
	git_repository_free(r);
	free(path);
}

/*
 * A history longer than two walk segments comes out whole and oldest
 * first, and a resume from a cursor inside an older segment yields
 * exactly the rest.
 */
static void test_long_history(void **state)
{
	const size_t n = 2 * ARCHIVE_WALK_SEGMENT + 3;
	char *path = tpath("long.git");
	git_repository *r = new_repo(path);
	char *cmd = xasprintf("git --git-dir='%s' fast-import --quiet", path);
	struct archive_stats st;
	struct sink s = {0};
	git_oid cursor;
	FILE *fi;

	(void)state;
	/* libgit2 writes loose objects and a reflog per commit: slow for
	 * thousands; git fast-import writes one pack (as the bench does). */
	fi = popen(cmd, "w");
	if (!fi) {
		print_message("skip: cannot run git fast-import\n");
		free(cmd);
		free(path);
		git_repository_free(r);
		skip();
	}
	for (size_t i = 0; i < n; i++) {
		char text[64];
		int len = snprintf(text, sizeof(text),
				   "Message-ID: <%zu@x>\n\n%zu\n", i, i);

		fprintf(fi,
			"blob\nmark :1\ndata %d\n%s\n"
			"commit refs/heads/master\n"
			"author A <a@x> %zu +0000\n"
			"committer A <a@x> %zu +0000\n"
			"data 2\nm\n"
			"deleteall\nM 100644 :1 m\n\n",
			len, text, i, i);
	}
	assert_int_equal(pclose(fi), 0);
	free(cmd);

	assert_int_equal(sync_with(&s, path, 0, &st), 0);
	assert_int_equal(s.nrecs, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(s.recs[i].time, (int64_t)i);

	/* Resume after the 101st commit, inside the oldest segment. */
	assert_int_equal(git_oid_fromstr(&cursor, s.recs[100].commit), 0);
	cursor_put(&s, "archive:list", s.recs[100].commit);
	assert_int_equal(sync_with(&s, path, 0, &st), 0);
	assert_int_equal(st.added, n - 101);
	assert_int_equal(s.recs[n].time, 101);
	assert_int_equal(s.recs[s.nrecs - 1].time, (int64_t)n - 1);
	for (size_t i = n; i + 1 < s.nrecs; i++)
		assert_true(s.recs[i].time + 1 == s.recs[i + 1].time);

	sink_release(&s);
	git_repository_free(r);
	free(path);
}

static void test_open_errors(void **state)
{
	char *nothing = tpath("nothing-here");
	char *empty = tpath("empty.git");
	git_repository *r = new_repo(empty);
	struct archive_stats st;
	struct sink s = {0};
	struct archive *a = (struct archive *)1;

	(void)state;
	assert_int_equal(archive_open(&a, nothing, "x"), ERR_NOTFOUND);
	assert_null(a);
	assert_int_equal(archive_open(&a, empty, ""), ERR_PERM);
	assert_int_equal(archive_open(&a, empty, "has space"), ERR_PERM);
	assert_int_equal(archive_open(&a, empty, "nl\n"), ERR_PERM);
	/* An empty repository (no commit yet) has nothing to hand over. */
	assert_int_equal(sync_with(&s, empty, 0, &st), 0);
	assert_int_equal(st.epochs, 1);
	assert_int_equal(st.commits, 0);
	assert_int_equal(s.ncursors, 0);

	git_repository_free(r);
	free(nothing);
	free(empty);
}

/* --- fetching ------------------------------------------------------------ */

static char *file_url(const char *path)
{
	return xasprintf("file://%s", path);
}

/*
 * One repository: clone a mirror, add mail to the origin, fetch again:
 * only the new message comes out. A history the origin rewrote is
 * fetched too (forced) and restarts the epoch.
 */
static void test_fetch_single(void **state)
{
	char *origin = tpath("origin.git"), *mirror = tpath("mirror.git");
	char *url = file_url(origin);
	git_repository *o = new_repo(origin);
	struct archive_stats st;
	struct sink s = {.keep_raw = true};
	char *m;

	(void)state;
	v2_add(o, "f1", 1);
	v2_add(o, "f2", 2);
	assert_int_equal(archive_fetch(mirror, url), 0);
	assert_int_equal(sync_with(&s, mirror, 0, &st), 0);
	assert_int_equal(s.nrecs, 2);

	v2_add(o, "f3", 3);
	assert_int_equal(archive_fetch(mirror, url), 0);
	assert_int_equal(sync_with(&s, mirror, 0, &st), 0);
	assert_int_equal(st.added, 1);
	assert_mid(&s.recs[2], "<f3@example.org>");

	/* An existing repository is fetched whatever its name. */
	{
		char *plain = tpath("plain");

		assert_int_equal(rename(mirror, plain), 0);
		v2_add(o, "f4", 4);
		assert_int_equal(archive_fetch(plain, url), 0);
		assert_int_equal(rename(plain, mirror), 0);
		assert_int_equal(sync_with(&s, mirror, 0, &st), 0);
		assert_int_equal(st.added, 1);
		assert_mid(&s.recs[3], "<f4@example.org>");
		free(plain);
	}

	/* Nothing new: fetch is a no-op, sync too. */
	assert_int_equal(archive_fetch(mirror, url), 0);
	assert_int_equal(sync_with(&s, mirror, 0, &st), 0);
	assert_int_equal(st.commits, 0);

	/* The origin purges f2: its history is rewritten. */
	m = mail("f1");
	v2_commit(o, "m", m, 1, true);
	free(m);
	v2_add(o, "f3", 3);
	assert_int_equal(archive_fetch(mirror, url), 0);
	assert_int_equal(sync_with(&s, mirror, 0, &st), 0);
	assert_int_equal(st.restarts, 1);
	assert_int_equal(st.added, 2);
	assert_mid(&s.recs[s.nrecs - 2], "<f1@example.org>");
	assert_mid(&s.recs[s.nrecs - 1], "<f3@example.org>");

	/* An origin that is not there: a temporary failure, nothing made. */
	{
		char *none = tpath("none.git"), *nurl = tpath("no-origin");
		char *u = file_url(nurl);

		assert_int_equal(archive_fetch(none, u), ERR_TEMP);
		assert_int_equal(access(none, F_OK), -1);
		free(none);
		free(nurl);
		free(u);
	}

	sink_release(&s);
	git_repository_free(o);
	free(origin);
	free(mirror);
	free(url);
}

/*
 * A v2 inbox served as lore does (URL/0, URL/1, ...): the first fetch
 * clones every epoch there is, later ones fetch the local epochs and
 * pick up a new one.
 */
static void test_fetch_inbox(void **state)
{
	char *served = tpath("served"), *s0 = tpath("served/0");
	char *s1 = tpath("served/1"), *s2 = tpath("served/2");
	char *local = tpath("local"), *url = file_url(served);
	git_repository *r0, *r1, *r2;
	struct archive_stats st;
	struct sink s = {.keep_raw = true};

	(void)state;
	assert_int_equal(mkdir(served, 0777), 0);
	r0 = new_repo(s0);
	r1 = new_repo(s1);
	v2_add(r0, "i0", 1);
	v2_add(r1, "i1", 2);
	assert_int_equal(archive_fetch(local, url), 0);
	assert_int_equal(sync_with(&s, local, 0, &st), 0);
	assert_int_equal(st.epochs, 2);
	assert_int_equal(s.nrecs, 2);

	v2_add(r1, "i1b", 3);
	r2 = new_repo(s2);
	v2_add(r2, "i2", 4);
	assert_int_equal(archive_fetch(local, url), 0);
	assert_int_equal(sync_with(&s, local, 0, &st), 0);
	assert_int_equal(st.epochs, 3);
	assert_int_equal(st.added, 2);
	assert_mid(&s.recs[2], "<i1b@example.org>");
	assert_mid(&s.recs[3], "<i2@example.org>");
	assert_int_equal(s.recs[3].epoch, 2);

	/* A remote inbox that does not exist: temporary failure. */
	{
		char *l2 = tpath("local2"), *nurl = tpath("nowhere");
		char *u = file_url(nurl);

		assert_int_equal(archive_fetch(l2, u), ERR_TEMP);
		free(l2);
		free(nurl);
		free(u);
	}

	sink_release(&s);
	git_repository_free(r0);
	git_repository_free(r1);
	git_repository_free(r2);
	free(served);
	free(s0);
	free(s1);
	free(s2);
	free(local);
	free(url);
}

/* --- the real lore epoch in ../shared ----------------------------------- */

/*
 * $PATCHLETTER_SHARED/archives/linux-sparse.0.git, read in place. The
 * expected values come from git, by hand, on a copy with a refs/ folder:
 *   git log --first-parent --reverse --format=%H | sed -n '1p;1000p;1001p;$p'
 *   git show <commit>:m | grep -i -m1 '^message-id:'
 * and SOURCES.md counts 3,545 messages.
 */
static void test_lore_linux_sparse(void **state)
{
	const char *shared = getenv("PATCHLETTER_SHARED");
	struct archive_stats st;
	struct sink s = {.keep_raw = true};
	char *path;

	(void)state;
	if (!shared || !*shared)
		shared = "../shared";
	path = xasprintf("%s/archives/linux-sparse.0.git", shared);
	if (access(path, F_OK) != 0) {
		print_message("skip: %s is absent; the real lore epoch is not "
			      "read\n",
			      path);
		free(path);
		skip();
	}
	assert_int_equal(sync_with(&s, path, 0, &st), 0);
	assert_int_equal(s.nrecs, 3545);
	assert_int_equal(st.added, 3545);
	assert_int_equal(st.deleted, 0);
	assert_string_equal(s.recs[0].commit,
			    "5998a7ad457644a4daa2286dc60a180859e423de");
	assert_int_equal(s.recs[0].time, 1557174609);
	assert_mid(&s.recs[0],
		   "<db1c5b13-8864-f7a9-81b7-8cb153760778@infradead.org>");
	assert_string_equal(s.recs[3544].commit,
			    "84dc4eaa95dc2ad5b2b9ac44a40e89310cc35cff");
	assert_mid(&s.recs[3544], "<aW4keHjmqTS_S9ie@redhat.com>");
	assert_string_equal(s.cursors[0].value,
			    "84dc4eaa95dc2ad5b2b9ac44a40e89310cc35cff");

	/* Resume after the 1,000th commit: exactly the other 2,545. */
	cursor_put(&s, "archive:list",
		   "83273d027edfa1480d8ce6a66298feecf25daa4c");
	assert_int_equal(sync_with(&s, path, 0, &st), 0);
	assert_int_equal(st.added, 2545);
	assert_string_equal(s.recs[3545].commit,
			    "9f835085b5d8890d9c2a48051d9876b45858c044");
	assert_string_equal(s.recs[s.nrecs - 1].commit,
			    "84dc4eaa95dc2ad5b2b9ac44a40e89310cc35cff");
	for (size_t i = 0; i < 2545; i++)
		assert_string_equal(s.recs[3545 + i].commit,
				    s.recs[1000 + i].commit);

	sink_release(&s);
	free(path);
}

/* --- the driver ------------------------------------------------------- */

static int load_cursors(struct sink *s, const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');

		line[strcspn(line, "\n")] = '\0';
		if (!sp)
			continue;
		*sp = '\0';
		cursor_put(s, line, sp + 1);
	}
	fclose(f);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int drive_read(int argc, char **argv)
{
	struct archive_ops ops = {
		.cursor_get = sink_cursor_get,
		.item = sink_item,
		.commit = sink_commit,
	};
	struct archive_stats st;
	struct sink s = {.print = true};
	struct archive *a;
	bool quiet = false;
	double t0;
	int c, r;

	while ((c = getopt(argc, argv, "b:c:s:o:q")) != -1) {
		switch (c) {
		case 'b':
			ops.batch = (unsigned)atoi(optarg);
			break;
		case 'c':
			s.cursor_file = optarg;
			break;
		case 's':
			s.stop_after = (unsigned)atoi(optarg);
			break;
		case 'o':
			s.out_dir = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: test_archive read [-b BATCH] "
				"[-c CURSORS] [-s STOP] [-o DIR] [-q] PATH "
				"NAME\n");
		return 2;
	}
	s.print = !quiet;
	if (s.cursor_file && load_cursors(&s, s.cursor_file)) {
		perror(s.cursor_file);
		return 1;
	}
	if (archive_open(&a, argv[optind], argv[optind + 1]))
		return 1;
	t0 = now();
	r = archive_sync(&st, a, &ops, &s);
	t0 = now() - t0;
	archive_free(a);
	fflush(stdout);
	fprintf(stderr,
		"archive: epochs=%" PRIu64 " commits=%" PRIu64 " added=%" PRIu64
		" deleted=%" PRIu64 " skipped=%" PRIu64 " bytes=%" PRIu64
		" restarts=%" PRIu64 " batches=%" PRIu64 " result=%d\n",
		st.epochs, st.commits, st.added, st.deleted, st.skipped,
		st.bytes, st.restarts, st.batches, r);
	if (quiet)
		fprintf(stderr, "archive: %.3f s, %.0f messages/s, %.1f MB/s\n",
			t0, (double)(st.added + st.deleted) / t0,
			(double)st.bytes / 1e6 / t0);
	sink_release(&s);
	return r < 0 ? 1 : 0;
}

static int drive(int argc, char **argv)
{
	log_init("test_archive", true,
		 getenv("ARCHIVE_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (strcmp(argv[1], "read") == 0)
		return drive_read(argc - 1, argv + 1);
	if (strcmp(argv[1], "fetch") == 0 && argc == 4)
		return archive_fetch(argv[2], argv[3]) ? 1 : 0;
	fprintf(stderr, "usage: test_archive [read ...|fetch PATH URL]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_epoch_in_order),
		cmocka_unit_test(test_batches_and_resume),
		cmocka_unit_test(test_stop_and_error),
		cmocka_unit_test(test_inbox_epochs),
		cmocka_unit_test(test_rewritten_history),
		cmocka_unit_test(test_v1),
		cmocka_unit_test(test_without_refs_folder),
		cmocka_unit_test(test_oversized_and_missing_blobs),
		cmocka_unit_test(test_long_history),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_fetch_single),
		cmocka_unit_test(test_fetch_inbox),
		cmocka_unit_test(test_lore_linux_sparse),
	};

	if (argc > 1)
		return drive(argc, argv);
	log_init("test_archive", true, LOG_LEVEL_QUIET);
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, setup, teardown);
}
