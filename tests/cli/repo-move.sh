#!/usr/bin/env bash
# How packages get into the pool. `repo add --move` takes each file: on the repository's file
# system a file nobody else could tell from a copy (ours, 0644, one name) becomes the pool copy
# itself; anything else is copied; every named input is gone once published and stays when the
# publish fails, and no pool name is left sharing a file with an input. Without --move a copy
# on a file system that can clone (XFS here) shares the input's blocks and still never changes
# with it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-repo.sh"
R=$T/repo
ino() { stat -c %i "$1"; }
pool_rpm() { echo "$R/rpm/Packages/${1:0:1}/$1"; }
mk_deb pw-moved 1.0-1 all
mk_rpm pw-moved 1.0 1 noarch
mk_rpm pw-private 1.0 1 noarch
mk_rpm pw-linked 1.0 1 noarch
mk_rpm pw-symlinked 1.0 1 noarch
mk_rpm pw-clash 1.0 1 noarch
mkdir -p "$T/in2" "$T/keep"
chmod 0644 "$T"/in/*

# a file of ours, 0644, one name: the pool file is the input itself
deb=$T/in/pw-moved_1.0-1_all.deb
rpm=$T/in/pw-moved-1.0-1.noarch.rpm
deb_ino=$(ino "$deb")
rpm_ino=$(ino "$rpm")
rpm_sum=$(sha256sum <"$rpm")
expect_exit 0 "repo add --move" "$PACKWRIGHT" repo add --move "$R" "$deb" "$rpm"
check "the .deb input is gone" test ! -e "$deb"
check "the .rpm input is gone" test ! -e "$rpm"
expect_eq "$(ino "$R/deb/pool/main/p/pw-moved/pw-moved_1.0-1_all.deb")" "$deb_ino" \
  "the .deb became the pool file (no copy)"
expect_eq "$(ino "$(pool_rpm pw-moved-1.0-1.noarch.rpm)")" "$rpm_ino" \
  "the .rpm became the pool file (no copy)"
expect_eq "$(stat -c %h "$(pool_rpm pw-moved-1.0-1.noarch.rpm)")" 1 "the pool file has one name"
expect_eq "$(sha256sum <"$(pool_rpm pw-moved-1.0-1.noarch.rpm)")" "$rpm_sum" "with the same bytes"
check "the index has its pkgid" grep -q "$(echo "$rpm_sum" | cut -d' ' -f1)" \
  <(zcat "$R"/rpm/repodata/*-primary.xml.gz)
check "no second name left in the staging directory" test -z "$(ls -A "$R/.packwright/tmp")"
expect_exit 0 "the repository checks out" "$PACKWRIGHT" repo check --allow-unsigned "$R"

# what a moved file would give away is copied instead, and the input still goes
private=$T/in/pw-private-1.0-1.noarch.rpm
chmod 0600 "$private"
linked=$T/in/pw-linked-1.0-1.noarch.rpm
ln "$linked" "$T/keep/other-name.rpm"
mv "$T/in/pw-symlinked-1.0-1.noarch.rpm" "$T/keep/target.rpm"
ln -s "$T/keep/target.rpm" "$T/in/pw-symlinked-1.0-1.noarch.rpm"
private_ino=$(ino "$private")
linked_ino=$(ino "$linked")
expect_exit 0 "repo add --move of a 0600 file, a file with two names and a symbolic link" \
  "$PACKWRIGHT" repo add --move "$R" "$private" "$linked" "$T/in/pw-symlinked-1.0-1.noarch.rpm"
check "the 0600 input is gone" test ! -e "$private"
check "its pool file is a copy" test "$(ino "$(pool_rpm pw-private-1.0-1.noarch.rpm)")" != "$private_ino"
expect_eq "$(stat -c %a "$(pool_rpm pw-private-1.0-1.noarch.rpm)")" 644 "the copy is 0644"
check "the named link is gone" test ! -e "$linked"
expect_eq "$(ino "$T/keep/other-name.rpm")" "$linked_ino" "the file's other name stays"
check "the pool holds a copy of it, not the shared file" \
  test "$(ino "$(pool_rpm pw-linked-1.0-1.noarch.rpm)")" != "$linked_ino"
check "the symbolic link is gone" test ! -L "$T/in/pw-symlinked-1.0-1.noarch.rpm"
check "its target stays" test -f "$T/keep/target.rpm"
check "and was copied" cmp -s "$T/keep/target.rpm" "$(pool_rpm pw-symlinked-1.0-1.noarch.rpm)"
expect_exit 0 "the repository checks out" "$PACKWRIGHT" repo check --allow-unsigned "$R"

# failures keep the input: a write-once clash before anything is placed ...
cp "$(pool_rpm pw-moved-1.0-1.noarch.rpm)" "$T/in2/pw-moved-1.0-1.noarch.rpm"
mk_rpm pw-moved 1.0 1 noarch 'Requires: /bin/sh'
mv "$T/in/pw-moved-1.0-1.noarch.rpm" "$T/in2/clash.rpm"
expect_exit 1 "the same name and version with other bytes is refused" \
  "$PACKWRIGHT" repo add --move "$R" "$T/in2/clash.rpm"
check "the refused input stays" test -f "$T/in2/clash.rpm"
# ... and a publish that fails after the file was placed in the pool (no such signing key)
clash=$T/in/pw-clash-1.0-1.noarch.rpm
clash_ino=$(ino "$clash")
mkdir -m 700 "$T/empty-gnupg"
expect_exit 6 "a publish that cannot sign fails" \
  env GNUPGHOME="$T/empty-gnupg" "$PACKWRIGHT" repo add --move --sign-key NOSUCHKEY "$R" "$clash"
check "the input stays" test -f "$clash"
expect_eq "$(ino "$clash")" "$clash_ino" "as the same file"
expect_eq "$(stat -c %h "$clash")" 1 "and no pool name shares it"
check "the pool has no file by that name" test ! -e "$(pool_rpm pw-clash-1.0-1.noarch.rpm)"
expect_exit 0 "the repository still checks out" "$PACKWRIGHT" repo check --allow-unsigned "$R"

# a file already in the pool is indexed where it lies and never removed, --move or not
mkdir -p "$R/rpm/Packages/incoming"
mv "$clash" "$R/rpm/Packages/incoming/"
expect_exit 0 "repo add --move of a file already in the pool" \
  "$PACKWRIGHT" repo add --move "$R" "$R/rpm/Packages/incoming/pw-clash-1.0-1.noarch.rpm"
check "it stays" test -f "$R/rpm/Packages/incoming/pw-clash-1.0-1.noarch.rpm"
check "and is indexed" grep -q 'pw-clash' <(zcat "$R"/rpm/repodata/*-primary.xml.gz)

# without CAP_DAC_READ_SEARCH the file is linked by its name, then checked to be the one opened
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  U=$T/unprivileged
  mkdir -p "$U"
  mk_rpm pw-nobody 1.0 1 noarch
  mv "$T/in/pw-nobody-1.0-1.noarch.rpm" "$U/"
  chmod 0644 "$U/pw-nobody-1.0-1.noarch.rpm"
  chmod 0755 "$T"
  # the build tree may sit in a directory only root can enter: a copy of the binary (and of
  # the sanitizer's suppressions) that the user can reach
  cp "$PACKWRIGHT" "$U/packwright"
  lsan=${LSAN_OPTIONS:-}
  supp=$(printf '%s' "$lsan" | sed -n 's/.*suppressions=\([^:]*\).*/\1/p')
  if [ -n "$supp" ] && [ -f "$supp" ]; then
    cp "$supp" "$U/lsan.supp"
    lsan=$(printf '%s' "$lsan" | sed "s|suppressions=[^:]*|suppressions=$U/lsan.supp|")
  fi
  chown -R 65534:65534 "$U"
  nobody_ino=$(ino "$U/pw-nobody-1.0-1.noarch.rpm")
  expect_exit 0 "repo add --move as an unprivileged user" \
    setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$U" LSAN_OPTIONS="$lsan" \
    "$U/packwright" repo add --move "$U/repo" "$U/pw-nobody-1.0-1.noarch.rpm"
  check "its input is gone" test ! -e "$U/pw-nobody-1.0-1.noarch.rpm"
  expect_eq "$(ino "$U/repo/rpm/Packages/p/pw-nobody-1.0-1.noarch.rpm")" "$nobody_ino" \
    "and became the pool file"
