/* lib/ode.c - ordinary differential equations: GSL adaptive steppers and fixed-step teaching methods.
 *
 * Every solver calls the user's right-hand side as f(t, y) with y a number for a scalar problem (y0
 * a number) and an n×1 column otherwise, and returns the trajectory as a record whose `t` is a
 * column of times and whose other fields have one ROW per time.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include "../builtin.h"
#include "../print.h"
#include "../strbuf.h"
#include "calculus.h"

/* ------------------------------------------------------------------ calling f(t, y) */

typedef struct Ode {
  Args *a;
  Value fn, jac;  /* jac: nil for finite differences */
  CalcPoint pt;
  size_t n;
  bool failed;    /* an error was raised: stop */
  bool nonfinite; /* f gave nan or inf somewhere (the steppers retry with smaller steps) */
  double bad_t;
  double *work;   /* 3n scratch numbers for the finite-difference Jacobian */
} Ode;

/* f(t, y) into dydt; false after an error was raised */
static bool ode_eval(Ode *o, double t, const double *y, double *dydt) {
  if (!calc_point_set(o->a, &o->pt, y)) return false;
  Value argv[2] = {v_num(t), o->pt.v};
  return calc_call_vec(o->a, o->fn, "f(t, y)", 2, argv, o->n, dydt);
}

static bool all_finite(const double *x, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i])) return false;
  return true;
}

static int ode_rhs(double t, const double y[], double dydt[], void *params) {
  Ode *o = params;
  if (o->failed) return GSL_EBADFUNC;
  if (!ode_eval(o, t, y, dydt)) {
    o->failed = true;
    return GSL_EBADFUNC;
  }
  if (!all_finite(dydt, o->n)) {
    /* a trial step may overshoot into a region where f is not finite; GSL retries it with a
     * smaller step when told GSL_FAILURE, and reports failure only when that cannot help */
    if (!o->nonfinite) o->bad_t = t;
    o->nonfinite = true;
    return GSL_FAILURE;
  }
  return GSL_SUCCESS;
}

/* The implicit steppers need ∂f/∂y and ∂f/∂t: from jac(t, y) when given, otherwise by central
 * differences with steps cbrt(eps) * max(|y_j|, 1) (error about 1e-10 relative for smooth f). */
static int ode_jacobian(double t, const double y[], double *dfdy, double dfdt[], void *params) {
  Ode *o = params;
  if (o->failed) return GSL_EBADFUNC;
  size_t n = o->n;
  double *yy = o->work, *fp = o->work + n, *fm = o->work + 2 * n;
  const double c = 6.0554544523933395e-06; /* cbrt(DBL_EPSILON) */
  if (!IS_NIL(o->jac)) {
    if (!calc_point_set(o->a, &o->pt, y)) goto fail;
    Value argv[2] = {v_num(t), o->pt.v};
    if (!calc_call_mat(o->a, o->jac, "jac(t, y)", 2, argv, n, dfdy)) goto fail;
  } else {
    memcpy(yy, y, n * sizeof *y);
    for (size_t j = 0; j < n; j++) {
      double h = c * fmax(fabs(y[j]), 1);
      yy[j] = y[j] + h;
      if (!ode_eval(o, t, yy, fp)) goto fail;
      yy[j] = y[j] - h;
      if (!ode_eval(o, t, yy, fm)) goto fail;
      yy[j] = y[j];
      for (size_t i = 0; i < n; i++) dfdy[i * n + j] = (fp[i] - fm[i]) / (2 * h);
    }
  }
  double ht = c * fmax(fabs(t), 1);
  if (!ode_eval(o, t + ht, y, fp) || !ode_eval(o, t - ht, y, fm)) goto fail;
  for (size_t i = 0; i < n; i++) dfdt[i] = (fp[i] - fm[i]) / (2 * ht);
  if (!all_finite(dfdy, n * n) || !all_finite(dfdt, n)) {
    if (!o->nonfinite) o->bad_t = t;
    o->nonfinite = true;
    return GSL_FAILURE;
  }
  return GSL_SUCCESS;
fail:
  o->failed = true;
  return GSL_EBADFUNC;
}

/* ------------------------------------------------------------------ arguments and results */

static bool ode_y0(Args *a, int i, double **y0, size_t *n, bool *scalar) {
  if (!calc_arg_vec(a, i, "the initial value", y0, n, scalar)) return false;
  if (*n == 0) {
    arg_error(a, i, "the initial value must not be empty");
    return false;
  }
  if (!all_finite(*y0, *n)) {
    arg_error(a, i, "the initial value must be finite");
    return false;
  }
  return true;
}

