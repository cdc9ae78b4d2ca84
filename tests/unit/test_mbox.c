/*
 * test_mbox.c: mbox.h on fixtures (mboxrd and mboxo quoting, CRLF, a
 * Maildir), on git's mailsplit samples and on the lore exports of the
 * shared corpus, whose message counts SOURCES.md gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <unistd.h>

#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "mbox.h"
#include "testdata.h"
#include "xalloc.h"

/* What the callback saw: each message copied, with its flags. */
struct seen {
	struct buf msgs[8]; /* the first eight messages */
	bool truncated[8];
	uint64_t full_len[8];
	char *source[8];
	size_t nr;
	size_t base;	/* nr when the current container began */
	uint64_t bytes; /* all messages */
	uint64_t hash;	/* FNV-1a over every message, in order */
	int stop_after; /* return ERR_FAIL after this many; 0: never */
};

static void seen_release(struct seen *s)
{
	size_t i;

	for (i = 0; i < 8; i++) {
		buf_release(&s->msgs[i]);
		free(s->source[i]);
	}
}

static int collect(const struct mbox_msg *msg, void *arg)
{
	struct seen *s = arg;
	size_t i;

	assert_int_equal(msg->index, s->nr - s->base);
	assert_true(msg->len <= MAIL_MAX_BYTES);
	assert_true(msg->full_len >= msg->len);
	assert_int_equal(msg->truncated, msg->full_len > msg->len);
	if (s->nr < 8) {
		buf_add(&s->msgs[s->nr], msg->data, msg->len);
		s->truncated[s->nr] = msg->truncated;
		s->full_len[s->nr] = msg->full_len;
		s->source[s->nr] = xstrdup(msg->source);
	}
	if (!s->hash)
		s->hash = 0xcbf29ce484222325ull;
	for (i = 0; i < msg->len; i++)
		s->hash = (s->hash ^ (unsigned char)msg->data[i]) *
			  0x100000001b3ull;
	s->hash = (s->hash ^ 0xff) * 0x100000001b3ull; /* a message end */
	s->bytes += msg->len;
	s->nr++;
	return s->stop_after && (int)s->nr >= s->stop_after ? ERR_FAIL : 0;
}

static void read_fixture(struct buf *b, const char *rel)
{
	char *path = testdata_fixture(rel);

	if (!testdata_read(b, path))
		fail_msg("cannot read fixture %s", path);
	free(path);
}

/* Replace every "\n" by "\r\n". */
static void to_crlf(struct buf *out, const struct buf *in)
{
	size_t i;

	for (i = 0; i < in->len; i++) {
		if (in->data[i] == '\n')
			buf_addch(out, '\r');
		buf_addch(out, in->data[i]);
	}
}

static const char one_rd[] = "From: Alice <alice@example.com>\n"
			     "Subject: one\n"
			     "\n"
			     "From the first line, quoted once by the writer\n"
			     ">From quoted twice\n"
			     ">>From quoted three times\n"
			     ">From\n"
			     " >From not at a line start\n"
			     "From: a header-like line is not a separator\n";

static const char one_o[] = "From: Alice <alice@example.com>\n"
			    "Subject: one\n"
			    "\n"
			    "From the first line, quoted once by the writer\n"
			    ">>From quoted twice\n"
			    ">>>From quoted three times\n"
			    ">From\n"
			    " >From not at a line start\n"
			    "From: a header-like line is not a separator\n";

static const char two[] =
	"From: Bob <bob@example.com>\n"
	"Subject: two\n"
	"\n"
	"The blank line above the separator belongs to the mbox.\n"
	"\n"
	"\n"
	"Two blank lines above this one: the first is the message's.\n";

static void assert_msg(const struct buf *got, const char *want, bool crlf)
{
	struct buf w = BUF_INIT, in = BUF_INIT;

	buf_adds(&in, want);
	if (crlf)
		to_crlf(&w, &in);
	else
		buf_adds(&w, want);
	assert_int_equal(got->len, w.len);
	assert_memory_equal(got->data, w.data, w.len);
	buf_release(&w);
	buf_release(&in);
}

