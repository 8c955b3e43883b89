/* report.c - `dlt --report OUT FILE`: run a lecture program and keep what a reader needs.
 *
 * The stepper's hooks (eval.h) see each top-level statement before and after it runs. Before:
 * the `#'` lines above it become a narrative block and its source joins the open code block.
 * After: what it printed (I->out is a memory stream for the whole run) becomes an output block,
 * and the value of an expression statement is shown as a notebook would (a plot as a figure).
 * Plots the program prints or saves reach us through plot.h's sink, at the moment they are shown,
 * so figures and printed text keep their order. A plot only bound to a name is not shown: it may
 * be a step towards the figure the program saves (`let p = ...; save(plot(p, title=...))`). A figure is shown once however
 * often the program shows the same plot (plots are immutable; we hold a reference meanwhile).
 *
 * Consecutive statements that print nothing share one code block, so a report reads as
 * narrative, code, output, figure, rather than one box per line.
 */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "eval.h"
#include "lib/plot.h"
#include "print.h"
#include "step.h"
#include "strbuf.h"

typedef struct Reporter {
  Report r;
  int source;
  unsigned next_line; /* the first source line not yet placed in a block */
  StrBuf code;        /* the open code block */
  unsigned code_first;
  StrBuf narrative;   /* the open narrative block */
  char *outbuf;       /* the memory stream standing in for I->out */
  size_t outlen, taken;
  FILE *mem;
  Value *shown; /* plots already in the report (held) */
  int nshown, capshown;
} Reporter;

static void push(Reporter *R, ReportBlockKind kind, const char *text, size_t len, unsigned first_line, const char *caption) {
  Report *r = &R->r;
  if (r->n == r->cap) {
    r->cap = r->cap ? 2 * r->cap : 32;
    r->b = dlt_xrealloc(r->b, (size_t)r->cap * sizeof *r->b);
  }
  ReportBlock *b = &r->b[r->n++];
  b->kind = kind;
  b->text = dlt_xmalloc(len + 1);
  memcpy(b->text, text, len);
  b->text[len] = '\0';
  b->len = len;
  b->first_line = first_line;
  b->caption = caption ? dlt_xstrdup(caption) : NULL;
}

static bool blank(const char *t, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (t[i] != ' ' && t[i] != '\t') return false;
  return true;
}

static void code_close(Reporter *R) {
  StrBuf *c = &R->code;
  /* trailing blank lines say nothing */
  while (c->len > 0) {
    size_t end = c->len - 1, start = end;
    while (start > 0 && c->s[start - 1] != '\n') start--;
    if (!blank(c->s + start, end - start)) break;
    c->len = start;
  }
  if (c->len > 0) push(R, RB_CODE, c->s, c->len, R->code_first, NULL);
  c->len = 0;
}

static void narrative_close(Reporter *R) {
  if (R->narrative.len > 0) {
    if (!R->r.title) { /* the first heading names the report */
      const char *t = R->narrative.s;
      while (*t == '#') t++;
      if (t > R->narrative.s && *t == ' ') {
        size_t n = strcspn(t + 1, "\n");
        R->r.title = dlt_xmalloc(n + 1);
        memcpy(R->r.title, t + 1, n);
        R->r.title[n] = '\0';
      }
    }
    push(R, RB_NARRATIVE, R->narrative.s, R->narrative.len, 0, NULL);
  }
  R->narrative.len = 0;
}

static void code_line(Reporter *R, unsigned l) {
  size_t n;
  const char *t = source_line(R->r.I->sources[R->source], l, &n);
  if (R->code.len == 0) {
    if (blank(t, n)) return; /* a code block starts at its first non-blank line */
    R->code_first = l;
  }
  sb_putn(&R->code, t, n);
  sb_putc(&R->code, '\n');
}

/* Source lines from next_line up to (not including) `upto` that precede a statement: narrative
 * lines go to the narrative, the rest (comments, blank lines) to the code. */
