/* Runs the whole toml-test suite (../shared/conformance/toml-test): every valid case must
 * decode to the JSON beside it, every invalid case must be rejected with
 * `FILE:LINE:COL: message`. Prints the counts. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"
#include "tap.h"
#include "toml/toml.h"
#include "toml/toml_json.h"

static double parse_float(const char *s)
{
    const char *t = (*s == '+' || *s == '-') ? s + 1 : s;
    if (!strcmp(t, "nan"))
        return NAN;
    if (!strcmp(t, "inf"))
        return *s == '-' ? -INFINITY : INFINITY;
    return strtod(s, NULL);
}

static void norm_datetime(const char *s, char *out, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++) {
        char c = (char)toupper((unsigned char)s[i]);
        out[i] = c == ' ' ? 'T' : c;
    }
    out[i] = '\0';
    /* toml-test compares instants: "56.6" and "56.600" are the same */
    char *dot = strchr(out, '.');
    if (dot) {
        size_t end = strspn(dot + 1, "0123456789") + 1, keep = end;
        while (keep > 1 && dot[keep - 1] == '0')
            keep--;
        if (keep == 1)
            keep = 0;
        memmove(dot + keep, dot + end, strlen(dot + end) + 1);
    }
}

static int scalar_equal(const char *type, const char *got, const char *want)
{
    if (!strcmp(type, "integer"))
        return strtoll(got, NULL, 10) == strtoll(want, NULL, 10);
    if (!strcmp(type, "float")) {
        double g = parse_float(got), w = parse_float(want);
        return (isnan(g) && isnan(w)) || g == w;
    }
    if (!strncmp(type, "date", 4) || !strncmp(type, "time", 4)) {
        char a[128], b[128];
        norm_datetime(got, a, sizeof(a));
        norm_datetime(want, b, sizeof(b));
        return !strcmp(a, b);
    }
    return !strcmp(got, want);
}

static int is_scalar(const cJSON *j)
{
    return cJSON_IsObject(j) && cJSON_GetArraySize(j) == 2 &&
           cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "type")) &&
           cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "value"));
}

static int json_equal(const cJSON *got, const cJSON *want)
{
    if (is_scalar(want)) {
        if (!is_scalar(got))
            return 0;
        const char *gt = cJSON_GetObjectItemCaseSensitive(got, "type")->valuestring;
        const char *wt = cJSON_GetObjectItemCaseSensitive(want, "type")->valuestring;
        return !strcmp(gt, wt) &&
               scalar_equal(wt, cJSON_GetObjectItemCaseSensitive(got, "value")->valuestring,
                            cJSON_GetObjectItemCaseSensitive(want, "value")->valuestring);
    }
    if (cJSON_IsArray(want)) {
        int n = cJSON_GetArraySize(want);
        if (!cJSON_IsArray(got) || cJSON_GetArraySize(got) != n)
            return 0;
        for (int i = 0; i < n; i++)
            if (!json_equal(cJSON_GetArrayItem(got, i), cJSON_GetArrayItem(want, i)))
                return 0;
        return 1;
    }
    if (!cJSON_IsObject(want) || !cJSON_IsObject(got) ||
        cJSON_GetArraySize(got) != cJSON_GetArraySize(want))
        return 0;
    for (const cJSON *w = want->child; w; w = w->next) {
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(got, w->string);
        if (!g || !json_equal(g, w))
            return 0;
    }
    return 1;
}

static int check_valid(const char *dir, const char *rel)
{
    char path[4096], jpath[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    snprintf(jpath, sizeof(jpath), "%.*s.json", (int)(strlen(path) - 5), path);
    struct pw_buf text = PW_BUF_INIT, json = PW_BUF_INIT, want = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    struct pw_toml_doc *doc = NULL;
    int ok = 0;
    if (pw_fs_read_file(path, &text, &err) || pw_fs_read_file(jpath, &want, &err)) {
        printf("# %s\n", err.msg);
        goto out;
    }
    if (pw_toml_parse(rel, text.buf, text.len, &doc, &err)) {
        printf("# %s\n", err.msg);
        goto out;
    }
    pw_toml_json_write(doc->root, &json);
    cJSON *g = cJSON_Parse(json.buf), *w = cJSON_Parse(want.buf);
    ok = g && w && json_equal(g, w);
    if (!ok)
        printf("# got:  %s\n# want: %s\n", json.buf, want.buf);
    cJSON_Delete(g);
    cJSON_Delete(w);
out:
    pw_toml_doc_free(doc);
    pw_buf_release(&text);
    pw_buf_release(&json);
    pw_buf_release(&want);
    return ok;
}

/* Rejected, with "REL:LINE:COL: message". */
static int check_invalid(const char *dir, const char *rel, int verbose)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    struct pw_buf text = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    struct pw_toml_doc *doc = NULL;
    int ok = 0;
    if (pw_fs_read_file(path, &text, &err) == 0) {
        int rc = pw_toml_parse(rel, text.buf, text.len, &doc, &err);
        size_t n = strlen(rel), line = 0, col = 0;
        int used = 0;
        ok = rc == -PW_E_TOML && !strncmp(err.msg, rel, n) &&
             sscanf(err.msg + n, ":%zu:%zu: %n", &line, &col, &used) == 2 && used > 0 && line > 0 &&
             col > 0 && err.msg[n + (size_t)used] != '\0';
        if (verbose)
            printf("# %s\n", rc ? err.msg : "accepted");
    }
    pw_toml_doc_free(doc);
    pw_buf_release(&text);
    return ok;
}

int main(void)
{
    const char *shared = getenv("PW_SHARED_DIR");
    char dir[2048], list[4096];
    snprintf(dir, sizeof(dir), "%s/conformance/toml-test", shared ? shared : "../shared");
    snprintf(list, sizeof(list), "%s/files-toml-1.0.0", dir);
    FILE *f = fopen(list, "r");
    TAP_OK(f != NULL, "the toml-test file list '%s' is readable", list);
    if (!f)
        return tap_done();
    char line[4096];
    int valid = 0, valid_ok = 0, invalid = 0, invalid_ok = 0;
    int verbose = getenv("TOML_TEST_VERBOSE") != NULL;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        size_t n = strlen(line);
        if (n < 5 || strcmp(line + n - 5, ".toml"))
            continue;
        if (!strncmp(line, "valid/", 6)) {
            int ok = check_valid(dir, line);
            valid++;
            valid_ok += ok;
            TAP_OK(ok, "valid %s", line);
        } else if (!strncmp(line, "invalid/", 8)) {
            int ok = check_invalid(dir, line, verbose);
            invalid++;
            invalid_ok += ok;
            TAP_OK(ok, "invalid %s rejected with FILE:LINE:COL", line);
        }
    }
    fclose(f);
    printf("# toml-test: valid %d/%d decoded, invalid %d/%d rejected\n", valid_ok, valid,
           invalid_ok, invalid);
    TAP_OK(valid > 200 && invalid > 400, "the suite is complete (%d valid, %d invalid)", valid,
           invalid);
    return tap_done();
}
