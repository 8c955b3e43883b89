/* print.c - printing values: shortest round-trip numbers, aligned and summarised matrices. */
#include "print.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "builtin.h"

#define VEC_SHOW_MAX 20   /* vectors longer than this are summarised */
#define VEC_SHOW_EDGE 6   /* ... showing this many entries at each end */
#define MAT_ROWS_MAX 12
#define MAT_ROWS_EDGE 5
#define MAT_COLS_MAX 10
#define MAT_COLS_EDGE 4
#define NEST_MAX 64       /* containers nested deeper print as "..." */

/* Shortest round trip, laid out like Python's repr: plain digits for 1e-4 <= |x| < 1e16, otherwise
 * an exponent ("1e+21", "1.5e-07"). */
/* nan and the infinities print the same everywhere; returns whether x was one of them */
static bool fmt_special(StrBuf *b, double x) {
  if (isnan(x)) sb_puts(b, "nan");
  else if (isinf(x)) sb_puts(b, x > 0 ? "inf" : "-inf");
  else return false;
  return true;
}

void fmt_num(StrBuf *b, double x) {
  if (fmt_special(b, x)) return;
  if (x == 0) {
    sb_puts(b, signbit(x) ? "-0" : "0");
    return;
  }
  char buf[64];
  /* An integer below 10^16 prints as itself (the shortest form of it is all its digits, written
   * without an exponent below), and sweeps print every coordinate for the point's key: no search. */
  if (fabs(x) < 1e16 && x == trunc(x)) {
    unsigned long long u = (unsigned long long)fabs(x);
    char *p = buf + sizeof buf;
    *--p = '\0';
    do *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (x < 0) *--p = '-';
    sb_puts(b, p);
    return;
  }
  /* The fewest significant digits that read back as x. Reading back is monotonic in the number of
   * digits (more digits land nearer x), so a binary search over 1..17 finds it in five tries. */
  int lo = 1, hi = 17;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    snprintf(buf, sizeof buf, "%.*e", mid - 1, x);
    if (strtod(buf, NULL) == x) hi = mid;
    else lo = mid + 1;
  }
  int digits = lo;
  snprintf(buf, sizeof buf, "%.*e", digits - 1, x);
  int exp10 = atoi(strchr(buf, 'e') + 1);
  if (exp10 >= -4 && exp10 < 16) {
    int decimals = digits - 1 - exp10;
    snprintf(buf, sizeof buf, "%.*f", decimals > 0 ? decimals : 0, x);
  }
  sb_puts(b, buf);
}

void fmt_num_short(StrBuf *b, double x) {
  if (fmt_special(b, x)) return;
  char buf[40];
  snprintf(buf, sizeof buf, "%.6g", x);
  sb_puts(b, buf);
}

void fmt_shape(StrBuf *b, size_t rows, size_t cols) { sb_printf(b, "%zu×%zu", rows, cols); }

static void print_string_repr(StrBuf *b, const Str *s) {
  sb_putc(b, '"');
  for (size_t i = 0; i < s->len; i++) {
    unsigned char c = (unsigned char)s->s[i];
    switch (c) {
    case '"': sb_puts(b, "\\\""); break;
    case '\\': sb_puts(b, "\\\\"); break;
    case '\n': sb_puts(b, "\\n"); break;
    case '\t': sb_puts(b, "\\t"); break;
    case '\r': sb_puts(b, "\\r"); break;
    default:
      if (c < 0x20 || c == 0x7f)
        sb_printf(b, "\\u{%x}", c);
      else
        sb_putc(b, (char)c);
    }
  }
  sb_putc(b, '"');
}

static bool is_identifier(const char *s) {
  if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))) return false;
  for (s++; *s; s++)
    if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
      return false;
  return true;
}

