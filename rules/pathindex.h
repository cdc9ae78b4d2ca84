/*
 * pathindex.h: many path patterns (glob.h), compiled once, queried per path
 * without looking at every pattern.
 *
 * Each pattern is filed under its literal directory prefix (the bytes up to
 * the last '/' before its first wildcard: "drivers/net/" for
 * "drivers/net/phy/bcm*.[ch]", "" for "*") followed by up to
 * PATHINDEX_KEY_EXTRA more literal bytes ("drivers/net/phy/bcm"). Every
 * path a pattern matches starts with that key, so a query for "a/b/c.c"
 * only probes "", "a/", "a/b/" and, after each of them, the keys one to
 * PATHINDEX_KEY_EXTRA bytes longer that stay inside one component: a few
 * hash probes per directory level of the path, then a glob_match() per
 * pattern filed there. The extra bytes matter: include/linux/ alone holds
 * some 600 of MAINTAINERS' patterns.
 */
#ifndef PATCHLETTER_PATHINDEX_H
#define PATCHLETTER_PATHINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "glob.h"

#define PATHINDEX_KEY_EXTRA 3

struct pathindex;

/* Called for each pattern that matches; id is the one given to add. */
typedef void pathindex_fn(uint32_t id, const struct glob *g, void *payload);

/* An empty index (owned by the caller: pathindex_free()). */
struct pathindex *pathindex_new(void);
void pathindex_free(struct pathindex *ix);

/* File g (borrowed: it must outlive the index) under id. */
void pathindex_add(struct pathindex *ix, const struct glob *g, uint32_t id);

/*
 * Call fn for every pattern matching path (len bytes), in the order of the
 * buckets (shallow directories first) and, within one, of pathindex_add().
 * Returns the number of matches. When steps is not NULL the glob steps
 * spent are added to it.
 */
size_t pathindex_query(const struct pathindex *ix, const char *path, size_t len,
		       pathindex_fn *fn, void *payload, size_t *steps);

/* Number of patterns and of buckets (for tests and benchmarks). */
size_t pathindex_patterns(const struct pathindex *ix);
size_t pathindex_buckets(const struct pathindex *ix);

#endif
