/* lib/kernel_maps.c - the single-layer maps of the infinite-width kernel recursion (seed 003
 * §3.3, seed 002 Lecture 5), their iterates over depth, the finite-width fourth cumulant
 * recursion (seed 003 §3.4, corrected), and Monte Carlo kernels of random networks.
 *
 * For one layer with weight variance CW and bias variance Cb, a pre-activation of variance q
 * (z = √q g, g ~ N(0, 1)) is mapped to
 *     V(q) = Cb + CW E[σ(√q g)²]                      (the variance map)
 * and a pair at variances (q, q) and correlation ρ to the correlation
 *     ρ' = (Cb + CW E[σ(u)σ(v)]) / V(q),   (u, v) ~ N(0, q [[1, ρ], [ρ, 1]]).
 * χ = CW E[σ'(√q g)²] is the slope of the correlation map at ρ = 1 when q is a fixed point
 * (Poole et al.'s order-to-chaos parameter χ₁). The fourth cumulant recursion needs the other
 * susceptibility, χ_∥ = dV/dq = (CW/2) E[(σ²)''], written with Stein's identity as
 * (CW/(2q)) E[σ(√q g)² (g² − 1)] so that kinked activations need no second derivative.
 *
 * The two-point expectations come from gauss2 (closed forms for relu, step, erf, identity,
 * leaky_relu, abs and whole relu_pow; Gauss–Hermite of the chosen order otherwise). The diagonal
 * E[σ(√q g)²] of a kind without a closed form is the same Gauss–Hermite rule in one dimension,
 * which is what the two-dimensional rule reduces to at ρ = 1. The fourth-cumulant expectations
 * E[σ⁴] and E[σ²(g² − 1)] use adaptive quadrature on each half line (gsl_integration_qagiu and
 * qagil), so that the kink at 0 of relu-like activations sits on an end point. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_roots.h>

#include "../eval.h"
#include "../interp.h"
#include "../print.h"
#include "calculus.h"
#include "gauss2.h"
#include "net.h"
#include "random.h"

#define DEFAULT_ORDER 64
#define MAX_ORDER 400
#define WS_LIMIT 200
#define INV_SQRT_2PI 0.39894228040143267794

/* ------------------------------------------------------------------ one layer's map */
typedef struct Map {
  Args *a;
  Value holder;             /* the activation network that owns act (and a user function) */
  const Activation *act;
  double CW, Cb;
  int order;
  double *x, *w;            /* the one-dimensional Gauss–Hermite rule, when act has no closed form */
  gsl_integration_workspace *ws; /* adaptive one-dimensional expectations */
  double q;                 /* correlation_map: the inputs' variance */
} Map;

/* The activation argument, as mlp's act= takes it: anything the activation builtin accepts (a
 * name, a builtin such as tanh, a function of one number; slope= and k= as there), or a network
 * whose first activation is used. */
static bool map_act(Map *m, int i) { return arg_activation(m->a, i, &m->holder, &m->act); }

static void map_close(Map *m) {
  val_release(m->holder);
  m->holder = v_nil();
  free(m->x);
  free(m->w);
  m->x = m->w = NULL;
  if (m->ws) gsl_integration_workspace_free(m->ws);
  m->ws = NULL;
}

/* act (argument 0), CW=, Cb= (when with_cb) and order= */
static bool map_open(Map *m, Args *a, bool with_cb) {
  memset(m, 0, sizeof *m);
  m->a = a;
  m->holder = v_nil();
  double ord = DEFAULT_ORDER;
  if (!kw_nonneg(a, "CW", 1, &m->CW) || (with_cb && !kw_nonneg(a, "Cb", 0, &m->Cb)) || !kw_num(a, "order", &ord, NULL))
    return false;
  if (!(ord >= 1 && ord <= MAX_ORDER && ord == floor(ord))) {
    kw_error(a, "order", "order (the Gauss–Hermite order) must be a whole number between 1 and %d, got %s", MAX_ORDER,
             num_text(ord).s);
    return false;
  }
  m->order = (int)ord;
  if (!map_act(m, 0)) return false;
  m->ws = gsl_integration_workspace_alloc(WS_LIMIT);
  if (!m->ws) {
    call_error(a, "out of memory");
    map_close(m);
    return false;
  }
  if (!gauss2_exact(m->act)) {
    m->x = dlt_xmalloc((size_t)m->order * sizeof *m->x);
    m->w = dlt_xmalloc((size_t)m->order * sizeof *m->w);
    int st = dlt_gauss_hermite_normal((size_t)m->order, m->x, m->w);
    if (st) {
      dlt_error_gsl(a->I, a->call, "the Gauss–Hermite rule", st);
      map_close(m);
      return false;
    }
  }
  return true;
}

/* ------------------------------------------------------------------ one-dimensional expectations */
typedef enum { MOM_S2, MOM_S4, MOM_S2G, MOM_D2 } MomentKind;

typedef struct MomentCtx {
  Map *m;
  double r;       /* √q */
  MomentKind kind;
  bool failed;
} MomentCtx;