static void place_lines(Reporter *R, unsigned upto) {
  const Source *s = R->r.I->sources[R->source];
  for (unsigned l = R->next_line; l < upto && l <= s->nlines; l++) {
    size_t n;
    const char *t = narrative_text(source_line(s, l, &n), &n);
    if (t) {
      code_close(R);
      sb_putn(&R->narrative, t, n);
      sb_putc(&R->narrative, '\n');
    } else {
      if (R->narrative.len > 0 && blank(source_line(s, l, &n), n)) continue;
      narrative_close(R);
      code_line(R, l);
    }
  }
  R->next_line = upto > R->next_line ? upto : R->next_line;
}

/* What the program printed since the last call, as an output block. */
static void take_output(Reporter *R) {
  fflush(R->mem);
  size_t n = R->outlen - R->taken;
  const char *t = R->outbuf + R->taken;
  R->taken = R->outlen;
  if (blank(t, n) || (n == 1 && *t == '\n')) return;
  bool only_newlines = true;
  for (size_t i = 0; i < n; i++)
    if (t[i] != '\n' && t[i] != ' ') only_newlines = false;
  if (only_newlines) return;
  code_close(R);
  while (n > 0 && t[n - 1] == '\n') n--;
  push(R, RB_OUTPUT, t, n, 0, NULL);
}

static char *read_all(FILE *f, size_t *len) {
  StrBuf b = STRBUF_INIT;
  char buf[8192];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) sb_putn(&b, buf, n);
  *len = b.len;
  return b.s ? b.s : dlt_xstrdup("");
}

/* A plot drawn into the report: SVG for HTML (sharp at any zoom), PNG for Markdown (which every
 * Markdown viewer displays). */
static void figure(void *ctx, const Plot *p) {
  Reporter *R = ctx;
  for (int i = 0; i < R->nshown; i++)
    if (R->shown[i].u.o == (const Obj *)p) return;
  take_output(R);
  code_close(R);
  const char *fmt_ext = R->r.format == REPORT_HTML ? ".svg" : ".png";
  char path[4096];
  const char *tmpdir = getenv("TMPDIR");
  snprintf(path, sizeof path, "%s/dlt-report-XXXXXX%s", tmpdir && *tmpdir ? tmpdir : "/tmp", fmt_ext);
  int fd = mkstemps(path, 4);
  char msg[512];
  double lim[4];
  size_t skipped;
  if (!plot_limits(p, lim, &skipped)) {
    snprintf(msg, sizeof msg, "(a figure with nothing to draw: all %zu points are nan, inf, or <= 0 on a log axis)", skipped);
    push(R, RB_OUTPUT, msg, strlen(msg), 0, NULL);
  } else if (fd < 0) {
    snprintf(msg, sizeof msg, "(the figure could not be drawn: no temporary file: %s)", strerror(errno));
    push(R, RB_OUTPUT, msg, strlen(msg), 0, NULL);
  } else if (!plot_render_file(p, path, R->r.format == REPORT_HTML ? PLOT_SVG : PLOT_PNG, msg, sizeof msg)) {
    char full[700];
    snprintf(full, sizeof full, "(the figure could not be drawn: %s)", msg);
    push(R, RB_OUTPUT, full, strlen(full), 0, NULL);
  } else {
    FILE *f = fopen(path, "rb");
    size_t n = 0;
    char *bytes = f ? read_all(f, &n) : NULL;
    if (f) fclose(f);
    if (bytes && n > 0) push(R, RB_FIGURE, bytes, n, 0, p->title);
    free(bytes);
  }
  if (fd >= 0) {
    close(fd);
    unlink(path);
  }
  if (R->nshown == R->capshown) {
    R->capshown = R->capshown ? 2 * R->capshown : 8;
    R->shown = dlt_xrealloc(R->shown, (size_t)R->capshown * sizeof *R->shown);
  }
  Value v = v_obj((Obj *)p);
  val_retain(v);
  R->shown[R->nshown++] = v;
}

static bool before(void *ctx, Node *stmt) {
  Reporter *R = ctx;
  if (stmt->span.file != (uint32_t)R->source) return true;
  take_output(R);
  place_lines(R, stmt->span.line);
  narrative_close(R);
  for (unsigned l = stmt->span.line; l <= stmt->span.end_line && l <= R->r.I->sources[R->source]->nlines; l++)
    code_line(R, l);
  R->next_line = stmt->span.end_line + 1;
  return true;
}

