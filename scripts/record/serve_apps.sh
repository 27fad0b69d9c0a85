# Shared set-up for the recording scripts (record_corpus.sh, record_sdk.sh,
# record_pretraining_corpus.sh); source it from scripts/record/ with HERE set:
#
#   source "$HERE/serve_apps.sh"
#   prepare_apps mkdocs django    # npm ci if needed, the apps' venv, setup_apps.py SITE...
#   start_apps mkdocs django      # servers on 127.0.0.1 (stopped when the script exits)
#
# Ports: mkdocs 8701, django 8702, dash 8703, media 8704, datasette 8705, swagger 8706
# (the same as scenarios.js's PORTS).
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || { echo "missing $CHROMIUM: apt-get install chromium" >&2; exit 1; }

declare -A APP_PORT=([mkdocs]=8701 [django]=8702 [dash]=8703 [media]=8704 [datasette]=8705 [swagger]=8706)

prepare_apps() {
  export SCARF_ANALYTICS=false  # swagger-ui-dist depends on @scarf/scarf: no install analytics
  # 1. recorder dependencies (exact versions from package-lock.json)
  node -e "const fs = require('fs'); for (const d of Object.keys(require('./package.json').dependencies))
    if (!fs.existsSync('node_modules/' + d + '/package.json')) process.exit(1)" || npm ci --no-audit --no-fund
  # 2. recording-only Python apps in their own venv
  if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
  .venv/bin/pip install -q -r requirements-apps.txt
  # 3. build the apps
  .venv/bin/python setup_apps.py "$@"
}

APP_PIDS=()
stop_apps() { for p in "${APP_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }

start_apps() {
  mkdir -p work
  trap stop_apps EXIT
  local site port
  for site in "$@"; do
    port="${APP_PORT[$site]:?unknown site $site (one of ${!APP_PORT[*]})}"
    (case "$site" in  # exec: the background job's pid is the server's
      mkdocs) cd build/mkdocs/site && exec "$HERE/.venv/bin/python" -m http.server "$port" --bind 127.0.0.1 ;;
      django) cd build/django && exec "$HERE/.venv/bin/python" manage.py runserver "127.0.0.1:$port" --noreload ;;
      dash) cd build/dash && exec "$HERE/.venv/bin/python" app.py "$port" ;;
      media) cd build/media && exec "$HERE/.venv/bin/python" -m http.server "$port" --bind 127.0.0.1 ;;
      datasette) cd build/datasette && exec "$HERE/.venv/bin/datasette" serve shop.db --metadata metadata.json \
                   -h 127.0.0.1 -p "$port" --setting sql_time_limit_ms 3000 ;;
      swagger) cd build/swagger && exec "$HERE/.venv/bin/python" server.py "$port" ;;
    esac) > "work/$site.log" 2>&1 &
    APP_PIDS+=($!)
  done
  for site in "$@"; do
    port="${APP_PORT[$site]}"
    for _ in $(seq 1 60); do
      if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/', timeout=2)" 2>/dev/null; then break; fi
      sleep 1
    done
  done
}
