/* lib/vexp.c - exp over whole arrays, vectorised, and the same exp for single numbers.
 *
 * exp(A) on a 1000×1000 matrix called glibc's scalar exp once per entry: 4.4× NumPy's time, whose
 * exp is an AVX-512 vector routine (bench/README.md). This file computes exp in three kernels, one
 * chosen at run time: AVX-512 (8 lanes), AVX2 with FMA (4 lanes), and one number at a time with
 * C's fma() for any other machine. All three do the same operations in the same order, each fused
 * multiply-add rounded once (fma() is correctly rounded in software too), so they give the same
 * bits: exp(A)[i] is exactly exp(A[i]), and a transcript does not depend on the processor.
 *
 * The algorithm (the shape of NumPy's AVX-512 exp, with a longer polynomial):
 *   n = round(16 x / ln 2), by adding and subtracting 1.5 * 2^52; x = (16 k + j) ln 2 / 16 + r
 *       with j = n mod 16 and |r| <= ln 2 / 32;
 *   r = x - n ln 2 / 16, with ln 2 / 16 in two parts (Cody and Waite): n l1 is exact (l1 has 33
 *       bits, |n| < 2^15) and so is its subtraction; the second step rounds once;
 *   e^r - 1 = r + r^2 q(r), q the Taylor series to r^7/7! (the first term left out is below 2^-59
 *       for |r| <= ln 2 / 32), by Estrin's scheme;
 *   2^(j/16) from a table of 16 entries as hi + lo, and 2^(j/16) e^r = hi + (hi p + lo);
 *   × 2^k rounded once (vscalefpd; elsewhere scalbn, or 2^k1 2^k2 with y 2^k1 exact), so the
 *       subnormal results are right too.
 * Inputs are clamped to [-745.2, 709.8], where exp is 0 or overflows; NaN goes through as NaN.
 * Measured against long double expl on 4·10^6 arguments over [-760, 720] and around 0: at most
 * 0.556 ulp for normal results (glibc's exp: 0.51); subnormal results are rounded twice, up to
 * 0.75 ulp of the smallest step. It differs from glibc in the last bit for 0.7% of the arguments.
 * tests/unit/check_mathfn.c checks the error bound and that the kernels agree. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../mathfn.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define VEXP_X86 1
#include <immintrin.h>
#endif

/* 2^(j/16) for j = 0..15 as hi + lo: hi rounded to nearest, lo the rest (printed from 60-digit
 * decimal arithmetic). */
static const double exp2_hi[16] = {
    0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
    0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0,
    0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
    0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0};
static const double exp2_lo[16] = {
    0x0.0p+0, 0x1.8a62e4adc610bp-54, -0x1.19041b9d78a76p-55, 0x1.9b07eb6c70573p-54,
    0x1.6f46ad23182e4p-55, 0x1.ada0911f09ebcp-55, 0x1.d4397afec42e2p-56, 0x1.6324c054647adp-54,
    -0x1.bdd3413b26456p-54, -0x1.41577ee04992fp-55, 0x1.6e9f156864b27p-54, 0x1.c7c46b071f2bep-56,
    0x1.7a1cd345dcc81p-54, 0x1.11065895048ddp-55, 0x1.2ed02d75b3707p-55, -0x1.e9c23179c2893p-54};

#define LO_LIM (-745.2)
#define HI_LIM 709.8
#define SIXTEEN_LOG2E 0x1.71547652b82fep+4
#define SHIFTER 0x1.8p52
#define L1 0x1.62e42fee00000p-5 /* ln 2 / 16 = L1 + L2 */
#define L2 0x1.a39ef35793c76p-37
#define C2 (1.0 / 2.0)
#define C3 (1.0 / 6.0)
#define C4 (1.0 / 24.0)
#define C5 (1.0 / 120.0)
#define C6 (1.0 / 720.0)
#define C7 (1.0 / 5040.0)

/* ------------------------------------------------------------------ one number at a time */
/* The reference the vector kernels follow step by step. */
static double exp_one(double x) {
  double xc = x < LO_LIM ? LO_LIM : x > HI_LIM ? HI_LIM : x; /* NaN compares false: stays */
  double z = fma(xc, SIXTEEN_LOG2E, SHIFTER);
  double n = z - SHIFTER;
  uint64_t zbits;
  memcpy(&zbits, &z, sizeof zbits);
  int j = (int)(zbits & 15);
  double r = fma(n, -L1, xc); /* n (-L1), not (-n) L1: a NaN keeps its sign, as in the vectors */
  r = fma(n, -L2, r);
  double r2 = r * r, r4 = r2 * r2;
  double a = fma(r, C3, C2), b = fma(r, C5, C4), c = fma(r, C7, C6);
  double q = fma(r4, c, fma(r2, b, a));
  double p = fma(r2, q, r);
  double y = exp2_hi[j] + fma(exp2_hi[j], p, exp2_lo[j]);
  if (isnan(n)) return y;
  return scalbn(y, (int)floor(n * (1.0 / 16.0))); /* rounded once, as vscalefpd */
}

