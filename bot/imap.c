/*
 * imap.c: the live IMAP source over libetpan's mailimap (imap.h has the
 * contract). Each mailbox has its connection and its state machine:
 *
 *   RETRY --timer--> connect, log in, EXAMINE, UID SEARCH --> SYNC or WAIT
 *   SYNC  --timer--> one batch: sizes, bodies, commit --> SYNC or WAIT
 *   IDLE  --fd or timer--> DONE, UID SEARCH --> SYNC or IDLE
 *   POLL  --fd or timer--> NOOP, UID SEARCH --> SYNC or POLL
 *   any error --> close, log one line, RETRY after the backoff
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "bounds.h"
#include "err.h"
#include "imap.h"
#include "log.h"
#include "loop.h"
#include "store.h"
#include "tls.h"
#include "xalloc.h"

/* Bytes of each chunk the protocol trace shows. */
#define TRACE_BYTES 160

/* Seconds each step of a polite goodbye may take, at shutdown. */
#define LOGOUT_TIMEOUT 5

enum conn_state {
	CONN_RETRY, /* disconnected; the timer reconnects */
	CONN_SYNC,  /* new mail to fetch; the timer fetches a batch */
	CONN_IDLE,  /* in IDLE; the fd or the timer (re-issue) wakes it */
	CONN_POLL,  /* no IDLE; the timer (poll) or the fd wakes it */
};

static const char *const state_names[] = {
	[CONN_RETRY] = "retry",
	[CONN_SYNC] = "sync",
	[CONN_IDLE] = "idle",
	[CONN_POLL] = "poll",
};

struct imap_conn {
	struct imap_source *src; /* borrowed: the owner */
	char *mailbox;		 /* owned */
	char *source;		 /* owned: "imap:NAME/MAILBOX" */
	const char *label;	 /* borrowed: source without "imap:" */
	enum conn_state state;
	mailimap *imap; /* owned; NULL while disconnected */
	bool has_idle;
	bool authenticating;		    /* keep the trace quiet */
	mailstream_low_driver plain_driver; /* see plain_read() */
	struct loop_fd notifier;
	struct loop_timer timer;
	unsigned failures; /* in a row, for the backoff */
	uint32_t uidvalidity;
	uint32_t last_uid; /* the cursor: highest UID committed */
	uint32_t searched; /* EXISTS count the last UID SEARCH covered */
	uint32_t *pending; /* owned: new UIDs above last_uid, ascending */
	size_t nr_pending, alloc_pending, next_pending;
};

struct imap_source {
	struct loop *loop;   /* borrowed */
	struct store *store; /* borrowed */
	struct imap_sink sink;
	struct imap_options opt; /* strings owned (copied) */
	struct tls_trust *trust; /* owned; NULL without TLS */
	struct imap_conn *conns; /* owned: opt.nr_mailboxes of them */
	uint64_t random;	 /* xorshift state for the jitter */
};

void imap_options_init(struct imap_options *o)
{
	memset(o, 0, sizeof(*o));
	o->tls = IMAP_TLS_IMPLICIT;
	o->auth = IMAP_AUTH_AUTO;
	o->read_only = true;
	/* RFC 2177 3: "clients using IDLE are advised to terminate the
	 * IDLE and re-issue it at least every 29 minutes to avoid being
	 * logged off". */
	o->idle_interval = 28 * 60;
	o->poll_interval = 60;
	o->batch_size = 100;
	o->timeout = 60;
	o->backoff_min_ms = 1000;
	o->backoff_max_ms = 15 * 60 * 1000;
}

/* --- pure helpers ---------------------------------------------------- */

static int parse_u32(uint32_t *out, const char *s, const char **end)
{
	uint64_t v = 0;
	const char *p = s;

	while (*p >= '0' && *p <= '9' && p - s < 10)
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (p == s || v > UINT32_MAX || (*p >= '0' && *p <= '9'))
		return ERR_PERM;
	*out = (uint32_t)v;
	*end = p;
	return 0;
}

int imap_cursor_parse(uint32_t *out_uidvalidity, uint32_t *out_uid,
		      const char *s)
{
	uint32_t v, u;
	const char *p;

	if (parse_u32(&v, s, &p) < 0 || *p != ':' ||
	    parse_u32(&u, p + 1, &p) < 0 || *p)
		return ERR_PERM;
	*out_uidvalidity = v;
	*out_uid = u;
	return 0;
}

void imap_cursor_format(struct buf *out, uint32_t uidvalidity, uint32_t uid)
{
	buf_addf(out, "%" PRIu32 ":%" PRIu32, uidvalidity, uid);
}

int64_t imap_backoff_ms(unsigned failures, unsigned min_ms, unsigned max_ms,
			uint32_t random)
{
	int64_t wait = min_ms ? min_ms : 1;
	unsigned i;

	for (i = 1; i < failures && wait < max_ms; i++)
		wait *= 2;
	if (wait > max_ms)
		wait = max_ms;
	return wait - wait / 2 + (int64_t)(random % (uint32_t)(wait / 2 + 1));
}

static uint32_t next_random(struct imap_source *src)
{
	/* xorshift64*: plenty for spreading reconnections. */
	src->random ^= src->random >> 12;
	src->random ^= src->random << 25;
	src->random ^= src->random >> 27;
	return (uint32_t)((src->random * 2685821657736338717ull) >> 32);
}

/* --- reporting ------------------------------------------------------- */

