/* lib/measure.c - see measure.h for how the measure modules divide the work.
 *
 * This file holds the measure type itself (its ExtClass), the standard families and the
 * operations that only need a kind's closed forms: sample, mean/cov/var/sd (through the method
 * hook, so the statistics builtins keep their names), pdf/logpdf/cdf/score, mass, support,
 * moments and cumulants. Samplers make exactly the GSL calls of the random module's rand_*
 * builtins, so sample(normal(), 5, seed=1) and rand_normal(5, seed=1) are the same numbers.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include <gsl/gsl_blas.h>

#include "../arith.h"
#include "../ast.h"
#include "../print.h"
#include "measure.h"
#include "random.h"

/* ------------------------------------------------------------------ the type */
static void measure_free(Obj *o) {
  Measure *m = (Measure *)o;
  if (m->kind->free_priv) m->kind->free_priv(m);
  for (int i = 0; i < 4; i++) val_release(m->v[i]);
}

static void measure_print(Obj *o, StrBuf *out) {
  Measure *m = (Measure *)o;
  m->kind->print(m, out);
}

/* measures are immutable, so identity is the only equality that needs no tolerance */
static bool measure_equal(Obj *self, Value other) { return IS_OBJ(other) && other.u.o == self; }

static void measure_traverse(Obj *o, void (*visit)(Value *slot, void *ctx), void *ctx) {
  Measure *m = (Measure *)o;
  for (int i = 0; i < 4; i++)
    if (IS_OBJ(m->v[i])) visit(&m->v[i], ctx);
  if (m->kind->traverse) m->kind->traverse(m, visit, ctx);
}

static Value measure_method(Args *a, const char *builtin, bool *handled);

const ExtClass measure_class = {
  .name = "measure",
  .free = measure_free,
  .print = measure_print,
  .equal = measure_equal,
  .binop = measure_binop,
  .unop = measure_unop,
  .traverse = measure_traverse,
  .method = measure_method,
};

Measure *measure_new(const MeasureKind *kind, size_t dim) {
  Measure *m = obj_new(OBJ_EXT, sizeof(Measure));
  m->ext.cls = &measure_class;
  m->kind = kind;
  m->dim = dim;
  m->is_signed = false;
  for (int i = 0; i < 4; i++) {
    m->p[i] = 0;
    m->v[i] = v_nil();
  }
  m->priv = NULL;
  return m;
}

Value measure_value(Measure *m) { return v_obj(m); }

bool val_is_measure(Value v) { return IS_EXT(v) && AS_EXT(v)->cls == &measure_class; }

static const char *ordinal(int i) {
  static const char *const names[] = {"first", "second", "third", "fourth", "fifth", "sixth"};
  return i >= 0 && i < 6 ? names[i] : "next";
}

bool arg_measure(Args *a, int i, Measure **out) {
  if (i < a->n && val_is_measure(a->v[i])) {
    *out = as_measure(a->v[i]);
    return true;
  }
  if (i >= a->n)
    call_error(a, "the %s argument must be a measure, got nothing", ordinal(i));
  else
    arg_error(a, i, "the %s argument must be a measure, got a %s", ordinal(i), val_type_name(a->v[i]));
  return false;
}

bool measure_draw(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  if (m->is_signed || !m->kind->sample) {
    if (m->is_signed)
      call_error(a, "cannot sample a signed measure directly; use maurey(mu) (draw a sign in proportion to the "
                    "mass of each part, then a point from that part)");
    else
      call_error(a, "a %s measure cannot be sampled", m->kind->name);
    return false;
  }
  if (n == 0 || m->dim == 0) return true;
  return m->kind->sample(a, m, rng, n, out);
}

Value measure_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n) {
  Mat *x = mat_alloc(n, m->dim);
  if (!x) return dlt_error_oom(a->I, a->call, n, m->dim);
  if (!measure_draw(a, m, rng, n, x->data)) {
    val_release(v_obj(x));
    return v_abrupt();
  }
  return v_obj(x);
}

/* ------------------------------------------------------------------ parameters */
/* Parameter `name`: positional i or name=, not both. *present says whether it was given. */
static bool param_value(Args *a, int i, const char *name, const Value **out) {
  const Value *kw = kw_get(a, name);
  if (i >= 0 && i < a->n) {
    if (kw) {
      kw_error(a, name, "%s is given twice, as argument %d and as %s=", name, i + 1, name);
      return false;
    }
    *out = &a->v[i];
  } else {
    *out = kw;
  }
  return true;
}

/* where a parameter was written, for errors about its value */
static Value param_error(Args *a, int i, const char *name, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static Value param_error(Args *a, int i, const char *name, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (i >= 0 && i < a->n) return arg_error(a, i, "%s", msg);
  return kw_error(a, name, "%s", msg);
}

/* A number parameter (positional i, or name=; i < 0: keyword only) with a default. */
static bool num_param(Args *a, int i, const char *name, double dflt, ParamCond cond, double *out, bool *present) {
  const Value *v;
  if (!param_value(a, i, name, &v)) return false;
  if (present) *present = v != NULL;
  *out = dflt;
  if (!v) return true;
  if (IS_NUM(*v)) {
    *out = AS_NUM(*v);
  } else if (IS_BOOL(*v)) {
    *out = AS_BOOL(*v);
  } else if (IS_MAT(*v) && mat_numel(AS_MAT(*v)) == 1) {
    *out = AS_MAT(*v)->data[0];
  } else {
    param_error(a, i, name, "%s must be a number, got a %s", name, val_type_name(*v));
    return false;
  }
  const char *need = param_cond_fails(cond, *out);
  if (need) {
    param_error(a, i, name, "%s must be %s, got %s", name, need, num_text(*out).s);
    return false;
  }
  return true;
}

/* where parameter `name` was written: positional i, its keyword, or the whole call */
static const Span *param_span(Args *a, int i, const char *name) {
  if (i >= 0 && i < a->n) return arg_span(a, i);
  return kw_span(a, name);
}

/* A numeric parameter as a matrix (new reference in *out); nil when absent. */
static bool mat_param(Args *a, int i, const char *name, Value *out) {
  const Value *v;
  *out = v_nil();
  if (!param_value(a, i, name, &v)) return false;
  if (!v) return true;
  if (!(IS_MAT(*v) || IS_NUM(*v) || IS_BOOL(*v) || IS_RANGE(*v) || IS_LIST(*v))) {
    param_error(a, i, name, "%s must be a number or a matrix, got a %s", name, val_type_name(*v));
    return false;
  }
  char what[64];
  snprintf(what, sizeof what, "%s", name);
  *out = val_as_mat(a->I, *v, param_span(a, i, name), what);
  return !IS_ABRUPT(*out);
}

/* every entry finite, else a located error naming the first bad one */
static bool all_finite(Args *a, int i, const char *name, const Mat *x) {
  for (size_t j = 0; j < mat_numel(x); j++)
    if (!isfinite(x->data[j])) {
      param_error(a, i, name, "%s must be finite, got %s at position %zu", name, num_text(x->data[j]).s, j + 1);
      return false;
    }
  return true;
}

/* a parameter that must be a vector (n×1, 1×n, range or list), as a new n×1 column */
static bool vec_param(Args *a, int i, const char *name, Value *out) {
  if (!mat_param(a, i, name, out)) return false;
  if (IS_NIL(*out)) return true;
  Mat *x = AS_MAT(*out);
  if (!mat_is_vector(x) && mat_numel(x) > 0) {
    param_error(a, i, name, "%s must be a vector, got a %zu×%zu matrix", name, mat_rows(x), mat_cols(x));
    val_release(*out);
    return false;
  }
  if (!all_finite(a, i, name, x)) {
    val_release(*out);
    return false;
  }
  if (mat_cols(x) != 1) {
    Mat *c = mat_alloc(mat_numel(x), 1);
    if (!c) {
      val_release(*out);
      dlt_error_oom(a->I, a->call, mat_numel(x), 1);
      return false;
    }
    memcpy(c->data, x->data, mat_numel(x) * sizeof(double));
    val_release(*out);
    *out = v_obj(c);
  }
  return true;
}

/* ------------------------------------------------------------------ printing helpers */
static void put_num(StrBuf *b, double x) { fmt_num(b, x); }

/* a vector as [1, 2, 3] on one line; a long one as [1, 2, 3, ..., 100] */
static void put_vec(StrBuf *b, const Mat *x) {
  size_t n = mat_numel(x);
  sb_putc(b, '[');
  for (size_t i = 0; i < n; i++) {
    if (n > 8 && i == 3) {
      sb_puts(b, ", ...");
      i = n - 1;
    }
    if (i) sb_puts(b, ", ");
    put_num(b, x->data[i]);
  }
  sb_putc(b, ']');
}

/* I₂, I₁₀: the identity with its size in subscript digits */
static void put_identity(StrBuf *b, size_t d) {
  char digits[32];
  snprintf(digits, sizeof digits, "%zu", d);
  sb_putc(b, 'I');
  for (const char *p = digits; *p; p++) {
    char sub[4] = {(char)0xE2, (char)0x82, (char)(0x80 + (*p - '0')), 0};
    sb_puts(b, sub);
  }
}

/* whether c is s I for some s */
static bool is_scaled_identity(const Mat *c, double s) {
  size_t d = mat_rows(c);
  for (size_t i = 0; i < d; i++)
    for (size_t j = 0; j < d; j++)
      if (c->data[i * d + j] != (i == j ? s : 0.0)) return false;
  return true;
}

/* a square matrix as [[1, 0.5], [0.5, 1]] */
static void put_mat(StrBuf *b, const Mat *c) {
  size_t r = mat_rows(c), k = mat_cols(c);
  sb_putc(b, '[');
  for (size_t i = 0; i < r; i++) {
    sb_puts(b, i ? ", [" : "[");
    for (size_t j = 0; j < k; j++) {
      if (j) sb_puts(b, ", ");
      put_num(b, c->data[i * k + j]);
    }
    sb_putc(b, ']');
  }
  sb_putc(b, ']');
}

static void real_line(const Measure *m, double *lo, double *hi) {
  for (size_t j = 0; j < m->dim; j++) {
    lo[j] = -INFINITY;
    hi[j] = INFINITY;
  }
}

static double sq(double x) { return x * x; }

/* ------------------------------------------------------------------ normal (scalar) */
/* p[0] mean, p[1] sd > 0 */
static void normal1_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "normal(mean=");
  put_num(out, m->p[0]);
  sb_puts(out, ", sd=");
  put_num(out, m->p[1]);
  sb_putc(out, ')');
}

