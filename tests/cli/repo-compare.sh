#!/usr/bin/env bash
# Field-by-field comparison of packwright's indices with the reference tools, on packages
# that exercise the awkward corners (epochs, pre-requires, rich and weak dependencies, file
# requires, ghosts, long changelogs with equal dates, markup characters, a source rpm):
#   Packages  == apt-ftparchive packages (every stanza byte for byte, field order included)
#   Packages  >= dpkg-scanpackages -m     (same values; it writes no SHA512)
#   Release   hash lists == apt-ftparchive release
#   primary, filelists, other == createrepo_c (every element and attribute, per pkgid)
# Documented differences (doc/repositories.md) are the only ones allowed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-repo.sh"
mk_deb pw-app 2:1.2.3-4 amd64 'Source: pw-app-src (2:1.2.3-4)' 'Pre-Depends: dpkg (>= 1.17)' \
  'Depends: libpw1 (>= 1.0) | pw-alt, pw-data (= 2:1.2.3-4)' 'Recommends: pw-extra' \
  'Conflicts: pw-old (<< 1.0)' 'Breaks: pw-older' 'Replaces: pw-old' 'Provides: pw-virtual' \
  'Multi-Arch: foreign' 'Homepage: https://example.invalid/pw-app' 'Built-Using: gcc (= 12.2.0)' \
  'X-Custom-Field: kept & <escaped>'
mk_deb libpw1 1.0-1 arm64 'Source: libpw' 'Multi-Arch: same'
mk_deb pw-data 2:1.2.3-4 all 'Source: pw-app-src' 'Essential: no'

top=$T/build/rpm-suite
mkdir -p "$top/SPECS" "$top/SOURCES"
{
  cat <<'SPEC'
Name: pw-suite
Epoch: 3
Version: 2.0
Release: 5%{?dist}
Summary: Suite & <friends> "quoted" – ünïcode
License: MIT and (ASL 2.0 or BSD)
URL: https://example.invalid/suite
Vendor: Packwright Tests
Packager: Tester <tests@example.invalid>
Group: Development/Tools
BuildArch: noarch
Provides: pw-suite-virtual = 3:2.0
Provides: /usr/bin/pw-suite-alias
Requires: /bin/sh
Requires: /usr/bin/pw-suite
Requires(pre): shadow-utils
Requires(post): coreutils >= 8.0
Requires: libc.so.6()(64bit)
Requires: libc.so.6(GLIBC_2.3)(64bit)
Requires: libc.so.6(GLIBC_2.17)(64bit)
Requires: libc.so.6(GLIBC_2.4)(64bit)
Requires: (pw-a or pw-b)
Requires: pw-suite-virtual = 3:2.0
Requires: bash >= 4.0
Requires: bash >= 4.0
Conflicts: pw-legacy < 1.0-1
Obsoletes: pw-ancient <= 0.9
Suggests: pw-docs
Enhances: pw-other
Recommends: pw-helper > 1
Supplements: (pw-x and pw-y)

%description
The suite package of the repository comparison.
It has < & > characters and a
blank line:

and a tab	here.

%package -n pw-suite-tools
Summary: Tools subpackage
Requires: pw-suite = %{epoch}:%{version}-%{release}
%description -n pw-suite-tools
Tools.

%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/etc/pw-suite/conf.d %{buildroot}/usr/share/pw-suite \
  %{buildroot}/usr/libexec/pw-suite/sbin %{buildroot}/var/lib/pw-suite
printf '#!/bin/sh\n' > %{buildroot}/usr/bin/pw-suite
printf '#!/bin/sh\n' > %{buildroot}/usr/bin/pw-suite-tool
echo x > %{buildroot}/etc/pw-suite/main.conf
echo y > %{buildroot}/usr/share/pw-suite/data
echo z > %{buildroot}/usr/libexec/pw-suite/sbin/helper
ln -s pw-suite %{buildroot}/usr/bin/pw-suite-alias

%pre
true
%post
true

%files
%attr(0755,root,root) /usr/bin/pw-suite
/usr/bin/pw-suite-alias
%dir /etc/pw-suite
%dir /etc/pw-suite/conf.d
%config(noreplace) /etc/pw-suite/main.conf
/usr/share/pw-suite
/usr/libexec/pw-suite
%dir /var/lib/pw-suite
%ghost /var/lib/pw-suite/state
%ghost /etc/pw-suite/generated.conf

%files -n pw-suite-tools
%attr(0755,root,root) /usr/bin/pw-suite-tool

%changelog
SPEC
  # twelve entries (createrepo_c keeps ten), three of them on the same day
  for i in 12 11 10 9 8 7 6 5 4 3 2 1; do
    day=$(( i > 3 ? i : 3 ))
    printf '* %s Tester <tests@example.invalid>   - 2.0-%d\n- change %d & <more>\n' \
      "$(LC_ALL=C date -u -d "2024-01-$(printf %02d "$day")" '+%a %b %d %Y')" "$i" "$i"
  done
} >"$top/SPECS/pw-suite.spec"
rpmbuild --define "_topdir $top" --define "_buildhost pw-tests" -ba "$top/SPECS/pw-suite.spec" \
  >"$top/log" 2>&1 || { cat "$top/log"; fatal "rpmbuild failed"; }
