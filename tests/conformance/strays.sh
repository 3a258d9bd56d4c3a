#!/bin/sh
# strays.sh DIR - fails (exit 1, listing them) when a process of a
# cdpconform run whose logs went under DIR is still alive: an adapter (its
# environment has CDP_OUT under DIR), a cdpmock (its journal is under DIR)
# or a real browser of --browser (its --user-data-dir is under DIR).
# Used by run.sh and make conformance.
dir=$(cd "$1" && pwd) || exit 2
stray=
for p in /proc/[0-9]*; do
	[ -r "$p/environ" ] || continue
	if { tr '\0' '\n' <"$p/environ" | grep -q "^CDP_OUT=$dir/"; } 2>/dev/null ||
		{ tr '\0' ' ' <"$p/cmdline" | grep -q -- "--journal $dir/"; } 2>/dev/null ||
		{ tr '\0' ' ' <"$p/cmdline" | grep -q -- "--user-data-dir=$dir/"; } 2>/dev/null; then
		stray="$stray ${p#/proc/}"
	fi
done
if [ -n "$stray" ]; then
	echo "processes left behind:$stray"
	exit 1
fi
exit 0
