#!/usr/bin/env python3
"""Issue #10's many-core table from one device run of native-bench/manycore/device.sh.

    python3 native-bench/manycore/report.py RESULTS_DIR [--md OUT.md]

RESULTS_DIR holds compare.sh's combined.csv (C with OpenMP, PyTorch, vectorgrad's JMH suite, one
run on one machine). Prints a markdown table of median times and GB/s for add (out=), mean and the
founding step at 64K, 1M, 16M and 64M elements (S3..S6) per thread count, and the issue's targets:
  * at 16 threads never slower than PyTorch, at every size;
  * at 16M-64M (memory bound) within 10% of the best C (OpenMP) over the thread counts run;
  * the 4096x4096 founding step (S5) at 16 threads at most 4 ms;
  * the 2x2 step (S1) with 16 configured threads within 10% of 1 thread.
Bytes moved per call (what the GB/s column divides): add reads 2n and writes n floats, mean reads
n, the founding step moves the 5n reads + 5n writes of its eager passes (native-bench/README.md).
"""
import argparse
import collections
import os
import sys

NUMEL = {"S1": 4, "S3": 1 << 16, "S4": 1 << 20, "S5": 1 << 24, "S6": 1 << 26}
LABEL = {"S1": "2x2", "S3": "64K", "S4": "1M", "S5": "16M", "S6": "64M"}
FLOATS_MOVED = {"add_out": 3, "mean": 1, "seed_step": 10}
WORKLOADS = ("add_out", "mean", "seed_step")
SYSTEMS = ("vectorgrad", "pytorch", "c", "c_fused")


def load(path):
    table, meta = {}, []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("#@"):
                meta.append(line[2:].strip())
                continue
            if not line or line.startswith("#") or line.startswith("system,"):
                continue
            system, workload, size, threads, median = line.split(",")[:5]
            table[(system, workload, size, int(threads))] = float(median)
    return table, meta


def gbps(workload, size, ns):
    return FLOATS_MOVED[workload] * 4 * NUMEL[size] / ns


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("results")
    p.add_argument("--md", help="write the markdown here as well as to stdout")
    args = p.parse_args()
    table, meta = load(os.path.join(args.results, "combined.csv"))
    threads = sorted({k[3] for k in table})
    out = []
    out.append("Machine: " + "; ".join(m for m in meta if m.split(":")[0] in
                                       ("cpu", "cores", "cpu flags", "memory", "jdk", "pytorch", "gcc", "date")))
    out.append("")
    head = "| workload | size | " + " | ".join(f"{s} {t}T" for t in threads for s in ("vectorgrad", "PyTorch", "C")) + " |"
    out.append(head)
    out.append("|" + "---|" * (2 + 3 * len(threads)))
    for w in WORKLOADS:
        for size in ("S3", "S4", "S5", "S6"):
            cells = []
            for t in threads:
                for s in ("vectorgrad", "pytorch", "c"):
                    ns = table.get((s, w, size, t))
                    cells.append("-" if ns is None else f"{ns / 1e3:,.1f} us ({gbps(w, size, ns):,.0f} GB/s)")
            out.append(f"| {w} | {LABEL[size]} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("| target | measured | met |")
    out.append("|---|---|---|")
    top = max(threads)
    for w in WORKLOADS:
        for size in ("S3", "S4", "S5", "S6"):
            vg, pt = table.get(("vectorgrad", w, size, top)), table.get(("pytorch", w, size, top))
            if vg and pt:
                out.append(f"| {w} {LABEL[size]}, {top} threads: not slower than PyTorch | "
                           f"{pt / vg:.2f}x PyTorch's speed | {'yes' if vg <= pt else 'NO'} |")
    for w in WORKLOADS:
        for size in ("S5", "S6"):
            cs = [(table[("c", w, size, t)], t) for t in threads if ("c", w, size, t) in table]
            vgs = [(table[("vectorgrad", w, size, t)], t) for t in threads if ("vectorgrad", w, size, t) in table]
            if cs and vgs:
                (c, ct), (vg, vt) = min(cs), min(vgs)
                out.append(f"| {w} {LABEL[size]}: best vectorgrad within 10% of the best C (OpenMP) | "
                           f"{c / vg:.2f}x (vectorgrad {vg / 1e3:,.0f} us at {vt}T, C {c / 1e3:,.0f} us at {ct}T) | "
                           f"{'yes' if vg <= c / 0.9 else 'NO'} |")
    s5 = table.get(("vectorgrad", "seed_step", "S5", top))
    if s5:
        out.append(f"| founding step 4096x4096, {top} threads: at most 4 ms | {s5 / 1e6:.2f} ms "
                   f"(PyTorch {table.get(('pytorch', 'seed_step', 'S5', top), float('nan')) / 1e6:.1f} ms, "
                   f"eager C {table.get(('c', 'seed_step', 'S5', top), float('nan')) / 1e6:.2f} ms, "
                   f"fused C {table.get(('c_fused', 'seed_step', 'S5', top), float('nan')) / 1e6:.2f} ms) | "
                   f"{'yes' if s5 <= 4e6 else 'NO'} |")
    one, many = table.get(("vectorgrad", "seed_step", "S1", 1)), table.get(("vectorgrad", "seed_step", "S1", top))
    if one and many:
        out.append(f"| 2x2 step, {top} configured threads within 10% of 1 | {many:.0f} ns against {one:.0f} ns "
                   f"({many / one:.2f}x) | {'yes' if many <= 1.1 * one else 'NO'} |")
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    if args.md:
        with open(args.md, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
