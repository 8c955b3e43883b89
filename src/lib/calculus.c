/* lib/calculus.c - integration: adaptive quadrature, Gauss rules, 2-D and Monte Carlo integration,
 * and the helpers calculus, ode and optim share for calling DLT functions from GSL callbacks.
 *
 * When the user's function raises an error (or Ctrl-C is pressed) the callback records the failure
 * and stops the GSL routine: the QUADPACK routines by a longjmp back to where they were called
 * (they allocate nothing: all their memory is the workspace we own), the others by returning a
 * value that ends their iteration. The builtin then returns v_abrupt(), and the user's error, with
 * its own location and call-stack line, is what gets reported.
 */
#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_monte_miser.h>
#include <gsl/gsl_monte_plain.h>
#include <gsl/gsl_monte_vegas.h>

#include "../arith.h"
#include "../builtin.h"
#include "../interp.h"
#include "../print.h"
#include "../strbuf.h"
#include "calculus.h"
#include "random.h"

/* ================================================================== shared helpers */

/* "a string", "a 2×3 matrix": what a value is, for messages */
typedef struct CalcWhat {
  char s[64];
} CalcWhat;

static CalcWhat calc_what(Value v) {
  CalcWhat w;
  if (IS_MAT(v)) {
    StrBuf b = STRBUF_INIT;
    fmt_shape(&b, mat_rows(AS_MAT(v)), mat_cols(AS_MAT(v)));
    snprintf(w.s, sizeof w.s, "a %s matrix", sb_cstr(&b));
    sb_free(&b);
  } else {
    const char *t = val_type_name(v);
    snprintf(w.s, sizeof w.s, "%s %s", strchr("aeiou", t[0]) ? "an" : "a", t);
  }
  return w;
}

void calc_point_init(CalcPoint *p, size_t n, bool scalar) {
  p->v = v_nil();
  p->n = n;
  p->scalar = scalar;
}

bool calc_point_set(Args *a, CalcPoint *p, const double *x) {
  if (p->scalar) {
    p->v = v_num(x[0]);
    return true;
  }
  /* reuse the vector unless the callee kept a reference to it (copy-on-write would not help:
   * the kept value must not change behind the user's back) */
  if (!(IS_MAT(p->v) && AS_OBJ(p->v)->refs == 1)) {
    val_release(p->v);
    p->v = v_nil();
    Mat *m = mat_alloc(p->n, 1);
    if (!m) {
      dlt_error_oom(a->I, a->call, p->n, 1);
      return false;
    }
    p->v = v_obj(m);
  }
  Mat *m = AS_MAT(p->v);
  m->logical = false;
  memcpy(m->data, x, p->n * sizeof *x);
  return true;
}

void calc_point_free(CalcPoint *p) {
  val_release(p->v);
  p->v = v_nil();
}


bool calc_call_num(Args *a, Value fn, const char *what, int argc, const Value *argv, double *out) {
  Value r = dlt_call(a->I, fn, argc, argv, a->call);
  if (IS_ABRUPT(r)) return false;
  bool ok = true;
  if (!val_scalar(r, out)) {
    call_error(a, "%s must return a number, got %s", what, calc_what(r).s);
    ok = false;
  }
  val_release(r);
  return ok;
}

/* r as a matrix when it is a numeric vector (or a number), else nil; v_abrupt() on OOM */
static Value calc_as_vector(Args *a, Value r) {
  if (!(IS_MAT(r) || IS_NUM(r) || IS_BOOL(r) || IS_RANGE(r) || IS_LIST(r))) return v_nil();
  if (IS_LIST(r)) /* a list of numbers only; anything else is reported as "a list" */
    for (size_t i = 0; i < AS_LIST(r)->n; i++)
      if (!IS_NUM(AS_LIST(r)->items[i]) && !IS_BOOL(AS_LIST(r)->items[i])) return v_nil();
  Value m = val_as_mat(a->I, r, a->call, "the result");
  if (IS_ABRUPT(m)) return m;
  if (!mat_is_vector(AS_MAT(m)) && mat_numel(AS_MAT(m)) != 0) {
    val_release(m);
    return v_nil();
  }
  return m;
}

/* copy the entries of vector m (any orientation) into out */
static void calc_copy_vec(Mat *m, double *out) {
  size_t k = 0;
  for (size_t i = 0; i < mat_rows(m); i++)
    for (size_t j = 0; j < mat_cols(m); j++) out[k++] = *mat_at(m, i, j);
}

bool calc_call_vec(Args *a, Value fn, const char *what, int argc, const Value *argv, size_t n, double *out) {
  Value r = dlt_call(a->I, fn, argc, argv, a->call);
  if (IS_ABRUPT(r)) return false;
  Value m = calc_as_vector(a, r);
  if (IS_ABRUPT(m)) {
    val_release(r);
    return false;
  }
  if (!IS_MAT(m) || mat_numel(AS_MAT(m)) != n || (IS_NUM(r) && n != 1)) {
    if (n == 1)
      call_error(a, "%s must return a number, got %s", what, calc_what(r).s);
    else
      call_error(a, "%s must return a vector of length %zu, got %s", what, n, calc_what(r).s);
    val_release(m);
    val_release(r);
    return false;
  }
  calc_copy_vec(AS_MAT(m), out);
  val_release(m);
  val_release(r);
  return true;
}

