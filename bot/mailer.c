/*
 * mailer.c: SMTP submission with libcurl (mailer.h says what and why).
 *
 * libcurl runs the SMTP dialogue; we watch it through the debug callback
 * (CURLOPT_DEBUGFUNCTION) to know which command a failure answered and
 * to keep the server's reply text, which curl's error buffer leaves out
 * ("RCPT failed: 550" says nothing of why). Lines we send are only
 * looked at for their verb: AUTH's arguments never leave the callback.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "bounds.h"
#include "buf.h"
#include "compose.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "mailer.h"
#include "xalloc.h"

/* Where in the session the last command we sent belongs. */
enum stage {
	STAGE_CONNECT = 0, /* TCP, implicit TLS, the greeting */
	STAGE_EHLO,
	STAGE_STARTTLS, /* the command and the handshake after it */
	STAGE_AUTH,
	STAGE_MAIL,
	STAGE_RCPT,
	STAGE_DATA,
	STAGE_BODY, /* after 354: the data sent, its reply awaited */
	STAGE_QUIT, /* not a stage: marks QUIT in the verbs below */
};

static const char *const stage_names[] = {
	[STAGE_CONNECT] = "connect",   [STAGE_EHLO] = "EHLO",
	[STAGE_STARTTLS] = "STARTTLS", [STAGE_AUTH] = "AUTH",
	[STAGE_MAIL] = "MAIL FROM",    [STAGE_RCPT] = "RCPT TO",
	[STAGE_DATA] = "DATA",	       [STAGE_BODY] = "end of data",
};

/* The verbs we recognise in the lines curl sends, and their stages. */
static const struct {
	const char *verb;
	enum stage stage;
} verbs[] = {
	{"EHLO", STAGE_EHLO},	      {"HELO", STAGE_EHLO},
	{"STARTTLS", STAGE_STARTTLS}, {"AUTH", STAGE_AUTH},
	{"MAIL", STAGE_MAIL},	      {"RCPT", STAGE_RCPT},
	{"DATA", STAGE_DATA},	      {"QUIT", STAGE_QUIT},
};

struct mailer {
	const struct config_smtp *cfg; /* borrowed */
	struct buf password;	       /* owned, wiped when freed */
	CURL *curl;		       /* owned; NULL until a mail needs it */
	unsigned sent_on_connection;
	char errbuf[CURL_ERROR_SIZE];

	/* One send's state. */
	enum stage stage;
	bool quitting;	    /* curl said QUIT: keep the reply before it */
	struct buf reply;   /* the last whole reply, lines joined */
	struct buf partial; /* a multi-line reply being received */
	const char *data;   /* borrowed: the mail being uploaded */
	size_t len, off;
};

static void NORETURN out_of_memory(void)
{
	log_warnx("mailer: out of memory");
	abort();
}

/* --- watching the dialogue ---------------------------------------------- */

/* Append up to n bytes of a reply line, within the error's size. */
static void reply_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n > MAILER_ERROR_MAX_BYTES)
		n = b->len < MAILER_ERROR_MAX_BYTES
			    ? MAILER_ERROR_MAX_BYTES - b->len
			    : 0;
	buf_add(b, s, n);
}

/*
 * One line from the server: "250-PIPELINING" goes on, "250 OK" ends a
 * reply (RFC 5321 4.2.1). A whole reply is kept as one line: the first
 * line's code and text, then each further line's text after a space.
 */
static void note_reply_line(struct mailer *m, const char *s, size_t n)
{
	bool last;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (n < 3 || s[0] < '1' || s[0] > '5' || m->quitting)
		return;
	last = n == 3 || s[3] != '-';
	if (!m->partial.len) {
		reply_add(&m->partial, s, n);
		if (!last)
			m->partial.data[3] = ' ';
	} else if (n > 4) {
		reply_add(&m->partial, " ", 1);
		reply_add(&m->partial, s + 4, n - 4);
	}
	if (!last)
		return;
	buf_reset(&m->reply);
	buf_add(&m->reply, m->partial.data, m->partial.len);
	buf_reset(&m->partial);
	/* RFC 5321 4.3.2: 354 to DATA; then the data goes. */
	if (m->stage == STAGE_DATA && !strncmp(s, "354", 3))
		m->stage = STAGE_BODY;
}

/* One command line we sent: which stage is it? */
static void note_command(struct mailer *m, const char *s, size_t n)
{
	size_t i, v;

	for (i = 0; i < ARRAY_SIZE(verbs); i++) {
		v = strlen(verbs[i].verb);
		if (n >= v && !strncasecmp(s, verbs[i].verb, v) &&
		    (n == v || s[v] == ' ' || s[v] == '\r')) {
			/* curl ends a failed transaction with QUIT: what
			 * failed is the command before it. */
			if (verbs[i].stage == STAGE_QUIT)
				m->quitting = true;
			else
				m->stage = verbs[i].stage;
			break;
		}
	}
}

