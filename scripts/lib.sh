# shellcheck shell=bash
# Sourced by scripts/main.sh, scripts/test.sh and tests/scripts/build_options.sh: how each build
# directory is configured. Every option a script relies on is passed on every run, whatever
# CMakeCache.txt holds, so main.sh (tests off) and test.sh (tests on) can share build/ (README:
# ./build/seek after main.sh) without one's options lingering into the other's build.
# Each function: configure_<kind>_build DIR [extra cmake args].

seek_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# seek_configure DIR BUILD_TYPE TESTS BENCH SANITIZE FUZZ [extra cmake args]: every option, every time.
seek_configure() {
  local dir=$1 type=$2 tests=$3 bench=$4 sanitize=$5 fuzz=$6
  shift 6
  cmake -S "$seek_root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" \
    -DSEEK_TESTS="$tests" -DSEEK_BENCH="$bench" -DSEEK_SANITIZE="$sanitize" -DSEEK_FUZZ="$fuzz" "$@" >/dev/null
}

# The main job's build: the seek program only.
configure_main_build() { seek_configure "$1" Release OFF OFF OFF OFF "${@:2}"; }
# The full suite: seek, every test, the benchmark programs.
configure_test_build() { seek_configure "$1" Release ON ON OFF OFF "${@:2}"; }
# The unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
configure_asan_build() { seek_configure "$1" RelWithDebInfo ON OFF ON OFF "${@:2}"; }
# The libFuzzer targets (clang only).
configure_fuzz_build() {
  seek_configure "$1" RelWithDebInfo OFF OFF OFF ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ "${@:2}"
}
