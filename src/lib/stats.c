/* lib/stats.c - descriptive statistics, moments, histograms and fitting.
 *
 * Conventions (docs/library/statistics.md): var/sd/sem/cov use the sample (n - 1) divisor,
 * var_pop/sd_pop the population one; moments, skewness, kurtosis and cumulants are the plain
 * (1/n) "population" estimators, so skewness is g1 = m3/m2^(3/2). A nan in the data propagates
 * to the result. Reductions take axis= like sum and mean: axis=1 reduces each column (1×cols),
 * axis=2 each row (rows×1), no axis all entries.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_histogram.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_poly.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "../arith.h"
#include "../builtin.h"
#include "stats.h"
#include "../interp.h"
#include "../print.h"
#include "../strbuf.h"

/* ------------------------------------------------------------------ one line of data
 * A "line" is n values p[0], p[s], p[2s], ...: all entries, one column or one row. `work` has
 * room for n doubles (for the order statistics, which sort a copy). */
typedef double (*LineFn)(const double *p, size_t s, size_t n, double k, double *work);

static bool has_nan(const double *p, size_t s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (isnan(p[i * s])) return true;
  return false;
}

/* the line copied and sorted into work, or false when it holds a nan (order is then undefined) */
static bool sorted_copy(const double *p, size_t s, size_t n, double *work) {
  if (has_nan(p, s, n)) return false;
  for (size_t i = 0; i < n; i++) work[i] = p[i * s];
  gsl_sort(work, 1, n);
  return true;
}

/* (1/n) Σ (x - c)^k */
static double power_mean(const double *p, size_t s, size_t n, double c, int k) {
  double t = 0;
  for (size_t i = 0; i < n; i++) t += gsl_pow_int(p[i * s] - c, k);
  return t / (double)n;
}

static double central(const double *p, size_t s, size_t n, int k) {
  return power_mean(p, s, n, gsl_stats_mean(p, s, n), k);
}

static double l_var(const double *p, size_t s, size_t n, double k, double *w) {
  (void)k, (void)w;
  return gsl_stats_variance(p, s, n);
}
static double l_sd(const double *p, size_t s, size_t n, double k, double *w) {
  (void)k, (void)w;
  return gsl_stats_sd(p, s, n);
}
static double l_var_pop(const double *p, size_t s, size_t n, double k, double *w) {
  (void)k, (void)w;
  return gsl_stats_tss(p, s, n) / (double)n;
}
static double l_sd_pop(const double *p, size_t s, size_t n, double k, double *w) {
  return sqrt(l_var_pop(p, s, n, k, w));
}
static double l_sem(const double *p, size_t s, size_t n, double k, double *w) {
  (void)k, (void)w;
  return gsl_stats_sd(p, s, n) / sqrt((double)n);
}
static double l_quantile(const double *p, size_t s, size_t n, double q, double *w) {
  if (!sorted_copy(p, s, n, w)) return NAN;
  return gsl_stats_quantile_from_sorted_data(w, 1, n, q); /* type 7: (n-1)q interpolated */
}
static double l_median(const double *p, size_t s, size_t n, double k, double *w) {
  (void)k;
  if (!sorted_copy(p, s, n, w)) return NAN;
  return gsl_stats_median_from_sorted_data(w, 1, n);
}
static double l_moment(const double *p, size_t s, size_t n, double k, double *w) {
  (void)w;
  return power_mean(p, s, n, 0, (int)k);
}
static double l_cmoment(const double *p, size_t s, size_t n, double k, double *w) {
  (void)w;
  return central(p, s, n, (int)k);
}
static double l_skewness(const double *p, size_t s, size_t n, double k, double *w) {
  (void)k, (void)w;
  double m2 = central(p, s, n, 2);
  return central(p, s, n, 3) / pow(m2, 1.5);
}
static double l_kurt_pearson(const double *p, size_t s, size_t n, double k, double *w) {
  (void)k, (void)w;
  double m2 = central(p, s, n, 2);
  return central(p, s, n, 4) / (m2 * m2);
}
static double l_kurt_excess(const double *p, size_t s, size_t n, double k, double *w) {
  return l_kurt_pearson(p, s, n, k, w) - 3;
}

/* the numeric argument i as a vector (n×1 or 1×n, ranges and lists too), named `what` */
static bool arg_vector(Args *a, int i, const char *what, Value *out) {
  if (!arg_mat(a, i, out)) return false;
  Mat *x = AS_MAT(*out);
  if (mat_is_vector(x) || mat_numel(x) == 0) return true;
  arg_error(a, i, "%s must be a vector, got a %zu×%zu matrix", what, mat_rows(x), mat_cols(x));
  val_release(*out);
  return false;
}

static const char *plural(size_t n) { return n == 1 ? "" : "s"; }

static Value too_few(Args *a, size_t need, const Mat *x, int axis) {
  if (axis == 0)
    return arg_error(a, 0, "needs at least %zu value%s, got %zu", need, plural(need), mat_numel(x));
  return arg_error(a, 0, "needs at least %zu value%s along axis=%d, got a %zu×%zu matrix", need, plural(need), axis,
                   mat_rows(x), mat_cols(x));
}

