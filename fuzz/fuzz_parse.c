/* fuzz_parse.c - libFuzzer target: the lexer, parser and resolver alone, on the input as a source
 * file. Nothing runs. One interpreter serves every input: interp_rewind drops what an input added
 * (its source, chunks, globals, diagnostics), so each input meets the same interpreter, and the
 * diagnostics are formatted (with their source excerpts) as dlt would print them.
 * Also asks the REPL's question: is this input complete, or does it need more lines? */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "interp.h"
#include "parse.h"
#include "resolve.h"

static Interp *I;
static InterpMark mark;
static FILE *devnull;

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
  I = interp_new();
  mark = interp_mark(I);
  return 0;
}

static void *parse_one(void *p) {
  const Input *in = p;
  /* imports are found relative to the scratch directory, which is empty */
  int src = interp_add_source(I, "<fuzz>", fuzz_sandbox_dir(), fuzz_copy_input(in->data, in->size), in->size);
  Node *program = dlt_parse(I, src, NULL);
  resolve_program(I, program); /* the chunk (and the program in it) is the interpreter's */
  diags_print(I, devnull);
  interp_rewind(I, &mark);

  char *text = fuzz_copy_input(in->data, in->size); /* up to the first NUL, as the REPL reads it */
  (void)dlt_input_incomplete(I, text);
  free(text);
  interp_rewind(I, &mark);
  return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Input in = {data, size};
  fuzz_run_deep(parse_one, &in, false);
  return 0;
}
