/*
 * compose.c: outgoing mail as RFC 5322 / MIME bytes (compose.h says what
 * and why). Every value is checked before the first byte is written, so a
 * refused mail leaves nothing behind.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bounds.h"
#include "compose.h"
#include "err.h"
#include "log.h"
#include "utf8.h"

/* RFC 5322 2.1.1: lines SHOULD be at most 78 characters, MUST be 998. */
#define LINE_SOFT 78
#define LINE_HARD 998
/* RFC 2047 2: an encoded word is at most 75 characters. */
#define EWORD_MAX   75
#define EWORD_OPEN  "=?UTF-8?Q?"
#define EWORD_CLOSE "?="
/* RFC 2047 2: a header line holding encoded words is at most 76 long. */
#define EWORD_LINE 76
/* RFC 2045 6.7 (5): encoded lines at most 76 characters, "=" included. */
#define QP_LINE 76

/* --- character classes (ASCII only, locale-free) ------------------------ */

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* RFC 5322 3.2.3 atext. */
static bool is_atext(unsigned char c)
{
	return is_alnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* RFC 5322 3.2.3 dot-atom-text: atoms of atext joined by single dots. */
static bool dot_atom_valid(const char *s, size_t len)
{
	size_t i;

	if (!len || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i - 1] == '.')
				return false;
		} else if (!is_atext((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

bool compose_address_valid(const char *s)
{
	const char *at;
	size_t len;

	if (!s)
		return false;
	len = strlen(s);
	at = strrchr(s, '@');
	/* RFC 5321 4.5.3.1.1: a local part of at most 64 octets. */
	return len <= COMPOSE_MAX_ADDRESS_BYTES && at && at - s <= 64 &&
	       dot_atom_valid(s, (size_t)(at - s)) &&
	       dot_atom_valid(at + 1, len - (size_t)(at - s) - 1);
}

/*
 * A Message-ID we write inside <>: printable ASCII without white space
 * and angle brackets, so that it stays one token on one line. Ours are
 * stricter (compose_message_id()); In-Reply-To echoes whatever id the
 * command mail had, which may be any of RFC 5322's obsolete forms.
 */
bool compose_message_id_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (!len || len > COMPOSE_MAX_ID_BYTES || !strchr(s, '@'))
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e || c == '<' || c == '>')
			return false;
	}
	return true;
}

/* RFC 2919 2: list-label "." list-id-namespace, dot-atom-text both. */
static bool list_id_valid(const char *s)
{
	size_t len = strlen(s);

	return len <= 255 && strchr(s, '.') && dot_atom_valid(s, len);
}

static bool token_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (!len || len > COMPOSE_MAX_TOKEN_BYTES)
		return false;
	for (i = 0; i < len; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return false;
	return true;
}

/*
 * An https: URL of RFC 3986's characters, without a fragment (the token
 * is appended as a query parameter) and without what would end the <>
 * of List-Unsubscribe.
 */
static bool url_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (len > COMPOSE_MAX_URL_BYTES || strncmp(s, "https://", 8) != 0 ||
	    len == 8)
		return false;
	for (i = 0; i < len; i++)
		if (!is_alnum((unsigned char)s[i]) &&
		    !strchr("-._~:/?[]@!$&'()*+,;=%", s[i]))
			return false;
	return true;
}

static bool given(const char *s)
{
	return s && *s;
}

/* --- free text: clean, then plain, quoted or encoded ------------------- */

/*
 * Append s as header text that cannot break the header: bytes that are
 * not UTF-8 and control characters replaced (compose.h), leading and
 * trailing spaces dropped, cut at COMPOSE_MAX_TEXT_BYTES between
 * characters.
 */
static void clean_text(struct buf *out, const char *s)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	size_t i = 0, len = strlen(s), n, start = out->len;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		const char *add = s + i;
		size_t add_len;

		n = utf8_seq_len(s + i, len - i);
		add_len = n;
		if (n == 0) {
			n = 1;
			add = replacement;
			add_len = 3;
		} else if (c == '\r' || c == '\n' || c == '\t') {
			add = " ";
		} else if (c < 0x20 || c == 0x7f ||
			   (c == 0xc2 && (unsigned char)s[i + 1] < 0xa0)) {
			/* C0, DEL, and C1 (U+0080..U+009F: C2 80..C2 9F) */
			add = replacement;
			add_len = 3;
		}
		if (out->len - start + add_len > COMPOSE_MAX_TEXT_BYTES)
			break;
		buf_add(out, add, add_len);
		i += n;
	}
	buf_rtrim(out);
	if (out->len < start) /* rtrim went below our start: never */
		BUG("compose: text trimmed past its start");
	n = start;
	while (n < out->len && out->data[n] == ' ')
		n++;
	if (n > start) {
		memmove(out->data + start, out->data + n, out->len - n);
		buf_truncate(out, out->len - (n - start));
	}
}

