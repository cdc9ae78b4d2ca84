/*
 * archive.c: public-inbox archives through libgit2 (archive.h).
 *
 * Reading follows public-inbox-index (SearchIdx.pm, log2stack): a v2
 * commit whose tree holds "m" adds that blob, one holding "d" removes
 * the message in that blob; a v1 commit adds the "xx/y{38}" paths it
 * creates and removes the ones it deletes (modified paths are ignored,
 * as -index does). Unlike -index, which asks `git log` for everything
 * and keeps it, the walk here keeps a bounded window (see walk_epoch()).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "archive.h"
#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "log.h"
#include "xalloc.h"

struct archive {
	char *path; /* owned */
	char *name; /* owned */
	bool inbox; /* a v2 inbox directory (git/N.git), else one repository */
};

/* One commit of the first-parent line, as the walk keeps it. */
struct step {
	git_oid commit;
	git_oid tree;
	git_oid parent; /* meaningful when has_parent */
	bool has_parent;
	int64_t time; /* author time */
};

/* The state of reading one epoch (or the single repository). */
struct epoch {
	const struct archive_ops *ops; /* borrowed */
	void *arg;		       /* borrowed */
	struct archive_stats *st;      /* borrowed */
	git_repository *repo;	       /* owned */
	git_odb *odb;		       /* owned */
	bool wrapped; /* opened through its objects alone (see repo_open) */
	char *dir;    /* owned: the repository's folder */
	char *source; /* owned: its cursor name */
	unsigned num; /* epoch number */
	unsigned batch;
	/* The batch in flight: commits handed over since the last commit(). */
	unsigned batch_commits;
	uint64_t batch_bytes;
	git_oid last;
	bool pending;
};

/* Report libgit2's last error once, with our context. */
static int git_fail(int code, const char *where, const char *what)
{
	const git_error *ge = git_error_last();

	return errorf(code, "archive: %s: %s: %s", where, what,
		      ge && ge->message ? ge->message : "unknown error");
}

/*
 * libgit2's options are process-wide. A walk reads each object once, so
 * the object cache (256 MiB by default, commits and trees up to 4 KiB
 * each) would only grow with the archive: turn it off. Pack files are
 * mapped in windows of 1 GiB up to 8 GiB by default, and mapped pages
 * count in the resident set: 8 MiB windows up to 32 MiB cost no speed
 * (zlib dominates) and keep a backfill of any size near 60 MiB. As `git
 * cat-file` (which public-inbox-index reads through) does, objects are
 * not hashed again on every read: index-pack checked them when they were
 * fetched.
 */
static void lib_init(void)
{
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)(8u << 20));
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)(32u << 20));
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}

static bool is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static bool is_file(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > ARCHIVE_MAX_NAME_BYTES)
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] > '~')
			return false;
	return true;
}

int archive_open(struct archive **out, const char *path, const char *name)
{
	struct archive *a;
	char *git_dir;
	bool inbox;

	*out = NULL;
	if (!name_ok(name))
		return errorf(ERR_PERM,
			      "archive: %s: the name must be 1 to %u printable "
			      "characters without spaces",
			      path, ARCHIVE_MAX_NAME_BYTES);
	git_dir = xasprintf("%s/git", path);
	inbox = is_dir(git_dir);
	free(git_dir);
	if (!inbox) {
		char *objects = xasprintf("%s/objects", path);
		bool repo = is_dir(objects);

		free(objects);
		if (!repo)
			return errorf(ERR_NOTFOUND,
				      "archive: %s: neither a public-inbox v2 "
				      "inbox (no git/ folder) nor a bare git "
				      "repository",
				      path);
	}
	lib_init();
	a = xcalloc(1, sizeof(*a));
	a->path = xstrdup(path);
	a->name = xstrdup(name);
	a->inbox = inbox;
	*out = a;
	return 0;
}

void archive_free(struct archive *a)
{
	if (!a)
		return;
	free(a->path);
	free(a->name);
	free(a);
	git_libgit2_shutdown();
}

/* --- epochs ------------------------------------------------------------ */