cp "$top"/RPMS/noarch/*.rpm "$top"/SRPMS/*.src.rpm "$T/in/"
mk_rpm pw-plain 1.0 1 x86_64
# and what packwright itself builds
"$PACKWRIGHT" build -o "$T/in" "$PW_SOURCE_DIR/tests/fixtures/repo/pw-repo-lib" \
  "$PW_SOURCE_DIR/tests/fixtures/repo/pw-repo-app" >/dev/null 2>&1 || fatal "packwright build failed"

R=$T/repo
expect_exit 0 "publish" "$PACKWRIGHT" repo add "$R" "$T"/in/*.deb "$T"/in/*.rpm
expect_exit 0 "repo check (unsigned allowed)" "$PACKWRIGHT" repo check --allow-unsigned "$R"

# --- apt -------------------------------------------------------------------------------
(cd "$R/deb" && apt-ftparchive packages pool >"$T/ftparchive.Packages" 2>"$T/ftparchive.err")
(cd "$R/deb" && dpkg-scanpackages -m pool >"$T/scanpackages.Packages" 2>/dev/null)
mkdir -p "$T/rel"
cp -rL "$R/deb/dists/stable" "$T/rel/"
rm -f "$T/rel/stable/Release" "$T/rel/stable/InRelease" "$T/rel/stable/Release.gpg"
(cd "$T/rel/stable" && apt-ftparchive release . >"$T/ftparchive.Release")

cat >"$T/compare_apt.py" <<'PY'
import glob, sys
repo, ftp, scan, ftprel = sys.argv[1:5]

def stanzas(text):
    return [s for s in text.split('\n\n') if s.strip()]

def fields(stanza):
    out, key = [], None
    for line in stanza.split('\n'):
        if line[:1] in (' ', '\t'):
            out[-1][1] += '\n' + line
        elif line:
            k, _, v = line.partition(':')
            out.append([k, v.strip()])
    return out

def by_filename(stz):
    return {dict(fields(s))['Filename']: s.strip() for s in stz}

ours = {}
for p in glob.glob(repo + '/deb/dists/stable/main/binary-*/Packages'):
    ours.update(by_filename(stanzas(open(p).read())))
problems = []
ref = by_filename(stanzas(open(ftp).read()))
if set(ours) != set(ref):
    problems.append('apt-ftparchive lists %s, we list %s' % (sorted(ref), sorted(ours)))
for f in ref:
    if f in ours and ours[f] != ref[f]:
        problems.append('stanza of %s differs from apt-ftparchive:\n%s\n---\n%s' % (f, ours[f], ref[f]))
# dpkg-scanpackages: same values for every field it writes; it writes no SHA512
for f, s in by_filename(stanzas(open(scan).read())).items():
    mine = dict(fields(ours.get(f, '')))
    for k, v in fields(s):
        if mine.get(k) != v:
            problems.append('%s: %s is %r, dpkg-scanpackages says %r' % (f, k, mine.get(k), v))

