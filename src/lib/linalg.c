/* lib/linalg.c - products, norms, solvers, factorisations and matrix functions.
 *
 * Everything works on whole matrices in C through GSL (gsl_blas, gsl_linalg, gsl_eigen). When
 * configure found LAPACK inside OpenBLAS (DLT_HAVE_LAPACK), the symmetric eigensolver and the SVD
 * call LAPACK instead (dsyevd, divide and conquer, as NumPy's eigh; dsyevr for one extreme
 * eigenvalue; dgesdd): GSL's routines are unblocked and 10-20x slower at n = 1000. Both paths give
 * the same conventions (eigenvalues ascending, singular values descending, each eigenvector /
 * right singular vector signed so that its entry of largest magnitude is positive), so programs
 * print the same thing with either.
 *
 * Conventions shared by every builtin here: factorisations reject nan/inf entries with a located
 * error; "symmetric" means symmetric up to SYM_TOL relative to the largest entry, and the
 * symmetrised (A + A')/2 is what gets factorised; empty matrices have the natural answer
 * (det of 0×0 is 1, inv of 0×0 is 0×0) except where none exists (eigmin, cond).
 */
#include "config.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_permute_vector.h>
#include <gsl/gsl_sort_vector.h>

#include "../builtin.h"

/* Largest |A_ij - A_ji| accepted as rounding, relative to max |A_ij|: X' @ X computed by a
 * blocked dgemm is symmetric only to about d·eps, far below this. */
#define SYM_TOL 1e-10

/* ---------------------------------------------------------------- small helpers */

static Mat *new_mat(Args *a, size_t r, size_t c) {
  Mat *m = mat_alloc(r, c);
  if (!m) dlt_error_oom(a->I, a->call, r, c);
  return m;
}

static Mat *new_zero(Args *a, size_t r, size_t c) {
  Mat *m = mat_alloc_zero(r, c);
  if (!m) dlt_error_oom(a->I, a->call, r, c);
  return m;
}

/* A private copy to factorise in place (never a mask, whatever the input was). */
static Mat *copy_mat(Args *a, const Mat *A) {
  Mat *m = new_mat(a, mat_rows(A), mat_cols(A));
  if (m) memcpy(m->data, A->data, mat_numel(A) * sizeof(double));
  return m;
}

static void drop(Mat *m) {
  if (m) val_release(v_obj(m));
}

static Value give(Mat *m) { return m ? v_obj(m) : v_abrupt(); }

/* Numbers in, a number out: inv(4) is 0.25, not [0.25]. */
static Value scalar_if(Args *a, int nargs, Value r) {
  for (int i = 0; i < nargs; i++)
    if (!IS_NUM(a->v[i])) return r;
  if (!IS_MAT(r) || mat_numel(AS_MAT(r)) != 1) return r;
  double x = AS_MAT(r)->data[0];
  val_release(r);
  return v_num(x);
}

/* (through the gsl_matrix view, whose data pointer is not const, so read-only inputs can use it too) */
static double *at(const Mat *A, size_t i, size_t j) { return A->m.data + i * A->m.tda + j; }

static Mat *identity(Args *a, size_t n) {
  Mat *m = new_zero(a, n, n);
  if (m)
    for (size_t i = 0; i < n; i++) *at(m, i, i) = 1;
  return m;
}

/* A number for a message: %g, except that every nan reads "nan" (glibc prints "-nan" for some). */
static const char *num_text(double x, char buf[32]) {
  if (isnan(x)) return "nan";
  snprintf(buf, 32, "%g", x);
  return buf;
}

static bool oom_false(Args *a) {
  call_error(a, "out of memory");
  return false;
}

/* The m×n product op(A) op(B) as a new matrix (all dimensions > 0). */
static Mat *product(Args *a, CBLAS_TRANSPOSE_t ta, const Mat *A, CBLAS_TRANSPOSE_t tb, const Mat *B) {
  size_t m = ta == CblasNoTrans ? mat_rows(A) : mat_cols(A);
  size_t n = tb == CblasNoTrans ? mat_cols(B) : mat_rows(B);
  Mat *C = new_mat(a, m, n);
  if (C) gsl_blas_dgemm(ta, tb, 1.0, &A->m, &B->m, 0.0, &C->m);
  return C;
}

/* ---------------------------------------------------------------- argument checks */

static bool check_square(Args *a, int i, const Mat *A) {
  if (mat_rows(A) == mat_cols(A)) return true;
  arg_error(a, i, "the matrix must be square, got %zu×%zu", mat_rows(A), mat_cols(A));
  return false;
}

/* Whether n consecutive numbers are finite: no branch inside, so the loop streams. */
static bool row_finite(const double *row, size_t n) {
  bool all = true;
  for (size_t c = 0; c < n; c++) all &= isfinite(row[c]) != 0;
  return all;
}

/* Row by row through contiguous memory; the message names the first non-finite entry. */
static bool check_finite(Args *a, int i, const Mat *A) {
  size_t R = mat_rows(A), C = mat_cols(A);
  for (size_t r = 0; r < R; r++) {
    const double *row = at(A, r, 0);
    if (row_finite(row, C)) continue;
    for (size_t c = 0; c < C; c++)
      if (!isfinite(row[c])) {
        double x = row[c];
        arg_error(a, i, "the matrix has a non-finite entry (%s at [%zu, %zu])",
                  isnan(x) ? "nan" : x > 0 ? "inf" : "-inf", r + 1, c + 1);
        return false;
      }
  }
  return true;
}

static bool all_finite(const Mat *A) {
  for (size_t r = 0; r < mat_rows(A); r++)
    if (!row_finite(at(A, r, 0), mat_cols(A))) return false;
  return true;
}

static double max_abs(const Mat *A) {
  double m = 0;
  for (size_t k = 0; k < mat_numel(A); k++) m = fmax(m, fabs(A->data[k]));
  return m;
}

/* Square tiles for the passes that read A[r][c] and A[c][r] together: a column walk over a 1000×1000
 * matrix touches a new cache line per entry, a tile of 32 rows keeps them. */
#define TILE 32

/* dst := src' for the R×C src (dst is C×R; either may be a view), tile by tile (GSL's
 * gsl_matrix_transpose_memcpy writes dst a column at a time). */
static void transpose_into(gsl_matrix *dst, const gsl_matrix *src) {
  size_t R = src->size1, C = src->size2;
  for (size_t r0 = 0; r0 < R; r0 += TILE)
    for (size_t c0 = 0; c0 < C; c0 += TILE)
      for (size_t r = r0; r < R && r < r0 + TILE; r++)
        for (size_t c = c0; c < C && c < c0 + TILE; c++) dst->data[c * dst->tda + r] = src->data[r * src->tda + c];
}

/* What sym_copy learns in its one pass over A. */
typedef struct {
  double max;           /* max |A_rc| */
  double worst;         /* max |A_rc - A_cr|, at [wr, wc]: the first in row-major order */
  size_t wr, wc;
  bool finite;
} SymScan;

/* Comparisons rather than fmax, which is a library call here; a nan is caught by finite. */
static inline void sym_pair(SymScan *s, size_t r, size_t c, double x, double y) {
  s->finite &= (isfinite(x) && isfinite(y)) != 0;
  double ax = fabs(x), ay = fabs(y), d = fabs(x - y);
  s->max = ax > s->max ? ax : s->max;
  s->max = ay > s->max ? ay : s->max;
  if (d >= s->worst && d > 0 && (d > s->worst || r < s->wr || (r == s->wr && c < s->wc)))
    s->worst = d, s->wr = r, s->wc = c;
}

/* S := (A + A') / 2 for the n×n A, with s filled in, visiting each pair r < c once, tile by tile. */
static void sym_scan(const Mat *A, Mat *S, SymScan *s) {
  size_t n = mat_rows(A);
  *s = (SymScan){.finite = true};
  for (size_t r0 = 0; r0 < n; r0 += TILE)
    for (size_t c0 = r0; c0 < n; c0 += TILE)
      for (size_t r = r0; r < n && r < r0 + TILE; r++) {
        if (c0 == r0) {
          *at(S, r, r) = *at(A, r, r);
          sym_pair(s, r, r, *at(A, r, r), *at(A, r, r));
        }
        for (size_t c = c0 > r + 1 ? c0 : r + 1; c < n && c < c0 + TILE; c++) {
          double x = *at(A, r, c), y = *at(A, c, r);
          sym_pair(s, r, c, x, y);
          *at(S, r, c) = *at(S, c, r) = 0.5 * (x + y);
        }
      }
}

/* A square, finite, symmetric matrix as a symmetrised private copy, or NULL after an error. One
 * pass over A checks, measures and copies (there were five, two of them down columns: 4% of
 * eig_sym's time at n = 1000). */
