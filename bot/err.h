/*
 * err.h: error codes, classified by what the caller should do next
 * (isync's and OpenSMTPD's lesson). Functions return 0 on success and one
 * of these on failure. An error is reported once, where the context is,
 * usually with errorf(), and then only passed up.
 */
#ifndef PATCHLETTER_ERR_H
#define PATCHLETTER_ERR_H

#include "compat.h"

enum {
	ERR_FAIL = -1,	   /* failed and already reported; give up this job */
	ERR_TEMP = -2,	   /* network trouble, SMTP 4xx, SQLITE_BUSY: retry later */
	ERR_PERM = -3,	   /* bad mail, bad rule, SMTP 5xx: record it, never retry */
	ERR_NOTFOUND = -4, /* the thing asked for is not there */
	ERR_LIMIT = -5,	   /* a size or count limit of bounds.h was hit */
	ERR_EXISTS = -6,   /* already there (a duplicate Message-ID, say) */
};

/* A short name for a code, for logs and tests ("temporary failure"). */
const char *err_name(int code);

/*
 * Report an error as a warning line and return code, so that the usual
 * form is: return errorf(ERR_PERM, "store: %s: %s", path, why);
 */
int errorf(int code, const char *fmt, ...) PRINTF_LIKE(2, 3);

#endif
