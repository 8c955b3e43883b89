/* lib/matrix.c - constructing matrices and the basic reductions every program needs.
 * (The full numerical library — linear algebra, statistics — builds on these.) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../arith.h"
#include "../builtin.h"
#include "../interp.h"
#include "../strbuf.h"

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
    Value e = dlt_error_oom(a->I, a->call, mat_numel(x), 1); /* before x goes with m */
    val_release(m);
    return e;
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

/* ------------------------------------------------------------------ reductions
 * A reduction runs over "lines": all entries (no axis=), each column (axis=1: down the rows, a
 * 1×cols result) or each row (axis=2: across the columns, a rows×1 result). */
typedef enum { R_SUM, R_PROD, R_MEAN, R_MIN, R_MAX, R_ARGMIN, R_ARGMAX, R_ALL, R_ANY } Reduce;

static const char *const reduce_name[] = {"sum", "prod", "mean", "min", "max", "argmin", "argmax", "all", "any"};

/* reductions with no value on zero entries (sum and prod have their identities 0 and 1) */
static bool needs_entries(Reduce k) { return k == R_MEAN || k == R_MIN || k == R_MAX || k == R_ARGMIN || k == R_ARGMAX; }

/* The reduction of the n entries p[0], p[s], p[2s], ...; argmin/argmax give a 1-based position.
 * The extremes stop at the first nan, so nan propagates and argmin/argmax report where it is. */
static double reduce_line(Reduce k, const double *p, size_t n, size_t s) {
  switch (k) {
  case R_SUM:
  case R_MEAN: {
    double t = 0;
    for (size_t i = 0; i < n; i++) t += p[i * s];
    return k == R_MEAN ? t / (double)n : t;
  }
  case R_PROD: {
    double t = 1;
    for (size_t i = 0; i < n; i++) t *= p[i * s];
    return t;
  }
  case R_ALL:
    for (size_t i = 0; i < n; i++)
      if (p[i * s] == 0) return 0;
    return 1;
  case R_ANY:
    for (size_t i = 0; i < n; i++)
      if (p[i * s] != 0) return 1;
    return 0;
  default: {
    bool want_max = k == R_MAX || k == R_ARGMAX;
    size_t best = 0;
    for (size_t i = 1; i < n && !isnan(p[best * s]); i++) {
      double y = p[i * s];
      if (isnan(y) || (want_max ? y > p[best * s] : y < p[best * s])) best = i;
    }
    return k == R_ARGMIN || k == R_ARGMAX ? (double)(best + 1) : p[best * s];
  }
  }
}

static Value empty_error(Args *a, Reduce k, const Mat *x, int axis) {
  if (axis == 0)
    return arg_error(a, 0, "the %s of an empty %zu×%zu matrix is undefined", reduce_name[k], mat_rows(x), mat_cols(x));
  return arg_error(a, 0, "the %s along axis=%d of a %zu×%zu matrix is undefined: its %s are empty", reduce_name[k], axis,
                   mat_rows(x), mat_cols(x), axis == 1 ? "columns" : "rows");
}

static Value reduce_entries(Args *a, Reduce k, Mat *x) {
  size_t n = mat_numel(x);
  if (n == 0 && needs_entries(k)) return empty_error(a, k, x, 0);
  double r = reduce_line(k, x->data, n, 1);
  if (k == R_ALL || k == R_ANY) return v_bool(r != 0);
  if ((k == R_ARGMIN || k == R_ARGMAX) && !mat_is_vector(x)) { /* a matrix: where, as [row, col] */
    size_t i = (size_t)r - 1;
    Mat *out = mat_alloc(2, 1);
    if (!out) return dlt_error_oom(a->I, a->call, 2, 1);
    out->data[0] = (double)(i / mat_cols(x) + 1);
    out->data[1] = (double)(i % mat_cols(x) + 1);
    return v_obj(out);
  }
  return v_num(r);
}

/* reduce_line on every column at once, o[j] for column j: x is read row by row, in memory order
 * (walking down a column touches a new cache line per entry, ten times slower on 2000×2000).
 * Same results as reduce_line: the entries meet in the same order. Needs R > 0 for the extremes. */
