/* utf8.c - checking UTF-8 (see utf8.h). The ranges are those of RFC 3629's table of well-formed
 * byte sequences: the second byte's range is narrowed after E0, ED, F0 and F4. */
#include "utf8.h"

int utf8_char_len(const unsigned char *s, size_t avail) {
  if (avail == 0) return 0;
  unsigned c = s[0];
  int n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (n == 0 || (size_t)n > avail) return 0;
  for (int i = 1; i < n; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
    return 0;
  return n;
}

size_t utf8_invalid_at(const char *s, size_t len) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    int n = utf8_char_len(u + i, len - i);
    if (n == 0) return i;
    i += (size_t)n;
  }
  return len;
}
