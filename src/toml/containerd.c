#include "containerd.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toml_edit.h"

#define CRI_V2 "io.containerd.grpc.v1.cri"
#define CRI_IMAGES "io.containerd.cri.v1.images"
#define CRI_RUNTIME "io.containerd.cri.v1.runtime"

/* ---- releases ---- */

static int parse_major_minor(const char *s, struct pw_containerd_release *out)
{
    if (*s == 'v')
        s++;
    char *end;
    if (!isdigit((unsigned char)*s))
        return -1;
    long major = strtol(s, &end, 10);
    if (*end != '.' || !isdigit((unsigned char)end[1]))
        return -1;
    long minor = strtol(end + 1, &end, 10);
    if (major > 1000 || minor > 1000)
        return -1;
    out->known = 1;
    out->major = (int)major;
    out->minor = (int)minor;
    return 0;
}

int pw_containerd_release_parse(const char *text, struct pw_containerd_release *out,
                                struct pw_err *err)
{
    /* the version is the first word that looks like one: "containerd <module> v1.7.2 <hash>" */
    const char *p = text;
    out->known = 0;
    while (*p) {
        while (*p && isspace((unsigned char)*p))
            p++;
        const char *word = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        char buf[64];
        size_t n = (size_t)(p - word);
        if (n && n < sizeof(buf)) {
            memcpy(buf, word, n);
            buf[n] = '\0';
            if (parse_major_minor(buf, out) == 0)
                return 0;
        }
    }
    return pw_err_set(err, PW_E_USAGE, "cannot read a containerd version in '%s'", text);
}

int pw_containerd_new_config_version(const struct pw_containerd_release *rel)
{
    return rel->known && rel->major >= 2 ? 3 : 2;
}

int pw_containerd_has_pull_timeout(const struct pw_containerd_release *rel)
{
    return !rel->known || rel->major > 1 || (rel->major == 1 && rel->minor >= 7);
}

int pw_containerd_config_version(const struct pw_toml_doc *doc, int *version, struct pw_err *err)
{
    const struct pw_toml_entry *e = pw_toml_table_find(doc->root, "version", 7);
    *version = 0;
    if (!e && !doc->root->n)
        return 0;
    if (!e || (e->val->type == PW_TOML_INTEGER && e->val->i == 1))
        return pw_err_set(err, PW_E_UNSUPPORTED,
                          "'%s' is a version 1 config (it has no 'version = 2' or later, as "
                          "containerd before 1.3 wrote); convert it first with `containerd "
                          "config migrate`",
                          doc->name);
    if (e->val->type != PW_TOML_INTEGER || e->val->i < 2 || e->val->i > 4)
        return pw_err_set(err, PW_E_UNSUPPORTED,
                          "'%s': config version '%s' is not supported (2, 3 or 4)", doc->name,
                          e->val->str ? e->val->str : pw_toml_type_name(e->val->type));
    *version = (int)e->val->i;
    return 0;
}

/* ---- paths ---- */

static void push(struct pw_toml_path *p, const char *s)
{
    pw_toml_path_push(p, s, strlen(s));
}

void pw_containerd_pull_timeout_path(int config_version, struct pw_toml_path *out)
{
    pw_toml_path_init(out);
    push(out, "plugins");
    push(out, config_version >= 3 ? CRI_IMAGES : CRI_V2);
    push(out, "image_pull_progress_timeout");
}

void pw_containerd_runtime_path(int config_version, const char *name, struct pw_toml_path *out)
{
    pw_toml_path_init(out);
    push(out, "plugins");
    push(out, config_version >= 3 ? CRI_RUNTIME : CRI_V2);
    push(out, "containerd");
    push(out, "runtimes");
    push(out, name);
}

/* ---- Go durations ---- */

