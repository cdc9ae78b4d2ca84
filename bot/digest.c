/*
 * digest.c: the digest model, from the store to template data.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "changelog.h"
#include "digest.h"
#include "err.h"
#include "log.h"
#include "message.h"
#include "store.h"
#include "template.h"
#include "template_dir.h"
#include "wrap.h"
#include "xalloc.h"

#define DIGEST_TEXT_LINES 40	/* a cover letter is cut after this */
#define DIGEST_TOP 15		/* contributors and domains listed */
#define DIGEST_STATUS_WIDTH 8	/* the status column: "New", "v10" */

/* --- small text helpers ------------------------------------------------- */

static void format_day(char *out, size_t outsz, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm) || !strftime(out, outsz, "%Y-%m-%d", &tm))
		snprintf(out, outsz, "an unknown date");
}

static void format_minute(char *out, size_t outsz, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(out, outsz, "%Y-%m-%d %H:%M", &tm))
		snprintf(out, outsz, "?");
}

/* s padded with spaces to width columns (owned). */
static char *padded(const char *s, size_t width)
{
	size_t cols = wrap_columns(s, strlen(s));
	struct buf b = BUF_INIT;

	buf_adds(&b, s);
	while (cols++ < width)
		buf_addch(&b, ' ');
	return buf_detach(&b, NULL);
}

/*
 * s laid out for a plain-text line where it starts at column col: wrapped
 * at WRAP_WIDTH with further lines indented by hang (owned). The
 * template's labels set col and hang (templates/digest.txt); in HTML,
 * where the same values go, the breaks are white space like any other.
 */
static char *hanging(const char *s, size_t col, size_t hang)
{
	struct buf b = BUF_INIT;

	if (wrap_hanging(&b, s, strlen(s), col, hang, WRAP_WIDTH))
		BUG("digest: uncapped buffer refused text");
	return buf_detach(&b, NULL);
}

/* tdata_set_str() of s laid out as hanging() does. */
static void set_hanging(struct tdata *o, const char *key, const char *s,
			size_t col, size_t hang)
{
	char *w = hanging(s, col, hang);

	tdata_set_str(o, key, w);
	free(w);
}

/*
 * A Message-ID as a URL path segment: what RFC 3986 does not allow
 * there unescaped ('/', '%', '?', '#', spaces, quotes, non-ASCII) is
 * percent-encoded, as lore does for ids holding '/'. Owned.
 */
static char *url_segment(const char *id)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = BUF_INIT;
	const unsigned char *p;

	for (p = (const unsigned char *)id; *p; p++) {
		if (isalnum(*p) || strchr("-._~@!$&'()*+,;=:", *p)) {
			buf_addch(&b, *p);
		} else {
			buf_addch(&b, '%');
			buf_addch(&b, hex[*p >> 4]);
			buf_addch(&b, hex[*p & 15]);
		}
	}
	return buf_detach(&b, NULL);
}

/* --- authors -------------------------------------------------------------- */

struct tally {
	char *key;  /* owned: address, or domain */
	char *name; /* owned: "Name <address>" for people */
	unsigned count;
};

struct tallies {
	struct tally *v;
	size_t nr, alloc;
};

static void tally_add(struct tallies *t, const char *key, const char *name)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		if (!strcasecmp(t->v[i].key, key)) {
			t->v[i].count++;
			return;
		}
	}
	XGROW(t->v, t->alloc, t->nr + 1);
	t->v[t->nr].key = xstrdup(key);
	t->v[t->nr].name = xstrdup(name);
	t->v[t->nr].count = 1;
	t->nr++;
}

static int tally_cmp(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcasecmp(x->key, y->key);
}

