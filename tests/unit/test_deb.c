/* The .deb writer and reader round trip, from a hand-made package: what is written reads
 * back field by field and file by file; output is deterministic; a source file that changes
 * under the writer is an error. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "core/format.h"
#include "core/hash.h"
#include "tap.h"

static char dir[] = "/tmp/pw-test-deb.XXXXXX";

static void init_package(struct pw_package *p)
{
    memset(p, 0, sizeof(*p));
    p->manifest_path = "test/package.json";
    p->name = "pw-unit";
    p->version = "3.1";
    p->release = "2";
    p->epoch = 1;
    p->arch = "amd64";
    p->summary = "unit test package";
    p->description = "Built by test_deb.c.";
    p->maintainer = "T <t@example.org>";
    p->license = "MIT";
    pw_strvec_push(&p->depends, "libc6 (>= 2.17)");
    pw_buf_adds(&p->scripts[PW_SCRIPT_POSTINST].body, "#!/bin/sh\necho hi\n");
    pw_buf_adds(&p->scripts[PW_SCRIPT_PRETRANS].body, "#!/bin/sh\necho rpm only\n");
}

static void release_package(struct pw_package *p)
{
    pw_strvec_release(&p->depends);
    for (int k = 0; k < PW_SCRIPT_COUNT; k++)
        pw_buf_release(&p->scripts[k].body);
}

/* Writes pkg+c to dir/name; returns the bytes (caller frees) or NULL. */
static char *write_deb(const struct pw_package *p, const struct pw_contents *c,
                       const struct pw_ctx *ctx, const char *name, size_t *len, struct pw_err *err)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = pw_format_deb.write(p, c, ctx, fd, err);
    close(fd);
    if (rc < 0)
        return NULL;
    struct pw_buf b = PW_BUF_INIT;
    pw_fs_read_file(path, &b, err);
    return pw_buf_detach(&b, len);
}

static const struct pw_pkginfo_file *find(const struct pw_pkginfo *info, const char *path)
{
    for (size_t i = 0; i < info->nfiles; i++)
        if (!strcmp(info->files[i].path, path))
            return &info->files[i];
    return NULL;
}

