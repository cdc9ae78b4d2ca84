/*
 * series.c: which posting belongs to which series, and which series
 * supersedes which. The rules are in series.h; the data in the store.
 *
 * Every step looks things up by index and touches only what the arriving
 * message changes: a series' counts are kept as messages arrive, never
 * recomputed from all its members, so that placing a message costs the
 * same in a series of 3 patches and of 300, and in a store of a thousand
 * messages and of ten million.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounds.h"
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
	const char *sent_from;	/* the From header's address, or "" */
	int number;		/* 0 cover, 1.. patch; a lone patch is 1 */
	int total;		/* a lone patch is 1 of 1 */
	bool numbered;		/* the subject gave n/m (or "n of m") */
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

/* Did the author send series s, or did someone send it for them? */
static bool sent_by_author(const struct store_series *s)
{
	return !s->sent_from[0] || same_text(s->author.address, s->sent_from);
}

/*
 * One person behind two series: the same sender, or the same author when
 * the author sent one of them. Two people who each post an old patch of
 * a third (its in-body From) are not one person revising it.
 */
static bool same_poster(const struct store_series *a,
			const struct store_series *b)
{
	return same_text(a->sent_from, b->sent_from) ||
	       (same_author(&a->author, &b->author) &&
		(sent_by_author(a) || sent_by_author(b)));
}

static int64_t absdiff(int64_t a, int64_t b)
{
	return a > b ? a - b : b - a;
}

/* --- membership -------------------------------------------------------- */

/*
 * How a posting reaches a series: through the message its In-Reply-To
 * names (the series' cover or patch 1: git send-email threads every
 * patch to it), or from farther away.
 */
enum reach {
	REACH_FAR,    /* a farther ancestor, siblings, or no threading */
	REACH_DIRECT, /* its In-Reply-To is the series' root */
};

/*
 * May posting p join series ser? One sender (or author), one kind, one
 * RESEND-ness, one version and size, and its place free. Two slips of
 * git send-email users are forgiven for a patch that answers the
 * series' cover letter directly: a subject without the version ("[PATCH
 * 1/4]" under "[PATCH net-next v3 0/4]", patchwork's
 * base-different-versions) and a patch that lost its counter
 * (patchwork's bugs-unnumbered), which joins as an extra.
 */
static int compatible(bool *out, struct store *st,
		      const struct store_series *ser, const struct posting *p,
		      enum reach reach)
{
	const struct subject *t = &p->m->tags;
	bool direct = reach == REACH_DIRECT, taken = false;
	int rc;

	*out = false;
	if (ser->kind != p->kind || ser->resend != t->resend)
		return 0;
	if (!same_text(ser->sent_from, p->sent_from) &&
	    !same_author(&ser->author, &p->m->author))
		return 0;
	/*
	 * The version forgotten on one side: on the patches (a v3 cover
	 * over "[PATCH n/4]"), or on the cover letter ("[PATCH 00/16]"
	 * over "[PATCH v2 nn/16]", linux-sparse 2020), then only while the
	 * cover has no patches of its own; and only in one sitting: v2
	 * patches sent in reply to v1's cover days later are v2.
	 */
	if (ser->version != t->version &&
	    !(direct &&
	      absdiff(p->m->date, ser->last_date) <= SERIES_UNTHREADED_WINDOW &&
	      (t->version == 1 ||
	       (ser->version == 1 && (p->number == 0 || ser->received == 0)))))
		return 0;
	if (!p->numbered && p->number != 0) {
		/* A lone patch: 1 of 1, or an extra answering the cover. */
		if (ser->total > 1) {
			*out = direct;
			return 0;
		}
	} else if (ser->total && p->total && ser->total != p->total) {
		return 0;
	}
	if (p->number == 0) {
		*out = ser->cover == 0;
		return 0;
	}
	rc = store_series_number_taken(&taken, st, ser->id, p->number, p->id);
	/* A lone patch is stored without a number (-1): it holds 1 of 1. */
	if (rc == 0 && !taken && p->number == 1 && ser->total <= 1)
		rc = store_series_number_taken(&taken, st, ser->id, -1, p->id);
	if (rc)
		return rc;
	*out = !taken;
	return 0;
}

/*
 * The first series of ids that p may join, in *out (0: none). With
 * same_sitting, only one whose postings were sent within
 * SERIES_UNTHREADED_WINDOW of p: a posting reaching a series through a
 * farther ancestor only (its own cover not here yet) may be a series
 * sent in reply to that one, hours later.
 */
