/* lib/optim.c - root finding, minimisation and finite-difference derivatives.
 *
 * Functions of several variables are called with an n×1 column (a number when the starting point
 * was a number), like every other callback in calculus, ode and optim.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_deriv.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_roots.h>

#include "../builtin.h"
#include "../print.h"
#include "../strbuf.h"
#include "calculus.h"

/* ------------------------------------------------------------------ scalar functions of x */

typedef struct Fn1 {
  Args *a;
  Value fn;
  const char *what; /* "f" */
  bool failed;
} Fn1;

/* f(x) for a number x; non-finite values are an error unless allow_inf and the value is ±inf */
static bool fn1_eval(Fn1 *c, double x, double *y, bool allow_inf) {
  Value xv = v_num(x);
  if (!calc_call_num(c->a, c->fn, c->what, 1, &xv, y)) return false;
  if (isnan(*y) || (!allow_inf && isinf(*y))) {
    call_error(c->a, "%s(%s) is %s", c->what, CALC_NUM(x), CALC_NUM(*y));
    return false;
  }
  return true;
}

static double fn1_gsl(double x, void *p) {
  Fn1 *c = p;
  double y;
  if (c->failed) return NAN;
  if (!fn1_eval(c, x, &y, false)) {
    c->failed = true;
    return NAN;
  }
  return y;
}

static bool interval_args(Args *a, double *lo, double *hi) {
  if (!arg_num(a, 1, lo) || !arg_num(a, 2, hi)) return false;
  for (int i = 1; i <= 2; i++) {
    double x = i == 1 ? *lo : *hi;
    if (!isfinite(x)) {
      arg_error(a, i, "the %s end of the interval must be finite, got %s", i == 1 ? "lower" : "upper", CALC_NUM(x));
      return false;
    }
  }
  if (!(*lo < *hi)) {
    arg_error(a, 2, "the interval must have a < b, got %s and %s", CALC_NUM(*lo), CALC_NUM(*hi));
    return false;
  }
  return true;
}

/* ------------------------------------------------------------------ root */

static Value bi_root(Args *a) {
  double lo, hi, tol;
  size_t maxiter;
  if (!arg_callable(a, 0) || !interval_args(a, &lo, &hi) || !calc_kw_nonneg(a, "tol", 1e-14, &tol) ||
      !calc_kw_count(a, "maxiter", 1000, 1, 100000000, &maxiter))
    return v_abrupt();
  Fn1 c = {a, a->v[0], "f", false};
  double flo, fhi;
  if (!fn1_eval(&c, lo, &flo, false) || !fn1_eval(&c, hi, &fhi, false)) return v_abrupt();
  if (flo == 0) return v_num(lo);
  if (fhi == 0) return v_num(hi);
  if ((flo > 0) == (fhi > 0))
    return call_error(a, "f(a) and f(b) must have opposite signs, got f(%s) = %s and f(%s) = %s", CALC_NUM(lo),
                      CALC_NUM(flo), CALC_NUM(hi), CALC_NUM(fhi));
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  if (!s) {
    dlt_gsl_clear();
    return call_error(a, "out of memory");
  }
  gsl_function F = {fn1_gsl, &c};
  int st = gsl_root_fsolver_set(s, &F, lo, hi);
  size_t it = 0;
  while (!st && !c.failed && it++ < maxiter) {
    st = gsl_root_fsolver_iterate(s);
    if (st || c.failed) break;
    /* a root where f is exactly 0 ends the search whatever the bracket width */
    if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s), tol, 4 * DBL_EPSILON) ==
        GSL_SUCCESS)
      break;
  }
  double x = gsl_root_fsolver_root(s), xl = gsl_root_fsolver_x_lower(s), xu = gsl_root_fsolver_x_upper(s);
  gsl_root_fsolver_free(s);
  dlt_gsl_clear();
  if (c.failed) return v_abrupt();
  if (st) return dlt_error_gsl(a->I, a->call, "root", st);
  if (it > maxiter)
    return call_error(a, "no convergence after maxiter=%zu iterations: the root is in [%s, %s] (loosen tol= or raise maxiter=)",
                      maxiter, CALC_NUM(xl), CALC_NUM(xu));
  return v_num(x);
}

