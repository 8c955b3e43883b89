/* lib/math.c - elementwise scalar functions, with first and second derivatives, and the special
 * functions of several arguments (beta, betainc, binomial, factorial, atan2, clamp, ...).
 *
 * One X-macro list produces the MathFn table (used by dual numbers through ExtClass.math1) and the
 * builtins' registration table, so a function, its derivatives and its help string are written
 * once. Values follow IEEE 754: sqrt(-1) is nan, log(0) is -inf. asin and acos clamp arguments
 * that are outside [-1, 1] by rounding only (|x| <= 1 + 1e-12) to the interval.
 *
 * The policy for bad arguments (docs/library/special.md): a real argument outside a function's
 * domain gives nan, as in IEEE 754 (digamma(0), betainc(2, 1, 1), norminv(1.5)); overflow gives inf
 * and underflow 0. Arguments that must be integers (factorial, binomial) and parameters that must
 * be valid (sigma > 0, lo <= hi) are checked, and a bad one is a located error naming it.
 * GSL special functions are called through their _e variants and sf_value(), which turns a domain
 * error into nan without leaving a GSL failure pending (the call machinery would report it).
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "../arith.h"
#include "../builtin.h"
#include "../interp.h"
#include "../mathfn.h"

#define SQRT_PI 1.7724538509055160273

static double sq(double x) { return x * x; }
static double zero(double x) { (void)x; return 0; }
static double one(double x) { (void)x; return 1; }

static double clamp_unit(double x) {
  if (x > 1 && x <= 1 + 1e-12) return 1;
  if (x < -1 && x >= -1 - 1e-12) return -1;
  return x;
}

/* The value of a gsl_sf_*_e call made when dlt_gsl_pending() was `before`: a domain error gives
 * nan, overflow GSL's ±inf, underflow 0, and none of them stays pending (an earlier, unrelated
 * failure does). Other failures (no convergence, loss of accuracy) stay pending, so the builtin
 * reports "NAME failed: ..." rather than return a doubtful number. */
static double sf_value(int before, int status, const gsl_sf_result *r) {
  if (status == GSL_SUCCESS) return r->val;
  double v;
  if (status == GSL_EDOM) v = NAN;
  else if (status == GSL_EOVRFLW) v = r->val;
  else if (status == GSL_EUNDRFLW) v = 0;
  else return r->val;
  if (!before) dlt_gsl_clear();
  return v;
}

#define SF(call)                                \
  do {                                          \
    gsl_sf_result r_;                           \
    int before_ = dlt_gsl_pending();            \
    return sf_value(before_, (call), &r_);      \
  } while (0)

static double psi(double x) { SF(gsl_sf_psi_e(x, &r_)); }
static double psi1(double x) { SF(gsl_sf_psi_1_e(x, &r_)); }
static double psi2(double x) { SF(gsl_sf_psi_n_e(2, x, &r_)); }
static double psi3(double x) { SF(gsl_sf_psi_n_e(3, x, &r_)); }

/* the standard normal: density, distribution function and its inverse (nan outside [0, 1]) */
#define SQRT_2PI 2.5066282746310005024
static double f_normpdf(double x) { return gsl_ran_ugaussian_pdf(x); }
static double f_normcdf(double x) { return gsl_cdf_ugaussian_P(x); }
static double f_norminv(double p) {
  if (!(p >= 0 && p <= 1)) return NAN;
  return gsl_cdf_ugaussian_Pinv(p); /* -inf at 0, inf at 1 */
}
static double d_normpdf(double x) { return -x * f_normpdf(x); }
static double d2_normpdf(double x) { return (x * x - 1) * f_normpdf(x); }
/* (Φ⁻¹)'(p) = 1/φ(z) and (Φ⁻¹)''(p) = z/φ(z)² at z = Φ⁻¹(p) */
static double d_norminv(double p) {
  double z = f_norminv(p);
  return SQRT_2PI * exp(0.5 * z * z);
}
static double d2_norminv(double p) {
  double z = f_norminv(p);
  return z * 2 * M_PI * exp(z * z);
}

/* values */
static double f_abs(double x) { return fabs(x); }
static double f_sign(double x) { return x > 0 ? 1 : x < 0 ? -1 : x; }
static double f_frac(double x) { return x - floor(x); }
static double f_asin(double x) { return asin(clamp_unit(x)); }
static double f_acos(double x) { return acos(clamp_unit(x)); }
static double f_digamma(double x) { return psi(x); }
/* glibc's cbrt can be one ulp off (cbrt(27) = 3.0000000000000004); one Newton step rounds it */
static double f_cbrt(double x) {
  double y = cbrt(x);
  if (y == 0 || !isfinite(y)) return y;
  return y - (y * y * y - x) / (3 * y * y);
}
static double f_trigamma(double x) { return psi1(x); }

