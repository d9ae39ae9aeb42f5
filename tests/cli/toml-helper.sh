#!/usr/bin/env bash
# packwright-toml on any TOML file: the verbs, options before or after the verb, exit codes,
# --dry-run diffs, idempotence, untouched invalid files, atomic writes with failure injection,
# mode kept, and 20 concurrent helpers losing no update.
. "$(dirname "$0")/lib.sh"
: "${PW_TOML:?PW_TOML must name packwright-toml}"
H=$PW_TOML
export PACKWRIGHT_TOML_STATE_DIR=$T/state

expect_exit 0 "--help" "$H" --help
expect_stdout "packwright-toml [OPTIONS] COMMAND" "--help shows the usage"
expect_exit 0 "--version" "$H" --version
expect_stdout "packwright-toml " "--version prints the version"
expect_exit 2 "no command" "$H"
expect_exit 2 "unknown command" "$H" frobnicate x
expect_exit 2 "unknown option" "$H" --frob get x y
expect_exit 2 "option that does not apply" "$H" get --owner x "$T/none" a
expect_stderr "option '--owner' does not apply to 'get'" "says which option"
expect_exit 2 "missing arguments" "$H" set "$T/f.toml" a
expect_exit 2 "bad key path" "$H" get "$T/f.toml" 'a..b'

printf '# top\r\n[t]\r\na = 1 # one\r\n' >"$T/f.toml"
chmod 0640 "$T/f.toml"
expect_exit 0 "check a valid file" "$H" check "$T/f.toml"
expect_exit 0 "get" "$H" get "$T/f.toml" t.a
expect_eq "$(cat "$T/stdout")" "1" "get prints the value"
expect_exit 1 "get of a missing key" "$H" get "$T/f.toml" t.b
expect_exit 0 "json" "$H" json "$T/f.toml"
expect_eq "$(cat "$T/stdout")" '{"t":{"a":{"type":"integer","value":"1"}}}' "json prints toml-test JSON"

# --dry-run prints a unified diff and writes nothing; options after the verb work too
cp "$T/f.toml" "$T/before"
expect_exit 0 "set --dry-run" "$H" set "$T/f.toml" t.b '"x"' --dry-run
printf -- '--- %s\n+++ %s\n@@ -1,3 +1,4 @@\n # top\r\n [t]\r\n a = 1 # one\r\n+b = "x"\r\n' \
  "$T/f.toml" "$T/f.toml" >"$T/want"
check "the dry-run diff is exact" cmp "$T/stdout" "$T/want"
check "--dry-run wrote nothing" cmp "$T/f.toml" "$T/before"

expect_exit 0 "set for real" "$H" set "$T/f.toml" t.b '"x"'
printf '# top\r\n[t]\r\na = 1 # one\r\nb = "x"\r\n' >"$T/want"
check "only the new line was added, CRLF kept" cmp "$T/f.toml" "$T/want"
check "the mode was kept" test "$(stat -c %a "$T/f.toml")" = 640
cp "$T/f.toml" "$T/before"
expect_exit 0 "the same set again" "$H" set "$T/f.toml" t.b "'x'"
check "the second run left the file byte-identical" cmp "$T/f.toml" "$T/before"
check "no temporary file is left" test -z "$(ls -A "$T" | grep '\.tmp-' || true)"

expect_exit 0 "unset" "$H" unset "$T/f.toml" t.a
printf '# top\r\n[t]\r\nb = "x"\r\n' >"$T/want"
check "unset removed only that line" cmp "$T/f.toml" "$T/want"
expect_exit 0 "unset of an absent key" "$H" unset "$T/f.toml" t.zzz
expect_exit 0 "unset in a missing file does nothing" "$H" unset "$T/missing.toml" a
check "and creates nothing" test ! -e "$T/missing.toml"

printf '[t]\nb = "y"\n[u]\nc = 1\n' >"$T/frag.toml"
expect_exit 0 "merge" "$H" merge "$T/f.toml" "$T/frag.toml"
printf '# top\r\n[t]\r\nb = "y"\r\n\r\n[u]\r\nc = 1\r\n' >"$T/want"
check "merge replaced the value and added the table in CRLF" cmp "$T/f.toml" "$T/want"
expect_exit 0 "merge from stdin" "$H" merge "$T/f.toml" - <<<'u.d = true'
check "merge is quiet" test ! -s "$T/stdout"
check "stdin fragment merged" grep -q '^d = true' "$T/f.toml"
expect_exit 0 "merge with options before the verb" "$H" --owner x merge "$T/f.toml" "$T/frag.toml"
cp "$T/f.toml" "$T/before"
expect_exit 1 "a conflicting fragment is refused" "$H" merge "$T/f.toml" <(printf 't = 5\n')
expect_stderr "cannot merge 't'" "names the conflicting key"
check "nothing written after a refused merge" cmp "$T/f.toml" "$T/before"

# an invalid file is left untouched, with FILE:LINE:COL
printf 'a = 1\nb = = 2\n' >"$T/bad.toml"
cp "$T/bad.toml" "$T/bad.before"
expect_exit 3 "set on invalid TOML" "$H" set "$T/bad.toml" a 2
expect_stderr "$T/bad.toml:2:5: expected a value" "the error is FILE:LINE:COL: message"
check "the invalid file is untouched" cmp "$T/bad.toml" "$T/bad.before"
expect_exit 3 "check an invalid file" "$H" check "$T/bad.toml"
expect_exit 2 "an invalid value is a usage error" "$H" set "$T/f.toml" t.b '"unterminated'

# a failure between the temp file and the rename leaves the old file intact
cp "$T/f.toml" "$T/before"
expect_exit 1 "failure injected before the rename" env PW_FAIL_BEFORE_RENAME=1 "$H" set "$T/f.toml" t.new 1
expect_stderr "failure injected before rename" "the failure is reported"
check "the old file is intact" cmp "$T/f.toml" "$T/before"
check "the temp file was removed" test -z "$(ls -A "$T" | grep '\.tmp-' || true)"

# a symlink is followed, not replaced
mkdir "$T/real" && printf 'a = 1\n' >"$T/real/c.toml" && ln -s real/c.toml "$T/link.toml"
expect_exit 0 "set through a symlink" "$H" set "$T/link.toml" b 2
check "the symlink is still a symlink" test -L "$T/link.toml"
check "its target was edited" grep -q '^b = 2' "$T/real/c.toml"

# set creates a missing file (mode 0644)
expect_exit 0 "set creates the file" "$H" set "$T/new.toml" 'a."b.c"' "'v'"
printf '[a]\n"b.c" = '"'v'"'\n' >"$T/want"
check "the new file holds only that" cmp "$T/new.toml" "$T/want"

# 20 helpers at once on one file: every update lands
printf '# shared\n[t]\n' >"$T/shared.toml"
for i in $(seq 1 20); do "$H" set "$T/shared.toml" "t.k$i" "$i" & done
wait
n=$(grep -c '^k[0-9]* = ' "$T/shared.toml" || true)
expect_eq "$n" 20 "20 concurrent helpers: no update lost"
expect_exit 0 "the result parses" "$H" check "$T/shared.toml"

# a held lock makes another helper wait, then give up with exit 7
if command -v flock >/dev/null; then
  flock "$T" sleep 3 &
  sleep 0.5
  expect_exit 7 "locked by another process" "$H" --lock-timeout 1 set "$T/shared.toml" t.x 1
  wait
fi
pw_done
