#!/usr/bin/env bash
# Runs every test: domain unit tests, API / event-store / concurrency / live / kill tests against
# the real PostgreSQL, then the browser end-to-end tests in headless Chromium.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_postgres
ensure_frontend_tools
ensure_browser

# Databases left by earlier runs (each test makes its own).
psql "$DATABASE_SERVER/postgres" -Atqc \
  "SELECT datname FROM pg_database WHERE datname LIKE 'throughline\_test\_%' OR datname LIKE 'throughline\_bench\_%' OR datname LIKE 'throughline\_e2e\_%'" |
  while read -r db; do psql "$DATABASE_SERVER/postgres" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"; done

log "cargo test (workspace)"
cargo test --workspace --locked

build_frontend
log "browser end-to-end tests (headless Chromium)"
cargo build -p throughline-backend --locked
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
db="throughline_e2e_$(date +%s)_$$"
bin="${CARGO_TARGET_DIR:-target}/debug/throughline"
precompress_frontend "$bin"
export THROUGHLINE_ADMIN_USER=e2e-admin
THROUGHLINE_ADMIN_PASSWORD="e2e-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
export THROUGHLINE_ADMIN_PASSWORD
# The demo first, on the empty log: its story is played over the past weeks.
DATABASE_URL="$DATABASE_SERVER/$db" RUST_LOG=warn "$bin" seed-demo >/dev/null
DATABASE_URL="$DATABASE_SERVER/$db" RUST_LOG=warn \
  "$bin" create-admin --username "$THROUGHLINE_ADMIN_USER" --display-name "Avery Admin" >/dev/null
DATABASE_URL="$DATABASE_SERVER/$db" THROUGHLINE_ADDR="127.0.0.1:$port" RUST_LOG=warn \
  "$bin" serve >"${TMPDIR:-/tmp}/throughline-e2e.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$port/api/health" >/dev/null && break
  sleep 0.5
done
THROUGHLINE_URL="http://127.0.0.1:$port" node --test --test-concurrency=1 tests/browser/

kill $server 2>/dev/null || true
log "schemathesis: the API against its OpenAPI document"
bash "$ROOT/scripts/schemathesis.sh"
