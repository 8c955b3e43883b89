#!/bin/sh
# lectures.sh - every program in examples/lectures/ prints exactly its checked-in transcript
# (NAME.expected beside NAME.dlt; fixed seeds make the output reproducible). After changing a
# program on purpose, regenerate its transcript with: dlt NAME.dlt > NAME.expected
# Under valgrind (DLT_WRAPPER set) the programs are left out, as examples/ are: they run natively
# and under ASan+UBSan. Environment: DLT, DLT_SRCDIR, DLT_WRAPPER.
set -u
: "${DLT:?set DLT to the dlt binary}"
: "${DLT_SRCDIR:?set DLT_SRCDIR to the source tree}"
[ -z "${DLT_WRAPPER:-}" ] || { echo "lecture programs are not run under valgrind"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dlt-lect.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0
n=0
for f in "$DLT_SRCDIR"/examples/lectures/*/*.dlt; do
  [ -e "$f" ] || continue
  n=$((n + 1))
  want="${f%.dlt}.expected"
  if [ ! -e "$want" ]; then
    echo "FAIL: $f has no transcript $(basename "$want")"
    failures=$((failures + 1))
    continue
  fi
  # in a scratch directory: lecture programs write their figures to the working directory
  if ! (cd "$tmp" && "$DLT" "$f") > "$tmp/out" 2> "$tmp/err"; then
    echo "FAIL: $f exited with an error"
    cat "$tmp/err"
    failures=$((failures + 1))
  elif ! cmp -s "$tmp/out" "$want"; then
    echo "FAIL: $f printed something else than $(basename "$want"):"
    diff "$want" "$tmp/out" | head -20
    failures=$((failures + 1))
  fi
done
[ $failures = 0 ] && echo "all $n lecture programs print their transcripts"
[ $failures = 0 ]
