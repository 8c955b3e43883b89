/* lib/pwl.c - the exact piecewise-affine form of a network R → R built from dense layers and
 * piecewise-linear activations (relu, leaky_relu, abs, step, identity), residual blocks, sums and
 * scalar multiples, and exact integrals and norms of it (docs/library/piecewise-linear.md).
 *
 * A partition a = x0 < … < xk = b of [a, b] is carried through the network together with the
 * affine form s·x + c of every unit on every piece. Dense layers act on the forms (one dgemm for
 * the slopes, one for the intercepts); an activation cuts a piece where a unit's pre-activation
 * crosses 0 (at −c/s) and replaces each unit by the affine branch it is on; sums and residual
 * blocks add forms over the common refinement of their terms' partitions. After every layer,
 * adjacent pieces whose forms agree are merged, so the final partition is made of MAXIMAL affine
 * pieces: their number is Telgarsky's N_A on [a, b] (seed 001, C33).
 *
 * Everything is double-precision arithmetic on exact formulas: no sampling, no quadrature. For
 * networks with dyadic weights (the triangle map Δ and the squaring nets h_i of seed 001 §4.1)
 * every knot, slope and intercept is a dyadic rational that doubles hold exactly.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_poly.h>
#include <gsl/gsl_sort.h>

#include "../builtin.h"
#include "../eval.h"
#include "../interp.h"
#include "../print.h"
#include "calculus.h"
#include "net.h"

/* Adjacent forms are the same affine map when slopes and values at the shared knot agree to MERGE_RTOL
 * relative, or to MERGE_ATOL of the unit's largest slope/value on [a, b] (a rounding-level change
 * next to much larger ones). */
#define MERGE_RTOL 1e-12
#define MERGE_ATOL 1e-14
/* Two cuts closer than SNAP_ULPS ulps of max(|a|, |b|) are one: double precision cannot place a
 * knot more finely, and a root computed a rounding error away from an existing knot is that knot. */
#define SNAP_ULPS 8
/* f − level is taken as 0 at a point when it is below ZERO_RTOL of the magnitudes it is made of. */
#define ZERO_RTOL 1e-12
/* minus= polynomials: at most this many coefficients (the per-piece work is quadratic in it, and
 * monomial coefficients of higher degree mean nothing in double precision). */
#define MAX_COEFFS 32
/* max_pieces= by default: Δ^22 (under a second); memory and time grow linearly with the pieces. */
#define DEFAULT_MAX_PIECES ((size_t)1 << 22)

/* ------------------------------------------------------------------ piecewise-affine vectors */
typedef struct PW {
  size_t k, d, cap; /* pieces, units (width), allocated pieces */
  double *x;        /* k+1 knots: piece j is [x[j], x[j+1]] */
  double *s, *c;    /* k×d slopes and intercepts: unit i on piece j is s[j d + i]·x + c[j d + i] */
} PW;

static void pw_free(PW *p) {
  free(p->x);
  free(p->s);
  free(p->c);
  p->x = p->s = p->c = NULL;
  p->k = p->cap = 0;
}

static double pw_piece_bytes(size_t d) { return (2.0 * (double)d + 1) * sizeof(double); }

static bool pw_oom(Args *a, double pieces, size_t d) {
  dlt_error_oom_items(a->I, a->call, "a piecewise-linear function", "pieces", pieces, pw_piece_bytes(d));
  return false;
}

/* Room for cap pieces of width d; x[0] = x0. */
static bool pw_init(Args *a, PW *p, size_t d, size_t cap, double x0) {
  memset(p, 0, sizeof *p);
  p->d = d;
  if (cap < 1) cap = 1;
  if (!dlt_fits((double)cap, pw_piece_bytes(d))) return pw_oom(a, (double)cap, d);
  p->x = malloc((cap + 1) * sizeof(double));
  p->s = malloc(cap * (d ? d : 1) * sizeof(double));
  p->c = malloc(cap * (d ? d : 1) * sizeof(double));
  if (!p->x || !p->s || !p->c) {
    pw_free(p);
    return pw_oom(a, (double)cap, d);
  }
  p->cap = cap;
  p->x[0] = x0;
  return true;
}

static bool pw_reserve(Args *a, PW *p, size_t need) {
  if (need <= p->cap) return true;
  size_t cap = p->cap * 2 > need ? p->cap * 2 : need;
  if (!dlt_fits((double)cap, pw_piece_bytes(p->d))) return pw_oom(a, (double)cap, p->d);
  size_t dd = p->d ? p->d : 1;
  double *x = realloc(p->x, (cap + 1) * sizeof(double));
  if (x) p->x = x;
  double *s = x ? realloc(p->s, cap * dd * sizeof(double)) : NULL;
  if (s) p->s = s;
  double *c = s ? realloc(p->c, cap * dd * sizeof(double)) : NULL;
  if (c) p->c = c;
  if (!c) return pw_oom(a, (double)cap, p->d);
  p->cap = cap;
  return true;
}

static bool pw_copy(Args *a, const PW *in, PW *out) {
  if (!pw_init(a, out, in->d, in->k, in->x[0])) return false;
  out->k = in->k;
  memcpy(out->x, in->x, (in->k + 1) * sizeof(double));
  memcpy(out->s, in->s, in->k * in->d * sizeof(double));
  memcpy(out->c, in->c, in->k * in->d * sizeof(double));
  return true;
}

