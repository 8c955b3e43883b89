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

typedef enum { ANY, POSITIVE, NONNEG, UNIT } Cond;

static const char *cond_fails(Cond cond, double x) {
  if (!isfinite(x)) return "a finite number";
  switch (cond) {
  case POSITIVE: return x > 0 ? NULL : "positive";
  case NONNEG: return x >= 0 ? NULL : "non-negative";
  case UNIT: return x >= 0 && x <= 1 ? NULL : "between 0 and 1";
  case ANY: break;
  }
  return NULL;
}

/* A number parameter (positional i, or name=; i < 0: keyword only) with a default. */
static bool num_param(Args *a, int i, const char *name, double dflt, Cond cond, double *out, bool *present) {
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
  const char *need = cond_fails(cond, *out);
  if (need) {
    param_error(a, i, name, "%s must be %s, got %s", name, need, num_text(*out).s);
    return false;
  }
  return true;
}

/* ------------------------------------------------------------------ printing helpers */
static void put_num(StrBuf *b, double x) { fmt_num(b, x); }

/* ------------------------------------------------------------------ normal (scalar) */
/* p[0] mean, p[1] sd > 0 */
static void normal1_print(const Measure *m, StrBuf *out) {
  sb_puts(out, "normal(mean=");
  put_num(out, m->p[0]);
  sb_puts(out, ", sd=");
  put_num(out, m->p[1]);
  sb_putc(out, ')');
}

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
  *out = m->p[1] * m->p[1];
  return true;
}

/* E[X^k] = mu E[X^(k-1)] + (k-1) sd^2 E[X^(k-2)] (Stein's identity) */
static bool normal1_raw(const Measure *m, int k, double *out) {
  double prev = 1, cur = m->p[0], s2 = m->p[1] * m->p[1];
  if (k == 0) cur = 1;
  for (int j = 2; j <= k; j++) {
    double next = m->p[0] * cur + (j - 1) * s2 * prev;
    prev = cur;
    cur = next;
  }
  *out = cur;
  return true;
}

static double normal1_logpdf(const Measure *m, const double *x) {
  double z = (x[0] - m->p[0]) / m->p[1];
  return -0.5 * z * z - log(m->p[1]) - 0.5 * log(2 * M_PI);
}

static double normal1_cdf(const Measure *m, double x) { return gsl_cdf_gaussian_P(x - m->p[0], m->p[1]); }

static bool normal1_score(const Measure *m, const double *x, double *g) {
  g[0] = -(x[0] - m->p[0]) / (m->p[1] * m->p[1]);
  return true;
}

static void real_line(const Measure *m, double *lo, double *hi) {
  for (size_t j = 0; j < m->dim; j++) {
    lo[j] = -INFINITY;
    hi[j] = INFINITY;
  }
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
};

static Value bi_normal(Args *a) {
  double mean, sd, var;
  bool has_sd, has_var;
  if (!num_param(a, 0, "mean", 0, ANY, &mean, NULL) || !num_param(a, 1, "sd", 1, POSITIVE, &sd, &has_sd) ||
      !num_param(a, -1, "var", 1, POSITIVE, &var, &has_var))
    return v_abrupt();
  if (has_sd && has_var) return kw_error(a, "var", "give sd or var=, not both");
  Measure *m = measure_new(&normal1_kind, 1);
  m->p[0] = mean;
  m->p[1] = has_var ? sqrt(var) : sd;
  return measure_value(m);
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
  Value x = measure_sample(a, m, rng, n);
  args_rng_done(a, rng);
  /* without n, one draw as rand_normal() gives it: a number on the line, else a 1×d row */
  if (one && !IS_ABRUPT(x) && m->dim == 1) {
    double d = AS_MAT(x)->data[0];
    val_release(x);
    return v_num(d);
  }
  return x;
}

/* ------------------------------------------------------------------ the method hook */
/* the measure's mean (dim numbers), or false after an error naming the builtin */
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

