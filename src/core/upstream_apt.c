/* apt metadata from an upstream repository: the cleartext-signed InRelease, Release and its
 * hash lists, Packages stanzas and their relation fields. Untrusted input: every length is
 * checked, nothing is assumed to be NUL-free, malformed data is refused with the reason. */
#include "upstream.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- lines and deb822 fields ---- */

struct cursor {
    const char *p, *end;
};

/* Next line without its terminator (\n or \r\n); 0 at the end of the input. */
static int next_line(struct cursor *c, struct pw_str *line)
{
    if (c->p >= c->end)
        return 0;
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    const char *stop = nl ? nl : c->end;
    line->ptr = c->p;
    line->len = (size_t)(stop - c->p);
    if (line->len && line->ptr[line->len - 1] == '\r')
        line->len--;
    c->p = nl ? nl + 1 : c->end;
    return 1;
}

static int str_eq(struct pw_str s, const char *lit)
{
    return s.len == strlen(lit) && !memcmp(s.ptr, lit, s.len);
}

static int str_blank(struct pw_str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] != ' ' && s.ptr[i] != '\t')
            return 0;
    return 1;
}

static struct pw_str str_trim(struct pw_str s)
{
    while (s.len && isspace((unsigned char)s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && isspace((unsigned char)s.ptr[s.len - 1]))
        s.len--;
    return s;
}

struct field {
    struct pw_str name;
    struct pw_str value; /* first line and continuation lines, untrimmed */
};

/* Reads the next field of the current stanza. Returns 1 with a field, 0 at the end of the
 * stanza (blank line or end of input), negative on malformed input. Skips comment lines. */
static int next_field(struct cursor *c, struct field *f, size_t *lineno, struct pw_err *err)
{
    struct pw_str line;
    for (;;) {
        const char *save = c->p;
        if (!next_line(c, &line))
            return 0;
        ++*lineno;
        if (str_blank(line))
            return 0;
        if (line.ptr[0] == '#')
            continue;
        if (line.ptr[0] == ' ' || line.ptr[0] == '\t') {
            c->p = save;
            return pw_err_set(err, PW_E_FORMAT, "line %zu: continuation line without a field",
                              *lineno);
        }
        break;
    }
    const char *colon = memchr(line.ptr, ':', line.len);
    if (!colon || colon == line.ptr)
        return pw_err_set(err, PW_E_FORMAT, "line %zu: expected 'Field: value'", *lineno);
    f->name.ptr = line.ptr;
    f->name.len = (size_t)(colon - line.ptr);
    for (size_t i = 0; i < f->name.len; i++)
        if (isspace((unsigned char)f->name.ptr[i]) || (unsigned char)f->name.ptr[i] < 0x21)
            return pw_err_set(err, PW_E_FORMAT, "line %zu: invalid field name", *lineno);
    f->value.ptr = colon + 1;
    const char *vend = line.ptr + line.len;
    while (c->p < c->end && (c->p[0] == ' ' || c->p[0] == '\t')) {
        const char *save = c->p;
        struct pw_str cont;
        next_line(c, &cont);
        if (str_blank(cont)) { /* a whitespace-only line ends the stanza */
            c->p = save;
            break;
        }
        ++*lineno;
        vend = cont.ptr + cont.len;
    }
    f->value.len = (size_t)(vend - f->value.ptr);
    return 1;
}

static int name_is(struct pw_str name, const char *lit)
{
    return name.len == strlen(lit) && !strncasecmp(name.ptr, lit, name.len);
}

static char *str_dup_trim(struct pw_str s)
{
    s = str_trim(s);
    return pw_xstrndup(s.ptr, s.len);
}

static int parse_u64(struct pw_str s, uint64_t *out)
{
    s = str_trim(s);
    if (!s.len || s.len > 19)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s.ptr[i] - '0');
    }
    *out = v;
    return 0;
}

/* Exactly 2*pw_hash_len(algo) hex digits, returned in lowercase. */
static char *parse_digest(struct pw_str s, enum pw_hash_algo algo)
{
    s = str_trim(s);
    if (s.len != 2 * pw_hash_len(algo))
        return NULL;
    char *hex = pw_xstrndup(s.ptr, s.len);
    for (size_t i = 0; i < s.len; i++) {
        if (!isxdigit((unsigned char)hex[i])) {
            free(hex);
            return NULL;
        }
        hex[i] = (char)tolower((unsigned char)hex[i]);
    }
    return hex;
}