static void exp_array_scalar(const double *restrict x, double *restrict y, size_t n) {
  for (size_t i = 0; i < n; i++) y[i] = exp_one(x[i]);
}

#ifdef VEXP_X86
/* ------------------------------------------------------------------ AVX-512: 8 lanes */
/* vmaxpd/vminpd return their second operand when one is NaN, so NaN stays; vpermt2pd reads only
 * the low 4 bits of each index, so z's bits index the table as they are; vscalefpd multiplies by
 * 2^floor(n/16) with one rounding. Tail lanes are masked. */
__attribute__((target("avx512f"))) static void exp_array_avx512(const double *restrict x, double *restrict y, size_t n) {
  const __m512d lo_lim = _mm512_set1_pd(LO_LIM), hi_lim = _mm512_set1_pd(HI_LIM);
  const __m512d sixteen_log2e = _mm512_set1_pd(SIXTEEN_LOG2E), shifter = _mm512_set1_pd(SHIFTER);
  const __m512d minus_l1 = _mm512_set1_pd(-L1), minus_l2 = _mm512_set1_pd(-L2);
  const __m512d c2 = _mm512_set1_pd(C2), c3 = _mm512_set1_pd(C3), c4 = _mm512_set1_pd(C4);
  const __m512d c5 = _mm512_set1_pd(C5), c6 = _mm512_set1_pd(C6), c7 = _mm512_set1_pd(C7);
  const __m512d sixteenth = _mm512_set1_pd(1.0 / 16.0);
  const __m512d hi0 = _mm512_loadu_pd(exp2_hi), hi1 = _mm512_loadu_pd(exp2_hi + 8);
  const __m512d lo0 = _mm512_loadu_pd(exp2_lo), lo1 = _mm512_loadu_pd(exp2_lo + 8);
  for (size_t i = 0; i < n; i += 8) {
    __mmask8 lanes = n - i >= 8 ? 0xFF : (__mmask8)((1u << (n - i)) - 1);
    __m512d xc = _mm512_min_pd(hi_lim, _mm512_max_pd(lo_lim, _mm512_maskz_loadu_pd(lanes, x + i)));
    __m512d z = _mm512_fmadd_pd(xc, sixteen_log2e, shifter);
    __m512d nd = _mm512_sub_pd(z, shifter);
    __m512i j = _mm512_castpd_si512(z);
    __m512d r = _mm512_fmadd_pd(nd, minus_l2, _mm512_fmadd_pd(nd, minus_l1, xc));
    __m512d r2 = _mm512_mul_pd(r, r), r4 = _mm512_mul_pd(r2, r2);
    __m512d a = _mm512_fmadd_pd(r, c3, c2), b = _mm512_fmadd_pd(r, c5, c4), c = _mm512_fmadd_pd(r, c7, c6);
    __m512d q = _mm512_fmadd_pd(r4, c, _mm512_fmadd_pd(r2, b, a));
    __m512d p = _mm512_fmadd_pd(r2, q, r);
    __m512d hi = _mm512_permutex2var_pd(hi0, j, hi1), lo = _mm512_permutex2var_pd(lo0, j, lo1);
    __m512d yv = _mm512_add_pd(hi, _mm512_fmadd_pd(hi, p, lo));
    _mm512_mask_storeu_pd(y + i, lanes, _mm512_scalef_pd(yv, _mm512_mul_pd(nd, sixteenth)));
  }
}

/* ------------------------------------------------------------------ AVX2 and FMA: 4 lanes */
/* The clamp by compare-and-blend (vmaxpd would lose NaN here: the operands are the other way
 * round), the table by gathers, and 2^k as 2^k1 2^k2, each a normal power of two built in the
 * exponent bits (k1 + 1023 in the low bits of k1 + 1023 + 1.5 * 2^52, shifted by 52): y 2^k1 is
 * exact, so the product is rounded once, as scalbn and vscalefpd round it. */
