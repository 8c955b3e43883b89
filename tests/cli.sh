#!/bin/sh
# cli.sh - the dlt command line: options, exit codes, stdin, script arguments, #! scripts,
# Ctrl-C in batch mode, and limits that must end in errors rather than crashes.
# Environment: DLT (the binary), DLT_WRAPPER (e.g. valgrind), DLT_SRCDIR (source tree).
set -u
: "${DLT:?set DLT to the dlt binary}"
W=${DLT_WRAPPER:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dlt-cli.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# run NAME EXPECTED_EXIT CMD... : run CMD, keep stdout/stderr in $tmp/NAME.{out,err}
run() {
  name=$1 want=$2
  shift 2
  "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" < /dev/null
  rc=$?
  [ "$rc" = "$want" ] || fail "$name: exit code $rc, expected $want (stderr: $(head -c 300 "$tmp/$name.err"))"
}

# has NAME FILE TEXT : the output file contains TEXT
has() {
  grep -qF -- "$3" "$tmp/$1.$2" || fail "$1: $2 lacks '$3' (got: $(head -c 300 "$tmp/$1.$2"))"
}

# --- options
run version 0 $W "$DLT" --version
has version out "dlt 0.1.0"
has version out "GSL 2."
has version out "CBLAS: "
run help 0 $W "$DLT" --help
has help out "usage: dlt"
has help out "exit status: 0 ok, 1 assertion failed, 2 usage error, 3 parse error, 4 runtime error"
run bad_option 2 $W "$DLT" --frobnicate
has bad_option err "dlt: unknown option '--frobnicate'"
run e_without_code 2 $W "$DLT" -e
has e_without_code err "-e needs an argument"
run missing_file 2 $W "$DLT" "$tmp/no-such.dlt"
has missing_file err "cannot open"

# --- ways to give a program
run e_code 0 $W "$DLT" -e 'print(1)'
has e_code out "1"
echo 'print 6 * 7' > "$tmp/p.dlt"
$W "$DLT" - < "$tmp/p.dlt" > "$tmp/stdin_dash.out" 2>&1 || fail "stdin_dash: exit $?"
has stdin_dash out "42"
$W "$DLT" < "$tmp/p.dlt" > "$tmp/stdin_pipe.out" 2>&1 || fail "stdin_pipe: exit $?"
has stdin_pipe out "42"

# --- script arguments
printf 'print len(ARGS), ARGS[1], num(ARGS[2]) + 1\n' > "$tmp/args.dlt"
run args 0 $W "$DLT" "$tmp/args.dlt" width 63
has args out "2 width 64"
run args_e 0 $W "$DLT" -e 'print ARGS' x y
has args_e out '["x", "y"]'

# --- an executable #! script
printf '#!/usr/bin/env dlt\nprint "shebang", 1 + 1\n' > "$tmp/script.dlt"
chmod +x "$tmp/script.dlt"
if [ -z "$W" ]; then
  PATH="$(dirname "$DLT"):$PATH" "$tmp/script.dlt" > "$tmp/shebang.out" 2>&1 || fail "shebang: exit $?"
  has shebang out "shebang 2"
fi

# --- exit codes
run ok 0 $W "$DLT" -e 'let x = 1'
run assert 1 $W "$DLT" -e 'assert 1 == 2'
has assert err "<-e>:1:1: error: assertion failed: 1 == 2 (left: 1, right: 2)"
run parse 3 $W "$DLT" -e 'print 1 +'
has parse err "error: unexpected end of input"
run resolve 3 $W "$DLT" -e 'print undefined_thing'
run runtime 4 $W "$DLT" -e 'print [1, 2] + [1, 2, 3]'
run exit_call 3 $W "$DLT" -e 'print "before"; exit(3); print "after"'
has exit_call out "before"
grep -q after "$tmp/exit_call.out" && fail "exit_call: ran past exit()"

# --- limits end in errors, not crashes
run recursion 4 $W "$DLT" -e 'fn down(n) = down(n + 1)
down(1)'
has recursion err "recursion too deep"
run huge_matrix 4 $W "$DLT" -e 'let A = zeros(1000000, 1000000)'
has huge_matrix err "out of memory: a 1000000×1000000 matrix needs 7.3 TiB"
awk 'BEGIN { s = "1"; for (i = 0; i < 20000; i++) s = "-" s; print "print " s }' > "$tmp/deep.dlt"
run deep_unary 3 $W "$DLT" "$tmp/deep.dlt"
has deep_unary err "nested too deeply"
# parentheses make no syntax-tree nodes: 20000 of them are fine
awk 'BEGIN { s = ""; for (i = 0; i < 20000; i++) s = s "("; s = s "1"; for (i = 0; i < 20000; i++) s = s ")"; print "print " s }' > "$tmp/parens.dlt"
run deep_parens 0 $W "$DLT" "$tmp/parens.dlt"
has deep_parens out "1"
# 10001 nested blocks, 10001 nested brackets: one message for every kind of nesting
awk 'BEGIN { print "print \"not printed\""; for (i = 0; i < 10001; i++) print "if true {"; print "1"; for (i = 0; i < 10001; i++) print "}" }' > "$tmp/blocks.dlt"
run deep_blocks 3 $W "$DLT" "$tmp/blocks.dlt"
has deep_blocks err "error: program is nested too deeply (more than 10000 levels)"
grep -q "not printed" "$tmp/deep_blocks.out" && fail "deep_blocks: ran despite the error"
awk 'BEGIN { s = ""; for (i = 0; i < 10001; i++) s = s "["; s = s "1"; for (i = 0; i < 10001; i++) s = s "]"; print "print " s }' > "$tmp/brackets.dlt"
run deep_brackets 3 $W "$DLT" "$tmp/brackets.dlt"
has deep_brackets err "error: program is nested too deeply (more than 10000 levels)"
# a flat sum of 5000 terms is not deep nesting to a user: it runs
awk 'BEGIN { s = "1"; for (i = 1; i < 5000; i++) s = s " + 1"; print "print " s }' > "$tmp/sum.dlt"
run long_sum 0 $W "$DLT" "$tmp/sum.dlt"
has long_sum out "5000"

# --- Ctrl-C in batch mode stops the script with a located error
if [ -z "$W" ]; then
  printf 'let n = 0\nwhile true { n += 1 }\n' > "$tmp/spin.dlt"
  "$DLT" "$tmp/spin.dlt" > "$tmp/sigint.out" 2> "$tmp/sigint.err" &
  pid=$!
  sleep 0.3
  kill -INT "$pid"
  wait "$pid"
  rc=$?
  [ "$rc" = 4 ] || fail "sigint: exit code $rc, expected 4"
  has sigint err "spin.dlt:2:1: error: interrupted"
fi

# --- training: progress=true draws the bar on stderr (a terminal gets it by default); Ctrl-C
# during a long run stops it with an error located at the train call
run progress 0 $W "$DLT" -e 'let r = train(mlp(1, [4], 1, seed=1), [1, 2], [1, 2], steps=3, progress=true)
print r.log.step[4]'
has progress out "3"
has progress err "train ["
if [ -z "$W" ]; then
  printf 'let X = rand_normal(256, 10, seed=1)\nlet r = train(mlp(10, [512], 1, seed=2), X, X[:, 1], steps=100000000, every=100000000)\n' > "$tmp/longtrain.dlt"
  "$DLT" "$tmp/longtrain.dlt" > "$tmp/trainint.out" 2> "$tmp/trainint.err" &
  pid=$!
  sleep 0.5
  kill -INT "$pid"
  wait "$pid"
  rc=$?
  [ "$rc" = 4 ] || fail "train sigint: exit code $rc, expected 4"
  has trainint err "longtrain.dlt:2:9: error: interrupted"
fi

# --- --step: a lecture one statement at a time (off a terminal: the whole transcript)
cat > "$tmp/lecture.dlt" <<'DLT'
#' # Monte Carlo error
#' The mean of m draws has standard error 1/sqrt(m).
let m = 4
let X = ones(m, 2)
print sum(X)
fn sq(v) = v * v
sq(3)
#' The end.
DLT
run step 0 $W "$DLT" --step "$tmp/lecture.dlt"
cat > "$tmp/step.want" <<'TXT'

# Monte Carlo error
The mean of m draws has standard error 1/sqrt(m).

   3 │ let m = 4
  → m = 4
   4 │ let X = ones(m, 2)
  → X = [[1, 1], [1, 1], [1, 1], [1, 1]]
   5 │ print sum(X)
8
   6 │ fn sq(v) = v * v
  → sq = <fn sq(v)>
   7 │ sq(3)
  → 9

The end.

TXT
cmp -s "$tmp/step.out" "$tmp/step.want" || fail "--step transcript: $(diff "$tmp/step.want" "$tmp/step.out" | head -10)"
# an error stops the lecture with its located message
printf 'let a = 1\nlet b = a @ [1, 2]\nprint "not reached"\n' > "$tmp/step_err.dlt"
run step_err 4 $W "$DLT" --step "$tmp/step_err.dlt"
has step_err err "step_err.dlt:2:"
grep -q "not reached" "$tmp/step_err.out" && fail "--step ran past an error"
# on a terminal it waits: Enter runs a statement, p EXPR prints, q stops (script gives a terminal)
if command -v script > /dev/null; then
  printf '\n\np m * 10\nq\n' | script -qc "$DLT --step $tmp/lecture.dlt" /dev/null > "$tmp/step_tty.out" 2>&1
  tr -d '\r' < "$tmp/step_tty.out" | grep -q "> 40$" || fail "--step p EXPR: $(tr -d '\r' < "$tmp/step_tty.out" | tail -5)"
  grep -q "The end" "$tmp/step_tty.out" && fail "--step q: the lecture went on after q"
  grep -q "\[Enter\] run" "$tmp/step_tty.out" || fail "--step on a terminal: no prompt"
fi

# --- the generated test list (tests/tests.am) names every test program
if [ -n "${DLT_SRCDIR:-}" ] && [ -f "$DLT_SRCDIR/tests/tests.am" ]; then
  for f in "$DLT_SRCDIR"/tests/lang/*.dlt "$DLT_SRCDIR"/tests/fail/*.dlt \
           "$DLT_SRCDIR"/examples/lectures/*/*.dlt "$DLT_SRCDIR"/examples/lectures/*/*.expected; do
    rel=${f#"$DLT_SRCDIR"/}
    grep -q "	$rel\( \|$\)" "$DLT_SRCDIR/tests/tests.am" || fail "tests/tests.am lacks $rel: run scripts/update-test-list"
  done
fi

if [ "$failures" != 0 ]; then
  echo "$failures CLI check(s) failed"
  exit 1
fi
echo "all CLI checks passed"
exit 0
