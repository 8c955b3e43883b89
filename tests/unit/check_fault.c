/* check_fault.c - every builtin of the registry, called with hostile arguments, must give a value or
 * a located DLT error: never a crash, an abort, a hang, a sanitizer report or a leaked matrix.
 *
 * Why a Check test in C and not a generated DLT program: it walks the registry itself (a builtin
 * added tomorrow is covered without editing a list), runs some 10^5 calls in one process (a program
 * per call would spend minutes starting processes), arms a watchdog around each call, reads the
 * Diag of each error to check that it is located, and compares the bytes held by values before and
 * after each call (a leak on an error path shows at once, without valgrind). A crash still ends the
 * process, so the call being made is written to stderr first (signal handlers and the sanitizers'
 * death callback).
 *
 * For each builtin and arity (min..max, at most 4 arguments):
 *   1. "diagonal" calls: every argument the same hostile value;
 *   2. bases: argument tuples drawn from a pool of sensible values that the builtin accepts, found
 *      by an odometer search that skips ahead when an error is located at an earlier argument;
 *   3. each base with one argument replaced by each hostile value, and with each accepted keyword
 *      set to each hostile value.
 * Hostile values: nil, bools, strings (empty, a directory, a missing path), 0, -1, NaN, ±Inf, huge
 * numbers (1e9, 2^62, 1e300 as sizes), empty matrices (0×0, 0×3, 3×0), matrices with NaN/Inf,
 * singular and 1e308 matrices, mismatched shapes, empty and mixed lists, records, ranges (empty and
 * 10^9 long), functions that error, loop forever, return NaN, strings or the wrong shape, and the
 * domain values (network, kernel, measure, table, plot).
 *
 * Limits per call: 256 MiB of values and 200000 steps (interp_set_limits), and a watchdog that sends
 * the interpreter a Ctrl-C after 2 s (an interrupted call is fine: it ended with a located error)
 * and fails the test if the call has not returned 60 s later (a hang that ignores Ctrl-C).
 *
 * Side effects are sandboxed: the test runs in a fresh temporary directory (TMPDIR too), so
 * write_csv, write_json, save, tempfile and remove_file touch only files there; exit(code) only
 * sets a request the test clears; print output goes to /dev/null. Nothing is skipped.
 *
 * DLT_FAULT=quick (the default under DLT_WRAPPER, i.e. valgrind) tries one base per builtin and
 * every third hostile value (a different third for consecutive builtins); DLT_FAULT=full (the
 * default otherwise) everything; DLT_FAULT=off nothing. DLT_FAULT_ONLY=name restricts the registry
 * test to one builtin (DLT_FAULT_ONLY=alloc: only the allocation-failure test). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "check_suites.h"
#include "interp.h"
#include "parse.h"

/* the sanitizers' runtime, when linked in (weak: absent from a plain build) */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

/* ------------------------------------------------------------------ the values */
/* hostile values: fz_0, fz_1, ... */
static const char *const fault_pool[] = {
  "nil", "true", "false", "\"\"", "\"abc\"", "\".\"", "\"/nonexistent/dir/x.csv\"",
  "0", "-1", "0.5", "2", "3", "-2.5", "nan", "inf", "-inf", "1e-300", "1e9", "-1e9", "2^62", "1e300",
  "zeros(0, 0)", "zeros(0, 3)", "zeros(3, 0)", "[nan, 1, 2]", "[inf, 1, -inf]", "[1, 2, 3]", "[1, 2]",
  "[[1, 2], [3, 4]]", "[[1, 2, 3]]", "[[nan, 1], [1, nan]]", "[[1, 2], [2, 4]]", "[[1e308, -1e308], [1e308, 1e308]]",
  "[[0, 0], [0, 0]]", "ones(40, 30)", "[[1, 2], [3, 4], [5, 6]] > 2",
  "list()", "list(1, \"a\", nil)", "list([1, 2], [1, 2, 3])", "{}", "{a: 1, b: \"x\"}", "1..3", "1..0", "1..1000000000",
  "fn(x) => x", "fn(x, y) => x + y", "fn() => 1", "fn(x) => error(\"boom\")", "fn(x) => nan", "fn(x) => \"s\"",
  "fn(x) => zeros(0, 0)", "fn(x) { while true { } }", "fn(x) => [1, 2, 3]", "sin",
  "mlp(2, [3], 1, seed=1)", "mlp(1, [2, 2], 3, act=\"tanh\", seed=2)", "rbf()", "normal()", "sphere(2)",
  "discrete([1, 2], weights=[0.5, 0.5])", "signed_discrete([1, 2], [1, -1])", "table(a=[1, 2, 3], b=[4, 5, 6])",
  "table(a=zeros(0, 1))", "plot([1, 2], [3, 4])", NULL,
};

