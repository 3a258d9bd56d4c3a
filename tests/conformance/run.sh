#!/bin/sh
# run.sh - cdpconform judged by itself, for make test:
#   1. the reference C adapter passes every scenario that declares a task;
#   2. each deliberately broken adapter here (a folder with adapter.json,
#      check.txt naming the one check it must fail, and args.txt selecting
#      its cases) fails at least one case, every failure with exactly that
#      check and nothing else;
#   3. a baseline entry that passes fails the run;
#   4. no process of the run is left behind.
# usage: sh tests/conformance/run.sh CDPCONFORM OUTDIR   (from the top folder)
set -u
conform=$1
out=$2
here=tests/conformance
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
status=0
t0=$(date +%s)

say() { printf 'conformance: %s\n' "$*"; }

# 1. The reference adapter.
if ! "$conform" -j3 --no-progress --logs "$out/logs" --json "$out/cdpc.json" clients/c/adapter \
	>"$out/cdpc.tap" 2>"$out/cdpc.err"; then
	say "the reference adapter fails (TAP in $out/cdpc.tap):"
	grep -A6 '^not ok' "$out/cdpc.tap" | head -60
	status=1
fi
n=$(jq '[.cases[] | select(.verdict == "pass")] | length' "$out/cdpc.json" 2>/dev/null || echo 0)
scen=$(jq '[.cases[].scenario] | unique | length' "$out/cdpc.json" 2>/dev/null || echo 0)
say "reference adapter: $n cases pass over $scen judged scenarios"

# 2. The broken adapters: each on its own few cases, all at once (most of
# their time is waiting), then each judged.
broken=
for dir in "$here"/*/; do
	[ -f "$dir/adapter.json" ] && [ -f "$dir/check.txt" ] || continue
	name=$(basename "$dir")
	broken="$broken $name"
	# shellcheck disable=SC2046 # args.txt holds options, one word each
	"$conform" -j1 --no-progress --logs "$out/logs" --json "$out/$name.json" \
		$(cat "$dir/args.txt") "$dir" >"$out/$name.tap" 2>"$out/$name.err" &
done
wait
for name in $broken; do
	want=$(cat "$here/$name/check.txt")
	failed=$(jq '[.cases[] | select(.verdict != "pass" and .verdict != "skip")] | length' "$out/$name.json")
	wrong=$(jq -r --arg w "$want" '.cases[] | select(.verdict != "pass" and .verdict != "skip")
		| select(.failed != $w) | "\(.scenario) \(.task): \(.verdict) \(.failed): \(.reason)"' "$out/$name.json")
	if [ "$failed" -eq 0 ]; then
		say "$name: expected to fail the $want check, but every case passed"
		status=1
	elif [ -n "$wrong" ]; then
		say "$name: expected only the $want check to fail, got:"
		printf '  %s\n' "$wrong"
		status=1
	else
		say "$name: $failed case(s) fail with $want and nothing else"
	fi
done

# 3. A baseline cannot go stale: a listed case that passes fails the run.
printf 'profiler/cpu-profile profile\n' >"$out/stale-baseline.txt"
if "$conform" --no-progress --logs "$out/logs" --json "$out/stale.json" \
	--baseline "$out/stale-baseline.txt" --scenarios scenarios/profiler/cpu-profile.json \
	clients/c/adapter >"$out/stale.tap" 2>&1 ||
	[ "$(jq -r '.cases[0].check' "$out/stale.json")" != baseline ]; then
	say "a known failure that passes did not fail the run with the baseline check"
	status=1
else
	say "a stale baseline entry fails the run"
fi

# 4. Nothing of the run survives it: no adapter, no cdpmock.
if ! sh "$here/strays.sh" "$out" >"$out/strays.txt"; then
	say "$(cat "$out/strays.txt")"
	status=1
fi
say "$(($(date +%s) - t0)) s"
[ "$status" -eq 0 ] && rm -rf "$out/logs"
exit "$status"
