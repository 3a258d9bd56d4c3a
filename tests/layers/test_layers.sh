#!/bin/sh
# test_layers.sh - tools/layers.sh passes on the tree as it is, and fails,
# naming the file, line and layer, once one upward include is added (a
# net/ file that includes the router) or once conformance/ or selfcheck/
# reaches into server/.  Runs on copies in a temporary folder; the tree is not touched.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; }

copy() {
	rm -rf "$tmp/t" && mkdir -p "$tmp/t"
	(cd "$src" && tar cf - lib server clients/c $(ls -d conformance selfcheck 2>/dev/null)) | (cd "$tmp/t" && tar xf -)
}

copy
if sh "$src/tools/layers.sh" "$tmp/t" >"$tmp/out" 2>&1; then ok "the tree is clean"; else no "the tree is clean"; cat "$tmp/out"; fi

copy
printf '#include "cdp/router.h"\n' >>"$tmp/t/server/net/conn.c"
if sh "$src/tools/layers.sh" "$tmp/t" >"$tmp/out" 2>&1; then
	no "an include from net/ up to cdp/ fails the check"
elif grep -q 'server/net/conn.c:[0-9]*: includes server/cdp/router.h, a higher layer' "$tmp/out"; then
	ok "an include from net/ up to cdp/ fails the check"
else
	no "an include from net/ up to cdp/ is named"; cat "$tmp/out"
fi

copy
printf '#include "script/script.h"\n' >>"$tmp/t/server/domains/io.c"
if sh "$src/tools/layers.sh" "$tmp/t" >"$tmp/out" 2>&1; then no "domains/ may not include script/"; else ok "domains/ may not include script/"; fi

copy
printf '#include "domains/io.h"\n' >>"$tmp/t/server/script/emit.c"
if sh "$src/tools/layers.sh" "$tmp/t" >"$tmp/out" 2>&1; then ok "script/ may include domains/ (a call down)"; else no "script/ may include domains/ (a call down)"; cat "$tmp/out"; fi

copy
mkdir -p "$tmp/t/conformance"
printf '#include "net/conn.h"\n' >"$tmp/t/conformance/x.c"
if sh "$src/tools/layers.sh" "$tmp/t" >"$tmp/out" 2>&1; then no "conformance/ may not reach into server/"; else ok "conformance/ may not reach into server/"; fi

copy
printf '#include "scenario/scenario.h"\n' >>"$tmp/t/selfcheck/scenrun.c"
if sh "$src/tools/layers.sh" "$tmp/t" >"$tmp/out" 2>&1; then
	no "selfcheck/ may not reach into server/"
elif grep -q 'selfcheck/scenrun.c:[0-9]*: includes server/scenario/scenario.h: only lib/ and clients/c/' "$tmp/out"; then
	ok "selfcheck/ may not reach into server/"
else
	no "selfcheck/ reaching into server/ is named"; cat "$tmp/out"
fi

copy
printf '#include "selfcheck.h"\n' >>"$tmp/t/clients/c/cdpclient.c"
if sh "$src/tools/layers.sh" "$tmp/t" >"$tmp/out" 2>&1; then no "clients/c/ may not include selfcheck/"; else ok "clients/c/ may not include selfcheck/"; fi

copy
printf '#include "net/conn.h"\n' >>"$tmp/t/lib/buf.c"
if sh "$src/tools/layers.sh" "$tmp/t" >"$tmp/out" 2>&1; then no "lib/ includes only lib/"; else ok "lib/ includes only lib/"; fi

echo "layers: $pass passed, $fail failed"
[ "$fail" = 0 ]