static void pw_scale(PW *p, double c) {
  for (size_t i = 0; i < p->k * p->d; i++) {
    p->s[i] *= c;
    p->c[i] *= c;
  }
}

static bool pw_finite(const PW *p) {
  for (size_t i = 0; i < p->k * p->d; i++)
    if (!isfinite(p->s[i]) || !isfinite(p->c[i])) return false;
  return true;
}

static inline double max2(double x, double y) { return x > y ? x : y; }

static bool same_form(double s1, double c1, double s2, double c2, double x, double S, double V) {
  if (!(fabs(s1 - s2) <= MERGE_RTOL * max2(fabs(s1), fabs(s2)) + MERGE_ATOL * S)) return false;
  double v1 = s1 * x + c1, v2 = s2 * x + c2;
  double mag = max2(max2(fabs(v1), fabs(v2)), max2(fabs(s1 * x), fabs(s2 * x)));
  return fabs(v1 - v2) <= MERGE_RTOL * mag + MERGE_ATOL * V;
}

/* Raise S[i], V[i] to unit i's largest |slope| and |value at a knot| on p. */
static void pw_scales(const PW *p, double *S, double *V) {
  size_t d = p->d;
  for (size_t j = 0; j < p->k; j++)
    for (size_t i = 0; i < d; i++) {
      double s = p->s[j * d + i], c = p->c[j * d + i];
      S[i] = max2(S[i], fabs(s));
      V[i] = max2(V[i], max2(fabs(s * p->x[j] + c), fabs(s * p->x[j + 1] + c)));
    }
}

/* Merge adjacent pieces on which every unit has the same affine form (in place). S and V (d each)
 * hold the scales for the absolute part of the test: at least the units' own, more after a sum
 * (the terms' scales, so that rounding noise left by a cancellation is not taken for kinks). */
static void pw_merge(PW *p, double *S, double *V) {
  size_t d = p->d, w = 0;
  if (p->k < 2 || d == 0) {
    if (d == 0 && p->k > 1) {
      p->x[1] = p->x[p->k];
      p->k = 1;
    }
    return;
  }
  pw_scales(p, S, V);
  for (size_t j = 1; j < p->k; j++) {
    bool same = true;
    for (size_t i = 0; i < d && same; i++)
      same = same_form(p->s[w * d + i], p->c[w * d + i], p->s[j * d + i], p->c[j * d + i], p->x[j], S[i], V[i]);
    if (!same) {
      w++;
      if (w != j) {
        memcpy(p->s + w * d, p->s + j * d, d * sizeof(double));
        memcpy(p->c + w * d, p->c + j * d, d * sizeof(double));
      }
    }
    p->x[w + 1] = p->x[j + 1];
  }
  p->k = w + 1;
}

/* ------------------------------------------------------------------ propagation through layers */
typedef struct Engine {
  Args *a;
  double snap;       /* knots closer than this are one */
  size_t max_pieces; /* max_pieces=: no partition, final or intermediate, may have more */
  double hi;
  double *scratch; /* 2·(largest width) doubles */
  size_t nscratch;
} Engine;

static bool eng_scratch(Engine *e, size_t d) {
  if (2 * d <= e->nscratch) return true;
  double *s = realloc(e->scratch, 2 * d * sizeof(double) + 1);
  if (!s) return pw_oom(e->a, 1, d);
  e->scratch = s;
  e->nscratch = 2 * d;
  return true;
}

static bool prop_net(Engine *e, const Network *f, const PW *in, PW *out);

/* Room for one more piece in out, within max_pieces=. */
static bool eng_room(Engine *e, PW *out) {
  if (out->k + 1 > e->max_pieces) {
    call_error(e->a,
               "more than %zu affine pieces on [%s, %s] (in the final or an intermediate layer): raise max_pieces= to go "
               "further", e->max_pieces, num_text(out->x[0]).s, num_text(e->hi).s);
    return false;
  }
  return pw_reserve(e->a, out, out->k + 1);
}

static bool dense_layer(Engine *e, const NetLayer *l, const PW *in, PW *out) {
  size_t dout = mat_rows(l->W), din = mat_cols(l->W), k = in->k;
  if (din != in->d) {
    call_error(e->a, "the network's layers do not fit: a dense layer takes width %zu, got %zu", din, in->d);
    return false;
  }
  if (!pw_init(e->a, out, dout, k, in->x[0])) return false;
  out->k = k;
  memcpy(out->x, in->x, (k + 1) * sizeof(double));
  if (dout == 0) return true;
  if (din == 0) {
    memset(out->s, 0, k * dout * sizeof(double));
    memset(out->c, 0, k * dout * sizeof(double));
  } else {
    gsl_matrix_const_view S = gsl_matrix_const_view_array(in->s, k, din);
    gsl_matrix_const_view C = gsl_matrix_const_view_array(in->c, k, din);
    gsl_matrix_view So = gsl_matrix_view_array(out->s, k, dout), Co = gsl_matrix_view_array(out->c, k, dout);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, l->wmult, &S.matrix, &l->W->m, 0.0, &So.matrix);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, l->wmult, &C.matrix, &l->W->m, 0.0, &Co.matrix);
  }
  if (l->b)
    for (size_t j = 0; j < k; j++)
      for (size_t o = 0; o < dout; o++) out->c[j * dout + o] += l->bmult * l->b->data[o];
  return true;
}

