/*
 * series_facts.c: see series_facts.h.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "series_facts.h"
#include "xalloc.h"

void series_facts_release(struct series_facts *f)
{
	for (size_t k = 0; k < f->nr_msgs; k++)
		store_message_release(&f->msgs[k]);
	free(f->msgs);
	free(f->patches);
	free(f->paths);
	store_series_release(&f->series);
	memset(f, 0, sizeof(*f));
}

/* Load one member's message and add its paths and texts. */
static int add_member(struct series_facts *f, struct store *st, int64_t id)
{
	struct message *m = &f->msgs[f->nr_msgs];
	struct match_patch *p = &f->patches[f->nr_msgs];
	int rc;

	*m = (struct message)MESSAGE_INIT;
	rc = store_message_load(m, st, id);
	if (rc)
		return rc;
	f->nr_msgs++;
	p->text = m->mail.body;
	p->len = m->mail.body_len;
	if (m->patch.diff_len && m->patch.diff_off < m->mail.body_len &&
	    m->patch.diff_len <= m->mail.body_len - m->patch.diff_off) {
		p->diff = m->mail.body + m->patch.diff_off;
		p->diff_len = m->patch.diff_len;
	}
	XGROW(f->paths, f->alloc_paths, f->nr_paths + m->patch.nr_paths + 1);
	for (size_t k = 0; k < m->patch.nr_paths; k++)
		f->paths[f->nr_paths++] = m->patch.paths[k];
	return 0;
}

int series_facts_load(struct series_facts *out, struct store *st, int64_t id)
{
	struct store_message_brief *members = NULL;
	struct store_edge *newer = NULL;
	size_t nr_members = 0, nr_newer = 0;
	struct match_series *v = &out->view;
	int rc;

	series_facts_release(out);
	rc = store_series_load(&out->series, st, id);
	if (rc)
		goto out;
	rc = store_series_members(&members, &nr_members, st, id);
	if (rc)
		goto out;
	/* versions = newest: no other series supersedes this one. */
	rc = store_edges(&newer, &nr_newer, st, id, true);
	if (rc)
		goto out;
	out->msgs = xcalloc(nr_members + 1, sizeof(*out->msgs));
	out->patches = xcalloc(nr_members + 1, sizeof(*out->patches));
	for (size_t k = 0; k < nr_members; k++) {
		if (members[k].kind == MESSAGE_REPLY ||
		    members[k].kind == MESSAGE_OTHER)
			continue;
		rc = add_member(out, st, members[k].id);
		if (rc)
			goto out;
	}

	v->id = out->series.id;
	v->title = out->series.title;
	v->version = out->series.version;
	v->rfc = out->series.rfc;
	v->newest = nr_newer == 0;
	v->list_id = out->series.list_id;
	v->author_name = out->series.author.name;
	v->author_address = out->series.author.address;
	v->paths = out->paths;
	v->nr_paths = out->nr_paths;
	v->patches = out->patches;
	v->nr_patches = out->nr_msgs;
	v->reviews = out->series.reviews;
out:
	store_message_briefs_free(members, nr_members);
	store_edges_free(newer, nr_newer);
	if (rc)
		series_facts_release(out);
	return rc;
}
