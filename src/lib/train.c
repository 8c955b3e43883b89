/* lib/train.c - training a network on data: train(f, X, y, loss=, opt=, ...).
 *
 * The objective is the one of seed 000 (Algorithm 1) and seed 002 Lecture 1,
 *     F(θ) = (1/n) Σ_i ℓ(f(x_i; θ), y_i) + (λ/2) ‖θ_trainable‖²,
 * minimised by gradient descent, mini-batch SGD, heavy-ball momentum, Adam, or gradient flow
 * θ' = −∇F(θ) integrated by GSL's ODE drivers. Frozen dense layers keep their initial values
 * (random-features training). Training a linearised network (linearize(f)) trains the linear
 * model of seed 004 eq. 2.8 with the same code, since only forward and reverse mode are used.
 *
 * The network is copied once into a private, uniquely owned network whose matrices are then
 * updated in place every step; what the user sees (the result, the values given to record
 * functions) are fresh copies, so no DLT value ever changes under the user's feet. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_randist.h>

#include "../arith.h"
#include "../eval.h"
#include "../interp.h"
#include "../print.h"
#include "net.h"
#include "random.h"

typedef enum { LOSS_MSE, LOSS_HALF_MSE, LOSS_L1, LOSS_LOGISTIC, LOSS_HINGE } LossKind;
typedef enum { OPT_GD, OPT_SGD, OPT_MOMENTUM, OPT_ADAM, OPT_FLOW } OptKind;

static const char *const loss_names[] = {"mse", "half_mse", "l1", "logistic", "hinge"};
static const char *const opt_names[] = {"gd", "sgd", "momentum", "adam", "flow"};

/* ------------------------------------------------------------------ losses */
/* ℓ(u, v) and ∂ℓ/∂u for output u and target v. l1 and hinge use the subgradient 0 at their kinks,
 * as relu'(0) = 0 does. */
static double loss_eval(LossKind k, double u, double v, double *d) {
  double r = u - v, m = u * v;
  switch (k) {
  case LOSS_MSE: *d = 2 * r; return r * r;
  case LOSS_HALF_MSE: *d = r; return 0.5 * r * r;
  case LOSS_L1: *d = r > 0 ? 1 : r < 0 ? -1 : 0; return fabs(r);
  case LOSS_LOGISTIC: {
    /* log(1 + e^{−m}) without overflow; its derivative −v/(1 + e^{m}) */
    double l = m > 0 ? log1p(exp(-m)) : -m + log1p(exp(m));
    *d = m > 0 ? -v * exp(-m) / (1 + exp(-m)) : -v / (1 + exp(m));
    return l;
  }
  case LOSS_HINGE: *d = m < 1 ? -v : 0; return m < 1 ? 1 - m : 0;
  }
  *d = 0;
  return 0;
}

/* ------------------------------------------------------------------ recorded quantities */
typedef enum { REC_LOSS, REC_OBJECTIVE, REC_TEST_LOSS, REC_GRAD_NORM, REC_DIST, REC_REL_DIST, REC_LAYER_DIST,
               REC_LAYER_REL_DIST, REC_DRIFT, REC_USER } RecKind;

typedef struct Column {
  char name[40];
  RecKind kind;
  size_t layer; /* REC_LAYER_*: the dense layer (0-based) */
  Value fn;     /* REC_USER: borrowed from the arguments */
  double *data;
} Column;

static const struct {
  const char *name;
  RecKind kind;
} rec_names[] = {
  {"loss", REC_LOSS},         {"objective", REC_OBJECTIVE},        {"test_loss", REC_TEST_LOSS},
  {"grad_norm", REC_GRAD_NORM}, {"dist", REC_DIST},                {"rel_dist", REC_REL_DIST},
  {"layer_dist", REC_LAYER_DIST}, {"layer_rel_dist", REC_LAYER_REL_DIST}, {"drift", REC_DRIFT},
};

