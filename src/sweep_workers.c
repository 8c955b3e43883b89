/* sweep_workers.c - a sweep's points in forked worker processes (dlt --jobs N).
 *
 * fork() gives each worker the whole interpreter as it is at the sweep, so the body, its closures
 * and every global are there without being sent anywhere. The parent hands out point numbers in
 * grid order over a pipe per worker, and reads back each point's result as bytes (codec.c): its
 * rows, what it printed, or its error. A message is a u32 length and the bytes; the point number -1
 * tells a worker to finish.
 *
 * How many points a worker has in hand at once adapts to how long points take: one while points
 * are slow (so a slow point does not hold up the others), up to WORKER_QUEUE while they take well
 * under a millisecond, so that a worker goes from one point to the next without waiting for the
 * parent. One at a time, a 1000-point sweep of trivial points spent 20-35 µs a point in pipe round
 * trips and context switches (bench/README.md).
 */
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sweep.h"

enum { WORKER_QUEUE = 32 };

typedef struct Worker {
  pid_t pid;
  int cmd;     /* parent writes point numbers */
  int res;     /* parent reads results */
  long point;  /* the point being computed (the oldest handed out), or -1 */
  long queue[WORKER_QUEUE]; /* the points handed out, oldest first: results come back in this order */
  int nqueued;
  char *in;                 /* bytes read from res and not yet used: results come several per read */
  size_t nin, capin;
} Worker;

static bool write_all(int fd, const void *p, size_t n) {
  const char *s = p;
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    s += w;
    n -= (size_t)w;
  }
  return true;
}

