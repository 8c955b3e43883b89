/* lib/net_hessian.c - exact second derivatives of a network in its parameters θ.
 *
 * hvp(f, x, v) = (∇²_θ f(x)) v by Pearlmutter's R-operator: R{·} = d/dε ·(θ + εv) at ε = 0 applied
 * to the forward pass and to the backward (adjoint) pass. Everything that does not depend on v (the
 * layer inputs, the adjoints ∂f/∂(layer output), σ' and σ'' at the pre-activations) is recorded
 * once on a Tape; each product then costs one R-forward and one R-backward sweep, which touch only
 * matrices (a user activation is evaluated through dual numbers once, when the tape is made).
 *
 * For a dense layer z = m_W W a + m_b b with adjoint g = ∂f/∂z (rows = points):
 *     R z = m_W (Ra Wᵀ + a V_Wᵀ) + m_b V_b            (forward)
 *     R(∂f/∂W) = m_W (Rgᵀ a + gᵀ Ra),  R(∂f/∂b) = m_b Σ_rows Rg
 *     R(∂f/∂a) = m_W (Rg W + g V_W)                      (backward)
 * for y = σ(z): R y = σ'(z) Rz and R(∂f/∂z) = σ''(z) Rz ⊙ ∂f/∂y + σ'(z) R(∂f/∂y).
 * Residual blocks, sums and scales are linear, so R passes through them as the adjoint does.
 *
 * hessian_norm / hessian_eigs run Lanczos with full reorthogonalisation on the hvp operator; the
 * tridiagonal T is diagonalised by gsl_eigen_symmv, and H itself is never formed. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "../builtin.h"
#include "../eval.h"
#include "../interp.h"
#include "../print.h"
#include "calculus.h"
#include "net.h"

/* hessian() refuses larger networks: P×P doubles would be 128 MB at this size. */
#define HESS_MAX_P 4000

static void drop(Mat *m) {
  if (m) val_release(v_obj(m));
}

static Mat *new_mat(Args *a, size_t r, size_t c, bool zero) {
  Mat *m = zero ? mat_alloc_zero(r, c) : mat_alloc(r, c);
  if (!m) dlt_error_oom(a->I, a->call, r, c);
  return m;
}

/* out += alpha · B (same shape) */
static void mat_axpy(Mat *out, double alpha, const Mat *B) {
  for (size_t i = 0; i < mat_numel(out); i++) out->data[i] += alpha * B->data[i];
}

/* ------------------------------------------------------------------ the tape */
typedef struct Tape {
  size_t nl;
  Mat **in;          /* in[i]: the input of layer i (n×d); in[nl]: the chain's output before scale */
  Mat **g;           /* g[i]: ∂f/∂(output of layer i), the network's scale folded in */
  Mat **d1, **d2;    /* activation layers: σ' and σ'' at in[i] */
  Mat **rin;         /* R in[i], refreshed by every R-forward sweep */
  size_t *off;       /* θ offset of layer i from the network's first parameter */
  struct Tape ***sub;
} Tape;

static Mat **mats(size_t n) {
  Mat **m = dlt_xmalloc(n * sizeof *m);
  memset(m, 0, n * sizeof *m);
  return m;
}

static Tape *tape_new(const Network *f) {
  Tape *t = dlt_xmalloc(sizeof *t);
  size_t nl = f->nlayers;
  t->nl = nl;
  t->in = mats(nl + 1);
  t->g = mats(nl + 1);
  t->d1 = mats(nl + 1);
  t->d2 = mats(nl + 1);
  t->rin = mats(nl + 1);
  t->off = dlt_xmalloc((nl + 1) * sizeof *t->off);
  t->sub = dlt_xmalloc((nl + 1) * sizeof *t->sub);
  size_t o = 0;
  for (size_t i = 0; i < nl; i++) {
    const NetLayer *l = &f->layers[i];
    t->off[i] = o;
    t->sub[i] = NULL;
    if (l->kind == LAYER_DENSE) o += mat_numel(l->W) + (l->b ? mat_rows(l->b) : 0);
    if (l->nsub) {
      t->sub[i] = dlt_xmalloc(l->nsub * sizeof **t->sub);
      for (size_t k = 0; k < l->nsub; k++) {
        t->sub[i][k] = tape_new(l->sub[k]);
        o += net_nparams(l->sub[k]);
      }
    }
  }
  t->off[nl] = o;
  return t;
}

static void tape_free(Tape *t, const Network *f) {
  if (!t) return;
  for (size_t i = 0; i <= t->nl; i++) {
    drop(t->in[i]);
    drop(t->g[i]);
    drop(t->d1[i]);
    drop(t->d2[i]);
    drop(t->rin[i]);
  }
  for (size_t i = 0; i < t->nl; i++)
    if (t->sub[i]) {
      for (size_t k = 0; k < f->layers[i].nsub; k++) tape_free(t->sub[i][k], f->layers[i].sub[k]);
      free(t->sub[i]);
    }
  free(t->in);
  free(t->g);
  free(t->d1);
  free(t->d2);
  free(t->rin);
  free(t->off);
  free(t->sub);
  free(t);
}

static void keep(Mat **slot, Mat *m) {
  drop(*slot);
  val_retain(v_obj(m));
  *slot = m;
}

