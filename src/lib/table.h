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

/* A whole column as a DLT value: a numeric column vector, else a list. New reference. */
Value table_column_value(const Table *t, int col);
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

/* The argument as a table, else a located error ("argument i must be a table"). Borrowed. */
struct Args;
Table *arg_table(struct Args *a, int i);

#endif
