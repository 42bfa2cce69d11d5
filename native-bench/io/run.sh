#!/usr/bin/env bash
# io speed side by side: vectorgrad (IoBench, test tree), numpy and PyTorch (bench_py.py) over the same
# files (make_data.py), at each size, in one run; then the table and the targets (report.py).
#
#   native-bench/io/run.sh                                   # 16 MiB and 1 GiB, results/io-<ts>/
#   native-bench/io/run.sh --sizes 4,16 --rounds 3           # a quick smoke run
#
# Options: --sizes MiB,MiB (default 16,1024)  --rounds N (default 9)  --threads N (vectorgrad and PyTorch
#          threads; default: all cores)  --data DIR (where the data files go; default native-bench/build/io-data,
#          about 3 x the largest size)  --out DIR
# Workloads: opening a safetensors / .npy file and getting every tensor mapped (vectorgrad
# Safetensors.open + get, Npy.map; numpy np.load(mmap_mode='r')), copying loads (Safetensors.read,
# Npy.read; np.load; torch.load of the same tensors saved with torch.save), and sum() over the mapped
# and over a pooled (copied) tensor in GB/s. Files are read once before timing (warm page cache).
# Environment: PYTHON (/usr/bin/python3; numpy, and python3-torch for the PyTorch rows).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
SIZES="16,1024"
ROUNDS="9"
THREADS=""
DATA="$ROOT/native-bench/build/io-data"
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
OUT="${OUT:-$ROOT/native-bench/results/io-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
log() { echo "[io] $*" >&2; }

log "building the test classes (IoBench) and the class path"
(cd "$ROOT" && ./mvnw -q test-compile dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$OUT/classpath.txt" >&2)
JAVA="$("$ROOT/.mvn/find-jdk.sh")/bin/java"
CP="$ROOT/target/classes:$ROOT/target/test-classes:$(cat "$OUT/classpath.txt")"
JFLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
[ -n "$THREADS" ] && JFLAGS+=("-Dvectorgrad.threads=$THREADS") && export IO_BENCH_THREADS="$THREADS"

{ uname -a; "$JAVA" -version 2>&1; "$PYTHON" -c 'import numpy, sys; print("numpy", numpy.__version__)';
  "$PYTHON" -c 'import torch; print("torch", torch.__version__)' 2>/dev/null || true; nproc; } > "$OUT/machine.txt"
echo "size_mib,system,workload,bytes,seconds,gbps" > "$OUT/io.csv"
IFS=, read -r -a sizes <<< "$SIZES"
for mib in "${sizes[@]}"; do
  dir="$DATA/$mib"
  if [ ! -f "$dir/data.npy" ] || [ ! -f "$dir/data.safetensors" ]; then
    log "writing ${mib} MiB files to $dir"
    "$PYTHON" "$HERE/make_data.py" "$dir" "$mib"
  fi
  cat "$dir"/data.* > /dev/null   # into the page cache: time the libraries, not the disk
  log "${mib} MiB: vectorgrad"
  "$JAVA" "${JFLAGS[@]}" -cp "$CP" dev.vectorgrad.io.IoBench "$dir" "$ROUNDS" | grep -v '^#' | sed "s/^/$mib,/" >> "$OUT/io.csv"
  log "${mib} MiB: numpy and PyTorch"
  "$PYTHON" "$HERE/bench_py.py" "$dir" "$ROUNDS" | sed "s/^/$mib,/" >> "$OUT/io.csv"
done
"$PYTHON" "$HERE/report.py" "$OUT/io.csv" | tee "$OUT/report.md"
log "results in $OUT"
