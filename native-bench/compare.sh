#!/usr/bin/env bash
# Runs the whole benchmark comparison: native C, PyTorch and vectorgrad (JMH),
# collects everything into one CSV under native-bench/results/<timestamp>/ and
# renders the side-by-side report.  Run it on an otherwise idle machine.
#
#   native-bench/compare.sh [options]
#
# Options (defaults in brackets):
#   --budget SEC       time budget per case for C and PyTorch [0.3]
#   --warmup SEC       warm-up per case for C and PyTorch [0.05]
#   --sizes LIST       comma-separated subset of S1..S6 [S1,S2,S3,S4,S5]
#                      (S6 = 8192x8192, 64M elements, for the many-core runs)
#   --workloads LIST   contiguous workloads [seed_step,add_alloc,add_out,mean,chain];
#                      JMH runs the benchmarks JMH_REGEX names (set it to match)
#   --strided-sizes LIST  sizes of the strided workloads tadd (a.t() + b) and
#                      expadd (a.expand(n, n) + b), run as separate C, PyTorch and
#                      JMH (StridedBench) passes [S4,S5 where --sizes has them]
#   --no-strided       skip the strided workloads
#   --math-sizes LIST  sizes of issue #7's math workloads exp, tanh, sigmoid, relu,
#                      gelu (elementwise) and softmax (dim=-1 of an (n, n) tensor),
#                      run as separate C, PyTorch and JMH (MathBench) passes
#                      [S3,S4,S5 where --sizes has them]
#   --no-math          skip the math workloads
#   --threads LIST     space- or comma-separated thread counts ["1 2"]
#   --rounds N         run C and PyTorch N times, interleaved; the report takes,
#                      per case, the round with the median median [1]
#   --md PATH          markdown report [results/<ts>/report.md]
#   --png PATH         plot [results/<ts>/report.png]
#   --out DIR          results directory [native-bench/results/<ts>]
#   --notes FILE       markdown appended to the report (the analysis of the run)
#   --no-c | --no-pytorch | --no-jmh   skip a part
#   --no-build         use native-bench/build/bench and target/benchmarks.jar as they are
#                      (a machine without gcc or Maven, e.g. the device machine)
#
# Environment: PYTHON (/usr/bin/python3), VG_JAVA_HOME (the JDK 25 that
# .mvn/find-jdk.sh finds), JMH_REGEX, JMH_STRIDED_REGEX, JMH_MATH_REGEX, JMH_OPTS,
# JAVA_OPTS (see run_jmh below).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
VG_JAVA_HOME="${VG_JAVA_HOME:-$("$ROOT/.mvn/find-jdk.sh")}" || { echo "compare.sh: error: no JDK 25 found (see .mvn/find-jdk.sh)" >&2; exit 1; }
JAVA="$VG_JAVA_HOME/bin/java"

BUDGET=0.3
WARMUP=0.05
SIZES=S1,S2,S3,S4,S5
STRIDED_SIZES=""      # default: S4,S5 as far as --sizes has them
STRIDED_SIZES_SET=0
DO_STRIDED=1
MATH_SIZES=""         # default: S3,S4,S5 as far as --sizes has them
MATH_SIZES_SET=0
DO_MATH=1
THREADS="1 2"
ROUNDS=1
MD=""
PNG=""
OUT=""
NOTES=""
DO_C=1
DO_PYTORCH=1
DO_JMH=1
DO_BUILD=1
CONTIGUOUS_WORKLOADS=seed_step,add_alloc,add_out,mean,chain

