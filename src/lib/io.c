/* lib/io.c - CSV and JSON input and output, and temporary files.
 *
 * CSV goes through libcsv (RFC 4180 quoting) and JSON through jansson; this file maps their data
 * to DLT values and back (docs/library/io.md has the rules). Paths are relative to the working
 * directory. Every error names the builtin and the file, and for malformed input the line.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>
#include <jansson.h>

#include "../arith.h"
#include "../builtin.h"
#include "../interp.h"
#include "../print.h"
#include "../strbuf.h"
#include "../utf8.h"
#include "table.h"

/* fopen for reading that refuses directories (which Linux would open and then fail to read) */
static FILE *open_read(Args *a, const char *path) {
  FILE *f = fopen(path, "rb");
  int err = errno;
  struct stat st;
  if (f && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    fclose(f);
    f = NULL;
    err = EISDIR;
  }
  if (!f) arg_error(a, 0, "cannot open '%s': %s", path, strerror(err));
  return f;
}

/* Write the whole buffer to path, replacing it. false after an error. */
static bool write_file(Args *a, const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) {
    arg_error(a, 0, "cannot open '%s' for writing: %s", path, strerror(errno));
    return false;
  }
  size_t put = fwrite(data, 1, len, f);
  int err = put == len ? 0 : errno;
  if (fclose(f) != 0 && err == 0) err = errno;
  if (put != len && err == 0) err = EIO;
  if (err) {
    arg_error(a, 0, "error writing '%s': %s", path, strerror(err));
    return false;
  }
  return true;
}

/* ================================================================== CSV reading */

typedef struct Row {
  char **cells;
  size_t n;
  unsigned line; /* where the row starts */
} Row;

typedef struct CsvRead {
  Row *rows;
  size_t nrows, caprows;
  Row cur;
  size_t capcur;
  unsigned line, row_line; /* the line being fed; where the current row started */
  bool empty_is_null;       /* read_table: unquoted empty fields (missing) are NULL cells, "" is "" */
  /* the first cell that cannot be read: a NUL byte, bytes that are not UTF-8, a number past the
   * range of a double */
  enum { CELL_OK, CELL_NUL, CELL_NOT_UTF8, CELL_TOO_LARGE } bad;
  unsigned bad_line;
  size_t bad_field;
  unsigned char bad_byte;
  char *bad_text;
} CsvRead;

/* a cell strtod reads completely but only as an overflow to ±inf ("1e999"; "inf" itself is fine) */
static bool cell_too_large(const char *s) {
  char *end;
  errno = 0;
  double x = strtod(s, &end);
  return *s && *end == '\0' && errno == ERANGE && isinf(x);
}

static void check_cell(CsvRead *st, const char *s, size_t len) {
  if (st->bad || !s) return;
  unsigned char byte = 0;
  size_t not_utf8 = utf8_invalid_at(s, len);
  if (memchr(s, '\0', len)) st->bad = CELL_NUL;
  else if (not_utf8 < len) {
    byte = (unsigned char)s[not_utf8];
    st->bad = CELL_NOT_UTF8;
  } else if (len < 400 && cell_too_large(s)) st->bad = CELL_TOO_LARGE;
  else return;
  st->bad_line = st->row_line;
  st->bad_field = st->cur.n + 1;
  st->bad_byte = byte;
  if (st->bad == CELL_TOO_LARGE) st->bad_text = dlt_xstrdup(s);
}

static void on_field(void *s, size_t len, void *data) {
  CsvRead *st = data;
  if (st->cur.n == 0) st->cur.line = st->row_line;
  if (st->cur.n == st->capcur) {
    st->capcur = st->capcur ? 2 * st->capcur : 8;
    st->cur.cells = dlt_xrealloc(st->cur.cells, st->capcur * sizeof(char *));
  }
  char *c = NULL;
  if (s || !st->empty_is_null) { /* empty_is_null: an unquoted empty field stays NULL */
    c = dlt_xmalloc(len + 1);
    memcpy(c, s ? s : "", len);
    c[len] = '\0';
  }
  check_cell(st, c, len);
  st->cur.cells[st->cur.n++] = c;
}

static void on_row(int c, void *data) {
  (void)c;
  CsvRead *st = data;
  if (st->nrows == st->caprows) {
    st->caprows = st->caprows ? 2 * st->caprows : 64;
    st->rows = dlt_xrealloc(st->rows, st->caprows * sizeof(Row));
  }
  st->rows[st->nrows++] = st->cur;
  st->cur.cells = NULL;
  st->cur.n = 0;
  st->capcur = 0;
}

static void row_free(Row *r) {
  for (size_t j = 0; j < r->n; j++) free(r->cells[j]);
  free(r->cells);
}

static void csv_read_free(CsvRead *st) {
  for (size_t i = 0; i < st->nrows; i++) row_free(&st->rows[i]);
  free(st->rows);
  row_free(&st->cur);
  free(st->bad_text);
}

/* The error for the first cell check_cell refused; false. */
static bool csv_bad_cell(Args *a, const char *path, const CsvRead *st) {
  if (st->bad == CELL_NUL)
    arg_error(a, 0, "%s:%u:%zu: a NUL byte: this is not a text file", path, st->bad_line, st->bad_field);
  else if (st->bad == CELL_NOT_UTF8)
    arg_error(a, 0, "%s:%u:%zu: not UTF-8 text (a byte 0x%02X); convert the file, e.g. iconv -f latin1 -t utf-8", path,
              st->bad_line, st->bad_field, st->bad_byte);
  else
    arg_error(a, 0, "%s:%u:%zu: %s is too large for a number (the largest is about 1.8e308)", path, st->bad_line,
              st->bad_field, st->bad_text);
  return false;
}

/* libcsv's parser state between rows (its ROW_NOT_BEGUN) */
#define CSV_BETWEEN_ROWS 0

/* Parse the whole file into rows of strings, feeding libcsv one line at a time so that rows know
 * their line numbers. false after an error (malformed quoting, read failure). */
