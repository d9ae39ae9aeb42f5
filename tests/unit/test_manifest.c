/* The manifest loader: a complete manifest resolves into two complete packages, overrides,
 * variables, arch, `when`, and the field table agrees with doc/manifest.md. Broken manifests
 * (message and exit status per case) are tests/cases/manifest, run by
 * tests/cli/manifest-errors.sh. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "core/manifest.h"
#include "core/vars.h"
#include "tap.h"

static char dir[64];

static void put(const char *rel, const char *text, mode_t mode)
{
    struct pw_buf p = PW_BUF_INIT;
    pw_buf_addf(&p, "%s/%s", dir, rel);
    char *slash = strrchr(p.buf, '/');
    *slash = '\0';
    pw_fs_mkdir_p(p.buf, 0755, NULL);
    *slash = '/';
    FILE *f = fopen(p.buf, "w");
    fputs(text, f);
    fclose(f);
    chmod(p.buf, mode);
    pw_buf_release(&p);
}

static char *in_dir(const char *rel)
{
    struct pw_buf p = PW_BUF_INIT;
    char *real = realpath(dir, NULL);
    pw_buf_addf(&p, "%s/%s", real, rel);
    free(real);
    return pw_buf_detach(&p, NULL);
}

static const char full_manifest[] =
    "{\n"
    "  \"name\": \"demo-${flavour}\",\n"
    "  \"version\": \"${version}\",\n"
    "  \"epoch\": 2,\n"
    "  \"arch\": \"x86_64\",\n"
    "  \"summary\": \"a demo package\",\n"
    "  \"description\": \"First line.\\n\\nSecond paragraph.\",\n"
    "  \"maintainer\": \"Jane Doe <jane@example.org>\",\n"
    "  \"vendor\": \"Example\",\n"
    "  \"homepage\": \"https://example.org/demo\",\n"
    "  \"license\": \"Apache-2.0\",\n"
    "  \"section\": \"admin\",\n"
    "  \"priority\": \"optional\",\n"
    "  \"group\": \"System Environment/Base\",\n"
    "  \"depends\": [\"libc6(>=2.17)\", \"aa | bb (< 2)\"],\n"
    "  \"recommends\": [\"cc\"], \"suggests\": [\"dd\"], \"conflicts\": [\"ee (<< 1)\"],\n"
    "  \"provides\": [\"ff (= 1)\"], \"replaces\": [\"gg\"], \"breaks\": [\"hh (<< 3)\"],\n"
    "  \"vars\": {\"version\": \"1.0~rc1\", \"flavour\": \"x\", \"gpu\": false, \"n\": 3},\n"
    "  \"overrides\": {\"rpm\": {\"depends\": [\"glibc\", \"/bin/sh\"], \"name\": \"Demo_${n}\","
    "                          \"release\": \"4\"}},\n"
    "  \"sources\": [{\"name\": \"up\", \"url\": \"https://example.org/up-${arch.uname}.tgz\","
    "                \"sha256\": \""
    "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
    "\", \"extract\": [\"bin/up\"]}],\n"
    "  \"contents\": [\n"
    "    {\"src\": \"files/tool\", \"dst\": \"/usr/bin/tool\"},\n"
    "    {\"type\": \"config\", \"src\": \"files/link-to-conf\", \"dst\": \"/etc/demo/conf\","
    "     \"mode\": \"0640\", \"owner\": \"demo\", \"group\": \"adm\", \"mtime\": 1000},\n"
    "    {\"type\": \"config-noreplace\", \"src\": \"files/conf\", \"dst\": \"/etc/demo/b\"},\n"
    "    {\"type\": \"dir\", \"dst\": \"/var/lib/demo\", \"mode\": \"750\"},\n"
    "    {\"type\": \"symlink\", \"target\": \"tool\", \"dst\": \"/usr/bin/tool2\"},\n"
    "    {\"type\": \"ghost\", \"dst\": \"/var/log/demo.log\"},\n"
    "    {\"type\": \"tree\", \"src\": \"files/tree\", \"dst\": \"/usr/share/demo\"},\n"
    "    {\"src\": \"source:up/bin/up\", \"dst\": \"/usr/bin/up-${arch.deb}\"}\n"
    "  ],\n"
    "  \"scripts\": {\"postinst\": \"scripts/postinst\", \"pretrans\": \"scripts/pretrans\"},\n"
    "  \"changelog\": [\n"
    "    {\"version\": \"1.0~rc1-1\", \"date\": \"2024-05-31T12:00:00+02:00\","
    "     \"author\": \"Jane Doe <jane@example.org>\", \"text\": \"Second.\\nMore.\"},\n"
    "    {\"version\": \"0.9-1\", \"date\": \"2024-01-01\","
    "     \"author\": \"Jane Doe <jane@example.org>\", \"text\": \"First.\"}\n"
    "  ],\n"
    "  \"copyright\": \"files/copyright\"\n"
    "}\n";

static int load_text(struct pw_manifest *m, const char *text, const struct pw_vars *vars,
                     const char *arch, struct pw_err *err)
{
    put("package.json", text, 0644);
    struct pw_buf path = PW_BUF_INIT;
    pw_buf_addf(&path, "%s/package.json", dir);
    struct pw_manifest_opts opts = {.vars = vars, .arch = arch};
    pw_err_init(err);
    int rc = pw_manifest_load_opts(m, path.buf, &opts, err);
    pw_buf_release(&path);
    return rc;
}

static void check_common(const struct pw_package *p, const char *fmt)
{
    TAP_STR_EQ(p->version, "1.0~rc1", "%s: version from a variable", fmt);
    TAP_INT_EQ(p->epoch, 2, "%s: epoch", fmt);
    TAP_STR_EQ(p->arch, "amd64", "%s: x86_64 is stored as amd64", fmt);
    TAP_STR_EQ(p->description, "First line.\n\nSecond paragraph.", "%s: description", fmt);
    TAP_STR_EQ(p->group, "System Environment/Base", "%s: group", fmt);
    TAP_INT_EQ(p->ncontents, 8, "%s: 8 contents entries", fmt);
    char *tool = in_dir("files/tool"), *conf = in_dir("files/conf");
    TAP_STR_EQ(p->contents[0].src, tool, "%s: src is resolved", fmt);
    TAP_INT_EQ(p->contents[0].mode, -1, "%s: mode absent", fmt);
    TAP_INT_EQ(p->contents[0].mtime, -1, "%s: mtime absent", fmt);
    TAP_STR_EQ(p->contents[1].src, conf, "%s: a symlinked src resolves to its target", fmt);
    TAP_INT_EQ(p->contents[1].type, PW_ENTRY_CONFIG, "%s: config", fmt);
    TAP_INT_EQ(p->contents[1].mode, 0640, "%s: mode 0640", fmt);
    TAP_STR_EQ(p->contents[1].owner, "demo", "%s: owner", fmt);
    TAP_STR_EQ(p->contents[1].group, "adm", "%s: group", fmt);
    TAP_INT_EQ(p->contents[1].mtime, 1000, "%s: mtime", fmt);
    TAP_STR_EQ(p->contents[1].json_path, "contents[1]", "%s: json path", fmt);
    TAP_INT_EQ(p->contents[3].mode, 0750, "%s: mode 750", fmt);
    TAP_STR_EQ(p->contents[4].target, "tool", "%s: symlink target", fmt);
    TAP_INT_EQ(p->contents[5].type, PW_ENTRY_GHOST, "%s: ghost", fmt);
    TAP_INT_EQ(p->contents[6].type, PW_ENTRY_TREE, "%s: tree", fmt);
    TAP_STR_EQ(p->contents[7].src, "source:up/bin/up", "%s: source reference kept", fmt);
    TAP_STR_EQ(p->contents[7].dst, "/usr/bin/up-amd64", "%s: ${arch.deb}", fmt);
    TAP_INT_EQ(p->nsources, 1, "%s: one source", fmt);
    TAP_STR_EQ(p->sources[0].url, "https://example.org/up-x86_64.tgz", "%s: ${arch.uname}", fmt);
    TAP_STR_EQ(p->sources[0].sha256,
               "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
               "%s: sha256 lowercased", fmt);
    TAP_STR_EQ(p->sources[0].extract.v[0], "bin/up", "%s: extract", fmt);
    TAP_STR_EQ(p->scripts[PW_SCRIPT_POSTINST].interpreter, "/bin/sh", "%s: interpreter", fmt);
    TAP_STR_EQ(p->scripts[PW_SCRIPT_POSTINST].body.buf, "#!/bin/sh\necho hi\n", "%s: script body",
               fmt);
    TAP_STR_EQ(p->scripts[PW_SCRIPT_PRETRANS].interpreter, "/usr/bin/env",
               "%s: interpreter is the first word", fmt);
    TAP_OK(p->scripts[PW_SCRIPT_PREINST].path == NULL, "%s: absent script", fmt);
    TAP_INT_EQ(p->nchangelog, 2, "%s: two changelog entries", fmt);
    TAP_INT_EQ(p->changelog[0].time, 1717149600, "%s: date-time with offset", fmt);
    TAP_INT_EQ(p->changelog[1].time, 1704067200, "%s: date", fmt);
    TAP_STR_EQ(p->changelog[0].text, "Second.\nMore.", "%s: changelog text", fmt);
    free(tool);
    tool = in_dir("files/copyright");
    TAP_STR_EQ(p->copyright, tool, "%s: copyright resolved", fmt);
    free(tool);
    free(conf);
}

static void test_full(void)
{
    struct pw_manifest m;
    struct pw_err err;
    struct pw_vars vars;
    pw_vars_init(&vars);
    pw_vars_set(&vars, "flavour", "gpu");
    int rc = load_text(&m, full_manifest, &vars, NULL, &err);
    TAP_INT_EQ(rc, 0, "the full manifest loads");
    if (rc < 0) {
        printf("#   %s\n", err.msg);
        pw_vars_release(&vars);
        return;
    }
    TAP_INT_EQ(m.enabled, 1, "enabled without 'when'");
    TAP_STR_EQ(m.deb.name, "demo-gpu", "given vars win over the manifest's defaults");
    TAP_STR_EQ(m.rpm.name, "Demo_3", "overrides.rpm.name, with a number variable");
    TAP_STR_EQ(m.deb.release, "1", "release defaults to 1");
    TAP_STR_EQ(m.rpm.release, "4", "overrides.rpm.release");
    TAP_INT_EQ(m.deb.depends.n, 2, "deb: two depends");
    TAP_STR_EQ(m.deb.depends.v[0], "libc6 (>= 2.17)", "deb: depends normalised");
    TAP_STR_EQ(m.deb.depends.v[1], "aa | bb (<< 2)", "deb: alternatives normalised");
    TAP_INT_EQ(m.rpm.depends.n, 2, "rpm: the override replaces the list");
    TAP_STR_EQ(m.rpm.depends.v[1], "/bin/sh", "rpm: file dependency");
    TAP_STR_EQ(m.rpm.provides.v[0], "ff (= 1)", "rpm: provides inherited");
    check_common(&m.deb, "deb");
    check_common(&m.rpm, "rpm");
    pw_manifest_release(&m);
    pw_vars_release(&vars);
}

static const char small[] = "{\"name\": \"small\", \"version\": \"1\", \"summary\": \"s\","
                            " \"maintainer\": \"A B <a@b.c>\", \"license\": \"MIT\"%s}";

static int load_small(struct pw_manifest *m, const char *extra, const struct pw_vars *vars,
                      const char *arch, struct pw_err *err)
{
    struct pw_buf text = PW_BUF_INIT;
    pw_buf_addf(&text, small, extra);
    int rc = load_text(m, text.buf, vars, arch, err);
    pw_buf_release(&text);
    return rc;
}

static void expect_arch(const char *extra, const char *force, const char *deb, const char *dst)
{
    struct pw_manifest m;
    struct pw_err err;
    int rc = load_small(&m, extra, NULL, force, &err);
    TAP_INT_EQ(rc, 0, "arch case '%s' (--arch %s) loads", extra, force ? force : "-");
    if (rc < 0) {
        printf("#   %s\n", err.msg);
        return;
    }
    TAP_STR_EQ(m.deb.arch, deb, "arch case '%s' (--arch %s): %s", extra, force ? force : "-", deb);
    TAP_STR_EQ(m.rpm.contents[0].dst, dst, "arch case '%s': ${arch.rpm}", extra);
    pw_manifest_release(&m);
}

static void test_arch(void)
{
    const char *dir_entry = ", \"contents\": [{\"type\": \"dir\", \"dst\": \"/x/${arch.rpm}\"}]";
    char extra[256];
    snprintf(extra, sizeof(extra), ", \"arch\": \"aarch64\"%s", dir_entry);
    expect_arch(extra, NULL, "arm64", "/x/aarch64");
    expect_arch(extra, "amd64", "amd64", "/x/x86_64");
    snprintf(extra, sizeof(extra), ", \"arch\": \"noarch\"%s", dir_entry);
    expect_arch(extra, "arm64", "all", "/x/aarch64");
    expect_arch(dir_entry, "x86_64", "amd64", "/x/x86_64");
}

static void expect_when(const char *when, const char *value, int enabled, const char *error)
{
    struct pw_manifest m;
    struct pw_err err;
    struct pw_vars vars;
    pw_vars_init(&vars);
    if (value)
        pw_vars_set(&vars, "gpu", value);
    char extra[128];
    snprintf(extra, sizeof(extra), ", \"when\": \"%s\"", when);
    int rc = load_small(&m, extra, &vars, NULL, &err);
    if (error) {
        TAP_INT_EQ(rc, -PW_E_MANIFEST, "when '%s' with gpu=%s fails", when, value);
        TAP_OK(strstr(err.msg, error) != NULL, "when '%s': %s", when, err.msg);
    } else {
        TAP_INT_EQ(rc, 0, "when '%s' with gpu=%s loads", when, value);
        TAP_INT_EQ(m.enabled, enabled, "when '%s' with gpu=%s: enabled %d", when, value, enabled);
        if (!enabled) {
            TAP_STR_EQ(m.deb.name, "small", "a skipped manifest keeps its name");
            TAP_STR_EQ(m.when, when, "a skipped manifest keeps its 'when'");
        }
        pw_manifest_release(&m);
    }
    pw_vars_release(&vars);
}

static void test_when(void)
{
    expect_when("gpu", "true", 1, NULL);
    expect_when("gpu", "no", 0, NULL);
    expect_when("!gpu", "no", 1, NULL);
    expect_when("!gpu", "On", 0, NULL);
    expect_when("${gpu}", "1", 1, NULL);
    expect_when("${gpu}", "", 0, NULL);
    expect_when("!${gpu}", "off", 1, NULL);
    expect_when("${gpu}", NULL, 0, "when: undefined variable 'gpu'");
    expect_when("gpu", NULL, 0, "when: undefined variable 'gpu'");
    expect_when("gpu", "maybe", 0, "when: 'maybe' is neither true nor false");
}

/* Loads the small manifest plus extra with KEY=VALUE pairs given on the "command line". */
static int load_with(struct pw_manifest *m, const char *extra, const char *const *kv,
                     struct pw_err *err)
{
    struct pw_vars vars;
    pw_vars_init(&vars);
    for (; kv && kv[0]; kv += 2)
        pw_vars_set(&vars, kv[0], kv[1]);
    int rc = load_small(m, extra, &vars, NULL, err);
    pw_vars_release(&vars);
    return rc;
}

