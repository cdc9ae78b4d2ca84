/*
 * mail.c: one RFC 5322 / MIME mail understood (mail.h).
 *
 * libetpan is the only mail library here, and this file is the only one
 * that includes its mail headers. Reading its source (1.9.4) decided what
 * to take from it and what not:
 *
 *  - taken: mailmime_content_parse() and mailmime_disposition_parse() for
 *    the MIME fields (lenient: unquoted '=' in a boundary, a missing
 *    subtype), mailmime_part_parse() for base64 (skips junk, tolerates
 *    missing padding) and charconv_buffer() for charsets (iconv with
 *    libetpan's aliases: gb2312 -> GBK, ks_c_5601-1987 -> EUC-KR, ...);
 *  - not mailmime_parse() on a whole mail: it recurses without a depth
 *    bound (a hostile nesting overflows the stack), refuses an empty part
 *    and builds structures for every header field, which on lore's mail
 *    (Received, DKIM, ARC: most of the bytes) costs more than the rest of
 *    the parse. The header block and the MIME tree are walked here, with
 *    the bounds of bounds.h, and libetpan parses the fields that matter;
 *  - not mailmime_encoded_phrase_parse() for RFC 2047: it stops at the
 *    first "=?" that does not open a word and drops the rest of the header,
 *    fails the whole header on an encoding letter other than Q or B, and
 *    calls iconv_open() for every plain word of every header;
 *  - not quoted-printable through mailmime_part_parse(): it turns an '='
 *    that is not followed by two hex digits into a NUL and swallows the
 *    two bytes after it (RFC 2045 6.7 note (2) and git mailinfo keep them), and
 *    rewrites every line end as CRLF.
 *
 * The date, address and Message-ID parsers are tolerant by design, as git
 * mailinfo and patchwork are: list archives carry every kind of breakage.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/charconv.h>
#include <libetpan/clist.h>
#include <libetpan/mailimf.h>
#include <libetpan/mailmime.h>
#include <libetpan/mailmime_content.h>
#include <libetpan/mailmime_disposition.h>
#include <libetpan/mailmime_types.h>

#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "log.h"
#include "mail.h"
#include "utf8.h"
#include "xalloc.h"

struct span {
	const char *p; /* borrowed from the raw mail; NULL when absent */
	size_t len;
};

/* The header fields mail_parse() keeps (the first of each). */
enum hdr_id {
	H_NONE = 0,
	H_MESSAGE_ID,
	H_IN_REPLY_TO,
	H_REFERENCES,
	H_LIST_ID,
	H_DATE,
	H_FROM,
	H_SUBJECT,
	H_SENDER,
	H_REPLY_TO,
	H_RETURN_PATH,
	H_AUTO_SUBMITTED,
	H_PRECEDENCE,
	H_CONTENT_TYPE,
	H_CTE,
	H_DISPOSITION,
	/* Kept from every field, not only the first: */
	H_TO,
	H_CC,
	H_DELIVERED_TO,
	H_X_LOOP,
	H_NR
};

static const struct {
	const char *name;
	size_t len;
} hdr_names[H_NR] = {
	[H_MESSAGE_ID] = {"Message-ID", 10},
	[H_IN_REPLY_TO] = {"In-Reply-To", 11},
	[H_REFERENCES] = {"References", 10},
	[H_LIST_ID] = {"List-Id", 7},
	[H_DATE] = {"Date", 4},
	[H_FROM] = {"From", 4},
	[H_SUBJECT] = {"Subject", 7},
	[H_SENDER] = {"Sender", 6},
	[H_REPLY_TO] = {"Reply-To", 8},
	[H_RETURN_PATH] = {"Return-Path", 11},
	[H_AUTO_SUBMITTED] = {"Auto-Submitted", 14},
	[H_PRECEDENCE] = {"Precedence", 10},
	[H_CONTENT_TYPE] = {"Content-Type", 12},
	[H_CTE] = {"Content-Transfer-Encoding", 25},
	[H_DISPOSITION] = {"Content-Disposition", 19},
	[H_TO] = {"To", 2},
	[H_CC] = {"Cc", 2},
	[H_DELIVERED_TO] = {"Delivered-To", 12},
	[H_X_LOOP] = {"X-Loop", 6},
};

/* Scratch buffers for header decoding, reused across the fields. */
struct hdr_scratch {
	struct buf unfolded;
	struct buf word; /* bytes of adjacent encoded words of one charset */
	struct buf text;
};

#define HDR_SCRATCH_INIT                     \
	{                                    \
		BUF_INIT, BUF_INIT, BUF_INIT \
	}

/* One mail_parse() call. */
struct parse {
	struct mail *m;
	const char *limit_what; /* the first bounds.h limit hit, or NULL */
	size_t limit_value;
	size_t parts;	 /* MIME entities seen */
	size_t recipients_alloc, loops_alloc;
	struct buf body; /* cap MAIL_MAX_BODY_BYTES */
	struct buf dec;	 /* one part, transfer-decoded */
	struct buf conv; /* one part, converted to UTF-8 */
	struct hdr_scratch hs;
};

static void hdr_scratch_release(struct hdr_scratch *hs)
{
	buf_release(&hs->unfolded);
	buf_release(&hs->word);
	buf_release(&hs->text);
}

/* Record the first limit hit; it is logged once, with the Message-ID. */
static int hit_limit(struct parse *ps, const char *what, size_t value)
{
	if (!ps->limit_what) {
		ps->limit_what = what;
		ps->limit_value = value;
	}
	return ERR_LIMIT;
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool span_ieq(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len == n && !strncasecmp(s, lit, n);
}

static bool starts_with_ci(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && !strncasecmp(s, lit, n);
}

static bool starts_with(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && !memcmp(s, lit, n);
}

static void trim(const char **s, size_t *len)
{
	while (*len && is_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_space((*s)[*len - 1]))
		(*len)--;
}

/* --- UTF-8 and text ---------------------------------------------------- */

/*
 * Is s valid UTF-8? utf8_valid() with a fast path for ASCII, eight bytes
 * at a time: nearly every byte of a kernel mail is ASCII.
 */
static bool text_is_utf8(const char *s, size_t len)
{
	size_t i = 0, n;
	uint64_t w;

	while (i < len) {
		if (len - i >= 8) {
			memcpy(&w, s + i, 8);
			if (!(w & 0x8080808080808080ull)) {
				i += 8;
				continue;
			}
		}
		if (!((unsigned char)s[i] & 0x80)) {
			i++;
			continue;
		}
		n = utf8_seq_len(s + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

static bool text_is_ascii(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] & 0x80)
			return false;
	return true;
}

/*
 * Append valid UTF-8 text to out with CRLF turned into LF and NUL bytes
 * dropped (mail.h: the body is NUL-terminated text with LF line ends).
 */
static int append_clean(struct buf *out, const char *s, size_t len)
{
	const char *end = s + len, *cr;

	if (memchr(s, '\0', len)) {
		size_t i, start = 0;

		for (i = 0; i < len; i++) {
			bool crlf =
				s[i] == '\r' && i + 1 < len && s[i + 1] == '\n';

			if (s[i] != '\0' && !crlf)
				continue;
			if (buf_try_add(out, s + start, i - start))
				return ERR_LIMIT;
			start = i + 1;
		}
		return buf_try_add(out, s + start, len - start);
	}
	while ((cr = memchr(s, '\r', (size_t)(end - s)))) {
		if (cr + 1 < end && cr[1] == '\n') {
			if (buf_try_add(out, s, (size_t)(cr - s)))
				return ERR_LIMIT;
		} else if (buf_try_add(out, s, (size_t)(cr + 1 - s))) {
			return ERR_LIMIT;
		}
		s = cr + 1;
	}
	return buf_try_add(out, s, (size_t)(end - s));
}

/* Append s taken as ISO-8859-1, NUL bytes dropped. */
static int append_latin1(struct buf *out, const char *s, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c && c < 0x80)
			continue;
		if (buf_try_add(out, s + start, i - start))
			return ERR_LIMIT;
		if (c && utf8_append_cp(out, c))
			return ERR_LIMIT;
		start = i + 1;
	}
	return buf_try_add(out, s + start, len - start);
}

/*
 * How the bytes of a charset become UTF-8:
 *  TEXT_UTF8    declared UTF-8: invalid bytes become U+FFFD;
 *  TEXT_GUESS   undeclared, US-ASCII or unknown: UTF-8 when valid, else
 *               ISO-8859-1 (what the 8-bit bytes of such mail mostly are);
 *  TEXT_LATIN1  ISO-8859-1, converted here without iconv;
 *  TEXT_ICONV   anything else, through libetpan's charconv.
 */
enum text_mode { TEXT_UTF8, TEXT_GUESS, TEXT_LATIN1, TEXT_ICONV };

/*
 * Classify a charset name and copy it, cleaned, into name (size namesz).
 * A name iconv should not see (odd bytes, too long) is TEXT_GUESS.
 */
