#!/usr/bin/env bash
# The .deb writer against package-formats.md §D: ar layout and member headers as dpkg-deb
# writes them, GNU tar without PAX, "./" names with parents first and root/root, the control
# file in dpkg-gencontrol's order with its Installed-Size, md5sums, conffiles, scripts 0755,
# every compression, dpkg-deb --info/--contents, and lintian without errors.
. "$(dirname "$0")/lib.sh"

fixture=$PW_SOURCE_DIR/tests/fixtures/full
expect_exit 0 "build the full test package" "$PACKWRIGHT" build -f deb -o "$T/dist" "$fixture"
deb=$T/dist/pw-full_1.0-1_all.deb
check "output named NAME_VERSION-RELEASE_ARCH.deb" test -s "$deb"

# --- dpkg-deb reads it ------------------------------------------------------------------
check "dpkg-deb --info" sh -c "dpkg-deb --info '$deb' >'$T/info'"
check "dpkg-deb --contents" sh -c "dpkg-deb --contents '$deb' >'$T/contents'"
for p in ./usr/bin/pw-full ./etc/pw-full/pw-full.conf ./var/lib/pw-full/ \
  ./usr/share/pw-full/sub/helper ./usr/share/doc/pw-full/copyright \
  ./usr/share/doc/pw-full/changelog.Debian.gz; do
  check "contents list $p" grep -q " $p\( \|$\)" "$T/contents"
done
check "ghost not in the data" sh -c "! grep -q pw-full.log '$T/contents'"
check "a ghost's parent is not shipped for it" sh -c "! grep -q ' ./var/log/' '$T/contents'"
check "owners root/root by default" grep -q '^-rwxr-xr-x root/root .* ./usr/bin/pw-full$' "$T/contents"
check "owner and group as set" grep -q '^drwxr-x--- root/adm .* ./var/lib/pw-full/$' "$T/contents"

# --- the ar container, member by member ---------------------------------------------------
python3 - "$deb" "$SOURCE_DATE_EPOCH" >"$T/ar.out" <<'EOF' || not_ok "ar layout check crashed"
import sys
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'!<arch>\n', 'magic'
pos, names = 8, []
while pos < len(data):
    h = data[pos:pos + 60]
    name, mtime, uid, gid, mode, size = (h[0:16], h[16:28], h[28:34], h[34:40], h[40:48], h[48:58])
    assert h[58:60] == b'`\n', 'header end'
    assert b'/' not in name, 'no slash in names (as dpkg-deb)'
    assert int(mtime) == int(sys.argv[2]), 'member mtime is SOURCE_DATE_EPOCH'
    assert int(uid) == 0 and int(gid) == 0 and mode.strip() == b'100644', 'owner and mode'
    names.append(name.decode().strip())
    n = int(size)
    if names[-1] == 'debian-binary':
        assert data[pos + 60:pos + 60 + n] == b'2.0\n', 'debian-binary'
    pos += 60 + n + (n & 1)
print(' '.join(names))
EOF
expect_eq "$(cat "$T/ar.out")" "debian-binary control.tar.xz data.tar.xz" \
  "ar members in dpkg's order, member headers as dpkg-deb writes them"

# --- tar details of both archives ---------------------------------------------------------
tar_check() { # tar_check MEMBER: GNU headers only, "./" first, names "./", uid/gid 0
  python3 - "$deb" "$1" >/dev/null <<'EOF'
import io, lzma, sys, tarfile
data = open(sys.argv[1], 'rb').read()
pos = 8
while pos < len(data):
    name, n = data[pos:pos + 16].decode().strip(), int(data[pos + 48:pos + 58])
    if name == sys.argv[2]:
        raw = lzma.decompress(data[pos + 60:pos + 60 + n])
        break
    pos += 60 + n + (n & 1)
tf = tarfile.open(fileobj=io.BytesIO(raw))
members = tf.getmembers()
assert members[0].name == '.' or members[0].name == './', members[0].name
seen = set()
for m in members:
    hdr = raw[m.offset:m.offset + 512]
    assert hdr[257:265] == b'ustar  \0', 'GNU magic: %s' % m.name
    assert hdr[156:157] not in (b'x', b'g'), 'PAX header: %s' % m.name
    assert not m.pax_headers, 'PAX: %s' % m.name
    assert m.name.startswith('./') or m.name in ('.', './'), m.name
    assert m.uid == 0 and m.gid == 0, m.name
    parent = m.name.rstrip('/').rsplit('/', 1)[0] + '/'
    assert m.name in ('.', './') or parent == './' or parent in seen, 'parent first: ' + m.name
    seen.add(m.name if m.name.endswith('/') else m.name + ('/' if m.isdir() else ''))
print(len(members))
EOF
}
check "data.tar: GNU format, no PAX, ./ first, parents first, uid/gid 0" tar_check data.tar.xz
check "control.tar: GNU format, no PAX, ./ first, uid/gid 0" tar_check control.tar.xz

