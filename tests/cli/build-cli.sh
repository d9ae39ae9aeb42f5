#!/usr/bin/env bash
# `packwright build` as a command: options and usage errors, loading every manifest before
# building, `when` and variable precedence, --json, --manifest-doc, and that a failed package
# leaves no file behind. Broken manifests themselves are in manifest-errors.sh.
. "$(dirname "$0")/lib.sh"

# manifest DIR NAME [EXTRA-JSON]: a small valid manifest with one file.
manifest() {
  mkdir -p "$1/files"
  echo "hello from $2" >"$1/files/hello"
  cat >"$1/package.json" <<EOF
{
  "name": "$2",
  "version": "1.0",
  "arch": "all",
  "summary": "test package $2",
  "description": "A package built by the build-cli test.",
  "maintainer": "Jane Doe <jane@example.org>",
  "license": "MIT",
  "contents": [{"src": "files/hello", "dst": "/usr/share/$2/hello"}]${3:+,
  $3}
}
EOF
}

# no_output DIR DESCRIPTION: DIR is missing or empty (no packages, no temp files).
no_output() {
  if [ ! -e "$1" ] || [ -z "$(ls -A "$1")" ]; then ok "$2"; else
    not_ok "$2: $(ls -A "$1" | tr '\n' ' ')"; fi
}

cd "$T"
manifest good alpha
manifest other beta

# --- usage ---------------------------------------------------------------------------------
expect_exit 0 "build -h" "$PACKWRIGHT" build -h
for opt in --format --out --var --vars --arch --offline --cache-dir --source-date-epoch \
  --json --deb-compression --rpm-compression --sign-key; do
  expect_stdout "$opt" "help lists $opt"
done
expect_exit 2 "build without PKG" "$PACKWRIGHT" build
expect_stderr "build: missing arguments" "missing PKG is named"
expect_exit 2 "unknown format" "$PACKWRIGHT" build -f deb,zip good
expect_stderr "unknown format 'zip' (deb, rpm)" "the unknown format is named"
expect_exit 2 "unknown --arch" "$PACKWRIGHT" build --arch sparc good
expect_stderr "unknown architecture 'sparc'" "the unknown arch is named"
expect_exit 2 "bad --deb-compression" "$PACKWRIGHT" build --deb-compression lz4 good
expect_stderr "unknown compression 'lz4'" "the unknown compression is named"
expect_exit 2 "bad --rpm-compression level" "$PACKWRIGHT" build --rpm-compression xz:12 good
expect_exit 2 "bad --source-date-epoch" "$PACKWRIGHT" build --source-date-epoch yesterday good
expect_exit 2 "unknown option" "$PACKWRIGHT" build --no-such-option good
expect_exit 2 "--var without =" "$PACKWRIGHT" build --var x good
expect_exit 1 "a missing PKG" "$PACKWRIGHT" build -o out nope
expect_stderr "cannot open 'nope': No such file or directory" "the missing PKG is named"

# --- every manifest is loaded before anything is built -------------------------------------
manifest bad1 gamma '"nmae": "x"'
manifest bad2 delta '"epoch": "one"'
expect_exit 3 "two invalid manifests" "$PACKWRIGHT" build -o out-bad good bad1 bad2
expect_stderr "bad1/package.json: nmae: unknown key (did you mean 'name'?)" "first error"
expect_stderr "bad2/package.json: epoch: must be an integer, not a string" \
  "second error is reported too"
no_output out-bad "an invalid manifest stops the run before the valid one is built"
expect_exit 3 "a file PKG" "$PACKWRIGHT" build -o out-bad bad1/package.json
expect_stderr "bad1/package.json: nmae" "a manifest file is taken as given"

# --- when and variable precedence: manifest vars < --vars FILE (in order) < --var ----------
manifest cond eps '"vars": {"flag": "true"}, "when": "flag"'
echo '{"flag": false, "other": 1}' >off.json
echo '{"flag": "yes"}' >on.json
expect_exit 0 "when false via --vars" "$PACKWRIGHT" build -o out-when --vars off.json cond
expect_stderr "note: skipping 'eps' (cond/package.json): 'when' is false ('flag')" \
  "the skipped package is reported"