static enum text_mode charset_mode(const char *cs, size_t len, char *name,
				   size_t namesz)
{
	size_t i, n = 0;

	if (!cs)
		return TEXT_GUESS;
	trim(&cs, &len);
	if (len >= 2 && cs[0] == '"' && cs[len - 1] == '"') {
		cs++;
		len -= 2;
	}
	for (i = 0; i < len; i++) {
		char c = cs[i];

		/* RFC 2231 5: "charset*language" in encoded words. */
		if (c == '*')
			break;
		if (!(is_alpha(c) || is_digit(c) || c == '-' || c == '_' ||
		      c == '.' || c == ':' || c == '+') ||
		    n + 1 >= namesz)
			return TEXT_GUESS;
		name[n++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	name[n] = '\0';
	if (!n || !strcmp(name, "us-ascii") || !strcmp(name, "ascii") ||
	    !strcmp(name, "ansi_x3.4-1968") || !strcmp(name, "unknown-8bit") ||
	    !strcmp(name, "x-unknown") || !strcmp(name, "unknown") ||
	    !strcmp(name, "default"))
		return TEXT_GUESS;
	if (!strcmp(name, "utf-8") || !strcmp(name, "utf8"))
		return TEXT_UTF8;
	if (!strcmp(name, "iso-8859-1") || !strcmp(name, "iso8859-1") ||
	    !strcmp(name, "iso_8859-1") || !strcmp(name, "latin1") ||
	    !strcmp(name, "latin-1") || !strcmp(name, "l1"))
		return TEXT_LATIN1;
	return TEXT_ICONV;
}

/* Append s as UTF-8 (TEXT_GUESS's rule, for header bytes). */
static int append_guess(struct buf *out, const char *s, size_t len)
{
	if (text_is_utf8(s, len))
		return utf8_append_repaired(out, s, len); /* drops NULs */
	return append_latin1(out, s, len);
}

/* Does s hold one well-formed multi-byte UTF-8 sequence? */
static bool has_utf8_sequence(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0xc2 && utf8_seq_len(s + i, len - i))
			return true;
	return false;
}

/*
 * TEXT_GUESS for a body: a text that is UTF-8 but for a stray byte is
 * still UTF-8 (the byte becomes U+FFFD); one without any UTF-8 sequence
 * is ISO-8859-1.
 */
static int append_guess_text(struct buf *out, const char *s, size_t len)
{
	if (has_utf8_sequence(s, len))
		return utf8_append_repaired(out, s, len);
	return append_latin1(out, s, len);
}

/*
 * Convert s (len bytes in charset cs) to UTF-8 onto out. Bytes the
 * charset does not allow become '?' (charconv's iconv loop does that),
 * invalid UTF-8 becomes U+FFFD, NULs are dropped, line ends are left as
 * they are. A charset iconv does not know falls back to TEXT_GUESS.
 */
static int append_charset(struct buf *out, const char *cs, size_t cslen,
			  const char *s, size_t len)
{
	char name[64];
	size_t off = 0;

	switch (charset_mode(cs, cslen, name, sizeof(name))) {
	case TEXT_UTF8:
		return utf8_append_repaired(out, s, len);
	case TEXT_LATIN1:
		return append_latin1(out, s, len);
	case TEXT_GUESS:
		return append_guess(out, s, len);
	case TEXT_ICONV:
		break;
	}
	/*
	 * Chunks cut after a line end: safe for the ASCII-compatible and
	 * the ISO-2022 charsets (which return to ASCII at the end of a line,
	 * RFC 1468), and they keep charconv's 6x output buffer small.
	 */
	while (off < len) {
		size_t n = len - off, rlen = 0;
		char *res = NULL;
		int r;

		if (n > MAIL_CHARCONV_CHUNK) {
			const char *nl =
				memrchr(s + off, '\n', MAIL_CHARCONV_CHUNK);

			n = nl ? (size_t)(nl + 1 - (s + off))
			       : MAIL_CHARCONV_CHUNK;
		}
		r = charconv_buffer("utf-8", name, s + off, n, &res, &rlen);
		if (r != MAIL_CHARCONV_NO_ERROR) {
			log_debug("mail: charset \"%s\": %s; taken as UTF-8 "
				  "or Latin-1",
				  name,
				  r == MAIL_CHARCONV_ERROR_UNKNOWN_CHARSET
					  ? "unknown"
					  : "conversion failed");
			return append_guess(out, s + off, len - off);
		}
		r = utf8_append_repaired(out, res, rlen);
		charconv_buffer_free(res);
		if (r)
			return r;
		off += n;
	}
	return 0;
}

/* --- header block -------------------------------------------------------- */

struct hdr_block {
	const char *start; /* the first byte of the block */
	const char *p;	   /* the next line */
	const char *end;   /* the end of the entity */
	size_t fields;
};

static void hdr_block_init(struct hdr_block *h, const char *p, const char *end)
{
	h->start = h->p = p;
	h->end = end;
	h->fields = 0;
}

/* End of the line at p: its '\n', or end. */
static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl : end;
}

/* Where the line at p starts its successor. */
static const char *next_line(const char *p, const char *end)
{
	const char *nl = line_end(p, end);

	return nl < end ? nl + 1 : end;
}

/* Length of the line [p, eol) without a final CR. */
static size_t line_len(const char *p, const char *eol)
{
	size_t n = (size_t)(eol - p);

	if (n && p[n - 1] == '\r')
		n--;
	return n;
}

/*
 * The next field of a header block (RFC 5322 2.2, with 3.2.2 folding and
 * 4.5.3's white space before the colon). As git mailinfo and Python's
 * email do, a line that is neither a field nor a continuation ends the
 * block and starts the body; a blank line ends it and is skipped.
 *
 * Returns 1 with *name and *value (the bytes after the colon, folds and
 * all) set, 0 at the end of the block (h->p is then the body), or
 * ERR_LIMIT (MAIL_MAX_HEADERS fields or MAIL_MAX_HEADER_BYTES bytes).
 */
static int hdr_next(struct hdr_block *h, struct span *name, struct span *value)
{
	const char *line = h->p, *end = h->end, *eol, *q, *lim;
	size_t n;

	if (line >= end)
		return 0;
	/* Look no further than the byte limit allows: no scan of 64 MiB. */
	lim = (size_t)(end - h->start) > MAIL_MAX_HEADER_BYTES
		      ? h->start + MAIL_MAX_HEADER_BYTES
		      : end;
	eol = memchr(line, '\n', (size_t)(lim - line));
	if (!eol) {
		if (lim < end)
			return ERR_LIMIT;
		eol = end;
	}
	n = line_len(line, eol);
	if (!n) {
		h->p = eol < end ? eol + 1 : end;
		return 0;
	}
	for (q = line; q < line + n; q++) {
		unsigned char c = (unsigned char)*q;

		if (c == ':' || c <= 32 || c >= 127)
			break;
	}
	name->p = line;
	name->len = (size_t)(q - line);
	while (q < line + n && is_wsp(*q))
		q++;
	if (!name->len || q >= line + n || *q != ':')
		return 0; /* not a field: the body starts here */
	if (++h->fields > MAIL_MAX_HEADERS)
		return ERR_LIMIT;
	value->p = q + 1;
	/* Continuation lines start with white space. */
	while (eol < end && eol + 1 < end && is_wsp(eol[1])) {
		const char *next =
			memchr(eol + 1, '\n', (size_t)(lim - eol - 1));

		if (!next) {
			if (lim < end)
				return ERR_LIMIT;
			next = end;
		}
		eol = next;
	}
	value->len = (size_t)(eol - value->p);
	if (value->len && value->p[value->len - 1] == '\r')
		value->len--;
	h->p = eol < end ? eol + 1 : end;
	return 1;
}

static enum hdr_id hdr_lookup(const struct span *name)
{
	int i;

	for (i = 1; i < H_NR; i++)
		if (hdr_names[i].len == name->len &&
		    !strncasecmp(hdr_names[i].name, name->p, name->len))
			return (enum hdr_id)i;
	return H_NONE;
}

/* --- header values ------------------------------------------------------- */

/*
 * Unfold (RFC 5322 3.2.2) onto out: each line break and the white space
 * around it become one space.
 */
static void unfold(struct buf *out, const char *s, size_t len)
{
	size_t i = 0, start = 0, n;

	while (i < len) {
		if (s[i] != '\r' && s[i] != '\n') {
			i++;
			continue;
		}
		buf_add(out, s + start, i - start);
		n = out->len;
		while (n && is_wsp(out->data[n - 1]))
			n--;
		buf_truncate(out, n);
		while (i < len && is_space(s[i]))
			i++;
		buf_addch(out, ' ');
		start = i;
	}
	buf_add(out, s + start, len - start);
}

/*
 * Header text is one line of printable text: NUL bytes go, other control
 * characters (a tab, or a line break an encoded word carried) become a
 * space; then the ends are trimmed.
 */
static void clean_header_text(struct buf *b)
{
	size_t i, o = 0, start;

	for (i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];

		if (!c)
			continue;
		b->data[o++] = c < 0x20 ? ' ' : (char)c;
	}
	while (o && b->data[o - 1] == ' ')
		o--;
	for (start = 0; start < o && b->data[start] == ' '; start++)
		;
	memmove(b->data, b->data + start, o - start);
	buf_truncate(b, o - start);
}

/* Raw header bytes (ids, addresses) as UTF-8: valid UTF-8, else Latin-1. */
static char *raw_text(const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	if (append_guess(&b, s, len))
		BUG("mail: uncapped buffer refused an append");
	clean_header_text(&b);
	return buf_detach(&b, NULL);
}

/* Decode an RFC 2047 Q text onto out (4.2: '_' is a space). */
static void decode_q(struct buf *out, const char *s, size_t len)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '_') {
			buf_addch(out, ' ');
		} else if (s[i] == '=' && i + 2 < len &&
			   (hi = hex_value(s[i + 1])) >= 0 &&
			   (lo = hex_value(s[i + 2])) >= 0) {
			buf_addch(out, hi << 4 | lo);
			i += 2;
		} else {
			buf_addch(out, s[i]);
		}
	}
}

/* Decode an RFC 2047 B text onto out; junk is skipped, as git does. */
static void decode_b(struct buf *out, const char *s, size_t len)
{
	unsigned acc = 0;
	int bits = 0, v;
	size_t i;

	for (i = 0; i < len && s[i] != '='; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '/')
			v = c == '+' ? 62 : 63;
		else
			continue;
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addch(out, (int)(acc >> bits) & 0xff);
		}
	}
}

struct encoded_word {
	const char *charset;
	size_t charset_len;
	char enc;
	const char *text;
	size_t text_len;
	size_t len; /* of the whole "=?...?=" */
};

/*
 * Is there an encoded word "=?charset?Q|B?text?=" at s (end: the end of
 * the value)? *no_close is where a search for "?=" found none: nothing
 * after it can close a word, which keeps a header full of "=?x?q?" linear.
 */
