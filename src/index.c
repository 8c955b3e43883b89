/* index.c - 1-based indexing and slicing, indexed assignment, and iteration.
 *
 * For a vector (n×1 or 1×n) v[i] is an element; for a matrix A[i] is row i (1×cols), A[i, j] an
 * element, and any subscript may be a range, an index vector or `:` to select several.
 * Iterating a value visits exactly what v[1], v[2], ... return.
 */
#include "index.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arith.h"
#include "interp.h"
#include "print.h"
#include "resolve.h"
#include "strbuf.h"

size_t utf8_len(const char *s, size_t bytes) {
  size_t n = 0;
  for (size_t i = 0; i < bytes; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) n++;
  return n;
}

size_t utf8_offset(const char *s, size_t bytes, size_t i) {
  size_t k = 0;
  for (size_t b = 0; b < bytes; b++) {
    if (((unsigned char)s[b] & 0xC0) != 0x80) {
      if (k == i) return b;
      k++;
    }
  }
  return bytes;
}

/* ------------------------------------------------------------------ index sets */

/* A subscript resolved against a dimension of length `len`: a list of 0-based positions. */
typedef struct Sel {
  size_t *idx;
  size_t n;
  bool scalar; /* a single number was given (the dimension is dropped where that makes sense) */
} Sel;

static void sel_free(Sel *s) { free(s->idx); }

/* Index 0 most often comes from arithmetic on masks (m1 * m2 is numbers, not a mask). */
const char *const zero_index_note =
  "numbers select by position; to select where a condition holds, index with a mask: x[x > 0], or mask(m1 * m2) "
  "to combine masks (arithmetic on masks gives ordinary numbers)";

/* `what` is "a vector", "a list", "a string", "a range", or "rows"/"columns" of a matrix. */
static Value bad_index(Interp *I, const Span *where, double x, size_t len, const char *what) {
  StrBuf b = STRBUF_INIT;
  fmt_num(&b, x);
  bool row = strcmp(what, "rows") == 0, col = strcmp(what, "columns") == 0;
  const char *kind = row ? "row index" : col ? "column index" : "index";
  Value e;
  if (x != floor(x))
    e = dlt_error(I, where, "%s %s is not an integer", kind, sb_cstr(&b));
  else if (x < 1) {
    e = dlt_error(I, where, "%s %s is out of bounds: indices start at 1", kind, sb_cstr(&b));
    if (x == 0) dlt_error_note(I, "%s", zero_index_note);
  } else if (row || col)
    e = dlt_error(I, where, "%s %s is out of bounds for a matrix with %zu %s", kind, sb_cstr(&b), len,
                  len == 1 ? (row ? "row" : "column") : what);
  else
    e = dlt_error(I, where, "index %s is out of bounds for %s of length %zu", sb_cstr(&b), what, len);
  sb_free(&b);
  return e;
}

static bool check_pos(Interp *I, const Span *where, double x, size_t len, const char *what, size_t *out) {
  if (!(x == floor(x) && x >= 1 && x <= (double)len)) {
    bad_index(I, where, x, len, what);
    return false;
  }
  *out = (size_t)x - 1;
  return true;
}

