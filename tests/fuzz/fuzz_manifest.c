/* libFuzzer target: manifest loading from memory (JSON syntax, the field tables, variables,
 * dependency parsing, dates, path rules). The manifest's directory is a small fixture made
 * once, so inputs that name files/hello, files/tree, scripts/ok or the escaping symlink
 * files/escape reach the file checks too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "core/manifest.h"
#include "core/vars.h"

static char fixture[64];
static char manifest_path[128];
static struct pw_vars vars;

static void put(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", fixture, rel);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void cleanup(void)
{
    pw_fs_remove_tree(fixture, NULL);
    pw_vars_release(&vars);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(fixture, sizeof(fixture), "/tmp/pw-fuzz-manifest-XXXXXX");
    if (!mkdtemp(fixture))
        abort();
    char path[256];
    snprintf(path, sizeof(path), "%s/files/tree/sub", fixture);
    pw_fs_mkdir_p(path, 0755, NULL);
    snprintf(path, sizeof(path), "%s/scripts", fixture);
    pw_fs_mkdir_p(path, 0755, NULL);
    put("files/hello", "hello\n");
    put("files/tree/sub/x", "x\n");
    put("scripts/ok", "#!/bin/sh\nexit 0\n");
    put("scripts/bad", "exit 0\n");
    put("copyright", "c\n");
    snprintf(path, sizeof(path), "%s/files/escape", fixture);
    if (symlink("/etc/hostname", path) < 0)
        abort();
    snprintf(manifest_path, sizeof(manifest_path), "%s/package.json", fixture);
    pw_vars_init(&vars);
    pw_vars_set(&vars, "version", "1.2.3");
    pw_vars_set(&vars, "flag", "true");
    atexit(cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pw_manifest m;
    struct pw_err err;
    struct pw_manifest_opts opts = {.vars = &vars, .arch = size % 2 ? "arm64" : NULL};
    pw_err_init(&err);
    int rc = pw_manifest_load_mem(&m, manifest_path, (const char *)data, size, &opts, &err);
    if (rc < 0 && (err.code == 0 || err.msg[0] == '\0'))
        abort(); /* every failure explains itself */
    if (rc == 0)
        pw_manifest_release(&m);
    return 0;
}