/* "=XX", upper-case hex: RFC 2045 6.7 (1), which RFC 2047 4.2 follows. */
static void add_hex_escape(struct buf *out, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";

	buf_addch(out, '=');
	buf_addch(out, hex[c >> 4]);
	buf_addch(out, hex[c & 15]);
}

/*
 * RFC 2047 5 (3): the characters a Q-encoded word may carry unencoded in
 * a phrase, the strictest of its three contexts; used everywhere.
 */
static bool q_plain(unsigned char c)
{
	return is_alnum(c) || (c && strchr("!*+-/", c));
}

static size_t q_len(unsigned char c)
{
	return q_plain(c) || c == ' ' ? 1 : 3;
}

/*
 * Append text (clean UTF-8) as Q-encoded words separated by spaces, each
 * at most EWORD_MAX characters, never splitting a character (RFC 2047 5:
 * "each encoded-word MUST represent an integral number of characters").
 * The first word starts at column col of its header line and is kept
 * short enough for the line to end by column EWORD_LINE; the others
 * start lines of their own when folded (add_header()).
 */
static void add_encoded_words(struct buf *out, const char *s, size_t len,
			      size_t col)
{
	const size_t frame = strlen(EWORD_OPEN) + strlen(EWORD_CLOSE);
	size_t room = EWORD_MAX - frame, i = 0, used = 0, n, need, k;

	if (col + EWORD_MAX > EWORD_LINE)
		room = col + frame + 12 < EWORD_LINE ? EWORD_LINE - col - frame
						     : 12;
	buf_adds(out, EWORD_OPEN);
	while (i < len) {
		n = utf8_seq_len(s + i, len - i);
		if (n == 0)
			BUG("compose: text not cleaned");
		for (need = 0, k = 0; k < n; k++)
			need += q_len((unsigned char)s[i + k]);
		if (used + need > room && used > 0) {
			buf_adds(out, EWORD_CLOSE " " EWORD_OPEN);
			used = 0;
			room = EWORD_MAX - frame;
		}
		for (k = 0; k < n; k++) {
			unsigned char c = (unsigned char)s[i + k];

			if (c == ' ')
				buf_addch(out, '_');
			else if (q_plain(c))
				buf_addch(out, (char)c);
			else
				add_hex_escape(out, c);
		}
		used += need;
		i += n;
	}
	buf_adds(out, EWORD_CLOSE);
}

/*
 * Must text be encoded to survive as unstructured header text: anything
 * but printable ASCII and spaces, a "=?" a reader would take for an
 * encoded word, or a word too long to fold onto a line of its own?
 */
static bool needs_encoding(const char *s, size_t len)
{
	size_t i, word = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e)
			return true;
		if (c == '=' && i + 1 < len && s[i + 1] == '?')
			return true;
		word = c == ' ' ? 0 : word + 1;
		if (word > LINE_HARD - 100)
			return true;
	}
	return false;
}

/*
 * Append a Subject's value, starting at column col: the text as it is, or
 * encoded words.
 */
static void add_unstructured(struct buf *out, const char *text, size_t col)
{
	struct buf clean = BUF_INIT;

	clean_text(&clean, text);
	if (needs_encoding(clean.data, clean.len))
		add_encoded_words(out, clean.data, clean.len, col);
	else
		buf_add(out, clean.data, clean.len);
	buf_release(&clean);
}

/*
 * Append a display name as an RFC 5322 phrase: atoms as they are, other
 * ASCII as a quoted-string, anything else as encoded words (RFC 2047 5
 * (3)), starting at column col. Returns whether there was a name at all.
 */
static bool add_phrase(struct buf *out, const char *name, size_t col)
{
	struct buf clean = BUF_INIT;
	bool atoms = true;
	size_t i;

	if (name)
		clean_text(&clean, name);
	if (!clean.len) {
		buf_release(&clean);
		return false;
	}
	for (i = 0; i < clean.len; i++) {
		unsigned char c = (unsigned char)clean.data[i];

		if (!(is_atext(c) || (c == ' ' && clean.data[i + 1] != ' ')))
			atoms = false;
	}
	if (needs_encoding(clean.data, clean.len)) {
		add_encoded_words(out, clean.data, clean.len, col);
	} else if (atoms) {
		buf_add(out, clean.data, clean.len);
	} else {
		/* RFC 5322 3.2.4: quoted-pair for DQUOTE and backslash. */
		buf_addch(out, '"');
		for (i = 0; i < clean.len; i++) {
			if (clean.data[i] == '"' || clean.data[i] == '\\')
				buf_addch(out, '\\');
			buf_addch(out, clean.data[i]);
		}
		buf_addch(out, '"');
	}
	buf_release(&clean);
	return true;
}

