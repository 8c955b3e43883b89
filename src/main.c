/* main.c - the dlt command: run a script, a -e string, stdin, or start the REPL. */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_version.h>

#include "interp.h"
#include "repl.h"
#include "report.h"
#include "step.h"
#include "sweep.h"
#include "lib/plot.h"

#ifdef DLT_CBLAS_OPENBLAS
extern char *openblas_get_config(void);
#endif

/* The evaluator recurses on the syntax tree; give it a stack deep enough that the depth limits
 * (DLT_MAX_DEPTH calls, DLT_MAX_NEST syntax levels) always trigger before the C stack runs out. */
#define INTERP_STACK_BYTES ((size_t)1 << 27) /* 128 MiB: ~30x what the limits need at -O2 */

static const char usage[] =
  "usage: dlt [options] [FILE [ARGS...]]\n"
  "\n"
  "  dlt FILE [ARGS...]   run a script; ARGS are in the list ARGS\n"
  "  dlt -e CODE          run CODE\n"
  "  dlt -                run the script on standard input\n"
  "  dlt                  start the interactive REPL (on a terminal)\n"
  "  dlt runs STORE [ID]   list the sweeps in a run store, or print one as CSV\n"
  "\n"
  "options:\n"
  "  -e CODE          run CODE instead of a file\n"
  "  -j, --jobs N     run sweep points in N worker processes (default: the number of cores)\n"
  "  --store FILE     keep every finished sweep point in FILE (SQLite); rerunning resumes\n"
  "  --keep-going     a sweep point that fails becomes a row with an error column\n"
  "  --plot=term      also draw every plot written to a file in the terminal\n"
  "  --step           run FILE one statement at a time, with its #' narrative (a lecture)\n"
  "  --report OUT     run FILE and write its narrative, code, output and figures to OUT\n"
  "                   (.html: one self-contained page; .md: Markdown)\n"
  "  --max-steps N    stop with an error after N steps (loop iterations and calls; the REPL\n"
  "                   counts each input afresh); 0: no limit (the default)\n"
  "  --max-memory SIZE  stop with an error when the program's values (matrices, strings, lists)\n"
  "                   take more than SIZE bytes (suffix K, M, G, T: powers of 1024)\n"
  "  -q, --quiet      no banner in the REPL, no sweep progress line\n"
  "  -h, --help       show this help\n"
  "  -v, --version    show the DLT, GSL and CBLAS versions\n"
  "\n"
  "exit status: 0 ok, 1 assertion failed, 2 usage error, 3 parse error, 4 runtime error\n";

static void print_version(void) {
  printf("dlt %s\n", PACKAGE_VERSION);
  printf("GSL %s\n", gsl_version);
#ifdef DLT_CBLAS_OPENBLAS
  printf("CBLAS: %s\n", openblas_get_config());
#else
  printf("CBLAS: GSL's reference CBLAS (gslcblas)\n");
#endif
#if defined DLT_WITH_MPI
  printf("MPI: yes (this is dlt-mpi, which dlt runs under mpirun)\n");
#elif defined DLT_HAVE_MPI
  printf("MPI: yes (under mpirun, dlt runs dlt-mpi: sweeps across ranks)\n");
#else
  printf("MPI: no (configure --with-mpi)\n");
#endif
}

static void on_sigint(int sig) {
  (void)sig;
  if (dlt_interrupted) {
    /* a second Ctrl-C while a long C computation has not yet noticed the first: stop now */
    signal(SIGINT, SIG_DFL);
    raise(SIGINT);
    return;
  }
  dlt_interrupted = 1;
}

typedef struct Job {
  int argc;
  char **argv;
  int exit_code;
} Job;

static char *read_stream(FILE *f, size_t *len) {
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap);
  if (!buf) return NULL;
  size_t k;
  while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += k;
    if (n + 1 == cap) {
      char *b2 = realloc(buf, cap *= 2);
      if (!b2) {
        free(buf);
        return NULL;
      }
      buf = b2;
    }
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

