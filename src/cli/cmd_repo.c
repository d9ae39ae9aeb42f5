/* packwright repo add | remove | check: publish .deb and .rpm files as one signed repository
 * for apt and dnf, take packages out, or verify a repository as those clients would. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/compress.h"
#include "../core/repo.h"
#include "cli.h"
#include "commands.h"
#include "out.h"

struct repo_cli_opts {
    struct pw_strvec arch;
    int allow_unsigned;
    const char *component;
    const char *grace_period;
    const char *keyring;
    const char *lock_timeout;
    int move;
    const char *name;
    const char *rpm_compression;
    const char *sign_key;
    const char *suite;
    const char *url;
    const char *valid_for;
};

#define O(m) offsetof(struct repo_cli_opts, m)

#define OPT_GRACE                                                                              \
    {"grace-period", 0, PW_OPT_STRING, O(grace_period), NULL, "DURATION",                      \
     "keep superseded metadata and removed packages this long (default 3d; 30s, 12h, 0)"}
#define OPT_LOCK                                                                               \
    {"lock-timeout", 0, PW_OPT_STRING, O(lock_timeout), NULL, "DURATION",                      \
     "wait this long for another publisher, then fail with status 7 (default 300s; 0)"}
#define OPT_SIGN                                                                               \
    {"sign-key", 0, PW_OPT_STRING, O(sign_key), NULL, "KEYID",                                 \
     "sign InRelease, Release.gpg and repomd.xml.asc (default: the key used before)"}

static const struct pw_opt add_options[] = {
    {"arch", 0, PW_OPT_LIST, O(arch), NULL, "ARCH",
     "also index this apt architecture (repeatable; amd64 and arm64 always are)"},
    {"component", 0, PW_OPT_STRING, O(component), NULL, "C", "apt component (default main)"},
    OPT_GRACE,
    OPT_LOCK,
    {"move", 0, PW_OPT_FLAG, O(move), NULL, NULL,
     "move the files into the pool: each is removed once published (kept if anything fails); "
     "a file of ours, 0644 and with no other name becomes the pool copy without copying"},
    {"name", 0, PW_OPT_STRING, O(name), NULL, "NAME",
     "Origin and Label, and the name of the .sources, .repo and keyring files (default "
     "packwright; fixed once published)"},
    {"rpm-compression", 0, PW_OPT_STRING, O(rpm_compression), NULL, "METHOD",
     "rpm-md metadata compression: gzip (default; tdnf, EL7) or zstd"},
    OPT_SIGN,
    {"suite", 0, PW_OPT_STRING, O(suite), NULL, "S", "apt suite (default stable)"},
    {"url", 0, PW_OPT_STRING, O(url), NULL, "URL",
     "where clients reach REPO, for the .sources and .repo files (default file://REPO)"},
    {"valid-for", 0, PW_OPT_STRING, O(valid_for), NULL, "DURATION",
     "write Valid-Until = Date + DURATION into Release (default: none)"},
    PW_OPT_TABLE_END,
};

static const struct pw_opt remove_options[] = {
    OPT_GRACE,
    OPT_LOCK,
    OPT_SIGN,
    {"suite", 0, PW_OPT_STRING, O(suite), NULL, "S",
     "remove from this apt suite only (default: every suite and the rpm side)"},
    PW_OPT_TABLE_END,
};

static const struct pw_opt check_options[] = {
    {"allow-unsigned", 0, PW_OPT_FLAG, O(allow_unsigned), NULL, NULL,
     "accept a repository without signatures (apt needs [trusted=yes] for it)"},
    {"keyring", 0, PW_OPT_STRING, O(keyring), NULL, "FILE",
     "verify signatures with this keyring (default REPO/NAME-archive-keyring.gpg)"},
    PW_OPT_TABLE_END,
};

static const struct pw_cmd_spec add_spec = {
    "repo add", "[OPTIONS] REPO [FILE...]",
    "Publish .deb and .rpm files into REPO (created when missing) as the next generation: "
    "REPO/deb for apt, REPO/rpm for dnf, yum and tdnf. Without files, republish.",
    add_options, 1, -1,
};

static const struct pw_cmd_spec remove_spec = {
    "repo remove", "[OPTIONS] REPO NAME[=VERSION]...",
    "Take packages out of REPO's indices; their files stay in the pool for the grace period.",
    remove_options, 2, -1,
};

static const struct pw_cmd_spec check_spec = {
    "repo check", "[OPTIONS] REPO",
    "Verify REPO as apt and dnf would: signatures, every listed size and hash, every package.",
    check_options, 1, 1,
};

/* "30", "30s", "15m", "12h", "3d" -> seconds */
static int parse_duration(const char *s, const char *opt, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    long long unit = 1;
    if (*end == 's')
        end++;
    else if (*end == 'm')
        unit = 60, end++;
    else if (*end == 'h')
        unit = 3600, end++;
    else if (*end == 'd')
        unit = 86400, end++;
    if (!*s || *end || errno || v < 0 || v > 100LL * 365 * 86400) {
        pw_out_error("option '--%s' needs a duration (30s, 15m, 12h, 3d), not '%s'", opt, s);
        return 2;
    }
    *out = v * unit;
    return -1;
}

