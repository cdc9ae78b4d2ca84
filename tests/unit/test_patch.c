/*
 * test_patch.c: the anatomy of patch mail bodies.
 *
 * Two sources of bodies:
 *  - the files of tests/fixtures/patch, written for these tests (most diffs
 * made with git format-patch in a scratch repository, the messages written by
 * hand);
 *  - real mails of the corpus, read in place from $PATCHLETTER_SHARED
 *    (skipped with a message when it is absent). patch_parse() takes a
 *    decoded body and mail.c is not ours to link, so the test cuts the
 *    headers itself (everything after the first blank line) and uses
 *    only mails whose body is not quoted-printable or base64.
 *
 * The expected values were written by reading each body. For the diffs,
 * the per-file counts and the create/rename/copy/mode summaries were
 * checked by hand against an independent reader, git itself:
 * `git apply --numstat --summary FILE` run outside any repository (with
 * -p0 for the --no-prefix and CVS mails).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "patch.h"

#define MAX_EXP 24

struct file_exp {
	const char *path, *old_path;
	enum patch_change change;
	bool binary, mode_change;
	unsigned ins, del;
};

struct patch_exp {
	const char *where; /* fixture name, or corpus path */
	int message;	   /* corpus mbox: which message (1-based); 0: all */
	bool sep, diff, pull;
	struct diffstat stat;
	struct file_exp files[MAX_EXP]; /* up to the first with path NULL */
	const char *paths[MAX_EXP];	/* NULL-terminated */
	const char *trailers[MAX_EXP];	/* "Name: value", NULL-terminated */
	/* Regions: the first and the last line expected, NULL: empty. */
	const char *msg_first, *msg_last;
	const char *notes_first, *notes_last;
	const char *stat_first, *stat_last;
	const char *diff_first, *diff_last;
	bool skip_regions; /* only the lists are checked */
	bool skip_paths;   /* long lists checked elsewhere */
};

#define M PATCH_MODIFY
#define A PATCH_ADD
#define D PATCH_DELETE
#define R PATCH_RENAME
#define C PATCH_COPY

/* ---- reading bodies ------------------------------------------------------ */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b, len);
}

static char *read_fixture(const char *name, size_t *len)
{
	const char *dir = getenv("PATCHLETTER_FIXTURES");
	char path[1024];
	char *data;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/patch/%s", dir, name);
	data = read_file(path, len);
	if (!data)
		print_error("cannot read fixture %s\n", path);
	assert_non_null(data);
	return data;
}

