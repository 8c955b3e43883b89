/* resolve.h - name resolution: names to slots, before execution. */
#ifndef DLT_RESOLVE_H
#define DLT_RESOLVE_H

#include "ast.h"

/* Declare the program's globals, resolve it, and wrap it in a top-level chunk the interpreter
 * keeps alive. Diagnostics go to I->diags. */
FnProto *resolve_program(Interp *I, Node *program);
void resolve_chunk_body(Interp *I, FnProto *chunk);

/* The candidate closest to `name` by edit distance, if close enough to be a likely typo. */
const char *dlt_suggest(const char *name, const char *const *candidates, int n);

#endif