/* sensible values for finding argument tuples a builtin accepts: bs_0, bs_1, ... */
static const char *const base_pool[] = {
  "[1, 2, 3]", "[[1, 2], [3, 4], [5, 6]]", "[[2, 1], [1, 2]]", "2", "0.5", "fn(x) => x^2",
  "mlp(2, [3], 1, seed=1)", "rbf()", "normal()", "table(x=[1, 2, 3], y=[2, 4, 7])", "\"relu\"", "\"a\"",
  "list(1, 2)", "{a: 1}", "true", "1..3", "sin", "fn(x, y) => x * y", "[0.2, 0.3, 0.5]", NULL,
};

#define MAXK 4

/* ------------------------------------------------------------------ crash reporting */
static char current_call[16384];
static const char *current_builtin = "";

static void say_current(const char *what) {
  char buf[17000];
  int n = snprintf(buf, sizeof buf, "\ncheck_fault: %s during: %s\n", what, current_call);
  if (n > (int)sizeof buf) n = (int)sizeof buf;
  ssize_t r = write(2, buf, (size_t)n);
  (void)r;
}

static struct sigaction old_actions[32];
/* Say which call crashed, then give the signal back to whoever had it (the sanitizers' report, or
 * the default action): it is re-delivered when the handler returns. */
static void on_fatal(int sig, siginfo_t *info, void *uc) {
  (void)info;
  (void)uc;
  say_current(sig == SIGSEGV ? "SIGSEGV" : sig == SIGABRT ? "SIGABRT" : sig == SIGBUS ? "SIGBUS" : "SIGFPE");
  sigaction(sig, &old_actions[sig], NULL);
  raise(sig); /* blocked until we return; a fault also recurs at the faulting instruction */
}

static void on_sanitizer_death(void) { say_current("sanitizer report"); }

static void install_crash_reporting(void) {
  int sigs[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE};
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fatal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(sigs[i], &sa, &old_actions[sigs[i]]);
  }
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(on_sanitizer_death);
}

/* ------------------------------------------------------------------ the watchdog */
static double interrupt_after = 2.0, hang_after = 60.0;
static volatile sig_atomic_t watchdog_fired;

static void on_alarm(int sig) {
  (void)sig;
  if (!watchdog_fired) {
    watchdog_fired = 1;
    dlt_interrupted = 1; /* as Ctrl-C would */
    return;
  }
  say_current("HANG (no return 60 s after the interrupt)");
  _exit(3);
}

static void arm_after(double first) {
  watchdog_fired = 0;
  struct itimerval t;
  t.it_value.tv_sec = (time_t)first;
  t.it_value.tv_usec = (suseconds_t)((first - (double)(time_t)first) * 1e6);
  t.it_interval.tv_sec = (time_t)hang_after;
  t.it_interval.tv_usec = 0;
  setitimer(ITIMER_REAL, &t, NULL);
}

static void arm(void) { arm_after(interrupt_after); }