/* ------------------------------------------------------------------ the trainer */
typedef struct Trainer {
  Args *a;
  Network *net; /* private and uniquely owned: parameters are written in place */
  size_t P, nd;
  NetLayer **dense; /* the dense layers of net, in θ order */
  size_t *off;      /* their θ offsets */
  double *theta, *theta0, *grad, *rate; /* rate[i]: learning-rate factor, 0 for frozen entries */
  Mat *X, *Y, *Xt, *Yt;                 /* training data, optional test data */
  size_t n;
  LossKind loss;
  OptKind opt;
  double lr, wd, mom, beta1, beta2, eps;
  size_t steps, batch, every;
  gsl_rng *rng;
  size_t *perm, perm_pos; /* SGD: the current epoch's order */
  bool iid;               /* sampling="iid": batch indices drawn with replacement */
  Column *cols;
  size_t ncols, nrec, cap_rec;
  double *steps_col; /* the step (or time, for flow) of each record */
  Mat *K0;           /* drift: the NTK at initialisation */
  double last_loss;  /* full-batch data loss at the current θ, when known (else NAN) */
  bool progress, progress_forced;
  double t_start, t_last_draw;
} Trainer;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void load_params(Trainer *t) {
  for (size_t l = 0; l < t->nd; l++) {
    NetLayer *L = t->dense[l];
    size_t w = mat_numel(L->W);
    memcpy(L->W->data, t->theta + t->off[l], w * sizeof(double));
    if (L->b) memcpy(L->b->data, t->theta + t->off[l] + w, mat_rows(L->b) * sizeof(double));
  }
}

/* Rows idx[0..nb) of M (all rows when idx is NULL: M itself, retained). */
static Mat *rows_of(Args *a, Mat *M, const size_t *idx, size_t nb) {
  if (!idx) {
    val_retain(v_obj(M));
    return M;
  }
  size_t c = mat_cols(M);
  Mat *R = mat_alloc(nb, c);
  if (!R) {
    dlt_error_oom(a->I, a->call, nb, c);
    return NULL;
  }
  for (size_t i = 0; i < nb; i++) memcpy(mat_at(R, i, 0), mat_at(M, idx[i], 0), c * sizeof(double));
  return R;
}

/* Mean data loss of the current network on (X, Y); with g non-NULL also the gradient of the
 * objective (data loss on these rows + weight decay), frozen entries zeroed. */
static bool loss_grad(Trainer *t, Mat *X, Mat *Y, double *loss, double *g) {
  size_t n = mat_rows(X), dout = mat_cols(Y);
  Mat *out;
  NetTape *tape = NULL;
  if (g) {
    tape = net_tape(t->a, t->net, X, &out);
    if (!tape) return false;
  } else {
    out = net_forward(t->a, t->net, X);
    if (!out) return false;
  }
  Mat *D = g ? mat_alloc(n, dout) : NULL;
  if (g && !D) {
    val_release(v_obj(out));
    net_tape_free(tape);
    dlt_error_oom(t->a->I, t->a->call, n, dout);
    return false;
  }
  double sum = 0, inv = n ? 1.0 / (double)n : 0;
  for (size_t i = 0; i < n * dout; i++) {
    double d;
    sum += loss_eval(t->loss, out->data[i], Y->data[i], &d);
    if (D) D->data[i] = d * inv;
  }
  *loss = sum * inv;
  val_release(v_obj(out));
  if (!g) return true;
  memset(g, 0, t->P * sizeof(double));
  bool ok = net_tape_back(tape, D, g, NULL, NULL, NULL, NULL);
  val_release(v_obj(D));
  net_tape_free(tape);
  if (!ok) return false;
  for (size_t i = 0; i < t->P; i++) g[i] = t->rate[i] != 0 ? g[i] + t->wd * t->theta[i] : 0;
  return true;
}

static bool full_grad(Trainer *t, double *g) {
  double l;
  if (!loss_grad(t, t->X, t->Y, &l, g)) return false;
  t->last_loss = l;
  return true;
}

/* the next mini-batch: without replacement within an epoch (sampling="epoch", what PyTorch's
 * DataLoader does), or each index drawn uniformly with replacement (sampling="iid", the textbook
 * SGD of the lecture notes' Algorithm 1) */
static const size_t *next_batch(Trainer *t, size_t *nb) {
  *nb = t->batch;
  if (t->iid) {
    for (size_t i = 0; i < t->batch; i++) t->perm[i] = (size_t)gsl_rng_uniform_int(t->rng, t->n);
    return t->perm;
  }
  if (t->perm_pos + t->batch > t->n || t->perm_pos == 0) {
    for (size_t i = 0; i < t->n; i++) t->perm[i] = i;
    gsl_ran_shuffle(t->rng, t->perm, t->n, sizeof *t->perm);
    t->perm_pos = 0;
  }
  const size_t *idx = t->perm + t->perm_pos;
  t->perm_pos += t->batch;
  if (t->perm_pos >= t->n) t->perm_pos = 0;
  return idx;
}

static bool batch_grad(Trainer *t, double *g) {
  if (t->batch == 0 || (t->batch >= t->n && !t->iid)) return full_grad(t, g);
  size_t nb;
  const size_t *idx = next_batch(t, &nb);
  Mat *Xb = rows_of(t->a, t->X, idx, nb), *Yb = Xb ? rows_of(t->a, t->Y, idx, nb) : NULL;
  double l;
  bool ok = Xb && Yb && loss_grad(t, Xb, Yb, &l, g);
  if (Xb) val_release(v_obj(Xb));
  if (Yb) val_release(v_obj(Yb));
  t->last_loss = NAN;
  return ok;
}

