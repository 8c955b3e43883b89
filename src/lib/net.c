/* lib/net.c - see net.h for the representation.
 *
 * The forward pass works on whole batches (rows are points) with gsl_blas_dgemm per dense layer;
 * reverse mode keeps every layer's input from the forward pass and runs the chain backwards, so a
 * per-example Jacobian costs one backward pass for the whole batch.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_erf.h>

#include "../arith.h"
#include "../print.h"
#include "../resolve.h"
#include "../strbuf.h"
#include "dual.h"
#include "measure.h"
#include "net.h"
#include "random.h"

#define IS_UNDEF(v) ((v).t == V_UNDEF)

/* ------------------------------------------------------------------ activations */
typedef struct ActName {
  const char *name;
  ActKind kind;
} ActName;

static const ActName act_names[] = {
  {"relu", ACT_RELU},         {"step", ACT_STEP},         {"identity", ACT_IDENTITY},
  {"tanh", ACT_TANH},         {"erf", ACT_ERF},           {"sigmoid", ACT_SIGMOID},
  {"softplus", ACT_SOFTPLUS}, {"gelu", ACT_GELU},         {"leaky_relu", ACT_LEAKY_RELU},
  {"abs", ACT_ABS},           {"relu_pow", ACT_RELU_POW}, {"sin", ACT_SIN},
  {"cos", ACT_COS},
};
#define N_ACT_NAMES (sizeof act_names / sizeof act_names[0])

static const char *act_kind_name(ActKind k) {
  for (size_t i = 0; i < N_ACT_NAMES; i++)
    if (act_names[i].kind == k) return act_names[i].name;
  return "user";
}

static bool act_lookup(const char *name, ActKind *out) {
  for (size_t i = 0; i < N_ACT_NAMES; i++)
    if (strcmp(act_names[i].name, name) == 0) {
      *out = act_names[i].kind;
      return true;
    }
  if (strcmp(name, "linear") == 0 || strcmp(name, "id") == 0) {
    *out = ACT_IDENTITY;
    return true;
  }
  return false;
}

static void act_print(StrBuf *b, const Activation *act) {
  switch (act->kind) {
  case ACT_LEAKY_RELU: sb_printf(b, "leaky_relu(%s)", num_text(act->p).s); return;
  case ACT_RELU_POW: sb_printf(b, "relu_pow(%s)", num_text(act->p).s); return;
  case ACT_USER: val_print(b, act->fn, PRINT_DISPLAY); return;
  default: sb_puts(b, act_kind_name(act->kind)); return;
  }
}

static double sigmoid(double x) {
  if (x >= 0) return 1 / (1 + exp(-x));
  double e = exp(x);
  return e / (1 + e);
}

static const double INV_SQRT_2PI = 0.39894228040143267794;

/* σ, σ', σ'' of the built-in kinds; the kinks take the minimal-norm (Clarke) choice σ'(0) = 0
 * for relu, step and abs, as seed 001 C16 asks. */
static void act_builtin(const Activation *act, double x, double *f, double *df, double *d2f) {
  double v = 0, d = 0, dd = 0;
  switch (act->kind) {
  case ACT_RELU: v = x > 0 || isnan(x) ? x : 0; d = x > 0; break;
  case ACT_STEP: v = isnan(x) ? x : x > 0; break;
  case ACT_IDENTITY: v = x; d = 1; break;
  case ACT_TANH: v = tanh(x); d = 1 - v * v; dd = -2 * v * d; break;
  case ACT_ERF: v = erf(x); d = 2 * INV_SQRT_2PI * sqrt(2.0) * exp(-x * x); dd = -2 * x * d; break;
  case ACT_SIGMOID: v = sigmoid(x); d = v * (1 - v); dd = d * (1 - 2 * v); break;
  case ACT_SOFTPLUS: {
    double s = sigmoid(x);
    v = x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
    d = s;
    dd = s * (1 - s);
    break;
  }
  case ACT_GELU: {
    double phi = INV_SQRT_2PI * exp(-0.5 * x * x), Phi = 0.5 * erfc(-x / sqrt(2.0));
    v = x * Phi;
    d = Phi + x * phi;
    dd = phi * (2 - x * x);
    break;
  }
  case ACT_LEAKY_RELU: v = x > 0 || isnan(x) ? x : act->p * x; d = x > 0 ? 1 : x < 0 ? act->p : 0; break;
  case ACT_ABS: v = fabs(x); d = x > 0 ? 1 : x < 0 ? -1 : 0; break;
  case ACT_RELU_POW: {
    double k = act->p;
    if (x > 0) {
      v = pow(x, k);
      d = k * pow(x, k - 1);
      dd = k * (k - 1) * pow(x, k - 2);
    } else {
      v = isnan(x) ? x : 0;
    }
    break;
  }
  case ACT_SIN: v = sin(x); d = cos(x); dd = -v; break;
  case ACT_COS: v = cos(x); d = -sin(x); dd = -v; break;
  case ACT_USER: break;
  }
  *f = v;
  if (df) *df = d;
  if (d2f) *d2f = dd;
}

bool act_eval(Args *a, const Activation *act, double x, double *f, double *df, double *d2f) {
  if (act->kind != ACT_USER) {
    act_builtin(act, x, f, df, d2f);
    return true;
  }
  if (!df && !d2f) {
    Value xv = v_num(x);
    return call_num(a, act->fn, 1, &xv, f);
  }
  return dual_eval(a, act->fn, x, f, df, d2f);
}

/* Whole-matrix versions for the forward and backward passes: one switch per matrix, not per
 * entry, and branch-free masks for relu, whose sign test on random pre-activations the branch
 * predictor misses half the time (the bench's profile: act_eval was a third of training). */
static inline uint64_t dbits(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}

