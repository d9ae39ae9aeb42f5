#!/usr/bin/env bash
# packwright mirror rpm against a repository built by createrepo_c (rpms signed, repomd.xml.asc
# by a throwaway key), served on 127.0.0.1: a name filter with dependency closure (versions,
# virtual provides, file provides) gives exactly the expected set, --latest keeps the newest,
# dnf installs from the mirror into an installroot, a re-run makes one request, and tampering
# with repomd.xml, its signature, primary.xml or a package is refused with the previous
# generation left intact.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mirror.sh"

mirror_keys
KEY=$UPSTREAM_KEY # mk_rpm signs the upstream's packages with it
mk_rpm app 1.0 1 noarch 'Requires: libfoo >= 1.1' 'Requires: mta' 'Requires: /usr/bin/helper-impl'
mk_rpm libfoo 1.0 1 x86_64
mk_rpm libfoo 1.2 1 x86_64 'Requires: data-common'
mk_rpm data-common 1.0 1 noarch
mk_rpm exim-lite 4.0 1 noarch 'Provides: mta'
mk_rpm helper-impl 1.0 1 noarch
mk_rpm other 1.0 1 noarch
mk_rpm broken 1.0 1 noarch 'Requires: missing-lib >= 2'
mk_rpm viewer 1.0 1 noarch 'Requires: /usr/share/manual/version' # only filelists.xml has it
mk_rpm manual 1.0 1 noarch
mirror_createrepo "$T/www/rpm"
pw_httpd_start "$T/www"
trap mirror_cleanup EXIT
U=$PW_HTTPD_URL/rpm
R=$T/repo
m() { "$PACKWRIGHT" mirror rpm --keyring "$T/upstream.gpg" "$@"; }

# --- choosing ---
expect_exit 0 "dry run" m --include app --with-deps --dry-run "$U" "$R"
expect_eq "$(cat "$T/stdout")" "app 1.0-1 noarch
data-common 1.0-1 noarch
exim-lite 4.0-1 noarch
helper-impl 1.0-1 noarch
libfoo 1.2-1 x86_64" "name filter and closure: exactly the expected set (versions, provides, files)"
check "primary sufficed: filelists.xml not fetched" sh -c "! grep -q filelists '$PW_HTTPD_LOG'"
expect_exit 0 "a file requirement outside primary" m --include viewer --with-deps --dry-run "$U" "$R"
expect_eq "$(tr '\n' ' ' <"$T/stdout")" "manual 1.0-1 noarch viewer 1.0-1 noarch " \
  "resolved through filelists.xml"
check "filelists.xml fetched for it" grep -q 'filelists.xml.gz - 200' "$PW_HTTPD_LOG"
expect_exit 0 "all versions" m --include 'libfoo' --dry-run "$U" "$R"
expect_eq "$(tr '\n' ' ' <"$T/stdout")" "libfoo 1.0-1 x86_64 libfoo 1.2-1 x86_64 " "both versions without --latest"
expect_exit 0 "--latest 1" m --include 'lib*' --latest 1 --dry-run "$U" "$R"
expect_eq "$(tr '\n' ' ' <"$T/stdout")" "libfoo 1.2-1 x86_64 " "--latest 1 keeps the newest"
expect_exit 0 "unsatisfiable" m --include broken --with-deps --dry-run "$U" "$R"
expect_stderr "cannot satisfy inside the mirror: broken 1.0-1 noarch: needs 'missing-lib >= 2'" \
  "what cannot be satisfied is reported"

expect_exit 2 "an ftp URL" m "ftp://127.0.0.1/rpm" "$R"
expect_stderr "unsupported upstream URL 'ftp://127.0.0.1/rpm' (https, http or file)" "is refused"

# --- mirroring ---
expect_exit 0 "mirror, re-signed with the site key" \
  m --include app --with-deps --sign-key "$SITE_KEY" "$U" "$R"
expect_stdout "mirrored 5 of" "five packages mirrored"
expect_exit 0 "repo check accepts the mirror" "$PACKWRIGHT" repo check --keyring "$T/site.gpg" "$R"
check "repomd.xml.asc is by the site key" \
  gpgv --keyring "$T/site.gpg" "$R/rpm/repodata/repomd.xml.asc" "$R/rpm/repodata/repomd.xml"

