/*
 * outbox_fill.c: queue test mails in a store's outbox, the way the digest
 * scheduler will: compose_mail() then store_outbox_enqueue(), nothing
 * else (the store is the only place with SQL). For the integration tests
 * and the benchmark; not installed.
 *
 *   outbox_fill [options] STATE_DIR
 *     -n N             how many mails (default 1)
 *     --to ADDR        the recipient; "{}" in it becomes the mail's
 *                      number (default user{}@example.org)
 *     --from ADDR      From and envelope sender (default bot@example.org)
 *     --from-name NAME display name (default patchletter)
 *     --subject TEXT   "{}" becomes the number (default "test digest {}")
 *     --body FILE      the text body (default: a short text, see below)
 *     --html           add an HTML alternative
 *     --url URL        the one-click unsubscribe URL (default none)
 *     --time T         the Date and the Message-ID's time, seconds
 *                      (default now); the mail is queued due now
 *     --first K        number the mails from K (default 1)
 *
 * Prints each queued mail's Message-ID, one a line. Mail number k gets
 * the Message-ID compose_message_id("digest", k, T) and the unsubscribe
 * token "tok{k}".
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "compose.h"
#include "err.h"
#include "log.h"
#include "store.h"
#include "xalloc.h"

/* The default body: UTF-8, a lone dot (SMTP's end of data) and a
 * dot-started line, so that transparency (RFC 5321 4.5.2) is tested. */
static const char default_body[] =
	"Hello,\n"
	"\n"
	"This is test digest {} from patchletter. Grüße, Zoë.\n"
	".\n"
	"..a line that starts with two dots\n"
	"The end.\n";

/* s with every "{}" replaced by n, appended to out. */
static void expand(struct buf *out, const char *s, unsigned long n)
{
	const char *p;

	while ((p = strstr(s, "{}"))) {
		buf_add(out, s, (size_t)(p - s));
		buf_addf(out, "%lu", n);
		s = p + 2;
	}
	buf_adds(out, s);
}

static int read_file(struct buf *out, const char *path)
{
	char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		log_warn("%s", path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"to", required_argument, NULL, 't'},
		{"from", required_argument, NULL, 'f'},
		{"from-name", required_argument, NULL, 'N'},
		{"subject", required_argument, NULL, 's'},
		{"body", required_argument, NULL, 'b'},
		{"html", no_argument, NULL, 'H'},
		{"url", required_argument, NULL, 'u'},
		{"time", required_argument, NULL, 'T'},
		{"first", required_argument, NULL, 'k'},
		{NULL, 0, NULL, 0},
	};
	const char *to = "user{}@example.org", *from = "bot@example.org";
	const char *from_name = "patchletter", *subject = "test digest {}";
	const char *url = NULL, *body_file = NULL;
	unsigned long n = 1, first = 1, k;
	int64_t t = (int64_t)time(NULL);
	bool html = false;
	struct buf body = BUF_INIT, path = BUF_INIT;
	struct store *st;
	int opt, rc = 0;

	log_init("outbox_fill", true, LOG_LEVEL_WARN);
	while ((opt = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 't':
			to = optarg;
			break;
		case 'f':
			from = optarg;
			break;
		case 'N':
			from_name = optarg;
			break;
		case 's':
			subject = optarg;
			break;
		case 'b':
			body_file = optarg;
			break;
		case 'H':
			html = true;
			break;
		case 'u':
			url = optarg;
			break;
		case 'T':
			t = strtoll(optarg, NULL, 10);
			break;
		case 'k':
			first = strtoul(optarg, NULL, 10);
			break;
		default:
			return 64;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: outbox_fill [options] STATE_DIR\n");
		return 64;
	}
	if (mkdir(argv[optind], 0750) != 0 && errno != EEXIST) {
		log_warn("%s", argv[optind]);
		return 73;
	}
	if (body_file && read_file(&body, body_file))
		return 66;
	buf_addf(&path, "%s/patchletter.db", argv[optind]);
	if (store_open(&st, path.data, STORE_CREATE))
		return 75;
	for (k = first; rc == 0 && k < first + n; k++) {
		struct buf mid = BUF_INIT, rcpt = BUF_INIT, subj = BUF_INIT;
		struct buf text = BUF_INIT, token = BUF_INIT, mail = BUF_INIT;
		struct compose_mail m = {0};
		struct store_outbox o = STORE_OUTBOX_INIT;

		rc = compose_message_id(&mid, "digest", (int64_t)k, t, from);
		expand(&rcpt, to, k);
		expand(&subj, subject, k);
		expand(&text, body_file ? body.data : default_body, k);
		buf_addf(&token, "tok%lu", k);
		m.message_id = mid.data;
		m.date = t;
		m.from_name = from_name;
		m.from_address = from;
		m.to_address = rcpt.data;
		m.subject = subj.data;
		m.list_id = "digests.patchletter.example.org";
		m.list_name = "patchletter digests";
		m.unsubscribe_address = from;
		m.unsubscribe_token = token.data;
		m.unsubscribe_url = url;
		m.text = text.data;
		m.text_len = text.len;
		if (html) {
			m.html = "<p>test digest</p>\n";
			m.html_len = strlen(m.html);
		}
		if (rc == 0)
			rc = compose_mail(&mail, &m);
		o.kind = OUTBOX_DIGEST;
		o.message_id = mid.data;
		o.envelope_from = (char *)from;
		o.recipient = rcpt.data;
		o.mail = mail.data;
		o.mail_len = mail.len;
		if (rc == 0)
			rc = store_outbox_enqueue(NULL, st, &o,
						  (int64_t)time(NULL));
		if (rc == 0)
			printf("%s\n", mid.data);
		buf_release(&mid);
		buf_release(&rcpt);
		buf_release(&subj);
		buf_release(&text);
		buf_release(&token);
		buf_release(&mail);
	}
	store_close(st);
	buf_release(&body);
	buf_release(&path);
	return rc ? 1 : 0;
}
