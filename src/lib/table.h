/* lib/table.h - the table type: named columns of equal length, what a sweep returns.
 *
 * A table is column-oriented. A column holds numbers (COL_NUM: a double array, missing = NaN) until
 * a value that is not a number is stored in it, when it becomes COL_ANY (an array of owned Values,
 * missing = nil). So the usual table of sweep variables and recorded measurements is plain arrays
 * of doubles, and `t.err` is a column vector without copying element by element.
 *
 * Tables follow the ownership rule of value.h. They are mutated in place only while their refcount
 * is 1 (`t.x = v` goes through clone first otherwise), so every function here that modifies a table
 * expects the caller to own it exclusively: one built by table_new/table_clone and not yet shared.
 */
#ifndef DLT_LIB_TABLE_H
#define DLT_LIB_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "../value.h"

typedef enum { COL_NUM, COL_ANY } ColKind;

typedef struct TableCol {
  char *name;
  ColKind kind;
  double *num; /* COL_NUM: nrows entries (cap allocated) */
  Value *any;  /* COL_ANY: nrows owned references */
  bool grid;   /* a sweep variable: summarize() leaves it out unless values= names it */
} TableCol;

typedef struct Table {
  Ext ext;
  size_t nrows, cap; /* cap: rows allocated in every column */
  int ncols, capcols;
  TableCol *cols;
} Table;

extern const ExtClass table_class;
#define IS_TABLE(v) (IS_EXT(v) && AS_EXT(v)->cls == &table_class)
#define AS_TABLE(v) ((Table *)(v).u.o)

Table *table_new(void);
Table *table_clone(const Table *t);

/* The index of a column, or -1. */
int table_col(const Table *t, const char *name);
/* The index of the named column, adding it (every row missing) when it is new. */
int table_add_col(Table *t, const char *name);
/* Empty column col: every cell missing, a column of numbers again. */
void table_clear_col(Table *t, int col);
/* Append n rows, every cell missing; returns the first new row's index. */
size_t table_add_rows(Table *t, size_t n);
/* Store a copy of v (borrowed) in one cell. A column of numbers turns into a column of values
 * when v is not a number; a bool is stored as a value, so true/false print as such. */
void table_set(Table *t, size_t row, int col, Value v);
/* One cell as a new reference: a number (NaN when missing) or the stored value (nil when missing) */
Value table_get(const Table *t, size_t row, int col);
bool table_missing(const Table *t, size_t row, int col);
/* One cell as a number when it is one (a number, bool or 1×1 matrix). */
bool table_num(const Table *t, size_t row, int col, double *out);

/* A whole column as a DLT value: a numeric column vector, else a list. New reference, or a located
 * "out of memory" error at `where` (v_abrupt) when the vector cannot be allocated. */
Value table_column_value(Interp *I, const Table *t, int col, const Span *where);
/* One row as a record {column: value}. New reference. */
Value table_row_record(const Table *t, size_t row);
/* Append a record as a row (new columns are added for new keys). */
void table_append_record(Table *t, const Record *r);

/* A table from a record of equal-length columns (vectors, lists or ranges) or from a list of
 * records (one per row). NULL with *why set to a message (static text) otherwise. */
Table *table_from_record(Interp *I, const Record *r, const char **why);
Table *table_from_rows(Interp *I, const List *rows, const char **why);

/* The new table holding rows idx[0..n) of t in that order (columns as in t). */
Table *table_take(const Table *t, const size_t *idx, size_t n);

/* A new table with columns cols[0..n) of t, in that order (every row). */
Table *table_select(const Table *t, const int *cols, int n);

/* The argument as a table, else a located error ("argument i must be a table"). Borrowed. */
struct Args;
Table *arg_table(struct Args *a, int i);

/* ------------------------------------------------------------------ shared by the table modules
 * (table_ops.c, table_fit.c, io.c) */

/* "the table has no column 'wdith'; did you mean 'width'? (columns: width, rep, err)" at where,
 * prefixed with the builtin's name when fname is not NULL. Returns v_abrupt(). */
Value table_no_column(Interp *I, const Table *t, const char *name, const Span *where, const char *fname);

/* The column named by v (a string) given at span sp, for the option `what` ("by=", "x="); -1
 * after a located error (not a string, or no such column). */
int table_col_of(struct Args *a, const Table *t, Value v, const Span *sp, const char *what);
/* Columns named by v: one name or a list of names (none repeated). *cols is malloc'd (free it);
 * false after a located error. allow_empty: an empty list is accepted (no columns). */
bool table_cols_of(struct Args *a, const Table *t, Value v, const Span *sp, const char *what, bool allow_empty,
                   int **cols, int *n);

/* Cells compared for sorting and grouping: numbers (by value) < bools < strings (bytewise) < other
 * values (by their printed form); a missing cell (NaN, nil) sorts after everything and equals
 * other missing cells. Cells of two different tables may be compared. */
int table_cell_cmp(const Table *a, size_t i, int ca, const Table *b, size_t j, int cb);

/* Sort row indices idx[0..n) stably by the key columns keys[0..nkeys) (desc[k]: descending;
 * NULL: all ascending). Missing cells go last either way, as in pandas. */
void table_sort_idx(const Table *t, const int *keys, const bool *desc, int nkeys, size_t *idx, size_t n);

/* The rows grouped by equal key cells: order[] holds every row index, sorted by the keys (stable),
 * and group g is order[start[g] .. start[g + 1]). No keys: one group of all rows (none for an
 * empty table). */
typedef struct TableGroups {
  size_t n;      /* number of groups */
  size_t *order; /* nrows entries */
  size_t *start; /* n + 1 entries */
} TableGroups;
void table_grouping(const Table *t, const int *keys, int nkeys, TableGroups *g);
void table_grouping_free(TableGroups *g);

/* A new table with the key columns of t (copied from row `row` of each group) for every group:
 * the start of the summaries of group-by operations. */
Table *table_group_keys(const Table *t, const int *keys, int nkeys, const TableGroups *g);

/* Add a column named name to t, failing with a located error at the call when t already has one
 * (a summary column clashing with a key). -1 after the error. */
int table_new_col(struct Args *a, Table *t, const char *name);

/* The method hook's argument check: minpos..maxpos positional arguments and only keywords from
 * the space-separated list kws; else a located error showing usage. */
bool table_method_args(struct Args *a, int minpos, int maxpos, const char *kws, const char *usage);
/* A parameter given either as positional argument pos or as keyword name (not both); *v is nil
 * and *sp the call when absent. false after an error. */
bool table_param(struct Args *a, int pos, const char *name, Value *v, const Span **sp);

/* Generic builtins on a table, reached through the table class's method hook (table.c). */
Value table_sort(struct Args *a);        /* sort(t, by=, desc=)  table_ops.c */
Value table_reverse(struct Args *a);     /* reverse(t) */
Value table_join(struct Args *a);        /* join(t1, t2, on=, how=, suffixes=) */
Value table_vcat(struct Args *a);        /* vcat(t1, t2, ...) */
Value table_split(struct Args *a);       /* split(t, by=) */
Value table_slope(struct Args *a);       /* slope(t, x, y, scale=, by=)  table_fit.c */
Value table_fit_linear(struct Args *a);  /* fit_linear(t, x, y, scale=) */
Value table_loglog_slope(struct Args *a);/* loglog_slope(t, x, y) */
Value table_geom_rate(struct Args *a);   /* geom_rate(t, y, limit=, by=) */

#endif
