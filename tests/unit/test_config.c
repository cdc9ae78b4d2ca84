/*
 * test_config.c: the operator's configuration: the fixtures under
 * tests/fixtures/config/, the annotated example in packaging/, and
 * password files.
 *
 * Expected values are read off the fixtures: each error case names the
 * line of the fixture that holds the mistake and a piece of that line,
 * and the test checks both, so a fixture edited out of step fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include <cmocka.h>

#include "bounds.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "xalloc.h"

static char *fixture(const char *name)
{
	const char *dir = getenv("PATCHLETTER_FIXTURES");

	return xasprintf("%s/config/%s", dir ? dir : "tests/fixtures", name);
}

static char *example_path(void)
{
	const char *dir = getenv("PATCHLETTER_FIXTURES");

	return xasprintf("%s/../../packaging/patchletter.conf",
			 dir ? dir : "tests/fixtures");
}

/* Line n (1-based) of a file, without its newline; caller frees. */
static char *file_line(const char *path, int n)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int i = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (++i == n) {
			fclose(f);
			line[strcspn(line, "\n")] = '\0';
			return xstrdup(line);
		}
	}
	fclose(f);
	fail_msg("%s has no line %d", path, n);
	return NULL;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Load from buffer text; returns rc, errors in *errors. */
static int load_text(struct config *c, struct buf *errors, const char *text)
{
	return config_load_buf(c, "test.conf", text, strlen(text), errors);
}

/* --- valid configurations --------------------------------------------- */

