/*
 * log.h: one line per event, to stderr in the foreground (journald takes
 * it) or to syslog. The level is checked before anything is formatted.
 *
 * log_warn() appends strerror(errno), log_warnx() does not (OpenSMTPD).
 * fatal() and fatalx() log and exit; only main.c and the daemon's top level
 * may call them. BUG() marks an impossible state and aborts.
 *
 * The logger's settings are configuration: set once by log_init().
 */
#ifndef PATCHLETTER_LOG_H
#define PATCHLETTER_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"

enum log_level {
	LOG_LEVEL_QUIET = 0, /* errors only */
	LOG_LEVEL_WARN = 1,
	LOG_LEVEL_INFO = 2,
	LOG_LEVEL_DEBUG = 3,
};

/* ident: program name for syslog; foreground: stderr instead of syslog. */
void log_init(const char *ident, bool foreground, enum log_level level);
void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);

void log_warn(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_warnx(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_info(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_debug(const char *fmt, ...) PRINTF_LIKE(1, 2);
void fatal(const char *fmt, ...) PRINTF_LIKE(1, 2) NORETURN;
void fatalx(const char *fmt, ...) PRINTF_LIKE(1, 2) NORETURN;

void bug_at(const char *file, int line, const char *fmt, ...)
	PRINTF_LIKE(3, 4) NORETURN;
#define BUG(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)

/*
 * Copy untrusted text into out (outsz bytes, always terminated, cut when
 * full) with every byte outside printable ASCII, and the backslash,
 * escaped as \xNN, so that a log line stays one line whatever a mail
 * contains. Returns out.
 */
char *log_escape(char *out, size_t outsz, const char *s, size_t len);

#endif
