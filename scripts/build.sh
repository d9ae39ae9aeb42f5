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

# Without PACKWRIGHT_SIGN_KEY, a local key (kept in .cache/gnupg, git-ignored) signs the
# rpms and the repository, so apt and dnf can use it with signed-by / gpgcheck as they would
# in production (dnf with gpgcheck=1, which the published .repo file sets, refuses unsigned
# rpms).
key=${PACKWRIGHT_SIGN_KEY:-}
if [ -z "$key" ]; then
  export GNUPGHOME=$(pwd)/.cache/gnupg
  key="packwright local repository <packwright-local@localhost>"
  mkdir -p -m 0700 "$GNUPGHOME"
  gpg --batch --list-secret-keys "$key" >/dev/null 2>&1 ||
    gpg --batch --passphrase '' --quick-gen-key "$key" ed25519 sign never 2>/dev/null
  key=$(gpg --batch --with-colons --list-secret-keys "$key" | awk -F: '/^fpr/ {print $10; exit}')
fi

vars=()
[ -n "${PACKWRIGHT_VARS:-}" ] && vars=(--vars "$PACKWRIGHT_VARS")
rm -rf dist
./build/packwright build --sign-key "$key" --out dist "${vars[@]}" pkg/*

# repo/ is this job's output, made anew like dist/: rpm signatures carry the time they were
# made, and the pool is write-once (the same package with other bytes is refused)
rm -rf repo
./build/packwright repo add --sign-key "$key" --url "file://$(pwd)/repo" repo dist/*
./build/packwright repo check --keyring repo/packwright-archive-keyring.gpg repo
echo
ls -l dist
echo "repository: $(pwd)/repo (apt: repo/packwright.sources, dnf: repo/packwright.repo)"