static void test_full(void **state)
{
	struct config c;
	struct buf errors = BUF_INIT;
	char *path = fixture("full.conf");
	const struct config_imap *m;
	const struct config_archive *a;

	(void)state;
	assert_int_equal(config_load(&c, path, &errors), 0);
	assert_string_equal(errors.data, "");
	assert_string_equal(c.path, path);

	assert_string_equal(c.bot.address, "digests@lists.example.net");
	assert_string_equal(c.bot.name, "Patch Digests");
	assert_string_equal(c.bot.owner, "admin@example.net");
	/* The trailing slash goes: paths are joined with "/" later. */
	assert_string_equal(c.bot.state_dir, "/srv/patchletter/state");
	assert_string_equal(c.bot.templates_dir, "/srv/patchletter/templates");
	assert_string_equal(c.bot.unsubscribe_url,
			    "https://lists.example.net/unsub");
	assert_int_equal(c.bot.log_level, LOG_LEVEL_DEBUG);

	assert_int_equal(c.nlists, 2);
	assert_string_equal(c.lists[0].name, "sparse");
	/* "<...>" is RFC 2919's form in the header; stored bare. */
	assert_string_equal(c.lists[0].list_id, "linux-sparse.vger.kernel.org");
	assert_string_equal(c.lists[0].address, "linux-sparse@vger.kernel.org");
	assert_string_equal(c.lists[0].archive_url,
			    "https://lore.kernel.org/linux-sparse");
	assert_string_equal(c.lists[1].name, "kvm");
	assert_null(c.lists[1].address);
	assert_null(c.lists[1].archive_url);

	assert_int_equal(c.nimaps, 2);
	m = &c.imaps[0];
	assert_string_equal(m->name, "work");
	assert_string_equal(m->host, "imap.example.net");
	assert_int_equal(m->port, 1143);
	assert_int_equal(m->tls, CONFIG_TLS_STARTTLS);
	assert_string_equal(m->ca_file, "/etc/ssl/example-ca.pem");
	assert_string_equal(m->user, "bot");
	assert_string_equal(m->password_file, "/etc/patchletter/work.pass");
	/* Comments inside the list (libconfuse 3.3 alone refuses them). */
	assert_int_equal(m->nmailboxes, 3);
	assert_string_equal(m->mailboxes[0], "INBOX");
	assert_string_equal(m->mailboxes[1], "Lists/sparse");
	assert_string_equal(m->mailboxes[2], "Lists/kvm");
	assert_false(m->read_only);
	assert_int_equal(m->idle_secs, 20 * 60);
	assert_int_equal(m->poll_secs, 2 * 60 + 30);
	assert_int_equal(m->batch_size, 50);
	assert_int_equal(m->timeout_secs, 45);
	/* tls = none without a port: 143, the plain IMAP port. */
	assert_int_equal(c.imaps[1].tls, CONFIG_TLS_NONE);
	assert_int_equal(c.imaps[1].port, 143);
	assert_string_equal(c.imaps[1].host, "localhost");

	assert_int_equal(c.narchives, 2);
	a = &c.archives[0];
	assert_string_equal(a->name, "sparse-lore");
	assert_string_equal(a->url, "https://lore.kernel.org/linux-sparse/0");
	/* Only a url: cloned under the state directory. */
	assert_string_equal(a->path,
			    "/srv/patchletter/state/archives/sparse-lore.git");
	assert_int_equal(a->fetch_secs, 3600);
	assert_ptr_equal(a->list, &c.lists[0]);
	a = &c.archives[1];
	assert_string_equal(a->path, "/srv/public-inbox/kvm/git/0.git");
	assert_null(a->url);
	assert_ptr_equal(a->list, &c.lists[1]);

	assert_string_equal(c.smtp.url, "smtps://smtp.example.net");
	assert_int_equal(c.smtp.tls, CONFIG_TLS_IMPLICIT);
	assert_string_equal(c.smtp.ca_file, "/etc/ssl/example-ca.pem");
	assert_string_equal(c.smtp.user, "digests");
	assert_string_equal(c.smtp.password_file, "/etc/patchletter/smtp.pass");
	assert_string_equal(c.smtp.envelope_from, "bounces@lists.example.net");
	assert_int_equal(c.smtp.timeout_secs, 120);

	assert_null(c.maintainers.file);
	assert_string_equal(c.maintainers.git, "/srv/git/linux.git");
	assert_string_equal(c.maintainers.ref, "refs/heads/master");
	assert_int_equal(c.maintainers.reload_secs, 6 * 3600);

	assert_int_equal(c.limits.subscribers, 250);
	assert_int_equal(c.limits.commands_per_hour, 5);
	assert_int_equal(c.limits.replies_per_hour, 3);
	assert_int_equal(c.limits.digest_max_bytes, 512 * 1024);
	assert_int_equal(c.limits.digest_max_series, 40);
	assert_int_equal(c.limits.confirm_secs, 2 * 86400);
	assert_int_equal(c.limits.outbox_expiry_secs, 86400 + 12 * 3600);

	assert_ptr_equal(config_list_by_name(&c, "kvm"), &c.lists[1]);
	assert_null(config_list_by_name(&c, "KVM"));
	/* List-Ids compare without case, with or without brackets. */
	assert_ptr_equal(config_list_by_id(&c, "kvm.vger.kernel.org"),
			 &c.lists[1]);
	assert_ptr_equal(
		config_list_by_id(&c, "<Linux-Sparse.vger.kernel.org>"),
		&c.lists[0]);
	assert_null(config_list_by_id(&c, "linux-sparse.vger.kernel.org.x"));
	assert_null(config_list_by_id(&c, "<>"));

	config_release(&c);
	assert_null(c.bot.address);
	assert_int_equal(c.nlists, 0);
	config_release(&c); /* twice is harmless */
	buf_release(&errors);
	free(path);
}

/*
 * The templates directory: the build's DATADIR by default (make install
 * puts them there), and in the example the Debian package's.
 */
#define EXAMPLE_TEMPLATES_DIR "/usr/share/patchletter/templates"

/* The defaults, as packaging/patchletter.conf documents them. */
static void check_defaults(const struct config *c, const char *templates_dir)
{
	assert_string_equal(c->bot.name, "patchletter");
	assert_string_equal(c->bot.state_dir, "/var/lib/patchletter");
	assert_string_equal(c->bot.templates_dir, templates_dir);
	assert_int_equal(c->bot.log_level, LOG_LEVEL_INFO);
	assert_int_equal(c->maintainers.reload_secs, 3600);
	assert_int_equal(c->limits.subscribers, 10000);
	assert_int_equal(c->limits.commands_per_hour, 20);
	assert_int_equal(c->limits.replies_per_hour, 10);
	assert_int_equal(c->limits.digest_max_bytes, 1 << 20);
	assert_int_equal(c->limits.digest_max_series, 300);
	assert_int_equal(c->limits.confirm_secs, 7 * 86400);
	assert_int_equal(c->limits.outbox_expiry_secs, 4 * 86400);
}

