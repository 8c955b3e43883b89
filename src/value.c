/* value.c - heap objects: allocation, freeing, copy-on-write, equality. */
#include "value.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ast.h"
#include "gc.h"
#include "strbuf.h"

/* Internal bookkeeping allocations (AST nodes, names, buffers) are small; running out of memory
 * for them leaves nothing sensible to do. User-sized data (matrices, lists from user sizes) goes
 * through checked paths that raise DLT "out of memory" errors instead. */
static void out_of_memory(void) {
  static const char msg[] = "dlt: fatal: out of memory\n";
  fflush(NULL); /* keep what the program printed */
  ssize_t r = write(2, msg, sizeof msg - 1);
  (void)r;
  _exit(DLT_EXIT_RUNTIME);
}

_Thread_local volatile int dlt_alloc_infallible; /* volatile: the compiler knows malloc and would drop the ++/-- around it */

void *dlt_xmalloc(size_t n) {
  dlt_alloc_infallible++;
  void *p = malloc(n ? n : 1);
  dlt_alloc_infallible--;
  if (!p) out_of_memory();
  return p;
}

void *dlt_xcalloc(size_t n, size_t size) {
  if (size && n > SIZE_MAX / size) out_of_memory();
  dlt_alloc_infallible++;
  void *p = calloc(n ? n : 1, size ? size : 1);
  dlt_alloc_infallible--;
  if (!p) out_of_memory();
  return p;
}

void *dlt_xrealloc(void *p, size_t n) {
  dlt_alloc_infallible++;
  void *q = realloc(p, n ? n : 1);
  dlt_alloc_infallible--;
  if (!q) out_of_memory();
  return q;
}

char *dlt_xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = dlt_xmalloc(n);
  memcpy(p, s, n);
  return p;
}

void *obj_new(ObjKind kind, size_t size) {
  Obj *o = dlt_xmalloc(size);
  o->kind = kind;
  o->refs = 1;
  return o;
}

size_t dlt_value_bytes;
size_t dlt_memory_limit;

/* ------------------------------------------------------------------ strings */
Str *str_alloc(size_t len) {
  Str *str = obj_new(OBJ_STRING, sizeof(Str) + len + 1);
  dlt_value_bytes += sizeof(Str) + len + 1;
  str->len = len;
  str->s[len] = '\0';
  return str;
}

Value str_new(const char *s, size_t len) {
  Str *str = str_alloc(len);
  if (len) memcpy(str->s, s, len);
  str->s[len] = '\0';
  return v_obj(str);
}

Value str_from(const char *cstr) { return str_new(cstr, strlen(cstr)); }

Value str_printf(const char *fmt, ...) {
  StrBuf b = STRBUF_INIT;
  va_list ap;
  va_start(ap, fmt);
  sb_vprintf(&b, fmt, ap);
  va_end(ap);
  Value v = str_new(sb_cstr(&b), b.len);
  sb_free(&b);
  return v;
}

bool str_eq(const Str *a, const Str *b) { return a->len == b->len && memcmp(a->s, b->s, a->len) == 0; }

/* ------------------------------------------------------------------ lists */
Value list_new(size_t cap) {
  List *l = obj_new(OBJ_LIST, sizeof(List));
  l->n = 0;
  l->cap = cap;
  l->items = cap ? dlt_xmalloc(cap * sizeof(Value)) : NULL;
  dlt_value_bytes += cap * sizeof(Value);
  return v_obj(l);
}

void list_push(List *l, Value v) {
  if (l->n == l->cap) {
    dlt_value_bytes += (l->cap ? l->cap : 4) * sizeof(Value);
    l->cap = l->cap ? 2 * l->cap : 4;
    l->items = dlt_xrealloc(l->items, l->cap * sizeof(Value));
  }
  l->items[l->n++] = v;
}

/* ------------------------------------------------------------------ records */
Value record_new(void) {
  Record *r = obj_new(OBJ_RECORD, sizeof(Record));
  r->n = r->cap = 0;
  r->keys = NULL;
  r->vals = NULL;
  return v_obj(r);
}

Value *record_find(Record *r, const char *key) {
  size_t len = strlen(key);
  for (size_t i = 0; i < r->n; i++)
    if (r->keys[i]->len == len && memcmp(r->keys[i]->s, key, len) == 0) return &r->vals[i];
  return NULL;
}

