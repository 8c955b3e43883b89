/* check_main.c - runs every Check suite of the C layer. */
#include <stdlib.h>

#include "check_suites.h"

int main(void) {
  SRunner *sr = srunner_create(value_suite());
  srunner_add_suite(sr, gsl_suite());
  srunner_add_suite(sr, parse_suite());
  srunner_add_suite(sr, registry_suite());
  srunner_add_suite(sr, mathfn_suite());
  srunner_add_suite(sr, fault_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
