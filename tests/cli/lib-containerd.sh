# Shared by tests/cli/containerd-*.sh, sourced after tests/cli/lib.sh: a fake gVisor release
# tree, the builds of the four packages, image-builder-like config.toml files, and checks of
# what containerd itself reads (`containerd --config F config dump`).
PKG=$PW_SOURCE_DIR/pkg
VARS=$PW_SOURCE_DIR/tests/fixtures/packer-vars.json
OSREL=$PW_SOURCE_DIR/tests/fixtures/os-release
: "${PW_BUILD_DIR:?PW_BUILD_DIR must name the build tree (ctest sets it)}"
CTR=$(pw_containerd_dir)
# The version packer-vars.json asks for; the tests serve it in the tarball layout.
GV_VERSION=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["containerd_gvisor_version"])' "$VARS")
GV_BINARIES=20250101 # a release of the older layout: loose binaries only

# A static ELF that prints its name, standing in for gVisor's static Go binaries (so lintian
# and rpmlint see what they would see for the real thing).
fake_binary() { # OUT NAME
  local src=$T/fake-$2.c cc=musl-gcc
  printf '#include <stdio.h>\nint main(void) { puts("fake %s"); return 0; }\n' "$2" >"$src"
  command -v musl-gcc >/dev/null || cc=gcc
  "$cc" -static -Os -s -o "$1" "$src" || fatal "cannot build a static fake binary with $cc"
}

# gvisor_release WWW VERSION tarball|binaries: a release directory as gVisor publishes it,
# WWW/release/VERSION/x86_64/, every file with its sha512sum-format .sha512.
gvisor_release() {
  local dir=$1/release/$2/x86_64 tree=$T/gvtree-$2
  mkdir -p "$dir" "$tree/gvisor-bin"
  fake_binary "$tree/runsc" "runsc $2"
  fake_binary "$tree/containerd-shim-runsc-v1" "shim $2"
  if [ "$3" = tarball ]; then
    fake_binary "$tree/gvisor-bin/checkpointgofer" checkpointgofer
    fake_binary "$tree/gvisor-bin/runsc-metric-server" runsc-metric-server
    tar -C "$tree" --owner=0 --group=0 -cjf "$dir/gvisor.tar.bz2" runsc containerd-shim-runsc-v1 gvisor-bin
    (cd "$dir" && sha512sum gvisor.tar.bz2 >gvisor.tar.bz2.sha512)
  else
    cp "$tree/runsc" "$tree/containerd-shim-runsc-v1" "$dir/"
    (cd "$dir" && for f in runsc containerd-shim-runsc-v1; do sha512sum "$f" >"$f.sha512"; done)
  fi
}

