#!/usr/bin/env bash
# Repository indexing benchmark, run by hand (never as a timed test):
#   bash bench/repo-index.sh [N [PAYLOAD_KB]]   (default 1000 packages of 256 KiB of data;
#                                                needs createrepo_c and apt-ftparchive)
# On one machine, in one run, it times:
#   - a full index of N .rpm files: packwright repo add vs createrepo_c --workers 2 (gzip, no
#     sqlite: the same output), and of N .deb files: packwright vs apt-ftparchive (Packages,
#     .gz, .xz and Release, no cache database: a full index);
#   - adding 1 package to the N-package repository with packwright (deb and rpm).
# Each figure is the best of $BENCH_RUNS runs (default 3). Unsigned, so gpg's fixed cost
# (about 50 ms per signature) does not blur the indexing time. The packages are built by
# packwright itself, each holding PAYLOAD_KB of incompressible data (node-image packages are
# megabytes; PAYLOAD_KB=0 measures the fixed per-package costs alone). The work directory
# defaults to /dev/shm when it exists, so the disk's flushing does not dominate. Results go to
# bench/results/repo-index-N-PAYLOADk.md (and stdout).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
N=${1:-1000}
PAYLOAD_KB=${2:-256}
RUNS=${BENCH_RUNS:-3}
base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
W=${BENCH_DIR:-$(mktemp -d "$base/pw-bench-repo.XXXXXX")}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
export LC_ALL=C
if [ -z "${PACKWRIGHT:-}" ]; then
  cmake -S "$top" -B "$top/build-bench" -DCMAKE_BUILD_TYPE=Release -DPW_TESTS=OFF >/dev/null
  cmake --build "$top/build-bench" -j"$(nproc)" --target packwright >/dev/null
  PACKWRIGHT=$top/build-bench/packwright
fi
for t in createrepo_c apt-ftparchive; do
  command -v "$t" >/dev/null || { echo "bench: $t is needed" >&2; exit 1; }
done

