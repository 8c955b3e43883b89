/* lib/table_ops.c - what is done with tables (table.h): filter, new columns, sort, head/tail,
 * select/drop/rename, join, concatenation, unique values, group-by summaries, aggregate, pivot.
 *
 * Conventions (docs/library/tables.md has them for users):
 *   - Every operation returns a new table; its argument is never modified.
 *   - Groups (summarize, aggregate, pivot, split, fit) come out sorted by their key columns, in
 *     the cell order of table_cell_cmp (numbers ascending, then bools, strings, other values;
 *     rows with a missing key form their own group, last), as pandas' groupby(sort=True) and R's
 *     aggregate order them.
 *   - Summary statistics skip missing cells (NaN), as pandas does: sd is the sample standard
 *     deviation (divisor n - 1), sem = sd / sqrt(n), quantiles interpolate linearly (R type 7,
 *     NumPy's and pandas' default), all over the non-missing values of the group.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "../arith.h"
#include "../builtin.h"
#include "../index.h"
#include "../interp.h"
#include "../print.h"
#include "../resolve.h"
#include "../strbuf.h"
#include "table.h"

/* ------------------------------------------------------------------ filter, mutate */

/* filter(xs, keep): the items x of a list, vector, range or string with keep(x) true, as a list;
 * of a table, the rows (keep gets each row as a record) as a table. */
static Value bi_filter(Args *a) {
  if (!arg_callable(a, 1)) return v_abrupt();
  Value f = a->v[1];
  if (IS_TABLE(a->v[0])) {
    Table *t = AS_TABLE(a->v[0]);
    size_t *idx = dlt_xmalloc((t->nrows ? t->nrows : 1) * sizeof(size_t)), n = 0;
    for (size_t i = 0; i < t->nrows; i++) {
      Value row = table_row_record(t, i);
      Value r = dlt_call(a->I, f, 1, &row, a->call);
      val_release(row);
      int keep = IS_ABRUPT(r) ? -1 : val_truthy(a->I, r, a->call);
      val_release(r);
      if (keep < 0) {
        free(idx);
        return v_abrupt();
      }
      if (keep) idx[n++] = i;
    }
    Table *out = table_take(t, idx, n);
    free(idx);
    return v_obj(out);
  }
  Iter it;
  if (!iter_init(a->I, &it, a->v[0], arg_span(a, 0))) return v_abrupt();
  Value out = list_new(0);
  for (size_t i = 0; i < it.n; i++) {
    Value x = iter_item(&it, i);
    Value r = dlt_call(a->I, f, 1, &x, a->call);
    int keep = IS_ABRUPT(r) ? -1 : val_truthy(a->I, r, a->call);
    val_release(r);
    if (keep < 0) {
      val_release(x);
      val_release(out);
      return v_abrupt();
    }
    if (keep) list_push(AS_LIST(out), x);
    else val_release(x);
  }
  return out;
}

/* mutate(t, name=v, ...): new or replaced columns, in the order given. v is a function of the row
 * (a record, which includes the columns made before it in the same call), a column of nrow
 * entries, or one value for every row. */
static Value bi_mutate(Args *a) {
  Table *t = arg_table(a, 0);
  if (!t) return v_abrupt();
  Table *r = table_clone(t);
  for (int k = 0; k < a->nkw; k++) {
    Value v = a->kw[k];
    const Span *sp = a->kwnodes ? kw_span(a, a->kwnames[k]) : a->call;
    if (val_is_callable(v)) {
      int j = table_col(r, a->kwnames[k]);
      Value *cells = dlt_xmalloc((r->nrows ? r->nrows : 1) * sizeof(Value));
      size_t done = 0;
      bool ok = true;
      for (; done < r->nrows && ok; done++) {
        Value row = table_row_record(r, done);
        cells[done] = dlt_call(a->I, v, 1, &row, sp);
        val_release(row);
        ok = !IS_ABRUPT(cells[done]);
      }
      if (ok) {
        if (j < 0) j = table_add_col(r, a->kwnames[k]);
        else table_clear_col(r, j); /* replacing: start again as numbers */
        for (size_t i = 0; i < r->nrows; i++) table_set(r, i, j, cells[i]);
      }
      for (size_t i = 0; i < done; i++) val_release(cells[i]);
      free(cells);
      if (!ok) {
        val_release(v_obj(r));
        return v_abrupt();
      }
    } else {
      Value e = table_class.set_field(a->I, (Obj *)r, a->kwnames[k], v, sp);
      if (IS_ABRUPT(e)) {
        val_release(v_obj(r));
        return e;
      }
    }
  }
  return v_obj(r);
}

/* ------------------------------------------------------------------ head, tail, select, drop, rename */
static Value head_tail(Args *a, bool tail) {
  size_t n = 5;
  if (a->n > 1 && !arg_size(a, 1, &n)) return v_abrupt();
  Value x = a->v[0];
  if (IS_TABLE(x)) {
    Table *t = AS_TABLE(x);
    size_t k = n < t->nrows ? n : t->nrows, first = tail ? t->nrows - k : 0;
    size_t *idx = dlt_xmalloc((k ? k : 1) * sizeof(size_t));
    for (size_t i = 0; i < k; i++) idx[i] = first + i;
    Table *r = table_take(t, idx, k);
    free(idx);
    return v_obj(r);
  }
  if (IS_LIST(x)) {
    const List *l = AS_LIST(x);
    size_t k = n < l->n ? n : l->n, first = tail ? l->n - k : 0;
    Value r = list_new(k);
    for (size_t i = 0; i < k; i++) list_push(AS_LIST(r), val_retain(l->items[first + i]));
    return r;
  }
  if (IS_MAT(x) || IS_RANGE(x)) {
    Value mv;
    if (!arg_mat(a, 0, &mv)) return v_abrupt();
    const Mat *m = AS_MAT(mv);
    bool vec = mat_is_vector(m);
    bool row_vec = vec && mat_rows(m) == 1 && mat_cols(m) != 1;
    size_t len = vec ? mat_numel(m) : mat_rows(m), k = n < len ? n : len, first = tail ? len - k : 0;
    size_t R = vec ? (row_vec ? 1 : k) : k, C = vec ? (row_vec ? k : 1) : mat_cols(m);
    Mat *r = mat_alloc(R, C);
    if (!r) {
      val_release(mv);
      return dlt_error_oom(a->I, a->call, R, C);
    }
    if (vec)
      for (size_t i = 0; i < k; i++) r->data[i] = m->data[(first + i) * (row_vec ? 1 : m->m.tda)];
    else
      for (size_t i = 0; i < k; i++) memcpy(r->data + i * C, m->data + (first + i) * m->m.tda, C * sizeof(double));
    val_release(mv);
    return v_obj(r);
  }
  return arg_error(a, 0, "the first argument must be a table, a list or a matrix, got a %s", val_type_name(x));
}

