/* parser.y - the DLT grammar (pure Bison parser with locations, no conflicts).
 *
 * Statements end at a newline or ';'. The token filter in lexer.l drops newlines inside () and [],
 * after a binary operator or comma, and before `else`, so the grammar only sees the newlines that
 * really end statements.
 */
%require "3.6"
%define api.pure full
%define lr.type ielr
%define lr.default-reduction consistent
%define parse.lac full
%define parse.error custom
%locations
%param {ParseCtx *ctx}
%expect 0

%code requires {
#include "ast.h"
#include "parse.h"
#include "interp.h"
}

%code provides {
/* the newline filter in lexer.l, between the Flex scanner and this parser */
int dlt_token_filter(YYSTYPE *lval, YYLTYPE *lloc, ParseCtx *ctx);
void yyerror(YYLTYPE *loc, ParseCtx *ctx, const char *msg);
}

%code {
#define yylex dlt_token_filter
/* The parser's own stack may grow large: the resolver enforces the nesting limit (DLT_MAX_NEST)
 * with one message for every kind of nesting. */
#define YYMAXDEPTH 1000000
#include <stdlib.h>
#include <string.h>

static Span SP(const YYLTYPE *l, ParseCtx *ctx) {
  Span s = {(uint32_t)ctx->file, (uint32_t)l->first_line, (uint32_t)l->first_column,
            (uint32_t)l->last_line, (uint32_t)l->last_column};
  return s;
}
#define S(l) SP(&(l), ctx)

static Node *mk_binary(ParseCtx *ctx, OpCode op, Node *l, Node *r, YYLTYPE oploc, YYLTYPE whole) {
  Node *n = node_new(N_BINARY, SP(&whole, ctx));
  n->op = (uint8_t)op;
  n->u.bin.l = l;
  n->u.bin.r = r;
  n->u.bin.opspan = SP(&oploc, ctx);
  return n;
}

static Node *mk_logic(ParseCtx *ctx, NodeKind k, Node *l, Node *r, YYLTYPE oploc, YYLTYPE whole) {
  Node *n = node_new(k, SP(&whole, ctx));
  n->u.bin.l = l;
  n->u.bin.r = r;
  n->u.bin.opspan = SP(&oploc, ctx);
  return n;
}

static Node *mk_unary(ParseCtx *ctx, OpCode op, Node *e, YYLTYPE whole) {
  Node *n = node_new(N_UNARY, SP(&whole, ctx));
  n->op = (uint8_t)op;
  n->u.un.e = e;
  return n;
}

static Node *mk_stmt(ParseCtx *ctx, NodeKind k, Node *e, Node *msg, YYLTYPE whole) {
  Node *n = node_new(k, SP(&whole, ctx));
  n->u.stmt.e = e;
  n->u.stmt.msg = msg;
  return n;
}

static bool is_lvalue(const Node *n) {
  while (n->kind == N_INDEX || n->kind == N_FIELD) n = n->kind == N_INDEX ? n->u.index.base : n->u.field.base;
  return n->kind == N_NAME;
}

static Node *mk_assign(ParseCtx *ctx, Node *target, Node *value, OpCode op, YYLTYPE tloc, YYLTYPE whole) {
  if (!is_lvalue(target)) {
    Span s = SP(&tloc, ctx);
    diag_parse(ctx->I, &s, "cannot assign to this expression (only to a name, an index A[i] or a field r.x)");
  }
  Node *n = node_new(N_ASSIGN, SP(&whole, ctx));
  n->op = (uint8_t)op;
  n->u.assign.target = target;
  n->u.assign.value = value;
  return n;
}

static Node *mk_block(ParseCtx *ctx, NodeList stmts, YYLTYPE whole) {
  Node *n = node_new(N_BLOCK, SP(&whole, ctx));
  n->u.list = stmts;
  return n;
}

static FnProto *mk_proto(ParseCtx *ctx, const char *name, ParamList *ps, Node *body, YYLTYPE whole) {
  FnProto *p = proto_new(name, SP(&whole, ctx));
  p->nparams = ps->n;
  p->params = ps->names;
  p->defaults = ps->defaults;
  p->param_boxed = calloc((size_t)(ps->n ? ps->n : 1), sizeof(bool));
  p->body = body;
  for (int i = 0; i < ps->n; i++)
    for (int j = 0; j < i; j++)
      if (strcmp(ps->names[i], ps->names[j]) == 0)
        diag_parse(ctx->I, &ps->spans[i], "parameter '%s' appears twice in %s", ps->names[i], name);
  free(ps->spans);
  return p;
}

static void params_free(ParamList *ps) {
  for (int i = 0; i < ps->n; i++) {
    free(ps->names[i]);
    node_free(ps->defaults[i]);
  }
  free(ps->names);
  free(ps->defaults);
  free(ps->spans);
}

static void params_add(ParseCtx *ctx, ParamList *ps, char *name, YYLTYPE loc, Node *def) {
  ps->names = realloc(ps->names, (size_t)(ps->n + 1) * sizeof(char *));
  ps->defaults = realloc(ps->defaults, (size_t)(ps->n + 1) * sizeof(Node *));
  ps->spans = realloc(ps->spans, (size_t)(ps->n + 1) * sizeof(Span));
  ps->names[ps->n] = name;
  ps->defaults[ps->n] = def;
  ps->spans[ps->n] = SP(&loc, ctx);
  ps->n++;
}

static void args_free(ArgList *a) {
  nodelist_free(&a->pos);
  for (int i = 0; i < a->kw.n; i++) free(a->kwnames[i]);
  free(a->kwnames);
  free(a->kwspans);
  nodelist_free(&a->kw);
}

static void args_add_kw(ParseCtx *ctx, ArgList *a, char *name, YYLTYPE nameloc, Node *value) {
  a->kwnames = realloc(a->kwnames, (size_t)(a->kw.n + 1) * sizeof(char *));
  a->kwspans = realloc(a->kwspans, (size_t)(a->kw.n + 1) * sizeof(Span));
  a->kwnames[a->kw.n] = name;
  a->kwspans[a->kw.n] = SP(&nameloc, ctx);
  nodelist_push(&a->kw, value);
}

static void fields_free(FieldList *f) {
  for (int i = 0; i < f->vals.n; i++) free(f->keys[i]);
  free(f->keys);
  nodelist_free(&f->vals);
}

static void sweep_spec_free(SweepSpec *w) {
  nodelist_free(&w->iters);
  free(w->arity);
  params_free(&w->vars);
  args_free(&w->opts);
}

static void sweep_add_axis(ParseCtx *ctx, SweepSpec *w, ParamList *vars, Node *iter) {
  for (int i = 0; i < vars->n; i++) {
    for (int j = 0; j < w->vars.n; j++)
      if (strcmp(w->vars.names[j], vars->names[i]) == 0)
        diag_parse(ctx->I, &vars->spans[i], "sweep variable '%s' appears twice", vars->names[i]);
    w->vars.names = realloc(w->vars.names, (size_t)(w->vars.n + 1) * sizeof(char *));
    w->vars.defaults = realloc(w->vars.defaults, (size_t)(w->vars.n + 1) * sizeof(Node *));
    w->vars.spans = realloc(w->vars.spans, (size_t)(w->vars.n + 1) * sizeof(Span));
    w->vars.names[w->vars.n] = vars->names[i];
    w->vars.defaults[w->vars.n] = NULL;
    w->vars.spans[w->vars.n] = vars->spans[i];
    w->vars.n++;
  }
  w->arity = realloc(w->arity, (size_t)(w->iters.n + 1) * sizeof(int));
  w->arity[w->iters.n] = vars->n;
  nodelist_push(&w->iters, iter);
  free(vars->names);
  free(vars->defaults);
  free(vars->spans);
}

/* The sweep node: the body (and the condition) become functions of the sweep variables, so a point
 * is one call, closures see the enclosing scope, and a worker process can run any point alone. */
static Node *mk_sweep(ParseCtx *ctx, SweepSpec *w, Node *cond, Node *body, YYLTYPE whole) {
  Node *n = node_new(N_SWEEP, SP(&whole, ctx));
  if (w->iters.n == 0) {
    Span s = SP(&whole, ctx);
    diag_parse(ctx->I, &s, "a sweep needs at least one axis (name in values)");
  }
  if (cond) {
    ParamList fp = {0};
    for (int i = 0; i < w->vars.n; i++) params_add(ctx, &fp, dlt_xstrdup(w->vars.names[i]), whole, NULL);
    for (int i = 0; i < w->vars.n; i++) fp.spans[i] = w->vars.spans[i];
    Node *f = node_new(N_LAMBDA, cond->span);
    f->u.lambda.proto = mk_proto(ctx, "<sweep condition>", &fp, cond, whole);
    n->u.sweep.filter = f;
  }
  Node *b = node_new(N_LAMBDA, body->span);
  ParamList vars = w->vars;
  b->u.lambda.proto = mk_proto(ctx, "<sweep>", &vars, body, whole);
  n->u.sweep.body = b;
  n->u.sweep.iters = w->iters;
  n->u.sweep.arity = w->arity;
  if (w->opts.pos.n) nodelist_free(&w->opts.pos);
  n->u.sweep.optnames = w->opts.kwnames;
  n->u.sweep.optspans = w->opts.kwspans;
  n->u.sweep.opts = w->opts.kw;
  return n;
}
}