static void test_entry_when_and_content(void)
{
    static const char extra[] =
        ", \"vars\": {\"timeout\": \"\", \"settings\": \"\"},"
        " \"contents\": ["
        "{\"content\": \"timeout = '${timeout}'\\n\", \"dst\": \"/etc/t.toml\","
        " \"when\": \"timeout != ''\"},"
        "{\"type\": \"config\", \"content\": \"${settings}\", \"encoding\": \"base64\","
        " \"dst\": \"/etc/s.toml\", \"when\": \"settings != ''\"},"
        "{\"type\": \"dir\", \"dst\": \"/etc/d\"}]";
    struct pw_manifest m;
    struct pw_err err;
    const char *none[] = {NULL};
    TAP_INT_EQ(load_with(&m, extra, none, &err), 0, "entries with when: %s", err.msg);
    TAP_INT_EQ(m.deb.ncontents, 1, "both conditional entries are absent");
    TAP_STR_EQ(m.deb.contents[0].json_path, "contents[2]", "the entry keeps its JSON path");
    pw_manifest_release(&m);

    /* "[a]\nb = 1\n" */
    const char *both[] = {"timeout", "5m", "settings", "W2Fd\nCmIgPSAxCg==", NULL};
    TAP_INT_EQ(load_with(&m, extra, both, &err), 0, "both given: %s", err.msg);
    TAP_INT_EQ(m.rpm.ncontents, 3, "three entries");
    TAP_OK(m.rpm.contents[0].has_content && m.rpm.contents[0].src == NULL, "inline content");
    TAP_STR_EQ((char *)m.rpm.contents[0].content, "timeout = '5m'\n", "content is expanded");
    TAP_INT_EQ(m.rpm.contents[1].content_len, 10, "base64 decoded (whitespace ignored)");
    TAP_OK(!memcmp(m.rpm.contents[1].content, "[a]\nb = 1\n", 10), "decoded bytes");
    TAP_INT_EQ(m.rpm.contents[1].type, PW_ENTRY_CONFIG, "a config entry may hold content");
    pw_manifest_release(&m);

    const char *bad[] = {"timeout", "", "settings", "W2Fd!", NULL};
    TAP_INT_EQ(load_with(&m, extra, bad, &err), -PW_E_MANIFEST, "invalid base64");
    TAP_OK(strstr(err.msg, "contents[1].content: is not valid base64: a character outside the "
                           "base64 alphabet (at byte 4)") != NULL,
           "names the entry and the byte: %s", err.msg);
    const char *cut[] = {"timeout", "", "settings", "W2F", NULL};
    TAP_INT_EQ(load_with(&m, extra, cut, &err), 0, "'W2F' decodes to two bytes: %s", err.msg);
    pw_manifest_release(&m);
    const char *cut1[] = {"timeout", "", "settings", "W2FdW", NULL};
    TAP_INT_EQ(load_with(&m, extra, cut1, &err), -PW_E_MANIFEST, "one char too many");
    TAP_OK(strstr(err.msg, "a truncated value") != NULL, "truncated: %s", err.msg);
}