static inline double bitsd(uint64_t u) {
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

/* y = σ(x) over n entries */
static bool act_apply(Args *a, const Activation *act, const double *x, double *y, size_t n) {
  switch (act->kind) {
  case ACT_RELU:
    /* keep x where x > 0 or x is nan (!(x <= 0)), else +0 */
    for (size_t i = 0; i < n; i++) y[i] = bitsd(dbits(x[i]) & -(uint64_t)!(x[i] <= 0));
    return true;
  case ACT_IDENTITY: memcpy(y, x, n * sizeof *y); return true;
  case ACT_TANH:
    for (size_t i = 0; i < n; i++) y[i] = tanh(x[i]);
    return true;
  case ACT_USER:
    for (size_t i = 0; i < n; i++)
      if (!act_eval(a, act, x[i], &y[i], NULL, NULL)) return false;
    return true;
  default:
    for (size_t i = 0; i < n; i++) act_builtin(act, x[i], &y[i], NULL, NULL);
    return true;
  }
}

/* out = σ'(x) · g over n entries (the backward pass through an activation) */
static bool act_grad_mul(Args *a, const Activation *act, const double *x, const double *g, double *out, size_t n) {
  switch (act->kind) {
  case ACT_RELU:
    /* σ'(x) = 1 for x > 0, else 0 (σ'(0) = 0): pass g through where x > 0 */
    for (size_t i = 0; i < n; i++) out[i] = bitsd(dbits(g[i]) & -(uint64_t)(x[i] > 0));
    return true;
  case ACT_IDENTITY: memcpy(out, g, n * sizeof *out); return true;
  case ACT_TANH:
    for (size_t i = 0; i < n; i++) {
      double t = tanh(x[i]);
      out[i] = (1 - t * t) * g[i];
    }
    return true;
  default:
    for (size_t i = 0; i < n; i++) {
      double v, d;
      if (!act_eval(a, act, x[i], &v, &d, NULL)) return false;
      out[i] = d * g[i];
    }
    return true;
  }
}

static void act_release(Activation *act) {
  val_release(act->fn);
  act->fn = v_nil();
}

/* ------------------------------------------------------------------ the type */
static Network *net_alloc(void);

static void layer_release(NetLayer *l) {
  if (l->W) val_release(v_obj(l->W));
  if (l->b) val_release(v_obj(l->b));
  act_release(&l->act);
  for (size_t k = 0; k < l->nsub; k++) val_release(v_obj(l->sub[k]));
  free(l->sub);
}

static void net_free(Obj *o) {
  Network *f = (Network *)o;
  for (size_t i = 0; i < f->nlayers; i++) layer_release(&f->layers[i]);
  free(f->layers);
  if (f->lin0) val_release(v_obj(f->lin0));
}

/* A copy of layer l that shares (retains) its matrices, function and sub-networks. */
static NetLayer layer_share(const NetLayer *l) {
  NetLayer c = *l;
  if (c.W) val_retain(v_obj(c.W));
  if (c.b) val_retain(v_obj(c.b));
  val_retain(c.act.fn);
  if (l->nsub) {
    c.sub = dlt_xmalloc(l->nsub * sizeof *c.sub);
    for (size_t k = 0; k < l->nsub; k++) {
      c.sub[k] = l->sub[k];
      val_retain(v_obj(c.sub[k]));
    }
  } else {
    c.sub = NULL;
  }
  return c;
}

static Network *net_share_copy(const Network *f) {
  Network *c = net_alloc();
  c->d_in = f->d_in;
  c->d_out = f->d_out;
  c->any_width = f->any_width;
  c->scale = f->scale;
  c->meta = f->meta;
  c->nlayers = f->nlayers;
  c->layers = f->nlayers ? dlt_xmalloc(f->nlayers * sizeof *c->layers) : NULL;
  for (size_t i = 0; i < f->nlayers; i++) c->layers[i] = layer_share(&f->layers[i]);
  c->lin0 = f->lin0;
  if (c->lin0) val_retain(v_obj(c->lin0));
  return c;
}

static Obj *net_clone(Obj *o) { return (Obj *)net_share_copy((Network *)o); }

Network *net_copy(const Network *f) { return net_share_copy(f); }

static void net_traverse(Obj *o, void (*visit)(Value *slot, void *ctx), void *ctx) {
  Network *f = (Network *)o;
  for (size_t i = 0; i < f->nlayers; i++)
    if (IS_OBJ(f->layers[i].act.fn)) visit(&f->layers[i].act.fn, ctx);
}

const char *net_param_name(NetParam p) {
  switch (p) {
  case NETP_STANDARD: return "standard";
  case NETP_NTK: return "ntk";
  case NETP_MF: return "mf";
  case NETP_MUP: return "mup";
  default: return "explicit";
  }
}

static void net_print_into(const Network *f, StrBuf *b);

static void layer_print(const NetLayer *l, StrBuf *b) {
  switch (l->kind) {
  case LAYER_DENSE:
    sb_printf(b, "dense(%zu → %zu%s)", mat_cols(l->W), mat_rows(l->W), l->b ? "" : ", no bias");
    return;
  case LAYER_ACT: act_print(b, &l->act); return;
  case LAYER_RESIDUAL:
    sb_puts(b, "residual(");
    net_print_into(l->sub[0], b);
    sb_puts(b, ")");
    return;
  case LAYER_SUM:
    sb_puts(b, "(");
    for (size_t k = 0; k < l->nsub; k++) {
      if (k) sb_puts(b, " + ");
      net_print_into(l->sub[k], b);
    }
    sb_puts(b, ")");
    return;
  case LAYER_SCALE: sb_printf(b, "scale(%s)", num_text(l->c).s); return;
  }
}

static void net_print_into(const Network *f, StrBuf *b) {
  if (f->lin0) {
    sb_puts(b, "linearize(");
    net_print_into(f->lin0, b);
    sb_puts(b, ")");
    return;
  }
  if (f->meta.param != NETP_EXPLICIT) {
    double extra = f->scale * f->meta.gamma;
    if (extra != 1) sb_printf(b, "%s * ", num_text(extra).s);
    sb_printf(b, "mlp(%zu → [", f->d_in);
    size_t nd = 0;
    for (size_t i = 0; i < f->nlayers; i++)
      if (f->layers[i].kind == LAYER_DENSE) {
        if (i + 1 < f->nlayers) sb_printf(b, "%s%zu", nd ? ", " : "", mat_rows(f->layers[i].W));
        nd++;
      }
    sb_printf(b, "] → %zu, ", f->d_out);
    const Activation *act = NULL;
    for (size_t i = 0; i < f->nlayers && !act; i++)
      if (f->layers[i].kind == LAYER_ACT) act = &f->layers[i].act;
    if (act) act_print(b, act);
    else sb_puts(b, "linear");
    sb_printf(b, ", %s, CW=%s", net_param_name(f->meta.param), num_text(f->meta.CW).s);
    if (f->meta.CW1 != f->meta.CW) sb_printf(b, ", CW1=%s", num_text(f->meta.CW1).s);
    sb_printf(b, ", Cb=%s", num_text(f->meta.Cb).s);
    if (f->meta.gamma != 1) sb_printf(b, ", gamma=%s", num_text(f->meta.gamma).s);
    if (!f->meta.bias) sb_puts(b, ", bias=false");
    if (strcmp(f->meta.init, "gaussian") != 0) sb_printf(b, ", init=%s", f->meta.init);
    sb_puts(b, ")");
    return;
  }
  if (f->scale != 1) sb_printf(b, "%s * ", num_text(f->scale).s);
  if (f->any_width) sb_puts(b, "network(any → any: ");
  else sb_printf(b, "network(%zu → %zu: ", f->d_in, f->d_out);
  if (f->nlayers > 12) {
    size_t nd = net_dense_layers((Network *)f, NULL, 0);
    sb_printf(b, "%zu layers, %zu dense, %zu parameters)", f->nlayers, nd, net_nparams(f));
    return;
  }
  for (size_t i = 0; i < f->nlayers; i++) {
    if (i) sb_puts(b, ", ");
    layer_print(&f->layers[i], b);
  }
  sb_puts(b, ")");
}

static void net_print(Obj *o, StrBuf *b) { net_print_into((Network *)o, b); }

static Value net_binop(Interp *I, OpCode op, Value a, Value b, const Span *where);
static Value net_unop(Interp *I, OpCode op, Obj *self, const Span *where);
static Value net_get_field(Interp *I, Obj *self, const char *name, const Span *where);
static Value net_set_field(Interp *I, Obj *self, const char *name, Value v, const Span *where);
static Value net_call(Interp *I, Obj *self, Args *args);

static bool net_equal(Obj *self, Value other) { return IS_OBJ(other) && other.u.o == self; }

const ExtClass network_class = {
  .name = "network",
  .free = net_free,
  .print = net_print,
  .clone = net_clone,
  .equal = net_equal,
  .binop = net_binop,
  .unop = net_unop,
  .get_field = net_get_field,
  .set_field = net_set_field,
  .call = net_call,
  .traverse = net_traverse,
};

static Network *net_alloc(void) {
  Network *f = obj_new(OBJ_EXT, sizeof(Network));
  f->ext.cls = &network_class;
  f->d_in = f->d_out = 0;
  f->any_width = false;
  f->nlayers = 0;
  f->layers = NULL;
  f->scale = 1;
  f->meta = (NetMeta){NETP_EXPLICIT, 1, 0, 1, 1, true, "gaussian"};
  f->lin0 = NULL;
  return f;
}

bool val_is_network(Value v) { return IS_EXT(v) && AS_EXT(v)->cls == &network_class; }

static const char *ordinal(int i) {
  static const char *const names[] = {"first", "second", "third", "fourth", "fifth", "sixth"};
  return i >= 0 && i < 6 ? names[i] : "next";
}

bool arg_network(Args *a, int i, Network **out) {
  if (i < a->n && val_is_network(a->v[i])) {
    *out = as_network(a->v[i]);
    return true;
  }
  if (i >= a->n) call_error(a, "the %s argument must be a network, got nothing", ordinal(i));
  else arg_error(a, i, "the %s argument must be a network, got a %s", ordinal(i), val_type_name(a->v[i]));
  return false;
}

static void push_layer(Network *f, NetLayer l) {
  f->layers = dlt_xrealloc(f->layers, (f->nlayers + 1) * sizeof *f->layers);
  f->layers[f->nlayers++] = l;
}

static NetLayer layer_blank(LayerKind kind) {
  NetLayer l;
  memset(&l, 0, sizeof l);
  l.kind = kind;
  l.wmult = l.bmult = l.lr_mult = 1;
  l.act.fn = v_nil();
  l.c = 1;
  return l;
}

Network *net_new(size_t d_in) {
  Network *f = net_alloc();
  f->d_in = f->d_out = d_in;
  return f;
}

void net_add_dense(Network *f, Mat *W, Mat *b, double wmult, double bmult) {
  NetLayer d = layer_blank(LAYER_DENSE);
  d.W = W;
  d.b = b;
  d.wmult = wmult;
  d.bmult = bmult;
  f->d_out = mat_rows(W);
  push_layer(f, d);
}

void net_add_act(Network *f, Activation act) {
  NetLayer l = layer_blank(LAYER_ACT);
  l.act = act;
  val_retain(act.fn);
  push_layer(f, l);
}

/* ------------------------------------------------------------------ parameters */
static size_t layer_nparams(const NetLayer *l) {
  switch (l->kind) {
  case LAYER_DENSE: return mat_numel(l->W) + (l->b ? mat_rows(l->b) : 0);
  case LAYER_RESIDUAL:
  case LAYER_SUM: {
    size_t p = 0;
    for (size_t k = 0; k < l->nsub; k++) p += net_nparams(l->sub[k]);
    return p;
  }
  default: return 0;
  }
}

size_t net_nparams(const Network *f) {
  size_t p = 0;
  for (size_t i = 0; i < f->nlayers; i++) p += layer_nparams(&f->layers[i]);
  return p;
}

static void dense_collect(Network *f, NetLayer **out, size_t max, size_t *n) {
  for (size_t i = 0; i < f->nlayers; i++) {
    NetLayer *l = &f->layers[i];
    if (l->kind == LAYER_DENSE) {
      if (out && *n < max) out[*n] = l;
      (*n)++;
    }
    for (size_t k = 0; k < l->nsub; k++) dense_collect(l->sub[k], out, max, n);
  }
}

size_t net_dense_layers(Network *f, NetLayer **out, size_t max) {
  size_t n = 0;
  dense_collect(f, out, max, &n);
  return n;
}

static void params_get(const Network *f, double *theta, size_t *pos) {
  for (size_t i = 0; i < f->nlayers; i++) {
    const NetLayer *l = &f->layers[i];
    if (l->kind == LAYER_DENSE) {
      memcpy(theta + *pos, l->W->data, mat_numel(l->W) * sizeof(double));
      *pos += mat_numel(l->W);
      if (l->b) {
        memcpy(theta + *pos, l->b->data, mat_rows(l->b) * sizeof(double));
        *pos += mat_rows(l->b);
      }
    }
    for (size_t k = 0; k < l->nsub; k++) params_get(l->sub[k], theta, pos);
  }
}

void net_get_params(const Network *f, double *theta) {
  size_t pos = 0;
  params_get(f, theta, &pos);
}

static Mat *mat_from(size_t r, size_t c, const double *src) {
  Mat *m = mat_alloc(r, c);
  if (m && r * c > 0) memcpy(m->data, src, r * c * sizeof(double));
  return m;
}

/* A layer whose matrix cannot be allocated keeps the shared old one and sets *failed. */
static Network *with_params(const Network *f, const double *theta, size_t *pos, bool *failed) {
  Network *c = net_share_copy(f);
  for (size_t i = 0; i < c->nlayers; i++) {
    NetLayer *l = &c->layers[i];
    if (l->kind == LAYER_DENSE) {
      Mat *W = *failed ? NULL : mat_from(mat_rows(l->W), mat_cols(l->W), theta + *pos);
      *pos += mat_numel(l->W);
      if (W) {
        val_release(v_obj(l->W));
        l->W = W;
      } else {
        *failed = true;
      }
      if (l->b) {
        Mat *b = *failed ? NULL : mat_from(mat_rows(l->b), 1, theta + *pos);
        *pos += mat_rows(l->b);
        if (b) {
          val_release(v_obj(l->b));
          l->b = b;
        } else {
          *failed = true;
        }
      }
    }
    for (size_t k = 0; k < l->nsub; k++) {
      Network *s = with_params(l->sub[k], theta, pos, failed);
      val_release(v_obj(l->sub[k]));
      l->sub[k] = s;
    }
  }
  return c;
}

Network *net_with_params(const Network *f, const double *theta) {
  size_t pos = 0;
  bool failed = false;
  Network *c = with_params(f, theta, &pos, &failed);
  if (failed) {
    val_release(v_obj(c));
    return NULL;
  }
  return c;
}

/* The dense layer number idx (0-based, θ order) of a network the caller owns uniquely, after
 * making every sub-network on the way unique, so the caller may replace its W or b. */
static NetLayer *dense_slot(Network *f, size_t *idx) {
  for (size_t i = 0; i < f->nlayers; i++) {
    NetLayer *l = &f->layers[i];
    if (l->kind == LAYER_DENSE) {
      if (*idx == 0) return l;
      (*idx)--;
    }
    for (size_t k = 0; k < l->nsub; k++) {
      size_t before = net_dense_layers(l->sub[k], NULL, 0);
      if (*idx < before) {
        if (l->sub[k]->ext.obj.refs > 1) {
          Network *u = net_share_copy(l->sub[k]);
          val_release(v_obj(l->sub[k]));
          l->sub[k] = u;
        }
        return dense_slot(l->sub[k], idx);
      }
      *idx -= before;
    }
  }
  return NULL;
}

/* ------------------------------------------------------------------ forward */
typedef struct Cache {
  size_t nlayers;
  Mat **in;             /* in[i]: the input of layer i; in[nlayers]: the chain's output before scale */
  struct Cache ***sub;  /* sub[i][k]: the cache of layer i's k-th sub-network */
} Cache;

static Cache *cache_new(const Network *f) {
  Cache *c = dlt_xmalloc(sizeof *c);
  c->nlayers = f->nlayers;
  c->in = dlt_xmalloc((f->nlayers + 1) * sizeof *c->in);
  c->sub = dlt_xmalloc((f->nlayers + 1) * sizeof *c->sub);
  memset(c->in, 0, (f->nlayers + 1) * sizeof *c->in);
  memset(c->sub, 0, (f->nlayers + 1) * sizeof *c->sub);
  for (size_t i = 0; i < f->nlayers; i++) {
    const NetLayer *l = &f->layers[i];
    if (l->nsub) {
      c->sub[i] = dlt_xmalloc(l->nsub * sizeof **c->sub);
      for (size_t k = 0; k < l->nsub; k++) c->sub[i][k] = cache_new(l->sub[k]);
    }
  }
  return c;
}

static void cache_free(Cache *c, const Network *f) {
  if (!c) return;
  for (size_t i = 0; i <= c->nlayers; i++)
    if (c->in[i]) val_release(v_obj(c->in[i]));
  for (size_t i = 0; i < c->nlayers; i++)
    if (c->sub[i]) {
      for (size_t k = 0; k < f->layers[i].nsub; k++) cache_free(c->sub[i][k], f->layers[i].sub[k]);
      free(c->sub[i]);
    }
  free(c->in);
  free(c->sub);
  free(c);
}

static Mat *oom(Args *a, size_t r, size_t c) {
  dlt_error_oom(a->I, a->call, r, c);
  return NULL;
}

static Mat *fwd(Args *a, const Network *f, Mat *X, Cache *c);

static Mat *layer_fwd(Args *a, const NetLayer *l, Mat *X, Cache **subc) {
  size_t n = mat_rows(X), d = mat_cols(X);
  switch (l->kind) {
  case LAYER_DENSE: {
    size_t out = mat_rows(l->W);
    Mat *Z = mat_alloc(n, out);
    if (!Z) return oom(a, n, out);
    if (n && out) {
      if (d) gsl_blas_dgemm(CblasNoTrans, CblasTrans, l->wmult, &X->m, &l->W->m, 0.0, &Z->m);
      else memset(Z->data, 0, n * out * sizeof(double));
      if (l->b)
        for (size_t i = 0; i < n; i++)
          for (size_t j = 0; j < out; j++) *mat_at(Z, i, j) += l->bmult * l->b->data[j];
    }
    return Z;
  }
  case LAYER_ACT: {
    Mat *Z = mat_alloc(n, d);
    if (!Z) return oom(a, n, d);
    if (!act_apply(a, &l->act, X->data, Z->data, n * d)) {
      val_release(v_obj(Z));
      return NULL;
    }
    return Z;
  }
  case LAYER_SCALE: {
    Mat *Z = mat_clone(X);
    if (!Z) return oom(a, n, d);
    for (size_t i = 0; i < n * d; i++) Z->data[i] *= l->c;
    return Z;
  }
  case LAYER_RESIDUAL:
  case LAYER_SUM: {
    Mat *Z = NULL;
    if (l->kind == LAYER_RESIDUAL) {
      Z = mat_clone(X);
      if (!Z) return oom(a, n, d);
    }
    for (size_t k = 0; k < l->nsub; k++) {
      Mat *G = fwd(a, l->sub[k], X, subc ? subc[k] : NULL);
      if (!G) {
        if (Z) val_release(v_obj(Z));
        return NULL;
      }
      if (!Z) {
        Z = G;
        continue;
      }
      for (size_t i = 0; i < mat_numel(Z); i++) Z->data[i] += G->data[i];
      val_release(v_obj(G));
    }
    return Z;
  }
  }
  return NULL;
}

static Mat *fwd(Args *a, const Network *f, Mat *X, Cache *c) {
  Mat *cur = X;
  val_retain(v_obj(cur));
  for (size_t i = 0; i < f->nlayers; i++) {
    if (c) {
      c->in[i] = cur;
      val_retain(v_obj(cur));
    }
    Mat *next = layer_fwd(a, &f->layers[i], cur, c ? c->sub[i] : NULL);
    val_release(v_obj(cur));
    if (!next) return NULL;
    cur = next;
  }
  if (c) {
    c->in[f->nlayers] = cur;
    val_retain(v_obj(cur));
  }
  if (f->scale != 1) {
    Mat *s = mat_clone(cur);
    val_release(v_obj(cur));
    if (!s) return oom(a, mat_rows(X), f->d_out);
    for (size_t i = 0; i < mat_numel(s); i++) s->data[i] *= f->scale;
    cur = s;
  }
  return cur;
}

/* θ − θ0 of a linearised network (P doubles, caller frees) */
static double *lin_delta(const Network *f) {
  size_t P = net_nparams(f);
  double *d = dlt_xmalloc((P ? P : 1) * sizeof *d), *t0 = dlt_xmalloc((P ? P : 1) * sizeof *t0);
  net_get_params(f, d);
  net_get_params(f->lin0, t0);
  for (size_t i = 0; i < P; i++) d[i] -= t0[i];
  free(t0);
  return d;
}

/* f_lin(X) = lin0(X) + J0(X)(θ − θ0), from one joint value-and-tangent pass */
static Mat *lin_forward(Args *a, const Network *f, Mat *X) {
  double *d = lin_delta(f);
  Mat *Y, *dY;
  bool ok = net_jvp(a, f->lin0, X, d, &Y, &dY);
  free(d);
  if (!ok) return NULL;
  for (size_t i = 0; i < mat_numel(Y); i++) Y->data[i] += dY->data[i];
  val_release(v_obj(dY));
  return Y;
}

Mat *net_forward(Args *a, const Network *f, Mat *X) { return f->lin0 ? lin_forward(a, f, X) : fwd(a, f, X, NULL); }

/* ------------------------------------------------------------------ reverse mode */
typedef struct Back {
  Args *a;
  Mat *jac;     /* n×P per-example rows, or NULL */
  double *grad; /* P summed, or NULL */
  NetDenseVisit visit;
  void *ctx;
} Back;

/* D (n×d_out of f, borrowed) is ∂L/∂(output); returns ∂L/∂(input) as a new matrix, and adds the
 * parameter gradients of f (whose θ starts at offset `base`) into bk. */
static Mat *bwd(Back *bk, const Network *f, Cache *c, Mat *D, size_t base) {
  Args *a = bk->a;
  size_t n = mat_rows(D);
  size_t *offs = dlt_xmalloc((f->nlayers + 1) * sizeof *offs);
  offs[0] = base;
  for (size_t i = 0; i < f->nlayers; i++) offs[i + 1] = offs[i] + layer_nparams(&f->layers[i]);
  Mat *cur = mat_clone(D);
  if (!cur) {
    free(offs);
    return oom(a, n, mat_cols(D));
  }
  if (f->scale != 1)
    for (size_t i = 0; i < mat_numel(cur); i++) cur->data[i] *= f->scale;
  for (size_t li = f->nlayers; li-- > 0;) {
    const NetLayer *l = &f->layers[li];
    Mat *A = c->in[li];
    size_t din = mat_cols(A);
    Mat *next = NULL;
    switch (l->kind) {
    case LAYER_DENSE: {
      size_t out = mat_rows(l->W);
      size_t o = offs[li];
      if (bk->jac) {
        for (size_t i = 0; i < n; i++) {
          double *row = mat_at(bk->jac, i, 0);
          for (size_t r = 0; r < out; r++) {
            double dr = *mat_at(cur, i, r);
            double *dst = row + o + r * din;
            const double *ai = mat_at(A, i, 0);
            for (size_t q = 0; q < din; q++) dst[q] += l->wmult * dr * ai[q];
          }
          if (l->b)
            for (size_t r = 0; r < out; r++) row[o + out * din + r] += l->bmult * *mat_at(cur, i, r);
        }
      }
      if (bk->grad && out && din && n) {
        gsl_matrix_view g = gsl_matrix_view_array(bk->grad + o, out, din);
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, l->wmult, &cur->m, &A->m, 1.0, &g.matrix);
      }
      if (bk->grad && l->b)
        for (size_t i = 0; i < n; i++)
          for (size_t r = 0; r < out; r++) bk->grad[o + out * din + r] += l->bmult * *mat_at(cur, i, r);
      if (bk->visit) bk->visit(bk->ctx, o, l, A, cur);
      /* the product overwrites every entry (beta = 0) unless it is empty */
      next = n && din && out ? mat_alloc(n, din) : mat_alloc_zero(n, din);
      if (!next) break;
      if (n && din && out) gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, l->wmult, &cur->m, &l->W->m, 0.0, &next->m);
      break;
    }
    case LAYER_ACT: {
      next = mat_alloc(n, din);
      if (!next) break;
      if (!act_grad_mul(a, &l->act, A->data, cur->data, next->data, n * din)) {
        val_release(v_obj(next));
        val_release(v_obj(cur));
        free(offs);
        return NULL;
      }
      break;
    }
    case LAYER_SCALE:
      next = mat_clone(cur);
      if (next)
        for (size_t i = 0; i < mat_numel(next); i++) next->data[i] *= l->c;
      break;
    case LAYER_RESIDUAL:
    case LAYER_SUM: {
      next = l->kind == LAYER_RESIDUAL ? mat_clone(cur) : mat_alloc_zero(n, din);
      if (!next) break;
      size_t o = offs[li];
      for (size_t k = 0; k < l->nsub; k++) {
        Mat *G = bwd(bk, l->sub[k], c->sub[li][k], cur, o);
        if (!G) {
          val_release(v_obj(next));
          val_release(v_obj(cur));
          free(offs);
          return NULL;
        }
        for (size_t i = 0; i < mat_numel(next); i++) next->data[i] += G->data[i];
        val_release(v_obj(G));
        o += net_nparams(l->sub[k]);
      }
      break;
    }
    }
    val_release(v_obj(cur));
    if (!next) {
      free(offs);
      return oom(a, n, din);
    }
    cur = next;
  }
  free(offs);
  return cur;
}