static const struct {
    const char *name;
    uint64_t ns;
} units[] = {
    {"ns", 1},           {"us", 1000},         {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
    {"\xce\xbcs", 1000},                                            /* U+03BC Greek mu */
    {"ms", 1000000},     {"s", 1000000000ull}, {"m", 60000000000ull}, {"h", 3600000000000ull},
};

/* One "1.5h" segment; adds its nanoseconds to *total. */
static int duration_segment(const char **sp, uint64_t *total)
{
    const char *s = *sp;
    uint64_t whole = 0, frac = 0, scale = 1;
    int digits = 0;
    for (; isdigit((unsigned char)*s); s++, digits++) {
        if (whole > (UINT64_MAX - 9) / 10)
            return -1;
        whole = whole * 10 + (uint64_t)(*s - '0');
    }
    if (*s == '.')
        for (s++; isdigit((unsigned char)*s); s++, digits++)
            if (scale < 1000000000000000000ull) {
                frac = frac * 10 + (uint64_t)(*s - '0');
                scale *= 10;
            }
    if (!digits)
        return -1;
    size_t ulen = 0;
    while (s[ulen] && !isdigit((unsigned char)s[ulen]) && s[ulen] != '.')
        ulen++;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strlen(units[i].name) != ulen || memcmp(s, units[i].name, ulen))
            continue;
        uint64_t u = units[i].ns;
        if (whole > (uint64_t)INT64_MAX / u)
            return -1;
        uint64_t v = whole * u + (uint64_t)((double)frac * ((double)u / (double)scale));
        if (v > (uint64_t)INT64_MAX - *total)
            return -1;
        *total += v;
        *sp = s + ulen;
        return 0;
    }
    return -1;
}

int pw_containerd_duration_check(const char *text, struct pw_err *err)
{
    const char *s = text;
    uint64_t total = 0;
    if (*s == '-')
        return pw_err_set(err, PW_E_USAGE, "invalid duration '%s': must not be negative", text);
    if (*s == '+')
        s++;
    if (!strcmp(s, "0"))
        return 0;
    if (!*s)
        return pw_err_set(err, PW_E_USAGE, "invalid duration '%s'", text);
    while (*s)
        if (duration_segment(&s, &total))
            return pw_err_set(err, PW_E_USAGE,
                              "invalid duration '%s' (a Go duration such as '5m0s' or '90s')",
                              text);
    return 0;
}

/* ---- version 2 to version 3 ---- */

enum target { IMAGES, RUNTIME, SERVER };

/* A key of the version-2 CRI table, relative to it ("*" matches one part), where it goes in
 * version 3 (to NULL: the same relative key), and whether keys below it go along. After
 * containerd's plugins/cri/{images,runtime}/plugin.go migrateConfig and the 2.x config
 * structs (internal/cri/config). */