static void tallies_release(struct tallies *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		free(t->v[i].key);
		free(t->v[i].name);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static void tallies_to_list(struct tdata *list, struct tallies *t,
			    const char *key_name)
{
	size_t i;

	if (t->nr) /* qsort() on NULL is undefined even for 0 (UBSan) */
		qsort(t->v, t->nr, sizeof(*t->v), tally_cmp);
	for (i = 0; i < t->nr && i < DIGEST_TOP; i++) {
		struct tdata *o = tdata_list_add_object(list);

		/* The reference digests' column: the count right-aligned. */
		tdata_set_strf(o, "count", "%7u", t->v[i].count);
		tdata_set_str(o, key_name, t->v[i].name);
	}
}

/* --- one series ----------------------------------------------------------- */

/* What a digest says of one series; strings owned. */
struct entry {
	const struct digest_item *item;
	struct store_series ser;
	char *status;	  /* "New", "v2", "Resend", "Pull" */
	char *subject;	  /* the cover's (or first patch's) subject */
	char *summary;	  /* "Name, 3/3 patches, 1 review; supersedes..." */
	char *supersedes; /* "v1 of 2026-11-20 (change-id ...)" or NULL */
	char *missing;	  /* "2/3 not received yet" or NULL */
	char *activity;	  /* "2 replies, 1 review" or NULL */
	char *message_id; /* the cover's or first patch's */
	char *changes;	  /* changelog notes, or NULL */
	char *text;	  /* the cover letter or commit message, or NULL */
	char *diffstat;	  /* or NULL */
};

static void entry_release(struct entry *e)
{
	store_series_release(&e->ser);
	free(e->status);
	free(e->subject);
	free(e->summary);
	free(e->supersedes);
	free(e->missing);
	free(e->activity);
	free(e->message_id);
	free(e->changes);
	free(e->text);
	free(e->diffstat);
}

static char *region_dup(const struct message *m, size_t off, size_t len)
{
	if (!len || off + len > m->mail.body_len)
		return NULL;
	return xmemdup0(m->mail.body + off, len);
}

/* The text a reader gets of the series: wrapped for mail, cut. */
static char *reader_text(const char *s, size_t len, size_t max_lines)
{
	struct buf cut = BUF_INIT, wrapped = BUF_INIT;

	while (len && (s[len - 1] == '\n' || s[len - 1] == ' ' ||
		       s[len - 1] == '\r'))
		len--;
	while (len && (*s == '\n' || *s == '\r')) {
		s++;
		len--;
	}
	if (!len)
		return NULL;
	if (wrap_text(&wrapped, s, len, WRAP_WIDTH) ||
	    wrap_cut(&cut, wrapped.data, wrapped.len, max_lines, 0))
		BUG("digest: uncapped buffer refused text");
	buf_release(&wrapped);
	buf_rtrim(&cut);
	return buf_detach(&cut, NULL);
}

/* The supersession this series' readers care for: the newest it replaces. */
static int describe_supersedes(struct entry *e, struct store *st)
{
	struct store_series old = STORE_SERIES_INIT;
	struct store_edge *edges;
	size_t nr, i, best = 0;
	int best_version = -1, rc;
	char day[32];

	rc = store_edges(&edges, &nr, st, e->ser.id, false);
	if (rc || !nr) {
		store_edges_free(edges, nr);
		return rc;
	}
	for (i = 0; rc == 0 && i < nr; i++) {
		rc = store_series_load(&old, st, edges[i].old_series);
		if (rc == 0 && old.version > best_version) {
			best_version = old.version;
			best = i;
		}
	}
	if (rc == 0)
		rc = store_series_load(&old, st, edges[best].old_series);
	if (rc == 0) {
		format_day(day, sizeof(day), old.first_date);
		e->supersedes = xasprintf(
			"v%d%s of %s (%s)", old.version,
			old.resend ? " RESEND" : "", day,
			edges[best].detail ? edges[best].detail
					   : edges[best].evidence);
		if (!strcmp(edges[best].evidence, "resend"))
			e->status = xstrdup("Resend");
	}
	store_series_release(&old);
	store_edges_free(edges, nr);
	return rc;
}

/* "05/10" style numbers of the patches a series still lacks. */
static char *describe_missing(const struct store_message_brief *v, size_t nr,
			      int total)
{
	struct buf b = BUF_INIT;
	int width = snprintf(NULL, 0, "%d", total), n, shown = 0;
	size_t i;

	if (total <= 1)
		return NULL;
	for (n = 1; n <= total; n++) {
		for (i = 0; i < nr; i++)
			if ((v[i].kind == MESSAGE_PATCH || v[i].kind == MESSAGE_PULL) &&
			    v[i].number == n)
				break;
		if (i < nr)
			continue;
		if (shown++ == 8) {
			buf_adds(&b, ", ...");
			break;
		}
		buf_addf(&b, "%s%0*d/%d", b.len ? ", " : "", width, n, total);
	}
	if (!b.len)
		return NULL;
	buf_adds(&b, " not received yet");
	return buf_detach(&b, NULL);
}

static int entry_build(struct entry *e, struct store *st,
		       const struct digest_item *item, size_t max_lines,
		       struct tallies *people, struct tallies *domains)
{
	struct store_message_brief *v = NULL;
	struct message m = MESSAGE_INIT;
	struct buf sum = BUF_INIT;
	int64_t lead = 0;
	size_t nr = 0, i, off, len;
	int rc;

	e->item = item;
	rc = store_series_load(&e->ser, st, item->series);
	if (rc == 0)
		rc = store_series_members(&v, &nr, st, e->ser.id);
	if (rc)
		goto out;

	for (i = 0; i < nr; i++) {
		const char *at;

		if (v[i].kind != MESSAGE_PATCH && v[i].kind != MESSAGE_PULL)
			continue;
		if (!lead)
			lead = v[i].id;
		/* Counted by patch author, as the reference digests do. */
		at = strrchr(v[i].author.address, '@');
		if (v[i].author.address[0]) {
			char *who = v[i].author.name[0]
					    ? xasprintf("%s <%s>", v[i].author.name,
							v[i].author.address)
					    : xstrdup(v[i].author.address);

			tally_add(people, v[i].author.address, who);
			free(who);
		}
		if (at && at[1])
			tally_add(domains, at + 1, at + 1);
	}
	if (e->ser.cover)
		lead = e->ser.cover;

	if (e->ser.kind == MESSAGE_PULL)
		e->status = xstrdup("Pull");
	rc = describe_supersedes(e, st);
	if (rc)
		goto out;
	if (!e->status)
		e->status = e->ser.version > 1 || e->supersedes
				    ? xasprintf("v%d", e->ser.version)
				    : xstrdup("New");

	if (lead) {
		rc = store_message_load(&m, st, lead);
		if (rc)
			goto out;
		e->subject = xstrdup(m.mail.subject);
		e->message_id = xstrdup(m.mail.message_id);
		/* A new version: its changes. New work: what it is. */
		if (e->supersedes || e->ser.version > 1) {
			const char *t = m.mail.body + m.patch.message_off;

			if (changelog_find(&off, &len, t,
						 m.patch.message_len))
				e->changes = reader_text(t + off, len, max_lines);
			else if (m.patch.notes_len &&
				 changelog_find(
					 &off, &len,
					 m.mail.body + m.patch.notes_off,
					 m.patch.notes_len))
				e->changes = reader_text(
					m.mail.body + m.patch.notes_off + off,
					len, max_lines);
		}
		if (!e->changes && m.patch.message_len)
			e->text = reader_text(m.mail.body + m.patch.message_off,
					      m.patch.message_len, max_lines);
		e->diffstat = region_dup(&m, m.patch.diffstat_off,
					 m.patch.diffstat_len);
		if (e->diffstat) {
			size_t dl = strlen(e->diffstat);

			while (dl && (e->diffstat[dl - 1] == '\n' ||
				      e->diffstat[dl - 1] == '\r'))
				e->diffstat[--dl] = '\0';
		}
	} else {
		e->subject = xstrdup(e->ser.title);
		e->message_id = xstrdup(e->ser.root ? e->ser.root : "");
	}

	e->missing = describe_missing(v, nr, e->ser.total);
	if (e->ser.replies || e->ser.reviews)
		e->activity = xasprintf(
			"%d repl%s, %d review%s (Reviewed-by, Acked-by, "
			"Tested-by)",
			e->ser.replies, e->ser.replies == 1 ? "y" : "ies",
			e->ser.reviews, e->ser.reviews == 1 ? "" : "s");

	buf_adds(&sum, e->ser.author.name[0] ? e->ser.author.name
					     : e->ser.author.address);
	if (e->ser.kind == MESSAGE_PULL)
		buf_adds(&sum, ", pull request");
	else if (e->ser.total <= 1)
		buf_adds(&sum, ", 1 patch");
	else
		buf_addf(&sum, ", %d/%d patches", e->ser.received,
			 e->ser.total);
	if (e->ser.reviews)
		buf_addf(&sum, ", %d review%s", e->ser.reviews,
			 e->ser.reviews == 1 ? "" : "s");
	if (e->supersedes)
		buf_addf(&sum, "; supersedes %s", e->supersedes);
	e->summary = buf_detach(&sum, NULL);
out:
	message_release(&m);
	store_message_briefs_free(v, nr);
	return rc;
}

/* --- the digest ------------------------------------------------------------ */

static void entry_to_data(struct tdata *entries, struct tdata *details,
			  const struct entry *e, size_t rule_width,
			  const char *archive_url)
{
	struct tdata *o = tdata_list_add_object(entries);
	char *col = padded(e->item->rule, rule_width);
	char *status = padded(e->status, DIGEST_STATUS_WIDTH);
	char *indent = padded("", rule_width + 1 + DIGEST_STATUS_WIDTH);
	char *seg;

	/* "  RULE STATUS   subject": the text column starts here. */
	size_t text_col = 2 + rule_width + 1 + DIGEST_STATUS_WIDTH + 1;
	size_t status_col = wrap_columns(e->status, strlen(e->status)) + 2;
	char *s;

	tdata_set_str(o, "rule_col", col);
	tdata_set_str(o, "status_col", status);
	set_hanging(o, "subject", e->subject, text_col, text_col);
	tdata_set_str(o, "indent", indent);
	set_hanging(o, "summary", e->summary, text_col, text_col);
	free(col);
	free(status);
	free(indent);

	/* The labels' widths: "Author: ", "Supersedes: ", ... */
	o = tdata_list_add_object(details);
	tdata_set_str(o, "status", e->status);
	set_hanging(o, "title", e->ser.title, status_col, status_col);
	set_hanging(o, "subject", e->subject, 0, 2);
	s = e->ser.author.name[0] ? xasprintf("%s <%s>", e->ser.author.name,
					      e->ser.author.address)
				  : xstrdup(e->ser.author.address);
	set_hanging(o, "author", s, 8, 8);
	free(s);
	s = e->item->matched ? xstrdup(e->item->matched)
			     : xasprintf("rule %s", e->item->rule);
	set_hanging(o, "matched", s, 9, 9);
	free(s);
	if (e->supersedes)
		set_hanging(o, "supersedes", e->supersedes, 12, 12);
	if (e->missing)
		set_hanging(o, "missing", e->missing, 9, 9);
	if (e->activity)
		set_hanging(o, "activity", e->activity, 10, 10);
	seg = url_segment(e->message_id);
	if (archive_url)
		tdata_set_strf(o, "link", "%s/%s/", archive_url, seg);
	else
		tdata_set_strf(o, "link", "https://lore.kernel.org/r/%s", seg);
	free(seg);
	tdata_set_str(o, "message_id", e->message_id);
	if (e->changes)
		tdata_set_str(o, "changes", e->changes);
	if (e->text)
		tdata_set_str(o, "text", e->text);
	if (e->diffstat)
		tdata_set_str(o, "diffstat", e->diffstat);
}

int digest_build(struct tdata **out, struct store *st,
		 const struct digest_request *req)
{
	struct tallies people = {0}, domains = {0};
	struct entry *entries;
	struct tdata *root, *elist, *dlist;
	size_t i, rule_width = 0;
	char from[32], to[32];
	int rc = 0;

	*out = NULL;
	entries = xcalloc(req->nr_items + 1, sizeof(*entries));
	for (i = 0; rc == 0 && i < req->nr_items; i++) {
		rc = entry_build(&entries[i], st, &req->items[i],
				 req->text_max_lines ? req->text_max_lines
						     : DIGEST_TEXT_LINES,
				 &people, &domains);
		if (wrap_columns(req->items[i].rule,
				 strlen(req->items[i].rule)) > rule_width)
			rule_width = wrap_columns(req->items[i].rule,
						  strlen(req->items[i].rule));
	}
	if (rc)
		goto out;

	root = tdata_object_new();
	tdata_set_str(root, "list_title", req->list_title);
	if (req->range_from && req->range_to)
		tdata_set_strf(root, "range", "from %.8s to %.8s",
			       req->range_from, req->range_to);
	else if (req->range_to)
		tdata_set_strf(root, "range", "up to %.8s", req->range_to);
	format_minute(from, sizeof(from), req->period_start);
	format_minute(to, sizeof(to), req->period_end);
	tdata_set_strf(root, "period", "%s to %s UTC", from, to);
	tdata_set_str(root, "rule_names", req->rule_names);
	if (req->recipient)
		tdata_set_str(root, "recipient", req->recipient);
	tdata_set_int(root, "count", (int64_t)req->nr_items);
	tdata_set_bool(root, "has_authors", people.nr > 0);
	tallies_to_list(tdata_set_list(root, "domains"), &domains, "domain");
	tallies_to_list(tdata_set_list(root, "contributors"), &people, "who");
	elist = tdata_set_list(root, "entries");
	dlist = tdata_set_list(root, "details");
	for (i = 0; i < req->nr_items; i++)
		entry_to_data(elist, dlist, &entries[i], rule_width,
			      req->archive_url);
	*out = root;
out:
	for (i = 0; i < req->nr_items; i++)
		entry_release(&entries[i]);
	free(entries);
	tallies_release(&people);
	tallies_release(&domains);
	return rc;
}

int digest_render(struct buf *out, const struct tpl_dir *templates,
		  const struct tdata *data, bool html)
{
	enum tpl_mode mode = html ? TPL_HTML : TPL_TEXT;
	const struct tpl *t = tpl_dir_get(templates, "digest", mode);

	if (!t)
		return errorf(ERR_NOTFOUND, "digest: no digest.%s in the "
					    "templates",
			      html ? "html" : "txt");
	return tpl_render(out, t, data, mode);
}
