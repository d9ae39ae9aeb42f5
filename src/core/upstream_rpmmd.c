/* rpm-md metadata from an upstream repository: repomd.xml and primary.xml, parsed with expat
 * (never by hand). Untrusted input: document types and entity declarations are refused,
 * collected texts are capped, locations must be safe relative paths. */
#include "upstream.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX (64 * 1024)

/* State both documents share: the expat parser, a text collector and the first error. */
struct xmlctx {
    XML_Parser parser;
    int depth;
    int collecting;
    struct pw_buf text;
    struct pw_err *err;
    int failed;
};

static void xml_fail(struct xmlctx *x, int code, const char *msg, const char *subject)
{
    if (x->failed)
        return;
    x->failed = 1;
    pw_err_set(x->err, code, "line %lu: %s%s%s%s",
               (unsigned long)XML_GetCurrentLineNumber(x->parser), msg, subject ? " '" : "",
               subject ? subject : "", subject ? "'" : "");
    XML_StopParser(x->parser, XML_FALSE);
}

/* Expat reports namespaced names as "URI|local"; only the local part matters here. */
static const char *local_name(const char *name)
{
    const char *bar = strrchr(name, '|');
    return bar ? bar + 1 : name;
}

static const char *attr(const char **atts, const char *local)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (!strcmp(local_name(atts[i]), local))
            return atts[i + 1];
    return NULL;
}

static void XMLCALL on_text(void *data, const XML_Char *s, int len)
{
    struct xmlctx *x = data;
    if (!x->collecting || x->failed)
        return;
    if (x->text.len + (size_t)len > TEXT_MAX) {
        xml_fail(x, PW_E_FORMAT, "text too long", NULL);
        return;
    }
    pw_buf_add(&x->text, s, (size_t)len);
}

static void collect(struct xmlctx *x)
{
    pw_buf_reset(&x->text);
    x->collecting = 1;
}

static char *collected(struct xmlctx *x)
{
    x->collecting = 0;
    const char *s = x->text.buf;
    size_t n = x->text.len;
    while (n && (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return pw_xstrndup(s, n);
}

static void XMLCALL on_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int internal)
{
    xml_fail(data, PW_E_FORMAT, "document type declarations are not allowed", NULL);
}

static void XMLCALL on_entity(void *data, const XML_Char *name, int param, const XML_Char *value,
                              int value_len, const XML_Char *base, const XML_Char *sysid,
                              const XML_Char *pubid, const XML_Char *notation)
{
    xml_fail(data, PW_E_FORMAT, "entity declarations are not allowed", NULL);
}

static int xmlctx_init(struct xmlctx *x, void *user, XML_StartElementHandler start,
                       XML_EndElementHandler end, struct pw_err *err)
{
    memset(x, 0, sizeof(*x));
    pw_buf_init(&x->text);
    x->err = err;
    x->parser = XML_ParserCreateNS(NULL, '|');
    if (!x->parser)
        return pw_err_set(err, PW_E_FAIL, "cannot create an XML parser");
    XML_SetUserData(x->parser, user);
    XML_SetElementHandler(x->parser, start, end);
    XML_SetCharacterDataHandler(x->parser, on_text);
    XML_SetStartDoctypeDeclHandler(x->parser, on_doctype);
    XML_SetEntityDeclHandler(x->parser, on_entity);
    return 0;
}

static void xmlctx_release(struct xmlctx *x)
{
    if (x->parser)
        XML_ParserFree(x->parser);
    x->parser = NULL;
    pw_buf_release(&x->text);
}

/* Feeds one chunk; converts expat's verdict into a pw_err. */
static int xmlctx_feed(struct xmlctx *x, const void *data, size_t len, int last)
{
    while (!x->failed && (len || last)) {
        int n = len > (1u << 30) ? (1 << 30) : (int)len;
        int final = last && (size_t)n == len;
        if (XML_Parse(x->parser, data, n, final) == XML_STATUS_ERROR && !x->failed) {
            x->failed = 1;
            return pw_err_set(x->err, PW_E_FORMAT, "line %lu: %s",
                              (unsigned long)XML_GetCurrentLineNumber(x->parser),
                              XML_ErrorString(XML_GetErrorCode(x->parser)));
        }
        data = (const char *)data + n;
        len -= (size_t)n;
        if (final)
            break;
    }
    return x->failed ? -x->err->code : 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || strlen(s) > 19)
        return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

/* Validates a hex digest for algo and lowercases it in place; NULL when malformed. */
static char *checked_digest(char *hex, enum pw_hash_algo algo)
{
    if (strlen(hex) != 2 * pw_hash_len(algo)) {
        free(hex);
        return NULL;
    }
    for (char *c = hex; *c; c++) {
        if (*c >= 'A' && *c <= 'F')
            *c = (char)(*c - 'A' + 'a');
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f'))) {
            free(hex);
            return NULL;
        }
    }
    return hex;
}

