/* lib/table_fit.c - least-squares fits of one table column against another, per group, and the
 * geometric rate of a column.
 *
 *   fit(t, x="width", y="err", scale="loglog", by="depth")
 *       a table: the by= keys, slope, se_slope, intercept, se_intercept, r2, n (one row per group)
 *   slope(t, x, y, scale=, by=), fit_linear(t, x, y, scale=), loglog_slope(t, x, y)
 *       the vector builtins of stats.c taking the columns of a table (method hook, table.c)
 *   geom_rate(t, y, limit=, by=)
 *
 * The fit is ordinary least squares y = intercept + slope x through gsl_fit_linear, after taking
 * logarithms of x and/or y as scale= says; the standard errors are gsl_fit_linear's: the square
 * roots of the diagonal of s² (XᵀX)⁻¹ with s² = SSE / (n - 2), and r2 = 1 - SSE / TSS. Rows with a
 * missing x or y are left out (n counts the rows used). In fit()'s table a group with fewer than 2
 * rows, or whose x are all equal, has nan for the line (and fewer than 3 rows nan standard
 * errors); the single-fit builtins raise an error instead, as their vector forms do.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>


#include "../builtin.h"
#include "../interp.h"
#include "../print.h"
#include "stats.h"
#include "table.h"

typedef enum { SC_LINEAR, SC_LOGLOG, SC_SEMILOGX, SC_SEMILOGY } Scale;
static const char *const scale_names[] = {"linear", "loglog", "semilogx", "semilogy"};

typedef struct FitCols {
  int x, y;
  Scale scale;
  int *keys, nkeys;
} FitCols;


/* x=, y= (positional arguments 1 and 2, or keywords), scale= and by= of a fit call */
static bool fit_cols(Args *a, const Table *t, bool with_scale, bool with_by, FitCols *f) {
  Value xv, yv;
  const Span *xs, *ys;
  f->keys = NULL;
  f->nkeys = 0;
  f->scale = SC_LINEAR;
  if (!table_param(a, 1, "x", &xv, &xs) || !table_param(a, 2, "y", &yv, &ys)) return false;
  if (IS_NIL(xv) || IS_NIL(yv)) {
    call_error(a, "name the columns to fit: %s(t, x=\"width\", y=\"err\")", a->fname);
    return false;
  }
  int sc = 0;
  if (with_scale && !kw_choice(a, "scale", scale_names, 4, "linear", &sc)) return false;
  f->scale = (Scale)sc;
  if ((f->x = table_col_of(a, t, xv, xs, "x=")) < 0 || (f->y = table_col_of(a, t, yv, ys, "y=")) < 0) return false;
  const Value *by = with_by ? kw_get(a, "by") : NULL;
  if (by && !table_cols_of(a, t, *by, kw_span(a, "by"), "by=", false, &f->keys, &f->nkeys)) return false;
  return true;
}

/* one cell of a fitted column as a number: false after an error (not a number, or not positive
 * under a logarithmic scale); *skip for a missing cell */
static bool fit_value(Args *a, const Table *t, size_t row, int c, bool take_log, const char *scale, double *out,
                      bool *skip) {
  *skip = table_missing(t, row, c);
  if (*skip) return true;
  if (!table_num(t, row, c, out)) {
    Value v = table_get(t, row, c);
    call_error(a, "column '%s' holds a %s in row %zu, not a number", t->cols[c].name, val_type_name(v), row + 1);
    val_release(v);
    return false;
  }
  if (isnan(*out)) {
    *skip = true;
    return true;
  }
  if (take_log) {
    if (!(*out > 0)) {
      call_error(a, "scale=\"%s\" takes the logarithm of column '%s', but row %zu has %s = %s, which is not positive",
                 scale, t->cols[c].name, row + 1, t->cols[c].name, num_text(*out).s);
      return false;
    }
    *out = log(*out);
  }
  return true;
}

/* The least-squares line through rows[0..n) of t; false after an error. strict: fewer than
 * min_n points, or all x equal, is an error (else nan). */
static bool fit_rows(Args *a, const Table *t, const FitCols *f, const size_t *rows, size_t n, bool strict,
                     size_t min_n, LineFit *L) {
  double *x = dlt_xmalloc((n ? n : 1) * sizeof(double)), *y = dlt_xmalloc((n ? n : 1) * sizeof(double));
  bool lx = f->scale == SC_LOGLOG || f->scale == SC_SEMILOGX, ly = f->scale == SC_LOGLOG || f->scale == SC_SEMILOGY;
  size_t m = 0;
  bool ok = true;
  for (size_t i = 0; i < n && ok; i++) {
    bool sx, sy;
    ok = fit_value(a, t, rows[i], f->x, lx, scale_names[f->scale], &x[m], &sx) &&
         fit_value(a, t, rows[i], f->y, ly, scale_names[f->scale], &y[m], &sy);
    if (ok && !sx && !sy) m++;
  }
  bool all_equal = true;
  for (size_t i = 1; i < m; i++) all_equal = all_equal && x[i] == x[0];
  if (ok && strict && m < min_n) {
    call_error(a, "needs at least %zu rows with both %s and %s%s, got %zu", min_n, t->cols[f->x].name,
               t->cols[f->y].name, min_n > 2 ? " for standard errors" : "", m);
    ok = false;
  } else if (ok && strict && all_equal) {
    call_error(a, "every %s is equal, so the slope is undefined", t->cols[f->x].name);
    ok = false;
  }
  *L = stats_fit_line(x, y, m);
  free(x);
  free(y);
  return ok;
}

