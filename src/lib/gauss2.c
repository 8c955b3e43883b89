/* lib/gauss2.c - E[σ(u)σ(v)] and E[σ'(u)σ'(v)] for (u, v) ~ N(0, [[a, c], [c, b]]) (gauss2.h).
 *
 * Closed forms, with s = √(ab), ρ = c/s, θ = arccos ρ (seed 002 Lecture 5):
 *   relu        ss = (s sin θ + (π − θ) c)/(2π)           dd = (π − θ)/(2π)
 *   step        ss = (π − θ)/(2π)                          dd = 0 (σ' = 0 almost everywhere)
 *   relu_pow k  ss = s^k M_kk(ρ)                           dd = k² s^(k−1) M_(k−1)(k−1)(ρ)
 *               M_pq = E[u₊^p v₊^q] for unit variances (Cho–Saul's J_n(θ)/(2π) on the diagonal),
 *               from a Stein recursion (mpq below) rather than J_n's derivative formula
 *   erf         ss = (2/π) asin(2c/√((1+2a)(1+2b)))       dd = (4/π)/√((1+2a)(1+2b) − 4c²)
 *   identity    ss = c                                     dd = 1
 *   leaky_relu  σ(x) = relu(x) − p relu(−x) and σ' = 1{x>0} + p 1{x<0}, so with R, S the relu
 *               ss and dd at correlation ρ:  ss = (1+p²) R(ρ) − 2p R(−ρ),  dd = (1+p²) S(ρ) + 2p S(−ρ)
 *   abs         leaky_relu with p = −1
 * Everything else: Gauss–Hermite on the Cholesky factor, u = √a z₁, v = (c/√a) z₁ + √(b − c²/a) z₂,
 * which is exact in the degenerate a = 0 (u ≡ 0) and b = 0 cases. */
#include <math.h>
#include <string.h>

#include "../print.h"
#include "calculus.h"
#include "gauss2.h"

#define TWO_PI 6.283185307179586476925
#define INV_SQRT_2PI 0.39894228040143267794
/* beyond this integer power the recursion's table gets large and s^k overflows anyway */
#define RELU_POW_EXACT_MAX 64
/* the largest quadrature order (the nodes are cached per thread in fixed arrays) */
#define GAUSS2_MAX_ORDER 400

static bool relu_pow_exact(double k) { return k >= 0 && k <= RELU_POW_EXACT_MAX && k == floor(k); }

bool gauss2_exact(const Activation *act) {
  switch (act->kind) {
  case ACT_RELU: case ACT_STEP: case ACT_IDENTITY: case ACT_ERF: case ACT_LEAKY_RELU: case ACT_ABS: return true;
  case ACT_RELU_POW: return relu_pow_exact(act->p);
  default: return false;
  }
}

/* the relu expectations at correlation rho with s = √(ab) */
static void relu_rho(double rho, double s, double *ss, double *dd) {
  double th = acos(rho), sn = sqrt(fmax(0, 1 - rho * rho));
  *ss = s * (sn + (M_PI - th) * rho) / TWO_PI;
  *dd = (M_PI - th) / TWO_PI;
}

/* E[u₊^k v₊^k] for unit variances and correlation rho (u₊^0 meaning 1{u > 0}). Stein's identity
 * E[u G(u, v)] = E[∂_u G] + ρ E[∂_v G] with G = u₊^(p−1) v₊^q gives
 *   M_pq = (p−1) M_(p−2)q [p ≥ 2] or φ(0) s^q m_q [p = 1]
 *        + ρ (q M_(p−1)(q−1) [q ≥ 1] or φ(0) s^(p−1) m_(p−1) [q = 0]),
 * s = √(1 − ρ²), m_q = E[w₊^q] (w standard normal), the delta terms coming from E[δ(u) g(v)] =
 * φ(0) E[g(v) | u = 0]. M_00 = (π − θ)/(2π). */