static bool encoded_word_at(struct encoded_word *w, const char *s,
			    const char *end, const char **no_close)
{
	const char *p, *q;

	if (end - s < 8 || s[0] != '=' || s[1] != '?')
		return false;
	p = s + 2;
	for (q = p; q < end && *q != '?' && q - p <= 64; q++)
		if (is_space(*q) || (unsigned char)*q < 0x20)
			return false;
	if (q == p || q >= end || *q != '?' || end - q < 3)
		return false;
	w->charset = p;
	w->charset_len = (size_t)(q - p);
	w->enc = q[1];
	if (!w->enc || !strchr("qQbB", w->enc) || q[2] != '?')
		return false;
	/*
	 * The text runs to the next "?=". RFC 2047 5 forbids spaces in it,
	 * but mailers write them, and git, Python and libetpan take them.
	 */
	w->text = q + 3;
	if (*no_close && w->text >= *no_close)
		return false;
	for (p = w->text; p + 1 < end; p++)
		if (p[0] == '?' && p[1] == '=')
			break;
	if (p + 1 >= end) {
		*no_close = w->text;
		return false;
	}
	w->text_len = (size_t)(p - w->text);
	w->len = (size_t)(p + 2 - s);
	return true;
}

/*
 * Decode an unfolded header value onto out as UTF-8 (RFC 2047): encoded
 * words anywhere (as git mailinfo and libetpan find them, not only
 * between spaces), white space between two encoded words dropped (6.2),
 * adjacent words of one charset converted together so that a character
 * split across two words survives; bytes outside encoded words taken as
 * UTF-8 when the whole value is valid UTF-8, else as ISO-8859-1.
 */
static void decode_rfc2047(struct hdr_scratch *hs, struct buf *out,
			   const char *s, size_t len)
{
	bool raw_utf8 = text_is_utf8(s, len), after_word = false;
	const char *cs = NULL, *no_close = NULL;
	size_t cslen = 0, i = 0, start = 0;
	struct encoded_word w;

	buf_reset(&hs->word);
	while (i < len) {
		const char *eq = memchr(s + i, '=', len - i);
		size_t k, j;

		if (!eq)
			break;
		k = (size_t)(eq - s);
		if (!encoded_word_at(&w, eq, s + len, &no_close)) {
			i = k + 1;
			continue;
		}
		/* The text since the last word: dropped if only spaces. */
		for (j = start; j < k && is_space(s[j]); j++)
			;
		if (!after_word || j < k) {
			if (hs->word.len &&
			    append_charset(out, cs, cslen, hs->word.data,
					   hs->word.len))
				BUG("mail: uncapped buffer refused an append");
			buf_reset(&hs->word);
			if (raw_utf8)
				buf_add(out, s + start, k - start);
			else if (append_latin1(out, s + start, k - start))
				BUG("mail: uncapped buffer refused an append");
		}
		if (hs->word.len && (cslen != w.charset_len ||
				     strncasecmp(cs, w.charset, cslen))) {
			if (append_charset(out, cs, cslen, hs->word.data,
					   hs->word.len))
				BUG("mail: uncapped buffer refused an append");
			buf_reset(&hs->word);
		}
		cs = w.charset;
		cslen = w.charset_len;
		if (w.enc == 'q' || w.enc == 'Q')
			decode_q(&hs->word, w.text, w.text_len);
		else
			decode_b(&hs->word, w.text, w.text_len);
		after_word = true;
		i = start = k + w.len;
	}
	if (hs->word.len &&
	    append_charset(out, cs, cslen, hs->word.data, hs->word.len))
		BUG("mail: uncapped buffer refused an append");
	if (raw_utf8)
		buf_add(out, s + start, len - start);
	else if (append_latin1(out, s + start, len - start))
		BUG("mail: uncapped buffer refused an append");
}

/* Unfold, decode and clean a header value onto out (reset first). */
static void decode_header(struct hdr_scratch *hs, struct buf *out,
			  const char *s, size_t len)
{
	buf_reset(&hs->unfolded);
	unfold(&hs->unfolded, s, len);
	buf_reset(out);
	decode_rfc2047(hs, out, hs->unfolded.data, hs->unfolded.len);
	clean_header_text(out);
}

char *mail_decode_header(const char *s, size_t len)
{
	struct hdr_scratch hs = HDR_SCRATCH_INIT;
	struct buf out = BUF_INIT;

	decode_header(&hs, &out, s, len);
	hdr_scratch_release(&hs);
	return buf_detach(&out, NULL);
}

/* Cut b to at most max bytes, at a character boundary. */
static void truncate_utf8(struct buf *b, size_t max)
{
	size_t n = max;

	if (b->len <= max)
		return;
	while (n && ((unsigned char)b->data[n] & 0xc0) == 0x80)
		n--;
	buf_truncate(b, n);
}

/* --- message ids ------------------------------------------------------- */

/*
 * The msg-ids of a field (RFC 5322 3.6.4), as lists write them: every
 * "<...>" in order, white space inside dropped; when there is no '<' at
 * all, every white-space separated word that holds an '@' (or, for
 * Message-ID, the first word: any_word). Each id is passed to fn.
 */
static void scan_msgids(const char *s, size_t len, bool any_word,
			void (*fn)(const char *id, size_t idlen, void *arg),
			void *arg)
{
	const char *end = s + len, *p = s, *q;
	struct buf id = BUF_INIT;

	if (memchr(s, '<', len)) {
		while ((p = memchr(p, '<', (size_t)(end - p)))) {
			buf_reset(&id);
			for (q = p + 1; q < end && *q != '>' && *q != '<'; q++)
				if (!is_space(*q))
					buf_addch(&id, *q);
			if (id.len)
				fn(id.data, id.len, arg);
			p = q;
		}
		buf_release(&id);
		return;
	}
	while (p < end) {
		while (p < end && is_space(*p))
			p++;
		/* Skip a comment: "(added by postmaster)". */
		if (p < end && *p == '(') {
			q = memchr(p, ')', (size_t)(end - p));
			p = q ? q + 1 : end;
			continue;
		}
		for (q = p; q < end && !is_space(*q); q++)
			;
		if (q > p && (any_word || memchr(p, '@', (size_t)(q - p)))) {
			const char *e = q;

			while (e > p && e[-1] == '>') /* "Message-ID:2>" */
				e--;
			fn(p, (size_t)(e - p), arg);
			if (any_word)
				break;
		}
		p = q;
	}
}

struct first_id {
	char *id;
	bool too_long;
};

static void take_first_id(const char *id, size_t idlen, void *arg)
{
	struct first_id *f = arg;

	if (f->id || f->too_long)
		return;
	if (idlen > MAIL_MAX_ID_BYTES)
		f->too_long = true;
	else
		f->id = raw_text(id, idlen);
}

struct ref_list {
	struct parse *ps;
	size_t alloc;
	bool full;
};

static void take_reference(const char *id, size_t idlen, void *arg)
{
	struct ref_list *rl = arg;
	struct mail *m = rl->ps->m;

	if (rl->full)
		return;
	if (idlen > MAIL_MAX_ID_BYTES) {
		log_debug("mail: dropped a %zu-byte reference", idlen);
		return;
	}
	if (m->nr_references >= MAIL_MAX_REFERENCES) {
		rl->full = true;
		hit_limit(rl->ps, "References", MAIL_MAX_REFERENCES);
		return;
	}
	XGROW(m->references, rl->alloc, m->nr_references + 1);
	m->references[m->nr_references++] = raw_text(id, idlen);
}

/* --- addresses ----------------------------------------------------------- */

/*
 * Skip the quoted string or comment (nested, RFC 5322 3.2.2) that starts
 * at s[i]; returns the index after it, or len when it is not closed.
 */
static size_t skip_quoted(const char *s, size_t len, size_t i)
{
	int depth = 0;

	if (s[i] == '"') {
		for (i++; i < len; i++) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				return i + 1;
		}
		return len;
	}
	for (; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
	}
	return len;
}

/*
 * The display name from the bytes around the address, the way git
 * mailinfo shows it: quoted strings unquoted, comments kept with their
 * parentheses, white space collapsed; a name that is one comment, as in
 * "addr (Name)", loses the parentheses.
 */
static void name_text(struct buf *out, const char *s, size_t len)
{
	size_t i;
	bool in_quote = false;
	int depth = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\\' && (in_quote || depth) && i + 1 < len) {
			buf_addch(out, s[++i]);
			continue;
		}
		if (in_quote) {
			if (c == '"')
				in_quote = false;
			else
				buf_addch(out, c);
			continue;
		}
		if (c == '"' && !depth) {
			in_quote = true;
			continue;
		}
		if (c == '(')
			depth++;
		else if (c == ')' && depth)
			depth--;
		if (is_space(c)) {
			if (out->len && out->data[out->len - 1] != ' ')
				buf_addch(out, ' ');
			continue;
		}
		buf_addch(out, c);
	}
	if (out->len && out->data[out->len - 1] == ' ')
		buf_truncate(out, out->len - 1);
	if (out->len >= 2 && out->data[0] == '(' &&
	    out->data[out->len - 1] == ')') {
		/* Only when it is one comment: "(a) b (c)" stays. */
		size_t j;
		int d = 0;

		for (j = 0; j < out->len; j++) {
			if (out->data[j] == '(')
				d++;
			else if (out->data[j] == ')' && --d == 0)
				break;
		}
		if (j == out->len - 1) {
			memmove(out->data, out->data + 1, out->len - 2);
			buf_truncate(out, out->len - 2);
		}
	}
}

/* Keep the address bytes without white space, comments or a route. */
static char *address_text(const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	size_t i;
	char *colon;

	for (i = 0; i < len; i++) {
		if (s[i] == '(') {
			i = skip_quoted(s, len, i) - 1;
			continue;
		}
		if (s[i] == '"') {
			size_t j = skip_quoted(s, len, i);

			buf_add(&b, s + i, j - i);
			i = j - 1;
			continue;
		}
		if (!is_space(s[i]))
			buf_addch(&b, s[i]);
	}
	/* RFC 5322 4.4 obs-route: "<@a,@b:user@host>". */
	if (b.len && b.data[0] == '@' && (colon = strchr(b.data, ':'))) {
		size_t skip = (size_t)(colon + 1 - b.data);

		memmove(b.data, b.data + skip, b.len - skip);
		buf_truncate(&b, b.len - skip);
	}
	{
		char *out = raw_text(b.data, b.len);

		buf_release(&b);
		return out;
	}
}

/* Where one mailbox of an address list lies in the unfolded text. */
struct mailbox_span {
	const char *e; /* its text, a group's "name:" skipped */
	size_t elen;
	const char *lt, *gt; /* its <...>, or NULL */
};

