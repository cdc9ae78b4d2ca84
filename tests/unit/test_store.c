/*
 * test_store.c: the store keeps what it is given, all or nothing, across
 * reopening, migration and SIGKILL; it refuses files it must not touch.
 *
 * Links only store.c, person.c and the common helpers: messages are built
 * by hand here. The sqlite3 command-line tool (a test dependency in
 * packaging/deps.sh) loads the version-1 fixture and inspects files from
 * outside the store; tests that need it skip when it is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "store.h"
#include "xalloc.h"

/* --- helpers ---------------------------------------------------------- */

struct fixture {
	char dir[64];
	char *db; /* dir/store.db */
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_store.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	f->db = xasprintf("%s/store.db", f->dir);
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

	nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f->db);
	free(f);
	return 0;
}

static void read_file(struct buf *out, const char *path)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(out, chunk, (size_t)n);
	assert_true(n == 0);
	close(fd);
}

static void write_file(const char *path, const char *s, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_true(write(fd, s, len) == (ssize_t)len);
	close(fd);
}

/*
 * Run the sqlite3 tool on db with sql as its command (or NULL) and the
 * file input on its standard input (or NULL); its standard output goes
 * to out (or nowhere). Returns its exit status, or skips the test when
 * the tool is not installed.
 */
static int run_sqlite3(struct buf *out, const char *db, const char *sql,
		       const char *input)
{
	struct buf ignored = BUF_INIT;
	int pfd[2], status, fd;
	char chunk[4096];
	ssize_t n;
	pid_t pid;

	if (!out)
		out = &ignored;
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		dup2(pfd[1], 1);
		close(pfd[1]);
		if (input) {
			fd = open(input, O_RDONLY);
			if (fd < 0)
				_exit(126);
			dup2(fd, 0);
			close(fd);
		}
		if (sql)
			execlp("sqlite3", "sqlite3", "-batch", "-bail", db, sql,
			       (char *)NULL);
		else
			execlp("sqlite3", "sqlite3", "-batch", "-bail", db,
			       (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], chunk, sizeof(chunk))) > 0)
		buf_add(out, chunk, (size_t)n);
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	buf_release(&ignored);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 127) {
		print_message("sqlite3 tool not installed (apt-get install "
			      "sqlite3); skipping\n");
		skip();
	}
	return WEXITSTATUS(status);
}

/* Catch what the store reports on stderr while the caller acts. */
struct capture {
	int saved, fd;
	char path[64];
};

static void capture_begin(struct capture *c)
{
	snprintf(c->path, sizeof(c->path), "/tmp/test_store_err.XXXXXX");
	c->fd = mkstemp(c->path);
	assert_true(c->fd >= 0);
	fflush(stderr);
	c->saved = dup(2);
	dup2(c->fd, 2);
}

static void capture_end(struct capture *c, struct buf *out)
{
	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	close(c->fd);
	read_file(out, c->path);
	unlink(c->path);
}

