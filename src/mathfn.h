/* mathfn.h - the elementwise scalar functions (exp, sin, tanh, ...) with their derivatives.
 *
 * One table drives three things: the builtins that apply a function to a number or to a whole
 * matrix in C, their help strings, and the ExtClass.math1 hook through which domain types (the
 * forward-mode dual numbers of the networks issue) see the function and its derivatives. */
#ifndef DLT_MATHFN_H
#define DLT_MATHFN_H

#include "value.h"

typedef struct MathFn {
  const char *name;
  double (*f)(double);
  double (*df)(double);  /* f' */
  double (*d2f)(double); /* f'' */
  const char *help;
} MathFn;

extern const MathFn dlt_mathfns[];
extern const int dlt_nmathfns;
const MathFn *mathfn_find(const char *name);

/* e^x (lib/vexp.c): vectorised over arrays, and the same value for a single number, so that
 * exp(A)[i] == exp(A[i]) always. At most 0.56 ulp from the exact value for normal results. */
void dlt_exp_array(const double *x, double *y, size_t n);
double dlt_exp(double x);
/* exp's kernels (src/lib/vexp.c), for the tests: "avx512", "avx2" or "scalar"; NULL when this
 * machine cannot run the one named. They compute the same bits. */
typedef void DltExpKernel(const double *x, double *y, size_t n);
DltExpKernel *dlt_exp_kernel(const char *name);

/* f applied to a number, a matrix (elementwise, in C) or a domain value via its math1 hook. */
Value mathfn_apply(Interp *I, const MathFn *fn, Value x, const Span *where);

#endif
