/* lib/random.c - random draws from the interpreter's mt19937 stream.
 *
 * `seed N` fixes the global stream; every draw also accepts seed= to use a private stream seeded
 * with that value (the global stream is then left untouched). Same seed, same numbers, always:
 * each builtin consumes the stream in a fixed, documented order (docs/library/random.md).
 *
 * Scalar distributions take the shape as (n=, m=1) like rand(): no size arguments give a number,
 * otherwise an n×m matrix filled row by row. Samplers of points in R^d (mvnormal, sphere, ball)
 * give the points as the ROWS of an n×d matrix, also for n = 1. Parameters are checked before
 * anything is drawn, so a failed call never advances the stream. The plain names (normal,
 * uniform, ...) are left for the measure objects; every draw here starts with rand.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "../builtin.h"
#include "../interp.h"
#include "../print.h"
#include "../strbuf.h"
#include "random.h"

gsl_rng *args_rng(Args *a) {
  double s;
  bool has_seed;
  if (!kw_num(a, "seed", &s, &has_seed)) return NULL;
  if (!has_seed) {
    Interp *I = a->I;
    if (I->rng_pending) {
      gsl_rng_set(I->rng, I->rng_pending_seed);
      I->rng_pending = false;
    }
    return I->rng;
  }
  if (!(s >= 0 && s <= 4294967295.0 && s == (double)(unsigned long)s)) {
    kw_error(a, "seed", "seed= must be an integer between 0 and 4294967295");
    return NULL;
  }
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng) {
    call_error(a, "out of memory");
    return NULL;
  }
  gsl_rng_set(rng, (unsigned long)s);
  return rng;
}

void args_rng_done(Args *a, gsl_rng *rng) {
  if (rng && rng != a->I->rng) gsl_rng_free(rng);
}

/* ------------------------------------------------------------------ checked parameters */
const char *param_cond_fails(ParamCond cond, double x) {
  if (!isfinite(x)) return "a finite number";
  switch (cond) {
  case PARAM_POSITIVE: return x > 0 ? NULL : "positive";
  case PARAM_NONNEG: return x >= 0 ? NULL : "non-negative";
  case PARAM_UNIT: return x >= 0 && x <= 1 ? NULL : "between 0 and 1";
  case PARAM_ANY: break;
  }
  return NULL;
}

/* positional parameter i, called `name` in messages */
static bool pos_param(Args *a, int i, const char *name, ParamCond cond, double *out) {
  if (!arg_num(a, i, out)) return false;
  const char *need = param_cond_fails(cond, *out);
  if (need) {
    arg_error(a, i, "%s must be %s, got %s", name, need, num_text(*out).s);
    return false;
  }
  return true;
}

/* keyword-only parameter name= (default dflt) */
static bool kw_param(Args *a, const char *name, double dflt, ParamCond cond, double *out) {
  bool present;
  *out = dflt;
  if (!kw_num(a, name, out, &present)) return false;
  const char *need = present ? param_cond_fails(cond, *out) : NULL;
  if (need) {
    kw_error(a, name, "%s= must be %s, got %s", name, need, num_text(*out).s);
    return false;
  }
  return true;
}

/* an integer parameter d >= lo */
static bool int_param(Args *a, int i, const char *name, size_t lo, size_t *out) {
  if (!arg_size(a, i, out)) return false;
  if (*out < lo) {
    arg_error(a, i, "%s must be at least %zu, got %zu", name, lo, *out);
    return false;
  }
  return true;
}

/* ------------------------------------------------------------------ scalar distributions */
typedef double (*Draw)(const gsl_rng *r, const double *p);

