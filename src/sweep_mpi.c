/* sweep_mpi.c - sweeps across MPI ranks (`mpirun -n K dlt script.dlt`, built --with-mpi).
 *
 * Compiled twice. In src/dlt-mpi (DLT_WITH_MPI) it is the MPI layer below. In src/dlt it only
 * notices that mpirun started it and replaces itself with dlt-mpi from the same directory, so the
 * ordinary binary does not load Open MPI's seven libraries (1.4 ms of every start-up).
 *
 * Every rank runs the whole script, so every rank has the same values when it reaches a sweep
 * (the same seed, the same data). At a sweep, rank r computes the points whose position in the
 * list of points still to do is r modulo K; then all ranks exchange their results
 * (MPI_Allgatherv of codec.c bytes), so every rank continues with the full table, the one a
 * serial run would give. Only rank 0 prints, writes files and saves to the run store.
 * A point whose result cannot be sent (it recorded a network) is recomputed on every rank with
 * its own seed, which gives every rank the same value.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "sweep.h"

static bool launched_by_mpirun(void) {
  return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

#ifdef DLT_WITH_MPI
#include <mpi.h>

static bool mpi_started;
static MPI_Comm end_comm = MPI_COMM_NULL; /* the end-of-script handshake: never matches a sweep's collective */
static bool run_mpi(SweepJob *job);

void dlt_mpi_start(int *argc, char ***argv) {
  /* only when a launcher started us: dlt-mpi run by hand is a plain dlt */
  if (!launched_by_mpirun()) return;
  int provided;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) return;
  mpi_started = true;
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  dlt_mpi_rank = rank;
  dlt_sweep_config.mpi_size = size;
  sweep_run_mpi = run_mpi;
  MPI_Comm_dup(MPI_COMM_WORLD, &end_comm);
}

void dlt_mpi_finish(void) {
  if (!mpi_started) return;
  if (end_comm != MPI_COMM_NULL) MPI_Comm_free(&end_comm);
  MPI_Finalize();
}

static double wall_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int dlt_mpi_end(Interp *I, int rc) {
  int size = dlt_sweep_config.mpi_size, rank = dlt_mpi_rank;
  if (!mpi_started || size <= 1 || end_comm == MPI_COMM_NULL) {
    diags_print(I, stderr);
    return rc;
  }
  /* this rank's diagnostics as text: rank 0 prints them now, the others only if they differ */
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  if (m) {
    diags_print(I, m);
    fclose(m);
  } else {
    diags_clear(I);
  }
  if (rank == 0 && text) fputs(text, stderr);
  fflush(stderr);

  /* wait for every rank to end; one that failed waits only so long */
  const char *w = getenv("DLT_MPI_END_WAIT");
  double wait = w && *w ? atof(w) : 10.0, start = wall_seconds();
  MPI_Request req;
  MPI_Ibarrier(end_comm, &req);
  int done = 0;
  for (;;) {
    MPI_Test(&req, &done, MPI_STATUS_IGNORE);
    if (done || (rc != DLT_EXIT_OK && wall_seconds() - start > wait)) break;
    struct timespec nap = {0, 5000000}; /* 5 ms */
    nanosleep(&nap, NULL);
  }
  if (!done) {
    if (rank != 0) fprintf(stderr, "dlt: MPI rank %d of %d failed:\n%s", rank, size, text ? text : "");
    fprintf(stderr, "dlt: MPI rank %d failed and the other ranks did not reach the end of the script within %g s "
                    "(they wait for it in a sweep): stopping them\n", rank, wait);
    fflush(stderr);
    free(text);
    MPI_Abort(MPI_COMM_WORLD, rc);
    return rc;
  }
  /* everyone ended: a rank whose failure rank 0 did not report prints its own */
  uint64_t h = 1469598103934665603ull; /* FNV-1a of the text, and of the exit code */
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)text[i]) * 1099511628211ull;
  h = (h ^ (uint64_t)rc) * 1099511628211ull;
  uint64_t h0 = h;
  MPI_Bcast(&h0, 1, MPI_UINT64_T, 0, end_comm);
  if (rank != 0 && rc != DLT_EXIT_OK && h != h0) {
    fprintf(stderr, "dlt: on MPI rank %d of %d:\n%s", rank, size, text ? text : "");
    fflush(stderr);
  }
  free(text);
  int worst = rc;
  MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, end_comm);
  return rc != DLT_EXIT_OK ? rc : worst;
}