/* ---- repomd.xml ---- */

struct repomd_parse {
    struct xmlctx x;
    struct pw_rpmmd_repomd *out;
    struct pw_rpmmd_data *cur;
    int root_seen;
    char *checksum_type;
};

void pw_rpmmd_repomd_init(struct pw_rpmmd_repomd *r)
{
    memset(r, 0, sizeof(*r));
}

void pw_rpmmd_repomd_release(struct pw_rpmmd_repomd *r)
{
    free(r->revision);
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].type);
        free(r->v[i].href);
        free(r->v[i].digest);
    }
    free(r->v);
    pw_rpmmd_repomd_init(r);
}

const struct pw_rpmmd_data *pw_rpmmd_repomd_find(const struct pw_rpmmd_repomd *r, const char *type)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->v[i].type, type))
            return &r->v[i];
    return NULL;
}

static void repomd_data_start(struct repomd_parse *p, const char **atts)
{
    const char *type = attr(atts, "type");
    if (!type || !*type) {
        xml_fail(&p->x, PW_E_FORMAT, "<data> without a type", NULL);
        return;
    }
    if (pw_rpmmd_repomd_find(p->out, type)) {
        xml_fail(&p->x, PW_E_FORMAT, "duplicate data type", type);
        return;
    }
    p->out->v = pw_xrealloc(p->out->v, (p->out->n + 1) * sizeof(*p->out->v));
    p->cur = &p->out->v[p->out->n++];
    memset(p->cur, 0, sizeof(*p->cur));
    p->cur->type = pw_xstrdup(type);
}

static void repomd_child_start(struct repomd_parse *p, const char *name, const char **atts)
{
    if (!strcmp(name, "checksum")) {
        free(p->checksum_type);
        const char *t = attr(atts, "type");
        p->checksum_type = pw_xstrdup(t ? t : "");
        collect(&p->x);
    } else if (!strcmp(name, "size")) {
        collect(&p->x);
    } else if (!strcmp(name, "location")) {
        const char *href = attr(atts, "href");
        const char *why = pw_upstream_location_check(href);
        if (why || attr(atts, "base")) {
            xml_fail(&p->x, PW_E_FORMAT, "unsafe or remote location", href ? href : "");
            return;
        }
        free(p->cur->href);
        p->cur->href = pw_xstrdup(href);
    }
}

static void XMLCALL repomd_start(void *data, const XML_Char *qname, const XML_Char **atts)
{
    struct repomd_parse *p = data;
    const char *name = local_name(qname);
    p->x.depth++;
    if (p->x.failed)
        return;
    if (p->x.depth == 1) {
        if (strcmp(name, "repomd"))
            xml_fail(&p->x, PW_E_FORMAT, "not a repomd document: root element", name);
        p->root_seen = 1;
    } else if (p->x.depth == 2 && !strcmp(name, "revision")) {
        collect(&p->x);
    } else if (p->x.depth == 2 && !strcmp(name, "data")) {
        repomd_data_start(p, atts);
    } else if (p->x.depth == 3 && p->cur) {
        repomd_child_start(p, name, atts);
    }
}

