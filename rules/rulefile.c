/*
 * rulefile.c: see rulefile.h. The schema, then the checks that turn the
 * parsed document into struct rulefile. cfgparse.c collects the errors and
 * knows the lines of options and sections; list values carry their own
 * line (take_value()), so an error about one value of a list spread over
 * several lines names the value's line.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <confuse.h>

#include "bounds.h"
#include "buf.h"
#include "cfgparse.h"
#include "err.h"
#include "glob.h"
#include "log.h"
#include "maintainers.h"
#include "rulefile.h"
#include "tzdb.h"
#include "utf8.h"
#include "xalloc.h"

/* --- names ---------------------------------------------------------------- */

static const char *const crit_names[RULE_NR_CRITS] = {
	"lists", "sections", "paths", "subject", "authors", "keywords",
};
static const char *const exclude_names[RULE_NR_CRITS] = {
	"exclude-lists",   "exclude-sections", "exclude-paths",
	"exclude-subject", "exclude-authors",  "exclude-keywords",
};
/* In the enums' orders. */
static const char *const freq_names[] = {"hourly", "daily", "weekly",
					 "immediate", NULL};
static const char *const format_names[] = {"text", "html", "both", NULL};
static const char *const day_names[] = {"sunday",    "monday",	 "tuesday",
					"wednesday", "thursday", "friday",
					"saturday",  NULL};
static const char *const rfc_names[] = {"yes", "no", "only", NULL};
static const char *const versions_names[] = {"newest", "all", NULL};

const char *rule_crit_name(enum rule_crit c)
{
	return (unsigned)c < RULE_NR_CRITS ? crit_names[c] : "?";
}

const char *rulefile_frequency_name(enum rulefile_frequency f)
{
	return (unsigned)f < ARRAY_SIZE(freq_names) - 1 ? freq_names[f] : "?";
}

const char *rulefile_format_name(enum rulefile_format f)
{
	return (unsigned)f < ARRAY_SIZE(format_names) - 1 ? format_names[f]
							  : "?";
}

const char *rule_rfc_name(enum rule_rfc r)
{
	return (unsigned)r < ARRAY_SIZE(rfc_names) - 1 ? rfc_names[r] : "?";
}

const char *rule_versions_name(enum rule_versions v)
{
	return (unsigned)v < ARRAY_SIZE(versions_names) - 1 ? versions_names[v]
							    : "?";
}

/* --- the schema ------------------------------------------------------------
 */

static int parse_freq(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		      void *result)
{
	return cfgparse_enum(cfg, opt, value, result, freq_names);
}

static int parse_format(cfg_t *cfg, cfg_opt_t *opt, const char *value,
			void *result)
{
	return cfgparse_enum(cfg, opt, value, result, format_names);
}

static int parse_day(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		     void *result)
{
	return cfgparse_enum(cfg, opt, value, result, day_names);
}

static int parse_rfc(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		     void *result)
{
	return cfgparse_enum(cfg, opt, value, result, rfc_names);
}

static int parse_versions(cfg_t *cfg, cfg_opt_t *opt, const char *value,
			  void *result)
{
	return cfgparse_enum(cfg, opt, value, result, versions_names);
}

/* One value of a list option, with the line it was read on. */
struct raw_value {
	int line;
	char text[];
};

/*
 * The parse callback of every list option. libconfuse calls it once per
 * value, while its line counter stands on the value; the value is kept as
 * an opaque pointer (CFGT_PTR) that free_value() releases.
 */
static int take_value(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		      void *result)
{
	size_t n = strlen(value);
	struct raw_value *v = xmalloc(sizeof(*v) + n + 1);

	(void)opt;
	v->line = cfg->line;
	memcpy(v->text, value, n + 1);
	*(void **)result = v;
	return 0;
}

static void free_value(void *v)
{
	free(v);
}

#define RULE_LIST(name) \
	CFG_PTR_LIST_CB(name, NULL, CFGF_NONE, take_value, free_value)