static void put_u32(StrBuf *b, uint32_t x) { sb_putn(b, (const char *)&x, 4); }

static bool run_mpi(SweepJob *job) {
  int size = dlt_sweep_config.mpi_size, rank = dlt_mpi_rank;
  StrBuf mine = STRBUF_INIT;
  size_t pos = 0;
  for (size_t k = 0; k < job->npoints; k++) {
    if (job->results[k].done) continue;
    if ((int)(pos++ % (size_t)size) != rank) continue;
    sweep_run_point(job, k, true);
    StrBuf b = STRBUF_INIT;
    if (!point_result_encode(&job->results[k], &b)) {
      sb_free(&b);
      PointResult u = {.status = POINT_UNSENDABLE, .rows = v_nil()};
      point_result_encode(&u, &b);
    }
    put_u32(&mine, (uint32_t)k);
    put_u32(&mine, (uint32_t)b.len);
    sb_putn(&mine, b.s ? b.s : "", b.len);
    sb_free(&b);
    point_result_clear(&job->results[k]);
    job->ndone--; /* counted again when the exchanged result arrives */
  }
  int mylen = (int)mine.len;
  int *lens = calloc((size_t)size, sizeof(int)), *displs = calloc((size_t)size, sizeof(int));
  MPI_Allgather(&mylen, 1, MPI_INT, lens, 1, MPI_INT, MPI_COMM_WORLD);
  long total = 0;
  for (int r = 0; r < size; r++) {
    displs[r] = (int)total;
    total += lens[r];
  }
  char *all = malloc(total ? (size_t)total : 1);
  MPI_Allgatherv(mine.s ? mine.s : "", mylen, MPI_CHAR, all, lens, displs, MPI_CHAR, MPI_COMM_WORLD);
  for (const char *p = all, *end = all + total; end - p >= 8;) {
    uint32_t k, len;
    memcpy(&k, p, 4);
    memcpy(&len, p + 4, 4);
    p += 8;
    if ((size_t)(end - p) < len || k >= job->npoints) break;
    PointResult *r = &job->results[k];
    point_result_clear(r);
    if (!point_result_decode(p, len, r)) r->status = POINT_UNSENDABLE;
    r->done = true;
    job->ndone++;
    if (r->status == POINT_OK && job->store && dlt_primary_process()) store_save(job->store, job, k);
    p += len;
  }
  free(all);
  free(lens);
  free(displs);
  sb_free(&mine);
  return true;
}

#else
#include <limits.h>
#include <unistd.h>

void dlt_mpi_start(int *argc, char ***argv) {
  (void)argc;
  if (!launched_by_mpirun()) return;
#ifdef DLT_HAVE_MPI
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 16);
  if (n > 0) self[n] = '\0';
  char *slash = n > 0 ? strrchr(self, '/') : NULL;
  if (slash) {
    strcpy(slash + 1, "dlt-mpi");
    execv(self, *argv);
  }
  fprintf(stderr, "dlt: started by mpirun, but the MPI build %s cannot be run; every rank would run the "
                  "whole script alone\n", slash ? self : "dlt-mpi");
#else
  fprintf(stderr, "dlt: started by mpirun, but this dlt was built without MPI (configure --with-mpi); every "
                  "rank would run the whole script alone\n");
#endif
  exit(DLT_EXIT_USAGE);
}

void dlt_mpi_finish(void) {}

int dlt_mpi_end(Interp *I, int rc) {
  diags_print(I, stderr);
  return rc;
}
#endif
