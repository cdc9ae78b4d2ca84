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
 */
#ifndef PATCHLETTER_SUBJECT_H
#define PATCHLETTER_SUBJECT_H

#include <stdbool.h>
#include <stddef.h>

struct subject {
	char *title;	  /* owned: the subject without tags and markers */
	char **prefixes;  /* owned: other words of the tags, as written, in
			     order ("RFC", "RESEND", "net-next",
			     "kvm-unit-tests", "for-5.2"); the word PATCH
			     and version and n/m are not prefixes */
	size_t nr_prefixes;
	int version;	  /* 1 when the subject names none */
	int number;	  /* 3 of "03/10"; 0 for a cover letter; -1 none */
	int total;	  /* 10 of "03/10"; -1 when none */
	bool rfc;	  /* RFC anywhere in the tags */
	bool resend;	  /* RESEND */
	bool reply;	  /* Re:, Aw:, Sv:, ... before or after the tags */
	bool forward;	  /* Fwd:, Fw:, WG: */
	bool pull;	  /* [GIT PULL], [PULL], [GIT,PULL] */
	bool patch;	  /* a PATCH-like tag was present ([PATCH], [RFC]..) */
};

#define SUBJECT_INIT {NULL, NULL, 0, 1, -1, -1, 0, 0, 0, 0, 0, 0}

/*
 * Parse subject s (len bytes, UTF-8) into out, which must be SUBJECT_INIT
 * or released. Never fails on odd input: what is not understood stays in
 * the title. Returns 0, or ERR_LIMIT when s is longer than bounds.h allows
 * (out is then still filled from the first part).
 */
int subject_parse(struct subject *out, const char *s, size_t len);
void subject_release(struct subject *s);

#endif
