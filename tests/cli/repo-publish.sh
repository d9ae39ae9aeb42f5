#!/usr/bin/env bash
# repo add / remove / check on one signed repository: layout, Release and repomd.xml fields,
# `all` packages under every architecture, write-once pool, incremental adds that read only
# the new package, removal with the grace period, and repo check catching damage.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-repo.sh"
repo_key
mk_deb pw-alpha 1.0-1 amd64 'Depends: pw-beta (>= 1.0)'
mk_deb pw-beta 1:1.0-1 all
mk_deb pw-gamma 2.0-1 arm64
mk_deb pw-delta 1.0-1 all
mk_deb pw-epsilon 1.0-1 all
mk_rpm pw-alpha 1.0 1 x86_64 'Requires: pw-beta >= 1.0'
mk_rpm pw-beta 1.0 1 noarch
R=$T/repo

expect_exit 0 "repo add publishes debs and rpms" \
  "$PACKWRIGHT" repo add --sign-key "$KEY" "$R" "$T"/in/pw-alpha_1.0-1_amd64.deb \
  "$T"/in/pw-beta_1.0-1_all.deb "$T"/in/pw-alpha-1.0-1.x86_64.rpm
expect_stderr "published deb generation 1" "deb generation 1 announced"
expect_stderr "published rpm generation 1" "rpm generation 1 announced"

S=$R/deb/dists/stable
check "dists is a link to a generation" test "$(readlink "$R/deb/dists")" = .gen/1/dists
check "repodata is a link to a generation" test "$(readlink "$R/rpm/repodata")" = .gen/1/repodata
check "pool path follows Debian's layout" test -f "$R/deb/pool/main/p/pw-alpha/pw-alpha_1.0-1_amd64.deb"
check "epoch stays out of the pool file name" test -f "$R/deb/pool/main/p/pw-beta/pw-beta_1.0-1_all.deb"
check "rpm pool path" test -f "$R/rpm/Packages/p/pw-alpha-1.0-1.x86_64.rpm"
for f in InRelease Release Release.gpg; do check "$f exists" test -s "$S/$f"; done
check "Release.gpg is ASCII-armored" grep -q '^-----BEGIN PGP SIGNATURE-----' "$S/Release.gpg"
check "InRelease is clearsigned" grep -q '^-----BEGIN PGP SIGNED MESSAGE-----' "$S/InRelease"
check "keyring is binary OpenPGP, not a keybox" \
  sh -c "file -b '$R/packwright-archive-keyring.gpg' | grep -qi 'PGP public key'"
check "armored key" grep -q 'BEGIN PGP PUBLIC KEY BLOCK' "$R/packwright-archive-keyring.asc"
check "gpgv accepts InRelease with the published keyring" \
  gpgv --keyring "$R/packwright-archive-keyring.gpg" "$S/InRelease"
check "gpgv accepts Release.gpg" \
  gpgv --keyring "$R/packwright-archive-keyring.gpg" "$S/Release.gpg" "$S/Release"

field() { sed -n "s/^$1: //p" "$S/Release"; }
expect_eq "$(field Origin)" packwright "Origin"
expect_eq "$(field Label)" packwright "Label"
expect_eq "$(field Suite)" stable "Suite"
expect_eq "$(field Codename)" stable "Codename"
expect_eq "$(field Date)" "$(LC_ALL=C date -u -d @"$SOURCE_DATE_EPOCH" '+%a, %d %b %Y %H:%M:%S UTC')" \
  "Date is SOURCE_DATE_EPOCH in RFC 1123, UTC"
expect_eq "$(field Architectures)" "amd64 arm64" "Architectures"
expect_eq "$(field Components)" main "Components"
expect_eq "$(field Acquire-By-Hash)" yes "Acquire-By-Hash"
check "no Valid-Until unless asked" sh -c "! grep -q '^Valid-Until' '$S/Release'"
for a in amd64 arm64; do
  for f in Packages Packages.gz Packages.xz; do
    sha=$(sha256sum "$S/main/binary-$a/$f" | cut -d' ' -f1)
    check "Release lists main/binary-$a/$f with its SHA256" \
      grep -qE "^ $sha +[0-9]+ main/binary-$a/$f\$" "$S/Release"
    check "by-hash/SHA256 copy of $a/$f" cmp -s "$S/main/binary-$a/$f" "$S/main/binary-$a/by-hash/SHA256/$sha"
    sha5=$(sha512sum "$S/main/binary-$a/$f" | cut -d' ' -f1)
    check "by-hash/SHA512 copy of $a/$f" cmp -s "$S/main/binary-$a/$f" "$S/main/binary-$a/by-hash/SHA512/$sha5"
  done
