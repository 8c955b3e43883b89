/* resolve.c - bind every name to a slot before anything runs.
 *
 * Globals (top-level `let`/`fn`, builtins, imported files) live in Interp.globals by index; all
 * top-level declarations of a file are declared before its statements are resolved, so functions
 * may call functions defined further down. Locals live in frame slots. A local captured by an inner
 * function is "boxed": its slot holds a Cell that the closure shares. A local function naming
 * itself resolves to N_SELF (the running closure), and an inner function naming an enclosing
 * function captures a fresh cell holding it, so recursion never creates a reference cycle.
 *
 * Errors here (undefined names, `break` outside a loop, ...) are compile errors: nothing runs.
 */
#include "resolve.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "parse.h"

typedef struct Local {
  const char *name;
  int depth;
  bool captured;
  BindKind *bind;   /* the declaration's binding kind, flipped to BIND_BOXED if captured */
  bool *param_boxed;
  NodeList refs;    /* N_LOCAL nodes that read or write it (not owned) */
} Local;

typedef struct FuncState {
  struct FuncState *enclosing;
  FnProto *proto;
  Local *locals;
  int nlocals, cap;
  int scope_depth;
  int loop_depth;
  bool is_top;
  const char *self_name; /* a local `fn name` resolves `name` in its body to N_SELF */
  /* `end` in subscripts: innermost index expression being resolved */
  int index_dim, index_nsubs;
  bool in_index;
} FuncState;

typedef struct Resolver {
  Interp *I;
  FuncState *fs;
  int nest;
  bool nest_reported;
} Resolver;

static void resolve_node(Resolver *R, Node *n);

/* ------------------------------------------------------------------ suggestions */
static int edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 40 || lb > 40) return 99;
  int d[41][41];
  for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < c)
        c = d[i - 2][j - 2] + 1;
      d[i][j] = c;
    }
  return d[la][lb];
}

static size_t common_prefix(const char *a, const char *b) {
  size_t k = 0;
  while (a[k] && a[k] == b[k]) k++;
  return k;
}

const char *dlt_suggest(const char *name, const char *const *candidates, int n) {
  const char *best = NULL;
  int bestd = INT_MAX;
  size_t len = strlen(name);
  int limit = len <= 2 ? 0 : len <= 4 ? 1 : len <= 7 ? 2 : 3; /* 'x' vs 'e' is no hint */
  for (int i = 0; i < n; i++) {
    if (!candidates[i] || strcmp(candidates[i], name) == 0) continue;
    int d = edit_distance(name, candidates[i]);
    /* ties go to the longer shared beginning: sqr -> sqrt rather than str */
    if (d <= limit && (d < bestd || (d == bestd && common_prefix(name, candidates[i]) > common_prefix(name, best)))) {
      bestd = d;
      best = candidates[i];
    }
  }
  return best;
}

/* The user's own names are the likeliest targets of a typo; a library name is suggested only when
 * it is one edit away (so `count` does not become `round`). */
static const char *suggest_visible(Resolver *R, const char *name) {
  Interp *I = R->I;
  int n = 0, cap = I->nglobals + 16;
  const char **cands = dlt_xmalloc((size_t)cap * sizeof(char *));
  for (FuncState *fs = R->fs; fs; fs = fs->enclosing)
    for (int i = 0; i < fs->nlocals; i++) {
      if (n == cap) cands = dlt_xrealloc(cands, (size_t)(cap *= 2) * sizeof(char *));
      cands[n++] = fs->locals[i].name;
    }
  for (int i = I->nlibrary_globals; i < I->nglobals; i++) {
    if (n == cap) cands = dlt_xrealloc(cands, (size_t)(cap *= 2) * sizeof(char *));
    cands[n++] = I->global_names[i];
  }
  const char *s = dlt_suggest(name, cands, n);
  if (!s) {
    s = dlt_suggest(name, (const char *const *)I->global_names, I->nlibrary_globals);
    if (s && edit_distance(name, s) > 1) s = NULL;
  }
  free(cands);
  return s;
}

/* ------------------------------------------------------------------ scopes */
static void begin_scope(FuncState *fs) { fs->scope_depth++; }

static void end_scope(FuncState *fs) {
  fs->scope_depth--;
  while (fs->nlocals > 0 && fs->locals[fs->nlocals - 1].depth > fs->scope_depth) {
    Local *l = &fs->locals[--fs->nlocals];
    if (l->captured) {
      if (l->bind) *l->bind = BIND_BOXED;
      if (l->param_boxed) *l->param_boxed = true;
      for (int i = 0; i < l->refs.n; i++) l->refs.items[i]->kind = N_BOXED;
    }
    free(l->refs.items);
  }
}

