# cdpmock - a fake Chrome for testing CDP clients.  Plain GNU make.
#   make run | test | valgrind | asan | bench | fuzz | conformance | install | deb | clean
# Project flags live in P_*; CFLAGS/LDFLAGS are the user's.

BUILD    ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
WERROR   ?= -Werror
PREFIX   ?= /usr/local
DESTDIR  ?=
SAN      ?=
V        ?= 0

ifeq ($(V),0)
Q := @
else
Q :=
endif

PKGS     := libwebsockets jansson zlib libmd libisal
P_WARN   := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 $(WERROR)
P_CPP    := -D_GNU_SOURCE -Ilib -Iserver -Iclients/c -Iselfcheck -I$(BUILD)/gen -MMD -MP
# Recursive (=) so pkg-config runs after tools/deps.sh has installed things.
P_CFLAGS  = $(P_WARN) $(P_CPP) $(SAN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
P_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
# The server links no libwebsockets: it speaks HTTP and WebSocket itself
# (server/net/), and every library it loads costs startup time.
P_SRV_LIBS = $(shell pkg-config --libs $(filter-out libwebsockets,$(PKGS)) 2>/dev/null) -lm
P_CHECK   = $(shell pkg-config --cflags --libs check 2>/dev/null)

LIB_SRC     := $(wildcard lib/*.c)
SERVER_SRC  := $(filter-out server/main.c,$(wildcard server/*.c server/*/*.c server/domains/tracing/*.c))
CLIENT_SRC  := $(filter-out clients/c/cdpcli.c clients/c/adapter.c,$(wildcard clients/c/*.c))
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
# Shared fakes of the unit suites (every other tests/unit/*.c but the runner).
UNIT_LIB    := $(filter-out $(UNIT_SRC) tests/unit/main.c,$(wildcard tests/unit/*.c))
INTEG_SRC   := $(wildcard tests/integration/*.c)
CONFORM_SRC := $(wildcard conformance/*.c)
# The scenario check runner: cdpmock --self-check and the integration suites.
SELFCHECK_SRC := $(filter-out selfcheck/main.c,$(wildcard selfcheck/*.c))

# Generated from the vendored devtools-protocol descriptor (see third_party/).
PROTO_JSON  := third_party/devtools-protocol/protocol.json
GEN_SRC     :=
GEN_OBJ     :=
ifneq ($(wildcard tools/protogen.c),)
GEN_SRC     += $(BUILD)/gen/protocol_table.c
endif
ifneq ($(wildcard $(PROTO_JSON)),)
GEN_OBJ     += $(BUILD)/gen/protocol_blob.o
endif

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIB_OBJ     := $(call obj,$(LIB_SRC))
SERVER_OBJ  := $(call obj,$(SERVER_SRC)) $(patsubst %.c,%.o,$(GEN_SRC)) $(GEN_OBJ)
CLIENT_OBJ  := $(call obj,$(CLIENT_SRC))
SELFCHECK_OBJ := $(call obj,$(SELFCHECK_SRC))
DEPS_STAMP  := $(BUILD)/.deps-ok

BINS := $(BUILD)/cdpmock $(BUILD)/cdpcli
ifneq ($(CONFORM_SRC),)
BINS += $(BUILD)/cdpconform
endif
# The reference adapter (clients/c/adapter/adapter.json runs it); built, not installed.
ADAPTER_BIN := $(if $(wildcard clients/c/adapter.c),$(BUILD)/cdpc-adapter)

.PHONY: all run test layers unit integration node-test conform-test fuzz-test fuzz-clients fuzz-c valgrind \
        asan bench fuzz fuzz-build fuzz-replay soak conformance conformance-baselines install \
        install-test guide-test clean deps node-deps consumer-deps consumer-test consumers-chrome \
        selfcheck-test deb
.DEFAULT_GOAL := all

all: $(BINS) $(BUILD)/cdpmock-selfcheck $(ADAPTER_BIN)

deps: $(DEPS_STAMP)
$(DEPS_STAMP): tools/deps.sh
	$(Q)sh tools/deps.sh
	$(Q)mkdir -p $(@D) && touch $@

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $<"
	$(Q)$(CC) $(P_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c | $(DEPS_STAMP)
	@[ "$(V)" != 0 ] || echo "  CC      $<"
	$(Q)$(CC) $(P_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/protogen: tools/protogen.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  HOSTCC  $<"
	$(Q)$(CC) $(P_WARN) $(P_CPP) -O1 -g -o $@ $< $(P_LIBS)

$(BUILD)/gen/protocol_table.c: $(BUILD)/protogen $(PROTO_JSON)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  GEN     $@"
	$(Q)$(BUILD)/protogen $(PROTO_JSON) > $@.tmp && mv $@.tmp $@

# The descriptor is served as-is by /json/protocol: embed its bytes, parse nothing.
$(BUILD)/gen/protocol_blob.o: $(PROTO_JSON) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  BLOB    $<"
	$(Q)printf '\t.section .rodata\n\t.global protocol_blob\n\t.global protocol_blob_end\n\t.balign 16\nprotocol_blob:\n\t.incbin "%s"\nprotocol_blob_end:\n\t.byte 0\n\t.section .note.GNU-stack,"",@progbits\n' "$(abspath $(PROTO_JSON))" > $(BUILD)/gen/protocol_blob.S
	$(Q)$(CC) $(SAN) -c -o $@ $(BUILD)/gen/protocol_blob.S

$(call obj,$(SERVER_SRC) server/main.c $(UNIT_SRC) $(UNIT_LIB)): $(GEN_SRC)

$(BUILD)/libcdpm.a: $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/cdpmock: $(BUILD)/server/main.o $(SERVER_OBJ) $(BUILD)/libcdpm.a
	@[ "$(V)" != 0 ] || echo "  LD      $@"
	$(Q)$(CC) $(SAN) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(P_SRV_LIBS)
$(BUILD)/server/main.o: P_CPP += -DCDPM_LIBEXEC_DIR='"$(PREFIX)/lib/cdpmock"'

# `cdpmock --self-check` execs this: the check runner is a CDP client.
$(BUILD)/cdpmock-selfcheck: $(BUILD)/selfcheck/main.o $(SELFCHECK_OBJ) $(CLIENT_OBJ) $(BUILD)/libcdpm.a
	@[ "$(V)" != 0 ] || echo "  LD      $@"
	$(Q)$(CC) $(SAN) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(P_LIBS)

$(BUILD)/cdpcli: $(BUILD)/clients/c/cdpcli.o $(CLIENT_OBJ) $(BUILD)/libcdpm.a
	@[ "$(V)" != 0 ] || echo "  LD      $@"
	$(Q)$(CC) $(SAN) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(P_LIBS)

# cdpconform fuzz reads the same protocol descriptor cdpmock serves.
$(BUILD)/cdpconform: $(call obj,$(CONFORM_SRC)) $(CLIENT_OBJ) $(GEN_OBJ) $(BUILD)/libcdpm.a
	@[ "$(V)" != 0 ] || echo "  LD      $@"
	$(Q)$(CC) $(SAN) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(P_LIBS)

$(BUILD)/cdpc-adapter: $(BUILD)/clients/c/adapter.o $(CLIENT_OBJ) $(BUILD)/libcdpm.a
	@[ "$(V)" != 0 ] || echo "  LD      $@"
	$(Q)$(CC) $(SAN) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(P_LIBS)

# Each tests/unit/test_X.c exports X_suite(); the runner is generated from them.
$(BUILD)/gen/suites.h: $(UNIT_SRC) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)sed -n 's/^Suite \*\([a-z0-9_]*_suite\)(void)$$/SUITE(\1)/p' $(sort $(UNIT_SRC)) > $@.tmp && mv $@.tmp $@
$(BUILD)/tests/unit/main.o: $(BUILD)/gen/suites.h
INTEG_TESTS := $(wildcard tests/integration/test_*.c)
$(BUILD)/gen/isuites.h: $(INTEG_TESTS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)sed -n 's/^Suite \*\([a-z0-9_]*_suite\)(void)$$/SUITE(\1)/p' $(sort $(INTEG_TESTS)) > $@.tmp && mv $@.tmp $@
$(BUILD)/tests/integration/main.o: $(BUILD)/gen/isuites.h

# Each server/domains/X.c defines "const struct domain X_domain = {"; the
# domain table (server/domains/domains.c) is generated from those lines.
DOMAIN_SRC := $(wildcard server/domains/*.c server/domains/*/*.c)
$(BUILD)/gen/domain_list.h: $(DOMAIN_SRC) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)sed -n 's/^const struct domain \([a-z0-9_]*_domain\) = {$$/DOMAIN(\1)/p' $(sort $(DOMAIN_SRC)) > $@.tmp && mv $@.tmp $@
$(BUILD)/server/domains/domains.o: $(BUILD)/gen/domain_list.h

