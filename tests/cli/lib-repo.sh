# Helpers for the repository tests (sourced after lib.sh): a throwaway signing key, small
# .deb and .rpm packages made with dpkg-deb and rpmbuild, a loopback HTTP server, and apt and
# dnf clients whose whole state lives under $T (nothing of this machine's /etc is used).

# repo_key: an Ed25519 signing key in a private GNUPGHOME; sets KEY to its fingerprint.
repo_key() {
  export GNUPGHOME=$T/gnupg
  mkdir -p -m 700 "$GNUPGHOME"
  gpg --batch --passphrase '' --quick-gen-key 'packwright test <repo-test@example.invalid>' \
    ed25519 sign never >/dev/null 2>&1 || fatal "cannot generate a gpg key"
  KEY=$(gpg --list-keys --with-colons | awk -F: '/^fpr/ {print $10; exit}')
  trap 'gpgconf --kill gpg-agent >/dev/null 2>&1 || true; pw_cleanup; repo_stop_servers' EXIT
}

# mk_deb NAME VERSION ARCH [CONTROL-LINE...]: $T/in/NAME_VERSION_ARCH.deb (epoch dropped).
mk_deb() {
  local name=$1 version=$2 arch=$3
  shift 3
  local d=$T/build/deb-$name-$version-$arch
  rm -rf "$d"
  mkdir -p "$d/DEBIAN" "$d/usr/share/$name" "$T/in"
  {
    printf 'Package: %s\nVersion: %s\nArchitecture: %s\n' "$name" "$version" "$arch"
    printf 'Maintainer: Packwright Tests <tests@example.invalid>\nInstalled-Size: 1\n'
    printf 'Section: misc\nPriority: optional\n'
    for line in "$@"; do printf '%s\n' "$line"; done
    printf 'Description: test package %s\n Built by the packwright repository tests.\n' "$name"
  } >"$d/DEBIAN/control"
  echo "$name $version" >"$d/usr/share/$name/version"
  find "$d" -exec touch -h -d @"$SOURCE_DATE_EPOCH" {} +
  dpkg-deb --root-owner-group -Zxz -b "$d" "$T/in/${name}_${version#*:}_$arch.deb" >/dev/null
}

# mk_rpm NAME VERSION RELEASE ARCH [SPEC-LINE...]: $T/in/NAME-VERSION-RELEASE.ARCH.rpm, signed
# with $KEY when repo_key ran.
mk_rpm() {
  local name=$1 version=$2 release=$3 arch=$4
  shift 4
  local top=$T/build/rpm-$name-$version-$release
  mkdir -p "$top/SPECS" "$T/in"
  {
    printf 'Name: %s\nVersion: %s\nRelease: %s\nSummary: test package %s\n' \
      "$name" "$version" "$release" "$name"
    printf 'License: MIT\nBuildArch: %s\nAutoReqProv: no\n' "$arch"
    for line in "$@"; do printf '%s\n' "$line"; done
    printf '\n%%description\nBuilt by the packwright repository tests.\n\n%%install\n'
    printf 'mkdir -p %%{buildroot}/usr/share/%s %%{buildroot}/usr/bin\n' "$name"
    printf 'echo "%s %s" > %%{buildroot}/usr/share/%s/version\n' "$name" "$version" "$name"
    printf 'printf "#!/bin/sh\\necho %s\\n" > %%{buildroot}/usr/bin/%s\n' "$name" "$name"
    printf '\n%%files\n%%attr(0755,root,root) /usr/bin/%s\n/usr/share/%s\n' "$name" "$name"
    printf '\n%%changelog\n* Mon Jan 01 2024 Packwright Tests <tests@example.invalid> - %s-%s\n- test\n' \
      "$version" "$release"
  } >"$top/SPECS/$name.spec"
  rpmbuild --define "_topdir $top" --define "_buildhost pw-tests" \
    --define "source_date_epoch_from_changelog 0" -bb "$top/SPECS/$name.spec" \
    >"$top/log" 2>&1 || { cat "$top/log" >&2; fatal "rpmbuild $name failed"; }
  local out=$T/in/$name-$version-$release.$arch.rpm
  cp "$top/RPMS/$arch/$name-$version-$release.$arch.rpm" "$out"
  if [ -n "${KEY:-}" ]; then
    rpmsign --addsign --define "_gpg_name $KEY" --define "__gpg $(command -v gpg)" "$out" \
      >/dev/null 2>&1 || fatal "rpmsign failed"
  fi
  touch -d @"$SOURCE_DATE_EPOCH" "$out"
}

