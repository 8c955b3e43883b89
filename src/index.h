/* index.h - 1-based indexing, slicing, indexed assignment and iteration. */
#ifndef DLT_INDEX_H
#define DLT_INDEX_H

#include "value.h"

/* `where` points to nsubs + 1 spans: the whole index expression, then each subscript, so that an
 * error names the offending subscript. */

/* base[subs...]; a sub is a number, a range, an index vector, or a bare `:` (passed as V_UNDEF). */
Value index_get(Interp *I, Value base, const Value *subs, int nsubs, const Span *where);
/* (*slot)[subs...] = v, where *slot is already unique (copy-on-write done by the caller). */
Value index_set(Interp *I, Value *slot, const Value *subs, int nsubs, Value v, const Span *where);
/* The value of `end` for dimension dim of nsubs subscripts of base; NAN after raising an error. */
double index_end(Interp *I, Value base, int dim, int nsubs, const Span *where);
/* A pointer to the storage of base[sub] inside a list or record (for nested assignment like
 * xs[2].w = 1), or NULL after raising an error. *slot must already be unique. */
Value *index_ref(Interp *I, Value *slot, const Value *subs, int nsubs, const Span *where);

/* "record has no field 'x'; did you mean 'y'?" */
Value record_missing_field(Interp *I, Record *r, const char *name, const Span *where);

/* Iteration for `for x in v`: the number of items, and item i (a new reference). */
typedef struct Iter {
  Value src;
  size_t n, i;
} Iter;
bool iter_init(Interp *I, Iter *it, Value v, const Span *where);
Value iter_item(Iter *it, size_t i);

/* Code-point length and the byte offset of code point i of a UTF-8 string. */
size_t utf8_len(const char *s, size_t bytes);
size_t utf8_offset(const char *s, size_t bytes, size_t i);

/* The note under "index 0 is out of bounds" (tables use it too). */
extern const char *const zero_index_note;

#endif
