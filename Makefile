# patchletter: a plain GNU Makefile (STYLE.md, "Build").
#
#   make            build $(O)/patchletter (O=build by default)
#   make check      the whole test suite, the same suite under ASan+UBSan,
#                   then a bounded fuzz run (make fuzz)
#   make asan       only the sanitizer run
#   make demo       ingest the sample list mail and print a digest
#   make bench      benchmarks (not part of check)
#   make fuzz       the parser's libFuzzer target for FUZZ_SECONDS (clang)
#   make deps       install missing Debian packages (idempotent, silent)
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        the Debian package, in build-deb/ (packaging/build-deb.sh)
#   make format     clang-format every C file
#
# Build variables: O (output folder), SANITIZE (e.g. address,undefined),
# CC, CPPFLAGS, CFLAGS, LDFLAGS. V=1 shows the commands.

# The release; packaging/debian/changelog must name the same (make deb
# checks).
VERSION = 0.1

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/patchletter
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR    ?=

O        ?= build
SANITIZE ?=
CPPFLAGS ?=
CFLAGS   ?= -O2 -g
LDFLAGS  ?=

PKGS = libetpan libcurl libgit2 libconfuse sqlite3 gnutls

WARNINGS = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wformat=2 -Wwrite-strings -Wvla -fno-common -Werror

# Evaluated when a recipe runs, after `make deps` installed the packages.
# libetpan's .pc names a dpkg specs file that only fits gcc; drop it.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(filter-out -specs=%,$(shell pkg-config --libs $(PKGS)))

ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE $(WARNINGS) -MMD -MP -Ibot -Irules \
	      -DPATCHLETTER_TEMPLATES_DIR='"$(DATADIR)/templates"' \
	      -DPATCHLETTER_VERSION='"$(VERSION)"' \
	      $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(LDFLAGS)
ifneq ($(SANITIZE),)
ALL_CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	       -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif

ifeq ($(V),1)
Q =
else
Q = @
endif

# --- sources ---------------------------------------------------------------

# Small helpers every module may use.
COMMON_SRCS = bot/buf.c bot/xalloc.c bot/log.c bot/utf8.c bot/json.c

# The store, whose files share store_impl.h.
STORE_SRCS = bot/store.c bot/store_series.c bot/store_match.c bot/person.c

# One module a line, so that merges stay easy.
BOT_SRCS = $(COMMON_SRCS)
BOT_SRCS += bot/main.c
BOT_SRCS += bot/cli.c
BOT_SRCS += bot/person.c
BOT_SRCS += bot/evidence.c
BOT_SRCS += bot/store.c
BOT_SRCS += bot/store_series.c
BOT_SRCS += bot/store_match.c
BOT_SRCS += bot/template.c
BOT_SRCS += bot/template_dir.c
BOT_SRCS += bot/wrap.c
BOT_SRCS += bot/cfgparse.c
BOT_SRCS += bot/config.c
BOT_SRCS += bot/subject.c
BOT_SRCS += bot/patch.c
BOT_SRCS += bot/mail.c
BOT_SRCS += bot/mbox.c
BOT_SRCS += bot/message.c
BOT_SRCS += bot/series.c
BOT_SRCS += bot/ingest.c
BOT_SRCS += bot/digest.c
BOT_SRCS += bot/changelog.c
BOT_SRCS += bot/progress.c
BOT_SRCS += bot/schedule.c
BOT_SRCS += bot/token.c
BOT_SRCS += bot/subscriptions.c
BOT_SRCS += bot/digest_job.c
BOT_SRCS += bot/cmd_subscribers.c
BOT_SRCS += bot/cmd_ingest.c
BOT_SRCS += bot/cmd_show.c
BOT_SRCS += bot/cmd_series.c
BOT_SRCS += bot/cmd_digest.c
BOT_SRCS += bot/cmd_status.c
BOT_SRCS += bot/notify.c
BOT_SRCS += bot/series_facts.c
BOT_SRCS += bot/maintainers_source.c
BOT_SRCS += bot/cmd_rules.c
BOT_SRCS += bot/cmd_maintainers.c
BOT_SRCS += bot/compose.c
BOT_SRCS += bot/mailer.c
BOT_SRCS += bot/outbox.c
BOT_SRCS += bot/cmd_send.c
BOT_SRCS += bot/archive.c
BOT_SRCS += bot/backfill.c
BOT_SRCS += bot/loop.c
BOT_SRCS += bot/tls.c
BOT_SRCS += bot/imap.c
BOT_SRCS += bot/daemon.c
BOT_SRCS += bot/cmd_run.c
BOT_SRCS += bot/autoreply.c
BOT_SRCS += bot/command.c
BOT_SRCS += bot/replies.c
BOT_SRCS += bot/preview.c
BOT_SRCS += bot/commands.c
BOT_SRCS += bot/deliver.c
BOT_SRCS += bot/cmd_deliver.c

