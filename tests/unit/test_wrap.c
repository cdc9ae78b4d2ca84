/*
 * test_wrap.c: prose wrapped at 72 columns, every kind of line with its
 * own layout kept, columns of UTF-8, and cutting text for the digest.
 * The expected breaks were counted by hand from the greedy rule: a word
 * joins the line when the line, its spaces and the word fit the width.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "wrap.h"

struct wrap_case {
	const char *what;
	unsigned width;
	const char *in;
	const char *out;
};

static void run_cases(const struct wrap_case *cases, size_t n)
{
	struct buf out = BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		buf_reset(&out);
		assert_int_equal(wrap_text(&out, cases[i].in,
					   strlen(cases[i].in), cases[i].width),
				 0);
		if (strcmp(out.data, cases[i].out))
			print_error("case \"%s\"\n", cases[i].what);
		assert_string_equal(out.data, cases[i].out);
	}
	buf_release(&out);
}

static void test_paragraphs(void **state)
{
	static const struct wrap_case cases[] = {
		{"a long paragraph line at 72", 72,
		 "This series changes SVM to use a single ASID per-VM, instead "
		 "of using dynamic generation-based ASIDs per-vCPU. Dynamic "
		 "ASIDs were added for CPUs without FLUSHBYASID to avoid full "
		 "TLB flushes, but they make nested virtualization harder.\n",
		 /* 69, 69, 72 columns, then the rest */
		 "This series changes SVM to use a single ASID per-VM, instead "
		 "of using\n"
		 "dynamic generation-based ASIDs per-vCPU. Dynamic ASIDs were "
		 "added for\n"
		 "CPUs without FLUSHBYASID to avoid full TLB flushes, but they "
		 "make nested\n"
		 "virtualization harder.\n"},
		/* The sender's short lines stay; the tail is not re-joined. */
		{"short lines are not re-joined", 72,
		 "Short line one.\n"
		 "A long line that goes on and on past the seventy-two column "
		 "limit for sure, yes.\n"
		 "Short line two.\n",
		 "Short line one.\n"
		 "A long line that goes on and on past the seventy-two column "
		 "limit for\n"
		 "sure, yes.\n"
		 "Short line two.\n"},
		{"width 0 means 72", 0,
		 "A long line that goes on and on past the seventy-two column "
		 "limit for sure, yes.\n",
		 "A long line that goes on and on past the seventy-two column "
		 "limit for\n"
		 "sure, yes.\n"},
		/* 78 columns: within the slack, left as the sender wrote it. */
		{"a line up to 78 columns is kept", 72,
		 "This series changes SVM to use a single ASID per-VM, instead "
		 "of using it again\n",
		 "This series changes SVM to use a single ASID per-VM, instead "
		 "of using it again\n"},
		/* 79 columns: broken to 72. */
		{"a line of 79 columns is broken to 72", 72,
		 "This series changes SVM to use a single ASID per-VM, instead "
		 "of using it again.\n",
		 "This series changes SVM to use a single ASID per-VM, instead "
		 "of using it\nagain.\n"},
		{"crlf line ends are kept", 72,
		 "A long line that goes on and on past the seventy-two column "
		 "limit for sure, yes.\r\nNext\r\n",
		 "A long line that goes on and on past the seventy-two column "
		 "limit for\r\nsure, yes.\r\nNext\r\n"},
		{"no newline at the end", 72,
		 "A long line that goes on and on past the seventy-two column "
		 "limit for sure, yes.",
		 "A long line that goes on and on past the seventy-two column "
		 "limit for\nsure, yes."},
		{"a word wider than the width is kept whole", 72,
		 "See https://lore.kernel.org/all/20250313215540.4171762-1-"
		 "yosry.ahmed@linux.dev/T/ for the thread.\n",
		 "See\n"
		 "https://lore.kernel.org/all/20250313215540.4171762-1-"
		 "yosry.ahmed@linux.dev/T/\n"
		 "for the thread.\n"},
		{"spaces inside a line stay, spaces at a break go", 20,
		 "aaaa bbbb  cccc dddd   eeee ffff   \n",
		 "aaaa bbbb  cccc dddd\neeee ffff\n"},
		{"a list item continues under its text", 72,
		 "- Split common code and TUN/TAP-specific code into separate "
		 "patches, as Jason asked in the review of v9.\n",
		 "- Split common code and TUN/TAP-specific code into separate "
		 "patches, as\n"
		 "  Jason asked in the review of v9.\n"},
		{"a numbered item too", 30,
		 "1. First item of the list that wraps around\n",
		 "1. First item of the list that\n   wraps around\n"},
		{"a token without '-' is not a trailer", 72,
		 "Note: this line looks a bit like a trailer but its token is "
		 "not one, so it wraps.\n",
		 "Note: this line looks a bit like a trailer but its token is "
		 "not one, so\n"
		 "it wraps.\n"},
		{"empty text", 72, "", ""},
		{"blank lines", 72, "\n\n \n", "\n\n \n"},
	};

	(void)state;
	run_cases(cases, ARRAY_SIZE(cases));
}