static void test_round_trip(struct pw_package *p, struct pw_ctx *ctx, const char *bin)
{
    struct pw_contents c;
    pw_contents_init(&c);
    struct pw_err err;
    pw_err_init(&err);
    TAP_INT_EQ(pw_contents_add_generated(&c, "/etc/pw-unit.conf", "k=v\n", 4, 0644, PW_FLAG_CONFIG,
                                         5, &err),
               0, "generated conffile");
    TAP_INT_EQ(
        pw_contents_add_generated(&c, "/var/log/pw-unit.log", "", 0, 0644, PW_FLAG_GHOST, 5, &err),
        0, "ghost");
    /* A file streamed from disk, larger than one 64 KiB chunk. */
    TAP_INT_EQ(pw_contents_add_generated(&c, "/usr/bin/pw-unit", "", 0, 0755, 0, 5, &err), 0,
               "placeholder for a disk file");
    struct pw_file *f = (struct pw_file *)pw_contents_find(&c, "/usr/bin/pw-unit");
    f->flags = 0;
    free(f->data);
    f->data = NULL;
    f->src = pw_xstrdup(bin);
    f->size = 200000;

    size_t len1, len2;
    char *one = write_deb(p, &c, ctx, "one.deb", &len1, &err);
    TAP_OK(one != NULL, "writes (%s)", err.msg);
    char *two = write_deb(p, &c, ctx, "two.deb", &len2, &err);
    TAP_OK(one && two && len1 == len2 && !memcmp(one, two, len1), "same input, same bytes");
    TAP_OK(one && pw_format_deb.probe((unsigned char *)one, len1), "probe recognises it");
    TAP_OK(!pw_format_deb.probe((const unsigned char *)"!<arch>\nfoo", 11),
           "probe refuses other ar files");
    free(one);
    free(two);
    TAP_OK(!pw_contents_find(&c, "/usr/share/doc/pw-unit/copyright"),
           "the caller's contents are not changed");

    struct pw_pkginfo info;
    pw_pkginfo_init(&info);
    char path[512];
    snprintf(path, sizeof(path), "%s/one.deb", dir);
    TAP_INT_EQ(pw_format_deb.read(path, &info, &err), 0, "reads back (%s)", err.msg);
    TAP_STR_EQ(info.format, "deb", "format");
    TAP_STR_EQ(info.name, "pw-unit", "name");
    TAP_STR_EQ(info.version, "1:3.1-2", "version with epoch");
    TAP_STR_EQ(info.arch, "amd64", "arch");
    TAP_STR_EQ(pw_pkginfo_field(&info, "Depends"), "libc6 (>= 2.17)", "Depends");
    TAP_STR_EQ(pw_pkginfo_field(&info, "Section"), "misc", "Section defaults to misc");
    TAP_STR_EQ(pw_pkginfo_field(&info, "Priority"), "optional", "Priority defaults");
    TAP_INT_EQ(info.nscripts, 1, "only the deb script is shipped");
    TAP_OK(info.nscripts && !strcmp(info.scripts[0].name, "postinst") &&
               strstr(info.scripts[0].body, "echo hi") &&
               !strcmp(info.scripts[0].interpreter, "/bin/sh"),
           "postinst wrapped, interpreter read from its #! line");
    const struct pw_pkginfo_file *rf = find(&info, "/usr/bin/pw-unit");
    unsigned char want[32];
    char hex[65];
    pw_hash_file(PW_HASH_SHA256, bin, want, &err);
    pw_hex(want, 32, hex);
    TAP_OK(rf && rf->type == 'f' && rf->mode == 0755 && rf->size == 200000 && rf->mtime == 5,
           "disk file: type, mode, size, mtime");
    TAP_STR_EQ(rf ? rf->digest : NULL, hex, "disk file: SHA-256 of the streamed bytes");
    rf = find(&info, "/etc/pw-unit.conf");
    TAP_OK(rf && (rf->flags & PW_FLAG_CONFIG) && !strcmp(rf->owner, "root"),
           "conffile flagged, owner root");
    TAP_OK(!find(&info, "/var/log/pw-unit.log") && !find(&info, "/var/log"),
           "ghost and its parent not shipped");
    TAP_OK(find(&info, "/usr/share/doc/pw-unit/copyright") &&
               find(&info, "/usr/share/doc/pw-unit/changelog.Debian.gz"),
           "copyright and changelog added");
    TAP_OK(find(&info, "/usr/bin") && find(&info, "/usr/bin")->type == 'd', "parents present");
    pw_pkginfo_release(&info);

    /* The source changes between the contents scan and the write. */
    f->size = 100;
    TAP_OK(write_deb(p, &c, ctx, "bad.deb", &len1, &err) == NULL, "grown source is an error");
    TAP_OK(strstr(err.msg, "grew while it was being packed") != NULL, "message: %s", err.msg);
    f->size = 300000;
    pw_err_init(&err);
    TAP_OK(write_deb(p, &c, ctx, "bad.deb", &len1, &err) == NULL, "shrunk source is an error");
    TAP_OK(strstr(err.msg, "shrank while it was being packed") != NULL, "message: %s", err.msg);
    pw_contents_release(&c);
}

static void test_file_name(struct pw_package *p)
{
    struct pw_buf b = PW_BUF_INIT;
    pw_format_deb.file_name(p, &b);
    TAP_STR_EQ(b.buf, "pw-unit_3.1-2_amd64.deb", "file name without the epoch");
    pw_buf_release(&b);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char bin[512];
    snprintf(bin, sizeof(bin), "%s/bin", dir);
    FILE *fp = fopen(bin, "w");
    for (int i = 0; i < 200000; i++)
        fputc("abcdefghij"[(i * 7) % 10], fp);
    fclose(fp);

    struct pw_package p;
    init_package(&p);
    struct pw_ctx ctx;
    pw_ctx_init(&ctx);
    test_round_trip(&p, &ctx, bin);
    test_file_name(&p);
    release_package(&p);
    struct pw_err err;
    pw_err_init(&err);
    pw_fs_remove_tree(dir, &err);
    return tap_done();
}
