/*
 * digest.h: what one digest says, built from the store, and its text.
 *
 * The shape is the one kernel readers know from the list updates in
 * ../shared/reference (a header with the period, the top contributor
 * domains and contributors, the list of series, then each series' cover
 * letter or commit message with its diffstat), with what those get wrong
 * put right (DESIGN.md, "Digest"): subjects decoded and whole, several
 * versions of one work shown as one entry that says what it supersedes
 * and why, the "Changes in vN" notes of a new version, and what a reader
 * needs to act: a lore link, a `b4 am` line, the rule that matched.
 *
 * digest_build() makes the template data (template.h) for one digest;
 * the templates place it (templates/digest.txt).
 */
#ifndef PATCHLETTER_DIGEST_H
#define PATCHLETTER_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compat.h"

struct store;
struct tdata;
struct tpl_dir;

/* One series in a digest, and why it is there. */
struct digest_item {
	int64_t series;
	const char *rule;    /* borrowed: the rule's name */
	const char *matched; /* borrowed: why it matched, for readers;
				NULL: "rule RULE" */
};

struct digest_request {
	const char *list_title; /* borrowed: "linux-sparse", "KVM" */
	const char *recipient;	/* borrowed: the subscriber, or NULL */
	const char *rule_names; /* borrowed: "svm, vfio, people" */
	int64_t period_start;	/* the time window covered */
	int64_t period_end;
	const char *range_from; /* borrowed: archive commits covered, or */
	const char *range_to;	/* NULL: the window alone says it; only
				   range_to: "up to" it (no earlier digest) */
	const char *archive_url; /* borrowed: links are URL/<id>/; NULL:
				    https://lore.kernel.org/r/<id> */
	const struct digest_item *items; /* borrowed */
	size_t nr_items;
	size_t text_max_lines; /* a cover letter is cut after this; 0: 40 */
};

/*
 * Build the data of one digest into *out (a tdata root, owned:
 * tdata_free()). Series are listed in the order given. Returns 0 or the
 * store's error.
 */
int digest_build(struct tdata **out, struct store *st,
		 const struct digest_request *req) WARN_UNUSED;

/*
 * Render data with the "digest" template of templates, digest.txt or
 * (html) digest.html, appended to out. 0, ERR_NOTFOUND (no such
 * template) or the renderer's error.
 */
int digest_render(struct buf *out, const struct tpl_dir *templates,
		  const struct tdata *data, bool html) WARN_UNUSED;

#endif
