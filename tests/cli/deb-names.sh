#!/usr/bin/env bash
# Names that break naive tar writers: a path over 100 characters (and a symlink target as
# long), non-ASCII file, directory and symlink names. The data.tar must use GNU long-name
# entries, never PAX headers (dpkg's unpacker refuses those), whatever the locale; dpkg
# installs the package into a throwaway root and every name arrives intact.
. "$(dirname "$0")/lib.sh"

fixture=$PW_SOURCE_DIR/tests/fixtures/names
long=/usr/share/pw-names/a-directory-name-that-is-rather-long/another-level-of-nesting-for-length/and-a-file-name-that-pushes-it-over.txt
check "the long path is over 100 characters" test "${#long}" -gt 100

for loc in C C.UTF-8; do
  LC_ALL=$loc expect_exit 0 "build in the $loc locale" "$PACKWRIGHT" build -f deb -o "$T/$loc" "$fixture"
done
check "the locale does not change a byte" \
  cmp "$T/C/pw-names_1.0-1_all.deb" "$T/C.UTF-8/pw-names_1.0-1_all.deb"
deb=$T/C/pw-names_1.0-1_all.deb

ar p "$deb" data.tar.xz | xz -dc >"$T/data.tar"
check "GNU long-name entries are used" grep -aq '././@LongLink' "$T/data.tar"
check "no PAX headers" python3 -c '
import sys, tarfile
raw = open(sys.argv[1], "rb").read()
for m in tarfile.open(sys.argv[1]).getmembers():
    assert raw[m.offset + 156:m.offset + 157] not in (b"x", b"g") and not m.pax_headers, m.name
' "$T/data.tar"
dpkg-deb --contents "$deb" >"$T/contents"
for p in ".$long" "./usr/share/pw-names/grüße-日本.txt" "./usr/share/pw-names/tree/ünïcödé-dir/naïve café.txt"; do
  check "listed: $p" grep -qF " $p" "$T/contents"
done
"$PACKWRIGHT" inspect --json "$deb" >"$T/inspect.json"
check "inspect reads the names back" python3 -c '
import json, sys
files = {f["path"]: f for f in json.load(open(sys.argv[1]))["packages"][0]["files"]}
assert sys.argv[2] in files and files[sys.argv[2]]["size"] == 58
assert files["/usr/share/pw-names/tree/link-ñ"]["target"] == "ünïcödé-dir/naïve café.txt"
assert "/usr/share/pw-names/grüße-日本.txt" in files
' "$T/inspect.json" "$long"

if [ "$(id -u)" != 0 ]; then
  ok "# skip dpkg --root needs root"
  pw_done
fi
R=$T/root
pw_debroot_fresh "$R" || fatal "no Debian root (tests/lib/prepare.sh)"
check "dpkg installs it" sh -c "dpkg --root='$R' -i '$deb' >'$T/dpkg.log' 2>&1" ||
  sed 's/^/#   dpkg: /' "$T/dpkg.log"
check "the long path arrived" cmp "$R$long" "$fixture/files/long.txt"
check "the non-ASCII file arrived" cmp "$R/usr/share/pw-names/grüße-日本.txt" "$fixture/files/grüße-日本.txt"
check "the non-ASCII directory arrived" test -f "$R/usr/share/pw-names/tree/ünïcödé-dir/naïve café.txt"
expect_eq "$(readlink "$R/usr/share/pw-names/link-to-the-long-path")" "$long" "the long symlink target"
expect_eq "$(readlink "$R/usr/share/pw-names/tree/link-ñ")" "ünïcödé-dir/naïve café.txt" \
  "the non-ASCII symlink"
check "dpkg --verify is clean" dpkg --root="$R" --verify pw-names
pw_done
