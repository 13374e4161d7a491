#!/usr/bin/env bash
# Installs every Debian package seek builds, runs or tests with. Idempotent, no prompts.
# Usage: scripts/install-deps.sh [--test]   (--test adds the test oracles: torch, chromium, npm)
set -euo pipefail
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

pkgs=(build-essential cmake ninja-build pkg-config
      libopenblas-dev libpcre2-dev nlohmann-json3-dev libcpp-httplib-dev libcli11-dev
      libgtest-dev libgmock-dev libbenchmark-dev)
if [ $want_test = 1 ]; then
  pkgs+=(clang libclang-rt-14-dev python3-torch python3-numpy chromium
         openmpi-bin libopenmpi-dev)
  # Node.js may come from another source (it does on this image); only ask apt when absent.
  command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
  command -v npm  >/dev/null 2>&1 || pkgs+=(npm)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi

if [ $want_test = 1 ] && [ -f tests/oracle/package.json ]; then
  if [ ! -d tests/oracle/node_modules ] || [ tests/oracle/package.json -nt tests/oracle/node_modules ]; then
    (cd tests/oracle && npm install --no-audit --no-fund --silent)
  fi
fi
