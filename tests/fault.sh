#!/bin/sh
# fault.sh - what happens when the trouble is not in the program's text (docs/language.md,
# "Failure behaviour"):
#   - Ctrl-C (SIGINT) during training, a serial sweep, a parallel sweep (--jobs 2) and a long Gram
#     matrix stops the script with a located "interrupted" and exit 4, leaving no worker behind;
#   - an allocation that fails (DLT_FAIL_ALLOC=N: the N-th matrix) is a located "out of memory"
#     error with exit 4, at every allocation of a small program, and leaks nothing under valgrind;
#   - the command-line writers (--report, --store) on an unwritable path fail with a clear message;
#     write_json refuses a string that is not UTF-8 (here from ARGS);
#   - under mpirun a rank that fails, alone or with the others, ends the run with its located error
#     and a non-zero exit, never a hang (every mpirun has a timeout guard).
# The builtins' own writers and readers are in tests/fail (fault_*.dlt, io_*.dlt); the REPL's
# Ctrl-C in tests/repl/repl_pty.c; the builtins under hostile arguments in tests/unit/check_fault.c.
# Environment: DLT (the binary), DLT_WRAPPER (e.g. valgrind).
set -u
: "${DLT:?set DLT to the dlt binary}"
W=${DLT_WRAPPER:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dlt-fault.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
# under valgrind everything takes some 30 times longer
if [ -n "$W" ]; then slow=8; else slow=1; fi

# --- Ctrl-C: interrupt NAME OPTIONS DELAY LOCATION PROGRAM
# Runs PROGRAM, sends SIGINT after DELAY seconds (as a terminal's Ctrl-C to dlt itself), and expects
# exit 4, "FILE:LOCATION: error: interrupted" within 30 s, and no process left running the script.
interrupt() {
  name=$1 opts=$2 delay=$3 where=$4
  printf '%s\n' "$5" > "$tmp/$name.dlt"
  # shellcheck disable=SC2086
  $W "$DLT" -q $opts "$tmp/$name.dlt" > "$tmp/$name.out" 2> "$tmp/$name.err" &
  pid=$!
  sleep $((delay * slow))
  kill -INT $pid 2> /dev/null || fail "$name: dlt ended before the interrupt: $(cat "$tmp/$name.err")"
  i=0
  while kill -0 $pid 2> /dev/null && [ $i -lt $((300 * slow)) ]; do sleep 0.1; i=$((i + 1)); done
  if kill -0 $pid 2> /dev/null; then
    fail "$name: still running $((30 * slow)) s after Ctrl-C"
    kill -9 $pid
  fi
  wait $pid
  rc=$?
  [ $rc = 4 ] || fail "$name: exit $rc after Ctrl-C, expected 4 ($(head -3 "$tmp/$name.err"))"
  grep -Eq "$name.dlt:($where): error: interrupted" "$tmp/$name.err" || fail "$name: $(cat "$tmp/$name.err")"
  i=0
  while pgrep -f "$tmp/$name.dlt" > /dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  pgrep -f "$tmp/$name.dlt" > /dev/null && fail "$name: processes left running after Ctrl-C: $(pgrep -af "$tmp/$name.dlt")"
}

interrupt train "" 1 2:9 'let X = rand_normal(256, 10, seed=1)
let r = train(mlp(10, [512], 1, seed=2), X, X[:, 1], steps=100000000, every=100000000)'
SWEEP='let t = sweep n in 1..1000 {
  let s = 0
  for i in 1..2000000 { s = s + i }
  record s = s
}'
interrupt sweep_serial "--jobs 1" 1 3:3 "$SWEEP"
# the parent is interrupted while its workers compute: the error is located at the sweep, or in
# the point a worker was running when it was stopped
interrupt sweep_parallel "--jobs 2" 2 "1:9|3:3" "$SWEEP"
# the NTK of a tanh network by Gauss-Hermite quadrature: minutes for 400 points
interrupt gram "" 1 2:9 'let X = rand_normal(400, 5, seed=1)
let K = ntk(mlp(5, [1, 1, 1], 1, act="tanh"), X, X)'

