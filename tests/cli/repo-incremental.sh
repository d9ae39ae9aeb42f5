#!/usr/bin/env bash
# Incremental publishing of chunked indices: adding or removing one package to 300 compresses
# only the chunks that changed, the result is byte for byte what a full index of the same
# packages gives, every file decompresses to the listed text with gzip(1), xz(1) and zstd(1),
# and damaged chunk records or damaged previous files are never copied into a new generation.
. "$(dirname "$0")/lib.sh"
N=300
R=$T/repo

# N tiny packages (half amd64, half all) built by packwright in one run, and one more
mkdir -p "$T/src" "$T/in" "$T/one"
manifest() { # DIR NAME VERSION ARCH
  mkdir -p "$1"
  echo "$2 $3" >"$1/data.txt"
  printf '{"name":"%s","version":"%s","release":"1","arch":"%s","summary":"test %s",' "$2" "$3" "$4" "$2" >"$1/package.json"
  printf '"description":"Package %s of the incremental test.","maintainer":"t <t@example.invalid>",' "$2" >>"$1/package.json"
  printf '"license":"MIT","contents":[{"type":"file","src":"data.txt","dst":"/usr/share/%s/data.txt"}]}\n' "$2" >>"$1/package.json"
}
for i in $(seq 1 $N); do
  arch=amd64
  [ $((i % 2)) -eq 0 ] && arch=all
  manifest "$T/src/pwinc$i" "pwinc$i" "1.$i" "$arch"
done
manifest "$T/src1/pwincextra" pwincextra 1.0 amd64
(cd "$T/src" && "$PACKWRIGHT" build --deb-compression gzip:1 --rpm-compression gzip:1 -o "$T/in" pwinc* >/dev/null) ||
  fatal "cannot build the test packages"
(cd "$T/src1" && "$PACKWRIGHT" build -o "$T/one" pwincextra >/dev/null) || fatal "cannot build the extra package"

expect_exit 0 "full index of $N debs and $N rpms" "$PACKWRIGHT" repo add "$R" "$T"/in/*
cp -a "$R" "$T/base"
expect_exit 0 "adding one deb and one rpm" "$PACKWRIGHT" repo add "$R" "$T"/one/*
expect_exit 0 "repo check accepts the incremental generation" \
  "$PACKWRIGHT" repo check --allow-unsigned "$R"

# how many chunks of generation 2 were not in generation 1 (compressed anew)
fresh_chunks() { # FAMILY
  awk '$1 == "F" { next } NR == FNR { if (FNR > 1) seen[$1 " " $2] = 1; next }
       FNR > 1 && !(($1 " " $2) in seen) { n++ } END { print n + 0 }' \
    "$R/$1/.gen/1/chunks" "$R/$1/.gen/2/chunks"
}
total_chunks() { grep -vc "^[pF]" "$R/$1/.gen/2/chunks"; }
rpm_fresh=$(fresh_chunks rpm) rpm_total=$(total_chunks rpm)
deb_fresh=$(fresh_chunks deb) deb_total=$(total_chunks deb)
check "the rpm-md files are made of several chunks each ($rpm_total)" test "$rpm_total" -ge 9
# primary, filelists and other: the head (package count) and the chunk holding the new entry
check "adding one rpm compressed $rpm_fresh of $rpm_total rpm-md chunks anew (at most 6)" \
  test "$rpm_fresh" -le 6 -a "$rpm_fresh" -ge 3
# amd64 .gz and .xz: the chunk holding the new stanza (arm64 is unchanged)
check "adding one deb compressed $deb_fresh of $deb_total Packages chunks anew (at most 4)" \
  test "$deb_fresh" -le 4 -a "$deb_fresh" -ge 2

# the incremental result equals a full index of the same packages, byte for byte
same_as_full() { # DESCRIPTION REPO-TO-COMPARE FULL-INDEX-FILES...
  local d=$1 got=$2
  shift 2
  rm -rf "$T/full"
  "$PACKWRIGHT" repo add "$T/full" "$@" >/dev/null 2>&1 || { not_ok "$d: full index failed"; return; }
  local a=$got/deb/dists/stable/main f=$T/full/deb/dists/stable/main bad=
  for x in amd64 arm64; do
    for p in Packages Packages.gz Packages.xz; do
      cmp -s "$a/binary-$x/$p" "$f/binary-$x/$p" || bad="$bad $x/$p"
    done
  done
  for p in "$T"/full/rpm/repodata/*; do
    cmp -s "$p" "$got/rpm/repodata/${p##*/}" || bad="$bad ${p##*/}"
  done
  if [ -z "$bad" ]; then ok "$d"; else not_ok "$d: differ:$bad"; fi
}
same_as_full "incremental add gives the bytes of a full index" "$R" "$T"/in/* "$T"/one/*

P=$R/deb/dists/stable/main/binary-amd64
check "Packages.xz is one xz stream of several blocks" \
  sh -c "xz --robot -l '$P/Packages.xz' | awk '/^totals/ { exit !(\$2 == 1 && \$3 > 1) }'"
check "xz -t accepts Packages.xz" xz -t "$P/Packages.xz"
check "xz -d gives Packages" sh -c "xz -dc '$P/Packages.xz' | cmp -s - '$P/Packages'"
check "gzip -d gives Packages" sh -c "gzip -dc '$P/Packages.gz' | cmp -s - '$P/Packages'"
check "python's gzip reads every member" python3 -c "
import gzip, sys
sys.exit(gzip.open('$P/Packages.gz').read() != open('$P/Packages', 'rb').read())"
for f in "$R"/rpm/repodata/*.xml.gz; do
  check "${f##*/} decompresses to well-formed XML" \
    python3 -c "import gzip, xml.dom.minidom; xml.dom.minidom.parseString(gzip.open('$f').read())"
