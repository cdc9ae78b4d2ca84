/*
 * outbox.c: the outbox's delivery loop (outbox.h says what it promises).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "bounds.h"
#include "err.h"
#include "log.h"
#include "mailer.h"
#include "outbox.h"
#include "store.h"

void outbox_sender_init(struct outbox_sender *o, struct store *store,
			struct mailer *mailer, unsigned expiry_secs)
{
	memset(o, 0, sizeof(*o));
	o->store = store;
	o->mailer = mailer;
	o->expiry_secs = expiry_secs;
}

/* OUTBOX_RETRY_MIN_SECS doubled n times, at most OUTBOX_RETRY_MAX_SECS. */
static int64_t backoff(unsigned n)
{
	int64_t d = OUTBOX_RETRY_MIN_SECS;

	while (n-- && d < OUTBOX_RETRY_MAX_SECS)
		d *= 2;
	return d < OUTBOX_RETRY_MAX_SECS ? d : OUTBOX_RETRY_MAX_SECS;
}

int64_t outbox_retry_at(unsigned attempts, int64_t created, int64_t now,
			unsigned expiry_secs)
{
	int64_t last = created + (int64_t)expiry_secs;
	int64_t at = now + backoff(attempts);

	if (now >= last)
		return 0;
	return at < last ? at : last;
}

/* A time for the log, "2026-12-01T07:00:00Z". */
static const char *utc(char *out, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, size, "@%lld", (long long)t);
	return out;
}

/* The ids a log line about mail needs, escaped (they came from a row). */
struct ids {
	char mid[128], rcpt[128];
};

static const struct ids *ids_of(struct ids *out, const struct store_outbox *m)
{
	log_escape(out->mid, sizeof(out->mid), m->message_id,
		   strlen(m->message_id));
	log_escape(out->rcpt, sizeof(out->rcpt), m->recipient,
		   strlen(m->recipient));
	return out;
}

static int record_sent(struct outbox_sender *o, const struct store_outbox *m,
		       int64_t now)
{
	struct ids ids;
	int rc;

	ids_of(&ids, m);
	rc = store_outbox_mark_sent(o->store, m->id, now);
	if (rc) {
		/* The one window outbox.h speaks of, made wider. */
		log_warnx("outbox: mail %lld <%s> to %s was accepted by the "
			  "server but not recorded as sent: it will be sent "
			  "again",
			  (long long)m->id, ids.mid, ids.rcpt);
		return rc;
	}
	log_info("outbox: mail %lld <%s> sent to %s", (long long)m->id, ids.mid,
		 ids.rcpt);
	return 0;
}

static int record_failure(struct outbox_report *out, struct outbox_sender *o,
			  const struct store_outbox *m, int send_rc,
			  const struct mailer_result *res, int64_t now)
{
	char error[MAILER_ERROR_MAX_BYTES + 64], when[32];
	int64_t retry = 0;
	struct ids ids;

	ids_of(&ids, m);
	snprintf(error, sizeof(error), "%s", res->error);
	if (send_rc == ERR_TEMP) {
		retry = outbox_retry_at(m->attempts, m->created, now,
					o->expiry_secs);
		if (!retry)
			snprintf(error, sizeof(error),
				 "expired after %u attempts: %s",
				 m->attempts + 1, res->error);
	}
	if (retry) {
		out->deferred++;
		log_warnx("outbox: mail %lld <%s> to %s deferred until %s: %s",
			  (long long)m->id, ids.mid, ids.rcpt,
			  utc(when, sizeof(when), retry), error);
	} else {
		out->failed++;
		log_warnx("outbox: mail %lld <%s> to %s failed, not retried: "
			  "%s",
			  (long long)m->id, ids.mid, ids.rcpt, error);
	}
	return store_outbox_mark_failed(o->store, m->id, error, retry);
}

int outbox_send_due(struct outbox_report *out, struct outbox_sender *o,
		    int64_t now)
{
	struct store_outbox m = STORE_OUTBOX_INIT;
	struct mailer_result res;
	char when[32];
	int rc = 0, send_rc;

	memset(out, 0, sizeof(*out));
	if (now < o->hold_until) {
		out->held = true;
		return 0;
	}
	for (;;) {
		if (o->stop && *o->stop) {
			out->stopped = true;
			break;
		}
		rc = store_outbox_next_due(&m, o->store, now);
		if (rc) {
			if (rc == ERR_NOTFOUND)
				rc = 0;
			break;
		}
		send_rc = mailer_send(&res, o->mailer, m.envelope_from,
				      m.recipient, m.mail, m.mail_len);
		if (send_rc == 0) {
			rc = record_sent(o, &m, now);
			if (rc)
				break;
			out->sent++;
			o->holds = 0;
			continue;
		}
		rc = record_failure(out, o, &m, send_rc, &res, now);
		if (rc)
			break;
		if (!res.connection) {
			o->holds = 0; /* it answered: it is up */
			continue;
		}
		o->hold_until = now + backoff(o->holds);
		o->holds++;
		out->held = true;
		log_warnx("outbox: the SMTP server cannot be used; no mail "
			  "sent before %s",
			  utc(when, sizeof(when), o->hold_until));
		break;
	}
	store_outbox_release(&m);
	mailer_disconnect(o->mailer);
	return rc;
}

int outbox_next_due(int64_t *out, const struct outbox_sender *o)
{
	int64_t t;
	int rc;

	rc = store_outbox_next_time(&t, o->store);
	if (rc)
		return rc;
	*out = t > o->hold_until ? t : o->hold_until;
	return 0;
}

int outbox_lock(int *out, const char *state_dir)
{
	char path[4096];
	int fd, n;

	*out = -1;
	n = snprintf(path, sizeof(path), "%s/outbox.lock", state_dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return errorf(ERR_FAIL, "outbox: %s: path too long", state_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_warn("outbox: %s", path);
		return ERR_FAIL;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		n = errno;
		close(fd);
		if (n == EWOULDBLOCK)
			return errorf(ERR_TEMP,
				      "outbox: %s: another patchletter "
				      "is sending the outbox",
				      path);
		errno = n;
		log_warn("outbox: %s: lock", path);
		return ERR_FAIL;
	}
	*out = fd;
	return 0;
}

void outbox_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