# --- an allocation that fails: every matrix of this program in turn
cat > "$tmp/alloc.dlt" <<'DLT'
let t = sweep w in [2, 3], r in 1..2 { record v = norm(randn(w, w, seed=r) @ eye(w)) }
let f = mlp(2, [4], 1, seed=1)
let X = [[1, 2], [3, 4], [5, 6]]
let res = train(f, X, X[:, 1], steps=2)
print round(sum(t.v) * 0 + rows(gram(rbf(), X)))
DLT
$W "$DLT" --jobs 1 "$tmp/alloc.dlt" > "$tmp/alloc.out" 2> "$tmp/alloc.err" || fail "alloc: the program fails without injection: $(cat "$tmp/alloc.err")"
grep -qx 3 "$tmp/alloc.out" || fail "alloc: printed $(cat "$tmp/alloc.out")"
n=1 located=0
while :; do
  DLT_FAIL_ALLOC=$n $W "$DLT" --jobs 1 "$tmp/alloc.dlt" > "$tmp/alloc.out" 2> "$tmp/alloc.err"
  rc=$?
  [ $rc = 0 ] && break # past the program's last allocation
  if [ $rc != 4 ] || ! grep -q "alloc.dlt:[0-9]*:[0-9]*: error: out of memory" "$tmp/alloc.err"; then
    fail "DLT_FAIL_ALLOC=$n: exit $rc: $(head -5 "$tmp/alloc.err")"
  else
    located=$((located + 1))
  fi
  n=$((n + 1))
  # valgrind: every 7th allocation, which still reaches every statement of the program
  [ -n "$W" ] && n=$((n + 6))
  [ $n -gt 2000 ] && fail "alloc: more than 2000 allocations?" && break
done
[ $located -gt 5 ] || fail "alloc: only $located injected failures were reported"
# sticky: every allocation from the 3rd on fails; the error is still located
DLT_FAIL_ALLOC=3+ $W "$DLT" --jobs 1 "$tmp/alloc.dlt" > /dev/null 2> "$tmp/alloc.err"
[ $? = 4 ] && grep -q "alloc.dlt:1:.*: error: out of memory" "$tmp/alloc.err" || fail "DLT_FAIL_ALLOC=3+: $(cat "$tmp/alloc.err")"

# --- the command line's writers
printf 'print 1\n' > "$tmp/one.dlt"
$W "$DLT" --report "$tmp/no/such/dir/r.html" "$tmp/one.dlt" > /dev/null 2> "$tmp/report.err"
rc=$?
[ $rc != 0 ] || fail "--report into a missing directory: exit 0"
grep -q "cannot .*$tmp/no/such/dir/r.html.*No such file or directory" "$tmp/report.err" || fail "--report: $(cat "$tmp/report.err")"
$W "$DLT" --report "$tmp" "$tmp/one.dlt" > /dev/null 2> "$tmp/report_dir.err"
[ $? != 0 ] || fail "--report onto a directory: exit 0"
grep -q "$tmp" "$tmp/report_dir.err" || fail "--report onto a directory: $(cat "$tmp/report_dir.err")"
printf 'let t = sweep n in 1..3 { record v = n }\nprint sum(t.v)\n' > "$tmp/store.dlt"
$W "$DLT" -q --store "$tmp/no/such/dir/runs.db" "$tmp/store.dlt" > /dev/null 2> "$tmp/store.err"
[ $? = 4 ] || fail "--store in a missing directory: expected exit 4"
grep -q "store.dlt:1:9: error: cannot use .*runs.db.* as a run store" "$tmp/store.err" || fail "--store: $(cat "$tmp/store.err")"
$W "$DLT" -q --store "$tmp" "$tmp/store.dlt" > /dev/null 2> "$tmp/store_dir.err"
[ $? = 4 ] || fail "--store onto a directory: expected exit 4"
grep -q "store.dlt:1:9: error: cannot use" "$tmp/store_dir.err" || fail "--store onto a directory: $(cat "$tmp/store_dir.err")"
# a string that is not UTF-8 (a Latin-1 é from the command line) cannot be written as JSON
printf 'write_json("%s/a.json", ARGS)\n' "$tmp" > "$tmp/args.dlt"
$W "$DLT" "$tmp/args.dlt" "$(printf 'caf\351')" > /dev/null 2> "$tmp/args.err"
[ $? = 4 ] || fail "write_json of a Latin-1 argument: expected exit 4"
grep -q "args.dlt:1:.*: error: write_json: the string at \[1\] is not valid UTF-8" "$tmp/args.err" || fail "write_json: $(cat "$tmp/args.err")"
[ -e "$tmp/a.json" ] && fail "write_json left a file behind after refusing the value"

