/* lib/measure_comb.c - see measure.h for how the measure modules divide the work.
 *
 * Signed measures (discrete, and densities on an interval tabulated on a grid), their Jordan
 * decomposition and the Maurey sampler; the combinators product, pushforward, mixture, affine maps
 * (`a * mu + b`, through measure_binop) and sums of independent variables (`P + Q`), and joint
 * data-generating processes.
 *
 * A finite positive measure that is not a probability measure (a Jordan part) is the pair
 * (mass, normalised measure): mass() gives its mass, every other operation (sample, mean, cov,
 * logpdf) describes the normalised probability measure.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "../arith.h"
#include "../interp.h"
#include "../print.h"
#include "calculus.h"
#include "measure.h"
#include "random.h"

/* The probe stream: combinators whose dimension is only known from a user function's output
 * (pushforward, joint) call it once at construction on a draw from this private stream, so the
 * global stream is left untouched. */
#define PROBE_SEED 20240401UL

/* ------------------------------------------------------------------ small helpers */
static void put_child(StrBuf *out, Value v) { val_print(out, v, PRINT_REPR | PRINT_INLINE); }

static Value oom(Args *a, size_t r, size_t c) { return dlt_error_oom(a->I, a->call, r, c); }

static double *dalloc(size_t n) { return calloc(n ? n : 1, sizeof(double)); }

/* n×d buffer, or NULL after raising out of memory (also when n·d overflows) */
static double *buf_alloc(Args *a, size_t n, size_t d) {
  if ((d && n > (size_t)-1 / sizeof(double) / d) || !dlt_fits((double)n * (double)d, sizeof(double))) {
    oom(a, n, d);
    return NULL;
  }
  double *b = dalloc(n * d);
  if (!b) oom(a, n, d);
  return b;
}

/* a point of R^d as DLT sees it: a number when d = 1, else a d×1 column */
static Value point_value(Args *a, const double *x, size_t d) { return calc_vec_value(a, x, d, true); }

static gsl_rng *probe_rng(Args *a) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r) call_error(a, "out of memory");
  else gsl_rng_set(r, PROBE_SEED);
  return r;
}

static double mass_of(const Measure *m) { return m->kind->mass ? m->kind->mass(m) : 1.0; }

/* a measure's mean and covariance from its closed forms: the mean/cov hooks, or on the line the
 * raw moments (as measure.c's mean() does) */
static bool m_mean(const Measure *m, double *out) {
  if (m->kind->mean) return m->kind->mean(m, out);
  return m->dim == 1 && m->kind->raw_moment && m->kind->raw_moment(m, 1, out);
}

static bool m_cov(const Measure *m, double *out) {
  if (m->kind->cov) return m->kind->cov(m, out);
  double m1, m2;
  if (m->dim != 1 || !m->kind->raw_moment || !m->kind->raw_moment(m, 1, &m1) || !m->kind->raw_moment(m, 2, &m2))
    return false;
  *out = m2 - m1 * m1;
  return true;
}

/* a list value's measures, all non-signed, of one dimension (dim 0: any; set from the first) */
static bool check_components(Args *a, int argi, const List *l, size_t *dim) {
  for (size_t i = 0; i < l->n; i++) {
    if (!val_is_measure(l->items[i])) {
      arg_error(a, argi, "item %zu must be a measure, got a %s", i + 1, val_type_name(l->items[i]));
      return false;
    }
    const Measure *c = as_measure(l->items[i]);
    if (c->is_signed) {
      arg_error(a, argi, "item %zu is a signed measure (%s); only probability measures can be combined", i + 1,
                c->kind->name);
      return false;
    }
    if (*dim == 0) *dim = c->dim;
    else if (c->dim != *dim) {
      arg_error(a, argi, "item %zu is a measure on R^%zu, the first on R^%zu", i + 1, c->dim, *dim);
      return false;
    }
  }
  return true;
}

/* ================================================================== finite discrete measures
 * v[0] atoms n×d (one per row), v[1] weights n×1; p[0] the signed total, p[1] the total variation
 * Σ|w|. priv: a gsl_ran_discrete_t over the weights (the positive kind only, when p[0] > 0). */
static const MeasureKind signed_discrete_kind, finite_discrete_kind;

static void fd_print(const Measure *m, StrBuf *out) {
  sb_puts(out, m->is_signed ? "signed_discrete(atoms=" : "finite_discrete(atoms=");
  put_child(out, m->v[0]);
  sb_puts(out, ", weights=");
  put_child(out, m->v[1]);
  if (!m->is_signed) {
    sb_puts(out, ", mass=");
    fmt_num(out, m->p[0]);
  }
  sb_putc(out, ')');
}

static void fd_free(Measure *m) {
  if (m->priv) gsl_ran_discrete_free(m->priv);
}

static bool fd_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  if (!m->priv) {
    call_error(a, "cannot sample a measure of mass 0 (%s)",
               mat_rows(AS_MAT(m->v[0])) ? "all its weights are 0" : "it has no atoms");
    return false;
  }
  const Mat *x = AS_MAT(m->v[0]);
  size_t d = m->dim;
  for (size_t i = 0; i < n; i++) {
    size_t k = gsl_ran_discrete(rng, m->priv);
    memcpy(out + i * d, x->data + k * d, d * sizeof(double));
  }
  return true;
}

static bool fd_mean(const Measure *m, double *out) {
  const Mat *x = AS_MAT(m->v[0]), *w = AS_MAT(m->v[1]);
  if (!(m->p[0] > 0)) return false;
  for (size_t j = 0; j < m->dim; j++) out[j] = 0;
  for (size_t i = 0; i < mat_rows(x); i++)
    for (size_t j = 0; j < m->dim; j++) out[j] += w->data[i] * x->data[i * m->dim + j] / m->p[0];
  return true;
}

static bool fd_cov(const Measure *m, double *out) {
  size_t d = m->dim;
  double *mu = dalloc(d);
  if (!mu) return false;
  if (!fd_mean(m, mu)) {
    free(mu);
    return false;
  }
  const Mat *x = AS_MAT(m->v[0]), *w = AS_MAT(m->v[1]);
  for (size_t j = 0; j < d * d; j++) out[j] = 0;
  for (size_t i = 0; i < mat_rows(x); i++) {
    const double *xi = x->data + i * d;
    double wi = w->data[i] / m->p[0];
    for (size_t j = 0; j < d; j++)
      for (size_t k = 0; k < d; k++) out[j * d + k] += wi * (xi[j] - mu[j]) * (xi[k] - mu[k]);
  }
  free(mu);
  return true;
}

static bool fd_raw(const Measure *m, int k, double *out) {
  if (m->dim != 1 || !(m->p[0] > 0)) return false;
  const Mat *x = AS_MAT(m->v[0]), *w = AS_MAT(m->v[1]);
  double s = 0;
  for (size_t i = 0; i < mat_rows(x); i++) s += w->data[i] * pow(x->data[i], k);
  *out = s / m->p[0];
  return true;
}

/* with respect to counting measure: the normalised weight of the atoms equal to x */
static double fd_logpdf(const Measure *m, const double *xq) {
  const Mat *x = AS_MAT(m->v[0]), *w = AS_MAT(m->v[1]);
  double s = 0;
  for (size_t i = 0; i < mat_rows(x); i++)
  {
    bool eq = true;
    for (size_t j = 0; j < m->dim && eq; j++) eq = x->data[i * m->dim + j] == xq[j];
    if (eq) s += w->data[i];
  }
  return m->p[0] > 0 ? log(s / m->p[0]) : NAN;
}

static double fd_cdf(const Measure *m, double t) {
  const Mat *x = AS_MAT(m->v[0]), *w = AS_MAT(m->v[1]);
  double s = 0;
  for (size_t i = 0; i < mat_rows(x); i++)
    if (x->data[i] <= t) s += w->data[i];
  return m->p[0] > 0 ? s / m->p[0] : NAN;
}

static double fd_mass(const Measure *m) { return m->p[0]; }

static void fd_support(const Measure *m, double *lo, double *hi) {
  const Mat *x = AS_MAT(m->v[0]), *w = AS_MAT(m->v[1]);
  for (size_t j = 0; j < m->dim; j++) {
    lo[j] = INFINITY; /* no atoms: the empty interval [inf, -inf] */
    hi[j] = -INFINITY;
  }
  for (size_t i = 0; i < mat_rows(x); i++)
    if (w->data[i] != 0)
      for (size_t j = 0; j < m->dim; j++) {
        double v = x->data[i * m->dim + j];
        if (v < lo[j]) lo[j] = v;
        if (v > hi[j]) hi[j] = v;
      }
}

static const MeasureKind signed_discrete_kind = {
  .name = "signed_discrete",
  .print = fd_print,
  .mass = fd_mass,
  .support = fd_support,
  .free_priv = fd_free,
};

static const MeasureKind finite_discrete_kind = {
  .name = "finite_discrete",
  .print = fd_print,
  .sample = fd_sample,
  .mean = fd_mean,
  .cov = fd_cov,
  .raw_moment = fd_raw,
  .logpdf = fd_logpdf,
  .cdf = fd_cdf,
  .mass = fd_mass,
  .support = fd_support,
  .free_priv = fd_free,
};

/* Takes both matrices. Weights must be finite (checked by the caller); the positive kind needs
 * them non-negative. NULL after raising an error. */
