/* lib/modules.c - the list of library modules; each contributes one registration table. */
#include "../builtin.h"

extern const Module dlt_module_core, dlt_module_math, dlt_module_matrix, dlt_module_random;

const Module *const dlt_modules[] = {
  &dlt_module_core,
  &dlt_module_math,
  &dlt_module_matrix,
  &dlt_module_random,
  NULL,
};
