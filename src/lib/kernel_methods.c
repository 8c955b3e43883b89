/* lib/kernel_methods.c - what is done with a kernel (kernel.h): kernel ridge regression, the GP
 * posterior, kernel gradient descent and gradient flow in closed form, random-feature kernels,
 * Gram spectra and RKHS norms.
 *
 * Conventions (docs/library/kernel-methods.md has the formulas):
 *   KRR minimises (1/n) Σ (f(x_i) − y_i)² + γ‖f‖²_H, so α = (K + nγI)⁻¹y (seed 002 §2.3, DESIGN §5).
 *   Kernel GD and flow are on L(f) = (1/(2n)) Σ (f(x_i) − y_i)², neural-tangents'
 *   gradient_descent_mse convention and DLT's train(loss="half_mse"): on the training points the
 *   residual obeys r' = −(1/n) K r (flow) or r ← (I − (lr/n) K) r (one GD step).
 * Factorisations: Cholesky (GSL) for the solves, one symmetric eigendecomposition (LAPACK dsyevd
 * when configure found it, else gsl_eigen_symmv) for spectra and for the dynamics at any number of
 * times. */
#include "config.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sort_vector.h>

#include "../arith.h"
#include "../interp.h"
#include "../print.h"
#include "../resolve.h"
#include "kernel.h"
#include "measure.h"
#include "net.h"
#include "random.h"

/* ------------------------------------------------------------------ small helpers */
static void drop(Mat *m) {
  if (m) val_release(v_obj(m));
}

static Mat *new_mat(Args *a, size_t r, size_t c) {
  Mat *m = mat_alloc(r, c);
  if (!m) dlt_error_oom(a->I, a->call, r, c);
  return m;
}

static Mat *copy_mat(Args *a, const Mat *src) {
  Mat *m = new_mat(a, mat_rows(src), mat_cols(src));
  if (m) gsl_matrix_memcpy(&m->m, &src->m);
  return m;
}

/* The kernel's formula, for messages and printing (a caller frees). */
static char *kernel_text(const Kernel *k) {
  StrBuf b = STRBUF_INIT;
  kernel_class.print((Obj *)k, &b);
  return sb_take(&b);
}

/* A Gram matrix from a user kernel (or a kernel overflowing) can hold nan or inf; every
 * factorisation below would turn that into noise, so it is refused by name. */
static bool gram_finite(Args *a, const Mat *K, const char *what) {
  for (size_t i = 0; i < mat_rows(K); i++)
    for (size_t j = 0; j < mat_cols(K); j++) {
      double v = K->data[i * K->m.tda + j];
      if (!isfinite(v)) {
        call_error(a, "the kernel gave %s[%zu, %zu] = %s; it must be finite", what, i + 1, j + 1, num_text(v).s);
        return false;
      }
    }
  return true;
}

/* Keyword argument `name` as a set of points for k (as kernel_points does for a positional one). */
static bool kw_points(Args *a, const char *name, const Kernel *k, Mat **X) {
  int idx = -1;
  for (int q = 0; q < a->nkw; q++)
    if (strcmp(a->kwnames[q], name) == 0) idx = q;
  Args b = *a;
  b.n = 1;
  b.v = &a->kw[idx];
  b.argnodes = a->kwnodes ? &a->kwnodes[idx] : NULL;
  return kernel_points(&b, 0, k, X);
}

/* Targets for n points as an n×c matrix: a vector of n values becomes n×1 (a column); with
 * vector_only nothing else is accepted. */
static bool targets(Args *a, int i, const char *name, size_t n, bool vector_only, Mat **out) {
  Value v;
  if (!arg_mat(a, i, &v)) return false;
  Mat *Y = AS_MAT(v);
  for (size_t q = 0; q < mat_numel(Y) && mat_cols(Y) == Y->m.tda; q++)
    if (!isfinite(Y->data[q])) {
      arg_error(a, i, "%s must be finite, entry %zu is %s", name, q + 1, num_text(Y->data[q]).s);
      val_release(v);
      return false;
    }
  if (mat_is_vector(Y) && mat_numel(Y) == n) {
    Y = mat_clone(Y);
    val_release(v);
    if (!Y) {
      dlt_error_oom(a->I, a->call, n, 1);
      return false;
    }
    Y->m.size1 = n;
    Y->m.size2 = 1;
    Y->m.tda = 1;
    *out = Y;
    return true;
  }
  if (!vector_only && mat_rows(Y) == n && n > 0) {
    *out = Y;
    return true;
  }
  StrBuf s = STRBUF_INIT;
  fmt_shape(&s, mat_rows(Y), mat_cols(Y));
  if (vector_only)
    arg_error(a, i, "%s must be a vector of %zu values (one per point), got %s", name, n, sb_cstr(&s));
  else
    arg_error(a, i, "%s must have one value (or one row) per point: %zu points, got %s", name, n, sb_cstr(&s));
  sb_free(&s);
  val_release(v);
  return false;
}

/* f(argv...) as a number, or an error naming the function as `what` ("f0(x)", "φ(x, θ)") */
static bool call_scalar(Args *a, Value f, int argc, const Value *argv, const char *what, double *out) {
  Value r = dlt_call(a->I, f, argc, argv, a->call);
  if (IS_ABRUPT(r)) return false;
  bool ok = val_scalar(r, out);
  if (!ok) call_error(a, "%s must return a number, got a %s", what, val_type_name(r));
  val_release(r);
  return ok;
}

/* ------------------------------------------------------------------ symmetric eigensolver */
#ifdef DLT_HAVE_LAPACK
extern void dsyevd_(const char *jobz, const char *uplo, const int *n, double *A, const int *lda, double *w,
                    double *work, const int *lwork, int *iwork, const int *liwork, int *info, size_t, size_t);

/* A row-major symmetric matrix is its own column-major self; dsyevd leaves the eigenvectors as
 * columns of the column-major result, i.e. as the rows of S as DLT stores it. */
