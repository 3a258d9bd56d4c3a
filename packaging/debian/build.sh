#!/bin/sh
# build.sh - `make deb`: packages what `make` built as BUILD/cdpmock_VERSION_ARCH.deb
# with dpkg-dev's own tools: dpkg-shlibdeps works out Depends from the
# libraries the two programs link, dpkg-gencontrol writes DEBIAN/control from
# packaging/debian/control, dpkg-deb builds the archive (files owned by root
# without fakeroot).  Not a source package: nothing is rebuilt or retested
# here.  What goes in:
#   /usr/bin/cdpmock, /usr/bin/cdpconform                  (stripped)
#   /usr/share/man/man1/cdpmock.1.gz, cdpconform.1.gz, man5/cdpmock-scenario.5.gz
#   /usr/share/cdpmock/scenarios/                            the scenario library
#   /usr/share/doc/cdpmock/copyright, changelog.Debian.gz, README.md,
#     scenario-format.md, guide.md (when docs/guide.md exists)
# usage: sh packaging/debian/build.sh BUILD VERSION   (from the top folder)
set -eu
build=$1
version=$2
arch=$(dpkg --print-architecture)
work=$build/deb
root=$work/root
deb=$build/cdpmock_${version}_${arch}.deb

# Older versions' packages too: `apt-get install ./BUILD/cdpmock_*.deb` takes one.
rm -rf "$work" "$build"/cdpmock_*.deb
mkdir -p "$work/debian" "$root/DEBIAN"

# dpkg-gencontrol reads the version from debian/changelog.
cp packaging/debian/control "$work/debian/control"
maint=$(sed -n 's/^Maintainer: //p' packaging/debian/control)
date=$(date -R -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")
printf 'cdpmock (%s) unstable; urgency=medium\n\n  * Built from the source tree by make deb.\n\n -- %s  %s\n' \
	"$version" "$maint" "$date" >"$work/debian/changelog"

install -d "$root/usr/bin" "$root/usr/share/man/man1" "$root/usr/share/man/man5" \
	"$root/usr/share/cdpmock" "$root/usr/share/doc/cdpmock"
for p in cdpmock cdpconform; do
	install -m 755 "$build/$p" "$root/usr/bin/$p"
	strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/$p"
done
install -D -m 755 "$build/cdpmock-selfcheck" "$root/usr/lib/cdpmock/cdpmock-selfcheck"
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
	"$root/usr/lib/cdpmock/cdpmock-selfcheck"
for m in cdpmock.1 cdpconform.1; do
	gzip -9n <"docs/man/$m" >"$root/usr/share/man/man1/$m.gz"
done
gzip -9n <docs/man/cdpmock-scenario.5 >"$root/usr/share/man/man5/cdpmock-scenario.5.gz"

# The library, as it is in the tree (folders 755, files 644).
cp -R scenarios "$root/usr/share/cdpmock/scenarios"
find "$root/usr/share/cdpmock" -type d -exec chmod 755 {} +
find "$root/usr/share/cdpmock" -type f -exec chmod 644 {} +

doc=$root/usr/share/doc/cdpmock
install -m 644 packaging/debian/copyright "$doc/copyright"
install -m 644 README.md docs/scenario-format.md "$doc/"
if [ -f docs/guide.md ]; then install -m 644 docs/guide.md "$doc/guide.md"; fi
gzip -9n <"$work/debian/changelog" >"$doc/changelog.Debian.gz"
chmod 644 "$doc/changelog.Debian.gz"

# Depends: the packages that hold the libraries the programs link
# (libwebsockets, jansson, zlib, libmd, libc, and what they bring).
(cd "$work" && dpkg-shlibdeps -Tdebian/substvars root/usr/bin/cdpmock root/usr/bin/cdpconform \
	root/usr/lib/cdpmock/cdpmock-selfcheck)
(cd "$work" && dpkg-gencontrol -pcdpmock -Tdebian/substvars -Proot)
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "make deb: $deb"
dpkg-deb --field "$deb" Package Version Architecture Depends Installed-Size
