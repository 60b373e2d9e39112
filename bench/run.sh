#!/usr/bin/env bash
# Runs every bench_* executable of a build directory and prints its figures.
# Usage: bench/run.sh [BUILD_DIR]   (default: build)
set -eu
build="${1:-build}"
status=0
found=0
for exe in "$build"/bench/bench_*; do
  [ -x "$exe" ] && [ -f "$exe" ] || continue
  found=1
  echo "== $(basename "$exe")"
  "$exe" || status=1
done
[ "$found" -eq 1 ] || { echo "no bench_* executables in $build/bench (build first)"; exit 1; }
exit $status
