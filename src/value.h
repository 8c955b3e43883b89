/* value.h - DLT values: a small tagged union and refcounted heap objects.
 *
 * OWNERSHIP RULE (the only one):
 *   Every function that returns a Value returns a new reference, which the caller owns and must
 *   release exactly once (val_release) or hand on. Arguments are borrowed: a callee that wants to
 *   keep an argument past its return retains it (val_retain). Containers (lists, records, closures,
 *   cells, domain objects) own one reference to each value they hold.
 *
 * Heap objects are never shared mutably: a container or matrix is mutated in place only when its
 * refcount is 1 (see val_make_unique); otherwise it is copied first. This gives every DLT value
 * value semantics ("copy on write"). The only cycles possible run through closure cells; gc.c
 * collects them.
 *
 * Domain types (networks, kernels, measures, tables, plots, dual numbers) plug in as OBJ_EXT
 * objects with an ExtClass vtable: printing, equality, arithmetic, elementwise maths, fields,
 * indexing and calls all dispatch through it.
 */
#ifndef DLT_VALUE_H
#define DLT_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_matrix.h>

typedef struct Interp Interp;
typedef struct Obj Obj;
typedef struct StrBuf StrBuf;

typedef enum {
  V_NIL,
  V_BOOL,
  V_NUM,
  V_OBJ,
  V_UNDEF, /* internal: a declared global not yet assigned */
  V_ABRUPT /* internal: evaluation did not complete normally (error, break, continue, return);
              the reason is in Interp.signal */
} VType;

typedef struct Value {
  uint8_t t;
  union {
    bool b;
    double n;
    Obj *o;
  } u;
} Value;

typedef enum {
  OBJ_STRING,
  OBJ_LIST,
  OBJ_RECORD,
  OBJ_MATRIX,
  OBJ_RANGE,
  OBJ_CLOSURE,
  OBJ_BUILTIN,
  OBJ_CELL,
  OBJ_EXT
} ObjKind;

struct Obj {
  uint32_t kind;
  uint32_t refs;
};

/* ------------------------------------------------------------------ constructors and tests */
static inline Value v_nil(void) { Value v; v.t = V_NIL; v.u.o = NULL; return v; }
static inline Value v_undef(void) { Value v; v.t = V_UNDEF; v.u.o = NULL; return v; }
static inline Value v_abrupt(void) { Value v; v.t = V_ABRUPT; v.u.o = NULL; return v; }
static inline Value v_bool(bool b) { Value v; v.t = V_BOOL; v.u.o = NULL; v.u.b = b; return v; }
static inline Value v_num(double n) { Value v; v.t = V_NUM; v.u.n = n; return v; }
static inline Value v_obj(void *o) { Value v; v.t = V_OBJ; v.u.o = (Obj *)o; return v; }

#define IS_NIL(v) ((v).t == V_NIL)
#define IS_BOOL(v) ((v).t == V_BOOL)
#define IS_NUM(v) ((v).t == V_NUM)
#define IS_OBJ(v) ((v).t == V_OBJ)
#define IS_ABRUPT(v) ((v).t == V_ABRUPT)
#define IS_KIND(v, k) ((v).t == V_OBJ && (v).u.o->kind == (k))
#define IS_STR(v) IS_KIND(v, OBJ_STRING)
#define IS_LIST(v) IS_KIND(v, OBJ_LIST)
#define IS_RECORD(v) IS_KIND(v, OBJ_RECORD)
#define IS_MAT(v) IS_KIND(v, OBJ_MATRIX)
#define IS_RANGE(v) IS_KIND(v, OBJ_RANGE)
#define IS_CLOSURE(v) IS_KIND(v, OBJ_CLOSURE)
#define IS_BUILTIN(v) IS_KIND(v, OBJ_BUILTIN)
#define IS_EXT(v) IS_KIND(v, OBJ_EXT)

#define AS_NUM(v) ((v).u.n)
#define AS_BOOL(v) ((v).u.b)
#define AS_OBJ(v) ((v).u.o)
#define AS_STR(v) ((Str *)(v).u.o)
#define AS_LIST(v) ((List *)(v).u.o)
#define AS_RECORD(v) ((Record *)(v).u.o)
#define AS_MAT(v) ((Mat *)(v).u.o)
#define AS_RANGE(v) ((Range *)(v).u.o)
#define AS_CLOSURE(v) ((Closure *)(v).u.o)
#define AS_BUILTIN(v) ((BuiltinObj *)(v).u.o)
#define AS_EXT(v) ((Ext *)(v).u.o)

void obj_free(Obj *o);
void obj_free_queue_release(void); /* at interpreter exit: return the free queue's memory */

