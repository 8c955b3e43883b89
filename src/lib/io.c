/* lib/io.c - CSV and JSON input and output. */
#include "../builtin.h"

static const Builtin io_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_io = {"io", io_builtins};