# repo_serve DIR: serves DIR on 127.0.0.1 at a free port; sets PORT and URL.
repo_servers=()
repo_serve() {
  local portfile=$T/http-port.$RANDOM
  python3 -c '
import functools, http.server, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))
handler = functools.partial(Quiet, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
print(server.server_address[1], flush=True)
server.serve_forever()
' "$1" >"$portfile" 2>>"$T/http.log" &
  repo_servers+=($!)
  for _ in $(seq 100); do [ -s "$portfile" ] && break; sleep 0.05; done
  PORT=$(cat "$portfile")
  [ -n "$PORT" ] || fatal "http server did not start"
  URL=http://127.0.0.1:$PORT
}
repo_stop_servers() {
  local pid
  for pid in "${repo_servers[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap 'pw_cleanup; repo_stop_servers' EXIT

# apt_setup REPO-URL NAME: an isolated apt (APT_CONFIG) using REPO's .sources and keyring.
apt_setup() {
  local url=$1 name=${2:-packwright}
  A=$T/apt
  mkdir -p "$A/etc/apt.conf.d" "$A/etc/sources.list.d" "$A/etc/trusted.gpg.d" \
    "$A/etc/preferences.d" "$A/state/lists/partial" "$A/cache/archives/partial" "$A/log"
  : >"$A/state/status"
  cat >"$A/apt.conf" <<CONF
Dir "/";
Dir::State "$A/state";
Dir::State::status "$A/state/status";
Dir::Cache "$A/cache";
Dir::Etc "$A/etc";
Dir::Etc::parts "$A/etc/apt.conf.d";
Dir::Log "$A/log";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
APT::Sandbox::User "root";
Debug::NoLocking "true";
Acquire::Languages "none";
CONF
  curl -fsS "$url/$name-archive-keyring.gpg" -o "$A/keyring.gpg"
  curl -fsS "$url/$name.sources" |
    sed -e "s|^URIs:.*|URIs: $url/deb|" -e "s|^Signed-By:.*|Signed-By: $A/keyring.gpg|" \
      >"$A/etc/sources.list.d/$name.sources"
}
apt_run() { APT_CONFIG=$A/apt.conf "$@"; }

# apt_root_setup ROOT REPO-URL: a fresh throwaway Debian root whose only apt source is REPO,
# through its own .sources and the keyring it publishes (Signed-By, as a node image gets it).
apt_root_setup() {
  local root=$1 url=$2
  pw_debroot_fresh "$root"
  rm -f "$root"/etc/apt/sources.list "$root"/etc/apt/sources.list.d/*
  mkdir -p "$root/etc/apt/keyrings"
  curl -fsS "$url/packwright-archive-keyring.gpg" -o "$root/etc/apt/keyrings/packwright-archive-keyring.gpg"
  curl -fsS "$url/packwright.sources" | sed "s|^URIs:.*|URIs: $url/deb|" \
    >"$root/etc/apt/sources.list.d/packwright.sources"
}

# dnf_setup REPO-URL NAME: an isolated dnf (its own config, repos, cache and installroot).
dnf_setup() {
  local url=$1 name=${2:-packwright}
  D=$T/dnf
  mkdir -p "$D/root" "$D/repos" "$D/cache" "$D/log"
  cat >"$D/dnf.conf" <<CONF
[main]
gpgcheck=1
repo_gpgcheck=1
installonly_limit=3
reposdir=$D/repos
cachedir=$D/cache
logdir=$D/log
keepcache=0
CONF
  curl -fsS "$url/$name.repo" |
    sed -e "s|^baseurl=.*|baseurl=$url/rpm|" -e "s|^gpgkey=.*|gpgkey=$url/$name-archive-keyring.asc|" \
      >"$D/repos/$name.repo"
}
dnf_run() {
  dnf -y --config "$D/dnf.conf" --installroot "$D/root" --releasever 12 \
    --setopt=reposdir="$D/repos" "$@"
}

# no_warnings FILE...: no warning or error lines from apt or dnf.
no_warnings() { ! grep -qiE '^(W|E):|warning|error|fail' "$@"; }