no_output out-when "a skipped package writes nothing"
expect_exit 0 "later --vars win" "$PACKWRIGHT" build -o out-when --vars on.json --vars off.json cond
expect_stderr "skipping 'eps'" "off.json, the later file, wins"
expect_exit 0 "--var wins over --vars" "$PACKWRIGHT" build -o out-when --var flag=0 --vars on.json cond
expect_stderr "skipping 'eps'" "--var flag=0 wins"
expect_exit 0 "--json with a skipped package" "$PACKWRIGHT" build --json -o out-when --vars off.json cond
check "--json prints the skipped list" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["files"] == [], d
assert d["skipped"] == [{"manifest": "cond/package.json", "name": "eps", "when": "flag"}], d
' "$T/stdout"
expect_eq "$(cat "$T/stderr")" "" "--json keeps stderr quiet for skipped packages"

# --- --manifest-doc ------------------------------------------------------------------------
expect_exit 0 "--manifest-doc" "$PACKWRIGHT" build --manifest-doc
check "--manifest-doc prints doc/manifest.md as committed" \
  cmp -s "$T/stdout" "$PW_SOURCE_DIR/doc/manifest.md"

# --- a failed package leaves nothing behind ------------------------------------------------
run env PW_FAIL_BEFORE_RENAME=1 "$PACKWRIGHT" build -o out-fail -f deb good
expect_eq "$rc" 1 "a failing write exits 1"
expect_stderr "building 'alpha' (deb): " "the failure names package and format"
no_output out-fail "no package and no temp file after a failed write"

expect_exit 0 "build --json two packages" "$PACKWRIGHT" build --json -o out -f deb good other
check "--json lists path, format, name, version, arch, size and sha256 of each file" python3 -c '
import hashlib, json, os, sys
d = json.load(open(sys.argv[1]))
assert d["skipped"] == [], d
names = [f["name"] for f in d["files"]]
assert names == ["alpha", "beta"], names
for f in d["files"]:
    assert f["format"] == "deb" and f["version"] == "1.0-1" and f["arch"] == "all", f
    assert f["path"] == "out/%s_1.0-1_all.deb" % f["name"], f
    data = open(f["path"], "rb").read()
    assert f["size"] == len(data) == os.path.getsize(f["path"]), f
    assert f["sha256"] == hashlib.sha256(data).hexdigest(), f
' "$T/stdout"
expect_exit 0 "build in text mode" "$PACKWRIGHT" build -o out-text -f deb good
expect_eq "$(cat "$T/stdout")" "out-text/alpha_1.0-1_all.deb" "text mode prints each file written"

# arch per format: --arch replaces a non-"all" arch; the names follow each format.
manifest native zeta '"epoch": 2'
sed -i 's/"arch": "all"/"arch": "amd64"/' native/package.json
expect_exit 0 "build --arch arm64 both formats" "$PACKWRIGHT" build --json --arch arm64 -o out-arch native
check "--json names each format's arch and file name; the epoch is in the version only" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted((f["format"], f["arch"], f["path"], f["version"]) for f in d["files"])
assert got == [("deb", "arm64", "out-arch/zeta_1.0-1_arm64.deb", "2:1.0-1"),
               ("rpm", "aarch64", "out-arch/zeta-1.0-1.aarch64.rpm", "2:1.0-1")], got
' "$T/stdout"

# deb builds, then rpm cannot be written (its name is taken by a directory): the package
# failed, so its .deb goes too; nothing else is built.
mkdir -p out-half/alpha-1.0-1.noarch.rpm
run "$PACKWRIGHT" build -o out-half -f deb,rpm good other
expect_eq "$rc" 1 "a package whose rpm fails exits 1"
expect_stderr "building 'alpha' (rpm): " "the rpm failure is named"
expect_eq "$(ls out-half)" "alpha-1.0-1.noarch.rpm" "the failed package's .deb was removed"
pw_done
