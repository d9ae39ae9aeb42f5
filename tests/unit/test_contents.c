/* The normalised contents list: order, parents, modes, owners, mtimes, trees, duplicates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/fs.h"
#include "core/contents.h"
#include "tap.h"

static char dir[] = "/tmp/pw-test-contents.XXXXXX";

static void make_file(const char *rel, const char *data, mode_t mode, time_t mtime)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, rel);
    FILE *f = fopen(p, "w");
    fputs(data, f);
    fclose(f);
    chmod(p, mode);
    struct timeval tv[2] = {{mtime, 0}, {mtime, 0}};
    utimes(p, tv);
}

static char *at(const char *rel)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, rel);
    return pw_xstrdup(p);
}

#define MAX_SPECS 16
static struct pw_content_spec specs[MAX_SPECS];
static struct pw_package pkg;

static struct pw_content_spec *spec(enum pw_entry_type type, const char *src, const char *dst)
{
    struct pw_content_spec *s = &specs[pkg.ncontents];
    char jp[32];
    snprintf(jp, sizeof(jp), "contents[%zu]", pkg.ncontents);
    pkg.ncontents++;
    memset(s, 0, sizeof(*s));
    s->type = type;
    s->src =
        src ? (src[0] == '/' || !strncmp(src, "source:", 7) ? pw_xstrdup(src) : at(src)) : NULL;
    s->dst = pw_xstrdup(dst);
    s->mode = -1;
    s->mtime = -1;
    s->json_path = pw_xstrdup(jp);
    return s;
}

static void reset_specs(void)
{
    for (size_t i = 0; i < pkg.ncontents; i++) {
        free(specs[i].src);
        free(specs[i].dst);
        free(specs[i].target);
        free(specs[i].owner);
        free(specs[i].group);
        free(specs[i].json_path);
    }
    pkg.ncontents = 0;
}

static int build(struct pw_contents *c, struct pw_ctx *ctx, struct pw_err *err)
{
    pw_contents_init(c);
    pw_err_init(err);
    return pw_contents_build(c, &pkg, NULL, ctx, err);
}

static void test_full_list(struct pw_ctx *ctx)
{
    spec(PW_ENTRY_FILE, "bin-x", "/usr/bin/tool");
    struct pw_content_spec *s = spec(PW_ENTRY_CONFIG, "conf", "/etc/tool/tool.conf");
    s->owner = pw_xstrdup("daemon");
    s->group = pw_xstrdup("adm");
    spec(PW_ENTRY_CONFIG_NOREPLACE, "conf", "/etc/tool/local.conf")->mode = 0600;
    spec(PW_ENTRY_DIR, NULL, "/var/lib/tool")->mode = 0750;
    spec(PW_ENTRY_SYMLINK, NULL, "/usr/bin/tool-link")->target = pw_xstrdup("tool");
    spec(PW_ENTRY_GHOST, NULL, "/var/log/tool.log");
    s = spec(PW_ENTRY_TREE, "tree", "/usr/share/tool");
    s->mtime = 1000;
    s->group = pw_xstrdup("staff");
    spec(PW_ENTRY_FILE, "plain", "/usr/share/doc/tool/README")->mtime = 2000000000;

    struct pw_contents c;
    struct pw_err err;
    int rc = build(&c, ctx, &err);
    TAP_INT_EQ(rc, 0, "builds (%s)", err.msg);
    static const char *const want[] = {
        "/etc",
        "/etc/tool",
        "/etc/tool/local.conf",
        "/etc/tool/tool.conf",
        "/usr",
        "/usr/bin",
        "/usr/bin/tool",
        "/usr/bin/tool-link",
        "/usr/share",
        "/usr/share/doc",
        "/usr/share/doc/tool",
        "/usr/share/doc/tool/README",
        "/usr/share/tool",
        "/usr/share/tool/a-file",
        "/usr/share/tool/link-to-dir",
        "/usr/share/tool/sub",
        "/usr/share/tool/sub/deep",
        "/var",
        "/var/lib",
        "/var/lib/tool",
        "/var/log",
        "/var/log/tool.log",
    };
    size_t nwant = sizeof(want) / sizeof(want[0]);
    TAP_INT_EQ(c.n, nwant, "entry count");
    for (size_t i = 0; i < c.n && i < nwant; i++)
        TAP_STR_EQ(c.files[i].path, want[i], "entry %zu in bytewise order", i);

    const struct pw_file *f = pw_contents_find(&c, "/etc");
    TAP_OK(f && f->kind == PW_FILE_DIR && (f->flags & PW_FLAG_IMPLICIT) && f->mode == 0755,
           "undeclared parent is an implicit 0755 directory");
    TAP_OK(f && !strcmp(f->owner, "root") && !strcmp(f->group, "root") &&
               f->mtime == ctx->source_date_epoch,
           "implicit parent: root:root at SOURCE_DATE_EPOCH");
    f = pw_contents_find(&c, "/usr/bin/tool");
    TAP_OK(f && f->kind == PW_FILE_REG && f->mode == 0755 && f->size == 6 && f->flags == 0,
           "x bit on disk gives 0755");
    TAP_OK(f && f->mtime == ctx->source_date_epoch,
           "mtime is SOURCE_DATE_EPOCH, not the (older) one on disk");
    TAP_OK(f && f->spec == 0, "origin recorded");
    f = pw_contents_find(&c, "/etc/tool/tool.conf");
    TAP_OK(f && f->mode == 0644 && f->flags == PW_FLAG_CONFIG, "config: 0644, flagged");
    TAP_OK(f && !strcmp(f->owner, "daemon") && !strcmp(f->group, "adm"), "owner and group set");
    TAP_OK(f && f->mtime == ctx->source_date_epoch, "newer mtime on disk is not used either");
    f = pw_contents_find(&c, "/etc/tool/local.conf");
    TAP_OK(f && f->mode == 0600 && f->flags == (PW_FLAG_CONFIG | PW_FLAG_NOREPLACE),
           "config-noreplace with manifest mode");
    f = pw_contents_find(&c, "/var/lib/tool");
    TAP_OK(f && f->kind == PW_FILE_DIR && f->mode == 0750 && !(f->flags & PW_FLAG_IMPLICIT),
           "declared dir keeps its mode and is not implicit");
    f = pw_contents_find(&c, "/usr/bin/tool-link");
    TAP_OK(f && f->kind == PW_FILE_SYMLINK && !strcmp(f->target, "tool") && f->size == 4,
           "symlink with target");
    f = pw_contents_find(&c, "/var/log/tool.log");
    TAP_OK(f && f->flags == PW_FLAG_GHOST && f->kind == PW_FILE_REG, "ghost kept, flagged");
    f = pw_contents_find(&c, "/usr/share/tool");
    TAP_OK(f && f->kind == PW_FILE_DIR && f->mode == 0755 && f->mtime == 1000,
           "tree top directory, manifest mtime");
    f = pw_contents_find(&c, "/usr/share/tool/a-file");
    TAP_OK(f && f->mode == 0644 && f->mtime == 1000 && f->src, "tree file: 0644 from 0600");
    TAP_OK(f && !strcmp(f->group, "staff") && !strcmp(f->owner, "root"), "tree group applies");
    f = pw_contents_find(&c, "/usr/share/tool/link-to-dir");
    TAP_OK(f && f->kind == PW_FILE_SYMLINK && f->target && !strcmp(f->target, "sub"),
           "symlink inside a tree stays a symlink");
    f = pw_contents_find(&c, "/usr/share/tool/sub/deep");
    TAP_OK(f && f->mode == 0755, "tree file with x bit: 0755");
    f = pw_contents_find(&c, "/usr/share/tool/sub");
    TAP_OK(f && f->kind == PW_FILE_DIR && f->mode == 0755 && !strcmp(f->group, "staff"),
           "tree subdirectory 0755 with the tree's group");
    f = pw_contents_find(&c, "/usr/share/doc/tool/README");
    TAP_OK(f && f->mtime == ctx->source_date_epoch, "manifest mtime is clamped too");
    TAP_OK(pw_contents_find(&c, "/usr/share/tool/sub/deep/x") == NULL, "find misses cleanly");

    /* Generated files keep order and get parents; duplicates are refused. */
    struct pw_contents copy;
    pw_contents_copy(&copy, &c);
    rc = pw_contents_add_generated(&copy, "/usr/share/doc/tool2/copyright", "text", 4, 0644, 0,
                                   ctx->source_date_epoch, &err);
    TAP_INT_EQ(rc, 0, "generated file added");
    f = pw_contents_find(&copy, "/usr/share/doc/tool2");
    TAP_OK(f && (f->flags & PW_FLAG_IMPLICIT), "generated file's parent added");
    f = pw_contents_find(&copy, "/usr/share/doc/tool2/copyright");
    TAP_OK(f && (f->flags & PW_FLAG_GENERATED) && f->size == 4 && !memcmp(f->data, "text", 4),
           "generated data copied");
    int sorted = 1;
    for (size_t i = 1; i < copy.n; i++)
        sorted &= strcmp(copy.files[i - 1].path, copy.files[i].path) < 0;
    TAP_OK(sorted, "still sorted after adding");
    rc = pw_contents_add_generated(&copy, "/usr/bin/tool", "x", 1, 0644, 0, 0, &err);
    TAP_OK(rc < 0 && strstr(err.msg, "already"), "generated duplicate refused: %s", err.msg);
    TAP_INT_EQ(c.n, nwant, "the original is untouched by the copy");
    pw_contents_release(&copy);
    pw_contents_release(&c);
    reset_specs();
}

