#!/usr/bin/env bash
# The packwright-toml CLI tests again, against the helper built with the build's own flags
# (ASan and UBSan in build-test): the static helper itself is not instrumented.
. "$(dirname "$0")/lib.sh"
inst=$PW_BUILD_DIR/packwright-toml-instrumented
[ -x "$inst" ] || fatal "no instrumented helper at $inst"
for t in toml-helper toml-containerd; do
  if PW_TOML=$inst bash "$PW_SOURCE_DIR/tests/cli/$t.sh" >"$T/$t.log" 2>&1; then
    ok "$t passes with the instrumented helper ($(tail -n1 "$T/$t.log"))"
  else
    not_ok "$t fails with the instrumented helper"
    grep -E '^not ok|ERROR|SUMMARY|runtime error' "$T/$t.log" | head -20 | sed 's/^/#   /'
  fi
done
pw_done