%union {
  double num;
  Value str;
  char *id;
  Node *node;
  NodeList list;
  ParamList params;
  ArgList args;
  FieldList fields;
  SweepSpec sweep;
}

%token <num> NUMBER "number"
%token <str> STRING "string"
%token <id> IDENT "identifier"
%token LET "let" FN "fn" IF "if" ELSE "else" FOR "for" IN "in" WHILE "while"
%token BREAK "break" CONTINUE "continue" RETURN "return" IMPORT "import" SEED "seed"
%token ASSERT "assert" PRINT "print" SHOW "show" TRUE "true" FALSE "false" NIL "nil"
%token AND "and" OR "or" NOT "not"
%token SWEEP "sweep" RECORD "record"
%token NEWLINE "end of line"
%token ARROW "=>" DOTDOT ".." EQ "==" NE "!=" LE "<=" GE ">="
%token PLUSEQ "+=" MINUSEQ "-=" STAREQ "*=" SLASHEQ "/="

%type <node> stmt expr op_expr postfix primary block lambda if_expr sub opt_default sweep_expr
%type <list> stmts expr_list subs
%type <params> params params_opt
%type <args> args args_opt
%type <fields> fields row_fields
%type <sweep> sweep_items
%type <params> sweep_vars

%destructor { free($$); } <id>
%destructor { val_release($$); } <str>
%destructor { node_free($$); } <node>
%destructor { nodelist_free(&$$); } <list>
%destructor { params_free(&$$); } <params>
%destructor { args_free(&$$); } <args>
%destructor { fields_free(&$$); } <fields>
%destructor { sweep_spec_free(&$$); } <sweep>


