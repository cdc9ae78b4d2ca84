/*
 * cfgparse.c: libconfuse documents parsed from memory, with every error
 * collected. See cfgparse.h for the contract; the comments here say how
 * libconfuse 3.3 is made to give line numbers it does not keep.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounds.h"
#include "buf.h"
#include "cfgparse.h"
#include "err.h"
#include "log.h"
#include "xalloc.h"

/*
 * A hidden list option put first in every section of the schema. It has a
 * default, and libconfuse parses list defaults when it creates a section,
 * which happens when it reads the section's "{": the validating callback
 * of this option is then called with the new section, whose line is that
 * of the "{". Its name cannot be written in a document: cfg_getopt()
 * treats "|" as a path separator.
 */
#define LINE_OPT "|line"

/* What libconfuse says when a name is not in the schema (confuse.c). */
#define NO_SUCH_OPTION "no such option '%s'"
/* ... and when a string or a section runs to the end of the text. */
#define PREMATURE_EOF "premature end of file"

struct cfgparse_mark {
	cfg_t *sec;	 /* the section, or the one holding the option */
	cfg_t *parent;	 /* a section's enclosing section */
	const char *opt; /* option name, borrowed from sec; NULL: sec itself */
	char *title;	 /* a section's title, owned (sec may be freed) */
	char *name;	 /* a section's name, owned */
	int line;
	int end_line; /* a section's closing brace; 0 while open */
	bool dead;    /* replaced by a section with the same title */
};

/*
 * The parse under way. libconfuse's callbacks carry no user pointer, and
 * its flex scanner is global state already, so one parse at a time is
 * all a process can do anyway; the pointer lives only during
 * cfgparse_buf().
 */
static struct cfgparse *active;

static bool full(const struct cfgparse *p)
{
	return p->nerrors >= CONFIG_MAX_ERRORS;
}

/*
 * Record an error; the message is taken over. libconfuse's own messages
 * quote the text's tokens as they are ("no sub-section title/index for
 * '...'"), and a token may hold a newline: control bytes become \xNN, so
 * that a report mailed back to a rule file's author has exactly one line
 * per error, none of the author's making.
 */
static void add_error(struct cfgparse *p, int line, char *msg)
{
	if (strpbrk(msg, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c"
			 "\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
			 "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f")) {
		struct buf clean = BUF_INIT;

		for (const char *c = msg; *c; c++) {
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				buf_addf(&clean, "\\x%02x", (unsigned char)*c);
			else
				buf_addch(&clean, *c);
		}
		free(msg);
		msg = buf_detach(&clean, NULL);
	}
	if (full(p)) {
		free(msg);
		p->truncated = true;
		return;
	}
	XGROW(p->errors, p->alloc_errors, p->nerrors + 1);
	p->errors[p->nerrors].line = line;
	p->errors[p->nerrors].msg = msg;
	p->nerrors++;
}

void cfgparse_errorf(struct cfgparse *p, int line, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	add_error(p, line, buf_detach(&msg, NULL));
}

bool cfgparse_has_error(const struct cfgparse *p, int line)
{
	size_t i;

	for (i = 0; i < p->nerrors; i++)
		if (p->errors[i].line == line)
			return true;
	return false;
}

size_t cfgparse_nerrors(const struct cfgparse *p)
{
	return p->nerrors;
}

/* Quote a value from the text for a message: printable, bounded. */
static const char *quote(char *out, size_t outsz, const char *s)
{
	if (!s)
		s = "";
	return log_escape(out, outsz, s, strlen(s));
}

void cfgparse_describe(struct buf *out, cfg_t *sec)
{
	char q[128];

	if (!sec || !sec->name || !strcmp(sec->name, "root"))
		buf_adds(out, "the top level");
	else if (sec->title)
		buf_addf(out, "%s '%s'", sec->name,
			 quote(q, sizeof(q), sec->title));
	else
		buf_adds(out, sec->name);
}

/* --- where things are ------------------------------------------------ */

static struct cfgparse_mark *add_mark(struct cfgparse *p)
{
	struct cfgparse_mark *m;

	XGROW(p->marks, p->alloc_marks, p->nmarks + 1);
	m = &p->marks[p->nmarks++];
	memset(m, 0, sizeof(*m));
	return m;
}

