/* eval.c - the tree-walking evaluator: expressions and statements.
 *
 * eval_node returns a new reference, or v_abrupt() when evaluation stopped early; Interp.signal
 * says why (error, break, continue, return). Scalar arithmetic is done inline; everything else
 * dispatches to arith.c, index.c and call.c. Interpretation is per node, numerics per matrix.
 */
#include "eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arith.h"
#include "gc.h"
#include "index.h"
#include "interp.h"
#include "print.h"
#include "resolve.h"
#include "sweep_undo.h"
#include "strbuf.h"

Value eval_interrupted(Interp *I, const Span *where) {
  dlt_interrupted = 0;
  return dlt_error(I, where, "interrupted");
}

Value eval_stop(Interp *I, const Span *where) {
  if (dlt_interrupted) return eval_interrupted(I, where);
  if (I->max_steps && ++I->steps > I->max_steps) {
    Value e = dlt_error(I, where, "step limit reached: more than %llu steps (--max-steps)", I->max_steps);
    dlt_error_note(I, "a step is a loop iteration or a function call; give a larger --max-steps, or 0 for no limit");
    return e;
  }
  if (dlt_memory_limit && dlt_value_bytes > dlt_memory_limit) {
    StrBuf used = STRBUF_INIT, limit = STRBUF_INIT;
    fmt_bytes(&used, (double)dlt_value_bytes);
    fmt_bytes(&limit, (double)dlt_memory_limit);
    Value e = dlt_error(I, where, "memory limit reached: the program's values take %s, more than --max-memory %s",
                        sb_cstr(&used), sb_cstr(&limit));
    sb_free(&used);
    sb_free(&limit);
    return e;
  }
  return v_nil();
}

/* The evaluator's hot paths. eval_node is a dispatcher that answers the leaves (numbers, names)
 * itself and tail-calls one function per node kind; those functions are kept out of line (NOINLINE)
 * so that the dispatcher needs no stack frame, and a leaf costs a jump through the switch instead
 * of a full prologue and epilogue. eval_fast is the same test for the leaves inlined at the places
 * that evaluate operands (operators, call arguments, conditions, right-hand sides), so `n - 1` or
 * `s + i * 0.5` evaluates its names and numbers without a call at all. */
#define NOINLINE __attribute__((noinline))

static Value undefined_global(Interp *I, Node *n);
static Value eval_binary(Interp *I, Node *n);
static Value eval_call(Interp *I, Node *n);
static Value eval_assign(Interp *I, Node *n);

static inline __attribute__((always_inline)) Value eval_fast(Interp *I, Node *n) {
  switch ((NodeKind)n->kind) {
  case N_NUM: return v_num(n->u.num);
  case N_LOCAL: return val_retain(I->fp[n->u.var.slot]);
  case N_GLOBAL: {
    Value v = I->globals[n->u.var.slot];
    if (v.t != V_UNDEF) return val_retain(v);
    return undefined_global(I, n);
  }
  case N_BINARY: return eval_binary(I, n);
  case N_CALL: return eval_call(I, n);
  default: return eval_node(I, n);
  }
}

/* A leaf operand (a number, or a name holding one): its value, read without a reference. */
static inline __attribute__((always_inline)) bool leaf_num(const Interp *I, const Node *n, double *x) {
  Value v;
  switch ((NodeKind)n->kind) {
  case N_NUM: *x = n->u.num; return true;
  case N_LOCAL: v = I->fp[n->u.var.slot]; break;
  case N_GLOBAL: v = I->globals[n->u.var.slot]; break;
  default: return false;
  }
  if (v.t != V_NUM) return false;
  *x = v.u.n;
  return true;
}

/* number OP number */
static inline __attribute__((always_inline)) Value num_binop(OpCode op, double x, double y) {
  switch (op) {
  case OP_ADD: return v_num(x + y);
  case OP_SUB: return v_num(x - y);
  case OP_MUL: return v_num(x * y);
  case OP_DIV: return v_num(x / y);
  case OP_LT: return v_bool(x < y);
  case OP_LE: return v_bool(x <= y);
  case OP_GT: return v_bool(x > y);
  case OP_GE: return v_bool(x >= y);
  case OP_EQ: return v_bool(x == y);
  case OP_NE: return v_bool(x != y);
  default: return v_num(arith_num(op, x, y));
  }
}

/* A condition's truth: booleans inline, everything else through val_truthy. Releases c. */
static inline int truth(Interp *I, Value c, const Span *where) {
  if (c.t == V_BOOL) return c.u.b;
  int t = val_truthy(I, c, where);
  val_release(c);
  return t;
}

static inline Value *local_slot(Interp *I, Node *n) {
  Value *p = &I->fp[n->u.var.slot];
  if (n->kind == N_BOXED) p = &((Cell *)p->u.o)->v;
  return p;
}

static NOINLINE Value undefined_global(Interp *I, Node *n) {
  return dlt_error(I, &n->span, "'%s' is used before it is defined", I->global_names[n->u.var.slot]);
}

/* ------------------------------------------------------------------ literals */
static NOINLINE Value eval_vec(Interp *I, Node *n) {
  NodeList *l = &n->u.list;
  if (l->n == 0) return list_new(0);
  Value *vals = dlt_xmalloc((size_t)l->n * sizeof(Value));
  int k = 0;
  for (; k < l->n; k++) {
    vals[k] = eval_node(I, l->items[k]);
    if (IS_ABRUPT(vals[k])) break;
  }
  Value result = v_abrupt();
  if (k < l->n) goto done;

  /* all numbers: a column vector; all booleans: a mask */
  bool all_num = true, all_bool = true, all_vec = true;
  size_t veclen = 0;
  for (int i = 0; i < l->n; i++) {
    if (!IS_NUM(vals[i])) all_num = false;
    if (!IS_BOOL(vals[i])) all_bool = false;
    size_t len;
    if (IS_MAT(vals[i]) && mat_is_vector(AS_MAT(vals[i])))
      len = mat_numel(AS_MAT(vals[i]));
    else if (IS_RANGE(vals[i]))
      len = range_len(AS_RANGE(vals[i]));
    else {
      all_vec = false;
      continue;
    }
    if (i == 0) veclen = len;
    else if (len != veclen) all_vec = false;
  }
  if (all_num || all_bool) {
    Mat *m = mat_alloc((size_t)l->n, 1);
    if (!m) {
      result = dlt_error_oom(I, &n->span, (size_t)l->n, 1);
      goto done;
    }
    for (int i = 0; i < l->n; i++) m->data[i] = all_num ? AS_NUM(vals[i]) : AS_BOOL(vals[i]);
    m->logical = all_bool;
    result = v_obj(m);
  } else if (all_vec && veclen > 0) {
    /* equal-length numeric vectors: stacked as the rows of a matrix */
    Mat *m = mat_alloc((size_t)l->n, veclen);
    if (!m) {
      result = dlt_error_oom(I, &n->span, (size_t)l->n, veclen);
      goto done;
    }
    for (int i = 0; i < l->n; i++)
      for (size_t j = 0; j < veclen; j++)
        m->data[(size_t)i * veclen + j] = IS_RANGE(vals[i]) ? range_at(AS_RANGE(vals[i]), j) : AS_MAT(vals[i])->data[j];
    result = v_obj(m);
  } else {
    result = list_new((size_t)l->n);
    for (int i = 0; i < l->n; i++) {
      list_push(AS_LIST(result), vals[i]);
      vals[i] = v_nil();
    }
  }
done:
  for (int i = 0; i < k; i++) val_release(vals[i]);
  free(vals);
  return result;
}

