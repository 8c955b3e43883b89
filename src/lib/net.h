/* lib/net.h - neural networks as DLT values (issue 5). The representation is defined by the
 * network module (net.c); other modules (training, kernels, the piecewise-linear engine) use the
 * accessors declared here.
 *
 * A network is an OBJ_EXT value (type() "network") holding a CHAIN of layers applied in order,
 * followed by an output multiplier `scale`:
 *
 *     f(x) = scale · L_k( ... L_2(L_1(x)) ... )
 *
 * Layer kinds:
 *   LAYER_DENSE     z = wmult · W x + bmult · b    W is out×in (stored parameters, the θ of the
 *                   notes), b is out×1 or NULL (no bias). wmult/bmult are the forward multipliers
 *                   the parametrisation sets (NTK: wmult = sqrt(C/fan_in); standard: 1).
 *   LAYER_ACT       elementwise σ (Activation: a built-in kind with its parameter, or a user
 *                   function differentiated through dual_eval).
 *   LAYER_RESIDUAL  x + g(x), g = sub[0] (d_in == d_out).
 *   LAYER_SUM       Σ_k sub[k](x) (how f + g is represented; each term carries its own scale).
 *   LAYER_SCALE     c · x (left behind when a scaled network is composed on the inside).
 *
 * Values are immutable once shared: a Network reachable from two places is never mutated. The
 * clone hook (copy on write) copies the layer arrays and retains matrices and sub-networks; code
 * that replaces a parameter matrix in a network it owns uniquely must first make the sub-network
 * on the path unique (net.c's dense_slot does this).
 *
 * Parameters θ are flattened in depth-first layer order: for each dense layer, W row by row, then
 * b. nparams, params, set_params, the Jacobians and the gradients all use this order, and
 * "layer l" (f.W[l], set_weight(f, l, ...)) is the l-th dense layer in the same order.
 *
 * An activation-only network (activation("relu")) has no fixed width: any_width is set and d_in =
 * d_out = 0; chain() and compose() take their widths from the dense layers around it.
 */
#ifndef DLT_LIB_NET_H
#define DLT_LIB_NET_H

#include <stdbool.h>
#include <stddef.h>

#include "../builtin.h"

typedef enum {
  ACT_RELU, ACT_STEP, ACT_IDENTITY, ACT_TANH, ACT_ERF, ACT_SIGMOID, ACT_SOFTPLUS, ACT_GELU,
  ACT_LEAKY_RELU, ACT_ABS, ACT_RELU_POW, ACT_SIN, ACT_COS, ACT_USER
} ActKind;

typedef struct Activation {
  ActKind kind;
  double p;  /* leaky_relu: the slope for x < 0; relu_pow: the power k */
  Value fn;  /* ACT_USER: the DLT function (owned); nil otherwise */
} Activation;

typedef enum { LAYER_DENSE, LAYER_ACT, LAYER_RESIDUAL, LAYER_SUM, LAYER_SCALE } LayerKind;

struct Network;

typedef struct NetLayer {
  LayerKind kind;
  Mat *W, *b;            /* DENSE: owned references; b may be NULL */
  double wmult, bmult;   /* DENSE: forward multipliers */
  double lr_mult;        /* DENSE: per-layer learning-rate multiplier the parametrisation asks for
                            (μP; 1 otherwise) - for the training module */
  Activation act;        /* ACT */
  struct Network **sub;  /* RESIDUAL (1) and SUM (nsub): owned references */
  size_t nsub;
  double c;              /* SCALE */
} NetLayer;

typedef enum { NETP_EXPLICIT, NETP_STANDARD, NETP_NTK, NETP_MF, NETP_MUP } NetParam;

/* What mlp() was asked for; printed and returned by the fields. kind == NETP_EXPLICIT for
 * networks made from layers (or changed in architecture by composition and sums). */
typedef struct NetMeta {
  NetParam param;
  double CW, Cb, CW1, gamma;
  bool bias;
  const char *init; /* a static string */
} NetMeta;

typedef struct Network {
  Ext ext;
  size_t d_in, d_out;
  bool any_width;
  size_t nlayers;
  NetLayer *layers;
  double scale;
  NetMeta meta;
  /* linearize(f): when set, this network is the first-order Taylor model of lin0 (owned; the
   * network at θ0) around θ0, evaluated at this network's own parameters θ:
   *     f_lin(x; θ) = lin0(x) + ∇_θ lin0(x) · (θ − θ0).
   * The layers are lin0's architecture carrying θ; reverse mode uses lin0's layers (the model is
   * linear in θ, so its θ-gradient is lin0's). Such a network is not combined with others. */
  struct Network *lin0;
} Network;

extern const ExtClass network_class;

