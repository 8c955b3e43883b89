/* report_html.c - a report as one self-contained HTML page: inline CSS, figures as data: URIs,
 * no scripts, no fonts or files fetched. It opens the same from a mail attachment, a USB stick or
 * a course page.
 *
 * The narrative is CommonMark, rendered by cmark (safe mode: raw HTML in a narrative is dropped).
 * Math is taken out before cmark sees it (its _ and * would read as emphasis) and put back,
 * rendered by report_math.c, afterwards. Code is highlighted with the scanner's own keyword list
 * and the interpreter's builtin names, so the colours agree with what the language means.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynlib.h"
#include "parse.h"
#include "report.h"
#include "strbuf.h"

/* cmark is opened on first use (dynlib.h): dlt_report_file asks report_html_ready before it runs
 * the program, so a missing library is found before a lecture runs, not after. */
#ifdef DLT_CMARK_SONAME
#include <cmark.h>
static const char *const cm_names[] = {"cmark_markdown_to_html"};
static void *cm_fn[1];
static DynLib cm_lib = {"cmark", DLT_CMARK_SONAME, "libcmark0.30.2", false, cm_names, cm_fn, 1, 0, ""};
#define markdown_to_html ((__typeof__(cmark_markdown_to_html) *)cm_fn[0])
#else
static DynLib cm_lib = {"cmark", NULL, "libcmark-dev", false, NULL, NULL, 0, 0, ""};
#define CMARK_OPT_DEFAULT 0
static char *markdown_to_html(const char *text, size_t len, int options) { return NULL; }
#endif

bool report_html_ready(char *err, size_t errsize) {
  if (dynlib_load(&cm_lib)) return true;
  snprintf(err, errsize, "%s", cm_lib.err);
  return false;
}


static const char style[] =
  ":root{--ink:#1d1d1f;--muted:#5f6368;--rule:#d9dce1;--code-bg:#f6f8fa;--kw:#8b1f9c;--bi:#0b57a8;"
  "--str:#2e7d32;--num:#b3541e;--com:#6a737d;--err:#b00020}\n"
  "html{font-size:17px}\n"
  "body{margin:0;color:var(--ink);background:#fff;font-family:Charter,'Bitstream Charter','Sitka Text',"
  "Cambria,'DejaVu Serif','Liberation Serif',serif;line-height:1.55}\n"
  "main{max-width:52rem;margin:0 auto;padding:2.5rem 1.25rem 4rem}\n"
  "h1{font-size:1.7rem;line-height:1.25;margin:0 0 1rem}h2{font-size:1.3rem;margin:2rem 0 .6rem}"
  "h3{font-size:1.1rem;margin:1.6rem 0 .5rem}\n"
  "p{margin:.6rem 0}a{color:var(--bi)}\n"
  ".source{color:var(--muted);font-size:.85rem;margin-bottom:2rem;border-bottom:1px solid var(--rule);"
  "padding-bottom:.6rem}\n"
  "code,pre{font-family:'DejaVu Sans Mono','Liberation Mono',Menlo,Consolas,monospace;font-size:.8rem}\n"
  ":not(pre)>code{background:var(--code-bg);padding:.05em .3em;border-radius:3px}\n"
  "pre{margin:.8rem 0;padding:.7rem .9rem;overflow-x:auto;line-height:1.45;border-radius:6px}\n"
  "pre.code{background:var(--code-bg);border:1px solid var(--rule)}\n"
  "pre.code .ln{display:inline-block;width:2.6em;margin-right:.9em;text-align:right;color:#a0a4a8;"
  "user-select:none}\n"
  ".k{color:var(--kw);font-weight:600}.b{color:var(--bi)}.s{color:var(--str)}.n{color:var(--num)}"
  ".c{color:var(--com);font-style:italic}\n"
  "pre.output{background:#fff;border-left:3px solid var(--bi);border-radius:0 6px 6px 0;"
  "padding-left:1rem;color:#24292f}\n"
  "pre.error{background:#fff5f5;border-left:3px solid var(--err);color:var(--err)}\n"
  "figure{margin:1.2rem 0;text-align:center}figure img{max-width:100%;height:auto}\n"
  "figcaption{color:var(--muted);font-size:.9rem;margin-top:.3rem}\n"
  ".math{font-style:italic;white-space:nowrap}.upright{font-style:normal}\n"
  ".frac{display:inline-flex;flex-direction:column;vertical-align:middle;text-align:center;"
  "font-size:.9em}.frac>span:first-child{border-bottom:1px solid}\n"
  ".radicand{border-top:1px solid;padding-top:.05em}\n"
  "blockquote{margin:.8rem 0;padding-left:1rem;border-left:3px solid var(--rule);color:var(--muted)}\n"
  "@media print{pre{white-space:pre-wrap}main{max-width:none}}\n";