static Mat *sym_copy(Args *a, int i, const Mat *A) {
  if (!check_square(a, i, A)) return NULL;
  Mat *S = new_mat(a, mat_rows(A), mat_rows(A));
  if (!S) return NULL;
  SymScan s;
  sym_scan(A, S, &s);
  if (!s.finite) {
    check_finite(a, i, A); /* for the message naming the first non-finite entry */
  } else if (s.worst > SYM_TOL * s.max) {
    arg_error(a, i,
              "the matrix is not symmetric (max |A - A'| = %.3g at [%zu, %zu]); use (A + A') / 2 if that is "
              "what you mean",
              s.worst, s.wr + 1, s.wc + 1);
  } else {
    return S;
  }
  drop(S);
  return NULL;
}

/* A vector argument (either orientation) seen as its entries. */
static bool check_vector(Args *a, int i, const Mat *x) {
  if (mat_is_vector(x) || mat_numel(x) == 0) return true;
  arg_error(a, i, "the %s argument must be a vector, got a %zu×%zu matrix", i == 0 ? "first" : "second",
            mat_rows(x), mat_cols(x));
  return false;
}

/* A right-hand side for an n×n system: n×k, or a 1×n row vector taken as a column. Returns a new
 * private copy shaped n×k, or NULL after an error naming both shapes. */
static Mat *rhs_copy(Args *a, int i, const Mat *A, const Mat *b) {
  size_t n = mat_rows(A);
  if (mat_rows(b) == n) return copy_mat(a, b);
  if (mat_rows(b) == 1 && mat_cols(b) == n) {
    Mat *x = new_mat(a, n, 1);
    if (x) memcpy(x->data, b->data, n * sizeof(double));
    return x;
  }
  arg_error(a, i, "the right-hand side is %zu×%zu but the matrix is %zu×%zu; it needs %zu rows", mat_rows(b),
            mat_cols(b), mat_rows(A), mat_cols(A), n);
  return NULL;
}

/* An optional non-negative tolerance-like number (positional parameter i); *present says if given. */
static bool opt_nonneg(Args *a, int i, const char *name, double *out, bool *present) {
  *present = a->n > i && !IS_NIL(a->v[i]);
  if (!*present) return true;
  if (!arg_num(a, i, out)) return false;
  if (*out >= 0 && isfinite(*out)) return true;
  char buf[32];
  arg_error(a, i, "%s= must be a non-negative finite number, got %s", name, num_text(*out, buf));
  return false;
}

/* ---------------------------------------------------------------- LAPACK (OpenBLAS) */
#ifdef DLT_HAVE_LAPACK
/* Fortran calling convention: every argument by pointer, column-major storage, and gfortran's
 * hidden lengths of the CHARACTER arguments at the end. A row-major symmetric matrix is its own
 * column-major self; a row-major m×n matrix is the column-major n×m transpose. */
extern void dsyevr_(const char *jobz, const char *range, const char *uplo, const int *n, double *A, const int *lda,
                    const double *vl, const double *vu, const int *il, const int *iu, const double *abstol, int *m,
                    double *w, double *Z, const int *ldz, int *isuppz, double *work, const int *lwork, int *iwork,
                    const int *liwork, int *info, size_t, size_t, size_t);
extern void dsyevd_(const char *jobz, const char *uplo, const int *n, double *A, const int *lda, double *w,
                    double *work, const int *lwork, int *iwork, const int *liwork, int *info, size_t, size_t);
extern void dgesdd_(const char *jobz, const int *m, const int *n, double *A, const int *lda, double *s, double *U,
                    const int *ldu, double *VT, const int *ldvt, double *work, const int *lwork, int *iwork, int *info,
                    size_t);

static bool lapack_dim(Args *a, size_t n) {
  if (n <= (size_t)INT_MAX / 8) return true;
  call_error(a, "the matrix is too large for LAPACK (%zu rows or columns)", n);
  return false;
}

/* LAPACK's workspace answer as a size it can be called with. */
static bool lapack_work(Args *a, double query, int *lwork) {
  if (!(query >= 1 && query <= (double)INT_MAX)) {
    call_error(a, "the matrix is too large for LAPACK's workspace");
    return false;
  }
  *lwork = (int)query;
  return true;
}

static bool lapack_failed(Args *a, const char *routine, int info) {
  if (info < 0)
    call_error(a, "LAPACK %s rejected argument %d (a bug in DLT)", routine, -info);
  else
    call_error(a, "LAPACK %s did not converge (info = %d)", routine, info);
  return false;
}

/* Flip rows so that the entry of largest magnitude in each is positive (first one on ties): the
 * rule of fix_signs, for vectors stored as rows. */
static void fix_sign_rows(Mat *V) {
  size_t C = mat_cols(V);
  for (size_t r = 0; r < mat_rows(V); r++) {
    double *row = at(V, r, 0), best = 0;
    for (size_t c = 0; c < C; c++)
      if (fabs(row[c]) > fabs(best)) best = row[c];
    if (best < 0)
      for (size_t c = 0; c < C; c++) row[c] = -row[c];
  }
}

/* Every eigenvalue (and the eigenvectors when Z is non-NULL) by divide and conquer, dsyevd, as
 * NumPy's eigh does: about 1.5x faster than dsyevr with vectors at n = 1000. */
static bool eigen_lapack_all(Args *a, Mat *S, Mat *W, Mat *Z) {
  if (!lapack_dim(a, mat_rows(S))) return false;
  int n = (int)mat_rows(S), lwork = -1, liwork = -1, iwq = 0, info = 0;
  double wq = 0;
  const char *jobz = Z ? "V" : "N";
  dsyevd_(jobz, "L", &n, S->data, &n, W->data, &wq, &lwork, &iwq, &liwork, &info, 1, 1);
  bool ok = (info == 0 || lapack_failed(a, "dsyevd", info)) && lapack_work(a, wq, &lwork) &&
            lapack_work(a, iwq, &liwork);
  double *work = ok ? malloc((size_t)lwork * sizeof(double)) : NULL;
  int *iwork = ok ? malloc((size_t)liwork * sizeof(int)) : NULL;
  if (ok && (!work || !iwork)) ok = oom_false(a);
  if (ok) {
    dsyevd_(jobz, "L", &n, S->data, &n, W->data, work, &lwork, iwork, &liwork, &info, 1, 1);
    if (info != 0) ok = lapack_failed(a, "dsyevd", info);
  }
  /* the column-major eigenvectors overwrite S: as DLT stores it, they are its rows, where the
   * signs are fixed in contiguous memory before the rows become Z's columns */
  if (ok && Z) {
    fix_sign_rows(S);
    transpose_into(&Z->m, &S->m);
  }
  free(work);
  free(iwork);
  return ok;
}

/* One extreme eigenvalue (which = -1 smallest, +1 largest) by dsyevr's index range, which skips
 * the others. */
static bool eigen_lapack_one(Args *a, Mat *S, int which, Mat *W) {
  if (!lapack_dim(a, mat_rows(S))) return false;
  int n = (int)mat_rows(S), il = which > 0 ? n : 1, iu = il, m = 0, info = 0, ldz = 1;
  int lwork = -1, liwork = -1, iwq = 0;
  double vl = 0, vu = 0, abstol = 0, wq = 0, z = 0;
  int isuppz[2];
  dsyevr_("N", "I", "L", &n, S->data, &n, &vl, &vu, &il, &iu, &abstol, &m, W->data, &z, &ldz, isuppz, &wq, &lwork,
          &iwq, &liwork, &info, 1, 1, 1);
  bool ok = (info == 0 || lapack_failed(a, "dsyevr", info)) && lapack_work(a, wq, &lwork) &&
            lapack_work(a, iwq, &liwork);
  double *work = ok ? malloc((size_t)lwork * sizeof(double)) : NULL;
  int *iwork = ok ? malloc((size_t)liwork * sizeof(int)) : NULL;
  if (ok && (!work || !iwork)) ok = oom_false(a);
  if (ok) {
    dsyevr_("N", "I", "L", &n, S->data, &n, &vl, &vu, &il, &iu, &abstol, &m, W->data, &z, &ldz, isuppz, work,
            &lwork, iwork, &liwork, &info, 1, 1, 1);
    if (info != 0) ok = lapack_failed(a, "dsyevr", info);
  }
  free(work);
  free(iwork);
  return ok;
}

static bool eigen_lapack(Args *a, Mat *S, int which, Mat *W, Mat *Z) {
  return which ? eigen_lapack_one(a, S, which, W) : eigen_lapack_all(a, S, W, Z);
}

/* A (m×n, row-major) is the column-major n×m matrix A'. Its SVD A' = P diag(s) Q' gives
 * A = Q diag(s) P': dgesdd's VT, read row-major, is U of A directly, and its U is V' of A. */
