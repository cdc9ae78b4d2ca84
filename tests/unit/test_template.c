/*
 * test_template.c: the Mustache semantics template.h promises, case by
 * case after the spec (github.com/mustache/spec, the specs/ folder): the cases
 * were written here by hand from the spec's rules, with the expected text
 * worked out from those rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "template.h"

/* ---- a test-only reader for the JSON subset the cases use -------------- */

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\n' || **p == '\t')
		(*p)++;
}

static void read_string(const char **p, struct buf *out)
{
	assert_int_equal(**p, '"');
	for ((*p)++; **p != '"'; (*p)++) {
		assert_int_not_equal(**p, '\0');
		if (**p != '\\') {
			buf_addch(out, **p);
			continue;
		}
		(*p)++;
		switch (**p) {
		case 'n':
			buf_addch(out, '\n');
			break;
		case 't':
			buf_addch(out, '\t');
			break;
		case 'r':
			buf_addch(out, '\r');
			break;
		default:
			buf_addch(out, **p);
		}
	}
	(*p)++;
}

static void read_value(const char **p, struct tdata *parent, const char *key);

static void read_members(const char **p, struct tdata *obj)
{
	struct buf key = BUF_INIT;

	assert_int_equal(**p, '{');
	(*p)++;
	for (;;) {
		skip_ws(p);
		if (**p == '}')
			break;
		buf_reset(&key);
		read_string(p, &key);
		skip_ws(p);
		assert_int_equal(**p, ':');
		(*p)++;
		read_value(p, obj, key.data);
		skip_ws(p);
		if (**p == ',')
			(*p)++;
	}
	(*p)++;
	buf_release(&key);
}

/* Set parent[key] to the value at *p, or append it when key is NULL. */
static void read_value(const char **p, struct tdata *parent, const char *key)
{
	struct buf s = BUF_INIT;
	struct tdata *d;
	char *end;
	long long v;

	skip_ws(p);
	switch (**p) {
	case '{':
		d = key ? tdata_set_object(parent, key)
			: tdata_list_add_object(parent);
		read_members(p, d);
		break;
	case '[':
		d = key ? tdata_set_list(parent, key)
			: tdata_list_add_list(parent);
		for ((*p)++;;) {
			skip_ws(p);
			if (**p == ']')
				break;
			read_value(p, d, NULL);
			skip_ws(p);
			if (**p == ',')
				(*p)++;
		}
		(*p)++;
		break;
	case '"':
		read_string(p, &s);
		if (key)
			tdata_set_strn(parent, key, s.data, s.len);
		else
			tdata_list_add_strn(parent, s.data, s.len);
		break;
	case 't':
	case 'f':
		assert_non_null(key); /* no lists of booleans in the cases */
		tdata_set_bool(parent, key, **p == 't');
		*p += **p == 't' ? 4 : 5;
		break;
	default:
		v = strtoll(*p, &end, 10);
		assert_true(end != *p);
		*p = end;
		if (key)
			tdata_set_int(parent, key, v);
		else
			tdata_list_add_int(parent, v);
	}
	buf_release(&s);
}

static struct tdata *data_from(const char *json)
{
	struct tdata *root = tdata_object_new();
	const char *p = json ? json : "{}";

	skip_ws(&p);
	read_members(&p, root);
	skip_ws(&p);
	assert_int_equal(*p, '\0');
	return root;
}

/* ---- partials for the cases ------------------------------------------- */

#define MAX_PARTIALS 4

struct partials {
	const char *names[MAX_PARTIALS];
	struct tpl *tpls[MAX_PARTIALS];
	size_t n;
	unsigned calls;
};

static const struct tpl *load_partial(const char *name, enum tpl_mode mode,
				      void *arg)
{
	struct partials *ps = arg;
	size_t i;

	(void)mode;
	ps->calls++;
	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->names[i], name))
			return ps->tpls[i];
	return NULL;
}

/* defs: name, text, name, text, ..., NULL */
static void partials_init(struct partials *ps, const char *const *defs)
{
	memset(ps, 0, sizeof(*ps));
	for (; defs && defs[0]; defs += 2) {
		assert_true(ps->n < MAX_PARTIALS);
		assert_int_equal(tpl_compile(&ps->tpls[ps->n], defs[0], defs[1],
					     strlen(defs[1]), NULL),
				 0);
		ps->names[ps->n++] = defs[0];
	}
}

static void partials_release(struct partials *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		tpl_free(ps->tpls[i]);
}

/* ---- the cases --------------------------------------------------------- */

struct render_case {
	const char *what;
	const char *data; /* JSON subset; NULL: {} */
	const char *text;
	const char *expected;
	enum tpl_mode mode;
	const char *const *partials;
};

static void run_cases(const struct render_case *cases, size_t n)
{
	struct buf out = BUF_INIT, errors = BUF_INIT;
	struct partials ps;
	struct tdata *root;
	struct tpl *t;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct render_case *k = &cases[i];

		buf_reset(&errors);
		if (tpl_compile(&t, "case", k->text, strlen(k->text), &errors))
			print_error("case \"%s\": %s", k->what, errors.data);
		assert_string_equal(errors.data, "");
		partials_init(&ps, k->partials);
		tpl_set_loader(t, load_partial, &ps);
		root = data_from(k->data);
		buf_reset(&out);
		assert_int_equal(tpl_render(&out, t, root, k->mode), 0);
		if (strcmp(out.data, k->expected))
			print_error("case \"%s\"\n", k->what);
		assert_string_equal(out.data, k->expected);
		assert_int_equal(out.len, strlen(k->expected));
		tdata_free(root);
		partials_release(&ps);
		tpl_free(t);
	}
	buf_release(&out);
	buf_release(&errors);
}

