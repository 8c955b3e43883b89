#!/bin/sh
# lectures.sh - every program in examples/lectures/ prints exactly its checked-in transcript
# (NAME.expected beside NAME.dlt; fixed seeds make the output reproducible). After changing a
# program on purpose, regenerate its transcript with: dlt NAME.dlt > NAME.expected
# Programs run two at a time (DLT_LECTURE_JOBS), each in its own scratch directory (they write
# their figures to the working directory).
# Under valgrind (DLT_WRAPPER set) the programs are left out, as examples/ are: they run natively
# and under ASan+UBSan. Environment: DLT, DLT_SRCDIR, DLT_WRAPPER, DLT_LECTURE_JOBS.
set -u
: "${DLT:?set DLT to the dlt binary}"
: "${DLT_SRCDIR:?set DLT_SRCDIR to the source tree}"

if [ "${1:-}" = --one ]; then # lectures.sh --one SCRATCH PROGRAM: check one program
  dir=$(mktemp -d "$2/run.XXXXXX") || exit 99
  f=$3
  want="${f%.dlt}.expected"
  if [ ! -e "$want" ]; then
    echo "FAIL: $f has no transcript $(basename "$want")"
    exit 1
  fi
  if ! (cd "$dir" && "$DLT" "$f") > "$dir/out" 2> "$dir/err"; then
    echo "FAIL: $f exited with an error"
    cat "$dir/err"
    exit 1
  fi
  if ! cmp -s "$dir/out" "$want"; then
    echo "FAIL: $f printed something else than $(basename "$want"):"
    diff "$want" "$dir/out" | head -20
    exit 1
  fi
  rm -rf "$dir"
  exit 0
fi

[ -z "${DLT_WRAPPER:-}" ] || { echo "lecture programs are not run under valgrind"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dlt-lect.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
for f in "$DLT_SRCDIR"/examples/lectures/*/*.dlt; do
  [ -e "$f" ] && n=$((n + 1)) && printf '%s\n' "$f"
done > "$tmp/list"
xargs -P "${DLT_LECTURE_JOBS:-2}" -I{} sh "$0" --one "$tmp" {} < "$tmp/list" > "$tmp/report"
cat "$tmp/report"
failures=$(grep -c '^FAIL' "$tmp/report")
[ "$failures" = 0 ] && echo "all $n lecture programs print their transcripts"
[ "$failures" = 0 ]
