/* lib/kernel.c - the kernel type (kernel.h) and the standard kernels.
 *
 * Built-ins (points are rows; ‖·‖ Euclidean):
 *   linear()                x·y                                   (seed 002 Exercise 3.1)
 *   affine(c=1)             x·y + c
 *   polynomial(degree=2, c=1, scale=1)   (scale·x·y + c)^degree
 *   rbf(lengthscale=1)      exp(−‖x − y‖²/(2ℓ²))
 *   laplace_kernel(lengthscale=1)  exp(−‖x − y‖/ℓ)
 *   arccos(n=1)             E_{w~N(0,I)}[(w·x)₊ⁿ (w·y)₊ⁿ] = ‖x‖ⁿ‖y‖ⁿ J_n(θ)/(2π), n = 0, 1, 2
 *                           (the random-features normalisation of seed 002 Lecture 3; Cho and
 *                           Saul's k_n is twice this)
 *   integral_gaussian(s=1)  ∫ G(z, x) G(z, y) dz for G = exp(−‖z − x‖²/(2s²)):
 *                           (π s²)^{d/2} exp(−‖x − y‖²/(4s²))   (seed 002 Lecture 3)
 *   kernel(fn)              a user kernel fn(x, y)
 * and the algebra k1 + k2, k1 * k2 (pointwise product), c * k (c ≥ 0), k @ φ (k(φ(x), φ(y)) for
 * a network or function φ). Inner-product kernels are one dgemm and an elementwise pass;
 * distance kernels use ‖x‖² + ‖y‖² − 2 x·y from one dgemm. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_blas.h>

#include "../arith.h"
#include "../print.h"
#include "kernel.h"
#include "net.h"

enum { K_LINEAR, K_AFFINE, K_POLY, K_RBF, K_LAPLACE, K_ARCCOS, K_INTGAUSS };

/* ------------------------------------------------------------------ the type */
static void kernel_free(Obj *o) {
  Kernel *k = (Kernel *)o;
  for (int i = 0; i < 4; i++) val_release(k->v[i]);
  if (k->kind->free_priv) k->kind->free_priv(k);
}

static void kernel_print(Obj *o, StrBuf *b) {
  Kernel *k = (Kernel *)o;
  k->kind->print(k, b);
}

static void kernel_traverse(Obj *o, void (*visit)(Value *slot, void *ctx), void *ctx) {
  Kernel *k = (Kernel *)o;
  for (int i = 0; i < 4; i++)
    if (IS_OBJ(k->v[i])) visit(&k->v[i], ctx);
  if (k->kind->traverse) k->kind->traverse(k, visit, ctx);
}

static Value kernel_binop(Interp *I, OpCode op, Value a, Value b, const Span *where);
static Value kernel_call(Interp *I, Obj *self, Args *args);
static Value kernel_get_field(Interp *I, Obj *self, const char *name, const Span *where);

const ExtClass kernel_class = {
  .name = "kernel",
  .free = kernel_free,
  .print = kernel_print,
  .binop = kernel_binop,
  .call = kernel_call,
  .get_field = kernel_get_field,
  .traverse = kernel_traverse,
};

Kernel *kernel_new(const KernelKind *kind, size_t dim) {
  Kernel *k = obj_new(OBJ_EXT, sizeof(Kernel));
  k->ext.cls = &kernel_class;
  k->kind = kind;
  k->dim = dim;
  for (int i = 0; i < 4; i++) {
    k->p[i] = 0;
    k->v[i] = v_nil();
  }
  k->priv = NULL;
  return k;
}

bool val_is_kernel(Value v) { return IS_EXT(v) && AS_EXT(v)->cls == &kernel_class; }

bool arg_kernel(Args *a, int i, Kernel **out) {
  if (i < a->n && val_is_kernel(a->v[i])) {
    *out = as_kernel(a->v[i]);
    return true;
  }
  if (i >= a->n) call_error(a, "argument %d must be a kernel, got nothing", i + 1);
  else arg_error(a, i, "argument %d must be a kernel, got a %s", i + 1, val_type_name(a->v[i]));
  return false;
}

