#!/bin/sh
# In the image (xenplan-lab-setup.service, before sshd): mounts the run's 9p share on
# /srv/lab and runs the run's own setup script from it, so that the setup can change
# without rebuilding the image.
mkdir -p /srv/lab
for i in $(seq 1 30); do
  mountpoint -q /srv/lab && break
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none lab /srv/lab 2>/dev/null && break
  sleep 1
done
mountpoint -q /srv/lab || { echo "xenplan-lab: cannot mount the 9p share 'lab'"; exit 1; }
exec /bin/sh -x /srv/lab/run/dom0-setup.sh
