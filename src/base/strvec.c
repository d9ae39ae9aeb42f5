#include "strvec.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

void pw_strvec_init(struct pw_strvec *sv)
{
    sv->v = NULL;
    sv->n = 0;
    sv->cap = 0;
}

void pw_strvec_release(struct pw_strvec *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    pw_strvec_init(sv);
}

void pw_strvec_push_owned(struct pw_strvec *sv, char *s)
{
    if (sv->n + 2 > sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 8;
        sv->v = pw_xrealloc(sv->v, sv->cap * sizeof(*sv->v));
    }
    sv->v[sv->n++] = s;
    sv->v[sv->n] = NULL;
}

void pw_strvec_push(struct pw_strvec *sv, const char *s)
{
    pw_strvec_push_owned(sv, pw_xstrdup(s));
}

void pw_strvec_copy(struct pw_strvec *dst, const struct pw_strvec *src)
{
    for (size_t i = 0; i < src->n; i++)
        pw_strvec_push(dst, src->v[i]);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void pw_strvec_sort(struct pw_strvec *sv)
{
    if (sv->n > 1)
        qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
}

int pw_strvec_contains(const struct pw_strvec *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++)
        if (!strcmp(sv->v[i], s))
            return 1;
    return 0;
}