/* --- header lines -------------------------------------------------------- */

/*
 * Append "Name: value" CRLF, folded before a space when the line would
 * pass LINE_SOFT (RFC 5322 2.2.3: folding inserts CRLF before white
 * space, which unfolding removes again). Values hold no CR or LF (every
 * part was checked or cleaned) and no word longer than LINE_HARD - 100,
 * so no line passes LINE_HARD.
 */
static void add_header(struct buf *out, const char *name, const char *value,
		       size_t len)
{
	size_t col, i = 0, j, k;

	buf_adds(out, name);
	buf_adds(out, ": ");
	col = strlen(name) + 2;
	while (i < len) {
		for (j = i; j < len && value[j] == ' '; j++)
			;
		for (k = j; k < len && value[k] != ' '; k++)
			;
		if (i > 0 && j > i && col + (k - i) > LINE_SOFT) {
			buf_adds(out, "\r\n");
			col = 0;
		}
		buf_add(out, value + i, k - i);
		col += k - i;
		i = k;
	}
	buf_adds(out, "\r\n");
}

static void add_header_buf(struct buf *out, const char *name, struct buf *v)
{
	add_header(out, name, v->data, v->len);
	buf_reset(v);
}

static const char *const weekdays[] = {"Sun", "Mon", "Tue", "Wed",
				       "Thu", "Fri", "Sat"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static void utc(struct tm *out, int64_t t)
{
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, out))
		BUG("compose: time %lld out of range", (long long)t);
}