# build_packages OUT [ARGS...]: `packwright build --vars packer-vars.json pkg/*` (the four
# packages, and packwright itself), gVisor from $GV_BASE (the loopback server's release/).
build_packages() {
  local out=$1
  shift
  run "$PACKWRIGHT" build -o "$out" --vars "$VARS" --var "containerd_gvisor_base_url=$GV_BASE" \
    --var "build_dir=$PW_BUILD_DIR" "$@" "$PKG"/*
  [ "$rc" -eq 0 ] || fatal "building the packages: $(cat "$T/stderr")"
}

# The settings packer-vars.json carries (base64), decoded.
settings_toml() {
  python3 -c 'import base64,json,sys; sys.stdout.write(base64.b64decode(json.load(open(sys.argv[1]))["containerd_additional_settings"]).decode())' "$VARS"
}

# config_v2 FILE / config_v3 FILE: config.toml as image-builder renders it for containerd 1.7
# (version 2) and 2.x (version 3), without gVisor and the timeout: what the packages meet.
config_v2() {
  mkdir -p "$(dirname "$1")"
  cat >"$1" <<'EOF'
## template: jinja

# Use config version 2 to enable new configuration fields.
# Config file is parsed as version 1 by default.
version = 2

imports = ["/etc/containerd/conf.d/*.toml"]

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "registry.k8s.io/pause:3.10.2"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "/etc/containerd/certs.d"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    SystemdCgroup = true
EOF
}

config_v3() {
  mkdir -p "$(dirname "$1")"
  cat >"$1" <<'EOF'
## template: jinja

# Use config version 3 (containerd 2.x).
version = 3

imports = ["/etc/containerd/conf.d/*.toml"]

[plugins]
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = "registry.k8s.io/pause:3.10.2"
  [plugins.'io.containerd.cri.v1.images'.registry]
    config_path = '/etc/containerd/certs.d'
  [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
    runtime_type = 'io.containerd.runc.v2'
  [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
    SystemdCgroup = true
EOF
}

# dump_has MAJOR CONFIG [gvisor] [settings]: `containerd config dump` of CONFIG with
# containerd MAJOR (1.7 or 2) shows what the packages set (gvisor: the runtime; settings:
# the timeout and the additional settings), and the image-builder values of the file.
dump_has() {
  local major=$1 cfg=$2
  shift 2
  (cd "$(dirname "$cfg")" && "$CTR/containerd-$major/containerd" --config "$cfg" config dump) \
    >"$T/dump.toml" 2>"$T/dump.err" || { sed 's/^/#   dump: /' "$T/dump.err" | tail -5; return 1; }
  python3 - "$T/dump.toml" "$major" "$@" <<'PY'
import sys, tomllib
d = tomllib.load(open(sys.argv[1], "rb"))
major, want = sys.argv[2], set(sys.argv[3:])
p = d.get("plugins", {})
if major == "2":
    images, runtime = p["io.containerd.cri.v1.images"], p["io.containerd.cri.v1.runtime"]
    runtimes = runtime["containerd"]["runtimes"]
else:
    images = runtime = p["io.containerd.grpc.v1.cri"]
    runtimes = runtime["containerd"]["runtimes"]
checks = []
if "gvisor" in want:
    checks.append(("gvisor runtime_type", runtimes.get("gvisor", {}).get("runtime_type"), "io.containerd.runsc.v1"))
else:
    checks.append(("no gvisor runtime", "gvisor" in runtimes, False))
if "settings" in want:
    checks += [("image_pull_progress_timeout", images.get("image_pull_progress_timeout"), "10m"),
               ("max_concurrent_downloads", images.get("max_concurrent_downloads"), 5),
               ("registry headers", images.get("registry", {}).get("headers", {}).get("X-Meta-Source-Client"), ["azure/capz"]),
               ("metrics address", d.get("metrics", {}).get("address"), "127.0.0.1:1338")]
else:
    checks.append(("max_concurrent_downloads is the default", images.get("max_concurrent_downloads"), 3))
if "imagebuilder" in want:
    checks += [("runc SystemdCgroup kept", runtimes.get("runc", {}).get("options", {}).get("SystemdCgroup"), True),
               ("registry config_path kept", images.get("registry", {}).get("config_path"), "/etc/containerd/certs.d")]
bad = [c for c in checks if c[1] != c[2]]
for name, got, exp in bad:
    print("#   dump: %s is %r, want %r" % (name, got, exp))
sys.exit(1 if bad else 0)
PY
}

# only_added ORIG NEW: NEW differs from ORIG by added lines only (every byte of ORIG is kept,
# in order), and every added line is one the packages write.
only_added() {
  python3 - "$1" "$2" <<'PY'
import difflib, re, sys
a = open(sys.argv[1]).read().splitlines(keepends=True)
b = open(sys.argv[2]).read().splitlines(keepends=True)
ok_added = re.compile(r"""^\s*(\[.*(gvisor|registry\.headers|'io\.containerd\.cri\.v1\.images'|"io\.containerd\.grpc\.v1\.cri").*\]|\[metrics\]|runtime_type = ["']io\.containerd\.runsc\.v1["']|image_pull_progress_timeout = ["']10m["']|max_concurrent_downloads = 5|X-Meta-Source-Client = \["azure/capz"\]|address = "127\.0\.0\.1:1338")?\s*$""")
bad = 0
for op in difflib.ndiff(a, b):
    if op.startswith("- "):
        print("#   changed: %r" % op[2:]); bad += 1
    elif op.startswith("+ ") and not ok_added.match(op[2:]):
        print("#   unexpected: %r" % op[2:]); bad += 1
sys.exit(1 if bad else 0)
PY
}

# tree_list ROOT: the files and directories of a root, but the package managers' own state,
# logs and caches, and the helper's (empty) state directory: what "no trace" compares.
tree_list() {
  (cd "$1" && find . -path ./var/lib/dpkg -prune -o -path ./var/lib/rpm -prune \
    -o -path ./var/log -prune -o -path ./var/cache -prune -o -path ./tmp -prune \
    -o -path ./var/lib/packwright-toml -prune -o -print) | sort
}

# --- life cycles, written once for dpkg and rpm ---------------------------------------------
# A test defines, for its root $R and its package files:
#   pm_install FILE...    install (or reinstall) package files, output in $T/pm.log, with
#                         the assignments in the array PM_ENV in the environment
#   pm_remove NAME...     remove packages (rpm: erase, which is also the purge)
#   pm_purge NAME...      purge what remove left (dpkg -P; nothing for rpm)
#   pkgfile NAME          the package file of NAME
# and calls the scenarios below.

CFG=/etc/containerd/config.toml
PM_ENV=()
pm_erase() { pm_remove "$@" && pm_purge "$@"; }

# set_config ROOT absent|v2|v3: containerd's config.toml as the node has it before.
set_config() {
  rm -f "$1$CFG"
  case $2 in
  v2) config_v2 "$1$CFG" ;;
  v3) config_v3 "$1$CFG" ;;
  esac
}

# The containerd majors that read a config state (a created config is version 2: no
# containerd answers `containerd --version` inside the root).
majors_for() { case $1 in absent | v2) echo "1.7 2" ;; v3) echo 2 ;; esac; }

# config_lifecycle LABEL STATE FIRST SECOND: containerd-gvisor and containerd-config
# installed together over config STATE, reinstalled, removed one after the other (FIRST,
# then SECOND), purged; the bytes of config.toml and the root's files checked at each step.
config_lifecycle() {
  local label="$1 $2" state=$2 first=$3 second=$4 m ib=
  [ "$state" != absent ] && ib=imagebuilder
  set_config "$R" "$state"
  [ -f "$R$CFG" ] && cp "$R$CFG" "$T/orig.toml"
  tree_list "$R" >"$T/tree.before"
  check "$label: install both" pm_install "$(pkgfile containerd-gvisor)" "$(pkgfile containerd-config)"
  check "$label: a line says containerd must be restarted (no systemd here)" \
    grep -q 'containerd-gvisor: restart containerd to apply the gvisor runtime' "$T/pm.log"
  check "$label: config.toml exists" test -f "$R$CFG"
  if [ "$state" = absent ]; then
    check "$label: a new config.toml holds version 2 and our settings only" \
      python3 -c 'import sys, tomllib; d = tomllib.load(open(sys.argv[1], "rb")); sys.exit(d["version"] != 2 or set(d) != {"version", "plugins", "metrics"})' "$R$CFG"
  else
    check "$label: every other byte of config.toml is unchanged (lines added only)" only_added "$T/orig.toml" "$R$CFG"
  fi
  check "$label: no table header twice (Q2)" \
    bash -c "grep -E '^\s*\[' '$R$CFG' | sed 's/^\s*//' | sort | uniq -d | grep -q . && exit 1 || exit 0"
  for m in $(majors_for "$state"); do
    check "$label: containerd $m config dump: the runtime, the timeout and the settings" \
      dump_has "$m" "$R$CFG" gvisor settings $ib
  done
  cp "$R$CFG" "$T/installed.toml"
  check "$label: reinstall both" pm_install "$(pkgfile containerd-gvisor)" "$(pkgfile containerd-config)"
  check "$label: reinstalling changes nothing" cmp "$T/installed.toml" "$R$CFG"

  check "$label: remove $first" pm_remove "$first"
  local left=settings
  [ "$first" = containerd-config ] && left=gvisor
  for m in $(majors_for "$state"); do
    check "$label: after removing $first, containerd $m still sees the other's change" \
      dump_has "$m" "$R$CFG" "$left" $ib
  done
  check "$label: remove $second" pm_remove "$second"
  if [ "$state" = absent ]; then
    check "$label: the config.toml the packages created is gone" test ! -e "$R$CFG"
  else
    check "$label: removal gives back the original bytes" cmp "$T/orig.toml" "$R$CFG"
  fi
  check "$label: purge" pm_purge containerd-gvisor containerd-config
  tree_list "$R" >"$T/tree.after"
  check "$label: purge leaves nothing of ours" diff -u "$T/tree.before" "$T/tree.after"
  check "$label: no owner's record is left" \
    bash -c "! grep -qs 'containerd-' '$R/var/lib/packwright-toml/state.toml'"
}