static cfg_opt_t digest_opts[] = {
	CFG_INT_CB("frequency", RULEFILE_FREQ_DAILY, CFGF_NONE, parse_freq),
	CFG_STR("time", "07:00", CFGF_NONE),
	CFG_INT_CB("day", 1, CFGF_NONE, parse_day),
	CFG_STR("timezone", "UTC", CFGF_NONE),
	CFG_INT_CB("format", RULEFILE_FORMAT_TEXT, CFGF_NONE, parse_format),
	CFG_INT_CB("max-size", 0, CFGF_NONE, cfgparse_size),
	CFG_INT_CB("send-empty", 0, CFGF_NONE, cfgparse_bool),
	CFG_END(),
};

static cfg_opt_t rule_opts[] = {
	RULE_LIST("lists"),
	RULE_LIST("sections"),
	RULE_LIST("paths"),
	RULE_LIST("subject"),
	RULE_LIST("authors"),
	RULE_LIST("keywords"),
	RULE_LIST("exclude-lists"),
	RULE_LIST("exclude-sections"),
	RULE_LIST("exclude-paths"),
	RULE_LIST("exclude-subject"),
	RULE_LIST("exclude-authors"),
	RULE_LIST("exclude-keywords"),
	CFG_INT_CB("rfc", RULE_RFC_YES, CFGF_NONE, parse_rfc),
	CFG_INT_CB("versions", RULE_VERSIONS_NEWEST, CFGF_NONE, parse_versions),
	CFG_INT_CB("min-reviews", 0, CFGF_NONE, cfgparse_uint),
	CFG_END(),
};

/* No include(): a rule file must not name files (cfgparse.h). */
static cfg_opt_t root_opts[] = {
	CFG_SEC("digest", digest_opts, CFGF_MULTI | CFGPARSE_SINGLE),
	CFG_SEC("rule", rule_opts, CFGF_MULTI | CFGF_TITLE),
	CFG_END(),
};

/* --- the checks ------------------------------------------------------------
 */

struct checker {
	struct cfgparse *p;
	const struct rulefile_options *opts;
	struct rulefile *rf;
	struct buf notes;   /* said once each, even when the file is fine */
	bool sections_note; /* the "not checked" note was given */
	bool values_full;   /* RULEFILE_MAX_PATTERNS was reported */
};

/* Quote a value from the file for a message: printable, bounded. */
static const char *quote(char *out, size_t outsz, const char *s)
{
	return log_escape(out, outsz, s, strlen(s));
}

/* An error at line, prefixed with the section it is about. */
static void PRINTF_LIKE(4, 5)
	bad(struct checker *c, cfg_t *sec, int line, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	cfgparse_describe(&msg, sec);
	buf_adds(&msg, ": ");
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	cfgparse_errorf(c->p, line, "%s", msg.data);
	buf_release(&msg);
}

/*
 * Control characters other than the tab: values are echoed in digests
 * and replies, where a CR or LF would start a line of the stranger's
 * making. A tab is harmless, and a few MAINTAINERS section names hold one
 * ("HPET:\tx86").
 */
static bool has_control(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return true;
	return false;
}

char *rulefile_lower(const char *s)
{
	char *out = xstrdup(s);

	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return out;
}

/* --- digest { } ------------------------------------------------------------
 */

/* "H:MM" or "HH:MM", 24-hour. */
static bool parse_time(int *hour, int *minute, const char *s)
{
	int h = 0, m;
	size_t i = 0;

	if (s[i] < '0' || s[i] > '9')
		return false;
	h = s[i++] - '0';
	if (s[i] >= '0' && s[i] <= '9')
		h = h * 10 + (s[i++] - '0');
	if (s[i++] != ':' || s[i] < '0' || s[i] > '5' || s[i + 1] < '0' ||
	    s[i + 1] > '9' || s[i + 2])
		return false;
	m = (s[i] - '0') * 10 + (s[i + 1] - '0');
	if (h > 23)
		return false;
	*hour = h;
	*minute = m;
	return true;
}