/* rows×cols matrix, or NULL after raising out of memory */
static Mat *ode_mat(Args *a, size_t rows, size_t cols) {
  Mat *m = mat_alloc(rows, cols);
  if (!m) dlt_error_oom(a->I, a->call, rows, cols);
  return m;
}

static Value trajectory(Mat *t, const char *name1, Mat *y1, const char *name2, Mat *y2) {
  Value r = record_new();
  record_set(AS_RECORD(r), "t", v_obj(t));
  record_set(AS_RECORD(r), name1, v_obj(y1));
  if (name2) record_set(AS_RECORD(r), name2, v_obj(y2));
  return r;
}

static void free_mats(Mat *a, Mat *b, Mat *c) {
  if (a) val_release(v_obj(a));
  if (b) val_release(v_obj(b));
  if (c) val_release(v_obj(c));
}

/* ------------------------------------------------------------------ ode_solve */

typedef struct Method {
  const char *name;
  const gsl_odeiv2_step_type *const *type;
  bool implicit; /* needs the Jacobian */
} Method;

static const Method methods[] = {
  {"rk45", &gsl_odeiv2_step_rkf45, false}, {"rkf45", &gsl_odeiv2_step_rkf45, false},
  {"rkck", &gsl_odeiv2_step_rkck, false},  {"rk8pd", &gsl_odeiv2_step_rk8pd, false},
  {"rk2", &gsl_odeiv2_step_rk2, false},    {"rk4", &gsl_odeiv2_step_rk4, false},
  {"msadams", &gsl_odeiv2_step_msadams, false},
  {"rk1imp", &gsl_odeiv2_step_rk1imp, true}, {"rk2imp", &gsl_odeiv2_step_rk2imp, true},
  {"rk4imp", &gsl_odeiv2_step_rk4imp, true}, {"bsimp", &gsl_odeiv2_step_bsimp, true},
  {"msbdf", &gsl_odeiv2_step_msbdf, true},
};

static const Method *ode_method(Args *a) {
  const char *name = "rk45";
  if (!kw_str(a, "method", &name, NULL)) return NULL;
  for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
    if (strcmp(methods[i].name, name) == 0) return &methods[i];
  kw_error(a, "method", "unknown method \"%s\" (explicit: rk45, rkck, rk8pd, rk2, rk4, msadams; implicit, for stiff "
                        "problems: bsimp, msbdf, rk4imp, rk2imp, rk1imp)",
           name);
  return NULL;
}

/* the output times: at least two, finite, strictly increasing or strictly decreasing */
static bool ode_times(Args *a, int i, double **t, size_t *nt) {
  bool scalar;
  if (!calc_arg_vec(a, i, "the times", t, nt, &scalar)) return false;
  if (*nt < 2) {
    arg_error(a, i, "give at least two times (the start and the end), got %zu", *nt);
    return false;
  }
  double dir = (*t)[1] - (*t)[0];
  for (size_t k = 0; k < *nt; k++) {
    if (!isfinite((*t)[k])) {
      arg_error(a, i, "the times must be finite, got %s", CALC_NUM((*t)[k]));
      return false;
    }
    if (k > 0 && !((*t)[k] - (*t)[k - 1] > 0 && dir > 0) && !((*t)[k] - (*t)[k - 1] < 0 && dir < 0)) {
      arg_error(a, i, "the times must be strictly increasing or strictly decreasing, got %s then %s",
                CALC_NUM((*t)[k - 1]), CALC_NUM((*t)[k]));
      return false;
    }
  }
  return true;
}

static Value ode_failure(Args *a, Ode *o, int st, double t, double t_next, size_t maxsteps) {
  if (o->nonfinite && st != GSL_EMAXITER)
    return call_error(a, "f(t, y) is not finite near t = %s and the step size cannot avoid it (the solution may blow "
                         "up there)",
                      CALC_NUM(o->bad_t));
  switch (st) {
  case GSL_EMAXITER:
    return call_error(a, "more than maxsteps=%zu steps between t = %s and t = %s (if the problem is stiff try "
                         "method=\"bsimp\" or \"msbdf\"; or raise maxsteps= or loosen abstol=/reltol=)",
                      maxsteps, CALC_NUM(t), CALC_NUM(t_next));
  case GSL_ENOPROG:
  case GSL_FAILURE:
    return call_error(a, "the step size underflowed at t = %s: the tolerance cannot be met (the solution may blow up "
                         "or f may be discontinuous there)",
                      CALC_NUM(t));
  default: return dlt_error_gsl(a->I, a->call, "ode_solve", st);
  }
}