static bool read_all(int fd, void *p, size_t n) {
  char *s = p;
  while (n > 0) {
    ssize_t r = read(fd, s, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    s += r;
    n -= (size_t)r;
  }
  return true;
}

/* Ctrl-C at a terminal reaches a worker twice (the terminal's and the one the parent passes on),
 * so a worker stops at its next check, and only a third (the user pressing Ctrl-C again) ends
 * it at once, as the second does in the parent (main.c). */
static volatile sig_atomic_t worker_sigints;
static void worker_on_sigint(int sig) {
  if (++worker_sigints >= 3) {
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  dlt_interrupted = 1;
}

/* The worker: compute the points it is given until told to stop. */
static void worker_loop(SweepJob *job, int cmd, int res) {
  uint32_t in[WORKER_QUEUE + 1];
  size_t have = 0, used = 0; /* point numbers read (several per read when queued) and taken */
  for (;;) {
    if (used == have) {
      ssize_t r;
      do r = read(cmd, in, sizeof in);
      while (r < 0 && errno == EINTR);
      if (r <= 0) return;
      size_t got = (size_t)r;
      while (got % 4 && read_all(cmd, (char *)in + got, 1)) got++; /* writes are whole numbers, but be sure */
      if (got % 4) return;
      have = got / 4;
      used = 0;
    }
    uint32_t k = in[used++];
    if (k == 0xffffffffu || k >= job->npoints) return;
    bool go_on = sweep_run_point(job, k, true);
    PointResult *r = &job->results[k];
    StrBuf b = STRBUF_INIT;
    if (!point_result_encode(r, &b)) {
      /* the parent recomputes this point itself; it will print the output then */
      sb_free(&b);
      PointResult u = {.status = POINT_UNSENDABLE, .rows = v_nil()};
      point_result_encode(&u, &b);
    }
    uint32_t len = (uint32_t)b.len;
    StrBuf m = STRBUF_INIT; /* one write per result */
    sb_putn(&m, (const char *)&len, 4);
    sb_putn(&m, b.s ? b.s : "", b.len);
    bool ok = write_all(res, m.s, m.len);
    sb_free(&m);
    sb_free(&b);
    point_result_clear(r);
    if (!ok || !go_on) return;
  }
}

/* Hands out point k (or, k = -1, tells the worker to finish). */
static void send_point(Worker *w, long k) {
  uint32_t x = k < 0 ? 0xffffffffu : (uint32_t)k;
  if (!write_all(w->cmd, &x, 4) || k < 0) return;
  w->queue[w->nqueued++] = k;
  w->point = w->queue[0];
}

/* Hands out points todo[*next ...] until the worker holds `depth` (one write for all of them). */
static void send_points(Worker *w, const size_t *todo, size_t ntodo, size_t *next, int depth) {
  uint32_t out[WORKER_QUEUE];
  int k = 0;
  while (*next < ntodo && w->nqueued + k < depth) out[k++] = (uint32_t)todo[(*next)++];
  if (k == 0) return;
  if (!write_all(w->cmd, out, (size_t)k * 4)) return; /* the worker is gone: its poll says so */
  for (int i = 0; i < k; i++) w->queue[w->nqueued++] = out[i];
  w->point = w->queue[0];
}

/* The oldest point handed out came back: the next one is being computed. */
static void point_returned(Worker *w) {
  memmove(w->queue, w->queue + 1, (size_t)(w->nqueued - 1) * sizeof *w->queue);
  w->nqueued--;
  w->point = w->nqueued ? w->queue[0] : -1;
}

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A worker that vanished: its point fails with an error saying so. */
static void worker_died(SweepJob *job, Worker *w) {
  int status = 0;
  if (w->pid > 0 && waitpid(w->pid, &status, 0) == w->pid) w->pid = -1;
  if (w->point < 0) return;
  PointResult *r = &job->results[w->point];
  point_result_clear(r);
  r->status = POINT_FAILED;
  r->diag.kind = DIAG_RUNTIME;
  r->diag.span = job->node->span;
  if (WIFSIGNALED(status))
    r->diag.msg = dlt_xstrdup(strsignal(WTERMSIG(status)));
  else
    r->diag.msg = dlt_xstrdup("a worker process ended unexpectedly");
  StrBuf b = STRBUF_INIT;
  sb_printf(&b, "a worker process died computing sweep point %s (%s)", job->keys[w->point], r->diag.msg);
  free(r->diag.msg);
  r->diag.msg = sb_take(&b);
  r->done = true;
  job->ndone++;
  /* the points queued behind it were never started: the parent runs them after the sweep loop */
  w->point = -1;
  w->nqueued = 0;
}

bool sweep_run_workers(SweepJob *job, int nworkers) {
  Interp *I = job->I;
  size_t *todo = dlt_xmalloc(job->npoints * sizeof(size_t));
  size_t ntodo = 0, next = 0;
  for (size_t k = 0; k < job->npoints; k++)
    if (!job->results[k].done) todo[ntodo++] = k;
  if ((size_t)nworkers > ntodo) nworkers = (int)ntodo;
  Worker *ws = dlt_xcalloc((size_t)nworkers, sizeof(Worker));
  int started = 0;
  fflush(NULL);
  void (*saved_pipe)(int) = signal(SIGPIPE, SIG_IGN);
  for (int i = 0; i < nworkers; i++) {
    int cmd[2], res[2];
    if (pipe(cmd) != 0) break;
    if (pipe(res) != 0) {
      close(cmd[0]);
      close(cmd[1]);
      break;
    }
    pid_t pid = fork();
    if (pid < 0) {
      close(cmd[0]);
      close(cmd[1]);
      close(res[0]);
      close(res[1]);
      break;
    }
    if (pid == 0) {
      signal(SIGPIPE, SIG_DFL);
      /* dlt's own handler ends the process at a second Ctrl-C not yet noticed (main.c), and a
       * worker gets two for one keypress: the point failed as "a worker process died ...
       * (Interrupt)" instead of "interrupted" when the parent's came first (worker_on_sigint) */
      struct sigaction sa;
      memset(&sa, 0, sizeof sa);
      sa.sa_handler = worker_on_sigint;
      sigemptyset(&sa.sa_mask);
      sigaction(SIGINT, &sa, NULL);
      for (int j = 0; j < started; j++) {
        close(ws[j].cmd);
        close(ws[j].res);
      }
      close(cmd[1]);
      close(res[0]);
      I->in_worker = true;
      worker_loop(job, cmd[0], res[1]);
      _exit(0);
    }
    close(cmd[0]);
    close(res[1]);
    ws[started] = (Worker){.pid = pid, .cmd = cmd[1], .res = res[0], .point = -1, .nqueued = 0};
    started++;
  }
  /* with no worker at all, the caller runs every point here */
  bool stop = false;
  for (int i = 0; i < started && next < ntodo; i++) send_point(&ws[i], (long)todo[next++]);
  /* points in hand per worker: enough for about 2 ms of work, once the first points say how long
   * a point takes (wall time per point per worker, round trips included) */
  int depth = 1;
  size_t returned = 0;
  double t0 = seconds();
  struct pollfd *pfd = dlt_xcalloc((size_t)(started ? started : 1), sizeof(struct pollfd));
  for (;;) {
    int nbusy = 0;
    for (int i = 0; i < started; i++) {
      /* stopping: wait only for the points being computed; the ones queued behind stay undone (a
       * worker that stops after an exit() or Ctrl-C never answers them) */
      if (stop && ws[i].nqueued > 1) ws[i].nqueued = 1;
      pfd[i].fd = ws[i].point >= 0 ? ws[i].res : -1;
      pfd[i].events = POLLIN;
      pfd[i].revents = 0;
      nbusy += ws[i].point >= 0;
    }
    if (nbusy == 0) break;
    int rc = poll(pfd, (nfds_t)started, 200);
    if (rc < 0 && errno != EINTR) break;
    if (dlt_interrupted && !stop) {
      /* Ctrl-C: a terminal sends it to the workers too, `kill -INT` only to us: pass it on so the
       * points being computed stop at their next check, and hand out no more */
      for (int i = 0; i < started; i++)
        if (ws[i].pid > 0 && ws[i].point >= 0) kill(ws[i].pid, SIGINT);
      stop = true;
    }
    for (int i = 0; rc > 0 && i < started; i++) {
      if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Worker *w = &ws[i];
      /* everything the worker has written so far, in one read */
      if (w->capin - w->nin < 65536) {
        w->capin = w->nin + 65536 > 2 * w->capin ? w->nin + 65536 : 2 * w->capin;
        w->in = dlt_xrealloc(w->in, w->capin);
      }
      ssize_t got;
      do got = read(w->res, w->in + w->nin, w->capin - w->nin);
      while (got < 0 && errno == EINTR);
      if (got <= 0) { /* gone, with its point unanswered */
        worker_died(job, w);
        sweep_progress(job);
        continue;
      }
      w->nin += (size_t)got;
      size_t used = 0;
      while (w->point >= 0 && w->nin - used >= 4) {
        uint32_t len;
        memcpy(&len, w->in + used, 4);
        if (w->nin - used - 4 < len) break; /* the rest of this result is still coming */
        long k = w->point;
        PointResult *r = &job->results[k];
        point_result_clear(r);
        if (!point_result_decode(w->in + used + 4, len, r)) r->status = POINT_UNSENDABLE;
        used += 4 + (size_t)len;
        r->done = true;
        job->ndone++;
        if (r->status == POINT_OK && job->store) store_save(job->store, job, (size_t)k);
        if ((r->status == POINT_FAILED && !job->keep_going) || r->status == POINT_EXIT) stop = true;
        point_returned(w);
        returned++;
        if (returned % 16 == 0 || returned == (size_t)started) {
          double per_point = (seconds() - t0) * started / (double)returned;
          depth = per_point > 0 && per_point < 2e-3 / WORKER_QUEUE ? WORKER_QUEUE
                  : per_point > 0 && per_point < 1e-3 ? (int)(2e-3 / per_point) : 1;
        }
        if (stop && w->nqueued > 1) w->nqueued = 1;
      }
      memmove(w->in, w->in + used, w->nin - used);
      w->nin -= used;
      sweep_progress(job);
      if (!stop && w->pid > 0) send_points(w, todo, ntodo, &next, depth);
    }
  }
  for (int i = 0; i < started; i++) {
    if (ws[i].pid > 0) send_point(&ws[i], -1);
    close(ws[i].cmd);
    close(ws[i].res);
  }
  for (int i = 0; i < started; i++)
    if (ws[i].pid > 0) {
      if (dlt_interrupted) kill(ws[i].pid, SIGTERM);
      while (waitpid(ws[i].pid, NULL, 0) < 0 && errno == EINTR) {}
    }
  signal(SIGPIPE, saved_pipe);
  for (int i = 0; i < started; i++) free(ws[i].in);
  free(pfd);
  free(ws);
  free(todo);
  return true;
}