/* ------------------------------------------------------------------ recording */
static double norm_diff(const double *x, const double *y, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
  return sqrt(s);
}

static double norm2(const double *x, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += x[i] * x[i];
  return sqrt(s);
}

static Value user_copy(Trainer *t) {
  Network *g = net_with_params(t->net, t->theta);
  return g ? v_obj(g) : dlt_error_oom(t->a->I, t->a->call, t->P, 1);
}

static bool record_now(Trainer *t, double step) {
  if (t->nrec == t->cap_rec) {
    t->cap_rec = t->cap_rec ? 2 * t->cap_rec : 64;
    t->steps_col = dlt_xrealloc(t->steps_col, t->cap_rec * sizeof(double));
    for (size_t c = 0; c < t->ncols; c++) t->cols[c].data = dlt_xrealloc(t->cols[c].data, t->cap_rec * sizeof(double));
  }
  size_t r = t->nrec;
  t->steps_col[r] = step;
  double *g = NULL;
  for (size_t c = 0; c < t->ncols; c++) {
    Column *col = &t->cols[c];
    double v = NAN;
    switch (col->kind) {
    case REC_LOSS:
    case REC_OBJECTIVE:
      if (isnan(t->last_loss) && !loss_grad(t, t->X, t->Y, &t->last_loss, NULL)) goto fail;
      v = t->last_loss;
      if (col->kind == REC_OBJECTIVE) {
        double s = 0;
        for (size_t i = 0; i < t->P; i++)
          if (t->rate[i] != 0) s += t->theta[i] * t->theta[i];
        v += 0.5 * t->wd * s;
      }
      break;
    case REC_TEST_LOSS:
      if (!loss_grad(t, t->Xt, t->Yt, &v, NULL)) goto fail;
      break;
    case REC_GRAD_NORM:
      if (!g) {
        g = dlt_xmalloc((t->P ? t->P : 1) * sizeof *g);
        if (!full_grad(t, g)) goto fail;
      }
      v = norm2(g, t->P);
      break;
    case REC_DIST: v = norm_diff(t->theta, t->theta0, t->P); break;
    case REC_REL_DIST: v = norm_diff(t->theta, t->theta0, t->P) / norm2(t->theta0, t->P); break;
    case REC_LAYER_DIST:
    case REC_LAYER_REL_DIST: {
      size_t o = t->off[col->layer], w = mat_numel(t->dense[col->layer]->W);
      v = norm_diff(t->theta + o, t->theta0 + o, w);
      if (col->kind == REC_LAYER_REL_DIST) v /= norm2(t->theta0 + o, w);
      break;
    }
    case REC_DRIFT: {
      Mat *K = net_ntk_gram(t->a, t->net, t->X, NULL);
      if (!K) goto fail;
      double num = 0, den = 0;
      for (size_t i = 0; i < mat_numel(K); i++) {
        num += (K->data[i] - t->K0->data[i]) * (K->data[i] - t->K0->data[i]);
        den += t->K0->data[i] * t->K0->data[i];
      }
      val_release(v_obj(K));
      v = sqrt(num / den);
      break;
    }
    case REC_USER: {
      Value arg = user_copy(t);
      if (IS_ABRUPT(arg)) goto fail;
      bool ok = call_num(t->a, col->fn, 1, &arg, &v);
      val_release(arg);
      if (!ok) goto fail;
      break;
    }
    }
    col->data[r] = v;
  }
  free(g);
  t->nrec++;
  return true;
fail:
  free(g);
  return false;
}

/* ------------------------------------------------------------------ progress */
static void progress(Trainer *t, size_t done, bool final) {
  if (!t->progress) return;
  double tn = now();
  if (!final && tn - t->t_last_draw < 0.2 && done > 1) return;
  /* a bar for a run that ends within half a second would only flicker, unless asked for */
  if (!t->progress_forced && tn - t->t_start < 0.5 && !final) return;
  t->t_last_draw = tn;
  if (final) {
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
    return;
  }
  double frac = t->steps ? (double)done / (double)t->steps : 1, el = tn - t->t_start;
  char bar[31];
  size_t fill = (size_t)(frac * 30);
  for (size_t i = 0; i < 30; i++) bar[i] = i < fill ? '#' : '.';
  bar[30] = 0;
  fprintf(stderr, "\r\033[Ktrain [%s] %3.0f%%  step %zu/%zu", bar, 100 * frac, done, t->steps);
  if (!isnan(t->last_loss)) fprintf(stderr, "  loss %.4g", t->last_loss);
  if (frac > 0) fprintf(stderr, "  %.0fs left", el / frac - el);
  fflush(stderr);
}