static void test_interpolation(void **state)
{
	static const struct render_case cases[] = {
		{"no tags", NULL, "Hello from {Mustache}!\n",
		 "Hello from {Mustache}!\n", TPL_TEXT, NULL},
		{"basic", "{\"subject\": \"world\"}", "Hello, {{subject}}!\n",
		 "Hello, world!\n", TPL_TEXT, NULL},
		{"html escaping", "{\"forbidden\": \"& \\\" < > '\"}",
		 "These: {{forbidden}}\n",
		 "These: &amp; &quot; &lt; &gt; &#39;\n", TPL_HTML, NULL},
		{"no escaping in text mode",
		 "{\"forbidden\": \"& \\\" < > '\"}", "These: {{forbidden}}\n",
		 "These: & \" < > '\n", TPL_TEXT, NULL},
		{"triple mustache", "{\"forbidden\": \"& \\\" < >\"}",
		 "These: {{{forbidden}}}\n", "These: & \" < >\n", TPL_HTML,
		 NULL},
		{"ampersand", "{\"forbidden\": \"& \\\" < >\"}",
		 "These: {{&forbidden}}\n", "These: & \" < >\n", TPL_HTML,
		 NULL},
		{"utf-8 untouched by escaping",
		 "{\"n\": \"Micka\xc3\xabl <m>\"}", "{{n}}",
		 "Micka\xc3\xabl &lt;m&gt;", TPL_HTML, NULL},
		{"integer", "{\"mph\": 85}", "\"{{mph}} miles an hour!\"",
		 "\"85 miles an hour!\"", TPL_TEXT, NULL},
		{"negative integer", "{\"n\": -3}", "{{{n}}}/{{&n}}", "-3/-3",
		 TPL_TEXT, NULL},
		{"booleans", "{\"y\": true, \"n\": false}", "{{y}} {{n}}",
		 "true false", TPL_TEXT, NULL},
		{"lists and objects interpolate as nothing",
		 "{\"l\": [1, 2], \"o\": {\"a\": 1}}", "[{{l}}][{{o}}]", "[][]",
		 TPL_TEXT, NULL},
		{"context miss", NULL, "I ({{cannot}}) be seen!",
		 "I () be seen!", TPL_TEXT, NULL},
		{"context miss, triple", NULL, "I ({{{cannot}}}) be seen!",
		 "I () be seen!", TPL_TEXT, NULL},
		{"dotted names", "{\"person\": {\"name\": \"Joe\"}}",
		 "\"{{person.name}}\" == \"{{#person}}{{name}}{{/person}}\"",
		 "\"Joe\" == \"Joe\"", TPL_TEXT, NULL},
		{"dotted names, triple", "{\"person\": {\"name\": \"<Joe>\"}}",
		 "{{{person.name}}} {{&person.name}} {{person.name}}",
		 "<Joe> <Joe> &lt;Joe&gt;", TPL_HTML, NULL},
		{"dotted names, arbitrary depth",
		 "{\"a\": {\"b\": {\"c\": {\"d\": {\"e\": {\"name\": "
		 "\"Phil\"}}}}}}",
		 "\"{{a.b.c.d.e.name}}\" == \"Phil\"", "\"Phil\" == \"Phil\"",
		 TPL_TEXT, NULL},
		{"dotted names, broken chain", "{\"a\": {}}",
		 "\"{{a.b.c}}\" == \"\"", "\"\" == \"\"", TPL_TEXT, NULL},
		{"dotted names, broken chain resolution",
		 "{\"a\": {\"b\": {}}, \"c\": {\"name\": \"Jim\"}}",
		 "\"{{a.b.c.name}}\" == \"\"", "\"\" == \"\"", TPL_TEXT, NULL},
		{"dotted names, initial resolution",
		 "{\"a\": {\"b\": {\"c\": {\"d\": {\"e\": {\"name\": "
		 "\"Phil\"}}}}},"
		 " \"b\": {\"c\": {\"d\": {\"e\": {\"name\": \"Wrong\"}}}}}",
		 "\"{{#a}}{{b.c.d.e.name}}{{/a}}\" == \"Phil\"",
		 "\"Phil\" == \"Phil\"", TPL_TEXT, NULL},
		{"dotted names, context precedence",
		 "{\"a\": {\"b\": {}}, \"b\": {\"c\": \"ERROR\"}}",
		 "{{#a}}{{b.c}}{{/a}}", "", TPL_TEXT, NULL},
		{"dotted names through a non-object", "{\"a\": \"str\"}",
		 "[{{a.b}}]", "[]", TPL_TEXT, NULL},
		{"leading dot looks only in the current scope",
		 "{\"a\": {}, \"b\": {\"name\": \"Name\"}, \"name\": \"Fail\"}",
		 "{{#a}}{{.name}}{{/a}}{{#b}}{{.name}}{{/b}}", "Name", TPL_TEXT,
		 NULL},
		{"surrounding whitespace", "{\"string\": \"---\"}",
		 "| {{string}} | {{{string}}} | {{&string}} |",
		 "| --- | --- | --- |", TPL_TEXT, NULL},
		{"standalone interpolation keeps its line",
		 "{\"string\": \"---\"}", "  {{string}}\n  {{{string}}}\n",
		 "  ---\n  ---\n", TPL_TEXT, NULL},
		{"padding inside tags", "{\"string\": \"---\"}",
		 "|{{ string }}|{{{ string }}}|{{& string }}|{{\tstring\n}}|",
		 "|---|---|---|---|", TPL_TEXT, NULL},
		{"values are not templates",
		 "{\"v\": \"{{x}}\", \"x\": \"no\"}", "{{v}}", "{{x}}",
		 TPL_TEXT, NULL},
	};

	(void)state;
	run_cases(cases, ARRAY_SIZE(cases));
}

