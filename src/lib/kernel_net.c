/* lib/kernel_net.c - nngp(f) and ntk(f): the infinite-width kernels of an mlp architecture
 * (seed 002 Lecture 5 Theorems 5.1-5.2, seed 003 §0 and §3.3), as kernel values (kernel.h).
 *
 * For mlp(d, [N_1..N_L], d_out, act=σ, CW, Cb, CW1, bias, gamma) in the standard or NTK
 * parametrisation, as every N_l → ∞ (writing E_l for the expectation over (u, v) ~ N(0, Λ_l),
 * Λ_l = [[K_l(x,x), K_l(x,x')], [K_l(x,x'), K_l(x',x')]]):
 *
 *     K_1 = Cb + CW1 x·x'/d                 Θ_1 = CW1 x·x'/d + β
 *     K_{l+1} = Cb + CW E_l[σ(u)σ(v)]       Θ_{l+1} = (K_{l+1} − Cb) + β + CW E_l[σ'(u)σ'(v)] Θ_l
 *
 * for l = 1..L, where β = 1 when the network has biases (a bias enters with multiplier 1, so its
 * gradient adds 1 whatever its variance Cb) and 0 otherwise. The weight part of Θ_{l+1} is
 * K_{l+1} − Cb because layer l+1's weight gradient is sqrt(CW/N_l)·σ(z_l). The output is
 * s·z_{L+1} with s = f.scale (1/gamma times scalar multiples), so nngp = s² K_{L+1} and
 * ntk = s² Θ_{L+1}; with several outputs each has this kernel (empirical_ntk averages over
 * outputs, so it has the same limit).
 *
 * The Gram matrix is computed on whole matrices: one X Yᵀ product (dsyrk when Y is X, and then
 * only the upper triangle), then one fused elementwise pass per layer that updates K and Θ in
 * place from the diagonals; no other n×m matrix is made. ReLU has its own loop (one acos and one
 * sqrt per entry); the other activations call gauss2() per entry. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>

#include "../eval.h"
#include "../interp.h"
#include "../print.h"
#include "gauss2.h"
#include "kernel.h"
#include "net.h"

#define DEFAULT_ORDER 64
#define MAX_ORDER 400

typedef struct NetK {
  const Activation *act; /* the network's own (the kernel's v[0] keeps the network alive) */
  size_t L, d, d_out;
  double CW, Cb, CW1, gamma, s2, extra, beta;
  double Cb_given; /* Cb as given to mlp (printed); Cb is 0 when there are no biases */
  bool has_bias;
  NetParam param; /* as printed: the network's for nngp, NETP_NTK for ntk */
  int order;
} NetK;

static const KernelKind ntk_kind;
static bool is_ntk(const Kernel *k) { return k->kind == &ntk_kind; }

/* ------------------------------------------------------------------ printing */
static const char *act_name(ActKind k) {
  static const char *const names[] = {"relu", "step", "identity", "tanh", "erf", "sigmoid", "softplus", "gelu",
                                      "leaky_relu", "abs", "relu_pow", "sin", "cos", "user"};
  return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "user";
}

static void print_act(StrBuf *b, const Activation *act) {
  if (act->kind == ACT_LEAKY_RELU || act->kind == ACT_RELU_POW) sb_printf(b, "%s(%s)", act_name(act->kind), num_text(act->p).s);
  else if (act->kind == ACT_USER) val_print(b, act->fn, PRINT_DISPLAY);
  else sb_puts(b, act_name(act->kind));
}

static void netk_print(const Kernel *k, StrBuf *b) {
  const NetK *s = k->priv;
  sb_printf(b, "%s(", k->kind->name);
  if (s->extra != 1) sb_printf(b, "%s * ", num_text(s->extra).s);
  sb_printf(b, "mlp(%zu → [", s->d);
  for (size_t l = 0; l < s->L; l++) sb_puts(b, l ? ", ∞" : "∞");
  sb_printf(b, "] → %zu, ", s->d_out);
  if (s->L) print_act(b, s->act);
  else sb_puts(b, "linear");
  sb_printf(b, ", %s, CW=%s", s->param == NETP_NTK ? "ntk" : "standard", num_text(s->CW).s);
  if (s->CW1 != s->CW) sb_printf(b, ", CW1=%s", num_text(s->CW1).s);
  sb_printf(b, ", Cb=%s", num_text(s->Cb_given).s);
  if (s->gamma != 1) sb_printf(b, ", gamma=%s", num_text(s->gamma).s);
  if (!s->has_bias) sb_puts(b, ", bias=false");
  sb_puts(b, ")");
  if (s->L && !gauss2_exact(s->act)) sb_printf(b, ", order=%d", s->order);
  sb_puts(b, ")");
}