static double draw_uniform(const gsl_rng *r, const double *p) { (void)p; return gsl_rng_uniform(r); }
static double draw_normal(const gsl_rng *r, const double *p) { (void)p; return gsl_ran_gaussian_ziggurat(r, 1.0); }
static double draw_flat(const gsl_rng *r, const double *p) { return gsl_ran_flat(r, p[0], p[1]); }
static double draw_gauss(const gsl_rng *r, const double *p) { return p[0] + gsl_ran_gaussian_ziggurat(r, p[1]); }
static double draw_rademacher(const gsl_rng *r, const double *p) {
  (void)p;
  return gsl_rng_uniform_int(r, 2) ? 1 : -1;
}
static double draw_bernoulli(const gsl_rng *r, const double *p) { return gsl_ran_bernoulli(r, p[0]); }
static double draw_chisq(const gsl_rng *r, const double *p) { return gsl_ran_chisq(r, p[0]); }
static double draw_cauchy(const gsl_rng *r, const double *p) { return p[0] + gsl_ran_cauchy(r, p[1]); }
static double draw_exponential(const gsl_rng *r, const double *p) { return gsl_ran_exponential(r, 1 / p[0]); }
static double draw_laplace(const gsl_rng *r, const double *p) { return p[0] + gsl_ran_laplace(r, p[1]); }
static double draw_gamma(const gsl_rng *r, const double *p) { return gsl_ran_gamma(r, p[0], p[1]); }
static double draw_beta(const gsl_rng *r, const double *p) { return gsl_ran_beta(r, p[0], p[1]); }
static double draw_poisson(const gsl_rng *r, const double *p) { return gsl_ran_poisson(r, p[0]); }

/* A number (no size arguments) or an n×m matrix of draws; the size arguments start at `first`. */
static Value draws(Args *a, int first, Draw draw, const double *p) {
  size_t r = 0, c = 1;
  bool scalar = a->n <= first;
  if (!scalar && (!arg_size(a, first, &r) || (a->n > first + 1 && !arg_size(a, first + 1, &c)))) return v_abrupt();
  Mat *m = NULL;
  if (!scalar) {
    m = mat_alloc(r, c);
    if (!m) return dlt_error_oom(a->I, a->call, r, c);
  }
  gsl_rng *rng = args_rng(a);
  if (!rng) {
    if (m) val_release(v_obj(m));
    return v_abrupt();
  }
  Value result;
  if (scalar) {
    result = v_num(draw(rng, p));
  } else {
    for (size_t i = 0; i < r * c; i++) m->data[i] = draw(rng, p);
    result = v_obj(m);
  }
  args_rng_done(a, rng);
  return result;
}

static Value bi_rand(Args *a) { return draws(a, 0, draw_uniform, NULL); }
static Value bi_randn(Args *a) { return draws(a, 0, draw_normal, NULL); }

static Value bi_rand_uniform(Args *a) {
  double p[2];
  if (!kw_param(a, "lo", 0, PARAM_ANY, &p[0]) || !kw_param(a, "hi", 1, PARAM_ANY, &p[1])) return v_abrupt();
  if (p[0] > p[1])
    return kw_error(a, kw_get(a, "hi") ? "hi" : "lo", "lo= must not exceed hi=, got lo = %s and hi = %s",
                    num_text(p[0]).s, num_text(p[1]).s);
  return draws(a, 0, draw_flat, p);
}

static Value bi_rand_normal(Args *a) {
  double p[2];
  if (!kw_param(a, "mean", 0, PARAM_ANY, &p[0]) || !kw_param(a, "sd", 1, PARAM_NONNEG, &p[1])) return v_abrupt();
  return draws(a, 0, draw_gauss, p);
}

static Value bi_rand_rademacher(Args *a) { return draws(a, 0, draw_rademacher, NULL); }

static Value bi_rand_bernoulli(Args *a) {
  double p;
  if (!pos_param(a, 0, "p", PARAM_UNIT, &p)) return v_abrupt();
  return draws(a, 1, draw_bernoulli, &p);
}

static Value bi_rand_chisq(Args *a) {
  double k;
  if (!pos_param(a, 0, "k", PARAM_POSITIVE, &k)) return v_abrupt();
  return draws(a, 1, draw_chisq, &k);
}

static Value bi_rand_cauchy(Args *a) {
  double p[2];
  if (!kw_param(a, "loc", 0, PARAM_ANY, &p[0]) || !kw_param(a, "scale", 1, PARAM_POSITIVE, &p[1])) return v_abrupt();
  return draws(a, 0, draw_cauchy, p);
}

static Value bi_rand_exponential(Args *a) {
  double rate;
  if (!kw_param(a, "rate", 1, PARAM_POSITIVE, &rate)) return v_abrupt();
  return draws(a, 0, draw_exponential, &rate);
}

static Value bi_rand_laplace(Args *a) {
  double p[2];
  if (!kw_param(a, "loc", 0, PARAM_ANY, &p[0]) || !kw_param(a, "scale", 1, PARAM_POSITIVE, &p[1])) return v_abrupt();
  return draws(a, 0, draw_laplace, p);
}

