/* Placeholder until manifest.c, vars.c, deps.c, version.c land (issue 2). */
#include <stdlib.h>
#include <string.h>
#include "deps.h"
#include "manifest.h"
#include "vars.h"
#include "version.h"

int pw_manifest_load(struct pw_manifest *m, const char *path, const struct pw_vars *vars,
                     struct pw_err *err)
{
    memset(m, 0, sizeof(*m));
    return pw_err_set(err, PW_E_UNSUPPORTED, "%s: manifests are not implemented yet", path);
}
void pw_manifest_release(struct pw_manifest *m) { (void)m; }
void pw_package_release(struct pw_package *p) { (void)p; }
void pw_manifest_doc(struct pw_buf *out) { (void)out; }
const char *pw_script_name(enum pw_script_kind k)
{
    static const char *n[] = {"preinst", "postinst", "prerm", "postrm", "pretrans", "posttrans"};
    return k < PW_SCRIPT_COUNT ? n[k] : "?";
}
const char *pw_entry_type_name(enum pw_entry_type t) { (void)t; return "file"; }
void pw_vars_init(struct pw_vars *v) { memset(v, 0, sizeof(*v)); }
void pw_vars_release(struct pw_vars *v) { pw_strvec_release(&v->keys); pw_strvec_release(&v->values); }
int pw_vars_parse_assignment(struct pw_vars *v, const char *arg, struct pw_err *err)
{ (void)v; return pw_err_set(err, PW_E_UNSUPPORTED, "--var %s: not implemented", arg); }
int pw_vars_load_file(struct pw_vars *v, const char *path, struct pw_err *err)
{ (void)v; return pw_err_set(err, PW_E_UNSUPPORTED, "--vars %s: not implemented", path); }
