#!/bin/sh
# plots.sh - figures written through PLplot are valid files of a sensible size in all three
# formats: PNG (signature, IHDR size), SVG (parses as XML, <svg> root), PDF (%PDF- header,
# %%EOF trailer, the page size); PLplot prints nothing on success; points a log axis cannot show
# are reported in a note; file errors are located DLT errors that leave no file behind.
# Environment: DLT (the binary), DLT_WRAPPER (e.g. valgrind).
set -u
: "${DLT:?set DLT to the dlt binary}"
W=${DLT_WRAPPER:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dlt-plots.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

size() { wc -c < "$1" | tr -d ' '; }

# in_range FILE MIN MAX : the file exists and its size is within [MIN, MAX] bytes
in_range() {
  if [ ! -f "$1" ]; then
    fail "$(basename "$1") was not written"
    return 1
  fi
  s=$(size "$1")
  [ "$s" -ge "$2" ] && [ "$s" -le "$3" ] || fail "$(basename "$1") is $s bytes, expected $2..$3"
}

# the first n bytes of a file as hex
hex() { od -An -tx1 -N "$2" "$1" | tr -d ' \n'; }

check_png() { # FILE WIDTH HEIGHT
  in_range "$1" 3000 2000000 || return
  [ "$(hex "$1" 8)" = 89504e470d0a1a0a ] || fail "$(basename "$1"): no PNG signature"
  # IHDR: width and height, big-endian, at bytes 16..23
  want=$(printf '%08x%08x' "$2" "$3")
  got=$(od -An -tx1 -j 16 -N 8 "$1" | tr -d ' \n')
  [ "$got" = "$want" ] || fail "$(basename "$1"): IHDR size $got, expected $want ($2×$3)"
}

check_svg() {
  in_range "$1" 2000 5000000 || return
  if command -v python3 > /dev/null 2>&1; then
    python3 -c '
import sys, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
sys.exit(0 if root.tag.endswith("svg") else 1)' "$1" || fail "$(basename "$1") does not parse as SVG"
  else
    grep -q '<svg' "$1" || fail "$(basename "$1") has no <svg> element"
  fi
}

check_pdf() { # FILE
  in_range "$1" 1500 2000000 || return
  [ "$(head -c 5 "$1")" = "%PDF-" ] || fail "$(basename "$1") does not start with %PDF-"
  tail -c 32 "$1" | grep -q '%%EOF' || fail "$(basename "$1") does not end with %%EOF"
  # 6.4 × 4.8 inches: 461 × 346 points
  grep -aq 'MediaBox \[ *0 0 461 346 *\]' "$1" || fail "$(basename "$1"): not a 461×346 pt page"
}

# --- every kind of figure in every format
cat > "$tmp/figs.dlt" <<'EOF'
seed 7
let rows = []
for depth in [1, 2, 3] {
  for width in [16, 64, 256, 1024, 4096] {
    let e = depth / sqrt(width)
    rows = push(rows, {depth: depth, width: width, err_mean: e, err_sem: e / 5})
  }
}
let t = table(rows)
let p = plot(t, x="width", y="err_mean", yerr="err_sem", by="depth", scale="loglog",
             title="Error against width", ylabel="relative error", grid=true)
let x = randn(500)
let xs = linspace(-3, 3, 100)
let h = hist(x, bins=25, density=true, label="samples") + plot(xs, exp(-xs * xs / 2) / sqrt(2 * pi), label="N(0, 1)")
let X = randn(16, 4)
let K = heatmap(X @ X', title="Gram matrix", label="K(x, x')")
for ext in ["png", "svg", "pdf"] {
  save(p, "lines." + ext)
  save(h, "hist." + ext)
  save(K, "heat." + ext)
}
plot(xs, sin(xs), file="small.png", size=[400, 300])
plot([1, 0.5, nan, 0.1, -1, 0.01], scale="semilogy", file="skipped.png")
EOF
(cd "$tmp" && $W "$DLT" figs.dlt) > "$tmp/figs.out" 2> "$tmp/figs.err"
rc=$?
[ "$rc" = 0 ] || fail "figs.dlt: exit code $rc (stderr: $(head -c 400 "$tmp/figs.err"))"
[ -s "$tmp/figs.out" ] && fail "figs.dlt wrote to stdout: $(head -c 300 "$tmp/figs.out")"
# the only line on stderr: the note for the two points a log axis cannot show
grep -q "^figs.dlt:[0-9]*:[0-9]*: note: 2 of 6 points not drawn in 'skipped.png' (nan, inf, or <= 0 on a log axis)$" \
  "$tmp/figs.err" || fail "no note about the skipped points (stderr: $(head -c 400 "$tmp/figs.err"))"
[ "$(grep -vc 'note: 2 of 6 points' "$tmp/figs.err")" = 0 ] || fail "unexpected output on stderr: $(head -c 400 "$tmp/figs.err")"
for f in lines hist heat; do
  check_png "$tmp/$f.png" 960 720
  check_svg "$tmp/$f.svg"
  check_pdf "$tmp/$f.pdf"
done
check_png "$tmp/small.png" 400 300
check_png "$tmp/skipped.png" 960 720

# --- errors are located, exit 4, and leave no file
cat > "$tmp/bad_ext.dlt" <<'EOF'
plot([1, 2, 3], file="fig.jpeg")
EOF
(cd "$tmp" && $W "$DLT" bad_ext.dlt) > /dev/null 2> "$tmp/bad_ext.err"
rc=$?
[ "$rc" = 4 ] || fail "bad_ext.dlt: exit code $rc, expected 4"
grep -q "^bad_ext.dlt:1:22: error: plot: cannot tell the format of 'fig.jpeg'" "$tmp/bad_ext.err" || fail "bad_ext.dlt: $(cat "$tmp/bad_ext.err")"
[ -e "$tmp/fig.jpeg" ] && fail "bad_ext.dlt left fig.jpeg behind"

mkdir "$tmp/ro" && chmod a-w "$tmp/ro"
if [ ! -w "$tmp/ro" ]; then # not as root, who can write anyway
  printf 'save(plot([1, 2]), "ro/fig.pdf")\n' > "$tmp/ro.dlt"
  (cd "$tmp" && $W "$DLT" ro.dlt) > /dev/null 2> "$tmp/ro.err"
  rc=$?
  [ "$rc" = 4 ] || fail "ro.dlt: exit code $rc, expected 4"
  grep -q "^ro.dlt:1:20: error: save: cannot open 'ro/fig.pdf' for writing: Permission denied" "$tmp/ro.err" || fail "ro.dlt: $(cat "$tmp/ro.err")"
fi
chmod u+w "$tmp/ro"

printf 'save(plot([nan, inf]), "nothing.svg")\n' > "$tmp/nothing.dlt"
(cd "$tmp" && $W "$DLT" nothing.dlt) > /dev/null 2> "$tmp/nothing.err"
rc=$?
[ "$rc" = 4 ] || fail "nothing.dlt: exit code $rc, expected 4"
grep -q "error: save: nothing to draw in 'nothing.svg': all 2 points are nan or inf" "$tmp/nothing.err" || fail "nothing.dlt: $(cat "$tmp/nothing.err")"
[ -e "$tmp/nothing.svg" ] && fail "nothing.dlt left nothing.svg behind"

# --- --plot=term (when main.c has it): writing a file also draws the plot in the terminal
printf 'plot([1, 4, 9], title="term", file="term.png")\n' > "$tmp/term.dlt"
(cd "$tmp" && $W "$DLT" --plot=term term.dlt) > "$tmp/term.out" 2> "$tmp/term.err"
rc=$?
if [ "$rc" != 2 ]; then # 2: this dlt has no --plot option yet
  [ "$rc" = 0 ] || fail "--plot=term: exit code $rc ($(head -c 300 "$tmp/term.err"))"
  grep -q "term" "$tmp/term.out" && grep -q "┤" "$tmp/term.out" || fail "--plot=term drew nothing: $(head -c 300 "$tmp/term.out")"
  check_png "$tmp/term.png" 960 720
fi

[ "$failures" = 0 ] && echo "all plot files valid"
[ "$failures" = 0 ]
