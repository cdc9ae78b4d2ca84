/*
 * rulefile.h: a subscriber's rule file: its libconfuse schema, parsing from
 * memory with every error collected, validation, and the compiled rules of
 * ONE subscriber (rules/README.md is the user's documentation). Pure:
 * bytes in, values out; what the file is checked against (the MAINTAINERS
 * sections, the configured lists, the tz database) is handed in.
 *
 * The file, in short:
 *
 *   digest {                       at most once; every option optional
 *     frequency = daily            hourly | daily | weekly | immediate
 *     time = "07:00"               HH:MM, daily and weekly digests
 *     day = monday                 weekly digests
 *     timezone = "Europe/Paris"    a tz database name; default UTC
 *     format = text                text | html | both
 *     max-size = 512k              4k .. 8M; default: the bot's limit
 *   }
 *   rule "NAME" {                  one or more, NAME unique
 *     lists sections paths subject authors keywords     lists of values
 *     exclude-lists ... exclude-keywords                 the same, negated
 *     rfc = yes | no | only        default yes (RFCs are included)
 *     versions = newest | all      default newest
 *     min-reviews = N              default 0
 *   }
 *
 * Values in one criterion are alternatives; the criteria of one rule must
 * all hold; a series matches the file when any rule does. A rule must have
 * at least one of the six positive criteria (a rule without one would
 * match every series the bot sees; that is more likely a mistake than a
 * wish, and the multi-subscriber index needs something to file it under).
 *
 * Rule files come from strangers (DESIGN.md, "Rule files"):
 *  - parsed from memory (cfgparse.h) with CFGPARSE_NO_ENV: "${" anywhere
 *    is refused, so libconfuse never expands the daemon's environment
 *    into a value that replies and previews would echo back;
 *  - include() is not in the schema: no file can be named;
 *  - bounded: RULEFILE_MAX_BYTES of text, RULEFILE_MAX_RULES rules,
 *    RULEFILE_MAX_PATTERNS values in all, RULEFILE_MAX_PATTERN_BYTES each;
 *  - matched in time linear in the input whatever the patterns: paths and
 *    subjects are globs (glob.h, an automaton, never backtracking),
 *    keywords literal strings (keywords.h, Aho-Corasick). No regular
 *    expressions: Perl's and POSIX's backtracking matchers can be made to
 *    take exponential time by a pattern, and these patterns are not ours.
 *
 * Errors: every error, as "NAME:LINE: message" lines (cfgparse_report()),
 * at the line of the value at fault, with a hint: the options that exist,
 * the nearest MAINTAINERS section names, the configured lists.
 */
#ifndef PATCHLETTER_RULEFILE_H
#define PATCHLETTER_RULEFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct glob;
struct maintainers;

/* The list-valued criteria, in the order explanations test them. */
enum rule_crit {
	RULE_LISTS,
	RULE_SECTIONS,
	RULE_PATHS,
	RULE_SUBJECT,
	RULE_AUTHORS,
	RULE_KEYWORDS,
	RULE_NR_CRITS
};

/* "lists", "sections", ...: the option name (static). */
const char *rule_crit_name(enum rule_crit c);

enum rule_author_kind {
	RULE_AUTHOR_ADDRESS, /* local@domain */
	RULE_AUTHOR_DOMAIN,  /* *@domain: the domain or a subdomain of it */
	RULE_AUTHOR_NAME,    /* anything without '@' */
};

enum rule_list_kind {
	RULE_LIST_ID,	/* a List-Id, or a configured list's name */
	RULE_LIST_NAME, /* a bare name no configuration resolved: it
			   matches a List-Id whose first label it is */
};

struct rule_value {
	char *text; /* owned: as written in the file */
	int line;
	/*
	 * Compiled, by criterion. key (owned) is what is compared:
	 *   lists     the List-Id (lower case) or the bare name (kind)
	 *   authors   the address or domain (lower case), or the name
	 *             (lower case, runs of blanks as one space)
	 *   subject   the pattern in lower case; glob is compiled from it
	 *   keywords  the keyword as written
	 *   paths     the pattern as written; glob is compiled from it
	 *   sections  the section's name as MAINTAINERS writes it
	 */
	char *key;
	unsigned kind;	   /* enum rule_author_kind / rule_list_kind */
	size_t section;	   /* sections: index in the MAINTAINERS given */
	struct glob *glob; /* paths, subject: owned */
};

