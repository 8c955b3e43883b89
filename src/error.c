/* error.c - diagnostics with carets, call-stack traces, and the GSL error bridge. */
#include "error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "interp.h"
#include "strbuf.h"

#define MAX_DIAGS 20      /* compile errors reported per chunk before giving up */
#define MAX_TRACE 12      /* call-stack lines shown (innermost and outermost kept) */

static Diag *diag_push(Interp *I) {
  if (I->ndiags == I->cap_diags) {
    I->cap_diags = I->cap_diags ? 2 * I->cap_diags : 8;
    I->diags = dlt_xrealloc(I->diags, (size_t)I->cap_diags * sizeof(Diag));
  }
  Diag *d = &I->diags[I->ndiags++];
  memset(d, 0, sizeof *d);
  return d;
}

void diag_parse(Interp *I, const Span *sp, const char *fmt, ...) {
  int nparse = 0;
  for (int i = 0; i < I->ndiags; i++) {
    if (I->diags[i].kind == DIAG_PARSE) nparse++;
    /* one report per position: error recovery can trip over the same token twice */
    if (I->diags[i].span.file == sp->file && I->diags[i].span.line == sp->line && I->diags[i].span.col == sp->col)
      return;
  }
  if (nparse >= MAX_DIAGS) return;
  Diag *d = diag_push(I);
  d->kind = DIAG_PARSE;
  d->span = *sp;
  StrBuf b = STRBUF_INIT;
  va_list ap;
  va_start(ap, fmt);
  sb_vprintf(&b, fmt, ap);
  va_end(ap);
  d->msg = sb_take(&b);
}

static char *build_trace(Interp *I) {
  if (I->depth == 0) return NULL;
  StrBuf b = STRBUF_INIT;
  for (int i = I->depth - 1; i >= 0; i--) {
    int from_top = I->depth - 1 - i;
    if (I->depth > MAX_TRACE && from_top == MAX_TRACE / 2) {
      sb_printf(&b, "  ... %d more calls ...\n", I->depth - MAX_TRACE);
      i = MAX_TRACE / 2;
      continue;
    }
    const Frame *f = &I->frames[i];
    const char *file = f->call.file < (uint32_t)I->nsources ? I->sources[f->call.file]->name : "?";
    if (f->name) {
      sb_printf(&b, "  in %s(), called from %s:%u:%u\n", f->name, file, f->call.line, f->call.col);
    } else {
      const char *imported = f->proto->span.file < (uint32_t)I->nsources ? I->sources[f->proto->span.file]->name : "?";
      sb_printf(&b, "  in %s, imported from %s:%u:%u\n", imported, file, f->call.line, f->call.col);
    }
  }
  return sb_take(&b);
}

static Value raise_diag(Interp *I, DiagKind kind, const Span *sp, char *msg) {
  /* Keep only the first runtime error: it is the cause. */
  for (int i = 0; i < I->ndiags; i++)
    if (I->diags[i].kind != DIAG_PARSE) {
      free(msg);
      I->signal = SIG_ERROR;
      return v_abrupt();
    }
  Diag *d = diag_push(I);
  d->kind = kind;
  if (sp) {
    d->span = *sp;
  } else if (I->depth > 0) {
    d->span = I->frames[I->depth - 1].call;
  }
  d->msg = msg;
  d->trace = build_trace(I);
  I->signal = SIG_ERROR;
  return v_abrupt();
}

Value dlt_verror(Interp *I, const Span *sp, const char *fmt, va_list ap) {
  StrBuf b = STRBUF_INIT;
  sb_vprintf(&b, fmt, ap);
  return raise_diag(I, DIAG_RUNTIME, sp, sb_take(&b));
}

Value dlt_error(Interp *I, const Span *sp, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Value v = dlt_verror(I, sp, fmt, ap);
  va_end(ap);
  return v;
}

Value dlt_assert_failed(Interp *I, const Span *sp, const char *msg) {
  StrBuf b = STRBUF_INIT;
  sb_printf(&b, "assertion failed: %s", msg);
  return raise_diag(I, DIAG_ASSERT, sp, sb_take(&b));
}