static const struct rule {
    const char *from;
    enum target target;
    const char *to;
    int subtree;
} rules[] = {
    {"sandbox_image", IMAGES, "pinned_images.sandbox", 0},
    {"registry", IMAGES, NULL, 1},
    {"image_decryption", IMAGES, NULL, 1},
    {"max_concurrent_downloads", IMAGES, NULL, 0},
    {"image_pull_progress_timeout", IMAGES, NULL, 0},
    {"image_pull_with_sync_fs", IMAGES, NULL, 0},
    {"stats_collect_period", IMAGES, NULL, 0},
    {"containerd.snapshotter", IMAGES, "snapshotter", 0},
    {"containerd.disable_snapshot_annotations", IMAGES, "disable_snapshot_annotations", 0},
    {"containerd.discard_unpacked_layers", IMAGES, "discard_unpacked_layers", 0},
    {"disable_tcp_service", SERVER, NULL, 0},
    {"stream_server_address", SERVER, NULL, 0},
    {"stream_server_port", SERVER, NULL, 0},
    {"stream_idle_timeout", SERVER, NULL, 0},
    {"enable_tls_streaming", SERVER, NULL, 0},
    {"x509_key_pair_streaming", SERVER, NULL, 1},
    {"cni.bin_dir", RUNTIME, "cni.bin_dirs", 0}, /* the value becomes a one-element array */
    {"cni.bin_dirs", RUNTIME, NULL, 0},
    {"cni.conf_dir", RUNTIME, NULL, 0},
    {"cni.max_conf_num", RUNTIME, NULL, 0},
    {"cni.setup_serially", RUNTIME, NULL, 0},
    {"cni.conf_template", RUNTIME, NULL, 0},
    {"cni.ip_pref", RUNTIME, NULL, 0},
    {"cni.use_internal_loopback", RUNTIME, NULL, 0},
    {"containerd.default_runtime_name", RUNTIME, NULL, 0},
    {"containerd.ignore_blockio_not_enabled_errors", RUNTIME, NULL, 0},
    {"containerd.ignore_rdt_not_enabled_errors", RUNTIME, NULL, 0},
    {"containerd.runtimes.*", RUNTIME, NULL, 0}, /* an empty runtime table */
    {"containerd.runtimes.*.runtime_type", RUNTIME, NULL, 0},
    {"containerd.runtimes.*.runtime_path", RUNTIME, NULL, 0},
    {"containerd.runtimes.*.pod_annotations", RUNTIME, NULL, 0},
    {"containerd.runtimes.*.container_annotations", RUNTIME, NULL, 0},
    {"containerd.runtimes.*.options", RUNTIME, NULL, 1},
    {"containerd.runtimes.*.privileged_without_host_devices", RUNTIME, NULL, 0},
    {"containerd.runtimes.*.privileged_without_host_devices_all_devices_allowed", RUNTIME, NULL, 0},
    {"containerd.runtimes.*.base_runtime_spec", RUNTIME, NULL, 0},
    {"containerd.runtimes.*.cni_conf_dir", RUNTIME, NULL, 0},
    {"containerd.runtimes.*.cni_max_conf_num", RUNTIME, NULL, 0},
    {"containerd.runtimes.*.snapshotter", RUNTIME, NULL, 0},
    {"containerd.runtimes.*.sandboxer", RUNTIME, NULL, 0},
    {"containerd.runtimes.*.sandbox_mode", RUNTIME, "containerd.runtimes.*.sandboxer", 0},
    {"containerd.runtimes.*.io_type", RUNTIME, NULL, 0},
    {"enable_selinux", RUNTIME, NULL, 0},
    {"selinux_category_range", RUNTIME, NULL, 0},
    {"max_container_log_line_size", RUNTIME, NULL, 0},
    {"disable_apparmor", RUNTIME, NULL, 0},
    {"restrict_oom_score_adj", RUNTIME, NULL, 0},
    {"disable_proc_mount", RUNTIME, NULL, 0},
    {"unset_seccomp_profile", RUNTIME, NULL, 0},
    {"tolerate_missing_hugetlb_controller", RUNTIME, NULL, 0},
    {"disable_hugetlb_controller", RUNTIME, NULL, 0},
    {"device_ownership_from_security_context", RUNTIME, NULL, 0},
    {"ignore_image_defined_volumes", RUNTIME, NULL, 0},
    {"netns_mounts_under_state_dir", RUNTIME, NULL, 0},
    {"enable_unprivileged_ports", RUNTIME, NULL, 0},
    {"enable_unprivileged_icmp", RUNTIME, NULL, 0},
    {"enable_cdi", RUNTIME, NULL, 0},
    {"cdi_spec_dirs", RUNTIME, NULL, 0},
    {"drain_exec_sync_io_timeout", RUNTIME, NULL, 0},
    {"ignore_deprecation_warnings", RUNTIME, NULL, 0},
};

/* How many parts of the dotted pattern match rel from its start; -1 on a mismatch. Sets
 * *star to the part "*" matched. */
