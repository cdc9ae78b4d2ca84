/*
 * template_dir.c: read a templates directory, compile each file, resolve
 * partials among them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounds.h"
#include "err.h"
#include "log.h"
#include "template_dir.h"
#include "xalloc.h"

struct tpl_entry {
	char *name; /* owned: NAME, without the extension */
	enum tpl_mode mode;
	struct tpl *tpl; /* owned */
};

struct tpl_dir {
	struct tpl_entry *v; /* owned */
	size_t n, alloc;
};

struct loading {
	const char *path;
	struct buf *errors; /* borrowed; NULL: log */
	int rc;		    /* the first failure */
};

static void PRINTF_LIKE(3, 4)
	fail_load(struct loading *l, int code, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (!l->errors)
		log_warnx("template: %s", msg.data);
	else if (!buf_try_add(l->errors, msg.data, msg.len) &&
		 buf_try_addch(l->errors, '\n'))
		buf_truncate(l->errors, l->errors->len - msg.len);
	buf_release(&msg);
	if (!l->rc)
		l->rc = code;
}

/* NAME.txt or NAME.html, NAME as template_dir.h says: the name's length. */
static size_t template_file(const char *file, enum tpl_mode *mode)
{
	size_t len = strlen(file), n, i;

	if (len > 4 && !strcmp(file + len - 4, ".txt")) {
		n = len - 4;
		*mode = TPL_TEXT;
	} else if (len > 5 && !strcmp(file + len - 5, ".html")) {
		n = len - 5;
		*mode = TPL_HTML;
	} else {
		return 0;
	}
	if (file[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.",
			    file[i]))
			return 0;
	return n;
}

/* Read a whole regular file of at most TPL_MAX_BYTES into text. */
static int read_template(struct loading *l, const char *file, struct buf *text)
{
	struct stat st;
	char chunk[8192];
	ssize_t got;
	int fd, rc = 0;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail_load(l, ERR_PERM, "%s: %s", file, strerror(errno));
		return ERR_PERM;
	}
	if (fstat(fd, &st) < 0) {
		fail_load(l, ERR_PERM, "%s: %s", file, strerror(errno));
		rc = ERR_PERM;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = ERR_NOTFOUND; /* a directory called x.txt: not ours */
		goto out;
	}
	buf_init(text, TPL_MAX_BYTES);
	for (;;) {
		got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			fail_load(l, ERR_PERM, "%s: %s", file, strerror(errno));
			rc = ERR_PERM;
			break;
		}
		if (got == 0)
			break;
		if (buf_try_add(text, chunk, (size_t)got)) {
			fail_load(l, ERR_PERM,
				  "%s: larger than the limit of %u bytes", file,
				  TPL_MAX_BYTES);
			rc = ERR_PERM;
			break;
		}
	}
out:
	close(fd);
	return rc;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The candidate file names in path, sorted, so errors come in order. */
static int list_files(struct loading *l, char ***out, size_t *n)
{
	size_t alloc = 0;
	struct dirent *e;
	enum tpl_mode mode;
	DIR *dir;

	*out = NULL;
	*n = 0;
	dir = opendir(l->path);
	if (!dir) {
		fail_load(l, errno == ENOENT ? ERR_NOTFOUND : ERR_PERM,
			  "%s: %s", l->path, strerror(errno));
		return l->rc;
	}
	while ((e = readdir(dir))) {
		if (!template_file(e->d_name, &mode))
			continue;
		if (*n == TPL_DIR_MAX_FILES) {
			fail_load(l, ERR_LIMIT, "%s: more than %d templates",
				  l->path, TPL_DIR_MAX_FILES);
			break;
		}
		XGROW(*out, alloc, *n + 1);
		(*out)[(*n)++] = xstrdup(e->d_name);
	}
	closedir(dir);
	if (*n)
		qsort(*out, *n, sizeof(**out), compare_names);
	return l->rc;
}

static const struct tpl *dir_loader(const char *name, enum tpl_mode mode,
				    void *arg)
{
	return tpl_dir_get(arg, name, mode);
}

static void load_file(struct loading *l, struct tpl_dir *d, const char *file)
{
	struct buf text = BUF_INIT;
	struct tpl_entry *e;
	enum tpl_mode mode;
	struct tpl *t;
	size_t n = template_file(file, &mode);
	char *full = xasprintf("%s/%s", l->path, file);

	if (read_template(l, full, &text))
		goto out;
	if (tpl_compile(&t, full, text.data, text.len, l->errors)) {
		if (!l->rc)
			l->rc = ERR_PERM;
		goto out;
	}
	XGROW(d->v, d->alloc, d->n + 1);
	e = &d->v[d->n++];
	e->name = xmemdup0(file, n);
	e->mode = mode;
	e->tpl = t;
	tpl_set_loader(t, dir_loader, d);
out:
	buf_release(&text);
	free(full);
}

int tpl_dir_load(struct tpl_dir **out, const char *path, struct buf *errors)
{
	struct loading l = {path, errors, 0};
	struct tpl_dir *d;
	char **files;
	size_t n, i;

	*out = NULL;
	d = xcalloc(1, sizeof(*d));
	if (!list_files(&l, &files, &n))
		for (i = 0; i < n; i++)
			load_file(&l, d, files[i]);
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	/* Partials are checked once every template is known. */
	for (i = 0; i < d->n; i++)
		if (tpl_check_partials(d->v[i].tpl, d->v[i].mode, errors) &&
		    !l.rc)
			l.rc = ERR_PERM;
	if (l.rc) {
		tpl_dir_free(d);
		return l.rc;
	}
	*out = d;
	return 0;
}

const struct tpl *tpl_dir_get(const struct tpl_dir *d, const char *name,
			      enum tpl_mode mode)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].mode == mode && !strcmp(d->v[i].name, name))
			return d->v[i].tpl;
	return NULL;
}

void tpl_dir_free(struct tpl_dir *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->v[i].name);
		tpl_free(d->v[i].tpl);
	}
	free(d->v);
	free(d);
}