static int cmp_unsigned(const void *x, const void *y)
{
	unsigned a = *(const unsigned *)x, b = *(const unsigned *)y;

	return (a > b) - (a < b);
}

/* "N.git" with N a decimal number without leading zeros, as -init makes. */
static bool epoch_name(unsigned *out, const char *s)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; isdigit((unsigned char)s[i]); i++) {
		if (i >= 9)
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (i == 0 || (i > 1 && s[0] == '0') || strcmp(s + i, ".git") != 0)
		return false;
	*out = (unsigned)v;
	return true;
}

/*
 * The epoch numbers of the inbox at path, ascending, into *out (owned by
 * the caller, free() it) and their count into *nr.
 */
static int list_epochs(unsigned **out, size_t *nr, const char *path)
{
	char *git_dir = xasprintf("%s/git", path);
	unsigned *v = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	*nr = 0;
	d = opendir(git_dir);
	if (!d) {
		log_warn("archive: %s", git_dir);
		free(git_dir);
		return ERR_FAIL;
	}
	while ((de = readdir(d)) != NULL) {
		unsigned num;
		char *p;
		bool dir;

		if (!epoch_name(&num, de->d_name))
			continue;
		p = xasprintf("%s/%s", git_dir, de->d_name);
		dir = is_dir(p);
		free(p);
		if (!dir)
			continue;
		if (n == ARCHIVE_MAX_EPOCHS) {
			log_warnx("archive: %s: more than %u epochs; the "
				  "rest are not read",
				  git_dir, ARCHIVE_MAX_EPOCHS);
			break;
		}
		XGROW(v, alloc, n + 1);
		v[n++] = num;
	}
	closedir(d);
	free(git_dir);
	if (n)
		qsort(v, n, sizeof(*v), cmp_unsigned);
	*out = v;
	*nr = n;
	return 0;
}

/*
 * Open the bare repository at dir. A bare repository copied by a tool
 * that drops empty folders (a tarball of a packed mirror, a copy into
 * another git tree) has lost its empty refs/ folder, and libgit2, as
 * git, then refuses it although HEAD, packed-refs and objects/ are all
 * there. Such a repository is read through its object database alone and
 * its tip is found by reading HEAD and packed-refs (see tip_from_files).
 */
static int repo_open(struct epoch *e)
{
	char *objects, *head;
	bool objects_ok, head_ok;
	int r;

	r = git_repository_open_bare(&e->repo, e->dir);
	if (r == 0) {
		if (git_repository_odb(&e->odb, e->repo) < 0)
			return git_fail(ERR_FAIL, e->dir, "object database");
		return 0;
	}
	if (r != GIT_ENOTFOUND)
		return git_fail(ERR_FAIL, e->dir, "cannot open");
	objects = xasprintf("%s/objects", e->dir);
	head = xasprintf("%s/HEAD", e->dir);
	objects_ok = is_dir(objects);
	head_ok = is_file(head);
	r = 0;
	if (!objects_ok || !head_ok)
		r = errorf(ERR_FAIL, "archive: %s: not a git repository",
			   e->dir);
	else if (git_odb_open(&e->odb, objects) < 0)
		r = git_fail(ERR_FAIL, e->dir, "object database");
	else if (git_repository_wrap_odb(&e->repo, e->odb) < 0)
		r = git_fail(ERR_FAIL, e->dir, "object database");
	else {
		e->wrapped = true;
		log_debug("archive: %s: no refs/ folder; reading its objects "
			  "and packed-refs directly",
			  e->dir);
	}
	free(objects);
	free(head);
	return r;
}

/*
 * Read the first line of path into out (cut at ARCHIVE_MAX_REF_BYTES).
 * 0, ERR_NOTFOUND (no such file) or ERR_FAIL.
 */
static int read_line(struct buf *out, const char *path)
{
	char line[ARCHIVE_MAX_REF_BYTES];
	FILE *f = fopen(path, "r");

	buf_reset(out);
	if (!f) {
		if (errno == ENOENT)
			return ERR_NOTFOUND;
		log_warn("archive: %s", path);
		return ERR_FAIL;
	}
	if (fgets(line, sizeof(line), f))
		buf_adds(out, line);
	fclose(f);
	buf_rtrim(out);
	return 0;
}

