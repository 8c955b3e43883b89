/* report_md.c - a report as one Markdown file: the narrative as written, code and output in
 * fenced blocks, figures as PNG data: URIs (so the file still needs nothing beside it). */
#include "config.h"

#include <string.h>

#include "report.h"

void report_base64(FILE *f, const unsigned char *p, size_t n) {
  static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    unsigned long w = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];
    fputc(digits[w >> 18], f);
    fputc(digits[(w >> 12) & 63], f);
    fputc(digits[(w >> 6) & 63], f);
    fputc(digits[w & 63], f);
  }
  if (i < n) {
    unsigned long w = (unsigned long)p[i] << 16 | (i + 1 < n ? (unsigned long)p[i + 1] << 8 : 0);
    fputc(digits[w >> 18], f);
    fputc(digits[(w >> 12) & 63], f);
    fputc(i + 1 < n ? digits[(w >> 6) & 63] : '=', f);
    fputc('=', f);
  }
}

/* A fence longer than any run of backticks in the text, so the text cannot close it. */
static int fence_length(const char *s, size_t n) {
  int longest = 0, run = 0;
  for (size_t i = 0; i < n; i++) {
    run = s[i] == '`' ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest >= 3 ? longest + 1 : 3;
}

static void fenced(FILE *f, const char *info, const char *s, size_t n) {
  while (n > 0 && s[n - 1] == '\n') n--;
  int k = fence_length(s, n);
  for (int i = 0; i < k; i++) fputc('`', f);
  fprintf(f, "%s\n", info);
  fwrite(s, 1, n, f);
  fputc('\n', f);
  for (int i = 0; i < k; i++) fputc('`', f);
  fputs("\n\n", f);
}

void report_write_md(const Report *r, FILE *f) {
  fprintf(f, "<!-- %s, run with dlt " PACKAGE_VERSION " -->\n\n", r->script);
  int figures = 0;
  for (int i = 0; i < r->n; i++) {
    const ReportBlock *b = &r->b[i];
    switch (b->kind) {
    case RB_NARRATIVE:
      fwrite(b->text, 1, b->len, f);
      fputc('\n', f);
      break;
    case RB_CODE: fenced(f, "dlt", b->text, b->len); break;
    case RB_OUTPUT: fenced(f, "text", b->text, b->len); break;
    case RB_ERROR: fenced(f, "text", b->text, b->len); break;
    case RB_FIGURE:
      figures++;
      fprintf(f, "![Figure %d%s", figures, b->caption ? ": " : "");
      if (b->caption) /* brackets would end the alt text */
        for (const char *c = b->caption; *c; c++) fputc(*c == '[' || *c == ']' ? ' ' : *c, f);
      fputs("](data:image/png;base64,", f);
      report_base64(f, (const unsigned char *)b->text, b->len);
      fputs(")\n\n", f);
      break;
    }
  }
}
