/* lib/train.c - (being written for issue 5) */
#include "../builtin.h"

static const Builtin train_builtins[] = {
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_train = {"train", train_builtins};