static NOINLINE Value eval_record(Interp *I, Node *n) {
  Value r = record_new();
  for (int i = 0; i < n->u.rec.vals.n; i++) {
    Value v = eval_node(I, n->u.rec.vals.items[i]);
    if (IS_ABRUPT(v)) {
      val_release(r);
      return v;
    }
    record_set(AS_RECORD(r), n->u.rec.keys[i], v);
  }
  return r;
}

static NOINLINE Value eval_range(Interp *I, Node *n) {
  Value a = eval_node(I, n->u.bin.l);
  if (IS_ABRUPT(a)) return a;
  Value b = eval_node(I, n->u.bin.r);
  if (IS_ABRUPT(b)) {
    val_release(a);
    return b;
  }
  Value r;
  if (!IS_NUM(a) || !IS_NUM(b)) {
    r = dlt_error(I, &n->u.bin.opspan, "range bounds must be numbers, got %s..%s", val_type_name(a), val_type_name(b));
  } else if (AS_NUM(a) != floor(AS_NUM(a)) || AS_NUM(b) != floor(AS_NUM(b))) {
    StrBuf s = STRBUF_INIT;
    fmt_num(&s, AS_NUM(a) != floor(AS_NUM(a)) ? AS_NUM(a) : AS_NUM(b));
    r = dlt_error(I, &n->u.bin.opspan, "range bounds must be integers, got %s (use linspace for real grids)", sb_cstr(&s));
    sb_free(&s);
  } else if (!isfinite(AS_NUM(a)) || !isfinite(AS_NUM(b))) {
    StrBuf s = STRBUF_INIT;
    fmt_num(&s, AS_NUM(a));
    sb_puts(&s, "..");
    fmt_num(&s, AS_NUM(b));
    r = dlt_error(I, &n->u.bin.opspan, "range bounds must be finite, got %s", sb_cstr(&s));
    sb_free(&s);
  } else if (AS_NUM(b) - AS_NUM(a) >= 1e15) {
    /* as range(): a longer one could not be made into a vector or run through in any case */
    r = dlt_error(I, &n->u.bin.opspan, "the range is too long: more than 10^15 numbers");
  } else {
    r = range_new(AS_NUM(a), AS_NUM(b), 1);
  }
  val_release(a);
  val_release(b);
  return r;
}

/* ------------------------------------------------------------------ operators */
static NOINLINE Value eval_binary_general(Interp *I, Node *n) {
  Value a = eval_fast(I, n->u.bin.l);
  if (IS_ABRUPT(a)) return a;
  Value b = eval_fast(I, n->u.bin.r);
  if (IS_ABRUPT(b)) {
    val_release(a);
    return b;
  }
  if (a.t == V_NUM && b.t == V_NUM) return num_binop((OpCode)n->op, a.u.n, b.u.n);
  Value r = arith_binop(I, (OpCode)n->op, a, b, &n->u.bin.opspan);
  val_release(a);
  val_release(b);
  return r;
}

/* Numeric expression trees. The first time a binary operator runs whose operands are made only
 * of numbers, local and global names, and arithmetic (+ - * / % ^, unary minus), it is compiled
 * into a NumProg: a short program over doubles that keeps the value being computed in a register
 * (top-of-stack caching) and takes a leaf operand (a number or a name) inside the operation, so
 * `s + i * 0.5` runs as "load i; multiply by 0.5; add s" (operands of + and * are swapped when
 * that saves a push: IEEE addition and multiplication are commutative, bit for bit). While the
 * names hold numbers the program runs without Values, reference counts or per-node dispatch, and
 * the loop-carried value (s) never goes through memory inside the expression. When a name holds
 * anything else (a matrix) the program stops before any effect (reading a name has none) and
 * eval_binary_general evaluates the operator the ordinary way; after NP_GIVE_UP such misses the
 * node stops trying. */
/* Node.flags of an N_BINARY: compilation was attempted; NF_GENERAL: and the operator is not a
 * numeric tree (`fib(n - 1) + fib(n - 2)`), so eval_binary goes straight to the general path */
enum { NF_TRIED = 1, NF_GENERAL = 2 };
/* Operand kinds: K a constant, L a local slot, G a global slot, S the stack (the pushed value is
 * the left operand). R: the leaf is the left operand (leaf - top, leaf / top). */
#define NP_CODES(X)                                                                                  \
  X(LOAD_K) X(LOAD_L) X(LOAD_G) X(NEG) X(END) X(OTHER_S)                                            \
  X(ADD_K) X(ADD_L) X(ADD_G) X(ADD_S) X(SUB_K) X(SUB_L) X(SUB_G) X(SUB_S)                            \
  X(MUL_K) X(MUL_L) X(MUL_G) X(MUL_S) X(DIV_K) X(DIV_L) X(DIV_G) X(DIV_S)                            \
  X(RSUB_K) X(RSUB_L) X(RSUB_G) X(RDIV_K) X(RDIV_L) X(RDIV_G)
#define NP_ENUM(c) NP_##c,
enum { NP_CODES(NP_ENUM) NP__COUNT };
#undef NP_ENUM
enum { NP_MAX_OPS = 64, NP_MAX_DEPTH = 16, NP_GIVE_UP = 8 };

typedef struct NumOp {
  uint8_t code, op; /* op: the OpCode of NP_OTHER_S (% ^ and comparisons) */
  int32_t slot;
  double k;
} NumOp;

struct NumProg {
  int misses;
  bool boolean; /* the operator is a comparison: the result is a bool */
  bool other;   /* uses NP_OTHER_S, which calls arith_num */
  NumOp ops[];  /* ends with NP_END */
};

typedef struct NumEmit {
  NumOp ops[NP_MAX_OPS];
  int len, depth, max; /* depth: values on the stack below the top */
  int nest;            /* how deep np_emit is in the tree */
  bool other;
} NumEmit;

static bool is_arith(int op) {
  return op == OP_ADD || op == OP_SUB || op == OP_MUL || op == OP_DIV || op == OP_MOD || op == OP_POW;
}

static bool is_leaf(const Node *n) { return n->kind == N_NUM || n->kind == N_LOCAL || n->kind == N_GLOBAL; }

static bool np_put(NumEmit *e, int code, int op, const Node *leaf) {
  if (e->len >= NP_MAX_OPS - 1) return false; /* room for NP_END */
  NumOp o = {(uint8_t)code, (uint8_t)op, 0, 0};
  if (leaf) { /* code is the K variant: step to L or G */
    if (leaf->kind == N_NUM) o.k = leaf->u.num;
    else o.slot = leaf->u.var.slot, o.code = (uint8_t)(code + (leaf->kind == N_LOCAL ? 1 : 2));
  }
  e->ops[e->len++] = o;
  return true;
}

/* Appends code that leaves n's value on top; false if n is not a numeric tree or the program
 * would be too long or too deep. `first`: nothing is on top yet (a load need not push). */
static bool np_emit_node(NumEmit *e, const Node *n, bool first);

static bool np_emit(NumEmit *e, const Node *n, bool first) {
  /* a tree deeper than the longest program cannot fit: stop before walking all of it (a 10 000-term
   * sum of matrices would otherwise be walked once per operator) */
  if (++e->nest > NP_MAX_OPS) return false;
  bool ok = np_emit_node(e, n, first);
  e->nest--;
  return ok;
}