static void test_minimal_defaults(void **state)
{
	struct config c;
	struct buf errors = BUF_INIT;
	char *path = fixture("minimal.conf");

	(void)state;
	assert_int_equal(config_load(&c, path, &errors), 0);
	assert_string_equal(errors.data, "");
	assert_string_equal(c.bot.address, "patchletter@example.org");
	check_defaults(&c, PATCHLETTER_TEMPLATES_DIR);
	assert_null(c.bot.owner);
	assert_null(c.bot.unsubscribe_url);
	assert_null(c.maintainers.file);
	assert_null(c.maintainers.git);
	assert_string_equal(c.maintainers.ref, "HEAD");
	assert_int_equal(c.nlists, 0);
	assert_int_equal(c.nimaps, 0);
	assert_int_equal(c.narchives, 0);
	/* No smtp section: nothing to send with, said by url == NULL. */
	assert_null(c.smtp.url);
	assert_null(c.smtp.envelope_from);
	config_release(&c);
	buf_release(&errors);
	free(path);
}

/* Defaults inside sections that are given, but empty of options. */
static void test_section_defaults(void **state)
{
	struct config c;
	struct buf errors = BUF_INIT;
	const struct config_imap *m;

	(void)state;
	assert_int_equal(load_text(&c, &errors,
				   "bot { address = bot@example.org }\n"
				   "list l { list-id = l.example.org }\n"
				   "imap i { host = h user = u\n"
				   "  password-file = /p }\n"
				   "archive a { path = /srv/a.git list = l }\n"
				   "smtp { url = \"smtp://mail:587\" }\n"),
			 0);
	assert_string_equal(errors.data, "");
	m = &c.imaps[0];
	assert_int_equal(m->tls, CONFIG_TLS_IMPLICIT);
	assert_int_equal(m->port, 993);
	assert_null(m->ca_file);
	assert_int_equal(m->nmailboxes, 1);
	assert_string_equal(m->mailboxes[0], "INBOX");
	assert_true(m->read_only);
	assert_int_equal(m->idle_secs, 29 * 60);
	assert_int_equal(m->poll_secs, 5 * 60);
	assert_int_equal(m->batch_size, 500);
	assert_int_equal(m->timeout_secs, 60);
	assert_int_equal(c.archives[0].fetch_secs, 600);
	assert_null(c.archives[0].url);
	/* smtp:// with the default tls = required: STARTTLS, insisted on. */
	assert_int_equal(c.smtp.tls, CONFIG_TLS_STARTTLS);
	assert_null(c.smtp.user);
	assert_null(c.smtp.password_file);
	assert_string_equal(c.smtp.envelope_from, "bot@example.org");
	assert_int_equal(c.smtp.timeout_secs, 60);
	check_defaults(&c, PATCHLETTER_TEMPLATES_DIR);
	config_release(&c);
	buf_release(&errors);
}

static void test_example_parses(void **state)
{
	struct config c;
	struct buf errors = BUF_INIT;
	char *path = example_path();
	int rc = config_load(&c, path, &errors);

	(void)state;
	if (rc)
		fail_msg("%s", errors.data);
	assert_string_equal(errors.data, "");
	/* The example shows each default, but where it says otherwise. */
	check_defaults(&c, EXAMPLE_TEMPLATES_DIR);
	assert_int_equal(c.nimaps, 1);
	assert_int_equal(c.imaps[0].port, 993);
	assert_int_equal(c.imaps[0].tls, CONFIG_TLS_IMPLICIT);
	assert_true(c.imaps[0].read_only);
	assert_int_equal(c.imaps[0].idle_secs, 29 * 60);
	assert_int_equal(c.imaps[0].poll_secs, 5 * 60);
	assert_int_equal(c.imaps[0].batch_size, 500);
	assert_int_equal(c.imaps[0].timeout_secs, 60);
	assert_int_equal(c.archives[0].fetch_secs, 600);
	assert_int_equal(c.smtp.tls, CONFIG_TLS_STARTTLS);
	assert_int_equal(c.smtp.timeout_secs, 60);
	assert_ptr_equal(c.archives[0].list,
			 config_list_by_name(&c, "linux-sparse"));
	config_release(&c);
	buf_release(&errors);
	free(path);
}

