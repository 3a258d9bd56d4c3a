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
#   1c. puppeteer-core launches cdpmock itself (the launch tasks, by port and
#      by pipe) and passes, with the normal streamed trace beside them; and
#      puppeteer-core and playwright-core show two of their known bugs
#      (dataLossOccurred ignored, a recording flag stuck after a failed
#      Tracing.start) exactly as their baselines record them;
#   3. baselines (conformance/baselines/NAME.json): a case that fails as
#      recorded is a known-fail, one that passes where a failure is recorded
#      fails the run, one that fails another way fails it too, and
#      --update-baselines writes what a run did;
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
if ! "$conform" -j3 --no-progress --baselines conformance/baselines --logs "$out/logs" \
	--json "$out/cdpc.json" clients/c/adapter \
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
"$conform" -j2 --no-progress --baselines conformance/baselines --logs "$out/logs" \
	--json "$out/python.json" $py_scen "$py" >"$out/python.tap" 2>"$out/python.err" &

# 2. The broken adapters: each on its own few cases, four at a time (most of
# their time is waiting, but all at once beside the Python run is more than a
# busy two-core machine times fairly), then each judged.
broken=
running=0
for dir in "$here"/*/; do
	[ -f "$dir/adapter.json" ] && [ -f "$dir/check.txt" ] || continue
	name=$(basename "$dir")
	broken="$broken $name"
	# shellcheck disable=SC2046 # args.txt holds options, one word each
	"$conform" -j1 --no-progress --logs "$out/logs" --json "$out/$name.json" \
		$(cat "$dir/args.txt") "$dir" >"$out/$name.tap" 2>"$out/$name.err" &
	running=$((running + 1))
	if [ "$running" -eq 4 ]; then
		wait
		running=0
	fi
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

# 1c. puppeteer-core's launch tasks: the runner starts no browser, the adapter
# launches CDP_MOCK_BIN with CDP_MOCK_ARGS by port and by pipe. With them, the
# two Node clients on two scenarios of known bugs, against their baselines.
# After the runs above: with them, the machine is too busy for fair timing.
"$conform" -j2 --no-progress --baselines conformance/baselines --logs "$out/logs" \
	--json "$out/launch.json" --scenarios scenarios/tracing/return-as-stream.json \
	--scenarios scenarios/tracing/data-loss-record-until-full.json \
	--scenarios scenarios/tracing/start-error.json \
	clients/node/puppeteer-core clients/node/playwright-core \
	>"$out/launch.tap" 2>"$out/launch.err"

# 1c, judged: the launch cases passed, the known bugs are known-fails with
# their recorded check, and nothing differs from the baselines.
launched=$(jq -r '[.cases[] | select(.scenario == "tracing/return-as-stream" and
	.adapter == "puppeteer-core" and .verdict == "pass") | .task] | sort | join(" ")' \
	"$out/launch.json" 2>/dev/null)
known=$(jq -r '[.cases[] | select(.verdict == "known-fail") |
	"\(.adapter):\(.scenario):\(.task):\(.check)"] | sort | join(" ")' "$out/launch.json" 2>/dev/null)
want_known="playwright-core:tracing/data-loss-record-until-full:trace-stream:dataLoss"
want_known="$want_known playwright-core:tracing/start-error:trace-twice:exit"
want_known="$want_known puppeteer-core:tracing/data-loss-record-until-full:trace-stream:dataLoss"
want_known="$want_known puppeteer-core:tracing/start-error:trace-twice:exit"
if grep -q '^not ok' "$out/launch.tap" || [ "$launched" != "launch launch-pipe trace-stream" ] ||
	[ "$known" != "$want_known" ]; then
	say "puppeteer-core and playwright-core differ from their baselines (TAP in $out/launch.tap):"
	grep -A6 '^not ok' "$out/launch.tap" | head -30
	say "  launch cases passed: $launched; known failures: $known"
	status=1
else
	say "puppeteer-core: launch by port and by pipe, trace, close: pass"
	say "puppeteer-core and playwright-core: 4 known bugs as their baselines record them"
fi

# 1d. The normal path of every task, for the three Node adapters: each case of
# normal-path.txt an adapter declares must pass (a task it does not declare
# is skipped, which the runner reports as such).
set -- $(printf '%s\n' "$normal" | cut -d' ' -f1 | sort -u | sed 's|.*|--scenarios scenarios/&.json|')
"$conform" -j2 --no-progress --logs "$out/logs" --json "$out/node.json" "$@" \
	clients/node/chrome-remote-interface clients/node/puppeteer-core clients/node/playwright-core \
	>"$out/node.tap" 2>"$out/node.err" || true
for a in chrome-remote-interface puppeteer-core playwright-core; do
	tasks=$(jq -r '.tasks | join(" ")' "clients/node/$a/adapter.json")
	want=$(printf '%s\n' "$normal" | while read -r s t; do
		case " $tasks " in *" $t "*) echo "$s $t" ;; esac; done | sort)
	got=$(jq -r --arg a "$a" '.cases[] | select(.adapter == $a and .verdict == "pass") |
		"\(.scenario) \(.task)"' "$out/node.json" 2>/dev/null | sort)
	missing=$(printf '%s\n' "$want" | comm -23 - "$(printf '%s\n' "$got" >"$out/node-$a.pass"; echo "$out/node-$a.pass")")
	if [ -z "$want" ] || [ -n "$missing" ]; then
		say "$a fails the normal path (TAP in $out/node.tap):"
		printf '%s\n' "$missing" | sed '/^$/d; s/^/  did not pass: /'
		status=1
	else
		say "$a: $(printf '%s\n' "$want" | wc -l) normal-path cases pass, one per task it does"
	fi
done

# 3. Baselines. A stale one: a recorded failure that passes fails the run.
mkdir -p "$out/bl"
printf '{"cases": {"profiler/cpu-profile profile": {"verdict": "fail", "check": "exit"}}}\n' \
	>"$out/bl/cdpc.json"
if "$conform" --no-progress --logs "$out/logs" --json "$out/stale.json" \
	--baselines "$out/bl" --scenarios scenarios/profiler/cpu-profile.json \
	clients/c/adapter >"$out/stale.tap" 2>&1 ||
	[ "$(jq -r '.cases[0].check' "$out/stale.json")" != baseline ]; then
	say "a known failure that passes did not fail the run with the baseline check"
	status=1
else
	say "a stale baseline entry fails the run"
fi
# A failure as recorded is a known-fail; one of another kind fails the run.
printf '%s\n' '{"cases": {' \
	'"tracing/data-loss-record-until-full trace-events": {"verdict": "fail", "check": "dataLoss"},' \
	'"tracing/data-loss-record-continuously trace-events": {"verdict": "fail", "check": "trace"}}}' \
	>"$out/bl/broken-data-loss.json"
"$conform" --no-progress --logs "$out/logs" --json "$out/kind.json" --baselines "$out/bl" \
	--task trace-events --scenarios scenarios/tracing/data-loss-record-until-full.json \
	--scenarios scenarios/tracing/data-loss-record-continuously.json \
	"$here/c-data-loss" >"$out/kind.tap" 2>&1
kind=$?
got=$(jq -r '[.cases[] | "\(.scenario):\(.verdict):\(.check):\(.expected)"] | sort | join(" ")' "$out/kind.json")
want="tracing/data-loss-record-continuously:fail:dataLoss:fail:trace"
want="$want tracing/data-loss-record-until-full:known-fail:dataLoss:fail:dataLoss"
if [ "$kind" -ne 1 ] || [ "$got" != "$want" ] ||
	! jq -e '.cases[] | select(.verdict == "fail") | .reason
		| startswith("the baseline expects fail:trace, got fail:dataLoss")' "$out/kind.json" >/dev/null; then
	say "baselines: expected a known-fail and a changed failure (exit 1), got exit $kind: $got"
	status=1
else
	say "a failure as recorded is a known-fail; a failure of another kind fails the run"
fi
# --update-baselines writes what the runs did, keeping entries not run.
"$conform" --merge --tap /dev/null --update-baselines "$out/bl" "$out/stale.json" \
	"$out/kind.json" >/dev/null 2>"$out/update.err"
if [ "$(jq -c '.cases["profiler/cpu-profile profile"]' "$out/bl/cdpc.json")" != '{"verdict":"pass"}' ] ||
	[ "$(jq -r '.cases["tracing/data-loss-record-continuously trace-events"].check' \
		"$out/bl/broken-data-loss.json")" != dataLoss ] ||
	! jq -e '.cases["tracing/data-loss-record-until-full trace-events"].why
		| contains("data loss")' "$out/bl/broken-data-loss.json" >/dev/null; then
	say "--update-baselines did not record the runs' outcomes:"
	cat "$out/update.err" "$out/bl/cdpc.json" "$out/bl/broken-data-loss.json"
	status=1
else
	say "--update-baselines records each case's outcome and why"
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