/* The affine branch of σ that unit (s, c) is on, judged by its value z inside the piece. */
static void act_branch(const Activation *act, double z, double *s, double *c) {
  switch (act->kind) {
  case ACT_STEP:
    *s = 0;
    *c = z > 0;
    return;
  case ACT_LEAKY_RELU:
    if (!(z > 0)) {
      *s *= act->p;
      *c *= act->p;
    }
    return;
  case ACT_ABS:
    if (z < 0) {
      *s = -*s;
      *c = -*c;
    }
    return;
  case ACT_IDENTITY: return;
  default: /* relu, and relu_pow with k = 1 */
    if (!(z > 0)) *s = *c = 0;
    return;
  }
}

static bool push_branches(Engine *e, const Activation *act, const PW *in, size_t j, double u, double v, PW *out) {
  size_t d = in->d;
  if (!eng_room(e, out)) return false;
  double m = u + (v - u) / 2;
  const double *s = in->s + j * d, *c = in->c + j * d;
  double *so = out->s + out->k * d, *co = out->c + out->k * d;
  for (size_t i = 0; i < d; i++) {
    so[i] = s[i];
    co[i] = c[i];
    act_branch(act, s[i] * m + c[i], &so[i], &co[i]);
  }
  out->k++;
  out->x[out->k] = v;
  return true;
}

static bool act_layer(Engine *e, const Activation *act, const PW *in, PW *out) {
  size_t d = in->d;
  if (act->kind == ACT_IDENTITY) return pw_copy(e->a, in, out);
  if (!pw_init(e->a, out, d, 2 * in->k + 8, in->x[0])) return false;
  double *r = e->scratch; /* at most d roots per piece */
  for (size_t j = 0; j < in->k; j++) {
    double u = in->x[j], v = in->x[j + 1];
    size_t nr = 0;
    for (size_t i = 0; i < d; i++) {
      double s = in->s[j * d + i];
      if (s == 0) continue;
      double t = -in->c[j * d + i] / s + 0.0; /* +0.0: a root at 0 is 0, not -0 */
      if (t > u + e->snap && t < v - e->snap) r[nr++] = t;
    }
    if (nr > 1) gsl_sort(r, 1, nr);
    double left = u;
    for (size_t q = 0; q < nr; q++) {
      if (r[q] - left <= e->snap) continue;
      if (!push_branches(e, act, in, j, left, r[q], out)) {
        pw_free(out);
        return false;
      }
      left = r[q];
    }
    if (!push_branches(e, act, in, j, left, v, out)) {
      pw_free(out);
      return false;
    }
  }
  return true;
}

/* out = A + B over the common refinement of their partitions (same [a, b], same width). */
static bool pw_add(Engine *e, const PW *A, const PW *B, PW *out) {
  size_t d = A->d;
  if (B->d != d) {
    call_error(e->a, "the network's layers do not fit: a sum of widths %zu and %zu", A->d, B->d);
    return false;
  }
  if (!pw_init(e->a, out, d, A->k + B->k, A->x[0])) return false;
  size_t i = 0, j = 0;
  while (i < A->k && j < B->k) {
    double ra = A->x[i + 1], rb = B->x[j + 1], right;
    size_t pi = i, pj = j;
    if (!eng_room(e, out)) {
      pw_free(out);
      return false;
    }
    if (fabs(ra - rb) <= e->snap) {
      right = j + 1 == B->k ? rb : ra; /* the end b itself, exactly, when one partition ends */
      i++;
      j++;
    } else if (ra < rb) {
      right = ra;
      i++;
    } else {
      right = rb;
      j++;
    }
    for (size_t q = 0; q < d; q++) {
      out->s[out->k * d + q] = A->s[pi * d + q] + B->s[pj * d + q];
      out->c[out->k * d + q] = A->c[pi * d + q] + B->c[pj * d + q];
    }
    out->k++;
    out->x[out->k] = right;
  }
  return true;
}

static bool sum_layer(Engine *e, const NetLayer *l, const PW *in, PW *out) {
  PW acc;
  bool have = false;
  double *scales = NULL; /* the terms' largest slopes (d) and values (d), for the final merge */
  if (l->kind == LAYER_RESIDUAL) {
    if (!pw_copy(e->a, in, &acc)) return false;
    have = true;
  }
  for (size_t k = 0; k < l->nsub; k++) {
    PW t;
    if (!prop_net(e, l->sub[k], in, &t)) {
      if (have) pw_free(&acc);
      free(scales);
      return false;
    }
    if (!scales) {
      scales = calloc(2 * t.d + 1, sizeof(double));
      if (!scales) {
        pw_free(&t);
        if (have) pw_free(&acc);
        return pw_oom(e->a, 1, t.d);
      }
      if (have && acc.d == t.d) pw_scales(&acc, scales, scales + t.d);
    }
    if (!have) {
      acc = t;
      have = true;
      pw_scales(&acc, scales, scales + acc.d);
      continue;
    }
    if (t.d == acc.d) pw_scales(&t, scales, scales + t.d);
    PW sum;
    bool ok = pw_add(e, &acc, &t, &sum);
    pw_free(&acc);
    pw_free(&t);
    if (!ok) {
      free(scales);
      return false;
    }
    acc = sum;
  }
  if (!have) return pw_copy(e->a, in, out);
  if (scales) pw_merge(&acc, scales, scales + acc.d);
  free(scales);
  *out = acc;
  return true;
}