struct NetTape {
  Args *a;
  const Network *f; /* whose layers reverse mode runs through (lin0 for a linearised network) */
  Cache *c;
};

NetTape *net_tape(Args *a, const Network *f, Mat *X, Mat **Y) {
  const Network *g = f->lin0 ? f->lin0 : f;
  Cache *c = cache_new(g);
  Mat *out = fwd(a, g, X, c);
  if (out && f->lin0) {
    val_release(v_obj(out));
    out = lin_forward(a, f, X);
  }
  if (!out) {
    cache_free(c, g);
    return NULL;
  }
  NetTape *t = dlt_xmalloc(sizeof *t);
  *t = (NetTape){a, g, c};
  *Y = out;
  return t;
}

bool net_tape_back(NetTape *t, Mat *D, double *grad, Mat *jac, Mat *dX, NetDenseVisit visit, void *ctx) {
  Back bk = {t->a, jac, grad, visit, ctx};
  Mat *G = bwd(&bk, t->f, t->c, D, 0);
  if (!G) return false;
  if (dX) memcpy(dX->data, G->data, mat_numel(G) * sizeof(double));
  val_release(v_obj(G));
  return true;
}

void net_tape_free(NetTape *t) {
  if (!t) return;
  cache_free(t->c, t->f);
  free(t);
}