/* f over every entry (a number) or along axis= (one value per column or row). Each line needs
 * at least min_n values. The parameters qs[0..nq-1] (quantile's p) each give one result per
 * line: no axis -> a number (nq == 1) or an nq×1 column; axis=1 -> nq×cols; axis=2 -> rows×nq. */
static Value reduce_q(Args *a, LineFn f, size_t min_n, const double *qs, size_t nq, bool q_is_vector) {
  int axis;
  if (!kw_axis(a, &axis)) return v_abrupt();
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  Mat *x = AS_MAT(m);
  size_t R = mat_rows(x), C = mat_cols(x);
  size_t lines = axis == 0 ? 1 : axis == 1 ? C : R;
  size_t len = axis == 0 ? R * C : axis == 1 ? R : C, stride = axis == 1 ? C : 1;
  if (len < min_n && lines > 0) {
    Value e = too_few(a, min_n, x, axis);
    val_release(m);
    return e;
  }
  size_t outr = axis == 0 ? nq : axis == 1 ? nq : R, outc = axis == 0 ? 1 : axis == 1 ? C : nq;
  Mat *out = mat_alloc(outr, outc);
  double *work = malloc((len ? len : 1) * sizeof(double));
  if (!out || !work) {
    free(work);
    if (out) val_release(v_obj(out));
    val_release(m);
    return dlt_error_oom(a->I, a->call, outr, outc);
  }
  for (size_t l = 0; l < lines; l++) {
    const double *p = axis == 1 ? x->data + l : x->data + l * len;
    for (size_t q = 0; q < nq; q++) {
      double r = f(p, stride, len, qs[q], work);
      if (axis == 2) out->data[l * nq + q] = r;
      else out->data[q * outc + l] = r;
    }
  }
  free(work);
  val_release(m);
  if (axis == 0 && !q_is_vector) {
    double r = out->data[0];
    val_release(v_obj(out));
    return v_num(r);
  }
  return v_obj(out);
}

static Value reduce1(Args *a, LineFn f, size_t min_n, double k) { return reduce_q(a, f, min_n, &k, 1, false); }

static Value bi_var(Args *a) { return reduce1(a, l_var, 2, 0); }
static Value bi_sd(Args *a) { return reduce1(a, l_sd, 2, 0); }
static Value bi_var_pop(Args *a) { return reduce1(a, l_var_pop, 1, 0); }
static Value bi_sd_pop(Args *a) { return reduce1(a, l_sd_pop, 1, 0); }
static Value bi_sem(Args *a) { return reduce1(a, l_sem, 2, 0); }
static Value bi_median(Args *a) { return reduce1(a, l_median, 1, 0); }
static Value bi_skewness(Args *a) { return reduce1(a, l_skewness, 1, 0); }
static Value bi_kurtosis_pearson(Args *a) { return reduce1(a, l_kurt_pearson, 1, 0); }
static Value bi_kurtosis_excess(Args *a) { return reduce1(a, l_kurt_excess, 1, 0); }

/* the order k of a moment: a non-negative integer */
static bool moment_order(Args *a, int i, long lo, long *k) {
  if (!arg_int(a, i, k)) return false;
  if (*k < lo || *k > 1000) {
    arg_error(a, i, "k must be an integer from %ld to 1000, got %ld", lo, *k);
    return false;
  }
  return true;
}

static Value bi_moment(Args *a) {
  long k;
  if (!moment_order(a, 1, 0, &k)) return v_abrupt();
  return reduce1(a, l_moment, 1, (double)k);
}

static Value bi_cmoment(Args *a) {
  long k;
  if (!moment_order(a, 1, 0, &k)) return v_abrupt();
  return reduce1(a, l_cmoment, 1, (double)k);
}

static Value bi_quantile(Args *a) {
  Value pv;
  if (!arg_mat(a, 1, &pv)) return v_abrupt();
  Mat *p = AS_MAT(pv);
  for (size_t i = 0; i < mat_numel(p); i++)
    if (!(p->data[i] >= 0 && p->data[i] <= 1)) {
      Value e = arg_error(a, 1, "p must be between 0 and 1, got %s", num_text(p->data[i]).s);
      val_release(pv);
      return e;
    }
  bool vector_p = !IS_NUM(a->v[1]) && !IS_BOOL(a->v[1]);
  Value r = reduce_q(a, l_quantile, 1, p->data, mat_numel(p), vector_p);
  val_release(pv);
  return r;
}

/* κ1..κk from the central moments μ_j (1/n): κ1 = mean, κ2 = μ2, and for j >= 3 the moment-cumulant
 * recursion κ_j = μ_j - Σ_{i=2}^{j-2} C(j-1, i-1) κ_i μ_{j-i} (the terms with μ1 = 0 drop out),
 * which gives κ3 = μ3, κ4 = μ4 - 3μ2², κ5 = μ5 - 10μ3μ2, κ6 = μ6 - 15μ4μ2 - 10μ3² + 30μ2³. */