static void test_sections(void **state)
{
	static const struct render_case cases[] = {
		{"truthy", "{\"boolean\": true}",
		 "\"{{#boolean}}This should be rendered.{{/boolean}}\"",
		 "\"This should be rendered.\"", TPL_TEXT, NULL},
		{"falsey", "{\"boolean\": false}",
		 "\"{{#boolean}}This should not be rendered.{{/boolean}}\"",
		 "\"\"", TPL_TEXT, NULL},
		{"object pushed as context",
		 "{\"context\": {\"name\": \"Joe\"}}",
		 "\"{{#context}}Hi {{name}}.{{/context}}\"", "\"Hi Joe.\"",
		 TPL_TEXT, NULL},
		{"empty object is truthy", "{\"o\": {}}", "[{{#o}}yes{{/o}}]",
		 "[yes]", TPL_TEXT, NULL},
		{"parent contexts",
		 "{\"a\": \"foo\", \"b\": \"wrong\", \"sec\": {\"b\": \"bar\"},"
		 " \"c\": {\"d\": \"baz\"}}",
		 "\"{{#sec}}{{a}}, {{b}}, {{c.d}}{{/sec}}\"",
		 "\"foo, bar, baz\"", TPL_TEXT, NULL},
		{"the value is the top of the context", "{\"foo\": \"bar\"}",
		 "\"{{#foo}}{{.}} is {{foo}}{{/foo}}\"", "\"bar is bar\"",
		 TPL_TEXT, NULL},
		{"list contexts",
		 "{\"tops\": [{\"tname\": {\"upper\": \"A\", \"lower\": \"a\"},"
		 " \"middles\": [{\"mname\": \"1\", \"bottoms\": [{\"bname\": "
		 "\"x\"},"
		 " {\"bname\": \"y\"}]}]}]}",
		 "{{#tops}}{{#middles}}{{tname.lower}}{{mname}}.{{#bottoms}}"
		 "{{tname.upper}}{{mname}}{{bname}}.{{/bottoms}}{{/middles}}"
		 "{{/tops}}",
		 "a1.A1x.A1y.", TPL_TEXT, NULL},
		{"deeply nested contexts",
		 "{\"a\": {\"one\": 1}, \"b\": {\"two\": 2},"
		 " \"c\": {\"three\": 3, \"d\": {\"four\": 4, \"five\": 5}}}",
		 "{{#a}}\n"
		 "{{one}}\n"
		 "{{#b}}\n"
		 "{{one}}{{two}}{{one}}\n"
		 "{{#c}}\n"
		 "{{one}}{{two}}{{three}}{{two}}{{one}}\n"
		 "{{#d}}\n"
		 "{{one}}{{two}}{{three}}{{four}}{{three}}{{two}}{{one}}\n"
		 "{{#five}}\n"
		 "{{one}}{{two}}{{three}}{{four}}{{five}}{{four}}{{three}}{{"
		 "two}}{{one}}\n"
		 "{{one}}{{two}}{{three}}{{four}}{{.}}6{{.}}{{four}}{{three}}{{"
		 "two}}{{one}}\n"
		 "{{/five}}\n"
		 "{{/d}}\n"
		 "{{/c}}\n"
		 "{{/b}}\n"
		 "{{/a}}\n",
		 "1\n121\n12321\n1234321\n123454321\n12345654321\n", TPL_TEXT,
		 NULL},
		{"list",
		 "{\"list\": [{\"item\": 1}, {\"item\": 2}, {\"item\": 3}]}",
		 "\"{{#list}}{{item}}{{/list}}\"", "\"123\"", TPL_TEXT, NULL},
		{"empty list", "{\"list\": []}",
		 "\"{{#list}}Yay lists!{{/list}}\"", "\"\"", TPL_TEXT, NULL},
		{"a string is not a list", "{\"section\": \"123\"}",
		 "\"{{#section}}foo{{/section}}\"", "\"foo\"", TPL_TEXT, NULL},
		{"empty string is falsy", "{\"s\": \"\"}",
		 "[{{#s}}shown{{/s}}]", "[]", TPL_TEXT, NULL},
		{"zero is falsy, other integers truthy",
		 "{\"zero\": 0, \"two\": 2}",
		 "[{{#zero}}z{{/zero}}][{{#two}}{{.}} reviews{{/two}}]",
		 "[][2 reviews]", TPL_TEXT, NULL},
		{"missing is falsy", NULL,
		 "[{{#missing}}Found key 'missing'!{{/missing}}]", "[]",
		 TPL_TEXT, NULL},
		{"implicit iterator, strings",
		 "{\"list\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}",
		 "\"{{#list}}({{.}}){{/list}}\"", "\"(a)(b)(c)(d)(e)\"",
		 TPL_TEXT, NULL},
		{"implicit iterator, escaped in html",
		 "{\"list\": [\"<a>\", \"b&c\"]}", "{{#list}}({{.}}){{/list}}",
		 "(&lt;a&gt;)(b&amp;c)", TPL_HTML, NULL},
		{"implicit iterator, integers", "{\"list\": [1, 2, 3, 4, 5]}",
		 "\"{{#list}}({{.}}){{/list}}\"", "\"(1)(2)(3)(4)(5)\"",
		 TPL_TEXT, NULL},
		{"implicit iterator, nested lists",
		 "{\"list\": [[1, 2, 3], [\"a\", \"b\", \"c\"]]}",
		 "\"{{#list}}({{#.}}{{.}}{{/.}}){{/list}}\"", "\"(123)(abc)\"",
		 TPL_TEXT, NULL},
		{"dotted names, truthy", "{\"a\": {\"b\": {\"c\": true}}}",
		 "\"{{#a.b.c}}Here{{/a.b.c}}\" == \"Here\"",
		 "\"Here\" == \"Here\"", TPL_TEXT, NULL},
		{"dotted names, falsey", "{\"a\": {\"b\": {\"c\": false}}}",
		 "\"{{#a.b.c}}Here{{/a.b.c}}\" == \"\"", "\"\" == \"\"",
		 TPL_TEXT, NULL},
		{"dotted names, broken chain", "{\"a\": {}}",
		 "\"{{#a.b.c}}Here{{/a.b.c}}\" == \"\"", "\"\" == \"\"",
		 TPL_TEXT, NULL},
		{"doubled", "{\"bool\": true, \"two\": \"second\"}",
		 "{{#bool}}\n* first\n{{/bool}}\n* {{two}}\n{{#bool}}\n"
		 "* third\n{{/bool}}\n",
		 "* first\n* second\n* third\n", TPL_TEXT, NULL},
		{"nested, truthy", "{\"bool\": true}",
		 "| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |",
		 "| A B C D E |", TPL_TEXT, NULL},
		{"nested, falsey", "{\"bool\": false}",
		 "| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |",
		 "| A  E |", TPL_TEXT, NULL},
		{"outer names seen from list elements",
		 "{\"list\": \"kvm\", \"series\": [{\"title\": \"one\"},"
		 " {\"title\": \"two\", \"list\": \"netdev\"}]}",
		 "{{#series}}\n{{list}}: {{title}}\n{{/series}}\n",
		 "kvm: one\nnetdev: two\n", TPL_TEXT, NULL},
		{"surrounding whitespace", "{\"boolean\": true}",
		 " | {{#boolean}}\t|\t{{/boolean}} | \n", " | \t|\t | \n",
		 TPL_TEXT, NULL},
		{"internal whitespace", "{\"boolean\": true}",
		 " | {{#boolean}} {{! Important Whitespace }}\n {{/boolean}} | "
		 "\n",
		 " |  \n  | \n", TPL_TEXT, NULL},
		{"indented inline sections", "{\"boolean\": true}",
		 " {{#boolean}}YES{{/boolean}}\n "
		 "{{#boolean}}GOOD{{/boolean}}\n",
		 " YES\n GOOD\n", TPL_TEXT, NULL},
		{"standalone lines", "{\"boolean\": true}",
		 "| This Is\n{{#boolean}}\n|\n{{/boolean}}\n| A Line\n",
		 "| This Is\n|\n| A Line\n", TPL_TEXT, NULL},
		{"indented standalone lines", "{\"boolean\": true}",
		 "| This Is\n  {{#boolean}}\n|\n\t{{/boolean}}\n| A Line\n",
		 "| This Is\n|\n| A Line\n", TPL_TEXT, NULL},
		{"standalone line endings", "{\"boolean\": true}",
		 "|\r\n{{#boolean}}\r\n{{/boolean}}\r\n|", "|\r\n|", TPL_TEXT,
		 NULL},
		{"standalone without previous line", "{\"boolean\": true}",
		 "  {{#boolean}}\n#{{/boolean}}\n/", "#\n/", TPL_TEXT, NULL},
		{"standalone without newline", "{\"boolean\": true}",
		 "#{{#boolean}}\n/\n  {{/boolean}}", "#\n/\n", TPL_TEXT, NULL},
		{"two tags on a line are not standalone", "{\"b\": true}",
		 "a\n{{#b}}{{/b}}\nz", "a\n\nz", TPL_TEXT, NULL},
		{"padding", "{\"boolean\": true}",
		 "|{{# boolean }}={{/ boolean }}|", "|=|", TPL_TEXT, NULL},
	};

	(void)state;
	run_cases(cases, ARRAY_SIZE(cases));
}