static void test_quoting(void **state)
{
	struct buf lf = BUF_INIT, crlf = BUF_INIT;
	int pass;

	(void)state;
	read_fixture(&lf, "mbox/quoting.mbox");
	to_crlf(&crlf, &lf);
	for (pass = 0; pass < 4; pass++) {
		bool is_crlf = pass & 1;
		enum mbox_quoting q = pass & 2 ? MBOX_O : MBOX_RD;
		const struct buf *in = is_crlf ? &crlf : &lf;
		struct seen s = {0};

		assert_int_equal(mbox_split(in->data, in->len, q, "quoting",
					    collect, &s),
				 0);
		assert_int_equal(s.nr, 2);
		assert_msg(&s.msgs[0], q == MBOX_RD ? one_rd : one_o, is_crlf);
		assert_msg(&s.msgs[1], two, is_crlf);
		assert_string_equal(s.source[0], "quoting");
		seen_release(&s);
	}
	buf_release(&lf);
	buf_release(&crlf);
}

static void test_edges(void **state)
{
	static const struct {
		const char *in;
		size_t nr;
		const char *first;
	} cases[] = {
		{"", 0, NULL},
		{"\n\n  \n", 0, NULL},
		/* White space before the first separator, as git's sample. */
		{"  \n\t\nFrom x Mon Sep 17 00:00:00 2001\nSubject: a\n\nb\n",
		 1, "Subject: a\n\nb\n"},
		/* Text before any separator is a message, not dropped. */
		{"Subject: stray\n\nFrom x Thu Jan  1 00:00:00 1970\nS: b\n", 2,
		 "Subject: stray\n"},
		/* A "From " line after text: no separator, unless stamped. */
		{"From a\nS: 1\nFrom b\nS: 2\n", 1, "S: 1\nFrom b\nS: 2\n"},
		{"From a\nS: 1\nFrom b Mon Sep 17 00:00:00 2001\nS: 2\n", 2,
		 "S: 1\n"},
		/* An empty message between two separators. */
		{"From a\n\nFrom b\nS: 2\n", 2, ""},
		/* No final line end. */
		{"From a\nS: 1\n\nbody", 1, "S: 1\n\nbody"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct seen s = {0};

		print_message("edge %zu\n", i);
		assert_int_equal(mbox_split(cases[i].in, strlen(cases[i].in),
					    MBOX_RD, "edge", collect, &s),
				 0);
		assert_int_equal(s.nr, cases[i].nr);
		if (cases[i].first)
			assert_msg(&s.msgs[0], cases[i].first, false);
		seen_release(&s);
	}
}

static void test_stop(void **state)
{
	static const char in[] =
		"From a\nS: 1\n\nFrom b\nS: 2\n\nFrom c\nS: 3\n";
	struct seen s = {.stop_after = 2};

	(void)state;
	assert_int_equal(
		mbox_split(in, strlen(in), MBOX_RD, "stop", collect, &s),
		ERR_FAIL);
	assert_int_equal(s.nr, 2);
	seen_release(&s);
}

/* Write data to a new temporary file; returns its path (owned). */
static char *temp_file(const char *data, size_t len)
{
	char *path = xstrdup("/tmp/patchletter-test-mbox-XXXXXX");
	int fd = mkstemp(path);
	size_t off = 0;

	assert_true(fd >= 0);
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		assert_true(n > 0);
		off += (size_t)n;
	}
	close(fd);
	return path;
}

/*
 * A message over MAIL_MAX_BYTES is passed on cut and flagged, between
 * two whole ones; its 3 MiB line without a line end crosses the
 * streaming reader's 1 MiB chunks, and a quoted line follows it.
 */
