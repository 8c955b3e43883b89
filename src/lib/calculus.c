/* lib/calculus.c - integration: adaptive quadrature, Gauss rules, 2-D and Monte Carlo integration. */
#include "../builtin.h"

static const Builtin calculus_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_calculus = {"calculus", calculus_builtins};
