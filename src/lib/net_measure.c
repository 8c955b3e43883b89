/* lib/net_measure.c - the neuron measure of a two-layer network and the network sampled from a
 * measure: two views of one object (mean field; Maurey sampling, seed 001 §2.4).
 *
 *   neuron_measure(f)           f(x) = s·Σ_j a_j σ(W_j·x + b_j) as the empirical measure μ on
 *                               (a', w', b') ∈ R^(1+d+1) with f(x) = ∫ a σ(w·x + b) dμ exactly;
 *   net_from_measure(mu, m)     the mean-field network (1/m) Σ_j a_j σ(w_j·x + b_j) with m neurons
 *                               drawn i.i.d. from mu.
 *
 * Both build their results through the public builtins (empirical, activation, dense, chain), so
 * the measure and the network are exactly what a user would get by writing them out in DLT.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../builtin.h"
#include "../print.h"
#include "../strbuf.h"
#include "measure.h"
#include "net.h"
#include "random.h"

/* Call another module's builtin from C with the caller's location, so its errors point at the
 * call being evaluated and name it. */
static Value call_builtin(Args *a, const char *name, int n, const Value *argv, Args *like) {
  const Builtin *b = builtin_find(name);
  if (!b) return call_error(a, "the builtin %s is missing from this build", name);
  Args s = like ? *like : (Args){a->I, a->fname, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL, a->call, NULL};
  s.n = n;
  s.v = argv;
  s.data = b->data;
  return b->fn(&s);
}

/* ------------------------------------------------------------------ neuron_measure */
static Value shape_error(Args *a, const Network *f, const char *why) {
  StrBuf b = STRBUF_INIT;
  val_print(&b, v_obj((Obj *)f), PRINT_DISPLAY);
  call_error(a, "needs a two-layer network dense → activation → dense with one output, f(x) = s·aᵀσ(W x + b)%s; got %s",
             why, sb_cstr(&b));
  sb_free(&b);
  return v_abrupt();
}

static bool is_two_layer(const Network *f) {
  return !f->any_width && f->nlayers == 3 && f->layers[0].kind == LAYER_DENSE && f->layers[1].kind == LAYER_ACT &&
         f->layers[2].kind == LAYER_DENSE;
}

/* The constant term s·bmult·b2 of the output layer must vanish: the measure has no place for it. */
static bool output_bias_zero(Args *a, const Network *f) {
  const NetLayer *out = &f->layers[2];
  if (!out->b) return true;
  double c = f->scale * out->bmult * out->b->data[0];
  if (c == 0) return true;
  call_error(a, "the output layer has a bias (the constant %s); the neuron measure represents f(x) = ∫ a σ(w·x + b) "
                "dμ(a, w, b), which has no constant term: build the network without an output bias",
             num_text(c).s);
  return false;
}

/* Row j of the atoms: (m·s·wmult2·a_j, wmult1·W_j, bmult1·b_j), so that the mean over the rows of
 * a σ(w·x + b) is s·wmult2·Σ_j a_j σ(wmult1 W_j·x + bmult1 b_j) = f(x). */
static bool fill_atoms(Args *a, const Network *f, Mat *A) {
  const NetLayer *hid = &f->layers[0], *out = &f->layers[2];
  size_t m = mat_rows(hid->W), d = mat_cols(hid->W);
  double ca = (double)m * f->scale * out->wmult;
  for (size_t j = 0; j < m; j++) {
    double *row = mat_at(A, j, 0);
    row[0] = ca * out->W->data[j];
    for (size_t k = 0; k < d; k++) row[1 + k] = hid->wmult * *mat_at(hid->W, j, k);
    row[d + 1] = hid->b ? hid->bmult * hid->b->data[j] : 0;
    for (size_t k = 0; k < d + 2; k++)
      if (!isfinite(row[k])) {
        call_error(a, "the atom of neuron %zu is not finite (coordinate %zu is %s): the parameters times the "
                      "multipliers overflow",
                   j + 1, k + 1, num_text(row[k]).s);
        return false;
      }
  }
  return true;
}

