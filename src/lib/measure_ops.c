/* lib/measure_ops.c - see measure.h for how the measure modules divide the work.
 *
 * expect(mu, f): E_mu f by the best method the measure allows, and says which one it used:
 *   exact       a finite weighted sum over the atoms (dirac, discrete, empirical, bernoulli, ...);
 *   quadrature  adaptive Gauss–Kronrod (QUADPACK) against the density of a 1-D measure, in the
 *               standardised variable z = (x - centre) / scale and split at z = 0, so a kink of f at
 *               the centre (ReLU under a centred normal) sits at an end point where it costs nothing;
 *               tensor Gauss–Hermite (x = mean + L z, L L' = cov) for Gaussians in dimension 2 and 3,
 *               its error estimated by the difference with the rule of half the order;
 *   mc          the mean of f over n samples, with the standard error s / sqrt(n).
 * density(f, a, b): the measure with density f / Z on [a, b], tabulated on a grid for sampling.
 * kl, wasserstein: closed forms for Gaussians, exact sums for atoms, quantile quadrature in 1-D.
 *
 * When the user's function fails inside a QUADPACK routine, the callback longjmps back to where
 * the routine was called (QUADPACK allocates nothing; its workspace is ours), as calculus.c does.
 */
#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>

#include "../eval.h"
#include "../interp.h"
#include "../print.h"
#include "calculus.h"
#include "measure.h"
#include "random.h"

#define QUAD_LIMIT 1000

/* ================================================================== small helpers */

/* "0.5" or "[1, 2]": a point for messages */
typedef struct PointText {
  char s[200];
} PointText;

static PointText point_text(const double *x, size_t d) {
  PointText t;
  if (d == 1) {
    snprintf(t.s, sizeof t.s, "%s", CALC_NUM(x[0]));
    return t;
  }
  size_t len = 0;
  t.s[len++] = '[';
  for (size_t j = 0; j < d && j < 4; j++)
    len += (size_t)snprintf(t.s + len, sizeof t.s - len, "%s%s", j ? ", " : "", CALC_NUM(x[j]));
  snprintf(t.s + len, sizeof t.s - len, "%s]", d > 4 ? ", ..." : "");
  return t;
}

static bool oom(Args *a, size_t rows, size_t cols) {
  dlt_error_oom(a->I, a->call, rows, cols);
  return false;
}

static int dbl_cmp(const void *p, const void *q) {
  double x = *(const double *)p, y = *(const double *)q;
  return (x > y) - (x < y);
}

/* eigen-decomposition of the symmetric d×d matrix s (row-major, not modified): values ascending */
static bool sym_eigen(const double *s, size_t d, double *vals, double *vecs) {
  double *tmp = malloc(d * d * sizeof *tmp);
  gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(d);
  bool ok = tmp && ws;
  if (ok) {
    memcpy(tmp, s, d * d * sizeof *tmp);
    gsl_matrix_view A = gsl_matrix_view_array(tmp, d, d);
    gsl_vector_view w = gsl_vector_view_array(vals, d);
    gsl_matrix_view V = gsl_matrix_view_array(vecs, d, d);
    ok = gsl_eigen_symmv(&A.matrix, &w.vector, &V.matrix, ws) == GSL_SUCCESS &&
         gsl_eigen_symmv_sort(&w.vector, &V.matrix, GSL_EIGEN_SORT_VAL_ASC) == GSL_SUCCESS;
  }
  if (ws) gsl_eigen_symmv_free(ws);
  free(tmp);
  dlt_gsl_clear();
  return ok;
}

/* out = V diag(g(λ)) Vᵀ style helpers: the symmetric square root of a PSD matrix (negative rounding
 * noise in the eigenvalues is clipped to 0) */
static bool sym_sqrt(const double *s, size_t d, double *out) {
  double *vals = malloc(d * sizeof *vals), *vecs = malloc(d * d * sizeof *vecs);
  bool ok = vals && vecs && sym_eigen(s, d, vals, vecs);
  for (size_t i = 0; ok && i < d; i++)
    for (size_t j = 0; j < d; j++) {
      double t = 0;
      for (size_t k = 0; k < d; k++) t += vecs[i * d + k] * sqrt(fmax(vals[k], 0)) * vecs[j * d + k];
      out[i * d + j] = t;
    }
  free(vals);
  free(vecs);
  return ok;
}

/* the mean and covariance of a Gaussian through its kind's hooks */
static bool is_normal(const Measure *m) { return strcmp(m->kind->name, "normal") == 0 && m->kind->mean && m->kind->cov; }

static bool gauss_params(const Measure *m, double *mean, double *cov) {
  return m->kind->mean(m, mean) && m->kind->cov(m, cov);
}

/* ================================================================== f at a point */

typedef struct PointFn {
  Args *a;
  Value fn;
  size_t dim;
  CalcPoint pt;
  size_t k;        /* entries of f's value; 0 before the first call */
  bool scalar_out; /* f returned a plain number */
  double *y;       /* the last value (k entries) */
  size_t evals;
} PointFn;

static void pf_init(PointFn *p, Args *a, Value fn, size_t dim) {
  p->a = a;
  p->fn = fn;
  p->dim = dim;
  calc_point_init(&p->pt, dim, dim == 1);
  p->k = 0;
  p->scalar_out = false;
  p->y = NULL;
  p->evals = 0;
}

static void pf_free(PointFn *p) {
  calc_point_free(&p->pt);
  free(p->y);
}

/* the first call fixes the shape of f's value: a number, or a vector of k entries */
static bool pf_first(PointFn *p) {
  Args *a = p->a;
  if (dlt_interrupted) {
    eval_interrupted(a->I, a->call);
    return false;
  }
  Value r = dlt_call(a->I, p->fn, 1, &p->pt.v, a->call);
  if (IS_ABRUPT(r)) return false;
  if (IS_NUM(r) || IS_BOOL(r)) {
    p->k = 1;
    p->scalar_out = true;
    p->y = malloc(sizeof *p->y);
    if (p->y) p->y[0] = IS_NUM(r) ? AS_NUM(r) : AS_BOOL(r);
  } else if (IS_MAT(r) && mat_is_vector(AS_MAT(r)) && mat_numel(AS_MAT(r)) > 0) {
    p->k = mat_numel(AS_MAT(r));
    p->y = malloc(p->k * sizeof *p->y);
    if (p->y) memcpy(p->y, AS_MAT(r)->data, p->k * sizeof *p->y); /* a vector is contiguous */
  } else {
    StrBuf b = STRBUF_INIT;
    if (IS_MAT(r)) fmt_shape(&b, mat_rows(AS_MAT(r)), mat_cols(AS_MAT(r)));
    call_error(a, "f must return a number or a vector, got %s%s%s", IS_MAT(r) ? "a " : "a ",
               IS_MAT(r) ? sb_cstr(&b) : val_type_name(r), IS_MAT(r) ? " matrix" : "");
    sb_free(&b);
    val_release(r);
    p->k = 0;
    return false;
  }
  val_release(r);
  if (!p->y) {
    p->k = 0;
    return oom(a, 1, 1);
  }
  return true;
}

