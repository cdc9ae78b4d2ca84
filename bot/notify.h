/*
 * notify.h: tell the service manager how the daemon is doing, with
 * systemd's notification protocol (sd_notify(3)) written out by hand: it
 * is one datagram on a Unix socket, and linking libsystemd for it would be
 * a dependency for forty lines.
 *
 * The protocol, as sd_notify(3) and systemd's sd-daemon.c define it:
 * the environment variable NOTIFY_SOCKET names an AF_UNIX socket, either
 * a path ("/run/systemd/notify") or, when it starts with '@', an abstract
 * name (the '@' stands for the leading NUL byte). Each notification is one
 * SOCK_DGRAM datagram of newline-separated VARIABLE=value lines:
 *
 *   READY=1       start-up is done (the unit's Type=notify waits for it)
 *   RELOADING=1   the configuration is being re-read (after SIGHUP)
 *   STOPPING=1    shutting down (after SIGTERM)
 *   STATUS=text   one line of free text for `systemctl status`
 *
 * Without NOTIFY_SOCKET (not started by systemd, or not as Type=notify)
 * every call does nothing and returns 0: the daemon calls these
 * unconditionally. The kernel attaches the sender's credentials itself,
 * which is what systemd's NotifyAccess=main checks.
 *
 * Errors: a NOTIFY_SOCKET that is not a path or an '@' name, or that is
 * too long for a socket address, and a failed socket() or sendmsg(), are
 * logged once ("notify: NOTIFY_SOCKET=...: ...") and returned as
 * ERR_FAIL. A lost notification harms nothing but the unit's state
 * display (or, for READY=1, the start-up: systemd then times the start
 * out), so callers usually go on.
 */
#ifndef PATCHLETTER_NOTIFY_H
#define PATCHLETTER_NOTIFY_H

#include <stddef.h>

#include "compat.h"

/*
 * Send the len bytes of state (VARIABLE=value lines, borrowed) in one
 * datagram to the socket named socket_name ("/path" or "@abstract"), or
 * to $NOTIFY_SOCKET when socket_name is NULL; unset or empty: nothing is
 * sent, returns 0. Returns 0 or ERR_FAIL (logged).
 */
int notify_send(const char *socket_name, const char *state, size_t len);

/* READY=1, RELOADING=1, STOPPING=1 to $NOTIFY_SOCKET: as notify_send(). */
int notify_ready(void);
/*
 * RELOADING=1 carries MONOTONIC_USEC= (CLOCK_MONOTONIC in microseconds),
 * which systemd 253's Type=notify-reload requires and older versions
 * ignore. Send READY=1 once the new configuration is in use.
 */
int notify_reloading(void);
int notify_stopping(void);

/*
 * STATUS= with the formatted text, made one line (control characters
 * become spaces, so text from outside cannot add a line such as READY=1)
 * and cut at NOTIFY_STATUS_MAX_BYTES on a UTF-8 character boundary.
 */
int notify_status(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
