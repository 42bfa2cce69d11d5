#!/usr/bin/python3
"""Training benchmark report: PyTorch (train_bench.py) against vectorgrad (TrainingBench) from the
raw CSVs run.sh writes, as markdown tables ready for docs/benchmarks.md, plus a PNG.

    /usr/bin/python3 native-bench/training/report.py results/training-<ts>/raw/*.csv \
        [--md report.md] [--png report.png] [--png-link report.png]

Several rows of one case (rounds) are reduced to the median of their medians. Targets (issue 8,
same run, same thread count): the digits step >= 10x faster than PyTorch's, the Fashion-MNIST
epoch >= 2x faster, no native memory allocated per step in steady state (vectorgrad's fresh
allocations and reserved bytes flat over the measured epochs). The order_digest column must agree
between the two libraries (same samples, same order); the report says so when it does not.
"""
import argparse
import csv
import math
import os
import statistics
import sys
from collections import defaultdict

IMPLS = ("pytorch", "vectorgrad")
DATASETS = ("digits", "fashion-mnist")
TITLES = {"digits": "digits MLP 64-128-10, batch 32", "fashion-mnist": "Fashion-MNIST MLP 784-256-10, batch 64"}
# (dataset, metric column, label, unit scale, unit, target speed-up or None)
METRICS = (
    ("digits", "step_median_us", "digits step", 1.0, "us", 10.0),
    ("digits", "epoch_median_s", "digits epoch", 1e3, "ms", None),
    ("fashion-mnist", "step_median_us", "Fashion-MNIST step", 1e-3, "ms", None),
    ("fashion-mnist", "epoch_median_s", "Fashion-MNIST epoch", 1.0, "s", 2.0),
)
FULL_STEPS = {"digits": 45, "fashion-mnist": 938}


def read(paths):
    rows = []
    for path in paths:
        with open(path) as f:
            lines = [line for line in f if line.strip() and not line.startswith("#")]
        if lines and not lines[0].startswith("impl,"):
            continue  # not one of ours
        rows.extend(csv.DictReader(lines))
    return rows


