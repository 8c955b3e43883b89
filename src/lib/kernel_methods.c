/* lib/kernel_methods.c - (being written for issue 6) */
#include "../builtin.h"

static const Builtin kernel_methods_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_kernel_methods = {"kernel_methods", kernel_methods_builtins};
