/* lib/net_kernel.c - the kernels of a finite network, as Gram matrices: the empirical NTK
 * K(x, x') = ⟨∇_θ f(x), ∇_θ f(x')⟩ (seed 002 Def. 4.14, seed 003 eq. 2.1.8 with η = 1) and the
 * conjugate (random-features) kernel of the last hidden layer.
 *
 * The NTK is never formed as J Jᵀ from the n×P Jacobian. For a dense layer with inputs a_i and
 * output cotangents g_i, example i's weight gradient is wmult·g_i a_iᵀ, so the layer contributes
 *     wmult² (G_X G_Yᵀ) ∘ (A_X A_Yᵀ) + bmult² G_X G_Yᵀ,
 * which costs O(n²(in + out)) instead of O(n² in·out). The reverse-mode tape (net.h) hands us A
 * and G for every dense layer, nested ones included. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>

#include "../print.h"
#include "kernel.h"
#include "net.h"

typedef struct LayerGrads {
  size_t count, cap;
  const NetLayer **layer;
  Mat **A, **G; /* retained */
} LayerGrads;

static void grads_visit(void *ctx, size_t offset, const NetLayer *l, Mat *A, Mat *G) {
  (void)offset;
  LayerGrads *lg = ctx;
  if (lg->count == lg->cap) {
    lg->cap = lg->cap ? 2 * lg->cap : 8;
    lg->layer = dlt_xrealloc(lg->layer, lg->cap * sizeof *lg->layer);
    lg->A = dlt_xrealloc(lg->A, lg->cap * sizeof *lg->A);
    lg->G = dlt_xrealloc(lg->G, lg->cap * sizeof *lg->G);
  }
  lg->layer[lg->count] = l;
  lg->A[lg->count] = A;
  lg->G[lg->count] = G;
  val_retain(v_obj(A));
  val_retain(v_obj(G));
  lg->count++;
}

static void grads_free(LayerGrads *lg) {
  for (size_t i = 0; i < lg->count; i++) {
    val_release(v_obj(lg->A[i]));
    val_release(v_obj(lg->G[i]));
  }
  free(lg->layer);
  free(lg->A);
  free(lg->G);
  memset(lg, 0, sizeof *lg);
}

/* One backward pass per output k (cotangent e_k for every example); out[k] collects the layers. */
static bool collect(Args *a, const Network *f, Mat *X, LayerGrads *out) {
  Mat *Y;
  NetTape *t = net_tape(a, f, X, &Y);
  if (!t) return false;
  size_t n = mat_rows(X), dout = mat_cols(Y);
  val_release(v_obj(Y));
  bool ok = true;
  for (size_t k = 0; k < dout && ok; k++) {
    Mat *D = mat_alloc_zero(n, dout);
    if (!D) {
      dlt_error_oom(a->I, a->call, n, dout);
      ok = false;
      break;
    }
    for (size_t i = 0; i < n; i++) *mat_at(D, i, k) = 1;
    ok = net_tape_back(t, D, NULL, NULL, NULL, grads_visit, &out[k]);
    val_release(v_obj(D));
  }
  net_tape_free(t);
  return ok;
}

Mat *net_ntk_gram(Args *a, const Network *f, Mat *X, Mat *Y) {
  size_t n = mat_rows(X), m = Y ? mat_rows(Y) : n, dout = f->d_out;
  LayerGrads *gx = dlt_xmalloc(dout * sizeof *gx), *gy = Y ? dlt_xmalloc(dout * sizeof *gy) : gx;
  memset(gx, 0, dout * sizeof *gx);
  if (Y) memset(gy, 0, dout * sizeof *gy);
  Mat *K = mat_alloc_zero(n, m), *GG = mat_alloc(n, m), *AA = mat_alloc(n, m);
  bool ok = K && GG && AA;
  if (!ok) dlt_error_oom(a->I, a->call, n, m);
  ok = ok && collect(a, f, X, gx) && (!Y || collect(a, f, Y, gy));
  for (size_t k = 0; ok && k < dout; k++)
    for (size_t l = 0; l < gx[k].count; l++) {
      const NetLayer *L = gx[k].layer[l];
      Mat *Ay = Y ? gy[k].A[l] : gx[k].A[l], *Gy = Y ? gy[k].G[l] : gx[k].G[l];
      kernel_outer(1.0, gx[k].G[l], Gy, GG);
      kernel_outer(1.0, gx[k].A[l], Ay, AA);
      double w2 = L->wmult * L->wmult / (double)dout, b2 = L->b ? L->bmult * L->bmult / (double)dout : 0;
      for (size_t i = 0; i < n * m; i++) K->data[i] += GG->data[i] * (w2 * AA->data[i] + b2);
    }
  for (size_t k = 0; k < dout; k++) {
    grads_free(&gx[k]);
    if (Y) grads_free(&gy[k]);
  }
  free(gx);
  if (Y) free(gy);
  if (GG) val_release(v_obj(GG));
  if (AA) val_release(v_obj(AA));
  if (!ok && K) {
    val_release(v_obj(K));
    K = NULL;
  }
  return K;
}

