#!/usr/bin/env bash
# Re-record the SDK part of the sample corpus (rrweb_hf/data/sample_corpus/sdk/).
#
# Run by hand, not in CI. Needs what record_corpus.sh needs (Debian `chromium`, Node >= 18
# with npm, python3 with venv) and the repository's own .venv (bash scripts/setup.sh): the
# manifest decodes the SDK files with rrweb_hf's readers.
#
#   bash scripts/record/record_sdk.sh                    # the bundled SDK corpus (~12 min on 2 cores)
#   bash scripts/record/record_sdk.sh --try /tmp/sdk     # captures + corpus files under /tmp/sdk only
#   bash scripts/record/record_sdk.sh --try /tmp/sdk --sdk sentry --ids media-13
#
# Other arguments go to record_sdk.js (--sdk, --ids, --parallel, --port).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$HERE"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || { echo "missing $CHROMIUM: apt-get install chromium" >&2; exit 1; }
REPO_PY="$ROOT/.venv/bin/python"
[ -x "$REPO_PY" ] || { echo "missing $REPO_PY: run bash scripts/setup.sh first" >&2; exit 1; }

TRY=""
ARGS=()
while [ "$#" -gt 0 ]; do
  if [ "$1" = "--try" ]; then TRY="$2"; shift 2; else ARGS+=("$1"); shift; fi
done

# 1. recorder + SDK packages (exact versions from package-lock.json)
[ -d node_modules/posthog-js ] && [ -d node_modules/@sentry/browser ] || npm ci --no-audit --no-fund

# 2. the two apps the SDK sessions visit (the Django admin and the media pages)
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/pip install -q -r requirements-apps.txt
.venv/bin/python setup_apps.py django media

# 3. their servers, on 127.0.0.1 only
mkdir -p work
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
(cd build/django && exec "$HERE/.venv/bin/python" manage.py runserver 127.0.0.1:8702 --noreload) > work/django.log 2>&1 & PIDS+=($!)
(cd build/media && exec "$HERE/.venv/bin/python" -m http.server 8704 --bind 127.0.0.1) > work/media.log 2>&1 & PIDS+=($!)
for port in 8702 8704; do
  for _ in $(seq 1 60); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/', timeout=2)" 2>/dev/null; then break; fi
    sleep 1
  done
done

# 4. record through the real SDKs (capture server on 127.0.0.1:8710), then write the formats
if [ -n "$TRY" ]; then
  CAPTURES="$TRY/captures"; CORPUS="$TRY/corpus"
else
  CAPTURES="$HERE/work/sdk"; CORPUS="$ROOT/rrweb_hf/data/sample_corpus"
fi
rm -rf "$CAPTURES"
[ -z "$TRY" ] && rm -rf "$CORPUS/sdk"
START=$(date +%s)
node record_sdk.js --out "$CAPTURES" "${ARGS[@]}" | tee work/record_sdk.log
echo "recording took $(( $(date +%s) - START )) s"
"$REPO_PY" build_sdk_corpus.py --captures "$CAPTURES" --corpus "$CORPUS" --blob-v2-snappy  # snappy: cramjam, a dependency of rrweb_hf
if [ -z "$TRY" ]; then
  "$REPO_PY" make_manifest.py --sdk-recorded-at "$(date -u +%Y-%m-%dT%H:%M:%S+00:00)"
  du -sb "$CORPUS" "$CORPUS/sdk"
else
  du -sb "$CORPUS"
fi
