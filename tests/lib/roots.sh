# Throwaway roots for installing packages for real. Sourced by tests/cli/lib.sh and prepare.sh.
# Maintainer scripts run chrooted inside these roots, never against the machine's own /etc.
: "${PW_TEST_CACHE:=/var/cache/packwright-tests}"
PW_SHARED_DIR=${PW_SHARED_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared}

pw_debian_mirror() {
  local uri
  uri=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)[[:space:]]*$/\1/p' \
        /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
  [ -n "$uri" ] || uri=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\/debian\)[[:space:]].*/\2/p' \
        /etc/apt/sources.list 2>/dev/null | head -n1)
  echo "${uri:-http://deb.debian.org/debian}"
}

# The cached minimal Debian 12 root: $PW_TEST_CACHE/debroot (a tarball, so copies are cheap).
pw_debroot_ensure() {
  local tar=$PW_TEST_CACHE/debroot-bookworm.tar
  [ -s "$tar" ] && return 0
  mkdir -p "$PW_TEST_CACHE"
  local tmp=$PW_TEST_CACHE/debroot.tmp.$$
  rm -rf "$tmp"
  echo "prepare: debootstrap --variant=minbase bookworm (once)" >&2
  debootstrap --variant=minbase bookworm "$tmp" "$(pw_debian_mirror)" >"$PW_TEST_CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$PW_TEST_CACHE/debootstrap.log" >&2; rm -rf "$tmp"; return 1; }
  rm -rf "$tmp"/var/cache/apt/archives/*.deb
  tar -C "$tmp" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
  rm -rf "$tmp"
}

# pw_debroot_fresh DIR: a fresh copy of the cached root in DIR.
pw_debroot_fresh() {
  pw_debroot_ensure
  mkdir -p "$1"
  tar -C "$1" -xf "$PW_TEST_CACHE/debroot-bookworm.tar"
}

# Real containerd binaries (1.6, 1.7, 2.x) for `containerd --config F config dump`.
pw_containerd_dir() { echo "$PW_TEST_CACHE/containerd"; }
pw_containerd_ensure() {
  bash "$PW_SHARED_DIR/tools/get-containerd" "$(pw_containerd_dir)" >/dev/null
}