void record_set(Record *r, const char *key, Value v) {
  Value *slot = record_find(r, key);
  if (slot) {
    val_set(slot, v);
    return;
  }
  if (r->n == r->cap) {
    r->cap = r->cap ? 2 * r->cap : 4;
    r->keys = dlt_xrealloc(r->keys, r->cap * sizeof(Str *));
    r->vals = dlt_xrealloc(r->vals, r->cap * sizeof(Value));
  }
  r->keys[r->n] = AS_STR(str_from(key));
  r->vals[r->n] = v;
  r->n++;
}

/* ------------------------------------------------------------------ matrices */
static size_t mat_limit;

size_t mat_limit_bytes(void) {
  if (!mat_limit) {
    /* Default: the machine's physical memory. Anything larger could only thrash or be killed. */
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    mat_limit = (pages > 0 && psize > 0) ? (size_t)pages * (size_t)psize : ((size_t)1 << 34);
  }
  return mat_limit;
}

void mat_set_limit_bytes(size_t bytes) { mat_limit = bytes; }

/* Large matrices come straight from mmap in 4 KiB pages; one page fault per 4 KiB made elementwise
 * operations on 10^6 entries ~30% slower than NumPy, which asks for transparent huge pages on
 * arrays of 4 MiB or more. Ask the same (a hint: without THP support it does nothing). */
