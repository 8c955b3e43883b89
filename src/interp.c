/* interp.c - the interpreter object: globals, sources, imports, and running code. */
#include "interp.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "eval.h"
#include "gc.h"
#include "parse.h"
#include "print.h"
#include "resolve.h"

volatile sig_atomic_t dlt_interrupted;

/* ------------------------------------------------------------------ name -> global index */
typedef struct NameMap {
  char **keys; /* borrowed from Interp.global_names */
  int *vals;
  size_t cap, n;
} NameMap;

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

static void map_insert(NameMap *m, char *key, int val);

static void map_grow(NameMap *m) {
  NameMap old = *m;
  m->cap = old.cap ? 2 * old.cap : 256;
  m->n = 0;
  m->keys = calloc(m->cap, sizeof(char *));
  m->vals = calloc(m->cap, sizeof(int));
  if (!m->keys || !m->vals) { /* dlt_xmalloc's exhaustion path */
    free(m->keys);
    free(m->vals);
    m->keys = dlt_xmalloc(m->cap * sizeof(char *));
    m->vals = dlt_xmalloc(m->cap * sizeof(int));
    memset(m->keys, 0, m->cap * sizeof(char *));
  }
  for (size_t i = 0; i < old.cap; i++)
    if (old.keys[i]) map_insert(m, old.keys[i], old.vals[i]);
  free(old.keys);
  free(old.vals);
}

static void map_insert(NameMap *m, char *key, int val) {
  if (2 * (m->n + 1) > m->cap) map_grow(m);
  size_t i = hash_str(key) & (m->cap - 1);
  while (m->keys[i]) i = (i + 1) & (m->cap - 1);
  m->keys[i] = key;
  m->vals[i] = val;
  m->n++;
}

static int map_get(const NameMap *m, const char *key) {
  if (!m->cap) return -1;
  size_t i = hash_str(key) & (m->cap - 1);
  while (m->keys[i]) {
    if (strcmp(m->keys[i], key) == 0) return m->vals[i];
    i = (i + 1) & (m->cap - 1);
  }
  return -1;
}

int global_lookup(Interp *I, const char *name) { return map_get(I->global_map, name); }

int global_declare(Interp *I, const char *name) {
  int g = map_get(I->global_map, name);
  if (g >= 0) return g;
  if (I->nglobals == I->cap_globals) {
    I->cap_globals = I->cap_globals ? 2 * I->cap_globals : 256;
    I->globals = dlt_xrealloc(I->globals, (size_t)I->cap_globals * sizeof(Value));
    I->global_names = dlt_xrealloc(I->global_names, (size_t)I->cap_globals * sizeof(char *));
  }
  g = I->nglobals++;
  I->globals[g] = v_undef();
  I->global_names[g] = dlt_xstrdup(name);
  map_insert(I->global_map, I->global_names[g], g);
  return g;
}

void global_define(Interp *I, const char *name, Value v) {
  int g = global_declare(I, name); /* may grow I->globals */
  val_set(&I->globals[g], v);
}

/* ------------------------------------------------------------------ lifecycle */
static void source_free(Source *s) {
  free(s->name);
  free(s->dir);
  free(s->text);
  free(s->line_start);
  free(s);
}

extern const char dlt_prelude_source[];

int dlt_mpi_rank = 0;

Interp *interp_new(void) {
  Interp *I = dlt_xcalloc(1, sizeof(Interp));
  I->global_map = calloc(1, sizeof(NameMap));
  I->stack = calloc(DLT_STACK_SLOTS, sizeof(Value));
  I->frames = calloc(DLT_MAX_DEPTH + 1, sizeof(Frame));
  if (!I->global_map || !I->stack || !I->frames) {
    (void)dlt_xmalloc(SIZE_MAX); /* reports exhaustion and exits */
  }
  I->sp = I->fp = I->stack;
  I->stack_end = I->stack + DLT_STACK_SLOTS;
  I->out = stdout;
  I->ret = v_nil();
  dlt_gsl_install();
  gsl_rng_env_setup();
  I->rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(I->rng, 0);

  /* builtins: one registration table per library module */
  for (const Module *const *m = dlt_modules; *m; m++)
    for (const Builtin *b = (*m)->fns; b->name; b++) {
      BuiltinObj *o = obj_new(OBJ_BUILTIN, sizeof(BuiltinObj));
      o->def = b;
      global_define(I, b->name, v_obj(o));
    }
  global_define(I, "ARGS", list_new(0));

  /* library code written in DLT itself */
  int src = interp_add_source(I, "<prelude>", ".", dlt_xstrdup(dlt_prelude_source), strlen(dlt_prelude_source));
  if (interp_run_source(I, src, NULL) != DLT_EXIT_OK) {
    diags_print(I, stderr); /* a broken build, not a user error */
  }
  I->nlibrary_globals = I->nglobals;
  return I;
}