static Value bi_rand_gamma(Args *a) {
  double p[2];
  if (!pos_param(a, 0, "shape", PARAM_POSITIVE, &p[0]) || !kw_param(a, "scale", 1, PARAM_POSITIVE, &p[1])) return v_abrupt();
  return draws(a, 1, draw_gamma, p);
}

static Value bi_rand_beta(Args *a) {
  double p[2];
  if (!pos_param(a, 0, "a", PARAM_POSITIVE, &p[0]) || !pos_param(a, 1, "b", PARAM_POSITIVE, &p[1])) return v_abrupt();
  return draws(a, 2, draw_beta, p);
}

/* GSL returns an unsigned int: 1e9 keeps every draw far below its range */
#define POISSON_MAX 1e9
static Value bi_rand_poisson(Args *a) {
  double lambda;
  if (!pos_param(a, 0, "lambda", PARAM_NONNEG, &lambda)) return v_abrupt();
  if (lambda > POISSON_MAX) return arg_error(a, 0, "lambda must be at most 1e9, got %s", num_text(lambda).s);
  return draws(a, 1, draw_poisson, &lambda);
}

/* ------------------------------------------------------------------ discrete structures */
/* the numeric vector argument i (n×1 or 1×n), or false after an error */
static bool vector_arg(Args *a, int i, const char *name, Value *out) {
  if (!arg_mat(a, i, out)) return false;
  Mat *x = AS_MAT(*out);
  if (mat_is_vector(x) || mat_numel(x) == 0) return true;
  arg_error(a, i, "%s must be a vector, got a %zu×%zu matrix", name, mat_rows(x), mat_cols(x));
  val_release(*out);
  return false;
}

static Value bi_rand_categorical(Args *a) {
  Value wv;
  if (!vector_arg(a, 0, "weights", &wv)) return v_abrupt();
  Mat *w = AS_MAT(wv);
  size_t k = mat_numel(w), n = 1;
  double total = 0;
  Value result = v_abrupt();
  for (size_t i = 0; i < k; i++) {
    if (!(w->data[i] >= 0 && isfinite(w->data[i]))) {
      arg_error(a, 0, "weights must be non-negative and finite, got %s at position %zu", num_text(w->data[i]).s, i + 1);
      goto done;
    }
    total += w->data[i];
  }
  if (!(total > 0 && isfinite(total))) {
    arg_error(a, 0, "weights must have a positive, finite sum, got %s", num_text(total).s);
    goto done;
  }
  bool scalar = a->n < 2;
  if (!scalar && !arg_size(a, 1, &n)) goto done;
  Mat *m = scalar ? NULL : mat_alloc(n, 1);
  if (!scalar && !m) {
    result = dlt_error_oom(a->I, a->call, n, 1);
    goto done;
  }
  gsl_ran_discrete_t *table = gsl_ran_discrete_preproc(k, w->data);
  gsl_rng *rng = table ? args_rng(a) : NULL;
  if (!table || !rng) {
    if (!table) call_error(a, "out of memory");
    if (m) val_release(v_obj(m));
    if (table) gsl_ran_discrete_free(table);
    goto done;
  }
  if (scalar) {
    result = v_num((double)gsl_ran_discrete(rng, table) + 1);
  } else {
    for (size_t i = 0; i < n; i++) m->data[i] = (double)gsl_ran_discrete(rng, table) + 1;
    result = v_obj(m);
  }
  args_rng_done(a, rng);
  gsl_ran_discrete_free(table);
done:
  val_release(wv);
  return result;
}

/* 1..n as an n×1 column, or NULL */
static Mat *one_to_n(size_t n) {
  Mat *m = mat_alloc(n, 1);
  if (m)
    for (size_t i = 0; i < n; i++) m->data[i] = (double)(i + 1);
  return m;
}

static Value bi_randperm(Args *a) {
  size_t n;
  if (!arg_size(a, 0, &n)) return v_abrupt();
  Mat *m = one_to_n(n);
  if (!m) return dlt_error_oom(a->I, a->call, n, 1);
  gsl_rng *rng = args_rng(a);
  if (!rng) {
    val_release(v_obj(m));
    return v_abrupt();
  }
  if (n > 1) gsl_ran_shuffle(rng, m->data, n, sizeof(double)); /* GSL's loop needs n >= 1 */
  args_rng_done(a, rng);
  return v_obj(m);
}

