# Shared helpers for the CLI tests. Each test sources this file, gets a private sandbox in
# $T, and ends with `pw_done`, which prints "N passed, N failed" and sets the exit status.
set -euo pipefail
: "${PACKWRIGHT:?PACKWRIGHT must name the packwright binary (ctest sets it)}"
PW_SOURCE_DIR=${PW_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
export PW_SHARED_DIR=${PW_SHARED_DIR:-$PW_SOURCE_DIR/../shared}
. "$PW_SOURCE_DIR/tests/lib/roots.sh"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
export LC_ALL=C.UTF-8

T=$(mktemp -d "${TMPDIR:-/tmp}/pw-test.XXXXXX")
pw_passed=0
pw_failed=0
pw_cleanup() { [ -n "${PW_KEEP:-}" ] || rm -rf "$T"; }
trap pw_cleanup EXIT

ok() { pw_passed=$((pw_passed + 1)); echo "ok - $*"; }
not_ok() { pw_failed=$((pw_failed + 1)); echo "not ok - $*"; }
# check DESCRIPTION COMMAND...: a passing command is a pass.
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
fatal() { echo "FATAL: $*" >&2; pw_failed=$((pw_failed + 1)); pw_done; }

# run CMD...: runs, keeping stdout in $T/stdout, stderr in $T/stderr, status in $rc.
run() { set +e; "$@" >"$T/stdout" 2>"$T/stderr"; rc=$?; set -e; }
# expect_exit CODE DESCRIPTION CMD...
expect_exit() {
  local want=$1 d=$2; shift 2
  run "$@"
  if [ "$rc" -eq "$want" ]; then ok "$d (exit $want)"; else
    not_ok "$d: exit $rc, want $want"; sed 's/^/#   stderr: /' "$T/stderr" | head -20; fi
}
# expect_stderr TEXT DESCRIPTION: the last run's stderr contains TEXT (fixed string).
expect_stderr() {
  if grep -qF -- "$1" "$T/stderr"; then ok "$2"; else
    not_ok "$2: stderr lacks '$1'"; sed 's/^/#   stderr: /' "$T/stderr" | head -20; fi
}
expect_stdout() {
  if grep -qF -- "$1" "$T/stdout"; then ok "$2"; else
    not_ok "$2: stdout lacks '$1'"; sed 's/^/#   stdout: /' "$T/stdout" | head -20; fi
}
# expect_eq GOT WANT DESCRIPTION
expect_eq() {
  if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3: got '$1', want '$2'"; fi
}

pw_done() {
  echo "$pw_passed passed, $pw_failed failed"
  [ "$pw_failed" -eq 0 ] && [ "$pw_passed" -gt 0 ]
  exit $?
}
