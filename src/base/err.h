/* Error carrier shared by every layer: functions below src/cli return 0 or a negative
 * PW_E_* code and fill a caller-owned struct pw_err with one complete sentence. */
#ifndef PW_BASE_ERR_H
#define PW_BASE_ERR_H

#include <stddef.h>

/* X(NAME, exit status, short description). The exit status is what the CLI returns when an
 * error of this class reaches it; doc/exit-codes.md lists the statuses and a test keeps the two
 * in sync. Append only: the numeric order is not part of any contract, the exit statuses are. */
#define PW_ERROR_LIST(X)                                                                         \
    X(FAIL, 1, "failure")                                                                        \
    X(IO, 1, "input/output error")                                                               \
    X(FORMAT, 1, "malformed package or archive")                                                 \
    X(UNSUPPORTED, 1, "unsupported operation")                                                   \
    X(EXISTS, 1, "conflicting existing data")                                                    \
    X(USAGE, 2, "usage error")                                                                   \
    X(MANIFEST, 3, "invalid manifest")                                                           \
    X(TOML, 3, "invalid TOML")                                                                   \
    X(CHECKSUM, 4, "checksum mismatch")                                                          \
    X(NETWORK, 5, "download failed")                                                             \
    X(OFFLINE, 5, "not available offline")                                                       \
    X(SIGNATURE, 6, "signature verification failed")                                             \
    X(LOCKED, 7, "locked by another process")

enum pw_error_code {
    PW_E_OK = 0,
#define PW_ERR_ENUM(name, status, text) PW_E_##name,
    PW_ERROR_LIST(PW_ERR_ENUM)
#undef PW_ERR_ENUM
        PW_E_COUNT
};

#define PW_ERR_MSG_MAX 2048

struct pw_err {
    int code;                  /* enum pw_error_code, 0 when no error was recorded */
    char msg[PW_ERR_MSG_MAX];  /* one sentence, lowercase, no trailing full stop */
};

#if defined(__GNUC__)
#define PW_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PW_PRINTF(a, b)
#endif

void pw_err_init(struct pw_err *err);
/* Records an error and returns -code, so callers can write `return pw_err_set(...)`. */
int pw_err_set(struct pw_err *err, int code, const char *fmt, ...) PW_PRINTF(3, 4);
/* Like pw_err_set, appending ": strerror(errnum)". */
int pw_err_errno(struct pw_err *err, int code, int errnum, const char *fmt, ...) PW_PRINTF(4, 5);
/* Prepends context ("building 'x' (deb): ") to the recorded message; returns -code. */
int pw_err_prefix(struct pw_err *err, const char *fmt, ...) PW_PRINTF(2, 3);

const char *pw_err_name(int code);
const char *pw_err_text(int code);
int pw_err_exit_status(int code);

/* Allocation failure is not recoverable for a command-line tool: these abort with a message. */
void *pw_xmalloc(size_t n);
void *pw_xcalloc(size_t n, size_t size);
void *pw_xrealloc(void *p, size_t n);
char *pw_xstrdup(const char *s);
char *pw_xstrndup(const char *s, size_t n);

#endif
