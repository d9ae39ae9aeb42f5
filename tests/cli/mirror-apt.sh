#!/usr/bin/env bash
# packwright mirror apt against a repository built by reprepro and signed with a throwaway
# key, served on 127.0.0.1: a name filter with dependency closure gives exactly the expected
# set, apt installs it inside a Debian root, a re-run makes one request, cut and failing
# downloads are resumed and retried, and tampering with the entry point, its signature, an
# index or a package is refused with the previous generation left intact.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mirror.sh"

mirror_keys
mk_deb app 1.0 amd64 'Depends: libfoo (>= 1.1), mta | postfix, helper-virtual'
mk_deb app 1.0 arm64 'Depends: libfoo (>= 1.1)'
mk_deb libfoo 1.2 amd64 'Depends: data-common'
mk_deb data-common 1.0 all
mk_deb exim-lite 4.0 amd64 'Provides: mta'
mk_deb helper-impl 1.0 all 'Provides: helper-virtual'
mk_deb other 1.0 amd64
mk_deb broken 1.0 amd64 'Depends: missing-lib (>= 2) | gone'
mirror_reprepro "$T/www/apt"
pw_httpd_start "$T/www"
trap mirror_cleanup EXIT
U=$PW_HTTPD_URL/apt
R=$T/repo
m() { "$PACKWRIGHT" mirror apt --keyring "$T/upstream.gpg" --arch amd64 "$@"; }

# --- choosing ---
expect_exit 0 "dry run" m --include app --with-deps --dry-run "$U" stable "$R"
expect_eq "$(cat "$T/stdout")" "app 1.0 amd64
data-common 1.0 all
exim-lite 4.0 amd64
helper-impl 1.0 all
libfoo 1.2 amd64" "name filter and closure: exactly the expected set (versions, virtual, alternatives)"
check "a dry run publishes nothing" test ! -e "$R/deb"
expect_exit 0 "unsatisfiable dependency" m --include broken --with-deps --dry-run "$U" stable "$R"
expect_stderr "cannot satisfy inside the mirror: broken 1.0 amd64: needs 'missing-lib (>= 2) | gone'" \
  "what cannot be satisfied is reported"
expect_exit 0 "without --with-deps" m --include 'app' --include 'other' --dry-run "$U" stable "$R"
expect_eq "$(tr '\n' ' ' <"$T/stdout")" "app 1.0 amd64 other 1.0 amd64 " "patterns alone"
expect_exit 6 "wrong keyring" "$PACKWRIGHT" mirror apt --keyring "$T/site.gpg" --dry-run "$U" stable "$R"
expect_stderr "bad or untrusted signature" "a signature by an untrusted key is refused"

# --- mirroring ---
expect_exit 0 "mirror, re-signed with the site key" \
  m --include app --with-deps --sign-key "$SITE_KEY" "$U" stable "$R"
expect_stdout "mirrored 5 of" "five packages mirrored"
got=$(sed -n 's/^Package: //p' "$R/deb/dists/stable/main/binary-amd64/Packages" | sort | tr '\n' ' ')
expect_eq "$got" "app data-common exim-lite helper-impl libfoo " "the local index holds exactly the set"
expect_exit 0 "repo check accepts the mirror" "$PACKWRIGHT" repo check --keyring "$T/site.gpg" "$R"
check "InRelease is signed by the site key" gpgv --keyring "$T/site.gpg" "$R/deb/dists/stable/InRelease"

: >"$PW_HTTPD_LOG"
expect_exit 0 "re-run against an unchanged upstream" m --include app --with-deps "$U" stable "$R"
expect_eq "$(wc -l <"$PW_HTTPD_LOG")" 1 "the re-run makes one request"
expect_eq "$(pw_httpd_requests '^GET /apt/dists/stable/InRelease ')" 1 "... for InRelease"
expect_stdout "downloaded 0 (0 bytes)" "nothing downloaded"
expect_stderr "nothing to publish" "nothing republished"

# --- a flaky upstream: cut downloads resume with Range requests, 5xx answers are retried,
# endless redirects are bounded ---
: >"$PW_HTTPD_LOG"
expect_exit 0 "mirror through connections cut once per file" \
  m --include app --with-deps "$PW_HTTPD_URL/@cutonce/apt" stable "$T/repo-cut"
