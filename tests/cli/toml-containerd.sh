#!/usr/bin/env bash
# packwright-toml containerd ...: version detection, config.toml creation, the table paths of
# config versions 2 and 3, refusal of version-1 configs, Go durations and the 1.6 rule,
# v2->v3 fragment translation, and --owner / undo (round trip, stacking, created files).
. "$(dirname "$0")/lib.sh"
: "${PW_TOML:?PW_TOML must name packwright-toml}"
H=$PW_TOML
export PACKWRIGHT_TOML_STATE_DIR=$T/state
FIX=$PW_SHARED_DIR/fixtures/containerd

# A fake `containerd --version` on PATH.
fake_containerd() {
  mkdir -p "$T/bin"
  printf '#!/bin/sh\necho "containerd github.com/containerd/containerd%s %s deadbeef"\n' \
    "${2:-}" "$1" >"$T/bin/containerd"
  chmod +x "$T/bin/containerd"
}
# Only our bin on PATH (plus what sh needs).
cpath=$T/bin:/usr/bin:/bin

# --- creation: version 2 unless containerd 2.x ---
fake_containerd v1.7.24
expect_exit 0 "add-runtime creates config.toml" env PATH="$cpath" "$H" containerd --config "$T/etc/c.toml" add-runtime gvisor io.containerd.runsc.v1
printf 'version = 2\n\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.gvisor]\nruntime_type = "io.containerd.runsc.v1"\n' >"$T/want"
check "containerd 1.7: a version 2 config holding only our settings" cmp "$T/etc/c.toml" "$T/want"
check "the directory was created" test -d "$T/etc"
check "the new file is 0644" test "$(stat -c %a "$T/etc/c.toml")" = 644

fake_containerd 2.1.9+unknown /v2
expect_exit 0 "containerd 2.x: version 3" env PATH="$cpath" "$H" containerd --config "$T/c3.toml" set-pull-timeout 5m0s
printf "version = 3\n\n[plugins.'io.containerd.cri.v1.images']\nimage_pull_progress_timeout = '5m0s'\n" >"$T/want"
check "containerd 2.x: a version 3 config at the images table" cmp "$T/c3.toml" "$T/want"
expect_exit 0 "--containerd-version overrides detection" env PATH="$cpath" "$H" containerd --containerd-version 1.7 --config "$T/c2.toml" set-pull-timeout 1m
check "the override gave version 2" grep -q '^version = 2' "$T/c2.toml"
expect_exit 0 "no containerd anywhere: unknown" env PATH=/nonexistent "$H" containerd --config "$T/cu.toml" set-pull-timeout 2m
check "unknown: version 2, and the timeout is written" grep -q 'image_pull_progress_timeout = "2m"' "$T/cu.toml"

# --- set-pull-timeout: Go durations, containerd 1.6 ---
expect_exit 2 "an invalid duration is refused" "$H" containerd --config "$T/c2.toml" set-pull-timeout 5x
expect_stderr "invalid duration '5x'" "names the duration"
expect_exit 2 "a negative duration is refused" "$H" containerd --config "$T/c2.toml" set-pull-timeout -- -5m
for d in 0 1h30m 1.5h 300ms 10us 2h45m30.5s; do
  expect_exit 0 "duration $d is valid" "$H" containerd --containerd-version 1.7 --config "$T/c2.toml" set-pull-timeout "$d" --dry-run
done
cp "$FIX/containerd-1.6-default.toml" "$T/c16.toml"
expect_exit 0 "containerd 1.6: warn, change nothing, exit 0" "$H" containerd --containerd-version 1.6 --config "$T/c16.toml" set-pull-timeout 5m
expect_stderr "containerd 1.6 does not know image_pull_progress_timeout" "the warning says why"
check "the 1.6 config is untouched" cmp "$T/c16.toml" "$FIX/containerd-1.6-default.toml"
fake_containerd 1.6.20~ds1
expect_exit 0 "1.6 detected from containerd --version" env PATH="$cpath" "$H" containerd --config "$T/c16.toml" set-pull-timeout 5m
expect_stderr "does not know image_pull_progress_timeout" "detected 1.6 warns"