static Value bi_cumulants(Args *a) {
  long k = 4;
  if (a->n > 1 && !moment_order(a, 1, 1, &k)) return v_abrupt();
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  Mat *x = AS_MAT(m);
  size_t n = mat_numel(x);
  if (n == 0) {
    Value e = too_few(a, 1, x, 0);
    val_release(m);
    return e;
  }
  Mat *out = mat_alloc((size_t)k, 1);
  double *mu = malloc(((size_t)k + 1) * sizeof(double));
  if (!out || !mu) {
    free(mu);
    if (out) val_release(v_obj(out));
    val_release(m);
    return dlt_error_oom(a->I, a->call, (size_t)k, 1);
  }
  double mean = gsl_stats_mean(x->data, 1, n), *kap = out->data;
  for (long j = 1; j <= k; j++) mu[j] = j == 1 ? 0 : power_mean(x->data, 1, n, mean, (int)j);
  kap[0] = mean;
  for (long j = 2; j <= k; j++) {
    double t = mu[j];
    for (long i = 2; i <= j - 2; i++) t -= gsl_sf_choose((unsigned)(j - 1), (unsigned)(i - 1)) * kap[i - 1] * mu[j - i];
    kap[j - 1] = t;
  }
  free(mu);
  val_release(m);
  return v_obj(out);
}

/* ------------------------------------------------------------------ covariance and correlation */

/* two vectors of equal length, as x and y; false after an error */
static bool xy_pair(Args *a, Value *x, Value *y) {
  if (!arg_vector(a, 0, "x", x)) return false;
  if (!arg_vector(a, 1, "y", y)) {
    val_release(*x);
    return false;
  }
  size_t nx = mat_numel(AS_MAT(*x)), ny = mat_numel(AS_MAT(*y));
  if (nx == ny) return true;
  call_error(a, "x has %zu value%s but y has %zu", nx, plural(nx), ny);
  val_release(*x);
  val_release(*y);
  return false;
}

/* The d×d sample covariance (or correlation) of the columns of the n×d matrix x: the centred
 * data Xc gives C = Xc'Xc / (n - 1) through one BLAS rank-k update. */
static Mat *cov_matrix(const Mat *x, bool corr) {
  size_t n = mat_rows(x), d = mat_cols(x);
  Mat *xc = mat_alloc(n, d), *c = mat_alloc_zero(d, d);
  if (!xc || !c) {
    if (xc) val_release(v_obj(xc));
    if (c) val_release(v_obj(c));
    return NULL;
  }
  for (size_t j = 0; j < d; j++) {
    double mu = gsl_stats_mean(x->data + j, d, n);
    for (size_t i = 0; i < n; i++) xc->data[i * d + j] = x->data[i * d + j] - mu;
  }
  gsl_blas_dsyrk(CblasUpper, CblasTrans, 1.0 / (double)(n - 1), &xc->m, 0.0, &c->m);
  val_release(v_obj(xc));
  for (size_t i = 0; i < d; i++)
    for (size_t j = 0; j < i; j++) c->data[i * d + j] = c->data[j * d + i];
  if (corr) {
    double *sd = malloc((d ? d : 1) * sizeof(double));
    if (!sd) {
      val_release(v_obj(c));
      return NULL;
    }
    for (size_t i = 0; i < d; i++) sd[i] = sqrt(c->data[i * d + i]);
    for (size_t i = 0; i < d; i++)
      for (size_t j = 0; j < d; j++)
        c->data[i * d + j] = i == j && sd[i] > 0 ? 1 : c->data[i * d + j] / (sd[i] * sd[j]);
    free(sd);
  }
  return c;
}

static Value cov_corr(Args *a, bool corr) {
  if (a->n == 2) {
    Value x, y;
    if (!xy_pair(a, &x, &y)) return v_abrupt();
    size_t n = mat_numel(AS_MAT(x));
    Value r = n < 2 ? call_error(a, "needs at least 2 pairs of values, got %zu", n)
                    : v_num(corr ? gsl_stats_correlation(AS_MAT(x)->data, 1, AS_MAT(y)->data, 1, n)
                                 : gsl_stats_covariance(AS_MAT(x)->data, 1, AS_MAT(y)->data, 1, n));
    val_release(x);
    val_release(y);
    return r;
  }
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  Mat *x = AS_MAT(m);
  Value v = m;
  bool vector = mat_rows(x) == 1 && mat_cols(x) > 1;
  if (vector) { /* a row vector is one variable, not one observation */
    Mat *t = mat_alloc(mat_cols(x), 1);
    if (!t) {
      Value e = dlt_error_oom(a->I, a->call, mat_cols(x), 1); /* before x goes with m */
      val_release(m);
      return e;
    }
    memcpy(t->data, x->data, mat_cols(x) * sizeof(double));
    v = v_obj(t);
    val_release(m);
    x = t;
  }
  if (mat_rows(x) < 2) {
    Value e = arg_error(a, 0, "needs at least 2 observations (rows), got a %zu×%zu matrix", mat_rows(x), mat_cols(x));
    val_release(v);
    return e;
  }
  size_t d = mat_cols(x);
  Mat *c = cov_matrix(x, corr);
  val_release(v);
  if (!c) return dlt_error_oom(a->I, a->call, d, d);
  if (d == 1) {
    double r = c->data[0];
    val_release(v_obj(c));
    return v_num(r);
  }
  return v_obj(c);
}