static bool csv_slurp(Args *a, const char *path, FILE *f, CsvRead *st) {
  struct csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | (st->empty_is_null ? CSV_EMPTY_IS_NULL : 0)) != 0) {
    call_error(a, "out of memory");
    return false;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  bool ok = true;
  while (ok && (len = getline(&line, &cap, f)) >= 0) {
    st->line++;
    const char *s = line;
    if (st->line == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, len -= 3; /* a UTF-8 BOM */
    if (p.pstate == CSV_BETWEEN_ROWS) st->row_line = st->line;
    if (csv_parse(&p, s, (size_t)len, on_field, on_row, st) != (size_t)len) {
      if (csv_error(&p) == CSV_EPARSE)
        arg_error(a, 0, "%s:%u: malformed quoting: a quote inside an unquoted field, or text after a closing quote",
                  path, st->line);
      else
        call_error(a, "out of memory");
      ok = false;
    }
    if (ok && st->bad) ok = csv_bad_cell(a, path, st);
  }
  if (ok && ferror(f)) {
    arg_error(a, 0, "error reading '%s': %s", path, strerror(errno));
    ok = false;
  }
  if (ok && csv_fini(&p, on_field, on_row, st) != 0) {
    arg_error(a, 0, "%s:%u: a quoted field opened on this line is not closed by the end of the file", path, st->row_line);
    ok = false;
  }
  if (ok && st->bad) ok = csv_bad_cell(a, path, st);
  free(line);
  csv_free(&p);
  return ok;
}

/* a cell as a number: empty and NA are missing (nan); otherwise all of it must be a number */
static bool cell_number(const char *s, double *out) {
  if (*s == '\0' || strcmp(s, "NA") == 0) {
    *out = NAN;
    return true;
  }
  char *end;
  *out = strtod(s, &end);
  return *end == '\0' && !(s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) && !isspace((unsigned char)s[0]);
}

static bool cell_is_missing(const char *s) { return *s == '\0' || strcmp(s, "NA") == 0; }

/* column names: the header's cells (an empty one becomes cJ), or c1, c2, ... */
static char **column_names(Args *a, const char *path, const CsvRead *st, bool header, size_t ncols) {
  char **names = dlt_xmalloc((ncols ? ncols : 1) * sizeof(char *));
  for (size_t j = 0; j < ncols; j++) {
    const char *h = header ? st->rows[0].cells[j] : "";
    names[j] = *h ? dlt_xstrdup(h) : NULL;
    if (!names[j]) {
      StrBuf b = STRBUF_INIT;
      sb_printf(&b, "c%zu", j + 1);
      names[j] = sb_take(&b);
    }
    for (size_t k = 0; k < j; k++)
      if (strcmp(names[k], names[j]) == 0) {
        arg_error(a, 0, "%s:%u: the column name '%s' appears twice (columns %zu and %zu)", path,
                  header ? st->rows[0].line : 0, names[j], k + 1, j + 1);
        for (size_t i = 0; i <= j; i++) free(names[i]);
        free(names);
        return NULL;
      }
  }
  return names;
}

/* column j of the data rows as a number vector, or a list of strings when no cell is a number;
 * a column mixing the two is an error at its first non-number */
static Value csv_column(Args *a, const char *path, const CsvRead *st, size_t first, size_t j, const char *name) {
  size_t n = st->nrows - first, numbers = 0, text = 0, first_text = 0;
  double x;
  for (size_t i = first; i < st->nrows; i++) {
    const char *s = st->rows[i].cells[j];
    if (cell_is_missing(s)) continue;
    if (cell_number(s, &x)) {
      numbers++;
    } else if (text++ == 0) {
      first_text = i;
    }
  }
  if (text > 0 && numbers > 0) {
    const Row *r = &st->rows[first_text];
    return arg_error(a, 0, "%s:%u:%zu: column '%s' mixes numbers and text: \"%s\" is not a number", path, r->line, j + 1,
                     name, r->cells[j]);
  }
  if (text > 0) {
    Value l = list_new(n);
    for (size_t i = first; i < st->nrows; i++) list_push(AS_LIST(l), str_from(st->rows[i].cells[j]));
    return l;
  }
  Mat *m = mat_alloc(n, 1);
  if (!m) return dlt_error_oom(a->I, a->call, n, 1);
  for (size_t i = first; i < st->nrows; i++) cell_number(st->rows[i].cells[j], &m->data[i - first]);
  return v_obj(m);
}

/* every data cell as one rows×cols matrix */
static Value csv_matrix(Args *a, const char *path, const CsvRead *st, size_t first, size_t ncols) {
  size_t n = st->nrows - first;
  Mat *m = mat_alloc(n, ncols);
  if (!m) return dlt_error_oom(a->I, a->call, n, ncols);
  for (size_t i = first; i < st->nrows; i++)
    for (size_t j = 0; j < ncols; j++)
      if (!cell_number(st->rows[i].cells[j], &m->data[(i - first) * ncols + j])) {
        val_release(v_obj(m));
        return arg_error(a, 0, "%s:%u:%zu: \"%s\" is not a number (matrix=true needs numbers only)", path,
                         st->rows[i].line, j + 1, st->rows[i].cells[j]);
      }
  return v_obj(m);
}

static Value csv_build(Args *a, const char *path, CsvRead *st, bool header, bool as_matrix) {
  if (header && st->nrows == 0) return arg_error(a, 0, "'%s' is empty: there is no header line", path);
  size_t ncols = st->nrows ? st->rows[0].n : 0;
  for (size_t i = 1; i < st->nrows; i++)
    if (st->rows[i].n != ncols)
      return arg_error(a, 0, "%s:%u: expected %zu field%s, got %zu", path, st->rows[i].line, ncols,
                       ncols == 1 ? "" : "s", st->rows[i].n);
  size_t first = header ? 1 : 0;
  if (as_matrix) return csv_matrix(a, path, st, first, ncols);
  char **names = column_names(a, path, st, header, ncols);
  if (!names) return v_abrupt();
  Value r = record_new();
  for (size_t j = 0; j < ncols && !IS_ABRUPT(r); j++) {
    Value col = csv_column(a, path, st, first, j, names[j]);
    if (IS_ABRUPT(col)) {
      val_release(r);
      r = col;
    } else {
      record_set(AS_RECORD(r), names[j], col);
    }
  }
  for (size_t j = 0; j < ncols; j++) free(names[j]);
  free(names);
  return r;
}

static Value bi_read_csv(Args *a) {
  const char *path;
  bool header, as_matrix;
  if (!arg_str(a, 0, &path) || !kw_bool(a, "header", true, &header) || !kw_bool(a, "matrix", false, &as_matrix))
    return v_abrupt();
  FILE *f = open_read(a, path);
  if (!f) return v_abrupt();
  CsvRead st;
  memset(&st, 0, sizeof st);
  bool ok = csv_slurp(a, path, f, &st);
  fclose(f);
  Value r = ok ? csv_build(a, path, &st, header, as_matrix) : v_abrupt();
  csv_read_free(&st);
  return r;
}

/* ================================================================== CSV writing */

/* RFC 4180: a field with a comma, quote, line break or edge space is quoted, quotes doubled */
static void csv_put_text(StrBuf *b, const char *s) {
  size_t n = strlen(s);
  bool quote = strpbrk(s, ",\"\r\n") != NULL || (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'));
  if (!quote) {
    sb_puts(b, s);
    return;
  }
  sb_putc(b, '"');
  for (; *s; s++) {
    if (*s == '"') sb_putc(b, '"');
    sb_putc(b, *s);
  }
  sb_putc(b, '"');
}

/* The text fmt_num (print.h) gives a finite number, the shortest that reads back as the same
 * double, found by a binary search over the number of significant digits (reading back exactly
 * is monotone in them) instead of trying 1, 2, ..., 17: files of random doubles, which need 16
 * or 17, are written several times faster. */
static void put_shortest(StrBuf *b, double x) {
  if (x == 0 || !isfinite(x)) {
    fmt_num(b, x);
    return;
  }
  if (x == floor(x) && fabs(x) < 1e15) { /* what fmt_num prints for an integer below 10^16 */
    sb_printf(b, "%lld", (long long)x);
    return;
  }
  char buf[64];
  int lo = 1, hi = 17, last = 16; /* last: the digits buf holds */
  snprintf(buf, sizeof buf, "%.*e", 15, x); /* most measured doubles need 16 or 17 */
  if (strtod(buf, NULL) == x) hi = 16;
  else lo = 17;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    snprintf(buf, sizeof buf, "%.*e", mid - 1, x);
    last = mid;
    if (strtod(buf, NULL) == x) hi = mid;
    else lo = mid + 1;
  }
  if (last != lo) snprintf(buf, sizeof buf, "%.*e", lo - 1, x);
  int exp10 = atoi(strchr(buf, 'e') + 1);
  if (exp10 >= -4 && exp10 < 16) {
    int decimals = lo - 1 - exp10;
    snprintf(buf, sizeof buf, "%.*f", decimals > 0 ? decimals : 0, x);
  }
  sb_puts(b, buf);
}

/* shortest text that reads back as the same double; nan is an empty (missing) cell */
static void csv_put_num(StrBuf *b, double x) {
  if (isnan(x)) return;
  if (isinf(x)) {
    sb_puts(b, x > 0 ? "inf" : "-inf");
    return;
  }
  put_shortest(b, x);
}

/* One column to write: numbers (a vector) or the items of a list. */
typedef struct Column {
  const char *name;
  Value mat;        /* a number vector, or nil */
  const List *list; /* or a list of numbers, strings, bools and nils */
  size_t n;
} Column;

static void csv_put_cell(StrBuf *b, const Column *c, size_t i) {
  if (c->list) {
    Value v = c->list->items[i];
    if (IS_NUM(v)) csv_put_num(b, AS_NUM(v));
    else if (IS_STR(v)) csv_put_text(b, AS_STR(v)->s);
    else if (IS_BOOL(v)) sb_puts(b, AS_BOOL(v) ? "true" : "false");
  } else {
    csv_put_num(b, AS_MAT(c->mat)->data[i]);
  }
}

/* a record field as a column, checked; false after an error */
static bool csv_column_of(Args *a, const char *name, Value v, Column *c) {
  c->name = name;
  c->mat = v_nil();
  c->list = NULL;
  if (IS_LIST(v)) {
    c->list = AS_LIST(v);
    c->n = c->list->n;
    for (size_t i = 0; i < c->n; i++) {
      Value x = c->list->items[i];
      if (!(IS_NUM(x) || IS_STR(x) || IS_BOOL(x) || IS_NIL(x))) {
        arg_error(a, 1, "column '%s' holds a %s at position %zu; a cell must be a number, string, bool or nil", name,
                  val_type_name(x), i + 1);
        return false;
      }
    }
    return true;
  }
  if (!(IS_MAT(v) || IS_NUM(v) || IS_BOOL(v) || IS_RANGE(v))) {
    arg_error(a, 1, "column '%s' must be a vector or a list, got a %s", name, val_type_name(v));
    return false;
  }
  c->mat = val_as_mat(a->I, v, arg_span(a, 1), "a column");
  if (IS_ABRUPT(c->mat)) return false;
  const Mat *m = AS_MAT(c->mat);
  if (!mat_is_vector(m) && mat_numel(m) != 0) {
    arg_error(a, 1, "column '%s' must be a vector, got a %zu×%zu matrix", name, mat_rows(m), mat_cols(m));
    val_release(c->mat);
    return false;
  }
  c->n = mat_numel(m);
  return true;
}

/* header=: true (the names), false (no header line) or a list of names, one per column */
static bool csv_header(Args *a, size_t ncols, bool *write, const List **names) {
  const Value *h = kw_get(a, "header");
  *write = true;
  *names = NULL;
  if (!h) return true;
  if (IS_BOOL(*h)) {
    *write = AS_BOOL(*h);
    return true;
  }
  if (!IS_LIST(*h)) {
    kw_error(a, "header", "header= must be true, false or a list of column names, got a %s", val_type_name(*h));
    return false;
  }
  const List *l = AS_LIST(*h);
  if (l->n != ncols) {
    kw_error(a, "header", "header= has %zu name%s but the data has %zu column%s", l->n, l->n == 1 ? "" : "s", ncols,
             ncols == 1 ? "" : "s");
    return false;
  }
  for (size_t i = 0; i < l->n; i++)
    if (!IS_STR(l->items[i])) {
      kw_error(a, "header", "header= must hold strings, but item %zu is a %s", i + 1, val_type_name(l->items[i]));
      return false;
    }
  *names = l;
  return true;
}

static void csv_emit(StrBuf *b, const Column *cols, size_t ncols, size_t nrows, bool header, const List *names) {
  if (header && ncols > 0) {
    for (size_t j = 0; j < ncols; j++) {
      if (j) sb_putc(b, ',');
      csv_put_text(b, names ? AS_STR(names->items[j])->s : cols[j].name);
    }
    sb_putc(b, '\n');
  }
  for (size_t i = 0; i < nrows; i++) {
    for (size_t j = 0; j < ncols; j++) {
      if (j) sb_putc(b, ',');
      csv_put_cell(b, &cols[j], i);
    }
    sb_putc(b, '\n');
  }
}

/* the columns of a record: each one checked, all of one length */
static Column *record_columns(Args *a, const Record *r, size_t *nrows) {
  Column *cols = dlt_xmalloc((r->n ? r->n : 1) * sizeof(Column));
  for (size_t j = 0; j < r->n; j++) {
    bool ok = csv_column_of(a, r->keys[j]->s, r->vals[j], &cols[j]);
    if (ok && j > 0 && cols[j].n != cols[0].n) {
      arg_error(a, 1, "column '%s' has %zu value%s but column '%s' has %zu", cols[j].name, cols[j].n,
                cols[j].n == 1 ? "" : "s", cols[0].name, cols[0].n);
      val_release(cols[j].mat);
      ok = false;
    }
    if (!ok) {
      while (j-- > 0) val_release(cols[j].mat);
      free(cols);
      return NULL;
    }
  }
  *nrows = r->n ? cols[0].n : 0;
  return cols;
}

/* A table as CSV: a header line (unless header=false; header= a list renames), then one line per
 * row. Numbers in the shortest form that reads back exactly; strings quoted when RFC 4180 needs it
 * (and "" for the empty string); bools TRUE/FALSE; a missing cell is an empty field in a column
 * of numbers and NA in any other (R reads an empty field of text as the empty string; pandas reads
 * both as missing). false after an error (a cell CSV cannot hold). */
static bool csv_table(Args *a, const Table *t, StrBuf *b) {
  bool header;
  const List *names;
  if (!csv_header(a, (size_t)t->ncols, &header, &names)) return false;
  if (header && t->ncols > 0) {
    for (int j = 0; j < t->ncols; j++) {
      if (j) sb_putc(b, ',');
      csv_put_text(b, names ? AS_STR(names->items[j])->s : t->cols[j].name);
    }
    sb_putc(b, '\n');
  }
  for (size_t i = 0; i < t->nrows; i++) {
    for (int j = 0; j < t->ncols; j++) {
      if (j) sb_putc(b, ',');
      if (t->cols[j].kind == COL_NUM) {
        csv_put_num(b, t->cols[j].num[i]);
        continue;
      }
      Value v = t->cols[j].any[i];
      if (IS_NUM(v) && !isnan(AS_NUM(v))) csv_put_num(b, AS_NUM(v));
      else if (IS_STR(v) && AS_STR(v)->len == 0) sb_puts(b, "\"\""); /* not missing */
      else if (IS_STR(v)) csv_put_text(b, AS_STR(v)->s);
      else if (IS_BOOL(v)) sb_puts(b, AS_BOOL(v) ? "TRUE" : "FALSE"); /* R reads only these (and T, F) */
      else if (IS_NIL(v) || IS_NUM(v)) sb_puts(b, "NA"); /* R reads an empty field of text as "" */
      else {
        arg_error(a, 1, "column '%s' holds a %s in row %zu; a CSV cell is a number, string, bool or missing "
                  "(write_json keeps such values)", t->cols[j].name, val_type_name(v), i + 1);
        return false;
      }
    }
    sb_putc(b, '\n');
  }
  return true;
}

static Value bi_write_csv(Args *a) {
  const char *path;
  if (!arg_str(a, 0, &path)) return v_abrupt();
  Value data = a->v[1];
  StrBuf b = STRBUF_INIT;
  bool header;
  const List *names;
  if (IS_TABLE(data)) {
    if (!csv_table(a, AS_TABLE(data), &b)) {
      sb_free(&b);
      return v_abrupt();
    }
  } else if (IS_RECORD(data)) {
    const Record *r = AS_RECORD(data);
    size_t nrows;
    Column *cols = record_columns(a, r, &nrows);
    if (!cols) return v_abrupt();
    bool ok = csv_header(a, r->n, &header, &names);
    if (ok) csv_emit(&b, cols, r->n, nrows, header, names);
    for (size_t j = 0; j < r->n; j++) val_release(cols[j].mat);
    free(cols);
    if (!ok) return v_abrupt();
  } else if (IS_MAT(data) || IS_RANGE(data)) {
    Value m;
    if (!arg_mat(a, 1, &m)) return v_abrupt();
    const Mat *x = AS_MAT(m);
    size_t R = mat_rows(x), C = mat_cols(x);
    if (!csv_header(a, C, &header, &names)) {
      val_release(m);
      return v_abrupt();
    }
    if (header && C > 0) {
      for (size_t j = 0; j < C; j++) {
        if (j) sb_putc(&b, ',');
        if (names) csv_put_text(&b, AS_STR(names->items[j])->s);
        else sb_printf(&b, "c%zu", j + 1);
      }
      sb_putc(&b, '\n');
    }
    for (size_t i = 0; i < R; i++) {
      for (size_t j = 0; j < C; j++) {
        if (j) sb_putc(&b, ',');
        csv_put_num(&b, x->data[i * C + j]);
      }
      sb_putc(&b, '\n');
    }
    val_release(m);
  } else {
    return arg_error(a, 1, "the data must be a table, a record of columns or a matrix, got a %s", val_type_name(data));
  }
  bool ok = write_file(a, path, b.s ? b.s : "", b.len);
  sb_free(&b);
  return ok ? v_nil() : v_abrupt();
}

/* ================================================================== JSON */

/* A numeric array (all numbers, at least one) as a column vector, and an array of such arrays of
 * one length as a matrix with them as rows; NULL (no error) when the array is not of that form. */
static bool json_numbers(const json_t *arr) {
  size_t n = json_array_size(arr);
  for (size_t i = 0; i < n; i++)
    if (!json_is_number(json_array_get(arr, i))) return false;
  return n > 0;
}

static Value json_matrix(Args *a, const json_t *arr, bool *is_matrix) {
  size_t n = json_array_size(arr), cols = 0;
  *is_matrix = false;
  bool vector = json_numbers(arr), rows = n > 0 && !vector;
  for (size_t i = 0; i < n && rows; i++) {
    const json_t *row = json_array_get(arr, i);
    rows = json_is_array(row) && json_numbers(row) && (i == 0 || json_array_size(row) == cols);
    if (i == 0) cols = json_array_size(row);
  }
  if (!vector && !rows) return v_nil();
  *is_matrix = true;
  size_t R = n, C = vector ? 1 : cols;
  Mat *m = mat_alloc(R, C);
  if (!m) return dlt_error_oom(a->I, a->call, R, C);
  for (size_t i = 0; i < R; i++)
    for (size_t j = 0; j < C; j++)
      m->data[i * C + j] = json_number_value(vector ? json_array_get(arr, i) : json_array_get(json_array_get(arr, i), j));
  return v_obj(m);
}

static Value from_json(Args *a, const json_t *j, bool matrices) {
  switch (json_typeof(j)) {
  case JSON_OBJECT: {
    Value r = record_new();
    const char *key;
    json_t *item;
    json_object_foreach((json_t *)j, key, item) {
      Value v = from_json(a, item, matrices);
      if (IS_ABRUPT(v)) {
        val_release(r);
        return v;
      }
      record_set(AS_RECORD(r), key, v);
    }
    return r;
  }
  case JSON_ARRAY: {
    if (matrices) {
      bool is_matrix;
      Value m = json_matrix(a, j, &is_matrix);
      if (is_matrix || IS_ABRUPT(m)) return m;
    }
    size_t n = json_array_size(j);
    Value l = list_new(n);
    for (size_t i = 0; i < n; i++) {
      Value v = from_json(a, json_array_get(j, i), matrices);
      if (IS_ABRUPT(v)) {
        val_release(l);
        return v;
      }
      list_push(AS_LIST(l), v);
    }
    return l;
  }
  case JSON_STRING: return str_new(json_string_value(j), json_string_length(j));
  case JSON_INTEGER:
  case JSON_REAL: return v_num(json_number_value(j));
  case JSON_TRUE: return v_bool(true);
  case JSON_FALSE: return v_bool(false);
  case JSON_NULL: break;
  }
  return v_nil();
}

static Value bi_read_json(Args *a) {
  const char *path;
  bool matrices;
  if (!arg_str(a, 0, &path) || !kw_bool(a, "matrices", false, &matrices)) return v_abrupt();
  FILE *f = open_read(a, path);
  if (!f) return v_abrupt();
  json_error_t err;
  json_t *root = json_loadf(f, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &err);
  fclose(f);
  if (!root) return arg_error(a, 0, "%s:%d:%d: %s", path, err.line, err.column, err.text);
  Value v = from_json(a, root, matrices);
  json_decref(root);
  return v;
}

#define JSON_MAX_DEPTH 1000

/* Converting a value to JSON: `where` is the path to the part being converted (".a[2]"), for
 * messages; `digits` the most significant digits any number needs to read back exactly. */
typedef struct ToJson {
  Args *a;
  StrBuf where;
  int digits;
} ToJson;

static json_t *json_num(ToJson *t, double x) {
  if (!isfinite(x)) return json_null(); /* JSON has no nan or inf */
  if (x == floor(x) && fabs(x) < 9007199254740992.0 && !(x == 0 && signbit(x))) return json_integer((json_int_t)x);
  for (int d = 1; d <= 17; d++) {
    char buf[40];
    snprintf(buf, sizeof buf, "%.*g", d, x);
    if (strtod(buf, NULL) == x) {
      if (d > t->digits) t->digits = d;
      break;
    }
  }
  return json_real(x);
}

static const char *where_text(ToJson *t) { return t->where.len ? sb_cstr(&t->where) : "the top level"; }

static json_t *to_json(ToJson *t, Value v, int depth);
static json_t *json_of_table(ToJson *t, const Table *tab, int depth);

static json_t *json_of_mat(ToJson *t, const Mat *m) {
  size_t R = mat_rows(m), C = mat_cols(m);
  json_t *arr = json_array();
  if (mat_is_vector(m)) {
    for (size_t i = 0; i < R * C; i++) json_array_append_new(arr, json_num(t, m->data[i]));
    return arr;
  }
  for (size_t i = 0; i < R; i++) {
    json_t *row = json_array();
    for (size_t j = 0; j < C; j++) json_array_append_new(row, json_num(t, m->data[i * C + j]));
    json_array_append_new(arr, row);
  }
  return arr;
}

static json_t *json_of_container(ToJson *t, Value v, int depth) {
  size_t mark = t->where.len;
  bool is_list = IS_LIST(v);
  json_t *out = is_list ? json_array() : json_object();
  size_t n = is_list ? AS_LIST(v)->n : AS_RECORD(v)->n;
  for (size_t i = 0; i < n; i++) {
    if (is_list) sb_printf(&t->where, "[%zu]", i + 1);
    else sb_printf(&t->where, ".%s", AS_RECORD(v)->keys[i]->s);
    json_t *item = to_json(t, is_list ? AS_LIST(v)->items[i] : AS_RECORD(v)->vals[i], depth + 1);
    if (!item) {
      json_decref(out);
      return NULL;
    }
    sb_truncate(&t->where, mark);
    if (is_list) json_array_append_new(out, item);
    else json_object_set_new(out, AS_RECORD(v)->keys[i]->s, item);
  }
  return out;
}

/* a table as an array of row objects {column: value}: pandas.read_json(orient="records") and R's
 * jsonlite::fromJSON read it as a data frame; missing cells are null */
static json_t *json_of_table(ToJson *t, const Table *tab, int depth) {
  size_t mark = t->where.len;
  json_t *out = json_array();
  for (size_t i = 0; i < tab->nrows; i++) {
    json_t *row = json_object();
    for (int j = 0; j < tab->ncols; j++) {
      json_t *item;
      if (tab->cols[j].kind == COL_NUM) item = json_num(t, tab->cols[j].num[i]);
      else {
        sb_printf(&t->where, "[%zu].%s", i + 1, tab->cols[j].name);
        item = to_json(t, tab->cols[j].any[i], depth + 1);
        sb_truncate(&t->where, mark);
      }
      if (!item) {
        json_decref(row);
        json_decref(out);
        return NULL;
      }
      json_object_set_new(row, tab->cols[j].name, item);
    }
    json_array_append_new(out, row);
  }
  return out;
}

/* NULL after an error */
static json_t *to_json(ToJson *t, Value v, int depth) {
  if (depth > JSON_MAX_DEPTH) {
    arg_error(t->a, 1, "the value is nested more than %d levels deep", JSON_MAX_DEPTH);
    return NULL;
  }
  if (IS_NIL(v)) return json_null();
  if (IS_BOOL(v)) return json_boolean(AS_BOOL(v));
  if (IS_NUM(v)) return json_num(t, AS_NUM(v));
  if (IS_STR(v)) {
    json_t *s = json_stringn(AS_STR(v)->s, AS_STR(v)->len);
    if (!s) arg_error(t->a, 1, "the string at %s is not valid UTF-8", where_text(t));
    return s;
  }
  if (IS_LIST(v) || IS_RECORD(v)) return json_of_container(t, v, depth);
  if (IS_TABLE(v)) return json_of_table(t, AS_TABLE(v), depth);
  if (IS_MAT(v) || IS_RANGE(v)) {
    Value m = val_as_mat(t->a->I, v, arg_span(t->a, 1), "the value");
    if (IS_ABRUPT(m)) return NULL;
    json_t *arr = json_of_mat(t, AS_MAT(m));
    val_release(m);
    return arr;
  }
  arg_error(t->a, 1, "cannot write a %s as JSON (at %s)", val_type_name(v), where_text(t));
  return NULL;
}

/* JSON text of one string (quoted, escaped); false after an error (not UTF-8) */
static bool json_text(ToJson *t, const char *s, size_t len, StrBuf *b) {
  json_t *j = json_stringn(s, len);
  char *text = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
  json_decref(j);
  if (!text) {
    arg_error(t->a, 1, "the string at %s is not valid UTF-8", where_text(t));
    return false;
  }
  sb_puts(b, text);
  free(text);
  return true;
}

static bool table_json_rows(ToJson *t, const Table *tab, int indent, StrBuf *keys, StrBuf *b);

/* A table at the top level, written by hand rather than through jansson so that every number is
 * in its own shortest exact form ("0.1", "1e-20"): an array of row objects, one row per line
 * (indent > 0) or all on one line. */
static bool table_json_text(ToJson *t, const Table *tab, int indent, StrBuf *b) {
  StrBuf *keys = dlt_xmalloc((size_t)(tab->ncols ? tab->ncols : 1) * sizeof(StrBuf)); /* "name": */
  for (int j = 0; j < tab->ncols; j++) keys[j] = (StrBuf)STRBUF_INIT;
  bool ok = true;
  for (int j = 0; j < tab->ncols && ok; j++) {
    sb_printf(&t->where, "the name of column %d", j + 1);
    ok = json_text(t, tab->cols[j].name, strlen(tab->cols[j].name), &keys[j]);
    sb_truncate(&t->where, 0);
    sb_puts(&keys[j], indent > 0 ? ": " : ":");
  }
  if (ok) ok = table_json_rows(t, tab, indent, keys, b);
  for (int j = 0; j < tab->ncols; j++) sb_free(&keys[j]);
  free(keys);
  return ok;
}

static bool table_json_rows(ToJson *t, const Table *tab, int indent, StrBuf *keys, StrBuf *b) {
  sb_putc(b, '[');
  for (size_t i = 0; i < tab->nrows; i++) {
    if (i) sb_putc(b, ',');
    if (indent > 0) {
      sb_putc(b, '\n');
      sb_pad(b, ' ', (size_t)indent);
    }
    sb_putc(b, '{');
    for (int j = 0; j < tab->ncols; j++) {
      if (j) sb_puts(b, indent > 0 ? ", " : ",");
      sb_puts(b, sb_cstr(&keys[j]));
      Value v = tab->cols[j].kind == COL_NUM ? v_num(tab->cols[j].num[i]) : tab->cols[j].any[i];
      if (!IS_NUM(v)) sb_printf(&t->where, "[%zu].%s", i + 1, tab->cols[j].name);
      if (IS_NUM(v)) {
        if (isfinite(AS_NUM(v))) put_shortest(b, AS_NUM(v));
        else sb_puts(b, "null"); /* JSON has no nan or inf */
      } else if (IS_STR(v)) {
        if (!json_text(t, AS_STR(v)->s, AS_STR(v)->len, b)) return false;
      } else if (IS_BOOL(v)) {
        sb_puts(b, AS_BOOL(v) ? "true" : "false");
      } else if (IS_NIL(v)) {
        sb_puts(b, "null");
      } else {
        json_t *item = to_json(t, v, 1);
        char *text = item ? json_dumps(item, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(t->digits)) : NULL;
        json_decref(item);
        if (!text) {
          if (item) call_error(t->a, "out of memory");
          return false;
        }
        sb_puts(b, text);
        free(text);
      }
      sb_truncate(&t->where, 0);
    }
    sb_putc(b, '}');
  }
  if (indent > 0 && tab->nrows) sb_putc(b, '\n');
  sb_puts(b, "]\n");
  return true;
}

static Value bi_write_json(Args *a) {
  const char *path;
  double indent = 2;
  bool present;
  if (!arg_str(a, 0, &path) || !kw_num(a, "indent", &indent, &present)) return v_abrupt();
  if (!(indent >= 0 && indent <= 31 && indent == floor(indent)))
    return kw_error(a, "indent", "indent= must be a whole number from 0 to 31, got %g", indent);
  ToJson t = {a, STRBUF_INIT, 1};
  if (IS_TABLE(a->v[1])) {
    StrBuf b = STRBUF_INIT;
    t.digits = 17;
    bool ok = table_json_text(&t, AS_TABLE(a->v[1]), (int)indent, &b) && write_file(a, path, sb_cstr(&b), b.len);
    sb_free(&b);
    sb_free(&t.where);
    return ok ? v_nil() : v_abrupt();
  }
  json_t *root = to_json(&t, a->v[1], 0);
  sb_free(&t.where);
  if (!root) return v_abrupt();
  size_t flags = JSON_ENCODE_ANY | JSON_REAL_PRECISION(t.digits) | (indent > 0 ? JSON_INDENT((size_t)indent) : JSON_COMPACT);
  char *text = json_dumps(root, flags);
  json_decref(root);
  if (!text) return call_error(a, "out of memory");
  StrBuf b = STRBUF_INIT;
  sb_puts(&b, text);
  sb_putc(&b, '\n');
  free(text);
  bool ok = write_file(a, path, sb_cstr(&b), b.len);
  sb_free(&b);
  return ok ? v_nil() : v_abrupt();
}

/* ================================================================== tables */

static bool bool_word(const char *s, bool *out) {
  if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0) return *out = true, true;
  if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0) return *out = false, true;
  return false;
}