static bool parse_hex_oid(git_oid *out, const char *s, size_t len)
{
	if (len != ARCHIVE_OID_HEXSZ)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return git_oid_fromstrn(out, s, len) == 0;
}

/*
 * The tip of a repository opened through its objects alone: HEAD names
 * a ref (or holds an id); the ref is a loose file or a packed-refs line
 * "<hex> <refname>" (gitrepository-layout(5)). 0, ERR_NOTFOUND (an
 * unborn branch) or ERR_FAIL.
 */
static int tip_from_files(git_oid *out, const struct epoch *e)
{
	struct buf head = BUF_INIT, line = BUF_INIT;
	const char *ref;
	char *path;
	FILE *f;
	int r;

	path = xasprintf("%s/HEAD", e->dir);
	r = read_line(&head, path);
	free(path);
	if (r < 0)
		goto out;
	if (parse_hex_oid(out, head.data, head.len))
		goto out;
	r = ERR_FAIL;
	if (strncmp(head.data, "ref: refs/", 10) != 0 ||
	    strstr(head.data, "..")) {
		errorf(ERR_FAIL, "archive: %s: HEAD is neither a ref nor an id",
		       e->dir);
		goto out;
	}
	ref = head.data + 5;
	path = xasprintf("%s/%s", e->dir, ref);
	r = read_line(&line, path);
	free(path);
	if (r == 0) {
		if (!parse_hex_oid(out, line.data, line.len))
			r = errorf(ERR_FAIL, "archive: %s: %s: not an id",
				   e->dir, ref);
		goto out;
	}
	if (r != ERR_NOTFOUND)
		goto out;
	path = xasprintf("%s/packed-refs", e->dir);
	f = fopen(path, "r");
	free(path);
	r = ERR_NOTFOUND;
	if (f) {
		char l[ARCHIVE_MAX_REF_BYTES];
		size_t reflen = strlen(ref);

		while (fgets(l, sizeof(l), f)) {
			size_t n = strcspn(l, "\r\n");

			if (n == ARCHIVE_OID_HEXSZ + 1 + reflen &&
			    l[ARCHIVE_OID_HEXSZ] == ' ' &&
			    memcmp(l + ARCHIVE_OID_HEXSZ + 1, ref, reflen) ==
				    0 &&
			    parse_hex_oid(out, l, ARCHIVE_OID_HEXSZ)) {
				r = 0;
				break;
			}
		}
		fclose(f);
	}
out:
	buf_release(&head);
	buf_release(&line);
	return r;
}

/* The commit HEAD resolves to. 0, ERR_NOTFOUND (no commit yet), ERR_FAIL. */
static int epoch_tip(git_oid *out, const struct epoch *e)
{
	int r;

	if (e->wrapped)
		return tip_from_files(out, e);
	r = git_reference_name_to_id(out, e->repo, "HEAD");
	if (r == GIT_ENOTFOUND || r == GIT_EUNBORNBRANCH)
		return ERR_NOTFOUND;
	if (r < 0)
		return git_fail(ERR_FAIL, e->dir, "HEAD");
	return 0;
}

/* --- handing messages over -------------------------------------------- */

/*
 * Read commit id into out. 0, ERR_NOTFOUND (not in the object database:
 * a shallow or partial clone) or ERR_FAIL.
 */
static int read_step(struct step *out, const struct epoch *e, const git_oid *id)
{
	git_commit *c;
	int r;

	r = git_commit_lookup(&c, e->repo, id);
	if (r == GIT_ENOTFOUND)
		return ERR_NOTFOUND;
	if (r < 0)
		return git_fail(ERR_FAIL, e->dir, git_oid_tostr_s(id));
	out->commit = *id;
	out->tree = *git_commit_tree_id(c);
	out->has_parent = git_commit_parentcount(c) > 0;
	if (out->has_parent)
		out->parent = *git_commit_parent_id(c, 0);
	else
		memset(&out->parent, 0, sizeof(out->parent));
	out->time = (int64_t)git_commit_author(c)->when.time;
	git_commit_free(c);
	return 0;
}

