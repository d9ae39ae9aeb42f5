/* A NULL-terminated vector of owned strings (argument lists, dependency lists). */
#ifndef PW_BASE_STRVEC_H
#define PW_BASE_STRVEC_H

#include <stddef.h>

struct pw_strvec {
    char **v; /* NULL-terminated once anything was pushed; NULL when empty */
    size_t n;
    size_t cap;
};

#define PW_STRVEC_INIT {NULL, 0, 0}

void pw_strvec_init(struct pw_strvec *sv);
void pw_strvec_release(struct pw_strvec *sv);
void pw_strvec_push(struct pw_strvec *sv, const char *s);
void pw_strvec_push_owned(struct pw_strvec *sv, char *s);
void pw_strvec_copy(struct pw_strvec *dst, const struct pw_strvec *src);
void pw_strvec_sort(struct pw_strvec *sv);
int pw_strvec_contains(const struct pw_strvec *sv, const char *s);

#endif
