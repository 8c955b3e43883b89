/* lib/core.c - the language's own builtins: types, strings, lists, records, control. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "../arith.h"
#include "../ast.h"
#include "../builtin.h"
#include "../index.h"
#include "../interp.h"
#include "../print.h"
#include "../strbuf.h"

static Value bi_type(Args *a) { return str_from(val_type_name(a->v[0])); }

static Value bi_str(Args *a) {
  StrBuf b = STRBUF_INIT;
  for (int i = 0; i < a->n; i++) val_print(&b, a->v[i], PRINT_DISPLAY);
  Value r = str_new(sb_cstr(&b), b.len);
  sb_free(&b);
  return r;
}

static Value bi_repr(Args *a) {
  char *s = val_to_cstr(a->v[0], PRINT_REPR);
  Value r = str_from(s);
  free(s);
  return r;
}

static Value bi_len(Args *a) {
  Value v = a->v[0];
  if (IS_STR(v)) return v_num((double)utf8_len(AS_STR(v)->s, AS_STR(v)->len));
  if (IS_LIST(v)) return v_num((double)AS_LIST(v)->n);
  if (IS_MAT(v)) return v_num((double)mat_numel(AS_MAT(v)));
  if (IS_RANGE(v)) return v_num((double)range_len(AS_RANGE(v)));
  if (IS_RECORD(v)) return v_num((double)AS_RECORD(v)->n);
  return arg_error(a, 0, "a %s has no length", val_type_name(v));
}

/* %s with its width and precision counted in characters, not bytes (printf counts bytes, which
 * misaligns columns holding Δ, ½ or ²). spec points at the '%'. */
static void put_padded(StrBuf *b, const char *spec, const char *s) {
  const char *p = spec + 1;
  bool left = false;
  for (; *p && strchr("-+ #0", *p); p++)
    if (*p == '-') left = true;
  long width = strtol(p, (char **)&p, 10), prec = -1;
  if (*p == '.') prec = strtol(p + 1, (char **)&p, 10);
  size_t bytes = 0, chars = 0;
  for (; s[bytes] && (prec < 0 || chars < (size_t)prec); chars++) /* whole UTF-8 characters */
    for (bytes++; ((unsigned char)s[bytes] & 0xC0) == 0x80; bytes++) {}
  size_t pad = width > 0 && (size_t)width > chars ? (size_t)width - chars : 0;
  if (!left) sb_pad(b, ' ', pad);
  sb_putn(b, s, bytes);
  if (left) sb_pad(b, ' ', pad);
}

/* fmt("%.3f and %d", x, n): printf conversions d i f F e E g G x o s %, with flags, width and
 * precision; %s prints any value as `print` would. */
static Value bi_fmt(Args *a) {
  const char *f;
  if (!arg_str(a, 0, &f)) return v_abrupt();
  StrBuf b = STRBUF_INIT;
  int next = 1;
  for (const char *p = f; *p; p++) {
    if (*p != '%') {
      sb_putc(&b, *p);
      continue;
    }
    if (p[1] == '%') {
      sb_putc(&b, '%');
      p++;
      continue;
    }
    const char *start = p++;
    while (*p && strchr("-+ #0", *p)) p++;
    while (*p >= '0' && *p <= '9') p++;
    if (*p == '.') {
      p++;
      while (*p >= '0' && *p <= '9') p++;
    }
    char conv = *p;
    if (!conv || !strchr("diouxXfFeEgGs", conv)) {
      sb_free(&b);
      return arg_error(a, 0, "unknown conversion '%.*s' in format (use %%d, %%f, %%e, %%g, %%s, ...)",
                       (int)(p - start + (*p ? 1 : 0)), start);
    }
    if ((p - start) > 30) {
      sb_free(&b);
      return arg_error(a, 0, "format conversion '%.*s' is too long", (int)(p - start + 1), start);
    }
    if (next >= a->n) {
      sb_free(&b);
      return call_error(a, "the format has more conversions than the %d value%s given", a->n - 1, a->n == 2 ? "" : "s");
    }
    char spec[40];
    int len = (int)(p - start);
    memcpy(spec, start, (size_t)len);
    Value v = a->v[next];
    if (conv == 's') {
      char *s = val_to_cstr(v, PRINT_DISPLAY);
      put_padded(&b, start, s);
      free(s);
    } else {
      double x;
      if (!arg_num(a, next, &x)) {
        sb_free(&b);
        return v_abrupt();
      }
      if (strchr("diouxX", conv)) {
        if (x != floor(x) || fabs(x) > 9.0e18) {
          sb_free(&b);
          return arg_error(a, next, "%%%c needs a whole number, got %g", conv, x);
        }
        spec[len] = 'l';
        spec[len + 1] = 'l';
        spec[len + 2] = conv == 'i' ? 'd' : conv;
        spec[len + 3] = '\0';
        if (strchr("ouxX", conv))
          sb_printf(&b, spec, (unsigned long long)(long long)x);
        else
          sb_printf(&b, spec, (long long)x);
      } else {
        spec[len] = conv;
        spec[len + 1] = '\0';
        sb_printf(&b, spec, x);
      }
    }
    next++;
  }
  if (next < a->n) {
    sb_free(&b);
    return arg_error(a, next, "more values given than the format uses (%d conversion%s)", next - 1, next == 2 ? "" : "s");
  }
  Value r = str_new(sb_cstr(&b), b.len);
  sb_free(&b);
  return r;
}