static struct cfgparse_mark *find_option(const struct cfgparse *p, cfg_t *sec,
					 const char *opt)
{
	size_t i;

	for (i = p->nmarks; i-- > 0;) {
		struct cfgparse_mark *m = &p->marks[i];

		if (!m->dead && m->sec == sec && m->opt && !strcmp(m->opt, opt))
			return m;
	}
	return NULL;
}

static struct cfgparse_mark *find_section(const struct cfgparse *p, cfg_t *sec)
{
	size_t i;

	for (i = p->nmarks; i-- > 0;) {
		struct cfgparse_mark *m = &p->marks[i];

		if (!m->dead && m->sec == sec && !m->opt)
			return m;
	}
	return NULL;
}

static cfg_opt_t *schema_option(cfg_t *sec, const char *name)
{
	cfg_opt_t *o;

	for (o = sec->opts; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

static void kill_section(struct cfgparse *p, struct cfgparse_mark *old)
{
	cfg_t *sec = old->sec;
	size_t i;

	/* Its cfg_t is freed: forget it and every option seen in it. */
	for (i = 0; i < p->nmarks; i++)
		if (p->marks[i].sec == sec)
			p->marks[i].dead = true;
}

/* A section's "{" was read (or it is being created after parsing). */
static void section_opened(struct cfgparse *p, cfg_t *sec)
{
	struct cfgparse_mark *m;
	struct buf what = BUF_INIT;
	cfg_t *parent;
	cfg_opt_t *sopt;
	size_t i;

	/* The hidden default is one value: the callback comes twice. */
	if (p->depth && p->stack[p->depth - 1] == sec)
		return;
	if (p->creating) {
		if (!find_section(p, sec)) {
			m = add_mark(p);
			m->sec = sec;
			m->name = xstrdup(sec->name);
		}
		return;
	}
	parent = p->depth ? p->stack[p->depth - 1] : p->cfg;
	sopt = schema_option(parent, sec->name);
	if (!sopt)
		BUG("cfgparse: section %s not in its parent", sec->name);

	for (i = 0; i < p->nmarks; i++) {
		struct cfgparse_mark *old = &p->marks[i];

		if (old->dead || old->opt || old->parent != parent ||
		    strcmp(old->name, sec->name))
			continue;
		if (sopt->flags & CFGF_TITLE) {
			if (!old->title || !sec->title ||
			    strcmp(old->title, sec->title))
				continue;
			/*
			 * libconfuse has just freed the first section and put
			 * this one in its place: say so rather than let the
			 * first one vanish.
			 */
			cfgparse_describe(&what, sec);
			cfgparse_errorf(p, sec->line,
					"%s is defined twice (first on line "
					"%d); give each a different title",
					what.data, old->line);
			kill_section(p, old);
			break;
		}
		if (sopt->flags & CFGPARSE_SINGLE) {
			cfgparse_errorf(p, sec->line,
					"section '%s' given twice (first on "
					"line %d); merge the two",
					sec->name, old->line);
			break;
		}
	}
	buf_release(&what);

	m = add_mark(p);
	m->sec = sec;
	m->parent = parent;
	m->name = xstrdup(sec->name);
	m->title = sec->title ? xstrdup(sec->title) : NULL;
	m->line = sec->line;
	XGROW(p->stack, p->alloc_stack, p->depth + 1);
	p->stack[p->depth++] = sec;
}

/* A section's "}" was read; parent's line is that of the brace. */
static void section_closed(struct cfgparse *p, cfg_t *parent)
{
	struct cfgparse_mark *m;

	if (!p->depth)
		return;
	m = find_section(p, p->stack[--p->depth]);
	if (m)
		m->end_line = parent->line;
}

static void option_seen(struct cfgparse *p, cfg_t *sec, cfg_opt_t *opt)
{
	struct cfgparse_mark *m = find_option(p, sec, opt->name);

	if (opt->flags & CFGF_LIST) {
		/*
		 * Called for each value and again at the "}"; "+=" appends.
		 * Keep the line where the list was first given.
		 */
		if (m)
			return;
	} else if (m) {
		/* libconfuse keeps the last value without a word. */
		cfgparse_errorf(p, sec->line,
				"'%s' is set twice (first on line %d); keep "
				"one",
				opt->name, m->line);
		m->line = sec->line;
		return;
	}
	m = add_mark(p);
	m->sec = sec;
	m->opt = opt->name;
	m->line = sec->line;
}

/* The validating callback of every option of the schema. */
static int mark_cb(cfg_t *cfg, cfg_opt_t *opt)
{
	struct cfgparse *p = active;

	if (!p)
		BUG("cfgparse: callback outside a parse");
	if (!strcmp(opt->name, LINE_OPT))
		section_opened(p, cfg);
	else if (opt->type == CFGT_SEC)
		section_closed(p, cfg);
	else
		option_seen(p, cfg, opt);
	return 0;
}

int cfgparse_line(const struct cfgparse *p, cfg_t *sec, const char *opt)
{
	struct cfgparse_mark *m = NULL;

	if (opt)
		m = find_option(p, sec, opt);
	if (!m)
		m = find_section(p, sec);
	return m ? m->line : 0;
}

bool cfgparse_given(const struct cfgparse *p, cfg_t *sec, const char *opt)
{
	return find_option(p, sec, opt) != NULL;
}

bool cfgparse_damaged(const struct cfgparse *p, cfg_t *sec)
{
	struct cfgparse_mark *m = find_section(p, sec);
	int l, end;

	if (!p->dropped)
		return false;
	if (!m || m->line <= 0) {
		/* The top level holds every line. */
		if (sec != p->cfg)
			return false;
		m = NULL;
	}
	end = m && m->end_line > 0 ? m->end_line : p->nlines;
	for (l = m ? m->line : 1; l <= end && l <= p->nlines; l++)
		if (p->dropped[l])
			return true;
	return false;
}

/* --- messages from libconfuse ---------------------------------------- */

size_t cfgparse_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[65];

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0], up;

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best;

			up = row[j];
			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static void unknown_option(struct buf *msg, cfg_t *sec, const char *name)
{
	const cfg_opt_t *o, *best = NULL;
	size_t d, bestd = SIZE_MAX;
	char q[128];
	bool first = true;

	buf_addf(msg, "unknown option '%s' %s ", quote(q, sizeof(q), name),
		 sec->title || strcmp(sec->name, "root") ? "in" : "at");
	cfgparse_describe(msg, sec);
	if (!strcmp(name, "include")) {
		buf_adds(msg, "; include() is not supported: keep the "
			      "configuration in one file");
		return;
	}
	for (o = sec->opts; o->name; o++) {
		if (!strcmp(o->name, LINE_OPT))
			continue;
		d = cfgparse_distance(name, o->name);
		if (d < bestd) {
			bestd = d;
			best = o;
		}
	}
	if (best && bestd <= 2 && bestd < strlen(name)) {
		buf_addf(msg, " (did you mean '%s'?)", best->name);
		return;
	}
	buf_adds(msg, " (expected one of: ");
	for (o = sec->opts; o->name; o++) {
		if (!strcmp(o->name, LINE_OPT))
			continue;
		buf_addf(msg, "%s%s", first ? "" : ", ", o->name);
		first = false;
	}
	buf_adds(msg, ")");
}

static void error_cb(cfg_t *cfg, const char *fmt, va_list ap)
{
	struct cfgparse *p = active;
	struct buf msg = BUF_INIT;
	va_list cp;

	va_copy(cp, ap);
	if (!strcmp(fmt, NO_SUCH_OPTION))
		unknown_option(&msg, cfg, va_arg(cp, const char *));
	else
		buf_vaddf(&msg, fmt, cp);
	if (p && !strcmp(fmt, PREMATURE_EOF))
		p->at_eof = true; /* no line to drop would help */
	va_end(cp);
	/*
	 * Outside a parse, libconfuse complains only when this program asks
	 * for an option its own schema lacks.
	 */
	if (!p)
		BUG("cfgparse: libconfuse: %s", msg.data);
	add_error(p, cfg ? cfg->line : 0, buf_detach(&msg, NULL));
}

/* --- the text libconfuse sees ---------------------------------------- */

/*
 * Each byte of the text classified the way libconfuse 3.3's lexer.l reads
 * it: code, inside a "double-quoted" or 'single-quoted' string, or inside
 * a comment.
 */
enum {
	CLS_CODE = 'c',
	CLS_STRING = 's',
	CLS_LITERAL = 'l',
	CLS_COMMENT = 'm',
};

/* From text[i] = '$', text[i + 1] = '{': the index of the '}', or len. */
static size_t env_end(const char *text, size_t len, size_t i)
{
	const char *close = memchr(text + i, '}', len - i);

	return close ? (size_t)(close - text) : len;
}

/* What ends an unquoted string in lexer.l (and '/' before '/' or '*'). */
static bool word_char(char c)
{
	return c && !strchr(" #\"'\t\n\r={}()+,*", c);
}

/*
 * With open_line not NULL, *open_line is set to the line where a quoted
 * string that the text never closes begins, or 0.
 */
static char *classify(const char *text, size_t len, int *open_line)
{
	enum { CODE, DQ, SQ, LINE_COMMENT, BLOCK_COMMENT } st = CODE;
	char *cls = xmalloc(len + 1);
	bool in_word = false;
	size_t i, j, string_start = 0;

	for (i = 0; i < len; i++) {
		char c = text[i], next = i + 1 < len ? text[i + 1] : '\0';

		switch (st) {
		case CODE:
			cls[i] = CLS_CODE;
			if (c == '"') {
				cls[i] = CLS_STRING;
				st = DQ;
				string_start = i;
			} else if (c == '\'') {
				cls[i] = CLS_LITERAL;
				st = SQ;
				string_start = i;
			} else if (c == '#') {
				cls[i] = CLS_COMMENT;
				st = LINE_COMMENT;
			} else if (c == '/' && (next == '/' || next == '*')) {
				cls[i] = cls[i + 1] = CLS_COMMENT;
				st = next == '/' ? LINE_COMMENT : BLOCK_COMMENT;
				i++;
			} else if (c == '$' && next == '{' && !in_word) {
				/*
				 * ${...} is one token, even with a # inside;
				 * inside an unquoted word, "$" is just a
				 * letter.
				 */
				for (j = env_end(text, len, i); i < j; i++)
					cls[i + 1] = CLS_CODE;
				in_word = false;
				break;
			}
			in_word = cls[i] == CLS_CODE && word_char(c);
			break;
		case DQ:
		case SQ:
			cls[i] = st == DQ ? CLS_STRING : CLS_LITERAL;
			if (c == '\\' && i + 1 < len) {
				cls[i + 1] = cls[i];
				i++;
			} else if (st == DQ && c == '$' && next == '{') {
				for (j = env_end(text, len, i); i < j; i++)
					cls[i + 1] = CLS_STRING;
			} else if (c == (st == DQ ? '"' : '\'')) {
				st = CODE;
				in_word = false;
			}
			break;
		case LINE_COMMENT:
			cls[i] = c == '\n' ? CLS_CODE : CLS_COMMENT;
			if (c == '\n')
				st = CODE;
			in_word = false;
			break;
		case BLOCK_COMMENT:
			cls[i] = CLS_COMMENT;
			if (c == '*' && next == '/') {
				cls[++i] = CLS_COMMENT;
				st = CODE;
			}
			in_word = false;
			break;
		}
	}
	if (open_line) {
		*open_line = 0;
		if (st == DQ || st == SQ) {
			*open_line = 1;
			for (i = 0; i < string_start; i++)
				*open_line += text[i] == '\n';
		}
	}
	return cls;
}

/*
 * Comment out line `line` for the next parse and, when it opens a block
 * (an unknown section, a list spread over lines), the lines up to the
 * brace that closes it, so that the block's body is not read as options
 * of the enclosing section.
 */
static void drop_lines(struct cfgparse *p, const char *text, size_t len,
		       const char *cls, int line)
{
	int cur = 1, depth = 0;
	size_t i;

	for (i = 0; i < len && cur < line; i++)
		if (text[i] == '\n')
			cur++;
	for (; i < len; i++) {
		if (text[i] == '\n') {
			p->dropped[cur++] = true;
			if (depth <= 0)
				return;
		} else if (cls[i] == CLS_CODE && text[i] == '{') {
			depth++;
		} else if (cls[i] == CLS_CODE && text[i] == '}') {
			depth--;
		}
	}
	if (cur <= p->nlines)
		p->dropped[cur] = true;
}

/* Blank lines from line on, to the end of the text. */
static void drop_from(struct cfgparse *p, int line)
{
	for (int l = line; l <= p->nlines; l++)
		p->dropped[l] = true;
}

/*
 * The text for the next parse, NUL-terminated: comments and dropped lines
 * blanked, newlines kept. libconfuse never sees a comment, because 3.3
 * counts the line of each # or // comment three times (so every later
 * error would name the wrong line) and refuses a comment inside a list
 * (libconfuse issue #150).
 */
static void build_text(struct buf *out, const struct cfgparse *p,
		       const char *text, size_t len, const char *cls)
{
	size_t i;
	int line = 1;

	buf_reset(out);
	for (i = 0; i < len; i++) {
		if (text[i] == '\n') {
			buf_addch(out, '\n');
			line++;
		} else if (p->dropped[line] || cls[i] == CLS_COMMENT) {
			buf_addch(out, ' ');
		} else {
			buf_addch(out, text[i]);
		}
	}
}

/* --- the schema ---------------------------------------------------------- */

/*
 * A copy of the caller's schema with the hidden line option first in each
 * section and mark_cb as every option's validating callback. cfg_init()
 * copies it again, so it is freed right after.
 */
static cfg_opt_t *schema_copy(const cfg_opt_t *opts, bool section)
{
	static char line_default[] = "{x}";
	static const cfg_opt_t line_opt = CFG_STR_LIST(LINE_OPT, 0, CFGF_NONE);
	size_t n = 0, i, j = 0;
	cfg_opt_t *copy;

	while (opts[n].name)
		n++;
	copy = xcalloc(n + 2, sizeof(*copy)); /* zeroed end: CFG_END() */
	if (section) {
		copy[j] = line_opt;
		copy[j].def.parsed = line_default;
		copy[j++].validcb = mark_cb;
	}
	for (i = 0; i < n; i++) {
		const cfg_opt_t *o = &opts[i];

		if (!strcmp(o->name, LINE_OPT))
			BUG("cfgparse: option name %s is reserved", LINE_OPT);
		if (o->validcb)
			BUG("cfgparse: %s: validating callbacks are ours",
			    o->name);
		if (o->type == CFGT_FUNC && o->func == cfg_include)
			BUG("cfgparse: %s: include() must not be registered",
			    o->name);
		if ((o->flags & CFGF_LIST) && o->def.parsed)
			BUG("cfgparse: %s: no list defaults (apply them when "
			    "reading the value)",
			    o->name);
		copy[j] = *o;
		copy[j].validcb = mark_cb;
		if (o->type == CFGT_SEC) {
			if (!(o->flags & CFGF_MULTI))
				BUG("cfgparse: section %s must be CFGF_MULTI",
				    o->name);
			copy[j].subopts = schema_copy(o->subopts, true);
		}
		j++;
	}
	return copy;
}

static void schema_free(cfg_opt_t *copy)
{
	cfg_opt_t *o;

	for (o = copy; o->name; o++)
		if (o->type == CFGT_SEC)
			schema_free(o->subopts);
	free(copy);
}

/* --- after the parse -------------------------------------------------- */

static void check_required(struct cfgparse *p, cfg_t *sec)
{
	struct buf what = BUF_INIT, where = BUF_INIT;
	struct cfgparse_mark *m;
	cfg_opt_t *o;
	unsigned int i, n;

	for (o = sec->opts; o->name; o++) {
		if (o->type == CFGT_SEC) {
			n = cfg_opt_size(o);
			if (!n && (o->flags & CFGPARSE_REQUIRED) &&
			    !cfgparse_damaged(p, sec)) {
				buf_reset(&what);
				if (sec != p->cfg) {
					buf_adds(&what, " in ");
					cfgparse_describe(&what, sec);
				}
				cfgparse_errorf(p, cfgparse_line(p, sec, NULL),
						"missing section '%s'%s (add "
						"%s { ... })",
						o->name, what.data, o->name);
			}
			/* A second single section is an error already. */
			if (o->flags & CFGPARSE_SINGLE && n > 1)
				n = 1;
			for (i = 0; i < n; i++)
				check_required(p, cfg_opt_getnsec(o, i));
			continue;
		}
		if (!(o->flags & CFGPARSE_REQUIRED) ||
		    find_option(p, sec, o->name) || cfgparse_damaged(p, sec))
			continue;
		buf_reset(&what);
		cfgparse_describe(&what, sec);
		m = find_section(p, sec);
		if (m && m->end_line > m->line)
			buf_addf(&where,
				 " (add %s = ... before the '}' on "
				 "line %d)",
				 o->name, m->end_line);
		cfgparse_errorf(p, cfgparse_line(p, sec, NULL),
				"%s: missing required option '%s'%s", what.data,
				o->name, where.data);
		buf_reset(&where);
	}
	buf_release(&where);
	buf_release(&what);
}

/* Absent CFGPARSE_SINGLE sections are created, with their defaults. */
static void create_single(struct cfgparse *p, cfg_t *sec)
{
	cfg_opt_t *o;
	unsigned int i;

	for (o = sec->opts; o->name; o++) {
		if (o->type != CFGT_SEC)
			continue;
		if ((o->flags & CFGPARSE_SINGLE) && !cfg_opt_size(o)) {
			p->creating = true;
			if (!cfg_setopt(sec, o, NULL))
				BUG("cfgparse: cannot create section %s",
				    o->name);
			p->creating = false;
		}
		for (i = 0; i < cfg_opt_size(o); i++)
			create_single(p, cfg_opt_getnsec(o, i));
	}
}

/* --- the driver ------------------------------------------------------- */

void cfgparse_init(struct cfgparse *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
}

static void reset_marks(struct cfgparse *p)
{
	size_t i;

	for (i = 0; i < p->nmarks; i++) {
		free(p->marks[i].name);
		free(p->marks[i].title);
	}
	p->nmarks = 0;
	p->depth = 0;
}

/* Refuse what libconfuse must never see; returns the errors found. */
static size_t refuse(struct cfgparse *p, const char *text, size_t len,
		     unsigned flags)
{
	size_t i, before = p->nerrors;
	int line = 1, nul_line = 0;

	for (i = 0; i < len; i++) {
		if (text[i] == '\n') {
			line++;
		} else if (text[i] == '\0') {
			/* cfg_parse_buf() would stop reading here. */
			if (nul_line != line)
				cfgparse_errorf(p, line,
						"NUL byte in the text");
			nul_line = line;
		} else if ((flags & CFGPARSE_NO_ENV) && text[i] == '$' &&
			   i + 1 < len && text[i + 1] == '{') {
			cfgparse_errorf(p, line,
					"'${' is not allowed here: no "
					"environment variables (write the "
					"value itself)");
		}
	}
	p->nlines = line;
	return p->nerrors - before;
}

/*
 * libconfuse takes the end of the text as the end of every section still
 * open, without a word: a "}" forgotten at the end of a section would
 * silently put the next sections inside it.
 */
static void check_braces(struct cfgparse *p, const char *text, size_t len,
			 const char *cls)
{
	int *open = NULL, line = 1;
	size_t depth = 0, alloc = 0, i;

	for (i = 0; i < len; i++) {
		if (text[i] == '\n')
			line++;
		else if (cls[i] != CLS_CODE)
			continue;
		else if (text[i] == '{') {
			XGROW(open, alloc, depth + 1);
			open[depth++] = line;
		} else if (text[i] == '}' && depth) {
			depth--;
		}
	}
	if (depth)
		cfgparse_errorf(p, open[depth - 1],
				"this '{' is never closed (a '}' is missing "
				"here or further down)");
	free(open);
}

/*
 * CFGPARSE_ENV_STRICT: every ${NAME} that libconfuse will expand (in code
 * or a double-quoted string) must name a set variable, unless it carries
 * a default (${NAME:-default}); libconfuse would quietly put nothing.
 */
static void check_env(struct cfgparse *p, const char *text, size_t len,
		      const char *cls)
{
	char q[128], *name;
	size_t i, end;
	int line = 1;

	for (i = 0; i < len; i++) {
		if (text[i] == '\n') {
			line++;
			continue;
		}
		if (text[i] != '$' || i + 1 >= len || text[i + 1] != '{' ||
		    (cls[i] != CLS_CODE && cls[i] != CLS_STRING))
			continue;
		end = env_end(text, len, i);
		name = xmemdup0(text + i + 2, end - i - 2);
		/* lexer.l: the name ends at a ':' followed by '-'. */
		if (!strstr(name, ":-") && !getenv(name))
			cfgparse_errorf(p, line,
					"environment variable %s is not set "
					"(set it, or write ${%s:-DEFAULT})",
					quote(q, sizeof(q), name), q);
		free(name);
	}
}

int cfgparse_buf(struct cfgparse *p, cfg_opt_t *schema, const char *text,
		 size_t len, size_t max_bytes, unsigned flags)
{
	struct buf work = BUF_INIT;
	cfg_opt_t *copy = NULL;
	char *cls = NULL;
	cfg_t *cfg;
	int rc, open;

	if (active)
		BUG("cfgparse: a parse is already under way");
	if (p->cfg || p->dropped)
		BUG("cfgparse: one parse per struct cfgparse");
	if (len > max_bytes) {
		cfgparse_errorf(p, 0, "larger than %zu bytes", max_bytes);
		return ERR_LIMIT;
	}
	if (refuse(p, text, len, flags))
		return ERR_PERM;
	p->dropped = xcalloc((size_t)p->nlines + 2, sizeof(*p->dropped));
	copy = schema_copy(schema, false);
	cls = classify(text, len, &open);
	if (flags & CFGPARSE_ENV_STRICT)
		check_env(p, text, len, cls);
	check_braces(p, text, len, cls);
	if (open) {
		cfgparse_errorf(p, open,
				"this quoted string is never closed (a "
				"closing quote is missing here or further "
				"down)");
		drop_from(p, open);
	}
	p->kept_errors = p->nerrors; /* not found again by a re-parse */

	active = p;
	for (;;) {
		size_t first = p->nerrors, i;
		struct cfgparse_error fatal;
		int line;

		build_text(&work, p, text, len, cls);
		/*
		 * Blanking a line may have taken the closing quote of a
		 * string that opens above it. libconfuse 3.3's lexer has no
		 * end-of-file rule inside a double-quoted string: it would
		 * take the rest of the text as the string, call the parse a
		 * success and stay in that state, so that the next section it
		 * creates fails to parse its defaults and abort()s. Blank
		 * from such a string on, without a word: the error that
		 * blanked the line was reported.
		 */
		free(classify(work.data, work.len, &open));
		if (open) {
			drop_from(p, open);
			continue;
		}
		reset_marks(p);
		cfg = cfg_init(copy, CFGF_NONE);
		if (!cfg)
			BUG("cfgparse: cfg_init failed");
		cfg_set_error_function(cfg, error_cb);
		p->cfg = cfg;
		if (cfg_parse_buf(cfg, work.data) == CFG_SUCCESS)
			break;

		if (p->nerrors == first)
			cfgparse_errorf(p, cfg->line, "syntax error");
		if (full(p)) {
			/* There may be more after this one. */
			p->truncated = true;
			p->cfg = NULL;
			cfg_free(cfg);
			rc = ERR_PERM;
			goto out;
		}
		/*
		 * The last error stopped libconfuse. Those before it will
		 * come again in the next parse (the text before this line
		 * does not change); keep only this one.
		 */
		fatal = p->errors[p->nerrors - 1];
		p->nerrors--;
		for (i = p->kept_errors; i < p->nerrors; i++)
			free(p->errors[i].msg);
		p->nerrors = p->kept_errors;
		add_error(p, fatal.line, fatal.msg);
		p->kept_errors = p->nerrors;
		line = fatal.line;

		p->cfg = NULL;
		cfg_free(cfg);
		if (line < 1 || line > p->nlines || p->dropped[line] ||
		    p->at_eof) {
			/* Nothing to drop that would get us further. */
			rc = ERR_PERM;
			goto out;
		}
		drop_lines(p, text, len, cls, line);
	}
	check_required(p, p->cfg);
	create_single(p, p->cfg);
	rc = 0;
out:
	active = NULL;
	schema_free(copy);
	free(cls);
	buf_release(&work);
	return rc;
}

/* --- the report ------------------------------------------------------- */

static int by_line(const void *a, const void *b)
{
	const struct cfgparse_error *x =
		*(const struct cfgparse_error *const *)a;
	const struct cfgparse_error *y =
		*(const struct cfgparse_error *const *)b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	/* Stable: the array of pointers is in the order found. */
	return x < y ? -1 : x > y;
}

void cfgparse_report(const struct cfgparse *p, struct buf *out)
{
	const struct cfgparse_error **sorted;
	size_t i, j, n = 0;

	sorted = xcalloc(p->nerrors + 1, sizeof(*sorted));
	for (i = 0; i < p->nerrors; i++)
		if (p->errors[i].msg)
			sorted[n++] = &p->errors[i];
	qsort(sorted, n, sizeof(*sorted), by_line);
	for (i = 0; i < n; i++) {
		const struct cfgparse_error *e = sorted[i];
		bool seen = false;

		/* A message found in two parses is said once. */
		for (j = i; j-- > 0 && sorted[j]->line == e->line;)
			if (!strcmp(sorted[j]->msg, e->msg))
				seen = true;
		if (seen)
			continue;
		if (e->line > 0)
			buf_addf(out, "%s:%d: %s\n", p->name, e->line, e->msg);
		else
			buf_addf(out, "%s: %s\n", p->name, e->msg);
	}
	if (p->truncated)
		buf_addf(out, "%s: too many errors; stopped after %d\n",
			 p->name, CONFIG_MAX_ERRORS);
	free(sorted);
}

void cfgparse_release(struct cfgparse *p)
{
	size_t i;

	if (p->cfg)
		cfg_free(p->cfg);
	for (i = 0; i < p->nerrors; i++)
		free(p->errors[i].msg);
	free(p->errors);
	reset_marks(p);
	free(p->marks);
	free(p->stack);
	free(p->dropped);
	free(p->name);
	memset(p, 0, sizeof(*p));
}

/* --- value callbacks ---------------------------------------------------- */

/* Report "SECTION: OPTION 'VALUE' is not WHAT" at the value's line. */
static void value_error(cfg_t *cfg, cfg_opt_t *opt, const char *value,
			const char *what)
{
	struct buf where = BUF_INIT;
	char q[128];

	cfgparse_describe(&where, cfg);
	cfg_error(cfg, "%s: %s '%s' is not %s", where.data, opt->name,
		  quote(q, sizeof(q), value), what);
	buf_release(&where);
}

static int bad_value(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		     void *result, const char *what)
{
	value_error(cfg, opt, value, what);
	*(long *)result = opt->def.number;
	return 0;
}

/* Digits only, into *out; false on anything else or overflow. */
static bool parse_digits(long *out, const char **s)
{
	long v = 0;
	const char *c = *s;

	if (!isdigit((unsigned char)*c))
		return false;
	for (; isdigit((unsigned char)*c); c++) {
		if (v > (LONG_MAX - (*c - '0')) / 10)
			return false;
		v = v * 10 + (*c - '0');
	}
	*out = v;
	*s = c;
	return true;
}

int cfgparse_uint(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	const char *s = value ? value : "";
	long v;

	if (!parse_digits(&v, &s) || *s)
		return bad_value(cfg, opt, value, result,
				 "a whole number (write digits: 500)");
	*(long *)result = v;
	return 0;
}

int cfgparse_parse_duration(long *out, const char *s)
{
	long total = 0, n, unit;

	if (!s || !*s)
		return ERR_PERM;
	if (!strcmp(s, "0")) {
		*out = 0;
		return 0;
	}
	while (*s) {
		if (!parse_digits(&n, &s))
			return ERR_PERM;
		switch (*s++) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 24 * 3600;
			break;
		default:
			return ERR_PERM;
		}
		if (n > CONFIG_MAX_DURATION_SECS / unit)
			return ERR_PERM;
		total += n * unit;
		if (total > CONFIG_MAX_DURATION_SECS)
			return ERR_PERM;
	}
	*out = total;
	return 0;
}

