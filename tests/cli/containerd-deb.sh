#!/usr/bin/env bash
# The containerd packages through dpkg's life cycle in throwaway Debian roots (scripts run
# chrooted there, never on this machine): containerd-gvisor and containerd-config over a
# config.toml that is absent, version 2 and version 3 (containerd 1.7 and 2.x read the
# result), containerd-nofile-limit under the /etc/os-release of six node OSes and every
# opt-in; install, reinstall, removal and purge each checked. Also apt resolving the
# dependency on packwright-toml, and the restart decisions of packwright-toml's maint.sh.
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/lib/httpd.sh"
. "$(dirname "$0")/lib-containerd.sh"

if [ "$(id -u)" != 0 ]; then
  ok "# skip dpkg --root needs root"
  pw_done
fi
for m in 1.7 2; do
  [ -x "$CTR/containerd-$m/containerd" ] || fatal "no containerd $m in $CTR (tests/lib/prepare.sh)"
done
export PACKWRIGHT_CACHE=$T/cache
FMT=deb

# --- maint.sh's decisions, on this machine with systemd and containerd faked --------------
mkdir -p "$T/fake/bin" "$T/fake/run-systemd"
printf '#!/bin/sh\necho "$*" >>"%s/calls"\n[ "$1 $2" != "is-active --quiet" ] || exit "${FAKE_ACTIVE:-0}"\n' "$T/fake" \
  >"$T/fake/bin/systemctl"
chmod 0755 "$T/fake/bin/systemctl"
maint() { # SNIPPET: runs SNIPPET with maint.sh sourced, systemd faked as running in our root
  env PATH="$T/fake/bin:$PATH" sh -c ". '$PKG/packwright-toml/maint.sh'; PW_PACKAGE=demo
    PW_SYSTEMD_RUNDIR='$T/fake/run-systemd'; pw_in_chroot() { return 1; }; $1"
}
run maint 'pw_restart_containerd "x"'
expect_eq "$(cat "$T/fake/calls")" "is-active --quiet containerd.service
restart containerd.service" "a live system with containerd active: restarted"
expect_stdout "demo: restarted containerd for x" "and says so"
rm -f "$T/fake/calls"
FAKE_ACTIVE=3 run maint 'pw_restart_containerd x'
expect_eq "$(cat "$T/fake/calls")" "is-active --quiet containerd.service" "containerd not active: no restart"
expect_stdout "demo: restart containerd to apply x (not restarted" "one line says a restart is needed"
rm -f "$T/fake/calls"
run maint 'pw_reload_units y'
expect_eq "$(cat "$T/fake/calls")" "daemon-reload
try-restart containerd.service" "a changed drop-in: daemon-reload and try-restart"
rm -f "$T/fake/calls"
run env PATH="$T/fake/bin:$PATH" sh -c ". '$PKG/packwright-toml/maint.sh'; PW_PACKAGE=demo
  PW_SYSTEMD_RUNDIR=/nonexistent; pw_restart_containerd z; pw_reload_units z"
check "no systemd run directory: systemctl is never called" test ! -e "$T/fake/calls"
expect_stdout "demo: run 'systemctl daemon-reload' and restart containerd to apply z" "the drop-in line"
run sh -c ". '$PKG/packwright-toml/maint.sh'; for v in True yes ON 1 false no 0 '' maybe; do pw_truthy \"\$v\" && printf 1 || printf 0; done"
expect_eq "$(cat "$T/stdout")" 111100000 "pw_truthy"
printf 'A=1\n# CONTAINERD_ENABLE_LIMIT_NO_FILE=true\n  export K="yes" \nK=\x27on\x27\n' >"$T/settings"
run sh -c ". '$PKG/packwright-toml/maint.sh'; pw_setting '$T/settings' K; pw_setting '$T/settings' CONTAINERD_ENABLE_LIMIT_NO_FILE; pw_setting /nonexistent K"
expect_eq "$(cat "$T/stdout")" on "pw_setting: the last assignment, unquoted; comments and absent files give nothing"

# --- packages ------------------------------------------------------------------------------
gvisor_release "$T/www" "$GV_VERSION" tarball
pw_httpd_start "$T/www"
GV_BASE=$PW_HTTPD_URL/release
build_packages "$T/out" -f deb
pw_httpd_stop
run "$PACKWRIGHT" build -f deb -o "$T/optin" --var containerd_enable_limit_no_file=true \
  "$PKG/containerd-nofile-limit"
[ "$rc" -eq 0 ] || fatal "building the opted-in nofile-limit: $(cat "$T/stderr")"
pkgfile() { ls "$T"/out/"$1"_*.deb; }

R=$T/root
pw_debroot_fresh "$R" || fatal "no Debian root (tests/lib/prepare.sh)"
# --force-unsafe-io: no fsync for a root that is thrown away (seconds per install).
dpkg_root() { dpkg --root="$R" --force-confold --force-unsafe-io "$@" >"$T/pm.log" 2>&1 || { sed 's/^/#   dpkg: /' "$T/pm.log" | tail -15; return 1; }; }
pm_install() { env "${PM_ENV[@]}" dpkg --root="$R" --force-confold --force-unsafe-io -i "$@" >"$T/pm.log" 2>&1 || { sed 's/^/#   dpkg: /' "$T/pm.log" | tail -15; return 1; }; }
pm_remove() { dpkg_root -r "$@"; }
pm_purge() { dpkg_root -P "$@"; }