%left OR
%left AND
%precedence NOT
%nonassoc EQ NE '<' LE '>' GE
%nonassoc DOTDOT
%left '+' '-'
%left '*' '/' '%' '@'
%precedence UMINUS
%right '^'

%start program

%%

program
  : seps_opt                 { ctx->program = mk_block(ctx, (NodeList){0}, @$); }
  | seps_opt stmts seps_opt  { ctx->program = mk_block(ctx, $2, @$); }
  ;

stmts
  : stmt                { $$ = (NodeList){0}; nodelist_push(&$$, $1); }
  | stmts seps stmt     { $$ = $1; nodelist_push(&$$, $3); }
  ;

seps : sep | seps sep ;
sep : NEWLINE | ';' ;
seps_opt : %empty | seps ;

block
  : '{' seps_opt '}'                { $$ = mk_block(ctx, (NodeList){0}, @$); }
  | '{' seps_opt stmts seps_opt '}' { $$ = mk_block(ctx, $3, @$); }
  ;

stmt
  : LET IDENT '=' expr {
      $$ = node_new(N_LET, S(@$)); $$->u.let.name = $2; $$->u.let.value = $4;
    }
  | FN IDENT '(' params_opt ')' block {
      $$ = node_new(N_FNDEF, S(@$)); $$->u.fndef.name = $2;
      $$->u.fndef.proto = mk_proto(ctx, $2, &$4, $6, @$);
    }
  | FN IDENT '(' params_opt ')' '=' expr {
      $$ = node_new(N_FNDEF, S(@$)); $$->u.fndef.name = $2;
      $$->u.fndef.proto = mk_proto(ctx, $2, &$4, $7, @$);
    }
  | FOR IDENT IN expr block {
      $$ = node_new(N_FOR, S(@$)); $$->u.loop.var = $2; $$->u.loop.iter = $4; $$->u.loop.body = $5;
    }
  | WHILE expr block {
      $$ = node_new(N_WHILE, S(@$)); $$->u.wh.cond = $2; $$->u.wh.body = $3;
    }
  | BREAK               { $$ = node_new(N_BREAK, S(@$)); }
  | CONTINUE            { $$ = node_new(N_CONTINUE, S(@$)); }
  | RETURN              { $$ = mk_stmt(ctx, N_RETURN, NULL, NULL, @$); }
  | RETURN expr         { $$ = mk_stmt(ctx, N_RETURN, $2, NULL, @$); }
  | IMPORT STRING {
      $$ = node_new(N_IMPORT, S(@$)); $$->u.import.path = dlt_xstrdup(AS_STR($2)->s); val_release($2);
    }
  | SEED expr           { $$ = mk_stmt(ctx, N_SEED, $2, NULL, @$); }
  | ASSERT expr         { $$ = mk_stmt(ctx, N_ASSERT, $2, NULL, @$); }
  | ASSERT expr ',' expr { $$ = mk_stmt(ctx, N_ASSERT, $2, $4, @$); }
  | PRINT               { $$ = node_new(N_PRINT, S(@$)); }
  | PRINT expr_list     { $$ = node_new(N_PRINT, S(@$)); $$->u.list = $2; }
  | SHOW expr           { $$ = mk_stmt(ctx, N_SHOW, $2, NULL, @$); }
  | RECORD row_fields {
      $$ = node_new(N_RECORD_ROW, S(@$)); $$->u.rec.keys = $2.keys; $$->u.rec.vals = $2.vals;
    }
  | postfix '=' expr    { $$ = mk_assign(ctx, $1, $3, OP__COUNT, @1, @$); }
  | postfix "+=" expr   { $$ = mk_assign(ctx, $1, $3, OP_ADD, @1, @$); }
  | postfix "-=" expr   { $$ = mk_assign(ctx, $1, $3, OP_SUB, @1, @$); }
  | postfix "*=" expr   { $$ = mk_assign(ctx, $1, $3, OP_MUL, @1, @$); }
  | postfix "/=" expr   { $$ = mk_assign(ctx, $1, $3, OP_DIV, @1, @$); }
  | expr                { $$ = mk_stmt(ctx, N_EXPR, $1, NULL, @$); }
  | error               { $$ = node_new(N_NIL, S(@$)); }
  ;

