/* lib/table.c - the table type (table.h): storage, printing, fields, indexing, and the builtins
 * that make and inspect tables. The operations on tables (filter, sort, group, fit, join, pivot)
 * are in table_ops.c; CSV and JSON in io.c.
 *
 *   t.err            the column as a vector (numbers) or a list
 *   t.new = v        a new or replaced column (a vector/list of nrow entries, or one value for all)
 *   t[i]             row i as a record;  t[i, "err"] one cell;  t["err"] the column
 *   t[mask], t[idx]  the rows where a logical mask is 1, or rows idx (a vector or range)
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../arith.h"
#include "../builtin.h"
#include "../index.h"
#include "../interp.h"
#include "../print.h"
#include "../resolve.h"
#include "../strbuf.h"
#include "table.h"

/* ------------------------------------------------------------------ storage */
static void col_free(TableCol *c, size_t nrows) {
  free(c->name);
  free(c->num);
  if (c->any) {
    for (size_t i = 0; i < nrows; i++) val_release(c->any[i]);
    free(c->any);
  }
}

static void table_free(Obj *o) {
  Table *t = (Table *)o;
  for (int j = 0; j < t->ncols; j++) col_free(&t->cols[j], t->nrows);
  free(t->cols);
}

Table *table_new(void) {
  Table *t = obj_new(OBJ_EXT, sizeof(Table));
  t->ext.cls = &table_class;
  t->nrows = t->cap = 0;
  t->ncols = t->capcols = 0;
  t->cols = NULL;
  return t;
}

static void col_reserve(TableCol *c, size_t cap) {
  if (c->kind == COL_NUM) c->num = dlt_xrealloc(c->num, (cap ? cap : 1) * sizeof(double));
  else c->any = dlt_xrealloc(c->any, (cap ? cap : 1) * sizeof(Value));
}

static Obj *table_clone_obj(Obj *o) { return (Obj *)table_clone((Table *)o); }

Table *table_clone(const Table *t) {
  Table *c = table_new();
  c->cap = t->nrows;
  for (int j = 0; j < t->ncols; j++) {
    int k = table_add_col(c, t->cols[j].name);
    c->cols[k].grid = t->cols[j].grid;
    (void)k;
  }
  c->nrows = t->nrows;
  for (int j = 0; j < t->ncols; j++) {
    const TableCol *s = &t->cols[j];
    TableCol *d = &c->cols[j];
    if (s->kind == COL_NUM) {
      if (t->nrows) memcpy(d->num, s->num, t->nrows * sizeof(double));
    } else {
      free(d->num);
      d->num = NULL;
      d->kind = COL_ANY;
      d->any = dlt_xmalloc((t->nrows ? t->nrows : 1) * sizeof(Value));
      for (size_t i = 0; i < t->nrows; i++) d->any[i] = val_retain(s->any[i]);
    }
  }
  return c;
}

int table_col(const Table *t, const char *name) {
  for (int j = 0; j < t->ncols; j++)
    if (strcmp(t->cols[j].name, name) == 0) return j;
  return -1;
}

int table_add_col(Table *t, const char *name) {
  int j = table_col(t, name);
  if (j >= 0) return j;
  if (t->ncols == t->capcols) {
    t->capcols = t->capcols ? 2 * t->capcols : 8;
    t->cols = dlt_xrealloc(t->cols, (size_t)t->capcols * sizeof(TableCol));
  }
  TableCol *c = &t->cols[t->ncols];
  c->name = dlt_xstrdup(name);
  c->kind = COL_NUM;
  c->num = NULL;
  c->any = NULL;
  c->grid = false;
  col_reserve(c, t->cap);
  for (size_t i = 0; i < t->nrows; i++) c->num[i] = NAN;
  return t->ncols++;
}

void table_clear_col(Table *t, int col) {
  TableCol *c = &t->cols[col];
  if (c->kind == COL_ANY) {
    for (size_t i = 0; i < t->nrows; i++) val_release(c->any[i]);
    free(c->any);
    c->any = NULL;
    c->kind = COL_NUM;
    c->num = NULL;
    col_reserve(c, t->cap);
  }
  for (size_t i = 0; i < t->nrows; i++) c->num[i] = NAN;
}

size_t table_add_rows(Table *t, size_t n) {
  size_t first = t->nrows;
  if (t->nrows + n > t->cap) {
    size_t cap = t->cap ? t->cap : 8;
    while (cap < t->nrows + n) cap *= 2;
    for (int j = 0; j < t->ncols; j++) col_reserve(&t->cols[j], cap);
    t->cap = cap;
  }
  for (int j = 0; j < t->ncols; j++)
    for (size_t i = first; i < first + n; i++) {
      if (t->cols[j].kind == COL_NUM) t->cols[j].num[i] = NAN;
      else t->cols[j].any[i] = v_nil();
    }
  t->nrows += n;
  return first;
}