static void test_inverted(void **state)
{
	static const struct render_case cases[] = {
		{"falsey", "{\"boolean\": false}",
		 "\"{{^boolean}}This should be rendered.{{/boolean}}\"",
		 "\"This should be rendered.\"", TPL_TEXT, NULL},
		{"truthy", "{\"boolean\": true}",
		 "\"{{^boolean}}This should not be rendered.{{/boolean}}\"",
		 "\"\"", TPL_TEXT, NULL},
		{"object", "{\"context\": {\"name\": \"Joe\"}}",
		 "\"{{^context}}Hi {{name}}.{{/context}}\"", "\"\"", TPL_TEXT,
		 NULL},
		{"list", "{\"list\": [{\"n\": 1}, {\"n\": 2}]}",
		 "\"{{^list}}{{n}}{{/list}}\"", "\"\"", TPL_TEXT, NULL},
		{"empty list", "{\"list\": []}",
		 "\"{{^list}}Yay lists!{{/list}}\"", "\"Yay lists!\"", TPL_TEXT,
		 NULL},
		{"empty string and zero", "{\"s\": \"\", \"z\": 0}",
		 "{{^s}}none{{/s}} {{^z}}zero{{/z}}", "none zero", TPL_TEXT,
		 NULL},
		{"doubled", "{\"bool\": false, \"two\": \"second\"}",
		 "{{^bool}}\n* first\n{{/bool}}\n* {{two}}\n{{^bool}}\n"
		 "* third\n{{/bool}}\n",
		 "* first\n* second\n* third\n", TPL_TEXT, NULL},
		{"nested, falsey", "{\"bool\": false}",
		 "| A {{^bool}}B {{^bool}}C{{/bool}} D{{/bool}} E |",
		 "| A B C D E |", TPL_TEXT, NULL},
		{"context misses", NULL,
		 "[{{^missing}}Found key 'missing'!{{/missing}}]",
		 "[Found key 'missing'!]", TPL_TEXT, NULL},
		{"dotted names, broken chain", "{\"a\": {}}",
		 "\"{{^a.b.c}}Not Here{{/a.b.c}}\" == \"Not Here\"",
		 "\"Not Here\" == \"Not Here\"", TPL_TEXT, NULL},
		{"standalone lines", "{\"boolean\": false}",
		 "| This Is\n  {{^boolean}}\n|\n  {{/boolean}}\n| A Line\n",
		 "| This Is\n|\n| A Line\n", TPL_TEXT, NULL},
		{"standalone without previous line", "{\"boolean\": false}",
		 "  {{^boolean}}\n^{{/boolean}}\n/", "^\n/", TPL_TEXT, NULL},
	};

	(void)state;
	run_cases(cases, ARRAY_SIZE(cases));
}

