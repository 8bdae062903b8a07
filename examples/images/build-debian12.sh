#!/usr/bin/env bash
# Builds a Debian 12 golden image for xenplan's new guests, shaped like a guest xen-tools
# installs: an ext4 file system directly on the disk (no partition table), meant to be
# the guest's xvda2 with swap on xvda1, booted by pygrub from /boot/grub/grub.cfg, with
# cloud-init reading xenplan's NoCloud seed (hostname, addresses, ssh keys) at first boot.
#
# Usage: build-debian12.sh [--size SIZE] [--qcow2] [--mirror URL] [--security URL] [--output DIR]
#   --size SIZE      size of the file system image, e.g. 2G (default) or 1536M
#   --qcow2          also write debian12.qcow2 (qemu-img convert) and print its snippet
#   --mirror URL     Debian mirror (default: the first URIs: of /etc/apt sources, else deb.debian.org)
#   --security URL   security mirror (default: the debian-security URIs: of /etc/apt sources,
#                    else security.debian.org)
#   --output DIR     where debian12.img goes (default: the current directory)
# Run as root on Debian (debootstrap, e2fsprogs; qemu-utils for --qcow2). Needs network
# access to the mirrors while it runs; the image is a file and is used offline afterwards.
set -euo pipefail

log() { echo "build-debian12: $*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '7,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

size=2G
qcow2=no
mirror=""
security=""
output=.
while [ $# -gt 0 ]; do
  case "$1" in
    --size) [ $# -ge 2 ] || usage; size="$2"; shift 2 ;;
    --qcow2) qcow2=yes; shift ;;
    --mirror) [ $# -ge 2 ] || usage; mirror="$2"; shift 2 ;;
    --security) [ $# -ge 2 ] || usage; security="$2"; shift 2 ;;
    --output) [ $# -ge 2 ] || usage; output="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) log "unknown argument: $1"; usage ;;
  esac
done

# Values that reach command lines and files are checked here, so that none can be read
# as an option or break a line of sources.list.
[[ "$size" =~ ^[1-9][0-9]{0,5}[MG]$ ]] || die "--size '$size' is not a size such as 2G or 1536M"
sources=/etc/apt/sources.list.d/debian.sources
if [ -z "$mirror" ]; then
  mirror="$(awk '/^URIs:/ && $2 !~ /debian-security/ {print $2; exit}' "$sources" 2>/dev/null || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
fi
if [ -z "$security" ]; then
  security="$(awk '/^URIs:/ && $2 ~ /debian-security/ {print $2; exit}' "$sources" 2>/dev/null || true)"
  security="${security:-http://security.debian.org/debian-security}"
fi
for url in "$mirror" "$security"; do
  [[ "$url" =~ ^https?://[A-Za-z0-9._~:/-]+$ ]] || die "'$url' is not an http(s) URL"
done
[ -d "$output" ] || die "--output '$output' is not a directory"
output="$(cd -- "$output" && pwd)"

[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap and chroot need it)"
missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
if [ "$qcow2" = yes ]; then command -v qemu-img >/dev/null || missing+=(qemu-utils); fi
[ ${#missing[@]} -eq 0 ] || die "missing tools; install them with: apt-get install ${missing[*]}"

image="$output/debian12.img"
qimage="$output/debian12.qcow2"
for f in "$image" "$qimage"; do
  [ ! -e "$f" ] || die "$f exists; move it away first (an image in use is never overwritten)"
done

# What a small server guest needs, and no more: init (with dbus, which hostnamectl and
# logind need), the kernel, networking with ifupdown (the renderer cloud-init uses when
# it finds ifupdown; resolvconf applies the name servers it writes there), ssh, sudo for
# the default user, cloud-init with the tools its resize step runs. Installed by apt
# inside the new system, which resolves dependencies and virtual packages (debootstrap's
# --include does not).
packages=(
  systemd-sysv udev kmod dbus linux-image-amd64
  ifupdown isc-dhcp-client iproute2 netbase resolvconf
  openssh-server sudo cloud-init cloud-guest-utils e2fsprogs
  ca-certificates less
)

work="$(mktemp -d "${TMPDIR:-/var/tmp}/build-debian12.XXXXXX")"
root="$work/root"
cleanup() {
  local status=$?
  for m in sys proc; do
    if mountpoint -q "$root/$m" 2>/dev/null; then umount -l "$root/$m" || true; fi
  done
  rm -rf --one-file-system -- "$work" "$output/.debian12.img.partial" "$output/.debian12.qcow2.partial"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# The last lines of a failed step's log, then stop.
failed() {
  tail -30 "$2" >&2
  die "$1 failed (the last lines of its log are above)"
}
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }

start=$SECONDS
log "debootstrap bookworm from $mirror into $work"
if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
  if [ -f "$root/debootstrap/debootstrap.log" ]; then cat "$root/debootstrap/debootstrap.log" >>"$work/debootstrap.log"; fi
  failed debootstrap "$work/debootstrap.log"
fi
log "debootstrap done in $((SECONDS - start)) s"

# Nothing is started inside the image while it is built.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
# The initramfs must not wait for a resume device found on the build machine.
mkdir -p "$root/etc/initramfs-tools/conf.d"
echo 'RESUME=none' > "$root/etc/initramfs-tools/conf.d/resume"
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
  "$mirror" "$mirror" "$security" > "$root/etc/apt/sources.list"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
log "installing ${packages[*]}"
{ in_root apt-get update && in_root apt-get -y dist-upgrade &&
  in_root apt-get install -y --no-install-recommends "${packages[@]}"; } >"$work/apt.log" 2>&1 ||
  failed "apt-get in the image" "$work/apt.log"
umount "$root/sys" "$root/proc"
rm -f "$root/usr/sbin/policy-rc.d"
log "packages installed at $((SECONDS - start)) s"

# --- identity that must differ per guest: none in the image -------------------------
# systemd makes a machine id at first boot when the file is empty; cloud-init (or the
# unit below, without cloud-init) makes the ssh host keys.
: > "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root/var/lib/systemd/random-seed"
rm -f "$root"/etc/ssh/ssh_host_*
echo debian12 > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
# resolvconf writes the name servers of the network configuration there at boot; the
# build machine's own (kept by resolvconf as "original") have no business in a guest.
ln -sfn ../run/resolvconf/resolv.conf "$root/etc/resolv.conf"
rm -f "$root/etc/resolvconf/resolv.conf.d/original"
# No root password: root cannot log in with one. The seed's keys and password hash go to
# cloud-init's default user (`debian`, with sudo).
in_root passwd -l root >/dev/null

# --- disks: root on xvda2 (the whole device), swap on xvda1 ------------------------
cat > "$root/etc/fstab" <<'FSTAB'
# xenplan guest: the file system is directly on xvda2 (no partition table). cloud-init
# adds the swap on xvda1 at first boot (/etc/cloud/cloud.cfg.d/99_xenplan.cfg).
/dev/xvda2  /  ext4  errors=remount-ro  0  1
FSTAB

# --- cloud-init: the NoCloud seed only, and nothing when there is none ----------------
cat > "$root/etc/cloud/cloud.cfg.d/99_xenplan.cfg" <<'CFG'
# xenplan attaches a NoCloud seed (an ISO labelled cidata, as xvdz), and no other data
# source is looked for. Without a seed, cloud-init falls back to none: DHCP on the first
# interface, new ssh host keys, and no key to log in with.
datasource_list: [NoCloud, None]
# xvda1, when the guest has one, is swap: made on a blank device (partition: any leaves
# a device that holds a file system alone), then added to /etc/fstab and turned on.
# nofail: a guest without xvda1 boots all the same (fs_setup logs a warning for it).
fs_setup:
  - {device: /dev/xvda1, partition: any, filesystem: swap}
mounts:
  - [/dev/xvda1, none, swap, "sw,nofail,x-systemd.device-timeout=5s", "0", "0"]
# The file system grows to the size of the volume xenplan created (resize2fs, online).
resize_rootfs: true
# /etc/hosts names the host the seed gives (sudo looks itself up there); the locale is
# glibc's built-in one, since no other is generated in the image.
manage_etc_hosts: true
locale: C.UTF-8
CFG

# sshd refuses to start without host keys; cloud-init makes them when it runs, this unit
# when it does not (cloud-init disabled in the guest).
cat > "$root/etc/systemd/system/ssh-host-keys.service" <<'UNIT'
[Unit]
Description=Create missing ssh host keys
After=cloud-init.service
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key
[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A
[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/ssh-host-keys.service "$root/etc/systemd/system/multi-user.target.wants/ssh-host-keys.service"

# --- boot: pygrub reads /boot/grub/grub.cfg -----------------------------------------
# The kernel's postinst keeps /vmlinuz and /initrd.img pointing at the newest kernel, so
# this file stays right across kernel upgrades in the guest.
for link in vmlinuz initrd.img; do
  if [ ! -e "$root/$link" ]; then
    target="$(cd "$root/boot" && ls -1 "$link"-* 2>/dev/null | sort -V | tail -1)"
    [ -n "$target" ] || die "no /boot/$link-* in the image (did linux-image-amd64 install?)"
    ln -sf "boot/$target" "$root/$link"
  fi
done
mkdir -p "$root/boot/grub"
cat > "$root/boot/grub/grub.cfg" <<'GRUB'
# Read by pygrub on the dom0 (GRUB 2 syntax): the file system is xvda2, the console hvc0.
set default=0
set timeout=1
menuentry 'Debian GNU/Linux 12' {
    linux /vmlinuz root=/dev/xvda2 ro console=hvc0
    initrd /initrd.img
}
GRUB

# --- the image ---------------------------------------------------------------------
in_root apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log "$root"/tmp/*
log "mkfs.ext4 -d: $size file system image"
truncate -s "$size" "$work/debian12.img"
mkfs.ext4 -q -F -L debian12 -d "$root" "$work/debian12.img" || die "mkfs.ext4 -d failed (is $size large enough?)"
e2fsck -fn "$work/debian12.img" >"$work/e2fsck.log" 2>&1 || failed "e2fsck -fn of the new image" "$work/e2fsck.log"

cp --sparse=always "$work/debian12.img" "$output/.debian12.img.partial"
mv "$output/.debian12.img.partial" "$image"
sum="$(sha256sum "$image" | cut -d' ' -f1)"
format=raw
file=debian12.img
if [ "$qcow2" = yes ]; then
  qemu-img convert -f raw -O qcow2 "$image" "$output/.debian12.qcow2.partial"
  mv "$output/.debian12.qcow2.partial" "$qimage"
  log "raw image: $image (sha256 $sum)"
  sum="$(sha256sum "$qimage" | cut -d' ' -f1)"
  format=qcow2
  file=debian12.qcow2
fi

log "done in $((SECONDS - start)) s"
cat <<EOF
$output/$file
sha256 $sum

Copy it to every dom0 that creates guests from it, e.g.
  ssh root@DOM0 install -d -m 0755 /var/lib/xenplan/images
  scp $output/$file root@DOM0:/var/lib/xenplan/images/$file
and declare it in the manifests (docs/provisioning.md):

images:
  debian12: {path: /var/lib/xenplan/images/$file, format: $format, sha256: $sum}
EOF
