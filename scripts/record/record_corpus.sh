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
source "$HERE/serve_apps.sh"   # checks $CHROMIUM; prepare_apps, start_apps

# 1-3. recorder dependencies (npm ci), the apps' venv (requirements-apps.txt), builds
prepare_apps mkdocs django dash media
# 4. servers on 127.0.0.1 only (ports 8701-8704), stopped on exit
start_apps mkdocs django dash media

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
