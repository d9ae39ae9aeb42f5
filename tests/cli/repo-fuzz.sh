#!/usr/bin/env bash
# Runs the repository-parser fuzzer (index, stanzas, XML, dates, decompressors) for a bounded
# time, seeded with real metadata from a freshly published repository. Needs the clang fuzz
# build (scripts/test.sh sets PW_FUZZ_BUILD_DIR).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-repo.sh"

if [ -z "${PW_FUZZ_BUILD_DIR:-}" ]; then
  ok "# skip PW_FUZZ_BUILD_DIR is not set (scripts/test.sh builds the fuzzers)"
  pw_done
fi
fuzzer=$PW_FUZZ_BUILD_DIR/tests/fuzz_repo_index
[ -x "$fuzzer" ] || fatal "no fuzzer at $fuzzer"

mk_deb pw-seed 1:1.0-1 all 'Depends: a (>= 1) | b'
mk_rpm pw-seed 1.0 1 noarch 'Requires: c >= 2'
R=$T/repo
"$PACKWRIGHT" repo add "$R" "$T"/in/* >/dev/null 2>&1 || fatal "publish failed"
mkdir -p "$T/corpus"
seed() { { printf '%b' "$1"; head -c 3000 "$2"; } >"$T/corpus/$3"; }
seed '\x00' "$R/deb/.gen/1/index" index
seed '\x01' "$R/deb/dists/stable/Release" release
seed '\x01' "$R/deb/dists/stable/main/binary-amd64/Packages" packages
seed '\x02' "$R/rpm/repodata/repomd.xml" repomd
zcat "$R"/rpm/repodata/*-primary.xml.gz >"$T/primary.xml"
seed '\x02' "$T/primary.xml" primary
printf '\x03Tue, 14 Nov 2023 22:13:20 UTC' >"$T/corpus/date"
seed '\x04' "$R/deb/dists/stable/main/binary-amd64/Packages.gz" gz
seed '\x04' "$R/deb/dists/stable/main/binary-amd64/Packages.xz" xz

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
run "$fuzzer" -max_total_time=15 -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
  -artifact_prefix="$T/" -print_final_stats=1 "$T/corpus"
expect_eq "$rc" 0 "fuzz_repo_index ran 15 s without a finding"
if [ "$rc" -ne 0 ]; then tail -40 "$T/stderr"; for c in "$T"/crash-* "$T"/leak-* "$T"/timeout-*; do [ -e "$c" ] && od -c "$c" | head -40; done; fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/stderr")
check "the fuzzer executed inputs (${runs:-0})" test "${runs:-0}" -gt 1000
pw_done
