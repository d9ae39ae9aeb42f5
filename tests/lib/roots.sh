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

# pw_runtime_debs BINARY...: the Debian packages (one per line, sorted) that hold the shared
# libraries the binaries load, found through ldd and this machine's dpkg database.
pw_runtime_debs() {
  local bin lib p
  for bin in "$@"; do
    ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'
  done | sort -u | while read -r lib; do
    for p in "$lib" "$(readlink -f "$lib")"; do
      dpkg-query -S "$p" 2>/dev/null && break
      [ "${p#/usr/}" != "$p" ] && dpkg-query -S "/${p#/usr/}" 2>/dev/null && break
    done
  done | cut -d: -f1 | sort -u
}

# The minbase root plus packages installed by apt inside it (e.g. packwright's shared
# libraries, so that the .deb's Depends are really satisfied): $PW_TEST_CACHE/debroot-extra.tar
# with its package list beside it. prepare.sh makes it; a request for a package it lacks
# remakes it with the union (that needs the Debian mirror, like debootstrap).
pw_debroot_extra_ensure() {
  local tar=$PW_TEST_CACHE/debroot-extra.tar list=$PW_TEST_CACHE/debroot-extra.list
  local want missing tmp
  want=$(printf '%s\n' "$@" | sed '/^$/d' | sort -u)
  pw_debroot_ensure
  (
    flock 9
    if [ -s "$tar" ] && [ -f "$list" ]; then
      missing=$(comm -23 <(echo "$want") <(sort -u "$list"))
      [ -z "$missing" ] && exit 0
      want=$(printf '%s\n' "$want" "$(cat "$list")" | sed '/^$/d' | sort -u)
    fi
    echo "prepare: debroot with $(echo $want) (apt-get inside the root)" >&2
    tmp=$PW_TEST_CACHE/debroot-extra.tmp.$$
    rm -rf "$tmp" && mkdir -p "$tmp"
    tar -C "$tmp" -xf "$PW_TEST_CACHE/debroot-bookworm.tar"
    cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true
    if ! { chroot "$tmp" apt-get update -q && DEBIAN_FRONTEND=noninteractive \
             chroot "$tmp" apt-get install -y -q --no-install-recommends $want; } \
           >"$PW_TEST_CACHE/debroot-extra.log" 2>&1; then
      tail -20 "$PW_TEST_CACHE/debroot-extra.log" >&2; rm -rf "$tmp"; exit 1
    fi
    chroot "$tmp" apt-get clean
    rm -rf "$tmp"/var/lib/apt/lists/*
    tar -C "$tmp" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar" && echo "$want" >"$list"
    rm -rf "$tmp"
  ) 9>"$PW_TEST_CACHE/debroot-extra.lock"
}

# pw_debroot_extra_fresh DIR PKG...: a fresh copy of the minbase root with PKG installed.
pw_debroot_extra_fresh() {
  local dir=$1; shift
  pw_debroot_extra_ensure "$@"
  mkdir -p "$dir"
  tar -C "$dir" -xf "$PW_TEST_CACHE/debroot-extra.tar"
}

# pw_dnf_isolated REPO_DIR ROOT WEAK_DEPS(True|False): defines `dnfr ARGS...`, dnf against only
# the file:// repository REPO_DIR, installing into ROOT, with no host configuration or cache.
pw_dnf_isolated() {
  PW_DNF_REPO=$1 PW_DNF_ROOT=$2
  cat >"$T/dnf.conf" <<EOC
[main]
reposdir=$T/no-repos
cachedir=$T/dnf-cache
logdir=$T/dnf-log
persistdir=$T/dnf-persist
install_weak_deps=$3
gpgcheck=0
EOC
}
dnfr() {
  dnf -y -q --config "$T/dnf.conf" --installroot "$PW_DNF_ROOT" --releasever 1 \
    --setopt=tsflags=nocontexts --refresh --repofrompath "pw,file://$PW_DNF_REPO" --repo pw "$@"
}
