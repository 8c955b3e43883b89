/* lib/measure_comb.c - see measure.h for how the measure modules divide the work. */
#include "measure.h"

static const Builtin measure_comb_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_measure_comb = {"measure_comb", measure_comb_builtins};
