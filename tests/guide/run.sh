#!/bin/sh
# run.sh - docs/guide.md works when pasted in order: every ```sh block of it
# runs, in order, in one bash (errexit, nounset) from the top of the
# checkout, and every ```js and ```python block is a verbatim excerpt
# (consecutive whole lines) of a file under clients/, which make test runs.
#   sh tests/guide/run.sh SRCDIR
set -eu
src=$1
guide=$src/docs/guide.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# The blocks, each into its own file: tmp/N.LANG
awk -v dir="$tmp" '
/^```/ {
	if (inblock) { inblock = 0; close(out); next }
	lang = substr($0, 4); sub(/[ \t].*/, "", lang)
	n++; inblock = 1; out = sprintf("%s/%03d.%s", dir, n, lang == "" ? "text" : lang)
	printf "" > out
	next
}
inblock { print > out }
' "$guide"

n_sh=0 n_code=0
for f in "$tmp"/*; do
	case $f in
	*.js|*.python)
		n_code=$((n_code + 1))
		if ! python3 - "$f" "$src" <<'PY'
import os, sys
block = open(sys.argv[1]).read()
for root, dirs, files in os.walk(os.path.join(sys.argv[2], "clients")):
    dirs[:] = [d for d in dirs if d != "node_modules"]
    for name in files:
        if name.endswith((".js", ".py")):
            text = open(os.path.join(root, name), errors="replace").read()
            if ("\n" + block) in ("\n" + text):
                sys.exit(0)
sys.exit(1)
PY
		then
			echo "not ok - guide block $(basename "$f") is not an excerpt of a file under clients/"
			sed 's/^/    /' "$f" | head -5
			fail=1
		fi
		;;
	*.sh)
		n_sh=$((n_sh + 1))
		cat "$f" >>"$tmp/all.bash"
		;;
	esac
done
echo "guide: $n_sh shell blocks, $n_code code excerpts"
[ "$n_sh" -gt 5 ] || { echo "not ok - the guide has shell blocks"; exit 1; }
cd "$src"
if CDPMOCK_BIN=$src/build/cdpmock timeout 600 bash -eu -o pipefail "$tmp/all.bash" >"$tmp/out" 2>&1; then
	[ -z "${GUIDE_SHOW:-}" ] || cat "$tmp/out"
	echo "ok - the guide's shell blocks run in order"
else
	echo "not ok - the guide's shell blocks run in order; the output ends:"
	tail -30 "$tmp/out" | sed 's/^/    /'
	fail=1
fi
[ "$fail" = 0 ] && echo "ok - the guide's code blocks are excerpts of tested files"
exit $fail
