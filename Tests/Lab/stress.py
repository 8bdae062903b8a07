#!/usr/bin/env python3
"""Boots one dom0 of the lab under the CPU model of XENPLAN_LAB_CPU and counts the
processes that crash under a fixed workload: three guests created, then two loops of 60
rounds of lvs, ip, xl list -l, xenstore-ls and xenplan. Used to choose the lab's CPU model
(README: "Under TCG"). Prints the failures, the kernel's segfault/GPF lines and the count.

    XENPLAN_LAB_CPU=Nehalem Tests/Lab/stress.py
"""
import os
import shutil
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402

WORKLOAD = r'''
fails=0
for r in 1 2 3; do
  cat > /tmp/s$r.cfg <<CFG
name = "s$r"
type = "pv"
kernel = "/var/lib/xenplan-lab/guest-vmlinuz"
ramdisk = "/var/lib/xenplan-lab/guest-initrd.img"
extra = "console=hvc0 quiet"
memory = 128
maxmem = 256
vcpus = 1
maxvcpus = 2
on_crash = "preserve"
CFG
  xl create /tmp/s$r.cfg >/tmp/create$r.log 2>&1 || echo "FAIL xl create s$r: $(tail -1 /tmp/create$r.log)"
done
loop() {
  for i in $(seq 1 60); do
    lvs --reportformat json >/dev/null 2>&1 || echo "FAIL lvs $?"
    ip -j -d link show >/dev/null 2>&1 || echo "FAIL ip $?"
    xl list -l >/dev/null 2>&1 || echo "FAIL xl list -l $?"
    xenstore-ls >/dev/null 2>&1 || echo "FAIL xenstore-ls $?"
    xenplan agent --help >/dev/null 2>&1 || echo "FAIL xenplan $?"
  done
}
loop & loop & wait
xl list
for r in 1 2 3; do xl destroy s$r 2>/dev/null; done
dmesg | grep -i 'segfault\|general protection\|traps:' | cut -c1-160
echo "crashed processes: $(dmesg | grep -ci 'segfault\|general protection\|traps:')"
'''


def main():
    if os.geteuid() != 0:
        sys.exit("stress.py: run as root")
    L = lab.Lab(types.SimpleNamespace(report=None, part="one", keep=False, transport="ssh"))
    try:
        L.binary = lab.build_xenplan()
        L.image, _ = lab.build_image()
        if not L.boot(["a"]):
            sys.exit(1)
        started = time.monotonic()
        p = L.dom0s["a"].ssh(WORKLOAD, timeout=3600)
        print(p.stdout, p.stderr, sep="")
        lab.log(f"-cpu {lab.CPU_MODEL}: workload {time.monotonic() - started:.0f} s")
    finally:
        L.shutdown()


if __name__ == "__main__":
    main()
