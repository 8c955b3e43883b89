/* lib/measure.h - probability measures (and signed measures) as DLT values.
 *
 * A measure is an immutable OBJ_EXT value (type() is "measure") whose behaviour comes from its
 * MeasureKind: a small vtable, one per family (normal, uniform, discrete, ...) and one per
 * combinator (product, pushforward, mixture, ...). Modules add kinds without touching each other:
 *   measure.c       the type itself (ExtClass: printing, equality, arithmetic mu * 2 + 1), the
 *                   standard families and dirac/discrete/empirical, sample, mean/cov/var,
 *                   pdf/logpdf/cdf/score, mass, support, moments and cumulants;
 *   measure_ops.c   expect (exact, quadrature or Monte Carlo, the method visible), density(f, a, b),
 *                   KL divergence and Wasserstein distances;
 *   measure_comb.c  signed measures and their Jordan decomposition, the Maurey sampler, product,
 *                   pushforward, mixture, scaling/shifting, joint data-generating processes.
 *
 * Conventions: a measure on R^d has dim = d; samples are the ROWS of an n×d matrix (a column
 * vector when d = 1); points passed to pdf etc. are d-vectors (numbers when d = 1).
 * Hooks that can fail take the builtin's Args (for located errors and for calling DLT functions)
 * and return false after raising an error. A NULL hook means "not available for this kind": the
 * caller falls back (e.g. expect -> Monte Carlo) or raises a clear error naming the kind.
 */
#ifndef DLT_LIB_MEASURE_H
#define DLT_LIB_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "../builtin.h"
#include "../strbuf.h"
#include "../value.h"

typedef struct Measure Measure;

typedef struct MeasureKind {
  const char *name; /* the family: "normal", "uniform", "discrete", "pushforward", ... */

  /* How it prints, e.g. normal(mean=0, sd=1) or normal(mean=[0, 0], cov=I₂). Required. */
  void (*print)(const Measure *m, StrBuf *out);

  /* n draws into out (n×dim, row-major). Required for every kind that can be sampled; NULL for
   * signed measures (sampling one directly is an error: use the Maurey sampler). */
  bool (*sample)(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out);

  /* Closed forms, when they exist (NULL otherwise). mean: dim numbers; cov: dim×dim row-major.
   * Return false with no error raised when this particular measure has none (a Cauchy's mean). */
  bool (*mean)(const Measure *m, double *out);
  bool (*cov)(const Measure *m, double *out);
  /* E[x^k] for a 1-D measure, exactly (false: not in closed form / does not exist). */
  bool (*raw_moment)(const Measure *m, int k, double *out);

  /* Densities with respect to Lebesgue measure (or counting measure for discrete kinds). */
  double (*logpdf)(const Measure *m, const double *x);
  double (*cdf)(const Measure *m, double x);            /* 1-D only */
  bool (*score)(const Measure *m, const double *x, double *grad); /* ∇ log p(x), dim numbers */

  /* Total mass (1 for probability measures; |mu|(R^d) is separate, see measure_comb.c). */
  double (*mass)(const Measure *m);
  /* The support as [lo, hi] per coordinate (±inf when unbounded), 2·dim numbers. */
  void (*support)(const Measure *m, double *lo, double *hi);

  /* Values the measure holds (children measures, functions), for the cycle collector. */
  void (*traverse)(Measure *m, void (*visit)(Value *slot, void *ctx), void *ctx);
  /* Release kind-private data (m->priv). NULL when there is none. */
  void (*free_priv)(Measure *m);

  /* E[(x - mean)^k] for a 1-D measure, exactly, when computing it from raw moments would lose
   * digits to cancellation (NULL: cmoment expands the raw moments binomially). */
  bool (*central_moment)(const Measure *m, int k, double *out);
} MeasureKind;

struct Measure {
  Ext ext;                 /* OBJ_EXT header; ext.cls is the measure ExtClass */
  const MeasureKind *kind;
  size_t dim;              /* samples are points of R^dim */
  bool is_signed;          /* a signed measure (not a probability measure) */
  double p[4];             /* scalar parameters, meaning fixed by the kind (mean, sd, lo, hi, ...) */
  Value v[4];              /* owned values: matrices (mean vector, covariance, its Cholesky
                            * factor, atoms, weights), child measures, functions; nil if unused */
  void *priv;              /* kind-private data (e.g. a gsl_ran_discrete_t), freed by free_priv */
};

/* A new measure of the given kind with every v[] nil and p[] zero (refs = 1). */
Measure *measure_new(const MeasureKind *kind, size_t dim);
Value measure_value(Measure *m); /* wrap as a Value (takes the reference) */

bool val_is_measure(Value v);
static inline Measure *as_measure(Value v) { return (Measure *)v.u.o; }

/* Argument i as a measure, or a located error "NAME: the first argument must be a measure, got ...". */
bool arg_measure(Args *a, int i, Measure **out);

/* n samples as a new n×dim matrix value (a column when dim = 1): v_abrupt() after an error
 * (signed measure, out of memory, a failing pushforward function). */
Value measure_sample(Args *a, const Measure *m, gsl_rng *rng, size_t n);
/* Draw into a caller's buffer (n×dim); false after an error. */
bool measure_draw(Args *a, const Measure *m, gsl_rng *rng, size_t n, double *out);

extern const ExtClass measure_class;

/* Defined in measure_comb.c and wired into the type by measure.c: arithmetic on measures
 * (a * mu + b, P + Q, -mu) and the shape of sample()'s result (a joint process gives a record
 * of its components; every other measure its n×d matrix x, returned as is). */
Value measure_binop(Interp *I, OpCode op, Value a, Value b, const Span *where);
Value measure_unop(Interp *I, OpCode op, Obj *self, const Span *where);
Value measure_comb_sample_result(Args *a, const Measure *m, Value x);

#endif
