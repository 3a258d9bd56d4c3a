#!/bin/sh
# chromium.sh - record and replay against real headless Chromium (make
# record-chromium; docs/record.md).  The puppeteer-core and
# chrome-remote-interface adapters (clients/node/*/) do their trace and
# profile tasks through `cdpmock --record-upstream` in front of Chromium;
# then Chromium is stopped, the recording is replayed by cdpmock, and every
# task must pass again with the same output, byte for byte.
#   sh tests/record/chromium.sh [BUILD]    exit 0 when all pass (or no chromium)
set -u
build=$(cd "${1:-build}" && pwd)
src=$(pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
	echo "record-chromium: no $chromium, nothing to do"
	exit 0
fi
tmp=$(mktemp -d /tmp/cdpmock-recchr-XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] && echo "record-chromium: kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# port_of DIR: waits for DIR/DevToolsActivePort and prints its port.
port_of() {
	i=0
	while [ ! -s "$1/DevToolsActivePort" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	head -1 "$1/DevToolsActivePort" 2>/dev/null
}

# The tasks: adapter folder and task name.
tasks="puppeteer-core:trace-stream puppeteer-core:profile chrome-remote-interface:trace-events
chrome-remote-interface:trace-stream chrome-remote-interface:profile"

# run_all PORT OUTDIR: every task against PORT; 1 if one failed.
run_all() {
	http=http://127.0.0.1:$1
	ws=$(curl -s "$http/json/version" | /usr/bin/python3 -c \
		'import json,sys; print(json.load(sys.stdin)["webSocketDebuggerUrl"])')
	st=0
	for t in $tasks; do
		a=${t%%:*} task=${t#*:}
		out=$2/$a-$task
		mkdir -p "$out"
		if (cd "$src/clients/node/$a" && CDP_HTTP=$http CDP_WS=$ws CDP_TASK=$task CDP_OUT=$out \
			CDP_TIME_LIMIT_MS=60000 timeout 120 node adapter.js >"$out.log" 2>&1); then
			echo "  ok   $a $task"
		else
			echo "  FAIL $a $task (log: $(cat "$out.log" | head -5))"
			st=1
		fi
	done
	return $st
}

"$chromium" --headless --no-sandbox --remote-debugging-port=0 --user-data-dir="$tmp/chrome" \
	about:blank >"$tmp/chrome.log" 2>&1 &
chrome=$!
pids="$chrome"
cport=$(port_of "$tmp/chrome")
[ -n "$cport" ] || { echo "record-chromium: Chromium did not start"; cat "$tmp/chrome.log"; exit 1; }
mkdir -p "$tmp/rec"
"$build/cdpmock" --remote-debugging-port=0 --user-data-dir="$tmp/px" \
	--record-upstream "http://127.0.0.1:$cport" --record "$tmp/rec/session.json" --journal "$tmp/px.jsonl" 2>"$tmp/px.log" &
px=$!
pids="$px $chrome"
pport=$(port_of "$tmp/px")
echo "record-chromium: recording through cdpmock in front of $($chromium --version 2>/dev/null)"
run_all "$pport" "$tmp/recorded" || { echo "record-chromium: a task failed while recording"; exit 1; }
kill "$px"
if ! wait "$px"; then
	echo "record-chromium: the recorder did not exit cleanly:"; cat "$tmp/px.log"; exit 1
fi
kill "$chrome"; wait "$chrome" 2>/dev/null
pids=""
"$build/cdpmock" --check "$tmp/rec/session.json" || exit 1
echo "record-chromium: $(grep -c '"name": "recorded' "$tmp/rec/session.json") commands recorded," \
	"$(ls "$tmp/rec/session.json.d" | wc -l) payload files ($(du -sk "$tmp/rec" | cut -f1) KiB)"

"$build/cdpmock" --remote-debugging-port=0 --user-data-dir="$tmp/re" \
	--scenario "$tmp/rec/session.json" 2>"$tmp/re.log" &
re=$!
pids="$re"
rport=$(port_of "$tmp/re")
echo "record-chromium: replaying without Chromium"
st=0
run_all "$rport" "$tmp/replayed" || st=1
for t in $tasks; do
	a=${t%%:*} task=${t#*:}
	for f in trace.json profile.cpuprofile; do
		[ -f "$tmp/recorded/$a-$task/$f" ] || continue
		if cmp -s "$tmp/recorded/$a-$task/$f" "$tmp/replayed/$a-$task/$f"; then
			echo "  same $a $task $f ($(wc -c <"$tmp/recorded/$a-$task/$f") bytes)"
		else
			echo "  DIFFERENT $a $task $f"
			st=1
		fi
	done
done
kill "$re"
if ! wait "$re"; then
	echo "record-chromium: the replaying cdpmock did not exit cleanly:"; cat "$tmp/re.log"; st=1
fi
pids=""
[ $st = 0 ] && echo "record-chromium: all tasks pass on the replay, with the recorded outputs"
exit $st