/* A copy of X times c, or X itself (a new reference) when c == 1. */
static Mat *scaled_ref(Args *a, Mat *X, double c) {
  if (c == 1) {
    val_retain(v_obj(X));
    return X;
  }
  Mat *S = new_mat(a, mat_rows(X), mat_cols(X), false);
  if (!S) return NULL;
  for (size_t i = 0; i < mat_numel(X); i++) S->data[i] = c * X->data[i];
  return S;
}

static Mat *t_fwd(Args *a, const Network *f, Mat *X, Tape *t);

/* Residual blocks and sums: X (for a residual) plus the outputs of the sub-networks. */
static Mat *branches_fwd(Args *a, const NetLayer *l, Mat *X, Tape **subt) {
  Mat *Z = NULL;
  if (l->kind == LAYER_RESIDUAL) {
    if (!(Z = new_mat(a, mat_rows(X), mat_cols(X), true))) return NULL;
    mat_axpy(Z, 1, X);
  }
  for (size_t k = 0; k < l->nsub; k++) {
    Mat *G = t_fwd(a, l->sub[k], X, subt[k]);
    if (!G) {
      drop(Z);
      return NULL;
    }
    if (!Z) {
      Z = G;
      continue;
    }
    mat_axpy(Z, 1, G);
    drop(G);
  }
  return Z;
}

static Mat *layer_fwd(Args *a, const NetLayer *l, Mat *X, Tape *t, size_t i) {
  size_t n = mat_rows(X), d = mat_cols(X);
  switch (l->kind) {
  case LAYER_DENSE: {
    size_t out = mat_rows(l->W);
    Mat *Z = new_mat(a, n, out, true);
    if (!Z) return NULL;
    if (n && out && d) gsl_blas_dgemm(CblasNoTrans, CblasTrans, l->wmult, &X->m, &l->W->m, 0.0, &Z->m);
    if (l->b)
      for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < out; j++) *mat_at(Z, r, j) += l->bmult * l->b->data[j];
    return Z;
  }
  case LAYER_ACT: {
    Mat *Z = new_mat(a, n, d, false), *D1 = Z ? new_mat(a, n, d, false) : NULL, *D2 = D1 ? new_mat(a, n, d, false) : NULL;
    bool ok = D2 != NULL;
    for (size_t q = 0; ok && q < n * d; q++)
      ok = act_eval(a, &l->act, X->data[q], &Z->data[q], &D1->data[q], &D2->data[q]);
    if (!ok) {
      drop(Z);
      drop(D1);
      drop(D2);
      return NULL;
    }
    t->d1[i] = D1;
    t->d2[i] = D2;
    return Z;
  }
  case LAYER_SCALE: return scaled_ref(a, X, l->c);
  case LAYER_RESIDUAL:
  case LAYER_SUM: return branches_fwd(a, l, X, t->sub[i]);
  }
  return NULL;
}

/* The forward pass, recording every layer's input; returns f(X) (scale applied), new reference. */
static Mat *t_fwd(Args *a, const Network *f, Mat *X, Tape *t) {
  Mat *cur = X;
  val_retain(v_obj(cur));
  for (size_t i = 0; i < f->nlayers; i++) {
    keep(&t->in[i], cur);
    Mat *next = layer_fwd(a, &f->layers[i], cur, t, i);
    drop(cur);
    if (!next) return NULL;
    cur = next;
  }
  keep(&t->in[f->nlayers], cur);
  Mat *out = scaled_ref(a, cur, f->scale);
  drop(cur);
  return out;
}

static Mat *t_bwd(Args *a, const Network *f, Tape *t, Mat *G);

/* The adjoint pass: G = ∂f/∂(network output), n×d_out; records g[i] and returns ∂f/∂(input). */
static Mat *layer_bwd(Args *a, const NetLayer *l, Tape *t, size_t i, Mat *G) {
  Mat *A = t->in[i];
  size_t n = mat_rows(A), din = mat_cols(A);
  switch (l->kind) {
  case LAYER_DENSE: {
    Mat *N = new_mat(a, n, din, true);
    if (N && n && din && mat_rows(l->W))
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, l->wmult, &G->m, &l->W->m, 0.0, &N->m);
    return N;
  }
  case LAYER_ACT: {
    Mat *N = new_mat(a, n, din, false);
    if (N)
      for (size_t q = 0; q < n * din; q++) N->data[q] = G->data[q] * t->d1[i]->data[q];
    return N;
  }
  case LAYER_SCALE: return scaled_ref(a, G, l->c);
  case LAYER_RESIDUAL:
  case LAYER_SUM: {
    Mat *N = new_mat(a, n, din, true);
    if (!N) return NULL;
    if (l->kind == LAYER_RESIDUAL) mat_axpy(N, 1, G);
    for (size_t k = 0; k < l->nsub; k++) {
      Mat *S = t_bwd(a, l->sub[k], t->sub[i][k], G);
      if (!S) {
        drop(N);
        return NULL;
      }
      mat_axpy(N, 1, S);
      drop(S);
    }
    return N;
  }
  }
  return NULL;
}