static const char *const line_cols[] = {"slope", "se_slope", "intercept", "se_intercept", "r2", "n"};

/* the groups' lines as a table: keys, then the columns named in want[0..nwant) */
static Value fit_table(Args *a, const Table *t, const FitCols *f, const char *const *want, int nwant) {
  TableGroups g;
  table_grouping(t, f->keys, f->nkeys, &g);
  Table *out = table_group_keys(t, f->keys, f->nkeys, &g);
  bool ok = true;
  for (int k = 0; k < nwant && ok; k++) ok = table_new_col(a, out, want[k]) >= 0;
  for (size_t q = 0; q < g.n && ok; q++) {
    LineFit L;
    ok = fit_rows(a, t, f, g.order + g.start[q], g.start[q + 1] - g.start[q], false, 2, &L);
    for (int k = 0; k < nwant && ok; k++) {
      const char *w = want[k];
      double v = strcmp(w, "slope") == 0 ? L.slope : strcmp(w, "se_slope") == 0 ? L.se_slope
               : strcmp(w, "intercept") == 0 ? L.intercept : strcmp(w, "se_intercept") == 0 ? L.se_intercept
               : strcmp(w, "r2") == 0 ? L.r2 : (double)L.n;
      out->cols[f->nkeys + k].num[q] = v;
    }
  }
  table_grouping_free(&g);
  if (!ok) {
    val_release(v_obj(out));
    return v_abrupt();
  }
  return v_obj(out);
}

static bool fit_all_rows(Args *a, const Table *t, const FitCols *f, size_t min_n, LineFit *L) {
  size_t *rows = dlt_xmalloc((t->nrows ? t->nrows : 1) * sizeof(size_t));
  for (size_t i = 0; i < t->nrows; i++) rows[i] = i;
  bool ok = fit_rows(a, t, f, rows, t->nrows, true, min_n, L);
  free(rows);
  return ok;
}

/* fit(t, x=, y=, scale="linear", by=) */
static Value bi_fit(Args *a) {
  Table *t = arg_table(a, 0);
  FitCols f;
  if (!t || !fit_cols(a, t, true, true, &f)) return v_abrupt();
  Value r = fit_table(a, t, &f, line_cols, 6);
  free(f.keys);
  return r;
}

/* slope(t, x, y, scale=, by=): a number, or with by= a table of the keys and slope */
Value table_slope(Args *a) {
  const char *usage = "slope(t, x=\"col\", y=\"col\", scale=\"linear\", by=)";
  Table *t = AS_TABLE(a->v[0]);
  FitCols f;
  if (!table_method_args(a, 1, 3, "x y scale by", usage) || !fit_cols(a, t, true, true, &f)) return v_abrupt();
  if (f.nkeys) {
    const char *const want[] = {"slope"};
    Value r = fit_table(a, t, &f, want, 1);
    free(f.keys);
    return r;
  }
  LineFit L;
  if (!fit_all_rows(a, t, &f, 2, &L)) return v_abrupt();
  return v_num(L.slope);
}

/* fit_linear(t, x, y, scale=): the record fit_linear(x, y) gives */
Value table_fit_linear(Args *a) {
  Table *t = AS_TABLE(a->v[0]);
  FitCols f;
  LineFit L;
  if (!table_method_args(a, 1, 3, "x y scale", "fit_linear(t, x=\"col\", y=\"col\", scale=\"linear\")") ||
      !fit_cols(a, t, true, false, &f) || !fit_all_rows(a, t, &f, 3, &L))
    return v_abrupt();
  return stats_line_record(&L);
}

/* loglog_slope(t, x, y): {slope, se, intercept} of log y against log x */
Value table_loglog_slope(Args *a) {
  Table *t = AS_TABLE(a->v[0]);
  FitCols f;
  LineFit L;
  if (!table_method_args(a, 1, 3, "x y", "loglog_slope(t, x=\"col\", y=\"col\")") || !fit_cols(a, t, false, false, &f))
    return v_abrupt();
  f.scale = SC_LOGLOG;
  if (!fit_all_rows(a, t, &f, 3, &L)) return v_abrupt();
  return stats_loglog_record(&L);
}

