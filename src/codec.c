/* codec.c - a point's result as bytes, to cross a pipe (workers), MPI, or sit in the run store.
 *
 * Plain data only: nil, bools, numbers (the 8 bytes of the double, so results are bit-for-bit the
 * same after the trip), strings, lists, records, matrices and ranges. A point that recorded anything else
 * (a network, a function) cannot be encoded; the sweep then recomputes it in the process that
 * needs it, with the same seed, so the table is still the same.
 *
 * Layout: status byte; output (u32 length + bytes, length 0xffffffff = none); then for POINT_OK
 * the rows value, for POINT_FAILED the diagnostic (kind, span, msg, note, trace).
 */
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

/* T_RANGE came last: run stores written before it hold ranges as T_MAT and still read */
enum { T_NIL, T_FALSE, T_TRUE, T_NUM, T_STR, T_LIST, T_RECORD, T_MAT, T_MASK, T_RANGE };

static void put_u32(StrBuf *b, uint32_t x) { sb_putn(b, (const char *)&x, 4); }

static void put_text(StrBuf *b, const char *s) {
  if (!s) {
    put_u32(b, 0xffffffffu);
    return;
  }
  size_t n = strlen(s);
  put_u32(b, (uint32_t)n);
  sb_putn(b, s, n);
}

static bool put_value(StrBuf *b, Value v, int depth) {
  if (depth > 64) return false;
  switch (v.t) {
  case V_NIL: sb_putc(b, T_NIL); return true;
  case V_BOOL: sb_putc(b, AS_BOOL(v) ? T_TRUE : T_FALSE); return true;
  case V_NUM: sb_putc(b, T_NUM); sb_putn(b, (const char *)&v.u.n, 8); return true;
  case V_OBJ: break;
  default: return false;
  }
  switch ((ObjKind)AS_OBJ(v)->kind) {
  case OBJ_STRING:
    sb_putc(b, T_STR);
    put_u32(b, (uint32_t)AS_STR(v)->len);
    sb_putn(b, AS_STR(v)->s, AS_STR(v)->len);
    return true;
  case OBJ_LIST: {
    List *l = AS_LIST(v);
    sb_putc(b, T_LIST);
    put_u32(b, (uint32_t)l->n);
    for (size_t i = 0; i < l->n; i++)
      if (!put_value(b, l->items[i], depth + 1)) return false;
    return true;
  }
  case OBJ_RECORD: {
    Record *r = AS_RECORD(v);
    sb_putc(b, T_RECORD);
    put_u32(b, (uint32_t)r->n);
    for (size_t i = 0; i < r->n; i++) {
      put_text(b, r->keys[i]->s);
      if (!put_value(b, r->vals[i], depth + 1)) return false;
    }
    return true;
  }
  case OBJ_MATRIX: {
    Mat *m = AS_MAT(v);
    if (mat_rows(m) > 0xffffffffu || mat_cols(m) > 0xffffffffu) return false;
    sb_putc(b, m->logical ? T_MASK : T_MAT);
    put_u32(b, (uint32_t)mat_rows(m));
    put_u32(b, (uint32_t)mat_cols(m));
    for (size_t i = 0; i < mat_rows(m); i++) sb_putn(b, (const char *)mat_at(m, i, 0), mat_cols(m) * 8);
    return true;
  }
  case OBJ_RANGE: { /* as the range: range(1, 1e12) is 24 bytes, not the 8 TB of its numbers */
    Range *r = AS_RANGE(v);
    sb_putc(b, T_RANGE);
    sb_putn(b, (const char *)&r->start, 8);
    sb_putn(b, (const char *)&r->stop, 8);
    sb_putn(b, (const char *)&r->step, 8);
    return true;
  }
  default: return false;
  }
}

bool value_encode(Value v, StrBuf *out) { return put_value(out, v, 0); }

bool point_result_encode(const PointResult *r, StrBuf *out) {
  sb_putc(out, (char)r->status);
  put_text(out, r->output);
  if (r->status == POINT_OK) return put_value(out, r->rows, 0);
  if (r->status == POINT_EXIT) put_u32(out, (uint32_t)r->exit_request);
  if (r->status == POINT_FAILED) {
    const Diag *d = &r->diag;
    put_u32(out, (uint32_t)d->kind);
    put_u32(out, d->span.file);
    put_u32(out, d->span.line);
    put_u32(out, d->span.col);
    put_u32(out, d->span.end_line);
    put_u32(out, d->span.end_col);
    put_text(out, d->msg);
    put_text(out, d->note);
    put_text(out, d->trace);
  }
  return true;
}

/* ------------------------------------------------------------------ decoding (bounds-checked) */
typedef struct Reader {
  const char *p, *end;
  bool bad;
} Reader;

