/* repl.c - the interactive loop: GNU readline (callback interface), history across sessions,
 * completion of names and keywords, multi-line input while brackets are open, auto-printing, and
 * the : commands. An error prints and returns to the prompt with every binding intact; Ctrl-C
 * interrupts a running computation (the evaluator checks at loop iterations and calls). */
#include "config.h"

#include "repl.h"
#include "step.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#ifdef HAVE_READLINE
#include <readline/history.h>
#include <readline/readline.h>
#endif

#include "builtin.h"
#include "interp.h"
#include "print.h"
#include "strbuf.h"

#define PROMPT "dlt> "
#define PROMPT_MORE "...> "

static Interp *repl_interp;

static const char *const keywords[] = {
  "let", "fn", "if", "else", "for", "in", "while", "break", "continue", "return", "import",
  "seed", "assert", "print", "show", "true", "false", "nil", "and", "or", "not", NULL,
};

static const struct {
  const char *word, *help;
} keyword_help[] = {
  {"let", "let x = expr        bind a new variable"},
  {"fn", "fn f(a, b=1) { ... } or fn f(x) = expr; fn(x) => expr is an anonymous function"},
  {"if", "if cond { ... } else { ... }   (also an expression: let y = if c { 1 } else { 2 })"},
  {"for", "for x in xs { ... }   over a range a..b, a list, a vector's entries or a matrix's rows"},
  {"while", "while cond { ... }"},
  {"import", "import \"file.dlt\"   run another file once, relative to this one"},
  {"seed", "seed N              fix the random stream"},
  {"assert", "assert cond, \"message\"   stop with exit code 1 if cond is false"},
  {"print", "print a, b          print values separated by spaces"},
  {"show", "show expr           print `expr = value`"},
  {"sweep", "sweep a in A, (b, c) in zip(B, C), rep in 1..R if cond { ... record x = e }   a table, one row per record"},
  {"record", "record name = value, ...   add to the running sweep point's row (a repeated name starts a new row)"},
  {NULL, NULL},
};

static const char *const commands[] = {":help", ":load", ":step", ":vars", ":quit", NULL};

/* ------------------------------------------------------------------ history */
static char *history_path(void) {
  const char *env = getenv("DLT_HISTORY");
  if (env) return *env ? strdup(env) : NULL; /* DLT_HISTORY= disables history */
  const char *home = getenv("HOME");
  if (!home || !*home) return NULL;
  StrBuf b = STRBUF_INIT;
  sb_printf(&b, "%s/.dlt_history", home);
  return sb_take(&b);
}

/* ------------------------------------------------------------------ : commands */
static void cmd_help(Interp *I, const char *arg) {
  if (!*arg) {
    printf(":help          this list\n"
           ":help NAME     what a builtin or keyword does\n"
           ":load FILE     run a file in this session\n"
           ":step FILE     run a file one statement at a time, with its narrative\n"
           ":vars          the variables you have defined\n"
           ":quit          leave (or Ctrl-D)\n"
           "\nbuiltins by module:\n");
    for (const Module *const *m = dlt_modules; *m; m++) {
      StrBuf b = STRBUF_INIT;
      sb_printf(&b, "  %-8s", (*m)->name);
      size_t col = b.len;
      for (const Builtin *f = (*m)->fns; f->name; f++) {
        if (col + strlen(f->name) + 1 > 78) {
          sb_puts(&b, "\n          ");
          col = 10;
        }
        sb_printf(&b, " %s", f->name);
        col += strlen(f->name) + 1;
      }
      puts(sb_cstr(&b));
      sb_free(&b);
    }
    return;
  }
  const Builtin *b = builtin_find(arg);
  if (b) {
    printf("%s\n  %s\n", b->sig, b->help);
    return;
  }
  for (int i = 0; keyword_help[i].word; i++)
    if (strcmp(keyword_help[i].word, arg) == 0) {
      printf("%s\n", keyword_help[i].help);
      return;
    }
  int g = global_lookup(I, arg);
  if (g >= 0 && IS_CLOSURE(I->globals[g])) {
    char *sig = proto_signature(AS_CLOSURE(I->globals[g])->proto);
    char *doc = proto_doc(I, AS_CLOSURE(I->globals[g])->proto);
    printf("%s\n  %s\n", sig, doc ? doc : "a function defined in DLT (comment lines above its fn become its help)");
    free(sig);
    free(doc);
    return;
  }
  if (g >= 0 && I->globals[g].t != V_UNDEF) {
    char *s = val_to_cstr(I->globals[g], PRINT_REPR);
    printf("%s: a %s: %s\n", arg, val_type_name(I->globals[g]), s);
    free(s);
    return;
  }
  printf("no builtin, keyword or variable named '%s'\n", arg);
}