static int flush_batch(struct epoch *e)
{
	char hex[ARCHIVE_OID_HEXSZ + 1];

	if (!e->pending)
		return 0;
	git_oid_tostr(hex, sizeof(hex), &e->last);
	e->pending = false;
	e->batch_commits = 0;
	e->batch_bytes = 0;
	e->st->batches++;
	return e->ops->commit(e->source, hex, e->arg);
}

/* Hand blob over as kind. Missing or oversized blobs are logged, skipped. */
static int emit(struct epoch *e, enum archive_item_kind kind,
		const struct step *s, const git_oid *blob)
{
	struct archive_item item;
	git_odb_object *obj;
	git_object_t type;
	size_t len;
	int r;

	git_oid_tostr(item.commit, sizeof(item.commit), &s->commit);
	git_oid_tostr(item.blob, sizeof(item.blob), blob);
	/* The header first: a hostile archive may hold a zlib bomb. */
	r = git_odb_read_header(&len, &type, e->odb, blob);
	if (r == GIT_ENOTFOUND) {
		log_warnx("archive: %s: commit %s: blob %s is missing "
			  "(a partial clone?); skipped",
			  e->source, item.commit, item.blob);
		e->st->skipped++;
		return 0;
	}
	if (r < 0)
		return git_fail(ERR_FAIL, e->dir, item.blob);
	if (type != GIT_OBJECT_BLOB || len > MAIL_MAX_BYTES) {
		log_warnx("archive: %s: commit %s: object %s is %s of %zu "
			  "bytes, over MAIL_MAX_BYTES or not a blob; skipped",
			  e->source, item.commit, item.blob,
			  git_object_type2string(type), len);
		e->st->skipped++;
		return 0;
	}
	if (len == 0) {
		/* public-inbox-purge leaves an empty "m" where the purged
		 * message was: nothing to hand over. */
		log_debug("archive: %s: commit %s: empty blob (purged)",
			  e->source, item.commit);
		e->st->skipped++;
		return 0;
	}
	if (git_odb_read(&obj, e->odb, blob) < 0)
		return git_fail(ERR_FAIL, e->dir, item.blob);
	item.kind = kind;
	item.raw = git_odb_object_data(obj);
	item.len = git_odb_object_size(obj);
	item.source = e->source;
	item.epoch = e->num;
	item.author_time = s->time;
	if (kind == ARCHIVE_ADD)
		e->st->added++;
	else
		e->st->deleted++;
	e->st->bytes += item.len;
	e->batch_bytes += item.len;
	r = e->ops->item(&item, e->arg);
	git_odb_object_free(obj);
	return r;
}

/* v1 (public-inbox-v1-format(5)): "xx/" and 38 more hex digits. */
static bool v1_path(const char *p)
{
	size_t i;

	if (!p)
		return false;
	for (i = 0; i < 41; i++) {
		if (i == 2) {
			if (p[i] != '/')
				return false;
		} else if (!isxdigit((unsigned char)p[i]) ||
			   isupper((unsigned char)p[i])) {
			return false;
		}
	}
	return p[i] == '\0';
}

/*
 * A v1 commit: diff its first parent's tree (parent_tree, NULL for a
 * root commit) against its own, as -index reads `git log --raw`.
 */