/* A CSV file with a header line as a table. A column whose cells are all numbers (or missing:
 * empty or NA) is a column of numbers; all true/false (any of pandas' and R's spellings), of
 * bools; anything else, of strings (missing cells nil). */
static bool table_cell_missing(const char *s) { return !s || strcmp(s, "NA") == 0; }

static Value csv_to_table(Args *a, const char *path, CsvRead *st) {
  if (st->nrows == 0) return arg_error(a, 0, "'%s' is empty: there is no header line", path);
  size_t ncols = st->rows[0].n;
  for (size_t j = 0; j < ncols; j++)
    if (!st->rows[0].cells[j]) st->rows[0].cells[j] = dlt_xstrdup("");
  for (size_t i = 1; i < st->nrows; i++)
    if (st->rows[i].n != ncols)
      return arg_error(a, 0, "%s:%u: expected %zu field%s, got %zu", path, st->rows[i].line, ncols,
                       ncols == 1 ? "" : "s", st->rows[i].n);
  char **names = column_names(a, path, st, true, ncols);
  if (!names) return v_abrupt();
  Table *t = table_new();
  for (size_t j = 0; j < ncols; j++) table_add_col(t, names[j]);
  table_add_rows(t, st->nrows - 1);
  for (size_t j = 0; j < ncols; j++) {
    bool numbers = true, bools = true, b;
    double x;
    for (size_t i = 1; i < st->nrows; i++) {
      const char *s = st->rows[i].cells[j];
      if (table_cell_missing(s) || *s == '\0') continue; /* "" decides nothing */
      numbers = numbers && cell_number(s, &x);
      bools = bools && bool_word(s, &b);
    }
    for (size_t i = 1; i < st->nrows; i++) {
      const char *s = st->rows[i].cells[j];
      if (numbers) t->cols[j].num[i - 1] = s ? (cell_number(s, &x), x) : NAN;
      else if (table_cell_missing(s)) continue;
      else if (bools) {
        if (bool_word(s, &b)) table_set(t, i - 1, (int)j, v_bool(b));
      } else {
        Value v = str_from(s);
        table_set(t, i - 1, (int)j, v);
        val_release(v);
      }
    }
  }
  for (size_t j = 0; j < ncols; j++) free(names[j]);
  free(names);
  return v_obj(t);
}

