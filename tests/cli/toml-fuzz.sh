#!/usr/bin/env bash
# The TOML fuzz targets (tests/fuzz/fuzz_toml*.c, built in $PW_FUZZ_BUILD_DIR by
# scripts/test.sh) run for a bounded time, seeded with toml-test and the containerd configs,
# and must find nothing. TOML_FUZZ_SECONDS sets each target's time (default 8).
. "$(dirname "$0")/lib.sh"
if [ -z "${PW_FUZZ_BUILD_DIR:-}" ]; then
  echo "ok # skip PW_FUZZ_BUILD_DIR is not set (scripts/test.sh builds the fuzzers)"
  echo "1 passed, 0 failed"
  exit 0
fi
secs=${TOML_FUZZ_SECONDS:-8}
seeds=$T/seeds
mkdir -p "$seeds/parse" "$seeds/edit" "$T/corpus-parse" "$T/corpus-edit"
cp "$PW_SHARED_DIR"/fixtures/containerd/*.toml "$PW_SOURCE_DIR"/tests/fixtures/toml/*.toml "$seeds/parse/"
i=0
for f in "$PW_SHARED_DIR"/conformance/toml-test/valid/*/*.toml "$PW_SHARED_DIR"/conformance/toml-test/invalid/*/*.toml; do
  i=$((i + 1)); [ $((i % 3)) = 0 ] && cp "$f" "$seeds/parse/s$i.toml"
done
# edit seeds: an op byte (0 set, 1 unset, 2 merge), a key path, a value or fragment, the document
python3 - "$seeds/edit" "$seeds/parse" <<'PY'
import os, sys
out, src = sys.argv[1], sys.argv[2]
ops = [(0, b'plugins."io.containerd.grpc.v1.cri".containerd.runtimes.gvisor.runtime_type', b'"io.containerd.runsc.v1"'),
       (0, b"plugins.'io.containerd.cri.v1.images'.image_pull_progress_timeout", b"'5m'"),
       (1, b'plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc', b''),
       (0, b'a.b.c', b'{ d = 1, e.f = [1, 2] }'),
       (2, b'', b'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\nsandbox_image = "x"\n[t.u]\nv = 1\n')]
n = 0
for name in sorted(os.listdir(src))[:15]:
    doc = open(os.path.join(src, name), 'rb').read()
    for op, key, val in ops:
        open(os.path.join(out, "e%d" % n), "wb").write(bytes([op]) + key + b"\0" + val + b"\0" + doc)
        n += 1
PY
for target in fuzz_toml:parse fuzz_toml_edit:edit; do
  bin=$PW_FUZZ_BUILD_DIR/tests/${target%%:*}
  kind=${target#*:}
  [ -x "$bin" ] || { not_ok "${target%%:*} is built"; continue; }
  set +e
  (cd "$T" && "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
     -artifact_prefix="$T/" "$T/corpus-$kind" "$seeds/$kind" >"$T/$kind.log" 2>&1)
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/$kind.log")
  if [ "$rc" = 0 ] && ! ls "$T"/crash-* "$T"/leak-* "$T"/timeout-* >/dev/null 2>&1; then
    ok "${target%%:*}: ${secs}s, ${execs:-?} runs, no finding"
  else
    not_ok "${target%%:*} found a problem (exit $rc)"
    grep -E 'ERROR|SUMMARY|#[0-9]+ ' "$T/$kind.log" | head -20 | sed 's/^/#   /'
  fi
done
pw_done
