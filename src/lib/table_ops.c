/* lib/table_ops.c - (being written) */
#include "../builtin.h"

static const Builtin table_ops_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_table_ops = {"table_ops", table_ops_builtins};