static void assert_str_or_null(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* --- messages derived from a number ---------------------------------- */

static void set_person(struct person *p, const char *name, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
static void set_person(struct person *p, const char *name, const char *fmt, ...)
{
	char addr[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(addr, sizeof(addr), fmt, ap);
	va_end(ap);
	person_set(p, name, addr);
}

/*
 * Message number i, every field set and varied by i, so that a reader
 * knows exactly what the writer stored.
 */
static void build_message(struct message *m, unsigned i)
{
	struct mail *mail = &m->mail;
	struct subject *t = &m->tags;
	struct patch *p = &m->patch;
	static const char *const prefixes[] = {"net-next", "RFC", "bpf"};
	size_t k;

	*m = (struct message)MESSAGE_INIT;
	mail->message_id = xasprintf("%u.%u-gen@test.example", i, i * 7);
	mail->in_reply_to =
		i % 3 ? xasprintf("parent-%u@test.example", i / 3) : NULL;
	mail->nr_references = i % 4;
	mail->references = mail->nr_references ? xcalloc(mail->nr_references,
							 sizeof(char *))
					       : NULL;
	for (k = 0; k < mail->nr_references; k++)
		mail->references[k] =
			xasprintf("ref-%u-%zu@test.example", i, k);
	mail->list_id = i % 5 ? xasprintf("list%u.example.org", i % 5) : NULL;
	mail->date = 1700000000 + (int64_t)i;
	set_person(&mail->from, i % 2 ? "Ann \xc3\x89xample" : "",
		   "ann%u@example.org", i);
	mail->subject = xasprintf("[PATCH v%u %u/5] sub: change %u", 1 + i % 4,
				  i % 6, i);
	mail->sender = i % 2 ? xstrdup("sender@example.org") : NULL;
	mail->reply_to = i % 3 == 1 ? xstrdup("reply@example.org") : NULL;
	mail->return_path = i % 4 == 2 ? xstrdup("") : NULL;
	mail->auto_submitted = i % 7 == 3 ? xstrdup("auto-generated") : NULL;
	mail->precedence = i % 5 == 1 ? xstrdup("bulk") : NULL;
	mail->has_list_headers = i % 2;
	if (i % 3 == 2) {
		set_person(&mail->inbody_from, "Bob In-Body",
			   "bob%u@example.com", i);
		mail->inbody_subject = xasprintf("sub: in-body %u", i);
		mail->inbody_date = 1600000000 + (int64_t)i;
	}
	mail->body = xasprintf("Change %u.\n\nSigned-off-by: A <a@b>\n---\n"
			       "v2: notes %u\n dir/f%u.c | 2 +-\n"
			       "diff --git a/dir/f%u.c b/dir/f%u.c\n",
			       i, i, i, i, i);
	mail->body_len = strlen(mail->body);

	t->title = xasprintf("sub: change %u", i);
	t->nr_prefixes = i % 4;
	t->prefixes =
		t->nr_prefixes ? xcalloc(t->nr_prefixes, sizeof(char *)) : NULL;
	for (k = 0; k < t->nr_prefixes; k++)
		t->prefixes[k] = xstrdup(prefixes[k]);
	t->version = 1 + (int)(i % 4);
	t->number = (int)(i % 6) - 1;
	t->total = i % 6 ? 5 : -1;
	t->rfc = i & 1;
	t->resend = (i >> 1) & 1;
	t->reply = (i >> 2) & 1;
	t->forward = (i >> 3) & 1;
	t->pull = (i >> 4) & 1;
	t->patch = (i >> 5) & 1;

	set_person(&m->author, "Ann Author", "author%u@example.org", i % 50);
	m->date = mail->date + (i % 2 ? 3600 : 0);
	m->kind = (enum message_kind)(i % 5);

	p->message_off = 0;
	p->message_len = (size_t)(strstr(mail->body, "---\n") - mail->body);
	p->notes_off = p->message_len + 4;
	p->notes_len = (size_t)(strstr(mail->body, " dir/") - mail->body) -
		       p->notes_off;
	p->diffstat_off = p->notes_off + p->notes_len;
	p->diff_off = (size_t)(strstr(mail->body, "diff --git") - mail->body);
	p->diffstat_len = p->diff_off - p->diffstat_off;
	p->diff_len = mail->body_len - p->diff_off;
	p->has_separator = true;
	p->has_diff = i % 2;
	p->is_pull = i % 5 == 4;
	p->nr_paths = 1 + i % 5;
	p->paths = xcalloc(p->nr_paths, sizeof(char *));
	for (k = 0; k < p->nr_paths; k++)
		p->paths[k] = xasprintf("dir%zu/file%u.c", k, i);
	p->diffstat.files = (unsigned)p->nr_paths;
	p->diffstat.insertions = i % 100;
	p->diffstat.deletions = i % 7;
	p->nr_trailers = 1 + i % 3;
	p->trailers = xcalloc(p->nr_trailers, sizeof(struct trailer));
	for (k = 0; k < p->nr_trailers; k++) {
		p->trailers[k].name =
			xstrdup(k % 2 ? "Reviewed-by" : "Signed-off-by");
		p->trailers[k].value =
			xasprintf("P%zu <p%u@example.org>", k, i);
	}
}

static void assert_message_equal(const struct message *a,
				 const struct message *b)
{
	size_t k;

	assert_string_equal(a->mail.message_id, b->mail.message_id);
	assert_str_or_null(a->mail.in_reply_to, b->mail.in_reply_to);
	assert_int_equal(a->mail.nr_references, b->mail.nr_references);
	for (k = 0; k < a->mail.nr_references; k++)
		assert_string_equal(a->mail.references[k],
				    b->mail.references[k]);
	assert_str_or_null(a->mail.list_id, b->mail.list_id);
	assert_int_equal(a->mail.date, b->mail.date);
	assert_string_equal(a->mail.from.name, b->mail.from.name);
	assert_string_equal(a->mail.from.address, b->mail.from.address);
	assert_string_equal(a->mail.subject, b->mail.subject);
	assert_str_or_null(a->mail.sender, b->mail.sender);
	assert_str_or_null(a->mail.reply_to, b->mail.reply_to);
	assert_str_or_null(a->mail.return_path, b->mail.return_path);
	assert_str_or_null(a->mail.auto_submitted, b->mail.auto_submitted);
	assert_str_or_null(a->mail.precedence, b->mail.precedence);
	assert_int_equal(a->mail.has_list_headers, b->mail.has_list_headers);
	assert_int_equal(a->mail.body_len, b->mail.body_len);
	assert_memory_equal(a->mail.body, b->mail.body, a->mail.body_len);
	assert_int_equal(b->mail.body[b->mail.body_len], '\0');
	assert_str_or_null(a->mail.inbody_from.name, b->mail.inbody_from.name);
	assert_str_or_null(a->mail.inbody_from.address,
			   b->mail.inbody_from.address);
	assert_str_or_null(a->mail.inbody_subject, b->mail.inbody_subject);
	assert_int_equal(a->mail.inbody_date, b->mail.inbody_date);

	assert_string_equal(a->tags.title, b->tags.title);
	assert_int_equal(a->tags.nr_prefixes, b->tags.nr_prefixes);
	for (k = 0; k < a->tags.nr_prefixes; k++)
		assert_string_equal(a->tags.prefixes[k], b->tags.prefixes[k]);
	assert_int_equal(a->tags.version, b->tags.version);
	assert_int_equal(a->tags.number, b->tags.number);
	assert_int_equal(a->tags.total, b->tags.total);
	assert_int_equal(a->tags.rfc, b->tags.rfc);
	assert_int_equal(a->tags.resend, b->tags.resend);
	assert_int_equal(a->tags.reply, b->tags.reply);
	assert_int_equal(a->tags.forward, b->tags.forward);
	assert_int_equal(a->tags.pull, b->tags.pull);
	assert_int_equal(a->tags.patch, b->tags.patch);

	assert_string_equal(a->author.name, b->author.name);
	assert_string_equal(a->author.address, b->author.address);
	assert_int_equal(a->date, b->date);
	assert_int_equal(a->kind, b->kind);

	assert_int_equal(a->patch.message_off, b->patch.message_off);
	assert_int_equal(a->patch.message_len, b->patch.message_len);
	assert_int_equal(a->patch.notes_off, b->patch.notes_off);
	assert_int_equal(a->patch.notes_len, b->patch.notes_len);
	assert_int_equal(a->patch.diffstat_off, b->patch.diffstat_off);
	assert_int_equal(a->patch.diffstat_len, b->patch.diffstat_len);
	assert_int_equal(a->patch.diff_off, b->patch.diff_off);
	assert_int_equal(a->patch.diff_len, b->patch.diff_len);
	assert_int_equal(a->patch.has_separator, b->patch.has_separator);
	assert_int_equal(a->patch.has_diff, b->patch.has_diff);
	assert_int_equal(a->patch.is_pull, b->patch.is_pull);
	assert_int_equal(a->patch.diffstat.files, b->patch.diffstat.files);
	assert_int_equal(a->patch.diffstat.insertions,
			 b->patch.diffstat.insertions);
	assert_int_equal(a->patch.diffstat.deletions,
			 b->patch.diffstat.deletions);
	assert_int_equal(a->patch.nr_paths, b->patch.nr_paths);
	for (k = 0; k < a->patch.nr_paths; k++)
		assert_string_equal(a->patch.paths[k], b->patch.paths[k]);
	assert_int_equal(a->patch.nr_trailers, b->patch.nr_trailers);
	for (k = 0; k < a->patch.nr_trailers; k++) {
		assert_string_equal(a->patch.trailers[k].name,
				    b->patch.trailers[k].name);
		assert_string_equal(a->patch.trailers[k].value,
				    b->patch.trailers[k].value);
	}
	/* Per-file diff details are not kept (store.h). */
	assert_int_equal(b->patch.nr_files, 0);
}

static struct store *open_ok(const char *path, unsigned flags)
{
	struct store *s = NULL;

	assert_int_equal(store_open(&s, path, flags), 0);
	assert_non_null(s);
	return s;
}

/* --- opening ---------------------------------------------------------- */

static void test_create_fresh(void **state)
{
	struct fixture *f = *state;
	struct store_rulefile rf = STORE_RULEFILE_INIT;
	struct store_stats st;
	struct buf out = BUF_INIT;
	struct store *s;
	int64_t id = -1;

	s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(store_stats(&st, s), 0);
	assert_int_equal(st.schema_version, store_schema_version());
	assert_true(store_schema_version() >= 2);
	assert_int_equal(store_check_plans(s), 0);
	assert_int_equal(st.messages, 0);
	assert_int_equal(st.subscribers, 0);
	assert_int_equal(store_check_integrity(s), 0);

	/*
	 * Foreign keys are enforced on the store's connection: a rule file
	 * of a subscriber that does not exist is refused.
	 */
	rf.subscriber = 4711;
	rf.text = xstrdup("rule {}");
	rf.text_len = strlen(rf.text);
	rf.created = 1;
	assert_int_equal(store_rulefile_add(&id, s, &rf), ERR_PERM);
	store_rulefile_release(&rf);
	assert_int_equal(store_stats(&st, s), 0);
	assert_int_equal(st.rulefiles, 0);
	store_close(s);

	/* Seen from outside: WAL, our version, our application id. */
	assert_int_equal(run_sqlite3(&out, f->db,
				     "PRAGMA journal_mode; PRAGMA user_version;"
				     " PRAGMA application_id;",
				     NULL),
			 0);
	{
		char expect[64];

		snprintf(expect, sizeof(expect), "wal\n%d\n%d\n",
			 store_schema_version(), 0x504c5452);
		assert_string_equal(out.data, expect);
	}
	buf_release(&out);

	/* Reopening an existing store needs no STORE_CREATE. */
	s = open_ok(f->db, 0);
	store_close(s);
}

static void test_open_missing(void **state)
{
	struct fixture *f = *state;
	struct store *s = (struct store *)&s;

	assert_int_equal(store_open(&s, f->db, 0), ERR_NOTFOUND);
	assert_null(s);
	assert_int_equal(access(f->db, F_OK), -1);
	assert_int_equal(store_open(&s, f->db, STORE_READONLY), ERR_NOTFOUND);
	assert_null(s);
}

static void test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	struct buf before = BUF_INIT, after = BUF_INIT, err = BUF_INIT;
	struct capture cap;
	char sql[64], want[128];
	struct store *s;
	const unsigned modes[] = {0, STORE_CREATE, STORE_READONLY};
	size_t i;

	s = open_ok(f->db, STORE_CREATE);
	store_close(s);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d;",
		 store_schema_version() + 1);
	assert_int_equal(run_sqlite3(NULL, f->db, sql, NULL), 0);
	read_file(&before, f->db);

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		capture_begin(&cap);
		assert_int_equal(store_open(&s, f->db, modes[i]), ERR_PERM);
		capture_end(&cap, &err);
		assert_null(s);
		/* The error names both versions. */
		snprintf(want, sizeof(want),
			 "schema version %d is newer than this program's %d",
			 store_schema_version() + 1, store_schema_version());
		assert_non_null(strstr(err.data, want));
		assert_non_null(strstr(err.data, f->db));
		buf_reset(&err);
		read_file(&after, f->db);
		assert_int_equal(after.len, before.len);
		assert_memory_equal(after.data, before.data, before.len);
		buf_reset(&after);
	}
	buf_release(&before);
	buf_release(&after);
	buf_release(&err);
}

