#!/usr/bin/env bash
# Runs the libFuzzer targets for the upstream metadata parsers (apt Release/InRelease/Packages,
# rpm-md repomd/primary) for a bounded time each, starting from the seeds in tests/fuzz/seeds.
# A crash, leak or sanitizer report fails the test and leaves the reproducer in the log.
. "$(dirname "$0")/lib.sh"

if [ -z "${PW_FUZZ_BUILD_DIR:-}" ]; then
  ok "# skip PW_FUZZ_BUILD_DIR is unset (scripts/test.sh builds the fuzzers and sets it)"
  pw_done
fi
secs=${PW_FUZZ_SECONDS:-10}
for target in upstream_apt upstream_rpmmd; do
  bin=$PW_FUZZ_BUILD_DIR/tests/fuzz_$target
  [ -x "$bin" ] || { not_ok "fuzz_$target not built in $PW_FUZZ_BUILD_DIR"; continue; }
  mkdir -p "$T/$target"
  cp "$PW_SOURCE_DIR/tests/fuzz/seeds/$target/"* "$T/$target/"
  if (cd "$T" && "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "$T/$target" >"$T/$target.log" 2>&1); then
    ok "fuzz_$target ran ${secs}s without a finding ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$T/$target.log" | grep -o '[0-9]*$') runs)"
  else
    not_ok "fuzz_$target found a problem"
    grep -E 'ERROR|SUMMARY|Test unit written' "$T/$target.log" | head -10 | sed 's/^/#   /'
  fi
done
pw_done