/* rand_normal's draw: mean + a ziggurat normal with the given sd */
static bool normal1_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  (void)a;
  for (size_t i = 0; i < n; i++) out[i] = m->p[0] + gsl_ran_gaussian_ziggurat(rng, m->p[1]);
  return true;
}

static bool normal1_mean(const Measure *m, double *out) {
  *out = m->p[0];
  return true;
}

static bool normal1_cov(const Measure *m, double *out) {
  *out = sq(m->p[1]);
  return true;
}

/* E[X^k] = mean E[X^(k-1)] + (k-1) sd^2 E[X^(k-2)] (Stein's identity); with mean 0 it gives the
 * central moments sd^k (k-1)!! */
static double normal_moment(double mean, double sd, int k) {
  double prev = 1, cur = k == 0 ? 1 : mean;
  for (int j = 2; j <= k; j++) {
    double next = mean * cur + (j - 1) * sd * sd * prev;
    prev = cur;
    cur = next;
  }
  return cur;
}

static bool normal1_raw(const Measure *m, int k, double *out) {
  *out = normal_moment(m->p[0], m->p[1], k);
  return true;
}

static bool normal1_central(const Measure *m, int k, double *out) {
  *out = normal_moment(0, m->p[1], k);
  return true;
}

static double normal1_logpdf(const Measure *m, const double *x) {
  double z = (x[0] - m->p[0]) / m->p[1];
  return -0.5 * z * z - log(m->p[1]) - 0.5 * log(2 * M_PI);
}

static double normal1_cdf(const Measure *m, double x) { return gsl_cdf_gaussian_P(x - m->p[0], m->p[1]); }

static bool normal1_score(const Measure *m, const double *x, double *g) {
  g[0] = -(x[0] - m->p[0]) / sq(m->p[1]);
  return true;
}

static const MeasureKind normal1_kind = {
  .name = "normal",
  .print = normal1_print,
  .sample = normal1_sample,
  .mean = normal1_mean,
  .cov = normal1_cov,
  .raw_moment = normal1_raw,
  .logpdf = normal1_logpdf,
  .cdf = normal1_cdf,
  .score = normal1_score,
  .support = real_line,
  .central_moment = normal1_central,
};

/* ------------------------------------------------------------------ normal (multivariate) */
/* v[0] mean (d×1), v[1] cov (d×d), v[2] its lower Cholesky factor L (zeros above the diagonal);
 * p[0] log det cov. */
static void mvnormal_print(const Measure *m, StrBuf *out) {
  const Mat *c = AS_MAT(m->v[1]);
  sb_puts(out, "normal(mean=");
  put_vec(out, AS_MAT(m->v[0]));
  sb_puts(out, ", cov=");
  double s = c->data[0];
  if (is_scaled_identity(c, s)) {
    if (s != 1) {
      put_num(out, s);
      sb_puts(out, "·");
    }
    put_identity(out, m->dim);
  } else if (m->dim <= 4) {
    put_mat(out, c);
  } else {
    sb_printf(out, "a %zu×%zu matrix", m->dim, m->dim);
  }
  sb_putc(out, ')');
}

/* rand_mvnormal's draw: row i is mean + L z_i with z_i the next d ziggurat normals, the product a
 * plain loop in the same order, so both give the same numbers for a positive definite cov */
static bool mvnormal_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  size_t d = m->dim;
  const double *mean = AS_MAT(m->v[0])->data, *L = AS_MAT(m->v[2])->data;
  double *z = malloc(d * sizeof *z);
  if (!z) {
    dlt_error_oom(a->I, a->call, d, 1);
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    for (size_t k = 0; k < d; k++) z[k] = gsl_ran_gaussian_ziggurat(rng, 1.0);
    for (size_t j = 0; j < d; j++) {
      double s = mean[j];
      for (size_t k = 0; k < d; k++) s += L[j * d + k] * z[k];
      out[i * d + j] = s;
    }
  }
  free(z);
  return true;
}

static bool mvnormal_mean(const Measure *m, double *out) {
  memcpy(out, AS_MAT(m->v[0])->data, m->dim * sizeof(double));
  return true;
}

static bool mvnormal_cov(const Measure *m, double *out) {
  memcpy(out, AS_MAT(m->v[1])->data, m->dim * m->dim * sizeof(double));
  return true;
}

/* y = L^{-1} (x - mean), with L' applied too (y = cov^{-1} (x - mean)) when both is set; y holds d
 * numbers. False when d numbers cannot be allocated. */
static bool mvnormal_solve(const Measure *m, const double *x, double *y, bool both) {
  size_t d = m->dim;
  const double *mean = AS_MAT(m->v[0])->data;
  for (size_t j = 0; j < d; j++) y[j] = x[j] - mean[j];
  gsl_matrix_const_view L = gsl_matrix_const_view_array(AS_MAT(m->v[2])->data, d, d);
  gsl_vector_view yv = gsl_vector_view_array(y, d);
  gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &L.matrix, &yv.vector);
  if (both) gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, &L.matrix, &yv.vector);
  return true;
}

static double mvnormal_logpdf(const Measure *m, const double *x) {
  size_t d = m->dim;
  double *y = malloc(d * sizeof *y);
  if (!y) return NAN;
  mvnormal_solve(m, x, y, false);
  double q = 0;
  for (size_t j = 0; j < d; j++) q += y[j] * y[j];
  free(y);
  return -0.5 * q - 0.5 * m->p[0] - 0.5 * (double)d * log(2 * M_PI);
}

static bool mvnormal_score(const Measure *m, const double *x, double *g) {
  mvnormal_solve(m, x, g, true);
  for (size_t j = 0; j < m->dim; j++) g[j] = -g[j];
  return true;
}

static const MeasureKind mvnormal_kind = {
  .name = "normal",
  .print = mvnormal_print,
  .sample = mvnormal_sample,
  .mean = mvnormal_mean,
  .cov = mvnormal_cov,
  .logpdf = mvnormal_logpdf,
  .score = mvnormal_score,
  .support = real_line,
};

/* cov must be d×d, finite, symmetric up to rounding (1e-12 of its largest entry, as rand_mvnormal
 * allows) and positive definite; L gets its Cholesky factor. */
static bool mvnormal_factor(Args *a, int ci, const Mat *cov, size_t d, Mat *L, double *logdet) {
  char why[256];
  if (!cov_acceptable(cov, d, why, sizeof why)) {
    param_error(a, ci, "cov", "%s", why);
    return false;
  }
  for (size_t i = 0; i < d; i++)
    for (size_t j = 0; j < d; j++) L->data[i * d + j] = i >= j ? cov->data[i * d + j] : 0;
  int status = d ? gsl_linalg_cholesky_decomp1(&L->m) : GSL_SUCCESS;
  if (status != GSL_SUCCESS) {
    dlt_gsl_clear();
    param_error(a, ci, "cov", "cov must be positive definite (its Cholesky factorisation fails)");
    return false;
  }
  *logdet = 0;
  for (size_t i = 0; i < d; i++) {
    for (size_t j = i + 1; j < d; j++) L->data[i * d + j] = 0; /* decomp1 leaves L' above */
    *logdet += 2 * log(L->data[i * d + i]);
  }
  return true;
}

/* normal(mean_vector, cov=I) */
static Value mvnormal_new(Args *a, Value meanv) {
  Value covv;
  if (kw_get(a, "sd") || kw_get(a, "var")) {
    val_release(meanv);
    return kw_error(a, kw_get(a, "sd") ? "sd" : "var", "a multivariate normal takes cov=, not %s=",
                    kw_get(a, "sd") ? "sd" : "var");
  }
  if (!mat_param(a, 1, "cov", &covv)) {
    val_release(meanv);
    return v_abrupt();
  }
  size_t d = mat_numel(AS_MAT(meanv));
  Value result = v_abrupt();
  Mat *cov = IS_NIL(covv) ? mat_alloc_zero(d, d) : NULL, *L = mat_alloc(d, d);
  if ((IS_NIL(covv) && !cov) || !L) {
    result = dlt_error_oom(a->I, a->call, d, d);
    goto done;
  }
  if (cov) {
    for (size_t i = 0; i < d; i++) cov->data[i * d + i] = 1;
    covv = v_obj(cov);
  }
  if (d == 0) {
    param_error(a, 0, "mean", "mean must have at least one entry");
    goto done;
  }
  double logdet;
  if (!mvnormal_factor(a, 1, AS_MAT(covv), d, L, &logdet)) goto done;
  Measure *m = measure_new(&mvnormal_kind, d);
  m->v[0] = meanv;
  m->v[1] = covv;
  m->v[2] = v_obj(L);
  m->p[0] = logdet;
  return measure_value(m);
done:
  val_release(meanv);
  val_release(covv);
  if (L) val_release(v_obj(L));
  return result;
}