/* ------------------------------------------------------------------ builtins */
/* The data arguments of a kernel builtin: X (rows are points, width d_in) and optional Y. */
static bool kernel_inputs(Args *a, const Network *f, Mat **X, Mat **Y) {
  *X = *Y = NULL;
  if (f->any_width) {
    arg_error(a, 0, "needs a network with fixed dimensions (an activation alone has no parameters)");
    return false;
  }
  for (int i = 1; i < a->n; i++) {
    Value v;
    if (!arg_mat(a, i, &v)) {
      if (*X) val_release(v_obj(*X));
      return false;
    }
    Mat *M = AS_MAT(v);
    /* one point of a 1-input network may come as a column; a d-vector for d > 1 as a row */
    if (f->d_in == 1 && mat_cols(M) != 1 && mat_rows(M) == 1) {
      Mat *T = mat_alloc(mat_cols(M), 1);
      if (T) memcpy(T->data, M->data, mat_numel(M) * sizeof(double));
      val_release(v);
      if (!T) {
        dlt_error_oom(a->I, a->call, mat_cols(M), 1);
        if (*X) val_release(v_obj(*X));
        return false;
      }
      M = T;
    }
    if (mat_cols(M) != f->d_in) {
      arg_error(a, i, "the points must be the rows of a matrix with %zu column%s (the network's input dimension), got %zu×%zu",
                f->d_in, f->d_in == 1 ? "" : "s", mat_rows(M), mat_cols(M));
      val_release(v_obj(M));
      if (*X) val_release(v_obj(*X));
      return false;
    }
    for (size_t q = 0; q < mat_numel(M); q++)
      if (!isfinite(M->data[q])) {
        arg_error(a, i, "the points must be finite, entry %zu is %s", q + 1, num_text(M->data[q]).s);
        val_release(v_obj(M));
        if (*X) val_release(v_obj(*X));
        return false;
      }
    if (i == 1) *X = M;
    else *Y = M;
  }
  return true;
}

/* empirical_ntk(f) and conjugate_kernel(f) with no points: the kernel value x, y ↦ K(x, y) of
 * the network at its current parameters, for kernel methods and kernel algebra */
static bool ntk_kind_gram(Args *a, const Kernel *k, Mat *X, Mat *Y, Mat *K);
static bool ck_kind_gram(Args *a, const Kernel *k, Mat *X, Mat *Y, Mat *K);

static void fk_print(const Kernel *k, StrBuf *b) {
  sb_puts(b, k->kind->gram == ntk_kind_gram ? "empirical_ntk(" : "conjugate_kernel(");
  val_print(b, k->v[0], PRINT_DISPLAY);
  sb_puts(b, ")");
}

static const KernelKind ntk_kind = {"empirical_ntk", ntk_kind_gram, NULL, fk_print, NULL, NULL};
static const KernelKind ck_kind = {"conjugate_kernel", ck_kind_gram, NULL, fk_print, NULL, NULL};

static Value network_kernel(Args *a, const KernelKind *kind) {
  Network *f = as_network(a->v[0]);
  if (f->any_width) return arg_error(a, 0, "needs a network with fixed dimensions (an activation alone has no parameters)");
  Kernel *k = kernel_new(kind, f->d_in);
  k->v[0] = val_retain(a->v[0]);
  return kernel_value(k);
}

static bool ntk_kind_gram(Args *a, const Kernel *k, Mat *X, Mat *Y, Mat *K) {
  Mat *G = net_ntk_gram(a, as_network(k->v[0]), X, X == Y ? NULL : Y);
  if (!G) return false;
  memcpy(K->data, G->data, mat_numel(G) * sizeof(double));
  val_release(v_obj(G));
  return true;
}

