/* sweep_undo.c - undoing a sweep point's writes to outer variables (see sweep_undo.h). */
#include "sweep_undo.h"

#include <stdlib.h>

typedef struct UndoEntry {
  Cell *cell; /* retained; NULL for a global */
  int global;
  Value old;  /* owned */
} UndoEntry;

void undo_begin(Interp *I, PointUndo *u) {
  *u = (PointUndo){.epoch = ++dlt_epoch, .outer = I->undo};
  I->undo = u;
}

static void push(PointUndo *u, Cell *cell, int global, Value old) {
  if (u->n == u->cap) {
    u->cap = u->cap ? 2 * u->cap : 8;
    u->e = dlt_xrealloc(u->e, u->cap * sizeof *u->e);
  }
  u->e[u->n++] = (UndoEntry){cell, global, old};
}

void undo_save_global(Interp *I, int slot) {
  PointUndo *u = I->undo;
  if (!u->global_logged) {
    u->nglobals = I->nglobals;
    u->global_logged = dlt_xcalloc((size_t)(u->nglobals ? u->nglobals : 1), sizeof(uint32_t));
  }
  if (slot < u->nglobals) { /* a global declared during the point (import) is saved every time */
    if (u->global_logged[slot] == u->epoch) return;
    u->global_logged[slot] = u->epoch;
  }
  push(u, NULL, slot, val_retain(I->globals[slot]));
}

void undo_save_cell(Interp *I, Cell *c) {
  PointUndo *u = I->undo;
  if (c->logged == u->epoch) return;
  c->logged = u->epoch;
  val_retain(v_obj(c));
  push(u, c, -1, val_retain(c->v));
}

void undo_end(Interp *I, PointUndo *u) {
  for (size_t k = u->n; k-- > 0;) {
    UndoEntry *e = &u->e[k];
    if (e->cell) {
      val_set(&e->cell->v, e->old);
      val_release(v_obj(e->cell));
    } else {
      val_set(&I->globals[e->global], e->old);
    }
  }
  free(u->e);
  free(u->global_logged);
  I->undo = u->outer;
}
