/*
 * autoreply.c: the RFC 3834 checks of autoreply.h.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "autoreply.h"
#include "mail.h"

static bool same_address(const char *a, const char *b)
{
	return a && b && *a && !strcasecmp(a, b);
}

/* Is the mail's Message-ID one compose_message_id() made for self? */
static bool our_message_id(const char *id, const char *self)
{
	static const char prefix[] = "patchletter.";
	const char *at = strrchr(id, '@'), *domain = strrchr(self, '@');

	return at && domain && !strncasecmp(id, prefix, sizeof(prefix) - 1) &&
	       !strcasecmp(at + 1, domain + 1);
}

static bool ends_with_ci(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !strncasecmp(s + len - n, suffix, n);
}

/* A sender that is a program: the local parts vacation responders skip. */
static bool program_sender(const char *address)
{
	static const char *const names[] = {"mailer-daemon", "postmaster",
					    "listserv", "majordomo"};
	const char *at = strrchr(address, '@');
	size_t len = at ? (size_t)(at - address) : strlen(address), i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (len == strlen(names[i]) &&
		    !strncasecmp(address, names[i], len))
			return true;
	return !strncasecmp(address, "owner-", 6) ||
	       ends_with_ci(address, len, "-request") ||
	       ends_with_ci(address, len, "-bounces");
}

/* Is the field's value word, before any comment or parameter
 * ("no (manual)", "auto-replied; owner-email=...")? */
static bool is_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	return s && !strncasecmp(s, word, n) &&
	       (!s[n] || strchr(" \t(;", s[n]));
}

enum autoreply_verdict autoreply_check(const struct mail *m,
				       const struct autoreply_self *self)
{
	const char *from = m->from.address ? m->from.address : "";
	const char *envelope =
		self->envelope_from ? self->envelope_from : self->address;
	size_t i;

	if (!*from)
		return AUTOREPLY_NO_SENDER;
	if (same_address(from, self->address) || same_address(from, envelope) ||
	    same_address(m->return_path, envelope) ||
	    (m->message_id && our_message_id(m->message_id, self->address)))
		return AUTOREPLY_LOOP;
	for (i = 0; i < m->nr_loops; i++)
		if (same_address(m->loops[i], self->address))
			return AUTOREPLY_LOOP;
	if ((m->return_path && !*m->return_path) || m->is_report ||
	    program_sender(from))
		return AUTOREPLY_BOUNCE;
	/* RFC 3834 5: "no" is the one value a person's mail carries. */
	if (m->auto_submitted && !is_word(m->auto_submitted, "no"))
		return AUTOREPLY_AUTOMATIC;
	if (m->list_id || m->has_list_headers ||
	    is_word(m->precedence, "bulk") || is_word(m->precedence, "list") ||
	    is_word(m->precedence, "junk"))
		return AUTOREPLY_LIST;
	return AUTOREPLY_OK;
}

const char *autoreply_reason(enum autoreply_verdict v)
{
	switch (v) {
	case AUTOREPLY_OK:
		return "a person's mail";
	case AUTOREPLY_NO_SENDER:
		return "no From address";
	case AUTOREPLY_LOOP:
		return "our own mail come back (a loop)";
	case AUTOREPLY_BOUNCE:
		return "a bounce or a mailer daemon's mail";
	case AUTOREPLY_AUTOMATIC:
		return "automatic mail (Auto-Submitted)";
	case AUTOREPLY_LIST:
		return "list or bulk mail";
	}
	return "?";
}