bool calc_call_mat(Args *a, Value fn, const char *what, int argc, const Value *argv, size_t n, double *out) {
  Value r = dlt_call(a->I, fn, argc, argv, a->call);
  if (IS_ABRUPT(r)) return false;
  bool ok = true;
  if (n == 1 && (IS_NUM(r) || IS_BOOL(r))) out[0] = IS_NUM(r) ? AS_NUM(r) : AS_BOOL(r);
  else if (IS_MAT(r) && mat_rows(AS_MAT(r)) == n && mat_cols(AS_MAT(r)) == n) {
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < n; j++) out[i * n + j] = *mat_at(AS_MAT(r), i, j);
  } else {
    StrBuf b = STRBUF_INIT;
    fmt_shape(&b, n, n);
    call_error(a, "%s must return a %s matrix, got %s", what, sb_cstr(&b), calc_what(r).s);
    sb_free(&b);
    ok = false;
  }
  val_release(r);
  return ok;
}

bool calc_call_anyvec(Args *a, Value fn, const char *what, int argc, const Value *argv, double **out, size_t *n) {
  Value r = dlt_call(a->I, fn, argc, argv, a->call);
  if (IS_ABRUPT(r)) return false;
  Value m = calc_as_vector(a, r);
  if (IS_ABRUPT(m)) {
    val_release(r);
    return false;
  }
  if (!IS_MAT(m)) {
    call_error(a, "%s must return a number or a vector, got %s", what, calc_what(r).s);
    val_release(r);
    return false;
  }
  *n = mat_numel(AS_MAT(m));
  *out = malloc((*n ? *n : 1) * sizeof **out);
  if (!*out) {
    dlt_error_oom(a->I, a->call, *n, 1);
    val_release(m);
    val_release(r);
    return false;
  }
  calc_copy_vec(AS_MAT(m), *out);
  val_release(m);
  val_release(r);
  return true;
}

/* v as a vector: its entries in a new array; *scalar when v was a plain number. False when v is
 * not numeric or not a vector (nothing raised: the caller knows where v came from). */
static bool calc_value_vec(Args *a, Value v, const Span *sp, double **out, size_t *n, bool *scalar, bool *oom) {
  *oom = false;
  *scalar = IS_NUM(v) || IS_BOOL(v);
  if (!(IS_MAT(v) || IS_NUM(v) || IS_BOOL(v) || IS_RANGE(v) || IS_LIST(v))) return false;
  Value m = val_as_mat(a->I, v, sp, "the argument");
  if (IS_ABRUPT(m)) {
    *oom = true;
    return false;
  }
  if (!mat_is_vector(AS_MAT(m)) && mat_numel(AS_MAT(m)) != 0) {
    val_release(m);
    return false;
  }
  *n = mat_numel(AS_MAT(m));
  *out = malloc((*n ? *n : 1) * sizeof **out);
  if (!*out) {
    dlt_error_oom(a->I, sp, *n, 1);
    *oom = true;
    val_release(m);
    return false;
  }
  calc_copy_vec(AS_MAT(m), *out);
  val_release(m);
  return true;
}

bool calc_arg_vec(Args *a, int i, const char *name, double **out, size_t *n, bool *scalar) {
  bool oom;
  *out = NULL;
  if (calc_value_vec(a, a->v[i], arg_span(a, i), out, n, scalar, &oom)) return true;
  if (!oom) arg_error(a, i, "%s must be a number or a vector, got %s", name, calc_what(a->v[i]).s);
  return false;
}

bool calc_kw_vec(Args *a, const char *name, double **out, size_t *n, bool *present) {
  const Value *v = kw_get(a, name);
  *present = v != NULL;
  *out = NULL;
  *n = 0;
  if (!v) return true;
  bool scalar, oom;
  if (calc_value_vec(a, *v, a->call, out, n, &scalar, &oom)) return true;
  if (!oom) kw_error(a, name, "%s= must be a number or a vector, got %s", name, calc_what(*v).s);
  return false;
}

static bool calc_kw_number(Args *a, const char *name, double def, double *out) {
  bool present;
  *out = def;
  if (!kw_num(a, name, out, &present)) return false;
  return true;
}

bool calc_kw_pos(Args *a, const char *name, double def, double *out) {
  if (!calc_kw_number(a, name, def, out)) return false;
  if (!(*out > 0 && isfinite(*out))) {
    kw_error(a, name, "%s= must be a positive number, got %s", name, CALC_NUM(*out));
    return false;
  }
  return true;
}

bool calc_kw_nonneg(Args *a, const char *name, double def, double *out) {
  if (!calc_kw_number(a, name, def, out)) return false;
  if (!(*out >= 0 && isfinite(*out))) {
    kw_error(a, name, "%s= must be a non-negative number, got %s", name, CALC_NUM(*out));
    return false;
  }
  return true;
}

bool calc_kw_count(Args *a, const char *name, size_t def, size_t min, size_t max, size_t *out) {
  double x;
  if (!calc_kw_number(a, name, (double)def, &x)) return false;
  if (!(x == floor(x) && x >= (double)min && x <= (double)max)) {
    kw_error(a, name, "%s= must be a whole number between %zu and %zu, got %s", name, min, max, CALC_NUM(x));
    return false;
  }
  *out = (size_t)x;
  return true;
}

