/* lib/ode.c - ordinary differential equations: GSL adaptive steppers and fixed-step teaching methods. */
#include "../builtin.h"

static const Builtin ode_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_ode = {"ode", ode_builtins};
