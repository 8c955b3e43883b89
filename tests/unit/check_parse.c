/* check_parse.c - the parser and resolver seen from C: spans, recovery, incomplete input. */
#include <string.h>

#include "check_suites.h"
#include "interp.h"
#include "parse.h"

static Interp *quiet_interp(void) {
  Interp *I = interp_new();
  I->out = fopen("/dev/null", "w");
  return I;
}

static void done(Interp *I) {
  fclose(I->out);
  interp_free(I);
}

START_TEST(test_range_is_three_tokens) {
  Interp *I = quiet_interp();
  Value r;
  ck_assert_int_eq(interp_run_string(I, "t", "len(1..10)", &r), DLT_EXIT_OK);
  ck_assert_double_eq(AS_NUM(r), 10);
  done(I);
}
END_TEST

START_TEST(test_syntax_errors_are_located_and_recovered) {
  Interp *I = quiet_interp();
  int rc = interp_run_string(I, "t.dlt", "let a = 1 +\nlet b = )\nlet c = 2\nlet d = * 3\n", NULL);
  ck_assert_int_eq(rc, DLT_EXIT_PARSE);
  ck_assert_int_eq(I->ndiags, 2); /* line 1 continues onto line 2; line 4 is a second error */
  ck_assert_uint_eq(I->diags[0].span.line, 2);
  ck_assert_uint_eq(I->diags[0].span.col, 1);
  ck_assert_uint_eq(I->diags[1].span.line, 4);
  ck_assert_uint_eq(I->diags[1].span.col, 9);
  ck_assert_int_eq(I->diags[0].kind, DIAG_PARSE);
  diags_clear(I);
  done(I);
}
END_TEST

START_TEST(test_columns_count_characters) {
  Interp *I = quiet_interp();
  int rc = interp_run_string(I, "t.dlt", "let σ = \"é\" + 1\n", NULL);
  ck_assert_int_eq(rc, DLT_EXIT_RUNTIME);
  ck_assert_uint_eq(I->diags[0].span.col, 13); /* the '+', counting σ and é as one column each */
  diags_clear(I);
  done(I);
}
END_TEST

START_TEST(test_undefined_name_suggests) {
  Interp *I = quiet_interp();
  int rc = interp_run_string(I, "t.dlt", "let width = 3\nprint widht\n", NULL);
  ck_assert_int_eq(rc, DLT_EXIT_PARSE);
  ck_assert_ptr_nonnull(strstr(I->diags[0].msg, "did you mean 'width'"));
  diags_clear(I);
  done(I);
}
END_TEST

START_TEST(test_incomplete_input) {
  Interp *I = quiet_interp();
  ck_assert(dlt_input_incomplete(I, "fn f(x) {\n"));
  ck_assert(dlt_input_incomplete(I, "let x = [1, 2,\n"));
  ck_assert(dlt_input_incomplete(I, "let y = 1 +\n"));
  ck_assert(!dlt_input_incomplete(I, "let y = 1 + 2\n"));
  ck_assert(!dlt_input_incomplete(I, "fn f(x) {\n  x\n}\n"));
  ck_assert(!dlt_input_incomplete(I, "let z = )\n")); /* an error, not a continuation */
  ck_assert_int_eq(I->ndiags, 0);                      /* trial parses leave no diagnostics */
  done(I);
}
END_TEST

START_TEST(test_bindings_survive_errors) {
  Interp *I = quiet_interp();
  ck_assert_int_eq(interp_run_string(I, "a", "fn sq(x) = x * x", NULL), DLT_EXIT_OK);
  ck_assert_int_eq(interp_run_string(I, "b", "sq([1, 2] + [1, 2, 3])", NULL), DLT_EXIT_RUNTIME);
  diags_clear(I);
  Value r;
  ck_assert_int_eq(interp_run_string(I, "c", "sq(4)", &r), DLT_EXIT_OK);
  ck_assert_double_eq(AS_NUM(r), 16);
  done(I);
}
END_TEST

Suite *parse_suite(void) {
  Suite *s = suite_create("parse");
  TCase *tc = tcase_create("parser");
  tcase_add_test(tc, test_range_is_three_tokens);
  tcase_add_test(tc, test_syntax_errors_are_located_and_recovered);
  tcase_add_test(tc, test_columns_count_characters);
  tcase_add_test(tc, test_undefined_name_suggests);
  tcase_add_test(tc, test_incomplete_input);
  tcase_add_test(tc, test_bindings_survive_errors);
  suite_add_tcase(s, tc);
  return s;
}
