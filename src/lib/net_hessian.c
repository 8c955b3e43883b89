/* lib/net_hessian.c - (being written for issue 5) */
#include "../builtin.h"

static const Builtin net_hessian_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_net_hessian = {"net_hessian", net_hessian_builtins};
