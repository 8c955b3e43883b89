/* strbuf.c - growable byte buffer. */
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

static void sb_reserve(struct StrBuf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1) cap *= 2;
  b->s = dlt_xrealloc(b->s, cap);
  b->cap = cap;
}

void sb_putn(struct StrBuf *b, const char *s, size_t n) {
  sb_reserve(b, n);
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void sb_putc(struct StrBuf *b, char c) { sb_putn(b, &c, 1); }
void sb_puts(struct StrBuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

void sb_pad(struct StrBuf *b, char c, size_t n) {
  sb_reserve(b, n);
  memset(b->s + b->len, c, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void sb_vprintf(struct StrBuf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return;
  sb_reserve(b, (size_t)n);
  vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void sb_printf(struct StrBuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sb_vprintf(b, fmt, ap);
  va_end(ap);
}

const char *sb_cstr(struct StrBuf *b) { return b->s ? b->s : ""; }

char *sb_take(struct StrBuf *b) {
  char *s = b->s ? b->s : dlt_xstrdup("");
  b->s = NULL;
  b->len = b->cap = 0;
  return s;
}

void sb_truncate(struct StrBuf *b, size_t len) {
  if (len < b->len) {
    b->len = len;
    b->s[len] = '\0';
  }
}

void sb_free(struct StrBuf *b) {
  free(b->s);
  b->s = NULL;
  b->len = b->cap = 0;
}
