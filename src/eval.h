/* eval.h - the tree-walking evaluator. */
#ifndef DLT_EVAL_H
#define DLT_EVAL_H

#include "ast.h"
#include "builtin.h"
#include "interp.h"

/* Evaluate an expression or execute a statement. Statements yield nil, expression statements
 * their value; a block yields its last statement's value. */
Value eval_node(Interp *I, Node *n);

/* Run a top-level chunk in a fresh frame. Returns the value of its last statement. */
Value eval_chunk(Interp *I, FnProto *chunk);

/* Calls (call.c). `args` are borrowed. */
Value call_value(Interp *I, Value fn, Args *args);
/* Enter a closure whose frame starts at fp, with parameters 0..nparams-1 already in place
 * (V_UNDEF where not given) and the frame owning them; releases the frame on return. */
Value call_closure_frame(Interp *I, Closure *c, Value *fp, const Span *call);
Value make_closure(Interp *I, FnProto *p);
/* Stepping through a program (step.c): before() is called with each top-level statement before it
 * runs (false stops the program there), after() with its value once it has run. */
typedef struct StepHook {
  bool (*before)(void *ctx, Node *stmt);
  void (*after)(void *ctx, Node *stmt, Value v);
  void *ctx;
} StepHook;
Value eval_chunk_steps(Interp *I, FnProto *chunk, const StepHook *hook);
/* sweep.c */
Value eval_sweep(Interp *I, Node *n);
Value eval_record_row(Interp *I, Node *n);

/* Raise "interrupted" if Ctrl-C was pressed. */
Value eval_interrupted(Interp *I, const Span *where);
/* Checked at every loop iteration and call: Ctrl-C, and the --max-steps / --max-memory limits.
 * When eval_must_stop is true, eval_stop gives the located error (v_abrupt) or v_nil to go on. */
static inline bool eval_must_stop(const Interp *I) { return dlt_interrupted || I->limited; }
Value eval_stop(Interp *I, const Span *where);

#endif
