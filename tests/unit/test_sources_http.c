/* Sources over HTTP against tests/lib/httpserver.py on 127.0.0.1: every failure gives a clear
 * error naming the URL and leaves nothing in the cache; retries, resume and redirects work. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/ctx.h"
#include "core/sources.h"
#include "sources_fixture.h"
#include "tap.h"

extern char **environ;

static char *top, *cache, *root;
static char base_url[64];
static char log_path[4096];
static pid_t server = -1;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int start_server(void)
{
    const char *src = getenv("PW_SOURCE_DIR");
    char script[4096], port_file[4096], parent[32];
    snprintf(script, sizeof(script), "%s/tests/lib/httpserver.py", src ? src : ".");
    snprintf(port_file, sizeof(port_file), "%s/port", top);
    snprintf(log_path, sizeof(log_path), "%s/requests.log", top);
    snprintf(parent, sizeof(parent), "%d", (int)getpid());
    char *argv[] = {"python3", script,   "--root",   root,   "--port-file", port_file,
                    "--log",   log_path, "--parent", parent, NULL};
    if (posix_spawnp(&server, "python3", NULL, NULL, argv, environ) != 0)
        return -1;
    for (int i = 0; i < 100; i++) {
        char *port = sandbox_read(port_file);
        if (port) {
            snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d", atoi(port));
            free(port);
            sandbox_write(log_path, "", 0);
            return 0;
        }
        sleep_ms(100);
    }
    return -1;
}

static void stop_server(void)
{
    if (server > 0) {
        kill(server, SIGTERM);
        waitpid(server, NULL, 0);
    }
}

/* Requests logged so far whose line contains needle. */
static int requests(const char *needle)
{
    char *log = sandbox_read(log_path);
    int n = 0;
    for (const char *p = log; p && (p = strstr(p, needle)); p++)
        n++;
    free(log);
    return n;
}

struct progress_seen {
    unsigned long long last_done, last_total;
    int calls;
};

static void on_progress(void *data, const char *what, uint64_t done, uint64_t total)
{
    (void)what;
    struct progress_seen *p = data;
    p->calls++;
    p->last_done = done;
    p->last_total = total;
}

static char payload_hex[129];
static const size_t payload_size = 200000;

static void make_payload(void)
{
    char *body = malloc(payload_size);
    for (size_t i = 0; i < payload_size; i++)
        body[i] = (char)('a' + (i * 7) % 26);
    char path[4096];
    snprintf(path, sizeof(path), "%s/payload.bin", root);
    sandbox_write(path, body, payload_size);
    free(body);
    fixture_file_hex(PW_HASH_SHA256, path, payload_hex);
}

static int fetch_pkg(const struct fixture_pkg *f, struct progress_seen *progress,
                     struct pw_err *err)
{
    struct pw_ctx ctx;
    pw_ctx_init(&ctx);
    ctx.cache_dir = cache;
    if (progress) {
        ctx.progress = on_progress;
        ctx.progress_data = progress;
    }
    struct pw_sources s;
    pw_sources_init(&s);
    pw_err_init(err);
    int rc = pw_sources_fetch(&f->pkg, &ctx, &s, err);
    pw_sources_release(&s);
    return rc;
}

/* Fetches /PATH (relative to the server) with the payload's digest. */
static int fetch_path(const char *path, const char *hex, struct progress_seen *progress,
                      struct pw_err *err)
{
    char url[512];
    snprintf(url, sizeof(url), "%s/%s", base_url, path);
    struct fixture_pkg f;
    fixture_pkg_init(&f);
    fixture_source(&f, "payload", url, "sha256", hex);
    return fetch_pkg(&f, progress, err);
}

static void clear_cache(void)
{
    struct pw_err err;
    pw_err_init(&err);
    pw_fs_remove_tree(cache, &err);
}

/* A failing download: the code, a message naming the URL, and an untouched cache. */
static void expect_failure(const char *path, const char *hex, int code, const char *cause)
{
    struct pw_err err;
    clear_cache();
    TAP_INT_EQ(fetch_path(path, hex, NULL, &err), -code, "%s fails", path);
    TAP_OK(strstr(err.msg, "sources[0]: ") && strstr(err.msg, path) && strstr(err.msg, cause),
           "%s: message has the source, the URL and '%s': %s", path, cause, err.msg);
    TAP_INT_EQ(sandbox_count_files(cache), 0, "%s: nothing in the cache", path);
}

static void test_ok_with_progress(void)
{
    struct progress_seen p = {0, 0, 0};
    struct pw_err err;
    clear_cache();
    TAP_INT_EQ(fetch_path("payload.bin", payload_hex, &p, &err), 0, "plain download: %s", err.msg);
    TAP_OK(p.calls >= 1 && p.last_done == payload_size && p.last_total == payload_size,
           "the last progress report has done == total == size (%llu/%llu)", p.last_done,
           p.last_total);
    TAP_INT_EQ(sandbox_count_files(cache), 1, "one object in the cache");
}

