/* The control area of a .deb (deb(5), deb-control(5)): the control stanza in
 * dpkg-gencontrol's field order, Installed-Size, md5sums, conffiles, and the
 * changelog.Debian and copyright texts lintian requires; and reading a stanza back. */
#ifndef PW_CORE_DEB_CONTROL_H
#define PW_CORE_DEB_CONTROL_H

#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "contents.h"
#include "manifest.h"
#include "pkginfo.h"

/* "[EPOCH:]VERSION-RELEASE" */
void pw_deb_version(const struct pw_package *pkg, struct pw_buf *out);
/* The Architecture value: the package's (deb spelling), else the build host's. */
const char *pw_deb_arch(const struct pw_package *pkg);

/* Whether c->files[i] goes into data.tar: not a ghost (rpm only), and not a directory that
 * was only added as the parent of ghosts. */
int pw_deb_ships(const struct pw_contents *c, size_t i);

/* KiB, as dpkg-gencontrol counts a package build tree: each regular file and symlink
 * ceil(size / 1024), every other object (directories, the top directory "./" included) 1.
 * Ghosts are not shipped and not counted; neither is the control area. */
uint64_t pw_deb_installed_size(const struct pw_contents *c);

/* Regular files that dpkg treats as conffiles: every `config`/`config-noreplace` entry, and
 * every other regular file under /etc (as debhelper's dh_installdeb does, so that lintian's
 * file-in-etc-not-marked-as-conffile cannot fire and dpkg keeps an admin's edits). */
int pw_deb_is_conffile(const struct pw_file *f);
void pw_deb_conffiles(const struct pw_contents *c, struct pw_buf *out);
/* "<md5>  <path without the leading slash>" per regular shipped file that is not a conffile
 * (dh_md5sums does the same: dpkg keeps conffile digests itself). Needs the digests. */
void pw_deb_md5sums(const struct pw_contents *c, struct pw_buf *out);

/* The Description value: the summary, then the extended text as continuation lines with
 * " ." for empty lines; leading and trailing empty lines are dropped. */
void pw_deb_description(const char *summary, const char *description, struct pw_buf *out);
/* The whole control file. Section and Priority default to misc and optional. */
void pw_deb_control(const struct pw_package *pkg, uint64_t installed_size, struct pw_buf *out);

/* debian/changelog format from the manifest's changelog (newest first); without one, a
 * single entry for this version dated SOURCE_DATE_EPOCH. */
void pw_deb_changelog(const struct pw_package *pkg, int64_t source_date_epoch, struct pw_buf *out);
/* The copyright file: the manifest's `copyright` file, else a short text naming the
 * vendor (or maintainer) and license. */
int pw_deb_copyright(const struct pw_package *pkg, struct pw_buf *out, struct pw_err *err);

/* Parses a control stanza into info's fields, in order. Continuation lines are joined with
 * "\n" after dropping their one leading space (so a blank description line reads "."). */
int pw_deb_control_parse(const char *text, size_t len, struct pw_pkginfo *info, struct pw_err *err);

#endif
