/* ast.c - building and freeing syntax trees. */
#include "ast.h"

#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "strbuf.h"

Node *node_new(NodeKind kind, Span span) {
  Node *n = dlt_xcalloc(1, sizeof(Node)); /* zeroed; reports exhaustion */
  n->kind = (uint8_t)kind;
  n->op = OP__COUNT;
  n->span = span;
  return n;
}

void nodelist_push(NodeList *l, Node *n) {
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 4;
    l->items = dlt_xrealloc(l->items, (size_t)l->cap * sizeof(Node *));
  }
  l->items[l->n++] = n;
}

void nodelist_free(NodeList *l) {
  for (int i = 0; i < l->n; i++) node_free(l->items[i]);
  free(l->items);
  l->items = NULL;
  l->n = l->cap = 0;
}

FnProto *proto_new(const char *name, Span span) {
  FnProto *p = dlt_xcalloc(1, sizeof(FnProto));
  p->name = dlt_xstrdup(name);
  p->span = span;
  return p;
}

void proto_free(FnProto *p) {
  if (!p) return;
  for (int i = 0; i < p->nparams; i++) {
    free(p->params[i]);
    node_free(p->defaults[i]);
  }
  free(p->params);
  free(p->defaults);
  free(p->param_boxed);
  free(p->ups);
  node_free(p->body);
  free(p->name);
  free(p);
}

void node_free(Node *n) {
  if (!n) return;
  switch ((NodeKind)n->kind) {
  case N_STR: val_release(n->u.str); break;
  case N_NAME: case N_LOCAL: case N_BOXED: case N_UPVAL: case N_GLOBAL: case N_SELF:
    free(n->u.var.name);
    break;
  case N_VEC: case N_TUPLE: case N_BLOCK: case N_PRINT: nodelist_free(&n->u.list); break;
  case N_SWEEP:
    nodelist_free(&n->u.sweep.iters);
    free(n->u.sweep.arity);
    node_free(n->u.sweep.body);
    node_free(n->u.sweep.filter);
    for (int i = 0; i < n->u.sweep.opts.n; i++) free(n->u.sweep.optnames[i]);
    free(n->u.sweep.optnames);
    free(n->u.sweep.optspans);
    nodelist_free(&n->u.sweep.opts);
    break;
  case N_RECORD: case N_RECORD_ROW:
    for (int i = 0; i < n->u.rec.vals.n; i++) free(n->u.rec.keys[i]);
    free(n->u.rec.keys);
    nodelist_free(&n->u.rec.vals);
    break;
  case N_RANGE: case N_BINARY: case N_AND: case N_OR:
    node_free(n->u.bin.l);
    node_free(n->u.bin.r);
    free(n->u.bin.prog);
    break;
  case N_UNARY: node_free(n->u.un.e); break;
  case N_CALL:
    node_free(n->u.call.fn);
    nodelist_free(&n->u.call.args);
    for (int i = 0; i < n->u.call.kwargs.n; i++) free(n->u.call.kwnames[i]);
    free(n->u.call.kwnames);
    free(n->u.call.kwspans);
    nodelist_free(&n->u.call.kwargs);
    break;
  case N_INDEX:
    node_free(n->u.index.base);
    nodelist_free(&n->u.index.subs);
    break;
  case N_FIELD:
    node_free(n->u.field.base);
    free(n->u.field.name);
    break;
  case N_LAMBDA: proto_free(n->u.lambda.proto); break;
  case N_IF:
    node_free(n->u.iff.cond);
    node_free(n->u.iff.then);
    node_free(n->u.iff.els);
    break;
  case N_LET:
    free(n->u.let.name);
    node_free(n->u.let.value);
    break;
  case N_ASSIGN:
    node_free(n->u.assign.target);
    node_free(n->u.assign.value);
    break;
  case N_FNDEF:
    free(n->u.fndef.name);
    proto_free(n->u.fndef.proto);
    break;
  case N_FOR:
    free(n->u.loop.var);
    node_free(n->u.loop.iter);
    node_free(n->u.loop.body);
    break;
  case N_WHILE:
    node_free(n->u.wh.cond);
    node_free(n->u.wh.body);
    break;
  case N_RETURN: case N_SEED: case N_ASSERT: case N_SHOW: case N_EXPR:
    node_free(n->u.stmt.e);
    node_free(n->u.stmt.msg);
    break;
  case N_IMPORT: free(n->u.import.path); break; /* the chunk belongs to Interp.chunks */
  default: break;
  }
  free(n);
}

char *span_text(Interp *I, const Span *sp) {
  if (sp->file >= (uint32_t)I->nsources) return dlt_xstrdup("");
  Source *src = I->sources[sp->file];
  if (sp->line < 1 || sp->line > src->nlines || sp->end_line < sp->line || sp->end_line > src->nlines)
    return dlt_xstrdup("");
  /* columns count code points: walk to them */
  const char *p = src->text + src->line_start[sp->line - 1];
  const char *end = src->text + src->len;
  for (uint32_t c = 1; c < sp->col && p < end && *p != '\n';) {
    p++;
    while (p < end && ((unsigned char)*p & 0xC0) == 0x80) p++;
    c++;
  }
  const char *q = src->text + src->line_start[sp->end_line - 1];
  for (uint32_t c = 1; c <= sp->end_col && q < end && *q != '\n';) {
    q++;
    while (q < end && ((unsigned char)*q & 0xC0) == 0x80) q++;
    c++;
  }
  if (q < p) q = p;
  size_t len = (size_t)(q - p);
  char *s = dlt_xmalloc(len + 1);
  memcpy(s, p, len);
  s[len] = '\0';
  return s;
}

char *proto_doc(Interp *I, const FnProto *p) {
  if (p->span.file >= (uint32_t)I->nsources) return NULL;
  Source *src = I->sources[p->span.file];
  uint32_t first = p->span.line; /* 1-based line of `fn` */
  uint32_t top = first;
  /* walk up over consecutive `#` comment lines (not #' narrative or #! lines) */
  while (top > 1) {
    const char *line = src->text + src->line_start[top - 2];
    while (*line == ' ' || *line == '\t') line++;
    if (line[0] != '#' || line[1] == '\'' || line[1] == '!') break;
    top--;
  }
  if (top == first) return NULL;
  StrBuf b = STRBUF_INIT;
  for (uint32_t l = top; l < first; l++) {
    const char *line = src->text + src->line_start[l - 1];
    while (*line == ' ' || *line == '\t') line++;
    line++; /* the '#' */
    while (*line == ' ') line++;
    const char *end = line;
    while (*end && *end != '\n') end++;
    if (b.len && end > line) sb_putc(&b, ' ');
    sb_putn(&b, line, (size_t)(end - line));
  }
  return sb_take(&b);
}

char *proto_signature(const FnProto *p) {
  StrBuf b = STRBUF_INIT;
  sb_printf(&b, "%s(", p->name);
  for (int i = 0; i < p->nparams; i++) sb_printf(&b, "%s%s%s", i ? ", " : "", p->params[i], p->defaults[i] ? "=…" : "");
  sb_putc(&b, ')');
  return sb_take(&b);
}