static void disarm(void) {
  struct itimerval t;
  memset(&t, 0, sizeof t);
  setitimer(ITIMER_REAL, &t, NULL);
  dlt_interrupted = 0;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ------------------------------------------------------------------ one call */
typedef enum { OUT_VALUE, OUT_ERROR } Outcome;

typedef struct Stats {
  long calls, values, errors, interrupted, exits, failures;
  double slowest;
  char slowest_call[512];
  char failures_text[3000]; /* Check truncates longer messages */
} Stats;

static Stats st;
static bool quick;
static const char *only;

static void failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failure(const char *fmt, ...) {
  st.failures++;
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  fprintf(stderr, "check_fault: FAIL: %s\n", line);
  size_t n = strlen(st.failures_text);
  if (st.failures <= 40 && n + strlen(line) + 2 < sizeof st.failures_text) {
    strcat(st.failures_text, line);
    strcat(st.failures_text, "\n");
  }
}

/* The text of the value fz_i or bs_i, for messages. */
static const char *pool_text(const char *name) {
  if (strncmp(name, "fz_", 3) == 0) return fault_pool[atoi(name + 3)];
  if (strncmp(name, "bs_", 3) == 0) return base_pool[atoi(name + 3)];
  return name;
}

/* Call name(args..., kw=kwval) in I. *err_arg: the argument an error is located at (-1: the call
 * or elsewhere). */
static Outcome call(Interp *I, const Builtin *b, int k, const char *const *args, const char *kw, const char *kwval,
                    int *err_arg) {
  char code[1024];
  int cols[MAXK + 1][2];
  int n = snprintf(code, sizeof code, "%s(", b->name);
  for (int i = 0; i < k; i++) {
    if (i) n += snprintf(code + n, sizeof code - (size_t)n, ", ");
    cols[i][0] = n + 1;
    n += snprintf(code + n, sizeof code - (size_t)n, "%s", args[i]);
    cols[i][1] = n;
  }
  if (kw) n += snprintf(code + n, sizeof code - (size_t)n, "%s%s=%s", k ? ", " : "", kw, kwval);
  snprintf(code + n, sizeof code - (size_t)n, ")");

  /* the readable form, for a crash report */
  int m = snprintf(current_call, sizeof current_call, "%s(", b->name);
  for (int i = 0; i < k; i++)
    m += snprintf(current_call + m, sizeof current_call - (size_t)m, "%s%s", i ? ", " : "", pool_text(args[i]));
  if (kw) m += snprintf(current_call + m, sizeof current_call - (size_t)m, "%s%s=%s", k ? ", " : "", kw, pool_text(kwval));
  snprintf(current_call + m, sizeof current_call - (size_t)m, ")");

  size_t bytes_before = dlt_value_bytes;
  I->steps = 0;
  I->exit_request = 0;
  Value result = v_nil();
  double t0 = now();
  arm();
  int rc = interp_run_string(I, "fault", code, &result);
  disarm();
  double dt = now() - t0;
  st.calls++;
  if (dt > st.slowest) {
    st.slowest = dt;
    snprintf(st.slowest_call, sizeof st.slowest_call, "%.500s", current_call);
  }
  *err_arg = -1;
  Outcome out = OUT_VALUE;
  if (I->exit_request) {
    st.exits++;
    I->exit_request = 0;
    out = OUT_ERROR;
  } else if (rc == DLT_EXIT_OK) {
    st.values++;
  } else if (rc == DLT_EXIT_RUNTIME) {
    out = OUT_ERROR;
    st.errors++;
    const Diag *d = NULL;
    for (int i = 0; i < I->ndiags; i++)
      if (I->diags[i].kind == DIAG_RUNTIME) d = &I->diags[i];
    if (!d) {
      failure("%s: exit 4 without a runtime error", current_call);
    } else {
      if (d->span.line < 1 || d->span.col < 1 || d->span.file >= (uint32_t)I->nsources)
        failure("%s: an error without a location: %s", current_call, d->msg);
      if ((!d->msg || !d->msg[0]) && strcmp(b->name, "error") != 0) /* error("") is the user's message */
        failure("%s: an error without a message", current_call);
      if (d->msg && strcmp(d->msg, "interrupted") == 0) st.interrupted++;
      if (d->span.file == (uint32_t)I->nsources - 1 && d->span.line == 1)
        for (int i = 0; i < k; i++)
          if ((int)d->span.col >= cols[i][0] && (int)d->span.col <= cols[i][1]) *err_arg = i;
    }
  } else {
    failure("%s: exit code %d (%s)", current_call, rc, I->ndiags ? I->diags[0].msg : "no message");
    out = OUT_ERROR;
  }
  val_release(result);
  diags_clear(I);
  if (dlt_gsl_pending()) {
    failure("%s: a GSL error was left pending: %s", current_call, dlt_gsl_reason());
    dlt_gsl_clear();
  }
  if (dlt_value_bytes != bytes_before) {
    failure("%s: the values' bytes went from %zu to %zu (a leak%s)", current_call, bytes_before, dlt_value_bytes,
            dlt_value_bytes < bytes_before ? " or a double release" : "");
  }
  return out;
}

/* ------------------------------------------------------------------ the interpreter for one builtin */
static Interp *fresh_interp(FILE *devnull) {
  Interp *I = interp_new();
  I->out = devnull;
  interp_set_limits(I, 200000, (size_t)256 << 20);
  char code[1 << 14];
  size_t n = 0;
  for (int i = 0; fault_pool[i]; i++) n += (size_t)snprintf(code + n, sizeof code - n, "let fz_%d = %s\n", i, fault_pool[i]);
  for (int i = 0; base_pool[i]; i++) n += (size_t)snprintf(code + n, sizeof code - n, "let bs_%d = %s\n", i, base_pool[i]);
  int rc = interp_run_string(I, "fault-setup", code, NULL);
  if (rc != DLT_EXIT_OK) {
    diags_print(I, stderr);
    failure("the fault pools do not evaluate");
    interp_free(I);
    return NULL;
  }
  return I;
}

static int pool_size(const char *const *pool) {
  int n = 0;
  while (pool[n]) n++;
  return n;
}

/* Advance the odometer idx[0..k) at position p (later positions reset); false when exhausted. */
static bool advance(int *idx, int k, int p, int radix) {
  for (int q = p + 1; q < k; q++) idx[q] = 0;
  for (; p >= 0; p--) {
    if (++idx[p] < radix) return true;
    idx[p] = 0;
  }
  return false;
}

static void test_builtin(Interp *I, const Builtin *b, int index) {
  current_builtin = b->name;
  int nf = pool_size(fault_pool), nb = pool_size(base_pool);
  /* quick: every third hostile value, a different third for consecutive builtins */
  int f0 = quick ? index % 3 : 0, fstep = quick ? 3 : 1;
  int kmax = b->max_args < 0 ? b->min_args + 2 : b->max_args;
  if (kmax > MAXK) kmax = MAXK;
  int kmin = b->min_args < MAXK ? b->min_args : MAXK;
  char names[MAXK][16];
  const char *args[MAXK];
  int err_arg;
  for (int k = kmin; k <= kmax; k++) {
    /* 1. diagonal */
    for (int f = f0; f < nf; f += fstep) {
      for (int i = 0; i < k; i++) {
        snprintf(names[i], sizeof names[i], "fz_%d", f);
        args[i] = names[i];
      }
      call(I, b, k, args, NULL, NULL, &err_arg);
    }
    /* 2. bases */
    enum { MAXBASES = 3 };
    int bases[MAXBASES][MAXK], nbases = 0, maxbases = quick ? 1 : MAXBASES;
    int idx[MAXK] = {0};
    int budget = quick ? 300 : 2500;
    bool more = true;
    while (more && budget-- > 0 && nbases < maxbases) {
      for (int i = 0; i < k; i++) {
        snprintf(names[i], sizeof names[i], "bs_%d", idx[i]);
        args[i] = names[i];
      }
      if (call(I, b, k, args, NULL, NULL, &err_arg) == OUT_VALUE) {
        memcpy(bases[nbases++], idx, sizeof idx);
        more = k > 0 && advance(idx, k, 0, nb); /* the next base differs in its first argument */
      } else {
        more = k > 0 && advance(idx, k, err_arg >= 0 ? err_arg : k - 1, nb);
      }
    }
    /* 3. one hostile value at a time */
    for (int s = 0; s < nbases; s++) {
      for (int i = 0; i < k; i++) {
        snprintf(names[i], sizeof names[i], "bs_%d", bases[s][i]);
        args[i] = names[i];
      }
      for (int p = 0; p < k; p++) {
        char keep[16];
        memcpy(keep, names[p], sizeof keep);
        for (int f = f0; f < nf; f += fstep) {
          snprintf(names[p], sizeof names[p], "fz_%d", f);
          call(I, b, k, args, NULL, NULL, &err_arg);
        }
        memcpy(names[p], keep, sizeof keep);
      }
      if (s == 0 && b->kwargs) {
        char kws[512];
        snprintf(kws, sizeof kws, "%s", b->kwargs);
        for (char *save = NULL, *kw = strtok_r(kws, " ", &save); kw; kw = strtok_r(NULL, " ", &save)) {
          if (strcmp(kw, "*") == 0) kw = "col"; /* any keyword: a column name (table, mutate, rename) */
          for (int f = f0; f < nf; f += fstep) {
            char v[16];
            snprintf(v, sizeof v, "fz_%d", f);
            call(I, b, k, args, kw, v, &err_arg);
          }
        }
      }
    }
  }
}

/* ------------------------------------------------------------------ the test */
static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void *run_all(void *unused) {
  (void)unused;
  FILE *devnull = fopen("/dev/null", "w");
  if (!devnull) {
    failure("cannot open /dev/null");
    return NULL;
  }
  int index = 0;
  for (const Module *const *m = dlt_modules; *m; m++)
    for (const Builtin *b = (*m)->fns; b->name; b++) {
      if (only && strcmp(only, b->name) != 0) continue;
      Interp *I = fresh_interp(devnull);
      if (!I) break;
      test_builtin(I, b, index++);
      interp_free(I);
    }
  fclose(devnull);
  return NULL;
}

START_TEST(every_builtin_survives_hostile_arguments) {
  const char *mode = getenv("DLT_FAULT");
  const char *wrapper = getenv("DLT_WRAPPER");
  quick = mode ? strcmp(mode, "quick") == 0 : (wrapper && *wrapper);
  only = getenv("DLT_FAULT_ONLY");
  if ((mode && strcmp(mode, "off") == 0) || (only && strcmp(only, "alloc") == 0)) return;
  if (wrapper && *wrapper) { /* valgrind: everything is some 30 times slower */
    interrupt_after *= 20;
    hang_after *= 10;
  }

  /* the sandbox: files the builtins write land here */
  char cwd[4096], dir[] = "/tmp/dlt-fault-XXXXXX";
  ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
  ck_assert_ptr_nonnull(mkdtemp(dir));
  ck_assert_int_eq(chdir(dir), 0);
  const char *old_tmpdir = getenv("TMPDIR");
  char *saved_tmpdir = old_tmpdir ? strdup(old_tmpdir) : NULL;
  setenv("TMPDIR", dir, 1);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, NULL);
  install_crash_reporting();
  memset(&st, 0, sizeof st);

  /* the evaluator recurses on the C stack: give it the room main.c gives it */
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, (size_t)1 << 27);
  pthread_t t;
  double t0 = now();
  ck_assert_int_eq(pthread_create(&t, &attr, run_all, NULL), 0);
  pthread_join(t, NULL);
  pthread_attr_destroy(&attr);
  interp_set_limits(&(Interp){0}, 0, 0); /* no limit for the suites that follow */
  mat_set_limit_bytes(0);

  ck_assert_int_eq(chdir(cwd), 0);
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (saved_tmpdir) setenv("TMPDIR", saved_tmpdir, 1);
  else unsetenv("TMPDIR");
  free(saved_tmpdir);

  fprintf(stderr,
          "check_fault: %s: %ld calls in %.1f s: %ld values, %ld located errors (%ld interrupted by the watchdog), "
          "%ld exit requests; slowest %.2f s: %s\n",
          quick ? "quick" : "full", st.calls, now() - t0, st.values, st.errors, st.interrupted, st.exits, st.slowest,
          st.slowest_call);
  ck_assert_msg(st.failures == 0, "%ld calls failed:\n%s", st.failures, st.failures_text);
}
END_TEST