/* Each of these is wider than 78 columns and must come out untouched. */
static void test_layout_kept(void **state)
{
	static const char *const lines[] = {
		/* quoted code */
		"    if (svm->asid != sev_get_asid(svm->vcpu.kvm) && "
		"!is_guest_mode(vcpu) && !nested) {\n",
		"\tkvm_make_request(KVM_REQ_TLB_FLUSH_CURRENT, vcpu); /* flush "
		"it right now */\n",
		/* diffstat, indented as git prints it, and without */
		" arch/x86/kvm/svm/svm.c                             | 87 "
		"+++++++++++++------------\n",
		"arch/x86/kvm/svm/nested.c                                   | "
		"12 ++++++++++------\n",
		"Documentation/virt/kvm/api.rst                              | "
		"Bin 0 -> 1234 bytes\n",
		/* quoted mail */
		"> On Mon, Nov 23, 2026 at 07:00:02AM +0000, Yosry Ahmed wrote "
		"about the ASID change:\n",
		">> and a second level of quoting that is also rather long, "
		"well past the wrap width\n",
		/* patch titles listed in a cover letter */
		"  KVM: SVM: Use a single ASID per VM instead of dynamic "
		"generation-based ASIDs now\n",
		/* no space at all */
		"https://lore.kernel.org/all/20250313215540.4171762-1-"
		"yosry.ahmed@linux.dev/T/#u\n",
		/* trailers */
		"Signed-off-by: Yosry Ahmed Someone With A Very Long Name "
		"<yosry.ahmed@linux.dev>\n",
		"Co-developed-by: Someone Else With A Long Name "
		"<someone.else@long-domain.example>\n",
		"Link: https://lore.kernel.org/r/"
		"20250313215540.4171762-1-yosry.ahmed@linux.dev.example\n",
		"Fixes: 1234567890ab (\"KVM: SVM: Flush the ASID when running "
		"on a new physical CPU\")\n",
		"closes: https://bugzilla.kernel.org/show_bug.cgi?id=123456 "
		"(reported twice, fixed once)\n",
		"Change-Id: I0123456789abcdef0123456789abcdef01234567 with a "
		"trailing remark or two\n",
	};
	struct buf out = BUF_INIT;
	const char *line;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		assert_true(wrap_columns(lines[i], strlen(lines[i]) - 1) >
			    WRAP_WIDTH + WRAP_SLACK);
		buf_reset(&out);
		assert_int_equal(
			wrap_text(&out, lines[i], strlen(lines[i]), 72), 0);
		assert_string_equal(out.data, lines[i]);
	}
	/* The diffstat summary is kept at any width, indented or not. */
	buf_reset(&out);
	line = "3 files changed, 10 insertions(+), 2 deletions(-)\n";
	assert_int_equal(wrap_text(&out, line, strlen(line), 30), 0);
	assert_string_equal(out.data, "3 files changed, 10 insertions(+), 2 "
				      "deletions(-)\n");
	buf_release(&out);
}

/* A patch's diff and signature: every line kept, however wide. */
#define PATCH_DIFF                                                             \
	"diff --git a/arch/x86/kvm/svm/svm.c b/arch/x86/kvm/svm/svm.c\n"       \
	"index 1234567..89abcde 100644\n"                                      \
	"--- a/arch/x86/kvm/svm/svm.c\n"                                       \
	"+++ b/arch/x86/kvm/svm/svm.c\n"                                       \
	"@@ -100,7 +100,7 @@ static int svm_vcpu_run_with_a_long_name(struct " \
	"kvm_vcpu *vcpu)\n"                                                    \
	" \tcontext line\n"                                                    \
	"-\tkvm_make_request(KVM_REQ_TLB_FLUSH_CURRENT, vcpu); /* the old "    \
	"code */\n"                                                            \
	"+\tkvm_make_request(KVM_REQ_TLB_FLUSH_ASID, vcpu); /* the new code, " \
	"longer */\n"                                                          \
	"\n"                                                                   \
	"-- \n"                                                                \
	"2.43.0\n"

