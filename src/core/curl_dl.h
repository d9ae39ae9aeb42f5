/* libcurl, loaded at run time (dlopen) the first time a download needs it.
 *
 * Linked normally, libcurl and the ~40 shared objects it pulls in (TLS, HTTP/2, LDAP, Kerberos,
 * ...) cost every packwright run ~5 ms of dynamic loading and relocation, although most
 * commands never download. fetch.c and fetch_multi.c call pw_curl_dl_load before their first
 * libcurl call and then keep using the ordinary curl_* names: curl_dl.c defines the few they
 * use as hidden forwarders into the loaded library, so <curl/curl.h>'s compile-time checks of
 * curl_easy_setopt arguments still apply. Only libcurl.so.4 (the OpenSSL flavour, Debian's
 * libcurl4, Fedora's libcurl) is tried; packaging declares it (debian/control, the spec). */
#ifndef PW_CORE_CURL_DL_H
#define PW_CORE_CURL_DL_H

#include "../base/err.h"

/* Loads libcurl.so.4 and runs curl_global_init, once per process (thread-safe; later calls
 * repeat the first answer). 0, or PW_E_FAIL with
 * "cannot load libcurl.so.4: CAUSE; install libcurl4". */
int pw_curl_dl_load(struct pw_err *err);

/* Whether SONAME opens and has every libcurl function packwright uses; closes it again and
 * initialises nothing. The same check as pw_curl_dl_load, for tests of its messages. */
int pw_curl_dl_probe(const char *soname, struct pw_err *err);

#endif
