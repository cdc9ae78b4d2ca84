/*
 * series.c: which posting belongs to which series, and which series
 * supersedes which. The rules are in series.h; the data in the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "err.h"
#include "evidence.h"
#include "log.h"
#include "series.h"
#include "store.h"
#include "xalloc.h"

/* What a posting message brings to series assembly. */
struct posting {
	int64_t id;
	const struct message *m;
	const char *message_id;
	int number; /* 0 cover, 1.. patch; a lone patch is 1 of 1 */
	int total;
	enum message_kind kind; /* MESSAGE_PATCH or MESSAGE_PULL */
	char *target;		/* owned: evidence_target() of its tags */
};

static bool same_text(const char *a, const char *b)
{
	return a && b && a[0] && !strcasecmp(a, b);
}

/*
 * One author, as a reader tells: the same address, or the same name when
 * the address changed (a new employer, kernel.org).
 */
static bool same_author(const struct person *a, const struct person *b)
{
	return same_text(a->address, b->address) || same_text(a->name, b->name);
}

/* --- membership -------------------------------------------------------- */

/* Is number already taken in series by another message? */
static int number_taken(bool *out, struct store *st, int64_t series,
			int number, int64_t self)
{
	struct store_message_brief *v;
	size_t nr, i;
	int rc;

	*out = false;
	rc = store_series_members(&v, &nr, st, series);
	if (rc)
		return rc;
	for (i = 0; i < nr; i++) {
		if (v[i].id == self || v[i].kind == MESSAGE_REPLY ||
		    v[i].kind == MESSAGE_OTHER)
			continue;
		if ((v[i].number < 0 ? 1 : v[i].number) == number)
			*out = true;
	}
	store_message_briefs_free(v, nr);
	return 0;
}

/*
 * May posting p join series ser? One version, one size, one author, one
 * kind, one RESEND-ness, and its place free.
 */
static int compatible(bool *out, struct store *st,
		      const struct store_series *ser, const struct posting *p)
{
	const struct subject *t = &p->m->tags;
	bool taken;
	int rc;

	*out = false;
	if (ser->kind != p->kind || ser->version != t->version ||
	    ser->resend != t->resend || !same_author(&ser->author, &p->m->author))
		return 0;
	if (ser->total && p->total && ser->total != p->total)
		return 0;
	if (p->number == 0) {
		*out = ser->cover == 0;
		return 0;
	}
	rc = number_taken(&taken, st, ser->id, p->number, p->id);
	if (rc)
		return rc;
	*out = !taken;
	return 0;
}

/* The first series of ids that p may join, in *out (0: none). */
static int first_compatible(int64_t *out, struct store *st,
			    const struct store_ids *ids,
			    const struct posting *p)
{
	struct store_series ser = STORE_SERIES_INIT;
	size_t i;
	bool ok;
	int rc = 0;

	*out = 0;
	for (i = 0; rc == 0 && i < ids->nr && !*out; i++) {
		rc = store_series_load(&ser, st, ids->v[i]);
		if (rc == 0)
			rc = compatible(&ok, st, &ser, p);
		if (rc == 0 && ok)
			*out = ser.id;
	}
	store_series_release(&ser);
	return rc;
}

/*
 * The Message-IDs a message threads to, nearest first: In-Reply-To, then
 * References from the last. Borrowed from m; no repeats, not m itself.
 */
static size_t thread_ancestors(const char **out, size_t max,
			       const struct message *m)
{
	const struct mail *mail = &m->mail;
	size_t n = 0, i, j;
	const char *id;

	for (i = 0; i <= mail->nr_references && n < max; i++) {
		if (i == 0)
			id = mail->in_reply_to;
		else
			id = mail->references[mail->nr_references - i];
		if (!id || !id[0] || !strcmp(id, mail->message_id))
			continue;
		for (j = 0; j < n && strcmp(out[j], id); j++)
			;
		if (j == n)
			out[n++] = id;
	}
	return n;
}

#define MAX_ANCESTORS 64

