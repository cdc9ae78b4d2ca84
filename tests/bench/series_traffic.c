/*
 * series_traffic.c: synthetic list traffic for the series benchmark (see
 * series_traffic.h for its shape).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "series_traffic.h"
#include "xalloc.h"

#define NR_AUTHORS     3000
#define NR_MAINTAINERS 40
#define MAX_VERSIONS   4

enum {
	WORK_B4 = 1 << 0,	   /* change-id and "Link to vN" lines */
	WORK_RETITLED = 1 << 1,	   /* v2 on: another cover title */
	WORK_LINKS = 1 << 2,	   /* "vN: https://lore..." lines */
	WORK_IN_REPLY_TO = 1 << 3, /* vN sent In-Reply-To vN-1's cover */
	WORK_RFC = 1 << 4,	   /* v1 is an RFC */
	WORK_FOR_AUTHOR = 1 << 5,  /* sent by a maintainer, in-body From */
};

struct traffic_work {
	uint32_t author, sender;
	uint32_t subsys, seed;
	uint16_t patches[MAX_VERSIONS];
	uint8_t versions, flags;
	uint8_t covered; /* bit v: version v+1 has a cover letter */
	int64_t date[MAX_VERSIONS];
};

enum event_kind { EV_COVER, EV_PATCH, EV_REPLY };

struct traffic_event {
	int64_t date;
	uint32_t work;
	uint8_t version; /* 0-based */
	uint8_t kind;
	uint16_t number; /* the patch; for a reply, the posting answered */
	uint16_t reply;	 /* for a reply: its index under that posting */
	uint8_t nested;	 /* a reply answering the reply before it */
};

static const char *const subsystems[] = {
	"mm",
	"net: core",
	"drm/i915",
	"drm/amdgpu",
	"bpf",
	"kbuild",
	"sched/fair",
	"x86/mm",
	"arm64: dts",
	"iio: adc",
	"usb: dwc3",
	"scsi: ufs",
	"btrfs",
	"ext4",
	"xfs",
	"nfsd",
	"rust",
	"sparse",
	"perf tools",
	"tracing",
	"locking",
	"rcu",
	"kvm: x86",
	"KVM: arm64",
	"iommu/vt-d",
	"PCI: dwc",
	"spi: cadence",
	"i2c: designware",
	"pinctrl: qcom",
	"clk: imx",
	"regulator: core",
	"hwmon: (pmbus)",
	"media: uvcvideo",
	"ALSA: hda",
	"ASoC: SOF",
	"wifi: ath12k",
	"net: stmmac",
	"bluetooth: hci",
	"crypto: arm64",
	"cgroup",
};

static const char *const verbs[] = {
	"fix",	  "add",     "remove", "convert",  "simplify", "rework",
	"drop",	  "use",     "export", "document", "split",    "annotate",
	"handle", "support", "avoid",  "cache",	   "check",    "rename",
};

static const char *const objects[] = {
	"the error path of probe",
	"a leak on the unbind path",
	"the lock around the queue",
	"devm helpers",
	"the legacy ioctl",
	"the reset sequence",
	"stale comments",
	"the clock gating",
	"an off-by-one in the parser",
	"the irq handler",
	"the runtime PM callbacks",
	"the DMA mapping",
	"the fallback path",
	"the debugfs interface",
	"sysfs attributes",
	"the firmware loader",
	"the retry loop",
	"the tracepoints",
};

static const char lorem[] =
	"The old code walked the whole list on every call, which shows up "
	"in profiles once the list holds more than a few hundred entries. "
	"Keep a pointer to the last entry instead and update it where "
	"entries are added and removed; the only other user only reads it. "
	"While at it, drop the unused argument and fix the comment that "
	"still describes the behaviour before the previous rework. No "
	"functional change intended for the common case; the slow path is "
	"now taken only when the cached pointer is stale, which the new "
	"check catches. Tested on two boards and under the test suite.";

/* splitmix64: small, fast, good enough for a benchmark's dice. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned roll(uint64_t *s, unsigned n)
{
	return (unsigned)(next_rand(s) % n);
}

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t s = a * 0x100000001b3ull ^ b;

	return next_rand(&s);
}

/* Patches in a posting: half are lone patches, a few are long. */
static unsigned series_size(uint64_t *s)
{
	unsigned r = roll(s, 100);

	if (r < 50)
		return 1;
	if (r < 85)
		return 2 + roll(s, 4);
	if (r < 97)
		return 6 + roll(s, 15);
	return 21 + roll(s, 30);
}