static Value bi_empirical_ntk(Args *a) {
  Network *f;
  Mat *X, *Y;
  if (!arg_network(a, 0, &f)) return v_abrupt();
  if (a->n == 1) return network_kernel(a, &ntk_kind);
  if (!kernel_inputs(a, f, &X, &Y)) return v_abrupt();
  Mat *K = net_ntk_gram(a, f, X, Y);
  val_release(v_obj(X));
  if (Y) val_release(v_obj(Y));
  return K ? v_obj(K) : v_abrupt();
}

static void last_dense_visit(void *ctx, size_t offset, const NetLayer *l, Mat *A, Mat *G) {
  (void)offset, (void)l, (void)G;
  Mat **phi = ctx;
  if (*phi) return; /* reverse mode meets the last dense layer first */
  *phi = A;
  val_retain(v_obj(A));
}

/* Φ: the input of f's last dense layer (the last hidden layer's post-activations) */
static Mat *features(Args *a, const Network *f, Mat *X) {
  Mat *Y, *phi = NULL;
  NetTape *t = net_tape(a, f, X, &Y);
  if (!t) return NULL;
  Mat *D = mat_alloc_zero(mat_rows(Y), mat_cols(Y));
  val_release(v_obj(Y));
  bool ok = D && net_tape_back(t, D, NULL, NULL, NULL, last_dense_visit, &phi);
  if (!D) dlt_error_oom(a->I, a->call, mat_rows(X), f->d_out);
  if (D) val_release(v_obj(D));
  net_tape_free(t);
  if (!ok && phi) {
    val_release(v_obj(phi));
    phi = NULL;
  }
  if (ok && !phi) call_error(a, "the network has no dense layer, so it has no features");
  return phi;
}

/* Φ(X)Φ(Y)ᵀ/N into K (n×m) */
static bool ck_into(Args *a, const Network *f, Mat *X, Mat *Y, Mat *K) {
  Mat *PX = features(a, f, X), *PY = PX && Y ? features(a, f, Y) : NULL;
  if (!PX || (Y && !PY)) {
    if (PX) val_release(v_obj(PX));
    return false;
  }
  kernel_outer(1.0, PX, PY ? PY : PX, K);
  size_t N = mat_cols(PX);
  for (size_t i = 0; i < mat_numel(K); i++) K->data[i] /= (double)(N ? N : 1);
  val_release(v_obj(PX));
  if (PY) val_release(v_obj(PY));
  return true;
}

static bool ck_kind_gram(Args *a, const Kernel *k, Mat *X, Mat *Y, Mat *K) {
  return ck_into(a, as_network(k->v[0]), X, X == Y ? NULL : Y, K);
}

static Value bi_conjugate_kernel(Args *a) {
  Network *f;
  Mat *X, *Y;
  if (!arg_network(a, 0, &f)) return v_abrupt();
  if (a->n == 1) return network_kernel(a, &ck_kind);
  if (!kernel_inputs(a, f, &X, &Y)) return v_abrupt();
  size_t n = mat_rows(X), m = Y ? mat_rows(Y) : n;
  Mat *K = mat_alloc(n, m);
  bool ok = K && ck_into(a, f, X, Y, K);
  if (!K) dlt_error_oom(a->I, a->call, n, m);
  val_release(v_obj(X));
  if (Y) val_release(v_obj(Y));
  if (!ok && K) val_release(v_obj(K));
  return ok ? v_obj(K) : v_abrupt();
}

static const Builtin net_kernel_builtins[] = {
  {"empirical_ntk", bi_empirical_ntk, 1, 3, NULL, "empirical_ntk(f, X=, Y=X)",
   "the empirical NTK Gram matrix ⟨∇_θ f(x_i), ∇_θ f(y_j)⟩ of a network at its current parameters (averaged over outputs); without X, the kernel value", NULL},
  {"conjugate_kernel", bi_conjugate_kernel, 1, 3, NULL, "conjugate_kernel(f, X=, Y=X)",
   "the conjugate (random-features) kernel φ(x_i)·φ(y_j)/N of the last hidden layer's N post-activations; without X, the kernel value", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_net_kernel = {"net_kernel", net_kernel_builtins};
