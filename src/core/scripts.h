/* Maintainer-script wrappers, written once for both formats: each author script receives
 * PACKWRIGHT_ACTION = install | upgrade | remove | purge | abort-install | abort-upgrade |
 * abort-remove, derived from dpkg's verbs or rpm's counts, besides the native arguments.
 * rpm has no purge: on a final erase ($1 = 0) the postrm wrapper runs the author's postrm
 * with remove and then with purge, as `dpkg -P` does. */
#ifndef PW_CORE_SCRIPTS_H
#define PW_CORE_SCRIPTS_H

#include "../base/buf.h"
#include "manifest.h"

/* The complete script to ship as a deb control member (kind: preinst..postrm). */
void pw_scripts_wrap_deb(const struct pw_package *pkg, enum pw_script_kind kind,
                         struct pw_buf *out);
/* The scriptlet body for rpm (kind: any), interpreter /bin/sh. */
void pw_scripts_wrap_rpm(const struct pw_package *pkg, enum pw_script_kind kind,
                         struct pw_buf *out);

#endif
