/* Architecture names: manifest spellings (deb names and uname names) and per-format names. */
#ifndef PW_CORE_ARCH_H
#define PW_CORE_ARCH_H

struct pw_arch {
    const char *deb;   /* amd64 */
    const char *rpm;   /* x86_64 */
    const char *uname; /* x86_64 */
};

/* Accepts amd64, x86_64, arm64, aarch64, all, noarch, ... NULL when unknown. */
const struct pw_arch *pw_arch_lookup(const char *name);
/* The build host's architecture (from uname), or amd64's entry as a fallback. */
const struct pw_arch *pw_arch_host(void);

#endif