bool val_is_network(Value v);
static inline Network *as_network(Value v) { return (Network *)v.u.o; }
/* positional argument i must be a network, else a located error */
bool arg_network(Args *a, int i, Network **out);

/* Building a network from C (other modules: neuron measures, training). net_new gives an empty
 * chain with input dimension d_in (output scale 1, meta NETP_EXPLICIT); net_add_dense takes
 * ownership of W (out×in, in must equal the current output dimension) and b (out×1 or NULL);
 * net_add_act copies the activation (retaining a user function). d_out follows the last dense. */
Network *net_new(size_t d_in);
/* A new network sharing f's matrices and sub-networks (copy on write: replace, never mutate, a
 * shared matrix). */
Network *net_copy(const Network *f);
void net_add_dense(Network *f, Mat *W, Mat *b, double wmult, double bmult);
void net_add_act(Network *f, Activation act);

/* "standard", "ntk", "mf", "mup" or "explicit" */
const char *net_param_name(NetParam p);

size_t net_nparams(const Network *f);
/* The dense layers in θ order (at most max written to out); returns how many there are. */
size_t net_dense_layers(Network *f, NetLayer **out, size_t max);

/* Argument i as an activation, read as mlp's act= reads it (a name, a builtin such as tanh, a
 * function of one number; slope= and k= keywords) or a network whose first activation layer is
 * used. *holder keeps the activation alive (release it when done); *act points into it. */
bool arg_activation(Args *a, int i, Value *holder, const Activation **act);

/* σ, σ', σ'' at x (df/d2f may be NULL). False after a located error (user activations only). */
bool act_eval(Args *a, const Activation *act, double x, double *f, double *df, double *d2f);

/* Forward pass on a batch X (n×d_in, rows are points): a new n×d_out matrix, or NULL after a
 * located error. X's width must already have been checked against f->d_in. */
Mat *net_forward(Args *a, const Network *f, Mat *X);

/* θ into theta (nparams doubles). */
void net_get_params(const Network *f, double *theta);
/* A new network with the same architecture and parameters theta (nparams doubles); NULL when its
 * matrices cannot be allocated (the caller raises the out-of-memory error). */
Network *net_with_params(const Network *f, const double *theta);

/* Reverse mode, general form. net_tape runs the forward pass on X (n×d_in) keeping what reverse
 * mode needs and sets *Y to the n×d_out output (new reference); NULL after a located error.
 * net_tape_back takes the cotangent D (n×d_out, ∂L/∂output) and ADDS the parameter gradient
 * Σ_i into grad (P doubles, may be NULL), writes ∂L/∂x into dX (n×d_in, may be NULL), and calls
 * visit (may be NULL) once per dense layer with the layer's θ offset, the layer, its input A
 * (n×in) and the cotangent G of its output (n×out): the layer's per-example weight gradient is
 * wmult·g_i a_iᵀ and bias gradient bmult·g_i, which is how empirical kernels are formed without
 * the n×P Jacobian. jac (n×P, may be NULL, only when d_out == 1) gets the per-example rows.
 * A tape can be run backwards several times (one cotangent per output, say). */
typedef struct NetTape NetTape;
typedef void (*NetDenseVisit)(void *ctx, size_t offset, const NetLayer *l, Mat *A, Mat *G);
NetTape *net_tape(Args *a, const Network *f, Mat *X, Mat **Y);
bool net_tape_back(NetTape *t, Mat *D, double *grad, Mat *jac, Mat *dX, NetDenseVisit visit, void *ctx);
void net_tape_free(NetTape *t);

/* Forward value and tangent together (net_linear.c): Y = f(X) and dY = ∂f(X)/∂θ · dtheta, both
 * new n×d_out matrices; false after a located error. f must not itself be linearised. */
bool net_jvp(Args *a, const Network *f, Mat *X, const double *dtheta, Mat **Y, Mat **dY);

/* The empirical NTK Gram matrix (net_kernel.c): n×m (Y NULL: Y = X), averaged over outputs; NULL
 * after a located error. */
Mat *net_ntk_gram(Args *a, const Network *f, Mat *X, Mat *Y);

/* Reverse mode on a batch X (n×d_in), for a network with d_out == 1.
 * jac (n×P, may be NULL): row i is ∂f(x_i)/∂θ.
 * grad (P, may be NULL): Σ_i w_i ∂f(x_i)/∂θ with weights w (n; NULL = all 1) - a loss gradient
 * for a loss whose derivative in the outputs is w.
 * dx (n×d_in, may be NULL): row i is ∂f(x_i)/∂x.
 * out (n, may be NULL): the outputs f(x_i).
 * False after a located error. */
bool net_backprop(Args *a, const Network *f, Mat *X, const double *w, Mat *jac, double *grad, Mat *dx, double *out);

#endif
