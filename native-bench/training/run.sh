#!/usr/bin/env bash
# Training benchmark, issue 8: the same MLP training loop in PyTorch 1.13 (train_bench.py) and in
# vectorgrad (dev.vectorgrad.bench.TrainingBench, from target/benchmarks.jar), same model, optimizer,
# batch size and data order, interleaved, 1 and 2 threads; then the tables and the plot (report.py).
# Run it on an otherwise idle machine.
#
#   native-bench/training/run.sh                                # everything, results/training-<ts>/
#   native-bench/training/run.sh --rounds 1 --max-steps 20 --digits-epochs 1:2 --fashion-epochs 1:1   # smoke
#
# Options (defaults in brackets):
#   --threads LIST         comma-separated thread counts [1,2]
#   --rounds N             repetitions of every case, interleaved; the report takes medians [3]
#   --datasets LIST        digits,fashion-mnist [both]
#   --digits-epochs W:E    warm-up and measured epochs for the digits (45 steps each) [auto:50]; W is a
#                          number or auto: until the step time has settled (WarmUp.java, README.md)
#   --fashion-epochs W:E   the same for Fashion-MNIST (938 steps each) [auto:3]
#   --max-steps N          cap the steps per epoch (smoke runs; the report then says so) [no cap]
#   --fashion-dir DIR      Fashion-MNIST's IDX files [/usr/share/datasets/fashion-mnist]; when absent
#                          its rows say "skipped" (apt-get install dataset-fashion-mnist)
#   --no-build             use the existing target/benchmarks.jar (default: rebuild it first,
#                          ./mvnw -q -Pbench -DskipTests package, so that it measures the current code)
#   --jfr                  afterwards, one extra untimed vectorgrad run per dataset at 1 thread under
#                          Java Flight Recorder: vectorgrad-<dataset>.jfr and the step's breakdown
#                          (vectorgrad-<dataset>-profile.md, by jfr_breakdown.py)
#   --out DIR              results directory [native-bench/results/training-<timestamp>]
#   --png-link PATH        how report.md links the plot [training.png: for docs/benchmarks.md, after
#                          cp <out>/report.png docs/training.png]
# Environment: PYTHON (/usr/bin/python3, with python3-torch and python3-matplotlib), VG_JAVA_HOME
#   (the JDK 25 that .mvn/find-jdk.sh finds), JAVA_OPTS (extra JVM options for vectorgrad's runs).
# Output: raw/<impl>-<dataset>-t<threads>-r<round>.csv (one CSV row each, '#' lines = versions),
#   logs/, machine.txt, all.csv (every row), report.md (tables ready for docs/benchmarks.md), report.png.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
THREADS="1,2"
ROUNDS=3
DATASETS="digits,fashion-mnist"
DIGITS_EPOCHS="auto:50"
FASHION_EPOCHS="auto:3"
MAX_STEPS=""
FASHION_DIR="/usr/share/datasets/fashion-mnist"
BUILD=1
JFR=0
OUT=""
PNG_LINK="training.png"
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS="${2:?}"; shift 2 ;;
    --rounds) ROUNDS="${2:?}"; shift 2 ;;
    --datasets) DATASETS="${2:?}"; shift 2 ;;
    --digits-epochs) DIGITS_EPOCHS="${2:?}"; shift 2 ;;
    --fashion-epochs) FASHION_EPOCHS="${2:?}"; shift 2 ;;
    --max-steps) MAX_STEPS="${2:?}"; shift 2 ;;
    --fashion-dir) FASHION_DIR="${2:?}"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --jfr) JFR=1; shift ;;
    --out) OUT="${2:?}"; shift 2 ;;
    --png-link) PNG_LINK="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
OUT="${OUT:-$ROOT/native-bench/results/training-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT/raw" "$OUT/logs"
log() { echo "[training] $*" >&2; }
die() { echo "[training] error: $*" >&2; exit 1; }

VG_JAVA_HOME="${VG_JAVA_HOME:-$("$ROOT/.mvn/find-jdk.sh")}" || die "no JDK 25 found (see .mvn/find-jdk.sh)"
JAVA="$VG_JAVA_HOME/bin/java"
JAR="$ROOT/target/benchmarks.jar"
# shellcheck disable=SC2206  # JAVA_OPTS is a list of options
JVM=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED ${JAVA_OPTS:-})

if [ "$BUILD" = 1 ]; then
  log "building target/benchmarks.jar (./mvnw -q -Pbench -DskipTests package)"
  (cd "$ROOT" && ./mvnw -q -Pbench -DskipTests package) > "$OUT/logs/build.log" 2>&1 \
    || { tail -n 30 "$OUT/logs/build.log" >&2; die "build failed (log: $OUT/logs/build.log)"; }
fi
[ -f "$JAR" ] || die "$JAR missing (drop --no-build, or ./mvnw -Pbench -DskipTests package)"
"$PYTHON" -c 'import torch' 2>/dev/null || die "$PYTHON cannot import torch (apt-get install python3-torch)"