/*
 * Find the series p belongs to, or 0 with *root_out the Message-ID a new
 * series should claim (borrowed from p->m).
 */
static int find_series(int64_t *out, const char **root_out, struct store *st,
		       const struct posting *p)
{
	const char *anc[MAX_ANCESTORS], *unknown = NULL;
	struct store_message_brief b = STORE_MESSAGE_BRIEF_INIT;
	struct store_ids ids = STORE_IDS_INIT;
	size_t n, i;
	int64_t mid;
	int rc;

	*out = 0;
	*root_out = p->message_id;
	/* Children that came first claimed this message as their root. */
	if (p->message_id[0]) {
		rc = store_series_by_root(&ids, st, p->message_id);
		if (rc == 0)
			rc = first_compatible(out, st, &ids, p);
		store_ids_release(&ids);
		if (rc || *out)
			return rc;
	}
	/* A cover letter opens its series, whatever it answers. */
	if (p->number == 0)
		return 0;

	n = thread_ancestors(anc, MAX_ANCESTORS, p->m);
	for (i = 0; i < n; i++) {
		rc = store_message_find(&mid, st, anc[i]);
		if (rc == 0) {
			rc = store_message_brief(&b, st, mid);
			if (rc == 0 && b.series) {
				ids.nr = 0;
				XGROW(ids.v, ids.alloc, 1);
				ids.v[ids.nr++] = b.series;
				rc = first_compatible(out, st, &ids, p);
			}
			/*
			 * The nearest known ancestor decides: it is this
			 * series' cover or patch, or the posting answers
			 * something else (another version, a discussion)
			 * and opens a series of its own.
			 */
			store_message_brief_release(&b);
			store_ids_release(&ids);
			if (!*out && !unknown)
				*root_out = p->message_id;
			return rc;
		}
		if (rc != ERR_NOTFOUND)
			return rc;
		/* Not here yet: maybe siblings that came first claimed it. */
		rc = store_series_by_root(&ids, st, anc[i]);
		if (rc == 0)
			rc = first_compatible(out, st, &ids, p);
		store_ids_release(&ids);
		if (rc || *out)
			return rc;
		if (!unknown) {
			unknown = anc[i];
			*root_out = unknown;
		}
	}
	if (n > 0 || p->total <= 1)
		return 0;

	/* No threading at all: the same sender's series sent just before. */
	rc = store_series_by_author(&ids, st, p->m->author.address, 8);
	for (i = 0; rc == 0 && i < ids.nr && !*out; i++) {
		struct store_series ser = STORE_SERIES_INIT;
		bool ok = false;
		int64_t d;

		rc = store_series_load(&ser, st, ids.v[i]);
		if (rc == 0)
			rc = compatible(&ok, st, &ser, p);
		d = p->m->date - ser.last_date;
		if (rc == 0 && ok && d <= SERIES_UNTHREADED_WINDOW &&
		    d >= -SERIES_UNTHREADED_WINDOW)
			*out = ser.id;
		store_series_release(&ser);
	}
	store_ids_release(&ids);
	return rc;
}

/* The b4 change-id of a posting, borrowed, or NULL. */
static const char *posting_change_id(const struct message *m)
{
	const char *c = patch_trailer(&m->patch, "change-id");

	return c && c[0] ? c : NULL;
}

/*
 * Refresh what a series knows from its members: title, cover, received
 * patch numbers, dates, activity.
 */
