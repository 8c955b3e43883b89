/* interp.h - the interpreter: globals, sources, frames, limits, and the public entry points. */
#ifndef DLT_INTERP_H
#define DLT_INTERP_H

#include <signal.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "ast.h"
#include "error.h"
#include "value.h"

/* Why evaluation stopped when a Value is V_ABRUPT. */
typedef enum { SIG_NONE, SIG_ERROR, SIG_BREAK, SIG_CONTINUE, SIG_RETURN } Signal;

typedef struct Source {
  char *name;  /* as shown in diagnostics */
  char *dir;   /* directory imports are relative to */
  char *text;
  size_t len;
  uint32_t *line_start; /* byte offset of each line; nlines entries */
  uint32_t nlines;
} Source;

typedef struct Frame {
  const FnProto *proto; /* the function, or the imported file's chunk */
  const char *name;     /* NULL for an imported file */
  Span call;            /* where it was called from */
  Value *fp;
  Closure *closure;
} Frame;

/* Interpreter-wide limits. The defaults suit interactive and batch use alike. */
#define DLT_MAX_DEPTH 4000        /* nested DLT calls before "recursion too deep" */
#define DLT_MAX_NEST 10000        /* syntactic nesting before "nested too deeply" */
#define DLT_STACK_SLOTS (1u << 18) /* Values in the frame stack */

struct Interp {
  /* globals: builtins first, then user bindings; names are resolved to indices once */
  Value *globals;
  char **global_names;
  int nglobals, cap_globals;
  struct NameMap *global_map;

  Source **sources;
  int nsources;

  /* every chunk ever parsed; closures point into them, so they live as long as the interpreter */
  FnProto **chunks;
  int nchunks;
  char **imported; /* canonical paths of imported files */
  int nimported;

  /* frames: the running function's slots start at fp; closure is NULL at the top level */
  Value *stack, *sp, *stack_end;
  Value *fp;
  Closure *closure;
  Frame *frames;
  int depth;

  /* completion of the last abrupt evaluation */
  Signal signal;
  Value ret; /* SIG_RETURN value */
  Diag *diags;
  int ndiags, cap_diags;

  /* `end` inside subscripts: the values being indexed */
  Value *end_stack;
  int end_depth, end_cap;

  gsl_rng *rng;
  /* rng is to be seeded with rng_pending_seed before its next draw (args_rng): a sweep point sets
   * its own stream this way, so a point that draws nothing does not pay mt19937's 624-word seeding */
  bool rng_pending;
  uint32_t rng_pending_seed;
  FILE *out;
  int script_argc;
  char **script_argv;
  int exit_request; /* exit(code) was called: code + 1, else 0 */
  int nlibrary_globals; /* globals below this index are builtins and the prelude's */
  char **guessed_names; /* see dlt_parse */
  int nguessed;
  bool interactive;
  uint32_t seed;                /* the last `seed N` (0 at start): sweep points derive theirs from it */
  struct Recording *recording;  /* the innermost running sweep point, where `record` writes */
  bool in_worker;               /* this process is a sweep worker: sweeps inside run here */
  struct PointUndo *undo;       /* the running sweep point's log of writes to outer variables */
  /* --max-steps and --max-memory (value.h: dlt_memory_limit). A step is a loop iteration or a
   * call; the REPL counts each input from 0. limited: either limit is set. */
  bool limited;
  unsigned long long steps, max_steps;
};

/* Set the resource limits (0: none). max_memory also caps any one matrix. */
void interp_set_limits(Interp *I, unsigned long long max_steps, size_t max_memory);

/* Under mpirun every rank runs the whole script; only the primary one (rank 0, or the only
 * process) prints and writes files. Plots and file writers check this before writing. */
extern int dlt_mpi_rank;
static inline bool dlt_primary_process(void) { return dlt_mpi_rank == 0; }

/* Set from the SIGINT handler; checked at loop iterations and calls. */
extern volatile sig_atomic_t dlt_interrupted;

Interp *interp_new(void);
void interp_free(Interp *I);

/* Line `line` (1-based) of a source, without its line ending: a pointer into the text and *len. */
const char *source_line(const Source *s, uint32_t line, size_t *len);

/* Source registry. Takes ownership of text. */
int interp_add_source(Interp *I, const char *name, const char *dir, char *text, size_t len);

/* Parse, resolve and run a chunk of source; diagnostics are left in I->diags.
 * Returns a DLT_EXIT_* code. When `result` is non-NULL and the chunk's last statement is an
 * expression, its value is stored there (REPL auto-print), else nil. */
int interp_run_source(Interp *I, int source, Value *result);
int interp_run_file(Interp *I, const char *path);
int interp_run_string(Interp *I, const char *name, const char *code, Value *result);
/* interp_run_source with a stepper's hooks around each top-level statement (eval.h, step.c) */
struct StepHook;
int interp_step_source(Interp *I, int source, Value *result, const struct StepHook *hook);
/* Read a file into a new source (its directory is where its imports are found); -1 and a message
 * on stderr when it cannot be read. */
int interp_add_file(Interp *I, const char *path);

/* Is this REPL input complete, or does it need more lines (open brackets, trailing operator,
 * unterminated string)? */
bool dlt_input_incomplete(Interp *I, const char *text);

/* Imports: the source index of `path` (relative to the importing source's directory), or -1 when
 * it was already imported (nothing to do) or could not be read (a diagnostic at `where`). */
int interp_load_import(Interp *I, int importer, const char *path, const Span *where);
void interp_keep_chunk(Interp *I, FnProto *chunk);

/* Globals: index of a name, declaring it (V_UNDEF) if new. */
int global_declare(Interp *I, const char *name);
int global_lookup(Interp *I, const char *name); /* -1 if absent */
void global_define(Interp *I, const char *name, Value v); /* takes ownership of v */

/* What the interpreter holds (sources, chunks, globals, imports, guessed names), and a way back to
 * it. The parser fuzz target (fuzz/fuzz_parse.c) parses and resolves input after input with one
 * interpreter: only for code that was parsed and resolved, never run (a global declared since the
 * mark is dropped with whatever it holds). Diagnostics are cleared. */
typedef struct InterpMark {
  int nsources, nchunks, nglobals, nimported, nguessed;
} InterpMark;
InterpMark interp_mark(const Interp *I);
void interp_rewind(Interp *I, const InterpMark *m);

/* Call any callable value with positional arguments. Returns a new reference or v_abrupt(). */
Value dlt_call(Interp *I, Value fn, int argc, const Value *argv, const Span *where);

#endif