/* A column of numbers becomes a column of values: NaN (missing) becomes nil. */
static void col_to_any(Table *t, TableCol *c) {
  Value *any = dlt_xmalloc((t->cap ? t->cap : 1) * sizeof(Value));
  for (size_t i = 0; i < t->nrows; i++) any[i] = isnan(c->num[i]) ? v_nil() : v_num(c->num[i]);
  free(c->num);
  c->num = NULL;
  c->any = any;
  c->kind = COL_ANY;
}

void table_set(Table *t, size_t row, int col, Value v) {
  TableCol *c = &t->cols[col];
  if (c->kind == COL_NUM) {
    if (IS_NUM(v)) {
      c->num[row] = AS_NUM(v);
      return;
    }
    if (IS_MAT(v) && mat_numel(AS_MAT(v)) == 1 && !AS_MAT(v)->logical) {
      c->num[row] = AS_MAT(v)->data[0];
      return;
    }
    if (IS_NIL(v)) {
      c->num[row] = NAN;
      return;
    }
    col_to_any(t, c);
  }
  val_set(&c->any[row], val_retain(v));
}

Value table_get(const Table *t, size_t row, int col) {
  const TableCol *c = &t->cols[col];
  return c->kind == COL_NUM ? v_num(c->num[row]) : val_retain(c->any[row]);
}

bool table_missing(const Table *t, size_t row, int col) {
  const TableCol *c = &t->cols[col];
  return c->kind == COL_NUM ? isnan(c->num[row]) : IS_NIL(c->any[row]);
}

bool table_num(const Table *t, size_t row, int col, double *out) {
  const TableCol *c = &t->cols[col];
  if (c->kind == COL_NUM) {
    *out = c->num[row];
    return true;
  }
  return val_scalar(c->any[row], out);
}

Value table_column_value(Interp *I, const Table *t, int col, const Span *where) {
  const TableCol *c = &t->cols[col];
  if (c->kind == COL_NUM) {
    Mat *m = mat_alloc(t->nrows, 1);
    if (!m) return dlt_error_oom(I, where, t->nrows, 1); /* the copy passes --max-memory, or malloc failed */
    if (t->nrows) memcpy(m->data, c->num, t->nrows * sizeof(double));
    return v_obj(m);
  }
  Value l = list_new(t->nrows);
  for (size_t i = 0; i < t->nrows; i++) list_push(AS_LIST(l), val_retain(c->any[i]));
  return l;
}

Value table_row_record(const Table *t, size_t row) {
  Value r = record_new();
  for (int j = 0; j < t->ncols; j++) record_set(AS_RECORD(r), t->cols[j].name, table_get(t, row, j));
  return r;
}

void table_append_record(Table *t, const Record *r) {
  size_t row = table_add_rows(t, 1);
  for (size_t k = 0; k < r->n; k++) table_set(t, row, table_add_col(t, r->keys[k]->s), r->vals[k]);
}

Table *table_take(const Table *t, const size_t *idx, size_t n) {
  Table *c = table_new();
  for (int j = 0; j < t->ncols; j++) {
    int k = table_add_col(c, t->cols[j].name); /* may move c->cols */
    c->cols[k].grid = t->cols[j].grid;
  }
  table_add_rows(c, n);
  for (int j = 0; j < t->ncols; j++) {
    if (t->cols[j].kind == COL_NUM) {
      for (size_t i = 0; i < n; i++) c->cols[j].num[i] = t->cols[j].num[idx[i]];
    } else {
      col_to_any(c, &c->cols[j]);
      for (size_t i = 0; i < n; i++) c->cols[j].any[i] = val_retain(t->cols[j].any[idx[i]]);
    }
  }
  return c;
}

Table *table_select(const Table *t, const int *cols, int n) {
  Table *c = table_new();
  for (int k = 0; k < n; k++) {
    int q = table_add_col(c, t->cols[cols[k]].name); /* may move c->cols */
    c->cols[q].grid = t->cols[cols[k]].grid;
  }
  table_add_rows(c, t->nrows);
  for (int k = 0; k < n; k++) {
    const TableCol *s = &t->cols[cols[k]];
    TableCol *d = &c->cols[k];
    if (s->kind == COL_NUM) {
      if (t->nrows) memcpy(d->num, s->num, t->nrows * sizeof(double));
    } else {
      col_to_any(c, d);
      for (size_t i = 0; i < t->nrows; i++) d->any[i] = val_retain(s->any[i]);
    }
  }
  return c;
}

/* ------------------------------------------------------------------ building from DLT values */
/* The length of a column given as a value, or -1 when it is not a column. */
static long column_len(Value v) {
  if (IS_MAT(v) && mat_is_vector(AS_MAT(v))) return (long)mat_numel(AS_MAT(v));
  if (IS_MAT(v) && mat_numel(AS_MAT(v)) == 0) return 0;
  if (IS_LIST(v)) return (long)AS_LIST(v)->n;
  if (IS_RANGE(v)) return (long)range_len(AS_RANGE(v));
  return -1;
}