static Value bi_num(Args *a) {
  Value v = a->v[0];
  if (IS_NUM(v)) return v;
  if (IS_BOOL(v)) return v_num(AS_BOOL(v));
  if (IS_STR(v)) {
    const char *s = AS_STR(v)->s;
    char *end;
    double x = strtod(s, &end);
    while (*end == ' ' || *end == '\t' || *end == '\n') end++;
    if (end == s || *end) return arg_error(a, 0, "cannot read a number from \"%s\"", s);
    return v_num(x);
  }
  return arg_error(a, 0, "cannot convert a %s to a number", val_type_name(v));
}

static Value bi_list(Args *a) {
  if (a->n == 1 && (IS_MAT(a->v[0]) || IS_RANGE(a->v[0]) || IS_STR(a->v[0]) || IS_LIST(a->v[0]))) {
    Iter it;
    if (!iter_init(a->I, &it, a->v[0], arg_span(a, 0))) return v_abrupt();
    if (!dlt_fits((double)it.n, sizeof(Value))) return dlt_error_oom_items(a->I, arg_span(a, 0), "a list", "items", (double)it.n, sizeof(Value));
    Value l = list_new(it.n);
    for (size_t i = 0; i < it.n; i++) list_push(AS_LIST(l), iter_item(&it, i));
    return l;
  }
  Value l = list_new((size_t)a->n);
  for (int i = 0; i < a->n; i++) list_push(AS_LIST(l), val_retain(a->v[i]));
  return l;
}

static Value bi_push(Args *a) {
  if (!IS_LIST(a->v[0])) return arg_error(a, 0, "expected a list, got a %s", val_type_name(a->v[0]));
  List *l = AS_LIST(a->v[0]);
  Value r = list_new(l->n + (size_t)a->n - 1);
  for (size_t i = 0; i < l->n; i++) list_push(AS_LIST(r), val_retain(l->items[i]));
  for (int i = 1; i < a->n; i++) list_push(AS_LIST(r), val_retain(a->v[i]));
  return r;
}

/* zip(xs, ys, ...): the list of [x_i, y_i, ...] for sequences of equal length (a zipped sweep axis) */
static Value bi_zip(Args *a) {
  Iter *its = dlt_xmalloc((size_t)a->n * sizeof(Iter));
  int ok = 0;
  for (; ok < a->n; ok++) {
    if (!iter_init(a->I, &its[ok], a->v[ok], arg_span(a, ok))) break;
    if (ok > 0 && its[ok].n != its[0].n) {
      arg_error(a, ok, "zip needs sequences of one length: argument 1 has %zu items, argument %d has %zu", its[0].n,
                ok + 1, its[ok].n);
      break;
    }
  }
  Value out = v_abrupt();
  if (ok == a->n) {
    size_t n = a->n ? its[0].n : 0;
    /* each item is a list of a->n values: zip(1..10^9) must be refused, not fill the memory */
    double each = (double)sizeof(Value) + (double)sizeof(List) + (double)a->n * sizeof(Value);
    if (!dlt_fits((double)n, each)) {
      free(its);
      return dlt_error_oom_items(a->I, arg_span(a, 0), "a zipped list", "items", (double)n, each);
    }
    out = list_new(n);
    for (size_t i = 0; i < n; i++) {
      Value item = list_new((size_t)a->n);
      for (int j = 0; j < a->n; j++) list_push(AS_LIST(item), iter_item(&its[j], i));
      list_push(AS_LIST(out), item);
    }
  }
  free(its);
  return out;
}

