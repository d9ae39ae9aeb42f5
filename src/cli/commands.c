#include "commands.h"

#include <string.h>

/* Keep sorted by name; a unit test checks it. */
static const struct pw_command commands[] = {
    {"build", cmd_build, "build .deb and .rpm packages from manifests"},
    {"bundle", cmd_bundle, "carry a repository across an air gap as one verified file"},
    {"fetch", cmd_fetch, "download and verify manifest sources into the cache"},
    {"inspect", cmd_inspect, "show the metadata, scripts and files of a .deb or .rpm"},
    {"mirror", cmd_mirror, "copy a verified subset of an apt or rpm-md repository"},
    {"repo", cmd_repo, "publish, trim and check signed apt and rpm-md repositories"},
};

const struct pw_command *pw_command_at(size_t i)
{
    return i < sizeof(commands) / sizeof(commands[0]) ? &commands[i] : NULL;
}

const struct pw_command *pw_command_lookup(const char *name)
{
    for (size_t i = 0; pw_command_at(i); i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}
