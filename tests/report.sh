#!/bin/sh
# report.sh - `dlt --report`: the HTML page and the Markdown file hold the narrative (with its
# math rendered), the highlighted code, each statement's output and every figure shown, embedded;
# a failing program still gets its report, with the located error; the same program gives the
# same report twice; usage errors exit 2. The browser's view is tests/report_browser.sh.
# Environment: DLT, DLT_SRCDIR, DLT_WRAPPER.
set -u
: "${DLT:?set DLT to the dlt binary}"
: "${DLT_SRCDIR:?set DLT_SRCDIR to the source tree}"
W=${DLT_WRAPPER:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dlt-report.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
has() { grep -q -- "$2" "$1" || fail "$(basename "$1") lacks $2"; }
count() { grep -o -- "$2" "$1" | wc -l | tr -d ' '; }

cp "$DLT_SRCDIR"/tests/report/sample.dlt "$DLT_SRCDIR"/tests/report/failing.dlt "$tmp"/
cd "$tmp" || exit 99

# --- HTML
$W "$DLT" --report sample.html sample.dlt > out 2> err || fail "--report sample.html exited $?: $(cat err)"
[ -s out ] && fail "--report printed on stdout: $(head -3 out)"
has sample.html '<title>A sample report: squares and a histogram</title>'
has sample.html '<h1>A sample report: squares and a histogram</h1>'
has sample.html 'a<sub>j</sub> and w<sub>j</sub>, ‖f‖<sub>L²</sub> and e<sup>−λt</sup>'
has sample.html '<span class="math">∑<sub>j=1</sub><sup>m</sup> a<sub>j</sub> σ(w<sub>j</sub><sup>⊤</sup> x) ≤'
has sample.html '<span class="ln">9</span><span class="k">let</span> p = <span class="b">plot</span>('
has sample.html '<span class="c"># shown as a figure, not drawn in braille</span>'
has sample.html '<pre class="output">3</pre>'
has sample.html '<pre class="output">the mean is near 0: true</pre>'
has sample.html '<p>The end.</p>'
[ "$(count sample.html '<figure>')" = 2 ] || fail "sample.html has $(count sample.html '<figure>') figures, expected 2 (one plot shown twice, one histogram, one plot only bound)"
grep -q 'only bound, never shown</figcaption>' sample.html && fail "a plot only bound to a name was shown"
has sample.html '<figcaption>Figure 2. N(0, 1)</figcaption>'
has sample.html '<img src="data:image/svg+xml;base64,PD94bWwg' # "<?xml " in base64
grep -q '<script\|http://\|https://' sample.html && fail "sample.html loads or links something: $(grep -o '<script[^>]*>\|https*://[^"]*' sample.html | head -2)"
grep -q '⣿\|⠁' sample.html && fail "sample.html has a braille drawing in it"
[ -f squares.png ] || fail "save() inside a report did not write squares.png"

# --- the same program, the same report
$W "$DLT" --report again.html sample.dlt 2> err || fail "second --report exited $?"
cmp -s sample.html again.html || fail "two reports of the same program differ"

# --- Markdown
$W "$DLT" --report sample.md sample.dlt 2> err || fail "--report sample.md exited $?: $(cat err)"
has sample.md '^# A sample report: squares and a histogram'
[ "$(count sample.md '^```dlt$')" -ge 3 ] || fail "sample.md has $(count sample.md '^```dlt$') code blocks"
[ "$(count sample.md '^!\[Figure [12]')" = 2 ] || fail "sample.md has $(count sample.md '^!\[Figure') figures, expected 2"
sed -n 's/^!\[Figure 1[^]]*\](data:image\/png;base64,\(.*\))$/\1/p' sample.md | base64 -d > fig1.png 2> /dev/null
[ "$(od -An -tx1 -N 8 fig1.png | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "sample.md's first figure is not a PNG"

# --- a failing program: its report up to the error, the error located, exit 4
$W "$DLT" --report failing.html failing.dlt > out 2> err
rc=$?
[ $rc = 4 ] || fail "--report of a failing program exited $rc, expected 4"
grep -q '^failing.dlt:3:16: error: shape mismatch' err || fail "the error is not on stderr: $(cat err)"
has failing.html '<pre class="output">before the error</pre>'
has failing.html '<pre class="error">failing.dlt:3:16: error: shape mismatch'
grep -q '<pre class="output">never printed' failing.html && fail "failing.html ran past the error"

# --- usage errors
usage() { # EXPECTED-MESSAGE ARGS...
  want=$1
  shift
  $W "$DLT" "$@" > out 2> err
  rc=$?
  [ $rc = 2 ] || fail "dlt $*: exit $rc, expected 2"
  grep -q -- "$want" err || fail "dlt $*: expected '$want', got: $(cat err)"
}
usage "its name must end in .html or .md" --report out.txt sample.dlt
usage "cannot write report 'nodir/x.html'" --report nodir/x.html sample.dlt
usage "needs the name of the report" --report
usage "--report needs a program file" --report x.html
usage "cannot be combined" --report x.html --step sample.dlt
usage "cannot open nothere.dlt" --report x.html nothere.dlt
[ -e out.txt ] && fail "an unknown report format left a file"

if [ "$failures" != 0 ]; then
  echo "$failures report check(s) failed"
  exit 1
fi
echo "all report checks passed"
