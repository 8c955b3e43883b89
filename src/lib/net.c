/* lib/net.c - see net.h. */
#include "net.h"

static const Builtin net_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_net = {"net", net_builtins};