static void expect_entry_error(const char *entry, const char *msg)
{
    char extra[512];
    snprintf(extra, sizeof(extra),
             ", \"sources\": [{\"name\": \"s\", \"url\": \"https://x.org/s.tgz\","
             " \"sha256\": \"%064d\", \"extract\": [\"a\"]}], \"contents\": [%s]",
             0, entry);
    struct pw_manifest m;
    struct pw_err err;
    TAP_INT_EQ(load_small(&m, extra, NULL, NULL, &err), -PW_E_MANIFEST, "refused: %s", entry);
    TAP_OK(strstr(err.msg, msg) != NULL, "%s: %s", msg, err.msg);
}

static void test_entry_errors(void)
{
    expect_entry_error("{\"src\": \"files/conf\", \"content\": \"x\", \"dst\": \"/a\"}",
                       "contents[0].src: give either 'src' or 'content', not both");
    expect_entry_error("{\"type\": \"tree\", \"content\": \"x\", \"dst\": \"/a\"}",
                       "contents[0].content: is not allowed for type 'tree'");
    expect_entry_error("{\"type\": \"dir\", \"content\": \"x\", \"dst\": \"/a\"}",
                       "contents[0].content: is not allowed for type 'dir'");
    expect_entry_error("{\"src\": \"files/conf\", \"encoding\": \"base64\", \"dst\": \"/a\"}",
                       "contents[0].encoding: is only allowed with 'content'");
    expect_entry_error("{\"content\": \"x\", \"encoding\": \"gzip\", \"dst\": \"/a\"}",
                       "contents[0].encoding: unknown encoding 'gzip' (text, base64)");
    expect_entry_error("{\"src\": \"files/conf\", \"optional\": true, \"dst\": \"/a\"}",
                       "contents[0].optional: is only allowed with a 'source:' src");
    expect_entry_error("{\"src\": \"source:s/a\", \"optional\": 1, \"dst\": \"/a\"}",
                       "contents[0].optional: must be a boolean, not a number");
    expect_entry_error("{\"content\": \"x\", \"dst\": \"/a\", \"when\": \"nope\"}",
                       "contents[0].when: undefined variable 'nope'");
    expect_entry_error("{\"content\": \"x\", \"dst\": \"/a\", \"when\": 1}",
                       "contents[0].when: must be a string, not a number");
    expect_entry_error("{\"content\": \"x\", \"dst\": \"/a\", \"whenn\": \"x\"}",
                       "contents[0].whenn: unknown key (did you mean 'when'?)");
    expect_entry_error("{\"content\": 7, \"dst\": \"/a\"}",
                       "contents[0].content: must be a string, not a number");
}

