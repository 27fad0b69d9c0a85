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
source "$HERE/serve_apps.sh"   # checks $CHROMIUM; prepare_apps, start_apps
REPO_PY="$ROOT/.venv/bin/python"
[ -x "$REPO_PY" ] || { echo "missing $REPO_PY: run bash scripts/setup.sh first" >&2; exit 1; }

TRY=""
ARGS=()
while [ "$#" -gt 0 ]; do
  if [ "$1" = "--try" ]; then TRY="$2"; shift 2; else ARGS+=("$1"); shift; fi
done

# 1-2. recorder + SDK packages (npm ci), the two apps the SDK sessions visit
prepare_apps django media
# 3. their servers (the Django admin and the media pages), on 127.0.0.1 only
start_apps django media

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
