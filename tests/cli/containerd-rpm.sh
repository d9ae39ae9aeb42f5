#!/usr/bin/env bash
# The containerd packages as .rpm: rpm --root in a throwaway root (scriptlets run chrooted
# there): containerd-gvisor and containerd-config over a config.toml that is absent, version 2
# and version 3 (containerd 1.7 and 2.x read the result), containerd-nofile-limit under six
# node OSes and every opt-in; install, reinstall, erase each checked. Then dnf --installroot
# from a repository made here resolves the dependency on packwright-toml.
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/lib/httpd.sh"
. "$PW_SOURCE_DIR/tests/fixtures/rpm/helpers.sh"
. "$(dirname "$0")/lib-containerd.sh"

for m in 1.7 2; do
  [ -x "$CTR/containerd-$m/containerd" ] || fatal "no containerd $m in $CTR (tests/lib/prepare.sh)"
done
export PACKWRIGHT_CACHE=$T/cache
FMT=rpm

gvisor_release "$T/www" "$GV_VERSION" tarball
pw_httpd_start "$T/www"
GV_BASE=$PW_HTTPD_URL/release
build_packages "$T/out" -f rpm
pw_httpd_stop
pkgfile() { ls "$T"/out/"$1"-[0-9]*.rpm; }

R=$T/root
rpm_root "$R"
rpmr() { "${RPM[@]}" --root "$R" "$@" >"$T/pm.log" 2>&1 || { sed 's/^/#   rpm: /' "$T/pm.log" | tail -15; return 1; }; }
# -U --replacepkgs installs, and reinstalls (the scriptlets see an upgrade, as on dpkg -i).
pm_install() {
  env "${PM_ENV[@]}" "${RPM[@]}" --root "$R" -U --replacepkgs "$@" >"$T/pm.log" 2>&1 ||
    { sed 's/^/#   rpm: /' "$T/pm.log" | tail -15; return 1; }
}
pm_remove() { rpmr -e "$@"; }
pm_purge() { :; } # an erase is also the purge (postrm ran with remove, then purge)

check "without packwright-toml, rpm refuses containerd-gvisor (Requires)" \
  bash -c "! ${RPM[*]} --root '$R' -i '$(pkgfile containerd-gvisor)' >'$T/dep.log' 2>&1 && grep -q 'packwright-toml >= 0.1.0 is needed' '$T/dep.log'"
check "install packwright-toml" rpmr -i "$(pkgfile packwright-toml)"

config_lifecycle rpm absent containerd-gvisor containerd-config
config_lifecycle rpm v2 containerd-config containerd-gvisor
config_lifecycle rpm v3 containerd-gvisor containerd-config
nofile_matrix
run "${RPM[@]}" --root "$R" -V packwright-toml
expect_eq "$rc:$(cat "$T/stdout")" "0:" "rpm -V packwright-toml is clean after all of it"

# --- dnf resolves packwright-toml from a repository -----------------------------------------
R=$T/dnfroot
rpm_root "$R"
mkdir -p "$T/repo"
cp "$(pkgfile containerd-gvisor)" "$(pkgfile containerd-config)" "$(pkgfile packwright-toml)" "$T/repo/"
createrepo_c -q "$T/repo" || fatal "createrepo_c failed"
pw_dnf_isolated "$T/repo" "$R" True
config_v3 "$R$CFG"
cp "$R$CFG" "$T/orig.toml"
run dnfr install containerd-gvisor containerd-config
expect_eq "$rc" 0 "dnf install containerd-gvisor containerd-config: $(tail -3 "$T/stderr" | tr '\n' ' ')"
expect_eq "$("${RPM[@]}" --root "$R" -q packwright-toml)" "packwright-toml-0.1.0-1.x86_64" "dnf pulled in packwright-toml"
check "containerd 2 sees the runtime and the settings" dump_has 2 "$R$CFG" gvisor settings imagebuilder
run dnfr remove containerd-gvisor containerd-config
expect_eq "$rc" 0 "dnf remove: $(tail -3 "$T/stderr" | tr '\n' ' ')"
check "the original bytes are back" cmp "$T/orig.toml" "$R$CFG"
pw_done
