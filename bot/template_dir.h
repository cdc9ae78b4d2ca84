/*
 * template_dir.h: the templates of one directory, read and compiled once.
 *
 * A templates directory (the packaged one, or an operator's own) holds
 * NAME.txt files, rendered in TPL_TEXT mode, and NAME.html files, rendered
 * in TPL_HTML mode. NAME is made of letters, digits, '-', '_' and '.', and
 * does not start with a dot; other entries (README, editor backups,
 * hidden files, subdirectories) are ignored.
 *
 * {{> NAME}} in a .txt template names NAME.txt, in an .html template
 * NAME.html, so the text digest and the text replies can share
 * footer.txt. Every partial is checked at load time: a typo is an error
 * when the daemon starts, not an empty footer in ten thousand digests.
 *
 * This is the only part of the template code that touches files; the
 * compiler and renderer (template.h) take bytes.
 */
#ifndef PATCHLETTER_TEMPLATE_DIR_H
#define PATCHLETTER_TEMPLATE_DIR_H

#include "buf.h"
#include "compat.h"
#include "template.h"

struct tpl_dir;

/*
 * Read and compile every template in the directory at path into *out
 * (owned by the caller: tpl_dir_free()). Problems are appended to errors
 * (logged when errors is NULL), all of them, one per line, as
 * "path/NAME.txt:line: message" or "path/NAME.txt: message", in file name
 * order. Returns 0; ERR_NOTFOUND when path does not exist; ERR_PERM when
 * it cannot be read or any template is wrong (syntax, unknown partial,
 * unreadable, larger than TPL_MAX_BYTES); ERR_LIMIT when it holds more
 * than TPL_DIR_MAX_FILES templates. *out is NULL on failure.
 */
int tpl_dir_load(struct tpl_dir **out, const char *path,
		 struct buf *errors) WARN_UNUSED;

/*
 * The template NAME.txt (TPL_TEXT) or NAME.html (TPL_HTML), borrowed from
 * d, with its partials resolved in d; NULL when there is none. Render it
 * with tpl_render() in the same mode.
 */
const struct tpl *tpl_dir_get(const struct tpl_dir *d, const char *name,
			      enum tpl_mode mode);

/* Free d and its templates; NULL is fine. */
void tpl_dir_free(struct tpl_dir *d);

#endif