static void log_line(char dir, const struct mailer *m, const char *s, size_t n)
{
	char esc[256];

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	/* AUTH and its continuation lines carry credentials. */
	if (dir == '>' && m->stage == STAGE_AUTH)
		log_debug("smtp: > AUTH (credentials not logged)");
	else
		log_debug("smtp: %c %s", dir,
			  log_escape(esc, sizeof(esc), s, n));
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size,
		    void *p)
{
	struct mailer *m = p;
	size_t i, start = 0;

	(void)h;
	if (type != CURLINFO_HEADER_IN && type != CURLINFO_HEADER_OUT)
		return 0;
	for (i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		if (i > start) {
			if (type == CURLINFO_HEADER_OUT)
				note_command(m, data + start, i - start);
			else
				note_reply_line(m, data + start, i - start);
			if (log_enabled(LOG_LEVEL_DEBUG))
				log_line(type == CURLINFO_HEADER_OUT ? '>'
								     : '<',
					 m, data + start, i - start);
		}
		start = i + 1;
	}
	return 0;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *p)
{
	struct mailer *m = p;
	size_t n = size * nitems;

	if (n > m->len - m->off)
		n = m->len - m->off;
	memcpy(buf, m->data + m->off, n);
	m->off += n;
	return n;
}

/* --- the handle ---------------------------------------------------------- */

static CURLcode set_long(CURL *c, CURLoption opt, long v, CURLcode rc)
{
	return rc ? rc : curl_easy_setopt(c, opt, v);
}

static CURLcode set_ptr(CURL *c, CURLoption opt, const void *v, CURLcode rc)
{
	return rc ? rc : curl_easy_setopt(c, opt, v);
}

