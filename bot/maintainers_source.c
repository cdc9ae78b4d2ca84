/*
 * maintainers_source.c: see maintainers_source.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounds.h"
#include "err.h"
#include "log.h"
#include "maintainers_git.h"
#include "maintainers_source.h"
#include "xalloc.h"

/* Read at most max bytes of path into out; ERR_LIMIT beyond. */
static int read_bounded(struct buf *out, const char *path, size_t max)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	/* ERR_FAIL even when it is missing: ERR_NOTFOUND says "none
	 * configured" to the caller. */
	if (fd < 0)
		return errorf(ERR_FAIL, "maintainers: %s: %s", path,
			      strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (out->len + (size_t)n > max) {
			close(fd);
			return errorf(ERR_LIMIT,
				      "maintainers: %s: larger than %zu bytes",
				      path, max);
		}
		buf_add(out, chunk, (size_t)n);
	}
	if (n < 0) {
		int e = errno;

		close(fd);
		return errorf(ERR_FAIL, "maintainers: %s: %s", path,
			      strerror(e));
	}
	close(fd);
	return 0;
}

static bool exists(const char *dir, const char *name, bool want_dir)
{
	struct stat st;
	char *path = xasprintf("%s/%s", dir, name);
	bool ok = stat(path, &st) == 0 &&
		  (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));

	free(path);
	return ok;
}

/*
 * As get_maintainer.pl's top_of_kernel_tree(): the files and directories
 * every kernel tree has at its top (a few of its list suffice here).
 */
static bool kernel_top(const char *dir)
{
	static const char *const files[] = {"Kbuild", "Makefile",
					    "MAINTAINERS"};
	static const char *const dirs[] = {"arch", "drivers", "include",
					   "kernel", "scripts"};

	for (size_t k = 0; k < ARRAY_SIZE(files); k++)
		if (!exists(dir, files[k], false))
			return false;
	for (size_t k = 0; k < ARRAY_SIZE(dirs); k++)
		if (!exists(dir, dirs[k], true))
			return false;
	return true;
}

static bool tree_is_dir(const char *path, void *payload)
{
	return exists(payload, path, true);
}

static int load_file(struct maintainers **out, const char *file,
		     struct buf *errors)
{
	struct maintainers_options opts = {NULL, NULL};
	struct buf text = BUF_INIT;
	char *dir = xstrdup(file), *slash = strrchr(dir, '/');
	int rc;

	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	/* get_maintainer.pl tests -d on F: values when run in a tree. */
	if (kernel_top(*dir ? dir : "/")) {
		opts.is_dir = tree_is_dir;
		opts.payload = dir;
	}
	rc = read_bounded(&text, file, MAINTAINERS_MAX_BYTES);
	if (rc == 0) {
		rc = maintainers_parse(out, text.data, text.len, &opts, errors);
		if (rc == ERR_PERM)
			rc = errorf(ERR_PERM, "maintainers: %s: no section",
				    file);
		else if (rc)
			rc = errorf(rc, "maintainers: %s: too large", file);
	}
	buf_release(&text);
	free(dir);
	return rc;
}

int maintainers_source_load(struct maintainers **out, const char *file,
			    const struct config_maintainers *cfg,
			    struct buf *errors)
{
	struct maintainers_git *g = NULL;
	int rc;

	*out = NULL;
	if (file)
		return load_file(out, file, errors);
	if (cfg && cfg->file)
		return load_file(out, cfg->file, errors);
	if (!cfg || !cfg->git)
		return ERR_NOTFOUND;
	rc = maintainers_git_open(&g, cfg->git, cfg->ref ? cfg->ref : "HEAD");
	if (rc == ERR_NOTFOUND)
		return errorf(ERR_FAIL, "maintainers: %s: not a git repository",
			      cfg->git);
	if (rc == 0)
		rc = maintainers_git_load(out, g, errors);
	maintainers_git_free(g);
	/* A missing ref or file was reported; it is not "none configured". */
	return rc == ERR_NOTFOUND ? ERR_FAIL : rc;
}

int maintainers_source_fingerprint(char out[MAINTAINERS_FINGERPRINT_BYTES],
				   const struct config_maintainers *cfg)
{
	struct maintainers_git *g = NULL;
	char head[41];
	struct stat st;
	int rc;

	out[0] = '\0';
	if (cfg && cfg->file) {
		if (stat(cfg->file, &st) < 0)
			return ERR_NOTFOUND;
		snprintf(out, MAINTAINERS_FINGERPRINT_BYTES,
			 "file %llu %lld %lld.%09ld",
			 (unsigned long long)st.st_ino, (long long)st.st_size,
			 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
		return 0;
	}
	if (!cfg || !cfg->git)
		return ERR_NOTFOUND;
	rc = maintainers_git_open(&g, cfg->git, cfg->ref ? cfg->ref : "HEAD");
	if (rc == 0)
		rc = maintainers_git_head(head, g);
	maintainers_git_free(g);
	if (rc == 0)
		snprintf(out, MAINTAINERS_FINGERPRINT_BYTES, "git %s", head);
	return rc;
}
