/* builtin.h - how C functions become DLT builtins.
 *
 * Each library module (src/lib/NAME.c) defines one registration table of Builtin entries, in the
 * style of Lua's luaL_Reg: name, C function, arity, accepted keyword arguments, a signature and a
 * one-line help string (shown by `:help NAME` in the REPL). modules.c lists the tables.
 *
 * A builtin receives borrowed arguments and returns a new reference, or raises a located error
 * with arg_error()/call_error() and returns their v_abrupt().
 */
#ifndef DLT_BUILTIN_H
#define DLT_BUILTIN_H

#include "error.h"
#include "value.h"

struct Node;

typedef struct Args {
  Interp *I;
  const char *fname;
  int n;                          /* positional arguments */
  const Value *v;
  struct Node *const *argnodes;   /* their syntax, for error locations (NULL when called from C) */
  int nkw;                        /* keyword arguments */
  const char *const *kwnames;
  const Value *kw;
  struct Node *const *kwnodes;
  const Span *kwspans;            /* where each keyword's name is written (NULL from C) */
  const Span *call;               /* the whole call */
  const void *data;               /* Builtin.data of the builtin being called */
} Args;

typedef Value (*BuiltinFn)(Args *a);

typedef struct Builtin {
  const char *name;
  BuiltinFn fn;
  int min_args, max_args; /* max_args < 0: variadic */
  const char *kwargs;     /* space-separated accepted keyword names, or NULL */
  const char *sig;        /* e.g. "zeros(n, m=n)" */
  const char *help;       /* one line */
  const void *data;       /* passed to the function in Args.data (e.g. which MathFn) */
} Builtin;

typedef struct Module {
  const char *name;
  const Builtin *fns; /* terminated by a {NULL} entry */
} Module;

extern const Module *const dlt_modules[];
const Builtin *builtin_find(const char *name);

/* Errors located at an argument (i >= 0: positional i, 0-based) or at the whole call. */
Value arg_error(Args *a, int i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
Value kw_error(Args *a, const char *kw, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
Value call_error(Args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const Span *arg_span(Args *a, int i);
const Span *kw_span(Args *a, const char *name); /* the keyword argument's span, else the call's */

/* Typed accessors: return false after raising a located error naming the expected type. */
bool arg_num(Args *a, int i, double *out);
bool arg_int(Args *a, int i, long *out);          /* an integral number */
bool arg_size(Args *a, int i, size_t *out);       /* a non-negative integer */
bool arg_str(Args *a, int i, const char **out);
bool arg_callable(Args *a, int i);
/* A numeric value as a matrix: numbers become 1×1, ranges and numeric lists column vectors.
 * The result is a new reference. */
bool arg_mat(Args *a, int i, Value *out);

const Value *kw_get(Args *a, const char *name);
bool kw_num(Args *a, const char *name, double *out, bool *present);
/* a keyword naming one of names[0..n) (dflt when absent): its index in *out, else a located
 * error listing the names and suggesting the closest */
bool kw_choice(Args *a, const char *kw, const char *const *names, int n, const char *dflt, int *out);
/* a finite number >= 0 (dflt when absent), else a located error naming the keyword */
bool kw_nonneg(Args *a, const char *name, double dflt, double *out);
bool kw_str(Args *a, const char *name, const char **out, bool *present);
/* true or false (dflt when absent), else a located error "name= must be true or false" */
bool kw_bool(Args *a, const char *name, bool dflt, bool *out);
/* axis= of the reductions: 1 reduces down the rows (a 1×cols result), 2 across the columns (a
 * rows×1 result), 0 when absent (over all entries). */
bool kw_axis(Args *a, int *axis);

bool val_is_callable(Value v);

/* Calling DLT functions from C (integrands, ODE right-hand sides, objectives).
 * call_num: f(args...) must give a number (or a 1×1 matrix, or a bool). call_vec: a numeric vector
 * of length n (n == 0: any length), returned as a new column-vector reference in *out.
 * Both return false after an error was raised, either by f itself or "NAME: the function must
 * return ..."; a C routine driving GSL should then stop iterating (return NAN to GSL and check a
 * failure flag afterwards) and return v_abrupt(). */
bool call_num(Args *a, Value f, int argc, const Value *argv, double *out);
bool call_vec(Args *a, Value f, int argc, const Value *argv, size_t n, Value *out);

#endif
