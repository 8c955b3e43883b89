/* lib/measure.c - see measure.h for how the measure modules divide the work. */
#include "measure.h"

static const Builtin measure_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_measure = {"measure", measure_builtins};