/* The server's last response text, escaped (it is untrusted). */
static const char *server_text(struct imap_conn *c, char *out, size_t outsz)
{
	const char *s = c->imap ? c->imap->imap_response : NULL;

	if (!s || !*s)
		return "(no text)";
	return log_escape(out, outsz, s, strlen(s));
}

/* Say in why what went wrong with libetpan's r during what. */
static int etpan_error(struct imap_conn *c, int r, const char *what,
		       struct buf *why)
{
	char text[256];

	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		buf_addf(why, "%s: connection lost, or no answer within %us",
			 what, c->src->opt.timeout);
		break;
	case MAILIMAP_ERROR_FATAL:
	case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
		buf_addf(why, "%s: the server closed the session: BYE %s", what,
			 server_text(c, text, sizeof(text)));
		break;
	case MAILIMAP_ERROR_PARSE:
		buf_addf(why, "%s: the server's answer cannot be parsed", what);
		break;
	case MAILIMAP_ERROR_PROTOCOL:
		buf_addf(why, "%s: the server answered BAD %s", what,
			 server_text(c, text, sizeof(text)));
		break;
	case MAILIMAP_ERROR_MEMORY:
		/* Also what libetpan says of some bad server data. */
		buf_addf(why, "%s: libetpan failed (out of memory?)", what);
		break;
	default:
		buf_addf(why, "%s refused: %s", what,
			 server_text(c, text, sizeof(text)));
		break;
	}
	return ERR_TEMP;
}

/* --- connecting ------------------------------------------------------ */

static unsigned conn_port(const struct imap_options *o)
{
	if (o->port)
		return o->port;
	return o->tls == IMAP_TLS_IMPLICIT ? 993 : 143;
}

static bool is_ip_literal(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, addr) == 1 ||
	       inet_pton(AF_INET6, host, addr) == 1;
}

/* A non-blocking connect() bounded by the timeout, on one address. */
static int connect_one(const struct addrinfo *ai, int timeout_ms, int *err)
{
	struct pollfd pfd;
	socklen_t len = sizeof(*err);
	int fd, r, flags;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
	if (fd < 0)
		return *err = errno, -1;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		goto fail_errno;
	r = connect(fd, ai->ai_addr, ai->ai_addrlen);
	if (r < 0 && errno != EINPROGRESS)
		goto fail_errno;
	if (r < 0) {
		pfd = (struct pollfd){fd, POLLOUT, 0};
		do
			r = poll(&pfd, 1, timeout_ms);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			goto fail_errno;
		if (r == 0) {
			*err = ETIMEDOUT;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) < 0)
			goto fail_errno;
		if (*err)
			goto fail;
	}
	/* libetpan wants a blocking socket for the TLS handshake; its
	 * reads and writes then wait with their own timeouts. */
	if (fcntl(fd, F_SETFL, flags) < 0)
		goto fail_errno;
	return fd;
fail_errno:
	*err = errno;
fail:
	close(fd);
	return -1;
}

/*
 * Keepalive probes find a peer that vanished (a cut network sends no
 * FIN) while we idle, long before the IDLE is re-issued.
 */