static Measure *fd_new(Args *a, bool is_signed, Mat *atoms, Mat *w) {
  size_t n = mat_rows(atoms);
  Measure *m = measure_new(is_signed ? &signed_discrete_kind : &finite_discrete_kind, mat_cols(atoms));
  m->is_signed = is_signed;
  m->v[0] = v_obj(atoms);
  m->v[1] = v_obj(w);
  for (size_t i = 0; i < n; i++) {
    m->p[0] += w->data[i];
    m->p[1] += fabs(w->data[i]);
  }
  if (!is_signed && m->p[0] > 0) {
    m->priv = gsl_ran_discrete_preproc(n, w->data);
    if (!m->priv) {
      val_release(v_obj(m));
      dlt_error_gsl(a->I, a->call, a->fname, dlt_gsl_pending() ? dlt_gsl_pending() : GSL_ENOMEM);
      dlt_gsl_clear();
      return NULL;
    }
  }
  return m;
}

/* the rows of atoms whose weight has sign s (+1: w > 0, -1: w < 0), weights as |w| */
static Measure *fd_part(Args *a, const Measure *m, int s) {
  const Mat *x = AS_MAT(m->v[0]), *w = AS_MAT(m->v[1]);
  size_t n = 0, d = m->dim;
  for (size_t i = 0; i < mat_rows(x); i++) n += s * w->data[i] > 0;
  Mat *px = mat_alloc(n, d), *pw = mat_alloc(n, 1);
  if (!px || !pw) {
    if (px) val_release(v_obj(px));
    if (pw) val_release(v_obj(pw));
    oom(a, n, d);
    return NULL;
  }
  size_t k = 0;
  for (size_t i = 0; i < mat_rows(x); i++)
    if (s * w->data[i] > 0) {
      memcpy(px->data + k * d, x->data + i * d, d * sizeof(double));
      pw->data[k++] = fabs(w->data[i]);
    }
  return fd_new(a, false, px, pw);
}

/* the zero measure on R^d (the negative part of a positive measure) */
static Measure *zero_measure(Args *a, size_t d) {
  Mat *x = mat_alloc(0, d), *w = mat_alloc(0, 1);
  if (!x || !w) {
    if (x) val_release(v_obj(x));
    if (w) val_release(v_obj(w));
    oom(a, 0, d);
    return NULL;
  }
  return fd_new(a, false, x, w);
}

static bool all_finite(const Mat *x) {
  for (size_t i = 0; i < mat_numel(x); i++)
    if (!isfinite(x->data[i])) return false;
  return true;
}

static Value bi_signed_discrete(Args *a) {
  Value av, wv;
  if (!arg_mat(a, 0, &av)) return v_abrupt();
  if (!arg_mat(a, 1, &wv)) {
    val_release(av);
    return v_abrupt();
  }
  Mat *atoms = AS_MAT(av), *w = AS_MAT(wv);
  Value err = v_nil();
  size_t n = mat_numel(w);
  if (!mat_is_vector(w) && n != 0)
    err = arg_error(a, 1, "the weights must be a vector, got a %zu×%zu matrix", mat_rows(w), mat_cols(w));
  else if (!all_finite(w))
    err = arg_error(a, 1, "the weights must be finite numbers");
  else if (!all_finite(atoms))
    err = arg_error(a, 0, "the atoms must be finite numbers");
  else if (mat_rows(atoms) != n && !(mat_is_vector(atoms) && mat_numel(atoms) == n && n > 0))
    err = arg_error(a, 1, "%zu weights for %zu atoms (the atoms are the rows of the %zu×%zu matrix, or the entries "
                          "of a vector)",
                    n, mat_rows(atoms), mat_rows(atoms), mat_cols(atoms));
  if (IS_ABRUPT(err)) {
    val_release(av);
    val_release(wv);
    return err;
  }
  /* private copies with the canonical shapes: atoms n×d, weights n×1 */
  bool flat = mat_rows(atoms) != n;
  Mat *x = mat_alloc(n, flat ? 1 : mat_cols(atoms)), *ww = mat_alloc(n, 1);
  if (!x || !ww) {
    if (x) val_release(v_obj(x));
    if (ww) val_release(v_obj(ww));
    val_release(av);
    val_release(wv);
    return oom(a, n, mat_cols(atoms));
  }
  for (size_t i = 0; i < mat_rows(atoms); i++)
    for (size_t j = 0; j < mat_cols(atoms); j++) x->data[i * mat_cols(atoms) + j] = *mat_at(atoms, i, j);
  for (size_t i = 0; i < n; i++) ww->data[i] = w->data[i]; /* a vector: row-major = its order */
  if (mat_cols(w) != 1 || mat_rows(w) != n)
    for (size_t i = 0; i < n; i++) ww->data[i] = *mat_at(w, mat_rows(w) == 1 ? 0 : i, mat_rows(w) == 1 ? i : 0);
  val_release(av);
  val_release(wv);
  Measure *m = fd_new(a, true, x, ww);
  return m ? measure_value(m) : v_abrupt();
}

/* ================================================================== signed densities on [a, b]
 * f is tabulated at n + 1 equally spaced nodes and replaced by its piecewise-linear interpolant;
 * each part (f⁺ = max(f, 0), f⁻ = max(-f, 0)) is sampled exactly from that interpolant (a cell is
 * chosen by its mass, then a point by inverting the cell's linear CDF). The masses reported by
 * mass/tv_mass come from adaptive quadrature of f⁺ and f⁻ (QAGP, break points at the sign changes
 * found on the grid); if quadrature fails they fall back to the table's trapezoid masses.
 * v[0] f; p[0] a, p[1] b, p[2] |mu+|, p[3] |mu-|; priv the table. */
typedef struct Table {
  size_t n;
  double a, h;
  double *f;                 /* n + 1 values */
  double *cell[2];           /* cell masses of the positive [0] and negative [1] part */
  gsl_ran_discrete_t *pick[2];
  double tmass[2];           /* the table's masses */
} Table;

static void table_free(Table *t) {
  if (!t) return;
  free(t->f);
  for (int s = 0; s < 2; s++) {
    free(t->cell[s]);
    if (t->pick[s]) gsl_ran_discrete_free(t->pick[s]);
  }
  free(t);
}

/* ∫ max(u(t), 0) dt over a cell of width h where u is linear from u0 to u1 */
static double pos_area(double u0, double u1, double h) {
  if (u0 >= 0 && u1 >= 0) return 0.5 * (u0 + u1) * h;
  if (u0 <= 0 && u1 <= 0) return 0;
  double hi = u0 > 0 ? u0 : u1;
  return 0.5 * hi * h * hi / (fabs(u0) + fabs(u1));
}

/* a draw from the density ∝ max(u, 0) on one cell [x0, x0 + h], u linear from u0 to u1 */
static double cell_draw(double x0, double h, double u0, double u1, double U) {
  double l = x0, L = h;
  if (u0 < 0) { /* positive only on the right piece */
    double z = h * (-u0) / (u1 - u0);
    l = x0 + z;
    L = h - z;
    u0 = 0;
  } else if (u1 < 0) {
    L = h * u0 / (u0 - u1);
    u1 = 0;
  }
  /* invert F(t) = (u0 t + (u1 - u0) t²/(2L)) / ((u0 + u1) L / 2), in the cancellation-free form */
  double den = u0 + sqrt((1 - U) * u0 * u0 + U * u1 * u1);
  double t = den > 0 ? U * (u0 + u1) * L / den : 0;
  if (t > L) t = L;
  return l + t;
}

typedef struct Quad {
  Args *a;
  Value f;
  double sign;
  bool failed;
} Quad;

static double quad_part(double x, void *ctx) {
  Quad *q = ctx;
  if (q->failed) return 0;
  Value xv = v_num(x);
  double y;
  if (!calc_call_num(q->a, q->f, "the density", 1, &xv, &y)) {
    q->failed = true;
    return 0;
  }
  if (!isfinite(y)) {
    call_error(q->a, "the density must be finite on the interval, got %s at %s", CALC_NUM(y), CALC_NUM(x));
    q->failed = true;
    return 0;
  }
  y *= q->sign;
  return y > 0 ? y : 0;
}

/* the mass of one part by QAGP; false after an error raised by f. *mass keeps the table's value
 * when the quadrature does not converge. */
static bool quad_mass(Args *a, Value f, const Table *t, int s, double *mass) {
  size_t nb = 2;
  for (size_t i = 0; i < t->n; i++) nb += (t->f[i] > 0) != (t->f[i + 1] > 0);
  if (nb > 1000) return true; /* a wildly oscillating f: the table's mass is as good */
  double *pts = dalloc(nb);
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(2000);
  if (!pts || !w) {
    free(pts);
    if (w) gsl_integration_workspace_free(w);
    return true;
  }
  size_t k = 0;
  pts[k++] = t->a;
  for (size_t i = 0; i < t->n; i++)
    if ((t->f[i] > 0) != (t->f[i + 1] > 0))
      pts[k++] = t->a + t->h * ((double)i + t->f[i] / (t->f[i] - t->f[i + 1]));
  pts[k++] = t->a + t->h * (double)t->n;
  Quad q = {a, f, s == 0 ? 1.0 : -1.0, false};
  gsl_function F = {quad_part, &q};
  double r, e;
  int st = gsl_integration_qagp(&F, pts, k, 1e-13, 1e-10, 2000, w, &r, &e);
  dlt_gsl_clear();
  gsl_integration_workspace_free(w);
  free(pts);
  if (q.failed) return false;
  if (st == GSL_SUCCESS && isfinite(r)) *mass = r;
  return true;
}

