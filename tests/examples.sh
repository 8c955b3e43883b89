#!/bin/sh
# examples.sh - every program in examples/, the README example, the tutorial programs and the
# library reference examples run cleanly.
# PART (environment) splits the work so `make -j` runs it in parallel (the programs are the
# lecture-sized part, slow under valgrind): "odd" / "even" = every other program in examples/,
# "docs" = the README and tutorial examples, "library" = the docs/library examples; unset = all.
set -u
PART=${PART:-all}
: "${DLT:?set DLT to the dlt binary}"
: "${DLT_SRCDIR:?set DLT_SRCDIR to the source tree}"
W=${DLT_WRAPPER:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dlt-ex.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0
i=0
for f in "$DLT_SRCDIR"/examples/*.dlt; do
  i=$((i + 1))
  # Under valgrind (DLT_WRAPPER set) the lecture-sized programs are left out: they take most of
  # the valgrind run (minutes each at 30× slowdown) and exercise code the tests already cover;
  # they still run natively and under ASan+UBSan, and the documentation examples run here too.
  [ -z "$W" ] || continue
  case $PART in
  all) ;;
  odd) [ $((i % 2)) = 1 ] || continue ;;
  even) [ $((i % 2)) = 0 ] || continue ;;
  *) continue ;;
  esac
  # run in a scratch directory: examples write their figures to the working directory
  if ! (cd "$tmp" && $W "$DLT" "$f") > "$tmp/out" 2>&1; then
    echo "FAIL: $f"
    cat "$tmp/out"
    failures=$((failures + 1))
  fi
done
if [ "$PART" = odd ] || [ "$PART" = even ]; then
  [ "$failures" = 0 ] && echo "all examples ran"
  [ "$failures" = 0 ]
  exit
fi
if [ "$PART" != library ]; then
# the first ```dlt block of the README
awk '/^```dlt$/ { inblock = 1; next } /^```$/ && inblock { exit } inblock' "$DLT_SRCDIR/README.md" > "$tmp/readme.dlt"
if ! $W "$DLT" "$tmp/readme.dlt" > "$tmp/out" 2>&1; then
  echo "FAIL: the README example"
  cat "$tmp/out"
  failures=$((failures + 1))
elif [ "$(wc -l < "$tmp/out")" != 3 ]; then
  echo "FAIL: the README example printed $(wc -l < "$tmp/out") lines, expected 3"
  failures=$((failures + 1))
fi
# every complete program in the tutorial (```dlt blocks; ```dlt-error blocks show errors on purpose)
awk -v dir="$tmp" '/^```dlt$/ { n++; f = dir "/tutorial" n ".dlt"; inblock = 1; printf "" > f; next }
     /^```/ { inblock = 0; next } inblock { print >> f }' "$DLT_SRCDIR/docs/tutorial.md"
for f in "$tmp"/tutorial*.dlt; do
  if ! (cd "$tmp" && $W "$DLT" "$f") > "$tmp/out" 2>&1; then
    echo "FAIL: tutorial block $(basename "$f" .dlt | sed 's/tutorial//')"
    cat "$f" "$tmp/out"
    failures=$((failures + 1))
  fi
done
fi
# every example in the library reference (docs/library/*.md): the docs show what really runs
[ "$PART" = docs ] || {
for md in "$DLT_SRCDIR"/docs/library/*.md; do
  page=$(basename "$md" .md)
  awk -v dir="$tmp" -v page="$page" '/^```dlt$/ { n++; f = dir "/lib-" page n ".dlt"; inblock = 1; printf "" > f; next }
       /^```/ { inblock = 0; next } inblock { print >> f }' "$md"
done
for f in "$tmp"/lib-*.dlt; do
  [ -e "$f" ] || continue
  if ! (cd "$tmp" && $W "$DLT" "$f") > "$tmp/out" 2>&1; then
    echo "FAIL: docs/library example $(basename "$f" .dlt | sed 's/^lib-//')"
    cat "$f" "$tmp/out"
    failures=$((failures + 1))
  fi
done
}
[ "$failures" = 0 ] && echo "all examples ran"
[ "$failures" = 0 ]