static void set_keepalive(int fd)
{
	int on = 1, idle = 120, intvl = 30, cnt = 4;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static int tcp_connect(struct imap_conn *c, int *out, struct buf *why)
{
	const struct imap_options *o = &c->src->opt;
	struct addrinfo hints, *res, *ai;
	char port[16];
	int r, fd = -1, err = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", conn_port(o));
	/* getaddrinfo() has no timeout of its own; the resolver's
	 * (resolv.conf "timeout" and "attempts") bounds it. */
	r = getaddrinfo(o->host, port, &hints, &res);
	if (r) {
		buf_addf(why, "cannot resolve: %s",
			 r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return ERR_TEMP;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next)
		fd = connect_one(ai, (int)o->timeout * 1000, &err);
	freeaddrinfo(res);
	if (fd < 0) {
		buf_addf(why, "connect: %s", strerror(err));
		return ERR_TEMP;
	}
	set_keepalive(fd);
	*out = fd;
	return 0;
}

/*
 * libetpan 1.9.4's socket driver returns 0 at the end of the stream, and
 * its literal parser loops on 0 for ever: a server that closes in the
 * middle of a mail (a crash, a restart) would pin the daemon at 100% CPU
 * (t204's "drop" scenario). This read says -1 there, as libetpan's TLS
 * driver does already.
 */
static ssize_t plain_read(mailstream_low *low, void *buf, size_t count)
{
	ssize_t r = mailstream_socket_driver->mailstream_read(low, buf, count);

	return r == 0 && count ? -1 : r;
}

/* Plain text over fd, through plain_read(). */
static mailstream *plain_open(struct imap_conn *c, int fd)
{
	mailstream *stream;
	mailstream_low *low;

	stream = mailstream_socket_open_timeout(fd, c->src->opt.timeout);
	if (!stream) {
		fprintf(stderr, "fatal: imap: out of memory\n");
		abort();
	}
	low = mailstream_get_low(stream);
	if (low->driver != mailstream_socket_driver)
		BUG("imap: libetpan's socket stream has another driver");
	c->plain_driver = *low->driver;
	c->plain_driver.mailstream_read = plain_read;
	low->driver = &c->plain_driver;
	return stream;
}

/* libetpan calls this before its handshake: send the name (SNI). */
static void tls_setup(struct mailstream_ssl_context *ctx, void *arg)
{
	struct imap_conn *c = arg;
	const char *host = c->src->opt.host;

	/* RFC 6066 3: literal IP addresses are not permitted in SNI. */
	if (!is_ip_literal(host))
		mailstream_ssl_set_server_name(ctx, (char *)host);
}

/* Verify the chain of a stream whose handshake just completed. */
static int tls_check(struct imap_conn *c, carray *chain, struct buf *why)
{
	struct tls_cert certs[TLS_MAX_CHAIN];
	unsigned i, nr = chain ? carray_count(chain) : 0;
	int r;

	if (nr > TLS_MAX_CHAIN) {
		buf_addf(why,
			 "certificate not trusted: %u certificates in "
			 "the chain, more than %d",
			 nr, TLS_MAX_CHAIN);
		r = ERR_PERM;
		goto out;
	}
	for (i = 0; i < nr; i++) {
		MMAPString *der = carray_get(chain, i);

		certs[i].der = (const unsigned char *)der->str;
		certs[i].len = der->len;
	}
	buf_adds(why, "certificate not trusted: ");
	r = tls_trust_verify(c->src->trust, certs, nr, c->src->opt.host, why);
	if (r == 0)
		buf_reset(why);
out:
	if (chain)
		mailstream_certificate_chain_free(chain);
	return r;
}

static bool has_capability(mailimap *imap, const char *name)
{
	return mailimap_has_extension(imap, name) != 0;
}

/* Capabilities as the server states them now (after TLS, after login). */
static int refresh_capabilities(struct imap_conn *c, struct buf *why)
{
	struct mailimap_capability_data *caps = NULL;
	int r;

	r = mailimap_capability(c->imap, &caps);
	if (r != MAILIMAP_NO_ERROR)
		return etpan_error(c, r, "CAPABILITY", why);
	mailimap_capability_data_free(caps);
	return 0;
}

static int start_tls(struct imap_conn *c, struct buf *why)
{
	const struct imap_options *o = &c->src->opt;
	mailstream *stream = c->imap->imap_stream;
	mailstream_low *low, *tls;
	int r;

	if (!c->imap->imap_connection_info->imap_capability &&
	    (r = refresh_capabilities(c, why)) < 0)
		return r;
	/* Never fall back to plain text (RFC 8314 4.1 and curl's "TLS
	 * required, never try"). */
	if (!has_capability(c->imap, "STARTTLS")) {
		buf_adds(why, "the server does not offer STARTTLS");
		return ERR_PERM;
	}
	r = mailimap_starttls(c->imap);
	if (r != MAILIMAP_NO_ERROR)
		return etpan_error(c, r, "STARTTLS", why);
	/* Bytes after the OK, before the handshake, would be injected by a
	 * man in the middle (CVE-2011-0411, CVE-2020-15953): refuse. */
	if (stream->read_buffer_len) {
		buf_adds(why, "unencrypted data after the STARTTLS answer");
		return ERR_PERM;
	}
	low = mailstream_get_low(stream);
	tls = mailstream_low_tls_open_with_callback_timeout(
		mailstream_low_get_fd(low), o->timeout, tls_setup, c);
	if (!tls) {
		buf_adds(why, "TLS handshake failed");
		return ERR_TEMP;
	}
	/* As libetpan's mailimap_socket_starttls(): the plain driver goes
	 * without closing the fd, which the TLS driver now owns. */
	mailstream_low_free(low);
	mailstream_set_low(stream, tls);
	r = tls_check(c, mailstream_low_get_certificate_chain(tls), why);
	if (r < 0)
		return r;
	/* RFC 3501 6.2.1: forget the capabilities learnt before TLS. */
	return refresh_capabilities(c, why);
}

static int log_in(struct imap_conn *c, struct buf *why)
{
	const struct imap_options *o = &c->src->opt;
	bool plain = o->auth == IMAP_AUTH_PLAIN;
	char text[256];
	int r;

	if (o->auth == IMAP_AUTH_AUTO)
		plain = has_capability(c->imap, "LOGINDISABLED");
	c->authenticating = true;
	if (plain)
		r = mailimap_authenticate(c->imap, "PLAIN", o->host, NULL, NULL,
					  o->user, o->user, o->password, NULL);
	else
		r = mailimap_login(c->imap, o->user, o->password);
	c->authenticating = false;
	if (r == MAILIMAP_ERROR_LOGIN) {
		buf_addf(why, "%s refused: %s",
			 plain ? "AUTHENTICATE PLAIN" : "LOGIN",
			 server_text(c, text, sizeof(text)));
		return ERR_PERM;
	}
	if (r != MAILIMAP_NO_ERROR)
		return etpan_error(c, r, plain ? "AUTHENTICATE" : "LOGIN", why);
	/* Servers may announce more (IDLE) once the user is known. */
	return refresh_capabilities(c, why);
}

/*
 * The conversation at debug level, for the operator chasing a server's
 * quirk: what was sent and received, each chunk cut at TRACE_BYTES. Never
 * what libetpan marks private (the LOGIN password), and nothing we send
 * while authenticating (its SASL exchange carries the password in base64
 * unmarked).
 */
static void trace(mailimap *imap, int type, const char *str, size_t size,
		  void *arg)
{
	struct imap_conn *c = arg;
	char text[4 * TRACE_BYTES + 1];

	(void)imap;
	if (!log_enabled(LOG_LEVEL_DEBUG))
		return;
	if (type == MAILSTREAM_LOG_TYPE_DATA_SENT && !c->authenticating)
		log_debug("imap: %s: C: %s", c->label,
			  log_escape(text, sizeof(text), str,
				     size < TRACE_BYTES ? size : TRACE_BYTES));
	else if (type == MAILSTREAM_LOG_TYPE_DATA_RECEIVED)
		log_debug("imap: %s: S: %s", c->label,
			  log_escape(text, sizeof(text), str,
				     size < TRACE_BYTES ? size : TRACE_BYTES));
}

/* Connect, secure, greet, log in. */
static int session_open(struct imap_conn *c, struct buf *why)
{
	const struct imap_options *o = &c->src->opt;
	mailstream *stream;
	int fd, r;

	r = tcp_connect(c, &fd, why);
	if (r < 0)
		return r;
	if (o->tls == IMAP_TLS_IMPLICIT) {
		stream = mailstream_ssl_open_with_callback_timeout(
			fd, o->timeout, tls_setup, c);
		if (!stream) {
			close(fd);
			buf_adds(why, "TLS handshake failed");
			return ERR_TEMP;
		}
		/* Checked before even the greeting is read. */
		r = tls_check(c, mailstream_get_certificate_chain(stream), why);
		if (r < 0) {
			mailstream_close(stream);
			return r;
		}
	} else {
		stream = plain_open(c, fd);
	}
	c->imap = mailimap_new(0, NULL);
	if (!c->imap) {
		mailstream_close(stream);
		fprintf(stderr, "fatal: imap: out of memory\n");
		abort();
	}
	mailimap_set_timeout(c->imap, o->timeout);
	if (o->trace)
		mailimap_set_logger(c->imap, trace, c);
	r = mailimap_connect(c->imap, stream);
	if (r == MAILIMAP_NO_ERROR_AUTHENTICATED) {
		/* PREAUTH (RFC 3501 7.1.4) skips the login, and with it
		 * any chance of STARTTLS: refuse it when TLS is wanted. */
		if (o->tls == IMAP_TLS_STARTTLS) {
			buf_adds(why, "PREAUTH greeting: STARTTLS impossible");
			return ERR_PERM;
		}
		return refresh_capabilities(c, why);
	}
	if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
		return etpan_error(c, r, "greeting", why);
	if (o->tls == IMAP_TLS_STARTTLS && (r = start_tls(c, why)) < 0)
		return r;
	return log_in(c, why);
}

/* Close the connection at once, without a word to the server. */
static void session_drop(struct imap_conn *c)
{
	if (!c->imap)
		return;
	if (c->imap->imap_stream) {
		mailstream_close(c->imap->imap_stream);
		c->imap->imap_stream = NULL;
	}
	mailimap_free(c->imap);
	c->imap = NULL;
}

/* --- the state machine ----------------------------------------------- */

static void conn_wait(struct imap_conn *c);
static void sync_start(struct imap_conn *c);
static void on_readable(struct loop_fd *n, short revents, void *arg);

/* Tear down, report the failure in one line, retry after the backoff. */
static void conn_fail(struct imap_conn *c, const struct buf *why)
{
	struct imap_source *src = c->src;
	int64_t wait;

	loop_fd_unwatch(&c->notifier);
	session_drop(c);
	free(c->pending);
	c->pending = NULL;
	c->nr_pending = c->alloc_pending = c->next_pending = 0;
	c->failures++;
	wait = imap_backoff_ms(c->failures, src->opt.backoff_min_ms,
			       src->opt.backoff_max_ms, next_random(src));
	log_warnx("imap: %s: %s@%s:%u: %s; retry %u in %.1fs", c->label,
		  src->opt.user, src->opt.host, conn_port(&src->opt), why->data,
		  c->failures, (double)wait / 1000);
	c->state = CONN_RETRY;
	loop_timer_arm(src->loop, &c->timer, wait);
}

/* Where the mailbox stands in the store: sets last_uid. */
static int read_cursor(struct imap_conn *c, struct buf *why)
{
	struct imap_source *src = c->src;
	struct buf value = BUF_INIT;
	uint32_t v, u;
	int r;

	c->last_uid = 0;
	r = store_cursor_get(&value, src->store, c->source);
	if (r == ERR_NOTFOUND) {
		log_info("imap: %s: no cursor yet: fetching every mail",
			 c->label);
		r = 0;
		goto out;
	}
	if (r < 0) {
		buf_adds(why, "cannot read the cursor from the store");
		goto out;
	}
	if (imap_cursor_parse(&v, &u, value.data) < 0) {
		/* Not ours: start over; Message-IDs de-duplicate. */
		log_warnx("imap: %s: cursor \"%s\" unreadable: fetching "
			  "every mail again",
			  c->label, value.data);
		v = 0;
	}
	if (v == c->uidvalidity) {
		c->last_uid = u;
		goto out;
	}
	if (v)
		log_warnx("imap: %s: UIDVALIDITY changed from %" PRIu32
			  " to %" PRIu32 ": fetching every mail again "
			  "(duplicates are recognised by Message-ID)",
			  c->label, v, c->uidvalidity);
	/* Store the new UIDVALIDITY at once: a restart during the resync
	 * resumes it rather than starting it over. */
	buf_reset(&value);
	imap_cursor_format(&value, c->uidvalidity, 0);
	r = src->sink.commit(src->sink.arg, c->source, value.data);
	if (r < 0) {
		src->sink.abort(src->sink.arg);
		buf_adds(why, "cannot store the new UIDVALIDITY");
	}
out:
	buf_release(&value);
	return r;
}

static int mailbox_open(struct imap_conn *c, struct buf *why)
{
	const struct imap_options *o = &c->src->opt;
	int r;

	if (o->read_only)
		r = mailimap_examine(c->imap, c->mailbox);
	else
		r = mailimap_select(c->imap, c->mailbox);
	if (r != MAILIMAP_NO_ERROR)
		return etpan_error(c, r, o->read_only ? "EXAMINE" : "SELECT",
				   why);
	c->uidvalidity = c->imap->imap_selection_info->sel_uidvalidity;
	if (!c->uidvalidity) {
		/* RFC 3501 2.3.1.1 makes it mandatory; without it a UID
		 * says nothing across sessions. */
		buf_adds(why, "the server sent no UIDVALIDITY");
		return ERR_PERM;
	}
	return read_cursor(c, why);
}

static void conn_connect(struct imap_conn *c)
{
	const struct imap_options *o = &c->src->opt;
	struct buf why = BUF_INIT;

	if (session_open(c, &why) < 0 || mailbox_open(c, &why) < 0) {
		conn_fail(c, &why);
		buf_release(&why);
		return;
	}
	buf_release(&why);
	c->has_idle = mailimap_has_idle(c->imap);
	log_info("imap: %s: %s@%s:%u%s, UIDVALIDITY %" PRIu32 ", %" PRIu32
		 " mails, after UID %" PRIu32 ", %s",
		 c->label, o->user, o->host, conn_port(o),
		 o->tls == IMAP_TLS_NONE ? " (no TLS)" : " (TLS)",
		 c->uidvalidity, c->imap->imap_selection_info->sel_exists,
		 c->last_uid, c->has_idle ? "IDLE" : "polling (no IDLE)");
	if (c->src->sink.opened)
		c->src->sink.opened(c->src->sink.arg, c->source);
	sync_start(c);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* UID SEARCH for the mail above the cursor; then fetch it or wait. */
static void sync_start(struct imap_conn *c)
{
	struct mailimap_search_key *key;
	struct buf why = BUF_INIT;
	clist *uids = NULL;
	clistiter *it;
	int r;

	c->nr_pending = c->next_pending = 0;
	if (!c->imap->imap_selection_info->sel_exists ||
	    c->last_uid == UINT32_MAX) {
		conn_wait(c);
		return;
	}
	/* "UID n:*" also matches the highest UID when it is below n (RFC
	 * 3501 6.4.8): the filter below drops it. */
	key = mailimap_search_key_new_uid(
		mailimap_set_new_interval(c->last_uid + 1, 0));
	r = mailimap_uid_search(c->imap, NULL, key, &uids);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR) {
		etpan_error(c, r, "UID SEARCH", &why);
		conn_fail(c, &why);
		buf_release(&why);
		return;
	}
	c->searched = c->imap->imap_selection_info->sel_exists;
	for (it = clist_begin(uids); it; it = clist_next(it)) {
		uint32_t uid = *(uint32_t *)clist_content(it);

		if (uid <= c->last_uid)
			continue;
		XGROW(c->pending, c->alloc_pending, c->nr_pending + 1);
		c->pending[c->nr_pending++] = uid;
	}
	mailimap_search_result_free(uids);
	if (!c->nr_pending) {
		conn_wait(c);
		return;
	}
	qsort(c->pending, c->nr_pending, sizeof(*c->pending), cmp_u32);
	log_debug("imap: %s: %zu new mails", c->label, c->nr_pending);
	c->state = CONN_SYNC;
	loop_timer_arm(c->src->loop, &c->timer, 0);
}

/* libetpan's list free functions do not take NULL. */
static void fetch_list_free(clist *list)
{
	if (list)
		mailimap_fetch_list_free(list);
}

/* The UID, size and body of one FETCH response. */
struct fetched {
	uint32_t uid;
	uint32_t size;
	const char *body; /* borrowed from libetpan's result */
	size_t len;
};

static void fetched_of(struct fetched *out, struct mailimap_msg_att *att)
{
	clistiter *it;

	memset(out, 0, sizeof(*out));
	for (it = clist_begin(att->att_list); it; it = clist_next(it)) {
		struct mailimap_msg_att_item *item = clist_content(it);
		struct mailimap_msg_att_static *st;

		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		st = item->att_data.att_static;
		if (st->att_type == MAILIMAP_MSG_ATT_UID)
			out->uid = st->att_data.att_uid;
		else if (st->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE)
			out->size = st->att_data.att_rfc822_size;
		else if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION &&
			 st->att_data.att_body_section) {
			out->body =
				st->att_data.att_body_section->sec_body_part;
			out->len = st->att_data.att_body_section->sec_length;
		}
	}
}

/*
 * UID FETCH uids[0..nr) with att; the responses for those UIDs (servers
 * may add unsolicited ones) into out, ascending. *list_out keeps what
 * out borrows: fetch_list_free() it.
 */
static int fetch(struct imap_conn *c, const uint32_t *uids, size_t nr,
		 struct mailimap_fetch_att *att, struct fetched *out,
		 size_t *nr_out, clist **list_out, struct buf *why)
{
	struct mailimap_fetch_type *type;
	struct mailimap_set *set;
	const uint32_t *at;
	clistiter *it;
	size_t i, j, n;
	int r;

	set = mailimap_set_new_empty();
	for (i = 0; i < nr; i = j) {
		/* Runs of consecutive UIDs as one range: "5:9,12". */
		for (j = i + 1; j < nr && uids[j] == uids[j - 1] + 1; j++)
			;
		mailimap_set_add_interval(set, uids[i], uids[j - 1]);
	}
	type = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(
		type, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(type, att);
	r = mailimap_uid_fetch(c->imap, set, type, list_out);
	mailimap_fetch_type_free(type);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR) {
		*list_out = NULL;
		return etpan_error(c, r, "UID FETCH", why);
	}
	/* Each response in the slot of its UID: one UID may come in more
	 * than one response (an unsolicited FETCH of its flags). */
	memset(out, 0, nr * sizeof(*out));
	for (it = clist_begin(*list_out); it; it = clist_next(it)) {
		struct fetched f, *slot;

		fetched_of(&f, clist_content(it));
		at = bsearch(&f.uid, uids, nr, sizeof(*uids), cmp_u32);
		if (!at)
			continue;
		slot = &out[at - uids];
		slot->uid = f.uid;
		if (f.size)
			slot->size = f.size;
		if (f.body) {
			slot->body = f.body;
			slot->len = f.len;
		}
	}
	for (i = n = 0; i < nr; i++)
		if (out[i].uid)
			out[n++] = out[i];
	*nr_out = n;
	return 0;
}

/*
 * Which of the next UIDs form this batch: at most batch_size mails and
 * IMAP_BATCH_MAX_BYTES of them, by their RFC822.SIZE; a mail over
 * MAIL_MAX_BYTES goes alone, cut there (*cut_size: its whole size; 0
 * when nothing is cut). Mail expunged meanwhile has no size and is
 * passed over. Sets *nr_out (0: all gone) and *last_out, the highest
 * UID the batch covers.
 */
static int plan_batch(struct imap_conn *c, uint32_t *uids, size_t *nr_out,
		      uint32_t *last_out, uint32_t *cut_size, struct buf *why)
{
	size_t avail = c->nr_pending - c->next_pending, nr, n, i;
	uint32_t *next = c->pending + c->next_pending;
	struct fetched *sizes;
	uint64_t bytes = 0;
	clist *list;
	int r;

	nr = avail < c->src->opt.batch_size ? avail : c->src->opt.batch_size;
	sizes = xcalloc(nr, sizeof(*sizes));
	r = fetch(c, next, nr, mailimap_fetch_att_new_rfc822_size(), sizes, &n,
		  &list, why);
	if (r < 0)
		goto out;
	*cut_size = n && sizes[0].size > MAIL_MAX_BYTES ? sizes[0].size : 0;
	for (i = 0; i < n; i++) {
		if (i && (sizes[i].size > MAIL_MAX_BYTES ||
			  bytes + sizes[i].size > IMAP_BATCH_MAX_BYTES))
			break;
		bytes += sizes[i].size;
		uids[i] = sizes[i].uid;
		if (*cut_size) {
			i++;
			break;
		}
	}
	*nr_out = i;
	/* Up to the next mail left for the next batch (the UIDs between
	 * were expunged), or the whole window when all of it fits. */
	*last_out = i < n ? sizes[i].uid - 1 : next[nr - 1];
out:
	fetch_list_free(list);
	free(sizes);
	return r;
}

static void sync_batch(struct imap_conn *c)
{
	struct imap_source *src = c->src;
	struct buf why = BUF_INIT, cursor = BUF_INIT, reason = BUF_INIT;
	struct mailimap_fetch_att *att;
	struct fetched *mails = NULL;
	uint32_t *uids, last;
	size_t nr = 0, n = 0, i;
	clist *list = NULL;
	uint32_t cut = 0; /* the size of a mail too large, cut */
	int r;

	uids = xcalloc(src->opt.batch_size, sizeof(*uids));
	r = plan_batch(c, uids, &nr, &last, &cut, &why);
	if (r < 0)
		goto fail;
	if (nr) {
		if (cut)
			att = mailimap_fetch_att_new_body_peek_section_partial(
				mailimap_section_new(NULL), 0, MAIL_MAX_BYTES);
		else
			att = mailimap_fetch_att_new_body_peek_section(
				mailimap_section_new(NULL));
		mails = xcalloc(nr, sizeof(*mails));
		r = fetch(c, uids, nr, att, mails, &n, &list, &why);
		if (r < 0)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		if (!mails[i].body) {
			log_warnx("imap: %s: uid %" PRIu32 ": no body in the "
				  "FETCH answer (expunged?)",
				  c->label, mails[i].uid);
			continue;
		}
		if (cut) {
			/* Kept, not dropped (bounds.h): raw, with why. */
			buf_reset(&reason);
			buf_addf(&reason,
				 "IMAP UID %" PRIu32 ": %" PRIu32
				 " bytes, only the first %u fetched "
				 "(MAIL_MAX_BYTES)",
				 mails[i].uid, cut, MAIL_MAX_BYTES);
			log_warnx("imap: %s: %s", c->label, reason.data);
			r = src->sink.add_cut(src->sink.arg, c->source,
					      mails[i].uid, mails[i].body,
					      mails[i].len, reason.data);
		} else {
			r = src->sink.add(src->sink.arg, c->source,
					  mails[i].uid, mails[i].body,
					  mails[i].len);
		}
		if (r < 0)
			break;
	}
	if (r == 0) {
		imap_cursor_format(&cursor, c->uidvalidity, last);
		r = src->sink.commit(src->sink.arg, c->source, cursor.data);
	}
	if (r < 0) {
		src->sink.abort(src->sink.arg);
		buf_addf(&why, "UIDs %" PRIu32 "-%" PRIu32 " not stored (%s)",
			 c->pending[c->next_pending], last, err_name(r));
		goto fail;
	}
	if (n)
		log_info("imap: %s: stored %zu mails, UIDs %" PRIu32
			 "-%" PRIu32,
			 c->label, n, mails[0].uid, mails[n - 1].uid);
	c->last_uid = last;
	while (c->next_pending < c->nr_pending &&
	       c->pending[c->next_pending] <= last)
		c->next_pending++;
	if (c->next_pending < c->nr_pending)
		loop_timer_arm(src->loop, &c->timer, 0); /* one batch a round */
	else if (c->imap->imap_selection_info->sel_exists != c->searched)
		/* An EXISTS came with the FETCH answers: the server will
		 * not repeat it in IDLE (RFC 3501 7.3.1), so look now. */
		sync_start(c);
	else
		conn_wait(c);
	goto out;
fail:
	conn_fail(c, &why);
out:
	fetch_list_free(list);
	free(mails);
	free(uids);
	buf_release(&reason);
	buf_release(&cursor);
	buf_release(&why);
}

/*
 * Begin IDLE (RFC 2177). Not with mailimap_idle(): given an untagged
 * answer before the "+" (RFC 3501 7: a server may send one at any time),
 * it waits for a tagged answer that never comes, until the timeout
 * (t204, "exists-before-idle"). Here such an answer is news (*news):
 * the caller looks at once; an EXISTS count is kept for sync_start().
 */
static int idle_start(struct imap_conn *c, bool *news, struct buf *why)
{
	mailimap *imap = c->imap;
	mailstream *stream = imap->imap_stream;
	unsigned long n;
	char text[256];
	const char *line;
	char *end;
	int r;

	*news = false;
	r = mailimap_send_current_tag(imap);
	if (r == MAILIMAP_NO_ERROR &&
	    (mailstream_write(stream, "IDLE\r\n", 6) != 6 ||
	     mailstream_flush(stream) == -1))
		r = MAILIMAP_ERROR_STREAM;
	while (r == MAILIMAP_NO_ERROR) {
		line = mailstream_read_line_remove_eol(
			stream, imap->imap_stream_buffer);
		if (!line) {
			r = MAILIMAP_ERROR_STREAM;
			break;
		}
		if (line[0] == '+')
			break;
		log_escape(text, sizeof(text), line, strlen(line));
		/* Tagged (refused), a BYE, or a literal to come: give up
		 * this connection rather than parse on. */
		if (strncmp(line, "* ", 2) != 0 ||
		    !strncasecmp(line + 2, "BYE", 3) ||
		    line[strlen(line) - 1] == '}') {
			buf_addf(why, "IDLE refused: %s", text);
			return ERR_TEMP;
		}
		*news = true;
		n = strtoul(line + 2, &end, 10);
		if (end != line + 2 && !strcasecmp(end, " EXISTS") &&
		    n <= UINT32_MAX)
			imap->imap_selection_info->sel_exists = (uint32_t)n;
	}
	if (r != MAILIMAP_NO_ERROR)
		return etpan_error(c, r, "IDLE", why);
	/* What was read past the "+" waits in libetpan's buffer, where
	 * poll() cannot see it. */
	if (stream->read_buffer_len)
		*news = true;
	return 0;
}

/* Wait for news: IDLE when the server has it, else poll. */
static void conn_wait(struct imap_conn *c)
{
	struct imap_source *src = c->src;
	struct buf why = BUF_INIT;
	bool news = false;
	int64_t delay;

	free(c->pending);
	c->pending = NULL;
	c->nr_pending = c->alloc_pending = c->next_pending = 0;
	if (c->has_idle) {
		if (idle_start(c, &news, &why) < 0) {
			conn_fail(c, &why);
			buf_release(&why);
			return;
		}
		c->state = CONN_IDLE;
		delay = news ? 0 : (int64_t)src->opt.idle_interval * 1000;
	} else {
		c->state = CONN_POLL;
		delay = (int64_t)src->opt.poll_interval * 1000;
	}
	/* In both states a readable socket means the server spoke: new
	 * mail, a keepalive, a BYE, or the end of the connection. */
	loop_fd_unwatch(&c->notifier);
	loop_fd_init(&c->notifier, mailimap_idle_get_fd(c->imap), on_readable,
		     c);
	loop_fd_watch(src->loop, &c->notifier, POLLIN);
	loop_timer_arm(src->loop, &c->timer, delay);
	log_debug("imap: %s: %s", c->label, state_names[c->state]);
}

/* The server spoke, or the interval is over: look for new mail. */
static void conn_wake(struct imap_conn *c)
{
	struct buf why = BUF_INIT;
	int r;

	loop_fd_unwatch(&c->notifier);
	loop_timer_stop(&c->timer);
	if (c->state == CONN_IDLE)
		r = mailimap_idle_done(c->imap);
	else
		r = mailimap_noop(c->imap);
	if (r != MAILIMAP_NO_ERROR) {
		etpan_error(c, r, c->state == CONN_IDLE ? "DONE" : "NOOP",
			    &why);
		conn_fail(c, &why);
		buf_release(&why);
		return;
	}
	/* The session survived a wait: the server is healthy again. */
	c->failures = 0;
	sync_start(c);
}

static void on_readable(struct loop_fd *n, short revents, void *arg)
{
	(void)n;
	(void)revents;
	conn_wake(arg);
}

static void on_timer(struct loop_timer *t, void *arg)
{
	struct imap_conn *c = arg;

	(void)t;
	switch (c->state) {
	case CONN_RETRY:
		conn_connect(c);
		break;
	case CONN_SYNC:
		sync_batch(c);
		break;
	case CONN_IDLE:
	case CONN_POLL:
		conn_wake(c);
		break;
	}
}

/* --- the source ------------------------------------------------------ */

static int check_options(const struct imap_options *o)
{
	const char *name = o->name ? o->name : "(unnamed)";

	if (!o->name || !*o->name)
		return errorf(ERR_PERM, "imap: a source needs a name");
	if (!o->host || !*o->host)
		return errorf(ERR_PERM, "imap: %s: no host", name);
	if (!o->user || !*o->user || !o->password)
		return errorf(ERR_PERM, "imap: %s: no user or no password",
			      name);
	if (!o->nr_mailboxes)
		return errorf(ERR_PERM, "imap: %s: no mailbox", name);
	if (o->port > 65535)
		return errorf(ERR_PERM, "imap: %s: port %u", name, o->port);
	if (!o->idle_interval || o->idle_interval > 29 * 60)
		return errorf(ERR_PERM,
			      "imap: %s: idle interval %us: must be 1 s to "
			      "29 min (RFC 2177)",
			      name, o->idle_interval);
	if (!o->poll_interval || !o->timeout)
		return errorf(ERR_PERM,
			      "imap: %s: poll interval and timeout "
			      "must be at least 1 s",
			      name);
	if (!o->batch_size || o->batch_size > IMAP_MAX_BATCH)
		return errorf(ERR_PERM,
			      "imap: %s: batch size %u: must be 1 "
			      "to %u",
			      name, o->batch_size, IMAP_MAX_BATCH);
	if (!o->backoff_min_ms || o->backoff_max_ms < o->backoff_min_ms)
		return errorf(ERR_PERM, "imap: %s: backoff %u to %u ms", name,
			      o->backoff_min_ms, o->backoff_max_ms);
	return 0;
}

static uint64_t seed(void)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s))
		s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return s ? s : 0x9e3779b97f4a7c15ull;
}

