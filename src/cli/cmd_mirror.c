/* packwright mirror apt|rpm: a verified, filtered copy of an upstream repository published
 * into a local packwright repository (src/core/mirror.h). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../core/mirror.h"
#include "cli.h"
#include "commands.h"
#include "out.h"

struct mirror_args {
    struct pw_strvec component, arch, include;
    const char *keyring, *sign_key;
    int with_deps, dry_run;
    long long latest, parallel;
};

#define ARG(f) offsetof(struct mirror_args, f)

static const struct pw_opt mirror_opts[] = {
    {"arch", 0, PW_OPT_LIST, ARG(arch), NULL, "ARCH",
     "mirror this architecture (repeatable; apt default: every one of Release, rpm: all)"},
    {"component", 0, PW_OPT_LIST, ARG(component), NULL, "C",
     "apt: mirror this component (repeatable; default: every one of Release)"},
    {"dry-run", 'n', PW_OPT_FLAG, ARG(dry_run), NULL, NULL,
     "verify the upstream and list what would be mirrored; fetch and publish nothing"},
    {"include", 'i', PW_OPT_LIST, ARG(include), NULL, "PATTERN",
     "only packages whose name matches this glob (repeatable; default: all)"},
    {"keyring", 'k', PW_OPT_STRING, ARG(keyring), NULL, "FILE",
     "the upstream's signing keys (required; gpgv uses this keyring only)"},
    {"latest", 0, PW_OPT_INT, ARG(latest), NULL, "N",
     "keep only the N newest versions of each package and architecture"},
    {"parallel", 'j', PW_OPT_INT, ARG(parallel), NULL, "N", "downloads at once (default 4)"},
    {"sign-key", 0, PW_OPT_STRING, ARG(sign_key), NULL, "KEYID",
     "sign the local repository with this key (default: the key it was signed with)"},
    {"with-deps", 'd', PW_OPT_FLAG, ARG(with_deps), NULL, NULL,
     "add what the chosen packages depend on, from the same upstream"},
    PW_OPT_TABLE_END,
};

static const struct pw_cmd_spec apt_spec = {
    "mirror apt",
    "[OPTIONS] --keyring FILE URL SUITE REPO",
    "copy packages of an apt repository (URL holds dists/) into REPO",
    mirror_opts,
    3,
    3};
static const struct pw_cmd_spec rpm_spec = {
    "mirror rpm",
    "[OPTIONS] --keyring FILE URL REPO",
    "copy packages of an rpm-md repository (URL holds repodata/) into REPO",
    mirror_opts,
    2,
    2};

static void note_hook(void *data, const char *msg)
{
    (void)data;
    pw_out_note("%s", msg);
}

static int check_args(const struct mirror_args *a, const char *sub)
{
    if (!a->keyring) {
        pw_out_error("mirror %s: --keyring is required (the upstream's public keys)", sub);
        return 2;
    }
    if (a->latest < 0 || a->latest > 1000000 || a->parallel < 0 || a->parallel > 64) {
        pw_out_error("mirror %s: --latest must be 0..1000000 and --parallel 0..64", sub);
        return 2;
    }
    return -1;
}

static void report(const struct pw_mirror_opts *o, const struct pw_mirror_result *r)
{
    for (size_t i = 0; i < r->problems.n; i++)
        pw_out_warn("cannot satisfy inside the mirror: %s", r->problems.v[i]);
    if (o->dry_run) {
        for (size_t i = 0; i < r->packages.n; i++)
            printf("%s\n", r->packages.v[i]);
        return;
    }
    printf("mirrored %zu of %zu packages from %s into %s (%zu by dependencies); downloaded %zu "
           "(%llu bytes) in %u requests\n",
           r->selected, r->indexed, o->url, o->repo, r->by_deps, r->downloaded,
           (unsigned long long)r->bytes, r->requests);
}

static int run(struct mirror_args *a, struct pw_strvec *pos, enum pw_family fam)
{
    const char *sub = fam == PW_FAMILY_DEB ? "apt" : "rpm";
    int status = check_args(a, sub);
    struct pw_ctx ctx;
    if (status < 0)
        status = pw_cli_ctx_init(&ctx, NULL, NULL);
    if (status >= 0)
        return status;
    struct pw_mirror_opts o;
    pw_mirror_opts_init(&o);
    o.family = fam;
    o.url = pos->v[0];
    o.suite = fam == PW_FAMILY_DEB ? pos->v[1] : NULL;
    o.repo = pos->v[pos->n - 1];
    o.components = &a->component;
    o.archs = &a->arch;
    o.include = &a->include;
    o.keyring = a->keyring;
    o.sign_key = a->sign_key;
    o.with_deps = a->with_deps;
    o.dry_run = a->dry_run;
    o.latest = (unsigned)a->latest;
    o.parallel = (unsigned)a->parallel;
    o.now = (int64_t)time(NULL);
    o.ctx = &ctx;
    o.note = note_hook;
    struct pw_mirror_result r;
    pw_mirror_result_init(&r);
    struct pw_err err;
    pw_err_init(&err);
    int rc = pw_mirror_run(&o, &r, &err);
    if (rc < 0) {
        status = pw_out_fail(&err);
        pw_out_note("nothing was published; '%s' is unchanged", o.repo);
    } else {
        report(&o, &r);
        status = 0;
    }
    pw_mirror_result_release(&r);
    return status;
}

static int run_sub(const struct pw_cmd_spec *spec, enum pw_family fam, int argc, char **argv)
{
    struct mirror_args a;
    memset(&a, 0, sizeof(a));
    struct pw_strvec pos = PW_STRVEC_INIT;
    int status = pw_cli_parse(spec, &a, argc, argv, &pos);
    if (status < 0)
        status = run(&a, &pos, fam);
    pw_strvec_release(&a.component);
    pw_strvec_release(&a.arch);
    pw_strvec_release(&a.include);
    pw_strvec_release(&pos);
    return status;
}

static const struct pw_cmd_spec group_spec = {
    "mirror",
    "apt|rpm [OPTIONS] ... (see 'packwright mirror apt --help')",
    "copy a verified, filtered subset of an apt or rpm-md repository into a local repository",
    NULL,
    1,
    -1};

int cmd_mirror(int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "apt"))
        return run_sub(&apt_spec, PW_FAMILY_DEB, argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "rpm"))
        return run_sub(&rpm_spec, PW_FAMILY_RPM, argc - 1, argv + 1);
    struct pw_strvec pos = PW_STRVEC_INIT;
    int status = pw_cli_parse(&group_spec, NULL, argc, argv, &pos);
    if (status < 0) {
        pw_out_error("mirror: unknown kind '%s' (apt or rpm)", pos.n ? pos.v[0] : "");
        status = 2;
    }
    pw_strvec_release(&pos);
    return status;
}