static Value bi_rand_subset(Args *a) {
  size_t n, k;
  if (!arg_size(a, 0, &n) || !arg_size(a, 1, &k)) return v_abrupt();
  if (k > n) return arg_error(a, 1, "k must not exceed n, got k = %zu and n = %zu", k, n);
  Mat *src = one_to_n(n);
  if (!src) return dlt_error_oom(a->I, a->call, n, 1);
  Mat *out = mat_alloc(k, 1);
  gsl_rng *rng = out ? args_rng(a) : NULL;
  if (!out || !rng) {
    val_release(v_obj(src));
    if (out) val_release(v_obj(out));
    return out ? v_abrupt() : dlt_error_oom(a->I, a->call, k, 1);
  }
  /* gsl_ran_choose keeps the order of the source, so the subset comes out ascending */
  if (k > 0) gsl_ran_choose(rng, out->data, k, src->data, n, sizeof(double));
  args_rng_done(a, rng);
  val_release(v_obj(src));
  return v_obj(out);
}

/* ------------------------------------------------------------------ points in R^d (rows) */
/* n points: the optional size argument at position i (default 1) */
static bool npoints(Args *a, int i, size_t *n) {
  *n = 1;
  return a->n <= i || arg_size(a, i, n);
}

/* uniform on the sphere S^{d-1} (ball = false) or in the unit ball: a direction from gsl_ran_dir_nd
 * (normalised Gaussians), then for the ball the radius U^(1/d), whose distribution P(|x| <= t) = t^d
 * is that of the volume. */
static Value sphere_or_ball(Args *a, bool ball) {
  size_t d, n;
  if (!int_param(a, 0, "d", 1, &d) || !npoints(a, 1, &n)) return v_abrupt();
  Mat *m = mat_alloc(n, d);
  if (!m) return dlt_error_oom(a->I, a->call, n, d);
  gsl_rng *rng = args_rng(a);
  if (!rng) {
    val_release(v_obj(m));
    return v_abrupt();
  }
  for (size_t i = 0; i < n; i++) {
    double *x = m->data + i * d;
    gsl_ran_dir_nd(rng, d, x);
    if (ball) {
      double r = pow(gsl_rng_uniform(rng), 1.0 / (double)d);
      for (size_t j = 0; j < d; j++) x[j] *= r;
    }
  }
  args_rng_done(a, rng);
  return v_obj(m);
}

static Value bi_rand_sphere(Args *a) { return sphere_or_ball(a, false); }
static Value bi_rand_ball(Args *a) { return sphere_or_ball(a, true); }

/* A factor F with F F' = cov: the Cholesky factor when cov is positive definite, else (positive
 * semi-definite) V diag(sqrt(max(λ, 0))) from the eigendecomposition. Eigenvalues down to
 * -1e-10 max|λ| count as rounding of 0. Returns false after raising an error. */