static bool sym_eig_impl(Args *a, Mat *S, double *w, Mat *V) {
  size_t N = mat_rows(S);
  if (N > (size_t)INT_MAX / 8) {
    call_error(a, "the Gram matrix is too large for LAPACK (%zu points)", N);
    return false;
  }
  int n = (int)N, lwork = -1, liwork = -1, iwq = 0, info = 0;
  double wq = 0;
  const char *jobz = V ? "V" : "N";
  dsyevd_(jobz, "L", &n, S->data, &n, w, &wq, &lwork, &iwq, &liwork, &info, 1, 1);
  if (info != 0 || !(wq >= 1 && wq <= (double)INT_MAX) || iwq < 1) {
    call_error(a, "LAPACK dsyevd failed on the Gram matrix (info = %d)", info);
    return false;
  }
  lwork = (int)wq;
  liwork = iwq;
  double *work = malloc((size_t)lwork * sizeof(double));
  int *iwork = malloc((size_t)liwork * sizeof(int));
  bool ok = work && iwork;
  if (!ok) dlt_error_oom(a->I, a->call, (size_t)lwork, 1);
  if (ok) {
    dsyevd_(jobz, "L", &n, S->data, &n, w, work, &lwork, iwork, &liwork, &info, 1, 1);
    if (info != 0) ok = (call_error(a, "LAPACK dsyevd did not converge on the Gram matrix (info = %d)", info), false);
  }
  free(work);
  free(iwork);
  if (ok && V) gsl_matrix_transpose_memcpy(&V->m, &S->m);
  return ok;
}
#else
static bool sym_eig_impl(Args *a, Mat *S, double *w, Mat *V) {
  size_t n = mat_rows(S);
  gsl_vector_view wv = gsl_vector_view_array(w, n);
  int st;
  if (V) {
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(n);
    if (!ws) return (dlt_error_oom(a->I, a->call, n, n), false);
    st = gsl_eigen_symmv(&S->m, &wv.vector, &V->m, ws);
    gsl_eigen_symmv_free(ws);
    if (!st) st = gsl_eigen_symmv_sort(&wv.vector, &V->m, GSL_EIGEN_SORT_VAL_ASC);
  } else {
    gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(n);
    if (!ws) return (dlt_error_oom(a->I, a->call, n, n), false);
    st = gsl_eigen_symm(&S->m, &wv.vector, ws);
    gsl_eigen_symm_free(ws);
    if (!st) gsl_sort_vector(&wv.vector);
  }
  if (st) {
    dlt_error_gsl(a->I, a->call, a->fname, st);
    dlt_gsl_clear();
    return false;
  }
  return true;
}
#endif

/* Eigenvalues of the symmetric K (ascending, into w) and, when V is non-NULL, its orthonormal
 * eigenvectors as the columns of V. K itself is not changed. */
static bool sym_eig(Args *a, const Mat *K, double *w, Mat *V) {
  if (mat_rows(K) == 0) return true;
  Mat *S = copy_mat(a, K);
  if (!S) return false;
  bool ok = sym_eig_impl(a, S, w, V);
  drop(S);
  return ok;
}

/* The smallest eigenvalue of K + shift·I, for messages about positive definiteness. */
static double min_eig(Args *a, const Mat *K, double shift, bool *ok) {
  size_t n = mat_rows(K);
  double *w = malloc((n ? n : 1) * sizeof *w);
  Mat *S = w ? copy_mat(a, K) : NULL;
  *ok = S != NULL;
  if (!w) dlt_error_oom(a->I, a->call, n, 1);
  double r = NAN;
  if (S) {
    for (size_t i = 0; i < n; i++) *mat_at(S, i, i) += shift;
    *ok = sym_eig_impl(a, S, w, NULL);
    if (*ok) r = w[0];
  }
  drop(S);
  free(w);
  return r;
}

/* The lower Cholesky factor of K + shift·I in a new matrix; NULL after an error. When the matrix
 * is not positive definite the message (`what`, e.g. "K + nγI") names its smallest eigenvalue
 * and `hint` says what to do. */
static Mat *chol_shifted(Args *a, const Mat *K, double shift, const char *what, const char *hint) {
  Mat *L = copy_mat(a, K);
  if (!L) return NULL;
  for (size_t i = 0; i < mat_rows(L); i++) *mat_at(L, i, i) += shift;
  if (gsl_linalg_cholesky_decomp1(&L->m) == GSL_SUCCESS) return L;
  dlt_gsl_clear();
  drop(L);
  bool ok;
  double lmin = min_eig(a, K, shift, &ok);
  if (ok)
    call_error(a, "%s is not positive definite: its smallest eigenvalue is %s (%zu points)%s", what, num_text(lmin).s,
               mat_rows(K), hint);
  return NULL;
}

/* B ← (L Lᵀ)⁻¹ B */
static void chol_solve_inplace(const Mat *L, Mat *B) {
  if (!mat_rows(B) || !mat_cols(B)) return;
  gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, &L->m, &B->m);
  gsl_blas_dtrsm(CblasLeft, CblasLower, CblasTrans, CblasNonUnit, 1.0, &L->m, &B->m);
}

/* The kernel (argument 0), its training points (argument 1) and their Gram matrix. */
static bool kernel_data(Args *a, Kernel **k, Mat **X, Mat **K) {
  *X = NULL;
  *K = NULL;
  if (!arg_kernel(a, 0, k) || !kernel_points(a, 1, *k, X)) return false;
  *K = kernel_gram(a, *k, *X, NULL);
  if (*K && gram_finite(a, *K, "K")) return true;
  drop(*X);
  drop(*K);
  *X = *K = NULL;
  return false;
}

static bool need_points(Args *a, const Mat *X) {
  if (mat_rows(X) > 0) return true;
  call_error(a, "there are no training points (X has 0 rows)");
  return false;
}