static void sd_free(Measure *m) { table_free(m->priv); }

static void sd_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "signed_density(");
  put_child(out, m->v[0]);
  sb_puts(out, ", ");
  fmt_num(out, m->p[0]);
  sb_puts(out, ", ");
  fmt_num(out, m->p[1]);
  sb_putc(out, ')');
}

static double sd_mass(const Measure *m) { return m->p[2] - m->p[3]; }

static void interval_support(const Measure *m, double *lo, double *hi) {
  *lo = m->p[0];
  *hi = m->p[1];
}

static const MeasureKind signed_density_kind = {
  .name = "signed_density",
  .print = sd_print,
  .mass = sd_mass,
  .support = interval_support,
  .free_priv = sd_free,
};

static Table *table_build(Args *a, Value f, double lo, double hi, size_t n) {
  Table *t = calloc(1, sizeof *t);
  if (!t || !(t->f = dalloc(n + 1)) || !(t->cell[0] = dalloc(n)) || !(t->cell[1] = dalloc(n))) {
    table_free(t);
    oom(a, n + 1, 3);
    return NULL;
  }
  t->n = n;
  t->a = lo;
  t->h = (hi - lo) / (double)n;
  for (size_t i = 0; i <= n; i++) {
    double x = i == n ? hi : lo + t->h * (double)i;
    Value xv = v_num(x);
    if (!calc_call_num(a, f, "the density", 1, &xv, &t->f[i])) {
      table_free(t);
      return NULL;
    }
    if (!isfinite(t->f[i])) {
      call_error(a, "the density must be finite on the interval, got %s at %s", CALC_NUM(t->f[i]), CALC_NUM(x));
      table_free(t);
      return NULL;
    }
  }
  for (int s = 0; s < 2; s++) {
    double sg = s == 0 ? 1 : -1, tot = 0;
    for (size_t i = 0; i < n; i++) tot += t->cell[s][i] = pos_area(sg * t->f[i], sg * t->f[i + 1], t->h);
    t->tmass[s] = tot;
    if (tot > 0 && !(t->pick[s] = gsl_ran_discrete_preproc(n, t->cell[s]))) {
      dlt_gsl_clear();
      table_free(t);
      oom(a, n, 1);
      return NULL;
    }
  }
  return t;
}

static Value bi_signed_density(Args *a) {
  double lo, hi, nn = 4096;
  bool has_n;
  if (!arg_callable(a, 0) || !arg_num(a, 1, &lo) || !arg_num(a, 2, &hi) || !kw_num(a, "n", &nn, &has_n))
    return v_abrupt();
  if (!isfinite(lo) || !isfinite(hi) || !(lo < hi) || !isfinite(hi - lo))
    return arg_error(a, 2, "the interval must be finite with a < b, got [%s, %s]", CALC_NUM(lo), CALC_NUM(hi));
  if (!(nn >= 2 && nn <= 1e7 && nn == floor(nn)))
    return kw_error(a, "n", "n= (grid cells) must be a whole number from 2 to 1e7, got %s", CALC_NUM(nn));
  Table *t = table_build(a, a->v[0], lo, hi, (size_t)nn);
  if (!t) return v_abrupt();
  double mass[2] = {t->tmass[0], t->tmass[1]};
  for (int s = 0; s < 2; s++)
    if (t->tmass[s] > 0 && !quad_mass(a, a->v[0], t, s, &mass[s])) {
      table_free(t);
      return v_abrupt();
    }
  Measure *m = measure_new(&signed_density_kind, 1);
  m->is_signed = true;
  m->v[0] = val_retain(a->v[0]);
  m->p[0] = lo;
  m->p[1] = hi;
  m->p[2] = mass[0];
  m->p[3] = mass[1];
  m->priv = t;
  return measure_value(m);
}

/* ---- a Jordan part of a signed density: v[0] the signed density, p[0] 0 (positive) or 1 */
static const Table *part_table(const Measure *m) { return as_measure(m->v[0])->priv; }

static void dp_print(const Measure *m, StrBuf *out) {
  sb_puts(out, m->p[0] == 0 ? "positive_part(" : "negative_part(");
  put_child(out, m->v[0]);
  sb_puts(out, ", mass=");
  fmt_num(out, as_measure(m->v[0])->p[2 + (int)m->p[0]]);
  sb_putc(out, ')');
}

static bool dp_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  const Table *t = part_table(m);
  int s = (int)m->p[0];
  if (!t->pick[s]) {
    call_error(a, "cannot sample a measure of mass 0 (the %s part of a density that is never %s)",
               s == 0 ? "positive" : "negative", s == 0 ? "positive" : "negative");
    return false;
  }
  double sg = s == 0 ? 1 : -1;
  for (size_t i = 0; i < n; i++) {
    size_t k = gsl_ran_discrete(rng, t->pick[s]);
    out[i] = cell_draw(t->a + t->h * (double)k, t->h, sg * t->f[k], sg * t->f[k + 1], gsl_rng_uniform(rng));
  }
  return true;
}

static double dp_logpdf(const Measure *m, const double *x) {
  const Table *t = part_table(m);
  int s = (int)m->p[0];
  double u = (x[0] - t->a) / t->h;
  if (!(u >= 0 && u <= (double)t->n) || !(t->tmass[s] > 0)) return -INFINITY;
  size_t k = u >= (double)t->n ? t->n - 1 : (size_t)u;
  double r = u - (double)k, v = ((1 - r) * t->f[k] + r * t->f[k + 1]) * (s == 0 ? 1 : -1);
  return v > 0 ? log(v / t->tmass[s]) : -INFINITY;
}

static double dp_mass(const Measure *m) { return as_measure(m->v[0])->p[2 + (int)m->p[0]]; }

static void dp_support(const Measure *m, double *lo, double *hi) { interval_support(as_measure(m->v[0]), lo, hi); }

static const MeasureKind density_part_kind = {
  .name = "density_part",
  .print = dp_print,
  .sample = dp_sample,
  .logpdf = dp_logpdf,
  .mass = dp_mass,
  .support = dp_support,
};

/* ================================================================== Jordan decomposition */
/* pos and neg as new references; a positive measure is its own positive part */
static bool jordan_parts(Args *a, Value mu, Value *pos, Value *neg) {
  const Measure *m = as_measure(mu);
  Measure *p = NULL, *q = NULL;
  if (m->kind == &signed_discrete_kind) {
    if (!(p = fd_part(a, m, 1))) return false;
    if (!(q = fd_part(a, m, -1))) {
      val_release(v_obj(p));
      return false;
    }
  } else if (m->kind == &signed_density_kind) {
    p = measure_new(&density_part_kind, 1);
    q = measure_new(&density_part_kind, 1);
    p->v[0] = val_retain(mu);
    q->v[0] = val_retain(mu);
    p->p[0] = 0;
    q->p[0] = 1;
  } else if (m->is_signed) {
    call_error(a, "no Jordan decomposition is available for a signed %s measure", m->kind->name);
    return false;
  } else {
    if (!(q = zero_measure(a, m->dim))) return false;
    *pos = val_retain(mu);
    *neg = measure_value(q);
    return true;
  }
  *pos = measure_value(p);
  *neg = measure_value(q);
  return true;
}

static Value bi_jordan(Args *a) {
  Measure *m;
  Value p, q;
  if (!arg_measure(a, 0, &m) || !jordan_parts(a, a->v[0], &p, &q)) return v_abrupt();
  Value r = record_new();
  record_set(AS_RECORD(r), "positive", p);
  record_set(AS_RECORD(r), "negative", q);
  return r;
}

/* |mu|(R^d) = mu+(R^d) + mu-(R^d) */
static double tv_of(const Measure *m) {
  if (m->kind == &signed_discrete_kind) return m->p[1];
  if (m->kind == &signed_density_kind) return m->p[2] + m->p[3];
  return fabs(mass_of(m));
}

static Value bi_tv_mass(Args *a) {
  Measure *m;
  if (!arg_measure(a, 0, &m)) return v_abrupt();
  if (m->is_signed && m->kind != &signed_discrete_kind && m->kind != &signed_density_kind)
    return call_error(a, "no total variation is available for a signed %s measure", m->kind->name);
  return v_num(tv_of(m));
}

/* ================================================================== the Maurey sampler
 * A probability measure on R^(1+d): s = +1 with probability |mu+|/|mu|, else -1, then a point of
 * mu_s/|mu_s|. v[0] mu, v[1] mu+, v[2] mu-; p[0] |mu+|, p[1] |mu-|. */
static void maurey_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "maurey(");
  put_child(out, m->v[0]);
  sb_putc(out, ')');
}