static void check_digest(struct checker *c, cfg_t *sec)
{
	struct cfgparse *p = c->p;
	struct rulefile_digest *d = &c->rf->digest;
	const char *time = cfg_getstr(sec, "time");
	const char *tz = cfg_getstr(sec, "timezone");
	long size = cfg_getint(sec, "max-size");
	char q[128];

	d->frequency = (enum rulefile_frequency)cfg_getint(sec, "frequency");
	d->format = (enum rulefile_format)cfg_getint(sec, "format");
	d->weekday = (int)cfg_getint(sec, "day");
	d->send_empty = cfg_getint(sec, "send-empty") != 0;
	d->hour = 7;
	d->minute = 0;
	d->timezone = xstrdup("UTC");

	if (!time || !parse_time(&d->hour, &d->minute, time))
		bad(c, sec, cfgparse_line(p, sec, "time"),
		    "time '%s' is not a time of day (HH:MM, 24-hour, such as "
		    "07:00 or 18:30)",
		    quote(q, sizeof(q), time ? time : ""));
	if (cfgparse_given(p, sec, "time") &&
	    d->frequency != RULEFILE_FREQ_DAILY &&
	    d->frequency != RULEFILE_FREQ_WEEKLY)
		bad(c, sec, cfgparse_line(p, sec, "time"),
		    "time applies to daily and weekly digests only "
		    "(frequency is %s); remove it",
		    rulefile_frequency_name(d->frequency));
	if (cfgparse_given(p, sec, "day") &&
	    d->frequency != RULEFILE_FREQ_WEEKLY)
		bad(c, sec, cfgparse_line(p, sec, "day"),
		    "day applies to weekly digests only (frequency is %s); "
		    "remove it or set frequency = weekly",
		    rulefile_frequency_name(d->frequency));

	if (!tz || !tzdb_name_ok(tz)) {
		bad(c, sec, cfgparse_line(p, sec, "timezone"),
		    "timezone '%s' is not a tz database name (Area/City, such "
		    "as Europe/Paris or America/New_York, or UTC)",
		    quote(q, sizeof(q), tz ? tz : ""));
	} else if (c->opts->tz_exists &&
		   !c->opts->tz_exists(tz, c->opts->tz_payload)) {
		bad(c, sec, cfgparse_line(p, sec, "timezone"),
		    "unknown time zone '%s' (a tz database name, such as "
		    "Europe/Paris or America/New_York, or UTC)",
		    quote(q, sizeof(q), tz));
	} else {
		free(d->timezone);
		d->timezone = xstrdup(tz);
	}

	if (cfgparse_given(p, sec, "max-size") &&
	    !cfgparse_has_error(p, cfgparse_line(p, sec, "max-size"))) {
		if (size < (long)RULEFILE_MIN_DIGEST_BYTES ||
		    size > (long)RULEFILE_MAX_DIGEST_BYTES)
			bad(c, sec, cfgparse_line(p, sec, "max-size"),
			    "max-size must lie between %uk and %uM",
			    RULEFILE_MIN_DIGEST_BYTES >> 10,
			    RULEFILE_MAX_DIGEST_BYTES >> 20);
		else
			d->max_bytes = (size_t)size;
	}
}

/* --- values ------------------------------------------------------------------
 */

/* RFC 2919 List-Id: dot-atom-text (RFC 5322 atext and '.'). */
static bool list_id_ok(const char *s)
{
	if (!*s || *s == '.')
		return false;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') ||
		      strchr("!#$%&'*+-/=?^_`{|}~.", ch)))
			return false;
		if (ch == '.' && (s[1] == '.' || !s[1]))
			return false;
	}
	return true;
}

static void suggest_lists(struct buf *out, const struct rulefile_options *o,
			  const char *name)
{
	size_t best = SIZE_MAX, k, d;

	for (k = 0; k < o->nr_lists; k++) {
		d = cfgparse_distance(name, o->lists[k].name);
		if (d < best)
			best = d;
	}
	if (best <= 2 && best < strlen(name)) {
		buf_adds(out, " (did you mean");
		for (k = 0; k < o->nr_lists; k++)
			if (cfgparse_distance(name, o->lists[k].name) == best)
				buf_addf(out, " '%s'", o->lists[k].name);
		buf_adds(out, "?)");
		return;
	}
	buf_adds(out, " (the lists here:");
	for (k = 0; k < o->nr_lists && k < 20; k++)
		buf_addf(out, " %s", o->lists[k].name);
	if (k < o->nr_lists)
		buf_addf(out, " and %zu more", o->nr_lists - k);
	buf_adds(out, "; or give a List-Id such as kvm.vger.kernel.org)");
}