RULES_SRCS = rules/glob.c rules/pathindex.c rules/perlre.c rules/litscan.c \
	rules/maintainers.c rules/maintainers_git.c
RULES_SRCS += rules/keywords.c
RULES_SRCS += rules/tzdb.c
RULES_SRCS += rules/rulefile.c
RULES_SRCS += rules/match.c

SRCS = $(BOT_SRCS) $(RULES_SRCS)
OBJS = $(SRCS:%.c=$(O)/%.o)
COMMON_OBJS = $(COMMON_SRCS:%.c=$(O)/%.o)

PROGRAM = $(O)/patchletter

# --- unit tests (cmocka) ---------------------------------------------------
#
# Each test links only its module and the common helpers, so a module that
# reaches across a boundary fails to link (STYLE.md, "Modules").

# One pair of lines per test: its name, and the sources it links.
UNIT_TESTS += buf
test_buf_SRCS = $(COMMON_SRCS)
UNIT_TESTS += utf8
test_utf8_SRCS = $(COMMON_SRCS)
UNIT_TESTS += json
test_json_SRCS = $(COMMON_SRCS)
UNIT_TESTS += evidence
test_evidence_SRCS = bot/evidence.c $(COMMON_SRCS)
UNIT_TESTS += store
test_store_SRCS = $(STORE_SRCS) $(COMMON_SRCS)
UNIT_TESTS += store_match
test_store_match_SRCS = $(test_store_SRCS)
UNIT_TESTS += store_series
test_store_series_SRCS = $(test_store_SRCS)
UNIT_TESTS += template
test_template_SRCS = bot/template.c $(COMMON_SRCS)
UNIT_TESTS += template_dir
test_template_dir_SRCS = bot/template_dir.c bot/template.c $(COMMON_SRCS)
UNIT_TESTS += wrap
test_wrap_SRCS = bot/wrap.c $(COMMON_SRCS)
UNIT_TESTS += cfgparse
test_cfgparse_SRCS = bot/cfgparse.c $(COMMON_SRCS)
UNIT_TESTS += config
test_config_SRCS = bot/config.c bot/cfgparse.c $(COMMON_SRCS)
UNIT_TESTS += subject
test_subject_SRCS = bot/subject.c $(COMMON_SRCS)
UNIT_TESTS += patch
test_patch_SRCS = bot/patch.c $(COMMON_SRCS)
UNIT_TESTS += mail
test_mail_SRCS = bot/mail.c bot/person.c $(COMMON_SRCS)
UNIT_TESTS += mbox
test_mbox_SRCS = bot/mbox.c $(COMMON_SRCS)
UNIT_TESTS += changelog
test_changelog_SRCS = bot/changelog.c $(COMMON_SRCS)
UNIT_TESTS += token
test_token_SRCS = bot/token.c $(COMMON_SRCS)
UNIT_TESTS += schedule
test_schedule_SRCS = bot/schedule.c rules/tzdb.c $(COMMON_SRCS)
UNIT_TESTS += compose
test_compose_SRCS = bot/compose.c $(COMMON_SRCS)
UNIT_TESTS += outbox
test_outbox_SRCS = bot/outbox.c $(STORE_SRCS) $(COMMON_SRCS)
UNIT_TESTS += message
test_message_SRCS = bot/message.c bot/mail.c bot/subject.c bot/patch.c \
	bot/person.c $(COMMON_SRCS)
UNIT_TESTS += autoreply
test_autoreply_SRCS = bot/autoreply.c bot/mail.c bot/person.c $(COMMON_SRCS)
UNIT_TESTS += command
test_command_SRCS = bot/command.c bot/token.c bot/mail.c \
	bot/person.c $(COMMON_SRCS)
UNIT_TESTS += replies
test_replies_SRCS = bot/replies.c bot/compose.c bot/template.c \
	bot/template_dir.c bot/wrap.c bot/token.c $(COMMON_SRCS)
UNIT_TESTS += commands
test_commands_SRCS = bot/commands.c bot/command.c bot/autoreply.c \
	bot/replies.c bot/preview.c bot/digest_job.c bot/digest.c \
	bot/changelog.c bot/subscriptions.c bot/series_facts.c bot/schedule.c \
	bot/compose.c bot/template.c bot/template_dir.c bot/wrap.c \
	bot/token.c bot/config.c bot/cfgparse.c bot/ingest.c \
	bot/message.c bot/mail.c bot/subject.c bot/patch.c bot/series.c \
	bot/evidence.c $(STORE_SRCS) rules/rulefile.c rules/match.c \
	rules/keywords.c rules/tzdb.c rules/glob.c rules/pathindex.c \
	rules/perlre.c rules/litscan.c rules/maintainers.c $(COMMON_SRCS)