static bool np_emit_node(NumEmit *e, const Node *n, bool first) {
  if (is_leaf(n)) {
    if (!first && ++e->depth > NP_MAX_DEPTH) return false;
    return np_put(e, NP_LOAD_K, 0, n);
  }
  if (n->kind == N_UNARY) return n->op == OP_NEG && np_emit(e, n->u.un.e, first) && np_put(e, NP_NEG, 0, NULL);
  if (n->kind != N_BINARY || !is_arith(n->op)) return false;
  const Node *l = n->u.bin.l, *r = n->u.bin.r;
  int op = n->op;
  int base = op == OP_ADD ? NP_ADD_K : op == OP_SUB ? NP_SUB_K : op == OP_MUL ? NP_MUL_K : op == OP_DIV ? NP_DIV_K : -1;
  if (base >= 0 && is_leaf(r)) /* top OP leaf */
    return np_emit(e, l, first) && np_put(e, base, op, r);
  if (base >= 0 && is_leaf(l)) { /* leaf OP top: the same operation on swapped operands, or R */
    int code = op == OP_ADD ? NP_ADD_K : op == OP_MUL ? NP_MUL_K : op == OP_SUB ? NP_RSUB_K : NP_RDIV_K;
    return np_emit(e, r, first) && np_put(e, code, op, l);
  }
  if (!np_emit(e, l, first) || !np_emit(e, r, false)) return false;
  e->depth--;
  if (base < 0) e->other = true;
  return np_put(e, base >= 0 ? base + 3 : NP_OTHER_S, op, NULL);
}

static NOINLINE void np_compile(Node *n) {
  n->flags |= NF_TRIED | NF_GENERAL; /* cleared below when the program is made */
  bool cmp = n->op >= OP_EQ && n->op <= OP_GE;
  NumEmit e = {.len = 0};
  if (cmp) { /* both sides, then the comparison through arith_num (0 or 1) */
    if (!np_emit(&e, n->u.bin.l, true) || !np_emit(&e, n->u.bin.r, false)) return;
    e.depth--;
    e.other = true;
    if (!np_put(&e, NP_OTHER_S, n->op, NULL)) return;
  } else if (!np_emit(&e, n, true)) {
    return;
  }
  e.ops[e.len++] = (NumOp){NP_END, 0, 0, 0};
  struct NumProg *p = dlt_xmalloc(sizeof *p + (size_t)e.len * sizeof(NumOp));
  p->misses = 0;
  p->boolean = cmp;
  p->other = e.other;
  memcpy(p->ops, e.ops, (size_t)e.len * sizeof(NumOp));
  n->u.bin.prog = p;
  n->flags &= (uint16_t)~NF_GENERAL;
}

/* Runs the program (direct-threaded: one indirect jump per operation) and returns its value; sets
 * *ok to false when a name does not hold a number. np_run_leaf is the same code for programs without NP_OTHER_S:
 * it calls nothing, so it needs no saved registers. */
#define NP_LABEL(c) &&k_##c,
#define NEXT goto *label[(++o)->code]
#define LEAF_L(then)                                                                                 \
  v = I->fp[o->slot];                                                                                \
  if (v.t != V_NUM) goto fail;                                                                       \
  x = v.u.n;                                                                                         \
  then;                                                                                              \
  NEXT
#define LEAF_G(then)                                                                                 \
  v = I->globals[o->slot];                                                                           \
  if (v.t != V_NUM) goto fail;                                                                       \
  x = v.u.n;                                                                                         \
  then;                                                                                              \
  NEXT
#define OPS(NAME, EXPR_K, EXPR_X, EXPR_S)                                                            \
  k_##NAME##_K : top = EXPR_K; NEXT;                                                                 \
  k_##NAME##_L : LEAF_L(top = EXPR_X);                                                               \
  k_##NAME##_G : LEAF_G(top = EXPR_X);                                                               \
  k_##NAME##_S : x = *--sp; top = EXPR_S; NEXT;
#define NP_EXEC_BODY(OTHER)                                 \
  static const void *const label[] = {NP_CODES(NP_LABEL)};  \
  double st[NP_MAX_DEPTH + 1];                              \
  double *sp = st, top = 0, x;                              \
  const NumOp *o = p->ops;                                  \
  Value v;                                                  \
  goto *label[o->code];                                     \
k_LOAD_K:                                                   \
  *sp++ = top;                                              \
  top = o->k;                                               \
  NEXT;                                                     \
k_LOAD_L:                                                   \
  *sp++ = top;                                              \
  LEAF_L(top = x);                                          \
k_LOAD_G:                                                   \
  *sp++ = top;                                              \
  LEAF_G(top = x);                                          \
k_NEG:                                                      \
  top = -top;                                               \
  NEXT;                                                     \
  OPS(ADD, top + o->k, top + x, x + top)                    \
  OPS(SUB, top - o->k, top - x, x - top)                    \
  OPS(MUL, top * o->k, top * x, x * top)                    \
  OPS(DIV, top / o->k, top / x, x / top)                    \
k_RSUB_K:                                                   \
  top = o->k - top;                                         \
  NEXT;                                                     \
k_RSUB_L:                                                   \
  LEAF_L(top = x - top);                                    \
k_RSUB_G:                                                   \
  LEAF_G(top = x - top);                                    \
k_RDIV_K:                                                   \
  top = o->k / top;                                         \
  NEXT;                                                     \
k_RDIV_L:                                                   \
  LEAF_L(top = x / top);                                    \
k_RDIV_G:                                                   \
  LEAF_G(top = x / top);                                    \
k_OTHER_S:                                                  \
  if (!(OTHER)) __builtin_unreachable();                    \
  x = *--sp;                                                \
  top = arith_num((OpCode)o->op, x, top);                   \
  NEXT;                                                     \
k_END:                                                      \
  return top;                                               \
fail:                                                       \
  *ok = false;                                              \
  return 0;

static NOINLINE double np_run_leaf(const Interp *I, const struct NumProg *p, bool *ok) { NP_EXEC_BODY(false) }
static NOINLINE double np_run_other(const Interp *I, const struct NumProg *p, bool *ok) { NP_EXEC_BODY(true) }
#undef NP_LABEL
#undef NEXT
#undef LEAF_L
#undef LEAF_G
#undef OPS
#undef NP_EXEC_BODY

static inline double np_run(const Interp *I, const struct NumProg *p, bool *ok) {
  return p->other ? np_run_other(I, p, ok) : np_run_leaf(I, p, ok);
}

static NOINLINE Value eval_binary_prog(Interp *I, Node *n, struct NumProg *p) {
  bool ok = true;
  double x = np_run(I, p, &ok);
  if (ok) return p->boolean ? v_bool(x != 0) : v_num(x);
  p->misses++;
  return eval_binary_general(I, n);
}

/* Two leaf numbers (`n - 1`, `i * 0.5`, `n < 2`) are done here without a stack frame, numeric
 * trees by their NumProg, the rest (`fib(n - 1) + fib(n - 2)`, matrices) by eval_binary_general. */
static NOINLINE Value eval_binary(Interp *I, Node *n) {
  double x, y;
  if (n->flags & NF_GENERAL) return eval_binary_general(I, n);
  if (leaf_num(I, n->u.bin.l, &x) && leaf_num(I, n->u.bin.r, &y)) return num_binop((OpCode)n->op, x, y);
  if (__builtin_expect(!(n->flags & NF_TRIED), 0)) np_compile(n);
  struct NumProg *p = n->u.bin.prog;
  if (p && p->misses < NP_GIVE_UP) return eval_binary_prog(I, n, p);
  return eval_binary_general(I, n);
}

/* A number stored over a number (`s = s + i * 0.5`, `k += 1`), done on doubles: no Value is made
 * or released. False when the assignment is not of that kind (nothing has been done then). */