params_opt
  : %empty              { $$ = (ParamList){0}; }
  | params              { $$ = $1; }
  | params ','          { $$ = $1; }
  ;

params
  : IDENT opt_default                 { $$ = (ParamList){0}; params_add(ctx, &$$, $1, @1, $2); }
  | params ',' IDENT opt_default      { $$ = $1; params_add(ctx, &$$, $3, @3, $4); }
  ;

opt_default
  : %empty              { $$ = NULL; }
  | '=' expr            { $$ = $2; }
  ;

expr
  : op_expr
  | lambda
  | if_expr
  ;

lambda
  : FN '(' params_opt ')' "=>" expr {
      $$ = node_new(N_LAMBDA, S(@$)); $$->u.lambda.proto = mk_proto(ctx, "<lambda>", &$3, $6, @$);
    }
  | FN '(' params_opt ')' block {
      $$ = node_new(N_LAMBDA, S(@$)); $$->u.lambda.proto = mk_proto(ctx, "<lambda>", &$3, $5, @$);
    }
  ;

if_expr
  : IF expr block {
      $$ = node_new(N_IF, S(@$)); $$->u.iff.cond = $2; $$->u.iff.then = $3; $$->u.iff.els = NULL;
    }
  | IF expr block ELSE block {
      $$ = node_new(N_IF, S(@$)); $$->u.iff.cond = $2; $$->u.iff.then = $3; $$->u.iff.els = $5;
    }
  | IF expr block ELSE if_expr {
      $$ = node_new(N_IF, S(@$)); $$->u.iff.cond = $2; $$->u.iff.then = $3; $$->u.iff.els = $5;
    }
  ;