/* Make the easy handle, with everything but the mail's own options. */
static int handle_open(struct mailer *m)
{
	const struct config_smtp *cfg = m->cfg;
	long timeout = (long)cfg->timeout_secs;
	CURLcode rc = CURLE_OK;
	CURL *c;

	c = curl_easy_init();
	if (!c)
		out_of_memory();
	rc = set_ptr(c, CURLOPT_URL, cfg->url, rc);
	rc = set_ptr(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps", rc);
	/* curl's smtp-tls.c: STARTTLS or nothing, never "try". */
	rc = set_long(c, CURLOPT_USE_SSL,
		      cfg->tls == CONFIG_TLS_NONE ? (long)CURLUSESSL_NONE
						  : (long)CURLUSESSL_ALL,
		      rc);
	rc = set_long(c, CURLOPT_SSL_VERIFYPEER, 1L, rc);
	rc = set_long(c, CURLOPT_SSL_VERIFYHOST, 2L, rc);
	if (cfg->ca_file)
		rc = set_ptr(c, CURLOPT_CAINFO, cfg->ca_file, rc);
	if (cfg->user) {
		rc = set_ptr(c, CURLOPT_USERNAME, cfg->user, rc);
		rc = set_ptr(c, CURLOPT_PASSWORD, m->password.data, rc);
	}
	rc = set_long(c, CURLOPT_UPLOAD, 1L, rc);
	rc = set_ptr(c, CURLOPT_READFUNCTION, (void *)on_read, rc);
	rc = set_ptr(c, CURLOPT_READDATA, m, rc);
	/* timeout: "give up on a connection or a command after this long" */
	rc = set_long(c, CURLOPT_CONNECTTIMEOUT, timeout, rc);
	rc = set_long(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout, rc);
	rc = set_long(c, CURLOPT_LOW_SPEED_LIMIT, 1L, rc);
	rc = set_long(c, CURLOPT_LOW_SPEED_TIME, timeout, rc);
	/* One thread, a poll() loop: no SIGALRM for name lookups. */
	rc = set_long(c, CURLOPT_NOSIGNAL, 1L, rc);
	rc = set_long(c, CURLOPT_TCP_KEEPALIVE, 1L, rc);
	rc = set_long(c, CURLOPT_MAXCONNECTS, 1L, rc);
	rc = set_ptr(c, CURLOPT_ERRORBUFFER, m->errbuf, rc);
	/* The debug callback runs only with VERBOSE; it prints nothing. */
	rc = set_long(c, CURLOPT_VERBOSE, 1L, rc);
	rc = set_ptr(c, CURLOPT_DEBUGFUNCTION, (void *)on_debug, rc);
	rc = set_ptr(c, CURLOPT_DEBUGDATA, m, rc);
	if (rc) {
		curl_easy_cleanup(c);
		if (rc == CURLE_OUT_OF_MEMORY)
			out_of_memory();
		return errorf(ERR_PERM, "mailer: libcurl refuses an option: %s",
			      curl_easy_strerror(rc));
	}
	m->curl = c;
	m->sent_on_connection = 0;
	return 0;
}

int mailer_new(struct mailer **out, const struct config_smtp *cfg)
{
	struct mailer *m;
	CURLcode cc;
	int rc;

	*out = NULL;
	if (!cfg->url)
		return errorf(ERR_PERM, "mailer: no smtp section in the "
					"configuration: nothing can be sent");
	cc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (cc)
		return errorf(ERR_PERM, "mailer: libcurl: %s",
			      curl_easy_strerror(cc));
	m = xcalloc(1, sizeof(*m));
	m->cfg = cfg;
	buf_init(&m->password, SECRET_MAX_BYTES);
	buf_init(&m->reply, 0);
	buf_init(&m->partial, 0);
	if (cfg->user) {
		rc = config_read_secret(&m->password, cfg->password_file);
		if (rc) {
			mailer_free(m);
			return rc;
		}
	}
	*out = m;
	return 0;
}

void mailer_disconnect(struct mailer *m)
{
	if (!m || !m->curl)
		return;
	/* Sends QUIT on a connection still open, and closes it. */
	curl_easy_cleanup(m->curl);
	m->curl = NULL;
}

void mailer_free(struct mailer *m)
{
	if (!m)
		return;
	mailer_disconnect(m);
	config_secret_release(&m->password);
	buf_release(&m->reply);
	buf_release(&m->partial);
	free(m);
	curl_global_cleanup();
}

/* --- one mail ------------------------------------------------------------ */

/* Fill in out's error: "STAGE: what", the server's bytes escaped. */
static void describe(struct mailer_result *out, const struct mailer *m,
		     bool refused, CURLcode cc)
{
	char esc[MAILER_ERROR_MAX_BYTES];
	const char *why;

	if (refused) {
		why = log_escape(esc, sizeof(esc), m->reply.data, m->reply.len);
	} else {
		why = m->errbuf[0] ? m->errbuf : curl_easy_strerror(cc);
		why = log_escape(esc, sizeof(esc), why, strlen(why));
	}
	snprintf(out->error, sizeof(out->error), "%s: %s",
		 stage_names[m->stage], why);
}

/*
 * What a failed transfer means (mailer.h): an error reply inside the
 * mail's transaction is about this mail; anything else is about the
 * server.
 */
static int classify(struct mailer_result *out, const struct mailer *m,
		    CURLcode cc)
{
	long code = 0;
	bool refused;

	curl_easy_getinfo(m->curl, CURLINFO_RESPONSE_CODE, &code);
	out->code = (int)code;
	/* A timeout or a broken connection leaves the last good reply. */
	refused = code >= 400 && code <= 599;
	describe(out, m, refused, cc);
	out->connection = true;
	if (!refused || m->stage < STAGE_MAIL)
		return ERR_TEMP;
	/* RFC 5321 3.8: 421 closes the session, whatever the command. */
	if (code == 421)
		return ERR_TEMP;
	/* MAIL FROM names our sender, the same for every mail; only 552
	 * (RFC 1870 6.1: SIZE too big) is about this one. */
	if (m->stage == STAGE_MAIL && code >= 500 && code != 552)
		return ERR_TEMP;
	out->connection = false;
	return code >= 500 ? ERR_PERM : ERR_TEMP;
}

int mailer_send(struct mailer_result *out, struct mailer *m, const char *from,
		const char *rcpt, const char *mail, size_t len)
{
	struct curl_slist *rcpts;
	long connects = 0;
	CURLcode cc;
	int rc;

	memset(out, 0, sizeof(*out));
	/* Nothing may ride along into MAIL FROM or RCPT TO. */
	if (!compose_address_valid(from) || !compose_address_valid(rcpt)) {
		snprintf(out->error, sizeof(out->error),
			 "not a valid envelope address");
		return ERR_PERM;
	}
	if (!m->curl) {
		rc = handle_open(m);
		if (rc) {
			out->connection = true;
			snprintf(out->error, sizeof(out->error),
				 "libcurl refuses the configuration");
			return ERR_TEMP;
		}
	}
	rcpts = curl_slist_append(NULL, rcpt);
	if (!rcpts)
		out_of_memory();
	m->stage = STAGE_CONNECT;
	m->quitting = false;
	m->errbuf[0] = '\0';
	buf_reset(&m->reply);
	buf_reset(&m->partial);
	m->data = mail;
	m->len = len;
	m->off = 0;
	cc = curl_easy_setopt(m->curl, CURLOPT_MAIL_FROM, from);
	if (!cc)
		cc = curl_easy_setopt(m->curl, CURLOPT_MAIL_RCPT, rcpts);
	if (!cc)
		cc = curl_easy_setopt(m->curl, CURLOPT_INFILESIZE_LARGE,
				      (curl_off_t)len);
	if (cc == CURLE_OUT_OF_MEMORY)
		out_of_memory();
	if (!cc)
		cc = curl_easy_perform(m->curl);
	/* The list must outlive the transfer, not the handle: unset it. */
	curl_easy_setopt(m->curl, CURLOPT_MAIL_RCPT, (struct curl_slist *)NULL);
	curl_slist_free_all(rcpts);
	m->data = NULL;

	if (curl_easy_getinfo(m->curl, CURLINFO_NUM_CONNECTS, &connects) ==
		    CURLE_OK &&
	    connects > 0)
		m->sent_on_connection = 0;
	if (cc != CURLE_OK)
		return classify(out, m, cc);
	out->code = 250;
	if (++m->sent_on_connection >= MAILER_MAILS_PER_CONNECTION)
		mailer_disconnect(m);
	return 0;
}