/* ------------------------------------------------------------------ minimize1 */

static Value min_result(double x, double fx) {
  Value r = record_new();
  record_set(AS_RECORD(r), "x", v_num(x));
  record_set(AS_RECORD(r), "f", v_num(fx));
  return r;
}

typedef struct Bracket {
  double x, fx, lo, flo, hi, fhi;
} Bracket;

/* Without x0: sample f at 33 equally spaced points and bracket the best one by its neighbours.
 * Returns 1 with a bracket, 0 when the best sample is an end of the interval (or f is flat there),
 * -1 after an error. */
static int find_bracket(Fn1 *c, double lo, double hi, Bracket *b) {
  enum { N = 32 };
  double x[N + 1], fx[N + 1];
  size_t best = 0;
  for (size_t k = 0; k <= N; k++) {
    x[k] = k == N ? hi : lo + (hi - lo) * (double)k / N;
    if (!fn1_eval(c, x[k], &fx[k], false)) return -1;
    if (fx[k] < fx[best]) best = k;
  }
  b->x = x[best];
  b->fx = fx[best];
  if (best == 0 || best == N || !(fx[best] < fx[best - 1] && fx[best] < fx[best + 1])) return 0;
  b->lo = x[best - 1];
  b->flo = fx[best - 1];
  b->hi = x[best + 1];
  b->fhi = fx[best + 1];
  return 1;
}

static Value bi_minimize1(Args *a) {
  double lo, hi, tol, x0;
  size_t maxiter;
  bool has_x0;
  if (!arg_callable(a, 0) || !interval_args(a, &lo, &hi) || !calc_kw_nonneg(a, "tol", 1e-10, &tol) ||
      !calc_kw_count(a, "maxiter", 1000, 1, 100000000, &maxiter) || !kw_num(a, "x0", &x0, &has_x0))
    return v_abrupt();
  Fn1 c = {a, a->v[0], "f", false};
  Bracket b;
  if (has_x0) {
    if (!(x0 > lo && x0 < hi))
      return kw_error(a, "x0", "x0= must lie strictly inside (%s, %s), got %s", CALC_NUM(lo), CALC_NUM(hi), CALC_NUM(x0));
    b = (Bracket){x0, 0, lo, 0, hi, 0};
    if (!fn1_eval(&c, x0, &b.fx, false) || !fn1_eval(&c, lo, &b.flo, false) || !fn1_eval(&c, hi, &b.fhi, false))
      return v_abrupt();
    if (!(b.fx < b.flo && b.fx < b.fhi))
      return kw_error(a, "x0", "f(x0) must be below f(a) and f(b), got f(%s) = %s, f(%s) = %s, f(%s) = %s (omit x0= to "
                               "search for a bracket)",
                      CALC_NUM(x0), CALC_NUM(b.fx), CALC_NUM(lo), CALC_NUM(b.flo), CALC_NUM(hi), CALC_NUM(b.fhi));
  } else {
    int found = find_bracket(&c, lo, hi, &b);
    if (found < 0) return v_abrupt();
    if (found == 0) return min_result(b.x, b.fx);
  }
  gsl_min_fminimizer *s = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
  if (!s) {
    dlt_gsl_clear();
    return call_error(a, "out of memory");
  }
  gsl_function F = {fn1_gsl, &c};
  int st = gsl_min_fminimizer_set_with_values(s, &F, b.x, b.fx, b.lo, b.flo, b.hi, b.fhi);
  size_t it = 0;
  while (!st && !c.failed && it++ < maxiter) {
    st = gsl_min_fminimizer_iterate(s);
    if (st || c.failed) break;
    /* f is flat to rounding within about sqrt(eps) |x| of a minimum, where Brent's steps stop
     * shrinking the bracket: that relative width always counts as converged */
    if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(s), gsl_min_fminimizer_x_upper(s), tol,
                              4 * GSL_SQRT_DBL_EPSILON) == GSL_SUCCESS)
      break;
  }
  double x = gsl_min_fminimizer_x_minimum(s), fx = gsl_min_fminimizer_f_minimum(s);
  double xl = gsl_min_fminimizer_x_lower(s), xu = gsl_min_fminimizer_x_upper(s);
  gsl_min_fminimizer_free(s);
  dlt_gsl_clear();
  if (c.failed) return v_abrupt();
  if (st) return dlt_error_gsl(a->I, a->call, "minimize1", st);
  if (it > maxiter)
    return call_error(a, "no convergence after maxiter=%zu iterations: the minimum is in [%s, %s] (loosen tol= or raise maxiter=)",
                      maxiter, CALC_NUM(xl), CALC_NUM(xu));
  return min_result(x, fx);
}

