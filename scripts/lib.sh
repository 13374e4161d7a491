# shellcheck shell=bash
# Sourced by scripts/main.sh, scripts/test.sh and tests/scripts/build_options.sh: how each build
# directory is configured. Every option a script relies on is passed on every run, whatever
# CMakeCache.txt holds, so main.sh (tests off) and test.sh (tests on) can share build/ (README:
# ./build/seek after main.sh) without one's options lingering into the other's build.
# Each function: configure_<kind>_build DIR [extra cmake args].

seek_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The main job's build: the seek program only.
configure_main_build() {
  local dir=$1; shift
  cmake -S "$seek_root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DSEEK_TESTS=OFF -DSEEK_BENCH=OFF -DSEEK_SANITIZE=OFF -DSEEK_FUZZ=OFF "$@" >/dev/null
}

# The full suite: seek, every test, the benchmark programs.
configure_test_build() {
  local dir=$1; shift
  cmake -S "$seek_root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DSEEK_TESTS=ON -DSEEK_BENCH=ON -DSEEK_SANITIZE=OFF -DSEEK_FUZZ=OFF "$@" >/dev/null
}

# The unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
configure_asan_build() {
  local dir=$1; shift
  cmake -S "$seek_root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSEEK_TESTS=ON -DSEEK_BENCH=OFF -DSEEK_SANITIZE=ON -DSEEK_FUZZ=OFF "$@" >/dev/null
}

# The libFuzzer targets (clang only).
configure_fuzz_build() {
  local dir=$1; shift
  cmake -S "$seek_root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DSEEK_TESTS=OFF -DSEEK_BENCH=OFF -DSEEK_SANITIZE=OFF -DSEEK_FUZZ=ON "$@" >/dev/null
}