done

# removing a package: the same bytes as a full index of the rest
expect_exit 0 "removing one package" "$PACKWRIGHT" repo remove "$R" pwinc7
same_as_full "incremental remove gives the bytes of a full index" "$R" \
  $(ls "$T"/in/* "$T"/one/* | grep -v '/pwinc7[-_]')

# a damaged chunk record is ignored: everything is compressed anew, nothing breaks
cp -a "$T/base" "$T/r2"
sed -i '2,$s/ [0-9][0-9]* / 7 /' "$T/r2/rpm/.gen/1/chunks"
printf 'garbage\n' >"$T/r2/deb/.gen/1/chunks"
expect_exit 0 "adding to a repository whose chunk records are damaged" \
  "$PACKWRIGHT" repo add "$T/r2" "$T"/one/*
expect_exit 0 "repo check accepts it" "$PACKWRIGHT" repo check --allow-unsigned "$T/r2"
same_as_full "damaged chunk records: still the bytes of a full index" "$T/r2" "$T"/in/* "$T"/one/*

# a damaged previous file: its chunks fail their check and are compressed anew
cp -a "$T/base" "$T/r3"
for f in "$T"/r3/rpm/.gen/1/repodata/*-primary.xml.gz "$T"/r3/deb/.gen/1/dists/stable/main/binary-arm64/Packages.xz; do
  size=$(stat -c %s "$f")
  printf '\377\377\377\377' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc status=none
done
expect_exit 0 "adding to a repository whose previous index files are damaged" \
  "$PACKWRIGHT" repo add "$T/r3" "$T"/one/*
expect_exit 0 "repo check accepts the new generation" "$PACKWRIGHT" repo check --allow-unsigned "$T/r3"
same_as_full "damaged previous files: still the bytes of a full index" "$T/r3" "$T"/in/* "$T"/one/*

# zstd metadata is chunked the same way
rm -rf "$T/rz"
expect_exit 0 "a zstd rpm-md repository" "$PACKWRIGHT" repo add --rpm-compression zstd "$T/rz" "$T"/in/*.rpm
expect_exit 0 "adding one rpm to it" "$PACKWRIGHT" repo add "$T/rz" "$T"/one/*.rpm
for f in "$T"/rz/rpm/repodata/*.xml.zst; do
  check "${f##*/}: zstd -t accepts every frame" zstd -q -t "$f"
done
expect_exit 0 "repo check accepts it" "$PACKWRIGHT" repo check --allow-unsigned "$T/rz"
pw_done