done
check "SHA512 list present" grep -q '^SHA512:' "$S/Release"
check "arch all package listed under amd64" grep -q '^Package: pw-beta' "$S/main/binary-amd64/Packages"
check "arch all package listed under arm64" grep -q '^Package: pw-beta' "$S/main/binary-arm64/Packages"
check "amd64 package not under arm64" sh -c "! grep -q '^Package: pw-alpha' '$S/main/binary-arm64/Packages'"
check "compressed Packages agree" sh -c "zcat '$S/main/binary-amd64/Packages.gz' | cmp -s - '$S/main/binary-amd64/Packages' && xzcat '$S/main/binary-amd64/Packages.xz' | cmp -s - '$S/main/binary-amd64/Packages'"
deb_sha=$(sha256sum "$R/deb/pool/main/p/pw-alpha/pw-alpha_1.0-1_amd64.deb" | cut -d' ' -f1)
check "stanza carries the .deb's SHA256" grep -q "^SHA256: $deb_sha" "$S/main/binary-amd64/Packages"

check "the .sources file is deb822 with Signed-By" \
  grep -q '^Signed-By: /etc/apt/keyrings/packwright-archive-keyring.gpg' "$R/packwright.sources"
check ".repo asks for both gpg checks" sh -c "grep -q '^gpgcheck=1' '$R/packwright.repo' && grep -q '^repo_gpgcheck=1' '$R/packwright.repo'"

M=$R/rpm/repodata
# the live primary.xml (repodata/ also holds older generations' files during the grace period)
primary() { zcat "$R/rpm/$(sed -n 's/.*href="\(repodata\/[^"]*-primary.xml[^"]*\)".*/\1/p' "$M/repomd.xml")"; }
in_primary() { primary | grep "$1" >/dev/null; }
not_in_primary() { ! in_primary "$1"; }
check "repomd.xml.asc verifies" gpgv --keyring "$R/packwright-archive-keyring.gpg" "$M/repomd.xml.asc" "$M/repomd.xml"
for tag in revision checksum open-checksum size open-size timestamp; do
  check "repomd.xml has <$tag>" grep -q "<$tag" "$M/repomd.xml"
done
check "metadata is gzip by default" sh -c "ls '$M' | grep -q 'primary.xml.gz\$'"
rpm_sha=$(sha256sum "$R/rpm/Packages/p/pw-alpha-1.0-1.x86_64.rpm" | cut -d' ' -f1)
check "pkgid is the .rpm's SHA256" in_primary "pkgid=\"YES\">$rpm_sha<"

expect_exit 0 "repo check accepts it" "$PACKWRIGHT" repo check "$R"
expect_stdout "ok" "repo check says ok"

# write-once: the same name, version and arch with other bytes is refused
mkdir -p "$T/other"
cp "$T/in/pw-alpha_1.0-1_amd64.deb" "$T/other/"
printf 'x' >>"$T/other/pw-alpha_1.0-1_amd64.deb"
expect_exit 1 "a changed .deb under a published version is refused" \
  "$PACKWRIGHT" repo add "$R" "$T/other/pw-alpha_1.0-1_amd64.deb"
expect_stderr "write-once" "the message says why"
check "refused add left the generation alone" test "$(readlink "$R/deb/dists")" = .gen/1/dists
expect_exit 0 "re-adding identical bytes is fine" "$PACKWRIGHT" repo add "$R" "$T/in/pw-alpha_1.0-1_amd64.deb"
expect_stderr "nothing changed" "and publishes nothing"

# incremental: the existing pool file is damaged keeping size and mtime; an add must not read
# it (it trusts the cached size, mtime and hash), while repo check must catch it
alpha=$R/deb/pool/main/p/pw-alpha/pw-alpha_1.0-1_amd64.deb
cp -p "$alpha" "$T/alpha.keep"
size=$(stat -c %s "$alpha")
mtime=$(stat -c %y "$alpha")
head -c "$size" /dev/zero >"$alpha"
touch -d "$mtime" "$alpha"
expect_exit 0 "adding one package reads only that package" \
  "$PACKWRIGHT" repo add "$R" "$T"/in/pw-gamma_2.0-1_arm64.deb "$T"/in/pw-beta-1.0-1.noarch.rpm
