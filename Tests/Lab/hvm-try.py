#!/usr/bin/env python3
"""Boots one lab dom0 on an AMD CPU model with SVM (default `EPYC,-monitor,-smap`: TCG
has no MWAIT, and SMAP crashes dom0 under TCG) and tries an HVM guest: what Xen says about
HVM support, which firmware and device model the dom0 has, and what `xl create` of a
small HVM guest does. With `--install`, SeaBIOS and Xen's device model (`seabios`,
`qemu-system-xen`, which the lab image lacks) are installed in the running dom0 from
Debian's mirror first, and the guest (no disk) is left to run for a minute: hvmloader's
and SeaBIOS's own lines appear in `xl dmesg` as `(d1) …`. Prints what it saw; the dom0 is
powered off at the end.

    Tests/Lab/hvm-try.py [--install] [CPU_MODEL]   # as root; the lab's cached image and a
                                                   # built .build-lab/release/xenplan are used
"""
import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
words = [w for w in sys.argv[1:] if w != "--install"]
install = "--install" in sys.argv[1:]
cpu = words[0] if words else "EPYC,-monitor,-smap"
os.environ["XENPLAN_LAB_CPU"] = cpu
os.environ.setdefault("XENPLAN_LAB_BINARY", str(HERE.parent.parent / ".build-lab" / "release" / "xenplan"))
sys.path.insert(0, str(HERE))
import lab  # noqa: E402

lab.CPU_MODEL = cpu
runner = lab.Lab(argparse.Namespace(part="one", report="/dev/null", keep=False, transport="ssh"))
seen = []
try:
    if runner.prepare() and runner.boot(["a"]):
        a = runner.dom0s["a"]
        config = 'name="h1"\\ntype="hvm"\\nmemory=64\\nvcpus=1\\nboot="c"\\nserial="pty"\\nvnc=0\\n'
        install_commands = [
            "apt-get update 2>&1 | tail -1; DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "
            "seabios qemu-system-xen 2>&1 | tail -2",
        ] if install else []
        for command in [
            "xl info | grep -E 'virt_caps|xen_caps'",
            "xl dmesg | grep -i -E 'svm|hvm|npt|hap' | head -20",
            *install_commands,
            "ls /usr/lib/xen-4.17/boot/ /usr/share/seabios/bios-256k.bin 2>&1",
            f"printf '{config}' > /tmp/h1.cfg && xl -vvv create /tmp/h1.cfg 2>&1 | grep -E 'error|Loading' | head -10; "
            + ("sleep 60; " if install else "") + "xl list; xl dmesg | grep -a '(d1)' | head -60",
            "xl destroy h1 2>&1; xl list",
        ]:
            p = a.ssh(command, timeout=600)
            seen.append(f"$ {command}\n{p.stdout}{p.stderr}")
    else:
        seen.append("the dom0 did not boot: " + "\n".join(s[4] for s in runner.report.steps[-1:]))
finally:
    print("\n".join(seen))
    runner.shutdown()