/* f(x) into p->y; an error for a failing f, a wrong shape, or a value that is not finite */
static bool pf_call(PointFn *p, const double *x) {
  Args *a = p->a;
  if (!calc_point_set(a, &p->pt, x)) return false;
  bool ok;
  if (p->k == 0) ok = pf_first(p);
  else if (p->scalar_out) ok = calc_call_num(a, p->fn, "f", 1, &p->pt.v, p->y);
  else ok = calc_call_vec(a, p->fn, "f", 1, &p->pt.v, p->k, p->y);
  if (!ok) return false;
  p->evals++;
  for (size_t j = 0; j < p->k; j++)
    if (!isfinite(p->y[j])) {
      call_error(a, "f is %s at x = %s", CALC_NUM(p->y[j]), point_text(x, p->dim).s);
      return false;
    }
  return true;
}

/* ================================================================== atoms of discrete measures */

static bool kind_is(const Measure *m, const char *name) { return strcmp(m->kind->name, name) == 0; }

typedef struct Atoms {
  size_t n, d;
  double *x; /* n×d, row-major */
  double *w; /* n weights */
} Atoms;

static void atoms_free(Atoms *at) {
  free(at->x);
  free(at->w);
  at->x = at->w = NULL;
  at->n = 0;
}

static bool atoms_alloc(Args *a, Atoms *at, size_t n, size_t d) {
  at->n = n;
  at->d = d;
  at->x = malloc((n * d > 0 ? n * d : 1) * sizeof *at->x);
  at->w = malloc((n ? n : 1) * sizeof *at->w);
  if (at->x && at->w) return true;
  atoms_free(at);
  return oom(a, n, d + 1);
}

/* Matrix value v's rows as atoms with the weights in the vector value w (false: not that shape). */
static bool atoms_from_values(Args *a, Value v, Value w, size_t d, Atoms *at, bool *err) {
  *err = false;
  if (!IS_MAT(v) || !IS_MAT(w) || mat_cols(AS_MAT(v)) != d || mat_numel(AS_MAT(w)) != mat_rows(AS_MAT(v)))
    return false;
  size_t n = mat_rows(AS_MAT(v));
  if (!atoms_alloc(a, at, n, d)) {
    *err = true;
    return false;
  }
  memcpy(at->x, AS_MAT(v)->data, n * d * sizeof *at->x);
  memcpy(at->w, AS_MAT(w)->data, n * sizeof *at->w);
  return true;
}

/* The kinds that keep their atoms as the rows of v[0] and the weights in v[1] (measure.c and the
 * signed discrete measures of measure_comb.c). */
static bool atomic_kind(const Measure *m) {
  static const char *const names[] = {"dirac", "discrete", "empirical", "categorical", "bernoulli", "rademacher",
                                      "signed_discrete", "finite_discrete", NULL};
  for (int i = 0; names[i]; i++)
    if (kind_is(m, names[i])) return true;
  return false;
}

/* 1: *at holds the atoms; 0: mu has no finite list of atoms known here; -1: an error was raised */
static int atoms_get(Args *a, const Measure *m, Atoms *at) {
  at->n = 0;
  at->d = m->dim;
  at->x = at->w = NULL;
  bool err = false;
  if (atomic_kind(m) && atoms_from_values(a, m->v[0], m->v[1], m->dim, at, &err)) return 1;
  return atomic_kind(m) && err ? -1 : 0;
}

/* ================================================================== expect */

typedef enum { METHOD_AUTO, METHOD_EXACT, METHOD_QUAD, METHOD_MC } Method;

typedef struct Estimate {
  double *val, *err; /* pf.k entries each */
  const char *method;
  char rule[256];
  size_t n; /* evaluations of f (atoms, nodes or samples) */
} Estimate;

typedef struct ExpectOpts {
  size_t mc_n;
  size_t order; /* 0: automatic */
  double abstol, reltol;
} ExpectOpts;

static bool est_alloc(Args *a, Estimate *e, size_t k) {
  e->val = calloc(k, sizeof *e->val);
  e->err = calloc(k, sizeof *e->err);
  return (e->val && e->err) || oom(a, k, 2);
}

/* ------------------------------------------------------------------ exact: sum over atoms */
static bool expect_atoms(PointFn *pf, const Atoms *at, Estimate *e) {
  for (size_t i = 0; i < at->n; i++) {
    if (!pf_call(pf, at->x + i * at->d)) return false;
    if (!e->val && !est_alloc(pf->a, e, pf->k)) return false;
    for (size_t j = 0; j < pf->k; j++) e->val[j] += at->w[i] * pf->y[j];
  }
  if (!e->val && !est_alloc(pf->a, e, 1)) return false; /* no atoms: the sum is 0 */
  if (pf->k == 0) {
    pf->k = 1;
    pf->scalar_out = true;
  }
  e->method = "exact";
  snprintf(e->rule, sizeof e->rule, "a weighted sum over %zu atom%s", at->n, at->n == 1 ? "" : "s");
  e->n = at->n;
  return true;
}

/* ------------------------------------------------------------------ Monte Carlo */
static bool expect_mc(PointFn *pf, const Measure *m, gsl_rng *rng, size_t n, Estimate *e) {
  Args *a = pf->a;
  size_t d = m->dim, batch = n < 4096 ? n : 4096;
  double *buf = malloc(batch * d * sizeof *buf), *m2 = NULL;
  if (!buf) return oom(a, batch, d);
  bool ok = true;
  size_t done = 0;
  while (ok && done < n) {
    size_t b = n - done < batch ? n - done : batch;
    ok = measure_draw(a, m, rng, b, buf);
    for (size_t i = 0; ok && i < b; i++) {
      ok = pf_call(pf, buf + i * d);
      if (ok && !e->val) {
        ok = est_alloc(a, e, pf->k);
        m2 = ok ? calloc(pf->k, sizeof *m2) : NULL;
        if (ok && !m2) ok = oom(a, pf->k, 1);
      }
      double cnt = (double)(done + i + 1);
      for (size_t j = 0; ok && j < pf->k; j++) { /* Welford: no cancellation for large means */
        double delta = pf->y[j] - e->val[j];
        e->val[j] += delta / cnt;
        m2[j] += delta * (pf->y[j] - e->val[j]);
      }
    }
    done += b;
  }
  for (size_t j = 0; ok && j < pf->k; j++) e->err[j] = sqrt(m2[j] / (double)(n - 1)) / sqrt((double)n);
  free(m2);
  free(buf);
  e->method = "mc";
  snprintf(e->rule, sizeof e->rule, "the mean of f over %zu samples; error is the standard error s/sqrt(n)", n);
  e->n = n;
  return ok;
}

/* ------------------------------------------------------------------ tensor Gauss–Hermite */
/* Σ_i w_i f(mean + L z_i) over the d-fold product of the n-point probabilists' rule into sum[k] */
static bool gh_sum(PointFn *pf, const double *mean, const double *L, size_t d, size_t n, double *sum, size_t *k) {
  Args *a = pf->a;
  double *z = malloc(n * sizeof *z), *w = malloc(n * sizeof *w), *x = malloc(d * sizeof *x);
  size_t *idx = calloc(d, sizeof *idx);
  bool ok = z && w && x && idx;
  if (!ok) ok = oom(a, n, 2);
  int st = ok ? dlt_gauss_hermite_normal(n, z, w) : GSL_SUCCESS;
  if (st) {
    dlt_error_gsl(a->I, a->call, "the Gauss–Hermite rule", st);
    ok = false;
  }
  for (size_t j = 0; ok && j < *k; j++) sum[j] = 0;
  while (ok) {
    double wt = 1;
    for (size_t r = 0; r < d; r++) {
      wt *= w[idx[r]];
      x[r] = mean[r];
    }
    for (size_t r = 0; r < d; r++)
      for (size_t c = 0; c <= r; c++) x[r] += L[r * d + c] * z[idx[c]];
    ok = pf_call(pf, x);
    if (ok && *k == 0) { /* the first value tells how many entries to sum */
      *k = pf->k;
      for (size_t j = 0; j < *k; j++) sum[j] = 0;
    }
    for (size_t j = 0; ok && j < *k; j++) sum[j] += wt * pf->y[j];
    size_t r = 0; /* odometer over the multi-index */
    while (r < d && ++idx[r] == n) idx[r++] = 0;
    if (r == d) break;
  }
  free(z);
  free(w);
  free(x);
  free(idx);
  return ok;
}

