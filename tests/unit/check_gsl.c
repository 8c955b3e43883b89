/* check_gsl.c - the GSL error bridge: no GSL failure can abort the process, and a failure a
 * builtin leaves unreported becomes a located DLT error at the call. */
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sf_gamma.h>

#include "builtin.h"
#include "check_suites.h"
#include "interp.h"

START_TEST(test_failed_cholesky_is_recorded_not_fatal) {
  dlt_gsl_install();
  dlt_gsl_clear();
  gsl_matrix *a = gsl_matrix_alloc(2, 2);
  gsl_matrix_set(a, 0, 0, 1);
  gsl_matrix_set(a, 0, 1, 2);
  gsl_matrix_set(a, 1, 0, 2);
  gsl_matrix_set(a, 1, 1, 1); /* eigenvalues 3 and -1: not positive definite */
  int status = gsl_linalg_cholesky_decomp1(a);
  ck_assert_int_ne(status, 0);
  ck_assert_int_eq(dlt_gsl_pending(), GSL_EDOM);
  ck_assert_ptr_nonnull(strstr(dlt_gsl_reason(), "positive definite"));
  dlt_gsl_clear();
  ck_assert_int_eq(dlt_gsl_pending(), 0);
  gsl_matrix_free(a);
}
END_TEST

START_TEST(test_special_function_domain_error) {
  dlt_gsl_install();
  dlt_gsl_clear();
  double g = gsl_sf_gamma(-1.0); /* a pole: GSL reports a domain error */
  (void)g;
  ck_assert_int_ne(dlt_gsl_pending(), 0);
  dlt_gsl_clear();
}
END_TEST

/* A builtin that calls GSL and ignores the failure, as a careless module might. */
static Value bi_careless(Args *a) {
  (void)a;
  gsl_matrix *m = gsl_matrix_calloc(2, 2); /* the zero matrix is not positive definite */
  gsl_linalg_cholesky_decomp1(m);           /* status ignored */
  gsl_matrix_free(m);
  return v_nil();
}

static const Builtin careless = {"careless", bi_careless, 0, 0, NULL, "careless()", "test helper", NULL};

START_TEST(test_unreported_failure_becomes_a_located_error) {
  Interp *I = interp_new();
  I->out = fopen("/dev/null", "w");
  BuiltinObj *o = obj_new(OBJ_BUILTIN, sizeof(BuiltinObj));
  o->def = &careless;
  global_define(I, "careless", v_obj(o));
  int rc = interp_run_string(I, "t.dlt", "let x = 1\ncareless()\nprint x\n", NULL);
  ck_assert_int_eq(rc, DLT_EXIT_RUNTIME);
  ck_assert_int_eq(I->ndiags, 1);
  ck_assert_uint_eq(I->diags[0].span.line, 2);
  ck_assert_uint_eq(I->diags[0].span.col, 1);
  ck_assert_ptr_nonnull(strstr(I->diags[0].msg, "careless failed"));
  ck_assert_int_eq(dlt_gsl_pending(), 0);
  diags_clear(I);
  /* the interpreter is still usable afterwards */
  Value r;
  ck_assert_int_eq(interp_run_string(I, "t2.dlt", "1 + 1", &r), DLT_EXIT_OK);
  ck_assert(IS_NUM(r));
  ck_assert_double_eq(AS_NUM(r), 2);
  fclose(I->out);
  interp_free(I);
}
END_TEST

Suite *gsl_suite(void) {
  Suite *s = suite_create("gsl");
  TCase *tc = tcase_create("bridge");
  tcase_add_test(tc, test_failed_cholesky_is_recorded_not_fatal);
  tcase_add_test(tc, test_special_function_domain_error);
  tcase_add_test(tc, test_unreported_failure_becomes_a_located_error);
  suite_add_tcase(s, tc);
  return s;
}
