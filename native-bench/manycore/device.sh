#!/usr/bin/env bash
# The many-core runs of issue #10 (and issue #11's 16-thread concurrency check), as one script for
# the 16-core machine that `device` lends. That machine has PyTorch and (usually) gcc, but no JDK
# and no Maven, so everything Java travels prepared in .devcarry/ (ignored by git), made here by
# `native-bench/manycore/prepare.sh`:
#   devjdk.tar.xz       a jlinked JDK 25 runtime (java.base, jdk.incubator.vector, java.logging,
#                       jdk.unsupported, java.management, jdk.management; libjvm stripped)
#   benchmarks.jar      the JMH suite (./mvnw -Pbench package)
#   classes.tgz, lib/   target/classes + target/test-classes and the test class path
#   junit-platform-console-standalone-*.jar   to run ConcurrencyTest without Maven
#   bench-v4            the C benchmark, static, -march=x86-64-v4 (used only if gcc is missing)
#
# Device call (one call, ~6-7 minutes):  bash native-bench/manycore/device.sh   (carry .devcarry)
# Everything it measures lands in $OUT/manycore.tgz and $OUT/device.log.
#
# Sizes: S1 (2x2), S3 (64K), S4 (1M), S5 (16M), S6 (64M elements); threads 1, 4, 16; workloads
# seed_step, add_out, mean for C (OpenMP), PyTorch and vectorgrad (JMH) in one run.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CARRY="$ROOT/.devcarry"
OUT="${OUT:-/tmp/manycore-out}"
mkdir -p "$OUT"
RES="$OUT/manycore"
mkdir -p "$RES"
exec > >(tee "$OUT/device.log") 2>&1
cd "$ROOT" || exit 1
step() { echo "== $(date +%T) $*"; }

step "machine"
lscpu | sed -n '1,25p'
nproc; free -g | head -2

step "unpack the JDK and the classes"
mkdir -p /tmp/vg && tar xJf "$CARRY/devjdk.tar.xz" -C /tmp/vg || exit 1
export VG_JAVA_HOME=/tmp/vg/devjdk
JAVA=$VG_JAVA_HOME/bin/java
"$JAVA" -version
mkdir -p target && tar xzf "$CARRY/classes.tgz" -C target && cp "$CARRY/benchmarks.jar" target/benchmarks.jar || exit 1

step "C benchmark"
if command -v gcc >/dev/null && make -s -C native-bench/c; then
    echo "built with $(gcc --version | head -1), -march=native"
else
    echo "no gcc: using the carried static -march=x86-64-v4 build"
    mkdir -p native-bench/build && cp "$CARRY/bench-v4" native-bench/build/bench
fi

step "many-core comparison (C, PyTorch, vectorgrad)"
PYTHON="${PYTHON:-python3}" \
JMH_REGEX='.*(SeedStepBench|AddBench.addOut|MeanBench).*' \
JMH_OPTS="${MC_JMH_OPTS:--f 1 -wi 6 -w 500ms -i 5 -r 400ms -bm avgt -tu ns}" \
timeout "${MC_TIMEOUT:-450}" bash native-bench/compare.sh --no-build --no-strided --no-math \
    --sizes "${MC_SIZES:-S1,S3,S4,S5,S6}" --threads "${MC_THREADS:-1 4 16}" --workloads seed_step,add_out,mean \
    --budget 0.2 --warmup 0.05 --out "$RES"
echo "compare.sh exit $?"

if [[ -z "${MC_SKIP_TESTS:-}" ]]; then
step "ConcurrencyTest at 2, 4 and 16 threads (issue #11)"
CP="target/classes:target/test-classes:$(ls "$CARRY"/lib/*.jar | paste -sd: -)"
timeout 90 "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -Dvectorgrad.reliability.threads=16 \
    -jar "$CARRY"/junit-platform-console-standalone-*.jar execute --class-path "$CP" \
    --select-class dev.vectorgrad.reliability.ConcurrencyTest --details=tree --disable-banner \
    2>&1 | tee "$RES/concurrency-16.txt"
echo "ConcurrencyTest exit ${PIPESTATUS[0]}"

step "soak, all 16 cores, ${SOAK_MINUTES:=0.5} minutes"
timeout 90 "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -Dvectorgrad.soak.minutes="$SOAK_MINUTES" \
    -jar "$CARRY"/junit-platform-console-standalone-*.jar execute --class-path "$CP" \
    --select-class dev.vectorgrad.reliability.SoakTest --details=tree --disable-banner \
    2>&1 | tee "$RES/soak-16.txt"
echo "SoakTest exit ${PIPESTATUS[0]}"
fi

step "pack"
tar czf "$OUT/manycore.tgz" -C "$OUT" manycore && rm -rf "$RES"
ls -la "$OUT"