static Mat *t_bwd(Args *a, const Network *f, Tape *t, Mat *G) {
  Mat *cur = scaled_ref(a, G, f->scale);
  for (size_t i = f->nlayers; cur && i-- > 0;) {
    keep(&t->g[i], cur);
    Mat *next = layer_bwd(a, &f->layers[i], t, i, cur);
    drop(cur);
    cur = next;
  }
  return cur;
}

/* ------------------------------------------------------------------ the R sweeps */
static Mat *r_fwd(Args *a, const Network *f, Tape *t, const double *v, Mat *RX);

static Mat *r_layer_fwd(Args *a, const NetLayer *l, Tape *t, size_t i, const double *v, Mat *RX) {
  Mat *A = t->in[i];
  size_t n = mat_rows(A), din = mat_cols(A);
  switch (l->kind) {
  case LAYER_DENSE: {
    size_t out = mat_rows(l->W);
    Mat *RZ = new_mat(a, n, out, true);
    if (!RZ || !n || !out) return RZ;
    if (din) {
      gsl_matrix_const_view VW = gsl_matrix_const_view_array(v + t->off[i], out, din);
      gsl_blas_dgemm(CblasNoTrans, CblasTrans, l->wmult, &RX->m, &l->W->m, 0.0, &RZ->m);
      gsl_blas_dgemm(CblasNoTrans, CblasTrans, l->wmult, &A->m, &VW.matrix, 1.0, &RZ->m);
    }
    if (l->b) {
      const double *vb = v + t->off[i] + out * din;
      for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < out; j++) *mat_at(RZ, r, j) += l->bmult * vb[j];
    }
    return RZ;
  }
  case LAYER_ACT: {
    Mat *RZ = new_mat(a, n, din, false);
    if (RZ)
      for (size_t q = 0; q < n * din; q++) RZ->data[q] = t->d1[i]->data[q] * RX->data[q];
    return RZ;
  }
  case LAYER_SCALE: return scaled_ref(a, RX, l->c);
  case LAYER_RESIDUAL:
  case LAYER_SUM: {
    /* a sum's output has the sub-networks' width, which need not be din */
    Mat *RZ = new_mat(a, n, mat_cols(t->in[i + 1]), true);
    if (!RZ) return NULL;
    if (l->kind == LAYER_RESIDUAL) mat_axpy(RZ, 1, RX);
    const double *vk = v + t->off[i];
    for (size_t k = 0; k < l->nsub; k++) {
      Mat *S = r_fwd(a, l->sub[k], t->sub[i][k], vk, RX);
      if (!S) {
        drop(RZ);
        return NULL;
      }
      mat_axpy(RZ, 1, S);
      drop(S);
      vk += net_nparams(l->sub[k]);
    }
    return RZ;
  }
  }
  return NULL;
}

/* R of the forward pass: RX = R(input) (n×d_in); v points at this network's first parameter.
 * Records rin[i] and returns R(output). */
static Mat *r_fwd(Args *a, const Network *f, Tape *t, const double *v, Mat *RX) {
  Mat *cur = RX;
  val_retain(v_obj(cur));
  for (size_t i = 0; i < f->nlayers; i++) {
    keep(&t->rin[i], cur);
    Mat *next = r_layer_fwd(a, &f->layers[i], t, i, v, cur);
    drop(cur);
    if (!next) return NULL;
    cur = next;
  }
  Mat *out = scaled_ref(a, cur, f->scale);
  drop(cur);
  return out;
}

static Mat *r_bwd(Args *a, const Network *f, Tape *t, const double *v, Mat *RG, double *hv);

static Mat *r_layer_bwd(Args *a, const NetLayer *l, Tape *t, size_t i, const double *v, Mat *RG, double *hv) {
  Mat *A = t->in[i], *RA = t->rin[i], *G = t->g[i];
  size_t n = mat_rows(A), din = mat_cols(A);
  switch (l->kind) {
  case LAYER_DENSE: {
    size_t out = mat_rows(l->W);
    Mat *N = new_mat(a, n, din, true);
    if (!N || !n || !out) return N;
    if (din) {
      gsl_matrix_const_view VW = gsl_matrix_const_view_array(v + t->off[i], out, din);
      gsl_matrix_view HW = gsl_matrix_view_array(hv + t->off[i], out, din);
      gsl_blas_dgemm(CblasTrans, CblasNoTrans, l->wmult, &RG->m, &A->m, 1.0, &HW.matrix);
      gsl_blas_dgemm(CblasTrans, CblasNoTrans, l->wmult, &G->m, &RA->m, 1.0, &HW.matrix);
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, l->wmult, &RG->m, &l->W->m, 0.0, &N->m);
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, l->wmult, &G->m, &VW.matrix, 1.0, &N->m);
    }
    if (l->b) {
      double *hb = hv + t->off[i] + out * din;
      for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < out; j++) hb[j] += l->bmult * *mat_at(RG, r, j);
    }
    return N;
  }
  case LAYER_ACT: {
    Mat *N = new_mat(a, n, din, false);
    if (N)
      for (size_t q = 0; q < n * din; q++)
        N->data[q] = t->d2[i]->data[q] * RA->data[q] * G->data[q] + t->d1[i]->data[q] * RG->data[q];
    return N;
  }
  case LAYER_SCALE: return scaled_ref(a, RG, l->c);
  case LAYER_RESIDUAL:
  case LAYER_SUM: {
    Mat *N = new_mat(a, n, din, true);
    if (!N) return NULL;
    if (l->kind == LAYER_RESIDUAL) mat_axpy(N, 1, RG);
    size_t o = t->off[i];
    for (size_t k = 0; k < l->nsub; k++) {
      Mat *S = r_bwd(a, l->sub[k], t->sub[i][k], v + o, RG, hv + o);
      if (!S) {
        drop(N);
        return NULL;
      }
      mat_axpy(N, 1, S);
      drop(S);
      o += net_nparams(l->sub[k]);
    }
    return N;
  }
  }
  return NULL;
}

