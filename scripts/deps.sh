#!/usr/bin/env bash
# deps.sh build|test|bench: installs the Debian packages packwright needs, only those missing.
set -euo pipefail
build_pkgs=(build-essential cmake pkg-config librpm-dev libarchive-dev libcurl4-openssl-dev
  zlib1g-dev libcjson-dev liblzma-dev libzstd-dev libssl-dev libexpat1-dev musl-tools
  gnupg xz-utils zstd bzip2 ca-certificates)
test_pkgs=(clang libclang-rt-14-dev dpkg-dev lintian rpm rpmlint dnf createrepo-c apt-utils
  debootstrap reprepro debhelper man-db python3 fakeroot cpio file binutils gpgv curl
  debian-archive-keyring iproute2 openssl rpm2cpio time strace xfsprogs e2fsprogs)
# bench/run only (never the test suite): timing and peak-RSS tools and the tools it races
bench_pkgs=(hyperfine time valgrind python3 dpkg-dev rpm rpm2cpio createrepo-c apt-utils cpio
  xz-utils zstd)
want=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && want+=("${test_pkgs[@]}")
[ "${1:-build}" = bench ] && want+=("${bench_pkgs[@]}")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