static void repomd_checksum_end(struct repomd_parse *p)
{
    char *hex = collected(&p->x);
    enum pw_hash_algo algo;
    if (pw_upstream_hash_algo(p->checksum_type, &algo) < 0) {
        free(hex);
        xml_fail(&p->x, PW_E_FORMAT, "weak or unsupported checksum type", p->checksum_type);
        return;
    }
    hex = checked_digest(hex, algo);
    if (!hex) {
        xml_fail(&p->x, PW_E_FORMAT, "malformed checksum of", p->cur->type);
        return;
    }
    free(p->cur->digest);
    p->cur->digest = hex;
    p->cur->algo = algo;
}

static void XMLCALL repomd_end(void *data, const XML_Char *qname)
{
    struct repomd_parse *p = data;
    const char *name = local_name(qname);
    int depth = p->x.depth--;
    if (p->x.failed)
        return;
    if (depth == 2 && !strcmp(name, "revision")) {
        free(p->out->revision);
        p->out->revision = collected(&p->x);
    } else if (depth == 2 && !strcmp(name, "data")) {
        if (!p->cur->href || !p->cur->digest)
            xml_fail(&p->x, PW_E_FORMAT, "data without location or checksum:", p->cur->type);
        p->cur = NULL;
    } else if (depth == 3 && p->cur && !strcmp(name, "checksum")) {
        repomd_checksum_end(p);
    } else if (depth == 3 && p->cur && !strcmp(name, "size")) {
        char *s = collected(&p->x);
        if (parse_u64(s, &p->cur->size) < 0)
            xml_fail(&p->x, PW_E_FORMAT, "malformed size of", p->cur->type);
        free(s);
    }
}

int pw_rpmmd_repomd_parse(const char *xml, size_t len, struct pw_rpmmd_repomd *out,
                          struct pw_err *err)
{
    pw_rpmmd_repomd_release(out);
    struct repomd_parse p;
    memset(&p, 0, sizeof(p));
    p.out = out;
    int rc = xmlctx_init(&p.x, &p, repomd_start, repomd_end, err);
    if (rc == 0)
        rc = xmlctx_feed(&p.x, xml, len, 1);
    if (rc == 0 && !p.root_seen)
        rc = pw_err_set(err, PW_E_FORMAT, "empty document");
    xmlctx_release(&p.x);
    free(p.checksum_type);
    if (rc < 0) {
        pw_rpmmd_repomd_release(out);
        return pw_err_prefix(err, "repomd.xml: ");
    }
    return 0;
}

/* ---- primary.xml ---- */

enum primary_list { LIST_NONE, LIST_PROVIDES, LIST_REQUIRES };

struct pw_rpmmd_primary {
    struct xmlctx x;
    struct pw_upkgs *out;
    struct pw_upkg *pkg;
    enum primary_list list;
    char *checksum_type;
    struct pw_err local_err;
    int root_seen;
};

/* "[E:]V[-R]" from entry attributes; NULL without ver. Epoch "0" is left out. */
static char *evr_string(const char *epoch, const char *ver, const char *rel)
{
    if (!ver || !*ver)
        return NULL;
    struct pw_buf b = PW_BUF_INIT;
    if (epoch && *epoch && strcmp(epoch, "0"))
        pw_buf_addf(&b, "%s:", epoch);
    pw_buf_adds(&b, ver);
    if (rel && *rel)
        pw_buf_addf(&b, "-%s", rel);
    return pw_buf_detach(&b, NULL);
}

static int rpm_flags(const char *flags, enum pw_dep_op *op)
{
    static const struct {
        const char *name;
        enum pw_dep_op op;
    } map[] = {{"EQ", PW_DEP_EQ},
               {"LT", PW_DEP_LT},
               {"LE", PW_DEP_LE},
               {"GE", PW_DEP_GE},
               {"GT", PW_DEP_GT}};
    if (!flags) {
        *op = PW_DEP_ANY;
        return 0;
    }
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(flags, map[i].name)) {
            *op = map[i].op;
            return 0;
        }
    return -1;
}