static bool svd_lapack(Args *a, const Mat *A, Mat *s, Mat *U, Mat *V) {
  size_t M = mat_rows(A), N = mat_cols(A), K = M < N ? M : N;
  if (!lapack_dim(a, M) || !lapack_dim(a, N)) return false;
  Mat *C = copy_mat(a, A);
  Mat *Vt = C && V ? new_mat(a, K, N) : NULL;
  if (!C || (V && !Vt)) {
    drop(C);
    return false;
  }
  int m = (int)N, n = (int)M, k = (int)K, ldu = U ? m : 1, ldvt = U ? k : 1, lwork = -1, info = 0;
  double wq = 0, du = 0, dvt = 0;
  double *u = V ? Vt->data : &du, *vt = U ? U->data : &dvt;
  const char *jobz = U ? "S" : "N";
  int *iwork = malloc(8 * K * sizeof(int));
  bool ok = iwork != NULL || oom_false(a);
  if (ok) {
    dgesdd_(jobz, &m, &n, C->data, &m, s->data, u, &ldu, vt, &ldvt, &wq, &lwork, iwork, &info, 1);
    ok = (info == 0 || lapack_failed(a, "dgesdd", info)) && lapack_work(a, wq, &lwork);
  }
  double *work = ok ? malloc((size_t)lwork * sizeof(double)) : NULL;
  if (ok && !work) ok = oom_false(a);
  if (ok) {
    dgesdd_(jobz, &m, &n, C->data, &m, s->data, u, &ldu, vt, &ldvt, work, &lwork, iwork, &info, 1);
    if (info != 0) ok = lapack_failed(a, "dgesdd", info);
  }
  if (ok && V) transpose_into(&V->m, &Vt->m);
  free(work);
  free(iwork);
  drop(Vt);
  drop(C);
  return ok;
}
#endif

/* ---------------------------------------------------------------- GSL paths */
#ifndef DLT_HAVE_LAPACK

static bool eigen_gsl(Args *a, Mat *S, int which, Mat *W, Mat *Z) {
  size_t n = mat_rows(S);
  gsl_vector_view w = gsl_vector_view_array(W->data, n);
  int st;
  if (Z) {
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(n);
    if (!ws) return oom_false(a);
    st = gsl_eigen_symmv(&S->m, &w.vector, &Z->m, ws);
    gsl_eigen_symmv_free(ws);
    if (!st) st = gsl_eigen_symmv_sort(&w.vector, &Z->m, GSL_EIGEN_SORT_VAL_ASC);
  } else {
    gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(n);
    if (!ws) return oom_false(a);
    st = gsl_eigen_symm(&S->m, &w.vector, ws);
    gsl_eigen_symm_free(ws);
    gsl_sort_vector(&w.vector);
  }
  if (st) {
    dlt_error_gsl(a->I, a->call, a->fname, st);
    return false;
  }
  if (which > 0) W->data[0] = W->data[n - 1];
  return true;
}

/* GSL's Golub-Reinsch SVD needs rows >= cols; a wide A goes through A'. */
static bool svd_gsl(Args *a, const Mat *A, Mat *s, Mat *U, Mat *V) {
  bool wide = mat_rows(A) < mat_cols(A);
  size_t M = wide ? mat_cols(A) : mat_rows(A), N = wide ? mat_rows(A) : mat_cols(A);
  Mat *P = new_mat(a, M, N), *Q = P ? new_mat(a, N, N) : NULL;
  gsl_vector *work = Q ? gsl_vector_alloc(N) : NULL;
  bool ok = P && Q && (work || oom_false(a));
  if (ok) {
    if (wide)
      transpose_into(&P->m, &A->m);
    else
      memcpy(P->data, A->data, M * N * sizeof(double));
    gsl_vector_view sv = gsl_vector_view_array(s->data, N);
    int st = gsl_linalg_SV_decomp(&P->m, &Q->m, &sv.vector, work);
    if (st) ok = false, dlt_error_gsl(a->I, a->call, a->fname, st);
  }
  if (ok && U) {
    /* A = P diag(s) Q' (tall) or A = Q diag(s) P' (wide) */
    gsl_matrix_memcpy(&U->m, wide ? &Q->m : &P->m);
    gsl_matrix_memcpy(&V->m, wide ? &P->m : &Q->m);
  }
  if (work) gsl_vector_free(work);
  drop(P);
  drop(Q);
  return ok;
}
#endif

/* ---------------------------------------------------------------- decompositions used throughout */

/* Flip columns so the entry of largest magnitude in each column of V is positive (first one on
 * ties): LAPACK and GSL then agree on every printed vector. U's columns follow V's. */
static void fix_signs(Mat *V, Mat *U) {
  for (size_t j = 0; j < mat_cols(V); j++) {
    double best = 0;
    for (size_t i = 0; i < mat_rows(V); i++)
      if (fabs(*at(V, i, j)) > fabs(best)) best = *at(V, i, j);
    if (best >= 0) continue;
    for (size_t i = 0; i < mat_rows(V); i++) *at(V, i, j) = -*at(V, i, j);
    if (U)
      for (size_t i = 0; i < mat_rows(U); i++) *at(U, i, j) = -*at(U, i, j);
  }
}

/* Eigenvalues (ascending, n×1; or just the extreme one as 1×1 when which != 0) and optionally the
 * eigenvectors (columns of an n×n matrix) of the symmetric n×n S, n > 0. S is destroyed. */
static bool sym_eigen(Args *a, Mat *S, int which, Mat **vals, Mat **vecs) {
  size_t n = mat_rows(S);
  Mat *W = new_mat(a, n, 1), *Z = W && vecs ? new_mat(a, n, n) : NULL;
  if (!W || (vecs && !Z)) {
    drop(W);
    return false;
  }
#ifdef DLT_HAVE_LAPACK
  bool ok = eigen_lapack(a, S, which, W, Z); /* signs fixed there */
#else
  bool ok = eigen_gsl(a, S, which, W, Z);
  if (ok && Z) fix_signs(Z, NULL);
#endif
  if (!ok) {
    drop(W);
    drop(Z);
    return false;
  }
  if (which) W->m.size1 = 1;
  *vals = W;
  if (vecs) *vecs = Z;
  return true;
}

/* Thin SVD of the finite m×n A: s (k×1, descending, k = min(m, n)) and, when U is non-NULL, the
 * m×k U and n×k V with A = U diag(s) V'. */
static bool svd_thin(Args *a, const Mat *A, Mat **s, Mat **U, Mat **V) {
  size_t M = mat_rows(A), N = mat_cols(A), K = M < N ? M : N;
  Mat *S = new_zero(a, K, 1);
  Mat *u = S && U ? new_zero(a, M, K) : NULL, *v = u ? new_zero(a, N, K) : NULL;
  bool ok = S && (!U || (u && v));
#ifdef DLT_HAVE_LAPACK
  if (ok && K > 0) ok = svd_lapack(a, A, S, u, v);
#else
  if (ok && K > 0) ok = svd_gsl(a, A, S, u, v);
#endif
  if (!ok) {
    drop(S);
    drop(u);
    drop(v);
    return false;
  }
  if (U) {
    fix_signs(v, u);
    *U = u;
    *V = v;
  }
  *s = S;
  return true;
}

/* LU with partial pivoting of a private copy. The diagonal of LU holds the pivots and signum the
 * sign of the row permutation, which is all det and logdet need; the rest depends on the path:
 * - GSL: P A = L U, row-major, with the permutation p (gsl_linalg_LU_decomp).
 * - LAPACK: dgetrf on the row-major buffer as it is, i.e. on A' in column-major order: P A' = L U
 *   with the pivots in ipiv. Then dgetrs('T') solves A x = b, dgetri turns it into A^-1 directly
 *   (the inverse of A' read row-major), and dlacn2 with dgetrs estimates ||A^-1||_1. */
typedef struct {
  Mat *LU;
  gsl_permutation *p;
  int *ipiv;
  int signum;
} LUFact;

static void lu_free(LUFact *f) {
  drop(f->LU);
  if (f->p) gsl_permutation_free(f->p);
  free(f->ipiv);
}

/* The largest column sum of |A|, summed a row at a time (the column walk crossed a cache line per
 * entry: 3% of solve's time at n = 1000); each column still adds its rows in order. */
/* The largest of C column sums, nan if any is nan (fmax would drop it). */
static double largest_sum(const double *sum, size_t C) {
  double best = 0;
  for (size_t j = 0; j < C; j++) best = isnan(sum[j]) ? sum[j] : fmax(best, sum[j]);
  return best;
}

static double norm_one(const Mat *A) {
  size_t R = mat_rows(A), C = mat_cols(A);
  double best = 0, *sum = calloc(C ? C : 1, sizeof *sum);
  if (!sum) {
    for (size_t j = 0; j < C; j++) {
      double t = 0;
      for (size_t i = 0; i < R; i++) t += fabs(*at(A, i, j));
      best = isnan(t) ? t : fmax(best, t);
    }
    return best;
  }
  for (size_t i = 0; i < R; i++) {
    const double *row = at(A, i, 0);
    for (size_t j = 0; j < C; j++) sum[j] += fabs(row[j]);
  }
  best = largest_sum(sum, C);
  free(sum);
  return best;
}

/* ||A||_1 ||A^-1||_1 from ||A||_1 and the estimate of ||A^-1||_1. When ||A||_1 overflows (entries near the
 * largest double), as (||A||_1 / m) (m ||A^-1||_1) with m the largest |entry|: neither factor
 * overflows when the product does not. */