static bool make_sel(Interp *I, Value sub, size_t len, const char *what, const Span *where, Sel *s) {
  memset(s, 0, sizeof *s);
  if (sub.t == V_UNDEF) { /* `:` */
    s->n = len;
    s->idx = dlt_xmalloc((len ? len : 1) * sizeof(size_t));
    for (size_t i = 0; i < len; i++) s->idx[i] = i;
    return true;
  }
  if (IS_NUM(sub)) {
    s->scalar = true;
    s->n = 1;
    s->idx = dlt_xmalloc(sizeof(size_t));
    if (!check_pos(I, where, AS_NUM(sub), len, what, &s->idx[0])) {
      free(s->idx);
      return false;
    }
    return true;
  }
  if (IS_RANGE(sub)) {
    Range *r = AS_RANGE(sub);
    s->n = range_len(r);
    if (s->n > len) { /* distinct numbers, more than there are positions: one of the first len + 1 is out */
      size_t pos;
      for (size_t i = 0; i <= len; i++)
        if (!check_pos(I, where, range_at(r, i), len, what, &pos)) return false;
    }
    s->idx = dlt_xmalloc((s->n ? s->n : 1) * sizeof(size_t));
    for (size_t i = 0; i < s->n; i++)
      if (!check_pos(I, where, range_at(r, i), len, what, &s->idx[i])) {
        free(s->idx);
        return false;
      }
    return true;
  }
  if (IS_MAT(sub) && AS_MAT(sub)->logical && mat_is_vector(AS_MAT(sub))) {
    /* a mask along this dimension: the positions where it is 1 */
    Mat *m = AS_MAT(sub);
    if (mat_numel(m) != len) {
      dlt_error(I, where, "a mask of length %zu cannot select from %s of length %zu", mat_numel(m), what, len);
      return false;
    }
    s->idx = dlt_xmalloc((len ? len : 1) * sizeof(size_t));
    for (size_t i = 0; i < len; i++)
      if (m->data[i] != 0) s->idx[s->n++] = i;
    return true;
  }
  if (IS_MAT(sub) && mat_is_vector(AS_MAT(sub))) {
    Mat *m = AS_MAT(sub);
    s->n = mat_numel(m);
    s->idx = dlt_xmalloc((s->n ? s->n : 1) * sizeof(size_t));
    for (size_t i = 0; i < s->n; i++)
      if (!check_pos(I, where, m->data[i], len, what, &s->idx[i])) {
        free(s->idx);
        return false;
      }
    return true;
  }
  if (IS_MAT(sub))
    dlt_error(I, where, "an index must be a number, a range, a vector of indices or ':', got a %zu×%zu matrix",
              mat_rows(AS_MAT(sub)), mat_cols(AS_MAT(sub)));
  else
    dlt_error(I, where, "an index must be a number, a range, a vector of indices or ':', got a %s", val_type_name(sub));
  return false;
}

/* Rows and columns selected by the subscripts of a matrix. */
static bool mat_sels(Interp *I, const Mat *m, const Value *subs, int nsubs, const Span *where, Sel *rs, Sel *cs,
                     bool *vector_like) {
  size_t R = mat_rows(m), C = mat_cols(m);
  *vector_like = false;
  if (nsubs == 1) {
    if (C == 1 || R == 1) {
      /* a vector: one subscript picks elements along its length */
      *vector_like = true;
      Sel s;
      if (!make_sel(I, subs[0], R * C, "a vector", where + 1, &s)) return false;
      Sel all;
      memset(&all, 0, sizeof all);
      all.n = 1;
      all.idx = dlt_xmalloc(sizeof(size_t));
      all.idx[0] = 0;
      all.scalar = true;
      if (C == 1) {
        *rs = s;
        *cs = all;
      } else {
        *rs = all;
        *cs = s;
      }
      return true;
    }
    if (!make_sel(I, subs[0], R, "rows", where + 1, rs)) return false;
    Value colon = v_undef();
    if (!make_sel(I, colon, C, "", where, cs)) {
      sel_free(rs);
      return false;
    }
    return true;
  }
  if (nsubs == 2) {
    if (!make_sel(I, subs[0], R, "rows", where + 1, rs)) return false;
    if (!make_sel(I, subs[1], C, "columns", where + 2, cs)) {
      sel_free(rs);
      return false;
    }
    return true;
  }
  dlt_error(I, where, "a matrix takes 1 or 2 subscripts, got %d", nsubs);
  return false;
}

/* A[mask] with a mask of A's own shape (A not a vector): the entries where the mask is 1, in row
 * order. Returns false if subs is not such a mask. */
static bool whole_mask(const Mat *m, const Value *subs, int nsubs) {
  if (nsubs != 1 || !IS_MAT(subs[0]) || !AS_MAT(subs[0])->logical || mat_is_vector(m)) return false;
  const Mat *k = AS_MAT(subs[0]);
  return mat_rows(k) != 1 && mat_cols(k) != 1;
}

static Value mask_shape_error(Interp *I, const Mat *m, const Mat *k, const Span *where) {
  return dlt_error(I, where, "a %zu×%zu mask cannot select from a %zu×%zu matrix", mat_rows(k), mat_cols(k),
                   mat_rows(m), mat_cols(m));
}

