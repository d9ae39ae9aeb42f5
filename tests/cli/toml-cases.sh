#!/usr/bin/env bash
# Format preservation, case by case: tests/cases/toml/*.case give an input (inline after
# @INPUT, or @INPUT-FILE from tests/fixtures/toml or shared:PATH under ../shared/fixtures), the
# packwright-toml arguments (@ARGS: FILE stands for the input, FIXTURES/ for
# tests/fixtures/toml/), the exit status (@EXIT, default
# 0), a text the error must contain (@STDERR) and the exact --dry-run diff (@EXPECT). Each case
# also runs for real: the diff must apply to the input to give exactly the written file, the
# file must parse, and a second run must change nothing. UPDATE_GOLDEN=1 rewrites @EXPECT.
. "$(dirname "$0")/lib.sh"
: "${PW_TOML:?PW_TOML must name packwright-toml}"
H=$PW_TOML
export PACKWRIGHT_TOML_STATE_DIR=$T/state
cases=$PW_SOURCE_DIR/tests/cases/toml
fixtures=$PW_SOURCE_DIR/tests/fixtures/toml

block() { awk -v m="@$2" '$0 == m {f = 1; next} /^@[A-Z]/ {f = 0} f' "$1"; }
field() { sed -n "s/^@$2 //p" "$1" | head -n1; }

run_case() {
  local c=$1 name in args want_exit err
  name=$(basename "$c" .case)
  in=$T/$name/in.toml
  mkdir -p "$T/$name"
  local from
  from=$(field "$c" INPUT-FILE)
  case $from in
    shared:*) cp "$PW_SHARED_DIR/fixtures/${from#shared:}" "$in" ;;
    ?*) cp "$fixtures/$from" "$in" ;;
    *) block "$c" INPUT >"$in" ;;
  esac
  cp "$in" "$T/$name/orig"
  args=$(field "$c" ARGS)
  want_exit=$(field "$c" EXIT)
  want_exit=${want_exit:-0}
  eval "set -- $args"
  local argv=()
  for a in "$@"; do
    case $a in
      FILE) argv+=("$in") ;;
      FIXTURES/*) argv+=("$fixtures/${a#FIXTURES/}") ;;
      *) argv+=("$a") ;;
    esac
  done

  run "$H" --dry-run "${argv[@]}"
  sed "s|$in|FILE|g" "$T/stdout" >"$T/$name/got"
  if [ -n "${UPDATE_GOLDEN:-}" ]; then
    { sed '/^@EXPECT$/,$d' "$c"; echo "@EXPECT"; cat "$T/$name/got"; } >"$c.new" && mv "$c.new" "$c"
  fi
  block "$c" EXPECT >"$T/$name/want"
  if [ "$rc" != "$want_exit" ]; then
    not_ok "$name: exit $rc, want $want_exit"; sed 's/^/#   /' "$T/stderr" | head -5; return
  fi
  if cmp -s "$T/$name/got" "$T/$name/want"; then ok "$name: the exact diff"; else
    not_ok "$name: the diff differs"; diff "$T/$name/want" "$T/$name/got" | sed 's/^/#   /' | head -30
  fi
  err=$(field "$c" STDERR)
  [ -z "$err" ] || expect_stderr "$err" "$name: the message"
  check "$name: --dry-run wrote nothing" cmp -s "$in" "$T/$name/orig"

  run "$H" "${argv[@]}"
  if [ "$want_exit" != 0 ]; then
    check "$name: refused without writing" cmp -s "$in" "$T/$name/orig"
    return
  fi
  cp "$T/$name/orig" "$T/$name/patched"
  if [ -s "$T/$name/want" ]; then
    patch --binary -s -o "$T/$name/patched.out" "$T/$name/patched" <"$T/$name/want" >/dev/null 2>&1 &&
      mv "$T/$name/patched.out" "$T/$name/patched"
  fi
  check "$name: the written file is the input with exactly that diff" cmp -s "$in" "$T/$name/patched"
  check "$name: the result parses" "$H" check "$in"
  cp "$in" "$T/$name/once"
  run "$H" "${argv[@]}"
  check "$name: a second run changes nothing" test "$rc" = 0 -a -z "$(cmp "$in" "$T/$name/once" 2>&1)"
}

n=0
for c in "$cases"/*.case; do
  run_case "$c"
  n=$((n + 1))
done
check "the cases were found ($n)" test "$n" -gt 20
pw_done
