/* sweep.c - `sweep ... { ... }` and `record`: the grid, running points, and the result table.
 *
 * Points are numbered in grid order (the first axis outermost, the last fastest); points the `if`
 * condition rejects are dropped before anything runs. Each point runs the body with its own random
 * stream (seed_for_point) and collects its rows; the table is assembled in grid order at the end,
 * so it is the same whichever process computed which point and in what order (sweep.h).
 */
#include "sweep.h"
#include "sweep_undo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "arith.h"
#include "eval.h"
#include "index.h"
#include "lib/table.h"
#include "print.h"

SweepConfig dlt_sweep_config = {1, false, false, NULL, NULL, 1};
bool (*sweep_run_mpi)(SweepJob *job);

/* The running point's rows: `record` appends to cur, and starts a new row when a name it writes
 * is already in cur (so `record a = 1; record b = 2` is one row, and a loop that records the same
 * names each step gives one row per step). */
typedef struct Recording {
  struct Recording *outer;
  Value rows; /* list of finished records */
  Value cur;  /* the row being written (a record), or nil */
  int nvars;
  char **vars;
} Recording;

/* ------------------------------------------------------------------ record */
Value eval_record_row(Interp *I, Node *n) {
  Recording *rc = I->recording;
  if (!rc) return dlt_error(I, &n->span, "record can only be used inside a sweep (it adds a row to the sweep's table)");
  int nf = n->u.rec.vals.n;
  Value *vals = dlt_xmalloc((size_t)nf * sizeof(Value));
  for (int i = 0; i < nf; i++) {
    for (int j = 0; j < rc->nvars; j++)
      if (strcmp(n->u.rec.keys[i], rc->vars[j]) == 0) {
        for (int k = 0; k < i; k++) val_release(vals[k]);
        free(vals);
        return dlt_error(I, &n->u.rec.vals.items[i]->span,
                         "'%s' is a sweep variable: its column is filled in already; record it under another name",
                         rc->vars[j]);
      }
    vals[i] = eval_node(I, n->u.rec.vals.items[i]);
    if (IS_ABRUPT(vals[i])) {
      for (int k = 0; k < i; k++) val_release(vals[k]);
      free(vals);
      return v_abrupt();
    }
  }
  bool clash = false;
  if (IS_RECORD(rc->cur))
    for (int i = 0; i < nf && !clash; i++) clash = record_find(AS_RECORD(rc->cur), n->u.rec.keys[i]) != NULL;
  if (clash) {
    list_push(AS_LIST(rc->rows), rc->cur);
    rc->cur = v_nil();
  }
  if (IS_NIL(rc->cur)) rc->cur = record_new();
  for (int i = 0; i < nf; i++) record_set(AS_RECORD(rc->cur), n->u.rec.keys[i], vals[i]);
  free(vals);
  return v_nil();
}

/* ------------------------------------------------------------------ points */
void point_result_clear(PointResult *r) {
  val_release(r->rows);
  r->rows = v_nil();
  free(r->output);
  r->output = NULL;
  free(r->diag.msg);
  free(r->diag.note);
  free(r->diag.trace);
  memset(&r->diag, 0, sizeof r->diag);
  r->done = false;
  r->status = POINT_OK;
}