static double moment_integrand(double t, void *p) {
  MomentCtx *c = p;
  if (c->failed) return 0;
  double f, df;
  if (!act_eval(c->m->a, c->m->act, c->r * t, &f, c->kind == MOM_D2 ? &df : NULL, NULL)) {
    c->failed = true;
    return 0;
  }
  double phi = INV_SQRT_2PI * exp(-0.5 * t * t), s2 = f * f;
  if (phi == 0) return 0; /* far in the tail; σ(x)² may overflow there */
  switch (c->kind) {
  case MOM_S2: return phi * s2;
  case MOM_D2: return phi * df * df;
  case MOM_S4: return phi * s2 * s2;
  default: return phi * s2 * (t * t - 1);
  }
}

static const char *moment_text(MomentKind k) {
  switch (k) {
  case MOM_S2: return "E[σ(√q g)²]";
  case MOM_S4: return "E[σ(√q g)⁴]";
  case MOM_D2: return "E[σ'(√q g)²]";
  default: return "E[σ(√q g)²(g² − 1)]";
  }
}

/* E over g ~ N(0, 1). Each half line is cut at 0, s, 4s, 16s, ... up to 8 and a tail, with
 * s = min(1, 1/√q)/16: σ(√q t) changes on the scale 1/√q in t and the Gaussian on the scale 1, and
 * an adaptive rule on one long interval can step over a feature that narrow (tanh at q = 10⁹ came
 * out as exactly 1/2). The pieces are integrated by QAGS, the tail by QAGIU/QAGIL. */
static bool moment(Map *m, double q, MomentKind kind, double *out) {
  gsl_integration_workspace *ws = m->ws;
  MomentCtx c = {m, sqrt(q), kind, false};
  gsl_function F = {moment_integrand, &c};
  /* c.r > 0, not 1 / c.r: at q = -0 that is -inf, and the pieces never reached 8 */
  double start = (c.r > 0 ? fmin(1, 1 / c.r) : 1) / 16, sum = 0, err = 0;
  int st = GSL_SUCCESS;
  for (int side = 1; side >= -1 && !c.failed; side -= 2) {
    double lo = 0, hi = start, r, e;
    for (;;) {
      double a = side > 0 ? lo : -hi, b = side > 0 ? hi : -lo;
      int s1 = lo < 8 ? gsl_integration_qags(&F, a, b, 0, 1e-11, WS_LIMIT, ws, &r, &e)
               : side > 0 ? gsl_integration_qagiu(&F, lo, 0, 1e-11, WS_LIMIT, ws, &r, &e)
                          : gsl_integration_qagil(&F, -lo, 0, 1e-11, WS_LIMIT, ws, &r, &e);
      if (c.failed) break;
      sum += r;
      err += e;
      if (s1 != GSL_SUCCESS && st == GSL_SUCCESS) st = s1;
      if (lo >= 8) break;
      lo = hi;
      hi *= 4;
    }
  }
  if (c.failed) return false;
  /* a piece whose share of the sum is tiny may not reach its own relative target; the sum's error
   * is then still far below it */
  if (st != GSL_SUCCESS && err <= 1e-9 * fabs(sum)) {
    st = GSL_SUCCESS;
    dlt_gsl_clear(); /* the failure GSL's handler recorded is one we accept */
  }
  if (st != GSL_SUCCESS || !isfinite(sum)) {
    call_error(m->a, "%s at q = %s could not be computed (%s): does the integral converge?", moment_text(kind),
               num_text(q).s, st ? gsl_strerror(st) : "not finite");
    return false;
  }
  *out = sum;
  return true;
}

/* E[σ(√q g)²] by the Gauss–Hermite rule of gauss2's order: what gauss2's two-dimensional rule
 * gives at ρ = 1, so the correlation map's numerator and denominator come from the same rule and
 * ρ = 1 stays a fixed point. */
static bool diag_rule(Map *m, double q, double *ss) {
  if (!m->x) {
    Gauss2 g;
    if (!gauss2(m->a, m->act, q, q, q, m->order, &g)) return false;
    *ss = g.ss;
    return true;
  }
  double s = 0, r = sqrt(q);
  for (int i = 0; i < m->order; i++) {
    double f;
    if (!act_eval(m->a, m->act, r * m->x[i], &f, NULL, NULL)) return false;
    s += m->w[i] * f * f;
  }
  *ss = s;
  return true;
}

/* E[σ(√q g)²] (d = false) or E[σ'(√q g)²] (d = true) to full accuracy: closed forms, else
 * adaptive quadrature (Gauss–Hermite converges slowly for tanh at large q, whose poles at
 * ±iπ/(2√q) approach the real line) */
static bool diag_exact(Map *m, double q, bool d, double *out) {
  if (!m->x) {
    Gauss2 g;
    if (!gauss2(m->a, m->act, q, q, q, m->order, &g)) return false;
    *out = d ? g.dd : g.ss;
    return true;
  }
  return moment(m, q, d ? MOM_D2 : MOM_S2, out);
}

