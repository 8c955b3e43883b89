/* lib/matrix.c - constructing matrices and the basic reductions every program needs.
 * (The full numerical library — linear algebra, statistics — builds on these.) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../arith.h"
#include "../builtin.h"
#include "../interp.h"

/* Shape from (n) -> n×1 or (n, m) -> n×m. */
static bool shape_args(Args *a, size_t *r, size_t *c) {
  if (!arg_size(a, 0, r)) return false;
  *c = 1;
  if (a->n > 1 && !arg_size(a, 1, c)) return false;
  return true;
}

static Value filled(Args *a, size_t r, size_t c, double x) {
  Mat *m = x == 0 ? mat_alloc_zero(r, c) : mat_alloc(r, c);
  if (!m) return dlt_error_oom(a->I, a->call, r, c);
  if (x != 0)
    for (size_t i = 0; i < r * c; i++) m->data[i] = x;
  return v_obj(m);
}

static Value bi_zeros(Args *a) {
  size_t r, c;
  if (!shape_args(a, &r, &c)) return v_abrupt();
  return filled(a, r, c, 0);
}

static Value bi_ones(Args *a) {
  size_t r, c;
  if (!shape_args(a, &r, &c)) return v_abrupt();
  return filled(a, r, c, 1);
}

static Value bi_fill(Args *a) {
  double x;
  size_t r, c = 1;
  if (!arg_num(a, 0, &x) || !arg_size(a, 1, &r)) return v_abrupt();
  if (a->n > 2 && !arg_size(a, 2, &c)) return v_abrupt();
  return filled(a, r, c, x);
}

static Value bi_eye(Args *a) {
  size_t n, m;
  if (!arg_size(a, 0, &n)) return v_abrupt();
  m = n;
  if (a->n > 1 && !arg_size(a, 1, &m)) return v_abrupt();
  Value v = filled(a, n, m, 0);
  if (IS_ABRUPT(v)) return v;
  for (size_t i = 0; i < n && i < m; i++) *mat_at(AS_MAT(v), i, i) = 1;
  return v;
}

static Value bi_linspace(Args *a) {
  double lo, hi;
  size_t n;
  if (!arg_num(a, 0, &lo) || !arg_num(a, 1, &hi) || !arg_size(a, 2, &n)) return v_abrupt();
  Value v = filled(a, n, 1, 0);
  if (IS_ABRUPT(v)) return v;
  double *d = AS_MAT(v)->data;
  for (size_t i = 0; i < n; i++) d[i] = n == 1 ? lo : lo + (hi - lo) * (double)i / (double)(n - 1);
  if (n > 1) d[n - 1] = hi; /* exact endpoint */
  return v;
}

static Value bi_vec(Args *a) {
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  Mat *x = AS_MAT(m);
  if (mat_cols(x) == 1) return m;
  Mat *out = mat_alloc(mat_numel(x), 1);
  if (!out) {
    val_release(m);
    return dlt_error_oom(a->I, a->call, mat_numel(x), 1);
  }
  memcpy(out->data, x->data, mat_numel(x) * sizeof(double)); /* row by row */
  val_release(m);
  return v_obj(out);
}

static Value bi_rows(Args *a) {
  Value v = a->v[0];
  if (IS_MAT(v)) return v_num((double)mat_rows(AS_MAT(v)));
  if (IS_NUM(v)) return v_num(1);
  return arg_error(a, 0, "expected a matrix, got a %s", val_type_name(v));
}

static Value bi_cols(Args *a) {
  Value v = a->v[0];
  if (IS_MAT(v)) return v_num((double)mat_cols(AS_MAT(v)));
  if (IS_NUM(v)) return v_num(1);
  return arg_error(a, 0, "expected a matrix, got a %s", val_type_name(v));
}

static Value bi_shape(Args *a) {
  Value v = a->v[0];
  size_t r = 1, c = 1;
  if (IS_MAT(v)) {
    r = mat_rows(AS_MAT(v));
    c = mat_cols(AS_MAT(v));
  } else if (!IS_NUM(v)) {
    return arg_error(a, 0, "expected a matrix, got a %s", val_type_name(v));
  }
  Mat *m = mat_alloc(2, 1);
  if (!m) return dlt_error_oom(a->I, a->call, 2, 1);
  m->data[0] = (double)r;
  m->data[1] = (double)c;
  return v_obj(m);
}