static uint32_t get_u32(Reader *r) {
  uint32_t x = 0;
  if (r->end - r->p < 4) {
    r->bad = true;
    return 0;
  }
  memcpy(&x, r->p, 4);
  r->p += 4;
  return x;
}

static char *get_text(Reader *r) {
  uint32_t n = get_u32(r);
  if (r->bad || n == 0xffffffffu) return NULL;
  if ((size_t)(r->end - r->p) < n) {
    r->bad = true;
    return NULL;
  }
  char *s = dlt_xmalloc((size_t)n + 1);
  memcpy(s, r->p, n);
  s[n] = '\0';
  r->p += n;
  return s;
}

static Value get_value(Reader *r, int depth) {
  if (r->p >= r->end || depth > 64) {
    r->bad = true;
    return v_nil();
  }
  int tag = (unsigned char)*r->p++;
  switch (tag) {
  case T_NIL: return v_nil();
  case T_FALSE: return v_bool(false);
  case T_TRUE: return v_bool(true);
  case T_NUM: {
    double x;
    if (r->end - r->p < 8) break;
    memcpy(&x, r->p, 8);
    r->p += 8;
    return v_num(x);
  }
  case T_STR: {
    uint32_t n = get_u32(r);
    if (r->bad || (size_t)(r->end - r->p) < n) break;
    Value s = str_new(r->p, n);
    r->p += n;
    return s;
  }
  case T_LIST: {
    uint32_t n = get_u32(r);
    if (r->bad || n > (size_t)(r->end - r->p)) break;
    Value l = list_new(n);
    for (uint32_t i = 0; i < n && !r->bad; i++) list_push(AS_LIST(l), get_value(r, depth + 1));
    return l;
  }
  case T_RECORD: {
    uint32_t n = get_u32(r);
    if (r->bad || n > (size_t)(r->end - r->p)) break;
    Value rec = record_new();
    for (uint32_t i = 0; i < n && !r->bad; i++) {
      char *k = get_text(r);
      Value v = get_value(r, depth + 1);
      if (k) record_set(AS_RECORD(rec), k, v);
      else val_release(v);
      free(k);
    }
    return rec;
  }
  case T_MAT: case T_MASK: {
    uint32_t rows = get_u32(r), cols = get_u32(r);
    if (r->bad || (double)rows * cols * 8 > (double)(r->end - r->p)) break;
    Mat *m = mat_alloc(rows, cols);
    if (!m) break;
    m->logical = tag == T_MASK;
    memcpy(m->data, r->p, (size_t)rows * cols * 8);
    r->p += (size_t)rows * cols * 8;
    return v_obj(m);
  }
  case T_RANGE: {
    double x[3];
    if (r->end - r->p < 24) break;
    memcpy(x, r->p, 24);
    r->p += 24;
    return range_new(x[0], x[1], x[2]);
  }
  default: break;
  }
  r->bad = true;
  return v_nil();
}

Value value_decode(const char *data, size_t len, bool *ok) {
  Reader r = {data, data + len, false};
  Value v = get_value(&r, 0);
  *ok = !r.bad && r.p == r.end;
  if (!*ok) {
    val_release(v);
    v = v_nil();
  }
  return v;
}

bool point_result_decode(const char *data, size_t len, PointResult *res) {
  Reader r = {data, data + len, false};
  memset(res, 0, sizeof *res);
  res->rows = v_nil();
  if (len < 1) return false;
  res->status = (PointStatus)(unsigned char)*r.p++;
  res->output = get_text(&r);
  if (res->status == POINT_OK) {
    res->rows = get_value(&r, 0);
    if (!r.bad && !IS_LIST(res->rows)) r.bad = true;
    for (size_t i = 0; !r.bad && i < AS_LIST(res->rows)->n; i++)
      if (!IS_RECORD(AS_LIST(res->rows)->items[i])) r.bad = true;
  } else if (res->status == POINT_FAILED) {
    Diag *d = &res->diag;
    d->kind = (DiagKind)get_u32(&r);
    d->span.file = get_u32(&r);
    d->span.line = get_u32(&r);
    d->span.col = get_u32(&r);
    d->span.end_line = get_u32(&r);
    d->span.end_col = get_u32(&r);
    d->msg = get_text(&r);
    d->note = get_text(&r);
    d->trace = get_text(&r);
  } else if (res->status == POINT_EXIT) {
    res->exit_request = (int)get_u32(&r);
    if (res->exit_request < 1 || res->exit_request > 256) r.bad = true;
  } else if (res->status != POINT_UNSENDABLE) {
    r.bad = true;
  }
  if (r.bad) {
    point_result_clear(res);
    return false;
  }
  res->done = true;
  return true;
}
