/* repl_pty.c - drives the REPL through a pseudo-terminal, as a user at a keyboard would.
 *
 * A multi-line function definition, a call, an error (the session survives it), the function
 * called again, Ctrl-C interrupting an endless loop (bindings intact afterwards), tab completion,
 * :help NAME, :vars, auto-printing, and the history file written for the next session.
 * Ctrl-C also interrupts a long NTK Gram matrix, training, and a sweep, both parallel (--jobs 2:
 * the workers get the terminal's SIGINT too, and none may be left behind) and serial (a second
 * session with --jobs 1); each time the session goes on with its bindings intact.
 *
 * Environment: DLT (the binary), DLT_WRAPPER (e.g. valgrind; its exit code 99 fails the test).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int master = -1;
static char transcript[1 << 20];
static size_t tlen;
static int failures;
static double timeout_scale = 1;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Read whatever the child printed within `seconds`, appending to the transcript. */
static void pump(double seconds) {
  double end = now() + seconds;
  for (;;) {
    double left = end - now();
    if (left <= 0) return;
    struct pollfd p = {master, POLLIN, 0};
    int r = poll(&p, 1, (int)(left * 1000) + 1);
    if (r <= 0) return;
    char buf[4096];
    ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) return;
    if (tlen + (size_t)n >= sizeof transcript) n = (ssize_t)(sizeof transcript - tlen - 1);
    memcpy(transcript + tlen, buf, (size_t)n);
    tlen += (size_t)n;
    transcript[tlen] = '\0';
  }
}

/* Wait until `text` appears in the transcript after position *from; advance *from past it. */
static int expect(size_t *from, const char *text, double seconds) {
  double end = now() + seconds * timeout_scale;
  for (;;) {
    char *hit = strstr(transcript + *from, text);
    if (hit) {
      *from = (size_t)(hit - transcript) + strlen(text);
      return 1;
    }
    if (now() > end) {
      fprintf(stderr, "FAIL: did not see \"%s\" (after offset %zu)\n", text, *from);
      failures++;
      return 0;
    }
    pump(0.05);
  }
}

