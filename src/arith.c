/* arith.c - operators on everything that is not number OP number.
 *
 * Elementwise operators broadcast like NumPy in two dimensions: each dimension must agree or be 1.
 * `@` is the matrix product through CBLAS; a 1×1 product is returned as a number (x' @ y is an
 * inner product). Comparisons of matrices give 0/1 matrices. Booleans count as 0 and 1.
 */
#include "arith.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>

#include "interp.h"
#include "print.h"
#include "strbuf.h"

const char *op_symbol(OpCode op) {
  static const char *const sym[] = {"+", "-", "*", "/", "%", "^", "@", "==", "!=", "<", "<=", ">", ">=", "-", "'", "not"};
  return op < OP__COUNT ? sym[op] : "?";
}

const char *op_verb(OpCode op) {
  switch (op) {
  case OP_ADD: return "add";
  case OP_SUB: return "subtract";
  case OP_MUL: return "multiply";
  case OP_DIV: return "divide";
  case OP_MOD: return "take the remainder of";
  case OP_POW: return "raise to a power";
  case OP_MATMUL: return "matrix-multiply";
  default: return "compare";
  }
}

double arith_num(OpCode op, double x, double y) {
  switch (op) {
  case OP_ADD: return x + y;
  case OP_SUB: return x - y;
  case OP_MUL: return x * y;
  case OP_DIV: return x / y;
  case OP_MOD: { /* floored: the result has the sign of the divisor, as in Python and Lua */
    double r = fmod(x, y);
    if (r != 0 && ((r < 0) != (y < 0))) r += y;
    return r;
  }
  case OP_POW: return pow(x, y);
  case OP_MATMUL: return x * y;
  case OP_EQ: return x == y;
  case OP_NE: return x != y;
  case OP_LT: return x < y;
  case OP_LE: return x <= y;
  case OP_GT: return x > y;
  case OP_GE: return x >= y;
  default: return NAN;
  }
}

static bool is_comparison(OpCode op) { return op >= OP_EQ && op <= OP_GE; }

static bool is_numeric(Value v) {
  return IS_NUM(v) || IS_BOOL(v) || IS_MAT(v) || IS_RANGE(v);
}

Value val_as_mat(Interp *I, Value v, const Span *where, const char *what) {
  if (IS_MAT(v)) return val_retain(v);
  if (IS_NUM(v) || IS_BOOL(v)) {
    Mat *m = mat_alloc(1, 1);
    if (!m) return dlt_error_oom(I, where, 1, 1);
    m->data[0] = IS_NUM(v) ? AS_NUM(v) : AS_BOOL(v);
    return v_obj(m);
  }
  if (IS_RANGE(v)) {
    Range *r = AS_RANGE(v);
    size_t n = range_len(r);
    Mat *m = mat_alloc(n, 1);
    if (!m) return dlt_error_oom(I, where, n, 1);
    for (size_t i = 0; i < n; i++) m->data[i] = range_at(r, i);
    return v_obj(m);
  }
  if (IS_LIST(v)) {
    List *l = AS_LIST(v);
    for (size_t i = 0; i < l->n; i++)
      if (!IS_NUM(l->items[i]))
        return dlt_error(I, where, "%s must be numeric, but this list holds a %s at position %zu", what,
                         val_type_name(l->items[i]), i + 1);
    Mat *m = mat_alloc(l->n, 1);
    if (!m) return dlt_error_oom(I, where, l->n, 1);
    for (size_t i = 0; i < l->n; i++) m->data[i] = AS_NUM(l->items[i]);
    return v_obj(m);
  }
  return dlt_error(I, where, "%s must be a number or a matrix, got a %s", what, val_type_name(v));
}

static Value shape_error(Interp *I, OpCode op, const Mat *a, const Mat *b, const Span *where) {
  StrBuf s = STRBUF_INIT;
  fmt_shape(&s, mat_rows(a), mat_cols(a));
  sb_puts(&s, op == OP_DIV ? " by " : " and ");
  fmt_shape(&s, mat_rows(b), mat_cols(b));
  Value e = dlt_error(I, where, "shape mismatch: cannot %s %s", op_verb(op), sb_cstr(&s));
  sb_free(&s);
  return e;
}