op_expr
  : op_expr OR op_expr        { $$ = mk_logic(ctx, N_OR, $1, $3, @2, @$); }
  | op_expr AND op_expr       { $$ = mk_logic(ctx, N_AND, $1, $3, @2, @$); }
  | NOT op_expr               { $$ = mk_unary(ctx, OP_NOT, $2, @$); }
  | op_expr "==" op_expr      { $$ = mk_binary(ctx, OP_EQ, $1, $3, @2, @$); }
  | op_expr "!=" op_expr      { $$ = mk_binary(ctx, OP_NE, $1, $3, @2, @$); }
  | op_expr '<' op_expr       { $$ = mk_binary(ctx, OP_LT, $1, $3, @2, @$); }
  | op_expr "<=" op_expr      { $$ = mk_binary(ctx, OP_LE, $1, $3, @2, @$); }
  | op_expr '>' op_expr       { $$ = mk_binary(ctx, OP_GT, $1, $3, @2, @$); }
  | op_expr ">=" op_expr      { $$ = mk_binary(ctx, OP_GE, $1, $3, @2, @$); }
  | op_expr ".." op_expr      { $$ = mk_logic(ctx, N_RANGE, $1, $3, @2, @$); }
  | op_expr '+' op_expr       { $$ = mk_binary(ctx, OP_ADD, $1, $3, @2, @$); }
  | op_expr '-' op_expr       { $$ = mk_binary(ctx, OP_SUB, $1, $3, @2, @$); }
  | op_expr '*' op_expr       { $$ = mk_binary(ctx, OP_MUL, $1, $3, @2, @$); }
  | op_expr '/' op_expr       { $$ = mk_binary(ctx, OP_DIV, $1, $3, @2, @$); }
  | op_expr '%' op_expr       { $$ = mk_binary(ctx, OP_MOD, $1, $3, @2, @$); }
  | op_expr '@' op_expr       { $$ = mk_binary(ctx, OP_MATMUL, $1, $3, @2, @$); }
  | op_expr '^' op_expr       { $$ = mk_binary(ctx, OP_POW, $1, $3, @2, @$); }
  | '-' op_expr %prec UMINUS  { $$ = mk_unary(ctx, OP_NEG, $2, @$); }
  | '+' op_expr %prec UMINUS  { $$ = $2; $$->span = S(@$); }
  | postfix
  ;

postfix
  : primary
  | postfix '(' args_opt ')' {
      $$ = node_new(N_CALL, S(@$)); $$->u.call.fn = $1; $$->u.call.args = $3.pos;
      $$->u.call.kwnames = $3.kwnames; $$->u.call.kwspans = $3.kwspans; $$->u.call.kwargs = $3.kw;
    }
  | postfix '[' subs ']' {
      $$ = node_new(N_INDEX, S(@$)); $$->u.index.base = $1; $$->u.index.subs = $3;
    }
  | postfix '.' IDENT {
      $$ = node_new(N_FIELD, S(@$)); $$->u.field.base = $1; $$->u.field.name = $3; $$->u.field.namespan = S(@3);
    }
  | postfix '\''              { $$ = mk_unary(ctx, OP_TRANSPOSE, $1, @$); }
  ;

