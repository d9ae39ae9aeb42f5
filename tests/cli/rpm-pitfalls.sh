#!/usr/bin/env bash
# package-formats.md §0, "the ten things that break packages most often", each checked on
# an .rpm. 1-4 are written for .deb; their rpm counterparts are checked here (and the .deb
# ones in the deb tests).
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/fixtures/rpm/helpers.sh"

rpm_build "$T/out" "$RPM_FX/full"
P=$T/out/pwdemo-1.0-1.x86_64.rpm
python3 "$RPM_FX/rpmhdr.py" "$P" >"$T/layout" || fatal "rpmhdr.py cannot parse the package"
entry() { awk -v k="$1" -v t="$2" '$1 == k && NF == 4 && $2 == t {print $3 ":" $4}' "$T/layout"; }

# 1. Names the archive format may mangle (deb: PAX headers). cpio newc takes long and
#    non-ASCII names as they are; both rpm2cpio and libarchive's reader see them.
long=./usr/share/pwdemo/sub/a-rather-long-file-name-that-pushes-the-path-well-beyond-one-hundred-characters-in-total.txt
rpm2cpio "$P" | cpio -t --quiet 2>/dev/null >"$T/names"
check "1: a path over 100 characters in the payload" grep -qxF "$long" "$T/names"
check "1: a non-ASCII name in the payload" grep -qxF './usr/share/pwdemo/sub/ünïcödé.txt' "$T/names"
rpm2archive -n - <"$P" | tar -tf - >"$T/names.tar"
check "1: libarchive (rpm2archive) reads the same names" grep -qxF "$long" "$T/names.tar"
expect_eq "$(rpm_qf "$P" '%{ENCODING}')" "utf-8" "1: ENCODING utf-8 (every string checked)"

# 2. Parent directories (deb: dpkg needs them). rpm creates missing parents itself; the
#    package lists and ships only the directories it owns.
rpm -qpl "$P" >"$T/listed"
check "2: implicit parents are neither listed nor shipped" \
  bash -c "! grep -qx /usr/lib/pwdemo '$T/listed' && ! grep -qx ./usr/lib/pwdemo '$T/names'"
check "2: declared directories are" grep -qx ./var/lib/pwdemo "$T/names"

# 3. Owners, modes and configuration files (deb: lintian errors). Owners and modes are the
#    manifest's, config types are %config, and nothing else is (an /etc file of type file
#    stays a plain file in both formats).
expect_eq "$(rpm -qpc "$P" | tr '\n' ' ')" "/etc/pwdemo/app.conf /etc/pwdemo/keep.conf " \
  "3: exactly the config entries are %config"
expect_eq "$(rpm_qf "$P" '[%{FILENAMES}:%{FILEUSERNAME}:%{FILEGROUPNAME}:%{FILEMODES:octal}\n]' | grep data.bin)" \
  "/usr/lib/pwdemo/data.bin:daemon:daemon:100664" "3: owner, group and mode from the manifest"

# 4. Compression the target cannot read (deb: zstd on Debian 11). The default reaches every
#    rpm (gzip); xz and zstd say what they need as rpmlib() requirements.
expect_eq "$(rpm_qf "$P" '%{PAYLOADCOMPRESSOR}')" "gzip" "4: default payload compression gzip"
check "4: no rpmlib(PayloadIs...) for gzip" bash -c "! rpm -qpR '$P' | grep -q PayloadIs"
rpm_build "$T/zst" "$RPM_FX/full" --rpm-compression zstd
check "4: zstd requires rpmlib(PayloadIsZstd)" \
  bash -c "rpm -qpR '$T/zst/pwdemo-1.0-1.x86_64.rpm' | grep -qx 'rpmlib(PayloadIsZstd) <= 5.4.18-1'"

