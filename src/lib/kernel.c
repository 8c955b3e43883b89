/* lib/kernel.c - (being written for issue 6) */
#include "../builtin.h"

static const Builtin kernel_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_kernel = {"kernel", kernel_builtins};