static void html_escape(FILE *f, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    switch (s[i]) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    default: fputc(s[i], f);
    }
  }
}

/* ------------------------------------------------------------------ narrative */

/* A math span is replaced by U+E000, its index, U+E001 (private-use characters cmark passes
 * through as text), and its rendering is put back in the HTML cmark writes. */
#define MARK_OPEN "\xee\x80\x80"
#define MARK_CLOSE "\xee\x80\x81"

typedef struct MathSpans {
  char **html;
  int n;
} MathSpans;

static void add_span(StrBuf *md, MathSpans *m, const char *s, size_t n, bool tex) {
  StrBuf h = STRBUF_INIT;
  if (tex) sb_puts(&h, "<span class=\"math\">");
  report_math_html(&h, s, n, tex);
  if (tex) sb_puts(&h, "</span>");
  m->html = dlt_xrealloc(m->html, (size_t)(m->n + 1) * sizeof *m->html);
  m->html[m->n] = dlt_xstrdup(h.s ? h.s : "");
  sb_free(&h);
  char mark[32];
  snprintf(mark, sizeof mark, MARK_OPEN "%d" MARK_CLOSE, m->n++);
  sb_puts(md, mark);
}

static bool ascii_alnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* The code point that ends just before s[at] (0 at the start), and where it begins. */
static unsigned prev_char(const char *s, size_t at, size_t *start) {
  if (at == 0) return *start = 0, 0u;
  size_t b = at - 1;
  while (b > 0 && ((unsigned char)s[b] & 0xC0) == 0x80) b--;
  *start = b;
  unsigned char c = (unsigned char)s[b];
  if (c < 0x80) return c;
  unsigned cp = c & (c >= 0xF0 ? 0x07 : c >= 0xE0 ? 0x0F : 0x1F);
  for (size_t k = b + 1; k < at; k++) cp = cp << 6 | ((unsigned char)s[k] & 0x3F);
  return cp;
}

static bool letter(unsigned cp) {
  return (cp < 0x80 && ascii_alnum((unsigned char)cp) && !(cp >= '0' && cp <= '9')) || (cp >= 0xC0 && cp <= 0x24F) ||
         (cp >= 0x370 && cp <= 0x3FF);
}

/* x_j, κ_h, w_1: a one-letter name with a one-character subscript, as math writes it (a_j(x) too);
 * snake_case words (kappa_mean) are left alone. */
static bool short_subscript(const char *line, size_t len, size_t j) {
  if (line[j] != '_' || j + 1 >= len || !ascii_alnum((unsigned char)line[j + 1])) return false;
  if (j + 2 < len && (ascii_alnum((unsigned char)line[j + 2]) || line[j + 2] == '_')) return false;
  size_t start, before;
  if (!letter(prev_char(line, j, &start))) return false;
  unsigned cp = prev_char(line, start, &before);
  return start == 0 || !(letter(cp) || (cp >= '0' && cp <= '9') || cp == '_');
}

