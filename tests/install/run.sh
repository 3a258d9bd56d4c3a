#!/bin/sh
# run.sh - `make install DESTDIR=TMP` puts the programs, the man pages and
# the scenario library where they belong, and the installed cdpmock finds
# library scenarios by name from anywhere (not from the source tree).
#   sh tests/install/run.sh SRCDIR
set -eu
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; }

make -s -C "$src" install DESTDIR="$tmp" PREFIX=/usr >"$tmp/make.log" 2>&1 || { cat "$tmp/make.log"; exit 1; }
bin=$tmp/usr/bin/cdpmock
for f in usr/bin/cdpmock usr/bin/cdpconform usr/share/man/man1/cdpmock.1 \
         usr/share/cdpmock/scenarios/default.json usr/share/cdpmock/scenarios/tracing/complete-never.json; do
	if [ -f "$tmp/$f" ]; then ok "installs /$f"; else no "installs /$f"; fi
done
n_src=$(cd "$src/scenarios" && find . -name '*.json' | wc -l)
n_inst=$(cd "$tmp/usr/share/cdpmock/scenarios" && find . -name '*.json' | wc -l)
if [ "$n_src" = "$n_inst" ]; then ok "all $n_src library scenarios installed"; else no "$n_inst of $n_src scenarios installed"; fi
# Run from an empty folder, with the source tree out of reach of the
# installed binary's own paths.
cd "$tmp"
out=$("$bin" --list-scenarios 2>&1)
if echo "$out" | grep -q '^tracing/complete-never  *tracingComplete never comes'; then ok "--list-scenarios lists the installed library"; else no "--list-scenarios lists the installed library: $out"; fi
if [ "$(echo "$out" | wc -l)" = "$n_src" ]; then ok "--list-scenarios lists each once"; else no "--list-scenarios lists each once"; fi
out=$("$bin" --check tracing/complete-never 2>&1)
if [ "$out" = "$tmp/usr/share/cdpmock/scenarios/tracing/complete-never.json: ok" ]; then ok "a name resolves to the installed file"; else no "a name resolves to the installed file: $out"; fi
out=$("$bin" --list-scenarios never-eof 2>&1)
if [ "$(echo "$out" | cut -d' ' -f1)" = "io/never-eof" ]; then ok "--list-scenarios KEYWORD filters"; else no "--list-scenarios KEYWORD filters: $out"; fi
out=$("$bin" --self-check tracing/complete-never 2>&1) || true
if echo "$out" | grep -q "^$tmp/usr/share/cdpmock/scenarios/tracing/complete-never.json: pass ("; then ok "--self-check NAME runs the installed file's check"; else no "--self-check NAME runs the installed file's check: $out"; fi
out=$(env -u CDPMOCK_BIN "$tmp/usr/bin/cdpconform" --no-progress --logs "$tmp/logs" --only cpu-profile "$src/clients/c/adapter" 2>&1) || true
if echo "$out" | grep -q "^ok 1 - cdpc profiler/cpu-profile profile"; then ok "the installed cdpconform finds the installed library and cdpmock"; else no "the installed cdpconform finds the installed library and cdpmock: $out"; fi
echo "install: $pass passed, $fail failed"
[ "$fail" = 0 ]
