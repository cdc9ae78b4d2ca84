/*
 * tzdb.c: see tzdb.h.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounds.h"
#include "tzdb.h"

static bool name_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
	       c == '+';
}

bool tzdb_name_ok(const char *name)
{
	size_t len = strlen(name);
	bool component_start = true;

	if (!len || len > TZDB_MAX_NAME)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (c == '/') {
			/* Leading "/", "//" and a trailing "/". */
			if (component_start || i + 1 == len)
				return false;
			component_start = true;
			continue;
		}
		if (!name_byte(c))
			return false;
		/* ".", ".." and hidden files are never zones. */
		if (component_start && c == '.')
			return false;
		component_start = false;
	}
	return true;
}

bool tzdb_has(const char *name, void *dir)
{
	const char *top = dir ? dir : TZDB_DEFAULT_DIR;
	char path[4096], magic[4];
	struct stat st;
	bool ok;
	int n, fd;

	if (!tzdb_name_ok(name))
		return false;
	n = snprintf(path, sizeof(path), "%s/%s", top, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return false;
	/* O_NONBLOCK: a FIFO planted there must not hang the check. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	/* RFC 8536 3.1: every TZif file begins with "TZif". */
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	     read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	     memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}
