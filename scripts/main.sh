#!/usr/bin/env bash
# The main job: installs the Debian packages, builds Release, then `seek quickstart`: trains a tiny
# DeepSeek-V3-architecture model (MLA + MoE + MTP) from scratch on multi-digit arithmetic (cold
# start on worked solutions, then GRPO), prints held-out accuracy before and after RL, and serves
# it with the web chat UI on http://127.0.0.1:8080/ (Ctrl-C stops). Extra arguments go to
# quickstart (e.g. --no-serve, --port 9000, --out DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bash scripts/install-deps.sh
configure_main_build build   # explicit options: test.sh shares build/ with the tests on
ninja -C build seek
./build/seek quickstart --out quickstart "$@"