static Value bi_head(Args *a) { return head_tail(a, false); }
static Value bi_tail(Args *a) { return head_tail(a, true); }

/* The columns named by arguments 1.. (names or lists of names), none twice. */
static bool named_columns(Args *a, const Table *t, int **cols, int *n) {
  *cols = NULL;
  *n = 0;
  for (int i = 1; i < a->n; i++) {
    int *c, m;
    char what[32];
    snprintf(what, sizeof what, "argument %d", i + 1);
    if (!table_cols_of(a, t, a->v[i], arg_span(a, i), what, true, &c, &m)) {
      free(*cols);
      return false;
    }
    *cols = dlt_xrealloc(*cols, (size_t)(*n + m + 1) * sizeof(int));
    for (int k = 0; k < m; k++) {
      for (int q = 0; q < *n; q++)
        if ((*cols)[q] == c[k]) {
          arg_error(a, i, "column '%s' is named twice", t->cols[c[k]].name);
          free(c);
          free(*cols);
          *cols = NULL;
          return false;
        }
      (*cols)[(*n)++] = c[k];
    }
    free(c);
  }
  return true;
}

static Value bi_select(Args *a) {
  Table *t = arg_table(a, 0);
  int *cols, n;
  if (!t || !named_columns(a, t, &cols, &n)) return v_abrupt();
  Table *r = table_select(t, cols, n);
  free(cols);
  return v_obj(r);
}

static Value bi_drop(Args *a) {
  Table *t = arg_table(a, 0);
  int *cols, n;
  if (!t || !named_columns(a, t, &cols, &n)) return v_abrupt();
  int *keep = dlt_xmalloc((size_t)(t->ncols ? t->ncols : 1) * sizeof(int)), m = 0;
  for (int j = 0; j < t->ncols; j++) {
    bool dropped = false;
    for (int k = 0; k < n; k++) dropped = dropped || cols[k] == j;
    if (!dropped) keep[m++] = j;
  }
  Table *r = table_select(t, keep, m);
  free(keep);
  free(cols);
  return v_obj(r);
}

/* rename(t, old="new", ...) */
static Value bi_rename(Args *a) {
  Table *t = arg_table(a, 0);
  if (!t) return v_abrupt();
  for (int k = 0; k < a->nkw; k++) {
    if (table_col(t, a->kwnames[k]) < 0)
      return table_no_column(a->I, t, a->kwnames[k], kw_span(a, a->kwnames[k]), a->fname);
    if (!IS_STR(a->kw[k]))
      return kw_error(a, a->kwnames[k], "the new name of column '%s' must be a string, got a %s", a->kwnames[k],
                      val_type_name(a->kw[k]));
  }
  Table *r = table_clone(t);
  for (int k = 0; k < a->nkw; k++) {
    int j = table_col(t, a->kwnames[k]);
    free(r->cols[j].name);
    r->cols[j].name = dlt_xstrdup(AS_STR(a->kw[k])->s);
  }
  for (int j = 0; j < r->ncols; j++)
    for (int i = 0; i < j; i++)
      if (strcmp(r->cols[i].name, r->cols[j].name) == 0) {
        Value e = call_error(a, "the renamed table would have two columns named '%s'", r->cols[j].name);
        val_release(v_obj(r));
        return e;
      }
  return v_obj(r);
}

/* ------------------------------------------------------------------ sort, reverse, unique */
Value table_sort(Args *a) {
  if (!table_method_args(a, 1, 2, "by desc", "sort(t, by=column or [columns], desc=false)")) return v_abrupt();
  Table *t = AS_TABLE(a->v[0]);
  Value by;
  const Span *bysp;
  if (!table_param(a, 1, "by", &by, &bysp)) return v_abrupt();
  int *keys, nk;
  if (IS_NIL(by)) { /* every column, left to right */
    nk = t->ncols;
    keys = dlt_xmalloc((size_t)(nk ? nk : 1) * sizeof(int));
    for (int j = 0; j < nk; j++) keys[j] = j;
  } else if (!table_cols_of(a, t, by, bysp, "by=", false, &keys, &nk))
    return v_abrupt();
  bool *desc = dlt_xmalloc((size_t)(nk ? nk : 1) * sizeof(bool));
  for (int k = 0; k < nk; k++) desc[k] = false;
  const Value *d = kw_get(a, "desc");
  if (d) {
    bool ok = true;
    if (IS_BOOL(*d))
      for (int k = 0; k < nk; k++) desc[k] = AS_BOOL(*d);
    else if (IS_LIST(*d) && AS_LIST(*d)->n == (size_t)nk) {
      for (int k = 0; k < nk && ok; k++) {
        ok = IS_BOOL(AS_LIST(*d)->items[k]);
        if (ok) desc[k] = AS_BOOL(AS_LIST(*d)->items[k]);
      }
    } else if (IS_MAT(*d) && mat_is_vector(AS_MAT(*d)) && mat_numel(AS_MAT(*d)) == (size_t)nk) {
      const Mat *m = AS_MAT(*d); /* [true, false] is a 0/1 vector */
      for (int k = 0; k < nk && ok; k++) {
        double x = m->data[mat_cols(m) == 1 ? (size_t)k * m->m.tda : (size_t)k];
        ok = x == 0 || x == 1;
        desc[k] = x == 1;
      }
    } else
      ok = false;
    if (!ok) {
      if (nk == 1) kw_error(a, "desc", "desc= must be true or false");
      else kw_error(a, "desc", "desc= must be true, false, or a list of %d bools (one per by= column)", nk);
      free(keys);
      free(desc);
      return v_abrupt();
    }
  }
  size_t *idx = dlt_xmalloc((t->nrows ? t->nrows : 1) * sizeof(size_t));
  for (size_t i = 0; i < t->nrows; i++) idx[i] = i;
  table_sort_idx(t, keys, desc, nk, idx, t->nrows);
  Table *r = table_take(t, idx, t->nrows);
  free(idx);
  free(keys);
  free(desc);
  return v_obj(r);
}

