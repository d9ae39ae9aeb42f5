#!/usr/bin/env bash
# Multi-threaded compression is deterministic: deb and rpm built side by side with xz, zstd
# and gzip give the same bytes with 1 and 2 compressor threads and across runs, and the xz
# streams really are block-split (liblzma's multi-threaded encoder, even with one thread); each
# source file is read once for both formats (strace counts the opens).
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/pkg"
# ~7 MB of text (twice in the package): several xz -1 blocks (3 MiB each) and zstd jobs
seq 1 1000000 >"$T/pkg/numbers"
head -c 2000000 "$PACKWRIGHT" >"$T/pkg/bin"
cat >"$T/pkg/package.json" <<'JSON'
{"name":"mt-test","version":"1.0","release":"1","arch":"amd64","summary":"threads",
 "description":"Deterministic multi-threaded compression.","maintainer":"t <t@example.invalid>",
 "license":"MIT","contents":[
  {"type":"file","src":"bin","dst":"/usr/bin/mt-test","mode":"0755"},
  {"type":"file","src":"numbers","dst":"/usr/share/mt-test/numbers"},
  {"type":"config","src":"numbers","dst":"/etc/mt-test.conf"}]}
JSON

build() { # OUT THREADS DEB_COMP RPM_COMP
  run "$PACKWRIGHT" build -f deb,rpm --threads "$2" --deb-compression "$3" \
    --rpm-compression "$4" -o "$T/$1" "$T/pkg"
  [ "$rc" -eq 0 ] || { sed 's/^/#   stderr: /' "$T/stderr"; return 1; }
}

for combo in xz:1,zstd:3 zstd:3,xz:1 gzip:6,gzip:6; do
  d=${combo%,*} r=${combo#*,}
  tag=${d%:*}-${r%:*}
  check "$tag: built with 1 thread" build "$tag-1" 1 "$d" "$r"
  check "$tag: built with 2 threads" build "$tag-2" 2 "$d" "$r"
  check "$tag: built again with 2 threads" build "$tag-2b" 2 "$d" "$r"
  check "$tag: default thread count" build "$tag-0" 0 "$d" "$r"
  for f in mt-test_1.0-1_amd64.deb mt-test-1.0-1.x86_64.rpm; do
    check "$tag: $f same bytes with 1 and 2 threads" cmp "$T/$tag-1/$f" "$T/$tag-2/$f"
    check "$tag: $f same bytes across runs" cmp "$T/$tag-2/$f" "$T/$tag-2b/$f"
    check "$tag: $f same bytes with the default threads" cmp "$T/$tag-1/$f" "$T/$tag-0/$f"
  done
  check "$tag: rpm digests verify" rpm -K "$T/$tag-1/mt-test-1.0-1.x86_64.rpm"
  check "$tag: deb contents readable" sh -c "dpkg-deb -c \"\$1\" >/dev/null" _ "$T/$tag-1/mt-test_1.0-1_amd64.deb"
done

# xz streams in multi-threaded mode carry several blocks even when built with one thread
(cd "$T" && ar x "xz-zstd-1/mt-test_1.0-1_amd64.deb" data.tar.xz)
blocks=$(xz --robot -lv "$T/data.tar.xz" | awk '$1 == "totals" {print $3}')
check "deb data.tar.xz has several blocks ($blocks) with one thread" test "${blocks:-0}" -gt 1
rpm2cpio "$T/zstd-xz-1/mt-test-1.0-1.x86_64.rpm" >"$T/payload.cpio"
check "rpm xz payload unpacks to the right size" \
  test "$(stat -c %s "$T/payload.cpio")" -gt 13000000

# each source is read once for both formats (one reader thread feeds both writers): bin is
# opened once, numbers (shipped at two paths) twice, never once per format
if command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then
  # LeakSanitizer cannot run under ptrace: no leak check for the traced run
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -e trace=openat,open \
    -o "$T/trace" "$PACKWRIGHT" build -f deb,rpm -o "$T/traced" "$T/pkg" >/dev/null 2>&1 ||
    not_ok "the traced build failed"
  check "bin is read once for deb and rpm" test "$(grep -c '/pkg/bin"' "$T/trace")" -eq 1
  check "numbers is read once per path for deb and rpm" \
    test "$(grep -c '/pkg/numbers"' "$T/trace")" -eq 2
else
  echo "ok # skip strace is not installed or cannot trace here"
fi
# one format at a time gives the same bytes as both side by side
run "$PACKWRIGHT" build -f deb --deb-compression xz:1 -o "$T/alone" "$T/pkg"
run "$PACKWRIGHT" build -f rpm --rpm-compression zstd:3 -o "$T/alone" "$T/pkg"
check "deb alone = deb beside rpm" cmp "$T/alone/mt-test_1.0-1_amd64.deb" "$T/xz-zstd-1/mt-test_1.0-1_amd64.deb"
check "rpm alone = rpm beside deb" cmp "$T/alone/mt-test-1.0-1.x86_64.rpm" "$T/xz-zstd-1/mt-test-1.0-1.x86_64.rpm"

expect_exit 2 "--threads out of range is a usage error" \
  "$PACKWRIGHT" build --threads 999 -o "$T/bad" "$T/pkg"
pw_done