static Value column_item(Value v, size_t i) {
  if (IS_MAT(v)) return v_num(AS_MAT(v)->data[mat_cols(AS_MAT(v)) == 1 ? i * AS_MAT(v)->m.tda : i]);
  if (IS_LIST(v)) return val_retain(AS_LIST(v)->items[i]);
  return v_num(range_at(AS_RANGE(v), i));
}

/* Fill column col from v: a column of nrows entries, or one value repeated. */
static const char *fill_column(Table *t, int col, Value v) {
  long n = column_len(v);
  if (n < 0) {
    for (size_t i = 0; i < t->nrows; i++) table_set(t, i, col, v);
    return NULL;
  }
  if ((size_t)n != t->nrows) return "has a different length from the table's other columns";
  for (size_t i = 0; i < t->nrows; i++) {
    Value x = column_item(v, i);
    table_set(t, i, col, x);
    val_release(x);
  }
  return NULL;
}

Table *table_from_record(Interp *I, const Record *r, const char **why) {
  (void)I;
  Table *t = table_new();
  long n = -1;
  for (size_t k = 0; k < r->n; k++) {
    long len = column_len(r->vals[k]);
    if (len >= 0) {
      if (n >= 0 && len != n) {
        *why = "columns of different lengths";
        val_release(v_obj(t));
        return NULL;
      }
      n = len;
    }
  }
  table_add_rows(t, n < 0 ? 1 : (size_t)n);
  for (size_t k = 0; k < r->n; k++) fill_column(t, table_add_col(t, r->keys[k]->s), r->vals[k]);
  return t;
}

Table *table_from_rows(Interp *I, const List *rows, const char **why) {
  (void)I;
  Table *t = table_new();
  for (size_t i = 0; i < rows->n; i++) {
    if (!IS_RECORD(rows->items[i])) {
      *why = "a list of rows must hold records";
      val_release(v_obj(t));
      return NULL;
    }
    table_append_record(t, AS_RECORD(rows->items[i]));
  }
  return t;
}

Table *arg_table(Args *a, int i) {
  if (i < a->n && IS_TABLE(a->v[i])) return AS_TABLE(a->v[i]);
  if (i >= a->n) call_error(a, "argument %d must be a table, got nothing", i + 1);
  else arg_error(a, i, "argument %d must be a table, got a %s", i + 1, val_type_name(a->v[i]));
  return NULL;
}

/* ------------------------------------------------------------------ helpers for the table modules */
int table_col_of(Args *a, const Table *t, Value v, const Span *sp, const char *what) {
  if (!IS_STR(v)) {
    dlt_error(a->I, sp, "%s: %s must name a column (a string), got a %s", a->fname, what, val_type_name(v));
    return -1;
  }
  int j = table_col(t, AS_STR(v)->s);
  if (j < 0) table_no_column(a->I, t, AS_STR(v)->s, sp, a->fname);
  return j;
}

bool table_cols_of(Args *a, const Table *t, Value v, const Span *sp, const char *what, bool allow_empty, int **cols,
                   int *n) {
  *cols = NULL;
  *n = 0;
  if (IS_STR(v)) {
    int j = table_col_of(a, t, v, sp, what);
    if (j < 0) return false;
    *cols = dlt_xmalloc(sizeof(int));
    (*cols)[0] = j;
    *n = 1;
    return true;
  }
  if (!IS_LIST(v)) {
    dlt_error(a->I, sp, "%s: %s must be a column name or a list of column names, got a %s", a->fname, what,
              val_type_name(v));
    return false;
  }
  const List *l = AS_LIST(v);
  if (l->n == 0 && !allow_empty) {
    dlt_error(a->I, sp, "%s: %s needs at least one column name, got an empty list", a->fname, what);
    return false;
  }
  int *c = dlt_xmalloc((l->n ? l->n : 1) * sizeof(int));
  for (size_t k = 0; k < l->n; k++) {
    int j = table_col_of(a, t, l->items[k], sp, what);
    for (size_t m = 0; j >= 0 && m < k; m++)
      if (c[m] == j) {
        dlt_error(a->I, sp, "%s: %s names column '%s' twice", a->fname, what, t->cols[j].name);
        j = -1;
      }
    if (j < 0) {
      free(c);
      return false;
    }
    c[k] = j;
  }
  *cols = c;
  *n = (int)l->n;
  return true;
}

/* A cell's sort class: 0 number, 1 bool, 2 string, 3 other, 4 missing. */
static int cell_class(const Table *t, size_t i, int c, double *x, Value *v) {
  const TableCol *col = &t->cols[c];
  if (col->kind == COL_NUM) {
    *x = col->num[i];
    return isnan(*x) ? 4 : 0;
  }
  *v = col->any[i];
  if (IS_NIL(*v)) return 4;
  if (IS_NUM(*v)) {
    *x = AS_NUM(*v);
    return isnan(*x) ? 4 : 0;
  }
  if (IS_BOOL(*v)) {
    *x = AS_BOOL(*v);
    return 1;
  }
  return IS_STR(*v) ? 2 : 3;
}