/*
 * Find the mailbox that starts at u[from], cut at a top-level ',' or ';'
 * once the part before it holds an address ("Doe, John <j@d>" is one
 * mailbox, as mailers write it); a group's "name:" is skipped. Returns
 * the index of the ',' or ';' that ends it, or ulen.
 */
static size_t mailbox_next(struct mailbox_span *out, const char *u, size_t ulen,
			   size_t from)
{
	const char *lt = NULL, *gt = NULL;
	size_t i, start = from;
	bool at = false; /* an '@' since start */

	for (i = from; i < ulen; i++) {
		char c = u[i];

		if (c == '"' || c == '(') {
			i = skip_quoted(u, ulen, i) - 1;
		} else if (c == '<') {
			if (!lt)
				lt = u + i;
		} else if (c == '>' && lt && !gt) {
			gt = u + i;
		} else if (c == '@') {
			at = true;
		} else if (c == ':' && !lt && !at) {
			start = i + 1;
		} else if (c == ',' || c == ';') {
			if (lt || at)
				break;
			if (c == ';')
				start = i + 1;
		}
	}
	out->e = u + start;
	out->elen = i - start;
	out->lt = lt;
	out->gt = gt;
	return i;
}

/* Without <>: the word of mb that holds the '@' ("addr (Name)"), or NULL. */
static const char *mailbox_at_word(const struct mailbox_span *mb,
				   size_t *len_out)
{
	const char *e = mb->e;
	size_t elen = mb->elen, i, j;

	for (i = 0; i < elen;) {
		if (e[i] == '(') {
			i = skip_quoted(e, elen, i);
			continue;
		}
		if (is_space(e[i])) {
			i++;
			continue;
		}
		for (j = i; j < elen && !is_space(e[j]) && e[j] != '(';) {
			if (e[j] == '"')
				j = skip_quoted(e, elen, j);
			else
				j++;
		}
		if (memchr(e + i, '@', j - i)) {
			*len_out = j - i;
			return e + i;
		}
		i = j;
	}
	*len_out = 0;
	return NULL;
}

/* The address of mb, owned; NULL when it has none. */
static char *mailbox_address(const struct mailbox_span *mb)
{
	const char *w;
	size_t n;

	if (mb->lt) {
		const char *aend = mb->gt ? mb->gt : mb->e + mb->elen;

		return address_text(mb->lt + 1, (size_t)(aend - mb->lt - 1));
	}
	w = mailbox_at_word(mb, &n);
	return w ? address_text(w, n) : NULL;
}

int mail_parse_mailbox(struct person *out, const char *s, size_t len)
{
	struct hdr_scratch hs = HDR_SCRATCH_INIT;
	struct buf name = BUF_INIT, dec = BUF_INIT;
	struct mailbox_span mb;
	const char *e, *lt, *gt, *at_word;
	size_t elen, word_len;
	char *address;
	int ret = 0;

	unfold(&hs.unfolded, s, len);
	mailbox_next(&mb, hs.unfolded.data, hs.unfolded.len, 0);
	e = mb.e;
	elen = mb.elen;
	lt = mb.lt;
	gt = mb.gt;
	address = mailbox_address(&mb);

	if (lt) {
		buf_add(&name, e, (size_t)(lt - e));
		buf_addch(&name, ' ');
		if (gt)
			buf_add(&name, gt + 1, (size_t)(e + elen - gt - 1));
	} else {
		/* "addr (Name)": the word that holds the '@'. */
		at_word = mailbox_at_word(&mb, &word_len);
		if (at_word) {
			buf_add(&name, e, (size_t)(at_word - e));
			buf_addch(&name, ' ');
			buf_add(&name, at_word + word_len,
				(size_t)(e + elen - at_word - word_len));
		} else {
			buf_add(&name, e, elen);
		}
	}
	{
		struct buf nm = BUF_INIT;

		name_text(&nm, name.data, name.len);
		decode_rfc2047(&hs, &dec, nm.data, nm.len);
		clean_header_text(&dec);
		buf_release(&nm);
	}
	if (!address || !*address)
		ret = ERR_PERM;
	person_set(out, dec.data, address ? address : "");
	free(address);
	buf_release(&name);
	buf_release(&dec);
	hdr_scratch_release(&hs);
	return ret;
}

/* --- dates --------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

static int month_from_name(const char *s, size_t len)
{
	static const char names[12][4] = {"jan", "feb", "mar", "apr",
					  "may", "jun", "jul", "aug",
					  "sep", "oct", "nov", "dec"};
	int i;

	if (len < 3)
		return 0;
	for (i = 0; i < 12; i++)
		if (!strncasecmp(s, names[i], 3))
			return i + 1;
	return 0;
}

/*
 * Named zones: RFC 5322 4.3's obsolete ones, and the European and Asian
 * names real mailers write. Military letters are 0 (RFC 5322 4.3: RFC
 * 822 got their signs wrong). Minutes east of UTC; false when unknown.
 */
static bool zone_from_name(int *out, const char *s, size_t len)
{
	static const struct {
		const char *name;
		int minutes;
	} zones[] = {
		{"UT", 0},     {"UTC", 0},    {"GMT", 0},    {"Z", 0},
		{"EST", -300}, {"EDT", -240}, {"CST", -360}, {"CDT", -300},
		{"MST", -420}, {"MDT", -360}, {"PST", -480}, {"PDT", -420},
		{"WET", 0},    {"WEST", 60},  {"BST", 60},   {"CET", 60},
		{"CEST", 120}, {"MET", 60},   {"MEST", 120}, {"MEZ", 60},
		{"MESZ", 120}, {"EET", 120},  {"EEST", 180}, {"MSK", 180},
		{"JST", 540},  {"KST", 540},  {"HKT", 480},  {"SGT", 480},
		{"AWST", 480}, {"ACST", 570}, {"AEST", 600}, {"AEDT", 660},
		{"NZST", 720}, {"NZDT", 780},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(zones); i++)
		if (span_ieq(s, len, zones[i].name)) {
			*out = zones[i].minutes;
			return true;
		}
	if (len == 1 && is_alpha(s[0]) && s[0] != 'j' && s[0] != 'J') {
		*out = 0;
		return true;
	}
	return false;
}

/* Parse up to 9 digits; -1 when s is not all digits or too long. */
static long parse_number(const char *s, size_t len)
{
	long v = 0;
	size_t i;

	if (!len || len > 9)
		return -1;
	for (i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

struct date_parts {
	long year, month, day, hour, min, sec;
	int zone;      /* minutes east of UTC */
	bool has_zone; /* numeric zone seen */
	bool has_named_zone;
	int named_zone;
	bool pm, am;
	bool bad; /* a time or zone that cannot be */
};

/* "hh:mm[:ss][.frac]"; false when it is not a time. */
static bool parse_time(struct date_parts *d, const char *s, size_t len)
{
	const char *c1 = memchr(s, ':', len), *c2, *end = s + len, *dot;
	long h, m, sec = 0;

	if (!c1)
		return false;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	dot = memchr(s, '.', len);
	if (dot && (!c2 || dot > c2))
		end = dot;
	h = parse_number(s, (size_t)(c1 - s));
	if (c2) {
		m = parse_number(c1 + 1, (size_t)(c2 - c1 - 1));
		sec = parse_number(c2 + 1, (size_t)(end - c2 - 1));
	} else {
		m = parse_number(c1 + 1, (size_t)(end - c1 - 1));
	}
	if (h < 0 || h > 24 || m < 0 || m > 59 || sec < 0 || sec > 60)
		return false;
	d->hour = h;
	d->min = m;
	d->sec = sec;
	return true;
}

/* "+hhmm", "-hhmm", "+hh:mm", "+hh". */
static bool parse_zone(struct date_parts *d, const char *s, size_t len)
{
	long hh, mm = 0;
	int sign = s[0] == '-' ? -1 : 1;

	s++;
	len--;
	if (len == 4) {
		hh = parse_number(s, 2);
		mm = parse_number(s + 2, 2);
	} else if (len == 5 && s[2] == ':') {
		hh = parse_number(s, 2);
		mm = parse_number(s + 3, 2);
	} else if (len == 2 || len == 1) {
		hh = parse_number(s, len);
	} else {
		return false;
	}
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
		return false;
	d->zone = sign * (int)(hh * 60 + mm);
	d->has_zone = true;
	return true;
}

/* One word of a date: a name, a number, a time or a zone. */
static void date_word(struct date_parts *d, const char *s, size_t len)
{
	long v;
	int mon, z;

	if (!len)
		return;
	if ((s[0] == '+' || s[0] == '-') && len > 1 && is_digit(s[1])) {
		if (!d->has_zone)
			parse_zone(d, s, len);
		return;
	}
	if (memchr(s, ':', len)) {
		if (d->hour < 0 && !parse_time(d, s, len))
			d->bad = true;
		return;
	}
	if (is_alpha(s[0])) {
		if (d->month < 0 && (mon = month_from_name(s, len))) {
			d->month = mon;
		} else if (span_ieq(s, len, "PM")) {
			d->pm = true;
		} else if (span_ieq(s, len, "AM")) {
			d->am = true;
		} else if (!d->has_named_zone && zone_from_name(&z, s, len)) {
			d->has_named_zone = true;
			d->named_zone = z;
		}
		return;
	}
	/* ISO 8601 "2006-06-09", as some gateways write. */
	if (len == 10 && s[4] == '-' && s[7] == '-') {
		long y = parse_number(s, 4), m = parse_number(s + 5, 2),
		     dd = parse_number(s + 8, 2);

		if (y >= 0 && m > 0 && dd > 0 && d->year < 0) {
			d->year = y;
			d->month = m;
			d->day = dd;
		}
		return;
	}
	v = parse_number(s, len);
	if (v < 0)
		return;
	if (d->day < 0 && len <= 2 && v >= 1 && v <= 31)
		d->day = v;
	else if (d->year < 0 && (len == 2 || len == 4 || len == 3))
		d->year = v;
	else if (d->year < 0)
		d->year = -2; /* a year that cannot be */
}

int mail_parse_date(int64_t *out, const char *s, size_t len)
{
	struct date_parts d = {.year = -1, .month = -1, .day = -1, .hour = -1};
	size_t i = 0;
	int zone;

	*out = 0;
	while (i < len) {
		size_t j;

		if (s[i] == '(') { /* a comment, "(EDT)": informational */
			i = skip_quoted(s, len, i);
			continue;
		}
		if (is_space(s[i]) || s[i] == ',') {
			i++;
			continue;
		}
		for (j = i;
		     j < len && !is_space(s[j]) && s[j] != ',' && s[j] != '(';
		     j++) {
			/* "9-Jun-2006": a '-' after a digit or letter splits.
			 */
			if (s[j] == '-' && j > i && j + 1 < len &&
			    is_alpha(s[j + 1]))
				break;
			if (s[j] == '-' && j > i && is_alpha(s[j - 1]))
				break;
		}
		date_word(&d, s + i, j - i);
		i = j < len && s[j] == '-' ? j + 1 : j;
	}
	if (d.bad || d.year < 0 || d.month < 1 || d.month > 12 || d.day < 1)
		return ERR_PERM;
	/* RFC 5322 4.3: 00-49 are 20xx, 50-99 and three digits 19xx. */
	if (d.year < 50)
		d.year += 2000;
	else if (d.year < 1000)
		d.year += 1900;
	if (d.year < 1900 || d.year > 9999 ||
	    d.day > days_in_month((int)d.year, (int)d.month))
		return ERR_PERM;
	if (d.hour < 0)
		d.hour = 0;
	if (d.pm && d.hour < 12)
		d.hour += 12;
	else if (d.am && d.hour == 12)
		d.hour = 0;
	if (d.hour == 24 && (d.min || d.sec))
		return ERR_PERM;
	zone = d.has_zone ? d.zone : d.has_named_zone ? d.named_zone : 0;
	*out = days_from_civil(d.year, d.month, d.day) * 86400 + d.hour * 3600 +
	       d.min * 60 + d.sec - (int64_t)zone * 60;
	return 0;
}

/* --- MIME ---------------------------------------------------------------- */

enum cte { CTE_IDENTITY, CTE_QP, CTE_BASE64 };

enum media {
	MEDIA_TEXT_PLAIN,
	MEDIA_TEXT_PATCH, /* text/x-patch, text/x-diff, ... */
	MEDIA_MULTIPART,
	MEDIA_MESSAGE,
	MEDIA_OCTET, /* application/octet-stream and x-patch kin */
	MEDIA_OTHER, /* text/html, images, signatures: not text for us */
};

/* What an entity's fields say. */
struct entity {
	struct span ctype, cte, disposition;
	const char *body;
	size_t body_len;
};

struct content {
	enum media media;
	bool alternative;
	bool digest;
	bool patch_name; /* a name or filename ending in .patch or .diff */
	bool attachment; /* Content-Disposition attachment, or a file name */
	bool report;	 /* multipart/report (RFC 6522) */
	char *charset;	 /* owned, or NULL */
	char *boundary;	 /* owned, or NULL */
};

static void content_release(struct content *c)
{
	free(c->charset);
	free(c->boundary);
}

static bool has_patch_suffix(const char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '"' || is_space(s[n - 1])))
		n--;
	return (n >= 6 && !strncasecmp(s + n - 6, ".patch", 6)) ||
	       (n >= 5 && !strncasecmp(s + n - 5, ".diff", 5));
}

