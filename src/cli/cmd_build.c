/* Placeholder: replaced by the foundation work (issue 2). */
#include "commands.h"
#include "out.h"
int cmd_build(int argc, char **argv) { (void)argc; (void)argv; pw_out_error("build: not implemented yet"); return 1; }