static void test_foreign_files_refused(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "From: someone\n\nThis is mail, not SQLite, "
				   "and long enough to fill a header page.\n";
	struct buf before = BUF_INIT, after = BUF_INIT, err = BUF_INIT;
	struct capture cap;
	struct store *s;
	char *other;

	/* A file that is not an SQLite database. */
	write_file(f->db, text, sizeof(text) - 1);
	capture_begin(&cap);
	assert_int_equal(store_open(&s, f->db, STORE_CREATE), ERR_PERM);
	capture_end(&cap, &err);
	assert_null(s);
	assert_non_null(strstr(err.data, "not an SQLite database"));
	read_file(&after, f->db);
	assert_int_equal(after.len, sizeof(text) - 1);
	assert_memory_equal(after.data, text, after.len);
	buf_reset(&err);
	buf_reset(&after);

	/* Another program's SQLite database. */
	other = xasprintf("%s/other.db", f->dir);
	assert_int_equal(run_sqlite3(NULL, other,
				     "CREATE TABLE t (x); INSERT INTO t "
				     "VALUES (1);",
				     NULL),
			 0);
	read_file(&before, other);
	capture_begin(&cap);
	assert_int_equal(store_open(&s, other, STORE_CREATE), ERR_PERM);
	capture_end(&cap, &err);
	assert_null(s);
	assert_non_null(strstr(err.data, "not a patchletter store"));
	read_file(&after, other);
	assert_int_equal(after.len, before.len);
	assert_memory_equal(after.data, before.data, before.len);
	free(other);
	buf_release(&before);
	buf_release(&after);
	buf_release(&err);
}

/* --- messages --------------------------------------------------------- */

/* A message whose fields are at their edges: absent, empty, odd bytes. */
static void build_edge_message(struct message *m)
{
	static const char body[] = "NUL \0 inside, \xe2\x9c\x93 and CRLF\r\n";

	*m = (struct message)MESSAGE_INIT;
	m->mail.message_id = xstrdup(""); /* the mail had none */
	person_set(&m->mail.from, "", "");
	m->mail.subject = xstrdup("");
	m->mail.body = xmemdup0(body, sizeof(body) - 1);
	m->mail.body_len = sizeof(body) - 1;
	m->tags.title = xstrdup("");
	person_set(&m->author, "", "");
	m->patch.message_len = m->mail.body_len;
}

static void test_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct message in[6], out = MESSAGE_INIT;
	int64_t ids[6], id;
	struct store_stats st;
	struct store *s;
	size_t i;

	for (i = 0; i < 5; i++)
		build_message(&in[i], (unsigned)(i * 13 + 1));
	build_edge_message(&in[5]);

	s = open_ok(f->db, STORE_CREATE);
	for (i = 0; i < 6; i++) {
		assert_int_equal(store_message_add(&ids[i], s, &in[i],
						   "test:roundtrip",
						   1700000000 + (int64_t)i),
				 0);
		assert_true(ids[i] > 0);
	}
	/* Another mail without Message-ID is stored too, not a duplicate. */
	assert_int_equal(store_message_add(&id, s, &in[5], "test", 0), 0);
	assert_true(id != ids[5]);
	store_close(s);

	s = open_ok(f->db, 0);
	for (i = 0; i < 5; i++) {
		assert_int_equal(
			store_message_find(&id, s, in[i].mail.message_id), 0);
		assert_int_equal(id, ids[i]);
	}
	assert_int_equal(store_message_find(&id, s, ""), ERR_NOTFOUND);
	assert_int_equal(store_message_find(&id, s, "nope@example"),
			 ERR_NOTFOUND);
	for (i = 0; i < 6; i++) {
		assert_int_equal(store_message_load(&out, s, ids[i]), 0);
		assert_message_equal(&in[i], &out);
		store_message_release(&out);
	}
	assert_int_equal(store_message_load(&out, s, 999999), ERR_NOTFOUND);
	assert_int_equal(store_stats(&st, s), 0);
	assert_int_equal(st.messages, 7);
	assert_int_equal(store_check_integrity(s), 0);
	store_close(s);
	for (i = 0; i < 6; i++)
		store_message_release(&in[i]);
}

static void test_duplicate_message_id(void **state)
{
	struct fixture *f = *state;
	struct message a, b, c, out = MESSAGE_INIT;
	int64_t ida, idb = 0, idc;
	struct store_stats st;
	struct buf err = BUF_INIT;
	struct capture cap;
	struct store *s;

	build_message(&a, 7);
	build_message(&b, 11); /* other content, a's Message-ID */
	free(b.mail.message_id);
	b.mail.message_id = xstrdup(a.mail.message_id);
	build_message(&c, 12);

	s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(store_message_add(&ida, s, &a, "t", 1), 0);

	/* Outside a transaction: refused quietly, the first one kept. */
	capture_begin(&cap);
	assert_int_equal(store_message_add(&idb, s, &b, "t", 2), ERR_EXISTS);
	capture_end(&cap, &err);
	assert_int_equal(err.len, 0);
	assert_int_equal(idb, ida);

	/* Inside one: the batch around the duplicate still commits. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_message_add(&idb, s, &b, "t", 2), ERR_EXISTS);
	assert_int_equal(store_message_add(&idc, s, &c, "t", 3), 0);
	assert_int_equal(store_cursor_set(s, "t", "after-c"), 0);
	assert_int_equal(store_commit(s), 0);
	store_close(s);

	s = open_ok(f->db, 0);
	assert_int_equal(store_stats(&st, s), 0);
	assert_int_equal(st.messages, 2);
	/* Nothing of b was written: a is whole, with its own children. */
	assert_int_equal(store_message_load(&out, s, ida), 0);
	assert_message_equal(&a, &out);
	store_message_release(&out);
	assert_int_equal(store_message_load(&out, s, idc), 0);
	assert_message_equal(&c, &out);
	store_message_release(&out);
	assert_int_equal(store_check_integrity(s), 0);
	store_close(s);
	store_message_release(&a);
	store_message_release(&b);
	store_message_release(&c);
	buf_release(&err);
}

