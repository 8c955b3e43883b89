/* lib/stats.h - the least-squares line shared by the statistics builtins (stats.c) and their
 * table forms (table_fit.c), so both report the same numbers under the same names. */
#ifndef DLT_LIB_STATS_H
#define DLT_LIB_STATS_H

#include <stddef.h>

#include "../value.h"

/* y = intercept + slope x by gsl_fit_linear. Standard errors and the residual sd need n > 2 and
 * are NaN otherwise; everything is NaN when n < 2 or every x is equal. */
typedef struct LineFit {
  double intercept, slope, se_intercept, se_slope, r2, resid_sd;
  size_t n;
} LineFit;

LineFit stats_fit_line(const double *x, const double *y, size_t n);
/* {intercept, slope, se_intercept, se_slope, r2, residual_sd}: what fit_linear returns */
Value stats_line_record(const LineFit *L);
/* {slope, se, intercept}: what loglog_slope returns */
Value stats_loglog_record(const LineFit *L);

#endif
