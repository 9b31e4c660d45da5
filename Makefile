# doorstep: one Makefile for both programs and the whole test suite.
#
#   make            build doorstep and doorstep-office (build/rel)
#   make deps       install the Debian packages this project needs
#   make test       plain build, whole suite (and builds MODE=cov, unrun)
#   make check      ASan+UBSan build, whole suite
#   make fuzz       libFuzzer targets (clang) under build/fuzz
#   make bench      benchmark programs (tests/bench)
#   make lint       layer check and cppcheck (both also run in make test)
#   make mutants FILE=sync/receipt.c [FUNC=receipt_open]
#                   mutation testing of one file (docs/testing.md); slow,
#                   never part of make test
#
# Sources are found by wildcard, so a new module or test needs no edit here:
#   src/*.c     field-app library (main.c and cmd_*.c are the program)
#   sync/*.c    sync library (office_main.c and ocmd_*.c are the program)
#   tests/unit/test_*.c      one executable each, linked with both libraries
#   tests/fuzz/fuzz_*.c      libFuzzer targets; corpora in tests/fuzz/corpus/NAME
#   tests/bench/bench_*.c    benchmark programs

PKGS = ncursesw sqlite3 libsodium zlib libmicrohttpd libcurl xlsxwriter freexl libgps \
       libzip expat jansson gnutls libpq

# Debian 12 package names for `make deps` (build, libraries, test tools).
DEB_PKGS = build-essential pkg-config clang libclang-rt-14-dev tmux gettext cppcheck \
	locales libncurses-dev libsqlite3-dev libsodium-dev zlib1g-dev \
	libmicrohttpd-dev libcurl4-gnutls-dev libxlsxwriter-dev libzip-dev \
	libexpat1-dev libjansson-dev libfreexl-dev libgps-dev gpsd gpsd-clients sqlite3 libpq-dev postgresql valgrind xxd libgnutls28-dev openssl \
	dpkg-dev debhelper fakeroot adduser man-db groff-base systemd \
	libreadstat-dev readstat unzip

CC ?= cc
ifeq ($(origin CC),default)
CC = cc
endif

WARN = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wmissing-declarations -Wwrite-strings \
	-Wpointer-arith -Wformat=2 -Wundef -Wcast-qual -Wvla \
	-Wimplicit-fallthrough -Wold-style-definition -Wno-format-truncation
ifeq ($(CI),true)
WERROR = -Werror
endif
WERROR ?= -Werror

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# Where the programs find translations, shipped forms, settings and
# defaults.  A build in the source tree points at the tree; make install
# builds again under build/inst with the installed places (util.h).
PREFIX ?= /usr/local
ifeq ($(PREFIX),/usr)
SYSCONFDIR ?= /etc
UNITDIR ?= /lib/systemd/system
else
SYSCONFDIR ?= $(PREFIX)/etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
endif
BINDIR = $(PREFIX)/bin
SHAREDIR = $(PREFIX)/share/doorstep
MANDIR = $(PREFIX)/share/man
SYSUSERSDIR = $(PREFIX)/lib/sysusers.d
ifeq ($(DS_INSTALL),1)
LOCALEDIR = $(PREFIX)/share/locale
DS_PATHS = -DDS_FORMSDIR='"$(SHAREDIR)/forms"' \
	-DDS_SETTINGSDIR='"$(SHAREDIR)/settings"' \
	-DDS_DEMODIR='"$(SHAREDIR)/demo"' \
	-DDS_SYSCONFDIR='"$(SYSCONFDIR)/doorstep"'
else
LOCALEDIR ?= $(abspath build/locale)
DS_PATHS = -DDS_FORMSDIR='"$(abspath forms)"' \
	-DDS_SETTINGSDIR='"$(abspath forms/settings)"' \
	-DDS_DEMODIR='"$(abspath forms/demo)"' \
	-DDS_SYSCONFDIR='"$(abspath build/etc)"'
# A build in the tree is a test build: it offers the test-only KDF cost
# (docs/keys.md); an installed one never does.
DS_PATHS += -DDS_TEST_KDF
endif

CPPFLAGS_ALL = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DDS_VERSION='"$(VERSION)"' -DDS_LOCALEDIR='"$(LOCALEDIR)"' \
	$(DS_PATHS) -Isrc -Isync $(PKG_CFLAGS)
VERSION = 0.1.0