int cfgparse_duration(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		      void *result)
{
	if (cfgparse_parse_duration(result, value))
		return bad_value(cfg, opt, value, result,
				 "a duration (a number and a unit s, m, h "
				 "or d: 30s, 10m, 1h30m, 2d; at most a "
				 "year)");
	return 0;
}

int cfgparse_size(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	const char *s = value ? value : "";
	long v, mult = 1;

	if (!parse_digits(&v, &s))
		goto bad;
	switch (*s) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1L << 10;
		s++;
		break;
	case 'M':
		mult = 1L << 20;
		s++;
		break;
	case 'G':
		mult = 1L << 30;
		s++;
		break;
	default:
		goto bad;
	}
	if (*s || v > CONFIG_MAX_SIZE_BYTES / mult)
		goto bad;
	*(long *)result = v * mult;
	return 0;
bad:
	return bad_value(cfg, opt, value, result,
			 "a size (bytes, or a number and k, M or G: 512k, "
			 "2M)");
}

int cfgparse_bool(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	int b = value ? cfg_parse_boolean(value) : -1;

	if (b < 0) {
		value_error(cfg, opt, value, "true or false");
		*(cfg_bool_t *)result = opt->def.boolean;
		return 0;
	}
	*(cfg_bool_t *)result = b ? cfg_true : cfg_false;
	return 0;
}

int cfgparse_enum(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result,
		  const char *const *names)
{
	struct buf msg = BUF_INIT;
	long i;

	for (i = 0; value && names[i]; i++) {
		if (!strcasecmp(value, names[i])) {
			*(long *)result = i;
			return 0;
		}
	}
	buf_adds(&msg, "one of ");
	for (i = 0; names[i]; i++)
		buf_addf(&msg, "%s%s", i ? ", " : "", names[i]);
	value_error(cfg, opt, value, msg.data);
	buf_release(&msg);
	*(long *)result = opt->def.number;
	return 0;
}
