/* lib/pwl.c - (being written for issue 5) */
#include "../builtin.h"

static const Builtin pwl_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_pwl = {"pwl", pwl_builtins};
