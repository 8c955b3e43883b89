/* lib/dual.c - see dual.h. */
#include "dual.h"

static const Builtin dual_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_dual = {"dual", dual_builtins};