static Value bi_neuron_measure(Args *a) {
  Network *f;
  if (!arg_network(a, 0, &f)) return v_abrupt();
  if (f->lin0)
    return shape_error(a, f, " (a linearised network is not one: take the measure of the network it linearises)");
  if (!is_two_layer(f)) return shape_error(a, f, "");
  if (f->d_out != 1) {
    char why[96];
    snprintf(why, sizeof why, " (this one has %zu outputs, and the output weight a is a number)", f->d_out);
    return shape_error(a, f, why);
  }
  if (!output_bias_zero(a, f)) return v_abrupt();
  size_t m = mat_rows(f->layers[0].W), d = mat_cols(f->layers[0].W);
  if (m == 0) return call_error(a, "the hidden layer has width 0: a network without neurons has no neuron measure");
  Mat *A = mat_alloc(m, d + 2);
  if (!A) return dlt_error_oom(a->I, a->call, m, d + 2);
  if (!fill_atoms(a, f, A)) {
    val_release(v_obj(A));
    return v_abrupt();
  }
  /* one neuron is a point mass (empirical() would read a 1×(d+2) row as d+2 samples on the line) */
  Value av = v_obj(A);
  Value mu = call_builtin(a, m == 1 ? "dirac" : "empirical", 1, &av, NULL);
  val_release(av);
  return mu;
}

/* ------------------------------------------------------------------ net_from_measure */
static int kw_index(Args *a, const char *name) {
  for (int k = 0; k < a->nkw; k++)
    if (strcmp(a->kwnames[k], name) == 0) return k;
  return -1;
}

/* act= as an activation-only network: an activation(...) value as it is, anything else through
 * the activation builtin (names, builtins, user functions, slope= and k=), whose errors then point
 * at act= and name net_from_measure. */
static Value act_network(Args *a) {
  int k = kw_index(a, "act");
  if (k >= 0 && val_is_network(a->kw[k])) {
    const Network *g = as_network(a->kw[k]);
    if (g->any_width && g->nlayers == 1 && g->layers[0].kind == LAYER_ACT && g->scale == 1)
      return val_retain(a->kw[k]);
    StrBuf b = STRBUF_INIT;
    val_print(&b, a->kw[k], PRINT_DISPLAY);
    kw_error(a, "act", "act must be an activation (a name, a function or activation(...)), got %s", sb_cstr(&b));
    sb_free(&b);
    return v_abrupt();
  }
  Args s = *a;
  s.argnodes = k >= 0 && a->kwnodes ? &a->kwnodes[k] : NULL;
  Value name = str_from("relu");
  Value r = call_builtin(a, "activation", 1, k >= 0 ? &a->kw[k] : &name, &s);
  val_release(name);
  return r;
}

static bool bias_kw(Args *a, bool *bias) {
  *bias = true;
  const Value *v = kw_get(a, "bias");
  if (!v) return true;
  if (!IS_BOOL(*v)) {
    kw_error(a, "bias", "bias must be true or false, got a %s", val_type_name(*v));
    return false;
  }
  *bias = AS_BOOL(*v);
  return true;
}

/* m i.i.d. rows of mu into a new m×dim matrix, every entry finite; NULL after an error. */
static Mat *draw_neurons(Args *a, const Measure *mu, size_t m) {
  Mat *Z = mat_alloc(m, mu->dim);
  if (!Z) {
    dlt_error_oom(a->I, a->call, m, mu->dim);
    return NULL;
  }
  gsl_rng *rng = args_rng(a);
  bool ok = rng && measure_draw(a, mu, rng, m, Z->data);
  if (rng) args_rng_done(a, rng);
  for (size_t q = 0; ok && q < mat_numel(Z); q++)
    if (!isfinite(Z->data[q])) {
      call_error(a, "draw %zu from the measure is not finite (coordinate %zu is %s)", q / mu->dim + 1,
                 q % mu->dim + 1, num_text(Z->data[q]).s);
      ok = false;
    }
  if (!ok) {
    val_release(v_obj(Z));
    return NULL;
  }
  return Z;
}