bool net_backprop(Args *a, const Network *f, Mat *X, const double *w, Mat *jac, double *grad, Mat *dx, double *out) {
  size_t n = mat_rows(X);
  Mat *Y;
  NetTape *t = net_tape(a, f, X, &Y);
  if (!t) return false;
  if (out)
    for (size_t i = 0; i < n; i++) out[i] = Y->data[i];
  val_release(v_obj(Y));
  Mat *D = mat_alloc(n, 1);
  if (!D) {
    net_tape_free(t);
    oom(a, n, 1);
    return false;
  }
  for (size_t i = 0; i < n; i++) D->data[i] = w ? w[i] : 1;
  bool ok = net_tape_back(t, D, grad, jac, dx, NULL, NULL);
  val_release(v_obj(D));
  net_tape_free(t);
  return ok;
}

/* ------------------------------------------------------------------ inputs */
/* The input of a network call: a point (a vector of length d_in, or a number when d_in == 1) or a
 * batch (n×d_in). *X becomes an n×d_in matrix (new reference); *point says it was one point. */
static bool net_input(Args *a, int i, const Network *f, Mat **X, bool *point) {
  Value m;
  if (!arg_mat(a, i, &m)) return false;
  Mat *M = AS_MAT(m);
  size_t r = mat_rows(M), cl = mat_cols(M), d = f->d_in;
  if (f->any_width) d = mat_is_vector(M) ? mat_numel(M) : cl;
  if (mat_is_vector(M) && mat_numel(M) == d && !(d == 1 && r > 1 && !f->any_width)) {
    *point = true;
    Mat *P = mat_alloc(1, d);
    if (!P) {
      val_release(m);
      oom(a, 1, d);
      return false;
    }
    if (d) memcpy(P->data, M->data, d * sizeof(double));
    val_release(m);
    *X = P;
    return true;
  }
  if (cl == d) {
    *point = false;
    *X = M;
    return true;
  }
  StrBuf b = STRBUF_INIT;
  fmt_shape(&b, r, cl);
  arg_error(a, i, "the network takes points of dimension %zu (a vector, or an n×%zu batch with one point per row), got a %s matrix",
            f->d_in, f->d_in, sb_cstr(&b));
  sb_free(&b);
  val_release(m);
  return false;
}

/* A forward result as the user sees it: a number or a d_out column for one point. */
static Value net_output(Mat *Y, bool point) {
  if (!point) return v_obj(Y);
  if (mat_numel(Y) == 1) {
    double v = Y->data[0];
    val_release(v_obj(Y));
    return v_num(v);
  }
  Y->m.size1 = mat_cols(Y);
  Y->m.size2 = 1;
  Y->m.tda = 1;
  return v_obj(Y);
}

static Value net_call(Interp *I, Obj *self, Args *args) {
  (void)I;
  Args a = *args;
  a.fname = "network";
  Network *f = (Network *)self;
  if (a.nkw > 0) return call_error(&a, "a network takes no keyword arguments (got %s=)", a.kwnames[0]);
  if (a.n != 1) return call_error(&a, "a network takes one argument (a point or a batch of points as rows), got %d", a.n);
  Mat *X;
  bool point;
  if (!net_input(&a, 0, f, &X, &point)) return v_abrupt();
  Mat *Y = net_forward(&a, f, X);
  val_release(v_obj(X));
  if (!Y) return v_abrupt();
  return net_output(Y, point);
}

/* ------------------------------------------------------------------ building */
/* An activation from a value: a name, a built-in function whose name is an activation, or any
 * other function (then a user activation). */
static bool act_from_value(Args *a, Value v, const Span *where, double slope, double k, Activation *out) {
  out->fn = v_nil();
  out->p = 0;
  const char *name = NULL;
  if (IS_STR(v)) name = AS_STR(v)->s;
  else if (IS_BUILTIN(v)) {
    ActKind kind;
    if (act_lookup(AS_BUILTIN(v)->def->name, &kind)) name = AS_BUILTIN(v)->def->name;
  }
  /* the printed form of a parametrised activation, "leaky_relu(0.2)" or "relu_pow(3)" (what f.act
   * gives back), names the activation and its parameter */
  char base[32];
  double p;
  int used = 0;
  if (name && strchr(name, '(') && sscanf(name, "%31[a-z_](%lf)%n", base, &p, &used) == 2 && name[used] == 0 &&
      (strcmp(base, "leaky_relu") == 0 || strcmp(base, "relu_pow") == 0)) {
    if (!isfinite(p) || (base[0] == 'r' && p < 1)) {
      dlt_error(a->I, where, "%s: %s needs %s, got %s", a->fname, base,
                base[0] == 'r' ? "a power k >= 1" : "a finite slope", num_text(p).s);
      return false;
    }
    name = base;
    if (base[0] == 'l') slope = p;
    else k = p;
  }
  if (name) {
    if (!act_lookup(name, &out->kind)) {
      const char *cands[N_ACT_NAMES];
      for (size_t i = 0; i < N_ACT_NAMES; i++) cands[i] = act_names[i].name;
      const char *s = dlt_suggest(name, cands, (int)N_ACT_NAMES);
      if (s) dlt_error(a->I, where, "%s: unknown activation '%s'; did you mean '%s'?", a->fname, name, s);
      else {
        StrBuf b = STRBUF_INIT;
        for (size_t i = 0; i < N_ACT_NAMES; i++) sb_printf(&b, "%s%s", i ? ", " : "", act_names[i].name);
        dlt_error(a->I, where, "%s: unknown activation '%s' (known: %s, or a function)", a->fname, name, sb_cstr(&b));
        sb_free(&b);
      }
      return false;
    }
    if (out->kind == ACT_LEAKY_RELU) out->p = slope;
    if (out->kind == ACT_RELU_POW) out->p = k;
    return true;
  }
  if (val_is_callable(v) && !val_is_network(v)) {
    out->kind = ACT_USER;
    out->fn = val_retain(v);
    return true;
  }
  dlt_error(a->I, where, "%s: an activation is a name (\"relu\") or a function, got a %s", a->fname, val_type_name(v));
  return false;
}

/* slope= and k= of leaky_relu and relu_pow */
static bool act_params(Args *a, double *slope, double *k) {
  *slope = 0.01;
  *k = 2;
  if (!kw_num(a, "slope", slope, NULL) || !kw_num(a, "k", k, NULL)) return false;
  if (!isfinite(*slope)) {
    kw_error(a, "slope", "slope must be finite, got %s", num_text(*slope).s);
    return false;
  }
  if (!(*k >= 1) || !isfinite(*k)) {
    kw_error(a, "k", "k (the power of relu_pow) must be at least 1, got %s", num_text(*k).s);
    return false;
  }
  return true;
}

static Network *act_network(Activation act) {
  Network *f = net_alloc();
  f->any_width = true;
  NetLayer l = layer_blank(LAYER_ACT);
  l.act = act;
  push_layer(f, l);
  return f;
}

