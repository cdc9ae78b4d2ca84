/*
 * perlre.h: the Perl regular expressions of MAINTAINERS' N: and K: lines,
 * translated into POSIX extended ones for regcomp(REG_EXTENDED), plus the
 * literals that every match must contain, for a cheap pre-filter.
 *
 * get_maintainer.pl matches N: with $file =~ m/$value/x and K: with
 * $line =~ m/$prefix$value/x. The 2026 MAINTAINERS uses this much Perl
 * beyond POSIX: \b \B \d \s \w (and their negations, also inside [...]),
 * (?:...), (?i:...), a leading (?i), escaped punctuation and spaces, and
 * the /x flag (unescaped whitespace and #-comments are not part of the
 * pattern). That subset is translated; anything else (look-around,
 * back-references, possessive quantifiers, non-ASCII bytes) is refused
 * with a reason rather than guessed at. Lazy quantifiers lose their '?':
 * only whether a match exists matters here, and laziness cannot change it.
 *
 * \b and \B become glibc's GNU operators of the same meaning.
 */
#ifndef PATCHLETTER_PERLRE_H
#define PATCHLETTER_PERLRE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum perlre_flags {
	PERLRE_X = 1 << 0, /* Perl's /x: ignore whitespace and # comments */
};

struct perlre_lit {
	char *s; /* owned; lower-cased when icase */
	size_t len;
	bool icase;
};

struct perlre {
	char *ere;   /* owned: the whole pattern as a POSIX ERE */
	bool icase;  /* compile with REG_ICASE (a leading (?i)) */
	char **alts; /* owned: the top-level alternatives, each an ERE */
	size_t nr_alts;
	/*
	 * Any match of the pattern contains at least one of these (owned);
	 * nr_lits == 0 means nothing is known and the regex must always run.
	 */
	struct perlre_lit *lits;
	size_t nr_lits;
};

#define PERLRE_INIT \
	{           \
		0   \
	}

/*
 * Translate re (len bytes) into out (PERLRE_INIT or released). Returns 0,
 * ERR_PERM with one line of reason appended to err (may be NULL), or
 * ERR_LIMIT beyond PERLRE_MAX_BYTES.
 */
int perlre_translate(struct perlre *out, const char *re, size_t len,
		     unsigned flags, struct buf *err);
void perlre_release(struct perlre *r);

#endif