static int make_rel(const char **atts, struct pw_urel *r)
{
    const char *name = attr(atts, "name");
    if (!name || !*name || rpm_flags(attr(atts, "flags"), &r->op) < 0)
        return -1;
    r->version = evr_string(attr(atts, "epoch"), attr(atts, "ver"), attr(atts, "rel"));
    if (r->op != PW_DEP_ANY && !r->version)
        return -1;
    if (r->op == PW_DEP_ANY) {
        free(r->version);
        r->version = NULL;
    }
    r->name = pw_xstrdup(name);
    return 0;
}

static void add_clause(struct pw_upkg *pkg, struct pw_urel *alts, size_t n)
{
    pkg->deps = pw_xrealloc(pkg->deps, (pkg->ndeps + 1) * sizeof(*pkg->deps));
    pkg->deps[pkg->ndeps].alts = alts;
    pkg->deps[pkg->ndeps].nalts = n;
    pkg->ndeps++;
}

/* Rich dependencies: "(a or b >= 1 or c)" becomes one clause, "(a and (b or c))" two;
 * conditional forms (if, unless, with, without) are not followed. */
static const char *rich_skip_ws(const char *s)
{
    while (*s == ' ')
        s++;
    return s;
}

static int rich_word(const char **s, char *out, size_t size)
{
    const char *p = rich_skip_ws(*s);
    size_t n = 0;
    if (*p == '(' || *p == ')' || !*p)
        return -1;
    while (p[n] && p[n] != ' ' && p[n] != '(' && p[n] != ')')
        n++;
    if (n >= size)
        return -1;
    memcpy(out, p, n);
    out[n] = '\0';
    *s = p + n;
    return 0;
}

/* A simple operand "name [op evr]" into r. */
static int rich_simple(const char **s, struct pw_urel *r)
{
    char name[512], op[4], ver[512];
    static const char *const ops[] = {"<", "<=", "=", ">=", ">"};
    static const enum pw_dep_op opv[] = {PW_DEP_LT, PW_DEP_LE, PW_DEP_EQ, PW_DEP_GE, PW_DEP_GT};
    memset(r, 0, sizeof(*r));
    if (rich_word(s, name, sizeof(name)) < 0)
        return -1;
    const char *save = *s;
    if (rich_word(s, op, sizeof(op)) == 0) {
        for (size_t i = 0; i < 5; i++)
            if (!strcmp(op, ops[i])) {
                if (rich_word(s, ver, sizeof(ver)) < 0)
                    return -1;
                r->op = opv[i];
                r->version = pw_xstrdup(ver);
                break;
            }
        if (r->op == PW_DEP_ANY)
            *s = save;
    }
    r->name = pw_xstrdup(name);
    return 0;
}

static void rels_free(struct pw_urel *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].version);
    }
    free(v);
}

/* "(x or y or ...)" with simple operands: *s after the '('. */
static int rich_or(const char **s, struct pw_urel **alts, size_t *n)
{
    for (;;) {
        *alts = pw_xrealloc(*alts, (*n + 1) * sizeof(**alts));
        if (rich_simple(s, &(*alts)[*n]) < 0)
            return -1;
        ++*n;
        const char *p = rich_skip_ws(*s);
        if (*p == ')') {
            *s = p + 1;
            return 0;
        }
        if (strncmp(p, "or ", 3))
            return -1;
        *s = p + 3;
    }
}

