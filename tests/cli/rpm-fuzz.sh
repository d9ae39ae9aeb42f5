#!/usr/bin/env bash
# Runs the .rpm reader fuzzer (packwright inspect's reader: lead, signature header, librpm's
# header import and file list) for a bounded time, seeded with packages packwright wrote.
# Needs the clang fuzz build (scripts/test.sh sets PW_FUZZ_BUILD_DIR).
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/fixtures/rpm/helpers.sh"

if [ -z "${PW_FUZZ_BUILD_DIR:-}" ]; then
  ok "# skip PW_FUZZ_BUILD_DIR is not set (scripts/test.sh builds the fuzzers)"
  pw_done
fi
fuzzer=$PW_FUZZ_BUILD_DIR/tests/fuzz_rpm_read
[ -x "$fuzzer" ] || fatal "no fuzzer at $fuzzer"

rpm_build "$T/corpus" "$RPM_FX/full"
rpm_build "$T/corpus" "$RPM_FX/base"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
run "$fuzzer" -max_total_time=20 -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$T/" -print_final_stats=1 "$T/corpus"
expect_eq "$rc" 0 "fuzz_rpm_read ran 20 s without a finding"
if [ "$rc" -ne 0 ]; then tail -40 "$T/stderr"; fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/stderr")
check "the fuzzer executed inputs (${runs:-0})" test "${runs:-0}" -gt 1000
pw_done