/* Without git's header: "--- " then "+++ " opens the diff. */
#define PLAIN_DIFF                                                             \
	"--- a/file.c\n"                                                       \
	"+++ b/file.c\n"                                                       \
	"+a long added line of code, which is definitely longer than "         \
	"seventy-two columns\n"                                                \
	"-a long removed line of code, which is also longer than seventy-two " \
	"columns\n"

static void test_diff_kept(void **state)
{
	static const struct wrap_case cases[] = {
		{"a git diff, then prose again after it", 72,
		 "The fix is below.\n" PATCH_DIFF
		 "After the patch, prose is wrapped again because it is no "
		 "longer part of the diff at all.\n",
		 "The fix is below.\n" PATCH_DIFF
		 "After the patch, prose is wrapped again because it is no "
		 "longer part of\n"
		 "the diff at all.\n"},
		{"a diff without git's header", 72, PLAIN_DIFF, PLAIN_DIFF},
	};

	(void)state;
	run_cases(cases, ARRAY_SIZE(cases));
}

static void test_columns(void **state)
{
	static const struct {
		const char *s;
		size_t columns;
	} cases[] = {
		{"", 0},
		{"Mickael Salaun", 14},
		{"Micka\xc3\xabl Sala\xc3\xbcn", 14}, /* 16 bytes */
		{"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
		 6},			 /* U+65E5 U+672C U+8A9E */
		{"\xef\xbc\xa1", 2},	 /* U+FF21 fullwidth A */
		{"\xf0\x9f\x90\xa7", 2}, /* U+1F427 penguin */
		{"e\xcc\x81", 1},	 /* e + U+0301 combining acute */
		{"a\xe2\x80\x8b"
		 "b",
		 2}, /* U+200B zero width space */
		{"\tx", 9},
		{"ab\tx", 9}, /* the tab goes to column 8 */
		{"\xff"
		 "a",
		 2},	     /* not UTF-8: a column per byte */
		{"\xc3", 1}, /* cut short */
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(wrap_columns(cases[i].s, strlen(cases[i].s)),
				 cases[i].columns);
}

static void test_utf8_wrapping(void **state)
{
	/* "日本語" is 3 characters, 6 columns. */
#define JA "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"
	static const struct wrap_case cases[] = {
		/* 78 columns in 84 bytes: it is kept. */
		{"columns, not bytes", 72,
		 "Thanks to Micka\xc3\xabl Sala\xc3\xbcn, Micka\xc3\xabl "
		 "Sala\xc3\xbcn and Micka\xc3\xabl Sala\xc3\xbcn for their "
		 "reviews.\n",
		 "Thanks to Micka\xc3\xabl Sala\xc3\xbcn, Micka\xc3\xabl "
		 "Sala\xc3\xbcn and Micka\xc3\xabl Sala\xc3\xbcn for their "
		 "reviews.\n"},
		/*
		 * 12 words of 6 columns: 83 columns but 47 characters; ten
		 * words make 69 columns, an eleventh would make 76.
		 */
		{"wide characters count twice", 72,
		 JA " " JA " " JA " " JA " " JA " " JA " " JA " " JA " " JA
		    " " JA " " JA " " JA "\n",
		 JA " " JA " " JA " " JA " " JA " " JA " " JA " " JA " " JA
		    " " JA "\n" JA " " JA "\n"},
	};
#undef JA

	(void)state;
	run_cases(cases, ARRAY_SIZE(cases));
}

static void test_idempotent(void **state)
{
	const char *text =
		"This series changes SVM to use a single ASID per-VM, instead "
		"of using dynamic generation-based ASIDs per-vCPU.\n"
		"- Split common code and TUN/TAP-specific code into separate "
		"patches, as Jason asked in the review of v9.\n"
		"12. An item with a number, long enough to need a second line "
		"of its own here.\n"
		"Signed-off-by: Yosry Ahmed Someone With A Very Long Name "
		"<yosry.ahmed@linux.dev>\n";
	struct buf once = BUF_INIT, twice = BUF_INIT;

	(void)state;
	assert_int_equal(wrap_text(&once, text, strlen(text), 72), 0);
	assert_string_not_equal(once.data, text);
	assert_int_equal(wrap_text(&twice, once.data, once.len, 72), 0);
	assert_string_equal(twice.data, once.data);
	buf_release(&once);
	buf_release(&twice);
}

static void test_out_cap(void **state)
{
	const char *text = "A long line that goes on and on past the "
			   "seventy-two column limit for sure, yes.\n";
	struct buf out;

	(void)state;
	buf_init(&out, 20);
	assert_int_equal(wrap_text(&out, text, strlen(text), 72), ERR_LIMIT);
	assert_true(out.len <= 20);
	buf_release(&out);
}

/* ---- cutting ------------------------------------------------------------ */

static void test_cut(void **state)
{
	static const struct {
		const char *what;
		const char *in;
		size_t lines, bytes;
		const char *out;
	} cases[] = {
		{"after two lines", "a\nb\nc\nd\n", 2, 0, "a\nb\n[...]\n"},
		{"exactly the lines: no cut", "a\nb\nc\nd\n", 4, 0,
		 "a\nb\nc\nd\n"},
		{"no newline at the end counts as a line", "a\nb", 2, 0,
		 "a\nb"},
		{"only blank lines cut off: no marker", "a\nb\nc\n\n \n", 3, 0,
		 "a\nb\nc\n"},
		{"at a line boundary within the bytes", "abc\ndef\nghi\n", 0, 5,
		 "abc\n[...]\n"},
		{"bytes exactly at a boundary", "abc\ndef\nghi\n", 0, 8,
		 "abc\ndef\n[...]\n"},
		{"whichever limit comes first", "abc\ndef\nghi\n", 1, 100,
		 "abc\n[...]\n"},
		{"no limit", "abc\ndef\n", 0, 0, "abc\ndef\n"},
		{"a first line too long is cut at a space",
		 "abcdef ghijkl\nx\n", 0, 10, "abcdef\n[...]\n"},
		{"or at a character boundary",
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n", 0, 5,
		 "\xc3\xa9\xc3\xa9\n[...]\n"},
	};
	struct buf out = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		buf_reset(&out);
		assert_int_equal(wrap_cut(&out, cases[i].in,
					  strlen(cases[i].in), cases[i].lines,
					  cases[i].bytes),
				 0);
		if (strcmp(out.data, cases[i].out))
			print_error("case \"%s\"\n", cases[i].what);
		assert_string_equal(out.data, cases[i].out);
	}
	assert_int_equal(wrap_cut_point("a\nb\nc\n", 6, 2, 0), 4);
	assert_int_equal(wrap_cut_point("a\nb\nc\n", 6, 0, 0), 6);
	assert_int_equal(wrap_cut_point("a\nb\nc\n", 6, 0, 3), 2);
	assert_int_equal(wrap_cut_point("abcdef\n", 7, 0, 3), 0);
	buf_release(&out);
}