static bool maurey_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  size_t d = m->dim - 1, npos = 0;
  double ppos = m->p[0] / (m->p[0] + m->p[1]);
  for (size_t i = 0; i < n; i++) {
    out[i * m->dim] = gsl_rng_uniform(rng) < ppos ? 1 : -1;
    npos += out[i * m->dim] > 0;
  }
  double *bp = buf_alloc(a, npos, d), *bn = bp ? buf_alloc(a, n - npos, d) : NULL;
  bool ok = bp && bn && (npos == 0 || measure_draw(a, as_measure(m->v[1]), rng, npos, bp)) &&
            (npos == n || measure_draw(a, as_measure(m->v[2]), rng, n - npos, bn));
  if (ok) {
    size_t ip = 0, in = 0;
    for (size_t i = 0; i < n; i++) {
      double *src = out[i * m->dim] > 0 ? bp + d * ip++ : bn + d * in++;
      memcpy(out + i * m->dim + 1, src, d * sizeof(double));
    }
  }
  free(bp);
  free(bn);
  return ok;
}

static const MeasureKind maurey_kind = {
  .name = "maurey",
  .print = maurey_print,
  .sample = maurey_sample,
};

static Measure *maurey_new(Args *a, Value mu) {
  Value p, q;
  if (!jordan_parts(a, mu, &p, &q)) return NULL;
  double mp = mass_of(as_measure(p)), mq = mass_of(as_measure(q));
  if (!(mp + mq > 0) || !isfinite(mp + mq)) {
    val_release(p);
    val_release(q);
    call_error(a, "the measure has total variation %s; Maurey sampling needs a finite positive mass",
               CALC_NUM(mp + mq));
    return NULL;
  }
  Measure *m = measure_new(&maurey_kind, 1 + as_measure(mu)->dim);
  m->v[0] = val_retain(mu);
  m->v[1] = p;
  m->v[2] = q;
  m->p[0] = mp;
  m->p[1] = mq;
  return m;
}

static Value bi_maurey(Args *a) {
  Measure *mu;
  if (!arg_measure(a, 0, &mu)) return v_abrupt();
  Measure *m = maurey_new(a, a->v[0]);
  return m ? measure_value(m) : v_abrupt();
}

/* k draws (s_i, w_i) as {signs, points, mass, weights}: weights = mass · s / k, so that
 * f_k(x) = Σ weights_i g(x; w_i) is the width-k Maurey approximation of ∫ g(x; w) dmu(w). */
static Value bi_maurey_sample(Args *a) {
  Measure *mu;
  size_t k;
  if (!arg_measure(a, 0, &mu) || !arg_size(a, 1, &k)) return v_abrupt();
  if (k == 0) return arg_error(a, 1, "k must be at least 1");
  Measure *m = maurey_new(a, a->v[0]);
  if (!m) return v_abrupt();
  Value mv = measure_value(m);
  size_t d = mu->dim;
  Mat *s = mat_alloc(k, 1), *w = s ? mat_alloc(k, 1) : NULL, *x = w ? mat_alloc(k, d) : NULL;
  double *buf = x ? buf_alloc(a, k, d + 1) : NULL;
  gsl_rng *rng = buf && s && w && x ? args_rng(a) : NULL;
  bool ok = rng && measure_draw(a, m, rng, k, buf);
  if (rng) args_rng_done(a, rng);
  double tv = m->p[0] + m->p[1];
  val_release(mv);
  if (!ok || !s || !w || !x) {
    if (s) val_release(v_obj(s));
    if (w) val_release(v_obj(w));
    if (x) val_release(v_obj(x));
    if (!s || !w || !x) oom(a, k, d);
    free(buf);
    return v_abrupt();
  }
  for (size_t i = 0; i < k; i++) {
    s->data[i] = buf[i * (d + 1)];
    w->data[i] = tv * s->data[i] / (double)k;
    memcpy(x->data + i * d, buf + i * (d + 1) + 1, d * sizeof(double));
  }
  free(buf);
  Value r = record_new();
  record_set(AS_RECORD(r), "signs", v_obj(s));
  record_set(AS_RECORD(r), "points", v_obj(x));
  record_set(AS_RECORD(r), "mass", v_num(tv));
  record_set(AS_RECORD(r), "weights", v_obj(w));
  return r;
}

/* ================================================================== product
 * v[0] the list of components; dim = the sum of their dims; samples side by side. */
static const List *comps(const Measure *m) { return AS_LIST(m->v[0]); }

static void prod_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "product(");
  for (size_t i = 0; i < comps(m)->n; i++) {
    if (i) sb_puts(out, ", ");
    put_child(out, comps(m)->items[i]);
  }
  sb_putc(out, ')');
}

static bool prod_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  size_t off = 0;
  for (size_t c = 0; c < comps(m)->n; c++) {
    const Measure *mc = as_measure(comps(m)->items[c]);
    double *b = buf_alloc(a, n, mc->dim);
    if (!b || !measure_draw(a, mc, rng, n, b)) {
      free(b);
      return false;
    }
    for (size_t i = 0; i < n; i++) memcpy(out + i * m->dim + off, b + i * mc->dim, mc->dim * sizeof(double));
    off += mc->dim;
    free(b);
  }
  return true;
}

static bool prod_mean(const Measure *m, double *out) {
  size_t off = 0;
  for (size_t c = 0; c < comps(m)->n; c++) {
    const Measure *mc = as_measure(comps(m)->items[c]);
    if (!m_mean(mc, out + off)) return false;
    off += mc->dim;
  }
  return true;
}

static bool prod_cov(const Measure *m, double *out) {
  size_t d = m->dim, off = 0;
  for (size_t j = 0; j < d * d; j++) out[j] = 0;
  for (size_t c = 0; c < comps(m)->n; c++) {
    const Measure *mc = as_measure(comps(m)->items[c]);
    size_t e = mc->dim;
    double *b = dalloc(e * e);
    if (!b || !m_cov(mc, b)) {
      free(b);
      return false;
    }
    for (size_t i = 0; i < e; i++)
      for (size_t j = 0; j < e; j++) out[(off + i) * d + off + j] = b[i * e + j];
    free(b);
    off += e;
  }
  return true;
}

/* NAN when a component has no density */
static double prod_logpdf(const Measure *m, const double *x) {
  double s = 0;
  size_t off = 0;
  for (size_t c = 0; c < comps(m)->n; c++) {
    const Measure *mc = as_measure(comps(m)->items[c]);
    if (!mc->kind->logpdf) return NAN;
    s += mc->kind->logpdf(mc, x + off);
    off += mc->dim;
  }
  return s;
}

static void prod_support(const Measure *m, double *lo, double *hi) {
  size_t off = 0;
  for (size_t c = 0; c < comps(m)->n; c++) {
    const Measure *mc = as_measure(comps(m)->items[c]);
    if (mc->kind->support) mc->kind->support(mc, lo + off, hi + off);
    else
      for (size_t j = 0; j < mc->dim; j++) {
        lo[off + j] = -INFINITY;
        hi[off + j] = INFINITY;
      }
    off += mc->dim;
  }
}

static double prod_mass(const Measure *m) {
  double s = 1;
  for (size_t c = 0; c < comps(m)->n; c++) s *= mass_of(as_measure(comps(m)->items[c]));
  return s;
}

static const MeasureKind product_kind = {
  .name = "product",
  .print = prod_print,
  .sample = prod_sample,
  .mean = prod_mean,
  .cov = prod_cov,
  .logpdf = prod_logpdf,
  .mass = prod_mass,
  .support = prod_support,
};

static Value bi_product(Args *a) {
  if (a->n == 0) return call_error(a, "needs at least one measure");
  Value l = list_new((size_t)a->n);
  size_t d = 0;
  for (int i = 0; i < a->n; i++) {
    Measure *c;
    if (!arg_measure(a, i, &c)) {
      val_release(l);
      return v_abrupt();
    }
    if (c->is_signed) {
      val_release(l);
      return arg_error(a, i, "argument %d is a signed measure (%s); only probability measures have products here",
                       i + 1, c->kind->name);
    }
    d += c->dim;
    list_push(AS_LIST(l), val_retain(a->v[i]));
  }
  Measure *m = measure_new(&product_kind, d);
  m->v[0] = l;
  return measure_value(m);
}

/* ================================================================== pushforward
 * v[0] mu, v[1] f. Samples are f applied to each row of a sample of mu. */
static void pf_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "pushforward(");
  put_child(out, m->v[0]);
  sb_puts(out, ", ");
  put_child(out, m->v[1]);
  sb_putc(out, ')');
}

static bool pf_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  const Measure *mu = as_measure(m->v[0]);
  double *b = buf_alloc(a, n, mu->dim);
  if (!b || !measure_draw(a, mu, rng, n, b)) {
    free(b);
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < n && ok; i++) {
    Value x = point_value(a, b + i * mu->dim, mu->dim);
    ok = !IS_ABRUPT(x) && calc_call_vec(a, m->v[1], "the pushforward's function", 1, &x, m->dim, out + i * m->dim);
    val_release(x);
  }
  free(b);
  return ok;
}

static const MeasureKind pushforward_kind = {
  .name = "pushforward",
  .print = pf_print,
  .sample = pf_sample,
};

/* the length of f's output at one probe draw from mu; 0 after an error */
static size_t probe_dim(Args *a, const Measure *mu, Value f, const char *what) {
  gsl_rng *r = probe_rng(a);
  double *b = r ? buf_alloc(a, 1, mu->dim) : NULL, *y = NULL;
  size_t n = 0;
  if (b && measure_draw(a, mu, r, 1, b)) {
    Value x = point_value(a, b, mu->dim);
    if (!IS_ABRUPT(x) && calc_call_anyvec(a, f, what, 1, &x, &y, &n) && n == 0)
      call_error(a, "%s returned an empty vector", what);
    val_release(x);
  }
  free(y);
  free(b);
  if (r) gsl_rng_free(r);
  return n;
}