/* Replies a posting gets. */
static unsigned reply_count(uint64_t *s)
{
	unsigned r = roll(s, 100);

	return r < 50 ? 0 : r < 75 ? 1 : r < 90 ? 2 : 3 + roll(s, 4);
}

static void add_event(struct traffic *t, size_t *alloc,
		      const struct traffic_event *e)
{
	XGROW(t->events, *alloc, t->nr_events + 1);
	t->events[t->nr_events++] = *e;
}

static int by_date(const void *a, const void *b)
{
	const struct traffic_event *x = a, *y = b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->work != y->work)
		return x->work < y->work ? -1 : 1;
	if (x->version != y->version)
		return x->version - y->version;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	if (x->number != y->number)
		return x->number - y->number;
	return x->reply - y->reply;
}

/* Lay out the messages of work w (its postings and their replies). */
static void plan_work(struct traffic *t, size_t *alloc, uint32_t w, uint64_t *s)
{
	struct traffic_work *wk = &t->works[w];
	struct traffic_event e;
	unsigned v, n, k, r;

	for (v = 0; v < wk->versions; v++) {
		unsigned posts = wk->patches[v];
		bool cover = posts > 1 && roll(s, 10) != 0;

		if (cover)
			wk->covered |= (uint8_t)(1u << v);

		for (n = cover ? 0 : 1; n <= posts; n++) {
			memset(&e, 0, sizeof(e));
			e.date = wk->date[v] + n;
			e.work = w;
			e.version = (uint8_t)v;
			e.kind = n == 0 ? EV_COVER : EV_PATCH;
			e.number = (uint16_t)n;
			add_event(t, alloc, &e);
			r = reply_count(s);
			for (k = 0; k < r; k++) {
				e.kind = EV_REPLY;
				e.reply = (uint16_t)k;
				e.nested = k > 0 && roll(s, 10) < 3;
				e.date = wk->date[v] + n + 3600 +
					 (int64_t)roll(s, 3 * 86400) +
					 (int64_t)k * 600;
				add_event(t, alloc, &e);
			}
		}
	}
}

void traffic_plan(struct traffic *t, size_t n, uint64_t seed, uint64_t salt,
		  int64_t start)
{
	size_t walloc = 0, ealloc = 0;
	uint64_t s = seed;
	/* About a month of a busy list per 100,000 messages. */
	int64_t span = (int64_t)(n / 100000 + 1) * 30 * 86400;

	memset(t, 0, sizeof(*t));
	t->salt = salt;
	while (t->nr_events < n) {
		struct traffic_work *wk;
		unsigned v, r;

		XGROW(t->works, walloc, t->nr_works + 1);
		wk = &t->works[t->nr_works];
		memset(wk, 0, sizeof(*wk));
		wk->author = roll(&s, NR_AUTHORS);
		wk->sender = wk->author;
		wk->subsys = roll(&s, ARRAY_SIZE(subsystems));
		wk->seed = (uint32_t)next_rand(&s);
		r = roll(&s, 100);
		wk->versions = r < 50 ? 1 : r < 75 ? 2 : r < 90 ? 3 : 4;
		if (roll(&s, 3) == 0)
			wk->flags |= WORK_B4;
		else if (roll(&s, 3) == 0)
			wk->flags |= WORK_LINKS;
		if (roll(&s, 5) == 0)
			wk->flags |= WORK_IN_REPLY_TO;
		if (roll(&s, 10) == 0)
			wk->flags |= WORK_RETITLED;
		if (roll(&s, 20) == 0)
			wk->flags |= WORK_RFC;
		if (roll(&s, 10) == 0) {
			wk->flags |= WORK_FOR_AUTHOR;
			wk->sender = NR_AUTHORS + roll(&s, NR_MAINTAINERS);
		}
		wk->patches[0] = (uint16_t)series_size(&s);
		wk->date[0] = start + (int64_t)(next_rand(&s) % (uint64_t)span);
		for (v = 1; v < wk->versions; v++) {
			int p = wk->patches[v - 1] + (int)roll(&s, 3) - 1;

			wk->patches[v] = (uint16_t)(p < 1 ? 1 : p);
			wk->date[v] = wk->date[v - 1] + 86400 +
				      (int64_t)roll(&s, 20 * 86400);
		}
		plan_work(t, &ealloc, (uint32_t)t->nr_works, &s);
		t->nr_works++;
	}
	qsort(t->events, t->nr_events, sizeof(*t->events), by_date);
}

int64_t traffic_end(const struct traffic *t)
{
	return t->nr_events ? t->events[t->nr_events - 1].date : 0;
}