static inline Value val_retain(Value v) {
  if (v.t == V_OBJ) v.u.o->refs++;
  return v;
}
static inline void val_release(Value v) {
  if (v.t == V_OBJ && --v.u.o->refs == 0) obj_free(v.u.o);
}
/* Replace *slot with v (which the slot takes over), releasing the old value. */
static inline void val_set(Value *slot, Value v) {
  Value old = *slot;
  *slot = v;
  val_release(old);
}

/* ------------------------------------------------------------------ heap object kinds */
typedef struct Str {
  Obj obj;
  size_t len; /* bytes, excluding the terminating NUL */
  char s[];
} Str;

typedef struct List {
  Obj obj;
  size_t n, cap;
  Value *items;
} List;

typedef struct Record {
  Obj obj;
  size_t n, cap;
  Str **keys; /* insertion order is kept: records print in the order they were written */
  Value *vals;
} Record;

/* A matrix owns its storage inline after the header. `m` is a GSL view of it (block == NULL),
 * so every gsl_* function can be called on &mat->m. Vectors are n×1 (column) or 1×n (row). */
typedef struct Mat {
  Obj obj;
  bool logical;  /* a 0/1 mask made by a comparison: as a subscript it selects where it is 1 */
  uint8_t shift; /* where the header starts in its block, so that data is MAT_ALIGN-aligned */
  size_t bytes;  /* as allocated (rows and columns may shrink later): what the accounting returns */
  gsl_matrix m;
  double data[];
} Mat;

/* The alignment of every matrix's entries: a cache line, and one AVX-512 vector. Entries that
 * started mid-line made each 64-byte load and store touch two lines: elementwise work on 10^6
 * entries ran 5-8% slower than on aligned entries. */
#define MAT_ALIGN 64

/* Inclusive integer range start..stop by step; lazy. */
typedef struct Range {
  Obj obj;
  double start, stop, step;
} Range;

typedef struct Cell {
  Obj obj;
  Value v;
  struct Cell *prev, *next; /* every live cell, for the cycle collector (gc.c) */
  uint32_t born;            /* dlt_epoch when made, and when last put in a point's undo log */
  uint32_t logged;          /* (sweep_undo.c): a point undoes writes only to cells older than it */
} Cell;

/* Counts sweep points begun in this thread; see sweep_undo.c. */
extern _Thread_local uint32_t dlt_epoch;

struct FnProto; /* defined in ast.h */
typedef struct Closure {
  Obj obj;
  struct FnProto *proto;
  int nup;
  Cell *up[];
} Closure;

struct Builtin; /* defined in builtin.h */
typedef struct BuiltinObj {
  Obj obj;
  const struct Builtin *def;
} BuiltinObj;

/* ------------------------------------------------------------------ extension point */
typedef enum {
  OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_POW, OP_MATMUL,
  OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
  OP_NEG, OP_TRANSPOSE, OP_NOT,
  OP__COUNT
} OpCode;

struct MathFn; /* elementwise maths table, see mathfn.h */
struct Args;   /* call arguments, see builtin.h */
typedef struct Span Span;

/* The vtable a domain type fills in. Only name, free and print are required; a NULL hook means
 * "this type does not support that operation" and produces a located DLT error. Hooks that return
 * a Value follow the ownership rule (new reference, or v_abrupt() after raising an error). */
typedef struct ExtClass {
  const char *name; /* what type() returns: "network", "kernel", "measure", ... */
  void (*free)(Obj *self);
  void (*print)(Obj *self, StrBuf *out);
  Obj *(*clone)(Obj *self);               /* for copy-on-write mutation; NULL = immutable */
  bool (*equal)(Obj *self, Value other);  /* NULL = identity */
  /* a OP b where a or b is this type; `self_left` says which side self is on. */
  Value (*binop)(Interp *I, OpCode op, Value a, Value b, const Span *where);
  Value (*unop)(Interp *I, OpCode op, Obj *self, const Span *where);
  /* exp, sin, tanh, ... applied to this value: how dual numbers differentiate user activations */
  Value (*math1)(Interp *I, const struct MathFn *fn, Obj *self, const Span *where);
  Value (*get_field)(Interp *I, Obj *self, const char *name, const Span *where);
  Value (*set_field)(Interp *I, Obj *self, const char *name, Value v, const Span *where);
  Value (*index)(Interp *I, Obj *self, const Value *subs, int nsubs, const Span *where);
  Value (*set_index)(Interp *I, Obj *self, const Value *subs, int nsubs, Value v, const Span *where);
  Value (*call)(Interp *I, Obj *self, struct Args *args);
  bool (*truthy)(Obj *self);
  /* Visit every Value this object holds (for the cycle collector, gc.c). NULL: it holds none that
   * could lead back to it. The visitor may overwrite a slot with nil. */
  void (*traverse)(Obj *self, void (*visit)(Value *slot, void *ctx), void *ctx);
  /* A builtin called with this value as its first positional argument (mean(mu), cov(mu),
   * moment(mu, 3)): return its result and set *handled, or leave *handled false for the builtin's
   * own behaviour. This is how generic builtins extend to domain types without knowing them. The
   * Args are as written at the call (keywords not yet checked against the builtin's list). */
  Value (*method)(struct Args *a, const char *builtin, bool *handled);
} ExtClass;