static bool prop_layer(Engine *e, const NetLayer *l, const PW *in, PW *out) {
  switch (l->kind) {
  case LAYER_DENSE: return dense_layer(e, l, in, out);
  case LAYER_ACT: return act_layer(e, &l->act, in, out);
  case LAYER_SCALE:
    if (!pw_copy(e->a, in, out)) return false;
    pw_scale(out, l->c);
    return true;
  case LAYER_RESIDUAL:
  case LAYER_SUM: return sum_layer(e, l, in, out);
  }
  return pw_copy(e->a, in, out);
}

/* Frees p after the error when it has an inf or nan form. */
static bool check_finite(Engine *e, PW *p) {
  if (pw_finite(p)) return true;
  call_error(e->a,
             "the network's affine pieces overflow double precision on [%s, %s] (an intercept or slope is inf or nan)",
             num_text(p->x[0]).s, num_text(p->x[p->k]).s);
  pw_free(p);
  return false;
}

static bool prop_net(Engine *e, const Network *f, const PW *in, PW *out) {
  PW cur;
  if (!pw_copy(e->a, in, &cur)) return false;
  for (size_t i = 0; i < f->nlayers; i++) {
    if (dlt_interrupted) {
      eval_interrupted(e->a->I, e->a->call);
      pw_free(&cur);
      return false;
    }
    PW next;
    bool ok = prop_layer(e, &f->layers[i], &cur, &next);
    pw_free(&cur);
    if (!ok) return false;
    cur = next;
    if (!check_finite(e, &cur)) return false;
    if (!eng_scratch(e, cur.d)) {
      pw_free(&cur);
      return false;
    }
    memset(e->scratch, 0, 2 * cur.d * sizeof(double));
    pw_merge(&cur, e->scratch, e->scratch + cur.d);
  }
  if (f->scale != 1) {
    pw_scale(&cur, f->scale);
    if (!check_finite(e, &cur)) return false;
  }
  *out = cur;
  return true;
}

/* ------------------------------------------------------------------ checking the network */
static const char *nonlinear_name(const Activation *act) {
  switch (act->kind) {
  case ACT_TANH: return "a tanh";
  case ACT_ERF: return "an erf";
  case ACT_SIGMOID: return "a sigmoid";
  case ACT_SOFTPLUS: return "a softplus";
  case ACT_GELU: return "a gelu";
  case ACT_RELU_POW: return "a relu_pow";
  case ACT_SIN: return "a sin";
  case ACT_COS: return "a cos";
  case ACT_USER: return "a user-defined";
  default: return NULL;
  }
}

static bool check_layers(Args *a, const Network *f) {
  if (f->lin0) {
    arg_error(a, 0, "a linearised network (linearize) is not supported: analyse the network it linearises");
    return false;
  }
  for (size_t i = 0; i < f->nlayers; i++) {
    const NetLayer *l = &f->layers[i];
    if (l->kind == LAYER_ACT) {
      const char *bad = nonlinear_name(&l->act);
      if (bad && !(l->act.kind == ACT_RELU_POW && l->act.p == 1)) {
        if (l->act.kind == ACT_RELU_POW)
          arg_error(a, 0, "the network has a relu_pow activation with k = %s: only piecewise-linear activations (relu, "
                          "leaky_relu, abs, step, identity, relu_pow with k = 1) are supported", num_text(l->act.p).s);
        else
          arg_error(a, 0, "the network has %s activation: only piecewise-linear activations (relu, leaky_relu, abs, "
                          "step, identity) are supported", bad);
        return false;
      }
    }
    for (size_t k = 0; k < l->nsub; k++)
      if (!check_layers(a, l->sub[k])) return false;
  }
  return true;
}

static bool arg_net_1d(Args *a, Network **f) {
  if (!arg_network(a, 0, f)) return false;
  if (!(*f)->any_width && ((*f)->d_in != 1 || (*f)->d_out != 1)) {
    arg_error(a, 0, "the network must map R to R (d_in = d_out = 1), got %zu → %zu", (*f)->d_in, (*f)->d_out);
    return false;
  }
  return check_layers(a, *f);
}