Value calc_vec_value(Args *a, const double *x, size_t n, bool scalar) {
  if (scalar && n == 1) return v_num(x[0]);
  Mat *m = mat_alloc(n, 1);
  if (!m) return dlt_error_oom(a->I, a->call, n, 1);
  if (n) memcpy(m->data, x, n * sizeof *x);
  return v_obj(m);
}

/* ================================================================== Gauss rules */

/* finite limits whose difference overflows would put the quadrature nodes at ±inf */
static bool wide_range_ok(Args *a, int i, double lo, double hi) {
  if (isfinite(lo) && isfinite(hi) && !isfinite(hi - lo)) {
    arg_error(a, i, "the range from %s to %s is too wide for double precision: split it, or use ±inf limits",
              CALC_NUM(lo), CALC_NUM(hi));
    return false;
  }
  return true;
}


typedef struct NodeWeight {
  double x, w;
} NodeWeight;

static int nw_cmp(const void *p, const void *q) {
  double x = ((const NodeWeight *)p)->x, y = ((const NodeWeight *)q)->x;
  return (x > y) - (x < y);
}

static int sort_rule(size_t n, double *nodes, double *weights) {
  NodeWeight *t = malloc(n * sizeof *t);
  if (!t) return GSL_ENOMEM;
  for (size_t i = 0; i < n; i++) t[i] = (NodeWeight){nodes[i], weights[i]};
  qsort(t, n, sizeof *t, nw_cmp);
  for (size_t i = 0; i < n; i++) {
    nodes[i] = t[i].x;
    weights[i] = t[i].w;
  }
  free(t);
  return GSL_SUCCESS;
}

int dlt_gauss_hermite(size_t n, double *nodes, double *weights) {
  if (n == 0 || n > DLT_GAUSS_MAX) return GSL_EINVAL;
  /* weight e^(-b (x - a)^2) with a = 0, b = 1 */
  gsl_integration_fixed_workspace *w = gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, n, 0, 1, 0, 0);
  if (!w) return GSL_ENOMEM;
  memcpy(nodes, gsl_integration_fixed_nodes(w), n * sizeof *nodes);
  memcpy(weights, gsl_integration_fixed_weights(w), n * sizeof *weights);
  gsl_integration_fixed_free(w);
  return sort_rule(n, nodes, weights);
}

int dlt_gauss_hermite_normal(size_t n, double *nodes, double *weights) {
  int st = dlt_gauss_hermite(n, nodes, weights);
  if (st) return st;
  /* E f(g) = (1/√π) ∫ f(√2 x) e^(-x²) dx */
  for (size_t i = 0; i < n; i++) {
    nodes[i] *= M_SQRT2;
    weights[i] /= M_SQRTPI;
  }
  return GSL_SUCCESS;
}

int dlt_gauss_legendre(size_t n, double a, double b, double *nodes, double *weights) {
  if (n == 0 || n > DLT_GAUSS_MAX) return GSL_EINVAL;
  gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc(n);
  if (!t) return GSL_ENOMEM;
  for (size_t i = 0; i < n; i++) gsl_integration_glfixed_point(a, b, i, &nodes[i], &weights[i], t);
  gsl_integration_glfixed_table_free(t);
  return sort_rule(n, nodes, weights);
}

/* the order n: a whole number in 1..DLT_GAUSS_MAX */
static bool gauss_order(Args *a, int i, size_t *n) {
  if (!arg_size(a, i, n)) return false;
  if (*n < 1 || *n > DLT_GAUSS_MAX) {
    arg_error(a, i, "the order must be between 1 and %d, got %zu", DLT_GAUSS_MAX, *n);
    return false;
  }
  return true;
}

static Value rule_record(Args *a, const double *nodes, const double *weights, size_t n) {
  Value x = calc_vec_value(a, nodes, n, false);
  if (IS_ABRUPT(x)) return x;
  Value w = calc_vec_value(a, weights, n, false);
  if (IS_ABRUPT(w)) {
    val_release(x);
    return w;
  }
  Value r = record_new();
  record_set(AS_RECORD(r), "nodes", x);
  record_set(AS_RECORD(r), "weights", w);
  return r;
}

/* sum_i w_i f(x_i): one call per node, or with `vectorized` one call on the column of nodes */
static Value rule_sum(Args *a, Value fn, const double *nodes, const double *weights, size_t n, bool vectorized) {
  if (vectorized) {
    double *fx = malloc(n * sizeof *fx);
    Value x = calc_vec_value(a, nodes, n, false);
    if (!fx || IS_ABRUPT(x)) {
      free(fx);
      return IS_ABRUPT(x) ? x : dlt_error_oom(a->I, a->call, n, 1);
    }
    bool ok = calc_call_vec(a, fn, "the function (vectorized=true)", 1, &x, n, fx);
    val_release(x);
    double s = 0;
    for (size_t i = 0; ok && i < n; i++) s += weights[i] * fx[i];
    free(fx);
    return ok ? v_num(s) : v_abrupt();
  }
  double s = 0;
  for (size_t i = 0; i < n; i++) {
    Value x = v_num(nodes[i]);
    double y;
    if (!calc_call_num(a, fn, "the function", 1, &x, &y)) return v_abrupt();
    s += weights[i] * y;
  }
  return v_num(s);
}

