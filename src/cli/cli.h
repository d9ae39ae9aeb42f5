/* Shared glue for cmd_*.c: run the option parser and handle --help and usage errors. */
#ifndef PW_CLI_CLI_H
#define PW_CLI_CLI_H

#include "../base/strvec.h"
#include "../core/ctx.h"
#include "opt.h"

/* Returns -1 to continue, or the exit status to return now (help printed: 0; usage: 2). */
int pw_cli_parse(const struct pw_cmd_spec *spec, void *opts, int argc, char **argv,
                 struct pw_strvec *args);
/* A ctx with warnings wired to stderr, download progress bars when stderr is a terminal, and
 * SOURCE_DATE_EPOCH/PACKWRIGHT_CACHE read from the environment. Returns -1 to continue, or
 * prints and returns an exit status. */
int pw_cli_ctx_init(struct pw_ctx *ctx, const char *sde_option, const char *cache_option);
struct pw_vars;
/* Fills vars from --vars files in order, then --var assignments in order (later values win).
 * Returns -1 to continue, or prints and returns an exit status. */
int pw_cli_vars_collect(struct pw_vars *vars, const struct pw_strvec *files,
                        const struct pw_strvec *assignments);
/* The CMake build tree this packwright runs from (realpath, a directory holding
 * CMakeCache.txt; caller frees), or NULL when installed: manifests may take files from it
 * (struct pw_manifest_opts.build_tree), so pkg/packwright packages the binaries built there. */
char *pw_cli_build_tree(void);
/* Writes buf to stdout. */
void pw_cli_print(const char *s, size_t len);

#endif
