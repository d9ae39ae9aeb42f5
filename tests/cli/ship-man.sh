#!/usr/bin/env bash
# The man pages render without warnings and document exactly the CLI: every command of
# `packwright --list-commands` has a section in doc/packwright.1 that describes every option
# its --help prints, and every option that section defines exists; likewise every verb and
# option of `packwright-toml --help` is in doc/packwright-toml.1. A command or option added
# without documentation fails here.
. "$(dirname "$0")/lib.sh"

page=$PW_SOURCE_DIR/doc/packwright.1
tpage=$PW_SOURCE_DIR/doc/packwright-toml.1

for p in "$page" "$tpage"; do
  run env MANWIDTH=80 man --warnings -l "$p"
  expect_eq "$rc" 0 "man renders $(basename "$p")"
  expect_eq "$(cat "$T/stderr")" "" "man --warnings is silent for $(basename "$p")"
  expect_stdout "NAME" "$(basename "$p") has a NAME section"
done

# Plain text of roff source: escapes for hyphens, fonts and quotes undone.
roff_text() {
  sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(dq/"/g' -e "s/\\\\(aq/'/g" -e 's/\\e/\\/g' \
      -e 's/\\&//g'
}
# man_section PAGE CMD: the .SS sections whose title starts with CMD, as plain text.
man_section() {
  roff_text <"$1" | awk -v cmd="$2" '
    /^\.S[HS] / { t = substr($0, 5); gsub(/"/, "", t)
                  keep = ($1 == ".SS" && (t == cmd || index(t, cmd " ") == 1)) }
    keep'
}
# man_section_titles PAGE: the command names the .SS sections of COMMANDS document.
man_commands() {
  roff_text <"$1" | awk '
    /^\.SH / { in_cmds = ($2 == "COMMANDS") }
    in_cmds && /^\.SS / { t = substr($0, 5); gsub(/"/, "", t); n = split(t, w, " "); name = w[1]
                          for (i = 2; i <= n && w[i] ~ /^[a-z][a-z-]*$/; i++) name = name " " w[i]
                          print name }'
}
# help_options: the option names (-x and --long) of a --help text on stdin, without -h/--help.
help_options() {
  awk '/^options:/ { on = 1; next } on && /^[^ ]/ { on = 0 } on' |
    grep -oE '^ +(-[A-Za-z0-9], )?--[a-z0-9][a-z0-9-]*' | grep -oE -- '--?[A-Za-z0-9][a-z0-9-]*' |
    grep -vxE -- '-h|--help' || true
}
# defined_options: the options a man section defines (.TP tags), from plain text on stdin.
defined_options() {
  awk 'prev == ".TP" { print } { prev = $1 }' | grep -oE -- '(^|[ ,])--?[A-Za-z0-9][a-z0-9-]*' |
    grep -oE -- '--?[A-Za-z0-9][a-z0-9-]*' | sort -u || true
}
mentions() { grep -qE -- "(^|[^a-z0-9-])$2([^a-z0-9-]|\$)" <<<"$1"; }

# subcommands CMD: the subcommands whose usage `packwright CMD --help` shows ("repo add",
# "mirror apt|rpm"), each confirmed by its own --help.
subcommands() {
  local s
  "$PACKWRIGHT" $1 --help 2>/dev/null | grep -oE "packwright $1 [a-z][a-z0-9|-]*" |
    awk '{ print $3 }' | tr '|' '\n' | sort -u | while read -r s; do
      "$PACKWRIGHT" $1 "$s" --help 2>/dev/null | head -1 | grep -qE "^usage: packwright $1 $s( |\$)" &&
        echo "$s"
    done
}

expect_exit 0 "--list-commands" "$PACKWRIGHT" --list-commands
cmds=$(cat "$T/stdout")
[ -n "$cmds" ] || fatal "packwright lists no commands"
# The units the page documents: each command, or each subcommand of a command that has them.
units=$(while read -r c; do
  subs=$(subcommands "$c")
  if [ -n "$subs" ]; then printf "$c %s\n" $subs; else echo "$c"; fi
done <<<"$cmds")
documented=$(man_commands "$page")
while read -r u; do
  grep -qxF "$u" <<<"$documented" && ok "packwright.1 documents '$u'" ||
    not_ok "packwright.1 has no .SS section for command '$u'"
done <<<"$units"
while read -r d; do
  [ -z "$d" ] && continue
  grep -qxF "$d" <<<"$units" && ok "'$d' of packwright.1 is a command" ||
    not_ok "packwright.1 documents '$d', which is not a command"
done <<<"$documented"

while read -r u; do
  # shellcheck disable=SC2086 # "repo add" is two arguments
  run "$PACKWRIGHT" $u --help
  expect_eq "$rc" 0 "packwright $u --help"
  help_opts=$(help_options <"$T/stdout")
  section=$(man_section "$page" "$u")
  for o in $help_opts; do
    mentions "$section" "$o" && ok "packwright.1 '$u' describes $o" ||
      not_ok "packwright.1 section '$u' does not describe $o (from 'packwright $u --help')"
  done
  for o in $(defined_options <<<"$section"); do
    grep -qxF -- "$o" <<<"$help_opts" && ok "'$u' man option $o exists" ||
      not_ok "packwright.1 section '$u' defines $o, which 'packwright $u --help' does not list"
  done
done <<<"$units"

# The global options of `packwright --help` (usage line) are in GLOBAL OPTIONS.
globals=$(roff_text <"$page" | awk '/^\.SH /{on = ($2 == "GLOBAL")} on')
run "$PACKWRIGHT" --help
for o in $(head -1 "$T/stdout" | grep -oE -- '--[a-z][a-z-]*'); do
  mentions "$globals" "$o" && ok "GLOBAL OPTIONS has $o" || not_ok "GLOBAL OPTIONS lacks $o"
done

# packwright-toml: its --help lists commands (and containerd's subcommands) and options; each
# is a .TP entry of VERBS or OPTIONS in packwright-toml.1, and every entry there exists.
# help_sections: "KIND NAME" lines from the helper's --help: verb, verb (containerd X), option.
toml_help_items() {
  awk '/^[^ ].*:$/ { sec = $0; next } /^[^ ]/ { sec = "" }
       sec ~ /^commands/ && /^  [a-z]/ { print "verb " $1 }
       sec ~ /^containerd subcommands/ && /^  [a-z]/ { print "verb containerd " $1 }
       sec ~ /^options/ && /^  -/ { line = $0; sub(/^ +/, "", line)
         n = split(line, w, /[ ,]+/)
         for (i = 1; i <= n && w[i] ~ /^-/; i++) print "option " w[i] }'
}
# man_tags PAGE SECTION: the plain text of every .TP tag line in .SH SECTION.
man_tags() {
  roff_text <"$1" | awk -v want="$2" '/^\.SH / { on = ($2 == want) } on && prev == ".TP" { print }
                                       { prev = $1 }' | sed -E 's/^\.[A-Z]+ //; s/"//g'
}
if [ -x "${PW_TOML:-}" ]; then
  run "$PW_TOML" --help
  expect_eq "$rc" 0 "packwright-toml --help"
  items=$(toml_help_items <"$T/stdout")
  verbs=$(sed -n 's/^verb //p' <<<"$items")
  opts=$(sed -n 's/^option //p' <<<"$items")
  [ -n "$verbs" ] && [ -n "$opts" ] || not_ok "no verbs or options found in 'packwright-toml --help'"
  # A verb's tag starts with its name ("containerd add-runtime NAME RUNTIME_TYPE"); the
  # bare "containerd" verb is documented by its subcommands.
  vtags=$(man_tags "$tpage" VERBS)
  otags=$(man_tags "$tpage" OPTIONS | grep -oE -- '(^|[ ,])--?[a-z][a-z0-9-]*' | grep -oE -- '--?[a-z0-9-]+')
  while read -r v; do
    [ "$v" = containerd ] && continue
    grep -qE "^$v( |\$)" <<<"$vtags" && ok "packwright-toml.1 describes '$v'" ||
      not_ok "packwright-toml.1 VERBS lacks '$v' (from 'packwright-toml --help')"
  done <<<"$verbs"
  while read -r t; do
    [ -z "$t" ] && continue
    v=$(awk '{ print ($1 == "containerd" ? $1 " " $2 : $1) }' <<<"$t")
    grep -qxF "$v" <<<"$verbs" && ok "'$v' of packwright-toml.1 is a verb" ||
      not_ok "packwright-toml.1 describes '$v', which 'packwright-toml --help' does not list"
  done <<<"$vtags"
  for o in $opts; do
    grep -qxF -- "$o" <<<"$otags" && ok "packwright-toml.1 describes $o" ||
      not_ok "packwright-toml.1 OPTIONS lacks $o (from 'packwright-toml --help')"
  done
  for o in $otags; do
    grep -qxF -- "$o" <<<"$opts" && ok "packwright-toml option $o exists" ||
      not_ok "packwright-toml.1 describes $o, which 'packwright-toml --help' does not list"
  done
else
  not_ok "packwright-toml is not built (${PW_TOML:-PW_TOML unset})"
fi

# Both pages carry the version the binaries print.
version=$("$PACKWRIGHT" --version | awk '{print $2}')
for p in "$page" "$tpage"; do
  grep -q "^\.TH .* \"packwright $version\"" "$p" && ok "$(basename "$p") is for $version" ||
    not_ok "$(basename "$p") .TH does not say packwright $version"
done
pw_done
