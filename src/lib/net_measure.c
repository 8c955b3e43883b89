/* lib/net_measure.c - (being written for issue 5) */
#include "../builtin.h"

static const Builtin net_measure_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_net_measure = {"net_measure", net_measure_builtins};