/* ------------------------------------------------------------------ optimisers */
static bool interrupted(Trainer *t) {
  if (!dlt_interrupted) return false;
  eval_interrupted(t->a->I, t->a->call);
  return true;
}

static bool due(Trainer *t, size_t s) { return s % t->every == 0 || s == t->steps; }

static bool run_discrete(Trainer *t) {
  size_t P = t->P;
  double *m = dlt_xmalloc((P ? P : 1) * sizeof *m), *v = dlt_xmalloc((P ? P : 1) * sizeof *v);
  memset(m, 0, (P ? P : 1) * sizeof *m);
  memset(v, 0, (P ? P : 1) * sizeof *v);
  double b1t = 1, b2t = 1;
  bool ok = record_now(t, 0);
  for (size_t s = 1; ok && s <= t->steps; s++) {
    if (interrupted(t) || !batch_grad(t, t->grad)) {
      ok = false;
      break;
    }
    switch (t->opt) {
    case OPT_GD:
    case OPT_SGD:
      for (size_t i = 0; i < P; i++) t->theta[i] -= t->lr * t->rate[i] * t->grad[i];
      break;
    case OPT_MOMENTUM:
      for (size_t i = 0; i < P; i++) {
        m[i] = t->mom * m[i] + t->grad[i];
        t->theta[i] -= t->lr * t->rate[i] * m[i];
      }
      break;
    case OPT_ADAM:
      b1t *= t->beta1;
      b2t *= t->beta2;
      for (size_t i = 0; i < P; i++) {
        m[i] = t->beta1 * m[i] + (1 - t->beta1) * t->grad[i];
        v[i] = t->beta2 * v[i] + (1 - t->beta2) * t->grad[i] * t->grad[i];
        double mh = m[i] / (1 - b1t), vh = v[i] / (1 - b2t);
        t->theta[i] -= t->lr * t->rate[i] * mh / (sqrt(vh) + t->eps);
      }
      break;
    case OPT_FLOW: break;
    }
    load_params(t);
    t->last_loss = NAN;
    if (due(t, s)) ok = record_now(t, (double)s);
    progress(t, s, false);
  }
  progress(t, t->steps, true);
  free(m);
  free(v);
  return ok;
}

/* gradient flow θ' = −rate ∘ ∇F(θ) */
typedef struct Flow {
  Trainer *t;
  bool failed;
} Flow;

static int flow_rhs(double time, const double y[], double dydt[], void *params) {
  (void)time;
  Flow *fl = params;
  Trainer *t = fl->t;
  if (fl->failed) return GSL_EBADFUNC;
  memcpy(t->theta, y, t->P * sizeof(double));
  load_params(t);
  if (dlt_interrupted || !full_grad(t, dydt)) {
    fl->failed = true;
    return GSL_EBADFUNC;
  }
  for (size_t i = 0; i < t->P; i++) dydt[i] = -t->rate[i] * dydt[i];
  return GSL_SUCCESS;
}

static bool run_flow(Trainer *t, double T, const gsl_odeiv2_step_type *type, double tol) {
  Flow fl = {t, false};
  gsl_odeiv2_system sys = {flow_rhs, NULL, t->P, &fl};
  double h0 = T / (double)(t->steps ? t->steps : 1) / 10;
  gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, type, h0 > 0 ? h0 : 1e-3, tol, tol);
  double *y = dlt_xmalloc((t->P ? t->P : 1) * sizeof *y);
  memcpy(y, t->theta, t->P * sizeof(double));
  bool ok = record_now(t, 0);
  double time = 0;
  for (size_t s = 1; ok && s <= t->steps; s++) {
    double target = T * (double)s / (double)t->steps;
    int st = gsl_odeiv2_driver_apply(d, &time, target, y);
    if (fl.failed || dlt_interrupted) {
      interrupted(t); /* raises the error when Ctrl-C stopped the right-hand side */
      ok = false;
      break;
    }
    if (st != GSL_SUCCESS) {
      call_error(t->a, "gradient flow: the ODE solver stopped at t = %s (%s); try a smaller time=, a smaller tol=, or another method=",
                 num_text(time).s, gsl_strerror(st));
      ok = false;
      break;
    }
    memcpy(t->theta, y, t->P * sizeof(double));
    load_params(t);
    t->last_loss = NAN;
    if (due(t, s)) ok = record_now(t, target);
    progress(t, s, false);
  }
  progress(t, t->steps, true);
  free(y);
  gsl_odeiv2_driver_free(d);
  return ok;
}