/* Names of parameters that carry a file name (RFC 2231 forms too). */
static bool is_name_param(const char *name)
{
	return !strncasecmp(name, "name", 4) ||
	       !strncasecmp(name, "filename", 8);
}

static enum media media_of(struct mailmime_content *ct)
{
	const char *sub = ct->ct_subtype ? ct->ct_subtype : "";
	struct mailmime_type *t = ct->ct_type;

	if (t->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE) {
		if (t->tp_data.tp_composite_type->ct_type ==
		    MAILMIME_COMPOSITE_TYPE_MULTIPART)
			return MEDIA_MULTIPART;
		if (t->tp_data.tp_composite_type->ct_type ==
		    MAILMIME_COMPOSITE_TYPE_MESSAGE)
			return MEDIA_MESSAGE;
		return MEDIA_OTHER;
	}
	switch (t->tp_data.tp_discrete_type->dt_type) {
	case MAILMIME_DISCRETE_TYPE_TEXT:
		if (!strcasecmp(sub, "plain") || !strcasecmp(sub, "unknown"))
			return MEDIA_TEXT_PLAIN;
		if (!strcasecmp(sub, "x-patch") || !strcasecmp(sub, "x-diff") ||
		    !strcasecmp(sub, "patch") || !strcasecmp(sub, "diff") ||
		    !strncasecmp(sub, "x-patch", 7))
			return MEDIA_TEXT_PATCH;
		return MEDIA_OTHER;
	case MAILMIME_DISCRETE_TYPE_APPLICATION:
		if (!strcasecmp(sub, "octet-stream") ||
		    !strcasecmp(sub, "x-patch") || !strcasecmp(sub, "x-diff") ||
		    !strcasecmp(sub, "patch"))
			return MEDIA_OCTET;
		return MEDIA_OTHER;
	default:
		return MEDIA_OTHER;
	}
}

/*
 * Read an entity's Content-Type and Content-Disposition (RFC 2045 5.1,
 * RFC 2183) with libetpan. No Content-Type is text/plain, or
 * message/rfc822 inside multipart/digest (RFC 2046 5.1.5); one libetpan
 * cannot read is text/plain too, as RFC 2045 5.2 says.
 */
static void content_read(struct content *out, const struct entity *e,
			 bool in_digest)
{
	struct mailmime_content *ct = NULL;
	struct mailmime_disposition *dsp = NULL;
	clistiter *it;
	size_t idx = 0;

	memset(out, 0, sizeof(*out));
	out->media = in_digest ? MEDIA_MESSAGE : MEDIA_TEXT_PLAIN;
	if (e->ctype.p && mailmime_content_parse(e->ctype.p, e->ctype.len, &idx,
						 &ct) == MAILIMF_NO_ERROR) {
		const char *sub = ct->ct_subtype ? ct->ct_subtype : "";

		out->media = media_of(ct);
		out->alternative = !strcasecmp(sub, "alternative");
		out->digest = !strcasecmp(sub, "digest");
		out->report = !strcasecmp(sub, "report");
		for (it = clist_begin(ct->ct_parameters); it;
		     it = clist_next(it)) {
			struct mailmime_parameter *p = clist_content(it);

			if (!p->pa_name || !p->pa_value)
				continue;
			if (!strcasecmp(p->pa_name, "charset") && !out->charset)
				out->charset = xstrdup(p->pa_value);
			else if (!strcasecmp(p->pa_name, "boundary") &&
				 !out->boundary)
				out->boundary = xstrdup(p->pa_value);
			else if (is_name_param(p->pa_name))
				out->attachment = true;
			if (is_name_param(p->pa_name) &&
			    has_patch_suffix(p->pa_value))
				out->patch_name = true;
		}
		mailmime_content_free(ct);
	} else if (e->ctype.p) {
		log_debug("mail: unreadable Content-Type; taken as text/plain");
	}
	/*
	 * An octet-stream needs its file name (is it a patch?); a text part
	 * its disposition (RFC 2183: is it an attachment, which the command
	 * logic takes for a rule file?). Other parts need neither.
	 */
	idx = 0;
	if ((out->media == MEDIA_OCTET || out->media == MEDIA_TEXT_PLAIN) &&
	    e->disposition.p &&
	    mailmime_disposition_parse(e->disposition.p, e->disposition.len,
				       &idx, &dsp) == MAILIMF_NO_ERROR) {
		if (dsp->dsp_type &&
		    dsp->dsp_type->dsp_type ==
			    MAILMIME_DISPOSITION_TYPE_ATTACHMENT)
			out->attachment = true;
		for (it = clist_begin(dsp->dsp_parms); it;
		     it = clist_next(it)) {
			struct mailmime_disposition_parm *p = clist_content(it);
			const char *file = NULL;

			if (p->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME)
				file = p->pa_data.pa_filename;
			else if (p->pa_type ==
					 MAILMIME_DISPOSITION_PARM_PARAMETER &&
				 p->pa_data.pa_parameter->pa_name &&
				 is_name_param(
					 p->pa_data.pa_parameter->pa_name))
				file = p->pa_data.pa_parameter->pa_value;
			if (!file)
				continue;
			out->attachment = true;
			if (has_patch_suffix(file))
				out->patch_name = true;
		}
		mailmime_disposition_free(dsp);
	}
}

static enum cte cte_read(const struct span *v)
{
	const char *s = v->p;
	size_t len = v->len;

	if (!s)
		return CTE_IDENTITY;
	trim(&s, &len);
	if (starts_with_ci(s, len, "base64"))
		return CTE_BASE64;
	if (starts_with_ci(s, len, "quoted-printable"))
		return CTE_QP;
	return CTE_IDENTITY; /* 7bit, 8bit, binary, and what we do not know */
}

/*
 * Quoted-printable (RFC 2045 6.7) onto out: "=XY" is a byte, '=' before
 * the line end (white space allowed between, rule (3)) a soft break, and
 * any other '=' stays as it is (note (2); git mailinfo does the same).
 */
static int qp_decode(struct buf *out, const char *s, size_t len)
{
	size_t i = 0, start = 0;

	while (i < len) {
		const char *eq = memchr(s + i, '=', len - i);
		size_t k, j;
		int hi, lo;

		if (!eq)
			break;
		k = (size_t)(eq - s);
		if (buf_try_add(out, s + start, k - start))
			return ERR_LIMIT;
		if (k + 2 < len && (hi = hex_value(s[k + 1])) >= 0 &&
		    (lo = hex_value(s[k + 2])) >= 0) {
			if (buf_try_addch(out, hi << 4 | lo))
				return ERR_LIMIT;
			i = k + 3;
		} else {
			for (j = k + 1; j < len && is_wsp(s[j]); j++)
				;
			if (j >= len || s[j] == '\n')
				i = j + 1;
			else if (s[j] == '\r' &&
				 (j + 1 >= len || s[j + 1] == '\n'))
				i = j + 2;
			else if (buf_try_addch(out, '='))
				return ERR_LIMIT;
			else
				i = k + 1;
			if (i > len)
				i = len;
		}
		start = i;
	}
	return buf_try_add(out, s + start, len - start);
}

