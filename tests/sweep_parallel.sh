#!/bin/sh
# sweep_parallel.sh - a sweep gives the same table, output and errors whether its points run in
# this process, in worker processes (--jobs) or on MPI ranks; the run store (--store) survives a
# killed run and the resumed table equals an uninterrupted one; `dlt runs` lists and exports.
# Environment: DLT (the binary), DLT_WRAPPER (e.g. valgrind).
set -u
: "${DLT:?set DLT to the dlt binary}"
W=${DLT_WRAPPER:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dlt-sweep.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
same() { # same NAME A B: files A and B are identical
  cmp -s "$2" "$3" || { fail "$1: $2 and $3 differ"; diff "$2" "$3" | head -20; }
}

# --- a sweep with random draws, prints, nested sweeps, a recorded matrix and a recorded network
# (which cannot be sent between processes: the parent recomputes that point with its seed)
cat > "$tmp/grid.dlt" <<'DLT'
seed 11
let t = sweep width in [8, 16, 32], act in list("relu", "tanh"), rep in 1..2 {
  print "point", width, act, rep
  let f = mlp(3, [width], 1, act=act)
  let X = randn(5, 3)
  let inner = sweep k in 1..2 { record v = k * rand() }
  record out = norm(f(X)), inner = sum(inner.v), draw = randn(), M = X[1..2, 1..2]
  if width == 32 and rep == 2 { record net = f }
}
print t
print t.draw'
print t.M[12]
DLT
for j in 1 2 3; do
  $W "$DLT" -q --jobs $j "$tmp/grid.dlt" > "$tmp/grid$j.out" 2> "$tmp/grid$j.err" || fail "grid -j $j: exit $?"
done
same "grid: --jobs 2 vs serial" "$tmp/grid1.out" "$tmp/grid2.out"
same "grid: --jobs 3 vs serial" "$tmp/grid1.out" "$tmp/grid3.out"
grep -q "point 32 tanh 2" "$tmp/grid1.out" || fail "grid: the points' prints are missing"

# --- writes to outer variables are undone after every point, in workers (which run several
# points in turn: 40 points, fewer than 32 per job, go to workers at once) as in this process
cat > "$tmp/writes.dlt" <<'DLT'
let count = 0
let seen = []
fn make_counter() {
  let n = 0
  return fn() {
    n += 1
    n
  }
}
let next = make_counter()
let t = sweep i in 1..40 {
  count += i
  seen = push(seen, i)
  record count = count, seen = len(seen), c = next()
}
print count, len(seen), next(), t.count', t.seen', t.c'
DLT
for j in 1 2 3; do
  $W "$DLT" -q --jobs $j "$tmp/writes.dlt" > "$tmp/writes$j.out" 2>&1 || fail "writes -j $j: exit $?"
done
same "writes: --jobs 2 vs serial" "$tmp/writes1.out" "$tmp/writes2.out"
same "writes: --jobs 3 vs serial" "$tmp/writes1.out" "$tmp/writes3.out"
grep -q '^0 0 1 \[\[1, 2, 3' "$tmp/writes1.out" || fail "writes: $(cat "$tmp/writes1.out")"

# --- a failing point: the same located error, and the same output before it, in every mode
cat > "$tmp/fail.dlt" <<'DLT'
let t = sweep n in 1..8 {
  print "n =", n
  if n == 5 { let A = zeros(2, 3) @ zeros(2, 3) }
  record sq = n^2
}
DLT
for j in 1 2; do
  $W "$DLT" -q --jobs $j "$tmp/fail.dlt" > "$tmp/fail$j.out" 2> "$tmp/fail$j.err"
  rc=$?
  [ $rc = 4 ] || fail "fail -j $j: exit $rc, expected 4"
done
same "fail: stdout --jobs 2 vs serial" "$tmp/fail1.out" "$tmp/fail2.out"
same "fail: stderr --jobs 2 vs serial" "$tmp/fail1.err" "$tmp/fail2.err"
grep -q "fail.dlt:3:" "$tmp/fail1.err" || fail "fail: no location in $(cat "$tmp/fail1.err")"
grep -q "note: in sweep point n=5" "$tmp/fail1.err" || fail "fail: the point is not named"
[ "$(tail -1 "$tmp/fail1.out")" = "n = 5" ] || fail "fail: points after the failing one ran: $(tail -1 "$tmp/fail1.out")"

# exit(code) in a point ends the program there, with that code, in every mode
printf 'let t = sweep i in 1..6 {\n  print i\n  if i == 3 { exit(7) }\n  record v = i\n}\nprint "not reached"\n' > "$tmp/exit.dlt"
for j in 1 2; do
  $W "$DLT" -q --jobs $j "$tmp/exit.dlt" > "$tmp/exit$j.out" 2> "$tmp/exit$j.err"
  rc=$?
  [ $rc = 7 ] || fail "exit -j $j: exit code $rc, expected 7"
  [ "$(tr '\n' ' ' < "$tmp/exit$j.out")" = "1 2 3 " ] || fail "exit -j $j: printed $(cat "$tmp/exit$j.out")"
  [ -s "$tmp/exit$j.err" ] && fail "exit -j $j: stderr $(cat "$tmp/exit$j.err")"
done

# many quick points: workers then hold up to 32 points each (sweep_workers.c); the output, an
# error, an exit() and the table are still those of a serial run
cat > "$tmp/many.dlt" <<'DLT'
let t = sweep i in 1..3000 {
  if i % 500 == 0 { print "at", i }
  if i == 2400 and len(ARGS) > 0 { exit(num(ARGS[1])) }
  if i == 2000 and len(ARGS) == 0 { let A = zeros(2, 3) @ zeros(2, 3) }
  record sq = i * i, r = rand()
}
print sum(t.sq), sum(t.r)
DLT
for j in 1 2; do
  $W "$DLT" -q --keep-going --jobs $j "$tmp/many.dlt" > "$tmp/many$j.out" 2>&1 || fail "many -j $j: exit $?"
  $W "$DLT" -q --jobs $j "$tmp/many.dlt" > "$tmp/manyf$j.out" 2>&1
  [ $? = 4 ] || fail "many (failing) -j $j: exit code, expected 4"
  $W "$DLT" -q --jobs $j "$tmp/many.dlt" 9 > "$tmp/manye$j.out" 2>&1
  [ $? = 9 ] || fail "many (exit) -j $j: exit code, expected 9"
done
same "many: --jobs 2 vs serial" "$tmp/many1.out" "$tmp/many2.out"
same "many (failing): --jobs 2 vs serial" "$tmp/manyf1.out" "$tmp/manyf2.out"
same "many (exit): --jobs 2 vs serial" "$tmp/manye1.out" "$tmp/manye2.out"
[ "$(tail -1 "$tmp/manye1.out")" = "at 2000" ] || fail "many (exit): printed $(tail -1 "$tmp/manye1.out")"

# --keep-going: the failure is a row with the error, the sweep finishes
printf 'print t\n' >> "$tmp/fail.dlt"
for j in 1 2; do
  $W "$DLT" -q --keep-going --jobs $j "$tmp/fail.dlt" > "$tmp/keep$j.out" 2> "$tmp/keep$j.err" || fail "keep-going -j $j: exit $?"
done
same "keep-going: --jobs 2 vs serial" "$tmp/keep1.out" "$tmp/keep2.out"
grep -q "^5 .*fail.dlt:3:.*" "$tmp/keep1.out" || fail "keep-going: no error row in $(cat "$tmp/keep1.out")"
grep -q "^8 .* 64" "$tmp/keep1.out" || fail "keep-going: the sweep did not finish"

# --- the run store: kill a run midway, resume, compare with an uninterrupted run
# (points of about 20 ms natively; under valgrind, which is some 50 times slower, 10 times fewer
# iterations still leave time to kill the run midway)
iters=200000
[ -n "$W" ] && iters=20000
cat > "$tmp/long.dlt" <<DLT
seed 5
let t = sweep n in 1..40 {
  let s = 0
  for i in 1..$iters { s = s + rand() }
  record mean = s / $iters, tail = randn()
}
print t
print sum(t.mean)
DLT
$W "$DLT" -q --jobs 1 "$tmp/long.dlt" > "$tmp/long_plain.out" || fail "long: exit $?"
$W "$DLT" -q --jobs 2 --store "$tmp/runs.db" "$tmp/long.dlt" > /dev/null 2>&1 &
pid=$!
# wait until some points are stored, then kill it without warning
i=0
while [ $i -lt 600 ]; do
  n=$(python3 -c "import sqlite3,sys
try: print(sqlite3.connect('$tmp/runs.db').execute('select count(*) from points').fetchone()[0])
except Exception: print(0)" 2>/dev/null)
  [ "${n:-0}" -ge 5 ] && break
  sleep 0.05
  i=$((i + 1))
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
stored=$(python3 -c "import sqlite3; print(sqlite3.connect('$tmp/runs.db').execute('select count(*) from points').fetchone()[0])")
[ "$stored" -ge 5 ] && [ "$stored" -lt 40 ] || fail "store: $stored points stored before the kill (expected some, not all)"
$W "$DLT" --jobs 2 --store "$tmp/runs.db" "$tmp/long.dlt" > "$tmp/long_resumed.out" 2> "$tmp/long_resumed.err" || fail "resume: exit $?"
same "store: resumed vs uninterrupted" "$tmp/long_plain.out" "$tmp/long_resumed.out"
grep -q "points are in .*runs.db already" "$tmp/long_resumed.err" || fail "resume: no note on stderr: $(cat "$tmp/long_resumed.err")"
# a third run computes nothing: every point comes from the store
$W "$DLT" --store "$tmp/runs.db" "$tmp/long.dlt" > "$tmp/long_third.out" 2> "$tmp/long_third.err" || fail "third: exit $?"
grep -q "40 of 40 points" "$tmp/long_third.err" || fail "third run: $(cat "$tmp/long_third.err")"
same "store: third run" "$tmp/long_plain.out" "$tmp/long_third.out"

# dlt runs: the list, and one sweep as CSV and JSON
$W "$DLT" runs "$tmp/runs.db" > "$tmp/runs.out" 2>&1 || fail "dlt runs: exit $?"
grep -q "long.dlt:2" "$tmp/runs.out" || fail "dlt runs: $(cat "$tmp/runs.out")"
grep -q " 40 " "$tmp/runs.out" || fail "dlt runs: point count missing: $(cat "$tmp/runs.out")"
$W "$DLT" runs "$tmp/runs.db" 1 > "$tmp/export.csv" 2> "$tmp/export.err" || fail "dlt runs 1: exit $? $(cat "$tmp/export.err")"
python3 - "$tmp/export.csv" <<'PY' || fail "dlt runs 1: the CSV is not the table"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 40, len(rows)
assert [int(float(r["n"])) for r in rows] == list(range(1, 41))
assert all(0.4 < float(r["mean"]) < 0.6 for r in rows)
PY
$W "$DLT" runs "$tmp/runs.db" 1 --json > "$tmp/export.json" || fail "dlt runs 1 --json: exit $?"
python3 -c "import json,sys; d=json.load(open('$tmp/export.json')); assert len(d)==40 and d[0]['n']==1" || fail "dlt runs --json"
$W "$DLT" runs "$tmp/runs.db" 9 > /dev/null 2> "$tmp/runs9.err"
[ $? = 2 ] || fail "dlt runs 9: expected exit 2"
grep -q "there is no sweep 9" "$tmp/runs9.err" || fail "dlt runs 9: $(cat "$tmp/runs9.err")"
echo "not a database" > "$tmp/bad.db"
$W "$DLT" runs "$tmp/bad.db" > /dev/null 2> "$tmp/bad.err"
[ $? = 2 ] || fail "dlt runs bad.db: expected exit 2"

# store= on the sweep itself, and a store that cannot be opened is a located error
printf 'let t = sweep n in 1..3, store="%s" { record v = n }\nprint t.v'"'"'\n' "$tmp/own.db" > "$tmp/own.dlt"
$W "$DLT" -q "$tmp/own.dlt" > "$tmp/own.out" 2>&1 || fail "store=: exit $?"
grep -q "\[\[1, 2, 3\]\]" "$tmp/own.out" || fail "store=: $(cat "$tmp/own.out")"
printf 'let t = sweep n in 1..3, store="%s/no/such/dir/x.db" { record v = n }\n' "$tmp" > "$tmp/nostore.dlt"
$W "$DLT" -q "$tmp/nostore.dlt" > /dev/null 2> "$tmp/nostore.err"
[ $? = 4 ] || fail "unopenable store: expected exit 4"
grep -q "nostore.dlt:1:9: error: cannot use .* as a run store" "$tmp/nostore.err" || fail "unopenable store: $(cat "$tmp/nostore.err")"

# --- Ctrl-C during a parallel sweep ends it with an error, and no worker is left behind
cat > "$tmp/slow.dlt" <<'DLT'
let t = sweep n in 1..1000 {
  let s = 0
  for i in 1..2000000 { s = s + i }
  record s = s
}
DLT
$W "$DLT" -q --jobs 2 "$tmp/slow.dlt" > /dev/null 2> "$tmp/slow.err" &
pid=$!
# wait for the two workers to start, then interrupt the parent as a terminal's Ctrl-C would
i=0
while [ "$(pgrep -f "$tmp/slow.dlt" | wc -l)" -lt 3 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
kill -INT $pid
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $pid 2>/dev/null; then
  fail "Ctrl-C: dlt still running 30 s after SIGINT"
  kill -9 $pid
fi
wait $pid
rc=$?
[ $rc = 4 ] || fail "Ctrl-C: exit $rc, expected 4"
grep -q "interrupted" "$tmp/slow.err" || fail "Ctrl-C: $(cat "$tmp/slow.err")"
pgrep -f "$tmp/slow.dlt" > /dev/null && fail "Ctrl-C: worker processes left running"

# --- the progress line: on a terminal's stderr only, and not with -q (`script` gives a terminal)
if command -v script > /dev/null; then
  # points of about 0.3 s: the line appears once a sweep has run for half a second
  printf 'let t = sweep i in 1..8 {\n  let s = 0\n  for k in 1..10000000 { s = s + 1 }\n  record v = i\n}\nprint sum(t.v)\n' > "$tmp/prog.dlt"
  script -qc "$DLT --jobs 2 $tmp/prog.dlt" /dev/null > "$tmp/prog.tty" 2>&1 < /dev/null
  grep -q "sweep: [0-9]/8 points" "$tmp/prog.tty" || fail "progress: no progress line on a terminal: $(cat "$tmp/prog.tty")"
  grep -q "36" "$tmp/prog.tty" || fail "progress: the result is missing"
  script -qc "$DLT -q --jobs 2 $tmp/prog.dlt" /dev/null > "$tmp/progq.tty" 2>&1 < /dev/null
  grep -q "sweep:" "$tmp/progq.tty" && fail "progress: drawn despite -q"
  printf 'let t = sweep i in 1..200 { record v = norm(randn(30, 30) @ randn(30, 30)) }\n' > "$tmp/quick.dlt"
  $W "$DLT" --jobs 2 "$tmp/quick.dlt" > "$tmp/prog.out" 2> "$tmp/prog.err"
  [ -s "$tmp/prog.err" ] && fail "progress: drawn when stderr is a file: $(cat "$tmp/prog.err")"
fi

# --- option errors
$W "$DLT" --jobs 0 -e 'print 1' > /dev/null 2> "$tmp/j0.err"
[ $? = 2 ] || fail "--jobs 0: expected exit 2"
grep -q "jobs needs a number" "$tmp/j0.err" || fail "--jobs 0: $(cat "$tmp/j0.err")"

# --- MPI: two ranks on this machine give the serial table
if "$DLT" --version | grep -q "MPI: yes" && command -v mpirun > /dev/null; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader OMPI_MCA_plm_rsh_agent=
  # Not under valgrind, and without LeakSanitizer in an ASan build: what they report there is Open
  # MPI's own start-up, whose components are dlopened and unloaded again (frames of an unknown
  # module). DLT's own memory in sweeps is checked by every run above.
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 mpirun -x ASAN_OPTIONS -n 2 --oversubscribe "$DLT" -q "$tmp/grid.dlt" > "$tmp/mpi.out" 2> "$tmp/mpi.err" || fail "mpirun: exit $? $(head -c 500 "$tmp/mpi.err")"
  same "grid: 2 MPI ranks vs serial" "$tmp/grid1.out" "$tmp/mpi.out"
else
  echo "note: dlt built without MPI or mpirun missing: the MPI comparison is skipped"
fi

[ $failures = 0 ] || exit 1