static Value bi_cov(Args *a) { return cov_corr(a, false); }
static Value bi_corr(Args *a) { return cov_corr(a, true); }

/* ------------------------------------------------------------------ histograms */

/* The bin edges: from bins= as a vector of increasing edges, or as a count over range= (default:
 * the data's [min, max], widened by 0.5 each way when they are equal, as NumPy does). */
static Value hist_edges(Args *a, const Mat *x, Mat **edges) {
  *edges = NULL;
  const Value *bv = a->n > 1 ? &a->v[1] : NULL;
  if (bv && IS_MAT(*bv) && mat_numel(AS_MAT(*bv)) > 1) {
    const Mat *e = AS_MAT(*bv);
    size_t k = mat_numel(e);
    for (size_t i = 1; i < k; i++)
      if (!(e->data[i] > e->data[i - 1]) || !isfinite(e->data[i]) || !isfinite(e->data[i - 1]))
        return arg_error(a, 1, "the bin edges must be finite and increasing, but edge %zu is %s after %s", i + 1,
                         num_text(e->data[i]).s, num_text(e->data[i - 1]).s);
    *edges = mat_alloc(k, 1);
    if (!*edges) return dlt_error_oom(a->I, a->call, k, 1);
    memcpy((*edges)->data, e->data, k * sizeof(double));
    return v_nil();
  }
  size_t bins = 10;
  if (bv) {
    if (!arg_size(a, 1, &bins)) return v_abrupt();
    if (bins == 0) return arg_error(a, 1, "bins must be positive, got 0");
    if (bins > 10000000) return arg_error(a, 1, "bins must be at most 10000000, got %zu", bins);
  }
  double lo, hi;
  const Value *rv = kw_get(a, "range");
  if (rv) {
    Value rm = IS_MAT(*rv) || IS_LIST(*rv) || IS_RANGE(*rv) ? val_as_mat(a->I, *rv, a->call, "range=") : v_nil();
    if (IS_ABRUPT(rm)) return rm;
    if (!IS_MAT(rm) || mat_numel(AS_MAT(rm)) != 2) {
      val_release(rm);
      return kw_error(a, "range", "range= must be [lo, hi], two numbers");
    }
    lo = AS_MAT(rm)->data[0];
    hi = AS_MAT(rm)->data[1];
    val_release(rm);
    if (!(lo < hi) || !isfinite(lo) || !isfinite(hi))
      return kw_error(a, "range", "range= must have finite lo < hi, got [%s, %s]", num_text(lo).s, num_text(hi).s);
  } else {
    size_t n = mat_numel(x);
    for (size_t i = 0; i < n; i++)
      if (!isfinite(x->data[i]))
        return arg_error(a, 0, "entry %zu is %s; give range= to count only the values inside it", i + 1,
                         num_text(x->data[i]).s);
    lo = n ? gsl_stats_min(x->data, 1, n) : 0;
    hi = n ? gsl_stats_max(x->data, 1, n) : 1;
    if (lo == hi) lo -= 0.5, hi += 0.5;
  }
  *edges = mat_alloc(bins + 1, 1);
  if (!*edges) return dlt_error_oom(a->I, a->call, bins + 1, 1);
  for (size_t i = 0; i <= bins; i++) (*edges)->data[i] = lo + (hi - lo) * (double)i / (double)bins;
  (*edges)->data[bins] = hi;
  return v_nil();
}

/* {edges, centers, counts, density}: bins are [e_i, e_{i+1}) except the last, which also holds its
 * right edge (as NumPy's); values outside the edges (and nan) are not counted; density is
 * counts / (counted · width), so it integrates to 1. */
static Value bi_histogram(Args *a) {
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  Mat *x = AS_MAT(m), *edges;
  Value e = hist_edges(a, x, &edges);
  if (IS_ABRUPT(e)) {
    val_release(m);
    return e;
  }
  size_t k = mat_numel(edges) - 1, n = mat_numel(x);
  gsl_histogram *h = gsl_histogram_alloc(k);
  Mat *counts = mat_alloc(k, 1), *density = mat_alloc(k, 1), *centers = mat_alloc(k, 1);
  if (!h || !counts || !density || !centers || gsl_histogram_set_ranges(h, edges->data, k + 1) != GSL_SUCCESS) {
    if (h) gsl_histogram_free(h);
    Mat *ms[] = {counts, density, centers, edges};
    for (int i = 0; i < 4; i++)
      if (ms[i]) val_release(v_obj(ms[i]));
    val_release(m);
    return dlt_error_oom(a->I, a->call, k, 1);
  }
  double counted = 0;
  for (size_t i = 0; i < n; i++) {
    double v = x->data[i];
    if (isnan(v)) continue; /* GSL's bin search cannot place a nan */
    if (v == edges->data[k]) h->bin[k - 1] += 1; /* the closed right edge */
    else if (gsl_histogram_increment(h, v) != GSL_SUCCESS) continue;
    counted += 1;
  }
  dlt_gsl_clear(); /* out-of-range values are expected, not failures */
  for (size_t i = 0; i < k; i++) {
    double w = edges->data[i + 1] - edges->data[i];
    counts->data[i] = gsl_histogram_get(h, i);
    density->data[i] = counts->data[i] / (counted * w);
    centers->data[i] = edges->data[i] + w / 2;
  }
  gsl_histogram_free(h);
  val_release(m);
  Value r = record_new();
  record_set(AS_RECORD(r), "edges", v_obj(edges));
  record_set(AS_RECORD(r), "centers", v_obj(centers));
  record_set(AS_RECORD(r), "counts", v_obj(counts));
  record_set(AS_RECORD(r), "density", v_obj(density));
  return r;
}

