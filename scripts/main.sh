#!/usr/bin/env bash
# The main job: installs the Debian packages, builds Release, and runs seek on the bundled model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSEEK_TESTS=OFF >/dev/null
ninja -C build seek
./build/seek info tests/data/gguf/ds2-micro-Q4_0.gguf