/* a lower-triangular L with L Lᵀ = cov: Cholesky, or for a singular covariance V diag(√λ) rotated
 * into lower-triangular form is not needed: any square root works, so use the symmetric one */
static bool gauss_factor(const double *cov, size_t d, double *L) {
  memcpy(L, cov, d * d * sizeof *L);
  gsl_matrix_view A = gsl_matrix_view_array(L, d, d);
  if (gsl_linalg_cholesky_decomp1(&A.matrix) == GSL_SUCCESS) {
    for (size_t r = 0; r < d; r++)
      for (size_t c = r + 1; c < d; c++) L[r * d + c] = 0;
    dlt_gsl_clear();
    return true;
  }
  dlt_gsl_clear();
  return false;
}

static bool expect_gh(PointFn *pf, const Measure *m, const ExpectOpts *o, Estimate *e) {
  Args *a = pf->a;
  size_t d = m->dim;
  size_t n = o->order ? o->order : (d <= 1 ? 64 : d == 2 ? 40 : 20);
  double *mean = malloc(d * sizeof *mean), *cov = malloc(d * d * sizeof *cov), *L = malloc(d * d * sizeof *L);
  bool ok = mean && cov && L;
  if (!ok) ok = oom(a, d, d);
  if (ok && !gauss_params(m, mean, cov)) {
    call_error(a, "the normal measure has no covariance");
    ok = false;
  }
  if (ok && !gauss_factor(cov, d, L)) {
    /* a singular covariance: the symmetric square root (the rule then runs over a degenerate
     * grid, which is still exact for polynomials) */
    ok = sym_sqrt(cov, d, L);
    if (!ok) call_error(a, "could not factor the covariance of the normal measure");
  }
  size_t k = 0, half = n / 2 ? n / 2 : 1;
  double *s1 = NULL, *s2 = NULL;
  if (ok) {
    /* the first call decides k: sum into a scratch buffer of the largest plausible size */
    ok = pf_call(pf, mean);
    if (ok) {
      k = pf->k;
      pf->evals--;
      s1 = calloc(k, sizeof *s1);
      s2 = calloc(k, sizeof *s2);
      if (!s1 || !s2) ok = oom(a, k, 2);
    }
  }
  ok = ok && gh_sum(pf, mean, L, d, n, s1, &k) && gh_sum(pf, mean, L, d, half, s2, &k) && est_alloc(a, e, k);
  for (size_t j = 0; ok && j < k; j++) {
    e->val[j] = s1[j];
    e->err[j] = fabs(s1[j] - s2[j]);
  }
  size_t total = 1, th = 1;
  for (size_t r = 0; r < d; r++) {
    total *= n;
    th *= half;
  }
  e->method = "quadrature";
  snprintf(e->rule, sizeof e->rule, "tensor Gauss–Hermite with %zu node%s per dimension (%zu points); error is the "
           "difference with %zu nodes", n, n == 1 ? "" : "s", total, half);
  e->n = total + th;
  free(mean);
  free(cov);
  free(L);
  free(s1);
  free(s2);
  return ok;
}

/* ------------------------------------------------------------------ adaptive 1-D quadrature */
typedef enum { DENS_NORMAL, DENS_LOGPDF, DENS_USER } DensKind;

typedef struct Ad1 {
  PointFn *pf;
  const Measure *m;
  size_t comp;   /* which entry of f's value */
  double c, s;   /* x = c + s z */
  DensKind dens;
  Value user;    /* DENS_USER: the unnormalised density, divided by Z */
  double Z;
  bool failed;
  jmp_buf stop;
} Ad1;

static double ad1_f(double z, void *p) {
  Ad1 *q = p;
  double x = q->c + q->s * z, dens;
  if (q->dens == DENS_NORMAL) dens = exp(-0.5 * z * z) / sqrt(2 * M_PI);
  else if (q->dens == DENS_LOGPDF) dens = exp(q->m->kind->logpdf(q->m, &x)) * q->s;
  else {
    Value xv = v_num(x);
    if (calc_call_num(q->pf->a, q->user, "the density", 1, &xv, &dens)) dens = dens / q->Z * q->s;
    else q->failed = true;
  }
  if (q->failed) longjmp(q->stop, 1);
  if (dens == 0) return 0; /* f need not be defined where the measure puts no mass */
  if (!pf_call(q->pf, &x)) {
    q->failed = true;
    longjmp(q->stop, 1);
  }
  if (q->pf->k <= q->comp) return 0;
  return q->pf->y[q->comp] * dens;
}

static int ad1_run(Ad1 *q, double lo, double hi, const ExpectOpts *o, gsl_integration_workspace *w, double *val,
                   double *err) {
  gsl_function F = {ad1_f, q};
  *val = *err = 0;
  if (!(lo < hi)) return GSL_SUCCESS;
  if (setjmp(q->stop)) return GSL_FAILURE;
  if (isinf(lo) && isinf(hi)) return gsl_integration_qagi(&F, o->abstol, o->reltol, QUAD_LIMIT, w, val, err);
  if (isinf(hi)) return gsl_integration_qagiu(&F, lo, o->abstol, o->reltol, QUAD_LIMIT, w, val, err);
  if (isinf(lo)) return gsl_integration_qagil(&F, hi, o->abstol, o->reltol, QUAD_LIMIT, w, val, err);
  return gsl_integration_qags(&F, lo, hi, o->abstol, o->reltol, QUAD_LIMIT, w, val, err);
}

static const char *quad_reason(int st) {
  switch (st) {
  case GSL_EMAXITER: return "the maximum number of subintervals was used up";
  case GSL_EROUND: return "roundoff error prevents reaching the tolerance";
  case GSL_ESING: return "the integrand behaves badly (a singularity or fast oscillation)";
  case GSL_EDIVERGE: return "the integral seems to diverge or to converge too slowly";
  default: return gsl_strerror(st);
  }
}

