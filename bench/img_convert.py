#!/usr/bin/env python3
"""mimic-img convert against qemu-img convert, side by side: a raw image of
--size MiB, --full percent of it random data (the rest zeros, left sparse),
converted to qcow2 (and with -c), alternating runs, median wall times.

  bench/img_convert.py [--mimic-img build/mimic-img] [--size 1024] [--full 90] [--runs 3] [--no-compress]
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time


def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic-img", default="build/mimic-img")
    ap.add_argument("--qemu-img", default="qemu-img")
    ap.add_argument("--size", type=int, default=1024, help="MiB")
    ap.add_argument("--full", type=int, default=90, help="percent of the image holding data")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-compress", action="store_true")
    ap.add_argument("--dir", default=None)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=a.dir) as d:
        raw = os.path.join(d, "src.raw")
        with open(raw, "wb") as f:
            f.truncate(a.size << 20)
            chunk = 1 << 20
            data_mib = a.size * a.full // 100
            for i in range(data_mib):  # data in the first part, a hole at the end
                f.seek(i * chunk)
                f.write(os.urandom(chunk))
        modes = [("qcow2", [])] + ([] if a.no_compress else [("qcow2 -c", ["-c"])])
        for label, extra in modes:
            times = {"mimic-img": [], "qemu-img": []}
            for _ in range(a.runs):
                for name, exe in (("mimic-img", a.mimic_img), ("qemu-img", a.qemu_img)):
                    out = os.path.join(d, "out.qcow2")
                    if os.path.exists(out):
                        os.unlink(out)
                    times[name].append(timed([exe, "convert", "-f", "raw", "-O", "qcow2", *extra, raw, out]))
            m, q = statistics.median(times["mimic-img"]), statistics.median(times["qemu-img"])
            print(f"convert {a.size} MiB raw ({a.full}% data) -> {label}: mimic-img {m:.2f} s, qemu-img {q:.2f} s, "
                  f"ratio {m / q:.2f} (medians of {a.runs})")


if __name__ == "__main__":
    main()