typedef struct Ext {
  Obj obj;
  const ExtClass *cls;
} Ext;

/* ------------------------------------------------------------------ allocation helpers */
void *dlt_xmalloc(size_t n);            /* aborts only on exhaustion of small internal allocations */
/* Non-zero while allocations are made whose failure is fatal by design: dlt_xmalloc/dlt_xrealloc,
 * and the Flex/Bison parser (it exits when it cannot grow its buffers). A fault-injecting malloc
 * (tests/unit/check_fault.c) fails only the other allocations, whose failure the code handles. */
extern _Thread_local volatile int dlt_alloc_infallible;
void *dlt_xrealloc(void *p, size_t n);
void *dlt_xcalloc(size_t n, size_t size); /* zeroed; the same policy as dlt_xmalloc */
char *dlt_xstrdup(const char *s);
void *obj_new(ObjKind kind, size_t size); /* refs = 1 */

Str *str_alloc(size_t len); /* len bytes to fill, NUL-terminated, refs = 1 */
Value str_new(const char *s, size_t len);
Value str_from(const char *cstr);
Value str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool str_eq(const Str *a, const Str *b);

Value list_new(size_t cap);
void list_push(List *l, Value v); /* takes ownership of v */

Value record_new(void);
Value *record_find(Record *r, const char *key);
void record_set(Record *r, const char *key, Value v); /* takes ownership of v */

/* Returns NULL (and sets *err_bytes to the request) when the size overflows or exceeds the
 * allocation limit; the caller raises the located "out of memory" error. */
Mat *mat_alloc(size_t rows, size_t cols);
Mat *mat_alloc_zero(size_t rows, size_t cols);
Mat *mat_clone(const Mat *a);
size_t mat_limit_bytes(void);
/* Fault injection (tests/unit/check_fault.c, tests/fault.sh): the matrices allocated so far, and
 * the one that is to fail (1-based; 0: none), or that and every later one when sticky.
 * DLT_FAIL_ALLOC=N or N+ in the environment sets them. */
extern unsigned long long dlt_fallible_allocs, dlt_alloc_fail_at;
extern bool dlt_alloc_fail_sticky;

/* Memory accounting for --max-memory: the bytes held by matrices, strings and lists' item arrays,
 * where the sizes a program chooses end up. With a limit set (0: none), a matrix that would take
 * the total over it is refused (mat_alloc returns NULL, reported as out of memory), and the
 * interpreter stops a program whose total has grown past it (interp.h: dlt_limit_hit). */
extern size_t dlt_value_bytes;
extern size_t dlt_memory_limit;
void mat_set_limit_bytes(size_t bytes);
static inline double *mat_at(Mat *a, size_t i, size_t j) { return a->data + i * a->m.tda + j; }
static inline size_t mat_rows(const Mat *a) { return a->m.size1; }
static inline size_t mat_cols(const Mat *a) { return a->m.size2; }
static inline size_t mat_numel(const Mat *a) { return a->m.size1 * a->m.size2; }
static inline bool mat_is_vector(const Mat *a) { return a->m.size1 == 1 || a->m.size2 == 1; }

Value range_new(double start, double stop, double step);
size_t range_len(const Range *r);
static inline double range_at(const Range *r, size_t i) { return r->start + (double)i * r->step; }

Value cell_new(Value v); /* takes ownership of v */

/* Ensure *slot is the only reference to its object, copying it if shared. Returns false when the
 * value's kind cannot be mutated (strings, ranges, immutable domain objects). */
bool val_make_unique(Value *slot);

/* A value that stands for one number: a number, a bool (0/1) or a 1×1 matrix. False otherwise. */
bool val_scalar(Value v, double *out);

/* Structural equality (matrices: same shape and entries; numbers: IEEE ==). */
bool val_equal(Value a, Value b);

/* The name type() reports: "nil", "bool", "number", "string", "list", "record", "matrix",
 * "range", "function", or the ExtClass name. */
const char *val_type_name(Value v);

#endif
