/* blas_lazy.c - see blas_lazy.h. */
#include "config.h"

#ifdef DLT_OPENBLAS_SONAME
#include "blas_lazy.h"

#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>

#include "error.h"

static void *openblas;

static _Noreturn void blas_unusable(const char *what) {
  fflush(NULL);
  fprintf(stderr, "dlt: fatal: %s (%s, which dlt was built with): %s\n", what, DLT_OPENBLAS_SONAME, dlerror());
  _exit(DLT_EXIT_RUNTIME);
}

void *blas_function(const char *name) {
  if (!openblas) {
    /* RTLD_LOCAL: its names stay out of the global scope, where dlt's forwarders are */
    openblas = dlopen(DLT_OPENBLAS_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!openblas) blas_unusable("cannot open OpenBLAS");
  }
  dlerror();
  void *f = dlsym(openblas, name);
  if (!f) blas_unusable("OpenBLAS lacks a function");
  return f;
}
#else
typedef int dlt_blas_lazy_unused; /* not an empty file */
#endif