static void test_user_path(void)
{
    char *outside = in_dir("../pw-manifest-user-file");
    put("../pw-manifest-user-file", "from the user\n", 0644);
    static const char extra[] = ", \"vars\": {\"f\": \"files/conf\"},"
                                " \"contents\": [{\"src\": \"${f}\", \"dst\": \"/a\"}]";
    struct pw_manifest m;
    struct pw_err err;
    TAP_INT_EQ(load_with(&m, extra, NULL, &err), 0, "a default src stays in the manifest's dir");
    pw_manifest_release(&m);
    const char *user[] = {"f", outside, NULL};
    TAP_INT_EQ(load_with(&m, extra, user, &err), 0, "a src the user gave may lie outside: %s",
               err.msg);
    char *real = realpath(outside, NULL);
    TAP_STR_EQ(m.deb.contents[0].src, real, "resolved to the user's file");
    free(real);
    pw_manifest_release(&m);
    static const char mixed[] = ", \"vars\": {\"f\": \"x\"},"
                                " \"contents\": [{\"src\": \"${f}x\", \"dst\": \"/a\"}]";
    const char *user2[] = {"f", outside, NULL};
    TAP_INT_EQ(load_with(&m, mixed, user2, &err), -PW_E_MANIFEST,
               "only a src that is exactly ${KEY} counts as the user's");
    const char *missing[] = {"f", "/nonexistent/settings.toml", NULL};
    TAP_INT_EQ(load_with(&m, extra, missing, &err), -PW_E_MANIFEST, "a missing user file");
    TAP_OK(strstr(err.msg, "contents[0].src: cannot find '/nonexistent/settings.toml' (a file "
                           "given on the command line)") != NULL,
           "names it: %s", err.msg);
    unlink(outside);
    free(outside);
}

