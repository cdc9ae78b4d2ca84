/*
 * glob.h: path patterns with get_maintainer.pl's F:/X: semantics, matched
 * in time bounded by O(len(pattern) * len(path)) whatever the pattern, so
 * that the same code can take patterns from strangers' rule files.
 *
 * Syntax: '*' is any run of characters, '?' one character, '[...]' one
 * character of a set (ranges "a-z"; a leading '^' negates, as in the Perl
 * class get_maintainer.pl hands the pattern to). Every other character is
 * literal. A backslash, a '/' inside a set and an unclosed '[' are errors.
 *
 * Semantics (get_maintainer.pl turns the pattern into a Perl regex, '*' to
 * ".*" and '?' to ".", anchored at the start only, then file_match_pattern()
 * decides):
 *
 *  - a pattern ending in '/' matches every path that begins with a match of
 *    it: "dir/" is the whole subtree, and its wildcards may cross '/';
 *  - any other pattern must match a prefix of the path, and the path must
 *    hold exactly as many '/' as the pattern: so "dir/\*" is one level, the
 *    wildcards stay inside one path component, and "foo.c" also matches
 *    "foo.c.orig" (the regex has no end anchor);
 *  - "**" is two '*': it does not descend either. GLOB_DOUBLESTAR makes a
 *    "**" cross '/' (an extension for rule files, never for MAINTAINERS).
 *
 * GLOB_TEXT is for text that is not a path (a rule file's subject
 * patterns, matched against a series title): '/' is a byte like any
 * other (wildcards and sets take it, a trailing '/' means nothing) and the
 * pattern must match the WHOLE text, as fnmatch() does. Case is the
 * caller's business: fold both sides first.
 *
 * Cost: glob_match() simulates the pattern's automaton over the path with a
 * set of active states (no backtracking), at most (tokens + 1) state visits
 * per path byte. It counts the visits, so tests can assert the bound.
 */
#ifndef PATCHLETTER_GLOB_H
#define PATCHLETTER_GLOB_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum glob_flags {
	GLOB_DOUBLESTAR = 1 << 0, /* "**" crosses '/' */
	GLOB_TEXT = 1 << 1,	  /* not a path: see above */
};

struct glob;

/*
 * Compile pattern (len bytes) into *out (owned by the caller: glob_free()).
 * Returns 0, or ERR_PERM with one line of reason appended to err (which may
 * be NULL), or ERR_LIMIT when the pattern exceeds GLOB_MAX_BYTES.
 */
int glob_compile(struct glob **out, const char *pattern, size_t len,
		 unsigned flags, struct buf *err);
void glob_free(struct glob *g);

/*
 * Does path (len bytes) match? When steps is not NULL, the number of
 * automaton state visits is added to *steps (at most
 * (glob_tokens(g) + 1) * (len + 1)).
 */
bool glob_match(const struct glob *g, const char *path, size_t len,
		size_t *steps);

/* The pattern as given (borrowed, NUL-terminated). */
const char *glob_text(const struct glob *g);
/* Number of tokens of the compiled pattern (the bound's factor). */
size_t glob_tokens(const struct glob *g);
/* True when the pattern ends in '/' (a whole subtree). */
bool glob_is_subtree(const struct glob *g);
/* True when the pattern has no wildcard at all. */
bool glob_is_literal(const struct glob *g);
/*
 * Bytes of the pattern's literal directory prefix: up to and including the
 * last '/' before the first wildcard (0 when there is none). Every path the
 * pattern matches begins with these bytes, which is what an index keys on.
 */
size_t glob_dir_prefix_len(const struct glob *g);
/*
 * Bytes of the pattern's literal prefix: everything before its first
 * wildcard (the whole pattern when it has none).
 */
size_t glob_literal_len(const struct glob *g);
/*
 * get_maintainer.pl's specificity of the pattern: the number of '/' in it,
 * plus one unless it ends in '/', or -1 when it begins with '*'. Sections
 * are ranked by this (higher first).
 */
int glob_depth(const struct glob *g);

#endif
