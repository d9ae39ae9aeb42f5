#!/usr/bin/env bash
# RPM packaging of packwright itself, end to end: specs/packwright.spec builds both packages
# with rpmbuild from the dist tarball (one Release build, -j2, no tests); signed with a
# throwaway key they pass rpmlint without errors; they install with rpm into throwaway roots
# and both binaries run there. `packwright build -f rpm pkg/...` gives the same payload paths.
. "$(dirname "$0")/lib.sh"
src=$PW_SOURCE_DIR
version=$("$PACKWRIGHT" --version | awk '{print $2}')
rarch=$(rpm --eval '%{_arch}')
# rpm's database and keyring (~/.rpmdb on Debian) and gpg stay inside the sandbox.
export HOME=$T/home GNUPGHOME=$T/gnupg
mkdir -p "$HOME" && mkdir -m 700 "$GNUPGHOME"
trap 'gpgconf --kill all 2>/dev/null || true; pw_cleanup' EXIT # no gpg-agent outlives the test

# --- rpmbuild from the dist tarball -----------------------------------------------------
mkdir -p "$T/rpm/SOURCES"
cmake -DPW_SRC="$src" -DPW_BIN="$T" -DPW_NAME="packwright-$version" \
  -DPW_OUT="$T/rpm/SOURCES/packwright-$version.tar.gz" -P "$src/cmake/PwDistArchive.cmake" ||
  fatal "dist tarball"
tar -C "$T" -xzf "$T/rpm/SOURCES/packwright-$version.tar.gz" "packwright-$version/specs"
# --nodeps: the BuildRequires are met by Debian packages, which rpm's database does not know.
# Debian's /usr/lib/rpm/brp-compress needs bash (it uses `read -d`), so it is run with bash.
start=$SECONDS
run rpmbuild -bb --noclean --nodeps --define "_topdir $T/rpm" --define "_smp_mflags -j2" \
  --define "packager packwright maintainers <packwright@example.org>" \
  --define "__brp_compress /bin/bash %{_rpmconfigdir}/brp-compress %{_prefix}" \
  "$T/packwright-$version/specs/packwright.spec"
expect_eq "$rc" 0 "rpmbuild -bb specs/packwright.spec ($((SECONDS - start))s)"
[ "$rc" -eq 0 ] || { tail -40 "$T/stdout" "$T/stderr" | sed 's/^/#   /'; fatal "no packages"; }
rpm_cli=$T/rpm/RPMS/$rarch/packwright-$version-1.$rarch.rpm
rpm_toml=$T/rpm/RPMS/$rarch/packwright-toml-$version-1.$rarch.rpm
check "packwright .rpm built" test -f "$rpm_cli"
check "packwright-toml .rpm built" test -f "$rpm_toml"

# --- sign, rpmlint ----------------------------------------------------------------------
gpg --batch --passphrase '' --quick-gen-key "packwright test <test@example.org>" ed25519 sign never \
  2>/dev/null || fatal "gpg key"
gpg --batch --armor --export >"$T/key.asc"
run rpmsign --addsign --define "__gpg $(command -v gpg)" --define "_gpg_name packwright test" \
  "$rpm_cli" "$rpm_toml"
expect_eq "$rc" 0 "rpmsign --addsign"
rpm --import "$T/key.asc"
run rpm -K "$rpm_cli" "$rpm_toml"
expect_eq "$(grep -c 'digests signatures OK' "$T/stdout")" 2 "rpm -K: digests and signatures OK"
# Warnings are printed, not failed. Those Debian's rpmlint 2.4 gives here: unstripped-binary
# (brp-strip keeps the symbol table; Fedora's find-debuginfo strips), no-url-tag (no public
# home page yet), manpage-not-compressed bz2 and no-manual-page-for-binary (Debian's rpmlint
# expects bzip2 man pages; rpm distributions gzip them), invalid-license (its list has
# Fedora's old names such as "ASL 2.0", not SPDX), position-independent-executable-suggested
# (the static helper), no-buildroot-tag and invalid-url Source0 (modern rpm needs neither).
run rpmlint -r "$src/specs/packwright.rpmlintrc" "$rpm_cli" "$rpm_toml" "$src/specs/packwright.spec"
expect_eq "$rc" 0 "rpmlint reports no error"
grep -E ': [EW]: ' "$T/stdout" | sed 's/^/#   rpmlint: /'
expect_stdout " 0 errors" "rpmlint counts 0 errors"

rpm_files() { rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}/%{FILEGROUPNAME} %{FILENAMES}\n]' "$1" |
  grep -v ' /usr/lib/\.build-id' | sort -k3; }
rpm_files "$rpm_cli" >"$T/rb-cli.files"
rpm_files "$rpm_toml" >"$T/rb-toml.files"
for want in "-rwxr-xr-x root/root /usr/bin/packwright" \
            "-rw-r--r-- root/root /usr/share/man/man1/packwright.1.gz"; do
  grep -qxF -- "$want" "$T/rb-cli.files" && ok "packwright.rpm has ${want##* }" ||
    not_ok "packwright.rpm lacks '$want'"
