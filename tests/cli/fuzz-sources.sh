#!/usr/bin/env bash
# Runs the libFuzzer targets for what sources read from the network: sha512sum files and
# archive member names (fuzz_sha512sum), and tar archives extracted with `extract`
# (fuzz_untar, which also checks that nothing is written outside the destination).
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/lib/fuzz.sh"
pw_fuzz_require
for target in sha512sum untar; do
  pw_fuzz_run "$target"
done
pw_done