static Value bi_keys(Args *a) {
  if (!IS_RECORD(a->v[0])) return arg_error(a, 0, "expected a record, got a %s", val_type_name(a->v[0]));
  Record *r = AS_RECORD(a->v[0]);
  Value l = list_new(r->n);
  for (size_t i = 0; i < r->n; i++) list_push(AS_LIST(l), val_retain(v_obj(r->keys[i])));
  return l;
}

static Value bi_values(Args *a) {
  if (!IS_RECORD(a->v[0])) return arg_error(a, 0, "expected a record, got a %s", val_type_name(a->v[0]));
  Record *r = AS_RECORD(a->v[0]);
  Value l = list_new(r->n);
  for (size_t i = 0; i < r->n; i++) list_push(AS_LIST(l), val_retain(r->vals[i]));
  return l;
}

static Value bi_has(Args *a) {
  const char *k;
  if (!IS_RECORD(a->v[0])) return arg_error(a, 0, "expected a record, got a %s", val_type_name(a->v[0]));
  if (!arg_str(a, 1, &k)) return v_abrupt();
  return v_bool(record_find(AS_RECORD(a->v[0]), k) != NULL);
}

static Value bi_join(Args *a) {
  const char *sep = "";
  if (!IS_LIST(a->v[0])) return arg_error(a, 0, "expected a list, got a %s", val_type_name(a->v[0]));
  if (a->n > 1 && !arg_str(a, 1, &sep)) return v_abrupt();
  List *l = AS_LIST(a->v[0]);
  StrBuf b = STRBUF_INIT;
  for (size_t i = 0; i < l->n; i++) {
    if (i) sb_puts(&b, sep);
    val_print(&b, l->items[i], PRINT_DISPLAY);
  }
  Value r = str_new(sb_cstr(&b), b.len);
  sb_free(&b);
  return r;
}