int traffic_posting_of(uint32_t *work, unsigned *version,
		       const char *message_id)
{
	long long date;
	unsigned long long salt;
	unsigned w, v, n;

	/* posting_id()'s two shapes. */
	if (sscanf(message_id, "%lld-w%u-v%u-%u-", &date, &w, &v, &n) == 4 &&
	    v >= 1) {
		*work = w;
		*version = v - 1;
		return 0;
	}
	if (sscanf(message_id, "%lld.%u.%llx-%u-dev", &date, &w, &salt, &n) ==
	    4) {
		*work = w / 8;
		*version = w % 8;
		return 0;
	}
	return -1;
}

size_t traffic_expected_edges(const struct traffic *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->nr_works; i++)
		n += t->works[i].versions - 1u;
	return n;
}

void traffic_release(struct traffic *t)
{
	free(t->works);
	free(t->events);
	memset(t, 0, sizeof(*t));
}

/* --- building one message ------------------------------------------------ */

static void person_of(struct person *out, uint32_t who)
{
	char name[64], addr[96];

	if (who >= NR_AUTHORS) {
		snprintf(name, sizeof(name), "Maintainer %u", who - NR_AUTHORS);
		snprintf(addr, sizeof(addr), "maint%u@kernel.example.org",
			 who - NR_AUTHORS);
	} else {
		snprintf(name, sizeof(name), "Developer %u", who);
		snprintf(addr, sizeof(addr), "dev%u@example%u.com", who,
			 who % 97);
	}
	person_set(out, name, addr);
}

/* The Message-ID of a posting: b4's or git send-email's shape. */
static char *posting_id(const struct traffic *t, uint32_t w, unsigned v,
			unsigned n)
{
	const struct traffic_work *wk = &t->works[w];

	if (wk->flags & WORK_B4)
		return xasprintf("%lld-w%u-v%u-%u-%08llx@example%u.com",
				 (long long)wk->date[v] / 86400, w, v + 1, n,
				 (unsigned long long)(t->salt & 0xffffffff),
				 wk->sender % 97);
	return xasprintf("%lld.%u.%llx-%u-dev%u@example%u.com",
			 (long long)wk->date[v], w * 8 + v,
			 (unsigned long long)t->salt, n, wk->sender,
			 wk->sender % 97);
}

static char *reply_id(const struct traffic *t, const struct traffic_event *e,
		      unsigned k)
{
	return xasprintf("r%u.%u.%u.%u.%llx@mail.example.net", e->work,
			 e->version, e->number, k, (unsigned long long)t->salt);
}

static void patch_title(struct buf *out, const struct traffic_work *wk,
			unsigned n)
{
	uint64_t h = mix(wk->seed, n);

	/* Like real titles, mostly unique: a function name of the work. */
	buf_addf(out, "%s: %s %s of %s_%x()", subsystems[wk->subsys],
		 verbs[h % ARRAY_SIZE(verbs)],
		 objects[(h >> 8) % ARRAY_SIZE(objects)],
		 objects[(h >> 16) % ARRAY_SIZE(objects)] + 4,
		 (unsigned)(h >> 32) & 0xfff);
}

static void cover_title(struct buf *out, const struct traffic_work *wk,
			unsigned v)
{
	uint64_t h = mix(wk->seed, 1000 + (v && (wk->flags & WORK_RETITLED)));

	buf_addf(out, "%s: %s %s in %x", subsystems[wk->subsys],
		 verbs[h % ARRAY_SIZE(verbs)],
		 objects[(h >> 8) % ARRAY_SIZE(objects)],
		 (unsigned)(h >> 32) & 0xffff);
}

static void add_trailer(struct patch *p, const char *name, const char *value)
{
	p->trailers = xrealloc(p->trailers,
			       (p->nr_trailers + 1) * sizeof(*p->trailers));
	p->trailers[p->nr_trailers].name = xstrdup(name);
	p->trailers[p->nr_trailers].value = xstrdup(value);
	p->nr_trailers++;
}

static void add_prefix(struct subject *s, const char *w)
{
	s->prefixes = xrealloc(s->prefixes,
			       (s->nr_prefixes + 1) * sizeof(*s->prefixes));
	s->prefixes[s->nr_prefixes++] = xstrdup(w);
}

/* The Message-ID version v's patches thread to: its cover or patch 1. */
static char *root_id(const struct traffic *t, uint32_t w, unsigned v)
{
	return posting_id(t, w, v, (t->works[w].covered >> v) & 1 ? 0 : 1);
}

