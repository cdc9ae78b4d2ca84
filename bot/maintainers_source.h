/*
 * maintainers_source.h: the MAINTAINERS file the operator points at,
 * loaded: a file given on the command line, else the configuration's
 * maintainers { file = ... } or { git = ...  ref = ... } (config.h).
 */
#ifndef PATCHLETTER_MAINTAINERS_SOURCE_H
#define PATCHLETTER_MAINTAINERS_SOURCE_H

#include "buf.h"
#include "config.h"
#include "maintainers.h"

/*
 * Load MAINTAINERS into *out (owned: maintainers_free()): from file when
 * it is not NULL, else as cfg says. A file at the top of a kernel tree
 * gets get_maintainer.pl's directory test on its F:/X: values (see
 * maintainers.h); a git repository gives it from the tree at the ref.
 * Lines MAINTAINERS holds that cannot be used are appended to errors.
 * Returns 0, ERR_NOTFOUND when neither file nor cfg names one (not
 * reported), or an error (reported once, with the path).
 */
int maintainers_source_load(struct maintainers **out, const char *file,
			    const struct config_maintainers *cfg,
			    struct buf *errors);

/*
 * What tells whether cfg's MAINTAINERS changed since a load, cheaply: the
 * file's inode, size and modification time, or the commit the git ref
 * names. Into out (NUL-terminated). 0, ERR_NOTFOUND when none is
 * configured or the file is missing (not reported), or the git error
 * (reported). Two equal fingerprints: no need to load again.
 */
#define MAINTAINERS_FINGERPRINT_BYTES 96
int maintainers_source_fingerprint(char out[MAINTAINERS_FINGERPRINT_BYTES],
				   const struct config_maintainers *cfg);

#endif
