/* sweep_undo.h - a sweep point's writes to variables outside it are undone when the point ends.
 *
 * Points run in worker processes, on MPI ranks, or one after another in this process, and a
 * worker runs several points in turn. So that a sweep's result cannot depend on where its points
 * ran or in which order, every point starts from the variables as they were when the sweep began:
 * while a point runs, the first write to each global and to each captured variable made before
 * the point (a Cell older than its epoch) saves the old value, and the point's end puts it back.
 * A point communicates through `record` only. The checks below are one predictable branch on
 * each such write (a loop's local variables are not affected). */
#ifndef DLT_SWEEP_UNDO_H
#define DLT_SWEEP_UNDO_H

#include "interp.h"
#include "value.h"

typedef struct PointUndo {
  uint32_t epoch;           /* cells born before this are outside the point */
  struct UndoEntry *e;      /* saved values, in the order of the first writes */
  size_t n, cap;
  uint32_t *global_logged;  /* per global: the epoch it was last saved in (made on first use) */
  int nglobals;
  struct PointUndo *outer;  /* the point this one runs in (nested sweeps), or NULL */
} PointUndo;

void undo_begin(Interp *I, PointUndo *u);
void undo_end(Interp *I, PointUndo *u); /* restores every saved value, newest first */
void undo_save_global(Interp *I, int slot);
void undo_save_cell(Interp *I, Cell *c);

static inline void note_global_write(Interp *I, int slot) {
  if (__builtin_expect(I->undo != NULL, 0)) undo_save_global(I, slot);
}
static inline void note_cell_write(Interp *I, Cell *c) {
  if (__builtin_expect(I->undo != NULL, 0) && c->born < I->undo->epoch) undo_save_cell(I, c);
}

#endif