else
  echo "# not root: the unprivileged part is not run"
fi

# another file system: copied, then removed (as mv does)
if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$T")" ]; then
  other=$(mktemp -d /dev/shm/pw-move.XXXXXX)
  cp "$T/in2/pw-moved-1.0-1.noarch.rpm" "$other/pw-moved-1.0-1.noarch.rpm"
  expect_exit 0 "repo add --move from another file system (already published: nothing new)" \
    "$PACKWRIGHT" repo add --move "$R" "$other/pw-moved-1.0-1.noarch.rpm"
  check "that input is gone too" test ! -e "$other/pw-moved-1.0-1.noarch.rpm"
  rm -rf "$other"
else
  echo "# /dev/shm is not another file system here: the cross-device part is not run"
fi

# clones: on XFS (reflink=1 by default) a copy shares the input's blocks, and a later change
# of the input leaves the pool file as it was
xfs_mounted=
if [ "$(id -u)" = 0 ] && command -v mkfs.xfs >/dev/null && command -v filefrag >/dev/null; then
  truncate -s 320M "$T/xfs.img"
  mkdir -p "$T/xfs"
  if mkfs.xfs -q "$T/xfs.img" >/dev/null 2>&1 && mount -o loop "$T/xfs.img" "$T/xfs" 2>/dev/null; then
    xfs_mounted=1
    trap 'umount "$T/xfs" 2>/dev/null || true; pw_cleanup' EXIT
  fi