def num(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def fmt(value, digits=3):
    if value is None or math.isnan(value):
        return "n/a"
    if value == 0:
        return "0"
    mag = math.floor(math.log10(abs(value)))
    return f"{value:.{max(0, digits - 1 - mag)}f}"


def summarise(rows):
    """{(dataset, threads): {impl: {column: median over rounds}}}, skipped cases, settings, digests."""
    groups = defaultdict(lambda: defaultdict(list))
    skipped = set()
    settings = defaultdict(list)
    digests = defaultdict(set)
    for r in rows:
        key = (r["dataset"], int(r["threads"]))
        if r["status"] == "skipped":
            skipped.add(key)
            continue
        groups[key][r["impl"]].append(r)
        settings[r["dataset"]].append((r["impl"], r["steps_per_epoch"], r["warmup_epochs"], r["epochs"], r["train_size"]))
        digests[r["dataset"]].add((r["impl"], r["order_digest"]))
    out = {}
    for key, by_impl in groups.items():
        out[key] = {}
        for impl, rs in by_impl.items():
            agg = {"rounds": len(rs)}
            for col in rs[0]:
                vals = [num(r[col]) for r in rs]
                vals = [v for v in vals if not math.isnan(v)]
                if not vals:
                    continue
                # Memory columns: the worst round (a leak in any round counts); times: the median round.
                worst = col.startswith("native_fresh") or col == "live_bytes_growth"
                agg[col] = max(vals, key=abs) if worst else statistics.median(vals)
            out[key][impl] = agg
    return out, skipped, settings, digests


def markdown(summary, skipped, settings, digests, png_link):
    threads = sorted({t for (_, t) in list(summary) + list(skipped)})
    lines = []
    smoke = any(int(s[1]) < FULL_STEPS.get(d, 0) for d, ss in settings.items() for s in ss)
    if smoke:
        lines += ["**Smoke run (steps per epoch capped with --max-steps): not representative.**", ""]
    lines += ["| workload | threads | PyTorch 1.13 | vectorgrad | speed-up | target | met |",
              "|---|---:|---:|---:|---:|---:|:---:|"]
    for dataset, col, label, scale, unit, target in METRICS:
        for t in threads:
            key = (dataset, t)
            if key not in summary:
                if key in skipped:
                    lines.append(f"| {label} | {t} | skipped | skipped | | {f'>= {target:g}x' if target else ''} | |")
                continue
            cells = []
            values = {}
            for impl in IMPLS:
                agg = summary[key].get(impl, {})
                v = agg.get(col, math.nan) * scale
                values[impl] = v
                spread = ""
                if col == "step_median_us" and "step_p10_us" in agg:
                    spread = f" ({fmt(agg['step_p10_us'] * scale)}-{fmt(agg['step_p90_us'] * scale)})"
                cells.append(f"{fmt(v)} {unit}{spread}")
            speedup = values["pytorch"] / values["vectorgrad"] if values["vectorgrad"] > 0 else math.nan
            met = "" if target is None or math.isnan(speedup) else ("yes" if speedup >= target else "**no**")
            lines.append(f"| {label} | {t} | {cells[0]} | {cells[1]} | {fmt(speedup)}x | "
                         f"{f'>= {target:g}x' if target else ''} | {met} |")
    lines += ["", "Steps: median over all measured steps (p10-p90 in parentheses); epochs: median epoch. "
              "Speed-up = PyTorch's time / vectorgrad's (above 1: vectorgrad faster); medians over rounds.", ""]

    lines += ["Native memory per step in steady state (vectorgrad's `MemoryStats` over the measured epochs; "
              "worst round). Target: no fresh native allocation per step.", "",
              "| workload | threads | fresh allocations / step | fresh bytes / step | pooled allocations / step "
              "| live bytes growth | Java heap bytes / step | met |",
              "|---|---:|---:|---:|---:|---:|---:|:---:|"]
    for dataset in DATASETS:
        for t in threads:
            agg = summary.get((dataset, t), {}).get("vectorgrad")
            if agg is None:
                if (dataset, t) in skipped:
                    lines.append(f"| {TITLES[dataset]} | {t} | skipped | | | | | |")
                continue
            fresh = agg.get("native_fresh_allocs_per_step", math.nan)
            fresh_bytes = agg.get("native_fresh_bytes_per_step", math.nan)
            met = "yes" if fresh == 0 and fresh_bytes == 0 else "**no**"
            lines.append(f"| {TITLES[dataset]} | {t} | {fmt(fresh)} | {fmt(fresh_bytes)} | "
                         f"{fmt(agg.get('native_allocs_per_step', math.nan))} | "
                         f"{fmt(agg.get('live_bytes_growth', math.nan))} | "
                         f"{fmt(agg.get('heap_bytes_per_step', math.nan))} | {met} |")
    lines.append("")

    notes = []
    for dataset, ss in sorted(settings.items()):
        desc = sorted({f"{s[4]} samples, {s[1]} steps per epoch, {s[3]} measured epochs" for s in ss})
        # The warm-up runs until the step time settles (or a fixed count): how long it took, per round.
        warm = "; ".join(f"{impl} {', '.join(str(w) for w in sorted(int(s[2]) for s in ss if s[0] == impl))}"
                         for impl in IMPLS if any(s[0] == impl for s in ss))
        notes.append(f"{TITLES.get(dataset, dataset)}: {'; '.join(desc)}; warm-up epochs per round: {warm}.")
        seen = {d for (_, d) in digests[dataset]}
        if len(seen) > 1:
            notes.append(f"**WARNING: {dataset}: the libraries trained on different data orders "
                         f"({', '.join(sorted(f'{i} {d}' for i, d in digests[dataset]))}).**")
    rounds = sorted({agg["rounds"] for by_impl in summary.values() for agg in by_impl.values()})
    if rounds:
        notes.append(f"Rounds per case: {', '.join(map(str, rounds))}.")
    for dataset in sorted({d for d, _ in skipped}):
        notes.append(f"{TITLES.get(dataset, dataset)}: skipped, the data set was not found "
                     "(apt-get install dataset-fashion-mnist, or run.sh --fashion-dir DIR).")
    lines += notes + [""]
    if png_link:
        lines += [f"![training benchmark]({png_link})", ""]
    return "\n".join(lines)


def plot(summary, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report.py: matplotlib missing (apt-get install python3-matplotlib): no PNG", file=sys.stderr)
        return False
    threads = sorted({t for (_, t) in summary})
    panels = [m for m in METRICS if m[5] is not None]
    fig, axes = plt.subplots(1, len(panels) + 1, figsize=(4.2 * (len(panels) + 1), 3.8))
    width = 0.38
    colors = {"pytorch": "#ee4c2c", "vectorgrad": "#3b6ea8"}
    speedups = []
    for ax, (dataset, col, label, scale, unit, target) in zip(axes, panels):
        for k, impl in enumerate(IMPLS):
            vals = [summary.get((dataset, t), {}).get(impl, {}).get(col, math.nan) * scale for t in threads]
            ax.bar([i + (k - 0.5) * width for i in range(len(threads))], vals, width, label=impl, color=colors[impl])
        ax.set_xticks(range(len(threads)), [f"{t} thread{'s' if t > 1 else ''}" for t in threads])
        ax.set_ylabel(f"{label} ({unit})")
        ax.set_title(f"{label} (lower is better)", fontsize=10)
        ax.legend(fontsize=8)
        for t in threads:
            by_impl = summary.get((dataset, t), {})
            p = by_impl.get("pytorch", {}).get(col, math.nan)
            v = by_impl.get("vectorgrad", {}).get(col, math.nan)
            speedups.append((f"{label.replace('Fashion-MNIST', 'F-MNIST')}\n{t}T", p / v if v > 0 else math.nan, target))
    ax = axes[-1]
    xs = range(len(speedups))
    ax.bar(xs, [s[1] for s in speedups], color=["#3b6ea8" if s[1] >= s[2] else "#c0504d" for s in speedups])
    for x, (_, value, target) in zip(xs, speedups):
        ax.hlines(target, x - 0.4, x + 0.4, colors="black", linestyles="dashed")
        if not math.isnan(value):
            ax.text(x, value, f"{value:.1f}x", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(list(xs), [s[0] for s in speedups], fontsize=7)
    ax.set_ylabel("speed-up over PyTorch (x)")
    ax.set_title("speed-up vs target (dashed)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="+")
    ap.add_argument("--md", help="write the markdown here (default: stdout)")
    ap.add_argument("--png", help="write the plot here")
    ap.add_argument("--png-link", help="how the markdown refers to the PNG (default: its file name)")
    args = ap.parse_args()
    rows = read(args.csv)
    if not rows:
        sys.exit("report.py: no rows in " + " ".join(args.csv))
    summary, skipped, settings, digests = summarise(rows)
    link = None
    if args.png and summary and plot(summary, args.png):
        link = args.png_link or os.path.basename(args.png)
    text = markdown(summary, skipped, settings, digests, link)
    if args.md:
        with open(args.md, "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    main()
