/* dynlib.h - optional libraries opened on first use (dlopen) instead of linked into dlt.
 *
 * PLplot (figures written to files), cmark (`dlt --report`) and SQLite (the run store, --store and
 * `dlt runs`) are used by few programs, but linked in they were loaded, mapped and relocated at
 * every start: PLplot alone brings ten more libraries. Each is now opened the first time it is
 * needed; until then dlt does not touch it. configure finds the name to open (the library's
 * soname, e.g. libplplot.so.17) and defines it as DLT_<LIB>_SONAME; a dlt built where the library
 * or its headers are missing still builds and runs, and says so when the feature is used.
 *
 * A module using one lists its functions in an X-macro, declares a struct of pointers with the
 * library's own prototypes (__typeof__ of the header's declaration) and a DynLib describing them,
 * and calls dynlib_load before its first call. See src/lib/plot_render.c.
 */
#ifndef DLT_DYNLIB_H
#define DLT_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

typedef struct DynLib {
  const char *what;          /* "PLplot": for messages */
  const char *soname;        /* what to dlopen, or NULL when dlt was built without the library */
  const char *install;       /* what to install on Debian, for messages */
  bool global;               /* RTLD_GLOBAL: the library loads plugins that link back to it */
  const char *const *names;  /* the symbols to look up ... */
  void **ptrs;               /* ... and where each goes (same order) */
  size_t n;
  int state;                 /* 0 not tried, 1 loaded, -1 failed (message in err) */
  char err[320];
} DynLib;

/* Opens lib and resolves every symbol, once per process; later calls return the first answer.
 * False when the library cannot be used, with a message in lib->err (also after a failed try). */
bool dynlib_load(DynLib *lib);

#endif