int table_cell_cmp(const Table *a, size_t i, int ca, const Table *b, size_t j, int cb) {
  double x = 0, y = 0;
  Value u = v_nil(), v = v_nil();
  int ka = cell_class(a, i, ca, &x, &u), kb = cell_class(b, j, cb, &y, &v);
  if (ka != kb) return ka < kb ? -1 : 1;
  switch (ka) {
  case 0:
  case 1: return (x > y) - (x < y);
  case 2: {
    const Str *p = AS_STR(u), *q = AS_STR(v);
    size_t n = p->len < q->len ? p->len : q->len;
    int r = memcmp(p->s, q->s, n);
    return r ? (r < 0 ? -1 : 1) : (p->len > q->len) - (p->len < q->len);
  }
  case 3: {
    if (val_equal(u, v)) return 0;
    char *p = val_to_cstr(u, PRINT_REPR), *q = val_to_cstr(v, PRINT_REPR);
    int r = strcmp(p, q);
    free(p);
    free(q);
    return r ? (r < 0 ? -1 : 1) : 0;
  }
  default: return 0;
  }
}

typedef struct SortCtx {
  const Table *t;
  const int *keys;
  const bool *desc;
  int nkeys;
} SortCtx;

static int rows_cmp(const SortCtx *s, size_t i, size_t j) {
  for (int k = 0; k < s->nkeys; k++) {
    int r = table_cell_cmp(s->t, i, s->keys[k], s->t, j, s->keys[k]);
    if (r == 0) continue;
    /* descending flips the order of present cells; missing ones stay last */
    if (s->desc && s->desc[k] && !table_missing(s->t, i, s->keys[k]) && !table_missing(s->t, j, s->keys[k])) r = -r;
    return r;
  }
  return 0;
}

/* a stable merge sort (qsort is not stable, and qsort_r is not portable) */
static void merge_sort(const SortCtx *s, size_t *idx, size_t *tmp, size_t n) {
  if (n < 2) return;
  if (n <= 8) { /* insertion sort for short runs */
    for (size_t i = 1; i < n; i++) {
      size_t x = idx[i], k = i;
      while (k > 0 && rows_cmp(s, idx[k - 1], x) > 0) {
        idx[k] = idx[k - 1];
        k--;
      }
      idx[k] = x;
    }
    return;
  }
  size_t h = n / 2;
  merge_sort(s, idx, tmp, h);
  merge_sort(s, idx + h, tmp, n - h);
  if (rows_cmp(s, idx[h - 1], idx[h]) <= 0) return;
  memcpy(tmp, idx, h * sizeof(size_t));
  size_t p = 0, q = h, o = 0;
  while (p < h && q < n) idx[o++] = rows_cmp(s, idx[q], tmp[p]) < 0 ? idx[q++] : tmp[p++];
  while (p < h) idx[o++] = tmp[p++];
}

void table_sort_idx(const Table *t, const int *keys, const bool *desc, int nkeys, size_t *idx, size_t n) {
  SortCtx s = {t, keys, desc, nkeys};
  size_t *tmp = dlt_xmalloc((n ? n : 1) * sizeof(size_t));
  merge_sort(&s, idx, tmp, n);
  free(tmp);
}

void table_grouping(const Table *t, const int *keys, int nkeys, TableGroups *g) {
  size_t n = t->nrows;
  g->order = dlt_xmalloc((n ? n : 1) * sizeof(size_t));
  g->start = dlt_xmalloc((n + 1) * sizeof(size_t));
  for (size_t i = 0; i < n; i++) g->order[i] = i;
  table_sort_idx(t, keys, NULL, nkeys, g->order, n);
  SortCtx s = {t, keys, NULL, nkeys};
  g->n = 0;
  for (size_t i = 0; i < n; i++)
    if (i == 0 || rows_cmp(&s, g->order[i - 1], g->order[i]) != 0) g->start[g->n++] = i;
  g->start[g->n] = n;
}

void table_grouping_free(TableGroups *g) {
  free(g->order);
  free(g->start);
  g->order = g->start = NULL;
}

Table *table_group_keys(const Table *t, const int *keys, int nkeys, const TableGroups *g) {
  Table *r = table_new();
  for (int k = 0; k < nkeys; k++) table_add_col(r, t->cols[keys[k]].name);
  table_add_rows(r, g->n);
  for (size_t q = 0; q < g->n; q++)
    for (int k = 0; k < nkeys; k++) {
      Value v = table_get(t, g->order[g->start[q]], keys[k]);
      table_set(r, q, k, v);
      val_release(v);
    }
  return r;
}

int table_new_col(Args *a, Table *t, const char *name) {
  if (table_col(t, name) >= 0) {
    call_error(a, "the result would have two columns named '%s' (rename one with rename(t, %s=\"...\"))", name, name);
    return -1;
  }
  return table_add_col(t, name);
}

