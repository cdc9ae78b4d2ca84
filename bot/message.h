/*
 * message.h: the model's message: one mail parsed once, everything the
 * later stages ask of it (DESIGN.md, "The model"). Built by
 * message_parse() from mail.c (headers, body), subject.c (tags) and
 * patch.c (anatomy).
 */
#ifndef PATCHLETTER_MESSAGE_H
#define PATCHLETTER_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "mail.h"
#include "patch.h"
#include "subject.h"

/*
 * What a mail is on the list, as a reader tells it (message.c's
 * message_kind() has the rules): "Re: [PATCH ...]" is a reply even with
 * a diff, "[PATCH] Re: ..." a patch; [GIT PULL] and "[PULL 00/28]" pull
 * requests, the "[PULL 05/28]" patches of one patches; 0/N a cover
 * letter; a forward a reply in a thread, else other.
 */
enum message_kind {
	MESSAGE_OTHER = 0,
	MESSAGE_COVER,
	MESSAGE_PATCH,
	MESSAGE_REPLY,
	MESSAGE_PULL,
};

/* "cover", "patch", "reply", "pull", "other": the JSON and store names. */
const char *message_kind_name(enum message_kind kind);
/* The kind called name, or MESSAGE_OTHER. */
enum message_kind message_kind_from_name(const char *name);

struct message {
	struct mail mail;     /* headers and body */
	struct subject tags;  /* tags and title of the effective subject */
	struct patch patch;   /* anatomy of mail.body */
	struct person author; /* in-body From: when present, else From */
	int64_t date;	      /* in-body Date: when present, else Date */
	enum message_kind kind;
};

#define MESSAGE_INIT                                                   \
	{                                                              \
		MAIL_INIT, SUBJECT_INIT, PATCH_INIT, PERSON_INIT, 0, 0 \
	}

/*
 * Parse one raw mail into out (MESSAGE_INIT or released). Returns 0,
 * ERR_LIMIT (a bounds.h limit of the mail, its subject or its patch: store
 * it as unparsed; each limit hit was logged once, naming the Message-ID)
 * or ERR_PERM (not a mail). On error out is released and may be reused.
 */
int message_parse(struct message *out, const char *raw, size_t len);
void message_release(struct message *m);

/* Append m as one JSON object with the keys of `patchletter show --json`. */
void message_to_json(struct buf *out, const struct message *m);

#endif