# --- table paths per config version ---
cp "$FIX/containerd-1.7-default.toml" "$T/c17.toml"
expect_exit 0 "v2: timeout in the CRI table" "$H" containerd --containerd-version 1.7 --config "$T/c17.toml" set-pull-timeout 10m
expect_exit 0 "get it" "$H" get "$T/c17.toml" 'plugins."io.containerd.grpc.v1.cri".image_pull_progress_timeout'
expect_eq "$(cat "$T/stdout")" 10m "the v2 path holds the value"
cp "$FIX/containerd-2.1-default.toml" "$T/c21.toml"
expect_exit 0 "v3: runtime in the runtime plugin" "$H" containerd --config "$T/c21.toml" add-runtime gvisor io.containerd.runsc.v1
expect_exit 0 "get it" "$H" get "$T/c21.toml" "plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.gvisor.runtime_type"
expect_eq "$(cat "$T/stdout")" io.containerd.runsc.v1 "the v3 path holds the value"
check "the v3 file's single quotes are used" grep -q "runtime_type = 'io.containerd.runsc.v1'" "$T/c21.toml"
expect_exit 0 "remove-runtime" "$H" containerd --config "$T/c21.toml" remove-runtime gvisor
check "remove-runtime gives the original back" cmp "$T/c21.toml" "$FIX/containerd-2.1-default.toml"
expect_exit 0 "remove-runtime of an absent runtime" "$H" containerd --config "$T/c21.toml" remove-runtime nope
expect_exit 0 "remove-runtime without a config" "$H" containerd --config "$T/none/c.toml" remove-runtime nope
check "creates nothing" test ! -e "$T/none"

# --- version 1 refused ---
printf '[plugins.cri]\n  sandbox_image = "x"\n' >"$T/v1.toml"
cp "$T/v1.toml" "$T/v1.before"
expect_exit 1 "a version 1 config is refused" "$H" containerd --config "$T/v1.toml" add-runtime gvisor io.containerd.runsc.v1
expect_stderr "containerd config migrate" "suggests containerd config migrate"
check "the version 1 config is untouched" cmp "$T/v1.toml" "$T/v1.before"

# --- v2 fragments on a v3 config ---
cat >"$T/frag-v2.toml" <<'F'
version = 2
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  enable_cdi = true
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.gvisor]
    runtime_type = "io.containerd.runsc.v1"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/opt/cni/bin2"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "/etc/containerd/certs.d"
F
cp "$FIX/containerd-2.1-default.toml" "$T/c21.toml"
expect_exit 0 "a v2 fragment merged into a v3 config" "$H" containerd --config "$T/c21.toml" merge "$T/frag-v2.toml"
for kv in "plugins.'io.containerd.cri.v1.images'.pinned_images.sandbox=registry.k8s.io/pause:3.10" \
          "plugins.'io.containerd.cri.v1.runtime'.enable_cdi=true" \
          "plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.gvisor.runtime_type=io.containerd.runsc.v1" \
          "plugins.'io.containerd.cri.v1.runtime'.cni.bin_dirs=[\"/opt/cni/bin2\"]" \
          "plugins.'io.containerd.cri.v1.images'.registry.config_path=/etc/containerd/certs.d"; do
  run "$H" get "$T/c21.toml" "${kv%%=*}"
  expect_eq "$(cat "$T/stdout")" "${kv#*=}" "translated: ${kv%%=*}"
done
run "$H" get "$T/c21.toml" 'plugins."io.containerd.grpc.v1.cri".sandbox_image'
expect_eq "$rc" 1 "no v2 key was written into the v3 config"
printf '[plugins."io.containerd.grpc.v1.cri"]\nsystemd_cgroup = true\n' >"$T/frag-bad.toml"
cp "$T/c21.toml" "$T/before"
expect_exit 1 "a v2 key without a v3 mapping is refused" "$H" containerd --config "$T/c21.toml" merge "$T/frag-bad.toml"
expect_stderr 'plugins."io.containerd.grpc.v1.cri".systemd_cgroup' "the message names the key"
check "nothing written" cmp "$T/c21.toml" "$T/before"
printf "[plugins.'io.containerd.cri.v1.images']\nsnapshotter = 'x'\n" >"$T/frag-v3.toml"
cp "$FIX/containerd-1.7-default.toml" "$T/c17.toml"
expect_exit 1 "a v3 fragment on a v2 config is refused" "$H" containerd --config "$T/c17.toml" merge "$T/frag-v3.toml"
check "nothing written" cmp "$T/c17.toml" "$FIX/containerd-1.7-default.toml"
expect_exit 0 "the v2 fragment as-is on the v2 config" "$H" containerd --config "$T/c17.toml" merge "$T/frag-v2.toml"
run "$H" get "$T/c17.toml" 'plugins."io.containerd.grpc.v1.cri".sandbox_image'
expect_eq "$(cat "$T/stdout")" "registry.k8s.io/pause:3.10" "v2 fragment on v2: the same keys"
run "$H" get "$T/c17.toml" version
expect_eq "$(cat "$T/stdout")" 2 "the fragment's version did not change the config's"

