/* step.c - `dlt --step FILE` and the REPL's `:step FILE`: a lecture program one statement at a time.
 *
 * Before each top-level statement: the `#'` narrative written above it (as text, without the
 * marker), then the statement's source with its line numbers. On a terminal it then waits:
 * Enter runs the statement, `c` runs the rest without stopping, `p EXPR` evaluates EXPR in the
 * program's scope, `q` stops. After the statement: the value of an expression, or the bindings
 * a `let`/`fn` made (matrices summarised on one line, plots drawn in the terminal). Off a terminal
 * nothing waits, and the whole transcript is printed (what the tests pin).
 */
#include "step.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "print.h"
#include "strbuf.h"

typedef struct Stepper {
  Interp *I;
  int source;
  uint32_t next_line; /* the first source line not yet shown */
  bool wait;          /* stop before each statement */
  bool quit;          /* q: the rest is not shown */
  FILE *in;
} Stepper;

const char *narrative_text(const char *t, size_t *n) {
  while (*n > 0 && (*t == ' ' || *t == '\t')) t++, (*n)--;
  if (*n < 2 || t[0] != '#' || t[1] != '\'') return NULL;
  t += 2, *n -= 2;
  if (*n > 0 && *t == ' ') t++, (*n)--;
  return t;
}

/* The narrative above a statement: every `#'` line between the last statement and this one. */
static void show_narrative(Stepper *st, uint32_t upto) {
  const Source *s = st->I->sources[st->source];
  bool any = false;
  for (uint32_t l = st->next_line; l < upto && l <= s->nlines; l++) {
    size_t n;
    const char *t = narrative_text(source_line(s, l, &n), &n);
    if (t) {
      fprintf(st->I->out, "%s%.*s\n", any ? "" : "\n", (int)n, t);
      any = true;
    }
  }
  if (any) fputc('\n', st->I->out);
}

static void show_source(Stepper *st, const Span *sp) {
  const Source *s = st->I->sources[st->source];
  for (uint32_t l = sp->line; l <= sp->end_line && l <= s->nlines; l++) {
    size_t n;
    const char *t = source_line(s, l, &n);
    fprintf(st->I->out, "%4u │ %.*s\n", l, (int)n, t);
  }
}

/* p EXPR: evaluated as a program of its own, in the same globals */
static void eval_p(Stepper *st, const char *expr) {
  Interp *I = st->I;
  Value v;
  int rc = interp_run_string(I, "<p>", expr, &v);
  if (rc != 0) {
    diags_print(I, stderr);
    return;
  }
  StrBuf b = STRBUF_INIT;
  val_print(&b, v, PRINT_REPR);
  fprintf(I->out, "%s\n", sb_cstr(&b));
  sb_free(&b);
  val_release(v);
}

static bool before(void *ctx, Node *stmt) {
  Stepper *st = ctx;
  if (stmt->span.file != (uint32_t)st->source) return true;
  show_narrative(st, stmt->span.line);
  show_source(st, &stmt->span);
  st->next_line = stmt->span.end_line + 1;
  fflush(st->I->out);
  while (st->wait) {
    fputs("  [Enter] run · c: run to the end · p EXPR: print · q: quit > ", stderr);
    fflush(stderr);
    char line[4096];
    if (!fgets(line, sizeof line, st->in)) {
      st->quit = true;
      return false;
    }
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '\0') break;
    if (strcmp(line, "c") == 0) {
      st->wait = false;
      break;
    }
    if (strcmp(line, "q") == 0) {
      st->quit = true;
      return false;
    }
    if (line[0] == 'p' && line[1] == ' ') {
      eval_p(st, line + 2);
      continue;
    }
    fputs("  (Enter, c, p EXPR or q)\n", stderr);
  }
  return true;
}

/* One binding as `name = value`, the value on one line (a big matrix summarised). */
static void show_binding(Stepper *st, const char *name, Value v) {
  StrBuf b = STRBUF_INIT;
  bool drawing = IS_EXT(v) && strcmp(AS_EXT(v)->cls->name, "plot") == 0;
  val_print(&b, v, drawing ? PRINT_DISPLAY : (PrintMode)(PRINT_REPR | PRINT_INLINE));
  fprintf(st->I->out, "  → %s = %s\n", name, sb_cstr(&b));
  sb_free(&b);
}

static void after(void *ctx, Node *stmt, Value v) {
  Stepper *st = ctx;
  Interp *I = st->I;
  switch (stmt->kind) {
  case N_LET:
    if (stmt->u.let.bind == BIND_GLOBAL) show_binding(st, stmt->u.let.name, I->globals[stmt->u.let.slot]);
    break;
  case N_FNDEF:
    if (stmt->u.fndef.bind == BIND_GLOBAL) show_binding(st, stmt->u.fndef.name, I->globals[stmt->u.fndef.slot]);
    break;
  case N_EXPR:
    if (!IS_NIL(v)) {
      StrBuf b = STRBUF_INIT;
      val_print(&b, v, PRINT_REPR);
      fprintf(I->out, "  → %s\n", sb_cstr(&b));
      sb_free(&b);
    }
    break;
  default: break; /* print, show, assert, loops: their output is what they printed */
  }
  fflush(I->out);
}

int dlt_step_file(Interp *I, const char *path, bool interactive) {
  int src = interp_add_file(I, path);
  if (src < 0) return DLT_EXIT_USAGE;
  Stepper st = {I, src, 1, interactive, false, stdin};
  StepHook hook = {before, after, &st};
  int rc = interp_step_source(I, src, NULL, &hook);
  /* narrative after the last statement */
  if (rc == DLT_EXIT_OK && !st.quit) show_narrative(&st, I->sources[src]->nlines + 1);
  fflush(I->out);
  return rc;
}