check "the new generation lists the new package" grep -q '^Package: pw-gamma' "$S/main/binary-arm64/Packages"
expect_exit 4 "repo check finds the damaged pool file" "$PACKWRIGHT" repo check "$R"
expect_stderr "pw-alpha_1.0-1_amd64.deb" "and names it"
cp -p "$T/alpha.keep" "$alpha"
expect_exit 0 "repaired" "$PACKWRIGHT" repo check "$R"

# superseded by-hash files stay reachable from the new generation
old_sha=$(sed -n 's/^ \([0-9a-f]\{64\}\) .* main\/binary-arm64\/Packages.xz$/\1/p' "$R/deb/.gen/1/dists/stable/Release" | head -1)
check "old by-hash file carried into the new generation" \
  test -f "$S/main/binary-arm64/by-hash/SHA256/$old_sha"
check "old generation kept for the grace period" test -d "$R/deb/.gen/1"

# Date never goes backwards
expect_exit 0 "republish with an older SOURCE_DATE_EPOCH" \
  env SOURCE_DATE_EPOCH=1600000000 "$PACKWRIGHT" repo add "$R"
expect_eq "$(field Date)" "$(LC_ALL=C date -u -d @"$SOURCE_DATE_EPOCH" '+%a, %d %b %Y %H:%M:%S UTC')" \
  "Date did not go backwards"

# Valid-Until on request
expect_exit 0 "Valid-Until on request" \
  env SOURCE_DATE_EPOCH="$(date +%s)" "$PACKWRIGHT" repo add --valid-for 7d "$R"
check "Release carries Valid-Until" grep -q '^Valid-Until: ' "$S/Release"

# a republish within the same second still gives entry points a later mtime (Last-Modified)
old_in=$(stat -L -c %Y "$S/InRelease")
old_md=$(stat -L -c %Y "$R/rpm/repodata/repomd.xml")
expect_exit 0 "republish at once" "$PACKWRIGHT" repo add "$R"
check "InRelease is newer for If-Modified-Since" test "$(stat -L -c %Y "$S/InRelease")" -gt "$old_in"
check "repomd.xml too" test "$(stat -L -c %Y "$R/rpm/repodata/repomd.xml")" -gt "$old_md"

# remove: out of the indices, file kept for the grace period, then collected
expect_exit 0 "repo remove" "$PACKWRIGHT" repo remove "$R" pw-gamma pw-beta=1.0-1
check "removed from Packages" sh -c "! grep -q '^Package: pw-gamma' '$S/main/binary-arm64/Packages'"
check "removed from primary" not_in_primary '<name>pw-beta<'
check "pool file kept during the grace period" test -f "$R/deb/pool/main/p/pw-gamma/pw-gamma_2.0-1_arm64.deb"
check "NAME=VERSION without the epoch matches the deb too" \
  sh -c "! grep -q '^Package: pw-beta' '$S/main/binary-amd64/Packages'"
expect_exit 1 "removing an unknown package fails" "$PACKWRIGHT" repo remove "$R" pw-nothing
expect_stderr "no package 'pw-nothing'" "and says so"
expect_exit 0 "a publish with no grace period collects old files" \
  "$PACKWRIGHT" repo add --grace-period 0 "$R"
check "unreferenced pool file collected" test ! -e "$R/deb/pool/main/p/pw-gamma/pw-gamma_2.0-1_arm64.deb"
check "referenced pool file kept" test -f "$alpha"
check "old generations collected" test ! -d "$R/deb/.gen/1"
expect_exit 0 "still a valid repository" "$PACKWRIGHT" repo check "$R"

# packages put into the pool by other means are indexed where they lie, not copied
canon=$R/deb/pool/main/p/pw-delta/pw-delta_1.0-1_all.deb
mkdir -p "$(dirname "$canon")"
cp "$T/in/pw-delta_1.0-1_all.deb" "$canon"
ino=$(stat -c %i "$canon")
expect_exit 0 "re-index a package already at its pool path" "$PACKWRIGHT" repo add "$R" "$canon"
check "indexed in place (same inode)" test "$(stat -c %i "$canon")" = "$ino"
check "and listed" grep -q '^Package: pw-delta' "$S/main/binary-amd64/Packages"
mkdir -p "$R/deb/pool/main/incoming"
cp "$T/in/pw-epsilon_1.0-1_all.deb" "$R/deb/pool/main/incoming/x.deb"
expect_exit 0 "a package dropped into the pool under another name" \
  "$PACKWRIGHT" repo add "$R" "$R/deb/pool/main/incoming/x.deb"