static void after(void *ctx, Node *stmt, Value v) {
  Reporter *R = ctx;
  take_output(R);
  switch (stmt->kind) {
  case N_EXPR:
    if (IS_PLOT(v)) {
      figure(R, AS_PLOT(v));
    } else if (!IS_NIL(v) && !IS_ABRUPT(v)) { /* a notebook shows an expression's value */
      StrBuf b = STRBUF_INIT;
      val_print(&b, v, PRINT_REPR);
      code_close(R);
      push(R, RB_OUTPUT, b.s ? b.s : "", b.len, 0, NULL);
      sb_free(&b);
    }
    break;
  default: break;
  }
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static void report_free(Reporter *R) {
  for (int i = 0; i < R->r.n; i++) {
    free(R->r.b[i].text);
    free(R->r.b[i].caption);
  }
  free(R->r.b);
  free(R->r.title);
  for (int i = 0; i < R->nshown; i++) val_release(R->shown[i]);
  free(R->shown);
  sb_free(&R->code);
  sb_free(&R->narrative);
}

int dlt_report_file(Interp *I, const char *script, const char *out) {
  ReportFormat format;
  if (ends_with(out, ".html") || ends_with(out, ".htm")) format = REPORT_HTML;
  else if (ends_with(out, ".md")) format = REPORT_MARKDOWN;
  else {
    fprintf(stderr, "dlt: cannot tell the format of report '%s': its name must end in .html or .md\n", out);
    return DLT_EXIT_USAGE;
  }
  char why[400];
  if (format == REPORT_HTML && !report_html_ready(why, sizeof why)) {
    fprintf(stderr, "dlt: cannot write the HTML report '%s': %s\n", out, why);
    return DLT_EXIT_USAGE;
  }
  int src = interp_add_file(I, script);
  if (src < 0) return DLT_EXIT_USAGE;
  /* open the report first: a lecture should not run for minutes to find its output unwritable */
  FILE *f = fopen(out, "w");
  if (!f) {
    fprintf(stderr, "dlt: cannot write report '%s': %s\n", out, strerror(errno));
    return DLT_EXIT_USAGE;
  }
  Reporter R = {0};
  R.r.I = I;
  R.r.format = format;
  R.r.script = script;
  R.source = src;
  R.next_line = 1;
  R.mem = open_memstream(&R.outbuf, &R.outlen);
  if (!R.mem) {
    fclose(f);
    fprintf(stderr, "dlt: cannot capture the program's output: %s\n", strerror(errno));
    return DLT_EXIT_USAGE;
  }
  FILE *saved_out = I->out;
  I->out = R.mem;
  dlt_plot_sink = figure;
  dlt_plot_sink_ctx = &R;

  StepHook hook = {before, after, &R};
  int rc = interp_step_source(I, src, NULL, &hook);

  take_output(&R);
  if (rc == DLT_EXIT_OK) {
    place_lines(&R, I->sources[src]->nlines + 1); /* the narrative after the last statement */
  } else {
    code_close(&R);
    narrative_close(&R);
    char *text = NULL;
    size_t len = 0;
    FILE *e = open_memstream(&text, &len);
    if (e) {
      for (int i = 0; i < I->ndiags; i++) diag_print(I, e, &I->diags[i]);
      fclose(e);
      while (len > 0 && text[len - 1] == '\n') len--;
      if (len > 0) push(&R, RB_ERROR, text, len, 0, NULL);
      free(text);
    }
  }
  code_close(&R);
  narrative_close(&R);
  dlt_plot_sink = NULL;
  dlt_plot_sink_ctx = NULL;
  I->out = saved_out;
  fclose(R.mem);
  free(R.outbuf);

  if (!R.r.title) {
    const char *base = strrchr(script, '/');
    R.r.title = dlt_xstrdup(base ? base + 1 : script);
  }
  if (format == REPORT_HTML) report_write_html(&R.r, f);
  else report_write_md(&R.r, f);
  bool failed = ferror(f) != 0;
  if (fclose(f) != 0) failed = true;
  if (failed) {
    fprintf(stderr, "dlt: cannot write report '%s': %s\n", out, strerror(errno));
    if (rc == DLT_EXIT_OK) rc = DLT_EXIT_USAGE;
  }
  report_free(&R);
  return rc;
}
