/* sweep.h - sweeps: the grid, one point's run, and the ways points are executed.
 *
 * A sweep evaluates its body (a function of the sweep variables, see mk_sweep in parser.y) at every
 * point of the grid and collects what `record` wrote into a table. A point's random stream is
 * seeded from the global seed and the point's coordinates only, so a point computes the same thing
 * wherever and whenever it runs. That is what lets points run in any order: in this process
 * (sweep.c), in forked worker processes (sweep_workers.c), on MPI ranks (sweep_mpi.c), or not at
 * all because the run store already holds them (sweep_store.c).
 */
#ifndef DLT_SWEEP_H
#define DLT_SWEEP_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "interp.h"
#include "strbuf.h"

/* How sweeps run: set from the command line (main.c), read at every sweep. */
typedef struct SweepConfig {
  int jobs;             /* worker processes for a sweep's points (1: in this process) */
  bool keep_going;      /* --keep-going: a failing point becomes a row with an `error` column */
  bool quiet;           /* -q: no progress line */
  const char *store;    /* --store FILE: the run store for every sweep, or NULL */
  const char *script;   /* the script's path as the store's key ("-e" for code on the command line) */
  int mpi_size;         /* ranks under mpirun (1 otherwise) */
} SweepConfig;

extern SweepConfig dlt_sweep_config;

/* The outcome of one point: its rows (a list of records), what it printed, and how it ended. */
/* POINT_EXIT: the body called exit(code); the program ends there, as it would in a loop */
typedef enum { POINT_OK, POINT_FAILED, POINT_UNSENDABLE, POINT_EXIT } PointStatus;

typedef struct PointResult {
  PointStatus status;
  Value rows;    /* list of records (POINT_OK) */
  char *output;  /* what the point printed, when it ran elsewhere (NULL: printed already) */
  Diag diag;     /* POINT_FAILED: the located error */
  int exit_request; /* POINT_EXIT: Interp.exit_request (the code + 1) */
  bool done;
} PointResult;

void point_result_clear(PointResult *r);

/* One sweep being run: its body, the grid points to compute and their results. */
typedef struct SweepJob {
  Interp *I;
  Node *node;         /* the N_SWEEP */
  Value body;         /* closure over the sweep variables */
  int nvars;
  char **vars;        /* the sweep variables' names */
  size_t npoints;     /* selected points (after the `if` condition) */
  Value *coords;      /* npoints × nvars borrowed values */
  char **keys;        /* "width=64, rep=3" per point */
  uint32_t *seeds;    /* per point */
  PointResult *results;
  struct SweepStore *store; /* the run store, or NULL */
  int64_t store_id;   /* this sweep's id in it */
  bool keep_going;
  bool progress;      /* draw a progress line on stderr */
  bool drawn;         /* it has been drawn (so erase it at the end) */
  size_t ndone;
  double t0;
  gsl_rng *rng; /* the points' stream, reseeded for each */
} SweepJob;

/* Run point k in this process. capture: collect what it prints into r->output (workers) instead
 * of writing it out. Returns false only when it was interrupted (Ctrl-C): the sweep stops. */
bool sweep_run_point(SweepJob *job, size_t k, bool capture);

/* Run every not-yet-done point in worker processes. False after a located error (workers could
 * not start: the caller falls back to running points here). */
bool sweep_run_workers(SweepJob *job, int nworkers);

/* MPI (sweep_mpi.c, linked into the dlt binaries, not libdlt): initialise when mpirun started this
 * process (sets dlt_mpi_rank and mpi_size and installs sweep_run_mpi), and finish. */
void dlt_mpi_start(int *argc, char ***argv);
void dlt_mpi_finish(void);
/* The end of the script on this process: print its diagnostics and return the exit code. Outside
 * MPI that is all. Under mpirun the ranks first wait for each other; a rank that failed alone (its
 * error differs from rank 0's) prints its own, prefixed with its rank, and every rank exits with
 * the worst code. A rank that failed while the others do not reach the end within
 * DLT_MPI_END_WAIT seconds (default 10) - they wait for it in a sweep it left - aborts the job
 * (MPI_Abort), so that a failure on one rank can never leave the others hanging. */
int dlt_mpi_end(Interp *I, int rc);
/* Share every point's result among MPI ranks, each computing its share; NULL outside MPI. */
extern bool (*sweep_run_mpi)(SweepJob *job);

/* Add a point's rows to a table whose first nvars columns are the sweep variables. */
struct Table;
void sweep_table_add_point(Interp *I, struct Table *t, int nvars, const Value *coords, const PointResult *r);

/* Progress line: a point finished. */
void sweep_progress(SweepJob *job);

/* Results travel between processes and into the store as bytes (codec.c). */
bool point_result_encode(const PointResult *r, StrBuf *out);
bool point_result_decode(const char *data, size_t len, PointResult *r);
bool value_encode(Value v, StrBuf *out); /* false: not plain data */
Value value_decode(const char *data, size_t len, bool *ok);

/* The run store (sweep_store.c). */
typedef struct SweepStore SweepStore;
SweepStore *store_open(Interp *I, const char *path, const Span *where);
/* the id of this sweep in the store, creating it: keyed by script and the sweep's source */
bool store_begin(SweepStore *s, SweepJob *job, const Span *where);
bool store_load(SweepStore *s, SweepJob *job, size_t k); /* fills results[k] when stored */
void store_save(SweepStore *s, SweepJob *job, size_t k);
void store_close(SweepStore *s);
/* `dlt runs FILE [ID] [--csv|--json]` */
int store_cli(int argc, char **argv);

#endif