/* ---- real mail ---------------------------------------------------------- */

static void strip_space(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr(" \t\r\n", s[i]) || s[i] == '\0')
			buf_addch(out, s[i]);
}

/* Is line (without its newline) a whole line of text? */
static int is_line_of(const char *text, const char *line, size_t n)
{
	const char *p = text;

	while ((p = memmem(p, strlen(p), line, n))) {
		if ((p == text || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == '\r' || p[n] == '\0'))
			return 1;
		p++;
	}
	return 0;
}

/* The words of a wrapped piece, after its indentation and list marker. */
static int one_word(const char *line, size_t n)
{
	size_t i = 0;

	while (i < n && line[i] == ' ')
		i++;
	if (i + 1 < n && (line[i] == '-' || line[i] == '*') &&
	    line[i + 1] == ' ')
		i += 2;
	while (i < n && line[i] >= '0' && line[i] <= '9')
		i++;
	if (i < n && (line[i] == '.' || line[i] == ')'))
		i++;
	while (i < n && line[i] == ' ')
		i++;
	return !memchr(line + i, ' ', n - i);
}

/*
 * Every body of a month of linux-kbuild: nothing but whitespace changes,
 * wrapping twice is wrapping once, and every line that comes out is within
 * 72 columns, a line of the mail as it was, or a single long word.
 */
