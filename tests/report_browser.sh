#!/bin/sh
# report_browser.sh - reports as a reader sees them: Debian's headless Chromium opens the HTML
# reports of tests/report/sample.dlt and of two lecture programs, and checks that each loads
# without console errors, fetches nothing, and displays every figure (decoded, at a visible
# size); a full-page screenshot of each is kept in tests/report-screenshots/ of the build tree.
# Skipped (77) without chromium, chromium-driver and python3-selenium, unless
# DLT_REQUIRE_BROWSER=1 (as in .ci/run), where that is a failure.
# Environment: DLT, DLT_SRCDIR, DLT_WRAPPER, DLT_REQUIRE_BROWSER.
set -u
: "${DLT:?set DLT to the dlt binary}"
: "${DLT_SRCDIR:?set DLT_SRCDIR to the source tree}"
W=${DLT_WRAPPER:-}
shots=$(pwd)/tests/report-screenshots
mkdir -p "$shots" || exit 99
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dlt-browser.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 99

set -- sample.html 2
$W "$DLT" --report sample.html "$DLT_SRCDIR/tests/report/sample.dlt" || { echo "FAIL: --report sample.dlt"; exit 1; }
if [ -z "$W" ]; then # lecture programs run natively only (as in lectures.sh)
  for lecture in 004_loureiro/lazy_kappa:1 001_telgarsky/triangle_and_squaring:1; do
    name=$(basename "${lecture%:*}")
    $W "$DLT" --report "$name.html" "$DLT_SRCDIR/examples/lectures/${lecture%:*}.dlt" > /dev/null ||
      { echo "FAIL: --report ${lecture%:*}.dlt"; exit 1; }
    set -- "$@" "$name.html" "${lecture#*:}"
  done
fi

/usr/bin/python3 "$DLT_SRCDIR/tests/report/browser_check.py" "$@"
rc=$?
cp ./*.png "$shots"/ 2> /dev/null
if [ $rc = 77 ] && [ "${DLT_REQUIRE_BROWSER:-0}" = 1 ]; then
  echo "FAIL: DLT_REQUIRE_BROWSER=1 but no browser could be started"
  exit 1
fi
[ $rc = 0 ] && echo "screenshots in $shots"
exit $rc
