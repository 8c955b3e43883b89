/* lib/dual.c - see dual.h.
 *
 * A dual number (v, d1, d2) stands for a function of one variable t at a point: its value and its
 * first and second derivatives there. The arithmetic below is the chain rule truncated at order
 * two, so running a DLT function on the dual (x, 1, 0) computes f(x), f'(x) and f''(x) exactly (to
 * rounding), branches and all: comparisons look at the value only, so `if x > 0` takes the branch
 * that holds at x and differentiates that branch.
 *
 * A derivative part that is exactly 0 contributes nothing even when the factor it multiplies is
 * infinite or nan (mulz): a constant stays a constant, so sqrt(0 * x) or 0 * exp(1000 * x) has
 * derivative 0 rather than nan. Nested differentiation (deriv inside a function being
 * differentiated) is refused rather than risk mixing two directions in one dual.
 */
#include "dual.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../arith.h"
#include "../interp.h"
#include "../mathfn.h"
#include "../print.h"
#include "../strbuf.h"

typedef struct Dual {
  Ext ext;
  double v, d1, d2;
} Dual;

static const ExtClass dual_class;

static Value dual_new(double v, double d1, double d2) {
  Dual *d = obj_new(OBJ_EXT, sizeof(Dual));
  d->ext.cls = &dual_class;
  d->v = v;
  d->d1 = d1;
  d->d2 = d2;
  return v_obj(d);
}

static bool is_dual(Value v) { return IS_EXT(v) && AS_EXT(v)->cls == &dual_class; }

static Dual *as_dual(Value v) { return (Dual *)AS_OBJ(v); }

/* a * b where a zero factor wins over an infinite or nan one (see the top of the file) */
static double mulz(double a, double b) { return a == 0 || b == 0 ? 0 : a * b; }

/* A number, a bool or a dual as a dual; false for anything else. */
static bool as_parts(Value v, Dual *out) {
  if (is_dual(v)) {
    *out = *as_dual(v);
    return true;
  }
  out->d1 = out->d2 = 0;
  if (IS_NUM(v)) out->v = AS_NUM(v);
  else if (IS_BOOL(v)) out->v = AS_BOOL(v);
  else return false;
  return true;
}

/* ------------------------------------------------------------------ the type */
static void dual_free(Obj *self) { (void)self; }

static void dual_print(Obj *self, StrBuf *out) {
  Dual *d = (Dual *)self;
  sb_puts(out, "dual(");
  fmt_num(out, d->v);
  sb_puts(out, ", d="); /* + 0.0 turns the -0 of negated zero parts into 0 */
  fmt_num(out, d->d1 + 0.0);
  sb_puts(out, ", d2=");
  fmt_num(out, d->d2 + 0.0);
  sb_puts(out, ")");
}

/* Structural, as for matrices: the same value and derivatives. (The operator == compares values
 * only, like the other comparisons, so that code branches on the value.) */
static bool dual_equal(Obj *self, Value other) {
  Dual *d = (Dual *)self, o;
  if (!is_dual(other)) return false;
  o = *as_dual(other);
  return d->v == o.v && d->d1 == o.d1 && d->d2 == o.d2;
}

static bool dual_truthy(Obj *self) { return ((Dual *)self)->v != 0; }

/* x^c for a constant c: the power rule, with the zero coefficients of c = 0, 1, 2 kept exact */
static Dual pow_const(Dual x, double c) {
  double p1 = mulz(c, pow(x.v, c - 1)), p2 = mulz(c * (c - 1), pow(x.v, c - 2));
  return (Dual){.v = pow(x.v, c), .d1 = mulz(p1, x.d1), .d2 = mulz(p2, x.d1 * x.d1) + mulz(p1, x.d2)};
}

/* x^y = exp(y log x) when the exponent varies */
static Dual pow_general(Dual x, Dual y) {
  double L = log(x.v), q1 = x.d1 / x.v;
  double g1 = mulz(y.d1, L) + mulz(y.v, q1);
  double g2 = mulz(y.d2, L) + 2 * mulz(y.d1, q1) + mulz(y.v, x.d2 / x.v - q1 * q1);
  double r = pow(x.v, y.v);
  return (Dual){.v = r, .d1 = mulz(r, g1), .d2 = mulz(r, g2 + g1 * g1)};
}