static void expect_source_error(const char *source, const char *msg)
{
    char extra[1024];
    snprintf(extra, sizeof(extra), ", \"sources\": [%s]", source);
    struct pw_manifest m;
    struct pw_err err;
    TAP_INT_EQ(load_small(&m, extra, NULL, NULL, &err), -PW_E_MANIFEST, "refused: %s", source);
    TAP_OK(strstr(err.msg, msg) != NULL, "%s: %s", msg, err.msg);
}

#define SHA "\"sha512_url\": \"https://x.org/s.sha512\""
static void test_source_forms(void)
{
    static const char ok[] =
        ", \"enhances\": [\"containerd\"], \"sources\": [{\"name\": \"g\", \"layouts\": ["
        "{\"name\": \"tarball\", \"url\": \"https://x.org/g.tar.bz2\", " SHA
        ", \"extract\": [\"runsc\"], \"extract_optional\": [\"gvisor-bin/\"]},"
        "{\"name\": \"binaries\", \"files\": [{\"url\": \"https://x.org/runsc\", " SHA "},"
        "{\"url\": \"https://x.org/shim\", \"sha256\": \"%064d\"}]}]}]";
    char extra[1024];
    snprintf(extra, sizeof(extra), ok, 0);
    struct pw_manifest m;
    struct pw_err err;
    TAP_INT_EQ(load_small(&m, extra, NULL, NULL, &err), 0, "layouts and files load: %s", err.msg);
    const struct pw_source_spec *g = &m.deb.sources[0];
    TAP_STR_EQ(g->layout, "auto", "layout defaults to auto");
    TAP_INT_EQ(g->nlayouts, 2, "two layouts");
    TAP_STR_EQ(g->layouts[0].extract_optional.v[0], "gvisor-bin/", "extract_optional");
    TAP_INT_EQ(g->layouts[1].nfiles, 2, "two files");
    TAP_STR_EQ(g->layouts[1].files[1].name, "shim", "a file is named by its URL");
    TAP_STR_EQ(g->layouts[1].files[1].json_path, "sources[0].layouts[1].files[1]", "file path");
    TAP_STR_EQ(m.rpm.enhances.v[0], "containerd", "enhances");
    pw_manifest_release(&m);

    expect_source_error("{\"name\": \"g\", \"layout\": \"zip\", \"layouts\": [{\"name\": "
                        "\"t\", \"url\": \"https://x.org/t\", " SHA "}]}",
                        "sources[0].layout: 'zip' is not a layout of this source (auto, t)");
    expect_source_error("{\"name\": \"g\", \"layout\": \"auto\", \"url\": \"https://x.org/t\", " SHA
                        "}",
                        "sources[0].layout: needs 'layouts'");
    expect_source_error("{\"name\": \"g\", \"url\": \"https://x.org/t\", " SHA
                        ", \"layouts\": [{\"name\": \"t\", \"url\": \"https://x.org/t\", " SHA
                        "}]}",
                        "sources[0].url: cannot be combined with 'layouts'");
    expect_source_error("{\"name\": \"g\", \"layouts\": []}",
                        "sources[0].layouts: must not be empty");
    expect_source_error("{\"name\": \"g\", \"layouts\": [{\"name\": \"auto\", \"url\": "
                        "\"https://x.org/t\", " SHA "}]}",
                        "sources[0].layouts[0].name: 'auto' is reserved");
    expect_source_error(
        "{\"name\": \"g\", \"layouts\": [{\"name\": \"t\", \"url\": "
        "\"https://x.org/t\", " SHA "}, {\"name\": \"t\", \"url\": "
        "\"https://x.org/u\", " SHA "}]}",
        "sources[0].layouts[1].name: 't' is also the name of sources[0].layouts[0]");
    expect_source_error("{\"name\": \"g\", \"layouts\": [{\"name\": \"t\"}]}",
                        "sources[0].layouts[0].url: is required");
    expect_source_error("{\"name\": \"g\", \"files\": [{\"url\": \"https://x.org/a\"}]}",
                        "sources[0].files[0]: needs one of sha256, sha512 or sha512_url");
    expect_source_error(
        "{\"name\": \"g\", \"files\": [{\"url\": \"https://x.org/a\", " SHA
        "}, {\"url\": \"https://y.org/a\", " SHA "}]}",
        "sources[0].files[1].url: 'a' is also the file name of sources[0].files[0]");
    expect_source_error("{\"name\": \"g\", \"files\": [{\"url\": \"https://x.org/a\", " SHA
                        ", \"extract\": [\"x\"]}]}",
                        "sources[0].files[0].extract: unknown key");
    expect_source_error("{\"name\": \"g\", \"files\": [{\"url\": \"https://x.org/a\", " SHA
                        "}], \"extract\": [\"x\"]}",
                        "sources[0].extract: cannot be combined with 'files'");
    expect_source_error("{\"name\": \"g\", \"files\": []}", "sources[0].files: must not be empty");
    expect_source_error("{\"name\": \"g\", \"files\": [{\"url\": \"https://x.org/\", " SHA "}]}",
                        "sources[0].files[0].url: 'https://x.org/' must end with a file name");
}