/* ------------------------------------------------------------------ arguments */
/* loss=, also spelt "half-mse" for half_mse */
static bool loss_kw(Args *a, int *loss) {
  const Value *v = kw_get(a, "loss");
  if (v && IS_STR(*v) && strcmp(AS_STR(*v)->s, "half-mse") == 0) {
    *loss = LOSS_HALF_MSE;
    return true;
  }
  return kw_choice(a, "loss", loss_names, 5, "mse", loss);
}

static bool pos_kw(Args *a, const char *kw, double dflt, bool allow_zero, double *out) {
  if (!kw_num(a, kw, out, NULL)) return false;
  if (!kw_get(a, kw)) *out = dflt;
  if (!isfinite(*out) || *out < 0 || (!allow_zero && *out == 0)) {
    kw_error(a, kw, "%s must be a finite number %s 0, got %s", kw, allow_zero ? ">=" : ">", num_text(*out).s);
    return false;
  }
  return true;
}

static bool count_kw(Args *a, const char *kw, size_t dflt, size_t max, size_t *out) {
  double v;
  *out = dflt;
  if (!kw_get(a, kw)) return true;
  if (!kw_num(a, kw, &v, NULL)) return false;
  if (!(v >= 0) || v != floor(v) || v > (double)max) {
    kw_error(a, kw, "%s must be a whole number from 0 to %zu, got %s", kw, max, num_text(v).s);
    return false;
  }
  *out = (size_t)v;
  return true;
}

/* data: X (n×d_in; a vector when d_in = 1) and targets (n×d_out; a vector when d_out = 1) */
static Mat *data_matrix(Args *a, Value v, const Span *where, size_t cols, const char *what, const char *who) {
  Value m;
  if (IS_NUM(v)) {
    Mat *M = mat_alloc(1, 1);
    if (!M) return NULL;
    M->data[0] = AS_NUM(v);
    m = v_obj(M);
  } else if (IS_ABRUPT(m = val_as_mat(a->I, v, where, "the data"))) {
    return NULL;
  }
  Mat *M = AS_MAT(m);
  if (cols == 1 && mat_rows(M) == 1 && mat_cols(M) > 1) {
    Mat *T = mat_alloc(mat_cols(M), 1);
    if (!T) {
      val_release(m);
      dlt_error_oom(a->I, where, mat_cols(M), 1);
      return NULL;
    }
    memcpy(T->data, M->data, mat_numel(M) * sizeof(double));
    val_release(m);
    M = T;
  }
  if (mat_cols(M) != cols) {
    dlt_error(a->I, where, "%s: %s must have %zu column%s, got %zu×%zu", who, what, cols, cols == 1 ? "" : "s",
              mat_rows(M), mat_cols(M));
    val_release(v_obj(M));
    return NULL;
  }
  for (size_t i = 0; i < mat_numel(M); i++)
    if (!isfinite(M->data[i])) {
      dlt_error(a->I, where, "%s: %s must be finite, entry %zu is %s", who, what, i + 1, num_text(M->data[i]).s);
      val_release(v_obj(M));
      return NULL;
    }
  return M;
}

static bool add_column(Trainer *t, const char *name, RecKind k, size_t layer, Value fn) {
  for (size_t c = 0; c < t->ncols; c++)
    if (strcmp(t->cols[c].name, name) == 0) return true;
  t->cols = dlt_xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
  Column *col = &t->cols[t->ncols++];
  memset(col, 0, sizeof *col);
  snprintf(col->name, sizeof col->name, "%s", name);
  col->kind = k;
  col->layer = layer;
  col->fn = fn;
  return true;
}