/* --- errors ------------------------------------------------------------ */

struct bad_fixture {
	const char *file;
	int line;	   /* where the mistake is */
	const char *token; /* a piece of that line */
	const char *msg;   /* after "FILE:LINE: " */
};

static void check_error_line(const char *path, const char *got, int line,
			     const char *token, const char *msg)
{
	char *expect = xasprintf("%s:%d: %s", path, line, msg);
	char *text = file_line(path, line);

	if (!strstr(text, token))
		fail_msg("%s:%d is '%s', without '%s'", path, line, text,
			 token);
	if (strncmp(got, expect, strlen(expect)))
		fail_msg("got      %s\nexpected %s", got, expect);
	free(text);
	free(expect);
}

static void test_bad_fixtures(void **state)
{
	static const struct bad_fixture cases[] = {
		{"unknown-option.conf", 8, "pasword-file",
		 "unknown option 'pasword-file' in imap 'lore' (did you "
		 "mean 'password-file'?)"},
		{"bad-duration.conf", 10, "idle-interval = 29",
		 "imap 'lore': idle-interval '29' is not a duration"},
		{"bad-port.conf", 7, "port = 99300",
		 "imap 'lore': port must be between 1 and 65535"},
		{"bad-enum.conf", 7, "tls = ssl",
		 "imap 'lore': tls 'ssl' is not one of implicit, starttls, "
		 "none"},
		/* A missing option is reported where its section opens. */
		{"missing-required.conf", 6, "imap lore {",
		 "imap 'lore': missing required option 'password-file' (add "
		 "password-file = ... before the '}' on line 9)"},
		{"undefined-list.conf", 11, "list = linux-spares",
		 "archive 'sparse': list 'linux-spares' is not defined (did "
		 "you mean 'linux-sparse'?)"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct config c;
		struct buf errors = BUF_INIT;
		char *path = fixture(cases[i].file);

		assert_int_equal(config_load(&c, path, &errors), ERR_PERM);
		if (count_lines(errors.data) != 1)
			fail_msg("%s: expected one error, got:\n%s",
				 cases[i].file, errors.data);
		check_error_line(path, errors.data, cases[i].line,
				 cases[i].token, cases[i].msg);
		/* On failure nothing is handed out. */
		assert_null(c.bot.address);
		assert_null(c.imaps);
		config_release(&c);
		buf_release(&errors);
		free(path);
	}
}

/* The hint above names the fixture's closing brace. */
static void test_missing_hint_line(void **state)
{
	char *path = fixture("missing-required.conf");
	char *line = file_line(path, 9);

	(void)state;
	assert_string_equal(line, "}");
	free(line);
	free(path);
}

static void test_three_errors(void **state)
{
	static const struct {
		int line;
		const char *token, *msg;
	} want[] = {
		{5, "log-levle",
		 "unknown option 'log-levle' in bot (did you mean "
		 "'log-level'?)"},
		{10, "port = 0",
		 "imap 'lore': port must be between 1 and 65535"},
		{11, "tls = yes",
		 "imap 'lore': tls 'yes' is not one of implicit, starttls, "
		 "none"},
	};
	struct config c;
	struct buf errors = BUF_INIT;
	char *path = fixture("three-errors.conf");
	const char *line;
	size_t i;

	(void)state;
	assert_int_equal(config_load(&c, path, &errors), ERR_PERM);
	if (count_lines(errors.data) != ARRAY_SIZE(want))
		fail_msg("expected three lines, got:\n%s", errors.data);
	for (i = 0, line = errors.data; i < ARRAY_SIZE(want); i++) {
		check_error_line(path, line, want[i].line, want[i].token,
				 want[i].msg);
		line = strchr(line, '\n') + 1;
	}
	config_release(&c);
	buf_release(&errors);
	free(path);
}

/* Smaller cases, written inline: the text, then the one error expected. */
struct bad_text {
	const char *text;
	const char *error; /* the whole line, "test.conf:N: ..." */
};

static void test_bad_texts(void **state)
{
	static const struct bad_text cases[] = {
		{"", "test.conf: missing section 'bot' (add bot { ... })\n"},
		{"bot { }\n", "test.conf:1: bot: missing required option "
			      "'address'\n"},
		{"bot { address = \"Bot <bot@example.org>\" }\n",
		 "test.conf:1: bot: address 'Bot <bot@example.org>' is not a "
		 "mail address (local@domain, one '@', no name or <>)\n"},
		{"bot { address = a@b@c }\n",
		 "test.conf:1: bot: address 'a@b@c' is not a mail address "
		 "(local@domain, one '@', no name or <>)\n"},
		{"bot { address = nobody }\n",
		 "test.conf:1: bot: address 'nobody' is not a mail address "
		 "(local@domain, one '@', no name or <>)\n"},
		{"bot { address = a@b\nname = \"x\\r\\nBcc: y@z\" }\n",
		 "test.conf:2: bot: name holds a control character\n"},
		{"bot { address = a@b\nname = \"\" }\n",
		 "test.conf:2: bot: name is empty; give a value or remove "
		 "the line\n"},
		{"bot { address = a@b\nstate-dir = var/lib }\n",
		 "test.conf:2: bot: state-dir must be an absolute path (the "
		 "daemon does not run where you are now), not 'var/lib'\n"},
		{"bot { address = a@b\nunsubscribe-url = "
		 "\"http://x.org/u\" }\n",
		 "test.conf:2: bot: unsubscribe-url 'http://x.org/u' is not "
		 "an https:// URL (RFC 8058 one-click unsubscription)\n"},
		{"bot { address = a@b\naddress = c@d }\n",
		 "test.conf:2: 'address' is set twice (first on line 1); "
		 "keep one\n"},
		{"bot { address = a@b }\nbot { name = x }\n",
		 "test.conf:2: section 'bot' given twice (first on line 1); "
		 "merge the two\n"},
		{"bot { address = a@b }\nlist l { list-id = a.b }\n"
		 "list l { list-id = c.d }\n",
		 "test.conf:3: list 'l' is defined twice (first on line 2); "
		 "give each a different title\n"},
		{"bot { address = a@b }\nlist l { list-id = nodot }\n",
		 "test.conf:2: list 'l': list-id 'nodot' is not a List-Id "
		 "(RFC 2919: name.namespace, as in "
		 "linux-sparse.vger.kernel.org)\n"},
		{"bot { address = a@b }\nlist l { list-id = a.b }\n"
		 "list m {\n list-id = A.B }\n",
		 "test.conf:4: list 'm': list-id A.B is also the List-Id of "
		 "list 'l'\n"},
		{"bot { address = a@b }\nlist \"a/b\" { list-id = a.b }\n",
		 "test.conf:2: list 'a/b': the name must be 1 to 64 letters, "
		 "digits, '.', '_' or '-', not starting with '.'\n"},
		{"bot { address = a@b }\nimap i {\nhost = "
		 "\"imaps://imap.x.org\"\nuser = u\npassword-file = /p }\n",
		 "test.conf:3: imap 'i': host 'imaps://imap.x.org' must be a "
		 "host name or address, not a URL (the port goes in port, "
		 "TLS in tls)\n"},
		{"bot { address = a@b }\nimap i { host = h user = u\n"
		 "password-file = /p\nidle-interval = 30m }\n",
		 "test.conf:4: imap 'i': idle-interval must be between 1m and "
		 "29m (RFC 2177: servers may drop a client idle for 30 "
		 "minutes)\n"},
		{"bot { address = a@b }\nimap i { host = h user = u\n"
		 "password-file = /p\nread-only = maybe }\n",
		 "test.conf:4: imap 'i': read-only 'maybe' is not true or "
		 "false\n"},
		{"bot { address = a@b }\nimap i { host = h user = u\n"
		 "password-file = /p\nbatch-size = -5 }\n",
		 "test.conf:4: imap 'i': batch-size '-5' is not a whole "
		 "number (write digits: 500)\n"},
		{"bot { address = a@b }\nimap i { host = h user = u\n"
		 "password-file = /p\nbatch-size = 10001 }\n",
		 "test.conf:4: imap 'i': batch-size must be between 1 and "
		 "10000\n"},
		{"bot { address = a@b }\nlist l { list-id = a.b }\n"
		 "archive a {\nlist = l }\n",
		 "test.conf:3: archive 'a': needs path (a local public-inbox "
		 "repository), url (one to fetch), or both\n"},
		{"bot { address = a@b }\nlist l { list-id = a.b }\n"
		 "archive a { path = /a\nfetch-interval = 1h\nlist = l }\n",
		 "test.conf:4: archive 'a': fetch-interval needs url: there "
		 "is nothing to fetch from\n"},
		{"bot { address = a@b }\narchive a { path = /a\nlist = l }\n",
		 "test.conf:3: archive 'a': list 'l' is not defined (add a "
		 "section: list l { list-id = \"...\" })\n"},
		{"bot { address = a@b }\nlist l { list-id = a.b }\n"
		 "archive a { list = l\nurl = \"https:///x\" }\n",
		 "test.conf:4: archive 'a': url 'https:///x' is not a git URL "
		 "(https://, http://, git://, ssh:// or file://)\n"},
		{"bot { address = a@b }\nsmtp {\nurl = mail.x.org }\n",
		 "test.conf:3: smtp: url 'mail.x.org' is not an smtp:// "
		 "(STARTTLS) or smtps:// (TLS) URL\n"},
		{"bot { address = a@b }\nsmtp { url = \"smtp://m\"\n"
		 "user = u }\n",
		 "test.conf:3: smtp: user needs password-file\n"},
		{"bot { address = a@b }\nsmtp { tls = none }\n",
		 "test.conf:2: smtp: missing required option 'url'\n"},
		{"bot { address = a@b }\nmaintainers {\nref = master }\n",
		 "test.conf:3: maintainers: ref is only for git\n"},
		{"bot { address = a@b }\nlimits {\ndigest-max-bytes = 100M "
		 "}\n",
		 "test.conf:3: limits: digest-max-bytes must be between 4k "
		 "and 64M\n"},
		{"bot { address = a@b }\nlimits {\nconfirm-timeout = 10 }\n",
		 "test.conf:3: limits: confirm-timeout '10' is not a duration "
		 "(a number and a unit s, m, h or d: 30s, 10m, 1h30m, 2d; at "
		 "most a year)\n"},
		{"bot { address = a@b }\ninclude(\"/etc/passwd\")\n",
		 "test.conf:2: unknown option 'include' at the top level; "
		 "include() is not supported: keep the configuration in one "
		 "file\n"},
		{"bot { address = a@b\nname = \"${PATCHLETTER_TEST_UNSET}\" "
		 "}\n",
		 "test.conf:2: environment variable PATCHLETTER_TEST_UNSET is "
		 "not set (set it, or write ${PATCHLETTER_TEST_UNSET:-"
		 "DEFAULT})\n"},
	};
	size_t i;

	(void)state;
	unsetenv("PATCHLETTER_TEST_UNSET");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct config c;
		struct buf errors = BUF_INIT;

		assert_int_equal(load_text(&c, &errors, cases[i].text),
				 ERR_PERM);
		if (strcmp(errors.data, cases[i].error))
			fail_msg("case %zu:\n%s\ngot:\n%sexpected:\n%s", i,
				 cases[i].text, errors.data, cases[i].error);
		config_release(&c);
		buf_release(&errors);
	}
}