/* first derivatives */
static double d_abs(double x) { return x > 0 ? 1 : x < 0 ? -1 : 0; }
static double d_sqrt(double x) { return 0.5 / sqrt(x); }
static double d_cbrt(double x) { return 1.0 / (3.0 * sq(cbrt(x))); }
static double d_log(double x) { return 1.0 / x; }
static double d_log2(double x) { return 1.0 / (x * M_LN2); }
static double d_log10(double x) { return 1.0 / (x * M_LN10); }
static double d_log1p(double x) { return 1.0 / (1.0 + x); }
static double d_cos(double x) { return -sin(x); }
static double d_tan(double x) { return 1.0 + sq(tan(x)); }
static double d_asin(double x) { return 1.0 / sqrt(1.0 - x * x); }
static double d_acos(double x) { return -1.0 / sqrt(1.0 - x * x); }
static double d_atan(double x) { return 1.0 / (1.0 + x * x); }
static double d_tanh(double x) { return 1.0 - sq(tanh(x)); }
static double d_asinh(double x) { return 1.0 / sqrt(x * x + 1.0); }
static double d_acosh(double x) { return 1.0 / sqrt(x * x - 1.0); }
static double d_atanh(double x) { return 1.0 / (1.0 - x * x); }
static double d_erf(double x) { return 2.0 / SQRT_PI * exp(-x * x); }
static double d_erfc(double x) { return -2.0 / SQRT_PI * exp(-x * x); }
static double d_gamma(double x) { return tgamma(x) * psi(x); }

/* second derivatives */
static double d2_sqrt(double x) { return -0.25 / (x * sqrt(x)); }
static double d2_cbrt(double x) { return -2.0 / (9.0 * x * sq(cbrt(x))); }
static double d2_log(double x) { return -1.0 / (x * x); }
static double d2_log2(double x) { return -1.0 / (x * x * M_LN2); }
static double d2_log10(double x) { return -1.0 / (x * x * M_LN10); }
static double d2_log1p(double x) { return -1.0 / sq(1.0 + x); }
static double d2_sin(double x) { return -sin(x); }
static double d2_cos(double x) { return -cos(x); }
static double d2_tan(double x) { double t = tan(x); return 2.0 * t * (1.0 + t * t); }
static double d2_asin(double x) { return x / pow(1.0 - x * x, 1.5); }
static double d2_acos(double x) { return -x / pow(1.0 - x * x, 1.5); }
static double d2_atan(double x) { return -2.0 * x / sq(1.0 + x * x); }
static double d2_tanh(double x) { double t = tanh(x); return -2.0 * t * (1.0 - t * t); }
static double d2_asinh(double x) { return -x / pow(x * x + 1.0, 1.5); }
static double d2_acosh(double x) { return -x / pow(x * x - 1.0, 1.5); }
static double d2_atanh(double x) { return 2.0 * x / sq(1.0 - x * x); }
static double d2_erf(double x) { return -4.0 * x / SQRT_PI * exp(-x * x); }
static double d2_erfc(double x) { return 4.0 * x / SQRT_PI * exp(-x * x); }
static double d2_gamma(double x) { return tgamma(x) * (sq(psi(x)) + psi1(x)); }
static double d2_lgamma(double x) { return psi2(x); }
static double d2_trigamma(double x) { return psi3(x); }

