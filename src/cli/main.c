#include <stdio.h>
#include <string.h>

#include "../base/buf.h"
#include "commands.h"
#include "out.h"

#ifndef PW_VERSION
#define PW_VERSION "0.0.0"
#endif

static void usage(FILE *to)
{
    fprintf(to, "usage: packwright [--version] [--help] COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; pw_command_at(i); i++)
        fprintf(to, "  %-10s %s\n", pw_command_at(i)->name, pw_command_at(i)->summary);
    fprintf(to, "\nRun 'packwright COMMAND --help' for the options of a command.\n"
                "Exit status: 0 ok, 1 failure, 2 usage, 3 invalid manifest, 4 checksum "
                "mismatch,\n5 download failed, 6 signature failed, 7 locked "
                "(doc/exit-codes.md).\n");
}

/* stdout errors (a full disk, a closed pipe) must not pass silently: git does the same. */
static int finish_stdout(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        pw_out_error("cannot write to standard output");
        return status ? status : 1;
    }
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
        printf("packwright %s\n", PW_VERSION);
        return finish_stdout(0);
    }
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        usage(stdout);
        return finish_stdout(0);
    }
    if (!strcmp(name, "--list-commands")) {
        for (size_t i = 0; pw_command_at(i); i++)
            printf("%s\n", pw_command_at(i)->name);
        return finish_stdout(0);
    }
    const struct pw_command *cmd = pw_command_lookup(name);
    if (!cmd) {
        pw_out_error("unknown command '%s' (see 'packwright --help')", name);
        return 2;
    }
    return finish_stdout(cmd->run(argc - 2, argv + 2));
}
