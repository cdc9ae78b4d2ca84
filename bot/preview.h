/*
 * preview.h: the digest a rule file would have made over the last week,
 * made now and recorded nowhere: what the `preview` command mails back.
 * The series posted to in the window are matched against the one rule
 * file, and the digest is composed as digest_job.h composes a
 * subscriber's (the same grouping, versions and templates). Nothing is
 * written to the store: no match, no token, no outbox row.
 */
#ifndef PATCHLETTER_PREVIEW_H
#define PATCHLETTER_PREVIEW_H

#include <stdint.h>

#include "compat.h"

struct digest_job;
struct digest_made;
struct maintainers;
struct rulefile;

/* The window a preview covers, and how far back digests look. */
#define PREVIEW_WINDOW_SECS (7 * 86400)

/*
 * Compose into out (digest_made_init()ed) the digest rf (borrowed;
 * parsed against m, which may be NULL) would have made for address over
 * (now - PREVIEW_WINDOW_SECS, now]. j's store, configuration and
 * templates are used; j->subs is not. At most PREVIEW_MAX_SERIES series
 * updated in the window are looked at (bounds.h). 0 or the error of the
 * store, the templates or compose (reported).
 */
int preview_compose(struct digest_made *out, struct digest_job *j,
		    const struct maintainers *m, const struct rulefile *rf,
		    const char *address, int64_t now) WARN_UNUSED;

#endif
