#!/usr/bin/env bash
# Builds (or reuses) the lab's dom0 image: Debian 12 with Xen 4.17, its tools, the kernel,
# lvm2, openssh and busybox, plus a busybox PV guest (dom0's kernel + a busybox initramfs).
#
# Usage: Tests/Lab/build-image.sh            prints the image directory on stdout
# The image is cached under $XENPLAN_LAB_CACHE (default /var/cache/xenplan-lab), in a
# directory named by a hash of its inputs (this script, dom0-boot.sh, the guest's init, the package
# list, the mirror and busybox). The xenplan binary and dom0-setup.sh are NOT part of the
# image: the runner hands them to each dom0 through the 9p share, so a change to either
# does not rebuild the image.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${XENPLAN_LAB_CACHE:-/var/cache/xenplan-lab}"
log() { echo "build-image: $*" >&2; }

packages="xen-hypervisor-4.17-amd64,xen-utils-4.17,xenstore-utils,linux-image-amd64,systemd-sysv,udev,kmod,iproute2,lvm2,openssh-server,openssh-client,busybox,procps,netbase,genisoimage,qemu-utils,ifupdown,bridge-utils"
mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
mirror="${mirror:-http://deb.debian.org/debian}"

# Host tools, installed once (idempotent).
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
command -v cpio >/dev/null || need+=(cpio)
command -v ssh-keygen >/dev/null || need+=(openssh-client)
{ [ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; } || need+=(busybox-static)
command -v xz >/dev/null || need+=(xz-utils)
command -v file >/dev/null || need=(file "${need[@]}")
if [ ${#need[@]} -gt 0 ]; then
  log "installing host packages: ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2
fi

key="$( { cat "$0" "$here/dom0-boot.sh" "$here/guest-rc"; echo "$packages $mirror"; sha256sum /bin/busybox; } | sha256sum | cut -c1-16)"
out="$cache/image-$key"
if [ -f "$out/complete" ]; then
  log "cached image $out"
  echo "$out"
  exit 0
fi

mkdir -p "$cache"
# Leftovers of an interrupted build.
find "$cache" -maxdepth 1 -name "build.*" -mmin +120 -exec rm -rf {} + 2>/dev/null || true
work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'umount -R "$work/rootfs/proc" "$work/rootfs/sys" 2>/dev/null || true; rm -rf "$work"' EXIT
root="$work/rootfs"
start=$SECONDS
log "debootstrap bookworm from $mirror (about 90 s)"
debootstrap --variant=minbase --include="$packages" bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -30 "$work/debootstrap.log" >&2; exit 1; }
log "debootstrap done in $((SECONDS - start)) s"

# --- dom0 configuration --------------------------------------------------------------
echo "dom0" > "$root/etc/hostname"
printf '127.0.0.1 localhost\n10.0.0.1 a\n10.0.0.2 b\n' > "$root/etc/hosts"
echo 'root:xenlab' | chroot "$root" chpasswd
# No host keys in the image: each run brings its own.
rm -f "$root"/etc/ssh/ssh_host_*
cat > "$root/etc/ssh/sshd_config.d/lab.conf" <<'CONF'
PermitRootLogin prohibit-password
PasswordAuthentication no
UseDNS no
HostKey /etc/ssh/ssh_host_ed25519_key
CONF
# Guest consoles are logged; xendomains would restart guests at boot: not in tests.
cat >> "$root/etc/default/xen" <<'CONF'
XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xen/console"
CONF
mkdir -p "$root/var/log/xen/console" "$root/etc/xen/auto" "$root/srv/lab" "$root/var/lib/xenplan-lab"
chroot "$root" systemctl disable xendomains.service >/dev/null 2>&1 || true
rm -f "$root"/etc/rc?.d/S*xendomains
for unit in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer \
            systemd-timesyncd.service lvm2-monitor.service; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
printf '9p\n9pnet\n9pnet_virtio\nloop\nbridge\nxen-netback\nxen-blkback\n' > "$root/etc/modules-load.d/lab.conf"
# ifupdown reads xenplan's bridge files (docs/hosts.md): the file Debian's installer or
# ifupdown's own setup leaves is kept; a root without one gets the same default.
[ -f "$root/etc/network/interfaces" ] || printf '%s\n' '# interfaces(5) file used by ifup(8) and ifdown(8)' \
  '# Include files from /etc/network/interfaces.d:' 'source /etc/network/interfaces.d/*' > "$root/etc/network/interfaces"
printf '/dev/vda / ext4 rw,noatime 0 1\n' > "$root/etc/fstab"
install -m 0755 "$here/dom0-boot.sh" "$root/usr/local/sbin/xenplan-lab-setup"
cat > "$root/etc/systemd/system/xenplan-lab-setup.service" <<'UNIT'
[Unit]
Description=xenplan lab: network, share, keys and the xenplan binary for this run
DefaultDependencies=no
After=local-fs.target systemd-modules-load.service
Before=ssh.service network.target getty.target serial-getty@hvc0.service
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/xenplan-lab-setup
StandardOutput=journal+console
StandardError=journal+console
[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/xenplan-lab-setup.service "$root/etc/systemd/system/multi-user.target.wants/xenplan-lab-setup.service"
# Readiness: printed on the serial console once sshd and xenstored are up.
cat > "$root/etc/systemd/system/xenplan-lab-ready.service" <<'UNIT'
[Unit]
Description=xenplan lab: readiness mark
After=ssh.service xen.service xenplan-lab-setup.service
Wants=ssh.service
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'for i in $(seq 1 120); do [ -S /run/xenstored/socket ] && xl list >/dev/null 2>&1 && break; sleep 1; done; echo XENPLAN-LAB-READY $(hostname) > /dev/console'
[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/xenplan-lab-ready.service "$root/etc/systemd/system/multi-user.target.wants/xenplan-lab-ready.service"

# --- boot files ----------------------------------------------------------------------
mkdir -p "$work/out"
gunzip -c "$root"/boot/xen-4.17-amd64.gz > "$work/out/xen.elf"
cp "$root"/boot/vmlinuz-* "$work/out/vmlinuz"
cp "$root"/boot/initrd.img-* "$work/out/initrd.img"
cp "$root"/boot/vmlinuz-* "$root/var/lib/xenplan-lab/guest-vmlinuz"
chroot "$root" dpkg-query -W -f '${Version}\n' xen-hypervisor-4.17-amd64 > "$work/out/xen-version"

# --- the busybox PV guest's initramfs ------------------------------------------------
g="$work/guest"
mkdir -p "$g"/{bin,sbin,etc,proc,sys,dev,tmp,root,usr/bin,usr/sbin}
cp /bin/busybox "$g/bin/busybox"
ln -s busybox "$g/bin/sh"
cat > "$g/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s
exec /bin/busybox init
INIT
chmod 0755 "$g/init"
printf '::sysinit:/etc/rc\nhvc0::respawn:-/bin/sh\n::shutdown:/bin/umount -a -r\n' > "$g/etc/inittab"
install -m 0755 "$here/guest-rc" "$g/etc/rc"
# The block frontend, loaded by a guest whose command line says xplab.blk (the grow step:
# a running guest is told its disk's new size only through a connected frontend).
mkdir -p "$g/lib/modules"
ko="$(find "$root/lib/modules" -name 'xen-blkfront.ko*' | head -1)"
case "$ko" in
  *.xz) xz -dc "$ko" > "$g/lib/modules/xen-blkfront.ko" ;;
  *.ko) cp "$ko" "$g/lib/modules/xen-blkfront.ko" ;;
  *) log "no usable xen-blkfront module ($ko): the grow step cannot check the guest" ;;
esac
mknod -m 0600 "$g/dev/console" c 5 1
mknod -m 0666 "$g/dev/null" c 1 3
(cd "$g" && find . | cpio -o -H newc --quiet | gzip -9) > "$root/var/lib/xenplan-lab/guest-initrd.img"

# --- root disk -----------------------------------------------------------------------
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
truncate -s 3G "$work/out/base.img"
mkfs.ext4 -q -F -L lab-root -d "$root" "$work/out/base.img"
cp "$work/debootstrap.log" "$work/out/"
touch "$work/out/complete"
rm -rf "$out"
mv "$work/out" "$out"
log "image ready in $((SECONDS - start)) s: $out"
echo "$out"