/* V(q) */
static bool map_var(Map *m, double q, double *out) {
  double ss;
  if (!diag_exact(m, q, false, &ss)) return false;
  *out = m->Cb + m->CW * ss;
  return true;
}

/* The next layer's covariance and variance from variance q and covariance c: (c', q'), both by
 * the same rule */
static bool map_pair(Map *m, double q, double c, double *cn, double *qn) {
  Gauss2 g;
  double ss;
  if (!diag_rule(m, q, &ss) || !gauss2(m->a, m->act, q, q, c, m->order, &g)) return false;
  *qn = m->Cb + m->CW * ss;
  *cn = m->Cb + m->CW * g.ss;
  return true;
}

static double clamp1(double r) { return r > 1 ? 1 : r < -1 ? -1 : r; }

/* a located error when a computed value is not finite (an activation growing too fast, or a
 * variance overflowing) */
static bool finite_or_error(Map *m, double v, const char *what, double q) {
  if (isfinite(v)) return true;
  call_error(m->a, "%s is %s at q = %s: the activation or the variance is too large", what, num_text(v).s,
             num_text(q).s);
  return false;
}

/* ------------------------------------------------------------------ elementwise arguments */
typedef bool (*EntryFn)(Map *m, double x, double *y);
typedef enum { DOM_VARIANCE, DOM_CORRELATION } Domain;

static bool in_domain(Domain d, double x) {
  return d == DOM_VARIANCE ? (x >= 0 && isfinite(x)) : (x >= -1 && x <= 1);
}

static const char *domain_text(Domain d) {
  return d == DOM_VARIANCE ? "the variance q must be a finite number >= 0" : "the correlation must be in [-1, 1]";
}

/* Argument i as a number (a number back) or a vector/matrix/list/range (the same shape back),
 * each entry through fn. */
static Value map_entries(Map *m, int i, Domain dom, EntryFn fn) {
  Args *a = m->a;
  if (IS_NUM(a->v[i])) {
    double x = AS_NUM(a->v[i]), y;
    if (!in_domain(dom, x)) return arg_error(a, i, "%s, got %s", domain_text(dom), num_text(x).s);
    return fn(m, x, &y) ? v_num(y) : v_abrupt();
  }
  Value v;
  if (!arg_mat(a, i, &v)) return v_abrupt();
  Mat *X = AS_MAT(v), *Y = mat_alloc(mat_rows(X), mat_cols(X));
  if (!Y) {
    Value e = dlt_error_oom(a->I, a->call, mat_rows(X), mat_cols(X)); /* before X goes with v */
    val_release(v);
    return e;
  }
  size_t n = mat_numel(X);
  bool ok = true;
  for (size_t k = 0; k < n && ok; k++) {
    double x = X->data[k];
    if (!in_domain(dom, x)) {
      arg_error(a, i, "%s, entry %zu is %s", domain_text(dom), k + 1, num_text(x).s);
      ok = false;
    } else {
      ok = fn(m, x, &Y->data[k]);
    }
  }
  val_release(v);
  if (!ok) {
    val_release(v_obj(Y));
    return v_abrupt();
  }
  return v_obj(Y);
}

/* ------------------------------------------------------------------ variance map, chi */
static bool entry_var(Map *m, double q, double *y) {
  return map_var(m, q, y) && finite_or_error(m, *y, "Cb + CW·E[σ(√q z)²]", q);
}

static Value bi_variance_map(Args *a) {
  Map m;
  if (!map_open(&m, a, true)) return v_abrupt();
  Value r = map_entries(&m, 1, DOM_VARIANCE, entry_var);
  map_close(&m);
  return r;
}

static bool entry_chi(Map *m, double q, double *y) {
  double dd;
  if (!diag_exact(m, q, true, &dd)) return false;
  *y = m->CW * dd;
  return finite_or_error(m, *y, "CW·E[σ'(√q z)²]", q);
}

static Value bi_chi(Args *a) {
  Map m;
  if (!map_open(&m, a, false)) return v_abrupt();
  Value r = map_entries(&m, 1, DOM_VARIANCE, entry_chi);
  map_close(&m);
  return r;
}

/* ------------------------------------------------------------------ fixed point of V */
typedef struct RootCtx {
  Map *m;
  bool failed;
} RootCtx;

static double gap(double q, void *p) {
  RootCtx *c = p;
  double v;
  if (c->failed) return NAN;
  if (!map_var(c->m, q, &v) || !finite_or_error(c->m, v, "Cb + CW·E[σ(√q z)²]", q)) {
    c->failed = true;
    return NAN;
  }
  return v - q;
}

/* The stable fixed point q* of V: scanning up from 0 over the powers of two to 2^40, the first q
 * where V(q) − q turns from > 0 to < 0, refined by Brent's method; q* = 0 when 0 is a fixed
 * point that attracts (tanh with Cb = 0, CW <= 1). Gaps within 1e-12·q of 0 count as 0, so a map
 * that is the identity up to rounding (relu at CW = 2, Cb = 0) is recognised. */
