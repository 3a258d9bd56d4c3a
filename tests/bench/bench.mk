# tests/bench/bench.mk - `make bench`: builds the benchmark programs next to
# $(BUILD)'s server and runs them, printing figures.  Benchmarks never run
# as tests.  The top Makefile calls
#   make -f tests/bench/bench.mk BUILD=$(BUILD)
# after building $(BUILD)/cdpmock.  BENCH_MB sizes the big traces (1 GB).

BUILD    ?= build
CC       ?= cc
BENCH_MB ?= 1024
BB       := $(BUILD)/bench
RT_ROUNDS  ?= 3
RT_SECONDS ?= 2
B_CFLAGS := -O3 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 \
            -Ilib -Iserver -Itests/bench

# The generator's own benchmark links the server's generator objects.
GEN_OBJ  := $(filter-out %/main.o,$(wildcard $(BUILD)/server/gen/*.o)) $(BUILD)/server/clock.o

.PHONY: run
run: $(BB)/bench_startup $(BB)/bench_trace $(BB)/bench_sender $(BB)/bench_tracegen $(BB)/bench_profile \
     $(BB)/bench_rt $(BB)/bench_rtsender
	@echo "== cdpmock startup"
	@$(BB)/bench_startup $(BUILD)/cdpmock 21 $(BB)/bench_rtsender
	@echo "== round trips: Browser.getVersion, one in flight per connection (medians of $(RT_ROUNDS))"
	@$(BB)/bench_rt --server $(BUILD)/cdpmock --sender $(BB)/bench_rtsender --rounds $(RT_ROUNDS) \
	  --seconds $(RT_SECONDS) || true
	@echo "== trace delivery ($(BENCH_MB) MB traces)"
	@$(BB)/bench_trace --server $(BUILD)/cdpmock --sender $(BB)/bench_sender --mb $(BENCH_MB)
	@echo "== trace generator, one core (256 MB)"
	@$(BB)/bench_tracegen 256
	@echo "== profile generator, one core"
	@$(BB)/bench_profile

$(BB):
	@mkdir -p $@

$(BB)/bench_startup: tests/bench/bench_startup.c tests/bench/bench_wsc.c tests/bench/bench_wsc.h | $(BB)
	$(CC) $(B_CFLAGS) -o $@ tests/bench/bench_startup.c tests/bench/bench_wsc.c

$(BB)/bench_trace: tests/bench/bench_trace.c tests/bench/bench_wsc.c tests/bench/bench_wsc.h | $(BB)
	$(CC) $(B_CFLAGS) -o $@ tests/bench/bench_trace.c tests/bench/bench_wsc.c

$(BB)/bench_rt: tests/bench/bench_rt.c tests/bench/bench_wsc.c tests/bench/bench_wsc.h | $(BB)
	$(CC) $(B_CFLAGS) -o $@ tests/bench/bench_rt.c tests/bench/bench_wsc.c

$(BB)/bench_rtsender: tests/bench/bench_rtsender.c | $(BB)
	$(CC) $(B_CFLAGS) -o $@ tests/bench/bench_rtsender.c

$(BB)/bench_sender: tests/bench/bench_sender.c | $(BB)
	$(CC) $(B_CFLAGS) -o $@ tests/bench/bench_sender.c

$(BB)/bench_tracegen: tests/bench/bench_tracegen.c $(GEN_OBJ) $(BUILD)/libcdpm.a | $(BB)
	$(CC) $(B_CFLAGS) -o $@ tests/bench/bench_tracegen.c $(GEN_OBJ) $(BUILD)/libcdpm.a -ljansson -lz -lm

$(BB)/bench_profile: tests/bench/bench_profile.c $(GEN_OBJ) $(BUILD)/libcdpm.a | $(BB)
	$(CC) $(B_CFLAGS) -o $@ tests/bench/bench_profile.c $(GEN_OBJ) $(BUILD)/libcdpm.a -ljansson -lz -lm
