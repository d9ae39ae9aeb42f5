/* Shared libraries opened at run time (dlopen), for the modules that load their third-party
 * library on first use instead of linking it (curl_dl.c, archive_dl.c): one error format,
 * "cannot load SONAME: CAUSE; install PACKAGE", for a missing library and a missing function. */
#ifndef PW_CORE_DL_H
#define PW_CORE_DL_H

#include <stddef.h>

#include "../base/err.h"

struct pw_dl {
    void *handle;
    const char *soname;  /* as passed to pw_dl_open */
    const char *package; /* the distribution package that provides it, for messages */
};

/* Opens SONAME (RTLD_NOW | RTLD_LOCAL). 0, or PW_E_FAIL with handle NULL. */
int pw_dl_open(struct pw_dl *dl, const char *soname, const char *package, struct pw_err *err);
/* Stores the address of function NAME into *slot, a function pointer of the caller's type
 * (POSIX lets object and function pointers convert). 0, or PW_E_FAIL naming the function. */
int pw_dl_sym(struct pw_dl *dl, const char *name, void *slot, struct pw_err *err);
/* Closes the library again (probes, failed loads); harmless after a failed open. */
void pw_dl_close(struct pw_dl *dl);

/* One function of a module's table of function pointers: its name and its member's offset. */
struct pw_dl_fn {
    const char *name;
    size_t offset;
};
/* Opens SONAME and stores the address of each of the n functions into api + offset. 0, or
 * -PW_E_FAIL with the library closed again. */
int pw_dl_load(struct pw_dl *dl, const char *soname, const char *package,
               const struct pw_dl_fn *fns, size_t n, void *api, struct pw_err *err);
/* The same, then closes it: whether SONAME would load (scratch: room for the table). */
int pw_dl_probe(const char *soname, const char *package, const struct pw_dl_fn *fns, size_t n,
                void *scratch, struct pw_err *err);

#endif