static int emit_v1(struct epoch *e, const struct step *s, git_tree *tree,
		   const git_oid *parent_tree)
{
	git_diff_options opts;
	git_tree *ptree = NULL;
	git_diff *diff = NULL;
	size_t n;
	int r = 0;

	if (parent_tree && git_tree_lookup(&ptree, e->repo, parent_tree) < 0)
		return git_fail(ERR_FAIL, e->dir, git_oid_tostr_s(parent_tree));
	if (git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION) < 0)
		return git_fail(ERR_FAIL, e->dir, "diff options");
	/* Names and ids only: never load blobs to guess "binary". */
	opts.flags = GIT_DIFF_SKIP_BINARY_CHECK;
	if (git_diff_tree_to_tree(&diff, e->repo, ptree, tree, &opts) < 0) {
		r = git_fail(ERR_FAIL, e->dir, git_oid_tostr_s(&s->commit));
		goto out;
	}
	n = git_diff_num_deltas(diff);
	for (size_t i = 0; i < n && r == 0; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (d->status == GIT_DELTA_ADDED && v1_path(d->new_file.path))
			r = emit(e, ARCHIVE_ADD, s, &d->new_file.id);
		else if (d->status == GIT_DELTA_DELETED &&
			 v1_path(d->old_file.path))
			r = emit(e, ARCHIVE_DELETE, s, &d->old_file.id);
	}
out:
	git_diff_free(diff);
	git_tree_free(ptree);
	return r;
}

/*
 * Hand over the messages of commit steps[i] (steps[i + 1], when i + 1 <
 * nr, is its parent), then close the batch when it is full.
 */
static int process(struct epoch *e, const struct step *steps, size_t i,
		   size_t nr)
{
	const struct step *s = &steps[i];
	const git_tree_entry *m, *d;
	git_tree *tree;
	int r;

	if (git_tree_lookup(&tree, e->repo, &s->tree) < 0)
		return git_fail(ERR_FAIL, e->dir, git_oid_tostr_s(&s->tree));
	/* v2: "A tree does not have 'm' and 'd' at the same time." */
	m = git_tree_entry_byname(tree, "m");
	d = git_tree_entry_byname(tree, "d");
	if (m && git_tree_entry_type(m) == GIT_OBJECT_BLOB) {
		r = emit(e, ARCHIVE_ADD, s, git_tree_entry_id(m));
	} else if (d && git_tree_entry_type(d) == GIT_OBJECT_BLOB) {
		r = emit(e, ARCHIVE_DELETE, s, git_tree_entry_id(d));
	} else if (i + 1 < nr) {
		r = emit_v1(e, s, tree, &steps[i + 1].tree);
	} else if (s->has_parent) {
		struct step p;

		r = read_step(&p, e, &s->parent);
		if (r == ERR_NOTFOUND) /* shallow: as if it were the root */
			r = emit_v1(e, s, tree, NULL);
		else if (r == 0)
			r = emit_v1(e, s, tree, &p.tree);
	} else {
		r = emit_v1(e, s, tree, NULL);
	}
	git_tree_free(tree);
	if (r)
		return r;
	e->st->commits++;
	e->last = s->commit;
	e->pending = true;
	if (++e->batch_commits >= e->batch ||
	    e->batch_bytes >= ARCHIVE_BATCH_BYTES)
		return flush_batch(e);
	return 0;
}

/* The stored cursor of e into *out; *have is false when there is none. */
static int get_cursor(git_oid *out, bool *have, struct epoch *e)
{
	struct buf b = BUF_INIT;
	int r;

	*have = false;
	r = e->ops->cursor_get(&b, e->source, e->arg);
	if (r == ERR_NOTFOUND) {
		r = 0;
	} else if (r == 0) {
		buf_rtrim(&b);
		if (parse_hex_oid(out, b.data, b.len)) {
			*have = true;
		} else {
			char esc[128];

			/* Unusable: read the epoch again, de-duplication
			 * keeps what was stored already. */
			log_warnx("archive: %s: cursor \"%s\" is not a commit "
				  "id; reading the epoch from its first commit",
				  e->source,
				  log_escape(esc, sizeof(esc), b.data, b.len));
			e->st->restarts++;
		}
	}
	buf_release(&b);
	return r;
}

