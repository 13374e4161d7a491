#!/usr/bin/env bash
# Installs everything, builds, and runs every test through CTest; then the unit tests again
# under AddressSanitizer + UndefinedBehaviorSanitizer, and each fuzz target briefly.
# Exit status is non-zero when anything fails. Used by .ci/run.
#   SEEK_SKIP_SANITIZE=1  skip the sanitizer build     SEEK_SKIP_FUZZ=1  skip the fuzz runs
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
jobs=$(nproc)

bash scripts/install-deps.sh --test

echo "== Release build + all tests"
configure_test_build build   # explicit options: main.sh leaves SEEK_TESTS=OFF in build/
ninja -C build
ctest --test-dir build --output-on-failure --no-tests=error -j "$jobs"

if [ "${SEEK_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== ASan + UBSan build, unit tests"
  configure_asan_build build-asan
  ninja -C build-asan
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure --no-tests=error -j "$jobs" -L unit
fi

if [ "${SEEK_SKIP_FUZZ:-0}" != 1 ] && [ -n "$(ls fuzz/fuzz_*.cpp 2>/dev/null)" ]; then
  echo "== libFuzzer targets, 30 s each"
  configure_fuzz_build build-fuzz
  ninja -C build-fuzz $(cd fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//')
  for src in fuzz/fuzz_*.cpp; do
    name=$(basename "$src" .cpp)
    corpus="fuzz/corpus/${name#fuzz_}"
    work=$(mktemp -d)
    [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
    echo "-- $name"
    ./build-fuzz/"$name" -max_total_time="${SEEK_FUZZ_SECONDS:-30}" -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 "$work" 2>&1 | grep -E "stat::number_of_executed_units|ERROR|Done" || true
    # A crash leaves a crash-* file and a non-zero exit; re-run to propagate the status.
    # (compgen: true if any of the patterns matches; `ls a* b*` fails when one of them does not.)
    if compgen -G 'crash-*' >/dev/null || compgen -G 'leak-*' >/dev/null || compgen -G 'timeout-*' >/dev/null ||
      compgen -G 'oom-*' >/dev/null; then
      echo "fuzz target $name found a failure"
      exit 1
    fi
    rm -rf "$work"
  done
fi
echo "== all tests passed"
