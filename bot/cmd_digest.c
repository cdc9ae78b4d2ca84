/*
 * cmd_digest.c: `patchletter digest`: render a digest to stdout, without
 * sending it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "config.h"
#include "digest.h"
#include "digest_job.h"
#include "err.h"
#include "maintainers.h"
#include "maintainers_source.h"
#include "subscriptions.h"
#include "log.h"
#include "store.h"
#include "template.h"
#include "template_dir.h"
#include "xalloc.h"

/* "YYYY-MM-DD" as midnight UTC, or -1. */
static int64_t parse_day(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end)
		return -1;
	return (int64_t)timegm(&tm);
}

/*
 * A subscriber's next digest, as it would go out now: the series matched
 * since their last digest, by their rules. With mail, the whole mail.
 */
static int subscriber_digest(const struct cli_globals *g,
			     const char *address, bool mail, bool html)
{
	struct subscriptions subs = SUBSCRIPTIONS_INIT;
	const struct subscription *sub = NULL;
	struct store_subscriber found = STORE_SUBSCRIBER_INIT;
	struct store_match *m = NULL;
	struct maintainers *maint = NULL;
	struct tpl_dir *templates = NULL;
	struct config cfg = {0};
	struct store *st = NULL;
	struct buf errors = BUF_INIT;
	struct digest_job j;
	struct digest_made d;
	int64_t now = cli_now(g);
	size_t nm = 0, matched;
	int ex, rc = 0;

	digest_made_init(&d);
	ex = cli_config(&cfg, g);
	if (ex == 0)
		ex = cli_store(&st, g, &cfg, false);
	if (ex == 0 && tpl_dir_load(&templates, cli_templates_dir(g, &cfg),
				    &errors)) {
		fputs(errors.data, stderr);
		ex = EX_CONFIG;
	}
	if (ex == 0) {
		rc = maintainers_source_load(&maint, NULL, &cfg.maintainers,
					     &errors);
		if (rc == ERR_NOTFOUND)
			rc = 0;
	}
	if (ex == 0 && rc == 0)
		rc = subscriptions_load(&subs, st, &cfg, maint);
	if (ex == 0 && rc == 0) {
		rc = store_subscriber_find(&found, st, address);
		if (rc == 0)
			sub = subscriptions_find(&subs, found.id);
		if (rc == ERR_NOTFOUND || (rc == 0 && (!sub || !sub->rf))) {
			fprintf(stderr, "patchletter digest: %s has no rules "
					"in force\n",
				address);
			ex = EX_NOUSER;
			rc = 0;
		}
	}
	j.st = st;
	j.cfg = &cfg;
	j.templates = templates;
	j.subs = &subs;
	j.html = html;
	if (ex == 0 && rc == 0)
		rc = digest_job_match(&matched, &j, now);
	if (ex == 0 && rc == 0)
		rc = store_matches_unreported(&m, &nm, st, found.id);
	if (ex == 0 && rc == 0)
		rc = digest_job_compose(
			&d, &j, sub, m, nm,
			found.last_digest_at ? found.last_digest_at
					     : found.created,
			now);
	if (ex == 0 && rc == 0) {
		if (mail)
			fwrite(d.mail.data, 1, d.mail.len, stdout);
		else if (html)
			fwrite(d.html.data, 1, d.html.len, stdout);
		else
			fwrite(d.text.data, 1, d.text.len, stdout);
	}
	if (ex == 0 && rc)
		ex = EX_SOFTWARE;
	digest_made_release(&d);
	store_matches_free(m, nm);
	store_subscriber_release(&found);
	subscriptions_release(&subs);
	maintainers_free(maint);
	tpl_dir_free(templates);
	buf_release(&errors);
	store_close(st);
	config_release(&cfg);
	return ex;
}

int cmd_digest(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"since", required_argument, NULL, 's'},
		{"list", required_argument, NULL, 'l'},
		{"html", no_argument, NULL, 'H'},
		{"mail", no_argument, NULL, 'M'},
		{NULL, 0, NULL, 0},
	};
	struct store_ids ids = STORE_IDS_INIT;
	struct store_series s = STORE_SERIES_INIT;
	struct digest_request req;
	struct digest_item *items = NULL;
	struct config cfg = {0};
	struct tpl_dir *templates = NULL;
	struct tdata *data = NULL;
	struct store *st = NULL;
	struct buf out = BUF_INIT, errors = BUF_INIT;
	const char *title = NULL;
	char *list_title = NULL; /* owned, from the store */
	int64_t since = 0, first = 0, last = 0;
	size_t i, n = 0;
	bool html = false, mail = false;
	int opt, ex, rc = 0;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 's') {
			since = parse_day(optarg);
			if (since < 0) {
				fprintf(stderr, "patchletter digest: --since "
						"wants YYYY-MM-DD\n");
				return EX_USAGE;
			}
		} else if (opt == 'l') {
			title = optarg;
		} else if (opt == 'H') {
			html = true;
		} else if (opt == 'M') {
			mail = true;
		} else {
			return EX_USAGE;
		}
	}
	if (optind == argc - 1)
		return subscriber_digest(g, argv[optind], mail, html);
	if (optind != argc)
		return EX_USAGE;
	ex = cli_config(&cfg, g);
	if (ex == 0)
		ex = cli_store(&st, g, &cfg, false);
	if (ex == 0 && tpl_dir_load(&templates, cli_templates_dir(g, &cfg),
				    &errors)) {
		fputs(errors.data, stderr);
		ex = EX_CONFIG;
	}
	/* The newest of each family, active in the period. */
	if (ex == 0)
		rc = store_series_list(&ids, st, false);
	items = xcalloc(ids.nr + 1, sizeof(*items));
	for (i = 0; ex == 0 && rc == 0 && i < ids.nr; i++) {
		rc = store_series_load(&s, st, ids.v[i]);
		if (rc || s.last_date < since)
			continue;
		items[n].series = s.id;
		items[n].rule = "all";
		items[n].matched = "every series of the list";
		n++;
		if (!first || s.first_date < first)
			first = s.first_date;
		if (s.last_date > last)
			last = s.last_date;
		if (!title && !list_title && s.list_id)
			list_title = xstrdup(s.list_id);
	}
	if (ex == 0 && rc == 0) {
		memset(&req, 0, sizeof(req));
		req.list_title = title ? title
				 : list_title ? list_title
					      : "mailing list";
		req.rule_names = "all";
		req.period_start = since ? since : first;
		req.period_end = last > since ? last : cli_now(g);
		req.items = items;
		req.nr_items = n;
		rc = digest_build(&data, st, &req);
		if (rc == 0)
			rc = digest_render(&out, templates, data, html);
		if (rc == 0)
			fwrite(out.data, 1, out.len, stdout);
	}
	if (ex == 0 && rc)
		ex = EX_SOFTWARE;
	tdata_free(data);
	free(items);
	free(list_title);
	buf_release(&out);
	buf_release(&errors);
	tpl_dir_free(templates);
	store_series_release(&s);
	store_ids_release(&ids);
	store_close(st);
	config_release(&cfg);
	return ex;
}
