/*
 * test_template_dir.c: loading a templates directory (fixtures in
 * tests/fixtures/template/), partials shared between templates, and the
 * errors an operator sees for a broken directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bounds.h"
#include "buf.h"
#include "err.h"
#include "template.h"
#include "template_dir.h"

static const char *fixtures(void)
{
	const char *dir = getenv("PATCHLETTER_FIXTURES");

	if (!dir) {
		print_message("PATCHLETTER_FIXTURES is not set "
			      "(tests/unit/run.sh sets it)\n");
		skip();
	}
	return dir;
}

static struct tdata *two_series(void)
{
	struct tdata *root = tdata_object_new(), *list, *s;

	tdata_set_str(root, "to", "alice@example.org");
	list = tdata_set_list(root, "series");
	s = tdata_list_add_object(list);
	tdata_set_str(s, "title", "KVM: SVM: fix <LBR>");
	tdata_set_str(s, "author", "Yosry Ahmed");
	s = tdata_list_add_object(list);
	tdata_set_str(s, "title", "tun: hashing");
	tdata_set_str(s, "author", "Akihiko Odaki");
	return root;
}

static void test_load_and_render(void **state)
{
	struct buf path = BUF_INIT, errors = BUF_INIT, out = BUF_INIT;
	struct tdata *root, *empty;
	const struct tpl *t;
	struct tpl_dir *d;

	(void)state;
	buf_addf(&path, "%s/template/good", fixtures());
	assert_int_equal(tpl_dir_load(&d, path.data, &errors), 0);
	assert_string_equal(errors.data, "");

	/* Text: item.txt per series, footer.txt shared, standalone tags. */
	root = two_series();
	t = tpl_dir_get(d, "digest", TPL_TEXT);
	assert_non_null(t);
	assert_int_equal(tpl_render(&out, t, root, TPL_TEXT), 0);
	assert_string_equal(out.data,
			    "Series for alice@example.org:\n"
			    "* KVM: SVM: fix <LBR>\n"
			    "  Yosry Ahmed\n"
			    "* tun: hashing\n"
			    "  Akihiko Odaki\n"
			    "-- \n"
			    "Sent by patchletter to alice@example.org.\n");

	empty = tdata_object_new();
	tdata_set_str(empty, "to", "bob@example.org");
	tdata_set_list(empty, "series");
	buf_reset(&out);
	assert_int_equal(tpl_render(&out, t, empty, TPL_TEXT), 0);
	assert_string_equal(out.data,
			    "Series for bob@example.org:\n"
			    "Nothing new.\n"
			    "-- \n"
			    "Sent by patchletter to bob@example.org.\n");

	/* HTML: escaped, and its partial is footer.html, not footer.txt. */
	t = tpl_dir_get(d, "digest", TPL_HTML);
	assert_non_null(t);
	buf_reset(&out);
	assert_int_equal(tpl_render(&out, t, root, TPL_HTML), 0);
	assert_string_equal(out.data, "<ul>\n"
				      "  <li>KVM: SVM: fix &lt;LBR&gt;</li>\n"
				      "  <li>tun: hashing</li>\n"
				      "</ul>\n"
				      "<p>Sent to alice@example.org</p>\n");

	/* Partials are templates too; the rest was never loaded. */
	assert_non_null(tpl_dir_get(d, "footer", TPL_TEXT));
	assert_non_null(tpl_dir_get(d, "item", TPL_TEXT));
	assert_null(tpl_dir_get(d, "item", TPL_HTML));
	assert_null(tpl_dir_get(d, "README", TPL_TEXT));
	assert_null(tpl_dir_get(d, "sub", TPL_TEXT));
	assert_null(tpl_dir_get(d, ".hidden", TPL_TEXT));
	assert_null(tpl_dir_get(d, "nothing", TPL_TEXT));

	tdata_free(root);
	tdata_free(empty);
	tpl_dir_free(d);
	tpl_dir_free(NULL);
	buf_release(&path);
	buf_release(&errors);
	buf_release(&out);
}