static void test_comments(void **state)
{
	static const struct render_case cases[] = {
		{"inline", NULL, "12345{{! Comment Block! }}67890",
		 "1234567890", TPL_TEXT, NULL},
		{"multiline", NULL,
		 "12345{{!\n  This is a\n  multi-line comment...\n}}67890\n",
		 "1234567890\n", TPL_TEXT, NULL},
		{"standalone", NULL, "Begin.\n{{! Comment Block! }}\nEnd.\n",
		 "Begin.\nEnd.\n", TPL_TEXT, NULL},
		{"indented standalone", NULL,
		 "Begin.\n  {{! Indented Comment Block! }}\nEnd.\n",
		 "Begin.\nEnd.\n", TPL_TEXT, NULL},
		{"standalone line endings", NULL,
		 "|\r\n{{! Standalone Comment }}\r\n|", "|\r\n|", TPL_TEXT,
		 NULL},
		{"standalone without previous line", NULL,
		 "  {{! I'm Still Standalone }}\n!", "!", TPL_TEXT, NULL},
		{"standalone without newline", NULL,
		 "!\n  {{! I'm Still Standalone }}", "!\n", TPL_TEXT, NULL},
		{"multiline standalone", NULL,
		 "Begin.\n{{!\nSomething's going on here...\n}}\nEnd.\n",
		 "Begin.\nEnd.\n", TPL_TEXT, NULL},
		{"indented inline", NULL, "  12 {{! 34 }}\n", "  12 \n",
		 TPL_TEXT, NULL},
		{"surrounding whitespace", NULL,
		 "12345 {{! Comment Block! }} 67890", "12345  67890", TPL_TEXT,
		 NULL},
		{"a comment may hold tags", "{\"x\": \"no\"}", "a{{! {{x}} }}b",
		 "a }}b", TPL_TEXT, NULL},
	};

	(void)state;
	run_cases(cases, ARRAY_SIZE(cases));
}

static void test_partials(void **state)
{
	static const char *const text[] = {"text", "from partial", NULL};
	static const char *const ctx[] = {"partial", "*{{text}}*", NULL};
	static const char *const node[] = {
		"node", "{{content}}<{{#nodes}}{{>node}}{{/nodes}}>", NULL};
	static const char *const tabs[] = {"partial", "\t|\t", NULL};
	static const char *const two[] = {"partial", ">\n>", NULL};
	static const char *const one[] = {"partial", ">", NULL};
	static const char *const indent[] = {
		"partial", "|\n{{{content}}}a b{{{content}}}c\n|\n", NULL};
	static const char *const brackets[] = {"partial", "[]", NULL};
	static const char *const nested[] = {"a", "A\n  {{>b}}\nA2\n", "b",
					     "B1\n\n{{#x}}\nB2\n{{/x}}\n",
					     NULL};
	static const char *const inline_in_indented[] = {"a", "A {{>b}}\nA2\n",
							 "b", "B1\nB2", NULL};
	static const char *const footer[] = {
		"footer", "--\nYou get this because {{who}} subscribed.\n",
		NULL};
	static const char *const item[] = {"item", "- {{title}}\n", NULL};
	static const struct render_case cases[] = {
		{"basic", NULL, "\"{{>text}}\"", "\"from partial\"", TPL_TEXT,
		 text},
		{"failed lookup renders nothing", NULL, "\"{{>text}}\"", "\"\"",
		 TPL_TEXT, NULL},
		{"context", "{\"text\": \"content\"}", "\"{{>partial}}\"",
		 "\"*content*\"", TPL_TEXT, ctx},
		{"recursion",
		 "{\"content\": \"X\", \"nodes\": [{\"content\": \"Y\","
		 " \"nodes\": []}]}",
		 "{{>node}}", "X<Y<>>", TPL_TEXT, node},
		{"surrounding whitespace", NULL, "| {{>partial}} |",
		 "| \t|\t |", TPL_TEXT, tabs},
		{"inline indentation", "{\"data\": \"|\"}",
		 "  {{data}}  {{> partial}}\n", "  |  >\n>\n", TPL_TEXT, two},
		{"standalone line endings", NULL, "|\r\n{{>partial}}\r\n|",
		 "|\r\n>|", TPL_TEXT, one},
		{"standalone without previous line", NULL, "  {{>partial}}\n>",
		 "  >\n  >>", TPL_TEXT, two},
		{"standalone without newline", NULL, ">\n  {{>partial}}",
		 ">\n  >\n  >", TPL_TEXT, two},
		/* The partial's lines are indented, the value's are not. */
		{"standalone indentation", "{\"content\": \"<\\n->\"}",
		 "\\\n {{>partial}}\n/\n", "\\\n |\n <\n->a b<\n->c\n |\n/\n",
		 TPL_TEXT, indent},
		/*
		 * Indentation adds up through standalone partials; b's blank
		 * line is indented too (spec: "each line of the partial").
		 */
		{"nested standalone partials", "{\"x\": true}", "  {{>a}}\n",
		 "  A\n    B1\n    \n    B2\n  A2\n", TPL_TEXT, nested},
		/* An inline partial inside an indented one is not indented. */
		{"inline partial in an indented one", NULL, "\t{{>a}}\n",
		 "\tA B1\nB2\n\tA2\n", TPL_TEXT, inline_in_indented},
		{"padding", "{\"boolean\": true}", "|{{> partial }}|", "|[]|",
		 TPL_TEXT, brackets},
		{"a shared footer at the end of a mail",
		 "{\"who\": \"alice@example.org\"}", "Hello.\n{{> footer}}\n",
		 "Hello.\n--\nYou get this because alice@example.org "
		 "subscribed.\n",
		 TPL_TEXT, footer},
		{"a partial per list element",
		 "{\"series\": [{\"title\": \"one\"}, {\"title\": \"two\"}]}",
		 "Series:\n{{#series}}\n{{>item}}\n{{/series}}\nEnd\n",
		 "Series:\n- one\n- two\nEnd\n", TPL_TEXT, item},
	};

	(void)state;
	run_cases(cases, ARRAY_SIZE(cases));
}

