/*
 * cmd_show.c: `patchletter show`: what the parser understood of mail.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include "archive.h"
#include "buf.h"
#include "cli.h"
#include "err.h"
#include "log.h"
#include "mbox.h"
#include "message.h"

struct show_run {
	bool json;
	unsigned shown, unparsed;
	size_t archived; /* messages met in an archive */
};

static void show_person(struct buf *out, const char *label,
			const struct person *p)
{
	if (p->name && p->name[0])
		buf_addf(out, "%-12s %s <%s>\n", label, p->name,
			 p->address ? p->address : "");
	else
		buf_addf(out, "%-12s %s\n", label,
			 p->address ? p->address : "");
}

static void show_text(struct buf *out, const struct message *m)
{
	const struct mail *mail = &m->mail;
	const struct subject *t = &m->tags;
	char date[40] = "unknown";
	time_t tt = (time_t)m->date;
	struct tm tm;
	size_t i;

	if (m->date && gmtime_r(&tt, &tm))
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm);
	buf_addf(out, "%-12s %s\n", "Message-ID:", mail->message_id);
	if (mail->in_reply_to)
		buf_addf(out, "%-12s %s\n", "In-Reply-To:", mail->in_reply_to);
	for (i = 0; i < mail->nr_references; i++)
		buf_addf(out, "%-12s %s\n",
			 i ? "" : "References:", mail->references[i]);
	if (mail->list_id)
		buf_addf(out, "%-12s %s\n", "List-Id:", mail->list_id);
	buf_addf(out, "%-12s %s\n", "Date:", date);
	show_person(out, "From:", &mail->from);
	show_person(out, "Author:", &m->author);
	buf_addf(out, "%-12s %s\n", "Subject:", mail->subject);
	buf_addf(out, "%-12s %s\n", "Title:", t->title ? t->title : "");
	buf_addf(out, "%-12s %s", "Kind:", message_kind_name(m->kind));
	buf_addf(out, ", version %d", t->version);
	if (t->number >= 0 && t->total >= 0)
		buf_addf(out, ", %d of %d", t->number, t->total);
	if (t->rfc)
		buf_adds(out, ", RFC");
	if (t->resend)
		buf_adds(out, ", RESEND");
	if (t->reply)
		buf_adds(out, ", reply");
	if (t->pull)
		buf_adds(out, ", pull request");
	buf_addch(out, '\n');
	if (t->nr_prefixes) {
		buf_addf(out, "%-12s", "Prefixes:");
		for (i = 0; i < t->nr_prefixes; i++)
			buf_addf(out, " %s", t->prefixes[i]);
		buf_addch(out, '\n');
	}
	if (m->patch.diffstat.files || m->patch.nr_paths)
		buf_addf(out, "%-12s %u files, +%u -%u\n",
			 "Diffstat:", m->patch.diffstat.files,
			 m->patch.diffstat.insertions,
			 m->patch.diffstat.deletions);
	for (i = 0; i < m->patch.nr_paths; i++)
		buf_addf(out, "%-12s %s\n",
			 i ? "" : "Files:", m->patch.paths[i]);
	for (i = 0; i < m->patch.nr_trailers; i++)
		buf_addf(out, "%-12s %s: %s\n",
			 i ? "" : "Trailers:", m->patch.trailers[i].name,
			 m->patch.trailers[i].value);
}

static int on_message(const struct mbox_msg *msg, void *arg)
{
	struct show_run *run = arg;
	struct message m = MESSAGE_INIT;
	struct buf out = BUF_INIT;
	int rc;

	rc = msg->truncated ? ERR_LIMIT
			    : message_parse(&m, msg->data, msg->len);
	if (rc) {
		/* Said, and the others still shown. */
		fprintf(stderr, "patchletter show: %s: message %zu: %s\n",
			msg->source, msg->index,
			rc == ERR_LIMIT ? "over a size limit, kept unparsed"
					: "not a mail");
		run->unparsed++;
		return 0;
	}
	if (run->json) {
		message_to_json(&out, &m);
		buf_addch(&out, '\n');
	} else {
		if (run->shown)
			buf_addch(&out, '\n');
		show_text(&out, &m);
	}
	fwrite(out.data, 1, out.len, stdout);
	run->shown++;
	buf_release(&out);
	message_release(&m);
	return 0;
}

/* --- public-inbox archives: every message, oldest first, nothing stored -- */

static int archive_no_cursor(struct buf *out, const char *source, void *arg)
{
	(void)out;
	(void)source;
	(void)arg;
	return ERR_NOTFOUND; /* from each epoch's first commit */
}

static int archive_message(const struct archive_item *item, void *arg)
{
	struct show_run *run = arg;
	struct mbox_msg msg = {0};

	if (item->kind != ARCHIVE_ADD)
		return 0; /* a deletion shows nothing */
	msg.data = item->raw;
	msg.len = item->len;
	msg.index = run->archived++;
	msg.source = item->source;
	msg.full_len = item->len;
	return on_message(&msg, run);
}

static int archive_batch(const char *source, const char *cursor, void *arg)
{
	(void)source;
	(void)cursor;
	(void)arg;
	return 0;
}

/* ERR_NOTFOUND when path holds no archive. */
static int show_archive(struct show_run *run, const char *path)
{
	struct archive_ops ops = {archive_no_cursor, archive_message,
				  archive_batch, 0};
	struct archive *a = NULL;
	int rc;

	rc = archive_open(&a, path, "show");
	if (rc)
		return rc;
	rc = archive_sync(NULL, a, &ops, run);
	archive_free(a);
	return rc;
}

int cmd_show(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct show_run run = {false, 0, 0, 0};
	struct stat st;
	int opt, rc = ERR_NOTFOUND;

	(void)g;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'j')
			return EX_USAGE;
		run.json = true;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: patchletter show [--json] "
				"FILE|MAILDIR|ARCHIVE|-\n");
		return EX_USAGE;
	}
	/* A directory that is no Maildir may be a public-inbox archive. */
	if (strcmp(argv[optind], "-") && stat(argv[optind], &st) == 0 &&
	    S_ISDIR(st.st_mode))
		rc = show_archive(&run, argv[optind]);
	if (rc != ERR_NOTFOUND)
		;
	else if (!strcmp(argv[optind], "-"))
		rc = mbox_read_fd(STDIN_FILENO, "stdin", MBOX_RD, on_message,
				  &run);
	else
		rc = mbox_read_path(argv[optind], MBOX_RD, on_message, &run);
	if (fflush(stdout) != 0)
		return EX_IOERR;
	if (rc == ERR_NOTFOUND)
		return EX_NOINPUT;
	if (rc)
		return EX_DATAERR;
	return run.shown || !run.unparsed ? 0 : EX_DATAERR;
}
