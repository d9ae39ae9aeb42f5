/* packwright bundle create|verify|import: a repository generation carried across an air gap
 * as one verified file (src/core/bundle.h). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../core/bundle.h"
#include "cli.h"
#include "commands.h"
#include "out.h"

struct bundle_args {
    const char *keyring, *sign_key;
};

#define ARG(f) offsetof(struct bundle_args, f)

static const struct pw_opt create_opts[] = {
    {"sign-key", 0, PW_OPT_STRING, ARG(sign_key), NULL, "KEYID",
     "sign the manifest with this key (default: the repository's own key)"},
    PW_OPT_TABLE_END,
};

static const struct pw_opt check_opts[] = {
    {"keyring", 'k', PW_OPT_STRING, ARG(keyring), NULL, "FILE",
     "trusted keys: the signatures must be by one of them (default: the included key only, "
     "which proves integrity, not origin)"},
    PW_OPT_TABLE_END,
};

static const struct pw_cmd_spec create_spec = {
    "bundle create",
    "[OPTIONS] REPO OUT",
    "write the live generation of REPO, a manifest of sizes and SHA256 and the public key into "
    "one tar.zst file",
    create_opts,
    2,
    2};
static const struct pw_cmd_spec verify_spec = {
    "bundle verify",
    "[--keyring FILE] BUNDLE",
    "check every file of BUNDLE against its manifest, and its signatures",
    check_opts,
    1,
    1};
static const struct pw_cmd_spec import_spec = {
    "bundle import",
    "[--keyring FILE] BUNDLE REPO",
    "verify BUNDLE, then make it the content of REPO (missing, empty or an earlier import) in "
    "one rename",
    check_opts,
    2,
    2};

static void note_hook(void *data, const char *msg)
{
    (void)data;
    pw_out_note("%s", msg);
}

static void trust_line(const struct pw_bundle_opts *o, const struct pw_bundle_info *info)
{
    if (info->trusted)
        printf("signatures verified against the trusted keyring '%s' (manifest signed by %s)\n",
               o->keyring, info->signer);
    else if (info->signed_manifest)
        printf("signatures verified against the key included in the bundle only (%s): this "
               "proves integrity, not origin; pass --keyring FILE to check the signer is "
               "trusted\n",
               info->signer);
    else
        printf("the bundle is unsigned: sizes and SHA256 prove integrity only\n");
}

static int run(const char *sub, struct bundle_args *a, const struct pw_strvec *pos)
{
    struct pw_ctx ctx;
    int status = pw_cli_ctx_init(&ctx, NULL, NULL);
    if (status >= 0)
        return status;
    struct pw_bundle_opts o;
    pw_bundle_opts_init(&o);
    o.keyring = a->keyring;
    o.sign_key = a->sign_key;
    o.now = (int64_t)time(NULL);
    o.ctx = &ctx;
    o.note = note_hook;
    struct pw_bundle_info info;
    memset(&info, 0, sizeof(info));
    struct pw_err err;
    pw_err_init(&err);
    int rc;
    if (!strcmp(sub, "create")) {
        o.repo = pos->v[0];
        o.bundle = pos->v[1];
        rc = pw_bundle_create(&o, &info, &err);
        if (rc == 0)
            printf("bundled %zu files (%llu bytes) of %s into %s; manifest %s%s\n", info.files,
                   (unsigned long long)info.bytes, o.repo, o.bundle,
                   info.signed_manifest ? "signed by " : "unsigned (the repository has no key)",
                   info.signer);
        return rc < 0 ? pw_out_fail(&err) : 0;
    }
    o.bundle = pos->v[0];
    o.repo = pos->n > 1 ? pos->v[1] : NULL;
    rc = !strcmp(sub, "verify") ? pw_bundle_verify(&o, &info, &err)
                                : pw_bundle_import(&o, &info, &err);
    if (rc < 0) {
        status = pw_out_fail(&err);
        if (o.repo)
            pw_out_note("nothing was imported; '%s' is unchanged", o.repo);
        return status;
    }
    if (o.repo)
        printf("imported %zu files (%llu bytes) from %s into %s\n", info.files,
               (unsigned long long)info.bytes, o.bundle, o.repo);
    else
        printf("bundle %s: %zu files (%llu bytes) match the manifest\n", o.bundle, info.files,
               (unsigned long long)info.bytes);
    trust_line(&o, &info);
    return 0;
}

static const struct pw_cmd_spec group_spec = {
    "bundle",
    "create|verify|import ... (see 'packwright bundle create --help')",
    "carry a repository across an air gap as one verified file",
    NULL,
    1,
    -1};

int cmd_bundle(int argc, char **argv)
{
    static const struct {
        const char *name;
        const struct pw_cmd_spec *spec;
    } subs[] = {{"create", &create_spec}, {"import", &import_spec}, {"verify", &verify_spec}};
    for (size_t i = 0; argc >= 1 && i < sizeof(subs) / sizeof(subs[0]); i++) {
        if (strcmp(argv[0], subs[i].name))
            continue;
        struct bundle_args a = {NULL, NULL};
        struct pw_strvec pos = PW_STRVEC_INIT;
        int status = pw_cli_parse(subs[i].spec, &a, argc - 1, argv + 1, &pos);
        if (status < 0)
            status = run(subs[i].name, &a, &pos);
        pw_strvec_release(&pos);
        return status;
    }
    struct pw_strvec pos = PW_STRVEC_INIT;
    int status = pw_cli_parse(&group_spec, NULL, argc, argv, &pos);
    if (status < 0) {
        pw_out_error("bundle: unknown action '%s' (create, verify or import)",
                     pos.n ? pos.v[0] : "");
        status = 2;
    }
    pw_strvec_release(&pos);
    return status;
}