/* ------------------------------------------------------------------ matrices */
static void print_vector(StrBuf *b, const Mat *m) {
  size_t n = mat_numel(m);
  bool summarise = n > VEC_SHOW_MAX;
  sb_putc(b, '[');
  for (size_t i = 0; i < n; i++) {
    if (summarise && i == VEC_SHOW_EDGE) {
      sb_puts(b, ", ...");
      i = n - VEC_SHOW_EDGE;
    }
    if (i) sb_puts(b, ", ");
    fmt_num_short(b, m->data[i * (m->m.size2 == 1 ? m->m.tda : 1)]);
  }
  sb_putc(b, ']');
  if (summarise) {
    sb_puts(b, " (");
    fmt_shape(b, mat_rows(m), mat_cols(m));
    sb_putc(b, ')');
  }
}

/* Entries of the shown rows/columns formatted once, then aligned on the decimal point. */
static void print_matrix(StrBuf *b, const Mat *m, int indent, bool inline_) {
  size_t R = mat_rows(m), C = mat_cols(m);
  bool cut_r = R > MAT_ROWS_MAX, cut_c = C > MAT_COLS_MAX;
  size_t nr = cut_r ? 2 * MAT_ROWS_EDGE : R, nc = cut_c ? 2 * MAT_COLS_EDGE : C;
  size_t *ri = dlt_xmalloc(nr * sizeof(size_t)), *ci = dlt_xmalloc(nc * sizeof(size_t));
  for (size_t i = 0; i < nr; i++) ri[i] = cut_r && i >= MAT_ROWS_EDGE ? R - nr + i : i;
  for (size_t j = 0; j < nc; j++) ci[j] = cut_c && j >= MAT_COLS_EDGE ? C - nc + j : j;

  char **cells = dlt_xmalloc(nr * nc * sizeof(char *));
  size_t *left = dlt_xcalloc(nc, sizeof(size_t)), *right = dlt_xcalloc(nc, sizeof(size_t));
  for (size_t i = 0; i < nr; i++)
    for (size_t j = 0; j < nc; j++) {
      StrBuf e = STRBUF_INIT;
      fmt_num_short(&e, m->data[ri[i] * m->m.tda + ci[j]]);
      char *s = sb_take(&e);
      const char *dot = strchr(s, '.');
      size_t l = dot ? (size_t)(dot - s) : strlen(s), r = strlen(s) - l;
      if (l > left[j]) left[j] = l;
      if (r > right[j]) right[j] = r;
      cells[i * nc + j] = s;
    }

  sb_putc(b, '[');
  for (size_t i = 0; i < nr; i++) {
    if (i) {
      sb_puts(b, inline_ ? ", " : ",\n");
      if (!inline_) sb_pad(b, ' ', (size_t)indent + 1);
      if (cut_r && i == MAT_ROWS_EDGE) {
        sb_puts(b, inline_ ? "..., " : "...,\n");
        if (!inline_) sb_pad(b, ' ', (size_t)indent + 1);
      }
    }
    sb_putc(b, '[');
    size_t owed = 0; /* the previous entry's right padding, paid after its comma */
    for (size_t j = 0; j < nc; j++) {
      if (j) {
        sb_puts(b, ", ");
        if (!inline_) sb_pad(b, ' ', owed);
      }
      if (cut_c && j == MAT_COLS_EDGE) sb_puts(b, "..., ");
      const char *s = cells[i * nc + j];
      const char *dot = strchr(s, '.');
      size_t l = dot ? (size_t)(dot - s) : strlen(s), r = strlen(s) - l;
      if (!inline_) sb_pad(b, ' ', left[j] - l);
      sb_puts(b, s);
      owed = right[j] - r;
    }
    sb_putc(b, ']');
  }
  sb_putc(b, ']');
  if (cut_r || cut_c) {
    sb_puts(b, " (");
    fmt_shape(b, R, C);
    sb_putc(b, ')');
  }
  for (size_t k = 0; k < nr * nc; k++) free(cells[k]);
  free(cells);
  free(left);
  free(right);
  free(ri);
  free(ci);
}

static void print_mat(StrBuf *b, const Mat *m, int indent, bool inline_) {
  size_t R = mat_rows(m), C = mat_cols(m);
  if (R == 0 || C == 0) {
    if (C == 1)
      sb_printf(b, "zeros(%zu)", R);
    else
      sb_printf(b, "zeros(%zu, %zu)", R, C);
  } else if (C == 1) {
    print_vector(b, m);
  } else if (R == 1) {
    sb_putc(b, '[');
    print_vector(b, m);
    sb_putc(b, ']');
  } else {
    print_matrix(b, m, indent, inline_);
  }
}

