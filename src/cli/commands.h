/* The one command table. Each cmd_<name>() receives the arguments after its name and returns
 * the process exit status; it parses its options, calls core, reports, nothing more. */
#ifndef PW_CLI_COMMANDS_H
#define PW_CLI_COMMANDS_H

#include <stddef.h>

struct pw_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

const struct pw_command *pw_command_lookup(const char *name);
const struct pw_command *pw_command_at(size_t i);

int cmd_build(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_mirror(int argc, char **argv);
int cmd_repo(int argc, char **argv);

#endif
