/*
 * test_subject.c: subject tags and titles, table-driven.
 *
 * Most subjects are copied from the corpus (../shared/corpus, the file is
 * named in each row; RFC 2047 already decoded and folds undone, as mail.c
 * hands them over) and a few from DESIGN.md and the task that asked for
 * this parser. The expected values were written by reading each subject
 * as a kernel reader would.
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
#include "err.h"
#include "subject.h"

enum {
	RFC = 1 << 0,
	RESEND = 1 << 1,
	REPLY = 1 << 2,
	FWD = 1 << 3,
	PULL = 1 << 4,
	PATCH = 1 << 5,
};

struct subject_case {
	const char *where;   /* where the subject was found */
	const char *subject; /* as given to subject_parse() */
	const char *title;   /* expected title */
	int version, number, total;
	unsigned flags;
	const char *prefixes; /* expected prefixes joined with '|' */
};

#define SPARSE19 "lore-linux-sparse/linux-sparse-2019.mbox"
#define SPARSE20 "lore-linux-sparse/linux-sparse-2020.mbox"
#define SPARSE22 "lore-linux-sparse/linux-sparse-2022.mbox"
#define SPARSE24 "lore-linux-sparse/linux-sparse-2024.mbox"
#define SPARSE25 "lore-linux-sparse/linux-sparse-2025.mbox"
#define SPARSE26 "lore-linux-sparse/linux-sparse-2026.mbox"
#define KBUILD04 "lore-linux-kbuild/linux-kbuild-2026-04.mbox"
#define KBUILD05 "lore-linux-kbuild/linux-kbuild-2026-05.mbox"
#define KBUILD06 "lore-linux-kbuild/linux-kbuild-2026-06.mbox"
#define JANIT01	 "lore-kernel-janitors/kernel-janitors-2026-01.mbox"
#define JANIT02	 "lore-kernel-janitors/kernel-janitors-2026-02.mbox"