/* a matrix value as points for k: rows are points; a d-column for a kernel on R^d (d > 1) is one
 * point; a 1×n row for a kernel on R is n points */
static Mat *as_points(Interp *I, const Kernel *k, Value v, const Span *where, const char *who) {
  if (!(IS_MAT(v) || IS_NUM(v) || IS_BOOL(v) || IS_RANGE(v) || IS_LIST(v))) {
    dlt_error(I, where, "%s: the points must be a matrix with one point per row (or a number), got a %s", who, val_type_name(v));
    return NULL;
  }
  Value mv = val_as_mat(I, v, where, "the points");
  if (IS_ABRUPT(mv)) return NULL;
  Mat *M = AS_MAT(mv);
  bool flip = (k->dim > 1 && mat_cols(M) == 1 && mat_rows(M) == k->dim) || (k->dim == 1 && mat_rows(M) == 1 && mat_cols(M) > 1);
  if (flip) {
    Mat *T = mat_alloc(mat_cols(M), mat_rows(M));
    if (!T) {
      val_release(mv);
      dlt_error_oom(I, where, mat_cols(M), mat_rows(M));
      return NULL;
    }
    memcpy(T->data, M->data, mat_numel(M) * sizeof(double));
    val_release(mv);
    M = T;
  }
  if (k->dim && mat_cols(M) != k->dim) {
    dlt_error(I, where, "%s: the kernel takes points in R^%zu (one per row), got a %zu×%zu matrix", who, k->dim, mat_rows(M),
              mat_cols(M));
    val_release(v_obj(M));
    return NULL;
  }
  for (size_t q = 0; q < mat_numel(M); q++)
    if (!isfinite(M->data[q])) {
      dlt_error(I, where, "%s: the points must be finite, entry %zu is %s", who, q + 1, num_text(M->data[q]).s);
      val_release(v_obj(M));
      return NULL;
    }
  return M;
}

bool kernel_points(Args *a, int i, const Kernel *k, Mat **X) {
  *X = as_points(a->I, k, a->v[i], arg_span(a, i), a->fname);
  return *X != NULL;
}

Mat *kernel_gram(Args *a, const Kernel *k, Mat *X, Mat *Y) {
  if (Y && mat_cols(Y) != mat_cols(X)) {
    call_error(a, "the two point sets have dimensions %zu and %zu", mat_cols(X), mat_cols(Y));
    return NULL;
  }
  size_t n = mat_rows(X), m = Y ? mat_rows(Y) : n;
  Mat *K = mat_alloc(n, m);
  if (!K) {
    dlt_error_oom(a->I, a->call, n, m);
    return NULL;
  }
  if (n && m && !k->kind->gram(a, k, X, Y ? Y : X, K)) {
    val_release(v_obj(K));
    return NULL;
  }
  return K;
}

bool kernel_diag(Args *a, const Kernel *k, Mat *X, double *out) {
  if (k->kind->diag) return k->kind->diag(a, k, X, out);
  size_t n = mat_rows(X), d = mat_cols(X);
  Mat *row = mat_alloc(1, d), *K = mat_alloc(1, 1);
  bool ok = row && K;
  if (!ok) dlt_error_oom(a->I, a->call, 1, d);
  for (size_t i = 0; ok && i < n; i++) {
    memcpy(row->data, mat_at(X, i, 0), d * sizeof(double));
    ok = k->kind->gram(a, k, row, row, K);
    out[i] = K->data[0];
  }
  if (row) val_release(v_obj(row));
  if (K) val_release(v_obj(K));
  return ok;
}