static void test_broken_directory(void **state)
{
	struct buf path = BUF_INIT, errors = BUF_INIT, want = BUF_INIT;
	struct tpl_dir *d;

	(void)state;
	buf_addf(&path, "%s/template/bad", fixtures());
	d = (struct tpl_dir *)&path; /* must be reset to NULL */
	assert_int_equal(tpl_dir_load(&d, path.data, &errors), ERR_PERM);
	assert_null(d);
	/* Every problem, in file order: syntax first, then partials. */
	buf_addf(&want, "%s/a-unclosed.txt:2: unclosed section {{#x}}\n",
		 path.data);
	buf_addf(&want, "%s/b-partial.txt:1: unknown partial \"nothere\"\n",
		 path.data);
	buf_addf(&want, "%s/b-partial.txt:2: unknown partial \"footer\"\n",
		 path.data);
	assert_string_equal(errors.data, want.data);
	buf_release(&path);
	buf_release(&errors);
	buf_release(&want);
}

static void test_missing_directory(void **state)
{
	struct buf path = BUF_INIT, errors = BUF_INIT, want = BUF_INIT;
	struct tpl_dir *d;

	(void)state;
	buf_addf(&path, "%s/template/no-such-dir", fixtures());
	assert_int_equal(tpl_dir_load(&d, path.data, &errors), ERR_NOTFOUND);
	assert_null(d);
	buf_addf(&want, "%s: No such file or directory\n", path.data);
	assert_string_equal(errors.data, want.data);
	buf_release(&path);
	buf_release(&errors);
	buf_release(&want);
}

/* Limits need files too big or too many for the fixtures: made here. */
static void test_limits(void **state)
{
	char dir[] = "/tmp/patchletter-tpl-XXXXXX";
	struct buf file = BUF_INIT, errors = BUF_INIT, want = BUF_INIT;
	struct tpl_dir *d;
	FILE *f;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));

	/* One byte past TPL_MAX_BYTES. */
	buf_addf(&file, "%s/big.txt", dir);
	f = fopen(file.data, "w");
	assert_non_null(f);
	for (i = 0; i <= TPL_MAX_BYTES; i++)
		fputc('x', f);
	fclose(f);
	assert_int_equal(tpl_dir_load(&d, dir, &errors), ERR_PERM);
	buf_addf(&want, "%s: larger than the limit of %u bytes\n", file.data,
		 TPL_MAX_BYTES);
	assert_string_equal(errors.data, want.data);
	assert_int_equal(unlink(file.data), 0);

	/* TPL_DIR_MAX_FILES templates load; one more is refused. */
	for (i = 0; i < TPL_DIR_MAX_FILES; i++) {
		buf_reset(&file);
		buf_addf(&file, "%s/t%zu.txt", dir, i);
		f = fopen(file.data, "w");
		assert_non_null(f);
		fprintf(f, "%zu\n", i);
		fclose(f);
	}
	buf_reset(&errors);
	assert_int_equal(tpl_dir_load(&d, dir, &errors), 0);
	assert_non_null(tpl_dir_get(d, "t0", TPL_TEXT));
	assert_non_null(tpl_dir_get(d, "t255", TPL_TEXT));
	tpl_dir_free(d);
	buf_reset(&file);
	buf_addf(&file, "%s/extra.html", dir);
	f = fopen(file.data, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(tpl_dir_load(&d, dir, &errors), ERR_LIMIT);
	assert_null(d);
	buf_reset(&want);
	buf_addf(&want, "%s: more than %d templates\n", dir, TPL_DIR_MAX_FILES);
	assert_string_equal(errors.data, want.data);

	/* Clean up. */
	assert_int_equal(unlink(file.data), 0);
	for (i = 0; i < TPL_DIR_MAX_FILES; i++) {
		buf_reset(&file);
		buf_addf(&file, "%s/t%zu.txt", dir, i);
		assert_int_equal(unlink(file.data), 0);
	}
	assert_int_equal(rmdir(dir), 0);
	buf_release(&file);
	buf_release(&errors);
	buf_release(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_render),
		cmocka_unit_test(test_broken_directory),
		cmocka_unit_test(test_missing_directory),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests_name("template_dir", tests, NULL, NULL);
}