/* ---- InRelease ---- */

#define PGP_MSG_BEGIN "-----BEGIN PGP SIGNED MESSAGE-----"
#define PGP_SIG_BEGIN "-----BEGIN PGP SIGNATURE-----"
#define PGP_SIG_END "-----END PGP SIGNATURE-----"

static int skip_armor_headers(struct cursor *c, struct pw_err *err)
{
    struct pw_str line;
    int hash_seen = 0;
    while (next_line(c, &line)) {
        if (line.len == 0)
            return hash_seen ? 0
                             : pw_err_set(err, PW_E_FORMAT, "cleartext signature without 'Hash:'");
        if (line.len < 6 || memcmp(line.ptr, "Hash: ", 6))
            return pw_err_set(err, PW_E_FORMAT, "unexpected cleartext signature header");
        hash_seen = 1;
    }
    return pw_err_set(err, PW_E_FORMAT, "cleartext signature ends in its header");
}

/* Signed text up to the signature block; undoes dash-escaping and drops trailing whitespace,
 * which is what the signature covers. */
static int read_signed_text(struct cursor *c, struct pw_buf *content, struct pw_err *err)
{
    struct pw_str line;
    while (next_line(c, &line)) {
        if (str_eq(line, PGP_SIG_BEGIN))
            return content->len ? 0 : pw_err_set(err, PW_E_FORMAT, "empty signed message");
        if (line.len && line.ptr[0] == '-') {
            if (line.len < 2 || line.ptr[1] != ' ')
                return pw_err_set(err, PW_E_FORMAT, "unescaped dash line in signed message");
            line.ptr += 2;
            line.len -= 2;
        }
        while (line.len && (line.ptr[line.len - 1] == ' ' || line.ptr[line.len - 1] == '\t'))
            line.len--;
        pw_buf_add(content, line.ptr, line.len);
        pw_buf_addc(content, '\n');
    }
    return pw_err_set(err, PW_E_FORMAT, "signed message without a signature");
}

int pw_apt_clearsigned_split(const char *data, size_t len, struct pw_buf *content,
                             struct pw_err *err)
{
    pw_buf_reset(content);
    if (memchr(data, '\0', len))
        return pw_err_set(err, PW_E_FORMAT, "NUL byte in signed file");
    struct cursor c = {data, data + len};
    struct pw_str line;
    if (!next_line(&c, &line) || !str_eq(line, PGP_MSG_BEGIN))
        return pw_err_set(err, PW_E_FORMAT, "not a cleartext-signed file (no '%s' first)",
                          PGP_MSG_BEGIN);
    int rc = skip_armor_headers(&c, err);
    if (rc == 0)
        rc = read_signed_text(&c, content, err);
    if (rc < 0)
        return rc;
    int ended = 0;
    while (next_line(&c, &line)) {
        if (str_eq(line, PGP_SIG_END)) {
            ended = 1;
            break;
        }
        if (str_eq(line, PGP_MSG_BEGIN) || str_eq(line, PGP_SIG_BEGIN))
            return pw_err_set(err, PW_E_FORMAT, "nested armor inside the signature");
    }
    if (!ended)
        return pw_err_set(err, PW_E_FORMAT, "signature block not terminated");
    while (next_line(&c, &line))
        if (!str_blank(line))
            return pw_err_set(err, PW_E_FORMAT, "data after the signature block");
    return 0;
}

/* ---- Release ---- */

void pw_apt_release_init(struct pw_apt_release *r)
{
    memset(r, 0, sizeof(*r));
}

void pw_apt_release_release(struct pw_apt_release *r)
{
    free(r->origin);
    free(r->label);
    free(r->suite);
    free(r->codename);
    pw_strvec_release(&r->architectures);
    pw_strvec_release(&r->components);
    for (size_t i = 0; i < r->nfiles; i++) {
        free(r->files[i].path);
        free(r->files[i].digest);
    }
    free(r->files);
    pw_apt_release_init(r);
}

const struct pw_apt_relfile *pw_apt_release_find(const struct pw_apt_release *r, const char *path)
{
    for (size_t i = 0; i < r->nfiles; i++)
        if (!strcmp(r->files[i].path, path))
            return &r->files[i];
    return NULL;
}

