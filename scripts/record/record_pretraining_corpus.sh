#!/usr/bin/env bash
# Record a PRETRAINING corpus outside the repository, reproducible from a seed.
#
# Run by hand, not in CI; needs what record_corpus.sh needs. The bundled corpus
# (rrweb_hf/data/sample_corpus/) is never touched.
#
#   bash scripts/record/record_pretraining_corpus.sh --out DIR --seed S \
#        [--sessions-per-site N] [--sites a,b,...] [--parallel 2]
#
# Sites: mkdocs, django, dash, media (the bundled four) and datasette, swagger
# (default: all six). The plan is scenarios.js's buildPretrainPlan: N sessions per
# site (default 25), scenarios dealt round-robin, lengths drawn from the session
# seed (short 6-12 s, medium 18-30 s, long 55-80 s targets), session seed
# 1,000,000 * S + 1000 * (site number) + index, disjoint from the bundled corpus's
# 1000 * (site number) + index. Sessions already in DIR are kept (a rerun resumes
# or extends a corpus: same S, larger N or more sites). Writes
# DIR/SITE/SITE-NNNN.json.gz and DIR/MANIFEST.json (make_manifest.py --corpus DIR).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="" SEED="" PER_SITE=25 SITES="mkdocs,django,dash,media,datasette,swagger" PARALLEL=2
usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }
while [ "$#" -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --sessions-per-site) PER_SITE="$2"; shift 2 ;;
    --sites) SITES="$2"; shift 2 ;;
    --parallel) PARALLEL="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ -n "$OUT" ] && [ -n "$SEED" ] || { echo "--out DIR and --seed S are required" >&2; usage >&2; exit 2; }
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
case "$OUT/" in
  "$ROOT/rrweb_hf/"*) echo "--out $OUT is inside rrweb_hf/: pick a folder outside the package" >&2; exit 2 ;;
esac
cd "$HERE"
# check the plan before building anything (bad seed / site / count -> a clear error)
node scenarios.js --seed "$SEED" --per-site "$PER_SITE" --sites "$SITES"

source "$HERE/serve_apps.sh"
IFS=, read -r -a SITE_LIST <<< "$SITES"
prepare_apps "${SITE_LIST[@]}"
start_apps "${SITE_LIST[@]}"

START=$(date +%s)
node record.js --out "$OUT" --seed "$SEED" --per-site "$PER_SITE" --only "$SITES" \
  --parallel "$PARALLEL" --skip-existing | tee -a "$OUT/record.log"
echo "recording took $(( $(date +%s) - START )) s"
python3 make_manifest.py --corpus "$OUT" --recorded-at "$(date -u +%Y-%m-%dT%H:%M:%S+00:00)"
du -sb "$OUT"
