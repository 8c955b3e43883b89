/* ast.h - the syntax tree. Every node carries its source span.
 *
 * The parser builds nodes with kind N_NAME for identifiers; the resolver (resolve.c) rewrites them
 * into N_LOCAL / N_BOXED / N_UPVAL / N_GLOBAL / N_SELF / N_END with a slot number, so the
 * evaluator never looks a name up by string.
 */
#ifndef DLT_AST_H
#define DLT_AST_H

#include "error.h"
#include "value.h"

typedef struct Node Node;

typedef struct NodeList {
  Node **items;
  int n, cap;
} NodeList;

typedef enum {
  /* literals */
  N_NUM, N_STR, N_TRUE, N_FALSE, N_NIL,
  /* names: N_NAME before resolution, the others after */
  N_NAME,
  N_LOCAL,  /* frame slot */
  N_BOXED,  /* frame slot holding a Cell (the variable is captured by a closure) */
  N_UPVAL,  /* the running closure's captured cell */
  N_GLOBAL, /* Interp.globals index */
  N_SELF,   /* a local function naming itself: no cell, so no reference cycle */
  N_END,    /* `end` inside an index: the size of the indexed dimension */
  /* compound expressions */
  N_VEC,    /* [a, b, c]: vector, matrix or list, decided by the element values */
  N_RECORD, /* {a: 1, "b c": 2} */
  N_TUPLE,  /* (a, b): a list; `print (a, b)` prints its elements */
  N_RANGE,  /* a..b */
  N_BINARY, N_AND, N_OR, N_UNARY,
  N_CALL, N_INDEX, N_FIELD, N_COLON, /* N_COLON: a bare `:` subscript */
  N_LAMBDA, N_IF, N_BLOCK,
  /* statements */
  N_LET, N_ASSIGN, N_FNDEF, N_FOR, N_WHILE, N_BREAK, N_CONTINUE, N_RETURN,
  N_IMPORT, N_SEED, N_ASSERT, N_PRINT, N_SHOW, N_EXPR,
  /* the experiment layer (sweep.c) */
  N_SWEEP,     /* sweep a in A, (b, c) in Z if cond { body }: a table */
  N_RECORD_ROW /* record name = value, ...: a row of the running sweep point (u.rec) */
} NodeKind;

/* Where a binding lives (for let, fn, for and parameters). */
typedef enum { BIND_GLOBAL, BIND_LOCAL, BIND_BOXED } BindKind;

/* Where a closure's captured cell comes from when the closure is created. */
typedef enum {
  UP_PARENT_LOCAL, /* the enclosing frame's boxed slot `index` */
  UP_PARENT_UPVAL, /* the enclosing closure's upvalue `index` */
  UP_PARENT_SELF   /* a new cell holding the enclosing closure itself */
} UpvalFrom;

typedef struct UpvalDesc {
  UpvalFrom from;
  int index;
} UpvalDesc;

typedef struct FnProto {
  char *name; /* "f", or "<lambda>", or "<script>" for a top-level chunk */
  int nparams;
  char **params;
  Node **defaults;     /* nparams entries, NULL where the parameter has no default */
  bool *param_boxed;   /* the parameter is captured: wrap it in a Cell on entry */
  int nslots;          /* frame size (parameters occupy slots 0..nparams-1) */
  Node *body;          /* N_BLOCK, or any expression for `fn f(x) = expr` / `=> expr` */
  int nup;
  UpvalDesc *ups;
  Span span;
} FnProto;

struct Node {
  uint8_t kind;
  uint8_t op;     /* OpCode for N_BINARY / N_UNARY / compound N_ASSIGN (OP__COUNT = plain `=`) */
  uint16_t flags;
  Span span;
  union {
    double num;
    Value str; /* N_STR: a Str the node owns */
    struct { char *name; int slot; } var;  /* names; slot is filled in by the resolver */
    /* prog: N_BINARY over numbers and names only, compiled by eval.c on first use (one malloc) */
    struct { Node *l, *r; Span opspan; struct NumProg *prog; } bin;
    struct { Node *e; } un;
    NodeList list;                          /* N_VEC, N_TUPLE, N_BLOCK, N_PRINT */
    struct { char **keys; NodeList vals; } rec;
    struct {
      Node *fn;
      NodeList args;   /* positional */
      char **kwnames;  /* kwargs.n names */
      Span *kwspans;   /* where each name is written */
      NodeList kwargs;
    } call;
    struct { Node *base; NodeList subs; } index;
    struct { Node *base; char *name; Span namespan; } field;
    struct { Node *cond, *then, *els; } iff; /* els may be NULL */
    struct { FnProto *proto; } lambda;
    struct { char *name; FnProto *proto; BindKind bind; int slot; } fndef;
    struct { char *name; Node *value; BindKind bind; int slot; } let;
    struct { Node *target; Node *value; } assign;
    struct { char *var; Node *iter; Node *body; BindKind bind; int slot; } loop;
    struct { Node *cond; Node *body; } wh;
    struct { Node *e; Node *msg; } stmt; /* N_RETURN, N_SEED, N_ASSERT, N_SHOW, N_EXPR */
    struct { char *path; FnProto *chunk; int done_index; } import; /* chunk NULL: already imported */
    struct { int dim, nsubs; } end;
    struct {
      NodeList iters;  /* one iterable per axis */
      int *arity;      /* variables each axis binds: 1, or k for a zipped (a, b, ...) axis */
      Node *body;      /* N_LAMBDA whose parameters are every sweep variable, in axis order */
      Node *filter;    /* N_LAMBDA over the same parameters giving the `if` condition, or NULL */
      char **optnames; /* options written as name=expr among the axes (store=, keep_going=) */
      Span *optspans;
      NodeList opts;
    } sweep;
  } u;
};

Node *node_new(NodeKind kind, Span span);
void node_free(Node *n);
void nodelist_push(NodeList *l, Node *n);
void nodelist_free(NodeList *l);
FnProto *proto_new(const char *name, Span span);
void proto_free(FnProto *p);

/* The comment lines directly above a `fn` definition, joined into one line (its help text), or
 * NULL when there are none. Caller frees. */
char *proto_doc(Interp *I, const FnProto *p);
/* "name(a, b=…)" */
char *proto_signature(const FnProto *p);

/* The source text a span covers (for assertion messages and `show`). Caller frees. */
char *span_text(Interp *I, const Span *sp);

#endif