Value table_reverse(Args *a) {
  if (!table_method_args(a, 1, 1, "", "reverse(t)")) return v_abrupt();
  Table *t = AS_TABLE(a->v[0]);
  size_t *idx = dlt_xmalloc((t->nrows ? t->nrows : 1) * sizeof(size_t));
  for (size_t i = 0; i < t->nrows; i++) idx[i] = t->nrows - 1 - i;
  Table *r = table_take(t, idx, t->nrows);
  free(idx);
  return v_obj(r);
}

/* The distinct rows of t over columns cols (first appearances, in the order they appear). */
static size_t distinct_rows(const Table *t, const int *cols, int nc, size_t *out) {
  TableGroups g;
  table_grouping(t, cols, nc, &g);
  for (size_t q = 0; q < g.n; q++) out[q] = g.order[g.start[q]]; /* stable: the first appearance */
  size_t n = g.n;
  table_grouping_free(&g);
  /* back into the order of appearance: mark the first rows, then read them in row order */
  size_t *tmp = dlt_xmalloc((n ? n : 1) * sizeof(size_t));
  bool *first = dlt_xmalloc(t->nrows ? t->nrows : 1);
  for (size_t i = 0; i < t->nrows; i++) first[i] = false;
  for (size_t q = 0; q < n; q++) first[out[q]] = true;
  size_t m = 0;
  for (size_t i = 0; i < t->nrows; i++)
    if (first[i]) tmp[m++] = i;
  memcpy(out, tmp, n * sizeof(size_t));
  free(first);
  free(tmp);
  return n;
}

/* unique(x): the distinct items of a vector (a column vector) or list, in the order they first
 * appear; unique(t, column) the distinct values of a column; unique(t) the distinct rows. */
static Value bi_unique(Args *a) {
  Value x = a->v[0];
  if (IS_TABLE(x)) {
    Table *t = AS_TABLE(x);
    int *cols, nc;
    if (a->n > 1) {
      if (!table_cols_of(a, t, a->v[1], arg_span(a, 1), "the column", false, &cols, &nc)) return v_abrupt();
    } else {
      nc = t->ncols;
      cols = dlt_xmalloc((size_t)(nc ? nc : 1) * sizeof(int));
      for (int j = 0; j < nc; j++) cols[j] = j;
    }
    size_t *idx = dlt_xmalloc((t->nrows ? t->nrows : 1) * sizeof(size_t));
    size_t n = distinct_rows(t, cols, nc, idx);
    Table *sub = table_take(t, idx, n);
    free(idx);
    Value r;
    if (a->n > 1 && IS_STR(a->v[1])) {
      r = table_column_value(a->I, sub, cols[0], a->call);
      val_release(v_obj(sub));
    } else if (a->n > 1) {
      r = v_obj(table_select(sub, cols, nc));
      val_release(v_obj(sub));
    } else
      r = v_obj(sub);
    free(cols);
    return r;
  }
  if (a->n > 1) return arg_error(a, 1, "a column name is given only with a table; unique(x) takes one argument");
  bool is_list = IS_LIST(x);
  Value mv = v_nil();
  if (!is_list && !arg_mat(a, 0, &mv)) return v_abrupt();
  size_t n = is_list ? AS_LIST(x)->n : mat_numel(AS_MAT(mv));
  Table *t = table_new();
  table_add_col(t, "x");
  table_add_rows(t, n);
  for (size_t i = 0; i < n; i++) {
    if (is_list) table_set(t, i, 0, AS_LIST(x)->items[i]);
    else t->cols[0].num[i] = AS_MAT(mv)->data[mat_cols(AS_MAT(mv)) == 1 ? i * AS_MAT(mv)->m.tda : i];
  }
  val_release(mv);
  size_t *idx = dlt_xmalloc((n ? n : 1) * sizeof(size_t));
  int col = 0;
  size_t m = distinct_rows(t, &col, 1, idx);
  Value r;
  if (is_list) {
    r = list_new(m);
    for (size_t i = 0; i < m; i++) list_push(AS_LIST(r), val_retain(AS_LIST(x)->items[idx[i]]));
  } else {
    Mat *u = mat_alloc(m, 1);
    if (!u) r = dlt_error_oom(a->I, a->call, m, 1);
    else {
      for (size_t i = 0; i < m; i++) u->data[i] = t->cols[0].num[idx[i]];
      r = v_obj(u);
    }
  }
  free(idx);
  val_release(v_obj(t));
  return r;
}

/* ------------------------------------------------------------------ join, vcat, split */
static bool kw_suffixes(Args *a, const char **sx, const char **sy) {
  const Value *v = kw_get(a, "suffixes");
  *sx = "_x";
  *sy = "_y";
  if (!v) return true;
  if (!IS_LIST(*v) || AS_LIST(*v)->n != 2 || !IS_STR(AS_LIST(*v)->items[0]) || !IS_STR(AS_LIST(*v)->items[1]) ||
      strcmp(AS_STR(AS_LIST(*v)->items[0])->s, AS_STR(AS_LIST(*v)->items[1])->s) == 0) {
    kw_error(a, "suffixes", "suffixes= must be a list of two different strings, like [\"_x\", \"_y\"]");
    return false;
  }
  *sx = AS_STR(AS_LIST(*v)->items[0])->s;
  *sy = AS_STR(AS_LIST(*v)->items[1])->s;
  return true;
}