#define GRID_LO (-40)
#define GRID_HI 40
static bool fixed_point(Map *m, double *out) {
  Args *a = m->a;
  RootCtx ctx = {m, false};
  double lo = 0, q = 0, g = 0;
  bool pos = false;
  for (int k = GRID_LO - 1; k <= GRID_HI && !ctx.failed; k++) {
    q = k < GRID_LO ? 0 : ldexp(1, k);
    g = gap(q, &ctx);
    if (ctx.failed) break;
    if (g > 1e-12 * q) {
      pos = true;
      lo = q;
    } else if (g < -1e-12 * q) {
      break;
    }
  }
  if (ctx.failed) return false;
  if (!(g < -1e-12 * q)) {
    if (!pos)
      call_error(a, "every q is a fixed point of the variance map (V(q) = q, as for relu with CW=2, Cb=0): there is "
                    "no single q*");
    else
      call_error(a, "the variance map has no fixed point: V(q) > q for every q up to 2^%d (the variance grows without "
                    "bound, CW=%s, Cb=%s)",
                 GRID_HI, num_text(m->CW).s, num_text(m->Cb).s);
    return false;
  }
  if (!pos) {
    *out = 0;
    return true;
  }
  gsl_function F = {gap, &ctx};
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  if (!s) {
    call_error(a, "out of memory");
    return false;
  }
  int st = gsl_root_fsolver_set(s, &F, lo, q);
  double root = q;
  for (int it = 0; st == GSL_SUCCESS && it < 200; it++) {
    st = gsl_root_fsolver_iterate(s);
    if (ctx.failed || st != GSL_SUCCESS) break;
    root = gsl_root_fsolver_root(s);
    if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s), 0, 1e-15) == GSL_SUCCESS) break;
  }
  gsl_root_fsolver_free(s);
  if (ctx.failed) return false;
  if (st != GSL_SUCCESS) {
    dlt_error_gsl(a->I, a->call, "Brent's method for V(q) = q", st);
    return false;
  }
  *out = root;
  return true;
}

static Value bi_fixed_point(Args *a) {
  Map m;
  if (!map_open(&m, a, true)) return v_abrupt();
  double q;
  bool ok = fixed_point(&m, &q);
  map_close(&m);
  return ok ? v_num(q) : v_abrupt();
}

/* ------------------------------------------------------------------ correlation map */
/* q= of the correlation builtins: a number > 0, or "fixed" for the fixed point of V */
static bool q_kw(Map *m, double *q, bool *fixed) {
  Args *a = m->a;
  const Value *v = kw_get(a, "q");
  *q = 1;
  *fixed = false;
  if (!v) return true;
  if (IS_STR(*v)) {
    if (strcmp(AS_STR(*v)->s, "fixed") != 0) {
      kw_error(a, "q", "q must be a number > 0 or \"fixed\" (the fixed point of the variance map), got \"%s\"",
               AS_STR(*v)->s);
      return false;
    }
    *fixed = true;
    if (!fixed_point(m, q)) return false;
    if (*q <= 0) {
      kw_error(a, "q", "the fixed point of the variance map is q* = 0, where the correlation is undefined");
      return false;
    }
    return true;
  }
  if (!kw_num(a, "q", q, NULL)) return false;
  if (!(*q > 0) || !isfinite(*q)) {
    kw_error(a, "q", "q must be a finite number > 0 or \"fixed\", got %s", num_text(*q).s);
    return false;
  }
  return true;
}

static bool next_corr(Map *m, double q, double rho, double *out, double *qn) {
  double cn;
  if (!map_pair(m, q, rho * q, &cn, qn)) return false;
  if (!finite_or_error(m, isfinite(cn) ? *qn : cn, "the next layer's variance", q)) return false;
  if (*qn <= 0) {
    call_error(m->a, "the next layer's variance is 0 at q = %s, so its correlation is undefined", num_text(q).s);
    return false;
  }
  *out = clamp1(cn / *qn);
  return true;
}

static bool entry_corr(Map *m, double rho, double *y) {
  double qn;
  return next_corr(m, m->q, rho, y, &qn);
}

static Value bi_correlation_map(Args *a) {
  Map m;
  if (!map_open(&m, a, true)) return v_abrupt();
  bool fixed;
  Value r = v_abrupt();
  if (q_kw(&m, &m.q, &fixed)) r = map_entries(&m, 1, DOM_CORRELATION, entry_corr);
  map_close(&m);
  return r;
}

/* ------------------------------------------------------------------ iterates over depth */
static bool start_value(Args *a, int i, Domain dom, double *x) {
  if (!arg_num(a, i, x)) return false;
  if (!in_domain(dom, *x)) {
    arg_error(a, i, "%s, got %s", domain_text(dom), num_text(*x).s);
    return false;
  }
  return true;
}

/* Ctrl-C between layers of a long iteration */
static bool still_running(Args *a, size_t l) {
  if ((l & 255) == 0 && dlt_interrupted) {
    eval_interrupted(a->I, a->call);
    return false;
  }
  return true;
}