static double cond_from(const Mat *A, double anorm, double inv_norm) {
  if (isfinite(anorm)) return anorm * inv_norm;
  size_t R = mat_rows(A), C = mat_cols(A);
  double m = max_abs(A), c = 0;
  for (size_t j = 0; j < C; j++) {
    double t = 0;
    for (size_t i = 0; i < R; i++) t += fabs(*at(A, i, j)) / m;
    c = fmax(c, t);
  }
  return c * (m * inv_norm);
}

#ifdef DLT_HAVE_LAPACK
extern void dgetrf_(const int *m, const int *n, double *A, const int *lda, int *ipiv, int *info);
extern void dgetrs_(const char *trans, const int *n, const int *nrhs, const double *A, const int *lda,
                    const int *ipiv, double *B, const int *ldb, int *info, size_t);
extern void dgetri_(const int *n, double *A, const int *lda, const int *ipiv, double *work, const int *lwork,
                    int *info);
extern void dlacn2_(const int *n, double *v, double *x, int *isgn, double *est, int *kase, int *isave);

/* f->LU := its LU factors in place; n > 0, finite and square. A zero pivot is not an error here
 * (det is then 0). */
static bool lu_decompose(Args *a, LUFact *f) {
  if (!lapack_dim(a, mat_rows(f->LU))) return false;
  int n = (int)mat_rows(f->LU), info = 0;
  f->ipiv = malloc((size_t)n * sizeof(int));
  if (!f->ipiv) return oom_false(a);
  dgetrf_(&n, &n, f->LU->data, &n, f->ipiv, &info);
  if (info < 0) return lapack_failed(a, "dgetrf", info);
  f->signum = 1;
  for (int k = 0; k < n; k++)
    if (f->ipiv[k] != k + 1) f->signum = -f->signum;
  return true;
}

/* The two vectors dlacn2 always asks A^-1 x of, whatever A is: its start (1/n, ..., 1/n) and its
 * last test (1 + (i-1)/(n-1) with alternating signs), written as dlacn2 writes them. solve computes
 * A^-1 of both with the right-hand side, in one pass over the LU where there were three
 * (lu_solve_all), and lu_cond hands over the answer when dlacn2 asks. A request is recognised by
 * its bits, so a dlacn2 that asked for something else would simply get a product computed then. */
static void estimator_probes(int n, double *start, double *last) {
  double sign = 1;
  for (int i = 0; i < n; i++) {
    start[i] = 1.0 / n;
    last[i] = sign * (1.0 + (double)i / (n > 1 ? n - 1 : 1));
    sign = -sign;
  }
}

/* x := A^-1 x if x is one of the probes (probe: the two probes, then their products). */
static bool probe_answer(int n, const double *probe, double *x) {
  for (int p = 0; probe && p < 2; p++)
    if (memcmp(x, probe + (size_t)p * n, (size_t)n * sizeof *x) == 0) {
      memcpy(x, probe + (size_t)(2 + p) * n, (size_t)n * sizeof *x);
      return true;
    }
  return false;
}

/* ||A||_1 ||A^-1||_1, with ||A^-1||_1 estimated by Hager and Higham's method (LAPACK's dlacn2,
 * which asks for products with A^-1 and A^-T in turn) and the products done by dgetrs, which
 * OpenBLAS runs as two triangular solves. dgecon does the same with dlatrs, LAPACK's reference
 * solver that guards every step against overflow: 6% of solve's time at n = 1000, against 2% now.
 * Without the guard a product may overflow; the estimate is then inf and the matrix is refused,
 * which is what dgecon's answer would have led to. dlacn2 usually asks for 4 or 5 products, 11 at most. */
static bool lu_cond(Args *a, const Mat *A, double anorm, const LUFact *f, const double *probe, double *cond) {
  int n = (int)mat_rows(A), one = 1, info = 0, kase = 0, isave[3] = {0, 0, 0};
  double *v = malloc(2 * (size_t)n * sizeof(double));
  int *isgn = malloc((size_t)n * sizeof(int));
  if (!v || !isgn) {
    free(v);
    free(isgn);
    return oom_false(a);
  }
  double *x = v + n, est = 0;
  for (;;) {
    dlacn2_(&n, v, x, isgn, &est, &kase, isave);
    if (kase == 0) break;
    if (kase == 1 && probe_answer(n, probe, x)) continue;
    /* LU holds A' (row-major A read column-major): A^-1 x is dgetrs('T'), A^-T x dgetrs('N') */
    dgetrs_(kase == 1 ? "T" : "N", &n, &one, f->LU->data, &n, f->ipiv, x, &n, &info, 1);
    if (info != 0) break;
    bool finite = true;
    for (int k = 0; k < n; k++) finite &= isfinite(x[k]) != 0;
    if (!finite) {
      est = INFINITY;
      break;
    }
  }
  free(v);
  free(isgn);
  if (info != 0) return lapack_failed(a, "dgetrs", info);
  *cond = cond_from(A, anorm, est);
  return true;
}

/* X := A^{-1} X, and with probe (room for 4n numbers) the estimator's probes and their products
 * too. dgetrs wants the columns column-major: X is n×k row-major, so it goes through a buffer W
 * (n×m column-major) unless it is a single column with nothing beside it. */
static bool lu_solve_all(Args *a, const LUFact *f, Mat *X, double *probe) {
  size_t R = mat_rows(X), K = mat_cols(X);
  int n = (int)R, k = (int)K, m = k + (probe ? 2 : 0), info = 0;
  if (!lapack_dim(a, K + 2)) return false;
  double *W = m == 1 ? X->data : malloc(R * (size_t)m * sizeof *W);
  if (!W) return oom_false(a);
  gsl_matrix_view Xt = gsl_matrix_view_array(W, K, R); /* W's first k columns, as X' */
  if (m > 1) transpose_into(&Xt.matrix, &X->m);
  if (probe) {
    estimator_probes(n, probe, probe + R);
    memcpy(W + K * R, probe, 2 * R * sizeof *W);
  }
  dgetrs_("T", &n, &m, f->LU->data, &n, f->ipiv, W, &n, &info, 1);
  if (m > 1) transpose_into(&X->m, &Xt.matrix);
  if (probe) memcpy(probe + 2 * R, W + K * R, 2 * R * sizeof *W);
  if (m > 1) free(W);
  return info == 0 || lapack_failed(a, "dgetrs", info);
}

/* A^-1, taking over f->LU. */
static Mat *lu_inverse(Args *a, LUFact *f) {
  int n = (int)mat_rows(f->LU), lwork = -1, info = 0;
  double wq = 0;
  dgetri_(&n, f->LU->data, &n, f->ipiv, &wq, &lwork, &info);
  if ((info != 0 && !lapack_failed(a, "dgetri", info)) || !lapack_work(a, wq, &lwork)) return NULL;
  double *work = malloc((size_t)lwork * sizeof(double));
  if (!work) return oom_false(a), NULL;
  dgetri_(&n, f->LU->data, &n, f->ipiv, work, &lwork, &info);
  free(work);
  if (info != 0) return lapack_failed(a, "dgetri", info), NULL;
  Mat *X = f->LU;
  f->LU = NULL;
  return X;
}
#else
static bool lu_decompose(Args *a, LUFact *f) {
  f->p = gsl_permutation_alloc(mat_rows(f->LU));
  if (!f->p) return oom_false(a);
  int st = gsl_linalg_LU_decomp(&f->LU->m, f->p, &f->signum);
  if (st) {
    dlt_error_gsl(a->I, a->call, a->fname, st);
    return false;
  }
  return true;
}

/* x := A^{-1} x or A^{-T} x from P A = L U, for GSL's 1-norm estimator. */
static int lu_apply_inverse(CBLAS_TRANSPOSE_t trans, gsl_vector *x, void *params) {
  const LUFact *f = params;
  if (trans == CblasNoTrans) return gsl_linalg_LU_svx(&f->LU->m, f->p, x);
  gsl_blas_dtrsv(CblasUpper, CblasTrans, CblasNonUnit, &f->LU->m, x);
  gsl_blas_dtrsv(CblasLower, CblasTrans, CblasUnit, &f->LU->m, x);
  return gsl_permute_vector_inverse(f->p, x);
}

/* GSL's estimator takes no precomputed products: probe is unused here. */
static bool lu_cond(Args *a, const Mat *A, double anorm, const LUFact *f, const double *probe, double *cond) {
  (void)probe;
  size_t n = mat_rows(A);
  gsl_vector *work = gsl_vector_alloc(3 * n);
  if (!work) return oom_false(a);
  double inorm = 0;
  int st = gsl_linalg_invnorm1(n, lu_apply_inverse, (void *)f, &inorm, work);
  gsl_vector_free(work);
  if (st) {
    dlt_gsl_clear();
    inorm = INFINITY;
  }
  *cond = cond_from(A, anorm, inorm);
  return true;
}

/* X := A^{-1} X for all columns at once: permute the rows, then two blocked triangular solves.
 * probe stays unused, as in lu_cond. */