static Value bi_pushforward(Args *a) {
  Measure *mu;
  double dd;
  bool has_dim;
  if (!arg_measure(a, 0, &mu) || !arg_callable(a, 1) || !kw_num(a, "dim", &dd, &has_dim)) return v_abrupt();
  if (mu->is_signed) return arg_error(a, 0, "pushforward of a signed measure is not supported; push each Jordan part");
  size_t d;
  if (has_dim) {
    if (!(dd >= 1 && dd <= 1e6 && dd == floor(dd)))
      return kw_error(a, "dim", "dim= must be a whole number from 1 to 1e6, got %s", CALC_NUM(dd));
    d = (size_t)dd;
  } else if (!(d = probe_dim(a, mu, a->v[1], "the function"))) {
    return v_abrupt();
  }
  Measure *m = measure_new(&pushforward_kind, d);
  m->v[0] = val_retain(a->v[0]);
  m->v[1] = val_retain(a->v[1]);
  return measure_value(m);
}

/* ================================================================== mixture
 * v[0] the list of components, v[1] the normalised weights (k×1); priv the component picker. */
static void mix_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "mixture(");
  put_child(out, m->v[0]);
  sb_puts(out, ", weights=");
  put_child(out, m->v[1]);
  sb_putc(out, ')');
}

static void mix_free(Measure *m) {
  if (m->priv) gsl_ran_discrete_free(m->priv);
}

static const Measure *mix_comp(const Measure *m, size_t j) { return as_measure(comps(m)->items[j]); }
static double mix_w(const Measure *m, size_t j) { return AS_MAT(m->v[1])->data[j]; }

static bool mix_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  size_t k = comps(m)->n, d = m->dim;
  size_t *which = malloc((n ? n : 1) * sizeof *which), *count = calloc(k, sizeof *count);
  bool ok = which && count;
  if (!ok) oom(a, n, 1);
  for (size_t i = 0; ok && i < n; i++) count[which[i] = gsl_ran_discrete(rng, m->priv)]++;
  /* draw each component's rows in one batch, then place them in pick order */
  for (size_t j = 0; ok && j < k; j++) {
    if (!count[j]) continue;
    double *b = buf_alloc(a, count[j], d);
    ok = b && measure_draw(a, mix_comp(m, j), rng, count[j], b);
    for (size_t i = 0, r = 0; ok && i < n; i++)
      if (which[i] == j) memcpy(out + i * d, b + d * r++, d * sizeof(double));
    free(b);
  }
  free(which);
  free(count);
  return ok;
}

static bool mix_mean(const Measure *m, double *out) {
  size_t d = m->dim;
  double *b = dalloc(d);
  if (!b) return false;
  for (size_t j = 0; j < d; j++) out[j] = 0;
  for (size_t c = 0; c < comps(m)->n; c++) {
    const Measure *mc = mix_comp(m, c);
    if (!m_mean(mc, b)) {
      free(b);
      return false;
    }
    for (size_t j = 0; j < d; j++) out[j] += mix_w(m, c) * b[j];
  }
  free(b);
  return true;
}

/* the law of total variance: Σ w_c (C_c + m_c m_cᵀ) - m mᵀ */
static bool mix_cov(const Measure *m, double *out) {
  size_t d = m->dim;
  double *mu = dalloc(d), *mc = dalloc(d), *cc = dalloc(d * d);
  bool ok = mu && mc && cc && mix_mean(m, mu);
  for (size_t j = 0; j < d * d; j++) out[j] = 0;
  for (size_t c = 0; ok && c < comps(m)->n; c++) {
    const Measure *k = mix_comp(m, c);
    ok = m_mean(k, mc) && m_cov(k, cc);
    for (size_t i = 0; ok && i < d; i++)
      for (size_t j = 0; j < d; j++) out[i * d + j] += mix_w(m, c) * (cc[i * d + j] + mc[i] * mc[j]);
  }
  for (size_t i = 0; ok && i < d; i++)
    for (size_t j = 0; j < d; j++) out[i * d + j] -= mu[i] * mu[j];
  free(mu);
  free(mc);
  free(cc);
  return ok;
}

static bool mix_raw(const Measure *m, int k, double *out) {
  double s = 0, v;
  for (size_t c = 0; c < comps(m)->n; c++) {
    const Measure *mc = mix_comp(m, c);
    if (!mc->kind->raw_moment || !mc->kind->raw_moment(mc, k, &v)) return false;
    s += mix_w(m, c) * v;
  }
  *out = s;
  return true;
}

/* log Σ w_c p_c(x), by log-sum-exp; NAN when a component has no density */
static double mix_logpdf(const Measure *m, const double *x) {
  size_t k = comps(m)->n;
  double mx = -INFINITY, s = 0;
  double *l = dalloc(k);
  if (!l) return NAN;
  for (size_t c = 0; c < k; c++) {
    const Measure *mc = mix_comp(m, c);
    if (!mc->kind->logpdf) {
      free(l);
      return NAN;
    }
    l[c] = mix_w(m, c) > 0 ? log(mix_w(m, c)) + mc->kind->logpdf(mc, x) : -INFINITY;
    if (l[c] > mx) mx = l[c];
  }
  if (mx == -INFINITY || isnan(mx)) {
    free(l);
    return mx;
  }
  for (size_t c = 0; c < k; c++) s += exp(l[c] - mx);
  free(l);
  return mx + log(s);
}

static double mix_cdf(const Measure *m, double x) {
  double s = 0;
  for (size_t c = 0; c < comps(m)->n; c++) {
    const Measure *mc = mix_comp(m, c);
    if (!mc->kind->cdf) return NAN;
    s += mix_w(m, c) * mc->kind->cdf(mc, x);
  }
  return s;
}

static void mix_support(const Measure *m, double *lo, double *hi) {
  size_t d = m->dim;
  double *l = dalloc(d), *h = dalloc(d);
  for (size_t j = 0; j < d; j++) {
    lo[j] = INFINITY;
    hi[j] = -INFINITY;
  }
  for (size_t c = 0; l && h && c < comps(m)->n; c++) {
    const Measure *mc = mix_comp(m, c);
    if (mix_w(m, c) == 0) continue;
    for (size_t j = 0; j < d; j++) {
      l[j] = -INFINITY;
      h[j] = INFINITY;
    }
    if (mc->kind->support) mc->kind->support(mc, l, h);
    for (size_t j = 0; j < d; j++) {
      if (l[j] < lo[j]) lo[j] = l[j];
      if (h[j] > hi[j]) hi[j] = h[j];
    }
  }
  free(l);
  free(h);
}

static const MeasureKind mixture_kind = {
  .name = "mixture",
  .print = mix_print,
  .sample = mix_sample,
  .mean = mix_mean,
  .cov = mix_cov,
  .raw_moment = mix_raw,
  .logpdf = mix_logpdf,
  .cdf = mix_cdf,
  .support = mix_support,
  .free_priv = mix_free,
};

static Value bi_mixture(Args *a) {
  if (!IS_LIST(a->v[0]))
    return arg_error(a, 0, "the components must be a list of measures ([mu1, mu2, ...]), got a %s",
                     val_type_name(a->v[0]));
  const List *l = AS_LIST(a->v[0]);
  size_t k = l->n, d = 0;
  if (k == 0) return arg_error(a, 0, "needs at least one component");
  if (!check_components(a, 0, l, &d)) return v_abrupt();
  Mat *w = mat_alloc(k, 1);
  if (!w) return oom(a, k, 1);
  if (a->n > 1) {
    Value wv;
    if (!arg_mat(a, 1, &wv)) {
      val_release(v_obj(w));
      return v_abrupt();
    }
    const Mat *g = AS_MAT(wv);
    Value err = v_nil();
    if (!mat_is_vector(g) || mat_numel(g) != k)
      err = arg_error(a, 1, "%zu weights for %zu components", mat_numel(g), k);
    for (size_t i = 0; !IS_ABRUPT(err) && i < k; i++)
      if (!(g->data[i] >= 0) || !isfinite(g->data[i]))
        err = arg_error(a, 1, "the weights must be finite and non-negative, got %s at %zu", CALC_NUM(g->data[i]),
                        i + 1);
      else
        w->data[i] = g->data[i];
    val_release(wv);
    if (IS_ABRUPT(err)) {
      val_release(v_obj(w));
      return err;
    }
  } else {
    for (size_t i = 0; i < k; i++) w->data[i] = 1;
  }
  double s = 0;
  for (size_t i = 0; i < k; i++) s += w->data[i];
  if (!(s > 0) || !isfinite(s)) {
    val_release(v_obj(w));
    return arg_error(a, 1, "the weights must sum to a positive number, got %s", CALC_NUM(s));
  }
  for (size_t i = 0; i < k; i++) w->data[i] /= s;
  Measure *m = measure_new(&mixture_kind, d);
  m->v[0] = val_retain(a->v[0]);
  m->v[1] = v_obj(w);
  m->priv = gsl_ran_discrete_preproc(k, w->data);
  if (!m->priv) {
    dlt_gsl_clear();
    val_release(v_obj(m));
    return oom(a, k, 1);
  }
  return measure_value(m);
}

