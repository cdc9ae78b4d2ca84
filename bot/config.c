/*
 * config.c: the operator's configuration: the libconfuse schema, and the
 * checks that turn a parsed document into struct config. The only module
 * that knows the operator configuration's libconfuse types; cfgparse.c
 * collects the errors.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <confuse.h>

#include "bounds.h"
#include "buf.h"
#include "cfgparse.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "xalloc.h"

#ifndef PATCHLETTER_TEMPLATES_DIR
#define PATCHLETTER_TEMPLATES_DIR "/usr/share/patchletter/templates"
#endif
#define DEFAULT_STATE_DIR "/var/lib/patchletter"

/* Counts an operator may configure: any sane one fits an unsigned int. */
#define COUNT_MAX 1000000000L

#define MINUTE 60L
#define HOUR   (60 * MINUTE)
#define DAY    (24 * HOUR)

/* --- the schema ---------------------------------------------------------- */

static const char *const tls_names[] = {"implicit", "starttls", "none", NULL};
static const char *const smtp_tls_names[] = {"required", "none", NULL};
enum { SMTP_TLS_REQUIRED, SMTP_TLS_NONE };
/* In enum log_level's order. */
static const char *const log_level_names[] = {"quiet", "warn", "info", "debug",
					      NULL};

static int parse_tls(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		     void *result)
{
	return cfgparse_enum(cfg, opt, value, result, tls_names);
}

static int parse_smtp_tls(cfg_t *cfg, cfg_opt_t *opt, const char *value,
			  void *result)
{
	return cfgparse_enum(cfg, opt, value, result, smtp_tls_names);
}

static int parse_log_level(cfg_t *cfg, cfg_opt_t *opt, const char *value,
			   void *result)
{
	return cfgparse_enum(cfg, opt, value, result, log_level_names);
}

/*
 * The defaults here are the documented ones: packaging/patchletter.conf
 * says why each was chosen, and test_config checks the two agree.
 */
static cfg_opt_t bot_opts[] = {
	CFG_STR("address", NULL, CFGPARSE_REQUIRED),
	CFG_STR("name", "patchletter", CFGF_NONE),
	CFG_STR("owner", NULL, CFGF_NONE),
	CFG_STR("state-dir", DEFAULT_STATE_DIR, CFGF_NONE),
	CFG_STR("templates-dir", PATCHLETTER_TEMPLATES_DIR, CFGF_NONE),
	CFG_STR("unsubscribe-url", NULL, CFGF_NONE),
	CFG_INT_CB("log-level", LOG_LEVEL_INFO, CFGF_NONE, parse_log_level),
	CFG_END(),
};

static cfg_opt_t list_opts[] = {
	CFG_STR("list-id", NULL, CFGPARSE_REQUIRED),
	CFG_STR("address", NULL, CFGF_NONE),
	CFG_STR("archive-url", NULL, CFGF_NONE),
	CFG_END(),
};

static cfg_opt_t imap_opts[] = {
	CFG_STR("host", NULL, CFGPARSE_REQUIRED),
	CFG_INT_CB("port", 0, CFGF_NONE, cfgparse_uint), /* 0: by tls */
	CFG_INT_CB("tls", CONFIG_TLS_IMPLICIT, CFGF_NONE, parse_tls),
	CFG_STR("ca-file", NULL, CFGF_NONE),
	CFG_STR("user", NULL, CFGPARSE_REQUIRED),
	CFG_STR("password-file", NULL, CFGPARSE_REQUIRED),
	CFG_STR_LIST("mailboxes", NULL, CFGF_NONE), /* none: INBOX */
	CFG_BOOL_CB("read-only", cfg_true, CFGF_NONE, cfgparse_bool),
	CFG_INT_CB("idle-interval", 29 * MINUTE, CFGF_NONE, cfgparse_duration),
	CFG_INT_CB("poll-interval", 5 * MINUTE, CFGF_NONE, cfgparse_duration),
	CFG_INT_CB("batch-size", 500, CFGF_NONE, cfgparse_uint),
	CFG_INT_CB("timeout", 60, CFGF_NONE, cfgparse_duration),
	CFG_END(),
};