/* A JSON document as a table: an array of row objects (write_json's form, pandas' orient="records"),
 * an object of column arrays (R's jsonlite dataframe="columns"), or an object of column objects
 * {column: {row label: value}} (pandas' default orient="columns"). */
static Value json_to_table(Args *a, const char *path, const json_t *root) {
  const char *why = NULL;
  Table *t = NULL;
  if (json_is_array(root)) {
    for (size_t i = 0; i < json_array_size(root); i++)
      if (!json_is_object(json_array_get(root, i)))
        return arg_error(a, 0, "%s: item %zu of the array is not an object {column: value}; a table is an array of "
                         "row objects or an object of columns", path, i + 1);
    Value rows = from_json(a, root, false);
    if (IS_ABRUPT(rows)) return rows;
    t = table_from_rows(a->I, AS_LIST(rows), &why);
    val_release(rows);
  } else if (json_is_object(root)) {
    Value cols = record_new();
    const char *key;
    json_t *col;
    json_object_foreach((json_t *)root, key, col) {
      Value v;
      if (json_is_object(col)) { /* {row label: value}: the values in order */
        v = list_new(json_object_size(col));
        const char *label;
        json_t *item;
        json_object_foreach(col, label, item) {
          Value x = from_json(a, item, false);
          if (IS_ABRUPT(x)) {
            val_release(v);
            val_release(cols);
            return x;
          }
          list_push(AS_LIST(v), x);
        }
      } else if (json_is_array(col)) {
        v = from_json(a, col, false);
        if (IS_ABRUPT(v)) {
          val_release(cols);
          return v;
        }
      } else {
        val_release(cols);
        return arg_error(a, 0, "%s: column '%s' is not an array or object of values; a table is an array of row "
                         "objects or an object of columns", path, key);
      }
      record_set(AS_RECORD(cols), key, v);
    }
    t = table_from_record(a->I, AS_RECORD(cols), &why);
    if (t && AS_RECORD(cols)->n == 0) t->nrows = 0;
    val_release(cols);
  } else {
    return arg_error(a, 0, "%s: a table is an array of row objects or an object of columns, not a JSON %s", path,
                     json_is_string(root) ? "string" : json_is_number(root) ? "number" : json_is_null(root) ? "null" : "bool");
  }
  if (!t) return arg_error(a, 0, "%s: %s", path, why);
  return v_obj(t);
}