/* sum of a list folds with + (so a list of matrices sums elementwise); of a matrix, its entries */
static Value bi_sum(Args *a) {
  Value v = a->v[0];
  if (IS_LIST(v)) {
    List *l = AS_LIST(v);
    if (l->n == 0) return v_num(0);
    Value acc = val_retain(l->items[0]);
    for (size_t i = 1; i < l->n; i++) {
      Value next = arith_binop(a->I, OP_ADD, acc, l->items[i], arg_span(a, 0));
      val_release(acc);
      if (IS_ABRUPT(next)) return next;
      acc = next;
    }
    return acc;
  }
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  double s = 0;
  for (size_t i = 0; i < mat_numel(AS_MAT(m)); i++) s += AS_MAT(m)->data[i];
  val_release(m);
  return v_num(s);
}

static Value bi_prod(Args *a) {
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  double s = 1;
  for (size_t i = 0; i < mat_numel(AS_MAT(m)); i++) s *= AS_MAT(m)->data[i];
  val_release(m);
  return v_num(s);
}

static Value bi_mean(Args *a) {
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  size_t n = mat_numel(AS_MAT(m));
  if (n == 0) {
    val_release(m);
    return arg_error(a, 0, "the mean of an empty matrix is undefined");
  }
  double s = 0;
  for (size_t i = 0; i < n; i++) s += AS_MAT(m)->data[i];
  val_release(m);
  return v_num(s / (double)n);
}

/* min/max: of one matrix or list, its extreme entry (nan if any entry is nan); of several
 * arguments, elementwise with broadcasting. */
static Value extreme(Args *a, bool want_max) {
  if (a->n == 1) {
    Value m;
    if (!arg_mat(a, 0, &m)) return v_abrupt();
    Mat *x = AS_MAT(m);
    size_t n = mat_numel(x);
    if (n == 0) {
      val_release(m);
      return arg_error(a, 0, "%s of an empty matrix is undefined", want_max ? "max" : "min");
    }
    double best = x->data[0];
    for (size_t i = 0; i < n; i++) {
      double y = x->data[i];
      if (isnan(y)) {
        best = y;
        break;
      }
      if (want_max ? y > best : y < best) best = y;
    }
    val_release(m);
    return v_num(best);
  }
  Value acc = val_retain(a->v[0]);
  for (int i = 1; i < a->n; i++) {
    Value b = a->v[i];
    Value next;
    if (IS_NUM(acc) && IS_NUM(b)) {
      double x = AS_NUM(acc), y = AS_NUM(b);
      next = v_num(isnan(x) || isnan(y) ? NAN : (want_max ? (y > x ? y : x) : (y < x ? y : x)));
    } else {
      /* elementwise: where(b > acc, b, acc) through the broadcasting operators */
      Value cmp = arith_binop(a->I, want_max ? OP_GT : OP_LT, b, acc, arg_span(a, i));
      if (IS_ABRUPT(cmp)) {
        val_release(acc);
        return cmp;
      }
      Value mb = val_as_mat(a->I, b, arg_span(a, i), "argument");
      Value macc = IS_ABRUPT(mb) ? v_nil() : val_as_mat(a->I, acc, arg_span(a, i), "argument");
      if (IS_ABRUPT(mb) || IS_ABRUPT(macc)) {
        val_release(cmp);
        val_release(mb);
        val_release(acc);
        return v_abrupt();
      }
      Mat *c = AS_MAT(cmp), *B = AS_MAT(mb), *A = AS_MAT(macc);
      Mat *out = mat_alloc(mat_rows(c), mat_cols(c));
      if (!out) {
        next = dlt_error_oom(a->I, a->call, mat_rows(c), mat_cols(c));
      } else {
        size_t R = mat_rows(c), C = mat_cols(c);
        for (size_t r = 0; r < R; r++)
          for (size_t k = 0; k < C; k++) {
            double x = A->data[(mat_rows(A) == 1 ? 0 : r) * mat_cols(A) + (mat_cols(A) == 1 ? 0 : k)];
            double y = B->data[(mat_rows(B) == 1 ? 0 : r) * mat_cols(B) + (mat_cols(B) == 1 ? 0 : k)];
            out->data[r * C + k] = isnan(x) || isnan(y) ? NAN : c->data[r * C + k] != 0 ? y : x;
          }
        next = v_obj(out);
      }
      val_release(cmp);
      val_release(mb);
      val_release(macc);
    }
    val_release(acc);
    if (IS_ABRUPT(next)) return next;
    acc = next;
  }
  return acc;
}