/* ---- syntax errors ----------------------------------------------------- */

static void test_errors(void **state)
{
	static const struct {
		const char *text;
		const char *errors;
		int rc;
	} cases[] = {
		{"Hello\n{{#series}}\nx\n",
		 "t:2: unclosed section {{#series}}\n", ERR_PERM},
		{"{{^none}}\n{{#a}}\n{{/a}}\n",
		 "t:1: unclosed section {{^none}}\n", ERR_PERM},
		{"{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}\n",
		 "t:3: closing tag {{/a}} does not match {{#b}} opened at line "
		 "2\n"
		 "t:4: closing tag {{/b}} without an open section\n",
		 ERR_PERM},
		{"{{#a}}x{{/b}}y{{/a}}",
		 "t:1: closing tag {{/b}} does not match {{#a}} opened at line "
		 "1\n",
		 ERR_PERM},
		{"one\n{{/x}}\n",
		 "t:2: closing tag {{/x}} without an open section\n", ERR_PERM},
		{"a\nb {{name\nc",
		 "t:2: unterminated tag: no \"}}\" after \"{{\"\n", ERR_PERM},
		{"{{#a}}\n{{{x}}\n{{/a}}",
		 "t:2: unterminated tag: no \"}}}\" after \"{{{\"\n", ERR_PERM},
		{"x\n\n{{a b}}", "t:3: invalid name \"a b\" in {{}} tag\n",
		 ERR_PERM},
		{"{{}}", "t:1: invalid name \"\" in {{}} tag\n", ERR_PERM},
		{"{{#a..b}}{{/a..b}}",
		 "t:1: invalid name \"a..b\" in {{#}} tag\n"
		 "t:1: invalid name \"a..b\" in {{/}} tag\n",
		 ERR_PERM},
		{"{{a.}}", "t:1: invalid name \"a.\" in {{}} tag\n", ERR_PERM},
		{"{{> }}", "t:1: invalid name \"\" in {{>}} tag\n", ERR_PERM},
		{"{{=<% %>=}}",
		 "t:1: \"{{=\" tags (set delimiters) are not supported\n",
		 ERR_PERM},
		{"{{<parent}}",
		 "t:1: \"{{<\" tags (inheritance) are not supported\n",
		 ERR_PERM},
		/* Every error is reported, not only the first. */
		{"{{#a}}\n{{x y}}\n{{! fine }}\n{{/z}}\n",
		 "t:2: invalid name \"x y\" in {{}} tag\n"
		 "t:4: closing tag {{/z}} does not match {{#a}} opened at line "
		 "1\n"
		 "t:1: unclosed section {{#a}}\n",
		 ERR_PERM},
		/* A bad name in a section still pairs with its end. */
		{"{{#a b}}\nx\n{{/a b}}\n",
		 "t:1: invalid name \"a b\" in {{#}} tag\n"
		 "t:3: invalid name \"a b\" in {{/}} tag\n",
		 ERR_PERM},
	};
	struct buf errors = BUF_INIT;
	struct tpl *t;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		buf_reset(&errors);
		t = (struct tpl *)&errors; /* must be reset to NULL */
		rc = tpl_compile(&t, "t", cases[i].text, strlen(cases[i].text),
				 &errors);
		if (rc != cases[i].rc || strcmp(errors.data, cases[i].errors))
			print_error("case \"%s\"\n", cases[i].text);
		assert_int_equal(rc, cases[i].rc);
		assert_null(t);
		assert_string_equal(errors.data, cases[i].errors);
	}
	buf_release(&errors);
}

static void test_error_without_buffer_is_logged(void **state)
{
	struct tpl *t;

	(void)state;
	assert_int_equal(tpl_compile(&t, "t", "{{#a}}", 6, NULL), ERR_PERM);
	assert_null(t);
}