/*
 * Read one epoch from its cursor to its tip, oldest first.
 *
 * A git history is a list linked from the newest commit back, and the
 * caller wants it oldest first. Keeping every id of a long backfill would
 * grow with the archive; re-walking from the tip for each commit would be
 * quadratic. So the first walk, tip to cursor, keeps one id every
 * ARCHIVE_WALK_SEGMENT commits (a mark) and the whole newest segment;
 * then each older segment, oldest first, is walked again from its mark
 * into a window of ARCHIVE_WALK_SEGMENT steps and handed over backwards.
 * Each commit is read at most twice; memory is one id per segment plus
 * two windows. An incremental sync (fewer new commits than a segment)
 * reads each commit once.
 *
 * The first walk also tells whether the cursor is still in the history:
 * reaching the root commit without meeting it means the history was
 * rewritten, and the epoch is handed over again from its root.
 */
static int walk_epoch(struct epoch *e)
{
	const size_t K = ARCHIVE_WALK_SEGMENT;
	struct step *newest = NULL, *window = NULL;
	git_oid *marks = NULL;
	size_t nmarks = 0, marks_alloc = 0, n = 0;
	git_oid tip, cursor, id;
	bool have_cursor, found = false;
	int r;

	r = get_cursor(&cursor, &have_cursor, e);
	if (r)
		return r;
	r = epoch_tip(&tip, e);
	if (r == ERR_NOTFOUND)
		return 0; /* an epoch without commits yet */
	if (r)
		return r;
	newest = xmalloc(K * sizeof(*newest));
	id = tip;
	for (;;) {
		struct step s;

		if (have_cursor && git_oid_equal(&id, &cursor)) {
			found = true;
			break;
		}
		r = read_step(&s, e, &id);
		if (r == ERR_NOTFOUND && n > 0) {
			log_warnx(
				"archive: %s: commit %s is missing (a shallow "
				"clone?); reading from its child",
				e->source, git_oid_tostr_s(&id));
			r = 0;
			break;
		}
		if (r == ERR_NOTFOUND)
			r = errorf(ERR_FAIL, "archive: %s: tip %s is missing",
				   e->source, git_oid_tostr_s(&id));
		if (r)
			goto out;
		if (n % K == 0) {
			XGROW(marks, marks_alloc, nmarks + 1);
			marks[nmarks++] = id;
		}
		if (n < K)
			newest[n] = s;
		n++;
		if (!s.has_parent)
			break;
		id = s.parent;
	}
	if (have_cursor && !found) {
		char hex[ARCHIVE_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), &cursor);
		log_warnx("archive: %s: cursor %s is not in the history of %s "
			  "any more (rewritten, as public-inbox-purge does); "
			  "reading the epoch again from its first commit",
			  e->source, hex, git_oid_tostr_s(&tip));
		e->st->restarts++;
	}
	if (n == 0)
		goto out;
	log_debug("archive: %s: %zu new commits", e->source, n);
	if (nmarks > 1)
		window = xmalloc(K * sizeof(*window));
	for (size_t j = nmarks; j-- > 0;) {
		size_t nr = n - j * K < K ? n - j * K : K;
		struct step *steps = newest;

		if (j > 0) {
			steps = window;
			id = marks[j];
			for (size_t k = 0; k < nr; k++) {
				r = read_step(&steps[k], e, &id);
				if (r == ERR_NOTFOUND)
					r = errorf(ERR_FAIL,
						   "archive: %s: commit %s "
						   "vanished while reading",
						   e->source,
						   git_oid_tostr_s(&id));
				if (r)
					goto out;
				id = steps[k].parent;
			}
		}
		for (size_t k = nr; k-- > 0;) {
			r = process(e, steps, k, nr);
			if (r)
				goto out;
		}
	}
	r = flush_batch(e);
out:
	free(marks);
	free(newest);
	free(window);
	return r;
}

static int sync_repo(struct archive_stats *st, const struct archive_ops *ops,
		     void *arg, char *dir, char *source, unsigned num)
{
	struct epoch e = {
		.ops = ops,
		.arg = arg,
		.st = st,
		.dir = dir,
		.source = source,
		.num = num,
		.batch = ops->batch ? ops->batch : ARCHIVE_BATCH_COMMITS,
	};
	int r;

	st->epochs++;
	r = repo_open(&e);
	if (r == 0)
		r = walk_epoch(&e);
	git_odb_free(e.odb);
	git_repository_free(e.repo);
	free(dir);
	free(source);
	return r;
}