/* compare left row i's keys with right row j's */
static int keys_cmp(const Table *l, size_t i, const int *kl, const Table *r, size_t j, const int *kr, int nk) {
  for (int k = 0; k < nk; k++) {
    int c = table_cell_cmp(l, i, kl[k], r, j, kr[k]);
    if (c) return c;
  }
  return 0;
}

/* join(t1, t2, on=, how="inner", suffixes=["_x", "_y"]) */
Value table_join(Args *a) {
  const char *usage = "join(t1, t2, on=column or [columns], how=\"inner\", suffixes=[\"_x\", \"_y\"])";
  if (!table_method_args(a, 2, 3, "on how suffixes", usage)) return v_abrupt();
  Table *L = AS_TABLE(a->v[0]);
  if (!IS_TABLE(a->v[1]))
    return arg_error(a, 1, "the second argument must be a table to join with, got a %s", val_type_name(a->v[1]));
  Table *R = AS_TABLE(a->v[1]);
  static const char *const hows[] = {"inner", "left", "outer"};
  int how;
  const char *sx, *sy;
  if (!kw_choice(a, "how", hows, 3, "inner", &how) || !kw_suffixes(a, &sx, &sy)) return v_abrupt();
  Value on;
  const Span *onsp;
  if (!table_param(a, 2, "on", &on, &onsp)) return v_abrupt();
  int *kl = NULL, *kr = NULL, nk = 0;
  if (IS_NIL(on)) { /* the columns the two tables share */
    kl = dlt_xmalloc((size_t)(L->ncols ? L->ncols : 1) * sizeof(int));
    kr = dlt_xmalloc((size_t)(L->ncols ? L->ncols : 1) * sizeof(int));
    for (int j = 0; j < L->ncols; j++) {
      int q = table_col(R, L->cols[j].name);
      if (q >= 0) {
        kl[nk] = j;
        kr[nk++] = q;
      }
    }
    if (nk == 0) {
      free(kl);
      free(kr);
      return call_error(a, "the tables share no column to join on; name the key columns with on=");
    }
  } else {
    if (!table_cols_of(a, L, on, onsp, "on=", false, &kl, &nk)) return v_abrupt();
    kr = dlt_xmalloc((size_t)nk * sizeof(int));
    for (int k = 0; k < nk; k++) {
      kr[k] = table_col(R, L->cols[kl[k]].name);
      if (kr[k] < 0) {
        StrBuf b = STRBUF_INIT;
        for (int j = 0; j < R->ncols; j++) sb_printf(&b, "%s%s", j ? ", " : "", R->cols[j].name);
        dlt_error(a->I, onsp, "join: the second table has no column '%s' (its columns: %s)", L->cols[kl[k]].name,
                  R->ncols ? sb_cstr(&b) : "none");
        sb_free(&b);
        free(kl);
        free(kr);
        return v_abrupt();
      }
    }
  }
  /* the result's columns: keys, then the other columns of L, then those of R */
  Table *out = table_new();
  int *lsrc = dlt_xmalloc((size_t)(L->ncols + R->ncols + 1) * sizeof(int)); /* out column -> L column or -1 */
  int *rsrc = dlt_xmalloc((size_t)(L->ncols + R->ncols + 1) * sizeof(int)); /* out column -> R column or -1 */
  bool ok = true;
  for (int k = 0; k < nk; k++) {
    int c = table_add_col(out, L->cols[kl[k]].name);
    lsrc[c] = kl[k];
    rsrc[c] = kr[k];
  }
  for (int side = 0; side < 2 && ok; side++) {
    const Table *T = side ? R : L, *O = side ? L : R;
    const int *keys = side ? kr : kl;
    for (int j = 0; j < T->ncols && ok; j++) {
      bool key = false;
      for (int k = 0; k < nk; k++) key = key || keys[k] == j;
      if (key) continue;
      const char *name = T->cols[j].name;
      StrBuf b = STRBUF_INIT;
      int q = table_col(O, name);
      bool clash = q >= 0;
      for (int k = 0; k < nk && clash; k++) clash = (side ? kl[k] : kr[k]) != q;
      sb_printf(&b, "%s%s", name, clash ? (side ? sy : sx) : "");
      int c = table_new_col(a, out, sb_cstr(&b));
      sb_free(&b);
      if (c < 0) {
        ok = false;
        break;
      }
      lsrc[c] = side ? -1 : j;
      rsrc[c] = side ? j : -1;
    }
  }
  if (ok) {
    size_t *ridx = dlt_xmalloc((R->nrows ? R->nrows : 1) * sizeof(size_t));
    for (size_t j = 0; j < R->nrows; j++) ridx[j] = j;
    table_sort_idx(R, kr, NULL, nk, ridx, R->nrows);
    bool *matched = dlt_xmalloc(R->nrows ? R->nrows : 1);
    for (size_t j = 0; j < R->nrows; j++) matched[j] = false;
    /* each row's matches ridx[from[i] .. to[i]), and the size of the result, checked first */
    size_t *from = dlt_xmalloc((L->nrows ? L->nrows : 1) * sizeof(size_t));
    size_t *to = dlt_xmalloc((L->nrows ? L->nrows : 1) * sizeof(size_t));
    size_t total = 0;
    for (size_t i = 0; i < L->nrows; i++) {
      size_t lo = 0, hi = R->nrows; /* the first right row with keys >= row i's */
      while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys_cmp(R, ridx[mid], kr, L, i, kl, nk) < 0) lo = mid + 1;
        else hi = mid;
      }
      size_t end = lo;
      while (end < R->nrows && keys_cmp(R, ridx[end], kr, L, i, kl, nk) == 0) end++;
      from[i] = lo;
      to[i] = end;
      total += end > lo ? end - lo : how != 0;
      for (size_t m = lo; m < end; m++) matched[ridx[m]] = true;
    }
    if (how == 2)
      for (size_t j = 0; j < R->nrows; j++) total += !matched[j];
    if (out->ncols && total > mat_limit_bytes() / sizeof(double) / (size_t)out->ncols) {
      dlt_error_oom(a->I, a->call, total, (size_t)out->ncols);
      ok = false;
    }
    for (size_t i = 0; i < L->nrows && ok; i++) {
      size_t lo = from[i], end = to[i];
      if (end == lo && how == 0) continue;
      size_t first = table_add_rows(out, end > lo ? end - lo : 1);
      for (size_t m = 0; m < (end > lo ? end - lo : 1); m++)
        for (int c = 0; c < out->ncols; c++) {
          Value v = v_nil();
          if (lsrc[c] >= 0) v = table_get(L, i, lsrc[c]);
          else if (end > lo) v = table_get(R, ridx[lo + m], rsrc[c]);
          table_set(out, first + m, c, v);
          val_release(v);
        }
    }
    free(from);
    free(to);
    if (how == 2 && ok)
      for (size_t j = 0; j < R->nrows; j++) {
        if (matched[j]) continue;
        size_t row = table_add_rows(out, 1);
        for (int c = 0; c < out->ncols; c++) {
          if (rsrc[c] < 0) continue;
          Value v = table_get(R, j, rsrc[c]);
          table_set(out, row, c, v);
          val_release(v);
        }
      }
    free(matched);
    free(ridx);
  }
  free(lsrc);
  free(rsrc);
  free(kl);
  free(kr);
  if (!ok) {
    val_release(v_obj(out));
    return v_abrupt();
  }
  return v_obj(out);
}

