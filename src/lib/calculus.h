/* lib/calculus.h - quadrature rules other modules reuse (kernels, measures), and the helpers the
 * calculus, ode and optim modules share for calling DLT functions from GSL callbacks.
 *
 * The rules are computed by GSL (gsl_integration_fixed for Hermite, gsl_integration_glfixed for
 * Legendre). Nodes are returned in ascending order. Each function returns 0 (GSL_SUCCESS), or
 * GSL_EINVAL when n is 0 or larger than DLT_GAUSS_MAX, or GSL_ENOMEM. */
#ifndef DLT_LIB_CALCULUS_H
#define DLT_LIB_CALCULUS_H

#include <stdbool.h>
#include <stddef.h>

#include "../builtin.h"
#include "../print.h"

/* The largest order accepted (the Golub–Welsch eigenproblem costs O(n^2)). */
#define DLT_GAUSS_MAX 10000

/* Probabilists' Gauss–Hermite: sum_i weights[i] * f(nodes[i]) ≈ E f(g) for g ~ N(0, 1), exact for
 * polynomials of degree <= 2n - 1. The weights sum to 1. */
int dlt_gauss_hermite_normal(size_t n, double *nodes, double *weights);

/* Physicists' Gauss–Hermite: sum_i weights[i] * f(nodes[i]) ≈ ∫ f(x) e^(-x²) dx over R, exact for
 * polynomials of degree <= 2n - 1. The weights sum to √π. */
int dlt_gauss_hermite(size_t n, double *nodes, double *weights);

/* Gauss–Legendre on [a, b]: sum_i weights[i] * f(nodes[i]) ≈ ∫_a^b f(x) dx, exact for polynomials
 * of degree <= 2n - 1. The weights sum to b - a. */
int dlt_gauss_legendre(size_t n, double a, double b, double *nodes, double *weights);

/* ------------------------------------------------------------------ shared by calculus.c, ode.c, optim.c
 * Not a general API: these raise errors prefixed with the running builtin's name. */

/* The point a DLT callback is called at: a number when `scalar`, else an n×1 column vector. The
 * vector is reused from call to call while the callee keeps no reference to it. */
typedef struct CalcPoint {
  Value v;
  size_t n;
  bool scalar;
} CalcPoint;

void calc_point_init(CalcPoint *p, size_t n, bool scalar);
/* Store x (n numbers) into p->v. Returns false after raising "out of memory". */
bool calc_point_set(Args *a, CalcPoint *p, const double *x);
void calc_point_free(CalcPoint *p);

/* Call fn(argv...) and require a number (or a bool, or a 1×1 matrix); it may be nan or inf, the
 * caller decides. `what` names the function in the error: "the integrand", "f(t, y)". False after
 * an error, raised either inside fn (with its own location and a call-stack line) or here. Ctrl-C
 * is honoured before each call, also when fn is a builtin. */
bool calc_call_num(Args *a, Value fn, const char *what, int argc, const Value *argv, double *out);
/* Require a numeric vector (a column, a row, a range or a list of numbers) of exactly n entries
 * (a number is accepted when n == 1), copied into out. */
bool calc_call_vec(Args *a, Value fn, const char *what, int argc, const Value *argv, size_t n, double *out);
/* Like calc_call_vec for an n×n matrix (row-major into out). */
bool calc_call_mat(Args *a, Value fn, const char *what, int argc, const Value *argv, size_t n, double *out);
/* Call fn and require a numeric vector of any length (a number counts as length 1): a new
 * malloc'd array in *out, its length in *n. */
bool calc_call_anyvec(Args *a, Value fn, const char *what, int argc, const Value *argv, double **out, size_t *n);

/* A numeric argument that is a number (scalar = true) or a vector (a matrix with one row or
 * column, a range, a list of numbers): its entries in a new malloc'd array (free it; it is NULL
 * only after an error). `name` names the argument in the error ("y0"). */
bool calc_arg_vec(Args *a, int i, const char *name, double **out, size_t *n, bool *scalar);
/* The same for a keyword argument (present is set when it was given). */
bool calc_kw_vec(Args *a, const char *name, double **out, size_t *n, bool *present);
/* A keyword option that must be a finite positive number (def when absent). */
bool calc_kw_pos(Args *a, const char *name, double def, double *out);
/* A keyword option that must be a non-negative number (def when absent). */
bool calc_kw_nonneg(Args *a, const char *name, double def, double *out);
/* A keyword option that must be a whole number between min and max (def when absent). */
bool calc_kw_count(Args *a, const char *name, size_t def, size_t min, size_t max, size_t *out);

/* A new column vector (or a number when scalar and n == 1) holding x; v_abrupt() on OOM. */
Value calc_vec_value(Args *a, const double *x, size_t n, bool scalar);

/* Shortest round-trip text for a number in a message (print.h's num_text). */
#define CALC_NUM(x) (num_text(x).s)

#endif
