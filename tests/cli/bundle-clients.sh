#!/usr/bin/env bash
# A bundle made on one side of the air gap from a signed packwright repository (apt and
# rpm-md), verified and imported into an empty directory on the other side, installs with apt
# (inside a throwaway Debian root) and with dnf (installroot, gpgcheck and repo_gpgcheck on).
# A newer bundle replaces an earlier import in one rename.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mirror.sh"

mirror_keys
KEY=$SITE_KEY # mk_rpm signs the packages with the site key
mk_deb app 1.0 amd64 'Depends: libfoo (>= 1.1)'
mk_deb libfoo 1.2 amd64
mk_rpm app 1.0 1 noarch 'Requires: libfoo >= 1.1'
mk_rpm libfoo 1.2 1 x86_64
S=$T/source
expect_exit 0 "publish the source repository" \
  "$PACKWRIGHT" repo add --sign-key "$SITE_KEY" "$S" "$T"/in/*.deb "$T"/in/*.rpm

B=$T/site.bundle
expect_exit 0 "bundle create" "$PACKWRIGHT" bundle create "$S" "$B"
expect_stdout "manifest signed by $SITE_KEY" "the manifest is signed with the repository's key"
check "one zstd-compressed tar" sh -c "zstd -qdc '$B' | tar -tf - >'$T/members'"
check "the manifest comes first" sh -c "head -1 '$T/members' | grep -qx packwright-bundle/manifest"
for f in packwright-bundle/manifest.asc packwright-bundle/key.gpg repo/deb/dists/stable/InRelease \
  repo/deb/pool/main/a/app/app_1.0_amd64.deb repo/rpm/repodata/repomd.xml \
  repo/rpm/repodata/repomd.xml.asc repo/rpm/Packages/a/app-1.0-1.noarch.rpm \
  repo/packwright-archive-keyring.gpg repo/packwright.sources repo/packwright.repo; do
  check "the bundle holds $f" grep -qx "$f" "$T/members"
done
check "no older generation or state is bundled" sh -c "! grep -qE '/\.gen/|\.packwright' '$T/members'"
zstd -qdc "$B" | tar -xOf - packwright-bundle/manifest >"$T/manifest"
check "every manifest line is SHA256 SIZE NAME" sh -c \
  "! tail -n +2 '$T/manifest' | grep -qvE '^[0-9a-f]{64} [0-9]+ (repo/.+|packwright-bundle/key.gpg)\$'"
expect_eq "$(tail -n +2 "$T/manifest" | wc -l)" "$(grep -vc '^packwright-bundle/manifest' "$T/members")" \
  "the manifest lists every member but itself and its signature"
size=$(stat -c %s "$S/deb/pool/main/a/app/app_1.0_amd64.deb")
sum=$(sha256sum "$S/deb/pool/main/a/app/app_1.0_amd64.deb" | cut -d' ' -f1)
check "an entry is SHA256 SIZE NAME" grep -qx "$sum $size repo/deb/pool/main/a/app/app_1.0_amd64.deb" "$T/manifest"

expect_exit 0 "bundle verify without a keyring" "$PACKWRIGHT" bundle verify "$B"
expect_stdout "key included in the bundle only" "says the check was against the included key only"
expect_stdout "integrity, not origin" "and what that means"
expect_exit 0 "bundle verify --keyring" "$PACKWRIGHT" bundle verify --keyring "$T/site.gpg" "$B"
expect_stdout "against the trusted keyring" "says the signer is trusted"
expect_exit 6 "bundle verify with another keyring" \
  "$PACKWRIGHT" bundle verify --keyring "$T/upstream.gpg" "$B"
expect_stderr "manifest signature: bad or untrusted signature" "an untrusted signer is refused"

# --- the far side: import into an empty directory, serve, install ---
F=$T/far
mkdir "$F"
expect_exit 0 "bundle import into an empty directory" \
  "$PACKWRIGHT" bundle import --keyring "$T/site.gpg" "$B" "$F"
expect_exit 0 "repo check accepts the import" "$PACKWRIGHT" repo check --keyring "$T/site.gpg" "$F"
check "no staging directory left" sh -c "! ls -d '$T'/far.import-* 2>/dev/null"

apt_root "$T/root" "$F"
apt_install "$T/root" "the import" app app libfoo

repo_serve "$F"
dnf_setup "$URL"
run dnf_run install app
check "dnf install app from the import" test "$rc" -eq 0
check "no warnings from dnf" no_warnings "$T/stdout" "$T/stderr"
check "app and libfoo are installed" rpm --root "$D/root" -q app libfoo

# --- a newer bundle replaces the earlier import ---
mk_deb libfoo 1.3 amd64
expect_exit 0 "publish a newer libfoo" "$PACKWRIGHT" repo add "$S" "$T/in/libfoo_1.3_amd64.deb"
expect_exit 0 "bundle it" "$PACKWRIGHT" bundle create "$S" "$T/newer.bundle"
expect_exit 0 "import over the earlier import" \
  "$PACKWRIGHT" bundle import --keyring "$T/site.gpg" "$T/newer.bundle" "$F"
check "the newer package is served" grep -q '^Version: 1.3$' "$F/deb/dists/stable/main/binary-amd64/Packages"
expect_exit 0 "repo check accepts the new import" "$PACKWRIGHT" repo check --keyring "$T/site.gpg" "$F"
expect_exit 1 "import into a publishing repository" \
  "$PACKWRIGHT" bundle import --keyring "$T/site.gpg" "$B" "$S"
expect_stderr "neither empty nor an earlier import" "is refused"
pw_done