/* Does this decoded attachment carry a diff (git's patch markers)? */
static bool looks_like_patch(const char *s, size_t len)
{
	const char *end =
		s +
		(len > MAIL_PATCH_SNIFF_BYTES ? MAIL_PATCH_SNIFF_BYTES : len);
	const char *p = s;

	if (memchr(s, '\0', (size_t)(end - s)))
		return false; /* binary */
	while (p < end) {
		const char *eol = line_end(p, end);
		size_t n = (size_t)(eol - p);

		if (starts_with(p, n, "diff -") || starts_with(p, n, "Index: "))
			return true;
		if (starts_with(p, n, "--- ") && eol < end &&
		    starts_with(eol + 1, (size_t)(end - eol - 1), "+++ "))
			return true;
		p = eol < end ? eol + 1 : end;
	}
	return false;
}

/* End the body with a line end before another part goes after it. */
static int body_separate(struct parse *ps)
{
	if (ps->body.len && ps->body.data[ps->body.len - 1] != '\n')
		return buf_try_addch(&ps->body, '\n');
	return 0;
}

/*
 * Append one leaf's text: undo the transfer encoding, convert the
 * charset, normalise the line ends. A patch attachment (octet-stream)
 * is kept only when its name or its content says it is one.
 */
static int add_leaf(struct parse *ps, const struct entity *e,
		    const struct content *c)
{
	const char *s = e->body;
	size_t n = e->body_len, idx = 0, start = SIZE_MAX;
	char *decoded = NULL, name[64];
	enum text_mode mode;
	int r = 0;

	switch (cte_read(&e->cte)) {
	case CTE_BASE64:
		if (mailmime_part_parse(e->body, e->body_len, &idx,
					MAILMIME_MECHANISM_BASE64, &decoded,
					&n) != MAILIMF_NO_ERROR) {
			log_debug("mail: undecodable base64 part skipped");
			return 0;
		}
		s = decoded;
		break;
	case CTE_QP:
		buf_reset(&ps->dec);
		if (qp_decode(&ps->dec, e->body, e->body_len))
			return hit_limit(ps, "body bytes", MAIL_MAX_BODY_BYTES);
		s = ps->dec.data;
		n = ps->dec.len;
		break;
	case CTE_IDENTITY:
		break;
	}
	if (c->media == MEDIA_OCTET && !c->patch_name &&
	    !looks_like_patch(s, n))
		goto out;
	if (body_separate(ps)) {
		r = hit_limit(ps, "body bytes", MAIL_MAX_BODY_BYTES);
		goto out;
	}
	start = ps->body.len;
	/* An attachment says nothing of its charset: UTF-8 or Latin-1. */
	mode = c->media == MEDIA_OCTET || !c->charset
		       ? TEXT_GUESS
		       : charset_mode(c->charset, strlen(c->charset), name,
				      sizeof(name));
	/* The common case, UTF-8 or ASCII text, goes straight in. */
	if (mode == TEXT_LATIN1 ? text_is_ascii(s, n)
				: mode != TEXT_ICONV && text_is_utf8(s, n)) {
		if (append_clean(&ps->body, s, n))
			r = hit_limit(ps, "body bytes", MAIL_MAX_BODY_BYTES);
		goto out;
	}
	buf_reset(&ps->conv);
	if (mode == TEXT_GUESS ? append_guess_text(&ps->conv, s, n)
			       : append_charset(&ps->conv, c->charset,
						strlen(c->charset), s, n)) {
		r = hit_limit(ps, "body bytes", MAIL_MAX_BODY_BYTES);
		goto out;
	}
	if (append_clean(&ps->body, ps->conv.data, ps->conv.len))
		r = hit_limit(ps, "body bytes", MAIL_MAX_BODY_BYTES);
out:
	/* The first text attachment, also apart (a mailed rule file). */
	if (c->media == MEDIA_TEXT_PLAIN && c->attachment &&
	    !ps->m->attachment && ps->body.len > start) {
		size_t alen = ps->body.len - start;
		bool nl = ps->body.data[ps->body.len - 1] == '\n';

		/* Ending in a line end, as the body does. */
		ps->m->attachment = xmalloc(alen + 2);
		memcpy(ps->m->attachment, ps->body.data + start, alen);
		if (!nl)
			ps->m->attachment[alen++] = '\n';
		ps->m->attachment[alen] = '\0';
		ps->m->attachment_len = alen;
	}
	if (decoded)
		mailmime_decoded_part_free(decoded);
	return r;
}

/* Read the header block of a body part into e. */
static int entity_read(struct entity *e, const char *p, size_t len)
{
	struct hdr_block h;
	struct span name, value;
	int r;

	memset(e, 0, sizeof(*e));
	hdr_block_init(&h, p, p + len);
	while ((r = hdr_next(&h, &name, &value)) > 0) {
		switch (hdr_lookup(&name)) {
		case H_CONTENT_TYPE:
			if (!e->ctype.p)
				e->ctype = value;
			break;
		case H_CTE:
			if (!e->cte.p)
				e->cte = value;
			break;
		case H_DISPOSITION:
			if (!e->disposition.p)
				e->disposition = value;
			break;
		default:
			break;
		}
	}
	e->body = h.p;
	e->body_len = (size_t)(p + len - h.p);
	return r;
}

/*
 * Is the line [p, p+n) a delimiter of boundary b (RFC 2046 5.1.1):
 * "--" b, then "--" for the last one, then only white space? *close is
 * set for the last one.
 */
static bool is_delimiter(const char *p, size_t n, const char *b, size_t blen,
			 bool *close)
{
	size_t i;

	if (n < blen + 2 || p[0] != '-' || p[1] != '-' ||
	    memcmp(p + 2, b, blen))
		return false;
	i = blen + 2;
	*close = n >= i + 2 && p[i] == '-' && p[i + 1] == '-';
	if (*close)
		i += 2;
	for (; i < n; i++)
		if (!is_space(p[i]))
			return false;
	return true;
}

struct part_span {
	const char *p;
	size_t len;
};

/*
 * Cut a multipart body into its parts. A part ends before the line end
 * that precedes the next delimiter (RFC 2046 5.1.1: that CRLF belongs
 * to the delimiter). A missing close delimiter ends the last part at the
 * end of the body, as mailers and libetpan allow.
 */
static void split_parts(struct parse *ps, const char *body, size_t len,
			const char *b, struct part_span **out, size_t *nr)
{
	const char *end = body + len, *p = body, *part = NULL;
	size_t blen = strlen(b), alloc = 0;
	bool close = false;

	*out = NULL;
	*nr = 0;
	while (p < end) {
		const char *eol = line_end(p, end);
		const char *next = eol < end ? eol + 1 : end;

		if (p[0] == '-' &&
		    is_delimiter(p, line_len(p, eol), b, blen, &close)) {
			if (part) {
				const char *pe = p;

				if (pe > part && pe[-1] == '\n')
					pe--;
				if (pe > part && pe[-1] == '\r')
					pe--;
				if (ps->parts >= MAIL_MAX_MIME_PARTS) {
					hit_limit(ps, "MIME parts",
						  MAIL_MAX_MIME_PARTS);
					return;
				}
				ps->parts++;
				XGROW(*out, alloc, *nr + 1);
				(*out)[*nr].p = part;
				(*out)[(*nr)++].len = (size_t)(pe - part);
			}
			part = close ? NULL : next;
			if (close)
				return;
		}
		p = next;
	}
	if (part) {
		if (ps->parts >= MAIL_MAX_MIME_PARTS) {
			hit_limit(ps, "MIME parts", MAIL_MAX_MIME_PARTS);
			return;
		}
		ps->parts++;
		XGROW(*out, alloc, *nr + 1);
		(*out)[*nr].p = part;
		(*out)[(*nr)++].len = (size_t)(end - part);
	}
}

static int walk(struct parse *ps, const struct entity *e, int depth,
		bool in_digest);

/*
 * multipart/alternative (RFC 2046 5.1.4): the text/plain version, or a
 * nested multipart holding one; never the HTML.
 */
static int walk_alternative(struct parse *ps, struct entity *kids, size_t nr,
			    int depth)
{
	size_t i, plain = nr, multi = nr;

	for (i = 0; i < nr && plain == nr; i++) {
		struct content c;

		content_read(&c, &kids[i], false);
		if (c.media == MEDIA_TEXT_PLAIN)
			plain = i;
		else if (c.media == MEDIA_MULTIPART && multi == nr)
			multi = i;
		content_release(&c);
	}
	if (plain < nr)
		return walk(ps, &kids[plain], depth + 1, false);
	if (multi < nr)
		return walk(ps, &kids[multi], depth + 1, false);
	return 0;
}

/*
 * A multipart's parts, walked in order. The depth and part limits are
 * recorded and what fits is still read; only a full body stops the walk
 * (the one error walk() returns).
 */
static int walk_multipart(struct parse *ps, const struct entity *e,
			  const struct content *c, int depth)
{
	struct part_span *parts = NULL;
	struct entity *kids;
	size_t nr = 0, i, used = 0;
	int r = 0;

	if (depth >= MAIL_MAX_MIME_DEPTH) {
		hit_limit(ps, "MIME depth", MAIL_MAX_MIME_DEPTH);
		return 0;
	}
	split_parts(ps, e->body, e->body_len, c->boundary, &parts, &nr);
	if (!nr) {
		/* No delimiter at all: the text is all there is. */
		struct content plain = {.media = MEDIA_TEXT_PLAIN};

		free(parts);
		log_debug("mail: multipart without parts; read as text");
		return add_leaf(ps, e, &plain);
	}
	kids = xcalloc(nr, sizeof(*kids));
	for (i = 0; i < nr; i++) {
		if (entity_read(&kids[used], parts[i].p, parts[i].len) < 0)
			hit_limit(ps, "part header fields", MAIL_MAX_HEADERS);
		else
			used++;
	}
	if (c->alternative) {
		r = walk_alternative(ps, kids, used, depth);
	} else {
		for (i = 0; i < used && !r; i++)
			r = walk(ps, &kids[i], depth + 1, c->digest);
	}
	free(kids);
	free(parts);
	return r;
}

/*
 * Collect the text of an entity into ps->body: text/plain parts and
 * patch attachments in order; multiparts walked (depth-bounded);
 * message/rfc822 (a forwarded mail is not its sender's text), HTML and
 * the rest skipped.
 */