/* The interval [a, b] from positional arguments ia, ia + 1. */
static bool arg_interval(Args *a, int ia, double *lo, double *hi) {
  if (!arg_num(a, ia, lo) || !arg_num(a, ia + 1, hi)) return false;
  if (!isfinite(*lo)) {
    arg_error(a, ia, "the interval's ends must be finite, got a = %s", num_text(*lo).s);
    return false;
  }
  if (!isfinite(*hi)) {
    arg_error(a, ia + 1, "the interval's ends must be finite, got b = %s", num_text(*hi).s);
    return false;
  }
  if (*lo > *hi) {
    arg_error(a, ia + 1, "a must not exceed b, got a = %s and b = %s", num_text(*lo).s, num_text(*hi).s);
    return false;
  }
  if (!isfinite(*hi - *lo)) {
    arg_error(a, ia + 1, "the interval from %s to %s is too wide for double precision", num_text(*lo).s,
              num_text(*hi).s);
    return false;
  }
  return true;
}

/* The network's maximal affine pieces on [lo, hi] (width 1). */
static bool pwl_of(Args *a, Network *f, double lo, double hi, PW *out) {
  double mp = (double)DEFAULT_MAX_PIECES;
  bool given;
  if (!kw_num(a, "max_pieces", &mp, &given)) return false;
  if (!(mp >= 1 && mp == floor(mp))) {
    kw_error(a, "max_pieces", "max_pieces= must be a whole number >= 1, got %s", num_text(mp).s);
    return false;
  }
  size_t max_pieces = mp < 1e18 ? (size_t)mp : (size_t)1e18;
  Engine e = {a, SNAP_ULPS * DBL_EPSILON * fmax(fabs(lo), fabs(hi)), max_pieces, hi, NULL, 0};
  PW in;
  bool ok = eng_scratch(&e, 1) && pw_init(a, &in, 1, 1, lo);
  if (!ok) {
    free(e.scratch);
    return false;
  }
  in.k = 1;
  in.x[1] = hi;
  in.s[0] = 1;
  in.c[0] = 0;
  ok = prop_net(&e, f, &in, out);
  pw_free(&in);
  free(e.scratch);
  if (ok && out->d != 1) {
    call_error(a, "the network's output has width %zu, not 1", out->d);
    pw_free(out);
    return false;
  }
  return ok;
}

/* Positional f, a, b at 0, ia, ia + 1: the pieces. */
static bool pwl_args(Args *a, int ia, double *lo, double *hi, PW *out) {
  Network *f;
  if (!arg_net_1d(a, &f) || !arg_interval(a, ia, lo, hi)) return false;
  return pwl_of(a, f, *lo, *hi, out);
}

/* ------------------------------------------------------------------ results */
static Value column(Args *a, const double *x, size_t n) {
  Mat *m = mat_alloc(n, 1);
  if (!m) return dlt_error_oom(a->I, a->call, n, 1);
  if (n) memcpy(m->data, x, n * sizeof(double));
  return v_obj(m);
}

static Value bi_breakpoints(Args *a) {
  double lo, hi;
  PW p;
  if (!pwl_args(a, 1, &lo, &hi, &p)) return v_abrupt();
  Value r = column(a, p.x + 1, p.k - 1);
  pw_free(&p);
  return r;
}

static Value bi_pieces(Args *a) {
  double lo, hi;
  PW p;
  if (!pwl_args(a, 1, &lo, &hi, &p)) return v_abrupt();
  size_t k = p.k;
  pw_free(&p);
  return v_num((double)k);
}

static Value bi_pwl(Args *a) {
  double lo, hi;
  PW p;
  if (!pwl_args(a, 1, &lo, &hi, &p)) return v_abrupt();
  Value x = column(a, p.x, p.k + 1), s = IS_ABRUPT(x) ? x : column(a, p.s, p.k);
  Value c = IS_ABRUPT(s) ? s : column(a, p.c, p.k);
  pw_free(&p);
  if (IS_ABRUPT(c)) {
    val_release(x);
    val_release(s);
    return v_abrupt();
  }
  Value r = record_new();
  record_set(AS_RECORD(r), "x", x);
  record_set(AS_RECORD(r), "slope", s);
  record_set(AS_RECORD(r), "intercept", c);
  return r;
}

/* ---- crossings */
typedef struct Cross {
  double *out;
  size_t n;
  int last;     /* sign of f − level at the last point where it was not 0 (0: none yet) */
  double zero;  /* where f − level became 0 after `last`, or nan */
} Cross;

static int sign_of(double v, double mag) {
  if (fabs(v) <= ZERO_RTOL * mag) return 0;
  return v > 0 ? 1 : -1;
}

static void cross_at(Cross *cr, double x, int sg) {
  if (sg == 0) {
    if (isnan(cr->zero)) cr->zero = x;
    return;
  }
  if (cr->last && sg != cr->last) cr->out[cr->n++] = isnan(cr->zero) ? x : cr->zero;
  cr->last = sg;
  cr->zero = NAN;
}