UNIT_TESTS += digest_job
test_digest_job_SRCS = $(test_commands_SRCS)
UNIT_TESTS += deliver
test_deliver_SRCS = bot/deliver.c $(test_commands_SRCS)
UNIT_TESTS += maintainers
test_maintainers_SRCS = rules/glob.c rules/pathindex.c rules/perlre.c \
	rules/litscan.c rules/maintainers.c $(COMMON_SRCS)
UNIT_TESTS += maintainers_git
test_maintainers_git_SRCS = rules/maintainers_git.c $(test_maintainers_SRCS)
UNIT_TESTS += notify
test_notify_SRCS = bot/notify.c $(COMMON_SRCS)
UNIT_TESTS += keywords
test_keywords_SRCS = rules/keywords.c $(COMMON_SRCS)
UNIT_TESTS += rulefile
test_rulefile_SRCS = rules/rulefile.c rules/tzdb.c bot/cfgparse.c \
	$(test_maintainers_SRCS)
UNIT_TESTS += match
test_match_SRCS = rules/match.c rules/keywords.c $(test_rulefile_SRCS)
UNIT_TESTS += archive
test_archive_SRCS = bot/archive.c $(COMMON_SRCS)

UNIT_BINS = $(UNIT_TESTS:%=$(O)/tests/unit/test_%)

# --- integration test programs -----------------------------------------------
#
# Helpers the integration tests (and benchmarks) run beside the program,
# linking only the modules they use, like the unit tests.

INTEGRATION_PROGS += imap_driver
imap_driver_SRCS = bot/imap.c bot/loop.c bot/tls.c $(STORE_SRCS) $(COMMON_SRCS)
INTEGRATION_PROGS += outbox_fill
outbox_fill_SRCS = bot/compose.c $(STORE_SRCS) \
	$(COMMON_SRCS)

INTEGRATION_BINS = $(INTEGRATION_PROGS:%=$(O)/tests/integration/%)

# --- benchmarks (make bench; not part of check) ------------------------------

BENCHES += store_bench
store_bench_SRCS = $(STORE_SRCS) $(COMMON_SRCS)
BENCHES += mail_bench
mail_bench_SRCS = bot/message.c bot/mail.c bot/subject.c bot/patch.c \
	bot/mbox.c bot/person.c $(COMMON_SRCS)
BENCHES += series_bench
series_bench_SRCS = tests/bench/series_traffic.c bot/series.c bot/evidence.c \
	bot/patch.c $(STORE_SRCS) $(COMMON_SRCS)
BENCHES += bench_maintainers
bench_maintainers_SRCS = rules/glob.c rules/pathindex.c rules/perlre.c \
	rules/litscan.c rules/maintainers.c $(COMMON_SRCS)

BENCHES += bench_match
bench_match_SRCS = rules/match.c rules/keywords.c rules/rulefile.c \
	rules/tzdb.c bot/cfgparse.c $(bench_maintainers_SRCS)

BENCHES += digest_bench
digest_bench_SRCS = $(test_commands_SRCS)

BENCH_BINS = $(BENCHES:%=$(O)/tests/bench/%)

# --- fuzzing (make fuzz; make check runs it once) ----------------------------
#
# libFuzzer needs clang. The target goes through message_parse() (mail,
# subject, patch) and mbox_split(); FUZZ_SECONDS bounds a run.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SRCS = tests/fuzz/fuzz_mail.c bot/message.c bot/mail.c bot/subject.c \
	bot/patch.c bot/mbox.c bot/person.c $(COMMON_SRCS)
FUZZ_BIN = build-fuzz/fuzz_mail
UNIT_TESTS += loop
test_loop_SRCS = bot/loop.c $(COMMON_SRCS)
UNIT_TESTS += tls
test_tls_SRCS = bot/tls.c $(COMMON_SRCS)
UNIT_TESTS += imap
test_imap_SRCS = bot/imap.c bot/loop.c bot/tls.c $(STORE_SRCS) $(COMMON_SRCS)

# --- top-level targets -----------------------------------------------------

.PHONY: all programs deps check test unit integration asan demo bench \
	bench-programs fuzz \
	install uninstall deb clean format

all: deps
	$(Q)$(MAKE) --no-print-directory programs

programs: $(PROGRAM)

deps:
	$(Q)sh packaging/deps.sh

