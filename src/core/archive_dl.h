/* libarchive, loaded at run time (dlopen) the first time packwright reads or writes an archive.
 *
 * Linked normally, libarchive and what it pulls in (libxml2, ICU, libstdc++, nettle, acl, lz4)
 * cost every packwright run ~2 ms of dynamic loading, although adding .rpm files to a
 * repository, checking an rpm repository or --version never touch an archive. The modules that
 * use it (archive.c, bundle*.c, mirror_read.c, pkgread_deb.c, rpm_payload.c, untar.c) call
 * pw_archive_dl_load before their first libarchive call and keep using the ordinary archive_*
 * names: archive_dl.c defines the ones packwright uses as hidden forwarders into the loaded
 * library, compiled against <archive.h> and <archive_entry.h>, so every call is still checked
 * against libarchive's own prototypes. Only libarchive.so.13 (libarchive 3, Debian's
 * libarchive13, Fedora's libarchive) is tried; packaging declares it (debian/control, the spec). */
#ifndef PW_CORE_ARCHIVE_DL_H
#define PW_CORE_ARCHIVE_DL_H

#include "../base/err.h"

/* Loads libarchive.so.13 once per process (thread-safe; later calls repeat the first answer).
 * 0, or PW_E_FAIL with "cannot load libarchive.so.13: CAUSE; install libarchive13". The
 * forwarders that create an object (archive_read_new, archive_entry_new, ...) load it too and
 * answer NULL when it cannot be loaded, so a missed call costs the message, not a crash. */
int pw_archive_dl_load(struct pw_err *err);

/* Whether SONAME opens and has every libarchive function packwright uses; closes it again.
 * The same check as pw_archive_dl_load, for tests of its messages. */
int pw_archive_dl_probe(const char *soname, struct pw_err *err);

#endif