static void split_words(struct pw_str v, struct pw_strvec *out)
{
    size_t i = 0;
    while (i < v.len) {
        while (i < v.len && isspace((unsigned char)v.ptr[i]))
            i++;
        size_t start = i;
        while (i < v.len && !isspace((unsigned char)v.ptr[i]))
            i++;
        if (i > start)
            pw_strvec_push_owned(out, pw_xstrndup(v.ptr + start, i - start));
    }
}

static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int read_num(const char **s, int digits_min, int digits_max, int *out)
{
    int v = 0, n = 0;
    while (n < digits_max && (*s)[0] >= '0' && (*s)[0] <= '9') {
        v = v * 10 + ((*s)[0] - '0');
        (*s)++;
        n++;
    }
    if (n < digits_min)
        return -1;
    *out = v;
    return 0;
}

static int expect_char(const char **s, char ch)
{
    if (**s != ch)
        return -1;
    (*s)++;
    return 0;
}

time_t pw_apt_date_parse(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *comma = strchr(s, ',');
    if (comma)
        s = comma + 1;
    while (*s == ' ')
        s++;
    int day, year, hh, mm, ss, mon = -1;
    if (read_num(&s, 1, 2, &day) < 0 || expect_char(&s, ' ') < 0)
        return -1;
    for (int i = 0; i < 12; i++)
        if (!strncmp(s, month_names[i], 3))
            mon = i;
    if (mon < 0)
        return -1;
    s += 3;
    if (expect_char(&s, ' ') < 0 || read_num(&s, 4, 4, &year) < 0 || expect_char(&s, ' ') < 0 ||
        read_num(&s, 2, 2, &hh) < 0 || expect_char(&s, ':') < 0 || read_num(&s, 2, 2, &mm) < 0 ||
        expect_char(&s, ':') < 0 || read_num(&s, 2, 2, &ss) < 0)
        return -1;
    while (*s == ' ')
        s++;
    if (strcmp(s, "UTC") && strcmp(s, "GMT") && strcmp(s, "Z") && strcmp(s, "+0000") &&
        strcmp(s, "UT"))
        return -1;
    if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || year < 1970)
        return -1;
    tm.tm_mday = day;
    tm.tm_mon = mon;
    tm.tm_year = year - 1900;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    return timegm(&tm);
}

static struct pw_apt_relfile *relfile_get(struct pw_apt_release *r, struct pw_str path)
{
    for (size_t i = 0; i < r->nfiles; i++)
        if (strlen(r->files[i].path) == path.len && !memcmp(r->files[i].path, path.ptr, path.len))
            return &r->files[i];
    r->files = pw_xrealloc(r->files, (r->nfiles + 1) * sizeof(*r->files));
    struct pw_apt_relfile *f = &r->files[r->nfiles++];
    memset(f, 0, sizeof(*f));
    f->path = pw_xstrndup(path.ptr, path.len);
    return f;
}

/* One " hex size path" line of a hash list. */
static int hash_line(struct pw_apt_release *r, struct pw_str line, enum pw_hash_algo algo,
                     struct pw_err *err)
{
    struct pw_str part[3];
    size_t i = 0;
    for (int k = 0; k < 3; k++) {
        while (i < line.len && isspace((unsigned char)line.ptr[i]))
            i++;
        size_t start = i;
        while (i < line.len && !isspace((unsigned char)line.ptr[i]))
            i++;
        part[k].ptr = line.ptr + start;
        part[k].len = i - start;
        if (!part[k].len)
            return pw_err_set(err, PW_E_FORMAT, "%s list: malformed line '%.*s'",
                              pw_hash_name(algo), PW_STR_ARG(line));
    }
    if (!str_blank((struct pw_str){line.ptr + i, line.len - i}))
        return pw_err_set(err, PW_E_FORMAT, "%s list: trailing data in '%.*s'", pw_hash_name(algo),
                          PW_STR_ARG(line));
    uint64_t size;
    char *hex = parse_digest(part[0], algo);
    if (!hex || parse_u64(part[1], &size) < 0) {
        free(hex);
        return pw_err_set(err, PW_E_FORMAT, "%s list: malformed line '%.*s'", pw_hash_name(algo),
                          PW_STR_ARG(line));
    }
    struct pw_apt_relfile *f = relfile_get(r, part[2]);
    if (f->digest && f->size != size) {
        free(hex);
        return pw_err_set(err, PW_E_FORMAT, "hash lists disagree on the size of '%s'", f->path);
    }
    f->size = size;
    if (!f->digest || algo == PW_HASH_SHA512) {
        free(f->digest);
        f->digest = hex;
        f->algo = algo;
    } else {
        free(hex);
    }
    return 0;
}