static bool lu_solve_all(Args *a, const LUFact *f, Mat *X, double *probe) {
  (void)a, (void)probe;
  for (size_t j = 0; j < mat_cols(X); j++) {
    gsl_vector_view c = gsl_matrix_column(&X->m, j);
    gsl_permute_vector(f->p, &c.vector);
  }
  gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasUnit, 1.0, &f->LU->m, &X->m);
  gsl_blas_dtrsm(CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, 1.0, &f->LU->m, &X->m);
  return true;
}

static Mat *lu_inverse(Args *a, LUFact *f) {
  Mat *X = new_mat(a, mat_rows(f->LU), mat_rows(f->LU));
  int st = X ? gsl_linalg_LU_invert(&f->LU->m, f->p, &X->m) : 0;
  if (!st) return X;
  drop(X);
  dlt_error_gsl(a->I, a->call, a->fname, st);
  return NULL;
}
#endif

/* f := the LU factors of a private copy of A. */
static bool lu_factor(Args *a, const Mat *A, LUFact *f) {
  *f = (LUFact){.LU = copy_mat(a, A)};
  return f->LU && lu_decompose(a, f);
}

/* Copies A into dst (C columns) and adds |A_rc| to sum[c]: the copy solve and inv need anyway,
 * and ||A||_1 from the same pass over A. */
static void copy_abs_sums(const Mat *A, double *restrict dst, double *restrict sum) {
  size_t R = mat_rows(A), C = mat_cols(A);
  for (size_t r = 0; r < R; r++) {
    const double *restrict row = at(A, r, 0); /* restrict: no alias checks, so the loop vectorises */
    double *restrict out = dst + r * C;
    for (size_t c = 0; c < C; c++) {
      out[c] = row[c];
      sum[c] += fabs(row[c]);
    }
  }
}

/* Like lu_factor, and ||A||_1 with an error unless every entry is finite, all from one pass over A
 * where there were three (check, norm, copy: 5% of solve's time at n = 1000). A non-finite entry
 * makes its column's sum non-finite; only then are entries looked at one by one, for the message.
 * Finite entries whose sum overflows leave ||A||_1 = inf, which cond_from scales. */
static bool lu_factor_norm(Args *a, int i, const Mat *A, LUFact *f, double *anorm) {
  size_t n = mat_rows(A);
  *f = (LUFact){.LU = new_mat(a, n, n)};
  double *sum = f->LU ? calloc(n ? n : 1, sizeof *sum) : NULL;
  if (!sum) return f->LU && oom_false(a);
  copy_abs_sums(A, f->LU->data, sum);
  *anorm = largest_sum(sum, n);
  free(sum);
  if (!isfinite(*anorm) && !check_finite(a, i, A)) return false;
  return n == 0 || lu_decompose(a, f);
}

static bool refuse_singular(Args *a, int i, double cond) {
  arg_error(a, i, "the matrix is singular to working precision (estimated condition number %.3g)", cond);
  return false;
}

static bool pivots_finite(const LUFact *f) {
  bool all = true;
  for (size_t k = 0; k < mat_rows(f->LU); k++) all &= isfinite(*at(f->LU, k, k)) != 0;
  return all;
}

/* An answer computed from finite A that is not finite went through an entry of the LU that
 * overflowed: A is as good as singular, and says so as an LU that overflowed on the diagonal does.
 * A finite answer never met such an entry except multiplied by an exact zero, where its size
 * does not matter (0 * inf is nan, so a product with it would not be finite). */
static bool refuse_nonfinite(Args *a, int i, const Mat *X) {
  return all_finite(X) || refuse_singular(a, i, INFINITY);
}

static size_t first_zero_pivot(const LUFact *f) {
  size_t k = 0;
  while (k < mat_rows(f->LU) && *at(f->LU, k, k) != 0) k++;
  return k;
}

/* A solve is refused when a pivot is exactly zero or when the estimated 1-norm condition number
 * exceeds 1/eps: the answer would then have no correct digits. The estimate (Hager/Higham:
 * LAPACK's dlacn2, or GSL's gsl_linalg_invnorm1) costs a few O(n^2) solves and never
 * overestimates ||A^-1||. First the pivots: */
static bool lu_check_pivots(Args *a, int i, const LUFact *f) {
  size_t k = first_zero_pivot(f);
  if (k < mat_rows(f->LU)) {
    arg_error(a, i, "the matrix is singular (zero pivot at step %zu of its LU factorisation)", k + 1);
    return false;
  }
  /* Entries near the largest double can overflow during elimination ([[1e308, 1e308],
   * [-1e308, 1e308]] gives u22 = inf). The estimate's solves then divide by inf and look fine
   * (dgecon's guarded solver said inf), so an LU with a pivot that is not finite is refused here.
   * A non-finite entry off the diagonal is caught where it is used: the estimate's products, and
   * the answer (refuse_nonfinite), come out non-finite once they multiply by it. */
  return pivots_finite(f) || refuse_singular(a, i, INFINITY);
}

/* Then the condition number, after lu_check_pivots; probe as for lu_solve_all, or NULL. */
static bool lu_check_cond(Args *a, int i, const Mat *A, double anorm, const LUFact *f, const double *probe) {
  double cond = INFINITY;
  if (!lu_cond(a, A, anorm, f, probe, &cond)) return false;
  return cond * DBL_EPSILON <= 1 || refuse_singular(a, i, isnan(cond) ? INFINITY : cond);
}

/* ---------------------------------------------------------------- products */

static Value bi_dot(Args *a) {
  Value hx, hy;
  if (!arg_mat(a, 0, &hx)) return v_abrupt();
  if (!arg_mat(a, 1, &hy)) {
    val_release(hx);
    return v_abrupt();
  }
  Mat *x = AS_MAT(hx), *y = AS_MAT(hy);
  Value r = v_abrupt();
  if (check_vector(a, 0, x) && check_vector(a, 1, y)) {
    size_t n = mat_numel(x);
    if (n != mat_numel(y)) {
      call_error(a, "the vectors have different lengths, %zu and %zu", n, mat_numel(y));
    } else {
      double d = 0;
      if (n > 0) {
        gsl_vector_view vx = gsl_vector_view_array(x->data, n), vy = gsl_vector_view_array(y->data, n);
        gsl_blas_ddot(&vx.vector, &vy.vector, &d);
      }
      r = v_num(d);
    }
  }
  val_release(hx);
  val_release(hy);
  return r;
}

static Value bi_outer(Args *a) {
  Value hx, hy;
  if (!arg_mat(a, 0, &hx)) return v_abrupt();
  if (!arg_mat(a, 1, &hy)) {
    val_release(hx);
    return v_abrupt();
  }
  Mat *x = AS_MAT(hx), *y = AS_MAT(hy), *P = NULL;
  if (check_vector(a, 0, x) && check_vector(a, 1, y)) {
    size_t m = mat_numel(x), n = mat_numel(y);
    P = new_mat(a, m, n);
    if (P)
      for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) *at(P, i, j) = x->data[i] * y->data[j];
  }
  val_release(hx);
  val_release(hy);
  return scalar_if(a, 2, give(P));
}

static Value bi_kron(Args *a) {
  Value ha, hb;
  if (!arg_mat(a, 0, &ha)) return v_abrupt();
  if (!arg_mat(a, 1, &hb)) {
    val_release(ha);
    return v_abrupt();
  }
  Mat *A = AS_MAT(ha), *B = AS_MAT(hb), *K = NULL;
  size_t ma = mat_rows(A), na = mat_cols(A), mb = mat_rows(B), nb = mat_cols(B);
  if ((mb && ma > SIZE_MAX / mb) || (nb && na > SIZE_MAX / nb))
    dlt_error_oom(a->I, a->call, SIZE_MAX, 1);
  else
    K = new_mat(a, ma * mb, na * nb);
  if (K)
    for (size_t i = 0; i < ma; i++)
      for (size_t j = 0; j < na; j++)
        for (size_t p = 0; p < mb; p++)
          for (size_t q = 0; q < nb; q++) *at(K, i * mb + p, j * nb + q) = *at(A, i, j) * *at(B, p, q);
  val_release(ha);
  val_release(hb);
  return scalar_if(a, 2, give(K));
}

/* ---------------------------------------------------------------- builtins of one matrix */

typedef Value (*MatFn)(Args *a, const Mat *A);

/* Calls f on the first argument as a matrix, releasing it afterwards. */
static Value with_mat(Args *a, MatFn f) {
  Value h;
  if (!arg_mat(a, 0, &h)) return v_abrupt();
  Value r = f(a, AS_MAT(h));
  val_release(h);
  return scalar_if(a, 1, r);
}

static Value trace_of(Args *a, const Mat *A) {
  if (!check_square(a, 0, A)) return v_abrupt();
  double t = 0;
  for (size_t i = 0; i < mat_rows(A); i++) t += *at(A, i, i);
  return v_num(t);
}
static Value bi_trace(Args *a) { return with_mat(a, trace_of); }

/* ---- norms */

/* The Euclidean length in plain arithmetic when the squares cannot overflow or underflow, scaled
 * by the largest entry otherwise. (Not BLAS dnrm2: OpenBLAS's x86 kernel relies on x87 extended
 * precision for its range, which valgrind does not emulate.) */
