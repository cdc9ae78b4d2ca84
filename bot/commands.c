/*
 * commands.c: what the commands of command.h do, in one transaction per
 * mail (commands.h has the rules).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "autoreply.h"
#include "bounds.h"
#include "command.h"
#include "commands.h"
#include "compose.h"
#include "config.h"
#include "digest_job.h"
#include "err.h"
#include "log.h"
#include "message.h"
#include "preview.h"
#include "replies.h"
#include "rulefile.h"
#include "store.h"
#include "subscriptions.h"
#include "template.h"
#include "token.h"
#include "utf8.h"
#include "xalloc.h"

/* The name rule files get in error lines ("rules:3: ..."). */
#define RULES_NAME "rules"
/* Bytes of an offending line quoted back in an error reply. */
#define QUOTED_LINE_MAX 200

/* One mail being handled. */
struct ctx {
	struct commands *c;
	const struct message *m; /* NULL: the web's one-click */
	const char *from;	 /* where replies go */
	int64_t now;
	int64_t replies_left;
	struct commands_result *res;
	struct rulefile_options opts;
	struct rulefile_list *lists; /* owned, for opts */
	bool joined;		     /* in the caller's transaction */
};

static void say(struct ctx *x, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Set the result's line (the first said wins: the outcome). */
static void say(struct ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->res->what[0])
		return;
	va_start(ap, fmt);
	vsnprintf(x->res->what, sizeof(x->res->what), fmt, ap);
	va_end(ap);
}

static void fmt_time(char out[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(out, 32, "?");
}

static const char *const weekdays[] = {"Sunday",    "Monday",	"Tuesday",
				       "Wednesday", "Thursday", "Friday",
				       "Saturday"};

/* When the digests of d come, for people: "daily at 07:00 (UTC)". */
static void schedule_text(struct buf *out, const struct rulefile_digest *d)
{
	const char *tz = d->timezone ? d->timezone : "UTC";

	switch (d->frequency) {
	case RULEFILE_FREQ_HOURLY:
		buf_adds(out, "hourly, on the hour");
		break;
	case RULEFILE_FREQ_DAILY:
		buf_addf(out, "daily at %02d:%02d (%s)", d->hour, d->minute,
			 tz);
		break;
	case RULEFILE_FREQ_WEEKLY:
		buf_addf(out, "weekly, %ss at %02d:%02d (%s)",
			 weekdays[(unsigned)d->weekday % 7], d->hour, d->minute,
			 tz);
		break;
	case RULEFILE_FREQ_IMMEDIATE:
		buf_adds(out, "as soon as a series matches");
		break;
	}
	if (d->format == RULEFILE_FORMAT_HTML)
		buf_adds(out, ", in HTML");
	else if (d->format == RULEFILE_FORMAT_BOTH)
		buf_adds(out, ", in text and HTML");
	if (d->max_bytes)
		buf_addf(out, ", at most %zu KiB", d->max_bytes >> 10);
	if (d->send_empty)
		buf_adds(out, ", even when nothing matched");
}

/* "paths: a, b" for one criterion's values. */
static void criterion_text(struct buf *out, const char *prefix,
			   enum rule_crit k, const struct rule_values *v)
{
	size_t i;

	buf_reset(out);
	buf_addf(out, "%s%s: ", prefix, rule_crit_name(k));
	for (i = 0; i < v->nr; i++)
		buf_addf(out, "%s%s", i ? ", " : "", v->v[i].text);
}

/* What rf says, as rule-summary.txt shows it. */
static void set_rules_data(struct tdata *d, const struct rulefile *rf)
{
	struct buf b = BUF_INIT;
	struct tdata *rules = tdata_set_list(d, "rules"), *r, *crit;
	size_t i;
	int k;

	schedule_text(&b, &rf->digest);
	tdata_set_str(d, "schedule", b.data);
	for (i = 0; i < rf->nr_rules; i++) {
		const struct rule *ru = &rf->rules[i];

		r = tdata_list_add_object(rules);
		tdata_set_str(r, "name", ru->name);
		crit = tdata_set_list(r, "criteria");
		for (k = 0; k < RULE_NR_CRITS; k++) {
			if (ru->inc[k].nr) {
				criterion_text(&b, "", (enum rule_crit)k,
					       &ru->inc[k]);
				tdata_list_add_str(crit, b.data);
			}
			if (ru->exc[k].nr) {
				criterion_text(&b, "exclude-",
					       (enum rule_crit)k, &ru->exc[k]);
				tdata_list_add_str(crit, b.data);
			}
		}
		if (ru->rfc == RULE_RFC_NO)
			tdata_list_add_str(crit, "RFC series: left out");
		else if (ru->rfc == RULE_RFC_ONLY)
			tdata_list_add_str(crit, "RFC series only");
		tdata_list_add_str(crit, ru->versions == RULE_VERSIONS_ALL
						 ? "versions: every one"
						 : "versions: the newest");
		if (ru->min_reviews) {
			buf_reset(&b);
			buf_addf(&b, "at least %u review%s", ru->min_reviews,
				 ru->min_reviews == 1 ? "" : "s");
			tdata_list_add_str(crit, b.data);
		}
	}
	buf_release(&b);
}

/* Each line of text[0..len) as an element of list key. */
static void set_lines(struct tdata *d, const char *key, const char *text,
		      size_t len)
{
	struct tdata *l = tdata_set_list(d, key);
	const char *p = text, *end = text + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		tdata_list_add_strn(l, p, (size_t)(nl - p));
		p = nl + 1;
	}
}