primary
  : NUMBER                    { $$ = node_new(N_NUM, S(@$)); $$->u.num = $1; }
  | STRING                    { $$ = node_new(N_STR, S(@$)); $$->u.str = $1; }
  | IDENT                     { $$ = node_new(N_NAME, S(@$)); $$->u.var.name = $1; }
  | TRUE                      { $$ = node_new(N_TRUE, S(@$)); }
  | FALSE                     { $$ = node_new(N_FALSE, S(@$)); }
  | NIL                       { $$ = node_new(N_NIL, S(@$)); }
  | '(' expr ')'              { $$ = $2; }
  | '(' expr ',' expr_list ')' {
      $$ = node_new(N_TUPLE, S(@$)); nodelist_push(&$$->u.list, $2);
      for (int i = 0; i < $4.n; i++) nodelist_push(&$$->u.list, $4.items[i]);
      free($4.items);
    }
  | '[' ']'                   { $$ = node_new(N_VEC, S(@$)); }
  | '[' expr_list ']'         { $$ = node_new(N_VEC, S(@$)); $$->u.list = $2; }
  | '[' expr_list ',' ']'     { $$ = node_new(N_VEC, S(@$)); $$->u.list = $2; }
  | sweep_expr
  | '{' seps_opt '}'          { $$ = node_new(N_RECORD, S(@$)); }
  | '{' seps_opt fields seps_opt '}' {
      $$ = node_new(N_RECORD, S(@$)); $$->u.rec.keys = $3.keys; $$->u.rec.vals = $3.vals;
    }
  | '{' seps_opt fields ',' seps_opt '}' {
      $$ = node_new(N_RECORD, S(@$)); $$->u.rec.keys = $3.keys; $$->u.rec.vals = $3.vals;
    }
  ;

fields
  : IDENT ':' expr {
      $$ = (FieldList){0}; $$.keys = malloc(sizeof(char *)); $$.keys[0] = $1; nodelist_push(&$$.vals, $3);
    }
  | STRING ':' expr {
      $$ = (FieldList){0}; $$.keys = malloc(sizeof(char *)); $$.keys[0] = dlt_xstrdup(AS_STR($1)->s);
      val_release($1); nodelist_push(&$$.vals, $3);
    }
  | fields field_sep IDENT ':' expr {
      $$ = $1; $$.keys = realloc($$.keys, (size_t)($$.vals.n + 1) * sizeof(char *));
      $$.keys[$$.vals.n] = $3; nodelist_push(&$$.vals, $5);
    }
  | fields field_sep STRING ':' expr {
      $$ = $1; $$.keys = realloc($$.keys, (size_t)($$.vals.n + 1) * sizeof(char *));
      $$.keys[$$.vals.n] = dlt_xstrdup(AS_STR($3)->s); val_release($3); nodelist_push(&$$.vals, $5);
    }
  ;

/* record err = e, n = len(X): the names are distinct */
row_fields
  : IDENT '=' expr {
      $$ = (FieldList){0}; $$.keys = malloc(sizeof(char *)); $$.keys[0] = $1; nodelist_push(&$$.vals, $3);
    }
  | row_fields ',' IDENT '=' expr {
      $$ = $1;
      for (int i = 0; i < $$.vals.n; i++)
        if (strcmp($$.keys[i], $3) == 0) {
          Span s = S(@3);
          diag_parse(ctx->I, &s, "'%s' is recorded twice in one record statement", $3);
        }
      $$.keys = realloc($$.keys, (size_t)($$.vals.n + 1) * sizeof(char *));
      $$.keys[$$.vals.n] = $3; nodelist_push(&$$.vals, $5);
    }
  ;

sweep_expr
  : SWEEP sweep_items block          { $$ = mk_sweep(ctx, &$2, NULL, $3, @$); }
  | SWEEP sweep_items IF expr block  { $$ = mk_sweep(ctx, &$2, $4, $5, @$); }
  ;

