#!/bin/sh
# The differential runner judged by itself, without Chromium: cdpmock
# compared with itself is identical on every scenario it picks; compared
# with a cdpmock whose scenario changes a reply, adds an event and turns a
# key order around, exactly those differences show, by path, and the run
# fails; allowed, the same run passes.
#   sh tests/differential/selftest.sh BUILD
set -eu
B=${1:-build}
dir=$(mktemp -d "${TMPDIR:-/tmp}/cdpmock-difftest-XXXXXX")
trap 'rm -rf "$dir"' EXIT
fail() { echo "differential selftest: $*" >&2; cat "$dir/out" >&2; exit 1; }

echo '[]' > "$dir/none.json"
"$B/differential" --mock "$B/cdpmock" --chromium "$B/cdpmock" --allow "$dir/none.json" \
	scenarios > "$dir/out" 2>&1 || fail "cdpmock against itself differs"
line=$(tail -n 1 "$dir/out")
n=$(echo "$line" | sed -n 's/^differential: \([0-9]*\) scenarios compared, \([0-9]*\) identical.*/\1 \2/p')
set -- $n
[ "${1:-0}" -ge 10 ] && [ "$1" = "$2" ] || fail "expected every compared scenario identical: $line"

cat > "$dir/changed.json" <<'J'
{"description": "what the fake Chromium does otherwise",
 "rules": [
  {"match": {"method": "Browser.getVersion"}, "action": {"merge": {"product": "Chrome/999.0.0.0"}}},
  {"match": {"method": "Target.getTargets"}, "action": {"emit": [{"method": "Extra.event", "params": {"x": 1}}]}}]}
J
cat > "$dir/fake-chromium" <<J
#!/bin/sh
exec "$(pwd)/$B/cdpmock" --scenario "$dir/changed.json" "\$@"
J
chmod +x "$dir/fake-chromium"
if "$B/differential" --mock "$B/cdpmock" --chromium "$dir/fake-chromium" --allow "$dir/none.json" \
	scenarios/default.json > "$dir/out" 2>&1; then
	fail "a changed browser passed"
fi
grep -q '^  DIFF    \$\.main\[0: reply Browser\.getVersion\]\.result\.product: mock "Chrome/156\.0\.8078\.79", chromium "Chrome/999\.0\.0\.0"$' "$dir/out" ||
	fail "the changed product is not shown"
grep -q '^  DIFF    \$\.main\[chromium 2: event Extra\.event\]: mock <absent>, chromium {"method":"Extra\.event","params":{"x":1}}$' "$dir/out" ||
	fail "the extra event is not shown"
grep -q 'DIFF    \$\.steps\[1\]' "$dir/out" || fail "the failed step is not shown"
[ "$(grep -c '^  DIFF' "$dir/out")" = 3 ] || fail "expected exactly three differences"

cat > "$dir/allow.json" <<'J'
[{"scenario": "default.json", "path": "$.main[*: reply Browser.getVersion].result.product", "reason": "the fake's own product"},
 {"scenario": "*", "path": "$.main[chromium *: event Extra.event]", "reason": "the fake's extra event"},
 {"scenario": "default.json", "path": "$.steps[1]", "reason": "the check wants the real product"},
 {"scenario": "nothing.json", "path": "$.x", "reason": "an entry that matches nothing"}]
J
"$B/differential" --mock "$B/cdpmock" --chromium "$dir/fake-chromium" --allow "$dir/allow.json" \
	scenarios/default.json > "$dir/out" 2>&1 || fail "allowed differences failed the run"
grep -q '1 scenarios compared, 0 identical, 3 differences allowed, 0 not allowed' "$dir/out" ||
	fail "wrong counts"
grep -q 'note: allow-list entry 3 (\$\.x) matched nothing' "$dir/out" || fail "no note of the unused entry"
echo '[{"path": "$.x"}]' > "$dir/bad.json"
if "$B/differential" --allow "$dir/bad.json" scenarios/default.json > "$dir/out" 2>&1; then
	fail "an entry without a reason was taken"
fi
echo "differential selftest: ok"
