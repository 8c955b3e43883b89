/* lib/table_fit.c - (being written) */
#include "../builtin.h"

static const Builtin table_fit_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_table_fit = {"table_fit", table_fit_builtins};
