/* lib/net_linear.c - the linearised network of seed 004 eq. 2.8 / seed 003 eq. 2.1.5,
 *     f_lin(x; θ) = f(x; θ0) + ⟨∇_θ f(x; θ0), θ − θ0⟩,
 * and the forward-mode pass (value and θ-tangent together) that evaluates it without forming the
 * n×P Jacobian. A linearised network is an ordinary network value whose lin0 field holds the
 * network at θ0 (net.h), so training, kernels and parameter access work on it unchanged. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>

#include "net.h"

typedef struct Pair {
  Mat *v, *t; /* value and tangent, n×width each (owned) */
} Pair;

static void pair_free(Pair *p) {
  if (p->v) val_release(v_obj(p->v));
  if (p->t) val_release(v_obj(p->t));
  p->v = p->t = NULL;
}

static bool jvp_chain(Args *a, const Network *f, Pair *x, const double *dtheta, size_t *pos);

static bool alloc2(Args *a, size_t n, size_t d, Pair *out) {
  out->v = mat_alloc_zero(n, d);
  out->t = mat_alloc_zero(n, d);
  if (out->v && out->t) return true;
  pair_free(out);
  dlt_error_oom(a->I, a->call, n, d);
  return false;
}

/* z = wm·x Wᵀ + bm·b, dz = wm·(dx Wᵀ + x dWᵀ) + bm·db, with dW, db read from dtheta at *pos */
static bool jvp_dense(Args *a, const NetLayer *l, Pair *x, const double *dtheta, size_t *pos, Pair *out) {
  size_t n = mat_rows(x->v), in = mat_cols(l->W), o = mat_rows(l->W);
  if (!alloc2(a, n, o, out)) return false;
  gsl_matrix_const_view dW = gsl_matrix_const_view_array(dtheta + *pos, o, in);
  if (n && o && in) {
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, l->wmult, &x->v->m, &l->W->m, 0.0, &out->v->m);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, l->wmult, &x->t->m, &l->W->m, 0.0, &out->t->m);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, l->wmult, &x->v->m, &dW.matrix, 1.0, &out->t->m);
  }
  *pos += o * in;
  if (l->b) {
    const double *db = dtheta + *pos;
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < o; j++) {
        *mat_at(out->v, i, j) += l->bmult * l->b->data[j];
        *mat_at(out->t, i, j) += l->bmult * db[j];
      }
    *pos += o;
  }
  return true;
}

static bool jvp_layer(Args *a, const NetLayer *l, Pair *x, const double *dtheta, size_t *pos, Pair *out) {
  size_t n = mat_rows(x->v), d = mat_cols(x->v);
  switch (l->kind) {
  case LAYER_DENSE: return jvp_dense(a, l, x, dtheta, pos, out);
  case LAYER_ACT:
    if (!alloc2(a, n, d, out)) return false;
    for (size_t i = 0; i < n * d; i++) {
      double s, ds;
      if (!act_eval(a, &l->act, x->v->data[i], &s, &ds, NULL)) {
        pair_free(out);
        return false;
      }
      out->v->data[i] = s;
      out->t->data[i] = ds * x->t->data[i];
    }
    return true;
  case LAYER_SCALE:
    if (!alloc2(a, n, d, out)) return false;
    for (size_t i = 0; i < n * d; i++) {
      out->v->data[i] = l->c * x->v->data[i];
      out->t->data[i] = l->c * x->t->data[i];
    }
    return true;
  case LAYER_RESIDUAL:
  case LAYER_SUM: {
    bool first = true;
    if (l->kind == LAYER_RESIDUAL) {
      out->v = mat_clone(x->v);
      out->t = mat_clone(x->t);
      if (!out->v || !out->t) {
        pair_free(out);
        dlt_error_oom(a->I, a->call, n, d);
        return false;
      }
      first = false;
    }
    for (size_t k = 0; k < l->nsub; k++) {
      Pair g = {mat_clone(x->v), mat_clone(x->t)};
      if (!g.v || !g.t) {
        pair_free(&g);
        pair_free(out);
        dlt_error_oom(a->I, a->call, n, d);
        return false;
      }
      if (!jvp_chain(a, l->sub[k], &g, dtheta, pos)) {
        pair_free(out);
        return false;
      }
      if (first) {
        *out = g;
        first = false;
        continue;
      }
      for (size_t i = 0; i < mat_numel(out->v); i++) {
        out->v->data[i] += g.v->data[i];
        out->t->data[i] += g.t->data[i];
      }
      pair_free(&g);
    }
    return true;
  }
  }
  return false;
}

/* x (owned by the caller, replaced in place) runs through f's layers and output scale */
static bool jvp_chain(Args *a, const Network *f, Pair *x, const double *dtheta, size_t *pos) {
  for (size_t i = 0; i < f->nlayers; i++) {
    Pair next = {NULL, NULL};
    bool ok = jvp_layer(a, &f->layers[i], x, dtheta, pos, &next);
    pair_free(x);
    if (!ok) return false;
    *x = next;
  }
  if (f->scale != 1)
    for (size_t i = 0; i < mat_numel(x->v); i++) {
      x->v->data[i] *= f->scale;
      x->t->data[i] *= f->scale;
    }
  return true;
}

bool net_jvp(Args *a, const Network *f, Mat *X, const double *dtheta, Mat **Y, Mat **dY) {
  Pair x = {mat_clone(X), mat_alloc_zero(mat_rows(X), mat_cols(X))};
  if (!x.v || !x.t) {
    pair_free(&x);
    dlt_error_oom(a->I, a->call, mat_rows(X), mat_cols(X));
    return false;
  }
  size_t pos = 0;
  if (!jvp_chain(a, f, &x, dtheta, &pos)) return false;
  *Y = x.v;
  *dY = x.t;
  return true;
}

/* ------------------------------------------------------------------ builtins */
static Value bi_linearize(Args *a) {
  Network *f;
  if (!arg_network(a, 0, &f)) return v_abrupt();
  if (f->any_width)
    return arg_error(a, 0, "needs a network with fixed dimensions; an activation alone has no parameters to linearise in");
  /* f_lin is already linear in θ: its linearisation around any θ is itself */
  if (f->lin0) return val_retain(a->v[0]);
  Network *lin = net_copy(f);
  lin->lin0 = f;
  val_retain(v_obj(f));
  return v_obj(lin);
}

static Value bi_linearized_at(Args *a) {
  Network *f;
  if (!arg_network(a, 0, &f)) return v_abrupt();
  if (!f->lin0) return arg_error(a, 0, "the argument is not a linearised network (make one with linearize(f))");
  return val_retain(v_obj(f->lin0));
}

static const Builtin net_linear_builtins[] = {
  {"linearize", bi_linearize, 1, 1, NULL, "linearize(f)",
   "the linearised network x ↦ f(x; θ0) + ∇_θ f(x; θ0)·(θ − θ0) around f's current parameters θ0 (trainable like f)", NULL},
  {"linearized_at", bi_linearized_at, 1, 1, NULL, "linearized_at(g)", "the network g = linearize(f) was linearised around (f at θ0)", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_net_linear = {"net_linear", net_linear_builtins};