# --- control area --------------------------------------------------------------------------
mkdir -p "$T/ctrl" "$T/data"
dpkg-deb --control "$deb" "$T/ctrl"
dpkg-deb --extract "$deb" "$T/data"
installed_size=$(cd "$T/data" && python3 -c '
import math, os
total = 1                      # the top directory, as find() visits it
for root, dirs, files in os.walk("."):
    for d in dirs:
        p = os.path.join(root, d)
        total += math.ceil(os.lstat(p).st_size / 1024) if os.path.islink(p) else 1
    for f in files:
        total += math.ceil(os.lstat(os.path.join(root, f)).st_size / 1024)
print(total)')
cat >"$T/control.want" <<EOF
Package: pw-full
Version: 1.0-1
Architecture: all
Maintainer: Packwright Tests <tests@packwright.example.org>
Installed-Size: $installed_size
Depends: coreutils (>= 8.0), dash (>= 0.5) | bash (>= 5.0)
Recommends: pw-full-extras
Suggests: pw-full-docs
Conflicts: pw-full-legacy
Breaks: pw-full-plugin (<< 1.0)
Replaces: pw-full-legacy
Provides: pw-full-virtual
Section: utils
Priority: optional
Homepage: https://packwright.example.org/
Description: packwright test package using every content type and script
 This package exercises every content type (file, config,
 config-noreplace, dir, symlink, ghost, tree) and every maintainer script.
 .
 Each script records the PACKWRIGHT_ACTION it saw in /var/log/pw-full-actions.
   An indented line is kept verbatim.
EOF
check "control: fields in dpkg-gencontrol's order, Installed-Size as it computes it" \
  diff -u "$T/control.want" "$T/ctrl/control"
printf '/etc/pw-full/defaults\n/etc/pw-full/local.conf\n/etc/pw-full/pw-full.conf\n' >"$T/conffiles.want"
check "conffiles: config types and every other /etc file" diff -u "$T/conffiles.want" "$T/ctrl/conffiles"
check "md5sums match the data" sh -c "cd '$T/data' && md5sum --quiet -c '$T/ctrl/md5sums'"
expect_eq "$(wc -l <"$T/ctrl/md5sums")" "$(cd "$T/data" && find . -type f ! -path './etc/*' | wc -l)" \
  "md5sums lists every regular file but the conffiles"
for s in preinst postinst prerm postrm; do
  expect_eq "$(stat -c %a "$T/ctrl/$s")" 755 "$s is 0755"
  check "$s sets PACKWRIGHT_ACTION" grep -q 'export PACKWRIGHT_ACTION' "$T/ctrl/$s"
done
check "the bash postrm got a bash wrapper" sh -c "head -1 '$T/ctrl/postrm' | grep -qx '#!/bin/bash'"
check "changelog.Debian.gz: gzip without name or timestamp, max compression" \
  sh -c "file '$T/data/usr/share/doc/pw-full/changelog.Debian.gz' | grep -q 'max compression' &&
         ! file '$T/data/usr/share/doc/pw-full/changelog.Debian.gz' | grep -q 'was \"'"
check "changelog in Debian format" sh -c "zcat '$T/data/usr/share/doc/pw-full/changelog.Debian.gz' |
  dpkg-parsechangelog -l- -S Version | grep -qx 1.0-1"

# --- lintian: no errors; the tolerated warnings, each deliberate ---------------------------
# no-manual-page: the test binaries ship no man page (not what this test is about).
# non-standard-dir-perm, non-standard-file-perm: the fixture sets 0750/0640 on purpose to
#   test modes and groups on disk.
lintian --tag-display-limit 0 "$deb" >"$T/lintian" 2>&1 || true
check "lintian: no errors" sh -c "! grep -q '^E: ' '$T/lintian'"
unexpected=$(grep -E '^[WE]: ' "$T/lintian" |
  grep -vE ': (no-manual-page|non-standard-dir-perm|non-standard-file-perm) ' || true)
expect_eq "$unexpected" "" "lintian: no warnings beyond the tolerated ones"
sed 's/^/#   lintian: /' "$T/lintian"

# --- compression variants ---------------------------------------------------------------------
for c in gzip:9 xz:9 zstd none; do
  out=$T/c-${c%%:*}
  expect_exit 0 "build with --deb-compression $c" \
    "$PACKWRIGHT" build -f deb -o "$out" --deb-compression "$c" "$fixture"
  f=$out/pw-full_1.0-1_all.deb
  check "$c: dpkg-deb --contents reads it" sh -c "dpkg-deb --contents '$f' | grep ./usr/bin/pw-full >/dev/null"
  check "$c: dpkg-deb --info reads it" sh -c "dpkg-deb --field '$f' Package | grep -qx pw-full"
  members=$(ar t "$f" | tr '\n' ' ')
  case $c in
  gzip*) want="debian-binary control.tar.gz data.tar.gz " ;;
  xz*) want="debian-binary control.tar.xz data.tar.xz " ;;
  zstd) want="debian-binary control.tar.xz data.tar.zst " ;;
  none) want="debian-binary control.tar.gz data.tar " ;;
  esac
  expect_eq "$members" "$want" "$c: member names"
done
run "$PACKWRIGHT" build -f deb -o "$T/z2" --deb-compression zstd "$fixture"
expect_stderr "warning: 'pw-full': data.tar.zst needs dpkg >= 1.21.18: Debian 11" \
  "zstd warns that Debian 11's dpkg cannot read it"
run "$PACKWRIGHT" build -f deb -o "$T/x2" "$fixture"
check "no warning with the default compression" test ! -s "$T/stderr"
expect_eq "$(ar p "$T/c-gzip/pw-full_1.0-1_all.deb" data.tar.gz | od -An -tx1 -j4 -N4 | tr -d ' ')" \
  "00000000" "gzip member header carries no timestamp"
pw_done
