/*
 * command.h: what a mail to the bot asks for. Pure: a parsed mail in, a
 * command out (commands.h acts on it).
 *
 * The command is the first word of the Subject, or else of the first
 * line of the body that is not blank, case ignored:
 *
 *   subscribe     the rule file is attached (the first text/plain
 *                 attachment), or else it is the body: all of it when
 *                 the command is the Subject, the lines after the command
 *                 line when the command is that line
 *   confirm TOKEN the token of a confirmation mail
 *   unsubscribe [TOKEN], pause [TOKEN], resume [TOKEN]
 *                 TOKEN: the subscriber's token (List-Unsubscribe's)
 *   show, help
 *   preview       with a rule file, as subscribe; without, the rules in
 *                 force
 *
 * In the Subject, the prefixes replies and forwards add ("Re:", "Fwd:",
 * "AW:", "SV:", "Re[2]:", ...) and "[tags]" before the word are skipped,
 * so that a reply to the confirmation mail ("Re: confirm TOKEN") is the
 * confirmation. When neither the Subject nor the first line is a
 * command, a quoted confirmation in the body ("> confirm TOKEN", as a
 * reply whose Subject was changed quotes it) is one; anything else is
 * COMMAND_UNKNOWN, answered with the help text.
 *
 * The rule file's text is cut at a signature separator line ("-- ",
 * RFC 3676 4.3) unless it was attached; one that is only blank lines is
 * no rule file.
 */
#ifndef PATCHLETTER_COMMAND_H
#define PATCHLETTER_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "token.h"

struct mail;

enum command_verb {
	COMMAND_UNKNOWN = 0,
	COMMAND_HELP,
	COMMAND_SUBSCRIBE,
	COMMAND_CONFIRM,
	COMMAND_UNSUBSCRIBE,
	COMMAND_SHOW,
	COMMAND_PREVIEW,
	COMMAND_PAUSE,
	COMMAND_RESUME,
};

enum command_source {
	COMMAND_NONE = 0,   /* no command found */
	COMMAND_IN_SUBJECT, /* the Subject's first word */
	COMMAND_IN_BODY,    /* the first line of the body */
	COMMAND_IN_QUOTE,   /* a quoted "confirm TOKEN" in the body */
};

/* Bytes of the command line kept in word, to say what was not understood. */
#define COMMAND_WORD_MAX 64

struct command {
	enum command_verb verb;
	enum command_source source;
	/* The line the command was looked for in (the Subject without its
	 * prefixes, else the first line), cut at COMMAND_WORD_MAX bytes
	 * between characters: for "not understood: ..." replies. */
	char word[COMMAND_WORD_MAX + 1];
	char token[TOKEN_CHARS + 1]; /* the token after the verb, or "" */
	/* The rule file: borrowed from the mail (its attachment or body),
	 * NULL when there is none. */
	const char *rules;
	size_t rules_len;
	bool rules_attached;
};

/* Read the command of mail m into out. m must outlive out's rules. */
void command_parse(struct command *out, const struct mail *m);

/* "subscribe", ...: the verb as the user writes it (static); "" unknown. */
const char *command_name(enum command_verb v);

#endif
