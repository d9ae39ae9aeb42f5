#!/usr/bin/env bash
# Every command in the table answers -h and --help with its usage; unknown commands and
# options are usage errors (exit 2); --version prints the version.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "--version" "$PACKWRIGHT" --version
expect_stdout "packwright " "--version names the program"
expect_exit 0 "--help" "$PACKWRIGHT" --help
expect_exit 2 "no command" "$PACKWRIGHT"
expect_exit 2 "unknown command" "$PACKWRIGHT" frobnicate
expect_stderr "unknown command 'frobnicate'" "unknown command named"

cmds=$("$PACKWRIGHT" --list-commands)
[ -n "$cmds" ] || fatal "no commands listed"
expect_eq "$(printf '%s\n' $cmds | sort -c && echo sorted)" sorted "command table sorted"
for c in $cmds; do
  expect_exit 0 "$c -h" "$PACKWRIGHT" "$c" -h
  expect_stdout "usage: packwright $c" "$c -h prints its usage"
  expect_exit 0 "$c --help" "$PACKWRIGHT" "$c" --help
  expect_exit 2 "$c with an unknown option" "$PACKWRIGHT" "$c" --no-such-option
  expect_stderr "unknown option '--no-such-option'" "$c names the unknown option"
done
pw_done