void compose_date(struct buf *out, int64_t t)
{
	struct tm tm;

	utc(&tm, t);
	/* RFC 5322 3.3; "+0000": the time is known to be UTC. */
	buf_addf(out, "%s, %02d %s %04d %02d:%02d:%02d +0000",
		 weekdays[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/*
 * Append addr percent-encoded for the "to" of a mailto: URI (RFC 6068
 * 2): everything but unreserved characters and "@".
 */
static void add_mailto_address(struct buf *out, const char *addr)
{
	for (; *addr; addr++) {
		unsigned char c = (unsigned char)*addr;

		if (is_alnum(c) || strchr("-._~@", c))
			buf_addch(out, (char)c);
		else
			buf_addf(out, "%%%02X", c);
	}
}

/* --- bodies ----------------------------------------------------------- */

/*
 * Can the text go as it is (7bit): ASCII without NUL, CR only before LF,
 * lines within LINE_HARD octets, and not holding the multipart boundary?
 */
static bool body_7bit(const char *s, size_t len, const char *boundary)
{
	size_t i, line = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0 || c > 0x7f)
			return false;
		if (c == '\r' && (i + 1 == len || s[i + 1] != '\n'))
			return false;
		if (c == '\n') {
			line = 0;
			continue;
		}
		if (c != '\r' && ++line > LINE_HARD)
			return false;
	}
	return !boundary || !memmem(s, len, boundary, strlen(boundary));
}

/* Append 7bit text with every line end as CRLF, ending in one. */
static void add_body_7bit(struct buf *out, const char *s, size_t len)
{
	size_t i = 0, j;

	while (i < len) {
		for (j = i; j < len && s[j] != '\n'; j++)
			;
		buf_add(out, s + i,
			j > i && s[j - 1] == '\r' ? j - 1 - i : j - i);
		buf_adds(out, "\r\n");
		i = j + 1;
	}
}

/*
 * Append text quoted-printable (RFC 2045 6.7): LF and CRLF are line ends
 * (rule 4); "=", controls, 8-bit bytes and white space at a line's end
 * are encoded (rules 1, 3); soft line breaks keep lines within QP_LINE
 * (rule 5). The output never holds "=_", so a boundary starting with it
 * cannot occur in a part (RFC 2045 6.7, note 8 of RFC 2046 5.1.1).
 */
static void add_body_qp(struct buf *out, const char *s, size_t len)
{
	size_t i = 0, j, end, col, k;

	while (i < len) {
		for (j = i; j < len && s[j] != '\n'; j++)
			;
		end = j > i && s[j - 1] == '\r' ? j - 1 : j;
		col = 0;
		for (k = i; k < end; k++) {
			unsigned char c = (unsigned char)s[k];
			bool plain = (c >= 33 && c <= 126 && c != '=') ||
				     ((c == ' ' || c == '\t') && k + 1 < end);
			size_t w = plain ? 1 : 3;

			/* Room for the piece and a soft break's "=". */
			if (col + w > QP_LINE - 1) {
				buf_adds(out, "=\r\n");
				col = 0;
			}
			if (plain)
				buf_addch(out, (char)c);
			else
				add_hex_escape(out, c);
			col += w;
		}
		buf_adds(out, "\r\n");
		i = j + 1;
	}
}

/* Append a text part's Content-Type, CTE, blank line and body. */
static void add_part(struct buf *out, const char *type, const char *s,
		     size_t len, const char *boundary)
{
	bool plain = body_7bit(s, len, boundary);

	buf_addf(out, "Content-Type: %s; charset=utf-8\r\n", type);
	buf_addf(out, "Content-Transfer-Encoding: %s\r\n\r\n",
		 plain ? "7bit" : "quoted-printable");
	if (plain)
		add_body_7bit(out, s, len);
	else
		add_body_qp(out, s, len);
}

/* FNV-1a, 64 bits: a boundary that is the same for the same mail. */
static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* --- the mail ------------------------------------------------------------ */

static int refuse(const struct compose_mail *m, const char *what)
{
	char id[128];
	const char *mid = m->message_id ? m->message_id : "";

	return errorf(ERR_PERM, "compose: <%s>: %s",
		      log_escape(id, sizeof(id), mid, strlen(mid)), what);
}

/* Check every value before writing anything. */
static int check(const struct compose_mail *m)
{
	bool unsub_addr = given(m->unsubscribe_address);
	bool unsub_token = given(m->unsubscribe_token);

	if (!given(m->message_id) || !compose_message_id_valid(m->message_id) ||
	    !dot_atom_valid(m->message_id, strcspn(m->message_id, "@")))
		return refuse(m, "not a valid Message-ID");
	if (!compose_address_valid(m->from_address))
		return refuse(m, "From: not a valid address");
	if (!compose_address_valid(m->to_address))
		return refuse(m, "To: not a valid address");
	if (given(m->in_reply_to) && !compose_message_id_valid(m->in_reply_to))
		return refuse(m, "In-Reply-To: not a valid Message-ID");
	if (m->auto_submitted && strcmp(m->auto_submitted, "auto-generated") &&
	    strcmp(m->auto_submitted, "auto-replied"))
		return refuse(m, "Auto-Submitted: not a value of RFC 3834");
	if (given(m->loop_address) && !compose_address_valid(m->loop_address))
		return refuse(m, "X-Loop: not a valid address");
	if (given(m->list_id) && !list_id_valid(m->list_id))
		return refuse(m, "List-Id: not a valid list-id (RFC 2919)");
	if (unsub_addr != unsub_token)
		return refuse(m, "List-Unsubscribe: needs an address and a "
				 "token");
	if (unsub_addr && !compose_address_valid(m->unsubscribe_address))
		return refuse(m, "List-Unsubscribe: not a valid address");
	if (unsub_token && !token_valid(m->unsubscribe_token))
		return refuse(m, "List-Unsubscribe: not a valid token");
	if (given(m->unsubscribe_url) &&
	    (!unsub_addr || !url_valid(m->unsubscribe_url)))
		return refuse(m, "List-Unsubscribe: not a valid https: URL, "
				 "or no token for it");
	if (m->text_len > COMPOSE_MAX_BODY_BYTES ||
	    (m->html && m->html_len > COMPOSE_MAX_BODY_BYTES - m->text_len))
		return errorf(ERR_LIMIT, "compose: <%s>: body past %u bytes",
			      m->message_id, COMPOSE_MAX_BODY_BYTES);
	return 0;
}

static void add_headers(struct buf *out, const struct compose_mail *m)
{
	struct buf v = BUF_INIT;

	if (add_phrase(&v, m->from_name, strlen("From: ")))
		buf_addf(&v, " <%s>", m->from_address);
	else
		buf_adds(&v, m->from_address);
	add_header_buf(out, "From", &v);
	add_header(out, "To", m->to_address, strlen(m->to_address));
	add_unstructured(&v, m->subject ? m->subject : "", strlen("Subject: "));
	add_header_buf(out, "Subject", &v);
	compose_date(&v, m->date);
	add_header_buf(out, "Date", &v);
	buf_addf(&v, "<%s>", m->message_id);
	add_header_buf(out, "Message-ID", &v);
	if (given(m->in_reply_to)) {
		buf_addf(&v, "<%s>", m->in_reply_to);
		add_header(out, "In-Reply-To", v.data, v.len);
		add_header_buf(out, "References", &v);
	}
	/* RFC 3834 5: so that vacation programs do not answer. */
	buf_adds(&v, m->auto_submitted ? m->auto_submitted : "auto-generated");
	add_header_buf(out, "Auto-Submitted", &v);
	/* Not standard, but what list software sends for the same end. */
	buf_adds(&v, "bulk");
	add_header_buf(out, "Precedence", &v);
	/* As Mailman and procmail's auto-replies: a mail that comes back
	 * with our X-Loop is our own, whatever else was stripped. */
	if (given(m->loop_address)) {
		buf_adds(&v, m->loop_address);
		add_header_buf(out, "X-Loop", &v);
	}
	if (given(m->list_id)) {
		if (add_phrase(&v, m->list_name, strlen("List-Id: ")))
			buf_addch(&v, ' ');
		buf_addf(&v, "<%s>", m->list_id);
		add_header_buf(out, "List-Id", &v);
	}
	if (given(m->unsubscribe_address)) {
		/* RFC 2369 3.2, RFC 6068: "?subject=" carries the command. */
		buf_adds(&v, "<mailto:");
		add_mailto_address(&v, m->unsubscribe_address);
		buf_addf(&v, "?subject=unsubscribe%%20%s>",
			 m->unsubscribe_token);
		if (given(m->unsubscribe_url))
			buf_addf(&v, ", <%s%ctoken=%s>", m->unsubscribe_url,
				 strchr(m->unsubscribe_url, '?') ? '&' : '?',
				 m->unsubscribe_token);
		add_header_buf(out, "List-Unsubscribe", &v);
		/* RFC 8058 3.1: only beside an https: URI. */
		if (given(m->unsubscribe_url)) {
			buf_adds(&v, "List-Unsubscribe=One-Click");
			add_header_buf(out, "List-Unsubscribe-Post", &v);
		}
	}
	buf_adds(out, "MIME-Version: 1.0\r\n");
	buf_release(&v);
}

int compose_mail(struct buf *out, const struct compose_mail *m)
{
	struct buf mail = BUF_INIT;
	char boundary[40];
	const char *text = m->text ? m->text : "";
	int rc;

	rc = check(m);
	if (rc)
		return rc;
	add_headers(&mail, m);
	if (!m->html) {
		add_part(&mail, "text/plain", text, m->text_len, NULL);
	} else {
		/* "=_" never occurs in quoted-printable (add_body_qp()). */
		snprintf(boundary, sizeof(boundary), "=_patchletter_%016llx",
			 (unsigned long long)fnv1a(m->message_id));
		buf_addf(&mail,
			 "Content-Type: multipart/alternative;\r\n"
			 " boundary=\"%s\"\r\n\r\n"
			 "This is a MIME message: a text and an HTML "
			 "version.\r\n"
			 "\r\n--%s\r\n",
			 boundary, boundary);
		add_part(&mail, "text/plain", text, m->text_len, boundary);
		/* The CRLF before "--" belongs to the delimiter (RFC 2046
		 * 5.1.1), so the part keeps its own last line end. */
		buf_addf(&mail, "\r\n--%s\r\n", boundary);
		add_part(&mail, "text/html", m->html, m->html_len, boundary);
		buf_addf(&mail, "\r\n--%s--\r\n", boundary);
	}
	rc = buf_try_add(out, mail.data, mail.len);
	if (rc)
		rc = errorf(ERR_LIMIT,
			    "compose: <%s>: mail of %zu bytes past "
			    "the buffer's limit",
			    m->message_id, mail.len);
	buf_release(&mail);
	return rc;
}

int compose_message_id(struct buf *out, const char *kind, int64_t subscriber,
		       int64_t when, const char *from_address)
{
	struct tm tm;
	size_t i;

	if (!compose_address_valid(from_address))
		return errorf(ERR_PERM,
			      "compose: Message-ID: %s is not a "
			      "valid address",
			      from_address ? from_address : "(none)");
	for (i = 0; kind[i]; i++)
		if (!is_alnum((unsigned char)kind[i]) && kind[i] != '-')
			break;
	if (!i || kind[i] || i > 32 || subscriber < 0)
		return errorf(ERR_PERM, "compose: Message-ID: bad kind or "
					"subscriber");
	utc(&tm, when);
	buf_addf(out, "patchletter.%s.%lld.%04d%02d%02dT%02d%02d%02dZ@%s", kind,
		 (long long)subscriber, tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 strrchr(from_address, '@') + 1);
	return 0;
}