DROPIN=/etc/systemd/system/containerd.service.d/limit-nofile.conf

# os_release ROOT FIXTURE: the node's /etc/os-release (Debian's is a symlink: replaced).
os_release() { rm -f "$1/etc/os-release"; cp "$OSREL/$2" "$1/etc/os-release"; }

# nofile_lifecycle LABEL WANT [ENV...]: containerd-nofile-limit installed (with ENV in the
# environment), the drop-in there iff WANT is yes, reinstalled, purged without a trace.
nofile_lifecycle() {
  local label=$1 want=$2
  shift 2
  tree_list "$R" >"$T/tree.before"
  PM_ENV=("$@")
  check "$label: install" pm_install "$(pkgfile containerd-nofile-limit)"
  if [ "$want" = yes ]; then
    check "$label: the drop-in is installed, 0644" test "$(stat -c %a "$R$DROPIN" 2>/dev/null)" = 644
    check "$label: it is the package's" cmp "$R$DROPIN" "$PKG/containerd-nofile-limit/limit-nofile.conf"
    check "$label: a line says what to do (no systemd here)" \
      grep -q "run 'systemctl daemon-reload' and restart containerd" "$T/pm.log"
  else
    check "$label: no drop-in" test ! -e "$R$DROPIN"
  fi
  [ -e "$R$DROPIN" ] && cp "$R$DROPIN" "$T/dropin.installed"
  check "$label: reinstall" pm_install "$(pkgfile containerd-nofile-limit)"
  PM_ENV=()
  if [ "$want" = yes ]; then
    check "$label: reinstalling changes nothing" cmp "$T/dropin.installed" "$R$DROPIN"
  else
    check "$label: still no drop-in" test ! -e "$R$DROPIN"
  fi
  check "$label: remove and purge" pm_erase containerd-nofile-limit
  check "$label: the drop-in is gone" test ! -e "$R$DROPIN"
  tree_list "$R" >"$T/tree.after"
  check "$label: purge leaves nothing of ours" diff -u "$T/tree.before" "$T/tree.after"
}

