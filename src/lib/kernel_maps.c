/* lib/kernel_maps.c - (being written for issue 6) */
#include "../builtin.h"

static const Builtin kernel_maps_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_kernel_maps = {"kernel_maps", kernel_maps_builtins};