static Value bi_min(Args *a) { return extreme(a, false); }
static Value bi_max(Args *a) { return extreme(a, true); }

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  if (isnan(a)) return isnan(b) ? 0 : 1; /* nan sorts last */
  if (isnan(b)) return -1;
  return (a > b) - (a < b);
}

static int cmp_value(const void *x, const void *y) {
  Value a = *(const Value *)x, b = *(const Value *)y;
  if (IS_NUM(a) && IS_NUM(b)) return cmp_double(&a.u.n, &b.u.n);
  if (IS_STR(a) && IS_STR(b)) return strcmp(AS_STR(a)->s, AS_STR(b)->s);
  return IS_NUM(a) ? -1 : IS_NUM(b) ? 1 : 0;
}

static Value bi_sort(Args *a) {
  Value v = a->v[0];
  if (IS_LIST(v)) {
    List *l = AS_LIST(v);
    for (size_t i = 0; i < l->n; i++)
      if (!IS_NUM(l->items[i]) && !IS_STR(l->items[i]))
        return arg_error(a, 0, "can only sort numbers and strings, found a %s", val_type_name(l->items[i]));
    Value r = list_new(l->n);
    for (size_t i = 0; i < l->n; i++) list_push(AS_LIST(r), val_retain(l->items[i]));
    qsort(AS_LIST(r)->items, l->n, sizeof(Value), cmp_value);
    return r;
  }
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  if (!mat_is_vector(AS_MAT(m))) {
    val_release(m);
    return arg_error(a, 0, "sort takes a vector or a list");
  }
  Mat *out = mat_clone(AS_MAT(m));
  val_release(m);
  if (!out) return dlt_error_oom(a->I, a->call, 0, 0);
  qsort(out->data, mat_numel(out), sizeof(double), cmp_double);
  return v_obj(out);
}

static Value bi_reverse(Args *a) {
  Value v = a->v[0];
  if (IS_LIST(v)) {
    List *l = AS_LIST(v);
    Value r = list_new(l->n);
    for (size_t i = l->n; i-- > 0;) list_push(AS_LIST(r), val_retain(l->items[i]));
    return r;
  }
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  Mat *x = AS_MAT(m);
  Mat *out = mat_alloc(mat_rows(x), mat_cols(x));
  if (!out) {
    val_release(m);
    return dlt_error_oom(a->I, a->call, mat_rows(x), mat_cols(x));
  }
  if (mat_is_vector(x)) {
    size_t n = mat_numel(x);
    for (size_t i = 0; i < n; i++) out->data[i] = x->data[n - 1 - i];
  } else { /* a matrix: its rows in reverse order */
    size_t R = mat_rows(x), C = mat_cols(x);
    for (size_t i = 0; i < R; i++) memcpy(out->data + i * C, x->data + (R - 1 - i) * C, C * sizeof(double));
  }
  val_release(m);
  return v_obj(out);
}

/* all(x): every entry is non-zero (true for an empty matrix); any(x): some entry is non-zero */
static Value truth_reduce(Args *a, bool want_all) {
  Value v = a->v[0];
  if (IS_BOOL(v)) return v;
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  bool r = want_all;
  for (size_t i = 0; i < mat_numel(AS_MAT(m)); i++)
    if ((AS_MAT(m)->data[i] != 0) != want_all) {
      r = !want_all;
      break;
    }
  val_release(m);
  return v_bool(r);
}

static Value bi_all(Args *a) { return truth_reduce(a, true); }
static Value bi_any(Args *a) { return truth_reduce(a, false); }

