/* lib/modules.c - the list of library modules; each contributes one registration table. */
#include "../builtin.h"

extern const Module dlt_module_core, dlt_module_math, dlt_module_matrix, dlt_module_random, dlt_module_linalg,
    dlt_module_calculus, dlt_module_ode, dlt_module_optim, dlt_module_stats, dlt_module_io, dlt_module_measure, dlt_module_measure_ops, dlt_module_measure_comb, dlt_module_dual, dlt_module_net,
    dlt_module_net_linear, dlt_module_net_kernel, dlt_module_net_hessian, dlt_module_net_measure, dlt_module_train, dlt_module_pwl,
    dlt_module_kernel, dlt_module_gauss2, dlt_module_kernel_net, dlt_module_kernel_maps, dlt_module_kernel_methods;

const Module *const dlt_modules[] = {
  &dlt_module_core,
  &dlt_module_math,
  &dlt_module_matrix,
  &dlt_module_linalg,
  &dlt_module_random,
  &dlt_module_calculus,
  &dlt_module_ode,
  &dlt_module_optim,
  &dlt_module_stats,
  &dlt_module_io,
  &dlt_module_measure,
  &dlt_module_measure_ops,
  &dlt_module_measure_comb,
  &dlt_module_dual,
  &dlt_module_net,
  &dlt_module_net_linear,
  &dlt_module_net_kernel,
  &dlt_module_net_hessian,
  &dlt_module_net_measure,
  &dlt_module_train,
  &dlt_module_pwl,
  &dlt_module_kernel,
  &dlt_module_gauss2,
  &dlt_module_kernel_net,
  &dlt_module_kernel_maps,
  &dlt_module_kernel_methods,
  NULL,
};