static bool is_builtin_global(Interp *I, int g) {
  Value v = I->globals[g];
  if (IS_BUILTIN(v) && strcmp(AS_BUILTIN(v)->def->name, I->global_names[g]) == 0) return true;
  return false;
}

static int first_user_global = -1; /* globals before this index come from builtins and the prelude */

static void cmd_vars(Interp *I) {
  int shown = 0;
  for (int g = first_user_global; g < I->nglobals; g++) {
    if (I->globals[g].t == V_UNDEF || is_builtin_global(I, g)) continue;
    char *s = val_to_cstr(I->globals[g], PRINT_REPR);
    char *nl = strchr(s, '\n');
    if (nl) strcpy(nl, " ...");
    if (strlen(s) > 60) strcpy(s + 57, "...");
    printf("  %-12s %-9s %s\n", I->global_names[g], val_type_name(I->globals[g]), s);
    free(s);
    shown++;
  }
  if (!shown) printf("  (no variables yet)\n");
}

/* Returns false when the REPL should end. */
static bool run_command(Interp *I, char *line) {
  char *cmd = line + 1;
  char *arg = cmd;
  while (*arg && *arg != ' ' && *arg != '\t') arg++;
  if (*arg) *arg++ = '\0';
  while (*arg == ' ' || *arg == '\t') arg++;
  char *end = arg + strlen(arg);
  while (end > arg && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n')) *--end = '\0';
  if (strcmp(cmd, "quit") == 0 || strcmp(cmd, "q") == 0) return false;
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "h") == 0) {
    cmd_help(I, arg);
  } else if (strcmp(cmd, "vars") == 0) {
    cmd_vars(I);
  } else if (strcmp(cmd, "load") == 0 || strcmp(cmd, "step") == 0) {
    if (!*arg) {
      printf(":%s needs a file name\n", cmd);
    } else {
      I->steps = 0;
      if (strcmp(cmd, "step") == 0) dlt_step_file(I, arg, true);
      else interp_run_file(I, arg);
      diags_print(I, stderr);
      dlt_interrupted = 0;
    }
  } else {
    printf("unknown command ':%s' (try :help)\n", cmd);
  }
  return true;
}

/* ------------------------------------------------------------------ evaluating input */
static void eval_input(Interp *I, const char *text) {
  Value result;
  I->steps = 0; /* --max-steps counts each input afresh */
  interp_run_string(I, "<repl>", text, &result);
  diags_print(I, stderr);
  if (!IS_NIL(result)) {
    char *s = val_to_cstr(result, PRINT_REPR);
    printf("%s\n", s);
    free(s);
  }
  val_release(result);
  fflush(stdout);
  dlt_interrupted = 0;
}