/* The corpus file, or NULL when ../shared is not there (then skip). */
static char *read_corpus(const char *rel, size_t *len)
{
	const char *dir = getenv("PATCHLETTER_SHARED");
	char path[1024];
	char *data;

	if (!dir || !*dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/corpus/%s", dir, rel);
	data = read_file(path, len);
	if (!data && getenv("PATCHLETTER_REQUIRE_SHARED")) {
		print_error("corpus file %s missing\n", path);
		fail();
	}
	return data;
}

/*
 * Message k (1-based) of an mbox whose messages start with "From " lines,
 * or the whole file for k == 0; its body (after the first blank line) in
 * *body and *blen. False when there is no such message.
 */
static bool mail_body(const char *data, size_t len, int k, const char **body,
		      size_t *blen)
{
	const char *start = data, *end = data + len, *p, *hdr_end;
	int n = 0;

	if (k > 0) {
		start = NULL;
		for (p = data; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			if ((size_t)(end - p) > 5 &&
			    memcmp(p, "From ", 5) == 0 &&
			    (p == data || p[-1] == '\n')) {
				if (start) {
					end = p;
					break;
				}
				if (++n == k)
					start = nl ? nl + 1 : end;
			}
			p = nl ? nl + 1 : end;
		}
		if (!start)
			return false;
	}
	hdr_end = memmem(start, (size_t)(end - start), "\n\n", 2);
	if (!hdr_end)
		return false;
	*body = hdr_end + 2;
	*blen = (size_t)(end - *body);
	return true;
}

/* ---- checking ------------------------------------------------------------ */

static const char *change_name(enum patch_change c)
{
	static const char *const names[] = {"modify", "add", "delete", "rename",
					    "copy"};

	return names[c];
}

/* The region's first and last lines are first and last (NULL: empty). */
static void check_region(const char *where, const char *what, const char *body,
			 size_t off, size_t len, const char *first,
			 const char *last)
{
	const char *r = body + off, *nl;
	size_t fl, ll;

	if (!first) {
		if (len) {
			print_error("%s: %s should be empty, is \"%.*s\"\n",
				    where, what, (int)len, r);
			fail();
		}
		return;
	}
	nl = memchr(r, '\n', len);
	fl = nl ? (size_t)(nl - r) : len;
	nl = memrchr(r, '\n', len);
	ll = nl ? len - (size_t)(nl + 1 - r) : len;
	if (fl != strlen(first) || memcmp(r, first, fl) != 0 ||
	    ll != strlen(last) || memcmp(r + len - ll, last, ll) != 0) {
		print_error("%s: %s is\n---\n%.*s\n---\nexpected first line "
			    "\"%s\" and last line \"%s\"\n",
			    where, what, (int)len, r, first, last);
		fail();
	}
}

static void check_patch(const struct patch_exp *e, const char *body,
			const struct patch *p)
{
	size_t i, n;
	char t[2048];

	if (p->has_separator != e->sep || p->has_diff != e->diff ||
	    p->is_pull != e->pull) {
		print_error("%s: separator %d diff %d pull %d, expected %d %d "
			    "%d\n",
			    e->where, p->has_separator, p->has_diff, p->is_pull,
			    e->sep, e->diff, e->pull);
		fail();
	}
	if (p->diffstat.files != e->stat.files ||
	    p->diffstat.insertions != e->stat.insertions ||
	    p->diffstat.deletions != e->stat.deletions) {
		print_error("%s: diffstat %u/%u/%u, expected %u/%u/%u\n",
			    e->where, p->diffstat.files, p->diffstat.insertions,
			    p->diffstat.deletions, e->stat.files,
			    e->stat.insertions, e->stat.deletions);
		fail();
	}

	for (n = 0; n < MAX_EXP && e->files[n].path; n++) {
		const struct file_exp *fe = &e->files[n];
		const struct patch_file *f;

		if (n >= p->nr_files) {
			print_error("%s: file %s missing\n", e->where,
				    fe->path);
			fail();
		}
		f = &p->files[n];
		if (strcmp(f->path, fe->path) != 0 ||
		    (fe->old_path
			     ? !f->old_path || strcmp(f->old_path, fe->old_path)
			     : f->old_path != NULL) ||
		    f->change != fe->change || f->binary != fe->binary ||
		    f->mode_change != fe->mode_change ||
		    f->insertions != fe->ins || f->deletions != fe->del) {
			print_error(
				"%s: file %zu is %s \"%s\" <- \"%s\" bin %d "
				"mode %d +%u -%u\n  expected %s \"%s\" <- "
				"\"%s\" bin %d mode %d +%u -%u\n",
				e->where, n, change_name(f->change), f->path,
				f->old_path ? f->old_path : "", f->binary,
				f->mode_change, f->insertions, f->deletions,
				change_name(fe->change), fe->path,
				fe->old_path ? fe->old_path : "", fe->binary,
				fe->mode_change, fe->ins, fe->del);
			fail();
		}
	}
	if (p->nr_files != n) {
		print_error("%s: %zu files, expected %zu\n", e->where,
			    p->nr_files, n);
		fail();
	}

	for (n = 0; n < MAX_EXP && e->paths[n]; n++)
		;
	for (i = 0; !e->skip_paths && (i < p->nr_paths || i < n); i++) {
		const char *got = i < p->nr_paths ? p->paths[i] : "(none)";
		const char *want = i < n ? e->paths[i] : "(none)";

		if (strcmp(got, want) != 0) {
			print_error("%s: path %zu is \"%s\", expected \"%s\"\n",
				    e->where, i, got, want);
			fail();
		}
	}

	for (n = 0; n < MAX_EXP && e->trailers[n]; n++)
		;
	for (i = 0; i < p->nr_trailers || i < n; i++) {
		const char *want = i < n ? e->trailers[i] : "(none)";

		if (i < p->nr_trailers)
			snprintf(t, sizeof(t), "%s: %s", p->trailers[i].name,
				 p->trailers[i].value);
		else
			snprintf(t, sizeof(t), "(none)");
		if (strcmp(t, want) != 0) {
			print_error("%s: trailer %zu is \"%s\", expected "
				    "\"%s\"\n",
				    e->where, i, t, want);
			fail();
		}
	}

	if (e->skip_regions)
		return;
	check_region(e->where, "message", body, p->message_off, p->message_len,
		     e->msg_first, e->msg_last);
	check_region(e->where, "notes", body, p->notes_off, p->notes_len,
		     e->notes_first, e->notes_last);
	check_region(e->where, "diffstat", body, p->diffstat_off,
		     p->diffstat_len, e->stat_first, e->stat_last);
	check_region(e->where, "diff", body, p->diff_off, p->diff_len,
		     e->diff_first, e->diff_last);
}

static void run_body(const struct patch_exp *e, const char *body, size_t len)
{
	struct patch p = PATCH_INIT;

	assert_int_equal(patch_parse(&p, body, len), 0);
	check_patch(e, body, &p);
	patch_release(&p);
}

/* ---- the fixtures -------------------------------------------------------- */

static const struct patch_exp fixtures[] = {
	{
		.where = "normal.txt",
		.sep = true,
		.diff = true,
		.stat = {2, 7, 4},
		.files = {{"arch/x86/kvm/svm/nested.c", NULL, M, 0, 0, 6, 4},
			  {"arch/x86/kvm/svm/svm.h", NULL, M, 0, 0, 1, 0}},
		.paths = {"arch/x86/kvm/svm/nested.c",
			  "arch/x86/kvm/svm/svm.h"},
		.trailers =
			{"Fixes: 8c6cd7aeb0a3 (\"KVM: nSVM: split out "
			 "nested_vmcb_check_controls\")",
			 "Reported-by: Jane Tester <jane@example.org>",
			 "Closes: https://lore.kernel.org/kvm/"
			 "20240101000000.1234-1-jane@example.org/",
			 "Reviewed-by: Paolo Example <pbonzini@example.com>",
			 "Signed-off-by: Sean Example <seanjc@example.com>"},
		.msg_first = "The SVM nested code copies the VMCB12 control "
			     "area before checking",
		.msg_last = "Signed-off-by: Sean Example <seanjc@example.com>",
		.notes_first = "Changes in v2:",
		.notes_last = "- Link to v1: https://lore.kernel.org/r/"
			      "20240102-svm-v1-0-abc@example.com",
		.stat_first = " arch/x86/kvm/svm/nested.c | 10 ++++++----",
		.stat_last = " 2 files changed, 7 insertions(+), 4 "
			     "deletions(-)",
		.diff_first = "diff --git a/arch/x86/kvm/svm/nested.c "
			      "b/arch/x86/kvm/svm/nested.c",
		.diff_last = " \tstruct vmcb_ctrl_area_cached ctl;",
	},
	{
		/* diffstat "{ => obsolete}" and "{a => b}" forms */
		.where = "rename-copy.txt",
		.sep = true,
		.diff = true,
		.stat = {3, 3, 3},
		.files = {{"Documentation/driver-api/gpio/obsolete/legacy.rst",
			   "Documentation/driver-api/gpio/legacy.rst", R, 0, 0,
			   0, 0},
			  {"drivers/gpio/gpio-foo2.c",
			   "drivers/gpio/gpio-foo.c", C, 0, 0, 2, 2},
			  {"drivers/gpio/gpio-legacy.c",
			   "drivers/gpio/gpio-old.c", R, 0, 0, 1, 1}},
		.paths = {"Documentation/driver-api/gpio/obsolete/legacy.rst",
			  "Documentation/driver-api/gpio/legacy.rst",
			  "drivers/gpio/gpio-foo2.c", "drivers/gpio/gpio-foo.c",
			  "drivers/gpio/gpio-legacy.c",
			  "drivers/gpio/gpio-old.c"},
		.trailers = {"Signed-off-by: Ada Example <ada@example.org>"},
		.msg_first = "The legacy driver was renamed upstream in the "
			     "datasheet, follow it, and",
		.msg_last = "Signed-off-by: Ada Example <ada@example.org>",
		.stat_first = " Documentation/driver-api/gpio/{ => obsolete}/"
			      "legacy.rst | 0",
		.stat_last = " rename drivers/gpio/{gpio-old.c => "
			     "gpio-legacy.c} (95%)",
		.diff_first = "diff --git a/Documentation/driver-api/gpio/"
			      "legacy.rst b/Documentation/driver-api/gpio/"
			      "obsolete/legacy.rst",
		.diff_last = " #include <linux/gpio/driver.h>",
	},
	{
		.where = "newdel-mode.txt",
		.sep = true,
		.diff = true,
		.stat = {4, 8, 7},
		.files = {{"drivers/gpio/gpio-bar.c", NULL, M, 0, 1, 1, 0},
			  {"drivers/gpio/gpio-baz.c", NULL, A, 0, 0, 7, 0},
			  {"include/linux/gpio-foo.h", NULL, D, 0, 0, 0, 7},
			  {"tools/testing/selftests/gpio/run.sh", NULL, M, 0, 1,
			   0, 0}},
		.paths = {"drivers/gpio/gpio-bar.c", "drivers/gpio/gpio-baz.c",
			  "include/linux/gpio-foo.h",
			  "tools/testing/selftests/gpio/run.sh"},
		.trailers = {"Cc: stable@vger.kernel.org # v6.6+",
			     "Signed-off-by: Ada Example <ada@example.org>"},
		.msg_first = "gpio-baz is the first user of the new bank "
			     "helpers, so add it here; the",
		.msg_last = "Signed-off-by: Ada Example <ada@example.org>",
		.stat_first = " drivers/gpio/gpio-bar.c             | 1 +",
		.stat_last = " mode change 100644 => 100755 "
			     "tools/testing/selftests/gpio/run.sh",
		.diff_first = "diff --git a/drivers/gpio/gpio-bar.c "
			      "b/drivers/gpio/gpio-bar.c",
		.diff_last = "new mode 100755",
	},
	{
		.where = "binary.txt",
		.sep = true,
		.diff = true,
		.stat = {3, 1, 0},
		.files = {{"drivers/gpio/gpio-foo.c", NULL, M, 0, 0, 1, 0},
			  {"firmware/bar.bin", NULL, A, 1, 0, 0, 0},
			  {"firmware/foo.bin", NULL, M, 1, 0, 0, 0}},
		.paths = {"drivers/gpio/gpio-foo.c", "firmware/bar.bin",
			  "firmware/foo.bin"},
		.trailers = {"Link: https://example.org/gpio-foo/firmware/2.1",
			     "Signed-off-by: Ada Example <ada@example.org>"},
		.msg_first = "Update the foo firmware to version 2.1, which "
			     "fixes the debounce timer,",
		.msg_last = "Signed-off-by: Ada Example <ada@example.org>",
		.stat_first = " drivers/gpio/gpio-foo.c |   1 +",
		.stat_last = " create mode 100644 firmware/bar.bin",
		.diff_first = "diff --git a/drivers/gpio/gpio-foo.c "
			      "b/drivers/gpio/gpio-foo.c",
		.diff_last = "gcmZ3(w1$a$sqZNXRfFBKxxzXVx%V>ens_o90B1f3<^TWy",
	},
	{
		/* git diff without --binary, no mail separator */
		.where = "binary-plain.txt",
		.diff = true,
		.stat = {2, 0, 0},
		.files = {{"firmware/bar.bin", NULL, A, 1, 0, 0, 0},
			  {"firmware/foo.bin", NULL, M, 1, 0, 0, 0}},
		.paths = {"firmware/bar.bin", "firmware/foo.bin"},
		.msg_first = "For the record, this is what the firmware "
			     "update looks like without",
		.msg_last = "--binary; it cannot be applied, but it says what "
			    "it touches.",
		.diff_first = "diff --git a/firmware/bar.bin "
			      "b/firmware/bar.bin",
		.diff_last = "Binary files a/firmware/foo.bin and "
			     "b/firmware/foo.bin differ",
	},
	{
		/*
		 * Names with a space (and git's tab after it on +++), UTF-8
		 * written as octal escapes, a quote and a tab; the diffstat
		 * cut one quoted name to '.../zh_CN/\346...rst"'.
		 */
		.where = "quoted.txt",
		.sep = true,
		.diff = true,
		.stat = {4, 8, 0},
		.files = {{"Documentation/translations/zh_CN/gpio overview.rst",
			   NULL, A, 0, 0, 4, 0},
			  {"Documentation/translations/zh_CN/"
			   "\xe6\xa6\x82\xe8\xbf\xb0.rst",
			   NULL, A, 0, 0, 2, 0},
			  {"tools/testing/selftests/gpio/quote\"d.txt", NULL, A,
			   0, 0, 1, 0},
			  {"tools/testing/selftests/gpio/tab\there.txt", NULL,
			   A, 0, 0, 1, 0}},
		.paths = {"Documentation/translations/zh_CN/gpio overview.rst",
			  "Documentation/translations/zh_CN/"
			  "\xe6\xa6\x82\xe8\xbf\xb0.rst",
			  "tools/testing/selftests/gpio/quote\"d.txt",
			  "tools/testing/selftests/gpio/tab\there.txt"},
		.trailers = {"Signed-off-by: Ada Example <ada@example.org>"},
		.msg_first =
			"Add the Chinese translation of the GPIO overview, "
			"and two selftest data",
		.msg_last = "Signed-off-by: Ada Example <ada@example.org>",
		.stat_first = " Documentation/translations/zh_CN/gpio "
			      "overview.rst            | 4 ++++",
		.stat_last = " create mode 100644 "
			     "\"tools/testing/selftests/gpio/tab\\there.txt\"",
		.diff_first = "diff --git a/Documentation/translations/zh_CN/"
			      "gpio overview.rst b/Documentation/translations/"
			      "zh_CN/gpio overview.rst",
		.diff_last = "+a file with a tab",
	},
	{
		/*
		 * b4's cover letter: notes, shortlog, a diffstat whose long
		 * names git cut to ".../", b4's metadata after a second ---.
		 */
		.where = "cover.txt",
		.sep = true,
		.stat = {14, 20, 10},
		.paths = {".../driver-api/gpio/legacy.rst",
			  ".../driver-api/gpio/obsolete/legacy.rst",
			  ".../translations/zh_CN/gpio overview.rst",
			  ".../zh_CN/\xe6\xa6\x82\xe8\xbf\xb0.rst",
			  "drivers/gpio/gpio-bar.c", "drivers/gpio/gpio-baz.c",
			  "drivers/gpio/gpio-foo.c", "drivers/gpio/gpio-foo2.c",
			  "drivers/gpio/gpio-old.c",
			  "drivers/gpio/gpio-legacy.c", "firmware/bar.bin",
			  "firmware/foo.bin", "include/linux/gpio-foo.h",
			  "tools/testing/selftests/gpio/quote\"d.txt",
			  "tools/testing/selftests/gpio/run.sh",
			  "tools/testing/selftests/gpio/tab\there.txt"},
		.trailers = {"Signed-off-by: Ada Example <ada@example.org>",
			     "base-commit: "
			     "85bd3bd2b88c3d13bdf736492224377c337ce6f6",
			     "change-id: 20261123-gpio-cleanup-3f2a1b0c9d8e",
			     "prerequisite-change-id: "
			     "20261001-gpio-bank-helpers-aa11bb22cc33:v3",
			     "prerequisite-patch-id: "
			     "4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d"},
		.msg_first = "This series cleans up the legacy GPIO drivers "
			     "before the bank helper",
		.msg_last = "Signed-off-by: Ada Example <ada@example.org>",
		.notes_first = "Changes in v2:",
		.notes_last = "- Link to v1: https://lore.kernel.org/r/"
			      "20261101-gpio-cleanup-v1-0-5e6f7a8b9c0d@"
			      "example.org",
		.stat_first = " .../driver-api/gpio/{ => obsolete}/legacy.rst "
			      "  |   0",
		.stat_last = " 14 files changed, 20 insertions(+), 10 "
			     "deletions(-)",
	},
	{
		/* git format-patch --cover-letter: no --- at all */
		.where = "cover-git.txt",
		.stat = {2, 48, 17},
		.paths = {".../bindings/gpio/example,foo-gpio.yaml",
			  "drivers/gpio/gpio-foo.c"},
		.trailers = {"base-commit: "
			     "85bd3bd2b88c3d13bdf736492224377c337ce6f6"},
		.msg_first = "The foo GPIO block has two variants that differ "
			     "only in the last bank;",
		.msg_last = "Tested on the foo-evk and foo2-evk boards.",
		.stat_first = " .../bindings/gpio/example,foo-gpio.yaml       "
			      "|  4 +-",
		.stat_last = " 2 files changed, 48 insertions(+), 17 "
			     "deletions(-)",
	},
	{
		/* CVS and SVN: "Index:" names the path */
		.where = "cvs.txt",
		.diff = true,
		.stat = {2, 2, 1},
		.files = {{"drivers/net/ring.c", NULL, M, 0, 0, 1, 1},
			  {"Documentation/networking/ring.txt", NULL, M, 0, 0,
			   1, 0}},
		.paths = {"drivers/net/ring.c",
			  "Documentation/networking/ring.txt"},
		.msg_first = "The bounds check in the ring setup compared the "
			     "wrong variable; this",
		.msg_last = "was found by inspection, it has not been seen "
			    "failing.",
		.diff_first = "Index: drivers/net/ring.c",
		.diff_last = "+The size of a ring is at most RING_MAX entries.",
	},
	{
		/* diff -urN with other prefixes, and a bare ---/+++ pair */
		.where = "plain.txt",
		.diff = true,
		.stat = {3, 7, 4},
		.files = {{"drivers/char/nvram.c", NULL, M, 0, 0, 2, 2},
			  {"drivers/char/Kconfig", NULL, M, 0, 0, 2, 2},
			  {"drivers/char/nvram-test.c", NULL, A, 0, 0, 3, 0}},
		.paths = {"drivers/char/nvram.c", "drivers/char/Kconfig",
			  "drivers/char/nvram-test.c"},
		.trailers = {"Signed-off-by: Old Timer <old@example.net>"},
		.msg_first =
			"quilt and plain diff -u produce no \"diff --git\" "
			"lines and no \"---\"",
		.msg_last = "Signed-off-by: Old Timer <old@example.net>",
		.diff_first = "diff -urN linux-2.6.32.orig/drivers/char/"
			      "nvram.c linux-2.6.32/drivers/char/nvram.c",
		.diff_last = "+int nvram_test;",
	},
	{
		.where = "pull.txt",
		.pull = true,
		.stat = {2, 3, 2},
		.paths = {"drivers/gpio/gpio-foo.c",
			  "drivers/gpio/gpiolib-cdev.c"},
		.msg_first = "Hi Linus,",
		.msg_last = "- plug a leak in the character device's line "
			    "request",
		.stat_first = " drivers/gpio/gpio-foo.c     | 4 ++--",
		.stat_last = " 2 files changed, 3 insertions(+), 2 "
			     "deletions(-)",
	},
	{
		/* git am takes a diff right after the message */
		.where = "nosep.txt",
		.diff = true,
		.stat = {1, 1, 1},
		.files = {{"drivers/gpio/gpio-foo.c", NULL, M, 0, 0, 1, 1}},
		.paths = {"drivers/gpio/gpio-foo.c"},
		.trailers = {"Signed-off-by: Kernel Janitor "
			     "<janitor@example.com>"},
		.msg_first = "The table is only read, make it const.",
		.msg_last = "Signed-off-by: Kernel Janitor "
			    "<janitor@example.com>",
		.diff_first = "diff --git a/drivers/gpio/gpio-foo.c "
			      "b/drivers/gpio/gpio-foo.c",
		.diff_last = " \treturn readl(gc->base + 0x00) & BIT(offset);",
	},
	{
		/*
		 * A reply: follow-up trailers from unquoted lines only, above
		 * the signature; "Note:" and "Thanks-to:" are not trailers
		 * b4 would apply, a Tested-by without an address neither,
		 * and Cc: is left out as b4 does.
		 */
		.where = "reply.txt",
		.trailers = {"Reviewed-by: Linus Example (Linaro) "
			     "<linus.example@example.org>",
			     "Acked-by: bart@example.org",
			     "Tested-by: A Very Long Name From A Very Long "
			     "Company Name Incorporated <tester@example.com>",
			     "Link: https://lore.kernel.org/r/"
			     "20240123-foo-v1-1-abcdef@example.org",
			     "Reported-by: Indented Reporter "
			     "<indent@example.com>"},
		.msg_first = "On Tue, Jan 23, 2024 at 10:12:01AM +0100, Ada "
			     "Example wrote:",
		.msg_last = "Linus",
	},
	{
		/*
		 * Hunk lines that look like a signature ("-- ", "--"), a
		 * separator ("---") and a file header ("--- a/old/name.c"
		 * with "+++ b/new/name.c" after it): the @@ counts decide.
		 */
		.where = "sig-in-hunk.txt",
		.sep = true,
		.diff = true,
		.stat = {2, 3, 6},
		.files = {{"tools/testing/mail/schema.sql", NULL, M, 0, 0, 1,
			   2},
			  {"tools/testing/mail/sig-sample.txt", NULL, M, 0, 0,
			   2, 4}},
		.paths = {"tools/testing/mail/schema.sql",
			  "tools/testing/mail/sig-sample.txt"},
		.trailers = {"Signed-off-by: Ada Example <ada@example.org>"},
		.msg_first = "The samples must look like the mail the parser "
			     "meets: a signature",
		.msg_last = "Signed-off-by: Ada Example <ada@example.org>",
		.stat_first = " tools/testing/mail/schema.sql     | 3 +--",
		.stat_last = " 2 files changed, 3 insertions(+), 6 "
			     "deletions(-)",
		.diff_first = "diff --git a/tools/testing/mail/schema.sql "
			      "b/tools/testing/mail/schema.sql",
		.diff_last = "+New Signature",
	},
	{
		/* b4 send: notes with their own "---", metadata after diff */
		.where = "b4-single.txt",
		.sep = true,
		.diff = true,
		.stat = {1, 1, 1},
		.files = {{"drivers/net/ring.c", NULL, M, 0, 0, 1, 1}},
		.paths = {"drivers/net/ring.c"},
		.trailers = {"Fixes: 1234567890ab (\"net: ring: add bounds "
			     "checks\")",
			     "Signed-off-by: Ada Example <ada@example.org>",
			     "base-commit: "
			     "6613476e225e090cc9aad49be7fa504e290dd33d",
			     "change-id: 20240110-ring-4a5b6c7d8e9f"},
		.msg_first = "The ring size is checked against the wrong "
			     "variable.",
		.msg_last = "Signed-off-by: Ada Example <ada@example.org>",
		.notes_first = "Changes in v3:",
		.notes_last = "- Link to v1: https://lore.kernel.org/r/"
			      "20240110-ring-v1-1-0123456789ab@example.org",
		.stat_first = " drivers/net/ring.c | 2 +-",
		.stat_last = " 1 file changed, 1 insertion(+), 1 deletion(-)",
		.diff_first = "diff --git a/drivers/net/ring.c "
			      "b/drivers/net/ring.c",
		.diff_last = " \tr->size = n;",
	},
};

static void test_fixtures(void **state)
{
	size_t k, len;
	char *body;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(fixtures); k++) {
		body = read_fixture(fixtures[k].where, &len);
		run_body(&fixtures[k], body, len);
		free(body);
	}
}