static int declare_local(FuncState *fs, const char *name, BindKind *bind, bool *param_boxed) {
  if (fs->nlocals == fs->cap) {
    fs->cap = fs->cap ? 2 * fs->cap : 8;
    fs->locals = dlt_xrealloc(fs->locals, (size_t)fs->cap * sizeof(Local));
  }
  int slot = fs->nlocals++;
  Local *l = &fs->locals[slot];
  memset(l, 0, sizeof *l);
  l->name = name;
  l->depth = fs->scope_depth;
  l->bind = bind;
  l->param_boxed = param_boxed;
  if (bind) *bind = BIND_LOCAL;
  if (fs->nlocals > fs->proto->nslots) fs->proto->nslots = fs->nlocals;
  return slot;
}

static int find_local(FuncState *fs, const char *name) {
  for (int i = fs->nlocals - 1; i >= 0; i--)
    if (strcmp(fs->locals[i].name, name) == 0) return i;
  return -1;
}

static int add_upvalue(FuncState *fs, UpvalFrom from, int index) {
  FnProto *p = fs->proto;
  for (int i = 0; i < p->nup; i++)
    if (p->ups[i].from == from && p->ups[i].index == index) return i;
  p->ups = dlt_xrealloc(p->ups, (size_t)(p->nup + 1) * sizeof(UpvalDesc));
  p->ups[p->nup].from = from;
  p->ups[p->nup].index = index;
  return p->nup++;
}

/* The upvalue index of `name` in fs, capturing it from enclosing functions; -1 if it is not a
 * local of any enclosing function. */
static int resolve_upvalue(FuncState *fs, const char *name) {
  FuncState *e = fs->enclosing;
  if (!e) return -1;
  int slot = find_local(e, name);
  if (slot >= 0) {
    e->locals[slot].captured = true;
    return add_upvalue(fs, UP_PARENT_LOCAL, slot);
  }
  if (e->self_name && strcmp(e->self_name, name) == 0) return add_upvalue(fs, UP_PARENT_SELF, 0);
  int up = resolve_upvalue(e, name);
  if (up >= 0) return add_upvalue(fs, UP_PARENT_UPVAL, up);
  return -1;
}