/* ------------------------------------------------------------------ the KRR predictor */
/* A fitted kernel ridge regression: p(Xs) = k(Xs, X) α. Immutable, like kernels. */
typedef struct Predictor {
  Ext ext;
  Value kernel, X, y, alpha;
  double gamma;
} Predictor;

static void pred_free(Obj *o) {
  Predictor *p = (Predictor *)o;
  val_release(p->kernel);
  val_release(p->X);
  val_release(p->y);
  val_release(p->alpha);
}

static void pred_print(Obj *o, StrBuf *b) {
  Predictor *p = (Predictor *)o;
  sb_puts(b, "krr(");
  val_print(b, p->kernel, PRINT_DISPLAY);
  sb_printf(b, ", n=%zu, γ=%s)", mat_rows(AS_MAT(p->X)), num_text(p->gamma).s);
}

static void pred_traverse(Obj *o, void (*visit)(Value *slot, void *ctx), void *ctx) {
  Predictor *p = (Predictor *)o;
  Value *slots[] = {&p->kernel, &p->X, &p->y, &p->alpha};
  for (int i = 0; i < 4; i++)
    if (IS_OBJ(*slots[i])) visit(slots[i], ctx);
}

static bool val_is_predictor(Value v);

/* a KRR predictor is its own kernel's expansion: Xs rows are points, the result one value per
 * point (a number for a single point and a single output) */
static Value pred_call(Interp *I, Obj *self, Args *args) {
  Predictor *p = (Predictor *)self;
  Args a = *args;
  a.fname = "predictor";
  if (a.nkw > 0) return call_error(&a, "a predictor takes no keyword arguments (got %s=)", a.kwnames[0]);
  if (a.n != 1) return call_error(&a, "a predictor takes one argument (a point, or points as rows), got %d", a.n);
  Kernel *k = as_kernel(p->kernel);
  Mat *Xs;
  size_t d = mat_cols(AS_MAT(p->X));
  Value arg = a.v[0], row = v_nil();
  if (d > 1 && (IS_MAT(arg) || IS_LIST(arg) || IS_RANGE(arg))) {
    /* a vector of length d is one point of the training inputs' dimension, whatever the kernel's */
    Value mv = val_as_mat(I, arg, arg_span(&a, 0), "the point");
    if (IS_ABRUPT(mv)) return mv;
    if (mat_is_vector(AS_MAT(mv)) && mat_numel(AS_MAT(mv)) == d) {
      Mat *R = new_mat(&a, 1, d);
      if (!R) {
        val_release(mv);
        return v_abrupt();
      }
      memcpy(R->data, AS_MAT(mv)->data, d * sizeof(double));
      row = v_obj(R);
      a.v = &row;
    }
    val_release(mv);
  }
  bool got = kernel_points(&a, 0, k, &Xs);
  val_release(row);
  if (!got) return v_abrupt();
  if (mat_cols(Xs) != d) {
    Value e = arg_error(&a, 0, "the predictor was fitted on points in R^%zu (the rows of X), got %zu point%s in R^%zu", d,
                        mat_rows(Xs), mat_rows(Xs) == 1 ? "" : "s", mat_cols(Xs));
    drop(Xs);
    return e;
  }
  Mat *Ks = kernel_gram(&a, k, Xs, AS_MAT(p->X));
  drop(Xs);
  if (!Ks) return v_abrupt();
  Mat *alpha = AS_MAT(p->alpha);
  Mat *F = new_mat(&a, mat_rows(Ks), mat_cols(alpha));
  if (F && mat_numel(F)) gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Ks->m, &alpha->m, 0.0, &F->m);
  drop(Ks);
  if (!F) return v_abrupt();
  if (mat_numel(F) == 1) {
    double v = F->data[0];
    drop(F);
    return v_num(v);
  }
  return v_obj(F);
}

static Value pred_get_field(Interp *I, Obj *self, const char *name, const Span *where) {
  static const char *const fields[] = {"alpha", "X", "y", "kernel", "gamma", "n"};
  Predictor *p = (Predictor *)self;
  if (strcmp(name, "alpha") == 0) return val_retain(p->alpha);
  if (strcmp(name, "X") == 0) return val_retain(p->X);
  if (strcmp(name, "y") == 0) return val_retain(p->y);
  if (strcmp(name, "kernel") == 0) return val_retain(p->kernel);
  if (strcmp(name, "gamma") == 0) return v_num(p->gamma);
  if (strcmp(name, "n") == 0) return v_num((double)mat_rows(AS_MAT(p->X)));
  const char *s = dlt_suggest(name, fields, 6);
  if (s) return dlt_error(I, where, "a predictor has no field '%s'; did you mean '%s'?", name, s);
  return dlt_error(I, where, "a predictor has no field '%s' (fields: alpha, X, y, kernel, gamma, n)", name);
}

static bool pred_equal(Obj *self, Value other) { return IS_OBJ(other) && other.u.o == self; }

static const ExtClass predictor_class = {
  .name = "predictor",
  .free = pred_free,
  .print = pred_print,
  .equal = pred_equal,
  .get_field = pred_get_field,
  .call = pred_call,
  .traverse = pred_traverse,
};

static bool val_is_predictor(Value v) { return IS_EXT(v) && AS_EXT(v)->cls == &predictor_class; }

/* ------------------------------------------------------------------ krr */
static Value bi_krr(Args *a) {
  Kernel *k;
  Mat *X, *K, *Y = NULL, *L = NULL;
  double gamma;
  if (!kernel_data(a, &k, &X, &K)) return v_abrupt();
  size_t n = mat_rows(X);
  bool ok = need_points(a, X) && targets(a, 2, "y", n, false, &Y) && kw_nonneg(a, "gamma", 0, &gamma);
  if (ok) {
    L = chol_shifted(a, K, (double)n * gamma, "K + nγI",
                     gamma > 0 ? "" : "; with gamma = 0 the kernel must be strictly positive definite on X: take gamma > 0");
    ok = L != NULL;
  }
  Value r = v_abrupt();
  if (ok) {
    Mat *alpha = copy_mat(a, Y);
    if (alpha) {
      chol_solve_inplace(L, alpha);
      Predictor *p = obj_new(OBJ_EXT, sizeof(Predictor));
      p->ext.cls = &predictor_class;
      p->kernel = val_retain(a->v[0]);
      p->X = v_obj(X);
      p->y = v_obj(Y);
      p->alpha = v_obj(alpha);
      p->gamma = gamma;
      X = Y = NULL;
      r = v_obj(p);
    }
  }
  drop(L);
  drop(K);
  drop(X);
  drop(Y);
  return r;
}