static void test_rollback_keeps_nothing(void **state)
{
	struct fixture *f = *state;
	struct buf cur = BUF_INIT;
	struct message m;
	struct store_stats st;
	struct store *s;
	int64_t id;

	build_message(&m, 3);
	s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(store_cursor_set(s, "src", "1:10"), 0);
	assert_int_equal(store_begin(s), 0);
	assert_true(store_in_transaction(s));
	assert_int_equal(store_message_add(&id, s, &m, "src", 5), 0);
	assert_int_equal(store_cursor_set(s, "src", "1:11"), 0);
	store_rollback(s);
	assert_false(store_in_transaction(s));
	assert_int_equal(store_message_find(&id, s, m.mail.message_id),
			 ERR_NOTFOUND);
	assert_int_equal(store_cursor_get(&cur, s, "src"), 0);
	assert_string_equal(cur.data, "1:10");
	assert_int_equal(store_stats(&st, s), 0);
	assert_int_equal(st.messages, 0);
	store_close(s);
	store_message_release(&m);
	buf_release(&cur);
}

static void test_cursors(void **state)
{
	struct fixture *f = *state;
	struct buf v = BUF_INIT;
	struct store *s;

	s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(store_cursor_get(&v, s, "imap:lkml"), ERR_NOTFOUND);
	assert_int_equal(v.len, 0);
	assert_int_equal(store_cursor_set(s, "imap:lkml", "7:100"), 0);
	assert_int_equal(store_cursor_set(s, "archive:lkml/0", "deadbeef"), 0);
	assert_int_equal(store_cursor_set(s, "imap:lkml", "7:200"), 0);
	store_close(s);
	s = open_ok(f->db, 0);
	assert_int_equal(store_cursor_get(&v, s, "imap:lkml"), 0);
	assert_string_equal(v.data, "7:200");
	buf_reset(&v);
	assert_int_equal(store_cursor_get(&v, s, "archive:lkml/0"), 0);
	assert_string_equal(v.data, "deadbeef");
	store_close(s);
	buf_release(&v);
}

static void test_unparsed(void **state)
{
	struct fixture *f = *state;
	static const char raw[] = "\x00\xff garbage\r\n";
	struct buf out = BUF_INIT;
	struct store_stats st;
	struct store *s;
	int64_t id = 0;

	s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(store_unparsed_add(&id, s, raw, sizeof(raw) - 1,
					    "no header could be read",
					    "imap:lkml", 1700000000),
			 0);
	assert_true(id > 0);
	assert_int_equal(store_stats(&st, s), 0);
	assert_int_equal(st.unparsed, 1);
	store_close(s);
	/* The bytes are kept as they came, NUL and all. */
	assert_int_equal(run_sqlite3(&out, f->db,
				     "SELECT hex(raw), size, reason, source, "
				     "received FROM unparsed;",
				     NULL),
			 0);
	assert_string_equal(out.data, "00FF20676172626167650D0A|12|no header "
				      "could be read|imap:lkml|1700000000\n");
	buf_release(&out);
}

static void test_readonly(void **state)
{
	struct fixture *f = *state;
	struct message m, out = MESSAGE_INIT;
	struct buf err = BUF_INIT;
	struct capture cap;
	struct store *s;
	int64_t id;

	build_message(&m, 1);
	s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(store_message_add(&id, s, &m, "t", 1), 0);
	store_close(s);

	s = open_ok(f->db, STORE_READONLY);
	assert_int_equal(store_message_load(&out, s, id), 0);
	assert_message_equal(&m, &out);
	store_message_release(&out);
	capture_begin(&cap);
	assert_int_equal(store_cursor_set(s, "t", "x"), ERR_PERM);
	capture_end(&cap, &err);
	assert_non_null(strstr(err.data, "store: "));
	store_close(s);
	store_message_release(&m);
	buf_release(&err);
}

static void test_busy_is_temporary(void **state)
{
	struct fixture *f = *state;
	struct store *a, *b;
	struct buf err = BUF_INIT;
	struct capture cap;

	a = open_ok(f->db, STORE_CREATE);
	b = open_ok(f->db, 0);
	assert_int_equal(store_begin(a), 0);
	/* b waits STORE_BUSY_TIMEOUT_MS for a's write lock, then gives up. */
	capture_begin(&cap);
	assert_int_equal(store_cursor_set(b, "x", "1"), ERR_TEMP);
	capture_end(&cap, &err);
	assert_false(store_in_transaction(b));
	assert_non_null(strstr(err.data, "locked"));
	assert_int_equal(store_cursor_set(a, "x", "2"), 0);
	assert_int_equal(store_commit(a), 0);
	assert_int_equal(store_cursor_set(b, "x", "3"), 0);
	store_close(a);
	store_close(b);
	buf_release(&err);
}

/* --- titles ----------------------------------------------------------- */

static void test_title_key(void **state)
{
	static const struct {
		const char *title, *key;
	} cases[] = {
		{"KVM: SVM: Fix the Thing", "kvm: svm: fix the thing"},
		{"  tun:\tadd \r\n  feature  ", "tun: add feature"},
		{"mm: remove is_swap_[pte, pmd]() + ...",
		 "mm: remove is_swap_[pte, pmd]() +"},
		{"fix the leak.", "fix the leak"},
		{"fix the leak .. ", "fix the leak"},
		{".gitignore: add foo", ".gitignore: add foo"},
		{"\xc3\x89"
		 "COLE: Caf\xc3\xa9",
		 "\xc3\x89"
		 "cole: caf\xc3\xa9"},
		{"", ""},
		{" . ", ""},
	};
	struct buf key = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		buf_adds(&key, "prefix ");
		store_title_key(&key, cases[i].title, strlen(cases[i].title));
		assert_string_equal(key.data + strlen("prefix "), cases[i].key);
		buf_reset(&key);
	}
	buf_release(&key);
}

/* --- migration -------------------------------------------------------- */

/* The file's schema, whitespace removed, as the sqlite3 tool prints it. */
static void schema_of(struct buf *out, const char *db)
{
	struct buf raw = BUF_INIT;
	size_t i;

	assert_int_equal(run_sqlite3(&raw, db,
				     "SELECT type, name, tbl_name, sql FROM "
				     "sqlite_schema ORDER BY type, name;",
				     NULL),
			 0);
	for (i = 0; i < raw.len; i++)
		if (raw.data[i] != ' ' && raw.data[i] != '\t' &&
		    raw.data[i] != '\n')
			buf_addch(out, raw.data[i]);
	buf_release(&raw);
}

