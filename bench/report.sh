#!/usr/bin/env bash
# bench/report.sh: renders bench/RESULTS.md from the results directory of bench/run
# ($BENCH_RESULTS), so the page can be regenerated without timing anything again.
set -euo pipefail
R=${BENCH_RESULTS:?BENCH_RESULTS names the results directory}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
have() { [ -f "$R/$1.json" ]; }
median() { python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$R/$1.json"; }
cpu_ms() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % ((r["user"]+r["system"])*1000))' "$R/$1.json"; }
runs() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"][0]["times"]))' "$R/$1.json"; }
rss() { sort -n "$R/$1.rss" | tail -1 | awk '{printf "%.1f", $1/1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = op == "<=" ? v <= t : v >= t; print ok ? "met" : "**missed**" }'; }
row() { # LABEL NAME
  have "$2" || return 0
  echo "| $1 | $(median "$2") | $(rss "$2") | $(runs "$2") |"
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "# packwright benchmark results"
echo
echo "Written by \`bench/run\` (see [README.md](README.md)); regenerate the page from kept results"
echo "with \`BENCH_RESULTS=DIR bash bench/report.sh\`."
echo
echo "## Machine and versions"
echo
echo "- $(date -u +%Y-%m-%d), $(uname -srm), $(nproc) CPUs ($cpu), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM"
echo "- load average before the run: $(cat "$R/load-before" 2>/dev/null || echo '?'), after: $(cat "$R/load-after" 2>/dev/null || echo '?')"
echo "- packwright $(cat "$R/revision" 2>/dev/null || git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?') (Release build);" \
  "liblzma $(dpkg-query -W -f='${Version}' liblzma5), libzstd $(dpkg-query -W -f='${Version}' libzstd1)," \
  "zlib $(dpkg-query -W -f='${Version}' zlib1g)"
echo "- dpkg-deb $(dpkg-query -W -f='${Version}' dpkg), rpmbuild $(rpmbuild --version | awk '{print $3}')," \
  "$(createrepo_c --version | head -1), apt-ftparchive (apt $(dpkg-query -W -f='${Version}' apt))," \
  "gzip $(gzip --version | head -1 | awk '{print $2}'), xz $(xz --version | head -1 | awk '{print $4}')," \
  "zstd $(zstd --version | grep -o 'v[0-9.]*' | head -1), $(hyperfine --version)"
echo
echo "Times are hyperfine medians in seconds (wall clock); peak RSS is the largest maximum"
echo "resident set size (\`/usr/bin/time -f %M\`) over the timed runs, in MiB."
echo

targets=()
target() { targets+=("| $1 | $2 | $3 | $4 |"); }

for p in large small; do
  have "$p-gzip-pw" || continue
  if [ "$p" = large ]; then
    echo "## Build: one large binary (containerd, $(cat "$R/large-mb" 2>/dev/null || echo '?') MB) + config + drop-in"
  else
    echo "## Build: ~5,000 small real files from /usr/share"
  fi
  echo
  echo "| what | median s | peak RSS MiB | runs |"
  echo "| --- | ---: | ---: | ---: |"
  for m in gzip xz zstd; do
    k=$p-$m
    have "$k-pw" || continue
    row "$m: packwright build -f deb,rpm" "$k-pw"
    row "$m: dpkg-deb -b" "$k-dpkg"
    row "$m: rpmbuild -bb" "$k-rpmbuild"
    row "$m: floor, both streams' compressors alone, side by side" "$k-floor2"
    row "$m: packwright build -f rpm" "$k-pw-rpm"
    row "$m: floor, the rpm payload's compressor alone" "$k-floor-rpm"
    pw=$(median "$k-pw")
    fl=$(median "$k-floor2")
    pair=$(awk -v a="$(median "$k-dpkg")" -v b="$(median "$k-rpmbuild")" 'BEGIN { print a + b }')
    r1=$(ratio "$pw" "$fl")
    r2=$(ratio "$pair" "$pw")
    target "$p, $m: deb+rpm / floor" "<= 1.10" "$r1" "$(verdict "$r1" '<=' 1.10)"
    target "$p, $m: (dpkg-deb + rpmbuild) / packwright deb+rpm" ">= 1.8" "$r2" "$(verdict "$r2" '>=' 1.8)"
    if have "$k-pw-rpm" && [ "$m" = gzip ]; then
      r3=$(ratio "$(median "$k-pw-rpm")" "$(median "$k-floor-rpm")")
      r4=$(ratio "$(median "$k-rpmbuild")" "$(median "$k-floor-rpm")")
      target "small files, rpm alone / gzip floor (rpmbuild: $r4)" "<= 1.2" "$r3" "$(verdict "$r3" '<=' 1.2)"
    fi
  done
  echo
done

if have big-gzip; then
  echo "## Peak RSS, deb and rpm built side by side from a $(cat "$R/big-mb" 2>/dev/null || echo 1024) MB payload"
  echo
  echo "| what | median s | peak RSS MiB | runs |"
  echo "| --- | ---: | ---: | ---: |"
  row "gzip -6" big-gzip
  row "zstd -3" big-zstd
  echo
  target "peak RSS, 1 GB payload, gzip -6" "<= 64 MiB" "$(rss big-gzip)" "$(verdict "$(rss big-gzip)" '<=' 64)"
  target "peak RSS, 1 GB payload, zstd -3" "<= 64 MiB" "$(rss big-zstd)" "$(verdict "$(rss big-zstd)" '<=' 64)"
  for m in xz zstd; do
    have "large-$m-pw" && target "peak RSS, defaults-size payload, $m (see bounds)" "<= 64 MiB" \
      "$(rss "large-$m-pw")" "$(verdict "$(rss "large-$m-pw")" '<=' 64)"
  done
fi

if have repo-cr; then
  echo "## Repositories: 1,000 packages (256 KiB of data each)"
  echo
  echo "| what | median s | peak RSS MiB | runs |"
  echo "| --- | ---: | ---: | ---: |"
  row "packwright repo add --move, 1,000 .rpm (full index, moved into the pool)" repo-pw-rpm-move
  row "packwright repo add, 1,000 .rpm already in its pool (indexed where they lie)" repo-pw-rpm-inpool
  row "createrepo_c --no-database --workers 2, 1,000 .rpm (indexed where they lie)" repo-cr
  row "packwright repo add, 1,000 .rpm (full index, copies into the pool)" repo-pw-rpm
  row "cp into its directory + createrepo_c, 1,000 .rpm" repo-cp-cr
  row "packwright repo add, 1,000 .deb (full index, copies into the pool)" repo-pw-deb
  row "apt-ftparchive packages, 1,000 .deb" repo-ftp
  row "packwright repo add: 1 .rpm to 1,000" repo-add-pw-rpm
  row "packwright repo add: 1 .deb to 1,000" repo-add-pw-deb
  row "packwright repo add: 1 .rpm + 1 .deb to 1,000 + 1,000" repo-add-pw-both
  row "createrepo_c --update: 1 .rpm to 1,000" repo-add-cr
  echo
  echo "Every rpm index above reads packages copied afresh before each run. createrepo_c indexes"
  echo "files where they lie; packwright's like-for-like figures are --move (no data copied) and"
  echo "packages already in its pool. A copy into the write-once pool writes every byte once more:"
  echo "that figure is compared with cp + createrepo_c, which ends in the same state."
  echo
  r5=$(ratio "$(median repo-cr)" "$(median repo-pw-rpm-move)")
  target "full index, createrepo_c / packwright --move" ">= 1.0" "$r5" "$(verdict "$r5" '>=' 1.0)"
  r5b=$(ratio "$(median repo-cr)" "$(median repo-pw-rpm-inpool)")
  target "full index of packages in place, createrepo_c / packwright" ">= 1.0" "$r5b" "$(verdict "$r5b" '>=' 1.0)"
  r5c=$(ratio "$(median repo-cp-cr)" "$(median repo-pw-rpm)")
  target "full index with the copy, (cp + createrepo_c) / packwright" ">= 1.0" "$r5c" "$(verdict "$r5c" '>=' 1.0)"
  r5d=$(ratio "$(median repo-cr)" "$(median repo-pw-rpm)")
  target "full index with the copy, createrepo_c without one / packwright (no target: see above)" "-" "$r5d" "-"
  r6=$(ratio "$(median repo-add-cr)" "$(median repo-add-pw-rpm)")
  target "add 1 to 1,000, createrepo_c --update / packwright" ">= 10" "$r6" "$(verdict "$r6" '>=' 10)"
  # like with like: both add by copying, as repo add does by default
  r7=$(ratio "$(median repo-pw-rpm)" "$(median repo-add-pw-rpm)")
  target "add 1 .rpm to 1,000 against packwright's full rpm index (issue 6)" ">= 10" "$r7" "$(verdict "$r7" '>=' 10)"
  if have repo-add-pw-deb; then
    r8=$(ratio "$(median repo-pw-deb)" "$(median repo-add-pw-deb)")
    target "add 1 .deb to 1,000 against packwright's full deb index (issue 6)" ">= 10" "$r8" "$(verdict "$r8" '>=' 10)"
  fi
fi

if have toml-edit; then
  echo "## packwright-toml: one edit of a $(cat "$R/toml-lines")-line config.toml"
  echo
  ir=$(cat "$R/toml-ir")
  echo "- hyperfine, $(runs toml-edit) runs: median $(median toml-edit) s wall, mean CPU (user+sys) $(cpu_ms toml-edit) ms (process start included)"
  echo "- callgrind: $ir instructions in all (process start included)"
  echo
  c=$(cpu_ms toml-edit)
  target "packwright-toml one edit, CPU ms" "< 5" "$c" "$(awk -v v="$c" 'BEGIN { print v < 5 ? "met" : "**missed**" }')"
fi

echo "## Targets"
echo
echo "| target | wanted | measured | |"
echo "| --- | --- | ---: | --- |"
printf '%s\n' "${targets[@]}"
echo
if [ -f "$here/BOUNDS.md" ]; then
  cat "$here/BOUNDS.md"
fi
