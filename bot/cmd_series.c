/*
 * cmd_series.c: `patchletter series`: the series and their state.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "cli.h"
#include "config.h"
#include "json.h"
#include "store.h"

static void json_edges(struct json *j, const struct store_edge *v, size_t nr,
		       bool superseding)
{
	size_t i;

	json_array_begin(j);
	for (i = 0; i < nr; i++) {
		json_object_begin(j);
		json_key(j, "series");
		json_int(j, superseding ? v[i].new_series : v[i].old_series);
		json_key(j, "evidence");
		json_string(j, v[i].evidence);
		if (v[i].detail) {
			json_key(j, "detail");
			json_string(j, v[i].detail);
		}
		json_object_end(j);
	}
	json_array_end(j);
}

/* Who replied to a series, and the trailers they gave, per patch. */
struct activity {
	struct person *repliers;
	size_t nr_repliers;
	struct store_review *reviews;
	size_t nr_reviews;
};

static void json_activity(struct json *j, const struct activity *a)
{
	size_t i;

	json_key(j, "repliers");
	json_array_begin(j);
	for (i = 0; i < a->nr_repliers; i++) {
		json_object_begin(j);
		json_key(j, "name");
		json_string(j, a->repliers[i].name);
		json_key(j, "address");
		json_string(j, a->repliers[i].address);
		json_object_end(j);
	}
	json_array_end(j);
	/*
	 * As b4 collects follow-up trailers: given to the patch the reply
	 * answers; patch 0 (the cover letter) gives them to every patch.
	 */
	json_key(j, "review_trailers");
	json_array_begin(j);
	for (i = 0; i < a->nr_reviews; i++) {
		const struct store_review *r = &a->reviews[i];

		json_object_begin(j);
		json_key(j, "patch");
		if (r->number < 0)
			json_null(j);
		else
			json_int(j, r->number);
		json_key(j, "posting");
		json_string(j, r->posting);
		json_key(j, "name");
		json_string(j, r->name);
		json_key(j, "value");
		json_string(j, r->value);
		json_key(j, "reply");
		json_string(j, r->message_id);
		json_object_end(j);
	}
	json_array_end(j);
}

static void series_json(struct buf *out, const struct store_series *s,
			const struct store_message_brief *m, size_t nm,
			const struct store_edge *in, size_t nin,
			const struct store_edge *outv, size_t nout,
			const struct activity *a)
{
	const char *cover = NULL;
	struct json j;
	size_t i;

	for (i = 0; i < nm; i++)
		if (m[i].id == s->cover)
			cover = m[i].message_id;
	json_init(&j, out);
	json_object_begin(&j);
	json_key(&j, "id");
	json_int(&j, s->id);
	json_key(&j, "title");
	json_string(&j, s->title);
	json_key(&j, "version");
	json_int(&j, s->version);
	json_key(&j, "author");
	json_object_begin(&j);
	json_key(&j, "name");
	json_string(&j, s->author.name);
	json_key(&j, "address");
	json_string(&j, s->author.address);
	json_object_end(&j);
	json_key(&j, "list");
	json_string(&j, s->list_id);
	json_key(&j, "kind");
	json_string(&j, s->kind == MESSAGE_PULL ? "pull" : "patch");
	json_key(&j, "rfc");
	json_bool(&j, s->rfc);
	json_key(&j, "resend");
	json_bool(&j, s->resend);
	json_key(&j, "total");
	json_int(&j, s->total);
	json_key(&j, "received");
	json_int(&j, s->received);
	json_key(&j, "complete");
	json_bool(&j, s->received >= s->total);
	json_key(&j, "cover");
	json_string(&j, cover);
	json_key(&j, "messages");
	json_array_begin(&j);
	for (i = 0; i < nm; i++)
		if (m[i].kind == MESSAGE_PATCH || m[i].kind == MESSAGE_PULL)
			json_string(&j, m[i].message_id);
	json_array_end(&j);
	json_key(&j, "supersedes");
	json_edges(&j, in, nin, false);
	json_key(&j, "superseded_by");
	json_edges(&j, outv, nout, true);
	json_key(&j, "reviews");
	json_int(&j, s->reviews);
	json_key(&j, "replies");
	json_int(&j, s->replies);
	json_activity(&j, a);
	json_object_end(&j);
	buf_addch(out, '\n');
}

static void series_line(struct buf *out, const struct store_series *s,
			const struct store_edge *in, size_t nin)
{
	size_t i;

	buf_addf(out, "%5lld  v%-2d %3d/%-3d %s%s%s  (%s <%s>)",
		 (long long)s->id, s->version, s->received, s->total,
		 s->kind == MESSAGE_PULL ? "[pull] " : "",
		 s->rfc ? "[RFC] " : "", s->title, s->author.name,
		 s->author.address);
	for (i = 0; i < nin; i++)
		buf_addf(out, "%s %lld (%s)", i ? "," : "  supersedes",
			 (long long)in[i].old_series, in[i].evidence);
	if (s->replies)
		buf_addf(out, "  %d replies, %d reviews", s->replies,
			 s->reviews);
	buf_addch(out, '\n');
}

int cmd_series(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct store_ids ids = STORE_IDS_INIT;
	struct store_series s = STORE_SERIES_INIT;
	struct config cfg = {0};
	struct store *st = NULL;
	struct buf out = BUF_INIT;
	bool all = false, json = false;
	int opt, ex, rc = 0;
	size_t i;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'a')
			all = true;
		else if (opt == 'j')
			json = true;
		else
			return EX_USAGE;
	}
	if (optind != argc)
		return EX_USAGE;
	ex = cli_config(&cfg, g);
	if (ex == 0)
		ex = cli_store(&st, g, &cfg, false);
	if (ex == 0)
		rc = store_series_list(&ids, st, all);
	for (i = 0; ex == 0 && rc == 0 && i < ids.nr; i++) {
		struct store_message_brief *m = NULL;
		struct store_edge *in = NULL, *outv = NULL;
		struct activity a = {0};
		size_t nm = 0, nin = 0, nout = 0;

		rc = store_series_load(&s, st, ids.v[i]);
		if (rc == 0)
			rc = store_series_members(&m, &nm, st, s.id);
		if (rc == 0)
			rc = store_edges(&in, &nin, st, s.id, false);
		if (rc == 0)
			rc = store_edges(&outv, &nout, st, s.id, true);
		if (rc == 0 && json)
			rc = store_series_repliers(&a.repliers, &a.nr_repliers,
						   st, s.id);
		if (rc == 0 && json)
			rc = store_series_reviews(&a.reviews, &a.nr_reviews, st,
						  s.id);
		if (rc == 0) {
			buf_reset(&out);
			if (json)
				series_json(&out, &s, m, nm, in, nin, outv,
					    nout, &a);
			else
				series_line(&out, &s, in, nin);
			fwrite(out.data, 1, out.len, stdout);
		}
		store_message_briefs_free(m, nm);
		store_edges_free(in, nin);
		store_edges_free(outv, nout);
		store_persons_free(a.repliers, a.nr_repliers);
		store_reviews_free(a.reviews, a.nr_reviews);
	}
	if (ex == 0 && rc)
		ex = EX_SOFTWARE;
	if (ex == 0 && fflush(stdout))
		ex = EX_IOERR;
	buf_release(&out);
	store_series_release(&s);
	store_ids_release(&ids);
	store_close(st);
	config_release(&cfg);
	return ex;
}