done
for want in "-rwxr-xr-x root/root /usr/bin/packwright-toml" \
            "-rw-r--r-- root/root /usr/share/man/man1/packwright-toml.1.gz"; do
  grep -qxF -- "$want" "$T/rb-toml.files" && ok "packwright-toml.rpm has ${want##* }" ||
    not_ok "packwright-toml.rpm lacks '$want'"
done
expect_eq "$(rpm -qp --requires "$rpm_toml" | grep -v '^rpmlib(' || true)" "" \
  "packwright-toml requires nothing but rpmlib features"

# --- install and run --------------------------------------------------------------------
rpmr() { local root=$1; shift; rpm --root "$root" --dbpath /var/lib/rpm "$@"; }
# packwright-toml is static: an empty root with only rpm's database is enough, and rpm checks
# its (rpmlib-only) requirements and the signature for real.
root=$T/root-toml
mkdir -p "$root"
rpmr "$root" --initdb && rpmr "$root" --import "$T/key.asc"
run rpmr "$root" -i "$rpm_toml"
expect_eq "$rc" 0 "rpm -i packwright-toml into an empty root"
run chroot "$root" /usr/bin/packwright-toml --version
expect_eq "$rc" 0 "packwright-toml --version in the rpm root"
expect_stdout "$version" "packwright-toml prints $version"
check "packwright-toml man page installed" test -s "$root/usr/share/man/man1/packwright-toml.1.gz"

# packwright needs shared libraries. This machine builds the rpm against Debian 12's, so the
# root is the Debian 12 minbase root with those libraries installed by apt (the packages
# holding what the binary loads). rpm's database in that root does not know dpkg's packages,
# hence --nodeps; instead every shared-library requirement rpmbuild recorded is checked
# against the root's linker cache, and the binary must run there.
root=$T/root-cli
mkdir -p "$T/x" && (cd "$T/x" && rpm2cpio "$rpm_cli" | cpio -idm --quiet ./usr/bin/packwright)
pw_debroot_extra_fresh "$root" $(pw_runtime_debs "$T/x/usr/bin/packwright") libcurl4 libarchive13 # dlopen'ed
rpmr "$root" --initdb && rpmr "$root" --import "$T/key.asc"
run rpmr "$root" -i --nodeps "$rpm_cli" "$rpm_toml"
expect_eq "$rc" 0 "rpm -i --nodeps packwright, packwright-toml into a Debian root"
have=$(chroot "$root" /sbin/ldconfig -p)
for req in $(rpm -qp --requires "$rpm_cli" | grep -oE '^lib[^ (]+\.so[^ (]*' | sort -u); do
  grep -qF "$req " <<<"$have" && ok "root provides $req" || not_ok "root lacks $req that packwright requires"
done
run chroot "$root" packwright --version
expect_eq "$(cat "$T/stdout")" "packwright $version" "packwright --version in the rpm-installed root"
check "packwright man page installed" test -s "$root/usr/share/man/man1/packwright.1.gz"
expect_eq "$(rpmr "$root" -q packwright packwright-toml | xargs)" \
  "packwright-$version-1.$rarch packwright-toml-$version-1.$rarch" "rpm database lists both"

# --- natively: the same payload paths ---------------------------------------------------
tree=$T/packwright-$version
tar -C "$T" -xzf "$T/rpm/SOURCES/packwright-$version.tar.gz"
bdir=$(echo "$T"/rpm/BUILD/packwright-$version/redhat-build)
if [ -x "$bdir/packwright" ]; then
  run env -C "$tree" "$bdir/packwright" build -f rpm -o "$T/native" --var "build_dir=$bdir" \
    --sign-key "packwright test" pkg/packwright pkg/packwright-toml
  expect_eq "$rc" 0 "packwright build -f rpm --sign-key pkg/packwright pkg/packwright-toml"
  sed 's/^/#   /' "$T/stderr"
  # rpmlint reads one -r file: the spec's findings plus pkg/packwright's own.
  cat "$src/specs/packwright.rpmlintrc" "$src/pkg/packwright/rpmlintrc" >"$T/native.rpmlintrc"
  run rpmlint -r "$T/native.rpmlintrc" "$T"/native/*.rpm
  expect_eq "$rc" 0 "rpmlint reports no error on the native rpms"
  grep -E ': [EW]: ' "$T/stdout" | sed 's/^/#   rpmlint: /'
  for p in packwright packwright-toml; do
    nat=$T/native/$p-$version-1.$rarch.rpm
    [ -f "$nat" ] || { not_ok "native $p rpm missing"; continue; }
    key=$([ $p = packwright ] && echo cli || echo toml)
    for f in "/usr/bin/$p" "/usr/share/man/man1/$p.1.gz"; do
      expect_eq "$(rpm_files "$nat" | awk -v f="$f" '$3 == f' )" \
        "$(awk -v f="$f" '$3 == f' "$T/rb-$key.files")" "native $p.rpm has $f as rpmbuild's"
    done
  done
else
  not_ok "rpmbuild's build tree is gone (need %{_builddir} kept): $bdir"
fi
pw_done