bool arg_activation(Args *a, int i, Value *holder, const Activation **act) {
  Value v = a->v[i];
  if (val_is_network(v)) {
    val_retain(v);
  } else {
    double slope, k;
    Activation A;
    if (!act_params(a, &slope, &k) || !act_from_value(a, v, arg_span(a, i), slope, k, &A)) return false;
    v = v_obj(act_network(A));
  }
  Network *f = as_network(v);
  for (size_t l = 0; l < f->nlayers; l++)
    if (f->layers[l].kind == LAYER_ACT) {
      *holder = v;
      *act = &f->layers[l].act;
      return true;
    }
  val_release(v);
  arg_error(a, i, "the network has no activation layer, so it names no activation");
  return false;
}

static Value bi_activation(Args *a) {
  double slope, k;
  if (!act_params(a, &slope, &k)) return v_abrupt();
  Activation act;
  if (!act_from_value(a, a->v[0], arg_span(a, 0), slope, k, &act)) return v_abrupt();
  return v_obj(act_network(act));
}

/* every entry finite, else a located error */
static bool check_finite(Args *a, int i, const Mat *M, const char *what) {
  for (size_t q = 0; q < mat_numel(M); q++)
    if (!isfinite(M->data[q])) {
      arg_error(a, i, "%s must be finite, entry %zu is %s", what, q + 1, num_text(M->data[q]).s);
      return false;
    }
  return true;
}

static Value bi_dense(Args *a) {
  Value wv;
  if (!arg_mat(a, 0, &wv)) return v_abrupt();
  Mat *W = AS_MAT(wv);
  if (!check_finite(a, 0, W, "W")) {
    val_release(wv);
    return v_abrupt();
  }
  Mat *b = NULL;
  const Value *bv = kw_get(a, "b");
  if (bv && !IS_NIL(*bv)) {
    Value m = val_as_mat(a->I, *bv, kw_span(a, "b"), "b");
    if (IS_ABRUPT(m)) {
      val_release(wv);
      return m;
    }
    b = AS_MAT(m);
    if (!mat_is_vector(b) || mat_numel(b) != mat_rows(W)) {
      StrBuf s1 = STRBUF_INIT, s2 = STRBUF_INIT;
      fmt_shape(&s1, mat_rows(W), mat_cols(W));
      fmt_shape(&s2, mat_rows(b), mat_cols(b));
      kw_error(a, "b", "b must be a vector of length %zu (W is %s), got %s", mat_rows(W), sb_cstr(&s1), sb_cstr(&s2));
      sb_free(&s1);
      sb_free(&s2);
      val_release(wv);
      val_release(m);
      return v_abrupt();
    }
    for (size_t q = 0; q < mat_numel(b); q++)
      if (!isfinite(b->data[q])) {
        kw_error(a, "b", "b must be finite, entry %zu is %s", q + 1, num_text(b->data[q]).s);
        val_release(wv);
        val_release(m);
        return v_abrupt();
      }
    /* a private column: the caller's matrix may be a row, and is shared */
    b = mat_from(mat_numel(AS_MAT(m)), 1, AS_MAT(m)->data);
    val_release(m);
    if (!b) {
      Value e = dlt_error_oom(a->I, a->call, mat_rows(W), 1); /* before W goes with wv */
      val_release(wv);
      return e;
    }
  }
  Network *f = net_alloc();
  f->d_in = mat_cols(W);
  f->d_out = mat_rows(W);
  NetLayer l = layer_blank(LAYER_DENSE);
  l.W = W;
  l.b = b;
  push_layer(f, l);
  return v_obj(f);
}

/* f ∘ g (apply g first): a new chain, widths checked. NULL after a located error at `where`. */
#define LIN_ALONE "a linearised network cannot be combined with other networks; combine first, then linearize"

static Network *compose2(Interp *I, const Network *f, const Network *g, const Span *where, const char *who) {
  if (f->lin0 || g->lin0) {
    dlt_error(I, where, "%s: " LIN_ALONE, who);
    return NULL;
  }
  if (!f->any_width && !g->any_width && g->d_out != f->d_in) {
    dlt_error(I, where, "%s: the inner network's output has dimension %zu but the outer network takes dimension %zu", who,
              g->d_out, f->d_in);
    return NULL;
  }
  Network *c = net_alloc();
  c->any_width = f->any_width && g->any_width;
  c->d_in = g->any_width ? f->d_in : g->d_in;
  c->d_out = f->any_width ? g->d_out : f->d_out;
  if (g->any_width && !f->any_width) c->d_in = f->d_in;
  for (size_t i = 0; i < g->nlayers; i++) push_layer(c, layer_share(&g->layers[i]));
  if (g->scale != 1) {
    NetLayer s = layer_blank(LAYER_SCALE);
    s.c = g->scale;
    push_layer(c, s);
  }
  for (size_t i = 0; i < f->nlayers; i++) push_layer(c, layer_share(&f->layers[i]));
  c->scale = f->scale;
  return c;
}

static Value bi_chain(Args *a) {
  if (a->n == 0) return call_error(a, "give at least one layer");
  Network *acc = NULL;
  for (int i = 0; i < a->n; i++) {
    Network *part;
    Value v = a->v[i];
    if (val_is_network(v)) {
      part = as_network(v);
      val_retain(v);
    } else {
      Activation act;
      if (!act_from_value(a, v, arg_span(a, i), 0.01, 2, &act)) {
        if (acc) val_release(v_obj(acc));
        return v_abrupt();
      }
      part = act_network(act);
    }
    if (!acc) {
      acc = part;
      continue;
    }
    Network *c = compose2(a->I, part, acc, arg_span(a, i), "chain");
    val_release(v_obj(part));
    val_release(v_obj(acc));
    if (!c) return v_abrupt();
    acc = c;
  }
  if (acc->meta.param != NETP_EXPLICIT && a->n > 1) acc->meta.param = NETP_EXPLICIT;
  return v_obj(acc);
}

static Value bi_compose(Args *a) {
  Network *f, *g;
  if (!arg_network(a, 0, &f) || !arg_network(a, 1, &g)) return v_abrupt();
  Network *c = compose2(a->I, f, g, a->call, "compose");
  return c ? v_obj(c) : v_abrupt();
}

static Value bi_residual(Args *a) {
  Network *g;
  if (!arg_network(a, 0, &g)) return v_abrupt();
  if (g->lin0) return arg_error(a, 0, LIN_ALONE);
  if (!g->any_width && g->d_in != g->d_out)
    return arg_error(a, 0, "the residual branch must map R^d to R^d, got %zu → %zu", g->d_in, g->d_out);
  Network *f = net_alloc();
  f->d_in = g->d_in;
  f->d_out = g->d_out;
  f->any_width = g->any_width;
  NetLayer l = layer_blank(LAYER_RESIDUAL);
  l.sub = dlt_xmalloc(sizeof *l.sub);
  l.sub[0] = g;
  val_retain(v_obj(g));
  l.nsub = 1;
  push_layer(f, l);
  return v_obj(f);
}

/* ------------------------------------------------------------------ mlp */
typedef enum { INIT_GAUSSIAN, INIT_UNIFORM, INIT_PM1, INIT_CONST, INIT_KAIMING, INIT_XAVIER, INIT_MEASURE } InitKind;

static const char *const init_names[] = {"gaussian", "uniform", "pm1", "const", "kaiming_uniform", "xavier_uniform"};
static const char *const param_names[] = {"standard", "ntk", "mf", "mup"};

/* one stored parameter with variance v under the chosen law */
static double draw(gsl_rng *rng, InitKind k, double v) {
  switch (k) {
  case INIT_GAUSSIAN: return gsl_ran_gaussian(rng, sqrt(v));
  case INIT_UNIFORM: return gsl_ran_flat(rng, -sqrt(3 * v), sqrt(3 * v));
  case INIT_PM1: return gsl_rng_uniform_int(rng, 2) ? sqrt(v) : -sqrt(v);
  case INIT_CONST: return sqrt(v);
  default: return 0;
  }
}