/* The elementwise loop, specialised per operator and per broadcasting pattern so that the common
 * cases (same shape, a scalar on either side, a row or a column against a matrix) are flat loops
 * the compiler vectorises.
 *
 * EW_RUN walks O[0..N) eight entries per step with a scalar tail. gcc -O2 (its "very cheap" vector
 * cost model) does not vectorise a plain loop that needs a scalar epilogue, but it does vectorise
 * the eight straight-line statements of the unrolled body (SLP): one AVX-512 instruction, two AVX2
 * or four SSE2 ones. The first few entries are done one by one until the output is at a 64-byte
 * boundary, so that no vector store straddles two cache lines (matrix data sit 16 bytes into a
 * cache line after malloc; operands allocated alike become aligned too). XE(i) and YE(i) give the operands of entry i: an array element or a
 * broadcast constant. */
#define EW_ONE(O, i, XE, YE, EXPR) \
  do {                             \
    const double x = XE(i);        \
    const double y = YE(i);        \
    (O)[i] = (EXPR);               \
  } while (0)
#define EW_RUN(O, N, XE, YE, EXPR)                      \
  do {                                                  \
    size_t i_ = 0;                                      \
    for (; i_ < (N) && ((uintptr_t)((O) + i_) & 63); i_++) \
      EW_ONE(O, i_, XE, YE, EXPR);                      \
    for (; i_ + 8 <= (N); i_ += 8) {                    \
      EW_ONE(O, i_, XE, YE, EXPR);                      \
      EW_ONE(O, i_ + 1, XE, YE, EXPR);                  \
      EW_ONE(O, i_ + 2, XE, YE, EXPR);                  \
      EW_ONE(O, i_ + 3, XE, YE, EXPR);                  \
      EW_ONE(O, i_ + 4, XE, YE, EXPR);                  \
      EW_ONE(O, i_ + 5, XE, YE, EXPR);                  \
      EW_ONE(O, i_ + 6, XE, YE, EXPR);                  \
      EW_ONE(O, i_ + 7, XE, YE, EXPR);                  \
    }                                                   \
    for (; i_ < (N); i_++) EW_ONE(O, i_, XE, YE, EXPR); \
  } while (0)
#define EW_A(i) A[i]
#define EW_B(i) B[i]
#define EW_A0(i) a0
#define EW_B0(i) b0
#define EW_AR(i) Ar[i]
#define EW_BR(i) Br[i]

#define EW_LOOP(EXPR)                                                                   \
  do {                                                                                  \
    if (same) {                                                                         \
      EW_RUN(O, n, EW_A, EW_B, EXPR);                                                   \
    } else if (br == 1 && bc == 1) {                                                    \
      const double b0 = B[0];                                                           \
      EW_RUN(O, n, EW_A, EW_B0, EXPR);                                                  \
    } else if (ar == 1 && ac == 1) {                                                    \
      const double a0 = A[0];                                                           \
      EW_RUN(O, n, EW_A0, EW_B, EXPR);                                                  \
    } else {                                                                            \
      /* rows of the result; each side is either a full row, a broadcast row, or a   \
       * single value repeated along the row */                                         \
      for (size_t r_ = 0; r_ < R; r_++) {                                               \
        const double *Ar = A + (ar == 1 ? 0 : r_) * ac, *Br = B + (br == 1 ? 0 : r_) * bc; \
        double *Or = O + r_ * C;                                                        \
        if (ac == C && bc == C) {                                                       \
          EW_RUN(Or, C, EW_AR, EW_BR, EXPR);                                            \
        } else if (ac == C) {                                                           \
          const double b0 = Br[0];                                                      \
          EW_RUN(Or, C, EW_AR, EW_B0, EXPR);                                            \
        } else if (bc == C) {                                                           \
          const double a0 = Ar[0];                                                      \
          EW_RUN(Or, C, EW_A0, EW_BR, EXPR);                                            \
        } else {                                                                        \
          const double a0 = Ar[0], b0 = Br[0];                                          \
          EW_RUN(Or, C, EW_A0, EW_B0, EXPR);                                            \
        }                                                                               \
      }                                                                                 \
    }                                                                                   \
  } while (0)