void interp_free(Interp *I) {
  for (int i = 0; i < I->nglobals; i++) {
    val_release(I->globals[i]);
    free(I->global_names[i]);
  }
  free(I->globals);
  free(I->global_names);
  free(I->global_map->keys);
  free(I->global_map->vals);
  free(I->global_map);
  for (int i = 0; i < I->nchunks; i++) proto_free(I->chunks[i]);
  free(I->chunks);
  for (int i = 0; i < I->nimported; i++) free(I->imported[i]);
  free(I->imported);
  for (int i = 0; i < I->nsources; i++) source_free(I->sources[i]);
  free(I->sources);
  diags_clear(I);
  free(I->diags);
  val_release(I->ret);
  free(I->end_stack);
  for (int i = 0; i < I->nguessed; i++) free(I->guessed_names[i]);
  free(I->guessed_names);
  free(I->stack);
  free(I->frames);
  gsl_rng_free(I->rng);
  free(I);
  gc_collect(); /* cycles that outlived every variable */
  obj_free_queue_release();
}

InterpMark interp_mark(const Interp *I) {
  return (InterpMark){I->nsources, I->nchunks, I->nglobals, I->nimported, I->nguessed};
}

void interp_rewind(Interp *I, const InterpMark *m) {
  diags_clear(I);
  for (int i = m->nchunks; i < I->nchunks; i++) proto_free(I->chunks[i]);
  I->nchunks = m->nchunks;
  for (int i = m->nsources; i < I->nsources; i++) source_free(I->sources[i]);
  I->nsources = m->nsources;
  for (int i = m->nimported; i < I->nimported; i++) free(I->imported[i]);
  I->nimported = m->nimported;
  for (int i = m->nguessed; i < I->nguessed; i++) free(I->guessed_names[i]);
  I->nguessed = m->nguessed;
  if (I->nglobals > m->nglobals) {
    for (int i = m->nglobals; i < I->nglobals; i++) {
      val_release(I->globals[i]);
      free(I->global_names[i]);
    }
    I->nglobals = m->nglobals;
    /* open addressing has no deletion: build the name map again from the globals kept */
    NameMap *map = I->global_map;
    memset(map->keys, 0, map->cap * sizeof(char *));
    map->n = 0;
    for (int g = 0; g < I->nglobals; g++) map_insert(map, I->global_names[g], g);
  }
}

/* ------------------------------------------------------------------ sources */
int interp_add_source(Interp *I, const char *name, const char *dir, char *text, size_t len) {
  Source *s = dlt_xcalloc(1, sizeof(Source));
  s->name = dlt_xstrdup(name);
  s->dir = dlt_xstrdup(dir ? dir : ".");
  s->text = text;
  s->len = len;
  size_t cap = 64;
  s->line_start = dlt_xmalloc(cap * sizeof(uint32_t));
  s->line_start[s->nlines++] = 0;
  for (size_t i = 0; i < len; i++)
    if (text[i] == '\n') {
      if (s->nlines == cap) s->line_start = dlt_xrealloc(s->line_start, (cap *= 2) * sizeof(uint32_t));
      s->line_start[s->nlines++] = (uint32_t)(i + 1);
    }
  I->sources = dlt_xrealloc(I->sources, (size_t)(I->nsources + 1) * sizeof(Source *));
  I->sources[I->nsources] = s;
  return I->nsources++;
}

void interp_keep_chunk(Interp *I, FnProto *chunk) {
  I->chunks = dlt_xrealloc(I->chunks, (size_t)(I->nchunks + 1) * sizeof(FnProto *));
  I->chunks[I->nchunks++] = chunk;
}

/* Read a whole file. Returns NULL with errno set on failure. */
static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  StrBuf b = STRBUF_INIT;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) sb_putn(&b, buf, n);
  int err = ferror(f);
  fclose(f);
  if (err) {
    sb_free(&b);
    errno = EIO;
    return NULL;
  }
  *len = b.len;
  return sb_take(&b);
}

static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return dlt_xstrdup(".");
  if (slash == path) return dlt_xstrdup("/");
  size_t n = (size_t)(slash - path);
  char *d = dlt_xmalloc(n + 1);
  memcpy(d, path, n);
  d[n] = '\0';
  return d;
}

static bool already_imported(Interp *I, const char *canon) {
  for (int i = 0; i < I->nimported; i++)
    if (strcmp(I->imported[i], canon) == 0) return true;
  return false;
}

static void mark_imported(Interp *I, const char *canon) {
  I->imported = dlt_xrealloc(I->imported, (size_t)(I->nimported + 1) * sizeof(char *));
  I->imported[I->nimported++] = dlt_xstrdup(canon);
}