static Value bi_split(Args *a) {
  const char *s, *sep = NULL;
  if (!arg_str(a, 0, &s)) return v_abrupt();
  if (a->n > 1 && !arg_str(a, 1, &sep)) return v_abrupt();
  Value l = list_new(4);
  if (!sep || !*sep) { /* on runs of whitespace */
    const char *p = s;
    for (;;) {
      while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
      if (!*p) break;
      const char *q = p;
      while (*q && !(*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')) q++;
      list_push(AS_LIST(l), str_new(p, (size_t)(q - p)));
      p = q;
    }
    return l;
  }
  size_t n = strlen(sep);
  const char *p = s;
  for (const char *q; (q = strstr(p, sep)); p = q + n) list_push(AS_LIST(l), str_new(p, (size_t)(q - p)));
  list_push(AS_LIST(l), str_from(p));
  return l;
}

static Value bi_range(Args *a) {
  double lo, hi, step = 1;
  if (!arg_num(a, 0, &lo) || !arg_num(a, 1, &hi)) return v_abrupt();
  if (a->n > 2 && !arg_num(a, 2, &step)) return v_abrupt();
  if (step == 0 || !isfinite(step)) return arg_error(a, 2, "the step must be a non-zero finite number");
  if (!isfinite(lo) || !isfinite(hi)) return call_error(a, "the bounds must be finite");
  if ((hi - lo) / step > 1e15) return call_error(a, "the range is too long");
  return range_new(lo, hi, step);
}

static Value bi_error(Args *a) {
  char *s = val_to_cstr(a->v[0], PRINT_DISPLAY);
  Value e = dlt_error(a->I, a->call, "%s", s);
  free(s);
  return e;
}

static Value bi_exit(Args *a) {
  long code = 0;
  if (a->n > 0 && !arg_int(a, 0, &code)) return v_abrupt();
  if (code < 0 || code > 255) return arg_error(a, 0, "exit code must be between 0 and 255");
  a->I->exit_request = (int)code + 1;
  a->I->signal = SIG_ERROR; /* unwinds like an error, but with no diagnostic */
  return v_abrupt();
}

static Value bi_time(Args *a) {
  (void)a;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return v_num((double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec);
}

static Value bi_help(Args *a) {
  Value v = a->v[0];
  const char *name = NULL;
  if (IS_STR(v)) name = AS_STR(v)->s;
  else if (IS_BUILTIN(v)) name = AS_BUILTIN(v)->def->name;
  const Builtin *b = name ? builtin_find(name) : NULL;
  if (!b) {
    if (IS_CLOSURE(v)) {
      char *sig = proto_signature(AS_CLOSURE(v)->proto);
      char *doc = proto_doc(a->I, AS_CLOSURE(v)->proto);
      Value r = str_printf("%s  %s", sig, doc ? doc : "(no description: write # comment lines above its fn)");
      free(sig);
      free(doc);
      return r;
    }
    return arg_error(a, 0, "no builtin named %s", name ? name : "like that");
  }
  return str_printf("%s  %s", b->sig, b->help);
}

static Value elementwise_test(Args *a, int (*test)(double)) {
  Value v = a->v[0];
  if (IS_NUM(v)) return v_bool(test(AS_NUM(v)));
  Value m;
  if (!arg_mat(a, 0, &m)) return v_abrupt();
  Mat *x = AS_MAT(m);
  Mat *out = mat_alloc(mat_rows(x), mat_cols(x));
  if (!out) {
    Value e = dlt_error_oom(a->I, a->call, mat_rows(x), mat_cols(x)); /* before x goes with m */
    val_release(m);
    return e;
  }
  for (size_t i = 0; i < mat_numel(x); i++) out->data[i] = test(x->data[i]) != 0;
  val_release(m);
  return v_obj(out);
}

static int test_nan(double x) { return isnan(x); }
static int test_inf(double x) { return isinf(x); }
static int test_finite(double x) { return isfinite(x); }
static Value bi_isnan(Args *a) { return elementwise_test(a, test_nan); }
static Value bi_isinf(Args *a) { return elementwise_test(a, test_inf); }
static Value bi_isfinite(Args *a) { return elementwise_test(a, test_finite); }

static const Builtin core_builtins[] = {
  {"type", bi_type, 1, 1, NULL, "type(x)", "the type of x as a string: \"number\", \"matrix\", \"list\", ...", NULL},
  {"str", bi_str, 1, -1, NULL, "str(x, ...)", "x as text, as print shows it (several values are joined)", NULL},
  {"repr", bi_repr, 1, 1, NULL, "repr(x)", "x as text, with strings quoted", NULL},
  {"fmt", bi_fmt, 1, -1, NULL, "fmt(format, values...)", "printf-style formatting: fmt(\"%.3f\", x); %s prints any value", NULL},
  {"len", bi_len, 1, 1, NULL, "len(x)", "number of elements of a list, string (characters), matrix, range or record", NULL},
  {"num", bi_num, 1, 1, NULL, "num(s)", "the number written in string s (or a bool as 0/1)", NULL},
  {"list", bi_list, 0, -1, NULL, "list(a, b, ...) or list(v)", "a list of the arguments; with one vector, range or string, a list of its items", NULL},
  {"push", bi_push, 2, -1, NULL, "push(xs, v, ...)", "a new list: xs with the values appended (in place: xs[end+1] = v)", NULL},
  {"keys", bi_keys, 1, 1, NULL, "keys(r)", "the field names of a record, in order", NULL},
  {"zip", bi_zip, 1, -1, NULL, "zip(xs, ys, ...)", "the list of [x_i, y_i, ...] for sequences of one length (a zipped sweep axis: (a, b) in zip(A, B))", NULL},
  {"values", bi_values, 1, 1, NULL, "values(r)", "the field values of a record, in order", NULL},
  {"has", bi_has, 2, 2, NULL, "has(r, name)", "whether record r has a field called name", NULL},
  {"join", bi_join, 1, 2, NULL, "join(xs, sep=\"\")", "the items of a list as text, separated by sep", NULL},
  {"split", bi_split, 1, 2, NULL, "split(s, sep)", "the parts of string s between separators (default: whitespace)", NULL},
  {"range", bi_range, 2, 3, NULL, "range(a, b, step=1)", "the lazy range a, a+step, ... up to b inclusive (a..b is range(a, b))", NULL},
  {"error", bi_error, 1, 1, NULL, "error(message)", "stop with a runtime error carrying message", NULL},
  {"exit", bi_exit, 0, 1, NULL, "exit(code=0)", "end the program with an exit code", NULL},
  {"time", bi_time, 0, 0, NULL, "time()", "seconds on a monotonic clock, for timing code", NULL},
  {"help", bi_help, 1, 1, NULL, "help(f)", "the one-line description of a builtin (also :help NAME in the REPL)", NULL},
  {"isnan", bi_isnan, 1, 1, NULL, "isnan(x)", "whether x is nan (elementwise for matrices: 0/1)", NULL},
  {"isinf", bi_isinf, 1, 1, NULL, "isinf(x)", "whether x is infinite (elementwise for matrices: 0/1)", NULL},
  {"isfinite", bi_isfinite, 1, 1, NULL, "isfinite(x)", "whether x is finite (elementwise for matrices: 0/1)", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_core = {"core", core_builtins};