static void add_rich(struct pw_upkg *pkg, const char *expr)
{
    const char *s = rich_skip_ws(expr);
    if (*s != '(')
        return;
    s++;
    const char *inner = rich_skip_ws(s);
    if (*inner != '(') {
        struct pw_urel *alts = NULL;
        size_t n = 0;
        if (rich_or(&s, &alts, &n) == 0 && !*rich_skip_ws(s))
            add_clause(pkg, alts, n);
        else
            rels_free(alts, n);
        return;
    }
    /* (( ... ) and ( ... ) ...): each operand its own clause */
    for (;;) {
        s = rich_skip_ws(s);
        if (*s != '(')
            return;
        s++;
        struct pw_urel *alts = NULL;
        size_t n = 0;
        if (rich_or(&s, &alts, &n) < 0) {
            rels_free(alts, n);
            return;
        }
        add_clause(pkg, alts, n);
        s = rich_skip_ws(s);
        if (*s == ')')
            return;
        if (strncmp(s, "and ", 4))
            return;
        s += 4;
    }
}

static void primary_entry(struct pw_rpmmd_primary *p, const char **atts)
{
    struct pw_urel r;
    memset(&r, 0, sizeof(r));
    const char *name = attr(atts, "name");
    if (p->list == LIST_REQUIRES && name && name[0] == '(') {
        add_rich(p->pkg, name);
        return;
    }
    if (p->list == LIST_REQUIRES && name && !strncmp(name, "rpmlib(", 7))
        return;
    if (make_rel(atts, &r) < 0) {
        free(r.version);
        xml_fail(&p->x, PW_E_FORMAT, "malformed dependency entry in package",
                 p->pkg->name ? p->pkg->name : "?");
        return;
    }
    if (p->list == LIST_PROVIDES) {
        p->pkg->provides =
            pw_xrealloc(p->pkg->provides, (p->pkg->nprovides + 1) * sizeof(*p->pkg->provides));
        p->pkg->provides[p->pkg->nprovides++] = r;
    } else {
        struct pw_urel *alt = pw_xmalloc(sizeof(*alt));
        *alt = r;
        add_clause(p->pkg, alt, 1);
    }
}

static void primary_location(struct pw_rpmmd_primary *p, const char **atts)
{
    const char *href = attr(atts, "href");
    const char *why = pw_upstream_location_check(href);
    if (why || attr(atts, "base")) {
        xml_fail(&p->x, PW_E_FORMAT, "unsafe or remote package location", href ? href : "");
        return;
    }
    free(p->pkg->location);
    p->pkg->location = pw_xstrdup(href);
}

static void primary_pkg_child(struct pw_rpmmd_primary *p, const char *name, const char **atts)
{
    if (!strcmp(name, "name") || !strcmp(name, "arch")) {
        collect(&p->x);
    } else if (!strcmp(name, "version")) {
        free(p->pkg->version);
        p->pkg->version = evr_string(attr(atts, "epoch"), attr(atts, "ver"), attr(atts, "rel"));
        if (!p->pkg->version)
            xml_fail(&p->x, PW_E_FORMAT, "package without a version", NULL);
    } else if (!strcmp(name, "checksum")) {
        free(p->checksum_type);
        const char *t = attr(atts, "type");
        p->checksum_type = pw_xstrdup(t ? t : "");
        collect(&p->x);
    } else if (!strcmp(name, "size")) {
        if (parse_u64(attr(atts, "package"), &p->pkg->size) < 0)
            xml_fail(&p->x, PW_E_FORMAT, "malformed package size", NULL);
    } else if (!strcmp(name, "location")) {
        primary_location(p, atts);
    }
}

static void XMLCALL primary_start(void *data, const XML_Char *qname, const XML_Char **atts)
{
    struct pw_rpmmd_primary *p = data;
    const char *name = local_name(qname);
    int depth = ++p->x.depth;
    if (p->x.failed)
        return;
    if (depth == 1) {
        if (strcmp(name, "metadata"))
            xml_fail(&p->x, PW_E_FORMAT, "not a primary document: root element", name);
        p->root_seen = 1;
    } else if (depth == 2 && !strcmp(name, "package")) {
        p->pkg = pw_upkgs_add(p->out);
    } else if (depth == 3 && p->pkg) {
        primary_pkg_child(p, name, atts);
    } else if (depth == 4 && p->pkg) {
        p->list = !strcmp(name, "provides")   ? LIST_PROVIDES
                  : !strcmp(name, "requires") ? LIST_REQUIRES
                                              : LIST_NONE;
        if (!strcmp(name, "file"))
            collect(&p->x);
    } else if (depth == 5 && p->pkg && p->list != LIST_NONE && !strcmp(name, "entry")) {
        primary_entry(p, atts);
    }
}