/* The same bodies with CRLF line ends give the same answers. */
static void test_fixtures_crlf(void **state)
{
	size_t k, i, len;
	char *body;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(fixtures); k++) {
		struct patch_exp e = fixtures[k];
		struct buf crlf = BUF_INIT;

		body = read_fixture(e.where, &len);
		for (i = 0; i < len; i++) {
			if (body[i] == '\n')
				buf_addch(&crlf, '\r');
			buf_addch(&crlf, body[i]);
		}
		e.skip_regions = true; /* offsets differ, the lists do not */
		run_body(&e, crlf.data, crlf.len);
		buf_release(&crlf);
		free(body);
	}
}

/* ---- the corpus ---------------------------------------------------------- */

static const struct patch_exp corpus[] = {
	{
		/* CVS diff in a 7bit multipart mail (git apply -p0) */
		.where = "patchwork/mail/0007-cvs-format-diff.mbox",
		.diff = true,
		.stat = {3, 6, 0},
		.files = {{"bfd/elf-bfd.h", NULL, M, 0, 0, 2, 0},
			  {"bfd/elflink.c", NULL, M, 0, 0, 3, 0},
			  {"bfd/elfxx-mips.c", NULL, M, 0, 0, 1, 0}},
		.paths = {"bfd/elf-bfd.h", "bfd/elflink.c", "bfd/elfxx-mips.c"},
		.skip_regions = true,
	},
	{
		/* the diffstat cut both names, and even the "{" */
		.where = "patchwork/mail/0008-git-rename.mbox",
		.sep = true,
		.diff = true,
		.stat = {2, 0, 0},
		.files = {{"package/rpi-userland/"
			   "rpi-userland-000-add-pkgconfig-files.patch",
			   "package/rpi-userland/"
			   "rpi-userland-add-pkgconfig-files.patch",
			   R, 0, 0, 0, 0},
			  {"package/rpi-userland/rpi-userland-001-makefiles-"
			   "cmake-vmcs.cmake-allow-to-override-VMCS_IN.patch",
			   "package/rpi-userland/rpi-userland-makefiles-0001-"
			   "cmake-vmcs.cmake-allow-to-override-VMCS_IN.patch",
			   R, 0, 0, 0, 0}},
		.paths = {"package/rpi-userland/"
			  "rpi-userland-000-add-pkgconfig-files.patch",
			  "package/rpi-userland/"
			  "rpi-userland-add-pkgconfig-files.patch",
			  "package/rpi-userland/rpi-userland-001-makefiles-"
			  "cmake-vmcs.cmake-allow-to-override-VMCS_IN.patch",
			  "package/rpi-userland/rpi-userland-makefiles-0001-"
			  "cmake-vmcs.cmake-allow-to-override-VMCS_IN.patch"},
		.trailers = {"Signed-off-by: \"Yann E. MORIN\" "
			     "<yann.morin.1998@free.fr>"},
		.skip_regions = true,
	},
	{
		.where = "patchwork/mail/0011-no-newline-at-end-of-file.mbox",
		.diff = true,
		.stat = {3, 3, 1},
		.files = {{"tools/testing/selftests/powerpc/Makefile", NULL, M,
			   0, 0, 1, 1},
			  {"tools/testing/selftests/powerpc/vphn/vphn.c", NULL,
			   A, 0, 0, 1, 0},
			  {"tools/testing/selftests/powerpc/vphn/vphn.h", NULL,
			   A, 0, 0, 1, 0}},
		.paths = {"tools/testing/selftests/powerpc/Makefile",
			  "tools/testing/selftests/powerpc/vphn/vphn.c",
			  "tools/testing/selftests/powerpc/vphn/vphn.h"},
		.skip_regions = true,
	},
	{
		.where = "patchwork/mail/0021-git-empty-new-file.mbox",
		.sep = true,
		.diff = true,
		.stat = {1, 0, 0},
		.files = {{"banana", NULL, A, 0, 0, 0, 0}},
		.paths = {"banana"},
		.msg_first = "Doing some snowpatching.",
		.msg_last = "Doing some snowpatching.",
		.stat_first = "  banana | 0",
		.stat_last = "  create mode 100644 banana",
		.diff_first = "diff --git a/banana b/banana",
		.diff_last = "index 000000000000..e69de29bb2d1",
	},
	{
		.where = "patchwork/mail/0022-git-mode-change.mbox",
		.sep = true,
		.diff = true,
		.stat = {1, 0, 0},
		.files = {{"scripts/kconfig/nconf-cfg.sh", NULL, M, 0, 1, 0,
			   0}},
		.paths = {"scripts/kconfig/nconf-cfg.sh"},
		.trailers = {"Signed-off-by: Petr Vorel <pvorel@suse.cz>"},
		.skip_regions = true,
	},
	{
		/* --no-prefix: "diff --git pixel.bmp pixel.bmp" (-p0) */
		.where = "patchwork/mail/0026-git-add-mixed-binary-text-files."
			 "mbox",
		.sep = true,
		.diff = true,
		.stat = {2, 3, 0},
		.files = {{"pixel.bmp", NULL, A, 1, 0, 0, 0},
			  {"quit.sh", NULL, A, 0, 0, 3, 0}},
		.paths = {"pixel.bmp", "quit.sh"},
		.trailers = {"Signed-off-by: Stephen Finucane "
			     "<stephen@that.guru>"},
		.skip_regions = true,
	},
	{
		.where = "patchwork/mail/0027-git-modify-binary-file.mbox",
		.sep = true,
		.diff = true,
		.stat = {1, 0, 0},
		.files = {{"pixel.bmp", NULL, M, 1, 0, 0, 0}},
		.paths = {"pixel.bmp"},
		.trailers = {"Signed-off-by: Stephen Finucane "
			     "<stephen@that.guru>"},
		.skip_regions = true,
	},
	{
		/* request-pull with a diff appended */
		.where = "patchwork/mail/0003-git-pull-request-with-diff.mbox",
		.diff = true,
		.pull = true,
		.stat = {6, 26, 33},
		.files = {{"arch/x86/include/asm/smp.h", NULL, M, 0, 0, 1, 4},
			  {"arch/x86/kernel/acpi/sleep.c", NULL, M, 0, 0, 1, 1},
			  {"arch/x86/kernel/cpu/mtrr/main.c", NULL, M, 0, 0, 9,
			   1}},
		.paths = {"arch/x86/include/asm/smp.h",
			  "arch/x86/kernel/acpi/sleep.c",
			  "arch/x86/kernel/cpu/mtrr/main.c",
			  /* the diff stops after three files, the diffstat
			   * names six */
			  "arch/x86/kernel/head_32.S",
			  "arch/x86/kernel/smpboot.c",
			  "arch/x86/mm/pageattr.c"},
		.skip_regions = true,
	},
	{
		/* "The following changes since commit" wrapped after
		 * "commit" */
		.where = "patchwork/mail/0002-git-pull-request-wrapped.mbox",
		.pull = true,
		.stat = {130, 3676, 683},
		.skip_regions = true,
		.skip_paths = true,
	},
	{
		.where = "public-inbox/solve/0002-rename-with-modifications."
			 "patch",
		.sep = true,
		.diff = true,
		.stat = {1, 3, 3},
		.files = {{"CONTRIBUTING.md", "HACKING", R, 0, 0, 3, 3}},
		.paths = {"CONTRIBUTING.md", "HACKING"},
		.msg_first = "HACKING MIGHT GET US REPORTED TO EFF-BEE-EYE",
		.msg_last = "AND USE MARKDOWN CUZ MOAR FLAVORS == BETTER",
		.stat_first = " HACKING => CONTRIBUTING.md | 6 +++---",
		.stat_last = " rename HACKING => CONTRIBUTING.md (94%)",
		.diff_first = "diff --git a/HACKING b/CONTRIBUTING.md",
		.diff_last = " particular instance of a public-inbox becoming "
			     "a single point of failure.",
	},
	{
		.where = "public-inbox/data/binary.patch",
		.sep = true,
		.diff = true,
		.stat = {1, 0, 0},
		.files = {{"zero", NULL, A, 1, 0, 0, 0}},
		.paths = {"zero"},
		.skip_regions = true,
	},
	/* b4's trailer tests: the patch, then the follow-ups */
	{
		.where = "b4/trailers-followup-single.mbox",
		.message = 1,
		.sep = true,
		.diff = true,
		.stat = {1, 0, 0},
		.files = {{"b4/junk.py", NULL, M, 0, 0, 0, 0}},
		.paths = {"b4/junk.py"},
		.trailers = {"Fixes: abcdef01234567890",
			     "Reviewed-by: Original Reviewer "
			     "<original-reviewer@example.com>",
			     "Link: https://msgid.link/some@msgid.here",
			     "Signed-off-by: Original Submitter "
			     "<original-submitter@example.com>"},
		.skip_regions = true,
	},
	{
		.where = "b4/trailers-followup-single.mbox",
		.message = 2,
		.trailers = {"Reviewed-by: Followup Reviewer1 "
			     "<followup-reviewer1@example.com>"},
		.skip_regions = true,
	},
	{
		/* the quoted Reviewed-by is not this mail's */
		.where = "b4/trailers-followup-single.mbox",
		.message = 3,
		.trailers = {"Tested-by: Followup Reviewer2 "
			     "<followup-reviewer2@example.com>"},
		.skip_regions = true,
	},
	{
		/* names in parentheses and brackets, a comma in the name */
		.where = "b4/trailers-followup-name-parens.mbox",
		.message = 2,
		.trailers = {"Reviewed-by: Followup Reviewer1 (corporate) "
			     "<followup-reviewer1@example.com>"},
		.skip_regions = true,
	},
	{
		.where = "b4/trailers-followup-name-parens.mbox",
		.message = 5,
		.trailers = {"Tested-by: Followup Tester1 [corporate] "
			     "<followup-tester1@example.com>"},
		.skip_regions = true,
	},
	{
		.where = "b4/trailers-followup-name-parens.mbox",
		.message = 6,
		.trailers = {"Tested-by: Tester2, Followup "
			     "<followup-tester2@example.com>"},
		.skip_regions = true,
	},
	{
		/* a bare address in the patch's own trailers */
		.where = "b4/trailers-followup-bare-address.mbox",
		.message = 1,
		.sep = true,
		.diff = true,
		.stat = {1, 0, 0},
		.files = {{"b4/junk.py", NULL, M, 0, 0, 0, 0}},
		.paths = {"b4/junk.py"},
		.trailers = {"Fixes: abcdef01234567890",
			     "Cc: bare-address@example.org",
			     "Reviewed-by: Original Reviewer "
			     "<original-reviewer@example.com>",
			     "Link: https://msgid.link/some@msgid.here",
			     "Signed-off-by: Original Submitter "
			     "<original-submitter@example.com>"},
		.skip_regions = true,
	},
	{
		/* as in trailers-followup-htmljunk-ref-defaults.txt */
		.where = "b4/trailers-followup-htmljunk.mbox",
		.message = 2,
		.trailers = {"Reviewed-by: HTML Junker "
			     "<html-junker@example.com>"},
		.skip_regions = true,
	},
	{
		/* chain of custody: two Signed-off-by, a commented Link */
		.where = "b4/trailers-followup-custody.mbox",
		.message = 1,
		.sep = true,
		.diff = true,
		.stat = {1, 0, 0},
		.files = {{"b4/junk.py", NULL, M, 0, 0, 0, 0}},
		.paths = {"b4/junk.py"},
		.trailers = {"Link: https://msgid.link/some@msgid.here",
			     "Reviewed-by: Original Reviewer "
			     "<original-reviewer@example.com>",
			     "Signed-off-by: Original Submitter "
			     "<original-submitter@example.com>",
			     "Suggested-by: Friendly Suggester "
			     "<suggested-by@example.com>",
			     "Fixes: abcdef01234567890",
			     "Link: https://lore.kernel.org/other@msgid.here  "
			     "# bug discussion",
			     "Signed-off-by: Test Override "
			     "<test-override@example.com>"},
		.skip_regions = true,
	},
	{
		/* no "---" and no "diff --git": "--- a/b4/junk.py" starts
		 * the diff */
		.where = "b4/trailers-followup-stripped-lines.mbox",
		.message = 1,
		.diff = true,
		.stat = {1, 0, 0},
		.files = {{"b4/junk.py", NULL, M, 0, 0, 0, 0}},
		.paths = {"b4/junk.py"},
		.trailers = {"Fixes: abcdef01234567890",
			     "Reviewed-by: Original Reviewer "
			     "<original-reviewer@example.com>",
			     "Link: https://msgid.link/some@msgid.here",
			     "Signed-off-by: Original Submitter "
			     "<original-submitter@example.com>"},
		.msg_first = "Follow-up trailer collating test.",
		.msg_last = "Signed-off-by: Original Submitter "
			    "<original-submitter@example.com>",
		/* b4's "@@@ -1,1 +1,1 @@" is no unified hunk header (git
		 * apply calls it corrupt): the diff is the two name lines */
		.diff_first = "--- a/b4/junk.py",
		.diff_last = "+++ b/b4/junk.py",
	},
	{
		/* a follow-up without "Re:": the body alone decides */
		.where = "b4/trailers-followup-nore.mbox",
		.message = 2,
		.trailers = {"Reviewed-by: Followup Reviewer1 "
			     "<followup-reviewer1@example.com>"},
		.skip_regions = true,
	},
	{
		/* indented trailers in a reply: b4's ^\s* takes them */
		.where = "b4/trailers-followup-already-present.mbox",
		.message = 2,
		.trailers = {"Suggested-by: Benno Lossin <lossin@kernel.org>",
			     "Link: https://github.com/Rust-for-Linux/linux/"
			     "issues/1189",
			     "Reviewed-by: Alexandre Courbot "
			     "<acourbot@nvidia.com>",
			     "Acked-by: Michal Wilczynski "
			     "<m.wilczynski@samsung.com>",
			     "Signed-off-by: Francis Laniel "
			     "<laniel_francis@privacyrequired.com>"},
		.skip_regions = true,
	},
	{
		/* a cover letter whose diffstat is not indented */
		.where = "b4/trailers-followup-partial-reroll.mbox",
		.message = 1,
		.sep = true,
		.stat = {2, 2, 2},
		.paths = {"b4/junk.py", "b4/bupkes.py"},
		.skip_regions = true,
	},
	{
		/* b4's cover: shortlog, diffstat, base-commit, change-id */
		.where = "b4/trailers-thread-with-cover-followup.mbox",
		.message = 1,
		.sep = true,
		.stat = {3, 24, 3},
		.paths = {"file1.txt", "file2.txt", "lipsum.txt"},
		.trailers = {"Signed-off-by: Konstantin Ryabitsev "
			     "<konstantin@linuxfoundation.org>",
			     "base-commit: "
			     "f435c12df7c0ecf20ab8937859e63cddffacabb4",
			     "change-id: 20221025-test1-e8520c2200a3"},
		.msg_first = "Test patches for pytest.",
		.msg_last = "Signed-off-by: Konstantin Ryabitsev "
			    "<konstantin@linuxfoundation.org>",
		.stat_first = " file1.txt  | 12 ++++++++++++",
		.stat_last = " 3 files changed, 24 insertions(+), 3 "
			     "deletions(-)",
	},
	{
		/* the .verify file lists these three as collected */
		.where = "b4/trailers-thread-with-cover-followup.mbox",
		.message = 6,
		.trailers = {"Tested-by: Follow Upper "
			     "<follow.upper@example.org>",
			     "Link: https://example.org",
			     "Closes: https://example.org/bug/1234"},
		.skip_regions = true,
	},
};