/* ------------------------------------------------------------------ functions of a vector */

typedef struct FnN {
  Args *a;
  Value fn, grad; /* grad: nil for finite differences */
  CalcPoint pt;
  size_t n;
  bool failed;
  double *work; /* n numbers */
  bool search;  /* minimize: explain non-finite values in terms of the search */
} FnN;

static void point_text(StrBuf *b, const CalcPoint *p) { val_print(b, p->v, PRINT_REPR | PRINT_INLINE); }

/* f(x); a nan (or, unless allow_inf, an inf) is an error naming the point */
static bool fnn_eval(FnN *c, const double *x, double *y, bool allow_inf) {
  if (!calc_point_set(c->a, &c->pt, x) || !calc_call_num(c->a, c->fn, "f", 1, &c->pt.v, y)) return false;
  if (isnan(*y) || (!allow_inf && isinf(*y))) {
    StrBuf b = STRBUF_INIT;
    point_text(&b, &c->pt);
    const char *hint = !c->search ? ""
                       : *y < 0   ? " (f may be unbounded below)"
                       : isnan(*y) ? " (the search left f's domain: return a large finite value there instead)"
                                   : "";
    call_error(c->a, "f is %s at x = %s%s", CALC_NUM(*y), sb_cstr(&b), hint);
    sb_free(&b);
    return false;
  }
  return true;
}

/* central differences with steps cbrt(eps) * max(|x_i|, 1): about 1e-10 relative accuracy, 2n
 * calls; enough for the gradient test of BFGS */
static bool fnn_fd_grad(FnN *c, const double *x, double *g) {
  double *y = c->work;
  const double h0 = 6.0554544523933395e-06;
  memcpy(y, x, c->n * sizeof *x);
  for (size_t i = 0; i < c->n; i++) {
    double h = h0 * fmax(fabs(x[i]), 1), fp, fm;
    y[i] = x[i] + h;
    if (!fnn_eval(c, y, &fp, false)) return false;
    y[i] = x[i] - h;
    if (!fnn_eval(c, y, &fm, false)) return false;
    y[i] = x[i];
    g[i] = (fp - fm) / (2 * h);
  }
  return true;
}

static bool fnn_grad(FnN *c, const double *x, double *g) {
  if (IS_NIL(c->grad)) return fnn_fd_grad(c, x, g);
  if (!calc_point_set(c->a, &c->pt, x) || !calc_call_vec(c->a, c->grad, "the gradient grad(x)", 1, &c->pt.v, c->n, g))
    return false;
  for (size_t i = 0; i < c->n; i++)
    if (!isfinite(g[i])) {
      StrBuf b = STRBUF_INIT;
      point_text(&b, &c->pt);
      call_error(c->a, "the gradient is not finite at x = %s", sb_cstr(&b));
      sb_free(&b);
      return false;
    }
  return true;
}

static double mm_f(const gsl_vector *x, void *p) {
  FnN *c = p;
  double y;
  if (c->failed) return NAN;
  if (!fnn_eval(c, x->data, &y, false)) {
    c->failed = true;
    return NAN;
  }
  return y;
}

static void mm_df(const gsl_vector *x, void *p, gsl_vector *g) {
  FnN *c = p;
  if (c->failed || !fnn_grad(c, x->data, g->data)) {
    c->failed = true;
    gsl_vector_set_all(g, NAN);
  }
}

static void mm_fdf(const gsl_vector *x, void *p, double *f, gsl_vector *g) {
  *f = mm_f(x, p);
  mm_df(x, p, g);
}