static int series_refresh(struct store *st, struct store_series *ser,
			  int64_t now)
{
	struct store_message_brief *v;
	size_t nr, i;
	unsigned char seen[1024] = {0};
	int received = 0, best = -1, rc;

	rc = store_series_members(&v, &nr, st, ser->id);
	if (rc)
		return rc;
	for (i = 0; i < nr; i++) {
		int n = v[i].number < 0 ? 1 : v[i].number;

		if (v[i].kind == MESSAGE_REPLY || v[i].kind == MESSAGE_OTHER)
			continue;
		if (ser->first_date == 0 || v[i].date < ser->first_date)
			ser->first_date = v[i].date;
		if (v[i].date > ser->last_date)
			ser->last_date = v[i].date;
		if (n == 0) {
			ser->cover = v[i].id;
		} else if (n < (int)sizeof(seen) * 8 &&
			   !(seen[n / 8] & (1u << (n % 8)))) {
			seen[n / 8] |= (unsigned char)(1u << (n % 8));
			received++;
		}
		/* The title: the cover's, else the lowest patch's. */
		if (best < 0 || n < best) {
			best = n;
			free(ser->title);
			ser->title = xstrdup(v[i].title);
		}
	}
	ser->received = received;
	store_message_briefs_free(v, nr);
	rc = store_series_activity(&ser->replies, &ser->reviews, st, ser->id);
	ser->updated = now;
	return rc;
}

/* Open a new series for posting p, claiming root. */
static int series_open(int64_t *out, struct store *st,
		       const struct posting *p, const char *root, int64_t now)
{
	const struct message *m = p->m;
	struct store_series ser = STORE_SERIES_INIT;
	int rc;

	ser.title = xstrdup(m->tags.title ? m->tags.title : "");
	ser.version = m->tags.version;
	person_set(&ser.author, m->author.name, m->author.address);
	ser.list_id = m->mail.list_id ? xstrdup(m->mail.list_id) : NULL;
	ser.kind = p->kind;
	ser.total = p->total;
	ser.root = root && root[0] ? xstrdup(root) : NULL;
	ser.rfc = m->tags.rfc;
	ser.resend = m->tags.resend;
	ser.target = xstrdup(p->target);
	ser.change_id = posting_change_id(m) ? xstrdup(posting_change_id(m))
					     : NULL;
	ser.first_date = ser.last_date = m->date;
	ser.created = ser.updated = now;
	rc = store_series_add(out, st, &ser);
	store_series_release(&ser);
	return rc;
}

/* --- supersession ------------------------------------------------------ */

/* Evidence names, strongest first, as evidence.h orders them. */
static int evidence_rank(const char *name)
{
	enum evidence e = evidence_from_name(name);

	return e == EVIDENCE_COUNT ? EVIDENCE_COUNT : (int)e;
}

static bool edge_exists(struct store *st, int64_t old, int64_t new_,
			char **evidence_out)
{
	struct store_edge *v;
	size_t nr, i;
	bool found = false;

	if (store_edges(&v, &nr, st, new_, false))
		return false;
	for (i = 0; i < nr; i++) {
		if (v[i].old_series == old) {
			found = true;
			if (evidence_out)
				*evidence_out = xstrdup(v[i].evidence);
		}
	}
	store_edges_free(v, nr);
	return found;
}

/*
 * Keep the family a chain: drop an edge that skips a version the family
 * now holds (v1 -> v3 once v1 -> v2 -> v3 exist), around series s.
 */
static int reduce_around(struct store *st, int64_t s)
{
	struct store_edge *in, *out;
	size_t nin, nout, i, j;
	int rc;

	rc = store_edges(&in, &nin, st, s, false);
	if (rc)
		return rc;
	rc = store_edges(&out, &nout, st, s, true);
	if (rc) {
		store_edges_free(in, nin);
		return rc;
	}
	for (i = 0; rc == 0 && i < nin; i++)
		for (j = 0; rc == 0 && j < nout; j++)
			if (edge_exists(st, in[i].old_series, out[j].new_series,
					NULL))
				rc = store_edge_remove(st, in[i].old_series,
						       out[j].new_series);
	for (i = 0; rc == 0 && i < nin; i++)
		for (j = 0; rc == 0 && j < nin; j++)
			if (i != j && edge_exists(st, in[i].old_series,
						  in[j].old_series, NULL))
				rc = store_edge_remove(st, in[i].old_series, s);
	for (i = 0; rc == 0 && i < nout; i++)
		for (j = 0; rc == 0 && j < nout; j++)
			if (i != j && edge_exists(st, out[i].new_series,
						  out[j].new_series, NULL))
				rc = store_edge_remove(st, s, out[j].new_series);
	store_edges_free(in, nin);
	store_edges_free(out, nout);
	return rc;
}

