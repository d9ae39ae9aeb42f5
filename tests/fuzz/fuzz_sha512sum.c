/* libFuzzer target: the sha512sum-format parser (sha512_url files come from the network) and
 * the archive member name normaliser, on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/sources.h"
#include "core/untar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct pw_err err;
    pw_err_init(&err);
    char hex[129];
    if (pw_sources_parse_sha512sum(text, "gvisor.tar.bz2", hex, &err) == 0 && strlen(hex) != 128)
        abort();
    struct pw_buf name = PW_BUF_INIT;
    if (pw_untar_normalise(text, &name) == 0 &&
        (name.buf[0] == '/' || strstr(name.buf, "//") || !strcmp(name.buf, "..") ||
         !strncmp(name.buf, "../", 3) || strstr(name.buf, "/../")))
        abort();
    pw_buf_release(&name);
    free(text);
    return 0;
}