check: deps
	$(Q)PATCHLETTER_REQUIRE=1 $(MAKE) --no-print-directory test
	$(Q)PATCHLETTER_REQUIRE=1 $(MAKE) --no-print-directory test O=build-asan \
		SANITIZE=address,undefined CFLAGS="-O1 -g"
	$(Q)$(MAKE) --no-print-directory fuzz

asan: deps
	$(Q)PATCHLETTER_REQUIRE=1 $(MAKE) --no-print-directory test O=build-asan \
		SANITIZE=address,undefined CFLAGS="-O1 -g"

test: programs $(UNIT_BINS) $(INTEGRATION_BINS)
	$(Q)sh tests/unit/run.sh $(O)
	$(Q)sh tests/integration/run.sh $(O)

unit: $(UNIT_BINS)
	$(Q)sh tests/unit/run.sh $(O)

integration: programs $(INTEGRATION_BINS)
	$(Q)sh tests/integration/run.sh $(O)

demo: deps
	$(Q)$(MAKE) --no-print-directory programs
	$(Q)sh tests/demo/demo.sh $(O)

bench: deps
	$(Q)$(MAKE) --no-print-directory programs bench-programs \
		O=build-bench CFLAGS="-O2 -g"
	$(Q)sh tests/bench/run.sh build-bench

bench-programs: $(BENCH_BINS) $(INTEGRATION_BINS)
bench-programs: $(O)/tests/unit/test_archive

fuzz: deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BIN)
	$(Q)sh tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# --- building --------------------------------------------------------------

$(PROGRAM): $(OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

define unit_test_rule
$(O)/tests/unit/test_$(1): $(O)/tests/unit/test_$(1).o \
		$$(test_$(1)_SRCS:%.c=$(O)/%.o)
	@echo "  LD      $$@"
	$(Q)$$(CC) $$(ALL_CFLAGS) $$(ALL_LDFLAGS) -o $$@ $$^ \
		$$(PKG_LIBS) -lcmocka
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_test_rule,$(t))))

define integration_rule
$(O)/tests/integration/$(1): $(O)/tests/integration/$(1).o \
		$$($(1)_SRCS:%.c=$(O)/%.o)
	@echo "  LD      $$@"
	$(Q)$$(CC) $$(ALL_CFLAGS) $$(ALL_LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach p,$(INTEGRATION_PROGS),$(eval $(call integration_rule,$(p))))

define bench_rule
$(O)/tests/bench/$(1): $(O)/tests/bench/$(1).o $$($(1)_SRCS:%.c=$(O)/%.o)
	@echo "  LD      $$@"
	$(Q)$$(CC) $$(ALL_CFLAGS) $$(ALL_LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach b,$(BENCHES),$(eval $(call bench_rule,$(b))))

# One clang call: the sanitizers and libFuzzer's coverage reach every file.
$(FUZZ_BIN): $(FUZZ_SRCS) $(wildcard bot/*.h)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) -std=c11 -D_GNU_SOURCE $(WARNINGS) \
		-Wno-format-nonliteral -Ibot -g -O1 \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$(shell pkg-config --cflags libetpan) -o $@ $(FUZZ_SRCS) \
		$(filter-out -specs=%,$(shell pkg-config --libs libetpan))

# --- installing ------------------------------------------------------------

MAN1 = packaging/man/patchletter.1
MAN5 = packaging/man/patchletter.conf.5 packaging/man/patchletter-rules.5

install: programs
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/templates \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(PROGRAM) $(DESTDIR)$(BINDIR)/patchletter
	install -m 644 templates/* $(DESTDIR)$(DATADIR)/templates/
	install -m 644 packaging/patchletter.conf \
		$(DESTDIR)$(DATADIR)/patchletter.conf.example
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/patchletter
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(MAN1:packaging/man/%=$(DESTDIR)$(MANDIR)/man1/%) \
		$(MAN5:packaging/man/%=$(DESTDIR)$(MANDIR)/man5/%)

# The .deb of the committed tree plus uncommitted changes to tracked files,
# built and unit-tested by dpkg-buildpackage in build-deb/ (not part of
# all: it needs debhelper; tests/integration/t910-deb.sh runs it).
deb:
	$(Q)sh packaging/build-deb.sh $(VERSION)

clean:
	rm -rf build build-asan build-fuzz build-bench build-deb

format:
	clang-format -i $(wildcard bot/*.[ch] rules/*.[ch] tests/unit/*.[ch] \
		tests/fuzz/*.c tests/bench/*.c tests/integration/*.c)

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d) $(BENCH_BINS:=.d) \
	$(INTEGRATION_BINS:=.d)