static void test_corpus(void **state)
{
	size_t k, len, blen = 0;
	const char *body = NULL;
	char *data;

	(void)state;
	data = read_corpus(corpus[0].where, &len);
	if (!data) {
		print_message("corpus not found (PATCHLETTER_SHARED=%s): "
			      "skipping the corpus mails\n",
			      getenv("PATCHLETTER_SHARED")
				      ? getenv("PATCHLETTER_SHARED")
				      : "unset");
		skip();
	}
	free(data);
	for (k = 0; k < ARRAY_SIZE(corpus); k++) {
		data = read_corpus(corpus[k].where, &len);
		if (!data) {
			print_message("skipping %s: not in the corpus\n",
				      corpus[k].where);
			continue;
		}
		if (!mail_body(data, len, corpus[k].message, &body, &blen)) {
			print_error("%s: no message %d\n", corpus[k].where,
				    corpus[k].message);
			fail();
		}
		run_body(&corpus[k], body, blen);
		free(data);
	}
}

/* 0001: request-pull, all paths from its diffstat. */
static void test_corpus_pull(void **state)
{
	struct patch p = PATCH_INIT;
	size_t len, blen = 0;
	const char *body = NULL;
	char *data;

	(void)state;
	data = read_corpus("patchwork/mail/0001-git-pull-request.mbox", &len);
	if (!data) {
		print_message("corpus not found: skipping\n");
		skip();
	}
	assert_true(mail_body(data, len, 0, &body, &blen));
	assert_int_equal(patch_parse(&p, body, blen), 0);
	assert_true(p.is_pull);
	assert_false(p.has_diff);
	assert_int_equal(p.diffstat.files, 130);
	assert_int_equal(p.diffstat.insertions, 3676);
	assert_int_equal(p.diffstat.deletions, 683);
	assert_int_equal(p.nr_paths, 130);
	assert_string_equal(p.paths[0], "arch/powerpc/boot/addnote.c");
	assert_string_equal(p.paths[129], "kernel/sys_ni.c");
	assert_int_equal(p.nr_trailers, 0);
	patch_release(&p);
	free(data);
}