# 5. Main-header tag types are checked on read; empty arrays are refused.
n=$(rpm_qf "$P" '[%{FILENAMES}\n]' | wc -l)
expect_eq "$(entry main 1030)" "3:$n" "5: FILEMODES is INT16, one per file"
expect_eq "$(entry main 1028)" "4:$n" "5: FILESIZES is INT32"
expect_eq "$(entry main 1033)" "3:$n" "5: FILERDEVS is INT16"
expect_eq "$(entry main 1035)" "8:$n" "5: FILEDIGESTS is a string array"
expect_eq "$(entry main 1004)" "9:1" "5: SUMMARY is an I18N string"
expect_eq "$(entry main 100)" "8:1" "5: the I18N table is there"
rpm_build "$T/meta" "$RPM_FX/base"
python3 "$RPM_FX/rpmhdr.py" "$T/meta/pw-test-base-1.0-1.noarch.rpm" >"$T/meta.layout"
check "5: no tag with count 0 (meta package)" bash -c "! awk '\$1 == \"main\" && \$4 == 0' '$T/meta.layout' | grep -q ."
check "5: no file tags in a package without files" \
  bash -c "! awk '\$1 == \"main\" && (\$2 == 1028 || \$2 == 1117 || \$2 == 1118)' '$T/meta.layout' | grep -q ."

# 6. Signature tags that share numbers with main-header tags keep their signature types.
expect_eq "$(entry sig 62)" "7:16" "6: the signature region comes first"
expect_eq "$(entry sig 1000)" "4:1" "6: SIZE (1000) INT32"
expect_eq "$(entry sig 1004)" "7:16" "6: MD5 (1004) BIN of 16"
expect_eq "$(entry sig 1007)" "4:1" "6: PAYLOADSIZE (1007) INT32"
read -r _ payload_off payload_len payload_sha <<<"$(grep ^payload "$T/layout")"
main_off=$(awk '$1 == "main" && NF == 2 {print $2}' "$T/layout")
expect_eq "$(rpm_qf "$P" '%{SIGSIZE}')" "$(( $(stat -c %s "$P") - main_off ))" \
  "6: SIZE is header plus payload"
expect_eq "$(rpm_qf "$P" '%{ARCHIVESIZE}')" "$(rpm2cpio "$P" | wc -c)" \
  "6: PAYLOADSIZE is the uncompressed cpio size"
check "6: the signature header is padded to 8 with zeros" test $((main_off % 8)) -eq 0

# 7. Digests: SHA-256 header digest and payload digests, SHA1 and MD5 for old tools.
expect_eq "$(entry sig 273)" "6:1" "7: SHA256 header digest (273)"
expect_eq "$(entry sig 269)" "6:1" "7: SHA1 header digest (269)"
expect_eq "$(rpm_qf "$P" '%{PAYLOADDIGEST}')" "$payload_sha" "7: PAYLOADDIGEST is the compressed payload's SHA-256"
expect_eq "$(rpm_qf "$P" '%{PAYLOADDIGESTALT}')" "$(rpm2cpio "$P" | sha256sum | cut -d' ' -f1)" \
  "7: PAYLOADDIGESTALT is the cpio's SHA-256"
expect_eq "$(rpm_qf "$P" '%{FILEDIGESTALGO}')" "8" "7: file digests are SHA-256"
expect_eq "$(rpm_qf "$P" '[%{FILEDIGESTS}\n]' | grep -m1 .)" \
  "$(sha256sum "$RPM_FX/full/files/app.conf" | cut -d' ' -f1)" "7: a file digest"

# 8. System directories: never owned, so never in conflict with `filesystem` (0555 on
#    Fedora). A stand-in filesystem package owns /usr/bin 0555 and /opt; ours installs next
#    to it. A package that owned /usr/bin (0755) would conflict.
mkdir -p "$T/sys/files"
echo x >"$T/sys/files/x"
cat >"$T/sys/package.json" <<'EOF'
{"name": "pwsys", "version": "1", "arch": "all", "summary": "Declares system directories",
 "maintainer": "Jane Doe <jane@example.org>", "license": "MIT",
 "contents": [{"type": "dir", "dst": "/usr/bin"}, {"type": "dir", "dst": "/opt"},
              {"type": "dir", "dst": "/etc"}, {"type": "dir", "dst": "/opt/pwsys"},
              {"type": "file", "src": "files/x", "dst": "/usr/bin/pwsys"}]}
