#!/usr/bin/env bash
# packwright-toml is a static binary: no dynamic section, no NEEDED entry, no interpreter; it
# runs with an empty environment. Prints its size.
. "$(dirname "$0")/lib.sh"
: "${PW_TOML:?PW_TOML must name packwright-toml}"
check "packwright-toml is built" test -x "$PW_TOML"
run readelf -d "$PW_TOML"
check "no NEEDED entry" test -z "$(grep NEEDED "$T/stdout" || true)"
run readelf -l "$PW_TOML"
check "no program interpreter" test -z "$(grep -i interp "$T/stdout" || true)"
expect_exit 0 "runs with an empty environment" env -i "$PW_TOML" --version
echo "# size: $(stat -c %s "$PW_TOML") bytes"
pw_done