/* normal(mean=0, sd=1) on the line, or normal(mean_vector, cov) when the mean is a vector or
 * cov= is given */
static Value bi_normal(Args *a) {
  const Value *mv;
  if (!param_value(a, 0, "mean", &mv)) return v_abrupt();
  if ((mv && !IS_NUM(*mv) && !IS_BOOL(*mv)) || kw_get(a, "cov") || (a->n > 1 && IS_MAT(a->v[1]) && mv)) {
    Value meanv;
    if (!vec_param(a, 0, "mean", &meanv)) return v_abrupt();
    if (IS_NIL(meanv)) return call_error(a, "a multivariate normal needs its mean vector");
    return mvnormal_new(a, meanv);
  }
  double mean, sd, var;
  bool has_sd, has_var;
  if (!num_param(a, 0, "mean", 0, PARAM_ANY, &mean, NULL) || !num_param(a, 1, "sd", 1, PARAM_POSITIVE, &sd, &has_sd) ||
      !num_param(a, -1, "var", 1, PARAM_POSITIVE, &var, &has_var))
    return v_abrupt();
  if (has_sd && has_var) return kw_error(a, "var", "give sd or var=, not both");
  Measure *m = measure_new(&normal1_kind, 1);
  m->p[0] = mean;
  m->p[1] = has_var ? sqrt(var) : sd;
  return measure_value(m);
}

/* ------------------------------------------------------------------ uniform on an interval */
/* p[0] = a < p[1] = b */
static void uniform1_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "uniform(");
  put_num(out, m->p[0]);
  sb_puts(out, ", ");
  put_num(out, m->p[1]);
  sb_putc(out, ')');
}

/* rand_uniform's draw */
static bool uniform1_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  (void)a;
  for (size_t i = 0; i < n; i++) out[i] = gsl_ran_flat(rng, m->p[0], m->p[1]);
  return true;
}

/* (b^(k+1) - a^(k+1)) / ((k+1)(b - a)) as the average of a^j b^(k-j), which has no cancellation */
static bool uniform1_raw(const Measure *m, int k, double *out) {
  double s = 0, a = m->p[0], b = m->p[1];
  for (int j = 0; j <= k; j++) s += pow(a, j) * pow(b, k - j);
  *out = s / (k + 1);
  return true;
}

/* the central moments of U(-h, h): h^k / (k+1) for even k */
static bool uniform1_central(const Measure *m, int k, double *out) {
  double h = (m->p[1] - m->p[0]) / 2;
  *out = k % 2 ? 0 : pow(h, k) / (k + 1);
  return true;
}

static double uniform1_logpdf(const Measure *m, const double *x) {
  return x[0] >= m->p[0] && x[0] <= m->p[1] ? -log(m->p[1] - m->p[0]) : -INFINITY;
}

static double uniform1_cdf(const Measure *m, double x) {
  if (isnan(x)) return NAN;
  return x <= m->p[0] ? 0 : x >= m->p[1] ? 1 : (x - m->p[0]) / (m->p[1] - m->p[0]);
}

static void uniform1_support(const Measure *m, double *lo, double *hi) {
  lo[0] = m->p[0];
  hi[0] = m->p[1];
}

static const MeasureKind uniform1_kind = {
  .name = "uniform",
  .print = uniform1_print,
  .sample = uniform1_sample,
  .raw_moment = uniform1_raw,
  .logpdf = uniform1_logpdf,
  .cdf = uniform1_cdf,
  .support = uniform1_support,
  .central_moment = uniform1_central,
};

/* ------------------------------------------------------------------ uniform on a box */
/* v[0] lo, v[1] hi (d×1, lo < hi); p[0] log volume */
static void box_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "uniform(");
  put_vec(out, AS_MAT(m->v[0]));
  sb_puts(out, ", ");
  put_vec(out, AS_MAT(m->v[1]));
  sb_putc(out, ')');
}

static bool box_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  (void)a;
  const double *lo = AS_MAT(m->v[0])->data, *hi = AS_MAT(m->v[1])->data;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < m->dim; j++) out[i * m->dim + j] = gsl_ran_flat(rng, lo[j], hi[j]);
  return true;
}

static bool box_mean(const Measure *m, double *out) {
  for (size_t j = 0; j < m->dim; j++) out[j] = (AS_MAT(m->v[0])->data[j] + AS_MAT(m->v[1])->data[j]) / 2;
  return true;
}

static bool box_cov(const Measure *m, double *out) {
  size_t d = m->dim;
  for (size_t i = 0; i < d * d; i++) out[i] = 0;
  for (size_t j = 0; j < d; j++) out[j * d + j] = sq(AS_MAT(m->v[1])->data[j] - AS_MAT(m->v[0])->data[j]) / 12;
  return true;
}

static double box_logpdf(const Measure *m, const double *x) {
  for (size_t j = 0; j < m->dim; j++)
    if (!(x[j] >= AS_MAT(m->v[0])->data[j] && x[j] <= AS_MAT(m->v[1])->data[j])) return -INFINITY;
  return -m->p[0];
}

static void box_support(const Measure *m, double *lo, double *hi) {
  memcpy(lo, AS_MAT(m->v[0])->data, m->dim * sizeof(double));
  memcpy(hi, AS_MAT(m->v[1])->data, m->dim * sizeof(double));
}

static const MeasureKind box_kind = {
  .name = "uniform",
  .print = box_print,
  .sample = box_sample,
  .mean = box_mean,
  .cov = box_cov,
  .logpdf = box_logpdf,
  .support = box_support,
};

static Value box_new(Args *a) {
  Value lov, hiv;
  if (!vec_param(a, 0, "a", &lov)) return v_abrupt();
  if (!vec_param(a, 1, "b", &hiv)) {
    val_release(lov);
    return v_abrupt();
  }
  Value result = v_abrupt();
  if (IS_NIL(hiv)) {
    call_error(a, "a box needs both corners: uniform(lo_vector, hi_vector)");
    goto fail;
  }
  Mat *lo = AS_MAT(lov), *hi = AS_MAT(hiv);
  size_t d = mat_numel(lo);
  if (mat_numel(hi) != d || d == 0) {
    param_error(a, 1, "b", "the corners must have the same positive length, got %zu and %zu", d, mat_numel(hi));
    goto fail;
  }
  double logvol = 0;
  for (size_t j = 0; j < d; j++) {
    if (!(lo->data[j] < hi->data[j])) {
      param_error(a, 1, "b", "each lower corner entry must be below the upper one, got %s and %s at position %zu",
                  num_text(lo->data[j]).s, num_text(hi->data[j]).s, j + 1);
      goto fail;
    }
    logvol += log(hi->data[j] - lo->data[j]);
  }
  Measure *m = measure_new(&box_kind, d);
  m->v[0] = lov;
  m->v[1] = hiv;
  m->p[0] = logvol;
  return measure_value(m);
fail:
  val_release(lov);
  val_release(hiv);
  return result;
}

/* uniform(a=0, b=1) on an interval; uniform(lo_vector, hi_vector) on a box */
static Value bi_uniform(Args *a) {
  const Value *av;
  if (!param_value(a, 0, "a", &av)) return v_abrupt();
  if (av && !IS_NUM(*av) && !IS_BOOL(*av)) return box_new(a);
  double lo, hi;
  if (!num_param(a, 0, "a", 0, PARAM_ANY, &lo, NULL) || !num_param(a, 1, "b", 1, PARAM_ANY, &hi, NULL)) return v_abrupt();
  if (!(lo < hi))
    return param_error(a, a->n > 1 ? 1 : -1, "b", "a must be less than b, got a = %s and b = %s", num_text(lo).s,
                       num_text(hi).s);
  if (!isfinite(hi - lo)) return param_error(a, 1, "b", "the interval is too wide: b - a overflows");
  Measure *m = measure_new(&uniform1_kind, 1);
  m->p[0] = lo;
  m->p[1] = hi;
  return measure_value(m);
}

/* ------------------------------------------------------------------ sphere and ball */
/* uniform on S^{d-1} (p[0] = 0) or in the unit ball (p[0] = 1) of R^d */
static void round_print(const Measure *m, StrBuf *out) {
  sb_printf(out, "%s(%zu)", m->p[0] ? "ball" : "sphere", m->dim);
}

/* rand_sphere/rand_ball's draw: a direction from gsl_ran_dir_nd, and for the ball the radius
 * U^(1/d) */
static bool round_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  (void)a;
  size_t d = m->dim;
  for (size_t i = 0; i < n; i++) {
    double *x = out + i * d;
    gsl_ran_dir_nd(rng, d, x);
    if (m->p[0]) {
      double r = pow(gsl_rng_uniform(rng), 1.0 / (double)d);
      for (size_t j = 0; j < d; j++) x[j] *= r;
    }
  }
  return true;
}

static bool zero_mean(const Measure *m, double *out) {
  for (size_t j = 0; j < m->dim; j++) out[j] = 0;
  return true;
}

/* E[x x'] = E|x|^2 I / d, with E|x|^2 = 1 on the sphere and d/(d+2) in the ball */
static bool round_cov(const Measure *m, double *out) {
  size_t d = m->dim;
  double s = m->p[0] ? 1.0 / ((double)d + 2) : 1.0 / (double)d;
  for (size_t i = 0; i < d * d; i++) out[i] = 0;
  for (size_t j = 0; j < d; j++) out[j * d + j] = s;
  return true;
}

