/*
 * maintainers.h: the kernel's MAINTAINERS file, parsed once and indexed,
 * then asked many times which sections a set of files (and a patch's text)
 * belongs to, with scripts/get_maintainer.pl's semantics:
 *
 *  - a section is the run of "T:\tvalue" lines (T one capital letter) after
 *    its name line; blank lines and lines starting with '#' are ignored,
 *    so they neither end nor split a section;
 *  - F: and X: are path patterns (glob.h: "dir/" is the subtree, "dir/\*"
 *    one level, no end anchor); a path matching any X: of a section is not
 *    in that section at all, whatever its F: and N: say;
 *  - N: is a Perl regex (perlre.h) searched anywhere in the path;
 *  - K: is a Perl regex searched in the patch text, line by line: before the
 *    first "--- " or "+++ " file line every line counts (mail headers, the
 *    commit message); after it, get_maintainer.pl prepends "^[+-].*" to the
 *    pattern, which anchors only its first top-level alternative, so the
 *    others still match on any line. Lines that name files (diff --git,
 *    ---/+++, rename, mode change), "Fixes: <sha>" lines and "@@ -a,b"
 *    hunk heads are never searched.
 *
 * Order, as get_maintainer.pl --subsystem prints it: the paths are sorted
 * (byte order) and made unique; for each path in turn its sections are
 * ranked by depth, highest first (glob_depth() of the pattern, 0 for an
 * N: hit), where a section's depth is that of its LAST matching F:/N: line
 * in file order, not its best one; a section already listed for an earlier
 * path stays where it is. Sections found only through K: follow, in the
 * order of their K: lines' positions compared as decimal strings (Perl's
 * default sort of get_maintainer.pl's line indices). get_maintainer.pl
 * leaves ties of depth in Perl's hash order, which differs from run to
 * run; here they keep MAINTAINERS order.
 *
 * An F:/X: value without a trailing '/' that names a directory of the tree
 * gets one (get_maintainer.pl tests -d in the kernel tree); the parser can
 * only know that through maintainers_options.is_dir, which the git loader
 * (maintainers_git.h) supplies. Without it, such a value matches as a
 * file-name prefix, as get_maintainer.pl --no-tree outside a tree does.
 */
#ifndef PATCHLETTER_MAINTAINERS_H
#define PATCHLETTER_MAINTAINERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct maintainers;

/* One "T:\tvalue" line of a section. */
struct maintainers_entry {
	char type;	   /* 'M', 'R', 'L', 'S', 'F', 'X', 'N', 'K', ... */
	const char *value; /* borrowed: as in the file, less the leading
			      blanks; F:/X: with the '/' a directory got */
	unsigned lineno;   /* 1-based line in MAINTAINERS */
};

struct maintainers_section {
	const char *name;   /* borrowed: the name line, as in the file */
	unsigned lineno;    /* of the name line */
	const char *status; /* borrowed: the last S: value, or NULL */
	const struct maintainers_entry *entries; /* borrowed, in file order */
	size_t nr_entries;
};

struct maintainers_options {
	/*
	 * May be NULL. Is path (a pattern without wildcards, without a
	 * trailing '/') a directory of the tree?
	 */
	bool (*is_dir)(const char *path, void *payload);
	void *payload;
};

/*
 * Parse MAINTAINERS text (len bytes, copied) into *out (owned by the
 * caller: maintainers_free()) and build its indexes. Lines that cannot be
 * used (a pattern or regex this code refuses) are described in errors, one
 * "MAINTAINERS:LINE: reason" line each, and left out of matching; that is
 * not a failure. Returns 0, ERR_LIMIT beyond MAINTAINERS_MAX_BYTES or
 * _LINES, or ERR_PERM when the text holds no section.
 */
int maintainers_parse(struct maintainers **out, const char *text, size_t len,
		      const struct maintainers_options *opts,
		      struct buf *errors);
void maintainers_free(struct maintainers *m);