static cfg_opt_t archive_opts[] = {
	CFG_STR("path", NULL, CFGF_NONE),
	CFG_STR("url", NULL, CFGF_NONE),
	CFG_INT_CB("fetch-interval", 10 * MINUTE, CFGF_NONE, cfgparse_duration),
	CFG_STR("list", NULL, CFGPARSE_REQUIRED),
	CFG_END(),
};

static cfg_opt_t smtp_opts[] = {
	CFG_STR("url", NULL, CFGPARSE_REQUIRED),
	CFG_INT_CB("tls", SMTP_TLS_REQUIRED, CFGF_NONE, parse_smtp_tls),
	CFG_STR("ca-file", NULL, CFGF_NONE),
	CFG_STR("user", NULL, CFGF_NONE),
	CFG_STR("password-file", NULL, CFGF_NONE),
	CFG_STR("envelope-from", NULL, CFGF_NONE),
	CFG_INT_CB("timeout", 60, CFGF_NONE, cfgparse_duration),
	CFG_END(),
};

static cfg_opt_t maintainers_opts[] = {
	CFG_STR("file", NULL, CFGF_NONE),
	CFG_STR("git", NULL, CFGF_NONE),
	CFG_STR("ref", "HEAD", CFGF_NONE),
	CFG_INT_CB("reload-interval", HOUR, CFGF_NONE, cfgparse_duration),
	CFG_END(),
};

static cfg_opt_t limits_opts[] = {
	CFG_INT_CB("subscribers", 10000, CFGF_NONE, cfgparse_uint),
	CFG_INT_CB("commands-per-hour", 20, CFGF_NONE, cfgparse_uint),
	CFG_INT_CB("replies-per-hour", 10, CFGF_NONE, cfgparse_uint),
	CFG_INT_CB("digest-max-bytes", 1L << 20, CFGF_NONE, cfgparse_size),
	CFG_INT_CB("digest-max-series", 300, CFGF_NONE, cfgparse_uint),
	CFG_INT_CB("confirm-timeout", 7 * DAY, CFGF_NONE, cfgparse_duration),
	CFG_INT_CB("outbox-expiry", 4 * DAY, CFGF_NONE, cfgparse_duration),
	CFG_END(),
};

static cfg_opt_t root_opts[] = {
	CFG_SEC("bot", bot_opts,
		CFGF_MULTI | CFGPARSE_SINGLE | CFGPARSE_REQUIRED),
	CFG_SEC("list", list_opts, CFGF_MULTI | CFGF_TITLE),
	CFG_SEC("imap", imap_opts, CFGF_MULTI | CFGF_TITLE),
	CFG_SEC("archive", archive_opts, CFGF_MULTI | CFGF_TITLE),
	CFG_SEC("smtp", smtp_opts, CFGF_MULTI | CFGPARSE_SINGLE),
	CFG_SEC("maintainers", maintainers_opts, CFGF_MULTI | CFGPARSE_SINGLE),
	CFG_SEC("limits", limits_opts, CFGF_MULTI | CFGPARSE_SINGLE),
	CFG_END(),
};

const char *config_tls_name(enum config_tls tls)
{
	switch (tls) {
	case CONFIG_TLS_IMPLICIT:
	case CONFIG_TLS_STARTTLS:
	case CONFIG_TLS_NONE:
		return tls_names[tls];
	}
	return "?";
}

/* --- checks ------------------------------------------------------------ */