: >"$PW_HTTPD_LOG"
expect_exit 0 "re-run against an unchanged upstream" m --include app --with-deps "$U" "$R"
expect_eq "$(wc -l <"$PW_HTTPD_LOG")" 1 "the re-run makes one request"
expect_eq "$(pw_httpd_requests '^GET /rpm/repodata/repomd.xml ')" 1 "... for repomd.xml"
expect_stdout "downloaded 0 (0 bytes)" "nothing downloaded"

# one mirror run at a time per repository and family
m --include app "$PW_HTTPD_URL/@stall/rpm" "$R" >/dev/null 2>&1 &
stalled=$!
for _ in $(seq 50); do grep -q '@stall' "$PW_HTTPD_LOG" && break; sleep 0.1; done
expect_exit 7 "a second mirror run while one is running" m --include app --dry-run "$U" "$R"
expect_stderr "another mirror run holds" "is refused as locked"
wait "$stalled" || true

# --- dnf installs from the mirror (repo_gpgcheck with the site key, packages with upstream's) ---
D=$T/dnf
mkdir -p "$D/root" "$D/repos" "$D/cache" "$D/log"
gpg --batch --armor --export "$SITE_KEY" >"$T/site.asc"
gpg --batch --armor --export "$UPSTREAM_KEY" >"$T/upstream.asc"
cat >"$D/dnf.conf" <<CONF
[main]
gpgcheck=1
repo_gpgcheck=1
reposdir=$D/repos
cachedir=$D/cache
logdir=$D/log
CONF
cat >"$D/repos/mirror.repo" <<REPO
[mirror]
name=mirror
baseurl=file://$R/rpm
gpgkey=file://$T/site.asc file://$T/upstream.asc
REPO
run dnf_run install app
check "dnf install app from the mirror" test "$rc" -eq 0
check "no warnings from dnf" no_warnings "$T/stdout" "$T/stderr"
check "app and its dependencies are installed" \
  rpm --root "$D/root" -q app libfoo-1.2 data-common exim-lite helper-impl

# --- tampering: refused, the previous generation stays ---
# The upstream publishes a new revision first: a signature is fetched (and checked) for an
# entry point that changed; the stored one serves for a repomd.xml already verified.
mk_rpm extra 1.0 1 noarch
mirror_createrepo "$T/www/rpm"
tamper_setup "$T/www/rpm" "$R"
MD=$T/www/rpm/repodata/repomd.xml

sed -i 's|<revision>|<revision>9|' "$MD"
expect_exit 6 "repomd.xml altered" m --include app --with-deps "$U" "$R"
expect_stderr "repodata/repomd.xml': bad or untrusted signature" "names repomd.xml and says why"
intact "altered repomd.xml"
restore

gpg --batch --yes --local-user "$SITE_KEY" --armor --detach-sign -o "$MD.asc" "$MD"
expect_exit 6 "repomd.xml signed by another key" m --include app --with-deps "$U" "$R"
expect_stderr "bad or untrusted signature" "foreign signature refused"
intact "foreign repomd.xml.asc"
restore

rm "$MD.asc"
expect_exit 5 "repomd.xml.asc missing" m --include app --with-deps "$U" "$R"
expect_stderr "repomd.xml.asc': the server answered HTTP 404" "a missing signature is an error"
intact "missing repomd.xml.asc"
restore

rm -rf "$R/.packwright/mirror/rpm/indexes" # as if the cache were lost: primary is fetched again
flip_byte "$(ls "$T"/www/rpm/repodata/*-primary.xml.gz)"
expect_exit 4 "primary.xml.gz altered" m --include app --with-deps "$U" "$R"
expect_stderr "primary.xml.gz': sha256 mismatch" "names primary and says why"
intact "altered primary"
restore

flip_byte "$T/www/rpm/Packages/other-1.0-1.noarch.rpm"
expect_exit 4 "package altered" m --include app --include other --with-deps "$U" "$R"
expect_stderr "other-1.0-1.noarch.rpm': sha256 mismatch" "names the package and says why"
intact "altered package"
restore

expect_exit 0 "mirror once more" m --include app --include other --with-deps "$U" "$R"
expect_stdout "downloaded 1 " "only the new package is downloaded"
pw_done