def hash_lists(text):
    lists, cur = {}, None
    for line in text.split('\n'):
        if line and not line.startswith(' '):
            k = line.split(':')[0]
            cur = lists.setdefault(k, {}) if k in ('MD5Sum', 'SHA1', 'SHA256', 'SHA512') else None
        elif cur is not None and line.strip():
            h, size, path = line.split()
            cur[path] = (h, int(size))
    return lists
mine = hash_lists(open(repo + '/deb/dists/stable/Release').read())
theirs = hash_lists(open(ftprel).read())
for algo in ('SHA256', 'SHA512'):
    if mine.get(algo) != theirs.get(algo):
        problems.append('Release %s list differs from apt-ftparchive:\n%r\n%r' % (algo, mine.get(algo), theirs.get(algo)))
print('\n'.join(problems))
sys.exit(1 if problems else 0)
PY
run python3 "$T/compare_apt.py" "$R" "$T/ftparchive.Packages" "$T/scanpackages.Packages" "$T/ftparchive.Release"
check "Packages and Release agree with apt-ftparchive and dpkg-scanpackages" test "$rc" -eq 0
[ "$rc" -eq 0 ] || cat "$T/stdout"
check "apt-ftparchive saw every package" test "$(grep -c '^Package:' "$T/ftparchive.Packages")" -eq 5

# --- rpm-md ------------------------------------------------------------------------------
mkdir -p "$T/cr"
createrepo_c --no-database --outputdir "$T/cr" "$R/rpm" >"$T/createrepo.log" 2>&1 || cat "$T/createrepo.log"
check "createrepo_c indexed the same pool" test -f "$T/cr/repodata/repomd.xml"
cat >"$T/compare_rpm.py" <<'PY'
import gzip, sys, xml.etree.ElementTree as ET
ours, theirs = sys.argv[1:3]
R = '{http://linux.duke.edu/metadata/repo}'

def repomd(d):
    return ET.parse(d + '/repodata/repomd.xml').getroot()

def doc(d, kind):
    for data in repomd(d).findall(R + 'data'):
        if data.get('type') == kind:
            return ET.fromstring(gzip.open(d + '/' + data.find(R + 'location').get('href')).read())

def canon(e):
    return (e.tag, sorted(e.attrib.items()), (e.text or '').strip(), [canon(c) for c in e])

def pkgid(p):
    for c in p:
        if c.tag.endswith('checksum'):
            return c.text
    return p.get('pkgid')

problems = []
for kind in ('primary', 'filelists', 'other'):
    a, b = doc(ours, kind), doc(theirs, kind)
    if a.get('packages') != b.get('packages'):
        problems.append('%s: packages=%s, createrepo_c %s' % (kind, a.get('packages'), b.get('packages')))
    pa = {pkgid(p): canon(p) for p in a}
    pb = {pkgid(p): canon(p) for p in b}
    if set(pa) != set(pb):
        problems.append('%s: different package sets' % kind)
    for k in pb:
        if k in pa and pa[k] != pb[k]:
            problems.append('%s: package %s differs:\n%r\n%r' % (kind, k, pa[k], pb[k]))
# repomd.xml: the same data types with the same fields (values differ: times, our gzip)
def shape(d):
    return {x.get('type'): sorted(c.tag for c in x) for x in repomd(d).findall(R + 'data')}
sa, sb = shape(ours), shape(theirs)
for t in ('primary', 'filelists', 'other'):
    if sa.get(t) != sb.get(t):
        problems.append('repomd.xml %s: %r, createrepo_c %r' % (t, sa.get(t), sb.get(t)))
print('\n'.join(problems))
sys.exit(1 if problems else 0)
PY
run python3 "$T/compare_rpm.py" "$R/rpm" "$T/cr"
check "primary, filelists, other and repomd.xml agree with createrepo_c" test "$rc" -eq 0
[ "$rc" -eq 0 ] || head -c 3000 "$T/stdout"
check "the source rpm is indexed as arch src" \
  sh -c "zcat '$R/rpm/'\$(sed -n 's/.*href=\"\\(repodata\\/[^\"]*-primary[^\"]*\\)\".*/\\1/p' '$R/rpm/repodata/repomd.xml') | grep -q '<arch>src</arch>'"
pw_done
