# Loopback HTTP server for CLI tests (tests/lib/httpserver.py documents the "@mode" paths).
# Source after tests/cli/lib.sh:
#   pw_httpd_start ROOT [ARGS...]   serve ROOT (ARGS go to httpserver.py, e.g. --tls CERT KEY);
#                                   sets PW_HTTPD_URL (http://127.0.0.1:PORT, https:// with
#                                   --tls) and PW_HTTPD_LOG (one line per request: METHOD PATH
#                                   RANGE STATUS) for the server it started
#   pw_httpd_stop                   stop every server started (also done when the test exits)
# Downloads are made quick to fail: a short stall timeout, quick and few retries.
export PACKWRIGHT_FETCH_STALL_SECONDS=${PACKWRIGHT_FETCH_STALL_SECONDS:-1}
export PACKWRIGHT_FETCH_BACKOFF_MS=${PACKWRIGHT_FETCH_BACKOFF_MS:-20}
export PACKWRIGHT_FETCH_RETRIES=${PACKWRIGHT_FETCH_RETRIES:-2}
# Never send loopback requests to a proxy from the environment.
unset http_proxy https_proxy all_proxy HTTPS_PROXY ALL_PROXY
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
pw_httpd_pids=()

pw_httpd_start() {
  local root=$1; shift
  local dir=${T:?}/httpd.${#pw_httpd_pids[@]} scheme=http
  case " $* " in *" --tls "*) scheme=https ;; esac
  mkdir -p "$dir"
  rm -f "$dir/port"
  python3 "$PW_SOURCE_DIR/tests/lib/httpserver.py" --root "$root" --port-file "$dir/port" \
    --log "$dir/log" --parent $$ "$@" &
  pw_httpd_pids+=($!)
  trap 'pw_httpd_stop; pw_cleanup' EXIT
  local i
  for i in $(seq 100); do
    [ -s "$dir/port" ] && break
    sleep 0.1
  done
  [ -s "$dir/port" ] || fatal "the loopback HTTP server did not start"
  PW_HTTPD_URL=$scheme://127.0.0.1:$(cat "$dir/port")
  PW_HTTPD_LOG=$dir/log
  touch "$PW_HTTPD_LOG"
}

pw_httpd_stop() {
  local pid
  for pid in "${pw_httpd_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pw_httpd_pids=()
}

# pw_httpd_requests PATTERN: how many requests in PW_HTTPD_LOG match the extended regex.
pw_httpd_requests() { grep -cE -- "$1" "$PW_HTTPD_LOG" || true; }