static inline __attribute__((always_inline)) bool assign_num(Interp *I, Node *n) {
  Node *t = n->u.assign.target, *v = n->u.assign.value;
  Value *slot;
  if (t->kind == N_LOCAL) slot = &I->fp[t->u.var.slot];
  else if (t->kind == N_GLOBAL) slot = &I->globals[t->u.var.slot];
  else return false;
  if (slot->t != V_NUM) return false;
  double x;
  if (!leaf_num(I, v, &x)) {
    if (v->kind != N_BINARY) return false;
    if (!(v->flags & NF_TRIED)) np_compile(v);
    struct NumProg *p = v->u.bin.prog;
    if (!p || p->boolean || p->misses >= NP_GIVE_UP) return false;
    bool ok = true;
    x = np_run(I, p, &ok);
    if (!ok) {
      p->misses++;
      return false;
    }
  }
  if (t->kind == N_GLOBAL) note_global_write(I, t->u.var.slot);
  slot->u.n = n->op == OP__COUNT ? x : arith_num((OpCode)n->op, slot->u.n, x);
  return true;
}

static NOINLINE Value eval_logic(Interp *I, Node *n) {
  Value a = eval_fast(I, n->u.bin.l);
  if (IS_ABRUPT(a)) return a;
  int t = truth(I, a, &n->u.bin.l->span);
  if (t < 0) return v_abrupt();
  if (n->kind == N_AND ? !t : t) return v_bool(t);
  Value b = eval_fast(I, n->u.bin.r);
  if (IS_ABRUPT(b)) return b;
  t = truth(I, b, &n->u.bin.r->span);
  return t < 0 ? v_abrupt() : v_bool(t);
}

static NOINLINE Value eval_unary(Interp *I, Node *n) {
  Value a = eval_fast(I, n->u.un.e);
  if (IS_ABRUPT(a)) return a;
  if (n->op == OP_NEG && a.t == V_NUM) return v_num(-a.u.n);
  if (n->op == OP_NOT) {
    int t = val_truthy(I, a, &n->u.un.e->span);
    val_release(a);
    return t < 0 ? v_abrupt() : v_bool(!t);
  }
  Value r = arith_unop(I, (OpCode)n->op, a, &n->span);
  val_release(a);
  return r;
}

/* ------------------------------------------------------------------ calls */

/* A call that must not go ahead: too deep, Ctrl-C, or a limit. Releases the arguments and returns
 * the error; returns v_nil when the call may go on after all. */
static NOINLINE Value call_refused(Interp *I, const FnProto *p, Value *fp, const Span *call) {
  Value r = v_nil();
  if (I->depth >= DLT_MAX_DEPTH || fp + p->nslots > I->stack_end)
    r = dlt_error(I, call, "recursion too deep (more than %d nested calls)", DLT_MAX_DEPTH);
  else if (eval_must_stop(I))
    r = eval_stop(I, call);
  if (!IS_ABRUPT(r)) return r;
  for (Value *q = fp; q < I->sp; q++) val_release(*q);
  I->sp = fp;
  return r;
}

/* Parameters from i on: defaults for the missing ones, cells for the captured ones. Runs in the
 * callee's frame; returns v_nil, or v_abrupt after an error. */
static NOINLINE Value bind_params(Interp *I, Closure *c, Value *fp, int i, Value *saved_fp, Closure *saved_closure,
                                  const Span *call) {
  FnProto *p = c->proto;
  for (; i < p->nparams; i++) {
    if (fp[i].t == V_UNDEF) {
      if (!p->defaults[i]) {
        /* located at the call, reported from the caller's point of view */
        I->depth--;
        I->fp = saved_fp;
        I->closure = saved_closure;
        Value r = dlt_error(I, call, "%s() missing argument '%s'", p->name, p->params[i]);
        I->depth++;
        I->fp = fp;
        I->closure = c;
        return r;
      }
      Value d = eval_node(I, p->defaults[i]);
      if (IS_ABRUPT(d)) return d;
      fp[i] = d;
    }
    if (p->param_boxed[i]) fp[i] = cell_new(fp[i]);
  }
  return v_nil();
}

/* The body of call_closure_frame (see eval.h), inlined into eval_call: the common case (every
 * parameter given, none captured) runs without leaving this function. */
static inline __attribute__((always_inline)) Value closure_frame(Interp *I, Closure *c, Value *fp, const Span *call) {
  FnProto *p = c->proto;
  int given = (int)(I->sp - fp);
  if (I->depth >= DLT_MAX_DEPTH || fp + p->nslots > I->stack_end || eval_must_stop(I)) {
    Value stop = call_refused(I, p, fp, call);
    if (IS_ABRUPT(stop)) return stop;
  }
  if (gc_due) gc_collect();
  for (int i = given; i < p->nparams; i++) fp[i] = v_undef();
  for (int i = p->nparams > given ? p->nparams : given; i < p->nslots; i++) fp[i] = v_nil();
  I->sp = fp + p->nslots;

  Frame *f = &I->frames[I->depth++];
  f->proto = p;
  f->name = p->name;
  f->call = *call;
  f->fp = fp;
  f->closure = c;
  Value *saved_fp = I->fp;
  Closure *saved_closure = I->closure;
  I->fp = fp;
  I->closure = c;

  Value r = v_nil();
  for (int i = 0; i < p->nparams; i++)
    if (fp[i].t == V_UNDEF || p->param_boxed[i]) {
      r = bind_params(I, c, fp, i, saved_fp, saved_closure, call);
      break;
    }
  if (!IS_ABRUPT(r)) {
    r = eval_node(I, p->body);
    if (IS_ABRUPT(r) && I->signal == SIG_RETURN) {
      I->signal = SIG_NONE;
      r = I->ret;
      I->ret = v_nil();
    }
  }
  for (Value *q = fp; q < fp + p->nslots; q++) val_release(*q);
  I->sp = fp;
  I->fp = saved_fp;
  I->closure = saved_closure;
  I->depth--;
  return r;
}

Value call_closure_frame(Interp *I, Closure *c, Value *fp, const Span *call) { return closure_frame(I, c, fp, call); }

/* Anything but a closure called with positional arguments: keywords, builtins, callable values. */
/* Evaluates the arguments straight into the value stack (a closure's frame starts right there);
 * returns base, or NULL after an error, with the arguments released. */
static inline __attribute__((always_inline)) Value *eval_args(Interp *I, Node **items, int k, Value *base, Value *err) {
  for (int i = 0; i < k; i++) {
    Value v = eval_fast(I, items[i]);
    if (__builtin_expect(IS_ABRUPT(v), 0)) {
      for (Value *p = base; p < I->sp; p++) val_release(*p);
      I->sp = base;
      *err = v;
      return NULL;
    }
    *I->sp++ = v;
  }
  return base;
}

/* Anything but a closure called with positional arguments: keywords, builtins, callable values.
 * Takes over f. */
static NOINLINE Value call_general(Interp *I, Node *n, Value f) {
  int argc = n->u.call.args.n, nkw = n->u.call.kwargs.n;
  Value *base = I->sp, err;
  if (base + argc + nkw > I->stack_end) {
    val_release(f);
    return dlt_error(I, &n->span, "recursion too deep (the value stack is full)");
  }
  if (!eval_args(I, n->u.call.args.items, argc, base, &err) ||
      !eval_args(I, n->u.call.kwargs.items, nkw, base, &err)) {
    val_release(f);
    return err;
  }
  Value r;
  if (IS_CLOSURE(f) && nkw == 0 && argc <= AS_CLOSURE(f)->proto->nparams) {
    r = closure_frame(I, AS_CLOSURE(f), base, &n->span);
  } else {
    Args a = {I, NULL, argc, base, n->u.call.args.items, nkw, (const char *const *)n->u.call.kwnames,
              base + argc, n->u.call.kwargs.items, n->u.call.kwspans, &n->span, NULL};
    r = call_value(I, f, &a);
    for (Value *p = base; p < base + argc + nkw; p++) val_release(*p);
  }
  I->sp = base;
  val_release(f);
  return r;
}

