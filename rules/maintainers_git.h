/*
 * maintainers_git.h: MAINTAINERS read straight out of a kernel git
 * repository (bare or not) at a ref, without a checkout, and a cheap check
 * of whether the ref has moved since, so the caller knows when to reload.
 * The only module that includes git2.h for MAINTAINERS.
 *
 * The tree at the ref also answers get_maintainer.pl's "-d $value" test:
 * an F:/X: value naming a directory of that tree without a trailing '/'
 * gets one, as it does when the script runs inside a kernel tree.
 */
#ifndef PATCHLETTER_MAINTAINERS_GIT_H
#define PATCHLETTER_MAINTAINERS_GIT_H

#include "buf.h"
#include "maintainers.h"

struct maintainers_git;

/*
 * Open the repository at path and remember ref (anything git rev-parse
 * takes: "HEAD", "refs/heads/master", "v7.0", "origin/master"). *out is
 * owned by the caller: maintainers_git_free(). Returns 0, ERR_NOTFOUND
 * when there is no repository there, or ERR_FAIL.
 */
int maintainers_git_open(struct maintainers_git **out, const char *path,
			 const char *ref);
void maintainers_git_free(struct maintainers_git *g);

/*
 * Parse MAINTAINERS of the commit ref names now into *out (owned by the
 * caller: maintainers_free()), and remember that commit. Unusable lines
 * go to errors as in maintainers_parse(). Returns 0, ERR_NOTFOUND when the
 * ref or the file is missing, ERR_LIMIT for an oversized file, or
 * ERR_FAIL.
 */
int maintainers_git_load(struct maintainers **out, struct maintainers_git *g,
			 struct buf *errors);

/*
 * 1 when ref now names another commit than the last load (or nothing was
 * loaded yet), 0 when not, ERR_NOTFOUND when the ref is gone.
 */
int maintainers_git_moved(struct maintainers_git *g);

/*
 * The hex id of the commit ref names now, in out (41 bytes), without
 * loading anything. 0, ERR_NOTFOUND (the ref is gone) or ERR_FAIL.
 */
int maintainers_git_head(char out[41], struct maintainers_git *g);

/* Hex id of the commit last loaded ("" before the first load; borrowed). */
const char *maintainers_git_commit(const struct maintainers_git *g);

#endif