static int first_compatible(int64_t *out, struct store *st,
			    const struct store_ids *ids,
			    const struct posting *p, enum reach reach,
			    bool same_sitting)
{
	struct store_series ser = STORE_SERIES_INIT;
	size_t i;
	bool ok;
	int rc = 0;

	*out = 0;
	for (i = 0; rc == 0 && i < ids->nr && !*out; i++) {
		rc = store_series_load(&ser, st, ids->v[i]);
		if (rc == 0)
			rc = compatible(&ok, st, &ser, p, reach);
		if (rc == 0 && ok &&
		    (!same_sitting || absdiff(p->m->date, ser.last_date) <=
					      SERIES_UNTHREADED_WINDOW))
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

/*
 * Where a series' root (the Message-ID its patches thread to) stands: a
 * message of the series itself, not here yet (the series waits for its
 * cover letter or patch 1, and its title may still change), or a message
 * of another series (the series was sent in that one's thread).
 */
enum root_state { ROOT_OWN, ROOT_ABSENT, ROOT_FOREIGN };

static int root_state(enum root_state *out, struct store *st,
		      const struct store_series *ser)
{
	struct store_message_brief b = STORE_MESSAGE_BRIEF_INIT;
	int64_t mid;
	int rc;

	*out = ROOT_ABSENT;
	if (!ser->root)
		return 0;
	rc = store_message_find(&mid, st, ser->root);
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc == 0)
		rc = store_message_brief(&b, st, mid);
	/* A root in no series (a cover letter without tags, a discussion
	 * a lone patch answers) is the series' own thread. */
	if (rc == 0)
		*out = !b.series || b.series == ser->id ? ROOT_OWN
							: ROOT_FOREIGN;
	store_message_brief_release(&b);
	return rc == ERR_NOTFOUND ? 0 : rc;
}

/*
 * Unthreaded postings (no In-Reply-To, no References): the same sender's
 * series of the same version and size sent within
 * SERIES_UNTHREADED_WINDOW. A cover letter may join one that has none
 * yet (it came last); a lone patch is a series of its own.
 */
static int find_unthreaded(int64_t *out, struct store *st,
			   const struct posting *p)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct store_series ser = STORE_SERIES_INIT;
	size_t i;
	bool ok;
	int rc;

	*out = 0;
	if (p->total <= 1 || !p->sent_from[0])
		return 0;
	rc = store_series_by_sender(&ids, st, p->sent_from, 8);
	for (i = 0; rc == 0 && i < ids.nr && !*out; i++) {
		enum root_state rs;

		rc = store_series_load(&ser, st, ids.v[i]);
		/* Not a series waiting for a cover or patch 1 of its own. */
		if (rc == 0)
			rc = root_state(&rs, st, &ser);
		if (rc || rs != ROOT_OWN)
			continue;
		rc = compatible(&ok, st, &ser, p, REACH_FAR);
		if (rc == 0 && ok &&
		    absdiff(p->m->date, ser.last_date) <=
			    SERIES_UNTHREADED_WINDOW)
			*out = ser.id;
	}
	store_series_release(&ser);
	store_ids_release(&ids);
	return rc;
}

/*
 * Find the series p belongs to, or 0 with *root_out the Message-ID a new
 * series should claim (borrowed from p->m).
 */
static int find_series(int64_t *out, const char **root_out, struct store *st,
		       const struct posting *p)
{
	const char *anc[SERIES_MAX_ANCESTORS], *unknown = NULL;
	const char *irt = p->m->mail.in_reply_to;
	struct store_message_brief b = STORE_MESSAGE_BRIEF_INIT;
	struct store_series ser = STORE_SERIES_INIT;
	struct store_ids ids = STORE_IDS_INIT;
	size_t n, i;
	int64_t mid;
	bool ok;
	int rc;

	*out = 0;
	*root_out = p->message_id;
	/* Children that came first claimed this message as their root. */
	rc = store_series_by_root(&ids, st, p->message_id);
	if (rc == 0)
		rc = first_compatible(out, st, &ids, p, REACH_DIRECT, false);
	store_ids_release(&ids);
	if (rc || *out)
		return rc;

	n = thread_ancestors(anc, SERIES_MAX_ANCESTORS, p->m);
	if (n == 0)
		return find_unthreaded(out, st, p);
	/* A cover letter opens its series, whatever it answers. */
	if (p->number == 0)
		return 0;

	for (i = 0; i < n; i++) {
		enum reach reach =
			irt && !strcmp(anc[i], irt) ? REACH_DIRECT : REACH_FAR;

		rc = store_message_find(&mid, st, anc[i]);
		if (rc == 0) {
			rc = store_message_brief(&b, st, mid);
			/*
			 * A message in no series (a cover letter without
			 * tags, linux-sparse 2025's "Add printf/scanf
			 * -Wformat checking", or an orphan) groups the
			 * patches answering it as one that is not here.
			 */
			if (rc == 0 && !b.series) {
				store_message_brief_release(&b);
				goto absent;
			}
			if (rc == 0)
				rc = store_series_load(&ser, st, b.series);
			if (rc == 0) {
				/* Direct only when it answers the root. */
				if (reach == REACH_DIRECT &&
				    (!ser.root || strcmp(ser.root, anc[i])))
					reach = REACH_FAR;
				rc = compatible(&ok, st, &ser, p, reach);
				/*
				 * Through a farther ancestor (its own cover
				 * not here yet), only a posting of the same
				 * sitting: a series sent in reply to another
				 * one hours later is other work.
				 */
				if (rc == 0 && ok &&
				    (reach == REACH_DIRECT || !unknown ||
				     absdiff(p->m->date, ser.last_date) <=
					     SERIES_UNTHREADED_WINDOW))
					*out = ser.id;
			}
			/*
			 * The nearest known ancestor decides: it is this
			 * series' cover or patch, or the posting answers
			 * something else (another version, a discussion)
			 * and opens a series of its own.
			 */
			store_message_brief_release(&b);
			store_series_release(&ser);
			if (!*out && !unknown)
				*root_out = p->message_id;
			return rc;
		}
		if (rc != ERR_NOTFOUND)
			return rc;
	absent:
		/* Not here yet: maybe siblings that came first claimed it. */
		rc = store_series_by_root(&ids, st, anc[i]);
		if (rc == 0)
			rc = first_compatible(out, st, &ids, p, reach,
					      unknown != NULL);
		store_ids_release(&ids);
		if (rc || *out)
			return rc;
		if (!unknown) {
			unknown = anc[i];
			*root_out = unknown;
		}
	}
	return 0;
}

/* The b4 change-id of a posting, borrowed, or NULL. */
static const char *posting_change_id(const struct message *m)
{
	const char *c = patch_trailer(&m->patch, "change-id");

	return c && c[0] ? c : NULL;
}

