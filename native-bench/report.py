#!/usr/bin/python3
"""Side-by-side report of the vectorgrad / C / PyTorch benchmarks.

Reads result CSVs in the common format

    system,workload,size,threads,median_ns,p10_ns,p90_ns,iterations

('#' lines are comments; lines '#@ key: value' are machine/run metadata that
are copied into the report) and/or raw JMH CSV files (java -jar
target/benchmarks.jar -rf csv -rff FILE), detected by their header.  Writes a
markdown table and a log-log PNG plot.

    /usr/bin/python3 native-bench/report.py RESULTS.csv [MORE.csv|jmh.csv ...] \
        --md docs/benchmarks.md --png docs/benchmarks.png

    # convert a JMH CSV to the common format (stdout), as compare.sh does:
    /usr/bin/python3 native-bench/report.py --convert-jmh jmh.csv [--jmh-system vectorgrad]
"""

import argparse
import csv
import datetime
import math
import os
import re
import sys

HEADER = ["system", "workload", "size", "threads", "median_ns", "p10_ns", "p90_ns",
          "iterations"]
SIZES = {"S1": (2, 2), "S2": (32, 32), "S3": (256, 256),
         "S4": (1024, 1024), "S5": (4096, 4096),
         "S6": (8192, 8192)}
WORKLOAD_ORDER = ["seed_step", "add_out", "add_alloc", "mean", "tadd", "expadd",
                  "exp", "tanh", "sigmoid", "relu", "gelu", "softmax"]
WORKLOAD_TITLES = {
    "seed_step": "W1 seed step: (x + temp + 2).mean(); backward(); grad.zero_()",
    "add_out": "W2 add into preallocated output",
    "add_alloc": "W2 add, allocating the result",
    "mean": "W3 mean",
    "tadd": "strided: a.t() + b (a read transposed), allocating the result",
    "expadd": "strided: a.expand(n, n) + b, a of shape (1, n), allocating the result",
    "exp": "math: exp(x), allocating the result",
    "tanh": "math: tanh(x), allocating the result",
    "sigmoid": "math: sigmoid(x), allocating the result",
    "relu": "math: relu(x), allocating the result",
    "gelu": "math: gelu(x) (erf form), allocating the result",
    "softmax": "math: softmax(x, dim=-1) of an (n, n) x, allocating the result",
}
# Workloads with a non-contiguous operand (issue #6) and the sizes their targets apply to.
STRIDED_WORKLOADS = ("tadd", "expadd")
STRIDED_TARGET_SIZES = ("S4", "S5")
# Issue #7's math workloads and the sizes of their targets (softmax: the (4096, 4096) tensor only;
# its S3/S4 rows are in the table but not targets).
MATH_WORKLOADS = ("exp", "tanh", "sigmoid", "relu", "gelu", "softmax")
MATH_TARGET_SIZES = {"exp": ("S3", "S4", "S5"), "tanh": ("S3", "S4", "S5"),
                     "sigmoid": ("S3", "S4", "S5"), "relu": ("S3", "S4", "S5"),
                     "gelu": ("S3", "S4", "S5"), "softmax": ("S5",)}
# Workloads whose targets include a share of C's throughput (the others: PyTorch's only).
MATH_C_TARGETS = {"relu": 0.9}
SYSTEM_ORDER = ["c_fused", "c", "c_blocked", "c_malloc", "pytorch", "vectorgrad"]
SYSTEM_NOTES = {
    "c_fused": "hand-written C, seed step fused to the minimal passes (the floor)",
    "c": "hand-written C (gcc -O3 -march=native, OpenMP), eager: one pass per "
         "op; seed-step temporaries preallocated; math workloads: the natural loop "
         "with libm's scalar expf/tanhf/erff (relu vectorised)",
    "c_blocked": "tadd only: as c, with the transpose blocked (8x8 blocks transposed in "
                 "AVX registers, 16 rows at a time)",
    "c_malloc": "as c, but seed-step temporaries posix_memalign'ed/freed per op "
                "(like PyTorch's CPU allocator)",
    "pytorch": "PyTorch eager (torch.set_num_threads)",
    "vectorgrad": "vectorgrad (JMH)",
}