static void netk_free(Kernel *k) { free(k->priv); }

/* ------------------------------------------------------------------ the recursion */
static bool interrupted(Args *a) {
  if (!dlt_interrupted) return false;
  eval_interrupted(a->I, a->call);
  return true;
}

/* ReLU layer on rows [i0, i1) of the state: K ← Cb + CW E[σσ], T ← (K − Cb) + β + CW E[σ'σ'] T.
 * sx = √K(x,x), rx = 1/√K(x,x) (0 for a zero variance, where σ'(0) = 0 makes E[σ'σ'] = 0: mx). */
static void relu_layer(const NetK *s, Mat *K, Mat *T, const double *sx, const double *rx, const double *sy,
                       const double *ry, bool sym) {
  const double inv2pi = 1 / (2 * M_PI), CW = s->CW, Cb = s->Cb, beta = s->beta;
  size_t n = mat_rows(K), m = mat_cols(K);
  for (size_t i = 0; i < n; i++) {
    double *kr = mat_at(K, i, 0), *tr = T ? mat_at(T, i, 0) : NULL;
    double sxi = sx[i] * CW * inv2pi, rxi = rx[i], mxi = rx[i] > 0 ? CW * inv2pi : 0;
    for (size_t j = sym ? i : 0; j < m; j++) {
      double c = kr[j], rho = c * rxi * ry[j];
      /* exactly 1 on the diagonal: acos is √-sensitive there, 1 − 1 ulp would give θ ≈ 1.5e-8 */
      rho = rho > 1 || (sym && j == i) ? 1 : rho < -1 ? -1 : rho;
      double pt = M_PI - acos(rho);
      double ss = sxi * sy[j] * (sqrt(1 - rho * rho) + pt * rho); /* CW E[σσ] */
      kr[j] = Cb + ss;
      if (tr) tr[j] = ss + beta + (ry[j] > 0 ? mxi * pt : 0) * tr[j];
    }
  }
}

/* Any other activation, entry by entry through gauss2. */
static bool general_layer(Args *a, const NetK *s, Mat *K, Mat *T, const double *kx, const double *ky, bool sym) {
  size_t n = mat_rows(K), m = mat_cols(K);
  for (size_t i = 0; i < n; i++) {
    double *kr = mat_at(K, i, 0), *tr = T ? mat_at(T, i, 0) : NULL;
    for (size_t j = sym ? i : 0; j < m; j++) {
      Gauss2 g;
      if (!gauss2(a, s->act, kx[i], ky[j], kr[j], s->order, &g)) return false;
      double ss = s->CW * g.ss;
      kr[j] = s->Cb + ss;
      if (tr) tr[j] = ss + s->beta + s->CW * g.dd * tr[j];
    }
    /* quadrature costs order² evaluations per entry: let Ctrl-C in between rows */
    if (interrupted(a)) return false;
  }
  return true;
}

/* the next layer's variances K(x, x) from the current ones, in place */
static bool next_diag(Args *a, const NetK *s, double *kx, size_t n) {
  for (size_t i = 0; i < n; i++) {
    Gauss2 g;
    if (!gauss2(a, s->act, kx[i], kx[i], kx[i], s->order, &g)) return false;
    kx[i] = s->Cb + s->CW * g.ss;
  }
  return true;
}

static void relu_scales(const double *k, size_t n, double *sq, double *rs) {
  for (size_t i = 0; i < n; i++) {
    sq[i] = sqrt(k[i]);
    rs[i] = k[i] > 0 ? 1 / sq[i] : 0;
  }
}

static double sqnorm(Mat *X, size_t i) {
  const double *r = mat_at(X, i, 0);
  double q = 0;
  for (size_t j = 0; j < mat_cols(X); j++) q += r[j] * r[j];
  return q;
}