/* Open a new series for posting p, claiming root. */
static int series_open(int64_t *out, struct store *st, const struct posting *p,
		       const char *root, int64_t now)
{
	const struct message *m = p->m;
	struct store_series ser = STORE_SERIES_INIT;
	int rc;

	ser.title = xstrdup(m->tags.title ? m->tags.title : "");
	ser.version = m->tags.version;
	person_set(&ser.author, m->author.name, m->author.address);
	ser.sent_from = xstrdup(p->sent_from);
	ser.list_id = m->mail.list_id ? xstrdup(m->mail.list_id) : NULL;
	ser.kind = p->kind;
	ser.total = p->total;
	ser.root = root && root[0] ? xstrdup(root) : NULL;
	ser.rfc = m->tags.rfc;
	ser.resend = m->tags.resend;
	ser.target = xstrdup(p->target);
	ser.change_id =
		posting_change_id(m) ? xstrdup(posting_change_id(m)) : NULL;
	ser.first_date = ser.last_date = m->date;
	ser.created = ser.updated = now;
	if (p->number == 0)
		ser.cover = p->id;
	else
		ser.received = p->numbered || p->total <= 1;
	rc = store_series_add(out, st, &ser);
	store_series_release(&ser);
	return rc;
}

/*
 * What posting p changes in the series it joined (ser): the title and
 * author (the cover's, else the lowest numbered patch's), cover,
 * version, received numbers, dates. Only p is looked at, and the series'
 * other patches through the number index: compatible() found p's number
 * free, and an extra without a number (total > 1) holds none.
 */
static int series_take(bool *reindex, struct store *st,
		       struct store_series *ser, const struct posting *p)
{
	const struct message *m = p->m;
	bool titled = false;
	int lowest, rc = 0;

	/* Whether an indexed field (title, author, root, cover, change-id)
	 * changed: then the whole row is written back. */
	*reindex = p->number == 0;

	if (p->number == 0) {
		ser->cover = p->id;
		free(ser->root);
		ser->root = xstrdup(p->message_id);
		/* A cover letter speaks for the series. */
		ser->rfc = m->tags.rfc;
		titled = true;
		if (ser->version == 1)
			ser->version = m->tags.version;
		if (p->total)
			ser->total = p->total;
	} else if (!ser->cover) {
		rc = store_series_lowest_patch(&lowest, st, ser->id, p->id);
		if (rc == ERR_NOTFOUND) {
			titled = true;
			rc = 0;
		} else if (rc == 0) {
			titled = (lowest < 0 ? 1 : lowest) > p->number;
		}
	}
	if (rc)
		return rc;
	if (titled) {
		*reindex = true;
		free(ser->title);
		ser->title = xstrdup(m->tags.title ? m->tags.title : "");
		person_set(&ser->author, m->author.name, m->author.address);
	}
	if (p->number > 0 && (p->numbered || ser->total <= 1))
		ser->received++;
	/* Patches that name their version under a cover that did not. */
	if (ser->version == 1 && m->tags.version > 1)
		ser->version = m->tags.version;
	if (!ser->total && p->total)
		ser->total = p->total;
	if (!ser->change_id && posting_change_id(m)) {
		ser->change_id = xstrdup(posting_change_id(m));
		*reindex = true;
	}
	if (!ser->first_date || (m->date && m->date < ser->first_date))
		ser->first_date = m->date;
	if (m->date > ser->last_date)
		ser->last_date = m->date;
	return 0;
}

/* --- supersession ------------------------------------------------------ */

/* Evidence names, strongest first, as evidence.h orders them. */
static int evidence_rank(const char *name)
{
	enum evidence e = evidence_from_name(name);

	return e == EVIDENCE_COUNT ? EVIDENCE_COUNT : (int)e;
}

/* Evidence that names the older posting itself. */
static bool names_older(enum evidence ev)
{
	return ev == EVIDENCE_CHANGE_ID || ev == EVIDENCE_SUPERSEDES ||
	       ev == EVIDENCE_LINK;
}

/* The series reachable from s along edges (forward: to newer ones),
 * s excluded, into out. */
static int family_walk(struct store_ids *out, struct store *st, int64_t s,
		       bool forward)
{
	struct store_edge *v;
	size_t nr, i, j, next = 0;
	int64_t cur = s;
	int rc = 0;

	out->nr = 0;
	for (;;) {
		rc = store_edges(&v, &nr, st, cur, forward);
		if (rc)
			return rc;
		for (i = 0; i < nr && out->nr < SERIES_FAMILY_MAX; i++) {
			int64_t o = forward ? v[i].new_series : v[i].old_series;

			for (j = 0; j < out->nr && out->v[j] != o; j++)
				;
			if (j == out->nr && o != s) {
				XGROW(out->v, out->alloc, out->nr + 1);
				out->v[out->nr++] = o;
			}
		}
		store_edges_free(v, nr);
		if (next >= out->nr)
			return 0;
		cur = out->v[next++];
	}
}

static bool ids_have(const struct store_ids *ids, int64_t id)
{
	size_t i;

	for (i = 0; i < ids->nr; i++)
		if (ids->v[i] == id)
			return true;
	return false;
}

/* The edge old -> new_, with *evidence_out (owned) when there is one. */
static int edge_find(bool *out, char **evidence_out, struct store *st,
		     int64_t old, int64_t new_)
{
	struct store_edge *v;
	size_t nr, i;
	int rc;

	*out = false;
	rc = store_edges(&v, &nr, st, new_, false);
	for (i = 0; rc == 0 && i < nr; i++) {
		if (v[i].old_series == old) {
			*out = true;
			if (evidence_out)
				*evidence_out = xstrdup(v[i].evidence);
		}
	}
	if (rc == 0)
		store_edges_free(v, nr);
	return rc;
}

/*
 * Keep the family a chain after old -> new_ was added: every other edge
 * from old or an older series to new_ or a newer one is implied by the
 * path through the new edge, and goes (v1 -> v3 once v1 -> v2 -> v3).
 */
