#!/usr/bin/env bash
# Makes the cached fixtures tests share: a minimal Debian root (debootstrap --variant=minbase)
# and real containerd binaries. Both live in $PW_TEST_CACHE, never in git. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/roots.sh"
pw_debroot_ensure
pw_containerd_ensure
# packwright's shared libraries inside a root, for installing the packwright .deb for real;
# libcurl4 and libarchive13 too, which it loads with dlopen on first use (ldd does not see them).
pw_build=${PW_BUILD_DIR:-$here/../../build-test}
if [ -x "$pw_build/packwright" ]; then
  pw_debroot_extra_ensure $(pw_runtime_debs "$pw_build/packwright") libcurl4 libarchive13
fi