/* ------------------------------------------------------------------ fitting */
typedef enum { SC_LINEAR, SC_LOGLOG, SC_SEMILOGX, SC_SEMILOGY, SC_LOGLOG_SLOPE } Scale;

static bool get_scale(Args *a, Scale *sc) {
  static const char *const names[] = {"linear", "loglog", "semilogx", "semilogy"};
  const char *s = "linear";
  if (!kw_str(a, "scale", &s, NULL)) return false;
  for (int i = 0; i < 4; i++)
    if (strcmp(s, names[i]) == 0) {
      *sc = (Scale)i;
      return true;
    }
  kw_error(a, "scale", "scale= must be \"linear\", \"loglog\", \"semilogx\" or \"semilogy\", got \"%s\"", s);
  return false;
}

/* The points of a fit: x and y as equal-length vectors, each transformed by the scale, at least
 * min_n of them, and not all x equal. The arrays are malloc'd; false after an error. */
typedef struct Points {
  size_t n;
  double *x, *y;
} Points;

static void points_free(Points *p) {
  free(p->x);
  free(p->y);
}

/* the logarithm of every entry of v (called name), which must be positive */
static bool log_all(Args *a, int i, const char *name, double *v, size_t n, const char *fit) {
  for (size_t j = 0; j < n; j++) {
    if (v[j] <= 0) {
      arg_error(a, i, "%s takes the logarithm of %s, but %s[%zu] = %s is not positive", fit, name, name,
                j + 1, num_text(v[j]).s);
      return false;
    }
    v[j] = log(v[j]);
  }
  return true;
}

static bool fit_points(Args *a, Scale sc, size_t min_n, const char *why, Points *p) {
  static const char *const fits[] = {"", "scale=\"loglog\"", "scale=\"semilogx\"", "scale=\"semilogy\"",
                                      "a power-law fit"};
  Value xv, yv;
  p->x = p->y = NULL;
  if (!xy_pair(a, &xv, &yv)) return false;
  size_t n = p->n = mat_numel(AS_MAT(xv));
  bool ok = true;
  if (n < min_n) {
    call_error(a, "needs at least %zu points%s, got %zu", min_n, why, n);
    ok = false;
  } else {
    p->x = malloc(n * sizeof(double));
    p->y = malloc(n * sizeof(double));
    if (!p->x || !p->y) {
      points_free(p);
      val_release(xv);
      val_release(yv);
      dlt_error_oom(a->I, a->call, n, 2);
      return false;
    }
    memcpy(p->x, AS_MAT(xv)->data, n * sizeof(double));
    memcpy(p->y, AS_MAT(yv)->data, n * sizeof(double));
    bool all_equal = true;
    for (size_t i = 1; i < n; i++) all_equal = all_equal && p->x[i] == p->x[0];
    if (all_equal) {
      arg_error(a, 0, "all x values are equal (to %s), so the slope is undefined", num_text(p->x[0]).s);
      ok = false;
    }
    if (ok && (sc == SC_LOGLOG || sc == SC_LOGLOG_SLOPE || sc == SC_SEMILOGX)) ok = log_all(a, 0, "x", p->x, n, fits[sc]);
    if (ok && (sc == SC_LOGLOG || sc == SC_LOGLOG_SLOPE || sc == SC_SEMILOGY)) ok = log_all(a, 1, "y", p->y, n, fits[sc]);
  }
  val_release(xv);
  val_release(yv);
  if (!ok) points_free(p);
  return ok;
}

LineFit stats_fit_line(const double *x, const double *y, size_t n) {
  LineFit L = {NAN, NAN, NAN, NAN, NAN, NAN, n};
  bool all_equal = true;
  for (size_t i = 1; i < n; i++) all_equal = all_equal && x[i] == x[0];
  if (n < 2 || all_equal) return L;
  double cov00, cov01, cov11, sse;
  gsl_fit_linear(x, 1, y, 1, n, &L.intercept, &L.slope, &cov00, &cov01, &cov11, &sse);
  if (n > 2) {
    L.se_intercept = sqrt(cov00);
    L.se_slope = sqrt(cov11);
    L.resid_sd = sqrt(sse / (double)(n - 2));
  }
  L.r2 = 1 - sse / gsl_stats_tss(y, 1, n);
  return L;
}

Value stats_line_record(const LineFit *L) {
  Value r = record_new();
  record_set(AS_RECORD(r), "intercept", v_num(L->intercept));
  record_set(AS_RECORD(r), "slope", v_num(L->slope));
  record_set(AS_RECORD(r), "se_intercept", v_num(L->se_intercept));
  record_set(AS_RECORD(r), "se_slope", v_num(L->se_slope));
  record_set(AS_RECORD(r), "r2", v_num(L->r2));
  record_set(AS_RECORD(r), "residual_sd", v_num(L->resid_sd));
  return r;
}

