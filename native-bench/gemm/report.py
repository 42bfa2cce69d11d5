#!/usr/bin/python3
"""GEMM comparison table: vectorgrad (JMH GemmBench CSV), OpenBLAS through numpy and the naive C
loop nests (CSV from gemm_numpy.py / gemm_naive.c), in GFLOPS, with issue 8's targets.

    /usr/bin/python3 native-bench/gemm/report.py results/gemm-<ts>/*.csv [--md out.md]

Inputs are recognised by their header: JMH's ("Benchmark","Mode",...,"Param: shape") or the
native one (system,form,shape,threads,dtype,median_ns,...). Several rows for the same case (e.g.
repeated rounds) are reduced to their median. Targets (issue 8): vectorgrad >= 0.85x OpenBLAS's
GFLOPS at every size, and >= 1.0x (parity) for square sizes up to n = 256; both are evaluated per
row, for the same thread count, and only make sense when all systems ran in the same run.
"""
import argparse
import csv
import statistics
import sys
from collections import defaultdict


def flops(shape):
    p = [int(x) for x in shape.split("x")]
    m, k, n = (p[0],) * 3 if len(p) == 1 else p
    return 2.0 * m * n * k


def read(path, rows):
    with open(path) as f:
        lines = [line for line in f if not line.startswith("#")]
    if not lines:
        return
    reader = csv.DictReader(lines)
    for r in reader:
        if "Benchmark" in r:   # JMH
            if ":" in r["Benchmark"] or not r["Benchmark"].endswith("GemmBench.gemm"):
                continue
            unit = r["Unit"]
            score = float(r["Score"])
            ns = score * {"ns/op": 1, "us/op": 1e3, "ms/op": 1e6, "s/op": 1e9}.get(unit, float("nan"))
            if unit.startswith("ops/"):   # throughput mode
                ns = 1e9 / score * {"ops/s": 1, "ops/ms": 1e-3, "ops/us": 1e-6}.get(unit, float("nan"))
            key = (r["Param: form"], r["Param: shape"], int(r["Param: threads"]), r.get("Param: dtype", "float32"))
            rows[key]["vectorgrad"].append(flops(key[1]) / ns)
        else:
            key = (r["form"], r["shape"], int(r["threads"]), r["dtype"])
            rows[key][r["system"]].append(flops(r["shape"]) / float(r["median_ns"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="+")
    ap.add_argument("--md", help="also write the table to this markdown file")
    args = ap.parse_args()
    rows = defaultdict(lambda: defaultdict(list))
    for path in args.csv:
        read(path, rows)
    if not rows:
        sys.exit("no rows")
    systems = [s for s in ("vectorgrad", "openblas", "numpy_blas", "c_naive") if any(s in v for v in rows.values())]
    blas = "openblas" if "openblas" in systems else ("numpy_blas" if "numpy_blas" in systems else None)
    head = ["form", "shape (m x k x n)", "threads", "dtype"] + [f"{s} GFLOPS" for s in systems]
    if blas and "vectorgrad" in systems:
        head += [f"vectorgrad / {blas}", "target"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    met = total = 0
    order = {"nn": 0, "tn": 1, "nt": 2}
    for key in sorted(rows, key=lambda k: (k[3], k[2], order.get(k[0], 9), "x" in k[1], flops(k[1]))):
        form, shape, threads, dtype = key
        vals = {s: statistics.median(v) for s, v in rows[key].items()}
        cells = [form, shape if "x" in shape else f"{shape} x {shape} x {shape}", str(threads), dtype]
        cells += [f"{vals[s]:.1f}" if s in vals else "" for s in systems]
        if blas and "vectorgrad" in systems:
            if "vectorgrad" in vals and blas in vals:
                ratio = vals["vectorgrad"] / vals[blas]
                need = 1.0 if ("x" not in shape and int(shape) <= 256) else 0.85
                ok = ratio >= need
                met += ok
                total += 1
                cells += [f"{ratio:.2f}", ("met" if ok else "NOT met") + f" (>= {need:.2f})"]
            else:
                cells += ["", ""]
        out.append("| " + " | ".join(cells) + " |")
    if total:
        out.append("")
        out.append(f"Targets met: {met} of {total} rows (>= 0.85x OpenBLAS everywhere, >= 1.0x for square n <= 256).")
    text = "\n".join(out)
    print(text)
    if args.md:
        with open(args.md, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
