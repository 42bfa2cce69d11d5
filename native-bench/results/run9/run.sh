#!/usr/bin/env bash
# Run 9 (round 2, session 5): the open targets of issues 3, 6, 7 and 10 at S1, S3 and S4 (S5's were met
# in run 8 with margin and their code did not change but for the sum blocks), then the training
# benchmark (issue 8) with the warm-up-until-settled protocol, on an idle host.
# C and PyTorch 2 interleaved rounds; JMH fused (default).
# Usage: bash native-bench/results/run9/run.sh <repo>
set -euo pipefail
R="$1"; cd "$R"
OUT="$R/native-bench/results/run9"
export PYTHON=/usr/bin/python3
make -s -C native-bench/c
./mvnw -q -o -Pbench -DskipTests package 2>&1 | grep -v WARNING || true
echo "== $(date +%T) compare"
JMH_REGEX='.*(SeedStepBench|AddBench.addOut|MeanBench|ChainBench).*' \
JMH_STRIDED_REGEX='.*StridedBench.*' JMH_MATH_REGEX='.*MathBench.*' \
JMH_OPTS='-f 1 -wi 3 -w 1s -i 4 -r 1s -bm avgt -tu ns' \
bash native-bench/compare.sh --no-build --sizes S1,S3,S4 --threads "1 2" --rounds 2 \
  --workloads seed_step,add_out,mean,chain --strided-sizes S4 --math-sizes S3,S4 --out "$OUT"
echo "== $(date +%T) training"
bash native-bench/training/run.sh --no-build --rounds 2 --out "$R/native-bench/results/training-run9"
echo "== $(date +%T) run9 done"