/* K_1 = Cb + CW1 X Yᵀ/d and Θ_1 (upper triangles when sym) and the first-layer variances */
static void first_layer(const NetK *s, Mat *X, Mat *Y, Mat *K, Mat *T, double *kx, double *ky, bool sym) {
  size_t n = mat_rows(X), m = mat_rows(Y), d = mat_cols(X);
  double c = s->CW1 / (double)d;
  if (sym) gsl_blas_dsyrk(CblasUpper, CblasNoTrans, c, &X->m, 0.0, &K->m);
  else gsl_blas_dgemm(CblasNoTrans, CblasTrans, c, &X->m, &Y->m, 0.0, &K->m);
  /* Θ_1 = CW1 x·x'/d + β */
  for (size_t i = 0; i < n; i++) {
    double *kr = mat_at(K, i, 0), *tr = T ? mat_at(T, i, 0) : NULL;
    for (size_t j = sym ? i : 0; j < m; j++) {
      if (tr) tr[j] = kr[j] + s->beta;
      kr[j] += s->Cb;
    }
  }
  if (sym) {
    for (size_t i = 0; i < n; i++) kx[i] = *mat_at(K, i, i);
    return;
  }
  for (size_t i = 0; i < n; i++) kx[i] = s->Cb + c * sqnorm(X, i);
  for (size_t j = 0; j < m; j++) ky[j] = s->Cb + c * sqnorm(Y, j);
}

/* The unscaled K_{L+1} into K and, when T is not NULL, Θ_{L+1} into T (n×m; only the upper
 * triangle when Y is X). */
static bool recursion(Args *a, const NetK *s, Mat *X, Mat *Y, Mat *K, Mat *T) {
  bool sym = X == Y;
  size_t n = mat_rows(X), m = mat_rows(Y);
  double *buf = dlt_xmalloc(3 * (n + m) * sizeof *buf);
  double *kx = buf, *ky = sym ? kx : buf + n, *sx = buf + n + m, *sy = sym ? sx : sx + n, *rx = sx + n + m,
         *ry = sym ? rx : rx + n;
  first_layer(s, X, Y, K, T, kx, ky, sym);
  bool ok = true, relu = s->act->kind == ACT_RELU;
  for (size_t l = 0; ok && l < s->L; l++) {
    if (relu) {
      relu_scales(kx, n, sx, rx);
      if (!sym) relu_scales(ky, m, sy, ry);
      relu_layer(s, K, T, sx, rx, sy, ry, sym);
    } else {
      ok = general_layer(a, s, K, T, kx, ky, sym);
    }
    if (ok && sym) {
      for (size_t i = 0; i < n; i++) kx[i] = *mat_at(K, i, i);
    } else if (ok) {
      ok = next_diag(a, s, kx, n) && next_diag(a, s, ky, m);
    }
    ok = ok && !interrupted(a);
  }
  free(buf);
  return ok;
}

/* the output multiplier's s², and the lower triangle of a symmetric Gram matrix, copied in
 * square tiles so that the transposed reads stay in cache (a column-order copy of a 4000×4000
 * matrix was a tenth of the whole Gram computation) */
static void finish(const NetK *s, Mat *out, bool sym) {
  size_t n = mat_rows(out), m = mat_cols(out);
  for (size_t i = 0; i < n; i++) {
    double *r = mat_at(out, i, 0);
    for (size_t j = sym ? i : 0; j < m; j++) r[j] *= s->s2;
  }
  if (!sym) return;
  enum { B = 64 };
  for (size_t i0 = 0; i0 < n; i0 += B)
    for (size_t j0 = 0; j0 <= i0; j0 += B) {
      size_t i1 = i0 + B < n ? i0 + B : n, j1 = j0 + B < n ? j0 + B : n;
      for (size_t i = i0; i < i1; i++) {
        double *r = mat_at(out, i, 0);
        for (size_t j = j0; j < j1 && j < i; j++) r[j] = *mat_at(out, j, i);
      }
    }
}

/* Y as X when they hold the same points (k(x, x) is called with two copies): the symmetric path
 * then puts ρ = 1 exactly on the diagonal, where acos turns one rounding error in K(x, x') into
 * an error of 1e-8 in θ */
static Mat *same_points(Mat *X, Mat *Y) {
  if (X == Y || mat_rows(X) != mat_rows(Y) || mat_cols(X) != mat_cols(Y)) return Y;
  for (size_t i = 0; i < mat_rows(X); i++)
    if (memcmp(mat_at(X, i, 0), mat_at(Y, i, 0), mat_cols(X) * sizeof(double)) != 0) return Y;
  return X;
}