/* ------------------------------------------------------------------ allocation failure
 * Each program below runs once to count its matrix allocations (value.h: dlt_fallible_allocs),
 * then once for each N with the N-th allocation failing (dlt_alloc_fail_at); then the same for the
 * raw malloc/calloc/realloc calls (the wrappers below). Every run must end with its value or with
 * a located out-of-memory error; afterwards the values' bytes are back where they were (nothing
 * leaked on the error path; valgrind checks the rest) and the same interpreter still evaluates a
 * probe. */
static const char alloc_programs[] =
  "fn p_linalg() {\n"
  "  let A = randn(6, 6, seed=1)\n"
  "  let S = A @ A' + eye(6)\n"
  "  let L = cholesky(S)\n"
  "  let x = solve(S, ones(6))\n"
  "  let e = eig_sym(S)\n"
  "  let s = svd(A)\n"
  "  let r = [det(S), logdet(S), norm(inv(S)), norm(pinv(A)), norm(lstsq(A, ones(6))), norm(expm_sym(S / 10)), trace(kron(A, eye(2))), norm(x), cond(S), rank(A)]\n"
  "  sum(r)\n"
  "}\n"
  "fn p_elementwise() {\n"
  "  let A = ones(4, 4)\n"
  "  A[2, :] = [[1, 2, 3, 4]]\n"
  "  A[:, 3] = [5, 6, 7, 8]\n"
  "  let B = A[A > 1]\n"
  "  let C = exp(A) * A - A / 2 + A' @ A\n"
  "  let D = hcat(A, C)\n"
  "  let E = vcat(D, D)[2..5, 1..3]\n"
  "  sum(B) + sum(C) + sum(E) + sum(cumsum(vec(A))) + max(sort(vec(A))) + sum(reshape(A, 2, 8))\n"
  "}\n"
  "fn p_train() {\n"
  "  let f = mlp(3, [8], 1, seed=1)\n"
  "  let X = randn(10, 3, seed=2)\n"
  "  let r = train(f, X, X[:, 1], steps=5, opt=\"adam\", lr=0.01)\n"
  "  let g = grad_params(f, X[1, :])\n"
  "  let J = jacobian_params(f, X)\n"
  "  norm(f(X)) + norm(g) + norm(J) + norm(hessian(f, X[1, :]))\n"
  "}\n"
  "fn p_kernels() {\n"
  "  let X = randn(5, 2, seed=1)\n"
  "  let f = mlp(2, [16], 1, act=\"relu\", param=\"ntk\", seed=3)\n"
  "  let K = ntk(f, X, X)\n"
  "  let G = nngp(f, X, X)\n"
  "  let E = empirical_ntk(f, X)\n"
  "  let R = gram(rbf(), X)\n"
  "  let a = krr(rbf(), X, X[:, 1], gamma=0.1)\n"
  "  norm(K) + norm(G) + norm(E) + norm(R) + lambda_min(rbf(), X)\n"
  "}\n"
  "fn p_tables() {\n"
  "  let t = sweep w in [1, 2, 3], r in 1..2 { record v = w * r }\n"
  "  let s = summarize(t, by=\"w\")\n"
  "  let u = filter(t, fn(row) => row.v > 2)\n"
  "  let path = tempfile(\".csv\")\n"
  "  write_csv(path, t)\n"
  "  let back = read_table(path)\n"
  "  remove_file(path)\n"
  "  nrow(s) + nrow(u) + nrow(back) + sum(t.v)\n"
  "}\n"
  "fn p_measures() {\n"
  "  let xs = sample(normal(), 50, seed=1)\n"
  "  let m = expect(normal(), fn(x) => x^2)\n"
  "  let i = integrate(fn(x) => x^2, 0, 1)\n"
  "  let o = ode_solve(fn(t, y) => -y, [1], [0, 1])\n"
  "  let q = minimize(fn(x) => sum((x - 1)^2), [0, 0])\n"
  "  let st = [var(xs), median(xs), quantile(xs, 0.5), skewness(xs), slope([1, 2, 3], [2, 4, 6])]\n"
  "  sum(st) + m + i\n"
  "}\n"
  "fn p_convert() {\n"
  "  let r = 1..4\n"
  "  let k = rbf()\n"
  "  let s = [sum(isnan(r)), sum(vec(r)), sum(reverse(r)), sum(sin(r)), sum(mask(r)), sum(sort(r)), mean(r), var(list(1, 2, 3, 5)), sum(deriv(fn(x) => x^2, r)), norm(gram(k, r)), norm(grad_input(mlp(1, [2], 1, seed=1), 2)), sum(where(r > 2, r, 0)), sum(cumsum(r)), norm(diag(r)), nparams(dense([[1, 2]])), sum(repeat(r, 2)), quantile(list(1, 2, 3), 0.5), sum(histogram(r).counts)]\n"
  "  sum(s)\n"
  "}\n"
  "fn p_more() {\n"
  "  let f = mlp(1, [4], 1, seed=1)\n"
  "  let X = [[0.1], [0.5], [0.9]]\n"
  "  let k = rbf()\n"
  "  let s = [pieces(f, -1, 1), pwl_integral(f, -1, 1), pwl_sup(f, -1, 1).value, len(crossings(f, 0, -1, 1)), sum(gauss_legendre(fn(x) => x^2, 0, 1, 5)), sum(histogram([1, 2, 2, 3], bins=3).counts), norm(lstsq([[1, 2], [3, 4], [5, 7]], [1, 2, 3])), sum(spectrum(k, X)), norm(polyfit([1, 2, 3, 4], [1, 4, 9, 16], 2)), richardson([1, 1.5, 1.75]), norm(kernel_gd(k, X, [1, 2, 3], lr=0.1, steps=3)), norm(ode_rk4(fn(t, y) => -y, [1], 0, 1, 10).y), norm(fd_hessian(fn(x) => sum(x^2), [1, 2])), root(fn(x) => x^2 - 2, 0, 2), minimize1(fn(x) => (x - 1)^2, 0, 3).x, expect(uniform(0, 1), fn(x) => x^2), wasserstein(normal(), normal(1, 1)), kl(normal(), normal(1, 2)), sum(sample(mixture(list(normal(), normal(3, 1)), weights=[0.5, 0.5]), 20, seed=1)), norm(sample(sphere(3), 5, seed=2)), median([3, 1, 2]), norm(quantile([1, 2, 3, 4], [0.25, 0.75])), norm(cov([[1, 2], [2, 3], [4, 1]])), norm(random_features(normal(), fn(w, x) => cos(w * x), 10, seed=1)(X))]\n"
  "  sum(s)\n"
  "}\n"
  "fn p_plot() {\n"
  "  let p = plot([1, 2, 3], [1, 4, 9])\n"
  "  let h = hist(randn(100, seed=1))\n"
  "  let H = heatmap(eye(3))\n"
  "  1\n"
  "}\n";