/* The common call: a named closure with positional arguments (`fib(n - 1)`). */
static NOINLINE Value eval_call(Interp *I, Node *n) {
  Node *fn = n->u.call.fn;
  Value f;
  if (fn->kind == N_GLOBAL && I->globals[fn->u.var.slot].t == V_OBJ) {
    f = I->globals[fn->u.var.slot];
    f.u.o->refs++;
  } else {
    f = eval_node(I, fn);
    if (IS_ABRUPT(f)) return f;
  }
  int argc = n->u.call.args.n;
  if (n->u.call.kwargs.n || !IS_CLOSURE(f) || argc > AS_CLOSURE(f)->proto->nparams || I->sp + argc > I->stack_end)
    return call_general(I, n, f);
  Value *base = I->sp, err;
  if (!eval_args(I, n->u.call.args.items, argc, base, &err)) {
    val_release(f);
    return err;
  }
  Value r = closure_frame(I, AS_CLOSURE(f), base, &n->span); /* the frame takes the arguments */
  I->sp = base;
  val_release(f);
  return r;
}

/* ------------------------------------------------------------------ indexing */
static Value eval_subs(Interp *I, Value base, NodeList *subs, Value *out) {
  if (I->end_depth == I->end_cap) {
    I->end_cap = I->end_cap ? 2 * I->end_cap : 16;
    I->end_stack = dlt_xrealloc(I->end_stack, (size_t)I->end_cap * sizeof(Value));
  }
  I->end_stack[I->end_depth++] = base;
  for (int i = 0; i < subs->n; i++) {
    if (subs->items[i]->kind == N_COLON) {
      out[i] = v_undef();
      continue;
    }
    out[i] = eval_node(I, subs->items[i]);
    if (IS_ABRUPT(out[i])) {
      for (int j = 0; j < i; j++) val_release(out[j]);
      I->end_depth--;
      return out[i];
    }
  }
  I->end_depth--;
  return v_nil();
}

/* The spans index.c reports at: the whole expression, then each subscript. */
static void index_spans(const Node *n, Span *where) {
  where[0] = n->span;
  for (int i = 0; i < n->u.index.subs.n && i < 8; i++) where[i + 1] = n->u.index.subs.items[i]->span;
}

static NOINLINE Value eval_index(Interp *I, Node *n) {
  Value base = eval_node(I, n->u.index.base);
  if (IS_ABRUPT(base)) return base;
  int ns = n->u.index.subs.n;
  Value subs[8];
  if (ns > 8) {
    val_release(base);
    return dlt_error(I, &n->span, "too many subscripts (%d)", ns);
  }
  Value st = eval_subs(I, base, &n->u.index.subs, subs);
  if (IS_ABRUPT(st)) {
    val_release(base);
    return st;
  }
  Span where[9];
  index_spans(n, where);
  Value r = index_get(I, base, subs, ns, where);
  for (int i = 0; i < ns; i++) val_release(subs[i]);
  val_release(base);
  return r;
}

static NOINLINE Value eval_end(Interp *I, Node *n) {
  if (I->end_depth == 0) return dlt_error(I, &n->span, "'end' is only meaningful inside an index");
  double e = index_end(I, I->end_stack[I->end_depth - 1], n->u.end.dim, n->u.end.nsubs, &n->span);
  return isnan(e) ? v_abrupt() : v_num(e);
}

static Value get_field(Interp *I, Value base, const char *name, const Span *where) {
  if (IS_RECORD(base)) {
    Value *v = record_find(AS_RECORD(base), name);
    if (!v) return record_missing_field(I, AS_RECORD(base), name, where);
    return val_retain(*v);
  }
  if (IS_EXT(base) && AS_EXT(base)->cls->get_field)
    return AS_EXT(base)->cls->get_field(I, base.u.o, name, where);
  return dlt_error(I, where, "a %s has no fields (tried to read '.%s')", val_type_name(base), name);
}

static NOINLINE Value eval_field(Interp *I, Node *n) {
  Value base = eval_node(I, n->u.field.base);
  if (IS_ABRUPT(base)) return base;
  Value r = get_field(I, base, n->u.field.name, &n->u.field.namespan);
  val_release(base);
  return r;
}

/* ------------------------------------------------------------------ blocks and control flow */
static NOINLINE Value eval_block(Interp *I, Node *b) {
  NodeList *l = &b->u.list;
  Value last = v_nil();
  for (int i = 0; i < l->n; i++) {
    val_release(last);
    last = eval_fast(I, l->items[i]);
    if (IS_ABRUPT(last)) return last;
  }
  return last;
}

/* A comparison of two leaf numbers (`n < 2`) as a condition: 0 or 1, or -1 when c is not one. */
static inline __attribute__((always_inline)) int cond_leaves(const Interp *I, const Node *c) {
  double x, y;
  if (c->kind != N_BINARY || !leaf_num(I, c->u.bin.l, &x) || !leaf_num(I, c->u.bin.r, &y)) return -1;
  switch ((OpCode)c->op) {
  case OP_LT: return x < y;
  case OP_LE: return x <= y;
  case OP_GT: return x > y;
  case OP_GE: return x >= y;
  case OP_EQ: return x == y;
  case OP_NE: return x != y;
  default: return -1;
  }
}

/* A branch's block; one statement (`{ n }`) is evaluated without a loop. */
static inline Value eval_body(Interp *I, Node *b) {
  if (b->u.list.n == 1) return eval_fast(I, b->u.list.items[0]);
  return eval_block(I, b);
}

static NOINLINE Value eval_if(Interp *I, Node *n) {
  for (;;) {
    int t = cond_leaves(I, n->u.iff.cond);
    if (t < 0) {
      Value c = eval_fast(I, n->u.iff.cond);
      if (IS_ABRUPT(c)) return c;
      t = truth(I, c, &n->u.iff.cond->span);
      if (t < 0) return v_abrupt();
    }
    if (t) return eval_body(I, n->u.iff.then);
    if (!n->u.iff.els) return v_nil();
    if (n->u.iff.els->kind != N_IF) return eval_body(I, n->u.iff.els);
    n = n->u.iff.els;
  }
}

/* Store a new binding (let, fn, for): a global, a frame slot, or a fresh cell in the slot. */
static inline void bind_value(Interp *I, BindKind kind, int slot, Value v) {
  if (kind == BIND_GLOBAL) {
    note_global_write(I, slot);
    val_set(&I->globals[slot], v);
    return;
  }
  if (kind == BIND_BOXED) v = cell_new(v);
  val_set(&I->fp[slot], v);
}

/* Runs a loop body; returns 0 to go on, 1 to stop normally (break), -1 on an abrupt exit whose
 * value is in *out. */
/* The end of an iteration whose body stopped abruptly: 1 to leave the loop (break), 0 to go on
 * (continue), -1 for anything else, whose value goes to *out. */
static NOINLINE int loop_abrupt(Interp *I, Value r, Value *out) {
  if (I->signal == SIG_BREAK) {
    I->signal = SIG_NONE;
    return 1;
  }
  if (I->signal == SIG_CONTINUE) {
    I->signal = SIG_NONE;
    return 0;
  }
  *out = r;
  return -1;
}

/* Ctrl-C, the limits and the cycle collector, checked at every iteration: -1 to stop. */
static NOINLINE int loop_check(Interp *I, const Span *where, Value *out) {
  if (eval_must_stop(I)) {
    Value stop = eval_stop(I, where);
    if (IS_ABRUPT(stop)) {
      *out = stop;
      return -1;
    }
  }
  if (gc_due) gc_collect();
  return 0;
}

