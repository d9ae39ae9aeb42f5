/* libcurl through dlopen: one table of the functions packwright uses, resolved once, and
 * forwarders under libcurl's own names for fetch.c and fetch_multi.c (see curl_dl.h). */
#define CURL_DISABLE_TYPECHECK /* this file defines curl_easy_setopt and curl_easy_getinfo */
#include "curl_dl.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>

#include "dl.h"

#define CURL_SONAME "libcurl.so.4"
#define CURL_PACKAGE "libcurl4"

/* Every libcurl function packwright calls; a new call in the fetch module needs a line here
 * and a forwarder below. */
#define CURL_FUNCTIONS(X)                                                                          \
    X(curl_global_init)                                                                            \
    X(curl_easy_init)                                                                              \
    X(curl_easy_cleanup)                                                                           \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_perform)                                                                           \
    X(curl_easy_strerror)                                                                          \
    X(curl_multi_init)                                                                             \
    X(curl_multi_cleanup)                                                                          \
    X(curl_multi_add_handle)                                                                       \
    X(curl_multi_remove_handle)                                                                    \
    X(curl_multi_perform)                                                                          \
    X(curl_multi_poll)                                                                             \
    X(curl_multi_info_read)

struct curl_api {
#define CURL_MEMBER(name) __typeof__(name) *name;
    CURL_FUNCTIONS(CURL_MEMBER)
#undef CURL_MEMBER
};

static const struct pw_dl_fn functions[] = {
#define CURL_ENTRY(name) {#name, offsetof(struct curl_api, name)},
    CURL_FUNCTIONS(CURL_ENTRY)
#undef CURL_ENTRY
};
#define NFUNCTIONS (sizeof(functions) / sizeof(functions[0]))

int pw_curl_dl_probe(const char *soname, struct pw_err *err)
{
    struct curl_api api;
    return pw_dl_probe(soname, CURL_PACKAGE, functions, NFUNCTIONS, &api, err);
}

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static struct curl_api table;
static struct pw_err load_err;
/* Set once libcurl is loaded and initialised; the forwarders call through it. */
static const struct curl_api *lib;

/* Never unloaded: libcurl keeps global state (TLS library, DNS threads) until exit. The one
 * curl_global_init here replaces the implicit one of the first curl_easy_init, which is not
 * thread-safe with every libcurl build. */
static void load(void)
{
    struct pw_dl dl;
    if (pw_dl_load(&dl, CURL_SONAME, CURL_PACKAGE, functions, NFUNCTIONS, &table, &load_err) < 0)
        return;
    CURLcode res = table.curl_global_init(CURL_GLOBAL_DEFAULT);
    if (res != CURLE_OK) {
        pw_err_set(&load_err, PW_E_FAIL, "cannot initialise libcurl: %s",
                   table.curl_easy_strerror(res));
        return;
    }
    lib = &table;
}

int pw_curl_dl_load(struct pw_err *err)
{
    pthread_once(&load_once, load);
    if (!lib)
        return pw_err_set(err, load_err.code, "%s", load_err.msg);
    return 0;
}

/* ---- forwarders: hidden, so they never interpose on libcurl's own exported names ---- */

#define FORWARDER __attribute__((visibility("hidden")))

/* The two that need no handle answer NULL before a successful pw_curl_dl_load, as libcurl
 * does when it cannot start; every other call has a handle, so libcurl is loaded. */
FORWARDER CURL *curl_easy_init(void)
{
    return lib ? lib->curl_easy_init() : NULL;
}

FORWARDER CURLM *curl_multi_init(void)
{
    return lib ? lib->curl_multi_init() : NULL;
}

FORWARDER const char *curl_easy_strerror(CURLcode code)
{
    return lib ? lib->curl_easy_strerror(code) : "libcurl is not loaded";
}

FORWARDER void curl_easy_cleanup(CURL *h)
{
    lib->curl_easy_cleanup(h);
}

/* The option number encodes its argument's type (CURLOPTTYPE_*, curl.h), as libcurl itself
 * reads it. */
FORWARDER CURLcode curl_easy_setopt(CURL *h, CURLoption option, ...)
{
    va_list ap;
    va_start(ap, option);
    CURLcode res;
    if (option < CURLOPTTYPE_OBJECTPOINT)
        res = lib->curl_easy_setopt(h, option, va_arg(ap, long));
    else if (option < CURLOPTTYPE_FUNCTIONPOINT)
        res = lib->curl_easy_setopt(h, option, va_arg(ap, void *));
    else if (option < CURLOPTTYPE_OFF_T)
        res = lib->curl_easy_setopt(h, option, va_arg(ap, void (*)(void)));
    else if (option < CURLOPTTYPE_BLOB)
        res = lib->curl_easy_setopt(h, option, va_arg(ap, curl_off_t));
    else
        res = lib->curl_easy_setopt(h, option, va_arg(ap, void *));
    va_end(ap);
    return res;
}

/* Every CURLINFO_* takes a pointer to the result. */
FORWARDER CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
    va_list ap;
    va_start(ap, info);
    void *out = va_arg(ap, void *);
    va_end(ap);
    return lib->curl_easy_getinfo(h, info, out);
}

FORWARDER CURLcode curl_easy_perform(CURL *h)
{
    return lib->curl_easy_perform(h);
}

FORWARDER CURLMcode curl_multi_cleanup(CURLM *m)
{
    return lib->curl_multi_cleanup(m);
}

FORWARDER CURLMcode curl_multi_add_handle(CURLM *m, CURL *h)
{
    return lib->curl_multi_add_handle(m, h);
}

FORWARDER CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h)
{
    return lib->curl_multi_remove_handle(m, h);
}

FORWARDER CURLMcode curl_multi_perform(CURLM *m, int *running)
{
    return lib->curl_multi_perform(m, running);
}

FORWARDER CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd extra_fds[],
                                    unsigned int extra_nfds, int timeout_ms, int *numfds)
{
    return lib->curl_multi_poll(m, extra_fds, extra_nfds, timeout_ms, numfds);
}

FORWARDER CURLMsg *curl_multi_info_read(CURLM *m, int *msgs_in_queue)
{
    return lib->curl_multi_info_read(m, msgs_in_queue);
}