static bool blank(const char *s) {
  for (; *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
  return true;
}

/* Feed one line; returns 1 when more input is needed, 0 when done, -1 to quit. */
static int feed_line(Interp *I, StrBuf *pending, const char *line) {
  if (pending->len == 0 && line[0] == ':') {
    char *copy = strdup(line);
    bool go_on = copy && run_command(I, copy);
    free(copy);
    return go_on ? 0 : -1;
  }
  if (pending->len == 0 && blank(line)) return 0;
  /* a blank line inside unfinished input gives up waiting and shows the error */
  bool give_up = pending->len > 0 && blank(line);
  sb_puts(pending, line);
  sb_putc(pending, '\n');
  if (!give_up && dlt_input_incomplete(I, sb_cstr(pending))) return 1;
  eval_input(I, sb_cstr(pending));
  sb_truncate(pending, 0);
  return I->exit_request ? -1 : 0;
}

#ifdef HAVE_READLINE
/* ------------------------------------------------------------------ readline */
static char *completion_generator(const char *text, int state) {
  static int phase, idx;
  static size_t len;
  if (!state) {
    phase = 0;
    idx = 0;
    len = strlen(text);
  }
  Interp *I = repl_interp;
  if (text[0] == ':') {
    while (commands[idx])
      if (strncmp(commands[idx++], text, len) == 0) return strdup(commands[idx - 1]);
    return NULL;
  }
  if (phase == 0) {
    while (keywords[idx])
      if (strncmp(keywords[idx++], text, len) == 0) return strdup(keywords[idx - 1]);
    phase = 1;
    idx = 0;
  }
  while (idx < I->nglobals) {
    int g = idx++;
    if (I->globals[g].t != V_UNDEF && strncmp(I->global_names[g], text, len) == 0) return strdup(I->global_names[g]);
  }
  return NULL;
}

static char **complete(const char *text, int start, int end) {
  (void)start;
  (void)end;
  rl_attempted_completion_over = 1; /* never fall back to file names */
  rl_completion_append_character = '\0';
  return rl_completion_matches(text, completion_generator);
}

static char *got_line;
static bool got_eof;

static void line_handler(char *line) {
  if (!line) got_eof = true;
  got_line = line;
  rl_callback_handler_remove(); /* the terminal goes back to normal while the input runs */
}

static int repl_readline(Interp *I, bool quiet) {
  char *hist = history_path();
  rl_readline_name = "dlt";
  rl_attempted_completion_function = complete;
  rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{([,+-*/^%";
  rl_catch_signals = 0;
  using_history();
  if (hist && read_history(hist) != 0) write_history(hist); /* create it: append_history needs a file */
  if (!quiet) printf("DLT %s — deep-learning theory in a few lines. :help for help, Ctrl-D to leave.\n", PACKAGE_VERSION);

  StrBuf pending = STRBUF_INIT;
  bool installed = false;
  for (;;) {
    if (!installed) {
      rl_callback_handler_install(pending.len ? PROMPT_MORE : PROMPT, line_handler);
      installed = true;
    }
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(fileno(rl_instream ? rl_instream : stdin), &fds);
    int r = select(fileno(rl_instream ? rl_instream : stdin) + 1, &fds, NULL, NULL, NULL);
    if (r < 0) {
      if (errno == EINTR && dlt_interrupted) {
        /* Ctrl-C at the prompt: drop the line and any unfinished input */
        dlt_interrupted = 0;
        rl_free_line_state();
        rl_callback_sigcleanup();
        rl_callback_handler_remove();
        installed = false;
        sb_truncate(&pending, 0);
        printf("^C\n");
        fflush(stdout);
        continue;
      }
      if (errno == EINTR) continue;
      break;
    }
    rl_callback_read_char();
    if (got_eof) {
      printf("\n");
      break;
    }
    if (!got_line) continue;
    installed = false; /* line_handler removed it */
    char *line = got_line;
    got_line = NULL;
    if (!blank(line)) {
      add_history(line);
      if (hist) append_history(1, hist);
    }
    int st = feed_line(I, &pending, line);
    free(line);
    if (st < 0) break;
  }
  if (installed) rl_callback_handler_remove();
  sb_free(&pending);
  if (hist) {
    history_truncate_file(hist, 5000);
    free(hist);
  }
  rl_clear_history();
  return I->exit_request ? I->exit_request - 1 : DLT_EXIT_OK;
}
#endif

/* ------------------------------------------------------------------ plain line input */
static int repl_plain(Interp *I, bool quiet) {
  if (!quiet) printf("DLT %s — :help for help, Ctrl-D to leave.\n", PACKAGE_VERSION);
  StrBuf pending = STRBUF_INIT;
  char buf[4096];
  for (;;) {
    fputs(pending.len ? PROMPT_MORE : PROMPT, stdout);
    fflush(stdout);
    if (!fgets(buf, sizeof buf, stdin)) {
      if (errno == EINTR && dlt_interrupted) {
        dlt_interrupted = 0;
        clearerr(stdin);
        sb_truncate(&pending, 0);
        printf("^C\n");
        continue;
      }
      printf("\n");
      break;
    }
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n') buf[n - 1] = '\0';
    if (feed_line(I, &pending, buf) < 0) break;
  }
  sb_free(&pending);
  return I->exit_request ? I->exit_request - 1 : DLT_EXIT_OK;
}

int repl_run(Interp *I, bool quiet) {
  repl_interp = I;
  first_user_global = I->nglobals;
  /* globals defined by the prelude count as library, not as the user's variables */
#ifdef HAVE_READLINE
  if (!getenv("DLT_NO_READLINE")) return repl_readline(I, quiet);
#endif
  return repl_plain(I, quiet);
}
