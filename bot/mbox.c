/*
 * mbox.c: mboxes, Maildirs and single mail files split into messages
 * (mbox.h).
 *
 * One line-driven splitter serves the in-memory and the streaming mbox
 * readers: lines are fed to it one at a time, so a file is read in fixed
 * chunks and only the current message is held.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "log.h"
#include "mbox.h"
#include "xalloc.h"

struct splitter {
	enum mbox_quoting quoting;
	const char *source;
	mbox_fn fn;
	void *arg;
	struct buf msg;	   /* the message being read, at most MAIL_MAX_BYTES */
	uint64_t full_len; /* its size, counting what did not fit */
	size_t index;
	bool in_msg;	    /* something of a message has been seen */
	bool after_blank;   /* at the start, or after a blank line */
	bool mid_line;	    /* the last piece fed did not end a line */
	char pending[2];    /* a blank line held back: the separator's? */
	size_t pending_len; /* 0, 1 ("\n") or 2 ("\r\n") */
};

static void splitter_init(struct splitter *sp, enum mbox_quoting quoting,
			  const char *source, mbox_fn fn, void *arg)
{
	memset(sp, 0, sizeof(*sp));
	sp->quoting = quoting;
	sp->source = source;
	sp->fn = fn;
	sp->arg = arg;
	buf_init(&sp->msg, MAIL_MAX_BYTES);
	sp->after_blank = true;
}

/* Add bytes to the message; what passes the cap is only counted. */
static void msg_add(struct splitter *sp, const char *p, size_t n)
{
	size_t room = MAIL_MAX_BYTES - sp->msg.len;

	sp->full_len += n;
	if (n > room)
		n = room;
	if (buf_try_add(&sp->msg, p, n))
		BUG("mbox: append within the cap refused");
}

/* Hand the message read so far to the callback. */
static int emit(struct splitter *sp)
{
	struct mbox_msg m = {
		.data = sp->msg.data,
		.len = sp->msg.len,
		.index = sp->index++,
		.source = sp->source,
		.truncated = sp->full_len > sp->msg.len,
		.full_len = sp->full_len,
	};
	int r;

	if (m.truncated)
		log_warnx("mbox: %s: message %zu is %llu bytes, over the "
			  "limit of %u; passed on cut to the limit",
			  sp->source, m.index, (unsigned long long)m.full_len,
			  MAIL_MAX_BYTES);
	r = sp->fn(&m, sp->arg);
	sp->in_msg = false;
	sp->pending_len = 0;
	sp->full_len = 0;
	buf_reset(&sp->msg);
	return r;
}

static bool is_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

static bool is_from_line(const char *p, size_t n)
{
	return n >= 5 && !memcmp(p, "From ", 5);
}

static bool all_digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

/*
 * An RFC 4155 From_ line: "From " sender and an asctime() stamp, so
 * ending in "hh:mm:ss yyyy". git mailsplit takes such a line as a
 * separator even without a blank line before it; so do we.
 */
static bool is_stamped_from_line(const char *p, size_t n)
{
	if (!is_from_line(p, n))
		return false;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n >= 5 + 14 && all_digits(p + n - 4, 4) && p[n - 5] == ' ' &&
	       all_digits(p + n - 7, 2) && p[n - 8] == ':' &&
	       all_digits(p + n - 10, 2) && p[n - 11] == ':' &&
	       all_digits(p + n - 13, 2);
}

/*
 * Feed one line (with its '\n', when it has one). A line longer than a
 * read chunk comes in pieces: only the first piece is a line start.
 */
static int feed(struct splitter *sp, const char *p, size_t n)
{
	bool starts = !sp->mid_line, ends = n && p[n - 1] == '\n';
	size_t body = n - (ends ? 1 : 0);
	int r;

	sp->mid_line = !ends;
	if (starts && body && p[body - 1] == '\r')
		body--;
	if (!starts) {
		msg_add(sp, p, n);
		return 0;
	}
	if (!sp->in_msg && is_blank(p, body)) {
		/* White space before the first message, as git mailsplit. */
		sp->after_blank = true;
		return 0;
	}
	if (sp->after_blank ? is_from_line(p, body)
			    : is_stamped_from_line(p, body)) {
		/* A separator: the blank line before it is the mbox's. */
		if (sp->in_msg && (r = emit(sp)))
			return r;
		sp->in_msg = true;
		sp->pending_len = 0;
		sp->after_blank = false;
		return 0;
	}
	if (!body && ends) {
		/* Hold a blank line back until we know it is the message's. */
		if (sp->pending_len)
			msg_add(sp, sp->pending, sp->pending_len);
		sp->pending_len = n;
		memcpy(sp->pending, p, n);
		sp->after_blank = true;
		return 0;
	}
	if (sp->pending_len) {
		msg_add(sp, sp->pending, sp->pending_len);
		sp->pending_len = 0;
	}
	sp->in_msg = true;
	sp->after_blank = false;
	if (p[0] == '>') {
		size_t q = 1;

		while (q < body && p[q] == '>')
			q++;
		/* mboxrd: any depth; mboxo: one '>' only. */
		if (is_from_line(p + q, body - q) &&
		    (sp->quoting == MBOX_RD || q == 1)) {
			p++;
			n--;
		}
	}
	msg_add(sp, p, n);
	return 0;
}

