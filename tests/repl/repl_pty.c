/* repl_pty.c - drives the REPL through a pseudo-terminal, as a user at a keyboard would.
 *
 * A multi-line function definition, a call, an error (the session survives it), the function
 * called again, Ctrl-C interrupting an endless loop (bindings intact afterwards), tab completion,
 * :help NAME, :vars, auto-printing, and the history file written for the next session.
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

  pid_t pid = forkpty(&master, NULL, NULL, NULL);
  if (pid < 0) {
    perror("forkpty");
    return 99;
  }
  if (pid == 0) {
    setenv("TERM", "dumb", 1);
    setenv("HOME", home, 1);
    setenv("DLT_HISTORY", hist, 1);
    setenv("INPUTRC", "/dev/null", 1);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "exec %s '%s' -q", wrapper && *wrapper ? wrapper : "", dlt);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }

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
