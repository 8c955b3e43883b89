/* blas_forward.c - written by scripts/gen-blas-forward from gsl_cblas.h; do not edit.
 * Every CBLAS function GSL may call, and the LAPACK routines dlt calls, forwarding to OpenBLAS
 * opened on first use (src/blas_lazy.c). */
#include "config.h"

#ifdef DLT_OPENBLAS_SONAME
#include <stddef.h>

#include <gsl/gsl_cblas.h>

#include "blas_lazy.h"

float cblas_sdsdot(const int N, const float alpha, const float *X, const int incX, const float *Y, const int incY) {
  static __typeof__(&cblas_sdsdot) f;
  if (!f) f = (__typeof__(&cblas_sdsdot))blas_function("cblas_sdsdot");
  return f(N, alpha, X, incX, Y, incY);
}
double cblas_dsdot(const int N, const float *X, const int incX, const float *Y, const int incY) {
  static __typeof__(&cblas_dsdot) f;
  if (!f) f = (__typeof__(&cblas_dsdot))blas_function("cblas_dsdot");
  return f(N, X, incX, Y, incY);
}
float cblas_sdot(const int N, const float *X, const int incX, const float *Y, const int incY) {
  static __typeof__(&cblas_sdot) f;
  if (!f) f = (__typeof__(&cblas_sdot))blas_function("cblas_sdot");
  return f(N, X, incX, Y, incY);
}
double cblas_ddot(const int N, const double *X, const int incX, const double *Y, const int incY) {
  static __typeof__(&cblas_ddot) f;
  if (!f) f = (__typeof__(&cblas_ddot))blas_function("cblas_ddot");
  return f(N, X, incX, Y, incY);
}
void cblas_cdotu_sub(const int N, const void *X, const int incX, const void *Y, const int incY, void *dotu) {
  static __typeof__(&cblas_cdotu_sub) f;
  if (!f) f = (__typeof__(&cblas_cdotu_sub))blas_function("cblas_cdotu_sub");
  f(N, X, incX, Y, incY, dotu);
}
void cblas_cdotc_sub(const int N, const void *X, const int incX, const void *Y, const int incY, void *dotc) {
  static __typeof__(&cblas_cdotc_sub) f;
  if (!f) f = (__typeof__(&cblas_cdotc_sub))blas_function("cblas_cdotc_sub");
  f(N, X, incX, Y, incY, dotc);
}
void cblas_zdotu_sub(const int N, const void *X, const int incX, const void *Y, const int incY, void *dotu) {
  static __typeof__(&cblas_zdotu_sub) f;
  if (!f) f = (__typeof__(&cblas_zdotu_sub))blas_function("cblas_zdotu_sub");
  f(N, X, incX, Y, incY, dotu);
}
void cblas_zdotc_sub(const int N, const void *X, const int incX, const void *Y, const int incY, void *dotc) {
  static __typeof__(&cblas_zdotc_sub) f;
  if (!f) f = (__typeof__(&cblas_zdotc_sub))blas_function("cblas_zdotc_sub");
  f(N, X, incX, Y, incY, dotc);
}
float cblas_snrm2(const int N, const float *X, const int incX) {
  static __typeof__(&cblas_snrm2) f;
  if (!f) f = (__typeof__(&cblas_snrm2))blas_function("cblas_snrm2");
  return f(N, X, incX);
}
float cblas_sasum(const int N, const float *X, const int incX) {
  static __typeof__(&cblas_sasum) f;
  if (!f) f = (__typeof__(&cblas_sasum))blas_function("cblas_sasum");
  return f(N, X, incX);
}
double cblas_dnrm2(const int N, const double *X, const int incX) {
  static __typeof__(&cblas_dnrm2) f;
  if (!f) f = (__typeof__(&cblas_dnrm2))blas_function("cblas_dnrm2");
  return f(N, X, incX);
}
double cblas_dasum(const int N, const double *X, const int incX) {
  static __typeof__(&cblas_dasum) f;
  if (!f) f = (__typeof__(&cblas_dasum))blas_function("cblas_dasum");
  return f(N, X, incX);
}
float cblas_scnrm2(const int N, const void *X, const int incX) {
  static __typeof__(&cblas_scnrm2) f;
  if (!f) f = (__typeof__(&cblas_scnrm2))blas_function("cblas_scnrm2");
  return f(N, X, incX);
}
float cblas_scasum(const int N, const void *X, const int incX) {
  static __typeof__(&cblas_scasum) f;
  if (!f) f = (__typeof__(&cblas_scasum))blas_function("cblas_scasum");
  return f(N, X, incX);
}
double cblas_dznrm2(const int N, const void *X, const int incX) {
  static __typeof__(&cblas_dznrm2) f;
  if (!f) f = (__typeof__(&cblas_dznrm2))blas_function("cblas_dznrm2");
  return f(N, X, incX);
}
double cblas_dzasum(const int N, const void *X, const int incX) {
  static __typeof__(&cblas_dzasum) f;
  if (!f) f = (__typeof__(&cblas_dzasum))blas_function("cblas_dzasum");
  return f(N, X, incX);
}
size_t cblas_isamax(const int N, const float *X, const int incX) {
  static __typeof__(&cblas_isamax) f;
  if (!f) f = (__typeof__(&cblas_isamax))blas_function("cblas_isamax");
  return f(N, X, incX);
}
size_t cblas_idamax(const int N, const double *X, const int incX) {
  static __typeof__(&cblas_idamax) f;
  if (!f) f = (__typeof__(&cblas_idamax))blas_function("cblas_idamax");
  return f(N, X, incX);
}
size_t cblas_icamax(const int N, const void *X, const int incX) {
  static __typeof__(&cblas_icamax) f;
  if (!f) f = (__typeof__(&cblas_icamax))blas_function("cblas_icamax");
  return f(N, X, incX);
}
size_t cblas_izamax(const int N, const void *X, const int incX) {
  static __typeof__(&cblas_izamax) f;
  if (!f) f = (__typeof__(&cblas_izamax))blas_function("cblas_izamax");
  return f(N, X, incX);
}
void cblas_sswap(const int N, float *X, const int incX, float *Y, const int incY) {
  static __typeof__(&cblas_sswap) f;
  if (!f) f = (__typeof__(&cblas_sswap))blas_function("cblas_sswap");
  f(N, X, incX, Y, incY);
}
void cblas_scopy(const int N, const float *X, const int incX, float *Y, const int incY) {
  static __typeof__(&cblas_scopy) f;
  if (!f) f = (__typeof__(&cblas_scopy))blas_function("cblas_scopy");
  f(N, X, incX, Y, incY);
}
void cblas_saxpy(const int N, const float alpha, const float *X, const int incX, float *Y, const int incY) {
  static __typeof__(&cblas_saxpy) f;
  if (!f) f = (__typeof__(&cblas_saxpy))blas_function("cblas_saxpy");
  f(N, alpha, X, incX, Y, incY);
}
void cblas_dswap(const int N, double *X, const int incX, double *Y, const int incY) {
  static __typeof__(&cblas_dswap) f;
  if (!f) f = (__typeof__(&cblas_dswap))blas_function("cblas_dswap");
  f(N, X, incX, Y, incY);
}
void cblas_dcopy(const int N, const double *X, const int incX, double *Y, const int incY) {
  static __typeof__(&cblas_dcopy) f;
  if (!f) f = (__typeof__(&cblas_dcopy))blas_function("cblas_dcopy");
  f(N, X, incX, Y, incY);
}
void cblas_daxpy(const int N, const double alpha, const double *X, const int incX, double *Y, const int incY) {
  static __typeof__(&cblas_daxpy) f;
  if (!f) f = (__typeof__(&cblas_daxpy))blas_function("cblas_daxpy");
  f(N, alpha, X, incX, Y, incY);
}
void cblas_cswap(const int N, void *X, const int incX, void *Y, const int incY) {
  static __typeof__(&cblas_cswap) f;
  if (!f) f = (__typeof__(&cblas_cswap))blas_function("cblas_cswap");
  f(N, X, incX, Y, incY);
}
void cblas_ccopy(const int N, const void *X, const int incX, void *Y, const int incY) {
  static __typeof__(&cblas_ccopy) f;
  if (!f) f = (__typeof__(&cblas_ccopy))blas_function("cblas_ccopy");
  f(N, X, incX, Y, incY);
}
void cblas_caxpy(const int N, const void *alpha, const void *X, const int incX, void *Y, const int incY) {
  static __typeof__(&cblas_caxpy) f;
  if (!f) f = (__typeof__(&cblas_caxpy))blas_function("cblas_caxpy");
  f(N, alpha, X, incX, Y, incY);
}
void cblas_zswap(const int N, void *X, const int incX, void *Y, const int incY) {
  static __typeof__(&cblas_zswap) f;
  if (!f) f = (__typeof__(&cblas_zswap))blas_function("cblas_zswap");
  f(N, X, incX, Y, incY);
}
void cblas_zcopy(const int N, const void *X, const int incX, void *Y, const int incY) {
  static __typeof__(&cblas_zcopy) f;
  if (!f) f = (__typeof__(&cblas_zcopy))blas_function("cblas_zcopy");
  f(N, X, incX, Y, incY);
}
void cblas_zaxpy(const int N, const void *alpha, const void *X, const int incX, void *Y, const int incY) {
  static __typeof__(&cblas_zaxpy) f;
  if (!f) f = (__typeof__(&cblas_zaxpy))blas_function("cblas_zaxpy");
  f(N, alpha, X, incX, Y, incY);
}
void cblas_srotg(float *a, float *b, float *c, float *s) {
  static __typeof__(&cblas_srotg) f;
  if (!f) f = (__typeof__(&cblas_srotg))blas_function("cblas_srotg");
  f(a, b, c, s);
}
void cblas_srotmg(float *d1, float *d2, float *b1, const float b2, float *P) {
  static __typeof__(&cblas_srotmg) f;
  if (!f) f = (__typeof__(&cblas_srotmg))blas_function("cblas_srotmg");
  f(d1, d2, b1, b2, P);
}
void cblas_srot(const int N, float *X, const int incX, float *Y, const int incY, const float c, const float s) {
  static __typeof__(&cblas_srot) f;
  if (!f) f = (__typeof__(&cblas_srot))blas_function("cblas_srot");
  f(N, X, incX, Y, incY, c, s);
}
void cblas_srotm(const int N, float *X, const int incX, float *Y, const int incY, const float *P) {
  static __typeof__(&cblas_srotm) f;
  if (!f) f = (__typeof__(&cblas_srotm))blas_function("cblas_srotm");
  f(N, X, incX, Y, incY, P);
}
void cblas_drotg(double *a, double *b, double *c, double *s) {
  static __typeof__(&cblas_drotg) f;
  if (!f) f = (__typeof__(&cblas_drotg))blas_function("cblas_drotg");
  f(a, b, c, s);
}
void cblas_drotmg(double *d1, double *d2, double *b1, const double b2, double *P) {
  static __typeof__(&cblas_drotmg) f;
  if (!f) f = (__typeof__(&cblas_drotmg))blas_function("cblas_drotmg");
  f(d1, d2, b1, b2, P);
}
void cblas_drot(const int N, double *X, const int incX, double *Y, const int incY, const double c, const double s) {
  static __typeof__(&cblas_drot) f;
  if (!f) f = (__typeof__(&cblas_drot))blas_function("cblas_drot");
  f(N, X, incX, Y, incY, c, s);
}
void cblas_drotm(const int N, double *X, const int incX, double *Y, const int incY, const double *P) {
  static __typeof__(&cblas_drotm) f;
  if (!f) f = (__typeof__(&cblas_drotm))blas_function("cblas_drotm");
  f(N, X, incX, Y, incY, P);
}
void cblas_sscal(const int N, const float alpha, float *X, const int incX) {
  static __typeof__(&cblas_sscal) f;
  if (!f) f = (__typeof__(&cblas_sscal))blas_function("cblas_sscal");
  f(N, alpha, X, incX);
}
void cblas_dscal(const int N, const double alpha, double *X, const int incX) {
  static __typeof__(&cblas_dscal) f;
  if (!f) f = (__typeof__(&cblas_dscal))blas_function("cblas_dscal");
  f(N, alpha, X, incX);
}
void cblas_cscal(const int N, const void *alpha, void *X, const int incX) {
  static __typeof__(&cblas_cscal) f;
  if (!f) f = (__typeof__(&cblas_cscal))blas_function("cblas_cscal");
  f(N, alpha, X, incX);
}
void cblas_zscal(const int N, const void *alpha, void *X, const int incX) {
  static __typeof__(&cblas_zscal) f;
  if (!f) f = (__typeof__(&cblas_zscal))blas_function("cblas_zscal");
  f(N, alpha, X, incX);
}
void cblas_csscal(const int N, const float alpha, void *X, const int incX) {
  static __typeof__(&cblas_csscal) f;
  if (!f) f = (__typeof__(&cblas_csscal))blas_function("cblas_csscal");
  f(N, alpha, X, incX);
}
void cblas_zdscal(const int N, const double alpha, void *X, const int incX) {
  static __typeof__(&cblas_zdscal) f;
  if (!f) f = (__typeof__(&cblas_zdscal))blas_function("cblas_zdscal");
  f(N, alpha, X, incX);
}
void cblas_sgemv(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE TransA, const int M, const int N, const float alpha, const float *A, const int lda, const float *X, const int incX, const float beta, float *Y, const int incY) {
  static __typeof__(&cblas_sgemv) f;
  if (!f) f = (__typeof__(&cblas_sgemv))blas_function("cblas_sgemv");
  f(order, TransA, M, N, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_sgbmv(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE TransA, const int M, const int N, const int KL, const int KU, const float alpha, const float *A, const int lda, const float *X, const int incX, const float beta, float *Y, const int incY) {
  static __typeof__(&cblas_sgbmv) f;
  if (!f) f = (__typeof__(&cblas_sgbmv))blas_function("cblas_sgbmv");
  f(order, TransA, M, N, KL, KU, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_strmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const float *A, const int lda, float *X, const int incX) {
  static __typeof__(&cblas_strmv) f;
  if (!f) f = (__typeof__(&cblas_strmv))blas_function("cblas_strmv");
  f(order, Uplo, TransA, Diag, N, A, lda, X, incX);
}
void cblas_stbmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const int K, const float *A, const int lda, float *X, const int incX) {
  static __typeof__(&cblas_stbmv) f;
  if (!f) f = (__typeof__(&cblas_stbmv))blas_function("cblas_stbmv");
  f(order, Uplo, TransA, Diag, N, K, A, lda, X, incX);
}
void cblas_stpmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const float *Ap, float *X, const int incX) {
  static __typeof__(&cblas_stpmv) f;
  if (!f) f = (__typeof__(&cblas_stpmv))blas_function("cblas_stpmv");
  f(order, Uplo, TransA, Diag, N, Ap, X, incX);
}
void cblas_strsv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const float *A, const int lda, float *X, const int incX) {
  static __typeof__(&cblas_strsv) f;
  if (!f) f = (__typeof__(&cblas_strsv))blas_function("cblas_strsv");
  f(order, Uplo, TransA, Diag, N, A, lda, X, incX);
}
void cblas_stbsv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const int K, const float *A, const int lda, float *X, const int incX) {
  static __typeof__(&cblas_stbsv) f;
  if (!f) f = (__typeof__(&cblas_stbsv))blas_function("cblas_stbsv");
  f(order, Uplo, TransA, Diag, N, K, A, lda, X, incX);
}
void cblas_stpsv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const float *Ap, float *X, const int incX) {
  static __typeof__(&cblas_stpsv) f;
  if (!f) f = (__typeof__(&cblas_stpsv))blas_function("cblas_stpsv");
  f(order, Uplo, TransA, Diag, N, Ap, X, incX);
}
void cblas_dgemv(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE TransA, const int M, const int N, const double alpha, const double *A, const int lda, const double *X, const int incX, const double beta, double *Y, const int incY) {
  static __typeof__(&cblas_dgemv) f;
  if (!f) f = (__typeof__(&cblas_dgemv))blas_function("cblas_dgemv");
  f(order, TransA, M, N, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_dgbmv(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE TransA, const int M, const int N, const int KL, const int KU, const double alpha, const double *A, const int lda, const double *X, const int incX, const double beta, double *Y, const int incY) {
  static __typeof__(&cblas_dgbmv) f;
  if (!f) f = (__typeof__(&cblas_dgbmv))blas_function("cblas_dgbmv");
  f(order, TransA, M, N, KL, KU, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_dtrmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const double *A, const int lda, double *X, const int incX) {
  static __typeof__(&cblas_dtrmv) f;
  if (!f) f = (__typeof__(&cblas_dtrmv))blas_function("cblas_dtrmv");
  f(order, Uplo, TransA, Diag, N, A, lda, X, incX);
}
void cblas_dtbmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const int K, const double *A, const int lda, double *X, const int incX) {
  static __typeof__(&cblas_dtbmv) f;
  if (!f) f = (__typeof__(&cblas_dtbmv))blas_function("cblas_dtbmv");
  f(order, Uplo, TransA, Diag, N, K, A, lda, X, incX);
}
void cblas_dtpmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const double *Ap, double *X, const int incX) {
  static __typeof__(&cblas_dtpmv) f;
  if (!f) f = (__typeof__(&cblas_dtpmv))blas_function("cblas_dtpmv");
  f(order, Uplo, TransA, Diag, N, Ap, X, incX);
}
void cblas_dtrsv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const double *A, const int lda, double *X, const int incX) {
  static __typeof__(&cblas_dtrsv) f;
  if (!f) f = (__typeof__(&cblas_dtrsv))blas_function("cblas_dtrsv");
  f(order, Uplo, TransA, Diag, N, A, lda, X, incX);
}
void cblas_dtbsv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const int K, const double *A, const int lda, double *X, const int incX) {
  static __typeof__(&cblas_dtbsv) f;
  if (!f) f = (__typeof__(&cblas_dtbsv))blas_function("cblas_dtbsv");
  f(order, Uplo, TransA, Diag, N, K, A, lda, X, incX);
}
void cblas_dtpsv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const double *Ap, double *X, const int incX) {
  static __typeof__(&cblas_dtpsv) f;
  if (!f) f = (__typeof__(&cblas_dtpsv))blas_function("cblas_dtpsv");
  f(order, Uplo, TransA, Diag, N, Ap, X, incX);
}
void cblas_cgemv(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE TransA, const int M, const int N, const void *alpha, const void *A, const int lda, const void *X, const int incX, const void *beta, void *Y, const int incY) {
  static __typeof__(&cblas_cgemv) f;
  if (!f) f = (__typeof__(&cblas_cgemv))blas_function("cblas_cgemv");
  f(order, TransA, M, N, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_cgbmv(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE TransA, const int M, const int N, const int KL, const int KU, const void *alpha, const void *A, const int lda, const void *X, const int incX, const void *beta, void *Y, const int incY) {
  static __typeof__(&cblas_cgbmv) f;
  if (!f) f = (__typeof__(&cblas_cgbmv))blas_function("cblas_cgbmv");
  f(order, TransA, M, N, KL, KU, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_ctrmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const void *A, const int lda, void *X, const int incX) {
  static __typeof__(&cblas_ctrmv) f;
  if (!f) f = (__typeof__(&cblas_ctrmv))blas_function("cblas_ctrmv");
  f(order, Uplo, TransA, Diag, N, A, lda, X, incX);
}
void cblas_ctbmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const int K, const void *A, const int lda, void *X, const int incX) {
  static __typeof__(&cblas_ctbmv) f;
  if (!f) f = (__typeof__(&cblas_ctbmv))blas_function("cblas_ctbmv");
  f(order, Uplo, TransA, Diag, N, K, A, lda, X, incX);
}
void cblas_ctpmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const void *Ap, void *X, const int incX) {
  static __typeof__(&cblas_ctpmv) f;
  if (!f) f = (__typeof__(&cblas_ctpmv))blas_function("cblas_ctpmv");
  f(order, Uplo, TransA, Diag, N, Ap, X, incX);
}
void cblas_ctrsv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const void *A, const int lda, void *X, const int incX) {
  static __typeof__(&cblas_ctrsv) f;
  if (!f) f = (__typeof__(&cblas_ctrsv))blas_function("cblas_ctrsv");
  f(order, Uplo, TransA, Diag, N, A, lda, X, incX);
}
void cblas_ctbsv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const int K, const void *A, const int lda, void *X, const int incX) {
  static __typeof__(&cblas_ctbsv) f;
  if (!f) f = (__typeof__(&cblas_ctbsv))blas_function("cblas_ctbsv");
  f(order, Uplo, TransA, Diag, N, K, A, lda, X, incX);
}
void cblas_ctpsv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const void *Ap, void *X, const int incX) {
  static __typeof__(&cblas_ctpsv) f;
  if (!f) f = (__typeof__(&cblas_ctpsv))blas_function("cblas_ctpsv");
  f(order, Uplo, TransA, Diag, N, Ap, X, incX);
}
void cblas_zgemv(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE TransA, const int M, const int N, const void *alpha, const void *A, const int lda, const void *X, const int incX, const void *beta, void *Y, const int incY) {
  static __typeof__(&cblas_zgemv) f;
  if (!f) f = (__typeof__(&cblas_zgemv))blas_function("cblas_zgemv");
  f(order, TransA, M, N, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_zgbmv(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE TransA, const int M, const int N, const int KL, const int KU, const void *alpha, const void *A, const int lda, const void *X, const int incX, const void *beta, void *Y, const int incY) {
  static __typeof__(&cblas_zgbmv) f;
  if (!f) f = (__typeof__(&cblas_zgbmv))blas_function("cblas_zgbmv");
  f(order, TransA, M, N, KL, KU, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_ztrmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const void *A, const int lda, void *X, const int incX) {
  static __typeof__(&cblas_ztrmv) f;
  if (!f) f = (__typeof__(&cblas_ztrmv))blas_function("cblas_ztrmv");
  f(order, Uplo, TransA, Diag, N, A, lda, X, incX);
}
void cblas_ztbmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const int K, const void *A, const int lda, void *X, const int incX) {
  static __typeof__(&cblas_ztbmv) f;
  if (!f) f = (__typeof__(&cblas_ztbmv))blas_function("cblas_ztbmv");
  f(order, Uplo, TransA, Diag, N, K, A, lda, X, incX);
}
void cblas_ztpmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const void *Ap, void *X, const int incX) {
  static __typeof__(&cblas_ztpmv) f;
  if (!f) f = (__typeof__(&cblas_ztpmv))blas_function("cblas_ztpmv");
  f(order, Uplo, TransA, Diag, N, Ap, X, incX);
}
void cblas_ztrsv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const void *A, const int lda, void *X, const int incX) {
  static __typeof__(&cblas_ztrsv) f;
  if (!f) f = (__typeof__(&cblas_ztrsv))blas_function("cblas_ztrsv");
  f(order, Uplo, TransA, Diag, N, A, lda, X, incX);
}
void cblas_ztbsv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const int K, const void *A, const int lda, void *X, const int incX) {
  static __typeof__(&cblas_ztbsv) f;
  if (!f) f = (__typeof__(&cblas_ztbsv))blas_function("cblas_ztbsv");
  f(order, Uplo, TransA, Diag, N, K, A, lda, X, incX);
}
void cblas_ztpsv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int N, const void *Ap, void *X, const int incX) {
  static __typeof__(&cblas_ztpsv) f;
  if (!f) f = (__typeof__(&cblas_ztpsv))blas_function("cblas_ztpsv");
  f(order, Uplo, TransA, Diag, N, Ap, X, incX);
}
void cblas_ssymv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const float alpha, const float *A, const int lda, const float *X, const int incX, const float beta, float *Y, const int incY) {
  static __typeof__(&cblas_ssymv) f;
  if (!f) f = (__typeof__(&cblas_ssymv))blas_function("cblas_ssymv");
  f(order, Uplo, N, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_ssbmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const int K, const float alpha, const float *A, const int lda, const float *X, const int incX, const float beta, float *Y, const int incY) {
  static __typeof__(&cblas_ssbmv) f;
  if (!f) f = (__typeof__(&cblas_ssbmv))blas_function("cblas_ssbmv");
  f(order, Uplo, N, K, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_sspmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const float alpha, const float *Ap, const float *X, const int incX, const float beta, float *Y, const int incY) {
  static __typeof__(&cblas_sspmv) f;
  if (!f) f = (__typeof__(&cblas_sspmv))blas_function("cblas_sspmv");
  f(order, Uplo, N, alpha, Ap, X, incX, beta, Y, incY);
}
void cblas_sger(const enum CBLAS_ORDER order, const int M, const int N, const float alpha, const float *X, const int incX, const float *Y, const int incY, float *A, const int lda) {
  static __typeof__(&cblas_sger) f;
  if (!f) f = (__typeof__(&cblas_sger))blas_function("cblas_sger");
  f(order, M, N, alpha, X, incX, Y, incY, A, lda);
}
void cblas_ssyr(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const float alpha, const float *X, const int incX, float *A, const int lda) {
  static __typeof__(&cblas_ssyr) f;
  if (!f) f = (__typeof__(&cblas_ssyr))blas_function("cblas_ssyr");
  f(order, Uplo, N, alpha, X, incX, A, lda);
}
void cblas_sspr(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const float alpha, const float *X, const int incX, float *Ap) {
  static __typeof__(&cblas_sspr) f;
  if (!f) f = (__typeof__(&cblas_sspr))blas_function("cblas_sspr");
  f(order, Uplo, N, alpha, X, incX, Ap);
}
void cblas_ssyr2(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const float alpha, const float *X, const int incX, const float *Y, const int incY, float *A, const int lda) {
  static __typeof__(&cblas_ssyr2) f;
  if (!f) f = (__typeof__(&cblas_ssyr2))blas_function("cblas_ssyr2");
  f(order, Uplo, N, alpha, X, incX, Y, incY, A, lda);
}
void cblas_sspr2(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const float alpha, const float *X, const int incX, const float *Y, const int incY, float *A) {
  static __typeof__(&cblas_sspr2) f;
  if (!f) f = (__typeof__(&cblas_sspr2))blas_function("cblas_sspr2");
  f(order, Uplo, N, alpha, X, incX, Y, incY, A);
}
void cblas_dsymv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const double alpha, const double *A, const int lda, const double *X, const int incX, const double beta, double *Y, const int incY) {
  static __typeof__(&cblas_dsymv) f;
  if (!f) f = (__typeof__(&cblas_dsymv))blas_function("cblas_dsymv");
  f(order, Uplo, N, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_dsbmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const int K, const double alpha, const double *A, const int lda, const double *X, const int incX, const double beta, double *Y, const int incY) {
  static __typeof__(&cblas_dsbmv) f;
  if (!f) f = (__typeof__(&cblas_dsbmv))blas_function("cblas_dsbmv");
  f(order, Uplo, N, K, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_dspmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const double alpha, const double *Ap, const double *X, const int incX, const double beta, double *Y, const int incY) {
  static __typeof__(&cblas_dspmv) f;
  if (!f) f = (__typeof__(&cblas_dspmv))blas_function("cblas_dspmv");
  f(order, Uplo, N, alpha, Ap, X, incX, beta, Y, incY);
}
void cblas_dger(const enum CBLAS_ORDER order, const int M, const int N, const double alpha, const double *X, const int incX, const double *Y, const int incY, double *A, const int lda) {
  static __typeof__(&cblas_dger) f;
  if (!f) f = (__typeof__(&cblas_dger))blas_function("cblas_dger");
  f(order, M, N, alpha, X, incX, Y, incY, A, lda);
}
void cblas_dsyr(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const double alpha, const double *X, const int incX, double *A, const int lda) {
  static __typeof__(&cblas_dsyr) f;
  if (!f) f = (__typeof__(&cblas_dsyr))blas_function("cblas_dsyr");
  f(order, Uplo, N, alpha, X, incX, A, lda);
}
void cblas_dspr(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const double alpha, const double *X, const int incX, double *Ap) {
  static __typeof__(&cblas_dspr) f;
  if (!f) f = (__typeof__(&cblas_dspr))blas_function("cblas_dspr");
  f(order, Uplo, N, alpha, X, incX, Ap);
}
void cblas_dsyr2(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const double alpha, const double *X, const int incX, const double *Y, const int incY, double *A, const int lda) {
  static __typeof__(&cblas_dsyr2) f;
  if (!f) f = (__typeof__(&cblas_dsyr2))blas_function("cblas_dsyr2");
  f(order, Uplo, N, alpha, X, incX, Y, incY, A, lda);
}
void cblas_dspr2(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const double alpha, const double *X, const int incX, const double *Y, const int incY, double *A) {
  static __typeof__(&cblas_dspr2) f;
  if (!f) f = (__typeof__(&cblas_dspr2))blas_function("cblas_dspr2");
  f(order, Uplo, N, alpha, X, incX, Y, incY, A);
}
void cblas_chemv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const void *alpha, const void *A, const int lda, const void *X, const int incX, const void *beta, void *Y, const int incY) {
  static __typeof__(&cblas_chemv) f;
  if (!f) f = (__typeof__(&cblas_chemv))blas_function("cblas_chemv");
  f(order, Uplo, N, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_chbmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const int K, const void *alpha, const void *A, const int lda, const void *X, const int incX, const void *beta, void *Y, const int incY) {
  static __typeof__(&cblas_chbmv) f;
  if (!f) f = (__typeof__(&cblas_chbmv))blas_function("cblas_chbmv");
  f(order, Uplo, N, K, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_chpmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const void *alpha, const void *Ap, const void *X, const int incX, const void *beta, void *Y, const int incY) {
  static __typeof__(&cblas_chpmv) f;
  if (!f) f = (__typeof__(&cblas_chpmv))blas_function("cblas_chpmv");
  f(order, Uplo, N, alpha, Ap, X, incX, beta, Y, incY);
}
void cblas_cgeru(const enum CBLAS_ORDER order, const int M, const int N, const void *alpha, const void *X, const int incX, const void *Y, const int incY, void *A, const int lda) {
  static __typeof__(&cblas_cgeru) f;
  if (!f) f = (__typeof__(&cblas_cgeru))blas_function("cblas_cgeru");
  f(order, M, N, alpha, X, incX, Y, incY, A, lda);
}
void cblas_cgerc(const enum CBLAS_ORDER order, const int M, const int N, const void *alpha, const void *X, const int incX, const void *Y, const int incY, void *A, const int lda) {
  static __typeof__(&cblas_cgerc) f;
  if (!f) f = (__typeof__(&cblas_cgerc))blas_function("cblas_cgerc");
  f(order, M, N, alpha, X, incX, Y, incY, A, lda);
}
void cblas_cher(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const float alpha, const void *X, const int incX, void *A, const int lda) {
  static __typeof__(&cblas_cher) f;
  if (!f) f = (__typeof__(&cblas_cher))blas_function("cblas_cher");
  f(order, Uplo, N, alpha, X, incX, A, lda);
}
void cblas_chpr(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const float alpha, const void *X, const int incX, void *A) {
  static __typeof__(&cblas_chpr) f;
  if (!f) f = (__typeof__(&cblas_chpr))blas_function("cblas_chpr");
  f(order, Uplo, N, alpha, X, incX, A);
}
void cblas_cher2(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const void *alpha, const void *X, const int incX, const void *Y, const int incY, void *A, const int lda) {
  static __typeof__(&cblas_cher2) f;
  if (!f) f = (__typeof__(&cblas_cher2))blas_function("cblas_cher2");
  f(order, Uplo, N, alpha, X, incX, Y, incY, A, lda);
}
void cblas_chpr2(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const void *alpha, const void *X, const int incX, const void *Y, const int incY, void *Ap) {
  static __typeof__(&cblas_chpr2) f;
  if (!f) f = (__typeof__(&cblas_chpr2))blas_function("cblas_chpr2");
  f(order, Uplo, N, alpha, X, incX, Y, incY, Ap);
}
void cblas_zhemv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const void *alpha, const void *A, const int lda, const void *X, const int incX, const void *beta, void *Y, const int incY) {
  static __typeof__(&cblas_zhemv) f;
  if (!f) f = (__typeof__(&cblas_zhemv))blas_function("cblas_zhemv");
  f(order, Uplo, N, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_zhbmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const int K, const void *alpha, const void *A, const int lda, const void *X, const int incX, const void *beta, void *Y, const int incY) {
  static __typeof__(&cblas_zhbmv) f;
  if (!f) f = (__typeof__(&cblas_zhbmv))blas_function("cblas_zhbmv");
  f(order, Uplo, N, K, alpha, A, lda, X, incX, beta, Y, incY);
}
void cblas_zhpmv(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const void *alpha, const void *Ap, const void *X, const int incX, const void *beta, void *Y, const int incY) {
  static __typeof__(&cblas_zhpmv) f;
  if (!f) f = (__typeof__(&cblas_zhpmv))blas_function("cblas_zhpmv");
  f(order, Uplo, N, alpha, Ap, X, incX, beta, Y, incY);
}
void cblas_zgeru(const enum CBLAS_ORDER order, const int M, const int N, const void *alpha, const void *X, const int incX, const void *Y, const int incY, void *A, const int lda) {
  static __typeof__(&cblas_zgeru) f;
  if (!f) f = (__typeof__(&cblas_zgeru))blas_function("cblas_zgeru");
  f(order, M, N, alpha, X, incX, Y, incY, A, lda);
}
void cblas_zgerc(const enum CBLAS_ORDER order, const int M, const int N, const void *alpha, const void *X, const int incX, const void *Y, const int incY, void *A, const int lda) {
  static __typeof__(&cblas_zgerc) f;
  if (!f) f = (__typeof__(&cblas_zgerc))blas_function("cblas_zgerc");
  f(order, M, N, alpha, X, incX, Y, incY, A, lda);
}
void cblas_zher(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const double alpha, const void *X, const int incX, void *A, const int lda) {
  static __typeof__(&cblas_zher) f;
  if (!f) f = (__typeof__(&cblas_zher))blas_function("cblas_zher");
  f(order, Uplo, N, alpha, X, incX, A, lda);
}
void cblas_zhpr(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const double alpha, const void *X, const int incX, void *A) {
  static __typeof__(&cblas_zhpr) f;
  if (!f) f = (__typeof__(&cblas_zhpr))blas_function("cblas_zhpr");
  f(order, Uplo, N, alpha, X, incX, A);
}
void cblas_zher2(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const void *alpha, const void *X, const int incX, const void *Y, const int incY, void *A, const int lda) {
  static __typeof__(&cblas_zher2) f;
  if (!f) f = (__typeof__(&cblas_zher2))blas_function("cblas_zher2");
  f(order, Uplo, N, alpha, X, incX, Y, incY, A, lda);
}
void cblas_zhpr2(const enum CBLAS_ORDER order, const enum CBLAS_UPLO Uplo, const int N, const void *alpha, const void *X, const int incX, const void *Y, const int incY, void *Ap) {
  static __typeof__(&cblas_zhpr2) f;
  if (!f) f = (__typeof__(&cblas_zhpr2))blas_function("cblas_zhpr2");
  f(order, Uplo, N, alpha, X, incX, Y, incY, Ap);
}
void cblas_sgemm(const enum CBLAS_ORDER Order, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_TRANSPOSE TransB, const int M, const int N, const int K, const float alpha, const float *A, const int lda, const float *B, const int ldb, const float beta, float *C, const int ldc) {
  static __typeof__(&cblas_sgemm) f;
  if (!f) f = (__typeof__(&cblas_sgemm))blas_function("cblas_sgemm");
  f(Order, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
void cblas_ssymm(const enum CBLAS_ORDER Order, const enum CBLAS_SIDE Side, const enum CBLAS_UPLO Uplo, const int M, const int N, const float alpha, const float *A, const int lda, const float *B, const int ldb, const float beta, float *C, const int ldc) {
  static __typeof__(&cblas_ssymm) f;
  if (!f) f = (__typeof__(&cblas_ssymm))blas_function("cblas_ssymm");
  f(Order, Side, Uplo, M, N, alpha, A, lda, B, ldb, beta, C, ldc);
}
void cblas_ssyrk(const enum CBLAS_ORDER Order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE Trans, const int N, const int K, const float alpha, const float *A, const int lda, const float beta, float *C, const int ldc) {
  static __typeof__(&cblas_ssyrk) f;
  if (!f) f = (__typeof__(&cblas_ssyrk))blas_function("cblas_ssyrk");
  f(Order, Uplo, Trans, N, K, alpha, A, lda, beta, C, ldc);
}
void cblas_ssyr2k(const enum CBLAS_ORDER Order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE Trans, const int N, const int K, const float alpha, const float *A, const int lda, const float *B, const int ldb, const float beta, float *C, const int ldc) {
  static __typeof__(&cblas_ssyr2k) f;
  if (!f) f = (__typeof__(&cblas_ssyr2k))blas_function("cblas_ssyr2k");
  f(Order, Uplo, Trans, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
void cblas_strmm(const enum CBLAS_ORDER Order, const enum CBLAS_SIDE Side, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int M, const int N, const float alpha, const float *A, const int lda, float *B, const int ldb) {
  static __typeof__(&cblas_strmm) f;
  if (!f) f = (__typeof__(&cblas_strmm))blas_function("cblas_strmm");
  f(Order, Side, Uplo, TransA, Diag, M, N, alpha, A, lda, B, ldb);
}
void cblas_strsm(const enum CBLAS_ORDER Order, const enum CBLAS_SIDE Side, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int M, const int N, const float alpha, const float *A, const int lda, float *B, const int ldb) {
  static __typeof__(&cblas_strsm) f;
  if (!f) f = (__typeof__(&cblas_strsm))blas_function("cblas_strsm");
  f(Order, Side, Uplo, TransA, Diag, M, N, alpha, A, lda, B, ldb);
}
void cblas_dgemm(const enum CBLAS_ORDER Order, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_TRANSPOSE TransB, const int M, const int N, const int K, const double alpha, const double *A, const int lda, const double *B, const int ldb, const double beta, double *C, const int ldc) {
  static __typeof__(&cblas_dgemm) f;
  if (!f) f = (__typeof__(&cblas_dgemm))blas_function("cblas_dgemm");
  f(Order, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
void cblas_dsymm(const enum CBLAS_ORDER Order, const enum CBLAS_SIDE Side, const enum CBLAS_UPLO Uplo, const int M, const int N, const double alpha, const double *A, const int lda, const double *B, const int ldb, const double beta, double *C, const int ldc) {
  static __typeof__(&cblas_dsymm) f;
  if (!f) f = (__typeof__(&cblas_dsymm))blas_function("cblas_dsymm");
  f(Order, Side, Uplo, M, N, alpha, A, lda, B, ldb, beta, C, ldc);
}
void cblas_dsyrk(const enum CBLAS_ORDER Order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE Trans, const int N, const int K, const double alpha, const double *A, const int lda, const double beta, double *C, const int ldc) {
  static __typeof__(&cblas_dsyrk) f;
  if (!f) f = (__typeof__(&cblas_dsyrk))blas_function("cblas_dsyrk");
  f(Order, Uplo, Trans, N, K, alpha, A, lda, beta, C, ldc);
}
void cblas_dsyr2k(const enum CBLAS_ORDER Order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE Trans, const int N, const int K, const double alpha, const double *A, const int lda, const double *B, const int ldb, const double beta, double *C, const int ldc) {
  static __typeof__(&cblas_dsyr2k) f;
  if (!f) f = (__typeof__(&cblas_dsyr2k))blas_function("cblas_dsyr2k");
  f(Order, Uplo, Trans, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
void cblas_dtrmm(const enum CBLAS_ORDER Order, const enum CBLAS_SIDE Side, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int M, const int N, const double alpha, const double *A, const int lda, double *B, const int ldb) {
  static __typeof__(&cblas_dtrmm) f;
  if (!f) f = (__typeof__(&cblas_dtrmm))blas_function("cblas_dtrmm");
  f(Order, Side, Uplo, TransA, Diag, M, N, alpha, A, lda, B, ldb);
}
void cblas_dtrsm(const enum CBLAS_ORDER Order, const enum CBLAS_SIDE Side, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int M, const int N, const double alpha, const double *A, const int lda, double *B, const int ldb) {
  static __typeof__(&cblas_dtrsm) f;
  if (!f) f = (__typeof__(&cblas_dtrsm))blas_function("cblas_dtrsm");
  f(Order, Side, Uplo, TransA, Diag, M, N, alpha, A, lda, B, ldb);
}
void cblas_cgemm(const enum CBLAS_ORDER Order, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_TRANSPOSE TransB, const int M, const int N, const int K, const void *alpha, const void *A, const int lda, const void *B, const int ldb, const void *beta, void *C, const int ldc) {
  static __typeof__(&cblas_cgemm) f;
  if (!f) f = (__typeof__(&cblas_cgemm))blas_function("cblas_cgemm");
  f(Order, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
void cblas_csymm(const enum CBLAS_ORDER Order, const enum CBLAS_SIDE Side, const enum CBLAS_UPLO Uplo, const int M, const int N, const void *alpha, const void *A, const int lda, const void *B, const int ldb, const void *beta, void *C, const int ldc) {
  static __typeof__(&cblas_csymm) f;
  if (!f) f = (__typeof__(&cblas_csymm))blas_function("cblas_csymm");
  f(Order, Side, Uplo, M, N, alpha, A, lda, B, ldb, beta, C, ldc);
}
void cblas_csyrk(const enum CBLAS_ORDER Order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE Trans, const int N, const int K, const void *alpha, const void *A, const int lda, const void *beta, void *C, const int ldc) {
  static __typeof__(&cblas_csyrk) f;
  if (!f) f = (__typeof__(&cblas_csyrk))blas_function("cblas_csyrk");
  f(Order, Uplo, Trans, N, K, alpha, A, lda, beta, C, ldc);
}
void cblas_csyr2k(const enum CBLAS_ORDER Order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE Trans, const int N, const int K, const void *alpha, const void *A, const int lda, const void *B, const int ldb, const void *beta, void *C, const int ldc) {
  static __typeof__(&cblas_csyr2k) f;
  if (!f) f = (__typeof__(&cblas_csyr2k))blas_function("cblas_csyr2k");
  f(Order, Uplo, Trans, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
void cblas_ctrmm(const enum CBLAS_ORDER Order, const enum CBLAS_SIDE Side, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int M, const int N, const void *alpha, const void *A, const int lda, void *B, const int ldb) {
  static __typeof__(&cblas_ctrmm) f;
  if (!f) f = (__typeof__(&cblas_ctrmm))blas_function("cblas_ctrmm");
  f(Order, Side, Uplo, TransA, Diag, M, N, alpha, A, lda, B, ldb);
}
void cblas_ctrsm(const enum CBLAS_ORDER Order, const enum CBLAS_SIDE Side, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int M, const int N, const void *alpha, const void *A, const int lda, void *B, const int ldb) {
  static __typeof__(&cblas_ctrsm) f;
  if (!f) f = (__typeof__(&cblas_ctrsm))blas_function("cblas_ctrsm");
  f(Order, Side, Uplo, TransA, Diag, M, N, alpha, A, lda, B, ldb);
}
void cblas_zgemm(const enum CBLAS_ORDER Order, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_TRANSPOSE TransB, const int M, const int N, const int K, const void *alpha, const void *A, const int lda, const void *B, const int ldb, const void *beta, void *C, const int ldc) {
  static __typeof__(&cblas_zgemm) f;
  if (!f) f = (__typeof__(&cblas_zgemm))blas_function("cblas_zgemm");
  f(Order, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
void cblas_zsymm(const enum CBLAS_ORDER Order, const enum CBLAS_SIDE Side, const enum CBLAS_UPLO Uplo, const int M, const int N, const void *alpha, const void *A, const int lda, const void *B, const int ldb, const void *beta, void *C, const int ldc) {
  static __typeof__(&cblas_zsymm) f;
  if (!f) f = (__typeof__(&cblas_zsymm))blas_function("cblas_zsymm");
  f(Order, Side, Uplo, M, N, alpha, A, lda, B, ldb, beta, C, ldc);
}
void cblas_zsyrk(const enum CBLAS_ORDER Order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE Trans, const int N, const int K, const void *alpha, const void *A, const int lda, const void *beta, void *C, const int ldc) {
  static __typeof__(&cblas_zsyrk) f;
  if (!f) f = (__typeof__(&cblas_zsyrk))blas_function("cblas_zsyrk");
  f(Order, Uplo, Trans, N, K, alpha, A, lda, beta, C, ldc);
}
void cblas_zsyr2k(const enum CBLAS_ORDER Order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE Trans, const int N, const int K, const void *alpha, const void *A, const int lda, const void *B, const int ldb, const void *beta, void *C, const int ldc) {
  static __typeof__(&cblas_zsyr2k) f;
  if (!f) f = (__typeof__(&cblas_zsyr2k))blas_function("cblas_zsyr2k");
  f(Order, Uplo, Trans, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
void cblas_ztrmm(const enum CBLAS_ORDER Order, const enum CBLAS_SIDE Side, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int M, const int N, const void *alpha, const void *A, const int lda, void *B, const int ldb) {
  static __typeof__(&cblas_ztrmm) f;
  if (!f) f = (__typeof__(&cblas_ztrmm))blas_function("cblas_ztrmm");
  f(Order, Side, Uplo, TransA, Diag, M, N, alpha, A, lda, B, ldb);
}
void cblas_ztrsm(const enum CBLAS_ORDER Order, const enum CBLAS_SIDE Side, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_DIAG Diag, const int M, const int N, const void *alpha, const void *A, const int lda, void *B, const int ldb) {
  static __typeof__(&cblas_ztrsm) f;
  if (!f) f = (__typeof__(&cblas_ztrsm))blas_function("cblas_ztrsm");
  f(Order, Side, Uplo, TransA, Diag, M, N, alpha, A, lda, B, ldb);
}
void cblas_chemm(const enum CBLAS_ORDER Order, const enum CBLAS_SIDE Side, const enum CBLAS_UPLO Uplo, const int M, const int N, const void *alpha, const void *A, const int lda, const void *B, const int ldb, const void *beta, void *C, const int ldc) {
  static __typeof__(&cblas_chemm) f;
  if (!f) f = (__typeof__(&cblas_chemm))blas_function("cblas_chemm");
  f(Order, Side, Uplo, M, N, alpha, A, lda, B, ldb, beta, C, ldc);
}
void cblas_cherk(const enum CBLAS_ORDER Order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE Trans, const int N, const int K, const float alpha, const void *A, const int lda, const float beta, void *C, const int ldc) {
  static __typeof__(&cblas_cherk) f;
  if (!f) f = (__typeof__(&cblas_cherk))blas_function("cblas_cherk");
  f(Order, Uplo, Trans, N, K, alpha, A, lda, beta, C, ldc);
}
void cblas_cher2k(const enum CBLAS_ORDER Order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE Trans, const int N, const int K, const void *alpha, const void *A, const int lda, const void *B, const int ldb, const float beta, void *C, const int ldc) {
  static __typeof__(&cblas_cher2k) f;
  if (!f) f = (__typeof__(&cblas_cher2k))blas_function("cblas_cher2k");
  f(Order, Uplo, Trans, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
void cblas_zhemm(const enum CBLAS_ORDER Order, const enum CBLAS_SIDE Side, const enum CBLAS_UPLO Uplo, const int M, const int N, const void *alpha, const void *A, const int lda, const void *B, const int ldb, const void *beta, void *C, const int ldc) {
  static __typeof__(&cblas_zhemm) f;
  if (!f) f = (__typeof__(&cblas_zhemm))blas_function("cblas_zhemm");
  f(Order, Side, Uplo, M, N, alpha, A, lda, B, ldb, beta, C, ldc);
}
void cblas_zherk(const enum CBLAS_ORDER Order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE Trans, const int N, const int K, const double alpha, const void *A, const int lda, const double beta, void *C, const int ldc) {
  static __typeof__(&cblas_zherk) f;
  if (!f) f = (__typeof__(&cblas_zherk))blas_function("cblas_zherk");
  f(Order, Uplo, Trans, N, K, alpha, A, lda, beta, C, ldc);
}
void cblas_zher2k(const enum CBLAS_ORDER Order, const enum CBLAS_UPLO Uplo, const enum CBLAS_TRANSPOSE Trans, const int N, const int K, const void *alpha, const void *A, const int lda, const void *B, const int ldb, const double beta, void *C, const int ldc) {
  static __typeof__(&cblas_zher2k) f;
  if (!f) f = (__typeof__(&cblas_zher2k))blas_function("cblas_zher2k");
  f(Order, Uplo, Trans, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
void dgetrf_(const int *m, const int *n, double *A, const int *lda, int *ipiv, int *info) {
  static __typeof__(&dgetrf_) f;
  if (!f) f = (__typeof__(&dgetrf_))blas_function("dgetrf_");
  f(m, n, A, lda, ipiv, info);
}
void dgetrs_(const char *trans, const int *n, const int *nrhs, const double *A, const int *lda, const int *ipiv, double *B, const int *ldb, int *info, size_t trans_len) {
  static __typeof__(&dgetrs_) f;
  if (!f) f = (__typeof__(&dgetrs_))blas_function("dgetrs_");
  f(trans, n, nrhs, A, lda, ipiv, B, ldb, info, trans_len);
}
void dgetri_(const int *n, double *A, const int *lda, const int *ipiv, double *work, const int *lwork, int *info) {
  static __typeof__(&dgetri_) f;
  if (!f) f = (__typeof__(&dgetri_))blas_function("dgetri_");
  f(n, A, lda, ipiv, work, lwork, info);
}
void dlacn2_(const int *n, double *v, double *x, int *isgn, double *est, int *kase, int *isave) {
  static __typeof__(&dlacn2_) f;
  if (!f) f = (__typeof__(&dlacn2_))blas_function("dlacn2_");
  f(n, v, x, isgn, est, kase, isave);
}
void dsyevr_(const char *jobz, const char *range, const char *uplo, const int *n, double *A, const int *lda, const double *vl, const double *vu, const int *il, const int *iu, const double *abstol, int *m, double *w, double *Z, const int *ldz, int *isuppz, double *work, const int *lwork, int *iwork, const int *liwork, int *info, size_t jobz_len, size_t range_len, size_t uplo_len) {
  static __typeof__(&dsyevr_) f;
  if (!f) f = (__typeof__(&dsyevr_))blas_function("dsyevr_");
  f(jobz, range, uplo, n, A, lda, vl, vu, il, iu, abstol, m, w, Z, ldz, isuppz, work, lwork, iwork, liwork, info, jobz_len, range_len, uplo_len);
}
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *A, const int *lda, double *w, double *work, const int *lwork, int *iwork, const int *liwork, int *info, size_t jobz_len, size_t uplo_len) {
  static __typeof__(&dsyevd_) f;
  if (!f) f = (__typeof__(&dsyevd_))blas_function("dsyevd_");
  f(jobz, uplo, n, A, lda, w, work, lwork, iwork, liwork, info, jobz_len, uplo_len);
}
void dgesdd_(const char *jobz, const int *m, const int *n, double *A, const int *lda, double *s, double *U, const int *ldu, double *VT, const int *ldvt, double *work, const int *lwork, int *iwork, int *info, size_t jobz_len) {
  static __typeof__(&dgesdd_) f;
  if (!f) f = (__typeof__(&dgesdd_))blas_function("dgesdd_");
  f(jobz, m, n, A, lda, s, U, ldu, VT, ldvt, work, lwork, iwork, info, jobz_len);
}
char * openblas_get_config(void) {
  static __typeof__(&openblas_get_config) f;
  if (!f) f = (__typeof__(&openblas_get_config))blas_function("openblas_get_config");
  return f();
}

#else
typedef int dlt_blas_forward_unused; /* not an empty file */
#endif
