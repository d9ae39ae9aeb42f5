# Runs libFuzzer targets from CLI tests. Source after tests/cli/lib.sh; then
#   pw_fuzz_require          skips the whole test (ok # skip, pw_done) unless PW_FUZZ_BUILD_DIR
#                            is set (scripts/test.sh builds the fuzzers and sets it)
#   pw_fuzz_run TARGET       runs fuzz_TARGET for PW_FUZZ_SECONDS (default 10) from the seeds
#                            in tests/fuzz/seeds/TARGET; a crash, leak or sanitizer report is a
#                            failure, with the reproducer named in the output
pw_fuzz_require() {
  if [ -z "${PW_FUZZ_BUILD_DIR:-}" ]; then
    ok "# skip PW_FUZZ_BUILD_DIR is unset (scripts/test.sh builds the fuzzers and sets it)"
    pw_done
  fi
}

pw_fuzz_run() {
  local target=$1 secs=${PW_FUZZ_SECONDS:-10}
  local bin=$PW_FUZZ_BUILD_DIR/tests/fuzz_$target
  [ -x "$bin" ] || { not_ok "fuzz_$target not built in $PW_FUZZ_BUILD_DIR"; return 0; }
  mkdir -p "$T/$target"
  cp "$PW_SOURCE_DIR/tests/fuzz/seeds/$target/"* "$T/$target/"
  if (cd "$T" && TMPDIR=$T "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "$T/$target" >"$T/$target.log" 2>&1); then
    ok "fuzz_$target ran ${secs}s without a finding ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$T/$target.log" | grep -o '[0-9]*$') runs)"
  else
    not_ok "fuzz_$target found a problem"
    grep -E 'ERROR|SUMMARY|Test unit written' "$T/$target.log" | head -10 | sed 's/^/#   /'
  fi
}