static int hash_list(struct pw_apt_release *r, struct pw_str value, enum pw_hash_algo algo,
                     struct pw_err *err)
{
    struct cursor c = {value.ptr, value.ptr + value.len};
    struct pw_str line = {NULL, 0}; /* empty when the value is */
    next_line(&c, &line); /* the field's own line is empty */
    if (!str_blank(line))
        return pw_err_set(err, PW_E_FORMAT, "%s list: data on the field line", pw_hash_name(algo));
    while (next_line(&c, &line)) {
        int rc = hash_line(r, line, algo, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int release_date(struct pw_str v, const char *what, time_t *out, struct pw_err *err)
{
    char *s = str_dup_trim(v);
    time_t t = pw_apt_date_parse(s);
    if (t == (time_t)-1) {
        int rc = pw_err_set(err, PW_E_FORMAT, "invalid '%s' entry '%s'", what, s);
        free(s);
        return rc;
    }
    free(s);
    *out = t;
    return 0;
}

static int release_field(struct pw_apt_release *r, const struct field *f, struct pw_err *err)
{
    char **str = name_is(f->name, "Origin")     ? &r->origin
                 : name_is(f->name, "Label")    ? &r->label
                 : name_is(f->name, "Suite")    ? &r->suite
                 : name_is(f->name, "Codename") ? &r->codename
                                                : NULL;
    if (str) {
        free(*str);
        *str = str_dup_trim(f->value);
    } else if (name_is(f->name, "Date")) {
        return release_date(f->value, "Date", &r->date, err);
    } else if (name_is(f->name, "Valid-Until")) {
        return release_date(f->value, "Valid-Until", &r->valid_until, err);
    } else if (name_is(f->name, "Architectures")) {
        split_words(f->value, &r->architectures);
    } else if (name_is(f->name, "Components")) {
        split_words(f->value, &r->components);
    } else if (name_is(f->name, "Acquire-By-Hash")) {
        struct pw_str v = str_trim(f->value);
        r->acquire_by_hash = str_eq(v, "yes");
    } else if (name_is(f->name, "SHA256")) {
        return hash_list(r, f->value, PW_HASH_SHA256, err);
    } else if (name_is(f->name, "SHA512")) {
        return hash_list(r, f->value, PW_HASH_SHA512, err);
    }
    return 0;
}

int pw_apt_release_parse(const char *text, size_t len, struct pw_apt_release *out,
                         struct pw_err *err)
{
    pw_apt_release_release(out);
    if (memchr(text, '\0', len))
        return pw_err_set(err, PW_E_FORMAT, "Release: NUL byte");
    struct cursor c = {text, text + len};
    size_t lineno = 0;
    struct field f;
    int rc;
    while ((rc = next_field(&c, &f, &lineno, err)) > 0)
        if ((rc = release_field(out, &f, err)) < 0)
            break;
    if (rc == 0) {
        struct pw_str rest;
        while (next_line(&c, &rest))
            if (!str_blank(rest))
                rc = pw_err_set(err, PW_E_FORMAT, "more than one stanza");
    }
    if (rc == 0 && out->nfiles == 0)
        rc = pw_err_set(err, PW_E_FORMAT, "no SHA256 or SHA512 list (only weak hashes or none)");
    if (rc < 0) {
        pw_apt_release_release(out);
        return pw_err_prefix(err, "Release: ");
    }
    return 0;
}

/* ---- relations ---- */

static const char *skip_ws(const char *s, const char *end)
{
    while (s < end && isspace((unsigned char)*s))
        s++;
    return s;
}

static int parse_op(const char **s, const char *end, enum pw_dep_op *op)
{
    static const struct {
        const char *text;
        enum pw_dep_op op;
    } ops[] = {{"<<", PW_DEP_LT}, {"<=", PW_DEP_LE}, {">=", PW_DEP_GE}, {">>", PW_DEP_GT},
               {"=", PW_DEP_EQ},  {"<", PW_DEP_LE},  {">", PW_DEP_GE}}; /* dpkg's old < and > */
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        size_t n = strlen(ops[i].text);
        if ((size_t)(end - *s) >= n && !memcmp(*s, ops[i].text, n)) {
            *s += n;
            *op = ops[i].op;
            return 0;
        }
    }
    return -1;
}

/* "name[:qual] [(op version)] [[arch...]] [<profile>...]" between s and end. */
static int parse_rel(const char *s, const char *end, struct pw_urel *rel, struct pw_err *err)
{
    memset(rel, 0, sizeof(*rel));
    s = skip_ws(s, end);
    const char *n0 = s;
    while (s < end && !isspace((unsigned char)*s) && *s != '(' && *s != '[' && *s != '<')
        s++;
    const char *n1 = s;
    const char *colon = memchr(n0, ':', (size_t)(n1 - n0));
    if (colon) /* arch qualifiers (:any, :native) do not change the name */
        n1 = colon;
    if (n1 == n0)
        return pw_err_set(err, PW_E_FORMAT, "relation '%.*s': missing package name",
                          (int)(end - n0), n0);
    s = skip_ws(s, end);
    if (s < end && *s == '(') {
        const char *close = memchr(s, ')', (size_t)(end - s));
        const char *v = skip_ws(s + 1, end);
        if (!close || parse_op(&v, close, &rel->op) < 0)
            return pw_err_set(err, PW_E_FORMAT, "relation '%.*s': malformed version constraint",
                              (int)(end - n0), n0);
        struct pw_str ver = str_trim((struct pw_str){v, (size_t)(close - v)});
        if (!ver.len)
            return pw_err_set(err, PW_E_FORMAT, "relation '%.*s': empty version", (int)(end - n0),
                              n0);
        rel->version = pw_xstrndup(ver.ptr, ver.len);
        s = close + 1;
    }
    rel->name = pw_xstrndup(n0, (size_t)(n1 - n0));
    return 0;
}

static void clause_release(struct pw_uclause *c)
{
    for (size_t i = 0; i < c->nalts; i++) {
        free(c->alts[i].name);
        free(c->alts[i].version);
    }
    free(c->alts);
}

static int parse_clause(const char *s, const char *end, struct pw_uclause *c, struct pw_err *err)
{
    memset(c, 0, sizeof(*c));
    while (s <= end) {
        const char *bar = memchr(s, '|', (size_t)(end - s));
        const char *stop = bar ? bar : end;
        c->alts = pw_xrealloc(c->alts, (c->nalts + 1) * sizeof(*c->alts));
        int rc = parse_rel(s, stop, &c->alts[c->nalts], err);
        if (rc < 0) {
            clause_release(c);
            return rc;
        }
        c->nalts++;
        if (!bar)
            break;
        s = bar + 1;
    }
    return 0;
}

int pw_apt_relations_parse(const char *value, struct pw_uclause **clauses, size_t *n,
                           struct pw_err *err)
{
    const char *s = value, *end = value + strlen(value);
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *stop = comma ? comma : end;
        if (skip_ws(s, stop) < stop) { /* an empty element (trailing comma) is tolerated */
            struct pw_uclause c;
            int rc = parse_clause(s, stop, &c, err);
            if (rc < 0)
                return rc;
            *clauses = pw_xrealloc(*clauses, (*n + 1) * sizeof(**clauses));
            (*clauses)[(*n)++] = c;
        }
        if (!comma)
            break;
        s = comma + 1;
    }
    return 0;
}

/* ---- Packages ---- */

struct stanza {
    struct pw_str package, version, arch, filename, size, sha256, sha512, depends, predepends,
        provides;
};

static void stanza_field(struct stanza *st, const struct field *f)
{
    static const struct {
        const char *name;
        size_t off;
    } known[] = {
        {"Package", offsetof(struct stanza, package)},
        {"Version", offsetof(struct stanza, version)},
        {"Architecture", offsetof(struct stanza, arch)},
        {"Filename", offsetof(struct stanza, filename)},
        {"Size", offsetof(struct stanza, size)},
        {"SHA256", offsetof(struct stanza, sha256)},
        {"SHA512", offsetof(struct stanza, sha512)},
        {"Depends", offsetof(struct stanza, depends)},
        {"Pre-Depends", offsetof(struct stanza, predepends)},
        {"Provides", offsetof(struct stanza, provides)},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (name_is(f->name, known[i].name))
            *(struct pw_str *)((char *)st + known[i].off) = f->value;
}

/* A relation field's value joined onto one line. */
static char *field_text(struct pw_str v)
{
    v = str_trim(v);
    char *s = pw_xstrndup(v.ptr, v.len);
    for (char *c = s; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t')
            *c = ' ';
    return s;
}

static int add_relations(struct pw_upkg *p, struct pw_str v, struct pw_err *err)
{
    if (!v.ptr)
        return 0;
    char *s = field_text(v);
    int rc = pw_apt_relations_parse(s, &p->deps, &p->ndeps, err);
    free(s);
    return rc;
}

static int add_provides(struct pw_upkg *p, struct pw_str v, struct pw_err *err)
{
    if (!v.ptr)
        return 0;
    struct pw_uclause *cl = NULL;
    size_t n = 0;
    char *s = field_text(v);
    int rc = pw_apt_relations_parse(s, &cl, &n, err);
    free(s);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < cl[i].nalts; j++) {
            struct pw_urel *r = &cl[i].alts[j];
            if (rc == 0 && r->op != PW_DEP_ANY && r->op != PW_DEP_EQ)
                rc = pw_err_set(err, PW_E_FORMAT, "Provides '%s': only '=' is allowed", r->name);
            p->provides = pw_xrealloc(p->provides, (p->nprovides + 1) * sizeof(*p->provides));
            p->provides[p->nprovides++] = *r;
        }
        free(cl[i].alts);
    }
    free(cl);
    return rc;
}

static int stanza_digest(struct pw_upkg *p, const struct stanza *st)
{
    if (st->sha256.ptr && !(p->sha256 = parse_digest(st->sha256, PW_HASH_SHA256)))
        return -1;
    if (st->sha512.ptr) {
        p->algo = PW_HASH_SHA512;
        p->digest = parse_digest(st->sha512, PW_HASH_SHA512);
    } else if (st->sha256.ptr) {
        p->algo = PW_HASH_SHA256;
        p->digest = parse_digest(st->sha256, PW_HASH_SHA256);
    } else {
        return 0; /* no strong hash: the mirror refuses to fetch it */
    }
    return p->digest ? 0 : -1;
}

static int stanza_to_pkg(const struct stanza *st, struct pw_upkg *p, struct pw_err *err)
{
    static const char *const required[] = {"Package", "Version", "Architecture", "Filename",
                                           "Size"};
    const struct pw_str *req[] = {&st->package, &st->version, &st->arch, &st->filename, &st->size};
    for (size_t i = 0; i < 5; i++)
        if (!req[i]->ptr || !str_trim(*req[i]).len)
            return pw_err_set(err, PW_E_FORMAT, "missing '%s'", required[i]);
    p->name = str_dup_trim(st->package);
    p->version = str_dup_trim(st->version);
    p->arch = str_dup_trim(st->arch);
    p->location = str_dup_trim(st->filename);
    const char *why = pw_upstream_location_check(p->location);
    if (why)
        return pw_err_set(err, PW_E_FORMAT, "package '%s': unsafe Filename '%s' (%s)", p->name,
                          p->location, why);
    if (parse_u64(st->size, &p->size) < 0)
        return pw_err_set(err, PW_E_FORMAT, "package '%s': malformed Size", p->name);
    if (stanza_digest(p, st) < 0)
        return pw_err_set(err, PW_E_FORMAT, "package '%s': malformed %s", p->name,
                          pw_hash_name(p->algo));
    int rc = add_relations(p, st->predepends, err);
    if (rc == 0)
        rc = add_relations(p, st->depends, err);
    if (rc == 0)
        rc = add_provides(p, st->provides, err);
    return rc < 0 ? pw_err_prefix(err, "package '%s': ", p->name) : 0;
}

int pw_apt_packages_parse(const char *text, size_t len, struct pw_upkgs *out, struct pw_err *err)
{
    if (memchr(text, '\0', len))
        return pw_err_set(err, PW_E_FORMAT, "Packages: NUL byte");
    struct cursor c = {text, text + len};
    size_t lineno = 0;
    while (c.p < c.end) {
        struct stanza st;
        memset(&st, 0, sizeof(st));
        size_t first = lineno + 1;
        struct field f;
        int rc, nfields = 0;
        while ((rc = next_field(&c, &f, &lineno, err)) > 0) {
            stanza_field(&st, &f);
            nfields++;
        }
        if (rc < 0)
            return pw_err_prefix(err, "Packages: ");
        if (!nfields)
            continue;
        struct pw_upkg *p = pw_upkgs_add(out);
        if ((rc = stanza_to_pkg(&st, p, err)) < 0)
            return pw_err_prefix(err, "Packages: stanza at line %zu: ", first);
    }
    return 0;
}
