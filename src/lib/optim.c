/* lib/optim.c - root finding, minimisation and finite-difference derivatives. */
#include "../builtin.h"

static const Builtin optim_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_optim = {"optim", optim_builtins};