/* ------------------------------------------------------------------ gp_posterior */
static Value bi_gp_posterior(Args *a) {
  Kernel *k;
  Mat *X, *K, *Y = NULL, *Xs = NULL, *Ks = NULL, *Kss = NULL, *L = NULL, *mean = NULL, *V = NULL, *var = NULL;
  double noise;
  if (!kernel_data(a, &k, &X, &K)) return v_abrupt();
  size_t n = mat_rows(X);
  bool ok = need_points(a, X) && targets(a, 2, "y", n, false, &Y) && kernel_points(a, 3, k, &Xs) &&
            kw_nonneg(a, "noise", 0, &noise);
  if (ok) {
    Ks = kernel_gram(a, k, Xs, X);
    Kss = Ks ? kernel_gram(a, k, Xs, NULL) : NULL;
    ok = Kss && gram_finite(a, Ks, "k(Xs, X)") && gram_finite(a, Kss, "k(Xs, Xs)");
  }
  if (ok) {
    L = chol_shifted(a, K, noise, "K + noise·I",
                     noise > 0 ? "" : "; with noise = 0 the kernel must be strictly positive definite on X: take noise > 0");
    ok = L != NULL;
  }
  size_t m = ok ? mat_rows(Xs) : 0;
  if (ok) {
    /* mean = Ks (K + σ²I)⁻¹ y; cov = Kss − VᵀV with V = L⁻¹ Ksᵀ */
    Mat *alpha = copy_mat(a, Y);
    mean = alpha ? new_mat(a, m, mat_cols(Y)) : NULL;
    V = mean ? new_mat(a, n, m) : NULL;
    var = V ? new_mat(a, m, 1) : NULL;
    ok = var != NULL;
    if (ok && m) {
      chol_solve_inplace(L, alpha);
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Ks->m, &alpha->m, 0.0, &mean->m);
      gsl_matrix_transpose_memcpy(&V->m, &Ks->m);
      gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, &L->m, &V->m);
      gsl_blas_dsyrk(CblasLower, CblasTrans, -1.0, &V->m, 1.0, &Kss->m);
      for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < i; j++) *mat_at(Kss, j, i) = *mat_at(Kss, i, j);
      /* rounding can leave a tiny negative variance where the posterior is certain */
      for (size_t i = 0; i < m; i++) var->data[i] = fmax(*mat_at(Kss, i, i), 0.0);
    }
    drop(alpha);
  }
  Value r = v_abrupt();
  if (ok) {
    r = record_new();
    record_set(AS_RECORD(r), "mean", v_obj(mean));
    record_set(AS_RECORD(r), "var", v_obj(var));
    record_set(AS_RECORD(r), "cov", v_obj(Kss));
    mean = var = Kss = NULL;
  }
  Mat *all[] = {X, K, Y, Xs, Ks, Kss, L, mean, V, var};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) drop(all[i]);
  return r;
}

/* ------------------------------------------------------------------ kernel_gd, kernel_flow */
/* The times (flow) or step counts (GD) asked for, as a vector of T values. */
static bool dyn_times(Args *a, bool gd, double *lr, Mat **times) {
  *times = NULL;
  const Value *t = kw_get(a, "t"), *steps = gd ? kw_get(a, "steps") : NULL;
  if (gd) {
    bool present;
    if (!kw_num(a, "lr", lr, &present)) return false;
    if (!present) return call_error(a, "lr= (the step size) is required"), false;
    if (!(*lr > 0 && isfinite(*lr))) return kw_error(a, "lr", "lr must be a positive finite number, got %s", num_text(*lr).s), false;
    if (t && steps) return kw_error(a, "t", "give steps= or t= (= lr·steps), not both"), false;
    if (!t && !steps) return call_error(a, "steps= (or t= = lr·steps) is required"), false;
  } else if (!t) {
    return call_error(a, "t= (the training time, a number or a vector of times; inf for the limit) is required"), false;
  }
  const char *name = t ? "t" : "steps";
  Value tv = *(t ? t : steps);
  if (!(IS_NUM(tv) || IS_MAT(tv) || IS_LIST(tv) || IS_RANGE(tv)))
    return kw_error(a, name, "%s must be a number or a vector of numbers, got a %s", name, val_type_name(tv)), false;
  Value mv = val_as_mat(a->I, tv, kw_span(a, name), name);
  if (IS_ABRUPT(mv)) return false;
  Mat *M = AS_MAT(mv);
  if (!mat_is_vector(M) && mat_numel(M) > 0) {
    kw_error(a, name, "%s must be a number or a vector, got a %zu×%zu matrix", name, mat_rows(M), mat_cols(M));
    val_release(mv); /* M with it */
    return false;
  }
  size_t nm = mat_numel(M);
  Mat *S = mat_clone(M);
  val_release(mv);
  if (!S) return dlt_error_oom(a->I, a->call, nm, 1), false;
  for (size_t j = 0; j < mat_numel(S); j++) {
    double v = S->data[j];
    if (isnan(v) || v < 0 || (gd && isinf(v))) {
      drop(S);
      return kw_error(a, name, "%s must be %s, got %s", name, gd ? "finite and >= 0" : ">= 0 (inf for the limit)",
                      num_text(v).s), false;
    }
    if (gd && t) { /* GD only exists at whole numbers of steps */
      double s = v / *lr, rs = nearbyint(s);
      if (fabs(s - rs) > 1e-9 * fmax(1.0, rs)) {
        drop(S);
        return kw_error(a, "t", "t = %s is not a whole number of steps of lr = %s (t/lr = %s)", num_text(v).s,
                        num_text(*lr).s, num_text(s).s), false;
      }
      if (rs > 9007199254740992.0) {
        drop(S);
        return kw_error(a, "t", "t = %s is %s steps of lr = %s, more than 2^53", num_text(v).s, num_text(rs).s,
                        num_text(*lr).s), false;
      }
      v = rs;
    }
    if (gd && (v != floor(v) || v > 9007199254740992.0)) {
      drop(S);
      return kw_error(a, "steps", "steps must be whole numbers >= 0, got %s", num_text(v).s), false;
    }
    S->data[j] = v;
  }
  *times = S;
  return true;
}