static const struct subject_case cases[] = {
	/* --- the forms DESIGN.md ("Subject tags") lists --- */
	{"DESIGN.md", "[PATCH v3 2/7] KVM: SVM: Fix the thing",
	 "KVM: SVM: Fix the thing", 3, 2, 7, PATCH, ""},
	{"DESIGN.md", "[PATCH net-next v10 00/10] tun: Add ...", "tun: Add ...",
	 10, 0, 10, PATCH, "net-next"},
	{"DESIGN.md", "[RFC PATCH v2 1/4] mm: do it", "mm: do it", 2, 1, 4,
	 RFC | PATCH, "RFC"},
	{"DESIGN.md", "[PATCH 0/5 v2] x86: five patches", "x86: five patches",
	 2, 0, 5, PATCH, ""},
	{"DESIGN.md", "[patch V4 00/15] genirq: rework", "genirq: rework", 4, 0,
	 15, PATCH, ""},
	{"DESIGN.md", "[for-5.2 v4 00/10] block: queue", "block: queue", 4, 0,
	 10, PATCH, "for-5.2"},
	{"DESIGN.md", "[kvm-unit-tests PATCH v2 0/3] x86: tests", "x86: tests",
	 2, 0, 3, PATCH, "kvm-unit-tests"},
	{"DESIGN.md", "[PATCH RESEND] vfs: fix", "vfs: fix", 1, -1, -1,
	 RESEND | PATCH, "RESEND"},
	{"DESIGN.md", "Re: [PATCH v2 3/4] foo", "foo", 2, 3, 4, REPLY | PATCH,
	 ""},
	{"DESIGN.md", "[GIT PULL] Kbuild updates", "Kbuild updates", 1, -1, -1,
	 PULL, "GIT|PULL"},
	{"DESIGN.md", "[PATCH] mm: remove is_swap_[pte, pmd]() + friends",
	 "mm: remove is_swap_[pte, pmd]() + friends", 1, -1, -1, PATCH, ""},

	/* --- forms the task named, not met in the corpus --- */
	{"task", "[PATCHv3] net: tweak", "net: tweak", 3, -1, -1, PATCH, ""},
	{"task", "[PATCH v2RESEND] net: tweak", "net: tweak", 2, -1, -1,
	 RESEND | PATCH, "RESEND"},
	{"task", "[PATCH v3-resend 1/2] net: tweak", "net: tweak", 3, 1, 2,
	 RESEND | PATCH, "resend"},
	{"task", "Re: Re: [PATCH 1/2] foo", "foo", 1, 1, 2, REPLY | PATCH, ""},
	{"task", "Re[2]: [PATCH] foo", "foo", 1, -1, -1, REPLY | PATCH, ""},
	{"task", "Aw: [PATCH] foo", "foo", 1, -1, -1, REPLY | PATCH, ""},
	{"task", "AW: AW: [PATCH v2] foo", "foo", 2, -1, -1, REPLY | PATCH, ""},
	{"task", "Sv: [PATCH] foo", "foo", 1, -1, -1, REPLY | PATCH, ""},
	{"task", "Antw: [PATCH] foo", "foo", 1, -1, -1, REPLY | PATCH, ""},
	{"task", "Fw: [PATCH] foo", "foo", 1, -1, -1, FWD | PATCH, ""},
	{"task", "WG: [PATCH] foo", "foo", 1, -1, -1, FWD | PATCH, ""},
	{"task", "[PATCH] Re: foo bar", "foo bar", 1, -1, -1, REPLY | PATCH,
	 ""},
	{"task", "[GIT PULL v2] arm64 fixes", "arm64 fixes", 2, -1, -1, PULL,
	 "GIT|PULL"},
	{"task", "[GIT,PULL] arm64 fixes", "arm64 fixes", 1, -1, -1, PULL,
	 "GIT|PULL"},
	{"task", "[PATCH] x86/[something]: fix", "x86/[something]: fix", 1, -1,
	 -1, PATCH, ""},
	{"task", "  [PATCH]   two   spaces\tand a tab  ",
	 "two spaces and a tab", 1, -1, -1, PATCH, ""},
	{"task", "回复: [PATCH] foo", "foo", 1, -1, -1, REPLY | PATCH, ""},
	{"task", "RE : [PATCH] foo", "foo", 1, -1, -1, REPLY | PATCH, ""},
	/* rv: is a kernel subsystem, not Spanish "RV:" (reenviar). */
	{"task", "[PATCH] rv: Add a monitor", "rv: Add a monitor", 1, -1, -1,
	 PATCH, ""},
	{"task", "Rework: the thing", "Rework: the thing", 1, -1, -1, 0, ""},

	/* --- lore-linux-sparse --- */
	{SPARSE24,
	 "[patch 0/9] x86: Cure tons of sparse warnings (mostly "
	 "__percpu)",
	 "x86: Cure tons of sparse warnings (mostly __percpu)", 1, 0, 9, PATCH,
	 ""},
	{SPARSE26, "[PATCHv2 1/2] RISC-V: Stop warning about Zabha and Zacas",
	 "RISC-V: Stop warning about Zabha and Zacas", 2, 1, 2, PATCH, ""},
	{SPARSE24,
	 "[RESEND PATCH v3 0/2] add _statically_true() to simplify "
	 "GENMASK_INPUT_CHECK()",
	 "add _statically_true() to simplify GENMASK_INPUT_CHECK()", 3, 0, 2,
	 RESEND | PATCH, "RESEND"},
	{SPARSE20,
	 "[PATCH AUTOSEL 5.6 082/129] compiler.h: fix error in "
	 "BUILD_BUG_ON() reporting",
	 "compiler.h: fix error in BUILD_BUG_ON() reporting", 1, 82, 129, PATCH,
	 "AUTOSEL|5.6"},
	{SPARSE25,
	 "[PATCH 00/19 v6.1.y] Backport minmax.h updates from "
	 "v6.17-rc7",
	 "Backport minmax.h updates from v6.17-rc7", 1, 0, 19, PATCH, "v6.1.y"},
	{SPARSE24,
	 "[PATCH 5.15.y 0/8] Backport patches for DAMON merge "
	 "regions fix",
	 "Backport patches for DAMON merge regions fix", 1, 0, 8, PATCH,
	 "5.15.y"},
	{SPARSE19,
	 "[PATCH 2/9] spec: types[] is indexed by the specifier "
	 "class",
	 "spec: types[] is indexed by the specifier class", 1, 2, 9, PATCH, ""},
	{SPARSE20,
	 "[PATCH 07/15] options: alphasort the "
	 "handle_switch_[a-zA_Z]()",
	 "options: alphasort the handle_switch_[a-zA_Z]()", 1, 7, 15, PATCH,
	 ""},
	{SPARSE20,
	 "[PATCH 1/4] add a testcase for assignment to const <type> "
	 "(*)[]",
	 "add a testcase for assignment to const <type> (*)[]", 1, 1, 4, PATCH,
	 ""},
	{SPARSE20,
	 "[PATCH] testsuite: plain chars are never compatible with "
	 "[un]signed chars",
	 "testsuite: plain chars are never compatible with [un]signed chars", 1,
	 -1, -1, PATCH, ""},
	{SPARSE20,
	 "[PATCH 4/4] [RFC] fix evaluation error with assignment of "
	 "qualified arrays",
	 "fix evaluation error with assignment of qualified arrays", 1, 4, 4,
	 RFC | PATCH, "RFC"},
	{SPARSE22,
	 "Re: [PATCH v11.5] overflow: Introduce overflows_type() "
	 "and __castable_to_type()",
	 "overflow: Introduce overflows_type() and __castable_to_type()", 11,
	 -1, -1, REPLY | PATCH, ""},
	{SPARSE22,
	 "Re: [Intel-gfx] [PATCH v12 3/9] overflow: Introduce "
	 "overflows_type() and __castable_to_type()",
	 "overflow: Introduce overflows_type() and __castable_to_type()", 12, 3,
	 9, REPLY | PATCH, "Intel-gfx"},
	{SPARSE24, "Re: [ Patch 001 ] feature: add support for loongarch",
	 "feature: add support for loongarch", 1, -1, -1, REPLY | PATCH, "001"},
	{SPARSE26,
	 "Re: [tip:timers/vdso 12/14] net/rds/ib_cm.c:96:35: sparse: "
	 "sparse: incorrect type in argument 1 (different modifiers)",
	 "net/rds/ib_cm.c:96:35: sparse: sparse: incorrect type in argument 1 "
	 "(different modifiers)",
	 1, -1, -1, REPLY, "tip:timers/vdso|12/14"},
	{SPARSE22,
	 "Re: [linux-next:master] BUILD REGRESSION "
	 "736ee37e2e8eed7fe48d0a37ee5a709514d478b3",
	 "BUILD REGRESSION 736ee37e2e8eed7fe48d0a37ee5a709514d478b3", 1, -1, -1,
	 REPLY, "linux-next:master"},
	{SPARSE20, "[ANNOUNCE] Sparse v0.6.2", "Sparse v0.6.2", 1, -1, -1, 0,
	 "ANNOUNCE"},
	{SPARSE19,
	 "[SPARSE PATCH 0/2] add support for -mcmodel & "
	 "-f{pic,PIC,pie,PIE}",
	 "add support for -mcmodel & -f{pic,PIC,pie,PIE}", 1, 0, 2, PATCH,
	 "SPARSE"},
	{SPARSE20, "[SPARSE v2 00/28] detect invalid branches",
	 "detect invalid branches", 2, 0, 28, PATCH, "SPARSE"},
	{SPARSE25,
	 "Re: [PATCH RESEND2 1/4] parse: initial parsing of "
	 "__attribute__((format))",
	 "parse: initial parsing of __attribute__((format))", 1, 1, 4,
	 RESEND | REPLY | PATCH, "RESEND2"},
	{SPARSE19, "Fwd: Re: € 2,000,000.00 Euro", "€ 2,000,000.00 Euro", 1, -1,
	 -1, REPLY | FWD, ""},
	{SPARSE19, "Re: Subject: [PATCH] lib.c: fix spelling of _BIG_ENDIAN",
	 "lib.c: fix spelling of _BIG_ENDIAN", 1, -1, -1, REPLY | PATCH, ""},
	{SPARSE20,
	 "Re: lock checking issues (was: Re: [PATCH v3] cifs: Fix "
	 "leak when handling lease break for cached root fid)",
	 "lock checking issues (was: Re: [PATCH v3] cifs: Fix leak when "
	 "handling lease break for cached root fid)",
	 1, -1, -1, REPLY, ""},
	{SPARSE20,
	 "[Bug 207959] New: Don't warn about the universal zero "
	 "initializer for a structure with the 'designated_init' "
	 "attribute.",
	 "New: Don't warn about the universal zero initializer for a "
	 "structure with the 'designated_init' attribute.",
	 1, -1, -1, 0, "Bug|207959"},

	/* --- lore-linux-kbuild --- */
	{KBUILD05, "[RFC PATCH v2 1/2] scripts: add kconfirm",
	 "scripts: add kconfirm", 2, 1, 2, RFC | PATCH, "RFC"},
	{KBUILD05, "[RFC v2 0/2] add kconfirm", "add kconfirm", 2, 0, 2,
	 RFC | PATCH, "RFC"},
	{KBUILD04, "[GIT PULL] Kbuild fixes for 7.0 #4",
	 "Kbuild fixes for 7.0 #4", 1, -1, -1, PULL, "GIT|PULL"},
	{KBUILD06,
	 "Re: (subset) [PATCH v5 0/5] gpu: drm: nova: enable "
	 "calling into nova-core",
	 "gpu: drm: nova: enable calling into nova-core", 5, 0, 5,
	 REPLY | PATCH, ""},
	{KBUILD06,
	 "[PATCH bpf-next v1 00/14] resolve_btfids: Implement BTF "
	 "tags emission for kfuncs",
	 "resolve_btfids: Implement BTF tags emission for kfuncs", 1, 0, 14,
	 PATCH, "bpf-next"},
	{KBUILD04,
	 "Re: [PATCH 15/33] rust: rust_is_available: remove warning "
	 "for 0.66.[01] buggy versions",
	 "rust: rust_is_available: remove warning for 0.66.[01] buggy "
	 "versions",
	 1, 15, 33, REPLY | PATCH, ""},
	{KBUILD05,
	 "Re: [PATCH] [v2] iommu, debugobjects: avoid gcc-16.1 "
	 "section mismatch warnings",
	 "iommu, debugobjects: avoid gcc-16.1 section mismatch warnings", 2, -1,
	 -1, REPLY | PATCH, ""},

	/* --- lore-kernel-janitors --- */
	{JANIT01,
	 "Re: [PATCH net-next v2 2/2] selftests: net: improve error "
	 "handling in passive TFO test",
	 "selftests: net: improve error handling in passive TFO test", 2, 2, 2,
	 REPLY | PATCH, "net-next"},
	{JANIT01,
	 "Re: [PATCH V2] perf/x86/intel/uncore: Fix iounmap() leak "
	 "on global_init failure",
	 "perf/x86/intel/uncore: Fix iounmap() leak on global_init failure", 2,
	 -1, -1, REPLY | PATCH, ""},
	{JANIT01,
	 "Re: [V2] perf/x86/intel/uncore: Fix iounmap() leak on "
	 "global_init failure",
	 "perf/x86/intel/uncore: Fix iounmap() leak on global_init failure", 2,
	 -1, -1, REPLY | PATCH, ""},
	{JANIT01,
	 "Re: [PATCH next] xfs: fix memory leak in "
	 "xfs_growfs_check_rtgeom()",
	 "xfs: fix memory leak in xfs_growfs_check_rtgeom()", 1, -1, -1,
	 REPLY | PATCH, "next"},
	{JANIT02,
	 "[PATCH][next] ntfs: Fix spelling mistake \"initiailized\" "
	 "-> \"initialized\"",
	 "ntfs: Fix spelling mistake \"initiailized\" -> \"initialized\"", 1,
	 -1, -1, PATCH, "next"},
	{JANIT02,
	 "[PATCH v2 next 4/5] iio: sca3000: manage device "
	 "registration with devm helper",
	 "iio: sca3000: manage device registration with devm helper", 2, 4, 5,
	 PATCH, "next"},

	/* --- patchwork --- */
	{"patchwork/fuzz/codec-null.mbox",
	 "[net,v2,1/2] net: ieee802154: remove explicit set skb->sk",
	 "net: ieee802154: remove explicit set skb->sk", 2, 1, 2, PATCH, "net"},
	{"patchwork/series/mercurial-cover-letter.mbox",
	 "[PATCH 0 of 2] Sample Mercurial patches", "Sample Mercurial patches",
	 1, 0, 2, PATCH, ""},
	{"patchwork/series/mercurial-cover-letter.mbox",
	 "[PATCH 1 of 2] contrib: fix check-commit to not reject commits from "
	 "`hg sign` and `hg tag`",
	 "contrib: fix check-commit to not reject commits from `hg sign` and "
	 "`hg tag`",
	 1, 1, 2, PATCH, ""},
	{"patchwork/mail/0001-git-pull-request.mbox",
	 "[git pull] Please pull powerpc.git next branch",
	 "Please pull powerpc.git next branch", 1, -1, -1, PULL, "git|pull"},
	{"patchwork/series/base-different-versions.mbox",
	 "[PATCH net-next v3 0/4] net: dsa: Multi-CPU ground work (v3)",
	 "net: dsa: Multi-CPU ground work (v3)", 3, 0, 4, PATCH, "net-next"},
	{"patchwork/series/base-extra-patches.mbox",
	 "[PATCH 3/2] test: Remove Markdown formatting",
	 "test: Remove Markdown formatting", 1, 3, 2, PATCH, ""},
	{"patchwork/series/base-no-references-no-cover.mbox",
	 "[Patch 2/2]: powerpc/hotplug/mm: Fix hot-add memory node assoc",
	 "powerpc/hotplug/mm: Fix hot-add memory node assoc", 1, 2, 2, PATCH,
	 ""},
	{"patchwork/series/bugs-multiple-references.mbox",
	 "[PATCH V2 0/4] PM / OPP: Minor cleanups", "PM / OPP: Minor cleanups",
	 2, 0, 4, PATCH, ""},
	{"patchwork/series/bugs-multiple-content-types.mbox",
	 "[PATCH -next] bpf: Use PTR_ERR_OR_ZERO in xsk_map_inc()",
	 "bpf: Use PTR_ERR_OR_ZERO in xsk_map_inc()", 1, -1, -1, PATCH,
	 "-next"},
	{"patchwork/series/bugs-unnumbered.mbox", "This is an orphaned patch!",
	 "This is an orphaned patch!", 1, -1, -1, 0, ""},

	/* --- patchew --- */
	{"patchew/0031-supersedes-embedded.mbox.gz",
	 "[PULL 00/28] Migration pull patches", "Migration pull patches", 1, 0,
	 28, PULL, "PULL"},
	{"patchew/0031-supersedes-embedded.mbox.gz",
	 "[PULL 00/29] Migration pull patches (second try)",
	 "Migration pull patches (second try)", 1, 0, 29, PULL, "PULL"},
	{"patchew/0018-mime-word-recipient.mbox.gz",
	 "[Qemu-devel] [PATCH RESEND] vl: only display available accelerators",
	 "vl: only display available accelerators", 1, -1, -1, RESEND | PATCH,
	 "Qemu-devel|RESEND"},
	{"patchew/0006-multi-part-non-utf-8.mbox.gz",
	 "Re: [Qemu-devel] [Qemu-block] [PATCH v6 3/4] blockdev: Add dynamic "
	 "module loading for block drivers",
	 "blockdev: Add dynamic module loading for block drivers", 6, 3, 4,
	 REPLY | PATCH, "Qemu-devel|Qemu-block"},
	{"patchew/0007-invalid-charset.mbox.gz",
	 "[edk2] [staging/HTTPS-TLS][PATCH 1/2] Readme.MD: Clarify the "
	 "feature support scope",
	 "Readme.MD: Clarify the feature support scope", 1, 1, 2, PATCH,
	 "edk2|staging/HTTPS-TLS"},
	{"patchew/0017-qemu-web-is-not-qemu.mbox.gz",
	 "[Qemu-devel] [qemu-web PATCH] Add a blog post about the release of "
	 "version 2.10.0",
	 "Add a blog post about the release of version 2.10.0", 1, -1, -1,
	 PATCH, "Qemu-devel|qemu-web"},

	/* --- notmuch (folded subjects, unfolded by hand but for the CRLF
	 * and tab that an unfolding mail reader might leave) --- */
	{"notmuch/lkml/cur/1382298587.001730:2,",
	 "[RFC][PATCH 00/10] cifs: local caching support using FS-Cache",
	 "cifs: local caching support using FS-Cache", 1, 0, 10, RFC | PATCH,
	 "RFC"},
	{"notmuch/lkml/cur/1382298587.003118:2,",
	 "Re: [RFC][PATCH 06/10] cifs: define inode-level cache object and \r\n"
	 "\tregister them",
	 "cifs: define inode-level cache object and register them", 1, 6, 10,
	 RFC | REPLY | PATCH, "RFC"},
	{"notmuch/lkml/cur/1354585346.000261:2,",
	 "[notmuch] [PATCH 1/2] lib/message: Add function to get maildir "
	 "flags.",
	 "lib/message: Add function to get maildir flags.", 1, 1, 2, PATCH,
	 "notmuch"},
	{"notmuch/lkml/cur/1382298775.002978:2,",
	 "RE: [PATCH v2 5/7] powerpc/85xx: Add MChk handler for SRIO port",
	 "powerpc/85xx: Add MChk handler for SRIO port", 2, 5, 7, REPLY | PATCH,
	 ""},

	/* --- odd and empty --- */
	{"empty", "", "", 1, -1, -1, 0, ""},
	{"only tags", "[PATCH v2 1/3]", "", 2, 1, 3, PATCH, ""},
	{"unclosed", "[PATCH v2 broken", "[PATCH v2 broken", 1, -1, -1, 0, ""},
	{"nested", "[PATCH [v2] 1/3] nested brackets", "nested brackets", 2, 1,
	 3, PATCH, ""},
	{"huge numbers", "[PATCH v123456 1/9999999] big", "big", 1, -1, -1,
	 PATCH, "v123456|1/9999999"},
};