static int reduce_around(struct store *st, int64_t old, int64_t new_)
{
	struct store_ids before = STORE_IDS_INIT, after = STORE_IDS_INIT;
	struct store_edge *v;
	size_t nr, i, j;
	int rc;

	rc = family_walk(&before, st, old, false);
	if (rc == 0)
		rc = family_walk(&after, st, new_, true);
	if (rc == 0) {
		XGROW(before.v, before.alloc, before.nr + 1);
		before.v[before.nr++] = old;
		XGROW(after.v, after.alloc, after.nr + 1);
		after.v[after.nr++] = new_;
	}
	for (i = 0; rc == 0 && i < before.nr; i++) {
		rc = store_edges(&v, &nr, st, before.v[i], true);
		for (j = 0; rc == 0 && j < nr; j++) {
			if (before.v[i] == old && v[j].new_series == new_)
				continue;
			if (ids_have(&after, v[j].new_series))
				rc = store_edge_remove(st, before.v[i],
						       v[j].new_series);
		}
		store_edges_free(v, nr);
	}
	store_ids_release(&before);
	store_ids_release(&after);
	return rc;
}

/*
 * Which of a and b is the older posting of one piece of work, for
 * evidence that does not say it: 1 when a, 2 when b, 0 when neither.
 * Versions decide; within one version a RESEND follows the posting it
 * resends, and the plain posting follows its RFC. Only a b4 change-id
 * orders two postings of one version by date; the same title and sender
 * do when they are sent again within SERIES_REPOST_WINDOW with the same
 * number of patches (the same version posted again: patchwork's
 * revision-unlabeled); pull requests never, each being its own pull.
 * Shared patch titles do within that window too: a series re-spun
 * without a new version number ("[PATCH 0/7 5.10.y] Cherry pick of
 * minmax.h commits", then "[PATCH 00/27 5.10.y] Backport minmax.h
 * updates" three days later, linux-sparse 2025).
 */
static int older_of(const struct store_series *a, const struct store_series *b,
		    enum evidence ev)
{
	if (a->version != b->version)
		return a->version < b->version ? 1 : 2;
	if (a->resend != b->resend)
		return a->resend ? 2 : 1;
	if (a->rfc != b->rfc)
		return a->rfc ? 1 : 2;
	if (a->first_date == b->first_date)
		return 0;
	if (ev == EVIDENCE_TITLE &&
	    (a->kind == MESSAGE_PULL || a->total != b->total ||
	     absdiff(a->first_date, b->first_date) > SERIES_REPOST_WINDOW))
		return 0;
	/*
	 * A posting again is whole: one patch of a series sent along by
	 * mistake in another thread is no repost of it (linux-sparse
	 * 2019).
	 */
	if (ev == EVIDENCE_TITLE &&
	    (a->first_date < b->first_date ? b->received < a->received
					   : a->received < b->received))
		return 0;
	if (ev == EVIDENCE_PATCH_TITLES &&
	    absdiff(a->first_date, b->first_date) > SERIES_REPOST_WINDOW)
		return 0;
	return a->first_date < b->first_date ? 1 : 2;
}

/* Same normalised title? */
static bool same_title(const struct store_series *a,
		       const struct store_series *b)
{
	struct buf ka = BUF_INIT, kb = BUF_INIT;
	bool same;

	store_title_key(&ka, a->title, strlen(a->title));
	store_title_key(&kb, b->title, strlen(b->title));
	same = ka.len && ka.len == kb.len && !memcmp(ka.data, kb.data, ka.len);
	buf_release(&ka);
	buf_release(&kb);
	return same;
}

/* Are series a and b of one family (either reaches the other)? */
static int one_family(bool *out, struct store *st, int64_t a, int64_t b)
{
	struct store_ids ids = STORE_IDS_INIT;
	int rc;

	rc = family_walk(&ids, st, a, true);
	*out = rc == 0 && ids_have(&ids, b);
	if (rc == 0 && !*out) {
		rc = family_walk(&ids, st, a, false);
		*out = rc == 0 && ids_have(&ids, b);
	}
	store_ids_release(&ids);
	return rc;
}

/*
 * The series whose thread series s was sent in: the series of the
 * message its first posting answers (its In-Reply-To, kept in its
 * links), 0 when none.
 */
static int answered_series(int64_t *out, struct store *st, int64_t s)
{
	struct store_link *v;
	struct store_message_brief b = STORE_MESSAGE_BRIEF_INIT;
	size_t nr, i;
	int64_t mid;
	int rc;

	*out = 0;
	rc = store_links(&v, &nr, st, s, NULL);
	if (rc)
		return rc;
	for (i = 0; rc == 0 && i < nr && !*out; i++) {
		if (evidence_from_name(v[i].evidence) != EVIDENCE_IN_REPLY_TO)
			continue;
		rc = store_message_find(&mid, st, v[i].message_id);
		if (rc == 0)
			rc = store_message_brief(&b, st, mid);
		if (rc == 0 && b.series != s)
			*out = b.series;
		if (rc == ERR_NOTFOUND)
			rc = 0;
	}
	store_message_brief_release(&b);
	store_links_free(v, nr);
	return rc;
}

/*
 * Link series a and b when evidence says they are versions of one work.
 * directed: the evidence names a as the older (b's Supersedes: line,
 * link, or In-Reply-To names a posting of a), so b is the newer unless
 * the versions say otherwise, in which case nothing is linked. Evidence
 * that names the older posting (change-id, Supersedes:, a link) may
 * cross authors; In-Reply-To may not (a reviewer's alternative patch
 * answers the posting it replaces no more than any reply does), nor may
 * titles, which must also aim at the same tree. detail tells a reader
 * what was found.
 */