# nofile_matrix: the six node OSes, then opt-ins and files that are not ours.
nofile_matrix() {
  local os want
  for os in ubuntu-24.04 debian-12 azurelinux-3.0 mariner-2.0 flatcar rhel-9; do
    os_release "$R" "$os"
    case $os in azurelinux-* | mariner-* | flatcar) want=yes ;; *) want=no ;; esac
    nofile_lifecycle "$FMT $os" "$want"
  done
  os_release "$R" rhel-9
  nofile_lifecycle "$FMT rhel-9 CONTAINERD_ENABLE_LIMIT_NO_FILE=true" yes CONTAINERD_ENABLE_LIMIT_NO_FILE=true
  nofile_lifecycle "$FMT rhel-9 CONTAINERD_ENABLE_LIMIT_NO_FILE=false" no CONTAINERD_ENABLE_LIMIT_NO_FILE=false
  local f
  for f in /etc/default/containerd-nofile-limit /etc/sysconfig/containerd-nofile-limit; do
    mkdir -p "$R$(dirname "$f")"
    printf '# set by the administrator\nCONTAINERD_ENABLE_LIMIT_NO_FILE="True"\n' >"$R$f"
    nofile_lifecycle "$FMT rhel-9 opted in by $f" yes
    nofile_lifecycle "$FMT rhel-9 $f, the environment says false" no CONTAINERD_ENABLE_LIMIT_NO_FILE=false
    rm -f "$R$f"
  done

  # An install-time opt-in is not there on upgrades: the drop-in stays all the same.
  PM_ENV=(CONTAINERD_ENABLE_LIMIT_NO_FILE=yes)
  check "$FMT sticky: install with the opt-in" pm_install "$(pkgfile containerd-nofile-limit)"
  PM_ENV=()
  check "$FMT sticky: reinstall without it" pm_install "$(pkgfile containerd-nofile-limit)"
  check "$FMT sticky: the drop-in stays" test -f "$R$DROPIN"
  check "$FMT sticky: remove and purge" pm_erase containerd-nofile-limit
  check "$FMT sticky: gone" test ! -e "$R$DROPIN"

  # A drop-in changed by the administrator stays at removal, with a warning.
  os_release "$R" azurelinux-3.0
  check "$FMT changed drop-in: install" pm_install "$(pkgfile containerd-nofile-limit)"
  echo "LimitNOFILE=65536" >>"$R$DROPIN"
  cp "$R$DROPIN" "$T/changed"
  check "$FMT changed drop-in: remove" pm_remove containerd-nofile-limit
  check "$FMT changed drop-in: kept" cmp "$T/changed" "$R$DROPIN"
  check "$FMT changed drop-in: with a warning" grep -q "limit-nofile.conf was changed since it was installed: kept" "$T/pm.log"
  check "$FMT changed drop-in: purge" pm_purge containerd-nofile-limit
  check "$FMT changed drop-in: purge keeps it too (the administrator's now)" cmp "$T/changed" "$R$DROPIN"
  # A drop-in of someone else's is never touched; other drop-ins in the directory stay.
  echo "[Service]" >"$R/etc/systemd/system/containerd.service.d/10-other.conf"
  check "$FMT foreign drop-in: install" pm_install "$(pkgfile containerd-nofile-limit)"
  check "$FMT foreign drop-in: left as it is" cmp "$T/changed" "$R$DROPIN"
  check "$FMT foreign drop-in: with a warning" grep -q "limit-nofile.conf exists with other contents: left as it is" "$T/pm.log"
  check "$FMT foreign drop-in: remove and purge" pm_erase containerd-nofile-limit
  check "$FMT foreign drop-in: still there, and the other one" \
    test -f "$R$DROPIN" -a -f "$R/etc/systemd/system/containerd.service.d/10-other.conf"
  rm -rf "$R/etc/systemd/system/containerd.service.d"

  # No restart from a chroot, even with systemd's run directory and a systemctl around.
  mkdir -p "$R/run/systemd/system" "$R/usr/local/sbin"
  printf '#!/bin/sh\necho "$@" >>/systemctl.calls\n' >"$R/usr/local/sbin/systemctl"
  chmod 0755 "$R/usr/local/sbin/systemctl"
  check "$FMT chroot: install" pm_install "$(pkgfile containerd-nofile-limit)"
  check "$FMT chroot: the drop-in is installed" test -f "$R$DROPIN"
  check "$FMT chroot: systemctl was not called" test ! -e "$R/systemctl.calls"
  check "$FMT chroot: remove and purge" pm_erase containerd-nofile-limit
  check "$FMT chroot: still no systemctl call" test ! -e "$R/systemctl.calls"
  rm -rf "$R/run/systemd" "$R/usr/local/sbin/systemctl"
}