/* the quantile u of a 1-D measure from its cdf, by bisection inside [lo, hi] (finite) */
static double cdf_bisect(const Measure *m, double u, double lo, double hi) {
  for (int it = 0; it < 200 && hi - lo > 1e-15 * fmax(1, fabs(lo) + fabs(hi)); it++) {
    double mid = 0.5 * (lo + hi);
    if (m->kind->cdf(m, mid) < u) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/* a finite bracket of the quantiles in (eps, 1 - eps) from the support and the cdf */
static bool cdf_bracket(const Measure *m, double eps, double *lo, double *hi) {
  double sl, sh;
  m->kind->support(m, &sl, &sh);
  *lo = isfinite(sl) ? sl : -1;
  *hi = isfinite(sh) ? sh : 1;
  for (int i = 0; i < 2000 && !isfinite(sl) && m->kind->cdf(m, *lo) > eps; i++) *lo *= 2;
  for (int i = 0; i < 2000 && !isfinite(sh) && m->kind->cdf(m, *hi) < 1 - eps; i++) *hi *= 2;
  return isfinite(*lo) && isfinite(*hi);
}

/* centre and scale for the substitution x = c + s z: the mean and sd, or the median and half the
 * interquartile range (a Cauchy), or 0 and 1 */
static void centre_scale(const Measure *m, double *c, double *s) {
  double mean, var, m2;
  *c = 0;
  *s = 1;
  bool have = m->kind->mean && m->kind->cov && m->kind->mean(m, &mean) && m->kind->cov(m, &var);
  if (!have && m->kind->raw_moment && m->kind->raw_moment(m, 1, &mean) && m->kind->raw_moment(m, 2, &m2)) {
    var = m2 - mean * mean;
    have = true;
  }
  if (have && isfinite(mean) && var > 0 && isfinite(var)) {
    *c = mean;
    *s = sqrt(var);
    return;
  }
  double lo, hi;
  if (m->kind->cdf && m->kind->support && cdf_bracket(m, 0.25, &lo, &hi)) {
    double q1 = cdf_bisect(m, 0.25, lo, hi), q2 = cdf_bisect(m, 0.5, lo, hi), q3 = cdf_bisect(m, 0.75, lo, hi);
    if (isfinite(q2) && q3 > q1) {
      *c = q2;
      *s = 0.5 * (q3 - q1);
    }
  }
}

static bool is_density_kind(const Measure *m);
static bool quad_kind(const Measure *m) {
  static const char *const names[] = {"normal", "uniform", "exponential", "laplace", "cauchy", "chisq", "density", NULL};
  if (m->dim != 1 || !m->kind->logpdf || !m->kind->support || m->is_signed) return false;
  for (int i = 0; names[i]; i++)
    if (kind_is(m, names[i])) return true;
  return false;
}

static bool expect_adaptive(PointFn *pf, const Measure *m, const ExpectOpts *o, Estimate *e) {
  Args *a = pf->a;
  Ad1 q = {.pf = pf, .m = m, .dens = DENS_LOGPDF, .user = v_nil(), .Z = 1};
  double lo, hi;
  m->kind->support(m, &lo, &hi);
  if (is_normal(m)) {
    double var;
    m->kind->mean(m, &q.c);
    m->kind->cov(m, &var);
    q.s = sqrt(var);
    q.dens = DENS_NORMAL;
  } else if (isfinite(lo) && isfinite(hi) && isfinite(hi - lo)) { /* z in [0, 1]: tiny intervals too */
    q.c = lo;
    q.s = hi - lo;
  } else
    centre_scale(m, &q.c, &q.s);
  if (is_density_kind(m)) {
    q.dens = DENS_USER;
    q.user = m->v[0];
    q.Z = m->p[2];
  }
  double zlo = isinf(lo) ? lo : (lo - q.c) / q.s, zhi = isinf(hi) ? hi : (hi - q.c) / q.s;
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(QUAD_LIMIT);
  if (!w) {
    dlt_gsl_clear();
    return oom(a, QUAD_LIMIT, 6);
  }
  bool ok = true;
  for (q.comp = 0; ok && (q.comp == 0 || q.comp < pf->k); q.comp++) {
    double v1 = 0, e1 = 0, v2 = 0, e2 = 0;
    int st1, st2 = GSL_SUCCESS;
    /* split at the centre when the range is unbounded on both sides: a kink there costs nothing */
    if (zlo < 0 && zhi > 0 && (isinf(zlo) || isinf(zhi))) {
      st1 = ad1_run(&q, zlo, 0, o, w, &v1, &e1);
      if (!q.failed) st2 = ad1_run(&q, 0, zhi, o, w, &v2, &e2);
    } else
      st1 = ad1_run(&q, zlo, zhi, o, w, &v1, &e1);
    dlt_gsl_clear();
    if (q.failed) ok = false;
    else if (st1 || st2) {
      call_error(a, "the quadrature did not converge: %s (estimate %s, error %s); the expectation may not exist, "
                    "or f is too rough: try method=\"mc\"",
                 quad_reason(st1 ? st1 : st2), CALC_NUM(v1 + v2), CALC_NUM(e1 + e2));
      ok = false;
    }
    if (ok && !e->val) ok = est_alloc(a, e, pf->k ? pf->k : 1);
    if (ok) {
      e->val[q.comp] = v1 + v2;
      e->err[q.comp] = e1 + e2;
    }
  }
  if (ok && pf->k == 0) { /* f was never called: the measure has no mass where it was looked at */
    pf->k = 1;
    pf->scalar_out = true;
  }
  gsl_integration_workspace_free(w);
  e->method = "quadrature";
  if (isfinite(lo) && isfinite(hi))
    snprintf(e->rule, sizeof e->rule, "adaptive Gauss–Kronrod (QUADPACK qags) against the density on [%s, %s]",
             CALC_NUM(lo), CALC_NUM(hi));
  else
    snprintf(e->rule, sizeof e->rule, "adaptive Gauss–Kronrod (QUADPACK) against the density in z = (x - %s) / %s, "
             "split at z = 0", CALC_NUM(q.c), CALC_NUM(q.s));
  e->n = pf->evals;
  return ok;
}

/* ------------------------------------------------------------------ the builtin */
static bool expect_opts(Args *a, Method *method, ExpectOpts *o, bool *info) {
  const char *ms = "auto";
  if (!kw_str(a, "method", &ms, NULL)) return false;
  if (strcmp(ms, "auto") == 0) *method = METHOD_AUTO;
  else if (strcmp(ms, "exact") == 0) *method = METHOD_EXACT;
  else if (strcmp(ms, "quadrature") == 0) *method = METHOD_QUAD;
  else if (strcmp(ms, "mc") == 0) *method = METHOD_MC;
  else {
    kw_error(a, "method", "method= must be \"auto\", \"exact\", \"quadrature\" or \"mc\", got \"%s\"", ms);
    return false;
  }
  o->order = 0;
  return calc_kw_count(a, "n", 100000, 2, 1000000000, &o->mc_n) &&
         (!kw_get(a, "order") || calc_kw_count(a, "order", 0, 1, DLT_GAUSS_MAX, &o->order)) &&
         calc_kw_nonneg(a, "abstol", 1e-13, &o->abstol) && calc_kw_nonneg(a, "reltol", 1e-12, &o->reltol) &&
         kw_bool(a, "info", false, info);
}

static Value est_value(Args *a, const PointFn *pf, const double *x) { return calc_vec_value(a, x, pf->k, pf->scalar_out); }

static Value est_result(Args *a, const PointFn *pf, const Estimate *e, bool info) {
  Value v = est_value(a, pf, e->val);
  if (!info || IS_ABRUPT(v)) return v;
  Value err = est_value(a, pf, e->err);
  if (IS_ABRUPT(err)) {
    val_release(v);
    return err;
  }
  Value r = record_new();
  record_set(AS_RECORD(r), "value", v);
  record_set(AS_RECORD(r), "error", err);
  record_set(AS_RECORD(r), "method", str_from(e->method));
  record_set(AS_RECORD(r), "n", v_num((double)e->n));
  record_set(AS_RECORD(r), "rule", str_from(e->rule));
  return r;
}

static Value bi_expect(Args *a) {
  Measure *m;
  Method method;
  ExpectOpts o;
  bool info;
  if (!arg_measure(a, 0, &m) || !arg_callable(a, 1) || !expect_opts(a, &method, &o, &info)) return v_abrupt();
  if (kw_get(a, "order") && !is_normal(m))
    return kw_error(a, "order", "order= sets the Gauss–Hermite rule of a normal measure; this is a %s measure",
                    m->kind->name);
  Atoms at;
  int has_atoms = method == METHOD_AUTO || method == METHOD_EXACT ? atoms_get(a, m, &at) : 0;
  if (has_atoms < 0) return v_abrupt();
  bool gh = is_normal(m) && !m->is_signed && (m->dim >= 2 || kw_get(a, "order")) && m->dim <= 3;
  bool quad = gh || quad_kind(m);
  if (method == METHOD_EXACT && !has_atoms)
    return kw_error(a, "method", "method=\"exact\" needs a measure with finitely many atoms (dirac, discrete, "
                                 "empirical, bernoulli, categorical, rademacher), got a %s measure on R^%zu",
                    m->kind->name, m->dim);
  if (method == METHOD_QUAD && !quad)
    return kw_error(a, "method", "method=\"quadrature\" needs a 1-D measure with a density or a normal measure "
                                 "in dimension at most 3, got a %s measure on R^%zu",
                    m->kind->name, m->dim);
  PointFn pf;
  pf_init(&pf, a, a->v[1], m->dim);
  Estimate e = {0};
  bool ok;
  if (has_atoms) {
    ok = expect_atoms(&pf, &at, &e);
    atoms_free(&at);
  } else if (method != METHOD_MC && quad) {
    ok = gh ? expect_gh(&pf, m, &o, &e) : expect_adaptive(&pf, m, &o, &e);
  } else {
    gsl_rng *rng = args_rng(a);
    ok = rng && expect_mc(&pf, m, rng, o.mc_n, &e);
    args_rng_done(a, rng);
  }
  Value r = ok ? est_result(a, &pf, &e, info) : v_abrupt();
  free(e.val);
  free(e.err);
  pf_free(&pf);
  return r;
}

/* ================================================================== density(f, a, b) */
/* p[0] = a, p[1] = b, p[2] = Z (∫ f by adaptive quadrature), p[3] = the mean; v[0] = f.
 * The table: f at n + 1 equally spaced points, linearly interpolated between them (the density the
 * sampler, the cdf and logpdf use), its cumulative masses, and an alias table over the cells. */
typedef struct DensTab {
  size_t n;
  double h, var;
  double *f;   /* n + 1 values */
  double *cum; /* n + 1 cumulative trapezoid masses, cum[0] = 0 */
  gsl_ran_discrete_t *pick;
} DensTab;

static void dens_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "density(");
  Value f = m->v[0];
  if (IS_BUILTIN(f)) sb_puts(out, AS_BUILTIN(f)->def->name);
  else sb_puts(out, "f");
  sb_puts(out, ", [");
  fmt_num(out, m->p[0]);
  sb_puts(out, ", ");
  fmt_num(out, m->p[1]);
  sb_puts(out, "])");
}