int interp_load_import(Interp *I, int importer, const char *path, const Span *where) {
  StrBuf full = STRBUF_INIT;
  if (path[0] == '/')
    sb_puts(&full, path);
  else
    sb_printf(&full, "%s/%s", I->sources[importer]->dir, path);
  char canon[PATH_MAX];
  if (!realpath(sb_cstr(&full), canon)) {
    diag_parse(I, where, "cannot import \"%s\": %s", path, strerror(errno));
    sb_free(&full);
    return -1;
  }
  sb_free(&full);
  if (already_imported(I, canon)) return -1;
  size_t len;
  char *text = read_file(canon, &len);
  if (!text) {
    diag_parse(I, where, "cannot import \"%s\": %s", path, strerror(errno));
    return -1;
  }
  mark_imported(I, canon);
  /* diagnostics name the file as the import statement wrote it, relative to the importer */
  char *shown;
  const char *importer_name = I->sources[importer]->name;
  const char *slash = strrchr(importer_name, '/');
  if (path[0] != '/' && slash) {
    StrBuf b = STRBUF_INIT;
    sb_printf(&b, "%.*s/%s", (int)(slash - importer_name), importer_name, path);
    shown = sb_take(&b);
  } else {
    shown = dlt_xstrdup(path);
  }
  char *dir = dir_of(canon);
  int src = interp_add_source(I, shown, dir, text, len);
  free(shown);
  free(dir);
  return src;
}

/* ------------------------------------------------------------------ running */
int interp_run_source(Interp *I, int source, Value *result) { return interp_step_source(I, source, result, NULL); }

int interp_step_source(Interp *I, int source, Value *result, const StepHook *hook) {
  if (result) *result = v_nil();
  dlt_alloc_infallible++; /* the parser (and imports' parsers) exit on exhaustion */
  Node *program = dlt_parse(I, source, NULL);
  /* resolve even a program with syntax errors: name errors are reported alongside them */
  FnProto *chunk = resolve_program(I, program);
  dlt_alloc_infallible--;
  if (I->ndiags) return DLT_EXIT_PARSE;
  I->signal = SIG_NONE;
  Value r = eval_chunk_steps(I, chunk, hook);
  if (IS_ABRUPT(r)) {
    I->signal = SIG_NONE;
    if (I->exit_request && !I->ndiags) return I->exit_request - 1;
    return diags_exit_code(I);
  }
  /* the REPL prints the value of a trailing expression statement */
  NodeList *stmts = &program->u.list;
  if (result && stmts->n > 0 && stmts->items[stmts->n - 1]->kind == N_EXPR)
    *result = r;
  else
    val_release(r);
  return DLT_EXIT_OK;
}

int interp_run_string(Interp *I, const char *name, const char *code, Value *result) {
  int src = interp_add_source(I, name, ".", dlt_xstrdup(code), strlen(code));
  return interp_run_source(I, src, result);
}

void interp_set_limits(Interp *I, unsigned long long max_steps, size_t max_memory) {
  I->max_steps = max_steps;
  I->steps = 0;
  dlt_memory_limit = max_memory;
  if (max_memory) mat_set_limit_bytes(max_memory);
  I->limited = max_steps || max_memory;
}

const char *source_line(const Source *s, uint32_t line, size_t *len) {
  size_t start = s->line_start[line - 1];
  size_t end = line < s->nlines ? s->line_start[line] : s->len;
  while (end > start && (s->text[end - 1] == '\n' || s->text[end - 1] == '\r')) end--;
  *len = end - start;
  return s->text + start;
}

int interp_add_file(Interp *I, const char *path) {
  size_t len;
  char *text = read_file(path, &len);
  if (!text) {
    fprintf(stderr, "dlt: cannot open %s: %s\n", path, strerror(errno));
    return -1;
  }
  char canon[PATH_MAX];
  if (realpath(path, canon)) mark_imported(I, canon);
  char *dir = dir_of(path);
  int src = interp_add_source(I, path, dir, text, len);
  free(dir);
  return src;
}

int interp_run_file(Interp *I, const char *path) {
  int src = interp_add_file(I, path);
  return src < 0 ? DLT_EXIT_USAGE : interp_run_source(I, src, NULL);
}

bool dlt_input_incomplete(Interp *I, const char *text) {
  int saved = I->ndiags;
  int src = interp_add_source(I, "<input>", ".", dlt_xstrdup(text), strlen(text));
  bool incomplete = false;
  dlt_alloc_infallible++;
  Node *program = dlt_parse(I, src, &incomplete);
  dlt_alloc_infallible--;
  node_free(program);
  /* drop the trial parse: its diagnostics and its source */
  for (int i = saved; i < I->ndiags; i++) {
    free(I->diags[i].msg);
    free(I->diags[i].note);
    free(I->diags[i].trace);
  }
  I->ndiags = saved;
  Source *s = I->sources[--I->nsources];
  free(s->name);
  free(s->dir);
  free(s->text);
  free(s->line_start);
  free(s);
  return incomplete;
}