/* vcat(t1, t2, ...): the rows of each in turn; columns are matched by name, and a column missing
 * from one table is missing in its rows */
Value table_vcat(Args *a) {
  if (!table_method_args(a, 1, 1 << 20, "", "vcat(t1, t2, ...)")) return v_abrupt();
  for (int i = 1; i < a->n; i++)
    if (!IS_TABLE(a->v[i]))
      return arg_error(a, i, "vcat of tables: argument %d must be a table too, got a %s", i + 1,
                       val_type_name(a->v[i]));
  Table *out = table_new();
  for (int i = 0; i < a->n; i++) {
    const Table *t = AS_TABLE(a->v[i]);
    for (int j = 0; j < t->ncols; j++) table_add_col(out, t->cols[j].name);
  }
  for (int i = 0; i < a->n; i++) {
    const Table *t = AS_TABLE(a->v[i]);
    size_t first = table_add_rows(out, t->nrows);
    for (int j = 0; j < t->ncols; j++) {
      int c = table_col(out, t->cols[j].name);
      for (size_t r = 0; r < t->nrows; r++) {
        Value v = table_get(t, r, j);
        table_set(out, first + r, c, v);
        val_release(v);
      }
    }
  }
  return v_obj(out);
}

/* the by= keys of a call: one name or a list; absent = no keys when optional */
static bool by_keys(Args *a, const Table *t, int pos, bool required, int **keys, int *nk) {
  Value by;
  const Span *sp;
  *keys = NULL;
  *nk = 0;
  if (!table_param(a, pos, "by", &by, &sp)) return false;
  if (IS_NIL(by)) {
    if (required) {
      call_error(a, "by= must name the column(s) to group by");
      return false;
    }
    return true;
  }
  return table_cols_of(a, t, by, sp, "by=", false, keys, nk);
}

/* split(t, by=): the groups as a list of tables, in the order of their keys */
Value table_split(Args *a) {
  if (!table_method_args(a, 1, 2, "by", "split(t, by=column or [columns])")) return v_abrupt();
  Table *t = AS_TABLE(a->v[0]);
  int *keys, nk;
  if (!by_keys(a, t, 1, true, &keys, &nk)) return v_abrupt();
  TableGroups g;
  table_grouping(t, keys, nk, &g);
  Value l = list_new(g.n);
  for (size_t q = 0; q < g.n; q++)
    list_push(AS_LIST(l), v_obj(table_take(t, g.order + g.start[q], g.start[q + 1] - g.start[q])));
  table_grouping_free(&g);
  free(keys);
  return l;
}

/* ------------------------------------------------------------------ summaries */
typedef enum { ST_N, ST_COUNT, ST_MEAN, ST_SD, ST_VAR, ST_SEM, ST_MIN, ST_MAX, ST_MEDIAN, ST_SUM, ST_Q } StatKind;

static const char *const stat_names[] = {"n", "count", "mean", "sd", "var", "sem", "min", "max", "median", "sum"};
enum { NSTAT_NAMES = 10 };

typedef struct Stat {
  StatKind kind;
  double p;        /* ST_Q: the probability in [0, 1] */
  const char *tag; /* the suffix in column names: "mean", "q25" */
} Stat;

static const char *const default_stats[] = {"mean", "sd", "sem", "min", "max", "median", "q25", "q75"};

/* "q25" -> 0.25, "q2.5" -> 0.025, "q100" -> 1 */
static bool parse_quantile(const char *s, double *p) {
  if (s[0] != 'q' || s[1] == '\0') return false;
  char *end;
  double x = strtod(s + 1, &end);
  if (*end || !(x >= 0 && x <= 100) || !(s[1] >= '0' && s[1] <= '9')) return false;
  *p = x / 100;
  return true;
}

static bool parse_stat(Args *a, const char *s, Stat *st) {
  st->tag = s;
  st->p = 0;
  for (int i = 0; i < NSTAT_NAMES; i++)
    if (strcmp(s, stat_names[i]) == 0) {
      st->kind = (StatKind)i;
      return true;
    }
  if (parse_quantile(s, &st->p)) {
    st->kind = ST_Q;
    return true;
  }
  const char *sug = dlt_suggest(s, stat_names, NSTAT_NAMES);
  kw_error(a, "stats", "unknown statistic \"%s\"%s%s%s (one of n, count, mean, sd, var, sem, min, max, median, sum, "
           "or qP for the P-th percentile, like q25 or q2.5)", s, sug ? "; did you mean \"" : "", sug ? sug : "",
           sug ? "\"?" : "");
  return false;
}

