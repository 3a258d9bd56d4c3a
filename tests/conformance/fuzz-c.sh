#!/bin/sh
# fuzz-c.sh - cdpconform fuzz against the reference C client, for make
# fuzz-c (not in CI: 10 000 cases take about an hour on two cores).  The
# cases are shared by the tasks (the first ones get the remainder), each
# task fuzzed from the same seed with its own discovery run; the adapter
# is the one ADAPTER_BIN names (make fuzz-c gives the gcov build, so the
# fuzz is coverage-guided).  The client waits CDPC_ADAPTER_WAIT_MS (1500)
# for any one message and every case has a 5 s limit: most mutations hold
# a message back, and waiting 4 s for each would be most of the run.  The
# wait stays above the longest delay a plan puts on one message (under a
# quarter of the limit: 1000 ms here): a client that gives up on a message
# just before it comes leaves what it brings (a trace's stream) behind.
# Fails on any crash, hang, silent-corruption or leak finding (a
# wrong-error is listed, not failed: a client failing on noise is a
# conformance matter, and on a loaded machine a 1 s wait may pass).
# FUZZ_C_SECONDS (when set and not 0) bounds the whole run too: each task
# gets its share of it, and stops at whichever of its cases and its time
# comes first.
# usage: sh tests/conformance/fuzz-c.sh CDPCONFORM ADAPTER_BIN OUTDIR CASES SEED JOBS TASK...
set -u
conform=$1 bin=$2 out=$3 cases=$4 seed=$5 jobs=$6
shift 6
rm -rf "$out"
mkdir -p "$out"
export CDPC_ADAPTER_BIN="$bin" CDPC_ADAPTER_WAIT_MS="${CDPC_ADAPTER_WAIT_MS:-1500}"
ntasks=$#
each=$((cases / ntasks))
extra=$((cases % ntasks))
t0=$(date +%s)
time=
[ "${FUZZ_C_SECONDS:-0}" -gt 0 ] && time="--time $((FUZZ_C_SECONDS / ntasks))"
for task in "$@"; do
	n=$each
	[ "$extra" -gt 0 ] && n=$((n + 1)) && extra=$((extra - 1))
	[ "$n" -gt 0 ] || continue
	"$conform" fuzz clients/c/adapter --task "$task" --seed "$seed" --cases "$n" -j"$jobs" \
		$time --time-limit 5000 --logs "$out/logs" --findings "$out/findings" \
		--json "$out/$task.json" | tee "$out/$task.txt"
	[ -s "$out/$task.json" ] || { echo "fuzz-c: $task: no report" >&2; exit 2; }
	cp "$out/logs/fuzz-cdpc/cases.jsonl" "$out/$task.cases.jsonl" 2>/dev/null
done
total=$(cat "$out"/*.json | jq -s 'map(.cases) | add')
bad=$(cat "$out"/*.json | jq -s '[.[].findings[] | select(.oracle != "wrong-error")] | length')
echo "fuzz-c: $total cases in $(($(date +%s) - t0)) s, $bad crash/hang/silent-corruption/leak finding(s)"
cat "$out"/*.json | jq -rs '.[].findings[] | "  \(.oracle): \(.scenario)"'
[ "$bad" -eq 0 ]
