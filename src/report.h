/* report.h - `dlt --report OUT FILE`: a lecture program rendered as one self-contained document.
 *
 * report.c runs the program statement by statement (the stepper's hooks) and collects a list of
 * blocks: the `#'` narrative, the code, what each statement printed, the figures it showed, and
 * the error that stopped it. report_html.c and report_md.c write the list as HTML or Markdown.
 */
#ifndef DLT_REPORT_H
#define DLT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "interp.h"

typedef enum { RB_NARRATIVE, RB_CODE, RB_OUTPUT, RB_FIGURE, RB_ERROR } ReportBlockKind;

typedef struct ReportBlock {
  ReportBlockKind kind;
  char *text;          /* narrative Markdown, source lines, output, the image's bytes, the error */
  size_t len;
  unsigned first_line; /* RB_CODE: the source line of its first line */
  char *caption;       /* RB_FIGURE: the plot's title, or NULL */
} ReportBlock;

typedef enum { REPORT_HTML, REPORT_MARKDOWN } ReportFormat;

typedef struct Report {
  Interp *I;
  ReportFormat format;
  const char *script; /* the program's path, as given */
  char *title;        /* the narrative's first heading, or the script's name */
  ReportBlock *b;
  int n, cap;
} Report;

/* Run the program at `script` and write its report to `out` (.html/.htm or .md, by extension).
 * Returns the program's DLT_EXIT_* code (its diagnostics are left in I->diags, and are also in
 * the report); DLT_EXIT_USAGE when the output cannot be written or its format is unknown. */
int dlt_report_file(Interp *I, const char *script, const char *out);

void report_write_html(const Report *r, FILE *f);
/* Whether HTML reports can be written: opens cmark (dynlib.h) the first time. False with a
 * message in err when it cannot be loaded. */
bool report_html_ready(char *err, size_t errsize);
void report_write_md(const Report *r, FILE *f);

/* Narrative math to HTML (report_math.c): _{…}/^{…} as sub/superscripts; with tex (inside $…$)
 * also single-character scripts and a TeX subset (\alpha, \sum, \frac, \sqrt, \mathbb{R}). */
struct StrBuf;
void report_math_html(struct StrBuf *out, const char *s, size_t n, bool tex);

/* Standard base64 (RFC 4648) of n bytes, for images embedded as data: URIs. */
void report_base64(FILE *f, const unsigned char *p, size_t n);

#endif