static Dual dual_arith(OpCode op, Dual x, Dual y) {
  Dual r = {.v = arith_num(op, x.v, y.v)};
  switch (op) {
  case OP_ADD:
    r.d1 = x.d1 + y.d1;
    r.d2 = x.d2 + y.d2;
    break;
  case OP_SUB:
    r.d1 = x.d1 - y.d1;
    r.d2 = x.d2 - y.d2;
    break;
  case OP_MUL:
  case OP_MATMUL: /* of two scalars: their product, as for numbers */
    r.d1 = mulz(x.d1, y.v) + mulz(x.v, y.d1);
    r.d2 = mulz(x.d2, y.v) + 2 * mulz(x.d1, y.d1) + mulz(x.v, y.d2);
    break;
  case OP_DIV: /* from x = q y */
    r.d1 = (x.d1 - mulz(r.v, y.d1)) / y.v;
    r.d2 = (x.d2 - 2 * mulz(r.d1, y.d1) - mulz(r.v, y.d2)) / y.v;
    break;
  case OP_MOD: { /* x - y floor(x / y), the floor being locally constant */
    double q = floor(x.v / y.v);
    r.d1 = x.d1 - mulz(q, y.d1);
    r.d2 = x.d2 - mulz(q, y.d2);
    break;
  }
  default: /* OP_POW */
    return y.d1 == 0 && y.d2 == 0 ? pow_const(x, y.v) : pow_general(x, y);
  }
  return r;
}

static Value dual_binop(Interp *I, OpCode op, Value a, Value b, const Span *where) {
  Dual x, y;
  bool ok = as_parts(a, &x) && as_parts(b, &y);
  bool compare = op >= OP_EQ && op <= OP_GE;
  if (!ok) {
    Value other = is_dual(a) ? b : a;
    bool numeric = IS_MAT(other) || IS_RANGE(other) || IS_LIST(other);
    if ((op == OP_EQ || op == OP_NE) && !numeric) return v_bool(op == OP_NE);
    return dlt_error(I, where,
                     "cannot %s a %s and a %s (operator '%s'): a function being differentiated sees a dual "
                     "number, which combines only with numbers",
                     op_verb(op), val_type_name(a), val_type_name(b), op_symbol(op));
  }
  if (compare) return v_bool(arith_num(op, x.v, y.v) != 0);
  Dual r = dual_arith(op, x, y);
  return dual_new(r.v, r.d1, r.d2);
}

/* `not` never gets here (the evaluator asks truthy); a transpose leaves a scalar as it is */
static Value dual_unop(Interp *I, OpCode op, Obj *self, const Span *where) {
  (void)I;
  (void)where;
  Dual *d = (Dual *)self;
  if (op == OP_NEG) return dual_new(-d->v, -d->d1, -d->d2);
  return val_retain(v_obj(self));
}

/* f(x) = (f(v), f'(v) d1, f''(v) d1² + f'(v) d2) */
static Value dual_math1(Interp *I, const MathFn *fn, Obj *self, const Span *where) {
  (void)I;
  (void)where;
  Dual *d = (Dual *)self;
  double f1 = fn->df(d->v), f2 = fn->d2f(d->v);
  return dual_new(fn->f(d->v), mulz(f1, d->d1), mulz(f2, d->d1 * d->d1) + mulz(f1, d->d2));
}

/* clamp(x, lo, hi) with a dual x: like min(max(x, lo), hi), a bound reached is the constant bound
 * (derivative 0), also when x equals it. */
static Value dual_clamp(Args *a, bool *handled) {
  const Value *lo = a->n > 1 ? &a->v[1] : kw_get(a, "lo");
  const Value *hi = a->n > 2 ? &a->v[2] : kw_get(a, "hi");
  if (!lo || !hi || a->n > 3 || a->nkw + a->n != 3) return v_nil(); /* the builtin reports it */
  *handled = true;
  const Value *p[2] = {lo, hi};
  const char *names[2] = {"lo", "hi"};
  for (int i = 0; i < 2; i++)
    if (!IS_NUM(*p[i])) {
      if (a->n > i + 1) return arg_error(a, i + 1, "with a dual x, %s must be a number, got a %s", names[i], val_type_name(*p[i]));
      return kw_error(a, names[i], "with a dual x, %s must be a number, got a %s", names[i], val_type_name(*p[i]));
    }
  double l = AS_NUM(*lo), h = AS_NUM(*hi), v = as_dual(a->v[0])->v;
  if (!(l <= h))
    return call_error(a, "lo must not exceed hi, got lo = %s and hi = %s", num_text(l).s, num_text(h).s);
  if (v <= l) return v_num(l);
  if (v >= h) return v_num(h);
  return val_retain(a->v[0]);
}

