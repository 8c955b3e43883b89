/* lib/kernel.h - positive-definite kernels as DLT values (issue 6).
 *
 * A kernel is an immutable OBJ_EXT value (type() is "kernel") whose behaviour comes from its
 * KernelKind, a small vtable (as measures have MeasureKind), so modules add kinds without touching
 * each other:
 *   kernel.c          the type (printing, calling k(x, y) / k(X) / k(X, Y), algebra k1 + k2,
 *                     k1 * k2, c * k, composition with a feature map), the built-in kernels
 *                     (linear, affine, polynomial, rbf, laplace, arccos, integral_gaussian) and
 *                     user kernels from a DLT function;
 *   kernel_net.c      nngp(f) and ntk(f): the infinite-width kernels of a network architecture;
 *   kernel_maps.c     the single-layer variance/correlation maps, their iterates, the fourth
 *                     cumulant recursion, and Monte Carlo kernel estimates of networks;
 *   kernel_methods.c  kernel ridge regression, GP posterior, kernel gradient descent/flow,
 *                     random features, spectra and RKHS norms.
 *
 * Conventions: points are the ROWS of a matrix (X is n×d); a kernel has an input dimension dim
 * (0: any). A Gram matrix K[i, j] = k(x_i, y_j) is n×m.
 */
#ifndef DLT_LIB_KERNEL_H
#define DLT_LIB_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "../builtin.h"
#include "../strbuf.h"
#include "../value.h"

typedef struct Kernel Kernel;

typedef struct KernelKind {
  const char *name; /* "rbf", "sum", "nngp", ... */
  /* The Gram matrix into K (n×m, allocated by the caller, contents undefined): X is n×d, Y is
   * m×d, and Y == X (the same pointer) when the caller wants k(X) (a kind may use symmetry).
   * d has already been checked against dim. False after a located error. Required. */
  bool (*gram)(Args *a, const Kernel *k, Mat *X, Mat *Y, Mat *K);
  /* k(x_i, x_i) for every row of X into out (n doubles). NULL: computed with gram row by row. */
  bool (*diag)(Args *a, const Kernel *k, Mat *X, double *out);
  /* The formula, e.g. "rbf(ℓ=1)" or "2 * linear() + affine(c=1)". Required. */
  void (*print)(const Kernel *k, StrBuf *out);
  /* Values held (child kernels in v[], functions, networks), for the cycle collector. */
  void (*traverse)(Kernel *k, void (*visit)(Value *slot, void *ctx), void *ctx);
  /* Release priv. NULL when there is none. */
  void (*free_priv)(Kernel *k);
} KernelKind;

struct Kernel {
  Ext ext;                /* OBJ_EXT header; ext.cls is kernel_class */
  const KernelKind *kind;
  size_t dim;             /* input dimension; 0 = any */
  double p[4];            /* scalar parameters, meaning fixed by the kind */
  Value v[4];             /* owned values (child kernels, functions, networks, matrices); nil if unused */
  void *priv;             /* kind-private data, freed by free_priv */
};

extern const ExtClass kernel_class;

/* A new kernel (refs = 1) with every v[] nil and p[] zero. */
Kernel *kernel_new(const KernelKind *kind, size_t dim);
static inline Value kernel_value(Kernel *k) { return v_obj((Obj *)k); }
bool val_is_kernel(Value v);
static inline Kernel *as_kernel(Value v) { return (Kernel *)v.u.o; }
/* Positional argument i must be a kernel, else a located error. */
bool arg_kernel(Args *a, int i, Kernel **out);

/* Argument i as a set of points for k, a new reference in *X: an n×d matrix with d = dim (any d
 * when dim = 0); for a kernel on R (dim 1) a vector or list of n numbers is n points. Located
 * errors for a wrong width or non-finite entries. */
bool kernel_points(Args *a, int i, const Kernel *k, Mat **X);

/* The Gram matrix k(X, Y) (Y NULL: k(X), symmetric) as a new n×m matrix; NULL after a located
 * error. X and Y must already have k's dimension. */
Mat *kernel_gram(Args *a, const Kernel *k, Mat *X, Mat *Y);
/* K = alpha·X Yᵀ (n×m): a symmetric rank-k update, mirrored, when Y is X; zeros for 0 columns.
 * The one product behind inner-product kernels, empirical kernels and random features. */
void kernel_outer(double alpha, Mat *X, Mat *Y, Mat *K);
/* k(x_i, x_i) into out (n doubles). */
bool kernel_diag(Args *a, const Kernel *k, Mat *X, double *out);

#endif
