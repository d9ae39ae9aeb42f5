# Loopback HTTP server for CLI tests (tests/lib/httpserver.py documents the "@mode" paths).
# Source after tests/cli/lib.sh:
#   pw_httpd_start ROOT    serve ROOT; sets PW_HTTPD_URL (http://127.0.0.1:PORT) and
#                          PW_HTTPD_LOG (one line per request: METHOD PATH RANGE STATUS)
#   pw_httpd_stop          stop it (also done when the test exits)
# Downloads are made fast to fail: short stall timeout, quick retries.
export PACKWRIGHT_FETCH_STALL_SECONDS=${PACKWRIGHT_FETCH_STALL_SECONDS:-1}
export PACKWRIGHT_FETCH_BACKOFF_MS=${PACKWRIGHT_FETCH_BACKOFF_MS:-20}
export PACKWRIGHT_FETCH_RETRIES=${PACKWRIGHT_FETCH_RETRIES:-2}
# Never send loopback requests to a proxy from the environment.
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
PW_HTTPD_PID=

pw_httpd_start() {
  local root=$1 dir=${T:?}/httpd.$$
  mkdir -p "$dir"
  rm -f "$dir/port"
  python3 "$PW_SOURCE_DIR/tests/lib/httpserver.py" --root "$root" --port-file "$dir/port" \
    --log "$dir/log" --parent $$ &
  PW_HTTPD_PID=$!
  trap 'pw_httpd_stop; pw_cleanup' EXIT
  local i
  for i in $(seq 100); do
    [ -s "$dir/port" ] && break
    sleep 0.1
  done
  [ -s "$dir/port" ] || fatal "the loopback HTTP server did not start"
  PW_HTTPD_URL=http://127.0.0.1:$(cat "$dir/port")
  PW_HTTPD_LOG=$dir/log
  touch "$PW_HTTPD_LOG"
}

pw_httpd_stop() {
  if [ -n "$PW_HTTPD_PID" ]; then
    kill "$PW_HTTPD_PID" 2>/dev/null || true
    wait "$PW_HTTPD_PID" 2>/dev/null || true
    PW_HTTPD_PID=
  fi
}

# pw_httpd_requests PATTERN: how many logged requests match the extended regex PATTERN.
pw_httpd_requests() { grep -cE -- "$1" "$PW_HTTPD_LOG" || true; }