/* read_table(path, format=): a CSV or JSON file (by its extension, or format="csv"/"json") as a
 * table; the files write_csv and write_json make from a table read back equal to it. */
static Value bi_read_table(Args *a) {
  const char *path;
  if (!arg_str(a, 0, &path)) return v_abrupt();
  static const char *const formats[] = {"csv", "json"};
  int fmt = -1;
  if (kw_get(a, "format")) {
    if (!kw_choice(a, "format", formats, 2, "csv", &fmt)) return v_abrupt();
  } else {
    const char *dot = strrchr(path, '.');
    if (dot && strchr(dot, '/') == NULL) {
      if (strcasecmp(dot, ".csv") == 0) fmt = 0;
      else if (strcasecmp(dot, ".json") == 0) fmt = 1;
    }
    if (fmt < 0)
      return arg_error(a, 0, "cannot tell the format of '%s' from its name; give format=\"csv\" or format=\"json\"", path);
  }
  FILE *f = open_read(a, path);
  if (!f) return v_abrupt();
  if (fmt == 0) {
    CsvRead st;
    memset(&st, 0, sizeof st);
    st.empty_is_null = true;
    bool ok = csv_slurp(a, path, f, &st);
    fclose(f);
    Value r = ok ? csv_to_table(a, path, &st) : v_abrupt();
    csv_read_free(&st);
    return r;
  }
  json_error_t err;
  json_t *root = json_loadf(f, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &err);
  fclose(f);
  if (!root) return arg_error(a, 0, "%s:%d:%d: %s", path, err.line, err.column, err.text);
  Value r = json_to_table(a, path, root);
  json_decref(root);
  return r;
}

