#!/usr/bin/env bash
# Run 9's MathBench and StridedBench JMH passes again, on the idle host after the training benchmark:
# in the first pass (06:05-06:11 UTC) their rows had 99.9% intervals of +-50-120% (relu S4: 0.0-3.0 ms);
# the first files are kept as *-first.csv. The cause was JMH's 3 warm-up iterations (see below), not load.
# (WI=6 PASSES="MathBench:S3,S4:math" reruns only the math rows with 6 warm-up iterations: with 3, the fused
# relu kernel of the 1-thread forks was still compiling in the measured iterations: 43 us, then 6 us.)
# Then combined.csv and report.md are rebuilt exactly as compare.sh builds them.
# Usage: bash native-bench/results/run9/rerun-math-strided.sh <repo>
set -euo pipefail
R="$1"; cd "$R"
OUT="$R/native-bench/results/run9"
J="$(.mvn/find-jdk.sh)/bin/java"
[[ -f "$OUT/jmh-math-raw-first.csv" ]] || mv "$OUT/jmh-math-raw.csv" "$OUT/jmh-math-raw-first.csv"
[[ -f "$OUT/jmh-strided-raw-first.csv" ]] || mv "$OUT/jmh-strided-raw.csv" "$OUT/jmh-strided-raw-first.csv"
for pass in ${PASSES:-"StridedBench:S4:strided" "MathBench:S3,S4:math"}; do
  IFS=: read -r bench sizes name <<< "$pass"
  "$J" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -jar target/benchmarks.jar ".*$bench.*" \
    -p size="$sizes" -p threads=1,2 -f 1 -wi ${WI:-3} -w 1s -i 4 -r 1s -bm avgt -tu ns \
    -rf csv -rff "$OUT/jmh-$name-raw.csv" > "$OUT/jmh-$name-rerun.log" 2>&1
done
{
  cat "$OUT/machine.txt"
  echo "system,workload,size,threads,median_ns,p10_ns,p90_ns,iterations"
  for f in "$OUT"/c-t*.csv "$OUT"/c-strided-t*.csv "$OUT"/c-math-t*.csv \
           "$OUT"/pytorch-t*.csv "$OUT"/pytorch-strided-t*.csv "$OUT"/pytorch-math-t*.csv; do
    grep -v -e '^#' -e '^system,' -e '^$' "$f" || true
  done
  for f in "$OUT/jmh-raw.csv" "$OUT/jmh-strided-raw.csv" "$OUT/jmh-math-raw.csv"; do
    /usr/bin/python3 native-bench/report.py --convert-jmh "$f"
  done
} > "$OUT/combined.csv"
/usr/bin/python3 native-bench/report.py "$OUT/combined.csv" --md "$OUT/report.md" --png "$OUT/report.png" --gc "$OUT/jmh-gc.csv"
echo "rerun done"