/* f at time 0 on X (into fX) and on Xs (into fS, when Xs is given): f0= is a number, a network or
 * a KRR predictor (called on the whole batch), another function of one point, or a vector of
 * values on X (only without Xs=). Absent: 0. */
static bool call_batch(Args *a, Value f, Mat *P, double *out) {
  Value arg = v_obj(P);
  Value r = dlt_call(a->I, f, 1, &arg, kw_span(a, "f0"));
  if (IS_ABRUPT(r)) return false;
  Value m = val_as_mat(a->I, r, kw_span(a, "f0"), "f0's result");
  val_release(r);
  if (IS_ABRUPT(m)) return false;
  bool ok = mat_is_vector(AS_MAT(m)) && mat_numel(AS_MAT(m)) == mat_rows(P);
  if (ok) memcpy(out, AS_MAT(m)->data, mat_rows(P) * sizeof(double));
  else
    kw_error(a, "f0", "f0 must give one value per point: %zu points, got a %zu×%zu result", mat_rows(P),
             mat_rows(AS_MAT(m)), mat_cols(AS_MAT(m)));
  val_release(m);
  return ok;
}

static bool call_points(Args *a, Value f, Mat *P, double *out) {
  size_t d = mat_cols(P);
  for (size_t i = 0; i < mat_rows(P); i++) {
    Value x;
    if (d == 1) x = v_num(*mat_at(P, i, 0));
    else {
      Mat *c = new_mat(a, d, 1);
      if (!c) return false;
      memcpy(c->data, mat_at(P, i, 0), d * sizeof(double));
      x = v_obj(c);
    }
    bool ok = call_scalar(a, f, 1, &x, "f0(x)", &out[i]);
    val_release(x);
    if (!ok) return false;
  }
  return true;
}

static bool initial_values(Args *a, Mat *X, Mat *Xs, double *fX, double *fS) {
  size_t n = mat_rows(X), m = Xs ? mat_rows(Xs) : 0;
  const Value *f0 = kw_get(a, "f0");
  double c = 0;
  if (!f0 || IS_NUM(*f0) || IS_BOOL(*f0)) {
    if (f0) val_scalar(*f0, &c);
    if (!isfinite(c)) return kw_error(a, "f0", "f0 must be finite, got %s", num_text(c).s), false;
    for (size_t i = 0; i < n; i++) fX[i] = c;
    for (size_t i = 0; i < m; i++) fS[i] = c;
    return true;
  }
  bool ok;
  if (val_is_kernel(*f0))
    return kw_error(a, "f0", "f0 is a kernel; it must be a number, a function of one point, a network or values on X"), false;
  if (!val_is_callable(*f0) && !(IS_MAT(*f0) || IS_LIST(*f0) || IS_RANGE(*f0)))
    return kw_error(a, "f0", "f0 must be a number, a function of one point, a network or values on X, got a %s",
                    val_type_name(*f0)), false;
  if (val_is_callable(*f0)) {
    bool batch = val_is_network(*f0) || val_is_predictor(*f0);
    ok = batch ? call_batch(a, *f0, X, fX) && (!Xs || call_batch(a, *f0, Xs, fS))
               : call_points(a, *f0, X, fX) && (!Xs || call_points(a, *f0, Xs, fS));
  } else {
    if (Xs)
      return kw_error(a, "f0", "f0 given as values is known on X only; with Xs= pass f0 as a function or a network"), false;
    Value mv = val_as_mat(a->I, *f0, kw_span(a, "f0"), "f0");
    if (IS_ABRUPT(mv)) return false;
    Mat *M = AS_MAT(mv);
    ok = mat_is_vector(M) && mat_numel(M) == n;
    if (ok) memcpy(fX, M->data, n * sizeof(double));
    else
      kw_error(a, "f0", "f0 must be a number, a function, a network or %zu values (one per point), got a %zu×%zu matrix", n,
               mat_rows(M), mat_cols(M));
    val_release(mv);
  }
  if (!ok) return false;
  for (size_t i = 0; i < n + m; i++) {
    double v = i < n ? fX[i] : fS[i - n];
    if (!isfinite(v))
      return kw_error(a, "f0", "f0 is %s at %s point %zu; it must be finite", num_text(v).s, i < n ? "training" : "test",
                      (i < n ? i : i - n) + 1), false;
  }
  return true;
}

/* After time τ (flow) or s steps (GD), each eigencomponent of the residual on X is multiplied by
 * e(λ) = exp(−τλ/n) or (1 − lr·λ/n)^s. The training predictions move by V diag(1 − e) Vᵀ r0 and
 * the test ones by Ks V diag((1 − e)/λ) Vᵀ r0 (the limit τ/n or s·lr/n where λ = 0). Negative
 * eigenvalues are rounding of a PSD K and count as 0 (neural-tangents does the same). At τ = inf
 * the flow has projected the residual off the range of K: 1 − e = 1 and (1 − e)/λ = 1/λ above the
 * rank threshold n·eps·λ_max, 0 below it (so the test predictions are the minimum-norm
 * interpolant's). */