static double mpq_diag(int k, double rho) {
  int n = k + 1;
  double M[RELU_POW_EXACT_MAX + 1][RELU_POW_EXACT_MAX + 1], m[RELU_POW_EXACT_MAX + 1], sp[RELU_POW_EXACT_MAX + 1];
  double s = sqrt(fmax(0, 1 - rho * rho));
  m[0] = 0.5;
  if (n > 1) m[1] = INV_SQRT_2PI;
  for (int q = 2; q < n; q++) m[q] = (q - 1) * m[q - 2];
  sp[0] = 1;
  for (int q = 1; q < n; q++) sp[q] = sp[q - 1] * s;
  M[0][0] = (M_PI - acos(rho)) / TWO_PI;
  for (int p = 1; p < n; p++)
    M[p][0] = (p >= 2 ? (p - 1) * M[p - 2][0] : INV_SQRT_2PI * m[0]) + rho * INV_SQRT_2PI * sp[p - 1] * m[p - 1];
  for (int q = 1; q < n; q++) M[0][q] = M[q][0];
  for (int p = 1; p < n; p++)
    for (int q = 1; q < n; q++)
      M[p][q] = (p >= 2 ? (p - 1) * M[p - 2][q] : INV_SQRT_2PI * sp[q] * m[q]) + rho * q * M[p - 1][q - 1];
  return M[k][k];
}

/* The closed forms, for a, b > 0 (s > 0) with rho already clamped to [−1, 1]. */
static void exact(const Activation *act, double va, double vb, double c, double s, double rho, Gauss2 *out) {
  switch (act->kind) {
  case ACT_RELU: relu_rho(rho, s, &out->ss, &out->dd); return;
  case ACT_STEP:
    out->ss = (M_PI - acos(rho)) / TWO_PI;
    out->dd = 0;
    return;
  case ACT_IDENTITY:
    out->ss = c;
    out->dd = 1;
    return;
  case ACT_ERF: {
    double pa = 1 + 2 * va, pb = 1 + 2 * vb;
    out->ss = asin(fmax(-1, fmin(1, 2 * c / sqrt(pa * pb)))) * 2 / M_PI;
    out->dd = 4 / M_PI / sqrt(fmax(0, pa * pb - 4 * c * c));
    return;
  }
  case ACT_LEAKY_RELU: case ACT_ABS: {
    double p = act->kind == ACT_ABS ? -1 : act->p, rp, sp, rm, sm;
    relu_rho(rho, s, &rp, &sp);
    relu_rho(-rho, s, &rm, &sm);
    out->ss = (1 + p * p) * rp - 2 * p * rm;
    out->dd = (1 + p * p) * sp + 2 * p * sm;
    return;
  }
  case ACT_RELU_POW: {
    int k = (int)act->p;
    out->ss = pow(s, k) * mpq_diag(k, rho);
    out->dd = k == 0 ? 0 : (double)k * k * pow(s, k - 1) * mpq_diag(k - 1, rho);
    return;
  }
  default: out->ss = out->dd = NAN; return;
  }
}

/* Probabilists' Gauss–Hermite nodes of one order, kept per thread (sweeps may run in threads;
 * fixed arrays so that nothing is left allocated when a thread ends). */
static _Thread_local struct {
  int order;
  double x[GAUSS2_MAX_ORDER], w[GAUSS2_MAX_ORDER];
} rule;

static bool rule_for(int order) {
  if (rule.order == order) return true;
  if (dlt_gauss_hermite_normal((size_t)order, rule.x, rule.w) != 0) {
    rule.order = 0;
    return false;
  }
  rule.order = order;
  return true;
}

static bool quadrature(Args *a, const Activation *act, double va, double vb, double c, int order, Gauss2 *out) {
  if (order < 1) order = 1;
  if (order > GAUSS2_MAX_ORDER) order = GAUSS2_MAX_ORDER;
  if (!rule_for(order)) {
    out->ss = out->dd = NAN;
    return true;
  }
  double l11 = sqrt(va), l21 = va > 0 ? c / l11 : 0, l22 = sqrt(fmax(0, vb - l21 * l21));
  double ss = 0, dd = 0;
  for (int i = 0; i < order; i++) {
    double fu, du;
    if (!act_eval(a, act, l11 * rule.x[i], &fu, &du, NULL)) return false;
    double sv = 0, dv = 0;
    for (int j = 0; j < order; j++) {
      double fv, dvj;
      if (!act_eval(a, act, l21 * rule.x[i] + l22 * rule.x[j], &fv, &dvj, NULL)) return false;
      sv += rule.w[j] * fv;
      dv += rule.w[j] * dvj;
    }
    ss += rule.w[i] * fu * sv;
    dd += rule.w[i] * du * dv;
  }
  out->ss = ss;
  out->dd = dd;
  return true;
}