static void test_migrate_from_v1(void **state)
{
	struct fixture *f = *state;
	const char *fixtures = getenv("PATCHLETTER_FIXTURES");
	struct buf out = BUF_INIT, fresh = BUF_INIT, migrated = BUF_INIT;
	struct message m = MESSAGE_INIT;
	struct store_stats st;
	struct store *s;
	char *sql, *fresh_db;
	int64_t id;

	if (!fixtures) {
		print_message("PATCHLETTER_FIXTURES not set; skipping\n");
		skip();
	}
	sql = xasprintf("%s/store/schema-v1.sql", fixtures);
	assert_int_equal(run_sqlite3(NULL, f->db, NULL, sql), 0);
	free(sql);
	assert_int_equal(run_sqlite3(&out, f->db, "PRAGMA user_version;", NULL),
			 0);
	assert_string_equal(out.data, "1\n");
	buf_reset(&out);

	/* A read-only open cannot migrate and says so. */
	assert_int_equal(store_open(&s, f->db, STORE_READONLY), ERR_PERM);

	s = open_ok(f->db, 0);
	assert_int_equal(store_stats(&st, s), 0);
	assert_int_equal(st.schema_version, store_schema_version());
	assert_int_equal(store_check_plans(s), 0);
	assert_int_equal(st.messages, 3);
	assert_int_equal(st.unparsed, 1);
	assert_int_equal(st.cursors, 1);
	assert_int_equal(store_check_integrity(s), 0);

	/* Patch 1/2 of the fixture, as its INSERT wrote it. */
	assert_int_equal(
		store_message_find(&id, s, "20231114-tun-1-v2@example.org"), 0);
	assert_int_equal(id, 2);
	assert_int_equal(store_message_load(&m, s, id), 0);
	assert_string_equal(m.mail.in_reply_to,
			    "cover.1700000000.git.alice@example.org");
	assert_int_equal(m.mail.nr_references, 1);
	assert_string_equal(m.mail.references[0],
			    "cover.1700000000.git.alice@example.org");
	assert_string_equal(m.mail.list_id, "netdev.vger.kernel.org");
	assert_int_equal(m.date, 1699990000);
	assert_int_equal(m.mail.date, 1700000001);
	assert_string_equal(m.mail.from.address, "bot@example.org");
	assert_string_equal(m.author.name, "Bob Example");
	assert_string_equal(m.author.address, "bob@example.com");
	assert_string_equal(m.tags.title, "tun: free the frobnicator");
	assert_int_equal(m.tags.nr_prefixes, 1);
	assert_string_equal(m.tags.prefixes[0], "net-next");
	assert_int_equal(m.tags.version, 2);
	assert_int_equal(m.tags.number, 1);
	assert_int_equal(m.tags.total, 2);
	assert_true(m.tags.patch);
	assert_false(m.tags.reply);
	assert_int_equal(m.kind, MESSAGE_PATCH);
	assert_string_equal(m.mail.sender, "bot@example.org");
	assert_string_equal(m.mail.precedence, "bulk");
	assert_null(m.mail.reply_to);
	assert_string_equal(m.mail.inbody_from.address, "bob@example.com");
	assert_int_equal(m.mail.inbody_date, 1699990000);
	assert_int_equal(m.mail.body_len, 135);
	assert_memory_equal(m.mail.body + m.patch.diffstat_off,
			    " drivers/net/tun.c | 1 +\n", m.patch.diffstat_len);
	assert_true(strncmp(m.mail.body + m.patch.diff_off, "diff --git ",
			    11) == 0);
	assert_int_equal(m.patch.notes_len, 0);
	assert_true(m.patch.has_separator);
	assert_int_equal(m.patch.diffstat.files, 1);
	assert_int_equal(m.patch.diffstat.insertions, 1);
	assert_int_equal(m.patch.nr_paths, 1);
	assert_string_equal(m.patch.paths[0], "drivers/net/tun.c");
	assert_int_equal(m.patch.nr_trailers, 1);
	assert_string_equal(m.patch.trailers[0].name, "Signed-off-by");
	store_message_release(&m);

	/* The review, with its two references in order. */
	assert_int_equal(store_message_find(&id, s, "review-1@example.net"), 0);
	assert_int_equal(store_message_load(&m, s, id), 0);
	assert_int_equal(m.kind, MESSAGE_REPLY);
	assert_int_equal(m.mail.nr_references, 2);
	assert_string_equal(m.mail.references[1],
			    "20231114-tun-1-v2@example.org");
	assert_string_equal(m.mail.from.name, "");
	store_message_release(&m);

	assert_int_equal(store_cursor_get(&out, s, "imap:netdev"), 0);
	assert_string_equal(out.data, "1700000000:4711");
	buf_reset(&out);
	/* The migrated file takes new rows of every kind. */
	assert_int_equal(store_subscriber_add(&id, s, "new@example.org",
					      SUBSCRIBER_ACTIVE, 5),
			 0);
	store_close(s);

	/* Version 2 filled the normalised titles of the old rows. */
	assert_int_equal(run_sqlite3(&out, f->db,
				     "SELECT m.id, m.title_norm, s.message IS "
				     "NULL FROM messages m LEFT JOIN "
				     "series_members s ON s.message = m.id "
				     "ORDER BY m.id;",
				     NULL),
			 0);
	assert_string_equal(out.data, "1|tun: fix the frobnicator|1\n"
				      "2|tun: free the frobnicator|1\n"
				      "3|tun: free the frobnicator|1\n");
	buf_reset(&out);

	/* And the schema is the one a new store gets. */
	fresh_db = xasprintf("%s/fresh.db", f->dir);
	s = open_ok(fresh_db, STORE_CREATE);
	store_close(s);
	schema_of(&fresh, fresh_db);
	schema_of(&migrated, f->db);
	assert_string_equal(migrated.data, fresh.data);
	free(fresh_db);
	buf_release(&out);
	buf_release(&fresh);
	buf_release(&migrated);
}

/* --- SIGKILL in the middle of ingest --------------------------------- */

#define CRASH_MESSAGES 20000
#define CRASH_BATCH    100
#define CRASH_SOURCE   "test:crash"

/*
 * The child: resume from the cursor, store batches of messages and the
 * new cursor in one transaction each, report each commit on fd.
 */
static void NORETURN crash_writer(const char *path, int fd)
{
	struct buf cur = BUF_INIT;
	struct message m;
	struct store *s;
	unsigned start = 0, i, j;
	char value[32];
	int64_t id;

	if (store_open(&s, path, STORE_CREATE))
		_exit(2);
	if (store_cursor_get(&cur, s, CRASH_SOURCE) == 0)
		start = (unsigned)strtoul(cur.data, NULL, 10);
	buf_release(&cur);
	for (i = start; i < CRASH_MESSAGES; i += CRASH_BATCH) {
		if (store_begin(s))
			_exit(3);
		for (j = i; j < i + CRASH_BATCH; j++) {
			build_message(&m, j);
			if (store_message_add(&id, s, &m, CRASH_SOURCE, j))
				_exit(4);
			store_message_release(&m);
		}
		snprintf(value, sizeof(value), "%u", i + CRASH_BATCH);
		if (store_cursor_set(s, CRASH_SOURCE, value) || store_commit(s))
			_exit(5);
		if (write(fd, "c", 1) != 1)
			_exit(6);
	}
	store_close(s);
	_exit(0);
}

/*
 * After the child: the file is sound, the cursor names a batch boundary
 * and exactly the messages before it are there, each whole.
 */
static unsigned crash_verify(const char *path)
{
	struct message want, got = MESSAGE_INIT;
	struct buf cur = BUF_INIT;
	struct store_stats st;
	unsigned done = 0, i;
	struct store *s;
	int64_t id;

	s = open_ok(path, 0);
	assert_int_equal(store_check_integrity(s), 0);
	if (store_cursor_get(&cur, s, CRASH_SOURCE) == 0)
		done = (unsigned)strtoul(cur.data, NULL, 10);
	buf_release(&cur);
	assert_int_equal(done % CRASH_BATCH, 0);
	assert_int_equal(store_stats(&st, s), 0);
	assert_int_equal(st.messages, done);
	for (i = 0; i < done; i++) {
		build_message(&want, i);
		assert_int_equal(
			store_message_find(&id, s, want.mail.message_id), 0);
		assert_int_equal(store_message_load(&got, s, id), 0);
		assert_message_equal(&want, &got);
		store_message_release(&got);
		store_message_release(&want);
	}
	/* The batch being written when the kill came left nothing. */
	for (i = done; i < done + CRASH_BATCH && i < CRASH_MESSAGES; i++) {
		build_message(&want, i);
		assert_int_equal(
			store_message_find(&id, s, want.mail.message_id),
			ERR_NOTFOUND);
		store_message_release(&want);
	}
	store_close(s);
	return done;
}