/* stats=: one name or a list of names; the default list when absent */
static bool kw_stats(Args *a, Stat **stats, int *n) {
  const Value *v = kw_get(a, "stats");
  *stats = NULL;
  *n = 0;
  if (!v) {
    *n = (int)(sizeof default_stats / sizeof default_stats[0]);
    *stats = dlt_xmalloc((size_t)*n * sizeof(Stat));
    for (int i = 0; i < *n; i++) parse_stat(a, default_stats[i], &(*stats)[i]);
    return true;
  }
  const List *l = IS_LIST(*v) ? AS_LIST(*v) : NULL;
  if (!IS_STR(*v) && !(l && l->n > 0)) {
    kw_error(a, "stats", "stats= must be a statistic's name or a non-empty list of names, like [\"mean\", \"sem\"]");
    return false;
  }
  size_t m = l ? l->n : 1;
  *stats = dlt_xmalloc(m * sizeof(Stat));
  for (size_t i = 0; i < m; i++) {
    Value s = l ? l->items[i] : *v;
    if (!IS_STR(s)) {
      kw_error(a, "stats", "stats= must hold names (strings), but item %zu is a %s", i + 1, val_type_name(s));
      free(*stats);
      return false;
    }
    if (!parse_stat(a, AS_STR(s)->s, &(*stats)[i])) {
      free(*stats);
      return false;
    }
  }
  *n = (int)m;
  return true;
}

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* The mean and the sample variance (divisor n - 1) in two passes in extended precision, the mean
 * refined by the mean of the deviations, as R computes them: exact whenever the sums are (the
 * variance of 1, 2, 3, 4 is 5/3 to the last bit). */
