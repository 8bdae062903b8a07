#!/bin/sh
# Run at each dom0's boot from the run's 9p share (by dom0-boot.sh, before sshd). Reads
# this run's parameters from the kernel command line (xplab.name=, xplab.ip=) and the
# share: addresses, host key, authorized keys, the dom0s' root key, the xenplan binary.
set -eu
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -1; }
name="$(arg xplab.name)"; ip="$(arg xplab.ip)"
[ -n "$name" ] || { echo "xenplan-lab: no xplab.name= on the command line"; exit 0; }
echo "xenplan-lab: setting up dom0 $name ($ip)"
hostname "$name"; echo "$name" > /etc/hostname
run=/srv/lab/run

# NICs by MAC: 52:54:00:12:34:0N is the link between the dom0s, 52:54:00:aa:00:0N the
# user-mode NIC the test machine's ssh reaches. They appear once udev loaded virtio_net.
modprobe virtio_net 2>/dev/null || true
ifname() { for d in /sys/class/net/*; do [ "$(cat "$d/address")" = "$1" ] && basename "$d"; done; return 0; }
n="${ip##*.}"
for i in $(seq 1 60); do
  link="$(ifname "52:54:00:12:34:0$n")"; user="$(ifname "52:54:00:aa:00:0$n")"
  [ -n "$link" ] && [ -n "$user" ] && break
  sleep 1
done
[ -n "$link" ] && [ -n "$user" ] || { echo "xenplan-lab: NICs not found"; ls /sys/class/net; exit 1; }
ip link set lo up
ip link set "$user" up; ip addr replace 10.0.2.15/24 dev "$user"; ip route replace default via 10.0.2.2
ip link set "$link" up; ip addr replace "$ip/24" dev "$link"

install -d -m 0700 /root/.ssh
install -m 0600 "$run/$name/ssh_host_ed25519_key" /etc/ssh/ssh_host_ed25519_key
install -m 0644 "$run/$name/ssh_host_ed25519_key.pub" /etc/ssh/ssh_host_ed25519_key.pub
install -m 0600 "$run/authorized_keys" /root/.ssh/authorized_keys
install -m 0600 "$run/dom0_key" /root/.ssh/id_ed25519
install -m 0644 "$run/dom0_key.pub" /root/.ssh/id_ed25519.pub
install -m 0644 "$run/dom0_known_hosts" /root/.ssh/known_hosts
install -m 0755 "$run/xenplan" /usr/local/bin/xenplan.new && mv /usr/local/bin/xenplan.new /usr/local/bin/xenplan
install -d -m 0755 /srv/lab/images /etc/xen/xenplan /etc/xen/auto /etc/xenplan
# What the agent may change on this dom0: the shared image directory, its own volume
# group, and the scenario's host-only bridge; images only from the share (docs/hosts.md).
# A volume group of its own on a loop file (fresh each run: the root is an overlay), for
# volumes filled from images; images are read from the share's images-src. After a reboot
# within the run (the reboot step) the file is there: attached again, its group activated.
vg="vg$name"
img=/var/lib/xenplan-lab/$vg.img
if ! vgs "$vg" >/dev/null 2>&1; then
  if [ -f "$img" ]; then
    losetup -f "$img"
    vgchange -q -ay "$vg" >/dev/null
  else
    truncate -s 320M "$img"
    loop="$(losetup -f --show "$img")"
    vgcreate -q "$vg" "$loop" >/dev/null
  fi
fi
install -d -m 0755 /srv/lab/images-src
cat > /etc/xenplan/agent.yaml <<POLICY
imageDirectories: [/srv/lab/images, /srv/lab/backup]
volumeGroups: [$vg]
imageSources: [/srv/lab/images-src]
bridges:
  xenbr0: {}
POLICY
chmod 0644 /etc/xenplan/agent.yaml
echo "xenplan-lab: dom0 $name ready for sshd"
