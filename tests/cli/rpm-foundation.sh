#!/usr/bin/env bash
# The foundation's test manifests (tests/fixtures/full and names, written for the .deb) built
# as .rpm: rpm -Kv, what rpm -qpi/-qplv/--scripts/--requires/--provides show against the
# manifest, rpm2cpio, rpmlint, packwright inspect, and pw-full's whole life in an rpm root.
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/fixtures/rpm/helpers.sh"

full=$PW_SOURCE_DIR/tests/fixtures/full
names=$PW_SOURCE_DIR/tests/fixtures/names
rpm_gpg_key
rpm_build "$T/v1" "$full" --sign-key "$RPM_KEY"
rpm_build "$T/v2" "$full" --var version=2.0 --sign-key "$RPM_KEY"
rpm_build "$T/names" "$names" --sign-key "$RPM_KEY"
F=$T/v1/pw-full-1.0-1.noarch.rpm
N=$T/names/pw-names-1.0-1.noarch.rpm
KDB=$T/keydb
mkdir -p "$KDB"
rpm --dbpath "$KDB" --initdb
rpmkeys --dbpath "$KDB" --import "$T/pubkey.asc"
for p in "$F" "$T/v2/pw-full-2.0-1.noarch.rpm" "$N"; do
  run rpm --dbpath "$KDB" -Kv "$p"
  check "rpm -Kv $(basename "$p"): signature and every digest OK" \
    test "$rc" = 0 -a "$(grep -c ': OK$' "$T/stdout")" = 5
done

# What rpm shows, against the manifest.
python3 - "$full/package.json" "$F" <<'EOF' >"$T/manifest-check" 2>&1 || true
import json, subprocess, sys
m = json.load(open(sys.argv[1]))
q = lambda f: subprocess.run(["rpm", "-qp", "--qf", f, sys.argv[2]], capture_output=True,
                             text=True).stdout
bad = []
def same(what, got, want):
    if got != want:
        bad.append("%s: got %r, want %r" % (what, got, want))
same("name", q("%{NAME}"), m["name"])
same("version", q("%{VERSION}-%{RELEASE}"), "1.0-1")
for key, tag in (("summary", "SUMMARY"), ("license", "LICENSE"), ("vendor", "VENDOR"),
                 ("homepage", "URL"), ("maintainer", "PACKAGER"), ("description", "DESCRIPTION")):
    same(key, q("%%{%s}" % tag), m[key])
same("arch", q("%{ARCH}"), "noarch")
files = set(q("[%{FILENAMES}\n]").split())
want = {c["dst"] for c in m["contents"] if c.get("type") != "tree"}
want |= {"/usr/share/licenses/pw-full", "/usr/share/licenses/pw-full/copyright"}
missing = want - files
if missing:
    bad.append("files missing: %s" % sorted(missing))
print("\n".join(bad) if bad else "ok")
EOF
expect_eq "$(cat "$T/manifest-check")" "ok" "rpm -qp shows the manifest's fields and files"
rpm -qpi "$F" >"$T/qpi"
check "rpm -qpi: the indented description line is kept" grep -qxF '  An indented line is kept verbatim.' "$T/qpi"
check "rpm -qpi: group from the Debian section" grep -qxF 'Group       : Applications/System' "$T/qpi"
expect_eq "$(rpm_qf "$F" '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILENAMES}\n]' | grep -E ' (/etc/.*|/usr/share/pw-full-private/secret|/var/.*)$')" \
  "-rw-r--r-- root:root c /etc/pw-full/defaults
-rw-r--r-- root:root cn /etc/pw-full/local.conf
-rw-r--r-- root:root c /etc/pw-full/pw-full.conf
-rw-r----- root:adm  /usr/share/pw-full-private/secret
drwxr-x--- root:adm  /var/lib/pw-full
-rw-r--r-- root:root g /var/log/pw-full.log" \
  "rpm -qplv: modes, owners and flags (the plain /etc file is %config too)"
rpm -qp --scripts "$F" >"$T/scripts"
expect_eq "$(grep -c 'scriptlet (using /bin/sh):$' "$T/scripts")" 6 "all six scriptlets, run by /bin/sh"
rpm -qpR "$F" >"$T/req"
for r in 'coreutils >= 8.0' '(dash >= 0.5 or bash >= 5.0)' '/usr/bin/perl' '/bin/bash' \
  'config(pw-full) = 1.0-1' 'rpmlib(RichDependencies) <= 4.12.0-1'; do
  check "requires $r" grep -qxF "$r" "$T/req"
done
expect_eq "$(rpm -qp --provides "$F" | tr '\n' ,)" \
  "config(pw-full) = 1.0-1,pw-full = 1.0-1,pw-full-virtual," "provides"
expect_eq "$(rpm -qp --conflicts --obsoletes "$F" | tr '\n' ,)" \
  "pw-full-legacy,pw-full-plugin < 1.0,pw-full-legacy," "conflicts, breaks and replaces"
