#!/usr/bin/env bash
# libarchive is loaded with dlopen on first use (src/core/archive_dl.c), not linked: the binary
# does not name it, --version, repo add of an .rpm and repo check of an rpm repository never
# load it, and building a .deb loads it and writes a package dpkg-deb reads.
. "$(dirname "$0")/lib.sh"

needed=$(readelf -d "$PACKWRIGHT" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | xargs)
case " $needed " in
  *libarchive*) not_ok "packwright links libarchive at start-up: $needed" ;;
  *) ok "packwright does not link libarchive ($needed)" ;;
esac

# loads CMD...: runs CMD with the dynamic linker's file log; $rc as run sets it, and whether
# libarchive.so.13 was opened in $loaded ("yes" or "no").
loads() {
  rm -f "$T"/ld.*
  LD_DEBUG=files LD_DEBUG_OUTPUT=$T/ld run "$@"
  loaded=$(cat "$T"/ld.* 2>/dev/null | grep -q 'file=libarchive\.so\.13 ' && echo yes || echo no)
}

loads "$PACKWRIGHT" --version
expect_eq "$rc $loaded" "0 no" "--version does not load libarchive"

fixture=$PW_SOURCE_DIR/tests/fixtures/full
loads "$PACKWRIGHT" build -f deb -o "$T/deb" "$fixture"
expect_eq "$rc $loaded" "0 yes" "building a .deb loads libarchive"
check "dpkg-deb reads the .deb written through it" sh -c "dpkg-deb --info $T/deb/*.deb >/dev/null"
expect_exit 0 "build the .rpm" "$PACKWRIGHT" build -f rpm -o "$T/rpm" "$fixture"

loads "$PACKWRIGHT" repo add "$T/repo" "$T"/rpm/*.rpm
expect_eq "$rc $loaded" "0 no" "repo add of an .rpm does not load libarchive"
loads "$PACKWRIGHT" repo check --allow-unsigned "$T/repo"
expect_eq "$rc $loaded" "0 no" "repo check of an rpm repository does not load libarchive"
loads "$PACKWRIGHT" repo add "$T/repo" "$T"/deb/*.deb
expect_eq "$rc $loaded" "0 yes" "repo add of a .deb loads it to read the control member"
pw_done
