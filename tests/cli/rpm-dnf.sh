#!/usr/bin/env bash
# dnf --installroot against a repository made here by createrepo_c: install, upgrade (a
# changed %config(noreplace) file kept, .rpmnew written) and remove, with the
# PACKWRIGHT_ACTION each scriptlet saw.
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/fixtures/rpm/helpers.sh"

R=$T/root
rpm_root "$R"
rpm_build "$T/repo" "$RPM_FX/full"
createrepo_c -q "$T/repo" || fatal "createrepo_c failed"

pw_dnf_isolated "$T/repo" "$R" False

run dnfr install pwdemo
expect_eq "$rc" 0 "dnf install: $(tail -3 "$T/stderr" | tr '\n' ' ')"
expect_eq "$("${RPM[@]}" --root "$R" -q pwdemo)" "pwdemo-1.0-1.x86_64" "installed by dnf"
cat >"$T/want" <<'EOF'
pretrans install 1
preinst install 1
postinst install 1
posttrans install 1
EOF
check "install: scriptlets saw install" diff -u "$T/want" "$R/pw-actions.log"
check "rpm -V is clean" "${RPM[@]}" --root "$R" -V pwdemo
expect_eq "$(stat -c '%a %U:%G' "$R/usr/lib/pwdemo/data.bin")" "664 daemon:daemon" "mode and owner"

echo "keep=local" >"$R/etc/pwdemo/keep.conf"
rpm_build "$T/repo" "$RPM_FX/full" --var VERSION=1.1 --var CONF=v2
createrepo_c -q --update "$T/repo" || fatal "createrepo_c --update failed"
: >"$R/pw-actions.log"
run dnfr upgrade pwdemo
expect_eq "$rc" 0 "dnf upgrade: $(tail -3 "$T/stderr" | tr '\n' ' ')"
expect_eq "$("${RPM[@]}" --root "$R" -q pwdemo)" "pwdemo-1.1-1.x86_64" "upgraded by dnf"
cat >"$T/want" <<'EOF'
pretrans upgrade 2
preinst upgrade 2
postinst upgrade 2
prerm upgrade 1
postrm upgrade 1
posttrans upgrade 2
EOF
check "upgrade: scriptlets saw upgrade" diff -u "$T/want" "$R/pw-actions.log"
expect_eq "$(cat "$R/etc/pwdemo/keep.conf")" "keep=local" "the changed config is kept"
expect_eq "$(cat "$R/etc/pwdemo/keep.conf.rpmnew" 2>&1)" "keep=v2" ".rpmnew written"

: >"$R/pw-actions.log"
run dnfr remove pwdemo
expect_eq "$rc" 0 "dnf remove: $(tail -3 "$T/stderr" | tr '\n' ' ')"
check "removed" bash -c "! rpm --force-debian --root '$R' -q pwdemo >/dev/null"
cat >"$T/want" <<'EOF'
prerm remove 0
postrm remove 0
postrm purge 0
EOF
check "remove: prerm, then postrm as remove and purge" diff -u "$T/want" "$R/pw-actions.log"
check "files are gone" test ! -e "$R/usr/bin/pwdemo"

pw_done
