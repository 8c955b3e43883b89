/* error.h - located diagnostics, call-stack traces, exit codes and the GSL error bridge.
 *
 * Every error a user can cause becomes a Diag: `file:line:col: error: message`, the source line and
 * a caret under the span, and for runtime errors the stack of user functions that were active.
 * Runtime errors travel up the evaluator as v_abrupt() with Interp.signal == SIG_ERROR.
 */
#ifndef DLT_ERROR_H
#define DLT_ERROR_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "value.h"

/* A source span; lines and columns are 1-based, columns count characters (UTF-8 code points). */
struct Span {
  uint32_t file; /* index into Interp.sources */
  uint32_t line, col;
  uint32_t end_line, end_col; /* inclusive */
};

/* Process exit codes (documented in dlt(1)). */
enum {
  DLT_EXIT_OK = 0,
  DLT_EXIT_ASSERT = 1,
  DLT_EXIT_USAGE = 2,
  DLT_EXIT_PARSE = 3, /* syntax and name-resolution errors: nothing ran */
  DLT_EXIT_RUNTIME = 4
};

typedef enum { DIAG_PARSE, DIAG_RUNTIME, DIAG_ASSERT } DiagKind;

typedef struct Diag {
  DiagKind kind;
  Span span;
  char *msg;
  char *note;  /* an extra line of explanation ("note: ...") or NULL */
  char *trace; /* "  in f, called from a.dlt:3:5\n..." or NULL */
} Diag;

/* Record a compile-time (syntax/resolution) diagnostic. */
void diag_parse(Interp *I, const Span *sp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Raise a runtime error at `sp` (NULL: the current call site). Returns v_abrupt() so that callers
 * can write `return dlt_error(I, sp, "...")`. */
Value dlt_error(Interp *I, const Span *sp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
Value dlt_verror(Interp *I, const Span *sp, const char *fmt, va_list ap);
Value dlt_assert_failed(Interp *I, const Span *sp, const char *msg);
/* Attach a note to the runtime error just raised (printed under the source line). */
void dlt_error_note(Interp *I, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "out of memory" for a rows×cols matrix that could not be allocated. */
Value dlt_error_oom(Interp *I, const Span *sp, size_t rows, size_t cols);
/* "out of memory: a list of n items needs ..." (noun "a list", unit "items") */
Value dlt_error_oom_items(Interp *I, const Span *sp, const char *noun, const char *unit, double n, double bytes_each);
/* "1.5 GiB", "512.0 KiB": a byte count for messages. */
struct StrBuf;
void fmt_bytes(struct StrBuf *b, double bytes);
/* Whether n more items of `bytes_each` fit under the allocation limit. */
bool dlt_fits(double n, double bytes_each);

void diag_print(Interp *I, FILE *f, const Diag *d);
void diags_print(Interp *I, FILE *f); /* all pending diagnostics, then clears them */
void diags_clear(Interp *I);
/* Move the pending runtime error out of I->diags into *out (false when there is none), and put
 * one back as the pending error (the caller's Diag is taken over). Sweeps use them to carry a
 * point's error across processes, or to keep it as a row with --keep-going. */
bool diag_take_runtime(Interp *I, Diag *out);
Value diag_raise(Interp *I, Diag d);
int diags_exit_code(Interp *I);

/* ---------------------------------------------------------------- GSL bridge
 * GSL's default handler aborts. dlt_gsl_install() replaces it with one that records the failure;
 * builtins check status codes and call dlt_error_gsl(), and the call machinery turns any failure a
 * builtin left unreported into a DLT error at the call site. */
void dlt_gsl_install(void);
int dlt_gsl_pending(void);            /* the gsl_errno of the last unreported failure, or 0 */
const char *dlt_gsl_reason(void);     /* its reason text */
void dlt_gsl_clear(void);
Value dlt_error_gsl(Interp *I, const Span *sp, const char *what, int status);

#endif