static double vec_norm(const Mat *x, double p) {
  size_t n = mat_numel(x);
  const double *d = x->m.data;
  double m = max_abs(x), s = 0;
  if (p == 1 || (p == 2 && m > 1e-140 && m < 1e140)) {
    for (size_t i = 0; i < n; i++) s += p == 1 ? fabs(d[i]) : d[i] * d[i];
    return p == 1 ? s : sqrt(s);
  }
  if (isinf(p) || m == 0) return m;
  for (size_t i = 0; i < n; i++) s += pow(fabs(d[i]) / m, p);
  return m * pow(s, 1 / p);
}

static double norm_inf(const Mat *A) {
  double best = 0;
  for (size_t i = 0; i < mat_rows(A); i++) {
    double s = 0;
    for (size_t j = 0; j < mat_cols(A); j++) s += fabs(*at(A, i, j));
    best = fmax(best, s);
  }
  return best;
}

typedef enum { NORM_FRO, NORM_ONE, NORM_INF, NORM_OP, NORM_NUC, NORM_P } NormKind;

static bool norm_kind(Args *a, bool vector, NormKind *kind, double *p) {
  *kind = vector ? NORM_P : NORM_FRO;
  *p = 2;
  if (a->n < 2 || IS_NIL(a->v[1])) return true;
  if (IS_STR(a->v[1])) {
    const char *s = AS_STR(a->v[1])->s;
    if (strcmp(s, "fro") == 0)
      *kind = NORM_FRO;
    else if (strcmp(s, "op") == 0)
      *kind = NORM_OP;
    else if (strcmp(s, "nuc") == 0)
      *kind = NORM_NUC;
    else {
      arg_error(a, 1, "p must be a number, \"fro\", \"op\" or \"nuc\", got \"%s\"", s);
      return false;
    }
    /* a vector as an n×1 matrix: all three are its Euclidean length */
    if (vector) *kind = NORM_P;
    return true;
  }
  if (!arg_num(a, 1, p)) return false;
  if (vector) {
    if (*p >= 1) return true;
    char buf[32];
    arg_error(a, 1, "a vector norm needs p >= 1 (or inf), got %s", num_text(*p, buf));
    return false;
  }
  if (*p == 1) *kind = NORM_ONE;
  else if (*p == 2) *kind = NORM_OP;
  else if (isinf(*p) && *p > 0) *kind = NORM_INF;
  else {
    char buf[32];
    arg_error(a, 1, "a matrix norm takes p = 1, 2, inf, \"fro\", \"op\" or \"nuc\", got %s", num_text(*p, buf));
    return false;
  }
  return true;
}

static Value norm_of(Args *a, const Mat *X) {
  NormKind kind;
  double p;
  if (!norm_kind(a, mat_is_vector(X), &kind, &p)) return v_abrupt();
  if (mat_numel(X) == 0) return v_num(0);
  /* nan wins, then inf: every norm of such a matrix is that, and GSL/BLAS need not agree on it */
  bool inf = false;
  for (size_t k = 0; k < mat_numel(X); k++) {
    if (isnan(X->data[k])) return v_num(NAN);
    inf = inf || isinf(X->data[k]);
  }
  if (inf) return v_num(INFINITY);
  switch (kind) {
  case NORM_P: return v_num(vec_norm(X, p));
  case NORM_FRO: return v_num(vec_norm(X, 2));
  case NORM_ONE: return v_num(norm_one(X));
  case NORM_INF: return v_num(norm_inf(X));
  case NORM_OP:
  case NORM_NUC: break;
  }
  Mat *s;
  if (!svd_thin(a, X, &s, NULL, NULL)) return v_abrupt();
  double r = 0;
  for (size_t i = 0; i < mat_numel(s); i++) r = kind == NORM_OP ? fmax(r, s->data[i]) : r + s->data[i];
  drop(s);
  return v_num(r);
}
static Value bi_norm(Args *a) { return with_mat(a, norm_of); }

/* ---- determinants */

static Value det_of(Args *a, const Mat *A) {
  if (!check_square(a, 0, A) || !check_finite(a, 0, A)) return v_abrupt();
  if (mat_rows(A) == 0) return v_num(1);
  LUFact f;
  double d = 0;
  bool ok = lu_factor(a, A, &f);
  if (ok) d = gsl_linalg_LU_det(&f.LU->m, f.signum) + 0.0; /* a singular matrix's det is 0, not -0 */
  lu_free(&f);
  return ok ? v_num(d) : v_abrupt();
}
static Value bi_det(Args *a) { return with_mat(a, det_of); }

/* log det from the LU pivots: sum of log|u_ii|, which cannot overflow as det itself does. */
static Value logdet_of(Args *a, const Mat *A) {
  if (!check_square(a, 0, A) || !check_finite(a, 0, A)) return v_abrupt();
  if (mat_rows(A) == 0) return v_num(0);
  LUFact f;
  if (!lu_factor(a, A, &f)) {
    lu_free(&f);
    return v_abrupt();
  }
  Value r = v_abrupt();
  int sign = gsl_linalg_LU_sgndet(&f.LU->m, f.signum);
  if (sign > 0) {
    r = v_num(gsl_linalg_LU_lndet(&f.LU->m));
  } else if (sign < 0) {
    arg_error(a, 0, "the determinant is negative (log|det A| = %.6g); use log(abs(det(A))) for the log of its size",
              gsl_linalg_LU_lndet(&f.LU->m));
  } else {
    arg_error(a, 0, "the matrix is singular (zero pivot at step %zu), so det A = 0; log(abs(det(A))) is -inf",
              first_zero_pivot(&f) + 1);
  }
  lu_free(&f);
  return r;
}
static Value bi_logdet(Args *a) { return with_mat(a, logdet_of); }

/* ---- inverse and linear systems */


static Value inv_of(Args *a, const Mat *A) {
  double anorm;
  if (!check_square(a, 0, A)) return v_abrupt();
  if (mat_rows(A) == 0) return give(new_mat(a, 0, 0));
  LUFact f;
  Mat *X = NULL;
  if (lu_factor_norm(a, 0, A, &f, &anorm) && lu_check_pivots(a, 0, &f) && lu_check_cond(a, 0, A, anorm, &f, NULL))
    X = lu_inverse(a, &f);
  lu_free(&f);
  if (X && !refuse_nonfinite(a, 0, X)) drop(X), X = NULL;
  return give(X);
}
static Value bi_inv(Args *a) { return with_mat(a, inv_of); }

/* Two matrix arguments, released after f. */
typedef Value (*Mat2Fn)(Args *a, const Mat *A, const Mat *B);
static Value with_mats(Args *a, Mat2Fn f) {
  Value ha, hb;
  if (!arg_mat(a, 0, &ha)) return v_abrupt();
  if (!arg_mat(a, 1, &hb)) {
    val_release(ha);
    return v_abrupt();
  }
  Value r = f(a, AS_MAT(ha), AS_MAT(hb));
  val_release(ha);
  val_release(hb);
  return scalar_if(a, 2, r);
}

/* The right-hand side is solved before the condition check so that the estimator's two fixed
 * probes ride along in the same pass over the LU (estimator_probes). */
static Value solve_of(Args *a, const Mat *A, const Mat *b) {
  double anorm;
  if (!check_square(a, 0, A)) return v_abrupt();
  LUFact f;
  if (!lu_factor_norm(a, 0, A, &f, &anorm)) {
    lu_free(&f);
    return v_abrupt();
  }
  Mat *X = rhs_copy(a, 1, A, b);
  bool ok = X != NULL;
  if (ok && mat_numel(X) > 0) {
    double *probe = malloc(4 * mat_rows(A) * sizeof *probe);
    ok = (probe || oom_false(a)) && lu_check_pivots(a, 0, &f) && lu_solve_all(a, &f, X, probe) &&
         lu_check_cond(a, 0, A, anorm, &f, probe) && refuse_nonfinite(a, 0, X);
    free(probe);
  }
  lu_free(&f);
  if (!ok) drop(X);
  return ok ? v_obj(X) : v_abrupt();
}
static Value bi_solve(Args *a) { return with_mats(a, solve_of); }

/* The default rank tolerance: singular values at most max(m, n)·eps·s_max count as zero (the
 * convention of NumPy's matrix_rank and MATLAB's rank). */
static double default_tol(const Mat *A, const Mat *s) {
  size_t big = mat_rows(A) > mat_cols(A) ? mat_rows(A) : mat_cols(A);
  return mat_numel(s) ? (double)big * DBL_EPSILON * s->data[0] : 0;
}

static size_t count_above(const Mat *s, double tol) {
  size_t r = 0;
  while (r < mat_numel(s) && s->data[r] > tol) r++;
  return r;
}

/* The pseudo-inverse applied to B (m×k), or the pseudo-inverse itself when B is NULL:
 * V_r diag(1/s_r) U_r' B over the singular values above tol. */
