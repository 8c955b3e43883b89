/* call.c - calling closures, builtins and callable domain values; binding arguments. */
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "gc.h"
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

/* list "*": any keyword (table(a=..., b=...) takes its columns as keywords) */
static bool kw_accepted(const char *list, const char *name) {
  if (!list) return false;
  if (strcmp(list, "*") == 0) return true;
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

/* The parameter names in a builtin's signature "name(a, b=1, c=)": only its first parentheses. */
#define MAX_BUILTIN_PARAMS 16
static int sig_params(const char *sig, char names[][32]) {
  const char *p = strchr(sig, '(');
  int n = 0;
  if (!p) return 0;
  for (p++; *p && *p != ')' && n < MAX_BUILTIN_PARAMS;) {
    while (*p == ' ' || *p == ',') p++;
    int len = 0;
    while ((*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) && len < 31)
      names[n][len++] = *p++;
    names[n][len] = '\0';
    if (len) n++;
    while (*p && *p != ',' && *p != ')') p++; /* skip a default */
  }
  return n;
}

static Value unknown_keyword(Interp *I, const Builtin *b, Args *a, int k) {
  const Span *ks = a->kwspans ? &a->kwspans[k] : a->call;
  /* candidates: the signature's parameters and the accepted keywords */
  char names[MAX_BUILTIN_PARAMS + 32][32];
  int n = sig_params(b->sig, names);
  if (b->kwargs) {
    for (const char *p = b->kwargs; *p && n < MAX_BUILTIN_PARAMS + 32;) {
      while (*p == ' ') p++;
      int len = 0;
      while (*p && *p != ' ' && len < 31) names[n][len++] = *p++;
      names[n][len] = '\0';
      if (len) n++;
      while (*p && *p != ' ') p++;
    }
  }
  const char *cands[MAX_BUILTIN_PARAMS + 32];
  for (int i = 0; i < n; i++) cands[i] = names[i];
  const char *s = dlt_suggest(a->kwnames[k], cands, n);
  if (s) return dlt_error(I, ks, "%s() has no parameter named '%s'; did you mean '%s'?", b->name, a->kwnames[k], s);
  return dlt_error(I, ks, "%s() has no parameter named '%s' (usage: %s)", b->name, a->kwnames[k], b->sig);
}

/* Keyword arguments naming a builtin's positional parameters (zeros(2, m=3)) are moved into
 * position when they continue the positional arguments. Returns false after raising an error. */
static bool bind_builtin_keywords(Interp *I, const Builtin *b, Args *a, Value *pos, int *npos, const char **kwn,
                                  Value *kwv, Node **kwnodes, Span *kwspans, int *nkw) {
  char names[MAX_BUILTIN_PARAMS][32];
  int np = sig_params(b->sig, names);
  bool used[64] = {false};
  int n = a->n;
  for (int i = 0; i < a->n; i++) pos[i] = a->v[i];
  for (bool changed = true; changed;) {
    changed = false;
    for (int k = 0; k < a->nkw && k < 64; k++)
      if (!used[k] && !kw_accepted(b->kwargs, a->kwnames[k]) && n < np && n < MAX_BUILTIN_PARAMS &&
          strcmp(names[n], a->kwnames[k]) == 0) {
        pos[n++] = a->kw[k];
        used[k] = true;
        changed = true;
      }
  }
  int m = 0;
  for (int k = 0; k < a->nkw && k < 64; k++) {
    if (used[k]) continue;
    if (!kw_accepted(b->kwargs, a->kwnames[k])) {
      const Span *ks = a->kwspans ? &a->kwspans[k] : a->call;
      for (int j = 0; j < np; j++)
        if (strcmp(names[j], a->kwnames[k]) == 0) {
          if (j < n)
            dlt_error(I, ks, "%s() got two values for '%s'", b->name, names[j]);
          else
            dlt_error(I, ks, "%s(): '%s' can be named only after the arguments before it (usage: %s)", b->name,
                      names[j], b->sig);
          return false;
        }
      unknown_keyword(I, b, a, k);
      return false;
    }
    kwn[m] = a->kwnames[k];
    kwv[m] = a->kw[k];
    kwnodes[m] = a->kwnodes ? a->kwnodes[k] : NULL;
    kwspans[m] = a->kwspans ? a->kwspans[k] : *a->call;
    m++;
  }
  *npos = n;
  *nkw = m;
  return true;
}

static Value call_builtin(Interp *I, const Builtin *b, Args *a) {
  /* closures check at entry too: a C loop calling a builtin (an integrand that is sin) stops on
   * Ctrl-C as one calling a closure does */
  if (eval_must_stop(I)) {
    Value stop = eval_stop(I, a->call);
    if (IS_ABRUPT(stop)) return stop;
  }
  a->fname = b->name;
  a->data = b->data;
  Value pos[MAX_BUILTIN_PARAMS + 64];
  const char *kwn[64];
  Value kwv[64];
  Node *kwnodes[64];
  Span kwspans[64];
  Args bound;
  if (a->n > 0 && IS_EXT(a->v[0]) && AS_EXT(a->v[0])->cls->method) {
    bool handled = false;
    dlt_gsl_clear();
    Value r = AS_EXT(a->v[0])->cls->method(a, b->name, &handled);
    if (handled) {
      if (dlt_gsl_pending() && !IS_ABRUPT(r)) {
        val_release(r);
        r = dlt_error_gsl(I, a->call, b->name, dlt_gsl_pending());
      }
      dlt_gsl_clear();
      return r;
    }
  }
  if (a->nkw > 0) {
    if (a->nkw > 64 || a->n > 64) return dlt_error(I, a->call, "%s(): too many arguments", b->name);
    int npos, nkw;
    if (!bind_builtin_keywords(I, b, a, pos, &npos, kwn, kwv, kwnodes, kwspans, &nkw)) return v_abrupt();
    bound = *a;
    bound.n = npos;
    bound.v = pos;
    bound.argnodes = npos == a->n ? a->argnodes : NULL; /* positions moved: locate at the call */
    bound.nkw = nkw;
    bound.kwnames = kwn;
    bound.kw = kwv;
    bound.kwnodes = a->kwnodes ? kwnodes : NULL;
    bound.kwspans = kwspans;
    a = &bound;
  }
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
  if (IS_EXT(fn) && AS_EXT(fn)->cls->call) {
    /* a kernel, network or measure called from a C loop (an integrand) stops on Ctrl-C too */
    if (eval_must_stop(I)) {
      Value stop = eval_stop(I, a->call);
      if (IS_ABRUPT(stop)) return stop;
    }
    return AS_EXT(fn)->cls->call(I, fn.u.o, a);
  }
  return dlt_error(I, a->call, "cannot call a %s", val_type_name(fn));
}

Value dlt_call(Interp *I, Value fn, int argc, const Value *argv, const Span *where) {
  Args a = {I, NULL, argc, argv, NULL, 0, NULL, NULL, NULL, NULL, where, NULL};
  return call_value(I, fn, &a);
}

bool val_is_callable(Value v) { return IS_CLOSURE(v) || IS_BUILTIN(v) || (IS_EXT(v) && AS_EXT(v)->cls->call); }