/* Report at the line of option name in sec, with sec named. */
static void PRINTF_LIKE(4, 5) bad(struct cfgparse *p, cfg_t *sec,
				  const char *name, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	cfgparse_describe(&msg, sec);
	buf_adds(&msg, ": ");
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	cfgparse_errorf(p, cfgparse_line(p, sec, name), "%s", msg.data);
	buf_release(&msg);
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/*
 * A string option, copied; NULL when not set. Control characters are
 * refused everywhere: values end up in mail headers (CR LF would inject
 * headers), file names and URLs. An empty value is refused too.
 */
static char *take_str(struct cfgparse *p, cfg_t *sec, const char *name)
{
	const char *v = cfg_getstr(sec, name);

	if (!v)
		return NULL;
	if (!*v) {
		/* Quiet when an unset ${VARIABLE} was reported there. */
		if (!cfgparse_has_error(p, cfgparse_line(p, sec, name)))
			bad(p, sec, name,
			    "%s is empty; give a value or remove the line",
			    name);
		return NULL;
	}
	if (has_control(v)) {
		bad(p, sec, name, "%s holds a control character", name);
		return NULL;
	}
	return xstrdup(v);
}

static void check_path(struct cfgparse *p, cfg_t *sec, const char *name,
		       const char *v)
{
	if (v && v[0] != '/')
		bad(p, sec, name,
		    "%s must be an absolute path (the daemon does not run "
		    "where you are now), not '%s'",
		    name, v);
}

/* addr-spec without comments or quoting: LOCAL@DOMAIN, one "@". */
static bool valid_address(const char *v)
{
	const char *at = strchr(v, '@'), *s;

	if (!at || at == v || strchr(at + 1, '@') || !at[1])
		return false;
	for (s = v; s < at; s++)
		if (isspace((unsigned char)*s) || strchr("<>()[],;:\"\\", *s))
			return false;
	if (at[1] == '.' || at[1] == '-' || v[strlen(v) - 1] == '.' ||
	    strstr(at, ".."))
		return false;
	for (s = at + 1; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '-')
			return false;
	return true;
}

static void check_address(struct cfgparse *p, cfg_t *sec, const char *name,
			  const char *v)
{
	if (v && !valid_address(v))
		bad(p, sec, name,
		    "%s '%s' is not a mail address (local@domain, one '@', "
		    "no name or <>)",
		    name, v);
}

/*
 * Whether v is one of the schemes ("https", ...), "://" and a host; a
 * file:// URL has a path instead (file:///srv/...).
 */
static bool has_scheme(const char *v, const char *const *schemes)
{
	const char *rest;
	size_t n;

	for (; *schemes; schemes++) {
		n = strlen(*schemes);
		if (strncasecmp(v, *schemes, n) || strncmp(v + n, "://", 3))
			continue;
		rest = v + n + 3;
		if (!strcmp(*schemes, "file") ? rest[0] == '/'
					      : rest[0] && rest[0] != '/')
			return true;
	}
	return false;
}

static void check_url(struct cfgparse *p, cfg_t *sec, const char *name,
		      const char *v, const char *const *schemes,
		      const char *expected)
{
	if (v && !has_scheme(v, schemes))
		bad(p, sec, name, "%s '%s' is not %s", name, v, expected);
}

static void strip_trailing_slashes(char *v)
{
	size_t n;

	if (!v)
		return;
	n = strlen(v);
	while (n > 1 && v[n - 1] == '/')
		v[--n] = '\0';
}

/*
 * A value given in the file must lie in [min, max]; the defaults do. why
 * completes "NAME must be ...".
 */
static bool in_range(struct cfgparse *p, cfg_t *sec, const char *name, long min,
		     long max, const char *why)
{
	long v = cfg_getint(sec, name);

	if (v >= min && v <= max)
		return true;
	if (cfgparse_given(p, sec, name))
		bad(p, sec, name, "%s must be %s", name, why);
	return false;
}

static unsigned int get_uint(cfg_t *sec, const char *name)
{
	long v = cfg_getint(sec, name);

	return v < 0 ? 0 : v > UINT_MAX ? UINT_MAX : (unsigned int)v;
}

/*
 * Section titles name lists in rule files and archives in file names
 * (STATE_DIR/archives/NAME.git): keep them to a safe alphabet.
 */
static void check_title(struct cfgparse *p, cfg_t *sec)
{
	const char *t = cfg_title(sec), *s;

	for (s = t; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			break;
	if (!*t || *s || t[0] == '.' || strlen(t) > 64)
		bad(p, sec, NULL,
		    "the name must be 1 to 64 letters, digits, '.', '_' or "
		    "'-', not starting with '.'");
}

/* RFC 2919: list-label "." list-id-namespace, dot-atom text. */
static bool valid_list_id(const char *v)
{
	const char *s;

	if (!strchr(v, '.') || v[0] == '.' || v[strlen(v) - 1] == '.' ||
	    strstr(v, ".."))
		return false;
	for (s = v; *s; s++)
		if (!isalnum((unsigned char)*s) &&
		    !strchr("!#$%&'*+-/=?^_`{|}~.", *s))
			return false;
	return true;
}

/* "<x.y>" or "x.y" to "x.y" in place; false when brackets do not pair. */
static bool unbracket(char *v)
{
	size_t n = strlen(v);

	if (v[0] != '<')
		return !strchr(v, '>');
	if (n < 2 || v[n - 1] != '>')
		return false;
	memmove(v, v + 1, n - 2);
	v[n - 2] = '\0';
	return true;
}

/* --- sections ---------------------------------------------------------- */

static void load_bot(struct cfgparse *p, cfg_t *sec, struct config_bot *b)
{
	static const char *const https[] = {"https", NULL};

	b->address = take_str(p, sec, "address");
	check_address(p, sec, "address", b->address);
	b->name = take_str(p, sec, "name");
	b->owner = take_str(p, sec, "owner");
	check_address(p, sec, "owner", b->owner);
	b->state_dir = take_str(p, sec, "state-dir");
	check_path(p, sec, "state-dir", b->state_dir);
	strip_trailing_slashes(b->state_dir);
	b->templates_dir = take_str(p, sec, "templates-dir");
	check_path(p, sec, "templates-dir", b->templates_dir);
	b->unsubscribe_url = take_str(p, sec, "unsubscribe-url");
	/* RFC 8058 3.1: the one-click URI must be HTTPS. */
	check_url(p, sec, "unsubscribe-url", b->unsubscribe_url, https,
		  "an https:// URL (RFC 8058 one-click unsubscription)");
	b->log_level = (enum log_level)cfg_getint(sec, "log-level");
}

static void load_list(struct cfgparse *p, cfg_t *sec, struct config_list *l,
		      const struct config *c, size_t i)
{
	static const char *const http[] = {"https", "http", NULL};
	size_t j;

	check_title(p, sec);
	l->name = xstrdup(cfg_title(sec));
	l->list_id = take_str(p, sec, "list-id");
	if (l->list_id &&
	    (!unbracket(l->list_id) || !valid_list_id(l->list_id))) {
		bad(p, sec, "list-id",
		    "list-id '%s' is not a List-Id (RFC 2919: "
		    "name.namespace, as in linux-sparse.vger.kernel.org)",
		    l->list_id);
	} else if (l->list_id) {
		for (j = 0; j < i; j++)
			if (c->lists[j].list_id &&
			    !strcasecmp(c->lists[j].list_id, l->list_id))
				bad(p, sec, "list-id",
				    "list-id %s is also the List-Id of list "
				    "'%s'",
				    l->list_id, c->lists[j].name);
	}
	l->address = take_str(p, sec, "address");
	check_address(p, sec, "address", l->address);
	l->archive_url = take_str(p, sec, "archive-url");
	check_url(p, sec, "archive-url", l->archive_url, http,
		  "an http:// or https:// URL");
	strip_trailing_slashes(l->archive_url);
}

static void load_imap(struct cfgparse *p, cfg_t *sec, struct config_imap *m)
{
	unsigned int i, n;

	check_title(p, sec);
	m->name = xstrdup(cfg_title(sec));
	m->host = take_str(p, sec, "host");
	if (m->host && (strstr(m->host, "://") || strchr(m->host, '/') ||
			strpbrk(m->host, " \t")))
		bad(p, sec, "host",
		    "host '%s' must be a host name or address, not a URL "
		    "(the port goes in port, TLS in tls)",
		    m->host);
	m->tls = (enum config_tls)cfg_getint(sec, "tls");
	/* RFC 8314: 993 for implicit TLS; 143 for STARTTLS and plain. */
	m->port = m->tls == CONFIG_TLS_IMPLICIT ? 993 : 143;
	if (cfgparse_given(p, sec, "port") &&
	    in_range(p, sec, "port", 1, 65535, "between 1 and 65535"))
		m->port = get_uint(sec, "port");
	m->ca_file = take_str(p, sec, "ca-file");
	check_path(p, sec, "ca-file", m->ca_file);
	m->user = take_str(p, sec, "user");
	m->password_file = take_str(p, sec, "password-file");
	check_path(p, sec, "password-file", m->password_file);

	n = cfg_size(sec, "mailboxes");
	m->mailboxes = xcalloc(n ? n : 1, sizeof(*m->mailboxes));
	for (i = 0; i < n; i++) {
		const char *v = cfg_getnstr(sec, "mailboxes", i);

		if (!*v || has_control(v)) {
			bad(p, sec, "mailboxes",
			    "mailboxes: value %u is empty or holds a control "
			    "character",
			    i + 1);
			continue;
		}
		m->mailboxes[m->nmailboxes++] = xstrdup(v);
	}
	if (!n)
		m->mailboxes[m->nmailboxes++] = xstrdup("INBOX");

	m->read_only = cfg_getbool(sec, "read-only");
	/*
	 * RFC 2177: a client should re-issue IDLE at least every 29 minutes,
	 * or a server may log it off after 30.
	 */
	in_range(p, sec, "idle-interval", MINUTE, 29 * MINUTE,
		 "between 1m and 29m (RFC 2177: servers may drop a client "
		 "idle for 30 minutes)");
	m->idle_secs = get_uint(sec, "idle-interval");
	in_range(p, sec, "poll-interval", 10, DAY, "between 10s and 1d");
	m->poll_secs = get_uint(sec, "poll-interval");
	in_range(p, sec, "batch-size", 1, CONFIG_MAX_IMAP_BATCH,
		 "between 1 and 10000");
	m->batch_size = get_uint(sec, "batch-size");
	in_range(p, sec, "timeout", 1, HOUR, "between 1s and 1h");
	m->timeout_secs = get_uint(sec, "timeout");
}

static void load_archive(struct cfgparse *p, cfg_t *sec,
			 struct config_archive *a, const struct config *c)
{
	static const char *const git[] = {"https", "http", "git",
					  "ssh",   "file", NULL};
	const char *list, *near = NULL;
	struct buf names = BUF_INIT;
	size_t i, d, best = 3;

	check_title(p, sec);
	a->name = xstrdup(cfg_title(sec));
	a->path = take_str(p, sec, "path");
	check_path(p, sec, "path", a->path);
	strip_trailing_slashes(a->path);
	a->url = take_str(p, sec, "url");
	check_url(p, sec, "url", a->url, git,
		  "a git URL (https://, http://, git://, ssh:// or file://)");
	if (!cfgparse_given(p, sec, "path") && !cfgparse_given(p, sec, "url") &&
	    !cfgparse_damaged(p, sec))
		bad(p, sec, NULL,
		    "needs path (a local public-inbox repository), url (one "
		    "to fetch), or both");
	if (!a->path && a->url && c->bot.state_dir)
		a->path = xasprintf("%s/archives/%s.git", c->bot.state_dir,
				    a->name);
	in_range(p, sec, "fetch-interval", 0, 7 * DAY,
		 "between 0 (never) and 7d");
	a->fetch_secs = get_uint(sec, "fetch-interval");
	if (cfgparse_given(p, sec, "fetch-interval") &&
	    !cfgparse_given(p, sec, "url"))
		bad(p, sec, "fetch-interval",
		    "fetch-interval needs url: there is nothing to fetch "
		    "from");

	list = cfg_getstr(sec, "list");
	if (!list)
		return;
	for (i = 0; i < c->nlists; i++) {
		if (!strcmp(c->lists[i].name, list)) {
			a->list = &c->lists[i];
			goto out;
		}
		d = cfgparse_distance(list, c->lists[i].name);
		if (d < best) {
			best = d;
			near = c->lists[i].name;
		}
		if (i < 8)
			buf_addf(&names, "%s%s", i ? ", " : "",
				 c->lists[i].name);
	}
	if (near)
		bad(p, sec, "list",
		    "list '%s' is not defined (did you mean '%s'?)", list,
		    near);
	else if (c->nlists)
		bad(p, sec, "list",
		    "list '%s' is not defined (the lists are: %s%s)", list,
		    names.data, c->nlists > 8 ? ", ..." : "");
	else
		bad(p, sec, "list",
		    "list '%s' is not defined (add a section: list %s { "
		    "list-id = \"...\" })",
		    list, list);
out:
	buf_release(&names);
}

static void load_smtp(struct cfgparse *p, cfg_t *sec, struct config_smtp *s,
		      const struct config *c)
{
	static const char *const smtp[] = {"smtp", "smtps", NULL};
	static const char *const smtps[] = {"smtps", NULL};
	bool implicit;

	s->url = take_str(p, sec, "url");
	check_url(p, sec, "url", s->url, smtp,
		  "an smtp:// (STARTTLS) or smtps:// (TLS) URL");
	implicit = s->url && has_scheme(s->url, smtps);
	if (implicit) {
		s->tls = CONFIG_TLS_IMPLICIT;
		if (cfg_getint(sec, "tls") == SMTP_TLS_NONE)
			bad(p, sec, "tls",
			    "tls = none contradicts an smtps:// url, which "
			    "is always TLS; use smtp:// for a plain "
			    "connection");
	} else {
		s->tls = cfg_getint(sec, "tls") == SMTP_TLS_NONE
				 ? CONFIG_TLS_NONE
				 : CONFIG_TLS_STARTTLS;
	}
	s->ca_file = take_str(p, sec, "ca-file");
	check_path(p, sec, "ca-file", s->ca_file);
	s->user = take_str(p, sec, "user");
	s->password_file = take_str(p, sec, "password-file");
	check_path(p, sec, "password-file", s->password_file);
	if (cfgparse_given(p, sec, "user") &&
	    !cfgparse_given(p, sec, "password-file"))
		bad(p, sec, "user", "user needs password-file");
	if (cfgparse_given(p, sec, "password-file") &&
	    !cfgparse_given(p, sec, "user"))
		bad(p, sec, "password-file", "password-file needs user");
	s->envelope_from = take_str(p, sec, "envelope-from");
	check_address(p, sec, "envelope-from", s->envelope_from);
	if (!s->envelope_from && !cfgparse_given(p, sec, "envelope-from") &&
	    c->bot.address)
		s->envelope_from = xstrdup(c->bot.address);
	in_range(p, sec, "timeout", 1, HOUR, "between 1s and 1h");
	s->timeout_secs = get_uint(sec, "timeout");
}

static void load_maintainers(struct cfgparse *p, cfg_t *sec,
			     struct config_maintainers *m)
{
	bool file = cfgparse_given(p, sec, "file");
	bool git = cfgparse_given(p, sec, "git");

	m->file = take_str(p, sec, "file");
	check_path(p, sec, "file", m->file);
	m->git = take_str(p, sec, "git");
	check_path(p, sec, "git", m->git);
	if (file && git)
		bad(p, sec, "git",
		    "file and git exclude each other (file is on line %d): "
		    "read MAINTAINERS from a file or from a git repository",
		    cfgparse_line(p, sec, "file"));
	if (cfgparse_given(p, sec, "ref") && !git)
		bad(p, sec, "ref", "ref is only for git");
	m->ref = take_str(p, sec, "ref");
	in_range(p, sec, "reload-interval", MINUTE, 7 * DAY,
		 "between 1m and 7d");
	m->reload_secs = get_uint(sec, "reload-interval");
}

static void load_limits(struct cfgparse *p, cfg_t *sec, struct config_limits *l)
{
	in_range(p, sec, "subscribers", 1, COUNT_MAX, "at least 1");
	l->subscribers = get_uint(sec, "subscribers");
	in_range(p, sec, "commands-per-hour", 1, COUNT_MAX, "at least 1");
	l->commands_per_hour = get_uint(sec, "commands-per-hour");
	in_range(p, sec, "replies-per-hour", 1, COUNT_MAX, "at least 1");
	l->replies_per_hour = get_uint(sec, "replies-per-hour");
	/* A digest is a mail: it must fit what the bot itself accepts. */
	in_range(p, sec, "digest-max-bytes", 4096, MAIL_MAX_BYTES,
		 "between 4k and 64M");
	l->digest_max_bytes = (size_t)cfg_getint(sec, "digest-max-bytes");
	in_range(p, sec, "digest-max-series", 1, COUNT_MAX, "at least 1");
	l->digest_max_series = get_uint(sec, "digest-max-series");
	in_range(p, sec, "confirm-timeout", HOUR, 90 * DAY,
		 "between 1h and 90d");
	l->confirm_secs = get_uint(sec, "confirm-timeout");
	in_range(p, sec, "outbox-expiry", HOUR, 30 * DAY, "between 1h and 30d");
	l->outbox_expiry_secs = get_uint(sec, "outbox-expiry");
}

static void load(struct cfgparse *p, struct config *c)
{
	cfg_t *root = p->cfg;
	size_t i;

	/* CFGPARSE_SINGLE sections exist now, with their defaults. */
	load_bot(p, cfg_getsec(root, "bot"), &c->bot);

	c->nlists = cfg_size(root, "list");
	c->lists = xcalloc(c->nlists + 1, sizeof(*c->lists));
	for (i = 0; i < c->nlists; i++)
		load_list(p, cfg_getnsec(root, "list", (unsigned int)i),
			  &c->lists[i], c, i);

	c->nimaps = cfg_size(root, "imap");
	c->imaps = xcalloc(c->nimaps + 1, sizeof(*c->imaps));
	for (i = 0; i < c->nimaps; i++)
		load_imap(p, cfg_getnsec(root, "imap", (unsigned int)i),
			  &c->imaps[i]);

	c->narchives = cfg_size(root, "archive");
	c->archives = xcalloc(c->narchives + 1, sizeof(*c->archives));
	for (i = 0; i < c->narchives; i++)
		load_archive(p, cfg_getnsec(root, "archive", (unsigned int)i),
			     &c->archives[i], c);

	if (cfgparse_line(p, cfg_getsec(root, "smtp"), NULL))
		load_smtp(p, cfg_getsec(root, "smtp"), &c->smtp, c);
	load_maintainers(p, cfg_getsec(root, "maintainers"), &c->maintainers);
	load_limits(p, cfg_getsec(root, "limits"), &c->limits);
}

int config_load_buf(struct config *out, const char *name, const char *text,
		    size_t len, struct buf *errors)
{
	struct cfgparse p;
	int rc;

	memset(out, 0, sizeof(*out));
	cfgparse_init(&p, name);
	/*
	 * The operator's own file: ${VAR} is allowed (see config.h), but a
	 * variable that is not set is an error rather than "".
	 */
	rc = cfgparse_buf(&p, root_opts, text, len, CONFIG_MAX_BYTES,
			  CFGPARSE_ENV_STRICT);
	if (!rc) {
		out->path = xstrdup(name);
		load(&p, out);
	}
	if (cfgparse_nerrors(&p)) {
		cfgparse_report(&p, errors);
		config_release(out);
		if (!rc)
			rc = ERR_PERM;
	}
	cfgparse_release(&p);
	return rc;
}

/*
 * Read a whole file of at most max bytes into out. Returns 0, ERR_LIMIT,
 * or the failing call's errno as a negative error with errno set.
 */
static int read_file(struct buf *out, int fd, size_t max)
{
	char chunk[8192];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ERR_FAIL;
		}
		if (n == 0)
			return 0;
		if (buf_try_add(out, chunk, (size_t)n) || out->len > max) {
			explicit_bzero(chunk, sizeof(chunk));
			return ERR_LIMIT;
		}
		explicit_bzero(chunk, sizeof(chunk));
	}
}

