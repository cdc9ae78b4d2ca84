/*
 * subject.h: the tags of a patch mail's Subject, as kernel readers read
 * them, and the clean title that remains.
 *
 *   "Re: [PATCH net-next v10 03/10] tun: Add ..."  ->
 *   prefixes {"net-next"}, version 10, number 3, total 10, reply,
 *   title "tun: Add ..."
 *
 * A pure module: bytes in, values out. The subject given is already
 * unfolded and RFC 2047-decoded (mail.c does that).
 *
 * What is a tag: as b4 and git mailinfo do, every bracket group at the
 * start of the subject ("[RFC][PATCH 00/10]", "[Qemu-devel] [PATCH]",
 * "[PATCH][next]"), with reply and forward markers ("Re:", "AW:", "Fwd:",
 * "Re[2]:", b4's "(subset)") allowed before, between and after them.
 * Brackets after the first word of the title belong to the title
 * ("mm: remove is_swap_[pte, pmd]()"). Inside a group, words are split at
 * blanks and commas ("[net,v2,1/2]"):
 *   PATCH, PATCHv3, PATCHES   the patch word (not a prefix)
 *   v3, V3, v2.1              the version (2 for v2.1; not a prefix);
 *                             v2RESEND / v2-resend also set resend
 *   3/7, "3 of 7" (Mercurial) number and total (not a prefix)
 *   RFC, RFCv2                rfc (RFC stays a prefix)
 *   RESEND, RESEND2           resend (stays a prefix)
 *   PULL (GIT PULL, git pull) pull (GIT and PULL stay prefixes)
 *   anything else             a prefix, as written: "net-next",
 *                             "5.10.y", "v6.1.y", "AUTOSEL", "Qemu-devel"
 * A group whose first word is a "tree:branch" name, as the kernel test
 * robot writes ("[tip:timers/vdso 12/14]", "[linux-next:master]"), names a
 * tree, not a patch: all its words are prefixes and it sets nothing else.
 * When the tags give no version, a "(v2)" in the title gives it
 * (patchwork's rule); it stays in the title.
 */
#ifndef PATCHLETTER_SUBJECT_H
#define PATCHLETTER_SUBJECT_H

#include <stdbool.h>
#include <stddef.h>

struct subject {
	char *title;	 /* owned: the subject without tags and markers,
			    trimmed, inner blank runs made one space */
	char **prefixes; /* owned: other words of the tags, as written, in
			    order ("RFC", "RESEND", "net-next",
			    "kvm-unit-tests", "for-5.2"); the word PATCH
			    and version and n/m are not prefixes */
	size_t nr_prefixes;
	int version;	   /* 1 when the subject names none */
	int number;	   /* 3 of "03/10"; 0 for a cover letter; -1 none */
	int total;	   /* 10 of "03/10"; -1 when none */
	bool rfc;	   /* RFC anywhere in the tags */
	bool resend;	   /* RESEND */
	bool reply;	   /* Re:, Aw:, Sv:, ... before or after the tags */
	bool reply_lead;   /* a reply marker came before any patch tag:
			      "Re: [PATCH] x", "[Qemu-devel] Re: [PATCH] x",
			      "Re: x"; not "[PATCH] Re: x" (a patch whose
			      title answers a thread) */
	bool forward;	   /* Fwd:, Fw:, WG: */
	bool pull;	   /* [GIT PULL], [PULL], [GIT,PULL] */
	bool patch;	   /* a patch tag was present: the word PATCH or RFC,
			      or (unless pull) a version or an n/m counter
			      ("[net,v2,1/2]", "[for-5.2 v4 00/10]") */
	const char *limit; /* static: the bounds.h limit that cut the parse
			      short, or NULL */
};

#define SUBJECT_INIT                                                \
	{                                                           \
		NULL, NULL, 0, 1, -1, -1, 0, 0, 0, 0, 0, 0, 0, NULL \
	}

/*
 * Parse subject s (len bytes, UTF-8) into out, which must be SUBJECT_INIT
 * or released. Never fails on odd input: what is not understood stays in
 * the title. Returns 0, or ERR_LIMIT when s is longer than
 * MAIL_MAX_SUBJECT_BYTES or the tags hold more than SUBJECT_MAX_PREFIXES
 * prefixes (out is then still filled from what fitted, and out->limit
 * says which; nothing is logged: the caller, who knows the mail, does).
 */
int subject_parse(struct subject *out, const char *s, size_t len);
void subject_release(struct subject *s);

/*
 * The form of a title used to compare titles across versions of a series:
 * ASCII letters lowercased, blank runs made one space, leading and
 * trailing blanks and trailing punctuation (. , ; : ! ?) removed, and a
 * trailing resend remark in parentheses dropped ("(v3)", "(resend)",
 * "(second try)", "(take 2)", "(repost)"): "Foo: Bar  baz. (v2)" ->
 * "foo: bar baz". Other parentheses stay ("(part 2)" tells work apart).
 * Returns an owned string (free() it); never NULL.
 */
char *subject_normalize_title(const char *title);

#endif
