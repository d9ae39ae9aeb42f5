#!/usr/bin/env bash
# `packwright build --vars tests/fixtures/packer-vars.json pkg/*` with gVisor served by a
# loopback server from a fake release tree (both layouts, real .sha512 files): the .deb and
# .rpm of the four packages, what they hold, lintian and rpmlint, the layout fallback and its
# errors, the packages a var file enables, and the air-gapped flow (fetch, server gone,
# build --offline).
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/lib/httpd.sh"
. "$PW_SOURCE_DIR/tests/fixtures/rpm/helpers.sh"
. "$(dirname "$0")/lib-containerd.sh"

export PACKWRIGHT_CACHE=$T/cache
gvisor_release "$T/www" "$GV_VERSION" tarball
gvisor_release "$T/www" "$GV_BINARIES" binaries
cp -r "$T/www/release/$GV_VERSION" "$T/www/release/latest"
pw_httpd_start "$T/www"
GV_BASE=$PW_HTTPD_URL/release
rel=$GV_BASE/$GV_VERSION/x86_64

# --- the four packages, both formats ---------------------------------------------------
rpm_gpg_key
build_packages "$T/out" --sign-key "$RPM_KEY"
V=0.$GV_VERSION-1
debs="$T/out/containerd-gvisor_${V}_amd64.deb $T/out/containerd-config_0.1.0-1_all.deb"
debs+=" $T/out/containerd-nofile-limit_0.1.0-1_all.deb $T/out/packwright-toml_0.1.0-1_amd64.deb"
rpms="$T/out/containerd-gvisor-$V.x86_64.rpm $T/out/containerd-config-0.1.0-1.noarch.rpm"
rpms+=" $T/out/containerd-nofile-limit-0.1.0-1.noarch.rpm $T/out/packwright-toml-0.1.0-1.x86_64.rpm"
for f in $debs $rpms; do check "built $(basename "$f")" test -s "$f"; done
expect_eq "$(ls "$T/out" | wc -l)" 10 "ten files: the four packages and packwright, two formats"
expect_eq "$(pw_httpd_requests "GET /release/$GV_VERSION/x86_64/gvisor.tar.bz2 ")" 1 \
  "the tarball was downloaded once (the rpm build took it from the cache)"

gv_deb=$T/out/containerd-gvisor_${V}_amd64.deb
dpkg-deb -c "$gv_deb" | awk '{ s = $1 " " $6; if ($7 != "") s = s " " $7 " " $8; print s }' >"$T/gv.list"
check "runsc beside gvisor-bin/ in /usr/lib/containerd-gvisor, 0755" \
  grep -qx -- '-rwxr-xr-x ./usr/lib/containerd-gvisor/runsc' "$T/gv.list"
check "gvisor-bin/ is shipped when the release has it" \
  grep -qx -- '-rwxr-xr-x ./usr/lib/containerd-gvisor/gvisor-bin/checkpointgofer' "$T/gv.list"
check "/usr/bin/runsc leads to it" grep -qx -- 'lrwxrwxrwx ./usr/bin/runsc -> ../lib/containerd-gvisor/runsc' "$T/gv.list"
check "the shim in /usr/bin, 0755" grep -qx -- '-rwxr-xr-x ./usr/bin/containerd-shim-runsc-v1' "$T/gv.list"
check "the RuntimeClass" grep -q ' ./usr/share/doc/containerd-gvisor/runtimeclass.yaml$' "$T/gv.list"
dpkg-deb --fsys-tarfile "$gv_deb" | tar -xOf - ./usr/lib/containerd-gvisor/runsc >"$T/runsc"
tar -xOjf "$T/www/release/$GV_VERSION/x86_64/gvisor.tar.bz2" runsc >"$T/runsc.want"
check "runsc is the release's" cmp "$T/runsc" "$T/runsc.want"
dpkg-deb -x "$gv_deb" "$T/gvx"
check "the RuntimeClass names handler gvisor" grep -qx 'handler: gvisor' "$T/gvx/usr/share/doc/containerd-gvisor/runtimeclass.yaml"
expect_eq "$(dpkg-deb -f "$gv_deb" Depends)" "packwright-toml (>= 0.1.0)" "gvisor depends on packwright-toml only"
expect_eq "$(dpkg-deb -f "$gv_deb" Enhances)" "containerd, containerd.io" "and enhances containerd"
expect_eq "$(rpm -qp --enhances "$T/out/containerd-gvisor-$V.x86_64.rpm" | xargs)" \
  "containerd containerd.io containerd2 moby-containerd" "rpm Enhances names the rpm distributions' containerd"
check "no Recommends (apt and dnf would install a distribution containerd)" \
  test -z "$(dpkg-deb -f "$gv_deb" Recommends)$(rpm -qp --recommends "$T/out/containerd-gvisor-$V.x86_64.rpm")"