static Value bi_mlp(Args *a) {
  size_t d_in, d_out;
  if (!arg_size(a, 0, &d_in)) return v_abrupt();
  if (!arg_size(a, 2, &d_out)) return v_abrupt();
  if (d_in == 0) return arg_error(a, 0, "the input dimension must be at least 1");
  if (d_out == 0) return arg_error(a, 2, "the output dimension must be at least 1");
  Value wv;
  if (!arg_mat(a, 1, &wv)) return v_abrupt();
  Mat *wm = AS_MAT(wv);
  size_t L = mat_numel(wm);
  if (L > 0 && !mat_is_vector(wm)) {
    val_release(wv);
    return arg_error(a, 1, "the hidden widths must be a vector, e.g. [64, 64]");
  }
  size_t *N = dlt_xmalloc((L + 2) * sizeof *N);
  N[0] = d_in;
  N[L + 1] = d_out;
  for (size_t l = 0; l < L; l++) {
    double w = wm->data[l];
    if (!(w >= 1) || w != floor(w) || w > 1e9) {
      free(N);
      val_release(wv);
      return arg_error(a, 1, "hidden widths must be whole numbers >= 1, width %zu is %s", l + 1, num_text(w).s);
    }
    N[l + 1] = (size_t)w;
  }
  val_release(wv);

  double slope, k, CW, Cb, CW1, gamma = 1;
  int param, init;
  bool bias = true;
  Activation act = {ACT_RELU, 0, v_nil()};
  /* init=μ: a probability measure on R whose draws replace the unit-variance draws */
  const Value *iv = kw_get(a, "init");
  Measure *imeas = iv && val_is_measure(*iv) ? as_measure(*iv) : NULL;
  if (imeas && (imeas->dim != 1 || imeas->is_signed)) {
    free(N);
    return kw_error(a, "init", "init= takes a probability measure on R (one number per weight), got a %s measure on R^%zu",
                    imeas->is_signed ? "signed" : "probability", imeas->dim);
  }
  init = INIT_MEASURE;
  bool ok = act_params(a, &slope, &k) && kw_nonneg(a, "CW", 1, &CW) && kw_nonneg(a, "Cb", 0, &Cb) &&
            kw_nonneg(a, "CW1", CW, &CW1) && kw_choice(a, "param", param_names, 4, "standard", &param) &&
            (imeas || kw_choice(a, "init", init_names, 6, "gaussian", &init)) && kw_num(a, "gamma", &gamma, NULL);
  if (ok && !(gamma > 0 && isfinite(gamma))) {
    kw_error(a, "gamma", "gamma must be a finite number > 0, got %s", num_text(gamma).s);
    ok = false;
  }
  const Value *bv = kw_get(a, "bias");
  if (ok && bv) {
    if (!IS_BOOL(*bv)) {
      kw_error(a, "bias", "bias must be true or false, got a %s", val_type_name(*bv));
      ok = false;
    } else {
      bias = AS_BOOL(*bv);
    }
  }
  const Value *av = kw_get(a, "act");
  if (ok && av && !act_from_value(a, *av, kw_span(a, "act"), slope, k, &act)) ok = false;
  if (ok && (init == INIT_KAIMING || init == INIT_XAVIER) && param != 0) {
    kw_error(a, "init", "init=\"%s\" is the standard-parametrisation law of seed 004 Table 1; use param=\"standard\"",
             init_names[init]);
    ok = false;
  }
  /* the parameter count must fit before drawing anything */
  double P = 0;
  for (size_t l = 1; l <= L + 1; l++) P += (double)N[l] * ((double)N[l - 1] + (bias ? 1 : 0));
  if (ok && !dlt_fits(P, sizeof(double))) {
    dlt_error_oom_items(a->I, a->call, "a network", "parameters", P, sizeof(double));
    ok = false;
  }
  gsl_rng *rng = ok ? args_rng(a) : NULL;
  if (!rng) {
    act_release(&act);
    free(N);
    return v_abrupt();
  }
  Network *f = net_alloc();
  f->d_in = d_in;
  f->d_out = d_out;
  f->meta = (NetMeta){(NetParam)(param + 1), CW, Cb, CW1, gamma, bias, imeas ? "measure" : init_names[init]};
  f->scale = 1 / gamma;
  for (size_t l = 1; l <= L + 1; l++) {
    size_t fin = N[l - 1], fout = N[l];
    double C = l == 1 ? CW1 : CW;
    double var = C / (double)fin, wmult = 1, lr = 1;
    bool out_layer = l == L + 1;
    switch (param) {
    case 1: /* ntk */
      var = 1;
      wmult = sqrt(C / (double)fin);
      break;
    case 2: /* mean field: NTK with a further 1/sqrt(N_L) on the output layer */
      var = 1;
      wmult = sqrt(C / (double)fin) / (out_layer ? sqrt((double)fin) : 1);
      break;
    case 3: /* μP (Tensor Programs IV, abc form with a = (-1/2, 0, ..., 1/2), b = 1/2, c = 0) */
      if (l == 1 && L > 0) {
        var = C / (double)fout;
        wmult = sqrt((double)fout / (double)fin);
      } else if (out_layer && L > 0) {
        wmult = 1 / sqrt((double)fin);
      }
      break;
    default: break;
    }
    NetLayer d = layer_blank(LAYER_DENSE);
    d.wmult = wmult;
    d.lr_mult = lr;
    d.W = mat_alloc(fout, fin);
    d.b = bias ? mat_alloc_zero(fout, 1) : NULL;
    if (!d.W || (bias && !d.b)) {
      if (d.W) val_release(v_obj(d.W));
      if (d.b) val_release(v_obj(d.b));
      val_release(v_obj(f));
      act_release(&act);
      args_rng_done(a, rng);
      free(N);
      return dlt_error_oom(a->I, a->call, fout, fin);
    }
    if (imeas) {
      /* W = sqrt(var)·ξ and b = sqrt(Cb)·ξ with ξ ~ μ, as the named laws are unit laws scaled */
      bool drawn = measure_draw(a, imeas, rng, fout * fin, d.W->data) && (!bias || Cb == 0 || measure_draw(a, imeas, rng, fout, d.b->data));
      if (!drawn) {
        val_release(v_obj(d.W));
        if (d.b) val_release(v_obj(d.b));
        val_release(v_obj(f));
        act_release(&act);
        args_rng_done(a, rng);
        free(N);
        return v_abrupt();
      }
      for (size_t q = 0; q < fout * fin; q++) d.W->data[q] *= sqrt(var);
      if (bias && Cb > 0)
        for (size_t q = 0; q < fout; q++) d.b->data[q] *= sqrt(Cb);
    } else {
      for (size_t q = 0; q < fout * fin; q++) {
        if (init == INIT_KAIMING) d.W->data[q] = gsl_ran_flat(rng, -sqrt(6.0 / (double)fin), sqrt(6.0 / (double)fin));
        else if (init == INIT_XAVIER)
          d.W->data[q] = gsl_ran_flat(rng, -sqrt(6.0 / (double)(fin + fout)), sqrt(6.0 / (double)(fin + fout)));
        else d.W->data[q] = draw(rng, (InitKind)init, var);
      }
      if (bias && Cb > 0 && init != INIT_KAIMING && init != INIT_XAVIER)
        for (size_t q = 0; q < fout; q++) d.b->data[q] = draw(rng, (InitKind)init, Cb);
    }
    push_layer(f, d);
    if (!out_layer) {
      NetLayer al = layer_blank(LAYER_ACT);
      al.act = act;
      val_retain(act.fn);
      push_layer(f, al);
    }
  }
  act_release(&act);
  args_rng_done(a, rng);
  free(N);
  return v_obj(f);
}

/* ------------------------------------------------------------------ arithmetic */
static Network *scaled(const Network *f, double c) {
  Network *g = net_share_copy(f);
  g->scale *= c;
  return g;
}

static Network *sum2(const Network *f, const Network *g, double cg) {
  Network *s = net_alloc();
  s->any_width = f->any_width && g->any_width;
  s->d_in = f->any_width ? g->d_in : f->d_in;
  s->d_out = f->any_width ? g->d_out : f->d_out;
  NetLayer l = layer_blank(LAYER_SUM);
  l.nsub = 2;
  l.sub = dlt_xmalloc(2 * sizeof *l.sub);
  l.sub[0] = (Network *)f;
  val_retain(v_obj(l.sub[0]));
  l.sub[1] = scaled(g, cg);
  push_layer(s, l);
  return s;
}

static double num_of(Value v, bool *ok) {
  *ok = true;
  if (IS_NUM(v)) return AS_NUM(v);
  if (IS_BOOL(v)) return AS_BOOL(v);
  if (IS_MAT(v) && mat_numel(AS_MAT(v)) == 1) return AS_MAT(v)->data[0];
  *ok = false;
  return 0;
}

static const char *net_op_verb(OpCode op) {
  switch (op) {
  case OP_ADD: return "add";
  case OP_SUB: return "subtract";
  case OP_MUL: return "multiply";
  case OP_DIV: return "divide";
  case OP_POW: return "raise";
  case OP_MATMUL: return "compose";
  default: return "combine";
  }
}

static Value net_binop(Interp *I, OpCode op, Value a, Value b, const Span *where) {
  bool na = val_is_network(a), nb = val_is_network(b), ok;
  if (op != OP_EQ && op != OP_NE && ((na && as_network(a)->lin0) || (nb && as_network(b)->lin0)))
    return dlt_error(I, where, LIN_ALONE);
  if (na && nb) {
    Network *f = as_network(a), *g = as_network(b);
    if (op == OP_MATMUL) {
      Network *c = compose2(I, f, g, where, "@");
      return c ? v_obj(c) : v_abrupt();
    }
    if (op == OP_ADD || op == OP_SUB) {
      if (!f->any_width && !g->any_width && (f->d_in != g->d_in || f->d_out != g->d_out))
        return dlt_error(I, where, "cannot %s networks %zu → %zu and %zu → %zu (the dimensions must agree)", net_op_verb(op),
                         f->d_in, f->d_out, g->d_in, g->d_out);
      return v_obj(sum2(f, g, op == OP_SUB ? -1 : 1));
    }
    if (op == OP_EQ || op == OP_NE) return v_bool((a.u.o == b.u.o) == (op == OP_EQ));
    return dlt_error(I, where, "cannot %s two networks (networks support f + g, f - g, c * f, f / c, f @ g and f ^ L)",
                     net_op_verb(op));
  }
  if (op == OP_EQ || op == OP_NE) return v_bool(op == OP_NE);
  Network *f = as_network(na ? a : b);
  Value other = na ? b : a;
  double c = num_of(other, &ok);
  if (ok && (op == OP_MUL || (op == OP_DIV && na))) {
    if (!isfinite(c)) return dlt_error(I, where, "a network's scalar multiple must be finite, got %s", num_text(c).s);
    if (op == OP_DIV && c == 0) return dlt_error(I, where, "cannot divide a network by 0");
    return v_obj(scaled(f, op == OP_DIV ? 1 / c : c));
  }
  if (ok && op == OP_POW && na) {
    if (c != floor(c) || c < 1 || c > 100000)
      return dlt_error(I, where, "a network's power f ^ L needs a whole number L >= 1 (composition L times), got %s",
                       num_text(c).s);
    if (!f->any_width && f->d_in != f->d_out)
      return dlt_error(I, where, "f ^ L composes f with itself, so f must map R^d to R^d, got %zu → %zu", f->d_in, f->d_out);
    Network *acc = f;
    val_retain(v_obj(acc));
    for (long i = 1; i < (long)c; i++) {
      Network *n2 = compose2(I, f, acc, where, "^");
      val_release(v_obj(acc));
      acc = n2;
    }
    return v_obj(acc);
  }
  return dlt_error(I, where, "cannot %s a %s and a %s (networks support f + g, f - g, c * f, f / c, f @ g and f ^ L)",
                   net_op_verb(op), val_type_name(a), val_type_name(b));
}

