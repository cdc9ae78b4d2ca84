/*
 * message.c: one mail understood once: headers and body (mail.c), subject
 * tags (subject.c), patch anatomy (patch.c), author and kind.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "json.h"
#include "message.h"

static const char *const kind_names[] = {
	[MESSAGE_OTHER] = "other", [MESSAGE_COVER] = "cover",
	[MESSAGE_PATCH] = "patch", [MESSAGE_REPLY] = "reply",
	[MESSAGE_PULL] = "pull",
};

const char *message_kind_name(enum message_kind kind)
{
	if ((size_t)kind >= ARRAY_SIZE(kind_names))
		return "other";
	return kind_names[kind];
}

enum message_kind message_kind_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (!strcmp(kind_names[i], name))
			return (enum message_kind)i;
	return MESSAGE_OTHER;
}

/*
 * The kind, as a list reader tells it:
 *  - a reply marker before the tags ("Re: [PATCH ...]") is a reply, even
 *    when it carries a diff: kernel reviewers often answer with "something
 *    like this?" and a diff, which is not a new posting;
 *  - [GIT PULL] or git request-pull's text is a pull request;
 *  - 0/N is a cover letter;
 *  - a diff, or an M/N counter, is a patch;
 *  - anything else in a thread is a reply, the rest is other.
 */
static enum message_kind message_kind(const struct message *m)
{
	const struct subject *t = &m->tags;

	if (t->reply)
		return MESSAGE_REPLY;
	if (t->pull || (m->patch.is_pull && !m->patch.has_diff))
		return MESSAGE_PULL;
	if (t->number == 0 && t->total > 0)
		return MESSAGE_COVER;
	if (t->forward && !m->patch.has_diff)
		return MESSAGE_OTHER;
	if (m->patch.has_diff || (t->patch && t->number >= 1))
		return MESSAGE_PATCH;
	if (t->reply || m->mail.in_reply_to)
		return MESSAGE_REPLY;
	return MESSAGE_OTHER;
}

int message_parse(struct message *out, const char *raw, size_t len)
{
	const struct mail *mail = &out->mail;
	struct subject inbody = SUBJECT_INIT;
	int r, limit = 0;

	r = mail_parse(&out->mail, raw, len);
	if (r == ERR_LIMIT)
		limit = ERR_LIMIT;
	else if (r)
		goto fail;

	r = subject_parse(&out->tags, mail->subject, strlen(mail->subject));
	if (r == ERR_LIMIT)
		limit = ERR_LIMIT;
	/*
	 * git am: an in-body Subject: replaces the mail's subject as the
	 * commit title; the tags stay those of the mail's Subject header.
	 */
	if (mail->inbody_subject) {
		subject_parse(&inbody, mail->inbody_subject,
			      strlen(mail->inbody_subject));
		if (inbody.title && inbody.title[0]) {
			char *t = out->tags.title;

			out->tags.title = inbody.title;
			inbody.title = t;
		}
		subject_release(&inbody);
	}

	r = patch_parse(&out->patch, mail->body, mail->body_len);
	if (r == ERR_LIMIT)
		limit = ERR_LIMIT;

	/* git am: an in-body From: names the author, the header the sender. */
	if (mail->inbody_from.address && mail->inbody_from.address[0])
		person_set(&out->author, mail->inbody_from.name,
			   mail->inbody_from.address);
	else
		person_set(&out->author, mail->from.name, mail->from.address);
	out->date = mail->inbody_date ? mail->inbody_date : mail->date;
	out->kind = message_kind(out);
	if (limit) {
		r = limit;
		goto fail;
	}
	return 0;
fail:
	message_release(out);
	return r;
}

void message_release(struct message *m)
{
	mail_release(&m->mail);
	subject_release(&m->tags);
	patch_release(&m->patch);
	person_release(&m->author);
	*m = (struct message)MESSAGE_INIT;
}

static void json_person(struct json *j, const struct person *p)
{
	json_object_begin(j);
	json_key(j, "name");
	json_string(j, p->name ? p->name : "");
	json_key(j, "address");
	json_string(j, p->address ? p->address : "");
	json_object_end(j);
}

/* ISO 8601 in UTC ("2026-11-20T08:00:00Z"), or null when unknown. */
static void json_date(struct json *j, int64_t t)
{
	char s[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm) ||
	    !strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		json_null(j);
		return;
	}
	json_string(j, s);
}

static void json_int_or_null(struct json *j, int v)
{
	if (v < 0)
		json_null(j);
	else
		json_int(j, v);
}

void message_to_json(struct buf *out, const struct message *m)
{
	const struct mail *mail = &m->mail;
	const struct subject *t = &m->tags;
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j);
	json_key(&j, "message_id");
	json_string(&j, mail->message_id);
	json_key(&j, "in_reply_to");
	json_string(&j, mail->in_reply_to);
	json_key(&j, "references");
	json_array_begin(&j);
	for (i = 0; i < mail->nr_references; i++)
		json_string(&j, mail->references[i]);
	json_array_end(&j);
	json_key(&j, "list_id");
	json_string(&j, mail->list_id);
	json_key(&j, "date");
	json_date(&j, m->date);
	json_key(&j, "from");
	json_person(&j, &mail->from);
	json_key(&j, "author");
	json_person(&j, &m->author);
	json_key(&j, "subject");
	json_string(&j, mail->subject);
	json_key(&j, "title");
	json_string(&j, t->title ? t->title : "");

	json_key(&j, "tags");
	json_object_begin(&j);
	json_key(&j, "prefixes");
	json_array_begin(&j);
	for (i = 0; i < t->nr_prefixes; i++)
		json_string(&j, t->prefixes[i]);
	json_array_end(&j);
	json_key(&j, "version");
	json_int(&j, t->version);
	json_key(&j, "number");
	json_int_or_null(&j, t->number);
	json_key(&j, "total");
	json_int_or_null(&j, t->total);
	json_key(&j, "rfc");
	json_bool(&j, t->rfc);
	json_key(&j, "resend");
	json_bool(&j, t->resend);
	json_key(&j, "reply");
	json_bool(&j, t->reply);
	json_key(&j, "pull");
	json_bool(&j, t->pull);
	json_object_end(&j);

	json_key(&j, "kind");
	json_string(&j, message_kind_name(m->kind));
	json_key(&j, "trailers");
	json_array_begin(&j);
	for (i = 0; i < m->patch.nr_trailers; i++) {
		json_object_begin(&j);
		json_key(&j, "name");
		json_string(&j, m->patch.trailers[i].name);
		json_key(&j, "value");
		json_string(&j, m->patch.trailers[i].value);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "files");
	json_array_begin(&j);
	for (i = 0; i < m->patch.nr_paths; i++)
		json_string(&j, m->patch.paths[i]);
	json_array_end(&j);
	json_key(&j, "diffstat");
	json_object_begin(&j);
	json_key(&j, "files");
	json_int(&j, m->patch.diffstat.files);
	json_key(&j, "insertions");
	json_int(&j, m->patch.diffstat.insertions);
	json_key(&j, "deletions");
	json_int(&j, m->patch.diffstat.deletions);
	json_object_end(&j);
	json_object_end(&j);
}