/* The narrative with its math taken out: $…$ spans, and _{…} / ^{…} groups outside them. Code
 * spans and fenced code blocks are left as they are. */
static void take_math(const char *s, size_t n, StrBuf *md, MathSpans *m) {
  bool fenced = false;
  size_t i = 0;
  while (i < n) {
    size_t eol = i;
    while (eol < n && s[eol] != '\n') eol++;
    const char *line = s + i;
    size_t len = eol - i;
    size_t lead = 0;
    while (lead < len && line[lead] == ' ') lead++;
    if (len - lead >= 3 && (strncmp(line + lead, "```", 3) == 0 || strncmp(line + lead, "~~~", 3) == 0)) fenced = !fenced;
    if (fenced || (len - lead >= 3 && (strncmp(line + lead, "```", 3) == 0 || strncmp(line + lead, "~~~", 3) == 0))) {
      sb_putn(md, line, len);
    } else {
      size_t j = 0;
      while (j < len) {
        char c = line[j];
        if (c == '`') { /* a code span: copied up to its closing backticks */
          size_t k = j + 1;
          while (k < len && line[k] != '`') k++;
          size_t end = k < len ? k + 1 : len;
          sb_putn(md, line + j, end - j);
          j = end;
        } else if (c == '\\' && j + 1 < len && line[j + 1] == '$') {
          sb_putn(md, line + j, 2);
          j += 2;
        } else if (c == '$') {
          size_t k = j + 1;
          while (k < len && (line[k] != '$' || line[k - 1] == '\\')) k++;
          if (k < len && k > j + 1) {
            add_span(md, m, line + j + 1, k - j - 1, true);
            j = k + 1;
          } else {
            sb_putc(md, c);
            j++;
          }
        } else if (short_subscript(line, len, j)) {
          add_span(md, m, line + j, 2, false);
          j += 2;
        } else if ((c == '_' || c == '^') && j > 0 && j + 1 < len && line[j + 1] == '{') {
          size_t depth = 0, k = j + 1;
          for (; k < len; k++) {
            if (line[k] == '{') depth++;
            else if (line[k] == '}' && --depth == 0) break;
          }
          if (k < len) {
            add_span(md, m, line + j, k + 1 - j, false);
            j = k + 1;
          } else {
            sb_putc(md, c);
            j++;
          }
        } else {
          sb_putc(md, c);
          j++;
        }
      }
    }
    if (eol < n) sb_putc(md, '\n');
    i = eol + 1;
  }
}

static void write_narrative(FILE *f, const char *text, size_t len) {
  StrBuf md = STRBUF_INIT;
  MathSpans m = {NULL, 0};
  take_math(text, len, &md, &m);
  char *html = markdown_to_html(md.s ? md.s : "", md.len, CMARK_OPT_DEFAULT);
  const char *p = html ? html : ""; /* NULL: out of memory in cmark */
  fputs("<section class=\"narrative\">\n", f);
  for (;;) {
    const char *open = strstr(p, MARK_OPEN);
    if (!open) break;
    fwrite(p, 1, (size_t)(open - p), f);
    char *end;
    long k = strtol(open + 3, &end, 10);
    if (k >= 0 && k < m.n && strncmp(end, MARK_CLOSE, 3) == 0) {
      fputs(m.html[k], f);
      p = end + 3;
    } else {
      fwrite(open, 1, 3, f);
      p = open + 3;
    }
  }
  fputs(p, f);
  fputs("</section>\n", f);
  free(html);
  for (int i = 0; i < m.n; i++) free(m.html[i]);
  free(m.html);
  sb_free(&md);
}

/* ------------------------------------------------------------------ code */

static bool ident_byte(unsigned char c, bool first) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 || (!first && c >= '0' && c <= '9');
}

static bool is_builtin(Interp *I, const char *s, size_t n) {
  char name[128];
  if (n >= sizeof name) return false;
  memcpy(name, s, n);
  name[n] = '\0';
  int g = global_lookup(I, name);
  return g >= 0 && g < I->nlibrary_globals;
}

