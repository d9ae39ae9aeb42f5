#!/usr/bin/env bash
# The packaging of packwright itself agrees with the build: one version everywhere, every
# library CMake links is a build dependency of debian/control and specs/packwright.spec,
# `cmake --install` installs both binaries and both man pages, the dist tarball is complete
# and reproducible, and pkg/ manifests may take binaries from packwright's build tree only.
. "$(dirname "$0")/lib.sh"
src=$PW_SOURCE_DIR
build=${PW_BUILD_DIR:?ctest sets PW_BUILD_DIR}

# --- one version everywhere -----------------------------------------------------------
version=$(sed -n 's/^project(packwright VERSION \([^ )]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || fatal "no project(packwright VERSION ...) in CMakeLists.txt"
expect_eq "$("$PACKWRIGHT" --version)" "packwright $version" "packwright --version is $version"
deb_version=$(cd "$src" && dpkg-parsechangelog -S Version)
expect_eq "${deb_version%-*}" "$version" "debian/changelog is for $version"
release=${deb_version##*-}
expect_eq "$(sed -n 's/^Version: *//p' "$src/specs/packwright.spec")" "$version" "spec Version"
expect_eq "$(sed -n 's/^Release: *\([^%]*\).*/\1/p' "$src/specs/packwright.spec")" "$release" \
  "spec Release matches the Debian revision"
grep -qE "^\* .* - $version-$release\$" "$src/specs/packwright.spec" &&
  ok "spec %changelog names $version-$release" || not_ok "spec %changelog lacks $version-$release"
for p in packwright packwright-toml; do
  m=$src/pkg/$p/package.json
  expect_eq "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["version"], d["release"], d["changelog"][0]["version"])' "$m")" \
    "$version $release $version-$release" "pkg/$p version, release and changelog"
  check "pkg/$p/copyright is debian/copyright" cmp -s "$src/pkg/$p/copyright" "$src/debian/copyright"
done
check "pkg/packwright-toml/lintian-overrides is debian's" \
  cmp -s "$src/pkg/packwright-toml/lintian-overrides" "$src/debian/packwright-toml.lintian-overrides"

# --- build dependencies follow CMake --------------------------------------------------
builddeps=$(awk '/^Build-Depends:/ { on = 1 } on && /^[A-Z][A-Za-z-]*:/ && !/^Build-Depends:/ { on = 0 }
                on' "$src/debian/control")
mods=$(cat "$src/CMakeLists.txt" "$src"/cmake/*.cmake |
       grep -oE 'pkg_check_modules\([A-Za-z0-9_]+ +REQUIRED( +IMPORTED_TARGET)? +[^ )]+' | awk '{print $NF}')
[ -n "$mods" ] || fatal "no pkg_check_modules() found"
for mod in $mods; do
  pc=$(pkg-config --variable=pcfiledir "$mod")/$mod.pc
  dev=$(dpkg-query -S "$pc" 2>/dev/null | cut -d: -f1 | head -1)
  [ -n "$dev" ] || { not_ok "no Debian package owns $pc"; continue; }
  grep -qE "(^|[ ,|])$dev([ ,(|]|\$)" <<<"$builddeps" && ok "Build-Depends has $dev ($mod)" ||
    not_ok "debian/control Build-Depends lacks $dev (pkg-config $mod)"
  grep -qE "^BuildRequires: *pkgconfig\($mod\)" "$src/specs/packwright.spec" &&
    ok "spec BuildRequires pkgconfig($mod)" || not_ok "spec lacks BuildRequires: pkgconfig($mod)"
done
if grep -qs musl "$src/cmake/PwStaticHelper.cmake"; then
  grep -q musl-tools <<<"$builddeps" && ok "Build-Depends has musl-tools" ||
    not_ok "the static helper uses musl: debian/control needs musl-tools"
fi
run bash -c "cd '$src' && dpkg-checkbuilddeps"
expect_eq "$rc" 0 "debian/control Build-Depends are installed (Debian 12, scripts/deps.sh)"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/stderr"

# --- cmake --install --------------------------------------------------------------------
run env DESTDIR="$T/inst" cmake --install "$build" --prefix /usr
expect_eq "$rc" 0 "cmake --install"
for f in usr/bin/packwright usr/share/man/man1/packwright.1 usr/share/man/man1/packwright-toml.1; do
  check "cmake --install puts /$f" test -f "$T/inst/$f"
done
check "installed packwright is executable" test -x "$T/inst/usr/bin/packwright"
if [ -x "${PW_TOML:-}" ]; then
  check "cmake --install puts /usr/bin/packwright-toml" test -x "$T/inst/usr/bin/packwright-toml"
fi

# --- dist tarball -----------------------------------------------------------------------
dist() { cmake -DPW_SRC="$src" -DPW_BIN="$1" -DPW_NAME="packwright-$version" \
  -DPW_OUT="$1/packwright-$version.tar.gz" -P "$src/cmake/PwDistArchive.cmake"; }
mkdir -p "$T/d1" "$T/d2"
run dist "$T/d1"; expect_eq "$rc" 0 "dist tarball"
(cd "$T" && run dist "$T/d2")
check "dist tarball is reproducible" cmp -s "$T/d1/packwright-$version.tar.gz" "$T/d2/packwright-$version.tar.gz"
tar -tzf "$T/d1/packwright-$version.tar.gz" | sed "s|^packwright-$version/||" | sort >"$T/dist.list"
for f in CMakeLists.txt LICENSE debian/control debian/rules specs/packwright.spec \
         doc/packwright.1 doc/packwright-toml.1 pkg/packwright/package.json src/cli/main.c; do
  grep -qxF "$f" "$T/dist.list" && ok "dist has $f" || not_ok "dist tarball lacks $f"
done
if [ -e "$src/.git" ] && command -v git >/dev/null; then
  missing=$(git -C "$src" -c core.quotePath=false ls-files | while read -r f; do
    [ -e "$src/$f" ] && ! grep -qxF "$f" "$T/dist.list" && echo "$f"; done || true)
  expect_eq "$missing" "" "dist has every file git tracks"
fi
expect_eq "$(grep -cE '^(build[^/]*|dist|obj-[^/]*)/' "$T/dist.list" || true)" 0 "dist has no build output"
run cmake --build "$build" --target dist
expect_eq "$rc" 0 "cmake --build BUILD --target dist"
check "the dist target writes BUILD/packwright-$version.tar.gz" \
  cmp -s "$build/packwright-$version.tar.gz" "$T/d1/packwright-$version.tar.gz"

# --- pkg/ manifests may take binaries from packwright's own build tree, nothing else -----
if [ -f "$(dirname "$(readlink -f "$PACKWRIGHT")")/CMakeCache.txt" ]; then
  mkdir -p "$T/proj/pkg/x"
  printf 'secret\n' >"$T/proj/secret"
  mk() { printf '{"name":"xx","version":"1","summary":"s","maintainer":"m <m@example.org>","license":"MIT","contents":[{"src":"%s","dst":"/x"}]}' "$1" >"$T/proj/pkg/x/package.json"; }
  mk "../../secret"
  expect_exit 3 "src outside the manifest directory and the build tree" "$PACKWRIGHT" build -o "$T/out" "$T/proj/pkg/x"
  expect_stderr "leaves the manifest's directory" "the escape is named"
  mk /etc/passwd
  expect_exit 3 "an absolute src outside the build tree" "$PACKWRIGHT" build -o "$T/out" "$T/proj/pkg/x"
  expect_stderr "'/etc/passwd' must be relative to the manifest's directory" "absolute src refused"
  tree_file=$(dirname "$(readlink -f "$PACKWRIGHT")")/CMakeCache.txt
  for f in "$(realpath --relative-to="$T/proj/pkg/x" "$tree_file")" "$tree_file"; do
    mk "$f"
    run "$PACKWRIGHT" build -f deb -o "$T/out" "$T/proj/pkg/x"
    if grep -qE "leaves the manifest's directory|must be relative" "$T/stderr"; then
      not_ok "a file of packwright's build tree is refused: $f"
    else ok "a file of packwright's build tree is accepted: ${f:0:3}..."; fi
  done
fi
pw_done