Value stats_loglog_record(const LineFit *L) {
  Value r = record_new();
  record_set(AS_RECORD(r), "slope", v_num(L->slope));
  record_set(AS_RECORD(r), "se", v_num(L->se_slope));
  record_set(AS_RECORD(r), "intercept", v_num(L->intercept));
  return r;
}

static Value bi_fit_linear(Args *a) {
  Scale sc = SC_LINEAR;
  Points p;
  if (!get_scale(a, &sc) || !fit_points(a, sc, 3, " for standard errors", &p)) return v_abrupt();
  LineFit L = stats_fit_line(p.x, p.y, p.n);
  points_free(&p);
  return stats_line_record(&L);
}

static Value bi_slope(Args *a) {
  Scale sc = SC_LINEAR;
  Points p;
  if (!get_scale(a, &sc) || !fit_points(a, sc, 2, "", &p)) return v_abrupt();
  double c0, c1, cov00, cov01, cov11, sse;
  gsl_fit_linear(p.x, 1, p.y, 1, p.n, &c0, &c1, &cov00, &cov01, &cov11, &sse);
  points_free(&p);
  return v_num(c1);
}

static Value bi_loglog_slope(Args *a) {
  Points p;
  if (!fit_points(a, SC_LOGLOG_SLOPE, 3, " for a standard error", &p)) return v_abrupt();
  LineFit L = stats_fit_line(p.x, p.y, p.n);
  points_free(&p);
  return stats_loglog_record(&L);
}

static int cmp_num(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* least-squares polynomial c0 + c1 x + ... + c_deg x^deg through the Vandermonde system, solved
 * by gsl_multifit_linear (column-scaled SVD) */
static Value bi_polyfit(Args *a) {
  size_t deg;
  if (!arg_size(a, 2, &deg)) return v_abrupt();
  if (deg > 100) return arg_error(a, 2, "the degree must be at most 100, got %zu", deg);
  Value xv, yv;
  if (!xy_pair(a, &xv, &yv)) return v_abrupt();
  Mat *x = AS_MAT(xv), *y = AS_MAT(yv);
  size_t n = mat_numel(x), p = deg + 1, distinct = 0;
  double *sorted = malloc((n ? n : 1) * sizeof(double));
  if (!sorted) {
    val_release(xv);
    val_release(yv);
    return dlt_error_oom(a->I, a->call, n, 1);
  }
  memcpy(sorted, x->data, n * sizeof(double));
  qsort(sorted, n, sizeof(double), cmp_num);
  for (size_t i = 0; i < n; i++) distinct += i == 0 || sorted[i] != sorted[i - 1];
  free(sorted);
  Value result;
  if (distinct < p) {
    result = call_error(a, "a degree-%zu fit needs at least %zu distinct x values, got %zu", deg, p, distinct);
  } else {
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, p);
    gsl_matrix *X = gsl_matrix_alloc(n, p), *cov = gsl_matrix_alloc(p, p);
    Mat *c = mat_alloc(p, 1);
    if (!w || !X || !cov || !c) {
      result = dlt_error_oom(a->I, a->call, n, p);
      if (c) val_release(v_obj(c));
    } else {
      for (size_t i = 0; i < n; i++) {
        double t = 1;
        for (size_t j = 0; j < p; j++, t *= x->data[i]) gsl_matrix_set(X, i, j, t);
      }
      gsl_vector_view yy = gsl_vector_view_array(y->data, n);
      gsl_vector_view cc = gsl_vector_view_array(c->data, p);
      double chisq;
      int status = gsl_multifit_linear(X, &yy.vector, &cc.vector, cov, &chisq, w);
      if (status != GSL_SUCCESS) {
        val_release(v_obj(c));
        result = dlt_error_gsl(a->I, a->call, "polyfit", status);
      } else {
        result = v_obj(c);
      }
    }
    if (w) gsl_multifit_linear_free(w);
    if (X) gsl_matrix_free(X);
    if (cov) gsl_matrix_free(cov);
  }
  val_release(xv);
  val_release(yv);
  return result;
}

static double poly(const double *c, size_t k, double x) { return k == 0 ? 0 : gsl_poly_eval(c, (int)k, x); }

/* polyval(c, x): c0 + c1 x + ... by Horner (gsl_poly_eval), entrywise for a matrix x */
static Value bi_polyval(Args *a) {
  Value cv;
  if (!arg_vector(a, 0, "the coefficients", &cv)) return v_abrupt();
  Mat *c = AS_MAT(cv);
  size_t k = mat_numel(c);
  if (IS_NUM(a->v[1]) || IS_BOOL(a->v[1])) {
    double x;
    arg_num(a, 1, &x);
    double r = poly(c->data, k, x);
    val_release(cv);
    return v_num(r);
  }
  Value xv;
  if (!arg_mat(a, 1, &xv)) {
    val_release(cv);
    return v_abrupt();
  }
  Mat *x = AS_MAT(xv), *out = mat_alloc(mat_rows(x), mat_cols(x));
  Value r;
  if (!out) {
    r = dlt_error_oom(a->I, a->call, mat_rows(x), mat_cols(x));
  } else {
    for (size_t i = 0; i < mat_numel(x); i++) out->data[i] = poly(c->data, k, x->data[i]);
    r = v_obj(out);
  }
  val_release(xv);
  val_release(cv);
  return r;
}