static Value rule_result(Args *a, bool have_fn, Value fn, double *nodes, double *weights, size_t n) {
  bool vectorized;
  if (!kw_bool(a, "vectorized", false, &vectorized)) return v_abrupt();
  if (have_fn) return rule_sum(a, fn, nodes, weights, n, vectorized);
  if (kw_get(a, "vectorized")) return kw_error(a, "vectorized", "vectorized= needs a function to integrate");
  return rule_record(a, nodes, weights, n);
}

static Value rule_alloc_failed(Args *a, double *nodes, double *weights, size_t n) {
  free(nodes);
  free(weights);
  return dlt_error_oom(a->I, a->call, n, 2);
}

static Value bi_gauss_hermite(Args *a) {
  bool have_fn = val_is_callable(a->v[0]);
  int order_at = have_fn ? 1 : 0;
  if (have_fn && a->n < 2) return call_error(a, "give the order after the function: gauss_hermite(f, n)");
  if (!have_fn && a->n > 1) return arg_error(a, 0, "the first argument must be a function when an order follows, got %s", calc_what(a->v[0]).s);
  size_t n;
  if (!gauss_order(a, order_at, &n)) return v_abrupt();
  const char *kind = "probabilists";
  if (!kw_str(a, "kind", &kind, NULL)) return v_abrupt();
  bool normal = strcmp(kind, "probabilists") == 0;
  if (!normal && strcmp(kind, "physicists") != 0)
    return kw_error(a, "kind", "kind= must be \"probabilists\" or \"physicists\", got \"%s\"", kind);
  double *nodes = malloc(n * sizeof *nodes), *weights = malloc(n * sizeof *weights);
  if (!nodes || !weights) return rule_alloc_failed(a, nodes, weights, n);
  int st = normal ? dlt_gauss_hermite_normal(n, nodes, weights) : dlt_gauss_hermite(n, nodes, weights);
  Value r = st ? dlt_error_gsl(a->I, a->call, "gauss_hermite", st) : rule_result(a, have_fn, a->v[0], nodes, weights, n);
  free(nodes);
  free(weights);
  return r;
}

static bool finite_arg(Args *a, int i, const char *name, double *x) {
  if (!arg_num(a, i, x)) return false;
  if (!isfinite(*x)) {
    arg_error(a, i, "%s must be finite, got %s", name, CALC_NUM(*x));
    return false;
  }
  return true;
}

static Value bi_gauss_legendre(Args *a) {
  bool have_fn = val_is_callable(a->v[0]);
  size_t n;
  double lo = -1, hi = 1;
  if (have_fn) {
    if (a->n != 4) return call_error(a, "with a function, give the interval and the order: gauss_legendre(f, a, b, n)");
    if (!finite_arg(a, 1, "the lower limit", &lo) || !finite_arg(a, 2, "the upper limit", &hi) || !gauss_order(a, 3, &n))
      return v_abrupt();
  } else {
    if (a->n > 3) return arg_error(a, 0, "the first argument must be a function when four arguments are given, got %s", calc_what(a->v[0]).s);
    if (!gauss_order(a, 0, &n)) return v_abrupt();
    if (a->n > 1 && !finite_arg(a, 1, "the lower limit", &lo)) return v_abrupt();
    if (a->n > 2 && !finite_arg(a, 2, "the upper limit", &hi)) return v_abrupt();
  }
  if (!wide_range_ok(a, 2, lo, hi)) return v_abrupt();
  double *nodes = malloc(n * sizeof *nodes), *weights = malloc(n * sizeof *weights);
  if (!nodes || !weights) return rule_alloc_failed(a, nodes, weights, n);
  int st = dlt_gauss_legendre(n, lo, hi, nodes, weights);
  Value r = st ? dlt_error_gsl(a->I, a->call, "gauss_legendre", st) : rule_result(a, have_fn, a->v[0], nodes, weights, n);
  free(nodes);
  free(weights);
  return r;
}

/* ================================================================== adaptive quadrature */

typedef struct Quad {
  Args *a;
  Value fn;
  const char *what;  /* "the integrand" */
  bool has_fixed;    /* call fn(fixed, x): the inner integral of integrate2 */
  double fixed;
  bool failed;
  size_t evals;
  jmp_buf stop;      /* set by quad_run around the QUADPACK call */
} Quad;

static double quad_f(double x, void *p) {
  Quad *q = p;
  if (q->failed) return 0;
  q->evals++;
  Value argv[2] = {v_num(q->fixed), v_num(x)};
  double y;
  if (!calc_call_num(q->a, q->fn, q->what, q->has_fixed ? 2 : 1, q->has_fixed ? argv : argv + 1, &y))
    q->failed = true;
  else if (!isfinite(y)) {
    if (q->has_fixed)
      call_error(q->a, "%s is %s at (x, y) = (%s, %s)", q->what, CALC_NUM(y), CALC_NUM(q->fixed), CALC_NUM(x));
    else
      call_error(q->a, "%s is %s at x = %s", q->what, CALC_NUM(y), CALC_NUM(x));
    q->failed = true;
  }
  if (q->failed) longjmp(q->stop, 1);
  return y;
}

typedef struct QuadOpts {
  double abstol, reltol;
  size_t limit;
} QuadOpts;