static Value bi_iterate_variance(Args *a) {
  Map m;
  double q;
  size_t L;
  if (!start_value(a, 1, DOM_VARIANCE, &q) || !arg_size(a, 2, &L) || !map_open(&m, a, true)) return v_abrupt();
  Mat *out = L < SIZE_MAX ? mat_alloc(L + 1, 1) : NULL;
  if (!out) {
    map_close(&m);
    return dlt_error_oom(a->I, a->call, L < SIZE_MAX ? L + 1 : L, 1);
  }
  out->data[0] = q;
  bool ok = true;
  for (size_t l = 1; l <= L && ok; l++) {
    ok = still_running(a, l) && map_var(&m, out->data[l - 1], &out->data[l]);
    if (ok && !isfinite(out->data[l])) {
      call_error(a, "the variance is %s at layer %zu (from q = %s at layer %zu): the map grows without bound (CW=%s)",
                 num_text(out->data[l]).s, l, num_text(out->data[l - 1]).s, l - 1, num_text(m.CW).s);
      ok = false;
    }
  }
  map_close(&m);
  if (!ok) {
    val_release(v_obj(out));
    return v_abrupt();
  }
  return v_obj(out);
}

/* Two inputs of equal variance q0 and correlation ρ0: their variance follows V and their
 * covariance the two-point map, so ρ_l = c_l/q_l (with q="fixed" q stays at q*). */
static Value bi_iterate_correlation(Args *a) {
  Map m;
  double rho, q;
  size_t L;
  bool fixed;
  if (!start_value(a, 1, DOM_CORRELATION, &rho) || !arg_size(a, 2, &L) || !map_open(&m, a, true)) return v_abrupt();
  if (!q_kw(&m, &q, &fixed)) {
    map_close(&m);
    return v_abrupt();
  }
  Mat *out = L < SIZE_MAX ? mat_alloc(L + 1, 1) : NULL;
  if (!out) {
    map_close(&m);
    return dlt_error_oom(a->I, a->call, L < SIZE_MAX ? L + 1 : L, 1);
  }
  out->data[0] = rho;
  bool ok = true;
  for (size_t l = 1; l <= L && ok; l++) {
    double qn = q;
    ok = still_running(a, l) && next_corr(&m, q, out->data[l - 1], &out->data[l], &qn);
    if (!fixed) q = qn;
  }
  map_close(&m);
  if (!ok) {
    val_release(v_obj(out));
    return v_abrupt();
  }
  return v_obj(out);
}

/* ------------------------------------------------------------------ fourth cumulant */
/* Var_q[σ²] and χ_∥ = dV/dq = (CW/(2q)) E[σ(√q g)²(g² − 1)] at variance q */
static bool cumulant_terms(Map *m, double q, double *var, double *chi) {
  if (q == 0) {
    double f, df, d2f;
    if (!act_eval(m->a, m->act, 0, &f, &df, &d2f)) return false;
    *var = 0;
    *chi = m->CW * (df * df + f * d2f);
    return true;
  }
  double e2, e4, eg;
  if (!moment(m, q, MOM_S2, &e2) || !moment(m, q, MOM_S4, &e4) || !moment(m, q, MOM_S2G, &eg)) return false;
  *var = fmax(0, e4 - e2 * e2);
  *chi = m->CW * eg / (2 * q);
  return true;
}

/* the first-layer variance: a number q0 = K_1, or an input x with K_1 = Cb + CW1·|x|²/N0 */
static bool first_variance(Map *m, double *q) {
  Args *a = m->a;
  if (IS_NUM(a->v[1])) return start_value(a, 1, DOM_VARIANCE, q);
  Value v;
  if (!arg_mat(a, 1, &v)) return false;
  Mat *x = AS_MAT(v);
  size_t n = mat_numel(x);
  bool ok = n > 0 && mat_is_vector(x);
  if (!ok) arg_error(a, 1, "the input x must be a non-empty vector (or give the first-layer variance q0 as a number), got a %zu×%zu matrix",
                     mat_rows(x), mat_cols(x));
  double s = 0;
  for (size_t i = 0; ok && i < n; i++) {
    if (!isfinite(x->data[i])) {
      arg_error(a, 1, "the input x must be finite, entry %zu is %s", i + 1, num_text(x->data[i]).s);
      ok = false;
    }
    s += x->data[i] * x->data[i];
  }
  val_release(v);
  double CW1 = m->CW;
  if (!ok || !kw_nonneg(a, "CW1", m->CW, &CW1)) return false;
  *q = m->Cb + CW1 * s / (double)n;
  if (!isfinite(*q)) {
    arg_error(a, 1, "the first-layer variance Cb + CW1·|x|²/N0 overflows");
    return false;
  }
  return true;
}

/* N: one width for every hidden layer, or the L widths N_1..N_L */
static bool widths_arg(Args *a, int i, size_t L, Mat **N) {
  Value v;
  if (!arg_mat(a, i, &v)) return false;
  Mat *M = AS_MAT(v);
  size_t n = mat_numel(M);
  if (!(n == 1 || (n == L && mat_is_vector(M)))) {
    arg_error(a, i, "N must be one width or a vector of the L = %zu hidden widths, got a %zu×%zu matrix", L, mat_rows(M),
              mat_cols(M));
    val_release(v);
    return false;
  }
  for (size_t k = 0; k < n; k++)
    if (!(M->data[k] > 0)) {
      arg_error(a, i, "the widths must be > 0, width %zu is %s", k + 1, num_text(M->data[k]).s);
      val_release(v);
      return false;
    }
  *N = M;
  return true;
}