static void test_sigkill_mid_ingest(void **state)
{
	struct fixture *f = *state;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	unsigned round, commits, target, done = 0, killed = 0, prev = 0;
	const char *env = getenv("PATCHLETTER_SEED");
	int pfd[2], status;
	char c;
	pid_t pid;

	if (env)
		seed = (unsigned)strtoul(env, NULL, 10);
	print_message("crash test seed %u (PATCHLETTER_SEED to repeat)\n",
		      seed);
	srand(seed);
	for (round = 0; round < 5; round++) {
		bool last = round == 4;

		assert_int_equal(pipe(pfd), 0);
		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(pfd[0]);
			crash_writer(f->db, pfd[1]);
		}
		close(pfd[1]);
		/* Wait for a few commits, then kill at a random moment. */
		target = 1 + (unsigned)rand() % 30;
		commits = 0;
		while (commits < target && read(pfd[0], &c, 1) == 1)
			commits++;
		if (!last) {
			usleep((useconds_t)(rand() % 20000));
			kill(pid, SIGKILL);
		}
		while (read(pfd[0], &c, 1) == 1)
			;
		close(pfd[0]);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (last) {
			assert_true(WIFEXITED(status));
			assert_int_equal(WEXITSTATUS(status), 0);
		} else if (WIFSIGNALED(status)) {
			assert_int_equal(WTERMSIG(status), SIGKILL);
			killed++;
		} else {
			assert_int_equal(WEXITSTATUS(status), 0);
		}
		done = crash_verify(f->db);
		assert_true(done >= prev); /* committed work never goes */
		prev = done;
		print_message("round %u: %u messages committed\n", round, done);
	}
	assert_int_equal(done, CRASH_MESSAGES);
	assert_true(killed > 0); /* the kills did land mid-ingest */
}

/* --- subscribers, rule files, outbox ---------------------------------- */

static void test_subscribers(void **state)
{
	struct fixture *f = *state;
	struct store_subscriber sub = STORE_SUBSCRIBER_INIT;
	struct store *s;
	int64_t id, id2;

	s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(store_subscriber_add(&id, s, "Maint@Example.org",
					      SUBSCRIBER_PENDING, 100),
			 0);
	/* One mailbox, one subscription, whatever the case. */
	assert_int_equal(store_subscriber_add(&id2, s, "maint@example.ORG",
					      SUBSCRIBER_ACTIVE, 101),
			 ERR_EXISTS);
	assert_int_equal(store_subscriber_find(&sub, s, "MAINT@example.org"),
			 0);
	assert_int_equal(sub.id, id);
	assert_string_equal(sub.address, "Maint@Example.org");
	assert_int_equal(sub.status, SUBSCRIBER_PENDING);
	assert_int_equal(sub.created, 100);
	assert_int_equal(sub.last_digest_at, 0);
	assert_int_equal(store_subscriber_set_status(s, id, SUBSCRIBER_PAUSED),
			 0);
	assert_int_equal(store_subscriber_find(&sub, s, "maint@example.org"),
			 0);
	assert_int_equal(sub.status, SUBSCRIBER_PAUSED);
	assert_int_equal(store_subscriber_find(&sub, s, "other@example.org"),
			 ERR_NOTFOUND);
	assert_null(sub.address);
	assert_int_equal(
		store_subscriber_set_status(s, id + 100, SUBSCRIBER_ACTIVE),
		ERR_NOTFOUND);
	store_subscriber_release(&sub);
	store_close(s);
}

static void test_rulefiles(void **state)
{
	struct fixture *f = *state;
	struct store_rulefile rf = STORE_RULEFILE_INIT, *hist = NULL;
	static const char text1[] = "schedule = \"daily\"\nrule kvm {}\n";
	static const char text2[] = "schedule = 'weekly'\n\0binary";
	struct store *s;
	int64_t sub, r1, r2, r3;
	size_t nr;

	s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(store_subscriber_add(&sub, s, "r@example.org",
					      SUBSCRIBER_ACTIVE, 1),
			 0);
	rf.subscriber = sub;
	rf.text = (char *)text1;
	rf.text_len = sizeof(text1) - 1;
	rf.created = 10;
	rf.state = RULEFILE_ACTIVE;
	assert_int_equal(store_rulefile_add(&r1, s, &rf), 0);
	/* A second active one is refused; a proposal is not. */
	rf.created = 20;
	assert_int_equal(store_rulefile_add(&r2, s, &rf), ERR_EXISTS);
	rf.text = (char *)text2;
	rf.text_len = sizeof(text2) - 1;
	rf.state = RULEFILE_PROPOSED;
	rf.token_hash = (char *)"c0ffee";
	rf.token_expires = 1000;
	assert_int_equal(store_rulefile_add(&r2, s, &rf), 0);
	/* A token hash is unique. */
	assert_int_equal(store_rulefile_add(&r3, s, &rf), ERR_EXISTS);

	assert_int_equal(store_rulefile_activate(s, r2), 0);
	assert_int_equal(store_rulefile_activate(s, r2 + 50), ERR_NOTFOUND);
	assert_int_equal(store_rulefile_history(&hist, &nr, s, sub, 10), 0);
	assert_int_equal(nr, 2);
	assert_int_equal(hist[0].id, r2); /* newest first */
	assert_int_equal(hist[0].state, RULEFILE_ACTIVE);
	assert_int_equal(hist[0].text_len, sizeof(text2) - 1);
	assert_memory_equal(hist[0].text, text2, sizeof(text2) - 1);
	assert_null(hist[0].token_hash); /* used up */
	assert_int_equal(hist[0].created, 20);
	assert_int_equal(hist[1].id, r1);
	assert_int_equal(hist[1].state, RULEFILE_SUPERSEDED);
	assert_string_equal(hist[1].text, text1);
	store_rulefiles_free(hist, nr);
	assert_int_equal(store_rulefile_history(&hist, &nr, s, sub, 1), 0);
	assert_int_equal(nr, 1);
	store_rulefiles_free(hist, nr);
	store_close(s);
}

/* The generation moves with the rules in force, and only with them. */
static void test_subscriptions_generation(void **state)
{
	struct fixture *f = *state;
	struct store_rulefile rf = STORE_RULEFILE_INIT;
	static const char text[] = "rule kvm {}\n";
	struct store *s;
	int64_t g0, g, sub, r1, r2;

	s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(store_subscriptions_generation(&g0, s), 0);
	assert_int_equal(store_subscriber_add(&sub, s, "g@example.org",
					      SUBSCRIBER_PENDING, 1),
			 0);
	assert_int_equal(store_subscriptions_generation(&g, s), 0);
	assert_true(g > g0);
	/* A proposal counts (it is cheap to be safe), its activation too. */
	rf.subscriber = sub;
	rf.text = (char *)text;
	rf.text_len = sizeof(text) - 1;
	rf.created = 2;
	rf.state = RULEFILE_PROPOSED;
	rf.token_hash = (char *)"beef";
	rf.token_expires = 100;
	g0 = g;
	assert_int_equal(store_rulefile_add(&r1, s, &rf), 0);
	assert_int_equal(store_subscriptions_generation(&g, s), 0);
	assert_true(g > g0);
	g0 = g;
	assert_int_equal(store_rulefile_activate(s, r1), 0);
	assert_int_equal(store_subscriptions_generation(&g, s), 0);
	assert_true(g > g0);
	g0 = g;
	assert_int_equal(store_subscriber_set_status(s, sub, SUBSCRIBER_PAUSED),
			 0);
	assert_int_equal(store_subscriptions_generation(&g, s), 0);
	assert_true(g > g0);
	/* A digest sent or a token set changes no rule. */
	g0 = g;
	assert_int_equal(store_subscriber_set_last_digest(s, sub, 50), 0);
	assert_int_equal(store_subscriptions_generation(&g, s), 0);
	assert_int_equal(g, g0);
	/* A rolled-back change leaves it where it was. */
	assert_int_equal(store_begin(s), 0);
	rf.token_hash = (char *)"cafe";
	assert_int_equal(store_rulefile_add(&r2, s, &rf), 0);
	store_rollback(s);
	assert_int_equal(store_subscriptions_generation(&g, s), 0);
	assert_int_equal(g, g0);
	assert_int_equal(store_subscriber_delete(s, sub), 0);
	assert_int_equal(store_subscriptions_generation(&g, s), 0);
	assert_true(g > g0);
	store_close(s);
}