/* ================================================================== affine maps a·X + b
 * v[0] the measure of X, v[1] the shift b (d×1); p[0] the scale a. */
static const double *aff_b(const Measure *m) { return AS_MAT(m->v[1])->data; }
static const Measure *aff_base(const Measure *m) { return as_measure(m->v[0]); }

static void aff_print(const Measure *m, StrBuf *out) {
  bool shift = false;
  for (size_t j = 0; j < m->dim; j++) shift |= aff_b(m)[j] != 0;
  if (m->p[0] != 1) {
    fmt_num(out, m->p[0]);
    sb_puts(out, " * ");
  }
  put_child(out, m->v[0]);
  if (shift) {
    sb_puts(out, " + ");
    if (m->dim == 1) fmt_num(out, aff_b(m)[0]);
    else put_child(out, m->v[1]);
  }
}

static bool aff_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  if (!measure_draw(a, aff_base(m), rng, n, out)) return false;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < m->dim; j++) out[i * m->dim + j] = m->p[0] * out[i * m->dim + j] + aff_b(m)[j];
  return true;
}

static bool aff_mean(const Measure *m, double *out) {
  const Measure *b = aff_base(m);
  if (!m_mean(b, out)) return false;
  for (size_t j = 0; j < m->dim; j++) out[j] = m->p[0] * out[j] + aff_b(m)[j];
  return true;
}

static bool aff_cov(const Measure *m, double *out) {
  const Measure *b = aff_base(m);
  if (!m_cov(b, out)) return false;
  for (size_t j = 0; j < m->dim * m->dim; j++) out[j] *= m->p[0] * m->p[0];
  return true;
}

/* E (aX + b)^k = Σ_j C(k, j) a^j b^(k-j) E X^j */
static bool aff_raw(const Measure *m, int k, double *out) {
  const Measure *b = aff_base(m);
  if (!b->kind->raw_moment || k < 0) return false;
  double s = 0, x, sh = aff_b(m)[0];
  for (int j = 0; j <= k; j++) {
    if (j == 0) x = 1;
    else if (!b->kind->raw_moment(b, j, &x)) return false;
    s += gsl_sf_choose((unsigned)k, (unsigned)j) * pow(m->p[0], j) * pow(sh, k - j) * x;
  }
  *out = s;
  return true;
}

/* change of variables: log p_X((y - b)/a) - d log|a| (a = 0 has no density: NAN) */
static double aff_logpdf(const Measure *m, const double *y) {
  const Measure *b = aff_base(m);
  size_t d = m->dim;
  double *x = dalloc(d);
  if (!x || m->p[0] == 0) {
    free(x);
    return NAN;
  }
  for (size_t j = 0; j < d; j++) x[j] = (y[j] - aff_b(m)[j]) / m->p[0];
  double r = b->kind->logpdf(b, x) - (double)d * log(fabs(m->p[0]));
  free(x);
  return r;
}

/* for a < 0 this is P(X >= x) = 1 - F(x), exact when X has no atom at x */
static double aff_cdf(const Measure *m, double y) {
  const Measure *b = aff_base(m);
  double a = m->p[0], x = (y - aff_b(m)[0]) / a;
  if (a == 0) return y >= aff_b(m)[0] ? 1 : 0;
  return a > 0 ? b->kind->cdf(b, x) : 1 - b->kind->cdf(b, x);
}

static bool aff_score(const Measure *m, const double *y, double *g) {
  const Measure *b = aff_base(m);
  size_t d = m->dim;
  double *x = dalloc(d);
  if (!x || m->p[0] == 0) {
    free(x);
    return false;
  }
  for (size_t j = 0; j < d; j++) x[j] = (y[j] - aff_b(m)[j]) / m->p[0];
  bool ok = b->kind->score(b, x, g);
  for (size_t j = 0; ok && j < d; j++) g[j] /= m->p[0];
  free(x);
  return ok;
}

static void aff_support(const Measure *m, double *lo, double *hi) {
  const Measure *b = aff_base(m);
  for (size_t j = 0; j < m->dim; j++) {
    lo[j] = -INFINITY;
    hi[j] = INFINITY;
  }
  if (b->kind->support) b->kind->support(b, lo, hi);
  for (size_t j = 0; j < m->dim; j++) {
    double l = m->p[0] * lo[j] + aff_b(m)[j], h = m->p[0] * hi[j] + aff_b(m)[j];
    if (m->p[0] == 0) l = h = aff_b(m)[j];
    lo[j] = l < h ? l : h;
    hi[j] = l < h ? h : l;
  }
}

static double aff_mass(const Measure *m) { return mass_of(aff_base(m)); }

/* The hooks that need the base's counterpart (logpdf, cdf, score) exist exactly when the base has
 * them, so there is one affine kind per combination: index bit 1 logpdf, 2 cdf, 4 score. */
#define AFFINE_KIND(L, C, S)                                                                                 \
  {.name = "affine", .print = aff_print, .sample = aff_sample, .mean = aff_mean, .cov = aff_cov,             \
   .raw_moment = aff_raw, .logpdf = (L) ? aff_logpdf : NULL, .cdf = (C) ? aff_cdf : NULL,                   \
   .score = (S) ? aff_score : NULL, .support = aff_support, .mass = aff_mass}
static const MeasureKind affine_kinds[8] = {
  AFFINE_KIND(0, 0, 0), AFFINE_KIND(1, 0, 0), AFFINE_KIND(0, 1, 0), AFFINE_KIND(1, 1, 0),
  AFFINE_KIND(0, 0, 1), AFFINE_KIND(1, 0, 1), AFFINE_KIND(0, 1, 1), AFFINE_KIND(1, 1, 1),
};

static bool is_affine(const Measure *m) { return m->kind >= affine_kinds && m->kind < affine_kinds + 8; }

/* call a builtin of another measure module by name (normal), positional arguments only */
static Value call_named(Interp *I, const char *name, int argc, const Value *argv, const Span *where) {
  const Builtin *b = builtin_find(name);
  if (!b) return v_nil();
  Args a = {I, b->name, argc, argv, NULL, 0, NULL, NULL, NULL, NULL, where, b->data};
  return b->fn(&a);
}

/* normal(mean, sd) on the line, normal(mean_vector, cov) in R^d, through the measure module */
static Value normal_from(Interp *I, const double *mean, const double *cov, size_t d, const Span *where) {
  if (d == 1) {
    Value args[2] = {v_num(mean[0]), v_num(sqrt(cov[0]))};
    return call_named(I, "normal", 2, args, where);
  }
  Mat *m = mat_alloc(d, 1), *c = mat_alloc(d, d);
  if (!m || !c) {
    if (m) val_release(v_obj(m));
    if (c) val_release(v_obj(c));
    return dlt_error_oom(I, where, d, d);
  }
  memcpy(m->data, mean, d * sizeof(double));
  memcpy(c->data, cov, d * d * sizeof(double));
  Value args[2] = {v_obj(m), v_obj(c)};
  Value r = call_named(I, "normal", 2, args, where);
  val_release(args[0]);
  val_release(args[1]);
  return r;
}

/* a normal's mean and covariance (new arrays), when m is a normal; false otherwise */
static bool normal_params(const Measure *m, double **mean, double **cov) {
  *mean = *cov = NULL;
  if (strcmp(m->kind->name, "normal") != 0 || !m->kind->mean || !m->kind->cov) return false;
  *mean = dalloc(m->dim);
  *cov = dalloc(m->dim * m->dim);
  if (*mean && *cov && m->kind->mean(m, *mean) && m->kind->cov(m, *cov)) return true;
  free(*mean);
  free(*cov);
  *mean = *cov = NULL;
  return false;
}

/* the families closed under x -> a x + b (a != 0): normal and uniform on an interval; nil otherwise */
static Value closed_affine(Interp *I, const Measure *base, double a, const double *b, const Span *where) {
  size_t d = base->dim;
  if (a == 0) return v_nil();
  double *mu, *c;
  if (normal_params(base, &mu, &c)) {
    for (size_t j = 0; j < d; j++) mu[j] = a * mu[j] + b[j];
    for (size_t j = 0; j < d * d; j++) c[j] *= a * a;
    Value r = normal_from(I, mu, c, d, where);
    free(mu);
    free(c);
    return r;
  }
  if (d == 1 && strcmp(base->kind->name, "uniform") == 0 && base->kind->support) {
    double lo, hi;
    base->kind->support(base, &lo, &hi);
    double l = a * lo + b[0], h = a * hi + b[0];
    Value args[2] = {v_num(l < h ? l : h), v_num(l < h ? h : l)};
    return call_named(I, "uniform", 2, args, where);
  }
  return v_nil();
}

/* scale·X + shift for the measure mu (shift: dim numbers); closed forms where the family is
 * closed under affine maps (the scalar normal), nested maps collapse */
