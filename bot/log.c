/*
 * log.c: stderr or syslog, one line per event.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "err.h"
#include "log.h"

/* Configuration, set once at start-up by log_init(). */
static struct {
	bool foreground;
	enum log_level level;
} log_config = {true, LOG_LEVEL_WARN};

void log_init(const char *ident, bool foreground, enum log_level level)
{
	log_config.foreground = foreground;
	log_config.level = level;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void log_set_level(enum log_level level)
{
	log_config.level = level;
}

bool log_enabled(enum log_level level)
{
	return level <= log_config.level;
}

static void log_emit(int prio, const char *prefix, const char *fmt,
		     va_list ap, int errnum)
{
	char line[2048];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		snprintf(line, sizeof(line), "(unprintable log message)");
	else if ((size_t)n >= sizeof(line))
		memcpy(line + sizeof(line) - 4, "...", 4);
	if (log_config.foreground) {
		if (errnum)
			fprintf(stderr, "%s%s: %s\n", prefix, line,
				strerror(errnum));
		else
			fprintf(stderr, "%s%s\n", prefix, line);
	} else {
		if (errnum)
			syslog(prio, "%s%s: %s", prefix, line,
			       strerror(errnum));
		else
			syslog(prio, "%s%s", prefix, line);
	}
}

void log_warn(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	if (!log_enabled(LOG_LEVEL_QUIET))
		return;
	va_start(ap, fmt);
	log_emit(LOG_WARNING, "", fmt, ap, errnum);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(LOG_LEVEL_QUIET))
		return;
	va_start(ap, fmt);
	log_emit(LOG_WARNING, "", fmt, ap, 0);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(LOG_LEVEL_INFO))
		return;
	va_start(ap, fmt);
	log_emit(LOG_INFO, "", fmt, ap, 0);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(LOG_LEVEL_DEBUG))
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, "debug: ", fmt, ap, 0);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, "fatal: ", fmt, ap, errnum);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, "fatal: ", fmt, ap, 0);
	va_end(ap);
	exit(1);
}

void bug_at(const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* stderr always: a BUG is for the developer, whatever the mode. */
	fprintf(stderr, "BUG: %s:%d: %s\n", file, line, msg);
	if (!log_config.foreground)
		syslog(LOG_CRIT, "BUG: %s:%d: %s", file, line, msg);
	abort();
}

char *log_escape(char *out, size_t outsz, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	if (outsz == 0)
		return out;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= outsz)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= outsz)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}

const char *err_name(int code)
{
	switch (code) {
	case 0:
		return "success";
	case ERR_FAIL:
		return "failure";
	case ERR_TEMP:
		return "temporary failure";
	case ERR_PERM:
		return "permanent failure";
	case ERR_NOTFOUND:
		return "not found";
	case ERR_LIMIT:
		return "limit exceeded";
	case ERR_EXISTS:
		return "already exists";
	}
	return "unknown error";
}

int errorf(int code, const char *fmt, ...)
{
	va_list ap;

	if (log_enabled(LOG_LEVEL_QUIET)) {
		va_start(ap, fmt);
		log_emit(LOG_ERR, "", fmt, ap, 0);
		va_end(ap);
	}
	return code;
}