/* ------------------------------------------------------------------ calling */
/* one point: a number, or a vector whose length is the kernel's dimension (any for dim 0) */
static bool is_point(const Kernel *k, Value v) {
  if (IS_NUM(v)) return k->dim <= 1;
  Mat *M = IS_MAT(v) ? AS_MAT(v) : NULL;
  if (IS_LIST(v)) return k->dim != 1; /* a numeric list is a vector */
  if (!M || !mat_is_vector(M)) return false;
  size_t len = mat_numel(M);
  if (k->dim == 1) return len == 1;
  return k->dim == 0 || len == k->dim;
}

static Value point_row(Interp *I, Value v, const Span *where, Mat **out) {
  Value mv = val_as_mat(I, v, where, "the point");
  if (IS_ABRUPT(mv)) return mv;
  Mat *M = AS_MAT(mv), *R = mat_alloc(1, mat_numel(M));
  if (!R) {
    Value e = dlt_error_oom(I, where, 1, mat_numel(M)); /* before M goes with mv */
    val_release(mv);
    return e;
  }
  memcpy(R->data, M->data, mat_numel(M) * sizeof(double));
  val_release(mv);
  *out = R;
  return v_nil();
}

static Value kernel_call(Interp *I, Obj *self, Args *args) {
  Args a = *args;
  a.fname = "kernel";
  Kernel *k = (Kernel *)self;
  if (a.nkw > 0) return call_error(&a, "a kernel takes no keyword arguments (got %s=)", a.kwnames[0]);
  if (a.n < 1 || a.n > 2)
    return call_error(&a, "a kernel is called as k(x, y) on two points, or k(X) / k(X, Y) on points as rows; got %d arguments",
                      a.n);
  if (a.n == 2 && is_point(k, a.v[0]) && is_point(k, a.v[1])) {
    Mat *x = NULL, *y = NULL;
    Value e = point_row(I, a.v[0], arg_span(&a, 0), &x);
    if (IS_ABRUPT(e)) return e;
    e = point_row(I, a.v[1], arg_span(&a, 1), &y);
    if (IS_ABRUPT(e)) {
      val_release(v_obj(x));
      return e;
    }
    Value r;
    if (mat_cols(x) != mat_cols(y)) r = call_error(&a, "the two points have lengths %zu and %zu", mat_cols(x), mat_cols(y));
    else {
      bool finite = true;
      for (size_t q = 0; q < mat_cols(x); q++) finite = finite && isfinite(x->data[q]) && isfinite(y->data[q]);
      Mat *K = finite ? kernel_gram(&a, k, x, y) : NULL;
      if (!finite) r = call_error(&a, "the points must be finite");
      else r = K ? v_num(K->data[0]) : v_abrupt();
      if (K) val_release(v_obj(K));
    }
    val_release(v_obj(x));
    val_release(v_obj(y));
    return r;
  }
  Mat *X, *Y = NULL;
  if (!kernel_points(&a, 0, k, &X)) return v_abrupt();
  if (a.n == 2 && !kernel_points(&a, 1, k, &Y)) {
    val_release(v_obj(X));
    return v_abrupt();
  }
  Mat *K = kernel_gram(&a, k, X, Y);
  val_release(v_obj(X));
  if (Y) val_release(v_obj(Y));
  return K ? v_obj(K) : v_abrupt();
}

static Value kernel_get_field(Interp *I, Obj *self, const char *name, const Span *where) {
  Kernel *k = (Kernel *)self;
  if (strcmp(name, "dim") == 0) return v_num((double)k->dim);
  if (strcmp(name, "kind") == 0) return str_from(k->kind->name);
  return dlt_error(I, where, "a kernel has no field '%s' (fields: dim, kind)", name);
}

/* ------------------------------------------------------------------ the standard kernels */
/* row norms squared */
static void sqnorms(Mat *X, double *out) {
  for (size_t i = 0; i < mat_rows(X); i++) {
    const double *r = mat_at(X, i, 0);
    double s = 0;
    for (size_t j = 0; j < mat_cols(X); j++) s += r[j] * r[j];
    out[i] = s;
  }
}

