/* parse.h - the parser's context and the glue between lexer.l and parser.y. */
#ifndef DLT_PARSE_H
#define DLT_PARSE_H

#include "ast.h"

typedef struct ParamList {
  int n;
  char **names;
  Node **defaults;
  Span *spans; /* where each name is written */
} ParamList;

typedef struct ArgList {
  NodeList pos;
  char **kwnames;
  Span *kwspans; /* where each keyword's name is written */
  NodeList kw;
} ArgList;

typedef struct FieldList {
  char **keys;
  NodeList vals;
} FieldList;

/* The axes and options of a sweep while it is parsed: axis i binds arity[i] variables (1, or k for
 * a zipped `(a, b) in ...` axis) to the items of iters[i]; options are `name=expr` items. */
typedef struct SweepSpec {
  NodeList iters;
  int *arity;
  ParamList vars;
  ArgList opts;
} SweepSpec;

/* Token-filter state: which brackets are open and what came last decide whether a newline ends a
 * statement (see lexer.l). */
#define PARSE_MAX_BRACKETS 256

typedef struct ParseCtx {
  Interp *I;
  int file;
  void *scanner;
  Node *program;
  bool hit_eof;            /* an error was "unexpected end of input" (REPL: ask for more) */
  int lex_error_line;
  int stray_line, stray_col; /* a closing bracket with nothing open */      /* a scanner error on this line: do not add syntax errors to it */
  /* token filter */
  char brackets[PARSE_MAX_BRACKETS];
  int bracket_line[PARSE_MAX_BRACKETS], bracket_col[PARSE_MAX_BRACKETS];
  int depth;               /* may exceed PARSE_MAX_BRACKETS; only the first ones are remembered */
  int last_tok;
  void *lookahead;         /* a token read ahead while deciding about a newline (lexer.l) */
} ParseCtx;

/* Parse a whole source into an N_BLOCK (never NULL); diagnostics go to I->diags. After syntax
 * errors, the names written after `let`, `fn` and `for` anywhere in the source are recorded in
 * I->guessed_names, so the resolver does not report names a broken statement meant to declare. */
Node *dlt_parse(Interp *I, int source, bool *incomplete);

/* Whether the n bytes at s are a word the scanner reserves (let, fn, ...) or a contextual keyword
 * (record, seed): the report's highlighter colours what the language reads as a keyword. */
bool dlt_is_keyword(const char *s, size_t n);

#endif