int imap_source_start(struct imap_source **out, struct loop *loop,
		      struct store *store, const struct imap_options *opt,
		      const struct imap_sink *sink)
{
	struct imap_source *src;
	struct imap_options *o;
	size_t i;
	int r;

	*out = NULL;
	if (!sink->add || !sink->add_cut || !sink->commit || !sink->abort)
		BUG("imap: a sink without all its callbacks");
	r = check_options(opt);
	if (r < 0)
		return r;
	src = xcalloc(1, sizeof(*src));
	src->loop = loop;
	src->store = store;
	src->sink = *sink;
	src->random = seed();
	o = &src->opt;
	*o = *opt;
	o->name = xstrdup(opt->name);
	o->host = xstrdup(opt->host);
	o->user = xstrdup(opt->user);
	o->password = xstrdup(opt->password);
	o->ca_file = opt->ca_file ? xstrdup(opt->ca_file) : NULL;
	o->mailboxes = NULL; /* each connection keeps its own */
	if (o->tls != IMAP_TLS_NONE) {
		r = tls_trust_new(&src->trust, o->ca_file, TLS_TRUST_SYSTEM);
		if (r < 0) {
			imap_source_free(src);
			return r;
		}
	}
	src->conns = xcalloc(opt->nr_mailboxes, sizeof(*src->conns));
	for (i = 0; i < opt->nr_mailboxes; i++) {
		struct imap_conn *c = &src->conns[i];

		c->src = src;
		c->mailbox = xstrdup(opt->mailboxes[i]);
		c->source = xasprintf("imap:%s/%s", o->name, c->mailbox);
		c->label = c->source + strlen("imap:");
		c->state = CONN_RETRY;
		loop_fd_init(&c->notifier, -1, on_readable, c);
		loop_timer_init(&c->timer, on_timer, c);
		loop_timer_arm(loop, &c->timer, 0);
	}
	*out = src;
	return 0;
}