int archive_sync(struct archive_stats *out, struct archive *a,
		 const struct archive_ops *ops, void *arg)
{
	struct archive_stats st = {0};
	unsigned *epochs = NULL;
	size_t n = 0;
	int r;

	if (!ops->cursor_get || !ops->item || !ops->commit)
		BUG("archive_sync: every callback is needed");
	if (!a->inbox) {
		r = sync_repo(&st, ops, arg, xstrdup(a->path),
			      xasprintf("archive:%s", a->name), 0);
		goto out;
	}
	r = list_epochs(&epochs, &n, a->path);
	for (size_t i = 0; i < n && r == 0; i++)
		r = sync_repo(
			&st, ops, arg,
			xasprintf("%s/git/%u.git", a->path, epochs[i]),
			xasprintf("archive:%s/git/%u.git", a->name, epochs[i]),
			epochs[i]);
	free(epochs);
out:
	if (out)
		*out = st;
	return r;
}

/* --- fetching ---------------------------------------------------------- */

/* As `git clone --mirror`: every ref, forced (public-inbox-purge rewrites). */
static char mirror_refspec[] = "+refs/*:refs/*";

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* Remove the tree at path (a failed clone's leftovers); ENOENT is fine. */
static void rm_tree(const char *path)
{
	if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 &&
	    errno != ENOENT)
		log_warn("archive: cannot remove %s", path);
}

/*
 * A remote for url with the mirror refspec, named name or anonymous
 * (NULL). url.<base>.insteadOf is not applied: the operator configures
 * the URL itself, and libgit2 1.5's regex matching of every config key
 * for it leaks (fixed upstream in libgit2 pull request 6382).
 */
static int remote_new(git_remote **out, git_repository *repo, const char *name,
		      const char *url)
{
	git_remote_create_options o;
	int r;

	r = git_remote_create_options_init(&o,
					   GIT_REMOTE_CREATE_OPTIONS_VERSION);
	if (r < 0)
		return r;
	o.repository = repo;
	o.name = name;
	o.fetchspec = mirror_refspec;
	o.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
	return git_remote_create_with_opts(out, url, &o);
}

static int mirror_remote(git_remote **out, git_repository *repo,
			 const char *name, const char *url, void *payload)
{
	git_config *cfg;
	char *key;
	int r;

	(void)payload;
	r = remote_new(out, repo, name, url);
	if (r < 0)
		return r;
	/* What `git clone --mirror` writes, so that git tools agree. */
	r = git_repository_config(&cfg, repo);
	if (r < 0)
		return r;
	key = xasprintf("remote.%s.mirror", name);
	r = git_config_set_bool(cfg, key, 1);
	free(key);
	git_config_free(cfg);
	return r;
}

/*
 * Clone url as a bare mirror into dir, through dir.tmp so that a failure
 * leaves nothing that looks like a repository. A probe (is there a next
 * epoch?) logs its failure only when debugging. 0, ERR_TEMP, ERR_FAIL.
 */
static int clone_mirror(const char *dir, const char *url, bool probe)
{
	char *tmp = xasprintf("%s.tmp", dir);
	git_clone_options o;
	git_repository *repo;
	int r = 0;

	rm_tree(tmp); /* a clone killed half-way */
	if (git_clone_options_init(&o, GIT_CLONE_OPTIONS_VERSION) < 0) {
		r = git_fail(ERR_FAIL, url, "clone options");
		goto out;
	}
	o.bare = 1;
	o.remote_cb = mirror_remote;
	o.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
	if (git_clone(&repo, url, tmp, &o) < 0) {
		const git_error *ge = git_error_last();

		if (probe)
			log_debug("archive: %s: no epoch there (yet): %s", url,
				  ge && ge->message ? ge->message : "?");
		else
			git_fail(ERR_TEMP, url, "clone");
		r = ERR_TEMP;
		rm_tree(tmp);
		goto out;
	}
	git_repository_free(repo);
	if (rename(tmp, dir) != 0) {
		log_warn("archive: rename %s to %s", tmp, dir);
		rm_tree(tmp);
		r = ERR_FAIL;
		goto out;
	}
	log_info("archive: cloned %s into %s", url, dir);
out:
	free(tmp);
	return r;
}