/* ---- trailer rules, inline bodies --------------------------------------- */

#define TINY_DIFF                  \
	"---\n"                    \
	"diff --git a/f.c b/f.c\n" \
	"--- a/f.c\n"              \
	"+++ b/f.c\n"              \
	"@@ -1 +1 @@\n"            \
	"-a\n"                     \
	"+b\n"

struct trailer_case {
	const char *why;
	const char *body;
	const char *trailers[12];
};

static const struct trailer_case trailer_cases[] = {
	{"a body of trailers only (the subject's blank line precedes it)",
	 "Signed-off-by: A U Thor <a@example.org>\n" TINY_DIFF,
	 {"Signed-off-by: A U Thor <a@example.org>"}},
	{"git: a known trailer and 25% trailers is a block",
	 "Fix it.\n\nline one\nline two\nline three\n"
	 "Signed-off-by: A U Thor <a@example.org>\n" TINY_DIFF,
	 {"Signed-off-by: A U Thor <a@example.org>"}},
	{"git: less than 25% trailers is no block",
	 "Fix it.\n\nline one\nline two\nline three\nline four\n"
	 "Signed-off-by: A U Thor <a@example.org>\n" TINY_DIFF,
	 {NULL}},
	{"git: without a known trailer, one other line is too many",
	 "Fix it.\n\nThis matters on big-endian machines.\n"
	 "Note: the old behaviour was documented as a bug.\n" TINY_DIFF,
	 {NULL}},
	{"git: unknown tokens are trailers when the paragraph is all "
	 "trailers",
	 "Fix it.\n\nFoo: bar\nBaz-Qux : quux\n" TINY_DIFF,
	 {"Foo: bar", "Baz-qux: quux"}},
	{"only the last paragraph counts",
	 "Reviewed-by: R <r@example.org>\n\nSome closing prose.\n" TINY_DIFF,
	 {NULL}},
	{"continuations, case, Gerrit and b4 change ids, comments, "
	 "cherry-pick",
	 "Make the timeout configurable.\n\n"
	 "Link: https://lore.kernel.org/all/20240101-foo@example.org/\n"
	 "Link:\n"
	 "  https://bugzilla.example.org/show_bug.cgi?id=1234\n"
	 "reported-by: lower case <lower@example.com>\n"
	 "CC: Upper Case <upper@example.com>\n"
	 "Change-Id: I0123456789abcdef0123456789abcdef01234567\n"
	 "Change-Id: 20240101-timeout-0123456789ab\n"
	 "Signed-off-by: Ada Example <ada@example.org>\n"
	 "[ada: rebased on v6.8-rc1, fixed a typo]\n"
	 "(cherry picked from commit "
	 "0123456789abcdef0123456789abcdef01234567)\n"
	 "Reported-And-Tested-By: Mixed Case <mixed@example.com>\n"
	 "Tested-by:NoSpace <nospace@example.com>\n" TINY_DIFF,
	 {"Link: https://lore.kernel.org/all/20240101-foo@example.org/",
	  "Link: https://bugzilla.example.org/show_bug.cgi?id=1234",
	  "Reported-by: lower case <lower@example.com>",
	  "Cc: Upper Case <upper@example.com>",
	  "Change-Id: I0123456789abcdef0123456789abcdef01234567",
	  "change-id: 20240101-timeout-0123456789ab",
	  "Signed-off-by: Ada Example <ada@example.org>",
	  "Reported-and-tested-by: Mixed Case <mixed@example.com>",
	  "Tested-by: NoSpace <nospace@example.com>"}},
	{"CRLF lines",
	 "Fix it.\r\n\r\nAcked-by: A <a@example.org>\r\n"
	 "Signed-off-by: B <b@example.org>\r\n---\r\n"
	 "diff --git a/f.c b/f.c\r\n--- a/f.c\r\n+++ b/f.c\r\n"
	 "@@ -1 +1 @@\r\n-a\r\n+b\r\n",
	 {"Acked-by: A <a@example.org>", "Signed-off-by: B <b@example.org>"}},
	{"a reply: quoted lines are someone else's",
	 "> Reviewed-by: Q <q@example.org>\n\nAcked-by: A <a@example.org>\n",
	 {"Acked-by: A <a@example.org>"}},
	{"a reply: a person trailer needs an address",
	 "Reviewed-by: nobody in particular\nFixes: abc123 (\"x: y\")\n",
	 {"Fixes: abc123 (\"x: y\")"}},
	{"a reply: b4 leaves From, Cc, base-commit and change-id alone",
	 "From: X <x@example.org>\nCc: y@example.org\n"
	 "base-commit: 0123456789abcdef\nchange-id: 20240101-x-1234\n",
	 {NULL}},
	{"a reply: an HTML mailer's mailto is dropped (b4 htmljunk)",
	 "Reviewed-by: H J <h@example.com<mailto:h@example.com>>\n",
	 {"Reviewed-by: H J <h@example.com>"}},
	{"a reply: only \"-- \" starts a signature (as b4)",
	 "Acked-by: A <a@example.org>\n--\nA mailer ate the blank.\n"
	 "Reviewed-by: B <b@example.org>\n",
	 {"Acked-by: A <a@example.org>", "Reviewed-by: B <b@example.org>"}},
	{"a reply: nothing below the signature",
	 "Acked-by: A <a@example.org>\n-- \nReviewed-by: S <s@example.org>\n",
	 {"Acked-by: A <a@example.org>"}},
};

