#!/usr/bin/env bash
# The example packages end to end, as a node-image build meets them: pkg/* built and signed
# (gVisor from a release served on 127.0.0.1), published signed by `packwright repo add`,
# served on 127.0.0.1, then installed from that repository by apt-get inside a throwaway
# Debian root (keyring from the repository, Signed-By, no [trusted=yes]) and by dnf into an
# installroot with gpgcheck=1 and repo_gpgcheck=1. Neither client may warn, and both must
# leave the gVisor runtime registered in config.toml.
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/lib/httpd.sh"
. "$PW_SOURCE_DIR/tests/fixtures/rpm/helpers.sh"
. "$(dirname "$0")/lib-containerd.sh"
. "$(dirname "$0")/lib-repo.sh"

if [ "$(id -u)" != 0 ]; then
  ok "# skip: installing into throwaway roots needs root"
  pw_done
fi
repo_key
export PACKWRIGHT_CACHE=$T/cache
gvisor_release "$T/www" "$GV_VERSION" tarball
pw_httpd_start "$T/www"
trap 'gpgconf --kill gpg-agent >/dev/null 2>&1 || true; pw_httpd_stop; repo_stop_servers; pw_cleanup' EXIT
GV_BASE=$PW_HTTPD_URL/release
build_packages "$T/dist" --sign-key "$KEY"
pw_httpd_stop
examples="containerd-gvisor containerd-config containerd-nofile-limit"
for p in $examples packwright-toml; do
  check "$p was built as .deb and .rpm" test -n "$(ls "$T"/dist/"$p"_*.deb)" -a -n "$(ls "$T"/dist/"$p"-[0-9]*.rpm)"
done

R=$T/repo
expect_exit 0 "publish them signed" "$PACKWRIGHT" repo add --sign-key "$KEY" "$R" "$T"/dist/*.deb "$T"/dist/*.rpm
expect_exit 0 "the repository checks out" "$PACKWRIGHT" repo check "$R"
repo_serve "$R"
RUNTIME='plugins."io.containerd.grpc.v1.cri".containerd.runtimes.gvisor.runtime_type'

# apt-get in a Debian root, trusting only the repository's own key
root=$T/debroot
apt_root_setup "$root" "$URL"
check "the .sources names the key, not [trusted=yes]" \
  sh -c "grep -q '^Signed-By: /etc/apt/keyrings/packwright-archive-keyring.gpg' '$root/etc/apt/sources.list.d/packwright.sources' && ! grep -qi trusted '$root/etc/apt/sources.list.d/packwright.sources'"
run chroot "$root" apt-get update
check "apt-get update" test "$rc" -eq 0
check "apt-get update prints no warnings" no_warnings "$T/stdout" "$T/stderr"
# no pty in the chroot: dpkg logs through a pipe instead
run chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Use-Pty=0 install -y $examples
check "apt-get install $examples" test "$rc" -eq 0
check "apt-get install prints no warnings" no_warnings "$T/stdout" "$T/stderr"
check "apt pulled in packwright-toml" sh -c "chroot '$root' dpkg-query -W packwright-toml >/dev/null"
check "runsc is installed" test -x "$root/usr/bin/runsc"
run chroot "$root" packwright-toml get "$CFG" "$RUNTIME"
expect_eq "$(cat "$T/stdout")" io.containerd.runsc.v1 "apt: the gVisor runtime is registered in config.toml"

# dnf into an installroot (a Debian root for the scriptlets' shell), gpgcheck=1, repo_gpgcheck=1
dnf_setup "$URL"
rpm_root "$D/root"
run dnf_run install $examples
check "dnf install $examples" test "$rc" -eq 0
check "dnf prints no warnings" no_warnings "$T/stdout" "$T/stderr"
check "repomd.xml.asc was fetched" grep -q 'repomd.xml.asc' "$T/http.log"
check "dnf pulled in packwright-toml" sh -c "rpm --root '$D/root' -q packwright-toml >/dev/null"
check "runsc is installed" test -x "$D/root/usr/bin/runsc"
run "$D/root/usr/bin/packwright-toml" get "$D/root$CFG" "$RUNTIME"
expect_eq "$(cat "$T/stdout")" io.containerd.runsc.v1 "dnf: the gVisor runtime is registered in config.toml"
pw_done