int config_load(struct config *out, const char *path, struct buf *errors)
{
	struct buf text;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	if (!path)
		path = CONFIG_DEFAULT_PATH;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		buf_addf(errors, "%s: %s\n", path, strerror(errno));
		return errno == ENOENT ? ERR_NOTFOUND : ERR_FAIL;
	}
	buf_init(&text, CONFIG_MAX_BYTES + 1);
	rc = read_file(&text, fd, CONFIG_MAX_BYTES);
	if (rc == ERR_LIMIT)
		buf_addf(errors, "%s: larger than %u bytes\n", path,
			 CONFIG_MAX_BYTES);
	else if (rc)
		buf_addf(errors, "%s: %s\n", path, strerror(errno));
	close(fd);
	if (!rc)
		rc = config_load_buf(out, path, text.data, text.len, errors);
	buf_release(&text);
	return rc;
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void config_release(struct config *c)
{
	size_t i;

	free(c->path);
	free(c->bot.address);
	free(c->bot.name);
	free(c->bot.owner);
	free(c->bot.state_dir);
	free(c->bot.templates_dir);
	free(c->bot.unsubscribe_url);
	for (i = 0; i < c->nlists; i++) {
		free(c->lists[i].name);
		free(c->lists[i].list_id);
		free(c->lists[i].address);
		free(c->lists[i].archive_url);
	}
	free(c->lists);
	for (i = 0; i < c->nimaps; i++) {
		struct config_imap *m = &c->imaps[i];

		free(m->name);
		free(m->host);
		free(m->ca_file);
		free(m->user);
		free(m->password_file);
		free_strv(m->mailboxes, m->nmailboxes);
	}
	free(c->imaps);
	for (i = 0; i < c->narchives; i++) {
		free(c->archives[i].name);
		free(c->archives[i].path);
		free(c->archives[i].url);
	}
	free(c->archives);
	free(c->smtp.url);
	free(c->smtp.ca_file);
	free(c->smtp.user);
	free(c->smtp.password_file);
	free(c->smtp.envelope_from);
	free(c->maintainers.file);
	free(c->maintainers.git);
	free(c->maintainers.ref);
	memset(c, 0, sizeof(*c));
}