static void test_corpus(void **state)
{
	const char *shared = getenv("PATCHLETTER_SHARED");
	struct buf path = BUF_INIT, mbox = BUF_INIT, out = BUF_INIT;
	struct buf again = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	char *body_text, chunk[65536];
	const char *p, *end, *body, *line, *nl;
	size_t n, bodies = 0, wrapped = 0;
	FILE *f;

	(void)state;
	if (!shared) {
		print_message("PATCHLETTER_SHARED is not set: skipped\n");
		skip();
	}
	buf_addf(&path, "%s/corpus/lore-linux-kbuild/linux-kbuild-2026-04.mbox",
		 shared);
	f = fopen(path.data, "r");
	if (!f) {
		print_message("%s is absent: skipped\n", path.data);
		buf_release(&path);
		skip();
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&mbox, chunk, n);
	fclose(f);

	for (p = mbox.data; p < mbox.data + mbox.len; p = end) {
		end = memmem(p + 1, (size_t)(mbox.data + mbox.len - p - 1),
			     "\nFrom ", 6);
		end = end ? end + 1 : mbox.data + mbox.len;
		body = memmem(p, (size_t)(end - p), "\n\n", 2);
		if (!body)
			continue;
		body += 2;
		body_text = strndup(body, (size_t)(end - body));
		n = strlen(body_text);
		bodies++;

		buf_reset(&out);
		assert_int_equal(wrap_text(&out, body_text, n, 72), 0);
		buf_reset(&again);
		assert_int_equal(wrap_text(&again, out.data, out.len, 72), 0);
		assert_string_equal(again.data, out.data);

		buf_reset(&a);
		buf_reset(&b);
		strip_space(&a, body_text, n);
		strip_space(&b, out.data, out.len);
		assert_string_equal(a.data, b.data);

		for (line = out.data; *line; line = nl + 1) {
			nl = strchr(line, '\n');
			if (!nl)
				nl = line + strlen(line);
			n = (size_t)(nl - line);
			if (n && line[n - 1] == '\r')
				n--;
			if (!is_line_of(body_text, line, n)) {
				wrapped++;
				if (wrap_columns(line, n) > 72 &&
				    !one_word(line, n))
					fail_msg("too wide: %.*s", (int)n,
						 line);
			}
			if (!*nl)
				break;
		}
		free(body_text);
	}
	print_message("%zu bodies, %zu lines made by wrapping\n", bodies,
		      wrapped);
	assert_true(bodies > 100);
	assert_true(wrapped > 0);
	buf_release(&path);
	buf_release(&mbox);
	buf_release(&out);
	buf_release(&again);
	buf_release(&a);
	buf_release(&b);
}

/*
 * wrap_hanging(): one line of prose from a column, further lines under
 * it. Width 20 (and 6 columns of slack) so that the breaks can be
 * counted by hand.
 */
static void test_hanging(void **state)
{
	static const struct {
		const char *what;
		size_t col, hang;
		const char *in, *out;
	} cases[] = {
		{"ends at column 26, within the slack: kept", 4, 4,
		 "abc def ghi jkl mno pq", "abc def ghi jkl mno pq"},
		{"ends at 27: wrapped at 20, under the first line", 4, 4,
		 "abc def ghi jkl mno pqr", "abc def ghi jkl\n    mno pqr"},
		{"a word wider than the room: a line of its own", 10, 2,
		 "short averyveryverylongword end",
		 "short\n  averyveryverylongword\n  end"},
		{"runs of spaces become one", 0, 2,
		 "aaaa  bbbb cccc dddd eeee ffff",
		 "aaaa bbbb cccc dddd\n  eeee ffff"},
		{"columns, not bytes", 0, 3,
		 "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m, 2/2 patches; supersedes",
		 "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m, 2/2\n   patches;\n"
		 "   supersedes"},
	};
	struct buf out = BUF_INIT, small;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&out);
		assert_int_equal(wrap_hanging(&out, cases[i].in,
					      strlen(cases[i].in), cases[i].col,
					      cases[i].hang, 20),
				 0);
		if (strcmp(out.data, cases[i].out))
			print_error("case \"%s\"\n", cases[i].what);
		assert_string_equal(out.data, cases[i].out);
	}
	buf_release(&out);
	/* A capped buffer says so rather than growing. */
	buf_init(&small, 8);
	assert_int_equal(wrap_hanging(&small, cases[1].in, strlen(cases[1].in),
				      4, 4, 20),
			 ERR_LIMIT);
	buf_release(&small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paragraphs),
		cmocka_unit_test(test_layout_kept),
		cmocka_unit_test(test_diff_kept),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_utf8_wrapping),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_out_cap),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_hanging),
	};

	return cmocka_run_group_tests_name("wrap", tests, NULL, NULL);
}