static void set_script_args(Interp *I, char **args, int n) {
  Value l = list_new((size_t)n);
  for (int i = 0; i < n; i++) list_push(AS_LIST(l), str_from(args[i]));
  global_define(I, "ARGS", l);
}

/* "512M", "2G", "1048576": a size in bytes (suffixes are powers of 1024); false if malformed. */
static bool parse_size(const char *v, size_t *out) {
  char *end;
  errno = 0;
  double x = strtod(v, &end);
  if (end == v || errno || !(x >= 0)) return false;
  static const char suffixes[] = "KMGT";
  const char *k = *end ? strchr(suffixes, *end == 'k' ? 'K' : *end) : NULL;
  if (*end && (!k || (end[1] && strcmp(end + 1, "B") != 0 && strcmp(end + 1, "iB") != 0))) return false;
  for (int i = 0; k && i <= k - suffixes; i++) x *= 1024;
  if (x >= 0x1p63) return false;
  *out = (size_t)x;
  return true;
}

static int run(int argc, char **argv) {
  const char *code = NULL, *file = NULL;
  const char *report = NULL;
  unsigned long long max_steps = 0;
  size_t max_memory = 0;
  bool quiet = false, from_stdin = false, step = false;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(usage, stdout);
      return DLT_EXIT_OK;
    } else if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0) {
      print_version();
      return DLT_EXIT_OK;
    } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
      quiet = true;
      dlt_sweep_config.quiet = true;
    } else if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0 || strncmp(a, "--jobs=", 7) == 0) {
      const char *v = a[1] == '-' && a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
      char *end;
      long n = v ? strtol(v, &end, 10) : 0;
      if (!v || *end || n < 1 || n > 1024) {
        fprintf(stderr, "dlt: --jobs needs a number of processes between 1 and 1024\n");
        return DLT_EXIT_USAGE;
      }
      dlt_sweep_config.jobs = (int)n;
    } else if (strcmp(a, "--store") == 0 || strncmp(a, "--store=", 8) == 0) {
      const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
      if (!v || !*v) {
        fprintf(stderr, "dlt: --store needs a file name\n");
        return DLT_EXIT_USAGE;
      }
      dlt_sweep_config.store = v;
    } else if (strcmp(a, "--step") == 0) {
      step = true;
    } else if (strcmp(a, "--report") == 0 || strncmp(a, "--report=", 9) == 0) {
      report = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
      if (!report || !*report) {
        fprintf(stderr, "dlt: --report needs the name of the report to write (.html or .md)\n");
        return DLT_EXIT_USAGE;
      }
    } else if (strcmp(a, "--max-steps") == 0 || strncmp(a, "--max-steps=", 12) == 0) {
      const char *v = a[11] == '=' ? a + 12 : (i + 1 < argc ? argv[++i] : NULL);
      char *end;
      errno = 0;
      max_steps = v ? strtoull(v, &end, 10) : 0;
      if (!v || !*v || *end || errno || *v == '-') {
        fprintf(stderr, "dlt: --max-steps needs a whole number of steps (0: no limit)\n");
        return DLT_EXIT_USAGE;
      }
    } else if (strcmp(a, "--max-memory") == 0 || strncmp(a, "--max-memory=", 13) == 0) {
      const char *v = a[12] == '=' ? a + 13 : (i + 1 < argc ? argv[++i] : NULL);
      if (!v || !parse_size(v, &max_memory)) {
        fprintf(stderr, "dlt: --max-memory needs a size such as 512M or 2G (0: no limit)\n");
        return DLT_EXIT_USAGE;
      }
    } else if (strcmp(a, "--keep-going") == 0) {
      dlt_sweep_config.keep_going = true;
    } else if (strcmp(a, "--plot=term") == 0) {
      dlt_plot_term = true;
    } else if (strcmp(a, "--plot=file") == 0) {
      dlt_plot_term = false;
    } else if (strcmp(a, "-e") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "dlt: -e needs an argument\n%s", usage);
        return DLT_EXIT_USAGE;
      }
      code = argv[++i];
      i++;
      break;
    } else if (strcmp(a, "-") == 0) {
      from_stdin = true;
      i++;
      break;
    } else if (strcmp(a, "--") == 0) {
      i++;
      if (i < argc) file = argv[i++];
      break;
    } else if (a[0] == '-') {
      fprintf(stderr, "dlt: unknown option '%s'\n%s", a, usage);
      return DLT_EXIT_USAGE;
    } else {
      file = a;
      i++;
      break;
    }
  }

  if ((report || step) && !file) {
    fprintf(stderr, "dlt: %s needs a program file\n", report ? "--report" : "--step");
    return DLT_EXIT_USAGE;
  }
  if (report && step) {
    fprintf(stderr, "dlt: --report and --step cannot be combined\n");
    return DLT_EXIT_USAGE;
  }

  Interp *I = interp_new();
  interp_set_limits(I, max_steps, max_memory);
  set_script_args(I, argv + i, argc - i);
  /* the run store knows a script by its full path */
  char *script_path = file ? realpath(file, NULL) : NULL;
  dlt_sweep_config.script = script_path ? script_path : code ? "<-e>" : "<stdin>";
  /* under mpirun only rank 0 prints */
  FILE *devnull = NULL;
  if (!dlt_primary_process() && (devnull = fopen("/dev/null", "w"))) I->out = devnull;
  int rc;
  if (code) {
    rc = interp_run_string(I, "<-e>", code, NULL);
  } else if (file && report) {
    rc = dlt_report_file(I, file, report);
  } else if (file && step) {
    /* on a terminal, wait before each statement; otherwise print the whole transcript */
    rc = dlt_step_file(I, file, isatty(STDIN_FILENO) && isatty(STDOUT_FILENO));
  } else if (file) {
    rc = interp_run_file(I, file);
  } else if (from_stdin || !isatty(STDIN_FILENO)) {
    size_t len;
    char *text = read_stream(stdin, &len);
    if (!text) {
      fprintf(stderr, "dlt: cannot read standard input: %s\n", strerror(errno));
      rc = DLT_EXIT_USAGE;
    } else {
      int src = interp_add_source(I, "<stdin>", ".", text, len);
      rc = interp_run_source(I, src, NULL);
    }
  } else {
    I->interactive = true;
    rc = repl_run(I, quiet);
  }
  rc = dlt_mpi_end(I, rc); /* prints the diagnostics (under mpirun: as the ranks agree) */
  fflush(stdout);
  interp_free(I);
  if (devnull) fclose(devnull);
  free(script_path);
  dlt_sweep_config.script = NULL;
  return rc;
}