bool gauss2(Args *a, const Activation *act, double va, double vb, double c, int order, Gauss2 *out) {
  if (!isfinite(va) || !isfinite(vb) || isnan(c)) {
    out->ss = out->dd = NAN;
    return true;
  }
  /* rounding can leave a variance slightly negative or |c| slightly above √(ab) */
  va = fmax(va, 0);
  vb = fmax(vb, 0);
  /* √(ab) rather than √a √b: exact when a = b, so that ρ = 1 exactly for c = a = b (acos is
   * √-sensitive at 1) */
  double ab = va * vb, s = isfinite(ab) && (ab > 0 || va == 0 || vb == 0) ? sqrt(ab) : sqrt(va) * sqrt(vb);
  c = c > s ? s : c < -s ? -s : c;
  if (!gauss2_exact(act)) return quadrature(a, act, va, vb, c, order, out);
  if (act->kind == ACT_ERF || act->kind == ACT_IDENTITY || s > 0) {
    double rho = s > 0 ? fmax(-1, fmin(1, c / s)) : 0;
    exact(act, va, vb, c, s, rho, out);
    return true;
  }
  /* a = 0 or b = 0: one of u, v is 0 almost surely, and σ(0) = σ'(0) = 0 for the kinked kinds
   * (the Clarke choice at the kink; relu_pow k ≥ 1; step(0) = 0) */
  out->ss = out->dd = 0;
  return true;
}

/* ------------------------------------------------------------------ builtin */

static bool arg_var(Args *a, int i, double *out) {
  if (!arg_num(a, i, out)) return false;
  if (!(*out >= 0) || !isfinite(*out)) {
    arg_error(a, i, "the variance must be a finite number >= 0, got %s", num_text(*out).s);
    return false;
  }
  return true;
}

static Value bi_gauss2(Args *a) {
  double va, vb, c, ord = 64;
  if (!arg_var(a, 1, &va) || !arg_var(a, 2, &vb) || !arg_num(a, 3, &c)) return v_abrupt();
  if (!isfinite(c)) return arg_error(a, 3, "the covariance must be finite, got %s", num_text(c).s);
  /* the Cauchy–Schwarz bound, with room for the rounding of a computed covariance */
  if (c * c > va * vb * (1 + 1e-12) + 1e-300)
    return arg_error(a, 3, "the covariance %s exceeds √(ab) = %s: [[a, c], [c, b]] is not a covariance matrix",
                     num_text(c).s, num_text(sqrt(va * vb)).s);
  if (!kw_num(a, "order", &ord, NULL)) return v_abrupt();
  if (!(ord >= 1 && ord <= GAUSS2_MAX_ORDER && ord == floor(ord)))
    return kw_error(a, "order", "the order must be a whole number between 1 and %d, got %s", GAUSS2_MAX_ORDER,
                    num_text(ord).s);
  Value netv;
  const Activation *act;
  if (!arg_activation(a, 0, &netv, &act)) return v_abrupt();
  Gauss2 g;
  bool ok = gauss2(a, act, va, vb, c, (int)ord, &g);
  bool ex = gauss2_exact(act);
  val_release(netv);
  if (!ok) return v_abrupt();
  Value r = record_new();
  record_set(AS_RECORD(r), "ss", v_num(g.ss));
  record_set(AS_RECORD(r), "dd", v_num(g.dd));
  record_set(AS_RECORD(r), "exact", v_bool(ex));
  return r;
}

static const Builtin gauss2_builtins[] = {
  {"gauss2", bi_gauss2, 4, 4, "order slope k", "gauss2(act, a, b, c, order=64, slope=0.01, k=2)",
   "the record {ss, dd, exact}: E[σ(u)σ(v)] and E[σ'(u)σ'(v)] for (u, v) ~ N(0, [[a, c], [c, b]]), closed form when exact", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_gauss2 = {"gauss2", gauss2_builtins};
