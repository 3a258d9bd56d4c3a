#!/bin/sh
# run.sh - runs each libFuzzer harness for a while on its corpus (make fuzz).
#   sh tests/fuzz/run.sh BUILD SECONDS TARGET...
# First every kept crasher (tests/fuzz/regress/T) runs once; then the fuzzer
# runs for SECONDS on BUILD/corpus/T (new inputs go there), seeded from
# tests/fuzz/seeds/T (and scenarios/ for the scenario loader).  A crash
# leaves its input in BUILD/crashes/T/ and fails the run: minimise it, then
# keep it in tests/fuzz/regress/T/ so `make test` replays it for ever.
# Prints one summary line per harness: executions per second and coverage.
set -u
build=$1 secs=$2
shift 2
status=0
for t in "$@"; do
	bin=$build/fuzz_$t
	mkdir -p "$build/corpus/$t" "$build/crashes/$t"
	if [ -d "tests/fuzz/regress/$t" ] && [ -n "$(ls -A "tests/fuzz/regress/$t")" ]; then
		"$bin" tests/fuzz/regress/$t/* >"$build/regress-$t.log" 2>&1 || {
			echo "fuzz $t: a kept crasher fails again: see $build/regress-$t.log" >&2
			status=1
			continue
		}
	fi
	seeds="tests/fuzz/seeds/$t"
	[ "$t" = scenario ] && seeds="$seeds scenarios"
	dict=""
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$build/crashes/$t/" $dict "$build/corpus/$t" $seeds \
		>"$build/fuzz-$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-$t.log")
	cov=$(grep -E '^#[0-9]+' "$build/fuzz-$t.log" | tail -1 | sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([^ ]*\) .*/cov \1, features \2, corpus \3/p')
	rate=$(( ${runs:-0} / (secs > 0 ? secs : 1) ))
	echo "fuzz $t: ${runs:-0} runs in ${secs}s (about $rate/s), $cov"
	if [ $rc -ne 0 ]; then
		echo "fuzz $t: FAILED (exit $rc); input in $build/crashes/$t/, log $build/fuzz-$t.log" >&2
		status=1
	fi
done
exit $status