static int link_pair(struct store *st, int64_t a_id, int64_t b_id,
		     enum evidence ev, bool directed, const char *detail)
{
	struct store_series a = STORE_SERIES_INIT, b = STORE_SERIES_INIT;
	struct store_ids later = STORE_IDS_INIT;
	char *have = NULL;
	int64_t old, new_;
	bool exists;
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
	if (!names_older(ev) && !same_poster(&a, &b))
		goto out;
	if (!names_older(ev) &&
	    !evidence_targets_compatible(a.target, b.target))
		goto out;
	if (directed) {
		/*
		 * A link says which posting came first, whatever the
		 * numbering ("[PATCH v2]" calling a "[PATCH v11.5]" its v1,
		 * linux-sparse 2022); an answer to a higher version is
		 * other work.
		 */
		if (ev == EVIDENCE_IN_REPLY_TO && a.version > b.version)
			goto out;
		/*
		 * Answering a posting of one's own of the same version:
		 * the same posting sent again (unlabelled v2, patchwork's
		 * bugs-nocover-noversion), or other work sent in reply
		 * (a follow-up series).
		 */
		if (ev == EVIDENCE_IN_REPLY_TO && a.version == b.version &&
		    !b.resend && !(a.rfc && !b.rfc) && !same_title(&a, &b))
			goto out;
		which = 1;
	} else {
		which = older_of(&a, &b, ev);
	}
	if (!which)
		goto out;
	old = which == 1 ? a.id : b.id;
	new_ = which == 1 ? b.id : a.id;
	if (ev == EVIDENCE_TITLE || ev == EVIDENCE_PATCH_TITLES) {
		enum root_state ra, rb;
		int64_t old_in, new_in;
		bool related = true;

		/*
		 * A posting sent in a thread says what it relates to: a
		 * series in old's thread is no older version of it, and a
		 * series in a third one's thread (patches of v1 sent along
		 * by mistake in another series' thread, linux-sparse 2019)
		 * is no version of old.
		 */
		rc = answered_series(&old_in, st, old);
		if (rc == 0)
			rc = answered_series(&new_in, st, new_);
		if (rc == 0)
			rc = root_state(&ra, st, &a);
		if (rc == 0)
			rc = root_state(&rb, st, &b);
		if (rc == 0 && new_in && new_in != old)
			rc = one_family(&related, st, new_in, old);
		if (rc || old_in == new_ || (new_in && !related))
			goto out;
		/*
		 * A series in another one's thread (patches sent there by
		 * mistake) is no version of anything by its titles; nor is
		 * one waiting for the message its patches answer, which may
		 * be its cover letter (its title is its first patch's until
		 * then) or another series': its cover's arrival compares
		 * again.
		 */
		if (ra == ROOT_FOREIGN || rb == ROOT_FOREIGN ||
		    (ra == ROOT_ABSENT && a.total > 1) ||
		    (rb == ROOT_ABSENT && b.total > 1))
			goto out;
	}
	/*
	 * Titles alone do not outweigh the calendar: a "v5" of a patch
	 * split out of a "v13" series a month after it is no older work
	 * (linux-sparse 2022). A day allows for wrong clocks.
	 */
	if ((ev == EVIDENCE_TITLE || ev == EVIDENCE_PATCH_TITLES) &&
	    (which == 1 ? b.first_date + SERIES_CLOCK_SLACK < a.first_date
			: a.first_date + SERIES_CLOCK_SLACK < b.first_date))
		goto out;
	/*
	 * The same posting again under the same version is no new
	 * version: a RESEND. (A re-spin under a new title keeps what
	 * linked it.)
	 */
	if (a.version == b.version && a.rfc == b.rfc && !names_older(ev) &&
	    (a.resend != b.resend || same_title(&a, &b)))
		ev = EVIDENCE_RESEND;

	/* Never both ways: a family is ordered. */
	rc = family_walk(&later, st, new_, true);
	if (rc || ids_have(&later, old))
		goto out;
	rc = edge_find(&exists, &have, st, old, new_);
	if (rc)
		goto out;
	if (exists) {
		if (evidence_rank(have) <= (int)ev)
			goto out;
	} else {
		/* A longer path says it already: keep the chain. */
		rc = family_walk(&later, st, old, true);
		if (rc || ids_have(&later, new_))
			goto out;
	}
	rc = store_edge_add(st, old, new_, evidence_name(ev), detail);
	if (rc == 0 && !exists)
		rc = reduce_around(st, old, new_);
out:
	free(have);
	store_ids_release(&later);
	store_series_release(&a);
	store_series_release(&b);
	return rc;
}

/* How many patches a series has, or will have. */
static int size_of(const struct store_series *s)
{
	return s->total > s->received ? s->total : s->received;
}

/* A series that shares patch titles with the one being linked. */
struct overlap {
	int64_t series;
	size_t shared;	   /* distinct titles shared */
	size_t same_place; /* of them, at the same patch number */
};

/*
 * Patch titles of series s (one per title, with its number and author);
 * owned, store_patch_titles_free().
 */
static int distinct_titles(struct store_patch_title **out, size_t *nr_out,
			   struct store *st, int64_t s)
{
	struct store_patch_title *v;
	size_t nr, i, j, n = 0;
	int rc;

	rc = store_series_patch_titles(&v, &nr, st, s);
	if (rc)
		return rc;
	for (i = 0; i < nr; i++) {
		for (j = 0; j < n && strcmp(v[j].key, v[i].key); j++)
			;
		if (j < n || !v[i].key[0]) {
			free(v[i].key);
			person_release(&v[i].author);
			continue;
		}
		v[n++] = v[i];
	}
	*out = v;
	*nr_out = n;
	return 0;
}

/*
 * The series sharing patch titles with mine (same title, same author),
 * counted; owned array.
 */