void fmt_bytes(StrBuf *b, double bytes) {
  static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) {
    bytes /= 1024;
    u++;
  }
  sb_printf(b, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
}

void dlt_error_note(Interp *I, const char *fmt, ...) {
  for (int i = I->ndiags - 1; i >= 0; i--)
    if (I->diags[i].kind != DIAG_PARSE) {
      StrBuf b = STRBUF_INIT;
      va_list ap;
      va_start(ap, fmt);
      sb_vprintf(&b, fmt, ap);
      va_end(ap);
      free(I->diags[i].note);
      I->diags[i].note = sb_take(&b);
      return;
    }
}

/* The limit goes in a note: it depends on the machine, the message does not. */
static void note_memory_limit(Interp *I) {
  StrBuf b = STRBUF_INIT;
  fmt_bytes(&b, (double)mat_limit_bytes());
  if (dlt_memory_limit) dlt_error_note(I, "the limit is %s (--max-memory)", sb_cstr(&b));
  else dlt_error_note(I, "the limit is %s, this machine's physical memory", sb_cstr(&b));
  sb_free(&b);
}

Value dlt_error_oom(Interp *I, const Span *sp, size_t rows, size_t cols) {
  StrBuf b = STRBUF_INIT;
  double need = (double)rows * (double)cols * 8.0;
  fmt_bytes(&b, need);
  Value e;
  if (dlt_memory_limit && need <= (double)dlt_memory_limit) { /* it fits alone: the total does not */
    StrBuf used = STRBUF_INIT, limit = STRBUF_INIT;
    fmt_bytes(&used, (double)dlt_value_bytes);
    fmt_bytes(&limit, (double)dlt_memory_limit);
    e = dlt_error(I, sp, "memory limit reached: a %zu×%zu matrix (%s) would take the program's values (%s now) past --max-memory %s",
                  rows, cols, sb_cstr(&b), sb_cstr(&used), sb_cstr(&limit));
    sb_free(&used);
    sb_free(&limit);
  } else {
    e = dlt_error(I, sp, "out of memory: a %zu×%zu matrix needs %s", rows, cols, sb_cstr(&b));
    if (need <= (double)mat_limit_bytes()) /* under the limit: the system had no memory to give */
      dlt_error_note(I, "the system could not provide it");
    else
      note_memory_limit(I);
  }
  sb_free(&b);
  return e;
}

Value dlt_error_oom_items(Interp *I, const Span *sp, const char *noun, const char *unit, double n, double bytes_each) {
  StrBuf b = STRBUF_INIT;
  fmt_bytes(&b, n * bytes_each);
  Value e = dlt_error(I, sp, "out of memory: %s of %.0f %s needs %s", noun, n, unit, sb_cstr(&b));
  sb_free(&b);
  note_memory_limit(I);
  return e;
}

/* ------------------------------------------------------------------ printing */
static void print_source_line(Interp *I, FILE *f, const Span *sp) {
  if (sp->file >= (uint32_t)I->nsources) return;
  Source *src = I->sources[sp->file];
  if (sp->line < 1 || sp->line > src->nlines) return;
  const char *p = src->text + src->line_start[sp->line - 1];
  const char *end = src->text + src->len;
  const char *eol = p;
  while (eol < end && *eol != '\n') eol++;
  if (eol > p && eol[-1] == '\r') eol--;
  /* the line, with tabs shown as single spaces so the caret lines up */
  StrBuf line = STRBUF_INIT;
  for (const char *q = p; q < eol; q++) sb_putc(&line, *q == '\t' ? ' ' : *q);
  fprintf(f, "%5u | %s\n", sp->line, sb_cstr(&line));
  sb_free(&line);
  /* caret under the first column, tildes to the end of the span on this line */
  uint32_t ncols = 0;
  for (const char *q = p; q < eol; q++)
    if (((unsigned char)*q & 0xC0) != 0x80) ncols++;
  uint32_t last = sp->end_line == sp->line ? sp->end_col : ncols;
  if (last > ncols) last = ncols;
  fprintf(f, "      | ");
  for (uint32_t c = 1; c < sp->col; c++) fputc(' ', f);
  fputc('^', f);
  for (uint32_t c = sp->col + 1; c <= last; c++) fputc('~', f);
  fputc('\n', f);
}