/* Runs a loop body; returns 0 to go on, 1 to stop normally (break), -1 on an abrupt exit whose
 * value is in *out. The block's statements run here, assignments called directly. */
static inline __attribute__((always_inline)) int loop_body(Interp *I, Node *body, const Span *where, Value *out) {
  if (__builtin_expect(eval_must_stop(I) || gc_due, 0) && loop_check(I, where, out)) return -1;
  NodeList *l = &body->u.list;
  for (int k = 0; k < l->n; k++) {
    Node *st = l->items[k];
    if (st->kind == N_ASSIGN && assign_num(I, st)) continue;
    Value r = eval_node(I, st);
    if (__builtin_expect(r.t == V_ABRUPT, 0)) return loop_abrupt(I, r, out);
    val_release(r);
  }
  return 0;
}

static NOINLINE Value eval_for(Interp *I, Node *n) {
  Value src = eval_node(I, n->u.loop.iter);
  if (IS_ABRUPT(src)) return src;
  Value out = v_nil();
  int slot = n->u.loop.slot;
  BindKind bind = n->u.loop.bind;
  if (IS_RANGE(src)) {
    /* the common case allocates nothing */
    Range r = *AS_RANGE(src);
    size_t len = range_len(&r);
    for (size_t i = 0; i < len; i++) {
      bind_value(I, bind, slot, v_num(range_at(&r, i)));
      if (loop_body(I, n->u.loop.body, &n->span, &out)) break;
    }
  } else {
    Iter it;
    if (!iter_init(I, &it, src, &n->u.loop.iter->span)) {
      val_release(src);
      return v_abrupt();
    }
    for (size_t i = 0; i < it.n; i++) {
      bind_value(I, bind, slot, iter_item(&it, i));
      if (loop_body(I, n->u.loop.body, &n->span, &out)) break;
    }
  }
  val_release(src);
  return out;
}

static NOINLINE Value eval_while(Interp *I, Node *n) {
  Value out = v_nil();
  for (;;) {
    Value c = eval_fast(I, n->u.wh.cond);
    if (IS_ABRUPT(c)) return c;
    int t = truth(I, c, &n->u.wh.cond->span);
    if (t < 0) return v_abrupt();
    if (!t) break;
    if (loop_body(I, n->u.wh.body, &n->span, &out)) break;
  }
  return out;
}

/* ------------------------------------------------------------------ assignment */

/* Storage of a resolved name, or NULL after an error. */
static Value *name_slot(Interp *I, Node *t) {
  switch (t->kind) {
  case N_LOCAL:
  case N_BOXED: return local_slot(I, t);
  case N_UPVAL: {
    Cell *c = I->closure->up[t->u.var.slot];
    note_cell_write(I, c);
    return &c->v;
  }
  case N_GLOBAL:
    if (I->globals[t->u.var.slot].t == V_UNDEF) {
      dlt_error(I, &t->span, "'%s' is assigned before its `let`", I->global_names[t->u.var.slot]);
      return NULL;
    }
    note_global_write(I, t->u.var.slot);
    return &I->globals[t->u.var.slot];
  default:
    dlt_error(I, &t->span, "cannot assign to this expression");
    return NULL;
  }
}

#define MAX_PATH 16

typedef struct PathStep {
  Node *node;      /* N_INDEX or N_FIELD */
  Value subs[8];
  int nsubs;
  Span where[9];   /* for N_INDEX: see index_spans */
} PathStep;

static inline Value compound(Interp *I, Node *n, Value cur, Value rhs) {
  if (cur.t == V_NUM && rhs.t == V_NUM) return v_num(arith_num((OpCode)n->op, cur.u.n, rhs.u.n));
  return arith_binop(I, (OpCode)n->op, cur, rhs, &n->span);
}


static Value eval_assign_path(Interp *I, Node *n, Value rhs);

/* name = rhs and name OP= rhs; paths (a[i] = ..., r.x = ...) go to eval_assign_path */
static NOINLINE Value eval_assign_value(Interp *I, Node *n) {
  Node *t = n->u.assign.target;
  Value rhs = eval_fast(I, n->u.assign.value);
  if (IS_ABRUPT(rhs)) return rhs;
  if (t->kind == N_INDEX || t->kind == N_FIELD) return eval_assign_path(I, n, rhs);

  Value *slot = t->kind == N_LOCAL ? &I->fp[t->u.var.slot] : name_slot(I, t);
  if (!slot) {
    val_release(rhs);
    return v_abrupt();
  }
  if (n->op != OP__COUNT) {
    Value nv = compound(I, n, *slot, rhs);
    val_release(rhs);
    if (IS_ABRUPT(nv)) return nv;
    rhs = nv;
    slot = name_slot(I, t);
  }
  val_set(slot, rhs);
  return v_nil();
}

static NOINLINE Value eval_assign(Interp *I, Node *n) {
  if (assign_num(I, n)) return v_nil();
  return eval_assign_value(I, n);
}