{
  echo "date: $(date -Is)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "cores: $(nproc)"
  echo "flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|avx512f|fma)$' | tr '\n' ' ')"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $("$JAVA" -version 2>&1 | head -n 1)"
  echo "JAVA_OPTS: ${JAVA_OPTS:-}"
  echo "torch: $("$PYTHON" -c 'import torch; print(torch.__version__)' 2>/dev/null)"
  if commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null); then
    git -C "$ROOT" diff --quiet HEAD -- src pom.xml || commit="$commit (src has uncommitted changes)"
  fi
  echo "commit: ${commit:-unknown}"
  echo "settings: threads $THREADS, rounds $ROUNDS, datasets $DATASETS, digits epochs $DIGITS_EPOCHS, fashion epochs $FASHION_EPOCHS, max steps ${MAX_STEPS:-none}"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" >&2
load1=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }'; then
  log "WARNING: load average $load1: the machine is not idle, numbers will be noisy"
fi

# CASE: the arguments of one run of either side for dataset $1 (an array: paths may hold spaces).
case_args() {
  local epochs
  if [ "$1" = digits ]; then epochs="$DIGITS_EPOCHS"; else epochs="$FASHION_EPOCHS"; fi
  CASE=(--dataset "$1" --warmup-epochs "${epochs%%:*}" --epochs "${epochs##*:}" --fashion-dir "$FASHION_DIR")
  if [ -n "$MAX_STEPS" ]; then CASE+=(--max-steps "$MAX_STEPS"); fi
}

run_pytorch() {  # dataset threads round
  local name="pytorch-$1-t$2-r$3"
  log "$name"
  case_args "$1"
  OMP_NUM_THREADS="$2" OPENBLAS_NUM_THREADS="$2" MKL_NUM_THREADS="$2" \
    "$PYTHON" "$HERE/train_bench.py" --header --threads "$2" "${CASE[@]}" \
    > "$OUT/raw/$name.csv" 2> "$OUT/logs/$name.log" || die "$name failed (log: $OUT/logs/$name.log)"
}

run_vectorgrad() {  # dataset threads round
  local name="vectorgrad-$1-t$2-r$3"
  log "$name"
  case_args "$1"
  (cd "$ROOT" && "$JAVA" "${JVM[@]}" -Dvectorgrad.threads="$2" -cp "$JAR" dev.vectorgrad.bench.TrainingBench \
    --header "${CASE[@]}") > "$OUT/raw/$name.csv" 2> "$OUT/logs/$name.log" \
    || die "$name failed (log: $OUT/logs/$name.log)"
}

IFS=, read -r -a THREAD_LIST <<< "$THREADS"
IFS=, read -r -a DATASET_LIST <<< "$DATASETS"
for round in $(seq 1 "$ROUNDS"); do
  for t in "${THREAD_LIST[@]}"; do
    for ds in "${DATASET_LIST[@]}"; do
      # Alternate which side goes first, so that neither always runs on a warmer (or hotter) machine.
      if [ $((round % 2)) = 1 ]; then
        run_pytorch "$ds" "$t" "$round"; run_vectorgrad "$ds" "$t" "$round"
      else
        run_vectorgrad "$ds" "$t" "$round"; run_pytorch "$ds" "$t" "$round"
      fi
    done
  done
done

{ echo "$(head -n 1 "$(ls "$OUT"/raw/*.csv | head -n 1)")"; cat "$OUT"/raw/*.csv | grep -v -e '^#' -e '^impl,'; } > "$OUT/all.csv"
"$PYTHON" "$HERE/report.py" "$OUT"/raw/*.csv --md "$OUT/report.md" --png "$OUT/report.png" \
  --png-link "$PNG_LINK"

if [ "$JFR" = 1 ]; then
  for ds in "${DATASET_LIST[@]}"; do
    log "JFR: vectorgrad $ds, 1 thread (untimed; jfr_breakdown.py keeps the measured epochs' samples)"
    case_args "$ds"
    if [ -z "$MAX_STEPS" ]; then  # more measured epochs than the timed runs: more samples
      if [ "$ds" = digits ]; then CASE+=(--epochs 1000); else CASE+=(--epochs 6); fi
    fi
    (cd "$ROOT" && "$JAVA" "${JVM[@]}" -Dvectorgrad.threads=1 \
      -XX:StartFlightRecording=filename="$OUT/vectorgrad-$ds.jfr",settings=profile \
      -cp "$JAR" dev.vectorgrad.bench.TrainingBench "${CASE[@]}") > "$OUT/logs/jfr-$ds.csv" 2> "$OUT/logs/jfr-$ds.log" \
      || { log "JFR run failed (log: $OUT/logs/jfr-$ds.log)"; continue; }
    VG_JAVA_HOME="$VG_JAVA_HOME" "$PYTHON" "$HERE/jfr_breakdown.py" "$OUT/vectorgrad-$ds.jfr" --csv "$OUT/logs/jfr-$ds.csv" \
      > "$OUT/vectorgrad-$ds-profile.md" 2>> "$OUT/logs/jfr-$ds.log" || log "jfr_breakdown.py failed (log: $OUT/logs/jfr-$ds.log)"
  done
fi
log "results in $OUT (report.md, report.png, all.csv); for docs/benchmarks.md: cp $OUT/report.png docs/training.png"
