/* dynlib.c - see dynlib.h. */
#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

bool dynlib_load(DynLib *lib) {
  if (lib->state) return lib->state > 0;
  lib->state = -1;
  if (!lib->soname) {
    snprintf(lib->err, sizeof lib->err, "this dlt was built without %s (install %s and rebuild)", lib->what,
             lib->install);
    return false;
  }
  void *h = dlopen(lib->soname, RTLD_NOW | (lib->global ? RTLD_GLOBAL : RTLD_LOCAL));
  if (!h) {
    const char *e = dlerror();
    snprintf(lib->err, sizeof lib->err, "%s could not be loaded (%s; install %s)", lib->what, e ? e : lib->soname,
             lib->install);
    return false;
  }
  for (size_t i = 0; i < lib->n; i++) {
    dlerror();
    void *p = dlsym(h, lib->names[i]);
    if (!p) {
      snprintf(lib->err, sizeof lib->err, "%s (%s) has no function %s: a different version from the one dlt was built with",
               lib->what, lib->soname, lib->names[i]);
      dlclose(h);
      return false;
    }
    lib->ptrs[i] = p;
  }
  lib->state = 1; /* never closed: the process keeps it, as it kept the linked library */
  return true;
}
