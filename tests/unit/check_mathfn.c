/* check_mathfn.c - the derivatives in the elementwise maths table (src/lib/math.c).
 *
 * Networks differentiate user-defined activations through MathFn.df and .d2f (dual numbers), so a
 * wrong derivative there is a silently wrong gradient. Each f' is compared with a Richardson-
 * extrapolated central difference of f, and each f'' with the same difference of f', at points
 * spread over the domains (tails, near 0, near ±1 for the inverse trigonometric functions). The
 * extrapolated difference has error O(h^4) plus rounding of order eps/h ≈ 1e-12 at h = 1e-4, so
 * 1e-5 relative separates a correct derivative from a wrong one with a wide margin. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/error.h"
#include "../../src/mathfn.h"
#include "check_suites.h"

/* a step that stays inside (-1, 1) and (0, 1) near their ends, and is relative near 0 */
static double step(double x) {
  double ax = fabs(x);
  return 1e-3 * (ax < 1 ? fmin(0.1, fmin(ax, 1 - ax)) : 0.1);
}

static double extrapolated_difference(double (*g)(double), double x) {
  double h = step(x);
  double d1 = (g(x + h) - g(x - h)) / (2 * h);
  double d2 = (g(x + h / 2) - g(x - h / 2)) / h;
  return (4 * d2 - d1) / 3;
}

START_TEST(derivatives_match_differences) {
  static const double xs[] = {-3.3, -2.7, -1.3, -0.6, -0.2, 0.1,   0.3,    0.55,  0.7,  0.95,     1.4,
                              2.2,  3.9,  6.4,  -29.7, -8.6, 8.6, -0.999, 0.001, 0.999, 0.999999, 1e-6};
  dlt_gsl_install();
  for (int i = 0; i < dlt_nmathfns; i++) {
    const MathFn *f = &dlt_mathfns[i];
    int checked = 0;
    for (size_t j = 0; j < sizeof xs / sizeof xs[0]; j++) {
      double x = xs[j], h = 2 * step(x);
      /* skip points where the stencil leaves the domain or crosses a pole */
      if (!isfinite(f->f(x - h)) || !isfinite(f->f(x + h)) || !isfinite(f->df(x - h)) || !isfinite(f->df(x + h)))
        continue;
      double n1 = extrapolated_difference(f->f, x), n2 = extrapolated_difference(f->df, x);
      double r1 = fabs(f->df(x) - n1) / fmax(1, fabs(n1));
      double r2 = fabs(f->d2f(x) - n2) / fmax(1, fabs(n2));
      ck_assert_msg(r1 < 1e-5, "%s'(%g) = %.17g, differences give %.17g", f->name, x, f->df(x), n1);
      ck_assert_msg(r2 < 1e-5, "%s''(%g) = %.17g, differences give %.17g", f->name, x, f->d2f(x), n2);
      checked++;
    }
    ck_assert_msg(checked > 0, "%s: no point of its domain was checked", f->name);
  }
}
END_TEST

/* exp (src/lib/vexp.c): every kernel this machine runs gives the same bits as the one-number
 * reference, whatever the block length and alignment, NaN, ±inf, ±0 and the ends of the range
 * included; and the results are within 0.56 ulp of e^x (computed in long double, whose 64-bit
 * significand leaves an error of 2^-11 ulp) where they are normal numbers, 0.75 ulp where they are
 * subnormal (rounded twice), and 0 or inf exactly where e^x underflows or overflows. */
static double exp_error_ulp(double x, double y) {
  long double t = expl((long double)x);
  if (isnan(x)) return isnan(y) ? 0 : INFINITY;
  if (t > 0x1.fffffffffffffp+1023L + 0x1p970L) return isinf(y) ? 0 : INFINITY; /* rounds to inf */
  if (t < 0x1p-1075L) return y == 0 ? 0 : INFINITY;
  double ulp = t < 0x1p-1022L ? 0x1p-1074 : ldexp(1.0, ilogb((double)t) - 52);
  return (double)(fabsl((long double)y - t) / ulp);
}

START_TEST(exp_kernels_agree_and_are_accurate) {
  enum { N = 200000 }; /* 20 000 under valgrind */
  static double x[N], ref[N], y[N];
  unsigned long long state = 88172645463325252ULL; /* xorshift: the same arguments every run */
  for (int i = 0; i < N; i++) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    double u = (double)(state >> 11) * 0x1p-53;
    x[i] = i % 4 == 0 ? -760 + 1480 * u : i % 4 == 1 ? (u - 0.5) * 100 : i % 4 == 2 ? ldexp(u - 0.5, (int)(state % 1100) - 1075) : (u - 0.5) * 1.4;
  }
  static const double special[] = {NAN, -NAN, INFINITY, -INFINITY, 0.0, -0.0, 709.78, 709.79, -708.39, -708.4,
                                   -745.13, -745.14, -745.2, 1e-300, 0x1p-1074, 0.5 * M_LN2 / 16, -0.5 * M_LN2 / 16};
  memcpy(x, special, sizeof special);
  const char *wrapper = getenv("DLT_WRAPPER");
  bool valgrind = wrapper && strstr(wrapper, "valgrind");
  int n = valgrind ? N / 10 : N;
  DltExpKernel *scalar = dlt_exp_kernel("scalar");
  ck_assert_ptr_nonnull(scalar);
  scalar(x, ref, (size_t)n);
  double worst_normal = 0, worst_subnormal = 0;
  for (int i = 0; i < n; i++) {
    double e = exp_error_ulp(x[i], ref[i]);
    ck_assert_msg(isfinite(e), "exp(%.17g) = %.17g: should be 0, inf or nan", x[i], ref[i]);
    if (fabs(ref[i]) >= 0x1p-1022) worst_normal = fmax(worst_normal, e);
    else worst_subnormal = fmax(worst_subnormal, e);
  }
  /* valgrind computes long double in double precision: expl is no reference there */
  if (!valgrind) {
    ck_assert_msg(worst_normal < 0.56, "normal results: %.4f ulp", worst_normal);
    ck_assert_msg(worst_subnormal < 0.75, "subnormal results: %.4f ulp", worst_subnormal);
  }
  static const char *const names[] = {"avx2", "avx512"};
  for (int k = 0; k < 2; k++) {
    DltExpKernel *f = dlt_exp_kernel(names[k]);
    if (!f) continue; /* not on this machine (nor under valgrind, which has no AVX-512) */
    for (int len = 1; len <= 17; len++) /* every tail length, at odd offsets */
      for (int off = 0; off < 3; off++) {
        memset(y, 0, sizeof(double) * (size_t)(len + off));
        f(x + off, y + off, (size_t)len);
        ck_assert_msg(memcmp(y + off, ref + off, sizeof(double) * (size_t)len) == 0, "%s kernel, %d numbers at %d", names[k], len, off);
      }
    f(x, y, (size_t)n);
    for (int i = 0; i < n; i++)
      ck_assert_msg(memcmp(&y[i], &ref[i], sizeof y[i]) == 0, "%s kernel: exp(%.17g) = %.17g, the reference %.17g", names[k], x[i], y[i], ref[i]);
  }
  ck_assert(dlt_exp_kernel("no such kernel") == NULL);
}
END_TEST

Suite *mathfn_suite(void) {
  Suite *s = suite_create("mathfn");
  TCase *tc = tcase_create("derivatives");
  tcase_add_test(tc, derivatives_match_differences);
  tcase_add_test(tc, exp_kernels_agree_and_are_accurate);
  suite_add_tcase(s, tc);
  return s;
}