static bool word_in(const char *list, const char *w) {
  size_t n = strlen(w);
  for (const char *p = list; p && *p;) {
    while (*p == ' ') p++;
    const char *q = p;
    while (*q && *q != ' ') q++;
    if ((size_t)(q - p) == n && n && strncmp(p, w, n) == 0) return true;
    p = q;
  }
  return false;
}

bool table_method_args(Args *a, int minpos, int maxpos, const char *kws, const char *usage) {
  for (int k = 0; k < a->nkw; k++) {
    if (!word_in(kws, a->kwnames[k])) {
      kw_error(a, a->kwnames[k], "with a table, %s() has no option %s= (usage: %s)", a->fname, a->kwnames[k], usage);
      return false;
    }
    for (int m = 0; m < k; m++)
      if (strcmp(a->kwnames[m], a->kwnames[k]) == 0) {
        kw_error(a, a->kwnames[k], "%s= is given twice", a->kwnames[k]);
        return false;
      }
  }
  if (a->n < minpos || a->n > maxpos) {
    if (minpos == maxpos)
      call_error(a, "with a table, %s() takes %d argument%s, got %d (usage: %s)", a->fname, minpos,
                 minpos == 1 ? "" : "s", a->n, usage);
    else if (a->n < minpos)
      call_error(a, "with a table, %s() takes at least %d arguments, got %d (usage: %s)", a->fname, minpos, a->n, usage);
    else
      call_error(a, "with a table, %s() takes at most %d arguments, got %d (usage: %s)", a->fname, maxpos, a->n, usage);
    return false;
  }
  return true;
}

bool table_param(Args *a, int pos, const char *name, Value *v, const Span **sp) {
  const Value *k = kw_get(a, name);
  if (pos < a->n && k) {
    kw_error(a, name, "%s is given twice: as argument %d and as %s=", name, pos + 1, name);
    return false;
  }
  if (pos < a->n) {
    *v = a->v[pos];
    *sp = arg_span(a, pos);
  } else if (k) {
    *v = *k;
    *sp = kw_span(a, name);
  } else {
    *v = v_nil();
    *sp = a->call;
  }
  return true;
}

/* ------------------------------------------------------------------ printing */
/* Display width of UTF-8 text: one column per code point (the tables' names and strings are
 * Latin, Greek and maths symbols, none of them double width). */
static size_t text_width(const char *s, size_t n) { return utf8_len(s, n); }

static void cell_text(const Table *t, size_t row, int col, StrBuf *b) {
  const TableCol *c = &t->cols[col];
  if (c->kind == COL_NUM) fmt_num_short(b, c->num[row]);
  else val_print(b, c->any[row], PRINT_DISPLAY | PRINT_INLINE);
}

/* Rows shown: all when there are at most TABLE_MAX_ROWS, else the first TABLE_HEAD and the last
 * TABLE_TAIL with an elision line between them. */
enum { TABLE_MAX_ROWS = 30, TABLE_HEAD = 10, TABLE_TAIL = 5, TABLE_MAX_CELL = 40 };

static void table_print(Obj *o, StrBuf *out) {
  Table *t = (Table *)o;
  if (t->ncols == 0) {
    sb_printf(out, "table (%zu rows, no columns)", t->nrows);
    return;
  }
  bool elide = t->nrows > TABLE_MAX_ROWS;
  size_t nshow = elide ? TABLE_HEAD + TABLE_TAIL : t->nrows;
  /* every shown cell's text, column by column */
  StrBuf *cells = dlt_xmalloc((size_t)t->ncols * (nshow ? nshow : 1) * sizeof(StrBuf));
  size_t *width = dlt_xmalloc((size_t)t->ncols * sizeof(size_t));
  for (int j = 0; j < t->ncols; j++) {
    width[j] = text_width(t->cols[j].name, strlen(t->cols[j].name));
    for (size_t k = 0; k < nshow; k++) {
      size_t row = elide && k >= TABLE_HEAD ? t->nrows - (nshow - k) : k;
      StrBuf *b = &cells[(size_t)j * nshow + k];
      *b = (StrBuf)STRBUF_INIT;
      cell_text(t, row, j, b);
      size_t w = text_width(sb_cstr(b), b->len);
      if (w > TABLE_MAX_CELL) { /* cut long cells (a matrix, a long string) with an ellipsis */
        size_t keep = 0, cp = 0;
        while (keep < b->len && cp < TABLE_MAX_CELL - 1) {
          keep++;
          while (keep < b->len && ((unsigned char)b->s[keep] & 0xC0) == 0x80) keep++;
          cp++;
        }
        sb_truncate(b, keep);
        sb_puts(b, "…");
        w = TABLE_MAX_CELL;
      }
      if (w > width[j]) width[j] = w;
    }
  }
  /* numbers right-aligned, everything else left-aligned, two spaces between columns */
  for (int j = 0; j < t->ncols; j++) {
    size_t w = text_width(t->cols[j].name, strlen(t->cols[j].name));
    bool right = t->cols[j].kind == COL_NUM;
    if (j) sb_puts(out, "  ");
    if (right) sb_pad(out, ' ', width[j] - w);
    sb_puts(out, t->cols[j].name);
    if (!right && j + 1 < t->ncols) sb_pad(out, ' ', width[j] - w);
  }
  for (size_t k = 0; k < nshow; k++) {
    sb_putc(out, '\n');
    if (elide && k == TABLE_HEAD) sb_printf(out, "… %zu more rows …\n", t->nrows - nshow);
    for (int j = 0; j < t->ncols; j++) {
      StrBuf *b = &cells[(size_t)j * nshow + k];
      size_t w = text_width(sb_cstr(b), b->len);
      bool right = t->cols[j].kind == COL_NUM;
      if (j) sb_puts(out, "  ");
      if (right) sb_pad(out, ' ', width[j] - w);
      sb_puts(out, sb_cstr(b));
      if (!right && j + 1 < t->ncols) sb_pad(out, ' ', width[j] - w);
    }
    size_t end = out->len; /* no trailing blanks (an empty last cell) */
    while (end > 0 && out->s[end - 1] == ' ') end--;
    sb_truncate(out, end);
  }
  if (elide) sb_printf(out, "\n(%zu rows × %d columns)", t->nrows, t->ncols);
  for (size_t k = 0; k < (size_t)t->ncols * nshow; k++) sb_free(&cells[k]);
  free(cells);
  free(width);
}

