/*
 * evidence.h: what in a posting says that it supersedes an earlier one.
 *
 * The kinds, strongest first (issue 4): a b4 change-id shared by both
 * postings; a "Supersedes: <message-id>" line; a line naming an earlier
 * version's Message-ID through a link ("Link to v9: https://lore.kernel.org
 * /r/<id>", "v2: https://lore.kernel.org/<list>/<id>/"); In-Reply-To
 * pointing at the earlier version; the same normalised title from the same
 * author with a higher version; strong overlap of patch titles from the
 * same author when the title changed. A RESEND of a version is linked to
 * the posting it resends but is not a new version.
 *
 * A pure module: text in, values out. series.c decides; this finds.
 */
#ifndef PATCHLETTER_EVIDENCE_H
#define PATCHLETTER_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>

enum evidence {
	EVIDENCE_CHANGE_ID = 0,
	EVIDENCE_SUPERSEDES,
	EVIDENCE_LINK,
	EVIDENCE_IN_REPLY_TO,
	EVIDENCE_TITLE,
	EVIDENCE_PATCH_TITLES,
	EVIDENCE_RESEND,
	EVIDENCE_COUNT
};

/* "change-id", "supersedes", "link", "in-reply-to", "same title",
 * "patch titles", "resend": the names stored and shown. */
const char *evidence_name(enum evidence e);
/* The evidence called name; EVIDENCE_COUNT when none is. */
enum evidence evidence_from_name(const char *name);
/* Explicit evidence names the older posting itself; only it may link
 * postings of different authors. */
bool evidence_is_explicit(enum evidence e);

struct evidence_link {
	enum evidence kind;  /* EVIDENCE_SUPERSEDES or EVIDENCE_LINK */
	int version;	     /* the version the line names ("v9"), 0 if none */
	char *message_id;    /* owned, without <> */
};

struct evidence_links {
	struct evidence_link *v; /* owned */
	size_t nr, alloc;
};

#define EVIDENCE_LINKS_INIT {NULL, 0, 0}

/*
 * Find the Message-IDs that text (a cover letter or a patch's body)
 * names as earlier versions of itself: "Supersedes: <id>" lines, and
 * lore-style links (lore.kernel.org/r/, /all/, /<list>/, lkml.kernel.org/r/,
 * patch.msgid.link/) on a line that names a version ("Link to v3:",
 * "v2: https://...", "[v1] ...", "Changes since v1 (<link>)", "previous
 * version:", "my previous attempt ... at"), or on the line after one that
 * does ("- Link to v2:" and the URL wrapped below), or closing a
 * changelog block ("v2 -> v3:", its notes, then a bare "Link: <url>": the
 * version changed from). A link on a line that names no version (a
 * reference to a discussion, a Link: trailer) or names one it depends on
 * ("Depends on v3 of ...", "based on", "on top of") is not evidence:
 * precision comes first. Quoted lines are someone else's. Appends to out;
 * no repeats.
 */
void evidence_find_links(struct evidence_links *out, const char *text,
			 size_t len);
void evidence_links_release(struct evidence_links *l);

/*
 * The tree a posting targets, from its subject prefixes: "net",
 * "net-next", "5.10.y" (also written "v5.10.y"), "for-5.2",
 * "kvm-unit-tests", "stable"... lowercased, "v" dropped from version-like
 * trees, joined with spaces; RFC, RESEND, PATCH, RFT, v<N> are not trees.
 * Returns an owned string, "" when no prefix names a tree.
 */
char *evidence_target(const char *const *prefixes, size_t n);

/*
 * May two postings be versions of the same work, as far as their targets
 * go? Different explicit targets (net vs net-next, 5.10.y vs 6.1.y) are
 * different work; no target is compatible with any.
 */
bool evidence_targets_compatible(const char *a, const char *b);

/*
 * Strong overlap of two postings' patch titles, na and nb distinct
 * normalised titles of which shared are in both (series.c counts them
 * through the store's title index): at least two shared titles, and at
 * least half of the smaller set. Lone patches never overlap this way: a
 * retitled lone patch shares nothing to judge by.
 */
bool evidence_titles_overlap(size_t shared, size_t na, size_t nb);

#endif