static bool netk_gram(Args *a, const Kernel *k, Mat *X, Mat *Y, Mat *out) {
  const NetK *s = k->priv;
  Y = same_points(X, Y);
  if (!is_ntk(k)) {
    if (!recursion(a, s, X, Y, out, NULL)) return false;
    finish(s, out, X == Y);
    return true;
  }
  Mat *K = mat_alloc(mat_rows(X), mat_rows(Y));
  if (!K) {
    dlt_error_oom(a->I, a->call, mat_rows(X), mat_rows(Y));
    return false;
  }
  bool ok = recursion(a, s, X, Y, K, out);
  val_release(v_obj(K));
  if (ok) finish(s, out, X == Y);
  return ok;
}

/* k(x_i, x_i): the same recursion on the diagonal alone */
static bool netk_diag(Args *a, const Kernel *k, Mat *X, double *out) {
  const NetK *s = k->priv;
  bool ntk = is_ntk(k);
  size_t d = mat_cols(X);
  for (size_t i = 0; i < mat_rows(X); i++) {
    double q = s->Cb + s->CW1 * sqnorm(X, i) / (double)d, t = q - s->Cb + s->beta;
    for (size_t l = 0; l < s->L; l++) {
      Gauss2 g;
      if (!gauss2(a, s->act, q, q, q, s->order, &g)) return false;
      double ss = s->CW * g.ss;
      t = ss + s->beta + s->CW * g.dd * t;
      q = s->Cb + ss;
    }
    out[i] = s->s2 * (ntk ? t : q);
  }
  return true;
}

static const KernelKind nngp_kind = {"nngp", netk_gram, netk_diag, netk_print, NULL, netk_free};
static const KernelKind ntk_kind = {"ntk", netk_gram, netk_diag, netk_print, NULL, netk_free};

/* ------------------------------------------------------------------ reading the architecture */
/* The mlp's recorded parametrisation, variances and activation; a located error when the
 * network is not an mlp whose infinite-width limit is the recursion above. */
static bool read_arch(Args *a, Network *f, bool ntk, NetK *s) {
  if (f->meta.param == NETP_EXPLICIT) {
    arg_error(a, 0,
              "needs a network made by mlp(...) (standard or ntk parametrisation), whose recorded CW, Cb, CW1 "
              "and activation define the infinite-width limit; networks built from layers, compositions and sums "
              "have no recorded parametrisation");
    return false;
  }
  if (f->meta.param == NETP_MF || f->meta.param == NETP_MUP) {
    arg_error(a, 0,
              "in the %s parametrisation the output at initialisation is O(1/sqrt(width)), so the infinite-width "
              "%s is 0 (the output bias aside); the same architecture with param=\"ntk\" has the lazy limit%s",
              net_param_name(f->meta.param), ntk ? "NTK" : "NNGP",
              f->meta.param == NETP_MF ? " (\"mf\" is \"ntk\" with gamma = sqrt(N_L))" : "");
    return false;
  }
  if (strcmp(f->meta.init, "gaussian") != 0) {
    arg_error(a, 0,
              "the infinite-width kernels assume Gaussian weights, the network has init=%s (with d_in "
              "fixed its first layer is then not Gaussian)",
              f->meta.init);
    return false;
  }
  /* dense (act dense)*: what mlp builds */
  size_t nd = 0;
  const Activation *act = NULL;
  for (size_t i = 0; i < f->nlayers; i++) {
    const NetLayer *l = &f->layers[i];
    bool want_dense = i % 2 == 0;
    bool shape_ok = want_dense ? l->kind == LAYER_DENSE : l->kind == LAYER_ACT;
    if (shape_ok && !want_dense && act && l->act.kind != act->kind) shape_ok = false;
    if (!shape_ok) {
      arg_error(a, 0, "the network's layers are not an mlp's alternating dense and activation layers");
      return false;
    }
    if (want_dense) nd++;
    else if (!act) act = &l->act;
  }
  if (nd == 0 || f->layers[f->nlayers - 1].kind != LAYER_DENSE) {
    arg_error(a, 0, "the network's layers are not an mlp's alternating dense and activation layers");
    return false;
  }
  static const Activation identity = {ACT_IDENTITY, 0, {0}};
  *s = (NetK){
    .act = act ? act : &identity,
    .L = nd - 1,
    .d = f->d_in,
    .d_out = f->d_out,
    .CW = f->meta.CW,
    .Cb = f->meta.bias ? f->meta.Cb : 0,
    .Cb_given = f->meta.Cb,
    .CW1 = f->meta.CW1,
    .gamma = f->meta.gamma,
    .s2 = f->scale * f->scale,
    .extra = f->scale * f->meta.gamma,
    .beta = f->meta.bias ? 1 : 0,
    .has_bias = f->meta.bias,
    .param = ntk ? NETP_NTK : f->meta.param,
  };
  return true;
}

