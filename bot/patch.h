/*
 * patch.h: the anatomy of a patch mail's body, as git am and b4 read it:
 *
 *   commit message (with trailers at its end)
 *   ---
 *   notes ("Changes in v2: ...")
 *   diffstat
 *   diff --git ...
 *   "-- " (dash, dash, space)
 *   signature (git version)
 *
 * A pure module over the decoded UTF-8 body (mail.c gives it). One pass,
 * linear in the body's size.
 *
 * Where things end (git mailinfo's patchbreak()): the message ends at the
 * first line that is "---" (plus blanks), "--- <name>", "diff -" or
 * "Index: "; when no "---" line follows, at a diffstat (a cover letter
 * without "---", a pull request) or at the git shortlog ("Name (3):")
 * that leads it; else at a "-- " signature. Diff hunks are read by their
 * @@ counts, so "-- " or "---" inside a hunk is a changed line, never a
 * signature or separator. Outside hunks, "-- " (or "--" when a mailer ate
 * the blank) after a diff starts the signature.
 *
 * Trailers (struct trailer), in this order:
 *  - a patch or cover letter (a diff or a diffstat was found): the
 *    trailer block of the message, by git interpret-trailers' rules: the
 *    last paragraph, when all its lines are "Token: value" lines (token of
 *    letters, digits and dashes; continuation lines start with a blank),
 *    or when it holds a known trailer (the table in patch.c, e.g.
 *    Signed-off-by, Reviewed-by, Fixes, Link) and at least a quarter of
 *    its lines are trailers; the body counts as following a blank line
 *    (the subject's), so a body made only of trailers is a block;
 *    then b4's base-commit:, change-id:, prerequisite-change-id:,
 *    prerequisite-patch-id: and prerequisite-message-id: lines found
 *    after the message (after the diffstat, after the diff) and before
 *    the signature;
 *  - any other mail (a reply): b4's follow-up trailers: every line above
 *    the signature that does not start with ">" (blanks before it
 *    allowed), reading "Name: value" where Name is a person trailer (any
 *    "...-by": Reviewed-by, Acked-by, Tested-by, ...), Fixes, or a link
 *    trailer (Link, Closes, BugLink); a person trailer must hold an
 *    address, and only a link trailer may hold a URL. Cc:, From:,
 *    base-commit:, change-id: and other names are not taken: b4's
 *    find_trailers(followup=True) and its "badtrailers", narrowed to the
 *    names b4 would apply (b4 also takes any "Word: text with an
 *    address", such as "Note: mail me@example.org"). A "Name\n<address>"
 *    trailer wrapped by a mailer is joined, as b4 does.
 * Names are canonical: known trailers take the kernel's spelling
 * ("reviewed-by" -> "Reviewed-by", "CC" -> "Cc"), b4's lowercase
 * metadata stays lowercase ("Change-Id: 2024..." -> "change-id"), except
 * that a Gerrit "Change-Id: I<40 hex>" is a different identifier and is
 * named "Change-Id"; other tokens get a first capital and the rest
 * lowercase ("Reported-And-Tested-By" -> "Reported-and-tested-by").
 * Values are trimmed, continuation lines joined with one space, and the
 * "<mailto:...>" that HTML mailers add after an address dropped (b4).
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
	char *path;	/* owned: the path after the change; for a deleted
			   file, the path it had */
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
	/*
	 * Offsets into the body given to patch_parse(), each region without
	 * its leading and trailing blank lines and its final newline; len 0
	 * when absent.
	 */
	size_t message_off, message_len;   /* commit message or cover text */
	size_t notes_off, notes_len;	   /* after ---, before the diffstat */
	size_t diffstat_off, diffstat_len; /* the diffstat lines, with the
					      summary and "create mode" lines */
	size_t diff_off, diff_len;	   /* first to last line of the diff */

	bool has_separator; /* a "---" line was found */
	bool has_diff;	    /* a unified diff (git or plain) was found */
	bool is_pull;	    /* git request-pull text was found */

	struct diffstat diffstat; /* the summary line, or counted from the
				     diff when the mail has none */
	struct patch_file *files; /* owned: files of the diff, in order */
	size_t nr_files;
	char **paths; /* owned: every path touched, from the
			 diff (each file's path, then its old
			 path) and the diffstat (both names of
			 a rename; a ".../tail" name cut by
			 git is resolved against the diff, or
			 kept as written when the mail has no
			 diff); in order, no repeats */
	size_t nr_paths;
	struct trailer *trailers; /* owned: trailers, in order */
	size_t nr_trailers;
	const char *limit; /* static: what the first bounds.h limit hit cut
			      short ("trailers past PATCH_MAX_TRAILERS left
			      out"), or NULL */
};

#define PATCH_INIT \
	{          \
		0  \
	}

/*
 * Parse body (len bytes; LF or CRLF lines; NUL bytes allowed) into out,
 * which must be PATCH_INIT or released. Never fails on odd input; returns
 * 0, or ERR_LIMIT when a bounds.h limit (PATCH_MAX_FILES,
 * PATCH_MAX_TRAILERS, PATCH_MAX_TRAILER_BYTES, PATCH_MAX_PATH_BYTES) cut
 * the lists short; what was found before stays in out, and out->limit
 * says what was cut. Nothing is logged: the caller knows which mail it
 * is and says so once (message.c).
 */
int patch_parse(struct patch *out, const char *body, size_t len);
/* Free everything out holds and reset it to PATCH_INIT. */
void patch_release(struct patch *p);

/*
 * The value of the first trailer called name, borrowed from p, or NULL.
 * name is canonicalised as trailer names are, so any case finds a known
 * trailer ("reviewed-by" finds "Reviewed-by"); "change-id" in any case
 * means b4's change-id, never Gerrit's "Change-Id" (look that one up in
 * p->trailers).
 */
const char *patch_trailer(const struct patch *p, const char *name);

#endif
