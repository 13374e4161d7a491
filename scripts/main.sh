#!/usr/bin/env bash
# The main job: installs the Debian packages, builds Release, shows a bundled model file and
# generates with the bundled real model (stories260K: its known story, greedy).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSEEK_TESTS=OFF -DSEEK_BENCH=OFF >/dev/null
ninja -C build seek
./build/seek info tests/data/gguf/ds2-micro-Q4_0.gguf
./build/seek run -m tests/data/gguf/stories260K-F32.gguf -p "Once upon a time" -n 120
