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
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "../arith.h"
#include "../builtin.h"
#include "../interp.h"
#include "../mathfn.h"
#include "../print.h"
#include "../strbuf.h"

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
static double psi2_pos(double x) { SF(gsl_sf_psi_n_e(2, x, &r_)); }
static double psi3_pos(double x) { SF(gsl_sf_psi_n_e(3, x, &r_)); }
/* GSL's psi_n is defined for x > 0 only; below, the reflection formula
 * psi^(n)(1 - x) + (-1)^(n+1) psi^(n)(x) = (-1)^n pi d^n/dx^n cot(pi x) extends it (poles at the
 * non-positive integers give nan, as digamma and trigamma do there). */
static double psi2(double x) {
  if (x > 0) return psi2_pos(x);
  if (x == floor(x)) return NAN;
  double s = sin(M_PI * x), c = cos(M_PI * x);
  return psi2_pos(1 - x) - 2 * M_PI * M_PI * M_PI * c / (s * s * s);
}
static double psi3(double x) {
  if (x > 0) return psi3_pos(x);
  if (x == floor(x)) return NAN;
  double s = sin(M_PI * x), c = cos(M_PI * x), csc2 = 1 / (s * s);
  return 2 * pow(M_PI, 4) * (2 * csc2 * c * c / (s * s) + csc2 * csc2) - psi3_pos(1 - x);
}

/* The standard normal: density, distribution function, their logarithms, and the quantile (nan
 * outside [0, 1]). GSL's Φ keeps full relative accuracy in the lower tail; log Φ uses log erfc
 * there (Φ(-40) underflows but its logarithm does not) and log1p(-Q) above 0 (no cancellation). */
#define SQRT_2PI 2.5066282746310005024
#define LOG_SQRT_2PI 0.91893853320467274178
static double f_normpdf(double x) { return gsl_ran_ugaussian_pdf(x); }
static double f_normcdf(double x) { return gsl_cdf_ugaussian_P(x); }
static double f_norminv(double p) {
  if (!(p >= 0 && p <= 1)) return NAN;
  return gsl_cdf_ugaussian_Pinv(p); /* -inf at 0, inf at 1 */
}
static double f_normlogpdf(double x) { return -0.5 * x * x - LOG_SQRT_2PI; }
static double log_erfc(double x) { SF(gsl_sf_log_erfc_e(x, &r_)); }
static double f_normlogcdf(double x) {
  if (isnan(x) || x == -INFINITY) return x;
  if (x > 0) {
    double q = gsl_cdf_ugaussian_Q(x);
    return q > 0 ? log1p(-q) : 0;
  }
  return log_erfc(-x / M_SQRT2) - M_LN2;
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
static double d_normlogpdf(double x) { return -x; }
static double d2_normlogpdf(double x) { (void)x; return -1; }
/* (log Φ)' = φ/Φ, the inverse Mills ratio h, taken as a difference of logarithms so that it stays
 * finite far in the lower tail (h(x) ~ -x there); (log Φ)'' = -h (x + h). */
static double d_normlogcdf(double x) { return exp(f_normlogpdf(x) - f_normlogcdf(x)); }
static double d2_normlogcdf(double x) {
  double h = d_normlogcdf(x);
  return -h * (x + h);
}

/* erf⁻¹ from the normal quantile, then Newton steps on erf (|x| <= 1/2) or on erfc (beyond, where
 * 1 - x is exact): the quantile alone would lose the relative accuracy of tiny x in 1/2 + x/2. */
static double f_erfinv(double x) {
  if (!(fabs(x) <= 1)) return NAN;
  if (x < 0) return -f_erfinv(-x);
  if (x == 1) return INFINITY;
  double y;
  if (x <= 0.5) {
    y = gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * x) / M_SQRT2;
    for (int i = 0; i < 2; i++) y -= (erf(y) - x) / (M_2_SQRTPI * exp(-y * y));
  } else {
    double c = 1 - x;
    y = gsl_cdf_ugaussian_Qinv(0.5 * c) / M_SQRT2;
    for (int i = 0; i < 2; i++) y += (erfc(y) - c) / (M_2_SQRTPI * exp(-y * y));
  }
  return y;
}
static double d_erfinv(double x) {
  double y = f_erfinv(x);
  return 0.5 * SQRT_PI * exp(y * y);
}
static double d2_erfinv(double x) { return 2 * f_erfinv(x) * sq(d_erfinv(x)); }

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
/* the logistic function, without overflow on either side */
static double f_sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + exp(-x));
  double e = exp(x);
  return e / (1.0 + e);
}
static double d_sigmoid(double x) { double s = f_sigmoid(x); return s * (1.0 - s); }
static double d2_sigmoid(double x) { double s = f_sigmoid(x); return s * (1.0 - s) * (1.0 - 2.0 * s); }

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
static double d_trigamma(double x) { return psi2(x); }
static double d2_trigamma(double x) { return psi3(x); }