/* on the line: sphere(1) is ±1, ball(1) is uniform(-1, 1) */
static bool round_raw(const Measure *m, int k, double *out) {
  if (m->dim != 1) return false;
  *out = k % 2 ? 0 : m->p[0] ? 1.0 / (k + 1) : 1;
  return true;
}

/* the ball's density 1/vol, vol = π^(d/2) / Γ(d/2 + 1) */
static double ball_logpdf(const Measure *m, const double *x) {
  double r2 = 0, d = (double)m->dim;
  for (size_t j = 0; j < m->dim; j++) r2 += x[j] * x[j];
  if (isnan(r2)) return NAN;
  return r2 <= 1 ? -(d / 2 * log(M_PI) - gsl_sf_lngamma(d / 2 + 1)) : -INFINITY;
}

static void round_support(const Measure *m, double *lo, double *hi) {
  for (size_t j = 0; j < m->dim; j++) {
    lo[j] = -1;
    hi[j] = 1;
  }
}

static const MeasureKind sphere_kind = {
  .name = "sphere",
  .print = round_print,
  .sample = round_sample,
  .mean = zero_mean,
  .cov = round_cov,
  .raw_moment = round_raw,
  .support = round_support,
};

static const MeasureKind ball_kind = {
  .name = "ball",
  .print = round_print,
  .sample = round_sample,
  .mean = zero_mean,
  .cov = round_cov,
  .raw_moment = round_raw,
  .logpdf = ball_logpdf,
  .support = round_support,
};

/* dimensions beyond this are a typo, not an experiment */
#define MAX_DIM 100000000

static Value round_new(Args *a, bool ball) {
  size_t d;
  if (!arg_size(a, 0, &d)) return v_abrupt();
  if (d < 1 || d > MAX_DIM) return arg_error(a, 0, "d must be between 1 and 1e8, got %zu", d);
  Measure *m = measure_new(ball ? &ball_kind : &sphere_kind, d);
  m->p[0] = ball;
  return measure_value(m);
}

static Value bi_sphere(Args *a) { return round_new(a, false); }
static Value bi_ball(Args *a) { return round_new(a, true); }

/* ------------------------------------------------------------------ chi-square */
/* p[0] = k > 0 degrees of freedom */
static void chisq_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "chisq(");
  put_num(out, m->p[0]);
  sb_putc(out, ')');
}

static bool chisq_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  (void)a;
  for (size_t i = 0; i < n; i++) out[i] = gsl_ran_chisq(rng, m->p[0]);
  return true;
}

/* E[X^j] = k (k + 2) ... (k + 2(j-1)) */
static bool chisq_raw(const Measure *m, int k, double *out) {
  double s = 1;
  for (int i = 0; i < k; i++) s *= m->p[0] + 2 * i;
  *out = s;
  return true;
}

static double chisq_logpdf(const Measure *m, const double *x) {
  double h = m->p[0] / 2;
  if (isnan(x[0])) return NAN;
  if (x[0] < 0) return -INFINITY;
  if (x[0] == 0) return h < 1 ? INFINITY : h == 1 ? -M_LN2 : -INFINITY;
  return (h - 1) * log(x[0]) - x[0] / 2 - h * M_LN2 - gsl_sf_lngamma(h);
}

static double chisq_cdf(const Measure *m, double x) { return x <= 0 ? (isnan(x) ? NAN : 0) : gsl_cdf_chisq_P(x, m->p[0]); }

static bool chisq_score(const Measure *m, const double *x, double *g) {
  if (!(x[0] > 0)) return false;
  g[0] = (m->p[0] / 2 - 1) / x[0] - 0.5;
  return true;
}

static void halfline(const Measure *m, double *lo, double *hi) {
  (void)m;
  lo[0] = 0;
  hi[0] = INFINITY;
}

static const MeasureKind chisq_kind = {
  .name = "chisq",
  .print = chisq_print,
  .sample = chisq_sample,
  .raw_moment = chisq_raw,
  .logpdf = chisq_logpdf,
  .cdf = chisq_cdf,
  .score = chisq_score,
  .support = halfline,
};

static Value bi_chisq(Args *a) {
  double k;
  if (!num_param(a, 0, "k", 1, PARAM_POSITIVE, &k, NULL)) return v_abrupt();
  Measure *m = measure_new(&chisq_kind, 1);
  m->p[0] = k;
  return measure_value(m);
}

/* ------------------------------------------------------------------ location-scale families */
/* p[0] loc, p[1] scale > 0 */
static void locscale_print(const Measure *m, StrBuf *out) {
  sb_printf(out, "%s(loc=", m->kind->name);
  put_num(out, m->p[0]);
  sb_puts(out, ", scale=");
  put_num(out, m->p[1]);
  sb_putc(out, ')');
}

static bool cauchy_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  (void)a;
  for (size_t i = 0; i < n; i++) out[i] = m->p[0] + gsl_ran_cauchy(rng, m->p[1]);
  return true;
}

static bool no_moment(const Measure *m, double *out) {
  (void)m;
  (void)out;
  return false;
}

static bool cauchy_raw(const Measure *m, int k, double *out) {
  (void)m;
  *out = 1;
  return k == 0;
}

static double cauchy_logpdf(const Measure *m, const double *x) {
  double z = (x[0] - m->p[0]) / m->p[1];
  return -log(M_PI * m->p[1]) - log1p(z * z);
}

static double cauchy_cdf(const Measure *m, double x) { return gsl_cdf_cauchy_P(x - m->p[0], m->p[1]); }

static bool cauchy_score(const Measure *m, const double *x, double *g) {
  double r = x[0] - m->p[0];
  g[0] = -2 * r / (sq(m->p[1]) + r * r);
  return isfinite(g[0]);
}

static const MeasureKind cauchy_kind = {
  .name = "cauchy",
  .print = locscale_print,
  .sample = cauchy_sample,
  .mean = no_moment,
  .cov = no_moment,
  .raw_moment = cauchy_raw,
  .logpdf = cauchy_logpdf,
  .cdf = cauchy_cdf,
  .score = cauchy_score,
  .support = real_line,
};

static bool laplace_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  (void)a;
  for (size_t i = 0; i < n; i++) out[i] = m->p[0] + gsl_ran_laplace(rng, m->p[1]);
  return true;
}

/* E[(loc + s Y)^k] with E[Y^j] = j! for even j and 0 for odd j */
static bool laplace_raw(const Measure *m, int k, double *out) {
  double s = 0;
  for (int j = 0; j <= k; j += 2) {
    double t = pow(m->p[0], k - j);
    if (t != 0) s += gsl_sf_choose((unsigned)k, (unsigned)j) * t * tgamma(j + 1.0) * pow(m->p[1], j);
  }
  *out = s;
  return true;
}

static bool laplace_central(const Measure *m, int k, double *out) {
  *out = k % 2 ? 0 : tgamma(k + 1.0) * pow(m->p[1], k);
  return true;
}

static double laplace_logpdf(const Measure *m, const double *x) {
  return -fabs(x[0] - m->p[0]) / m->p[1] - log(2 * m->p[1]);
}

static double laplace_cdf(const Measure *m, double x) { return gsl_cdf_laplace_P(x - m->p[0], m->p[1]); }

/* -sign(x - loc)/scale, undefined at the kink x = loc */
static bool laplace_score(const Measure *m, const double *x, double *g) {
  double r = x[0] - m->p[0];
  if (!(r != 0) || isnan(r)) return false;
  g[0] = (r > 0 ? -1 : 1) / m->p[1];
  return true;
}

static const MeasureKind laplace_kind = {
  .name = "laplace",
  .print = locscale_print,
  .sample = laplace_sample,
  .raw_moment = laplace_raw,
  .logpdf = laplace_logpdf,
  .cdf = laplace_cdf,
  .score = laplace_score,
  .support = real_line,
  .central_moment = laplace_central,
};

static Value locscale_new(Args *a, const MeasureKind *kind) {
  double loc, scale;
  if (!num_param(a, 0, "loc", 0, PARAM_ANY, &loc, NULL) || !num_param(a, 1, "scale", 1, PARAM_POSITIVE, &scale, NULL))
    return v_abrupt();
  Measure *m = measure_new(kind, 1);
  m->p[0] = loc;
  m->p[1] = scale;
  return measure_value(m);
}

static Value bi_cauchy(Args *a) { return locscale_new(a, &cauchy_kind); }
static Value bi_laplace(Args *a) { return locscale_new(a, &laplace_kind); }

/* ------------------------------------------------------------------ exponential */
/* p[0] = rate > 0 */
static void exponential_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "exponential(rate=");
  put_num(out, m->p[0]);
  sb_putc(out, ')');
}

static bool exponential_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  (void)a;
  for (size_t i = 0; i < n; i++) out[i] = gsl_ran_exponential(rng, 1 / m->p[0]);
  return true;
}

static bool exponential_raw(const Measure *m, int k, double *out) {
  *out = tgamma(k + 1.0) / pow(m->p[0], k);
  return true;
}

/* E[(X - 1/λ)^k] = !k / λ^k (the subfactorial: the number of derangements) */
static bool exponential_central(const Measure *m, int k, double *out) {
  double d = 1; /* !0 = 1, !1 = 0, !j = j !(j-1) + (-1)^j */
  for (int j = 1; j <= k; j++) d = j * d + (j % 2 ? -1 : 1);
  *out = d / pow(m->p[0], k);
  return true;
}

static double exponential_logpdf(const Measure *m, const double *x) {
  if (isnan(x[0])) return NAN;
  return x[0] >= 0 ? log(m->p[0]) - m->p[0] * x[0] : -INFINITY;
}