static void test_trailer_rules(void **state)
{
	size_t k, i;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(trailer_cases); k++) {
		const struct trailer_case *c = &trailer_cases[k];
		struct patch p = PATCH_INIT;
		char t[1024];

		assert_int_equal(patch_parse(&p, c->body, strlen(c->body)), 0);
		for (i = 0; i < p.nr_trailers || c->trailers[i]; i++) {
			const char *want =
				c->trailers[i] ? c->trailers[i] : "(none)";

			if (i < p.nr_trailers)
				snprintf(t, sizeof(t), "%s: %s",
					 p.trailers[i].name,
					 p.trailers[i].value);
			else
				snprintf(t, sizeof(t), "(none)");
			if (strcmp(t, want) != 0) {
				print_error("%s: trailer %zu is \"%s\", "
					    "expected \"%s\"\n",
					    c->why, i, t, want);
				fail();
			}
			if (!c->trailers[i])
				break;
		}
		patch_release(&p);
	}
}

static void test_patch_trailer_lookup(void **state)
{
	static const char body[] =
		"Fix it.\n\n"
		"Change-Id: I0123456789abcdef0123456789abcdef01234567\n"
		"reviewed-by: R <r@example.org>\n"
		"Reviewed-by: S <s@example.org>\n"
		"change-id: 20240101-fix-0123456789ab\n" TINY_DIFF;
	struct patch p = PATCH_INIT;

	(void)state;
	assert_int_equal(patch_parse(&p, body, strlen(body)), 0);
	assert_int_equal(p.nr_trailers, 4);
	/* the first of a name, any case */
	assert_string_equal(patch_trailer(&p, "Reviewed-by"),
			    "R <r@example.org>");
	assert_string_equal(patch_trailer(&p, "REVIEWED-BY"),
			    "R <r@example.org>");
	/* b4's change-id, never Gerrit's */
	assert_string_equal(patch_trailer(&p, "change-id"),
			    "20240101-fix-0123456789ab");
	assert_string_equal(patch_trailer(&p, "Change-Id"),
			    "20240101-fix-0123456789ab");
	assert_string_equal(p.trailers[0].name, "Change-Id");
	assert_null(patch_trailer(&p, "Acked-by"));
	patch_release(&p);
}

