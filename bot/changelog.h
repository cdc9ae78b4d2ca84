/*
 * changelog.h: the "Changes in vN" notes senders put in a cover letter or
 * after a patch's "---" line, which a digest quotes for a new version.
 * A pure module.
 */
#ifndef PATCHLETTER_CHANGELOG_H
#define PATCHLETTER_CHANGELOG_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Find the notes in text: from a line that opens them ("Changes in v3:",
 * "Changes since v2:", "v3:", "V2 -> V3:", "Changelog:") to the end of
 * that block: two blank lines, a "---" line, or a blank line followed by
 * a line that does not continue a change list (items start with "-",
 * "*", "+", white space, "[", or name another version). Sets *off and
 * *len within text; false when there are none.
 */
bool changelog_find(size_t *off, size_t *len, const char *text,
		    size_t text_len);

#endif