static long pattern_match(const char *pattern, const struct pw_toml_path *rel, size_t from,
                          size_t *star)
{
    size_t i = from;
    const char *p = pattern;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (i >= rel->n)
            return -2; /* rel ends inside the pattern */
        if (n == 1 && *p == '*')
            *star = i;
        else if (rel->lens[i] != n || memcmp(rel->parts[i], p, n))
            return -1;
        i++;
        p = dot ? dot + 1 : p + n;
    }
    return (long)(i - from);
}

static void push_pattern(struct pw_toml_path *out, const char *pattern,
                         const struct pw_toml_path *rel, size_t star)
{
    const char *p = pattern;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n == 1 && *p == '*')
            pw_toml_path_push(out, rel->parts[star], rel->lens[star]);
        else
            pw_toml_path_push(out, p, n);
        p = dot ? dot + 1 : p + n;
    }
}

/* Maps one leaf under the version-2 CRI table (parts from 2 on). Returns 1 mapped, 0 to drop
 * (an empty table on the way to mapped keys), -1 without a mapping. */
static int map_cri_leaf(const struct pw_toml_path *path, int empty_table, struct pw_toml_path *out,
                        const struct rule **used)
{
    int prefix_of_rule = 0;
    for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
        size_t star = 0;
        long m = pattern_match(rules[r].from, path, 2, &star);
        if (m == -2) {
            prefix_of_rule = 1;
            continue;
        }
        if (m < 0 || (!rules[r].subtree && (size_t)m + 2 != path->n))
            continue;
        static const char *plugin[] = {CRI_IMAGES, CRI_RUNTIME, CRI_V2};
        pw_toml_path_init(out);
        push(out, "plugins");
        push(out, plugin[rules[r].target]);
        push_pattern(out, rules[r].to ? rules[r].to : rules[r].from, path, star);
        for (size_t i = 2 + (size_t)m; i < path->n; i++)
            pw_toml_path_push(out, path->parts[i], path->lens[i]);
        *used = &rules[r];
        return 1;
    }
    return empty_table && prefix_of_rule ? 0 : -1;
}

static int path_starts(const struct pw_toml_path *p, const char *a, const char *b)
{
    return p->n >= 2 && p->lens[0] == strlen(a) && !memcmp(p->parts[0], a, p->lens[0]) &&
           p->lens[1] == strlen(b) && !memcmp(p->parts[1], b, p->lens[1]);
}

/* Which version the fragment's keys are written for: its `version`, else its CRI tables. */
static int fragment_version(const struct pw_toml_doc *frag, const struct pw_toml_leaves *leaves,
                            int config_version)
{
    const struct pw_toml_entry *e = pw_toml_table_find(frag->root, "version", 7);
    if (e && e->val->type == PW_TOML_INTEGER)
        return (int)e->val->i;
    for (size_t i = 0; i < leaves->n; i++)
        if (path_starts(&leaves->v[i].path, "plugins", CRI_IMAGES) ||
            path_starts(&leaves->v[i].path, "plugins", CRI_RUNTIME))
            return 3;
    for (size_t i = 0; i < leaves->n; i++) {
        const struct pw_toml_leaf *l = &leaves->v[i];
        struct pw_toml_path out;
        const struct rule *rule = NULL;
        if (path_starts(&l->path, "plugins", CRI_V2) && l->path.n > 2) {
            int m = map_cri_leaf(&l->path, l->value->type == PW_TOML_TABLE, &out, &rule);
            if (m > 0)
                pw_toml_path_release(&out);
            if (m != 0 && (!rule || rule->target != SERVER))
                return 2;
        }
    }
    return config_version;
}

static int server_v4_key(const struct pw_toml_path *p)
{
    static const char *keys[] = {"grpc", "ttrpc", "debug", "metrics"};
    for (size_t i = 0; i < 4; i++)
        if (p->n && p->lens[0] == strlen(keys[i]) && !memcmp(p->parts[0], keys[i], p->lens[0]))
            return 1;
    return 0;
}

