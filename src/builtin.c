/* builtin.c - argument checking shared by every builtin, and the builtin lookup. */
#include "builtin.h"
#include "print.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "arith.h"
#include "ast.h"
#include "interp.h"
#include "resolve.h"
#include "strbuf.h"

const Span *arg_span(Args *a, int i) {
  if (a->argnodes && i >= 0 && i < a->n) return &a->argnodes[i]->span;
  return a->call;
}

static Value verror_at(Args *a, const Span *sp, const char *fmt, va_list ap) {
  StrBuf b = STRBUF_INIT;
  sb_printf(&b, "%s: ", a->fname ? a->fname : "call");
  sb_vprintf(&b, fmt, ap);
  Value e = dlt_error(a->I, sp, "%s", sb_cstr(&b));
  sb_free(&b);
  return e;
}

Value arg_error(Args *a, int i, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Value e = verror_at(a, arg_span(a, i), fmt, ap);
  va_end(ap);
  return e;
}

const Span *kw_span(Args *a, const char *name) {
  for (int k = 0; k < a->nkw; k++)
    if (strcmp(a->kwnames[k], name) == 0 && a->kwnodes) return &a->kwnodes[k]->span;
  return a->call;
}

bool kw_choice(Args *a, const char *kw, const char *const *names, int n, const char *dflt, int *out) {
  const char *s = dflt;
  if (!kw_str(a, kw, &s, NULL)) return false;
  for (int i = 0; i < n; i++)
    if (strcmp(names[i], s) == 0) {
      *out = i;
      return true;
    }
  const char *sug = dlt_suggest(s, names, n);
  StrBuf b = STRBUF_INIT;
  for (int i = 0; i < n; i++) sb_printf(&b, "%s\"%s\"", i ? ", " : "", names[i]);
  if (sug) kw_error(a, kw, "unknown %s=\"%s\"; did you mean \"%s\"? (one of %s)", kw, s, sug, sb_cstr(&b));
  else kw_error(a, kw, "unknown %s=\"%s\" (one of %s)", kw, s, sb_cstr(&b));
  sb_free(&b);
  return false;
}

bool kw_bool(Args *a, const char *name, bool dflt, bool *out) {
  const Value *v = kw_get(a, name);
  *out = dflt;
  if (!v) return true;
  if (!IS_BOOL(*v)) {
    kw_error(a, name, "%s= must be true or false, got a %s", name, val_type_name(*v));
    return false;
  }
  *out = AS_BOOL(*v);
  return true;
}

bool kw_nonneg(Args *a, const char *kw, double dflt, double *out) {
  *out = dflt;
  if (!kw_num(a, kw, out, NULL)) return false;
  if (!(*out >= 0) || !isfinite(*out)) {
    kw_error(a, kw, "%s must be a finite number >= 0, got %s", kw, num_text(*out).s);
    return false;
  }
  return true;
}

Value kw_error(Args *a, const char *kw, const char *fmt, ...) {
  const Span *sp = kw_span(a, kw);
  va_list ap;
  va_start(ap, fmt);
  Value e = verror_at(a, sp, fmt, ap);
  va_end(ap);
  return e;
}

Value call_error(Args *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Value e = verror_at(a, a->call, fmt, ap);
  va_end(ap);
  return e;
}

static const char *ordinal(int i) {
  static const char *const o[] = {"first", "second", "third", "fourth", "fifth", "sixth"};
  return i >= 0 && i < 6 ? o[i] : "an";
}

bool arg_num(Args *a, int i, double *out) {
  Value v = a->v[i];
  if (IS_NUM(v)) {
    *out = AS_NUM(v);
    return true;
  }
  if (IS_BOOL(v)) {
    *out = AS_BOOL(v);
    return true;
  }
  if (IS_MAT(v) && mat_numel(AS_MAT(v)) == 1) {
    *out = AS_MAT(v)->data[0];
    return true;
  }
  arg_error(a, i, "the %s argument must be a number, got a %s", ordinal(i), val_type_name(v));
  return false;
}

bool arg_int(Args *a, int i, long *out) {
  double x;
  if (!arg_num(a, i, &x)) return false;
  if (x != floor(x) || fabs(x) > 9.0e15) {
    /* nan's sign bit is meaningless to a user: printf would show "-nan" for some of them */
    if (isnan(x)) arg_error(a, i, "the %s argument must be a whole number, got nan", ordinal(i));
    else arg_error(a, i, "the %s argument must be a whole number, got %.17g", ordinal(i), x);
    return false;
  }
  *out = (long)x;
  return true;
}

bool arg_size(Args *a, int i, size_t *out) {
  long n;
  if (!arg_int(a, i, &n)) return false;
  if (n < 0) {
    arg_error(a, i, "the %s argument must not be negative, got %ld", ordinal(i), n);
    return false;
  }
  *out = (size_t)n;
  return true;
}

