/*
 * test_maintainers_git.c: MAINTAINERS read from a git repository at a ref,
 * and the ref moving. Each test builds a throwaway repository with the git
 * command in a temporary directory (skipped when git is missing).
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

#include "buf.h"
#include "err.h"
#include "maintainers.h"
#include "maintainers_git.h"

struct repo {
	char dir[256];
};

/* Run a shell command in the repository; fail the test when it fails. */
static void run(const struct repo *r, const char *cmd)
{
	char line[2048];
	int n = snprintf(line, sizeof(line),
			 "cd '%s' && GIT_CONFIG_NOSYSTEM=1 HOME='%s' %s "
			 ">/dev/null 2>&1",
			 r->dir, r->dir, cmd);

	assert_true(n > 0 && (size_t)n < sizeof(line));
	n = system(line);
	if (n != 0)
		print_error("failed: %s\n", cmd);
	assert_int_equal(n, 0);
}

static void commit(const struct repo *r, const char *maintainers,
		   const char *message)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/MAINTAINERS", r->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(maintainers, f);
	fclose(f);
	run(r, "git add -A");
	snprintf(path, sizeof(path),
		 "git -c user.name=T -c user.email=t@example.org commit -q -m "
		 "'%s'",
		 message);
	run(r, path);
}

static int setup(void **state)
{
	struct repo *r;

	if (system("git --version >/dev/null 2>&1") != 0) {
		print_message(
			"SKIP: no git command to build test repositories\n");
		return -1;
	}
	r = calloc(1, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "%s/patchletter-mgit-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(r->dir)) {
		free(r);
		return -1;
	}
	run(r, "git init -q -b main . && mkdir -p tools/dir && "
	       "echo x > tools/dir/a.c");
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct repo *r = *state;
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
	if (system(cmd) != 0)
		print_error("cannot remove %s\n", r->dir);
	free(r);
	return 0;
}

static const char first[] = "DIR SECTION\n"
			    "S:\tMaintained\n"
			    "F:\ttools/dir\n"
			    "\n"
			    "THE REST\n"
			    "F:\t*\n"
			    "F:\t*/\n";

static const char second[] = "NEW SECTION\n"
			     "S:\tMaintained\n"
			     "F:\ttools/\n";

static const char *first_section(const struct maintainers *m, const char *path)
{
	struct maintainers_result r = MAINTAINERS_RESULT_INIT;
	static char name[64];

	assert_int_equal(maintainers_match_files(&r, m, &path, 1, NULL, 0), 0);
	assert_true(r.nr > 0);
	snprintf(name, sizeof(name), "%s",
		 maintainers_section(m, r.v[0].section)->name);
	maintainers_result_release(&r);
	return name;
}

static void test_load_and_follow_the_ref(void **state)
{
	struct repo *r = *state;
	struct maintainers_git *g;
	struct maintainers *m;
	struct buf errors = BUF_INIT;
	char loaded[64], head[41];

	commit(r, first, "first");
	assert_int_equal(maintainers_git_open(&g, r->dir, "refs/heads/main"),
			 0);
	assert_string_equal(maintainers_git_commit(g), "");
	assert_int_equal(maintainers_git_moved(g), 1); /* nothing loaded */
	assert_int_equal(maintainers_git_load(&m, g, &errors), 0);
	assert_string_equal(errors.data, "");
	assert_int_equal(strlen(maintainers_git_commit(g)), 40);
	snprintf(loaded, sizeof(loaded), "%s", maintainers_git_commit(g));
	/*
	 * tools/dir is a directory in that tree, so "F: tools/dir" takes
	 * its subtree, as get_maintainer.pl does inside a kernel tree.
	 */
	assert_string_equal(first_section(m, "tools/dir/b.c"), "DIR SECTION");
	assert_string_equal(first_section(m, "tools/dirt.c"), "THE REST");
	assert_int_equal(maintainers_git_moved(g), 0);
	assert_int_equal(maintainers_git_head(head, g), 0);
	assert_string_equal(head, loaded);
	maintainers_free(m);

	/* The ref moves: the caller is told, and the reload sees it. */
	commit(r, second, "second");
	assert_int_equal(maintainers_git_moved(g), 1);
	assert_int_equal(maintainers_git_head(head, g), 0);
	assert_string_not_equal(head, loaded); /* without loading */
	assert_int_equal(maintainers_git_load(&m, g, &errors), 0);
	assert_string_not_equal(maintainers_git_commit(g), loaded);
	assert_int_equal(maintainers_count(m), 1);
	assert_string_equal(first_section(m, "tools/x.c"), "NEW SECTION");
	assert_int_equal(maintainers_git_moved(g), 0);
	assert_string_equal(maintainers_git_commit(g), head);
	maintainers_free(m);
	maintainers_git_free(g);
	buf_release(&errors);
}

static void test_missing_things(void **state)
{
	struct repo *r = *state;
	struct maintainers_git *g;
	struct maintainers *m;
	char elsewhere[512];

	commit(r, first, "first");
	assert_int_equal(maintainers_git_open(&g, r->dir, "no-such-ref"), 0);
	assert_int_equal(maintainers_git_load(&m, g, NULL), ERR_NOTFOUND);
	assert_null(m);
	assert_int_equal(maintainers_git_moved(g), ERR_NOTFOUND);
	maintainers_git_free(g);

	/* A commit without MAINTAINERS. */
	run(r, "git rm -q MAINTAINERS && git -c user.name=T "
	       "-c user.email=t@example.org commit -q -m gone");
	assert_int_equal(maintainers_git_open(&g, r->dir, "HEAD"), 0);
	assert_int_equal(maintainers_git_load(&m, g, NULL), ERR_NOTFOUND);
	/* The commit before still has it. */
	maintainers_git_free(g);
	assert_int_equal(maintainers_git_open(&g, r->dir, "HEAD~1"), 0);
	assert_int_equal(maintainers_git_load(&m, g, NULL), 0);
	maintainers_free(m);
	maintainers_git_free(g);

	snprintf(elsewhere, sizeof(elsewhere), "%s/tools", r->dir);
	assert_int_equal(maintainers_git_open(&g, elsewhere, "HEAD"),
			 ERR_NOTFOUND);
	assert_null(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_and_follow_the_ref,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_things, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