static void check_prefixes(const struct subject_case *c,
			   const struct subject *s)
{
	char joined[512] = "";
	size_t i;

	for (i = 0; i < s->nr_prefixes; i++) {
		if (i)
			strcat(joined, "|");
		assert_true(strlen(joined) + strlen(s->prefixes[i]) <
			    sizeof(joined) - 2);
		strcat(joined, s->prefixes[i]);
	}
	if (strcmp(joined, c->prefixes) != 0) {
		print_error("%s: \"%s\": prefixes \"%s\", expected \"%s\"\n",
			    c->where, c->subject, joined, c->prefixes);
		fail();
	}
}

static void test_table(void **state)
{
	size_t k;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(cases); k++) {
		const struct subject_case *c = &cases[k];
		struct subject s = SUBJECT_INIT;
		unsigned flags;

		assert_int_equal(
			subject_parse(&s, c->subject, strlen(c->subject)), 0);
		flags = (s.rfc ? RFC : 0) | (s.resend ? RESEND : 0) |
			(s.reply ? REPLY : 0) | (s.forward ? FWD : 0) |
			(s.pull ? PULL : 0) | (s.patch ? PATCH : 0);
		if (strcmp(s.title, c->title) != 0 || s.version != c->version ||
		    s.number != c->number || s.total != c->total ||
		    flags != c->flags) {
			print_error("%s: \"%s\"\n  got      \"%s\" v%d %d/%d "
				    "flags %#x\n  expected \"%s\" v%d %d/%d "
				    "flags %#x\n",
				    c->where, c->subject, s.title, s.version,
				    s.number, s.total, flags, c->title,
				    c->version, c->number, c->total, c->flags);
			fail();
		}
		check_prefixes(c, &s);
		subject_release(&s);
	}
}