/* The QUADPACK routine that fits the limits (lo < hi); the integrand stops it by longjmp(*stop). */
static int quad_run(jmp_buf *stop, gsl_function *F, double lo, double hi, double *pts, size_t npts, const QuadOpts *o,
                    gsl_integration_workspace *w, double *val, double *err) {
  if (setjmp(*stop)) return GSL_FAILURE;
  if (npts) {
    pts[0] = lo;
    pts[npts + 1] = hi;
    return gsl_integration_qagp(F, pts, npts + 2, o->abstol, o->reltol, o->limit, w, val, err);
  }
  if (isinf(lo) && isinf(hi)) return gsl_integration_qagi(F, o->abstol, o->reltol, o->limit, w, val, err);
  if (isinf(hi)) return gsl_integration_qagiu(F, lo, o->abstol, o->reltol, o->limit, w, val, err);
  if (isinf(lo)) return gsl_integration_qagil(F, hi, o->abstol, o->reltol, o->limit, w, val, err);
  return gsl_integration_qags(F, lo, hi, o->abstol, o->reltol, o->limit, w, val, err);
}

/* ∫_lo^hi F for any limits; pts: sorted break points strictly inside, from index 1 of an array with
 * room for both limits */
static int quad_limits(jmp_buf *stop, gsl_function *F, double lo, double hi, double *pts, size_t npts,
                       const QuadOpts *o, gsl_integration_workspace *w, double *val, double *err) {
  *val = *err = 0;
  if (lo == hi) return GSL_SUCCESS;
  double sign = 1;
  if (lo > hi) {
    double t = lo;
    lo = hi;
    hi = t;
    sign = -1;
  }
  int st = quad_run(stop, F, lo, hi, pts, npts, o, w, val, err);
  *val *= sign;
  return st;
}

static int quad_apply(Quad *q, double lo, double hi, double *pts, size_t npts, const QuadOpts *o,
                      gsl_integration_workspace *w, double *val, double *err) {
  gsl_function F = {quad_f, q};
  return quad_limits(&q->stop, &F, lo, hi, pts, npts, o, w, val, err);
}

static const char *quad_reason(int st) {
  switch (st) {
  case GSL_EMAXITER: return "the maximum number of subintervals (limit=) was used up";
  case GSL_EROUND: return "roundoff error prevents reaching the tolerance";
  case GSL_ESING: return "the integrand behaves badly (a singularity or fast oscillation) inside the range";
  case GSL_EDIVERGE: return "the integral seems to diverge or to converge too slowly";
  default: return gsl_strerror(st);
  }
}

static bool quad_opts(Args *a, QuadOpts *o) {
  if (!calc_kw_nonneg(a, "abstol", 1e-10, &o->abstol) || !calc_kw_nonneg(a, "reltol", 1e-10, &o->reltol) ||
      !calc_kw_count(a, "limit", 1000, 1, 1000000, &o->limit))
    return false;
  /* QUADPACK refuses relative tolerances it cannot reach in double precision */
  if (o->abstol == 0 && o->reltol < 50 * 2.2204460492503131e-16) {
    call_error(a, "abstol= is 0, so reltol= must be at least 1.2e-14, got %s", CALC_NUM(o->reltol));
    return false;
  }
  return true;
}

static bool limit_arg(Args *a, int i, const char *name, double *x) {
  if (!arg_num(a, i, x)) return false;
  if (isnan(*x)) {
    arg_error(a, i, "%s is nan", name);
    return false;
  }
  return true;
}

static int dbl_cmp(const void *p, const void *q) {
  double x = *(const double *)p, y = *(const double *)q;
  return (x > y) - (x < y);
}

/* points=: sorted, deduplicated break points strictly inside the range, stored from index 1 of a
 * new array with room for both limits */
static bool quad_points(Args *a, double lo, double hi, size_t limit, double **pts, size_t *npts) {
  double *p;
  size_t n;
  bool present;
  *pts = NULL;
  *npts = 0;
  if (!calc_kw_vec(a, "points", &p, &n, &present)) return false;
  if (!present) return true;
  if (isinf(lo) || isinf(hi)) {
    free(p);
    kw_error(a, "points", "points= needs finite limits: split the range at a finite point and add the parts");
    return false;
  }
  double l = fmin(lo, hi), h = fmax(lo, hi);
  double *q = malloc((n + 2) * sizeof *q);
  if (!q) {
    free(p);
    dlt_error_oom(a->I, a->call, n + 2, 1);
    return false;
  }
  qsort(p, n, sizeof *p, dbl_cmp);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (!(p[i] >= l && p[i] <= h)) {
      kw_error(a, "points", "points= must lie between the limits %s and %s, got %s", CALC_NUM(l), CALC_NUM(h),
               CALC_NUM(p[i]));
      free(p);
      free(q);
      return false;
    }
    if (p[i] > l && p[i] < h && (m == 0 || p[i] != q[m])) q[++m] = p[i];
  }
  free(p);
  if (m + 1 > limit) {
    free(q);
    kw_error(a, "points", "points= splits the range into %zu parts, more than limit=%zu", m + 1, limit);
    return false;
  }
  *pts = q;
  *npts = m;
  return true;
}