/* mask(x): x != 0 as a mask; find(x): the indices where x is non-zero (row order). */
static Value bi_mask(Args *a) {
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  Mat *x = AS_MAT(m);
  Mat *out = mat_alloc(mat_rows(x), mat_cols(x));
  if (!out) {
    val_release(m);
    return dlt_error_oom(a->I, a->call, mat_rows(x), mat_cols(x));
  }
  for (size_t i = 0; i < mat_numel(x); i++) out->data[i] = x->data[i] != 0;
  out->logical = true;
  val_release(m);
  return v_obj(out);
}

static Value bi_find(Args *a) {
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  Mat *x = AS_MAT(m);
  size_t n = 0;
  for (size_t i = 0; i < mat_numel(x); i++) n += x->data[i] != 0;
  Mat *out = mat_alloc(n, 1);
  if (!out) {
    val_release(m);
    return dlt_error_oom(a->I, a->call, n, 1);
  }
  n = 0;
  for (size_t i = 0; i < mat_numel(x); i++)
    if (x->data[i] != 0) out->data[n++] = (double)(i + 1);
  val_release(m);
  return v_obj(out);
}

static Value bi_pow(Args *a) { return arith_binop(a->I, OP_POW, a->v[0], a->v[1], a->call); }

static const Builtin matrix_builtins[] = {
  {"zeros", bi_zeros, 1, 2, NULL, "zeros(n, m=1)", "an n×m matrix of zeros (zeros(n) is a column vector)", NULL},
  {"ones", bi_ones, 1, 2, NULL, "ones(n, m=1)", "an n×m matrix of ones", NULL},
  {"fill", bi_fill, 2, 3, NULL, "fill(x, n, m=1)", "an n×m matrix with every entry x", NULL},
  {"eye", bi_eye, 1, 2, NULL, "eye(n, m=n)", "the n×m identity matrix", NULL},
  {"linspace", bi_linspace, 3, 3, NULL, "linspace(a, b, n)", "n equally spaced points from a to b inclusive, as a column vector", NULL},
  {"vec", bi_vec, 1, 1, NULL, "vec(x)", "x as a column vector (matrices row by row; ranges and numeric lists too)", NULL},
  {"rows", bi_rows, 1, 1, NULL, "rows(A)", "number of rows of A", NULL},
  {"cols", bi_cols, 1, 1, NULL, "cols(A)", "number of columns of A", NULL},
  {"shape", bi_shape, 1, 1, NULL, "shape(A)", "[rows, cols] of A", NULL},
  {"sum", bi_sum, 1, 1, NULL, "sum(x)", "sum of the entries of a matrix, or of the items of a list", NULL},
  {"prod", bi_prod, 1, 1, NULL, "prod(x)", "product of the entries of a matrix", NULL},
  {"mean", bi_mean, 1, 1, NULL, "mean(x)", "arithmetic mean of the entries of a matrix", NULL},
  {"min", bi_min, 1, -1, NULL, "min(x) or min(a, b, ...)", "smallest entry of x, or the elementwise minimum of the arguments", NULL},
  {"max", bi_max, 1, -1, NULL, "max(x) or max(a, b, ...)", "largest entry of x, or the elementwise maximum of the arguments", NULL},
  {"sort", bi_sort, 1, 1, NULL, "sort(x)", "a vector or list sorted ascending (nan last)", NULL},
  {"reverse", bi_reverse, 1, 1, NULL, "reverse(x)", "a vector or list in reverse order (a matrix: its rows)", NULL},
  {"all", bi_all, 1, 1, NULL, "all(x)", "whether every entry of x is non-zero (true for an empty matrix)", NULL},
  {"any", bi_any, 1, 1, NULL, "any(x)", "whether some entry of x is non-zero", NULL},
  {"mask", bi_mask, 1, 1, NULL, "mask(x)", "x != 0 as a mask (comparisons already give masks): A[mask(x)] selects where x is non-zero", NULL},
  {"find", bi_find, 1, 1, NULL, "find(x)", "the 1-based indices (in row order) of the non-zero entries of x", NULL},
  {"pow", bi_pow, 2, 2, NULL, "pow(x, y)", "x^y, elementwise with broadcasting", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_matrix = {"matrix", matrix_builtins};