static void test_errors(void)
{
    struct pw_manifest m;
    struct pw_err err;
    TAP_INT_EQ(
        load_small(&m, ", \"overrides\": {\"rpm\": {\"depends\": [\"x y\"]}}", NULL, NULL, &err),
        -PW_E_MANIFEST, "an invalid override fails");
    TAP_OK(strstr(err.msg, "package.json: overrides.rpm.depends[0]: unexpected 'y' after 'x'") !=
               NULL,
           "override errors name the override's path: %s", err.msg);
    TAP_INT_EQ(load_text(&m, "{\n  \"name\": \"x\",\n  \"version\" \"1\"\n}", NULL, NULL, &err),
               -PW_E_MANIFEST, "malformed JSON fails");
    TAP_OK(strstr(err.msg, "package.json:3:13: invalid JSON: expected ':'") != NULL,
           "line and column: %s", err.msg);
    TAP_INT_EQ(load_text(&m, "{\"name\": \"\xc3\x28\"}", NULL, NULL, &err), -PW_E_MANIFEST,
               "invalid UTF-8 fails");
    TAP_OK(strstr(err.msg, "name: must be valid UTF-8") != NULL, "utf-8: %s", err.msg);
    pw_err_init(&err);
    TAP_INT_EQ(pw_manifest_load(&m, "/nonexistent/package.json", NULL, &err), -PW_E_IO,
               "a missing manifest is an I/O error");
}

