#!/usr/bin/env python3
"""Boots one lab dom0 on an AMD CPU model with SVM (default `EPYC,-monitor,-smap`: TCG
has no MWAIT, and SMAP crashes dom0 under TCG) and tries an HVM guest: what Xen says about
HVM support, which firmware and device model the dom0 has, and what `xl create` of a
small HVM guest does. Prints what it saw; the dom0 is powered off at the end.

    Tests/Lab/hvm-try.py [CPU_MODEL]      # as root; the lab's cached image and a built
                                          # .build-lab/release/xenplan (make lab) are used
"""
import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
cpu = sys.argv[1] if len(sys.argv) > 1 else "EPYC,-monitor,-smap"
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
        config = 'name="h1"\\ntype="hvm"\\nmemory=64\\nvcpus=1\\nboot="d"\\nserial="pty"\\nvnc=0\\n'
        for command in [
            "xl info | grep -E 'virt_caps|xen_caps'",
            "xl dmesg | grep -i -E 'svm|hvm|npt|hap' | head -20",
            "ls /usr/lib/xen-4.17/boot/ /usr/share/seabios /usr/lib/xen-4.17/bin/qemu-system-i386 2>&1",
            f"printf '{config}' > /tmp/h1.cfg && xl -vvv create /tmp/h1.cfg 2>&1 | grep -E 'error|Loading' | head -10; xl list",
            "xl destroy h1 2>&1; xl list",
        ]:
            p = a.ssh(command, timeout=600)
            seen.append(f"$ {command}\n{p.stdout}{p.stderr}")
    else:
        seen.append("the dom0 did not boot: " + "\n".join(s[4] for s in runner.report.steps[-1:]))
finally:
    print("\n".join(seen))
    runner.shutdown()