/* the cell of x (0..n-1) and the position t in [0, 1] inside it */
static size_t dens_cell(const Measure *m, const DensTab *t, double x, double *pos) {
  double u = (x - m->p[0]) / t->h;
  size_t i = u <= 0 ? 0 : u >= (double)t->n ? t->n - 1 : (size_t)u;
  *pos = fmin(fmax(u - (double)i, 0), 1);
  return i;
}

static bool dens_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  (void)a;
  const DensTab *t = m->priv;
  for (size_t k = 0; k < n; k++) {
    size_t i = gsl_ran_discrete(rng, t->pick);
    double u = gsl_rng_uniform(rng), fl = t->f[i], fr = t->f[i + 1];
    /* invert the cdf of the linear density fl + (fr - fl) s on [0, 1], in the stable form */
    double den = fl + sqrt(fl * fl + u * (fr * fr - fl * fl));
    double s = den > 0 ? u * (fl + fr) / den : u;
    out[k] = m->p[0] + ((double)i + fmin(fmax(s, 0), 1)) * t->h;
  }
  return true;
}

static bool dens_mean(const Measure *m, double *out) {
  *out = m->p[3];
  return true;
}

static bool dens_cov(const Measure *m, double *out) {
  *out = ((const DensTab *)m->priv)->var;
  return true;
}

static double dens_logpdf(const Measure *m, const double *x) {
  const DensTab *t = m->priv;
  if (!(x[0] >= m->p[0] && x[0] <= m->p[1])) return -INFINITY;
  double s;
  size_t i = dens_cell(m, t, x[0], &s);
  return log(t->f[i] + s * (t->f[i + 1] - t->f[i])) - log(m->p[2]);
}

static double dens_cdf(const Measure *m, double x) {
  const DensTab *t = m->priv;
  if (!(x > m->p[0])) return 0;
  if (x >= m->p[1]) return 1;
  double s;
  size_t i = dens_cell(m, t, x, &s);
  double fl = t->f[i], fr = t->f[i + 1];
  double part = t->h * (fl * s + 0.5 * (fr - fl) * s * s);
  return fmin((t->cum[i] + part) / t->cum[t->n], 1);
}

static double dens_mass(const Measure *m) {
  (void)m;
  return 1;
}

static void dens_support(const Measure *m, double *lo, double *hi) {
  *lo = m->p[0];
  *hi = m->p[1];
}

static void dens_free(Measure *m) {
  DensTab *t = m->priv;
  if (!t) return;
  free(t->f);
  free(t->cum);
  if (t->pick) gsl_ran_discrete_free(t->pick);
  free(t);
  m->priv = NULL;
}

static const MeasureKind density_kind = {
  .name = "density",
  .print = dens_print,
  .sample = dens_sample,
  .mean = dens_mean,
  .cov = dens_cov,
  .logpdf = dens_logpdf,
  .cdf = dens_cdf,
  .mass = dens_mass,
  .support = dens_support,
  .free_priv = dens_free,
};

static bool is_density_kind(const Measure *m) { return m->kind == &density_kind; }

/* f(x) as a density value: finite and non-negative */
static bool dens_value(Args *a, Value f, double x, double *y) {
  Value xv = v_num(x);
  if (!calc_call_num(a, f, "the density f", 1, &xv, y)) return false;
  if (!isfinite(*y)) return call_error(a, "the density f is %s at x = %s", CALC_NUM(*y), CALC_NUM(x)), false;
  if (*y < 0)
    return call_error(a, "the density f must be non-negative, got %s at x = %s", CALC_NUM(*y), CALC_NUM(x)), false;
  return true;
}

/* ∫_a^b x^k f(x) dx (k = 0, 1) or ∫ (x - c)^2 f (k = 2) by adaptive quadrature */
typedef struct DensQuad {
  Args *a;
  Value f;
  int k;
  double c;
  bool failed;
  jmp_buf stop;
} DensQuad;

static double densq_f(double x, void *p) {
  DensQuad *q = p;
  double y;
  if (!dens_value(q->a, q->f, x, &y)) {
    q->failed = true;
    longjmp(q->stop, 1);
  }
  return q->k == 0 ? y : q->k == 1 ? x * y : (x - q->c) * (x - q->c) * y;
}

