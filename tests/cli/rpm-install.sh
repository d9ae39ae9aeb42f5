#!/usr/bin/env bash
# Real installs with `rpm --root` into a throwaway Debian root: the meta package, install,
# upgrade (a changed %config(noreplace) file is kept and .rpmnew written), erase; the
# PACKWRIGHT_ACTION every scriptlet saw; modes and owners on disk; rpm -V clean.
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/fixtures/rpm/helpers.sh"

R=$T/root
rpm_root "$R"
rpmr() { "${RPM[@]}" --root "$R" "$@"; }
check "the meta package (no files) is installed" rpmr -q pw-test-base
check "rpm -V of the meta package" rpmr -V pw-test-base

rpm_build "$T/v1" "$RPM_FX/full"
rpm_build "$T/v2" "$RPM_FX/full" --var VERSION=1.1 --var CONF=v2

# Install.
run rpmr -i "$T/v1/pwdemo-1.0-1.x86_64.rpm"
expect_eq "$rc" 0 "rpm -i: $(tr '\n' ' ' <"$T/stderr")"
cat >"$T/want" <<'EOF'
pretrans install 1
preinst install 1
postinst install 1
posttrans install 1
EOF
check "install: each scriptlet saw PACKWRIGHT_ACTION=install" diff -u "$T/want" "$R/pw-actions.log"
run rpmr -V pwdemo
expect_eq "$rc:$(cat "$T/stdout")" "0:" "rpm -V is clean after install"
expect_eq "$(stat -c '%A %U:%G' "$R/usr/lib/pwdemo/data.bin")" "-rw-rw-r-- daemon:daemon" \
  "mode and owner of a file"
expect_eq "$(stat -c '%A %U:%G' "$R/var/lib/pwdemo")" "drwxr-xr-x daemon:daemon" \
  "mode and owner of a directory"
expect_eq "$(stat -c '%A %U:%G' "$R/usr/bin/pwdemo")" "-rwxr-xr-x root:root" "an executable"
expect_eq "$(readlink "$R/usr/bin/pwdemo-link")" "pwdemo" "a symlink"
expect_eq "$(cat "$R/etc/pwdemo/keep.conf")" "keep=v1" "a config file"
expect_eq "$(stat -c %Y "$R/usr/bin/pwdemo")" "$SOURCE_DATE_EPOCH" "mtime clamped to SOURCE_DATE_EPOCH"
check "the ghost is owned but not shipped (postinst made it)" test -e "$R/var/lib/pwdemo/state"
check "a name over 100 characters" test -f "$R/usr/share/pwdemo/sub/a-rather-long-file-name-that-pushes-the-path-well-beyond-one-hundred-characters-in-total.txt"
check "a non-ASCII name" test -f "$R/usr/share/pwdemo/sub/ünïcödé.txt"
check "%license file" test -f "$R/usr/share/licenses/pwdemo/copyright"
expect_eq "$(rpmr -qf /usr/bin/pwdemo)" "pwdemo-1.0-1.x86_64" "rpm -qf knows the file"
rpmr -ql pwdemo >"$T/owned"
check "an implicit parent is created but not owned" \
  bash -c "test -d '$R/usr/lib/pwdemo' && ! grep -qx /usr/lib/pwdemo '$T/owned'"
check "the system directory /usr/bin is not owned" bash -c "! grep -qx /usr/bin '$T/owned'"

# Upgrade with a locally changed %config(noreplace) file.
echo "keep=local" >"$R/etc/pwdemo/keep.conf"
: >"$R/pw-actions.log"
run rpmr -U "$T/v2/pwdemo-1.1-1.x86_64.rpm"
expect_eq "$rc" 0 "rpm -U: $(tr '\n' ' ' <"$T/stderr")"
cat >"$T/want" <<'EOF'
pretrans upgrade 2
preinst upgrade 2
postinst upgrade 2
prerm upgrade 1
postrm upgrade 1
posttrans upgrade 2
EOF
check "upgrade: each scriptlet saw PACKWRIGHT_ACTION=upgrade" diff -u "$T/want" "$R/pw-actions.log"
expect_eq "$(cat "$R/etc/pwdemo/keep.conf")" "keep=local" "the changed noreplace config is kept"
expect_eq "$(cat "$R/etc/pwdemo/keep.conf.rpmnew" 2>&1)" "keep=v2" "the new one is keep.conf.rpmnew"
expect_eq "$(rpmr -q pwdemo)" "pwdemo-1.1-1.x86_64" "1.1 installed"
run rpmr -V pwdemo
expect_eq "$(cat "$T/stdout")" "S.5....T.  c /etc/pwdemo/keep.conf" "rpm -V reports only the changed config"

# Erase: prerm and postrm, postrm as remove then purge.
: >"$R/pw-actions.log"
run rpmr -e pwdemo
expect_eq "$rc" 0 "rpm -e: $(tr '\n' ' ' <"$T/stderr")"
cat >"$T/want" <<'EOF'
prerm remove 0
postrm remove 0
postrm purge 0
EOF
check "erase: remove, then purge in postrm" diff -u "$T/want" "$R/pw-actions.log"
check "files are gone" bash -c "! test -e '$R/usr/bin/pwdemo' && ! test -e '$R/usr/share/pwdemo'"
check "the ghost is removed with the package" test ! -e "$R/var/lib/pwdemo/state"
check "owned directories are removed" test ! -e "$R/var/lib/pwdemo"
check "the changed config is saved as .rpmsave" test -f "$R/etc/pwdemo/keep.conf.rpmsave"
check "system directories stay" test -d "$R/usr/bin"

pw_done
