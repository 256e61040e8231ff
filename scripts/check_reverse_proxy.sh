#!/usr/bin/env bash
# Check deploy/nginx/sahelmap.conf for real, on this machine and on loopback ports only.
#
# Starts the app as deploy/systemd/sahelmap.service does (SAHELMAP_READONLY=1, no file watcher, a fresh
# temporary SAHELMAP_DATA_DIR) on 127.0.0.1:$APP_PORT, and nginx with the site config unchanged except for
# its addresses (80 -> 127.0.0.1:$HTTP_PORT, 443 -> 127.0.0.1:$HTTPS_PORT), its certificate (a
# self-signed one made here) and the app port. Then checks through nginx:
#   1. port 80 redirects to https;
#   2. /_stcore/health answers "ok" over TLS;
#   3. a websocket upgrade of /_stcore/stream is answered "101 Switching Protocols" (curl);
#   4. real Streamlit sessions work through the proxy (benchmarks/load_sessions.py --url, 0 errors);
#   5. an upload larger than nginx's default 1 MB limit is accepted and read, without the
#      "Keep as dataset" button (scripts/check_upload.py; needs ../shared/realdata, skipped otherwise);
#   6. a body above the app's 50 MB limit is refused by nginx itself (413).
# Stops nginx and the app, removes its temporary files. Exit status 0 when every check passed.
#
#   scripts/check_reverse_proxy.sh            (needs nginx: apt-get install -y nginx)
#   APP_PORT=8502 HTTP_PORT=8080 HTTPS_PORT=8443 scripts/check_reverse_proxy.sh
set -euo pipefail
cd "$(dirname "$0")/.."

APP_PORT=${APP_PORT:-8501}
HTTP_PORT=${HTTP_PORT:-8080}
HTTPS_PORT=${HTTPS_PORT:-8443}
PY=${PYTHON:-.venv/bin/python}
SITE=${SITE:-deploy/nginx/sahelmap.conf} # the site config to check
REAL_ACLED=../shared/realdata/acled_mali_2015-01_2023-03.csv

command -v nginx >/dev/null || { echo "nginx is not installed: apt-get install -y nginx" >&2; exit 2; }
command -v openssl >/dev/null || { echo "openssl is not installed" >&2; exit 2; }
for port in "$APP_PORT" "$HTTP_PORT" "$HTTPS_PORT"; do
  if "$PY" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $port)) != 0)"; then
    echo "127.0.0.1:$port is in use; choose another with APP_PORT / HTTP_PORT / HTTPS_PORT" >&2
    exit 2
  fi
done

work=$(mktemp -d /tmp/sahelmap-proxy.XXXXXX)
chmod 755 "$work" # nginx workers (not root) reach their temporary directories below it
app_pid="" nginx_pid=""
cleanup() {
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  [[ -n $app_pid ]] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
pass() { echo "PASS  $*"; }
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }
oneline() { sed -E 's/ +/ /g; s/^ //; s/ $//' | paste -sd '|' | sed 's/|/; /g'; }

# --- the app, as the systemd unit runs it ------------------------------------------------------
SAHELMAP_DATA_DIR="$work/data" SAHELMAP_READONLY=1 STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
  "$PY" -m streamlit run app.py --server.port "$APP_PORT" --server.address 127.0.0.1 \
  >"$work/app.log" 2>&1 &
app_pid=$!

# --- nginx with the site config ----------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
mkdir -p "$work/www" "$work/logs"
sed -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
  -e "s|listen 443 ssl;|listen 127.0.0.1:$HTTPS_PORT ssl;|" \
  -e '/listen \[::\]/d' \
  -e "s|/etc/letsencrypt/live/sahelmap.example.org/fullchain.pem|$work/cert.pem|" \
  -e "s|/etc/letsencrypt/live/sahelmap.example.org/privkey.pem|$work/key.pem|" \
  -e "s|root /var/www/html;|root $work/www;|" \
  -e "s|127.0.0.1:8501|127.0.0.1:$APP_PORT|" \
  "$SITE" >"$work/site.conf"
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 256; }
http {
    access_log $work/logs/access.log;
    client_body_temp_path $work/client_body;
    proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;
    include $work/site.conf;
}
EOF
nginx -t -q -p "$work" -c "$work/nginx.conf"
nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
echo "nginx $(nginx -v 2>&1 | sed 's/.*\///') on 127.0.0.1:$HTTP_PORT and :$HTTPS_PORT -> app on 127.0.0.1:$APP_PORT"

