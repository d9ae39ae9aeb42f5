#!/usr/bin/env bash
# The real consumer: containerd itself reads what packwright-toml wrote. After set-pull-timeout,
# add-runtime gvisor io.containerd.runsc.v1 and a merge, `containerd --config FILE config dump`
# shows the new values, and every value that was effective before is still effective (the two
# dumps compared): version-2 configs with containerd 1.6 and 1.7, version-3 with containerd 2.x.
. "$(dirname "$0")/lib.sh"
: "${PW_TOML:?PW_TOML must name packwright-toml}"
H=$PW_TOML
export PACKWRIGHT_TOML_STATE_DIR=$T/state
bins=$(pw_containerd_dir)
FIX=$PW_SHARED_DIR/fixtures/containerd
OWN=$PW_SOURCE_DIR/tests/fixtures/toml
for m in 1.6 1.7 2; do
  [ -x "$bins/containerd-$m/containerd" ] || fatal "no containerd $m in $bins (tests/lib/prepare.sh makes them)"
done

# dump BIN CONFIG OUT: the effective config as toml-test JSON (run from the config's directory:
# containerd 1.6 resolves relative imports against the working directory).
dump() {
  (cd "$(dirname "$2")" && "$1" --config "$2" config dump) >"$3.toml" 2>"$3.err" || return 1
  "$H" json "$3.toml" >"$3.json"
}

# compare BEFORE AFTER KEY=VALUE...: every leaf of BEFORE is in AFTER unchanged unless it is one
# of the KEYs, and each KEY (dotted, quoted parts with '') has VALUE in AFTER.
compare() {
  python3 - "$@" <<'PY'
import json, sys
def flat(node, prefix=(), out=None):
    out = {} if out is None else out
    if isinstance(node, dict) and set(node) == {"type", "value"} and isinstance(node["value"], str):
        out[prefix] = node["value"]
    elif isinstance(node, dict):
        for k, v in node.items():
            flat(v, prefix + (k,), out)
    else:
        out[prefix] = json.dumps(node, sort_keys=True)
    return out
def key(text):
    parts, cur, q = [], "", None
    for ch in text:
        if q:
            if ch == q: q = None
            else: cur += ch
        elif ch in "'\"": q = ch
        elif ch == ".": parts.append(cur); cur = ""
        else: cur += ch
    return tuple(parts + [cur])
before = flat(json.load(open(sys.argv[1])))
after = flat(json.load(open(sys.argv[2])))
want = {key(a.split("=", 1)[0]): a.split("=", 1)[1] for a in sys.argv[3:]}
bad = 0
for k, v in before.items():
    if k in want:
        continue
    if after.get(k) != v:
        print("#   lost: %s = %r (now %r)" % (".".join(k), v, after.get(k))); bad += 1
for k, v in want.items():
    if after.get(k) != v:
        print("#   missing: %s = %r (dump has %r)" % (".".join(k), v, after.get(k))); bad += 1
print("#   %d values before, %d after, %d checked new" % (len(before), len(after), len(want)))
sys.exit(1 if bad else 0)
PY
}

# consumer NAME CONFIG BINARY CONTAINERD_VERSION CRI_RUNTIME CRI_IMAGES SANDBOX_KEY
consumer() {
  local name=$1 src=$2 bin=$3 ver=$4 rt=$5 img=$6 sandbox=$7
  local dir=$T/$name
  mkdir -p "$dir"
  cp "$src" "$dir/config.toml"
  if ! dump "$bin" "$dir/config.toml" "$dir/before"; then
    not_ok "$name: containerd reads the original"; sed 's/^/#   /' "$dir/before.err" | tail -5; return
  fi
  local o=(--containerd-version "$ver" --config "$dir/config.toml")
  expect_exit 0 "$name: set-pull-timeout" "$H" containerd "${o[@]}" set-pull-timeout 7m
  expect_exit 0 "$name: add-runtime gvisor" "$H" containerd "${o[@]}" add-runtime gvisor io.containerd.runsc.v1
  expect_exit 0 "$name: merge" "$H" containerd "${o[@]}" merge "$OWN/fragment-v2.toml"
  if ! dump "$bin" "$dir/config.toml" "$dir/after"; then
    not_ok "$name: containerd reads the edited config"; sed 's/^/#   /' "$dir/after.err" | tail -5; return
  fi
  local want=("$rt.containerd.runtimes.gvisor.runtime_type=io.containerd.runsc.v1"
              "$rt.containerd.runtimes.runc.options.SystemdCgroup=true"
              "$img.registry.config_path=/etc/containerd/certs.d"
              "$sandbox=registry.k8s.io/pause:3.10")
  [ "$ver" = 1.6 ] || want+=("$img.image_pull_progress_timeout=7m")
  if out=$(compare "$dir/before.json" "$dir/after.json" "${want[@]}"); then
    ok "$name: the new values are effective and every earlier value still is"
  else
    not_ok "$name: the dumps differ"
  fi
  echo "$out" | head -20
}

V2="plugins.'io.containerd.grpc.v1.cri'"
V3R="plugins.'io.containerd.cri.v1.runtime'"
V3I="plugins.'io.containerd.cri.v1.images'"
consumer v2-default-1.6 "$FIX/containerd-1.6-default.toml" "$bins/containerd-1.6/containerd" 1.6 \
  "$V2" "$V2" "$V2.sandbox_image"
consumer v2-default-1.7 "$FIX/containerd-1.7-default.toml" "$bins/containerd-1.7/containerd" 1.7 \
  "$V2" "$V2" "$V2.sandbox_image"
consumer v2-comments-1.6 "$OWN/comments.toml" "$bins/containerd-1.6/containerd" 1.6 \
  "$V2" "$V2" "$V2.sandbox_image"
consumer v2-comments-1.7 "$OWN/comments.toml" "$bins/containerd-1.7/containerd" 1.7 \
  "$V2" "$V2" "$V2.sandbox_image"
consumer v3-default-2 "$FIX/containerd-2.1-default.toml" "$bins/containerd-2/containerd" 2.1 \
  "$V3R" "$V3I" "$V3I.pinned_images.sandbox"
consumer v3-dotted-2 "$OWN/dotted.toml" "$bins/containerd-2/containerd" 2.1 \
  "$V3R" "$V3I" "$V3I.pinned_images.sandbox"
pw_done