void diag_print(Interp *I, FILE *f, const Diag *d) {
  const char *file = d->span.file < (uint32_t)I->nsources ? I->sources[d->span.file]->name : "<unknown>";
  fprintf(f, "%s:%u:%u: error: %s\n", file, d->span.line, d->span.col, d->msg);
  print_source_line(I, f, &d->span);
  if (d->note) fprintf(f, "note: %s\n", d->note);
  if (d->trace) fputs(d->trace, f);
}

void diags_print(Interp *I, FILE *f) {
  fflush(I->out);
  fflush(stdout);
  for (int i = 0; i < I->ndiags; i++) diag_print(I, f, &I->diags[i]);
  fflush(f);
  diags_clear(I);
}

void diags_clear(Interp *I) {
  for (int i = 0; i < I->ndiags; i++) {
    free(I->diags[i].msg);
    free(I->diags[i].note);
    free(I->diags[i].trace);
  }
  I->ndiags = 0;
}

bool diag_take_runtime(Interp *I, Diag *out) {
  for (int i = 0; i < I->ndiags; i++)
    if (I->diags[i].kind != DIAG_PARSE) {
      *out = I->diags[i];
      memmove(&I->diags[i], &I->diags[i + 1], (size_t)(I->ndiags - i - 1) * sizeof(Diag));
      I->ndiags--;
      return true;
    }
  return false;
}

Value diag_raise(Interp *I, Diag d) {
  *diag_push(I) = d;
  I->signal = SIG_ERROR;
  return v_abrupt();
}

int diags_exit_code(Interp *I) {
  int code = DLT_EXIT_OK;
  for (int i = 0; i < I->ndiags; i++) {
    int c = I->diags[i].kind == DIAG_PARSE ? DLT_EXIT_PARSE : I->diags[i].kind == DIAG_ASSERT ? DLT_EXIT_ASSERT : DLT_EXIT_RUNTIME;
    if (code == DLT_EXIT_OK) code = c;
  }
  return code;
}

/* ------------------------------------------------------------------ GSL bridge */
static _Thread_local int gsl_last_errno;
static _Thread_local char gsl_last_reason[256];

static void gsl_handler(const char *reason, const char *file, int line, int gsl_errno) {
  (void)file;
  (void)line;
  /* GSL calls this instead of aborting; the builtin that called GSL reports it with context. */
  gsl_last_errno = gsl_errno ? gsl_errno : GSL_FAILURE;
  snprintf(gsl_last_reason, sizeof gsl_last_reason, "%s", reason ? reason : "unknown failure");
}

void dlt_gsl_install(void) { gsl_set_error_handler(gsl_handler); }
int dlt_gsl_pending(void) { return gsl_last_errno; }
const char *dlt_gsl_reason(void) { return gsl_last_reason; }
void dlt_gsl_clear(void) {
  gsl_last_errno = 0;
  gsl_last_reason[0] = '\0';
}

Value dlt_error_gsl(Interp *I, const Span *sp, const char *what, int status) {
  const char *reason = gsl_last_errno ? gsl_last_reason : gsl_strerror(status);
  /* GSL could not allocate its workspace: the same words as every other allocation failure */
  Value e = (gsl_last_errno ? gsl_last_errno : status) == GSL_ENOMEM
                ? dlt_error(I, sp, "out of memory: %s could not allocate its workspace (%s)", what, reason)
                : dlt_error(I, sp, "%s failed: %s", what, reason);
  dlt_gsl_clear();
  return e;
}

bool dlt_fits(double n, double bytes_each) { return n * bytes_each <= (double)mat_limit_bytes(); }
