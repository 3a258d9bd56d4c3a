#!/bin/sh
# deps.sh - install what the build and tests need, when it is missing.
# As root it uses apt-get; otherwise it prints the exact command to run.
#   sh tools/deps.sh        C toolchain libraries and tools, and Debian's
#                           python3 with python3-websockets (the Python adapter)
#   sh tools/deps.sh node   Node.js and npm (for the client adapters)
#   sh tools/deps.sh fuzz   clang with libFuzzer (for make fuzz only)
#   sh tools/deps.sh deb    dpkg-dev and binutils (for make deb only)
#   sh tools/deps.sh chromium  Debian's chromium (make differential, record-chromium)
set -eu
if [ "${1:-}" = deb ]; then
	# dpkg-shlibdeps, dpkg-gencontrol and dpkg-deb; strip.
	need=""
	for p in dpkg-dev binutils; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
	done
elif [ "${1:-}" = fuzz ]; then
	# Only `make fuzz` needs these: libFuzzer comes with clang's runtime.
	need=""
	for p in clang libclang-rt-dev; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
	done
elif [ "${1:-}" = chromium ]; then
	# The real browser the differential run and record-chromium compare with.
	need=""
	dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "ok installed" || need=" chromium"
elif [ "${1:-}" = node ]; then
	command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && exit 0
	need="nodejs npm"
else
	need=""
	# python3 is Debian's /usr/bin/python3, which the Python adapter runs: a
	# python3 earlier on PATH (pyenv's, a venv's) does not see Debian's packages.
	for p in libwebsockets-dev libjansson-dev libmd-dev libisal-dev check valgrind zlib1g-dev pkg-config protobuf-compiler jq \
		python3 python3-websockets; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
	done
fi
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "deps.sh: installing:$need" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $need >/dev/null
else
	echo "deps.sh: missing packages:$need" >&2
	echo "deps.sh: run: sudo apt-get install -y$need" >&2
	exit 1
fi
