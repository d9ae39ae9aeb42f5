/* A minimal TAP producer for unit tests: ok/not ok lines, a plan at the end, exit status. */
#ifndef PW_TESTS_TAP_H
#define PW_TESTS_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

#define TAP_OK(cond, ...)                                                                      \
    do {                                                                                       \
        tap_count++;                                                                           \
        if (cond) {                                                                            \
            printf("ok %d - ", tap_count);                                                     \
        } else {                                                                               \
            tap_failed++;                                                                      \
            printf("not ok %d - ", tap_count);                                                 \
        }                                                                                      \
        printf(__VA_ARGS__);                                                                   \
        printf("\n");                                                                          \
        if (!(cond))                                                                           \
            printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);                   \
    } while (0)

#define TAP_STR_EQ(got, want, ...)                                                             \
    do {                                                                                       \
        const char *tap_g = (got), *tap_w = (want);                                            \
        int tap_eq = tap_g && tap_w && !strcmp(tap_g, tap_w);                                  \
        TAP_OK(tap_eq, __VA_ARGS__);                                                           \
        if (!tap_eq)                                                                           \
            printf("#   got:  '%s'\n#   want: '%s'\n", tap_g ? tap_g : "(null)",              \
                   tap_w ? tap_w : "(null)");                                                  \
    } while (0)

#define TAP_INT_EQ(got, want, ...)                                                             \
    do {                                                                                       \
        long long tap_g = (long long)(got), tap_w = (long long)(want);                         \
        TAP_OK(tap_g == tap_w, __VA_ARGS__);                                                   \
        if (tap_g != tap_w)                                                                    \
            printf("#   got:  %lld\n#   want: %lld\n", tap_g, tap_w);                          \
    } while (0)

/* Prints the plan and the closing line ctest logs show; returns the exit status. */
static inline int tap_done(void)
{
    printf("1..%d\n", tap_count);
    printf("%d passed, %d failed\n", tap_count - tap_failed, tap_failed);
    return tap_failed ? 1 : 0;
}

#endif