static Value mat_get(Interp *I, Mat *m, const Value *subs, int nsubs, const Span *where) {
  if (whole_mask(m, subs, nsubs)) {
    const Mat *k = AS_MAT(subs[0]);
    if (mat_rows(k) != mat_rows(m) || mat_cols(k) != mat_cols(m)) return mask_shape_error(I, m, k, where + 1);
    size_t n = 0;
    for (size_t i = 0; i < mat_numel(k); i++) n += k->data[i] != 0;
    Mat *out = mat_alloc(n, 1);
    if (!out) return dlt_error_oom(I, where, n, 1);
    n = 0;
    for (size_t i = 0; i < mat_numel(k); i++)
      if (k->data[i] != 0) out->data[n++] = m->data[i];
    return v_obj(out);
  }
  Sel rs, cs;
  bool vec;
  if (!mat_sels(I, m, subs, nsubs, where, &rs, &cs, &vec)) return v_abrupt();
  Value r;
  if (rs.scalar && cs.scalar) {
    r = v_num(*mat_at(m, rs.idx[0], cs.idx[0]));
  } else {
    Mat *out = mat_alloc(rs.n, cs.n);
    if (!out) {
      r = dlt_error_oom(I, where, rs.n, cs.n);
    } else {
      for (size_t i = 0; i < rs.n; i++)
        for (size_t j = 0; j < cs.n; j++) *mat_at(out, i, j) = *mat_at(m, rs.idx[i], cs.idx[j]);
      r = v_obj(out);
    }
  }
  sel_free(&rs);
  sel_free(&cs);
  return r;
}

static Value mat_set(Interp *I, Mat *m, const Value *subs, int nsubs, Value v, const Span *where) {
  m->logical = false; /* whatever is stored, it is no longer a comparison's mask */
  if (whole_mask(m, subs, nsubs)) {
    const Mat *k = AS_MAT(subs[0]);
    if (mat_rows(k) != mat_rows(m) || mat_cols(k) != mat_cols(m)) return mask_shape_error(I, m, k, where + 1);
    size_t n = 0;
    for (size_t i = 0; i < mat_numel(k); i++) n += k->data[i] != 0;
    if (IS_NUM(v) || IS_BOOL(v)) {
      double x = IS_NUM(v) ? AS_NUM(v) : AS_BOOL(v);
      for (size_t i = 0; i < mat_numel(k); i++)
        if (k->data[i] != 0) m->data[i] = x;
      return v_nil();
    }
    if (!IS_MAT(v) || !mat_is_vector(AS_MAT(v)) || mat_numel(AS_MAT(v)) != n)
      return dlt_error(I, where, "the mask selects %zu entries: assign a number or a vector of %zu", n, n);
    size_t j = 0;
    for (size_t i = 0; i < mat_numel(k); i++)
      if (k->data[i] != 0) m->data[i] = AS_MAT(v)->data[j++];
    return v_nil();
  }
  Sel rs, cs;
  bool vec;
  if (!mat_sels(I, m, subs, nsubs, where, &rs, &cs, &vec)) return v_abrupt();
  Value result = v_nil();
  double scalar = 0;
  Mat *src = NULL;
  if (IS_NUM(v)) scalar = AS_NUM(v);
  else if (IS_BOOL(v)) scalar = AS_BOOL(v);
  else if (IS_MAT(v) && mat_numel(AS_MAT(v)) == 1) scalar = AS_MAT(v)->data[0];
  else if (IS_MAT(v)) src = AS_MAT(v);
  else {
    result = dlt_error(I, where, "cannot store a %s in a matrix (matrices hold numbers)", val_type_name(v));
    goto done;
  }
  if (src) {
    size_t sr = mat_rows(src), sc = mat_cols(src);
    bool same = sr == rs.n && sc == cs.n;
    /* a selection that is a single row or column takes any vector of the right length */
    bool as_vector = (rs.n == 1 || cs.n == 1) && mat_is_vector(src) && sr * sc == rs.n * cs.n;
    if (!same && !as_vector) {
      StrBuf b = STRBUF_INIT;
      fmt_shape(&b, rs.n, cs.n);
      sb_puts(&b, " selection from a ");
      fmt_shape(&b, sr, sc);
      result = dlt_error(I, where, "shape mismatch: cannot assign to a %s matrix", sb_cstr(&b));
      sb_free(&b);
      goto done;
    }
    /* a source that aliases the destination (A[1, :] = A[2, :] gives a copy, never the same object) */
    for (size_t i = 0; i < rs.n; i++)
      for (size_t j = 0; j < cs.n; j++) *mat_at(m, rs.idx[i], cs.idx[j]) = src->data[same ? i * sc + j : i * cs.n + j];
  } else {
    for (size_t i = 0; i < rs.n; i++)
      for (size_t j = 0; j < cs.n; j++) *mat_at(m, rs.idx[i], cs.idx[j]) = scalar;
  }
done:
  sel_free(&rs);
  sel_free(&cs);
  return result;
}

/* ------------------------------------------------------------------ public */
static bool one_sub(Interp *I, int nsubs, const char *what, const Span *where) {
  if (nsubs != 1) {
    dlt_error(I, where, "a %s takes one subscript, got %d", what, nsubs);
    return false;
  }
  return true;
}