static void test_oversize(void **state)
{
	struct buf in = BUF_INIT;
	size_t big_start, big_len, k;
	char *path;
	int pass;

	(void)state;
	buf_adds(&in, "From a\nSubject: before\n\nsmall\n\n"
		      "From b\nSubject: big\n\n");
	big_start = in.len - strlen("Subject: big\n\n");
	for (k = 0; k < 3u << 20; k++)
		buf_addch(&in, 'L');
	buf_adds(&in, "\n>From quoted after the long line\n");
	while (in.len - big_start < MAIL_MAX_BYTES + 4096)
		buf_adds(&in, "filler line of the big message\n");
	big_len = in.len - big_start;
	buf_adds(&in, "\nFrom c\nSubject: after\n\nsmall\n");
	path = temp_file(in.data, in.len);

	for (pass = 0; pass < 2; pass++) {
		struct seen s = {0};

		if (pass == 0)
			assert_int_equal(mbox_split(in.data, in.len, MBOX_RD,
						    "mem", collect, &s),
					 0);
		else
			assert_int_equal(
				mbox_read_file(path, MBOX_RD, collect, &s), 0);
		assert_int_equal(s.nr, 3);
		assert_false(s.truncated[0]);
		assert_true(s.truncated[1]);
		assert_int_equal(s.msgs[1].len, MAIL_MAX_BYTES);
		/* The unquoted ">From" line is one byte shorter. */
		assert_int_equal(s.full_len[1], big_len - 1);
		assert_memory_equal(s.msgs[1].data, in.data + big_start,
				    (3u << 20) + strlen("Subject: big\n\n"));
		assert_non_null(memmem(s.msgs[1].data, s.msgs[1].len,
				       "L\nFrom quoted after the long line\n",
				       34));
		assert_false(s.truncated[2]);
		assert_msg(&s.msgs[2], "Subject: after\n\nsmall\n", false);
		seen_release(&s);
	}
	unlink(path);
	free(path);
	buf_release(&in);
}

static void test_maildir(void **state)
{
	char *dir = testdata_fixture("mbox/maildir");
	struct seen s = {0};
	enum mbox_kind kind;
	char *want;

	(void)state;
	assert_int_equal(mbox_detect(&kind, dir), 0);
	assert_int_equal(kind, MBOX_KIND_MAILDIR);
	assert_int_equal(mbox_read_path(dir, MBOX_RD, collect, &s), 0);
	/* Name order across cur/ and new/; no dot files, nothing of tmp/. */
	assert_int_equal(s.nr, 3);
	assert_msg(&s.msgs[0],
		   "From: Carol <carol@example.com>\n"
		   "Subject: first by name\n\ncur, :2, flags\n",
		   false);
	assert_msg(&s.msgs[1],
		   "From: Dan <dan@example.com>\n"
		   "Subject: second by name\n\nnew\n",
		   false);
	assert_msg(&s.msgs[2],
		   "From: Erin <erin@example.com>\n"
		   "Subject: third by name\n\ncur, seen\n",
		   false);
	want = xasprintf("%s/new/1600000001.M3P3.host", dir);
	assert_string_equal(s.source[1], want);
	free(want);
	seen_release(&s);
	free(dir);
}

static void test_detect(void **state)
{
	static const struct {
		const char *rel;
		int ret;
		enum mbox_kind kind;
	} cases[] = {
		{"mbox/quoting.mbox", 0, MBOX_KIND_MBOX},
		{"mbox/maildir", 0, MBOX_KIND_MAILDIR},
		{"mail/inbody.eml", 0, MBOX_KIND_FILE},
		{"mail", ERR_PERM, MBOX_KIND_FILE}, /* a plain directory */
		{"mbox/missing", ERR_NOTFOUND, MBOX_KIND_FILE},
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *path = testdata_fixture(cases[i].rel);
		enum mbox_kind kind = MBOX_KIND_FILE;

		assert_int_equal(mbox_detect(&kind, path), cases[i].ret);
		if (!cases[i].ret)
			assert_int_equal(kind, cases[i].kind);
		free(path);
	}
}

static void test_single(void **state)
{
	char *path = testdata_fixture("mail/no-body.eml");
	struct buf want = BUF_INIT;
	struct seen s = {0};

	(void)state;
	read_fixture(&want, "mail/no-body.eml");
	assert_int_equal(mbox_read_path(path, MBOX_RD, collect, &s), 0);
	assert_int_equal(s.nr, 1);
	assert_int_equal(s.msgs[0].len, want.len);
	assert_memory_equal(s.msgs[0].data, want.data, want.len);
	assert_string_equal(s.source[0], path);
	seen_release(&s);
	buf_release(&want);
	free(path);
}