static void test_tree_mode(struct pw_ctx *ctx)
{
    spec(PW_ENTRY_TREE, "tree", "/opt/t")->mode = 0640;
    struct pw_contents c;
    struct pw_err err;
    TAP_INT_EQ(build(&c, ctx, &err), 0, "tree with a mode builds");
    const struct pw_file *f = pw_contents_find(&c, "/opt/t/sub/deep");
    TAP_OK(f && f->mode == 0640, "a tree's mode applies to its files");
    f = pw_contents_find(&c, "/opt/t/sub");
    TAP_OK(f && f->mode == 0755, "but not to its directories");
    f = pw_contents_find(&c, "/opt/t");
    TAP_OK(f && f->mode == 0755 && !(f->flags & PW_FLAG_IMPLICIT), "nor to its top");
    pw_contents_release(&c);
    reset_specs();
}

static void test_errors(struct pw_ctx *ctx)
{
    struct pw_contents c;
    struct pw_err err;

    spec(PW_ENTRY_TREE, "tree", "/usr/share/tool");
    spec(PW_ENTRY_FILE, "plain", "/usr/share/tool/a-file");
    TAP_OK(build(&c, ctx, &err) < 0, "tree and file on the same path fail");
    TAP_STR_EQ(err.msg,
               "pkg/package.json: contents[1]: duplicate path '/usr/share/tool/a-file' (also "
               "from contents[0])",
               "duplicate message names both entries");
    TAP_INT_EQ(c.n, 0, "nothing left after a failure");
    reset_specs();

    spec(PW_ENTRY_FILE, "plain", "/usr/lib/x");
    spec(PW_ENTRY_FILE, "plain", "/usr/lib/x/y");
    TAP_OK(build(&c, ctx, &err) < 0, "a file below a file fails");
    TAP_STR_EQ(err.msg,
               "pkg/package.json: contents[1]: '/usr/lib/x/y' needs parent '/usr/lib/x', which "
               "is not a directory",
               "parent message");
    reset_specs();

    spec(PW_ENTRY_FILE, "tree", "/usr/lib/x");
    TAP_OK(build(&c, ctx, &err) < 0 && err.code == PW_E_MANIFEST, "a directory as a file fails");
    TAP_STR_EQ(err.msg, "pkg/package.json: contents[0].src: not a regular file", "message");
    reset_specs();

    spec(PW_ENTRY_FILE, "missing", "/usr/lib/x");
    TAP_OK(build(&c, ctx, &err) < 0 && err.code == PW_E_IO, "a vanished src fails");
    TAP_OK(strstr(err.msg, "contents[0].src: cannot stat") != NULL, "message: %s", err.msg);
    reset_specs();

    spec(PW_ENTRY_FILE, "source:up/bin/x", "/usr/lib/x");
    TAP_OK(build(&c, ctx, &err) < 0, "source reference without sources fails");
    TAP_OK(strstr(err.msg, "contents[0].src: names a source") != NULL, "message: %s", err.msg);
    reset_specs();
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char p[512];
    snprintf(p, sizeof(p), "%s/tree/sub", dir);
    struct pw_err err;
    pw_err_init(&err);
    pw_fs_mkdir_p(p, 0700, &err);
    make_file("bin-x", "#!/bin", 0700, 1500000000);
    make_file("conf", "a=1\n", 0664, time(NULL));
    make_file("plain", "readme", 0644, time(NULL));
    make_file("tree/a-file", "a\n", 0600, time(NULL));
    make_file("tree/sub/deep", "d\n", 0750, time(NULL));
    snprintf(p, sizeof(p), "%s/tree/link-to-dir", dir);
    if (symlink("sub", p) < 0)
        perror("symlink");

    memset(&pkg, 0, sizeof(pkg));
    pkg.manifest_path = "pkg/package.json";
    pkg.contents = specs;
    struct pw_ctx ctx;
    pw_ctx_init(&ctx);
    ctx.source_date_epoch = 1700000000;

    test_full_list(&ctx);
    test_tree_mode(&ctx);
    test_errors(&ctx);

    pw_fs_remove_tree(dir, &err);
    return tap_done();
}