Value record_missing_field(Interp *I, Record *r, const char *name, const Span *where) {
  const char **keys = dlt_xmalloc((r->n + 1) * sizeof(char *));
  for (size_t i = 0; i < r->n; i++) keys[i] = r->keys[i]->s;
  const char *s = dlt_suggest(name, keys, (int)r->n);
  Value e = s ? dlt_error(I, where, "record has no field '%s'; did you mean '%s'?", name, s)
              : dlt_error(I, where, "record has no field '%s'", name);
  free(keys);
  return e;
}

static Value record_key(Interp *I, Value sub, const Span *where, const char **key) {
  if (!IS_STR(sub)) return dlt_error(I, where, "a record is indexed by a field name (a string), got a %s", val_type_name(sub));
  *key = AS_STR(sub)->s;
  return v_nil();
}

Value index_get(Interp *I, Value base, const Value *subs, int nsubs, const Span *where) {
  if (IS_MAT(base)) return mat_get(I, AS_MAT(base), subs, nsubs, where);
  if (IS_LIST(base)) {
    if (!one_sub(I, nsubs, "list", where)) return v_abrupt();
    List *l = AS_LIST(base);
    Sel s;
    if (!make_sel(I, subs[0], l->n, "a list", where + 1, &s)) return v_abrupt();
    Value r;
    if (s.scalar) {
      r = val_retain(l->items[s.idx[0]]);
    } else {
      r = list_new(s.n);
      for (size_t i = 0; i < s.n; i++) list_push(AS_LIST(r), val_retain(l->items[s.idx[i]]));
    }
    sel_free(&s);
    return r;
  }
  if (IS_STR(base)) {
    if (!one_sub(I, nsubs, "string", where)) return v_abrupt();
    Str *str = AS_STR(base);
    size_t len = utf8_len(str->s, str->len);
    Sel s;
    if (!make_sel(I, subs[0], len, "a string", where + 1, &s)) return v_abrupt();
    StrBuf b = STRBUF_INIT;
    for (size_t i = 0; i < s.n; i++) {
      size_t a = utf8_offset(str->s, str->len, s.idx[i]), e = utf8_offset(str->s, str->len, s.idx[i] + 1);
      sb_putn(&b, str->s + a, e - a);
    }
    Value r = str_new(sb_cstr(&b), b.len);
    sb_free(&b);
    sel_free(&s);
    return r;
  }
  if (IS_RANGE(base)) {
    if (!one_sub(I, nsubs, "range", where)) return v_abrupt();
    Range *rg = AS_RANGE(base);
    Sel s;
    if (!make_sel(I, subs[0], range_len(rg), "a range", where + 1, &s)) return v_abrupt();
    Value r;
    if (s.scalar) {
      r = v_num(range_at(rg, s.idx[0]));
    } else {
      Mat *m = mat_alloc(s.n, 1);
      if (!m) {
        sel_free(&s);
        return dlt_error_oom(I, where, s.n, 1);
      }
      for (size_t i = 0; i < s.n; i++) m->data[i] = range_at(rg, s.idx[i]);
      r = v_obj(m);
    }
    sel_free(&s);
    return r;
  }
  if (IS_RECORD(base)) {
    if (!one_sub(I, nsubs, "record", where)) return v_abrupt();
    const char *key = NULL;
    if (IS_ABRUPT(record_key(I, subs[0], where + 1, &key))) return v_abrupt();
    Value *v = record_find(AS_RECORD(base), key);
    if (!v) return record_missing_field(I, AS_RECORD(base), key, where + 1);
    return val_retain(*v);
  }
  if (IS_EXT(base) && AS_EXT(base)->cls->index) return AS_EXT(base)->cls->index(I, base.u.o, subs, nsubs, where);
  return dlt_error(I, where, "cannot index a %s", val_type_name(base));
}

Value index_set(Interp *I, Value *slot, const Value *subs, int nsubs, Value v, const Span *where) {
  Value base = *slot;
  if (IS_MAT(base)) return mat_set(I, AS_MAT(base), subs, nsubs, v, where);
  if (IS_LIST(base) || IS_RECORD(base)) {
    Value *p = index_ref(I, slot, subs, nsubs, where);
    if (!p) return v_abrupt();
    val_set(p, val_retain(v));
    return v_nil();
  }
  if (IS_EXT(base) && AS_EXT(base)->cls->set_index)
    return AS_EXT(base)->cls->set_index(I, base.u.o, subs, nsubs, v, where);
  return dlt_error(I, where, "cannot assign into a %s", val_type_name(base));
}

