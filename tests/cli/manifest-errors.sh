#!/usr/bin/env bash
# Table-driven broken manifests: each tests/cases/manifest/*.case holds a header (exit:,
# stderr:, optional args:) and, after a line "---", the manifest text. Each case runs in its
# own copy of tests/cases/manifest/fixture (plus a symlink files/escape that points outside),
# and must fail with exactly that message and status, writing nothing.
. "$(dirname "$0")/lib.sh"

cases=$PW_SOURCE_DIR/tests/cases/manifest
echo "outside the manifest directory" >"$T/outside"

# header_values CASE KEY: the values of "KEY: ..." lines before "---", one per line.
header_values() { sed -n "/^---\$/q; s/^$2: //p" "$1"; }

run_case() {
  local file=$1 name want_exit want_stderr dir out args
  name=$(basename "$file" .case)
  dir=$T/c/$name
  out=$T/out/$name
  mkdir -p "$dir"
  cp -R "$cases/fixture/." "$dir/"
  ln -s "$T/outside" "$dir/files/escape"
  sed '1,/^---$/d' "$file" >"$dir/package.json"
  want_exit=$(header_values "$file" exit)
  want_stderr=$(header_values "$file" stderr)
  args=$(header_values "$file" args)
  # shellcheck disable=SC2086 # args are words by design
  run env -C "$dir" "$PACKWRIGHT" build -o "$out" $args package.json
  if [ -z "$want_exit" ] || [ -z "$want_stderr" ]; then
    not_ok "$name: the case lacks exit: or stderr:"
    return
  fi
  expect_eq "$rc" "$want_exit" "$name: exit status"
  expect_eq "$(cat "$T/stderr")" "$want_stderr" "$name: message"
  if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
    not_ok "$name: left files in the output directory: $(ls -A "$out")"
  else
    ok "$name: nothing written"
  fi
}

n=0
for f in "$cases"/*.case; do
  run_case "$f"
  n=$((n + 1))
done
if [ "$n" -ge 25 ]; then ok "$n broken manifests checked"; else not_ok "only $n cases (want >= 25)"; fi
pw_done