static Value quad_info(double val, double err, size_t evals, bool converged) {
  Value r = record_new();
  record_set(AS_RECORD(r), "value", v_num(val));
  record_set(AS_RECORD(r), "error", v_num(err));
  record_set(AS_RECORD(r), "evals", v_num((double)evals));
  record_set(AS_RECORD(r), "converged", v_bool(converged));
  return r;
}

static Value bi_integrate(Args *a) {
  double lo, hi;
  QuadOpts o;
  bool info;
  if (!arg_callable(a, 0) || !limit_arg(a, 1, "the lower limit", &lo) || !limit_arg(a, 2, "the upper limit", &hi) ||
      !quad_opts(a, &o) || !kw_bool(a, "info", false, &info))
    return v_abrupt();
  if (!wide_range_ok(a, 2, lo, hi)) return v_abrupt();
  double *pts;
  size_t npts;
  if (!quad_points(a, lo, hi, o.limit, &pts, &npts)) return v_abrupt();
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(o.limit);
  if (!w) {
    free(pts);
    dlt_gsl_clear();
    return dlt_error_oom_items(a->I, a->call, "an integration workspace", "subintervals", (double)o.limit, 48);
  }
  Quad q = {.a = a, .fn = a->v[0], .what = "the integrand"};
  double val, err;
  int st = quad_apply(&q, lo, hi, pts, npts, &o, w, &val, &err);
  gsl_integration_workspace_free(w);
  free(pts);
  dlt_gsl_clear();
  if (q.failed) return v_abrupt();
  if (info) return quad_info(val, err, q.evals, st == GSL_SUCCESS);
  if (st)
    return call_error(a, "no convergence: %s; the estimate %s has an estimated error of %s (raise limit=, loosen "
                         "abstol=/reltol=, give singular points with points=, or pass info=true to accept it)",
                      quad_reason(st), CALC_NUM(val), CALC_NUM(err));
  return v_num(val);
}

/* ------------------------------------------------------------------ integrate2 */

typedef struct Bound {
  bool is_fn;
  double c;
  Value fn;
} Bound;

typedef struct Quad2 {
  Quad inner;
  Bound ylo, yhi;
  QuadOpts o;
  gsl_integration_workspace *w;
  jmp_buf stop;
} Quad2;

static bool bound_at(Quad2 *q, const Bound *b, const char *what, double x, double *y) {
  if (!b->is_fn) {
    *y = b->c;
    return true;
  }
  Value xv = v_num(x);
  if (!calc_call_num(q->inner.a, b->fn, what, 1, &xv, y)) return false;
  if (isnan(*y)) {
    call_error(q->inner.a, "%s is nan at x = %s", what, CALC_NUM(x));
    return false;
  }
  return true;
}

static double quad2_outer(double x, void *p) {
  Quad2 *q = p;
  double ylo, yhi, val = 0, err;
  if (!bound_at(q, &q->ylo, "the lower y-limit", x, &ylo) || !bound_at(q, &q->yhi, "the upper y-limit", x, &yhi))
    q->inner.failed = true;
  else {
    q->inner.fixed = x;
    int st = quad_apply(&q->inner, ylo, yhi, NULL, 0, &q->o, q->w, &val, &err);
    if (st && !q->inner.failed) {
      call_error(q->inner.a, "no convergence of the inner integral over y at x = %s: %s (estimate %s, error %s)",
                 CALC_NUM(x), quad_reason(st), CALC_NUM(val), CALC_NUM(err));
      q->inner.failed = true;
    }
  }
  if (q->inner.failed) longjmp(q->stop, 1);
  return val;
}

/* the x-range: a numeric pair */
static bool xrange_arg(Args *a, int i, double *lo, double *hi) {
  double *p;
  size_t n;
  bool scalar;
  if (!calc_arg_vec(a, i, "the x-range", &p, &n, &scalar)) return false;
  bool ok = n == 2 && !isnan(p[0]) && !isnan(p[1]);
  if (ok) {
    *lo = p[0];
    *hi = p[1];
  } else
    arg_error(a, i, "the x-range must be a pair [a, b] of numbers%s", n == 2 ? " (not nan)" : "");
  free(p);
  return ok;
}

/* the y-range: a numeric pair, or a list of two items, each a number or a function of x */
static bool yrange_arg(Args *a, int i, Bound *lo, Bound *hi) {
  Value v = a->v[i];
  Bound *b[2] = {lo, hi};
  if (IS_LIST(v) && AS_LIST(v)->n == 2) {
    for (int k = 0; k < 2; k++) {
      Value e = AS_LIST(v)->items[k];
      b[k]->is_fn = val_is_callable(e);
      b[k]->fn = e;
      b[k]->c = 0;
      if (IS_NUM(e) && !isnan(AS_NUM(e))) b[k]->c = AS_NUM(e);
      else if (!b[k]->is_fn) {
        arg_error(a, i, "each y-limit must be a number or a function of x, got %s", calc_what(e).s);
        return false;
      }
    }
    return true;
  }
  double *p;
  size_t n;
  bool scalar, oom, ok = false;
  if (calc_value_vec(a, v, arg_span(a, i), &p, &n, &scalar, &oom)) {
    ok = n == 2 && !isnan(p[0]) && !isnan(p[1]);
    if (ok) {
      *lo = (Bound){false, p[0], v_nil()};
      *hi = (Bound){false, p[1], v_nil()};
    }
    free(p);
  } else if (oom)
    return false;
  if (!ok) arg_error(a, i, "the y-range must be a pair [c, d] whose entries are numbers or functions of x");
  return ok;
}

