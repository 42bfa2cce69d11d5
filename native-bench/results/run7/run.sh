#!/usr/bin/env bash
# Run 7: issue 10's workloads after fusion (one run, idle host). Usage: bash /tmp/run7.sh <repo>
set -euo pipefail
R="$1"; cd "$R"
OUT="$R/native-bench/results/run7"
export PYTHON=/usr/bin/python3
make -s -C native-bench/c
./mvnw -q -o -Pbench -DskipTests package 2>&1 | grep -v WARNING || true
JMH_REGEX='.*(SeedStepBench|AddBench.addOut|MeanBench|ChainBench).*' \
JMH_OPTS='-f 1 -wi 3 -w 1s -i 5 -r 1s -bm avgt -tu ns' \
bash native-bench/compare.sh --no-build --sizes S1,S3,S4,S5 --threads "1 2" \
  --workloads seed_step,add_out,mean,chain --no-strided --no-math --out "$OUT"
# the same JMH workloads with fusion off, for the eager/fused comparison
J="$(.mvn/find-jdk.sh)/bin/java"
"$J" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dvectorgrad.fusion=false \
  -jar target/benchmarks.jar '.*(SeedStepBench|ChainBench).*' -p size=S3,S4,S5 -p threads=1,2 \
  -f 1 -wi 3 -w 1s -i 5 -r 1s -bm avgt -tu ns -jvmArgsAppend -Dvectorgrad.fusion=false \
  -rf csv -rff "$OUT/jmh-eager.csv" > "$OUT/jmh-eager.log" 2>&1
echo "run7 done"
