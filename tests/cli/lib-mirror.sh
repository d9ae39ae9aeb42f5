# Upstream repositories for the mirror and bundle tests, made in the sandbox: packages from
# lib-repo.sh's mk_deb/mk_rpm, published by reprepro (apt) and createrepo_c (rpm-md), signed by
# a throwaway "upstream" key, served by tests/lib/httpd.sh (which logs every request).
# Source after lib.sh.
#
#   mirror_keys              GNUPGHOME=$T/gnupg with the upstream's key ($UPSTREAM_KEY, public
#                            keyring $T/upstream.gpg) and the site's ($SITE_KEY, $T/site.gpg)
#   mirror_reprepro DIR      an apt repository (suite stable, component main, amd64 arm64)
#                            of $T/in/*.deb, InRelease and Release.gpg by the upstream key
#   mirror_createrepo DIR    an rpm-md repository of $T/in/*.rpm, repomd.xml.asc by it
#   tree_digest DIR          one digest of every file under DIR/deb and DIR/rpm
#   apt_root DIR REPO        a throwaway Debian root whose apt uses REPO (copied in) and the
#                            site key: chroot DIR apt-get install ... installs from the mirror
#   apt_install ROOT WHAT PKG CHECK...   apt-get update and install PKG in ROOT (no warnings
#                            allowed); then the CHECK packages must be installed
#   tamper_setup UPSTREAM REPO   remembers REPO's digest and a pristine copy of UPSTREAM:
#                            restore puts it back, intact DESC checks REPO did not change
#   flip_byte FILE [OFFSET]  changes one byte (default: the middle one)
. "$(dirname "${BASH_SOURCE[0]}")/lib-repo.sh"
. "$PW_SOURCE_DIR/tests/lib/httpd.sh"

mirror_cleanup() {
  gpgconf --kill gpg-agent >/dev/null 2>&1 || true
  pw_httpd_stop
  repo_stop_servers
  pw_cleanup
}

mirror_keys() {
  export GNUPGHOME=$T/gnupg
  mkdir -p -m 700 "$GNUPGHOME"
  local who
  for who in upstream site; do
    gpg --batch --passphrase '' --quick-gen-key "$who <$who@example.invalid>" ed25519 sign \
      never >/dev/null 2>&1 || fatal "cannot generate the $who key"
    gpg --batch --export "$who@example.invalid" >"$T/$who.gpg"
  done
  UPSTREAM_KEY=$(gpg --with-colons --show-keys "$T/upstream.gpg" | awk -F: '/^fpr/ {print $10; exit}')
  SITE_KEY=$(gpg --with-colons --show-keys "$T/site.gpg" | awk -F: '/^fpr/ {print $10; exit}')
  trap mirror_cleanup EXIT
}

mirror_reprepro() {
  local dir=$1
  mkdir -p "$dir/conf"
  cat >"$dir/conf/distributions" <<CONF
Origin: Upstream
Label: Upstream
Suite: stable
Codename: stable
Architectures: amd64 arm64
Components: main
Description: mirror test upstream
SignWith: $UPSTREAM_KEY
CONF
  reprepro -b "$dir" includedeb stable "$T"/in/*.deb >"$T/reprepro.log" 2>&1 ||
    { cat "$T/reprepro.log" >&2; fatal "reprepro failed"; }
}

mirror_createrepo() {
  local dir=$1
  mkdir -p "$dir/Packages"
  cp "$T"/in/*.rpm "$dir/Packages/"
  createrepo_c --general-compress-type=gz "$dir" >"$T/createrepo.log" 2>&1 ||
    { cat "$T/createrepo.log" >&2; fatal "createrepo_c failed"; }
  rm -f "$dir/repodata/repomd.xml.asc"
  gpg --batch --yes --local-user "$UPSTREAM_KEY" --armor --detach-sign "$dir/repodata/repomd.xml"
}

tree_digest() {
  (cd "$1" && { find deb rpm -type f 2>/dev/null || true; } | LC_ALL=C sort |
    xargs -r sha256sum | sha256sum | cut -d' ' -f1)
}

apt_root() {
  local root=$1 repo=$2
  pw_debroot_fresh "$root"
  rm -f "$root"/etc/apt/sources.list "$root"/etc/apt/sources.list.d/*
  mkdir -p "$root/etc/apt/keyrings" "$root/srv"
  cp -a "$repo" "$root/srv/repo"
  cp "$T/site.gpg" "$root/etc/apt/keyrings/site.gpg"
  local suites=${3:-stable}
  cat >"$root/etc/apt/sources.list.d/mirror.sources" <<SRC
Types: deb
URIs: file:/srv/repo/deb
Suites: $suites
Components: main
Signed-By: /etc/apt/keyrings/site.gpg
SRC
  echo 'APT::Sandbox::User "root";' >"$root/etc/apt/apt.conf.d/99sandbox"
}

apt_install() {
  local root=$1 what=$2 pkg=$3
  shift 3
  run chroot "$root" apt-get update
  check "apt-get update from $what" test "$rc" -eq 0
  check "no warnings from apt-get update" no_warnings "$T/stdout" "$T/stderr"
  run chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Use-Pty=0 \
    install -y --no-install-recommends "$pkg"
  check "apt-get install $pkg from $what" test "$rc" -eq 0
  check "$* installed" chroot "$root" dpkg-query -W "$@"
}

tamper_setup() {
  TAMPER_UPSTREAM=$1 TAMPER_REPO=$2
  TAMPER_BEFORE=$(tree_digest "$2")
  rm -rf "$T/pristine" && cp -a "$1" "$T/pristine"
}
restore() { rm -rf "$TAMPER_UPSTREAM" && cp -a "$T/pristine" "$TAMPER_UPSTREAM"; }
intact() {
  expect_eq "$(tree_digest "$TAMPER_REPO")" "$TAMPER_BEFORE" "$1: the previous generation is intact"
  expect_stderr "nothing was published" "$1: says nothing was published"
}

flip_byte() {
  local f=$1 size off
  size=$(stat -c %s "$f")
  off=${2:-$((size / 2))}
  local b
  b=$(dd if="$f" bs=1 skip="$off" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
  printf "$(printf '\\%03o' $(((b + 1) % 256)))" |
    dd of="$f" bs=1 seek="$off" count=1 conv=notrunc 2>/dev/null
}
