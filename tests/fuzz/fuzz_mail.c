/*
 * fuzz_mail.c: a libFuzzer target for mail_parse() and mbox_split(): the
 * input is parsed as one mail and as an mbox, and every result must keep
 * mail.h's promises (valid UTF-8, body_len right). Not part of `make
 * check`. Build and run (seeds: the fixtures and any corpus mail):
 *
 *   clang -g -O1 -std=c11 -D_GNU_SOURCE -Ibot \
 *	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *	-o build-fuzz/fuzz_mail tests/fuzz/fuzz_mail.c bot/mail.c \
 *	bot/mbox.c bot/person.c bot/buf.c bot/xalloc.c bot/log.c bot/utf8.c \
 *	$(pkg-config --libs libetpan)
 *   build-fuzz/fuzz_mail -max_len=20000 corpus-dir tests/fixtures/mail
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "mail.h"
#include "mbox.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool text_ok(const char *s)
{
	return s && utf8_valid(s, strlen(s));
}

static int parse_one(const struct mbox_msg *msg, void *arg)
{
	struct mail m = MAIL_INIT;
	int r = mail_parse(&m, msg->data, msg->len);

	(void)arg;
	if (r != ERR_PERM &&
	    (strlen(m.body) != m.body_len || !text_ok(m.body) ||
	     !text_ok(m.subject) || !text_ok(m.message_id) ||
	     !text_ok(m.from.name) || !text_ok(m.from.address)))
		abort();
	mail_release(&m);
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