/* The corrected recursion of seed 003 §3.4 (the notes' Thm 3.4.1 misses the 1/2 in χ_∥):
 *     κ_1 = 0,   κ_{l+1} = (CW²/N_l) Var_{K_l}[σ²] + χ_∥(K_l)² κ_l,   K_{l+1} = V(K_l). */
static Value bi_fourth_cumulant(Args *a) {
  Map m;
  double q;
  size_t L;
  Mat *N = NULL;
  if (!arg_size(a, 2, &L) || !map_open(&m, a, true)) return v_abrupt();
  if (!first_variance(&m, &q) || !widths_arg(a, 3, L, &N)) {
    map_close(&m);
    return v_abrupt();
  }
  Mat *K = L < SIZE_MAX ? mat_alloc(L + 1, 1) : NULL, *kap = K ? mat_alloc(L + 1, 1) : NULL,
      *rat = kap ? mat_alloc(L + 1, 1) : NULL;
  bool ok = rat != NULL;
  if (!rat) dlt_error_oom(a->I, a->call, L < SIZE_MAX ? L + 1 : L, 1);
  if (ok) {
    K->data[0] = q;
    kap->data[0] = 0;
  }
  for (size_t l = 1; ok && l <= L; l++) {
    double var, chi, Kn, Nl = N->data[mat_numel(N) == 1 ? 0 : l - 1], Kl = K->data[l - 1];
    ok = still_running(a, l) && cumulant_terms(&m, Kl, &var, &chi) && map_var(&m, Kl, &Kn);
    if (!ok) break;
    K->data[l] = Kn;
    kap->data[l] = m.CW * m.CW * var / Nl + chi * chi * kap->data[l - 1];
    if (!isfinite(Kn) || !isfinite(kap->data[l])) {
      call_error(a, "the recursion overflows at layer %zu (K = %s, κ4 = %s)", l + 1, num_text(Kn).s,
                 num_text(kap->data[l]).s);
      ok = false;
    }
  }
  for (size_t l = 0; ok && l <= L; l++)
    rat->data[l] = kap->data[l] == 0 ? 0 : kap->data[l] / (K->data[l] * K->data[l]);
  map_close(&m);
  val_release(v_obj(N));
  if (!ok) {
    if (K) val_release(v_obj(K));
    if (kap) val_release(v_obj(kap));
    if (rat) val_release(v_obj(rat));
    return v_abrupt();
  }
  Value r = record_new();
  record_set(AS_RECORD(r), "q", v_obj(K));
  record_set(AS_RECORD(r), "kappa4", v_obj(kap));
  record_set(AS_RECORD(r), "ratio", v_obj(rat));
  return r;
}

/* ------------------------------------------------------------------ Monte Carlo kernels */

static const char *act_text(ActKind k) {
  static const char *const names[] = {"relu",    "step", "identity",   "tanh", "erf",      "sigmoid", "softplus",
                                      "gelu",    "leaky_relu", "abs", "relu_pow", "sin", "cos"};
  return k < ACT_USER ? names[k] : NULL;
}

/* A fresh draw of f's architecture from mlp's law, with the given seed: mlp is called again with
 * f's widths, activation and meta, and the result takes f's output multiplier. */
static Network *redraw(Args *a, const Network *f, const Activation *act, Mat *widths, unsigned long seed) {
  const Builtin *b = builtin_find("mlp");
  Value pos[3] = {v_num((double)f->d_in), v_obj(widths), v_num((double)f->d_out)};
  const char *names[11];
  Value kws[11];
  int nk = 0;
  Value actname = v_nil();
  if (act) {
    names[nk] = "act";
    kws[nk++] = act->kind == ACT_USER ? act->fn : (actname = str_from(act_text(act->kind)));
    if (act->kind == ACT_LEAKY_RELU) {
      names[nk] = "slope";
      kws[nk++] = v_num(act->p);
    }
    if (act->kind == ACT_RELU_POW) {
      names[nk] = "k";
      kws[nk++] = v_num(act->p);
    }
  }
  Value param = str_from(net_param_name(f->meta.param)), init = str_from(f->meta.init);
  names[nk] = "param", kws[nk++] = param;
  names[nk] = "init", kws[nk++] = init;
  names[nk] = "CW", kws[nk++] = v_num(f->meta.CW);
  names[nk] = "Cb", kws[nk++] = v_num(f->meta.Cb);
  names[nk] = "CW1", kws[nk++] = v_num(f->meta.CW1);
  names[nk] = "gamma", kws[nk++] = v_num(f->meta.gamma);
  names[nk] = "bias", kws[nk++] = v_bool(f->meta.bias);
  names[nk] = "seed", kws[nk++] = v_num((double)seed);
  Args sub = {a->I, a->fname, 3, pos, NULL, nk, names, kws, NULL, NULL, a->call, b->data};
  Value g = b->fn(&sub);
  val_release(actname);
  val_release(param);
  val_release(init);
  if (IS_ABRUPT(g)) return NULL;
  Network *n = as_network(g);
  n->scale = f->scale;
  return n;
}

