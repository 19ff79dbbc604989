#!/usr/bin/env python3
"""Block I/O from inside the booted riscv64 guest on a qcow2 virtio-blk drive:
mimic-system-riscv64 and Debian's qemu-system-riscv64 side by side,
alternating runs, same images and options (Debian's OpenSBI fw_dynamic.bin,
the guest images' kernel and initramfs plus bench/guest/io.c under /bench).

Each run starts from a fresh copy of one qcow2 image (all clusters allocated,
random content) and the guest runs, on /dev/vda, in this order:
  seqwrite  SIZE MiB in 4 KiB O_DIRECT writes + fdatasync
  seqread   SIZE MiB in 4 KiB O_DIRECT reads
  randwrite OPS 4 KiB O_DIRECT writes at random offsets + fdatasync
  randread  OPS 4 KiB O_DIRECT reads at other random offsets
The time of each is measured in the guest (clock_gettime) and, as a check,
on the host between the output lines that end the previous and this step.
Prints the medians and the mimic/qemu ratios.

  bench/guest_io.py [--mimic build/mimic-system-riscv64] [--runs 5]
                    [--size-mib 32] [--ops 4096] [--cache writeback]
                    [--cluster-size 65536] [--show]
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

FIRMWARE = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
HERE = os.path.dirname(os.path.abspath(__file__))
MODES = ["seqwrite", "seqread", "randwrite", "randread"]
RESULT = re.compile(rb"IO-RESULT mode=(\w+) direct=(\d) ops=(\d+) bytes=\d+ secs=([0-9.]+)")


def prepare(a, work):
    """Builds the io program, the initramfs and the template image."""
    io = os.path.join(work, "io")
    subprocess.run([a.cc, "-O2", "-static", "-Wall", "-o", io, os.path.join(HERE, "guest/io.c")],
                   check=True)
    initrd = os.path.join(work, "initramfs-io.cpio.gz")
    subprocess.run([sys.executable, os.path.join(HERE, "guest_initrd.py"), initrd,
                    os.path.join(a.images, "riscv64/initramfs.cpio.gz"), io],
                   check=True, stdout=subprocess.DEVNULL)
    raw = os.path.join(work, "data.raw")
    with open(raw, "wb") as f:
        f.write(os.urandom((a.size_mib + 1) << 20))
    template = os.path.join(work, "template.qcow2")
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-o",
                    f"cluster_size={a.cluster_size}", raw, template], check=True)
    os.unlink(raw)
    return initrd, template


def command(exe, a, initrd, disk):
    steps = [f"/bench/io seqwrite /dev/vda {a.size_mib}",
             f"/bench/io seqread /dev/vda {a.size_mib}",
             f"/bench/io randwrite /dev/vda {a.size_mib} {a.ops} 1",
             f"/bench/io randread /dev/vda {a.size_mib} {a.ops} 2"]
    gcmd = "echo GUEST-IO-START; " + " && ".join(steps)
    append = f'console=ttyS0 panic=-1 gdisk=0 gmode=run gcmd="{gcmd}"'
    return [exe, "-M", "virt", "-m", "256M", "-smp", "1", "-nographic", "-no-reboot",
            "-bios", FIRMWARE, "-kernel", os.path.join(a.images, "riscv64/Image"),
            "-initrd", initrd, "-append", append,
            "-drive", f"file={disk},format=qcow2,if=none,id=d0,cache={a.cache}",
            "-device", "virtio-blk-device,drive=d0"]


def one_run(cmd, timeout):
    """Returns ({mode: (guest secs, host secs)}, exit status, output)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out, res, last, scanned = b"", {}, None, 0
    while True:
        chunk = p.stdout.read1(65536)
        now = time.perf_counter()
        if not chunk:
            break
        out += chunk
        # Complete lines only, each looked at once.
        end = out.rfind(b"\n") + 1
        for line in out[scanned:end].splitlines():
            if line.startswith(b"GUEST-IO-START"):
                last = now
            m = RESULT.search(line)
            if m and last is not None:
                res[m.group(1).decode()] = (float(m.group(4)), now - last, int(m.group(2)))
                last = now
        scanned = end
        if now - t0 > timeout:
            p.kill()
            break
    try:
        status = p.wait(timeout=max(1, timeout))
    except subprocess.TimeoutExpired:
        p.kill()
        status = p.wait()
    return res, status, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", default="build/mimic-system-riscv64")
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--images", default=os.path.join(HERE, "../../shared/guests/images"))
    ap.add_argument("--cc", default="riscv64-linux-gnu-gcc")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--size-mib", type=int, default=32, help="sequential size and random range")
    ap.add_argument("--ops", type=int, default=4096, help="random 4 KiB requests")
    ap.add_argument("--cache", default="writeback")
    ap.add_argument("--cluster-size", type=int, default=65536)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--show", action="store_true", help="print the console of the first run of each")
    a = ap.parse_args()
    variants = [("mimic", a.mimic), ("qemu", a.qemu)]
    guest = {n: {m: [] for m in MODES} for n, _ in variants}
    host = {n: {m: [] for m in MODES} for n, _ in variants}
    failures = {n: 0 for n, _ in variants}
    with tempfile.TemporaryDirectory(prefix="guest-io-") as work:
        initrd, template = prepare(a, work)
        disk = os.path.join(work, "run.qcow2")
        for r in range(a.runs):
            for name, exe in variants:
                shutil.copyfile(template, disk)
                res, status, out = one_run(command(exe, a, initrd, disk), a.timeout)
                if a.show and r == 0:
                    sys.stdout.write(out.decode(errors="replace"))
                if status != 0 or any(m not in res for m in MODES) or b"GUEST-CMD-EXIT=0" not in out:
                    failures[name] += 1
                    print(f"{name}: run {r} failed (status {status}); last output:\n"
                          + out.decode(errors="replace")[-1500:], file=sys.stderr)
                    continue
                if any(res[m][2] == 0 for m in MODES):
                    print(f"{name}: O_DIRECT refused, buffered I/O measured", file=sys.stderr)
                check = subprocess.run(["qemu-img", "check", "-q", disk])
                if check.returncode != 0:
                    print(f"{name}: run {r}: qemu-img check failed afterwards", file=sys.stderr)
                for m in MODES:
                    guest[name][m].append(res[m][0])
                    host[name][m].append(res[m][1])
                print(f"run {r} {name:6s} " + " ".join(f"{m}={res[m][0]:.3f}/{res[m][1]:.3f}"
                                                     for m in MODES), file=sys.stderr)
    print(f"{a.size_mib} MiB sequential, {a.ops} random 4 KiB requests, qcow2 cluster "
          f"{a.cluster_size}, cache={a.cache}; seconds, median of runs "
          f"(guest clock / host wall)")
    print(f"{'':10s}" + "".join(f"{n:>22s}" for n, _ in variants) + f"{'ratio guest':>14s}{'ratio host':>12s}")
    for m in MODES:
        row = f"{m:10s}"
        med = {}
        for n, _ in variants:
            g, h = guest[n][m], host[n][m]
            med[n] = (statistics.median(g), statistics.median(h)) if g else None
            row += f"{med[n][0]:13.3f} /{med[n][1]:7.3f}" if g else f"{'-':>22s}"
        if med["mimic"] and med["qemu"]:
            row += f"{med['mimic'][0] / med['qemu'][0]:14.2f}{med['mimic'][1] / med['qemu'][1]:12.2f}"
        print(row)
    print("runs ok: " + ", ".join(f"{n} {a.runs - failures[n]}/{a.runs}" for n, _ in variants)
          + "   (ratio = mimic / qemu; acceptance: each at most 1.2)")


if __name__ == "__main__":
    main()