static void decay(bool gd, double lr, double tau, double lam, double n, double tol, double *one_minus_e, double *g) {
  double l = lam > 0 ? lam : 0;
  if (!gd && isinf(tau)) {
    *one_minus_e = l > tol ? 1 : 0;
    *g = l > tol ? 1 / l : 0;
    return;
  }
  double ome;
  if (!gd) ome = -expm1(-tau * l / n);
  else {
    double c = lr * l / n;
    ome = c < 1 ? -expm1(tau * log1p(-c)) : 1 - pow(1 - c, tau);
  }
  *one_minus_e = ome;
  *g = l > 0 ? ome / l : (gd ? tau * lr : tau) / n;
}

static Value kernel_dynamics(Args *a, bool gd) {
  Kernel *k;
  Mat *X, *K, *Y = NULL, *times = NULL, *Xs = NULL, *Ks = NULL, *V = NULL, *C = NULL, *G = NULL, *F = NULL, *FS = NULL,
          *KsV = NULL;
  double lr = 1, *w = NULL, *fX = NULL, *fS = NULL;
  if (!kernel_data(a, &k, &X, &K)) return v_abrupt();
  size_t n = mat_rows(X), m = 0;
  bool ok = need_points(a, X) && targets(a, 2, "y", n, true, &Y) && dyn_times(a, gd, &lr, &times);
  if (ok && kw_get(a, "Xs")) {
    ok = kw_points(a, "Xs", k, &Xs);
    Ks = ok ? kernel_gram(a, k, Xs, X) : NULL;
    ok = Ks && gram_finite(a, Ks, "k(Xs, X)");
    m = Xs ? mat_rows(Xs) : 0;
  }
  if (ok) {
    fX = malloc((n + m) * sizeof *fX);
    w = malloc(n * sizeof *w);
    if (!fX || !w) ok = (dlt_error_oom(a->I, a->call, n + m, 2), false);
    fS = fX ? fX + n : NULL;
  }
  ok = ok && initial_values(a, X, Xs, fX, fS);
  size_t T = ok ? mat_numel(times) : 0;
  if (ok) {
    V = new_mat(a, n, n);
    C = V ? new_mat(a, n, T) : NULL;
    G = C ? new_mat(a, n, T) : NULL;
    F = G ? new_mat(a, n, T) : NULL;
    ok = F && sym_eig(a, K, w, V);
  }
  if (ok && Xs) {
    FS = new_mat(a, m, T);
    KsV = FS ? new_mat(a, m, n) : NULL;
    ok = KsV != NULL;
  }
  if (ok) {
    /* c = Vᵀ r0 with r0 = y − f0(X): the residual to be fitted, in the eigenbasis */
    double *c = malloc(n * sizeof *c);
    if (!c) ok = (dlt_error_oom(a->I, a->call, n, 1), false);
    for (size_t i = 0; ok && i < n; i++) {
      double s = 0;
      for (size_t q = 0; q < n; q++) s += *mat_at(V, q, i) * (Y->data[q] - fX[q]);
      c[i] = s;
    }
    double tol = (double)n * DBL_EPSILON * fmax(w[n - 1], 0.0);
    for (size_t i = 0; ok && i < n; i++)
      for (size_t j = 0; j < T; j++) {
        double ome, g;
        decay(gd, lr, times->data[j], w[i], (double)n, tol, &ome, &g);
        *mat_at(C, i, j) = ome * c[i];
        *mat_at(G, i, j) = g * c[i];
      }
    free(c);
  }
  if (ok && T) {
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < T; j++) *mat_at(F, i, j) = fX[i];
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &V->m, &C->m, 1.0, &F->m);
    if (Xs && m) {
      for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < T; j++) *mat_at(FS, i, j) = fS[i];
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Ks->m, &V->m, 0.0, &KsV->m);
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &KsV->m, &G->m, 1.0, &FS->m);
    }
  }
  Value r = v_abrupt();
  if (ok && Xs) {
    r = record_new();
    record_set(AS_RECORD(r), "train", v_obj(F));
    record_set(AS_RECORD(r), "test", v_obj(FS));
    F = FS = NULL;
  } else if (ok) {
    r = v_obj(F);
    F = NULL;
  }
  Mat *all[] = {X, K, Y, times, Xs, Ks, V, C, G, F, FS, KsV};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) drop(all[i]);
  free(w);
  free(fX);
  return r;
}

static Value bi_kernel_gd(Args *a) { return kernel_dynamics(a, true); }
static Value bi_kernel_flow(Args *a) { return kernel_dynamics(a, false); }

/* ------------------------------------------------------------------ random features */
/* v[0] the m×p draws θ_j (rows), v[1] φ, v[2] the measure; p[0] = 1 when φ is vectorised. */
static Value point_value(Args *a, Mat *P, size_t i) {
  size_t d = mat_cols(P);
  if (d == 1) return v_num(*mat_at(P, i, 0));
  Mat *c = new_mat(a, d, 1);
  if (!c) return v_abrupt();
  memcpy(c->data, mat_at(P, i, 0), d * sizeof(double));
  return v_obj(c);
}