static Value affine_new(Interp *I, Value mu, double scale, const double *shift, const Span *where) {
  const Measure *base = as_measure(mu);
  size_t d = base->dim;
  if (is_affine(base)) {
    double *sh = dalloc(d);
    if (!sh) return dlt_error_oom(I, where, d, 1);
    for (size_t j = 0; j < d; j++) sh[j] = scale * aff_b(base)[j] + shift[j];
    Value r = affine_new(I, base->v[0], scale * base->p[0], sh, where);
    free(sh);
    return r;
  }
  Value r = closed_affine(I, base, scale, shift, where);
  if (!IS_NIL(r)) return r;
  int k = (base->kind->logpdf ? 1 : 0) | (base->kind->cdf ? 2 : 0) | (base->kind->score ? 4 : 0);
  Mat *b = mat_alloc(d, 1);
  if (!b) return dlt_error_oom(I, where, d, 1);
  memcpy(b->data, shift, d * sizeof(double));
  Measure *m = measure_new(&affine_kinds[k], d);
  m->v[0] = val_retain(mu);
  m->v[1] = v_obj(b);
  m->p[0] = scale;
  return measure_value(m);
}

/* ================================================================== sums of independent variables
 * v[0] P, v[1] Q (same dimension): samples X + Y with X ~ P, Y ~ Q independent. */
static void sum_print(const Measure *m, StrBuf *out) {
  sb_putc(out, '(');
  put_child(out, m->v[0]);
  sb_puts(out, " + ");
  put_child(out, m->v[1]);
  sb_putc(out, ')');
}

static bool sum_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  double *b = buf_alloc(a, n, m->dim);
  bool ok = b && measure_draw(a, as_measure(m->v[0]), rng, n, out) &&
            measure_draw(a, as_measure(m->v[1]), rng, n, b);
  for (size_t i = 0; ok && i < n * m->dim; i++) out[i] += b[i];
  free(b);
  return ok;
}

static bool sum_moments(const Measure *m, double *out, bool cov) {
  size_t k = cov ? m->dim * m->dim : m->dim;
  double *b = dalloc(k);
  const Measure *p = as_measure(m->v[0]), *q = as_measure(m->v[1]);
  bool ok = b && (cov ? m_cov(p, out) && m_cov(q, b) : m_mean(p, out) && m_mean(q, b));
  for (size_t i = 0; ok && i < k; i++) out[i] += b[i];
  free(b);
  return ok;
}

static bool sum_mean(const Measure *m, double *out) { return sum_moments(m, out, false); }
static bool sum_cov(const Measure *m, double *out) { return sum_moments(m, out, true); }

static const MeasureKind sum_kind = {
  .name = "sum",
  .print = sum_print,
  .sample = sum_sample,
  .mean = sum_mean,
  .cov = sum_cov,
};

static Value sum_new(Interp *I, Value p, Value q, const Span *where) {
  const Measure *P = as_measure(p), *Q = as_measure(q);
  if (P->dim != Q->dim)
    return dlt_error(I, where, "cannot add measures on R^%zu and R^%zu", P->dim, Q->dim);
  double *m1, *c1, *m2, *c2;
  if (normal_params(P, &m1, &c1)) {
    Value r = v_nil();
    if (normal_params(Q, &m2, &c2)) {
      size_t d = P->dim;
      for (size_t j = 0; j < d; j++) m1[j] += m2[j];
      for (size_t j = 0; j < d * d; j++) c1[j] += c2[j];
      r = normal_from(I, m1, c1, d, where);
      free(m2);
      free(c2);
    }
    free(m1);
    free(c1);
    if (!IS_NIL(r)) return r;
  }
  Measure *m = measure_new(&sum_kind, P->dim);
  m->v[0] = val_retain(p);
  m->v[1] = val_retain(q);
  return measure_value(m);
}

/* ================================================================== arithmetic */
/* a shift for a measure on R^d: a number (broadcast) or a vector of d numbers; NULL after an error */
static double *as_shift(Interp *I, Value v, size_t d, const Span *where) {
  double *b = dalloc(d);
  if (!b) {
    dlt_error_oom(I, where, d, 1);
    return NULL;
  }
  double x;
  if (val_scalar(v, &x)) {
    for (size_t j = 0; j < d; j++) b[j] = x;
  } else if (IS_MAT(v) && mat_is_vector(AS_MAT(v)) && mat_numel(AS_MAT(v)) == d) {
    memcpy(b, AS_MAT(v)->data, d * sizeof(double));
  } else {
    free(b);
    if (IS_MAT(v))
      dlt_error(I, where, "cannot shift a measure on R^%zu by a %zu×%zu matrix (a number or a vector of %zu)", d,
                mat_rows(AS_MAT(v)), mat_cols(AS_MAT(v)), d);
    else
      dlt_error(I, where, "cannot add a measure and a %s", val_type_name(v));
    return NULL;
  }
  for (size_t j = 0; j < d; j++)
    if (!isfinite(b[j])) {
      NumText t = num_text(b[j]);
      free(b);
      dlt_error(I, where, "the shift of a measure must be finite, got %s", t.s);
      return NULL;
    }
  return b;
}

static Value shift_scale(Interp *I, Value mu, double a, Value shift, double sign, const Span *where) {
  const Measure *m = as_measure(mu);
  if (!isfinite(a)) return dlt_error(I, where, "the scale of a measure must be finite, got %s", num_text(a).s);
  double *b = IS_NIL(shift) ? calloc(m->dim ? m->dim : 1, sizeof(double)) : as_shift(I, shift, m->dim, where);
  if (!b) return IS_NIL(shift) ? dlt_error_oom(I, where, m->dim, 1) : v_abrupt();
  for (size_t j = 0; j < m->dim; j++) b[j] *= sign;
  Value r = affine_new(I, mu, a, b, where);
  free(b);
  return r;
}

Value measure_binop(Interp *I, OpCode op, Value a, Value b, const Span *where) {
  bool ma = val_is_measure(a), mb = val_is_measure(b);
  const Measure *s = ma && as_measure(a)->is_signed ? as_measure(a) : mb && as_measure(b)->is_signed ? as_measure(b) : NULL;
  if (s && (op == OP_ADD || op == OP_SUB || op == OP_MUL || op == OP_DIV))
    return dlt_error(I, where,
                     "arithmetic on a signed measure is ambiguous (scale the variable or the weights?): build it with "
                     "new weights, e.g. signed_discrete(atoms, 2 * weights)");
  double x;
  switch (op) {
  case OP_MUL:
    if (ma && !mb && val_scalar(b, &x)) return shift_scale(I, a, x, v_nil(), 1, where);
    if (mb && !ma && val_scalar(a, &x)) return shift_scale(I, b, x, v_nil(), 1, where);
    if (ma && mb)
      return dlt_error(I, where, "cannot multiply two measures; for the product of independent variables use "
                                 "pushforward(product(P, Q), fn(z) => z[1] * z[2])");
    break;
  case OP_DIV:
    if (ma && !mb && val_scalar(b, &x)) {
      if (x == 0) return dlt_error(I, where, "cannot divide a measure by 0");
      return shift_scale(I, a, 1 / x, v_nil(), 1, where);
    }
    break;
  case OP_ADD:
    if (ma && mb) return sum_new(I, a, b, where);
    if (ma) return shift_scale(I, a, 1, b, 1, where);
    return shift_scale(I, b, 1, a, 1, where);
  case OP_SUB:
    if (ma && mb) {
      Value nb = shift_scale(I, b, -1, v_nil(), 1, where);
      if (IS_ABRUPT(nb)) return nb;
      Value r = sum_new(I, a, nb, where);
      val_release(nb);
      return r;
    }
    if (ma) return shift_scale(I, a, 1, b, -1, where);
    return shift_scale(I, b, -1, a, 1, where);
  case OP_EQ:
  case OP_NE: {
    bool same = IS_OBJ(a) && IS_OBJ(b) && a.u.o == b.u.o;
    return v_bool(op == OP_EQ ? same : !same);
  }
  default: break;
  }
  const char *other = val_type_name(ma ? b : a);
  if (op == OP_MATMUL)
    return dlt_error(I, where, "cannot apply @ to a measure; for a linear map use pushforward(mu, fn(x) => A @ x)");
  return dlt_error(I, where, "cannot apply %s to a %s and a %s (measures support a * mu + b, mu / a and P + Q)",
                   op_symbol(op), ma ? "measure" : other, ma ? other : "measure");
}

Value measure_unop(Interp *I, OpCode op, Obj *self, const Span *where) {
  Value mu = v_obj(self);
  if (op == OP_NEG) {
    if (as_measure(mu)->is_signed)
      return dlt_error(I, where, "arithmetic on a signed measure is ambiguous: build it with negated weights");
    return shift_scale(I, mu, -1, v_nil(), 1, where);
  }
  return dlt_error(I, where, "cannot apply %s to a measure", op_symbol(op));
}

/* ================================================================== joint data-generating processes
 * v[0] the list of components (the first a measure, each later one a measure or a function of the
 * earlier components' values returning a measure), v[1] their names (a list of strings);
 * priv: the dimension of each component (size_t[]). Samples are rows [x..., y..., ...]. */
static const MeasureKind joint_kind;

static void joint_free(Measure *m) { free(m->priv); }

static void joint_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "joint(");
  for (size_t i = 0; i < comps(m)->n; i++) {
    if (i) sb_puts(out, ", ");
    sb_puts(out, AS_STR(AS_LIST(m->v[1])->items[i])->s);
    sb_puts(out, " = ");
    put_child(out, comps(m)->items[i]);
  }
  sb_putc(out, ')');
}

