/* gc.h - the cycle collector (see gc.c): trial deletion from every live closure cell. */
#ifndef DLT_GC_H
#define DLT_GC_H

#include <stdbool.h>
#include <stddef.h>

#include "value.h"

void gc_cell_born(Cell *c);
void gc_cell_died(Cell *c);

/* Set after many cells were created; the evaluator collects at its next safe point. */
extern _Thread_local bool gc_due;

/* Free every garbage cycle; returns the number of objects freed. Call only where no object is
 * half-built (the evaluator's loop iterations and calls, the REPL prompt, shutdown). */
size_t gc_collect(void);

#endif