/* The table is the bulk of the test: keep it big enough to mean much. */
static void test_table_size(void **state)
{
	(void)state;
	assert_true(ARRAY_SIZE(cases) >= 60);
}

static void test_release_resets(void **state)
{
	struct subject s = SUBJECT_INIT;
	const char *subj = "[RFC PATCH net v2 1/2] x";

	(void)state;
	assert_int_equal(subject_parse(&s, subj, strlen(subj)), 0);
	assert_int_equal(s.nr_prefixes, 2);
	subject_release(&s);
	assert_null(s.title);
	assert_null(s.prefixes);
	assert_int_equal(s.nr_prefixes, 0);
	assert_int_equal(s.version, 1);
	assert_int_equal(s.number, -1);
	subject_release(&s); /* twice is harmless */
}

/* Subjects may hold NUL bytes (mail is bytes): the length rules. */
static void test_embedded_nul(void **state)
{
	static const char subj[] = "[PATCH v2] a\0b";
	struct subject s = SUBJECT_INIT;

	(void)state;
	assert_int_equal(subject_parse(&s, subj, sizeof(subj) - 1), 0);
	assert_int_equal(s.version, 2);
	assert_memory_equal(s.title, "a\0b", 4);
	subject_release(&s);
}

static void test_too_long(void **state)
{
	size_t n = MAIL_MAX_SUBJECT_BYTES + 100;
	char *big = malloc(n);
	struct subject s = SUBJECT_INIT;

	(void)state;
	assert_non_null(big);
	memset(big, 'x', n);
	memcpy(big, "[PATCH v7 2/3] ", 15);
	assert_int_equal(subject_parse(&s, big, n), ERR_LIMIT);
	/* Still parsed from the part that fits. */
	assert_int_equal(s.version, 7);
	assert_int_equal(s.number, 2);
	assert_int_equal(strlen(s.title), MAIL_MAX_SUBJECT_BYTES - 15);
	subject_release(&s);
	free(big);
}

