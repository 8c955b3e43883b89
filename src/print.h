/* print.h - how values look when printed. Stable across runs and machines. */
#ifndef DLT_PRINT_H
#define DLT_PRINT_H

#include "strbuf.h"
#include "value.h"

/* Numbers print in the shortest form that reads back to the same double ("0.1", "3", "1e-20",
 * "inf", "nan"); matrix entries print with 6 significant digits, aligned, and matrices larger than
 * a screen are summarised with "...". */
void fmt_num(StrBuf *b, double x);
void fmt_num_short(StrBuf *b, double x); /* %.6g-style, for matrix entries */

/* A number as print shows it ("0.1", "nan", "-inf"), in a buffer an error message can use
 * directly: arg_error(a, 0, "got %s", num_text(x).s). */
typedef struct NumText {
  char s[40];
} NumText;
NumText num_text(double x);

/* DISPLAY: what `print` writes (a string is its text); REPR: strings quoted, as in containers.
 * PRINT_INLINE may be or-ed in: matrices on one line (for messages). */
typedef enum { PRINT_DISPLAY = 0, PRINT_REPR = 1, PRINT_INLINE = 2 } PrintMode;
void val_print(StrBuf *b, Value v, PrintMode mode);
char *val_to_cstr(Value v, PrintMode mode); /* caller frees */

/* "3×2", "1×1" */
void fmt_shape(StrBuf *b, size_t rows, size_t cols);

#endif