/* End of input: the last message (its final blank line is the mbox's). */
static int finish(struct splitter *sp)
{
	int r = 0;

	if (sp->in_msg)
		r = emit(sp);
	buf_release(&sp->msg);
	return r;
}

int mbox_split(const char *data, size_t len, enum mbox_quoting quoting,
	       const char *source, mbox_fn fn, void *arg)
{
	struct splitter sp;
	const char *p = data, *end = data + len;
	int r = 0;

	splitter_init(&sp, quoting, source, fn, arg);
	while (p < end && !r) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end;

		r = feed(&sp, p, (size_t)(next - p));
		p = next;
	}
	if (r) {
		buf_release(&sp.msg);
		return r;
	}
	return finish(&sp);
}

int mbox_read_fd(int fd, const char *source, enum mbox_quoting quoting,
		 mbox_fn fn, void *arg)
{
	struct splitter sp;
	char *win = xmalloc(MBOX_READ_CHUNK);
	size_t have = 0;
	int r = 0;

	splitter_init(&sp, quoting, source, fn, arg);
	for (;;) {
		ssize_t got = read(fd, win + have, MBOX_READ_CHUNK - have);
		const char *p = win, *end, *nl;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			log_warn("mbox: %s: read", source);
			r = ERR_FAIL;
			break;
		}
		if (got == 0)
			break;
		have += (size_t)got;
		end = win + have;
		while (!r && (nl = memchr(p, '\n', (size_t)(end - p)))) {
			r = feed(&sp, p, (size_t)(nl + 1 - p));
			p = nl + 1;
		}
		if (r)
			break;
		have = (size_t)(end - p);
		if (have == MBOX_READ_CHUNK) {
			/* A line longer than the window goes on in pieces. */
			r = feed(&sp, win, have);
			have = 0;
			if (r)
				break;
		} else {
			memmove(win, p, have);
		}
	}
	if (!r && have)
		r = feed(&sp, win, have); /* a last line without '\n' */
	free(win);
	if (r) {
		buf_release(&sp.msg);
		return r;
	}
	return finish(&sp);
}

int mbox_read_file(const char *path, enum mbox_quoting quoting, mbox_fn fn,
		   void *arg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0) {
		int e = errno;

		log_warn("mbox: %s", path);
		return e == ENOENT ? ERR_NOTFOUND : ERR_FAIL;
	}
	r = mbox_read_fd(fd, path, quoting, fn, arg);
	close(fd);
	return r;
}

/*
 * One mail file, read whole up to MAIL_MAX_BYTES (the rest only counted).
 */
static int read_one(const char *path, size_t index, mbox_fn fn, void *arg)
{
	struct buf b;
	struct mbox_msg m = {.index = index, .source = path};
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;
	uint64_t total = 0;

	if (fd < 0) {
		int e = errno;

		log_warn("mbox: %s", path);
		return e == ENOENT ? ERR_NOTFOUND : ERR_FAIL;
	}
	buf_init(&b, MAIL_MAX_BYTES);
	for (;;) {
		ssize_t got = read(fd, chunk, sizeof(chunk));
		size_t keep;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			log_warn("mbox: %s: read", path);
			close(fd);
			buf_release(&b);
			return ERR_FAIL;
		}
		if (got == 0)
			break;
		total += (uint64_t)got;
		keep = MAIL_MAX_BYTES - b.len;
		if ((size_t)got < keep)
			keep = (size_t)got;
		if (buf_try_add(&b, chunk, keep))
			BUG("mbox: append within the cap refused");
	}
	close(fd);
	m.data = b.data;
	m.len = b.len;
	m.full_len = total;
	m.truncated = total > b.len;
	if (m.truncated)
		log_warnx("mbox: %s: %llu bytes, over the limit of %u; passed "
			  "on cut to the limit",
			  path, (unsigned long long)total, MAIL_MAX_BYTES);
	r = fn(&m, arg);
	buf_release(&b);
	return r;
}