static void test_outbox(void **state)
{
	struct fixture *f = *state;
	struct store_outbox o = STORE_OUTBOX_INIT, got = STORE_OUTBOX_INIT;
	struct store_outbox *list;
	size_t nr;
	static const char mail[] =
		"From: bot\r\nSubject: digest\r\n\r\nbody\0x";
	struct store_stats st;
	struct store *s;
	int64_t sub, id1, id2, when;

	s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(store_subscriber_add(&sub, s, "o@example.org",
					      SUBSCRIBER_ACTIVE, 1),
			 0);
	assert_int_equal(store_outbox_next_time(&when, s), ERR_NOTFOUND);
	o.subscriber = sub;
	o.kind = OUTBOX_DIGEST;
	o.message_id = (char *)"digest-1@bot.example";
	o.envelope_from = (char *)"bot@example.org";
	o.recipient = (char *)"o@example.org";
	o.mail = (char *)mail;
	o.mail_len = sizeof(mail) - 1;
	assert_int_equal(store_outbox_enqueue(&id1, s, &o, 100), 0);
	assert_int_equal(store_outbox_enqueue(&id2, s, &o, 100), ERR_EXISTS);
	o.subscriber = 0;
	o.kind = OUTBOX_REPLY;
	o.message_id = (char *)"reply-1@bot.example";
	o.recipient = (char *)"stranger@example.net";
	assert_int_equal(store_outbox_enqueue(&id2, s, &o, 150), 0);

	assert_int_equal(store_outbox_next_time(&when, s), 0);
	assert_int_equal(when, 100);
	assert_int_equal(store_outbox_next_due(&got, s, 99), ERR_NOTFOUND);
	assert_int_equal(store_outbox_next_due(&got, s, 200), 0);
	assert_int_equal(got.id, id1);
	assert_int_equal(got.subscriber, sub);
	assert_int_equal(got.kind, OUTBOX_DIGEST);
	assert_string_equal(got.message_id, "digest-1@bot.example");
	assert_string_equal(got.envelope_from, "bot@example.org");
	assert_string_equal(got.recipient, "o@example.org");
	assert_int_equal(got.mail_len, sizeof(mail) - 1);
	assert_memory_equal(got.mail, mail, sizeof(mail) - 1);
	assert_int_equal(got.status, OUTBOX_QUEUED);
	assert_int_equal(got.attempts, 0);

	/* A 4xx: retried later; the other mail is due first now. */
	assert_int_equal(store_outbox_mark_failed(s, id1, "451 try later", 500),
			 0);
	/* Listed: all queued, newest first; the deferred one alone. */
	assert_int_equal(store_outbox_list(&list, &nr, s, OUTBOX_QUEUED, false,
					   10),
			 0);
	assert_int_equal(nr, 2);
	assert_int_equal(list[0].id, id2);
	assert_int_equal(list[1].id, id1);
	assert_null(list[1].mail);
	store_outboxes_free(list, nr);
	assert_int_equal(store_outbox_list(&list, &nr, s, OUTBOX_QUEUED, false,
					   1),
			 0);
	assert_int_equal(nr, 1);
	assert_int_equal(list[0].id, id2);
	store_outboxes_free(list, nr);
	assert_int_equal(store_outbox_list(&list, &nr, s, OUTBOX_QUEUED, true,
					   10),
			 0);
	assert_int_equal(nr, 1);
	assert_int_equal(list[0].id, id1);
	assert_string_equal(list[0].recipient, "o@example.org");
	assert_string_equal(list[0].last_error, "451 try later");
	assert_int_equal(list[0].next_attempt_at, 500);
	assert_int_equal(list[0].attempts, 1);
	store_outboxes_free(list, nr);
	/* Brought forward, the deferred mail is due now; then put back. */
	assert_int_equal(store_outbox_retry_now(&when, s, 200), 0);
	assert_int_equal(when, 1);
	assert_int_equal(store_outbox_list(&list, &nr, s, OUTBOX_QUEUED, true,
					   10),
			 0);
	assert_int_equal(nr, 1);
	assert_int_equal(list[0].id, id1);
	assert_int_equal(list[0].next_attempt_at, 200);
	store_outboxes_free(list, nr);
	assert_int_equal(store_outbox_mark_failed(s, id1, "451 try later", 500),
			 0);
	assert_int_equal(store_outbox_next_due(&got, s, 200), 0);
	assert_int_equal(got.id, id2);
	assert_int_equal(got.subscriber, 0);
	assert_int_equal(got.kind, OUTBOX_REPLY);
	assert_int_equal(store_outbox_mark_sent(s, id2, 201), 0);
	/* Sent once is sent: not again. */
	assert_int_equal(store_outbox_mark_sent(s, id2, 202), ERR_NOTFOUND);
	assert_int_equal(store_outbox_next_due(&got, s, 499), ERR_NOTFOUND);
	assert_int_equal(store_outbox_next_due(&got, s, 500), 0);
	assert_int_equal(got.id, id1);
	assert_int_equal(got.attempts, 2);
	assert_string_equal(got.last_error, "451 try later");
	/* A 5xx: given up. */
	assert_int_equal(store_outbox_mark_failed(s, id1, "550 no", 0), 0);
	assert_int_equal(store_outbox_next_time(&when, s), ERR_NOTFOUND);
	assert_int_equal(store_stats(&st, s), 0);
	assert_int_equal(st.outbox_queued, 0);
	assert_int_equal(st.outbox_sent, 1);
	assert_int_equal(st.outbox_failed, 1);
	assert_int_equal(store_outbox_list(&list, &nr, s, OUTBOX_FAILED, true,
					   10),
			 0);
	assert_int_equal(nr, 1);
	assert_int_equal(list[0].id, id1);
	assert_int_equal(list[0].status, OUTBOX_FAILED);
	assert_string_equal(list[0].last_error, "550 no");
	assert_string_equal(list[0].message_id, "digest-1@bot.example");
	assert_int_equal(list[0].attempts, 3);
	store_outboxes_free(list, nr);
	assert_int_equal(store_outbox_list(&list, &nr, s, OUTBOX_QUEUED, false,
					   10),
			 0);
	assert_int_equal(nr, 0);
	store_outboxes_free(list, nr);
	store_outbox_release(&got);
	store_close(s);
}

/* Proposals are found by their token's hash, once: activated or
 * withdrawn, they are no longer there. */