/* As `git fetch` in a mirror: forced, pruned. 0, ERR_TEMP, ERR_FAIL. */
static int fetch_mirror(const char *dir, const char *url)
{
	char *specs_v[] = {mirror_refspec};
	git_strarray specs = {specs_v, 1};
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	git_fetch_options o;
	int r = 0;

	if (git_repository_open_bare(&repo, dir) < 0)
		return git_fail(ERR_FAIL, dir, "cannot open");
	if (git_fetch_options_init(&o, GIT_FETCH_OPTIONS_VERSION) < 0 ||
	    remote_new(&remote, repo, NULL, url) < 0) {
		r = git_fail(ERR_FAIL, dir, url);
		goto out;
	}
	o.prune = GIT_FETCH_PRUNE;
	o.update_fetchhead = 0;
	o.download_tags =
		GIT_REMOTE_DOWNLOAD_TAGS_NONE; /* the refspec has them */
	if (git_remote_fetch(remote, &specs, &o, "fetch") < 0)
		r = git_fail(ERR_TEMP, url, "fetch");
out:
	git_remote_free(remote);
	git_repository_free(repo);
	return r;
}

static int fetch_inbox(const char *path, const char *url)
{
	char *git_dir = xasprintf("%s/git", path);
	unsigned *epochs = NULL;
	size_t n = 0;
	unsigned next;
	int r = 0;

	if ((mkdir(path, 0777) != 0 && errno != EEXIST) ||
	    (mkdir(git_dir, 0777) != 0 && errno != EEXIST)) {
		log_warn("archive: cannot create %s", git_dir);
		r = ERR_FAIL;
		goto out;
	}
	r = list_epochs(&epochs, &n, path);
	for (size_t i = 0; i < n && r == 0; i++) {
		char *dir = xasprintf("%s/%u.git", git_dir, epochs[i]);
		char *u = xasprintf("%s/%u", url, epochs[i]);

		r = fetch_mirror(dir, u);
		free(dir);
		free(u);
	}
	if (r)
		goto out;
	/*
	 * lore lists the epochs in URL/manifest.js.gz too; asking for the
	 * next number is enough to follow a rotation (public-inbox starts
	 * a new epoch at about 1 GiB) and needs no JSON or gzip here.
	 */
	next = n ? epochs[n - 1] + 1 : 0;
	for (;;) {
		char *dir = xasprintf("%s/%u.git", git_dir, next);
		char *u = xasprintf("%s/%u", url, next);

		r = clone_mirror(dir, u, n > 0);
		free(dir);
		free(u);
		if (r == ERR_TEMP && n > 0) {
			r = 0; /* no new epoch (yet) */
			break;
		}
		if (r || ++n >= ARCHIVE_MAX_EPOCHS)
			break;
		next++;
	}
out:
	free(epochs);
	free(git_dir);
	return r;
}

int archive_fetch(const char *path, const char *url)
{
	size_t plen = strlen(path), ulen = strlen(url);
	char *u, *objects, *git_dir;
	int r;

	lib_init();
	while (ulen > 1 && url[ulen - 1] == '/')
		ulen--;
	u = xmemdup0(url, ulen);
	objects = xasprintf("%s/objects", path);
	git_dir = xasprintf("%s/git", path);
	if (is_dir(objects))
		r = fetch_mirror(path, u); /* an existing repository */
	else if (is_dir(git_dir))
		r = fetch_inbox(path, u);
	else if (plen > 4 && strcmp(path + plen - 4, ".git") == 0)
		r = clone_mirror(path, u, false);
	else
		r = fetch_inbox(path, u);
	free(u);
	free(objects);
	free(git_dir);
	git_libgit2_shutdown();
	return r;
}
