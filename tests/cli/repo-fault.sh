#!/usr/bin/env bash
# Fault injection: `repo add` is killed with SIGKILL at 20 random points of its run. Each
# time the repository must be one that repo check, apt and dnf accept, holding for each family
# either the packages before the add or the packages after it, never a mix; a later add
# cleans up after the killed one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-repo.sh"
repo_key
ROUNDS=${PW_FAULT_ROUNDS:-20}

# one rpmbuild for all rpms (subpackages), a handful of dpkg-deb calls for the debs
top=$T/build/rpm-fault
mkdir -p "$top/SPECS"
{
  printf 'Name: pw-f0\nVersion: 1.0\nRelease: 1\nSummary: fault test\nLicense: MIT\n'
  printf 'BuildArch: noarch\nAutoReqProv: no\n%%description\nfault test\n'
  for i in $(seq 1 "$ROUNDS"); do
    printf '%%package -n pw-f%d\nSummary: fault test %d\n%%description -n pw-f%d\nround %d\n' \
      "$i" "$i" "$i" "$i"
  done
  printf '%%install\n'
  for i in $(seq 0 "$ROUNDS"); do
    printf 'mkdir -p %%{buildroot}/usr/share/pw-f%d && echo %d > %%{buildroot}/usr/share/pw-f%d/n\n' \
      "$i" "$i" "$i"
  done
  printf '%%files\n/usr/share/pw-f0\n'
  for i in $(seq 1 "$ROUNDS"); do printf '%%files -n pw-f%d\n/usr/share/pw-f%d\n' "$i" "$i"; done
} >"$top/SPECS/fault.spec"
rpmbuild --define "_topdir $top" -bb "$top/SPECS/fault.spec" >"$top/log" 2>&1 || fatal "rpmbuild"
rpmsign --addsign --define "_gpg_name $KEY" --define "__gpg $(command -v gpg)" \
  "$top"/RPMS/noarch/*.rpm >/dev/null 2>&1 || fatal "rpmsign"
for i in $(seq 0 "$ROUNDS"); do mk_deb "pw-f$i" 1.0-1 all; done
deb() { echo "$T/in/pw-f${1}_1.0-1_all.deb"; }
rpmf() { echo "$top/RPMS/noarch/pw-f$1-1.0-1.noarch.rpm"; }

R=$T/repo
expect_exit 0 "initial publish" "$PACKWRIGHT" repo add --sign-key "$KEY" "$R" "$(deb 0)" "$(rpmf 0)"
repo_serve "$R"
apt_setup "$URL"
dnf_setup "$URL"

deb_names() { sed -n 's/^Package: //p' "$R/deb/dists/stable/main/binary-amd64/Packages" | sort | tr '\n' ' '; }
rpm_names() {
  zcat "$R/rpm/$(sed -n 's/.*href="\(repodata\/[^"]*-primary[^"]*\)".*/\1/p' "$R/rpm/repodata/repomd.xml")" |
    sed -n 's/.*<name>\(.*\)<\/name>.*/\1/p' | sort | tr '\n' ' '
}
names_plus() { { printf '%s\n' $1; echo "$2"; } | sort -u | tr '\n' ' '; }

# how long an undisturbed add takes, to spread the kill points over it
start=$(date +%s%N)
"$PACKWRIGHT" repo add "$R" "$(deb 1)" "$(rpmf 1)" 2>/dev/null || fatal "timing run failed"
span_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# an add takes ${span_ms} ms"
first=2
bad=0
for i in $(seq "$first" "$ROUNDS"); do
  old_deb=$(deb_names)
  old_rpm=$(rpm_names)
  delay_ms=$(( RANDOM % (span_ms + span_ms / 5 + 1) ))
  "$PACKWRIGHT" repo add "$R" "$(deb "$i")" "$(rpmf "$i")" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '0.%03d' "$delay_ms")"
  [ "$delay_ms" -lt 1000 ] || sleep $(( delay_ms / 1000 ))
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  round="round $i (killed after ${delay_ms} ms)"
  run "$PACKWRIGHT" repo check "$R"
  [ "$rc" -eq 0 ] || { bad=1; not_ok "$round: repo check"; sed 's/^/#   /' "$T/stderr"; continue; }
  new_deb=$(deb_names)
  new_rpm=$(rpm_names)
  if [ "$new_deb" != "$old_deb" ] && [ "$new_deb" != "$(names_plus "$old_deb" "pw-f$i")" ]; then
    bad=1; not_ok "$round: apt index is neither old nor new: $new_deb"
  fi
  if [ "$new_rpm" != "$old_rpm" ] && [ "$new_rpm" != "$(names_plus "$old_rpm" "pw-f$i")" ]; then
    bad=1; not_ok "$round: rpm index is neither old nor new: $new_rpm"
  fi
  run apt_run apt-get update
  if [ "$rc" -ne 0 ] || ! no_warnings "$T/stdout" "$T/stderr"; then
    bad=1; not_ok "$round: apt-get update"; sed 's/^/#   /' "$T/stdout" "$T/stderr"
  fi
  run apt_run apt-cache show "pw-f$i"
  if { [ "$rc" -eq 0 ] && [[ " $new_deb " != *" pw-f$i "* ]]; } ||
     { [ "$rc" -ne 0 ] && [[ " $new_deb " == *" pw-f$i "* ]]; }; then
    bad=1; not_ok "$round: apt's view differs from the index"
  fi
  run dnf_run --refresh makecache
  if [ "$rc" -ne 0 ] || ! no_warnings "$T/stdout" "$T/stderr"; then
    bad=1; not_ok "$round: dnf makecache"; sed 's/^/#   /' "$T/stdout" "$T/stderr"
  fi
  echo "# $round: apt $( [ "$new_deb" = "$old_deb" ] && echo old || echo new), rpm $( [ "$new_rpm" = "$old_rpm" ] && echo old || echo new)"
done
check "every killed add left a repository that repo check, apt and dnf accept" test "$bad" -eq 0

# a normal add afterwards publishes everything and clears what the killed ones left behind
all_debs=() all_rpms=()
for i in $(seq 0 "$ROUNDS"); do all_debs+=("$(deb "$i")"); all_rpms+=("$(rpmf "$i")"); done
expect_exit 0 "a later add completes" "$PACKWRIGHT" repo add "$R" "${all_debs[@]}" "${all_rpms[@]}"
expect_exit 0 "and the repository checks out" "$PACKWRIGHT" repo check "$R"
check "every deb is published" test "$(deb_names | wc -w)" -eq $((ROUNDS + 1))
check "every rpm is published" test "$(rpm_names | wc -w)" -eq $((ROUNDS + 1))
for f in deb rpm; do
  live=$(readlink "$R/$f/$( [ $f = deb ] && echo dists || echo repodata)" | cut -d/ -f2)
  check "no staged $f generation beyond the live one" test "$(ls "$R/$f/.gen" | sort -n | tail -1)" = "$live"
done
check "no temporary files left" test -z "$(ls -A "$R/.packwright/tmp")"
run dnf_run --refresh install "pw-f$ROUNDS"
check "dnf installs from it" test "$rc" -eq 0 -a -f "$D/root/usr/share/pw-f$ROUNDS/n"
pw_done
