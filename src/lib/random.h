/* lib/random.h - the random stream a builtin draws from, shared by every module that samples
 * (random, calculus's Monte Carlo, and later measures, networks and sweeps). */
#ifndef DLT_LIB_RANDOM_H
#define DLT_LIB_RANDOM_H

#include <stdbool.h>
#include <gsl/gsl_rng.h>

#include "../builtin.h"

/* The stream for this call: the interpreter's global mt19937 (set by `seed N`), or, when the call
 * has seed=N, a private mt19937 seeded with N that the caller must release with args_rng_done().
 * Returns NULL after raising a located error (seed= not an integer in [0, 2^32 - 1], or out of
 * memory). The builtin must list "seed" among its keyword arguments. */
gsl_rng *args_rng(Args *a);
void args_rng_done(Args *a, gsl_rng *rng);

/* The conditions distribution parameters must meet (shared by rand_* and the measure families,
 * so both reject the same values with the same words). */
typedef enum { PARAM_ANY, PARAM_POSITIVE, PARAM_NONNEG, PARAM_UNIT } ParamCond;
/* NULL when x satisfies cond, else what it must be ("positive", "between 0 and 1", ...). */
const char *param_cond_fails(ParamCond cond, double x);

/* A covariance for a d-dimensional normal (rand_mvnormal, the normal measure) must be d×d, finite
 * and symmetric up to rounding (1e-12 of its largest entry). False with the reason in why. */
bool cov_acceptable(const Mat *cov, size_t d, char *why, size_t len);

#endif
