#!/usr/bin/env bash
# packwright inspect on .deb files: control fields, scripts, and every file with type, mode,
# owner, size and SHA-256, as text and as one JSON document; errors for what is not a package.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "build the full test package" \
  "$PACKWRIGHT" build -f deb -o "$T/dist" "$PW_SOURCE_DIR/tests/fixtures/full"
deb=$T/dist/pw-full_1.0-1_all.deb
mkdir -p "$T/data"
dpkg-deb --extract "$deb" "$T/data"

expect_exit 0 "inspect (text)" "$PACKWRIGHT" inspect "$deb"
expect_stdout "format: deb" "text: format"
expect_stdout "Package: pw-full" "text: control field"
expect_stdout "Installed-Size: $(dpkg-deb --field "$deb" Installed-Size)" "text: Installed-Size"
expect_stdout "script postinst (/bin/sh)" "text: scripts with their interpreter"
expect_stdout "script postrm (/bin/bash)" "text: the bash wrapper"
expect_stdout "-rwxr-xr-x root/root         55 $(sha256sum <"$T/data/usr/bin/pw-full" | cut -d' ' -f1) /usr/bin/pw-full" \
  "text: file line with mode, owner, size, digest"
expect_stdout "drwxr-x--- root/adm          0 - /var/lib/pw-full" "text: directory with its group"
expect_stdout "lrwxrwxrwx root/root          0 - /usr/bin/pw-full-link -> pw-full" "text: symlink"

expect_exit 0 "inspect --json" "$PACKWRIGHT" inspect --json "$deb"
cp "$T/stdout" "$T/one.json"
check "json: one document, every field, script and file" python3 - "$T/one.json" "$T/data" <<'EOF'
import hashlib, json, os, sys
doc = json.load(open(sys.argv[1]))
(p,) = doc["packages"]
assert (p["format"], p["name"], p["version"], p["arch"]) == ("deb", "pw-full", "1.0-1", "all"), p
assert list(p["fields"])[:4] == ["Package", "Version", "Architecture", "Maintainer"]
assert p["fields"]["Depends"] == "coreutils (>= 8.0), dash (>= 0.5) | bash (>= 5.0)"
assert p["fields"]["Description"].split("\n")[3] == "."
assert [s["name"] for s in p["scripts"]] == ["preinst", "postinst", "prerm", "postrm"]
assert all("PACKWRIGHT_ACTION" in s["body"] for s in p["scripts"])
files = {f["path"]: f for f in p["files"]}
root = sys.argv[2]
on_disk = set()
for d, dirs, names in os.walk(root):
    for n in dirs + names:
        on_disk.add(os.path.join(d, n)[len(root):])
assert set(files) == on_disk, set(files) ^ on_disk
for path, f in files.items():
    full = root + path
    if f["type"] == "f":
        assert f["digest"] == hashlib.sha256(open(full, "rb").read()).hexdigest(), path
        assert f["size"] == os.path.getsize(full) and f["digest_algo"] == "sha256", path
    elif f["type"] == "l":
        assert f["target"] == os.readlink(full), path
    else:
        assert f["type"] == "d" and "digest" not in f, path
conf = sorted(p for p, f in files.items() if f["flags"] & 1)
assert conf == ["/etc/pw-full/defaults", "/etc/pw-full/local.conf", "/etc/pw-full/pw-full.conf"], conf
assert files["/usr/share/pw-full-private/secret"]["mode"] == "0640"
assert files["/usr/share/pw-full-private/secret"]["group"] == "adm"
assert files["/usr/bin/pw-full"]["mtime"] == int(os.environ["SOURCE_DATE_EPOCH"])
EOF

expect_exit 0 "inspect --json with two files" "$PACKWRIGHT" inspect --json "$deb" "$deb"
check "json: one document holding both" python3 -c '
import json, sys
assert len(json.load(open(sys.argv[1]))["packages"]) == 2' "$T/stdout"

printf 'not a package\n' >"$T/notes.txt"
expect_exit 1 "inspect a text file" "$PACKWRIGHT" inspect "$T/notes.txt"
expect_stderr "packwright: error: inspect '$T/notes.txt': '$T/notes.txt' is neither a .deb nor an .rpm package" \
  "names what is not a package"
expect_exit 1 "inspect a missing file" "$PACKWRIGHT" inspect "$T/missing.deb"
expect_stderr "cannot open '$T/missing.deb': No such file or directory" "names the missing file"
head -c 2000 "$deb" >"$T/truncated.deb"
expect_exit 1 "inspect a truncated .deb" "$PACKWRIGHT" inspect "$T/truncated.deb"
expect_stderr "inspect '$T/truncated.deb': reading '$T/truncated.deb': " "a truncated package is an error"
expect_exit 2 "inspect without a file" "$PACKWRIGHT" inspect
expect_exit 1 "a bad file among good ones fails the run" "$PACKWRIGHT" inspect "$deb" "$T/notes.txt"
expect_stdout "Package: pw-full" "the good one is still shown"
pw_done