/* The loops live in their own function so that A, B and O are restrict-qualified parameters:
 * gcc trusts restrict on parameters, which lets it vectorise without run-time overlap checks.
 * On x86-64 with glibc it is compiled three times (AVX-512, AVX2, baseline SSE2) and the loader
 * picks the widest the CPU has, as NumPy does; the build itself stays generic. */
#if defined(__x86_64__) && defined(__GLIBC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define EW_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef EW_CLONES
#define EW_CLONES
#endif
EW_CLONES
static void ew_kernel(OpCode op, const double *restrict A, const double *restrict B, double *restrict O, size_t ar,
                      size_t ac, size_t br, size_t bc, size_t R, size_t C) {
  bool same = ar == br && ac == bc;
  size_t n = R * C;
  switch (op) {
  case OP_ADD: EW_LOOP(x + y); break;
  case OP_SUB: EW_LOOP(x - y); break;
  case OP_MUL: EW_LOOP(x * y); break;
  case OP_DIV: EW_LOOP(x / y); break;
  case OP_POW: EW_LOOP(y == 2 ? x * x : pow(x, y)); break;
  case OP_EQ: EW_LOOP(x == y); break;
  case OP_NE: EW_LOOP(x != y); break;
  case OP_LT: EW_LOOP(x < y); break;
  case OP_LE: EW_LOOP(x <= y); break;
  case OP_GT: EW_LOOP(x > y); break;
  case OP_GE: EW_LOOP(x >= y); break;
  default: EW_LOOP(arith_num(op, x, y)); break;
  }
}

static Value elementwise(Interp *I, OpCode op, Mat *a, Mat *b, const Span *where) {
  size_t ar = mat_rows(a), ac = mat_cols(a), br = mat_rows(b), bc = mat_cols(b);
  if ((ar != br && ar != 1 && br != 1) || (ac != bc && ac != 1 && bc != 1)) return shape_error(I, op, a, b, where);
  size_t R = ar == 1 ? br : ar, C = ac == 1 ? bc : ac;
  if ((ar == 0 || br == 0)) R = 0;
  if ((ac == 0 || bc == 0)) C = 0;
  Mat *out = mat_alloc(R, C); /* a fresh matrix: it overlaps neither operand */
  if (!out) return dlt_error_oom(I, where, R, C);
  ew_kernel(op, a->data, b->data, out->data, ar, ac, br, bc, R, C);
  out->logical = is_comparison(op);
  return v_obj(out);
}

static Value matmul(Interp *I, Mat *a, Mat *b, const Span *where) {
  size_t m = mat_rows(a), k = mat_cols(a), k2 = mat_rows(b), n = mat_cols(b);
  if (k != k2) {
    StrBuf s = STRBUF_INIT;
    fmt_shape(&s, m, k);
    sb_puts(&s, " by ");
    fmt_shape(&s, k2, n);
    Value e = dlt_error(I, where, "shape mismatch: cannot matrix-multiply %s (inner dimensions %zu and %zu differ)",
                        sb_cstr(&s), k, k2);
    sb_free(&s);
    return e;
  }
  if (m == 1 && n == 1) { /* an inner product: a number */
    double s = 0;
    for (size_t i = 0; i < k; i++) s += a->data[i] * b->data[i * b->m.tda];
    return v_num(s);
  }
  /* dgemm with beta = 0 writes every entry, so only an empty inner dimension needs zeros; calloc
   * would clear 8 MB per 1024×1024 product for nothing (about 5% of its time, bench/matmul.dlt) */
  Mat *out = k ? mat_alloc(m, n) : mat_alloc_zero(m, n);
  if (!out) return dlt_error_oom(I, where, m, n);
  if (m && n && k) {
    int st = gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &a->m, &b->m, 0.0, &out->m);
    if (st) {
      val_release(v_obj(out));
      return dlt_error_gsl(I, where, "matrix product", st);
    }
  }
  return v_obj(out);
}