rpm2cpio "$F" | cpio -t --quiet 2>/dev/null >"$T/cpio"
rpm_qf "$F" '[%{FILEFLAGS:fflags}|%{FILENAMES}\n]' | awk -F'|' '$1 !~ /g/ {print "." $2}' >"$T/cpio.want"
check "rpm2cpio | cpio -t lists the files" diff -u "$T/cpio.want" "$T/cpio"
run "$PACKWRIGHT" inspect --json "$N"
check "inspect --json reads the non-ASCII names back" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
files = {f["path"] for f in d["packages"][0]["files"]}
assert "/usr/share/pw-names/grüße-日本.txt" in files, files
' "$T/stdout"

# rpmlint: no errors. The fixture's two deliberate modes (0750 dir, 0640 file) are filtered
# by tests/fixtures/full/rpmlintrc, with the reason there. Tolerated warnings, each for a reason:
#   summary-not-capitalized, no-url-tag, no-documentation, no-manual-page-for-binary,
#   symlink-should-be-relative   the fixtures' content
#   postin-without-ghost-file-creation, log-files-without-logrotate   the fixture's ghost log
#   obsolete-not-provided   replaces -> Obsoletes only (doc/rpm.md)
#   invalid-license   Debian's rpmlint has no license list configured
#   dangerous-command-in-%preun/%postun   the fixture's perl prerm and its purge `rm -rf`
#   conffile-without-noreplace-flag   plain config entries (and /etc files) on purpose
mkdir -p "$T/linthome"
echo "%_dbpath $KDB" >"$T/linthome/.rpmmacros"
HOME=$T/linthome rpmlint -r "$PW_SOURCE_DIR/tests/fixtures/full/rpmlintrc" "$F" "$N" \
  >"$T/lint" 2>&1 || true
tolerated='W: (summary-not-capitalized|no-url-tag|no-documentation|no-manual-page-for-binary'
tolerated+='|symlink-should-be-relative|postin-without-ghost-file-creation|log-files-without-logrotate'
tolerated+='|obsolete-not-provided|invalid-license|dangerous-command-in-%preun|dangerous-command-in-%postun'
tolerated+='|conffile-without-noreplace-flag)( |$)'
grep -E '^pw-[a-z]+\.noarch: [EW]: ' "$T/lint" | grep -vE ": ($tolerated)" >"$T/lint.unexpected" || true
check "rpmlint: nothing but the tolerated findings" test ! -s "$T/lint.unexpected"
[ -s "$T/lint.unexpected" ] && sed 's/^/#   /' "$T/lint.unexpected"
check "rpmlint: 0 errors" grep -q ' 0 errors' "$T/lint"

# pw-full's life in an rpm root: install, upgrade with edited config files, erase.
R=$T/root
rpm_root "$R"
rpmr() { "${RPM[@]}" --root "$R" "$@" >"$T/rpm.log" 2>&1 || { sed 's/^/#   rpm: /' "$T/rpm.log"; return 1; }; }
actions=$R/var/log/pw-full-actions
since() { tail -n +"$(($1 + 1))" "$actions" 2>/dev/null; }
check "install pw-names" rpmr -i "$N"
check "the non-ASCII file arrived" cmp "$R/usr/share/pw-names/grüße-日本.txt" "$names/files/grüße-日本.txt"
check "rpm -V pw-names" rpmr -V pw-names
check "install pw-full 1.0" rpmr -i "$F"
expect_eq "$(since 0)" "pretrans install 1
preinst install 1
postinst install 1
posttrans install 1" "install: every scriptlet saw install"
expect_eq "$(stat -c '%a %U:%G' "$R/var/lib/pw-full" "$R/usr/share/pw-full-private/secret" | tr '\n' ' ')" \
  "750 root:adm 640 root:adm " "modes and groups on disk"
check "rpm -V pw-full" rpmr -V pw-full
echo "mode = admin" >"$R/etc/pw-full/defaults"
echo "local = admin" >"$R/etc/pw-full/local.conf"
n=$(wc -l <"$actions")
check "upgrade to 2.0" rpmr -U "$T/v2/pw-full-2.0-1.noarch.rpm"
expect_eq "$(since "$n")" "pretrans upgrade 2
preinst upgrade 2
postinst upgrade 2
prerm upgrade 1
postrm upgrade 1
posttrans upgrade 2" "upgrade: every scriptlet saw upgrade"
expect_eq "$(cat "$R/etc/pw-full/local.conf")" "local = admin" "config-noreplace: the admin's file stays"
check "an /etc file changed upstream: new file, the admin's saved as .rpmsave" \
  bash -c "grep -q 'level = 2' '$R/etc/pw-full/defaults' && grep -q admin '$R/etc/pw-full/defaults.rpmsave'"
n=$(wc -l <"$actions")
check "erase" rpmr -e pw-full
expect_eq "$(since "$n")" "prerm remove 0
postrm remove 0
postrm purge 0" "erase: prerm, then postrm as remove and purge"
check "purge removed the state directory" test ! -e "$R/var/lib/pw-full"
check "files gone" test ! -e "$R/usr/bin/pw-full"

pw_done