static int walk(struct parse *ps, const struct entity *e, int depth,
		bool in_digest)
{
	struct content c;
	int r = 0;

	content_read(&c, e, in_digest);
	if (depth == 0 && c.media == MEDIA_MULTIPART && c.report)
		ps->m->is_report = true;
	switch (c.media) {
	case MEDIA_MULTIPART:
		if (c.boundary && *c.boundary) {
			r = walk_multipart(ps, e, &c, depth);
			break;
		}
		/* RFC 2046 5.1.1 wants a boundary; without one it is text. */
		c.media = MEDIA_TEXT_PLAIN;
		r = add_leaf(ps, e, &c);
		break;
	case MEDIA_TEXT_PLAIN:
	case MEDIA_TEXT_PATCH:
	case MEDIA_OCTET:
		r = add_leaf(ps, e, &c);
		break;
	case MEDIA_MESSAGE:
	case MEDIA_OTHER:
		break;
	}
	content_release(&c);
	return r;
}

/* --- in-body headers and scissors (git mailinfo) ------------------------- */

struct line {
	const char *p;
	size_t len;  /* without the '\n' */
	size_t next; /* offset of the next line */
};

static bool line_at(struct line *l, const struct buf *b, size_t off)
{
	const char *nl;

	if (off >= b->len)
		return false;
	l->p = b->data + off;
	nl = memchr(l->p, '\n', b->len - off);
	l->len = nl ? (size_t)(nl - l->p) : b->len - off;
	l->next = off + l->len + (nl ? 1 : 0);
	return true;
}

/*
 * git mailinfo's scissors line: at least 8 visible bytes, a scissors mark
 * (">8", "8<", ">%", "%<") in a perforation of dashes that fills more
 * than a third of the line, with fewer gaps than half of it. "cut here"
 * and other text may stand beside it.
 */
static bool is_scissors_line(const char *s, size_t len)
{
	size_t i, first = len, last = 0;
	size_t marks = 0, perforation = 0, gap = 0, visible;
	bool in_perforation = false;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (is_space(c)) {
			if (in_perforation) {
				perforation++;
				gap++;
			}
			continue;
		}
		if (first == len)
			first = i;
		last = i;
		if (c == '-') {
			in_perforation = true;
			perforation++;
			continue;
		}
		if (i + 1 < len &&
		    ((c == '>' && (s[i + 1] == '8' || s[i + 1] == '%')) ||
		     ((c == '8' || c == '%') && s[i + 1] == '<'))) {
			in_perforation = true;
			perforation += 2;
			marks += 2;
			last = ++i;
			continue;
		}
		in_perforation = false;
	}
	visible = first < len ? last - first + 1 : 0;
	return marks && visible >= 8 && visible < perforation * 3 &&
	       gap * 2 < perforation;
}

/*
 * git mailinfo's patchbreak(): where the commit message ends. "diff -",
 * "Index: ", "--- " before a file name, or "---" and white space only.
 */
static bool is_patch_break(const char *s, size_t len)
{
	size_t i;

	if (starts_with(s, len, "diff -") || starts_with(s, len, "Index: "))
		return true;
	if (!starts_with(s, len, "---"))
		return false;
	if (len > 4 && s[3] == ' ' && !is_space(s[4]))
		return true;
	for (i = 3; i < len; i++)
		if (!is_space(s[i]))
			return false;
	return true;
}

/* "From <40 hex> Mon Sep 17 00:00:00 2001", git format-patch's line. */
static bool is_format_patch_separator(const char *s, size_t len)
{
	static const char tail[] = " Mon Sep 17 00:00:00 2001";
	size_t i;

	if (len != 5 + 40 + sizeof(tail) - 1 || !starts_with(s, len, "From "))
		return false;
	for (i = 5; i < 45; i++)
		if (hex_value(s[i]) < 0 || (s[i] >= 'A' && s[i] <= 'F'))
			return false;
	return !memcmp(s + 45, tail, sizeof(tail) - 1);
}

enum inbody_kind { IB_NONE = -1, IB_FROM, IB_DATE, IB_SUBJECT };

/* "From:", "Date:" or "Subject:" and white space (git's cmp_header). */
static enum inbody_kind inbody_header(const char *s, size_t len)
{
	static const char *const names[] = {"From", "Date", "Subject"};
	int i;

	for (i = 0; i < 3; i++) {
		size_t n = strlen(names[i]);

		if (len > n + 1 && !strncasecmp(s, names[i], n) &&
		    s[n] == ':' && is_space(s[n + 1]))
			return (enum inbody_kind)i;
	}
	return IB_NONE;
}

static void inbody_clear(struct mail *m)
{
	person_release(&m->inbody_from);
	free(m->inbody_subject);
	m->inbody_subject = NULL;
	m->inbody_date = 0;
}

/* Store one in-body header, value (unfolded) from the accumulator. */
static void inbody_store(struct parse *ps, enum inbody_kind kind,
			 const struct buf *acc)
{
	struct mail *m = ps->m;
	const char *v = acc->data;
	size_t n = acc->len;
	struct person p = PERSON_INIT;

	switch (kind) {
	case IB_FROM:
		v += 5; /* "From:" */
		n -= 5;
		if (mail_parse_mailbox(&p, v, n) == 0) {
			person_release(&m->inbody_from);
			m->inbody_from = p;
		} else {
			person_release(&p);
			log_debug("mail: in-body From without an address");
		}
		break;
	case IB_DATE:
		if (mail_parse_date(&m->inbody_date, v + 5, n - 5))
			log_debug("mail: unreadable in-body Date");
		break;
	case IB_SUBJECT:
		decode_header(&ps->hs, &ps->hs.text, v + 8, n - 8);
		truncate_utf8(&ps->hs.text, MAIL_MAX_SUBJECT_BYTES);
		free(m->inbody_subject);
		m->inbody_subject = xstrdup(ps->hs.text.data);
		break;
	case IB_NONE:
		break;
	}
}

/*
 * The in-body header stage of git mailinfo (handle_commit_msg and
 * check_inbody_header), from off: blank lines skipped; From:, Date: and
 * Subject: lines (each once, continuation lines joined), a "[PATCH] ..."
 * line (taken as the subject) and format-patch's "From <sha> ..." line
 * taken out; a blank line after them, or any other line, ends the stage.
 * Returns where the kept text starts (off when nothing was taken).
 */
static size_t inbody_headers(struct parse *ps, size_t off)
{
	const struct buf *b = &ps->body;
	struct buf acc = BUF_INIT;
	enum inbody_kind kind = IB_NONE;
	bool seen[3] = {false, false, false}, any = false;
	size_t pos = off;
	struct line l;

	while (line_at(&l, b, pos)) {
		enum inbody_kind k;

		if (!l.len || (l.len == 1 && l.p[0] == '\r')) {
			pos = l.next;
			if (any || kind != IB_NONE)
				break;
			continue;
		}
		if (kind != IB_NONE && is_wsp(l.p[0])) {
			if (is_scissors_line(l.p, l.len))
				break;
			buf_addch(&acc, '\n'); /* a fold, unfolded later */
			buf_add(&acc, l.p, l.len);
			pos = l.next;
			continue;
		}
		if (kind != IB_NONE) {
			inbody_store(ps, kind, &acc);
			kind = IB_NONE;
			any = true;
		}
		if ((starts_with(l.p, l.len, ">From ") &&
		     is_format_patch_separator(l.p + 1, l.len - 1)) ||
		    is_format_patch_separator(l.p, l.len)) {
			pos = l.next;
			any = true;
			continue;
		}
		if (!seen[IB_SUBJECT] && l.len > 8 &&
		    starts_with(l.p, l.len, "[PATCH]") && is_space(l.p[7])) {
			buf_reset(&acc);
			buf_adds(&acc, "Subject:");
			buf_add(&acc, l.p, l.len);
			inbody_store(ps, IB_SUBJECT, &acc);
			seen[IB_SUBJECT] = any = true;
			pos = l.next;
			continue;
		}
		k = inbody_header(l.p, l.len);
		if (k == IB_NONE || seen[k])
			break;
		seen[k] = true;
		kind = k;
		buf_reset(&acc);
		buf_add(&acc, l.p, l.len);
		pos = l.next;
	}
	if (kind != IB_NONE) {
		inbody_store(ps, kind, &acc);
		any = true;
	}
	buf_release(&acc);
	return any ? pos : off;
}

/* Does a line git mailinfo takes for the start of a patch follow? */
static bool has_patch(const struct buf *b)
{
	size_t pos = 0;
	struct line l;

	while (line_at(&l, b, pos)) {
		if (is_patch_break(l.p, l.len))
			return true;
		pos = l.next;
	}
	return false;
}

/*
 * git am's in-body headers and, as `git am --scissors` does, the
 * scissors line: the text above the last scissors line of the commit
 * message (the part before the patch) is dropped, in-body headers found
 * above it are forgotten, and the in-body header stage starts again below
 * it. Removed text leaves the body in one memmove(); the text above the
 * scissors is kept in above_scissors (a reply's Reviewed-by may be there).
 *
 * Only for a mail that carries a patch: git mailinfo reports in-body
 * headers only then ("only print inbody headers if we output a patch
 * file"), so a reply that starts by quoting a header block keeps its
 * author; unlike git, such a mail also keeps its text whole.
 */
static void body_top(struct parse *ps)
{
	struct buf *b = &ps->body;
	size_t keep = 0, pos, cut = 0;
	struct line l;
	bool again, scissors = false;

	if (!has_patch(b))
		return;
	do {
		again = false;
		pos = keep = inbody_headers(ps, keep);
		while (line_at(&l, b, pos)) {
			if (is_patch_break(l.p, l.len))
				break;
			if (is_scissors_line(l.p, l.len)) {
				inbody_clear(ps->m);
				scissors = true;
				cut = pos;
				keep = l.next;
				again = true;
				break;
			}
			pos = l.next;
		}
	} while (again);
	/* Nothing lost: what the scissors cut off is kept apart. */
	if (scissors)
		ps->m->above_scissors = xmemdup0(b->data, cut);
	if (keep) {
		memmove(b->data, b->data + keep, b->len - keep);
		buf_truncate(b, b->len - keep);
	}
}