/* Rewrite an N_NAME node into its resolved kind. Returns false (after a diagnostic) if unknown. */
static bool resolve_name(Resolver *R, Node *n, bool for_assignment) {
  FuncState *fs = R->fs;
  const char *name = n->u.var.name;
  int slot = find_local(fs, name);
  if (slot >= 0) {
    n->kind = N_LOCAL;
    n->u.var.slot = slot;
    nodelist_push(&fs->locals[slot].refs, n);
    return true;
  }
  if (fs->self_name && strcmp(fs->self_name, name) == 0) {
    if (for_assignment) {
      diag_parse(R->I, &n->span, "cannot assign to '%s' inside its own definition", name);
      return false;
    }
    n->kind = N_SELF;
    return true;
  }
  int up = resolve_upvalue(fs, name);
  if (up >= 0) {
    n->kind = N_UPVAL;
    n->u.var.slot = up;
    return true;
  }
  if (!for_assignment && fs->in_index && strcmp(name, "end") == 0) {
    n->kind = N_END;
    int dim = fs->index_dim, nsubs = fs->index_nsubs;
    free(n->u.var.name);
    n->u.end.dim = dim;
    n->u.end.nsubs = nsubs;
    return true;
  }
  int g = global_lookup(R->I, name);
  if (g >= 0) {
    n->kind = N_GLOBAL;
    n->u.var.slot = g;
    return true;
  }
  for (int i = 0; i < R->I->nguessed; i++)
    if (strcmp(R->I->guessed_names[i], name) == 0) return false; /* declared by a statement that did not parse */
  const char *s = suggest_visible(R, name);
  if (for_assignment)
    diag_parse(R->I, &n->span, "cannot assign to undeclared name '%s' (declare it with `let %s = ...`)%s%s%s",
               name, name, s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
  else
    diag_parse(R->I, &n->span, "undefined name '%s'%s%s%s", name, s ? "; did you mean '" : "", s ? s : "",
               s ? "'?" : "");
  return false;
}

/* ------------------------------------------------------------------ functions */
static void resolve_function(Resolver *R, FnProto *p, const char *self_name) {
  FuncState fs;
  memset(&fs, 0, sizeof fs);
  fs.enclosing = R->fs;
  fs.proto = p;
  fs.self_name = self_name;
  R->fs = &fs;
  begin_scope(&fs);
  p->nslots = 0;
  for (int i = 0; i < p->nparams; i++) {
    /* a default may use the parameters before it */
    if (p->defaults[i]) resolve_node(R, p->defaults[i]);
    declare_local(&fs, p->params[i], NULL, &p->param_boxed[i]);
  }
  resolve_node(R, p->body);
  end_scope(&fs);
  free(fs.locals);
  R->fs = fs.enclosing;
}

static void resolve_list(Resolver *R, NodeList *l) {
  for (int i = 0; i < l->n; i++) resolve_node(R, l->items[i]);
}

static void resolve_block(Resolver *R, Node *block) {
  begin_scope(R->fs);
  resolve_list(R, &block->u.list);
  end_scope(R->fs);
}

/* A binding statement at the top level of a chunk defines a global, anywhere else a local. */
static bool at_top(Resolver *R) { return R->fs->is_top && R->fs->scope_depth == 0; }

/* Subscripts are resolved knowing which dimension they index, for `end`. */
static void resolve_subscripts(Resolver *R, Node *index) {
  FuncState *fs = R->fs;
  bool saved_in = fs->in_index;
  int saved_dim = fs->index_dim, saved_n = fs->index_nsubs;
  fs->in_index = true;
  fs->index_nsubs = index->u.index.subs.n;
  for (int i = 0; i < index->u.index.subs.n; i++) {
    fs->index_dim = i;
    resolve_node(R, index->u.index.subs.items[i]);
  }
  fs->in_index = saved_in;
  fs->index_dim = saved_dim;
  fs->index_nsubs = saved_n;
}

static void resolve_target(Resolver *R, Node *t) {
  switch (t->kind) {
  case N_NAME: resolve_name(R, t, true); break;
  case N_INDEX: {
    resolve_target(R, t->u.index.base);
    resolve_subscripts(R, t);
    break;
  }
  case N_FIELD: resolve_target(R, t->u.field.base); break;
  default: break; /* the parser already reported it */
  }
}

static void import_declare(Resolver *R, Node *n);

static void resolve_node(Resolver *R, Node *n) {
  if (!n) return;
  if (++R->nest > DLT_MAX_NEST) {
    if (!R->nest_reported) diag_parse(R->I, &n->span, "program is nested too deeply (more than %d levels)", DLT_MAX_NEST);
    R->nest_reported = true;
    R->nest--;
    return;
  }
  FuncState *fs = R->fs;
  switch ((NodeKind)n->kind) {
  case N_NAME: resolve_name(R, n, false); break;
  case N_VEC: case N_TUPLE: resolve_list(R, &n->u.list); break;
  case N_PRINT: resolve_list(R, &n->u.list); break;
  case N_RECORD: case N_RECORD_ROW: resolve_list(R, &n->u.rec.vals); break;
  case N_SWEEP: {
    resolve_list(R, &n->u.sweep.iters);
    resolve_list(R, &n->u.sweep.opts);
    int saved_loop = fs->loop_depth;
    if (n->u.sweep.filter) resolve_function(R, n->u.sweep.filter->u.lambda.proto, NULL);
    resolve_function(R, n->u.sweep.body->u.lambda.proto, NULL);
    fs->loop_depth = saved_loop;
    break;
  }
  case N_RANGE: case N_BINARY: case N_AND: case N_OR:
    resolve_node(R, n->u.bin.l);
    resolve_node(R, n->u.bin.r);
    break;
  case N_UNARY: resolve_node(R, n->u.un.e); break;
  case N_CALL:
    resolve_node(R, n->u.call.fn);
    resolve_list(R, &n->u.call.args);
    resolve_list(R, &n->u.call.kwargs);
    break;
  case N_INDEX: {
    resolve_node(R, n->u.index.base);
    resolve_subscripts(R, n);
    break;
  }
  case N_FIELD: resolve_node(R, n->u.field.base); break;
  case N_LAMBDA: {
    int saved_loop = fs->loop_depth;
    resolve_function(R, n->u.lambda.proto, NULL);
    fs->loop_depth = saved_loop;
    break;
  }
  case N_IF:
    resolve_node(R, n->u.iff.cond);
    resolve_block(R, n->u.iff.then);
    if (n->u.iff.els) {
      if (n->u.iff.els->kind == N_BLOCK)
        resolve_block(R, n->u.iff.els);
      else
        resolve_node(R, n->u.iff.els);
    }
    break;
  case N_BLOCK: resolve_block(R, n); break;
  case N_LET:
    resolve_node(R, n->u.let.value); /* before the name exists: `let x = x + 1` reads the outer x */
    if (at_top(R)) {
      n->u.let.bind = BIND_GLOBAL;
      n->u.let.slot = global_declare(R->I, n->u.let.name);
    } else {
      n->u.let.slot = declare_local(fs, n->u.let.name, &n->u.let.bind, NULL);
    }
    break;
  case N_ASSIGN:
    resolve_node(R, n->u.assign.value);
    resolve_target(R, n->u.assign.target);
    break;
  case N_FNDEF:
    if (at_top(R)) {
      n->u.fndef.bind = BIND_GLOBAL;
      n->u.fndef.slot = global_declare(R->I, n->u.fndef.name);
      resolve_function(R, n->u.fndef.proto, NULL); /* recursion goes through the global */
    } else {
      n->u.fndef.slot = declare_local(fs, n->u.fndef.name, &n->u.fndef.bind, NULL);
      int saved_loop = fs->loop_depth;
      resolve_function(R, n->u.fndef.proto, n->u.fndef.name);
      fs->loop_depth = saved_loop;
    }
    break;
  case N_FOR:
    resolve_node(R, n->u.loop.iter);
    begin_scope(fs);
    n->u.loop.slot = declare_local(fs, n->u.loop.var, &n->u.loop.bind, NULL);
    fs->loop_depth++;
    resolve_block(R, n->u.loop.body);
    fs->loop_depth--;
    end_scope(fs);
    break;
  case N_WHILE:
    resolve_node(R, n->u.wh.cond);
    fs->loop_depth++;
    resolve_block(R, n->u.wh.body);
    fs->loop_depth--;
    break;
  case N_BREAK:
  case N_CONTINUE:
    if (fs->loop_depth == 0)
      diag_parse(R->I, &n->span, "'%s' outside a loop", n->kind == N_BREAK ? "break" : "continue");
    break;
  case N_RETURN:
    if (fs->is_top) diag_parse(R->I, &n->span, "'return' outside a function");
    resolve_node(R, n->u.stmt.e);
    break;
  case N_SEED: case N_ASSERT: case N_SHOW: case N_EXPR:
    resolve_node(R, n->u.stmt.e);
    resolve_node(R, n->u.stmt.msg);
    break;
  case N_IMPORT:
    if (!at_top(R)) {
      diag_parse(R->I, &n->span, "'import' is only allowed at the top level of a file");
    } else if (n->u.import.chunk) {
      resolve_chunk_body(R->I, n->u.import.chunk);
    }
    break;
  default: break;
  }
  R->nest--;
}

/* ------------------------------------------------------------------ chunks and imports */

/* Phase 1: declare a chunk's top-level names (and load, parse and declare its imports). */
static void declare_chunk(Resolver *R, Node *block) {
  for (int i = 0; i < block->u.list.n; i++) {
    Node *s = block->u.list.items[i];
    if (s->kind == N_LET) global_declare(R->I, s->u.let.name);
    else if (s->kind == N_FNDEF) global_declare(R->I, s->u.fndef.name);
    else if (s->kind == N_IMPORT) import_declare(R, s);
  }
}

static void import_declare(Resolver *R, Node *n) {
  Interp *I = R->I;
  int importer = (int)n->span.file;
  int src = interp_load_import(I, importer, n->u.import.path, &n->span);
  if (src < 0) return; /* error reported, or already imported: nothing to run */
  Node *body = dlt_parse(I, src, NULL);
  FnProto *chunk = proto_new("<script>", body->span);
  chunk->body = body;
  interp_keep_chunk(I, chunk);
  n->u.import.chunk = chunk;
  declare_chunk(R, body);
}

/* Phase 2 for one chunk: resolve its statements as the top level. */
void resolve_chunk_body(Interp *I, FnProto *chunk) {
  Resolver R;
  memset(&R, 0, sizeof R);
  R.I = I;
  FuncState fs;
  memset(&fs, 0, sizeof fs);
  fs.proto = chunk;
  fs.is_top = true;
  R.fs = &fs;
  chunk->nslots = 0;
  resolve_list(&R, &chunk->body->u.list);
  free(fs.locals);
}

FnProto *resolve_program(Interp *I, Node *program) {
  FnProto *chunk = proto_new("<script>", program->span);
  chunk->body = program;
  interp_keep_chunk(I, chunk);
  Resolver R;
  memset(&R, 0, sizeof R);
  R.I = I;
  declare_chunk(&R, program);
  resolve_chunk_body(I, chunk);
  return chunk;
}
