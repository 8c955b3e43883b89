/* lib/vexp.c - exp over whole arrays, vectorised, and the same exp for single numbers.
 *
 * exp(A) on a 1000×1000 matrix called glibc's scalar exp once per entry: 4.4× NumPy's time, whose
 * exp is an AVX-512 vector routine (bench/README.md). This is an exp written on GCC's generic
 * vectors of 8 doubles, compiled for AVX-512, AVX2 and baseline SSE2 (target_clones, as the
 * elementwise kernels in arith.c), so the loop runs 8 entries per step with no calls and no
 * branches.
 *
 * The algorithm: n = round(x / ln 2); r = x - n ln 2 with ln 2 in two parts (Cody and Waite), plus
 * the rounding error of that subtraction; e^r = 1 + r + r²/2 + r³ q(r) with q the Taylor series to
 * r^13/13! (truncation below 5e-18 for |r| ≤ ln 2 / 2), the first terms summed with their rounding
 * errors carried; then 2^n as two powers of two built in the exponent bits (so 2^n with n = -1075
 * still gives the subnormal results, rounded once). Inputs are clamped to [-745.2, 709.8], where
 * exp is 0 or overflows; NaN goes through as NaN. Measured against long double expl on 4·10^6
 * arguments spread over [-745, 745]: at most 0.565 ulp (glibc's exp: 0.51), and the two differ in
 * the last bit for 0.45% of the arguments.
 *
 * The single-number exp (the `exp` builtin, and its derivatives for dual numbers) runs the same
 * vector code on a padded block, so exp(A)[i] is exactly exp(A[i]) on every machine: this file is
 * compiled with -ffp-contract=off (Makefile.am), so no clone fuses a multiply and an add and the
 * three clones compute bit-for-bit the same values. */
#include <stdint.h>
#include <string.h>

#include "../mathfn.h"

#if defined(__x86_64__) && defined(__GLIBC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define VEXP_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef VEXP_CLONES
#define VEXP_CLONES
#endif
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi" /* 64-byte vectors passed between inlined functions */
#endif

enum { W = 8 };
typedef double vd __attribute__((vector_size(W * sizeof(double))));
typedef int64_t vi __attribute__((vector_size(W * sizeof(double))));
typedef uint64_t vu __attribute__((vector_size(W * sizeof(double))));

/* Vectors go in and out of these helpers by pointer or as macros, never as arguments or results:
 * clang refuses a 64-byte vector argument in the SSE2 and AVX2 clones ("changes the ABI") even in
 * a function that is always inlined. */
#define as_vd(u) ((vd)(u))
#define as_vu(d) ((vu)(d))

static inline __attribute__((always_inline)) void vexp(vd *inout) {
  const vd x = *inout;
  const vd zero = {0};
  const vd log2e = zero + 0x1.71547652b82fep0, shifter = zero + 0x1.8p52;
  const vd ln2hi = zero + 0x1.62e42fee00000p-1, ln2lo = zero + 0x1.a39ef35793c76p-33;
  const vd lo_lim = zero - 745.2, hi_lim = zero + 709.8;
  /* x clamped to [lo_lim, hi_lim] by masks; a NaN compares false both ways and stays */
  vu below = (vu)(x < lo_lim), above = (vu)(x > hi_lim);
  vd xc = as_vd((as_vu(x) & ~(below | above)) | (as_vu(lo_lim) & below) | (as_vu(hi_lim) & above));
  /* n = round(x / ln 2), by adding and subtracting 1.5 * 2^52 */
  vd n = (xc * log2e + shifter) - shifter;
  /* r + rerr = x - n ln 2: n ln2hi is exact and so is its subtraction (|n| ≤ 1075) */
  vd t = xc - n * ln2hi, m = n * ln2lo;
  vd r = t - m, rerr = (t - r) - m;
  /* e^r = (1 + r) + r²/2 + r³ q(r), the first sums with their rounding errors */
  vd hi = 1.0 + r, lo = (1.0 - hi) + r;
  vd r2 = r * r, h2 = 0.5 * r2;
  vd s = hi + h2, serr = (hi - s) + h2;
  vd q = zero + 1.0 / 6227020800.0;
  q = q * r + 1.0 / 479001600.0;
  q = q * r + 1.0 / 39916800.0;
  q = q * r + 1.0 / 3628800.0;
  q = q * r + 1.0 / 362880.0;
  q = q * r + 1.0 / 40320.0;
  q = q * r + 1.0 / 5040.0;
  q = q * r + 1.0 / 720.0;
  q = q * r + 1.0 / 120.0;
  q = q * r + 1.0 / 24.0;
  q = q * r + 1.0 / 6.0;
  vd y = s + ((lo + serr) + (r2 * r * q + rerr * (1.0 + r)));
  /* × 2^n as 2^n1 × 2^n2, each a normal power of two: n_i + 1023 sits in the low bits of
   * n_i + 1023 + 1.5 * 2^52, and a shift by 52 moves it into the exponent field */
  vd n1 = (n * 0.5 + shifter) - shifter, n2 = n - n1;
  vd s1 = as_vd(as_vu(n1 + (shifter + 1023.0)) << 52), s2 = as_vd(as_vu(n2 + (shifter + 1023.0)) << 52);
  *inout = y * s1 * s2;
}

/* The clones are static and reached through dlt_exp_array: clang resolves target_clones only for
 * callers in the same file (GCC exports the resolver under the plain name). */
VEXP_CLONES static void exp_array(const double *restrict x, double *restrict y, size_t n) {
  size_t i = 0;
  for (; i + W <= n; i += W) {
    vd v;
    memcpy(&v, x + i, sizeof v);
    vexp(&v);
    memcpy(y + i, &v, sizeof v);
  }
  if (i < n) { /* the last few entries through the same code, padded */
    vd v = {0};
    memcpy(&v, x + i, (n - i) * sizeof(double));
    vexp(&v);
    memcpy(y + i, &v, (n - i) * sizeof(double));
  }
}

void dlt_exp_array(const double *restrict x, double *restrict y, size_t n) {
  exp_array(x, y, n);
}

double dlt_exp(double x) {
  double y;
  dlt_exp_array(&x, &y, 1);
  return y;
}