static void note_hook(void *data, const char *msg)
{
    (void)data;
    fprintf(stderr, "%s\n", msg);
}

static int source_date(int64_t *now)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    *now = (int64_t)time(NULL);
    if (!sde || !*sde)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(sde, &end, 10);
    if (*end || errno || v < 0) {
        pw_out_error("invalid SOURCE_DATE_EPOCH '%s': must be whole seconds since 1970", sde);
        return 2;
    }
    *now = v;
    return -1;
}

static int fill_opts(const struct repo_cli_opts *c, struct pw_repo_opts *o, struct pw_ctx *ctx)
{
    int status = pw_cli_ctx_init(ctx, NULL, NULL);
    if (status >= 0)
        return status;
    pw_repo_opts_init(o);
    o->ctx = ctx;
    o->note = note_hook;
    if (c->suite)
        o->suite = c->suite;
    if (c->component)
        o->component = c->component;
    o->name = c->name;
    o->sign_key = c->sign_key;
    o->url = c->url;
    o->move = c->move;
    o->archs = (const char *const *)c->arch.v;
    o->narchs = c->arch.n;
    if (c->rpm_compression) {
        if (!strcmp(c->rpm_compression, "gzip"))
            o->rpm_compression = PW_COMPRESS_GZIP;
        else if (!strcmp(c->rpm_compression, "zstd"))
            o->rpm_compression = PW_COMPRESS_ZSTD;
        else {
            pw_out_error("option '--rpm-compression' takes gzip or zstd, not '%s'",
                         c->rpm_compression);
            return 2;
        }
    }
    if (c->grace_period && (status = parse_duration(c->grace_period, "grace-period",
                                                    &o->grace)) >= 0)
        return status;
    if (c->lock_timeout && (status = parse_duration(c->lock_timeout, "lock-timeout",
                                                    &o->lock_timeout)) >= 0)
        return status;
    if (c->valid_for &&
        (status = parse_duration(c->valid_for, "valid-for", &o->valid_for)) >= 0)
        return status;
    return source_date(&o->now);
}

static int run_publish(const struct pw_cmd_spec *spec, int argc, char **argv, int remove)
{
    struct repo_cli_opts c;
    memset(&c, 0, sizeof(c));
    struct pw_strvec args = PW_STRVEC_INIT;
    int status = pw_cli_parse(spec, &c, argc, argv, &args);
    struct pw_repo_opts o;
    struct pw_ctx ctx;
    if (status < 0)
        status = fill_opts(&c, &o, &ctx);
    if (status < 0) {
        if (remove)
            o.suite = c.suite;
        o.path = args.v[0];
        struct pw_err err;
        pw_err_init(&err);
        int rc = remove ? pw_repo_remove(&o, args.v + 1, args.n - 1, &err)
                        : pw_repo_add(&o, args.v + 1, args.n - 1, &err);
        status = rc < 0 ? pw_out_fail(&err) : 0;
    }
    pw_strvec_release(&args);
    pw_strvec_release(&c.arch);
    return status;
}

static void problem_hook(void *data, const char *msg)
{
    (void)data;
    pw_out_error("%s", msg);
}

static int run_check(int argc, char **argv)
{
    struct repo_cli_opts c;
    memset(&c, 0, sizeof(c));
    struct pw_strvec args = PW_STRVEC_INIT;
    int status = pw_cli_parse(&check_spec, &c, argc, argv, &args);
    if (status < 0) {
        struct pw_repo_check_opts o = {args.v[0], c.keyring, c.allow_unsigned,
                                       (int64_t)time(NULL), problem_hook, NULL};
        struct pw_err err;
        pw_err_init(&err);
        if (pw_repo_check(&o, &err) < 0) {
            status = pw_out_fail(&err);
        } else {
            printf("%s: ok\n", args.v[0]);
            status = 0;
        }
    }
    pw_strvec_release(&args);
    pw_strvec_release(&c.arch);
    return status;
}

static void usage(FILE *to)
{
    fprintf(to, "usage: packwright repo add [OPTIONS] REPO [FILE...]\n"
                "       packwright repo remove [OPTIONS] REPO NAME[=VERSION]...\n"
                "       packwright repo check [OPTIONS] REPO\n"
                "\nRun 'packwright repo SUBCOMMAND --help' for the options.\n");
}

int cmd_repo(int argc, char **argv)
{
    if (argc < 1) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[0], "add"))
        return run_publish(&add_spec, argc - 1, argv + 1, 0);
    if (!strcmp(argv[0], "remove"))
        return run_publish(&remove_spec, argc - 1, argv + 1, 1);
    if (!strcmp(argv[0], "check"))
        return run_check(argc - 1, argv + 1);
    if (argv[0][0] == '-')
        pw_out_error("repo: unknown option '%s' (a subcommand comes first: add, remove, check)",
                     argv[0]);
    else
        pw_out_error("repo: unknown subcommand '%s' (add, remove, check)", argv[0]);
    return 2;
}
