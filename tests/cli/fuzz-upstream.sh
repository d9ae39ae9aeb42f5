#!/usr/bin/env bash
# Runs the libFuzzer targets for the upstream metadata parsers (apt Release/InRelease/Packages,
# rpm-md repomd/primary) for a bounded time each, starting from the seeds in tests/fuzz/seeds.
# A crash, leak or sanitizer report fails the test and leaves the reproducer in the log.
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/lib/fuzz.sh"
pw_fuzz_require
for target in upstream_apt upstream_rpmmd; do
  pw_fuzz_run "$target"
done
pw_done
