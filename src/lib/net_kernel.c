/* lib/net_kernel.c - (being written for issue 5) */
#include "../builtin.h"

static const Builtin net_kernel_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_net_kernel = {"net_kernel", net_kernel_builtins};
