# patchletter: a plain GNU Makefile (STYLE.md, "Build").
#
#   make            build $(O)/patchletter (O=build by default)
#   make check      the whole test suite, then the same suite under ASan+UBSan
#   make asan       only the sanitizer run
#   make demo       ingest the sample list mail and print a digest
#   make bench      benchmarks (not part of check)
#   make deps       install missing Debian packages (idempotent, silent)
#   make install    PREFIX=/usr/local DESTDIR=
#   make format     clang-format every C file
#
# Build variables: O (output folder), SANITIZE (e.g. address,undefined),
# CC, CFLAGS, LDFLAGS. V=1 shows the commands.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/patchletter
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR    ?=

O        ?= build
SANITIZE ?=
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
	      $(PKG_CFLAGS) $(CFLAGS)
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

# One module a line, so that merges stay easy.
BOT_SRCS = $(COMMON_SRCS)
BOT_SRCS += bot/main.c
BOT_SRCS += bot/cli.c
BOT_SRCS += bot/person.c
BOT_SRCS += bot/evidence.c
BOT_SRCS += bot/store.c
BOT_SRCS += bot/template.c
BOT_SRCS += bot/template_dir.c
BOT_SRCS += bot/wrap.c
BOT_SRCS += bot/loop.c
BOT_SRCS += bot/tls.c
BOT_SRCS += bot/imap.c

RULES_SRCS =

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
test_store_SRCS = bot/store.c bot/person.c $(COMMON_SRCS)
UNIT_TESTS += template
test_template_SRCS = bot/template.c $(COMMON_SRCS)
UNIT_TESTS += template_dir
test_template_dir_SRCS = bot/template_dir.c bot/template.c $(COMMON_SRCS)
UNIT_TESTS += wrap
test_wrap_SRCS = bot/wrap.c $(COMMON_SRCS)
UNIT_TESTS += loop
test_loop_SRCS = bot/loop.c $(COMMON_SRCS)
UNIT_TESTS += tls
test_tls_SRCS = bot/tls.c $(COMMON_SRCS)
UNIT_TESTS += imap
test_imap_SRCS = bot/imap.c bot/loop.c bot/tls.c bot/store.c bot/person.c \
	$(COMMON_SRCS)

UNIT_BINS = $(UNIT_TESTS:%=$(O)/tests/unit/test_%)

# Programs the integration tests and benchmarks run, built with `make`:
# $(O)/tests/integration/NAME from tests/integration/NAME.c.
TEST_PROGRAMS += imap_driver
imap_driver_SRCS = bot/imap.c bot/loop.c bot/tls.c bot/store.c \
	bot/person.c $(COMMON_SRCS)

TEST_PROGRAM_BINS = $(TEST_PROGRAMS:%=$(O)/tests/integration/%)

# --- top-level targets -----------------------------------------------------

.PHONY: all programs deps check test unit integration asan demo bench \
	install uninstall clean format

all: deps
	$(Q)$(MAKE) --no-print-directory programs

programs: $(PROGRAM) $(TEST_PROGRAM_BINS)

deps:
	$(Q)sh packaging/deps.sh

check: deps
	$(Q)PATCHLETTER_REQUIRE=1 $(MAKE) --no-print-directory test
	$(Q)PATCHLETTER_REQUIRE=1 $(MAKE) --no-print-directory test O=build-asan \
		SANITIZE=address,undefined CFLAGS="-O1 -g"

asan: deps
	$(Q)PATCHLETTER_REQUIRE=1 $(MAKE) --no-print-directory test O=build-asan \
		SANITIZE=address,undefined CFLAGS="-O1 -g"

test: programs $(UNIT_BINS)
	$(Q)sh tests/unit/run.sh $(O)
	$(Q)sh tests/integration/run.sh $(O)

unit: $(UNIT_BINS)
	$(Q)sh tests/unit/run.sh $(O)

integration: programs
	$(Q)sh tests/integration/run.sh $(O)

demo: deps
	$(Q)$(MAKE) --no-print-directory programs
	$(Q)sh tests/demo/demo.sh $(O)

bench: deps
	$(Q)$(MAKE) --no-print-directory programs
	$(Q)sh tests/bench/run.sh $(O)

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

define test_program_rule
$(O)/tests/integration/$(1): $(O)/tests/integration/$(1).o \
		$$($(1)_SRCS:%.c=$(O)/%.o)
	@echo "  LD      $$@"
	$(Q)$$(CC) $$(ALL_CFLAGS) $$(ALL_LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach t,$(TEST_PROGRAMS),$(eval $(call test_program_rule,$(t))))

# --- installing ------------------------------------------------------------

install: programs
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/templates
	install -m 755 $(PROGRAM) $(DESTDIR)$(BINDIR)/patchletter
	install -m 644 templates/* $(DESTDIR)$(DATADIR)/templates/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/patchletter
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan build-fuzz build-bench

format:
	clang-format -i $(wildcard bot/*.[ch] rules/*.[ch] tests/unit/*.[ch] \
		tests/fuzz/*.c tests/bench/*.c tests/integration/*.c)

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d) $(TEST_PROGRAM_BINS:=.d)