void kernel_outer(double alpha, Mat *X, Mat *Y, Mat *K) {
  if (!mat_cols(X)) {
    memset(K->data, 0, mat_numel(K) * sizeof(double));
    return;
  }
  if (X == Y) {
    gsl_blas_dsyrk(CblasUpper, CblasNoTrans, alpha, &X->m, 0.0, &K->m);
    for (size_t i = 0; i < mat_rows(K); i++)
      for (size_t j = 0; j < i; j++) *mat_at(K, i, j) = *mat_at(K, j, i);
  } else {
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, alpha, &X->m, &Y->m, 0.0, &K->m);
  }
}

static double arccos_J(int n, double t) {
  double s = sin(t), c = cos(t);
  switch (n) {
  case 0: return M_PI - t;
  case 1: return s + (M_PI - t) * c;
  default: return 3 * s * c + (M_PI - t) * (1 + 2 * c * c);
  }
}

static bool std_gram(Args *a, const Kernel *k, Mat *X, Mat *Y, Mat *K) {
  (void)a;
  size_t n = mat_rows(X), m = mat_rows(Y), d = mat_cols(X);
  int which = (int)k->p[3];
  kernel_outer(1.0, X, Y, K);
  if (which == K_LINEAR) return true;
  if (which == K_AFFINE) {
    for (size_t i = 0; i < n * m; i++) K->data[i] += k->p[0];
    return true;
  }
  if (which == K_POLY) {
    for (size_t i = 0; i < n * m; i++) K->data[i] = pow(k->p[2] * K->data[i] + k->p[1], k->p[0]);
    return true;
  }
  double *nx = dlt_xmalloc((n + m + 1) * sizeof *nx), *ny = nx + n;
  sqnorms(X, nx);
  sqnorms(Y, ny);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < m; j++) {
      double *kij = mat_at(K, i, j), dot = *kij;
      double d2 = nx[i] + ny[j] - 2 * dot;
      if (d2 < 0 || (X == Y && i == j)) d2 = 0;
      switch (which) {
      case K_RBF: *kij = exp(-d2 / (2 * k->p[0] * k->p[0])); break;
      case K_LAPLACE: *kij = exp(-sqrt(d2) / k->p[0]); break;
      case K_INTGAUSS: *kij = pow(M_PI * k->p[0] * k->p[0], 0.5 * (double)d) * exp(-d2 / (4 * k->p[0] * k->p[0])); break;
      default: {
        int deg = (int)k->p[0];
        double r = sqrt(nx[i] * ny[j]);
        double cs = r > 0 ? dot / r : 1;
        if (cs > 1) cs = 1;
        if (cs < -1) cs = -1;
        double t = X == Y && i == j ? 0 : acos(cs);
        *kij = r > 0 || deg == 0 ? pow(r, deg) * arccos_J(deg, t) / (2 * M_PI) : 0;
        break;
      }
      }
    }
  free(nx);
  return true;
}

static void std_print(const Kernel *k, StrBuf *b) {
  switch ((int)k->p[3]) {
  case K_LINEAR: sb_puts(b, "linear()"); return;
  case K_AFFINE: sb_printf(b, "affine(c=%s)", num_text(k->p[0]).s); return;
  case K_POLY:
    sb_printf(b, "polynomial(degree=%s, c=%s", num_text(k->p[0]).s, num_text(k->p[1]).s);
    if (k->p[2] != 1) sb_printf(b, ", scale=%s", num_text(k->p[2]).s);
    sb_puts(b, ")");
    return;
  case K_RBF: sb_printf(b, "rbf(ℓ=%s)", num_text(k->p[0]).s); return;
  case K_LAPLACE: sb_printf(b, "laplace_kernel(ℓ=%s)", num_text(k->p[0]).s); return;
  case K_ARCCOS: sb_printf(b, "arccos(n=%s)", num_text(k->p[0]).s); return;
  default: sb_printf(b, "integral_gaussian(s=%s)", num_text(k->p[0]).s); return;
  }
}

static const KernelKind std_kind = {"standard", std_gram, NULL, std_print, NULL, NULL};

