#!/usr/bin/env bash
# build --sign-key: a header-only RSA/SHA-256 signature that rpm -K accepts once the public
# key is imported, and rejects after one payload byte is flipped; rpmlint on the signed
# package reports no errors.
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/fixtures/rpm/helpers.sh"

rpm_gpg_key
[ -n "$RPM_KEY" ] || fatal "gpg could not make a test key"
rpm_fixture_with_elf "$T/fx"
rpm_build "$T/out" "$T/fx" --sign-key "$RPM_KEY"
P=$T/out/pwdemo-1.0-1.x86_64.rpm

# A key database of our own: rpmkeys never touches the machine's.
KDB=$T/keydb
mkdir -p "$KDB"
rpm --dbpath "$KDB" --initdb
rpmk() { rpm --dbpath "$KDB" "$@"; }
# An install check with signatures enforced (rpm 6 does it by default); --test installs nothing.
enforced_install() { rpmk --force-debian --define '_pkgverify_level signature' -i --test --nodeps "$@"; }
run rpmk -Kv "$P"
check "without the key: NOKEY" grep -q 'Header V4 RSA/SHA256 Signature, key ID .*: NOKEY' "$T/stdout"
run enforced_install "$P"
check "an install with enforced signatures fails without the key" test "$rc" -ne 0
rpmkeys --dbpath "$KDB" --import "$T/pubkey.asc" || fatal "rpmkeys --import failed"
run rpmk -Kv "$P"
expect_eq "$rc" 0 "rpm -Kv with the key imported"
check "the header signature is V4 RSA/SHA256 and OK" \
  grep -q 'Header V4 RSA/SHA256 Signature, key ID .*: OK' "$T/stdout"
check "digests still OK" grep -q 'Payload SHA256 digest: OK' "$T/stdout"
run enforced_install "$P"
expect_eq "$rc" 0 "an install with enforced signatures passes with the key: $(tr '\n' ' ' <"$T/stderr")"
expect_eq "$(rpm_qf "$P" '%{RSAHEADER:pgpsig}' | cut -d, -f1)" "RSA/SHA256" "RSAHEADER (268) carries it"
expect_eq "$(rpm_qf "$P" '%{SIGPGP}|%{SIGGPG}')" "(none)|(none)" "no header+payload (v3) signature"
run "$PACKWRIGHT" inspect "$P"
if ! grep -q "not implemented" "$T/stderr"; then
  check "inspect shows the signature" grep -qx 'Signature: rsa' "$T/stdout"
fi

# One payload byte flipped: the payload digest and MD5 fail.
cp "$P" "$T/flipped.rpm"
size=$(stat -c %s "$T/flipped.rpm")
off=$((size - 64))
byte=$(od -An -tu1 -j "$off" -N1 "$T/flipped.rpm" | tr -d ' ')
printf "$(printf '\\%03o' $((byte ^ 255)))" | dd of="$T/flipped.rpm" bs=1 seek="$off" conv=notrunc status=none
check "the flipped copy differs" bash -c "! cmp -s '$P' '$T/flipped.rpm'"
run rpmk -Kv "$T/flipped.rpm"
check "rpm -K fails on the flipped copy" test "$rc" -ne 0
check "the payload digest is BAD" grep -q 'Payload SHA256 digest: BAD' "$T/stdout"
check "the MD5 digest is BAD" grep -q 'MD5 digest: BAD' "$T/stdout"
run enforced_install "$T/flipped.rpm"
check "rpm refuses to install the flipped copy" test "$rc" -ne 0

# rpmlint on the signed package: no errors. Tolerated warnings, each for a reason:
#   obsolete-not-provided  replaces -> Obsoletes only; providing the old name is the author's call
#   no-manual-page-for-binary  the fixture ships no man pages
#   no-documentation  the fixture ships no %doc (the copyright is %license)
#   invalid-license  Debian's rpmlint has no license list configured; licenses are distro config
#   conffile-without-noreplace-flag  the fixture has a plain %config on purpose (config type)
#   dangerous-command-in-%post  the fixture's postinst chowns its %ghost to the owner the
#                               header records, so that rpm -V stays clean
mkdir -p "$T/linthome"
echo "%_dbpath $KDB" >"$T/linthome/.rpmmacros"
HOME=$T/linthome rpmlint "$P" >"$T/lint" 2>&1 || true
check "rpmlint: 0 errors" grep -q ' 0 errors' "$T/lint"
tolerated='obsolete-not-provided|no-manual-page-for-binary|no-documentation|invalid-license'
tolerated+='|conffile-without-noreplace-flag|dangerous-command-in-%post'
grep -E '^pwdemo[^ ]*: [EW]: ' "$T/lint" | grep -vE ": W: ($tolerated)( |$)" >"$T/lint.unexpected" || true
check "rpmlint: only tolerated warnings" test ! -s "$T/lint.unexpected"
[ -s "$T/lint.unexpected" ] && sed 's/^/#   /' "$T/lint.unexpected"

pw_done