cfg_deb=$T/out/containerd-config_0.1.0-1_all.deb
dpkg-deb -x "$cfg_deb" "$T/cfgx"
settings_toml >"$T/settings.want"
check "the additional settings, decoded from base64" \
  cmp "$T/settings.want" "$T/cfgx/etc/containerd/containerd-config/additional-settings.toml"
check "the timeout" grep -qx 'image_pull_progress_timeout = "10m"' \
  "$T/cfgx/etc/containerd/containerd-config/image-pull-progress-timeout.toml"
check "nothing under conf.d" bash -c "! dpkg-deb -c '$cfg_deb' | grep -q conf.d"
check "they are conffiles" bash -c "dpkg-deb -I '$cfg_deb' conffiles | grep -qx /etc/containerd/containerd-config/additional-settings.toml"
nf_deb=$T/out/containerd-nofile-limit_0.1.0-1_all.deb
check "nofile-limit ships the drop-in's source, not the drop-in" bash -c \
  "dpkg-deb -c '$nf_deb' | grep -q ' ./usr/share/containerd-nofile-limit/limit-nofile.conf$' && ! dpkg-deb -c '$nf_deb' | grep -q systemd"

# --- lintian and rpmlint ---------------------------------------------------------------
# lintian: no errors. Tolerated warnings, each for a reason:
#   initial-upload-closes-no-bugs  the changelog of a package made outside Debian
#   no-manual-page                 gVisor ships no man pages for runsc and its shim
run lintian --fail-on error $debs
expect_eq "$rc" 0 "lintian: no errors"
grep -E '^[EW]: ' "$T/stdout" | grep -vE ': (initial-upload-closes-no-bugs|no-manual-page) ' \
  >"$T/lintian.unexpected" || true
check "lintian: only the tolerated warnings" test ! -s "$T/lintian.unexpected"
sed 's/^/#   lintian: /' "$T/lintian.unexpected"
# rpmlint (signed packages, with the packages' own rpmlintrc files): no errors. Tolerated
# warnings, each for a reason:
#   no-url-tag, no-documentation   packwright's own small packages have no homepage or docs
#   invalid-license                Debian's rpmlint has no license list configured
#   no-manual-page-for-binary      gVisor ships none
#   dangerous-command-in-%post/%preun/%postun  the scripts install, copy and remove the
#                                  drop-in and their own state on purpose
#   conffile-without-noreplace-flag  /etc/containerd/containerd-config/* are plain %config:
#                                  a new build's settings replace the old ones (doc)
#   position-independent-executable-suggested, manpage-not-compressed  packwright-toml's
#                                  (tests/cli/ship-rpm.sh); the fakes are static like gVisor's
KDB=$T/keydb
mkdir -p "$KDB" "$T/linthome"
rpm --dbpath "$KDB" --initdb
rpmkeys --dbpath "$KDB" --import "$T/pubkey.asc"
echo "%_dbpath $KDB" >"$T/linthome/.rpmmacros"
cat "$PKG/containerd-gvisor/rpmlintrc" "$PW_SOURCE_DIR/specs/packwright.rpmlintrc" >"$T/rpmlintrc"
HOME=$T/linthome rpmlint -r "$T/rpmlintrc" $rpms >"$T/lint" 2>&1 || true
check "rpmlint: 0 errors" grep -q ' 0 errors' "$T/lint"
tolerated='no-url-tag|no-documentation|invalid-license|no-manual-page-for-binary'
tolerated+='|dangerous-command-in-%(post|preun|postun)|conffile-without-noreplace-flag'
tolerated+='|position-independent-executable-suggested|manpage-not-compressed'
grep -E '^[a-z-]+\.[a-z0-9_]+: [EW]: ' "$T/lint" | grep -vE ": W: ($tolerated)( |$)" >"$T/lint.unexpected" || true
check "rpmlint: only the tolerated warnings" test ! -s "$T/lint.unexpected"
sed 's/^/#   rpmlint: /' "$T/lint.unexpected"

# --- layouts -----------------------------------------------------------------------------
: >"$PW_HTTPD_LOG"
run "$PACKWRIGHT" build -f deb -o "$T/old" --vars "$VARS" --var "containerd_gvisor_base_url=$GV_BASE" \
  --var "containerd_gvisor_version=$GV_BINARIES" "$PKG/containerd-gvisor"
expect_eq "$rc" 0 "a release of loose binaries builds (auto falls back): $(tail -1 "$T/stderr")"
check "the tarball's checksum answered 404 first" \
  grep -q "GET /release/$GV_BINARIES/x86_64/gvisor.tar.bz2.sha512 - 404" "$PW_HTTPD_LOG"