static double exponential_cdf(const Measure *m, double x) {
  return x <= 0 ? (isnan(x) ? NAN : 0) : gsl_cdf_exponential_P(x, 1 / m->p[0]);
}

static bool exponential_score(const Measure *m, const double *x, double *g) {
  if (!(x[0] > 0)) return false;
  g[0] = -m->p[0];
  return true;
}

static const MeasureKind exponential_kind = {
  .name = "exponential",
  .print = exponential_print,
  .sample = exponential_sample,
  .raw_moment = exponential_raw,
  .logpdf = exponential_logpdf,
  .cdf = exponential_cdf,
  .score = exponential_score,
  .support = halfline,
  .central_moment = exponential_central,
};

static Value bi_exponential(Args *a) {
  double rate;
  if (!num_param(a, 0, "rate", 1, PARAM_POSITIVE, &rate, NULL)) return v_abrupt();
  Measure *m = measure_new(&exponential_kind, 1);
  m->p[0] = rate;
  return measure_value(m);
}

/* ------------------------------------------------------------------ atoms: discrete and friends */
/* v[0] the atoms (k×d, one per row), v[1] their weights (k×1, normalised to sum 1); priv a
 * gsl_ran_discrete_t table built from the weights as given (so categorical draws are
 * rand_categorical's). Rademacher, bernoulli, categorical, dirac and empirical are atoms too and
 * share everything but printing and the sampler. */
static size_t n_atoms(const Measure *m) { return mat_rows(AS_MAT(m->v[0])); }
static const double *atom(const Measure *m, size_t i) { return AS_MAT(m->v[0])->data + i * m->dim; }
static const double *weights(const Measure *m) { return AS_MAT(m->v[1])->data; }

static bool atoms_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  (void)a;
  for (size_t i = 0; i < n; i++) {
    size_t j = gsl_ran_discrete(rng, m->priv);
    memcpy(out + i * m->dim, atom(m, j), m->dim * sizeof(double));
  }
  return true;
}

/* empirical: a row uniformly, with replacement */
static bool empirical_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  (void)a;
  for (size_t i = 0; i < n; i++)
    memcpy(out + i * m->dim, atom(m, gsl_rng_uniform_int(rng, n_atoms(m))), m->dim * sizeof(double));
  return true;
}

static bool dirac_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  (void)a;
  (void)rng;
  for (size_t i = 0; i < n; i++) memcpy(out + i * m->dim, atom(m, 0), m->dim * sizeof(double));
  return true;
}

/* rand_rademacher's and rand_bernoulli's draws (atoms -1, 1 and 0, 1) */
static bool rademacher_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  (void)a;
  (void)m;
  for (size_t i = 0; i < n; i++) out[i] = gsl_rng_uniform_int(rng, 2) ? 1 : -1;
  return true;
}

static bool bernoulli_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  (void)a;
  for (size_t i = 0; i < n; i++) out[i] = gsl_ran_bernoulli(rng, m->p[0]);
  return true;
}

static bool atoms_mean(const Measure *m, double *out) {
  const double *w = weights(m);
  for (size_t j = 0; j < m->dim; j++) out[j] = 0;
  for (size_t i = 0; i < n_atoms(m); i++)
    for (size_t j = 0; j < m->dim; j++) out[j] += w[i] * atom(m, i)[j];
  return true;
}

/* Σ w_i (a_i - mean)(a_i - mean)', centred first so no digits cancel */
static bool atoms_cov(const Measure *m, double *out) {
  size_t d = m->dim;
  double *mu = malloc(d * sizeof *mu);
  if (!mu) return false;
  atoms_mean(m, mu);
  for (size_t i = 0; i < d * d; i++) out[i] = 0;
  for (size_t i = 0; i < n_atoms(m); i++) {
    const double *x = atom(m, i);
    for (size_t r = 0; r < d; r++)
      for (size_t c = 0; c < d; c++) out[r * d + c] += weights(m)[i] * (x[r] - mu[r]) * (x[c] - mu[c]);
  }
  free(mu);
  return true;
}

static bool atoms_raw(const Measure *m, int k, double *out) {
  double s = 0;
  for (size_t i = 0; i < n_atoms(m); i++) s += weights(m)[i] * pow(atom(m, i)[0], k);
  *out = s;
  return true;
}

static bool atoms_central(const Measure *m, int k, double *out) {
  double mu;
  atoms_mean(m, &mu);
  double s = 0;
  for (size_t i = 0; i < n_atoms(m); i++) s += weights(m)[i] * pow(atom(m, i)[0] - mu, k);
  *out = s;
  return true;
}

/* the mass at x (density with respect to counting measure) */
static double atoms_logpdf(const Measure *m, const double *x) {
  double s = 0;
  for (size_t i = 0; i < n_atoms(m); i++) {
    bool same = true;
    for (size_t j = 0; j < m->dim && same; j++) same = atom(m, i)[j] == x[j];
    if (same) s += weights(m)[i];
  }
  for (size_t j = 0; j < m->dim; j++)
    if (isnan(x[j])) return NAN;
  return log(s);
}

static double atoms_cdf(const Measure *m, double x) {
  if (isnan(x)) return NAN;
  double s = 0;
  for (size_t i = 0; i < n_atoms(m); i++)
    if (atom(m, i)[0] <= x) s += weights(m)[i];
  return fmin(s, 1);
}

/* the smallest box holding every atom of positive weight */
static void atoms_support(const Measure *m, double *lo, double *hi) {
  for (size_t j = 0; j < m->dim; j++) {
    lo[j] = INFINITY;
    hi[j] = -INFINITY;
  }
  for (size_t i = 0; i < n_atoms(m); i++)
    if (weights(m)[i] > 0)
      for (size_t j = 0; j < m->dim; j++) {
        lo[j] = fmin(lo[j], atom(m, i)[j]);
        hi[j] = fmax(hi[j], atom(m, i)[j]);
      }
}

static void atoms_free(Measure *m) {
  if (m->priv) gsl_ran_discrete_free(m->priv);
}

static void discrete_print(const Measure *m, StrBuf *out) {
  size_t k = n_atoms(m);
  sb_printf(out, "discrete(%zu atom%s", k, k == 1 ? "" : "s");
  if (m->dim > 1) sb_printf(out, " in R^%zu", m->dim);
  sb_putc(out, ')');
}

static void empirical_print(const Measure *m, StrBuf *out) {
  size_t k = n_atoms(m);
  sb_printf(out, "empirical(%zu sample%s", k, k == 1 ? "" : "s");
  if (m->dim > 1) sb_printf(out, " in R^%zu", m->dim);
  sb_putc(out, ')');
}

static void categorical_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "categorical(");
  put_vec(out, AS_MAT(m->v[1]));
  sb_putc(out, ')');
}

static void dirac_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "dirac(");
  if (m->dim == 1)
    put_num(out, atom(m, 0)[0]);
  else
    put_vec(out, AS_MAT(m->v[0]));
  sb_putc(out, ')');
}

static void rademacher_print(const Measure *m, StrBuf *out) {
  (void)m;
  sb_puts(out, "rademacher()");
}

static void bernoulli_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "bernoulli(");
  put_num(out, m->p[0]);
  sb_putc(out, ')');
}

#define ATOM_HOOKS                                                                                                \
  .mean = atoms_mean, .cov = atoms_cov, .raw_moment = atoms_raw, .logpdf = atoms_logpdf, .cdf = atoms_cdf,         \
  .support = atoms_support, .free_priv = atoms_free, .central_moment = atoms_central

static const MeasureKind discrete_kind = {.name = "discrete", .print = discrete_print, .sample = atoms_sample, ATOM_HOOKS};
static const MeasureKind empirical_kind = {.name = "empirical", .print = empirical_print, .sample = empirical_sample, ATOM_HOOKS};
static const MeasureKind categorical_kind = {.name = "categorical", .print = categorical_print, .sample = atoms_sample, ATOM_HOOKS};
static const MeasureKind dirac_kind = {.name = "dirac", .print = dirac_print, .sample = dirac_sample, ATOM_HOOKS};
static const MeasureKind rademacher_kind = {.name = "rademacher", .print = rademacher_print, .sample = rademacher_sample, ATOM_HOOKS};
static const MeasureKind bernoulli_kind = {.name = "bernoulli", .print = bernoulli_print, .sample = bernoulli_sample, ATOM_HOOKS};

/* Weights w (k×1): finite, non-negative, with a positive finite sum; the normalised copy goes to
 * *norm, and with table set the sampling table is built from w as given. */
static bool check_weights(Args *a, int wi, const Mat *w, Value *norm, gsl_ran_discrete_t **table) {
  size_t k = mat_numel(w);
  double total = 0;
  for (size_t i = 0; i < k; i++) {
    double x = w->data[i];
    if (!isfinite(x)) {
      param_error(a, wi, "weights", "weights must be finite, got %s at position %zu", num_text(x).s, i + 1);
      return false;
    }
    if (x < 0) {
      param_error(a, wi, "weights",
                  "weights must be non-negative, got %s at position %zu (for a signed measure use "
                  "signed_discrete(atoms, weights))",
                  num_text(x).s, i + 1);
      return false;
    }
    total += x;
  }
  if (!(total > 0 && isfinite(total))) {
    param_error(a, wi, "weights", "weights must have a positive, finite sum, got %s", num_text(total).s);
    return false;
  }
  Mat *n = mat_alloc(k, 1);
  if (!n) {
    dlt_error_oom(a->I, a->call, k, 1);
    return false;
  }
  for (size_t i = 0; i < k; i++) n->data[i] = w->data[i] / total;
  if (table) {
    *table = gsl_ran_discrete_preproc(k, w->data);
    if (!*table) {
      dlt_gsl_clear();
      val_release(v_obj(n));
      call_error(a, "out of memory");
      return false;
    }
  }
  *norm = v_obj(n);
  return true;
}