static Value bi_crossings(Args *a) {
  double level, lo, hi;
  Network *f;
  if (!arg_net_1d(a, &f) || !arg_num(a, 1, &level)) return v_abrupt();
  if (!isfinite(level)) return arg_error(a, 1, "the level must be a finite number, got %s", num_text(level).s);
  PW p;
  if (!arg_interval(a, 2, &lo, &hi) || !pwl_of(a, f, lo, hi, &p)) return v_abrupt();
  if (!dlt_fits(2.0 * (double)p.k + 2, sizeof(double))) {
    pw_free(&p);
    return dlt_error_oom_items(a->I, a->call, "a list of crossings", "points", 2.0 * (double)p.k + 2, sizeof(double));
  }
  Cross cr = {malloc((2 * p.k + 2) * sizeof(double)), 0, 0, NAN};
  if (!cr.out) {
    pw_free(&p);
    return dlt_error_oom_items(a->I, a->call, "a list of crossings", "points", 2.0 * (double)p.k + 2, sizeof(double));
  }
  for (size_t j = 0; j < p.k; j++) {
    double s = p.s[j], c = p.c[j], u = p.x[j], v = p.x[j + 1];
    double fu = s * u + c - level, fv = s * v + c - level;
    int su = sign_of(fu, fabs(s * u) + fabs(c) + fabs(level)), sv = sign_of(fv, fabs(s * v) + fabs(c) + fabs(level));
    cross_at(&cr, u, su);
    if (su * sv < 0) cross_at(&cr, fmin(fmax((level - c) / s, u), v), 0);
    cross_at(&cr, v, sv);
  }
  Value r = column(a, cr.out, cr.n);
  free(cr.out);
  pw_free(&p);
  return r;
}

/* ---- exact integrals and norms of f − p */

/* Neumaier's compensated sum: 2^20 pieces add up without losing the last digits. */
typedef struct Sum {
  double s, comp;
} Sum;

static void sum_add(Sum *S, double x) {
  double t = S->s + x;
  S->comp += fabs(S->s) >= fabs(x) ? (S->s - t) + x : (x - t) + S->s;
  S->s = t;
}

static double sum_value(const Sum *S) { return S->s + S->comp; }

typedef struct Poly {
  double q[MAX_COEFFS];  /* minus=, ascending */
  size_t n;              /* its number of coefficients (trailing zeros dropped), 0 for p = 0 */
  gsl_poly_complex_workspace *ws;
  size_t ws_n;
} Poly;

static bool arg_minus(Args *a, Poly *P) {
  double *v;
  size_t n;
  bool present;
  memset(P, 0, sizeof *P);
  if (!calc_kw_vec(a, "minus", &v, &n, &present)) return false;
  for (size_t i = 0; i < n; i++)
    if (!isfinite(v[i])) {
      kw_error(a, "minus", "minus= must have finite coefficients, got %s at position %zu", num_text(v[i]).s, i + 1);
      free(v);
      return false;
    }
  while (n > 0 && v[n - 1] == 0) n--;
  if (n > MAX_COEFFS) {
    kw_error(a, "minus", "minus= may have at most %d coefficients (degree %d), got %zu", MAX_COEFFS, MAX_COEFFS - 1, n);
    free(v);
    return false;
  }
  if (n) memcpy(P->q, v, n * sizeof(double));
  P->n = n;
  free(v);
  return true;
}

static void poly_done(Poly *P) {
  if (P->ws) gsl_poly_complex_workspace_free(P->ws);
  P->ws = NULL;
}

/* g(t) = f(m + t) − p(m + t) on the piece [m − h, m + h] of f = s x + c: its coefficients in t
 * (Taylor shift of p by repeated synthetic division), the degree returned. Working around the
 * midpoint keeps every term of the size of the piece, with no cancellation between pieces. */
static size_t piece_poly(const Poly *P, double s, double c, double m, double *g) {
  size_t n = P->n > 2 ? P->n : 2;
  for (size_t i = 0; i < n; i++) g[i] = i < P->n ? P->q[i] : 0;
  for (size_t i = 0; i + 1 < n; i++)
    for (size_t j = n - 1; j-- > i;) g[j] += m * g[j + 1];
  for (size_t i = 0; i < n; i++) g[i] = -g[i];
  g[0] += s * m + c;
  g[1] += s;
  size_t D = n - 1;
  while (D > 0 && g[D] == 0) D--;
  return D;
}

/* ∫_ta^tb g (degree D), term by term so that symmetric limits cancel the odd terms exactly. */
static double poly_integral(const double *g, size_t D, double ta, double tb) {
  double pa = ta, pb = tb, r = 0;
  for (size_t k = 0; k <= D; k++) {
    if (pb != pa) r += g[k] * (pb - pa) / (double)(k + 1); /* not inf·0 for a huge g[k] */
    pa *= ta;
    pb *= tb;
  }
  return r;
}

/* The real roots of g (degree D) strictly inside (lo, hi), sorted, into out (room for D).
 * For degree ≥ 3 the real parts of all complex roots are taken: an extra cut is harmless to the
 * callers (they split or evaluate there), a missed one is not. */
