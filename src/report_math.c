/* report_math.c - math in a report's narrative, as HTML without scripts or fonts.
 *
 * Lecture narratives write math the way the terminal shows it, in Unicode (‖∇h‖², κ ~ 1/√p), with
 * TeX-style groups for what Unicode lacks: x_{j≤i}, e^{−λt}. Inside `$…$` a small TeX subset is
 * read as well: Greek letters and common symbols by name (\alpha, \sum, \le, \mathbb{R}), \frac,
 * \sqrt, \text. The report must stay one self-contained file that opens anywhere, so this is
 * rendered with <sub>, <sup> and CSS rather than with a typesetting script (see docs/report.md).
 */
#include <string.h>

#include "report.h"
#include "strbuf.h"

static const struct { const char *name, *text; } tex_symbols[] = {
  {"alpha", "α"}, {"beta", "β"}, {"gamma", "γ"}, {"delta", "δ"}, {"epsilon", "ε"}, {"varepsilon", "ε"},
  {"zeta", "ζ"}, {"eta", "η"}, {"theta", "θ"}, {"vartheta", "ϑ"}, {"iota", "ι"}, {"kappa", "κ"},
  {"lambda", "λ"}, {"mu", "μ"}, {"nu", "ν"}, {"xi", "ξ"}, {"pi", "π"}, {"rho", "ρ"}, {"sigma", "σ"},
  {"tau", "τ"}, {"upsilon", "υ"}, {"phi", "φ"}, {"varphi", "φ"}, {"chi", "χ"}, {"psi", "ψ"},
  {"omega", "ω"}, {"Gamma", "Γ"}, {"Delta", "Δ"}, {"Theta", "Θ"}, {"Lambda", "Λ"}, {"Xi", "Ξ"},
  {"Pi", "Π"}, {"Sigma", "Σ"}, {"Phi", "Φ"}, {"Psi", "Ψ"}, {"Omega", "Ω"},
  {"sum", "∑"}, {"prod", "∏"}, {"int", "∫"}, {"infty", "∞"}, {"partial", "∂"}, {"nabla", "∇"},
  {"le", "≤"}, {"leq", "≤"}, {"ge", "≥"}, {"geq", "≥"}, {"ne", "≠"}, {"neq", "≠"}, {"approx", "≈"},
  {"sim", "∼"}, {"simeq", "≃"}, {"equiv", "≡"}, {"propto", "∝"}, {"ll", "≪"}, {"gg", "≫"},
  {"to", "→"}, {"rightarrow", "→"}, {"leftarrow", "←"}, {"Rightarrow", "⇒"}, {"mapsto", "↦"},
  {"in", "∈"}, {"notin", "∉"}, {"subset", "⊂"}, {"subseteq", "⊆"}, {"cup", "∪"}, {"cap", "∩"},
  {"forall", "∀"}, {"exists", "∃"}, {"cdot", "·"}, {"cdots", "⋯"}, {"ldots", "…"}, {"dots", "…"},
  {"times", "×"}, {"otimes", "⊗"}, {"circ", "∘"}, {"pm", "±"}, {"mp", "∓"}, {"|", "‖"},
  {"Vert", "‖"}, {"langle", "⟨"}, {"rangle", "⟩"}, {"ell", "ℓ"}, {"top", "⊤"}, {"star", "⋆"},
  {"log", "log"}, {"exp", "exp"}, {"sin", "sin"}, {"cos", "cos"}, {"tanh", "tanh"}, {"max", "max"},
  {"min", "min"}, {"sup", "sup"}, {"inf", "inf"}, {"lim", "lim"}, {"det", "det"}, {"tr", "tr"},
  {"quad", "\u2003"}, {"qquad", "\u2003\u2003"}, {",", "\u2009"}, {";", "\u2005"}, {" ", " "},
  {"{", "{"}, {"}", "}"}, {"left", ""}, {"right", ""}, {"big", ""}, {"Big", ""},
};

static const struct { char letter; const char *text; } blackboard[] = {
  {'R', "ℝ"}, {'N', "ℕ"}, {'Z', "ℤ"}, {'Q', "ℚ"}, {'C', "ℂ"}, {'E', "𝔼"}, {'P', "ℙ"}, {'S', "𝕊"},
};

static void escaped(StrBuf *out, char c) {
  switch (c) {
  case '&': sb_puts(out, "&amp;"); break;
  case '<': sb_puts(out, "&lt;"); break;
  case '>': sb_puts(out, "&gt;"); break;
  case '"': sb_puts(out, "&quot;"); break;
  default: sb_putc(out, c);
  }
}

/* The extent of a {group} starting at s[i] == '{': returns the index after its '}' (or n). */
static size_t group_end(const char *s, size_t n, size_t i) {
  int depth = 0;
  for (; i < n; i++) {
    if (s[i] == '\\' && i + 1 < n) i++;
    else if (s[i] == '{') depth++;
    else if (s[i] == '}' && --depth == 0) return i + 1;
  }
  return n;
}