struct rule_values {
	struct rule_value *v; /* owned */
	size_t nr;
	size_t alloc; /* private */
};

enum rule_rfc {
	RULE_RFC_YES,  /* RFC series match too */
	RULE_RFC_NO,   /* they never match */
	RULE_RFC_ONLY, /* only they match */
};

enum rule_versions {
	RULE_VERSIONS_NEWEST, /* only series no other series supersedes */
	RULE_VERSIONS_ALL,
};

struct rule {
	char *name;			       /* owned: the title */
	int line;			       /* of its opening line */
	struct rule_values inc[RULE_NR_CRITS]; /* lists, sections, ... */
	struct rule_values exc[RULE_NR_CRITS]; /* exclude-lists, ... */
	enum rule_rfc rfc;
	enum rule_versions versions;
	unsigned min_reviews;
	int rfc_line, versions_line, min_reviews_line; /* 0: not given */
};

enum rulefile_frequency {
	RULEFILE_FREQ_HOURLY,
	RULEFILE_FREQ_DAILY,
	RULEFILE_FREQ_WEEKLY,
	RULEFILE_FREQ_IMMEDIATE,
};

enum rulefile_format {
	RULEFILE_FORMAT_TEXT,
	RULEFILE_FORMAT_HTML,
	RULEFILE_FORMAT_BOTH,
};

struct rulefile_digest {
	enum rulefile_frequency frequency;
	int hour, minute; /* local time of day (daily, weekly) */
	int weekday;	  /* 0 Sunday .. 6 Saturday, as struct tm */
	char *timezone;	  /* owned: a tz database name */
	enum rulefile_format format;
	size_t max_bytes; /* 0: the bot's limit */
	bool send_empty;  /* mail a digest even when nothing matched */
};

struct rulefile {
	struct rulefile_digest digest;
	struct rule *rules; /* owned, in file order */
	size_t nr_rules;
	size_t nr_values; /* of all criteria of all rules */
	/*
	 * Borrowed: the MAINTAINERS that section values were resolved
	 * against (their indices mean something only there), or NULL.
	 */
	const struct maintainers *maintainers;
};

/* A list the operator configured (config.h struct config_list). */
struct rulefile_list {
	const char *name;    /* borrowed */
	const char *list_id; /* borrowed */
};

struct rulefile_options {
	/*
	 * Borrowed. NULL: section names cannot be checked (and never
	 * match); rulefile_parse() says so in a note line of errors.
	 */
	const struct maintainers *maintainers;
	/*
	 * Borrowed. With nr_lists > 0 a list value must be a List-Id (it
	 * has a '.') or one of these names; with none configured, a bare
	 * name is taken as the first label of a List-Id ("kvm" for
	 * kvm.vger.kernel.org).
	 */
	const struct rulefile_list *lists;
	size_t nr_lists;
	/*
	 * Does the tz database know this zone (the name's shape is checked
	 * before)? tzdb_has() fits. NULL: only the shape is checked.
	 */
	bool (*tz_exists)(const char *name, void *payload);
	void *tz_payload;
};

/*
 * Parse and check len bytes of text (a rule file named name in messages)
 * into *out (owned by the caller: rulefile_free()). Returns 0 when the
 * file has no error (notes, if any, are appended to errors), or appends
 * every error to errors, one "NAME:LINE: message\n" each, leaves *out NULL
 * and returns ERR_PERM, or ERR_LIMIT when the text is larger than
 * RULEFILE_MAX_BYTES. opts may be NULL (no MAINTAINERS, no lists, no tz
 * database). Nothing is logged: the caller shows or mails the errors.
 */
int rulefile_parse(struct rulefile **out, const char *name, const char *text,
		   size_t len, const struct rulefile_options *opts,
		   struct buf *errors);
void rulefile_free(struct rulefile *rf);

/*
 * The keys values are compared by, for the matcher to compute the same
 * of a series (owned strings): ASCII letters in lower case; and for
 * names, also blanks trimmed and each run of them one space.
 */
char *rulefile_lower(const char *s);
char *rulefile_name_key(const char *s);

/* "hourly", ..., "text", ...: static names for output. */
const char *rulefile_frequency_name(enum rulefile_frequency f);
const char *rulefile_format_name(enum rulefile_format f);
const char *rule_rfc_name(enum rule_rfc r);
const char *rule_versions_name(enum rule_versions v);

#endif