static void advise_huge_pages(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
  if (bytes < ((size_t)4 << 20)) return;
  uintptr_t start = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
  uintptr_t end = ((uintptr_t)p + bytes) & ~(uintptr_t)4095;
  if (end > start) (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

/* Allocation failure injected for the fault tests. Every fallible allocation (a matrix) counts;
 * when the count reaches dlt_alloc_fail_at it fails as if the memory were exhausted, and so do
 * all later ones when dlt_alloc_fail_sticky. DLT_FAIL_ALLOC=N (or N+ for sticky) in the
 * environment sets them when the first matrix is made. */
unsigned long long dlt_fallible_allocs, dlt_alloc_fail_at;
bool dlt_alloc_fail_sticky;

static bool alloc_injected_failure(void) {
  static bool env_read;
  if (!env_read) {
    env_read = true;
    const char *e = getenv("DLT_FAIL_ALLOC");
    if (e && *e) {
      char *end;
      unsigned long long n = strtoull(e, &end, 10);
      if (end != e && (*end == '\0' || (end[0] == '+' && end[1] == '\0'))) {
        dlt_alloc_fail_at = n;
        dlt_alloc_fail_sticky = *end == '+';
      }
    }
  }
  ++dlt_fallible_allocs;
  if (!dlt_alloc_fail_at) return false;
  return dlt_alloc_fail_sticky ? dlt_fallible_allocs >= dlt_alloc_fail_at : dlt_fallible_allocs == dlt_alloc_fail_at;
}

static Mat *mat_alloc_impl(size_t rows, size_t cols, bool zero) {
  if (alloc_injected_failure()) return NULL;
  if (cols && rows > SIZE_MAX / cols) return NULL;
  size_t n = rows * cols;
  if (n > (mat_limit_bytes() - sizeof(Mat)) / sizeof(double)) return NULL;
  size_t bytes = sizeof(Mat) + n * sizeof(double) + MAT_ALIGN - 1;
  if (dlt_memory_limit && (bytes > dlt_memory_limit || dlt_value_bytes > dlt_memory_limit - bytes)) return NULL;
  char *block = zero ? calloc(1, bytes) : malloc(bytes);
  if (!block) return NULL;
  /* The header moves up by up to MAT_ALIGN - 1 bytes (in steps of 8: malloc's alignment and
   * offsetof(Mat, data) are multiples of 8) so that the entries start on a MAT_ALIGN boundary;
   * calloc and malloc keep their lazily zeroed, huge-page friendly large blocks this way, which
   * aligned_alloc plus a memset would not. */
  size_t shift = (MAT_ALIGN - ((uintptr_t)block + offsetof(Mat, data)) % MAT_ALIGN) % MAT_ALIGN;
  Mat *a = (Mat *)(block + shift);
  a->shift = (uint8_t)shift;
  a->bytes = bytes;
  dlt_value_bytes += bytes;
  advise_huge_pages(block, bytes);
  a->obj.kind = OBJ_MATRIX;
  a->obj.refs = 1;
  a->m.size1 = rows;
  a->m.size2 = cols;
  a->m.tda = cols ? cols : 1;
  a->m.data = a->data;
  a->m.block = NULL;
  a->m.owner = 0;
  a->logical = false;
  return a;
}

Mat *mat_alloc(size_t rows, size_t cols) { return mat_alloc_impl(rows, cols, false); }
Mat *mat_alloc_zero(size_t rows, size_t cols) { return mat_alloc_impl(rows, cols, true); }

Mat *mat_clone(const Mat *a) {
  Mat *b = mat_alloc(mat_rows(a), mat_cols(a));
  if (!b) return NULL;
  memcpy(b->data, a->data, mat_numel(a) * sizeof(double));
  b->logical = a->logical;
  return b;
}

/* ------------------------------------------------------------------ ranges and cells */
Value range_new(double start, double stop, double step) {
  Range *r = obj_new(OBJ_RANGE, sizeof(Range));
  r->start = start;
  r->stop = stop;
  r->step = step;
  return v_obj(r);
}

size_t range_len(const Range *r) {
  if (r->step == 0 || !isfinite(r->start) || !isfinite(r->stop)) return 0;
  double k = floor((r->stop - r->start) / r->step + 1e-9);
  if (k < 0) return 0;
  /* `..` and range() refuse ranges of more than 10^15 numbers; this keeps the cast defined */
  if (!(k < 0x1p53)) return (size_t)0x1p53;
  return (size_t)k + 1;
}

_Thread_local uint32_t dlt_epoch;

Value cell_new(Value v) {
  Cell *c = obj_new(OBJ_CELL, sizeof(Cell));
  c->v = v;
  c->born = dlt_epoch;
  c->logged = 0;
  gc_cell_born(c);
  return v_obj(c);
}

/* ------------------------------------------------------------------ freeing
 * Freeing is iterative: a container whose last reference goes away queues its children instead of
 * recursing into them, so a list nested a million deep cannot overflow the C stack. */
static _Thread_local Obj **free_queue;
static _Thread_local size_t free_n, free_cap;
static _Thread_local bool freeing;

static void release_child(Value v) {
  if (v.t != V_OBJ || --v.u.o->refs != 0) return;
  if (free_n == free_cap) {
    free_cap = free_cap ? 2 * free_cap : 64;
    free_queue = dlt_xrealloc(free_queue, free_cap * sizeof(Obj *));
  }
  free_queue[free_n++] = v.u.o;
}

static void free_one(Obj *o) {
  void *block = o; /* what malloc returned: a matrix's header may sit above it */
  switch ((ObjKind)o->kind) {
  case OBJ_STRING:
    dlt_value_bytes -= sizeof(Str) + ((Str *)o)->len + 1;
    break;
  case OBJ_MATRIX:
    dlt_value_bytes -= ((Mat *)o)->bytes;
    block = (char *)o - ((Mat *)o)->shift;
    break;
  case OBJ_RANGE:
  case OBJ_BUILTIN:
    break;
  case OBJ_LIST: {
    List *l = (List *)o;
    for (size_t i = 0; i < l->n; i++) release_child(l->items[i]);
    free(l->items);
    dlt_value_bytes -= l->cap * sizeof(Value);
    break;
  }
  case OBJ_RECORD: {
    Record *r = (Record *)o;
    for (size_t i = 0; i < r->n; i++) {
      release_child(v_obj(r->keys[i]));
      release_child(r->vals[i]);
    }
    free(r->keys);
    free(r->vals);
    break;
  }
  case OBJ_CLOSURE: {
    Closure *c = (Closure *)o;
    for (int i = 0; i < c->nup; i++)
      if (c->up[i]) release_child(v_obj(c->up[i])); /* NULL: detached by the cycle collector */
    break;
  }
  case OBJ_CELL:
    gc_cell_died((Cell *)o);
    release_child(((Cell *)o)->v);
    break;
  case OBJ_EXT:
    /* Domain types release what they hold with val_release; that re-enters obj_free, which
     * queues rather than recurses while a drain is running. */
    ((Ext *)o)->cls->free(o);
    break;
  }
  free(block);
}

void obj_free(Obj *o) {
  if (freeing) {
    if (free_n == free_cap) {
      free_cap = free_cap ? 2 * free_cap : 64;
      free_queue = dlt_xrealloc(free_queue, free_cap * sizeof(Obj *));
    }
    free_queue[free_n++] = o;
    return;
  }
  freeing = true;
  free_one(o);
  while (free_n) free_one(free_queue[--free_n]);
  freeing = false;
  if (free_cap > 4096) { /* do not keep a huge queue alive after one big free */
    free(free_queue);
    free_queue = NULL;
    free_cap = 0;
  }
}

void obj_free_queue_release(void) {
  free(free_queue);
  free_queue = NULL;
  free_n = free_cap = 0;
}

/* ------------------------------------------------------------------ copy on write */
bool val_make_unique(Value *slot) {
  if (slot->t != V_OBJ) return true;
  Obj *o = slot->u.o;
  switch ((ObjKind)o->kind) {
  case OBJ_LIST: {
    if (o->refs == 1) return true;
    List *l = (List *)o;
    Value c = list_new(l->n);
    for (size_t i = 0; i < l->n; i++) list_push(AS_LIST(c), val_retain(l->items[i]));
    val_set(slot, c);
    return true;
  }
  case OBJ_RECORD: {
    if (o->refs == 1) return true;
    Record *r = (Record *)o;
    Value c = record_new();
    for (size_t i = 0; i < r->n; i++) record_set(AS_RECORD(c), r->keys[i]->s, val_retain(r->vals[i]));
    val_set(slot, c);
    return true;
  }
  case OBJ_MATRIX: {
    if (o->refs == 1) return true;
    Mat *m = mat_clone((Mat *)o);
    if (!m) return false;
    val_set(slot, v_obj(m));
    return true;
  }
  case OBJ_EXT: {
    Ext *e = (Ext *)o;
    if (!e->cls->clone) return false;
    if (o->refs == 1) return true;
    Obj *c = e->cls->clone(o);
    if (!c) return false;
    val_set(slot, v_obj(c));
    return true;
  }
  default:
    return false;
  }
}

/* ------------------------------------------------------------------ equality and names */
bool val_equal(Value a, Value b) {
  if (a.t != b.t) return false;
  switch (a.t) {
  case V_NIL: return true;
  case V_BOOL: return a.u.b == b.u.b;
  case V_NUM: return a.u.n == b.u.n;
  case V_OBJ: break;
  default: return false;
  }
  if (a.u.o == b.u.o && a.u.o->kind != OBJ_MATRIX) return true; /* NaN entries still compare unequal */
  if (a.u.o->kind != b.u.o->kind) {
    if (IS_EXT(a) && AS_EXT(a)->cls->equal) return AS_EXT(a)->cls->equal(a.u.o, b);
    if (IS_EXT(b) && AS_EXT(b)->cls->equal) return AS_EXT(b)->cls->equal(b.u.o, a);
    return false;
  }
  switch ((ObjKind)a.u.o->kind) {
  case OBJ_STRING: return str_eq(AS_STR(a), AS_STR(b));
  case OBJ_LIST: {
    List *x = AS_LIST(a), *y = AS_LIST(b);
    if (x->n != y->n) return false;
    for (size_t i = 0; i < x->n; i++)
      if (!val_equal(x->items[i], y->items[i])) return false;
    return true;
  }
  case OBJ_RECORD: {
    Record *x = AS_RECORD(a), *y = AS_RECORD(b);
    if (x->n != y->n) return false;
    for (size_t i = 0; i < x->n; i++) {
      Value *v = record_find(y, x->keys[i]->s);
      if (!v || !val_equal(x->vals[i], *v)) return false;
    }
    return true;
  }
  case OBJ_MATRIX: {
    Mat *x = AS_MAT(a), *y = AS_MAT(b);
    if (mat_rows(x) != mat_rows(y) || mat_cols(x) != mat_cols(y)) return false;
    for (size_t i = 0; i < mat_numel(x); i++)
      if (x->data[i] != y->data[i]) return false;
    return true;
  }
  case OBJ_RANGE: {
    Range *x = AS_RANGE(a), *y = AS_RANGE(b);
    return x->start == y->start && x->step == y->step && range_len(x) == range_len(y);
  }
  case OBJ_EXT:
    if (AS_EXT(a)->cls->equal) return AS_EXT(a)->cls->equal(a.u.o, b);
    return false;
  default:
    return false;
  }
}

const char *val_type_name(Value v) {
  switch (v.t) {
  case V_NIL: return "nil";
  case V_BOOL: return "bool";
  case V_NUM: return "number";
  case V_OBJ: break;
  default: return "undefined";
  }
  switch ((ObjKind)v.u.o->kind) {
  case OBJ_STRING: return "string";
  case OBJ_LIST: return "list";
  case OBJ_RECORD: return "record";
  case OBJ_MATRIX: return "matrix";
  case OBJ_RANGE: return "range";
  case OBJ_CLOSURE:
  case OBJ_BUILTIN: return "function";
  case OBJ_CELL: return "cell";
  case OBJ_EXT: return AS_EXT(v)->cls->name;
  }
  return "?";
}

bool val_scalar(Value v, double *out) {
  if (IS_NUM(v)) *out = AS_NUM(v);
  else if (IS_BOOL(v)) *out = AS_BOOL(v);
  else if (IS_MAT(v) && mat_numel(AS_MAT(v)) == 1) *out = AS_MAT(v)->data[0];
  else return false;
  return true;
}