typedef struct OdeOpts {
  const Method *m;
  double abstol, reltol, hmax, h0;
  bool has_hmax, has_h0;
  size_t maxsteps;
  Value jac;
} OdeOpts;

static bool ode_opts(Args *a, OdeOpts *p) {
  if (!(p->m = ode_method(a))) return false;
  if (!calc_kw_nonneg(a, "abstol", 1e-8, &p->abstol) || !calc_kw_nonneg(a, "reltol", 1e-8, &p->reltol) ||
      !calc_kw_count(a, "maxsteps", 100000, 1, 1000000000, &p->maxsteps))
    return false;
  if (p->abstol == 0 && p->reltol == 0) {
    call_error(a, "abstol= and reltol= must not both be 0");
    return false;
  }
  p->has_hmax = kw_get(a, "hmax") != NULL;
  p->has_h0 = kw_get(a, "h0") != NULL;
  if (!calc_kw_pos(a, "hmax", 1, &p->hmax) || !calc_kw_pos(a, "h0", 1, &p->h0)) return false;
  const Value *j = kw_get(a, "jac");
  p->jac = v_nil();
  if (j) {
    if (!val_is_callable(*j)) {
      kw_error(a, "jac", "jac= must be a function jac(t, y) giving the n×n matrix ∂f/∂y, got a %s", val_type_name(*j));
      return false;
    }
    if (!p->m->implicit) {
      kw_error(a, "jac", "jac= is used only by the implicit methods (bsimp, msbdf, rk4imp, rk2imp, rk1imp)");
      return false;
    }
    p->jac = *j;
  }
  return true;
}

static Value ode_run(Args *a, const OdeOpts *p, Ode *o, double *y, const double *ts, size_t nt, Mat *tm, Mat *ym) {
  size_t n = o->n;
  gsl_odeiv2_system sys = {ode_rhs, p->m->implicit ? ode_jacobian : NULL, n, o};
  double span = ts[nt - 1] - ts[0], dir = span > 0 ? 1 : -1;
  double h0 = p->has_h0 ? p->h0 : fmin(1e-4 * fabs(span), p->has_hmax ? p->hmax : INFINITY);
  gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, *p->m->type, dir * h0, p->abstol, p->reltol);
  if (!d) {
    dlt_gsl_clear();
    return call_error(a, "out of memory");
  }
  if (p->has_hmax) gsl_odeiv2_driver_set_hmax(d, p->hmax);
  gsl_odeiv2_driver_set_nmax(d, p->maxsteps);
  double t = ts[0];
  for (size_t j = 0; j < n; j++) *mat_at(ym, 0, j) = y[j];
  tm->data[0] = t;
  Value err = v_nil();
  for (size_t k = 1; k < nt && IS_NIL(err); k++) {
    int st = gsl_odeiv2_driver_apply(d, &t, ts[k], y);
    if (o->failed) err = v_abrupt();
    else if (st) err = ode_failure(a, o, st, t, ts[k], p->maxsteps);
    else if (!all_finite(y, n))
      err = call_error(a, "the solution is not finite at t = %s (it blew up)", CALC_NUM(ts[k]));
    else {
      tm->data[k] = ts[k];
      for (size_t j = 0; j < n; j++) *mat_at(ym, k, j) = y[j];
    }
  }
  gsl_odeiv2_driver_free(d);
  dlt_gsl_clear();
  return err;
}

static Value bi_ode_solve(Args *a) {
  double *y = NULL, *ts = NULL;
  size_t n, nt;
  bool scalar;
  OdeOpts p;
  Value r = v_abrupt();
  Mat *tm = NULL, *ym = NULL;
  Ode o = {a, a->v[0], v_nil(), {v_nil(), 0, true}, 0, false, false, 0, NULL};
  if (!arg_callable(a, 0) || !ode_y0(a, 1, &y, &n, &scalar) || !ode_times(a, 2, &ts, &nt) || !ode_opts(a, &p)) goto done;
  if (!(tm = ode_mat(a, nt, 1)) || !(ym = ode_mat(a, nt, n))) goto done;
  o.jac = p.jac;
  o.n = n;
  calc_point_init(&o.pt, n, scalar);
  if (!(o.work = malloc(3 * n * sizeof *o.work))) {
    dlt_error_oom(a->I, a->call, n, 3);
    goto done;
  }
  Value err = ode_run(a, &p, &o, y, ts, nt, tm, ym);
  if (IS_NIL(err)) {
    r = trajectory(tm, "y", ym, NULL, NULL);
    tm = ym = NULL;
  }
done:
  calc_point_free(&o.pt);
  free_mats(tm, ym, NULL);
  free(o.work);
  free(y);
  free(ts);
  return r;
}

