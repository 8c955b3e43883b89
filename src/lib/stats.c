/* lib/stats.c - descriptive statistics, moments, histograms and fitting. */
#include "../builtin.h"

static const Builtin stats_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_stats = {"stats", stats_builtins};