static Value net_unop(Interp *I, OpCode op, Obj *self, const Span *where) {
  if (op == OP_NEG && ((Network *)self)->lin0) return dlt_error(I, where, LIN_ALONE);
  if (op == OP_NEG) return v_obj(scaled((Network *)self, -1));
  return dlt_error(I, where, "a network does not support this operator");
}

/* ------------------------------------------------------------------ fields */
static Value mat_value_copy(const Mat *m) {
  Mat *c = mat_clone(m);
  return c ? v_obj(c) : v_nil();
}

static const char *const field_names[] = {"d_in", "d_out", "depth", "widths", "W", "b", "a", "act", "param",
                                          "CW", "Cb", "CW1", "gamma", "nparams", "scale"};

static Value net_get_field(Interp *I, Obj *self, const char *name, const Span *where) {
  Network *f = (Network *)self;
  size_t nd = net_dense_layers(f, NULL, 0);
  NetLayer **dl = dlt_xmalloc((nd + 1) * sizeof *dl);
  net_dense_layers(f, dl, nd);
  Value r = v_undef();
  if (strcmp(name, "d_in") == 0) r = v_num((double)f->d_in);
  else if (strcmp(name, "d_out") == 0) r = v_num((double)f->d_out);
  else if (strcmp(name, "depth") == 0) r = v_num((double)nd);
  else if (strcmp(name, "nparams") == 0) r = v_num((double)net_nparams(f));
  else if (strcmp(name, "scale") == 0) r = v_num(f->scale);
  else if (strcmp(name, "widths") == 0) {
    Mat *w = mat_alloc(nd ? nd - 1 : 0, 1);
    if (!w) abort(); /* at most as many entries as the network has layers */
    for (size_t i = 0; i + 1 < nd; i++) w->data[i] = (double)mat_rows(dl[i]->W);
    r = v_obj(w);
  } else if (strcmp(name, "W") == 0 || strcmp(name, "b") == 0) {
    bool isW = name[0] == 'W';
    r = list_new(nd);
    for (size_t i = 0; i < nd; i++) {
      const Mat *m = isW ? dl[i]->W : dl[i]->b;
      list_push(AS_LIST(r), m ? val_retain(v_obj((Obj *)m)) : v_nil());
    }
  } else if (strcmp(name, "a") == 0) {
    if (nd != 2 || f->d_out != 1) {
      r = dlt_error(I, where, "f.a is the output weight vector of a two-layer network with one output; this network has %zu dense layer%s and %zu output%s",
                    nd, nd == 1 ? "" : "s", f->d_out, f->d_out == 1 ? "" : "s");
    } else {
      r = mat_value_copy(dl[1]->W);
      AS_MAT(r)->m.size1 = mat_cols(dl[1]->W);
      AS_MAT(r)->m.size2 = 1;
      AS_MAT(r)->m.tda = 1;
    }
  } else if (strcmp(name, "act") == 0) {
    for (size_t i = 0; i < f->nlayers && IS_UNDEF(r); i++)
      if (f->layers[i].kind == LAYER_ACT) {
        const Activation *act = &f->layers[i].act;
        if (act->kind == ACT_USER) r = val_retain(act->fn);
        else {
          StrBuf b = STRBUF_INIT;
          act_print(&b, act);
          r = str_from(sb_cstr(&b));
          sb_free(&b);
        }
      }
    if (IS_UNDEF(r)) r = v_nil();
  } else if (strcmp(name, "param") == 0) r = str_from(net_param_name(f->meta.param));
  else if (strcmp(name, "CW") == 0) r = v_num(f->meta.CW);
  else if (strcmp(name, "Cb") == 0) r = v_num(f->meta.Cb);
  else if (strcmp(name, "CW1") == 0) r = v_num(f->meta.CW1);
  else if (strcmp(name, "gamma") == 0) r = v_num(f->meta.gamma);
  else {
    const char *s = dlt_suggest(name, field_names, (int)(sizeof field_names / sizeof *field_names));
    r = s ? dlt_error(I, where, "a network has no field '%s'; did you mean '%s'?", name, s)
          : dlt_error(I, where, "a network has no field '%s' (fields: d_in, d_out, depth, widths, W, b, a, act, param, CW, Cb, CW1, gamma, nparams, scale)", name);
  }
  free(dl);
  return r;
}

/* Replace dense layer l's W (isW) or b in f, which the caller owns uniquely. */
static bool set_dense(Interp *I, Network *f, size_t l, Value v, bool isW, const Span *where, const char *who) {
  size_t idx = l;
  NetLayer *d = dense_slot(f, &idx);
  Value m = val_as_mat(I, v, where, isW ? "W" : "b");
  if (IS_ABRUPT(m)) return false;
  Mat *M = AS_MAT(m);
  size_t r = isW ? mat_rows(d->W) : mat_rows(d->W), c = isW ? mat_cols(d->W) : 1;
  bool fits = isW ? (mat_rows(M) == r && mat_cols(M) == c) : (mat_is_vector(M) && mat_numel(M) == r);
  if (!fits) {
    StrBuf s1 = STRBUF_INIT, s2 = STRBUF_INIT;
    fmt_shape(&s1, r, c);
    fmt_shape(&s2, mat_rows(M), mat_cols(M));
    dlt_error(I, where, "%s: layer %zu's %s is %s, got %s", who, l + 1, isW ? "W" : "b", sb_cstr(&s1), sb_cstr(&s2));
    sb_free(&s1);
    sb_free(&s2);
    val_release(m);
    return false;
  }
  if (!isW && !d->b) {
    dlt_error(I, where, "%s: layer %zu has no bias", who, l + 1);
    val_release(m);
    return false;
  }
  for (size_t q = 0; q < mat_numel(M); q++)
    if (!isfinite(M->data[q])) {
      dlt_error(I, where, "%s: layer %zu's %s must be finite, entry %zu is %s", who, l + 1, isW ? "W" : "b", q + 1,
                num_text(M->data[q]).s);
      val_release(m);
      return false;
    }
  Mat *copy = mat_from(r, c, M->data);
  val_release(m);
  if (!copy) {
    dlt_error_oom(I, where, r, c);
    return false;
  }
  if (isW) {
    val_release(v_obj(d->W));
    d->W = copy;
  } else {
    val_release(v_obj(d->b));
    d->b = copy;
  }
  return true;
}

static Value net_set_field(Interp *I, Obj *self, const char *name, Value v, const Span *where) {
  Network *f = (Network *)self;
  size_t nd = net_dense_layers(f, NULL, 0);
  if (strcmp(name, "W") == 0 || strcmp(name, "b") == 0) {
    if (!IS_LIST(v) || AS_LIST(v)->n != nd)
      return dlt_error(I, where, "f.%s = ... needs a list of %zu matrices (one per dense layer), got a %s%s", name, nd,
                       val_type_name(v), IS_LIST(v) ? " of another length" : "");
    for (size_t l = 0; l < nd; l++) {
      Value item = AS_LIST(v)->items[l];
      if (name[0] == 'b' && IS_NIL(item)) continue;
      if (!set_dense(I, f, l, item, name[0] == 'W', where, name[0] == 'W' ? "f.W" : "f.b")) return v_abrupt();
    }
    return v_nil();
  }
  if (strcmp(name, "a") == 0) {
    if (nd != 2 || f->d_out != 1)
      return dlt_error(I, where, "f.a is the output weight vector of a two-layer network with one output; this network has %zu dense layer%s and %zu output%s",
                       nd, nd == 1 ? "" : "s", f->d_out, f->d_out == 1 ? "" : "s");
    Value m = val_as_mat(I, v, where, "a");
    if (IS_ABRUPT(m)) return m;
    Mat *M = AS_MAT(m);
    NetLayer *dl[2];
    net_dense_layers(f, dl, 2);
    size_t N1 = mat_cols(dl[1]->W);
    if (!mat_is_vector(M) || mat_numel(M) != N1) {
      StrBuf s = STRBUF_INIT;
      fmt_shape(&s, mat_rows(M), mat_cols(M));
      Value e = dlt_error(I, where, "f.a: a must be a vector of length %zu, got %s", N1, sb_cstr(&s));
      sb_free(&s);
      val_release(m);
      return e;
    }
    Mat *row = mat_from(1, N1, M->data);
    val_release(m);
    bool ok = set_dense(I, f, 1, v_obj(row), true, where, "f.a");
    val_release(v_obj(row));
    return ok ? v_nil() : v_abrupt();
  }
  return dlt_error(I, where, "cannot set field '%s' of a network (assignable: W, b, a; or use set_weight, set_bias, set_params)",
                   name);
}

/* ------------------------------------------------------------------ builtins on networks */
static bool layer_arg(Args *a, int i, Network *f, size_t *l) {
  size_t nd = net_dense_layers(f, NULL, 0);
  long v;
  if (!arg_int(a, i, &v)) return false;
  if (v < 1 || (size_t)v > nd) {
    arg_error(a, i, "layer %ld does not exist: the network has %zu dense layer%s", v, nd, nd == 1 ? "" : "s");
    return false;
  }
  *l = (size_t)v - 1;
  return true;
}

static Value set_layer_common(Args *a, bool isW) {
  Network *f;
  size_t l;
  if (!arg_network(a, 0, &f) || !layer_arg(a, 1, f, &l)) return v_abrupt();
  Network *c = net_share_copy(f);
  if (!set_dense(a->I, c, l, a->v[2], isW, arg_span(a, 2), a->fname)) {
    val_release(v_obj(c));
    return v_abrupt();
  }
  return v_obj(c);
}

static Value bi_set_weight(Args *a) { return set_layer_common(a, true); }
static Value bi_set_bias(Args *a) { return set_layer_common(a, false); }

static Value bi_nparams(Args *a) {
  Network *f;
  if (!arg_network(a, 0, &f)) return v_abrupt();
  return v_num((double)net_nparams(f));
}