static void build_posting(struct message *m, const struct traffic *t,
			  const struct traffic_event *e)
{
	const struct traffic_work *wk = &t->works[e->work];
	unsigned v = e->version, total = wk->patches[v], n = e->number;
	struct buf title = BUF_INIT, body = BUF_INIT, subj = BUF_INIT;
	bool cover = e->kind == EV_COVER;
	char *root, *prev = NULL, *tmp;
	size_t len;

	if (cover)
		cover_title(&title, wk, v);
	else
		patch_title(&title, wk, n);

	m->mail.message_id = posting_id(t, e->work, v, n);
	/* git send-email threads the patches to the cover (id 0) or, with
	 * none, to patch 1; a cover or patch 1 of vN may answer vN-1. */
	root = root_id(t, e->work, v);
	if (v > 0)
		prev = root_id(t, e->work, v - 1);
	if (strcmp(root, m->mail.message_id)) {
		m->mail.in_reply_to = xstrdup(root);
		m->mail.nr_references = 1;
		m->mail.references = xcalloc(1, sizeof(char *));
		m->mail.references[0] = xstrdup(root);
	} else if (prev && (wk->flags & WORK_IN_REPLY_TO)) {
		m->mail.in_reply_to = xstrdup(prev);
		m->mail.nr_references = 1;
		m->mail.references = xcalloc(1, sizeof(char *));
		m->mail.references[0] = xstrdup(prev);
	}
	m->mail.list_id = xstrdup("linux-kernel.vger.kernel.org");
	m->mail.date = e->date;
	person_of(&m->mail.from, wk->sender);
	person_of(&m->author, wk->author);
	if (wk->flags & WORK_FOR_AUTHOR) {
		person_of(&m->mail.inbody_from, wk->author);
	}

	buf_adds(&subj, "[");
	if (v == 0 && (wk->flags & WORK_RFC))
		buf_adds(&subj, "RFC ");
	buf_adds(&subj, "PATCH");
	if (v > 0)
		buf_addf(&subj, " v%u", v + 1);
	if (total > 1)
		buf_addf(&subj, " %0*u/%u", total > 9 ? 2 : 1, n, total);
	buf_addf(&subj, "] %s", title.data);
	m->mail.subject = buf_detach(&subj, NULL);

	if (cover) {
		buf_addf(&body, "This series is about %s.\n\n%.*s\n\n",
			 title.data, (int)(200 + e->work % 200), lorem);
		if (v > 0) {
			buf_addf(&body,
				 "Changes in v%u:\n- address the "
				 "review of v%u\n",
				 v + 1, v);
			if (wk->flags & WORK_B4)
				buf_addf(&body,
					 "- Link to v%u: https://lore.kernel."
					 "org/r/%s\n",
					 v, prev);
			else if (wk->flags & WORK_LINKS)
				buf_addf(&body,
					 "v%u: https://lore.kernel.org/all/"
					 "%s/\n",
					 v, prev);
			buf_addch(&body, '\n');
		}
		buf_addf(&body, "Developer %u (%u):\n", wk->author, total);
		for (len = 1; len <= total; len++) {
			buf_adds(&body, "  ");
			patch_title(&body, wk, (unsigned)len);
			buf_addch(&body, '\n');
		}
		buf_addf(&body, "\n drivers/x/y.c | %u +-\n 1 file changed\n",
			 total * 2);
		if (wk->flags & WORK_B4) {
			tmp = xasprintf("%lld-w%u-%08x",
					(long long)wk->date[0] / 86400, e->work,
					wk->seed);
			buf_addf(&body, "---\nchange-id: %s\n", tmp);
			add_trailer(&m->patch, "change-id", tmp);
			free(tmp);
		}
	} else {
		size_t msg = 400 + mix(wk->seed, n) % 900;

		while (msg > 0) {
			size_t k = msg < sizeof(lorem) - 1 ? msg
							   : sizeof(lorem) - 1;

			buf_add(&body, lorem, k);
			buf_addch(&body, '\n');
			msg -= k;
		}
		tmp = xasprintf("Developer %u <dev%u@example%u.com>",
				wk->author, wk->author, wk->author % 97);
		buf_addf(&body, "\nSigned-off-by: %s\n---\n", tmp);
		add_trailer(&m->patch, "Signed-off-by", tmp);
		free(tmp);
		if (v > 0 && total == 1 && (wk->flags & WORK_LINKS))
			buf_addf(&body,
				 "v%u: https://lore.kernel.org/all/%s/\n", v,
				 prev);
		buf_addf(&body,
			 " drivers/x/y%u.c | 4 ++--\n 1 file changed, 2 "
			 "insertions(+), 2 deletions(-)\n\ndiff --git "
			 "a/drivers/x/y%u.c b/drivers/x/y%u.c\n--- "
			 "a/drivers/x/y%u.c\n+++ b/drivers/x/y%u.c\n@@ -10,7 "
			 "+10,7 @@\n context\n-\told();\n+\tnew();\n "
			 "context\n-\told2();\n+\tnew2();\n context\n",
			 n, n, n, n, n);
		m->patch.has_diff = true;
		m->patch.has_separator = true;
		m->patch.diffstat.files = 1;
		m->patch.diffstat.insertions = 2;
		m->patch.diffstat.deletions = 2;
		m->patch.nr_paths = 1;
		m->patch.paths = xcalloc(1, sizeof(char *));
		m->patch.paths[0] = xasprintf("drivers/x/y%u.c", n);
	}
	m->mail.body_len = body.len;
	m->mail.body = buf_detach(&body, NULL);

	m->tags.title = buf_detach(&title, NULL);
	m->tags.version = (int)v + 1;
	m->tags.number = total > 1 ? (int)n : -1;
	m->tags.total = total > 1 ? (int)total : -1;
	m->tags.rfc = v == 0 && (wk->flags & WORK_RFC);
	if (m->tags.rfc)
		add_prefix(&m->tags, "RFC");
	m->tags.patch = true;
	m->date = e->date;
	m->kind = cover ? MESSAGE_COVER : MESSAGE_PATCH;
	free(root);
	free(prev);
	buf_release(&title);
}