static int find_overlaps(struct overlap **out, size_t *nr_out, struct store *st,
			 int64_t s, const struct store_patch_title *mine,
			 size_t nmine)
{
	struct overlap *o = NULL;
	struct store_patch_title *hits;
	size_t no = 0, alloc = 0, nh, i, j, k;
	int rc = 0;

	for (i = 0; rc == 0 && i < nmine; i++) {
		rc = store_patches_titled(&hits, &nh, st, mine[i].key,
					  mine[i].author.address, s,
					  SERIES_TITLE_MATCHES_MAX);
		if (rc)
			break;
		for (j = 0; j < nh; j++) {
			/* One count per title and series. */
			for (k = 0; k < j && hits[k].series != hits[j].series;
			     k++)
				;
			if (k < j)
				continue;
			for (k = 0; k < no && o[k].series != hits[j].series;
			     k++)
				;
			if (k == no) {
				XGROW(o, alloc, no + 1);
				memset(&o[no], 0, sizeof(o[no]));
				o[no++].series = hits[j].series;
			}
			o[k].shared++;
			if (hits[j].number == mine[i].number)
				o[k].same_place++;
		}
		store_patch_titles_free(hits, nh);
	}
	if (rc) {
		free(o);
		return rc;
	}
	*out = o;
	*nr_out = no;
	return 0;
}

/*
 * Were the patches of series small taken into an earlier version of
 * series big? Then small is a patch of its own that other work took in,
 * not big's previous version ("arch: fix the signedness of plain chars",
 * then "[PATCH 0/8] Miscellaneous arch specific fixes" with it as 1/8,
 * then that series' v2; linux-sparse 2019). *out false when so.
 */
static int taken_earlier(bool *out, struct store *st, int64_t big,
			 int64_t small)
{
	struct store_ids before = STORE_IDS_INIT;
	struct store_series sm = STORE_SERIES_INIT, earlier = STORE_SERIES_INIT;
	struct store_patch_title *t = NULL, *hits;
	size_t nt = 0, nh, i, j;
	int rc;

	*out = true;
	rc = family_walk(&before, st, big, false);
	if (rc == 0 && before.nr)
		rc = store_series_load(&sm, st, small);
	if (rc == 0 && before.nr)
		rc = distinct_titles(&t, &nt, st, small);
	for (i = 0; rc == 0 && i < nt && *out; i++) {
		rc = store_patches_titled(&hits, &nh, st, t[i].key,
					  t[i].author.address, small,
					  SERIES_TITLE_MATCHES_MAX);
		/*
		 * Taken in after it was posted alone: an earlier version of
		 * the series that is newer than the lone patch. (A patch
		 * sent alone after a version that held it is that version
		 * shrunk.)
		 */
		for (j = 0; rc == 0 && j < nh && *out; j++) {
			if (!ids_have(&before, hits[j].series))
				continue;
			rc = store_series_load(&earlier, st, hits[j].series);
			if (rc == 0 && earlier.first_date >= sm.first_date)
				*out = false;
		}
		store_patch_titles_free(hits, nh);
	}
	store_patch_titles_free(t, nt);
	store_series_release(&sm);
	store_series_release(&earlier);
	store_ids_release(&before);
	return rc;
}

/*
 * Implicit evidence: the same title, or the same patches retitled. The
 * title and each patch title are looked up by index; patch titles are
 * compared only when the series' patch set may have changed its meaning:
 * its first patch, its cover letter, its completion.
 */
static int link_by_titles(struct store *st, const struct store_series *s,
			  bool compare_patches)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct store_series other = STORE_SERIES_INIT;
	struct store_patch_title *mine = NULL;
	struct overlap *o = NULL;
	size_t nmine = 0, no = 0, i;
	struct buf key = BUF_INIT;
	char detail[160];
	int rc = 0;

	store_title_key(&key, s->title, strlen(s->title));
	if (key.len)
		rc = store_series_by_title(&ids, st, s->title,
					   SERIES_TITLE_CANDIDATES);
	buf_release(&key);
	for (i = 0; rc == 0 && i < ids.nr; i++)
		rc = link_pair(st, ids.v[i], s->id, EVIDENCE_TITLE, false,
			       "same title and author");
	store_ids_release(&ids);
	if (rc || !compare_patches)
		return rc;

	rc = distinct_titles(&mine, &nmine, st, s->id);
	if (rc == 0)
		rc = find_overlaps(&o, &no, st, s->id, mine, nmine);
	for (i = 0; rc == 0 && i < no; i++) {
		size_t ntheirs, smaller;
		bool strong, contained;

		rc = store_series_load(&other, st, o[i].series);
		if (rc)
			break;
		ntheirs = other.received > 0 ? (size_t)other.received : 1;
		smaller = nmine < ntheirs ? nmine : ntheirs;
		/*
		 * Strong overlap; or the one patch of two one-patch
		 * postings whose covers were retitled (gcov, linux-kbuild
		 * 2026-05).
		 */
		strong =
			evidence_titles_overlap(o[i].shared, nmine, ntheirs) ||
			(s->total == 1 && other.total == 1 && o[i].shared == 1);
		/*
		 * One posting inside the other, the versions telling which
		 * came first: a partial re-roll ("[PATCH v3 2/2]" alone, all
		 * its patches in the older posting at the same numbers, or a
		 * lone "[PATCH v3]" left of a series whose other patches were
		 * taken), or a lone patch grown into a series (its title a
		 * patch title of the higher version).
		 */
		contained =
			o[i].shared == smaller && nmine != ntheirs &&
			s->version != other.version &&
			((nmine < ntheirs) == (s->version > other.version)
				 ? o[i].same_place == smaller ||
					   (nmine < ntheirs ? s->total
							    : other.total) == 1
				 : true);
		/*
		 * Under one version only a posting that grew may follow
		 * (the re-spin older_of() allows); one that shrank may be
		 * patches split out of a series that goes on ("Modernize
		 * resolve_btfids selftest" out of a 14-patch series,
		 * linux-kbuild 2026-06).
		 */
		if (s->version == other.version &&
		    (s->first_date > other.first_date
			     ? size_of(s) < size_of(&other)
			     : size_of(&other) < size_of(s)))
			strong = contained = false;
		/* A lone patch grown into a series: not when an earlier
		 * version of that series took it in already. */
		if (contained && !strong &&
		    (nmine < ntheirs) == (s->version < other.version))
			rc = nmine < ntheirs ? taken_earlier(&contained, st,
							     other.id, s->id)
					     : taken_earlier(&contained, st,
							     s->id, other.id);
		if (rc)
			break;
		if (strong || contained) {
			snprintf(detail, sizeof(detail),
				 "patch titles shared (%zu of %zu and %zu "
				 "patches)",
				 o[i].shared, nmine, ntheirs);
			rc = link_pair(st, o[i].series, s->id,
				       EVIDENCE_PATCH_TITLES, false, detail);
		}
	}
	store_series_release(&other);
	store_patch_titles_free(mine, nmine);
	free(o);
	return rc;
}

