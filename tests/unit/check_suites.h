/* check_suites.h - the Check suites of the C layer, assembled by check_main.c. */
#ifndef DLT_CHECK_SUITES_H
#define DLT_CHECK_SUITES_H

#include <check.h>

Suite *value_suite(void);
Suite *gsl_suite(void);
Suite *parse_suite(void);
Suite *registry_suite(void);
Suite *mathfn_suite(void);
Suite *fault_suite(void);

#endif