static bool record_item(Trainer *t, Value v, const Span *where, size_t idx) {
  Args *a = t->a;
  if (val_is_callable(v)) {
    char name[40];
    if (IS_CLOSURE(v) && strcmp(((Closure *)v.u.o)->proto->name, "<lambda>") != 0)
      snprintf(name, sizeof name, "%s", ((Closure *)v.u.o)->proto->name);
    else snprintf(name, sizeof name, "user%zu", idx);
    return add_column(t, name, REC_USER, 0, v);
  }
  if (!IS_STR(v)) {
    dlt_error(a->I, where, "train: record= items must be names (\"loss\", \"dist\", ...) or functions of the network, got a %s",
              val_type_name(v));
    return false;
  }
  const char *s = AS_STR(v)->s;
  for (size_t i = 0; i < sizeof rec_names / sizeof *rec_names; i++) {
    if (strcmp(s, rec_names[i].name) != 0) continue;
    RecKind k = rec_names[i].kind;
    if (k == REC_TEST_LOSS && !t->Xt) {
      dlt_error(a->I, where, "train: recording \"test_loss\" needs test data: test=[X_test, y_test]");
      return false;
    }
    if (k == REC_LAYER_DIST || k == REC_LAYER_REL_DIST) {
      for (size_t l = 0; l < t->nd; l++) {
        char name[40];
        snprintf(name, sizeof name, "%s_%zu", k == REC_LAYER_DIST ? "dist" : "rel_dist", l + 1);
        add_column(t, name, k, l, v_nil());
      }
      return true;
    }
    return add_column(t, s, k, 0, v_nil());
  }
  dlt_error(a->I, where, "train: cannot record \"%s\" (record loss, objective, test_loss, grad_norm, dist, rel_dist, "
                         "layer_dist, layer_rel_dist, drift, or a function of the network)",
            s);
  return false;
}

static bool parse_record(Trainer *t) {
  Args *a = t->a;
  const Value *rv = kw_get(a, "record");
  const Span *where = rv ? kw_span(a, "record") : a->call;
  if (!rv) return add_column(t, "loss", REC_LOSS, 0, v_nil());
  if (IS_LIST(*rv)) {
    List *l = AS_LIST(*rv);
    for (size_t i = 0; i < l->n; i++)
      if (!record_item(t, l->items[i], where, i + 1)) return false;
    return true;
  }
  return record_item(t, *rv, where, 1);
}

/* freeze=[l, ...]: dense layers (1-based, θ order) whose parameters stay at their initial values */
static bool parse_freeze(Trainer *t) {
  Args *a = t->a;
  const Value *fv = kw_get(a, "freeze");
  if (!fv) return true;
  Value m;
  m = val_as_mat(a->I, *fv, kw_span(a, "freeze"), "freeze=");
  if (IS_ABRUPT(m)) return false;
  Mat *M = AS_MAT(m);
  for (size_t i = 0; i < mat_numel(M); i++) {
    double l = M->data[i];
    if (!(l >= 1) || l != floor(l) || l > (double)t->nd) {
      kw_error(a, "freeze", "freeze= lists dense layers by number, 1 to %zu here, got %s", t->nd, num_text(l).s);
      val_release(m);
      return false;
    }
    size_t k = (size_t)l - 1, o = t->off[k];
    size_t cnt = mat_numel(t->dense[k]->W) + (t->dense[k]->b ? mat_rows(t->dense[k]->b) : 0);
    for (size_t q = 0; q < cnt; q++) t->rate[o + q] = 0;
  }
  val_release(m);
  return true;
}

static void trainer_free(Trainer *t) {
  if (t->net) val_release(v_obj(t->net));
  free(t->dense);
  free(t->off);
  free(t->theta);
  free(t->theta0);
  free(t->grad);
  free(t->rate);
  free(t->perm);
  for (size_t c = 0; c < t->ncols; c++) free(t->cols[c].data);
  free(t->cols);
  free(t->steps_col);
  if (t->X) val_release(v_obj(t->X));
  if (t->Y) val_release(v_obj(t->Y));
  if (t->Xt) val_release(v_obj(t->Xt));
  if (t->Yt) val_release(v_obj(t->Yt));
  if (t->K0) val_release(v_obj(t->K0));
  if (t->rng) args_rng_done(t->a, t->rng);
}

/* A log column as a vector; sets *ok to false (after the error) when it cannot be allocated. */
static Value column_value(Trainer *t, const double *d, size_t n, bool *ok) {
  Mat *M = *ok ? mat_alloc(n, 1) : NULL;
  if (!M) {
    if (*ok) dlt_error_oom(t->a->I, t->a->call, n, 1);
    *ok = false;
    return v_nil();
  }
  if (n) memcpy(M->data, d, n * sizeof(double));
  return v_obj(M);
}

static Value result(Trainer *t) {
  bool ok = true;
  Value log = record_new();
  record_set(AS_RECORD(log), t->opt == OPT_FLOW ? "t" : "step", column_value(t, t->steps_col, t->nrec, &ok));
  for (size_t c = 0; c < t->ncols; c++)
    record_set(AS_RECORD(log), t->cols[c].name, column_value(t, t->cols[c].data, t->nrec, &ok));
  Value net = ok ? user_copy(t) : v_abrupt();
  if (IS_ABRUPT(net)) {
    val_release(log);
    return v_abrupt();
  }
  Value r = record_new();
  record_set(AS_RECORD(r), "net", net);
  record_set(AS_RECORD(r), "log", log);
  return r;
}