die() { echo "compare.sh: error: $*" >&2; exit 1; }
log() { echo "compare.sh: $*" >&2; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --budget) BUDGET="${2:?--budget needs a value}"; shift 2 ;;
        --warmup) WARMUP="${2:?--warmup needs a value}"; shift 2 ;;
        --sizes) SIZES="${2:?--sizes needs a value}"; shift 2 ;;
        --strided-sizes) STRIDED_SIZES="${2:?--strided-sizes needs a value}"; STRIDED_SIZES_SET=1; shift 2 ;;
        --no-strided) DO_STRIDED=0; shift ;;
        --math-sizes) MATH_SIZES="${2:?--math-sizes needs a value}"; MATH_SIZES_SET=1; shift 2 ;;
        --no-math) DO_MATH=0; shift ;;
        --threads) THREADS="${2:?--threads needs a value}"; shift 2 ;;
        --rounds) ROUNDS="${2:?--rounds needs a value}"; shift 2 ;;
        --md) MD="${2:?--md needs a path}"; shift 2 ;;
        --png) PNG="${2:?--png needs a path}"; shift 2 ;;
        --out) OUT="${2:?--out needs a directory}"; shift 2 ;;
        --notes) NOTES="${2:?--notes needs a file}"; shift 2 ;;
        --no-c) DO_C=0; shift ;;
        --no-pytorch) DO_PYTORCH=0; shift ;;
        --no-jmh) DO_JMH=0; shift ;;
        --no-build) DO_BUILD=0; shift ;;
        --workloads) CONTIGUOUS_WORKLOADS="${2:?--workloads needs a value}"; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) die "unknown option '$1' (try --help)" ;;
    esac
done
THREADS="${THREADS//,/ }"
THREADS_CSV="$(echo $THREADS | tr ' ' ',')"
for t in $THREADS; do [[ "$t" =~ ^[1-9][0-9]*$ ]] || die "bad thread count '$t'"; done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "bad --rounds '$ROUNDS'"
[[ "$SIZES" =~ ^S[1-6](,S[1-6])*$ ]] || die "bad --sizes '$SIZES' (expected e.g. S1,S2,S3)"
# Contiguous workloads run at --sizes; the strided ones (issue #6's tadd, expadd) in passes of
# their own at --strided-sizes (their targets are set at S4/S5).
STRIDED_WORKLOADS=tadd,expadd
if [[ $STRIDED_SIZES_SET == 0 ]]; then
    STRIDED_SIZES="$(echo "$SIZES" | tr ',' '\n' | grep -x -e S4 -e S5 | paste -sd, - || true)"
else
    [[ "$STRIDED_SIZES" =~ ^S[1-5](,S[1-5])*$ ]] || die "bad --strided-sizes '$STRIDED_SIZES' (expected e.g. S4,S5)"
fi
[[ -n "$STRIDED_SIZES" ]] || DO_STRIDED=0
[[ $DO_STRIDED == 1 ]] || STRIDED_SIZES=""
# Issue #7's math workloads, likewise in passes of their own at --math-sizes (targets at S3..S5;
# softmax's at S5, the (4096, 4096) tensor).
MATH_WORKLOADS=exp,tanh,sigmoid,relu,gelu,softmax
if [[ $MATH_SIZES_SET == 0 ]]; then
    MATH_SIZES="$(echo "$SIZES" | tr ',' '\n' | grep -x -e S3 -e S4 -e S5 | paste -sd, - || true)"
else
    [[ "$MATH_SIZES" =~ ^S[1-5](,S[1-5])*$ ]] || die "bad --math-sizes '$MATH_SIZES' (expected e.g. S3,S4,S5)"
fi
[[ -n "$MATH_SIZES" ]] || DO_MATH=0
[[ $DO_MATH == 1 ]] || MATH_SIZES=""

# report.py draws the plot with matplotlib: fail now rather than after the whole run.
"$PYTHON" -c 'import matplotlib' 2>/dev/null \
    || die "'$PYTHON' cannot import matplotlib, which report.py needs for the plot (apt-get install python3-matplotlib)"

TS="$(date +%Y%m%d-%H%M%S)"
OUT="${OUT:-$HERE/results/$TS}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
MD="${MD:-$OUT/report.md}"
PNG="${PNG:-$OUT/report.png}"
COMBINED="$OUT/combined.csv"
MACHINE="$OUT/machine.txt"
log "results go to $OUT"

