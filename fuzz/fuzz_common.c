/* fuzz_common.c - the scratch directory and the big-stack thread of the fuzz targets. */
#include "fuzz_common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

#include "interp.h"

#define INTERP_STACK_BYTES ((size_t)1 << 27) /* as src/main.c */

static char sandbox[PATH_MAX];

const char *fuzz_sandbox_dir(void) { return sandbox; }

void fuzz_sandbox_clean(void) {
  DIR *d = opendir(sandbox);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) unlinkat(dirfd(d), e->d_name, 0);
  closedir(d);
}

static void sandbox_remove(void) {
  fuzz_sandbox_clean();
  rmdir(sandbox);
}

void fuzz_sandbox_init(void) {
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp) tmp = "/tmp";
  char *real = realpath(tmp, NULL);
  snprintf(sandbox, sizeof sandbox, "%s/dlt-fuzz-XXXXXX", real ? real : tmp);
  free(real);
  if (!mkdtemp(sandbox)) {
    fprintf(stderr, "fuzz: cannot create a scratch directory %s: %s\n", sandbox, strerror(errno));
    abort();
  }
  setenv("TMPDIR", sandbox, 1);
  atexit(sandbox_remove);
}

char *fuzz_sandbox_path(const char *path) {
  size_t n = strlen(sandbox);
  if (strncmp(path, sandbox, n) == 0 && path[n] == '/' && path[n + 1] && !strchr(path + n + 1, '/') &&
      strcmp(path + n + 1, "..") != 0 && strcmp(path + n + 1, ".") != 0)
    return strdup(path);
  if (strchr(path, '/') || strcmp(path, ".") == 0 || strcmp(path, "..") == 0) return NULL;
  if (!*path) return strdup(""); /* fails to open, as it would anywhere */
  size_t len = n + 1 + strlen(path) + 1;
  char *p = malloc(len);
  if (p) snprintf(p, len, "%s/%s", sandbox, path);
  return p;
}

char *fuzz_copy_input(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) abort();
  memcpy(text, data, size);
  text[size] = '\0';
  return text;
}

/* One worker thread with the big stack, started on first use, runs every input: creating a thread
 * per input would map and poison (ASan) 128 MiB of stack each time. The calling (libFuzzer's)
 * thread waits for it as a watchdog. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t posted = PTHREAD_COND_INITIALIZER, finished;
static void *(*job_fn)(void *);
static void *job_arg;
static bool job_pending;
static pthread_t worker_thread;

static void *worker(void *unused) {
  (void)unused;
  pthread_mutex_lock(&lock);
  for (;;) {
    while (!job_pending) pthread_cond_wait(&posted, &lock);
    pthread_mutex_unlock(&lock);
    job_fn(job_arg);
    pthread_mutex_lock(&lock);
    job_pending = false;
    pthread_cond_signal(&finished);
  }
  return NULL;
}

/* libFuzzer reports a timeout with the stack of its own thread, which is only waiting here: the
 * worker prints where it is when the watchdog sends it SIGUSR1. */
static void print_worker_stack(int sig) {
  (void)sig;
  static const char msg[] = "==fuzz== the input is still running after the interrupt; the worker thread is at:\n";
  if (write(2, msg, sizeof msg - 1) < 0) return;
  __sanitizer_print_stack_trace();
}

static double env_seconds(const char *name, double dflt) {
  const char *v = getenv(name);
  char *end;
  double x = v && *v ? strtod(v, &end) : dflt;
  return v && *v && (*end || !(x >= 0)) ? dflt : x;
}

static void add_seconds(struct timespec *t, double s) {
  t->tv_sec += (time_t)s;
  t->tv_nsec += (long)((s - (double)(time_t)s) * 1e9);
  if (t->tv_nsec >= 1000000000L) {
    t->tv_sec++;
    t->tv_nsec -= 1000000000L;
  }
}

void fuzz_run_deep(void *(*fn)(void *), void *arg, bool interrupt) {
  static int started; /* 1: the worker runs; -1: it could not be started, run here */
  static double interrupt_after, stack_after;
  if (!started) {
    interrupt_after = env_seconds("FUZZ_INTERRUPT_AFTER", 1.0);
    stack_after = env_seconds("FUZZ_STACK_AFTER", 10.0);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&finished, &ca);
    pthread_condattr_destroy(&ca);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = print_worker_stack;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    pthread_attr_t attr;
    started = pthread_attr_init(&attr) == 0 && pthread_attr_setstacksize(&attr, INTERP_STACK_BYTES) == 0 &&
                      pthread_create(&worker_thread, &attr, worker, NULL) == 0
                  ? 1
                  : -1;
    pthread_attr_destroy(&attr);
  }
  if (started < 0) {
    fn(arg);
    return;
  }
  struct timespec start, t;
  clock_gettime(CLOCK_MONOTONIC, &start);
  pthread_mutex_lock(&lock);
  job_fn = fn;
  job_arg = arg;
  job_pending = true;
  pthread_cond_signal(&posted);
  int stage = interrupt && interrupt_after > 0 ? 0 : 1; /* 0: before the interrupt, 1: before the stack, 2: after */
  while (job_pending) {
    if (stage == 2) {
      pthread_cond_wait(&finished, &lock);
      continue;
    }
    t = start;
    add_seconds(&t, stage == 0 ? interrupt_after : stack_after);
    if (pthread_cond_timedwait(&finished, &lock, &t) == ETIMEDOUT && job_pending) {
      if (stage == 0) dlt_interrupted = 1; /* as Ctrl-C would: the program stops with an error */
      else pthread_kill(worker_thread, SIGUSR1);
      stage++;
    }
  }
  pthread_mutex_unlock(&lock);
  dlt_interrupted = 0;
}