static bool kw_param(Args *a, const char *kw, double dflt, bool positive, double *out) {
  bool present;
  if (!kw_num(a, kw, out, &present)) return false;
  if (!present) *out = dflt;
  if (!isfinite(*out) || (positive && !(*out > 0))) {
    kw_error(a, kw, "%s must be a finite number%s, got %s", kw, positive ? " > 0" : "", num_text(*out).s);
    return false;
  }
  return true;
}

static Value std_kernel(int which, double p0, double p1, double p2) {
  Kernel *k = kernel_new(&std_kind, 0);
  k->p[0] = p0;
  k->p[1] = p1;
  k->p[2] = p2;
  k->p[3] = which;
  return kernel_value(k);
}

static Value bi_linear_kernel(Args *a) {
  (void)a;
  return std_kernel(K_LINEAR, 0, 0, 0);
}

static Value bi_affine(Args *a) {
  double c;
  if (!kw_param(a, "c", 1, false, &c)) return v_abrupt();
  if (c < 0) return kw_error(a, "c", "c must be >= 0 (a kernel plus a negative constant is not positive definite), got %s", num_text(c).s);
  return std_kernel(K_AFFINE, c, 0, 0);
}

static Value bi_polynomial(Args *a) {
  double deg, c, s;
  if (!kw_param(a, "degree", 2, false, &deg) || !kw_param(a, "c", 1, false, &c) || !kw_param(a, "scale", 1, true, &s))
    return v_abrupt();
  if (deg < 1 || deg != floor(deg) || deg > 64) return kw_error(a, "degree", "degree must be a whole number from 1 to 64, got %s", num_text(deg).s);
  if (c < 0) return kw_error(a, "c", "c must be >= 0 (otherwise the kernel is not positive definite), got %s", num_text(c).s);
  return std_kernel(K_POLY, deg, c, s);
}

static Value bi_rbf(Args *a) {
  double l;
  if (!kw_param(a, "lengthscale", 1, true, &l)) return v_abrupt();
  return std_kernel((int)(intptr_t)a->data, l, 0, 0);
}

static Value bi_arccos(Args *a) {
  double n;
  if (!kw_param(a, "n", 1, false, &n)) return v_abrupt();
  if (n != 0 && n != 1 && n != 2) return kw_error(a, "n", "the arc-cosine kernel is available for degrees n = 0, 1, 2, got %s", num_text(n).s);
  return std_kernel(K_ARCCOS, n, 0, 0);
}

static Value bi_intgauss(Args *a) {
  double s;
  if (!kw_param(a, "s", 1, true, &s)) return v_abrupt();
  return std_kernel(K_INTGAUSS, s, 0, 0);
}

/* ------------------------------------------------------------------ user kernels */
static Value row_value(Mat *X, size_t i) {
  size_t d = mat_cols(X);
  if (d == 1) return v_num(*mat_at(X, i, 0));
  Mat *r = mat_alloc(d, 1);
  if (!r) return v_nil();
  memcpy(r->data, mat_at(X, i, 0), d * sizeof(double));
  return v_obj(r);
}

static bool user_gram(Args *a, const Kernel *k, Mat *X, Mat *Y, Mat *K) {
  size_t n = mat_rows(X), m = mat_rows(Y);
  for (size_t i = 0; i < n; i++) {
    Value xi = row_value(X, i);
    for (size_t j = X == Y ? i : 0; j < m; j++) {
      Value argv[2] = {xi, row_value(Y, j)};
      double v;
      bool ok = call_num(a, k->v[0], 2, argv, &v);
      val_release(argv[1]);
      if (!ok) {
        val_release(xi);
        return false;
      }
      *mat_at(K, i, j) = v;
      if (X == Y) *mat_at(K, j, i) = v;
    }
    val_release(xi);
  }
  return true;
}

static void user_print(const Kernel *k, StrBuf *b) {
  sb_puts(b, "kernel(");
  val_print(b, k->v[0], PRINT_DISPLAY);
  sb_puts(b, ")");
}

