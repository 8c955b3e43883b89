/* gc.c - the cycle collector.
 *
 * Reference counting frees everything except reference cycles. With value semantics the only way
 * to build a cycle is through a closure cell: a captured variable (a Cell) that comes to hold,
 * directly or through lists and records, a closure capturing that same cell
 * (`let f = nil; f = fn(n) => f(n - 1)` inside a function). So every garbage cycle contains a
 * Cell, and trial deletion (Bacon & Rajan's synchronous algorithm) started from every live cell
 * finds all of them:
 *
 *   1. mark gray everything reachable from the cells, subtracting each internal edge from the
 *      target's count;
 *   2. what is still referenced from outside (count > 0) is live: colour it and everything it
 *      reaches black again, restoring the counts; the rest is white;
 *   3. white objects are garbage: detach their children (whose counts already reflect the lost
 *      edges) and free them.
 *
 * Colours live in spare bits of Obj.kind and are all black (0) outside a collection. Domain types
 * take part through ExtClass.traverse; one without it is treated as a leaf, which is safe (it only
 * keeps alive what it references). Collection runs at safe points of the evaluator, after many
 * cells were created, and when the interpreter is freed.
 */
#include "gc.h"

#include <stdlib.h>

#include "value.h"

#define COLOR_SHIFT 16
#define COLOR_MASK (3u << COLOR_SHIFT)
enum { BLACK = 0, GRAY = 1, WHITE = 2 };

#define GC_CELL_INTERVAL 20000 /* cells created between automatic collections */

static _Thread_local Cell *live_cells;
static _Thread_local size_t cells_since_gc;
_Thread_local bool gc_due;

static inline unsigned color(const Obj *o) { return (o->kind & COLOR_MASK) >> COLOR_SHIFT; }
static inline void set_color(Obj *o, unsigned c) { o->kind = (o->kind & ~COLOR_MASK) | (c << COLOR_SHIFT); }

void gc_cell_born(Cell *c) {
  c->prev = NULL;
  c->next = live_cells;
  if (live_cells) live_cells->prev = c;
  live_cells = c;
  if (++cells_since_gc >= GC_CELL_INTERVAL) gc_due = true;
}

void gc_cell_died(Cell *c) {
  if (c->prev) c->prev->next = c->next;
  else live_cells = c->next;
  if (c->next) c->next->prev = c->prev;
}

/* ------------------------------------------------------------------ children */
typedef struct Stack {
  Obj **items;
  size_t n, cap;
} Stack;

static void push(Stack *s, Obj *o) {
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 256;
    s->items = dlt_xrealloc(s->items, s->cap * sizeof(Obj *));
  }
  s->items[s->n++] = o;
}

typedef void (*ChildFn)(Obj *child, void *ctx);

typedef struct ExtVisit {
  ChildFn fn;
  void *ctx;
} ExtVisit;

static void ext_child(Value *slot, void *p) {
  ExtVisit *v = p;
  if (slot->t == V_OBJ) v->fn(slot->u.o, v->ctx);
}

static void each_child(Obj *o, ChildFn fn, void *ctx) {
  switch ((ObjKind)(o->kind & ~COLOR_MASK)) {
  case OBJ_LIST: {
    List *l = (List *)o;
    for (size_t i = 0; i < l->n; i++)
      if (l->items[i].t == V_OBJ) fn(l->items[i].u.o, ctx);
    break;
  }
  case OBJ_RECORD: { /* field values; the key strings are never part of a cycle */
    Record *r = (Record *)o;
    for (size_t i = 0; i < r->n; i++)
      if (r->vals[i].t == V_OBJ) fn(r->vals[i].u.o, ctx);
    break;
  }
  case OBJ_CLOSURE: {
    Closure *c = (Closure *)o;
    for (int i = 0; i < c->nup; i++)
      if (c->up[i]) fn(&c->up[i]->obj, ctx);
    break;
  }
  case OBJ_CELL: {
    Cell *c = (Cell *)o;
    if (c->v.t == V_OBJ) fn(c->v.u.o, ctx);
    break;
  }
  case OBJ_EXT: {
    Ext *e = (Ext *)o;
    if (e->cls->traverse) {
      ExtVisit v = {fn, ctx};
      e->cls->traverse(o, ext_child, &v);
    }
    break;
  }
  default:
    break;
  }
}