static void build_reply(struct message *m, const struct traffic *t,
			const struct traffic_event *e)
{
	const struct traffic_work *wk = &t->works[e->work];
	unsigned total = wk->patches[e->version];
	uint64_t h = mix(mix(wk->seed, e->number), 77 + e->reply);
	uint32_t who = (uint32_t)(h % NR_AUTHORS);
	struct buf body = BUF_INIT, title = BUF_INIT;
	char *posting, *parent, *tmp;

	posting = posting_id(t, e->work, e->version, e->number);
	parent = e->nested ? reply_id(t, e, e->reply - 1u) : xstrdup(posting);
	m->mail.message_id = reply_id(t, e, e->reply);
	m->mail.in_reply_to = xstrdup(parent);
	m->mail.nr_references = e->nested ? 2 : 1;
	m->mail.references = xcalloc(2, sizeof(char *));
	m->mail.references[0] = xstrdup(posting);
	if (e->nested)
		m->mail.references[1] = xstrdup(parent);
	m->mail.list_id = xstrdup("linux-kernel.vger.kernel.org");
	m->mail.date = e->date;
	person_of(&m->mail.from, who);
	person_of(&m->author, who);
	if (e->number == 0)
		cover_title(&title, wk, e->version);
	else
		patch_title(&title, wk, e->number);
	if (total > 1)
		m->mail.subject =
			xasprintf("Re: [PATCH v%u %u/%u] %s", e->version + 1u,
				  e->number, total, title.data);
	else
		m->mail.subject = xasprintf("Re: [PATCH v%u] %s",
					    e->version + 1u, title.data);
	buf_addf(&body, "On %lld, Developer %u wrote:\n> %.*s\n\n%.*s\n\n",
		 (long long)e->date, wk->author, 70, lorem,
		 (int)(100 + h % 300), lorem);
	if (h % 100 < 50) {
		static const char *const names[] = {
			"Reviewed-by", "Reviewed-by", "Reviewed-by",
			"Reviewed-by", "Reviewed-by", "Reviewed-by",
			"Reviewed-by", "Acked-by",    "Acked-by",
			"Tested-by"};

		tmp = xasprintf("Developer %u <dev%u@example%u.com>", who, who,
				who % 97);
		buf_addf(&body, "%s: %s\n", names[(h >> 16) % 10], tmp);
		add_trailer(&m->patch, names[(h >> 16) % 10], tmp);
		free(tmp);
	}
	m->mail.body_len = body.len;
	m->mail.body = buf_detach(&body, NULL);
	m->tags.title = buf_detach(&title, NULL);
	m->tags.version = e->version + 1;
	m->tags.number = total > 1 ? e->number : -1;
	m->tags.total = total > 1 ? (int)total : -1;
	m->tags.reply = true;
	m->tags.patch = true;
	m->date = e->date;
	m->kind = MESSAGE_REPLY;
	free(posting);
	free(parent);
}

void traffic_message(struct message *out, const struct traffic *t, size_t i)
{
	const struct traffic_event *e = &t->events[i];

	if (e->kind == EV_REPLY)
		build_reply(out, t, e);
	else
		build_posting(out, t, e);
}