/* the covariance (dim×dim), or false after an error */
static bool need_cov(Args *a, const Measure *m, double *out) {
  if (m->kind->cov) {
    if (m->kind->cov(m, out)) return true;
    call_error(a, "a %s measure has no %s", m->kind->name, m->dim == 1 ? "variance" : "covariance");
    return false;
  }
  double m1, m2;
  if (m->dim == 1 && m->kind->raw_moment) {
    if (m->kind->raw_moment(m, 1, &m1) && m->kind->raw_moment(m, 2, &m2)) {
      *out = m2 - m1 * m1;
      return true;
    }
    call_error(a, "a %s measure has no variance", m->kind->name);
    return false;
  }
  call_error(a, "no closed-form %s for a %s measure (use expect)", m->dim == 1 ? "variance" : "covariance",
             m->kind->name);
  return false;
}

/* the generic builtins applied to a measure take it alone: no axis=, no second sample */
static bool method_arity(Args *a, int max_pos, const char *usage) {
  if (a->nkw > 0) {
    kw_error(a, a->kwnames[0], "%s= does not apply to a measure (usage: %s)", a->kwnames[0], usage);
    return false;
  }
  if (a->n > max_pos) {
    call_error(a, "takes %d argument%s for a measure, got %d (usage: %s)", max_pos, max_pos == 1 ? "" : "s", a->n,
               usage);
    return false;
  }
  return true;
}

/* a vector of d numbers as a number (d = 1) or a d×1 column */
static Value vec_value(Args *a, const double *x, size_t d) {
  if (d == 1) return v_num(x[0]);
  Mat *r = mat_alloc(d, 1);
  if (!r) return dlt_error_oom(a->I, a->call, d, 1);
  memcpy(r->data, x, d * sizeof(double));
  return v_obj(r);
}

static Value method_mean(Args *a, const Measure *m) {
  if (!method_arity(a, 1, "mean(mu)")) return v_abrupt();
  double *x = malloc((m->dim ? m->dim : 1) * sizeof *x);
  if (!x) return dlt_error_oom(a->I, a->call, m->dim, 1);
  Value r = need_mean(a, m, x) ? vec_value(a, x, m->dim) : v_abrupt();
  free(x);
  return r;
}

static Value method_cov(Args *a, const Measure *m) {
  if (!method_arity(a, 1, "cov(mu)")) return v_abrupt();
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

static bool need_1d(Args *a, const Measure *m, const char *hint) {
  if (m->dim == 1) return true;
  call_error(a, "needs a measure on the line, got one on R^%zu%s", m->dim, hint);
  return false;
}

static Value method_var(Args *a, const Measure *m, bool sd) {
  if (!method_arity(a, 1, sd ? "sd(mu)" : "var(mu)") || !need_1d(a, m, " (use cov)")) return v_abrupt();
  double v;
  if (!need_cov(a, m, &v)) return v_abrupt();
  return v_num(sd ? sqrt(v) : v);
}

static Value measure_method(Args *a, const char *builtin, bool *handled) {
  const Measure *m = as_measure(a->v[0]);
  *handled = true;
  if (strcmp(builtin, "mean") == 0) return method_mean(a, m);
  if (strcmp(builtin, "cov") == 0) return method_cov(a, m);
  if (strcmp(builtin, "var") == 0) return method_var(a, m, false);
  if (strcmp(builtin, "sd") == 0) return method_var(a, m, true);
  *handled = false;
  return v_nil();
}

static const Builtin measure_builtins[] = {
  {"normal", bi_normal, 0, 2, "mean sd var", "normal(mean=0, sd=1)", "the normal measure N(mean, sd^2) on the line (var= instead of sd= also accepted)", NULL},
  {"sample", bi_sample, 1, 2, "seed", "sample(mu, n=, seed=)", "n draws from the measure mu as the rows of an n×d matrix (a column on the line); without n one draw", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_measure = {"measure", measure_builtins};