static const KernelKind user_kind = {"user", user_gram, NULL, user_print, NULL, NULL};

static Value bi_kernel(Args *a) {
  if (!arg_callable(a, 0)) return v_abrupt();
  double dim = 0;
  bool present;
  if (!kw_num(a, "dim", &dim, &present)) return v_abrupt();
  if (present && (!(dim >= 1) || dim != floor(dim) || dim > 1e9))
    return kw_error(a, "dim", "dim must be a whole number >= 1, got %s", num_text(dim).s);
  Kernel *k = kernel_new(&user_kind, (size_t)dim);
  k->v[0] = val_retain(a->v[0]);
  return kernel_value(k);
}

/* ------------------------------------------------------------------ algebra */
enum { ALG_SUM, ALG_PROD, ALG_SCALE, ALG_FEATURE, ALG_SHIFT /* k + c: a constant kernel added */ };

static bool alg_gram(Args *a, const Kernel *k, Mat *X, Mat *Y, Mat *K) {
  int op = (int)k->p[1];
  const Kernel *k1 = as_kernel(k->v[0]);
  if (op == ALG_SCALE || op == ALG_SHIFT) {
    if (!k1->kind->gram(a, k1, X, Y, K)) return false;
    for (size_t i = 0; i < mat_numel(K); i++) K->data[i] = op == ALG_SCALE ? K->data[i] * k->p[0] : K->data[i] + k->p[0];
    return true;
  }
  if (op == ALG_FEATURE) {
    /* k(φ(x), φ(y)): φ a network (a batch at once) or a function of one point */
    Value phi = k->v[1];
    Mat *PX = NULL, *PY = NULL;
    if (val_is_network(phi)) {
      PX = net_forward(a, as_network(phi), X);
      PY = !PX ? NULL : X == Y ? PX : net_forward(a, as_network(phi), Y);
    } else {
      for (int side = 0; side < (X == Y ? 1 : 2); side++) {
        Mat *S = side ? Y : X, *P = NULL;
        for (size_t i = 0; i < mat_rows(S); i++) {
          Value xi = row_value(S, i), out;
          bool ok = call_vec(a, phi, 1, &xi, 0, &out);
          val_release(xi);
          if (!ok) {
            if (P) val_release(v_obj(P));
            if (PX) val_release(v_obj(PX));
            return false;
          }
          Mat *o = AS_MAT(out);
          if (!P) P = mat_alloc(mat_rows(S), mat_numel(o));
          if (!P || mat_numel(o) != mat_cols(P)) {
            size_t want = P ? mat_cols(P) : 0, got = mat_numel(o);
            val_release(out);
            if (P) val_release(v_obj(P));
            if (PX) val_release(v_obj(PX));
            if (want) call_error(a, "the feature map gave %zu numbers for one point and %zu for another", want, got);
            else dlt_error_oom(a->I, a->call, mat_rows(S), got);
            return false;
          }
          memcpy(mat_at(P, i, 0), o->data, mat_numel(o) * sizeof(double));
          val_release(out);
        }
        if (side) PY = P;
        else PX = P;
      }
      if (X == Y) PY = PX;
    }
    if (!PX || !PY) {
      if (PX) val_release(v_obj(PX));
      return false;
    }
    bool ok = true;
    if (k1->dim && mat_cols(PX) != k1->dim) {
      call_error(a, "the feature map gives points in R^%zu but the kernel takes R^%zu", mat_cols(PX), k1->dim);
      ok = false;
    }
    ok = ok && k1->kind->gram(a, k1, PX, PY, K);
    if (PY != PX) val_release(v_obj(PY));
    val_release(v_obj(PX));
    return ok;
  }
  const Kernel *k2 = as_kernel(k->v[1]);
  if (!k1->kind->gram(a, k1, X, Y, K)) return false;
  Mat *K2 = mat_alloc(mat_rows(K), mat_cols(K));
  if (!K2) {
    dlt_error_oom(a->I, a->call, mat_rows(K), mat_cols(K));
    return false;
  }
  bool ok = k2->kind->gram(a, k2, X, Y, K2);
  for (size_t i = 0; ok && i < mat_numel(K); i++) K->data[i] = op == ALG_SUM ? K->data[i] + K2->data[i] : K->data[i] * K2->data[i];
  val_release(v_obj(K2));
  return ok;
}

