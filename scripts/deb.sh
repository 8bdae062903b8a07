#!/usr/bin/env bash
# Builds xenplan_VERSION_ARCH.deb from a `make install PREFIX=/usr DESTDIR=ROOT` tree
# (`make deb` runs it): adds the systemd units of examples/ci (installed, not enabled),
# the commented agent policy as a conffile, the copyright, and DEBIAN/control, whose
# Depends are the binary's shared libraries' packages (dpkg-shlibdeps) and what the agent
# needs on a dom0 (docs/hosts.md). Prints the path of the package.
#
#   scripts/deb.sh ROOT OUTDIR
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: scripts/deb.sh ROOT OUTDIR" >&2; exit 2; }
root=$(realpath "$1")
out=$(realpath "$2")
umask 022

binary="$root/usr/bin/xenplan"
[ -x "$binary" ] || { echo "deb: $binary is missing: run make install PREFIX=/usr DESTDIR=$1 first" >&2; exit 1; }
# `0.1.0 (commit 1a2b3c4d5e6f, 2026-12-02)`: the package's version is the first word.
version=$("$binary" --version | cut -d' ' -f1)
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "deb: unexpected version '$version'" >&2; exit 1; }
arch=$(dpkg --print-architecture)

# As Debian ships binaries: without their symbol tables (95 MB → 65 MB).
strip --strip-unneeded "$binary"

# Debian keeps man pages compressed, without a time stamp (reproducible).
gzip -9nf "$root"/usr/share/man/man1/*.1

# The units call the binary where this package puts it.
install -d "$root/lib/systemd/system"
for unit in xenplan-drift.service xenplan-drift.timer xenplan-backup.service xenplan-backup.timer; do
    sed 's|/usr/local/bin/xenplan|/usr/bin/xenplan|g' "examples/ci/$unit" > "$root/lib/systemd/system/$unit"
    chmod 0644 "$root/lib/systemd/system/$unit"
done

install -D -m 0644 packaging/deb/agent.yaml "$root/etc/xenplan/agent.yaml"
install -D -m 0644 packaging/deb/copyright "$root/usr/share/doc/xenplan/copyright"

# The packages of the shared libraries the binary loads (libc, libstdc++, libxen…):
# dpkg-shlibdeps reads a source package's debian/control, so it runs in a scratch one.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/debian"
printf 'Source: xenplan\n\nPackage: xenplan\nArchitecture: any\n' > "$scratch/debian/control"
shlibs=$(cd "$scratch" && dpkg-shlibdeps -O "$binary" 2>"$scratch/shlibdeps.log") || {
    cat "$scratch/shlibdeps.log" >&2; exit 1; }
shlibs=${shlibs#shlibs:Depends=}
[ -n "$shlibs" ] || { echo "deb: dpkg-shlibdeps found no library" >&2; exit 1; }

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
install -d "$root/DEBIAN"
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@SIZE@|$size|" -e "s|@SHLIBS@|$shlibs|" \
    packaging/deb/control > "$root/DEBIAN/control"
echo /etc/xenplan/agent.yaml > "$root/DEBIAN/conffiles"
(cd "$root" && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\0' | sort -z | xargs -0 md5sum) \
    > "$root/DEBIAN/md5sums"
chmod 0644 "$root"/DEBIAN/*
find "$root" -type d -exec chmod 0755 {} +

deb="$out/xenplan_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