/* ------------------------------------------------------------------ everything else */
static void print_value(StrBuf *b, Value v, PrintMode mode, int depth, int indent) {
  switch (v.t) {
  case V_NIL: sb_puts(b, "nil"); return;
  case V_BOOL: sb_puts(b, v.u.b ? "true" : "false"); return;
  case V_NUM: fmt_num(b, v.u.n); return;
  case V_OBJ: break;
  default: sb_puts(b, "<undefined>"); return;
  }
  if (depth > NEST_MAX) {
    sb_puts(b, "...");
    return;
  }
  switch ((ObjKind)v.u.o->kind) {
  case OBJ_STRING:
    if (!(mode & PRINT_REPR))
      sb_putn(b, AS_STR(v)->s, AS_STR(v)->len);
    else
      print_string_repr(b, AS_STR(v));
    return;
  case OBJ_MATRIX: print_mat(b, AS_MAT(v), indent, (mode & PRINT_INLINE) != 0); return;
  case OBJ_LIST: {
    List *l = AS_LIST(v);
    /* on one line (a binding in --step, a message) a long list is summarised as matrices are */
    bool cut = (mode & PRINT_INLINE) && l->n > MAT_ROWS_MAX;
    sb_putc(b, '[');
    for (size_t i = 0; i < l->n; i++) {
      if (cut && i == MAT_ROWS_EDGE) {
        sb_puts(b, ", ...");
        i = l->n - MAT_ROWS_EDGE;
      }
      if (i) sb_puts(b, ", ");
      print_value(b, l->items[i], PRINT_REPR | (mode & PRINT_INLINE), depth + 1, indent + 1);
    }
    sb_putc(b, ']');
    if (cut) sb_printf(b, " (%zu items)", l->n);
    return;
  }
  case OBJ_RECORD: {
    Record *r = AS_RECORD(v);
    sb_putc(b, '{');
    for (size_t i = 0; i < r->n; i++) {
      if (i) sb_puts(b, ", ");
      if (is_identifier(r->keys[i]->s))
        sb_puts(b, r->keys[i]->s);
      else
        print_string_repr(b, r->keys[i]);
      sb_puts(b, ": ");
      print_value(b, r->vals[i], PRINT_REPR | (mode & PRINT_INLINE), depth + 1, indent + 2 + (int)r->keys[i]->len + 2);
    }
    sb_putc(b, '}');
    return;
  }
  case OBJ_RANGE: {
    Range *r = AS_RANGE(v);
    if (r->step == 1) {
      fmt_num(b, r->start);
      sb_puts(b, "..");
      fmt_num(b, r->stop);
    } else {
      sb_puts(b, "range(");
      fmt_num(b, r->start);
      sb_puts(b, ", ");
      fmt_num(b, r->stop);
      sb_puts(b, ", ");
      fmt_num(b, r->step);
      sb_putc(b, ')');
    }
    return;
  }
  case OBJ_CLOSURE: {
    char *sig = proto_signature(AS_CLOSURE(v)->proto);
    sb_printf(b, "<fn %s>", sig);
    free(sig);
    return;
  }
  case OBJ_BUILTIN: sb_printf(b, "<builtin %s>", AS_BUILTIN(v)->def->name); return;
  case OBJ_CELL: print_value(b, ((Cell *)v.u.o)->v, mode, depth + 1, indent); return;
  case OBJ_EXT: AS_EXT(v)->cls->print(v.u.o, b); return;
  }
}

void val_print(StrBuf *b, Value v, PrintMode mode) { print_value(b, v, mode, 0, 0); }

char *val_to_cstr(Value v, PrintMode mode) {
  StrBuf b = STRBUF_INIT;
  val_print(&b, v, mode);
  return sb_take(&b);
}

NumText num_text(double x) {
  NumText t;
  StrBuf b = STRBUF_INIT;
  fmt_num(&b, x);
  snprintf(t.s, sizeof t.s, "%s", sb_cstr(&b));
  sb_free(&b);
  return t;
}
