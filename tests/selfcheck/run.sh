#!/bin/sh
# run.sh - `cdpmock --self-check` judged from outside, for make test:
#   1. each transcript here (NAME.expected: the command on its first line,
#      "$ cdpmock --self-check ARGS", then exactly what it prints, stdout and
#      stderr, then "exit N") comes out the same: the deliberately wrong
#      scenarios fail and name their step, what was expected and what came;
#      a file without a check is reported as such; --no-heavy skips;
#   2. no private server outlives the run, not even one whose self-check
#      was killed halfway, and no temporary folder is left (TMPDIR is a
#      fresh folder, empty again at the end).
# That every library scenario passes through it is the integration suite's
# (tests/integration/test_scenarios.c), one test case per file.
# usage: sh tests/selfcheck/run.sh CDPMOCK   (from the top folder)
# SELFCHECK_WRAP, when set, goes before CDPMOCK (make valgrind sets it).
set -u
bin=$1
here=tests/selfcheck
wrap=${SELFCHECK_WRAP:-}
tmp=$(mktemp -d)
export TMPDIR="$tmp/tmp"
mkdir "$TMPDIR"
status=0
pass=0

say() { printf 'selfcheck: %s\n' "$*"; }

for t in "$here"/*.expected; do
	name=$(basename "$t" .expected)
	args=$(head -1 "$t" | sed 's/^\$ cdpmock --self-check *//')
	# shellcheck disable=SC2086 # the args and the wrapper are word lists
	{ $wrap "$bin" --self-check $args 2>&1; echo "exit $?"; } >"$tmp/$name.out"
	if tail -n +2 "$t" | diff -u - "$tmp/$name.out" >"$tmp/$name.diff"; then
		pass=$((pass + 1))
	else
		say "$name: the output differs from $t:"
		cat "$tmp/$name.diff"
		status=1
	fi
done
say "$pass transcripts as expected"

# The private servers running now (their /proc/PID/cmdline): every one has
# a --user-data-dir below $TMPDIR.  One grep over them all, fast enough to
# catch a server of a two-second run; "[c]" keeps grep from finding itself.
servers() {
	grep -l -a -E -e "user-data-dir=$TMPDIR/[c]dpmock-selfcheck-" /proc/[0-9]*/cmdline 2>/dev/null
}

# A self-check killed halfway takes its server with it.
$wrap "$bin" --self-check scenarios/tracing/complete-never.json >/dev/null 2>&1 &
pid=$!
i=0
while [ -z "$(servers)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ -z "$(servers)" ]; then
	say "no private server seen while a self-check ran"
	status=1
fi
kill -TERM $pid
wait $pid 2>/dev/null
i=0
while [ -n "$(servers)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

for c in $(servers); do
	say "a private server is still running: $(tr '\0' ' ' <"$c")"
	status=1
done
if [ -n "$(ls -A "$TMPDIR")" ]; then
	say "temporary files left behind: $(ls -A "$TMPDIR")"
	status=1
fi
rm -rf "$tmp"
exit $status
