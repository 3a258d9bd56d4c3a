#!/bin/sh
# layers.sh - checks that every #include "..." in the server, lib/, the C
# client and the conformance runner points down the layer stack or sideways
# within one folder, never up.  The stack, lowest first:
#   lib/ < clock, journal, server (settings) < server/gen/ < server/net/
#   < server/cdp/ < server/scenario/ < server/domains/ < server/script/
#   < server/record/ < server/main.c, server/admin.c
# clients/c/ and conformance/ may include only lib/ and clients/c/, and
# selfcheck/ (the scenario check runner, linked into cdpmock for
# --self-check) only those and itself: they never reach into the server's
# internals.
#   sh tools/layers.sh [ROOT]      exit 0 when clean, 1 with one line per
#                                  upward include ("file:line: ...")
set -eu
root=${1:-.}
cd "$root"
find lib server clients/c conformance selfcheck -name '*.[ch]' 2>/dev/null | sort | awk '
function rank(p,    n) {
	if (p ~ /^lib\//) return 0
	if (p ~ /^server\/(clock|journal|server)\.[ch]$/) return 1
	if (p ~ /^server\/gen\//) return 2
	if (p ~ /^server\/net\//) return 3
	if (p ~ /^server\/cdp\//) return 4
	if (p ~ /^server\/scenario\//) return 5
	if (p ~ /^server\/domains\//) return 6
	if (p ~ /^server\/script\//) return 7
	if (p ~ /^server\/record\//) return 7.5
	if (p ~ /^server\/[^\/]*$/) return 8
	if (p ~ /^clients\/c\//) return 0.5
	if (p ~ /^conformance\//) return 0.6
	if (p ~ /^selfcheck\//) return 0.7
	return -1
}
function exists(p,    r) { r = (getline line < p); if (r >= 0) close(p); return r >= 0 }
# The generated headers belong to the layer whose sources they are made from.
function gen_rank(h) {
	if (h == "domain_list.h") return 6
	if (h == "protocol_table.h") return 4
	return -1
}
function resolve(dir, h,    c) {
	c = dir "/" h; if (exists(c)) return c
	c = "lib/" h; if (exists(c)) return c
	c = "server/" h; if (exists(c)) return c
	c = "clients/c/" h; if (exists(c)) return c
	c = "selfcheck/" h; if (exists(c)) return c
	return ""
}
{
	file = $0; dir = file; sub(/\/[^\/]*$/, "", dir)
	me = rank(file); ln = 0
	while ((getline line < file) > 0) {
		ln++
		if (line !~ /^[ \t]*#[ \t]*include[ \t]*"/) continue
		h = line; sub(/^[^"]*"/, "", h); sub(/".*$/, "", h)
		t = resolve(dir, h)
		if (t == "") {
			r = gen_rank(h)
			if (r < 0) { printf "%s:%d: \"%s\" is not in the tree\n", file, ln, h; bad++; continue }
			t = "(generated) " h
		} else r = rank(t)
		# clients/c, conformance and selfcheck sit beside the server, on lib/
		# and clients/c only (and each on itself).
		if ((me == 0.5 || me == 0.6 || me == 0.7) && r != 0 && r != 0.5 && r != me) {
			printf "%s:%d: includes %s: only lib/ and clients/c/ are allowed here\n", file, ln, t; bad++; continue
		}
		if (me < 1 && me != 0.5 && me != 0.6 && me != 0.7 && r > me) {
			printf "%s:%d: includes %s: lib/ includes only lib/\n", file, ln, t; bad++; continue
		}
		if (r > me) { printf "%s:%d: includes %s, a higher layer\n", file, ln, t; bad++; continue }
	}
	close(file)
}
END {
	if (bad) { printf "layers: %d upward include(s); see tools/layers.sh for the stack\n", bad; exit 1 }
	print "layers: clean"
}'