/* FNV-1a over the bytes, finished with splitmix64's mixer: nearby keys give unrelated seeds. */
static uint64_t hash_bytes(uint64_t h, const void *p, size_t n) {
  const unsigned char *s = p;
  for (size_t i = 0; i < n; i++) {
    h ^= s[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static uint32_t seed_for_point(uint32_t global, const char *key) {
  uint64_t h = hash_bytes(14695981039346656037ULL, &global, sizeof global);
  h = hash_bytes(h, key, strlen(key));
  h += 0x9e3779b97f4a7c15ULL;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return (uint32_t)(h ^ (h >> 32));
}

bool sweep_run_point(SweepJob *job, size_t k, bool capture) {
  Interp *I = job->I;
  PointResult *r = &job->results[k];
  point_result_clear(r);
  if (!job->rng) job->rng = gsl_rng_alloc(gsl_rng_mt19937); /* one per sweep, reseeded per point */
  gsl_rng *saved_rng = I->rng;
  bool saved_pending = I->rng_pending;
  uint32_t saved_seed = I->rng_pending_seed;
  I->rng = job->rng; /* seeded with the point's seed at its first draw (interp.h) */
  I->rng_pending = true;
  I->rng_pending_seed = job->seeds[k];
  FILE *saved_out = I->out;
  char *buf = NULL;
  size_t buflen = 0;
  FILE *mem = capture ? open_memstream(&buf, &buflen) : NULL;
  if (mem) I->out = mem;
  Recording rc = {I->recording, list_new(4), v_nil(), job->nvars, job->vars};
  I->recording = &rc;
  PointUndo undo; /* the point starts from the variables as the sweep found them, wherever it runs */
  undo_begin(I, &undo);
  Value v = dlt_call(I, job->body, job->nvars, &job->coords[k * (size_t)job->nvars], &job->node->span);
  undo_end(I, &undo);
  I->recording = rc.outer;
  I->rng = saved_rng;
  I->rng_pending = saved_pending;
  I->rng_pending_seed = saved_seed;
  if (mem) {
    fclose(mem);
    I->out = saved_out;
    r->output = buf;
  }
  if (IS_NIL(rc.cur) == false) list_push(AS_LIST(rc.rows), rc.cur);
  if (IS_ABRUPT(v) && I->exit_request) { /* exit(code) in the body: the program ends here */
    val_release(rc.rows);
    r->status = POINT_EXIT;
    r->exit_request = I->exit_request;
  } else if (IS_ABRUPT(v)) {
    val_release(rc.rows);
    if (I->signal == SIG_ERROR && diag_take_runtime(I, &r->diag)) {
      r->status = POINT_FAILED;
    } else { /* `return` in the body ends the point early; its rows stand */
      I->signal = SIG_NONE;
      r->status = POINT_FAILED;
      r->diag.kind = DIAG_RUNTIME;
      r->diag.span = job->node->span;
      r->diag.msg = dlt_xstrdup("the sweep body ended abnormally");
    }
    /* say which point failed: the error's location is inside the body */
    StrBuf b = STRBUF_INIT;
    if (r->diag.note) sb_printf(&b, "%s; ", r->diag.note);
    sb_printf(&b, "in sweep point %s", job->keys[k]);
    free(r->diag.note);
    r->diag.note = sb_take(&b);
  } else {
    val_release(v);
    r->rows = rc.rows;
    r->status = POINT_OK;
  }
  r->done = true;
  job->ndone++;
  return !dlt_interrupted && r->status != POINT_EXIT;
}

/* ------------------------------------------------------------------ progress */
static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void sweep_progress(SweepJob *job) {
  if (!job->progress) return;
  static double last;
  double t = now_seconds();
  /* a sweep that ends within half a second draws nothing; after that, ten updates a second */
  if (t - job->t0 < 0.5 || (job->ndone < job->npoints && t - last < 0.1)) return;
  last = t;
  job->drawn = true;
  double el = t - job->t0, rate = el > 0 ? (double)job->ndone / el : 0;
  fprintf(stderr, "\r\033[Ksweep: %zu/%zu points", job->ndone, job->npoints);
  if (rate > 0) {
    fprintf(stderr, ", %.3g points/s", rate);
    double left = (double)(job->npoints - job->ndone) / rate;
    if (job->ndone == job->npoints) {
    } else if (left < 1) fprintf(stderr, ", under 1 s left");
    else if (left < 120) fprintf(stderr, ", %.0f s left", left);
    else if (left < 7200) fprintf(stderr, ", %.0f min left", left / 60);
    else fprintf(stderr, ", %.1f h left", left / 3600);
  }
  fflush(stderr);
}

static void progress_end(SweepJob *job) {
  if (!job->progress || !job->drawn) return;
  fprintf(stderr, "\r\033[K");
  fflush(stderr);
}

/* ------------------------------------------------------------------ the grid */
/* An axis's values, with a zipped axis's items split into their components (arity per item). */
typedef struct Axis {
  size_t n;
  int arity;
  Value *vals; /* n × arity owned values */
} Axis;

static bool axis_values(Interp *I, Node *iter, int arity, Axis *ax) {
  ax->n = 0;
  ax->arity = arity;
  ax->vals = NULL;
  Value src = eval_node(I, iter);
  if (IS_ABRUPT(src)) return false;
  Iter it;
  if (!iter_init(I, &it, src, &iter->span)) {
    val_release(src);
    return false;
  }
  ax->vals = dlt_xmalloc((it.n ? it.n : 1) * (size_t)arity * sizeof(Value));
  for (size_t i = 0; i < it.n; i++) {
    Value x = iter_item(&it, i);
    if (arity == 1) {
      ax->vals[ax->n++] = x;
      continue;
    }
    Iter parts;
    bool ok = (IS_LIST(x) || IS_MAT(x) || IS_RANGE(x)) && iter_init(I, &parts, x, &iter->span);
    if (!ok || parts.n != (size_t)arity) {
      if (!ok && I->signal == SIG_ERROR) diags_clear(I);
      dlt_error(I, &iter->span, "item %zu of a zipped axis must have %d entries (one per variable), got %s", i + 1, arity,
                val_type_name(x));
      if (ok) dlt_error_note(I, "it has %zu", parts.n);
      val_release(x);
      for (size_t j = 0; j < ax->n * (size_t)arity; j++) val_release(ax->vals[j]);
      free(ax->vals);
      val_release(src);
      return false;
    }
    for (int j = 0; j < arity; j++) ax->vals[ax->n * (size_t)arity + (size_t)j] = iter_item(&parts, (size_t)j);
    ax->n++;
    val_release(x);
  }
  val_release(src);
  return true;
}

static void job_free(SweepJob *job) {
  for (size_t k = 0; k < job->npoints; k++) {
    if (job->results) point_result_clear(&job->results[k]);
    free(job->keys[k]);
  }
  free(job->results);
  free(job->keys);
  free(job->seeds);
  free(job->coords); /* borrowed from the axes */
  if (job->rng) gsl_rng_free(job->rng);
  val_release(job->body);
}

/* The options written among the axes: store="runs.db", keep_going=true. */
static bool sweep_options(Interp *I, Node *n, const char **store, Value *store_v, bool *keep_going) {
  for (int i = 0; i < n->u.sweep.opts.n; i++) {
    const char *name = n->u.sweep.optnames[i];
    Value v = eval_node(I, n->u.sweep.opts.items[i]);
    if (IS_ABRUPT(v)) return false;
    const Span *sp = &n->u.sweep.opts.items[i]->span;
    if (strcmp(name, "store") == 0) {
      if (!IS_STR(v)) {
        val_release(v);
        dlt_error(I, sp, "store= names the run store's file (a string)");
        return false;
      }
      val_set(store_v, v);
      *store = AS_STR(v)->s;
    } else if (strcmp(name, "keep_going") == 0) {
      if (!IS_BOOL(v)) {
        val_release(v);
        dlt_error(I, sp, "keep_going= is true or false");
        return false;
      }
      *keep_going = AS_BOOL(v);
    } else {
      val_release(v);
      dlt_error(I, &n->u.sweep.optspans[i], "a sweep has no option '%s' (options: store=, keep_going=)", name);
      return false;
    }
  }
  return true;
}

static char *point_key(int nvars, char **vars, const Value *coords) {
  StrBuf b = STRBUF_INIT;
  for (int j = 0; j < nvars; j++) {
    if (j) sb_puts(&b, ", ");
    sb_puts(&b, vars[j]);
    sb_putc(&b, '=');
    val_print(&b, coords[j], PRINT_REPR | PRINT_INLINE);
  }
  return sb_take(&b);
}

void sweep_table_add_point(Interp *I, Table *t, int nvars, const Value *c, const PointResult *r) {
  if (r->status == POINT_FAILED) {
    size_t row = table_add_rows(t, 1);
    for (int j = 0; j < nvars; j++) table_set(t, row, j, c[j]);
    const char *file = r->diag.span.file < (uint32_t)I->nsources ? I->sources[r->diag.span.file]->name : "?";
    Value msg = str_printf("%s:%u:%u: %s", file, r->diag.span.line, r->diag.span.col, r->diag.msg ? r->diag.msg : "error");
    table_set(t, row, table_add_col(t, "error"), msg);
    val_release(msg);
    return;
  }
  List *rows = AS_LIST(r->rows);
  for (size_t i = 0; i < rows->n; i++) {
    size_t row = table_add_rows(t, 1);
    for (int j = 0; j < nvars; j++) table_set(t, row, j, c[j]);
    Record *rec = AS_RECORD(rows->items[i]);
    for (size_t f = 0; f < rec->n; f++) table_set(t, row, table_add_col(t, rec->keys[f]->s), rec->vals[f]);
  }
}

/* The table: sweep variables first, then recorded names in order of first appearance; with
 * keep_going, failed points are rows with an `error` column holding the located message. */
static Value assemble(SweepJob *job) {
  Table *t = table_new();
  for (int j = 0; j < job->nvars; j++) {
    int c = table_add_col(t, job->vars[j]); /* may move t->cols */
    t->cols[c].grid = true;
  }
  for (size_t k = 0; k < job->npoints; k++)
    sweep_table_add_point(job->I, t, job->nvars, &job->coords[k * (size_t)job->nvars], &job->results[k]);
  return v_obj(t);
}

/* Print what points computed elsewhere printed, in grid order, up to the first not done. */
static void emit_outputs(SweepJob *job, size_t *next) {
  while (*next < job->npoints && job->results[*next].done && job->results[*next].status != POINT_UNSENDABLE) {
    PointResult *r = &job->results[*next];
    if (r->output) {
      fputs(r->output, job->I->out);
      free(r->output);
      r->output = NULL;
    }
    if ((r->status == POINT_FAILED && !job->keep_going) || r->status == POINT_EXIT) break;
    (*next)++;
  }
}

/* Seconds of points the main process runs before it starts workers (see sweep_eval). */
#define QUICK_SWEEP_SECONDS 0.002

typedef enum { RUN_ALL_DONE, RUN_OUT_OF_TIME, RUN_STOPPED } RunHere;

/* Runs the points not yet done, in order, in this process, until they are all done, one fails
 * (without keep_going) or the program is ending (RUN_STOPPED), or `budget` seconds have passed
 * (RUN_OUT_OF_TIME, checked before each point). */
static RunHere run_here(SweepJob *job, size_t *next, SweepStore *store, bool keep_going, double budget) {
  double t0 = now_seconds();
  for (size_t k = 0; k < job->npoints; k++) {
    PointResult *r = &job->results[k];
    if (r->done && r->status != POINT_UNSENDABLE) continue;
    if (budget < INFINITY && now_seconds() - t0 > budget) return RUN_OUT_OF_TIME;
    emit_outputs(job, next);
    if (*next < k) return RUN_STOPPED; /* an earlier point failed */
    job->ndone -= r->done;
    /* with a store, the output is kept with the point so a resumed run prints it again */
    bool go_on = sweep_run_point(job, k, store != NULL);
    if (store && r->status == POINT_OK) store_save(store, job, k);
    sweep_progress(job);
    if (!go_on || (r->status == POINT_FAILED && !keep_going)) return RUN_STOPPED;
  }
  return RUN_ALL_DONE;
}

Value eval_sweep(Interp *I, Node *n) {
  const char *store_path = dlt_sweep_config.store;
  Value store_v = v_nil();
  bool keep_going = dlt_sweep_config.keep_going;
  if (!sweep_options(I, n, &store_path, &store_v, &keep_going)) return v_abrupt();

  int naxes = n->u.sweep.iters.n;
  Axis *axes = dlt_xcalloc((size_t)(naxes ? naxes : 1), sizeof(Axis));
  Value result = v_abrupt();
  SweepJob job;
  memset(&job, 0, sizeof job);
  job.body = v_nil();
  Value filter = v_nil();
  SweepStore *store = NULL;
  double total = 1;
  int got = 0;
  for (; got < naxes; got++) {
    if (!axis_values(I, n->u.sweep.iters.items[got], n->u.sweep.arity[got], &axes[got])) goto out;
    total *= (double)axes[got].n;
  }
  if (total > 1e7) { /* each point keeps its coordinates, key and result until the table is built */
    dlt_error(I, &n->span, "this sweep has %s points; the limit is 10^7 (split it into several sweeps)",
              num_text(total).s);
    goto out;
  }
  FnProto *proto = n->u.sweep.body->u.lambda.proto;
  job.I = I;
  job.node = n;
  job.nvars = proto->nparams;
  job.vars = proto->params;
  job.keep_going = keep_going;
  job.body = make_closure(I, proto);
  if (n->u.sweep.filter) filter = make_closure(I, n->u.sweep.filter->u.lambda.proto);

  /* the points, in grid order, that pass the condition */
  size_t npts = (size_t)total, cap = npts ? npts : 1;
  job.coords = dlt_xmalloc(cap * (size_t)(job.nvars ? job.nvars : 1) * sizeof(Value));
  job.keys = dlt_xmalloc(cap * sizeof(char *));
  job.seeds = dlt_xmalloc(cap * sizeof(uint32_t));
  size_t *digit = dlt_xcalloc((size_t)(naxes ? naxes : 1), sizeof(size_t));
  for (size_t p = 0; p < npts; p++) {
    size_t rem = p;
    for (int a = naxes - 1; a >= 0; a--) {
      digit[a] = rem % axes[a].n;
      rem /= axes[a].n;
    }
    Value *c = &job.coords[job.npoints * (size_t)job.nvars];
    int j = 0;
    for (int a = 0; a < naxes; a++)
      for (int q = 0; q < axes[a].arity; q++) c[j++] = axes[a].vals[digit[a] * (size_t)axes[a].arity + (size_t)q];
    if (!IS_NIL(filter)) {
      Value keep = dlt_call(I, filter, job.nvars, c, &n->u.sweep.filter->span);
      if (IS_ABRUPT(keep)) {
        free(digit);
        goto out;
      }
      int t = val_truthy(I, keep, &n->u.sweep.filter->span);
      val_release(keep);
      if (t < 0) {
        free(digit);
        goto out;
      }
      if (!t) continue;
    }
    job.keys[job.npoints] = point_key(job.nvars, job.vars, c);
    job.seeds[job.npoints] = seed_for_point(I->seed, job.keys[job.npoints]);
    job.npoints++;
  }
  free(digit);
  job.results = dlt_xcalloc(job.npoints ? job.npoints : 1, sizeof(PointResult));
  for (size_t k = 0; k < job.npoints; k++) job.results[k].rows = v_nil();

  bool nested = I->recording != NULL || I->in_worker;
  job.progress = !nested && !dlt_sweep_config.quiet && isatty(2) && job.npoints > 1;
  job.t0 = now_seconds();
  if (store_path && !nested) {
    store = store_open(I, store_path, &n->span);
    if (!store || !store_begin(store, &job, &n->span)) goto out;
    job.store = store;
    for (size_t k = 0; k < job.npoints; k++)
      if (store_load(store, &job, k)) job.ndone++;
    if (job.ndone && !dlt_sweep_config.quiet && dlt_primary_process())
      fprintf(stderr, "dlt: sweep at %s:%u: %zu of %zu points are in %s already\n", I->sources[n->span.file]->name,
              n->span.line, job.ndone, job.npoints, store_path);
  }

  size_t remaining = job.npoints - job.ndone;
  fflush(I->out);
  size_t next = 0;
  if (!nested && dlt_sweep_config.mpi_size > 1 && sweep_run_mpi && remaining > 0) {
    if (!sweep_run_mpi(&job)) goto out;
  } else if (!nested && dlt_sweep_config.jobs > 1 && remaining > 1) {
    /* Many points: the first ones run here until they have taken QUICK_SWEEP_SECONDS. A sweep
     * whose points all fit in that never forks: two workers cost about a millisecond to start,
     * more than a thousand trivial points take here. Only with many points, so that the point
     * run here before the workers start is a small share of the work when points are slow. */
    RunHere ran = RUN_OUT_OF_TIME;
    if (remaining >= 32 * (size_t)dlt_sweep_config.jobs) ran = run_here(&job, &next, store, keep_going, QUICK_SWEEP_SECONDS);
    if (ran == RUN_OUT_OF_TIME && !sweep_run_workers(&job, dlt_sweep_config.jobs)) goto out;
  }
  /* what is left runs here, in order: everything when serial, and points a worker could not send
   * back (a recorded network, say), recomputed with the same seed */
  run_here(&job, &next, store, keep_going, INFINITY);
  emit_outputs(&job, &next);
  progress_end(&job);
  for (size_t k = 0; k < job.npoints; k++) {
    PointResult *r = &job.results[k];
    if (!r->done) continue;
    if (r->status == POINT_EXIT) {
      I->exit_request = r->exit_request;
      I->signal = SIG_ERROR;
      goto out;
    }
    if (r->status == POINT_FAILED && (!keep_going || dlt_interrupted)) {
      diag_raise(I, r->diag);
      memset(&r->diag, 0, sizeof r->diag);
      goto out;
    }
  }
  if (dlt_interrupted) {
    dlt_error(I, &n->span, "interrupted");
    goto out;
  }
  result = assemble(&job);

out:
  if (store) store_close(store);
  val_release(store_v);
  val_release(filter);
  job_free(&job);
  for (int a = 0; a < got; a++) {
    for (size_t j = 0; j < axes[a].n * (size_t)axes[a].arity; j++) val_release(axes[a].vals[j]);
    free(axes[a].vals);
  }
  free(axes);
  return result;
}
