#!/usr/bin/env bash
# Identical inputs and SOURCE_DATE_EPOCH give byte-identical .deb files: built twice, at
# different times, from different working directories and from two copies of the sources
# with different mtimes, permissions beyond the x bit, and umask; for every compression.
. "$(dirname "$0")/lib.sh"

# Two copies of the fixture that differ in everything a checkout may differ in.
cp -a "$PW_SOURCE_DIR/tests/fixtures/full" "$T/a"
cp -a "$PW_SOURCE_DIR/tests/fixtures/full" "$T/b"
find "$T/b" -exec touch -h -d '2031-05-06 07:08:09' {} +
chmod g+w "$T/b/files/etc/pw-full.conf" "$T/b/files/tree/data.txt"
mkdir -p "$T/cwd1" "$T/cwd2/deeper"

for c in xz gzip zstd none; do
  (cd "$T/cwd1" && umask 022 && "$PACKWRIGHT" build -f deb --deb-compression "$c" -o "$T/one-$c" ../a) \
    >/dev/null 2>&1 || not_ok "$c: first build"
  sleep 1.1 # a different wall-clock second for the second build
  (cd "$T/cwd2/deeper" && umask 077 && "$PACKWRIGHT" build -f deb --deb-compression "$c" -o "$T/two-$c" "$T/b") \
    >/dev/null 2>&1 || not_ok "$c: second build"
  check "$c: byte-identical across time, directory, mtimes, modes and umask" \
    cmp "$T/one-$c/pw-full_1.0-1_all.deb" "$T/two-$c/pw-full_1.0-1_all.deb"
done

# The check can fail: another SOURCE_DATE_EPOCH gives other bytes.
(cd "$T/cwd1" && "$PACKWRIGHT" build -f deb --source-date-epoch 1600000000 -o "$T/other" ../a) \
  >/dev/null 2>&1 || not_ok "build with another SOURCE_DATE_EPOCH"
check "another SOURCE_DATE_EPOCH gives another file" \
  sh -c "! cmp -s '$T/one-xz/pw-full_1.0-1_all.deb' '$T/other/pw-full_1.0-1_all.deb'"
expect_eq "$(dpkg-deb --contents "$T/other/pw-full_1.0-1_all.deb" | awk 'NR==1 {print $4}')" \
  "2020-09-13" "mtimes follow --source-date-epoch"
pw_done
