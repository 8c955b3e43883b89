/* call.c - calling closures, builtins and callable domain values; binding arguments. */
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "interp.h"
#include "resolve.h"

Value make_closure(Interp *I, FnProto *p) {
  Closure *c = obj_new(OBJ_CLOSURE, sizeof(Closure) + (size_t)p->nup * sizeof(Cell *));
  c->proto = p;
  c->nup = p->nup;
  for (int i = 0; i < p->nup; i++) {
    const UpvalDesc *u = &p->ups[i];
    Cell *cell;
    switch (u->from) {
    case UP_PARENT_LOCAL:
      cell = (Cell *)I->fp[u->index].u.o;
      cell->obj.refs++;
      break;
    case UP_PARENT_UPVAL:
      cell = I->closure->up[u->index];
      cell->obj.refs++;
      break;
    default: /* UP_PARENT_SELF */
      cell = (Cell *)AS_OBJ(cell_new(val_retain(v_obj(I->closure))));
      break;
    }
    c->up[i] = cell;
  }
  return v_obj(c);
}

static Value missing_argument(Interp *I, const FnProto *p, int i, const Span *call) {
  return dlt_error(I, call, "%s() missing argument '%s'", p->name, p->params[i]);
}

Value call_closure_frame(Interp *I, Closure *c, Value *fp, const Span *call) {
  FnProto *p = c->proto;
  int given = (int)(I->sp - fp);
  if (I->depth >= DLT_MAX_DEPTH || fp + p->nslots > I->stack_end) {
    for (Value *q = fp; q < I->sp; q++) val_release(*q);
    I->sp = fp;
    return dlt_error(I, call, "recursion too deep (more than %d nested calls)", DLT_MAX_DEPTH);
  }
  if (dlt_interrupted) {
    for (Value *q = fp; q < I->sp; q++) val_release(*q);
    I->sp = fp;
    return eval_interrupted(I, call);
  }
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
  for (int i = 0; i < p->nparams; i++) {
    if (fp[i].t == V_UNDEF) {
      if (!p->defaults[i]) {
        /* located at the call, reported from the caller's point of view */
        I->depth--;
        I->fp = saved_fp;
        I->closure = saved_closure;
        r = missing_argument(I, p, i, call);
        I->depth++;
        I->fp = fp;
        I->closure = c;
        break;
      }
      Value d = eval_node(I, p->defaults[i]);
      if (IS_ABRUPT(d)) {
        r = d;
        break;
      }
      fp[i] = d;
    }
    if (p->param_boxed[i]) fp[i] = cell_new(fp[i]);
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

/* The general path: keyword arguments, or a call from C. Arguments are borrowed. */
static Value call_closure_args(Interp *I, Closure *c, Args *a) {
  FnProto *p = c->proto;
  if (a->n > p->nparams) {
    if (p->nparams == 0)
      return dlt_error(I, a->call, "%s() takes no arguments, got %d", p->name, a->n);
    return dlt_error(I, a->call, "%s() takes %s%d argument%s, got %d", p->name,
                     p->defaults[p->nparams - 1] ? "at most " : "", p->nparams, p->nparams == 1 ? "" : "s", a->n);
  }
  Value *fp = I->sp;
  if (fp + p->nslots > I->stack_end)
    return dlt_error(I, a->call, "recursion too deep (more than %d nested calls)", DLT_MAX_DEPTH);
  for (int i = 0; i < p->nparams; i++) fp[i] = v_undef();
  for (int i = 0; i < a->n; i++) fp[i] = val_retain(a->v[i]);
  for (int k = 0; k < a->nkw; k++) {
    const Span *ks = a->kwspans ? &a->kwspans[k] : a->call;
    int j = -1;
    for (int i = 0; i < p->nparams; i++)
      if (strcmp(p->params[i], a->kwnames[k]) == 0) j = i;
    Value err = v_nil();
    if (j < 0) {
      const char *s = dlt_suggest(a->kwnames[k], (const char *const *)p->params, p->nparams);
      err = s ? dlt_error(I, ks, "%s() has no parameter named '%s'; did you mean '%s'?", p->name, a->kwnames[k], s)
              : dlt_error(I, ks, "%s() has no parameter named '%s'", p->name, a->kwnames[k]);
    } else if (fp[j].t != V_UNDEF) {
      err = dlt_error(I, ks, "%s() got two values for '%s'", p->name, a->kwnames[k]);
    }
    if (IS_ABRUPT(err)) {
      for (int i = 0; i < p->nparams; i++) val_release(fp[i]);
      return err;
    }
    fp[j] = val_retain(a->kw[k]);
  }
  I->sp = fp + p->nparams;
  return call_closure_frame(I, c, fp, a->call);
}

static bool kw_accepted(const char *list, const char *name) {
  if (!list) return false;
  size_t n = strlen(name);
  for (const char *p = list; *p;) {
    while (*p == ' ') p++;
    const char *q = p;
    while (*q && *q != ' ') q++;
    if ((size_t)(q - p) == n && strncmp(p, name, n) == 0) return true;
    p = q;
  }
  return false;
}

static Value unknown_keyword(Interp *I, const Builtin *b, Args *a, int k) {
  const Span *ks = a->kwspans ? &a->kwspans[k] : a->call;
  if (!b->kwargs) return dlt_error(I, ks, "%s() takes no keyword arguments (got '%s')", b->name, a->kwnames[k]);
  /* split the accepted list for the suggestion */
  char *copy = dlt_xstrdup(b->kwargs);
  const char *names[32];
  int n = 0;
  for (char *tok = strtok(copy, " "); tok && n < 32; tok = strtok(NULL, " ")) names[n++] = tok;
  const char *s = dlt_suggest(a->kwnames[k], names, n);
  Value e = s ? dlt_error(I, ks, "%s() has no keyword argument '%s'; did you mean '%s'?", b->name, a->kwnames[k], s)
              : dlt_error(I, ks, "%s() has no keyword argument '%s' (it accepts: %s)", b->name, a->kwnames[k], b->kwargs);
  free(copy);
  return e;
}

static Value call_builtin(Interp *I, const Builtin *b, Args *a) {
  a->fname = b->name;
  a->data = b->data;
  if (a->n < b->min_args || (b->max_args >= 0 && a->n > b->max_args)) {
    if (b->min_args == b->max_args)
      return dlt_error(I, a->call, "%s() takes %d argument%s, got %d (usage: %s)", b->name, b->min_args,
                       b->min_args == 1 ? "" : "s", a->n, b->sig);
    if (b->max_args < 0)
      return dlt_error(I, a->call, "%s() takes at least %d argument%s, got %d (usage: %s)", b->name, b->min_args,
                       b->min_args == 1 ? "" : "s", a->n, b->sig);
    return dlt_error(I, a->call, "%s() takes %d to %d arguments, got %d (usage: %s)", b->name, b->min_args,
                     b->max_args, a->n, b->sig);
  }
  for (int k = 0; k < a->nkw; k++)
    if (!kw_accepted(b->kwargs, a->kwnames[k])) return unknown_keyword(I, b, a, k);
  dlt_gsl_clear();
  Value r = b->fn(a);
  int gsl = dlt_gsl_pending();
  if (gsl) {
    /* a GSL failure the builtin did not turn into its own message */
    if (!IS_ABRUPT(r)) {
      val_release(r);
      r = dlt_error_gsl(I, a->call, b->name, gsl);
    }
    dlt_gsl_clear();
  }
  return r;
}

Value call_value(Interp *I, Value fn, Args *a) {
  if (IS_CLOSURE(fn)) return call_closure_args(I, AS_CLOSURE(fn), a);
  if (IS_BUILTIN(fn)) return call_builtin(I, AS_BUILTIN(fn)->def, a);
  if (IS_EXT(fn) && AS_EXT(fn)->cls->call) return AS_EXT(fn)->cls->call(I, fn.u.o, a);
  return dlt_error(I, a->call, "cannot call a %s", val_type_name(fn));
}

Value dlt_call(Interp *I, Value fn, int argc, const Value *argv, const Span *where) {
  Args a = {I, NULL, argc, argv, NULL, 0, NULL, NULL, NULL, NULL, where, NULL};
  return call_value(I, fn, &a);
}

bool val_is_callable(Value v) { return IS_CLOSURE(v) || IS_BUILTIN(v) || (IS_EXT(v) && AS_EXT(v)->cls->call); }