/*
 * Which of a and b is the older posting of one piece of work: 1 when a,
 * 2 when b, 0 when neither. Versions decide; within one version a RESEND
 * follows the posting it resends (*resend_out: no new version), and the
 * plain posting follows its RFC. Only evidence that names one posting as
 * the other's predecessor (a change-id, a Supersedes: line) may order two
 * postings of one version by date.
 */
static int older_of(const struct store_series *a, const struct store_series *b,
		    enum evidence ev, bool *resend_out)
{
	*resend_out = false;
	if (a->version != b->version)
		return a->version < b->version ? 1 : 2;
	if (a->resend != b->resend) {
		*resend_out = true;
		return a->resend ? 2 : 1;
	}
	if (a->rfc != b->rfc)
		return a->rfc ? 1 : 2;
	if ((ev == EVIDENCE_CHANGE_ID || ev == EVIDENCE_SUPERSEDES) &&
	    a->first_date != b->first_date)
		return a->first_date < b->first_date ? 1 : 2;
	return 0;
}

/*
 * Link series a and b when evidence says they are versions of one work.
 * Evidence that names the older posting (change-id, Supersedes:, a link)
 * may cross authors; In-Reply-To may not (a reviewer's alternative patch
 * answers the posting it replaces no more than any reply does), nor may
 * titles, which must also aim at the same tree. detail tells a reader
 * what was found.
 */
static int link_pair(struct store *st, int64_t a_id, int64_t b_id,
		     enum evidence ev, const char *detail)
{
	struct store_series a = STORE_SERIES_INIT, b = STORE_SERIES_INIT;
	bool names_older = ev == EVIDENCE_CHANGE_ID ||
			   ev == EVIDENCE_SUPERSEDES || ev == EVIDENCE_LINK;
	char *have = NULL;
	int64_t old, new_;
	bool resend;
	int rc, which;

	if (a_id == b_id)
		return 0;
	rc = store_series_load(&a, st, a_id);
	if (rc == 0)
		rc = store_series_load(&b, st, b_id);
	if (rc)
		goto out;
	if (a.kind != b.kind)
		goto out;
	if (!names_older && !same_author(&a.author, &b.author))
		goto out;
	if (!names_older && !evidence_targets_compatible(a.target, b.target))
		goto out;
	which = older_of(&a, &b, ev, &resend);
	if (!which)
		goto out;
	old = which == 1 ? a.id : b.id;
	new_ = which == 1 ? b.id : a.id;
	if (resend && !names_older)
		ev = EVIDENCE_RESEND;
	/* Never both ways: a family is ordered. */
	if (edge_exists(st, new_, old, NULL))
		goto out;
	if (edge_exists(st, old, new_, &have) &&
	    evidence_rank(have) <= (int)ev)
		goto out;
	rc = store_edge_add(st, old, new_, evidence_name(ev), detail);
	if (rc == 0)
		rc = reduce_around(st, new_);
	if (rc == 0)
		rc = reduce_around(st, old);
out:
	free(have);
	store_series_release(&a);
	store_series_release(&b);
	return rc;
}

/* The normalised titles of a series' patches (owned; free each). */
static int patch_titles(char ***out, size_t *nr_out, int **numbers_out,
			struct store *st, int64_t series)
{
	struct store_message_brief *v;
	size_t nr, i, n = 0;
	struct buf key = BUF_INIT;
	char **titles;
	int *numbers;
	int rc;