/* The cut falls on a character boundary: the title stays UTF-8. */
static void test_too_long_utf8(void **state)
{
	size_t n = MAIL_MAX_SUBJECT_BYTES + 10, i;
	char *big = malloc(n);
	struct subject s = SUBJECT_INIT;

	(void)state;
	assert_non_null(big);
	big[0] = 'x';
	for (i = 1; i + 1 < n; i += 2)
		memcpy(big + i, "\xc3\xa9", 2); /* é at odd offsets */
	big[n - 1] = 'x';
	/* byte MAIL_MAX_SUBJECT_BYTES (even) is the second byte of an é */
	assert_int_equal(subject_parse(&s, big, n), ERR_LIMIT);
	assert_int_equal(strlen(s.title), MAIL_MAX_SUBJECT_BYTES - 1);
	assert_int_equal((unsigned char)s.title[strlen(s.title) - 1], 0xa9);
	subject_release(&s);
	free(big);
}

static void test_too_many_prefixes(void **state)
{
	struct subject s = SUBJECT_INIT;
	char subj[512] = "[PATCH";
	int i;

	(void)state;
	for (i = 0; i < SUBJECT_MAX_PREFIXES + 5; i++)
		snprintf(subj + strlen(subj), sizeof(subj) - strlen(subj),
			 " p%d", i);
	strcat(subj, " v3] title");
	assert_int_equal(subject_parse(&s, subj, strlen(subj)), ERR_LIMIT);
	assert_int_equal(s.nr_prefixes, SUBJECT_MAX_PREFIXES);
	assert_string_equal(s.prefixes[0], "p0");
	assert_int_equal(s.version, 3); /* words after the cut still count */
	assert_string_equal(s.title, "title");
	subject_release(&s);
}