static int compile_list(struct checker *c, struct rule_value *v,
			struct buf *why)
{
	const struct rulefile_options *o = c->opts;
	char *s = xstrdup(v->text), *at;
	size_t n = strlen(s);
	int rc = 0;

	/* "<kvm.vger.kernel.org>", as the header writes it. */
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
	/*
	 * A posting address: vger, lists.linux.dev and infradead lists
	 * take it, '@' made '.', for their List-Id (RFC 2919 suggests it).
	 */
	at = strchr(s, '@');
	if (at && at != s && !strchr(at + 1, '@'))
		*at = '.';
	if (!list_id_ok(s)) {
		buf_adds(why, "is neither a list name nor a List-Id");
		rc = ERR_PERM;
	} else if (strchr(s, '.')) {
		v->key = rulefile_lower(s);
		v->kind = RULE_LIST_ID;
	} else if (o->nr_lists) {
		size_t k;

		for (k = 0; k < o->nr_lists; k++)
			if (!strcasecmp(o->lists[k].name, s))
				break;
		if (k < o->nr_lists) {
			v->key = rulefile_lower(o->lists[k].list_id);
			v->kind = RULE_LIST_ID;
		} else {
			buf_adds(why, "is not a list this bot follows");
			suggest_lists(why, o, s);
			rc = ERR_PERM;
		}
	} else {
		v->key = rulefile_lower(s);
		v->kind = RULE_LIST_NAME;
	}
	free(s);
	return rc;
}

static int compile_section(struct checker *c, struct rule_value *v,
			   struct buf *why)
{
	const struct maintainers *m = c->opts->maintainers;
	size_t idx, sug[3], n;
	char q[128];

	if (!m) {
		v->key = xstrdup(v->text);
		v->section = SIZE_MAX;
		if (!c->sections_note) {
			buf_addf(&c->notes,
				 "%s: note: section names were not checked "
				 "(no MAINTAINERS file at hand), and rules "
				 "match no section until they are\n",
				 c->p->name);
			c->sections_note = true;
		}
		return 0;
	}
	if (maintainers_find(&idx, m, v->text) == 0) {
		v->section = idx;
		v->key = xstrdup(maintainers_section(m, idx)->name);
		return 0;
	}
	buf_adds(why, "is not a MAINTAINERS section");
	n = maintainers_suggest(sug, ARRAY_SIZE(sug), m, v->text);
	for (size_t k = 0; k < n; k++) {
		const char *name = maintainers_section(m, sug[k])->name;

		buf_addf(why, "%s'%s'",
			 k == 0	      ? " (did you mean "
			 : k + 1 == n ? " or "
				      : ", ",
			 quote(q, sizeof(q), name));
	}
	buf_adds(why, n ? "?)" : " (and no section has a similar name)");
	return ERR_PERM;
}

static int compile_glob(struct rule_value *v, const char *pattern,
			unsigned flags, struct buf *why)
{
	struct buf err = BUF_INIT;
	int rc;

	rc = glob_compile(&v->glob, pattern, strlen(pattern), flags, &err);
	if (rc)
		buf_addf(why, "is not a valid pattern: %s", err.data);
	buf_release(&err);
	return rc ? ERR_PERM : 0;
}

static int compile_path(struct rule_value *v, struct buf *why)
{
	/* Paths are relative to the top of the tree, as in MAINTAINERS. */
	if (v->text[0] == '/') {
		buf_adds(why, "starts with '/': paths are relative to the "
			      "top of the tree (write arch/x86/..., not "
			      "/arch/x86/...)");
		return ERR_PERM;
	}
	v->key = xstrdup(v->text);
	return compile_glob(v, v->text, GLOB_DOUBLESTAR, why);
}

