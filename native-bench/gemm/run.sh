#!/usr/bin/env bash
# GEMM side by side: vectorgrad (JMH GemmBench), OpenBLAS through numpy, naive C loop nests,
# same shapes, forms and thread counts, in one run; then the GFLOPS table (report.py).
#
#   native-bench/gemm/run.sh                                  # everything, results/gemm-<ts>/
#   native-bench/gemm/run.sh --threads 1 --shapes 64,256 --forms nn --rounds 1 --budget 0.1
#   native-bench/gemm/run.sh --no-jmh                         # C and OpenBLAS only
#
# Options: --threads 1,2  --shapes 64,256,...,256x784x128  --forms nn,tn,nt  --dtype float32
#          --budget S (C/numpy seconds per case, default 0.3)  --rounds N (C/numpy rounds, default 2)
#          --jmh-opts "..." (default "-f 1 -wi 5 -w 2s -i 5 -r 1s")  --no-jmh  --no-c  --out DIR
# Environment: PYTHON (/usr/bin/python3), VG_JAVA_HOME (JDK 25; default .mvn/find-jdk.sh),
#   OPENBLAS_LIB_DIR (a directory holding OpenBLAS's libblas.so.3, when numpy's BLAS is not OpenBLAS).
# The JMH jar is built when missing (./mvnw -q -Pbench -DskipTests package).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
THREADS="1,2"
SHAPES="64,256,512,1024,2048,256x784x128,64x784x256,64x256x10"
FORMS="nn,tn,nt"
DTYPE="float32"
BUDGET="0.3"
ROUNDS="2"
JMH_OPTS="-f 1 -wi 5 -w 2s -i 5 -r 1s"
RUN_JMH=1
RUN_C=1
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS="$2"; shift 2 ;;
    --shapes) SHAPES="$2"; shift 2 ;;
    --forms) FORMS="$2"; shift 2 ;;
    --dtype) DTYPE="$2"; shift 2 ;;
    --budget) BUDGET="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --jmh-opts) JMH_OPTS="$2"; shift 2 ;;
    --no-jmh) RUN_JMH=0; shift ;;
    --no-c) RUN_C=0; shift ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
OUT="${OUT:-$ROOT/native-bench/results/gemm-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
log() { echo "[gemm] $*" >&2; }

# --- OpenBLAS for numpy: numpy links libblas.so.3, which Debian points at the reference BLAS
# unless libopenblas0 is installed. Without it, put OpenBLAS's libblas.so.3 first on the library path.
numpy_blas() { "$PYTHON" "$HERE/gemm_numpy.py" --threads 1 --shapes 8 --forms nn --budget 0.001 --warmup 0 | tail -n 1 | cut -d, -f1; }
if [ "$(numpy_blas)" != "openblas" ]; then
  for dir in "${OPENBLAS_LIB_DIR:-}" /usr/lib/x86_64-linux-gnu/openblas-pthread /usr/lib/x86_64-linux-gnu/openblas-openmp \
             "$ROOT/native-bench/build/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread"; do
    if [ -n "$dir" ] && [ -e "$dir/libblas.so.3" ]; then export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; break; fi
  done
  if [ "$(numpy_blas)" != "openblas" ]; then
    deb=$(ls /var/cache/apt/archives/libopenblas0-pthread_*.deb 2>/dev/null | head -n 1 || true)
    if [ -n "$deb" ]; then
      log "numpy's BLAS is not OpenBLAS: unpacking $deb into native-bench/build/openblas (no system change)"
      mkdir -p "$ROOT/native-bench/build/openblas" && dpkg -x "$deb" "$ROOT/native-bench/build/openblas"
      export LD_LIBRARY_PATH="$ROOT/native-bench/build/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    fi
  fi
  [ "$(numpy_blas)" = "openblas" ] || log "WARNING: numpy does not use OpenBLAS (apt-get install libopenblas0-pthread, or set OPENBLAS_LIB_DIR); its rows are labelled numpy_blas"
fi

{
  echo "date: $(date -Is)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "cores: $(nproc)"
  echo "flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|avx512f|fma)$' | tr '\n' ' ')"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "gcc: $(gcc --version | head -n 1)"
  echo "LD_LIBRARY_PATH: ${LD_LIBRARY_PATH:-}"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

if [ "$RUN_C" = 1 ]; then
  make -s -C "$HERE" >&2
fi
IFS=, read -r -a THREAD_LIST <<< "$THREADS"
for round in $(seq 1 "$ROUNDS"); do
  for t in "${THREAD_LIST[@]}"; do
    if [ "$RUN_C" = 1 ] && [ "$DTYPE" = float32 ]; then
      log "C naive, $t thread(s), round $round"
      "$ROOT/native-bench/build/gemm_naive" --threads "$t" --shapes "$SHAPES" --forms "$FORMS" --budget "$BUDGET" \
          > "$OUT/c-t$t-r$round.csv"
    fi
    log "numpy ($(numpy_blas)), $t thread(s), round $round"
    OPENBLAS_NUM_THREADS="$t" "$PYTHON" "$HERE/gemm_numpy.py" --threads "$t" --shapes "$SHAPES" --forms "$FORMS" \
        --dtype "$DTYPE" --budget "$BUDGET" > "$OUT/numpy-t$t-r$round.csv"
  done
done

if [ "$RUN_JMH" = 1 ]; then
  VG_JAVA_HOME="${VG_JAVA_HOME:-$("$ROOT/.mvn/find-jdk.sh")}"
  if [ ! -f "$ROOT/target/benchmarks.jar" ]; then
    log "building the JMH suite (target/benchmarks.jar)"
    (cd "$ROOT" && ./mvnw -q -Pbench -DskipTests package) >&2
  fi
  log "JMH GemmBench: threads $THREADS, $JMH_OPTS"
  # shellcheck disable=SC2086
  (cd "$ROOT" && "$VG_JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
      -jar target/benchmarks.jar 'GemmBench' -p shape="$SHAPES" -p form="$FORMS" -p threads="$THREADS" -p dtype="$DTYPE" \
      $JMH_OPTS -rf csv -rff "$OUT/jmh-gemm.csv") > "$OUT/jmh.log" 2>&1 || { log "JMH failed, see $OUT/jmh.log"; tail -n 20 "$OUT/jmh.log" >&2; }
fi

"$PYTHON" "$HERE/report.py" "$OUT"/*.csv --md "$OUT/report.md"
log "results in $OUT"
