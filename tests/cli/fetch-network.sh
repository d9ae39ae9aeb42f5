#!/usr/bin/env bash
# packwright fetch against a loopback HTTP server: what succeeds lands in the cache once; every
# failure exits non-zero with the manifest, the source and the URL in its message and leaves
# nothing in the cache, not even a temp file.
. "$(dirname "$0")/lib.sh"
. "$PW_SOURCE_DIR/tests/lib/httpd.sh"

mkdir -p "$T/www" "$T/pkg/demo"
head -c 300000 /dev/urandom >"$T/www/tool"
tool_sha256=$(sha256sum "$T/www/tool" | cut -d' ' -f1)
pw_httpd_start "$T/www"

# The manifest takes the URL path and the digest from variables.
cat >"$T/pkg/demo/package.json" <<EOF
{
  "name": "pw-fetch-demo",
  "version": "1.0",
  "summary": "fetch test package",
  "maintainer": "Test <test@example.org>",
  "license": "MIT",
  "arch": "all",
  "vars": {"base": "$PW_HTTPD_URL", "path": "tool", "sha": "$tool_sha256"},
  "sources": [{"name": "tool", "url": "\${base}/\${path}", "sha256": "\${sha}"}],
  "contents": [{"src": "source:tool/tool", "dst": "/usr/bin/pw-tool", "mode": "0755"}]
}
EOF
M=$T/pkg/demo/package.json

cache_files() { find "$1" -type f 2>/dev/null | wc -l; }

# fails CODE CAUSE DESCRIPTION VAR...: fetch into a fresh cache must fail cleanly.
n=0
fails() {
  local code=$1 cause=$2 d=$3; shift 3
  n=$((n + 1))
  local cache=$T/cache-fail-$n
  expect_exit "$code" "$d" "$PACKWRIGHT" fetch --cache-dir "$cache" "$@" "$T/pkg/demo"
  expect_stderr "$M: sources[0]: " "$d: names the manifest and the source"
  expect_stderr "$cause" "$d: says why ($cause)"
  expect_stderr "$PW_HTTPD_URL/" "$d: names the URL"
  expect_eq "$(cache_files "$cache")" 0 "$d: nothing in the cache"
}

expect_exit 0 "fetch downloads" "$PACKWRIGHT" fetch --cache-dir "$T/cache" "$T/pkg/demo"
expect_stdout "pw-fetch-demo: tool: downloaded $PW_HTTPD_URL/tool (sha256 " "reports the download"
expect_eq "$(cache_files "$T/cache")" 1 "one object in the cache"
check "stored under sha256/xx/HEX" cmp "$T/www/tool" \
  "$T/cache/sha256/${tool_sha256:0:2}/$tool_sha256"
before=$(pw_httpd_requests ' /tool ')
expect_exit 0 "fetch again" "$PACKWRIGHT" fetch --cache-dir "$T/cache" "$T/pkg/demo"
expect_stdout "pw-fetch-demo: tool: in cache" "second fetch is a cache hit"
expect_eq "$(pw_httpd_requests ' /tool ')" "$before" "no request for a cache hit"
PACKWRIGHT_CACHE=$T/cache expect_exit 0 "PACKWRIGHT_CACHE names the cache" \
  "$PACKWRIGHT" fetch "$T/pkg/demo"
expect_stdout "in cache" "PACKWRIGHT_CACHE is used"

fails 4 "sha256 mismatch: expected 00000000" "wrong checksum" --var sha="$(printf '0%.0s' {1..64})"
fails 5 "the server answered HTTP 404" "404" --var path=@404/tool
fails 5 "closed early" "truncated body" --var path=@truncate/tool
fails 5 "timed out" "stalled server" --var path=@stall/tool
fails 5 "too many redirects" "redirect loop" --var path=@loop/tool
fails 5 "HTTP 500 (3 attempts)" "5xx every time" --var path=@500x99/tool
expect_eq "$(pw_httpd_requests '/@500x99/tool')" 3 "5xx retried a bounded number of times"

expect_exit 0 "5xx twice, then success" "$PACKWRIGHT" fetch --cache-dir "$T/cache-503" \
  --var path=@503x2/tool "$T/pkg/demo"
expect_eq "$(pw_httpd_requests '/@503x2/tool')" 3 "after two retries"
expect_exit 0 "resume after a cut" "$PACKWRIGHT" fetch --cache-dir "$T/cache-cut" \
  --var path=@cutonce/tool "$T/pkg/demo"
expect_eq "$(pw_httpd_requests 'GET /@cutonce/tool bytes=150000- 206')" 1 \
  "the retry asks for the rest with Range"
check "the resumed download is whole" cmp "$T/www/tool" \
  "$T/cache-cut/sha256/${tool_sha256:0:2}/$tool_sha256"
expect_exit 0 "file:// URL" "$PACKWRIGHT" fetch --cache-dir "$T/cache-file" \
  --var base="file://$T/www" "$T/pkg/demo"
expect_eq "$(cache_files "$T/cache-file")" 1 "file:// download cached"
fails 5 "a redirect leads to a protocol other than https or http" "a redirect to file://" --var path=@tofile/tool

