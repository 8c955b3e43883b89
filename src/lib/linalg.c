/* lib/linalg.c - products, norms, solvers, factorisations and matrix functions (GSL linalg/eigen, CBLAS). */
#include "../builtin.h"

static const Builtin linalg_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_linalg = {"linalg", linalg_builtins};
