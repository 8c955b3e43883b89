/* lib/plot.c - (being written) */
#include "../builtin.h"

static const Builtin plot_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_plot = {"plot", plot_builtins};
