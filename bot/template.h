/*
 * template.h: a Mustache renderer for the digest and the replies.
 *
 * What is implemented follows the Mustache spec (github.com/mustache/spec,
 * files specs/interpolation.yml, sections.yml, inverted.yml, comments.yml,
 * partials.yml):
 *
 *   {{name}} {{a.b.c}} {{.}}  interpolation, HTML-escaped in TPL_HTML mode
 *                             (& < > " ' become entities), verbatim in
 *                             TPL_TEXT mode
 *   {{{name}}} {{&name}}      interpolation, always verbatim
 *   {{#name}}...{{/name}}     section: a list renders once per element with
 *                             the element pushed on the context stack; any
 *                             other truthy value renders once with the
 *                             value pushed; falsy values render nothing
 *   {{^name}}...{{/name}}     inverted section: renders when name is falsy
 *   {{! comment }}            dropped, may span lines
 *   {{> name}}                partial, resolved by the loader at render
 *                             time; a missing partial renders as "" (spec)
 *
 * Falsy: a missing name, false, 0, "", an empty list (the spec's `!!data`
 * coercion). Objects are truthy, even when empty.
 *
 * Names: the first part of a dotted name is looked up walking the context
 * stack outward; the other parts only inside the value found (spec: "each
 * part of a dotted name should resolve only against its parent"). A
 * leading dot ({{.name}}) looks only in the innermost context. Lists and
 * objects interpolate as "", booleans as "true" / "false".
 *
 * Standalone lines: a line that holds only whitespace and one section,
 * inverted, close, comment or partial tag is removed entirely, newline
 * included ("\n" or "\r\n"), so plain-text layout comes out as written.
 * A standalone partial's indentation is prepended to each line of the
 * partial's own text (not to the lines of interpolated values), as the
 * spec's "Standalone Indentation" case asks.
 *
 * Not implemented: set-delimiter tags ({{=<% %>=}}) and the optional
 * inheritance module's {{<parent}} and {{$block}}, all refused at compile
 * time; the optional lambda and dynamic-name modules (the data model has
 * no functions, and {{>*name}} is a partial called "*name").
 *
 * Bounds (bounds.h): TPL_MAX_BYTES of template text, TPL_MAX_NESTING
 * sections deep, TPL_MAX_PARTIAL_DEPTH partials deep at render time,
 * TPL_MAX_OUTPUT_BYTES of output per render.
 *
 * A compiled template is immutable; rendering it allocates nothing beyond
 * the growth of the output buffer (and one small buffer when a standalone
 * partial is indented), so compile once and render many times.
 *
 * template_dir.h reads a directory of templates and serves their partials.
 */
#ifndef PATCHLETTER_TEMPLATE_H
#define PATCHLETTER_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compat.h"

enum tpl_mode {
	TPL_TEXT, /* {{name}} is written verbatim (plain-text mail) */
	TPL_HTML, /* {{name}} is HTML-escaped */
};

/* ---- the data model ---------------------------------------------------
 *
 * A tree of strings, integers, booleans, lists and objects. The tree
 * belongs to its root: every node, key and string is allocated from one
 * arena that the root owns, so building a digest's model costs a handful
 * of allocations and tdata_free(root) releases everything at once. Every
 * struct tdata * returned below, except the root's, is borrowed from the
 * tree and valid until tdata_free(root).
 *
 * Keys are copied; a key should not contain '.' or whitespace, or no tag
 * can name it. Setting a key that is already set replaces its value (the
 * old value's memory is kept until the tree is freed). Object lookups are
 * hashed, so objects with thousands of keys stay cheap.
 *
 * Misuse (setting a key on a list, adding to an object) is a BUG().
 */
struct tdata;

/* A new empty object, the root of a tree; free it with tdata_free(). */
struct tdata *tdata_object_new(void);
/* Free the whole tree; root must be a root (or NULL). */
void tdata_free(struct tdata *root);

/* Set obj[key] to a copy of val (val[0..len) may hold any bytes). */
void tdata_set_str(struct tdata *obj, const char *key, const char *val);
void tdata_set_strn(struct tdata *obj, const char *key, const char *val,
		    size_t len);
void tdata_set_strf(struct tdata *obj, const char *key, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
void tdata_set_int(struct tdata *obj, const char *key, int64_t val);
void tdata_set_bool(struct tdata *obj, const char *key, bool val);
/* Set obj[key] to a new empty object or list and return it (borrowed). */
struct tdata *tdata_set_object(struct tdata *obj, const char *key);
struct tdata *tdata_set_list(struct tdata *obj, const char *key);

/* Append to a list. The _object and _list forms return the new element. */
struct tdata *tdata_list_add_object(struct tdata *list);
struct tdata *tdata_list_add_list(struct tdata *list);
void tdata_list_add_str(struct tdata *list, const char *val);
void tdata_list_add_strn(struct tdata *list, const char *val, size_t len);
void tdata_list_add_int(struct tdata *list, int64_t val);
/* Number of elements of a list. */
size_t tdata_list_len(const struct tdata *list);

/* ---- templates --------------------------------------------------------- */

struct tpl;

/*
 * Resolve the partial called name for a render in mode: return a compiled
 * template, borrowed (it must outlive the render), or NULL when there is
 * none. Called once per partial tag rendered.
 */
typedef const struct tpl *tpl_loader_fn(const char *name, enum tpl_mode mode,
					void *arg);

/*
 * Compile text[0..len) into *out (owned by the caller: tpl_free()). name is
 * copied and used in messages. Syntax errors are appended to errors, one
 * per line, as "name:line: message\n" (logged when errors is NULL); every
 * error found is reported, not only the first. Returns 0, ERR_PERM on a
 * syntax error or ERR_LIMIT when a bound is passed; *out is NULL then.
 */
int tpl_compile(struct tpl **out, const char *name, const char *text,
		size_t len, struct buf *errors) WARN_UNUSED;

/*
 * Resolve {{> name}} tags through load(name, mode, arg) when t is
 * rendered. The loader of the template handed to tpl_render() serves every
 * partial of that render, however deep. Without a loader, partials render
 * as "".
 */
void tpl_set_loader(struct tpl *t, tpl_loader_fn *load, void *arg);

/*
 * Check that every partial t names can be loaded for mode, appending
 * "name:line: unknown partial \"x\"" to errors (or logging) for each that
 * cannot. 0 or ERR_NOTFOUND. Meant for load time, so an operator's typo
 * shows when the daemon starts rather than as a silently empty footer.
 */
int tpl_check_partials(const struct tpl *t, enum tpl_mode mode,
		       struct buf *errors) WARN_UNUSED;

/*
 * Append t rendered against root (borrowed; NULL: an empty context) to
 * out. Returns 0, or ERR_LIMIT when the output would pass
 * TPL_MAX_OUTPUT_BYTES or out's own cap, or partials nest deeper than
 * TPL_MAX_PARTIAL_DEPTH; the error is logged and out is left as it was.
 */
int tpl_render(struct buf *out, const struct tpl *t, const struct tdata *root,
	       enum tpl_mode mode) WARN_UNUSED;

/* The name given to tpl_compile() (borrowed from t). */
const char *tpl_name(const struct tpl *t);

/* Free a compiled template; NULL is fine. */
void tpl_free(struct tpl *t);

#endif
