/*
 * maintainers_git.c: see maintainers_git.h. libgit2 errors are translated
 * here, at the module's edge, into err.h codes with one log line each.
 */
#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "err.h"
#include "maintainers_git.h"
#include "xalloc.h"

struct maintainers_git {
	git_repository *repo; /* owned */
	char *path;	      /* owned, for messages */
	char *ref;	      /* owned */
	git_oid loaded;	      /* commit of the last load */
	bool have_loaded;
	char hex[GIT_OID_HEXSZ + 1];
};

static const char *git_why(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

int maintainers_git_open(struct maintainers_git **out, const char *path,
			 const char *ref)
{
	struct maintainers_git *g;
	int rc;

	*out = NULL;
	git_libgit2_init();
	g = xcalloc(1, sizeof(*g));
	g->path = xstrdup(path);
	g->ref = xstrdup(ref);
	rc = git_repository_open_ext(&g->repo, path,
				     GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (rc < 0) {
		int code = rc == GIT_ENOTFOUND ? ERR_NOTFOUND : ERR_FAIL;

		errorf(code, "maintainers_git: %s: %s", path, git_why());
		maintainers_git_free(g);
		return code;
	}
	*out = g;
	return 0;
}

void maintainers_git_free(struct maintainers_git *g)
{
	if (!g)
		return;
	git_repository_free(g->repo);
	free(g->path);
	free(g->ref);
	free(g);
	git_libgit2_shutdown();
}

/* The commit ref names now. */
static int resolve(git_commit **out, struct maintainers_git *g)
{
	git_object *obj = NULL;
	int rc;

	rc = git_revparse_single(&obj, g->repo, g->ref);
	if (rc == 0) {
		rc = git_object_peel((git_object **)out, obj,
				     GIT_OBJECT_COMMIT);
		git_object_free(obj);
	}
	if (rc < 0) {
		int code = rc == GIT_ENOTFOUND || rc == GIT_EAMBIGUOUS ||
					   rc == GIT_EINVALIDSPEC ||
					   rc == GIT_EPEEL
				   ? ERR_NOTFOUND
				   : ERR_FAIL;

		return errorf(code, "maintainers_git: %s: %s: %s", g->path,
			      g->ref, git_why());
	}
	return 0;
}

/* get_maintainer.pl's -d $value, asked of the tree at the ref. */
static bool tree_is_dir(const char *path, void *payload)
{
	git_tree_entry *e = NULL;
	bool dir;

	if (git_tree_entry_bypath(&e, payload, path) < 0)
		return false;
	dir = git_tree_entry_type(e) == GIT_OBJECT_TREE;
	git_tree_entry_free(e);
	return dir;
}

int maintainers_git_load(struct maintainers **out, struct maintainers_git *g,
			 struct buf *errors)
{
	struct maintainers_options opts = {tree_is_dir, NULL};
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	git_object_size_t size;
	int rc;

	*out = NULL;
	rc = resolve(&commit, g);
	if (rc)
		return rc;
	if (git_commit_tree(&tree, commit) < 0) {
		rc = errorf(ERR_FAIL, "maintainers_git: %s: %s: %s", g->path,
			    g->ref, git_why());
		goto cleanup;
	}
	if (git_tree_entry_bypath(&entry, tree, "MAINTAINERS") < 0 ||
	    git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		rc = errorf(ERR_NOTFOUND,
			    "maintainers_git: %s: %s: no MAINTAINERS file",
			    g->path, g->ref);
		goto cleanup;
	}
	if (git_blob_lookup(&blob, g->repo, git_tree_entry_id(entry)) < 0) {
		rc = errorf(ERR_FAIL, "maintainers_git: %s: %s: %s", g->path,
			    g->ref, git_why());
		goto cleanup;
	}
	size = git_blob_rawsize(blob);
	if (size > MAINTAINERS_MAX_BYTES) {
		rc = errorf(
			ERR_LIMIT,
			"maintainers_git: %s: %s: MAINTAINERS has %llu bytes",
			g->path, g->ref, (unsigned long long)size);
		goto cleanup;
	}
	opts.payload = tree;
	rc = maintainers_parse(out, git_blob_rawcontent(blob), (size_t)size,
			       &opts, errors);
	if (rc)
		goto cleanup;
	git_oid_cpy(&g->loaded, git_commit_id(commit));
	git_oid_tostr(g->hex, sizeof(g->hex), &g->loaded);
	g->have_loaded = true;
cleanup:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(commit);
	return rc;
}

int maintainers_git_moved(struct maintainers_git *g)
{
	git_commit *commit = NULL;
	int rc = resolve(&commit, g);

	if (rc)
		return rc;
	rc = !g->have_loaded ||
	     !git_oid_equal(&g->loaded, git_commit_id(commit));
	git_commit_free(commit);
	return rc;
}

int maintainers_git_head(char out[GIT_OID_HEXSZ + 1], struct maintainers_git *g)
{
	git_commit *commit = NULL;
	int rc = resolve(&commit, g);

	out[0] = '\0';
	if (rc)
		return rc;
	git_oid_tostr(out, GIT_OID_HEXSZ + 1, git_commit_id(commit));
	git_commit_free(commit);
	return 0;
}

const char *maintainers_git_commit(const struct maintainers_git *g)
{
	return g->hex;
}