static void *run_thread(void *p) {
  Job *job = p;
  job->exit_code = run(job->argc, job->argv);
  return NULL;
}

int main(int argc, char **argv) {
  /* Training and Gram matrices allocate and free matrices of a few MB every step. By default
   * glibc returns the freed top of the interpreter thread's arena to the kernel each time and
   * page-faults it back in on the next step (a third of a training step in the bench profile);
   * keep freed memory for reuse up to 256 MB and serve blocks below 32 MB from the arena. */
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);

  if (argc >= 2 && strcmp(argv[1], "runs") == 0) return store_cli(argc - 1, argv + 1);
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  dlt_sweep_config.jobs = cores > 1 ? (int)(cores < 64 ? cores : 64) : 1;
  dlt_mpi_start(&argc, &argv);
  if (dlt_sweep_config.mpi_size > 1) dlt_sweep_config.jobs = 1; /* the ranks are the workers */

  Job job = {argc, argv, DLT_EXIT_RUNTIME};
  pthread_attr_t attr;
  pthread_t th;
  if (pthread_attr_init(&attr) == 0 && pthread_attr_setstacksize(&attr, INTERP_STACK_BYTES) == 0 &&
      pthread_create(&th, &attr, run_thread, &job) == 0) {
    /* Ctrl-C must reach the interpreter thread, where it interrupts select() and loops */
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, NULL);
    pthread_join(th, NULL);
  } else {
    run_thread(&job); /* no big stack available: the depth limits still apply */
  }
  pthread_attr_destroy(&attr);
  dlt_mpi_finish();
  return job.exit_code;
}