/* ---- odd input and limits ----------------------------------------------- */

static void test_odd_bodies(void **state)
{
#define ODD(s, d, n)                   \
	{                              \
		s, sizeof(s) - 1, d, n \
	}
	static const struct {
		const char *body;
		size_t len;
		bool diff;
		size_t files;
	} odd[] = {
		ODD("", false, 0),
		ODD("---", false, 0),
		ODD("\n\n\n", false, 0),
		ODD("-- \n", false, 0),
		/* a hunk cut short at the end of the mail */
		ODD("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,9 +1,9 @@\n"
		    " a\n",
		    true, 1),
		/* a miscounted hunk, then the next file */
		ODD("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n"
		    "-a\ndiff --git a/y b/y\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n"
		    "-y\n+z\n",
		    true, 2),
		/* NUL bytes inside */
		ODD("msg\0x\n---\ndiff --git a/n b/n\n--- a/n\n+++ b/n\n"
		    "@@ -1 +1 @@\n-\0\n+\0\n",
		    true, 1),
		/* headers without names, a hunk without a file */
		ODD("diff --git\n@@ -1 +1 @@\n-a\n+b\n--- \n+++ \n", false, 0),
		/* broken quoting names no file */
		ODD("diff --git \"a/x \"b/x\"\n", false, 0),
	};
#undef ODD
	size_t k;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(odd); k++) {
		struct patch p = PATCH_INIT;

		assert_int_equal(patch_parse(&p, odd[k].body, odd[k].len), 0);
		if (p.has_diff != odd[k].diff || p.nr_files != odd[k].files) {
			print_error("odd body %zu: diff %d files %zu\n", k,
				    p.has_diff, p.nr_files);
			fail();
		}
		patch_release(&p);
	}
}

/* Which names carry a prefix to strip (git apply -p1), and which not. */
static void test_prefixes(void **state)
{
	static const struct {
		const char *body, *path;
		enum patch_change change;
	} cases[] = {
		{"diff --git a/x/y.c b/x/y.c\n", "x/y.c", M},
		/* --no-prefix */
		{"diff --git x/y.c x/y.c\nnew file mode 100644\n", "x/y.c", A},
		/* diff.mnemonicPrefix */
		{"diff --git i/x/y.c w/x/y.c\n", "x/y.c", M},
		/* git's own ambiguous example: names with spaces */
		{"diff --git a/a b/c b/a b/c\n", "a b/c", M},
		{"diff --git a/x \"b/y\\tz\"\n", "y\tz", M},
		{"--- /dev/null\n+++ b/new.c\n@@ -0,0 +1 @@\n+x\n", "new.c", A},
		{"--- a/old.c\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n", "old.c", D},
		{"--- x.c.orig\n+++ x.c\n@@ -1 +1 @@\n-x\n+y\n", "x.c", M},
		{"--- foo/x.c\n+++ foo/x.c\n@@ -1 +1 @@\n-x\n+y\n", "foo/x.c",
		 M},
		{"--- \"a/sp ace.c\"\t2024-01-01\n+++ \"b/sp ace.c\"\n"
		 "@@ -1 +1 @@\n-x\n+y\n",
		 "sp ace.c", M},
	};
	size_t k;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(cases); k++) {
		struct patch p = PATCH_INIT;

		assert_int_equal(
			patch_parse(&p, cases[k].body, strlen(cases[k].body)),
			0);
		if (p.nr_files != 1 || strcmp(p.files[0].path, cases[k].path) ||
		    p.files[0].change != cases[k].change) {
			print_error("\"%s\": %zu files, first \"%s\" %s\n",
				    cases[k].body, p.nr_files,
				    p.nr_files ? p.files[0].path : "",
				    p.nr_files ? change_name(p.files[0].change)
					       : "");
			fail();
		}
		patch_release(&p);
	}
}