typedef struct MinOpts {
  bool bfgs;
  double tol, step;
  bool has_step;
  size_t maxiter;
} MinOpts;

static bool min_opts(Args *a, MinOpts *o, FnN *c) {
  const char *method = "nelder-mead";
  if (!kw_str(a, "method", &method, NULL)) return false;
  o->bfgs = strcmp(method, "bfgs") == 0;
  if (!o->bfgs && strcmp(method, "nelder-mead") != 0) {
    kw_error(a, "method", "method= must be \"nelder-mead\" or \"bfgs\", got \"%s\"", method);
    return false;
  }
  o->has_step = kw_get(a, "step") != NULL;
  /* nelder-mead: the simplex size; bfgs: the gradient norm. Rounding in f keeps both from going
   * much below 1e-8 (sqrt(eps) times the scale of x) when the minimum value is not 0 */
  if (!calc_kw_pos(a, "tol", 1e-6, &o->tol) || !calc_kw_pos(a, "step", 1, &o->step) ||
      !calc_kw_count(a, "maxiter", 10000, 1, 100000000, &o->maxiter))
    return false;
  const Value *g = kw_get(a, "grad");
  c->grad = v_nil();
  if (g) {
    if (!val_is_callable(*g)) {
      kw_error(a, "grad", "grad= must be a function grad(x) giving the gradient, got a %s", val_type_name(*g));
      return false;
    }
    if (!o->bfgs) {
      kw_error(a, "grad", "grad= is used only by method=\"bfgs\"");
      return false;
    }
    c->grad = *g;
  }
  return true;
}

/* x, f(x), iterations, converged; the iteration runs until the test passes or maxiter */
typedef struct MinState {
  gsl_vector *x;
  double fx;
  size_t iter;
  bool converged;
} MinState;

static int run_nelder_mead(FnN *c, const MinOpts *o, gsl_vector *x0, MinState *ms) {
  size_t n = c->n;
  gsl_multimin_fminimizer *s = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, n);
  gsl_vector *step = gsl_vector_alloc(n);
  if (!s || !step) {
    if (s) gsl_multimin_fminimizer_free(s);
    if (step) gsl_vector_free(step);
    return GSL_ENOMEM;
  }
  /* the initial simplex: step= in every coordinate, or a tenth of each coordinate's size */
  for (size_t i = 0; i < n; i++) gsl_vector_set(step, i, o->has_step ? o->step : 0.1 * fmax(fabs(x0->data[i]), 1));
  gsl_multimin_function F = {mm_f, n, c};
  int st = gsl_multimin_fminimizer_set(s, &F, x0, step);
  while (!st && !c->failed && ms->iter < o->maxiter) {
    ms->iter++;
    st = gsl_multimin_fminimizer_iterate(s);
    if (st || c->failed) break;
    if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), o->tol) == GSL_SUCCESS) {
      ms->converged = true;
      break;
    }
  }
  gsl_vector_memcpy(ms->x, gsl_multimin_fminimizer_x(s));
  ms->fx = gsl_multimin_fminimizer_minimum(s);
  gsl_multimin_fminimizer_free(s);
  gsl_vector_free(step);
  return st;
}

static int run_bfgs(FnN *c, const MinOpts *o, gsl_vector *x0, MinState *ms) {
  size_t n = c->n;
  gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, n);
  if (!s) return GSL_ENOMEM;
  gsl_multimin_function_fdf F = {mm_f, mm_df, mm_fdf, n, c};
  /* first trial step and the line-search tolerance GSL recommends for bfgs2 */
  int st = gsl_multimin_fdfminimizer_set(s, &F, x0, o->has_step ? o->step : 0.01, 0.1);
  if (!st && !c->failed && gsl_multimin_test_gradient(gsl_multimin_fdfminimizer_gradient(s), o->tol) == GSL_SUCCESS)
    ms->converged = true;
  while (!st && !c->failed && !ms->converged && ms->iter < o->maxiter) {
    ms->iter++;
    st = gsl_multimin_fdfminimizer_iterate(s);
    if (st || c->failed) break;
    if (gsl_multimin_test_gradient(gsl_multimin_fdfminimizer_gradient(s), o->tol) == GSL_SUCCESS) ms->converged = true;
  }
  /* no progress in the line search: the best point so far is the answer, converged or not */
  if (st == GSL_ENOPROG) st = GSL_SUCCESS;
  gsl_vector_memcpy(ms->x, gsl_multimin_fdfminimizer_x(s));
  ms->fx = gsl_multimin_fdfminimizer_minimum(s);
  gsl_multimin_fdfminimizer_free(s);
  return st;
}