# Proxies come from the usual environment variables.
http_proxy=$PW_HTTPD_URL expect_exit 0 "http_proxy is used" "$PACKWRIGHT" fetch \
  --cache-dir "$T/cache-proxy" --var base=http://upstream.invalid "$T/pkg/demo"
expect_eq "$(pw_httpd_requests '^GET http://upstream.invalid/tool - 200')" 1 \
  "the request went to the proxy"

# Two builds filling one cache at once: both succeed, one object, no temp file.
for i in 1 2 3; do
  "$PACKWRIGHT" fetch --cache-dir "$T/cache-race" --var path=@cutonce/tool "$T/pkg/demo" \
    >"$T/race.$i.out" 2>&1 &
done
race_ok=0
for job in $(jobs -p); do
  # the loopback server is a job too; wait only for the fetches
  case " ${pw_httpd_pids[*]} " in *" $job "*) continue ;; esac
  wait "$job" && race_ok=$((race_ok + 1))
done
expect_eq "$race_ok" 3 "concurrent fetches into one cache all succeed"
expect_eq "$(cache_files "$T/cache-race")" 1 "and leave one object, no temp file"
check "which is whole" cmp "$T/www/tool" "$T/cache-race/sha256/${tool_sha256:0:2}/$tool_sha256"

# TLS is always verified: a self-signed server is refused, whatever the URL.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$T/tls.key" -out "$T/tls.crt" 2>/dev/null ||
  fatal "openssl cannot make a test certificate"
http_url=$PW_HTTPD_URL http_log=$PW_HTTPD_LOG
pw_httpd_start "$T/www" --tls "$T/tls.crt" "$T/tls.key"
expect_exit 5 "a self-signed https server" "$PACKWRIGHT" fetch --cache-dir "$T/cache-tls" \
  --var base="$PW_HTTPD_URL" "$T/pkg/demo"
expect_stderr "cannot download '$PW_HTTPD_URL/tool'" "names the https URL"
expect_stderr "certificate" "says the certificate is the problem"
expect_eq "$(cache_files "$T/cache-tls")" 0 "nothing cached"
PW_HTTPD_URL=$http_url PW_HTTPD_LOG=$http_log

# A release as gVisor publishes it: a tarball and its .sha512 in sha512sum format, next to
# other files' lines; the digest is the one on the tarball's line.
mkdir -p "$T/www/rel/x86_64" "$T/tree/gvisor-bin" "$T/pkg/gv"
printf 'runsc\n' >"$T/tree/runsc"
printf 'shim\n' >"$T/tree/containerd-shim-runsc-v1"
printf 'gofer\n' >"$T/tree/gvisor-bin/checkpointgofer"
tar -C "$T/tree" -cjf "$T/www/rel/x86_64/gvisor.tar.bz2" .
(cd "$T/www/rel/x86_64" && sha512sum gvisor.tar.bz2 >gvisor.tar.bz2.sha512 &&
  printf '%0128d  runsc\n' 0 >>gvisor.tar.bz2.sha512)
cat >"$T/pkg/gv/package.json" <<EOF
{
  "name": "pw-fetch-gv",
  "version": "1.0",
  "summary": "sha512_url test package",
  "maintainer": "Test <test@example.org>",
  "license": "Apache-2.0",
  "arch": "amd64",
  "vars": {"base": "$PW_HTTPD_URL/rel"},
  "sources": [{"name": "gvisor", "url": "\${base}/\${arch.uname}/gvisor.tar.bz2",
               "sha512_url": "\${base}/\${arch.uname}/gvisor.tar.bz2.sha512",
               "extract": ["runsc", "containerd-shim-runsc-v1", "gvisor-bin/"]}],
  "contents": [{"src": "source:gvisor/runsc", "dst": "/usr/bin/runsc", "mode": "0755"}]
}
EOF
expect_exit 0 "sha512_url matched by file name" "$PACKWRIGHT" fetch --cache-dir "$T/cache-gv" \
  "$T/pkg/gv"
expect_stdout "pw-fetch-gv: gvisor: downloaded $PW_HTTPD_URL/rel/x86_64/gvisor.tar.bz2 (sha512 " \
  "the tarball is fetched"
expect_eq "$(cache_files "$T/cache-gv")" 2 "the tarball and its checksum file are cached"
(cd "$T/www/rel/x86_64" && printf '%0128d  gvisor.tar.bz2\n' 7 >gvisor.tar.bz2.sha512)
expect_exit 4 "a .sha512 with another digest" "$PACKWRIGHT" fetch --cache-dir "$T/cache-gv2" \
  "$T/pkg/gv"
expect_stderr "sha512 mismatch" "reported as a mismatch"
expect_eq "$(cache_files "$T/cache-gv2")" 0 "nothing cached, not even the checksum file"

sed -i 's|"url": "${base}|"url": "ftp://example.org|' "$T/pkg/gv/package.json"
expect_exit 3 "an ftp:// URL is refused" "$PACKWRIGHT" fetch --cache-dir "$T/cache-ftp" "$T/pkg/gv"
expect_stderr "sources[0].url" "at the url field"
pw_done