static void reduce_columns(Reduce k, const Mat *x, double *o) {
  size_t R = mat_rows(x), C = mat_cols(x);
  const double *X = x->data;
  switch (k) {
  case R_SUM:
  case R_MEAN:
  case R_PROD:
  case R_ALL:
  case R_ANY:
    for (size_t j = 0; j < C; j++) o[j] = k == R_PROD || k == R_ALL ? 1 : 0;
    for (size_t i = 0; i < R; i++) {
      const double *row = X + i * C;
      for (size_t j = 0; j < C; j++) {
        if (k == R_PROD) o[j] *= row[j];
        else if (k == R_ALL) o[j] = o[j] != 0 && row[j] != 0;
        else if (k == R_ANY) o[j] = o[j] != 0 || row[j] != 0;
        else o[j] += row[j];
      }
    }
    if (k == R_MEAN)
      for (size_t j = 0; j < C; j++) o[j] /= (double)R;
    return;
  default: {
    bool want_max = k == R_MAX || k == R_ARGMAX, want_arg = k == R_ARGMIN || k == R_ARGMAX;
    double *best = want_arg ? dlt_xmalloc(C * sizeof(double) + 1) : o;
    memcpy(best, X, C * sizeof(double));
    if (want_arg)
      for (size_t j = 0; j < C; j++) o[j] = 1;
    for (size_t i = 1; i < R; i++) {
      const double *row = X + i * C;
      for (size_t j = 0; j < C; j++) {
        double b = best[j], y = row[j];
        if (!isnan(b) && (isnan(y) || (want_max ? y > b : y < b))) {
          best[j] = y;
          if (want_arg) o[j] = (double)(i + 1);
        }
      }
    }
    if (want_arg) free(best);
  }
  }
}

static Value reduce_along(Args *a, Reduce k, Mat *x, int axis) {
  size_t R = mat_rows(x), C = mat_cols(x);
  size_t lines = axis == 1 ? C : R, len = axis == 1 ? R : C;
  if (lines > 0 && len == 0 && needs_entries(k)) return empty_error(a, k, x, axis);
  Mat *out = axis == 1 ? mat_alloc(1, C) : mat_alloc(R, 1);
  if (!out) return axis == 1 ? dlt_error_oom(a->I, a->call, 1, C) : dlt_error_oom(a->I, a->call, R, 1);
  if (axis == 1)
    reduce_columns(k, x, out->data);
  else
    for (size_t i = 0; i < R; i++) out->data[i] = reduce_line(k, x->data + i * C, C, 1);
  out->logical = k == R_ALL || k == R_ANY;
  return v_obj(out);
}

static Value reduce(Args *a, Reduce k) {
  int axis;
  if (!kw_axis(a, &axis)) return v_abrupt();
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  Value r = axis ? reduce_along(a, k, AS_MAT(m), axis) : reduce_entries(a, k, AS_MAT(m));
  val_release(m);
  return r;
}

