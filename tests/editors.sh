#!/bin/sh
# editors.sh - the editor support in editors/ works: the TextMate grammar (VS Code) is valid JSON
# whose patterns compile and colour a sample as intended, and the Vim syntax file (when vim is
# installed) gives the expected highlight groups. Environment: DLT_SRCDIR (source tree).
set -u
: "${DLT_SRCDIR:?set DLT_SRCDIR to the source tree}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dlt-editors.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

cat > "$tmp/sample.dlt" <<'DLT'
#' # A narrative with `code`
seed 42
let t = sweep w in [1, 2.5e3] { record err = "a\n" }   # a comment
fn f(x) = x' @ x
DLT

# TextMate: Python's re accepts these patterns as Oniguruma does (no Oniguruma-only syntax used)
python3 - "$DLT_SRCDIR/editors/vscode" "$tmp/sample.dlt" <<'PY' || fail "TextMate grammar"
import json, re, sys
root, sample = sys.argv[1], sys.argv[2]
json.load(open(root + "/package.json"))
json.load(open(root + "/language-configuration.json"))
g = json.load(open(root + "/syntaxes/dlt.tmLanguage.json"))
assert g["scopeName"] == "source.dlt"
def rules(r):
    yield r
    for p in r.get("patterns", []):
        yield from rules(p)
pats = {}
for name, r in g["repository"].items():
    for q in rules(r):
        for k in ("match", "begin", "end"):
            if k in q:
                re.compile(q[k], re.M)
                pats.setdefault(name, []).append(q)
text = open(sample).read()
def first(name, s):
    for q in pats[name]:
        m = re.search(q.get("match") or q["begin"], s, re.M)
        if m:
            return m
kw = " ".join(q["match"] for q in pats["keyword"])
for word in ("seed", "let", "sweep", "fn", "if", "true", "nil", "and"):
    assert any(re.search(q["match"], word) for q in pats["keyword"]), word
assert first("record", "{ record err = 1 }").group(1) == "record"
assert first("record", "train(f, X, y, record=list(\"loss\"))") is None
assert first("number", "x = 2.5e3").group(0) == "2.5e3"
assert first("number", "1..10").group(0) == "1"
assert first("function-definition", "fn f(x) = x").group(2) == "f"
assert first("narrative", "#' text") is not None
ops = pats["operator"][1:]
assert any(re.search(q["match"], "x' @ x") and q["name"].endswith("transpose.dlt") for q in ops)
PY

# Vim
if command -v vim > /dev/null; then
  vim -es -u NONE -N -c "set rtp^=$DLT_SRCDIR/editors/vim" -c 'filetype on' -c 'syntax on' \
    -c "e $tmp/sample.dlt" -c "redir! > $tmp/vim.out" \
    -c 'for [l, c] in [[1,1],[2,1],[3,9],[3,28],[3,33],[3,46],[3,60],[4,4],[4,12]] | echo synIDattr(synID(l, c, 1), "name") | endfor' \
    -c 'echo &filetype' -c 'redir END' -c 'q!' < /dev/null > /dev/null 2>&1
  got=$(grep -v '^$' "$tmp/vim.out" | tr '\n' ' ')
  want="dltNarrative dltStatement dltExperiment dltNumber dltExperiment dltString dltComment dltFunction dltOperator dlt "
  [ "$got" = "$want" ] || fail "vim: highlight groups '$got', expected '$want'"
else
  echo "note: vim is not installed: the Vim syntax file is not checked"
fi

[ $failures = 0 ]