# ------------------------------------------------------------ machine info
record_machine() {
    local cpu cores gcc_v java_v torch_v commit
    cpu="$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)"
    cores="$(nproc 2>/dev/null || echo '?') online CPUs"
    if command -v lscpu >/dev/null; then
        cores="$cores; $(lscpu | awk -F: '/^Core\(s\) per socket/{c=$2} /^Socket\(s\)/{s=$2} /^Thread\(s\) per core/{t=$2} END{gsub(/ /,"",c);gsub(/ /,"",s);gsub(/ /,"",t); printf "%s socket(s) x %s core(s) x %s thread(s)", s, c, t}')"
    fi
    local flags=""
    for f in avx2 fma avx512f; do grep -qw "$f" /proc/cpuinfo && flags="$flags $f"; done
    gcc_v="$(gcc --version 2>/dev/null | head -1 || echo 'not found')"
    if [[ -x "$JAVA" ]]; then
        java_v="$("$JAVA" -version 2>&1 | sed -n '1p;2p' | paste -sd';' -)"
    else
        java_v="not found at $JAVA"
    fi
    torch_v="$("$PYTHON" -c 'import torch; print(torch.__version__)' 2>/dev/null || echo 'not found')"
    if commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"; then
        git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null || commit="$commit (uncommitted changes)"
    else
        commit="none (no commits yet)"
    fi
    {
        echo "#@ date: $(date -Iseconds)"
        echo "#@ cpu: ${cpu:-unknown}"
        echo "#@ cores: $cores"
        echo "#@ cpu flags:${flags:- none of avx2/fma/avx512f}"
        echo "#@ memory: $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
        echo "#@ kernel: $(uname -sr)"
        echo "#@ gcc: $gcc_v"
        echo "#@ jdk: $java_v"
        echo "#@ pytorch: $torch_v"
        echo "#@ vectorgrad commit: $commit"
        echo "#@ settings: budget=${BUDGET}s warmup=${WARMUP}s sizes=$SIZES strided_sizes=${STRIDED_SIZES:-none} math_sizes=${MATH_SIZES:-none} threads=$THREADS_CSV rounds=$ROUNDS"
        echo "#@ load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    } > "$MACHINE"
}

# ------------------------------------------------------------ native C
build_c() {
    log "building the C benchmark"
    make -s -C "$HERE/c" >&2 || die "C build failed (make -C native-bench/c)"
}

run_c() {  # $1: round
    local t
    for t in $THREADS; do
        log "round $1: C, $t thread(s)"
        "$HERE/build/bench" --threads "$t" --budget "$BUDGET" --warmup "$WARMUP" \
            --sizes "$SIZES" --workloads "$CONTIGUOUS_WORKLOADS" > "$OUT/c-t$t-r$1.csv" \
            || die "C benchmark failed ($t threads)"
        if [[ $DO_STRIDED == 1 ]]; then
            log "round $1: C strided ($STRIDED_WORKLOADS at $STRIDED_SIZES), $t thread(s)"
            "$HERE/build/bench" --threads "$t" --budget "$BUDGET" --warmup "$WARMUP" \
                --sizes "$STRIDED_SIZES" --workloads "$STRIDED_WORKLOADS" \
                > "$OUT/c-strided-t$t-r$1.csv" || die "C strided benchmark failed ($t threads)"
        fi
        if [[ $DO_MATH == 1 ]]; then
            log "round $1: C math ($MATH_WORKLOADS at $MATH_SIZES), $t thread(s)"
            "$HERE/build/bench" --threads "$t" --budget "$BUDGET" --warmup "$WARMUP" \
                --sizes "$MATH_SIZES" --workloads "$MATH_WORKLOADS" \
                > "$OUT/c-math-t$t-r$1.csv" || die "C math benchmark failed ($t threads)"
        fi
    done
}

# ------------------------------------------------------------ PyTorch
run_pytorch() {  # $1: round
    if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
        log "WARNING: '$PYTHON' cannot import torch; skipping PyTorch (set PYTHON=...)"
        return 0
    fi
    local t
    for t in $THREADS; do
        log "round $1: PyTorch, $t thread(s)"
        "$PYTHON" "$HERE/pytorch/bench.py" --threads "$t" --budget "$BUDGET" \
            --warmup "$WARMUP" --sizes "$SIZES" --workloads "$CONTIGUOUS_WORKLOADS" \
            > "$OUT/pytorch-t$t-r$1.csv" || die "PyTorch benchmark failed ($t threads)"
        if [[ $DO_STRIDED == 1 ]]; then
            log "round $1: PyTorch strided ($STRIDED_WORKLOADS at $STRIDED_SIZES), $t thread(s)"
            "$PYTHON" "$HERE/pytorch/bench.py" --threads "$t" --budget "$BUDGET" \
                --warmup "$WARMUP" --sizes "$STRIDED_SIZES" --workloads "$STRIDED_WORKLOADS" \
                > "$OUT/pytorch-strided-t$t-r$1.csv" \
                || die "PyTorch strided benchmark failed ($t threads)"
        fi
        if [[ $DO_MATH == 1 ]]; then
            log "round $1: PyTorch math ($MATH_WORKLOADS at $MATH_SIZES), $t thread(s)"
            "$PYTHON" "$HERE/pytorch/bench.py" --threads "$t" --budget "$BUDGET" \
                --warmup "$WARMUP" --sizes "$MATH_SIZES" --workloads "$MATH_WORKLOADS" \
                > "$OUT/pytorch-math-t$t-r$1.csv" \
                || die "PyTorch math benchmark failed ($t threads)"
        fi
    done
}

# ============================================================ JMH (vectorgrad)
# The vectorgrad side.  Expects the JMH uber-jar at target/benchmarks.jar
# (built by the lead's Maven setup).  Benchmarks should be named after the
# workloads (e.g. SeedStepBench.seedStep, AddBench.addOut, AddBench.addAlloc,
# MeanBench.mean) with @Param "size" in {S1..S5} and @Param "threads" (the
# engine's intra-op thread count); the strided workloads are StridedBench.tadd and
# StridedBench.expadd, run in a second JMH invocation at --strided-sizes; the math
# workloads are MathBench.exp, .tanh, .sigmoid, .relu, .gelu and .softmax, run in a third
# at --math-sizes.  Override with:
#   JMH_REGEX  benchmark regex            ['.*(SeedStep|Add|Mean)Bench.*']
#   JMH_STRIDED_REGEX  regex of the strided pass  ['.*StridedBench.*']
#   JMH_MATH_REGEX  regex of the math pass  ['.*MathBench.*']
#   JMH_OPTS   JMH run options            ['-f 1 -wi 5 -w 1s -i 10 -r 1s -bm avgt -tu ns']
#   JAVA_OPTS  options of the host JVM (JMH forks inherit them)
#              ['--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED']
# Writes the raw JMH CSV to $1.
build_jmh() {
    log "building the JMH suite (target/benchmarks.jar)"
    (cd "$ROOT" && ./mvnw -q -Pbench -DskipTests package) >&2 || die "JMH build failed (./mvnw -Pbench package)"
}

# Heap bytes per seed step at S1/S2 (-prof gc): a separate short run, so the profiler does not
# disturb the timed one.
run_jmh_gc() {
    local raw_csv="$1"
    local java_opts="${JAVA_OPTS:---add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED}"
    log "JMH -prof gc: SeedStepBench S1,S2"
    # shellcheck disable=SC2086
    (cd "$ROOT" && "$JAVA" $java_opts -jar "$ROOT/target/benchmarks.jar" "SeedStepBench" \
        -p size=S1,S2 -p threads=1 -f 1 -wi 3 -w 1s -i 3 -r 1s -prof gc \
        -rf csv -rff "$raw_csv") >&2 || die "JMH gc run failed"
}

run_jmh() {  # $1: raw CSV; $2, $3 (optional): regex and sizes [JMH_REGEX, --sizes]
    local raw_csv="$1"
    local regex="${2:-${JMH_REGEX:-.*(SeedStep|Add|Mean|Chain)Bench.*}}"
    local sizes="${3:-$SIZES}"
    local jar="$ROOT/target/benchmarks.jar"
    if [[ ! -f "$jar" ]]; then
        log "SKIPPING JMH: $jar does not exist (build the JMH suite first)"
        return 0
    fi
    if [[ ! -x "$JAVA" ]]; then
        log "SKIPPING JMH: no java at $JAVA (set VG_JAVA_HOME)"
        return 0
    fi
    local jmh_opts="${JMH_OPTS:--f 1 -wi 5 -w 1s -i 10 -r 1s -bm avgt -tu ns}"
    local java_opts="${JAVA_OPTS:---add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED}"
    log "JMH: $regex (sizes $sizes, threads $THREADS_CSV)"
    # shellcheck disable=SC2086  # word splitting of the option strings is intended
    (cd "$ROOT" && "$JAVA" $java_opts -jar "$jar" "$regex" \
        -p size="$sizes" -p threads="$THREADS_CSV" $jmh_opts \
        -rf csv -rff "$raw_csv") >&2 || die "JMH run failed"
}

# ------------------------------------------------------------ main
record_machine
cat "$MACHINE" >&2

if [[ $DO_C == 1 && $DO_BUILD == 1 ]]; then build_c; fi
if [[ $DO_JMH == 1 && $DO_BUILD == 1 ]]; then build_jmh; fi
for ((round = 1; round <= ROUNDS; round++)); do
    if [[ $DO_C == 1 ]]; then run_c "$round"; fi
    if [[ $DO_PYTORCH == 1 ]]; then run_pytorch "$round"; fi
done
if [[ $DO_JMH == 1 ]]; then
    run_jmh "$OUT/jmh-raw.csv"
    if [[ $DO_STRIDED == 1 ]]; then
        run_jmh "$OUT/jmh-strided-raw.csv" "${JMH_STRIDED_REGEX:-.*StridedBench.*}" "$STRIDED_SIZES"
    fi
    if [[ $DO_MATH == 1 ]]; then
        run_jmh "$OUT/jmh-math-raw.csv" "${JMH_MATH_REGEX:-.*MathBench.*}" "$MATH_SIZES"
    fi
    run_jmh_gc "$OUT/jmh-gc.csv"
fi

{
    cat "$MACHINE"
    echo "system,workload,size,threads,median_ns,p10_ns,p90_ns,iterations"
    shopt -s nullglob
    for f in "$OUT"/c-t*.csv "$OUT"/c-strided-t*.csv "$OUT"/c-math-t*.csv \
             "$OUT"/pytorch-t*.csv "$OUT"/pytorch-strided-t*.csv "$OUT"/pytorch-math-t*.csv; do
        grep -v -e '^#' -e '^system,' -e '^$' "$f" || true
    done
    for f in "$OUT/jmh-raw.csv" "$OUT/jmh-strided-raw.csv" "$OUT/jmh-math-raw.csv"; do
        if [[ -f "$f" ]]; then
            "$PYTHON" "$HERE/report.py" --convert-jmh "$f" || die "could not convert $f"
        fi
    done
} > "$COMBINED"
rows="$(grep -c -v -e '^#' -e '^system,' "$COMBINED" || true)"
[[ "$rows" -gt 0 ]] || die "no results collected in $COMBINED"
log "collected $rows result rows in $COMBINED"

NOTES_ARGS=()
[[ -n "$NOTES" ]] && NOTES_ARGS=(--notes "$NOTES")
"$PYTHON" "$HERE/report.py" "$COMBINED" --md "$MD" --png "$PNG" --gc "$OUT/jmh-gc.csv" "${NOTES_ARGS[@]}" \
    || die "report.py failed"
log "done: $MD, $PNG"
