#!/usr/bin/env bash
# packwright build -f rpm on the fixture with every content type and script: what rpm's own
# tools read back (rpm -K, -qpi, -qplv, --scripts, --requires, --provides, rpm2cpio), the
# compressors, the meta package, and byte-identical rebuilds.
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/fixtures/rpm/helpers.sh"

rpm_build "$T/out" "$RPM_FX/full"
P=$T/out/pwdemo-1.0-1.x86_64.rpm
check "file name NAME-VERSION-RELEASE.ARCH.rpm (no epoch)" test -f "$P"

rpm -Kv "$P" >"$T/k" 2>&1
for d in "Header SHA256 digest: OK" "Header SHA1 digest: OK" "Payload SHA256 digest: OK" \
  "MD5 digest: OK"; do
  check "rpm -Kv: $d" grep -qF "$d" "$T/k"
done
check "rpm -Kv: nothing BAD" bash -c "! grep -q BAD '$T/k'"

# rpm -qpi: what the manifest says.
rpm -qpi "$P" >"$T/qpi"
while IFS= read -r line; do
  check "rpm -qpi: $line" grep -qxF -- "$line" "$T/qpi"
done <<'EOF'
Name        : pwdemo
Epoch       : 1
Version     : 1.0
Release     : 1
Architecture: x86_64
Group       : Applications/System
License     : MIT
Source RPM  : pwdemo-1.0-1.src.rpm
Build Host  : packwright
Packager    : Jane Doe <jane@example.org>
Vendor      : Example Org
URL         : https://example.org/pwdemo
Summary     : Demo package exercising every content type and script
A package built by the rpm tests.
It has every content type and every script.
A second paragraph.
EOF
expect_eq "$(rpm_qf "$P" '%{BUILDTIME}')" "$SOURCE_DATE_EPOCH" "BUILDTIME is SOURCE_DATE_EPOCH"

# Files: modes, owners, sizes, flags (c config, n noreplace, l license, g ghost).
rpm_qf "$P" '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILESIZES} %{FILEFLAGS:fflags} %{FILENAMES}\n]' >"$T/files"
cat >"$T/files.want" <<'EOF'
-rw-r--r-- root root 10 c /etc/pwdemo/app.conf
-rw-r--r-- root root 8 cn /etc/pwdemo/keep.conf
-rwxr-xr-x root root 33  /usr/bin/pwdemo
lrwxrwxrwx root root 6  /usr/bin/pwdemo-link
-rw-rw-r-- daemon daemon 5  /usr/lib/pwdemo/data.bin
-rwxr-xr-x root root 91  /usr/lib/pwdemo/helper
drwxr-xr-x root root 0  /usr/share/licenses/pwdemo
-rw-r--r-- root root 290 l /usr/share/licenses/pwdemo/copyright
drwxr-xr-x root root 0  /usr/share/pwdemo
-rw-r--r-- root root 4  /usr/share/pwdemo/README
drwxr-xr-x root root 0  /usr/share/pwdemo/sub
-rw-r--r-- root root 5  /usr/share/pwdemo/sub/a-rather-long-file-name-that-pushes-the-path-well-beyond-one-hundred-characters-in-total.txt
-rw-r--r-- root root 7  /usr/share/pwdemo/sub/nested.txt
-rw-r--r-- root root 8  /usr/share/pwdemo/sub/ünïcödé.txt
drwxr-xr-x daemon daemon 0  /var/lib/pwdemo
-rw-r--r-- daemon daemon 0 g /var/lib/pwdemo/state
EOF
check "file list, modes, owners, sizes and flags" diff -u "$T/files.want" "$T/files"
rpm -qplv "$P" >"$T/qplv"
check "rpm -qplv: symlink target" grep -q '/usr/bin/pwdemo-link -> pwdemo$' "$T/qplv"
check "rpm -qplv: owner and mode" grep -q '^-rw-rw-r-- .*daemon *daemon .*/usr/lib/pwdemo/data.bin$' "$T/qplv"
expect_eq "$(rpm_qf "$P" '%{SIZE}')" "$(rpm_qf "$P" '[%{FILEMODES:perms}|%{FILEFLAGS:fflags}|%{FILESIZES}\n]' |
  awk -F'|' '$1 !~ /^d/ && $2 !~ /g/ {s += $3} END {print s}')" \
  "SIZE is the sum of file and link sizes"

# Scriptlets: all six, wrapped, run by /bin/sh.
rpm -qp --scripts "$P" >"$T/scripts"
for s in pretrans preinstall postinstall preuninstall postuninstall posttrans; do
  check "rpm --scripts: $s with /bin/sh" grep -qxF "$s scriptlet (using /bin/sh):" "$T/scripts"
done
check "scriptlets set PACKWRIGHT_ACTION" test "$(grep -c '^export PACKWRIGHT_ACTION' "$T/scripts")" -ge 5

