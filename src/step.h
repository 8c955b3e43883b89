/* step.h - stepping through a lecture program (dlt --step FILE, :step FILE in the REPL). */
#ifndef DLT_STEP_H
#define DLT_STEP_H

#include <stdbool.h>

#include "interp.h"

/* Run the file one top-level statement at a time, showing its narrative, source and results.
 * interactive: wait for a key before each statement (else print the whole transcript).
 * Returns a DLT_EXIT_* code; diagnostics are left in I->diags. */
int dlt_step_file(Interp *I, const char *path, bool interactive);

/* A `#'` narrative line: its text after the marker and one space (*n updated), else NULL. */
const char *narrative_text(const char *t, size_t *n);

#endif