/* Leave politely when the session is healthy: DONE, LOGOUT. */
static void conn_close(struct imap_conn *c)
{
	loop_fd_unwatch(&c->notifier);
	loop_timer_stop(&c->timer);
	if (c->imap && (c->state == CONN_IDLE || c->state == CONN_POLL)) {
		mailstream_low_set_timeout(
			mailstream_get_low(c->imap->imap_stream),
			LOGOUT_TIMEOUT);
		if (c->state != CONN_IDLE ||
		    mailimap_idle_done(c->imap) == MAILIMAP_NO_ERROR)
			mailimap_logout(c->imap); /* closes the stream */
	}
	session_drop(c);
	free(c->pending);
	free(c->source);
	free(c->mailbox);
}

void imap_source_free(struct imap_source *src)
{
	size_t i;

	if (!src)
		return;
	for (i = 0; src->conns && i < src->opt.nr_mailboxes; i++)
		conn_close(&src->conns[i]);
	free(src->conns);
	tls_trust_free(src->trust);
	free((char *)src->opt.name);
	free((char *)src->opt.host);
	free((char *)src->opt.user);
	if (src->opt.password) {
		explicit_bzero((char *)src->opt.password,
			       strlen(src->opt.password));
		free((char *)src->opt.password);
	}
	free((char *)src->opt.ca_file);
	free(src);
}
