/* lib/kernel_net.c - (being written for issue 6) */
#include "../builtin.h"

static const Builtin kernel_net_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_kernel_net = {"kernel_net", kernel_net_builtins};