static Value bi_minimize(Args *a) {
  double *x0 = NULL;
  size_t n;
  bool scalar;
  MinOpts o;
  Value r = v_abrupt();
  gsl_vector *xv = NULL, *xm = NULL;
  FnN c = {a, a->v[0], v_nil(), {v_nil(), 0, true}, 0, false, NULL, true};
  if (!arg_callable(a, 0) || !calc_arg_vec(a, 1, "the starting point", &x0, &n, &scalar) || !min_opts(a, &o, &c)) goto done;
  if (n == 0) {
    arg_error(a, 1, "the starting point must not be empty");
    goto done;
  }
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x0[i])) {
      arg_error(a, 1, "the starting point must be finite, got %s in coordinate %zu", CALC_NUM(x0[i]), i + 1);
      goto done;
    }
  c.n = n;
  calc_point_init(&c.pt, n, scalar);
  c.work = malloc(n * sizeof *c.work);
  xv = gsl_vector_alloc(n);
  xm = gsl_vector_alloc(n);
  if (!c.work || !xv || !xm) {
    dlt_gsl_clear();
    dlt_error_oom(a->I, a->call, n, 3);
    goto done;
  }
  memcpy(xv->data, x0, n * sizeof *x0);
  MinState ms = {xm, 0, 0, false};
  int st = o.bfgs ? run_bfgs(&c, &o, xv, &ms) : run_nelder_mead(&c, &o, xv, &ms);
  dlt_gsl_clear();
  if (c.failed) goto done;
  if (st) {
    dlt_error_gsl(a->I, a->call, "minimize", st);
    goto done;
  }
  Value xr = calc_vec_value(a, xm->data, n, scalar);
  if (IS_ABRUPT(xr)) goto done;
  r = record_new();
  record_set(AS_RECORD(r), "x", xr);
  record_set(AS_RECORD(r), "f", v_num(ms.fx));
  record_set(AS_RECORD(r), "iterations", v_num((double)ms.iter));
  record_set(AS_RECORD(r), "converged", v_bool(ms.converged));
done:
  calc_point_free(&c.pt);
  if (xv) gsl_vector_free(xv);
  if (xm) gsl_vector_free(xm);
  free(c.work);
  free(x0);
  return r;
}

/* ------------------------------------------------------------------ finite differences */

/* f along coordinate i through x: s -> f(x + (s - x_i) e_i), for gsl_deriv_central */
typedef struct Coord {
  FnN *c;
  double *y;
  size_t i;
} Coord;

static double coord_f(double s, void *p) {
  Coord *k = p;
  double y;
  if (k->c->failed) return 0;
  double keep = k->y[k->i];
  k->y[k->i] = s;
  bool ok = fnn_eval(k->c, k->y, &y, false);
  k->y[k->i] = keep;
  if (!ok) {
    k->c->failed = true;
    return 0;
  }
  return y;
}

static bool fd_args(Args *a, FnN *c, double **x, bool *scalar, double hdef, double *h) {
  *x = NULL;
  if (!arg_callable(a, 0) || !calc_arg_vec(a, 1, "the point", x, &c->n, scalar) || !calc_kw_pos(a, "h", hdef, h))
    return false;
  if (c->n == 0) {
    arg_error(a, 1, "the point must not be empty");
    return false;
  }
  for (size_t i = 0; i < c->n; i++)
    if (!isfinite((*x)[i])) {
      arg_error(a, 1, "the point must be finite, got %s in coordinate %zu", CALC_NUM((*x)[i]), i + 1);
      return false;
    }
  calc_point_init(&c->pt, c->n, *scalar);
  return true;
}

/* gsl_deriv_central per coordinate: a 5-point rule whose step is adapted from h to balance
 * truncation and rounding error */
