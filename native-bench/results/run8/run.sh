#!/usr/bin/env bash
# Run 8 (round 2, session 4): every open target of issues 6, 7 and 10 in one run on an idle host,
# after fusion grew strided/mixed operands and the benchmarks read their results (segment()).
# C and PyTorch 3 interleaved rounds; JMH fused (default) plus an eager pass of the fusion rows.
# Usage: bash native-bench/results/run8/run.sh <repo>
set -euo pipefail
R="$1"; cd "$R"
OUT="$R/native-bench/results/run8"
export PYTHON=/usr/bin/python3
make -s -C native-bench/c
./mvnw -q -o -Pbench -DskipTests package 2>&1 | grep -v WARNING || true
JMH_REGEX='.*(SeedStepBench|AddBench.addOut|MeanBench|ChainBench).*' \
JMH_STRIDED_REGEX='.*StridedBench.*' JMH_MATH_REGEX='.*MathBench.*' \
JMH_OPTS='-f 1 -wi 4 -w 1s -i 5 -r 1s -bm avgt -tu ns' \
bash native-bench/compare.sh --no-build --sizes S1,S3,S4,S5 --threads "1 2" --rounds 3 \
  --workloads seed_step,add_out,mean,chain --strided-sizes S4,S5 --math-sizes S3,S4,S5 --out "$OUT"
J="$(.mvn/find-jdk.sh)/bin/java"
"$J" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dvectorgrad.fusion=false \
  -jar target/benchmarks.jar '.*(SeedStepBench|ChainBench).*' -p size=S3,S4,S5 -p threads=1,2 \
  -f 1 -wi 4 -w 1s -i 5 -r 1s -bm avgt -tu ns -jvmArgsAppend -Dvectorgrad.fusion=false \
  -rf csv -rff "$OUT/jmh-eager.csv" > "$OUT/jmh-eager.log" 2>&1
echo "run8 done"