/* The widths and activation of an mlp-made network (meta.param not explicit). */
static bool mlp_shape(Args *a, Network *f, Mat **widths, const Activation **act) {
  if (f->meta.param == NETP_EXPLICIT) {
    arg_error(a, 0, "the network must come from mlp(...), whose initialisation law can be drawn again; this one was built "
                    "from layers or combined with others");
    return false;
  }
  if (strcmp(f->meta.init, "measure") == 0) {
    arg_error(a, 0, "the network was drawn with init=μ (a measure), which the network does not keep; draw the networks "
                    "yourself with mlp(..., init=μ, seed=s)");
    return false;
  }
  size_t nd = net_dense_layers(f, NULL, 0);
  if (nd == 0) {
    arg_error(a, 0, "the network has no dense layer");
    return false;
  }
  NetLayer **dl = dlt_xmalloc((nd ? nd : 1) * sizeof *dl);
  net_dense_layers(f, dl, nd);
  *widths = mat_alloc(nd - 1, 1);
  for (size_t l = 0; *widths && l + 1 < nd; l++) (*widths)->data[l] = (double)mat_rows(dl[l]->W);
  free(dl);
  if (!*widths) {
    dlt_error_oom(a->I, a->call, nd, 1);
    return false;
  }
  *act = NULL;
  for (size_t l = 0; l < f->nlayers && !*act; l++)
    if (f->layers[l].kind == LAYER_ACT) *act = &f->layers[l].act;
  return true;
}

/* the points: rows with f's input width (a vector of n numbers for d_in = 1), finite */
static bool mc_points(Args *a, int i, const Network *f, Mat **X) {
  Value v;
  if (!arg_mat(a, i, &v)) return false;
  Mat *M = AS_MAT(v);
  if (f->d_in == 1 && mat_rows(M) == 1 && mat_cols(M) != 1) {
    Mat *T = mat_alloc(mat_cols(M), 1);
    if (T) memcpy(T->data, M->data, mat_numel(M) * sizeof(double));
    val_release(v);
    if (!T) {
      dlt_error_oom(a->I, a->call, mat_cols(M), 1);
      return false;
    }
    M = T;
  }
  bool ok = true;
  if (mat_cols(M) != f->d_in || mat_rows(M) == 0) {
    arg_error(a, i, "the points must be the rows of a non-empty matrix with %zu column%s (the network's input dimension), got %zu×%zu",
              f->d_in, f->d_in == 1 ? "" : "s", mat_rows(M), mat_cols(M));
    ok = false;
  }
  for (size_t q = 0; ok && q < mat_numel(M); q++)
    if (!isfinite(M->data[q])) {
      arg_error(a, i, "the points must be finite, entry %zu is %s", q + 1, num_text(M->data[q]).s);
      ok = false;
    }
  if (!ok) {
    val_release(v_obj(M));
    return false;
  }
  *X = M;
  return true;
}

/* f(X) f(Y)ᵀ / d_out */
static Mat *nngp_sample(Args *a, const Network *g, Mat *X, Mat *Y) {
  Mat *FX = net_forward(a, g, X), *FY = FX && Y ? net_forward(a, g, Y) : NULL;
  if (!FX || (Y && !FY)) {
    if (FX) val_release(v_obj(FX));
    return NULL;
  }
  Mat *B = FY ? FY : FX, *K = mat_alloc(mat_rows(FX), mat_rows(B));
  if (!K) dlt_error_oom(a->I, a->call, mat_rows(FX), mat_rows(B));
  else gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0 / (double)g->d_out, &FX->m, &B->m, 0, &K->m);
  val_release(v_obj(FX));
  if (FY) val_release(v_obj(FY));
  return K;
}