bool arg_str(Args *a, int i, const char **out) {
  if (!IS_STR(a->v[i])) {
    arg_error(a, i, "the %s argument must be a string, got a %s", ordinal(i), val_type_name(a->v[i]));
    return false;
  }
  *out = AS_STR(a->v[i])->s;
  return true;
}

bool arg_callable(Args *a, int i) {
  if (val_is_callable(a->v[i])) return true;
  arg_error(a, i, "the %s argument must be a function, got a %s", ordinal(i), val_type_name(a->v[i]));
  return false;
}

bool arg_mat(Args *a, int i, Value *out) {
  Value v = a->v[i];
  if (!(IS_MAT(v) || IS_NUM(v) || IS_BOOL(v) || IS_RANGE(v) || IS_LIST(v))) {
    arg_error(a, i, "the %s argument must be a number or a matrix, got a %s", ordinal(i), val_type_name(v));
    return false;
  }
  *out = val_as_mat(a->I, v, arg_span(a, i), "the argument");
  return !IS_ABRUPT(*out);
}

const Value *kw_get(Args *a, const char *name) {
  for (int k = 0; k < a->nkw; k++)
    if (strcmp(a->kwnames[k], name) == 0) return &a->kw[k];
  return NULL;
}

bool kw_num(Args *a, const char *name, double *out, bool *present) {
  const Value *v = kw_get(a, name);
  if (present) *present = v != NULL;
  if (!v) return true;
  if (IS_NUM(*v)) {
    *out = AS_NUM(*v);
    return true;
  }
  kw_error(a, name, "%s= must be a number, got a %s", name, val_type_name(*v));
  return false;
}

bool kw_str(Args *a, const char *name, const char **out, bool *present) {
  const Value *v = kw_get(a, name);
  if (present) *present = v != NULL;
  if (!v) return true;
  if (IS_STR(*v)) {
    *out = AS_STR(*v)->s;
    return true;
  }
  kw_error(a, name, "%s= must be a string, got a %s", name, val_type_name(*v));
  return false;
}

bool call_num(Args *a, Value f, int argc, const Value *argv, double *out) {
  Value r = dlt_call(a->I, f, argc, argv, a->call);
  if (IS_ABRUPT(r)) return false;
  bool ok = true;
  if (!val_scalar(r, out)) {
    call_error(a, "the function must return a number, but it returned a %s", val_type_name(r));
    ok = false;
  }
  val_release(r);
  return ok;
}

bool call_vec(Args *a, Value f, int argc, const Value *argv, size_t n, Value *out) {
  Value r = dlt_call(a->I, f, argc, argv, a->call);
  if (IS_ABRUPT(r)) return false;
  Value m = (IS_MAT(r) || IS_NUM(r) || IS_LIST(r) || IS_RANGE(r)) ? val_as_mat(a->I, r, a->call, "the function's result")
                                                                   : v_nil();
  val_release(r);
  if (IS_ABRUPT(m)) return false;
  if (!IS_MAT(m) || !mat_is_vector(AS_MAT(m)) || (n && mat_numel(AS_MAT(m)) != n)) {
    if (n)
      call_error(a, "the function must return a vector of length %zu", n);
    else
      call_error(a, "the function must return a numeric vector");
    val_release(m);
    return false;
  }
  if (mat_cols(AS_MAT(m)) != 1) { /* a row vector: return it as a column */
    Mat *c = mat_clone(AS_MAT(m));
    if (!c) {
      dlt_error_oom(a->I, a->call, mat_numel(AS_MAT(m)), 1);
      val_release(m);
      return false;
    }
    c->m.size1 = mat_numel(c);
    c->m.size2 = 1;
    c->m.tda = 1;
    val_release(m);
    m = v_obj(c);
  }
  *out = m;
  return true;
}

const Builtin *builtin_find(const char *name) {
  for (const Module *const *m = dlt_modules; *m; m++)
    for (const Builtin *b = (*m)->fns; b->name; b++)
      if (strcmp(b->name, name) == 0) return b;
  return NULL;
}

bool kw_axis(Args *a, int *axis) {
  const Value *v = kw_get(a, "axis");
  *axis = 0;
  if (!v) return true;
  if (IS_NUM(*v) && (AS_NUM(*v) == 1 || AS_NUM(*v) == 2)) {
    *axis = (int)AS_NUM(*v);
    return true;
  }
  if (IS_NUM(*v))
    kw_error(a, "axis", "axis= must be 1 (down the rows) or 2 (across the columns), got %s", num_text(AS_NUM(*v)).s);
  else
    kw_error(a, "axis", "axis= must be 1 (down the rows) or 2 (across the columns), got a %s", val_type_name(*v));
  return false;
}
