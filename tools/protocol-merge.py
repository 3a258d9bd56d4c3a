#!/usr/bin/env python3
"""protocol-merge.py - rebuild Chrome's /json/protocol from the npm package.

One-off, build-host tool (not run by the Makefile).  It writes to stdout the
descriptor exactly as Chrome serves it at /json/protocol, from an unpacked
`devtools-protocol` npm package:

    cd /tmp && npm pack devtools-protocol@0.0.1707781 && tar xzf devtools-protocol-*.tgz
    python3 tools/protocol-merge.py /tmp/package > third_party/devtools-protocol/protocol.json

What Chrome does (third_party/inspector_protocol/concatenate_protocols.py):
the domains of browser_protocol.json, then those of js_protocol.json, under
{"version": {"major": "1", "minor": "3"}}, dumped by Python's json module with
indent=4 (so "," / ": " separators, "[]" / "{}" for empty containers, \\uXXXX
for non-ASCII) and keys in source order, with no trailing newline.

One difference must be undone: the npm package's JSON is generated with
pdl.py's map_binary_to_string, which turns every `binary` field into
`"type": "string"` and appends " (Encoded as a base64 string when passed over
JSON)" to its description, when it has one.  Chrome keeps `"type": "binary"`.
The .pdl sources in the same package say which fields are binary; this script
reads them and restores those fields, and fails if anything is left over.
"""
import json
import os
import re
import sys

SUFFIX = " (Encoded as a base64 string when passed over JSON)"

# A member line of a .pdl file: 6-space indent, modifiers, type, name.
MEMBER_RE = re.compile(r"^      (?:experimental )?(?:deprecated )?(?:optional )?"
                       r"(array of )?([\w.]+) ([\w-]+)\s*$")
ITEM_RE = re.compile(r"^  (?:experimental )?(?:deprecated )?(type|command|event) ([\w-]+)"
                     r"(?: extends (array of )?([\w.]+))?\s*$")
SECTION_RE = re.compile(r"^    (properties|parameters|returns)\s*$")


def pdl_files(pkg):
    """Every .pdl file of the package (the two roots and their includes)."""
    root = os.path.join(pkg, "pdl")
    out = []
    for dirpath, _, names in os.walk(root):
        out += [os.path.join(dirpath, n) for n in sorted(names) if n.endswith(".pdl")]
    return sorted(out)


def binary_members(pkg):
    """Set of (domain, kind, item, section, member) declared `binary` (or
    `array of binary`); member is None for `type X extends binary`."""
    found = set()
    for path in pdl_files(pkg):
        domain = kind = item = section = None
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line.lstrip().startswith("#"):
                    continue
                m = re.match(r"^(?:experimental )?(?:deprecated )?domain (\w+)", line)
                if m:
                    domain = m.group(1)
                    continue
                m = ITEM_RE.match(line)
                if m:
                    kind, item, section = m.group(1), m.group(2), None
                    if m.group(4) == "binary":
                        found.add((domain, kind, item, None, None))
                    continue
                m = SECTION_RE.match(line)
                if m:
                    section = m.group(1)
                    continue
                m = MEMBER_RE.match(line)
                if m and section and m.group(2) == "binary":
                    found.add((domain, kind, item, section, m.group(3)))
    return found


def restore_field(field):
    """Turns one npm-mapped field back into Chrome's `binary` field."""
    target = field["items"] if field.get("type") == "array" else field
    if target.get("type") != "string":
        raise SystemExit("protocol-merge: expected a mapped string in %r" % field)
    target["type"] = "binary"
    desc = field.get("description")
    if desc is not None and desc.endswith(SUFFIX):
        field["description"] = desc[: -len(SUFFIX)]


def restore_binary(domains, found):
    plural = {"type": "types", "command": "commands", "event": "events"}
    by_name = {d["domain"]: d for d in domains}
    for domain, kind, item, section, member in sorted(found, key=str):
        entries = [e for e in by_name[domain].get(plural[kind], [])
                   if e.get("id", e.get("name")) == item]
        if len(entries) != 1:
            raise SystemExit("protocol-merge: %s.%s not found" % (domain, item))
        if section is None:
            restore_field(entries[0])
            continue
        fields = [f for f in entries[0].get(section, []) if f["name"] == member]
        if len(fields) != 1:
            raise SystemExit("protocol-merge: %s.%s.%s not found" % (domain, item, member))
        restore_field(fields[0])


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: protocol-merge.py <unpacked devtools-protocol package>\n")
        return 2
    pkg = argv[1]
    domains = []
    for name in ("browser_protocol.json", "js_protocol.json"):
        with open(os.path.join(pkg, "json", name), encoding="utf-8") as f:
            domains += json.load(f)["domains"]
    restore_binary(domains, binary_members(pkg))
    out = json.dumps({"version": {"major": "1", "minor": "3"}, "domains": domains}, indent=4)
    if SUFFIX in out:
        raise SystemExit("protocol-merge: a mapped binary field was not restored")
    sys.stdout.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