MODE ?= rel
ifeq ($(MODE),rel)
OPT = -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong
endif
ifeq ($(MODE),asan)
# Stack variables start as 0xfe bytes, not as whatever was there: a byte
# left unset (and read) differs from the zero it usually happens to be.
OPT = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -ftrivial-auto-var-init=pattern
endif
ifeq ($(MODE),fuzz)
CC = clang
OPT = -O1 -g -Wno-unknown-warning-option -fsanitize=fuzzer-no-link,address,undefined \
	-fno-omit-frame-pointer
# clang 14 does not know this gcc-only option
WARN := $(filter-out -Wno-format-truncation,$(WARN))
endif
ifeq ($(MODE),cov)
OPT = -O0 -g --coverage -DDS_COVERAGE
endif

ifeq ($(DS_INSTALL),1)
B = build/inst
else
B = build/$(MODE)
endif
ALL_CFLAGS = $(WARN) $(WERROR) $(OPT) $(CPPFLAGS_ALL) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lreadstat -lm -lpthread

APP_MAIN = src/main.c $(wildcard src/cmd_*.c)
OFFICE_MAIN = sync/office_main.c $(wildcard sync/ocmd_*.c)
LIB_SRC = $(filter-out $(APP_MAIN),$(wildcard src/*.c))
SYNC_SRC = $(filter-out $(OFFICE_MAIN),$(wildcard sync/*.c))
TEST_SRC = $(wildcard tests/unit/test_*.c)
TEST_SUPPORT = $(wildcard tests/support/*.c)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRC = $(wildcard tests/bench/bench_*.c)

LIB_OBJ = $(LIB_SRC:%.c=$(B)/%.o)
SYNC_OBJ = $(SYNC_SRC:%.c=$(B)/%.o)
APP_OBJ = $(APP_MAIN:%.c=$(B)/%.o)
OFFICE_OBJ = $(OFFICE_MAIN:%.c=$(B)/%.o)
SUPPORT_OBJ = $(TEST_SUPPORT:%.c=$(B)/%.o)
TEST_BIN = $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)
REPLAY_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(B)/tests/replay_%)
BENCH_BIN = $(BENCH_SRC:tests/bench/%.c=$(B)/bench/%)

# The sync library sits above src/; both programs link both archives.
LIBS_A = $(B)/libdssync.a $(B)/libdoorstep.a
# The TUI (libdoorstep) calls the packer (libdssync): link as a group.
LINK_LIBS = -Wl,--start-group $(LIBS_A) -Wl,--end-group

.PHONY: all test check fuzz bench lint lint-layers clean deps demo programs \
	tests locale torture install install-build package-test mutants

all: programs

programs: $(B)/doorstep $(B)/doorstep-office doorstep doorstep-office locale

# Convenience links at the top level for the release build only.
doorstep: $(B)/doorstep
	@if [ "$(MODE)" = rel ]; then ln -sf $(B)/doorstep doorstep; fi
doorstep-office: $(B)/doorstep-office
	@if [ "$(MODE)" = rel ]; then ln -sf $(B)/doorstep-office doorstep-office; fi

# V=1 shows whole command lines.
ifeq ($(V),1)
Q =
else
Q = @
endif

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/libdoorstep.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/libdssync.a: $(SYNC_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/doorstep: $(APP_OBJ) $(LIBS_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(APP_OBJ) $(LINK_LIBS) \
	  $(LDLIBS_ALL)

$(B)/doorstep-office: $(OFFICE_OBJ) $(LIBS_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OFFICE_OBJ) $(LINK_LIBS) \
	  $(LDLIBS_ALL)

$(B)/tests/%: tests/unit/%.c $(SUPPORT_OBJ) $(LIBS_A)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests -MMD -MP -o $@ $< $(SUPPORT_OBJ) $(LINK_LIBS) $(LDLIBS_ALL)

$(B)/tests/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(SUPPORT_OBJ) $(LIBS_A)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests -o $@ $< tests/fuzz/replay.c $(SUPPORT_OBJ) $(LINK_LIBS) $(LDLIBS_ALL)

$(B)/bench/%: tests/bench/%.c $(SUPPORT_OBJ) $(LIBS_A)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(SUPPORT_OBJ) $(LINK_LIBS) $(LDLIBS_ALL)

# Translations: po/LANG.po -> build/locale/LANG/LC_MESSAGES/doorstep.mo
PO = $(wildcard po/*.po)
MO = $(PO:po/%.po=build/locale/%/LC_MESSAGES/doorstep.mo)
locale: $(MO)
build/locale/%/LC_MESSAGES/doorstep.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt -c -o $@ $<

# Test tools (tests/mutants/mutate.c): host programs, no project library.
TOOL_BIN = $(B)/tools/mutate
$(B)/tools/%: tests/mutants/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(WARN) $(WERROR) $(OPT) -D_POSIX_C_SOURCE=200809L -o $@ $<

tests: programs $(TEST_BIN) $(REPLAY_BIN) $(TOOL_BIN)

# Every build mode must keep compiling: the -O0 coverage build is
# compiled and linked here (not run), as asan and fuzz are by check/fuzz.
test:
	$(MAKE) MODE=rel tests
	$(MAKE) MODE=cov tests
	MODE=rel tests/run.sh

check:
	$(MAKE) MODE=asan tests
	MODE=asan ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1 tests/run.sh

torture:
	$(MAKE) MODE=asan tests
	MODE=asan DS_TORTURE=1 tests/run.sh unit

# make mutants FILE=src/cry.c [FUNC=f,g] [LINES=A-B] [OPS=cnakdi] [BUDGET=s]
# [IDS=id,id] [MODE=asan]
mutants:
	$(MAKE) MODE=$(MODE) $(B)/tools/mutate
	MODE=$(MODE) FUNC='$(FUNC)' LINES='$(LINES)' OPS='$(OPS)' \
	  BUDGET='$(BUDGET)' IDS='$(IDS)' tests/mutants/run.sh $(FILE)

bench:
	$(MAKE) MODE=rel programs $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; done

FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/bin/%)
fuzz:
	$(MAKE) MODE=fuzz $(FUZZ_BIN)
	@echo "run: build/fuzz/bin/NAME tests/fuzz/corpus/NAME -max_total_time=60"

build/fuzz/bin/%: tests/fuzz/%.c $(SUPPORT_OBJ) $(LIBS_A)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -Itests -o $@ $< $(SUPPORT_OBJ) \
	  $(LINK_LIBS) $(LDLIBS_ALL)

lint: lint-layers
	@tests/lint-cppcheck.sh

lint-layers:
	@tests/lint-layers.sh

deps:
	@tests/deps.sh $(DEB_PKGS)

# A demo office and workspace with the household form and sample households,
# then the app, unlocked (forms/demo/demo.sh prints the demo passphrase).
demo:
	$(MAKE) MODE=rel programs
	@sh forms/demo/demo.sh

# Installed paths are compiled in: rebuild when PREFIX or SYSCONFDIR change.
install-build:
	@if [ "$$(cat build/inst/.paths 2>/dev/null)" != \
	  "$(PREFIX) $(SYSCONFDIR)" ]; then rm -rf build/inst; \
	  mkdir -p build/inst; echo "$(PREFIX) $(SYSCONFDIR)" >build/inst/.paths; fi
	$(MAKE) DS_INSTALL=1 build/inst/doorstep build/inst/doorstep-office locale

# Laptop: the program, forms, demo, translations, man page.  Office: the
# program, settings, defaults in SYSCONFDIR/doorstep, the systemd unit and
# its user.  debian/*.install split them into the two packages.
install: install-build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/forms \
	  $(DESTDIR)$(SHAREDIR)/demo $(DESTDIR)$(SHAREDIR)/settings \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(SYSCONFDIR)/doorstep \
	  $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 755 build/inst/doorstep build/inst/doorstep-office \
	  $(DESTDIR)$(BINDIR)
	install -m 644 forms/*.md forms/*.csv $(DESTDIR)$(SHAREDIR)/forms
	install -m 644 forms/demo/*.json $(DESTDIR)$(SHAREDIR)/demo
	install -m 755 forms/demo/demo.sh $(DESTDIR)$(SHAREDIR)/demo
	for f in forms/settings/*.json; do [ -f "$$f" ] || continue; \
	  install -m 644 "$$f" $(DESTDIR)$(SHAREDIR)/settings || exit 1; done
	for m in $(MO); do l=$${m#build/locale/}; \
	  install -D -m 644 $$m $(DESTDIR)$(PREFIX)/share/locale/$$l || exit 1; \
	done
	install -m 644 docs/man/doorstep.1 docs/man/doorstep-office.1 \
	  $(DESTDIR)$(MANDIR)/man1
	install -m 644 sync/dist/office.conf $(DESTDIR)$(SYSCONFDIR)/doorstep
	sed 's|@BINDIR@|$(BINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	  sync/dist/doorstep-office.service \
	  >$(DESTDIR)$(UNITDIR)/doorstep-office.service
	chmod 644 $(DESTDIR)$(UNITDIR)/doorstep-office.service
	install -m 644 sync/dist/sysusers.conf \
	  $(DESTDIR)$(SYSUSERSDIR)/doorstep-office.conf

package-test:
	@tests/package/package-test.sh

clean:
	rm -rf build doorstep doorstep-office

-include $(shell find build -name '*.d' 2>/dev/null)