/* Line n (1-based) of text, cut at QUOTED_LINE_MAX between characters;
 * *len_out 0 and NULL when there is none. */
static const char *nth_line(size_t *len_out, const char *text, size_t len,
			    long n)
{
	const char *p = text, *end = text + len, *nl;
	size_t l, k, cut = 0;

	*len_out = 0;
	for (; n > 1 && p < end; n--) {
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	if (n != 1 || p >= end)
		return NULL;
	nl = memchr(p, '\n', (size_t)(end - p));
	l = (size_t)((nl ? nl : end) - p);
	while (cut < l && cut < QUOTED_LINE_MAX) {
		k = utf8_seq_len(p + cut, l - cut);
		if (!k || cut + k > QUOTED_LINE_MAX)
			break;
		cut += k;
	}
	*len_out = cut;
	return p;
}

/*
 * rulefile_parse()'s lines ("rules:3: message", "rules: message",
 * "rules: note: ...") as error.txt shows them: each error with its line
 * number and the line itself.
 */
static size_t set_errors(struct tdata *d, const char *errors, const char *text,
			 size_t len)
{
	static const char prefix[] = RULES_NAME ":";
	struct tdata *errs = tdata_set_list(d, "errors");
	struct tdata *notes = tdata_set_list(d, "notes"), *e;
	const char *p = errors, *nl, *msg;
	size_t count = 0, ql;
	long line;
	char *endp;

	for (; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (strncmp(p, prefix, sizeof(prefix) - 1))
			continue;
		msg = p + sizeof(prefix) - 1;
		line = strtol(msg, &endp, 10);
		if (endp != msg && *endp == ':' && line > 0) {
			msg = endp + 1;
		} else {
			line = 0;
		}
		while (*msg == ' ')
			msg++;
		if (!line && !strncmp(msg, "note: ", 6)) {
			tdata_list_add_strn(
				notes, msg + 6,
				(size_t)((nl ? nl : msg + strlen(msg)) - msg -
					 6));
			continue;
		}
		e = tdata_list_add_object(errs);
		tdata_set_strn(e, "message", msg,
			       (size_t)((nl ? nl : msg + strlen(msg)) - msg));
		if (line) {
			const char *q = nth_line(&ql, text, len, line);

			tdata_set_int(e, "line", line);
			if (q && ql)
				tdata_set_strn(e, "text", q, ql);
		}
		count++;
	}
	tdata_set_bool(d, "has_errors", count > 0);
	tdata_set_bool(d, "has_notes", tdata_list_len(notes) > 0);
	tdata_set_int(d, "count", (int64_t)count);
	tdata_set_bool(d, "plural", count != 1);
	return count;
}

/*
 * Queue the reply rendered from template name with data d, when the
 * sender has replies left this hour. Only the store's errors are
 * returned: a reply that cannot be made is logged and left out, and the
 * command still takes effect.
 */
static int queue_reply(struct ctx *x, const char *name, struct tdata *d,
		       const char *subject, int64_t subscriber)
{
	const struct config *cfg = x->c->cfg;
	struct replies r = {x->c->templates, cfg};
	struct reply rep;
	struct store_outbox o = STORE_OUTBOX_INIT;
	struct buf mail = BUF_INIT;
	char *id = NULL;
	int rc;

	if (x->replies_left <= 0) {
		log_info("commands: %s: no reply (%s): %u replies an hour "
			 "reached",
			 x->from, name, cfg->limits.replies_per_hour);
		return 0;
	}
	memset(&rep, 0, sizeof(rep));
	rep.name = name;
	rep.data = d;
	rep.to = x->from;
	rep.subject = subject;
	rep.in_reply_to = x->m ? x->m->mail.message_id : NULL;
	rep.date = x->now;
	rc = replies_compose(&mail, &id, &r, &rep);
	if (rc) {
		log_warnx("commands: %s: the %s reply could not be made",
			  x->from, name);
		buf_release(&mail);
		return 0;
	}
	o.subscriber = subscriber;
	o.kind = OUTBOX_REPLY;
	o.message_id = id;
	o.envelope_from = cfg->smtp.envelope_from ? cfg->smtp.envelope_from
						  : cfg->bot.address;
	o.recipient = (char *)x->from;
	o.mail = mail.data;
	o.mail_len = mail.len;
	rc = store_outbox_enqueue(NULL, x->c->st, &o, x->now);
	if (rc == 0)
		rc = store_mail_log_add(x->c->st, x->from, MAIL_LOG_OUT,
					x->now);
	if (rc == 0) {
		x->replies_left--;
		x->res->replies++;
	}
	free(id);
	buf_release(&mail);
	return rc;
}

/* A notice.txt reply with section flag on (d may be NULL). */
static int notice(struct ctx *x, const char *flag, struct tdata *d,
		  const char *subject, int64_t subscriber)
{
	struct tdata *own = d ? NULL : tdata_object_new();
	int rc;

	if (!d)
		d = own;
	tdata_set_bool(d, flag, true);
	rc = queue_reply(x, "notice", d, subject, subscriber);
	tdata_free(own);
	return rc;
}

static char *subject_of(struct ctx *x, const char *what)
{
	const struct config *cfg = x->c->cfg;

	return xasprintf("%s: %s",
			 cfg->bot.name ? cfg->bot.name : "patchletter", what);
}

/* A notice with its own Subject ("patchletter: WHAT"). */
static int notice_about(struct ctx *x, const char *flag, struct tdata *d,
			const char *what, int64_t subscriber)
{
	char *subject = subject_of(x, what);
	int rc = notice(x, flag, d, subject, subscriber);

	free(subject);
	return rc;
}

/* The error reply for a rule file that did not parse (errors: its
 * lines), or for a mail that held none (errors NULL). */
static int reply_errors(struct ctx *x, const struct command *cmd,
			const char *errors, bool in_force, int64_t subscriber)
{
	struct tdata *d = tdata_object_new();
	char *subject = subject_of(x, errors ? "errors in your rule file"
					     : "no rule file in your mail");
	int rc;

	tdata_set_bool(d, "none", !errors);
	tdata_set_bool(d, "in_force", in_force);
	tdata_set_bool(d, "attached", cmd->rules_attached);
	if (errors)
		set_errors(d, errors, cmd->rules, cmd->rules_len);
	rc = queue_reply(x, "error", d, subject, subscriber);
	free(subject);
	tdata_free(d);
	return rc;
}

/* The error reply for a stored rule file that no longer parses. */
static int reply_stored_errors(struct ctx *x, const struct command *cmd,
			       const struct store_rulefile *rf,
			       const char *errors, bool in_force)
{
	struct command again = *cmd;

	again.rules = rf->text;
	again.rules_len = rf->text_len;
	again.rules_attached = false;
	return reply_errors(x, &again, errors, in_force, rf->subscriber);
}

/* --- the commands ------------------------------------------------------ */

static int do_help(struct ctx *x, const struct command *cmd)
{
	const struct config *cfg = x->c->cfg;
	struct tdata *d = tdata_object_new(), *lists, *l;
	char *subject = subject_of(x, "help");
	size_t i;
	int rc;

	if (cmd->verb == COMMAND_UNKNOWN && cmd->word[0])
		tdata_set_str(d, "unknown", cmd->word);
	tdata_set_bool(d, "has_lists", cfg->nlists > 0);
	lists = tdata_set_list(d, "lists");
	for (i = 0; i < cfg->nlists; i++) {
		l = tdata_list_add_object(lists);
		tdata_set_str(l, "name", cfg->lists[i].name);
		tdata_set_str(l, "list_id", cfg->lists[i].list_id);
	}
	rc = queue_reply(x, "help", d, subject, 0);
	say(x, cmd->verb == COMMAND_HELP ? "help: sent"
					 : "not a command: help sent");
	free(subject);
	tdata_free(d);
	return rc;
}

/* Parse a rule file as the bot checks mailed ones. */
static int parse_rules(struct rulefile **out, struct buf *errors, struct ctx *x,
		       const char *text, size_t len)
{
	return rulefile_parse(out, RULES_NAME, text, len, &x->opts, errors);
}

static int do_subscribe(struct ctx *x, const struct command *cmd)
{
	const struct config *cfg = x->c->cfg;
	struct store_subscriber sub = STORE_SUBSCRIBER_INIT;
	struct store_rulefile prop = STORE_RULEFILE_INIT;
	struct store_rulefile active = STORE_RULEFILE_INIT;
	struct rulefile *rf = NULL;
	struct buf errors = BUF_INIT;
	struct tdata *d = NULL;
	char token[TOKEN_CHARS + 1], hash[TOKEN_HASH_CHARS + 1];
	char expires[32], subject[64];
	int64_t id, count;
	bool is_new;
	int rc;

	rc = store_subscriber_find(&sub, x->c->st, x->from);
	if (rc && rc != ERR_NOTFOUND)
		goto out;
	is_new = rc == ERR_NOTFOUND || sub.status == SUBSCRIBER_PENDING;
	if (rc == 0) {
		rc = store_rulefile_active(&active, x->c->st, sub.id);
		if (rc && rc != ERR_NOTFOUND)
			goto out;
	}
	rc = 0;
	if (!cmd->rules ||
	    parse_rules(&rf, &errors, x, cmd->rules, cmd->rules_len)) {
		rc = reply_errors(x, cmd, cmd->rules ? errors.data : NULL,
				  active.id > 0, sub.id);
		say(x, "subscribe: %s; nothing changed",
		    cmd->rules ? "rule file with errors" : "no rule file");
		goto out;
	}
	/* A proposal nobody can confirm would only wait for nothing. */
	if (x->replies_left <= 0) {
		say(x, "subscribe: no reply left this hour; nothing changed");
		goto out;
	}
	if (!sub.id) {
		rc = store_subscribers_count(&count, x->c->st);
		if (rc)
			goto out;
		if (count >= (int64_t)cfg->limits.subscribers) {
			d = tdata_object_new();
			tdata_set_int(d, "limit", count);
			rc = notice_about(x, "full", d, "subscribe", 0);
			say(x,
			    "subscribe: %lld subscribers, the limit: "
			    "refused",
			    (long long)count);
			goto out;
		}
		rc = token_new(token);
		if (rc == 0)
			rc = store_subscriber_add(&id, x->c->st, x->from,
						  SUBSCRIBER_PENDING, x->now);
		if (rc == 0)
			rc = store_subscriber_set_token(x->c->st, id, token);
		if (rc == 0)
			rc = store_subscriber_load(&sub, x->c->st, id);
		if (rc)
			goto out;
	}
	rc = token_new(token);
	if (rc)
		goto out;
	token_hash(hash, token);
	rc = store_rulefile_withdraw(NULL, x->c->st, sub.id);
	if (rc)
		goto out;
	prop.subscriber = sub.id;
	prop.text = (char *)cmd->rules;
	prop.text_len = cmd->rules_len;
	prop.created = x->now;
	prop.state = RULEFILE_PROPOSED;
	prop.token_hash = hash;
	prop.token_expires = x->now + (int64_t)cfg->limits.confirm_secs;
	rc = store_rulefile_add(&id, x->c->st, &prop);
	prop.text = NULL;
	prop.token_hash = NULL;
	if (rc)
		goto out;
	d = tdata_object_new();
	tdata_set_bool(d, "new", is_new);
	tdata_set_str(d, "token", token);
	fmt_time(expires, x->now + (int64_t)cfg->limits.confirm_secs);
	tdata_set_str(d, "expires", expires);
	set_rules_data(d, rf);
	/* "confirm TOKEN": a plain reply keeps it ("Re: confirm ..."). */
	snprintf(subject, sizeof(subject), "confirm %s", token);
	rc = queue_reply(x, "confirmation", d, subject, sub.id);
	say(x,
	    "subscribe: rule file %lld proposed (%zu rule%s), "
	    "confirmation sent",
	    (long long)id, rf->nr_rules, rf->nr_rules == 1 ? "" : "s");
out:
	tdata_free(d);
	rulefile_free(rf);
	buf_release(&errors);
	store_rulefile_release(&active);
	store_subscriber_release(&sub);
	return rc;
}

static int do_confirm(struct ctx *x, const struct command *cmd)
{
	struct store_rulefile rf = STORE_RULEFILE_INIT;
	struct store_subscriber sub = STORE_SUBSCRIBER_INIT;
	struct rulefile *parsed = NULL;
	struct buf errors = BUF_INIT;
	struct tdata *d = NULL;
	char hash[TOKEN_HASH_CHARS + 1], when[32], *subject = NULL;
	bool was_pending;
	int rc;

	if (cmd->token[0]) {
		token_hash(hash, cmd->token);
		rc = store_rulefile_by_token(&rf, x->c->st, hash);
	} else {
		rc = ERR_NOTFOUND;
	}
	if (rc == 0)
		rc = store_subscriber_load(&sub, x->c->st, rf.subscriber);
	if (rc == ERR_NOTFOUND) {
		rc = notice_about(x, "token_unknown", NULL,
				  "no such confirmation", 0);
		say(x, "confirm: no request waits for that token");
		goto out;
	}
	if (rc)
		goto out;
	/* The proof is that the token comes back from where it went. */
	if (strcasecmp(sub.address, x->from) != 0) {
		rc = notice_about(x, "wrong_address", NULL,
				  "confirm from the address asked", 0);
		say(x,
		    "confirm: token of subscriber %lld from another "
		    "address; nothing changed",
		    (long long)sub.id);
		goto out;
	}
	if (rf.token_expires <= x->now) {
		rc = store_rulefile_withdraw(NULL, x->c->st, sub.id);
		if (rc)
			goto out;
		d = tdata_object_new();
		fmt_time(when, rf.token_expires);
		tdata_set_str(d, "expired_on", when);
		rc = notice_about(x, "expired", d, "confirmation expired",
				  sub.id);
		say(x, "confirm: rule file %lld expired; withdrawn",
		    (long long)rf.id);
		goto out;
	}
	/* It parsed when proposed; the configuration may have changed. */
	if (parse_rules(&parsed, &errors, x, rf.text, rf.text_len)) {
		rc = store_rulefile_withdraw(NULL, x->c->st, sub.id);
		if (rc == 0)
			rc = reply_stored_errors(x, cmd, &rf, errors.data,
						 false);
		say(x, "confirm: rule file %lld no longer parses; withdrawn",
		    (long long)rf.id);
		goto out;
	}
	was_pending = sub.status == SUBSCRIBER_PENDING;
	rc = store_rulefile_activate(x->c->st, rf.id);
	if (rc == 0 && was_pending)
		rc = store_subscriber_set_status(x->c->st, sub.id,
						 SUBSCRIBER_ACTIVE);
	if (rc)
		goto out;
	x->c->changed = true;
	d = tdata_object_new();
	tdata_set_bool(d, "new", was_pending);
	tdata_set_bool(d, "paused", sub.status == SUBSCRIBER_PAUSED);
	set_rules_data(d, parsed);
	subject = subject_of(x, was_pending ? "welcome" : "your new rules");
	rc = queue_reply(x, "welcome", d, subject, sub.id);
	say(x, "confirm: rule file %lld in force for subscriber %lld%s",
	    (long long)rf.id, (long long)sub.id,
	    was_pending ? ", now active" : "");
out:
	free(subject);
	tdata_free(d);
	rulefile_free(parsed);
	buf_release(&errors);
	store_subscriber_release(&sub);
	store_rulefile_release(&rf);
	return rc;
}

/* unsubscribe, pause, resume: with the subscriber's token, or asking. */
static int do_token_command(struct ctx *x, const struct command *cmd)
{
	const char *verb = command_name(cmd->verb);
	struct store_subscriber sub = STORE_SUBSCRIBER_INIT;
	struct tdata *d = tdata_object_new();
	char token[TOKEN_CHARS + 1], subject[64];
	int rc;

	tdata_set_str(d, "verb", verb);
	if (!cmd->token[0]) {
		/* Who asks without the token gets it, at their address. */
		rc = store_subscriber_find(&sub, x->c->st, x->from);
		if (rc == ERR_NOTFOUND) {
			rc = notice_about(x, "not_subscribed", d, verb, 0);
			say(x, "%s: not a subscriber", verb);
			goto out;
		}
		if (rc == 0)
			rc = subscriptions_token(token, x->c->st, &sub);
		if (rc)
			goto out;
		tdata_set_str(d, "token", token);
		snprintf(subject, sizeof(subject), "%s %s", verb, token);
		rc = notice(x, "token_needed", d, subject, sub.id);
		say(x, "%s: no token; the command with it sent", verb);
		goto out;
	}
	rc = store_subscriber_by_token(&sub, x->c->st, cmd->token);
	if (rc == ERR_NOTFOUND) {
		rc = notice_about(x, "subscriber_unknown", d, verb, 0);
		say(x, "%s: no subscriber has that token", verb);
		goto out;
	}
	if (rc)
		goto out;
	tdata_set_str(d, "address", sub.address);
	if (cmd->verb == COMMAND_UNSUBSCRIBE) {
		rc = store_subscriber_delete(x->c->st, sub.id);
		if (rc == 0)
			rc = notice_about(x, "unsubscribed", d, "unsubscribed",
					  0);
		say(x, "unsubscribe: subscriber %lld removed",
		    (long long)sub.id);
	} else if (sub.status == SUBSCRIBER_PENDING) {
		rc = notice_about(x, "not_confirmed", d, verb, sub.id);
		say(x, "%s: subscriber %lld not confirmed yet", verb,
		    (long long)sub.id);
		goto out;
	} else {
		bool pause = cmd->verb == COMMAND_PAUSE;

		rc = store_subscriber_set_status(x->c->st, sub.id,
						 pause ? SUBSCRIBER_PAUSED
						       : SUBSCRIBER_ACTIVE);
		if (rc == 0)
			rc = notice_about(x, pause ? "paused" : "resumed", d,
					  pause ? "paused" : "resumed", sub.id);
		say(x, "%s: subscriber %lld %s", verb, (long long)sub.id,
		    pause ? "paused" : "active");
	}
	if (rc == 0)
		x->c->changed = true;
out:
	tdata_free(d);
	store_subscriber_release(&sub);
	return rc;
}

static const char *const status_words[] = {
	[SUBSCRIBER_PENDING] = "waiting for confirmation",
	[SUBSCRIBER_ACTIVE] = "active",
	[SUBSCRIBER_PAUSED] = "paused",
};

static int do_show(struct ctx *x)
{
	struct store_subscriber sub = STORE_SUBSCRIBER_INIT;
	struct store_rulefile active = STORE_RULEFILE_INIT;
	struct store_rulefile *hist = NULL;
	struct rulefile *rf = NULL;
	struct buf errors = BUF_INIT;
	struct tdata *d = tdata_object_new();
	char when[32], *subject = NULL;
	size_t nr = 0, i;
	int rc;

	rc = store_subscriber_find(&sub, x->c->st, x->from);
	if (rc == ERR_NOTFOUND) {
		rc = notice_about(x, "not_subscribed", d, "show", 0);
		say(x, "show: not a subscriber");
		goto out;
	}
	if (rc == 0)
		rc = store_rulefile_active(&active, x->c->st, sub.id);
	if (rc == 0 || rc == ERR_NOTFOUND)
		rc = store_rulefile_history(&hist, &nr, x->c->st, sub.id, 10);
	if (rc)
		goto out;
	tdata_set_str(d, "status", status_words[sub.status]);
	fmt_time(when, sub.created);
	tdata_set_str(d, "since", when);
	if (sub.last_digest_at) {
		fmt_time(when, sub.last_digest_at);
		tdata_set_str(d, "last_digest", when);
	}
	for (i = 0; i < nr; i++) {
		if (hist[i].state == RULEFILE_PROPOSED &&
		    hist[i].token_expires > x->now) {
			fmt_time(when, hist[i].created);
			tdata_set_str(d, "pending", when);
			break;
		}
	}
	/* The file as it was sent, and what the bot makes of it now. */
	if (active.id &&
	    !parse_rules(&rf, &errors, x, active.text, active.text_len)) {
		tdata_set_bool(d, "has_rules", true);
		set_rules_data(d, rf);
		fmt_time(when, active.created);
		tdata_set_str(d, "accepted", when);
		set_lines(d, "rule_lines", active.text, active.text_len);
	}
	subject = subject_of(x, "your rules");
	rc = queue_reply(x, "show", d, subject, sub.id);
	say(x, "show: sent");
out:
	free(subject);
	rulefile_free(rf);
	buf_release(&errors);
	store_rulefiles_free(hist, nr);
	store_rulefile_release(&active);
	store_subscriber_release(&sub);
	tdata_free(d);
	return rc;
}

static int do_preview(struct ctx *x, const struct command *cmd)
{
	struct store_subscriber sub = STORE_SUBSCRIBER_INIT;
	struct store_rulefile active = STORE_RULEFILE_INIT;
	struct rulefile *rf = NULL;
	struct buf errors = BUF_INIT;
	struct digest_made made;
	struct digest_job j;
	struct tdata *d = NULL;
	char from[32], until[32], *subject = NULL;
	int rc = 0;

	digest_made_init(&made);
	/* Nothing to do but answer: no answer left, nothing done. */
	if (x->replies_left <= 0) {
		say(x, "preview: no reply left this hour");
		goto out;
	}
	if (cmd->rules) {
		if (parse_rules(&rf, &errors, x, cmd->rules, cmd->rules_len)) {
			rc = reply_errors(x, cmd, errors.data, false, 0);
			say(x, "preview: rule file with errors");
			goto out;
		}
	} else {
		rc = store_subscriber_find(&sub, x->c->st, x->from);
		if (rc == 0)
			rc = store_rulefile_active(&active, x->c->st, sub.id);
		if (rc == ERR_NOTFOUND) {
			rc = notice_about(x, "no_rules", NULL, "preview", 0);
			say(x, "preview: no rule file sent, none in force");
			goto out;
		}
		if (rc)
			goto out;
		if (parse_rules(&rf, &errors, x, active.text,
				active.text_len)) {
			rc = reply_stored_errors(x, cmd, &active, errors.data,
						 true);
			say(x, "preview: the rules in force no longer parse");
			goto out;
		}
	}
	j.st = x->c->st;
	j.cfg = x->c->cfg;
	j.templates = x->c->templates;
	j.subs = NULL;
	j.html = false;
	rc = preview_compose(&made, &j, x->c->maintainers, rf, x->from, x->now);
	if (rc) {
		/* The store's trouble is the caller's; the rest is ours. */
		if (rc == ERR_TEMP || rc == ERR_FAIL)
			goto out;
		rc = 0;
		say(x, "preview: the digest could not be made");
		goto out;
	}
	d = tdata_object_new();
	tdata_set_bool(d, "attached", cmd->rules != NULL);
	fmt_time(from, x->now - PREVIEW_WINDOW_SECS);
	fmt_time(until, x->now);
	tdata_set_strf(d, "period", "%s to %s", from, until);
	tdata_set_int(d, "series", (int64_t)made.series);
	tdata_set_strn(d, "digest", made.text.data, made.text.len);
	subject = xasprintf("%s: preview, %zu series in 7 days",
			    x->c->cfg->bot.name ? x->c->cfg->bot.name
						: "patchletter",
			    made.series);
	rc = queue_reply(x, "preview", d, subject, sub.id);
	say(x, "preview: %zu series, sent", made.series);
out:
	free(subject);
	tdata_free(d);
	digest_made_release(&made);
	rulefile_free(rf);
	buf_release(&errors);
	store_rulefile_release(&active);
	store_subscriber_release(&sub);
	return rc;
}

static int do_command(struct ctx *x, const struct command *cmd)
{
	switch (cmd->verb) {
	case COMMAND_SUBSCRIBE:
		return do_subscribe(x, cmd);
	case COMMAND_CONFIRM:
		return do_confirm(x, cmd);
	case COMMAND_UNSUBSCRIBE:
	case COMMAND_PAUSE:
	case COMMAND_RESUME:
		return do_token_command(x, cmd);
	case COMMAND_SHOW:
		return do_show(x);
	case COMMAND_PREVIEW:
		return do_preview(x, cmd);
	case COMMAND_HELP:
	case COMMAND_UNKNOWN:
		break;
	}
	return do_help(x, cmd);
}

/* --- one mail ------------------------------------------------------------ */

/* Forget what no limit looks at any more: old log entries, and the
 * subscriptions never confirmed. */
static int tidy(struct ctx *x)
{
	const struct config *cfg = x->c->cfg;
	int64_t gone = 0;
	int rc;

	rc = store_mail_log_prune(NULL, x->c->st,
				  x->now - COMMANDS_RATE_WINDOW_SECS);
	if (rc == 0)
		rc = store_subscribers_expire(
			&gone, x->c->st,
			x->now - (int64_t)cfg->limits.confirm_secs, x->now);
	if (rc == 0 && gone)
		log_info("commands: %lld subscriptions never confirmed "
			 "forgotten",
			 (long long)gone);
	return rc;
}

/* Count the sender's commands and replies; 1 when over the limit. */
static int rate_check(bool *throttled, struct ctx *x)
{
	const struct config *cfg = x->c->cfg;
	int64_t since = x->now - COMMANDS_RATE_WINDOW_SECS, in = 0, out = 0;
	int rc;

	rc = store_mail_log_count(&in, x->c->st, x->from, MAIL_LOG_IN, since);
	if (rc == 0)
		rc = store_mail_log_count(&out, x->c->st, x->from, MAIL_LOG_OUT,
					  since);
	if (rc)
		return rc;
	*throttled = in >= (int64_t)cfg->limits.commands_per_hour;
	x->replies_left = (int64_t)cfg->limits.replies_per_hour - out;
	return 0;
}

static void ctx_init(struct ctx *x, struct commands *c,
		     struct commands_result *res, int64_t now)
{
	memset(x, 0, sizeof(*x));
	memset(res, 0, sizeof(*res));
	x->c = c;
	x->now = now;
	x->res = res;
	subscriptions_rule_options(&x->opts, &x->lists, c->cfg, c->maintainers);
}

/*
 * End the transaction: commit when rc is 0, else roll back; a caller's
 * transaction (x->joined) is the caller's to end.
 */
static int finish(struct ctx *x, int rc)
{
	if (x->joined)
		;
	else if (rc == 0)
		rc = store_commit(x->c->st);
	else if (store_in_transaction(x->c->st))
		store_rollback(x->c->st);
	free(x->lists);
	return rc;
}

int commands_handle(struct commands_result *out, struct commands *c,
		    const struct message *m, size_t len, int64_t now)
{
	const struct config *cfg = c->cfg;
	struct autoreply_self self = {cfg->bot.address,
				      cfg->smtp.envelope_from};
	struct commands_result scratch;
	enum autoreply_verdict v;
	struct command cmd;
	struct ctx x;
	char id[128], from[128];
	bool throttled = false;
	int rc;

	ctx_init(&x, c, out ? out : &scratch, now);
	x.m = m;
	x.from = m->mail.from.address;
	log_escape(id, sizeof(id), m->mail.message_id,
		   strlen(m->mail.message_id));
	log_escape(from, sizeof(from), x.from, strlen(x.from));
	v = autoreply_check(&m->mail, &self);
	if (v != AUTOREPLY_OK || !compose_address_valid(x.from)) {
		x.res->status = COMMANDS_IGNORED;
		say(&x, "not answered: %s",
		    v != AUTOREPLY_OK ? autoreply_reason(v)
				      : "a sender address mail cannot go to");
		log_info("commands: <%s> from %s: %s", id, from, x.res->what);
		free(x.lists);
		return 0;
	}
	x.joined = store_in_transaction(c->st);
	rc = x.joined ? 0 : store_begin(c->st);
	if (rc) {
		free(x.lists);
		return rc;
	}
	rc = rate_check(&throttled, &x);
	if (rc == 0 && throttled) {
		x.res->status = COMMANDS_THROTTLED;
		say(&x, "dropped: %u commands an hour reached",
		    cfg->limits.commands_per_hour);
	} else if (rc == 0) {
		rc = store_mail_log_add(c->st, x.from, MAIL_LOG_IN, now);
		command_parse(&cmd, &m->mail);
		x.res->verb = cmd.verb;
		if (rc == 0 && len > COMMAND_MAX_BYTES) {
			struct tdata *d = tdata_object_new();

			tdata_set_int(d, "size", (int64_t)len);
			tdata_set_int(d, "max", COMMAND_MAX_BYTES);
			rc = notice_about(&x, "too_big", d, "mail too large",
					  0);
			say(&x, "%zu bytes, over %u: not read", len,
			    COMMAND_MAX_BYTES);
			tdata_free(d);
		} else if (rc == 0) {
			rc = do_command(&x, &cmd);
		}
	}
	/* After the command, so that an expired request is told as one. */
	if (rc == 0)
		rc = tidy(&x);
	rc = finish(&x, rc);
	if (rc == 0)
		log_info("commands: <%s> from %s: %s (%u repl%s queued)", id,
			 from, x.res->what, x.res->replies,
			 x.res->replies == 1 ? "y" : "ies");
	return rc;
}

int commands_unsubscribe_token(struct commands_result *out, struct commands *c,
			       const char *token, int64_t now)
{
	struct store_subscriber sub = STORE_SUBSCRIBER_INIT;
	struct commands_result scratch;
	struct tdata *d = NULL;
	struct ctx x;
	bool throttled;
	int rc;

	ctx_init(&x, c, out ? out : &scratch, now);
	x.res->verb = COMMAND_UNSUBSCRIBE;
	if (!token_valid(token)) {
		free(x.lists);
		return ERR_NOTFOUND;
	}
	rc = store_begin(c->st);
	if (rc) {
		free(x.lists);
		return rc;
	}
	rc = store_subscriber_by_token(&sub, c->st, token);
	if (rc == 0) {
		/* The notice goes to the subscriber: there is no sender. */
		x.from = sub.address;
		rc = rate_check(&throttled, &x);
	}
	if (rc == 0)
		rc = store_subscriber_delete(c->st, sub.id);
	if (rc == 0) {
		d = tdata_object_new();
		tdata_set_str(d, "address", sub.address);
		rc = notice_about(&x, "unsubscribed", d, "unsubscribed", 0);
		say(&x, "unsubscribe: subscriber %lld removed (one-click)",
		    (long long)sub.id);
		c->changed = true;
	}
	if (rc == 0)
		rc = tidy(&x);
	tdata_free(d);
	rc = finish(&x, rc);
	if (rc == 0)
		log_info("commands: one-click: %s", x.res->what);
	store_subscriber_release(&sub);
	return rc;
}