static void test_tls_choices(void **state)
{
	static const struct {
		const char *smtp;
		enum config_tls tls;
	} cases[] = {
		{"url = \"smtp://m:587\"", CONFIG_TLS_STARTTLS},
		{"url = \"smtp://m:587\" tls = required", CONFIG_TLS_STARTTLS},
		/* Plain SMTP only when the configuration says so. */
		{"url = \"smtp://127.0.0.1:25\" tls = none", CONFIG_TLS_NONE},
		{"url = \"smtps://m\"", CONFIG_TLS_IMPLICIT},
		{"url = \"SMTPS://m:465\" tls = required", CONFIG_TLS_IMPLICIT},
	};
	struct config c;
	struct buf errors = BUF_INIT;
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		text = xasprintf("bot { address = a@b }\nsmtp { %s }\n",
				 cases[i].smtp);
		assert_int_equal(load_text(&c, &errors, text), 0);
		assert_int_equal(c.smtp.tls, cases[i].tls);
		config_release(&c);
		free(text);
	}
	assert_int_equal(
		load_text(&c, &errors,
			  "bot { address = a@b }\n"
			  "smtp { url = \"smtps://m\"\ntls = none }\n"),
		ERR_PERM);
	assert_string_equal(errors.data,
			    "test.conf:3: smtp: tls = none contradicts an "
			    "smtps:// url, which is always TLS; use smtp:// "
			    "for a plain connection\n");
	assert_string_equal(config_tls_name(CONFIG_TLS_STARTTLS), "starttls");
	config_release(&c);
	buf_release(&errors);
}