/* R of the adjoint pass: RG = R(∂f/∂output); adds this network's part of H v into hv (both v and
 * hv point at its first parameter) and returns R(∂f/∂input). */
static Mat *r_bwd(Args *a, const Network *f, Tape *t, const double *v, Mat *RG, double *hv) {
  Mat *cur = scaled_ref(a, RG, f->scale);
  for (size_t i = f->nlayers; cur && i-- > 0;) {
    Mat *next = r_layer_bwd(a, &f->layers[i], t, i, v, cur, hv);
    drop(cur);
    cur = next;
  }
  return cur;
}

/* ------------------------------------------------------------------ the operator v ↦ H v */
typedef struct Hess {
  Args *a;
  Network *f;
  Tape *t;
  size_t n, P;
  Mat *RX0, *RG0; /* R(input) = 0 and R(∂f/∂output) = 0: neither depends on θ */
} Hess;

static void hess_close(Hess *h) {
  tape_free(h->t, h->f);
  drop(h->RX0);
  drop(h->RG0);
  h->t = NULL;
  h->RX0 = h->RG0 = NULL;
}

/* x as an n×d_in batch (a point becomes 1×d_in), checked as a network call checks it. */
static bool hess_points(Args *a, const Network *f, Mat **X) {
  Value m;
  if (!arg_mat(a, 1, &m)) return false;
  Mat *M = AS_MAT(m);
  size_t r = mat_rows(M), c = mat_cols(M), d = f->d_in;
  if (mat_is_vector(M) && mat_numel(M) == d && !(d == 1 && r > 1)) {
    Mat *P = new_mat(a, 1, d, false);
    if (P && d) memcpy(P->data, M->data, d * sizeof(double));
    val_release(m);
    *X = P;
    return P != NULL;
  }
  if (c == d) {
    *X = M;
    return true;
  }
  StrBuf b = STRBUF_INIT;
  fmt_shape(&b, r, c);
  arg_error(a, 1, "the network takes points of dimension %zu (a vector, or an n×%zu batch with one point per row), got a %s matrix",
            d, d, sb_cstr(&b));
  sb_free(&b);
  val_release(m);
  return false;
}

/* The weights w= of the points (all 1 when absent) as the n×1 adjoint of the output. */
static Mat *hess_weights(Args *a, size_t n) {
  double *w;
  size_t nw;
  bool present;
  if (!calc_kw_vec(a, "w", &w, &nw, &present)) return NULL;
  if (present && nw != n) {
    free(w);
    kw_error(a, "w", "w= must have one weight per point: %zu point%s, got %zu weight%s", n, n == 1 ? "" : "s", nw,
             nw == 1 ? "" : "s");
    return NULL;
  }
  Mat *G = new_mat(a, n, 1, false);
  for (size_t i = 0; G && i < n; i++) G->data[i] = present ? w[i] : 1;
  free(w);
  return G;
}

/* f (argument 0, one output), x (argument 1) and w=: records the forward and adjoint passes.
 * max_p > 0 refuses networks with more parameters before any work is done. */
static bool hess_open(Args *a, Hess *h, size_t max_p) {
  memset(h, 0, sizeof *h);
  h->a = a;
  if (!arg_network(a, 0, &h->f)) return false;
  Network *f = h->f;
  if (f->any_width) {
    call_error(a, "needs a network with a fixed input dimension and one output; an activation alone has neither (put it after a dense layer)");
    return false;
  }
  if (f->d_out != 1) {
    call_error(a, "needs a network with one output, this one has %zu (take a component first)", f->d_out);
    return false;
  }
  h->P = net_nparams(f);
  if (max_p && h->P > max_p) {
    call_error(a, "the network has %zu parameters: the full P×P Hessian is built only for P ≤ %zu; use hessian_norm or "
               "hessian_eigs (Lanczos on Hessian-vector products) or hvp",
               h->P, max_p);
    return false;
  }
  Mat *X, *G = NULL, *Y = NULL, *D = NULL;
  if (!hess_points(a, f, &X)) return false;
  h->n = mat_rows(X);
  h->t = tape_new(f);
  bool ok = (G = hess_weights(a, h->n)) && (Y = t_fwd(a, f, X, h->t)) && (D = t_bwd(a, f, h->t, G)) &&
            (h->RX0 = new_mat(a, h->n, f->d_in, true)) && (h->RG0 = new_mat(a, h->n, 1, true));
  drop(X);
  drop(G);
  drop(Y);
  drop(D);
  if (!ok) hess_close(h);
  return ok;
}