# N manifests (one file each, alternating amd64 and all), built in one packwright run
make_packages() {
  mkdir -p "$W/src" "$W/in"
  for i in $(seq 1 "$1"); do
    local d=$W/src/pwbench$i arch=amd64
    [ $((i % 2)) -eq 0 ] && arch=all
    mkdir -p "$d"
    { printf 'payload of package %d\n' "$i"; head -c $((PAYLOAD_KB * 1024)) /dev/urandom; } >"$d/data.txt"
    printf '{"name":"pwbench%d","version":"1.%d","release":"1","arch":"%s",' "$i" "$i" "$arch" >"$d/package.json"
    printf '"summary":"benchmark package %d","description":"Package %d of the benchmark.",' "$i" "$i" >>"$d/package.json"
    printf '"maintainer":"bench <bench@example.invalid>","license":"MIT",' >>"$d/package.json"
    printf '"depends":["libc6 (>= 2.31)"],' >>"$d/package.json"
    printf '"contents":[{"type":"file","src":"data.txt","dst":"/usr/share/pwbench%d/data.txt"}]}\n' "$i" >>"$d/package.json"
  done
  (cd "$W/src" && "$PACKWRIGHT" build --deb-compression gzip:1 --rpm-compression gzip:1 \
    -o "$W/in" pwbench* >/dev/null)
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# best_ms SETUP-FN CMD...: best wall time of RUNS runs, SETUP-FN run (untimed) before each
best_ms() {
  local setup=$1 best=
  shift
  for _ in $(seq 1 "$RUNS"); do
    "$setup"
    local s e
    s=$(now_ms)
    "$@" >/dev/null 2>&1
    e=$(now_ms)
    if [ -z "$best" ] || [ $((e - s)) -lt "$best" ]; then best=$((e - s)); fi
  done
  echo "$best"
}

fresh_pw() { rm -rf "$W/r"; }
# every timed rpm index reads packages copied afresh (freshly written tmpfs files read
# measurably slower than old ones): packwright's copy and --move, and createrepo_c's directory
fresh_in() { rm -rf "$W/r" "$W/fresh"; mkdir -p "$W/fresh"; cp "$W"/in/*.rpm "$W/fresh/"; }
pw_copy() { "$PACKWRIGHT" repo add "$W/r" "$W"/fresh/*.rpm; }
pw_move() { "$PACKWRIGHT" repo add --move "$W/r" "$W"/fresh/*.rpm; }
fresh_cr() { rm -rf "$W/cr"; mkdir -p "$W/cr/Packages"; cp "$W"/in/*.rpm "$W/cr/Packages/"; }
empty_cr() { rm -rf "$W/cr"; mkdir -p "$W/cr/Packages"; }
# packages put into the pool by other means (rsync, cp) are indexed where they lie, like
# createrepo_c indexes its directory
fresh_inpool() { rm -rf "$W/r"; mkdir -p "$W/r/rpm/Packages/incoming"; cp "$W"/in/*.rpm "$W/r/rpm/Packages/incoming/"; }
pw_inpool() { "$PACKWRIGHT" repo add "$W/r" "$W"/r/rpm/Packages/incoming/*.rpm; }
# what publishing with createrepo_c costs end to end: the packages go into the repository
# directory first (packwright's figure includes copying them into its pool)
cp_createrepo() { cp "$W"/in/*.rpm "$W/cr/Packages/" && createrepo_c --workers 2 --no-database --general-compress-type gz "$W/cr"; }
fresh_ftp() { rm -rf "$W/ftp"; mkdir -p "$W/ftp/pool/main" "$W/ftp/dists/stable/main/binary-amd64";
  cp "$W"/in/*.deb "$W/ftp/pool/main/"; }
ftparchive_full() {
  cd "$W/ftp"
  apt-ftparchive packages pool >dists/stable/main/binary-amd64/Packages
  gzip -9 -n -k dists/stable/main/binary-amd64/Packages
  xz -6 -k dists/stable/main/binary-amd64/Packages
  apt-ftparchive -o APT::FTPArchive::Release::Origin=bench release dists/stable >dists/stable/Release.new
  mv dists/stable/Release.new dists/stable/Release
}
one_more_pkg() {
  mkdir -p "$W/one/pwbenchextra"
  echo extra >"$W/one/pwbenchextra/data.txt"
  printf '{"name":"pwbenchextra","version":"1.0","release":"1","arch":"amd64","summary":"extra","description":"One more.","maintainer":"bench <bench@example.invalid>","license":"MIT","contents":[{"type":"file","src":"data.txt","dst":"/usr/share/pwbenchextra/data.txt"}]}\n' >"$W/one/pwbenchextra/package.json"
  (cd "$W/one" && "$PACKWRIGHT" build -o "$W/one/out" pwbenchextra >/dev/null)
}
base_rpm() { rm -rf "$W/ri"; "$PACKWRIGHT" repo add "$W/ri" "$W"/in/*.rpm >/dev/null 2>&1; }
base_deb() { rm -rf "$W/rd"; "$PACKWRIGHT" repo add "$W/rd" "$W"/in/*.deb >/dev/null 2>&1; }

load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: building $N .deb and $N .rpm packages in $W" >&2
make_packages "$N"
one_more_pkg

echo "bench: full indexes" >&2
pw_rpm=$(best_ms fresh_in pw_copy)
pw_rpm_move=$(best_ms fresh_in pw_move)
cr=$(best_ms fresh_cr createrepo_c --workers 2 --no-database --general-compress-type gz "$W/cr")
cpcr=$(best_ms empty_cr cp_createrepo)
pw_rpm_inpool=$(best_ms fresh_inpool pw_inpool)
pw_deb=$(best_ms fresh_pw "$PACKWRIGHT" repo add "$W/r" "$W"/in/*.deb)
ftp=$(best_ms fresh_ftp ftparchive_full)
pw_both=$(best_ms fresh_pw "$PACKWRIGHT" repo add "$W/r" "$W"/in/*.deb "$W"/in/*.rpm)
echo "bench: adding one package to $N" >&2
inc_rpm=$(best_ms base_rpm "$PACKWRIGHT" repo add "$W/ri" "$W"/one/out/*.rpm)
inc_deb=$(best_ms base_deb "$PACKWRIGHT" repo add "$W/rd" "$W"/one/out/*.deb)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
out=$here/results/repo-index-$N-${PAYLOAD_KB}k.md
mkdir -p "$here/results"
{
  echo "# Repository indexing, $N packages per family, $PAYLOAD_KB KiB of data each"
  echo
  echo "$(date -u +%Y-%m-%d), $(uname -srm), $(nproc) CPUs ($cpu), $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')."
  echo "$("$PACKWRIGHT" --version); $(createrepo_c --version | head -1); apt-ftparchive from apt $(dpkg-query -W -f='${Version}' apt 2>/dev/null)."
  echo "Best of $RUNS runs each, wall-clock milliseconds, unsigned, packages built by packwright,"
  echo "work directory on $(df --output=fstype "$W" | tail -1), load average before the run: $load."
  echo
  echo "| what | ms |"
  echo "| --- | ---: |"
  echo "| packwright repo add, $N .rpm (full index, includes copying into the pool) | $pw_rpm |"
  echo "| createrepo_c --workers 2 --no-database, $N .rpm (gzip), packages already in place | $cr |"
  echo "| cp into the repository + createrepo_c --workers 2 --no-database, $N .rpm | $cpcr |"
  echo "| packwright repo add, $N .rpm already in its pool (indexed in place) | $pw_rpm_inpool |"
  echo "| packwright repo add --move, $N .rpm (full index, moved into the pool: no data copied) | $pw_rpm_move |"
  echo "| packwright repo add, $N .deb (full index, includes copying into the pool) | $pw_deb |"
  echo "| apt-ftparchive packages + gzip + xz + release, $N .deb | $ftp |"
  echo "| packwright repo add, $N .deb and $N .rpm together | $pw_both |"
  echo "| packwright repo add: 1 .rpm to $N | $inc_rpm |"
  echo "| packwright repo add: 1 .deb to $N | $inc_deb |"
  echo
  echo "- full rpm index with --move vs createrepo_c: $(ratio "$cr" "$pw_rpm_move")x the speed (target: >= 1.0)"
  echo "- full rpm index with the copy vs createrepo_c alone (which copies nothing): $(ratio "$cr" "$pw_rpm")x the speed"
  echo "- full rpm index vs cp + createrepo_c (both end with packages and metadata in the repository): $(ratio "$cpcr" "$pw_rpm")x the speed"
  echo "- rpm index of packages in place vs createrepo_c: $(ratio "$cr" "$pw_rpm_inpool")x the speed (target: >= 1.0)"
  echo "- full deb index vs apt-ftparchive: $(ratio "$ftp" "$pw_deb")x the speed"
  echo "- incremental rpm add vs full rpm index (both copying): $(ratio "$pw_rpm" "$inc_rpm")x faster (target: >= 10)"
  echo "- incremental deb add vs full deb index: $(ratio "$pw_deb" "$inc_deb")x faster (target: >= 10)"
} | tee "$out"
[ -n "${BENCH_DIR:-}" ] || rm -rf "$W"