# --- mpirun with a rank that fails
if "$DLT" --version | grep -q "MPI: yes" && command -v mpirun > /dev/null && [ -z "$W" ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader OMPI_MCA_plm_rsh_agent=
  export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 # Open MPI's start-up (tests/sweep_parallel.sh)
  # mpirun_ok NAME EXPECTED-STDERR -- a run with a 120 s guard that must fail with that message
  mpirun_fails() {
    name=$1 want=$2
    shift 2
    timeout 120 mpirun -x ASAN_OPTIONS --oversubscribe "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
    rc=$?
    [ $rc = 124 ] && fail "mpirun $name: hung (killed after 120 s)"
    [ $rc != 0 ] || fail "mpirun $name: exit 0"
    grep -q -- "$want" "$tmp/$name.err" || fail "mpirun $name: expected '$want' in: $(head -c 1500 "$tmp/$name.err")"
  }
  # a sweep point that fails: with two ranks, point i=2 is computed on rank 1
  cat > "$tmp/mpi_point.dlt" <<'DLT'
let t = sweep i in 1..4 {
  if i == 2 { error("point " + str(i) + " fails") }
  record v = i
}
print t
DLT
  mpirun_fails point "mpi_point.dlt:2:15: error: point 2 fails" -n 2 "$DLT" -q "$tmp/mpi_point.dlt"
  # rank 1 fails before a sweep rank 0 waits in: rank 1 reports, then stops the job
  cat > "$tmp/mpi_rank.dlt" <<'DLT'
if ARGS[1] == "fail" { error("this rank fails") }
let t = sweep i in 1..4 { record v = i }
print sum(t.v)
DLT
  export DLT_MPI_END_WAIT=2
  mpirun_fails rank1 "mpi_rank.dlt:1:24: error: this rank fails" \
    -n 1 "$DLT" -q "$tmp/mpi_rank.dlt" ok : -n 1 "$DLT" -q "$tmp/mpi_rank.dlt" fail
  grep -q "MPI rank 1 of 2 failed" "$tmp/rank1.err" || fail "mpirun rank1: the rank is not named: $(head -c 800 "$tmp/rank1.err")"
  # rank 0 alone fails: the same, from the other side
  mpirun_fails rank0 "mpi_rank.dlt:1:24: error: this rank fails" \
    -n 1 "$DLT" -q "$tmp/mpi_rank.dlt" fail : -n 1 "$DLT" -q "$tmp/mpi_rank.dlt" ok
  # rank 1 fails after the last sweep: nobody waits for it; its own error is printed, once
  cat > "$tmp/mpi_late.dlt" <<'DLT'
let t = sweep i in 1..4 { record v = i }
print sum(t.v)
if ARGS[1] == "fail" { error("this rank fails late") }
DLT
  mpirun_fails late "mpi_late.dlt:3:24: error: this rank fails late" \
    -n 1 "$DLT" -q "$tmp/mpi_late.dlt" ok : -n 1 "$DLT" -q "$tmp/mpi_late.dlt" fail
  grep -qx 10 "$tmp/late.out" || fail "mpirun late: rank 0's output: $(cat "$tmp/late.out")"
  [ "$(grep -c "error: this rank fails late" "$tmp/late.err")" = 1 ] || fail "mpirun late: the error is not printed once"
  # every rank fails the same way: one message, not one per rank
  mpirun_fails all "mpi_rank.dlt:1:24: error: this rank fails" -n 2 "$DLT" -q "$tmp/mpi_rank.dlt" fail
  [ "$(grep -c "error: this rank fails" "$tmp/all.err")" = 1 ] || fail "mpirun all: the error is printed more than once: $(cat "$tmp/all.err")"
  unset DLT_MPI_END_WAIT
else
  echo "note: no MPI build, no mpirun, or under valgrind: the mpirun cases are skipped"
fi

[ $failures = 0 ] || exit 1