/* sum of a list folds with + (so a list of matrices sums elementwise) */
static Value bi_sum(Args *a) {
  Value v = a->v[0];
  if (IS_LIST(v) && !kw_get(a, "axis")) {
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
  return reduce(a, R_SUM);
}

static Value bi_prod(Args *a) { return reduce(a, R_PROD); }
static Value bi_mean(Args *a) { return reduce(a, R_MEAN); }
static Value bi_argmin(Args *a) { return reduce(a, R_ARGMIN); }
static Value bi_argmax(Args *a) { return reduce(a, R_ARGMAX); }

/* A list of bools (a sweep's bool column, map(xs, pred)): whether all / any of them hold; -1 when
 * the argument is not such a list. */
static int bool_list(Args *a, bool want_all) {
  if (!IS_LIST(a->v[0]) || kw_get(a, "axis")) return -1;
  List *l = AS_LIST(a->v[0]);
  for (size_t i = 0; i < l->n; i++)
    if (!IS_BOOL(l->items[i])) return -1;
  for (size_t i = 0; i < l->n; i++)
    if (AS_BOOL(l->items[i]) != want_all) return !want_all;
  return want_all;
}

static Value bi_all(Args *a) {
  if (IS_BOOL(a->v[0]) && !kw_get(a, "axis")) return a->v[0];
  int r = bool_list(a, true);
  return r >= 0 ? v_bool(r) : reduce(a, R_ALL);
}

static Value bi_any(Args *a) {
  if (IS_BOOL(a->v[0]) && !kw_get(a, "axis")) return a->v[0];
  int r = bool_list(a, false);
  return r >= 0 ? v_bool(r) : reduce(a, R_ANY);
}

/* ------------------------------------------------------------------ broadcasting several arguments */

/* arg_mat for arguments from..a->n-1 into out[]; on failure nothing is left to release */
static bool args_mats(Args *a, int from, Value *out) {
  for (int i = from; i < a->n; i++)
    if (!arg_mat(a, i, &out[i - from])) {
      while (i-- > from) val_release(out[i - from]);
      return false;
    }
  return true;
}

static void release_all(Value *ms, int k) {
  for (int i = 0; i < k; i++) val_release(ms[i]);
  free(ms);
}

/* The shape k matrices broadcast to (each dimension agrees or is 1), or an error naming them. */
static bool broadcast_shape(Args *a, const Value *ms, int k, size_t *R, size_t *C) {
  *R = *C = 1;
  bool ok = true;
  for (int i = 0; i < k; i++) {
    size_t r = mat_rows(AS_MAT(ms[i])), c = mat_cols(AS_MAT(ms[i]));
    if (r != 1) ok = ok && (*R == 1 || *R == r), *R = r;
    if (c != 1) ok = ok && (*C == 1 || *C == c), *C = c;
  }
  if (ok) return true;
  StrBuf s = STRBUF_INIT;
  for (int i = 0; i < k; i++)
    sb_printf(&s, "%s%zu×%zu", i == 0 ? "" : i == k - 1 ? " and " : ", ", mat_rows(AS_MAT(ms[i])), mat_cols(AS_MAT(ms[i])));
  call_error(a, "cannot broadcast %s together (each dimension must agree or be 1)", sb_cstr(&s));
  sb_free(&s);
  return false;
}

/* entry (i, j) of m broadcast to a larger shape */
static inline double bget(const Mat *m, size_t i, size_t j) {
  return m->data[(mat_rows(m) == 1 ? 0 : i) * mat_cols(m) + (mat_cols(m) == 1 ? 0 : j)];
}

static bool all_scalars(Args *a, int from) {
  for (int i = from; i < a->n; i++)
    if (!IS_NUM(a->v[i]) && !IS_BOOL(a->v[i])) return false;
  return true;
}

static double pick_extreme(double best, double y, bool want_max) {
  if (isnan(best) || isnan(y)) return NAN;
  return want_max ? (y > best ? y : best) : (y < best ? y : best);
}

/* Truth of `x OP y` by the operators, or -1 after an error. */
static int holds(Args *a, OpCode op, Value x, Value y, int at) {
  Value c = arith_binop(a->I, op, x, y, arg_span(a, at));
  if (IS_ABRUPT(c)) return -1;
  int t = val_truthy(a->I, c, arg_span(a, at));
  val_release(c);
  return t;
}

/* Several arguments, some of them domain values (the dual numbers of a function being
 * differentiated): compared with the operators, and the winner returned as it is, so it keeps its
 * derivative. nan wins, as for numbers; a tie goes to a plain number, so max(x, 0) at x = 0 is the
 * constant 0 (ReLU's derivative there is 0). */
static Value extreme_ext(Args *a, bool want_max, int ext) {
  Value best = a->v[0];
  for (int i = 0; i < a->n; i++)
    if (!IS_NUM(a->v[i]) && !IS_BOOL(a->v[i]) && !IS_EXT(a->v[i]))
      return arg_error(a, i, "with a %s argument, the others must be numbers, got a %s", val_type_name(a->v[ext]),
                       val_type_name(a->v[i]));
  for (int i = 0; i < a->n; i++) {
    Value y = a->v[i];
    int t = holds(a, OP_NE, y, y, i);
    if (t) return t < 0 ? v_abrupt() : val_retain(y);
    if (i == 0) continue;
    t = holds(a, want_max ? OP_GT : OP_LT, y, best, i);
    if (t == 0 && !IS_EXT(y) && IS_EXT(best)) t = holds(a, OP_EQ, y, best, i);
    if (t < 0) return v_abrupt();
    if (t) best = y;
  }
  return val_retain(best);
}

/* min/max of one argument: its extreme entry (or along axis=); of several: elementwise, with
 * broadcasting. nan wins either way. */
static Value extreme(Args *a, bool want_max) {
  if (a->n == 1) return reduce(a, want_max ? R_MAX : R_MIN);
  if (kw_get(a, "axis"))
    return kw_error(a, "axis", "axis= needs a single argument; %s(a, b, ...) is elementwise", want_max ? "max" : "min");
  for (int i = 0; i < a->n; i++)
    if (IS_EXT(a->v[i])) return extreme_ext(a, want_max, i);
  if (all_scalars(a, 0)) {
    double best, y;
    arg_num(a, 0, &best);
    for (int i = 1; i < a->n; i++) {
      arg_num(a, i, &y);
      best = pick_extreme(best, y, want_max);
    }
    return v_num(best);
  }
  int k = a->n;
  Value *ms = dlt_xmalloc(sizeof(Value) * (size_t)k);
  if (!args_mats(a, 0, ms)) {
    free(ms);
    return v_abrupt();
  }
  size_t R, C;
  Value result;
  if (!broadcast_shape(a, ms, k, &R, &C)) {
    result = v_abrupt();
  } else {
    Mat *out = mat_alloc(R, C);
    if (!out) {
      result = dlt_error_oom(a->I, a->call, R, C);
    } else {
      for (size_t i = 0; i < R; i++)
        for (size_t j = 0; j < C; j++) {
          double best = bget(AS_MAT(ms[0]), i, j);
          for (int t = 1; t < k; t++) best = pick_extreme(best, bget(AS_MAT(ms[t]), i, j), want_max);
          out->data[i * C + j] = best;
        }
      result = v_obj(out);
    }
  }
  release_all(ms, k);
  return result;
}

static Value bi_min(Args *a) { return extreme(a, false); }
static Value bi_max(Args *a) { return extreme(a, true); }

/* where(cond, x, y): x where cond is non-zero (nan counts as non-zero), else y; broadcasting */
static Value bi_where(Args *a) {
  if (all_scalars(a, 0)) {
    double c, x, y;
    arg_num(a, 0, &c);
    arg_num(a, 1, &x);
    arg_num(a, 2, &y);
    return v_num(c != 0 ? x : y);
  }
  Value ms[3];
  if (!args_mats(a, 0, ms)) return v_abrupt();
  size_t R, C;
  Value result;
  if (!broadcast_shape(a, ms, 3, &R, &C)) {
    result = v_abrupt();
  } else {
    Mat *out = mat_alloc(R, C);
    if (!out) {
      result = dlt_error_oom(a->I, a->call, R, C);
    } else {
      const Mat *c = AS_MAT(ms[0]), *x = AS_MAT(ms[1]), *y = AS_MAT(ms[2]);
      for (size_t i = 0; i < R; i++)
        for (size_t j = 0; j < C; j++) out->data[i * C + j] = bget(c, i, j) != 0 ? bget(x, i, j) : bget(y, i, j);
      result = v_obj(out);
    }
  }
  for (int i = 0; i < 3; i++) val_release(ms[i]);
  return result;
}

/* cumsum/cumprod: running sums/products down each column (axis=1) or along each row (axis=2).
 * Without axis= a row vector runs along itself and anything else down its columns, so a vector
 * keeps its shape either way. */
static Value cumulate(Args *a, bool product) {
  int axis;
  if (!kw_axis(a, &axis)) return v_abrupt();
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  Mat *x = AS_MAT(m);
  size_t R = mat_rows(x), C = mat_cols(x);
  if (axis == 0) axis = R == 1 ? 2 : 1;
  Mat *out = mat_alloc(R, C);
  if (!out) {
    val_release(m);
    return dlt_error_oom(a->I, a->call, R, C);
  }
  const double *X = x->data;
  double *O = out->data;
  if (axis == 1) { /* row by row, so both matrices are read in memory order */
    if (R > 0) memcpy(O, X, C * sizeof(double));
    for (size_t i = 1; i < R; i++)
      for (size_t j = 0; j < C; j++)
        O[i * C + j] = product ? O[(i - 1) * C + j] * X[i * C + j] : O[(i - 1) * C + j] + X[i * C + j];
  } else {
    for (size_t i = 0; i < R; i++) {
      double t = product ? 1 : 0;
      for (size_t j = 0; j < C; j++) O[i * C + j] = t = product ? t * X[i * C + j] : t + X[i * C + j];
    }
  }
  val_release(m);
  return v_obj(out);
}

static Value bi_cumsum(Args *a) { return cumulate(a, false); }
static Value bi_cumprod(Args *a) { return cumulate(a, true); }

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
    if (l->n > 1) qsort(AS_LIST(r)->items, l->n, sizeof(Value), cmp_value); /* an empty list has no items array */
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

/* argsort: positions ordered by their values, ties in order of position (a stable sort), so that
 * x[argsort(x)] == sort(x) and equal keys keep their order. */
typedef struct Keyed {
  Value v;
  size_t i;
} Keyed;

static int cmp_keyed(const void *x, const void *y) {
  const Keyed *a = x, *b = y;
  int c = cmp_value(&a->v, &b->v);
  return c ? c : (a->i > b->i) - (a->i < b->i);
}

static Value bi_argsort(Args *a) {
  Value v = a->v[0], m = v_nil();
  size_t n;
  if (IS_LIST(v)) {
    List *l = AS_LIST(v);
    for (size_t i = 0; i < l->n; i++)
      if (!IS_NUM(l->items[i]) && !IS_STR(l->items[i]))
        return arg_error(a, 0, "can only sort numbers and strings, found a %s", val_type_name(l->items[i]));
    n = l->n;
  } else {
    if (!arg_mat(a, 0, &m)) return v_abrupt();
    if (!mat_is_vector(AS_MAT(m))) {
      size_t r = mat_rows(AS_MAT(m)), c = mat_cols(AS_MAT(m));
      val_release(m);
      return arg_error(a, 0, "the argument must be a vector or a list, got a %zu×%zu matrix", r, c);
    }
    n = mat_numel(AS_MAT(m));
  }
  Keyed *k = malloc((n ? n : 1) * sizeof *k);
  Mat *out = k ? mat_alloc(n, 1) : NULL;
  if (!out) {
    free(k);
    val_release(m);
    return dlt_error_oom(a->I, a->call, n, 1);
  }
  for (size_t i = 0; i < n; i++) {
    if (IS_LIST(v)) {
      k[i].v = AS_LIST(v)->items[i];
    } else {
      const Mat *x = AS_MAT(m);
      k[i].v = v_num(mat_cols(x) == 1 ? x->data[i * x->m.tda] : x->data[i]);
    }
    k[i].i = i;
  }
  qsort(k, n, sizeof *k, cmp_keyed);
  for (size_t i = 0; i < n; i++) out->data[i * out->m.tda] = (double)(k[i].i + 1);
  free(k);
  val_release(m);
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
    Value e = dlt_error_oom(a->I, a->call, mat_rows(x), mat_cols(x)); /* before x goes with m */
    val_release(m);
    return e;
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

/* ------------------------------------------------------------------ more constructors */

/* diag(v, k): v on the k-th diagonal of a square matrix (k > 0 above the main one);
 * diag(A, k) of a matrix that is not a vector: its k-th diagonal as a column. */
static Value bi_diag(Args *a) {
  long k = 0;
  if (a->n > 1 && !arg_int(a, 1, &k)) return v_abrupt();
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  Mat *x = AS_MAT(m), *out;
  size_t off = (size_t)labs(k), r0 = k < 0 ? off : 0, c0 = k > 0 ? off : 0, R, C;
  if (mat_is_vector(x)) {
    size_t n = mat_numel(x);
    R = C = n + off;
    out = mat_alloc_zero(R, C);
    if (out)
      for (size_t i = 0; i < n; i++) out->data[(r0 + i) * C + c0 + i] = x->data[i];
  } else {
    size_t Rx = mat_rows(x), Cx = mat_cols(x);
    R = r0 < Rx && c0 < Cx ? (Rx - r0 < Cx - c0 ? Rx - r0 : Cx - c0) : 0;
    C = 1;
    out = mat_alloc(R, 1);
    if (out)
      for (size_t i = 0; i < R; i++) out->data[i] = x->data[(r0 + i) * Cx + c0 + i];
  }
  val_release(m);
  if (!out) return dlt_error_oom(a->I, a->call, R, C);
  return v_obj(out);
}

static Value bi_logspace(Args *a) {
  double lo, hi, base = 10;
  size_t n;
  if (!arg_num(a, 0, &lo) || !arg_num(a, 1, &hi) || !arg_size(a, 2, &n)) return v_abrupt();
  if (a->n > 3 && !arg_num(a, 3, &base)) return v_abrupt();
  if (!(base > 0) || isinf(base)) return arg_error(a, 3, "the base must be positive and finite, got %g", isnan(base) ? NAN : base);
  Value v = filled(a, n, 1, 0);
  if (IS_ABRUPT(v)) return v;
  double *d = AS_MAT(v)->data;
  for (size_t i = 0; i < n; i++) d[i] = pow(base, n == 1 ? lo : lo + (hi - lo) * (double)i / (double)(n - 1));
  if (n > 1) d[n - 1] = pow(base, hi); /* exact endpoint */
  return v;
}

/* grid(x1, ..., xk): every combination of the points, one per row, the last coordinate varying
 * fastest (like nested loops with x1 outermost). */
static Value bi_grid(Args *a) {
  int k = a->n;
  Value *ms = dlt_xmalloc(sizeof(Value) * (size_t)k);
  if (!args_mats(a, 0, ms)) {
    free(ms);
    return v_abrupt();
  }
  Value result = v_nil();
  size_t N = 1;
  double points = 1;
  for (int i = 0; i < k && IS_NIL(result); i++) {
    Mat *x = AS_MAT(ms[i]);
    if (!mat_is_vector(x) && mat_numel(x) != 0)
      result = arg_error(a, i, "each argument must be a vector of points, got a %zu×%zu matrix", mat_rows(x), mat_cols(x));
    points *= (double)mat_numel(x);
    if (N != 0 && __builtin_mul_overflow(N, mat_numel(x), &N)) N = SIZE_MAX;
  }
  if (IS_NIL(result) && N == SIZE_MAX)
    result = dlt_error_oom_items(a->I, a->call, "a grid", "points", points, 8.0 * k);
  Mat *out = IS_NIL(result) ? mat_alloc(N, (size_t)k) : NULL;
  if (IS_NIL(result) && !out) result = dlt_error_oom(a->I, a->call, N, (size_t)k);
  if (IS_NIL(result)) {
    size_t inner = 1; /* how many consecutive points share coordinate i */
    for (int i = k; i-- > 0;) {
      const Mat *x = AS_MAT(ms[i]);
      size_t ni = mat_numel(x);
      for (size_t p = 0; p < N; p++) out->data[p * (size_t)k + (size_t)i] = x->data[(p / inner) % ni];
      inner *= ni;
    }
    result = v_obj(out);
  }
  release_all(ms, k);
  return result;
}

/* reshape(A, r, c): the entries of A in row order, refilled row by row into r×c */
static Value bi_reshape(Args *a) {
  size_t r, c, rc;
  if (!arg_size(a, 1, &r) || !arg_size(a, 2, &c)) return v_abrupt();
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  Mat *x = AS_MAT(m);
  if (__builtin_mul_overflow(r, c, &rc) || rc != mat_numel(x)) {
    double want = (double)r * (double)c;
    Value e = call_error(a, "cannot reshape a %zu×%zu matrix (%zu entr%s) into %zu×%zu (%.0f entr%s)", mat_rows(x),
                         mat_cols(x), mat_numel(x), mat_numel(x) == 1 ? "y" : "ies", r, c, want, want == 1 ? "y" : "ies");
    val_release(m);
    return e;
  }
  Mat *out = mat_alloc(r, c);
  if (out) {
    memcpy(out->data, x->data, rc * sizeof(double));
    out->logical = x->logical;
  }
  val_release(m);
  if (!out) return dlt_error_oom(a->I, a->call, r, c);
  return v_obj(out);
}

/* hcat (side by side) and vcat (stacked): numbers are 1×1, ranges and lists columns; a 0×0
 * matrix is left out, so a result can be grown from zeros(0, 0). */
static Value concat(Args *a, bool horiz) {
  int k = a->n;
  Value *ms = dlt_xmalloc(sizeof(Value) * (size_t)k);
  if (!args_mats(a, 0, ms)) {
    free(ms);
    return v_abrupt();
  }
  int first = -1;
  size_t along = 0, across = 0;
  for (int i = 0; i < k; i++) {
    const Mat *x = AS_MAT(ms[i]);
    if (mat_rows(x) == 0 && mat_cols(x) == 0) continue;
    size_t acr = horiz ? mat_rows(x) : mat_cols(x);
    if (first < 0) {
      first = i;
      across = acr;
    } else if (acr != across) {
      const Mat *f = AS_MAT(ms[first]);
      Value e = arg_error(a, i, "argument %d is %zu×%zu but argument %d is %zu×%zu; %s", i + 1, mat_rows(x), mat_cols(x),
                          first + 1, mat_rows(f), mat_cols(f),
                          horiz ? "side by side they need the same number of rows"
                                : "stacked they need the same number of columns");
      release_all(ms, k);
      return e;
    }
    along += horiz ? mat_cols(x) : mat_rows(x);
  }
  size_t R = horiz ? across : along, C = horiz ? along : across;
  Mat *out = mat_alloc(R, C);
  if (!out) {
    release_all(ms, k);
    return dlt_error_oom(a->I, a->call, R, C);
  }
  size_t off = 0; /* columns placed so far (hcat) or entries placed so far (vcat) */
  for (int t = 0; t < k; t++) {
    const Mat *x = AS_MAT(ms[t]);
    size_t n = mat_numel(x);
    if (n == 0) continue;
    if (horiz) {
      for (size_t i = 0; i < R; i++) memcpy(out->data + i * C + off, x->data + i * mat_cols(x), mat_cols(x) * sizeof(double));
      off += mat_cols(x);
    } else { /* row-major: stacking is concatenating the data */
      memcpy(out->data + off, x->data, n * sizeof(double));
      off += n;
    }
  }
  release_all(ms, k);
  return v_obj(out);
}

static Value bi_hcat(Args *a) { return concat(a, true); }
static Value bi_vcat(Args *a) { return concat(a, false); }

/* repeat(A, r, c): A tiled r times down and c times across, like numpy.tile */
static Value bi_repeat(Args *a) {
  size_t r, c = 1;
  if (!arg_size(a, 1, &r) || (a->n > 2 && !arg_size(a, 2, &c))) return v_abrupt();
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  Mat *x = AS_MAT(m);
  size_t R0 = mat_rows(x), C0 = mat_cols(x), R, C;
  Mat *out = NULL;
  if (__builtin_mul_overflow(R0, r, &R) || __builtin_mul_overflow(C0, c, &C)) {
    double n = (double)R0 * (double)r * (double)C0 * (double)c;
    val_release(m);
    return dlt_error_oom_items(a->I, a->call, "a matrix", "entries", n, 8);
  }
  out = mat_alloc(R, C);
  if (out) {
    for (size_t i = 0; i < R; i++)
      for (size_t t = 0; t < c; t++) memcpy(out->data + i * C + t * C0, x->data + (i % R0) * C0, C0 * sizeof(double));
    out->logical = x->logical;
  }
  val_release(m);
  if (!out) return dlt_error_oom(a->I, a->call, R, C);
  return v_obj(out);
}

/* mask(x): x != 0 as a mask; find(x): the indices where x is non-zero (row order). */
static Value bi_mask(Args *a) {
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  Mat *x = AS_MAT(m);
  Mat *out = mat_alloc(mat_rows(x), mat_cols(x));
  if (!out) {
    Value e = dlt_error_oom(a->I, a->call, mat_rows(x), mat_cols(x)); /* before x goes with m */
    val_release(m);
    return e;
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
  {"sum", bi_sum, 1, 1, "axis", "sum(x, axis=)", "sum of the entries (a number), or of each column (axis=1, 1×cols) or row (axis=2, rows×1); sum of a list adds its items", NULL},
  {"prod", bi_prod, 1, 1, "axis", "prod(x, axis=)", "product of the entries, or of each column (axis=1) or row (axis=2)", NULL},
  {"mean", bi_mean, 1, 1, "axis", "mean(x, axis=)", "arithmetic mean of the entries, or of each column (axis=1) or row (axis=2)", NULL},
  {"min", bi_min, 1, -1, "axis", "min(x, axis=) or min(a, b, ...)", "smallest entry of x (of each column with axis=1, row with axis=2), or the elementwise minimum of the arguments", NULL},
  {"max", bi_max, 1, -1, "axis", "max(x, axis=) or max(a, b, ...)", "largest entry of x (of each column with axis=1, row with axis=2), or the elementwise maximum of the arguments", NULL},
  {"argmin", bi_argmin, 1, 1, "axis", "argmin(x, axis=)", "1-based position of the smallest entry: a number for a vector, [row, col] for a matrix, per column/row with axis=1/2", NULL},
  {"argmax", bi_argmax, 1, 1, "axis", "argmax(x, axis=)", "1-based position of the largest entry: a number for a vector, [row, col] for a matrix, per column/row with axis=1/2", NULL},
  {"cumsum", bi_cumsum, 1, 1, "axis", "cumsum(x, axis=)", "running sums, same shape as x: along a vector, down each column (axis=1, the default for a matrix) or along each row (axis=2)", NULL},
  {"cumprod", bi_cumprod, 1, 1, "axis", "cumprod(x, axis=)", "running products, same shape as x: along a vector, down each column (axis=1, the default for a matrix) or along each row (axis=2)", NULL},
  {"where", bi_where, 3, 3, NULL, "where(cond, a, b)", "elementwise choice with broadcasting: a where cond is non-zero, b elsewhere", NULL},
  {"diag", bi_diag, 1, 2, NULL, "diag(x, k=0)", "a vector -> the square matrix with it on diagonal k; a matrix -> its diagonal k as a column (k > 0 above the main one)", NULL},
  {"logspace", bi_logspace, 3, 4, NULL, "logspace(a, b, n, base=10)", "n points from base^a to base^b, equally spaced in the exponent, as a column vector", NULL},
  {"grid", bi_grid, 1, -1, NULL, "grid(x1, x2, ...)", "every combination of the points of the vectors, one per row (n1*n2*...×k), the last coordinate varying fastest", NULL},
  {"reshape", bi_reshape, 3, 3, NULL, "reshape(A, r, c)", "the entries of A in row order as an r×c matrix (r*c must equal the number of entries)", NULL},
  {"hcat", bi_hcat, 1, -1, NULL, "hcat(A, B, ...)", "matrices side by side (equal row counts; numbers are 1×1, 0×0 matrices are skipped)", NULL},
  {"vcat", bi_vcat, 1, -1, NULL, "vcat(A, B, ...)", "matrices stacked top to bottom (equal column counts; numbers are 1×1, 0×0 matrices are skipped)", NULL},
  {"repeat", bi_repeat, 2, 3, NULL, "repeat(A, r, c=1)", "A tiled r times down and c times across, like numpy.tile: (rows*r)×(cols*c)", NULL},
  {"sort", bi_sort, 1, 1, NULL, "sort(x)", "a vector or list sorted ascending (nan last)", NULL},
  {"argsort", bi_argsort, 1, 1, NULL, "argsort(x)", "the positions that sort a vector or list: x[argsort(x)] == sort(x); ties keep their order", NULL},
  {"reverse", bi_reverse, 1, 1, NULL, "reverse(x)", "a vector or list in reverse order (a matrix: its rows)", NULL},
  {"all", bi_all, 1, 1, "axis", "all(x, axis=)", "whether every entry of x is non-zero, or every bool of a list is true (true when empty); per column/row with axis=1/2", NULL},
  {"any", bi_any, 1, 1, "axis", "any(x, axis=)", "whether some entry of x is non-zero, or some bool of a list is true; per column/row with axis=1/2", NULL},
  {"mask", bi_mask, 1, 1, NULL, "mask(x)", "x != 0 as a mask (comparisons already give masks): A[mask(x)] selects where x is non-zero", NULL},
  {"find", bi_find, 1, 1, NULL, "find(x)", "the 1-based indices (in row order) of the non-zero entries of x", NULL},
  {"pow", bi_pow, 2, 2, NULL, "pow(x, y)", "x^y, elementwise with broadcasting", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_matrix = {"matrix", matrix_builtins};