static bool poly_roots_in(Args *a, Poly *P, const double *g, size_t D, double lo, double hi, double *out,
                          size_t *nout) {
  double r[MAX_COEFFS * 2];
  size_t nr = 0;
  *nout = 0;
  if (D == 1) {
    r[nr++] = -g[0] / g[1];
  } else if (D == 2) {
    double x0, x1;
    int m = gsl_poly_solve_quadratic(g[2], g[1], g[0], &x0, &x1);
    if (m > 0) r[nr++] = x0;
    if (m > 1) r[nr++] = x1;
  } else if (D >= 3) {
    if (P->ws_n != D + 1) {
      poly_done(P);
      P->ws = gsl_poly_complex_workspace_alloc(D + 1);
      if (!P->ws) {
        call_error(a, "out of memory");
        return false;
      }
      P->ws_n = D + 1;
    }
    double z[2 * MAX_COEFFS];
    int st = gsl_poly_complex_solve(g, D + 1, P->ws, z);
    if (st) {
      dlt_error_gsl(a->I, a->call, a->fname, st);
      return false;
    }
    for (size_t i = 0; i < D; i++) r[nr++] = z[2 * i];
  }
  for (size_t i = 0; i < nr; i++)
    if (r[i] > lo && r[i] < hi) out[(*nout)++] = r[i];
  if (*nout > 1) gsl_sort(out, 1, *nout);
  return true;
}

typedef enum { INT_SIGNED, INT_ABS, INT_SQUARE } IntKind;

/* Σ over pieces of ∫ (f − p), ∫ |f − p| or ∫ (f − p)², of (f − p)/scale. */
static bool pw_integral(Args *a, const PW *p, Poly *P, IntKind kind, double scale, double *out) {
  Sum S = {0, 0};
  double g[MAX_COEFFS + 1], g2[2 * MAX_COEFFS + 1], cuts[MAX_COEFFS + 2];
  for (size_t j = 0; j < p->k; j++) {
    double u = p->x[j], v = p->x[j + 1], h = (v - u) / 2, m = u + h;
    size_t D = piece_poly(P, p->s[j], p->c[j], m, g);
    if (scale != 1)
      for (size_t i = 0; i <= D; i++) g[i] /= scale;
    if (kind == INT_SIGNED) {
      sum_add(&S, poly_integral(g, D, -h, h));
    } else if (kind == INT_SQUARE) {
      for (size_t i = 0; i <= 2 * D; i++) g2[i] = 0;
      for (size_t i = 0; i <= D; i++)
        for (size_t l = 0; l <= D; l++) g2[i + l] += g[i] * g[l];
      sum_add(&S, poly_integral(g2, 2 * D, -h, h));
    } else {
      size_t nc;
      if (!poly_roots_in(a, P, g, D, -h, h, cuts, &nc)) return false;
      double left = -h;
      for (size_t q = 0; q <= nc; q++) {
        double right = q < nc ? cuts[q] : h;
        sum_add(&S, fabs(poly_integral(g, D, left, right)));
        left = right;
      }
    }
  }
  *out = sum_value(&S);
  return true;
}

/* max |f − p| over the pieces: at the piece ends (one-sided values of each piece) and where
 * p' = slope inside a piece. The first (leftmost) point attaining it is returned in *at. */
static bool pw_sup(Args *a, const PW *p, Poly *P, double *value, double *at) {
  double g[MAX_COEFFS + 1], dg[MAX_COEFFS], crit[MAX_COEFFS + 2];
  *value = -1;
  *at = p->x[0];
  for (size_t j = 0; j < p->k; j++) {
    double u = p->x[j], v = p->x[j + 1], h = (v - u) / 2, m = u + h;
    size_t D = piece_poly(P, p->s[j], p->c[j], m, g), nc = 0;
    if (D >= 2) {
      for (size_t i = 1; i <= D; i++) dg[i - 1] = (double)i * g[i];
      if (!poly_roots_in(a, P, dg, D - 1, -h, h, crit, &nc)) return false;
    }
    double gu = fabs(gsl_poly_eval(g, D + 1, -h));
    if (gu > *value) {
      *value = gu;
      *at = u;
    }
    for (size_t q = 0; q < nc; q++) {
      double gq = fabs(gsl_poly_eval(g, D + 1, crit[q]));
      if (gq > *value) {
        *value = gq;
        *at = m + crit[q];
      }
    }
    double gv = fabs(gsl_poly_eval(g, D + 1, h));
    if (gv > *value) {
      *value = gv;
      *at = v;
    }
  }
  return true;
}

static bool finite_result(Args *a, double r) {
  if (isfinite(r)) return true;
  call_error(a, "the result overflows double precision (f − p is too large on [a, b])");
  return false;
}

/* ∫ (f − p), ∫ |f − p| or the L2 norm of f − p. When the plain sums overflow (or, for L2, the
 * squares underflow), they are redone on (f − p)/M with M the power of 2 nearest above the sup, so
 * that only a result that is itself beyond double precision is refused. */
static bool pw_measure(Args *a, const PW *p, Poly *P, IntKind kind, double *out) {
  double r;
  if (!pw_integral(a, p, P, kind, 1, &r)) return false;
  if (isfinite(r) && !(kind == INT_SQUARE && r < 1e-250)) {
    *out = kind == INT_SQUARE ? sqrt(r) : r;
    return true;
  }
  double M, at;
  if (!pw_sup(a, p, P, &M, &at) || !finite_result(a, M)) return false;
  if (M == 0) {
    *out = 0;
    return true;
  }
  M = ldexp(1, ilogb(M) + 1);
  if (!pw_integral(a, p, P, kind, M, &r)) return false;
  *out = kind == INT_SQUARE ? M * sqrt(r) : M * r;
  return finite_result(a, *out);
}

