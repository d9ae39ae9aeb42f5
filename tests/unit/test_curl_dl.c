/* curl_dl.c: libcurl is found at run time, a missing library or function is reported with
 * the package to install, and loading is done once. (Downloads through the loaded library:
 * test_fetch_multi.c, tests/cli/fetch-*.sh.) */
#include <string.h>

#include "core/curl_dl.h"
#include "tap.h"

int main(void)
{
    struct pw_err err;
    pw_err_init(&err);
    TAP_INT_EQ(pw_curl_dl_probe("libcurl.so.4", &err), 0, "libcurl.so.4 has every function: %s",
               err.msg);

    pw_err_init(&err);
    TAP_INT_EQ(pw_curl_dl_probe("libpw-no-such-curl.so.4", &err), -PW_E_FAIL,
               "a missing library is an error");
    TAP_STR_EQ(err.msg,
               "cannot load libpw-no-such-curl.so.4: cannot open shared object file: No such file "
               "or directory; install libcurl4",
               "it names the library, the cause once, and the package");

    pw_err_init(&err);
    TAP_INT_EQ(pw_curl_dl_probe("libz.so.1", &err), -PW_E_FAIL,
               "a library without libcurl's functions is refused");
    TAP_OK(strstr(err.msg, "undefined symbol: curl_global_init") != NULL &&
               strstr(err.msg, "; install libcurl4") != NULL,
           "it names the first missing function: %s", err.msg);

    pw_err_init(&err);
    TAP_INT_EQ(pw_curl_dl_load(&err), 0, "libcurl loads and initialises: %s", err.msg);
    TAP_INT_EQ(pw_curl_dl_load(&err), 0, "a second load is a no-op");
    return tap_done();
}
