#!/usr/bin/env python3
"""Boot time of the riscv64 guest images: mimic-system-riscv64 and Debian's
qemu-system-riscv64 side by side, alternating runs, same images and options
(Debian's OpenSBI fw_dynamic.bin for both), median wall time from spawning
the emulator to the GUEST-BOOT-OK and GUEST-DISK-OK markers and to its exit
after the guest's poweroff.

  bench/boot.py [--mimic build/mimic-system-riscv64] [--runs 9] [--images DIR]
                [--nodisk] [--append EXTRA] [--cmd "shell command in the guest"]

With --cmd the guest runs it (gmode=run) and the script also reports the
time between the GUEST-CMD-START and GUEST-CMD-EXIT lines it prints.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

FIRMWARE = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"


def command(exe, a, initrd):
    img = a.images
    append = "console=ttyS0 panic=-1"
    if a.cmd:
        append += ' gmode=run gcmd="echo GUEST-CMD-START; ' + a.cmd + '"'
    if a.append:
        append += " " + a.append
    cmd = [exe, "-M", "virt", "-m", "256M", "-smp", "1", "-nographic", "-no-reboot",
           "-bios", FIRMWARE, "-kernel", os.path.join(img, "riscv64/Image"),
           "-initrd", initrd, "-append", append]
    if not a.nodisk:
        cmd += ["-drive", "file=" + os.path.join(img, "disk-ext4.img") + ",format=raw,if=none,id=d0,readonly=on",
                "-device", "virtio-blk-device,drive=d0"]
    return cmd


def one_run(cmd, timeout):
    """Returns {marker: seconds}, the exit status and the output."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    seen, out = {}, b""
    try:
        while True:
            chunk = p.stdout.read1(65536) if hasattr(p.stdout, "read1") else p.stdout.read(1)
            now = time.perf_counter() - t0
            if not chunk:
                break
            out += chunk
            for m in (b"GUEST-BOOT-OK", b"GUEST-DISK-OK", b"GUEST-CMD-START", b"GUEST-CMD-EXIT"):
                if m not in seen and m in out:
                    seen[m] = now
            if now > timeout:
                p.kill()
                break
        status = p.wait(timeout=max(1, timeout))
    except subprocess.TimeoutExpired:
        p.kill()
        status = p.wait()
    seen[b"exit"] = time.perf_counter() - t0
    return seen, status, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", default="build/mimic-system-riscv64")
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--images", default=os.path.join(os.path.dirname(__file__), "../../shared/guests/images"))
    ap.add_argument("--initrd", default="", help="initramfs instead of the images' one")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--nodisk", action="store_true")
    ap.add_argument("--append", default="")
    ap.add_argument("--cmd", default="")
    ap.add_argument("--show", action="store_true", help="print the console of the first run of each")
    a = ap.parse_args()
    initrd = a.initrd or os.path.join(a.images, "riscv64/initramfs.cpio.gz")
    variants = [("mimic", a.mimic), ("qemu", a.qemu)]
    times = {name: {} for name, _ in variants}
    failures = {name: 0 for name, _ in variants}
    for r in range(a.runs):
        for name, exe in variants:
            seen, status, out = one_run(command(exe, a, initrd), a.timeout)
            if a.show and r == 0:
                sys.stdout.write(out.decode(errors="replace"))
            ok = status == 0 and b"GUEST-BOOT-OK" in seen and (a.nodisk or b"GUEST-DISK-OK" in seen)
            if not ok:
                failures[name] += 1
                print(f"{name}: run {r} failed (status {status})", file=sys.stderr)
                continue
            for m, t in seen.items():
                times[name].setdefault(m, []).append(t)
            if b"GUEST-CMD-EXIT" in seen and b"GUEST-CMD-START" in seen:
                times[name].setdefault(b"cmd", []).append(seen[b"GUEST-CMD-EXIT"] - seen[b"GUEST-CMD-START"])
    keys = [b"GUEST-BOOT-OK", b"GUEST-DISK-OK", b"cmd", b"exit"]
    print(f"{'':8s}" + "".join(f"{k.decode():>16s}" for k in keys) + "   runs ok")
    med = {}
    for name, _ in variants:
        row = f"{name:8s}"
        for k in keys:
            v = times[name].get(k)
            med[(name, k)] = statistics.median(v) if v else None
            row += f"{med[(name, k)]:16.3f}" if v else f"{'-':>16s}"
        print(row + f"   {a.runs - failures[name]}/{a.runs}")
    row = f"{'ratio':8s}"
    for k in keys:
        m, q = med.get(("mimic", k)), med.get(("qemu", k))
        row += f"{m / q:16.2f}" if m and q else f"{'-':>16s}"
    print(row + "   (mimic / qemu, medians in seconds)")


if __name__ == "__main__":
    main()
