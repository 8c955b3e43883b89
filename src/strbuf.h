/* strbuf.h - a growable byte buffer for building messages and printed values. */
#ifndef DLT_STRBUF_H
#define DLT_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct StrBuf {
  char *s;
  size_t len, cap;
};

#define STRBUF_INIT {NULL, 0, 0}

void sb_putc(struct StrBuf *b, char c);
void sb_puts(struct StrBuf *b, const char *s);
void sb_putn(struct StrBuf *b, const char *s, size_t n);
void sb_printf(struct StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct StrBuf *b, const char *fmt, va_list ap);
void sb_pad(struct StrBuf *b, char c, size_t n);
const char *sb_cstr(struct StrBuf *b); /* always NUL-terminated, never NULL */
char *sb_take(struct StrBuf *b);       /* hands the string over; the buffer is reset */
void sb_free(struct StrBuf *b);
void sb_truncate(struct StrBuf *b, size_t len);

#endif