/* ================================================================== files */

/* tempfile(suffix=""): a new empty file in $TMPDIR (or /tmp) with a unique name, created with
 * mkstemps so that no other process can take the name; the caller removes it. */
static Value bi_tempfile(Args *a) {
  const char *suffix = "";
  if (a->n > 0 && !arg_str(a, 0, &suffix)) return v_abrupt();
  if (strchr(suffix, '/')) return arg_error(a, 0, "the suffix must not contain '/', got \"%s\"", suffix);
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir) dir = "/tmp";
  StrBuf b = STRBUF_INIT;
  sb_printf(&b, "%s/dlt-XXXXXX%s", dir, suffix);
  char *path = sb_take(&b);
  int fd = mkstemps(path, (int)strlen(suffix));
  if (fd < 0) {
    Value e = call_error(a, "cannot create a temporary file in '%s': %s", dir, strerror(errno));
    free(path);
    return e;
  }
  close(fd);
  Value r = str_from(path);
  free(path);
  return r;
}

static Value bi_remove_file(Args *a) {
  const char *path;
  if (!arg_str(a, 0, &path)) return v_abrupt();
  if (remove(path) != 0) return arg_error(a, 0, "cannot remove '%s': %s", path, strerror(errno));
  return v_nil();
}

static Value bi_file_exists(Args *a) {
  const char *path;
  if (!arg_str(a, 0, &path)) return v_abrupt();
  struct stat st;
  return v_bool(stat(path, &st) == 0);
}