static NOINLINE Value eval_assign_path(Interp *I, Node *n, Value rhs) {
  Node *t = n->u.assign.target;
  /* A path root.a[i].b = rhs: evaluate every subscript first (reading the intermediate values so
   * that `end` works), drop those reads, then walk the storage with copy-on-write. */
  PathStep steps[MAX_PATH];
  int nsteps = 0;
  for (Node *p = t; p->kind == N_INDEX || p->kind == N_FIELD; p = p->kind == N_INDEX ? p->u.index.base : p->u.field.base) {
    if (nsteps == MAX_PATH) {
      val_release(rhs);
      return dlt_error(I, &t->span, "assignment target is nested too deeply");
    }
    steps[nsteps++].node = p;
  }
  for (int i = 0; i < nsteps / 2; i++) {
    PathStep tmp = steps[i];
    steps[i] = steps[nsteps - 1 - i];
    steps[nsteps - 1 - i] = tmp;
  }
  Node *root = steps[0].node->kind == N_INDEX ? steps[0].node->u.index.base : steps[0].node->u.field.base;
  Value result = v_nil();
  int done_steps = 0;
  Value *slot = name_slot(I, root);
  if (!slot) {
    val_release(rhs);
    return v_abrupt();
  }
  Value cur = val_retain(*slot);
  for (int k = 0; k < nsteps; k++) {
    Node *s = steps[k].node;
    steps[k].nsubs = 0;
    if (s->kind == N_INDEX) {
      if (s->u.index.subs.n > 8) {
        result = dlt_error(I, &s->span, "too many subscripts");
        break;
      }
      Value st = eval_subs(I, cur, &s->u.index.subs, steps[k].subs);
      if (IS_ABRUPT(st)) {
        result = st;
        break;
      }
      steps[k].nsubs = s->u.index.subs.n;
      index_spans(s, steps[k].where);
    }
    done_steps = k + 1;
    if (k + 1 < nsteps) {
      Value next = s->kind == N_INDEX ? index_get(I, cur, steps[k].subs, steps[k].nsubs, steps[k].where)
                                      : get_field(I, cur, s->u.field.name, &s->u.field.namespan);
      val_release(cur);
      cur = next;
      if (IS_ABRUPT(cur)) {
        result = cur;
        cur = v_nil();
        break;
      }
    }
  }
  val_release(cur);

  /* A domain value (a network) reached before the last step, as in f.W[1] = M: its field is read
   * into a temporary, the rest of the assignment is done on the temporary, and the result is
   * written back with set_field once every step has succeeded (innermost first). */
  typedef struct WriteBack {
    Value *owner;
    const char *name;
    const Span *where;
    Value tmp;
  } WriteBack;
  WriteBack *wb = NULL;
  int nwb = 0;
  if (!IS_ABRUPT(result)) {
    /* the subscripts may have run code that reassigned the root: find its slot again */
    slot = name_slot(I, root);
    for (int k = 0; slot && k < nsteps; k++) {
      Node *s = steps[k].node;
      if (!val_make_unique(slot)) {
        result = dlt_error(I, &s->span, "cannot modify part of a %s", val_type_name(*slot));
        break;
      }
      bool last = k == nsteps - 1;
      if (last && n->op != OP__COUNT) {
        Value curv = s->kind == N_INDEX ? index_get(I, *slot, steps[k].subs, steps[k].nsubs, steps[k].where)
                                        : get_field(I, *slot, s->u.field.name, &s->u.field.namespan);
        if (IS_ABRUPT(curv)) {
          result = curv;
          break;
        }
        Value nv = compound(I, n, curv, rhs);
        val_release(curv);
        if (IS_ABRUPT(nv)) {
          result = nv;
          break;
        }
        val_release(rhs);
        rhs = nv;
      }
      if (s->kind == N_FIELD) {
        if (IS_RECORD(*slot)) {
          if (last) {
            record_set(AS_RECORD(*slot), s->u.field.name, val_retain(rhs));
          } else {
            Value *f = record_find(AS_RECORD(*slot), s->u.field.name);
            if (!f) {
              result = record_missing_field(I, AS_RECORD(*slot), s->u.field.name, &s->u.field.namespan);
              break;
            }
            slot = f;
          }
        } else if (IS_EXT(*slot) && AS_EXT(*slot)->cls->set_field && last) {
          Value r = AS_EXT(*slot)->cls->set_field(I, slot->u.o, s->u.field.name, rhs, &s->span);
          if (IS_ABRUPT(r)) {
            result = r;
            break;
          }
          val_release(r);
        } else if (IS_EXT(*slot) && AS_EXT(*slot)->cls->set_field && AS_EXT(*slot)->cls->get_field) {
          Value part = AS_EXT(*slot)->cls->get_field(I, slot->u.o, s->u.field.name, &s->u.field.namespan);
          if (IS_ABRUPT(part)) {
            result = part;
            break;
          }
          if (!wb) wb = dlt_xmalloc((size_t)nsteps * sizeof *wb);
          wb[nwb] = (WriteBack){slot, s->u.field.name, &s->span, part};
          slot = &wb[nwb].tmp;
          nwb++;
        } else {
          result = dlt_error(I, &s->span, "cannot set field '%s' of a %s", s->u.field.name, val_type_name(*slot));
          break;
        }
      } else if (last) {
        Value r = index_set(I, slot, steps[k].subs, steps[k].nsubs, rhs, steps[k].where);
        if (IS_ABRUPT(r)) {
          result = r;
          break;
        }
      } else {
        slot = index_ref(I, slot, steps[k].subs, steps[k].nsubs, steps[k].where);
        if (!slot) {
          result = v_abrupt();
          break;
        }
      }
    }
    if (!slot) result = v_abrupt();
  }
  for (int j = nwb - 1; j >= 0; j--) {
    if (!IS_ABRUPT(result)) {
      Value r = AS_EXT(*wb[j].owner)->cls->set_field(I, wb[j].owner->u.o, wb[j].name, wb[j].tmp, wb[j].where);
      if (IS_ABRUPT(r)) result = r;
      else val_release(r);
    }
    val_release(wb[j].tmp);
  }
  free(wb);
  for (int k = 0; k < done_steps; k++)
    for (int i = 0; i < steps[k].nsubs; i++) val_release(steps[k].subs[i]);
  val_release(rhs);
  return result;
}

/* ------------------------------------------------------------------ statements with output */
static void print_to_out(Interp *I, StrBuf *b) {
  fwrite(b->s ? b->s : "", 1, b->len, I->out);
}

static NOINLINE Value eval_print(Interp *I, Node *n) {
  StrBuf b = STRBUF_INIT;
  bool first = true;
  for (int i = 0; i < n->u.list.n; i++) {
    Node *a = n->u.list.items[i];
    /* `print(a, b)` parses as printing the tuple (a, b): print its elements */
    NodeList single = {&n->u.list.items[i], 1, 1};
    NodeList *items = a->kind == N_TUPLE ? &a->u.list : &single;
    for (int j = 0; j < items->n; j++) {
      Value v = eval_node(I, items->items[j]);
      if (IS_ABRUPT(v)) {
        sb_free(&b);
        return v;
      }
      if (!first) sb_putc(&b, ' ');
      first = false;
      val_print(&b, v, PRINT_DISPLAY);
      val_release(v);
    }
  }
  sb_putc(&b, '\n');
  print_to_out(I, &b);
  sb_free(&b);
  return v_nil();
}

static NOINLINE Value eval_show(Interp *I, Node *n) {
  Value v = eval_node(I, n->u.stmt.e);
  if (IS_ABRUPT(v)) return v;
  char *text = span_text(I, &n->u.stmt.e->span);
  StrBuf b = STRBUF_INIT;
  sb_puts(&b, text);
  size_t head = b.len;
  sb_puts(&b, " = ");
  val_print(&b, v, PRINT_REPR);
  if (strchr(b.s + head, '\n')) { /* a multi-line value starts on its own line */
    char *val = dlt_xstrdup(b.s + head + 3);
    sb_truncate(&b, head);
    sb_puts(&b, " =\n");
    sb_puts(&b, val);
    free(val);
  }
  sb_putc(&b, '\n');
  print_to_out(I, &b);
  sb_free(&b);
  free(text);
  val_release(v);
  return v_nil();
}

static NOINLINE Value eval_assert(Interp *I, Node *n) {
  Node *c = n->u.stmt.e;
  Value lhs = v_nil(), rhs = v_nil(), cond;
  bool comparison = c->kind == N_BINARY && c->op >= OP_EQ && c->op <= OP_GE;
  if (comparison) {
    /* evaluate the operands once, so a failure can show them */
    lhs = eval_node(I, c->u.bin.l);
    if (IS_ABRUPT(lhs)) return lhs;
    rhs = eval_node(I, c->u.bin.r);
    if (IS_ABRUPT(rhs)) {
      val_release(lhs);
      return rhs;
    }
    cond = arith_binop(I, (OpCode)c->op, lhs, rhs, &c->u.bin.opspan);
  } else {
    cond = eval_node(I, c);
  }
  Value result = v_nil();
  if (IS_ABRUPT(cond)) {
    result = cond;
    goto done;
  }
  int t;
  if (IS_MAT(cond)) { /* an elementwise comparison holds when it holds everywhere */
    t = 1;
    for (size_t i = 0; i < mat_numel(AS_MAT(cond)); i++)
      if (AS_MAT(cond)->data[i] == 0) t = 0;
  } else {
    t = val_truthy(I, cond, &c->span);
  }
  val_release(cond);
  if (t < 0) {
    result = v_abrupt();
    goto done;
  }
  if (!t) {
    StrBuf b = STRBUF_INIT;
    if (n->u.stmt.msg) {
      Value m = eval_node(I, n->u.stmt.msg);
      if (IS_ABRUPT(m)) {
        sb_free(&b);
        result = m;
        goto done;
      }
      val_print(&b, m, PRINT_DISPLAY);
      val_release(m);
    } else {
      char *text = span_text(I, &c->span);
      sb_puts(&b, text);
      free(text);
    }
    if (comparison) {
      sb_puts(&b, " (left: ");
      val_print(&b, lhs, PRINT_REPR | PRINT_INLINE);
      sb_puts(&b, ", right: ");
      val_print(&b, rhs, PRINT_REPR | PRINT_INLINE);
      sb_putc(&b, ')');
    }
    result = dlt_assert_failed(I, &n->span, sb_cstr(&b));
    sb_free(&b);
  }
done:
  val_release(lhs);
  val_release(rhs);
  return result;
}

