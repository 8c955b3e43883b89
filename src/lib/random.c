/* lib/random.c - uniform and Gaussian draws from the interpreter's mt19937 stream.
 *
 * `seed N` fixes the global stream; every draw also accepts seed= to use a private stream seeded
 * with that value (the global stream is then left untouched). Same seed, same numbers, always. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "../builtin.h"
#include "../interp.h"
#include "random.h"

typedef double (*Draw)(const gsl_rng *r);

static double draw_uniform(const gsl_rng *r) { return gsl_rng_uniform(r); }
static double draw_normal(const gsl_rng *r) { return gsl_ran_gaussian_ziggurat(r, 1.0); }

gsl_rng *args_rng(Args *a) {
  double s;
  bool has_seed;
  if (!kw_num(a, "seed", &s, &has_seed)) return NULL;
  if (!has_seed) return a->I->rng;
  if (!(s >= 0 && s <= 4294967295.0 && s == (double)(unsigned long)s)) {
    kw_error(a, "seed", "seed= must be an integer between 0 and 4294967295");
    return NULL;
  }
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng) {
    call_error(a, "out of memory");
    return NULL;
  }
  gsl_rng_set(rng, (unsigned long)s);
  return rng;
}

void args_rng_done(Args *a, gsl_rng *rng) {
  if (rng && rng != a->I->rng) gsl_rng_free(rng);
}

static Value draws(Args *a, Draw draw) {
  gsl_rng *rng = args_rng(a);
  if (!rng) return v_abrupt();
  Value result;
  if (a->n == 0) {
    result = v_num(draw(rng));
  } else {
    size_t r, c = 1;
    if (!arg_size(a, 0, &r) || (a->n > 1 && !arg_size(a, 1, &c))) {
      result = v_abrupt();
    } else {
      Mat *m = mat_alloc(r, c);
      if (!m) {
        result = dlt_error_oom(a->I, a->call, r, c);
      } else {
        for (size_t i = 0; i < r * c; i++) m->data[i] = draw(rng);
        result = v_obj(m);
      }
    }
  }
  args_rng_done(a, rng);
  return result;
}

static Value bi_rand(Args *a) { return draws(a, draw_uniform); }
static Value bi_randn(Args *a) { return draws(a, draw_normal); }

static const Builtin random_builtins[] = {
  {"rand", bi_rand, 0, 2, "seed", "rand(n=, m=1, seed=)", "uniform draws on [0, 1): a number, or an n×m matrix", NULL},
  {"randn", bi_randn, 0, 2, "seed", "randn(n=, m=1, seed=)", "standard normal draws: a number, or an n×m matrix", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_random = {"random", random_builtins};