/* --- the mail ------------------------------------------------------------- */

static char *header_text(struct parse *ps, const struct span *v)
{
	decode_header(&ps->hs, &ps->hs.text, v->p, v->len);
	return xstrdup(ps->hs.text.data);
}

/* The address of the first mailbox of v; "" when there is none. */
static char *header_address(const struct span *v)
{
	struct person p = PERSON_INIT;
	char *a;

	mail_parse_mailbox(&p, v->p, v->len);
	a = p.address;
	p.address = NULL;
	person_release(&p);
	return a;
}

/* List-Id (RFC 2919): the id inside <>, else the last word. */
static char *list_id_text(const struct span *v)
{
	const char *lt = memchr(v->p, '<', v->len), *s, *gt;
	size_t n;

	if (lt) {
		s = lt + 1;
		gt = memchr(s, '>', v->len - (size_t)(s - v->p));
		n = gt ? (size_t)(gt - s) : v->len - (size_t)(s - v->p);
	} else {
		s = v->p;
		n = v->len;
		trim(&s, &n);
		while (n && memchr(s, ' ', n)) {
			const char *sp = memrchr(s, ' ', n);

			n -= (size_t)(sp + 1 - s);
			s = sp + 1;
		}
	}
	trim(&s, &n);
	return raw_text(s, n);
}

/* Every field mail_parse() keeps, from the spans of the header block. */
static void fill_headers(struct parse *ps, const struct span *hv)
{
	struct mail *m = ps->m;

	if (hv[H_MESSAGE_ID].p) {
		struct first_id f = {NULL, false};

		scan_msgids(hv[H_MESSAGE_ID].p, hv[H_MESSAGE_ID].len, true,
			    take_first_id, &f);
		if (f.too_long)
			hit_limit(ps, "Message-ID bytes", MAIL_MAX_ID_BYTES);
		if (f.id) {
			free(m->message_id);
			m->message_id = f.id;
		}
	}
	if (hv[H_IN_REPLY_TO].p) {
		struct first_id f = {NULL, false};

		scan_msgids(hv[H_IN_REPLY_TO].p, hv[H_IN_REPLY_TO].len, false,
			    take_first_id, &f);
		m->in_reply_to = f.id;
	}
	if (hv[H_REFERENCES].p) {
		struct ref_list rl = {ps, 0, false};

		scan_msgids(hv[H_REFERENCES].p, hv[H_REFERENCES].len, false,
			    take_reference, &rl);
	}
	if (hv[H_LIST_ID].p)
		m->list_id = list_id_text(&hv[H_LIST_ID]);
	if (hv[H_DATE].p &&
	    mail_parse_date(&m->date, hv[H_DATE].p, hv[H_DATE].len))
		log_debug("mail: unreadable Date");
	if (hv[H_FROM].p)
		mail_parse_mailbox(&m->from, hv[H_FROM].p, hv[H_FROM].len);
	if (hv[H_SUBJECT].p) {
		decode_header(&ps->hs, &ps->hs.text, hv[H_SUBJECT].p,
			      hv[H_SUBJECT].len);
		truncate_utf8(&ps->hs.text, MAIL_MAX_SUBJECT_BYTES);
		free(m->subject);
		m->subject = xstrdup(ps->hs.text.data);
	}
	if (hv[H_SENDER].p)
		m->sender = header_address(&hv[H_SENDER]);
	if (hv[H_REPLY_TO].p)
		m->reply_to = header_address(&hv[H_REPLY_TO]);
	if (hv[H_RETURN_PATH].p)
		m->return_path = header_address(&hv[H_RETURN_PATH]);
	if (hv[H_AUTO_SUBMITTED].p)
		m->auto_submitted = header_text(ps, &hv[H_AUTO_SUBMITTED]);
	if (hv[H_PRECEDENCE].p)
		m->precedence = header_text(ps, &hv[H_PRECEDENCE]);
}

/*
 * The addresses of an address-list field (To, Cc, Delivered-To), appended
 * to the recipients. Past MAIL_MAX_RECIPIENTS they are dropped without
 * failing the parse: routing a mail needs only to find one of a few
 * addresses, and a list mail with a thousand Cc is no damaged mail.
 */
static void add_recipients(struct parse *ps, const struct span *v)
{
	struct mail *m = ps->m;
	struct mailbox_span mb;
	const char *u;
	size_t i = 0, ulen;
	char *a;

	buf_reset(&ps->hs.unfolded);
	unfold(&ps->hs.unfolded, v->p, v->len);
	u = ps->hs.unfolded.data;
	ulen = ps->hs.unfolded.len;
	while (i < ulen) {
		i = mailbox_next(&mb, u, ulen, i) + 1;
		a = mailbox_address(&mb);
		if (!a || !*a || m->nr_recipients >= MAIL_MAX_RECIPIENTS) {
			if (a && *a)
				log_debug("mail: recipient past %u dropped",
					  MAIL_MAX_RECIPIENTS);
			free(a);
			continue;
		}
		XGROW(m->recipients, ps->recipients_alloc,
		      m->nr_recipients + 1);
		m->recipients[m->nr_recipients++] = a;
	}
}

/* An X-Loop field: its address, or its text when it holds none. */
static void add_loop(struct parse *ps, const struct span *v)
{
	struct mail *m = ps->m;
	struct person p = PERSON_INIT;

	if (m->nr_loops >= MAIL_MAX_LOOPS)
		return;
	XGROW(m->loops, ps->loops_alloc, m->nr_loops + 1);
	if (mail_parse_mailbox(&p, v->p, v->len) == 0) {
		m->loops[m->nr_loops++] = p.address;
		p.address = NULL;
	} else {
		m->loops[m->nr_loops++] = header_text(ps, v);
	}
	person_release(&p);
}

static void parse_release(struct parse *ps)
{
	buf_release(&ps->body);
	buf_release(&ps->dec);
	buf_release(&ps->conv);
	hdr_scratch_release(&ps->hs);
}

int mail_parse(struct mail *out, const char *raw, size_t len)
{
	struct parse ps = {.m = out, .hs = HDR_SCRATCH_INIT};
	struct span hv[H_NR], name, value;
	struct hdr_block h;
	const char *p = raw, *end;
	bool too_big = len > MAIL_MAX_BYTES;
	int r;

	memset(out, 0, sizeof(*out));
	memset(hv, 0, sizeof(hv));
	buf_init(&ps.body, MAIL_MAX_BODY_BYTES);
	buf_init(&ps.dec, MAIL_MAX_BODY_BYTES);
	buf_init(&ps.conv, MAIL_MAX_BODY_BYTES);
	end = raw + (too_big ? MAIL_MAX_BYTES : len);

	/* An mbox "From " line (or a quoted one) before the header. */
	if (starts_with(p, (size_t)(end - p), "From ") ||
	    starts_with(p, (size_t)(end - p), ">From "))
		p = next_line(p, end);
	hdr_block_init(&h, p, end);
	while ((r = hdr_next(&h, &name, &value)) > 0) {
		enum hdr_id id = hdr_lookup(&name);

		if (id == H_TO || id == H_CC || id == H_DELIVERED_TO)
			add_recipients(&ps, &value);
		else if (id == H_X_LOOP)
			add_loop(&ps, &value);
		else if (id != H_NONE && !hv[id].p)
			hv[id] = value;
		else if (id == H_NONE && name.len > 5 &&
			 !strncasecmp(name.p, "List-", 5))
			out->has_list_headers = true;
	}
	if (!h.fields) {
		parse_release(&ps);
		return ERR_PERM;
	}
	if (hv[H_LIST_ID].p)
		out->has_list_headers = true;
	out->message_id = xstrdup("");
	out->subject = xstrdup("");
	person_set(&out->from, "", "");
	if (r < 0)
		hit_limit(&ps,
			  h.fields > MAIL_MAX_HEADERS ? "header fields"
						      : "header bytes",
			  h.fields > MAIL_MAX_HEADERS ? MAIL_MAX_HEADERS
						      : MAIL_MAX_HEADER_BYTES);
	if (too_big)
		hit_limit(&ps, "mail bytes", MAIL_MAX_BYTES);
	fill_headers(&ps, hv);

	if (r == 0 && !too_big) {
		struct entity top = {hv[H_CONTENT_TYPE], hv[H_CTE],
				     hv[H_DISPOSITION], h.p,
				     (size_t)(end - h.p)};

		walk(&ps, &top, 0, false);
		/* Text ends with a line end, whatever the parts did. */
		if (ps.body.len && ps.body.data[ps.body.len - 1] != '\n' &&
		    buf_try_addch(&ps.body, '\n'))
			hit_limit(&ps, "body bytes", MAIL_MAX_BODY_BYTES);
		body_top(&ps);
	}
	out->body = buf_detach(&ps.body, &out->body_len);
	if (ps.limit_what) {
		char esc[256];

		if (*out->message_id)
			log_escape(esc, sizeof(esc), out->message_id,
				   strlen(out->message_id));
		log_warnx("mail: %s%s%s: %s over the limit of %zu; parse "
			  "incomplete",
			  *out->message_id ? "<" : "",
			  *out->message_id ? esc : "(no Message-ID)",
			  *out->message_id ? ">" : "", ps.limit_what,
			  ps.limit_value);
	}
	parse_release(&ps);
	return ps.limit_what ? ERR_LIMIT : 0;
}

void mail_release(struct mail *m)
{
	size_t i;

	free(m->message_id);
	free(m->in_reply_to);
	for (i = 0; i < m->nr_references; i++)
		free(m->references[i]);
	free(m->references);
	free(m->list_id);
	person_release(&m->from);
	free(m->subject);
	free(m->sender);
	free(m->reply_to);
	free(m->return_path);
	free(m->auto_submitted);
	free(m->precedence);
	for (i = 0; i < m->nr_recipients; i++)
		free(m->recipients[i]);
	free(m->recipients);
	for (i = 0; i < m->nr_loops; i++)
		free(m->loops[i]);
	free(m->loops);
	free(m->attachment);
	free(m->body);
	person_release(&m->inbody_from);
	free(m->inbody_subject);
	free(m->above_scissors);
	memset(m, 0, sizeof(*m));
}