static void mean_var(const double *x, size_t n, double *mean, double *var) {
  long double s = 0, m, d = 0, ss = 0;
  for (size_t i = 0; i < n; i++) s += x[i];
  m = s / (long double)n;
  for (size_t i = 0; i < n; i++) d += x[i] - m;
  m += d / (long double)n;
  for (size_t i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
  *mean = n ? (double)m : NAN;
  *var = n > 1 ? (double)(ss / (long double)(n - 1)) : NAN;
}

/* A statistic of the n values x (sorted ascending, no NaN); rows = the group's size. */
static double stat_value(const Stat *st, const double *x, size_t n, size_t rows) {
  double mean, var;
  switch (st->kind) {
  case ST_N: return (double)rows;
  case ST_COUNT: return (double)n;
  case ST_SUM: {
    long double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    return (double)s;
  }
  case ST_MEAN: mean_var(x, n, &mean, &var); return mean;
  case ST_VAR: mean_var(x, n, &mean, &var); return var;
  case ST_SD: mean_var(x, n, &mean, &var); return sqrt(var);
  case ST_SEM: mean_var(x, n, &mean, &var); return sqrt(var) / sqrt((double)n);
  case ST_MIN: return n ? x[0] : NAN;
  case ST_MAX: return n ? x[n - 1] : NAN;
  case ST_MEDIAN: return n ? gsl_stats_quantile_from_sorted_data(x, 1, n, 0.5) : NAN;
  case ST_Q: return n ? gsl_stats_quantile_from_sorted_data(x, 1, n, st->p) : NAN;
  }
  return NAN;
}

/* the numbers of column c in rows[0..n), missing ones left out, sorted; false after an error
 * (a cell that is not a number) */
static bool column_numbers(Args *a, const Table *t, int c, const size_t *rows, size_t n, double *out, size_t *m) {
  *m = 0;
  for (size_t i = 0; i < n; i++) {
    double x;
    if (table_missing(t, rows[i], c)) continue;
    if (!table_num(t, rows[i], c, &x)) {
      Value v = table_get(t, rows[i], c);
      call_error(a, "column '%s' holds a %s in row %zu, not a number", t->cols[c].name, val_type_name(v), rows[i] + 1);
      val_release(v);
      return false;
    }
    if (!isnan(x)) out[(*m)++] = x;
  }
  qsort(out, *m, sizeof(double), cmp_double);
  return true;
}

static bool is_key(const int *keys, int nk, int j) {
  for (int k = 0; k < nk; k++)
    if (keys[k] == j) return true;
  return false;
}

/* summarize(t, by=, stats=, values=) */
static Value bi_summarize(Args *a) {
  Table *t = arg_table(a, 0);
  if (!t) return v_abrupt();
  int *keys, nk, *vals = NULL, nv = 0;
  Stat *stats;
  int ns;
  if (!by_keys(a, t, 1, false, &keys, &nk)) return v_abrupt();
  if (!kw_stats(a, &stats, &ns)) {
    free(keys);
    return v_abrupt();
  }
  const Value *vv = kw_get(a, "values");
  if (vv) {
    if (!table_cols_of(a, t, *vv, kw_span(a, "values"), "values=", false, &vals, &nv)) {
      free(keys);
      free(stats);
      return v_abrupt();
    }
    for (int k = 0; k < nv; k++)
      if (is_key(keys, nk, vals[k])) {
        Value e = kw_error(a, "values", "column '%s' is a by= key; it cannot also be summarised", t->cols[vals[k]].name);
        free(keys);
        free(stats);
        free(vals);
        return e;
      }
  } else { /* every numeric column that is neither a key nor a sweep variable (rep, seed, ...) */
    vals = dlt_xmalloc((size_t)(t->ncols ? t->ncols : 1) * sizeof(int));
    for (int j = 0; j < t->ncols; j++)
      if (t->cols[j].kind == COL_NUM && !t->cols[j].grid && !is_key(keys, nk, j)) vals[nv++] = j;
  }
  TableGroups g;
  table_grouping(t, keys, nk, &g);
  Table *out = table_group_keys(t, keys, nk, &g);
  bool ok = table_new_col(a, out, "n") >= 0;
  for (size_t q = 0; q < g.n && ok; q++) out->cols[nk].num[q] = (double)(g.start[q + 1] - g.start[q]);
  double *buf = dlt_xmalloc((t->nrows ? t->nrows : 1) * sizeof(double));
  for (int k = 0; k < nv && ok; k++) {
    int first = out->ncols;
    for (int s = 0; s < ns && ok; s++) {
      if (stats[s].kind == ST_N) continue; /* the group size is the n column */
      StrBuf b = STRBUF_INIT;
      sb_printf(&b, "%s_%s", t->cols[vals[k]].name, stats[s].tag);
      ok = table_new_col(a, out, sb_cstr(&b)) >= 0;
      sb_free(&b);
    }
    for (size_t q = 0; q < g.n && ok; q++) {
      size_t m, rows = g.start[q + 1] - g.start[q];
      ok = column_numbers(a, t, vals[k], g.order + g.start[q], rows, buf, &m);
      int c = first;
      for (int s = 0; s < ns && ok; s++)
        if (stats[s].kind != ST_N) out->cols[c++].num[q] = stat_value(&stats[s], buf, m, rows);
    }
  }
  free(buf);
  table_grouping_free(&g);
  free(keys);
  free(vals);
  free(stats);
  if (!ok) {
    val_release(v_obj(out));
    return v_abrupt();
  }
  return v_obj(out);
}

/* aggregate(t, f, by=): f applied to each group's table; a record result gives columns (one per
 * field), anything else one column named value */
static Value bi_aggregate(Args *a) {
  Table *t = arg_table(a, 0);
  if (!t || !arg_callable(a, 1)) return v_abrupt();
  int *keys, nk;
  if (!by_keys(a, t, 2, true, &keys, &nk)) return v_abrupt();
  TableGroups g;
  table_grouping(t, keys, nk, &g);
  Table *out = table_group_keys(t, keys, nk, &g);
  bool ok = true;
  for (size_t q = 0; q < g.n && ok; q++) {
    Value sub = v_obj(table_take(t, g.order + g.start[q], g.start[q + 1] - g.start[q]));
    Value r = dlt_call(a->I, a->v[1], 1, &sub, a->call);
    val_release(sub);
    if (IS_ABRUPT(r)) {
      ok = false;
      break;
    }
    if (IS_RECORD(r)) {
      const Record *rec = AS_RECORD(r);
      for (size_t k = 0; k < rec->n && ok; k++) {
        int c = table_col(out, rec->keys[k]->s);
        if (c >= 0 && c < nk) {
          call_error(a, "the function's result has a field '%s', which is also a by= key", rec->keys[k]->s);
          ok = false;
        } else {
          if (c < 0) c = table_add_col(out, rec->keys[k]->s);
          table_set(out, q, c, rec->vals[k]);
        }
      }
    } else {
      int c = table_col(out, "value");
      if (c >= 0 && c < nk) {
        call_error(a, "a by= key is named 'value', the column of the function's results; rename it first");
        ok = false;
      } else {
        if (c < 0) c = table_add_col(out, "value");
        table_set(out, q, c, r);
      }
    }
    val_release(r);
  }
  table_grouping_free(&g);
  free(keys);
  if (!ok) {
    val_release(v_obj(out));
    return v_abrupt();
  }
  return v_obj(out);
}

/* ------------------------------------------------------------------ pivot */
typedef enum { AG_NONE, AG_MEAN, AG_SUM, AG_MIN, AG_MAX, AG_COUNT, AG_MEDIAN, AG_FIRST, AG_LAST } Agg;

/* the text a value of the cols= column gives as a column name */
static void key_name(const Table *t, size_t row, int c, StrBuf *b) {
  if (table_missing(t, row, c)) {
    sb_puts(b, "NA");
    return;
  }
  Value v = table_get(t, row, c);
  val_print(b, v, PRINT_DISPLAY | PRINT_INLINE);
  val_release(v);
}

/* pivot(t, rows=, cols=, values=, agg=): one row per value of the rows= key(s), one column per
 * value of cols=, the cells from values= (missing where no row has them) */
static Value bi_pivot(Args *a) {
  Table *t = arg_table(a, 0);
  if (!t) return v_abrupt();
  const Value *rv = kw_get(a, "rows"), *cv = kw_get(a, "cols"), *vv = kw_get(a, "values");
  if (!rv || !cv || !vv)
    return call_error(a, "needs rows=, cols= and values= (pivot(t, rows=\"depth\", cols=\"width\", values=\"err\"))");
  static const char *const aggs[] = {"none", "mean", "sum", "min", "max", "count", "median", "first", "last"};
  int agg;
  if (!kw_choice(a, "agg", aggs, 9, "none", &agg)) return v_abrupt();
  int *rk, nr;
  if (!table_cols_of(a, t, *rv, kw_span(a, "rows"), "rows=", false, &rk, &nr)) return v_abrupt();
  int cc = table_col_of(a, t, *cv, kw_span(a, "cols"), "cols=");
  int vc = cc < 0 ? -1 : table_col_of(a, t, *vv, kw_span(a, "values"), "values=");
  if (vc < 0) {
    free(rk);
    return v_abrupt();
  }
  if (is_key(rk, nr, cc) || is_key(rk, nr, vc) || cc == vc) {
    free(rk);
    return call_error(a, "rows=, cols= and values= must name different columns");
  }
  TableGroups rg, cg;
  table_grouping(t, rk, nr, &rg);
  table_grouping(t, &cc, 1, &cg);
  /* each row's output row and column */
  size_t *orow = dlt_xmalloc((t->nrows ? t->nrows : 1) * sizeof(size_t));
  size_t *ocol = dlt_xmalloc((t->nrows ? t->nrows : 1) * sizeof(size_t));
  for (size_t q = 0; q < rg.n; q++)
    for (size_t i = rg.start[q]; i < rg.start[q + 1]; i++) orow[rg.order[i]] = q;
  for (size_t q = 0; q < cg.n; q++)
    for (size_t i = cg.start[q]; i < cg.start[q + 1]; i++) ocol[cg.order[i]] = q;
  Table *out = table_group_keys(t, rk, nr, &rg);
  bool ok = true;
  if (rg.n && cg.n > mat_limit_bytes() / sizeof(double) / rg.n) { /* as big a table as matrices may be */
    dlt_error_oom(a->I, a->call, rg.n, cg.n);
    ok = false;
  }
  for (size_t q = 0; q < cg.n && ok; q++) {
    StrBuf b = STRBUF_INIT;
    key_name(t, cg.order[cg.start[q]], cc, &b);
    ok = table_new_col(a, out, sb_cstr(&b)) >= 0;
    sb_free(&b);
  }
  size_t ncell = ok ? rg.n * cg.n : 0;
  /* the rows falling in each cell, in table order: counting sort */
  size_t *cnt = calloc(ncell + 1, sizeof(size_t));
  size_t *rows = dlt_xmalloc((t->nrows ? t->nrows : 1) * sizeof(size_t));
  if (!cnt) {
    dlt_error_oom(a->I, a->call, rg.n, cg.n);
    ok = false;
  }
  if (ok) {
    for (size_t i = 0; i < t->nrows; i++) cnt[orow[i] * cg.n + ocol[i] + 1]++;
    for (size_t c = 0; c < ncell; c++) cnt[c + 1] += cnt[c];
    size_t *fill = dlt_xmalloc((ncell ? ncell : 1) * sizeof(size_t));
    memcpy(fill, cnt, ncell * sizeof(size_t));
    for (size_t i = 0; i < t->nrows; i++) rows[fill[orow[i] * cg.n + ocol[i]]++] = i;
    free(fill);
  }
  double *buf = dlt_xmalloc((t->nrows ? t->nrows : 1) * sizeof(double));
  for (size_t cell = 0; cell < ncell && ok; cell++) {
    size_t q = cell / cg.n, c = cell % cg.n, lo = cnt[cell], n = cnt[cell + 1] - lo;
    int oc = nr + (int)c;
    if (n == 0) continue;
    if (agg == AG_NONE && n > 1) {
      StrBuf b = STRBUF_INIT;
      for (int k = 0; k < nr; k++) {
        sb_printf(&b, "%s%s=", k ? ", " : "", t->cols[rk[k]].name);
        key_name(t, rows[lo], rk[k], &b);
      }
      sb_printf(&b, ", %s=", t->cols[cc].name);
      key_name(t, rows[lo], cc, &b);
      call_error(a, "%zu rows have %s (rows %zu and %zu); give agg= (\"mean\", \"median\", \"sum\", \"min\", \"max\", "
                 "\"count\", \"first\" or \"last\") to combine them", n, sb_cstr(&b), rows[lo] + 1, rows[lo + 1] + 1);
      sb_free(&b);
      ok = false;
      break;
    }
    if (agg == AG_NONE || agg == AG_FIRST || agg == AG_LAST) {
      Value v = table_get(t, rows[agg == AG_LAST ? lo + n - 1 : lo], vc);
      table_set(out, q, oc, v);
      val_release(v);
      continue;
    }
    size_t m;
    ok = column_numbers(a, t, vc, rows + lo, n, buf, &m);
    if (!ok) break;
    Stat st = {ST_MEAN, 0, ""};
    switch ((Agg)agg) {
    case AG_MEAN: st.kind = ST_MEAN; break;
    case AG_SUM: st.kind = ST_SUM; break;
    case AG_MIN: st.kind = ST_MIN; break;
    case AG_MAX: st.kind = ST_MAX; break;
    case AG_COUNT: st.kind = ST_COUNT; break;
    default: st.kind = ST_MEDIAN; break;
    }
    table_set(out, q, oc, v_num(stat_value(&st, buf, m, n)));
  }
  free(buf);
  free(cnt);
  free(rows);
  free(orow);
  free(ocol);
  table_grouping_free(&rg);
  table_grouping_free(&cg);
  free(rk);
  if (!ok) {
    val_release(v_obj(out));
    return v_abrupt();
  }
  return v_obj(out);
}

static const Builtin table_ops_builtins[] = {
  {"filter", bi_filter, 2, 2, NULL, "filter(xs, keep)",
   "the items x of a list, vector or range with keep(x) true, as a list; of a table, the rows (keep gets each as a record), as a table", NULL},
  {"mutate", bi_mutate, 1, 1, "*", "mutate(t, name=f or column, ...)",
   "a table with new or replaced columns: f(row) of each row (a record), a column of nrow entries, or one value", NULL},
  {"head", bi_head, 1, 2, NULL, "head(x, n=5)", "the first n rows of a table (or items of a list, entries of a vector, rows of a matrix)", NULL},
  {"tail", bi_tail, 1, 2, NULL, "tail(x, n=5)", "the last n rows of a table (or items of a list, entries of a vector, rows of a matrix)", NULL},
  {"select", bi_select, 1, -1, NULL, "select(t, column, ...)", "a table with only the named columns, in that order (names or lists of names)", NULL},
  {"drop", bi_drop, 1, -1, NULL, "drop(t, column, ...)", "a table without the named columns", NULL},
  {"rename", bi_rename, 1, 1, "*", "rename(t, old=\"new\", ...)", "a table with columns renamed", NULL},
  {"unique", bi_unique, 1, 2, NULL, "unique(x) / unique(t, column) / unique(t)",
   "the distinct items of a vector or list, values of a table's column, or rows of a table, in order of first appearance", NULL},
  {"summarize", bi_summarize, 1, 2, "by stats values", "summarize(t, by=nil, stats=[...], values=[...])",
   "per group of the by= key(s): n, and for each numeric column col_mean, col_sd (n-1), col_sem, col_min, col_max, col_median, col_q25, col_q75 (or the stats= named)", NULL},
  {"aggregate", bi_aggregate, 2, 3, "by", "aggregate(t, f, by=)",
   "f applied to each group's table: a record result gives one column per field, anything else a column named value", NULL},
  {"pivot", bi_pivot, 1, 1, "rows cols values agg", "pivot(t, rows=, cols=, values=, agg=)",
   "long to wide: one row per rows= key, one column per value of cols=, cells from values= (agg= combines repeats)", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_table_ops = {"table_ops", table_ops_builtins};