# --- --owner and undo ---
for f in 1.6 1.7 2.1; do
  cp "$FIX/containerd-$f-default.toml" "$T/rt.toml"
  expect_exit 0 "merge --owner ($f)" "$H" containerd merge --owner pkg-a --config "$T/rt.toml" "$T/frag-v2.toml"
  check "the merge changed the file ($f)" sh -c "! cmp -s '$T/rt.toml' '$FIX/containerd-$f-default.toml'"
  expect_exit 0 "undo --owner ($f)" "$H" undo --owner pkg-a --config "$T/rt.toml"
  check "merge then undo gives the original bytes back ($f)" cmp "$T/rt.toml" "$FIX/containerd-$f-default.toml"
done
check "the state file is gone once nothing is recorded" test ! -e "$T/state/state.toml"

cp "$FIX/containerd-1.7-default.toml" "$T/st.toml"
expect_exit 0 "owner a sets the timeout" "$H" --owner a containerd --config "$T/st.toml" set-pull-timeout 7m
expect_exit 0 "owner b sets it too" "$H" --owner b containerd --config "$T/st.toml" set-pull-timeout 9m
expect_exit 0 "owner a adds gvisor" "$H" --owner a containerd --config "$T/st.toml" add-runtime gvisor io.containerd.runsc.v1
check "the state records both owners" grep -q "owner = 'b'" "$T/state/state.toml"
expect_exit 0 "undo a: b's value stays" "$H" undo --owner a --config "$T/st.toml"
run "$H" get "$T/st.toml" 'plugins."io.containerd.grpc.v1.cri".image_pull_progress_timeout'
expect_eq "$(cat "$T/stdout")" 9m "b's later value is kept"
expect_exit 0 "undo b: the original value" "$H" undo --owner b --config "$T/st.toml"
check "a then b undone: the original bytes" cmp "$T/st.toml" "$FIX/containerd-1.7-default.toml"

expect_exit 0 "owner sets" "$H" --owner c containerd --config "$T/st.toml" set-pull-timeout 3m
expect_exit 0 "the user changes it" "$H" containerd --config "$T/st.toml" set-pull-timeout 4m
expect_exit 0 "undo warns and leaves it" "$H" undo --owner c --config "$T/st.toml"
expect_stderr "was changed since 'c' set it; left as it is" "the warning names the owner"
run "$H" get "$T/st.toml" 'plugins."io.containerd.grpc.v1.cri".image_pull_progress_timeout'
expect_eq "$(cat "$T/stdout")" 4m "the user's value stays"

# a table only implied by the headers below it gets a header of its own for a new key; undo
# takes that header away again (image-builder's v3 configs have no [plugins.'...images'] line)
printf "version = 3\n\n[plugins]\n  [plugins.'io.containerd.cri.v1.images'.pinned_images]\n    sandbox = 'x'\n" >"$T/implied.toml"
cp "$T/implied.toml" "$T/implied.orig"
expect_exit 0 "set-pull-timeout under an implied table" "$H" --owner d containerd --config "$T/implied.toml" set-pull-timeout 10m
check "it got a header of its own" grep -q "^ *\[plugins.'io.containerd.cri.v1.images'\]" "$T/implied.toml"
expect_exit 0 "undo d" "$H" undo --owner d --config "$T/implied.toml"
check "undo takes the header away: the original bytes" cmp "$T/implied.orig" "$T/implied.toml"

# a config.toml the helper created goes away with its last owner's undo
expect_exit 0 "owner x creates the config" "$H" --owner x --containerd-version 1.7 containerd --config "$T/new/c.toml" add-runtime gvisor io.containerd.runsc.v1
expect_exit 0 "owner y adds to it" "$H" --owner y --containerd-version 1.7 containerd --config "$T/new/c.toml" set-pull-timeout 5m
expect_exit 0 "undo x" "$H" undo --owner x --config "$T/new/c.toml"
check "the file stays while y has changes" test -e "$T/new/c.toml"
expect_exit 0 "undo y --dry-run" "$H" undo --owner y --config "$T/new/c.toml" --dry-run
expect_stdout "+++ /dev/null" "the dry run shows the removal"
check "dry run kept the file" test -e "$T/new/c.toml"
expect_exit 0 "undo y" "$H" undo --owner y --config "$T/new/c.toml"
check "the created config is removed with its last owner" test ! -e "$T/new/c.toml"

# --state-dir beats the environment
cp "$FIX/containerd-1.7-default.toml" "$T/sd.toml"
expect_exit 0 "--state-dir" "$H" --owner z --state-dir "$T/other" containerd --config "$T/sd.toml" set-pull-timeout 6m
check "the state went to --state-dir" grep -q "owner = 'z'" "$T/other/state.toml"
expect_exit 0 "undo with the same --state-dir" "$H" undo --owner z --state-dir "$T/other" --config "$T/sd.toml"
check "undone" cmp "$T/sd.toml" "$FIX/containerd-1.7-default.toml"
expect_exit 2 "undo needs --owner" "$H" undo --config "$T/sd.toml"
pw_done
