/* The repository building blocks: the index format, deb822 stanzas, compression, Release
 * dates and the name rules that keep pool paths inside the pool. */
#include <stdlib.h>
#include <string.h>

#include "core/repo_compress.h"
#include "core/repo_db.h"
#include "core/repo_deb822.h"
#include "core/repo_int.h"
#include "tap.h"

static void index_round_trip(void)
{
    struct pw_repo_db db, back;
    pw_repo_db_init(&db);
    pw_repo_db_init(&back);
    struct pw_repo_rec *r = pw_repo_db_add(&db);
    pw_repo_rec_set(r, "type", "deb");
    pw_repo_rec_setn(r, "stanza", "Package: a\nDescription: x\n y\n", 30);
    pw_repo_rec_setn(r, "binary", "a\0b\n", 4);
    pw_repo_rec_set_int(r, "size", -5);
    pw_repo_rec_add_word(r, "suites", "testing");
    pw_repo_rec_add_word(r, "suites", "stable");
    TAP_INT_EQ(pw_repo_rec_add_word(r, "suites", "stable"), 0, "adding a word twice is a no-op");
    TAP_STR_EQ(pw_repo_rec_str(r, "suites"), "stable testing", "word lists stay sorted");
    pw_repo_db_add(&db); /* an empty record */
    struct pw_buf out = PW_BUF_INIT;
    pw_repo_db_serialize(&db, &out);
    struct pw_err err;
    pw_err_init(&err);
    TAP_INT_EQ(pw_repo_db_parse(&back, out.buf, out.len, "t", &err), 0, "index parses back");
    TAP_INT_EQ(back.n, 2, "both records");
    const struct pw_repo_rec *b = back.recs[0];
    TAP_STR_EQ(pw_repo_rec_get(b, "stanza"), "Package: a\nDescription: x\n y\n", "newlines kept");
    TAP_OK(b->kv[2].len == 4 && !memcmp(b->kv[2].val, "a\0b\n", 4), "NUL bytes kept");
    TAP_INT_EQ(pw_repo_rec_int(b, "size"), -5, "integers");
    TAP_OK(pw_repo_db_find(&back, "deb", "suites", "stable testing") == back.recs[0], "find");
    TAP_INT_EQ(pw_repo_rec_del_word(back.recs[0], "suites", "testing"), 1, "word removed");
    TAP_STR_EQ(pw_repo_rec_str(back.recs[0], "suites"), "stable", "the rest stays");
    pw_repo_db_release(&back);
    pw_repo_db_init(&back);
    TAP_OK(pw_repo_db_parse(&back, out.buf, out.len - 3, "t", &err) < 0, "truncated index refused");
    TAP_OK(strstr(err.msg, "damaged repository index") != NULL, "with a message: %s", err.msg);
    pw_repo_db_release(&back);
    pw_repo_db_init(&back);
    TAP_INT_EQ(pw_repo_db_parse(&back, "R 1\n", 4, "t", &err), -PW_E_FORMAT, "no magic refused");
    pw_repo_db_release(&back);
    pw_repo_db_release(&db);
    pw_buf_release(&out);
}

/* Version 1 indexes (before keys and values ended in NUL bytes) still load; unchanged version
 * 2 records are written back as the bytes they came from, changed ones are formatted. */
static void index_versions(void)
{
    static const char v1[] = "packwright-repo-index 1\nR 2\ntype 3\ndeb\npath 5\npool/\n";
    struct pw_repo_db db, again;
    struct pw_err err;
    pw_err_init(&err);
    pw_repo_db_init(&db);
    pw_repo_db_init(&again);
    TAP_INT_EQ(pw_repo_db_parse(&db, v1, sizeof(v1) - 1, "v1", &err), 0, "version 1 parses");
    TAP_STR_EQ(pw_repo_rec_str(db.recs[0], "path"), "pool/", "version 1 values");
    TAP_OK(db.recs[0]->loaded && !db.recs[0]->src, "loaded, but not reusable as bytes");
    struct pw_buf out = PW_BUF_INIT, out2 = PW_BUF_INIT;
    pw_repo_db_serialize(&db, &out);
    TAP_OK(!strncmp(out.buf, "packwright-repo-index 2\n", 24), "written as version 2");
    TAP_INT_EQ(pw_repo_db_parse(&again, out.buf, out.len, "v2", &err), 0, "version 2 parses");
    TAP_OK(again.recs[0]->src != NULL, "a version 2 record remembers its bytes");
    pw_repo_db_serialize(&again, &out2);
    TAP_OK(out2.len == out.len && !memcmp(out.buf, out2.buf, out.len), "unchanged: same bytes");
    pw_repo_rec_set(again.recs[0], "path", "pool/x");
    TAP_OK(again.recs[0]->src == NULL, "a change forgets the bytes");
    pw_buf_reset(&out2);
    pw_repo_db_serialize(&again, &out2);
    TAP_OK(memmem(out2.buf, out2.len, "pool/x", 6) != NULL, "and writes the new value");
    pw_buf_release(&out);
    pw_buf_release(&out2);
    pw_repo_db_release(&db);
    pw_repo_db_release(&again);
}