static void test_load_forms(void)
{
    struct pw_manifest m;
    struct pw_err err;
    pw_err_init(&err);
    TAP_INT_EQ(load_small(&m, "", NULL, NULL, &err), 0, "the smallest manifest loads");
    pw_manifest_release(&m);
    struct pw_buf slash = PW_BUF_INIT;
    pw_buf_addf(&slash, "%s/", dir);
    TAP_INT_EQ(pw_manifest_load(&m, slash.buf, NULL, &err), 0, "a directory (with '/') loads");
    TAP_OK(m.deb.manifest_path && strstr(m.deb.manifest_path, "//") == NULL,
           "manifest path without '//': %s", m.deb.manifest_path);
    pw_manifest_release(&m);
    pw_buf_release(&slash);
    const char *text = "{\"name\": \"mem\", \"version\": \"1\", \"summary\": \"s\", "
                       "\"maintainer\": \"A B <a@b.c>\", \"license\": \"MIT\"}garbage";
    struct pw_buf file = PW_BUF_INIT;
    pw_buf_addf(&file, "%s/mem.json", dir);
    TAP_INT_EQ(pw_manifest_load_mem(&m, file.buf, text, strlen(text) - 7, NULL, &err), 0,
               "load from memory honours the length");
    TAP_STR_EQ(m.deb.name, "mem", "name from memory");
    pw_manifest_release(&m);
    pw_buf_release(&file);
}