static Value bi_pwl_integral(Args *a) {
  double lo, hi, r;
  Poly P;
  PW p;
  if (!arg_minus(a, &P)) return v_abrupt();
  if (!pwl_args(a, 1, &lo, &hi, &p)) return v_abrupt();
  bool ok = pw_measure(a, &p, &P, INT_SIGNED, &r);
  pw_free(&p);
  poly_done(&P);
  return ok ? v_num(r) : v_abrupt();
}

/* p= of pwl_norm, positional (4th) or keyword: 1, 2 or inf ("inf" too). */
static bool norm_p(Args *a, double *p) {
  const Value *v = a->n > 3 ? &a->v[3] : kw_get(a, "p");
  *p = 2;
  if (!v) return true;
  if (a->n > 3 && kw_get(a, "p")) {
    kw_error(a, "p", "p is given twice, as the 4th argument and as p=");
    return false;
  }
  bool ok = false;
  if (IS_STR(*v)) {
    ok = strcmp(AS_STR(*v)->s, "inf") == 0;
    *p = INFINITY;
  } else if (val_scalar(*v, p)) {
    ok = *p == 1 || *p == 2 || *p == INFINITY;
  }
  if (ok) return true;
  const char *fmt = "p must be 1, 2 or inf (or \"inf\"), got %s";
  char got[64];
  if (IS_STR(*v))
    snprintf(got, sizeof got, "\"%.40s\"", AS_STR(*v)->s);
  else if (val_scalar(*v, p))
    snprintf(got, sizeof got, "%s", num_text(*p).s);
  else
    snprintf(got, sizeof got, "a %s", val_type_name(*v));
  if (a->n > 3)
    arg_error(a, 3, fmt, got);
  else
    kw_error(a, "p", fmt, got);
  return false;
}

static Value bi_pwl_norm(Args *a) {
  double lo, hi, pn, r;
  Poly P;
  PW p;
  if (!norm_p(a, &pn) || !arg_minus(a, &P)) return v_abrupt();
  if (!pwl_args(a, 1, &lo, &hi, &p)) return v_abrupt();
  bool ok;
  if (isinf(pn)) {
    double at;
    ok = pw_sup(a, &p, &P, &r, &at) && finite_result(a, r);
  } else {
    ok = pw_measure(a, &p, &P, pn == 1 ? INT_ABS : INT_SQUARE, &r);
  }
  pw_free(&p);
  poly_done(&P);
  return ok ? v_num(r) : v_abrupt();
}

static Value bi_pwl_sup(Args *a) {
  double lo, hi, r, at;
  Poly P;
  PW p;
  if (!arg_minus(a, &P)) return v_abrupt();
  if (!pwl_args(a, 1, &lo, &hi, &p)) return v_abrupt();
  bool ok = pw_sup(a, &p, &P, &r, &at) && finite_result(a, r);
  pw_free(&p);
  poly_done(&P);
  if (!ok) return v_abrupt();
  Value rec = record_new();
  record_set(AS_RECORD(rec), "value", v_num(r));
  record_set(AS_RECORD(rec), "at", v_num(at));
  return rec;
}

static const Builtin pwl_builtins[] = {
  {"breakpoints", bi_breakpoints, 3, 3, "max_pieces", "breakpoints(f, a, b, max_pieces=2^22)",
   "the sorted column of points in (a, b) where the network f: R → R (relu, leaky_relu, abs, step, identity) is not affine, computed exactly",
   NULL},
  {"pieces", bi_pieces, 3, 3, "max_pieces", "pieces(f, a, b, max_pieces=2^22)",
   "the number of maximal affine pieces of the piecewise-linear network f on [a, b] (Telgarsky's N_A), computed exactly",
   NULL},
  {"pwl", bi_pwl, 3, 3, "max_pieces", "pwl(f, a, b, max_pieces=2^22)",
   "the exact piecewise-affine form of f on [a, b]: {x: the k+1 knots a = x0 < … < xk = b, slope: k×1, intercept: k×1}",
   NULL},
  {"crossings", bi_crossings, 4, 4, "max_pieces", "crossings(f, level, a, b, max_pieces=2^22)",
   "the column of points in (a, b) where the piecewise-linear network f crosses the level (changes side), computed exactly",
   NULL},
  {"pwl_integral", bi_pwl_integral, 3, 3, "minus max_pieces", "pwl_integral(f, a, b, minus=0, max_pieces=2^22)",
   "the exact ∫_a^b (f − p) dx for a piecewise-linear network f and the polynomial p with ascending coefficients minus= (default 0)",
   NULL},
  {"pwl_norm", bi_pwl_norm, 3, 4, "p minus max_pieces", "pwl_norm(f, a, b, p=2, minus=0, max_pieces=2^22)",
   "the exact L1 (p=1), L2 (p=2) or sup (p=inf) norm of f − p on [a, b] for a piecewise-linear network f and the polynomial minus=",
   NULL},
  {"pwl_sup", bi_pwl_sup, 3, 3, "minus max_pieces", "pwl_sup(f, a, b, minus=0, max_pieces=2^22)",
   "the record {value, at}: the largest |f − p| on [a, b] and the leftmost point attaining it, exactly, for a piecewise-linear network f",
   NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_pwl = {"pwl", pwl_builtins};