/* each returns a number: nothing of theirs stays in the values' bytes */
static const char *const alloc_calls[] = {"p_linalg()", "p_elementwise()", "p_train()", "p_kernels()",
                                          "p_tables()", "p_measures()", "p_plot()", "p_convert()", "p_more()", NULL};

typedef struct AllocStats {
  long runs, values, oom, failures;
  char failures_text[3000];
} AllocStats;
static AllocStats ast;

static void alloc_failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void alloc_failure(const char *fmt, ...) {
  ast.failures++;
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  fprintf(stderr, "check_fault: FAIL: %s\n", line);
  if (ast.failures <= 30 && strlen(ast.failures_text) + strlen(line) + 2 < sizeof ast.failures_text) {
    strcat(ast.failures_text, line);
    strcat(ast.failures_text, "\n");
  }
}

/* The other fallible allocations: malloc, calloc and realloc called directly by the interpreter
 * and the builtins (workspaces, quadrature nodes, piecewise-linear pieces, ...). check_dlt is
 * linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc, so every such call in libdlt
 * comes here; when armed, the raw_fail_at-th one fails. Calls made through dlt_xmalloc (which
 * aborts by design, see value.h) and those inside the shared libraries (GSL, libc) are not
 * counted. */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
static bool raw_armed;
static unsigned long long raw_count, raw_fail_at;

