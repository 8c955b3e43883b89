/* check_value.c - values: refcounting, copy-on-write, equality, printing, allocation limits. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "gc.h"
#include "print.h"
#include "strbuf.h"
#include "value.h"

START_TEST(test_retain_release_counts) {
  Value s = str_from("theory");
  ck_assert_uint_eq(AS_OBJ(s)->refs, 1);
  val_retain(s);
  val_retain(s);
  ck_assert_uint_eq(AS_OBJ(s)->refs, 3);
  val_release(s);
  val_release(s);
  ck_assert_uint_eq(AS_OBJ(s)->refs, 1);
  val_release(s); /* freed: valgrind checks there is no leak and no double free */
}
END_TEST

START_TEST(test_numbers_are_not_refcounted) {
  Value n = v_num(2.5);
  val_retain(n);
  val_release(n);
  val_release(n);
  ck_assert(IS_NUM(n));
  ck_assert_double_eq(AS_NUM(n), 2.5);
}
END_TEST

START_TEST(test_containers_own_their_items) {
  Value item = str_from("x");
  Value l = list_new(0);
  list_push(AS_LIST(l), val_retain(item));
  ck_assert_uint_eq(AS_OBJ(item)->refs, 2);
  Value r = record_new();
  record_set(AS_RECORD(r), "k", val_retain(l));
  ck_assert_uint_eq(AS_OBJ(l)->refs, 2);
  val_release(l);
  val_release(r); /* releases the list, which releases the string once */
  ck_assert_uint_eq(AS_OBJ(item)->refs, 1);
  val_release(item);
}
END_TEST

START_TEST(test_copy_on_write_list) {
  Value a = list_new(0);
  list_push(AS_LIST(a), v_num(1));
  Value b = val_retain(a); /* b shares a */
  ck_assert(val_make_unique(&b));
  ck_assert_ptr_ne(AS_OBJ(a), AS_OBJ(b)); /* shared: copied */
  AS_LIST(b)->items[0] = v_num(9);
  ck_assert_double_eq(AS_NUM(AS_LIST(a)->items[0]), 1);
  Obj *before = AS_OBJ(b);
  ck_assert(val_make_unique(&b));
  ck_assert_ptr_eq(before, AS_OBJ(b)); /* sole owner: mutated in place */
  val_release(a);
  val_release(b);
}
END_TEST

START_TEST(test_copy_on_write_matrix) {
  Mat *m = mat_alloc_zero(2, 3);
  ck_assert_ptr_nonnull(m);
  Value a = v_obj(m), b = val_retain(a);
  ck_assert(val_make_unique(&b));
  *mat_at(AS_MAT(b), 1, 2) = 7;
  ck_assert_double_eq(*mat_at(AS_MAT(a), 1, 2), 0);
  ck_assert_double_eq(*mat_at(AS_MAT(b), 1, 2), 7);
  ck_assert_uint_eq(AS_OBJ(a)->refs, 1);
  val_release(a);
  val_release(b);
}
END_TEST

START_TEST(test_strings_and_ranges_are_immutable) {
  Value s = str_from("abc");
  ck_assert(!val_make_unique(&s));
  val_release(s);
  Value r = range_new(1, 10, 1);
  ck_assert(!val_make_unique(&r));
  ck_assert_uint_eq(range_len(AS_RANGE(r)), 10);
  val_release(r);
}
END_TEST

START_TEST(test_matrix_is_a_gsl_view) {
  Mat *m = mat_alloc(3, 2);
  for (size_t i = 0; i < 6; i++) m->data[i] = (double)i;
  ck_assert_uint_eq(m->m.size1, 3);
  ck_assert_uint_eq(m->m.size2, 2);
  ck_assert_double_eq(gsl_matrix_get(&m->m, 2, 1), 5);
  gsl_matrix_set(&m->m, 0, 1, 42);
  ck_assert_double_eq(m->data[1], 42);
  val_release(v_obj(m));
}
END_TEST

/* Every matrix's entries start on a MAT_ALIGN boundary whatever malloc returned (small blocks
 * from the heap, large ones mapped), zeroed ones included; freeing gives the whole block back
 * (valgrind and ASan check that part). */
