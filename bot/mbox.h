/*
 * mbox.h: mail containers split into messages. An mbox (in memory, or
 * streamed from a file or descriptor in bounded memory however large the
 * file), a Maildir, or a file holding one mail; each message is handed to
 * a callback.
 *
 * mbox rules (RFC 4155 and the mboxrd convention public-inbox writes):
 *  - a message starts after a "From " line that begins the data or follows
 *    a blank line, or (as git mailsplit has it) a From_ line with its
 *    asctime() stamp ("From x Mon Sep 17 00:00:00 2001") anywhere; that
 *    line and a blank line before it belong to the container;
 *  - MBOX_RD (the default: lore's exports are mboxrd) turns ">From ",
 *    ">>From ", ... at a line start into "From ", ">From ", ...; MBOX_O
 *    only turns ">From " into "From ";
 *  - CRLF line ends are tolerated (a "\r\n" line is blank) and kept;
 *  - white space before the first message is skipped (git mailsplit);
 *    other bytes before the first "From " line are a message too: nothing
 *    is dropped without a word.
 *
 * Oversize messages: a message longer than MAIL_MAX_BYTES (bounds.h) is
 * logged once and still passed on, flagged `truncated`, with its first
 * MAIL_MAX_BYTES bytes; the caller stores it as unparsed. Nothing is
 * skipped silently.
 */
#ifndef PATCHLETTER_MBOX_H
#define PATCHLETTER_MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mbox_quoting {
	MBOX_RD = 0, /* mboxrd: one '>' off every ">...>From " line */
	MBOX_O,	     /* mboxo: ">From " only */
};

enum mbox_kind {
	MBOX_KIND_MBOX,	   /* a file that starts with "From " (after white
			      space), or is empty */
	MBOX_KIND_MAILDIR, /* a directory with cur/ or new/ */
	MBOX_KIND_FILE,	   /* any other file: one mail */
};

struct mbox_msg {
	const char *data; /* borrowed: valid during the callback only */
	size_t len;
	size_t index;	    /* 0, 1, ... in container order */
	const char *source; /* borrowed: the mbox, or the Maildir file */
	bool truncated;	    /* longer than MAIL_MAX_BYTES; data is its head */
	uint64_t full_len;  /* the whole message's size */
};

/*
 * Called once per message. Return 0 to go on; any other value stops the
 * reader, which returns it (use the err.h codes).
 */
typedef int (*mbox_fn)(const struct mbox_msg *msg, void *arg);

/* Split an mbox held in memory. Returns 0 or the callback's value. */
int mbox_split(const char *data, size_t len, enum mbox_quoting quoting,
	       const char *source, mbox_fn fn, void *arg);

/*
 * Stream an mbox from fd (read() in 1 MiB chunks; the file is never
 * held whole). source names it in logs and messages. Returns 0, the
 * callback's value, or ERR_FAIL after a read error (logged).
 */
int mbox_read_fd(int fd, const char *source, enum mbox_quoting quoting,
		 mbox_fn fn, void *arg);

/* Open path and stream it as an mbox. ERR_NOTFOUND when it is missing. */
int mbox_read_file(const char *path, enum mbox_quoting quoting, mbox_fn fn,
		   void *arg);

/*
 * Every message of the Maildir at path: the files of cur/ and new/ whose
 * names do not start with '.', in the order of their names (cur/ first
 * on a tie) so that runs are repeatable.
 */
int mbox_read_maildir(const char *path, mbox_fn fn, void *arg);

/* The one mail in the file at path. */
int mbox_read_single(const char *path, mbox_fn fn, void *arg);

/*
 * What path holds: a directory with cur/ or new/ is a Maildir, a file
 * starting with "From " after optional white space (or empty) an mbox, a
 * pipe an mbox, another file one mail.
 * Returns 0, ERR_NOTFOUND, or ERR_PERM (a directory that is not a
 * Maildir, or something that is not a file), logged.
 */
int mbox_detect(enum mbox_kind *out, const char *path);

/* mbox_detect() and the matching reader; quoting is for mboxes only. */
int mbox_read_path(const char *path, enum mbox_quoting quoting, mbox_fn fn,
		   void *arg);

#endif