int mbox_read_single(const char *path, mbox_fn fn, void *arg)
{
	return read_one(path, 0, fn, arg);
}

struct maildir_entry {
	char *name;
	int sub; /* 0: cur, 1: new */
};

static int entry_cmp(const void *a, const void *b)
{
	const struct maildir_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->sub - y->sub;
}

int mbox_read_maildir(const char *path, mbox_fn fn, void *arg)
{
	static const char *const subs[2] = {"cur", "new"};
	struct maildir_entry *ents = NULL;
	size_t nr = 0, alloc = 0, i;
	int s, r = 0;

	for (s = 0; s < 2; s++) {
		char *dir = xasprintf("%s/%s", path, subs[s]);
		DIR *d = opendir(dir);
		struct dirent *de;

		if (!d) {
			if (errno != ENOENT) {
				log_warn("mbox: %s", dir);
				r = ERR_FAIL;
			}
			free(dir);
			continue;
		}
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			XGROW(ents, alloc, nr + 1);
			ents[nr].name = xstrdup(de->d_name);
			ents[nr++].sub = s;
		}
		closedir(d);
		free(dir);
	}
	if (nr)
		qsort(ents, nr, sizeof(*ents), entry_cmp);
	for (i = 0; i < nr && !r; i++) {
		char *file = xasprintf("%s/%s/%s", path, subs[ents[i].sub],
				       ents[i].name);

		r = read_one(file, i, fn, arg);
		/* A file gone since the listing (another reader moved it). */
		if (r == ERR_NOTFOUND)
			r = 0;
		free(file);
	}
	for (i = 0; i < nr; i++)
		free(ents[i].name);
	free(ents);
	return r;
}

static bool is_dir(const char *path, const char *sub)
{
	char *p = xasprintf("%s/%s", path, sub);
	struct stat st;
	bool yes = stat(p, &st) == 0 && S_ISDIR(st.st_mode);

	free(p);
	return yes;
}

int mbox_detect(enum mbox_kind *out, const char *path)
{
	struct stat st;
	char head[4096];
	ssize_t got;
	size_t i = 0;
	int fd;

	if (stat(path, &st) < 0) {
		int e = errno;

		log_warn("mbox: %s", path);
		return e == ENOENT ? ERR_NOTFOUND : ERR_FAIL;
	}
	if (S_ISDIR(st.st_mode)) {
		if (is_dir(path, "cur") || is_dir(path, "new")) {
			*out = MBOX_KIND_MAILDIR;
			return 0;
		}
		return errorf(ERR_PERM,
			      "mbox: %s: a directory without cur/ "
			      "or new/ is not a Maildir",
			      path);
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) &&
	    !S_ISCHR(st.st_mode))
		return errorf(ERR_PERM, "mbox: %s: not a file", path);
	if (!S_ISREG(st.st_mode)) {
		/* A pipe cannot be peeked at and read again: stream it. */
		*out = MBOX_KIND_MBOX;
		return 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_warn("mbox: %s", path);
		return ERR_FAIL;
	}
	do {
		got = read(fd, head, sizeof(head));
	} while (got < 0 && errno == EINTR);
	close(fd);
	if (got < 0) {
		log_warn("mbox: %s: read", path);
		return ERR_FAIL;
	}
	/* Leading white space is skipped, as git mailsplit does. */
	while (i < (size_t)got && strchr(" \t\r\n", head[i]))
		i++;
	if (i == (size_t)got || is_from_line(head + i, (size_t)got - i))
		*out = MBOX_KIND_MBOX;
	else
		*out = MBOX_KIND_FILE;
	return 0;
}

int mbox_read_path(const char *path, enum mbox_quoting quoting, mbox_fn fn,
		   void *arg)
{
	enum mbox_kind kind;
	int r = mbox_detect(&kind, path);

	if (r)
		return r;
	switch (kind) {
	case MBOX_KIND_MBOX:
		return mbox_read_file(path, quoting, fn, arg);
	case MBOX_KIND_MAILDIR:
		return mbox_read_maildir(path, fn, arg);
	case MBOX_KIND_FILE:
		return mbox_read_single(path, fn, arg);
	}
	BUG("mbox: kind %d", (int)kind);
}
