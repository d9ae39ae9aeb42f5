#!/usr/bin/env bash
# Makes the cached fixtures tests share: a minimal Debian root (debootstrap --variant=minbase)
# and real containerd binaries. Both live in $PW_TEST_CACHE, never in git. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/roots.sh"
pw_debroot_ensure
pw_containerd_ensure