fi
if [ -n "$xfs_mounted" ]; then
  X=$T/xfs
  mkdir -p "$X/in"
  # large enough to have blocks of its own beyond the head packwright reads into memory
  head -c $((3 * 1024 * 1024)) /dev/urandom >"$T/build/big.bin"
  mkdir -p "$T/build/pw-big"
  printf '{"name":"pw-big","version":"1.0","release":"1","arch":"noarch","summary":"big",
    "description":"A big one.","maintainer":"t <t@example.invalid>","license":"MIT",
    "contents":[{"type":"file","src":"big.bin","dst":"/usr/share/pw-big/big.bin"}]}' \
    >"$T/build/pw-big/package.json"
  cp "$T/build/big.bin" "$T/build/pw-big/"
  (cd "$T/build" && "$PACKWRIGHT" build --rpm-compression gzip:1 -f rpm -o "$X/in" pw-big >/dev/null)
  big=$X/in/pw-big-1.0-1.noarch.rpm
  big_sum=$(sha256sum <"$big")
  expect_exit 0 "repo add on XFS (a copy)" "$PACKWRIGHT" repo add "$X/repo" "$big"
  pooled=$X/repo/rpm/Packages/p/pw-big-1.0-1.noarch.rpm
  check "the input stays" test -f "$big"
  check "the pool file is another file" test "$(ino "$pooled")" != "$(ino "$big")"
  check "sharing the input's blocks (a clone)" grep -q shared <(filefrag -v "$pooled")
  printf 'changed' | dd of="$big" bs=1 seek=2000000 conv=notrunc status=none
  expect_eq "$(sha256sum <"$pooled")" "$big_sum" "a change to the input leaves the pool file as it was"
  expect_exit 0 "the XFS repository checks out" "$PACKWRIGHT" repo check --allow-unsigned "$X/repo"
  umount "$X"
else
  echo "# cannot mount an XFS image here (needs root, xfsprogs and loop devices): clones not tested"
fi
pw_done
