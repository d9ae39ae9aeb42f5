#!/usr/bin/env bash
# The air-gapped flow: `packwright fetch` fills the cache, the server goes away, and
# `packwright build --offline` works from the cache alone; without a filled cache it fails
# naming the URL and `packwright fetch`.
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/lib/httpd.sh"

# A fake gVisor release (tarball layout, sha512sum file) and one plain file with a sha256.
mkdir -p "$T/www/release/20260101/x86_64" "$T/tree/gvisor-bin" "$T/pkg/gv"
rel=$T/www/release/20260101/x86_64
printf '#!/bin/sh\necho runsc\n' >"$T/tree/runsc"
printf '#!/bin/sh\necho shim\n' >"$T/tree/containerd-shim-runsc-v1"
printf 'gofer\n' >"$T/tree/gvisor-bin/checkpointgofer"
printf 'sentry\n' >"$T/tree/gvisor-bin/gvisor_sentry"
chmod 0755 "$T/tree/runsc" "$T/tree/containerd-shim-runsc-v1" "$T/tree/gvisor-bin/"*
tar -C "$T/tree" -cjf "$rel/gvisor.tar.bz2" .
(cd "$rel" && sha512sum gvisor.tar.bz2 >gvisor.tar.bz2.sha512)
printf 'apiVersion: node.k8s.io/v1\nkind: RuntimeClass\n' >"$T/www/runtimeclass.yaml"
rc_sha256=$(sha256sum "$T/www/runtimeclass.yaml" | cut -d' ' -f1)

cat >"$T/pkg/gv/package.json" <<EOF
{
  "name": "pw-offline-gv",
  "version": "1.0",
  "summary": "offline build test package",
  "maintainer": "Test <test@example.org>",
  "license": "Apache-2.0",
  "arch": "amd64",
  "vars": {"base": "http://127.0.0.1:9", "version": "20260101"},
  "sources": [
    {"name": "gvisor", "url": "\${base}/release/\${version}/\${arch.uname}/gvisor.tar.bz2",
     "sha512_url": "\${base}/release/\${version}/\${arch.uname}/gvisor.tar.bz2.sha512",
     "extract": ["runsc", "containerd-shim-runsc-v1", "gvisor-bin/"]},
    {"name": "rc", "url": "\${base}/runtimeclass.yaml", "sha256": "$rc_sha256"}
  ],
  "contents": [
    {"src": "source:gvisor/runsc", "dst": "/usr/bin/runsc", "mode": "0755"},
    {"src": "source:gvisor/containerd-shim-runsc-v1", "dst": "/usr/bin/containerd-shim-runsc-v1",
     "mode": "0755"},
    {"type": "tree", "src": "source:gvisor/gvisor-bin", "dst": "/usr/bin/gvisor-bin",
     "mode": "0755"},
    {"src": "source:rc/runtimeclass.yaml", "dst": "/usr/share/doc/pw-offline-gv/runtimeclass.yaml"}
  ]
}
EOF
M=$T/pkg/gv/package.json
export PACKWRIGHT_CACHE=$T/cache

pw_httpd_start "$T/www"
base=$PW_HTTPD_URL
tarball_url=$base/release/20260101/x86_64/gvisor.tar.bz2

expect_exit 5 "build --offline with an empty cache" \
  "$PACKWRIGHT" build --offline --var base="$base" -o "$T/dist0" "$T/pkg/gv"
expect_stderr "$M: sources[0].sha512_url: " "names the manifest and the source"
expect_stderr "$tarball_url.sha512" "names the missing URL"
expect_stderr "packwright fetch $M" "says how to fill the cache"
expect_eq "$(ls "$T/dist0" 2>/dev/null | wc -l)" 0 "writes nothing"
expect_eq "$(pw_httpd_requests .)" 0 "and asks the server nothing"

expect_exit 0 "fetch fills the cache" "$PACKWRIGHT" fetch --var base="$base" "$T/pkg/gv"
expect_stdout "pw-offline-gv: gvisor: downloaded $tarball_url" "fetched the tarball"
expect_stdout "pw-offline-gv: rc: downloaded $base/runtimeclass.yaml" "fetched the plain file"
pw_httpd_stop

expect_exit 5 "but an online fetch refreshes checksum files" \
  "$PACKWRIGHT" fetch --var base="$base" "$T/pkg/gv"
expect_stderr "cannot download '$tarball_url.sha512'" "and says which one it could not get"

expect_exit 0 "build --offline after the server stopped" \
  "$PACKWRIGHT" build --offline --var base="$base" -o "$T/dist" "$T/pkg/gv"
deb=$(ls "$T"/dist/*.deb 2>/dev/null | head -1)
rpm=$(ls "$T"/dist/*.rpm 2>/dev/null | head -1)
check "a .deb was written" test -s "$deb"
dpkg-deb -c "$deb" >"$T/deb.list" 2>&1 || true
check "the .deb holds runsc" grep -q ' \./usr/bin/runsc$' "$T/deb.list"
check "the .deb holds gvisor-bin/" grep -q ' \./usr/bin/gvisor-bin/gvisor_sentry$' "$T/deb.list"
check "an .rpm was written" test -s "$rpm"
rpm -qlp "$rpm" >"$T/rpm.list" 2>/dev/null || true
check "the .rpm holds the shim" grep -qx /usr/bin/containerd-shim-runsc-v1 "$T/rpm.list"
check "the .rpm holds gvisor-bin/" grep -qx /usr/bin/gvisor-bin/checkpointgofer "$T/rpm.list"
check "the .rpm holds the RuntimeClass" \
  grep -qx /usr/share/doc/pw-offline-gv/runtimeclass.yaml "$T/rpm.list"

# Other cache, other answer: --cache-dir wins over PACKWRIGHT_CACHE.
expect_exit 5 "--cache-dir names another (empty) cache" \
  "$PACKWRIGHT" build --offline --cache-dir "$T/other" --var base="$base" -o "$T/dist2" "$T/pkg/gv"

# A damaged cache entry is not used: offline it is an error, online it is downloaded again.
tar_sha512=$(sha512sum "$rel/gvisor.tar.bz2" | cut -d' ' -f1)
obj=$T/cache/sha512/${tar_sha512:0:2}/$tar_sha512
check "the tarball is cached under its sha512" cmp "$obj" "$rel/gvisor.tar.bz2"
printf 'garbage' >"$obj"
expect_exit 5 "a corrupt cache entry fails offline" \
  "$PACKWRIGHT" build --offline --var base="$base" -o "$T/dist3" "$T/pkg/gv"
expect_stderr "does not match its sha512" "and says so"
pw_httpd_start "$T/www"
expect_exit 0 "online, the entry is downloaded again" \
  "$PACKWRIGHT" fetch --var base="$PW_HTTPD_URL" "$T/pkg/gv"
check "and replaced" cmp "$obj" "$rel/gvisor.tar.bz2"
expect_eq "$(find "$T/cache" -name '*.tmp-*' | wc -l)" 0 "no temp file left in the cache"

# libcurl is loaded on the first download (src/core/curl_dl.c), not by every run: the fetches
# above went through it, and the binary does not name it.
needed=$(readelf -d "$PACKWRIGHT" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | xargs)
case " $needed " in
  *libcurl*) not_ok "packwright links libcurl at start-up: $needed" ;;
  *) ok "packwright does not link libcurl ($needed)" ;;
esac
pw_done