rpm -qp --requires "$P" >"$T/req"
cat >"$T/req.want" <<'EOF'
(bash >= 4.0 or zsh)
/bin/bash
/bin/sh
/bin/sh
/bin/sh
/bin/sh
/bin/sh
/bin/sh
config(pwdemo) = 1:1.0-1
coreutils
rpmlib(CompressedFileNames) <= 3.0.4-1
rpmlib(FileDigests) <= 4.6.0-1
rpmlib(PayloadFilesHavePrefix) <= 4.0-1
rpmlib(RichDependencies) <= 4.12.0-1
EOF
check "rpm --requires" diff -u "$T/req.want" "$T/req"
expect_eq "$(rpm_qf "$P" '[%{REQUIRENAME}:%{REQUIREFLAGS:deptype} ]')" \
  "(bash >= 4.0 or zsh):manual /bin/bash:post /bin/sh:interp,posttrans /bin/sh:interp,pretrans /bin/sh:pre,interp /bin/sh:post,interp /bin/sh:preun,interp /bin/sh:postun,interp config(pwdemo):config coreutils:manual rpmlib(CompressedFileNames):rpmlib rpmlib(FileDigests):rpmlib rpmlib(PayloadFilesHavePrefix):rpmlib rpmlib(RichDependencies):rpmlib " \
  "requirement kinds: one /bin/sh per scriptlet, /bin/bash for the bash postinst"
expect_eq "$(rpm -qp --provides "$P" | tr '\n' ,)" \
  "config(pwdemo) = 1:1.0-1,pwdemo = 1:1.0-1,pwdemo(x86-64) = 1:1.0-1,pwdemo-virtual = 1.0," \
  "rpm --provides: config(), self, isa and declared"
expect_eq "$(rpm -qp --conflicts "$P" | tr '\n' ,)" "pwdemo-conflict,pwdemo-old < 0.5," \
  "conflicts and breaks are Conflicts"
expect_eq "$(rpm -qp --obsoletes "$P" | tr '\n' ,)" "pwdemo-legacy < 1.0," "replaces are Obsoletes"
expect_eq "$(rpm -qp --recommends "$P")" "pwdemo-extras" "Recommends"
expect_eq "$(rpm -qp --suggests "$P")" "pwdemo-docs >= 1.0" "Suggests"
expect_eq "$(rpm -qp --enhances "$P")" "pwdemo-host" "Enhances"

# Changelog from the manifest (date-only entries at noon, as rpmbuild stores them).
expect_eq "$(rpm_qf "$P" '[%{CHANGELOGTIME} ]')" "1709374830 1705320000 " "CHANGELOGTIME from the entries"
rpm -qp --changelog "$P" >"$T/cl"
check "changelog entry" grep -qxF '* Sat Mar 02 2024 Jane Doe <jane@example.org> - 1:1.0-1' "$T/cl"
check "changelog text" grep -qxF -- '- First release.' "$T/cl"

# The payload: every non-ghost entry, "./"-prefixed, in header order.
rpm2cpio "$P" | (cd "$T" && cpio -t --quiet) >"$T/cpio"
rpm_qf "$P" '[%{FILEFLAGS:fflags}|%{FILENAMES}\n]' | awk -F'|' '$1 !~ /g/ {print "." $2}' >"$T/cpio.want"
check "rpm2cpio | cpio -t lists the files" diff -u "$T/cpio.want" "$T/cpio"

# The same manifest built again, elsewhere and later, gives the same bytes.
sleep 1
mkdir -p "$T/elsewhere"
(cd "$T/elsewhere" && "$PACKWRIGHT" build -f rpm -o out2 "$RPM_FX/full" >/dev/null)
check "two builds are byte-identical" cmp "$P" "$T/elsewhere/out2/pwdemo-1.0-1.x86_64.rpm"

# Compressors: the header names them and rpmlib() says what reading them needs.
for c in xz:9 zstd:19 gzip:1; do
  rpm_build "$T/c-$c" "$RPM_FX/full" --rpm-compression "$c"
  p=$T/c-$c/pwdemo-1.0-1.x86_64.rpm
  expect_eq "$(rpm_qf "$p" '%{PAYLOADCOMPRESSOR}:%{PAYLOADFLAGS}')" "$c" "$c: compressor and level"
  check "$c: rpm -K" rpm -K "$p"
  check "$c: rpm2cpio reads it" bash -c "rpm2cpio '$p' | cpio -t --quiet 2>/dev/null | grep -q pwdemo/README"
done
check "xz: rpmlib(PayloadIsXz)" bash -c "rpm -qpR '$T/c-xz:9/pwdemo-1.0-1.x86_64.rpm' | grep -qx 'rpmlib(PayloadIsXz) <= 5.2-1'"
check "zstd: rpmlib(PayloadIsZstd)" bash -c "rpm -qpR '$T/c-zstd:19/pwdemo-1.0-1.x86_64.rpm' | grep -qx 'rpmlib(PayloadIsZstd) <= 5.4.18-1'"
expect_eq "$(rpm_qf "$P" '%{PAYLOADCOMPRESSOR}:%{PAYLOADFLAGS}')" "gzip:9" "default: gzip:9"
expect_exit 2 "--rpm-compression none is refused" "$PACKWRIGHT" build -f rpm -o "$T/none" \
  --rpm-compression none "$RPM_FX/full"
expect_stderr "rpm payloads must be compressed" "none: the reason is given"
check "none: nothing written" bash -c "! ls '$T/none'/*.rpm 2>/dev/null"

# A meta package: no files, so no file tags at all (rpm refuses empty arrays).
rpm_build "$T/meta" "$RPM_FX/base"
M=$T/meta/pw-test-base-1.0-1.noarch.rpm
check "meta: rpm -K" rpm -K "$M"
expect_eq "$(rpm -qpl "$M")" "(contains no files)" "meta: no files"
expect_eq "$(rpm_qf "$M" '%{BASENAMES}|%{FILEDIGESTALGO}')" "(none)|8" "meta: no file tags, FILEDIGESTALGO kept"

pw_done