START_TEST(test_matrix_entries_are_aligned) {
  size_t sizes[] = {0, 1, 3, 7, 100, 1000, 600000};
  for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++)
    for (int zero = 0; zero < 2; zero++) {
      Mat *m = zero ? mat_alloc_zero(sizes[k], 1) : mat_alloc(sizes[k], 1);
      ck_assert_ptr_nonnull(m);
      ck_assert_uint_eq((uintptr_t)m->data % MAT_ALIGN, 0);
      ck_assert_ptr_eq(m->m.data, m->data);
      for (size_t i = 0; zero && i < sizes[k]; i++) ck_assert_double_eq(m->data[i], 0);
      for (size_t i = 0; i < sizes[k]; i++) m->data[i] = (double)i; /* the whole range is writable */
      val_release(v_obj(m));
    }
}
END_TEST

START_TEST(test_matrix_limit_refuses_absurd_sizes) {
  ck_assert_ptr_null(mat_alloc((size_t)1 << 40, (size_t)1 << 40)); /* overflows size_t */
  ck_assert_ptr_null(mat_alloc(1000000, 1000000));                 /* 8 TB: above physical memory */
  size_t saved = mat_limit_bytes();
  mat_set_limit_bytes(1024);
  ck_assert_ptr_null(mat_alloc(100, 100));
  Mat *small = mat_alloc(4, 4);
  ck_assert_ptr_nonnull(small);
  val_release(v_obj(small));
  mat_set_limit_bytes(saved);
}
END_TEST

START_TEST(test_equality_is_structural) {
  Value a = list_new(0), b = list_new(0);
  list_push(AS_LIST(a), str_from("w"));
  list_push(AS_LIST(b), str_from("w"));
  ck_assert(val_equal(a, b));
  list_push(AS_LIST(b), v_num(1));
  ck_assert(!val_equal(a, b));
  ck_assert(!val_equal(v_num(NAN), v_num(NAN)));
  ck_assert(val_equal(v_nil(), v_nil()));
  ck_assert(!val_equal(v_num(0), v_bool(false)));
  val_release(a);
  val_release(b);
}
END_TEST

START_TEST(test_deep_nesting_frees_without_recursion) {
  /* a list nested a million deep: freeing must not overflow the C stack */
  Value v = list_new(0);
  for (int i = 0; i < 1000000; i++) {
    Value outer = list_new(1);
    list_push(AS_LIST(outer), v);
    v = outer;
  }
  val_release(v);
  obj_free_queue_release();
}
END_TEST

static void check_fmt(double x, const char *want) {
  StrBuf b = STRBUF_INIT;
  fmt_num(&b, x);
  ck_assert_str_eq(sb_cstr(&b), want);
  if (isfinite(x)) ck_assert(strtod(sb_cstr(&b), NULL) == x); /* round trip */
  sb_free(&b);
}

START_TEST(test_number_printing_round_trips) {
  check_fmt(0.1, "0.1");
  check_fmt(1.0 / 3.0, "0.3333333333333333");
  check_fmt(0.1 + 0.2, "0.30000000000000004");
  check_fmt(3, "3");
  check_fmt(-2.5, "-2.5");
  check_fmt(1e21, "1e+21");
  check_fmt(1e-5, "1e-05");
  check_fmt(0.0001, "0.0001");
  check_fmt(123456789012345.0, "123456789012345");
  check_fmt(5e-324, "5e-324");
  check_fmt(-0.0, "-0");
  check_fmt(INFINITY, "inf");
  check_fmt(-INFINITY, "-inf");
  check_fmt(NAN, "nan");
}
END_TEST

START_TEST(test_value_printing) {
  Mat *m = mat_alloc(2, 2);
  m->data[0] = 1;
  m->data[1] = 2.5;
  m->data[2] = -3;
  m->data[3] = 4;
  char *s = val_to_cstr(v_obj(m), PRINT_REPR);
  ck_assert_str_eq(s, "[[ 1, 2.5],\n [-3, 4]]");
  free(s);
  val_release(v_obj(m));

  Value r = record_new();
  record_set(AS_RECORD(r), "name", str_from("relu"));
  record_set(AS_RECORD(r), "two words", v_bool(true));
  s = val_to_cstr(r, PRINT_DISPLAY);
  ck_assert_str_eq(s, "{name: \"relu\", \"two words\": true}");
  free(s);
  val_release(r);
}
END_TEST