check "is linked to its pool path" \
  test "$(stat -c %i "$R/deb/pool/main/p/pw-epsilon/pw-epsilon_1.0-1_all.deb")" = "$(stat -c %i "$R/deb/pool/main/incoming/x.deb")"
check "and listed there" grep -q '^Filename: pool/main/p/pw-epsilon/pw-epsilon_1.0-1_all.deb' "$S/main/binary-amd64/Packages"
expect_exit 0 "still consistent" "$PACKWRIGHT" repo check "$R"

# a second suite and component: own Release and indices, a disabled stanza in .sources
expect_exit 0 "--suite testing --component contrib" \
  "$PACKWRIGHT" repo add --suite testing --component contrib "$R" "$T/in/pw-gamma_2.0-1_arm64.deb"
TS=$R/deb/dists/testing
check "testing has its own Release" grep -q '^Suite: testing' "$TS/Release"
check "with its component" grep -q '^Components: contrib' "$TS/Release"
check "and its index" grep -q '^Package: pw-gamma' "$TS/contrib/binary-arm64/Packages"
check "pool path under the component" test -f "$R/deb/pool/contrib/p/pw-gamma/pw-gamma_2.0-1_arm64.deb"
check "stable is untouched" sh -c "! grep -q '^Package: pw-gamma' '$S/main/binary-arm64/Packages'"
check ".sources lists both suites, stable enabled" \
  sh -c "grep -c '^Types: deb' '$R/packwright.sources' | grep -qx 2 && grep -B5 'Enabled: no' '$R/packwright.sources' | grep -q 'Suites: testing'"
expect_exit 0 "both suites check out" "$PACKWRIGHT" repo check "$R"
expect_exit 0 "remove from one suite only" "$PACKWRIGHT" repo remove --suite testing "$R" pw-gamma
check "gone from testing" sh -c "! grep -q '^Package: pw-gamma' '$TS/contrib/binary-arm64/Packages'"

# a directory packwright does not manage is never overwritten
mkdir -p "$T/foreign/deb/dists/stable"
expect_exit 1 "a foreign dists/ is refused" "$PACKWRIGHT" repo add "$T/foreign" "$T/in/pw-alpha_1.0-1_amd64.deb"
expect_stderr "not managed by packwright" "with a reason"

# zstd rpm-md metadata on request, remembered by later publishes
Z=$T/zrepo
expect_exit 0 "--rpm-compression zstd" \
  "$PACKWRIGHT" repo add --rpm-compression zstd "$Z" "$T/in/pw-beta-1.0-1.noarch.rpm"
check "metadata is zstd" sh -c "ls '$Z/rpm/repodata/' | grep -q -- '-primary.xml.zst\$'"
check "zstd decodes it" sh -c "zstdcat '$Z/rpm/repodata/'*-primary.xml.zst | grep -q '<name>pw-beta</name>'"
expect_exit 0 "a later publish keeps zstd" "$PACKWRIGHT" repo add "$Z" "$T/in/pw-alpha-1.0-1.x86_64.rpm"
check "still zstd" sh -c "grep -q 'other.xml.zst' '$Z/rpm/repodata/repomd.xml'"
expect_exit 0 "repo check reads zstd" "$PACKWRIGHT" repo check --allow-unsigned "$Z"

# the name (Origin, Label) cannot change once published
expect_exit 2 "renaming is refused" "$PACKWRIGHT" repo add --name other "$R"
expect_stderr "cannot change" "with a reason"

# a tampered index is a checksum failure, a bad signature a signature failure
cp -a "$R" "$T/bad"
gen=$(readlink "$T/bad/deb/dists")
printf '\n' >>"$T/bad/deb/$gen/stable/main/binary-amd64/Packages"
expect_exit 4 "repo check: Packages changed after signing" "$PACKWRIGHT" repo check "$T/bad"
expect_stderr "Hash Sum mismatch" "named like apt names it"
cp -a "$R" "$T/bad2"
gen=$(readlink "$T/bad2/rpm/repodata")
sed -i 's/<revision>/<revision>1/' "$T/bad2/rpm/$gen/repomd.xml"
expect_exit 6 "repo check: repomd.xml changed after signing" "$PACKWRIGHT" repo check "$T/bad2"

pw_done