/* Every documented package field is known to the parser (the doc is generated from the same
 * table, so the reverse holds by construction), and the committed doc is current. */
static void test_doc(void)
{
    struct pw_buf doc = PW_BUF_INIT;
    pw_manifest_doc(&doc);
    const char *section = strstr(doc.buf, "## Package fields");
    const char *end = section ? strstr(section + 1, "\n## ") : NULL;
    int keys = 0;
    for (const char *p = section; p && p < end && (p = strstr(p, "\n| `")) && p < end; p += 4) {
        const char *k = p + 4, *ke = strchr(k, '`');
        char key[64];
        snprintf(key, sizeof(key), "%.*s", (int)(ke - k), k);
        char extra[128];
        snprintf(extra, sizeof(extra), ", \"overrides\": {\"deb\": {\"%s\": null}}", key);
        struct pw_manifest m;
        struct pw_err err;
        load_small(&m, extra, NULL, NULL, &err);
        TAP_OK(!strstr(err.msg, "unknown key") && !strstr(err.msg, "cannot be overridden"),
               "documented field '%s' is parsed: %s", key, err.msg);
        keys++;
    }
    TAP_INT_EQ(keys, 27, "27 package fields documented");

    const char *src = getenv("PW_SOURCE_DIR");
    struct pw_buf committed = PW_BUF_INIT;
    struct pw_buf path = PW_BUF_INIT;
    pw_buf_addf(&path, "%s/doc/manifest.md", src ? src : ".");
    struct pw_err err;
    pw_err_init(&err);
    TAP_INT_EQ(pw_fs_read_file(path.buf, &committed, &err), 0, "doc/manifest.md is readable");
    TAP_OK(committed.len == doc.len && !memcmp(committed.buf, doc.buf, doc.len),
           "doc/manifest.md matches the field table (regenerate: packwright build "
           "--manifest-doc > doc/manifest.md)");
    pw_buf_release(&committed);
    pw_buf_release(&path);
    pw_buf_release(&doc);
    TAP_STR_EQ(pw_script_name(PW_SCRIPT_POSTRM), "postrm", "script names");
    TAP_STR_EQ(pw_entry_type_name(PW_ENTRY_CONFIG_NOREPLACE), "config-noreplace", "type names");
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/pw-manifest-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    put("files/tool", "#!/bin/sh\n", 0755);
    put("files/conf", "a=1\n", 0644);
    put("files/copyright", "MIT\n", 0644);
    put("files/tree/a/b", "b\n", 0644);
    put("scripts/postinst", "#!/bin/sh\necho hi\n", 0755);
    put("scripts/pretrans", "#! /usr/bin/env bash\necho pre\n", 0644);
    struct pw_buf link = PW_BUF_INIT;
    pw_buf_addf(&link, "%s/files/link-to-conf", dir);
    TAP_INT_EQ(symlink("conf", link.buf), 0, "fixture symlink");
    pw_buf_release(&link);

    test_full();
    test_arch();
    test_when();
    test_entry_when_and_content();
    test_entry_errors();
    test_user_path();
    test_source_forms();
    test_errors();
    test_load_forms();
    test_doc();
    pw_fs_remove_tree(dir, NULL);
    return tap_done();
}
