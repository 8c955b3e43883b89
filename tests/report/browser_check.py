#!/usr/bin/python3
"""Open DLT reports in headless Chromium (Debian's chromium + chromium-driver, via Selenium) and
check what a reader would see: the page loads without console errors, it fetches nothing (every
figure is an embedded data: URI), and every figure is decoded and displayed at a visible size.
A full-page screenshot of each report is kept beside it (REPORT.png).

usage: browser_check.py REPORT.html [EXPECTED_FIGURES] ...   (pairs: a file and its figure count)
Exit 0 when every check passes, 1 with the failures listed, 77 when no browser can be started.
"""
import os
import sys

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError:
    print("SKIP: python3-selenium is not installed")
    sys.exit(77)

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
if not (os.access(CHROMIUM, os.X_OK) and os.access(DRIVER, os.X_OK)):
    print("SKIP: chromium and chromium-driver are not installed")
    sys.exit(77)

opts = webdriver.ChromeOptions()
opts.binary_location = CHROMIUM
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--window-size=1100,900", "--hide-scrollbars"):
    opts.add_argument(a)
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
try:
    driver = webdriver.Chrome(options=opts, service=Service(executable_path=DRIVER))
except Exception as e:  # no display libraries, a broken install: not the report's fault
    print("SKIP: chromium did not start: %s" % str(e).splitlines()[0])
    sys.exit(77)

FIGURES = """return Array.from(document.querySelectorAll('figure img')).map(i => {
  const r = i.getBoundingClientRect();
  return {complete: i.complete, w: i.naturalWidth, h: i.naturalHeight, shown_w: r.width,
          shown_h: r.height, data: i.src.startsWith('data:image/'), alt: i.alt};
});"""
EXTERNAL = """return Array.from(document.querySelectorAll('[src],[href]'))
  .map(e => e.getAttribute('src') || e.getAttribute('href'))
  .filter(u => !u.startsWith('data:') && !u.startsWith('#'));"""

failures = []
args = sys.argv[1:]
try:
    for path, expected in zip(args[0::2], args[1::2]):
        path = os.path.abspath(path)
        driver.get("file://" + path)
        errors = [l["message"] for l in driver.get_log("browser") if l["level"] == "SEVERE"]
        for m in errors:
            failures.append("%s: console error: %s" % (path, m))
        for u in driver.execute_script(EXTERNAL):
            failures.append("%s: fetches %s (a report must be self-contained)" % (path, u))
        figs = driver.execute_script(FIGURES)
        if len(figs) != int(expected):
            failures.append("%s: %d figures, expected %s" % (path, len(figs), expected))
        for f in figs:
            if not (f["complete"] and f["w"] > 0 and f["h"] > 0 and f["data"]):
                failures.append("%s: figure '%s' was not decoded (%s)" % (path, f["alt"], f))
            elif f["shown_w"] < 200 or f["shown_h"] < 100:
                failures.append("%s: figure '%s' is displayed at %dx%d" % (path, f["alt"], f["shown_w"], f["shown_h"]))
        if not driver.title:
            failures.append("%s: no title" % path)
        # the whole page in one screenshot: the window as tall as the document
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1100, min(max(height, 600), 16000))
        driver.save_screenshot(path[:-5] + ".png")
        print("%s: %d figures displayed, %d console errors, screenshot %s" %
              (os.path.basename(path), len(figs), len(errors), os.path.basename(path[:-5] + ".png")))
finally:
    driver.quit()

for f in failures:
    print("FAIL: " + f)
sys.exit(1 if failures else 0)