static bool cov_factor(Args *a, const Mat *cov, gsl_matrix *F) {
  size_t d = mat_rows(cov);
  for (size_t i = 0; i < d; i++)
    for (size_t j = 0; j < d; j++) gsl_matrix_set(F, i, j, i >= j ? cov->data[i * d + j] : 0);
  int status = gsl_linalg_cholesky_decomp1(F);
  if (status == GSL_SUCCESS) {
    for (size_t i = 0; i < d; i++)
      for (size_t j = i + 1; j < d; j++) gsl_matrix_set(F, i, j, 0); /* decomp1 leaves L' above */
    return true;
  }
  dlt_gsl_clear(); /* not positive definite: handled below */
  gsl_matrix *A = gsl_matrix_alloc(d, d), *V = gsl_matrix_alloc(d, d);
  gsl_vector *lambda = gsl_vector_alloc(d);
  gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(d);
  bool ok = false;
  if (!A || !V || !lambda || !w) {
    call_error(a, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < d; i++)
    for (size_t j = 0; j < d; j++) gsl_matrix_set(A, i, j, cov->data[i * d + j]);
  status = gsl_eigen_symmv(A, lambda, V, w);
  if (status) {
    dlt_error_gsl(a->I, a->call, "rand_mvnormal: eigendecomposition of cov", status);
    goto done;
  }
  double lo = gsl_vector_min(lambda), hi = fmax(fabs(lo), fabs(gsl_vector_max(lambda)));
  if (lo < -1e-10 * hi) {
    arg_error(a, 1, "cov must be positive semi-definite, but its smallest eigenvalue is %s", num_text(lo).s);
    goto done;
  }
  for (size_t j = 0; j < d; j++) {
    double s = sqrt(fmax(gsl_vector_get(lambda, j), 0));
    for (size_t i = 0; i < d; i++) gsl_matrix_set(F, i, j, gsl_matrix_get(V, i, j) * s);
  }
  ok = true;
done:
  if (A) gsl_matrix_free(A);
  if (V) gsl_matrix_free(V);
  if (lambda) gsl_vector_free(lambda);
  if (w) gsl_eigen_symmv_free(w);
  return ok;
}

bool cov_acceptable(const Mat *cov, size_t d, char *why, size_t len) {
  if (mat_rows(cov) != d || mat_cols(cov) != d) {
    snprintf(why, len, "cov must be %zu×%zu to match the mean of length %zu, got %zu×%zu", d, d, d, mat_rows(cov),
             mat_cols(cov));
    return false;
  }
  double big = 0;
  for (size_t i = 0; i < d * d; i++) {
    if (!isfinite(cov->data[i])) {
      snprintf(why, len, "cov must be finite, got %s at [%zu, %zu]", num_text(cov->data[i]).s, i / d + 1, i % d + 1);
      return false;
    }
    big = fmax(big, fabs(cov->data[i]));
  }
  for (size_t i = 0; i < d; i++)
    for (size_t j = 0; j < i; j++) {
      double x = cov->data[i * d + j], y = cov->data[j * d + i];
      if (fabs(x - y) > 1e-12 * big) {
        snprintf(why, len, "cov must be symmetric, but cov[%zu, %zu] = %s and cov[%zu, %zu] = %s", i + 1, j + 1,
                 num_text(x).s, j + 1, i + 1, num_text(y).s);
        return false;
      }
    }
  return true;
}

/* mean must be finite; cov as cov_acceptable */
static bool check_cov(Args *a, const Mat *mean, const Mat *cov) {
  size_t d = mat_numel(mean);
  for (size_t i = 0; i < d; i++)
    if (!isfinite(mean->data[i])) {
      arg_error(a, 0, "mean must be finite, got %s at position %zu", num_text(mean->data[i]).s, i + 1);
      return false;
    }
  char why[256];
  if (!cov_acceptable(cov, d, why, sizeof why)) {
    arg_error(a, 1, "%s", why);
    return false;
  }
  return true;
}

/* Row i is mean + F z_i with z_i the next d standard normals (ziggurat) of the stream. The product
 * is a plain loop, not BLAS, so the draws do not depend on the BLAS library. */
static Value bi_rand_mvnormal(Args *a) {
  Value mv, cv;
  size_t n;
  if (!npoints(a, 2, &n) || !vector_arg(a, 0, "mean", &mv)) return v_abrupt();
  if (!arg_mat(a, 1, &cv)) {
    val_release(mv);
    return v_abrupt();
  }
  Mat *mean = AS_MAT(mv), *cov = AS_MAT(cv);
  size_t d = mat_numel(mean);
  Value result = v_abrupt();
  gsl_matrix *F = NULL;
  double *z = NULL;
  Mat *out = NULL;
  if (!check_cov(a, mean, cov)) goto done;
  out = mat_alloc(n, d);
  if (!out) {
    result = dlt_error_oom(a->I, a->call, n, d);
    goto done;
  }
  if (d > 0) {
    F = gsl_matrix_alloc(d, d);
    z = malloc(d * sizeof *z);
    if (!F || !z) {
      result = dlt_error_oom(a->I, a->call, d, d);
      goto done;
    }
    if (!cov_factor(a, cov, F)) goto done;
  }
  gsl_rng *rng = args_rng(a);
  if (!rng) goto done;
  for (size_t i = 0; i < n && d > 0; i++) {
    for (size_t k = 0; k < d; k++) z[k] = gsl_ran_gaussian_ziggurat(rng, 1.0);
    for (size_t j = 0; j < d; j++) {
      double s = mean->data[j];
      for (size_t k = 0; k < d; k++) s += gsl_matrix_get(F, j, k) * z[k];
      out->data[i * d + j] = s;
    }
  }
  args_rng_done(a, rng);
  result = v_obj(out);
  out = NULL;
done:
  if (out) val_release(v_obj(out));
  if (F) gsl_matrix_free(F);
  free(z);
  val_release(mv);
  val_release(cv);
  return result;
}

static const Builtin random_builtins[] = {
  {"rand", bi_rand, 0, 2, "seed", "rand(n=, m=1, seed=)", "uniform draws on [0, 1): a number, or an n×m matrix", NULL},
  {"randn", bi_randn, 0, 2, "seed", "randn(n=, m=1, seed=)", "standard normal draws: a number, or an n×m matrix", NULL},
  {"rand_uniform", bi_rand_uniform, 0, 2, "lo hi seed", "rand_uniform(n=, m=1, lo=0, hi=1, seed=)", "uniform draws on [lo, hi): a number, or an n×m matrix", NULL},
  {"rand_normal", bi_rand_normal, 0, 2, "mean sd seed", "rand_normal(n=, m=1, mean=0, sd=1, seed=)", "normal draws with mean and standard deviation sd: a number, or an n×m matrix", NULL},
  {"rand_mvnormal", bi_rand_mvnormal, 2, 3, "seed", "rand_mvnormal(mean, cov, n=1, seed=)", "n draws from the multivariate normal N(mean, cov) as the rows of an n×d matrix", NULL},
  {"rand_rademacher", bi_rand_rademacher, 0, 2, "seed", "rand_rademacher(n=, m=1, seed=)", "random signs -1 or 1 with probability 1/2 each: a number, or an n×m matrix", NULL},
  {"rand_bernoulli", bi_rand_bernoulli, 1, 3, "seed", "rand_bernoulli(p, n=, m=1, seed=)", "1 with probability p, else 0: a number, or an n×m matrix", NULL},
  {"rand_categorical", bi_rand_categorical, 1, 2, "seed", "rand_categorical(weights, n=, seed=)", "index i in 1..len(weights) with probability proportional to weights[i]: a number, or an n×1 vector", NULL},
  {"rand_chisq", bi_rand_chisq, 1, 3, "seed", "rand_chisq(k, n=, m=1, seed=)", "chi-square draws with k degrees of freedom: a number, or an n×m matrix", NULL},
  {"rand_cauchy", bi_rand_cauchy, 0, 2, "loc scale seed", "rand_cauchy(n=, m=1, loc=0, scale=1, seed=)", "Cauchy draws with location loc and scale: a number, or an n×m matrix", NULL},
  {"rand_exponential", bi_rand_exponential, 0, 2, "rate seed", "rand_exponential(n=, m=1, rate=1, seed=)", "exponential draws with density rate e^(-rate x) (mean 1/rate): a number, or an n×m matrix", NULL},
  {"rand_laplace", bi_rand_laplace, 0, 2, "loc scale seed", "rand_laplace(n=, m=1, loc=0, scale=1, seed=)", "Laplace draws with density e^(-|x - loc|/scale) / (2 scale): a number, or an n×m matrix", NULL},
  {"rand_gamma", bi_rand_gamma, 1, 3, "scale seed", "rand_gamma(shape, n=, m=1, scale=1, seed=)", "gamma draws with the given shape and scale (mean shape scale): a number, or an n×m matrix", NULL},
  {"rand_beta", bi_rand_beta, 2, 4, "seed", "rand_beta(a, b, n=, m=1, seed=)", "beta(a, b) draws on [0, 1]: a number, or an n×m matrix", NULL},
  {"rand_poisson", bi_rand_poisson, 1, 3, "seed", "rand_poisson(lambda, n=, m=1, seed=)", "Poisson draws with mean lambda: a number, or an n×m matrix", NULL},
  {"rand_sphere", bi_rand_sphere, 1, 2, "seed", "rand_sphere(d, n=1, seed=)", "n points uniform on the unit sphere in R^d, as the rows of an n×d matrix", NULL},
  {"rand_ball", bi_rand_ball, 1, 2, "seed", "rand_ball(d, n=1, seed=)", "n points uniform in the unit ball of R^d, as the rows of an n×d matrix", NULL},
  {"randperm", bi_randperm, 1, 1, "seed", "randperm(n, seed=)", "a random permutation of 1..n as an n×1 column", NULL},
  {"rand_subset", bi_rand_subset, 2, 2, "seed", "rand_subset(n, k, seed=)", "k distinct indices from 1..n chosen uniformly, ascending, as a k×1 column", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_random = {"random", random_builtins};