/* hv = H v (P entries each); Ctrl-C is honoured between products */
static bool hess_apply(Hess *h, const double *v, double *hv) {
  if (dlt_interrupted) {
    eval_interrupted(h->a->I, h->a->call);
    return false;
  }
  memset(hv, 0, h->P * sizeof *hv);
  /* a linearised network is linear in θ: its Hessian is zero */
  if (h->f->lin0) return true;
  Mat *RY = r_fwd(h->a, h->f, h->t, v, h->RX0);
  if (!RY) return false;
  drop(RY);
  Mat *RD = r_bwd(h->a, h->f, h->t, v, h->RG0, hv);
  if (!RD) return false;
  drop(RD);
  return true;
}

/* ------------------------------------------------------------------ hvp, hessian */
static Value bi_hvp(Args *a) {
  Hess h;
  if (!hess_open(a, &h, 0)) return v_abrupt();
  Value vv = v_nil();
  Mat *HV = NULL;
  if (!arg_mat(a, 2, &vv)) goto fail;
  Mat *V = AS_MAT(vv);
  if (!(mat_is_vector(V) || mat_numel(V) == 0) || mat_numel(V) != h.P) {
    StrBuf b = STRBUF_INIT;
    fmt_shape(&b, mat_rows(V), mat_cols(V));
    arg_error(a, 2, "v must be a vector of length %zu (one entry per parameter, in params(f) order), got a %s matrix", h.P,
              sb_cstr(&b));
    sb_free(&b);
    goto fail;
  }
  if (!(HV = new_mat(a, h.P, 1, false)) || !hess_apply(&h, V->data, HV->data)) goto fail;
  val_release(vv);
  hess_close(&h);
  return v_obj(HV);
fail:
  val_release(vv);
  drop(HV);
  hess_close(&h);
  return v_abrupt();
}

static Value bi_hessian(Args *a) {
  Hess h;
  if (!hess_open(a, &h, HESS_MAX_P)) return v_abrupt();
  size_t P = h.P;
  Mat *H = new_mat(a, P, P, false);
  double *e = dlt_xmalloc((P ? P : 1) * sizeof *e), *col = dlt_xmalloc((P ? P : 1) * sizeof *col);
  memset(e, 0, P * sizeof *e);
  bool ok = H != NULL;
  for (size_t j = 0; ok && j < P; j++) {
    e[j] = 1;
    ok = hess_apply(&h, e, col);
    e[j] = 0;
    for (size_t i = 0; ok && i < P; i++) *mat_at(H, i, j) = col[i];
  }
  /* H is symmetric in exact arithmetic; averaging removes the rounding asymmetry so that eig_sym
   * and friends accept it */
  for (size_t i = 0; ok && i < P; i++)
    for (size_t j = i + 1; j < P; j++) *mat_at(H, i, j) = *mat_at(H, j, i) = 0.5 * (*mat_at(H, i, j) + *mat_at(H, j, i));
  free(e);
  free(col);
  hess_close(&h);
  if (!ok) {
    drop(H);
    return v_abrupt();
  }
  return v_obj(H);
}

/* ------------------------------------------------------------------ Lanczos */
/* The basis is built in blocks. A block is a plain Lanczos run (three-term recurrence, full
 * reorthogonalisation against every earlier vector). It ends at a breakdown (its Krylov space is
 * invariant) or when its Ritz values have converged; a new block then starts from a random vector
 * orthogonal to all earlier vectors and to the last residual, which makes the Rayleigh quotient
 * block diagonal: each block's tridiagonal matrix is diagonalised on its own. A single Krylov
 * space holds one vector of each eigenspace, so the later blocks are what finds the second copy
 * of a repeated eigenvalue (ReLU networks have many: neurons with one activation pattern on the
 * data share their block eigenvalues). */
typedef struct Lanczos {
  size_t m;              /* vectors in use: rows 0..m-1 of Q */
  Mat *Q;                /* (maxiter + 1)×P: row j = q_j */
  double *alpha, *beta;  /* T's diagonal; beta[j] = ‖residual‖ after step j (couples q_j, q_{j+1}) */
  size_t nb, *start;     /* blocks: block b holds rows start[b] .. start[b+1]-1 (the last one .. m-1) */
  double *theta, *resid; /* at block b's rows: its Ritz values (ascending) and residual norms */
  Mat **S;               /* S[b]: the eigenvectors (columns) of block b's tridiagonal matrix */
} Lanczos;

static size_t blk_end(const Lanczos *L, size_t b) { return b + 1 < L->nb ? L->start[b + 1] : L->m; }

/* Orthogonalise x against rows 0..n-1 of Q, twice ("twice is enough", Kahan–Parlett). */
static void reorth(Lanczos *L, size_t P, size_t n, double *x, double *c) {
  if (!n || !P) return;
  gsl_matrix_view Qn = gsl_matrix_view_array(L->Q->data, n, P);
  gsl_vector_view xv = gsl_vector_view_array(x, P), cv = gsl_vector_view_array(c, n);
  for (int pass = 0; pass < 2; pass++) {
    gsl_blas_dgemv(CblasNoTrans, 1.0, &Qn.matrix, &xv.vector, 0.0, &cv.vector);
    gsl_blas_dgemv(CblasTrans, -1.0, &Qn.matrix, &cv.vector, 1.0, &xv.vector);
  }
}