/* abstol: moments that vanish (a symmetric density's mean) cannot be had to a relative tolerance */
static int densq_run(DensQuad *q, double lo, double hi, double abstol, gsl_integration_workspace *w, double *val,
                     double *err) {
  gsl_function F = {densq_f, q};
  if (setjmp(q->stop)) return GSL_FAILURE;
  return gsl_integration_qags(&F, lo, hi, abstol, 1e-11, QUAD_LIMIT, w, val, err);
}

static bool dens_finite_arg(Args *a, int i, const char *name, double *x) {
  if (!arg_num(a, i, x)) return false;
  if (!isfinite(*x)) return arg_error(a, i, "%s must be finite, got %s", name, CALC_NUM(*x)), false;
  return true;
}

static bool dens_table(Args *a, Value f, double lo, double hi, DensTab *t) {
  t->h = (hi - lo) / (double)t->n;
  t->f = malloc((t->n + 1) * sizeof *t->f);
  t->cum = malloc((t->n + 1) * sizeof *t->cum);
  double *cell = malloc(t->n * sizeof *cell);
  bool ok = t->f && t->cum && cell;
  if (!ok) ok = oom(a, t->n + 1, 3);
  for (size_t i = 0; ok && i <= t->n; i++) ok = dens_value(a, f, i == t->n ? hi : lo + (double)i * t->h, &t->f[i]);
  if (ok) {
    t->cum[0] = 0;
    for (size_t i = 0; i < t->n; i++) {
      cell[i] = 0.5 * t->h * (t->f[i] + t->f[i + 1]);
      t->cum[i + 1] = t->cum[i] + cell[i];
    }
    if (t->cum[t->n] > 0) {
      t->pick = gsl_ran_discrete_preproc(t->n, cell);
      dlt_gsl_clear();
      if (!t->pick) ok = oom(a, t->n, 3);
    }
  }
  free(cell);
  return ok;
}

static Value bi_density(Args *a) {
  double lo, hi;
  size_t n;
  if (!arg_callable(a, 0) || !dens_finite_arg(a, 1, "the lower end a", &lo) ||
      !dens_finite_arg(a, 2, "the upper end b", &hi) || !calc_kw_count(a, "n", 4096, 1, 1000000, &n))
    return v_abrupt();
  if (!(lo < hi)) return arg_error(a, 2, "the interval must have a < b, got [%s, %s]", CALC_NUM(lo), CALC_NUM(hi));
  if (!isfinite(hi - lo))
    return arg_error(a, 2, "the interval [%s, %s] is too wide for double precision", CALC_NUM(lo), CALC_NUM(hi));
  DensTab *t = calloc(1, sizeof *t);
  if (!t) return dlt_error_oom(a->I, a->call, 1, 1);
  t->n = n;
  Measure *m = measure_new(&density_kind, 1);
  m->priv = t;
  m->p[0] = lo;
  m->p[1] = hi;
  m->v[0] = val_retain(a->v[0]);
  Value r = measure_value(m);
  if (!dens_table(a, a->v[0], lo, hi, t)) {
    val_release(r);
    return v_abrupt();
  }
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(QUAD_LIMIT);
  if (!w) {
    val_release(r);
    dlt_gsl_clear();
    return dlt_error_oom(a->I, a->call, QUAD_LIMIT, 6);
  }
  DensQuad q = {.a = a, .f = a->v[0], .c = 0.5 * (lo + hi)};
  double mom[3] = {0}, err[3] = {0};
  int st = GSL_SUCCESS;
  for (q.k = 0; q.k < 3 && !st; q.k++) {
    if (q.k == 2) q.c = mom[1] / mom[0]; /* the second central moment about the mean: no cancellation */
    double scale = fmax(fmax(fabs(lo), fabs(hi)), hi - lo);
    st = densq_run(&q, lo, hi, q.k ? 1e-13 * mom[0] * (q.k == 1 ? scale : scale * scale) : 1e-300, w, &mom[q.k],
                   &err[q.k]);
    if (q.k == 0 && !st && !(mom[0] > 0)) st = GSL_EZERODIV;
  }
  gsl_integration_workspace_free(w);
  dlt_gsl_clear();
  if (q.failed) {
    val_release(r);
    return v_abrupt();
  }
  if (st == GSL_EZERODIV || (!st && !(t->cum[n] > 0))) {
    val_release(r);
    return arg_error(a, 0, "the density f has zero total mass on [%s, %s]", CALC_NUM(lo), CALC_NUM(hi));
  }
  if (st) {
    val_release(r);
    return call_error(a, "the integral of f over [%s, %s] did not converge: %s", CALC_NUM(lo), CALC_NUM(hi),
                      quad_reason(st));
  }
  m->p[2] = mom[0];
  m->p[3] = mom[1] / mom[0];
  t->var = mom[2] / mom[0];
  return r;
}

static Value bi_normalizer(Args *a) {
  Measure *m;
  if (!arg_measure(a, 0, &m)) return v_abrupt();
  if (!is_density_kind(m))
    return arg_error(a, 0, "needs a measure made by density(f, a, b), got a %s measure", m->kind->name);
  return v_num(m->p[2]);
}

/* ================================================================== KL divergence */

static double gauss_kl(size_t d, const double *m1, const double *S1, const double *m2, const double *S2, bool *ok) {
  double *L2 = malloc(d * d * sizeof *L2), *L1 = malloc(d * d * sizeof *L1), *col = malloc(d * sizeof *col);
  double kl = NAN;
  *ok = L1 && L2 && col;
  if (*ok) {
    memcpy(L2, S2, d * d * sizeof *L2);
    memcpy(L1, S1, d * d * sizeof *L1);
    gsl_matrix_view Q = gsl_matrix_view_array(L2, d, d), P = gsl_matrix_view_array(L1, d, d);
    gsl_vector_view cv = gsl_vector_view_array(col, d);
    if (gsl_linalg_cholesky_decomp1(&Q.matrix) || gsl_linalg_cholesky_decomp1(&P.matrix)) {
      kl = INFINITY; /* a degenerate P or Q: one is not absolutely continuous w.r.t. the other */
    } else {
      double tr = 0, maha = 0, ld = 0;
      for (size_t j = 0; j < d; j++) { /* tr(S2⁻¹ S1): column j of S2⁻¹ S1, entry j */
        for (size_t i = 0; i < d; i++) col[i] = S1[i * d + j];
        gsl_linalg_cholesky_svx(&Q.matrix, &cv.vector);
        tr += col[j];
      }
      for (size_t i = 0; i < d; i++) col[i] = m2[i] - m1[i];
      gsl_linalg_cholesky_svx(&Q.matrix, &cv.vector);
      for (size_t i = 0; i < d; i++) maha += (m2[i] - m1[i]) * col[i];
      for (size_t i = 0; i < d; i++) ld += 2 * (log(L2[i * d + i]) - log(L1[i * d + i]));
      kl = fmax(0.5 * (tr + maha - (double)d + ld), 0);
    }
    dlt_gsl_clear();
  }
  free(L1);
  free(L2);
  free(col);
  return kl;
}

/* lexicographic order of atoms, for merging duplicates */
static size_t sort_dim;
static int atom_cmp(const void *p, const void *q) {
  const double *x = p, *y = q;
  for (size_t j = 0; j < sort_dim; j++)
    if (x[j] != y[j]) return (x[j] > y[j]) - (x[j] < y[j]);
  return 0;
}

/* sort the atoms (with their weights carried in an extra last column), merge equal points, and
 * normalise the weights to sum 1; false with an error for negative or zero-sum weights */