/*
 * A commit message that shows a diffstat of its own: git am keeps it in
 * the message, since the message ends at the "---" line.
 */
static void test_diffstat_in_message(void **state)
{
	static const char body[] =
		"Move the helpers out, the header shrinks:\n"
		"\n"
		" include/linux/foo.h | 40 +-------\n"
		" 1 file changed, 2 insertions(+), 38 deletions(-)\n"
		"\n"
		"Signed-off-by: A U Thor <a@example.org>\n"
		"---\n"
		" lib/foo.c | 2 +-\n"
		" 1 file changed, 1 insertion(+), 1 deletion(-)\n"
		"\n"
		"diff --git a/lib/foo.c b/lib/foo.c\n"
		"--- a/lib/foo.c\n"
		"+++ b/lib/foo.c\n"
		"@@ -1 +1 @@\n"
		"-a\n"
		"+b\n";
	struct patch p = PATCH_INIT;

	(void)state;
	assert_int_equal(patch_parse(&p, body, sizeof(body) - 1), 0);
	assert_true(p.has_separator);
	assert_int_equal(p.message_off, 0);
	assert_int_equal(p.message_len,
			 strlen("Move the helpers out, the header shrinks:\n\n"
				" include/linux/foo.h | 40 +-------\n"
				" 1 file changed, 2 insertions(+), 38 "
				"deletions(-)\n\n"
				"Signed-off-by: A U Thor <a@example.org>"));
	assert_int_equal(p.nr_trailers, 1);
	assert_string_equal(p.trailers[0].name, "Signed-off-by");
	assert_int_equal(p.diffstat.files, 1);
	assert_int_equal(p.diffstat.insertions, 1);
	assert_int_equal(p.diffstat.deletions, 1);
	assert_int_equal(p.nr_paths, 1);
	assert_string_equal(p.paths[0], "lib/foo.c");
	patch_release(&p);
}

static void test_cut_hunk_counts(void **state)
{
	/* the counts say "-- " is the hunk's second old line */
	static const char body[] =
		"diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1 @@\n-a\n"
		"-- \n2.43.0\n";
	struct patch p = PATCH_INIT;

	(void)state;
	assert_int_equal(patch_parse(&p, body, strlen(body)), 0);
	assert_int_equal(p.nr_files, 1);
	assert_int_equal(p.files[0].deletions, 2);
	assert_int_equal(p.files[0].insertions, 0);
	patch_release(&p);
}

/*
 * Old git (before 1.5) wrote "rename old" and "rename new" (git apply
 * still reads them): the path starts after the prefix, whatever its
 * length; an empty one names nothing (the fuzzer found a bare
 * "rename old " line reading before the line).
 */
static void test_rename_old_new(void **state)
{
	static const char body[] = "diff --git a/lib/old.c b/lib/new.c\n"
				   "similarity index 100%\n"
				   "rename old lib/old.c\n"
				   "rename new lib/new.c\n";
	static const char bare[] = "diff --git a/x b/y\n"
				   "rename old \n"
				   "rename new";
	struct patch p = PATCH_INIT;

	(void)state;
	assert_int_equal(patch_parse(&p, body, strlen(body)), 0);
	assert_int_equal(p.nr_files, 1);
	assert_int_equal(p.files[0].change, PATCH_RENAME);
	assert_string_equal(p.files[0].path, "lib/new.c");
	assert_string_equal(p.files[0].old_path, "lib/old.c");
	patch_release(&p);

	assert_int_equal(patch_parse(&p, bare, strlen(bare)), 0);
	assert_int_equal(p.nr_files, 1);
	assert_string_equal(p.files[0].path, "y");
	patch_release(&p);
}

static void test_limit_files(void **state)
{
	struct buf b = BUF_INIT;
	struct patch p = PATCH_INIT;
	size_t i;

	(void)state;
	buf_adds(&b, "Many files.\n---\n");
	for (i = 0; i < PATCH_MAX_FILES + 3; i++)
		buf_addf(&b,
			 "diff --git a/d/f%zu b/d/f%zu\n--- a/d/f%zu\n"
			 "+++ b/d/f%zu\n@@ -1 +1 @@\n-a\n+b\n",
			 i, i, i, i);
	assert_int_equal(patch_parse(&p, b.data, b.len), ERR_LIMIT);
	assert_int_equal(p.nr_files, PATCH_MAX_FILES);
	assert_int_equal(p.nr_paths, PATCH_MAX_FILES);
	assert_string_equal(p.paths[PATCH_MAX_FILES - 1], "d/f19999");
	patch_release(&p);
	buf_release(&b);
}

static void test_limit_trailers(void **state)
{
	struct buf b = BUF_INIT;
	struct patch p = PATCH_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < PATCH_MAX_TRAILERS + 5; i++)
		buf_addf(&b, "Acked-by: A%zu <a%zu@example.org>\n", i, i);
	assert_int_equal(patch_parse(&p, b.data, b.len), ERR_LIMIT);
	assert_int_equal(p.nr_trailers, PATCH_MAX_TRAILERS);
	assert_string_equal(p.trailers[0].value, "A0 <a0@example.org>");
	patch_release(&p);
	buf_release(&b);
}

static void test_limit_trailer_bytes(void **state)
{
	struct buf b = BUF_INIT;
	struct patch p = PATCH_INIT;
	size_t i;

	(void)state;
	buf_adds(&b, "Fix.\n\nLink: https://example.org/");
	for (i = 0; i < PATCH_MAX_TRAILER_BYTES; i++)
		buf_addch(&b, 'x');
	buf_adds(&b, "\nSigned-off-by: A <a@example.org>\n" TINY_DIFF);
	assert_int_equal(patch_parse(&p, b.data, b.len), ERR_LIMIT);
	/* the long one is left out, the others stay */
	assert_int_equal(p.nr_trailers, 1);
	assert_string_equal(p.trailers[0].name, "Signed-off-by");
	patch_release(&p);
	buf_release(&b);
}

static void test_limit_path(void **state)
{
	struct buf b = BUF_INIT;
	struct patch p = PATCH_INIT;
	size_t i;

	(void)state;
	buf_adds(&b, "---\ndiff --git a/");
	for (i = 0; i < PATCH_MAX_PATH_BYTES + 1; i++)
		buf_addch(&b, 'p');
	buf_adds(&b, " b/");
	for (i = 0; i < PATCH_MAX_PATH_BYTES + 1; i++)
		buf_addch(&b, 'p');
	buf_adds(&b, "\nindex 1..2\ndiff --git a/ok b/ok\n--- a/ok\n"
		     "+++ b/ok\n@@ -1 +1 @@\n-a\n+b\n");
	assert_int_equal(patch_parse(&p, b.data, b.len), ERR_LIMIT);
	assert_int_equal(p.nr_files, 1);
	assert_string_equal(p.files[0].path, "ok");
	patch_release(&p);
	buf_release(&b);
}

static void test_release_resets(void **state)
{
	struct patch p = PATCH_INIT;
	size_t len;
	char *body = read_fixture("normal.txt", &len);

	(void)state;
	assert_int_equal(patch_parse(&p, body, len), 0);
	patch_release(&p);
	assert_null(p.files);
	assert_null(p.paths);
	assert_null(p.trailers);
	assert_int_equal(p.nr_files + p.nr_paths + p.nr_trailers, 0);
	assert_false(p.has_diff);
	patch_release(&p);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_fixtures_crlf),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_corpus_pull),
		cmocka_unit_test(test_trailer_rules),
		cmocka_unit_test(test_patch_trailer_lookup),
		cmocka_unit_test(test_odd_bodies),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_diffstat_in_message),
		cmocka_unit_test(test_cut_hunk_counts),
		cmocka_unit_test(test_rename_old_new),
		cmocka_unit_test(test_limit_files),
		cmocka_unit_test(test_limit_trailers),
		cmocka_unit_test(test_limit_trailer_bytes),
		cmocka_unit_test(test_limit_path),
		cmocka_unit_test(test_release_resets),
	};

	return cmocka_run_group_tests_name("patch", tests, NULL, NULL);
}
