#!/bin/sh
# limits.sh - --max-steps and --max-memory end a runaway program with a located error (exit 4):
# an endless loop, unbounded recursion, a growing list of matrices, a doubling string, a growing
# list, one matrix over the limit; malformed values are usage errors (exit 2); without the options
# nothing changes; and the REPL keeps working after either limit.
# Environment: DLT, DLT_WRAPPER.
set -u
: "${DLT:?set DLT to the dlt binary}"
W=${DLT_WRAPPER:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dlt-limits.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# runs OPTIONS... -- PROGRAM-TEXT EXPECTED-EXIT EXPECTED-STDERR-LINE
limited() {
  opts=$1 prog=$2 want_rc=$3 want=$4
  printf '%s\n' "$prog" > "$tmp/p.dlt"
  # shellcheck disable=SC2086
  (cd "$tmp" && $W "$DLT" $opts p.dlt) > "$tmp/out" 2> "$tmp/err"
  rc=$?
  [ $rc = "$want_rc" ] || fail "dlt $opts on '$prog': exit $rc, expected $want_rc ($(head -3 "$tmp/err"))"
  [ -z "$want" ] || grep -qF -- "$want" "$tmp/err" || fail "dlt $opts on '$prog': expected '$want', got: $(cat "$tmp/err")"
}

limited "--max-steps 1000" 'let s = 0
while true { s += 1 }' 4 "p.dlt:2:1: error: step limit reached: more than 1000 steps (--max-steps)"
limited "--max-steps 1000" 'let s = 0
while true { s += 1 }' 4 "note: a step is a loop iteration or a function call"
limited "--max-steps=200" 'fn f(n) = f(n + 1)
f(0)' 4 "p.dlt:1:11: error: step limit reached: more than 200 steps (--max-steps)"
limited "--max-steps 50" 'for i in 1..40 { }
print "under the limit"' 0 ""
limited "--max-memory 64M" 'let xs = list()
while true { xs = push(xs, zeros(100000)) }' 4 "p.dlt:2:28: error: memory limit reached: a 100000×1 matrix (781.2 KiB) would take the program's values"
limited "--max-memory 64M" 'let A = zeros(10000, 10000)' 4 "p.dlt:1:9: error: out of memory: a 10000×10000 matrix needs 762.9 MiB"
limited "--max-memory 64M" 'let A = zeros(10000, 10000)' 4 "note: the limit is 64.0 MiB (--max-memory)"
limited "--max-memory 8M" 'let s = "x"
while true { s = s + s }' 4 "p.dlt:2:1: error: memory limit reached: the program's values take"
limited "--max-memory 8M" 'let l = list()
while true { l[end + 1] = 1 }' 4 "p.dlt:2:16: error: out of memory: a list of 524289 items needs 8.0 MiB"
limited "--max-memory 1G --max-steps 100000" 'print sum(zeros(1000, 1000) + 1)' 0 ""
grep -qx 1000000 "$tmp/out" || fail "a program under both limits printed $(cat "$tmp/out")"
limited "--max-memory 0 --max-steps 0" 'let s = 0
for i in 1..100000 { s += i }
print s' 0 ""

# usage errors
for bad in "--max-steps -1" "--max-steps 1e3" "--max-steps x" "--max-memory 12Q" "--max-memory -5M" "--max-memory"; do
  # shellcheck disable=SC2086
  $W "$DLT" $bad -e 'print 1' > "$tmp/out" 2> "$tmp/err"
  rc=$?
  [ $rc = 2 ] || fail "dlt $bad: exit $rc, expected 2"
  grep -q "needs a" "$tmp/err" || fail "dlt $bad: $(head -2 "$tmp/err")"
done
for good in 512K 2M 1G 1.5G 1024 4MiB; do
  $W "$DLT" --max-memory "$good" -e 'print 1' > "$tmp/out" 2>&1 || fail "--max-memory $good: $(cat "$tmp/out")"
done

# the REPL keeps working after either limit, and counts steps per input
if command -v script > /dev/null && [ -z "$W" ]; then
  printf '%s\n' 'let a = 1' 'while true { a += 1 }' 'a > 100' 'for i in 1..500 { a += 1 }' \
    'let xs = list()' 'while true { xs = push(xs, zeros(100000)) }' 'len(xs) > 10' 'xs = nil' \
    'len(zeros(1000))' ':quit' |
    script -qc "$DLT -q --max-steps 1000 --max-memory 64M" /dev/null > "$tmp/repl.out" 2>&1
  tr -d '\r' < "$tmp/repl.out" | sed 's/\x1b\[?2004[hl]//g; s/^dlt> //' > "$tmp/repl.txt"
  grep -q "step limit reached: more than 1000 steps" "$tmp/repl.txt" || fail "REPL: no step limit error"
  grep -q "memory limit reached" "$tmp/repl.txt" || fail "REPL: no memory limit error"
  [ "$(grep -c '^true$' "$tmp/repl.txt")" = 2 ] || fail "REPL: did not go on after the limits: $(tail -12 "$tmp/repl.txt")"
  grep -q "^1000$" "$tmp/repl.txt" || fail "REPL: memory not usable again after freeing: $(tail -5 "$tmp/repl.txt")"
  [ "$(grep -c 'step limit' "$tmp/repl.txt")" = 1 ] || fail "REPL: a 500-step input after the limit was stopped (steps are per input)"
fi

if [ "$failures" != 0 ]; then
  echo "$failures limit check(s) failed"
  exit 1
fi
echo "all limit checks passed"