/*        name      f           f'          f''          help */
#define MATH_FUNCTIONS(X)                                                                           \
  X(abs,      f_abs,      d_abs,      zero,        "absolute value |x|")                            \
  X(sign,     f_sign,     zero,       zero,        "sign of x: -1, 0 or 1")                         \
  X(sqrt,     sqrt,       d_sqrt,     d2_sqrt,     "square root (nan for x < 0)")                   \
  X(cbrt,     f_cbrt,     d_cbrt,     d2_cbrt,     "cube root")                                     \
  X(exp,      dlt_exp,    dlt_exp,    dlt_exp,     "e^x")                                           \
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
  X(sigmoid,  f_sigmoid,  d_sigmoid,  d2_sigmoid,  "the logistic function 1/(1 + e^-x), the activation \"sigmoid\"") \
  X(asinh,    asinh,      d_asinh,    d2_asinh,    "inverse hyperbolic sine")                       \
  X(acosh,    acosh,      d_acosh,    d2_acosh,    "inverse hyperbolic cosine")                     \
  X(atanh,    atanh,      d_atanh,    d2_atanh,    "inverse hyperbolic tangent")                    \
  X(erf,      erf,        d_erf,      d2_erf,      "error function erf(x) = 2/sqrt(pi) int_0^x e^(-t^2) dt") \
  X(erfc,     erfc,       d_erfc,     d2_erfc,     "complementary error function 1 - erf(x)")       \
  X(erfinv,   f_erfinv,   d_erfinv,   d2_erfinv,   "inverse error function (nan outside [-1, 1])")  \
  X(gamma,    tgamma,     d_gamma,    d2_gamma,    "Gamma function")                                \
  X(lgamma,   lgamma,     f_digamma,  f_trigamma,  "log |Gamma(x)|")                                 \
  X(digamma,  f_digamma,  f_trigamma, d_trigamma,  "digamma psi(x) = Gamma'(x)/Gamma(x)")            \
  X(trigamma, f_trigamma, d_trigamma, d2_trigamma, "trigamma psi'(x)")                              \
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
  X(norminv,  f_norminv,  d_norminv,  d2_norminv,  "inverse standard normal distribution function")  \
  X(normlogpdf, f_normlogpdf, d_normlogpdf, d2_normlogpdf, "log of the standard normal density")    \
  X(normlogcdf, f_normlogcdf, d_normlogcdf, d2_normlogcdf, "log Phi(x), accurate far in the lower tail")

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
      Value e = dlt_error_oom(I, where, mat_rows(a), mat_cols(a)); /* before a goes with m */
      val_release(m);
      return e;
    }
    size_t n = mat_numel(a);
    if (fn->f == dlt_exp) dlt_exp_array(a->data, out->data, n); /* the vectorised loop */
    else
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

/* ------------------------------------------------------------------ several arguments
 * Each argument is a number or a matrix; matrices broadcast against each other as the arithmetic
 * operators do (every dimension equal or 1), and numbers against everything. The result is a
 * number when every argument is one. */