/* A random unit vector orthogonal to rows 0..n-1 of Q, written to row `row` (n may be row + 1:
 * the residual waiting in that row is then excluded too); false when none is left. */
static bool lz_fresh(Lanczos *L, gsl_rng *rng, size_t P, size_t n, size_t row, double *tmp, double *c) {
  for (int attempt = 0; attempt < 3; attempt++) {
    for (size_t i = 0; i < P; i++) tmp[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
    gsl_vector_view tv = gsl_vector_view_array(tmp, P);
    double n0 = gsl_blas_dnrm2(&tv.vector);
    reorth(L, P, n, tmp, c);
    double n1 = gsl_blas_dnrm2(&tv.vector);
    if (n1 > 1e-8 * n0) {
      double *q = mat_at(L->Q, row, 0);
      for (size_t i = 0; i < P; i++) q[i] = tmp[i] / n1;
      return true;
    }
  }
  return false;
}

/* Diagonalise the last block's tridiagonal matrix (gsl_eigen_symmv); the residual of a Ritz pair
 * (θ, Q s) is |β_last · s_last|. */
static bool lz_ritz(Args *a, Lanczos *L) {
  size_t b = L->nb - 1, s0 = L->start[b], n = L->m - s0;
  Mat *T = new_mat(a, n, n, true), *S = T ? new_mat(a, n, n, false) : NULL;
  if (!S) {
    drop(T);
    return false;
  }
  /* T is diagonalised scaled to entries below 1: GSL's QR sweeps square the entries, and
   * with entries near 1e308 (a point of 1e308s) they overflow to inf and never converge */
  double scale = 0;
  for (size_t j = 0; j < n; j++) {
    scale = fmax(scale, fabs(L->alpha[s0 + j]));
    if (j + 1 < n) scale = fmax(scale, fabs(L->beta[s0 + j]));
  }
  if (!isfinite(scale)) {
    drop(T);
    drop(S);
    call_error(a, "the Hessian-vector products are not finite (the point or the parameters contain nan or inf)");
    return false;
  }
  int e2;
  (void)frexp(scale, &e2);
  scale = scale == 0 ? 1 : ldexp(1, e2 < 1023 ? e2 : 1023); /* a power of 2: the scaling is exact */
  for (size_t j = 0; j < n; j++) {
    *mat_at(T, j, j) = L->alpha[s0 + j] / scale;
    if (j + 1 < n) *mat_at(T, j, j + 1) = *mat_at(T, j + 1, j) = L->beta[s0 + j] / scale;
  }
  gsl_vector_view th = gsl_vector_view_array(L->theta + s0, n);
  gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(n);
  int st = ws ? gsl_eigen_symmv(&T->m, &th.vector, &S->m, ws) : GSL_ENOMEM;
  if (ws) gsl_eigen_symmv_free(ws);
  drop(T);
  gsl_vector_scale(&th.vector, scale);
  if (st == GSL_SUCCESS) st = gsl_eigen_symmv_sort(&th.vector, &S->m, GSL_EIGEN_SORT_VAL_ASC);
  if (st != GSL_SUCCESS) {
    drop(S);
    dlt_error_gsl(a->I, a->call, "gsl_eigen_symmv on the Lanczos matrix", st);
    return false;
  }
  for (size_t j = 0; j < n; j++) L->resid[s0 + j] = fabs(L->beta[L->m - 1] * *mat_at(S, n - 1, j));
  drop(L->S[b]);
  L->S[b] = S;
  return true;
}

/* The k Ritz values of largest magnitude over all blocks, largest first (ties: the positive). */
static void lz_top(const Lanczos *L, size_t k, size_t *idx) {
  for (size_t j = 0; j < k; j++) {
    size_t best = L->m;
    for (size_t i = 0; i < L->m; i++) {
      bool taken = false;
      for (size_t q = 0; q < j && !taken; q++) taken = idx[q] == i;
      if (taken) continue;
      double x = fabs(L->theta[i]), y = best < L->m ? fabs(L->theta[best]) : -1;
      if (best == L->m || x > y || (x == y && L->theta[i] > L->theta[best])) best = i;
    }
    idx[j] = best;
  }
}

/* Whether the last block is done: its two extreme Ritz pairs (the other end of the spectrum could
 * still outgrow the first) and its members of the top k have residual ‖H y − θ y‖ ≤ tol·max|θ|.
 * *mine says whether it holds one of the top k; *worst is the largest relative residual seen. */
static bool lz_block_done(const Lanczos *L, size_t k, double tol, size_t *idx, bool *mine, double *worst) {
  size_t b = L->nb - 1, s0 = L->start[b], e = L->m;
  double N = 0;
  for (size_t i = 0; i < L->m; i++) N = fmax(N, fabs(L->theta[i]));
  size_t kk = k < L->m ? k : L->m;
  lz_top(L, kk, idx);
  double r = fmax(L->resid[s0], L->resid[e - 1]);
  *mine = false;
  for (size_t j = 0; j < kk; j++)
    if (idx[j] >= s0) {
      *mine = true;
      r = fmax(r, L->resid[idx[j]]);
    }
  *worst = N > 0 ? r / N : r;
  return r <= tol * N;
}

typedef struct LzOpts {
  size_t k;      /* eigenvalues wanted */
  double tol;
  size_t maxiter;
  bool copies;   /* look for further copies of the top k in new blocks (hessian_eigs) */
} LzOpts;

/* Runs until the k largest-magnitude Ritz values have converged; idx (k entries) gets them. */
static bool lanczos(Hess *h, Lanczos *L, const LzOpts *o, size_t *idx) {
  Args *a = h->a;
  size_t P = h->P, maxiter = o->maxiter;
  memset(L, 0, sizeof *L);
  if (!(L->Q = new_mat(a, maxiter + 1, P, false))) return false;
  L->alpha = dlt_xmalloc(maxiter * sizeof(double));
  L->beta = dlt_xmalloc(maxiter * sizeof(double));
  L->theta = dlt_xmalloc(maxiter * sizeof(double));
  L->resid = dlt_xmalloc(maxiter * sizeof(double));
  L->start = dlt_xmalloc(maxiter * sizeof(size_t));
  L->S = dlt_xmalloc(maxiter * sizeof(Mat *));
  memset(L->S, 0, maxiter * sizeof(Mat *));
  L->nb = 1;
  L->start[0] = 0;
  double *w = dlt_xmalloc(P * sizeof *w), *tmp = dlt_xmalloc(P * sizeof *tmp);
  double *c = dlt_xmalloc((maxiter + 1) * sizeof *c), worst = INFINITY, scale = 0;
  /* a fixed-seed start: reproducible results that leave the global stream alone */
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 20240501);
  bool ok = lz_fresh(L, rng, P, 0, 0, tmp, c), done = false;
  for (size_t j = 0; ok && !done && j < maxiter; j++) {
    size_t s0 = L->start[L->nb - 1];
    double *q = mat_at(L->Q, j, 0);
    if (!(ok = hess_apply(h, q, w))) break;
    gsl_vector_view wv = gsl_vector_view_array(w, P), qv = gsl_vector_view_array(q, P);
    gsl_blas_ddot(&qv.vector, &wv.vector, &L->alpha[j]);
    gsl_blas_daxpy(-L->alpha[j], &qv.vector, &wv.vector);
    if (j > s0) {
      gsl_vector_view qp = gsl_vector_view_array(mat_at(L->Q, j - 1, 0), P);
      gsl_blas_daxpy(-L->beta[j - 1], &qp.vector, &wv.vector);
    }
    reorth(L, P, j + 1, w, c);
    double b = gsl_blas_dnrm2(&wv.vector);
    if (!isfinite(L->alpha[j]) || !isfinite(b)) {
      call_error(a, "the Hessian-vector products are not finite (the point or the parameters contain nan or inf)");
      ok = false;
      break;
    }
    scale = fmax(scale, fmax(fabs(L->alpha[j]), b));
    /* β this small relative to T: the block's Krylov space is invariant, its Ritz pairs exact */
    bool breakdown = b <= 64 * DBL_EPSILON * scale;
    L->beta[j] = breakdown ? 0 : b;
    L->m = j + 1;
    if (!breakdown)
      for (size_t i = 0; i < P; i++) *mat_at(L->Q, L->m, i) = w[i] / b;
    /* diagonalising the block costs O(len³): check every step early on, then every len/16 steps */
    size_t len = L->m - s0;
    if (!(L->m == P || L->m == maxiter || breakdown || len <= 16 || len % (len / 16) == 0)) continue;
    if (!(ok = lz_ritz(a, L))) break;
    bool mine;
    bool finished = lz_block_done(L, o->k, o->tol, idx, &mine, &worst) || breakdown;
    if (L->m == P) { /* the blocks span R^P: every Ritz value is an eigenvalue */
      done = true;
      break;
    }
    if (!finished) continue;
    if (!(L->m < o->k || (o->copies && mine))) {
      done = true;
      break;
    }
    if (L->m == maxiter) break;
    /* a new block, orthogonal to every vector so far and to the residual in row m */
    if (!lz_fresh(L, rng, P, breakdown ? L->m : L->m + 1, L->m, tmp, c)) {
      done = L->m >= o->k;
      break;
    }
    L->start[L->nb++] = L->m;
  }
  if (done) lz_top(L, o->k, idx);
  gsl_rng_free(rng);
  free(w);
  free(tmp);
  free(c);
  if (ok && !done) {
    call_error(a, "Lanczos did not converge in maxiter=%zu steps (relative residual %.3g > tol=%s); raise maxiter= or "
               "loosen tol=",
               maxiter, worst, CALC_NUM(o->tol));
    ok = false;
  }
  return ok;
}