static void test_rulefile_tokens(void **state)
{
	struct fixture *f = *state;
	struct store_rulefile rf = STORE_RULEFILE_INIT;
	struct store_rulefile got = STORE_RULEFILE_INIT;
	static const char text[] = "rule \"a\" { paths = { \"net/\" } }\n";
	struct store *s;
	int64_t sub, other, r1, r2, r3, n;

	s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(store_subscriber_add(&sub, s, "t@example.org",
					      SUBSCRIBER_PENDING, 1),
			 0);
	assert_int_equal(store_subscriber_add(&other, s, "u@example.org",
					      SUBSCRIBER_ACTIVE, 1),
			 0);
	rf.subscriber = sub;
	rf.text = (char *)text;
	rf.text_len = sizeof(text) - 1;
	rf.created = 10;
	rf.state = RULEFILE_PROPOSED;
	rf.token_hash = (char *)"hash-1";
	rf.token_expires = 500;
	assert_int_equal(store_rulefile_add(&r1, s, &rf), 0);
	rf.token_hash = (char *)"hash-2";
	assert_int_equal(store_rulefile_add(&r2, s, &rf), 0);
	rf.subscriber = other;
	rf.token_hash = (char *)"hash-3";
	assert_int_equal(store_rulefile_add(&r3, s, &rf), 0);

	assert_int_equal(store_rulefile_by_token(&got, s, "hash-2"), 0);
	assert_int_equal(got.id, r2);
	assert_int_equal(got.subscriber, sub);
	assert_int_equal(got.state, RULEFILE_PROPOSED);
	assert_int_equal(got.token_expires, 500);
	assert_string_equal(got.token_hash, "hash-2");
	assert_string_equal(got.text, text);
	assert_int_equal(store_rulefile_by_token(&got, s, "hash-9"),
			 ERR_NOTFOUND);
	assert_null(got.text);

	/* Withdrawing touches this subscriber's proposals only. */
	assert_int_equal(store_rulefile_withdraw(&n, s, sub), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_rulefile_by_token(&got, s, "hash-1"),
			 ERR_NOTFOUND);
	assert_int_equal(store_rulefile_by_token(&got, s, "hash-2"),
			 ERR_NOTFOUND);
	assert_int_equal(store_rulefile_by_token(&got, s, "hash-3"), 0);
	assert_int_equal(got.id, r3);
	/* Activated: its token is used up. */
	assert_int_equal(store_rulefile_activate(s, r3), 0);
	assert_int_equal(store_rulefile_by_token(&got, s, "hash-3"),
			 ERR_NOTFOUND);
	assert_int_equal(store_rulefile_withdraw(&n, s, other), 0);
	assert_int_equal(n, 0); /* the active one is no proposal */
	assert_int_equal(store_rulefile_active(&got, s, other), 0);
	assert_int_equal(got.id, r3);
	(void)r1;
	store_rulefile_release(&got);
	store_close(s);
}

/*
 * Pending subscribers are forgotten once every proposal of theirs
 * expired; active ones, and pending ones still waiting, stay.
 */
static void test_subscribers_expire(void **state)
{
	struct fixture *f = *state;
	struct store_rulefile rf = STORE_RULEFILE_INIT, *hist = NULL;
	struct store_subscriber sub = STORE_SUBSCRIBER_INIT;
	struct store *s;
	int64_t old, young, waiting, active, r, n, count;
	size_t nr;

	s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(store_subscribers_count(&count, s), 0);
	assert_int_equal(count, 0);
	assert_int_equal(store_subscriber_add(&old, s, "old@example.org",
					      SUBSCRIBER_PENDING, 100),
			 0);
	assert_int_equal(store_subscriber_add(&young, s, "young@example.org",
					      SUBSCRIBER_PENDING, 900),
			 0);
	assert_int_equal(store_subscriber_add(&waiting, s,
					      "waiting@example.org",
					      SUBSCRIBER_PENDING, 100),
			 0);
	assert_int_equal(store_subscriber_add(&active, s, "act@example.org",
					      SUBSCRIBER_ACTIVE, 100),
			 0);
	rf.text = (char *)"x";
	rf.text_len = 1;
	rf.state = RULEFILE_PROPOSED;
	rf.subscriber = old;
	rf.token_hash = (char *)"h-old";
	rf.token_expires = 700; /* expired at 1000 */
	assert_int_equal(store_rulefile_add(&r, s, &rf), 0);
	rf.subscriber = waiting;
	rf.token_hash = (char *)"h-waiting-old";
	assert_int_equal(store_rulefile_add(&r, s, &rf), 0);
	rf.token_hash = (char *)"h-waiting-new";
	rf.token_expires = 1500; /* a newer request, still waiting */
	assert_int_equal(store_rulefile_add(&r, s, &rf), 0);
	rf.subscriber = active;
	rf.token_hash = (char *)"h-active";
	rf.token_expires = 700;
	assert_int_equal(store_rulefile_add(&r, s, &rf), 0);
	assert_int_equal(store_subscribers_count(&count, s), 0);
	assert_int_equal(count, 4);

	/* At 1000 with a timeout of 600: created before 400 may go. */
	assert_int_equal(store_subscribers_expire(&n, s, 400, 1000), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_subscriber_find(&sub, s, "old@example.org"),
			 ERR_NOTFOUND);
	assert_int_equal(store_rulefile_history(&hist, &nr, s, old, 10), 0);
	assert_int_equal(nr, 0); /* its rule files went with it */
	store_rulefiles_free(hist, nr);
	assert_int_equal(store_subscriber_find(&sub, s, "young@example.org"),
			 0);
	assert_int_equal(store_subscriber_find(&sub, s, "waiting@example.org"),
			 0);
	assert_int_equal(store_subscriber_find(&sub, s, "act@example.org"), 0);
	assert_int_equal(store_subscribers_count(&count, s), 0);
	assert_int_equal(count, 3);
	/* Later, the newer request expired too. */
	assert_int_equal(store_subscribers_expire(&n, s, 1000, 1600), 0);
	assert_int_equal(n, 2); /* waiting, and young (no proposal) */
	assert_int_equal(store_subscriber_find(&sub, s, "act@example.org"), 0);
	store_subscriber_release(&sub);
	store_close(s);
}

/* The log counts per address and direction within the window asked;
 * addresses compare without case; pruning forgets old entries. */
static void test_mail_log(void **state)
{
	struct fixture *f = *state;
	struct store *s;
	int64_t n;

	s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(
		store_mail_log_add(s, "a@example.org", MAIL_LOG_IN, 100), 0);
	assert_int_equal(
		store_mail_log_add(s, "A@Example.org", MAIL_LOG_IN, 200), 0);
	assert_int_equal(
		store_mail_log_add(s, "a@example.org", MAIL_LOG_IN, 300), 0);
	assert_int_equal(
		store_mail_log_add(s, "a@example.org", MAIL_LOG_OUT, 300), 0);
	assert_int_equal(
		store_mail_log_add(s, "b@example.org", MAIL_LOG_IN, 300), 0);
	assert_int_equal(
		store_mail_log_count(&n, s, "a@EXAMPLE.org", MAIL_LOG_IN, 0),
		0);
	assert_int_equal(n, 3);
	assert_int_equal(
		store_mail_log_count(&n, s, "a@example.org", MAIL_LOG_IN, 200),
		0);
	assert_int_equal(n, 2); /* at or after */
	assert_int_equal(
		store_mail_log_count(&n, s, "a@example.org", MAIL_LOG_OUT, 0),
		0);
	assert_int_equal(n, 1);
	assert_int_equal(
		store_mail_log_count(&n, s, "c@example.org", MAIL_LOG_IN, 0),
		0);
	assert_int_equal(n, 0);
	assert_int_equal(store_mail_log_prune(&n, s, 300), 0);
	assert_int_equal(n, 2);
	assert_int_equal(
		store_mail_log_count(&n, s, "a@example.org", MAIL_LOG_IN, 0),
		0);
	assert_int_equal(n, 1);
	assert_int_equal(
		store_mail_log_count(&n, s, "b@example.org", MAIL_LOG_IN, 0),
		0);
	assert_int_equal(n, 1);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_fresh, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_missing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_files_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_message_id,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_keeps_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unparsed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_is_temporary, setup,
						teardown),
		cmocka_unit_test(test_title_key),
		cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_mid_ingest, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_subscribers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_subscriptions_generation,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rulefiles, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rulefile_tokens, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_subscribers_expire, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mail_log, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