static Value type_error(Interp *I, OpCode op, Value a, Value b, const Span *where) {
  if (is_comparison(op) && op != OP_EQ && op != OP_NE)
    return dlt_error(I, where, "cannot compare a %s with a %s using '%s'", val_type_name(a), val_type_name(b), op_symbol(op));
  return dlt_error(I, where, "cannot %s a %s and a %s (operator '%s')", op_verb(op), val_type_name(a), val_type_name(b),
                   op_symbol(op));
}

static Value string_op(Interp *I, OpCode op, Value a, Value b, const Span *where) {
  if (IS_STR(a) && IS_STR(b)) {
    Str *x = AS_STR(a), *y = AS_STR(b);
    if (op == OP_ADD) {
      Str *s = str_alloc(x->len + y->len);
      memcpy(s->s, x->s, x->len);
      memcpy(s->s + x->len, y->s, y->len);
      return v_obj(s);
    }
    if (is_comparison(op)) {
      size_t n = x->len < y->len ? x->len : y->len;
      int c = memcmp(x->s, y->s, n);
      if (c == 0) c = (x->len > y->len) - (x->len < y->len);
      return v_bool(arith_num(op, c, 0) != 0);
    }
  }
  if (op == OP_MUL && (IS_STR(a) ? IS_NUM(b) : IS_NUM(a))) {
    Str *x = IS_STR(a) ? AS_STR(a) : AS_STR(b);
    double k = IS_NUM(a) ? AS_NUM(a) : AS_NUM(b);
    if (k < 0 || k != floor(k))
      return dlt_error(I, where, "a string can only be repeated a non-negative whole number of times");
    if (!dlt_fits(k, (double)x->len)) return dlt_error_oom_items(I, where, "a string", "bytes", k * (double)x->len, 1);
    StrBuf s = STRBUF_INIT;
    for (size_t i = 0; i < (size_t)k; i++) sb_putn(&s, x->s, x->len);
    Value r = str_new(sb_cstr(&s), s.len);
    sb_free(&s);
    return r;
  }
  if (op == OP_ADD)
    return dlt_error(I, where, "cannot add a %s and a %s; convert with str(x) to join text", val_type_name(a), val_type_name(b));
  return type_error(I, op, a, b, where);
}

