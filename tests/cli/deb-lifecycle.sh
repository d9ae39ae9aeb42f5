#!/usr/bin/env bash
# The full test package through dpkg's whole life cycle in a throwaway Debian root: install,
# upgrade with admin-edited conffiles, remove, purge. Each maintainer script records the
# PACKWRIGHT_ACTION it saw (tests/fixtures/full/scripts); the sequence and the files, modes
# and owners on disk are asserted. Scripts run chrooted in $T/root, never on this machine.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
  ok "# skip dpkg --root needs root"
  pw_done
fi
fixture=$PW_SOURCE_DIR/tests/fixtures/full
R=$T/root
pw_debroot_fresh "$R" || fatal "no Debian root (tests/lib/prepare.sh)"
actions=$R/var/log/pw-full-actions

expect_exit 0 "build 1.0" "$PACKWRIGHT" build -f deb -o "$T/v1" "$fixture"
expect_exit 0 "build 2.0" "$PACKWRIGHT" build -f deb -o "$T/v2" --var version=2.0 "$fixture"
deb1=$T/v1/pw-full_1.0-1_all.deb
deb2=$T/v2/pw-full_2.0-1_all.deb

# dpkg_in_root ARGS...: dpkg on the throwaway root, output kept for failures.
dpkg_in_root() { dpkg --root="$R" --force-confold "$@" >"$T/dpkg.log" 2>&1 || { sed 's/^/#   dpkg: /' "$T/dpkg.log"; return 1; }; }
# actions_since N: the lines the scripts recorded after line N.
actions_since() { tail -n +"$(($1 + 1))" "$actions" 2>/dev/null; }
# perms PATH: "MODE OWNER:GROUP TYPE" inside the root.
perms() { stat -c '%a %U:%G %F' "$R$1"; }

# --- install ----------------------------------------------------------------------------
check "install 1.0" dpkg_in_root -i "$deb1"
expect_eq "$(actions_since 0)" "preinst install install
postinst install configure " "install: preinst and postinst saw install"
expect_eq "$(perms /usr/bin/pw-full)" "755 root:root regular file" "executable 0755 root:root"
expect_eq "$(readlink "$R/usr/bin/pw-full-link")" "pw-full" "symlink target"
expect_eq "$(perms /etc/pw-full/pw-full.conf)" "644 root:root regular file" "config file"
expect_eq "$(perms /etc/pw-full/local.conf)" "644 root:root regular file" "config-noreplace file"
expect_eq "$(perms /var/lib/pw-full)" "750 root:adm directory" "dir with mode and group"
expect_eq "$(perms /usr/share/pw-full-private/secret)" "640 root:adm regular file" \
  "file with mode and group"
expect_eq "$(perms /usr/share/pw-full/sub/helper)" "755 root:root regular file" "tree executable"
expect_eq "$(perms /usr/share/pw-full/data.txt)" "644 root:root regular file" "tree data file"
expect_eq "$(readlink "$R/usr/share/pw-full/helper-link")" "sub/helper" "symlink inside the tree"
check "ghost is not shipped in a deb" test ! -e "$R/var/log/pw-full.log"
check "copyright installed" test -s "$R/usr/share/doc/pw-full/copyright"
check "changelog installed" sh -c "zcat '$R/usr/share/doc/pw-full/changelog.Debian.gz' | grep -q '^pw-full (1.0-1) '"
check "installed file runs in the root" sh -c "chroot '$R' /usr/bin/pw-full-link | grep -qx pw-full"
dpkg --root="$R" -s pw-full >"$T/status"
check "dpkg lists the three /etc files as conffiles" \
  sh -c "grep -A3 '^Conffiles:' '$T/status' | grep -c '^ /etc/pw-full/' | grep -qx 3"
check "content matches md5sums (dpkg --verify)" dpkg --root="$R" --verify pw-full

# --- upgrade with edited conffiles ------------------------------------------------------
echo "setting = admin" >>"$R/etc/pw-full/pw-full.conf"
echo "mode = admin" >"$R/etc/pw-full/defaults"
cp "$R/etc/pw-full/pw-full.conf" "$T/admin.conf"
n=$(wc -l <"$actions")
check "upgrade to 2.0" dpkg_in_root -i "$deb2"
expect_eq "$(actions_since "$n")" "prerm upgrade upgrade 2.0-1
preinst upgrade upgrade 1.0-1 2.0-1
postrm upgrade upgrade 2.0-1
postinst upgrade configure 1.0-1" "upgrade: every script saw upgrade"
check "edited conffile kept (unchanged upstream)" cmp "$T/admin.conf" "$R/etc/pw-full/pw-full.conf"
expect_eq "$(cat "$R/etc/pw-full/defaults")" "mode = admin" \
  "edited conffile kept (changed upstream, --force-confold)"
check "new upstream conffile beside it as .dpkg-dist" grep -q 'level = 2' "$R/etc/pw-full/defaults.dpkg-dist"
expect_eq "$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Version}' pw-full)" "2.0-1" "2.0 installed"

# --- remove, purge ----------------------------------------------------------------------
n=$(wc -l <"$actions")
check "remove" dpkg_in_root -r pw-full
expect_eq "$(actions_since "$n")" "prerm remove remove
postrm remove remove" "remove: prerm and postrm saw remove"
check "files gone after remove" test ! -e "$R/usr/bin/pw-full"
check "conffiles kept after remove" test -f "$R/etc/pw-full/pw-full.conf"
n=$(wc -l <"$actions")
check "purge" dpkg_in_root -P pw-full
expect_eq "$(actions_since "$n")" "postrm purge purge" "purge: postrm saw purge"
check "conffiles gone after purge" test ! -e "$R/etc/pw-full/pw-full.conf"
check "state dir gone after purge" test ! -e "$R/var/lib/pw-full"
check "package unknown after purge" sh -c "! dpkg --root='$R' -s pw-full >/dev/null 2>&1"
pw_done
