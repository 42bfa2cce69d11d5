#!/usr/bin/env bash
# Prepares .devcarry/ for native-bench/manycore/device.sh (see its header): run it here, on a
# machine with JDK 25 and Maven, after the code to measure is built and committed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
JDK="$(.mvn/find-jdk.sh)"
CARRY=.devcarry
grep -qx '/.devcarry/' "$(git rev-parse --git-path info/exclude)" 2>/dev/null \
    || echo '/.devcarry/' >> "$(git rev-parse --git-path info/exclude)"
rm -rf "$CARRY" && mkdir -p "$CARRY/lib"
./mvnw -q -DskipTests test-compile
./mvnw -q -Pbench -DskipTests package
cp target/benchmarks.jar "$CARRY/"
tar czf "$CARRY/classes.tgz" -C target classes test-classes
./mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CARRY/cp.txt"
# The test class path without JUnit (the console launcher brings its own) and the plotting
# libraries (the examples' only).
tr ':' '\n' < "$CARRY/cp.txt" | grep -v -e junit -e opentest4j -e apiguardian -e pdfbox -e fontbox \
    -e xchart -e VectorGraphics -e graphics2d -e animated-gif | xargs -I{} cp {} "$CARRY/lib/"
./mvnw -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.4 \
    -DoutputDirectory="$CARRY"
gcc -O3 -march=x86-64-v4 -fopenmp -std=gnu11 -static -o "$CARRY/bench-v4" native-bench/c/bench.c -lm 2>/dev/null
rm -rf /tmp/devjdk
"$JDK/bin/jlink" --add-modules java.base,jdk.incubator.vector,java.logging,jdk.unsupported,java.management,jdk.management \
    --strip-debug --no-man-pages --no-header-files --compress=zip-6 --output /tmp/devjdk
strip --strip-unneeded /tmp/devjdk/lib/server/libjvm.so
tar cJf "$CARRY/devjdk.tar.xz" -C /tmp devjdk
du -sh "$CARRY"/*
