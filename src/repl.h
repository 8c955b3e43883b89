/* repl.h - the interactive read-eval-print loop. */
#ifndef DLT_REPL_H
#define DLT_REPL_H

#include <stdbool.h>

#include "interp.h"

/* Runs until :quit, Ctrl-D or exit(); returns the exit code. */
int repl_run(Interp *I, bool quiet);

#endif