/* component j at one point: a measure (its own, or the one the function returns for the earlier
 * values in row) as a new reference; v_abrupt() after an error */
static Value joint_component(Args *a, const Measure *m, size_t j, const double *row, const size_t *dims) {
  Value c = comps(m)->items[j];
  if (val_is_measure(c)) return val_retain(c);
  Value argv[64];
  size_t off = 0;
  for (size_t i = 0; i < j; i++) {
    argv[i] = point_value(a, row + off, dims[i]);
    off += dims[i];
    if (IS_ABRUPT(argv[i])) {
      for (size_t k = 0; k < i; k++) val_release(argv[k]);
      return v_abrupt();
    }
  }
  Value r = dlt_call(a->I, c, (int)j, argv, a->call);
  for (size_t i = 0; i < j; i++) val_release(argv[i]);
  if (IS_ABRUPT(r)) return r;
  const char *name = AS_STR(AS_LIST(m->v[1])->items[j])->s;
  if (!val_is_measure(r) || as_measure(r)->is_signed) {
    Value e = call_error(a, "the function for '%s' must return a probability measure, got %s%s", name,
                         val_is_measure(r) ? "a signed " : "a ", val_is_measure(r) ? "measure" : val_type_name(r));
    val_release(r);
    return e;
  }
  if (dims[j] && as_measure(r)->dim != dims[j]) {
    Value e = call_error(a, "the function for '%s' returned a measure on R^%zu, but on R^%zu at its first draw", name,
                         as_measure(r)->dim, dims[j]);
    val_release(r);
    return e;
  }
  return r;
}

static bool joint_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out) {
  const size_t *dims = m->priv;
  size_t d = m->dim, d0 = dims[0];
  double *b = buf_alloc(a, n, d0);
  if (!b || !measure_draw(a, as_measure(comps(m)->items[0]), rng, n, b)) {
    free(b);
    return false;
  }
  for (size_t i = 0; i < n; i++) memcpy(out + i * d, b + i * d0, d0 * sizeof(double));
  free(b);
  size_t off = d0;
  for (size_t j = 1; j < comps(m)->n; j++) {
    if (val_is_measure(comps(m)->items[j])) { /* independent of the rest: one batch */
      double *c = buf_alloc(a, n, dims[j]);
      bool ok = c && measure_draw(a, as_measure(comps(m)->items[j]), rng, n, c);
      for (size_t i = 0; ok && i < n; i++) memcpy(out + i * d + off, c + i * dims[j], dims[j] * sizeof(double));
      free(c);
      if (!ok) return false;
    } else {
      for (size_t i = 0; i < n; i++) {
        Value c = joint_component(a, m, j, out + i * d, dims);
        bool ok = !IS_ABRUPT(c) && measure_draw(a, as_measure(c), rng, 1, out + i * d + off);
        val_release(c);
        if (!ok) return false;
      }
    }
    off += dims[j];
  }
  return true;
}

static const MeasureKind joint_kind = {
  .name = "joint",
  .print = joint_print,
  .sample = joint_sample,
  .free_priv = joint_free,
};

/* Builds from parallel arrays of names and values; the dims come from one probe draw. */
static Value joint_build(Args *a, size_t k, const char *const *names, const Value *vals, int argi) {
  if (k == 0) return call_error(a, "needs at least one component");
  if (k > 64) return call_error(a, "at most 64 components, got %zu", k);
  if (!val_is_measure(vals[0]) || as_measure(vals[0])->is_signed)
    return arg_error(a, argi, "the first component ('%s') must be a probability measure, got a %s%s", names[0],
                     val_is_measure(vals[0]) ? "signed " : "", val_type_name(vals[0]));
  for (size_t j = 1; j < k; j++)
    if (!val_is_measure(vals[j]) && !val_is_callable(vals[j]))
      return arg_error(a, argi < 0 ? argi : argi + (int)j,
                       "component '%s' must be a measure or a function of the earlier components returning one, "
                       "got a %s",
                       names[j], val_type_name(vals[j]));
  Measure *m = measure_new(&joint_kind, 0);
  size_t *dims = calloc(k, sizeof *dims);
  m->priv = dims;
  m->v[0] = list_new(k);
  m->v[1] = list_new(k);
  for (size_t j = 0; j < k; j++) {
    list_push(AS_LIST(m->v[0]), val_retain(vals[j]));
    list_push(AS_LIST(m->v[1]), str_from(names[j]));
  }
  Value mv = measure_value(m);
  if (!dims) {
    val_release(mv);
    return oom(a, k, 1);
  }
  /* probe: one row drawn from a private stream fixes each component's dimension */
  gsl_rng *r = probe_rng(a);
  double row[4096];
  size_t off = 0;
  bool ok = r != NULL;
  for (size_t j = 0; ok && j < k; j++) {
    Value c = joint_component(a, m, j, row, dims);
    ok = !IS_ABRUPT(c);
    if (ok && off + as_measure(c)->dim > 4096) {
      call_error(a, "the joint dimension is too large (more than 4096)");
      ok = false;
    }
    if (ok) {
      dims[j] = as_measure(c)->dim;
      ok = measure_draw(a, as_measure(c), r, 1, row + off);
      off += dims[j];
    }
    val_release(c);
  }
  if (r) gsl_rng_free(r);
  if (!ok) {
    val_release(mv);
    return v_abrupt();
  }
  m->dim = off;
  return mv;
}

static Value bi_joint(Args *a) {
  if (a->n == 1 && IS_RECORD(a->v[0])) {
    const Record *rec = AS_RECORD(a->v[0]);
    const char *names[64];
    if (rec->n > 64) return arg_error(a, 0, "at most 64 components, got %zu", rec->n);
    for (size_t i = 0; i < rec->n; i++) names[i] = rec->keys[i]->s;
    return joint_build(a, rec->n, names, rec->vals, 0);
  }
  if (a->n != 2)
    return call_error(a, "takes a measure and a conditional, joint(x = P, y = fn(x) => ...), or a record "
                         "{x: P, y: fn(x) => ..., ...}");
  static const char *const names[2] = {"x", "y"};
  return joint_build(a, 2, names, a->v, 0);
}

/* What sample() returns for m given its n×dim matrix x (taken over): a joint's rows split into a
 * record of its components, {x: n×dx, y: n×dy}; x itself for every other measure. */
Value measure_comb_sample_result(Args *a, const Measure *m, Value x) {
  if (IS_ABRUPT(x) || m->kind != &joint_kind || !IS_MAT(x)) return x;
  const Mat *s = AS_MAT(x);
  const size_t *dims = m->priv;
  size_t n = mat_rows(s), off = 0;
  Value r = record_new();
  for (size_t j = 0; j < comps(m)->n; j++) {
    Mat *c = mat_alloc(n, dims[j]);
    if (!c) {
      val_release(r);
      val_release(x);
      return oom(a, n, dims[j]);
    }
    for (size_t i = 0; i < n; i++) memcpy(c->data + i * dims[j], s->data + i * m->dim + off, dims[j] * sizeof(double));
    off += dims[j];
    record_set(AS_RECORD(r), AS_STR(AS_LIST(m->v[1])->items[j])->s, v_obj(c));
  }
  val_release(x);
  return r;
}

/* ================================================================== registration */
static const Builtin measure_comb_builtins[] = {
  {"signed_discrete", bi_signed_discrete, 2, 2, NULL, "signed_discrete(atoms, weights)",
   "the signed measure Σ weights_i δ(atoms_i) (weights of any sign; atoms a vector or one per row)", NULL},
  {"signed_density", bi_signed_density, 3, 3, "n", "signed_density(f, a, b, n=4096)",
   "the signed measure f(x) dx on [a, b] (f of any sign, tabulated on n grid cells)", NULL},
  {"jordan", bi_jordan, 1, 1, NULL, "jordan(mu)",
   "the Jordan decomposition of a signed measure: {positive, negative}, two finite non-negative measures", NULL},
  {"tv_mass", bi_tv_mass, 1, 1, NULL, "tv_mass(mu)", "the total variation |mu|(R^d) = mass of the positive part + mass of the negative part", NULL},
  {"maurey", bi_maurey, 1, 1, NULL, "maurey(mu)",
   "the Maurey sampler of a signed measure: a probability measure on rows [s, w...] (s = ±1 by the parts' masses)", NULL},
  {"maurey_sample", bi_maurey_sample, 2, 2, "seed", "maurey_sample(mu, k, seed=)",
   "k Maurey draws from a signed measure: {signs, points, mass, weights} with weights = mass * signs / k", NULL},
  {"product", bi_product, 1, -1, NULL, "product(mu1, mu2, ...)",
   "the product measure of independent components (samples side by side)", NULL},
  {"pushforward", bi_pushforward, 2, 2, "dim", "pushforward(mu, f, dim=)",
   "the law of f(X) for X ~ mu (samples are f applied to each sample row)", NULL},
  {"mixture", bi_mixture, 1, 2, NULL, "mixture(components, weights=)",
   "the mixture Σ w_i mu_i of a list of measures (weights normalised; equal by default)", NULL},
  {"joint", bi_joint, 1, 2, NULL, "joint(x, y)",
   "a data-generating process: x ~ P then y ~ f(x); sample gives {x, y} (also joint({a: P, b: fn(a) => ..., ...}))",
   NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_measure_comb = {"measure_comb", measure_comb_builtins};
