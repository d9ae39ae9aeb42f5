#define _POSIX_C_SOURCE 200809L
#include "gpg.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../base/fs.h"

static void close_pair(int p[2])
{
    if (p[0] >= 0)
        close(p[0]);
    if (p[1] >= 0)
        close(p[1]);
}

static void child_exec(char *const argv[], int in[2], int out[2], int errp[2])
{
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(errp[1], 2);
    close_pair(in);
    close_pair(out);
    close_pair(errp);
    execvp(argv[0], argv);
    fprintf(stderr, "cannot run '%s': %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Feeds stdin and drains stdout/stderr together so that large inputs cannot deadlock. */
static int pump(int infd, const void *in, size_t inlen, int outfd, int errfd,
                struct pw_buf *out, struct pw_buf *errout)
{
    size_t sent = 0;
    if (inlen == 0) {
        close(infd);
        infd = -1;
    }
    while (outfd >= 0 || errfd >= 0) {
        struct pollfd p[3] = {{infd, POLLOUT, 0}, {outfd, POLLIN, 0}, {errfd, POLLIN, 0}};
        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (infd >= 0 && (p[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = write(infd, (const char *)in + sent, inlen - sent);
            if (n > 0)
                sent += (size_t)n;
            if (n < 0 && errno != EINTR && errno != EAGAIN)
                sent = inlen;
            if (sent >= inlen) {
                close(infd);
                infd = -1;
            }
        }
        for (int i = 1; i < 3; i++) {
            int *fd = i == 1 ? &outfd : &errfd;
            if (*fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char chunk[65536];
            ssize_t n = read(*fd, chunk, sizeof(chunk));
            if (n > 0) {
                struct pw_buf *dst = i == 1 ? out : errout;
                if (dst)
                    pw_buf_add(dst, chunk, (size_t)n);
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                close(*fd);
                *fd = -1;
            }
        }
    }
    if (infd >= 0)
        close(infd);
    return 0;
}

int pw_run(char *const argv[], const void *in, size_t inlen, struct pw_buf *out,
           struct pw_buf *errout, struct pw_err *err)
{
    int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1};
    if (pipe(pin) < 0 || pipe(pout) < 0 || pipe(perr) < 0) {
        int e = errno;
        close_pair(pin);
        close_pair(pout);
        close_pair(perr);
        return pw_err_errno(err, PW_E_FAIL, e, "cannot run '%s'", argv[0]);
    }
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close_pair(pin);
        close_pair(pout);
        close_pair(perr);
        return pw_err_errno(err, PW_E_FAIL, e, "cannot run '%s'", argv[0]);
    }
    if (pid == 0)
        child_exec(argv, pin, pout, perr);
    close(pin[0]);
    close(pout[1]);
    close(perr[1]);
    /* A child that exits early must not kill us with SIGPIPE while we feed it. */
    struct sigaction ign = {0}, old;
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &old);
    pump(pin[1], in, inlen, pout[0], perr[0], out, errout);
    sigaction(SIGPIPE, &old, NULL);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return pw_err_errno(err, PW_E_FAIL, errno, "cannot wait for '%s'", argv[0]);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* Keeps the last non-empty line of gpg's stderr for the message. */
static void last_line(const struct pw_buf *b, char *out, size_t size)
{
    size_t end = b->len;
    while (end && (b->buf[end - 1] == '\n' || b->buf[end - 1] == '\r'))
        end--;
    size_t start = end;
    while (start && b->buf[start - 1] != '\n')
        start--;
    snprintf(out, size, "%.*s", (int)(end - start), b->buf + start);
}

int pw_gpg_sign(const struct pw_gpg_opts *o, enum pw_gpg_mode mode, const void *data,
                size_t len, struct pw_buf *out, struct pw_err *err)
{
    char *argv[16];
    int n = 0;
    argv[n++] = "gpg";
    argv[n++] = "--batch";
    argv[n++] = "--no-tty";
    argv[n++] = "--yes";
    argv[n++] = "--digest-algo";
    argv[n++] = "SHA256";
    argv[n++] = "--local-user";
    argv[n++] = (char *)o->key;
    if (mode == PW_GPG_CLEARSIGN) {
        argv[n++] = "--clearsign";
    } else {
        if (mode == PW_GPG_DETACHED_ARMOR)
            argv[n++] = "--armor";
        argv[n++] = "--detach-sign";
    }
    argv[n++] = "--output";
    argv[n++] = "-";
    argv[n] = NULL;
    struct pw_buf gerr = PW_BUF_INIT;
    pw_buf_reset(out);
    int status = pw_run(argv, data, len, out, &gerr, err);
    if (status < 0) {
        pw_buf_release(&gerr);
        return pw_err_prefix(err, "signing with key '%s': ", o->key);
    }
    if (status != 0 || out->len == 0) {
        char line[512];
        last_line(&gerr, line, sizeof(line));
        pw_buf_release(&gerr);
        return pw_err_set(err, PW_E_SIGNATURE, "cannot sign with key '%s': %s", o->key,
                          line[0] ? line : "gpg failed");
    }
    pw_buf_release(&gerr);
    return 0;
}

int pw_gpg_export(const char *key, int armor, struct pw_buf *out, struct pw_err *err)
{
    char *argv[] = {"gpg", "--batch", "--no-tty", "--export-options", "export-minimal",
                    armor ? "--armor" : "--no-armor", "--export", (char *)key, NULL};
    struct pw_buf gerr = PW_BUF_INIT;
    pw_buf_reset(out);
    int status = pw_run(argv, NULL, 0, out, &gerr, err);
    pw_buf_release(&gerr);
    if (status < 0)
        return status;
    if (status != 0 || out->len == 0)
        return pw_err_set(err, PW_E_SIGNATURE, "cannot export public key '%s' (no such key?)",
                          key);
    return 0;
}

static int write_temp(const char *dir, const char *name, const void *data, size_t len,
                      char *path, size_t size, struct pw_err *err)
{
    snprintf(path, size, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || pw_fs_write_all(fd, data, len) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return pw_err_errno(err, PW_E_IO, e, "cannot write '%s'", path);
    }
    close(fd);
    return 0;
}

/* gpgv --status-fd 1: the VALIDSIG line carries the signing key's fingerprint. */
static void signer_from_status(const struct pw_buf *status, struct pw_buf *signer)
{
    const char *p = strstr(status->buf, "[GNUPG:] VALIDSIG ");
    if (!p || !signer)
        return;
    p += strlen("[GNUPG:] VALIDSIG ");
    size_t n = strcspn(p, " \n");
    pw_buf_reset(signer);
    pw_buf_add(signer, p, n);
}

int pw_gpg_verify(const char *keyring, const void *data, size_t len, const void *sig,
                  size_t siglen, struct pw_buf *signer, struct pw_err *err)
{
    const char *tmpbase = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/pw-gpgv-XXXXXX", tmpbase && *tmpbase ? tmpbase : "/tmp");
    if (!mkdtemp(dir))
        return pw_err_errno(err, PW_E_IO, errno, "cannot create a temporary directory");
    char datap[4200], sigp[4200];
    int rc = write_temp(dir, "data", data, len, datap, sizeof(datap), err);
    if (rc == 0 && sig)
        rc = write_temp(dir, "data.sig", sig, siglen, sigp, sizeof(sigp), err);
    struct pw_buf out = PW_BUF_INIT, gerr = PW_BUF_INIT;
    if (rc == 0) {
        char *argv[] = {"gpgv", "--status-fd", "1", "--keyring", (char *)keyring,
                        sig ? sigp : datap, sig ? datap : NULL, NULL};
        int status = pw_run(argv, NULL, 0, &out, &gerr, err);
        if (status < 0) {
            rc = status;
        } else if (status != 0 || !strstr(out.buf, "[GNUPG:] VALIDSIG ")) {
            char line[512];
            last_line(&gerr, line, sizeof(line));
            rc = pw_err_set(err, PW_E_SIGNATURE, "bad or untrusted signature (keyring '%s'): %s",
                            keyring, line[0] ? line : "gpgv failed");
        } else {
            signer_from_status(&out, signer);
        }
    }
    pw_buf_release(&out);
    pw_buf_release(&gerr);
    struct pw_err ignored;
    pw_fs_remove_tree(dir, &ignored);
    return rc;
}
