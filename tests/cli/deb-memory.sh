#!/usr/bin/env bash
# Memory does not grow with the payload: a 200 MB file (sparse, generated here) builds with
# a peak RSS under 64 MB (getrusage of the child: a size, not a timing). The compressor's
# own working set is fixed and comes on top: liblzma's xz:6 encoder alone takes ~90 MB
# (its 8 MiB dictionary's match finder) per thread, so for the default the test asserts that
# the peak does not grow from an 80 MB to a 200 MB payload instead of an absolute bound (both
# span several of xz's 24 MiB blocks, so every compressor thread is busy in each).
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/pkg"
cat >"$T/pkg/package.json" <<'EOF'
{"name": "pw-big", "version": "1.0", "arch": "all", "license": "MIT",
 "summary": "a large payload", "maintainer": "Packwright Tests <tests@packwright.example.org>",
 "contents": [{"src": "payload.bin", "dst": "/usr/share/pw-big/payload.bin"}]}
EOF

# peak_kib ARGS...: runs ARGS, prints the child's peak RSS in KiB (fails with the command).
peak_kib() {
  python3 -c '
import resource, subprocess, sys
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$@"
}

truncate -s 200M "$T/pkg/payload.bin"
for c in gzip none; do
  kib=$(peak_kib "$PACKWRIGHT" build -f deb --deb-compression "$c" -o "$T/out-$c" "$T/pkg") ||
    not_ok "$c: 200 MB build failed"
  echo "# $c: peak RSS ${kib} KiB for a 200 MB payload"
  check "$c: 200 MB payload builds with a peak RSS under 64 MB (${kib} KiB)" test "$kib" -lt 65536
  check "$c: the payload is all there" \
    sh -c "dpkg-deb --contents '$T/out-$c/pw-big_1.0-1_all.deb' | grep -q ' 209715200 .*payload.bin'"
  rm -rf "$T/out-$c"
done

big=$(peak_kib "$PACKWRIGHT" build -f deb -o "$T/out-big" "$T/pkg") || not_ok "xz: 200 MB build failed"
truncate -s 80M "$T/pkg/payload.bin"
small=$(peak_kib "$PACKWRIGHT" build -f deb -o "$T/out-small" "$T/pkg") || not_ok "xz: 80 MB build failed"
echo "# xz:6 (default): peak RSS ${small} KiB for 80 MB, ${big} KiB for 200 MB"
check "xz:6: peak RSS does not grow with the payload (80 MB: ${small} KiB, 200 MB: ${big} KiB)" \
  test "$big" -lt $((small + 8192))
pw_done