static Mat *pinv_apply(Args *a, const Mat *A, const Mat *B, int tol_arg) {
  size_t m = mat_rows(A), n = mat_cols(A), k = B ? mat_cols(B) : m;
  double tol;
  bool has_tol;
  if (!opt_nonneg(a, tol_arg, "tol", &tol, &has_tol)) return NULL;
  if (!check_finite(a, 0, A)) return NULL;
  Mat *s, *U, *V;
  if (!svd_thin(a, A, &s, &U, &V)) return NULL;
  size_t r = count_above(s, has_tol ? tol : default_tol(A, s));
  Mat *X = new_zero(a, n, k);
  if (X && r > 0 && k > 0) {
    gsl_matrix_view Ur = gsl_matrix_submatrix(&U->m, 0, 0, m, r), Vr = gsl_matrix_submatrix(&V->m, 0, 0, n, r);
    Mat *C = new_mat(a, r, k); /* C = diag(1/s) U_r' B */
    if (C) {
      if (B)
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &Ur.matrix, &B->m, 0.0, &C->m);
      else
        transpose_into(&C->m, &Ur.matrix);
      for (size_t i = 0; i < r; i++) {
        gsl_vector_view row = gsl_matrix_row(&C->m, i);
        gsl_vector_scale(&row.vector, 1 / s->data[i]);
      }
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Vr.matrix, &C->m, 0.0, &X->m);
      drop(C);
    } else {
      drop(X);
      X = NULL;
    }
  }
  drop(s);
  drop(U);
  drop(V);
  return X;
}

static Value pinv_of(Args *a, const Mat *A) { return give(pinv_apply(a, A, NULL, 1)); }
static Value bi_pinv(Args *a) { return with_mat(a, pinv_of); }

static Value lstsq_of(Args *a, const Mat *A, const Mat *b) {
  size_t m = mat_rows(A);
  const Mat *B;
  if (mat_rows(b) == m) {
    B = b;
  } else if (mat_rows(b) == 1 && mat_cols(b) == m) {
    B = NULL; /* a row vector: use it as a column below */
  } else {
    arg_error(a, 1, "the right-hand side is %zu×%zu but the matrix is %zu×%zu; it needs %zu rows", mat_rows(b),
              mat_cols(b), m, mat_cols(A), m);
    return v_abrupt();
  }
  Mat *col = NULL;
  if (!B) {
    col = new_mat(a, m, 1);
    if (!col) return v_abrupt();
    memcpy(col->data, b->data, m * sizeof(double));
    B = col;
  }
  Mat *X = pinv_apply(a, A, B, 2);
  drop(col);
  return give(X);
}
static Value bi_lstsq(Args *a) { return with_mats(a, lstsq_of); }

/* ---- Cholesky */

/* The first leading k×k block that is not positive definite, found by bisection (positive
 * definiteness of leading blocks is monotone in k): a diagnostic only, after a failure. */
static size_t first_bad_minor(const Mat *S) {
  size_t lo = 0, hi = mat_rows(S); /* block lo is fine (or empty), block hi fails */
  gsl_matrix *W = gsl_matrix_alloc(hi, hi);
  if (!W) return hi;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    gsl_matrix_const_view src = gsl_matrix_const_submatrix(&S->m, 0, 0, mid, mid);
    gsl_matrix_view dst = gsl_matrix_submatrix(W, 0, 0, mid, mid);
    gsl_matrix_memcpy(&dst.matrix, &src.matrix);
    if (gsl_linalg_cholesky_decomp1(&dst.matrix) == GSL_SUCCESS)
      lo = mid;
    else
      hi = mid;
  }
  gsl_matrix_free(W);
  dlt_gsl_clear();
  return hi;
}

/* S is A + jitter·I; the eigenvalue and the advice are about A itself. */
static Value not_positive_definite(Args *a, const Mat *S, double jitter) {
  size_t k = first_bad_minor(S);
  Mat *E = copy_mat(a, S), *vals;
  if (!E) return v_abrupt();
  bool have = sym_eigen(a, E, -1, &vals, NULL);
  drop(E);
  if (!have) return v_abrupt();
  double lmin = vals->data[0] - jitter;
  drop(vals);
  return arg_error(a, 0,
                   "the matrix is not positive definite (the factorisation fails at pivot %zu, the leading %zu×%zu "
                   "block; smallest eigenvalue %.6g): cholesky(A, jitter=) factorises A + jitter·I, positive "
                   "definite for jitter > %.3g",
                   k, k, k, lmin, fmax(-lmin, 0));
}

static Value cholesky_of(Args *a, const Mat *A) {
  double jitter = 0;
  bool has_jitter;
  if (!opt_nonneg(a, 1, "jitter", &jitter, &has_jitter)) return v_abrupt();
  Mat *S = sym_copy(a, 0, A);
  if (!S) return v_abrupt();
  size_t n = mat_rows(S);
  for (size_t i = 0; i < n; i++) *at(S, i, i) += jitter;
  if (n == 0) return v_obj(S);
  Mat *L = copy_mat(a, S);
  if (!L) {
    drop(S);
    return v_abrupt();
  }
  if (gsl_linalg_cholesky_decomp1(&L->m) != GSL_SUCCESS) {
    dlt_gsl_clear();
    drop(L);
    Value e = not_positive_definite(a, S, jitter);
    drop(S);
    return e;
  }
  drop(S);
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++) *at(L, i, j) = 0; /* GSL leaves L' in the upper triangle */
  return v_obj(L);
}
static Value bi_cholesky(Args *a) { return with_mat(a, cholesky_of); }

static Value chol_solve_of(Args *a, const Mat *L, const Mat *b) {
  if (!check_square(a, 0, L) || !check_finite(a, 0, L)) return v_abrupt();
  size_t n = mat_rows(L);
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (*at(L, i, j) != 0)
        return arg_error(a, 0, "L must be lower-triangular (as cholesky returns it), but L[%zu, %zu] = %g", i + 1,
                         j + 1, *at(L, i, j));
  for (size_t i = 0; i < n; i++)
    if (*at(L, i, i) == 0) return arg_error(a, 0, "L is singular (zero on its diagonal at [%zu, %zu])", i + 1, i + 1);
  Mat *X = rhs_copy(a, 1, L, b);
  if (!X || mat_numel(X) == 0) return give(X);
  gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, &L->m, &X->m);
  gsl_blas_dtrsm(CblasLeft, CblasLower, CblasTrans, CblasNonUnit, 1.0, &L->m, &X->m);
  return v_obj(X);
}
static Value bi_chol_solve(Args *a) { return with_mats(a, chol_solve_of); }

/* ---- eigenvalues and singular values */

static Value eig_sym_of(Args *a, const Mat *A) {
  Mat *S = sym_copy(a, 0, A), *vals = NULL, *vecs = NULL;
  if (!S) return v_abrupt();
  size_t n = mat_rows(S);
  bool ok;
  if (n == 0) {
    vals = new_mat(a, 0, 1);
    vecs = vals ? new_mat(a, 0, 0) : NULL;
    ok = vecs != NULL;
  } else {
    ok = sym_eigen(a, S, 0, &vals, &vecs);
  }
  drop(S);
  if (!ok) {
    drop(vals);
    return v_abrupt();
  }
  Value r = record_new();
  record_set(AS_RECORD(r), "values", v_obj(vals));
  record_set(AS_RECORD(r), "vectors", v_obj(vecs));
  return r;
}
static Value bi_eig_sym(Args *a) { return with_mat(a, eig_sym_of); }

static Value extreme_eigen(Args *a, const Mat *A, int which) {
  Mat *S = sym_copy(a, 0, A), *vals;
  if (!S) return v_abrupt();
  if (mat_rows(S) == 0) {
    drop(S);
    return arg_error(a, 0, "the matrix is empty (0×0): it has no eigenvalues");
  }
  bool ok = sym_eigen(a, S, which, &vals, NULL);
  drop(S);
  if (!ok) return v_abrupt();
  double x = vals->data[0];
  drop(vals);
  return v_num(x);
}
static Value eigmin_of(Args *a, const Mat *A) { return extreme_eigen(a, A, -1); }
static Value eigmax_of(Args *a, const Mat *A) { return extreme_eigen(a, A, 1); }
static Value bi_eigmin(Args *a) { return with_mat(a, eigmin_of); }
static Value bi_eigmax(Args *a) { return with_mat(a, eigmax_of); }

static Value svd_of(Args *a, const Mat *A) {
  if (!check_finite(a, 0, A)) return v_abrupt();
  Mat *s, *U, *V;
  if (!svd_thin(a, A, &s, &U, &V)) return v_abrupt();
  Value r = record_new();
  record_set(AS_RECORD(r), "U", v_obj(U));
  record_set(AS_RECORD(r), "s", v_obj(s));
  record_set(AS_RECORD(r), "V", v_obj(V));
  return r;
}
static Value bi_svd(Args *a) { return with_mat(a, svd_of); }