/* One argument of a script or a macro: a {group} (its inside) or one UTF-8 character. */
static size_t argument(const char *s, size_t n, size_t i, size_t *start, size_t *len) {
  if (i < n && s[i] == '{') {
    size_t e = group_end(s, n, i);
    *start = i + 1;
    *len = (e > i + 1 && e <= n && s[e - 1] == '}') ? e - i - 2 : e - i - 1;
    return e;
  }
  size_t e = i + 1;
  if (s[i] == '\\') /* a macro: \top, \infty */
    while (e < n && ((s[e] >= 'a' && s[e] <= 'z') || (s[e] >= 'A' && s[e] <= 'Z'))) e++;
  while (e < n && ((unsigned char)s[e] & 0xC0) == 0x80) e++;
  *start = i;
  *len = e <= n ? e - i : 0;
  return e;
}

static size_t macro(StrBuf *out, const char *s, size_t n, size_t i) {
  size_t name = i + 1, e = name;
  while (e < n && ((s[e] >= 'a' && s[e] <= 'z') || (s[e] >= 'A' && s[e] <= 'Z'))) e++;
  if (e == name && e < n) e++; /* \, \; \| \{ */
  size_t len = e - name, a, alen;
  if (len == 6 && strncmp(s + name, "mathbb", 6) == 0) {
    size_t next = argument(s, n, e, &a, &alen);
    for (size_t k = 0; k < sizeof blackboard / sizeof blackboard[0]; k++)
      if (alen == 1 && s[a] == blackboard[k].letter) {
        sb_puts(out, blackboard[k].text);
        return next;
      }
    report_math_html(out, s + a, alen, true);
    return next;
  }
  if ((len == 4 && strncmp(s + name, "text", 4) == 0) || (len == 6 && strncmp(s + name, "mathrm", 6) == 0) ||
      (len == 8 && strncmp(s + name, "operatorname", 8) == 0)) {
    size_t next = argument(s, n, e, &a, &alen);
    sb_puts(out, "<span class=\"upright\">");
    for (size_t k = 0; k < alen; k++) escaped(out, s[a + k]);
    sb_puts(out, "</span>");
    return next;
  }
  if (len == 4 && strncmp(s + name, "frac", 4) == 0) {
    size_t b, blen, next = argument(s, n, e, &a, &alen);
    next = argument(s, n, next, &b, &blen);
    sb_puts(out, "<span class=\"frac\"><span>");
    report_math_html(out, s + a, alen, true);
    sb_puts(out, "</span><span>");
    report_math_html(out, s + b, blen, true);
    sb_puts(out, "</span></span>");
    return next;
  }
  if (len == 4 && strncmp(s + name, "sqrt", 4) == 0) {
    size_t next = argument(s, n, e, &a, &alen);
    sb_puts(out, "√<span class=\"radicand\">");
    report_math_html(out, s + a, alen, true);
    sb_puts(out, "</span>");
    return next;
  }
  for (size_t k = 0; k < sizeof tex_symbols / sizeof tex_symbols[0]; k++)
    if (strlen(tex_symbols[k].name) == len && strncmp(s + name, tex_symbols[k].name, len) == 0) {
      bool word = len > 1 && tex_symbols[k].text[0] >= 'a' && tex_symbols[k].text[0] <= 'z';
      if (word) sb_puts(out, "<span class=\"upright\">");
      sb_puts(out, tex_symbols[k].text);
      if (word) sb_puts(out, "</span>");
      return e;
    }
  for (size_t k = i; k < e; k++) escaped(out, s[k]); /* unknown: shown as written */
  return e;
}

/* Math text to HTML: _{…} and ^{…} become sub- and superscripts everywhere; inside $…$ (tex)
 * a single character may follow _ or ^, and TeX macros are read. */
void report_math_html(StrBuf *out, const char *s, size_t n, bool tex) {
  size_t i = 0;
  while (i < n) {
    char c = s[i];
    if ((c == '_' || c == '^') && i + 1 < n && (tex || s[i + 1] == '{' || i == 0)) {
      size_t a, alen, next = argument(s, n, i + 1, &a, &alen);
      sb_puts(out, c == '_' ? "<sub>" : "<sup>");
      report_math_html(out, s + a, alen, tex);
      sb_puts(out, c == '_' ? "</sub>" : "</sup>");
      i = next;
    } else if (tex && c == '\\' && i + 1 < n) {
      i = macro(out, s, n, i);
    } else if (tex && (c == '{' || c == '}')) {
      i++; /* TeX grouping braces are not printed */
    } else {
      escaped(out, c);
      i++;
    }
  }
}