const struct config_list *config_list_by_name(const struct config *c,
					      const char *name)
{
	size_t i;

	for (i = 0; i < c->nlists; i++)
		if (!strcmp(c->lists[i].name, name))
			return &c->lists[i];
	return NULL;
}

const struct config_list *config_list_by_id(const struct config *c,
					    const char *list_id)
{
	size_t i, n = strlen(list_id);

	if (n >= 2 && list_id[0] == '<' && list_id[n - 1] == '>') {
		list_id++;
		n -= 2;
	}
	for (i = 0; i < c->nlists; i++)
		if (c->lists[i].list_id && strlen(c->lists[i].list_id) == n &&
		    !strncasecmp(c->lists[i].list_id, list_id, n))
			return &c->lists[i];
	return NULL;
}

/* --- secrets ------------------------------------------------------------- */

int config_read_secret(struct buf *out, const char *path)
{
	struct buf raw;
	struct stat st;
	const char *nl;
	size_t len;
	int fd, rc;

	/*
	 * O_NONBLOCK: a FIFO put in place of the file must not hang the
	 * daemon; it is refused below as not a regular file.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = errno == ENOENT ? ERR_NOTFOUND : ERR_FAIL;
		return errorf(rc, "config: %s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		rc = errorf(ERR_FAIL, "config: %s: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	/* The same rules as msmtp's for its password files. */
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return errorf(ERR_PERM, "config: %s: not a regular file", path);
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		return errorf(ERR_PERM,
			      "config: %s: group or others can access it "
			      "(mode %04o); refusing a password file that "
			      "is not private: chmod 600 it",
			      path, (unsigned int)(st.st_mode & 07777));
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		close(fd);
		return errorf(ERR_PERM,
			      "config: %s: owned by uid %u, not by this user "
			      "(uid %u) or root",
			      path, (unsigned int)st.st_uid,
			      (unsigned int)geteuid());
	}
	if (st.st_size > SECRET_MAX_BYTES) {
		close(fd);
		return errorf(ERR_LIMIT, "config: %s: larger than %d bytes",
			      path, SECRET_MAX_BYTES);
	}

	buf_init(&raw, SECRET_MAX_BYTES + 1);
	rc = read_file(&raw, fd, SECRET_MAX_BYTES);
	close(fd);
	if (rc == ERR_LIMIT) {
		rc = errorf(ERR_LIMIT, "config: %s: larger than %d bytes", path,
			    SECRET_MAX_BYTES);
		goto out;
	}
	if (rc) {
		rc = errorf(ERR_FAIL, "config: %s: %s", path, strerror(errno));
		goto out;
	}
	nl = memchr(raw.data, '\n', raw.len);
	len = nl ? (size_t)(nl - raw.data) : raw.len;
	if (len && raw.data[len - 1] == '\r')
		len--;
	if (memchr(raw.data, '\0', len)) {
		/* SASL PLAIN separates its fields with NUL (RFC 4616). */
		rc = errorf(ERR_PERM,
			    "config: %s: the password holds a NUL "
			    "byte",
			    path);
		goto out;
	}
	if (!len) {
		rc = errorf(ERR_PERM, "config: %s: the first line is empty",
			    path);
		goto out;
	}
	buf_add(out, raw.data, len);
	rc = 0;
out:
	explicit_bzero(raw.data, raw.len);
	buf_release(&raw);
	return rc;
}

void config_secret_release(struct buf *secret)
{
	explicit_bzero(secret->data, secret->len);
	buf_release(secret);
}