static void alg_print(const Kernel *k, StrBuf *b) {
  int op = (int)k->p[1];
  const Kernel *k1 = as_kernel(k->v[0]);
  bool paren1 = op != ALG_SUM && op != ALG_SHIFT && k1->kind->gram == alg_gram &&
                ((int)k1->p[1] == ALG_SUM || (int)k1->p[1] == ALG_SHIFT);
  if (op == ALG_SCALE) sb_printf(b, "%s * ", num_text(k->p[0]).s);
  if (paren1) sb_puts(b, "(");
  k1->kind->print(k1, b);
  if (paren1) sb_puts(b, ")");
  if (op == ALG_SCALE) return;
  if (op == ALG_SHIFT) {
    sb_printf(b, " + %s", num_text(k->p[0]).s);
    return;
  }
  if (op == ALG_FEATURE) {
    sb_puts(b, " @ ");
    val_print(b, k->v[1], PRINT_DISPLAY);
    return;
  }
  const Kernel *k2 = as_kernel(k->v[1]);
  bool paren2 = op == ALG_PROD && k2->kind->gram == alg_gram && ((int)k2->p[1] == ALG_SUM || (int)k2->p[1] == ALG_SHIFT);
  sb_puts(b, op == ALG_SUM ? " + " : " * ");
  if (paren2) sb_puts(b, "(");
  k2->kind->print(k2, b);
  if (paren2) sb_puts(b, ")");
}

static const KernelKind alg_kind = {"combination", alg_gram, NULL, alg_print, NULL, NULL};

static Value combine(int op, Value k1, Value k2, double c, size_t dim) {
  Kernel *k = kernel_new(&alg_kind, dim);
  k->v[0] = val_retain(k1);
  k->v[1] = val_retain(k2);
  k->p[0] = c;
  k->p[1] = op;
  return kernel_value(k);
}

static Value kernel_binop(Interp *I, OpCode op, Value a, Value b, const Span *where) {
  bool ka = val_is_kernel(a), kb = val_is_kernel(b);
  if (op == OP_EQ || op == OP_NE) return v_bool((a.u.o == b.u.o) == (op == OP_EQ));
  if (ka && kb && (op == OP_ADD || op == OP_MUL)) {
    size_t d1 = as_kernel(a)->dim, d2 = as_kernel(b)->dim;
    if (d1 && d2 && d1 != d2)
      return dlt_error(I, where, "cannot %s kernels on R^%zu and R^%zu", op == OP_ADD ? "add" : "multiply", d1, d2);
    return combine(op == OP_ADD ? ALG_SUM : ALG_PROD, a, b, 0, d1 ? d1 : d2);
  }
  if (ka && op == OP_MATMUL && (val_is_network(b) || (val_is_callable(b) && !kb))) {
    size_t din = val_is_network(b) ? as_network(b)->d_in : 0;
    if (val_is_network(b)) {
      Network *f = as_network(b);
      size_t d1 = as_kernel(a)->dim;
      if (f->any_width) return dlt_error(I, where, "k @ φ needs a feature map with fixed dimensions");
      if (d1 && f->d_out != d1)
        return dlt_error(I, where, "the feature map gives points in R^%zu but the kernel takes R^%zu", f->d_out, d1);
    }
    return combine(ALG_FEATURE, a, b, 0, din);
  }
  Value other = ka ? b : a;
  if ((op == OP_MUL || (op == OP_DIV && ka)) && (IS_NUM(other) || IS_BOOL(other))) {
    double c = IS_NUM(other) ? AS_NUM(other) : AS_BOOL(other);
    if (op == OP_DIV) c = c == 0 ? NAN : 1 / c;
    if (!(c >= 0) || !isfinite(c))
      return dlt_error(I, where, "a kernel can be scaled by a finite number >= 0 (a negative multiple is not positive definite), got %s",
                       op == OP_DIV ? num_text(AS_NUM(other)).s : num_text(c).s);
    return combine(ALG_SCALE, ka ? a : b, v_nil(), c, as_kernel(ka ? a : b)->dim);
  }
  if (op == OP_ADD && IS_NUM(other)) { /* a constant kernel c >= 0 added: k(x, y) + c */
    double c = AS_NUM(other);
    if (!(c >= 0) || !isfinite(c))
      return dlt_error(I, where, "a constant added to a kernel must be a finite number >= 0 (a negative one can make it indefinite), got %s",
                       num_text(c).s);
    return combine(ALG_SHIFT, ka ? a : b, v_nil(), c, as_kernel(ka ? a : b)->dim);
  }
  return dlt_error(I, where, "kernels support k1 + k2, k1 * k2, k + c and c * k (c >= 0), k / c and k @ φ (a feature map); got a %s and a %s",
                   val_type_name(a), val_type_name(b));
}

