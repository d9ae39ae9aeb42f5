#!/usr/bin/env bash
# The publish lock: a second publisher fails clearly (status 7) or waits, and publishers
# running at the same time never corrupt the repository or lose a package.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-repo.sh"
repo_key
mk_deb pw-base 1.0-1 all
for i in 1 2 3 4 5 6; do mk_deb pw-con$i 1.0-1 amd64; done
R=$T/repo
expect_exit 0 "first publish" "$PACKWRIGHT" repo add --sign-key "$KEY" "$R" "$T/in/pw-base_1.0-1_all.deb"

flock "$R/.packwright/lock" sleep 3 &
holder=$!
sleep 0.3
expect_exit 7 "a second publisher fails at once with --lock-timeout 0" \
  "$PACKWRIGHT" repo add --lock-timeout 0 "$R" "$T/in/pw-con1_1.0-1_amd64.deb"
expect_stderr "is locked by another publisher" "the message says so"
check "nothing changed" test "$(readlink "$R/deb/dists")" = .gen/1/dists
start=$(date +%s)
expect_exit 0 "with a timeout it waits for the lock" \
  "$PACKWRIGHT" repo add --lock-timeout 30 "$R" "$T/in/pw-con1_1.0-1_amd64.deb"
expect_stderr "waiting for the publish lock" "and says it waits"
check "it waited for the holder" test $(( $(date +%s) - start )) -ge 1
wait "$holder"

# six publishers at once, each adding its own package
pids=()
for i in 2 3 4 5 6; do
  "$PACKWRIGHT" repo add "$R" "$T/in/pw-con${i}_1.0-1_amd64.deb" >"$T/con$i.out" 2>&1 &
  pids+=($!)
done
"$PACKWRIGHT" repo add "$R" >"$T/con-refresh.out" 2>&1 &
pids+=($!)
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
expect_eq "$failed" 0 "every concurrent publisher succeeded"
for i in 1 2 3 4 5 6; do
  check "pw-con$i is published" grep -q "^Package: pw-con$i\$" "$R/deb/dists/stable/main/binary-amd64/Packages"
done
expect_exit 0 "the repository checks out" "$PACKWRIGHT" repo check "$R"
check "one generation per publish" test "$(readlink "$R/deb/dists")" = .gen/8/dists
check "no stale staging left" test "$(ls "$R/deb/.gen" | sort -n | tail -1)" = 8
pw_done