/* ------------------------------------------------------------------ extrapolation and rates */

/* a keyword number that must be positive (and finite), default dflt */
static bool kw_positive(Args *a, const char *name, double dflt, double above, double *out) {
  *out = dflt;
  bool present;
  if (!kw_num(a, name, out, &present)) return false;
  if (present && !(*out > above && isfinite(*out))) {
    kw_error(a, name, "%s= must be a finite number greater than %s, got %s", name, num_text(above).s,
             num_text(*out).s);
    return false;
  }
  return true;
}

/* Richardson's tableau for A_i = A(h / t^i), i = 0..m-1, when A(h) = A + c1 h^p + c2 h^(p+q) + ...:
 * T[i][0] = A_i and T[i][j] = T[i][j-1] + (T[i][j-1] - T[i-1][j-1]) / (t^(p + (j-1) q) - 1), which
 * removes the h^(p + (j-1) q) term. The extrapolation is T[m-1][m-1]. */
static Value bi_richardson(Args *a) {
  double t, p, q;
  if (!kw_positive(a, "ratio", 2, 1, &t) || !kw_positive(a, "order", 1, 0, &p)) return v_abrupt();
  if (!kw_positive(a, "step", p, 0, &q)) return v_abrupt();
  const Value *tv = kw_get(a, "tableau");
  if (tv && !IS_BOOL(*tv)) return kw_error(a, "tableau", "tableau= must be true or false, got a %s", val_type_name(*tv));
  bool want_tableau = tv && AS_BOOL(*tv);
  Value v;
  if (!arg_vector(a, 0, "values", &v)) return v_abrupt();
  size_t m = mat_numel(AS_MAT(v));
  if (m == 0) {
    val_release(v);
    return arg_error(a, 0, "needs at least 1 value, got none");
  }
  Mat *T = mat_alloc(m, m);
  if (!T) {
    val_release(v);
    return dlt_error_oom(a->I, a->call, m, m);
  }
  for (size_t i = 0; i < m; i++) {
    for (size_t j = 0; j < m; j++) T->data[i * m + j] = NAN; /* above the diagonal: not defined */
    T->data[i * m] = AS_MAT(v)->data[i];
    for (size_t j = 1; j <= i; j++) {
      double prev = T->data[i * m + j - 1], up = T->data[(i - 1) * m + j - 1];
      T->data[i * m + j] = prev + (prev - up) / (pow(t, p + (double)(j - 1) * q) - 1);
    }
  }
  val_release(v);
  double best = T->data[m * m - 1];
  if (!want_tableau) {
    val_release(v_obj(T));
    return v_num(best);
  }
  Value r = record_new();
  record_set(AS_RECORD(r), "value", v_num(best));
  record_set(AS_RECORD(r), "error", v_num(m > 1 ? fabs(best - T->data[(m - 2) * m + m - 2]) : NAN));
  record_set(AS_RECORD(r), "tableau", v_obj(T));
  return r;
}

/* The rate r of a sequence converging like C r^k: the errors e_k = |x_k - limit| (or, without
 * limit=, the differences |x_{k+1} - x_k|, which shrink at the same rate) are fitted by least
 * squares as log e_k = a + k log r, so r = exp(slope). */
static Value bi_geom_rate(Args *a) {
  double limit = 0;
  bool has_limit;
  if (!kw_num(a, "limit", &limit, &has_limit)) return v_abrupt();
  Value v;
  if (!arg_vector(a, 0, "the sequence", &v)) return v_abrupt();
  const double *x = AS_MAT(v)->data;
  size_t n = mat_numel(AS_MAT(v)), ne = has_limit ? n : (n ? n - 1 : 0);
  if (ne < 2) {
    val_release(v);
    return arg_error(a, 0, "needs at least %d values%s, got %zu", has_limit ? 2 : 3,
                     has_limit ? "" : " (or 2 with limit=)", n);
  }
  double *k = malloc(ne * sizeof(double)), *le = malloc(ne * sizeof(double));
  Value r = k && le ? v_nil() : dlt_error_oom(a->I, a->call, ne, 2);
  for (size_t i = 0; i < ne && IS_NIL(r); i++) {
    double e = has_limit ? fabs(x[i] - limit) : fabs(x[i + 1] - x[i]);
    if (e == 0)
      r = has_limit ? arg_error(a, 0, "term %zu equals the limit, so its error has no logarithm; leave it out", i + 1)
                    : arg_error(a, 0, "terms %zu and %zu are equal, so their difference has no logarithm; leave "
                                      "the converged terms out", i + 1, i + 2);
    k[i] = (double)(i + 1);
    le[i] = log(e);
  }
  if (IS_NIL(r)) {
    double c0, c1, cov00, cov01, cov11, sse;
    gsl_fit_linear(k, 1, le, 1, ne, &c0, &c1, &cov00, &cov01, &cov11, &sse);
    r = v_num(exp(c1));
  }
  free(k);
  free(le);
  val_release(v);
  return r;
}