static bool test_data(Trainer *t) {
  Args *a = t->a;
  const Value *tv = kw_get(a, "test");
  if (!tv) return true;
  if (!IS_LIST(*tv) || AS_LIST(*tv)->n != 2) {
    kw_error(a, "test", "test= must be a list [X_test, y_test]");
    return false;
  }
  List *l = AS_LIST(*tv);
  const Span *w = kw_span(a, "test");
  t->Xt = data_matrix(a, l->items[0], w, t->net->d_in, "the test inputs", "train");
  if (!t->Xt) return false;
  t->Yt = data_matrix(a, l->items[1], w, t->net->d_out, "the test targets", "train");
  if (!t->Yt) return false;
  if (mat_rows(t->Xt) != mat_rows(t->Yt)) {
    kw_error(a, "test", "test= has %zu inputs but %zu targets", mat_rows(t->Xt), mat_rows(t->Yt));
    return false;
  }
  return true;
}

static Value bi_train(Args *a) {
  Network *f;
  if (!arg_network(a, 0, &f)) return v_abrupt();
  if (f->any_width) return arg_error(a, 0, "an activation alone has no parameters to train");
  Trainer T, *t = &T;
  memset(t, 0, sizeof T);
  t->a = a;
  t->last_loss = NAN;
  int loss, opt;
  t->X = data_matrix(a, a->v[1], arg_span(a, 1), f->d_in, "the inputs X (one point per row)", "train");
  if (!t->X) return v_abrupt();
  t->Y = data_matrix(a, a->v[2], arg_span(a, 2), f->d_out, "the targets y (one row per point)", "train");
  if (!t->Y) {
    trainer_free(t);
    return v_abrupt();
  }
  t->n = mat_rows(t->X);
  if (mat_rows(t->Y) != t->n) {
    size_t ny = mat_rows(t->Y); /* trainer_free releases Y */
    trainer_free(t);
    return arg_error(a, 2, "%zu inputs but %zu targets", t->n, ny);
  }
  if (t->n == 0) {
    trainer_free(t);
    return arg_error(a, 1, "there is no training data (0 points)");
  }
  double T_end = NAN, tol = 1e-8;
  bool ok = loss_kw(a, &loss) && kw_choice(a, "opt", opt_names, 5, "gd", &opt) &&
            pos_kw(a, "lr", opt == OPT_ADAM ? 1e-3 : 0.1, false, &t->lr) && pos_kw(a, "weight_decay", 0, true, &t->wd) &&
            pos_kw(a, "momentum", 0.9, true, &t->mom) && pos_kw(a, "beta1", 0.9, true, &t->beta1) &&
            pos_kw(a, "beta2", 0.999, true, &t->beta2) && pos_kw(a, "eps", 1e-8, false, &t->eps) &&
            pos_kw(a, "tol", 1e-8, false, &tol) && count_kw(a, "steps", 100, 100000000, &t->steps) &&
            count_kw(a, "batch", 0, t->n, &t->batch) && count_kw(a, "every", 1, 100000000, &t->every);
  if (!ok) {
    trainer_free(t);
    return v_abrupt();
  }
  t->loss = (LossKind)loss;
  t->opt = (OptKind)opt;
  if (t->every == 0) t->every = 1;
  if (t->beta1 >= 1 || t->beta2 >= 1 || t->mom >= 1) {
    const char *kw = t->beta1 >= 1 ? "beta1" : t->beta2 >= 1 ? "beta2" : "momentum";
    trainer_free(t);
    return kw_error(a, kw, "%s must be below 1", kw);
  }
  if (t->opt == OPT_GD && t->batch && t->batch < t->n) {
    trainer_free(t);
    return kw_error(a, "batch", "gd uses the whole training set; for mini-batches use opt=\"sgd\"");
  }
  static const char *const samplings[] = {"epoch", "iid"};
  int sampling;
  if (!kw_choice(a, "sampling", samplings, 2, "epoch", &sampling)) {
    trainer_free(t);
    return v_abrupt();
  }
  t->iid = sampling == 1;
  if (t->iid && t->opt == OPT_GD) {
    trainer_free(t);
    return kw_error(a, "sampling", "sampling= chooses how mini-batches are drawn: use it with opt=\"sgd\"");
  }
  if (t->opt == OPT_SGD && !kw_get(a, "batch")) t->batch = 1;
  if (t->opt == OPT_SGD && t->batch == 0) {
    trainer_free(t);
    return kw_error(a, "batch", "sgd needs a batch size of at least 1");
  }
  const gsl_odeiv2_step_type *flow_type = gsl_odeiv2_step_rkf45;
  if (t->opt == OPT_FLOW) {
    if (!kw_num(a, "time", &T_end, NULL)) {
      trainer_free(t);
      return v_abrupt();
    }
    if (!kw_get(a, "time")) T_end = t->lr * (double)t->steps;
    if (!(T_end > 0) || !isfinite(T_end)) {
      trainer_free(t);
      return kw_error(a, "time", "the flow time must be a finite number > 0, got %s", num_text(T_end).s);
    }
    static const char *const flows[] = {"rk45", "rkck", "rk8pd", "rk2", "rk4", "msadams"};
    static const gsl_odeiv2_step_type *const *types[] = {&gsl_odeiv2_step_rkf45, &gsl_odeiv2_step_rkck, &gsl_odeiv2_step_rk8pd,
                                                         &gsl_odeiv2_step_rk2,   &gsl_odeiv2_step_rk4,  &gsl_odeiv2_step_msadams};
    int m;
    if (!kw_choice(a, "method", flows, 6, "rk45", &m)) {
      trainer_free(t);
      return v_abrupt();
    }
    flow_type = *types[m];
    if (t->steps == 0) t->steps = 1;
  } else if (kw_get(a, "time") || kw_get(a, "method")) {
    const char *kw = kw_get(a, "time") ? "time" : "method";
    trainer_free(t);
    return kw_error(a, kw, "%s= is for gradient flow (opt=\"flow\")", kw);
  }

  t->P = net_nparams(f);
  size_t P1 = t->P ? t->P : 1;
  t->theta = dlt_xmalloc(P1 * sizeof(double));
  t->theta0 = dlt_xmalloc(P1 * sizeof(double));
  t->grad = dlt_xmalloc(P1 * sizeof(double));
  t->rate = dlt_xmalloc(P1 * sizeof(double));
  net_get_params(f, t->theta);
  memcpy(t->theta0, t->theta, t->P * sizeof(double));
  t->net = net_with_params(f, t->theta);
  if (!t->net) {
    trainer_free(t);
    return dlt_error_oom(a->I, a->call, P1, 1);
  }
  t->nd = net_dense_layers(t->net, NULL, 0);
  t->dense = dlt_xmalloc((t->nd + 1) * sizeof *t->dense);
  t->off = dlt_xmalloc((t->nd + 1) * sizeof *t->off);
  net_dense_layers(t->net, t->dense, t->nd);
  for (size_t l = 0, o = 0; l < t->nd; l++) {
    t->off[l] = o;
    size_t cnt = mat_numel(t->dense[l]->W) + (t->dense[l]->b ? mat_rows(t->dense[l]->b) : 0);
    for (size_t q = 0; q < cnt; q++) t->rate[o + q] = t->dense[l]->lr_mult;
    o += cnt;
  }
  if (!parse_freeze(t) || !test_data(t) || !parse_record(t)) {
    trainer_free(t);
    return v_abrupt();
  }
  for (size_t c = 0; c < t->ncols; c++)
    if (t->cols[c].kind == REC_DRIFT && !(t->K0 = net_ntk_gram(a, t->net, t->X, NULL))) {
      trainer_free(t);
      return v_abrupt();
    }
  if (t->opt == OPT_SGD || t->batch) {
    t->rng = args_rng(a);
    if (!t->rng) {
      trainer_free(t);
      return v_abrupt();
    }
    t->perm = dlt_xmalloc(t->n * sizeof *t->perm);
  }
  const Value *pv = kw_get(a, "progress");
  t->progress = pv ? IS_BOOL(*pv) && AS_BOOL(*pv) : isatty(STDERR_FILENO) != 0;
  t->progress_forced = pv && t->progress;
  t->t_start = t->t_last_draw = now();

  ok = t->opt == OPT_FLOW ? run_flow(t, T_end, flow_type, tol) : run_discrete(t);
  Value r = ok ? result(t) : v_abrupt();
  trainer_free(t);
  return r;
}

static const Builtin train_builtins[] = {
  {"train", bi_train, 3, 3,
   "loss opt lr steps batch sampling momentum beta1 beta2 eps weight_decay freeze record every test time method tol seed progress",
   "train(f, X, y, loss=\"mse\", opt=\"gd\", lr=0.1, steps=100, batch=, sampling=\"epoch\", weight_decay=0, freeze=, record=[\"loss\"], every=1, "
   "test=, momentum=0.9, beta1=0.9, beta2=0.999, eps=1e-8, time=, method=\"rk45\", tol=1e-8, seed=, progress=)",
   "train a network on (X, y): the record {net, log} with the trained network and a log of recorded quantities per step", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_train = {"train", train_builtins};
