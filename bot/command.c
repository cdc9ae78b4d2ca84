/*
 * command.c: the command of a mail, as command.h describes.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "command.h"
#include "mail.h"
#include "utf8.h"

static const struct {
	const char *name;
	enum command_verb verb;
	bool takes_token;
} verbs[] = {
	{"help", COMMAND_HELP, false},
	{"subscribe", COMMAND_SUBSCRIBE, false},
	{"confirm", COMMAND_CONFIRM, true},
	{"unsubscribe", COMMAND_UNSUBSCRIBE, true},
	{"show", COMMAND_SHOW, false},
	{"preview", COMMAND_PREVIEW, false},
	{"pause", COMMAND_PAUSE, true},
	{"resume", COMMAND_RESUME, true},
};

#define NR_VERBS (sizeof(verbs) / sizeof(verbs[0]))

const char *command_name(enum command_verb v)
{
	size_t i;

	for (i = 0; i < NR_VERBS; i++)
		if (verbs[i].verb == v)
			return verbs[i].name;
	return "";
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	       c == '\v';
}

static bool is_token_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static const char *skip_blanks(const char *s, const char *end)
{
	while (s < end && is_blank(*s))
		s++;
	return s;
}

/* The length of the word at s (up to white space or end). */
static size_t word_len(const char *s, const char *end)
{
	const char *p = s;

	while (p < end && !is_blank(*p))
		p++;
	return (size_t)(p - s);
}

/*
 * One reply or forward prefix at s ("Re:", "FWD:", "Re[2]:", "AW:"...) or
 * a "[tag]"; the length to skip, 0 when there is none.
 */
static size_t prefix_len(const char *s, const char *end)
{
	static const char *const words[] = {"re", "fwd", "fw",	 "aw", "wg",
					    "sv", "vs",	 "antw", "tr", "rif"};
	size_t i, n, len = (size_t)(end - s);
	const char *p;

	if (len && *s == '[') {
		p = memchr(s, ']', len);
		return p ? (size_t)(p - s) + 1 : 0;
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		n = strlen(words[i]);
		if (len <= n || strncasecmp(s, words[i], n))
			continue;
		p = s + n;
		/* "Re[2]:" and "Re(2):" count replies. */
		if (*p == '[' || *p == '(') {
			char close = *p == '[' ? ']' : ')';

			p++;
			while (p < end && *p >= '0' && *p <= '9')
				p++;
			if (p >= end || *p != close)
				continue;
			p++;
		}
		if (p < end && *p == ':')
			return (size_t)(p + 1 - s);
	}
	return 0;
}

/* Copy the line s[0..len) into word, cut between characters. */
static void keep_word(struct command *out, const char *s, size_t len)
{
	size_t n = 0, k;

	while (n < len && n < COMMAND_WORD_MAX) {
		k = utf8_seq_len(s + n, len - n);
		if (!k || n + k > COMMAND_WORD_MAX || s[n] == '\0')
			break;
		n += k;
	}
	memcpy(out->word, s, n);
	out->word[n] = '\0';
	/* Trailing blanks of a cut line say nothing. */
	while (n && is_blank(out->word[n - 1]))
		out->word[--n] = '\0';
}

/* The token at s, if the word there is one. */
static void take_token(struct command *out, const char *s, const char *end)
{
	size_t n = word_len(s, end);

	if (n == TOKEN_CHARS) {
		memcpy(out->token, s, n);
		out->token[n] = '\0';
		if (!token_valid(out->token))
			out->token[0] = '\0';
	}
}

/* Is the line s..end a command? Fills verb and token when it is. */
static bool read_line(struct command *out, const char *s, const char *end)
{
	size_t i, n, w;

	s = skip_blanks(s, end);
	n = w = word_len(s, end);
	/* "Subscribe:", "help!": punctuation after the word is no part. */
	while (n > 1 && strchr(":.,;!", s[n - 1]))
		n--;
	for (i = 0; i < NR_VERBS; i++) {
		if (n != strlen(verbs[i].name) ||
		    strncasecmp(s, verbs[i].name, n))
			continue;
		out->verb = verbs[i].verb;
		if (verbs[i].takes_token)
			take_token(out, skip_blanks(s + w, end), end);
		return true;
	}
	return false;
}

/* The end of the line that starts at s. */
static const char *line_end(const char *s, const char *end)
{
	const char *nl = memchr(s, '\n', (size_t)(end - s));

	return nl ? nl : end;
}

/*
 * A quoted confirmation anywhere in the body: "confirm" followed by a
 * token, as a reply quotes the confirmation mail's Subject or text.
 */
static bool find_quoted_confirm(struct command *out, const char *body,
				const char *end)
{
	static const char word[] = "confirm ";
	const char *p = body;

	while ((p = memmem(p, (size_t)(end - p), word, sizeof(word) - 1))) {
		const char *t = skip_blanks(p + sizeof(word) - 1, end);

		p += sizeof(word) - 1;
		if ((size_t)(end - t) < TOKEN_CHARS ||
		    ((size_t)(end - t) > TOKEN_CHARS &&
		     is_token_char(t[TOKEN_CHARS])))
			continue;
		take_token(out, t, t + TOKEN_CHARS);
		if (out->token[0]) {
			out->verb = COMMAND_CONFIRM;
			return true;
		}
	}
	return false;
}

/* The rule text s..end: cut at a signature separator; NULL if blank. */
static void set_rules(struct command *out, const char *s, const char *end,
		      bool cut_signature)
{
	const char *p = s, *e;

	if (cut_signature) {
		for (p = s; p < end; p = e + 1) {
			e = line_end(p, end);
			if (e - p == 3 && !memcmp(p, "-- ", 3)) {
				end = p;
				break;
			}
		}
	}
	if (skip_blanks(s, end) == end)
		return;
	out->rules = s;
	out->rules_len = (size_t)(end - s);
}

void command_parse(struct command *out, const struct mail *m)
{
	const char *subj = m->subject ? m->subject : "";
	const char *send = subj + strlen(subj);
	const char *body = m->body ? m->body : "";
	const char *bend = body + (m->body ? m->body_len : 0);
	const char *line, *lend;
	size_t n;

	memset(out, 0, sizeof(*out));
	/* The Subject, its reply prefixes and tags skipped. */
	for (;;) {
		subj = skip_blanks(subj, send);
		n = prefix_len(subj, send);
		if (!n)
			break;
		subj += n;
	}
	keep_word(out, subj, (size_t)(send - subj));
	line = skip_blanks(body, bend);
	/* skip_blanks() went past the line's start: back to it. */
	while (line > body && line[-1] != '\n')
		line--;
	lend = line_end(line, bend);
	if (read_line(out, subj, send)) {
		out->source = COMMAND_IN_SUBJECT;
		if (!m->attachment)
			set_rules(out, body, bend, true);
	} else if (read_line(out, line, lend)) {
		out->source = COMMAND_IN_BODY;
		keep_word(out, skip_blanks(line, lend),
			  (size_t)(lend - skip_blanks(line, lend)));
		if (!m->attachment && lend < bend)
			set_rules(out, lend + 1, bend, true);
	} else if (find_quoted_confirm(out, body, bend)) {
		out->source = COMMAND_IN_QUOTE;
		return;
	} else {
		/* Say what was not understood: the Subject, or the line. */
		if (!out->word[0])
			keep_word(out, skip_blanks(line, lend),
				  (size_t)(lend - skip_blanks(line, lend)));
		return;
	}
	if (m->attachment) {
		set_rules(out, m->attachment, m->attachment + m->attachment_len,
			  false);
		out->rules_attached = out->rules != NULL;
	}
}
