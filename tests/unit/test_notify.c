/*
 * test_notify.c: the sd_notify(3) datagrams notify.h sends, received on
 * sockets bound here the way systemd binds its own: a path, and an
 * abstract name. Expected bytes are the protocol's (sd_notify(3)).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "bounds.h"
#include "err.h"
#include "notify.h"

struct listener {
	int fd;
	char name[108]; /* NOTIFY_SOCKET's value */
	char dir[64];	/* for a path socket: its folder, removed after */
};

/* Bind a datagram socket; abstract: "@name", else a path in a temp dir. */
static void listen_on(struct listener *l, int abstract)
{
	struct sockaddr_un sa;
	socklen_t len;
	size_t n;

	memset(l, 0, sizeof(*l));
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (abstract) {
		snprintf(l->name, sizeof(l->name), "@patchletter-test-%ld-%ld",
			 (long)getpid(), (long)time(NULL));
		n = strlen(l->name);
		memcpy(sa.sun_path + 1, l->name + 1, n - 1);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		snprintf(l->dir, sizeof(l->dir), "%s",
			 "/tmp/patchletter-notify.XXXXXX");
		assert_non_null(mkdtemp(l->dir));
		snprintf(l->name, sizeof(l->name), "%s/notify", l->dir);
		n = strlen(l->name);
		memcpy(sa.sun_path, l->name, n);
		len = (socklen_t)sizeof(sa);
	}
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(l->fd >= 0);
	assert_int_equal(bind(l->fd, (struct sockaddr *)&sa, len), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", l->name, 1), 0);
}

static void listen_release(struct listener *l)
{
	close(l->fd);
	if (l->dir[0]) {
		unlink(l->name);
		rmdir(l->dir);
	}
	unsetenv("NOTIFY_SOCKET");
}

/*
 * The one datagram waiting on l, NUL-terminated into out (a local Unix
 * datagram is queued before sendmsg() returns, so nothing waits), and no
 * second one after it. Returns its length.
 */
static size_t receive(struct listener *l, char *out, size_t size)
{
	ssize_t n = recv(l->fd, out, size - 1, MSG_DONTWAIT);
	char extra[16];

	assert_true(n >= 0);
	out[n] = '\0';
	assert_int_equal(recv(l->fd, extra, sizeof(extra), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
	return (size_t)n;
}

static void no_datagram(struct listener *l)
{
	char extra[16];

	assert_int_equal(recv(l->fd, extra, sizeof(extra), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
}

static int status_with_newline(void)
{
	/* Text from outside trying to add an assignment of its own. */
	return notify_status("list %s: %u new", "kvm\nREADY=1", 3u);
}

static int status_plain(void)
{
	return notify_status("watching %d lists", 2);
}

static const struct {
	const char *what;
	int (*call)(void);
	const char *expected;
} messages[] = {
	{"ready", notify_ready, "READY=1"},
	{"stopping", notify_stopping, "STOPPING=1"},
	{"status", status_plain, "STATUS=watching 2 lists"},
	{"status, one line", status_with_newline,
	 "STATUS=list kvm READY=1: 3 new"},
};

static void check_messages(int abstract)
{
	struct listener l;
	char got[4096];
	size_t i;

	listen_on(&l, abstract);
	for (i = 0; i < ARRAY_SIZE(messages); i++) {
		assert_int_equal(messages[i].call(), 0);
		receive(&l, got, sizeof(got));
		if (strcmp(got, messages[i].expected))
			fail_msg("%s: got '%s', expected '%s'",
				 messages[i].what, got, messages[i].expected);
	}
	listen_release(&l);
}

static void test_path_socket(void **state)
{
	(void)state;
	check_messages(0);
}

static void test_abstract_socket(void **state)
{
	(void)state;
	check_messages(1);
}

static uint64_t monotonic_usec(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* sd_notify(3): RELOADING=1 with MONOTONIC_USEC=, the time it was sent. */
static void test_reloading_carries_the_time(void **state)
{
	static const char head[] = "RELOADING=1\nMONOTONIC_USEC=";
	struct listener l;
	char got[256], *end;
	uint64_t before, after, usec;

	(void)state;
	listen_on(&l, 1);
	before = monotonic_usec();
	assert_int_equal(notify_reloading(), 0);
	after = monotonic_usec();
	receive(&l, got, sizeof(got));
	assert_int_equal(strncmp(got, head, sizeof(head) - 1), 0);
	errno = 0;
	usec = strtoull(got + sizeof(head) - 1, &end, 10);
	assert_int_equal(errno, 0);
	assert_true(end > got + sizeof(head) - 1);
	assert_int_equal(*end, '\0');
	assert_true(usec >= before && usec <= after);
	listen_release(&l);
}

/* A long status is cut on a character boundary, not inside one. */
static void test_status_cut_on_character(void **state)
{
	struct listener l;
	char got[4096], text[1 + 2 * 1000 + 1], expected[4096];
	size_t i, n;

	(void)state;
	/*
	 * "x" then 1000 U+00E9 (C3 A9): byte 1024 of the text is the second
	 * byte of the 512th, so the cut keeps "x" and 511 of them.
	 */
	text[0] = 'x';
	for (i = 0; i < 1000; i++)
		memcpy(text + 1 + 2 * i, "\xc3\xa9", 2);
	text[sizeof(text) - 1] = '\0';
	n = (size_t)snprintf(expected, sizeof(expected), "STATUS=x");
	for (i = 0; i < 511; i++, n += 2)
		memcpy(expected + n, "\xc3\xa9", 2);
	expected[n] = '\0';
	assert_true(n - strlen("STATUS=") <= NOTIFY_STATUS_MAX_BYTES);

	listen_on(&l, 0);
	assert_int_equal(notify_status("%s", text), 0);
	assert_int_equal(receive(&l, got, sizeof(got)), n);
	assert_string_equal(got, expected);
	listen_release(&l);
}

/* Not under a service manager: nothing to do, and no error. */
static void test_no_socket_is_quiet(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(notify_ready(), 0);
	assert_int_equal(notify_status("x"), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", "", 1), 0);
	assert_int_equal(notify_ready(), 0);
	assert_int_equal(notify_reloading(), 0);
	unsetenv("NOTIFY_SOCKET");
}

static void test_bad_socket_names(void **state)
{
	char longname[200];
	char missing[] = "/tmp/patchletter-notify-missing.XXXXXX";
	int fd;

	(void)state;
	/* Neither a path nor @abstract. */
	assert_int_equal(setenv("NOTIFY_SOCKET", "run/notify", 1), 0);
	assert_int_equal(notify_ready(), ERR_FAIL);
	/* Longer than sun_path (108 bytes on Linux) can hold. */
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '@';
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(setenv("NOTIFY_SOCKET", longname, 1), 0);
	assert_int_equal(notify_stopping(), ERR_FAIL);
	/* A path where nobody listens: a plain file, then nothing. */
	fd = mkstemp(missing);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(setenv("NOTIFY_SOCKET", missing, 1), 0);
	assert_int_equal(notify_ready(), ERR_FAIL);
	unlink(missing);
	assert_int_equal(notify_ready(), ERR_FAIL);
	unsetenv("NOTIFY_SOCKET");
}

/* An explicit socket name wins over the environment's. */
static void test_explicit_name(void **state)
{
	struct listener a, b;
	char got[64];

	(void)state;
	listen_on(&a, 0);
	listen_on(&b, 1); /* NOTIFY_SOCKET now names b */
	assert_int_equal(notify_send(a.name, "STATUS=to a", 11), 0);
	receive(&a, got, sizeof(got));
	assert_string_equal(got, "STATUS=to a");
	no_datagram(&b);
	listen_release(&b);
	listen_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_socket),
		cmocka_unit_test(test_abstract_socket),
		cmocka_unit_test(test_reloading_carries_the_time),
		cmocka_unit_test(test_status_cut_on_character),
		cmocka_unit_test(test_no_socket_is_quiet),
		cmocka_unit_test(test_bad_socket_names),
		cmocka_unit_test(test_explicit_name),
	};

	return cmocka_run_group_tests_name("notify", tests, NULL, NULL);
}
