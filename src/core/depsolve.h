/* Choosing packages from an upstream index: filters (name patterns, architectures, latest N
 * versions) and the dependency closure inside the mirrored repository.
 * apt: Pre-Depends and Depends with alternatives, versions, and virtual packages through
 * Provides (an unversioned Provides satisfies only unversioned dependencies, as in apt).
 * rpm: requires against provides (every package provides its own name = EVR) and against
 * the files primary.xml lists. What cannot be satisfied is reported, never guessed. */
#ifndef PW_CORE_DEPSOLVE_H
#define PW_CORE_DEPSOLVE_H

#include <stddef.h>

#include "../base/err.h"
#include "../base/strvec.h"
#include "upstream.h"

struct pw_depsolve_filter {
    const struct pw_strvec *include; /* fnmatch(3) patterns on the name; NULL or empty: all */
    const struct pw_strvec *archs;   /* architectures to keep besides all/noarch; NULL: all */
    unsigned latest;                 /* keep the N newest versions per name and arch; 0: all */
};

/* Version ordering of the family (dpkg's, or rpm's EVR): <0, 0, >0. */
int pw_depsolve_compare(enum pw_family fam, const char *a, const char *b);
/* Whether version v satisfies "op want". */
int pw_depsolve_version_matches(enum pw_family fam, const char *v, enum pw_dep_op op,
                                const char *want);
/* 1 for "all" (deb) and "noarch" (rpm). */
int pw_depsolve_arch_is_all(enum pw_family fam, const char *arch);

/* Marks in selected[] (u->n flags, cleared first) the packages the filter keeps. */
void pw_depsolve_filter(const struct pw_upkgs *u, enum pw_family fam,
                        const struct pw_depsolve_filter *f, unsigned char *selected);
/* Adds to selected[] what the selected packages need, transitively. Each dependency that no
 * package of u satisfies is appended to problems as "NAME VERSION ARCH: needs 'REL'".
 * Returns the number of packages added. */
size_t pw_depsolve_closure(const struct pw_upkgs *u, enum pw_family fam, unsigned char *selected,
                           struct pw_strvec *problems);

#endif
