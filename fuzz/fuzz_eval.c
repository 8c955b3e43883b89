/* fuzz_eval.c - libFuzzer target: parse, resolve and run the input as a program, in a fresh
 * interpreter each time, under --max-steps 20000 and --max-memory 64M, printing to /dev/null.
 *
 * Nothing outside a scratch directory is touched: every builtin that takes a path (the readers and
 * writers of CSV, JSON and tables, remove_file, file_exists, save, and plot/hist/heatmap's file=)
 * has its plain file names moved into the scratch directory and any other path refused with an
 * error; tempfile() makes its files there ($TMPDIR); a sweep's run store (store=) goes there too
 * (sqlite3_open_v2 is wrapped below); sweeps run in this process (jobs=1, no fork); the directory
 * is emptied after every input. exit() only ends the program: the interpreter records the request
 * and unwinds, it never calls exit(3). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "builtin.h"
#include "fuzz_common.h"
#include "interp.h"
#include "sweep.h"

#define FUZZ_MAX_STEPS 20000
#define FUZZ_MAX_MEMORY ((size_t)64 << 20)

static FILE *devnull;

/* ------------------------------------------------------------------ builtins that name files */
static const char *const file_builtins[] = {"read_csv", "write_csv", "read_json", "write_json", "read_table",
                                            "remove_file", "file_exists", "save", "plot", "hist", "heatmap"};
#define NFILE (sizeof file_builtins / sizeof *file_builtins)
static Builtin guarded[NFILE];

/* Call the real builtin (Args.data) with every string positional argument and file= moved into
 * the scratch directory. */
static Value guard(Args *a) {
  const Builtin *real = a->data;
  Value pos[a->n > 0 ? a->n : 1], kw[a->nkw > 0 ? a->nkw : 1];
  char *moved;
  int i;
  for (i = 0; i < a->n; i++) pos[i] = v_nil();
  for (i = 0; i < a->nkw; i++) kw[i] = v_nil();
  Value r = v_nil();
  for (i = 0; i < a->n; i++) {
    if (!IS_STR(a->v[i])) {
      pos[i] = val_retain(a->v[i]);
      continue;
    }
    if (!(moved = fuzz_sandbox_path(AS_STR(a->v[i])->s))) {
      r = arg_error(a, i, "fuzz sandbox: only plain file names, got \"%s\"", AS_STR(a->v[i])->s);
      goto done;
    }
    pos[i] = str_from(moved);
    free(moved);
  }
  for (i = 0; i < a->nkw; i++) {
    if (strcmp(a->kwnames[i], "file") != 0 || !IS_STR(a->kw[i])) {
      kw[i] = val_retain(a->kw[i]);
      continue;
    }
    if (!(moved = fuzz_sandbox_path(AS_STR(a->kw[i])->s))) {
      r = kw_error(a, "file", "fuzz sandbox: only plain file names, got \"%s\"", AS_STR(a->kw[i])->s);
      goto done;
    }
    kw[i] = str_from(moved);
    free(moved);
  }
  Args b = *a;
  b.v = pos;
  b.kw = kw;
  b.data = real->data;
  r = real->fn(&b);
done:
  for (i = 0; i < a->n; i++) val_release(pos[i]);
  for (i = 0; i < a->nkw; i++) val_release(kw[i]);
  return r;
}

static void install_guards(Interp *I) {
  for (size_t k = 0; k < NFILE; k++) {
    if (!guarded[k].name) {
      const Builtin *real = builtin_find(file_builtins[k]);
      if (!real) abort(); /* a renamed builtin: update the list */
      guarded[k] = *real;
      guarded[k].fn = guard;
      guarded[k].data = real;
    }
    BuiltinObj *o = obj_new(OBJ_BUILTIN, sizeof(BuiltinObj));
    o->def = &guarded[k];
    global_define(I, guarded[k].name, v_obj(o));
  }
}

/* The run store of `sweep ..., store="runs.db"` (src/sweep_store.c): in the scratch directory,
 * or a path that cannot be opened. */
int sqlite3_open_v2(const char *path, sqlite3 **db, int flags, const char *vfs) {
  static int (*real)(const char *, sqlite3 **, int, const char *);
  if (!real) real = (int (*)(const char *, sqlite3 **, int, const char *))dlsym(RTLD_NEXT, "sqlite3_open_v2");
  if (!real) abort();
  if (strcmp(path, ":memory:") == 0) return real(path, db, flags, vfs);
  char *moved = fuzz_sandbox_path(path);
  int rc = real(moved ? moved : "/nonexistent-dlt-fuzz-sandbox/refused.db", db, flags, vfs);
  free(moved);
  return rc;
}

/* ------------------------------------------------------------------ the target */
typedef struct Input {
  const uint8_t *data;
  size_t size;
} Input;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_sandbox_init();
  devnull = fopen("/dev/null", "w");
  if (!devnull) abort();
  dlt_sweep_config.jobs = 1; /* no fork */
  dlt_sweep_config.quiet = true;
  dlt_sweep_config.store = NULL;
  dlt_sweep_config.keep_going = false;
  dlt_sweep_config.script = "<fuzz>";
  return 0;
}

static void *eval_one(void *p) {
  const Input *in = p;
  Interp *I = interp_new();
  I->out = devnull;
  install_guards(I);
  interp_set_limits(I, FUZZ_MAX_STEPS, FUZZ_MAX_MEMORY);
  int src = interp_add_source(I, "<fuzz>", fuzz_sandbox_dir(), fuzz_copy_input(in->data, in->size), in->size);
  (void)interp_run_source(I, src, NULL);
  diags_print(I, devnull);
  fflush(devnull);
  interp_free(I);
  return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Input in = {data, size};
  fuzz_run_deep(eval_one, &in, true);
  fuzz_sandbox_clean();
  return 0;
}