# The runner's pieces but its main(), for the unit suites of conformance/.
CONFORM_LIB_OBJ := $(call obj,$(filter-out conformance/main.c,$(CONFORM_SRC)))
$(BUILD)/check_unit: $(call obj,$(UNIT_SRC) $(UNIT_LIB) tests/unit/main.c) $(SERVER_OBJ) $(CLIENT_OBJ) $(CONFORM_LIB_OBJ) $(BUILD)/libcdpm.a
	@[ "$(V)" != 0 ] || echo "  LD      $@"
	$(Q)$(CC) $(SAN) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(P_CHECK) $(P_LIBS)

$(BUILD)/check_integration: $(call obj,$(INTEG_SRC)) $(SELFCHECK_OBJ) $(CLIENT_OBJ) $(BUILD)/libcdpm.a
	@[ "$(V)" != 0 ] || echo "  LD      $@"
	$(Q)$(CC) $(SAN) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(P_CHECK) $(P_LIBS)

run: all
	$(BUILD)/cdpmock -v --remote-debugging-port=$${PORT:-9222} --journal-ring 4194304 $(if $(wildcard scenarios/default.json),--scenario scenarios/default.json)

unit: $(BUILD)/check_unit
	$(Q)CK_DEFAULT_TIMEOUT=60 $(BUILD)/check_unit

