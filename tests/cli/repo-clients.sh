#!/usr/bin/env bash
# Packages built by `packwright build --sign-key` (the project's own pkg/packwright-toml and a
# test pair with a dependency), published signed by `packwright repo add` and served on
# 127.0.0.1, installed by real clients: apt with its whole state in $T
# (signed-by keyring, no [trusted=yes]), apt inside a throwaway Debian root, and dnf into an
# installroot with gpgcheck=1 and repo_gpgcheck=1. Neither may warn.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-repo.sh"
repo_key
FX=$PW_SOURCE_DIR/tests/fixtures/repo
[ -x "$PW_BUILD_DIR/ship/packwright-toml" ] || fatal "no $PW_BUILD_DIR/ship/packwright-toml"
expect_exit 0 "packwright build --sign-key" \
  "$PACKWRIGHT" build -o "$T/dist" --sign-key "$KEY" --var build_dir="$PW_BUILD_DIR" \
  "$PW_SOURCE_DIR/pkg/packwright-toml" "$FX/pw-repo-lib" "$FX/pw-repo-app"
check "the rpms are signed" sh -c "rpm -qp --qf '%{DSAHEADER:pgpsig}\\n' '$T'/dist/*.rpm 2>/dev/null | grep -c EdDSA | grep -qx 3"
R=$T/repo
expect_exit 0 "publish signed" "$PACKWRIGHT" repo add --sign-key "$KEY" "$R" "$T"/dist/*.deb "$T"/dist/*.rpm
repo_serve "$R"

# apt, isolated state on this machine: update, resolve, download (hash checked)
apt_setup "$URL"
run apt_run apt-get update
check "apt-get update succeeds" test "$rc" -eq 0
check "apt-get update prints no warnings" no_warnings "$T/stdout" "$T/stderr"
check "by-hash was used" grep -q 'by-hash/SHA512/' "$T/http.log"
run apt_run apt-get install -s pw-repo-app
check "apt resolves pw-repo-app with its dependency" grep -q '^Inst pw-repo-lib ' "$T/stdout"
check "with the epoch" grep -q '^Inst pw-repo-app (1:2.1-3 ' "$T/stdout"
check "no warnings from the simulated install" no_warnings "$T/stderr"
mkdir -p "$T/dl"
run sh -c "cd '$T/dl' && APT_CONFIG='$A/apt.conf' apt-get download pw-repo-app pw-repo-lib"
check "apt-get download verifies and fetches" test "$rc" -eq 0 -a -n "$(ls "$T/dl"/pw-repo-app_*.deb)"
check "no warnings from apt-get download" no_warnings "$T/stderr"

# an update after the next publish sees the new package (Date, by-hash, InRelease agree)
mk_deb pw-extra 1.0-1 amd64
expect_exit 0 "publish one more" "$PACKWRIGHT" repo add "$R" "$T/in/pw-extra_1.0-1_amd64.deb"
run apt_run apt-get update
check "second update is clean" sh -c "[ $rc -eq 0 ] && ! grep -qiE '^(W|E):' '$T/stdout' '$T/stderr'"
run apt_run apt-cache policy pw-extra
check "apt sees the new package" grep -q 'Candidate: 1.0-1' "$T/stdout"

# apt for real, inside a throwaway Debian root (chroot): maintainer scripts never touch /etc
root=$T/debroot
apt_root_setup "$root" "$URL"
run chroot "$root" apt-get update
check "apt-get update in the Debian root" test "$rc" -eq 0
check "no warnings there" no_warnings "$T/stdout" "$T/stderr"
# no pty in the chroot: dpkg logs through a pipe instead
run chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Use-Pty=0 install -y pw-repo-app packwright-toml
check "apt-get install in the Debian root" test "$rc" -eq 0
check "no apt warnings on install" sh -c "! grep -qE '^(W|E):' '$T/stdout' '$T/stderr'"
check "installed files are there" test -x "$root/usr/bin/pw-repo-app" -a -f "$root/usr/share/pw-repo-lib/lib.txt"
check "the conffile too" test -f "$root/etc/pw-repo-app.conf"
check "dpkg knows all three" sh -c "chroot '$root' dpkg-query -W pw-repo-app pw-repo-lib packwright-toml >/dev/null"
check "the installed packwright-toml runs" sh -c "chroot '$root' packwright-toml --version | grep -q '^packwright-toml '"

# dnf into an installroot, gpgcheck=1 and repo_gpgcheck=1
dnf_setup "$URL"
run dnf_run install pw-repo-app packwright-toml
check "dnf install succeeds" test "$rc" -eq 0
check "dnf prints no warnings" no_warnings "$T/stdout" "$T/stderr"
check "repomd.xml.asc was fetched" grep -q 'repomd.xml.asc' "$T/http.log"
check "installed from the repository" test -x "$D/root/usr/bin/pw-repo-app" -a -f "$D/root/usr/share/pw-repo-lib/lib.txt"
check "rpm database has all three" sh -c "rpm --root '$D/root' -q pw-repo-app pw-repo-lib packwright-toml >/dev/null"
check "the installed packwright-toml runs" sh -c "'$D/root/usr/bin/packwright-toml' --version | grep -q '^packwright-toml '"

# a tampered repomd.xml is refused by dnf (repo_gpgcheck) as by repo check
gen=$(readlink "$R/rpm/repodata")
cp "$R/rpm/$gen/repomd.xml" "$T/repomd.keep"
sed -i 's/<revision>/<revision>9/' "$R/rpm/$gen/repomd.xml"
run dnf_run --refresh makecache
check "dnf refuses metadata that does not match repomd.xml.asc" test "$rc" -ne 0
cp "$T/repomd.keep" "$R/rpm/$gen/repomd.xml"
pw_done
