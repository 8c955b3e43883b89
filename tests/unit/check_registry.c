/* check_registry.c - the builtin registry: every name is unique, documented and well-formed.
 *
 * A name registered twice would silently shadow the later one (builtin_find returns the first),
 * so modules written independently must not collide. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/builtin.h"
#include "check_suites.h"

START_TEST(names_are_unique) {
  for (const Module *const *m = dlt_modules; *m; m++)
    for (const Builtin *b = (*m)->fns; b->name; b++) {
      const Builtin *first = builtin_find(b->name);
      ck_assert_msg(first == b, "builtin '%s' (module %s) is registered more than once", b->name, (*m)->name);
    }
}
END_TEST

START_TEST(every_builtin_has_help_and_signature) {
  for (const Module *const *m = dlt_modules; *m; m++)
    for (const Builtin *b = (*m)->fns; b->name; b++) {
      ck_assert_msg(b->help && b->help[0], "builtin '%s' has no help string", b->name);
      ck_assert_msg(strchr(b->help, '\n') == NULL, "help of '%s' is not one line", b->name);
      ck_assert_msg(b->sig && strncmp(b->sig, b->name, strlen(b->name)) == 0 && b->sig[strlen(b->name)] == '(',
                    "signature of '%s' must start with '%s('", b->name, b->name);
      ck_assert_msg(b->max_args < 0 || b->max_args >= b->min_args, "arity of '%s'", b->name);
      for (const char *p = b->name; *p; p++)
        ck_assert_msg(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_', "name '%s'", b->name);
    }
}
END_TEST

/* The language reference lists every builtin as `name(...)`: a builtin nobody can find in the
 * reference does not exist for a reader. (DLT_SRCDIR is set by make check.) */
START_TEST(every_builtin_is_in_the_reference) {
  const char *src = getenv("DLT_SRCDIR");
  if (!src) return;
  char path[4096];
  snprintf(path, sizeof path, "%s/docs/language.md", src);
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot read %s", path);
  static char doc[1 << 21];
  size_t n = fread(doc, 1, sizeof doc - 1, f);
  fclose(f);
  doc[n] = '\0';
  char missing[4096] = "";
  int nmissing = 0;
  for (const Module *const *m = dlt_modules; *m; m++)
    for (const Builtin *b = (*m)->fns; b->name; b++) {
      char needle[80];
      snprintf(needle, sizeof needle, "`%s(", b->name);
      if (!strstr(doc, needle)) {
        nmissing++;
        if (strlen(missing) + strlen(b->name) + 3 < sizeof missing) {
          strcat(missing, " ");
          strcat(missing, b->name);
        }
      }
    }
  ck_assert_msg(nmissing == 0, "%d builtins have no `name(` entry in docs/language.md:%s", nmissing, missing);
}
END_TEST

Suite *registry_suite(void) {
  Suite *s = suite_create("registry");
  TCase *tc = tcase_create("builtins");
  tcase_add_test(tc, names_are_unique);
  tcase_add_test(tc, every_builtin_has_help_and_signature);
  tcase_add_test(tc, every_builtin_is_in_the_reference);
  suite_add_tcase(s, tc);
  return s;
}
