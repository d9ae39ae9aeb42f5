#!/usr/bin/env bash
# A file of 4 GiB and one byte (sparse on disk): rpm's large-file rules (LONGFILESIZES,
# LONGSIZE, rpmlib(LargeFiles), the stripped "07070X" cpio) with memory that does not grow
# with the payload. The slowest rpm test (two SHA-256 passes over 4 GiB); zstd:1 keeps the
# compression cheap.
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/fixtures/rpm/helpers.sh"

mkdir -p "$T/big/files"
truncate -s 4294967297 "$T/big/files/big.img"
printf 'tail\n' >>"$T/big/files/big.img" # one non-zero block at the end
echo small >"$T/big/files/small.txt"
cat >"$T/big/package.json" <<'EOF'
{"name": "pwbig", "version": "1.0", "arch": "all", "summary": "A file over 4 GiB",
 "maintainer": "Jane Doe <jane@example.org>", "license": "MIT",
 "contents": [
   {"type": "dir", "dst": "/opt/pwbig"},
   {"type": "file", "src": "files/big.img", "dst": "/opt/pwbig/big.img"},
   {"type": "symlink", "target": "big.img", "dst": "/opt/pwbig/link"},
   {"type": "file", "src": "files/small.txt", "dst": "/opt/pwbig/small.txt"}]}
EOF
run /usr/bin/time -f '%M' "$PACKWRIGHT" build -f rpm -o "$T/out" --rpm-compression zstd:1 "$T/big"
expect_eq "$rc" 0 "a 4 GiB file builds: $(head -3 "$T/stderr" | tr '\n' ' ')"
P=$T/out/pwbig-1.0-1.noarch.rpm
rss_kb=$(tail -1 "$T/stderr")
check "peak RSS under 64 MB while streaming 4 GiB (${rss_kb} KB)" test "$rss_kb" -lt 65536

run rpm -Kv "$P"
expect_eq "$rc" 0 "rpm -Kv"
check "payload digest OK" grep -q 'Payload SHA256 digest: OK' "$T/stdout"
expect_eq "$(rpm_qf "$P" '[%{LONGFILESIZES} ]')" "0 4294967302 7 6 " "LONGFILESIZES"
expect_eq "$(rpm_qf "$P" '%{FILESIZES}')" "(none)" "no 32-bit FILESIZES"
expect_eq "$(rpm_qf "$P" '%{LONGSIZE}:%{SIZE}')" "4294967315:(none)" "LONGSIZE instead of SIZE"
check "rpmlib(LargeFiles)" bash -c "rpm -qpR '$P' | grep -qx 'rpmlib(LargeFiles) <= 4.12.0-1'"
expect_eq "$(rpm -qplv "$P" | awk '$NF == "/opt/pwbig/big.img" {print $5}')" "4294967302" "rpm -qplv shows the size"

# rpm's own reader (rpm2archive goes through librpm's archive reader, stripped format and
# all), streamed once: names, sizes, link targets, and every file's SHA-256.
rpm2archive -n - <"$P" | python3 -c '
import hashlib, sys, tarfile
with tarfile.open(fileobj=sys.stdin.buffer, mode="r|") as t:
    for m in t:
        h = ""
        if m.isfile():
            d, f = hashlib.sha256(), t.extractfile(m)
            for chunk in iter(lambda: f.read(1 << 20), b""):
                d.update(chunk)
            h = d.hexdigest()
        print(m.name, m.size, m.linkname, h)
' >"$T/list" 2>"$T/err" || true
big_sha=$(rpm_qf "$P" '[%{FILENAMES} %{FILEDIGESTS}\n]' | awk '/big.img/ {print $2}')
check "rpm2archive: the big file, whole (SHA-256 as in the header)" \
  grep -qx "./opt/pwbig/big.img 4294967302  $big_sha" "$T/list"
check "rpm2archive: the symlink" grep -qx './opt/pwbig/link 0 big.img ' "$T/list"
check "rpm2archive: the file after the big one" \
  grep -qx "./opt/pwbig/small.txt 6  $(sha256sum "$T/big/files/small.txt" | cut -d' ' -f1)" "$T/list"

pw_done