/* ------------------------------------------------------------------ builtins */
static Value bi_gram(Args *a) {
  Kernel *k;
  if (!arg_kernel(a, 0, &k)) return v_abrupt();
  Mat *X, *Y = NULL;
  if (!kernel_points(a, 1, k, &X)) return v_abrupt();
  if (a->n > 2 && !kernel_points(a, 2, k, &Y)) {
    val_release(v_obj(X));
    return v_abrupt();
  }
  Mat *K = kernel_gram(a, k, X, Y);
  val_release(v_obj(X));
  if (Y) val_release(v_obj(Y));
  return K ? v_obj(K) : v_abrupt();
}

static const Builtin kernel_builtins[] = {
  {"linear", bi_linear_kernel, 0, 0, NULL, "linear()", "the linear kernel x·y", NULL},
  {"affine", bi_affine, 0, 0, "c", "affine(c=1)", "the affine kernel x·y + c", NULL},
  {"polynomial", bi_polynomial, 0, 0, "degree c scale", "polynomial(degree=2, c=1, scale=1)", "the polynomial kernel (scale·x·y + c)^degree", NULL},
  {"rbf", bi_rbf, 0, 0, "lengthscale", "rbf(lengthscale=1)", "the Gaussian (RBF) kernel exp(−‖x − y‖²/(2ℓ²))", (const void *)(intptr_t)K_RBF},
  {"laplace_kernel", bi_rbf, 0, 0, "lengthscale", "laplace_kernel(lengthscale=1)", "the Laplace kernel exp(−‖x − y‖/ℓ)", (const void *)(intptr_t)K_LAPLACE},
  {"arccos", bi_arccos, 0, 0, "n", "arccos(n=1)",
   "the arc-cosine kernel E_w[(w·x)₊ⁿ(w·y)₊ⁿ] = ‖x‖ⁿ‖y‖ⁿ J_n(θ)/(2π), w ~ N(0, I), n = 0, 1, 2", NULL},
  {"integral_gaussian", bi_intgauss, 0, 0, "s", "integral_gaussian(s=1)",
   "the integral kernel ∫G(z,x)G(z,y)dz of Gaussian bumps: (πs²)^(d/2) exp(−‖x − y‖²/(4s²))", NULL},
  {"kernel", bi_kernel, 1, 1, "dim", "kernel(fn, dim=)", "a kernel from a function fn(x, y) of two points (numbers when d = 1)", NULL},
  {"gram", bi_gram, 2, 3, NULL, "gram(k, X, Y=X)", "the Gram matrix k(x_i, y_j) of a kernel on points given as rows (the same as k(X, Y))", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_kernel = {"kernel", kernel_builtins};
