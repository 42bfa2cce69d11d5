#!/usr/bin/python3
"""Where a vectorgrad training step spends its time, from a Java Flight Recorder recording of
TrainingBench (run.sh --jfr makes one): execution samples of the measured phase only, attributed
to the step's phases (batch gather, zero_grad, forward per module, loss, backward per autograd
node, optimizer step, item, scope close), and the hottest vectorgrad methods and leaf frames.
A hint, not a measurement: samples every 10-20 ms (JFR's 'profile' settings) over a few seconds.

    /usr/bin/python3 native-bench/training/jfr_breakdown.py vectorgrad-digits.jfr \
        [--csv raw-output.csv] [--jfr-tool $JDK/bin/jfr] [--top 15]

--csv: TrainingBench's stdout, whose '# measured <dataset> from <instant> to <instant>' line bounds
the window; without it, the second half of the recording is used (the first holds the warm-up).
"""
import argparse
import collections
import datetime
import json
import os
import re
import subprocess
import sys

LOOP = "dev.vectorgrad.bench.TrainingLoop.epoch"  # the training loop's frame
PHASES = {  # the method TrainingLoop.epoch called -> phase
    "dev.vectorgrad.data.TensorDataset.getBatch": "batch gather (not in the step time)",
    "dev.vectorgrad.optim.Optimizer.zeroGrad": "zero_grad",
    "dev.vectorgrad.nn.Sequential.forward": "forward",
    "dev.vectorgrad.nn.Functional.crossEntropy": "loss (cross_entropy)",
    "dev.vectorgrad.Tensor.backward": "backward",
    "dev.vectorgrad.optim.Adam.step": "optimizer step (Adam)",
    "dev.vectorgrad.Tensor.item": "loss.item()",
    "dev.vectorgrad.TensorScope.close": "scope close (frees the step's tensors)",
    "dev.vectorgrad.bench.TrainingBench$StepTimer.start": "harness (loop, timers)",
    "dev.vectorgrad.bench.TrainingBench$StepTimer.stop": "harness (loop, timers)",
    "java.lang.System.arraycopy": "harness (loop, timers)",
}


def instant(text):
    """An ISO-8601 instant (JFR's, up to nanoseconds; Java's Instant.toString) as a UTC datetime."""
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z", text)
    base = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return base + datetime.timedelta(microseconds=int((m.group(2) or "0")[:6].ljust(6, "0")))


def frames_of(event):
    out = []
    for f in event["values"]["stackTrace"]["frames"]:
        method = f["method"]
        out.append(method["type"]["name"].replace("/", ".") + "." + method["name"])
    return out  # leaf first


def load(jfr_tool, path):
    text = subprocess.run([jfr_tool, "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample", path],
                          check=True, capture_output=True, text=True).stdout
    events = json.loads(text)["recording"]["events"]
    return [(instant(e["values"]["startTime"]), e["values"]["sampledThread"]["javaName"], frames_of(e))
            for e in events if e["values"].get("stackTrace")]


def window(samples, csv_path):
    if csv_path:
        with open(csv_path) as f:
            for line in f:
                m = re.match(r"# measured \S+ from (\S+) to (\S+)", line)
                if m:
                    return instant(m.group(1)), instant(m.group(2))
        print(f"jfr_breakdown.py: no '# measured' line in {csv_path}: using the second half", file=sys.stderr)
    times = sorted(t for t, _, _ in samples)
    return times[len(times) // 2], times[-1]


def short(name):
    parts = name.split(".")
    return ".".join(parts[-2:])


def attribute(frames):
    """(phase, detail) of one sample of the main thread (or a worker thread's)."""
    try:
        i = frames.index(LOOP)
    except ValueError:
        return ("worker threads / other", short(next((f for f in frames if f.startswith("dev.vectorgrad")), frames[0])))
    if i == 0:
        return ("harness (loop, timers)", "")
    called = frames[i - 1]
    phase = PHASES.get(called, "other: " + short(called))
    detail = ""
    if phase == "backward":
        # The frame just above the engine's loop is the node being applied.
        engine = next((k for k, f in enumerate(frames) if f.endswith("autograd.Engine.run")), None)
        if engine is not None and engine > 0:
            detail = short(frames[engine - 1])
    elif phase == "forward":
        detail = short(frames[i - 2]) if i >= 2 else ""
    return (phase, detail)


def table(title, counter, total, top):
    lines = [f"| {title} | samples | share |", "|---|---:|---:|"]
    for key, n in counter.most_common(top):
        lines.append(f"| {key} | {n} | {100.0 * n / total:.1f}% |")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("jfr")
    ap.add_argument("--csv")
    ap.add_argument("--jfr-tool", default=os.path.join(os.environ.get("VG_JAVA_HOME", ""), "bin", "jfr")
                    if os.environ.get("VG_JAVA_HOME") else "jfr")
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    samples = load(args.jfr_tool, args.jfr)
    if not samples:
        sys.exit("jfr_breakdown.py: no execution samples in " + args.jfr)
    start, end = window(samples, args.csv)
    kept = [(th, fr) for t, th, fr in samples if start <= t <= end]
    total = len(kept)
    if total == 0:
        sys.exit("jfr_breakdown.py: no samples in the measured window")
    phases, details, methods, leaves = (collections.Counter() for _ in range(4))
    for _, frames in kept:
        phase, detail = attribute(frames)
        phases[phase] += 1
        if detail:
            details[f"{phase}: {detail}"] += 1
        vg = next((f for f in frames if f.startswith("dev.vectorgrad") and ".bench." not in f), None)
        if vg:
            methods[short(vg)] += 1
        leaves[short(frames[0])] += 1
    out = [f"JFR execution samples in the measured window ({(end - start).total_seconds():.1f} s): {total}", ""]
    out += table("phase", phases, total, args.top) + [""]
    out += table("phase: module / autograd node", details, total, args.top) + [""]
    out += table("innermost vectorgrad method", methods, total, args.top) + [""]
    out += table("leaf frame (JDK included)", leaves, total, args.top)
    print("\n".join(out))


if __name__ == "__main__":
    main()