static bool atoms_canon(Args *a, Atoms *at, int which, double **rows, size_t *nout) {
  size_t d = at->d, n = at->n;
  double *r = malloc((n ? n : 1) * (d + 1) * sizeof *r), tot = 0;
  if (!r) return oom(a, n, d + 1);
  for (size_t i = 0; i < n; i++) {
    memcpy(r + i * (d + 1), at->x + i * d, d * sizeof *r);
    r[i * (d + 1) + d] = at->w[i];
    if (!(at->w[i] >= 0)) {
      free(r);
      return arg_error(a, which, "needs a probability measure, but this one has a weight %s", CALC_NUM(at->w[i])), false;
    }
    tot += at->w[i];
  }
  if (!(tot > 0) || !isfinite(tot)) {
    free(r);
    return arg_error(a, which, "the weights must sum to a positive number, got %s", CALC_NUM(tot)), false;
  }
  sort_dim = d;
  qsort(r, n, (d + 1) * sizeof *r, atom_cmp);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (k > 0 && atom_cmp(r + (k - 1) * (d + 1), r + i * (d + 1)) == 0) r[(k - 1) * (d + 1) + d] += r[i * (d + 1) + d];
    else {
      memmove(r + k * (d + 1), r + i * (d + 1), (d + 1) * sizeof *r);
      k++;
    }
  }
  for (size_t i = 0; i < k; i++) r[i * (d + 1) + d] /= tot;
  *rows = r;
  *nout = k;
  return true;
}

static double atoms_kl(size_t d, const double *p, size_t np, const double *q, size_t nq) {
  double kl = 0;
  size_t j = 0;
  sort_dim = d;
  for (size_t i = 0; i < np; i++) {
    double pw = p[i * (d + 1) + d];
    if (pw == 0) continue;
    while (j < nq && atom_cmp(q + j * (d + 1), p + i * (d + 1)) < 0) j++;
    if (j == nq || atom_cmp(q + j * (d + 1), p + i * (d + 1)) != 0 || q[j * (d + 1) + d] == 0) return INFINITY;
    kl += pw * log(pw / q[j * (d + 1) + d]);
  }
  return fmax(kl, 0);
}

static bool same_dim(Args *a, const Measure *p, const Measure *q) {
  if (p->dim == q->dim) return true;
  return arg_error(a, 1, "the measures must live in the same dimension, got R^%zu and R^%zu", p->dim, q->dim), false;
}

static Value bi_kl(Args *a) {
  Measure *P, *Q;
  if (!arg_measure(a, 0, &P) || !arg_measure(a, 1, &Q) || !same_dim(a, P, Q)) return v_abrupt();
  size_t d = P->dim;
  if (is_normal(P) && is_normal(Q)) {
    double *buf = malloc((2 * d + 2 * d * d) * sizeof *buf);
    if (!buf) return dlt_error_oom(a->I, a->call, d, 2 * d + 2);
    double *m1 = buf, *m2 = buf + d, *S1 = buf + 2 * d, *S2 = S1 + d * d;
    bool ok = gauss_params(P, m1, S1) && gauss_params(Q, m2, S2);
    double kl = ok ? gauss_kl(d, m1, S1, m2, S2, &ok) : NAN;
    free(buf);
    return ok ? v_num(kl) : call_error(a, "out of memory");
  }
  Atoms ap, aq;
  int hp = atoms_get(a, P, &ap);
  if (hp < 0) return v_abrupt();
  int hq = hp ? atoms_get(a, Q, &aq) : 0;
  if (hq < 0) {
    atoms_free(&ap);
    return v_abrupt();
  }
  if (!hp || !hq) {
    if (hp) atoms_free(&ap);
    return call_error(a, "KL divergence is available between two normal measures (closed form) or two measures "
                         "with finitely many atoms, got %s and %s",
                      P->kind->name, Q->kind->name);
  }
  double *p = NULL, *q = NULL;
  size_t np, nq;
  bool ok = atoms_canon(a, &ap, 0, &p, &np) && atoms_canon(a, &aq, 1, &q, &nq);
  double kl = ok ? atoms_kl(d, p, np, q, nq) : 0;
  free(p);
  free(q);
  atoms_free(&ap);
  atoms_free(&aq);
  return ok ? v_num(kl) : v_abrupt();
}

/* ================================================================== Wasserstein distances */

/* W_p^p between two 1-D atom lists (sorted, merged, normalised rows x, w): the quantile functions
 * are step functions, so the integral over u in (0, 1) is a finite sum over the merged steps */
static double atoms_wp(const double *p, size_t np, const double *q, size_t nq, double pw) {
  double total = 0, cp = p[1], cq = q[1], u = 0;
  size_t i = 0, j = 0;
  while (i < np && j < nq) {
    double next = fmin(cp, cq), diff = fabs(p[2 * i] - q[2 * j]);
    if (next > u) total += (next - u) * (pw == 1 ? diff : pow(diff, pw));
    u = next;
    if (cp <= next && i + 1 < np) cp += p[2 * (++i) + 1];
    else if (cp <= next) i++;
    if (cq <= next && j + 1 < nq) cq += q[2 * (++j) + 1];
    else if (cq <= next) j++;
  }
  return total;
}

/* the quantile function of a 1-D measure: exact for atoms and normals, the table of a density(),
 * else bisection on the cdf */
typedef struct Quantile {
  const Measure *m;
  double *atoms; /* sorted rows (x, w), or NULL; (x, cumulative w) once integrating */
  size_t n;
  double lo, hi; /* bisection bracket */
} Quantile;

static double quantile_at(const Quantile *Qf, double u) {
  const Measure *m = Qf->m;
  if (Qf->atoms) { /* the first atom whose cumulative weight reaches u */
    size_t lo = 0, hi = Qf->n - 1;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (Qf->atoms[2 * mid + 1] >= u) hi = mid;
      else lo = mid + 1;
    }
    return Qf->atoms[2 * lo];
  }
  if (is_normal(m)) {
    double mean, var;
    m->kind->mean(m, &mean);
    m->kind->cov(m, &var);
    return mean + sqrt(var) * gsl_cdf_ugaussian_Pinv(u);
  }
  return cdf_bisect(m, u, Qf->lo, Qf->hi);
}

typedef struct WpQuad {
  Quantile q1, q2;
  double p;
} WpQuad;

static double wp_f(double u, void *p) {
  WpQuad *w = p;
  double d = fabs(quantile_at(&w->q1, u) - quantile_at(&w->q2, u));
  return w->p == 1 ? d : pow(d, w->p);
}

static bool quantile_init(Args *a, int which, Quantile *Qf, Atoms *at, double **rows) {
  Qf->m = as_measure(a->v[which]);
  Qf->atoms = NULL;
  *rows = NULL;
  int h = atoms_get(a, Qf->m, at);
  if (h < 0) return false;
  if (h) {
    bool ok = atoms_canon(a, at, which, rows, &Qf->n);
    atoms_free(at);
    Qf->atoms = *rows;
    return ok;
  }
  if (is_normal(Qf->m)) return true;
  const Measure *m = Qf->m;
  if (!m->kind->cdf || !m->kind->support || m->is_signed)
    return arg_error(a, which, "no quantile function for a %s measure (it needs a cdf)", m->kind->name), false;
  if (!cdf_bracket(m, 1e-300, &Qf->lo, &Qf->hi))
    return arg_error(a, which, "could not bracket the quantiles of this %s measure", m->kind->name), false;
  return true;
}