Value arith_binop(Interp *I, OpCode op, Value a, Value b, const Span *where) {
  if (IS_EXT(a) && AS_EXT(a)->cls->binop) return AS_EXT(a)->cls->binop(I, op, a, b, where);
  if (IS_EXT(b) && AS_EXT(b)->cls->binop) return AS_EXT(b)->cls->binop(I, op, a, b, where);

  if ((IS_NUM(a) || IS_BOOL(a)) && (IS_NUM(b) || IS_BOOL(b))) {
    double x = IS_NUM(a) ? AS_NUM(a) : AS_BOOL(a), y = IS_NUM(b) ? AS_NUM(b) : AS_BOOL(b);
    if (is_comparison(op)) {
      if (IS_BOOL(a) && IS_BOOL(b) && (op == OP_EQ || op == OP_NE)) return v_bool((AS_BOOL(a) == AS_BOOL(b)) == (op == OP_EQ));
      return v_bool(arith_num(op, x, y) != 0);
    }
    return v_num(arith_num(op, x, y));
  }
  if (is_numeric(a) && is_numeric(b)) {
    Value ma = val_as_mat(I, a, where, "operand");
    if (IS_ABRUPT(ma)) return ma;
    Value mb = val_as_mat(I, b, where, "operand");
    if (IS_ABRUPT(mb)) {
      val_release(ma);
      return mb;
    }
    Value r = op == OP_MATMUL ? matmul(I, AS_MAT(ma), AS_MAT(mb), where)
                              : elementwise(I, op, AS_MAT(ma), AS_MAT(mb), where);
    val_release(ma);
    val_release(mb);
    return r;
  }
  if (IS_STR(a) || IS_STR(b)) {
    if ((op == OP_EQ || op == OP_NE) && !(IS_STR(a) && IS_STR(b))) return v_bool(op == OP_NE);
    return string_op(I, op, a, b, where);
  }
  if (op == OP_ADD && IS_LIST(a) && IS_LIST(b)) {
    List *x = AS_LIST(a), *y = AS_LIST(b);
    Value r = list_new(x->n + y->n);
    for (size_t i = 0; i < x->n; i++) list_push(AS_LIST(r), val_retain(x->items[i]));
    for (size_t i = 0; i < y->n; i++) list_push(AS_LIST(r), val_retain(y->items[i]));
    return r;
  }
  /* == and != between anything else: structural equality */
  if (op == OP_EQ) return v_bool(val_equal(a, b));
  if (op == OP_NE) return v_bool(!val_equal(a, b));
  return type_error(I, op, a, b, where);
}

Value arith_unop(Interp *I, OpCode op, Value a, const Span *where) {
  if (IS_EXT(a) && AS_EXT(a)->cls->unop) return AS_EXT(a)->cls->unop(I, op, a.u.o, where);
  if (IS_BOOL(a) && op == OP_NEG) return v_num(-(double)AS_BOOL(a));
  if (IS_NUM(a)) return op == OP_NEG ? v_num(-AS_NUM(a)) : v_num(AS_NUM(a));
  if (IS_MAT(a) || IS_RANGE(a)) {
    Value m = val_as_mat(I, a, where, "operand");
    if (IS_ABRUPT(m)) return m;
    Mat *x = AS_MAT(m);
    size_t R = mat_rows(x), C = mat_cols(x);
    Mat *out = op == OP_TRANSPOSE ? mat_alloc(C, R) : mat_alloc(R, C);
    if (!out) {
      val_release(m);
      return dlt_error_oom(I, where, R, C);
    }
    if (op == OP_TRANSPOSE) {
      out->logical = x->logical; /* a transposed mask is still a mask */
      if (R == 1 || C == 1)
        memcpy(out->data, x->data, R * C * sizeof(double));
      else
        for (size_t i = 0; i < R; i++)
          for (size_t j = 0; j < C; j++) out->data[j * R + i] = x->data[i * C + j];
    } else {
      for (size_t k = 0; k < R * C; k++) out->data[k] = -x->data[k];
    }
    val_release(m);
    return v_obj(out);
  }
  if (op == OP_TRANSPOSE) return dlt_error(I, where, "cannot transpose a %s", val_type_name(a));
  return dlt_error(I, where, "cannot negate a %s", val_type_name(a));
}

int val_truthy(Interp *I, Value v, const Span *where) {
  switch (v.t) {
  case V_BOOL: return v.u.b;
  case V_NIL: return 0;
  case V_NUM:
    if (isnan(v.u.n)) {
      dlt_error(I, where, "condition is nan");
      return -1;
    }
    return v.u.n != 0;
  default: break;
  }
  if (IS_MAT(v)) {
    Mat *m = AS_MAT(v);
    if (mat_numel(m) == 1) return m->data[0] != 0;
    dlt_error(I, where, "condition is a %zu×%zu matrix; use all(...) or any(...)", mat_rows(m), mat_cols(m));
    return -1;
  }
  if (IS_EXT(v) && AS_EXT(v)->cls->truthy) return AS_EXT(v)->cls->truthy(v.u.o);
  dlt_error(I, where, "a %s cannot be used as a condition", val_type_name(v));
  return -1;
}