static void primary_checksum_end(struct pw_rpmmd_primary *p)
{
    char *hex = collected(&p->x);
    enum pw_hash_algo algo;
    if (pw_upstream_hash_algo(p->checksum_type, &algo) < 0) {
        free(hex); /* weak digest: kept as "no strong hash", refused if selected */
        return;
    }
    hex = checked_digest(hex, algo);
    if (!hex) {
        xml_fail(&p->x, PW_E_FORMAT, "malformed checksum of package",
                 p->pkg->name ? p->pkg->name : "?");
        return;
    }
    free(p->pkg->digest);
    p->pkg->digest = hex;
    p->pkg->algo = algo;
    free(p->pkg->sha256);
    p->pkg->sha256 = algo == PW_HASH_SHA256 ? pw_xstrdup(hex) : NULL;
}

static void primary_pkg_end(struct pw_rpmmd_primary *p)
{
    struct pw_upkg *k = p->pkg;
    if (!k->name || !*k->name || !k->arch || !*k->arch || !k->version || !k->location)
        xml_fail(&p->x, PW_E_FORMAT, "incomplete package entry",
                 k->name && *k->name ? k->name : NULL);
    p->pkg = NULL;
}

static void XMLCALL primary_end(void *data, const XML_Char *qname)
{
    struct pw_rpmmd_primary *p = data;
    const char *name = local_name(qname);
    int depth = p->x.depth--;
    if (p->x.failed || !p->pkg)
        return;
    if (depth == 2) {
        primary_pkg_end(p);
    } else if (depth == 3 && (!strcmp(name, "name") || !strcmp(name, "arch"))) {
        char **dst = name[0] == 'n' ? &p->pkg->name : &p->pkg->arch;
        free(*dst);
        *dst = collected(&p->x);
    } else if (depth == 3 && !strcmp(name, "checksum")) {
        primary_checksum_end(p);
    } else if (depth == 4 && !strcmp(name, "file")) {
        char *f = collected(&p->x);
        if (f[0] == '/')
            pw_strvec_push_owned(&p->pkg->files, f);
        else
            free(f);
    } else if (depth == 4) {
        p->list = LIST_NONE;
    }
}

struct pw_rpmmd_primary *pw_rpmmd_primary_new(struct pw_upkgs *out)
{
    struct pw_rpmmd_primary *p = pw_xcalloc(1, sizeof(*p));
    p->out = out;
    pw_err_init(&p->local_err);
    if (xmlctx_init(&p->x, p, primary_start, primary_end, &p->local_err) < 0) {
        pw_rpmmd_primary_free(p);
        return NULL;
    }
    return p;
}

int pw_rpmmd_primary_feed(struct pw_rpmmd_primary *p, const void *data, size_t len, int last,
                          struct pw_err *err)
{
    int rc = xmlctx_feed(&p->x, data, len, last);
    if (rc == 0 && last && !p->root_seen)
        rc = pw_err_set(&p->local_err, PW_E_FORMAT, "empty document");
    if (rc < 0) {
        *err = p->local_err;
        return pw_err_prefix(err, "primary.xml: ");
    }
    return 0;
}

void pw_rpmmd_primary_free(struct pw_rpmmd_primary *p)
{
    if (!p)
        return;
    xmlctx_release(&p->x);
    free(p->checksum_type);
    free(p);
}

/* ---- filelists.xml ---- */

struct by_digest {
    const char *digest;
    size_t i;
};

