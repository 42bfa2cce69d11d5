#!/usr/bin/env bash
# Run 10 (round 2, session 6): after the NativeSegments check (kernels compiled after other kernels
# had run were 4-5x slower), GELU's shorter exp and the row-by-row fused loop (expadd).
# The open targets of issues 6, 7 and 10 on the 2-core host: contiguous S1, S3, S4 (seed_step, add_out,
# mean, chain), strided S4 and S5 (issue 6's whole table), math S3, S4 and S5 (issue 7's whole table),
# 1 and 2 threads; C and PyTorch 2 interleaved rounds; JMH fused (default) with 6 warm-up and 8
# measured iterations (run 9: 3 warm-ups left the 1-thread fused kernels compiling). Then MixedOpsBench
# (memory-bound ops after exp and sigmoid have run in the same JVM) and the training benchmark.
# Usage: bash native-bench/results/run10/run.sh <repo>
set -euo pipefail
R="$1"; cd "$R"
OUT="$R/native-bench/results/run10"
export PYTHON=/usr/bin/python3
J="$(.mvn/find-jdk.sh)/bin/java"
make -s -C native-bench/c
./mvnw -q -o -Pbench -DskipTests package 2>&1 | grep -v WARNING || true
echo "== $(date +%T) compare"
JMH_REGEX='.*(SeedStepBench|AddBench.addOut|MeanBench|ChainBench).*' \
JMH_STRIDED_REGEX='.*StridedBench.*' JMH_MATH_REGEX='.*MathBench.*' \
JMH_OPTS='-f 1 -wi 6 -w 1s -i 8 -r 1s -bm avgt -tu ns' \
bash native-bench/compare.sh --no-build --sizes S1,S3,S4 --threads "1 2" --rounds 2 \
  --workloads seed_step,add_out,mean,chain --strided-sizes S4,S5 --math-sizes S3,S4,S5 --out "$OUT"
echo "== $(date +%T) mixed ops"
"$J" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -jar target/benchmarks.jar "MixedOpsBench" \
  -f 1 -wi 6 -w 1s -i 8 -r 1s -bm avgt -tu ns -rf csv -rff "$OUT/jmh-mixed-raw.csv" > "$OUT/jmh-mixed.log" 2>&1
echo "== $(date +%T) training"
bash native-bench/training/run.sh --no-build --rounds 2 --out "$R/native-bench/results/training-run10"
echo "== $(date +%T) run10 done"
