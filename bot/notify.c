/*
 * notify.c: systemd's notification protocol (sd_notify(3)), by hand.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "log.h"
#include "notify.h"

/* Log a failure about socket name s, with errno's text when sys. */
static int failed(const char *s, int sys, const char *what)
{
	char esc[128];

	log_escape(esc, sizeof(esc), s, strlen(s));
	if (sys)
		log_warn("notify: NOTIFY_SOCKET=%s: %s", esc, what);
	else
		log_warnx("notify: NOTIFY_SOCKET=%s: %s", esc, what);
	return ERR_FAIL;
}

int notify_send(const char *socket_name, const char *state, size_t len)
{
	struct sockaddr_un sa;
	struct iovec iov;
	struct msghdr msg;
	socklen_t salen;
	size_t n;
	ssize_t sent;
	int fd, rc = 0;

	if (!socket_name)
		socket_name = getenv("NOTIFY_SOCKET");
	if (!socket_name || !*socket_name)
		return 0;
	/*
	 * sd-daemon.c takes "/path" and "@abstract" (and, since systemd
	 * 253, "vsock:CID:PORT", for virtual machines; not needed here).
	 */
	if (socket_name[0] != '/' && socket_name[0] != '@')
		return failed(socket_name, 0,
			      "not a socket path or an @abstract name");
	n = strlen(socket_name);
	if (n >= sizeof(sa.sun_path))
		return failed(socket_name, 0, "too long for a socket address");

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, socket_name, n);
	/* An abstract name is the bytes after a NUL, with no terminator. */
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
			    (socket_name[0] == '/'));

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return failed(socket_name, 1, "socket");
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = (void *)state;
	iov.iov_len = len;
	msg.msg_name = &sa;
	msg.msg_namelen = salen;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	/* One datagram, all of it or nothing; no SIGPIPE (as sd-daemon.c). */
	do
		sent = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (sent < 0 && errno == EINTR);
	if (sent < 0)
		rc = failed(socket_name, 1, "sendmsg");
	close(fd);
	return rc;
}

static int send_string(const char *state)
{
	return notify_send(NULL, state, strlen(state));
}

int notify_ready(void)
{
	return send_string("READY=1");
}

int notify_reloading(void)
{
	struct timespec ts;
	struct buf b = BUF_INIT;
	int rc;

	/* sd_notify(3): RELOADING=1 with MONOTONIC_USEC=, the time now. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		BUG("notify: CLOCK_MONOTONIC unavailable");
	buf_addf(&b, "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL +
			 (unsigned long long)ts.tv_nsec / 1000ULL);
	rc = notify_send(NULL, b.data, b.len);
	buf_release(&b);
	return rc;
}

int notify_stopping(void)
{
	return send_string("STOPPING=1");
}

int notify_status(const char *fmt, ...)
{
	static const char prefix[] = "STATUS=";
	struct buf b = BUF_INIT;
	va_list ap;
	size_t i, max = sizeof(prefix) - 1 + NOTIFY_STATUS_MAX_BYTES;
	int rc;

	/* Without a socket, do not even format. */
	if (!getenv("NOTIFY_SOCKET") || !*getenv("NOTIFY_SOCKET"))
		return 0;
	buf_adds(&b, prefix);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	/* One line: a newline would start another assignment. */
	for (i = sizeof(prefix) - 1; i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f)
			b.data[i] = ' ';
	if (b.len > max) {
		i = max;
		/* Back off UTF-8 continuation bytes (10xxxxxx). */
		while (i > sizeof(prefix) - 1 &&
		       ((unsigned char)b.data[i] & 0xc0) == 0x80)
			i--;
		buf_truncate(&b, i);
	}
	rc = notify_send(NULL, b.data, b.len);
	buf_release(&b);
	return rc;
}
