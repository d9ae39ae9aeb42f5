#!/usr/bin/env bash
# Damaged bundles are refused with the name of the member at fault, and an import of one leaves
# the target as it was: cut short, a flipped byte in the compressed stream or inside a member,
# a member missing, repeated or not in the manifest, a manifest rewritten to match an altered
# member (its signature no longer does), a manifest signature by another key.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mirror.sh"

mirror_keys
mk_deb app 1.0 amd64
mk_rpm app 1.0 1 noarch
# a package of incompressible bytes, so that a cut bundle breaks inside a member
mk_deb big 1.0 amd64
head -c 2000000 /dev/urandom >"$T/build/deb-big-1.0-amd64/usr/share/big/blob"
dpkg-deb --root-owner-group -Znone -b "$T/build/deb-big-1.0-amd64" "$T/in/big_1.0_amd64.deb" >/dev/null
S=$T/source
expect_exit 0 "publish" "$PACKWRIGHT" repo add --sign-key "$SITE_KEY" "$S" "$T"/in/*
B=$T/good.bundle
expect_exit 0 "bundle create" "$PACKWRIGHT" bundle create "$S" "$B"
F=$T/far
expect_exit 0 "a first import" "$PACKWRIGHT" bundle import --keyring "$T/site.gpg" "$B" "$F"
before=$(tree_digest "$F")
DEB=repo/deb/pool/main/a/app/app_1.0_amd64.deb

# rewrite IN OUT ACTION NAME: the bundle's members through Python's tarfile, changed by ACTION
# (alter: flip a byte of NAME; drop; dup; add: an extra member NAME; remanifest: alter NAME and
# fix its manifest line, keeping the old signature; resign: manifest signed by the upstream key).
rewrite() {
  zstd -qdc "$1" >"$T/in.tar"
  python3 - "$T/in.tar" "$T/out.tar" "$3" "$4" "$UPSTREAM_KEY" <<'PY'
import hashlib, io, subprocess, sys, tarfile
src, dst, action, name, other_key = sys.argv[1:6]
members = []
with tarfile.open(src) as t:
    for m in t.getmembers():
        members.append((m, t.extractfile(m).read()))
def flip(data):
    b = bytearray(data); b[len(b) // 2] ^= 0x01; return bytes(b)
out = []
for m, data in members:
    if m.name == name and action in ("alter", "remanifest"):
        data = flip(data)
    if m.name == name and action == "drop":
        continue
    out.append((m, data))
    if m.name == name and action == "dup":
        out.append((m, data))
if action == "add":
    m = tarfile.TarInfo(name)
    out.append((m, b"not listed\n"))
if action == "remanifest":
    new = dict((m.name, d) for m, d in out)
    lines = [l for l in new["packwright-bundle/manifest"].decode().splitlines()]
    for i, l in enumerate(lines[1:], 1):
        if l.split(" ", 2)[2] == name:
            d = new[name]
            lines[i] = "%s %d %s" % (hashlib.sha256(d).hexdigest(), len(d), name)
    text = ("\n".join(lines) + "\n").encode()
    out = [(m, text if m.name == "packwright-bundle/manifest" else d) for m, d in out]
if action == "resign":
    manifest = dict((m.name, d) for m, d in out)["packwright-bundle/manifest"]
    sig = subprocess.run(["gpg", "--batch", "--armor", "--detach-sign", "--local-user",
                          other_key], input=manifest, capture_output=True, check=True).stdout
    out = [(m, sig if m.name == "packwright-bundle/manifest.asc" else d) for m, d in out]
with tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as t:
    for m, data in out:
        m.size = len(data)
        t.addfile(m, io.BytesIO(data))
PY
  zstd -qf "$T/out.tar" -o "$2"
}

# refused DESCRIPTION EXIT TEXT BUNDLE: verify and import both refuse, naming TEXT.
refused() {
  local d=$1 code=$2 text=$3 bundle=$4
  expect_exit "$code" "verify: $d" "$PACKWRIGHT" bundle verify "$bundle"
  expect_stderr "$text" "verify: $d: the message names it"
  expect_exit "$code" "import: $d" "$PACKWRIGHT" bundle import --keyring "$T/site.gpg" "$bundle" "$F"
  expect_stderr "$text" "import: $d: the message names it"
  expect_stderr "nothing was imported" "import: $d: says nothing was imported"
  expect_eq "$(tree_digest "$F")" "$before" "import: $d: the earlier import is intact"
}

size=$(stat -c %s "$B")
head -c $((size * 2 / 3)) "$B" >"$T/truncated.bundle"
refused "truncated" 1 "'repo/deb/pool/main/b/big/big_1.0_amd64.deb' is truncated or damaged" \
  "$T/truncated.bundle"
head -c 100 "$B" >"$T/stub.bundle"
refused "cut before its first member" 1 "truncated or damaged before its first member" \
  "$T/stub.bundle"

# a flipped byte in the compressed stream: the decoder fails, or decodes other bytes
cp "$B" "$T/flipped.bundle"
flip_byte "$T/flipped.bundle" $((size / 2))
run "$PACKWRIGHT" bundle verify "$T/flipped.bundle"
check "a flipped byte in the compressed stream is refused" test "$rc" -ne 0
check "... naming the member" grep -qE "'repo/[^']+' (does not match the manifest|is truncated or damaged)" \
  "$T/stderr"

rewrite "$B" "$T/altered.bundle" alter "$DEB"
refused "an altered member" 4 "'$DEB' does not match the manifest" "$T/altered.bundle"

rewrite "$B" "$T/missing.bundle" drop "$DEB"
refused "a missing member" 1 "'$DEB' is listed in the manifest but missing" "$T/missing.bundle"

rewrite "$B" "$T/dup.bundle" dup "$DEB"
refused "a repeated member" 1 "'$DEB' appears twice" "$T/dup.bundle"

rewrite "$B" "$T/extra.bundle" add repo/deb/pool/main/e/evil.deb
refused "an extra member" 1 "unexpected file 'repo/deb/pool/main/e/evil.deb' (not in the manifest)" \
  "$T/extra.bundle"

rewrite "$B" "$T/unsafe.bundle" add ../../etc/evil
refused "a member outside the tree" 1 "unexpected file '../../etc/evil'" "$T/unsafe.bundle"
check "nothing was written outside" test ! -e "$T/etc/evil"

rewrite "$B" "$T/remanifest.bundle" remanifest "$DEB"
refused "a manifest rewritten to match an altered member" 6 "manifest signature: bad" \
  "$T/remanifest.bundle"

rewrite "$B" "$T/resigned.bundle" resign ""
expect_exit 6 "a manifest signed by another key, checked against the included key" \
  "$PACKWRIGHT" bundle verify "$T/resigned.bundle"
expect_exit 6 "the same against the trusted keyring" \
  "$PACKWRIGHT" bundle import --keyring "$T/site.gpg" "$T/resigned.bundle" "$F"
expect_stderr "manifest signature: bad or untrusted signature" "the signature is refused"
expect_eq "$(tree_digest "$F")" "$before" "the earlier import is intact"

printf 'not a bundle' >"$T/junk.bundle"
expect_exit 1 "junk" "$PACKWRIGHT" bundle verify "$T/junk.bundle"
expect_stderr "not a packwright bundle" "junk is named as such"
expect_exit 0 "the good bundle still verifies" "$PACKWRIGHT" bundle verify --keyring "$T/site.gpg" "$B"
pw_done
