#!/usr/bin/env bash
# scripts/main.sh and scripts/test.sh share build/: configures a scratch directory the main.sh way
# (tests off), then the test.sh way, and checks CTest lists the whole suite (issue 17: test.sh
# after main.sh once ran zero tests and passed), then the main.sh way again (its options again;
# CMake leaves the old CTestTestfile.cmake behind then, harmless as main.sh runs no ctest).
# Configure only, no build: an unbuilt tree lists every script test by name and a
# test_<layer>_NOT_BUILT placeholder for each GoogleTest program. Usage: build_options.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/scripts/lib.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "build_options FAILED: $*" >&2; exit 1; }

tests_listed() { ctest -N --test-dir "$dir" | sed -n 's/^ *Test *#[0-9]*: //p'; }
cached() { sed -n "s/^$1:[A-Z]*=//p" "$dir/CMakeCache.txt"; }
expect_cache() {   # expect_cache WHEN VAR=VALUE...
  local when=$1; shift
  for kv in "$@"; do
    [ "$(cached "${kv%%=*}")" = "${kv#*=}" ] || fail "$when: ${kv%%=*} is '$(cached "${kv%%=*}")', expected '${kv#*=}'"
  done
}

# The scripts configure build/ with these functions, and nothing else configures it.
grep -q '^configure_main_build build' "$root/scripts/main.sh" || fail "scripts/main.sh does not call configure_main_build build"
grep -q '^configure_test_build build' "$root/scripts/test.sh" || fail "scripts/test.sh does not call configure_test_build build"
! grep -n 'cmake -S' "$root/scripts/main.sh" "$root/scripts/test.sh" || fail "a script configures outside scripts/lib.sh"

configure_main_build "$dir"
expect_cache "main.sh's configure" CMAKE_BUILD_TYPE=Release SEEK_TESTS=OFF SEEK_BENCH=OFF SEEK_SANITIZE=OFF SEEK_FUZZ=OFF
[ -z "$(tests_listed)" ] || fail "main.sh's configure lists tests: $(tests_listed | head -3)"

configure_test_build "$dir"
expect_cache "test.sh's configure after main.sh's" CMAKE_BUILD_TYPE=Release SEEK_TESTS=ON SEEK_BENCH=ON SEEK_SANITIZE=OFF SEEK_FUZZ=OFF
listed=$(tests_listed)
n=$(grep -c . <<<"$listed" || true)
echo "test.sh's configure after main.sh's lists $n tests"
[ "$n" -gt 0 ] || fail "test.sh's configure after main.sh's lists no tests"
# Every GoogleTest program (one per tests/<layer>/ with sources) and this test, registered last.
expected=(scripts_build_options)
layers=$(sed -n 's/^foreach(layer \(.*\))$/\1/p' "$root/tests/CMakeLists.txt")
[ -n "$layers" ] || fail "no foreach(layer ...) line in tests/CMakeLists.txt"
for layer in $layers; do
  compgen -G "$root/tests/$layer/*.cpp" >/dev/null && expected+=("test_${layer}_NOT_BUILT")
done
for t in "${expected[@]}"; do
  grep -qx "$t" <<<"$listed" || fail "test.sh's configure after main.sh's does not list $t ($n tests listed)"
done

configure_main_build "$dir"
expect_cache "main.sh's configure after test.sh's" CMAKE_BUILD_TYPE=Release SEEK_TESTS=OFF SEEK_BENCH=OFF SEEK_SANITIZE=OFF SEEK_FUZZ=OFF
echo "build_options passed: ${#expected[@]} expected tests found among $n"
