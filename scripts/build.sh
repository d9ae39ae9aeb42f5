#!/usr/bin/env bash
# The main job: installs what is missing, builds packwright and packwright-toml, and builds
# the example packages under pkg/ into dist/ (and, once `repo` exists, a local repository).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPW_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
if [ -d pkg ] && ls pkg/*/package.json >/dev/null 2>&1; then
  ./build/packwright build --out dist pkg/*
  ls -l dist
fi