static const Builtin io_builtins[] = {
  {"read_csv", bi_read_csv, 1, 1, "header matrix", "read_csv(path, header=true, matrix=false)", "a CSV file as a record of columns (number vectors, or lists of strings), or with matrix=true one numeric matrix", NULL},
  {"write_csv", bi_write_csv, 2, 2, "header", "write_csv(path, data, header=true)", "write a table, a record of equal-length columns, or a matrix as CSV (header= false or a list of names)", NULL},
  {"read_json", bi_read_json, 1, 1, "matrices", "read_json(path, matrices=false)", "a JSON file as DLT values: objects -> records, arrays -> lists (numeric ones -> vectors/matrices with matrices=true), null -> nil", NULL},
  {"write_json", bi_write_json, 2, 2, "indent", "write_json(path, value, indent=2)", "write tables (arrays of row objects), records, lists, numbers, strings, bools, nil and matrices (arrays of rows) as JSON; nan and inf become null", NULL},
  {"read_table", bi_read_table, 1, 1, "format", "read_table(path, format=)", "a CSV file (header line) or JSON file (array of row objects, or object of columns) as a table; format= \"csv\" or \"json\" when the extension does not say", NULL},
  {"tempfile", bi_tempfile, 0, 1, NULL, "tempfile(suffix=\"\")", "the path of a new empty file with a unique name in $TMPDIR or /tmp (remove it with remove_file)", NULL},
  {"remove_file", bi_remove_file, 1, 1, NULL, "remove_file(path)", "delete a file (nil)", NULL},
  {"file_exists", bi_file_exists, 1, 1, NULL, "file_exists(path)", "whether path names an existing file or directory", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_io = {"io", io_builtins};
