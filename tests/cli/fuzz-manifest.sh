#!/usr/bin/env bash
# Runs the manifest-loading fuzzer for a bounded time, seeded with every broken-manifest case
# and a complete manifest. Needs the clang fuzz build (scripts/test.sh sets PW_FUZZ_BUILD_DIR).
. "$(dirname "$0")/lib.sh"

if [ -z "${PW_FUZZ_BUILD_DIR:-}" ]; then
  ok "# skip PW_FUZZ_BUILD_DIR is not set (scripts/test.sh builds the fuzzers)"
  pw_done
fi
fuzzer=$PW_FUZZ_BUILD_DIR/tests/fuzz_manifest
[ -x "$fuzzer" ] || fatal "no fuzzer at $fuzzer"

mkdir -p "$T/corpus"
for f in "$PW_SOURCE_DIR"/tests/cases/manifest/*.case; do
  sed '1,/^---$/d' "$f" >"$T/corpus/$(basename "$f" .case).json"
done
for f in "$PW_SOURCE_DIR"/pkg/*/package.json; do # layouts, files, content, entry when
  cp "$f" "$T/corpus/pkg-$(basename "$(dirname "$f")").json"
done
cat >"$T/corpus/full.json" <<'EOF'
{"name": "demo", "version": "${version}", "release": "2", "epoch": 1, "arch": "x86_64",
 "summary": "s", "description": "a\n\nb", "maintainer": "A B <a@b.c>", "license": "MIT",
 "homepage": "https://example.org", "section": "admin", "priority": "optional",
 "depends": ["aa (>= 1) | bb"], "provides": ["cc (= 1)"], "when": "flag",
 "vars": {"n": 1, "b": true}, "overrides": {"rpm": {"name": "Demo"}},
 "sources": [{"name": "up", "url": "https://x/${arch.uname}", "sha512_url": "https://x/s"}],
 "contents": [{"src": "files/hello", "dst": "/a", "mode": "0644", "owner": "root"},
  {"type": "tree", "src": "files/tree", "dst": "/t"}, {"type": "symlink", "target": "a",
  "dst": "/l"}, {"src": "source:up/x", "dst": "/x"}],
 "scripts": {"postinst": "scripts/ok"}, "copyright": "copyright",
 "changelog": [{"version": "1-1", "date": "2024-02-29T23:59:60.5-01:30",
  "author": "A B <a@b.c>", "text": "t"}]}
EOF

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
run "$fuzzer" -max_total_time=15 -timeout=10 -rss_limit_mb=2048 -max_len=4096 -artifact_prefix="$T/" \
  -print_final_stats=1 "$T/corpus"
expect_eq "$rc" 0 "fuzz_manifest ran 15 s without a finding"
if [ "$rc" -ne 0 ]; then tail -40 "$T/stderr"; for c in "$T"/crash-* "$T"/leak-* "$T"/timeout-*; do [ -e "$c" ] && od -c "$c" | head -40; done; fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/stderr")
check "the fuzzer executed inputs (${runs:-0})" test "${runs:-0}" -gt 1000
pw_done