/* ------------------------------------------------------------------ equality, fields, indexing */
/* Tables are equal when they have the same columns in the same order and equal cells; missing
 * cells (NaN) equal each other, so a table compares equal to its own round trip. */
static bool table_equal(Obj *o, Value other) {
  if (!IS_TABLE(other)) return false;
  Table *a = (Table *)o, *b = AS_TABLE(other);
  if (a->nrows != b->nrows || a->ncols != b->ncols) return false;
  for (int j = 0; j < a->ncols; j++) {
    if (strcmp(a->cols[j].name, b->cols[j].name) != 0) return false;
    for (size_t i = 0; i < a->nrows; i++) {
      double x, y;
      bool nx = a->cols[j].kind == COL_NUM, ny = b->cols[j].kind == COL_NUM;
      if (nx && ny) {
        x = a->cols[j].num[i];
        y = b->cols[j].num[i];
        if (!(x == y || (isnan(x) && isnan(y)))) return false;
        continue;
      }
      Value u = table_get(a, i, j), v = table_get(b, i, j);
      bool eq = val_equal(u, v) || (IS_NUM(u) && IS_NUM(v) && isnan(AS_NUM(u)) && isnan(AS_NUM(v)));
      val_release(u);
      val_release(v);
      if (!eq) return false;
    }
  }
  return true;
}

static void column_list(const Table *t, StrBuf *b) {
  for (int j = 0; j < t->ncols; j++) sb_printf(b, "%s%s", j ? ", " : "", t->cols[j].name);
  if (t->ncols == 0) sb_puts(b, "none");
}

Value table_no_column(Interp *I, const Table *t, const char *name, const Span *where, const char *fname) {
  StrBuf b = STRBUF_INIT;
  column_list(t, &b);
  const char **names = dlt_xmalloc((size_t)(t->ncols ? t->ncols : 1) * sizeof(char *));
  for (int j = 0; j < t->ncols; j++) names[j] = t->cols[j].name;
  const char *sug = dlt_suggest(name, names, t->ncols);
  Value e;
  if (sug)
    e = dlt_error(I, where, "%s%sthe table has no column '%s'; did you mean '%s'? (columns: %s)", fname ? fname : "",
                  fname ? ": " : "", name, sug, sb_cstr(&b));
  else
    e = dlt_error(I, where, "%s%sthe table has no column '%s' (columns: %s)", fname ? fname : "", fname ? ": " : "",
                  name, sb_cstr(&b));
  free(names);
  sb_free(&b);
  return e;
}

static Value no_column(Interp *I, const Table *t, const char *name, const Span *where) {
  return table_no_column(I, t, name, where, NULL);
}

static Value table_get_field(Interp *I, Obj *self, const char *name, const Span *where) {
  Table *t = (Table *)self;
  int j = table_col(t, name);
  if (j < 0) return no_column(I, t, name, where);
  return table_column_value(I, t, j, where);
}

static Value table_set_field(Interp *I, Obj *self, const char *name, Value v, const Span *where) {
  Table *t = (Table *)self;
  if (column_len(v) >= 0 && (size_t)column_len(v) != t->nrows)
    return dlt_error(I, where, "column '%s' needs %zu entries (one per row), got %ld", name, t->nrows, column_len(v));
  int j = table_add_col(t, name);
  table_clear_col(t, j); /* replacing: start again as numbers */
  fill_column(t, j, v);
  return v_nil();
}

