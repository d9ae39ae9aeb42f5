#include "udiff.h"

#include <stdlib.h>
#include <string.h>

#include "../base/err.h"

#define CONTEXT 3
#define MAX_D 4000

struct line {
    const char *p;
    size_t len; /* newline included */
};

struct lines {
    struct line *v;
    size_t n;
};

static void split(const char *s, size_t len, struct lines *out)
{
    size_t cap = 16;
    out->v = pw_xmalloc(cap * sizeof(*out->v));
    out->n = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - s) + 1 : len;
        if (out->n == cap) {
            cap *= 2;
            out->v = pw_xrealloc(out->v, cap * sizeof(*out->v));
        }
        out->v[out->n].p = s + i;
        out->v[out->n].len = end - i;
        out->n++;
        i = end;
    }
}

static int line_eq(const struct line *a, const struct line *b)
{
    return a->len == b->len && !memcmp(a->p, b->p, a->len);
}

/* Edit script: one byte per step, '=' keep, '-' delete from a, '+' insert from b. */
struct script {
    char *op;
    size_t n;
};

/* Myers: shortest edit script between a[0..n) and b[0..m); NULL when too different. */
static char *myers(const struct line *a, size_t n, const struct line *b, size_t m, size_t *len)
{
    size_t max = n + m, d;
    /* the trace keeps one V array per step: at most about 32 MiB */
    size_t dmax = (4u << 20) / (2 * max + 2);
    if (dmax > MAX_D)
        dmax = MAX_D;
    long off = (long)max;
    long *v = pw_xcalloc(2 * max + 2, sizeof(long));
    long **trace = pw_xcalloc(MAX_D + 1, sizeof(long *));
    int found = 0;
    for (d = 0; d <= max && d <= dmax; d++) {
        trace[d] = pw_xmalloc((2 * max + 2) * sizeof(long));
        memcpy(trace[d], v, (2 * max + 2) * sizeof(long));
        for (long k = -(long)d; k <= (long)d; k += 2) {
            long x = (k == -(long)d || (k != (long)d && v[off + k - 1] < v[off + k + 1]))
                         ? v[off + k + 1]
                         : v[off + k - 1] + 1;
            long y = x - k;
            while ((size_t)x < n && (size_t)y < m && line_eq(&a[x], &b[y]))
                x++, y++;
            v[off + k] = x;
            if ((size_t)x >= n && (size_t)y >= m) {
                found = 1;
                break;
            }
        }
        if (found)
            break;
    }
    char *ops = NULL;
    if (found) {
        ops = pw_xmalloc(n + m + 1);
        size_t pos = n + m;
        long x = (long)n, y = (long)m;
        for (long dd = (long)d; dd > 0; dd--) {
            const long *pv = trace[dd];
            long k = x - y;
            long pk = (k == -dd || (k != dd && pv[off + k - 1] < pv[off + k + 1])) ? k + 1 : k - 1;
            long px = pv[off + pk], py = px - pk;
            while (x > px && y > py)
                ops[--pos] = '=', x--, y--;
            ops[--pos] = x == px ? '+' : '-';
            x = px;
            y = py;
        }
        while (x > 0)
            ops[--pos] = '=', x--;
        memmove(ops, ops + pos, n + m - pos);
        *len = n + m - pos;
    }
    for (size_t i = 0; i <= MAX_D && trace[i]; i++)
        free(trace[i]);
    free(trace);
    free(v);
    return ops;
}

static void emit_line(struct pw_buf *out, char mark, const struct line *l)
{
    pw_buf_addc(out, mark);
    pw_buf_add(out, l->p, l->len);
    if (!l->len || l->p[l->len - 1] != '\n')
        pw_buf_adds(out, "\n\\ No newline at end of file\n");
}

static void range(struct pw_buf *out, char sign, size_t start, size_t count)
{
    pw_buf_addf(out, "%c%zu", sign, count ? start + 1 : start);
    if (count != 1)
        pw_buf_addf(out, ",%zu", count);
}

/* Prints the hunks of an edit script over the full line arrays. */
static void hunks(const struct lines *a, const struct lines *b, const char *ops, size_t n,
                  struct pw_buf *out)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && ops[i] == '=')
            i++;
        if (i == n)
            break;
        /* a hunk: from CONTEXT keeps before the change to where 2*CONTEXT keeps follow */
        size_t start = i >= CONTEXT ? i - CONTEXT : 0, end = i;
        for (;;) {
            while (end < n && ops[end] != '=')
                end++;
            size_t keep = end;
            while (keep < n && ops[keep] == '=' && keep - end < 2 * CONTEXT + 1)
                keep++;
            if (keep < n && ops[keep] != '=' && keep - end <= 2 * CONTEXT)
                end = keep;
            else
                break;
        }
        size_t stop = end + CONTEXT < n ? end + CONTEXT : n;
        while (stop > end && ops[stop - 1] != '=')
            stop--;
        size_t ai = 0, bi = 0;
        for (size_t k = 0; k < start; k++) {
            ai += ops[k] != '+';
            bi += ops[k] != '-';
        }
        size_t ac = 0, bc = 0;
        for (size_t k = start; k < stop; k++) {
            ac += ops[k] != '+';
            bc += ops[k] != '-';
        }
        pw_buf_adds(out, "@@ ");
        range(out, '-', ai, ac);
        pw_buf_addc(out, ' ');
        range(out, '+', bi, bc);
        pw_buf_adds(out, " @@\n");
        for (size_t k = start; k < stop; k++) {
            if (ops[k] == '=')
                emit_line(out, ' ', &a->v[ai++]), bi++;
            else if (ops[k] == '-')
                emit_line(out, '-', &a->v[ai++]);
            else
                emit_line(out, '+', &b->v[bi++]);
        }
        i = stop;
    }
}

void pw_udiff(const char *name_a, const char *a, size_t alen, const char *name_b, const char *b,
              size_t blen, struct pw_buf *out)
{
    if (alen == blen && (!alen || !memcmp(a, b, alen)))
        return;
    struct lines la, lb;
    split(a, alen, &la);
    split(b, blen, &lb);
    size_t pre = 0, suf = 0;
    while (pre < la.n && pre < lb.n && line_eq(&la.v[pre], &lb.v[pre]))
        pre++;
    while (suf < la.n - pre && suf < lb.n - pre &&
           line_eq(&la.v[la.n - 1 - suf], &lb.v[lb.n - 1 - suf]))
        suf++;
    size_t mlen = 0, n = la.n - pre - suf, m = lb.n - pre - suf;
    char *mid = myers(la.v + pre, n, lb.v + pre, m, &mlen);
    if (!mid) { /* too different: replace the middle whole */
        mid = pw_xmalloc(n + m + 1);
        memset(mid, '-', n);
        memset(mid + n, '+', m);
        mlen = n + m;
    }
    size_t total = pre + mlen + suf;
    char *ops = pw_xmalloc(total + 1);
    memset(ops, '=', pre);
    memcpy(ops + pre, mid, mlen);
    memset(ops + pre + mlen, '=', suf);
    pw_buf_addf(out, "--- %s\n+++ %s\n", name_a ? name_a : "/dev/null",
                name_b ? name_b : "/dev/null");
    hunks(&la, &lb, ops, total, out);
    free(mid);
    free(ops);
    free(la.v);
    free(lb.v);
}