check "without packwright-toml, dpkg refuses containerd-gvisor (Depends)" \
  bash -c "! dpkg --root='$R' -i '$(pkgfile containerd-gvisor)' >'$T/dep.log' 2>&1 && grep -q 'depends on packwright-toml' '$T/dep.log'"
dpkg --root="$R" -P containerd-gvisor >/dev/null 2>&1 || true
check "install packwright-toml" dpkg_root -i "$(pkgfile packwright-toml)"
check "packwright-toml runs in the root" chroot "$R" packwright-toml --version

# --- gvisor and config over absent, version 2 and version 3 configs --------------------------
config_lifecycle deb absent containerd-gvisor containerd-config
config_lifecycle deb v2 containerd-config containerd-gvisor
config_lifecycle deb v3 containerd-gvisor containerd-config

# An upgrade with other settings replaces the old ones; purge still gives the bytes back.
set_config "$R" v3
cp "$R$CFG" "$T/orig.toml"
check "v1 of the settings" pm_install "$(pkgfile containerd-config)"
run "$PACKWRIGHT" build -f deb -o "$T/up" --var containerd_image_pull_progress_timeout=3m \
  "$PKG/containerd-config"
check "an upgrade (dpkg -i) with only a timeout of 3m" pm_install "$T/up/containerd-config_0.1.0-1_all.deb"
run chroot "$R" packwright-toml get "$CFG" "plugins.'io.containerd.cri.v1.images'.image_pull_progress_timeout"
expect_eq "$(cat "$T/stdout")" 3m "the new timeout"
run chroot "$R" packwright-toml get "$CFG" "metrics.address"
expect_eq "$rc" 1 "the old settings are gone"
check "purge" pm_erase containerd-config
check "the original bytes are back" cmp "$T/orig.toml" "$R$CFG"

# Q3: on a node whose containerd is 1.6 (it does not know the key) the timeout is left out,
# with a warning; the other settings are merged.
set_config "$R" v2
cp "$R$CFG" "$T/orig.toml"
mkdir -p "$R/usr/local/bin"
printf '#!/bin/sh\necho "containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1"\n' >"$R/usr/local/bin/containerd"
chmod 0755 "$R/usr/local/bin/containerd"
check "containerd 1.6: install containerd-config" pm_install "$(pkgfile containerd-config)"
check "containerd 1.6: the timeout is left out, with a warning" \
  grep -q "containerd 1.6 does not know image_pull_progress_timeout" "$T/pm.log"
run chroot "$R" packwright-toml get "$CFG" 'plugins."io.containerd.grpc.v1.cri".image_pull_progress_timeout'
expect_eq "$rc" 1 "containerd 1.6: no timeout in config.toml"
run chroot "$R" packwright-toml get "$CFG" metrics.address
expect_eq "$(cat "$T/stdout")" 127.0.0.1:1338 "containerd 1.6: the additional settings are there"
check "containerd 1.6: purge" pm_erase containerd-config
check "containerd 1.6: the original bytes are back" cmp "$T/orig.toml" "$R$CFG"
rm -f "$R/usr/local/bin/containerd"

# --- nofile-limit under six OSes and each opt-in ------------------------------------------
nofile_matrix
os_release "$R" ubuntu-24.04
check "nofile-limit opted in at build time: install on Ubuntu" pm_install "$T"/optin/*.deb
check "the drop-in is installed" cmp "$R$DROPIN" "$PKG/containerd-nofile-limit/limit-nofile.conf"
check "the environment's false wins over the build-time opt-in" bash -c "
  dpkg --root='$R' -P containerd-nofile-limit >/dev/null && test ! -e '$R$DROPIN' &&
  env CONTAINERD_ENABLE_LIMIT_NO_FILE=false dpkg --root='$R' -i '$T'/optin/*.deb >/dev/null && test ! -e '$R$DROPIN'"
check "purge" pm_erase containerd-nofile-limit

# --- apt resolves the dependency on packwright-toml ----------------------------------------
# The same root, with packwright-toml purged first and no config.toml.
check "purge packwright-toml" dpkg_root -P packwright-toml
set_config "$R" absent
mkdir -p "$R/srv/repo"
cp "$(pkgfile containerd-gvisor)" "$(pkgfile packwright-toml)" "$R/srv/repo/"
(cd "$R/srv/repo" && dpkg-scanpackages -m . >Packages 2>/dev/null)
rm -f "$R"/etc/apt/sources.list "$R"/etc/apt/sources.list.d/*
echo "deb [trusted=yes] file:/srv/repo ./" >"$R/etc/apt/sources.list"
run chroot "$R" sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Use-Pty=0 install -y -q containerd-gvisor'
expect_eq "$rc" 0 "apt-get install containerd-gvisor: $(tail -2 "$T/stderr" | tr '\n' ' ')"
expect_eq "$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${db:Status-Abbrev}' packwright-toml 2>/dev/null)" "ii " \
  "apt pulled in packwright-toml"
check "and no containerd (Enhances installs nothing)" \
  test "$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${db:Status-Abbrev}' containerd 2>/dev/null)" != "ii "
run chroot "$R" packwright-toml get "$CFG" 'plugins."io.containerd.grpc.v1.cri".containerd.runtimes.gvisor.runtime_type'
expect_eq "$(cat "$T/stdout")" io.containerd.runsc.v1 "the runtime is registered"
pw_done