for _ in $(seq 1 120); do
  curl -fsk "https://127.0.0.1:$HTTPS_PORT/_stcore/health" >/dev/null 2>&1 && break
  kill -0 "$app_pid" 2>/dev/null || { cat "$work/app.log"; echo "the app exited" >&2; exit 1; }
  sleep 0.5
done

# 1. port 80: redirect to https
redirect=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$HTTP_PORT/?place=gao")
[[ $redirect == "301 https://127.0.0.1/?place=gao" ]] && pass "http redirects: $redirect" || fail "http: $redirect"

# 2. health over TLS
health=$(curl -sk "https://127.0.0.1:$HTTPS_PORT/_stcore/health" || true)
[[ $health == ok ]] && pass "https /_stcore/health: $health" || fail "https /_stcore/health: '$health'"

# 3. the websocket handshake, as curl sees it
handshake=$(curl -sk -i --http1.1 --max-time 3 \
  -H "Connection: Upgrade" -H "Upgrade: websocket" -H "Sec-WebSocket-Version: 13" \
  -H "Sec-WebSocket-Key: c2FoZWxtYXAtY2hlY2shIQ==" -H "Sec-WebSocket-Protocol: streamlit" \
  "https://127.0.0.1:$HTTPS_PORT/_stcore/stream" | head -1 | tr -d '\r' || true)
[[ $handshake == *" 101 "* ]] && pass "websocket upgrade: $handshake" || fail "websocket upgrade: '$handshake'"

# 4. real sessions through the proxy
if "$PY" benchmarks/load_sessions.py --url "https://127.0.0.1:$HTTPS_PORT" --sessions 4 --duration 15 \
  >"$work/load.txt" 2>&1; then
  pass "sessions through nginx: $(grep -E '^(reruns completed|errors)' "$work/load.txt" | oneline)"
else
  cat "$work/load.txt"
  fail "sessions through nginx (see above)"
fi

# 5. an upload above nginx's default 1 MB body limit, read by the app; no "Keep" on a public instance
if [[ -f $REAL_ACLED ]]; then
  if "$PY" scripts/check_upload.py --url "https://127.0.0.1:$HTTPS_PORT" "$REAL_ACLED" --expect-keep no \
    >"$work/upload.txt" 2>&1; then
    pass "upload through nginx: $(grep -E 'rows read|Keep' "$work/upload.txt" | sed 's/\\//g' | oneline)"
  else
    cat "$work/upload.txt"
    fail "upload through nginx (see above)"
  fi
else
  echo "SKIP  upload through nginx: $REAL_ACLED is absent"
fi

# 6. a body above server.maxUploadSize stops at nginx
head -c $((51 * 1024 * 1024)) /dev/zero >"$work/big.bin"
too_big=$(curl -sk -o "$work/big.txt" -w '%{http_code}' -X PUT --data-binary "@$work/big.bin" \
  "https://127.0.0.1:$HTTPS_PORT/_stcore/upload_file/x/y" || true)
if [[ $too_big == 413 ]] && grep -q nginx "$work/big.txt"; then
  pass "51 MB body refused by nginx: $too_big"
else
  fail "51 MB body: HTTP $too_big"
fi

if grep -q Traceback "$work/app.log"; then
  fail "the app logged a traceback:"
  tail -30 "$work/app.log"
fi
echo
if ((failures)); then
  echo "$failures check(s) failed; nginx error log:"
  tail -20 "$work/logs/error.log"
  exit 1
fi
echo "all reverse-proxy checks passed"