static void test_nesting_bound(void **state)
{
	struct buf text = BUF_INIT, errors = BUF_INIT, out = BUF_INIT;
	struct tdata *root = tdata_object_new();
	struct tpl *t;
	int i;

	(void)state;
	for (i = 0; i < TPL_MAX_NESTING; i++)
		buf_adds(&text, "{{#a}}");
	buf_adds(&text, "x");
	for (i = 0; i < TPL_MAX_NESTING; i++)
		buf_adds(&text, "{{/a}}");
	assert_int_equal(tpl_compile(&t, "t", text.data, text.len, &errors), 0);
	tdata_set_bool(root, "a", true);
	assert_int_equal(tpl_render(&out, t, root, TPL_TEXT), 0);
	assert_string_equal(out.data, "x");
	tpl_free(t);

	buf_reset(&text);
	for (i = 0; i <= TPL_MAX_NESTING; i++)
		buf_adds(&text, "{{#a}}\n");
	assert_int_equal(tpl_compile(&t, "t", text.data, text.len, &errors),
			 ERR_LIMIT);
	assert_null(t);
	buf_reset(&text);
	buf_addf(&text, "t:%d: sections nested deeper than %d\n",
		 TPL_MAX_NESTING + 1, TPL_MAX_NESTING);
	assert_string_equal(errors.data, text.data);
	buf_release(&text);
	buf_release(&errors);
	buf_release(&out);
	tdata_free(root);
}

static void test_size_bound(void **state)
{
	struct buf errors = BUF_INIT;
	char *big = malloc(TPL_MAX_BYTES + 1);
	struct tpl *t;

	(void)state;
	memset(big, 'x', TPL_MAX_BYTES + 1);
	assert_int_equal(tpl_compile(&t, "big", big, TPL_MAX_BYTES, &errors),
			 0);
	tpl_free(t);
	assert_int_equal(
		tpl_compile(&t, "big", big, TPL_MAX_BYTES + 1, &errors),
		ERR_LIMIT);
	assert_null(t);
	assert_non_null(strstr(errors.data, "big: template is"));
	free(big);
	buf_release(&errors);
}

/* ---- rendering limits -------------------------------------------------- */

static void test_output_cap(void **state)
{
	struct tdata *root = tdata_object_new();
	struct tdata *list = tdata_set_list(root, "chunks");
	size_t chunk = 1u << 20, n = TPL_MAX_OUTPUT_BYTES / chunk + 1, i;
	char *s = malloc(chunk + 1);
	struct buf out = BUF_INIT;
	struct tpl *t;

	(void)state;
	memset(s, 'y', chunk);
	s[chunk] = '\0';
	for (i = 0; i < n; i++)
		tdata_list_add_str(list, s);
	free(s);
	assert_int_equal(
		tpl_compile(&t, "t", "{{#chunks}}{{.}}{{/chunks}}", 27, NULL),
		0);
	buf_adds(&out, "kept");
	assert_int_equal(tpl_render(&out, t, root, TPL_TEXT), ERR_LIMIT);
	assert_string_equal(out.data, "kept"); /* left as it was */

	/* One chunk fewer fits exactly. */
	tdata_free(root);
	root = tdata_object_new();
	list = tdata_set_list(root, "chunks");
	s = malloc(chunk + 1);
	memset(s, 'y', chunk);
	s[chunk] = '\0';
	for (i = 0; i + 1 < n; i++)
		tdata_list_add_str(list, s);
	free(s);
	buf_reset(&out);
	assert_int_equal(tpl_render(&out, t, root, TPL_TEXT), 0);
	assert_int_equal(out.len, TPL_MAX_OUTPUT_BYTES);
	tpl_free(t);
	tdata_free(root);
	buf_release(&out);
}

static void test_buffer_cap(void **state)
{
	struct tdata *root = tdata_object_new();
	struct buf out;
	struct tpl *t;

	(void)state;
	buf_init(&out, 10);
	tdata_set_str(root, "x", "0123456789");
	assert_int_equal(tpl_compile(&t, "t", "<{{x}}>", 7, NULL), 0);
	assert_int_equal(buf_try_adds(&out, "ab"), 0);
	assert_int_equal(tpl_render(&out, t, root, TPL_TEXT), ERR_LIMIT);
	assert_string_equal(out.data, "ab");
	buf_reset(&out);
	tdata_set_str(root, "x", "01234567");
	assert_int_equal(tpl_render(&out, t, root, TPL_TEXT), 0);
	assert_string_equal(out.data, "<01234567>");
	tpl_free(t);
	tdata_free(root);
	buf_release(&out);
}

static void test_partial_depth(void **state)
{
	static const char *const loop[] = {"loop", "x{{>loop}}", NULL};
	static const char *const deep[] = {
		/* .next: a plain next would find the outer levels' forever */
		"deep", "{{#.next}}+{{>deep}}{{/.next}}", NULL};
	struct buf out = BUF_INIT, want = BUF_INIT;
	struct tdata *root = tdata_object_new(), *d;
	struct partials ps;
	struct tpl *t;
	int i;

	(void)state;
	partials_init(&ps, loop);
	assert_int_equal(tpl_compile(&t, "t", "a{{>loop}}", 10, NULL), 0);
	tpl_set_loader(t, load_partial, &ps);
	buf_adds(&out, "before");
	assert_int_equal(tpl_render(&out, t, root, TPL_TEXT), ERR_LIMIT);
	assert_string_equal(out.data, "before");
	tpl_free(t);
	partials_release(&ps);

	/* Recursion that the data ends within the bound is fine. */
	partials_init(&ps, deep);
	assert_int_equal(tpl_compile(&t, "t", "{{>deep}}", 9, NULL), 0);
	tpl_set_loader(t, load_partial, &ps);
	for (d = root, i = 0; i < TPL_MAX_PARTIAL_DEPTH - 1; i++) {
		d = tdata_set_object(d, "next");
		buf_addch(&want, '+');
	}
	buf_reset(&out);
	assert_int_equal(tpl_render(&out, t, root, TPL_TEXT), 0);
	assert_string_equal(out.data, want.data);
	/* One level more is refused. */
	tdata_set_object(d, "next");
	assert_int_equal(tpl_render(&out, t, root, TPL_TEXT), ERR_LIMIT);
	tpl_free(t);
	partials_release(&ps);
	tdata_free(root);
	buf_release(&out);
	buf_release(&want);
}

