#!/usr/bin/env bash
# Debian packaging of packwright itself, end to end: the dist tarball builds with
# `dpkg-buildpackage -b -us -uc` (one Release build, -j2, no tests), lintian finds no error,
# both packages install with dpkg into a throwaway Debian 12 root whose packages satisfy
# their Depends for real, and both binaries run there. Then `packwright build pkg/packwright
# pkg/packwright-toml` packages the binaries of that same build natively, and its .debs must
# hold the same files, modes and dependencies as debhelper's, lint clean and run too.
. "$(dirname "$0")/lib.sh"
src=$PW_SOURCE_DIR
version=$("$PACKWRIGHT" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)

# --- dpkg-buildpackage from the dist tarball --------------------------------------------
cmake -DPW_SRC="$src" -DPW_BIN="$T" -DPW_NAME="packwright-$version" \
  -DPW_OUT="$T/packwright_$version.orig.tar.gz" -P "$src/cmake/PwDistArchive.cmake" ||
  fatal "dist tarball"
mkdir -p "$T/deb"
tar -C "$T/deb" -xzf "$T/packwright_$version.orig.tar.gz"
mv "$T/packwright_$version.orig.tar.gz" "$T/deb/"
tree=$T/deb/packwright-$version
start=$SECONDS
run env -C "$tree" DEB_BUILD_OPTIONS="nocheck parallel=2 noautodbgsym" \
  dpkg-buildpackage -b -us -uc
expect_eq "$rc" 0 "dpkg-buildpackage -b -us -uc ($((SECONDS - start))s)"
[ "$rc" -eq 0 ] || { tail -40 "$T/stdout" "$T/stderr" | sed 's/^/#   /'; fatal "no packages"; }
deb_cli=$T/deb/packwright_${version}-1_$arch.deb
deb_toml=$T/deb/packwright-toml_${version}-1_$arch.deb
check "packwright .deb built" test -f "$deb_cli"
check "packwright-toml .deb built" test -f "$deb_toml"

# initial-upload-closes-no-bugs: these packages are not uploaded to Debian, so there is no ITP
# bug to close. Any other warning is printed below.
run lintian --fail-on error --suppress-tags initial-upload-closes-no-bugs \
  "$T/deb/packwright_${version}-1_$arch.changes"
expect_eq "$rc" 0 "lintian reports no error on the dpkg-buildpackage .debs"
sed 's/^/#   lintian: /' "$T/stdout"

# "TYPE MODE OWNER PATH" of every member, for comparing packages.
deb_files() { dpkg-deb --fsys-tarfile "$1" | tar -tvf - |
  awk '{ t = substr($1, 1, 1); p = $6; sub(/^\.\//, "/", p); sub(/\/$/, "", p)
         if (p == "") p = "/"; print t, $1, $2, p }' | sort -k4; }
deb_depnames() { dpkg-deb -f "$1" "$2" | tr ',' '\n' | sed 's/(.*//; s/|.*//; s/[[:space:]]//g' |
  sed '/^$/d' | sort -u; }

deb_files "$deb_cli" >"$T/dh-cli.files"
deb_files "$deb_toml" >"$T/dh-toml.files"
for want in "-rwxr-xr-x root/root /usr/bin/packwright" \
            "-rw-r--r-- root/root /usr/share/man/man1/packwright.1.gz" \
            "-rw-r--r-- root/root /usr/share/doc/packwright/copyright" \
            "-rw-r--r-- root/root /usr/share/doc/packwright/changelog.Debian.gz"; do
  grep -qF -- "$want" "$T/dh-cli.files" && ok "packwright.deb has ${want##* }" ||
    not_ok "packwright.deb lacks '$want'"
done
for want in "-rwxr-xr-x root/root /usr/bin/packwright-toml" \
            "-rw-r--r-- root/root /usr/share/man/man1/packwright-toml.1.gz" \
            "-rw-r--r-- root/root /usr/share/doc/packwright-toml/copyright"; do
  grep -qF -- "$want" "$T/dh-toml.files" && ok "packwright-toml.deb has ${want##* }" ||
    not_ok "packwright-toml.deb lacks '$want'"
done
expect_eq "$(dpkg-deb -f "$deb_toml" Depends)" "" "packwright-toml depends on nothing"

# --- install into a throwaway root and run ----------------------------------------------
# The root is Debian 12 minbase plus the packages packwright.deb depends on, installed by apt
# inside the root when the cache was prepared (tests/lib/prepare.sh), so dpkg below checks
# the real Depends: nothing is forced.
install_and_run() { # LABEL ROOT DEB...
  local label=$1 root=$2; shift 2
  pw_debroot_extra_fresh "$root" $(for d in "$@"; do deb_depnames "$d" Depends; done)
  run dpkg --root="$root" -i "$@"
  expect_eq "$rc" 0 "$label: dpkg --root -i installs both packages"
  [ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/stderr" | tail -20
  expect_eq "$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${db:Status-Abbrev}' packwright 2>/dev/null)" \
    "ii " "$label: packwright is installed, dependencies satisfied"
  run chroot "$root" packwright --version
  expect_eq "$(cat "$T/stdout")" "packwright $version" "$label: packwright --version in the root"
  run chroot "$root" packwright-toml --version
  expect_eq "$rc" 0 "$label: packwright-toml --version in the root"
  expect_stdout "$version" "$label: packwright-toml prints $version"
  check "$label: man page installed" test -s "$root/usr/share/man/man1/packwright.1.gz"
}
install_and_run "dpkg-buildpackage" "$T/root-dh" "$deb_toml" "$deb_cli"

# --- the same packages built natively by packwright -------------------------------------
# pkg/*/package.json take the binaries and man pages from ${build_dir}: here the tree that
# dpkg-buildpackage just built, with the packwright built there (it may read its own tree).
obj=$(echo "$tree"/obj-*)
run env -C "$tree" "$obj/packwright" build -f deb -o "$T/native" --var "build_dir=$obj" \
  pkg/packwright pkg/packwright-toml
expect_eq "$rc" 0 "packwright build pkg/packwright pkg/packwright-toml"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/stderr"
nat_cli=$T/native/packwright_${version}-1_$arch.deb
nat_toml=$T/native/packwright-toml_${version}-1_$arch.deb
if [ -f "$nat_cli" ] && [ -f "$nat_toml" ]; then
  for pair in "cli $nat_cli $deb_cli" "toml $nat_toml $deb_toml"; do
    set -- $pair
    deb_files "$2" >"$T/nat-$1.files"
    run diff -u "$T/dh-$1.files" "$T/nat-$1.files"
    expect_eq "$rc" 0 "native $(basename "$2") has the files, modes and owners of debhelper's"
    sed 's/^/#   /' "$T/stdout"
    for f in Package Version Architecture Section Priority Maintainer Description; do
      expect_eq "$(dpkg-deb -f "$2" "$f")" "$(dpkg-deb -f "$3" "$f")" "native $1 $f matches"
    done
    for f in Depends Recommends; do
      expect_eq "$(deb_depnames "$2" "$f" | xargs)" "$(deb_depnames "$3" "$f" | xargs)" \
        "native $1 $f names match debhelper's"
    done
  done
  run lintian --fail-on error --suppress-tags initial-upload-closes-no-bugs "$nat_cli" "$nat_toml"
  expect_eq "$rc" 0 "lintian reports no error on the native .debs"
  sed 's/^/#   lintian: /' "$T/stdout"
  install_and_run "native" "$T/root-native" "$nat_toml" "$nat_cli"
else
  not_ok "native .debs missing: $(ls "$T/native" 2>&1 | xargs)"
fi
pw_done