START_TEST(test_cycle_through_a_cell_is_collected) {
  /* cell -> list -> closure -> cell: unreachable once the outside reference goes */
  Value cell = cell_new(v_nil());
  Closure *c = obj_new(OBJ_CLOSURE, sizeof(Closure) + sizeof(Cell *));
  c->proto = NULL;
  c->nup = 1;
  c->up[0] = (Cell *)AS_OBJ(val_retain(cell));
  Value l = list_new(1);
  list_push(AS_LIST(l), v_obj(c));
  Value shared = str_from("kept");
  list_push(AS_LIST(l), val_retain(shared)); /* also referenced from outside: must survive */
  ((Cell *)AS_OBJ(cell))->v = l;
  ck_assert_uint_eq(gc_collect(), 0); /* still referenced from here */
  val_release(cell);
  ck_assert_uint_eq(gc_collect(), 3); /* the cell, the list and the closure */
  ck_assert_uint_eq(AS_OBJ(shared)->refs, 1);
  ck_assert_str_eq(AS_STR(shared)->s, "kept");
  val_release(shared);
}
END_TEST

START_TEST(test_live_structures_survive_collection) {
  Value cell = cell_new(list_new(0));
  Value inner = list_new(0);
  list_push(AS_LIST(inner), str_from("x"));
  list_push(AS_LIST(((Cell *)AS_OBJ(cell))->v), inner);
  ck_assert_uint_eq(gc_collect(), 0);
  ck_assert_uint_eq(AS_OBJ(cell)->refs, 1); /* counts restored exactly */
  ck_assert_uint_eq(AS_OBJ(((Cell *)AS_OBJ(cell))->v)->refs, 1);
  ck_assert_uint_eq(AS_OBJ(inner)->refs, 1);
  val_release(cell);
}
END_TEST

/* --max-memory's accounting: what matrices, strings and lists take comes back when they are freed,
 * including a matrix whose rows shrank after it was made; a matrix over the limit is refused. */
START_TEST(test_memory_accounting_balances) {
  size_t before = dlt_value_bytes;
  Mat *m = mat_alloc(100, 10);
  ck_assert_ptr_nonnull(m);
  ck_assert_uint_ge(dlt_value_bytes - before, 1000 * sizeof(double));
  m->m.size1 = 1; /* as linalg does for a row of eigenvalues */
  Value s = str_from("hello");
  Value l = list_new(0);
  for (int i = 0; i < 1000; i++) list_push(AS_LIST(l), v_num(i));
  ck_assert_uint_gt(dlt_value_bytes, before);
  val_release(v_obj(m));
  val_release(s);
  val_release(l);
  ck_assert_uint_eq(dlt_value_bytes, before);

  dlt_memory_limit = before + 4096;
  Mat *big = mat_alloc(1000, 1); /* 8000 bytes: over */
  ck_assert_ptr_null(big);
  Mat *small = mat_alloc(100, 1);
  ck_assert_ptr_nonnull(small);
  val_release(v_obj(small));
  dlt_memory_limit = 0;
  ck_assert_uint_eq(dlt_value_bytes, before);
}
END_TEST

Suite *value_suite(void) {
  Suite *s = suite_create("value");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_retain_release_counts);
  tcase_add_test(tc, test_numbers_are_not_refcounted);
  tcase_add_test(tc, test_containers_own_their_items);
  tcase_add_test(tc, test_copy_on_write_list);
  tcase_add_test(tc, test_copy_on_write_matrix);
  tcase_add_test(tc, test_strings_and_ranges_are_immutable);
  tcase_add_test(tc, test_matrix_is_a_gsl_view);
  tcase_add_test(tc, test_matrix_entries_are_aligned);
  tcase_add_test(tc, test_matrix_limit_refuses_absurd_sizes);
  tcase_add_test(tc, test_equality_is_structural);
  tcase_add_test(tc, test_deep_nesting_frees_without_recursion);
  tcase_add_test(tc, test_number_printing_round_trips);
  tcase_add_test(tc, test_value_printing);
  tcase_add_test(tc, test_cycle_through_a_cell_is_collected);
  tcase_add_test(tc, test_live_structures_survive_collection);
  tcase_add_test(tc, test_memory_accounting_balances);
  suite_add_tcase(s, tc);
  return s;
}