#define MAX_PARAMS 3

typedef struct Param {
  Value v;          /* borrowed: the argument, or the default as a number */
  int pos;          /* its position (-1: a keyword or the default) */
  const char *kw;   /* the keyword it was given by, or NULL */
  const char *name; /* for messages */
} Param;

typedef struct Bad {
  int arg; /* which parameter is wrong */
  char msg[160];
} Bad;

/* One element: x holds a value of each parameter; false with *bad filled to reject them. */
typedef bool (*Kernel)(const double *x, double *out, Bad *bad);

static bool reject(Bad *bad, int arg, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool reject(Bad *bad, int arg, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(bad->msg, sizeof bad->msg, fmt, ap);
  va_end(ap);
  bad->arg = arg;
  return false;
}

static Value param_error(Args *a, const Param *p, const char *msg) {
  if (p->kw) return kw_error(a, p->kw, "%s", msg);
  return arg_error(a, p->pos, "%s", msg);
}

/* Parameter i: positional when given there, else by its name (listed among the builtin's keywords,
 * so that normcdf(x, sigma=2) can skip mu), else the default. */
static bool get_param(Args *a, int i, const char *name, double dflt, Param *p) {
  const Value *kw = kw_get(a, name);
  p->name = name;
  p->pos = -1;
  p->kw = NULL;
  if (i < a->n) {
    if (kw) {
      kw_error(a, name, "got two values for '%s'", name);
      return false;
    }
    p->v = a->v[i];
    p->pos = i;
  } else if (kw) {
    p->v = *kw;
    p->kw = name;
  } else {
    p->v = v_num(dflt);
  }
  return true;
}

static inline double bcast_at(const Mat *m, size_t r, size_t c) {
  size_t R = mat_rows(m), C = mat_cols(m);
  return m->data[(R == 1 ? 0 : r) * C + (C == 1 ? 0 : c)];
}

/* A GSL failure other than a domain error, overflow or underflow (sf_value turns those into values):
 * no accurate value exists, so say where rather than return a doubtful number. */
static void gsl_failure(Args *a, const Param *p, int np, const double *x) {
  StrBuf b = STRBUF_INIT;
  for (int i = 0; i < np; i++) sb_printf(&b, "%s%s = %s", i ? ", " : "", p[i].name, num_text(x[i]).s);
  call_error(a, "no accurate value at %s (GSL: %s)", sb_cstr(&b), gsl_strerror(dlt_gsl_pending()));
  sb_free(&b);
  dlt_gsl_clear();
}

static Value elementwise(Args *a, const Param *p, int np, Kernel k) {
  Value mv[MAX_PARAMS];
  double num[MAX_PARAMS];
  bool all_num = true, ok = true;
  size_t R = 1, C = 1;
  int shaper = -1; /* the argument that fixed the result's shape so far, for the message */
  for (int i = 0; i < np; i++) mv[i] = v_nil();
  for (int i = 0; i < np && ok; i++) {
    Value v = p[i].v;
    if (IS_NUM(v) || IS_BOOL(v)) {
      num[i] = IS_NUM(v) ? AS_NUM(v) : AS_BOOL(v);
      continue;
    }
    all_num = false;
    if (!(IS_MAT(v) || IS_RANGE(v) || IS_LIST(v))) {
      char msg[160];
      snprintf(msg, sizeof msg, "%s must be a number or a matrix, got a %s", p[i].name, val_type_name(v));
      param_error(a, &p[i], msg);
      ok = false;
      break;
    }
    char what[64];
    snprintf(what, sizeof what, "%s: %s", a->fname, p[i].name);
    mv[i] = val_as_mat(a->I, v, p[i].kw ? a->call : arg_span(a, p[i].pos), what);
    if (IS_ABRUPT(mv[i])) {
      ok = false;
      break;
    }
    size_t r = mat_rows(AS_MAT(mv[i])), c = mat_cols(AS_MAT(mv[i]));
    if ((r != 1 && R != 1 && r != R) || (c != 1 && C != 1 && c != C)) {
      call_error(a, "%s is %zu×%zu but %s is %zu×%zu: each dimension must agree or be 1", p[shaper].name,
                 mat_rows(AS_MAT(mv[shaper])), mat_cols(AS_MAT(mv[shaper])), p[i].name, r, c);
      ok = false;
      break;
    }
    if (r != 1) R = r;
    if (c != 1) C = c;
    if (shaper < 0 || r != 1 || c != 1) shaper = i;
  }
  Value result = v_abrupt();
  Mat *out = NULL;
  if (ok && !all_num) {
    out = mat_alloc(R, C);
    if (!out) {
      dlt_error_oom(a->I, a->call, R, C);
      ok = false;
    }
  }
  if (ok) {
    Bad bad;
    double x[MAX_PARAMS], y = 0;
    for (size_t r = 0; r < R && ok; r++)
      for (size_t c = 0; c < C && ok; c++) {
        for (int i = 0; i < np; i++) x[i] = IS_NIL(mv[i]) ? num[i] : bcast_at(AS_MAT(mv[i]), r, c);
        if (!k(x, &y, &bad)) {
          param_error(a, &p[bad.arg], bad.msg);
          ok = false;
        } else if (dlt_gsl_pending()) {
          gsl_failure(a, p, np, x);
          ok = false;
        } else if (out) {
          out->data[r * C + c] = y;
        }
      }
    if (ok) result = all_num ? v_num(y) : v_obj(out);
    if (!ok && out) val_release(v_obj(out));
  }
  for (int i = 0; i < np; i++) val_release(mv[i]);
  return result;
}

/* GSL special functions of several arguments (nan in, nan out, before GSL sees it) */
static double sf_beta(double x, double y) { SF(gsl_sf_beta_e(x, y, &r_)); }
static double sf_lnbeta(double x, double y) { SF(gsl_sf_lnbeta_e(x, y, &r_)); }
static double sf_beta_inc(double x, double p, double q) { SF(gsl_sf_beta_inc_e(p, q, x, &r_)); }
static double sf_gamma_p(double s, double x) { SF(gsl_sf_gamma_inc_P_e(s, x, &r_)); }
static double sf_gamma_q(double s, double x) { SF(gsl_sf_gamma_inc_Q_e(s, x, &r_)); }
static double sf_fact(unsigned n) { SF(gsl_sf_fact_e(n, &r_)); }

static bool any_nan(const double *x, int n) {
  for (int i = 0; i < n; i++)
    if (isnan(x[i])) return true;
  return false;
}

static bool k_beta(const double *x, double *out, Bad *bad) {
  (void)bad;
  *out = any_nan(x, 2) ? NAN : sf_beta(x[0], x[1]);
  return true;
}
static bool k_lbeta(const double *x, double *out, Bad *bad) {
  (void)bad;
  *out = any_nan(x, 2) ? NAN : sf_lnbeta(x[0], x[1]);
  return true;
}
/* I_x(a, b) for 0 <= x <= 1 and a, b > 0 (GSL would also take some negative a, b; we do not) */
static bool k_betainc(const double *x, double *out, Bad *bad) {
  (void)bad;
  bool domain = x[0] >= 0 && x[0] <= 1 && x[1] > 0 && x[2] > 0 && isfinite(x[1]) && isfinite(x[2]);
  *out = domain ? sf_beta_inc(x[0], x[1], x[2]) : NAN;
  return true;
}
/* P(a, x) and Q(a, x) for a > 0, x >= 0; x = inf is the limit */
static bool gamma_inc(const double *x, double *out, bool upper) {
  double s = x[0], t = x[1];
  if (!(s > 0 && isfinite(s) && t >= 0)) *out = NAN;
  else if (t == INFINITY) *out = upper ? 0 : 1;
  else *out = upper ? sf_gamma_q(s, t) : sf_gamma_p(s, t);
  return true;
}
static bool k_gammainc(const double *x, double *out, Bad *bad) { (void)bad; return gamma_inc(x, out, false); }
static bool k_gammaincc(const double *x, double *out, Bad *bad) { (void)bad; return gamma_inc(x, out, true); }

static bool is_whole(double x) { return isfinite(x) && x == floor(x); }

/* C(n, k) by the product C(n-k+i, i) = C(n-k+i-1, i-1) (n-k+i) / i, i = 1..min(k, n-k): every
 * partial result is an integer, so the product is exact while it stays below 2^53; beyond, each
 * step rounds once (relative error under 2 ulp per step), and the loop ends when it overflows to
 * inf, which happens within about 520 steps. */
static double choose(double n, double k) {
  if (k < 0 || k > n) return 0;
  if (n - k < k) k = n - k;
  double c = 1;
  for (double i = 1; i <= k && isfinite(c); i++) c = c * (n - k + i) / i;
  return c;
}

static bool k_binomial(const double *x, double *out, Bad *bad) {
  if (!is_whole(x[0]) || x[0] < 0) return reject(bad, 0, "n must be a non-negative integer, got %s", num_text(x[0]).s);
  if (!is_whole(x[1])) return reject(bad, 1, "k must be an integer, got %s", num_text(x[1]).s);
  *out = choose(x[0], x[1]);
  return true;
}

static bool k_factorial(const double *x, double *out, Bad *bad) {
  if (!is_whole(x[0]) || x[0] < 0) return reject(bad, 0, "n must be a non-negative integer, got %s", num_text(x[0]).s);
  *out = x[0] > GSL_SF_FACT_NMAX ? INFINITY : sf_fact((unsigned)x[0]);
  return true;
}

static bool k_atan2(const double *x, double *out, Bad *bad) {
  (void)bad;
  *out = atan2(x[0], x[1]);
  return true;
}
static bool k_hypot(const double *x, double *out, Bad *bad) {
  (void)bad;
  *out = hypot(x[0], x[1]);
  return true;
}
static bool k_clamp(const double *x, double *out, Bad *bad) {
  if (!(x[1] <= x[2])) return reject(bad, 1, "lo must not exceed hi, got lo = %s and hi = %s", num_text(x[1]).s, num_text(x[2]).s);
  *out = isnan(x[0]) ? x[0] : x[0] < x[1] ? x[1] : x[0] > x[2] ? x[2] : x[0];
  return true;
}

/* normal with mean mu and standard deviation sigma: x[0] is the argument, x[1] mu, x[2] sigma */
static bool check_sigma(const double *x, Bad *bad) {
  if (!(x[2] > 0)) return reject(bad, 2, "sigma must be positive, got %s", num_text(x[2]).s);
  return true;
}
static bool k_normpdf(const double *x, double *out, Bad *bad) {
  if (!check_sigma(x, bad)) return false;
  *out = gsl_ran_gaussian_pdf(x[0] - x[1], x[2]);
  return true;
}
static bool k_normcdf(const double *x, double *out, Bad *bad) {
  if (!check_sigma(x, bad)) return false;
  *out = f_normcdf((x[0] - x[1]) / x[2]);
  return true;
}
static bool k_norminv(const double *x, double *out, Bad *bad) {
  if (!check_sigma(x, bad)) return false;
  *out = x[1] + x[2] * f_norminv(x[0]);
  return true;
}
static bool k_normlogpdf(const double *x, double *out, Bad *bad) {
  if (!check_sigma(x, bad)) return false;
  *out = f_normlogpdf((x[0] - x[1]) / x[2]) - log(x[2]);
  return true;
}
static bool k_normlogcdf(const double *x, double *out, Bad *bad) {
  if (!check_sigma(x, bad)) return false;
  *out = f_normlogcdf((x[0] - x[1]) / x[2]);
  return true;
}

/* A domain value (a dual number) as any argument of a normal function: standardise x with the
 * operators, apply the standard function through its math1 hook (which carries the derivatives),
 * and undo the scaling, so derivatives flow through x, mu and sigma alike (a score function
 * d/dθ log φ((x − μ(θ))/σ(θ)) needs the last two). */
static Value norm_ext(Args *a, const Param *p, int which) {
  const Span *at = arg_span(a, 0);
  Interp *I = a->I;
  Value mu = p[1].v, sigma = p[2].v;
  Value positive = arith_binop(I, OP_GT, sigma, v_num(0), at);
  if (IS_ABRUPT(positive)) return positive;
  bool one = IS_BOOL(positive), ok = one && AS_BOOL(positive);
  val_release(positive);
  if (!ok) {
    char msg[240];
    if (one) {
      char *text = val_to_cstr(sigma, PRINT_DISPLAY);
      snprintf(msg, sizeof msg, "sigma must be positive, got %s", text);
      free(text);
    } else {
      snprintf(msg, sizeof msg, "with a dual argument, sigma must be one number or dual number, got a %s", val_type_name(sigma));
    }
    return param_error(a, &p[2], msg);
  }
  const MathFn *fn = &dlt_mathfns[which];
  if (which == MF_norminv) { /* mu + sigma Φ⁻¹(p) */
    Value z = mathfn_apply(I, fn, p[0].v, at);
    if (IS_ABRUPT(z)) return z;
    Value s = arith_binop(I, OP_MUL, z, sigma, at);
    val_release(z);
    if (IS_ABRUPT(s)) return s;
    Value r = arith_binop(I, OP_ADD, s, mu, at);
    val_release(s);
    return r;
  }
  Value d = arith_binop(I, OP_SUB, p[0].v, mu, at);
  if (IS_ABRUPT(d)) return d;
  Value z = arith_binop(I, OP_DIV, d, sigma, at);
  val_release(d);
  if (IS_ABRUPT(z)) return z;
  Value f = mathfn_apply(I, fn, z, at);
  val_release(z);
  if (IS_ABRUPT(f) || which == MF_normcdf || which == MF_normlogcdf) return f;
  if (which == MF_normpdf) {
    Value r = arith_binop(I, OP_DIV, f, sigma, at);
    val_release(f);
    return r;
  }
  Value logs = mathfn_apply(I, &dlt_mathfns[MF_log], sigma, at);
  if (IS_ABRUPT(logs)) {
    val_release(f);
    return logs;
  }
  Value r = arith_binop(I, OP_SUB, f, logs, at);
  val_release(f);
  val_release(logs);
  return r;
}

typedef struct NormFn {
  int mf;
  Kernel k;
} NormFn;

static const NormFn nf_normpdf = {MF_normpdf, k_normpdf}, nf_normcdf = {MF_normcdf, k_normcdf},
                    nf_norminv = {MF_norminv, k_norminv}, nf_normlogpdf = {MF_normlogpdf, k_normlogpdf},
                    nf_normlogcdf = {MF_normlogcdf, k_normlogcdf};

static Value bi_norm(Args *a) {
  const NormFn *nf = a->data;
  Param p[3];
  p[0] = (Param){a->v[0], 0, NULL, "x"};
  if (nf->mf == MF_norminv) p[0].name = "p";
  if (!get_param(a, 1, "mu", 0, &p[1]) || !get_param(a, 2, "sigma", 1, &p[2])) return v_abrupt();
  if (IS_EXT(p[0].v) || IS_EXT(p[1].v) || IS_EXT(p[2].v)) return norm_ext(a, p, nf->mf);
  return elementwise(a, p, 3, nf->k);
}

/* builtins whose arguments are all positional; Builtin.data is the kernel and the parameter names */
typedef struct Multi {
  Kernel k;
  const char *names[MAX_PARAMS];
} Multi;

static Value bi_multi(Args *a) {
  const Multi *m = a->data;
  Param p[MAX_PARAMS];
  for (int i = 0; i < a->n && i < MAX_PARAMS; i++) p[i] = (Param){a->v[i], i, NULL, m->names[i]};
  return elementwise(a, p, a->n, m->k);
}

static const Multi m_beta = {k_beta, {"a", "b"}}, m_lbeta = {k_lbeta, {"a", "b"}},
                   m_betainc = {k_betainc, {"x", "a", "b"}}, m_gammainc = {k_gammainc, {"a", "x"}},
                   m_gammaincc = {k_gammaincc, {"a", "x"}}, m_binomial = {k_binomial, {"n", "k"}},
                   m_factorial = {k_factorial, {"n"}}, m_atan2 = {k_atan2, {"y", "x"}},
                   m_hypot = {k_hypot, {"x", "y"}}, m_clamp = {k_clamp, {"x", "lo", "hi"}};

/* ------------------------------------------------------------------ logsumexp and softmax
 * Along "lines" as the reductions do: all entries (no axis=), each column (axis=1, a 1×cols
 * result) or each row (axis=2, a rows×1 result). */

/* log Σ exp(p[i s]) = m + log1p(rest) with m the largest entry and rest = Σ_{others} exp(p - m):
 * nothing overflows, and neither does rounding 1 + tiny lose anything. Returns false when m is not
 * finite (then *m is the answer: nan, -inf for an empty line or all -inf, or +inf). */
static bool lse_parts(const double *p, size_t n, size_t s, double *m, double *rest) {
  size_t at = 0;
  *m = -INFINITY;
  *rest = 0;
  for (size_t i = 0; i < n; i++) {
    double v = p[i * s];
    if (isnan(v)) {
      *m = v;
      return false;
    }
    if (v > *m) {
      *m = v;
      at = i;
    }
  }
  if (!isfinite(*m)) return false;
  for (size_t i = 0; i < n; i++)
    if (i != at) *rest += exp(p[i * s] - *m);
  return true;
}

static double lse_line(const double *p, size_t n, size_t s) {
  double m, rest;
  return lse_parts(p, n, s, &m, &rest) ? m + log1p(rest) : m;
}

/* exp(p - m) / (1 + rest) rather than exp(p - logsumexp): x - m is exact for nearby entries, where
 * subtracting the rounded logsumexp of large entries would cost digits. An infinite maximum leaves
 * nan where the quotient is undefined (inf - inf), as does an all -inf line. */
static void softmax_line(const double *p, double *q, size_t n, size_t s) {
  double m, rest;
  bool finite = lse_parts(p, n, s, &m, &rest);
  for (size_t i = 0; i < n; i++) q[i * s] = finite ? exp(p[i * s] - m) / (1 + rest) : exp(p[i * s] - m);
}

static Value along(Args *a, bool softmax) {
  int axis;
  Value mv;
  if (!kw_axis(a, &axis) || !arg_mat(a, 0, &mv)) return v_abrupt();
  Mat *x = AS_MAT(mv);
  size_t R = mat_rows(x), C = mat_cols(x);
  if (!softmax && axis == 0) {
    double l = lse_line(x->data, R * C, 1);
    val_release(mv);
    return v_num(l);
  }
  size_t orows = softmax ? R : axis == 1 ? 1 : R, ocols = softmax ? C : axis == 1 ? C : 1;
  Mat *out = mat_alloc(orows, ocols);
  if (!out) {
    val_release(mv);
    return dlt_error_oom(a->I, a->call, orows, ocols);
  }
  if (axis == 0) softmax_line(x->data, out->data, R * C, 1);
  else if (axis == 1)
    for (size_t c = 0; c < C; c++) {
      if (softmax) softmax_line(x->data + c, out->data + c, R, C);
      else out->data[c] = lse_line(x->data + c, R, C);
    }
  else
    for (size_t r = 0; r < R; r++) {
      if (softmax) softmax_line(x->data + r * C, out->data + r * C, C, 1);
      else out->data[r] = lse_line(x->data + r * C, C, 1);
    }
  val_release(mv);
  return v_obj(out);
}

static Value bi_logsumexp(Args *a) { return along(a, false); }
static Value bi_softmax(Args *a) { return along(a, true); }

#define MF_BUILTIN(name, f, df, d2f, help) {#name, bi_math1, 1, 1, NULL, #name "(x)", help ", elementwise", &dlt_mathfns[MF_##name]},
static const Builtin math_builtins[] = {
  MATH_FUNCTIONS(MF_BUILTIN)
  {"normpdf", bi_norm, 1, 3, "mu sigma", "normpdf(x, mu=0, sigma=1)", "normal density with mean mu and standard deviation sigma, elementwise", &nf_normpdf},
  {"normcdf", bi_norm, 1, 3, "mu sigma", "normcdf(x, mu=0, sigma=1)", "normal distribution function P(X <= x), elementwise", &nf_normcdf},
  {"norminv", bi_norm, 1, 3, "mu sigma", "norminv(p, mu=0, sigma=1)", "normal quantile: the x with normcdf(x, mu, sigma) = p (nan outside [0, 1]), elementwise", &nf_norminv},
  {"normlogpdf", bi_norm, 1, 3, "mu sigma", "normlogpdf(x, mu=0, sigma=1)", "log of the normal density, elementwise", &nf_normlogpdf},
  {"normlogcdf", bi_norm, 1, 3, "mu sigma", "normlogcdf(x, mu=0, sigma=1)", "log of the normal distribution function, accurate far in the lower tail, elementwise", &nf_normlogcdf},
  {"beta", bi_multi, 2, 2, NULL, "beta(a, b)", "Beta function B(a, b) = Gamma(a) Gamma(b) / Gamma(a + b), elementwise", &m_beta},
  {"lbeta", bi_multi, 2, 2, NULL, "lbeta(a, b)", "log B(a, b) for a, b > 0, without overflow, elementwise", &m_lbeta},
  {"betainc", bi_multi, 3, 3, NULL, "betainc(x, a, b)", "regularised incomplete beta function I_x(a, b), elementwise", &m_betainc},
  {"gammainc", bi_multi, 2, 2, NULL, "gammainc(a, x)", "regularised lower incomplete gamma function P(a, x), elementwise", &m_gammainc},
  {"gammaincc", bi_multi, 2, 2, NULL, "gammaincc(a, x)", "regularised upper incomplete gamma function Q(a, x) = 1 - P(a, x), elementwise", &m_gammaincc},
  {"binomial", bi_multi, 2, 2, NULL, "binomial(n, k)", "binomial coefficient C(n, k) for integers n >= 0 and k (0 outside 0..n), elementwise", &m_binomial},
  {"factorial", bi_multi, 1, 1, NULL, "factorial(n)", "n! for an integer n >= 0 (inf beyond 170), elementwise", &m_factorial},
  {"atan2", bi_multi, 2, 2, NULL, "atan2(y, x)", "the angle of the point (x, y) in (-pi, pi], elementwise", &m_atan2},
  {"hypot", bi_multi, 2, 2, NULL, "hypot(x, y)", "sqrt(x^2 + y^2) without overflow or underflow, elementwise", &m_hypot},
  {"clamp", bi_multi, 3, 3, NULL, "clamp(x, lo, hi)", "x limited to [lo, hi] (nan stays nan), elementwise", &m_clamp},
  {"logsumexp", bi_logsumexp, 1, 1, "axis", "logsumexp(x, axis=)", "log(sum(exp(x))) without overflow: a number, or per column (axis=1) or row (axis=2)", NULL},
  {"softmax", bi_softmax, 1, 1, "axis", "softmax(x, axis=)", "exp(x - logsumexp(x)), same shape as x; per column (axis=1) or row (axis=2)", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_math = {"math", math_builtins};