static void lz_free(Lanczos *L) {
  drop(L->Q);
  for (size_t b = 0; L->S && b < L->nb; b++) drop(L->S[b]);
  free(L->S);
  free(L->alpha);
  free(L->beta);
  free(L->theta);
  free(L->resid);
  free(L->start);
}

/* tol= and maxiter= (default min(P, 300); more than P steps are never needed, so P caps it) */
static bool lz_options(Args *a, size_t P, LzOpts *o) {
  if (!calc_kw_pos(a, "tol", 1e-10, &o->tol)) return false;
  size_t def = P < 300 ? P : 300;
  if (!calc_kw_count(a, "maxiter", def ? def : 1, 1, 100000000, &o->maxiter)) return false;
  if (o->maxiter > P && P > 0) o->maxiter = P;
  return true;
}

static Value bi_hessian_norm(Args *a) {
  Hess h;
  if (!hess_open(a, &h, 0)) return v_abrupt();
  LzOpts o = {1, 0, 0, false};
  size_t idx[1];
  if (!lz_options(a, h.P, &o)) {
    hess_close(&h);
    return v_abrupt();
  }
  if (h.P == 0) {
    hess_close(&h);
    return v_num(0);
  }
  Lanczos L;
  bool ok = lanczos(&h, &L, &o, idx);
  double r = ok ? fabs(L.theta[idx[0]]) : 0;
  lz_free(&L);
  hess_close(&h);
  return ok ? v_num(r) : v_abrupt();
}

