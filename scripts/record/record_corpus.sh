#!/usr/bin/env bash
# Re-record the rrweb_hf sample corpus (rrweb_hf/data/sample_corpus/).
#
# Run by hand, not in CI. Needs: Debian `chromium` (apt-get install chromium),
# Node >= 18 with npm, python3 (3.11) with venv, optionally espeak-ng for the
# narration audio. Everything it builds goes under scripts/record/ (ignored).
#
#   bash scripts/record/record_corpus.sh            # full run (~45-60 min)
#   bash scripts/record/record_corpus.sh --only dash --limit 3 --out /tmp/x
#
# Extra arguments are passed to record.js. When --out is given the corpus and
# manifest in the repository are left alone.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$HERE"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || { echo "missing $CHROMIUM: apt-get install chromium" >&2; exit 1; }

# 1. recorder dependencies (exact versions from package-lock.json)
[ -d node_modules/rrweb ] || npm ci --no-audit --no-fund

# 2. recording-only Python apps in their own venv
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/pip install -q -r requirements-apps.txt

# 3. build the apps (MkDocs site, Django project + data, Dash app, media pages)
.venv/bin/python setup_apps.py

# 4. start servers on 127.0.0.1 only
mkdir -p work
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
(cd build/mkdocs/site && exec "$HERE/.venv/bin/python" -m http.server 8701 --bind 127.0.0.1) > work/mkdocs.log 2>&1 & PIDS+=($!)
(cd build/django && exec "$HERE/.venv/bin/python" manage.py runserver 127.0.0.1:8702 --noreload) > work/django.log 2>&1 & PIDS+=($!)
(cd build/dash && exec "$HERE/.venv/bin/python" app.py 8703) > work/dash.log 2>&1 & PIDS+=($!)
(cd build/media && exec "$HERE/.venv/bin/python" -m http.server 8704 --bind 127.0.0.1) > work/media.log 2>&1 & PIDS+=($!)
for port in 8701 8702 8703 8704; do
  for _ in $(seq 1 60); do
    if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/', timeout=2)" 2>/dev/null; then break; fi
    sleep 1
  done
done

# 5. record (2 browser contexts in parallel) and write the manifest
CUSTOM_OUT=0
for a in "$@"; do [ "$a" = "--out" ] && CUSTOM_OUT=1; done
START=$(date +%s)
if [ "$#" = 0 ]; then  # a full re-record replaces the whole corpus
  rm -rf "$ROOT/rrweb_hf/data/sample_corpus"/{mkdocs,django,dash,media}
fi
node record.js --parallel 2 "$@" | tee work/record.log
echo "recording took $(( $(date +%s) - START )) s"
if [ "$CUSTOM_OUT" = 0 ]; then
  python3 prune_to_budget.py   # drop the largest short site sessions if the corpus is over 24.7 MB
  # the SDK files under sdk/ are described through rrweb_hf's readers (the repository's .venv)
  MANIFEST_PY=python3
  if [ -d "$ROOT/rrweb_hf/data/sample_corpus/sdk" ]; then MANIFEST_PY="$ROOT/.venv/bin/python"; fi
  "$MANIFEST_PY" make_manifest.py --recorded-at "$(date -u +%Y-%m-%dT%H:%M:%S+00:00)"
  du -sb "$ROOT/rrweb_hf/data/sample_corpus"
fi
