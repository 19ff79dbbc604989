#!/usr/bin/env python3
"""Round-robin timing of several commands that do the same work.

  roundrobin.py time --name BENCH --tsv FILE [--runs N] [--warmup W] \\
                     -- LABEL=CMD ... --- LABEL=CMD ... [--- ...]
      Runs the commands in turn (A B C A B C ...) after W warm-up rounds and
      N timed rounds, measuring wall time (monotonic clock around fork..wait)
      and CPU time (user+sys of the child and its threads, from wait4). The
      first command is the reference: for every other command the ratio to
      the reference is taken per round, and the median of those ratios is
      reported, which stays meaningful when the machine's speed drifts.
      Appends one TSV row per command to FILE.
  roundrobin.py table FILE.tsv
      Prints a Markdown table: median times and median ratios, and the
      geometric mean of the ratios over all benchmarks. With exactly three
      commands (A reference, B, C) a last column gives C/B as the quotient of
      their median ratios to A.
"""
import math
import os
import statistics
import subprocess
import sys
import time


def run_once(cmd):
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"roundrobin: command failed (status {code}): {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime


def parse_commands(argv):
    commands, current = [], []
    for arg in argv + ["---"]:
        if arg == "---":
            if current:
                label, _, first = current[0].partition("=")
                commands.append((label, [first] + current[1:]))
            current = []
        else:
            current.append(arg)
    return commands


def cmd_time(argv):
    opts = {"--runs": "5", "--warmup": "1", "--name": "?", "--tsv": None}
    i = 0
    while argv[i] != "--":
        opts[argv[i]] = argv[i + 1]
        i += 2
    commands = parse_commands(argv[i + 1:])
    runs, warmup = int(opts["--runs"]), int(opts["--warmup"])
    for _ in range(warmup):
        for _, cmd in commands:
            run_once(cmd)
    wall = {label: [] for label, _ in commands}
    cpu = {label: [] for label, _ in commands}
    for _ in range(runs):
        for label, cmd in commands:
            w, c = run_once(cmd)
            wall[label].append(w)
            cpu[label].append(c)
    ref = commands[0][0]
    med = statistics.median
    rows = []
    for label, cmd in commands:
        ratios = [a / b for a, b in zip(wall[label], wall[ref])]
        cpu_ratios = [a / b if b > 0 else float("nan") for a, b in zip(cpu[label], cpu[ref])]
        rows.append((label, med(wall[label]), med(cpu[label]), med(ratios), min(ratios),
                     max(ratios), med(cpu_ratios)))
        print(f"  {opts['--name']:>10} {label:>8}: wall {med(wall[label]):8.3f}s "
              f"[{min(wall[label]):.3f}..{max(wall[label]):.3f}]  x{med(ratios):.2f} vs {ref}")
    if opts["--tsv"]:
        new = not os.path.exists(opts["--tsv"])
        with open(opts["--tsv"], "a") as f:
            if new:
                f.write("bench\tcommand\twall_med\tcpu_med\tratio_med\tratio_min\tratio_max\t"
                        "cpu_ratio_med\truns\n")
            for r in rows:
                f.write(f"{opts['--name']}\t{r[0]}\t{r[1]:.4f}\t{r[2]:.4f}\t{r[3]:.4f}\t"
                        f"{r[4]:.4f}\t{r[5]:.4f}\t{r[6]:.4f}\t{runs}\n")


def geomean(values):
    values = [v for v in values if v > 0 and not math.isnan(v)]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else float("nan")


def cmd_table(path):
    lines = [l.rstrip("\n").split("\t") for l in open(path)]
    header, rows = lines[0], lines[1:]
    col = {h: i for i, h in enumerate(header)}
    benches, labels, data = [], [], {}
    for r in rows:
        b, c = r[col["bench"]], r[col["command"]]
        if b not in benches:
            benches.append(b)
        if c not in labels:
            labels.append(c)
        data[(b, c)] = r
    ref, others = labels[0], labels[1:]
    head = f"| benchmark | {ref} s | " + " | ".join(f"{o} s" for o in others)
    head += " | " + " | ".join(f"{o}/{ref}" for o in others)
    if len(others) == 2:
        head += f" | {others[1]}/{others[0]}"
    print(head + " |")
    ncols = 1 + 2 * len(others) + (1 if len(others) == 2 else 0)
    print("|---|" + "---:|" * ncols)
    ratios = {o: [] for o in others}
    cross = []
    for b in benches:
        cells = [f"{float(data[(b, ref)][col['wall_med']]):.3f}"]
        cells += [f"{float(data[(b, o)][col['wall_med']]):.3f}" if (b, o) in data else "-" for o in others]
        for o in others:
            if (b, o) in data:
                x = float(data[(b, o)][col["ratio_med"]])
                ratios[o].append(x)
                cells.append(f"{x:.2f}")
            else:
                cells.append("-")
        if len(others) == 2 and (b, others[0]) in data and (b, others[1]) in data:
            x = float(data[(b, others[1])][col["ratio_med"]]) / float(data[(b, others[0])][col["ratio_med"]])
            cross.append(x)
            cells.append(f"{x:.2f}")
        elif len(others) == 2:
            cells.append("-")
        print(f"| {b} | " + " | ".join(cells) + " |")
    tail = [""] * (1 + len(others)) + [f"**{geomean(ratios[o]):.2f}**" for o in others]
    if len(others) == 2:
        tail.append(f"**{geomean(cross):.2f}**")
    print("| **geomean** | " + " | ".join(tail) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("time", "table"):
        print(__doc__)
        sys.exit(2)
    if sys.argv[1] == "time":
        cmd_time(sys.argv[2:])
    else:
        cmd_table(sys.argv[2])
