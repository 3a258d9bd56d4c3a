#!/bin/sh
# run.sh - cdpconform judged by itself, for make test:
#   1. the reference C adapter passes every scenario that declares a task;
#   1b. the Python adapter (clients/python/adapter) passes the normal path of
#      every task: the cases of normal-path.txt, each a scenario that declares
#      that task with "exit": "success";
#   2. each deliberately broken adapter here (a folder with adapter.json,
#      check.txt naming the one check it must fail, and args.txt selecting
#      its cases) fails at least one case, every failure with exactly that
#      check and nothing else;
#   3. a baseline entry that passes fails the run;
#   3b. the reference adapter passes profile and trace-stream against a real
#      Chromium (cdpconform --browser), when chromium is installed;
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

# 1b. The Python adapter on the normal path, beside the broken adapters below
# (all of them mostly wait). normal-path.txt names one scenario per task; each
# must still declare its task with "exit": "success", and every case must pass.
py=clients/python/adapter
normal=$(grep -v '^#' "$here/normal-path.txt" | grep .)
py_scen=
for s in $(printf '%s\n' "$normal" | cut -d' ' -f1 | sort -u); do
	py_scen="$py_scen --scenarios scenarios/$s.json"
done
printf '%s\n' "$normal" | while read -r s t; do
	jq -e --arg t "$t" '.expect.exit == "success" and
		([.expect.task] | flatten | index($t) != null)' "scenarios/$s.json" >/dev/null ||
		say "normal-path.txt: scenarios/$s.json does not declare $t with exit success"
done >"$out/normal-path.err"
# shellcheck disable=SC2086 # py_scen holds options, one word each
"$conform" -j2 --no-progress --logs "$out/logs" --json "$out/python.json" $py_scen "$py" \
	>"$out/python.tap" 2>"$out/python.err" &

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

# 1b, judged: every case of normal-path.txt ran and passed, and so did any
# other case those scenarios declare.
if [ -s "$out/normal-path.err" ]; then
	cat "$out/normal-path.err"
	status=1
fi
jq -r '.cases[] | select(.verdict == "pass") | "\(.scenario) \(.task)"' \
	"$out/python.json" 2>/dev/null | sort >"$out/python.pass"
missing=$(printf '%s\n' "$normal" | sort | comm -23 - "$out/python.pass")
if grep -q '^not ok' "$out/python.tap" || [ -n "$missing" ]; then
	say "the Python adapter fails the normal path (TAP in $out/python.tap):"
	grep -A6 '^not ok' "$out/python.tap" | head -40
	printf '%s\n' "$missing" | sed '/^$/d; s/^/  did not pass: /'
	head -5 "$out/python.err"
	status=1
else
	say "python adapter: $(wc -l <"$out/python.pass") normal-path cases pass, one per task"
fi

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

# 3b. The control run: the reference adapter against a real Chromium, on two
# tasks (a profile and a streamed trace, about 5 s each). Skipped, with a
# line, where chromium is not installed.
browser=$(command -v chromium 2>/dev/null)
if [ -z "$browser" ]; then
	say "control run skipped: no chromium on PATH"
elif "$conform" -j2 --no-progress --logs "$out/logs" --json "$out/chromium.json" \
	--browser "$browser" --task profile clients/c/adapter >"$out/chromium.tap" 2>&1 &&
	"$conform" -j2 --no-progress --logs "$out/logs" --json "$out/chromium-2.json" \
		--browser "$browser" --task trace-stream clients/c/adapter \
		>>"$out/chromium.tap" 2>&1; then
	say "control run: the reference adapter passes profile and trace-stream against $browser"
else
	say "the reference adapter fails against $browser (TAP in $out/chromium.tap):"
	grep -A6 '^not ok' "$out/chromium.tap" | head -20
	status=1
fi

# 4. Nothing of the run survives it: no adapter, no cdpmock, no browser.
if ! sh "$here/strays.sh" "$out" >"$out/strays.txt"; then
	say "$(cat "$out/strays.txt")"
	status=1
fi
say "$(($(date +%s) - t0)) s"
[ "$status" -eq 0 ] && rm -rf "$out/logs"
exit "$status"
