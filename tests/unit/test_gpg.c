/* gpg.c against a real gpg: a throwaway key in a private GNUPGHOME signs, gpgv verifies with
 * only the exported key, and a flipped byte is refused. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "core/gpg.h"
#include "tap.h"

static int make_key(const char *home)
{
    char *argv[] = {"gpg", "--batch", "--passphrase", "", "--quick-gen-key",
                    "packwright test <test@example.org>", "ed25519", "sign", "never", NULL};
    struct pw_err err;
    setenv("GNUPGHOME", home, 1);
    return pw_run(argv, NULL, 0, NULL, NULL, &err);
}

int main(void)
{
    char home[] = "/tmp/pw-gpg-test-XXXXXX";
    if (!mkdtemp(home))
        return 1;
    TAP_INT_EQ(make_key(home), 0, "throwaway key generated");

    struct pw_err err;
    pw_err_init(&err);
    const char data[] = "Origin: test\nSuite: stable\n";
    struct pw_buf sig = PW_BUF_INIT, key = PW_BUF_INIT, signer = PW_BUF_INIT;
    struct pw_gpg_opts o = {"test@example.org"};
    TAP_INT_EQ(pw_gpg_sign(&o, PW_GPG_DETACHED_ARMOR, data, strlen(data), &sig, &err), 0,
               "detached armored signature");
    TAP_OK(strstr(sig.buf, "BEGIN PGP SIGNATURE") != NULL, "signature is armored");
    TAP_INT_EQ(pw_gpg_export("test@example.org", 0, &key, &err), 0, "public key exported");

    char keyring[512];
    snprintf(keyring, sizeof(keyring), "%s/trusted.gpg", home);
    FILE *f = fopen(keyring, "wb");
    fwrite(key.buf, 1, key.len, f);
    fclose(f);
    TAP_INT_EQ(pw_gpg_verify(keyring, data, strlen(data), sig.buf, sig.len, &signer, &err), 0,
               "gpgv accepts the signature with the exported key only");
    TAP_OK(signer.len == 40 || signer.len == 64, "signer fingerprint reported (%s)", signer.buf);

    char tampered[sizeof(data)];
    memcpy(tampered, data, sizeof(data));
    tampered[0] = 'X';
    int rc = pw_gpg_verify(keyring, tampered, strlen(tampered), sig.buf, sig.len, NULL, &err);
    TAP_INT_EQ(rc, -PW_E_SIGNATURE, "a flipped byte is refused");
    TAP_OK(strstr(err.msg, "bad or untrusted signature") != NULL, "message says why: %s",
           err.msg);

    struct pw_buf clear = PW_BUF_INIT;
    TAP_INT_EQ(pw_gpg_sign(&o, PW_GPG_CLEARSIGN, data, strlen(data), &clear, &err), 0,
               "clearsigned");
    TAP_INT_EQ(pw_gpg_verify(keyring, clear.buf, clear.len, NULL, 0, NULL, &err), 0,
               "clearsigned text verifies");
    struct pw_gpg_opts bad = {"no-such-key@example.org"};
    rc = pw_gpg_sign(&bad, PW_GPG_DETACHED, data, strlen(data), &sig, &err);
    TAP_INT_EQ(rc, -PW_E_SIGNATURE, "unknown key refused");
    TAP_OK(strstr(err.msg, "no-such-key@example.org") != NULL, "message names the key");

    pw_buf_release(&sig);
    pw_buf_release(&key);
    pw_buf_release(&signer);
    pw_buf_release(&clear);
    char *kill_agent[] = {"gpgconf", "--kill", "gpg-agent", NULL};
    pw_run(kill_agent, NULL, 0, NULL, NULL, &err);
    pw_fs_remove_tree(home, &err);
    return tap_done();
}
