/*
 * cfgparse.h: parse a libconfuse document from memory and collect EVERY
 * error as "name:line: message", for the operator's configuration
 * (config.c) and the subscribers' rule files.
 *
 * libconfuse stops at the first error and prints it to stderr. This
 * driver instead:
 *
 *  - routes libconfuse's messages through cfg_set_error_function() into a
 *    list, with the line and a hint (an unknown option gets "did you mean
 *    'host'?" or the list of the section's options);
 *  - gives value callbacks (cfgparse_duration, cfgparse_uint, ...) that
 *    report a bad value and keep the option's default, so that the parse
 *    goes on and the next bad value is found in the same pass;
 *  - after an error that stops libconfuse (unknown option, syntax error),
 *    blanks that line (with the lines up to its closing brace when it
 *    opens a block) in a copy of the text and parses again, until the
 *    text parses or CONFIG_MAX_ERRORS errors were found;
 *  - blanks comments in that copy too: libconfuse 3.3 miscounts lines
 *    after a # or // comment and refuses comments inside lists;
 *  - remembers the line of every option and of every section's opening
 *    brace, so that checks made after parsing (cross references, values
 *    that depend on each other) can report lines too: cfgparse_line();
 *  - reports a scalar option given twice, a titled section given twice
 *    with the same title (libconfuse would silently keep the last one), a
 *    CFGPARSE_SINGLE section given twice, a missing CFGPARSE_REQUIRED
 *    option or section, and a "{" never closed (libconfuse would close it
 *    at the end of the text without a word).
 *
 * Safety, for text from strangers (rule files arrive by mail):
 *
 *  - the text is parsed from memory (cfg_parse_buf), never from a file
 *    name, and its size is bounded by the caller;
 *  - include() must not be in the schema: cfgparse_buf() BUG()s on a
 *    cfg_include option, so no file can be named from the text;
 *  - libconfuse expands ${VAR} from the process environment in unquoted
 *    and double-quoted strings, with no switch to turn that off (see
 *    DESIGN.md, "A trap to know"). With CFGPARSE_NO_ENV every "${" in the
 *    text is refused before parsing, wherever it is (even in a comment or a
 *    single-quoted string, so that the check does not depend on lexing the
 *    text the way libconfuse does);
 *  - NUL bytes are refused (libconfuse would stop reading at the first).
 *
 * Schema rules (cfgparse_buf() BUG()s on a schema that breaks them):
 * every section is CFGF_MULTI (libconfuse creates a plain section before
 * parsing, so its opening line would be unknown); add CFGPARSE_SINGLE for
 * one that may appear at most once: when it is absent it is created after
 * parsing, so its defaults read as usual. List options have no default in
 * the schema (libconfuse parses list defaults like text; apply the default
 * when reading an empty list). Validating callbacks (cfg_opt_t.validcb)
 * belong to this driver; use parse callbacks. The name "|line" is
 * reserved.
 *
 * For a rule file from a stranger: cfgparse_buf(..., RULEFILE_MAX_BYTES,
 * CFGPARSE_NO_ENV), and bound counts (rules, patterns) in the checks made
 * after parsing; this driver bounds only the text and the errors.
 *
 * libconfuse's scanner keeps global state, so only one parse runs at a
 * time in a process; cfgparse_buf() BUG()s if called re-entrantly.
 */
#ifndef PATCHLETTER_CFGPARSE_H
#define PATCHLETTER_CFGPARSE_H

#include <stdbool.h>
#include <stddef.h>

#include <confuse.h>

#include "buf.h"
#include "compat.h"

/*
 * Flag bits for cfg_opt_t.flags, above libconfuse's own (which end at
 * bit 13 in 3.3 and are tested one by one, so it ignores these).
 */
/* The option or section must be given. */
#define CFGPARSE_REQUIRED (1 << 24)
/* A CFGF_MULTI section allowed at most once. */
#define CFGPARSE_SINGLE (1 << 25)

/* Flags for cfgparse_buf(). */
#define CFGPARSE_NO_ENV 0x1 /* refuse "${": the text is untrusted */
/* Report a ${NAME} libconfuse would expand to "" as NAME is not set. */
#define CFGPARSE_ENV_STRICT 0x2

struct cfgparse_error {
	int line; /* 1-based; 0 for the file as a whole */
	char *msg;
};

struct cfgparse_mark; /* where an option or a section was seen */

struct cfgparse {
	/*
	 * The parsed document, owned; NULL when the text could not be
	 * parsed at all. Valid until cfgparse_release().
	 */
	cfg_t *cfg;