static size_t raw_fail_from; /* when non-zero, every allocation of this many bytes or more fails */

static bool raw_fails_size(size_t n) { return raw_fail_from && n >= raw_fail_from; }

static bool raw_fails(void) {
  if (!raw_armed || dlt_alloc_infallible) return false;
  return ++raw_count == raw_fail_at;
}
void *__wrap_malloc(size_t n) { return raw_fails_size(n) || raw_fails() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) {
  return raw_fails_size(size && n > SIZE_MAX / size ? SIZE_MAX : n * size) || raw_fails() ? NULL : __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n) { return raw_fails_size(n) || raw_fails() ? NULL : __real_realloc(p, n); }

/* Run `code` with the n-th matrix allocation failing (0: none); the allocations it made. */
/* *baseline: the value of the run without a failure; a run that still gives a value must give it
 * (an allocation failure absorbed into a different result would be a silent error). */
static unsigned long long run_failing(Interp *I, const char *code, unsigned long long n, bool raw, Value *baseline) {
  snprintf(current_call, sizeof current_call, "%s with %s allocation %llu failing", code, raw ? "raw" : "matrix", n);
  size_t bytes_before = dlt_value_bytes;
  Value result = v_nil();
  dlt_fallible_allocs = 0;
  raw_count = 0;
  if (raw) {
    raw_fail_at = n;
    raw_armed = true;
  } else {
    dlt_alloc_fail_at = n;
  }
  arm_after(hang_after); /* these programs must finish: the watchdog only catches a hang */
  int rc = interp_run_string(I, "alloc", code, &result);
  disarm();
  raw_armed = false;
  unsigned long long made = raw ? raw_count : dlt_fallible_allocs;
  dlt_alloc_fail_at = 0;
  ast.runs++;
  if (rc == DLT_EXIT_OK) {
    ast.values++;
    if (n == 0) val_set(baseline, val_retain(result));
    else if (!val_equal(result, *baseline)) alloc_failure("%s: a value different from the run without a failure", current_call);
  } else {
    const Diag *d = NULL;
    for (int i = 0; i < I->ndiags; i++)
      if (I->diags[i].kind == DIAG_RUNTIME) d = &I->diags[i];
    if (rc != DLT_EXIT_RUNTIME || !d) {
      alloc_failure("%s: exit %d without a runtime error", current_call, rc);
    } else if (n == 0) {
      alloc_failure("%s: fails without an injected failure: %s", current_call, d->msg);
    } else {
      ast.oom++;
      if (d->span.line < 1 || d->span.col < 1) alloc_failure("%s: an error without a location: %s", current_call, d->msg);
      if (!strstr(d->msg, "out of memory") && !strstr(d->msg, "memory"))
        alloc_failure("%s: not an out-of-memory error: %s", current_call, d->msg);
    }
  }
  val_release(result);
  diags_clear(I);
  dlt_gsl_clear();
  if (dlt_value_bytes != bytes_before)
    alloc_failure("%s: the values' bytes went from %zu to %zu", current_call, bytes_before, dlt_value_bytes);
  /* the interpreter goes on */
  Value probe = v_nil();
  if (interp_run_string(I, "probe", "sum([1, 2, 3]) + norm(ones(2, 2))", &probe) != DLT_EXIT_OK || !IS_NUM(probe) ||
      AS_NUM(probe) != 8)
    alloc_failure("%s: the interpreter does not evaluate a probe afterwards", current_call);
  val_release(probe);
  diags_clear(I);
  return made;
}