static Value bi_integrate2(Args *a) {
  double xlo, xhi;
  Quad2 q;
  if (!arg_callable(a, 0) || !xrange_arg(a, 1, &xlo, &xhi) || !wide_range_ok(a, 1, xlo, xhi) ||
      !yrange_arg(a, 2, &q.ylo, &q.yhi) || !wide_range_ok(a, 2, q.ylo.c, q.yhi.c) || !quad_opts(a, &q.o))
    return v_abrupt();
  q.inner = (Quad){.a = a, .fn = a->v[0], .what = "the integrand", .has_fixed = true};
  /* the inner integrals are the outer integrand's values: they must be more accurate than the
   * outer tolerance or the outer rule sees their noise as roughness */
  QuadOpts outer = q.o;
  q.o.abstol /= 10;
  q.o.reltol /= 10;
  if (q.o.abstol == 0 && q.o.reltol < 50 * 2.2204460492503131e-16) q.o.reltol = 50 * 2.2204460492503131e-16;
  gsl_integration_workspace *wo = gsl_integration_workspace_alloc(q.o.limit);
  q.w = gsl_integration_workspace_alloc(q.o.limit);
  if (!wo || !q.w) {
    if (wo) gsl_integration_workspace_free(wo);
    if (q.w) gsl_integration_workspace_free(q.w);
    dlt_gsl_clear();
    return dlt_error_oom_items(a->I, a->call, "an integration workspace", "subintervals", (double)q.o.limit, 96);
  }
  gsl_function F = {quad2_outer, &q};
  double val, err;
  int st = quad_limits(&q.stop, &F, xlo, xhi, NULL, 0, &outer, wo, &val, &err);
  gsl_integration_workspace_free(wo);
  gsl_integration_workspace_free(q.w);
  dlt_gsl_clear();
  if (q.inner.failed) return v_abrupt();
  if (st)
    return call_error(a, "no convergence of the outer integral over x: %s; the estimate %s has an estimated error of %s "
                         "(raise limit= or loosen abstol=/reltol=)",
                      quad_reason(st), CALC_NUM(val), CALC_NUM(err));
  return v_num(val);
}

/* ================================================================== Monte Carlo */

typedef struct Monte {
  Args *a;
  Value fn;
  CalcPoint pt;
  bool failed;
} Monte;

static double monte_f(double *x, size_t dim, void *p) {
  (void)dim;
  Monte *m = p;
  if (m->failed) return 0;
  double y;
  if (!calc_point_set(m->a, &m->pt, x) || !calc_call_num(m->a, m->fn, "the integrand", 1, &m->pt.v, &y)) {
    m->failed = true;
    return 0;
  }
  if (isnan(y)) {
    StrBuf b = STRBUF_INIT;
    val_print(&b, m->pt.v, PRINT_REPR | PRINT_INLINE);
    call_error(m->a, "the integrand is nan at x = %s", sb_cstr(&b));
    sb_free(&b);
    m->failed = true;
    return 0;
  }
  return y;
}

/* Plain Monte Carlo in batches, so that Ctrl-C or an error stops a long run between batches. The
 * batches' means and sums of squared deviations are pooled exactly (Chan et al.), so the result
 * has the error estimate of one run of n calls: vol * sqrt(sum (f - mean)^2 / (n (n - 1))). */
static int monte_plain(Monte *m, gsl_monte_function *G, double *lo, double *hi, size_t d, size_t n, gsl_rng *r,
                       double *val, double *err) {
  enum { BATCH = 1 << 16 };
  gsl_monte_plain_state *s = gsl_monte_plain_alloc(d);
  if (!s) return GSL_ENOMEM;
  double mean = 0, m2 = 0; /* of f * vol */
  size_t done = 0;
  int st = GSL_SUCCESS;
  while (done < n && !m->failed) {
    size_t k = n - done < BATCH ? n - done : BATCH;
    if (k < 2) k = 2; /* GSL needs two calls for a variance; the total then exceeds n by one at most */
    double v, e;
    gsl_monte_plain_init(s);
    st = gsl_monte_plain_integrate(G, lo, hi, d, k, r, s, &v, &e);
    if (st) break;
    double m2k = e * e * (double)k * (double)(k - 1);
    double delta = v - mean, tot = (double)(done + k);
    mean += delta * (double)k / tot;
    m2 += m2k + delta * delta * (double)done * (double)k / tot;
    done += k;
  }
  gsl_monte_plain_free(s);
  *val = mean;
  *err = done > 1 ? sqrt(m2 / ((double)done * (double)(done - 1))) : 0;
  return st;
}