static void test_check_partials(void **state)
{
	static const char *const defs[] = {"footer", "--\n", NULL};
	const char *text = "Hi\n{{>footer}}\n{{#a}}\n{{> missing }}\n{{/a}}\n";
	struct buf errors = BUF_INIT;
	struct partials ps;
	struct tpl *t;

	(void)state;
	partials_init(&ps, defs);
	assert_int_equal(
		tpl_compile(&t, "digest.txt", text, strlen(text), NULL), 0);
	/* Without a loader every partial is unknown. */
	assert_int_equal(tpl_check_partials(t, TPL_TEXT, &errors),
			 ERR_NOTFOUND);
	assert_string_equal(errors.data,
			    "digest.txt:2: unknown partial \"footer\"\n"
			    "digest.txt:4: unknown partial \"missing\"\n");
	buf_reset(&errors);
	tpl_set_loader(t, load_partial, &ps);
	assert_int_equal(tpl_check_partials(t, TPL_TEXT, &errors),
			 ERR_NOTFOUND);
	assert_string_equal(errors.data,
			    "digest.txt:4: unknown partial \"missing\"\n");
	assert_string_equal(tpl_name(t), "digest.txt");
	tpl_free(t);
	partials_release(&ps);
	buf_release(&errors);
}

/* ---- the data model ---------------------------------------------------- */

static void test_data_model(void **state)
{
	struct tdata *root = tdata_object_new(), *list, *o;
	struct buf out = BUF_INIT, want = BUF_INIT;
	char key[16];
	struct tpl *t;
	const char *text = "{{k0}} {{k8}} {{k9}} {{k500}} {{k999}} {{s}} "
			   "{{f}} {{#l}}{{n}}{{/l}} {{#o}}{{n}}{{/o}}";
	int i;

	(void)state;
	/* Past the small-object scan: the hashed index must find them all. */
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		tdata_set_int(root, key, i);
	}
	tdata_set_str(root, "s", "old");
	tdata_set_str(root, "s", "new"); /* replaces */
	tdata_set_strf(root, "f", "%d/%d", 5, 7);
	list = tdata_set_list(root, "l");
	for (i = 0; i < 3; i++) {
		o = tdata_list_add_object(list);
		tdata_set_int(o, "n", i);
	}
	assert_int_equal(tdata_list_len(list), 3);
	o = tdata_set_object(root, "o");
	tdata_set_int(o, "n", 42);
	assert_int_equal(tpl_compile(&t, "t", text, strlen(text), NULL), 0);
	assert_int_equal(tpl_render(&out, t, root, TPL_TEXT), 0);
	assert_string_equal(out.data, "0 8 9 500 999 new 5/7 012 42");

	/* Rendering again appends the same text: nothing is consumed. */
	buf_addf(&want, "%s%s", out.data, out.data);
	assert_int_equal(tpl_render(&out, t, root, TPL_TEXT), 0);
	assert_string_equal(out.data, want.data);
	tpl_free(t);

	/* Values may hold any bytes, NUL included. */
	tdata_set_strn(root, "bin", "a\0b", 3);
	assert_int_equal(tpl_compile(&t, "t", "[{{bin}}]", 9, NULL), 0);
	buf_reset(&out);
	assert_int_equal(tpl_render(&out, t, root, TPL_HTML), 0);
	assert_int_equal(out.len, 5);
	assert_memory_equal(out.data, "[a\0b]", 5);

	/* No data at all: everything is missing. */
	buf_reset(&out);
	assert_int_equal(tpl_render(&out, t, NULL, TPL_TEXT), 0);
	assert_string_equal(out.data, "[]");
	tpl_free(t);
	tdata_free(root);
	tdata_free(NULL);
	buf_release(&out);
	buf_release(&want);
}

/* Big strings take chunks of their own; small ones keep filling. */
static void test_data_big_strings(void **state)
{
	struct tdata *root = tdata_object_new();
	struct buf out = BUF_INIT;
	char *big = malloc(100000);
	struct tpl *t;

	(void)state;
	memset(big, 'b', 99999);
	big[99999] = '\0';
	tdata_set_str(root, "a", "small");
	tdata_set_str(root, "big", big);
	tdata_set_str(root, "c", "after");
	assert_int_equal(tpl_compile(&t, "t", "{{a}} {{c}}", 11, NULL), 0);
	assert_int_equal(tpl_render(&out, t, root, TPL_TEXT), 0);
	assert_string_equal(out.data, "small after");
	tpl_free(t);
	assert_int_equal(tpl_compile(&t, "t", "{{big}}", 7, NULL), 0);
	buf_reset(&out);
	assert_int_equal(tpl_render(&out, t, root, TPL_TEXT), 0);
	assert_string_equal(out.data, big);
	tpl_free(t);
	free(big);
	tdata_free(root);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interpolation),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_inverted),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_partials),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_without_buffer_is_logged),
		cmocka_unit_test(test_nesting_bound),
		cmocka_unit_test(test_size_bound),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_buffer_cap),
		cmocka_unit_test(test_partial_depth),
		cmocka_unit_test(test_check_partials),
		cmocka_unit_test(test_data_model),
		cmocka_unit_test(test_data_big_strings),
	};

	return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