static Value bi_wasserstein(Args *a) {
  Measure *P, *Q;
  double p = 1;
  if (!arg_measure(a, 0, &P) || !arg_measure(a, 1, &Q) || !same_dim(a, P, Q)) return v_abrupt();
  if (a->n > 2) {
    if (!arg_num(a, 2, &p)) return v_abrupt();
    if (!(p >= 1 && isfinite(p))) return arg_error(a, 2, "p must be a finite number >= 1, got %s", CALC_NUM(p));
  }
  size_t d = P->dim;
  if (is_normal(P) && is_normal(Q) && (p == 2 || d > 1)) {
    if (p != 2)
      return arg_error(a, a->n > 2 ? 2 : 1, "between normal measures on R^%zu only p = 2 has a closed form, got p = %s",
                       d, CALC_NUM(p));
    double *buf = malloc((2 * d + 4 * d * d) * sizeof *buf);
    if (!buf) return dlt_error_oom(a->I, a->call, d, 2 * d + 4);
    double *m1 = buf, *m2 = buf + d, *S1 = buf + 2 * d, *S2 = S1 + d * d, *R = S2 + d * d, *M = R + d * d;
    bool ok = gauss_params(P, m1, S1) && gauss_params(Q, m2, S2) && sym_sqrt(S2, d, R);
    double w2 = 0;
    if (ok) {
      /* ‖m1 − m2‖² + tr S1 + tr S2 − 2 tr (R S1 R)^½ with R = S2^½ */
      for (size_t i = 0; i < d; i++) w2 += (m1[i] - m2[i]) * (m1[i] - m2[i]) + S1[i * d + i] + S2[i * d + i];
      for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
          double s = 0;
          for (size_t k = 0; k < d; k++)
            for (size_t l = 0; l < d; l++) s += R[i * d + k] * S1[k * d + l] * R[l * d + j];
          M[i * d + j] = s;
        }
      double *vals = malloc(d * sizeof *vals), *vecs = malloc(d * d * sizeof *vecs);
      ok = vals && vecs && sym_eigen(M, d, vals, vecs);
      for (size_t i = 0; ok && i < d; i++) w2 -= 2 * sqrt(fmax(vals[i], 0));
      free(vals);
      free(vecs);
    }
    free(buf);
    if (d == 1 && ok) { /* the 1-D form has no cancellation */
      double m1v, m2v, v1, v2;
      P->kind->mean(P, &m1v);
      Q->kind->mean(Q, &m2v);
      P->kind->cov(P, &v1);
      Q->kind->cov(Q, &v2);
      w2 = (m1v - m2v) * (m1v - m2v) + (sqrt(v1) - sqrt(v2)) * (sqrt(v1) - sqrt(v2));
    }
    return ok ? v_num(sqrt(fmax(w2, 0))) : call_error(a, "the eigen-decomposition of a covariance failed");
  }
  if (d != 1)
    return call_error(a, "Wasserstein distances are available in 1-D, or for p = 2 between normal measures; got "
                         "%s and %s measures on R^%zu",
                      P->kind->name, Q->kind->name, d);
  Quantile q1, q2;
  Atoms at;
  double *r1 = NULL, *r2 = NULL;
  if (!quantile_init(a, 0, &q1, &at, &r1) || !quantile_init(a, 1, &q2, &at, &r2)) {
    free(r1);
    free(r2);
    return v_abrupt();
  }
  double wpp, err = 0, mean;
  int st = GSL_SUCCESS;
  /* a measure whose mean does not exist (a Cauchy) is at infinite W_p distance, p >= 1, from all
   * others; the quadrature would return a large finite number */
  if ((P->kind->mean && !P->kind->mean(P, &mean)) || (Q->kind->mean && !Q->kind->mean(Q, &mean))) wpp = INFINITY;
  else if (q1.atoms && q2.atoms) wpp = atoms_wp(q1.atoms, q1.n, q2.atoms, q2.n, p);
  else {
    /* ∫_0^1 |F⁻¹(u) − G⁻¹(u)|^p du, with break points where a quantile function jumps */
    size_t nb = (q1.atoms ? q1.n : 0) + (q2.atoms ? q2.n : 0) + 2, k = 0;
    double *pts = malloc(nb * sizeof *pts);
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(QUAD_LIMIT + nb);
    if (!pts || !w) {
      free(pts);
      if (w) gsl_integration_workspace_free(w);
      free(r1);
      free(r2);
      dlt_gsl_clear();
      return dlt_error_oom(a->I, a->call, nb, 1);
    }
    pts[k++] = 0;
    Quantile *qs[2] = {&q1, &q2};
    for (int s = 0; s < 2; s++)
      if (qs[s]->atoms) {
        double c = 0;
        for (size_t i = 0; i < qs[s]->n; i++) {
          c += qs[s]->atoms[2 * i + 1];
          qs[s]->atoms[2 * i + 1] = c;
          if (c > 0 && c < 1 && i + 1 < qs[s]->n) pts[k++] = c;
        }
        qs[s]->atoms[2 * (qs[s]->n - 1) + 1] = 1;
      }
    qsort(pts + 1, k - 1, sizeof *pts, dbl_cmp);
    pts[k++] = 1;
    WpQuad wq = {q1, q2, p};
    gsl_function F = {wp_f, &wq};
    st = gsl_integration_qagp(&F, pts, k, 1e-13, 1e-10, QUAD_LIMIT + nb, w, &wpp, &err);
    gsl_integration_workspace_free(w);
    free(pts);
    dlt_gsl_clear();
  }
  free(r1);
  free(r2);
  if (isinf(wpp) && !st) return v_num(INFINITY);
  if (st || !isfinite(wpp))
    return call_error(a, "the quantile integral did not converge: %s (the p-th moments may not exist)",
                      st ? quad_reason(st) : "the integral is not finite");
  return v_num(p == 1 ? wpp : pow(fmax(wpp, 0), 1 / p));
}

static const Builtin measure_ops_builtins[] = {
  {"expect", bi_expect, 2, 2, "method n order seed abstol reltol info", "expect(mu, f, method=\"auto\", n=100000, order=, seed=, abstol=1e-13, reltol=1e-12, info=false)",
   "E f(x) for x ~ mu: exact over atoms, quadrature for 1-D densities and Gaussians up to R^3, else Monte Carlo; info=true gives {value, error, method, n, rule}", NULL},
  {"density", bi_density, 3, 3, "n", "density(f, a, b, n=4096)",
   "the probability measure with density f(x) / Z on [a, b] (f >= 0 unnormalised; Z = normalizer(mu)), sampled from a table of n cells", NULL},
  {"normalizer", bi_normalizer, 1, 1, NULL, "normalizer(mu)", "the normalising constant Z = ∫ f of a measure made by density(f, a, b)", NULL},
  {"kl", bi_kl, 2, 2, NULL, "kl(P, Q)", "the KL divergence KL(P ‖ Q): closed form between normal measures, exact between measures with finitely many atoms", NULL},
  {"wasserstein", bi_wasserstein, 2, 3, NULL, "wasserstein(P, Q, p=1)",
   "the Wasserstein-p distance: 1-D measures (exact for atoms, quantile quadrature otherwise), or W2 between normal measures in closed form", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_measure_ops = {"measure_ops", measure_ops_builtins};
