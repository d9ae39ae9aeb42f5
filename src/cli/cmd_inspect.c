/* packwright inspect: what a .deb or .rpm holds (fields, scripts, files with digests), read
 * back through the format's reader, as text or as one JSON document. */
#include <stddef.h>
#include <stdio.h>

#include "../base/jsonw.h"
#include "../core/format.h"
#include "../core/pkginfo.h"
#include "cli.h"
#include "commands.h"
#include "out.h"

struct inspect_opts {
    int json;
};

static const struct pw_opt inspect_options[] = {
    {"json", 0, PW_OPT_FLAG, offsetof(struct inspect_opts, json), NULL, NULL,
     "print {\"packages\": [...]}, one object per FILE, as one JSON document"},
    PW_OPT_TABLE_END,
};

static const struct pw_cmd_spec inspect_spec = {
    "inspect",
    "[--json] FILE...",
    "Show the control fields or header tags, maintainer scripts and files (type, mode, owner, "
    "size, SHA-256) of .deb and .rpm packages.",
    inspect_options,
    1,
    -1,
};

/* Reads one package into info; prints the error and returns the exit status on failure. */
static int read_package(const char *path, struct pw_pkginfo *info)
{
    struct pw_err err;
    pw_err_init(&err);
    const struct pw_format *fmt = pw_format_probe_file(path, &err);
    if (fmt && !fmt->read)
        pw_err_set(&err, PW_E_UNSUPPORTED, "reading %s packages is not implemented", fmt->name);
    if (!fmt || !fmt->read || fmt->read(path, info, &err) < 0) {
        pw_err_prefix(&err, "inspect '%s': ", path);
        return pw_out_fail(&err);
    }
    return 0;
}

int cmd_inspect(int argc, char **argv)
{
    struct inspect_opts opts = {0};
    struct pw_strvec files = PW_STRVEC_INIT;
    int status = pw_cli_parse(&inspect_spec, &opts, argc, argv, &files);
    if (status >= 0) {
        pw_strvec_release(&files);
        return status;
    }
    status = 0;
    struct pw_buf out = PW_BUF_INIT;
    struct pw_jsonw w;
    pw_jsonw_init(&w, &out, 1);
    if (opts.json) {
        pw_jsonw_obj_open(&w, NULL);
        pw_jsonw_arr_open(&w, "packages");
    }
    for (size_t i = 0; i < files.n; i++) {
        struct pw_pkginfo info;
        pw_pkginfo_init(&info);
        int rc = read_package(files.v[i], &info);
        if (rc) {
            status = status ? status : rc;
        } else if (opts.json) {
            pw_pkginfo_render_json(&info, &w);
        } else {
            pw_buf_addf(&out, "%sfile: %s\n", out.len ? "\n" : "", files.v[i]);
            pw_pkginfo_render_text(&info, &out);
        }
        pw_pkginfo_release(&info);
    }
    if (opts.json) {
        pw_jsonw_arr_close(&w);
        pw_jsonw_obj_close(&w);
        pw_buf_addc(&out, '\n');
    }
    pw_cli_print(out.buf, out.len);
    pw_buf_release(&out);
    pw_strvec_release(&files);
    return status;
}
