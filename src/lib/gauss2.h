/* lib/gauss2.h - Gaussian expectations of activations over a centred bivariate normal, the
 * building block of every infinite-width kernel (issue 6; seed 002 Lecture 5, seed 003 §3.3):
 *
 *     (u, v) ~ N(0, [[a, c], [c, b]]):   E[σ(u) σ(v)],   E[σ'(u) σ'(v)],   E[σ(u)²] ...
 *
 * Closed forms (exact) for relu, step, relu_pow with whole k (arc-cosine kernels J_n), erf,
 * identity, leaky_relu and abs; Gauss–Hermite quadrature of a chosen order on the 2×2 Cholesky
 * factor for the smooth others (tanh, sigmoid, softplus, gelu, sin, cos, relu_pow with
 * fractional k) and user activations. Kinked activations never go through quadrature. */
#ifndef DLT_LIB_GAUSS2_H
#define DLT_LIB_GAUSS2_H

#include <stdbool.h>

#include "net.h"

typedef struct Gauss2 {
  double ss;   /* E[σ(u) σ(v)] */
  double dd;   /* E[σ'(u) σ'(v)] */
} Gauss2;

/* Both expectations for covariance [[a, c], [c, b]] (a, b >= 0, c² <= ab up to rounding, which
 * is clamped). order: the Gauss–Hermite order per dimension for kinds without a closed form
 * (ignored otherwise). False after a located error (a user activation failing). */
bool gauss2(Args *a, const Activation *act, double va, double vb, double c, int order, Gauss2 *out);

/* Whether act has closed forms (then order is irrelevant). */
bool gauss2_exact(const Activation *act);

#endif