/* axes `name in values`, zipped axes `(a, b) in pairs`, and options `name=value`, in any order */
sweep_items
  : IDENT IN expr {
      $$ = (SweepSpec){0}; ParamList v = {0}; params_add(ctx, &v, $1, @1, NULL); sweep_add_axis(ctx, &$$, &v, $3);
    }
  | '(' sweep_vars ')' IN expr       { $$ = (SweepSpec){0}; sweep_add_axis(ctx, &$$, &$2, $5); }
  | IDENT '=' expr                   { $$ = (SweepSpec){0}; args_add_kw(ctx, &$$.opts, $1, @1, $3); }
  | sweep_items ',' IDENT IN expr {
      $$ = $1; ParamList v = {0}; params_add(ctx, &v, $3, @3, NULL); sweep_add_axis(ctx, &$$, &v, $5);
    }
  | sweep_items ',' '(' sweep_vars ')' IN expr { $$ = $1; sweep_add_axis(ctx, &$$, &$4, $7); }
  | sweep_items ',' IDENT '=' expr {
      $$ = $1;
      for (int i = 0; i < $$.opts.kw.n; i++)
        if (strcmp($$.opts.kwnames[i], $3) == 0) {
          Span s = S(@3);
          diag_parse(ctx->I, &s, "sweep option '%s' given twice", $3);
        }
      args_add_kw(ctx, &$$.opts, $3, @3, $5);
    }
  ;

sweep_vars
  : IDENT                     { $$ = (ParamList){0}; params_add(ctx, &$$, $1, @1, NULL); }
  | sweep_vars ',' IDENT      { $$ = $1; params_add(ctx, &$$, $3, @3, NULL); }
  ;

/* record fields are separated by a comma, a newline, or both */
field_sep : ',' seps_opt | seps ;

expr_list
  : expr                      { $$ = (NodeList){0}; nodelist_push(&$$, $1); }
  | expr_list ',' expr        { $$ = $1; nodelist_push(&$$, $3); }
  ;

args_opt
  : %empty                    { $$ = (ArgList){0}; }
  | args                      { $$ = $1; }
  | args ','                  { $$ = $1; }
  ;

args
  : expr                      { $$ = (ArgList){0}; nodelist_push(&$$.pos, $1); }
  | IDENT '=' expr             { $$ = (ArgList){0}; args_add_kw(ctx, &$$, $1, @1, $3); }
  | args ',' expr {
      $$ = $1;
      if ($$.kw.n) {
        Span s = S(@3);
        diag_parse(ctx->I, &s, "positional argument after keyword argument");
      }
      nodelist_push(&$$.pos, $3);
    }
  | args ',' IDENT '=' expr {
      $$ = $1;
      for (int i = 0; i < $$.kw.n; i++)
        if (strcmp($$.kwnames[i], $3) == 0) {
          Span s = S(@3);
          diag_parse(ctx->I, &s, "keyword argument '%s' given twice", $3);
        }
      args_add_kw(ctx, &$$, $3, @3, $5);
    }
  ;

subs
  : sub                       { $$ = (NodeList){0}; nodelist_push(&$$, $1); }
  | subs ',' sub              { $$ = $1; nodelist_push(&$$, $3); }
  ;

sub
  : expr
  | ':'                       { $$ = node_new(N_COLON, S(@$)); }
  ;

%%

/* Token names as a user reads them: 'else', ')', end of line. */
static void describe_symbol(yysymbol_kind_t k, char *buf, size_t n) {
  const char *name = yysymbol_name(k);
  size_t len = strlen(name);
  bool quoted = len >= 2 && (name[0] == '"' || name[0] == '\'');
  const char *inner = quoted ? name + 1 : name;
  int ilen = (int)(quoted ? len - 2 : len);
  if (k == YYSYMBOL_YYEOF)
    snprintf(buf, n, "end of input");
  else if (k == YYSYMBOL_NEWLINE || k == YYSYMBOL_NUMBER || k == YYSYMBOL_STRING || k == YYSYMBOL_IDENT ||
           k == YYSYMBOL_YYerror)
    snprintf(buf, n, "%.*s", ilen, inner);
  else
    snprintf(buf, n, "'%.*s'", ilen, inner);
}

static bool starts_expression(yysymbol_kind_t k) {
  return k == YYSYMBOL_NUMBER || k == YYSYMBOL_IDENT || k == YYSYMBOL_STRING;
}