class Row:
    __slots__ = ("system", "workload", "size", "threads", "median", "p10", "p90",
                 "iterations")

    def __init__(self, system, workload, size, threads, median, p10, p90, iterations):
        self.system = system
        self.workload = workload
        self.size = size
        self.threads = int(threads)
        self.median = float(median)
        self.p10 = float(p10)
        self.p90 = float(p90)
        self.iterations = int(iterations)

    def csv(self):
        return (f"{self.system},{self.workload},{self.size},{self.threads},"
                f"{self.median:.1f},{self.p10:.1f},{self.p90:.1f},{self.iterations}")


def fail(msg):
    sys.exit(f"report.py: {msg}")


def numel(size):
    """Number of elements of a size label: S1..S5, '256x256' or a number."""
    if size in SIZES:
        r, c = SIZES[size]
        return r * c
    m = re.fullmatch(r"(\d+)(?:[x*,](\d+))*", size.replace(" ", ""))
    if m:
        n = 1
        for part in re.split(r"[x*,]", size.replace(" ", "")):
            n *= int(part)
        return n
    return None


def size_label(size):
    """Normalises a size given as shape or element count to S1..S5 if it matches."""
    if size in SIZES:
        return size
    n = numel(size)
    for label, (r, c) in SIZES.items():
        if n == r * c:
            return label
    return size


def size_key(size):
    n = numel(size)
    return (n if n is not None else math.inf, size)


# ------------------------------------------------------------------ JMH


def snake(name):
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    return s.lower()


def jmh_workload(benchmark, mapping):
    """Maps a JMH benchmark name (pkg.Class.method) to a workload name."""
    if benchmark in mapping:
        return mapping[benchmark]
    parts = benchmark.split(".")
    method = parts[-1]
    cls = parts[-2] if len(parts) > 1 else ""
    for key in (f"{cls}.{method}", method):
        if key in mapping:
            return mapping[key]
    cls_base = re.sub(r"(Benchmarks?|Bench)$", "", cls)
    candidates = [snake(method), snake(cls_base),
                  f"{snake(cls_base)}_{snake(method)}"]
    for cand in candidates:
        if cand in WORKLOAD_ORDER:
            return cand
    return snake(method)


TIME_UNITS = {"ns": 1.0, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9, "min": 60e9}


def jmh_to_ns(mode, unit, score, error):
    """(median-ish, low, high) in ns per op from a JMH score and its error."""
    if not math.isfinite(error):
        error = 0.0
    if "/op" in unit:  # avgt, sample, ss: time per operation
        f = TIME_UNITS.get(unit.split("/")[0])
        if f is None:
            raise ValueError(f"unknown JMH unit {unit!r}")
        return score * f, max(score - error, 0.0) * f, (score + error) * f
    if unit.startswith("ops/"):  # thrpt: operations per time unit
        f = TIME_UNITS.get(unit.split("/")[1])
        if f is None or score <= 0:
            raise ValueError(f"unknown JMH unit {unit!r} or score {score}")
        lo = f / (score + error)
        hi = f / (score - error) if score > error else math.inf
        return f / score, lo, hi
    raise ValueError(f"unsupported JMH mode/unit {mode}/{unit}")


def read_jmh(path, system, mapping):
    rows = []
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        for rec in reader:
            bench = rec.get("Benchmark", "")
            if not bench or ":" in bench:  # secondary metrics (-prof gc etc.)
                continue
            size = rec.get("Param: size")
            if not size:
                print(f"report.py: {path}: {bench} has no 'Param: size'; skipped",
                      file=sys.stderr)
                continue
            threads = rec.get("Param: threads") or "1"
            variant = rec.get("Param: variant")
            name = f"{system}_{variant}" if variant else system
            try:
                score = float(rec["Score"])
                err_txt = rec.get("Score Error (99.9%)", "NaN") or "NaN"
                error = float(err_txt)
                med, lo, hi = jmh_to_ns(rec.get("Mode", ""), rec.get("Unit", ""),
                                        score, error)
            except (KeyError, ValueError) as e:
                print(f"report.py: {path}: {bench}: {e}; skipped", file=sys.stderr)
                continue
            rows.append(Row(name, jmh_workload(bench, mapping), size_label(size),
                            threads, med, lo, hi, int(rec.get("Samples") or 0)))
    return rows


# ------------------------------------------------------------- input


def is_jmh(path):
    with open(path, newline="") as fh:
        for line in fh:
            if line.strip() and not line.startswith("#"):
                return line.lstrip('"').startswith("Benchmark")
    return False