Value *index_ref(Interp *I, Value *slot, const Value *subs, int nsubs, const Span *where) {
  Value base = *slot;
  if (IS_LIST(base)) {
    if (!one_sub(I, nsubs, "list", where)) return NULL;
    if (!IS_NUM(subs[0])) {
      dlt_error(I, where + 1, "assigning into a list takes a single index, got a %s", val_type_name(subs[0]));
      return NULL;
    }
    List *l = AS_LIST(base);
    if (AS_NUM(subs[0]) == (double)l->n + 1) { /* xs[end + 1] = v appends, in place */
      if (!dlt_fits((double)l->n + 1, sizeof(Value))) {
        dlt_error_oom_items(I, where + 1, "a list", "items", (double)l->n + 1, sizeof(Value));
        return NULL;
      }
      list_push(l, v_nil());
      return &l->items[l->n - 1];
    }
    size_t i;
    if (!check_pos(I, where + 1, AS_NUM(subs[0]), l->n, "a list", &i)) return NULL;
    return &l->items[i];
  }
  if (IS_RECORD(base)) {
    if (!one_sub(I, nsubs, "record", where)) return NULL;
    const char *key = NULL;
    if (IS_ABRUPT(record_key(I, subs[0], where + 1, &key))) return NULL;
    Value *v = record_find(AS_RECORD(base), key);
    if (!v) {
      record_set(AS_RECORD(base), key, v_nil());
      v = record_find(AS_RECORD(base), key);
    }
    return v;
  }
  if (IS_MAT(base)) {
    dlt_error(I, where, "cannot assign into part of a matrix element; use A[i, j] = v");
    return NULL;
  }
  dlt_error(I, where, "cannot assign into a %s", val_type_name(base));
  return NULL;
}

double index_end(Interp *I, Value base, int dim, int nsubs, const Span *where) {
  if (IS_MAT(base)) {
    Mat *m = AS_MAT(base);
    if (nsubs == 1) return (double)(mat_is_vector(m) ? mat_numel(m) : mat_rows(m));
    return (double)(dim == 0 ? mat_rows(m) : mat_cols(m));
  }
  if (nsubs == 1) {
    if (IS_LIST(base)) return (double)AS_LIST(base)->n;
    if (IS_STR(base)) return (double)utf8_len(AS_STR(base)->s, AS_STR(base)->len);
    if (IS_RANGE(base)) return (double)range_len(AS_RANGE(base));
  }
  dlt_error(I, where, "'end' has no meaning for a %s", val_type_name(base));
  return NAN;
}

/* ------------------------------------------------------------------ iteration */
bool iter_init(Interp *I, Iter *it, Value v, const Span *where) {
  it->src = v;
  it->i = 0;
  if (IS_MAT(v)) {
    Mat *m = AS_MAT(v);
    it->n = mat_is_vector(m) ? mat_numel(m) : mat_rows(m);
    return true;
  }
  if (IS_LIST(v)) {
    it->n = AS_LIST(v)->n;
    return true;
  }
  if (IS_RANGE(v)) {
    it->n = range_len(AS_RANGE(v));
    return true;
  }
  if (IS_STR(v)) {
    it->n = utf8_len(AS_STR(v)->s, AS_STR(v)->len);
    return true;
  }
  if (IS_RECORD(v)) {
    dlt_error(I, where, "cannot iterate over a record; use keys(r) or values(r)");
    return false;
  }
  if (IS_NUM(v)) {
    dlt_error(I, where, "cannot iterate over a number; did you mean 1..n?");
    return false;
  }
  dlt_error(I, where, "cannot iterate over a %s", val_type_name(v));
  return false;
}

Value iter_item(Iter *it, size_t i) {
  Value v = it->src;
  if (IS_MAT(v)) {
    Mat *m = AS_MAT(v);
    if (mat_is_vector(m)) return v_num(m->data[i]);
    Mat *row = mat_alloc(1, mat_cols(m));
    if (!row) return v_nil(); /* cannot happen: smaller than the matrix that exists */
    memcpy(row->data, m->data + i * m->m.tda, mat_cols(m) * sizeof(double));
    return v_obj(row);
  }
  if (IS_LIST(v)) return val_retain(AS_LIST(v)->items[i]);
  if (IS_RANGE(v)) return v_num(range_at(AS_RANGE(v), i));
  Str *s = AS_STR(v);
  size_t a = utf8_offset(s->s, s->len, i), e = utf8_offset(s->s, s->len, i + 1);
  return str_new(s->s + a, e - a);
}