/* a measure on atoms (new k×d matrix, taken over) with weights (taken over) and sampling table */
static Value atoms_measure(const MeasureKind *kind, Value atoms, Value w, gsl_ran_discrete_t *table) {
  Measure *m = measure_new(kind, mat_cols(AS_MAT(atoms)));
  m->v[0] = atoms;
  m->v[1] = w;
  m->priv = table;
  return measure_value(m);
}

/* a column of the given numbers */
static Value column_of(Args *a, const double *x, size_t k) {
  Mat *c = mat_alloc(k, 1);
  if (!c) return dlt_error_oom(a->I, a->call, k, 1);
  memcpy(c->data, x, k * sizeof(double));
  return v_obj(c);
}

static Value bi_rademacher(Args *a) {
  static const double at[] = {-1, 1}, w[] = {0.5, 0.5};
  Value av = column_of(a, at, 2), wv;
  if (IS_ABRUPT(av)) return av;
  wv = column_of(a, w, 2);
  if (IS_ABRUPT(wv)) {
    val_release(av);
    return wv;
  }
  return atoms_measure(&rademacher_kind, av, wv, NULL);
}

static Value bi_bernoulli(Args *a) {
  double p;
  if (!num_param(a, 0, "p", 0.5, PARAM_UNIT, &p, NULL)) return v_abrupt();
  double at[] = {0, 1}, w[] = {1 - p, p};
  Value av = column_of(a, at, 2), wv;
  if (IS_ABRUPT(av)) return av;
  wv = column_of(a, w, 2);
  if (IS_ABRUPT(wv)) {
    val_release(av);
    return wv;
  }
  Value r = atoms_measure(&bernoulli_kind, av, wv, NULL);
  as_measure(r)->p[0] = p;
  return r;
}

static Value bi_categorical(Args *a) {
  Value wv, norm;
  gsl_ran_discrete_t *table;
  if (!vec_param(a, 0, "weights", &wv)) return v_abrupt();
  if (IS_NIL(wv)) return call_error(a, "categorical needs its weights");
  if (!check_weights(a, 0, AS_MAT(wv), &norm, &table)) {
    val_release(wv);
    return v_abrupt();
  }
  size_t k = mat_numel(AS_MAT(wv));
  val_release(wv);
  Mat *at = mat_alloc(k, 1);
  if (!at) {
    gsl_ran_discrete_free(table);
    val_release(norm);
    return dlt_error_oom(a->I, a->call, k, 1);
  }
  for (size_t i = 0; i < k; i++) at->data[i] = (double)(i + 1);
  return atoms_measure(&categorical_kind, v_obj(at), norm, table);
}

static Value bi_dirac(Args *a) {
  Value xv;
  if (!vec_param(a, 0, "x", &xv)) return v_abrupt();
  if (IS_NIL(xv)) return call_error(a, "dirac needs its point");
  size_t d = mat_numel(AS_MAT(xv));
  if (d == 0) {
    val_release(xv);
    return arg_error(a, 0, "the point must have at least one coordinate");
  }
  Mat *row = mat_alloc(1, d);
  double one = 1;
  Value wv = row ? column_of(a, &one, 1) : v_abrupt();
  if (!row || IS_ABRUPT(wv)) {
    if (row) val_release(v_obj(row));
    val_release(xv);
    return row ? wv : dlt_error_oom(a->I, a->call, 1, d);
  }
  memcpy(row->data, AS_MAT(xv)->data, d * sizeof(double));
  val_release(xv);
  return atoms_measure(&dirac_kind, v_obj(row), wv, NULL);
}

/* Atoms as a k×d matrix (new reference): one atom per row, except that a 1×k row with k weights is
 * k atoms on the line. */
static bool atoms_param(Args *a, size_t nweights, bool has_weights, Value *out) {
  if (!mat_param(a, 0, "atoms", out)) return false;
  if (IS_NIL(*out)) {
    call_error(a, "needs its atoms");
    return false;
  }
  Mat *x = AS_MAT(*out);
  if (!all_finite(a, 0, "atoms", x)) {
    val_release(*out);
    return false;
  }
  if (mat_rows(x) == 1 && mat_cols(x) > 1 && (!has_weights || nweights == mat_cols(x))) {
    Mat *c = mat_alloc(mat_cols(x), 1);
    if (!c) {
      val_release(*out);
      dlt_error_oom(a->I, a->call, mat_cols(x), 1);
      return false;
    }
    memcpy(c->data, x->data, mat_cols(x) * sizeof(double));
    val_release(*out);
    *out = v_obj(c);
  }
  return true;
}

static Value bi_discrete(Args *a) {
  Value wv, atv, norm;
  gsl_ran_discrete_t *table;
  if (!vec_param(a, 1, "weights", &wv)) return v_abrupt();
  bool has_w = !IS_NIL(wv);
  if (!atoms_param(a, has_w ? mat_numel(AS_MAT(wv)) : 0, has_w, &atv)) {
    val_release(wv);
    return v_abrupt();
  }
  size_t k = mat_rows(AS_MAT(atv));
  if (!has_w) {
    Mat *eq = mat_alloc(k, 1);
    if (!eq) {
      val_release(atv);
      return dlt_error_oom(a->I, a->call, k, 1);
    }
    for (size_t i = 0; i < k; i++) eq->data[i] = 1;
    wv = v_obj(eq);
  } else if (mat_numel(AS_MAT(wv)) != k) {
    Value e = param_error(a, 1, "weights", "there must be one weight per atom: %zu atoms (rows), %zu weights", k,
                          mat_numel(AS_MAT(wv)));
    val_release(atv);
    val_release(wv);
    return e;
  }
  if (k == 0 || mat_cols(AS_MAT(atv)) == 0) {
    val_release(atv);
    val_release(wv);
    return arg_error(a, 0, "needs at least one atom with at least one coordinate");
  }
  bool ok = check_weights(a, 1, AS_MAT(wv), &norm, &table);
  val_release(wv);
  if (!ok) {
    val_release(atv);
    return v_abrupt();
  }
  return atoms_measure(&discrete_kind, atv, norm, table);
}

static Value bi_empirical(Args *a) {
  Value xv;
  if (!arg_mat(a, 0, &xv)) return v_abrupt();
  Mat *x = AS_MAT(xv);
  if (!all_finite(a, 0, "the samples", x)) {
    val_release(xv);
    return v_abrupt();
  }
  if (mat_rows(x) == 1 && mat_cols(x) > 1) { /* a row of numbers: samples on the line */
    size_t n = mat_cols(x);
    Mat *c = mat_alloc(n, 1);
    if (!c) {
      val_release(xv);
      return dlt_error_oom(a->I, a->call, n, 1);
    }
    memcpy(c->data, x->data, mat_cols(x) * sizeof(double));
    val_release(xv);
    xv = v_obj(c);
    x = c;
  }
  size_t k = mat_rows(x), d = mat_cols(x);
  if (k == 0 || d == 0) {
    val_release(xv); /* x with it: the message uses k and d */
    return arg_error(a, 0, "needs at least one sample (row), got a %zu×%zu matrix", k, d);
  }
  Mat *w = mat_alloc(k, 1);
  if (!w) {
    val_release(xv);
    return dlt_error_oom(a->I, a->call, k, 1);
  }
  for (size_t i = 0; i < k; i++) w->data[i] = 1.0 / (double)k;
  return atoms_measure(&empirical_kind, xv, v_obj(w), NULL);
}

/* ------------------------------------------------------------------ sample */
static Value bi_sample(Args *a) {
  Measure *m;
  size_t n = 1;
  if (!arg_measure(a, 0, &m)) return v_abrupt();
  bool one = a->n < 2;
  if (!one && !arg_size(a, 1, &n)) return v_abrupt();
  gsl_rng *rng = args_rng(a);
  if (!rng) return v_abrupt();
  Value x = measure_comb_sample_result(a, m, measure_sample(a, m, rng, n));
  args_rng_done(a, rng);
  /* without n, one draw as rand_normal() gives it: a number on the line, else a 1×d row */
  if (one && IS_MAT(x) && m->dim == 1 && mat_numel(AS_MAT(x)) == 1) {
    double d = AS_MAT(x)->data[0];
    val_release(x);
    return v_num(d);
  }
  return x;
}

/* ------------------------------------------------------------------ closed forms, checked */
/* the measure's mean (dim numbers), or false after an error */
static bool need_mean(Args *a, const Measure *m, double *out) {
  if (m->kind->mean) {
    if (m->kind->mean(m, out)) return true;
    call_error(a, "a %s measure has no mean", m->kind->name);
    return false;
  }
  if (m->dim == 1 && m->kind->raw_moment) {
    if (m->kind->raw_moment(m, 1, out)) return true;
    call_error(a, "a %s measure has no mean", m->kind->name);
    return false;
  }
  call_error(a, "no closed-form mean for a %s measure (use expect(mu, fn(x) => x))", m->kind->name);
  return false;
}

static bool need_1d(Args *a, const Measure *m, const char *hint) {
  if (m->dim == 1) return true;
  call_error(a, "needs a measure on the line, got one on R^%zu%s", m->dim, hint);
  return false;
}