def read_common(path, meta):
    rows = []
    with open(path) as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            if line.startswith("#"):
                m = re.match(r"#@\s*([^:]+?)\s*:\s*(.*)$", line)
                if m:
                    meta.append((m.group(1), m.group(2)))
                continue
            fields = line.split(",")
            if fields[0] == "system":
                continue  # (repeated) header
            if len(fields) != len(HEADER):
                fail(f"{path}:{lineno}: expected {len(HEADER)} fields, got "
                     f"{len(fields)}: {line}")
            try:
                rows.append(Row(*fields))
            except ValueError as e:
                fail(f"{path}:{lineno}: {e}: {line}")
    return rows


def aggregate(rows, how):
    """Picks one representative of repeated results of the same case."""
    if how == "last" or len(rows) == 1:
        return rows[-1]
    by_median = sorted(rows, key=lambda r: r.median)
    if how == "min":
        return by_median[0]
    return by_median[(len(by_median) - 1) // 2]  # median round (lower middle)


def load(paths, jmh_system, mapping, how="median"):
    rows, meta = [], []
    for p in paths:
        if not os.path.isfile(p):
            fail(f"no such file: {p}")
        if is_jmh(p):
            rows += read_jmh(p, jmh_system, mapping)
        else:
            rows += read_common(p, meta)
    groups = {}
    for r in rows:
        groups.setdefault((r.workload, r.size, r.threads, r.system), []).append(r)
    rounds = max(len(g) for g in groups.values()) if groups else 0
    if rounds > 1:
        print(f"report.py: up to {rounds} results per case; using the {how} "
              "(by median) of them", file=sys.stderr)
    table = {k: aggregate(g, how) for k, g in groups.items()}
    return table, meta


# ------------------------------------------------------------- targets


def read_gc(path):
    """{(workload, size, threads): bytes/op} from a JMH CSV run with -prof gc."""
    out = {}
    with open(path, newline="") as fh:
        for rec in csv.DictReader(fh):
            bench = rec.get("Benchmark", "")
            if not bench.endswith(":gc.alloc.rate.norm"):
                continue
            base = bench.split(":")[0]
            key = (jmh_workload(base, {}), size_label(rec.get("Param: size") or "?"),
                   int(rec.get("Param: threads") or "1"))
            out[key] = float(rec["Score"])
    return out


def median_of(table):
    """A lookup of the median time of (workload, size, threads, system) in the table, None if absent."""
    def get(w, size, t, system):
        r = table.get((w, size, int(t), system))
        return r.median if r else None
    return get


def verdict(ok):
    """A target's verdict cell."""
    return "met" if ok else "**not met**"


def targets_section(table, gc):
    """Issue #3's targets, each shown as met or not met with the measured ratio."""
    rows = []

    get = median_of(table)

    threads = sorted({k[2] for k in table}, key=int)
    for size in ("S1", "S2"):
        for t in threads:
            vg, pt = get("seed_step", size, t, "vectorgrad"), get("seed_step", size, t, "pytorch")
            if vg is None:
                continue
            rows.append((f"W1 {size}, {t} thread(s): at most 1 µs per step", fmt_ns(vg), verdict(vg <= 1000)))
            if pt:
                rows.append((f"W1 {size}, {t} thread(s): at least 100x faster than PyTorch",
                             f"{pt / vg:.0f}x", verdict(pt / vg >= 100)))
    for t in threads:
        vg, fused, pt = (get("seed_step", "S5", t, s) for s in ("vectorgrad", "c_fused", "pytorch"))
        if vg is None:
            continue
        if fused:
            rows.append((f"W1 S5, {t} thread(s): at most 2x the fused C floor",
                         f"{vg / fused:.2f}x the floor", verdict(vg / fused <= 2)))
        if pt:
            rows.append((f"W1 S5, {t} thread(s): at least 4x faster than PyTorch",
                         f"{pt / vg:.1f}x", verdict(pt / vg >= 4)))
    for w in ("add_out", "add_alloc", "mean"):
        for size in ("S3", "S4", "S5"):
            for t in threads:
                vg, c = get(w, size, t, "vectorgrad"), get(w, size, t, "c")
                if vg is None or c is None:
                    continue
                rows.append((f"{w} {size}, {t} thread(s): at least 0.95x C's throughput",
                             f"{c / vg:.2f}x", verdict(c / vg >= 0.95)))
    slower = []
    checked = 0
    for (w, size, t, system), r in table.items():
        if system != "vectorgrad" or w not in ("add_out", "add_alloc", "mean"):
            continue
        pt = get(w, size, t, "pytorch")
        if pt is None:
            continue
        checked += 1
        if r.median > pt:
            slower.append(f"{w} {size} {t}T ({pt / r.median:.2f}x)")
    if checked:
        rows.append(("W2/W3 never slower than PyTorch, any size and thread count",
                     f"{checked} cases" + (": slower in " + ", ".join(sorted(slower)) if slower else ", all faster"),
                     verdict(not slower)))
    for (w, size, t), b in sorted(gc.items()):
        if w == "seed_step" and size == "S1":
            rows.append((f"W1 S1, {t} thread(s): at most a few hundred bytes of heap per step (-prof gc)",
                         f"{b:.0f} B/step", verdict(b <= 400)))
    if not rows:
        return []
    out = ["## Targets (issue #3)\n",
           "Each target evaluated from the table above (ratios of medians measured in this run).",
           "Accuracy of W3 and pool-only steady-state allocation are checked by tests, see the notes.\n",
           "| target | measured | verdict |", "|---|---:|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    out.append("")
    return out


def fusion_targets_section(table, gc):
    """Issue #10's targets: the founding step against the fused C floor and PyTorch, the 2x2 step's
    time and heap, and the fused chain against eager C."""
    rows = []

    get = median_of(table)

    threads = sorted({k[2] for k in table}, key=int)
    for t in threads:
        vg, fused, pt = (get("seed_step", "S5", t, s) for s in ("vectorgrad", "c_fused", "pytorch"))
        if vg is None:
            continue
        if fused:
            rows.append((f"W1 S5, {t} thread(s): at most 1.5x the fused C floor",
                         f"{vg / fused:.2f}x the floor", verdict(vg / fused <= 1.5)))
        if pt:
            rows.append((f"W1 S5, {t} thread(s): at least 5x faster than PyTorch",
                         f"{pt / vg:.1f}x", verdict(pt / vg >= 5)))
    for t in threads:
        vg, pt = get("seed_step", "S1", t, "vectorgrad"), get("seed_step", "S1", t, "pytorch")
        if vg is None:
            continue
        rows.append((f"W1 S1, {t} thread(s): at most 200 ns per step", fmt_ns(vg), verdict(vg <= 200)))
        if pt:
            rows.append((f"W1 S1, {t} thread(s): at least 100x faster than PyTorch",
                         f"{pt / vg:.0f}x", verdict(pt / vg >= 100)))
    for (w, size, t), b in sorted(gc.items()):
        if w == "seed_step" and size == "S1":
            rows.append((f"W1 S1, {t} thread(s): at most 200 bytes of heap per step (-prof gc)",
                         f"{b:.0f} B/step", verdict(b <= 200)))
    for size in ("S3", "S4", "S5"):
        for t in threads:
            vg, c = get("chain", size, t, "vectorgrad"), get("chain", size, t, "c")
            if vg is None or c is None:
                continue
            rows.append((f"chain {size}, {t} thread(s): at least 2x faster than eager C",
                         f"{c / vg:.2f}x (fused C floor {get('chain', size, t, 'c_fused') / vg:.2f}x)"
                         if get("chain", size, t, "c_fused") else f"{c / vg:.2f}x", verdict(c / vg >= 2)))
    if not rows:
        return []
    out = ["## Targets (issue #10, fusion and per-op overhead)\n",
           "The chain is `((a * b + c).relu() * d).sum()` (see the workloads); \"fused C floor\" is C's one-pass "
           "version of the same computation.\n",
           "| target | measured | verdict |", "|---|---:|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    out.append("")
    return out


def math_targets_section(table):
    """Issue #7's speed targets: at least PyTorch's throughput for exp, tanh, sigmoid, relu, gelu
    (S3..S5) and softmax(dim=-1) of the (4096, 4096) tensor (S5), and at least 0.9x C's for relu;
    each case at each thread count met or not met."""
    rows = []

    get = median_of(table)

    threads = sorted({k[2] for k in table}, key=int)
    for w in MATH_WORKLOADS:
        for size in MATH_TARGET_SIZES[w]:
            for t in threads:
                vg = get(w, size, t, "vectorgrad")
                if vg is None:
                    continue
                pt, c = get(w, size, t, "pytorch"), get(w, size, t, "c")
                if pt:
                    rows.append((f"{w} {size}, {t} thread(s): at least PyTorch's throughput",
                                 f"{pt / vg:.2f}x", verdict(pt / vg >= 1.0)))
                share = MATH_C_TARGETS.get(w)
                if share and c:
                    rows.append((f"{w} {size}, {t} thread(s): at least {share}x C's throughput",
                                 f"{c / vg:.2f}x", verdict(c / vg >= share)))
    if not rows:
        return []
    out = ["## Targets (issue #7, math)\n",
           "Elementwise `exp`, `tanh`, `sigmoid`, `relu`, `gelu` (erf form) at S3–S5 and "
           "`softmax(dim=-1)` of the 4096×4096 tensor (S5), each allocating its result; "
           "measured: PyTorch's (or C's) median time / vectorgrad's (throughput relative to the "
           "baseline, > 1: vectorgrad is faster). C (`c`) is the natural loop with libm's scalar "
           "functions; only relu has a C target.\n",
           "| target | measured | verdict |", "|---|---:|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    out.append("")
    return out


def strided_targets_section(table):
    """Issue #6's targets for the strided workloads at S4/S5: at least 0.8x the throughput of the
    natural C loop (system c) and never slower than PyTorch, each case met or not met."""
    rows = []

    get = median_of(table)

    threads = sorted({k[2] for k in table}, key=int)
    for w in STRIDED_WORKLOADS:
        for size in STRIDED_TARGET_SIZES:
            for t in threads:
                vg = get(w, size, t, "vectorgrad")
                if vg is None:
                    continue
                c, pt = get(w, size, t, "c"), get(w, size, t, "pytorch")
                if c:
                    rows.append((f"{w} {size}, {t} thread(s): at least 0.8x C's throughput",
                                 f"{c / vg:.2f}x", verdict(c / vg >= 0.8)))
                if pt:
                    rows.append((f"{w} {size}, {t} thread(s): never slower than PyTorch",
                                 f"{pt / vg:.2f}x", verdict(pt / vg >= 1.0)))
    if not rows:
        return []
    out = ["## Targets (issue #6, strided operands)\n",
           "`tadd` = `a.t() + b`, `expadd` = `a.expand(n, n) + b`; measured: C's (or PyTorch's) "
           "median time / vectorgrad's (throughput relative to the baseline, > 1: vectorgrad "
           "is faster). C is the natural loop (`c`), not the blocked one (`c_blocked`).\n",
           "| target | measured | verdict |", "|---|---:|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    out.append("")
    return out


# ------------------------------------------------------------- output


def fmt_ns(ns):
    if ns is None or not math.isfinite(ns):
        return "–"
    for unit, f in (("ns", 1.0), ("µs", 1e3), ("ms", 1e6)):
        if ns < 1000 * f:
            return f"{_num(ns / f)} {unit}"
    return f"{_num(ns / 1e9)} s"


def _num(v):
    """Three significant digits without switching to exponent notation."""
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def ordered_systems(systems):
    known = [s for s in SYSTEM_ORDER if s in systems]
    rest = sorted(s for s in systems if s not in SYSTEM_ORDER)
    # vectorgrad variants next to vectorgrad, at the end
    return known + rest


def ordered_workloads(workloads):
    return [w for w in WORKLOAD_ORDER if w in workloads] + \
        sorted(w for w in workloads if w not in WORKLOAD_ORDER)


def write_markdown(path, table, meta, inputs, png_path, subject, baselines, spread,
                   gc=None, notes=None):
    systems = ordered_systems({k[3] for k in table})
    subjects = [s for s in systems if s == subject or s.startswith(subject + "_")]
    bases = [b for b in baselines if b in systems]
    ratio_cols = [(s, b) for s in subjects for b in bases if b != s]
    cases = sorted({k[:3] for k in table},
                   key=lambda k: (ordered_workloads({x[0] for x in table}).index(k[0]),
                                  size_key(k[1]), k[2]))
    out = []
    out.append("# vectorgrad benchmarks\n")
    out.append(f"Generated {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} by "
               f"`native-bench/report.py` from "
               + ", ".join(f"`{os.path.basename(p)}`" for p in inputs) + ".\n")
    if meta:
        out.append("## Machine and run\n")
        out.append("| | |\n|---|---|")
        for k, v in meta:
            out.append(f"| {k} | {v.replace('|', '/')} |")
        out.append("")
    out.append("## Results\n")
    out.append("Median time per iteration over timed batches (lower is better)"
               + ("; in parentheses p10–p90 over batches (for JMH rows: the 99.9% "
                  "confidence interval)" if spread else "")
               + ". float32, "
               + ("contiguous except the first operand of tadd and expadd (see Workloads)"
                  if any(k[0] in STRIDED_WORKLOADS for k in table) else "contiguous")
               + ("; the math workloads' input x holds values in [-4, 4) (see Workloads)"
                  if any(k[0] in MATH_WORKLOADS for k in table) else "")
               + "; S1 = 2×2, S2 = 32×32, S3 = 256×256, S4 = 1024×1024, S5 = 4096×4096.")
    if ratio_cols:
        out.append(f"Ratio columns: {subject} median / baseline median "
                   "(< 1: vectorgrad is faster).")
    out.append("")
    hdr = ["workload", "size", "elements", "threads"] + systems + \
        [f"{s}/{b}" for s, b in ratio_cols]
    out.append("| " + " | ".join(hdr) + " |")
    out.append("|" + "|".join(["---"] * 4 + ["---:"] * (len(hdr) - 4)) + "|")
    for wl, size, thr in cases:
        cells = [wl, size, str(numel(size) or "?"), str(thr)]
        for s in systems:
            r = table.get((wl, size, thr, s))
            if r is None:
                cells.append("–")
            elif spread:
                cells.append(f"{fmt_ns(r.median)} ({fmt_ns(r.p10)}–{fmt_ns(r.p90)})")
            else:
                cells.append(fmt_ns(r.median))
        for s, b in ratio_cols:
            rs, rb = table.get((wl, size, thr, s)), table.get((wl, size, thr, b))
            cells.append(f"{rs.median / rb.median:.2f}" if rs and rb and rb.median > 0
                         else "–")
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    if png_path:
        rel = os.path.relpath(png_path, os.path.dirname(os.path.abspath(path)))
        out.append(f"![time per iteration vs number of elements]({rel})\n")
    out += targets_section(table, gc or {})
    out += fusion_targets_section(table, gc or {})
    out += strided_targets_section(table)
    out += math_targets_section(table)
    if notes:
        with open(notes) as fh:
            out.append(fh.read().rstrip() + "\n")
    out.append("## Systems\n")
    for s in systems:
        out.append(f"- **{s}**: {SYSTEM_NOTES.get(s, SYSTEM_NOTES['vectorgrad'] if s.startswith('vectorgrad') else 'see the input CSV')}")
    out.append("")
    out.append("## Workloads\n")
    for w in ordered_workloads({k[0] for k in table}):
        out.append(f"- **{w}**: {WORKLOAD_TITLES.get(w, w)}")
    out.append("\nSee `native-bench/README.md` for the exact definitions and how to "
               "reproduce.\n")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as fh:
        fh.write("\n".join(out))


def write_png(path, table, meta):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workloads = ordered_workloads({k[0] for k in table})
    systems = ordered_systems({k[3] for k in table})
    threads = sorted({k[2] for k in table})
    ncols = 2 if len(workloads) > 1 else 1
    nrows = (len(workloads) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.5 * ncols, 4.6 * nrows),
                             squeeze=False)
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colors = {s: palette[i % len(palette)] for i, s in enumerate(systems)}
    styles = ["-", "--", ":", "-."]
    markers = ["o", "s", "^", "D"]
    handles = {}
    for ax, wl in zip(axes.flat, workloads):
        for s in systems:
            for ti, t in enumerate(threads):
                pts = sorted(((numel(k[1]), r) for k, r in table.items()
                              if k[0] == wl and k[2] == t and k[3] == s
                              and numel(k[1])), key=lambda p: p[0])
                if not pts:
                    continue
                xs = [p[0] for p in pts]
                ys = [p[1].median for p in pts]
                lo = [max(p[1].p10, 1e-3) for p in pts]
                hi = [p[1].p90 if math.isfinite(p[1].p90) else p[1].median for p in pts]
                label = f"{s}, {t} thread{'s' if t != 1 else ''}"
                (line,) = ax.plot(xs, ys, linestyle=styles[ti % len(styles)],
                                  marker=markers[ti % len(markers)], markersize=4,
                                  color=colors[s], label=label)
                ax.fill_between(xs, lo, hi, color=colors[s], alpha=0.12, linewidth=0)
                handles[label] = line
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(WORKLOAD_TITLES.get(wl, wl), fontsize=9)
        ax.set_xlabel("elements")
        ax.set_ylabel("time per iteration [ns]")
        xt = sorted({numel(k[1]) for k in table if k[0] == wl and numel(k[1])})
        labels = {numel(s): s for s in SIZES}
        ax.set_xticks(xt)
        ax.set_xticklabels([f"{labels.get(x, '')}\n{x:,}" for x in xt], fontsize=7)
        ax.minorticks_off()
        ax.grid(True, which="major", alpha=0.3)
    for ax in list(axes.flat)[len(workloads):]:
        ax.axis("off")
    cpu = dict(meta).get("cpu")
    fig.suptitle("Median time per iteration (band: p10–p90)"
                 + (f" — {cpu}" if cpu else ""), fontsize=10)
    fig.legend(list(handles.values()), list(handles.keys()), loc="lower center",
               ncol=min(len(handles), 4), fontsize=8, frameon=False)
    rows_legend = (len(handles) + 3) // 4
    # room for the legend in inches (0.37 in per legend row), whatever the number of panels
    fig_h = fig.get_size_inches()[1]
    fig.tight_layout(rect=(0, (0.37 * rows_legend + 0.18) / fig_h, 1, 1 - 0.28 / fig_h))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main():
    p = argparse.ArgumentParser(
        description="Side-by-side table and plot of vectorgrad / C / PyTorch results.")
    p.add_argument("inputs", nargs="+", help="result CSVs (common format or raw JMH CSV)")
    p.add_argument("--md", help="markdown output path")
    p.add_argument("--png", help="PNG plot output path")
    p.add_argument("--spread", action="store_true",
                   help="show p10–p90 next to each median in the table")
    p.add_argument("--subject", default="vectorgrad",
                   help="system(s) whose ratios are reported (prefix match with '_')")
    p.add_argument("--baselines", default="c,c_fused,c_blocked,pytorch",
                   help="comma-separated baselines for the ratio columns")
    p.add_argument("--aggregate", choices=("median", "min", "last"), default="median",
                   help="which result to use when a case appears several times "
                        "(compare.sh --rounds): the round with the median median, "
                        "the fastest round, or the last one")
    p.add_argument("--jmh-system", default="vectorgrad",
                   help="system name given to rows from JMH CSV files")
    p.add_argument("--jmh-map", action="append", default=[], metavar="BENCH=WORKLOAD",
                   help="map a JMH benchmark (Class.method or method) to a workload")
    p.add_argument("--gc", help="JMH CSV of a -prof gc run (heap bytes per op)")
    p.add_argument("--notes", help="markdown appended after the targets (analysis of the run)")
    p.add_argument("--convert-jmh", action="store_true",
                   help="print the inputs (JMH CSV) in the common format and exit")
    args = p.parse_args()

    mapping = {}
    for m in args.jmh_map:
        if "=" not in m:
            p.error(f"--jmh-map expects BENCH=WORKLOAD, got {m!r}")
        k, v = m.split("=", 1)
        mapping[k] = v

    if args.convert_jmh:
        for path in args.inputs:
            if not os.path.isfile(path):
                fail(f"no such file: {path}")
            if not is_jmh(path):
                fail(f"{path} does not look like a JMH CSV (no 'Benchmark' header)")
            for r in read_jmh(path, args.jmh_system, mapping):
                print(r.csv())
        return

    if not args.md and not args.png:
        p.error("nothing to do: give --md and/or --png")
    table, meta = load(args.inputs, args.jmh_system, mapping, args.aggregate)
    if not table:
        fail("no result rows in " + ", ".join(args.inputs))
    baselines = [b for b in args.baselines.split(",") if b]
    if args.md:
        gc = read_gc(args.gc) if args.gc and os.path.isfile(args.gc) else {}
        write_markdown(args.md, table, meta, args.inputs, args.png, args.subject,
                       baselines, args.spread, gc, args.notes)
        print(f"report.py: wrote {args.md}", file=sys.stderr)
    if args.png:
        write_png(args.png, table, meta)
        print(f"report.py: wrote {args.png}", file=sys.stderr)


if __name__ == "__main__":
    main()