static void *run_alloc(void *unused) {
  (void)unused;
  FILE *devnull = fopen("/dev/null", "w");
  if (!devnull) {
    alloc_failure("cannot open /dev/null");
    return NULL;
  }
  Interp *I = interp_new();
  I->out = devnull;
  if (interp_run_string(I, "alloc-programs", alloc_programs, NULL) != DLT_EXIT_OK) {
    diags_print(I, stderr);
    alloc_failure("the allocation programs do not evaluate");
  } else {
    for (int raw = 0; raw <= 1; raw++)
      for (int p = 0; alloc_calls[p]; p++) {
        Value baseline = v_nil();
        unsigned long long total = run_failing(I, alloc_calls[p], 0, raw, &baseline);
        /* every allocation, or an even spread of 500 of them (quick: 12) */
        unsigned long long cap = quick ? 12 : 500, stride = total > cap ? (total + cap - 1) / cap : 1;
        unsigned long long runs = 0;
        for (unsigned long long n = 1; n <= total; n += stride, runs++) run_failing(I, alloc_calls[p], n, raw, &baseline);
        if (total) run_failing(I, alloc_calls[p], total, raw, &baseline); /* the last one */
        val_release(baseline);
        fprintf(stderr, "check_fault: %s makes %llu %s allocations; %llu runs each failed one of them\n", alloc_calls[p],
                total, raw ? "raw" : "matrix", runs + (total > 0));
      }
  }
  interp_free(I);
  fclose(devnull);
  return NULL;
}

START_TEST(allocation_failure_is_a_located_error) {
  const char *mode = getenv("DLT_FAULT");
  const char *wrapper = getenv("DLT_WRAPPER");
  quick = mode ? strcmp(mode, "quick") == 0 : (wrapper && *wrapper);
  if (mode && strcmp(mode, "off") == 0) return;
  only = getenv("DLT_FAULT_ONLY");
  if (only && strcmp(only, "alloc") != 0) return;
  if (wrapper && *wrapper) hang_after = 600;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, NULL);
  install_crash_reporting();
  memset(&ast, 0, sizeof ast);
  char dir[] = "/tmp/dlt-fault-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  const char *old_tmpdir = getenv("TMPDIR");
  char *saved_tmpdir = old_tmpdir ? strdup(old_tmpdir) : NULL;
  setenv("TMPDIR", dir, 1);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, (size_t)1 << 27);
  pthread_t t;
  ck_assert_int_eq(pthread_create(&t, &attr, run_alloc, NULL), 0);
  pthread_join(t, NULL);
  pthread_attr_destroy(&attr);
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (saved_tmpdir) setenv("TMPDIR", saved_tmpdir, 1);
  else unsetenv("TMPDIR");
  free(saved_tmpdir);
  fprintf(stderr, "check_fault: allocation failure: %ld runs, %ld values, %ld located out-of-memory errors\n", ast.runs,
          ast.values, ast.oom);
  ck_assert_msg(ast.failures == 0, "%ld runs failed:\n%s", ast.failures, ast.failures_text);
  ck_assert_msg(ast.oom > 0, "no injected failure was reported");
}
END_TEST