__attribute__((target("avx2,fma"))) static void exp_block_avx2(const double *restrict x, double *restrict y) {
  const __m256d lo_lim = _mm256_set1_pd(LO_LIM), hi_lim = _mm256_set1_pd(HI_LIM);
  const __m256d shifter = _mm256_set1_pd(SHIFTER);
  __m256d xv = _mm256_loadu_pd(x);
  __m256d xc = _mm256_blendv_pd(xv, lo_lim, _mm256_cmp_pd(xv, lo_lim, _CMP_LT_OQ));
  xc = _mm256_blendv_pd(xc, hi_lim, _mm256_cmp_pd(xc, hi_lim, _CMP_GT_OQ));
  __m256d z = _mm256_fmadd_pd(xc, _mm256_set1_pd(SIXTEEN_LOG2E), shifter);
  __m256d nd = _mm256_sub_pd(z, shifter);
  __m256i j = _mm256_and_si256(_mm256_castpd_si256(z), _mm256_set1_epi64x(15));
  __m256d r = _mm256_fmadd_pd(nd, _mm256_set1_pd(-L2), _mm256_fmadd_pd(nd, _mm256_set1_pd(-L1), xc));
  __m256d r2 = _mm256_mul_pd(r, r), r4 = _mm256_mul_pd(r2, r2);
  __m256d a = _mm256_fmadd_pd(r, _mm256_set1_pd(C3), _mm256_set1_pd(C2));
  __m256d b = _mm256_fmadd_pd(r, _mm256_set1_pd(C5), _mm256_set1_pd(C4));
  __m256d c = _mm256_fmadd_pd(r, _mm256_set1_pd(C7), _mm256_set1_pd(C6));
  __m256d q = _mm256_fmadd_pd(r4, c, _mm256_fmadd_pd(r2, b, a));
  __m256d p = _mm256_fmadd_pd(r2, q, r);
  __m256d hi = _mm256_i64gather_pd(exp2_hi, j, 8), lo = _mm256_i64gather_pd(exp2_lo, j, 8);
  __m256d yv = _mm256_add_pd(hi, _mm256_fmadd_pd(hi, p, lo));
  __m256d k = _mm256_floor_pd(_mm256_mul_pd(nd, _mm256_set1_pd(1.0 / 16.0)));
  __m256d k1 = _mm256_floor_pd(_mm256_mul_pd(k, _mm256_set1_pd(0.5))), k2 = _mm256_sub_pd(k, k1);
  const __m256d bias = _mm256_set1_pd(SHIFTER + 1023.0);
  __m256d s1 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_castpd_si256(_mm256_add_pd(k1, bias)), 52));
  __m256d s2 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_castpd_si256(_mm256_add_pd(k2, bias)), 52));
  _mm256_storeu_pd(y, _mm256_mul_pd(_mm256_mul_pd(yv, s1), s2));
}

__attribute__((target("avx2,fma"))) static void exp_array_avx2(const double *restrict x, double *restrict y, size_t n) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) exp_block_avx2(x + i, y + i);
  if (i < n) { /* the last few through the same code, padded */
    double in[4] = {0, 0, 0, 0}, out[4];
    memcpy(in, x + i, (n - i) * sizeof(double));
    exp_block_avx2(in, out);
    memcpy(y + i, out, (n - i) * sizeof(double));
  }
}
#endif

/* ------------------------------------------------------------------ the choice */
/* The kernel called name ("avx512", "avx2", "scalar"), or NULL if this machine cannot run it. */
DltExpKernel *dlt_exp_kernel(const char *name) {
#ifdef VEXP_X86
  __builtin_cpu_init();
  if (strcmp(name, "avx512") == 0) return __builtin_cpu_supports("avx512f") ? exp_array_avx512 : NULL;
  if (strcmp(name, "avx2") == 0)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? exp_array_avx2 : NULL;
#endif
  return strcmp(name, "scalar") == 0 ? exp_array_scalar : NULL;
}

static DltExpKernel *kernel;

/* The fastest this machine runs; DLT_EXP_KERNEL=avx2|scalar asks for a slower one (all give the
 * same bits, so this only matters for timing). */
static DltExpKernel *choose_kernel(void) {
  const char *force = getenv("DLT_EXP_KERNEL");
  DltExpKernel *k = force ? dlt_exp_kernel(force) : NULL;
  if (!k) k = dlt_exp_kernel("avx512");
  if (!k) k = dlt_exp_kernel("avx2");
  return k ? k : exp_array_scalar;
}

void dlt_exp_array(const double *restrict x, double *restrict y, size_t n) {
  if (!kernel) kernel = choose_kernel(); /* a data race only ever writes the same pointer */
  kernel(x, y, n);
}

double dlt_exp(double x) {
  double y;
  dlt_exp_array(&x, &y, 1);
  return y;
}
