/* containerd knowledge: releases, config versions, Go durations, v2 -> v3 translation. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "toml/containerd.h"
#include "toml/toml.h"

static void releases(void)
{
    struct pw_containerd_release r;
    TAP_OK(!pw_containerd_release_parse(
               "containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3", &r,
               NULL) &&
               r.major == 1 && r.minor == 6,
           "Debian's 1.6 version line");
    TAP_OK(!pw_containerd_release_parse("containerd github.com/containerd/containerd/v2 v2.1.9 abc",
                                        &r, NULL) &&
               r.major == 2 && r.minor == 1,
           "a v-prefixed 2.x version line");
    TAP_OK(!pw_containerd_release_parse("1.7", &r, NULL) && r.minor == 7, "a bare X.Y");
    TAP_OK(pw_containerd_release_parse("containerd", &r, NULL) && !r.known, "no version: error");
    TAP_INT_EQ(pw_containerd_new_config_version(&r), 2, "unknown release: version 2");
    r.known = 1, r.major = 2, r.minor = 0;
    TAP_INT_EQ(pw_containerd_new_config_version(&r), 3, "2.x: version 3");
    r.major = 1, r.minor = 6;
    TAP_OK(!pw_containerd_has_pull_timeout(&r), "1.6 has no pull timeout");
    r.minor = 7;
    TAP_OK(pw_containerd_has_pull_timeout(&r), "1.7 has it");
}

static void durations(void)
{
    static const char *good[] = {"0", "5m", "5m0s", "1h30m", "1.5h", ".5s", "300ms", "10us",
                                 "10\xc2\xb5s", "2h45m30.5s", "+5m"};
    static const char *bad[] = {"", "5", "5x", "m", "-5m", "1.5", "5m 3s", "99999999999h", "."};
    for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
        TAP_OK(!pw_containerd_duration_check(good[i], NULL), "duration '%s' is valid", good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        TAP_OK(pw_containerd_duration_check(bad[i], NULL), "duration '%s' is refused", bad[i]);
}

static int version_of(const char *text, int *version)
{
    struct pw_toml_doc *d = NULL;
    struct pw_err err;
    int rc = pw_toml_parse("c.toml", text, strlen(text), &d, &err);
    if (!rc)
        rc = pw_containerd_config_version(d, version, &err);
    pw_toml_doc_free(d);
    return rc;
}

static void config_versions(void)
{
    int v = -1;
    TAP_OK(!version_of("version = 3\n", &v) && v == 3, "version 3");
    TAP_OK(!version_of("# only a comment\n", &v) && v == 0, "an empty config: 0");
    TAP_OK(version_of("[plugins.cri]\n", &v) < 0, "no version: version 1, refused");
    TAP_OK(version_of("version = 1\n", &v) < 0, "version 1 refused");
    TAP_OK(version_of("version = 5\n", &v) < 0, "version 5 refused");
    TAP_OK(version_of("version = '2'\n", &v) < 0, "a string version refused");
}

/* Translates fragment for a config version; returns the result's JSON-ish text or NULL. */
static char *translate(const char *frag, int version, struct pw_err *err)
{
    struct pw_toml_doc *f = NULL, *out = NULL;
    char *text = NULL;
    if (!pw_toml_parse("frag.toml", frag, strlen(frag), &f, err) &&
        !pw_containerd_translate(f, version, &out, err))
        text = pw_xstrndup(out->src, out->len);
    pw_toml_doc_free(f);
    pw_toml_doc_free(out);
    return text;
}

static void translation(void)
{
    struct pw_err err;
    char *t = translate("version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"]\n"
                        "sandbox_image = 'p'\nstream_server_port = '0'\n"
                        "containerd.snapshotter = 'native'\n"
                        "containerd.runtimes.kata.sandbox_mode = 'shim'\n"
                        "cni.bin_dir = '/b'\n",
                        3, &err);
    TAP_STR_EQ(t,
               "plugins.\"io.containerd.cri.v1.images\".pinned_images.sandbox = 'p'\n"
               "plugins.\"io.containerd.grpc.v1.cri\".stream_server_port = '0'\n"
               "plugins.\"io.containerd.cri.v1.images\".snapshotter = 'native'\n"
               "plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.kata.sandboxer = "
               "'shim'\n"
               "plugins.\"io.containerd.cri.v1.runtime\".cni.bin_dirs = ['/b']\n",
               "v2 keys moved to their v3 tables, version dropped");
    free(t);
    t = translate("[plugins.\"io.containerd.grpc.v1.cri\".containerd]\ndefault_runtime = 'x'\n", 3,
                  &err);
    TAP_OK(!t && strstr(err.msg, "containerd.default_runtime") &&
               strstr(err.msg, "no version 3 equivalent"),
           "an unmapped key is refused by name: %s", err.msg);
    free(t);
    t = translate("[plugins.'io.containerd.cri.v1.images']\nsnapshotter = 'x'\n", 2, &err);
    TAP_OK(!t && strstr(err.msg, "written for config version 3"), "v3 fragment, v2 config");
    free(t);
    t = translate("[plugins.\"io.containerd.grpc.v1.cri\"]\nsandbox_image = 'p'\n", 2, &err);
    TAP_STR_EQ(t, "plugins.\"io.containerd.grpc.v1.cri\".sandbox_image = 'p'\n",
               "v2 fragment, v2 config: unchanged");
    free(t);
    t = translate("version = 3\n[grpc]\naddress = 'x'\n", 4, &err);
    TAP_OK(!t && strstr(err.msg, "'grpc.address'"), "server settings refused for version 4");
    free(t);
    t = translate("[metrics]\naddress = 'x'\n", 3, &err);
    TAP_STR_EQ(t, "metrics.address = 'x'\n", "other tables pass through");
    free(t);
}

int main(void)
{
    releases();
    durations();
    config_versions();
    translation();
    return tap_done();
}