/* git's t5100: 18 mails in sample.mbox; sample.mboxrd's two unquoted. */
static void test_git_samples(void **state)
{
	char *dir = testdata_corpus("git-t5100");
	struct seen s = {0};
	char *path;
	int i;

	(void)state;
	if (!dir)
		skip();
	path = xasprintf("%s/sample.mbox", dir);
	assert_int_equal(mbox_read_path(path, MBOX_RD, collect, &s), 0);
	assert_int_equal(s.nr, 18);
	free(path);
	seen_release(&s);

	memset(&s, 0, sizeof(s));
	path = xasprintf("%s/sample.mboxrd", dir);
	assert_int_equal(mbox_read_path(path, MBOX_RD, collect, &s), 0);
	assert_int_equal(s.nr, 2);
	free(path);
	for (i = 0; i < 2; i++) {
		/*
		 * git's 000Nmboxrd is the message text mailinfo kept: our
		 * body, plus the blank line before the next separator that
		 * git keeps and the mbox rules give to the container.
		 */
		struct buf want = BUF_INIT;
		const char *body = strstr(s.msgs[i].data, "\n\n") + 2;
		size_t n = s.msgs[i].len - (size_t)(body - s.msgs[i].data);

		path = xasprintf("%s/%04dmboxrd", dir, i + 1);
		assert_true(testdata_read(&want, path));
		assert_int_equal(n + 1, want.len);
		assert_memory_equal(body, want.data, n);
		assert_int_equal(want.data[n], '\n');
		buf_release(&want);
		free(path);
	}
	seen_release(&s);
	free(dir);
}

/*
 * The lore exports (SOURCES.md: 3,545 messages for linux-sparse in 8
 * files, 1,483 for linux-kbuild, 295 for kernel-janitors), streamed from
 * the files and split in memory: the same messages either way.
 */
static void test_lore_counts(void **state)
{
	static const struct {
		const char *dir;
		const char *files[8];
		size_t nr;
	} lists[] = {
		{"lore-linux-sparse",
		 {"linux-sparse-2019.mbox", "linux-sparse-2020.mbox",
		  "linux-sparse-2021.mbox", "linux-sparse-2022.mbox",
		  "linux-sparse-2023.mbox", "linux-sparse-2024.mbox",
		  "linux-sparse-2025.mbox", "linux-sparse-2026.mbox"},
		 3545},
		{"lore-linux-kbuild",
		 {"linux-kbuild-2026-04.mbox", "linux-kbuild-2026-05.mbox",
		  "linux-kbuild-2026-06.mbox"},
		 1483},
		{"lore-kernel-janitors",
		 {"kernel-janitors-2026-01.mbox",
		  "kernel-janitors-2026-02.mbox"},
		 295},
	};
	char *probe = testdata_corpus("");
	size_t i, f;

	(void)state;
	if (!probe)
		skip();
	free(probe);
	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		struct seen streamed = {0}, split = {0};

		for (f = 0; f < 8 && lists[i].files[f]; f++) {
			char *rel = xasprintf("%s/%s", lists[i].dir,
					      lists[i].files[f]);
			char *path = testdata_corpus(rel);
			struct buf all = BUF_INIT;
			size_t before = streamed.nr;

			streamed.base = streamed.nr;
			split.base = split.nr;
			assert_int_equal(mbox_read_path(path, MBOX_RD, collect,
							&streamed),
					 0);
			/* Each file holds messages. */
			assert_true(streamed.nr > before);
			assert_true(testdata_read(&all, path));
			assert_int_equal(mbox_split(all.data, all.len, MBOX_RD,
						    path, collect, &split),
					 0);
			buf_release(&all);
			free(path);
			free(rel);
		}
		print_message("%s: %zu messages\n", lists[i].dir, streamed.nr);
		assert_int_equal(streamed.nr, lists[i].nr);
		assert_int_equal(split.nr, lists[i].nr);
		assert_int_equal(split.bytes, streamed.bytes);
		assert_int_equal(split.hash, streamed.hash);
		seen_release(&streamed);
		seen_release(&split);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_maildir),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_git_samples),
		cmocka_unit_test(test_lore_counts),
	};

	return cmocka_run_group_tests_name("mbox", tests, NULL, NULL);
}