/* ------------------------------------------------------------------ fixed-step methods */

/* t0, t1 finite and different, n >= 1 steps */
static bool fixed_grid(Args *a, int i, double *t0, double *t1, size_t *n) {
  if (!arg_num(a, i, t0) || !arg_num(a, i + 1, t1) || !arg_size(a, i + 2, n)) return false;
  if (!isfinite(*t0) || !isfinite(*t1)) {
    arg_error(a, isfinite(*t0) ? i + 1 : i, "the times must be finite, got %s", CALC_NUM(isfinite(*t0) ? *t1 : *t0));
    return false;
  }
  if (*n < 1) {
    arg_error(a, i + 2, "the number of steps must be at least 1, got 0");
    return false;
  }
  return true;
}

/* one step of the method from (t, y) to y + h * increment */
typedef bool (*FixedStep)(Ode *o, double t, double h, double *y, double *k);

static bool euler_step(Ode *o, double t, double h, double *y, double *k) {
  if (!ode_eval(o, t, y, k)) return false;
  for (size_t i = 0; i < o->n; i++) y[i] += h * k[i];
  return true;
}

/* The classical four-stage RK4 with exactly one evaluation of each stage per step (GSL's rk4
 * stepper estimates its error by step doubling and returns the two-half-steps result, which is
 * not the textbook method this teaching tool is meant to show). */
static bool rk4_step(Ode *o, double t, double h, double *y, double *k) {
  size_t n = o->n;
  double *k1 = k, *k2 = k + n, *k3 = k + 2 * n, *k4 = k + 3 * n, *yt = k + 4 * n;
  if (!ode_eval(o, t, y, k1)) return false;
  for (size_t i = 0; i < n; i++) yt[i] = y[i] + h / 2 * k1[i];
  if (!ode_eval(o, t + h / 2, yt, k2)) return false;
  for (size_t i = 0; i < n; i++) yt[i] = y[i] + h / 2 * k2[i];
  if (!ode_eval(o, t + h / 2, yt, k3)) return false;
  for (size_t i = 0; i < n; i++) yt[i] = y[i] + h * k3[i];
  if (!ode_eval(o, t + h, yt, k4)) return false;
  for (size_t i = 0; i < n; i++) y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  return true;
}

static Value fixed_solve(Args *a, FixedStep step, size_t stages) {
  double *y = NULL, *k = NULL, t0, t1;
  size_t n, steps;
  bool scalar;
  Value r = v_abrupt();
  Mat *tm = NULL, *ym = NULL;
  Ode o = {a, a->v[0], v_nil(), {v_nil(), 0, true}, 0, false, false, 0, NULL};
  if (!arg_callable(a, 0) || !ode_y0(a, 1, &y, &n, &scalar) || !fixed_grid(a, 2, &t0, &t1, &steps)) goto done;
  if (!(tm = ode_mat(a, steps + 1, 1)) || !(ym = ode_mat(a, steps + 1, n))) goto done;
  if (!(k = malloc((stages + 1) * n * sizeof *k))) {
    dlt_error_oom(a->I, a->call, n, stages + 1);
    goto done;
  }
  o.n = n;
  calc_point_init(&o.pt, n, scalar);
  double h = (t1 - t0) / (double)steps;
  for (size_t s = 0; s <= steps; s++) {
    /* times from the grid formula, not by accumulating h, so the last one is exactly t1 */
    double t = s == steps ? t1 : t0 + (double)s * h;
    tm->data[s] = t;
    for (size_t j = 0; j < n; j++) *mat_at(ym, s, j) = y[j];
    if (s < steps && !step(&o, t, h, y, k)) goto done;
  }
  r = trajectory(tm, "y", ym, NULL, NULL);
  tm = ym = NULL;
done:
  calc_point_free(&o.pt);
  free_mats(tm, ym, NULL);
  free(k);
  free(y);
  return r;
}

static Value bi_ode_euler(Args *a) { return fixed_solve(a, euler_step, 1); }
static Value bi_ode_rk4(Args *a) { return fixed_solve(a, rk4_step, 4); }