/* E[x^k] on the line, or false after an error */
static bool need_raw(Args *a, const Measure *m, int k, double *out) {
  if (!need_1d(a, m, "")) return false;
  if (k == 0 && !m->is_signed && !m->kind->mass) {
    *out = 1;
    return true;
  }
  if (!m->kind->raw_moment) {
    if (k == 1 && m->kind->mean) return need_mean(a, m, out);
    call_error(a, "no closed-form moments for a %s measure (use expect(mu, fn(x) => x^%d))", m->kind->name, k);
    return false;
  }
  if (m->kind->raw_moment(m, k, out)) return true;
  call_error(a, "a %s measure has no moment of order %d", m->kind->name, k);
  return false;
}

/* E[(x - mean)^k] on the line: the kind's exact form, else the binomial expansion of the raw
 * moments Σ C(k, j) E[x^j] (-mean)^(k-j) */
static bool need_central(Args *a, const Measure *m, int k, double *out) {
  if (!need_1d(a, m, "")) return false;
  if (m->kind->central_moment && m->kind->central_moment(m, k, out)) return true;
  if (k == 2 && m->kind->cov) {
    if (m->kind->cov(m, out)) return true;
    call_error(a, "a %s measure has no variance", m->kind->name);
    return false;
  }
  double mu, s = 0, r;
  if (!need_mean(a, m, &mu)) return false;
  for (int j = 0; j <= k; j++) {
    if (!need_raw(a, m, j, &r)) return false;
    s += gsl_sf_choose((unsigned)k, (unsigned)j) * r * pow(-mu, k - j);
  }
  *out = s;
  return true;
}

/* the covariance (dim×dim), or false after an error */
static bool need_cov(Args *a, const Measure *m, double *out) {
  if (m->kind->cov) {
    if (m->kind->cov(m, out)) return true;
    if (!m->kind->mean || m->kind->mean(m, out))
      call_error(a, "could not compute the covariance of a %s measure (out of memory)", m->kind->name);
    else
      call_error(a, "a %s measure has no %s", m->kind->name, m->dim == 1 ? "variance" : "covariance");
    return false;
  }
  if (m->dim == 1 && (m->kind->raw_moment || m->kind->central_moment)) return need_central(a, m, 2, out);
  call_error(a, "no closed-form %s for a %s measure (use expect)", m->dim == 1 ? "variance" : "covariance",
             m->kind->name);
  return false;
}

/* ------------------------------------------------------------------ the method hook */
/* The generic builtins applied to a measure: the measure and at most max_pos - 1 more positional
 * arguments, no keywords but `allowed` (the name of the optional second one). */
static bool method_arity(Args *a, int max_pos, const char *allowed, const char *usage) {
  for (int k = 0; k < a->nkw; k++)
    if (!allowed || strcmp(a->kwnames[k], allowed) != 0) {
      kw_error(a, a->kwnames[k], "%s= does not apply to a measure (usage: %s)", a->kwnames[k], usage);
      return false;
    }
  if (a->n > max_pos) {
    call_error(a, "takes at most %d argument%s for a measure, got %d (usage: %s)", max_pos, max_pos == 1 ? "" : "s",
               a->n, usage);
    return false;
  }
  return true;
}

/* the order k of a moment (positional 1 or k=), an integer from lo to 1000, as stats takes it */
static bool method_order(Args *a, long lo, long dflt, bool required, const char *usage, int *k) {
  const Value *v = a->n > 1 ? &a->v[1] : kw_get(a, "k");
  if (a->n > 1 && kw_get(a, "k")) {
    kw_error(a, "k", "k is given twice");
    return false;
  }
  if (!v) {
    if (required) call_error(a, "the order k is missing (usage: %s)", usage);
    *k = (int)dflt;
    return !required;
  }
  double x = IS_NUM(*v) ? AS_NUM(*v) : NAN;
  if (!(x == floor(x)) || x < (double)lo || x > 1000) {
    if (a->n > 1)
      arg_error(a, 1, "k must be an integer from %ld to 1000, got %s", lo, IS_NUM(*v) ? num_text(x).s : val_type_name(*v));
    else
      kw_error(a, "k", "k must be an integer from %ld to 1000, got %s", lo, IS_NUM(*v) ? num_text(x).s : val_type_name(*v));
    return false;
  }
  *k = (int)x;
  return true;
}

/* a vector of d numbers as a number (d = 1) or a d×1 column */
static Value vec_value(Args *a, const double *x, size_t d) {
  if (d == 1) return v_num(x[0]);
  return column_of(a, x, d);
}

static Value method_mean(Args *a, const Measure *m) {
  if (!method_arity(a, 1, NULL, "mean(mu)")) return v_abrupt();
  double *x = malloc(m->dim * sizeof *x);
  if (!x) return dlt_error_oom(a->I, a->call, m->dim, 1);
  Value r = need_mean(a, m, x) ? vec_value(a, x, m->dim) : v_abrupt();
  free(x);
  return r;
}

static Value method_cov(Args *a, const Measure *m) {
  if (!method_arity(a, 1, NULL, "cov(mu)")) return v_abrupt();
  size_t d = m->dim;
  Mat *c = mat_alloc(d, d);
  if (!c) return dlt_error_oom(a->I, a->call, d, d);
  if (!need_cov(a, m, c->data)) {
    val_release(v_obj(c));
    return v_abrupt();
  }
  if (d == 1) {
    double v = c->data[0];
    val_release(v_obj(c));
    return v_num(v);
  }
  return v_obj(c);
}

static Value method_var(Args *a, const Measure *m, bool sd) {
  if (!method_arity(a, 1, NULL, sd ? "sd(mu)" : "var(mu)") || !need_1d(a, m, " (use cov)")) return v_abrupt();
  double v;
  if (!need_cov(a, m, &v)) return v_abrupt();
  return v_num(sd ? sqrt(v) : v);
}

static Value method_moment(Args *a, const Measure *m, bool central) {
  const char *usage = central ? "cmoment(mu, k)" : "moment(mu, k)";
  int k;
  double x;
  if (!method_arity(a, 2, "k", usage) || !method_order(a, 0, 0, true, usage, &k)) return v_abrupt();
  if (!(central ? need_central(a, m, k, &x) : need_raw(a, m, k, &x))) return v_abrupt();
  return v_num(x);
}

/* κ1 = mean, κ2 = μ2 and κ_j = μ_j - Σ_{i=2}^{j-2} C(j-1, i-1) κ_i μ_{j-i}: the recursion of
 * stats' cumulants, on the exact central moments */
static Value method_cumulants(Args *a, const Measure *m) {
  int k;
  if (!method_arity(a, 2, "k", "cumulants(mu, k=4)") || !method_order(a, 1, 4, false, "cumulants(mu, k=4)", &k))
    return v_abrupt();
  if (!need_1d(a, m, "")) return v_abrupt();
  Mat *out = mat_alloc((size_t)k, 1);
  double *mu = malloc(((size_t)k + 1) * sizeof *mu);
  if (!out || !mu) {
    free(mu);
    if (out) val_release(v_obj(out));
    return dlt_error_oom(a->I, a->call, (size_t)k, 1);
  }
  double *kap = out->data;
  bool ok = need_mean(a, m, &kap[0]);
  for (int j = 2; j <= k && ok; j++) ok = need_central(a, m, j, &mu[j]);
  for (int j = 2; j <= k && ok; j++) {
    double t = mu[j];
    for (int i = 2; i <= j - 2; i++) t -= gsl_sf_choose((unsigned)(j - 1), (unsigned)(i - 1)) * kap[i - 1] * mu[j - i];
    kap[j - 1] = t;
  }
  free(mu);
  if (!ok) {
    val_release(v_obj(out));
    return v_abrupt();
  }
  return v_obj(out);
}

/* skewness μ3/μ2^(3/2) (which = 3), Pearson kurtosis μ4/μ2² (4) or excess kurtosis (5) */
static Value method_shape(Args *a, const Measure *m, int which, const char *usage) {
  double m2, mk;
  if (!method_arity(a, 1, NULL, usage) || !need_central(a, m, 2, &m2) ||
      !need_central(a, m, which == 3 ? 3 : 4, &mk))
    return v_abrupt();
  if (which == 3) return v_num(mk / pow(m2, 1.5));
  return v_num(mk / (m2 * m2) - (which == 5 ? 3 : 0));
}

static Value measure_method(Args *a, const char *builtin, bool *handled) {
  const Measure *m = as_measure(a->v[0]);
  *handled = true;
  if (strcmp(builtin, "mean") == 0) return method_mean(a, m);
  if (strcmp(builtin, "cov") == 0) return method_cov(a, m);
  if (strcmp(builtin, "var") == 0) return method_var(a, m, false);
  if (strcmp(builtin, "sd") == 0) return method_var(a, m, true);
  if (strcmp(builtin, "moment") == 0) return method_moment(a, m, false);
  if (strcmp(builtin, "cmoment") == 0) return method_moment(a, m, true);
  if (strcmp(builtin, "cumulants") == 0) return method_cumulants(a, m);
  if (strcmp(builtin, "skewness") == 0) return method_shape(a, m, 3, "skewness(mu)");
  if (strcmp(builtin, "kurtosis_pearson") == 0) return method_shape(a, m, 4, "kurtosis_pearson(mu)");
  if (strcmp(builtin, "kurtosis_excess") == 0) return method_shape(a, m, 5, "kurtosis_excess(mu)");
  *handled = false;
  return v_nil();
}

/* ------------------------------------------------------------------ densities */
static void describe_shape(StrBuf *b, Value x) {
  if (IS_NUM(x) || IS_BOOL(x)) {
    sb_puts(b, "a number");
    return;
  }
  Mat *m = AS_MAT(x);
  sb_printf(b, "a %zu×%zu %s", mat_rows(m), mat_cols(m), mat_is_vector(m) ? "vector" : "matrix");
}