/* Drop a garbage object's references without touching their counts: every edge to a surviving
 * object was already subtracted in the gray phase, and the white targets are being freed too. */
static void nil_slot(Value *slot, void *ctx) {
  (void)ctx;
  slot->t = V_NIL;
  slot->u.o = NULL;
}

static void detach_children(Obj *o) {
  switch ((ObjKind)(o->kind & ~COLOR_MASK)) {
  case OBJ_LIST: {
    List *l = (List *)o;
    for (size_t i = 0; i < l->n; i++)
      if (l->items[i].t == V_OBJ) l->items[i] = v_nil();
    break;
  }
  case OBJ_RECORD: {
    Record *r = (Record *)o;
    for (size_t i = 0; i < r->n; i++)
      if (r->vals[i].t == V_OBJ) r->vals[i] = v_nil();
    break;
  }
  case OBJ_CLOSURE: {
    Closure *c = (Closure *)o;
    for (int i = 0; i < c->nup; i++) c->up[i] = NULL;
    break;
  }
  case OBJ_CELL:
    ((Cell *)o)->v = v_nil();
    break;
  case OBJ_EXT: {
    Ext *e = (Ext *)o;
    if (e->cls->traverse) e->cls->traverse(o, nil_slot, NULL);
    break;
  }
  default:
    break;
  }
}

/* ------------------------------------------------------------------ the three phases */
static void gray_child(Obj *t, void *ctx) {
  t->refs--;
  if (color(t) != GRAY) {
    set_color(t, GRAY);
    push(ctx, t);
  }
}

static void black_child(Obj *t, void *ctx) {
  t->refs++;
  if (color(t) != BLACK) {
    set_color(t, BLACK);
    push(ctx, t);
  }
}

static void push_child(Obj *t, void *ctx) { push(ctx, t); }

static void mark_gray(Obj *root, Stack *s) {
  if (color(root) == GRAY) return;
  set_color(root, GRAY);
  push(s, root);
  while (s->n) each_child(s->items[--s->n], gray_child, s);
}

static void scan_black(Obj *root, Stack *s) {
  set_color(root, BLACK);
  push(s, root);
  while (s->n) each_child(s->items[--s->n], black_child, s);
}

static void scan(Obj *root, Stack *s, Stack *work) {
  push(work, root);
  while (work->n) {
    Obj *x = work->items[--work->n];
    if (color(x) != GRAY) continue;
    if (x->refs > 0) {
      scan_black(x, s);
    } else {
      set_color(x, WHITE);
      each_child(x, push_child, work);
    }
  }
}

static void collect_white(Obj *root, Stack *work, Stack *garbage) {
  push(work, root);
  while (work->n) {
    Obj *x = work->items[--work->n];
    if (color(x) != WHITE) continue;
    set_color(x, BLACK);
    push(garbage, x);
    each_child(x, push_child, work);
  }
}

size_t gc_collect(void) {
  gc_due = false;
  cells_since_gc = 0;
  Stack s = {0}, work = {0}, garbage = {0};
  for (Cell *c = live_cells; c; c = c->next) mark_gray(&c->obj, &s);
  for (Cell *c = live_cells; c; c = c->next) scan(&c->obj, &s, &work);
  for (Cell *c = live_cells; c; c = c->next) collect_white(&c->obj, &work, &garbage);
  for (size_t i = 0; i < garbage.n; i++) detach_children(garbage.items[i]);
  for (size_t i = 0; i < garbage.n; i++) obj_free(garbage.items[i]);
  size_t freed = garbage.n;
  free(s.items);
  free(work.items);
  free(garbage.items);
  return freed;
}