/* Ritz vectors Σ_r s_r q_r (over the pair's block) for the chosen pairs, as P×k columns, signed
 * like eig_sym's (the entry of largest magnitude positive). */
static Mat *ritz_vectors(Args *a, const Lanczos *L, size_t P, size_t k, const size_t *idx) {
  Mat *Y = new_mat(a, P, k, true);
  if (!Y) return NULL;
  for (size_t j = 0; j < k; j++) {
    size_t b = 0;
    while (blk_end(L, b) <= idx[j]) b++;
    size_t s0 = L->start[b];
    for (size_t r = s0; r < blk_end(L, b); r++) {
      double s = *mat_at(L->S[b], r - s0, idx[j] - s0);
      const double *q = L->Q->data + r * P;
      for (size_t i = 0; i < P; i++) *mat_at(Y, i, j) += s * q[i];
    }
    double best = 0;
    for (size_t i = 0; i < P; i++)
      if (fabs(*mat_at(Y, i, j)) > fabs(best)) best = *mat_at(Y, i, j);
    if (best < 0)
      for (size_t i = 0; i < P; i++) *mat_at(Y, i, j) = -*mat_at(Y, i, j);
  }
  return Y;
}

static Value bi_hessian_eigs(Args *a) {
  Hess h;
  if (!hess_open(a, &h, 0)) return v_abrupt();
  LzOpts o = {0, 0, 0, true};
  double kd;
  bool has_k;
  if (!lz_options(a, h.P, &o) || !kw_num(a, "k", &kd, &has_k)) {
    hess_close(&h);
    return v_abrupt();
  }
  o.k = h.P < 6 ? h.P : 6;
  if (has_k) {
    if (!(kd == floor(kd) && kd >= 1 && kd <= (double)h.P)) {
      hess_close(&h);
      return kw_error(a, "k", "k= must be a whole number between 1 and the number of parameters P = %zu, got %s", h.P,
                      CALC_NUM(kd));
    }
    o.k = (size_t)kd;
  }
  if (o.k > o.maxiter) {
    hess_close(&h);
    return kw_error(a, "maxiter", "maxiter= must be at least k = %zu, got %zu", o.k, o.maxiter);
  }
  Lanczos L;
  memset(&L, 0, sizeof L);
  size_t k = o.k, *idx = dlt_xmalloc((k ? k : 1) * sizeof *idx);
  Mat *vals = NULL, *vecs = NULL;
  bool ok = k == 0 || lanczos(&h, &L, &o, idx);
  if (ok) ok = (vals = new_mat(a, k, 1, false)) && (vecs = k ? ritz_vectors(a, &L, h.P, k, idx) : new_mat(a, h.P, 0, false));
  for (size_t j = 0; ok && j < k; j++) vals->data[j] = L.theta[idx[j]];
  free(idx);
  lz_free(&L);
  hess_close(&h);
  if (!ok) {
    drop(vals);
    drop(vecs);
    return v_abrupt();
  }
  Value r = record_new();
  record_set(AS_RECORD(r), "values", v_obj(vals));
  record_set(AS_RECORD(r), "vectors", v_obj(vecs));
  return r;
}

static const Builtin net_hessian_builtins[] = {
  {"hvp", bi_hvp, 3, 3, "w", "hvp(f, x, v, w=)",
   "the exact Hessian-vector product (∇²_θ f(x)) v as a P×1 column (R-operator); for a batch Σ_i w_i ∇²_θ f(x_i) v", NULL},
  {"hessian", bi_hessian, 2, 2, "w", "hessian(f, x, w=)",
   "the exact P×P Hessian of the network in its parameters at x (or Σ_i w_i ∇²_θ f(x_i) for a batch), P ≤ 4000", NULL},
  {"hessian_norm", bi_hessian_norm, 2, 2, "w tol maxiter", "hessian_norm(f, x, w=, tol=1e-10, maxiter=min(P, 300))",
   "the operator norm max|λ| of the parameter Hessian at x, by Lanczos on Hessian-vector products", NULL},
  {"hessian_eigs", bi_hessian_eigs, 2, 2, "k w tol maxiter", "hessian_eigs(f, x, k=6, w=, tol=1e-10, maxiter=min(P, 300))",
   "the k eigenvalues of the parameter Hessian of largest magnitude by Lanczos: {values (by decreasing |λ|), vectors (P×k)}",
   NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_net_hessian = {"net_hessian", net_hessian_builtins};