static Value bi_mc_kernel(Args *a) {
  Network *f;
  Mat *X = NULL, *Y = NULL, *widths = NULL;
  const Activation *act;
  double nd = 100;
  const char *kind = "nngp";
  if (!arg_network(a, 0, &f)) return v_abrupt();
  if (!kw_num(a, "n", &nd, NULL) || !kw_str(a, "kind", &kind, NULL)) return v_abrupt();
  if (!(nd >= 2 && nd <= 1e9 && nd == floor(nd)))
    return kw_error(a, "n", "n (the number of networks) must be a whole number between 2 and 1e9, got %s", num_text(nd).s);
  bool ntk = strcmp(kind, "ntk") == 0;
  if (!ntk && strcmp(kind, "nngp") != 0) return kw_error(a, "kind", "kind must be \"nngp\" or \"ntk\", got \"%s\"", kind);
  if (!mlp_shape(a, f, &widths, &act)) return v_abrupt();
  if (!mc_points(a, 1, f, &X) || (a->n > 2 && !mc_points(a, 2, f, &Y))) {
    if (X) val_release(v_obj(X));
    val_release(v_obj(widths));
    return v_abrupt();
  }
  size_t n = (size_t)nd, r = mat_rows(X), c = Y ? mat_rows(Y) : r;
  Mat *mean = mat_alloc_zero(r, c), *m2 = mat_alloc_zero(r, c);
  gsl_rng *rng = mean && m2 ? args_rng(a) : NULL;
  bool ok = rng != NULL;
  if (!mean || !m2) dlt_error_oom(a->I, a->call, r, c);
  for (size_t s = 1; ok && s <= n; s++) {
    if (dlt_interrupted) {
      eval_interrupted(a->I, a->call);
      ok = false;
      break;
    }
    Network *g = redraw(a, f, act, widths, gsl_rng_get(rng));
    if (g && (net_nparams(g) != net_nparams(f) || g->nlayers != f->nlayers)) {
      call_error(a, "internal: the redrawn network differs from the given one in architecture");
      val_release(v_obj(g));
      g = NULL;
    }
    Mat *K = g ? (ntk ? net_ntk_gram(a, g, X, Y) : nngp_sample(a, g, X, Y)) : NULL;
    if (g) val_release(v_obj(g));
    if (!K) {
      ok = false;
      break;
    }
    /* Welford's running mean and sum of squared deviations, entry by entry */
    for (size_t i = 0; i < r * c; i++) {
      double d = K->data[i] - mean->data[i];
      mean->data[i] += d / (double)s;
      m2->data[i] += d * (K->data[i] - mean->data[i]);
    }
    val_release(v_obj(K));
  }
  args_rng_done(a, rng);
  val_release(v_obj(X));
  if (Y) val_release(v_obj(Y));
  val_release(v_obj(widths));
  if (!ok) {
    if (mean) val_release(v_obj(mean));
    if (m2) val_release(v_obj(m2));
    return v_abrupt();
  }
  for (size_t i = 0; i < r * c; i++) m2->data[i] = sqrt(m2->data[i] / (double)(n - 1) / (double)n);
  Value rec = record_new();
  record_set(AS_RECORD(rec), "mean", v_obj(mean));
  record_set(AS_RECORD(rec), "stderr", v_obj(m2));
  record_set(AS_RECORD(rec), "n", v_num((double)n));
  return rec;
}

static const Builtin kernel_maps_builtins[] = {
  {"variance_map", bi_variance_map, 2, 2, "CW Cb order slope k", "variance_map(act, q, CW=1, Cb=0, order=64, slope=0.01, k=2)",
   "the next layer's variance Cb + CW·E[σ(√q z)²] for each variance q (a number, or a matrix of the same shape)", NULL},
  {"correlation_map", bi_correlation_map, 2, 2, "q CW Cb order slope k",
   "correlation_map(act, rho, q=1, CW=1, Cb=0, order=64, slope=0.01, k=2)",
   "the next layer's correlation of two inputs at variance q (or q=\"fixed\": the fixed point) and correlation rho, elementwise", NULL},
  {"chi", bi_chi, 2, 2, "CW order slope k", "chi(act, q, CW=1, order=64, slope=0.01, k=2)",
   "the order-to-chaos parameter CW·E[σ'(√q z)²] for each variance q", NULL},
  {"iterate_variance", bi_iterate_variance, 3, 3, "CW Cb order slope k",
   "iterate_variance(act, q0, L, CW=1, Cb=0, order=64, slope=0.01, k=2)",
   "the column q_0 = q0, q_1, ..., q_L of the variance map's iterates", NULL},
  {"iterate_correlation", bi_iterate_correlation, 3, 3, "q CW Cb order slope k",
   "iterate_correlation(act, rho0, L, q=1, CW=1, Cb=0, order=64, slope=0.01, k=2)",
   "the column rho_0, ..., rho_L of correlations over depth for two inputs of variance q (evolving with the variance map)", NULL},
  {"fixed_point", bi_fixed_point, 1, 1, "CW Cb order slope k", "fixed_point(act, CW=1, Cb=0, order=64, slope=0.01, k=2)",
   "the stable fixed point q* of the variance map q ↦ Cb + CW·E[σ(√q z)²] (Brent's method)", NULL},
  {"fourth_cumulant", bi_fourth_cumulant, 4, 4, "CW Cb CW1 order slope k",
   "fourth_cumulant(act, q0, L, N, CW=1, Cb=0, CW1=CW, order=64, slope=0.01, k=2)",
   "the record {q, kappa4, ratio} of columns over layers 1..L+1: the variance, the finite-width fourth cumulant (seed 003 §3.4, corrected) and kappa4/q²",
   NULL},
  {"mc_kernel", bi_mc_kernel, 2, 3, "n kind seed", "mc_kernel(f, X, Y=X, n=100, kind=\"nngp\", seed=)",
   "the record {mean, stderr, n}: the Monte Carlo NNGP (f(X)f(Y)ᵀ/d_out) or NTK Gram matrix over n fresh draws of f's mlp architecture", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_kernel_maps = {"kernel_maps", kernel_maps_builtins};