static int compile_subject(struct rule_value *v, struct buf *why)
{
	v->key = rulefile_lower(v->text);
	return compile_glob(v, v->key, GLOB_TEXT, why);
}

/* A domain: labels of letters, digits and '-', joined by dots. */
static bool domain_ok(const char *s)
{
	size_t label = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '.') {
			if (!label)
				return false;
			label = 0;
		} else if ((ch >= 'a' && ch <= 'z') ||
			   (ch >= 'A' && ch <= 'Z') ||
			   (ch >= '0' && ch <= '9') || ch == '-' ||
			   ch >= 0x80) {
			label++;
		} else {
			return false;
		}
	}
	return label > 0;
}

/* local@domain, with no blanks, brackets or quotes in the local part. */
static bool address_ok(const char *s)
{
	const char *at = strrchr(s, '@');

	if (!at || at == s)
		return false;
	for (const char *p = s; p < at; p++)
		if ((unsigned char)*p <= ' ' || strchr("<>()[],;:\"\\@*", *p))
			return false;
	return domain_ok(at + 1);
}

char *rulefile_name_key(const char *s)
{
	struct buf b = BUF_INIT;
	bool space = false;

	for (; *s; s++) {
		char ch = *s;

		if (ch == ' ' || ch == '\t') {
			space = b.len > 0;
			continue;
		}
		if (space)
			buf_addch(&b, ' ');
		space = false;
		buf_addch(&b, ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	return buf_detach(&b, NULL);
}

static int compile_author(struct rule_value *v, struct buf *why)
{
	const char *s = v->text, *lt = strchr(s, '<');
	char *addr = NULL;
	int rc = 0;

	/* "Name <address>": the address decides, as in a From: line. */
	if (lt) {
		const char *gt = strchr(lt, '>');

		if (!gt || gt[1]) {
			buf_adds(why, "is not 'Name <address>'");
			return ERR_PERM;
		}
		addr = xmemdup0(lt + 1, (size_t)(gt - lt - 1));
		s = addr;
	}
	if (!strchr(s, '@')) {
		if (strchr(s, '*')) {
			buf_adds(why, "holds a '*': only *@domain takes one");
			rc = ERR_PERM;
		} else {
			v->key = rulefile_name_key(s);
			v->kind = RULE_AUTHOR_NAME;
		}
	} else if (!strncmp(s, "*@", 2)) {
		if (!domain_ok(s + 2)) {
			buf_adds(why, "is not *@domain");
			rc = ERR_PERM;
		} else {
			v->key = rulefile_lower(s + 2);
			v->kind = RULE_AUTHOR_DOMAIN;
		}
	} else if (strchr(s, '*')) {
		buf_adds(why, "holds a '*': only *@domain takes one");
		rc = ERR_PERM;
	} else if (!address_ok(s)) {
		buf_adds(why, "is not a mail address (local@domain)");
		rc = ERR_PERM;
	} else {
		v->key = rulefile_lower(s);
		v->kind = RULE_AUTHOR_ADDRESS;
	}
	free(addr);
	return rc;
}

static int compile_keyword(struct rule_value *v, struct buf *why)
{
	if (strlen(v->text) < RULEFILE_MIN_KEYWORD_BYTES) {
		buf_addf(why,
			 "is shorter than %u bytes: it would match nearly "
			 "every diff",
			 RULEFILE_MIN_KEYWORD_BYTES);
		return ERR_PERM;
	}
	v->key = xstrdup(v->text);
	return 0;
}

static void value_release(struct rule_value *v)
{
	free(v->text);
	free(v->key);
	glob_free(v->glob);
	memset(v, 0, sizeof(*v));
}

/* Check and compile one value; false (reported) when it is refused. */
static bool compile_value(struct checker *c, cfg_t *sec, const char *opt,
			  enum rule_crit crit, struct rule_value *v)
{
	struct buf why = BUF_INIT;
	size_t len = strlen(v->text);
	char q[128];
	int rc = ERR_PERM;

	if (!len)
		buf_adds(&why, "is empty");
	else if (len > RULEFILE_MAX_PATTERN_BYTES)
		buf_addf(&why, "is longer than %u bytes",
			 RULEFILE_MAX_PATTERN_BYTES);
	else if (has_control(v->text))
		buf_adds(&why, "holds a control character");
	else if (!utf8_valid(v->text, len))
		buf_adds(&why, "is not valid UTF-8");
	else {
		switch (crit) {
		case RULE_LISTS:
			rc = compile_list(c, v, &why);
			break;
		case RULE_SECTIONS:
			rc = compile_section(c, v, &why);
			break;
		case RULE_PATHS:
			rc = compile_path(v, &why);
			break;
		case RULE_SUBJECT:
			rc = compile_subject(v, &why);
			break;
		case RULE_AUTHORS:
			rc = compile_author(v, &why);
			break;
		case RULE_KEYWORDS:
			rc = compile_keyword(v, &why);
			break;
		case RULE_NR_CRITS:
			BUG("rulefile: criterion %d", crit);
		}
	}
	if (rc)
		bad(c, sec, v->line, "%s '%s' %s", opt,
		    quote(q, sizeof(q), v->text), why.data);
	buf_release(&why);
	return rc == 0;
}

/* Compile the values of one list option of a rule into vals. */
static void take_values(struct checker *c, cfg_t *sec, const char *opt,
			enum rule_crit crit, struct rule_values *vals)
{
	unsigned n = cfg_size(sec, opt);

	/*
	 * Exactly as many as given (XGROW's minimum of 8 would triple the
	 * memory of 10,000 subscribers' rules, which mostly hold one to
	 * three values a criterion).
	 */
	if (n)
		vals->v = xcalloc(n, sizeof(*vals->v));
	vals->alloc = n;
	for (unsigned i = 0; i < n; i++) {
		const struct raw_value *raw = cfg_getnptr(sec, opt, i);
		struct rule_value v;

		if (!raw)
			continue;
		if (c->rf->nr_values >= RULEFILE_MAX_PATTERNS) {
			if (!c->values_full)
				bad(c, sec, raw->line,
				    "too many values: a rule file holds at "
				    "most %u in all its rules",
				    RULEFILE_MAX_PATTERNS);
			c->values_full = true;
			return;
		}
		c->rf->nr_values++;
		memset(&v, 0, sizeof(v));
		v.text = xstrdup(raw->text);
		v.line = raw->line;
		if (!compile_value(c, sec, opt, crit, &v)) {
			value_release(&v);
			continue;
		}
		vals->v[vals->nr++] = v;
	}
}

static void check_rule(struct checker *c, cfg_t *sec, struct rule *r)
{
	struct cfgparse *p = c->p;
	const char *title = cfg_title(sec);
	bool any = false, given = false;
	long reviews;

	r->name = xstrdup(title ? title : "");
	r->line = cfgparse_line(p, sec, NULL);
	if (!title || !*title)
		bad(c, sec, r->line, "a rule needs a name: rule \"NAME\" { }");
	else if (strlen(title) > RULEFILE_MAX_NAME_BYTES)
		bad(c, sec, r->line, "the name is longer than %u bytes",
		    RULEFILE_MAX_NAME_BYTES);
	else if (has_control(title) || !utf8_valid(title, strlen(title)))
		bad(c, sec, r->line,
		    "the name holds a control character or is not UTF-8");

	for (int k = 0; k < RULE_NR_CRITS; k++) {
		take_values(c, sec, crit_names[k], (enum rule_crit)k,
			    &r->inc[k]);
		take_values(c, sec, exclude_names[k], (enum rule_crit)k,
			    &r->exc[k]);
		if (cfg_size(sec, crit_names[k]))
			given = true;
		if (r->inc[k].nr)
			any = true;
	}
	/* Quiet when the criteria given were refused one by one. */
	if (!any && !given && !cfgparse_damaged(p, sec))
		bad(c, sec, r->line,
		    "selects nothing: give at least one of lists, sections, "
		    "paths, subject, authors or keywords (a rule with only "
		    "exclusions would match every series)");

	r->rfc = (enum rule_rfc)cfg_getint(sec, "rfc");
	r->versions = (enum rule_versions)cfg_getint(sec, "versions");
	reviews = cfg_getint(sec, "min-reviews");
	if (reviews > RULEFILE_MAX_MIN_REVIEWS) {
		bad(c, sec, cfgparse_line(p, sec, "min-reviews"),
		    "min-reviews is at most %u", RULEFILE_MAX_MIN_REVIEWS);
		reviews = 0;
	}
	r->min_reviews = (unsigned)reviews;
	if (cfgparse_given(p, sec, "rfc"))
		r->rfc_line = cfgparse_line(p, sec, "rfc");
	if (cfgparse_given(p, sec, "versions"))
		r->versions_line = cfgparse_line(p, sec, "versions");
	if (cfgparse_given(p, sec, "min-reviews"))
		r->min_reviews_line = cfgparse_line(p, sec, "min-reviews");
}

static void check_document(struct checker *c)
{
	cfg_t *root = c->p->cfg;
	unsigned n = cfg_size(root, "rule");
	struct rulefile *rf = c->rf;

	check_digest(c, cfg_getsec(root, "digest"));
	if (!n && !cfgparse_damaged(c->p, root))
		cfgparse_errorf(c->p, 0,
				"no rule: add one or more rule \"NAME\" { ... "
				"} blocks");
	if (n > RULEFILE_MAX_RULES) {
		cfg_t *extra = cfg_getnsec(root, "rule", RULEFILE_MAX_RULES);

		cfgparse_errorf(c->p, cfgparse_line(c->p, extra, NULL),
				"too many rules: %u, at most %u (this is "
				"rule %u)",
				n, RULEFILE_MAX_RULES, RULEFILE_MAX_RULES + 1);
		n = RULEFILE_MAX_RULES;
	}
	rf->rules = xcalloc(n + 1, sizeof(*rf->rules));
	for (unsigned i = 0; i < n; i++) {
		check_rule(c, cfg_getnsec(root, "rule", i), &rf->rules[i]);
		rf->nr_rules++;
	}
}

/* --- the whole file ------------------------------------------------------- */

int rulefile_parse(struct rulefile **out, const char *name, const char *text,
		   size_t len, const struct rulefile_options *opts,
		   struct buf *errors)
{
	static const struct rulefile_options none = {0};
	struct cfgparse p;
	struct checker c;
	int rc;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.p = &p;
	c.opts = opts ? opts : &none;
	c.rf = xcalloc(1, sizeof(*c.rf));
	c.rf->maintainers = c.opts->maintainers;

	cfgparse_init(&p, name);
	rc = cfgparse_buf(&p, root_opts, text, len, RULEFILE_MAX_BYTES,
			  CFGPARSE_NO_ENV);
	if (rc == 0)
		check_document(&c);
	if (rc == 0 && cfgparse_nerrors(&p))
		rc = ERR_PERM;
	if (rc) {
		cfgparse_report(&p, errors);
		rulefile_free(c.rf);
	} else {
		buf_add(errors, c.notes.data, c.notes.len);
		*out = c.rf;
	}
	buf_release(&c.notes);
	cfgparse_release(&p);
	return rc;
}

static void values_release(struct rule_values *vals)
{
	for (size_t k = 0; k < vals->nr; k++)
		value_release(&vals->v[k]);
	free(vals->v);
	memset(vals, 0, sizeof(*vals));
}

void rulefile_free(struct rulefile *rf)
{
	if (!rf)
		return;
	for (size_t i = 0; i < rf->nr_rules; i++) {
		struct rule *r = &rf->rules[i];

		free(r->name);
		for (int k = 0; k < RULE_NR_CRITS; k++) {
			values_release(&r->inc[k]);
			values_release(&r->exc[k]);
		}
	}
	free(rf->rules);
	free(rf->digest.timezone);
	free(rf);
}
