/* check_mathfn.c - the derivatives in the elementwise maths table (src/lib/math.c).
 *
 * Networks differentiate user-defined activations through MathFn.df and .d2f (dual numbers), so a
 * wrong derivative there is a silently wrong gradient. Each f' is compared with a Richardson-
 * extrapolated central difference of f, and each f'' with the same difference of f', at points
 * spread over the domains (tails, near 0, near ±1 for the inverse trigonometric functions). The
 * extrapolated difference has error O(h^4) plus rounding of order eps/h ≈ 1e-12 at h = 1e-4, so
 * 1e-5 relative separates a correct derivative from a wrong one with a wide margin. */
#include <math.h>

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

Suite *mathfn_suite(void) {
  Suite *s = suite_create("mathfn");
  TCase *tc = tcase_create("derivatives");
  tcase_add_test(tc, derivatives_match_differences);
  suite_add_tcase(s, tc);
  return s;
}