static void test_maintainers_exclusive(void **state)
{
	struct config c;
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(load_text(&c, &errors,
				   "bot { address = a@b }\n"
				   "maintainers {\n"
				   "  file = /srv/linux/MAINTAINERS\n"
				   "  git = /srv/linux.git\n"
				   "}\n"),
			 ERR_PERM);
	assert_string_equal(errors.data,
			    "test.conf:4: maintainers: file and git exclude "
			    "each other (file is on line 3): read MAINTAINERS "
			    "from a file or from a git repository\n");
	buf_reset(&errors);
	assert_int_equal(load_text(&c, &errors,
				   "bot { address = a@b }\n"
				   "maintainers { file = /srv/MAINTAINERS }\n"),
			 0);
	assert_string_equal(c.maintainers.file, "/srv/MAINTAINERS");
	assert_null(c.maintainers.git);
	config_release(&c);
	/* A local mirror fetched with file://, which has no host. */
	assert_int_equal(load_text(&c, &errors,
				   "bot { address = a@b }\n"
				   "list l { list-id = a.b }\n"
				   "archive a { list = l\n"
				   "  url = \"file:///srv/mirror/l.git\" }\n"),
			 0);
	assert_string_equal(errors.data, "");
	assert_string_equal(c.archives[0].path,
			    "/var/lib/patchletter/archives/a.git");
	config_release(&c);
	buf_release(&errors);
}