/*
 * The series of the message called message_id, or 0; with postings_only,
 * only when it is a posting (a cover, patch or pull: a version link
 * names a posting, not the discussion of one).
 */
static int series_of_message(int64_t *out, struct store *st,
			     const char *message_id, bool postings_only)
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
	if (rc == 0 && (!postings_only || b.kind != MESSAGE_REPLY))
		*out = b.series;
	store_message_brief_release(&b);
	return rc;
}

/* What a reader is told of an explicit link. */
static void link_detail(char *out, size_t size, enum evidence ev, int version,
			const char *message_id)
{
	if (ev == EVIDENCE_LINK && version > 0)
		snprintf(out, size, "\"v%d\" link to <%.200s>", version,
			 message_id);
	else
		snprintf(out, size, "%s <%.200s>",
			 ev == EVIDENCE_IN_REPLY_TO  ? "In-Reply-To"
			 : ev == EVIDENCE_SUPERSEDES ? "Supersedes:"
						     : "link to",
			 message_id);
}

/*
 * Record and resolve the lines of text (a posting's body, or a reply's:
 * then only Supersedes: lines count) that name earlier versions of
 * series s.
 */
static int link_lines(struct store *st, int64_t s, const char *text, size_t len,
		      bool supersedes_only)
{
	struct evidence_links links = EVIDENCE_LINKS_INIT;
	char detail[256];
	int64_t other;
	size_t i;
	int rc = 0;

	evidence_find_links(&links, text, len);
	for (i = 0; rc == 0 && i < links.nr; i++) {
		const struct evidence_link *l = &links.v[i];

		if (supersedes_only && l->kind != EVIDENCE_SUPERSEDES)
			continue;
		rc = store_link_add(st, s, l->message_id,
				    evidence_name(l->kind), l->version);
		if (rc == 0)
			rc = series_of_message(&other, st, l->message_id, true);
		if (rc || !other)
			continue;
		link_detail(detail, sizeof(detail), l->kind, l->version,
			    l->message_id);
		rc = link_pair(st, other, s, l->kind, true, detail);
	}
	evidence_links_release(&links);
	return rc;
}

/*
 * Record and resolve the explicit links of posting p in series s: its
 * change-id, its Supersedes: lines and version links, and its
 * In-Reply-To when it starts the series.
 */
static int link_explicit(struct store *st, const struct store_series *s,
			 const struct posting *p, bool opened)
{
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
				       false, detail);
		store_ids_release(&ids);
	}
	/*
	 * Links are read where senders write them: the cover letter, a
	 * patch's notes (b4 writes "Link to v1" per patch too; without a
	 * cover letter, patch 1 carries the changelog).
	 */
	if (rc == 0)
		rc = link_lines(st, s->id, m->mail.body, m->mail.body_len,
				false);

	/*
	 * The posting that starts a series, answering an older version
	 * (or, when it came first, claiming the message it answers as its
	 * series' root: whether that is its cover or an older version shows
	 * when it comes, through link_waiting()).
	 */
	if (rc == 0 && m->mail.in_reply_to &&
	    (opened || (s->root && !strcmp(s->root, p->message_id)))) {
		rc = store_link_add(st, s->id, m->mail.in_reply_to,
				    evidence_name(EVIDENCE_IN_REPLY_TO), 0);
		if (rc == 0)
			rc = series_of_message(&other, st, m->mail.in_reply_to,
					       false);
		if (rc == 0 && other && other != s->id) {
			link_detail(detail, sizeof(detail),
				    EVIDENCE_IN_REPLY_TO, 0,
				    m->mail.in_reply_to);
			rc = link_pair(st, other, s->id, EVIDENCE_IN_REPLY_TO,
				       true, detail);
		}
	}
	return rc;
}

/*
 * Newer postings that named this message before it arrived (v3's "Link
 * to v2" read before v2 came): link them now.
 */
static int link_waiting(struct store *st, int64_t series,
			const char *message_id, bool replies_only)
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

		if (ev == EVIDENCE_COUNT || v[i].series == series ||
		    (replies_only && ev != EVIDENCE_IN_REPLY_TO))
			continue;
		link_detail(detail, sizeof(detail), ev, v[i].version,
			    message_id);
		rc = link_pair(st, series, v[i].series, ev, true, detail);
	}
	if (rc == 0)
		store_links_free(v, nr);
	return rc;
}

/*
 * Series that claimed message_id as their root (they came first and
 * answer it) but that the message did not join (it is another posting:
 * an older version they answer, another series' cover): their root is
 * their own first posting after all.
 */