/*
 * Where the reply marker stands: before the patch tags it answers a
 * posting; after them it is part of a patch's title (git format-patch
 * of a commit titled "Re: ..." never writes that, but people do when
 * they answer with a patch, and git am takes it as the patch's subject).
 */
static void test_reply_lead(void **state)
{
	static const struct {
		const char *subject;
		bool reply, lead;
	} leads[] = {
		{"Re: [PATCH v2 0/4] Introduce absolute_pointer", true, true},
		{"RE: [PATCH v4 1/2] compiler.h: add const_true()", true, true},
		{"Re: Re: [PATCH] foo", true, true},
		{"[Qemu-devel] Re: [PATCH] foo", true, true},
		{"Re: sparse problem with __iomem", true, true},
		{"Re: [GIT PULL] Kbuild fixes", true, true},
		{"[syzbot ci] Re: Compiler-Based Capability-Analysis", true,
		 true},
		{"[PATCH] Re: foo bar", true, false},
		{"[PATCH v2 1/3] Re: foo", true, false},
		{"[RFC] Re: foo", true, false},
		{"[GIT PULL] Re: fixes", true, false},
		{"[PATCH] foo", false, false},
		{"Fwd: [PATCH] foo", false, false},
	};
	size_t k;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(leads); k++) {
		struct subject s = SUBJECT_INIT;

		subject_parse(&s, leads[k].subject, strlen(leads[k].subject));
		if (s.reply != leads[k].reply ||
		    s.reply_lead != leads[k].lead) {
			print_error(
				"\"%s\": reply %d lead %d, expected %d %d\n",
				leads[k].subject, s.reply, s.reply_lead,
				leads[k].reply, leads[k].lead);
			fail();
		}
		subject_release(&s);
	}
}

