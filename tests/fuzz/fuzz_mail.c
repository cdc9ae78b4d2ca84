/*
 * fuzz_mail.c: a libFuzzer target for the whole parse of a mail,
 * message_parse() (mail.c, subject.c, patch.c), and for mbox_split(): the
 * input is parsed as one mail and as an mbox, and every result must keep
 * the headers' promises (valid UTF-8 everywhere, body_len right, offsets
 * of the patch regions inside the body, JSON that is UTF-8). A crash, a
 * leak, a sanitizer report or a broken promise (abort()) is a finding.
 *
 * `make fuzz` builds it with clang into build-fuzz/ and runs it for
 * FUZZ_SECONDS (60) from the seeds in tests/fixtures (tests/fuzz/run.sh);
 * `make check` runs that once.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "mbox.h"
#include "message.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void need(bool ok)
{
	if (!ok)
		abort();
}

static bool text_ok(const char *s)
{
	return s && utf8_valid(s, strlen(s));
}

/* A region of patch.h lies inside the body. */
static bool region_ok(size_t off, size_t len, size_t body_len)
{
	return off <= body_len && len <= body_len - off;
}

static void check(const struct message *m)
{
	const struct mail *mail = &m->mail;
	const struct patch *p = &m->patch;
	struct buf json = BUF_INIT;
	size_t i;

	need(strlen(mail->body) == mail->body_len && text_ok(mail->body));
	need(text_ok(mail->subject) && text_ok(mail->message_id));
	need(text_ok(mail->from.name) && text_ok(mail->from.address));
	need(text_ok(m->author.name) && text_ok(m->author.address));
	need(text_ok(m->tags.title));
	for (i = 0; i < m->tags.nr_prefixes; i++)
		need(text_ok(m->tags.prefixes[i]));
	for (i = 0; i < mail->nr_references; i++)
		need(text_ok(mail->references[i]));
	for (i = 0; i < p->nr_trailers; i++)
		need(text_ok(p->trailers[i].name) &&
		     text_ok(p->trailers[i].value));
	for (i = 0; i < p->nr_paths; i++)
		need(text_ok(p->paths[i]));
	need(region_ok(p->message_off, p->message_len, mail->body_len));
	need(region_ok(p->notes_off, p->notes_len, mail->body_len));
	need(region_ok(p->diffstat_off, p->diffstat_len, mail->body_len));
	need(region_ok(p->diff_off, p->diff_len, mail->body_len));
	need(m->kind <= MESSAGE_PULL);

	message_to_json(&json, m);
	need(utf8_valid(json.data, json.len));
	buf_release(&json);
}

static int parse_one(const struct mbox_msg *msg, void *arg)
{
	struct message m = MESSAGE_INIT;
	int r = message_parse(&m, msg->data, msg->len);

	(void)arg;
	need(r == 0 || r == ERR_LIMIT || r == ERR_PERM);
	if (r == 0)
		check(&m);
	message_release(&m);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct mbox_msg one = {
		(const char *)data, size, 0, "fuzz", false, size};

	if (!quiet) {
		log_init("fuzz_mail", true, LOG_LEVEL_QUIET);
		quiet = true;
	}
	parse_one(&one, NULL);
	mbox_split((const char *)data, size, MBOX_RD, "fuzz", parse_one, NULL);
	return 0;
}