static int release_roots(struct store *st, const char *message_id,
			 int64_t joined)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct store_series ser = STORE_SERIES_INIT;
	char *first;
	size_t i;
	int rc;

	if (!message_id[0])
		return 0;
	rc = store_series_by_root(&ids, st, message_id);
	for (i = 0; rc == 0 && i < ids.nr; i++) {
		if (ids.v[i] == joined)
			continue;
		rc = store_series_load(&ser, st, ids.v[i]);
		if (rc == 0)
			rc = store_series_first_posting(&first, st, ser.id);
		if (rc == 0) {
			free(ser.root);
			ser.root = first;
			rc = store_series_update(st, &ser);
		} else if (rc == ERR_NOTFOUND) {
			rc = 0;
		}
	}
	store_series_release(&ser);
	store_ids_release(&ids);
	return rc;
}

/* --- the entry points --------------------------------------------------- */

/*
 * Put the replies that waited for message_id into series, counting them
 * in ser's activity.
 */
static int adopt_orphans(struct store *st, const char *message_id,
			 struct store_series *ser)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct store_message_brief b = STORE_MESSAGE_BRIEF_INIT;
	size_t i;
	int reviews, rc;

	if (!message_id[0])
		return 0;
	rc = store_orphans_replying_to(&ids, st, message_id);
	for (i = 0; rc == 0 && i < ids.nr; i++) {
		rc = store_message_brief(&b, st, ids.v[i]);
		/* In both lists, or adopted just now. */
		if (rc || b.kind != MESSAGE_REPLY || b.series)
			continue;
		rc = store_message_set_series(st, b.id, ser->id);
		if (rc == 0)
			rc = store_message_reviews(&reviews, st, b.id);
		if (rc == 0) {
			ser->replies++;
			ser->reviews += reviews;
		}
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
	bool opened, reindex = false;
	int rc;

	p.id = id;
	p.m = m;
	p.message_id = m->mail.message_id ? m->mail.message_id : "";
	p.sent_from = m->mail.from.address ? m->mail.from.address : "";
	p.numbered = m->tags.number >= 0 && m->tags.total > 0;
	p.number = m->tags.number < 0 ? 1 : m->tags.number;
	p.total = m->tags.total < 0 ? 1 : m->tags.total;
	if (m->kind == MESSAGE_COVER && p.number != 0)
		p.number = 0;
	p.kind = m->kind == MESSAGE_PULL || m->tags.pull ? MESSAGE_PULL
							 : MESSAGE_PATCH;
	p.target = evidence_target((const char *const *)m->tags.prefixes,
				   m->tags.nr_prefixes);

	rc = find_series(&sid, &root, st, &p);
	opened = rc == 0 && !sid;
	if (opened)
		rc = series_open(&sid, st, &p, root, now);
	if (rc == 0)
		rc = store_message_set_series(st, id, sid);
	if (rc == 0 && p.number <= 1)
		rc = release_roots(st, p.message_id, sid);
	if (rc == 0)
		rc = store_series_load(&ser, st, sid);
	if (rc == 0 && !opened)
		rc = series_take(&reindex, st, &ser, &p);
	if (rc == 0)
		rc = adopt_orphans(st, p.message_id, &ser);
	if (rc == 0) {
		ser.updated = now;
		rc = reindex ? store_series_update(st, &ser)
			     : store_series_update_counts(st, &ser);
	}
	if (rc == 0)
		rc = link_explicit(st, &ser, &p, opened);
	if (rc == 0)
		rc = link_waiting(st, sid, p.message_id, false);
	if (rc == 0 &&
	    (p.number <= 1 || ser.received <= 1 || ser.received == ser.total))
		rc = link_by_titles(st, &ser,
				    p.number == 0 || ser.received <= 1 ||
					    ser.received == ser.total);
	store_series_release(&ser);
	free(p.target);
	return rc;
}

/* A reply joins the series of the nearest message it answers. */
static int place_reply(struct store *st, int64_t id, const struct message *m,
		       int64_t now)
{
	const char *anc[SERIES_MAX_ANCESTORS];
	struct store_series ser = STORE_SERIES_INIT;
	const struct patch *pt = &m->patch;
	int64_t series = 0;
	size_t n, i;
	int rc = 0;

	n = thread_ancestors(anc, SERIES_MAX_ANCESTORS, m);
	for (i = 0; rc == 0 && i < n && !series; i++)
		rc = series_of_message(&series, st, anc[i], false);
	if (rc || !series)
		return rc; /* an orphan until its parent comes */
	rc = store_message_set_series(st, id, series);
	if (rc == 0)
		rc = store_series_load(&ser, st, series);
	if (rc == 0) {
		ser.replies++;
		/* As STMT_SERIES_REVIEWS counts them. */
		for (i = 0; i < pt->nr_trailers; i++)
			if (!strcmp(pt->trailers[i].name, "Reviewed-by") ||
			    !strcmp(pt->trailers[i].name, "Acked-by") ||
			    !strcmp(pt->trailers[i].name, "Tested-by"))
				ser.reviews++;
		rc = adopt_orphans(
			st, m->mail.message_id ? m->mail.message_id : "", &ser);
	}
	if (rc == 0) {
		ser.updated = now;
		rc = store_series_update_activity(st, &ser);
	}
	/*
	 * A newer version sent in reply to this review, before it came:
	 * its In-Reply-To names the thread of the older version.
	 */
	if (rc == 0 && m->mail.message_id)
		rc = link_waiting(st, series, m->mail.message_id, true);
	/*
	 * patchew's rule: a "Supersedes: <id>" line in a reply (the
	 * maintainer's word) links the series it answers to the one named.
	 */
	if (rc == 0)
		rc = link_lines(st, series, m->mail.body, m->mail.body_len,
				true);
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