/* f and order= into a new kernel of the given kind; NULL after a located error */
static Kernel *make_kernel(Args *a, bool ntk) {
  Network *f;
  if (!arg_network(a, 0, &f)) return NULL;
  double ord = DEFAULT_ORDER;
  if (!kw_num(a, "order", &ord, NULL)) return NULL;
  if (!(ord >= 1 && ord <= MAX_ORDER && ord == floor(ord))) {
    kw_error(a, "order", "the Gauss–Hermite order must be a whole number between 1 and %d, got %s", MAX_ORDER,
             num_text(ord).s);
    return NULL;
  }
  NetK s;
  if (!read_arch(a, f, ntk, &s)) return NULL;
  s.order = (int)ord;
  Kernel *k = kernel_new(ntk ? &ntk_kind : &nngp_kind, s.d);
  k->v[0] = val_retain(a->v[0]);
  k->priv = dlt_xmalloc(sizeof s);
  memcpy(k->priv, &s, sizeof s);
  return k;
}

/* the points X (argument 1) and Y (argument 2, NULL when absent) for k */
static bool points(Args *a, const Kernel *k, Mat **X, Mat **Y) {
  *Y = NULL;
  if (!kernel_points(a, 1, k, X)) return false;
  if (a->n < 3) return true;
  if (kernel_points(a, 2, k, Y)) return true;
  val_release(v_obj(*X));
  return false;
}

static Value bi_netk(Args *a) {
  Kernel *k = make_kernel(a, a->data != NULL);
  if (!k) return v_abrupt();
  if (a->n == 1) return kernel_value(k);
  Mat *X, *Y, *K = NULL;
  if (points(a, k, &X, &Y)) {
    K = kernel_gram(a, k, X, Y);
    val_release(v_obj(X));
    if (Y) val_release(v_obj(Y));
  }
  val_release(kernel_value(k));
  return K ? v_obj(K) : v_abrupt();
}

/* both Gram matrices from one recursion (the NTK's carries the NNGP's) */
static Value bi_nngp_ntk(Args *a) {
  Kernel *k = make_kernel(a, true);
  if (!k) return v_abrupt();
  Mat *X, *Y;
  if (!points(a, k, &X, &Y)) {
    val_release(kernel_value(k));
    return v_abrupt();
  }
  size_t n = mat_rows(X), m = Y ? mat_rows(Y) : n;
  Mat *K = mat_alloc(n, m), *T = K ? mat_alloc(n, m) : NULL;
  Value r = v_abrupt();
  if (!T) dlt_error_oom(a->I, a->call, n, m);
  else if (!n || !m || recursion(a, k->priv, X, Y ? same_points(X, Y) : X, K, T)) {
    bool sym = !Y || same_points(X, Y) == X;
    finish(k->priv, K, sym);
    finish(k->priv, T, sym);
    r = record_new();
    record_set(AS_RECORD(r), "nngp", v_obj(K));
    record_set(AS_RECORD(r), "ntk", v_obj(T));
    K = T = NULL;
  }
  if (K) val_release(v_obj(K));
  if (T) val_release(v_obj(T));
  val_release(v_obj(X));
  if (Y) val_release(v_obj(Y));
  val_release(kernel_value(k));
  return r;
}

static const Builtin kernel_net_builtins[] = {
  {"nngp", bi_netk, 1, 3, "order", "nngp(f, X, Y, order=64)",
   "the infinite-width NNGP kernel of an mlp architecture (the covariance of its outputs at initialisation); with X (and Y) its Gram matrix",
   NULL},
  {"ntk", bi_netk, 1, 3, "order", "ntk(f, X, Y, order=64)",
   "the infinite-width neural tangent kernel of an mlp architecture in the NTK parametrisation; with X (and Y) its Gram matrix",
   "ntk"},
  {"nngp_ntk", bi_nngp_ntk, 2, 3, "order", "nngp_ntk(f, X, Y=X, order=64)",
   "the record {nngp, ntk} of both infinite-width Gram matrices of an mlp architecture, from one recursion", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_kernel_net = {"kernel_net", kernel_net_builtins};
