/* Reading an .rpm back into the common inspect model (pkginfo.h) with librpm: the lead and
 * signature header are checked and skipped by hand, the main header is imported by librpm,
 * and the file list comes from librpm's rpmfiles. The payload is not read. */
#ifndef PW_CORE_RPM_READ_H
#define PW_CORE_RPM_READ_H

#include "../base/err.h"
#include "pkginfo.h"

int pw_rpm_read_file(const char *path, struct pw_pkginfo *info, struct pw_err *err);

#endif