static void stanzas(void)
{
    const char *text = "\nPackage: pw\nDescription: short\n long line\n .\n more\n"
                       "SHA256:\n abc 12 main/Packages\n\nPackage: two\n";
    struct pw_deb822 st;
    pw_deb822_init(&st);
    struct pw_err err;
    size_t pos = 0;
    TAP_INT_EQ(pw_deb822_next(text, strlen(text), &pos, "t", &st, &err), 1, "first stanza");
    TAP_STR_EQ(pw_deb822_get(&st, "description"), "short\n long line\n .\n more",
               "continuation lines keep their blank; lookup ignores case");
    TAP_STR_EQ(pw_deb822_get(&st, "SHA256"), "\n abc 12 main/Packages", "hash list value");
    struct pw_buf out = PW_BUF_INIT;
    pw_deb822_write(&st, &out);
    TAP_STR_EQ(out.buf,
               "Package: pw\nDescription: short\n long line\n .\n more\nSHA256:\n abc 12 "
               "main/Packages\n",
               "written back as read");
    TAP_INT_EQ(pw_deb822_next(text, strlen(text), &pos, "t", &st, &err), 1, "second stanza");
    TAP_STR_EQ(pw_deb822_get(&st, "Package"), "two", "its field");
    TAP_INT_EQ(pw_deb822_next(text, strlen(text), &pos, "t", &st, &err), 0, "end");
    pos = 0;
    TAP_OK(pw_deb822_next(" orphan\n", 8, &pos, "f", &st, &err) < 0, "orphan continuation");
    TAP_STR_EQ(err.msg, "f:1: continuation line without a field", "located message");
    pw_deb822_release(&st);
    pw_buf_release(&out);
}

static void compression(void)
{
    char text[5000];
    for (size_t i = 0; i < sizeof(text); i++)
        text[i] = (char)('a' + i % 7);
    enum pw_compress_method m[] = {PW_COMPRESS_GZIP, PW_COMPRESS_XZ, PW_COMPRESS_ZSTD,
                                   PW_COMPRESS_NONE};
    for (int i = 0; i < 4; i++) {
        struct pw_buf z = PW_BUF_INIT, z2 = PW_BUF_INIT, back = PW_BUF_INIT;
        struct pw_err err;
        TAP_INT_EQ(pw_repo_compress(m[i], text, sizeof(text), &z, &err), 0, "compress %d", i);
        pw_repo_compress(m[i], text, sizeof(text), &z2, &err);
        TAP_OK(z.len == z2.len && !memcmp(z.buf, z2.buf, z.len), "deterministic %d", i);
        TAP_INT_EQ(pw_repo_decompress(z.buf, z.len, "t", &back, &err), 0, "decompress %d", i);
        TAP_OK(back.len == sizeof(text) && !memcmp(back.buf, text, back.len), "round trip %d",
               i);
        if (m[i] == PW_COMPRESS_GZIP)
            TAP_OK(z.len > 8 && !memcmp(z.buf + 4, "\0\0\0\0", 4), "gzip header has no mtime");
        if (m[i] != PW_COMPRESS_NONE) {
            pw_buf_reset(&back);
            TAP_INT_EQ(pw_repo_decompress(z.buf, z.len / 2, "half", &back, &err), -PW_E_FORMAT,
                       "truncated stream refused %d", i);
        }
        pw_buf_release(&z);
        pw_buf_release(&z2);
        pw_buf_release(&back);
    }
}

static void dates(void)
{
    struct pw_buf b = PW_BUF_INIT;
    pw_repo_rfc1123(1700000000, &b);
    TAP_STR_EQ(b.buf, "Tue, 14 Nov 2023 22:13:20 UTC", "RFC 1123, UTC, C-locale names");
    int64_t t = 0;
    TAP_INT_EQ(pw_repo_parse_rfc1123(b.buf, &t), 0, "parses back");
    TAP_INT_EQ(t, 1700000000, "same time");
    TAP_INT_EQ(pw_repo_parse_rfc1123("Tue, 14 Nov 2023 22:13:20 +0000", &t), 0, "+0000 zone");
    TAP_OK(pw_repo_parse_rfc1123("Tue, 14 Nov 2023 14:13:20 -0800", &t) < 0, "-0800 refused");
    TAP_OK(pw_repo_parse_rfc1123("Tue, 14 Nov 2023 22:13:20 JST", &t) < 0, "JST refused");
    TAP_OK(pw_repo_parse_rfc1123("Di, 14 Nov 2023 22:13:20 UTC", &t) < 0, "localized refused");
    TAP_OK(pw_repo_parse_rfc1123("Mon, Jan 08 2024 10:00:00 UTC", &t) < 0, "wrong order refused");
    pw_buf_release(&b);
}

static void names(void)
{
    TAP_OK(pw_repo_safe_name("libfoo1.2+b~3", "+-.~"), "package-like name");
    TAP_OK(!pw_repo_safe_name("../x", "+-./"), "parent reference");
    TAP_OK(!pw_repo_safe_name("a/../b", "+-./"), "embedded ..");
    TAP_OK(!pw_repo_safe_name(".hidden", "+-."), "leading dot");
    TAP_OK(!pw_repo_safe_name("a b", "+-."), "blank");
    TAP_OK(pw_repo_safe_name("stable/updates", "+-._/"), "suite with a slash");
    TAP_OK(!pw_repo_safe_name("stable/", "+-._/"), "trailing slash");
    TAP_OK(pw_repo_safe_relpath("pool/main/p/pw/pw_1_all.deb"), "pool path");
    TAP_OK(!pw_repo_safe_relpath("/etc/passwd"), "absolute path");
    TAP_OK(!pw_repo_safe_relpath("pool/../../x"), "escaping path");
    TAP_OK(!pw_repo_safe_relpath("pool//x"), "double slash");
    TAP_OK(!pw_repo_safe_relpath("./x"), "dot segment");
}

int main(void)
{
    index_round_trip();
    index_versions();
    stanzas();
    compression();
    dates();
    names();
    return tap_done();
}