static void span(FILE *f, const char *cls, const char *s, size_t n) {
  fprintf(f, "<span class=\"%s\">", cls);
  html_escape(f, s, n);
  fputs("</span>", f);
}

/* One line of DLT, highlighted. Strings do not span lines in DLT, so lines are independent. */
static void highlight_line(Interp *I, FILE *f, const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    size_t j = i + 1;
    if (c == '#') {
      span(f, "c", s + i, n - i);
      return;
    }
    if (c == '"') {
      while (j < n && s[j] != '"') j += (s[j] == '\\' && j + 1 < n) ? 2 : 1;
      if (j < n) j++;
      span(f, "s", s + i, j - i);
    } else if ((c >= '0' && c <= '9') || (c == '.' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')) {
      while (j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == 'e' || s[j] == 'E' ||
                       (s[j] == '.' && !(j + 1 < n && s[j + 1] == '.')) ||
                       ((s[j] == '-' || s[j] == '+') && (s[j - 1] == 'e' || s[j - 1] == 'E'))))
        j++;
      span(f, "n", s + i, j - i);
    } else if (ident_byte(c, true)) {
      while (j < n && ident_byte((unsigned char)s[j], false)) j++;
      if (dlt_is_keyword(s + i, j - i)) span(f, "k", s + i, j - i);
      else if (is_builtin(I, s + i, j - i)) span(f, "b", s + i, j - i);
      else html_escape(f, s + i, j - i);
    } else {
      html_escape(f, s + i, 1);
    }
    i = j;
  }
}

static void write_code(Interp *I, FILE *f, const ReportBlock *b) {
  fputs("<pre class=\"code\"><code>", f);
  unsigned line = b->first_line;
  const char *s = b->text, *end = b->text + b->len;
  while (s < end) {
    const char *eol = memchr(s, '\n', (size_t)(end - s));
    if (!eol) eol = end;
    fprintf(f, "<span class=\"ln\">%u</span>", line++);
    highlight_line(I, f, s, (size_t)(eol - s));
    fputc('\n', f);
    s = eol + 1;
  }
  fputs("</code></pre>\n", f);
}

/* ------------------------------------------------------------------ the page */

void report_write_html(const Report *r, FILE *f) {
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"dlt " PACKAGE_VERSION "\">\n<title>", f);
  html_escape(f, r->title, strlen(r->title));
  fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", style);
  fputs("<p class=\"source\">", f);
  html_escape(f, r->script, strlen(r->script));
  fputs(" · run with dlt " PACKAGE_VERSION "</p>\n", f);
  int figures = 0;
  for (int i = 0; i < r->n; i++) {
    const ReportBlock *b = &r->b[i];
    switch (b->kind) {
    case RB_NARRATIVE: write_narrative(f, b->text, b->len); break;
    case RB_CODE: write_code(r->I, f, b); break;
    case RB_OUTPUT:
    case RB_ERROR:
      fprintf(f, "<pre class=\"%s\">", b->kind == RB_OUTPUT ? "output" : "error");
      html_escape(f, b->text, b->len);
      fputs("</pre>\n", f);
      break;
    case RB_FIGURE:
      figures++;
      fputs("<figure>\n<img src=\"data:image/svg+xml;base64,", f);
      report_base64(f, (const unsigned char *)b->text, b->len);
      fprintf(f, "\" alt=\"Figure %d", figures);
      if (b->caption) {
        fputs(": ", f);
        html_escape(f, b->caption, strlen(b->caption));
      }
      fprintf(f, "\">\n<figcaption>Figure %d%s", figures, b->caption ? ". " : "");
      if (b->caption) html_escape(f, b->caption, strlen(b->caption));
      fputs("</figcaption>\n</figure>\n", f);
      break;
    }
  }
  fputs("</main>\n</body>\n</html>\n", f);
}
