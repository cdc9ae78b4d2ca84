/*
 * wrap.h: plain text laid out for mail readers.
 *
 * wrap_text() breaks over-long prose lines at spaces so that they fit in
 * a width (72 columns by default: the usual commit-message width, which
 * leaves room for "> " quoting within 80), and leaves every line that has
 * a layout of its own exactly as it was:
 *
 *  - lines that fit already, with WRAP_SLACK columns to spare: kernel
 *    developers wrap at 75 (submitting-patches.rst), and breaking a
 *    75-column line at 72 would only leave a one-word orphan under it,
 *    since the sender's lines are never re-joined. At the default width,
 *    lines of up to 78 columns (RFC 5322's recommended limit) stay; longer
 *    ones are broken to 72.
 *  - lines starting with a space or a tab (quoted code, indented text, the
 *    diffstat, the patch list of a cover letter: git format-patch indents
 *    them by one and two spaces)
 *  - diffstat lines even without the indentation (`path | 12 +++--`,
 *    `3 files changed, ...`)
 *  - quoted mail (`>`)
 *  - lines without a space (URLs, long paths): a word is never broken
 *  - trailers: `Token: value` where the token holds a '-'
 *    (Signed-off-by, Reviewed-by, Change-Id, ...) or is one of Fixes,
 *    Link, Closes, Cc, BugLink, case-insensitively (git interpret-trailers'
 *    token syntax; the value may be a long URL or a commit subject)
 *  - the lines of a diff: from a `diff ...`, `Index: `, `@@ -` line, or a
 *    `--- ` line followed by `+++ `, for as long as lines look like a
 *    diff's (context, +, -, @@, \ No newline, git's extended headers)
 *
 * A wrapped line keeps words whole: a word wider than the width gets a
 * line of its own. A list item (`- `, `* `, `1. `, `1) `) continues
 * under its text rather than under its marker. Spaces at a break are
 * dropped. Line ends are kept ("\r\n" stays "\r\n").
 *
 * Columns are counted per code point: East Asian wide and fullwidth
 * characters count 2, combining marks and zero-width characters 0 (an
 * abridged form of Markus Kuhn's wcwidth() tables, no locale needed), a
 * tab advances to the next multiple of 8, and a byte that is not UTF-8
 * counts 1.
 */
#ifndef PATCHLETTER_WRAP_H
#define PATCHLETTER_WRAP_H

#include <stddef.h>

#include "buf.h"
#include "compat.h"

#define WRAP_WIDTH	72	/* the default width */
#define WRAP_SLACK	6	/* columns past it that a line may keep */
#define WRAP_CUT_MARKER "[...]" /* the line wrap_cut() puts after a cut */

/* The columns s[0..len) takes, as above, starting at column 0. */
size_t wrap_columns(const char *s, size_t len);

/*
 * Append text[0..len) to out with its prose lines wrapped at width
 * columns (0: WRAP_WIDTH). Returns 0 or ERR_LIMIT (out's cap; out then
 * holds a prefix of the result).
 */
int wrap_text(struct buf *out, const char *text, size_t len,
	      unsigned width) WARN_UNUSED;

/*
 * Append s[0..len), one line of prose (a subject, "Name, 3/3 patches;
 * supersedes ..."), to out as it reads when it starts at column first_col
 * of a line whose start the caller wrote: as it is when it ends within
 * width + WRAP_SLACK columns, as wrap_text() keeps lines; otherwise
 * broken at spaces to fit width columns (0: WRAP_WIDTH), each further
 * line indented by hang spaces so that it starts under the first (a
 * hanging indent). Runs of spaces become one; a word wider than the room
 * gets a line of its own; no newline ends the result. Returns 0 or
 * ERR_LIMIT (out's cap).
 */
int wrap_hanging(struct buf *out, const char *s, size_t len, size_t first_col,
		 size_t hang, unsigned width) WARN_UNUSED;

/*
 * How many bytes of text to keep so that at most max_lines lines and at
 * most max_bytes bytes remain, cut after a newline (0: no such limit).
 * Returns len when nothing needs cutting.
 */
size_t wrap_cut_point(const char *text, size_t len, size_t max_lines,
		      size_t max_bytes);

/*
 * Append text to out, cut at wrap_cut_point() and followed by a line
 * WRAP_CUT_MARKER when something was cut; the digest bounds cover
 * letters with it. What is cut off only blank lines is dropped without a
 * marker. When even the first line passes max_bytes it is cut inside, at
 * its last space within the limit or else at a character boundary, so
 * the reader still gets a start. The marker is not counted in the limits.
 * Returns 0 or ERR_LIMIT (out's cap).
 */
int wrap_cut(struct buf *out, const char *text, size_t len, size_t max_lines,
	     size_t max_bytes) WARN_UNUSED;

#endif