static NOINLINE Value eval_seed(Interp *I, Node *n) {
  Value v = eval_node(I, n->u.stmt.e);
  if (IS_ABRUPT(v)) return v;
  if (!IS_NUM(v) || AS_NUM(v) < 0 || AS_NUM(v) != floor(AS_NUM(v)) || AS_NUM(v) > 4294967295.0) {
    val_release(v);
    return dlt_error(I, &n->u.stmt.e->span, "seed must be an integer between 0 and 4294967295");
  }
  gsl_rng_set(I->rng, (unsigned long)AS_NUM(v));
  I->rng_pending = false;
  I->seed = (uint32_t)AS_NUM(v);
  return v_nil();
}

static NOINLINE Value eval_import(Interp *I, Node *n) {
  FnProto *chunk = n->u.import.chunk;
  if (!chunk || n->u.import.done_index) return v_nil();
  n->u.import.done_index = 1;
  if (I->depth >= DLT_MAX_DEPTH) return dlt_error(I, &n->span, "imports nest too deeply");
  Frame *f = &I->frames[I->depth++]; /* so errors in the file say where it was imported */
  f->proto = chunk;
  f->name = NULL;
  f->call = n->span;
  f->fp = I->fp;
  f->closure = I->closure;
  Value r = eval_chunk(I, chunk);
  I->depth--;
  if (IS_ABRUPT(r)) return r;
  val_release(r);
  return v_nil();
}

/* ------------------------------------------------------------------ the dispatcher */
static NOINLINE Value eval_tuple(Interp *I, Node *n) {
  Value l = list_new((size_t)n->u.list.n);
  for (int i = 0; i < n->u.list.n; i++) {
    Value v = eval_node(I, n->u.list.items[i]);
    if (IS_ABRUPT(v)) {
      val_release(l);
      return v;
    }
    list_push(AS_LIST(l), v);
  }
  return l;
}

static NOINLINE Value eval_let(Interp *I, Node *n) {
  Value v = eval_fast(I, n->u.let.value);
  if (IS_ABRUPT(v)) return v;
  bind_value(I, n->u.let.bind, n->u.let.slot, v);
  return v_nil();
}

static NOINLINE Value eval_fndef(Interp *I, Node *n) {
  Value c = make_closure(I, n->u.fndef.proto);
  if (IS_ABRUPT(c)) return c;
  bind_value(I, n->u.fndef.bind, n->u.fndef.slot, c);
  return v_nil();
}

static NOINLINE Value eval_return(Interp *I, Node *n) {
  Value v = n->u.stmt.e ? eval_fast(I, n->u.stmt.e) : v_nil();
  if (IS_ABRUPT(v)) return v;
  val_set(&I->ret, v);
  I->signal = SIG_RETURN;
  return v_abrupt();
}

static NOINLINE Value eval_colon(Interp *I, Node *n) {
  return dlt_error(I, &n->span, "':' is only meaningful as a subscript");
}

static NOINLINE Value eval_unresolved(Interp *I, Node *n) {
  return dlt_error(I, &n->span, "internal error: unresolved name '%s'", n->u.var.name);
}

static NOINLINE Value eval_unknown(Interp *I, Node *n) {
  return dlt_error(I, &n->span, "internal error: unknown node kind %d", n->kind);
}

Value eval_node(Interp *I, Node *n) {
  switch ((NodeKind)n->kind) {
  case N_NUM: return v_num(n->u.num);
  case N_STR: return val_retain(n->u.str);
  case N_TRUE: return v_bool(true);
  case N_FALSE: return v_bool(false);
  case N_NIL: return v_nil();
  case N_LOCAL: return val_retain(I->fp[n->u.var.slot]);
  case N_BOXED: return val_retain(((Cell *)I->fp[n->u.var.slot].u.o)->v);
  case N_UPVAL: return val_retain(I->closure->up[n->u.var.slot]->v);
  case N_GLOBAL: {
    Value v = I->globals[n->u.var.slot];
    if (v.t == V_UNDEF) return undefined_global(I, n);
    return val_retain(v);
  }
  case N_SELF: return val_retain(v_obj(I->closure));
  case N_END: return eval_end(I, n);
  case N_VEC: return eval_vec(I, n);
  case N_RECORD: return eval_record(I, n);
  case N_TUPLE: return eval_tuple(I, n);
  case N_RANGE: return eval_range(I, n);
  case N_BINARY: return eval_binary(I, n);
  case N_AND:
  case N_OR: return eval_logic(I, n);
  case N_UNARY: return eval_unary(I, n);
  case N_CALL: return eval_call(I, n);
  case N_INDEX: return eval_index(I, n);
  case N_FIELD: return eval_field(I, n);
  case N_COLON: return eval_colon(I, n);
  case N_LAMBDA: return make_closure(I, n->u.lambda.proto);
  case N_IF: return eval_if(I, n);
  case N_BLOCK: return eval_block(I, n);
  case N_LET: return eval_let(I, n);
  case N_ASSIGN: return eval_assign(I, n);
  case N_FNDEF: return eval_fndef(I, n);
  case N_FOR: return eval_for(I, n);
  case N_WHILE: return eval_while(I, n);
  case N_BREAK: I->signal = SIG_BREAK; return v_abrupt();
  case N_CONTINUE: I->signal = SIG_CONTINUE; return v_abrupt();
  case N_RETURN: return eval_return(I, n);
  case N_IMPORT: return eval_import(I, n);
  case N_SEED: return eval_seed(I, n);
  case N_ASSERT: return eval_assert(I, n);
  case N_PRINT: return eval_print(I, n);
  case N_SHOW: return eval_show(I, n);
  case N_EXPR: return eval_node(I, n->u.stmt.e);
  case N_SWEEP: return eval_sweep(I, n);
  case N_RECORD_ROW: return eval_record_row(I, n);
  case N_NAME: return eval_unresolved(I, n);
  }
  return eval_unknown(I, n);
}

Value eval_chunk(Interp *I, FnProto *chunk) { return eval_chunk_steps(I, chunk, NULL); }

Value eval_chunk_steps(Interp *I, FnProto *chunk, const StepHook *hook) {
  Value *fp = I->sp;
  if (fp + chunk->nslots > I->stack_end) return dlt_error(I, &chunk->span, "recursion too deep (the value stack is full)");
  for (int i = 0; i < chunk->nslots; i++) fp[i] = v_nil();
  Value *saved_fp = I->fp;
  Closure *saved_closure = I->closure;
  I->sp = fp + chunk->nslots;
  I->fp = fp;
  I->closure = NULL;
  Value r;
  if (!hook) {
    r = eval_block(I, chunk->body);
  } else { /* one top-level statement at a time, with the stepper's hooks around each */
    NodeList *l = &chunk->body->u.list;
    r = v_nil();
    for (int i = 0; i < l->n; i++) {
      val_release(r);
      r = v_nil();
      if (!hook->before(hook->ctx, l->items[i])) break;
      r = eval_node(I, l->items[i]);
      if (IS_ABRUPT(r)) break;
      hook->after(hook->ctx, l->items[i], r);
    }
  }
  if (IS_ABRUPT(r) && I->signal != SIG_ERROR) { /* cannot happen: the resolver rejects stray break/return */
    I->signal = SIG_NONE;
    r = v_nil();
  }
  for (int i = 0; i < chunk->nslots; i++) val_release(fp[i]);
  I->sp = fp;
  I->fp = saved_fp;
  I->closure = saved_closure;
  return r;
}