expect_eq "$(pw_httpd_requests "GET /release/$GV_BINARIES/x86_64/(runsc|containerd-shim-runsc-v1)(.sha512)? - 200")" 4 \
  "then both binaries and their .sha512 were fetched"
dpkg-deb -c "$T/old/containerd-gvisor_0.${GV_BINARIES}-1_amd64.deb" >"$T/old.list"
check "same paths from the other layout" grep -q ' ./usr/lib/containerd-gvisor/runsc$' "$T/old.list"
check "no gvisor-bin/ when the release has none" bash -c "! grep -q gvisor-bin '$T/old.list'"

expect_exit 5 "layout 'tarball' of a binaries-only release fails" "$PACKWRIGHT" build -f deb \
  -o "$T/x1" --vars "$VARS" --var "containerd_gvisor_base_url=$GV_BASE" \
  --var "containerd_gvisor_version=$GV_BINARIES" --var containerd_gvisor_layout=tarball "$PKG/containerd-gvisor"
expect_stderr "sources[0].layouts[0].sha512_url: cannot download '$GV_BASE/$GV_BINARIES/x86_64/gvisor.tar.bz2.sha512': the server answered HTTP 404" \
  "an explicit layout does not fall back, and names the URL"
expect_exit 5 "a release in neither layout fails" "$PACKWRIGHT" build -f deb -o "$T/x2" \
  --vars "$VARS" --var "containerd_gvisor_base_url=$GV_BASE" --var containerd_gvisor_version=19990101 \
  "$PKG/containerd-gvisor"
expect_stderr "sources[0].layouts: no layout of 'gvisor' is published there: each first request found nothing (HTTP 404): '$GV_BASE/19990101/x86_64/gvisor.tar.bz2.sha512' (tarball), '$GV_BASE/19990101/x86_64/runsc.sha512' (binaries)" \
  "the message names every URL tried"
expect_exit 5 "ARCH follows --arch in uname spelling" "$PACKWRIGHT" build -f deb -o "$T/x7" --arch arm64 \
  --vars "$VARS" --var "containerd_gvisor_base_url=$GV_BASE" --var containerd_gvisor_version=19990101 \
  "$PKG/containerd-gvisor"
expect_stderr "'$GV_BASE/19990101/aarch64/gvisor.tar.bz2.sha512' (tarball)" "aarch64 in the URLs"
run "$PACKWRIGHT" build -f deb -o "$T/latest" --vars "$VARS" --var "containerd_gvisor_base_url=$GV_BASE" \
  --var containerd_gvisor_version=latest "$PKG/containerd-gvisor"
expect_eq "$rc" 0 "containerd_gvisor_version latest: $(tail -1 "$T/stderr")"
check "its package version is 0.latest" test -s "$T/latest/containerd-gvisor_0.latest-1_amd64.deb"
expect_exit 3 "an unknown layout is a manifest error" "$PACKWRIGHT" build -f deb -o "$T/x3" \
  --vars "$VARS" --var containerd_gvisor_layout=zip "$PKG/containerd-gvisor"
expect_stderr "sources[0].layout: 'zip' is not a layout of this source (auto, tarball, binaries)" "and says which exist"
check "the failed builds wrote nothing" test -z "$(ls "$T"/x1 "$T"/x2 "$T"/x3 "$T"/x7 2>/dev/null)"

