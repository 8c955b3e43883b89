/* fuzz_common.h - what the two libFuzzer targets share: a scratch directory every file a program
 * names is confined to, and a thread with the stack the dlt binary gives the interpreter.
 * Built with --enable-fuzz (CC=clang); scripts/fuzz runs the targets, tests/fuzz/README.md has
 * the record of runs and findings. */
#ifndef DLT_FUZZ_COMMON_H
#define DLT_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Make the scratch directory ($TMPDIR/dlt-fuzz-XXXXXX, removed at exit) and point $TMPDIR at it
 * (tempfile() creates its files there). */
void fuzz_sandbox_init(void);
const char *fuzz_sandbox_dir(void);
/* Delete what the last input created, so that no input sees another's files. */
void fuzz_sandbox_clean(void);

/* Where a program's path is allowed to lead: a plain file name becomes that name in the scratch
 * directory (a new string the caller frees); a path already in it (from tempfile()) is kept; any
 * other path (with a '/', or "." or "..") gives NULL. */
char *fuzz_sandbox_path(const char *path);

/* The input as a NUL-terminated copy (the interpreter takes ownership of it). */
char *fuzz_copy_input(const uint8_t *data, size_t size);

/* Run fn(arg) on a thread with the dlt binary's 128 MiB interpreter stack (src/main.c), so that
 * the depth limits, not the C stack, stop deep recursion, as they do in dlt. With interrupt, an
 * input still running after $FUZZ_INTERRUPT_AFTER seconds (default 1) is interrupted as Ctrl-C
 * would (dlt_interrupted): a program must then stop with an error promptly. One still running
 * $FUZZ_STACK_AFTER seconds (default 10) after it started prints the worker's stack, so that
 * libFuzzer's timeout (scripts/fuzz: 20 s) shows where it is stuck. */
void fuzz_run_deep(void *(*fn)(void *), void *arg, bool interrupt);

#endif
