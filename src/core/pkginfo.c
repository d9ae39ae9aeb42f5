#include "pkginfo.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/err.h"

void pw_pkginfo_init(struct pw_pkginfo *info)
{
    memset(info, 0, sizeof(*info));
}

void pw_pkginfo_release(struct pw_pkginfo *info)
{
    free(info->format);
    free(info->name);
    free(info->version);
    free(info->arch);
    for (size_t i = 0; i < info->nfields; i++) {
        free(info->fields[i].key);
        free(info->fields[i].value);
    }
    free(info->fields);
    for (size_t i = 0; i < info->nscripts; i++) {
        free(info->scripts[i].name);
        free(info->scripts[i].interpreter);
        free(info->scripts[i].body);
    }
    free(info->scripts);
    for (size_t i = 0; i < info->nfiles; i++) {
        struct pw_pkginfo_file *f = &info->files[i];
        free(f->path);
        free(f->owner);
        free(f->group);
        free(f->target);
        free(f->digest);
        free(f->digest_algo);
    }
    free(info->files);
    pw_pkginfo_init(info);
}

void pw_pkginfo_add_field(struct pw_pkginfo *info, const char *key, const char *value)
{
    info->fields = pw_xrealloc(info->fields, (info->nfields + 1) * sizeof(*info->fields));
    info->fields[info->nfields].key = pw_xstrdup(key);
    info->fields[info->nfields].value = pw_xstrdup(value ? value : "");
    info->nfields++;
}

const char *pw_pkginfo_field(const struct pw_pkginfo *info, const char *key)
{
    for (size_t i = 0; i < info->nfields; i++)
        if (!strcmp(info->fields[i].key, key))
            return info->fields[i].value;
    return NULL;
}

void pw_pkginfo_add_script(struct pw_pkginfo *info, const char *name, const char *interp,
                           const char *body)
{
    info->scripts = pw_xrealloc(info->scripts, (info->nscripts + 1) * sizeof(*info->scripts));
    struct pw_pkginfo_script *s = &info->scripts[info->nscripts++];
    s->name = pw_xstrdup(name);
    s->interpreter = interp ? pw_xstrdup(interp) : NULL;
    s->body = pw_xstrdup(body ? body : "");
}

struct pw_pkginfo_file *pw_pkginfo_add_file(struct pw_pkginfo *info)
{
    info->files = pw_xrealloc(info->files, (info->nfiles + 1) * sizeof(*info->files));
    struct pw_pkginfo_file *f = &info->files[info->nfiles++];
    memset(f, 0, sizeof(*f));
    return f;
}

static void render_mode(char type, unsigned mode, char out[11])
{
    static const char rwx[] = "rwxrwxrwx";
    out[0] = type == 'f' || type == 'g' || type == 'h' ? '-' : type;
    for (int i = 0; i < 9; i++)
        out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
    if (mode & 04000)
        out[3] = (mode & 0100) ? 's' : 'S';
    if (mode & 02000)
        out[6] = (mode & 010) ? 's' : 'S';
    if (mode & 01000)
        out[9] = (mode & 01) ? 't' : 'T';
    out[10] = '\0';
}

void pw_pkginfo_render_text(const struct pw_pkginfo *info, struct pw_buf *out)
{
    pw_buf_addf(out, "format: %s\n", info->format ? info->format : "?");
    for (size_t i = 0; i < info->nfields; i++) {
        const char *v = info->fields[i].value;
        pw_buf_addf(out, "%s:", info->fields[i].key);
        /* Multi-line values are shown indented, as in a control file. */
        for (const char *line = v; *line;) {
            const char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            pw_buf_addf(out, "%s%.*s\n", line == v ? " " : "  ", (int)len, line);
            line += len + (nl ? 1 : 0);
        }
        if (!*v)
            pw_buf_addc(out, '\n');
    }
    for (size_t i = 0; i < info->nscripts; i++)
        pw_buf_addf(out, "script %s (%s): %zu bytes\n", info->scripts[i].name,
                    info->scripts[i].interpreter ? info->scripts[i].interpreter : "-",
                    strlen(info->scripts[i].body));
    pw_buf_addf(out, "files: %zu\n", info->nfiles);
    for (size_t i = 0; i < info->nfiles; i++) {
        const struct pw_pkginfo_file *f = &info->files[i];
        char mode[11];
        render_mode(f->type, f->mode, mode);
        pw_buf_addf(out, "%s %s/%s %10" PRIu64 " %s %s", mode, f->owner ? f->owner : "root",
                    f->group ? f->group : "root", f->size, f->digest ? f->digest : "-", f->path);
        if (f->target)
            pw_buf_addf(out, " -> %s", f->target);
        pw_buf_addc(out, '\n');
    }
}

void pw_pkginfo_render_json(const struct pw_pkginfo *info, struct pw_jsonw *w)
{
    pw_jsonw_obj_open(w, NULL);
    pw_jsonw_str(w, "format", info->format);
    pw_jsonw_str(w, "name", info->name);
    pw_jsonw_str(w, "version", info->version);
    pw_jsonw_str(w, "arch", info->arch);
    pw_jsonw_obj_open(w, "fields");
    for (size_t i = 0; i < info->nfields; i++)
        pw_jsonw_str(w, info->fields[i].key, info->fields[i].value);
    pw_jsonw_obj_close(w);
    pw_jsonw_arr_open(w, "scripts");
    for (size_t i = 0; i < info->nscripts; i++) {
        pw_jsonw_obj_open(w, NULL);
        pw_jsonw_str(w, "name", info->scripts[i].name);
        pw_jsonw_str(w, "interpreter", info->scripts[i].interpreter);
        pw_jsonw_str(w, "body", info->scripts[i].body);
        pw_jsonw_obj_close(w);
    }
    pw_jsonw_arr_close(w);
    pw_jsonw_arr_open(w, "files");
    for (size_t i = 0; i < info->nfiles; i++) {
        const struct pw_pkginfo_file *f = &info->files[i];
        char t[2] = {f->type, 0};
        char mode[8];
        snprintf(mode, sizeof(mode), "%04o", f->mode);
        pw_jsonw_obj_open(w, NULL);
        pw_jsonw_str(w, "path", f->path);
        pw_jsonw_str(w, "type", t);
        pw_jsonw_str(w, "mode", mode);
        pw_jsonw_str(w, "owner", f->owner ? f->owner : "root");
        pw_jsonw_str(w, "group", f->group ? f->group : "root");
        pw_jsonw_int(w, "size", (int64_t)f->size);
        pw_jsonw_int(w, "mtime", f->mtime);
        if (f->target)
            pw_jsonw_str(w, "target", f->target);
        if (f->digest) {
            pw_jsonw_str(w, "digest", f->digest);
            pw_jsonw_str(w, "digest_algo", f->digest_algo);
        }
        pw_jsonw_int(w, "flags", f->flags);
        pw_jsonw_obj_close(w);
    }
    pw_jsonw_arr_close(w);
    pw_jsonw_obj_close(w);
}