integration: all $(BUILD)/check_integration
	$(Q)CK_DEFAULT_TIMEOUT=120 CDPMOCK_BIN=$(abspath $(BUILD)/cdpmock) \
	  CDPCLI_BIN=$(abspath $(BUILD)/cdpcli) CDPM_SRCDIR=$(CURDIR) $(BUILD)/check_integration

node-deps: clients/node/node_modules/.package-lock.json
clients/node/node_modules/.package-lock.json: clients/node/package-lock.json | $(DEPS_STAMP)
	$(Q)sh tools/deps.sh node
	$(Q)cd clients/node && npm ci --no-audit --no-fund --loglevel=error

# The Node suites, then the examples of clients/node/examples/ (one per client,
# as a user would copy them), all with the helper clients/node/cdpmock.js.
node-test: all node-deps
	$(Q)CDPMOCK_BIN=$(abspath $(BUILD)/cdpmock) node --test clients/node/test/*.test.js \
	  clients/node/examples/*.test.js

# The trace consumers (tests/consumers/): cdpmock's traces and profiles in
# the real analysis tools, pinned in their own lockfile; and the same
# recordings from a real Chromium beside them (slow: not in `make test`).
consumer-deps: tests/consumers/node_modules/.package-lock.json
tests/consumers/node_modules/.package-lock.json: tests/consumers/package-lock.json | $(DEPS_STAMP)
	$(Q)sh tools/deps.sh node
	$(Q)cd tests/consumers && npm ci --no-audit --no-fund --loglevel=error
consumer-test: all consumer-deps
	$(Q)CDPMOCK_BIN=$(abspath $(BUILD)/cdpmock) node --test tests/consumers/*.test.mjs
consumers-chrome: all consumer-deps
	$(Q)CDPMOCK_BIN=$(abspath $(BUILD)/cdpmock) node tests/consumers/compare.mjs

# The layer check: no #include runs from a lower layer up to a higher one
# (tools/layers.sh has the stack); its own test shows it catches one.
layers:
	$(Q)sh tools/layers.sh
	$(Q)sh tests/layers/test_layers.sh

# The conformance runner judged by itself: the reference adapter passes every
# judged scenario, each broken adapter fails with exactly its check, and no
# process is left behind (tests/conformance/run.sh).
CONFORM_ENV = CDPMOCK_BIN=$(abspath $(BUILD)/cdpmock) CDPC_ADAPTER_BIN=$(abspath $(BUILD)/cdpc-adapter)
conform-test: all node-deps
	$(Q)$(CONFORM_ENV) sh tests/conformance/run.sh $(abspath $(BUILD)/cdpconform) $(BUILD)/conform-test

test: layers unit integration selfcheck-test install-test node-test consumer-test guide-test \
      fuzz-replay conform-test fuzz-test

# Every shell block of docs/guide.md, in order; its code blocks are excerpts
# of tested files (tests/guide/run.sh).
guide-test: all node-deps
	$(Q)sh tests/guide/run.sh $(CURDIR)

# make install into a temporary DESTDIR, and the installed cdpmock finds its
# scenario library by name (tests/install/run.sh).
install-test: all
	$(Q)sh tests/install/run.sh $(CURDIR)

# cdpmock --self-check from outside (tests/selfcheck/run.sh): its transcripts,
# where deliberately wrong scenarios fail and name the step.  Every library
# scenario passing through it is a case of the integration suite.
selfcheck-test: all $(BUILD)/differential
	$(Q)sh tests/selfcheck/run.sh $(abspath $(BUILD)/cdpmock)
	$(Q)sh tests/differential/selftest.sh $(BUILD)

# cdpconform fuzz finds and shrinks the planted bugs of two fragile adapters
# (tests/conformance/fuzz.sh, under a minute).
fuzz-test: all node-deps
	$(Q)$(CONFORM_ENV) sh tests/conformance/fuzz.sh $(abspath $(BUILD)/cdpconform) $(BUILD)/fuzz-test

# cdpconform fuzz against the popular Node clients (not in CI): one task each
# (CLIENT:TASK), FUZZ_CLIENT_SECONDS each; findings in build/fuzz-clients/.
FUZZ_CLIENT_SECONDS ?= 600
FUZZ_CLIENTS ?= puppeteer-core:trace-stream playwright-core:profile chrome-remote-interface:trace-events
fuzz-clients: all node-deps
	$(Q)st=0; for c in $(FUZZ_CLIENTS); do \
	  $(CONFORM_ENV) $(BUILD)/cdpconform fuzz clients/node/$${c%%:*} --task $${c#*:} -j2 \
	    --time $(FUZZ_CLIENT_SECONDS) --logs $(BUILD)/fuzz-clients/logs \
	    --findings $(BUILD)/fuzz-clients/findings --json $(BUILD)/fuzz-clients/$${c%%:*}.json; \
	  [ $$? -le 1 ] || st=1; \
	done; exit $$st

# cdpconform fuzz against the reference C client (not in CI): FUZZ_C_CASES
# in all, shared by FUZZ_C_TASKS, from FUZZ_C_SEED, guided by the gcov
# coverage of a --coverage build of the adapter (build-cov/); fails on a
# crash, hang, silent-corruption or leak finding.  Reports in build/fuzz-c/.
# FUZZ_C_SECONDS (0: none) bounds the run's time as well.
FUZZ_C_CASES ?= 10000
FUZZ_C_SECONDS ?= 0
FUZZ_C_SEED  ?= 1
FUZZ_C_JOBS  ?= 2
FUZZ_C_TASKS ?= trace-events trace-stream trace-gzip trace-twice profile console-profile coverage
fuzz-c: all
	$(Q)$(MAKE) --no-print-directory BUILD=build-cov CFLAGS="-O1 -g --coverage" \
	  LDFLAGS=--coverage build-cov/cdpc-adapter
	$(Q)CDPMOCK_BIN=$(abspath $(BUILD)/cdpmock) FUZZ_C_SECONDS=$(FUZZ_C_SECONDS) \
	  sh tests/conformance/fuzz-c.sh \
	  $(abspath $(BUILD)/cdpconform) $(abspath build-cov/cdpc-adapter) $(BUILD)/fuzz-c \
	  $(FUZZ_C_CASES) $(FUZZ_C_SEED) $(FUZZ_C_JOBS) $(FUZZ_C_TASKS)

VG := valgrind --quiet --error-exitcode=99 --leak-check=full \
      --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
valgrind: all $(BUILD)/check_unit $(BUILD)/check_integration
	$(Q)CK_FORK=no CK_DEFAULT_TIMEOUT=600 $(VG) $(BUILD)/check_unit
	$(Q)CK_DEFAULT_TIMEOUT=600 CDPMOCK_WRAP="$(VG)" CDPMOCK_BIN=$(abspath $(BUILD)/cdpmock) \
	  CDPM_SLOW=1 CDPCLI_BIN=$(abspath $(BUILD)/cdpcli) CDPM_SRCDIR=$(CURDIR) $(BUILD)/check_integration
	$(Q)SELFCHECK_WRAP="$(VG)" sh tests/selfcheck/run.sh $(abspath $(BUILD)/cdpmock)

# CDPM_SANITIZED tells tests that RSS says nothing here (ASan's quarantine).
asan:
	$(Q)CDPM_SANITIZED=1 $(MAKE) --no-print-directory BUILD=build-asan \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  CFLAGS="-O1 -g" unit integration selfcheck-test fuzz-replay

bench: all
	$(Q)$(MAKE) --no-print-directory -f tests/bench/bench.mk BUILD=$(BUILD)

# libFuzzer harnesses (see tests/fuzz/README.md).  `make fuzz`
# builds them with clang in build-fuzz/ and runs each for FUZZ_SECONDS on its
# corpus; the same harness files are also linked with tests/fuzz/driver.c by
# the ordinary compiler, and `make fuzz-replay` (part of `make test`) runs
# every seed and kept crasher through them, so a regression needs no clang.
FUZZ_TARGETS := http ws envelope scenario
FUZZ_SECONDS ?= 60
FUZZ_SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
FUZZ_COMMON  := $(call obj,tests/fuzz/fuzz_setup.c) $(SERVER_OBJ) $(BUILD)/libcdpm.a

$(BUILD)/fuzz_%: $(call obj,tests/fuzz/fuzz_%.c) $(FUZZ_COMMON)
	@[ "$(V)" != 0 ] || echo "  LD      $@"
	$(Q)$(CC) $(SAN) -fsanitize=fuzzer $(CFLAGS) $(LDFLAGS) -o $@ $^ $(P_LIBS)

$(BUILD)/replay_%: $(call obj,tests/fuzz/fuzz_%.c tests/fuzz/driver.c) $(FUZZ_COMMON)
	@[ "$(V)" != 0 ] || echo "  LD      $@"
	$(Q)$(CC) $(SAN) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(P_LIBS)

# Keep the harness objects make would treat as intermediate.
.SECONDARY: $(call obj,$(wildcard tests/fuzz/*.c))

fuzz-build: $(addprefix $(BUILD)/fuzz_,$(FUZZ_TARGETS))

fuzz:
	$(Q)sh tools/deps.sh fuzz
	$(Q)$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang CFLAGS="-O1 -g" \
	  SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-build
	$(Q)sh tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-replay: $(addprefix $(BUILD)/replay_,$(FUZZ_TARGETS))
	$(Q)for t in $(FUZZ_TARGETS); do \
	  $(BUILD)/replay_$$t tests/fuzz/seeds/$$t tests/fuzz/regress/$$t || exit 1; \
	done
	$(Q)$(BUILD)/replay_scenario scenarios

# The soak and fault test (tests/soak/soak.c): not in `make test`, it takes
# SOAK_SECONDS (600) with SOAK_CLIENTS (1000) and prints its figures.
SOAK_CLIENTS ?= 1000
SOAK_SECONDS ?= 600
$(BUILD)/soak: $(call obj,tests/soak/soak.c tests/integration/fixture.c tests/integration/fixture_wire.c tests/integration/fixture_trace.c) $(CLIENT_OBJ) $(BUILD)/libcdpm.a
	@[ "$(V)" != 0 ] || echo "  LD      $@"
	$(Q)$(CC) $(SAN) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(P_CHECK) $(P_LIBS)
$(call obj,tests/soak/soak.c): P_CPP += -Itests/integration
# Where `make install` puts the scenario library (lib/scenlib.h).
$(call obj,lib/scenlib.c): P_CPP += -DCDPM_SCENARIO_DIR='"$(PREFIX)/share/cdpmock/scenarios"'

soak: all $(BUILD)/soak
	$(Q)SOAK_CLIENTS=$(SOAK_CLIENTS) SOAK_SECONDS=$(SOAK_SECONDS) CDPM_SRCDIR=$(CURDIR) \
	  CDPMOCK_BIN=$(abspath $(BUILD)/cdpmock) $(BUILD)/soak

# Every adapter in the project: the real ones over every judged scenario, the
# broken ones of tests/conformance/ over the cases their args.txt selects, and,
# when chromium is installed, the real ones against it (the control run,
# scenario browser/chromium), each case compared with its adapter's baseline
# (conformance/baselines/NAME.json: a change either way fails); then one merged
# set of reports, and the published matrix of the real adapters,
# docs/conformance.md and docs/conformance.html (docs/judging.md).
# conformance-baselines does the same, then rewrites the baselines from it.
REAL_ADAPTERS := clients/c/adapter $(patsubst %/adapter.json,%,$(wildcard clients/node/*/adapter.json \
                 clients/python/*adapter/adapter.json))
BROKEN_ADAPTERS := $(patsubst %/args.txt,%,$(wildcard tests/conformance/*/args.txt))
CONFORM_OUT := $(BUILD)/conformance
BASELINES := conformance/baselines
conformance: all node-deps
	@rm -rf $(CONFORM_OUT) && mkdir -p $(CONFORM_OUT)/parts
	$(Q)st=0; $(CONFORM_ENV) $(BUILD)/cdpconform -j4 --baselines $(BASELINES) --logs $(CONFORM_OUT)/logs \
	  --json $(CONFORM_OUT)/parts/real.json $(REAL_ADAPTERS) >$(CONFORM_OUT)/parts/real.tap || st=1; \
	for d in $(BROKEN_ADAPTERS); do \
	  $(CONFORM_ENV) $(BUILD)/cdpconform --no-progress --baselines $(BASELINES) --logs $(CONFORM_OUT)/logs \
	    --json $(CONFORM_OUT)/parts/$$(basename $$d).json $$(cat $$d/args.txt) $$d \
	    >$(CONFORM_OUT)/parts/$$(basename $$d).tap || st=1; \
	done; \
	if command -v chromium >/dev/null; then \
	  $(CONFORM_ENV) $(BUILD)/cdpconform -j2 --no-progress --baselines $(BASELINES) \
	    --browser "$$(command -v chromium)" --logs $(CONFORM_OUT)/logs \
	    --json $(CONFORM_OUT)/parts/chromium.json $(REAL_ADAPTERS) \
	    >$(CONFORM_OUT)/parts/chromium.tap || st=1; \
	else echo "make conformance: no chromium on PATH, no control run against a real browser"; fi; \
	$(BUILD)/cdpconform --merge --tap $(CONFORM_OUT)/report.tap --json $(CONFORM_OUT)/report.json \
	  --junit $(CONFORM_OUT)/junit.xml --html $(CONFORM_OUT)/report.html $(CONFORM_OUT)/parts/*.json || st=1; \
	$(BUILD)/cdpconform --merge --tap /dev/null --baselines $(BASELINES) --markdown docs/conformance.md \
	  --published --html docs/conformance.html $(CONFORM_OUT)/parts/real.json \
	  $$(ls $(CONFORM_OUT)/parts/chromium.json 2>/dev/null) >/dev/null || [ $$? -eq 1 ] || st=1; \
	sh tests/conformance/strays.sh $(CONFORM_OUT) || st=1; \
	tail -1 $(CONFORM_OUT)/report.tap; \
	echo "make conformance: TAP, JUnit, JSON and HTML reports in $(CONFORM_OUT)/;" \
	  "the matrix in docs/conformance.md and docs/conformance.html"; exit $$st

conformance-baselines: all node-deps
	-$(Q)$(MAKE) --no-print-directory conformance
	$(Q)$(BUILD)/cdpconform --merge --tap /dev/null --update-baselines $(BASELINES) \
	  $(CONFORM_OUT)/parts/*.json >/dev/null || [ $$? -eq 1 ]
	$(Q)$(BUILD)/cdpconform --merge --tap /dev/null --baselines $(BASELINES) --markdown docs/conformance.md \
	  --published --html docs/conformance.html $(CONFORM_OUT)/parts/real.json \
	  $$(ls $(CONFORM_OUT)/parts/chromium.json 2>/dev/null) >/dev/null || [ $$? -eq 1 ]
	$(Q)echo "make conformance-baselines: $(BASELINES)/ rewritten from this run; review git diff $(BASELINES)"

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -D -m 755 $(BUILD)/cdpmock-selfcheck $(DESTDIR)$(PREFIX)/lib/cdpmock/cdpmock-selfcheck
	install -m 644 $(wildcard docs/man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	$(if $(wildcard docs/man/*.5),install -m 644 $(wildcard docs/man/*.5) $(DESTDIR)$(PREFIX)/share/man/man5/)
	for f in $$(cd scenarios && find . -name '*.json' | sort); do \
	  install -D -m 644 scenarios/$$f $(DESTDIR)$(PREFIX)/share/cdpmock/scenarios/$$f || exit 1; done

# A Debian package of the two programs, their man pages, the scenario library
# and the guide, built with dpkg-dev's tools (packaging/debian/build.sh):
# $(BUILD)/cdpmock_VERSION_ARCH.deb.
VERSION = $(shell sed -n 's/^\#define CDPMOCK_VERSION "\(.*\)"$$/\1/p' server/main.c)
deb: $(BUILD)/cdpmock $(BUILD)/cdpmock-selfcheck $(BUILD)/cdpconform
	$(Q)sh tools/deps.sh deb
	$(Q)sh packaging/debian/build.sh $(BUILD) $(VERSION)

clean:
	rm -rf build build-asan build-fuzz

# The differential run (docs/differential.md): the check steps of every
# scenario that claims normal Chrome behaviour, on cdpmock and on
# /usr/bin/chromium, compared; differences not in tests/differential/allow.json
# fail.  Without chromium it says so and does nothing.
.PHONY: differential
$(BUILD)/differential: $(BUILD)/tools/differential.o $(SELFCHECK_OBJ) $(CLIENT_OBJ) $(BUILD)/libcdpm.a
	@[ "$(V)" != 0 ] || echo "  LD      $@"
	$(Q)$(CC) $(SAN) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(P_LIBS)
differential: all $(BUILD)/differential
	$(Q)if [ -x /usr/bin/chromium ]; then \
	  nice -n 10 $(BUILD)/differential --mock $(BUILD)/cdpmock scenarios; \
	else echo "differential: no /usr/bin/chromium (sh tools/deps.sh chromium installs it)"; fi

# Record the Node adapters' trace and profile tasks against /usr/bin/chromium
# through the recording proxy, then replay them without it (docs/record.md).
.PHONY: record-chromium
record-chromium: all node-deps
	$(Q)sh tests/record/chromium.sh $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