static Value rank_of(Args *a, const Mat *A) {
  double tol;
  bool has_tol;
  if (!opt_nonneg(a, 1, "tol", &tol, &has_tol) || !check_finite(a, 0, A)) return v_abrupt();
  Mat *s;
  if (!svd_thin(a, A, &s, NULL, NULL)) return v_abrupt();
  size_t r = count_above(s, has_tol ? tol : default_tol(A, s));
  drop(s);
  return v_num((double)r);
}
static Value bi_rank(Args *a) { return with_mat(a, rank_of); }

static Value cond_of(Args *a, const Mat *A) {
  if (!check_finite(a, 0, A)) return v_abrupt();
  if (mat_numel(A) == 0)
    return arg_error(a, 0, "the matrix is empty (%zu×%zu): it has no condition number", mat_rows(A), mat_cols(A));
  Mat *s;
  if (!svd_thin(a, A, &s, NULL, NULL)) return v_abrupt();
  double lo = s->data[mat_numel(s) - 1], hi = s->data[0];
  drop(s);
  return v_num(lo == 0 ? INFINITY : hi / lo);
}
static Value bi_cond(Args *a) { return with_mat(a, cond_of); }

/* ---------------------------------------------------------------- functions of symmetric matrices */

typedef enum { FN_EXP, FN_SQRT, FN_USER } SymFn;

/* V diag(f(λ)) V', made exactly symmetric. */
static Value sym_function(Args *a, const Mat *A, SymFn kind) {
  Mat *S = sym_copy(a, 0, A), *vals = NULL, *vecs = NULL;
  if (!S) return v_abrupt();
  size_t n = mat_rows(S);
  if (n == 0) return v_obj(S);
  bool ok = sym_eigen(a, S, 0, &vals, &vecs);
  drop(S);
  if (!ok) return v_abrupt();
  double *lam = vals->data, top = fmax(fabs(lam[0]), fabs(lam[n - 1]));
  /* eigenvalues within rounding of zero (10·n·eps·max|λ|) count as zero for sqrtm_sym */
  double tiny = 10.0 * (double)n * DBL_EPSILON * top;
  for (size_t i = 0; i < n && ok; i++) {
    if (kind == FN_EXP) {
      lam[i] = exp(lam[i]);
    } else if (kind == FN_SQRT) {
      if (lam[i] < -tiny) {
        arg_error(a, 0, "the matrix is not positive semidefinite (smallest eigenvalue %.6g)", lam[i]);
        ok = false;
      } else {
        lam[i] = sqrt(fmax(lam[i], 0));
      }
    } else {
      Value x = v_num(lam[i]);
      ok = call_num(a, a->v[1], 1, &x, &lam[i]);
    }
  }
  Mat *W = ok ? copy_mat(a, vecs) : NULL, *R = NULL;
  if (W) {
    for (size_t j = 0; j < n; j++) {
      gsl_vector_view c = gsl_matrix_column(&W->m, j);
      gsl_vector_scale(&c.vector, lam[j]);
    }
    R = product(a, CblasNoTrans, W, CblasTrans, vecs);
    if (R)
      for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) *at(R, i, j) = *at(R, j, i) = 0.5 * (*at(R, i, j) + *at(R, j, i));
  }
  drop(W);
  drop(vals);
  drop(vecs);
  return give(R);
}

static Value expm_of(Args *a, const Mat *A) { return sym_function(a, A, FN_EXP); }
static Value sqrtm_of(Args *a, const Mat *A) { return sym_function(a, A, FN_SQRT); }
static Value funm_of(Args *a, const Mat *A) { return sym_function(a, A, FN_USER); }
static Value bi_expm_sym(Args *a) { return with_mat(a, expm_of); }
static Value bi_sqrtm_sym(Args *a) { return with_mat(a, sqrtm_of); }
static Value bi_funm_sym(Args *a) {
  if (!arg_callable(a, 1)) return v_abrupt();
  return with_mat(a, funm_of);
}

/* A^k by repeated squaring: about 2·log2|k| products. */
static Value matpow_of(Args *a, const Mat *A) {
  long k;
  if (!arg_int(a, 1, &k) || !check_square(a, 0, A)) return v_abrupt();
  size_t n = mat_rows(A);
  if (k == 0 || n == 0) return give(identity(a, n));
  Mat *B = NULL, *R = NULL;
  if (k < 0) {
    Value inv = inv_of(a, A);
    if (IS_ABRUPT(inv)) return inv;
    B = AS_MAT(inv);
  } else if (!(B = copy_mat(a, A))) {
    return v_abrupt();
  }
  unsigned long e = k < 0 ? -(unsigned long)k : (unsigned long)k;
  bool ok = true;
  while (ok) {
    if (e & 1) {
      Mat *next = R ? product(a, CblasNoTrans, R, CblasNoTrans, B) : copy_mat(a, B);
      drop(R);
      R = next;
      ok = R != NULL;
    }
    e >>= 1;
    if (!e || !ok) break;
    Mat *sq = product(a, CblasNoTrans, B, CblasNoTrans, B);
    drop(B);
    B = sq;
    ok = B != NULL;
  }
  drop(B);
  if (!ok) {
    drop(R);
    return v_abrupt();
  }
  return v_obj(R);
}
static Value bi_matpow(Args *a) { return with_mat(a, matpow_of); }

static const Builtin linalg_builtins[] = {
  {"dot", bi_dot, 2, 2, NULL, "dot(x, y)", "the inner product of two vectors of equal length (either orientation), a number", NULL},
  {"outer", bi_outer, 2, 2, NULL, "outer(x, y)", "the outer product x y' of two vectors: a len(x)×len(y) matrix", NULL},
  {"kron", bi_kron, 2, 2, NULL, "kron(A, B)", "the Kronecker product: a block matrix with blocks A[i, j]·B", NULL},
  {"trace", bi_trace, 1, 1, NULL, "trace(A)", "the sum of the diagonal of a square matrix", NULL},
  {"norm", bi_norm, 1, 2, NULL, "norm(x, p=)", "a vector p-norm (default 2) or a matrix norm (default \"fro\"; 1, 2 or \"op\", inf, \"nuc\")", NULL},
  {"det", bi_det, 1, 1, NULL, "det(A)", "the determinant of a square matrix (LU with partial pivoting)", NULL},
  {"logdet", bi_logdet, 1, 1, NULL, "logdet(A)", "log det A for a matrix with positive determinant, without overflow", NULL},
  {"solve", bi_solve, 2, 2, NULL, "solve(A, b)", "x with A x = b for a square non-singular A; b a vector or a matrix of right-hand sides", NULL},
  {"inv", bi_inv, 1, 1, NULL, "inv(A)", "the inverse of a square non-singular matrix", NULL},
  {"lstsq", bi_lstsq, 2, 3, NULL, "lstsq(A, b, tol=)", "the minimum-norm least-squares solution of A x ≈ b, for any shape and rank (SVD)", NULL},
  {"pinv", bi_pinv, 1, 2, NULL, "pinv(A, tol=)", "the Moore-Penrose pseudo-inverse (n×m for an m×n A)", NULL},
  {"cholesky", bi_cholesky, 1, 2, NULL, "cholesky(A, jitter=0)", "the lower-triangular L with A + jitter·I = L L' for a symmetric positive definite A", NULL},
  {"chol_solve", bi_chol_solve, 2, 2, NULL, "chol_solve(L, b)", "x with (L L') x = b, L lower-triangular as cholesky returns it", NULL},
  {"eig_sym", bi_eig_sym, 1, 1, NULL, "eig_sym(A)", "eigen-decomposition of a symmetric matrix: {values (ascending), vectors (as columns)}", NULL},
  {"eigmin", bi_eigmin, 1, 1, NULL, "eigmin(A)", "the smallest eigenvalue of a symmetric matrix", NULL},
  {"eigmax", bi_eigmax, 1, 1, NULL, "eigmax(A)", "the largest eigenvalue of a symmetric matrix", NULL},
  {"svd", bi_svd, 1, 1, NULL, "svd(A)", "thin singular value decomposition {U, s, V} with A = U diag(s) V', s descending", NULL},
  {"rank", bi_rank, 1, 2, NULL, "rank(A, tol=)", "the number of singular values above tol (default max(m, n)·eps·s_max)", NULL},
  {"cond", bi_cond, 1, 1, NULL, "cond(A)", "the 2-norm condition number s_max/s_min (inf when singular)", NULL},
  {"expm_sym", bi_expm_sym, 1, 1, NULL, "expm_sym(A)", "the matrix exponential of a symmetric matrix", NULL},
  {"sqrtm_sym", bi_sqrtm_sym, 1, 1, NULL, "sqrtm_sym(A)", "the positive semidefinite square root of a symmetric positive semidefinite matrix", NULL},
  {"funm_sym", bi_funm_sym, 2, 2, NULL, "funm_sym(A, f)", "V diag(f(λ)) V' for a symmetric A = V diag(λ) V' and a function f of a number", NULL},
  {"matpow", bi_matpow, 2, 2, NULL, "matpow(A, k)", "A^k for a square A and an integer k (negative k through the inverse; k = 0 gives I)", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_linalg = {"linalg", linalg_builtins};