static Value bi_params(Args *a) {
  Network *f;
  if (!arg_network(a, 0, &f)) return v_abrupt();
  size_t P = net_nparams(f);
  Mat *t = mat_alloc(P, 1);
  if (!t) return dlt_error_oom(a->I, a->call, P, 1);
  net_get_params(f, t->data);
  return v_obj(t);
}

static Value bi_set_params(Args *a) {
  Network *f;
  if (!arg_network(a, 0, &f)) return v_abrupt();
  Value tv;
  if (!arg_mat(a, 1, &tv)) return v_abrupt();
  Mat *t = AS_MAT(tv);
  size_t P = net_nparams(f);
  if (!mat_is_vector(t) || mat_numel(t) != P) {
    StrBuf s = STRBUF_INIT;
    fmt_shape(&s, mat_rows(t), mat_cols(t));
    arg_error(a, 1, "the network has %zu parameters, got a %s matrix", P, sb_cstr(&s));
    sb_free(&s);
    val_release(tv);
    return v_abrupt();
  }
  if (!check_finite(a, 1, t, "the parameters")) {
    val_release(tv);
    return v_abrupt();
  }
  Network *g = net_with_params(f, t->data);
  val_release(tv);
  return g ? v_obj(g) : dlt_error_oom(a->I, a->call, P, 1);
}

/* The input derivatives and the layer records of f_lin would need lin0's second derivatives and
 * describe lin0 rather than f_lin; say so instead of answering for the wrong model. */
static bool not_linearised(Args *a, const Network *f) {
  if (!f->lin0) return true;
  arg_error(a, 0, "not available for a linearised network (apply it to the network it linearises)");
  return false;
}

static Value bi_forward(Args *a) {
  Network *f;
  if (!arg_network(a, 0, &f) || !not_linearised(a, f)) return v_abrupt();
  Mat *X;
  bool point;
  if (!net_input(a, 1, f, &X, &point)) return v_abrupt();
  Cache *c = cache_new(f);
  Mat *Y = fwd(a, f, X, c);
  val_release(v_obj(X));
  if (!Y) {
    cache_free(c, f);
    return v_abrupt();
  }
  /* pre[l]: the output of dense layer l; post[l]: the output of the activation right after it
   * (the same matrix when no activation follows) - top-level chain layers only */
  Value pre = list_new(4), post = list_new(4);
  for (size_t i = 0; i < f->nlayers; i++) {
    if (f->layers[i].kind != LAYER_DENSE) continue;
    Mat *z = c->in[i + 1];
    Mat *s = i + 1 < f->nlayers && f->layers[i + 1].kind == LAYER_ACT ? c->in[i + 2] : z;
    list_push(AS_LIST(pre), val_retain(v_obj(z)));
    list_push(AS_LIST(post), val_retain(v_obj(s)));
  }
  cache_free(c, f);
  Value r = record_new();
  record_set(AS_RECORD(r), "out", v_obj(Y));
  record_set(AS_RECORD(r), "pre", pre);
  record_set(AS_RECORD(r), "post", post);
  return r;
}

static bool need_scalar(Args *a, Network *f) {
  if (f->d_out == 1 && !f->any_width) return true;
  if (f->any_width) {
    call_error(a, "needs a network with a fixed input dimension and one output; an activation alone has neither (put it after a dense layer)");
    return false;
  }
  call_error(a, "needs a network with one output, this one has %zu (take a component first)", f->d_out);
  return false;
}

/* grad_params(f, x) and jacobian_params(f, X) */
static Value bi_jac_params(Args *a) {
  bool single = a->data != NULL;
  Network *f;
  if (!arg_network(a, 0, &f) || !need_scalar(a, f)) return v_abrupt();
  Mat *X;
  bool point;
  if (!net_input(a, 1, f, &X, &point)) return v_abrupt();
  size_t n = mat_rows(X), P = net_nparams(f);
  if (single && !point) {
    val_release(v_obj(X));
    return arg_error(a, 1, "takes one point; for a batch use jacobian_params");
  }
  Mat *J = mat_alloc_zero(n, P);
  if (!J) {
    val_release(v_obj(X));
    return dlt_error_oom(a->I, a->call, n, P);
  }
  bool ok = net_backprop(a, f, X, NULL, J, NULL, NULL, NULL);
  val_release(v_obj(X));
  if (!ok) {
    val_release(v_obj(J));
    return v_abrupt();
  }
  if (single) {
    J->m.size1 = P;
    J->m.size2 = 1;
    J->m.tda = 1;
  }
  return v_obj(J);
}

/* grad_input(f, x): ∂f/∂x (a column for a point, n×d_in rows for a batch) */
static Value bi_grad_input(Args *a) {
  Network *f;
  if (!arg_network(a, 0, &f) || !not_linearised(a, f) || !need_scalar(a, f)) return v_abrupt();
  Mat *X;
  bool point;
  if (!net_input(a, 1, f, &X, &point)) return v_abrupt();
  Mat *G = mat_alloc(mat_rows(X), mat_cols(X));
  if (!G) {
    Value e = dlt_error_oom(a->I, a->call, mat_rows(X), mat_cols(X)); /* before X is released */
    val_release(v_obj(X));
    return e;
  }
  bool ok = net_backprop(a, f, X, NULL, NULL, NULL, G, NULL);
  val_release(v_obj(X));
  if (!ok) {
    val_release(v_obj(G));
    return v_abrupt();
  }
  return net_output(G, point);
}

/* jacobian_input(f, x): the d_out×d_in Jacobian at one point, one backward pass per output */
static Value bi_jacobian_input(Args *a) {
  Network *f;
  if (!arg_network(a, 0, &f) || !not_linearised(a, f)) return v_abrupt();
  Mat *X;
  bool point;
  if (!net_input(a, 1, f, &X, &point)) return v_abrupt();
  if (!point) {
    val_release(v_obj(X));
    return arg_error(a, 1, "takes one point (a vector of length %zu)", f->d_in);
  }
  size_t din = mat_cols(X);
  Cache *c = cache_new(f);
  Mat *Y = fwd(a, f, X, c);
  val_release(v_obj(X));
  if (!Y) {
    cache_free(c, f);
    return v_abrupt();
  }
  size_t dout = mat_cols(Y);
  val_release(v_obj(Y));
  Mat *J = mat_alloc(dout, din);
  Mat *D = mat_alloc_zero(1, dout);
  if (!J || !D) {
    if (J) val_release(v_obj(J));
    if (D) val_release(v_obj(D));
    cache_free(c, f);
    return dlt_error_oom(a->I, a->call, dout, din);
  }
  Back bk = {a, NULL, NULL, NULL, NULL};
  for (size_t k = 0; k < dout; k++) {
    memset(D->data, 0, dout * sizeof(double));
    D->data[k] = 1;
    Mat *G = bwd(&bk, f, c, D, 0);
    if (!G) {
      val_release(v_obj(J));
      val_release(v_obj(D));
      cache_free(c, f);
      return v_abrupt();
    }
    memcpy(mat_at(J, k, 0), G->data, din * sizeof(double));
    val_release(v_obj(G));
  }
  val_release(v_obj(D));
  cache_free(c, f);
  return v_obj(J);
}

static const Builtin net_builtins[] = {
  {"mlp", bi_mlp, 3, 3, "act param CW Cb CW1 bias gamma init slope k seed",
   "mlp(d_in, widths, d_out, act=\"relu\", param=\"standard\", CW=1, Cb=0, CW1=CW, bias=true, gamma=1, init=\"gaussian\", slope=0.01, k=2, seed=)",
   "a fully connected network d_in → widths → d_out with random weights in a parametrisation (standard, ntk, mf, mup)", NULL},
  {"dense", bi_dense, 1, 1, "b", "dense(W, b=)", "the affine network x ↦ W x + b with the given out×in matrix W (and bias vector b)", NULL},
  {"activation", bi_activation, 1, 1, "slope k", "activation(a, slope=0.01, k=2)",
   "the elementwise network x ↦ σ(x) for an activation name (\"relu\", \"tanh\", ...) or a function", NULL},
  {"chain", bi_chain, 1, -1, NULL, "chain(layer1, layer2, ...)",
   "the network applying its arguments in order (networks, activation names or functions)", NULL},
  {"compose", bi_compose, 2, 2, NULL, "compose(f, g)", "the network f ∘ g (apply g, then f); also written f @ g", NULL},
  {"residual", bi_residual, 1, 1, NULL, "residual(g)", "the network x ↦ x + g(x)", NULL},
  {"forward", bi_forward, 2, 2, NULL, "forward(f, X)",
   "the record {out, pre, post}: the output and every dense layer's pre-activations and post-activations (n×width each)", NULL},
  {"nparams", bi_nparams, 1, 1, NULL, "nparams(f)", "the number of parameters of a network", NULL},
  {"params", bi_params, 1, 1, NULL, "params(f)", "a network's parameters as one column vector (W row by row, then b, layer by layer)", NULL},
  {"set_params", bi_set_params, 2, 2, NULL, "set_params(f, theta)", "a copy of the network with the parameters theta (in the order of params)", NULL},
  {"set_weight", bi_set_weight, 3, 3, NULL, "set_weight(f, l, W)", "a copy of the network with dense layer l's weight matrix replaced", NULL},
  {"set_bias", bi_set_bias, 3, 3, NULL, "set_bias(f, l, b)", "a copy of the network with dense layer l's bias vector replaced", NULL},
  {"grad_params", bi_jac_params, 2, 2, NULL, "grad_params(f, x)", "the gradient of f(x) in the parameters (a column, in the order of params)", "1"},
  {"jacobian_params", bi_jac_params, 2, 2, NULL, "jacobian_params(f, X)", "the n×P matrix whose row i is the parameter gradient of f(x_i)", NULL},
  {"grad_input", bi_grad_input, 2, 2, NULL, "grad_input(f, x)", "the gradient of f in its input at x (a column; n×d_in rows for a batch)", NULL},
  {"jacobian_input", bi_jacobian_input, 2, 2, NULL, "jacobian_input(f, x)", "the d_out×d_in Jacobian of f in its input at the point x", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_net = {"net", net_builtins};