check "a cut package download resumed with a Range request" \
  grep -qE '^GET /@cutonce/apt/pool/[^ ]+ bytes=[0-9]+- 206$' "$PW_HTTPD_LOG"
expect_exit 0 "the result verifies" "$PACKWRIGHT" repo check --allow-unsigned "$T/repo-cut"
expect_exit 0 "mirror through two 503 answers per file" \
  m --include other "$PW_HTTPD_URL/@503x2/apt" stable "$T/repo-503"
check "503 answers were retried" grep -qE '^GET /@503x2/apt/pool/[^ ]+ - 200$' "$PW_HTTPD_LOG"
expect_exit 5 "an endless redirect" m --include app "$PW_HTTPD_URL/@loop/apt" stable "$T/repo-loop"
expect_stderr "redirects followed" "is bounded and named"

# --- apt installs from the mirror, inside a throwaway Debian root ---
apt_root "$T/root" "$R"
apt_install "$T/root" "the mirror" app app libfoo data-common exim-lite helper-impl

# --- tampering: refused, the previous generation stays ---
tamper_setup "$T/www/apt" "$R"
IR=$T/www/apt/dists/stable/InRelease

sed -i 's/^Origin: Upstream/Origin: Upstreem/' "$IR"
expect_exit 6 "InRelease content altered" m --include app --with-deps "$U" stable "$R"
expect_stderr "dists/stable/InRelease': bad or untrusted signature" "names InRelease and says why"
intact "altered InRelease"
restore

gpg --batch --yes --local-user "$SITE_KEY" --clearsign -o "$IR" "$T/www/apt/dists/stable/Release"
expect_exit 6 "InRelease signed by another key" m --include app --with-deps "$U" stable "$R"
expect_stderr "bad or untrusted signature" "foreign signature refused"
intact "foreign InRelease signature"
restore

rm "$IR"
flip_byte "$T/www/apt/dists/stable/Release.gpg" 120
expect_exit 6 "Release.gpg damaged (no InRelease)" m --include app --with-deps "$U" stable "$R"
expect_stderr "dists/stable/Release': bad or untrusted signature" "falls back to Release.gpg and refuses it"
intact "damaged Release.gpg"
restore

# the upstream publishes again; then its new index is tampered with
sleep 1
mk_deb extra 1.0 amd64
reprepro -b "$T/www/apt" includedeb stable "$T/in/extra_1.0_amd64.deb" >/dev/null 2>&1
cp "$T/pristine/dists/stable/InRelease" "$T/InRelease.old"
cp "$T/pristine/dists/stable/main/binary-amd64/Packages.gz" "$T/Packages.gz.old"
tamper_setup "$T/www/apt" "$R"
flip_byte "$T/www/apt/dists/stable/main/binary-amd64/Packages.gz"
expect_exit 4 "Packages.gz altered" m --include app --with-deps "$U" stable "$R"
expect_stderr "main/binary-amd64/Packages.gz': sha256 mismatch" "names the index and says why"
intact "altered index"
restore

flip_byte "$T/www/apt/pool/main/o/other/other_1.0_amd64.deb"
expect_exit 4 "package altered" m --include app --include other --with-deps "$U" stable "$R"
expect_stderr "other_1.0_amd64.deb': sha256 mismatch" "names the package and says why"
intact "altered package"
restore

expect_exit 0 "mirror the new upstream" m --include app --include extra --with-deps "$U" stable "$R"
expect_stdout "downloaded 1 " "only the new package is downloaded"
check "extra is now served" grep -q '^Package: extra$' "$R/deb/dists/stable/main/binary-amd64/Packages"
tamper_setup "$T/www/apt" "$R"
cp "$T/InRelease.old" "$IR"
cp "$T/Packages.gz.old" "$T/www/apt/dists/stable/main/binary-amd64/Packages.gz"
expect_exit 6 "an older, validly signed Release replayed" m --include app --with-deps "$U" stable "$R"
expect_stderr "older than the one mirrored before" "a downgrade is refused"
intact "replayed Release"
pw_done