/* The points argument 1 as a matrix (new reference) whose n rows of m->dim numbers are the points:
 * one point (a number on the line, a d-vector in R^d; *single set) or the rows of an n×d matrix
 * (any vector on the line). */
static bool points_arg(Args *a, const Measure *m, Value *out, size_t *n, bool *single) {
  if (!arg_mat(a, 1, out)) return false;
  Mat *x = AS_MAT(*out);
  size_t d = m->dim;
  *single = IS_NUM(a->v[1]) || IS_BOOL(a->v[1]);
  if (d == 1 && (mat_is_vector(x) || mat_numel(x) == 0)) {
    *n = mat_numel(x);
    return true;
  }
  if (d > 1 && mat_is_vector(x) && mat_numel(x) == d) {
    *single = true;
    *n = 1;
    return true;
  }
  if (d > 1 && mat_cols(x) == d) {
    *n = mat_rows(x);
    return true;
  }
  StrBuf b = STRBUF_INIT;
  describe_shape(&b, a->v[1]);
  if (d == 1)
    arg_error(a, 1, "points on the line must be a number or a vector, got %s", sb_cstr(&b));
  else
    arg_error(a, 1, "the point must have %zu coordinates (the measure is on R^%zu), or the points be the rows of an "
                    "n×%zu matrix; got %s",
              d, d, d, sb_cstr(&b));
  sb_free(&b);
  val_release(*out);
  return false;
}

typedef enum { EV_PDF, EV_LOGPDF, EV_CDF } Eval;

/* pdf, logpdf or cdf at one point or at each row: a number, or a column of n values */
static Value eval_points(Args *a, Eval what) {
  Measure *m;
  if (!arg_measure(a, 0, &m)) return v_abrupt();
  if (what == EV_CDF) {
    if (!need_1d(a, m, "")) return v_abrupt();
    if (!m->kind->cdf) return call_error(a, "no closed-form cdf for a %s measure", m->kind->name);
  } else if (!m->kind->logpdf) {
    if (m->kind == &sphere_kind)
      return call_error(a, "a sphere measure has no density on R^%zu (it lives on the unit sphere, a null set)", m->dim);
    return call_error(a, "a %s measure has no density", m->kind->name);
  }
  Value xv;
  size_t n;
  bool single;
  if (!points_arg(a, m, &xv, &n, &single)) return v_abrupt();
  Mat *r = single ? NULL : mat_alloc(n, 1);
  if (!single && !r) {
    val_release(xv);
    return dlt_error_oom(a->I, a->call, n, 1);
  }
  double one = 0;
  for (size_t i = 0; i < n; i++) {
    const double *x = AS_MAT(xv)->data + i * m->dim;
    double y = what == EV_CDF ? m->kind->cdf(m, x[0]) : m->kind->logpdf(m, x);
    if (what == EV_PDF) y = exp(y);
    if (single)
      one = y;
    else
      r->data[i] = y;
  }
  val_release(xv);
  return single ? v_num(one) : v_obj(r);
}

static Value bi_pdf(Args *a) { return eval_points(a, EV_PDF); }
static Value bi_logpdf(Args *a) { return eval_points(a, EV_LOGPDF); }
static Value bi_cdf(Args *a) { return eval_points(a, EV_CDF); }

/* ∇ log p: a number on the line, a d×1 column at one point, an n×d matrix (one gradient per row) */
static Value bi_score(Args *a) {
  Measure *m;
  if (!arg_measure(a, 0, &m)) return v_abrupt();
  if (!m->kind->score) return call_error(a, "a %s measure has no differentiable density", m->kind->name);
  Value xv;
  size_t n, d = m->dim;
  bool single;
  if (!points_arg(a, m, &xv, &n, &single)) return v_abrupt();
  bool column = single || d == 1;
  Mat *r = column ? mat_alloc(n * d, 1) : mat_alloc(n, d);
  if (!r) {
    val_release(xv);
    return dlt_error_oom(a->I, a->call, n, d);
  }
  for (size_t i = 0; i < n; i++) {
    const double *x = AS_MAT(xv)->data + i * d;
    if (!m->kind->score(m, x, r->data + i * d)) {
      if (d == 1)
        arg_error(a, 1, "the %s density has no gradient at x = %s", m->kind->name, num_text(x[0]).s);
      else
        arg_error(a, 1, "the %s density has no gradient at point %zu", m->kind->name, i + 1);
      val_release(xv);
      val_release(v_obj(r));
      return v_abrupt();
    }
  }
  val_release(xv);
  if (single && d == 1) {
    double g = r->data[0];
    val_release(v_obj(r));
    return v_num(g);
  }
  return v_obj(r);
}

/* ------------------------------------------------------------------ mass and support */
static Value bi_mass(Args *a) {
  Measure *m;
  if (!arg_measure(a, 0, &m)) return v_abrupt();
  if (m->kind->mass) return v_num(m->kind->mass(m));
  if (m->is_signed) return call_error(a, "no total mass for a %s measure", m->kind->name);
  return v_num(1);
}

static Value bi_support(Args *a) {
  Measure *m;
  if (!arg_measure(a, 0, &m)) return v_abrupt();
  if (!m->kind->support) return call_error(a, "the support of a %s measure is not known", m->kind->name);
  size_t d = m->dim;
  double *lo = malloc(2 * d * sizeof *lo);
  if (!lo) return dlt_error_oom(a->I, a->call, d, 2);
  m->kind->support(m, lo, lo + d);
  Value l = vec_value(a, lo, d), h = IS_ABRUPT(l) ? v_abrupt() : vec_value(a, lo + d, d);
  free(lo);
  if (IS_ABRUPT(h)) {
    val_release(l);
    return h;
  }
  Value r = record_new();
  record_set(AS_RECORD(r), "lo", l);
  record_set(AS_RECORD(r), "hi", h);
  return r;
}

/* ------------------------------------------------------------------ registration */
static const Builtin measure_builtins[] = {
  {"normal", bi_normal, 0, 2, "mean sd var cov", "normal(mean=0, sd=1)", "the normal measure N(mean, sd²) on the line (or var=); normal(mean_vector, cov=I) on R^d", NULL},
  {"uniform", bi_uniform, 0, 2, "a b", "uniform(a=0, b=1)", "the uniform measure on the interval [a, b]; uniform(lo_vector, hi_vector) on a box", NULL},
  {"sphere", bi_sphere, 1, 1, NULL, "sphere(d)", "the uniform measure on the unit sphere S^(d-1) in R^d", NULL},
  {"ball", bi_ball, 1, 1, NULL, "ball(d)", "the uniform measure on the unit ball in R^d", NULL},
  {"rademacher", bi_rademacher, 0, 0, NULL, "rademacher()", "the measure putting 1/2 on -1 and 1/2 on 1", NULL},
  {"bernoulli", bi_bernoulli, 0, 1, "p", "bernoulli(p=0.5)", "the measure putting p on 1 and 1 - p on 0", NULL},
  {"categorical", bi_categorical, 1, 1, "weights", "categorical(weights)", "the measure on 1..k with probabilities proportional to the k weights", NULL},
  {"chisq", bi_chisq, 1, 1, "k", "chisq(k)", "the chi-square measure with k > 0 degrees of freedom", NULL},
  {"cauchy", bi_cauchy, 0, 2, "loc scale", "cauchy(loc=0, scale=1)", "the Cauchy measure with density 1/(π scale (1 + ((x - loc)/scale)²)); it has no mean", NULL},
  {"laplace", bi_laplace, 0, 2, "loc scale", "laplace(loc=0, scale=1)", "the Laplace measure with density e^(-|x - loc|/scale) / (2 scale)", NULL},
  {"exponential", bi_exponential, 0, 1, "rate", "exponential(rate=1)", "the exponential measure with density rate e^(-rate x) on x >= 0", NULL},
  {"dirac", bi_dirac, 1, 1, "x", "dirac(x)", "the unit point mass at x (a number or a vector)", NULL},
  {"discrete", bi_discrete, 1, 2, "atoms weights", "discrete(atoms, weights=)", "the measure on the atoms (a vector, or one per row of a matrix) with probabilities proportional to weights (default equal)", NULL},
  {"empirical", bi_empirical, 1, 1, NULL, "empirical(X)", "the empirical measure of the samples in the rows of X: 1/n on each", NULL},
  {"sample", bi_sample, 1, 2, "seed", "sample(mu, n=, seed=)", "n draws from the measure mu as the rows of an n×d matrix (a column on the line); without n one draw", NULL},
  {"pdf", bi_pdf, 2, 2, NULL, "pdf(mu, x)", "the density of mu at the point x (a number), or at each row of a matrix (a column); mass at x for discrete measures", NULL},
  {"logpdf", bi_logpdf, 2, 2, NULL, "logpdf(mu, x)", "the log density of mu at the point x (a number), or at each row of a matrix (a column)", NULL},
  {"cdf", bi_cdf, 2, 2, NULL, "cdf(mu, x)", "P(X <= x) for a measure mu on the line: a number, or a column for a vector of x", NULL},
  {"score", bi_score, 2, 2, NULL, "score(mu, x)", "the gradient of log density of mu at x: a number on the line, a d-vector, or one gradient per row of a matrix", NULL},
  {"mass", bi_mass, 1, 1, NULL, "mass(mu)", "the total mass of mu (1 for a probability measure)", NULL},
  {"support", bi_support, 1, 1, NULL, "support(mu)", "the smallest box holding the support of mu as a record {lo, hi} (numbers on the line, vectors in R^d; ±inf when unbounded)", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_measure = {"measure", measure_builtins};
