#!/usr/bin/env bash
# The main job: installs what is missing, builds packwright and packwright-toml, builds the
# packages under pkg/ (with image-builder's defaults: gVisor off) into dist/, and publishes
# them as a local repository in repo/ (apt: repo/deb, dnf/tdnf: repo/rpm).
# Optional: PACKWRIGHT_VARS=vars.json (a packer var file) selects and configures the packages;
# PACKWRIGHT_SIGN_KEY=KEYID signs the repository metadata with that gpg key.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPW_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
cmake --build build --target ship >/dev/null

vars=()
[ -n "${PACKWRIGHT_VARS:-}" ] && vars=(--vars "$PACKWRIGHT_VARS")
rm -rf dist
./build/packwright build --out dist "${vars[@]}" pkg/*

sign=()
[ -n "${PACKWRIGHT_SIGN_KEY:-}" ] && sign=(--sign-key "$PACKWRIGHT_SIGN_KEY")
./build/packwright repo add "${sign[@]}" --url "file://$(pwd)/repo" repo dist/*
./build/packwright repo check repo
echo
ls -l dist
echo "repository: $(pwd)/repo (apt: repo/packwright.sources, dnf: repo/packwright.repo)"