static void test_failures(void)
{
    expect_failure("payload.bin",
                   "2222222222222222222222222222222222222222222222222222222222222222",
                   PW_E_CHECKSUM, "sha256 mismatch");
    expect_failure("@404/payload.bin", payload_hex, PW_E_NETWORK, "HTTP 404");
    TAP_INT_EQ(requests("/@404/payload.bin"), 1, "a 404 is not retried");
    expect_failure("@503x9/payload.bin", payload_hex, PW_E_NETWORK, "HTTP 503 (3 attempts)");
    expect_failure("@truncate/payload.bin", payload_hex, PW_E_NETWORK, "closed early");
    expect_failure("@loop/payload.bin", payload_hex, PW_E_NETWORK, "too many redirects");
    time_t t0 = time(NULL);
    expect_failure("@stall/payload.bin", payload_hex, PW_E_NETWORK, "timed out");
    TAP_OK(time(NULL) - t0 < 20, "a stall ends after the configured timeouts");
    TAP_INT_EQ(requests("/@stall/payload.bin"), 3, "a stall is retried");
}

static void test_recoveries(void)
{
    struct pw_err err;
    clear_cache();
    TAP_INT_EQ(fetch_path("@503x2/payload.bin", payload_hex, NULL, &err), 0,
               "5xx twice then success: %s", err.msg);
    TAP_INT_EQ(requests("/@503x2/payload.bin"), 3, "after three requests");
    clear_cache();
    TAP_INT_EQ(fetch_path("@cutonce/payload.bin", payload_hex, NULL, &err), 0,
               "resume after a cut: %s", err.msg);
    TAP_INT_EQ(requests("GET /@cutonce/payload.bin bytes=100000- 206"), 1,
               "the second request asks for the rest");
    clear_cache();
    TAP_INT_EQ(fetch_path("@cutonce+norange/payload.bin", payload_hex, NULL, &err), 0,
               "a server ignoring Range after a cut: %s", err.msg);
    TAP_INT_EQ(requests("GET /@cutonce+norange/payload.bin bytes=100000- 200"), 1,
               "gets the whole file again, which replaces the part");
    clear_cache();
    TAP_INT_EQ(fetch_path("@redirect/payload.bin", payload_hex, NULL, &err), 0,
               "a redirect is followed: %s", err.msg);
    TAP_INT_EQ(sandbox_count_files(cache), 1, "each success caches one object");
}

static void test_sha512_url(void)
{
    /* runsc and its .sha512 as gVisor publishes them (sha512sum output). */
    char path[4096], sums[4096], hex[129], url[512], sums_url[512];
    snprintf(path, sizeof(path), "%s/runsc", root);
    sandbox_write(path, "fake runsc\n", 11);
    fixture_file_hex(PW_HASH_SHA512, path, hex);
    struct pw_buf text = PW_BUF_INIT;
    pw_buf_addf(&text, "%s  runsc\n", hex);
    snprintf(sums, sizeof(sums), "%s/runsc.sha512", root);
    sandbox_write(sums, text.buf, text.len);
    pw_buf_release(&text);
    snprintf(url, sizeof(url), "%s/runsc", base_url);
    snprintf(sums_url, sizeof(sums_url), "%s/runsc.sha512", base_url);
    struct fixture_pkg f;
    fixture_pkg_init(&f);
    fixture_source(&f, "runsc", url, "sha512_url", sums_url);
    struct pw_ctx ctx;
    pw_ctx_init(&ctx);
    ctx.cache_dir = cache;
    struct pw_sources s;
    struct pw_err err;
    clear_cache();
    pw_sources_init(&s);
    pw_err_init(&err);
    TAP_INT_EQ(pw_sources_fetch(&f.pkg, &ctx, &s, &err), 0, "sha512_url over http: %s", err.msg);
    pw_sources_release(&s);
    TAP_INT_EQ(sandbox_count_files(cache), 2, "the file and its checksum file are cached");
    snprintf(sums_url, sizeof(sums_url), "%s/@404/runsc.sha512", base_url);
    clear_cache();
    TAP_INT_EQ(fetch_pkg(&f, NULL, &err), -PW_E_NETWORK, "a missing .sha512");
    TAP_OK(strstr(err.msg, "sources[0].sha512_url: ") && strstr(err.msg, "HTTP 404") &&
               strstr(err.msg, sums_url),
           "names the checksum URL and the 404: %s", err.msg);
    TAP_INT_EQ(sandbox_count_files(cache), 0, "nothing cached");
}

int main(void)
{
    top = sandbox_new("sources-http");
    struct pw_buf b = PW_BUF_INIT;
    pw_buf_addf(&b, "%s/cache", top);
    cache = pw_buf_detach(&b, NULL);
    pw_buf_addf(&b, "%s/root", top);
    root = pw_buf_detach(&b, NULL);
    mkdir(root, 0755);
    setenv("PACKWRIGHT_FETCH_STALL_SECONDS", "1", 1);
    setenv("PACKWRIGHT_FETCH_BACKOFF_MS", "10", 1);
    setenv("PACKWRIGHT_FETCH_RETRIES", "2", 1);
    setenv("no_proxy", "127.0.0.1", 1);
    make_payload();
    if (start_server() < 0) {
        TAP_OK(0, "the loopback server starts (python3 and tests/lib/httpserver.py)");
    } else {
        test_ok_with_progress();
        test_failures();
        test_recoveries();
        test_sha512_url();
    }
    stop_server();
    free(cache);
    free(root);
    sandbox_remove(top);
    return tap_done();
}