static const Builtin stats_builtins[] = {
  {"var", bi_var, 1, 1, "axis", "var(x, axis=)", "sample variance (divisor n - 1) of the entries, or of each column (axis=1) or row (axis=2)", NULL},
  {"sd", bi_sd, 1, 1, "axis", "sd(x, axis=)", "sample standard deviation (divisor n - 1), of the entries or per column/row with axis=1/2", NULL},
  {"var_pop", bi_var_pop, 1, 1, "axis", "var_pop(x, axis=)", "population variance (divisor n), of the entries or per column/row with axis=1/2", NULL},
  {"sd_pop", bi_sd_pop, 1, 1, "axis", "sd_pop(x, axis=)", "population standard deviation (divisor n), of the entries or per column/row with axis=1/2", NULL},
  {"sem", bi_sem, 1, 1, "axis", "sem(x, axis=)", "standard error of the mean sd(x)/sqrt(n), of the entries or per column/row with axis=1/2", NULL},
  {"median", bi_median, 1, 1, "axis", "median(x, axis=)", "median of the entries (mean of the middle two for an even count), or per column/row with axis=1/2", NULL},
  {"quantile", bi_quantile, 2, 2, "axis", "quantile(x, p, axis=)", "p-quantile(s) by linear interpolation (R type 7, NumPy's default); p a number or a vector", NULL},
  {"moment", bi_moment, 2, 2, "axis", "moment(x, k, axis=)", "raw moment (1/n) sum x^k, of the entries or per column/row with axis=1/2", NULL},
  {"cmoment", bi_cmoment, 2, 2, "axis", "cmoment(x, k, axis=)", "central moment (1/n) sum (x - mean)^k, of the entries or per column/row with axis=1/2", NULL},
  {"skewness", bi_skewness, 1, 1, "axis", "skewness(x, axis=)", "skewness g1 = m3/m2^(3/2) from the 1/n central moments", NULL},
  {"kurtosis_pearson", bi_kurtosis_pearson, 1, 1, "axis", "kurtosis_pearson(x, axis=)", "Pearson kurtosis m4/m2^2 from the 1/n central moments (3 for a normal)", NULL},
  {"kurtosis_excess", bi_kurtosis_excess, 1, 1, "axis", "kurtosis_excess(x, axis=)", "excess kurtosis m4/m2^2 - 3 from the 1/n central moments (0 for a normal)", NULL},
  {"cumulants", bi_cumulants, 1, 2, NULL, "cumulants(x, k=4)", "the first k cumulants [mean, m2, m3, m4 - 3 m2^2, ...] from the 1/n central moments, as a column", NULL},
  {"cov", bi_cov, 1, 2, NULL, "cov(X) or cov(x, y)", "sample covariance (n - 1): d×d for the columns of an n×d X, a number for two vectors", NULL},
  {"corr", bi_corr, 1, 2, NULL, "corr(X) or corr(x, y)", "Pearson correlation: d×d for the columns of an n×d X, a number for two vectors", NULL},
  {"histogram", bi_histogram, 1, 2, "range", "histogram(x, bins=10, range=)", "{edges, centers, counts, density} of x in bins equal bins over range= (default [min, max]), or bins= given as edges", NULL},
  {"fit_linear", bi_fit_linear, 2, 2, "scale", "fit_linear(x, y, scale=\"linear\")", "least-squares line {intercept, slope, se_intercept, se_slope, r2, residual_sd}; scale= \"loglog\", \"semilogx\", \"semilogy\" fit logarithms", NULL},
  {"slope", bi_slope, 2, 2, "scale", "slope(x, y, scale=\"linear\")", "the least-squares slope of y against x (a number); scale= as fit_linear", NULL},
  {"loglog_slope", bi_loglog_slope, 2, 2, NULL, "loglog_slope(x, y)", "{slope, se, intercept} of log y against log x: the exponent b of y ~ c x^b", NULL},
  {"polyfit", bi_polyfit, 3, 3, NULL, "polyfit(x, y, deg)", "least-squares polynomial coefficients [c0, c1, ..., c_deg] (constant first) as a column", NULL},
  {"polyval", bi_polyval, 2, 2, NULL, "polyval(c, x)", "c0 + c1 x + ... + c_k x^k (constant first, as polyfit gives), entrywise for a matrix x", NULL},
  {"richardson", bi_richardson, 1, 1, "ratio order step tableau", "richardson(values, ratio=2, order=1, step=order, tableau=false)", "Richardson extrapolation of A(h), A(h/ratio), ... whose error is c1 h^order + c2 h^(order+step) + ...; a number, or {value, error, tableau}", NULL},
  {"geom_rate", bi_geom_rate, 1, 1, "limit", "geom_rate(seq, limit=)", "the rate r of geometric convergence C r^k: exp of the least-squares slope of log|differences| (or log|seq - limit|) against k", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_stats = {"stats", stats_builtins};