/* Φ[i, j] = φ(x_i, θ_j) into the n×m matrix Phi */
static bool rf_features(Args *a, const Kernel *k, Mat *X, Mat *Phi) {
  Mat *Th = AS_MAT(k->v[0]);
  size_t n = mat_rows(X), m = mat_rows(Th);
  if (k->p[0] != 0) {
    Value argv[2] = {v_obj(X), v_obj(Th)};
    Value r = dlt_call(a->I, k->v[1], 2, argv, a->call);
    if (IS_ABRUPT(r)) return false;
    Value mv = (IS_NUM(r) || IS_MAT(r)) ? val_as_mat(a->I, r, a->call, "φ's result") : v_nil();
    const char *got = val_type_name(r);
    val_release(r);
    if (IS_ABRUPT(mv)) return false;
    bool fits = IS_MAT(mv) && mat_rows(AS_MAT(mv)) == n && mat_cols(AS_MAT(mv)) == m;
    if (fits) gsl_matrix_memcpy(&Phi->m, &AS_MAT(mv)->m);
    else if (IS_MAT(mv))
      call_error(a, "random features with vectorized=true: φ(X, Θ) must return the %zu×%zu matrix [φ(x_i, θ_j)] (points × "
                    "features), got %zu×%zu", n, m, mat_rows(AS_MAT(mv)), mat_cols(AS_MAT(mv)));
    else
      call_error(a, "random features with vectorized=true: φ(X, Θ) must return a %zu×%zu matrix, got a %s", n, m, got);
    val_release(mv);
    return fits;
  }
  Value *th = malloc((m ? m : 1) * sizeof *th);
  if (!th) return (dlt_error_oom(a->I, a->call, m, 1), false);
  bool ok = true;
  size_t made = 0;
  for (; ok && made < m; made++) {
    th[made] = point_value(a, Th, made);
    ok = !IS_ABRUPT(th[made]);
  }
  if (!ok) made--;
  for (size_t i = 0; ok && i < n; i++) {
    Value argv[2] = {point_value(a, X, i), v_nil()};
    ok = !IS_ABRUPT(argv[0]);
    for (size_t j = 0; ok && j < m; j++) {
      argv[1] = th[j];
      ok = call_scalar(a, k->v[1], 2, argv, "random features: φ(x, θ)", mat_at(Phi, i, j));
    }
    val_release(argv[0]);
  }
  for (size_t j = 0; j < made; j++) val_release(th[j]);
  free(th);
  return ok;
}

static bool rf_gram(Args *a, const Kernel *k, Mat *X, Mat *Y, Mat *K) {
  size_t m = mat_rows(AS_MAT(k->v[0]));
  Mat *PX = new_mat(a, mat_rows(X), m);
  Mat *PY = PX && Y != X ? new_mat(a, mat_rows(Y), m) : NULL;
  bool ok = PX && (Y == X || PY) && rf_features(a, k, X, PX) && (Y == X || rf_features(a, k, Y, PY));
  if (ok) kernel_outer(1.0 / (double)m, PX, Y == X ? PX : PY, K);
  drop(PX);
  drop(PY);
  return ok;
}

static bool rf_diag(Args *a, const Kernel *k, Mat *X, double *out) {
  size_t m = mat_rows(AS_MAT(k->v[0]));
  Mat *P = new_mat(a, mat_rows(X), m);
  bool ok = P && rf_features(a, k, X, P);
  for (size_t i = 0; ok && i < mat_rows(X); i++) {
    double s = 0;
    for (size_t j = 0; j < m; j++) s += *mat_at(P, i, j) * *mat_at(P, i, j);
    out[i] = s / (double)m;
  }
  drop(P);
  return ok;
}

static void rf_print(const Kernel *k, StrBuf *b) {
  sb_puts(b, "random_features(");
  val_print(b, k->v[2], PRINT_DISPLAY);
  sb_puts(b, ", ");
  val_print(b, k->v[1], PRINT_DISPLAY);
  sb_printf(b, ", m=%zu%s)", mat_rows(AS_MAT(k->v[0])), k->p[0] != 0 ? ", vectorized=true" : "");
}

static const KernelKind rf_kind = {"random_features", rf_gram, rf_diag, rf_print, NULL, NULL};

static Value bi_random_features(Args *a) {
  Measure *mu;
  size_t m;
  if (!arg_measure(a, 0, &mu) || !arg_callable(a, 1) || !arg_size(a, 2, &m)) return v_abrupt();
  if (m == 0) return arg_error(a, 2, "the number of features m must be at least 1, got 0");
  double dim = 0;
  bool present, vec = false;
  if (!kw_num(a, "dim", &dim, &present)) return v_abrupt();
  if (present && (!(dim >= 1) || dim != floor(dim) || dim > 1e9))
    return kw_error(a, "dim", "dim must be a whole number >= 1, got %s", num_text(dim).s);
  const Value *vz = kw_get(a, "vectorized");
  if (vz && !IS_BOOL(*vz)) return kw_error(a, "vectorized", "vectorized must be true or false, got a %s", val_type_name(*vz));
  if (vz) vec = AS_BOOL(*vz);
  gsl_rng *rng = args_rng(a);
  if (!rng) return v_abrupt();
  Value th = measure_sample(a, mu, rng, m);
  args_rng_done(a, rng);
  if (IS_ABRUPT(th)) return th;
  Kernel *k = kernel_new(&rf_kind, (size_t)dim);
  k->v[0] = th;
  k->v[1] = val_retain(a->v[1]);
  k->v[2] = val_retain(a->v[0]);
  k->p[0] = vec ? 1 : 0;
  return kernel_value(k);
}

/* ------------------------------------------------------------------ spectra and norms */
static Value bi_spectrum(Args *a) {
  Kernel *k;
  Mat *X, *K;
  if (!kernel_data(a, &k, &X, &K)) return v_abrupt();
  Mat *w = new_mat(a, mat_rows(K), 1);
  bool ok = w && sym_eig(a, K, w->data, NULL);
  drop(X);
  drop(K);
  if (!ok) {
    drop(w);
    return v_abrupt();
  }
  return v_obj(w);
}

static Value bi_lambda_min(Args *a) {
  Kernel *k;
  Mat *X, *K;
  if (!kernel_data(a, &k, &X, &K)) return v_abrupt();
  Value r = v_abrupt();
  if (need_points(a, X)) {
    bool ok;
    double l = min_eig(a, K, 0, &ok);
    if (ok) r = v_num(l);
  }
  drop(X);
  drop(K);
  return r;
}