/* Split the rows (a_j, w_j, b_j) into dense(W, b=b) and dense(aᵀ); NULL-free values or abrupt. */
static bool split_layers(Args *a, const Mat *Z, bool bias, Value *hid, Value *out) {
  size_t m = mat_rows(Z), dim = mat_cols(Z), d = dim - 1 - (bias ? 1 : 0);
  Mat *W = mat_alloc(m, d), *b = bias ? mat_alloc(m, 1) : NULL, *A = mat_alloc(1, m);
  if (!W || !A || (bias && !b)) {
    if (W) val_release(v_obj(W));
    if (b) val_release(v_obj(b));
    if (A) val_release(v_obj(A));
    dlt_error_oom(a->I, a->call, m, d);
    return false;
  }
  for (size_t j = 0; j < m; j++) {
    const double *row = Z->data + j * Z->m.tda;
    A->data[j] = row[0];
    memcpy(mat_at(W, j, 0), row + 1, d * sizeof(double));
    if (bias) b->data[j] = row[d + 1];
  }
  static const char *const bname[] = {"b"};
  Value wv = v_obj(W), bv = b ? v_obj(b) : v_nil(), av = v_obj(A);
  Args s = {a->I, a->fname, 0, NULL, NULL, bias ? 1 : 0, bname, &bv, NULL, NULL, a->call, NULL};
  *hid = call_builtin(a, "dense", 1, &wv, &s);
  *out = IS_ABRUPT(*hid) ? v_abrupt() : call_builtin(a, "dense", 1, &av, NULL);
  val_release(wv);
  val_release(bv);
  val_release(av);
  if (IS_ABRUPT(*out)) {
    val_release(*hid);
    return false;
  }
  return true;
}

static Value bi_net_from_measure(Args *a) {
  Measure *mu;
  size_t m;
  bool bias;
  if (!arg_measure(a, 0, &mu) || !arg_size(a, 1, &m) || !bias_kw(a, &bias)) return v_abrupt();
  if (m == 0) return arg_error(a, 1, "the width m must be at least 1, got 0");
  size_t need = bias ? 3 : 2;
  if (mu->dim < need)
    return arg_error(a, 0, "with bias=%s the measure must be on R^(d+%d), points %s with a ∈ R, w ∈ R^d%s and d >= 1; "
                     "got one on R^%zu",
                     bias ? "true" : "false", bias ? 2 : 1, bias ? "(a, w, b)" : "(a, w)", bias ? ", b ∈ R" : "", mu->dim);
  Value act = act_network(a);
  if (IS_ABRUPT(act)) return act;
  Mat *Z = draw_neurons(a, mu, m);
  Value parts[3] = {v_nil(), act, v_nil()};
  bool ok = Z && split_layers(a, Z, bias, &parts[0], &parts[2]);
  if (Z) val_release(v_obj(Z));
  Value f = ok ? call_builtin(a, "chain", 3, parts, NULL) : v_abrupt();
  for (int i = 0; i < 3; i++) val_release(parts[i]);
  /* the mean-field normalisation as the output multiplier: f.a are the drawn a_j themselves */
  if (!IS_ABRUPT(f)) as_network(f)->scale = 1.0 / (double)m;
  return f;
}

static const Builtin net_measure_builtins[] = {
  {"neuron_measure", bi_neuron_measure, 1, 1, NULL, "neuron_measure(f)",
   "the empirical measure on (a, w, b) ∈ R^(1+d+1), 1/m on each neuron, with f(x) = ∫ a σ(w·x + b) dμ for a two-layer network f",
   NULL},
  {"net_from_measure", bi_net_from_measure, 2, 2, "act bias slope k seed",
   "net_from_measure(mu, m, act=\"relu\", bias=true, slope=0.01, k=2, seed=)",
   "the mean-field network (1/m) Σ_j a_j σ(w_j·x + b_j) with m neurons (a_j, w_j, b_j) drawn i.i.d. from the measure mu",
   NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_net_measure = {"net_measure", net_measure_builtins};