/* Row numbers selected by a subscript (1-based in DLT): a number, a range, a numeric vector, or a
 * logical mask of nrow entries. NULL after an error. */
static size_t *rows_selected(Interp *I, const Table *t, Value s, size_t *n, const Span *where) {
  size_t *idx = NULL;
  if (IS_MAT(s) && AS_MAT(s)->logical) {
    Mat *m = AS_MAT(s);
    if (mat_numel(m) != t->nrows) {
      dlt_error(I, where, "a row mask needs %zu entries (one per row), got %zu", t->nrows, mat_numel(m));
      return NULL;
    }
    idx = dlt_xmalloc((t->nrows ? t->nrows : 1) * sizeof(size_t));
    *n = 0;
    for (size_t i = 0; i < t->nrows; i++)
      if (m->data[mat_cols(m) == 1 ? i * m->m.tda : i] != 0) idx[(*n)++] = i;
    return idx;
  }
  long len = IS_NUM(s) ? 1 : column_len(s);
  if (len < 0) {
    dlt_error(I, where, "rows are selected by a number, a range, a vector of row numbers or a mask, not a %s",
              val_type_name(s));
    return NULL;
  }
  idx = dlt_xmalloc((size_t)(len ? len : 1) * sizeof(size_t));
  for (long k = 0; k < len; k++) {
    Value x = IS_NUM(s) ? s : column_item(s, (size_t)k);
    double r;
    if (!val_scalar(x, &r) || r != floor(r) || r < 1 || r > (double)t->nrows) {
      if (IS_NUM(x) || val_scalar(x, &r))
      {
        dlt_error(I, where, "row %s is out of range (the table has %zu rows)", num_text(r).s, t->nrows);
        if (r == 0) dlt_error_note(I, "%s", zero_index_note);
      }
      else dlt_error(I, where, "a row number must be a number, got a %s", val_type_name(x));
      if (!IS_NUM(s)) val_release(x);
      free(idx);
      return NULL;
    }
    if (!IS_NUM(s)) val_release(x);
    idx[k] = (size_t)r - 1;
  }
  *n = (size_t)len;
  return idx;
}

static Value table_index(Interp *I, Obj *self, const Value *subs, int nsubs, const Span *where) {
  Table *t = (Table *)self;
  if (nsubs == 1 && IS_STR(subs[0])) return table_get_field(I, self, AS_STR(subs[0])->s, where);
  if (nsubs < 1 || nsubs > 2)
    return dlt_error(I, where, "a table is indexed as t[rows] or t[row, \"column\"]");
  int col = -1;
  if (nsubs == 2) {
    if (!IS_STR(subs[1])) return dlt_error(I, where, "the second subscript of a table names a column (a string)");
    col = table_col(t, AS_STR(subs[1])->s);
    if (col < 0) return no_column(I, t, AS_STR(subs[1])->s, where);
  }
  size_t n;
  size_t *idx = rows_selected(I, t, subs[0], &n, where);
  if (!idx) return v_abrupt();
  Value r;
  if (IS_NUM(subs[0])) r = col >= 0 ? table_get(t, idx[0], col) : table_row_record(t, idx[0]);
  else {
    Table *sub = table_take(t, idx, n);
    if (col >= 0) {
      r = table_column_value(I, sub, col, where);
      val_release(v_obj(sub));
    } else r = v_obj(sub);
  }
  free(idx);
  return r;
}

static void table_traverse(Obj *o, void (*visit)(Value *slot, void *ctx), void *ctx) {
  Table *t = (Table *)o;
  for (int j = 0; j < t->ncols; j++)
    if (t->cols[j].kind == COL_ANY)
      for (size_t i = 0; i < t->nrows; i++)
        if (IS_OBJ(t->cols[j].any[i])) visit(&t->cols[j].any[i], ctx);
}

static bool table_truthy(Obj *o) { return ((Table *)o)->nrows > 0; }

/* Generic builtins called with a table first: len(t) (rows), keys(t) (column names), has(t, name),
 * rows(t) (a list of records), and the table forms of sort, reverse, join, vcat, split, slope,
 * fit_linear, loglog_slope and geom_rate (table_ops.c, table_fit.c). */