/* The rate r of the values of column c in rows[0..n) (in that order) converging like C r^k, as
 * geom_rate(seq) computes it: exp of the least-squares slope of log e_k against k, with e_k the
 * differences |x_{k+1} - x_k| or, with a limit, |x_k - limit|. strict: an error when it cannot be
 * computed; else nan. false after an error. */
static bool rate_rows(Args *a, const Table *t, int c, const size_t *rows, size_t n, bool has_limit, double limit,
                      bool strict, double *rate) {
  *rate = NAN;
  size_t ne = has_limit ? n : (n ? n - 1 : 0);
  double *x = dlt_xmalloc((n ? n : 1) * sizeof(double));
  double *k = dlt_xmalloc((ne ? ne : 1) * sizeof(double)), *le = dlt_xmalloc((ne ? ne : 1) * sizeof(double));
  bool ok = true, defined = ne >= 2;
  for (size_t i = 0; i < n && ok; i++) {
    if (!table_num(t, rows[i], c, &x[i]) || isnan(x[i])) {
      call_error(a, "row %zu has no number in column '%s'; the sequence must have no gaps", rows[i] + 1,
                 t->cols[c].name);
      ok = false;
    }
  }
  if (ok && strict && !defined) {
    call_error(a, "needs at least %d values of '%s'%s, got %zu", has_limit ? 2 : 3, t->cols[c].name,
               has_limit ? "" : " (or 2 with limit=)", n);
    ok = false;
  }
  for (size_t i = 0; i < ne && ok && defined; i++) {
    double e = has_limit ? fabs(x[i] - limit) : fabs(x[i + 1] - x[i]);
    if (e == 0) {
      if (strict) {
        if (has_limit)
          call_error(a, "row %zu equals the limit, so its error has no logarithm; leave it out", rows[i] + 1);
        else
          call_error(a, "rows %zu and %zu are equal, so their difference has no logarithm; leave the converged terms out",
                     rows[i] + 1, rows[i + 1] + 1);
        ok = false;
      }
      defined = false;
    }
    k[i] = (double)(i + 1);
    le[i] = log(e);
  }
  if (ok && defined) *rate = exp(stats_fit_line(k, le, ne).slope);
  free(x);
  free(k);
  free(le);
  return ok;
}

/* geom_rate(t, y, limit=, by=): a number, or with by= a table of the keys, rate and n */
Value table_geom_rate(Args *a) {
  const char *usage = "geom_rate(t, y=\"col\", limit=, by=)";
  Table *t = AS_TABLE(a->v[0]);
  if (!table_method_args(a, 1, 2, "y limit by", usage)) return v_abrupt();
  Value yv;
  const Span *ys;
  double limit = 0;
  bool has_limit;
  if (!table_param(a, 1, "y", &yv, &ys) || !kw_num(a, "limit", &limit, &has_limit)) return v_abrupt();
  if (IS_NIL(yv)) return call_error(a, "name the column of the sequence: %s", usage);
  int c = table_col_of(a, t, yv, ys, "y=");
  if (c < 0) return v_abrupt();
  int *keys = NULL, nk = 0;
  const Value *by = kw_get(a, "by");
  if (by && !table_cols_of(a, t, *by, kw_span(a, "by"), "by=", false, &keys, &nk)) return v_abrupt();
  TableGroups g;
  table_grouping(t, keys, nk, &g);
  Value r;
  if (!by) {
    double rate;
    r = rate_rows(a, t, c, g.order, t->nrows, has_limit, limit, true, &rate) ? v_num(rate) : v_abrupt();
  } else {
    Table *out = table_group_keys(t, keys, nk, &g);
    bool ok = table_new_col(a, out, "rate") >= 0 && table_new_col(a, out, "n") >= 0;
    for (size_t q = 0; q < g.n && ok; q++) {
      size_t n = g.start[q + 1] - g.start[q];
      ok = rate_rows(a, t, c, g.order + g.start[q], n, has_limit, limit, false, &out->cols[nk].num[q]);
      out->cols[nk + 1].num[q] = (double)n;
    }
    if (ok) r = v_obj(out);
    else {
      val_release(v_obj(out));
      r = v_abrupt();
    }
  }
  table_grouping_free(&g);
  free(keys);
  return r;
}

static const Builtin table_fit_builtins[] = {
  {"fit", bi_fit, 1, 3, "x y scale by", "fit(t, x=, y=, scale=\"linear\", by=)",
   "least-squares lines of column y against column x per group of by=: a table of the keys, slope, se_slope, intercept, se_intercept, r2, n; scale= \"loglog\", \"semilogx\", \"semilogy\" fit logarithms", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_table_fit = {"table_fit", table_fit_builtins};