static int yyreport_syntax_error(const yypcontext_t *yyctx, ParseCtx *ctx) {
  enum { LIST_MAX = 5, ALL = 128 };
  yysymbol_kind_t expected[ALL];
  int nexp = yypcontext_expected_tokens(yyctx, expected, ALL);
  yysymbol_kind_t got = yypcontext_token(yyctx);
  const YYLTYPE *loc = yypcontext_location(yyctx);
  Span s = SP(loc, ctx);
  if ((int)s.line == ctx->lex_error_line) return 0; /* the scanner already explained this line */
  char what[64], msg[512];
  describe_symbol(got, what, sizeof what);
  if (got == YYSYMBOL_YYEOF) ctx->hit_eof = true;
  int len = snprintf(msg, sizeof msg, "unexpected %s", what);
  if (got == YYSYMBOL_YYEOF && ctx->depth > 0 && ctx->depth <= PARSE_MAX_BRACKETS) {
    int d = ctx->depth - 1;
    diag_parse(ctx->I, &s, "unexpected end of input: the '%c' at %d:%d is never closed", ctx->brackets[d],
               ctx->bracket_line[d], ctx->bracket_col[d]);
    return 0;
  }
  if ((int)s.line == ctx->stray_line && (int)s.col == ctx->stray_col) {
    diag_parse(ctx->I, &s, "unexpected %s: there is no open bracket for it to close", what);
    return 0;
  }
  if (strcmp(yysymbol_name(got), "':'") == 0 && ctx->depth > 0 && ctx->depth <= PARSE_MAX_BRACKETS &&
      ctx->brackets[ctx->depth - 1] == '[') {
    /* NumPy and Matlab write slices with ':'; DLT's ranges are inclusive a..b */
    diag_parse(ctx->I, &s, "unexpected ':': a range is written a..b (A[2..3, :]); ':' alone selects a whole row or column");
    return 0;
  }
  if (got == YYSYMBOL_EQ || got == YYSYMBOL_NE || got == YYSYMBOL_LE || got == YYSYMBOL_GE ||
      strcmp(yysymbol_name(got), "'<'") == 0 || strcmp(yysymbol_name(got), "'>'") == 0) {
    bool allowed = false;
    for (int i = 0; i < nexp; i++)
      if (expected[i] == got) allowed = true;
    if (!allowed) {
      diag_parse(ctx->I, &s, "comparisons cannot be chained: write a < b and b < c");
      return 0;
    }
  }
  bool wants_expr = false, wants_end = false, wants_block = false;
  for (int i = 0; i < nexp; i++) {
    if (strcmp(yysymbol_name(expected[i]), "'{'") == 0) wants_block = true;
    if (starts_expression(expected[i])) wants_expr = true;
    if (expected[i] == YYSYMBOL_NEWLINE || expected[i] == YYSYMBOL_YYEOF) wants_end = true;
  }
  if (nexp > 0 && nexp <= LIST_MAX) {
    /* few alternatives: name them */
    len += snprintf(msg + len, sizeof msg - (size_t)len, ", expected ");
    for (int i = 0; i < nexp && len < (int)sizeof msg - 40; i++) {
      describe_symbol(expected[i], what, sizeof what);
      len += snprintf(msg + len, sizeof msg - (size_t)len, "%s%s", i == 0 ? "" : i == nexp - 1 ? " or " : ", ", what);
    }
  } else if (wants_expr) {
    snprintf(msg + len, sizeof msg - (size_t)len, ", expected an expression");
  } else if ((got == YYSYMBOL_NEWLINE || got == YYSYMBOL_YYEOF) && wants_block) {
    snprintf(msg + len, sizeof msg - (size_t)len, ", expected '{'");
  } else if (wants_end) {
    snprintf(msg + len, sizeof msg - (size_t)len, ", expected an operator or the end of the statement");
  }
  diag_parse(ctx->I, &s, "%s", msg);
  return 0;
}

void yyerror(YYLTYPE *loc, ParseCtx *ctx, const char *msg) {
  Span s = SP(loc, ctx);
  if (strstr(msg, "memory exhausted"))
    diag_parse(ctx->I, &s, "program is nested too deeply (more than %d levels)", DLT_MAX_NEST);
  else
    diag_parse(ctx->I, &s, "%s", msg);
}