struct pw_rpmmd_filelists {
    struct xmlctx x;
    struct pw_upkgs *pkgs;
    struct by_digest *index; /* packages with a digest, sorted by it */
    size_t nindex;
    struct pw_upkg *pkg; /* the package being read, NULL when unknown */
    struct pw_err local_err;
    int root_seen;
};

static int digest_order(const void *a, const void *b)
{
    return strcmp(((const struct by_digest *)a)->digest, ((const struct by_digest *)b)->digest);
}

static struct pw_upkg *pkg_by_digest(struct pw_rpmmd_filelists *f, const char *pkgid)
{
    struct by_digest key = {pkgid, 0};
    struct by_digest *hit = bsearch(&key, f->index, f->nindex, sizeof(*f->index), digest_order);
    return hit ? &f->pkgs->v[hit->i] : NULL;
}

static void XMLCALL filelists_start(void *data, const XML_Char *qname, const XML_Char **atts)
{
    struct pw_rpmmd_filelists *f = data;
    const char *name = local_name(qname);
    int depth = ++f->x.depth;
    if (f->x.failed)
        return;
    if (depth == 1) {
        if (strcmp(name, "filelists"))
            xml_fail(&f->x, PW_E_FORMAT, "not a filelists document: root element", name);
        f->root_seen = 1;
    } else if (depth == 2 && !strcmp(name, "package")) {
        const char *pkgid = attr(atts, "pkgid");
        char *lower = pkgid ? pw_xstrdup(pkgid) : NULL;
        for (char *c = lower; c && *c; c++)
            if (*c >= 'A' && *c <= 'F')
                *c = (char)(*c - 'A' + 'a');
        f->pkg = lower ? pkg_by_digest(f, lower) : NULL;
        free(lower);
    } else if (depth == 3 && f->pkg && !strcmp(name, "file")) {
        collect(&f->x);
    }
}

static void XMLCALL filelists_end(void *data, const XML_Char *qname)
{
    struct pw_rpmmd_filelists *f = data;
    int depth = f->x.depth--;
    if (f->x.failed)
        return;
    if (depth == 2) {
        f->pkg = NULL;
    } else if (depth == 3 && f->pkg && !strcmp(local_name(qname), "file")) {
        char *path = collected(&f->x);
        if (path[0] == '/') /* repeats of primary's files do no harm */
            pw_strvec_push_owned(&f->pkg->files, path);
        else
            free(path);
    }
}

struct pw_rpmmd_filelists *pw_rpmmd_filelists_new(struct pw_upkgs *pkgs)
{
    struct pw_rpmmd_filelists *f = pw_xcalloc(1, sizeof(*f));
    f->pkgs = pkgs;
    f->index = pw_xcalloc(pkgs->n + 1, sizeof(*f->index));
    for (size_t i = 0; i < pkgs->n; i++)
        if (pkgs->v[i].digest)
            f->index[f->nindex++] = (struct by_digest){pkgs->v[i].digest, i};
    qsort(f->index, f->nindex, sizeof(*f->index), digest_order);
    pw_err_init(&f->local_err);
    if (xmlctx_init(&f->x, f, filelists_start, filelists_end, &f->local_err) < 0) {
        pw_rpmmd_filelists_free(f);
        return NULL;
    }
    return f;
}

int pw_rpmmd_filelists_feed(struct pw_rpmmd_filelists *f, const void *data, size_t len, int last,
                            struct pw_err *err)
{
    int rc = xmlctx_feed(&f->x, data, len, last);
    if (rc == 0 && last && !f->root_seen)
        rc = pw_err_set(&f->local_err, PW_E_FORMAT, "empty document");
    if (rc < 0) {
        *err = f->local_err;
        return pw_err_prefix(err, "filelists.xml: ");
    }
    return 0;
}

void pw_rpmmd_filelists_free(struct pw_rpmmd_filelists *f)
{
    if (!f)
        return;
    xmlctx_release(&f->x);
    free(f->index);
    free(f);
}