	rc = store_series_members(&v, &nr, st, series);
	if (rc)
		return rc;
	titles = xcalloc(nr + 1, sizeof(*titles));
	numbers = xcalloc(nr + 1, sizeof(*numbers));
	for (i = 0; i < nr; i++) {
		if (v[i].kind != MESSAGE_PATCH && v[i].kind != MESSAGE_PULL)
			continue;
		buf_reset(&key);
		store_title_key(&key, v[i].title, strlen(v[i].title));
		numbers[n] = v[i].number;
		titles[n++] = xstrdup(key.data);
	}
	buf_release(&key);
	store_message_briefs_free(v, nr);
	*out = titles;
	*nr_out = n;
	*numbers_out = numbers;
	return 0;
}

static void free_titles(char **t, size_t n, int *numbers)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(t[i]);
	free(t);
	free(numbers);
}

/*
 * A partial re-roll ("[PATCH v3 2/2]" alone) shows itself by its few
 * patches all being in the older posting, at the same numbers.
 */
static bool partial_reroll_of(char **st_titles, int *sn, size_t ns,
			      char **ot, int *on, size_t no)
{
	size_t i, j;

	if (ns == 0 || ns >= no)
		return false;
	for (i = 0; i < ns; i++) {
		for (j = 0; j < no; j++)
			if (sn[i] == on[j] && !strcmp(st_titles[i], ot[j]))
				break;
		if (j == no)
			return false;
	}
	return true;
}

/*
 * Implicit evidence: the same title, or the same patches retitled. The
 * title is looked up by index; patch titles are compared with the
 * author's newest series only when the series' patch set may have
 * changed its meaning: its first message, its completion.
 */
static int link_by_titles(struct store *st, const struct store_series *s,
			  bool compare_patches)
{
	struct store_ids ids = STORE_IDS_INIT;
	char **mine = NULL, **theirs = NULL, detail[160];
	int *mn = NULL, *tn = NULL;
	size_t nmine = 0, ntheirs = 0, i;
	struct buf key = BUF_INIT;
	int rc = 0;

	store_title_key(&key, s->title, strlen(s->title));
	if (key.len)
		rc = store_series_by_title(&ids, st, s->title);
	buf_release(&key);
	for (i = 0; rc == 0 && i < ids.nr; i++)
		rc = link_pair(st, ids.v[i], s->id, EVIDENCE_TITLE,
			       "same title and author");
	store_ids_release(&ids);
	if (rc || !compare_patches)
		return rc;

	rc = patch_titles(&mine, &nmine, &mn, st, s->id);
	if (rc)
		return rc;
	rc = store_series_by_author(&ids, st, s->author.address,
				    SERIES_OVERLAP_CANDIDATES);
	for (i = 0; rc == 0 && i < ids.nr; i++) {
		if (ids.v[i] == s->id)
			continue;
		rc = patch_titles(&theirs, &ntheirs, &tn, st, ids.v[i]);
		if (rc)
			break;
		if (evidence_titles_overlap((const char *const *)mine, nmine,
					    (const char *const *)theirs,
					    ntheirs) ||
		    partial_reroll_of(mine, mn, nmine, theirs, tn, ntheirs) ||
		    partial_reroll_of(theirs, tn, ntheirs, mine, mn, nmine)) {
			snprintf(detail, sizeof(detail),
				 "patch titles shared (%zu and %zu patches)",
				 nmine, ntheirs);
			rc = link_pair(st, ids.v[i], s->id,
				       EVIDENCE_PATCH_TITLES, detail);
		}
		free_titles(theirs, ntheirs, tn);
		theirs = NULL;
	}
	store_ids_release(&ids);
	free_titles(mine, nmine, mn);
	return rc;
}

/* The series of the message called message_id, or 0. */
static int series_of_message(int64_t *out, struct store *st,
			     const char *message_id)
{
	struct store_message_brief b = STORE_MESSAGE_BRIEF_INIT;
	int64_t mid;
	int rc;

	*out = 0;
	rc = store_message_find(&mid, st, message_id);
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc == 0)
		rc = store_message_brief(&b, st, mid);
	if (rc == 0)
		*out = b.series;
	store_message_brief_release(&b);
	return rc;
}

/*
 * Record and resolve the explicit links of posting p in series s: its
 * Supersedes: lines and version links (cover letter or lone patch), and
 * its In-Reply-To when it starts the series.
 */