# --- which packages a var file enables ---------------------------------------------------
enabled() { # VARS-ARGS...: the package names a build writes (deb only), sorted
  run "$PACKWRIGHT" build -f deb --deb-compression none --json -o "$T/sel" "$@" --var "containerd_gvisor_base_url=$GV_BASE" \
    --var "build_dir=$PW_BUILD_DIR" "$PKG"/*
  python3 -c 'import json,sys; print(" ".join(sorted(f["name"] for f in json.load(open(sys.argv[1]))["files"])))' "$T/stdout"
  rm -rf "$T/sel"
}
all4="containerd-config containerd-gvisor containerd-nofile-limit packwright packwright-toml"
expect_eq "$(enabled --vars "$VARS")" "$all4" "packer-vars.json enables all four (and packwright)"
echo '{"containerd_gvisor_runtime": "false", "containerd_image_pull_progress_timeout": null, "containerd_additional_settings": null}' >"$T/defaults.json"
expect_eq "$(enabled --vars "$T/defaults.json")" "containerd-nofile-limit packwright packwright-toml" \
  "image-builder's defaults (gVisor off, nulls): nofile-limit and packwright-toml"
echo '{"containerd_gvisor_runtime": false, "containerd_image_pull_progress_timeout": "", "containerd_additional_settings": ""}' >"$T/jsonfalse.json"
expect_eq "$(enabled --vars "$T/jsonfalse.json")" "containerd-nofile-limit packwright packwright-toml" \
  "JSON false and empty strings enable nothing more (Q1: \"false\" is false)"
echo '{"containerd_gvisor_runtime": true, "containerd_gvisor_version": "'"$GV_VERSION"'", "containerd_image_pull_progress_timeout": "5m"}' >"$T/timeout.json"
expect_eq "$(enabled --vars "$T/timeout.json")" "$all4" "JSON true enables gVisor; a timeout alone enables containerd-config"
printf '[metrics]\n  address = "127.0.0.1:1338"\n' >"$T/plain.toml"
expect_eq "$(enabled --var containerd_additional_settings_file="$T/plain.toml")" \
  "containerd-config containerd-nofile-limit packwright packwright-toml" "plain TOML from a file enables containerd-config"
run "$PACKWRIGHT" build -f deb -o "$T/plain" --var containerd_additional_settings_file="$T/plain.toml" "$PKG/containerd-config"
dpkg-deb -x "$T/plain/containerd-config_0.1.0-1_all.deb" "$T/plainx"
check "the file's TOML is shipped as it is" cmp "$T/plain.toml" "$T/plainx/etc/containerd/containerd-config/additional-settings.toml"
expect_exit 3 "base64 and a file at once are refused" "$PACKWRIGHT" build -f deb -o "$T/x4" --vars "$VARS" \
  --var containerd_additional_settings_file="$T/plain.toml" "$PKG/containerd-config"
expect_stderr "/etc/containerd/containerd-config/additional-settings.toml' is also the dst of contents[" "the message names both entries"

# --- air-gapped: fetch, server gone, build --offline ---------------------------------------
export PACKWRIGHT_CACHE=$T/cache2
expect_exit 5 "gVisor enabled, no cache, --offline: fails" "$PACKWRIGHT" build --offline -o "$T/x5" \
  --vars "$VARS" --var "containerd_gvisor_base_url=$GV_BASE" "$PKG/containerd-gvisor"
expect_stderr "$rel/gvisor.tar.bz2.sha512" "names the URL"
expect_stderr "packwright fetch $PKG/containerd-gvisor/package.json" "and packwright fetch"
expect_exit 0 "packwright fetch (tarball release)" "$PACKWRIGHT" fetch --vars "$VARS" \
  --var "containerd_gvisor_base_url=$GV_BASE" --var "build_dir=$PW_BUILD_DIR" "$PKG"/*
expect_stdout "containerd-gvisor: gvisor: layout 'tarball'" "fetch says which layout"
expect_stdout "containerd-gvisor: gvisor: downloaded $rel/gvisor.tar.bz2" "and what it downloaded"
expect_exit 0 "packwright fetch (binaries release)" "$PACKWRIGHT" fetch --vars "$VARS" \
  --var "containerd_gvisor_base_url=$GV_BASE" --var "containerd_gvisor_version=$GV_BINARIES" "$PKG/containerd-gvisor"
expect_stdout "containerd-gvisor: gvisor/runsc: downloaded $GV_BASE/$GV_BINARIES/x86_64/runsc" "each loose file"
pw_httpd_stop
expect_exit 5 "without the server an online build fails" "$PACKWRIGHT" build -o "$T/x6" \
  --vars "$VARS" --var "containerd_gvisor_base_url=$GV_BASE" "$PKG/containerd-gvisor"
expect_stderr "cannot download '$rel/gvisor.tar.bz2.sha512'" "naming the URL"
expect_stderr "run 'packwright fetch $PKG/containerd-gvisor/package.json' (with the same variables) where it can be reached, and build with --offline" \
  "and how to build without network"
build_packages "$T/offline" --offline
expect_eq "$(ls "$T/offline" | wc -l)" 10 "build --offline after the server stopped: all ten files"
for f in $debs $rpms; do
  b=$T/offline/$(basename "$f")
  [ "${b%.rpm}" != "$b" ] && continue # the first rpm build was signed
  check "offline $(basename "$f") is byte-identical to the online one" cmp "$f" "$b"
done
run "$PACKWRIGHT" build --offline -f deb -o "$T/offline-old" --vars "$VARS" --var "containerd_gvisor_base_url=$GV_BASE" \
  --var "containerd_gvisor_version=$GV_BINARIES" "$PKG/containerd-gvisor"
expect_eq "$rc" 0 "offline, the cached auto choice of the binaries layout: $(tail -1 "$T/stderr")"
check "the same package as online" cmp "$T/old/containerd-gvisor_0.${GV_BINARIES}-1_amd64.deb" \
  "$T/offline-old/containerd-gvisor_0.${GV_BINARIES}-1_amd64.deb"
pw_done