struct norm_case {
	const char *title, *normal;
};

static void test_normalize(void **state)
{
	static const struct norm_case norms[] = {
		{"KVM: SVM: Fix  the\tthing.", "kvm: svm: fix the thing"},
		{"  tun: Add ...  ", "tun: add"},
		/* patchew 0031: the "(second try)" repost is the same work */
		{"Migration pull patches (second try)",
		 "migration pull patches"},
		/* patchwork base-different-versions.mbox */
		{"net: dsa: Multi-CPU ground work (v3)",
		 "net: dsa: multi-cpu ground work"},
		{"foo (RESEND) (v2)", "foo"},
		{"foo (take 2)", "foo"},
		{"foo (part 2)", "foo (part 2)"},
		{"mm: remove is_swap_[pte, pmd]() + friends",
		 "mm: remove is_swap_[pte, pmd]() + friends"},
		{"Überprüfung: ÄÖÜ", "Überprüfung: ÄÖÜ"}, /* ASCII only */
		{"", ""},
		{"?!.", ""},
		{"(v2)", ""},
	};
	size_t k;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(norms); k++) {
		char *n = subject_normalize_title(norms[k].title);

		assert_string_equal(n, norms[k].normal);
		free(n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_size),
		cmocka_unit_test(test_release_resets),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_too_long_utf8),
		cmocka_unit_test(test_too_many_prefixes),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_reply_lead),
	};

	return cmocka_run_group_tests_name("subject", tests, NULL, NULL);
}