size_t maintainers_count(const struct maintainers *m);
/* Section i (< maintainers_count()), borrowed from m. */
const struct maintainers_section *
maintainers_section(const struct maintainers *m, size_t i);
/* The first value of the given type in s (borrowed), or NULL. */
const char *maintainers_section_value(const struct maintainers_section *s,
				      char type);

/*
 * Find a section by name, ignoring ASCII case and trailing blanks. Stores
 * its index in *out and returns 0, or returns ERR_NOTFOUND.
 */
int maintainers_find(size_t *out, const struct maintainers *m,
		     const char *name);

/*
 * Suggest up to max section names for a mistyped one: names within a small
 * edit distance (ignoring case) first, closest first, then names that
 * contain it. Stores section indices in out; returns how many.
 */
size_t maintainers_suggest(size_t *out, size_t max, const struct maintainers *m,
			   const char *name);

/* Which path hit which pattern. */
struct maintainers_hit {
	const char *path; /* borrowed (from the caller, or owned by the
			     result for maintainers_match_patch()); NULL
			     for a K: hit */
	const struct maintainers_entry *entry; /* the F:, N: or K: line */
};

struct maintainers_match {
	size_t section;		      /* index for maintainers_section() */
	int depth;		      /* its rank for the path that placed it;
					 MAINTAINERS_DEPTH_KEYWORD when only K: matched */
	struct maintainers_hit *hits; /* borrowed from the result: for each
					 path in the section, the line that
					 ranked it; then K: hits */
	size_t nr_hits;
};

#define MAINTAINERS_DEPTH_KEYWORD (-1000)

struct maintainers_result {
	struct maintainers_match *v; /* owned, in get_maintainer.pl's order */
	size_t nr;
	/* private */
	struct maintainers_hit *hits;
	size_t nr_hits, alloc_hits, alloc_v;
	unsigned char *in; /* one bit per section: listed */
	char **paths;	   /* owned by maintainers_match_patch() */
	size_t nr_paths;
};

#define MAINTAINERS_RESULT_INIT \
	{                       \
		0               \
	}

/*
 * The sections of paths (nr_paths of them, borrowed for the result's
 * lifetime; NULL when nr_paths is 0) and, when patch is not NULL, of the
 * K: lines matching its text
 * (patch_len bytes), in the order described above. out must be
 * MAINTAINERS_RESULT_INIT or released. Returns 0.
 */
int maintainers_match_files(struct maintainers_result *out,
			    const struct maintainers *m,
			    const char *const *paths, size_t nr_paths,
			    const char *patch, size_t patch_len);

/*
 * The same for a patch alone, taking its paths the way get_maintainer.pl
 * does (maintainers_patch_paths()). Returns 0, or ERR_LIMIT when the patch
 * names more than PATCH_MAX_FILES paths.
 */
int maintainers_match_patch(struct maintainers_result *out,
			    const struct maintainers *m, const char *patch,
			    size_t len);

/* Is section i in the result? O(1). */
bool maintainers_result_has(const struct maintainers_result *r, size_t i);
void maintainers_result_release(struct maintainers_result *r);

/*
 * The paths get_maintainer.pl reads from a patch, sorted and unique: both
 * names of "diff --git a/X b/Y", "rename from/to X", " mode change ... X",
 * and the name after "--- " or "+++ " less its first component (so
 * "--- /dev/null" gives "dev/null", as it does there). *out is an owned
 * array of owned strings (free each, then the array). Returns 0 or
 * ERR_LIMIT beyond PATCH_MAX_FILES.
 */
int maintainers_patch_paths(char ***out, size_t *nr_out, const char *patch,
			    size_t len);

/* Statistics for benchmarks and tests. */
struct maintainers_stats {
	size_t sections, patterns, excludes, regexes, keywords;
	size_t buckets;		/* directory prefixes in the pattern index */
	size_t regexes_always;	/* N: with no literal for the pre-filter */
	size_t keywords_always; /* K: likewise */
};
void maintainers_stats(struct maintainers_stats *out,
		       const struct maintainers *m);

#endif