static int link_explicit(struct store *st, const struct store_series *s,
			 const struct posting *p)
{
	struct evidence_links links = EVIDENCE_LINKS_INIT;
	const struct message *m = p->m;
	const char *change_id = posting_change_id(m);
	struct store_ids ids = STORE_IDS_INIT;
	char detail[256];
	int64_t other;
	size_t i;
	int rc = 0;

	if (change_id) {
		rc = store_series_by_change_id(&ids, st, change_id);
		snprintf(detail, sizeof(detail), "change-id %s", change_id);
		for (i = 0; rc == 0 && i < ids.nr; i++)
			rc = link_pair(st, ids.v[i], s->id, EVIDENCE_CHANGE_ID,
				       detail);
		store_ids_release(&ids);
	}
	/* Links are read where senders write them: the cover, or the
	 * one patch. */
	if (rc == 0 && (p->number == 0 || p->total <= 1))
		evidence_find_links(&links, m->mail.body, m->mail.body_len);
	for (i = 0; rc == 0 && i < links.nr; i++) {
		const struct evidence_link *l = &links.v[i];

		rc = store_link_add(st, s->id, l->message_id,
				    evidence_name(l->kind), l->version);
		if (rc == 0)
			rc = series_of_message(&other, st, l->message_id);
		if (rc || !other)
			continue;
		if (l->version > 0)
			snprintf(detail, sizeof(detail),
				 "\"v%d\" link to <%.200s>", l->version,
				 l->message_id);
		else
			snprintf(detail, sizeof(detail), "%s <%.200s>",
				 l->kind == EVIDENCE_SUPERSEDES ? "Supersedes:"
								: "link to",
				 l->message_id);
		rc = link_pair(st, other, s->id, l->kind, detail);
	}
	evidence_links_release(&links);

	/* The posting that starts a series, answering an older version. */
	if (rc == 0 && m->mail.in_reply_to && s->root &&
	    !strcmp(s->root, p->message_id)) {
		rc = store_link_add(st, s->id, m->mail.in_reply_to,
				    evidence_name(EVIDENCE_IN_REPLY_TO), 0);
		if (rc == 0)
			rc = series_of_message(&other, st, m->mail.in_reply_to);
		if (rc == 0 && other && other != s->id) {
			snprintf(detail, sizeof(detail), "In-Reply-To <%.200s>",
				 m->mail.in_reply_to);
			rc = link_pair(st, other, s->id, EVIDENCE_IN_REPLY_TO,
				       detail);
		}
	}
	return rc;
}

/*
 * Newer postings that named this message before it arrived (v3's "Link
 * to v2" read before v2 came): link them now.
 */
static int link_waiting(struct store *st, int64_t series,
			const char *message_id)
{
	struct store_link *v;
	size_t nr, i;
	char detail[256];
	int rc;

	if (!message_id[0])
		return 0;
	rc = store_links(&v, &nr, st, 0, message_id);
	for (i = 0; rc == 0 && i < nr; i++) {
		enum evidence ev = evidence_from_name(v[i].evidence);

		if (ev == EVIDENCE_COUNT || v[i].series == series)
			continue;
		snprintf(detail, sizeof(detail), "%s <%.200s>",
			 ev == EVIDENCE_IN_REPLY_TO ? "In-Reply-To"
			 : ev == EVIDENCE_SUPERSEDES ? "Supersedes:"
						     : "link to",
			 message_id);
		rc = link_pair(st, series, v[i].series, ev, detail);
	}
	store_links_free(v, nr);
	return rc;
}

/* --- the entry points --------------------------------------------------- */

