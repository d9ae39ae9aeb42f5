#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with ASan+UBSan and -Werror, builds
# the fuzzers with clang, prepares cached test roots (outside git), and runs ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
bash scripts/deps.sh test
export PW_TEST_CACHE=${PW_TEST_CACHE:-/var/cache/packwright-tests}
mkdir -p "$PW_TEST_CACHE"

cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DPW_SANITIZE=ON -DPW_WERROR=ON >/dev/null
cmake --build build-test -j"$(nproc)"
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPW_FUZZ=ON \
  -DPW_WERROR=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)"
export PW_FUZZ_BUILD_DIR=$top/build-fuzz

# Shared, slow-to-make fixtures: created once here so tests can run in parallel.
bash tests/lib/prepare.sh

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd build-test
ctest --output-on-failure -j2 --timeout 1500 "$@"
