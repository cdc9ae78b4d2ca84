/*
 * patch.h: the anatomy of a patch mail's body, as git am and b4 read it:
 *
 *   commit message (with trailers at its end)
 *   ---
 *   notes ("Changes in v2: ...")
 *   diffstat
 *   diff --git ...
 *
 * A pure module over the decoded UTF-8 body (mail.c gives it).
 */
#ifndef PATCHLETTER_PATCH_H
#define PATCHLETTER_PATCH_H

#include <stdbool.h>
#include <stddef.h>

struct trailer {
	char *name;  /* owned, in canonical case: "Reviewed-by" */
	char *value; /* owned, trimmed: "A U Thor <a@example.org>" */
};

enum patch_change {
	PATCH_MODIFY,
	PATCH_ADD,
	PATCH_DELETE,
	PATCH_RENAME,
	PATCH_COPY,
};

struct patch_file {
	char *path;	/* owned: the path after the change */
	char *old_path; /* owned: before a rename or copy, else NULL */
	enum patch_change change;
	bool binary;
	bool mode_change;
	unsigned insertions, deletions; /* from the diff hunks */
};

struct diffstat {
	unsigned files, insertions, deletions;
};

struct patch {
	/* Offsets into the body given to patch_parse(); len 0 when absent. */
	size_t message_off, message_len;   /* commit message or cover text */
	size_t notes_off, notes_len;	   /* after ---, before the diffstat */
	size_t diffstat_off, diffstat_len; /* the diffstat lines */
	size_t diff_off, diff_len;	   /* from the first diff line */

	bool has_separator; /* a "---" line was found */
	bool has_diff;	    /* a unified diff (git or plain) was found */
	bool is_pull;	    /* git request-pull text was found */

	struct diffstat diffstat;   /* the summary line, or counted */
	struct patch_file *files;   /* owned: files of the diff, in order */
	size_t nr_files;
	char **paths;		    /* owned: every path touched (new and
				       old names), from the diff, else from
				       the diffstat; in order, no repeats */
	size_t nr_paths;
	struct trailer *trailers;   /* owned: trailers, in order */
	size_t nr_trailers;
};

#define PATCH_INIT {0}

/*
 * Parse body (len bytes) into out, which must be PATCH_INIT or released.
 * Never fails on odd input; returns 0, or ERR_LIMIT when a bounds.h limit
 * cut the lists short (what was found before stays in out).
 */
int patch_parse(struct patch *out, const char *body, size_t len);
void patch_release(struct patch *p);

/* The value of the first trailer called name (any case), borrowed, or NULL. */
const char *patch_trailer(const struct patch *p, const char *name);

#endif