/* αᵀKα, which is ‖Σ α_i k(x_i, ·)‖²_H; a clearly negative value means K is not PSD */
static Value rkhs_from(Args *a, const Kernel *k, Mat *K, Mat *alpha) {
  size_t n = mat_rows(K);
  double q = 0, scale = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      double t = alpha->data[i] * *mat_at(K, i, j) * alpha->data[j];
      q += t;
      scale += fabs(t);
    }
  if (q >= 0) return v_num(sqrt(q));
  if (q >= -1e-12 * scale) return v_num(0);
  char *kt = kernel_text(k);
  Value e = call_error(a, "αᵀKα = %s < 0: %s is not positive semidefinite on these points", num_text(q).s, kt);
  free(kt);
  return e;
}

static Value bi_rkhs_norm(Args *a) {
  if (a->n == 1) {
    if (!val_is_predictor(a->v[0]))
      return arg_error(a, 0, "rkhs_norm takes a KRR predictor, or (k, X, alpha); got a %s", val_type_name(a->v[0]));
    Predictor *p = (Predictor *)AS_EXT(a->v[0]);
    Mat *alpha = AS_MAT(p->alpha);
    if (mat_cols(alpha) != 1)
      return arg_error(a, 0, "the predictor has %zu outputs; rkhs_norm needs one (take p.alpha[:, j])", mat_cols(alpha));
    Kernel *k = as_kernel(p->kernel);
    Mat *K = kernel_gram(a, k, AS_MAT(p->X), NULL);
    if (!K) return v_abrupt();
    Value r = rkhs_from(a, k, K, alpha);
    drop(K);
    return r;
  }
  if (a->n != 3) return call_error(a, "rkhs_norm takes (k, X, alpha) or a KRR predictor, got %d arguments", a->n);
  Kernel *k;
  Mat *X, *K, *alpha = NULL;
  if (!kernel_data(a, &k, &X, &K)) return v_abrupt();
  Value r = v_abrupt();
  if (targets(a, 2, "alpha", mat_rows(X), true, &alpha)) r = rkhs_from(a, k, K, alpha);
  drop(alpha);
  drop(X);
  drop(K);
  return r;
}

/* PD numerically: λ_min above tol, by default n·eps·λ_max (below it the Gram matrix is singular
 * to working precision, the rank threshold of linalg's rank()). */
static Value bi_check_pd(Args *a) {
  Kernel *k;
  Mat *X, *K;
  if (!kernel_data(a, &k, &X, &K)) return v_abrupt();
  size_t n = mat_rows(X);
  double tol = 0;
  bool present, ok = kw_num(a, "tol", &tol, &present);
  if (ok && present && !(tol >= 0 && isfinite(tol)))
    ok = (kw_error(a, "tol", "tol must be a finite number >= 0, got %s", num_text(tol).s), false);
  double *w = ok && n ? malloc(n * sizeof *w) : NULL;
  if (ok && n && !w) ok = (dlt_error_oom(a->I, a->call, n, 1), false);
  ok = ok && sym_eig(a, K, w, NULL);
  Value r = ok ? v_bool(true) : v_abrupt();
  if (ok && n) {
    if (!present) tol = (double)n * DBL_EPSILON * fmax(w[n - 1], 0.0);
    if (!(w[0] > tol)) {
      char *kt = kernel_text(k);
      r = call_error(a, "the Gram matrix of %s on the %zu points is not positive definite: its smallest eigenvalue is %s (tol = %s)",
                     kt, n, num_text(w[0]).s, num_text(tol).s);
      free(kt);
    }
  }
  free(w);
  drop(X);
  drop(K);
  return r;
}

/* ------------------------------------------------------------------ registration */
static const Builtin kernel_methods_builtins[] = {
  {"krr", bi_krr, 3, 3, "gamma", "krr(k, X, y, gamma=0)",
   "kernel ridge regression α = (K + nγI)⁻¹y: a predictor p, p(Xs) = k(Xs, X) α (fields alpha, X, y, kernel, gamma)", NULL},
  {"gp_posterior", bi_gp_posterior, 4, 4, "noise", "gp_posterior(k, X, y, Xs, noise=0)",
   "the GP posterior at the rows of Xs given y at X with noise variance noise: a record {mean, var, cov}", NULL},
  {"kernel_gd", bi_kernel_gd, 3, 3, "lr steps t Xs f0", "kernel_gd(k, X, y, lr=, steps=, t=, Xs=, f0=0)",
   "predictions of kernel gradient descent on (1/(2n))Σ(f − y)² after steps (a vector: one column each); {train, test} with Xs=", NULL},
  {"kernel_flow", bi_kernel_flow, 3, 3, "t Xs f0", "kernel_flow(k, X, y, t=, Xs=, f0=0)",
   "predictions of kernel gradient flow on (1/(2n))Σ(f − y)² at times t (a vector: one column each; inf allowed); {train, test} with Xs=", NULL},
  {"random_features", bi_random_features, 3, 3, "dim vectorized seed", "random_features(mu, phi, m, dim=, vectorized=false, seed=)",
   "the kernel (1/m) Σ_j φ(x, θ_j) φ(y, θ_j) with θ_1..θ_m drawn once from the measure mu", NULL},
  {"spectrum", bi_spectrum, 2, 2, NULL, "spectrum(k, X)", "the eigenvalues of the Gram matrix k(X), ascending (a vector)", NULL},
  {"lambda_min", bi_lambda_min, 2, 2, NULL, "lambda_min(k, X)", "the smallest eigenvalue of the Gram matrix k(X), a number", NULL},
  {"rkhs_norm", bi_rkhs_norm, 1, 3, NULL, "rkhs_norm(k, X, alpha) | rkhs_norm(p)",
   "the RKHS norm sqrt(αᵀKα) of Σ α_i k(x_i, ·), or of a KRR predictor p", NULL},
  {"check_pd", bi_check_pd, 2, 2, "tol", "check_pd(k, X, tol=)",
   "true when the Gram matrix k(X) is positive definite (λ_min > tol, default n·eps·λ_max), else an error naming λ_min", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_kernel_methods = {"kernel_methods", kernel_methods_builtins};
