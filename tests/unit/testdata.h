/*
 * testdata.h: where unit tests find their data. Fixtures live in the tree
 * ($PATCHLETTER_FIXTURES, tests/fixtures by default); the shared corpus is
 * read in place from $PATCHLETTER_SHARED/corpus and tests that need it
 * skip, saying so, when it is absent. Include after cmocka.h.
 */
#ifndef PATCHLETTER_TESTDATA_H
#define PATCHLETTER_TESTDATA_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "xalloc.h"

/* The path of a fixture file (owned: free() it). */
static inline char *testdata_fixture(const char *rel)
{
	const char *dir = getenv("PATCHLETTER_FIXTURES");

	return xasprintf("%s/%s", dir && *dir ? dir : "tests/fixtures", rel);
}

/*
 * The path of a corpus file (owned), or NULL when the corpus is absent:
 * the caller then skip()s. The message is printed once per test.
 */
static inline char *testdata_corpus(const char *rel)
{
	const char *dir = getenv("PATCHLETTER_SHARED");
	struct stat st;
	char *top, *path;

	if (!dir || !*dir)
		dir = "../shared";
	top = xasprintf("%s/corpus", dir);
	if (stat(top, &st) || !S_ISDIR(st.st_mode)) {
		print_message(
			"skipped: corpus %s absent (set PATCHLETTER_SHARED)\n",
			top);
		free(top);
		return NULL;
	}
	path = xasprintf("%s/%s", top, rel);
	free(top);
	return path;
}

/*
 * Read a whole file into out (appended), through `gzip -dc` when its
 * name ends in .gz. False when it cannot be read.
 */
static inline bool testdata_read(struct buf *out, const char *path)
{
	size_t n = strlen(path);
	bool gz = n > 3 && !strcmp(path + n - 3, ".gz");
	char chunk[65536];
	FILE *f;
	size_t got;
	bool ok;

	if (gz) {
		char *cmd = xasprintf("gzip -dc '%s'", path);

		f = popen(cmd, "r");
		free(cmd);
	} else {
		f = fopen(path, "rb");
	}
	if (!f)
		return false;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, got);
	ok = !ferror(f);
	if (gz)
		ok = pclose(f) == 0 && ok;
	else
		fclose(f);
	return ok;
}

#endif