static void send_keys(const char *keys) {
  size_t n = strlen(keys);
  while (n) {
    ssize_t w = write(master, keys, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    keys += w;
    n -= (size_t)w;
  }
}

/* The processes whose parent is pid (sweep workers), from /proc. */
static int count_children(pid_t pid) {
  int n = 0;
  FILE *ps = popen("cat /proc/[0-9]*/stat 2>/dev/null", "r");
  if (!ps) return 0;
  char line[4096];
  while (fgets(line, sizeof line, ps)) {
    /* pid (comm) state ppid ...: comm may hold spaces, so read after the last ')' */
    char *rp = strrchr(line, ')');
    char state;
    int ppid;
    if (rp && sscanf(rp + 1, " %c %d", &state, &ppid) == 2 && ppid == pid && state != 'Z') n++;
  }
  pclose(ps);
  return n;
}

/* No worker of pid is left running `seconds` after a sweep was interrupted. */
static void expect_no_workers(pid_t pid, const char *what, double seconds) {
  double end = now() + seconds * timeout_scale;
  int n;
  while ((n = count_children(pid)) > 0 && now() < end) pump(0.1);
  if (n > 0) {
    fprintf(stderr, "FAIL: %d sweep worker%s still running after Ctrl-C during %s\n", n, n == 1 ? "" : "s", what);
    failures++;
  }
}

/* Start `dlt -q OPTS` on a pseudo-terminal with HOME and the history file in home. */
static pid_t spawn_repl(const char *dlt, const char *wrapper, const char *home, const char *hist, const char *opts) {
  pid_t pid = forkpty(&master, NULL, NULL, NULL);
  if (pid < 0) {
    perror("forkpty");
    exit(99);
  }
  if (pid == 0) {
    setenv("TERM", "dumb", 1);
    setenv("HOME", home, 1);
    setenv("DLT_HISTORY", hist, 1);
    setenv("INPUTRC", "/dev/null", 1);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "exec %s '%s' -q %s", wrapper && *wrapper ? wrapper : "", dlt, opts);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  return pid;
}

/* :quit, and the REPL must exit 0 */
static void quit_repl(pid_t pid) {
  send_keys(":quit\r");
  int status = 0;
  double end = now() + 10 * timeout_scale;
  pid_t w;
  while ((w = waitpid(pid, &status, WNOHANG)) == 0 && now() < end) pump(0.05);
  if (w == 0) {
    fprintf(stderr, "FAIL: the REPL did not exit after :quit\n");
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    failures++;
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "FAIL: the REPL exited with status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    failures++;
  }
}

/* Run `input`, press Ctrl-C after `after` seconds, expect the located "interrupted" and the prompt */
static void interrupt_input(size_t *at, const char *input, double after) {
  send_keys(input);
  send_keys("\r");
  pump(after * timeout_scale);
  send_keys("\x03");
  expect(at, "error: interrupted", 30);
  expect(at, "dlt> ", 10);
}

int main(void) {
  const char *dlt = getenv("DLT");
  if (!dlt) {
    fprintf(stderr, "repl_pty: set DLT to the dlt binary\n");
    return 99;
  }
  const char *wrapper = getenv("DLT_WRAPPER");
  if (wrapper && *wrapper) timeout_scale = 20; /* valgrind is slow */

  char home[] = "/tmp/dlt-repl-XXXXXX";
  if (!mkdtemp(home)) return 99;
  char hist[256];
  snprintf(hist, sizeof hist, "%s/history", home);

  pid_t pid = spawn_repl(dlt, wrapper, home, hist, "--jobs 2");

  size_t at = 0;
  expect(&at, "dlt> ", 10);

  /* a function over several lines: the prompt changes while the brace is open */
  send_keys("fn sq(x) {\r");
  expect(&at, "...> ", 5);
  send_keys("  x * x\r");
  expect(&at, "...> ", 5);
  send_keys("}\r");
  expect(&at, "dlt> ", 5);
  send_keys("sq(3)\r");
  expect(&at, "\n9\r\n", 5);

  /* an error: located message, then back to the prompt */
  send_keys("sq([1, 2] + [1, 2, 3])\r");
  expect(&at, "<repl>:1:11: error: shape mismatch: cannot add 2×1 and 3×1", 5);
  expect(&at, "dlt> ", 5);

  /* the function is still there */
  send_keys("sq(4)\r");
  expect(&at, "\n16\r\n", 5);

  /* Ctrl-C interrupts a runaway loop; the variable it changed is intact */
  send_keys("let n = 0\r");
  expect(&at, "dlt> ", 5);
  send_keys("while true { n += 1 }\r");
  pump(0.5 * timeout_scale);
  send_keys("\x03");
  expect(&at, "error: interrupted", 10);
  expect(&at, "dlt> ", 5);
  send_keys("n > 0\r");
  expect(&at, "\ntrue\r\n", 5);

  /* tab completion of a builtin name */
  send_keys("linsp\t(0, 1, 3)'\r");
  expect(&at, "linspace(0, 1, 3)", 5);
  expect(&at, "[[0, 0.5, 1]]", 5);

  /* strings are auto-printed quoted; statements print nothing */
  send_keys("\"a\" + \"b\"\r");
  expect(&at, "\"ab\"", 5);

  send_keys(":help zeros\r");
  expect(&at, "zeros(n, m=1)", 5);
  expect(&at, "an n×m matrix of zeros", 5);
  send_keys(":vars\r");
  expect(&at, "sq", 5);
  expect(&at, "function", 5);
  expect(&at, "n ", 5);

  /* Ctrl-C during a long Gram matrix (the NTK of a tanh network by quadrature: minutes), during
   * training, and during a parallel sweep; the bindings made before are intact each time */
  send_keys("let X = rand_normal(300, 5, seed=1)\r");
  expect(&at, "dlt> ", 5);
  interrupt_input(&at, "let K = ntk(mlp(5, [1, 1, 1], 1, act=\"tanh\"), X, X)", 1.0);
  send_keys("[rows(X), cols(X)]'\r");
  expect(&at, "[[300, 5]]", 5);
  interrupt_input(&at, "let r = train(mlp(5, [256], 1, seed=2), X, X[:, 1], steps=100000000, every=100000000)", 1.0);
  send_keys("sq(5)\r");
  expect(&at, "\n25\r\n", 5);
  interrupt_input(&at, "let t = sweep w in 1..1000 { let s = 0; for i in 1..2000000 { s = s + i }; record s = s }", 1.5);
  expect_no_workers(pid, "a parallel sweep in the REPL", 10);
  send_keys("X[1, 1] == rand_normal(300, 5, seed=1)[1, 1]\r");
  expect(&at, "\ntrue\r\n", 5);
  quit_repl(pid);

  /* a serial sweep (--jobs 1): the points run in the REPL's own process */
  pid = spawn_repl(dlt, wrapper, home, hist, "--jobs 1");
  expect(&at, "dlt> ", 10);
  send_keys("let kept = 41 + 1\r");
  expect(&at, "dlt> ", 5);
  interrupt_input(&at, "let t = sweep w in 1..1000 { let s = 0; for i in 1..2000000 { s = s + i }; record s = s }", 1.0);
  send_keys("kept\r");
  expect(&at, "\n42\r\n", 5);
  quit_repl(pid);

  /* the history file has the session, for the next one */
  FILE *f = fopen(hist, "r");
  char line[512];
  int found = 0;
  while (f && fgets(line, sizeof line, f))
    if (strstr(line, "fn sq(x) {")) found = 1;
  if (f) fclose(f);
  if (!found) {
    fprintf(stderr, "FAIL: history file %s lacks the session's input\n", hist);
    failures++;
  }
  unlink(hist);
  rmdir(home);

  if (failures) {
    fprintf(stderr, "--- transcript:\n%s\n---\n", transcript);
    return 1;
  }
  printf("REPL session passed (%zu bytes of transcript)\n", tlen);
  return 0;
}
