#!/usr/bin/env bash
# Installs a xenplan .deb into a clean Debian 12 root and checks what it installed
# (`make deb-test` runs it): dpkg -i, `xenplan --version`, `xenplan validate`, the man
# pages (man -w), the shell completions, the agent's policy as a conffile, the systemd
# units not enabled, and a clean purge. Exits non-zero on the first failure.
#
# The root is a minimal bookworm made by debootstrap with the package's Depends and
# man-db, cached under /var/cache/xenplan-deb-test (XENPLAN_DEB_TEST_CACHE), one per list
# of packages; each run works on a copy, so the cache stays clean. Needs root (chroot).
#
#   scripts/deb-test.sh xenplan_VERSION_ARCH.deb
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: scripts/deb-test.sh PACKAGE.deb" >&2; exit 2; }
deb=$(realpath "$1")
if [ "$(id -u)" -ne 0 ]; then exec sudo --preserve-env=XENPLAN_DEB_TEST_CACHE "$0" "$deb"; fi
start=$SECONDS
log() { echo "deb-test: $*"; }
fail() { echo "deb-test: FAILED: $*" >&2; exit 1; }

# The root's packages: the first alternative of each of the package's Depends, and man-db.
depends=$(dpkg-deb -f "$deb" Depends)
packages=$(echo "$depends" | tr ',' '\n' | sed -E 's/\|.*//; s/\(.*\)//; s/[[:space:]]//g' | grep . | sort -u | tr '\n' ',')
packages="${packages}man-db"
key=$(echo "$packages" | sha256sum | cut -c1-16)
cache=${XENPLAN_DEB_TEST_CACHE:-/var/cache/xenplan-deb-test}
base="$cache/bookworm-$key"

if [ -d "$base" ]; then
    log "clean root: cached $base"
else
    command -v debootstrap >/dev/null || {
        log "installing debootstrap"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    }
    mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    log "clean root: debootstrap bookworm from $mirror, then $packages"
    mkdir -p "$cache"
    rm -rf "$base.tmp"
    debootstrap --variant=minbase bookworm "$base.tmp" "$mirror" > "$cache/debootstrap.log" 2>&1 || {
        tail -30 "$cache/debootstrap.log" >&2; fail "debootstrap (log: $cache/debootstrap.log)"; }
    # A Debian 12 as it is kept: with bookworm-updates and bookworm-security (the package's
    # Depends carry the versions of the build machine's libraries, security updates
    # included), so the same sources as this machine when it is Debian 12.
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        rm -f "$base.tmp/etc/apt/sources.list"
        cp /etc/apt/sources.list.d/debian.sources "$base.tmp/etc/apt/sources.list.d/"
    else
        printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
            "$mirror" "$mirror" > "$base.tmp/etc/apt/sources.list"
    fi
    cp /etc/resolv.conf "$base.tmp/etc/resolv.conf"
    # No service starts inside the root.
    printf '#!/bin/sh\nexit 101\n' > "$base.tmp/usr/sbin/policy-rc.d"
    chmod 0755 "$base.tmp/usr/sbin/policy-rc.d"
    {
        chroot "$base.tmp" apt-get update -qq &&
            chroot "$base.tmp" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                $(echo "$packages" | tr ',' ' ')
    } >> "$cache/debootstrap.log" 2>&1 || { tail -30 "$cache/debootstrap.log" >&2; fail "apt-get install in the root"; }
    rm -rf "$base.tmp"/var/cache/apt/archives/*.deb
    # Roots of older package lists are not used again.
    find "$cache" -mindepth 1 -maxdepth 1 -type d -name 'bookworm-*' ! -name "bookworm-$key*" -exec rm -rf {} +
    mv "$base.tmp" "$base"
    log "clean root: made in $((SECONDS - start)) s"
fi

work=$(mktemp -d /var/tmp/xenplan-deb-test.XXXXXX)
root="$work/root"
trap 'umount "$root/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
cp -a "$base" "$root"
# The Swift runtime reads its arguments from /proc/self/cmdline: a root needs /proc, as
# every installed system has.
mount -t proc proc "$root/proc"
cp "$deb" "$root/tmp/"
cp -r examples/minimal "$root/tmp/minimal"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

name=$(basename "$deb")
if ! in_root dpkg -i "/tmp/$name" > "$work/dpkg.log" 2>&1; then
    # A cached root older than this machine's libraries: apt brings them up to date, as
    # on a dom0 that installs the package with apt.
    log "dpkg -i: dependencies not met in the cached root; apt-get -f install"
    { in_root apt-get update -qq && in_root env DEBIAN_FRONTEND=noninteractive apt-get -f install -y -qq; } >> "$work/dpkg.log" 2>&1 ||
        { cat "$work/dpkg.log" >&2; fail "dpkg -i $name"; }
fi
[ "$(in_root dpkg-query -W -f '${Status}' xenplan)" = "install ok installed" ] || fail "dpkg-query: xenplan is not installed"
log "ok: dpkg -i $name (Depends: $depends)"

version=$(dpkg-deb -f "$deb" Version)
line=$(in_root xenplan --version) || fail "xenplan --version"
[[ "$line" =~ ^${version//./\\.}\ \(commit\ (unknown|[0-9a-f]{7,40}(-dirty)?,\ [0-9]{4}-[0-9]{2}-[0-9]{2})\)$ ]] ||
    fail "xenplan --version printed '$line'"
log "ok: xenplan --version: $line"

in_root xenplan validate /tmp/minimal > "$work/validate.log" 2>&1 || { cat "$work/validate.log" >&2; fail "xenplan validate"; }
log "ok: xenplan validate examples/minimal"

for page in xenplan xenplan.plan xenplan.apply xenplan.agent; do
    path=$(in_root man -w "$page" 2>&1) || fail "man -w $page: $path"
    log "ok: man -w $page: $path"
done

for file in /usr/share/bash-completion/completions/xenplan /usr/share/zsh/vendor-completions/_xenplan \
    /usr/share/fish/vendor_completions.d/xenplan.fish; do
    [ -s "$root$file" ] || fail "completion $file is missing or empty"
    grep -q xenplan "$root$file" || fail "completion $file does not name xenplan"
    log "ok: completion $file"
done

in_root dpkg-query -W -f '${Conffiles}\n' xenplan | grep -q '^ /etc/xenplan/agent.yaml ' || fail "/etc/xenplan/agent.yaml is not a conffile"
log "ok: conffile /etc/xenplan/agent.yaml"

for unit in xenplan-drift.service xenplan-drift.timer xenplan-backup.service xenplan-backup.timer; do
    [ -f "$root/lib/systemd/system/$unit" ] || fail "unit $unit is missing"
    if grep -q /usr/local/ "$root/lib/systemd/system/$unit"; then fail "unit $unit names /usr/local"; fi
done
enabled=$(find "$root/etc/systemd/system" -name 'xenplan-*' 2>/dev/null)
[ -z "$enabled" ] || fail "units enabled: $enabled"
log "ok: systemd units in /lib/systemd/system, not enabled"

in_root dpkg --purge xenplan > "$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "dpkg --purge xenplan"; }
for file in /usr/bin/xenplan /etc/xenplan/agent.yaml /usr/share/man/man1/xenplan.1.gz; do
    [ ! -e "$root$file" ] || fail "$file is left after dpkg --purge"
done
log "ok: dpkg --purge xenplan leaves nothing"

log "passed in $((SECONDS - start)) s"