static bool box_args(Args *a, double **lo, double **hi, size_t *d, bool *scalar) {
  size_t dh;
  bool sh;
  *hi = NULL;
  if (!calc_arg_vec(a, 1, "the lower corner", lo, d, scalar)) return false;
  if (!calc_arg_vec(a, 2, "the upper corner", hi, &dh, &sh)) return false;
  if (*d != dh || *d == 0) {
    arg_error(a, 2, "the corners must have the same length (at least 1), got %zu and %zu", *d, dh);
    return false;
  }
  for (size_t i = 0; i < *d; i++)
    if (!(isfinite((*lo)[i]) && isfinite((*hi)[i]) && (*lo)[i] < (*hi)[i] && isfinite((*hi)[i] - (*lo)[i]))) {
      arg_error(a, 2, "the box must be finite with lo < hi in every coordinate, got %s .. %s in coordinate %zu",
                CALC_NUM((*lo)[i]), CALC_NUM((*hi)[i]), i + 1);
      return false;
    }
  *scalar = *scalar && sh;
  return true;
}

static Value bi_mc_integrate(Args *a) {
  double *lo = NULL, *hi = NULL;
  size_t d, n;
  bool scalar;
  const char *method = "plain";
  Value result = v_abrupt();
  if (!arg_callable(a, 0) || !box_args(a, &lo, &hi, &d, &scalar) || !arg_size(a, 3, &n) || !kw_str(a, "method", &method, NULL))
    goto done;
  if (n < 2 || n > 1e12) {
    arg_error(a, 3, "the number of samples must be between 2 and 1e12, got %zu", n);
    goto done;
  }
  int kind = strcmp(method, "plain") == 0 ? 0 : strcmp(method, "vegas") == 0 ? 1 : strcmp(method, "miser") == 0 ? 2 : -1;
  if (kind < 0) {
    kw_error(a, "method", "method= must be \"plain\", \"vegas\" or \"miser\", got \"%s\"", method);
    goto done;
  }
  /* GSL's vegas and miser run to the end after an error or Ctrl-C (with a trivial integrand): the
   * cap keeps that wait short */
  if (kind > 0 && n > 10000000) {
    arg_error(a, 3, "method=\"%s\" takes at most 1e7 samples, got %zu", method, n);
    goto done;
  }
  /* with fewer samples its 5 adaptation rounds fit the grid to noise and report a tiny stderr */
  if (kind == 1 && n < 1000) {
    arg_error(a, 3, "method=\"vegas\" needs at least 1000 samples, got %zu", n);
    goto done;
  }
  gsl_rng *r = args_rng(a);
  if (!r) goto done;
  Monte m = {a, a->v[0], {v_nil(), d, scalar}, false};
  gsl_monte_function G = {monte_f, d, &m};
  double val = 0, err = 0;
  int st;
  if (kind == 0) st = monte_plain(&m, &G, lo, hi, d, n, r, &val, &err);
  else if (kind == 1) {
    gsl_monte_vegas_state *s = gsl_monte_vegas_alloc(d);
    st = s ? gsl_monte_vegas_integrate(&G, lo, hi, d, n, r, s, &val, &err) : GSL_ENOMEM;
    if (s) gsl_monte_vegas_free(s);
  } else {
    gsl_monte_miser_state *s = gsl_monte_miser_alloc(d);
    st = s ? gsl_monte_miser_integrate(&G, lo, hi, d, n, r, s, &val, &err) : GSL_ENOMEM;
    if (s) gsl_monte_miser_free(s);
  }
  args_rng_done(a, r);
  calc_point_free(&m.pt);
  dlt_gsl_clear();
  if (m.failed) goto done;
  if (st) {
    dlt_error_gsl(a->I, a->call, "mc_integrate", st);
    goto done;
  }
  result = record_new();
  record_set(AS_RECORD(result), "value", v_num(val));
  record_set(AS_RECORD(result), "stderr", v_num(err));
done:
  free(lo);
  free(hi);
  return result;
}

static const Builtin calculus_builtins[] = {
  {"integrate", bi_integrate, 3, 3, "points abstol reltol limit info",
   "integrate(f, a, b, points=, abstol=1e-10, reltol=1e-10, limit=1000, info=false)",
   "∫_a^b f(x) dx by adaptive Gauss–Kronrod quadrature (a, b may be ±inf); info=true gives {value, error, evals, converged}",
   NULL},
  {"integrate2", bi_integrate2, 3, 3, "abstol reltol limit", "integrate2(f, [a, b], [c, d], abstol=1e-10, reltol=1e-10, limit=1000)",
   "∫_a^b ∫_c^d f(x, y) dy dx by nested adaptive quadrature; c and d may be functions of x", NULL},
  {"gauss_hermite", bi_gauss_hermite, 1, 2, "kind vectorized", "gauss_hermite(n, kind=\"probabilists\") | gauss_hermite(f, n, kind=, vectorized=false)",
   "Gauss–Hermite rule {nodes, weights} with sum(w * f(nodes)) ≈ E f(g), g ~ N(0, 1); gauss_hermite(f, n) gives that sum",
   NULL},
  {"gauss_legendre", bi_gauss_legendre, 1, 4, "vectorized", "gauss_legendre(n, a=-1, b=1) | gauss_legendre(f, a, b, n, vectorized=false)",
   "Gauss–Legendre rule {nodes, weights} on [a, b]; gauss_legendre(f, a, b, n) gives sum(w * f(nodes)) ≈ ∫_a^b f", NULL},
  {"mc_integrate", bi_mc_integrate, 4, 4, "seed method", "mc_integrate(f, lo, hi, n, seed=, method=\"plain\")",
   "Monte Carlo integral of f over the box lo..hi with n samples: {value, stderr}", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_calculus = {"calculus", calculus_builtins};
