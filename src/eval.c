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

static inline Value *local_slot(Interp *I, Node *n) {
  Value *p = &I->fp[n->u.var.slot];
  if (n->kind == N_BOXED) p = &((Cell *)p->u.o)->v;
  return p;
}

static Value undefined_global(Interp *I, Node *n) {
  return dlt_error(I, &n->span, "'%s' is used before it is defined", I->global_names[n->u.var.slot]);
}

/* ------------------------------------------------------------------ literals */
static Value eval_vec(Interp *I, Node *n) {
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

static Value eval_record(Interp *I, Node *n) {
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

static Value eval_range(Interp *I, Node *n) {
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
static Value eval_binary(Interp *I, Node *n) {
  Value a = eval_node(I, n->u.bin.l);
  if (IS_ABRUPT(a)) return a;
  Value b = eval_node(I, n->u.bin.r);
  if (IS_ABRUPT(b)) {
    val_release(a);
    return b;
  }
  if (a.t == V_NUM && b.t == V_NUM) {
    double x = a.u.n, y = b.u.n;
    switch ((OpCode)n->op) {
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
    default: return v_num(arith_num((OpCode)n->op, x, y));
    }
  }
  Value r = arith_binop(I, (OpCode)n->op, a, b, &n->u.bin.opspan);
  val_release(a);
  val_release(b);
  return r;
}

static Value eval_logic(Interp *I, Node *n) {
  Value a = eval_node(I, n->u.bin.l);
  if (IS_ABRUPT(a)) return a;
  int t = val_truthy(I, a, &n->u.bin.l->span);
  val_release(a);
  if (t < 0) return v_abrupt();
  if (n->kind == N_AND ? !t : t) return v_bool(t);
  Value b = eval_node(I, n->u.bin.r);
  if (IS_ABRUPT(b)) return b;
  t = val_truthy(I, b, &n->u.bin.r->span);
  val_release(b);
  return t < 0 ? v_abrupt() : v_bool(t);
}

static Value eval_unary(Interp *I, Node *n) {
  Value a = eval_node(I, n->u.un.e);
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
static Value eval_call(Interp *I, Node *n) {
  Value f = eval_node(I, n->u.call.fn);
  if (IS_ABRUPT(f)) return f;
  int argc = n->u.call.args.n, nkw = n->u.call.kwargs.n;
  Value *base = I->sp;
  if (base + argc + nkw > I->stack_end) {
    val_release(f);
    return dlt_error(I, &n->span, "recursion too deep (the value stack is full)");
  }
  /* Arguments are evaluated straight into the stack; a closure's frame starts right there. */
  for (int i = 0; i < argc + nkw; i++) {
    Node *an = i < argc ? n->u.call.args.items[i] : n->u.call.kwargs.items[i - argc];
    Value v = eval_node(I, an);
    if (IS_ABRUPT(v)) {
      for (Value *p = base; p < I->sp; p++) val_release(*p);
      I->sp = base;
      val_release(f);
      return v;
    }
    *I->sp++ = v;
  }
  Value r;
  if (IS_CLOSURE(f) && nkw == 0 && argc <= AS_CLOSURE(f)->proto->nparams) {
    r = call_closure_frame(I, AS_CLOSURE(f), base, &n->span); /* the frame takes the arguments */
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

static Value eval_index(Interp *I, Node *n) {
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

static Value eval_end(Interp *I, Node *n) {
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

static Value eval_field(Interp *I, Node *n) {
  Value base = eval_node(I, n->u.field.base);
  if (IS_ABRUPT(base)) return base;
  Value r = get_field(I, base, n->u.field.name, &n->u.field.namespan);
  val_release(base);
  return r;
}

/* ------------------------------------------------------------------ blocks and control flow */
static Value eval_block(Interp *I, Node *b) {
  NodeList *l = &b->u.list;
  Value last = v_nil();
  for (int i = 0; i < l->n; i++) {
    val_release(last);
    last = eval_node(I, l->items[i]);
    if (IS_ABRUPT(last)) return last;
  }
  return last;
}

static Value eval_if(Interp *I, Node *n) {
  for (;;) {
    Value c = eval_node(I, n->u.iff.cond);
    if (IS_ABRUPT(c)) return c;
    int t = val_truthy(I, c, &n->u.iff.cond->span);
    val_release(c);
    if (t < 0) return v_abrupt();
    if (t) return eval_block(I, n->u.iff.then);
    if (!n->u.iff.els) return v_nil();
    if (n->u.iff.els->kind != N_IF) return eval_block(I, n->u.iff.els);
    n = n->u.iff.els;
  }
}

/* Store a new binding (let, fn, for): a global, a frame slot, or a fresh cell in the slot. */
static inline void bind_value(Interp *I, BindKind kind, int slot, Value v) {
  if (kind == BIND_GLOBAL) {
    val_set(&I->globals[slot], v);
    return;
  }
  if (kind == BIND_BOXED) v = cell_new(v);
  val_set(&I->fp[slot], v);
}

/* Runs a loop body; returns 0 to go on, 1 to stop normally (break), -1 on an abrupt exit whose
 * value is in *out. */
static int loop_body(Interp *I, Node *body, const Span *where, Value *out) {
  if (eval_must_stop(I)) {
    Value stop = eval_stop(I, where);
    if (IS_ABRUPT(stop)) {
      *out = stop;
      return -1;
    }
  }
  if (gc_due) gc_collect();
  Value r = eval_block(I, body);
  if (!IS_ABRUPT(r)) {
    val_release(r);
    return 0;
  }
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

static Value eval_for(Interp *I, Node *n) {
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

static Value eval_while(Interp *I, Node *n) {
  Value out = v_nil();
  for (;;) {
    Value c = eval_node(I, n->u.wh.cond);
    if (IS_ABRUPT(c)) return c;
    int t = val_truthy(I, c, &n->u.wh.cond->span);
    val_release(c);
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
  case N_UPVAL: return &I->closure->up[t->u.var.slot]->v;
  case N_GLOBAL:
    if (I->globals[t->u.var.slot].t == V_UNDEF) {
      dlt_error(I, &t->span, "'%s' is assigned before its `let`", I->global_names[t->u.var.slot]);
      return NULL;
    }
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

static Value compound(Interp *I, Node *n, Value cur, Value rhs) {
  if (cur.t == V_NUM && rhs.t == V_NUM) return v_num(arith_num((OpCode)n->op, cur.u.n, rhs.u.n));
  return arith_binop(I, (OpCode)n->op, cur, rhs, &n->span);
}

static Value eval_assign(Interp *I, Node *n) {
  Node *t = n->u.assign.target;
  Value rhs = eval_node(I, n->u.assign.value);
  if (IS_ABRUPT(rhs)) return rhs;

  if (t->kind != N_INDEX && t->kind != N_FIELD) {
    Value *slot = name_slot(I, t);
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

static Value eval_print(Interp *I, Node *n) {
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

static Value eval_show(Interp *I, Node *n) {
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

static Value eval_assert(Interp *I, Node *n) {
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

static Value eval_seed(Interp *I, Node *n) {
  Value v = eval_node(I, n->u.stmt.e);
  if (IS_ABRUPT(v)) return v;
  if (!IS_NUM(v) || AS_NUM(v) < 0 || AS_NUM(v) != floor(AS_NUM(v)) || AS_NUM(v) > 4294967295.0) {
    val_release(v);
    return dlt_error(I, &n->u.stmt.e->span, "seed must be an integer between 0 and 4294967295");
  }
  gsl_rng_set(I->rng, (unsigned long)AS_NUM(v));
  I->seed = (uint32_t)AS_NUM(v);
  return v_nil();
}

static Value eval_import(Interp *I, Node *n) {
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
  case N_TUPLE: {
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
  case N_RANGE: return eval_range(I, n);
  case N_BINARY: return eval_binary(I, n);
  case N_AND:
  case N_OR: return eval_logic(I, n);
  case N_UNARY: return eval_unary(I, n);
  case N_CALL: return eval_call(I, n);
  case N_INDEX: return eval_index(I, n);
  case N_FIELD: return eval_field(I, n);
  case N_COLON: return dlt_error(I, &n->span, "':' is only meaningful as a subscript");
  case N_LAMBDA: return make_closure(I, n->u.lambda.proto);
  case N_IF: return eval_if(I, n);
  case N_BLOCK: return eval_block(I, n);
  case N_LET: {
    Value v = eval_node(I, n->u.let.value);
    if (IS_ABRUPT(v)) return v;
    bind_value(I, n->u.let.bind, n->u.let.slot, v);
    return v_nil();
  }
  case N_ASSIGN: return eval_assign(I, n);
  case N_FNDEF: {
    Value c = make_closure(I, n->u.fndef.proto);
    if (IS_ABRUPT(c)) return c;
    bind_value(I, n->u.fndef.bind, n->u.fndef.slot, c);
    return v_nil();
  }
  case N_FOR: return eval_for(I, n);
  case N_WHILE: return eval_while(I, n);
  case N_BREAK: I->signal = SIG_BREAK; return v_abrupt();
  case N_CONTINUE: I->signal = SIG_CONTINUE; return v_abrupt();
  case N_RETURN: {
    Value v = n->u.stmt.e ? eval_node(I, n->u.stmt.e) : v_nil();
    if (IS_ABRUPT(v)) return v;
    val_set(&I->ret, v);
    I->signal = SIG_RETURN;
    return v_abrupt();
  }
  case N_IMPORT: return eval_import(I, n);
  case N_SEED: return eval_seed(I, n);
  case N_ASSERT: return eval_assert(I, n);
  case N_PRINT: return eval_print(I, n);
  case N_SHOW: return eval_show(I, n);
  case N_EXPR: return eval_node(I, n->u.stmt.e);
  case N_SWEEP: return eval_sweep(I, n);
  case N_RECORD_ROW: return eval_record_row(I, n);
  case N_NAME: return dlt_error(I, &n->span, "internal error: unresolved name '%s'", n->u.var.name);
  }
  return dlt_error(I, &n->span, "internal error: unknown node kind %d", n->kind);
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