/* ------------------------------------------------------------------ leapfrog */

/* F(q) into out: same shape as q */
static bool force_at(Ode *o, const double *q, double *out) {
  if (!calc_point_set(o->a, &o->pt, q)) return false;
  return calc_call_vec(o->a, o->fn, "the force F(q)", 1, &o->pt.v, o->n, out);
}

/* Velocity Verlet for q' = p, p' = F(q) (unit mass; F = -∇V for a potential V):
 * p_half = p + h/2 F(q), q_next = q + h p_half, p_next = p_half + h/2 F(q_next). One force
 * evaluation per step: F(q_next) is reused by the next step. */
static Value bi_leapfrog(Args *a) {
  double *q = NULL, *p = NULL, *f = NULL, h, t0 = 0;
  size_t n, np, steps;
  bool scalar, pscalar;
  Value r = v_abrupt();
  Mat *tm = NULL, *qm = NULL, *pm = NULL;
  Ode o = {a, a->v[0], v_nil(), {v_nil(), 0, true}, 0, false, false, 0, NULL};
  if (!arg_callable(a, 0) || !ode_y0(a, 1, &q, &n, &scalar) || !ode_y0(a, 2, &p, &np, &pscalar) || !arg_num(a, 3, &h) ||
      !arg_size(a, 4, &steps) || !kw_num(a, "t0", &t0, NULL))
    goto done;
  if (np != n || scalar != pscalar) {
    arg_error(a, 2, "the momentum must have the shape of the position (%zu entr%s), got %zu", n, n == 1 ? "y" : "ies", np);
    goto done;
  }
  if (!isfinite(h) || h == 0) {
    arg_error(a, 3, "the step h must be a finite non-zero number, got %s", CALC_NUM(h));
    goto done;
  }
  if (!isfinite(t0)) {
    kw_error(a, "t0", "t0= must be finite, got %s", CALC_NUM(t0));
    goto done;
  }
  if (!(tm = ode_mat(a, steps + 1, 1)) || !(qm = ode_mat(a, steps + 1, n)) || !(pm = ode_mat(a, steps + 1, n))) goto done;
  if (!(f = malloc(n * sizeof *f))) {
    dlt_error_oom(a->I, a->call, n, 1);
    goto done;
  }
  o.n = n;
  calc_point_init(&o.pt, n, scalar);
  if (!force_at(&o, q, f)) goto done;
  for (size_t s = 0;; s++) {
    tm->data[s] = t0 + (double)s * h;
    for (size_t j = 0; j < n; j++) {
      *mat_at(qm, s, j) = q[j];
      *mat_at(pm, s, j) = p[j];
    }
    if (s == steps) break;
    for (size_t j = 0; j < n; j++) {
      p[j] += h / 2 * f[j];
      q[j] += h * p[j];
    }
    if (!force_at(&o, q, f)) goto done;
    for (size_t j = 0; j < n; j++) p[j] += h / 2 * f[j];
  }
  r = trajectory(tm, "q", qm, "p", pm);
  tm = qm = pm = NULL;
done:
  calc_point_free(&o.pt);
  free_mats(tm, qm, pm);
  free(f);
  free(q);
  free(p);
  return r;
}

static const Builtin ode_builtins[] = {
  {"ode_solve", bi_ode_solve, 3, 3, "method abstol reltol hmax h0 maxsteps jac",
   "ode_solve(f, y0, t, method=\"rk45\", abstol=1e-8, reltol=1e-8, hmax=, h0=, maxsteps=100000, jac=)",
   "solve y' = f(t, y), y(t[1]) = y0 adaptively, reporting at the times t: {t, y} with one row of y per time", NULL},
  {"ode_euler", bi_ode_euler, 5, 5, NULL, "ode_euler(f, y0, t0, t1, n)",
   "explicit Euler with n equal steps from t0 to t1: {t, y} with n + 1 rows", NULL},
  {"ode_rk4", bi_ode_rk4, 5, 5, NULL, "ode_rk4(f, y0, t0, t1, n)",
   "classical fourth-order Runge–Kutta with n equal steps from t0 to t1: {t, y} with n + 1 rows", NULL},
  {"leapfrog", bi_leapfrog, 5, 5, "t0", "leapfrog(F, q0, p0, h, n, t0=0)",
   "velocity Verlet for q'' = F(q) (F the force, -∇V): n steps of size h, {t, q, p} with n + 1 rows", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_ode = {"ode", ode_builtins};