static Value bi_fd_grad(Args *a) {
  double *x = NULL, h, *g = NULL;
  bool scalar;
  Value r = v_abrupt();
  FnN c = {a, a->v[0], v_nil(), {v_nil(), 0, true}, 0, false, NULL, false};
  if (!fd_args(a, &c, &x, &scalar, 1e-3, &h)) goto done;
  if (!(g = malloc(c.n * sizeof *g))) {
    dlt_error_oom(a->I, a->call, c.n, 1);
    goto done;
  }
  for (size_t i = 0; i < c.n && !c.failed; i++) {
    Coord k = {&c, x, i};
    gsl_function F = {coord_f, &k};
    double err;
    gsl_deriv_central(&F, x[i], h * fmax(fabs(x[i]), 1), &g[i], &err);
  }
  dlt_gsl_clear();
  if (!c.failed) r = calc_vec_value(a, g, c.n, scalar);
done:
  calc_point_free(&c.pt);
  free(g);
  free(x);
  return r;
}

/* f(y) as a vector of length m (m fixed by the first call when *m == 0) */
static bool fd_vec_at(FnN *c, const double *y, double *out, size_t m) {
  if (!calc_point_set(c->a, &c->pt, y)) return false;
  if (!calc_call_vec(c->a, c->fn, "f", 1, &c->pt.v, m, out)) return false;
  for (size_t i = 0; i < m; i++)
    if (!isfinite(out[i])) {
      StrBuf b = STRBUF_INIT;
      point_text(&b, &c->pt);
      call_error(c->a, "f is not finite at x = %s", sb_cstr(&b));
      sb_free(&b);
      return false;
    }
  return true;
}

/* J[:, j] by the 5-point stencil (8 (f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))) / 12h with
 * h = 1e-3 max(|x_j|, 1): truncation O(h^4), about 1e-11 relative for smooth f */
static Value bi_fd_jacobian(Args *a) {
  double *x = NULL, h, *f0 = NULL, *buf = NULL;
  bool scalar;
  size_t m;
  Value r = v_abrupt();
  Mat *J = NULL;
  FnN c = {a, a->v[0], v_nil(), {v_nil(), 0, true}, 0, false, NULL, false};
  if (!fd_args(a, &c, &x, &scalar, 1e-3, &h)) goto done;
  if (!calc_point_set(a, &c.pt, x) || !calc_call_anyvec(a, c.fn, "f", 1, &c.pt.v, &f0, &m)) goto done;
  if (m == 0) {
    call_error(a, "f returned an empty vector");
    goto done;
  }
  if (!(J = mat_alloc(m, c.n)) || !(buf = malloc(4 * m * sizeof *buf))) {
    dlt_error_oom(a->I, a->call, m, c.n);
    goto done;
  }
  for (size_t j = 0; j < c.n; j++) {
    double xj = x[j], hj = h * fmax(fabs(xj), 1);
    const double off[4] = {hj, -hj, 2 * hj, -2 * hj};
    for (int k = 0; k < 4; k++) {
      x[j] = xj + off[k];
      if (!fd_vec_at(&c, x, buf + (size_t)k * m, m)) goto done;
    }
    x[j] = xj;
    for (size_t i = 0; i < m; i++)
      *mat_at(J, i, j) = (8 * (buf[i] - buf[m + i]) - (buf[2 * m + i] - buf[3 * m + i])) / (12 * hj);
  }
  r = m == 1 && c.n == 1 ? v_num(J->data[0]) : v_obj(J);
  if (IS_NUM(r)) val_release(v_obj(J));
  J = NULL;
done:
  calc_point_free(&c.pt);
  if (J) val_release(v_obj(J));
  free(buf);
  free(f0);
  free(x);
  return r;
}

/* f at x + s_i h_i e_i + s_j h_j e_j */
static bool fd_at2(FnN *c, double *x, size_t i, double si, size_t j, double sj, double *y) {
  double xi = x[i], xj = x[j];
  x[i] += si;
  x[j] += sj;
  bool ok = fnn_eval(c, x, y, false);
  x[i] = xi;
  x[j] = xj;
  return ok;
}