/*        name      f           f'          f''          help */
#define MATH_FUNCTIONS(X)                                                                           \
  X(abs,      f_abs,      d_abs,      zero,        "absolute value |x|")                            \
  X(sign,     f_sign,     zero,       zero,        "sign of x: -1, 0 or 1")                         \
  X(sqrt,     sqrt,       d_sqrt,     d2_sqrt,     "square root (nan for x < 0)")                   \
  X(cbrt,     f_cbrt,     d_cbrt,     d2_cbrt,     "cube root")                                     \
  X(exp,      exp,        exp,        exp,         "e^x")                                           \
  X(expm1,    expm1,      exp,        exp,         "e^x - 1, accurate for small x")                 \
  X(log,      log,        d_log,      d2_log,      "natural logarithm (-inf at 0, nan below)")      \
  X(log2,     log2,       d_log2,     d2_log2,     "base-2 logarithm")                              \
  X(log10,    log10,      d_log10,    d2_log10,    "base-10 logarithm")                             \
  X(log1p,    log1p,      d_log1p,    d2_log1p,    "log(1 + x), accurate for small x")              \
  X(sin,      sin,        cos,        d2_sin,      "sine (radians)")                                \
  X(cos,      cos,        d_cos,      d2_cos,      "cosine (radians)")                              \
  X(tan,      tan,        d_tan,      d2_tan,      "tangent (radians)")                             \
  X(asin,     f_asin,     d_asin,     d2_asin,     "inverse sine; |x| <= 1 + 1e-12 is clamped to [-1, 1]")   \
  X(acos,     f_acos,     d_acos,     d2_acos,     "inverse cosine; |x| <= 1 + 1e-12 is clamped to [-1, 1]") \
  X(atan,     atan,       d_atan,     d2_atan,     "inverse tangent")                               \
  X(sinh,     sinh,       cosh,       sinh,        "hyperbolic sine")                               \
  X(cosh,     cosh,       sinh,       cosh,        "hyperbolic cosine")                             \
  X(tanh,     tanh,       d_tanh,     d2_tanh,     "hyperbolic tangent")                            \
  X(asinh,    asinh,      d_asinh,    d2_asinh,    "inverse hyperbolic sine")                       \
  X(acosh,    acosh,      d_acosh,    d2_acosh,    "inverse hyperbolic cosine")                     \
  X(atanh,    atanh,      d_atanh,    d2_atanh,    "inverse hyperbolic tangent")                    \
  X(erf,      erf,        d_erf,      d2_erf,      "error function erf(x) = 2/sqrt(pi) int_0^x e^(-t^2) dt") \
  X(erfc,     erfc,       d_erfc,     d2_erfc,     "complementary error function 1 - erf(x)")       \
  X(gamma,    tgamma,     d_gamma,    d2_gamma,    "Gamma function")                                \
  X(lgamma,   lgamma,     f_digamma,  d2_lgamma,   "log |Gamma(x)|")                                \
  X(digamma,  f_digamma,  f_trigamma, d2_lgamma,   "digamma psi(x) = Gamma'(x)/Gamma(x)")           \
  X(trigamma, f_trigamma, d2_lgamma,  d2_trigamma, "trigamma psi'(x)")                              \
  X(floor,    floor,      zero,       zero,        "largest integer <= x")                          \
  X(ceil,     ceil,       zero,       zero,        "smallest integer >= x")                         \
  X(round,    round,      zero,       zero,        "nearest integer, halves away from zero")        \
  X(trunc,    trunc,      zero,       zero,        "integer part, towards zero")                    \
  X(frac,     f_frac,     one,        zero,        "fractional part x - floor(x)")

/* In the MathFn table too (dual numbers see them), but with builtins of their own below, which
 * also take a mean and a standard deviation. */
#define MATH_FUNCTIONS_OWN_BUILTIN(X)                                                               \
  X(normpdf,  f_normpdf,  d_normpdf,  d2_normpdf,  "standard normal density phi(x)")                \
  X(normcdf,  f_normcdf,  f_normpdf,  d_normpdf,   "standard normal distribution function Phi(x)")  \
  X(norminv,  f_norminv,  d_norminv,  d2_norminv,  "inverse standard normal distribution function")

#define AS_MATHFN(name, f, df, d2f, help) {#name, f, df, d2f, help},
const MathFn dlt_mathfns[] = {MATH_FUNCTIONS(AS_MATHFN) MATH_FUNCTIONS_OWN_BUILTIN(AS_MATHFN)};
const int dlt_nmathfns = (int)(sizeof dlt_mathfns / sizeof dlt_mathfns[0]);

const MathFn *mathfn_find(const char *name) {
  for (int i = 0; i < dlt_nmathfns; i++)
    if (strcmp(dlt_mathfns[i].name, name) == 0) return &dlt_mathfns[i];
  return NULL;
}

Value mathfn_apply(Interp *I, const MathFn *fn, Value x, const Span *where) {
  if (IS_NUM(x)) return v_num(fn->f(AS_NUM(x)));
  if (IS_BOOL(x)) return v_num(fn->f(AS_BOOL(x)));
  if (IS_EXT(x) && AS_EXT(x)->cls->math1) return AS_EXT(x)->cls->math1(I, fn, x.u.o, where);
  if (IS_MAT(x) || IS_RANGE(x)) {
    Value m = val_as_mat(I, x, where, "argument");
    if (IS_ABRUPT(m)) return m;
    Mat *a = AS_MAT(m);
    Mat *out = mat_alloc(mat_rows(a), mat_cols(a));
    if (!out) {
      val_release(m);
      return dlt_error_oom(I, where, mat_rows(a), mat_cols(a));
    }
    size_t n = mat_numel(a);
    for (size_t i = 0; i < n; i++) out->data[i] = fn->f(a->data[i]);
    val_release(m);
    return v_obj(out);
  }
  return dlt_error(I, where, "%s: expected a number or a matrix, got a %s", fn->name, val_type_name(x));
}

static Value bi_math1(Args *a) { return mathfn_apply(a->I, a->data, a->v[0], arg_span(a, 0)); }

enum {
#define AS_ENUM(name, f, df, d2f, help) MF_##name,
  MATH_FUNCTIONS(AS_ENUM)
  MATH_FUNCTIONS_OWN_BUILTIN(AS_ENUM)
};

#define MF_BUILTIN(name, f, df, d2f, help) {#name, bi_math1, 1, 1, NULL, #name "(x)", help ", elementwise", &dlt_mathfns[MF_##name]},
static const Builtin math_builtins[] = {
  MATH_FUNCTIONS(MF_BUILTIN)
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_math = {"math", math_builtins};
