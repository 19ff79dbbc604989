#!/usr/bin/env python3
"""Builds an initramfs for in-guest benchmarks: the guest images' initramfs
followed by a second, concatenated gzip'ed cpio (newc) archive holding the
given programs under /bench (the kernel unpacks both, in order).

  bench/guest_initrd.py OUT.cpio.gz BASE_INITRAMFS PROGRAM...
"""
import gzip
import os
import shutil
import sys


def newc_entry(name, mode, data, ino):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    pad = lambda n: b"\0" * ((4 - n % 4) % 4)
    return hdr + name_b + pad(len(hdr) + len(name_b)) + data + pad(len(data))


def main():
    out, base, progs = sys.argv[1], sys.argv[2], sys.argv[3:]
    archive = newc_entry("bench", 0o40755, b"", 1)
    for i, p in enumerate(progs):
        with open(p, "rb") as f:
            archive += newc_entry("bench/" + os.path.basename(p), 0o100755, f.read(), i + 2)
    archive += newc_entry("TRAILER!!!", 0, b"", 0)
    shutil.copyfile(base, out)
    with open(out, "ab") as f:
        f.write(gzip.compress(archive, 9, mtime=0))
    print(f"{out}: " + " ".join(os.path.basename(p) for p in progs))


if __name__ == "__main__":
    main()