/* Put the replies that waited for message_id into series. */
static int adopt_orphans(struct store *st, const char *message_id,
			 int64_t series)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct store_message_brief b = STORE_MESSAGE_BRIEF_INIT;
	size_t i;
	int rc;

	if (!message_id[0])
		return 0;
	rc = store_orphans_replying_to(&ids, st, message_id);
	for (i = 0; rc == 0 && i < ids.nr; i++) {
		rc = store_message_brief(&b, st, ids.v[i]);
		if (rc == 0 && b.kind == MESSAGE_REPLY && !b.series)
			rc = store_message_set_series(st, b.id, series);
	}
	store_message_brief_release(&b);
	store_ids_release(&ids);
	return rc;
}

static int place_posting(struct store *st, int64_t id, const struct message *m,
			 int64_t now)
{
	struct store_series ser = STORE_SERIES_INIT;
	struct posting p;
	const char *root;
	int64_t sid;
	int rc;

	p.id = id;
	p.m = m;
	p.message_id = m->mail.message_id ? m->mail.message_id : "";
	p.number = m->tags.number < 0 ? 1 : m->tags.number;
	p.total = m->tags.total < 0 ? 1 : m->tags.total;
	if (m->kind == MESSAGE_COVER && p.number != 0)
		p.number = 0;
	p.kind = m->kind == MESSAGE_PULL || m->tags.pull ? MESSAGE_PULL
							 : MESSAGE_PATCH;
	p.target = evidence_target((const char *const *)m->tags.prefixes,
				   m->tags.nr_prefixes);

	rc = find_series(&sid, &root, st, &p);
	if (rc == 0 && !sid)
		rc = series_open(&sid, st, &p, root, now);
	if (rc == 0)
		rc = store_message_set_series(st, id, sid);
	if (rc == 0)
		rc = adopt_orphans(st, p.message_id, sid);
	if (rc == 0)
		rc = store_series_load(&ser, st, sid);
	if (rc == 0) {
		/* A cover letter speaks for the series. */
		if (p.number == 0) {
			ser.rfc = m->tags.rfc;
			free(ser.root);
			ser.root = xstrdup(p.message_id);
		}
		if (!ser.change_id && posting_change_id(m))
			ser.change_id = xstrdup(posting_change_id(m));
		if (!ser.total && p.total)
			ser.total = p.total;
		rc = series_refresh(st, &ser, now);
	}
	if (rc == 0)
		rc = store_series_update(st, &ser);
	if (rc == 0)
		rc = link_explicit(st, &ser, &p);
	if (rc == 0)
		rc = link_waiting(st, sid, p.message_id);
	if (rc == 0 && (p.number <= 1 || ser.received <= 1 ||
			ser.received == ser.total))
		rc = link_by_titles(st, &ser,
				    ser.received <= 1 ||
					    ser.received == ser.total);
	store_series_release(&ser);
	free(p.target);
	return rc;
}

/* A reply joins the series of the nearest message it answers. */
static int place_reply(struct store *st, int64_t id, const struct message *m,
		       int64_t now)
{
	const char *anc[MAX_ANCESTORS];
	struct store_series ser = STORE_SERIES_INIT;
	int64_t series = 0;
	size_t n, i;
	int rc = 0;

	n = thread_ancestors(anc, MAX_ANCESTORS, m);
	for (i = 0; rc == 0 && i < n && !series; i++)
		rc = series_of_message(&series, st, anc[i]);
	if (rc || !series)
		return rc; /* an orphan until its parent comes */
	rc = store_message_set_series(st, id, series);
	if (rc == 0)
		rc = adopt_orphans(st, m->mail.message_id, series);
	if (rc == 0)
		rc = store_series_load(&ser, st, series);
	if (rc == 0)
		rc = series_refresh(st, &ser, now);
	if (rc == 0)
		rc = store_series_update(st, &ser);
	store_series_release(&ser);
	return rc;
}

int series_add_message(struct store *st, int64_t id, const struct message *m,
		       int64_t now)
{
	switch (m->kind) {
	case MESSAGE_COVER:
	case MESSAGE_PATCH:
	case MESSAGE_PULL:
		return place_posting(st, id, m, now);
	case MESSAGE_REPLY:
		return place_reply(st, id, m, now);
	case MESSAGE_OTHER:
		break;
	}
	return 0;
}