/* Memory running out for the scanner's buffer (a copy of the source, from dlt_xmalloc) ends the
 * process with the runtime exit code 4 and "out of memory", as every exhausted internal allocation
 * does: not with Flex's "out of dynamic memory in yy_scan_bytes()" and exit 2, the usage code.
 * A 4 MiB source, and every allocation of 4 MiB or more failing: only that copy is so large. The
 * parse runs in a child process (make check runs Check with CK_FORK=no). */
START_TEST(scanner_out_of_memory_exits_4) {
  /* under valgrind the child's exit code is valgrind's (its leak check of the abandoned
   * interpreter): the ASan run checks this */
  const char *wrapper = getenv("DLT_WRAPPER");
  if (wrapper && strstr(wrapper, "valgrind")) return;
  Interp *I = interp_new();
  size_t len = (size_t)4 << 20;
  char *text = malloc(len + 1);
  ck_assert_ptr_nonnull(text);
  memset(text, ' ', len);
  memcpy(text, "print(1 + 2)\n", 13);
  text[len] = '\0';
  int src = interp_add_source(I, "oom", NULL, text, len);
  fflush(NULL);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 2); /* the child's "out of memory" line */
    raw_fail_from = len;
    (void)dlt_parse(I, src, NULL);
    _exit(99); /* dlt_parse returned although no allocation could succeed */
  }
  int status = 0;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert_msg(WIFEXITED(status), "the parse ended by a signal");
  ck_assert_int_eq(WEXITSTATUS(status), DLT_EXIT_RUNTIME);
  interp_free(I);
}
END_TEST

/* Found by fuzz/fuzz_eval (a leak under LeakSanitizer): a plot label that was not UTF-8 made
 * PLplot stop drawing it half-way ("UTF-8 string is malformed"), and its cairo driver lost the
 * text buffer it had begun. Such bytes are drawn as U+FFFD since. A DLT program can no longer
 * write them (the scanner refuses source that is not UTF-8, read_csv refuses such cells, jansson
 * refuses such JSON), so the strings are made here, from C, to keep the plot code's own defence
 * tested: a raw 0xFF, a lone continuation byte 0x80 and a truncated character. */
/* In a thread of its own, as dlt runs its interpreter: Pango's font map is per thread and is
 * released when the thread ends (valgrind reports it lost otherwise). */
static void *plot_text_thread(void *failed) {
  Interp *I = interp_new();
  FILE *devnull = fopen("/dev/null", "w");
  if (devnull) I->out = devnull;
  Value exists = v_nil();
  bool ok = interp_run_string(I, "setup", "let bad = nil\nlet path = tempfile(\".svg\")", NULL) == DLT_EXIT_OK;
  int g = global_lookup(I, "bad");
  if (ok && g >= 0) {
    static const char bytes[] = "a\xFF" "b\x80" "c\xCE";
    val_set(&I->globals[g], str_new(bytes, sizeof bytes - 1));
    const char *program = "let p = plot([1, 2, 3], [1, 4, 9], label=bad, title=bad, xlabel=bad, ylabel=bad)\n"
                          "save(p + plot([1, 2, 3], [3, 2, 1], label=\"#u2\"), path)\n"
                          "let ok = file_exists(path)\nremove_file(path)\nok";
    ok = interp_run_string(I, "plot", program, &exists) == DLT_EXIT_OK && IS_BOOL(exists) && AS_BOOL(exists);
  }
  if (!ok) diags_print(I, stderr);
  *(bool *)failed = !ok;
  val_release(exists);
  interp_free(I);
  if (devnull) fclose(devnull);
  return NULL;
}

START_TEST(plot_text_not_utf8_is_drawn) {
  bool failed = true;
  pthread_t t;
  ck_assert_int_eq(pthread_create(&t, NULL, plot_text_thread, &failed), 0);
  pthread_join(t, NULL);
  ck_assert_msg(!failed, "the plot with labels that are not UTF-8 was not saved");
}
END_TEST

Suite *fault_suite(void) {
  Suite *s = suite_create("fault");
  TCase *tc = tcase_create("registry");
  tcase_set_timeout(tc, 0);
  tcase_add_test(tc, every_builtin_survives_hostile_arguments);
  tcase_add_test(tc, allocation_failure_is_a_located_error);
  suite_add_tcase(s, tc);
  TCase *text = tcase_create("plot text");
  tcase_set_timeout(text, 60);
  tcase_add_test(text, plot_text_not_utf8_is_drawn);
  suite_add_tcase(s, text);
  TCase *oom = tcase_create("scanner");
  tcase_add_test(oom, scanner_out_of_memory_exits_4);
  suite_add_tcase(s, oom);
  return s;
}