/* second difference of f along e_i, e_j with steps hi, hj: an O(h^2) estimate of H_ij */
static bool fd_second(FnN *c, double *x, double f0, size_t i, size_t j, double hi, double hj, double *d) {
  double pp, pm, mp, mm;
  if (i == j) {
    if (!fd_at2(c, x, i, hi, i, 0, &pp) || !fd_at2(c, x, i, -hi, i, 0, &mm)) return false;
    *d = (pp - 2 * f0 + mm) / (hi * hi);
    return true;
  }
  if (!fd_at2(c, x, i, hi, j, hj, &pp) || !fd_at2(c, x, i, hi, j, -hj, &pm) || !fd_at2(c, x, i, -hi, j, hj, &mp) ||
      !fd_at2(c, x, i, -hi, j, -hj, &mm))
    return false;
  *d = (pp - pm - mp + mm) / (4 * hi * hj);
  return true;
}

/* H_ij from second differences at steps h and 2h combined by Richardson extrapolation
 * ((4 D(h) - D(2h)) / 3, truncation O(h^4)), h = 2e-3 max(|x|, 1): about 1e-9 relative for smooth
 * f. Only i <= j is computed; the result is exactly symmetric. */
static Value bi_fd_hessian(Args *a) {
  double *x = NULL, h, f0;
  bool scalar;
  Value r = v_abrupt();
  Mat *H = NULL;
  FnN c = {a, a->v[0], v_nil(), {v_nil(), 0, true}, 0, false, NULL, false};
  if (!fd_args(a, &c, &x, &scalar, 2e-3, &h)) goto done;
  if (!(H = mat_alloc(c.n, c.n))) {
    dlt_error_oom(a->I, a->call, c.n, c.n);
    goto done;
  }
  if (!fnn_eval(&c, x, &f0, false)) goto done;
  for (size_t i = 0; i < c.n; i++)
    for (size_t j = i; j < c.n; j++) {
      double hi = h * fmax(fabs(x[i]), 1), hj = h * fmax(fabs(x[j]), 1), d1, d2;
      if (!fd_second(&c, x, f0, i, j, hi, hj, &d1) || !fd_second(&c, x, f0, i, j, 2 * hi, 2 * hj, &d2)) goto done;
      *mat_at(H, i, j) = *mat_at(H, j, i) = (4 * d1 - d2) / 3;
    }
  r = c.n == 1 ? v_num(H->data[0]) : v_obj(H);
  if (c.n == 1) val_release(v_obj(H));
  H = NULL;
done:
  calc_point_free(&c.pt);
  if (H) val_release(v_obj(H));
  free(x);
  return r;
}

static const Builtin optim_builtins[] = {
  {"root", bi_root, 3, 3, "tol maxiter", "root(f, a, b, tol=1e-14, maxiter=1000)",
   "a root of f in [a, b] by Brent's method; f(a) and f(b) must have opposite signs", NULL},
  {"minimize1", bi_minimize1, 3, 3, "x0 tol maxiter", "minimize1(f, a, b, x0=, tol=1e-10, maxiter=1000)",
   "a minimum of f on [a, b] by Brent's method: {x, f}", NULL},
  {"minimize", bi_minimize, 2, 2, "method grad tol step maxiter",
   "minimize(f, x0, method=\"nelder-mead\", grad=, tol=1e-6, step=, maxiter=10000)",
   "a local minimum of f(x) from x0 (nelder-mead or bfgs): {x, f, iterations, converged}", NULL},
  {"fd_grad", bi_fd_grad, 2, 2, "h", "fd_grad(f, x, h=1e-3)",
   "the gradient of f at x by central differences (a column; a number when x is a number)", NULL},
  {"fd_jacobian", bi_fd_jacobian, 2, 2, "h", "fd_jacobian(f, x, h=1e-3)",
   "the m×n Jacobian of a vector-valued f at x by 5-point central differences", NULL},
  {"fd_hessian", bi_fd_hessian, 2, 2, "h", "fd_hessian(f, x, h=2e-3)",
   "the symmetric n×n Hessian of f at x by extrapolated central second differences", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_optim = {"optim", optim_builtins};
