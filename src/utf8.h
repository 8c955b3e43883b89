/* utf8.h - checking UTF-8: DLT source, strings read from files, and text handed to PLplot must be
 * well formed (no overlong forms, no surrogates, nothing past U+10FFFF). */
#ifndef DLT_UTF8_H
#define DLT_UTF8_H

#include <stddef.h>

/* The length (1-4) of the well-formed UTF-8 character at s, of which avail bytes may be read; 0
 * if the bytes there are not one. */
int utf8_char_len(const unsigned char *s, size_t avail);

/* The offset of the first byte of s[0..len) that does not belong to a well-formed UTF-8
 * character; len when all of it is UTF-8. */
size_t utf8_invalid_at(const char *s, size_t len);

#endif
