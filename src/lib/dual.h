/* lib/dual.h - forward-mode dual numbers of order 2, so networks differentiate user-defined
 * activations exactly (issue 5): a DLT function called on a dual number x + ε (with ε carrying
 * first and second derivative parts) returns f(x), f'(x) and f''(x) at once.
 *
 * The dual type is an OBJ_EXT value (type() "dual") whose ExtClass implements arithmetic with
 * numbers and duals (binop/unop), the elementwise maths through MathFn's f, f', f'' (math1), and
 * comparisons on the value part (so `if x > 0 { x } else { 0 }` and max(x, 0) work). */
#ifndef DLT_LIB_DUAL_H
#define DLT_LIB_DUAL_H

#include <stdbool.h>

#include "../builtin.h"

/* Evaluate fn at x with derivatives: *f = fn(x), *df = fn'(x), *d2f = fn''(x) (either derivative
 * pointer may be NULL). Returns false after raising a located error (fn raised one, or returned
 * something that is neither a number nor a dual). A function that ignores its argument has zero
 * derivatives. */
bool dual_eval(Args *a, Value fn, double x, double *f, double *df, double *d2f);

#endif
