#!/bin/sh
# fuzz.sh - cdpconform fuzz judged on the two deliberately fragile adapters
# (fragile-events, fragile-stream; tests/conformance/fragile.js), for make
# test.  A short seeded fuzz of each, at once; then, for each:
#   1. the fuzzer found its planted bug (fragile-events: a crash, a TypeError
#      thrown in fragile.js; fragile-stream: a hang) with nothing told
#      about it, and shrank it to a scenario of at most 3 rules;
#   2. that scenario file, run by plain cdpconform, gives the same verdict
#      (crash, hang) against the fragile adapter, and neither a crash nor
#      a hang against the reference C adapter: the bug is the adapter's;
#   3. the --json report has the documented shape;
#   4. the findings kept for the reference C client
#      (conformance/findings/cdpc/, each fixed in clients/c/) pass now;
#   5. no process of the run is left behind.
# usage: sh tests/conformance/fuzz.sh CDPCONFORM OUTDIR   (from the top folder)
set -u
conform=$1
out=$2
here=tests/conformance
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
status=0
t0=$(date +%s)
say() { printf 'fuzz: %s\n' "$*"; }

# 10 cases of up to 8 rules each, 2 s per case (a hang is confirmed at 4 s).
# fragile-events runs coverage-guided (the default), from seed 1;
# fragile-stream without, so that its cases are its seed's own, from seed
# 8: what trips its bug (an IO.read reply, not the last, whose data is
# emptied) comes up in about one case in forty, and seed 8 draws it in its
# fifth case (seed 1 in its 28th).  A fixed seed is what keeps this test
# deterministic; it is no claim that ten cases always find it.
for a in events stream; do
	cov= seed=1
	[ "$a" = stream ] && cov=--no-coverage seed=8
	"$conform" fuzz "$here/fragile-$a" --task "trace-$a" --seed $seed --cases 10 --max-steps 8 \
		-j2 --time-limit 2000 $cov --no-progress --logs "$out/logs" \
		--findings "$out/findings" --json "$out/$a.json" >"$out/$a.txt" 2>"$out/$a.err" &
done
wait
# Coverage guidance saw the Node adapter's code, and kept plans that reached more.
if grep -Eq '^  coverage: [1-9][0-9]* features; [0-9]+ plan\(s\) reached new code, [1-9]' "$out/events.txt"; then
	say "events: $(grep '^  coverage:' "$out/events.txt" | sed 's/^  //')"
else
	say "events: no coverage features or no corpus:"
	cat "$out/events.txt"
	status=1
fi

# The finding of the planted bug: its scenario file, or empty.
planted() { # NAME ORACLE JQ-FILTER-ON-SIGNATURE
	jq -e '(.cases | type == "number") and (.findings | type == "array") and
		all(.findings[]; (.oracle | type == "string") and (.signature | type == "string")
		and (.scenario | type == "string") and (.seed | type == "number")
		and (.description | type == "string"))' "$out/$1.json" >/dev/null 2>&1 || return
	jq -r --arg o "$2" "[.findings[] | select(.oracle == \$o) | select(.signature | $3)][0].scenario // empty" "$out/$1.json"
}
events_file=$(planted events crash 'contains("TypeError") and contains("fragile.js")')
stream_file=$(planted stream hang '.')

# Each finding replayed by plain cdpconform, against its fragile adapter and
# against the reference adapter, all at once.
for name in events stream; do
	eval "file=\$${name}_file"
	[ -n "$file" ] || continue
	for a in "$here/fragile-$name" clients/c/adapter; do
		"$conform" --no-progress -j1 --logs "$out/logs" --json "$out/$name-$(basename "$a").json" \
			--scenarios "$file" "$a" >/dev/null 2>&1 &
	done
done
"$conform" --no-progress -j1 --logs "$out/logs" --scenarios conformance/findings/cdpc \
	clients/c/adapter >"$out/cdpc-findings.tap" 2>&1 &
wait
if grep -q '^ok ' "$out/cdpc-findings.tap" && ! grep -q '^not ok' "$out/cdpc-findings.tap"; then
	say "the C client's findings pass: $(grep -c '^ok ' "$out/cdpc-findings.tap") case(s)"
else
	say "a finding kept for the C client fails again:"
	cat "$out/cdpc-findings.tap"
	status=1
fi

check() { # NAME ORACLE VERDICT
	name=$1 oracle=$2 verdict=$3
	eval "file=\$${name}_file"
	if [ -z "$file" ]; then
		say "$name: the planted $oracle was not found (or no --json report of the documented shape):"
		cat "$out/$name.txt" "$out/$name.err"
		status=1
		return
	fi
	rules=$(jq '.rules | length' "$file")
	if [ "$rules" -gt 3 ]; then
		say "$name: the $oracle finding was shrunk to $rules rules only (at most 3): $file"
		status=1
	fi
	got=$(jq -r '.cases[0].verdict' "$out/$name-fragile-$name.json")
	ref=$(jq -r '.cases[0].verdict' "$out/$name-adapter.json")
	if [ "$got" != "$verdict" ]; then
		say "$name: cdpconform --scenarios $file gives $got, not $verdict"
		status=1
	elif [ "$ref" = crash ] || [ "$ref" = hang ] || [ "$ref" = null ]; then
		say "$name: the reference adapter gives $ref on $file too"
		status=1
	else
		say "$name: found the planted $oracle, shrunk to $rules rule(s), reproduced by cdpconform ($got; reference adapter: $ref): $(jq -r '.rules[].name' "$file" | paste -sd ';')"
	fi
}
check events crash crash
check stream hang hang

if ! sh "$here/strays.sh" "$out" >"$out/strays.txt"; then
	say "$(cat "$out/strays.txt")"
	status=1
fi
say "$(($(date +%s) - t0)) s"
[ "$status" -eq 0 ] && rm -rf "$out/logs"
exit "$status"