static void add_line(struct pw_buf *text, const struct pw_toml_path *path,
                     const struct pw_toml_doc *frag, const struct pw_toml_node *value,
                     int wrap_array)
{
    pw_toml_path_format(path, '"', text);
    pw_buf_adds(text, " = ");
    if (value->type == PW_TOML_TABLE) {
        pw_buf_adds(text, "{}");
    } else {
        if (wrap_array)
            pw_buf_addc(text, '[');
        pw_toml_value_format(frag, value, text);
        if (wrap_array)
            pw_buf_addc(text, ']');
    }
    pw_buf_addc(text, '\n');
}

/* One leaf of the fragment into text, as a full dotted key, translated when needed. */
static int translate_leaf(const struct pw_toml_doc *frag, const struct pw_toml_leaf *l, int from,
                          int to, struct pw_buf *text, struct pw_err *err)
{
    struct pw_buf name = PW_BUF_INIT;
    pw_toml_path_format(&l->path, '"', &name);
    int rc = 0;
    if (to >= 3 && from == 2 && path_starts(&l->path, "plugins", CRI_V2) && l->path.n > 2) {
        struct pw_toml_path out;
        const struct rule *rule = NULL;
        int m = map_cri_leaf(&l->path, l->value->type == PW_TOML_TABLE, &out, &rule);
        if (m < 0)
            rc = pw_err_set(err, PW_E_UNSUPPORTED,
                            "'%s' in '%s' has no version %d equivalent (containerd's v2 to v3 "
                            "migration does not carry it)",
                            name.buf, frag->name, to);
        else if (m > 0)
            add_line(text, &out, frag, l->value,
                     !strcmp(rule->from, "cni.bin_dir") && l->value->type != PW_TOML_ARRAY);
        if (m > 0)
            pw_toml_path_release(&out);
    } else if (to == 4 && from < 4 && server_v4_key(&l->path)) {
        rc = pw_err_set(err, PW_E_UNSUPPORTED,
                        "'%s' in '%s' has no version 4 equivalent here (containerd 2.3 moved "
                        "server settings into plugins); write it for version 4",
                        name.buf, frag->name);
    } else {
        add_line(text, &l->path, frag, l->value, 0);
    }
    pw_buf_release(&name);
    return rc;
}

int pw_containerd_translate(const struct pw_toml_doc *frag, int config_version,
                            struct pw_toml_doc **out, struct pw_err *err)
{
    struct pw_toml_leaves leaves = {NULL, 0, 0};
    pw_toml_leaves_collect(frag->root, &leaves);
    int from = fragment_version(frag, &leaves, config_version), rc = 0;
    struct pw_buf text = PW_BUF_INIT;
    if (from < 2 || from > 4)
        rc = pw_err_set(err, PW_E_UNSUPPORTED,
                        "'%s': fragment version %d is not supported (2, 3 or 4)", frag->name, from);
    else if (from > config_version)
        rc = pw_err_set(err, PW_E_UNSUPPORTED,
                        "'%s' is written for config version %d but the config is version %d",
                        frag->name, from, config_version);
    for (size_t i = 0; !rc && i < leaves.n; i++) {
        const struct pw_toml_leaf *l = &leaves.v[i];
        if (l->path.n == 1 && l->path.lens[0] == 7 && !memcmp(l->path.parts[0], "version", 7))
            continue;
        rc = translate_leaf(frag, l, from, config_version, &text, err);
    }
    if (!rc) {
        struct pw_err perr;
        pw_err_init(&perr);
        rc = pw_toml_parse(frag->name, text.buf, text.len, out, &perr);
        if (rc) /* two version-2 keys landing on one version-3 key */
            rc = pw_err_set(err, PW_E_UNSUPPORTED, "'%s' cannot be translated to version %d: %s",
                            frag->name, config_version, perr.msg);
    }
    pw_buf_release(&text);
    pw_toml_leaves_release(&leaves);
    return rc;
}