static Value table_method(Args *a, const char *builtin, bool *handled) {
  Table *t = AS_TABLE(a->v[0]);
  static const struct {
    const char *name;
    Value (*fn)(Args *a);
  } ops[] = {
    {"sort", table_sort},     {"reverse", table_reverse},         {"join", table_join},
    {"vcat", table_vcat},     {"split", table_split},             {"slope", table_slope},
    {"fit_linear", table_fit_linear}, {"loglog_slope", table_loglog_slope}, {"geom_rate", table_geom_rate},
  };
  *handled = true;
  if (strcmp(builtin, "len") == 0 || strcmp(builtin, "keys") == 0 || strcmp(builtin, "rows") == 0) {
    if (!table_method_args(a, 1, 1, "", strcmp(builtin, "len") == 0 ? "len(t)" : strcmp(builtin, "keys") == 0 ? "keys(t)" : "rows(t)"))
      return v_abrupt();
    if (builtin[0] == 'l') return v_num((double)t->nrows);
    if (builtin[0] == 'k') {
      Value l = list_new((size_t)t->ncols);
      for (int j = 0; j < t->ncols; j++) list_push(AS_LIST(l), str_from(t->cols[j].name));
      return l;
    }
    Value l = list_new(t->nrows);
    for (size_t i = 0; i < t->nrows; i++) list_push(AS_LIST(l), table_row_record(t, i));
    return l;
  }
  if (strcmp(builtin, "has") == 0) {
    if (!table_method_args(a, 2, 2, "", "has(t, column)")) return v_abrupt();
    if (!IS_STR(a->v[1])) return arg_error(a, 1, "a column name must be a string, got a %s", val_type_name(a->v[1]));
    return v_bool(table_col(t, AS_STR(a->v[1])->s) >= 0);
  }
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
    if (strcmp(builtin, ops[k].name) == 0) return ops[k].fn(a);
  *handled = false;
  return v_nil();
}

const ExtClass table_class = {
  .name = "table",
  .free = table_free,
  .print = table_print,
  .clone = table_clone_obj,
  .equal = table_equal,
  .get_field = table_get_field,
  .set_field = table_set_field,
  .index = table_index,
  .truthy = table_truthy,
  .traverse = table_traverse,
  .method = table_method,
};

/* ------------------------------------------------------------------ builtins */
/* table({a: [..], b: [..]}), table([{a: 1, b: 2}, ...]), table(a=[..], b=[..]), table() */
/* false after a located error when the columns (ranges can be long) would not fit in memory */
static bool record_fits(Args *a, const Record *r) {
  size_t n = 0;
  for (size_t k = 0; k < r->n; k++) {
    long len = column_len(r->vals[k]);
    if (len > 0 && (size_t)len > n) n = (size_t)len;
  }
  if (r->n && n > mat_limit_bytes() / sizeof(double) / r->n) {
    dlt_error_oom(a->I, a->call, n, r->n);
    return false;
  }
  return true;
}

static Value bi_table(Args *a) {
  const char *why = NULL;
  Table *t = NULL;
  if (a->n == 0) {
    Value r = record_new();
    for (int k = 0; k < a->nkw; k++) record_set(AS_RECORD(r), a->kwnames[k], val_retain(a->kw[k]));
    if (!record_fits(a, AS_RECORD(r))) {
      val_release(r);
      return v_abrupt();
    }
    t = table_from_record(a->I, AS_RECORD(r), &why);
    if (t && a->nkw == 0) t->nrows = 0;
    val_release(r);
    if (!t) return call_error(a, "%s", why);
    return v_obj(t);
  }
  if (a->nkw) return kw_error(a, a->kwnames[0], "table() takes either one record or list, or columns as keywords");
  Value v = a->v[0];
  if (IS_TABLE(v)) return val_retain(v);
  if (IS_RECORD(v) && !record_fits(a, AS_RECORD(v))) return v_abrupt();
  if (IS_RECORD(v)) t = table_from_record(a->I, AS_RECORD(v), &why);
  else if (IS_LIST(v)) t = table_from_rows(a->I, AS_LIST(v), &why);
  else return arg_error(a, 0, "table() makes a table from a record of columns or a list of records, not a %s", val_type_name(v));
  if (!t) return arg_error(a, 0, "%s", why);
  return v_obj(t);
}

static Value bi_nrow(Args *a) {
  Table *t = arg_table(a, 0);
  return t ? v_num((double)t->nrows) : v_abrupt();
}

static Value bi_ncol(Args *a) {
  Table *t = arg_table(a, 0);
  return t ? v_num((double)t->ncols) : v_abrupt();
}

static Value bi_columns(Args *a) {
  Table *t = arg_table(a, 0);
  if (!t) return v_abrupt();
  Value l = list_new((size_t)t->ncols);
  for (int j = 0; j < t->ncols; j++) list_push(AS_LIST(l), str_from(t->cols[j].name));
  return l;
}

static const Builtin table_builtins[] = {
  {"table", bi_table, 0, 1, "*", "table(columns) / table(rows) / table(a=..., b=...)",
   "a table from a record of equal-length columns, a list of records (one per row), or columns as keywords", NULL},
  {"nrow", bi_nrow, 1, 1, NULL, "nrow(t)", "the number of rows of a table", NULL},
  {"ncol", bi_ncol, 1, 1, NULL, "ncol(t)", "the number of columns of a table", NULL},
  {"columns", bi_columns, 1, 1, NULL, "columns(t)", "the column names of a table, in order, as a list of strings", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_table = {"table", table_builtins};