/* The operator's file may take values from the environment (config.h). */
static void test_environment(void **state)
{
	struct config c;
	struct buf errors = BUF_INIT;

	(void)state;
	setenv("PATCHLETTER_TEST_DIR", "/run/credentials/patchletter", 1);
	unsetenv("PATCHLETTER_TEST_UNSET");
	assert_int_equal(
		load_text(&c, &errors,
			  "bot { address = a@b\n"
			  "  state-dir = \"${PATCHLETTER_TEST_DIR}/state\"\n"
			  "  templates-dir = ${PATCHLETTER_TEST_UNSET:-/t}\n"
			  "  # ${PATCHLETTER_TEST_UNSET} in a comment is text\n"
			  "  name = '${PATCHLETTER_TEST_UNSET}'\n"
			  "}\n"),
		0);
	assert_string_equal(errors.data, "");
	assert_string_equal(c.bot.state_dir,
			    "/run/credentials/patchletter/state");
	assert_string_equal(c.bot.templates_dir, "/t");
	/* Single quotes: taken as written. */
	assert_string_equal(c.bot.name, "${PATCHLETTER_TEST_UNSET}");
	config_release(&c);
	buf_release(&errors);
	unsetenv("PATCHLETTER_TEST_DIR");
}

static void test_file_errors(void **state)
{
	struct config c;
	struct buf errors = BUF_INIT;
	char dir[] = "/tmp/patchletter-test-XXXXXX";
	char *path;
	FILE *f;
	size_t i;

	(void)state;
	assert_int_equal(
		config_load(&c, "/nonexistent/patchletter.conf", &errors),
		ERR_NOTFOUND);
	assert_string_equal(errors.data, "/nonexistent/patchletter.conf: No "
					 "such file or directory\n");
	buf_reset(&errors);

	assert_non_null(mkdtemp(dir));
	assert_int_equal(config_load(&c, dir, &errors), ERR_FAIL);
	path = xasprintf("%s: Is a directory\n", dir);
	assert_string_equal(errors.data, path);
	free(path);
	buf_reset(&errors);

	/* One byte over CONFIG_MAX_BYTES, all comment. */
	path = xasprintf("%s/big.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i < CONFIG_MAX_BYTES; i += 64)
		fprintf(f, "#%62s\n", "");
	fputc('#', f);
	fclose(f);
	assert_int_equal(config_load(&c, path, &errors), ERR_LIMIT);
	assert_non_null(strstr(errors.data, "larger than 1048576 bytes"));
	unlink(path);
	free(path);
	rmdir(dir);
	config_release(&c);
	buf_release(&errors);
}

/* --- password files ---------------------------------------------------- */

struct secret_case {
	const char *content;
	size_t len; /* 0: strlen(content) */
	mode_t mode;
	int rc;
	const char *secret; /* when rc == 0 */
};

static void write_file(const char *path, const char *content, size_t len,
		       mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	/* fchmod, not the umask, decides the mode under test. */
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/*
 * Run config_read_secret() with stderr caught in log; returns its rc.
 * log gets what was logged, so that a test can see the secret is not.
 */
static int read_secret_logged(struct buf *out, const char *path,
			      struct buf *log)
{
	char tmpl[] = "/tmp/patchletter-log-XXXXXX";
	char chunk[512];
	int fd = mkstemp(tmpl), saved = dup(2), rc;
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	rc = config_read_secret(out, path);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(log, chunk, (size_t)n);
	close(fd);
	unlink(tmpl);
	return rc;
}

static void test_secrets(void **state)
{
	static char big[SECRET_MAX_BYTES + 2];
	static const struct secret_case cases[] = {
		{"s3cret\n", 0, 0600, 0, "s3cret"},
		{"s3cret\n", 0, 0400, 0, "s3cret"},
		{"s3cret", 0, 0600, 0, "s3cret"},
		{"s3cret\r\nsecond line\n", 0, 0600, 0, "s3cret"},
		{"pass word \n", 0, 0600, 0, "pass word "},
		/* msmtp's rule: no access at all for group or others. */
		{"s3cret\n", 0, 0644, ERR_PERM, NULL},
		{"s3cret\n", 0, 0640, ERR_PERM, NULL},
		{"s3cret\n", 0, 0604, ERR_PERM, NULL},
		{"s3cret\n", 0, 0620, ERR_PERM, NULL},
		{"s3cret\n", 0, 0610, ERR_PERM, NULL},
		{"\nsecond line\n", 0, 0600, ERR_PERM, NULL},
		{"", 0, 0600, ERR_PERM, NULL},
		{"s3\0cret\n", 8, 0600, ERR_PERM, NULL},
		{big, sizeof(big) - 1, 0600, ERR_LIMIT, NULL},
	};
	char dir[] = "/tmp/patchletter-test-XXXXXX";
	struct buf out = BUF_INIT, log = BUF_INIT;
	char *path, *fifo;
	size_t i;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/password", dir);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct secret_case *t = &cases[i];
		int rc;

		write_file(path, t->content,
			   t->len ? t->len : strlen(t->content), t->mode);
		buf_reset(&log);
		rc = read_secret_logged(&out, path, &log);
		if (rc != t->rc)
			fail_msg("case %zu: rc %d, expected %d (%s)", i, rc,
				 t->rc, log.data);
		if (!rc) {
			assert_string_equal(out.data, t->secret);
			assert_string_equal(log.data, "");
		} else {
			/* One line naming the file, never the secret. */
			assert_int_equal(count_lines(log.data), 1);
			assert_non_null(strstr(log.data, path));
			assert_null(strstr(log.data, "s3"));
			assert_int_equal(out.len, 0);
		}
		config_secret_release(&out);
		unlink(path);
	}

	buf_reset(&log);
	write_file(path, "s3cret\n", 7, 0644);
	assert_int_equal(read_secret_logged(&out, path, &log), ERR_PERM);
	assert_non_null(strstr(log.data, "(mode 0644)"));
	assert_non_null(strstr(log.data, "chmod 600"));
	unlink(path);

	assert_int_equal(read_secret_logged(&out, path, &log), ERR_NOTFOUND);
	assert_int_equal(read_secret_logged(&out, dir, &log), ERR_PERM);
	/* A FIFO must be refused, not waited on. */
	fifo = xasprintf("%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(read_secret_logged(&out, fifo, &log), ERR_PERM);
	unlink(fifo);
	free(fifo);

	rmdir(dir);
	free(path);
	buf_release(&out);
	buf_release(&log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_section_defaults),
		cmocka_unit_test(test_example_parses),
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_missing_hint_line),
		cmocka_unit_test(test_three_errors),
		cmocka_unit_test(test_bad_texts),
		cmocka_unit_test(test_tls_choices),
		cmocka_unit_test(test_maintainers_exclusive),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_secrets),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