/* Builtins that see a dual as their first argument: the one-argument min and max (a single number
 * is its own extreme) and clamp. max(x, 0) and the like are matrix.c's, through the operators. */
static Value dual_method(Args *a, const char *builtin, bool *handled) {
  if ((strcmp(builtin, "max") == 0 || strcmp(builtin, "min") == 0) && a->n == 1 && a->nkw == 0) {
    *handled = true;
    return val_retain(a->v[0]);
  }
  if (strcmp(builtin, "clamp") == 0) return dual_clamp(a, handled);
  return v_nil();
}

static const ExtClass dual_class = {
  .name = "dual",
  .free = dual_free,
  .print = dual_print,
  .equal = dual_equal,
  .binop = dual_binop,
  .unop = dual_unop,
  .math1 = dual_math1,
  .truthy = dual_truthy,
  .method = dual_method,
};

/* ------------------------------------------------------------------ evaluation */
/* fn at the dual (x, 1, 0); `what` names fn in the error for a result that is not a number. */
static bool eval_at(Args *a, Value fn, double x, const char *what, double *f, double *df, double *d2f) {
  Value xv = dual_new(x, 1, 0);
  Value r = dlt_call(a->I, fn, 1, &xv, a->call);
  val_release(xv);
  if (IS_ABRUPT(r)) return false;
  Dual d;
  bool ok = as_parts(r, &d);
  if (!ok && IS_MAT(r) && mat_numel(AS_MAT(r)) == 1) { /* a 1×1 matrix counts as a number elsewhere */
    d = (Dual){.v = AS_MAT(r)->data[0]};
    ok = true;
  }
  if (!ok) call_error(a, "the %s must return a number, got a %s", what, val_type_name(r));
  val_release(r);
  if (!ok) return false;
  *f = d.v;
  if (df) *df = d.d1;
  if (d2f) *d2f = d.d2;
  return true;
}

bool dual_eval(Args *a, Value fn, double x, double *f, double *df, double *d2f) {
  return eval_at(a, fn, x, "activation", f, df, d2f);
}

/* deriv/deriv2: `order` is Builtin.data's 1 or 2. A number gives a number, anything numeric a
 * matrix of its shape. */
static Value bi_deriv(Args *a) {
  int order = *(const int *)a->data;
  if (!arg_callable(a, 0)) return v_abrupt();
  if (is_dual(a->v[1]))
    return arg_error(a, 1, "x is a dual number: nested derivatives (%s inside a function being differentiated) "
                           "are not supported; use deriv2 for the second derivative", a->fname);
  if (IS_NUM(a->v[1]) || IS_BOOL(a->v[1])) {
    double x = IS_NUM(a->v[1]) ? AS_NUM(a->v[1]) : AS_BOOL(a->v[1]), f, d[3];
    if (!eval_at(a, a->v[0], x, "function", &f, &d[1], &d[2])) return v_abrupt();
    return v_num(d[order]);
  }
  Value mv;
  if (!arg_mat(a, 1, &mv)) return v_abrupt();
  Mat *x = AS_MAT(mv);
  Mat *out = mat_alloc(mat_rows(x), mat_cols(x));
  if (!out) {
    Value e = dlt_error_oom(a->I, a->call, mat_rows(x), mat_cols(x)); /* before x goes with mv */
    val_release(mv);
    return e;
  }
  for (size_t i = 0; i < mat_numel(x); i++) {
    double f, d[3];
    if (!eval_at(a, a->v[0], x->data[i], "function", &f, &d[1], &d[2])) {
      val_release(v_obj(out));
      val_release(mv);
      return v_abrupt();
    }
    out->data[i] = d[order];
  }
  val_release(mv);
  return v_obj(out);
}

static const int first = 1, second = 2;

static const Builtin dual_builtins[] = {
  {"deriv", bi_deriv, 2, 2, NULL, "deriv(f, x)", "the derivative f'(x), exact (forward-mode dual numbers, not finite differences); elementwise over a matrix x", &first},
  {"deriv2", bi_deriv, 2, 2, NULL, "deriv2(f, x)", "the second derivative f''(x), exact (forward-mode dual numbers); elementwise over a matrix x", &second},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_dual = {"dual", dual_builtins};