	/* The rest is private to cfgparse.c. */
	char *name; /* owned copy of the name given to cfgparse_init() */
	struct cfgparse_error *errors;
	size_t nerrors, alloc_errors;
	size_t kept_errors; /* errors that survive the next re-parse */
	bool truncated;	    /* CONFIG_MAX_ERRORS reached, some left out */
	struct cfgparse_mark *marks;
	size_t nmarks, alloc_marks;
	cfg_t **stack; /* sections open while parsing */
	size_t depth, alloc_stack;
	bool *dropped; /* dropped[line]: commented out for a re-parse */
	int nlines;
	bool creating; /* creating absent CFGPARSE_SINGLE sections */
	bool at_eof;   /* libconfuse hit the end of the text mid-way */
};

/* name: how messages name the text (a path, "rules"); copied. */
void cfgparse_init(struct cfgparse *p, const char *name);
void cfgparse_release(struct cfgparse *p);

/*
 * Parse len bytes of text (need not be NUL-terminated; more than max_bytes
 * is refused) against schema, collecting errors in p. Returns 0 when
 * p->cfg holds a document to check further (errors may have been found
 * already: see cfgparse_nerrors()), ERR_PERM when nothing could be parsed
 * (or the text was refused), ERR_LIMIT when it is too large. Call once per
 * struct cfgparse.
 */
int cfgparse_buf(struct cfgparse *p, cfg_opt_t *schema, const char *text,
		 size_t len, size_t max_bytes, unsigned flags);

/*
 * The line where option opt of section sec was given (for a list: where
 * its last "=" assignment began), or, when opt is NULL or was not given,
 * the line of the section's opening brace (0 for the root or a section
 * that was not in the text). sec is p->cfg or a section under it.
 */
int cfgparse_line(const struct cfgparse *p, cfg_t *sec, const char *opt);

/* Whether option opt of section sec appears in the text. */
bool cfgparse_given(const struct cfgparse *p, cfg_t *sec, const char *opt);

/*
 * Whether a line inside section sec was commented out to get past an
 * error: then a "missing" or "needs" message about sec would most likely
 * be a consequence of that error, and is better left out.
 */
bool cfgparse_damaged(const struct cfgparse *p, cfg_t *sec);

/* How messages name a section: "imap 'lore'", "bot", "the top level". */
void cfgparse_describe(struct buf *out, cfg_t *sec);

/* Levenshtein distance of two names (SIZE_MAX past 64 bytes). */
size_t cfgparse_distance(const char *a, const char *b);

/* Add an error at line (0: the file as a whole). */
void cfgparse_errorf(struct cfgparse *p, int line, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

/*
 * Whether an error was reported at line already: a check made after
 * parsing can then keep quiet about a value whose cause was reported (an
 * empty value where an unset ${VARIABLE} was).
 */
bool cfgparse_has_error(const struct cfgparse *p, int line);

size_t cfgparse_nerrors(const struct cfgparse *p);

/*
 * Append one "name:line: message\n" per error to out, ordered by line
 * (errors about the file as a whole, "name: message", first).
 */
void cfgparse_report(const struct cfgparse *p, struct buf *out);

/*
 * Parse callbacks (cfg_callback_t) for CFG_INT_CB / CFG_BOOL_CB options.
 * A bad value is reported with its line and the option keeps its default,
 * so that parsing goes on. All store a long, but cfgparse_bool (a
 * cfg_bool_t).
 *
 *  cfgparse_uint      a decimal integer >= 0 ("500")
 *  cfgparse_duration  a number and a unit, or several: "30s", "10m",
 *                     "1h30m", "2d"; stored in seconds
 *  cfgparse_size      bytes, with an optional binary k, M or G: "512k"
 *  cfgparse_bool      true/false, yes/no, on/off (libconfuse's words)
 */
int cfgparse_uint(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
int cfgparse_duration(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		      void *result);
int cfgparse_size(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
int cfgparse_bool(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);

/*
 * For an enumeration's own parse callback: store in *(long *)result the
 * index of value in names (NULL-terminated), or report "not one of ..."
 * and store the default. Returns 0 (parsing goes on).
 */
int cfgparse_enum(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result,
		  const char *const *names);

/*
 * Parse a duration ("10m", "1h30m") into *out seconds, up to
 * CONFIG_MAX_DURATION_SECS. Returns 0 or ERR_PERM; no message.
 */
int cfgparse_parse_duration(long *out, const char *s);

#endif