EOF
rpm_build "$T/sysout" "$T/sys"
check "8: declaring system directories warns" grep -q "'/usr/bin' is a system directory" "$T/stderr"
expect_eq "$(rpm -qpl "$T/sysout/pwsys-1-1.noarch.rpm" | tr '\n' ' ')" "/opt/pwsys /usr/bin/pwsys " \
  "8: only the package's own directory and file are listed"
cat >"$T/fs.spec" <<'EOF'
Name: filesystem
Version: 1
Release: 1
Summary: Stand-in for Fedora's filesystem package
License: MIT
BuildArch: noarch
%description
Owns /usr/bin with Fedora's mode.
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/opt %{buildroot}/etc
%files
%dir %attr(0555,root,root) /usr/bin
%dir /opt
%dir /etc
EOF
rpmbuild -bb --quiet --define "_topdir $T/fstop" "$T/fs.spec" >/dev/null 2>&1 || fatal "rpmbuild filesystem"
R=$T/emptyroot
mkdir -p "$R"
rpm --root "$R" --initdb
run "${RPM[@]}" --root "$R" -i --nodeps "$T"/fstop/RPMS/noarch/filesystem-1-1.noarch.rpm "$T/sysout/pwsys-1-1.noarch.rpm"
expect_eq "$rc" 0 "8: installs next to a filesystem package: $(tr '\n' ' ' <"$T/stderr")"

# 9. Signatures: a header-only signature (yum/dnf check headers without the payload), RSA
#    with SHA-256, no header+payload v3 signature.
rpm_gpg_key
rpm_build "$T/signed" "$RPM_FX/full" --sign-key "$RPM_KEY"
python3 "$RPM_FX/rpmhdr.py" "$T/signed/pwdemo-1.0-1.x86_64.rpm" >"$T/signed.layout"
check "9: RSA header signature (268)" grep -q '^sig 268 7 ' "$T/signed.layout"
check "9: no PGP/GPG header+payload signature (1002, 1005)" \
  bash -c "! grep -qE '^sig (1002|1005) ' '$T/signed.layout'"
expect_eq "$(rpm_qf "$T/signed/pwdemo-1.0-1.x86_64.rpm" '%{RSAHEADER:pgpsig}' | cut -d, -f1)" \
  "RSA/SHA256" "9: SHA-256"
expect_eq "$(grep ^payload "$T/signed.layout" | cut -d' ' -f2)" "$payload_off" \
  "9: the signature takes the reserved space: the payload does not move"

# 10. Reproducibility leaks: host name, wall clock, time zone, gzip header, lead arch.
mkdir -p "$T/elsewhere"
(cd "$T/elsewhere" && TZ=Pacific/Kiritimati unshare --uts sh -c \
  "hostname pw-other-host && '$PACKWRIGHT' build -f rpm -o out '$RPM_FX/full'" >/dev/null 2>&1) ||
  (cd "$T/elsewhere" && TZ=Pacific/Kiritimati "$PACKWRIGHT" build -f rpm -o out "$RPM_FX/full" >/dev/null)
check "10: same bytes from another host name, time zone and directory" \
  cmp "$P" "$T/elsewhere/out/pwdemo-1.0-1.x86_64.rpm"
expect_eq "$(rpm_qf "$P" '%{BUILDHOST}')" "packwright" "10: BUILDHOST is fixed"
expect_eq "$(grep ^lead "$T/layout")" "lead 1 1 5 pwdemo-1:1.0-1" "10: lead arch number is fixed"
expect_eq "$(tail -c "$payload_len" "$P" | head -c 10 | od -An -tx1 | tr -d ' \n')" \
  "1f8b0800000000000203" "10: gzip header without name or mtime"

pw_done
